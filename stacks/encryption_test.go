package stacks

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

var keyDomains = []string{"stream", "database", "cache", "logs"}

func TestKeys(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		for _, d := range keyDomains {
			k := s.resource(t, "aws_kms_key", d)
			if k["enable_key_rotation"] != true {
				t.Errorf("%s: aws_kms_key.%s has no rotation", env.Name, d)
			}
			if k["deletion_window_in_days"] != float64(env.KMSDeletionWindowDays) {
				t.Errorf("%s: aws_kms_key.%s deletion window %v; want %d", env.Name, d, k["deletion_window_in_days"], env.KMSDeletionWindowDays)
			}
			if env.Name == config.Prod && k["deletion_window_in_days"] != float64(30) {
				t.Errorf("prod: aws_kms_key.%s deletion window %v; want 30", d, k["deletion_window_in_days"])
			}
			var doc policyDocument
			if err := json.Unmarshal([]byte(k["policy"].(string)), &doc); err != nil {
				t.Fatalf("%s: aws_kms_key.%s policy: %v", env.Name, d, err)
			}
			for _, st := range doc.Statement {
				p, _ := json.Marshal(st.Principal)
				if strings.Contains(string(p), `"*"`) {
					t.Errorf("%s: aws_kms_key.%s statement %s allows any principal", env.Name, d, st.Sid)
				}
				for _, a := range st.Action {
					if a == "kms:*" {
						t.Errorf("%s: aws_kms_key.%s statement %s grants kms:*", env.Name, d, st.Sid)
					}
				}
				if st.Sid == "UseThroughServices" && st.Condition["StringEquals"]["kms:ViaService"] == nil {
					t.Errorf("%s: aws_kms_key.%s lets the account use the key outside its services", env.Name, d)
				}
			}
			if !strings.Contains(k["policy"].(string), "arn:aws:iam::"+env.AccountID+":root") {
				t.Errorf("%s: aws_kms_key.%s policy does not name the account for administration", env.Name, d)
			}
			alias := s.resource(t, "aws_kms_alias", d+"_key")
			if alias["name"] != "alias/"+env.ResourceName(d) || alias["target_key_id"] != "${aws_kms_key."+d+".key_id}" {
				t.Errorf("%s: aws_kms_alias.%s_key = %v", env.Name, d, alias)
			}
		}
		logs := s.resource(t, "aws_kms_key", "logs")["policy"].(string)
		if !strings.Contains(logs, "logs."+env.Region+".amazonaws.com") {
			t.Errorf("%s: the logs key does not admit CloudWatch Logs", env.Name)
		}
	}
}

// TestStatefulResourcesProtected checks prevent_destroy follows the
// environment setting on every stateful resource.
func TestStatefulResourcesProtected(t *testing.T) {
	stateful := []string{"aws_kms_key", "aws_kinesis_stream", "aws_db_instance", "aws_elasticache_replication_group", "aws_cloudwatch_log_group"}
	for _, s := range synthAll(t) {
		for _, typ := range stateful {
			for name, r := range s.resources(typ) {
				lc, _ := r["lifecycle"].(map[string]any)
				got := lc["prevent_destroy"] == true
				if got != s.Env.PreventDestroy {
					t.Errorf("%s: %s.%s prevent_destroy = %v; want %v", s.Env.Name, typ, name, got, s.Env.PreventDestroy)
				}
			}
		}
	}
}

// TestKeyViaServices pins the services each data key may be used through.
// ElastiCache's at-rest encryption guide asks a kms:ViaService condition on
// a cache key to name both elasticache and dax; with elasticache alone the
// replication group's create, backups, node replacement and restores fail.
func TestKeyViaServices(t *testing.T) {
	want := map[string][]string{
		"stream":   {"kinesis"},
		"database": {"rds", "secretsmanager"},
		"cache":    {"elasticache", "dax"},
	}
	for _, s := range synthAll(t) {
		for _, d := range keyDomains {
			statements := statementsOf(t, s.Env.Name+": aws_kms_key."+d, s.resource(t, "aws_kms_key", d)["policy"].(string))
			var wantVia []string
			for _, service := range want[d] {
				wantVia = append(wantVia, service+"."+s.Env.Region+".amazonaws.com")
			}
			st, ok := statements["UseThroughServices"]
			if !ok {
				if len(wantVia) > 0 {
					t.Errorf("%s: aws_kms_key.%s has no UseThroughServices statement; want use via %v", s.Env.Name, d, wantVia)
				}
				continue
			}
			if got := asStrings(st.Condition["StringEquals"]["kms:ViaService"]); !slices.Equal(got, wantVia) {
				t.Errorf("%s: aws_kms_key.%s usable via %v; want exactly %v", s.Env.Name, d, got, wantVia)
			}
		}
	}
}
