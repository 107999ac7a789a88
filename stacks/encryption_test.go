package stacks

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

var keyDomains = []string{"stream", "database", "cache", "logs"}

func TestKeys(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			for _, d := range keyDomains {
				k := s.res(t, "aws_kms_key", d)
				if k.Opt("enable_key_rotation").Raw() != true {
					t.Errorf("%s has no rotation", k.path)
				}
				if got := k.Key("deletion_window_in_days").Num(); got != float64(env.KMSDeletionWindowDays) {
					t.Errorf("%s deletion window %v; want %d", k.path, got, env.KMSDeletionWindowDays)
				}
				policy := k.Key("policy").Str()
				var doc policyDocument
				if err := json.Unmarshal([]byte(policy), &doc); err != nil {
					t.Fatalf("%s.policy: %v", k.path, err)
				}
				for _, st := range doc.Statement {
					p, _ := json.Marshal(st.Principal)
					if strings.Contains(string(p), `"*"`) {
						t.Errorf("%s statement %s allows any principal", k.path, st.Sid)
					}
					if slices.Contains(st.Action, "kms:*") {
						t.Errorf("%s statement %s grants kms:*", k.path, st.Sid)
					}
					if st.Sid == "UseThroughServices" && st.Condition["StringEquals"]["kms:ViaService"] == nil {
						t.Errorf("%s lets the account use the key outside its services", k.path)
					}
				}
				if !strings.Contains(policy, "arn:aws:iam::"+env.AccountID+":root") {
					t.Errorf("%s policy does not name the account for administration", k.path)
				}
				alias := s.res(t, "aws_kms_alias", d+"_key")
				if alias.Key("name").Str() != "alias/"+env.ResourceName(d) || alias.Key("target_key_id").Str() != "${aws_kms_key."+d+".key_id}" {
					t.Errorf("%s = %v", alias.path, alias.Raw())
				}
			}
			if logs := s.res(t, "aws_kms_key", "logs").Key("policy").Str(); !strings.Contains(logs, "logs."+env.Region+".amazonaws.com") {
				t.Errorf("the logs key does not admit CloudWatch Logs")
			}
		})
	}
}

// TestStatefulResourcesProtected checks prevent_destroy follows the
// environment setting on every stateful resource.
func TestStatefulResourcesProtected(t *testing.T) {
	stateful := []string{"aws_kms_key", "aws_kinesis_stream", "aws_db_instance", "aws_elasticache_replication_group", "aws_cloudwatch_log_group"}
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			for _, typ := range stateful {
				for _, name := range s.names(typ) {
					r := s.res(t, typ, name)
					if got := r.Opt("lifecycle").Opt("prevent_destroy").Raw() == true; got != s.Env.PreventDestroy {
						t.Errorf("%s prevent_destroy = %v; want %v", r.path, got, s.Env.PreventDestroy)
					}
				}
			}
		})
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
		t.Run(s.Env.Name, func(t *testing.T) {
			for _, d := range keyDomains {
				statements := statementsOf(t, s.Env.Name+": aws_kms_key."+d, s.res(t, "aws_kms_key", d).Key("policy").Str())
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
		})
	}
}
