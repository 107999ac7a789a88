package stacks

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
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
				"allow_major_version_upgrade":           env.DBAllowMajorVersionUpgrade,
				"apply_immediately":                     env.DBAllowMajorVersionUpgrade,
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
			// A fixed name collides with the previous lifetime's final
			// snapshot on the second destroy: the name ends in the
			// create time, which ignore_changes keeps in state.
			wantSnapshot := env.ResourceName("transactions-db") + `-final-${formatdate("YYYYMMDDhhmmss", timestamp())}`
			if got := db.Opt("final_snapshot_identifier").Str(); got != wantSnapshot {
				t.Errorf("%s.final_snapshot_identifier = %q; want %q (unique per instance lifetime)", db.path, got, wantSnapshot)
			}
			if ignored := db.Key("lifecycle").Opt("ignore_changes").Strings(); !slices.Equal(ignored, []string{"final_snapshot_identifier"}) {
				t.Errorf("%s: lifecycle.ignore_changes = %v; want [final_snapshot_identifier], or every plan shows a new snapshot name", db.path, ignored)
			}
			if got := db.Key("lifecycle").Opt("prevent_destroy").Raw(); (got == true) != env.PreventDestroy {
				t.Errorf("%s: lifecycle.prevent_destroy = %v; want %v (PreventDestroy)", db.path, got, env.PreventDestroy)
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

// TestMajorVersionUpgrade synthesizes the upgrade's apply as README
// describes it (DBEngineMajorVersion raised, DBAllowMajorVersionUpgrade
// true): RDS refuses a new major without allow_major_version_upgrade, and
// without apply_immediately it waits for the maintenance window while
// create_before_destroy deletes the old parameter group, still in use, in
// the same apply. The instance must take the new family's group, created
// first under a new name.
func TestMajorVersionUpgrade(t *testing.T) {
	synthAll(t) // the kernel is shared; start it the way every test does
	for _, c := range []struct {
		name        string
		allow       bool
		wantAllowed bool
	}{
		{"upgrade apply", true, true},
		{"any other apply", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := envOf(t, "staging")
			env.DBEngineMajorVersion = "17"
			env.DBAllowMajorVersionUpgrade = c.allow
			if err := validate(env); err != nil {
				t.Fatalf("staging upgraded to 17: %v", err)
			}
			app := cdktf.Testing_App(nil)
			var doc map[string]any
			if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(NewPipeline(app, testState, env), jsii.Bool(true))), &doc); err != nil {
				t.Fatal(err)
			}
			s := synthesized{Env: env, JSON: doc}
			db := s.res(t, "aws_db_instance", "postgres")
			for _, field := range []string{"allow_major_version_upgrade", "apply_immediately"} {
				if got := db.Opt(field).Raw(); got != c.wantAllowed {
					t.Errorf("%s.%s = %v; want %v", db.path, field, got, c.wantAllowed)
				}
			}
			if got := db.Key("engine_version").Str(); got != "17" {
				t.Errorf("%s.engine_version = %q; want 17", db.path, got)
			}
			if got := db.Key("parameter_group_name").Str(); got != "${aws_db_parameter_group.postgres_tls_audit.name}" {
				t.Errorf("%s.parameter_group_name = %q; want the stack's group", db.path, got)
			}
			pg := s.res(t, "aws_db_parameter_group", "postgres_tls_audit")
			if pg.Key("family").Str() != "postgres17" || pg.Key("name").Str() != env.ResourceName("postgres17") ||
				pg.Key("lifecycle").Opt("create_before_destroy").Raw() != true {
				t.Errorf("%s = family %v, name %v, lifecycle %v; want postgres17 under a new name, created before the old one goes", pg.path,
					pg.Key("family").Raw(), pg.Key("name").Raw(), pg.Key("lifecycle").Raw())
			}
		})
	}
}
