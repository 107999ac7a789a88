package stacks

import (
	"fmt"
	"slices"
	"testing"
)

func TestDatabase(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		db := s.resource(t, "aws_db_instance", "postgres")
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
			if db[field] != value {
				t.Errorf("%s: aws_db_instance.postgres %s = %v; want %v", env.Name, field, db[field], value)
			}
		}
		for _, forbidden := range []string{"password", "password_wo"} {
			if _, ok := db[forbidden]; ok {
				t.Errorf("%s: aws_db_instance.postgres sets %s; RDS manages the master password", env.Name, forbidden)
			}
		}
		if sgs, _ := db["vpc_security_group_ids"].([]any); !slices.Equal(sgs, []any{"${aws_security_group.database_tier.id}"}) {
			t.Errorf("%s: database security groups %v; want the database tier only", env.Name, sgs)
		}
		if !env.DBSkipFinalSnapshot && db["final_snapshot_identifier"] != env.ResourceName("transactions-db")+"-final" {
			t.Errorf("%s: final snapshot identifier %v", env.Name, db["final_snapshot_identifier"])
		}
		if exports, _ := db["enabled_cloudwatch_logs_exports"].([]any); !slices.Equal(exports, []any{"postgresql", "upgrade"}) {
			t.Errorf("%s: log exports %v; want postgresql and upgrade", env.Name, exports)
		}
		for _, export := range dbLogExports {
			g := s.resource(t, "aws_cloudwatch_log_group", "postgres_"+export+"_log")
			if want := fmt.Sprintf("/aws/rds/instance/%s/%s", env.ResourceName("transactions-db"), export); g["name"] != want {
				t.Errorf("%s: %s log group is %v; RDS writes to %s", env.Name, export, g["name"], want)
			}
		}

		params := map[string]string{}
		pg := s.resource(t, "aws_db_parameter_group", "postgres_tls_audit")
		if pg["family"] != "postgres"+env.DBEngineMajorVersion {
			t.Errorf("%s: parameter group family %v", env.Name, pg["family"])
		}
		for _, p := range pg["parameter"].([]any) {
			m := p.(map[string]any)
			params[m["name"].(string)] = m["value"].(string)
		}
		for name, value := range map[string]string{
			"rds.force_ssl": "1", "shared_preload_libraries": "pg_stat_statements,pgaudit",
			"log_connections": "1", "log_disconnections": "1",
		} {
			if params[name] != value {
				t.Errorf("%s: parameter %s = %q; want %q", env.Name, name, params[name], value)
			}
		}
	}
}
