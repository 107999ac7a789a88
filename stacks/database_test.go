package stacks

import (
	"fmt"
	"slices"
	"testing"
)

func TestDatabase(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			db := s.res(t, "aws_db_instance", "postgres")
			want := map[string]any{
				"engine":                                "postgres",
				"engine_version":                        env.DBEngineMajorVersion,
				"auto_minor_version_upgrade":            true,
				"storage_type":                          "gp3",
				"storage_encrypted":                     true,
				"kms_key_id":                            "${aws_kms_key.database.arn}",
				"manage_master_user_password":           true,
				"master_user_secret_kms_key_id":         "${aws_kms_key.database.arn}",
				"iam_database_authentication_enabled":   true,
				"publicly_accessible":                   false,
				"performance_insights_enabled":          true,
				"performance_insights_kms_key_id":       "${aws_kms_key.database.arn}",
				"copy_tags_to_snapshot":                 true,
				"db_subnet_group_name":                  "${aws_db_subnet_group.postgres_subnets.name}",
				"parameter_group_name":                  "${aws_db_parameter_group.postgres_tls_audit.name}",
				"multi_az":                              env.DBMultiAZ,
				"deletion_protection":                   env.DBDeletionProtection,
				"skip_final_snapshot":                   env.DBSkipFinalSnapshot,
				"delete_automated_backups":              env.DBDeleteAutomatedBackups,
				"backup_retention_period":               float64(env.DBBackupRetentionDays),
				"instance_class":                        env.DBInstanceClass,
				"performance_insights_retention_period": float64(7),
			}
			for field, value := range want {
				if got := db.Opt(field).Raw(); got != value {
					t.Errorf("%s.%s = %v; want %v", db.path, field, got, value)
				}
			}
			for _, forbidden := range []string{"password", "password_wo"} {
				if db.Has(forbidden) {
					t.Errorf("aws_db_instance.postgres sets %s; RDS manages the master password", forbidden)
				}
			}
			if sgs := db.Key("vpc_security_group_ids").Strings(); !slices.Equal(sgs, []string{"${aws_security_group.database_tier.id}"}) {
				t.Errorf("database security groups %v; want the database tier only", sgs)
			}
			if got := db.Opt("final_snapshot_identifier").Str(); !env.DBSkipFinalSnapshot && got != env.ResourceName("transactions-db")+"-final" {
				t.Errorf("final snapshot identifier %q", got)
			}
			if exports := db.Key("enabled_cloudwatch_logs_exports").Strings(); !slices.Equal(exports, []string{"postgresql", "upgrade"}) {
				t.Errorf("log exports %v; want postgresql and upgrade", exports)
			}
			for _, export := range dbLogExports {
				g := s.res(t, "aws_cloudwatch_log_group", "postgres_"+export+"_log").Key("name").Str()
				if want := fmt.Sprintf("/aws/rds/instance/%s/%s", env.ResourceName("transactions-db"), export); g != want {
					t.Errorf("%s log group is %s; RDS writes to %s", export, g, want)
				}
			}

			params := map[string]string{}
			pg := s.res(t, "aws_db_parameter_group", "postgres_tls_audit")
			if got := pg.Key("family").Str(); got != "postgres"+env.DBEngineMajorVersion {
				t.Errorf("parameter group family %s", got)
			}
			for _, p := range pg.Key("parameter").List() {
				params[p.Key("name").Str()] = p.Key("value").Str()
			}
			for name, value := range map[string]string{
				"rds.force_ssl": "1", "shared_preload_libraries": "pg_stat_statements,pgaudit",
				"log_connections": "1", "log_disconnections": "1",
			} {
				if params[name] != value {
					t.Errorf("parameter %s = %q; want %q", name, params[name], value)
				}
			}
		})
	}
}
