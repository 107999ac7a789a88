package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

// Fixtures. plans/prod.json is `terraform show -json` output of the prod
// stack trimmed to the resources the pack checks (plus the state bucket
// from the bootstrap stack and a hand-made Secrets Manager secret);
// stacks/prod.json is the prod cdk.tf.json trimmed likewise. The
// data-loss-*.json plans are real plans against a hand-written state
// (terraform plan -refresh=false), trimmed to resource_changes and
// configuration.
const (
	goodPlan  = "testdata/plans/prod.json"
	goodStack = "testdata/stacks/prod.json"
)

var (
	packOnce sync.Once
	pack     *Pack
	packErr  error
)

func loadPack(t *testing.T) *Pack {
	t.Helper()
	packOnce.Do(func() { pack, packErr = Load(context.Background()) })
	if packErr != nil {
		t.Fatal(packErr)
	}
	return pack
}

// fixture decodes a fixture afresh, so a case may change it freely.
func fixture(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

func evaluate(t *testing.T, name string, doc map[string]any, opts Options) *Report {
	t.Helper()
	r, err := loadPack(t).Evaluate(context.Background(), name, doc, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// --- editing decoded plans -------------------------------------------------

// change returns the resource change at address.
func change(t *testing.T, plan map[string]any, address string) map[string]any {
	t.Helper()
	for _, c := range plan["resource_changes"].([]any) {
		rc := c.(map[string]any)
		if rc["address"] == address {
			return rc["change"].(map[string]any)
		}
	}
	t.Fatalf("fixture has no resource change %s", address)
	return nil
}

// after returns the planned object of the resource at address.
func after(t *testing.T, plan map[string]any, address string) map[string]any {
	t.Helper()
	return change(t, plan, address)["after"].(map[string]any)
}

// expressions returns the configuration expressions of a root-module resource.
func expressions(t *testing.T, plan map[string]any, address string) map[string]any {
	t.Helper()
	root := plan["configuration"].(map[string]any)["root_module"].(map[string]any)
	for _, r := range root["resources"].([]any) {
		res := r.(map[string]any)
		if res["address"] == address {
			return res["expressions"].(map[string]any)
		}
	}
	t.Fatalf("fixture configuration has no %s", address)
	return nil
}

// setKey makes attr of address a known literal in the plan and the
// configuration, as Terraform shows a literal.
func setKey(t *testing.T, plan map[string]any, address, attr, value string) {
	t.Helper()
	after(t, plan, address)[attr] = value
	delete(change(t, plan, address)["after_unknown"].(map[string]any), attr)
	expressions(t, plan, address)[attr] = map[string]any{"constant_value": value}
}

// unsetKey removes attr from the configuration and the plan (the service
// default applies).
func unsetKey(t *testing.T, plan map[string]any, address, attr string) {
	t.Helper()
	after(t, plan, address)[attr] = nil
	delete(change(t, plan, address)["after_unknown"].(map[string]any), attr)
	delete(expressions(t, plan, address), attr)
}

// copyResource adds a copy of the resource at from under the address to,
// in the plan and the configuration.
func copyResource(t *testing.T, plan map[string]any, from, to string) {
	t.Helper()
	typ, name, _ := strings.Cut(to, ".")
	clone := func(v map[string]any) map[string]any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		out["address"], out["type"], out["name"] = to, typ, name
		return out
	}
	for _, c := range plan["resource_changes"].([]any) {
		if rc := c.(map[string]any); rc["address"] == from {
			plan["resource_changes"] = append(plan["resource_changes"].([]any), clone(rc))
			break
		}
	}
	root := plan["configuration"].(map[string]any)["root_module"].(map[string]any)
	for _, r := range root["resources"].([]any) {
		if res := r.(map[string]any); res["address"] == from {
			root["resources"] = append(root["resources"].([]any), clone(res))
			break
		}
	}
	change(t, plan, to)
}

func providerExpressions(plan map[string]any) map[string]any {
	pc := plan["configuration"].(map[string]any)["provider_config"].(map[string]any)
	return pc["aws"].(map[string]any)["expressions"].(map[string]any)
}

func defaultTags(plan map[string]any) map[string]any {
	dt := providerExpressions(plan)["default_tags"].([]any)[0].(map[string]any)
	return dt["tags"].(map[string]any)["constant_value"].(map[string]any)
}

// setEnvironment retags the whole plan as another environment.
func setEnvironment(t *testing.T, plan map[string]any, env string) {
	t.Helper()
	defaultTags(plan)["Environment"] = env
	for _, c := range plan["resource_changes"].([]any) {
		a, _ := c.(map[string]any)["change"].(map[string]any)["after"].(map[string]any)
		if tags, ok := a["tags_all"].(map[string]any); ok {
			tags["Environment"] = env
		}
	}
}

func stackResource(t *testing.T, stack map[string]any, typ, name string) map[string]any {
	t.Helper()
	r, ok := stack["resource"].(map[string]any)[typ].(map[string]any)[name].(map[string]any)
	if !ok {
		t.Fatalf("stack fixture has no %s.%s", typ, name)
	}
	return r
}

func s3Backend(stack map[string]any) map[string]any {
	return stack["terraform"].(map[string]any)["backend"].(map[string]any)["s3"].(map[string]any)
}

// --- the table -------------------------------------------------------------

// failCase breaks one thing in a good fixture; the named control, and only
// it, must fail on the named resource.
type failCase struct {
	name     string
	fixture  string
	mutate   func(t *testing.T, doc map[string]any)
	control  string
	resource string
	message  string // a fragment of the failing message
}

const (
	db      = "aws_db_instance.postgres"
	cache   = "aws_elasticache_replication_group.redis"
	stream  = "aws_kinesis_stream.transactions"
	flowLog = "aws_flow_log.vpc"
	// kclLeases is KCL's lease table.
	kclLeases = "aws_dynamodb_table.kcl_leases"
)

var failCases = []failCase{
	{"service role without the boundary", goodPlan, func(t *testing.T, p map[string]any) {
		delete(after(t, p, "aws_iam_role.flow_logs_writer"), "permissions_boundary")
	}, "IAM-01", "aws_iam_role.flow_logs_writer", "want the policy fastshop-workload-boundary"},
	{"service role with another boundary", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, "aws_iam_role.flow_logs_writer")["permissions_boundary"] = "arn:aws:iam::aws:policy/AdministratorAccess"
	}, "IAM-01", "aws_iam_role.flow_logs_writer", "AdministratorAccess"},
	{"stream with the AWS-managed key", goodPlan, func(t *testing.T, p map[string]any) {
		setKey(t, p, stream, "kms_key_id", "alias/aws/kinesis")
	}, "ENC-01", stream, "AWS-managed"},
	{"stream unencrypted", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, stream)["encryption_type"] = "NONE"
	}, "ENC-01", stream, "encryption_type = NONE"},
	{"database storage unencrypted", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, db)["storage_encrypted"] = false
	}, "ENC-02", db, "storage_encrypted"},
	{"database on the default key", goodPlan, func(t *testing.T, p map[string]any) {
		unsetKey(t, p, db, "kms_key_id")
	}, "ENC-02", db, "kms_key_id is not set"},
	{"master secret on the default key", goodPlan, func(t *testing.T, p map[string]any) {
		unsetKey(t, p, db, "master_user_secret_kms_key_id")
	}, "ENC-02", db, "master_user_secret_kms_key_id is not set"},
	{"Performance Insights under an untraceable key", goodPlan, func(t *testing.T, p map[string]any) {
		setKey(t, p, db, "performance_insights_kms_key_id", "arn:aws:kms:sa-east-1:333333333333:key/0000aaaa-1111-2222-3333-444455556666")
	}, "ENC-02", db, "cannot be traced"},
	{"cache on the default key", goodPlan, func(t *testing.T, p map[string]any) {
		unsetKey(t, p, cache, "kms_key_id")
	}, "ENC-03", cache, "kms_key_id is not set"},
	{"log group under a data source key", goodPlan, func(t *testing.T, p map[string]any) {
		expressions(t, p, "aws_cloudwatch_log_group.flow_logs")["kms_key_id"] = map[string]any{
			"references": []any{"data.aws_kms_key.shared.arn", "data.aws_kms_key.shared"},
		}
	}, "ENC-04", "aws_cloudwatch_log_group.flow_logs", "names no aws_kms_key"},
	{"secret on the default key", goodPlan, func(t *testing.T, p map[string]any) {
		unsetKey(t, p, "aws_secretsmanager_secret.processor_credentials", "kms_key_id")
	}, "ENC-05", "aws_secretsmanager_secret.processor_credentials", "not set"},
	{"state bucket with SSE-S3", goodPlan, func(t *testing.T, p map[string]any) {
		rule := after(t, p, "aws_s3_bucket_server_side_encryption_configuration.terraform_state_encryption")["rule"].([]any)[0].(map[string]any)
		rule["apply_server_side_encryption_by_default"].([]any)[0].(map[string]any)["sse_algorithm"] = "AES256"
	}, "ENC-06", "aws_s3_bucket.terraform_state", "sse_algorithm = AES256"},
	{"on-call topic unencrypted", goodPlan, func(t *testing.T, p map[string]any) {
		unsetKey(t, p, "aws_sns_topic.on_call", "kms_master_key_id")
	}, "ENC-07", "aws_sns_topic.on_call", "kms_master_key_id is not set"},
	{"notification queue on the AWS-managed key", goodPlan, func(t *testing.T, p map[string]any) {
		setKey(t, p, "aws_sqs_queue.redis_notifications_inbox", "kms_master_key_id", "alias/aws/sqs")
	}, "ENC-07", "aws_sqs_queue.redis_notifications_inbox", "AWS-managed"},
	{"another unencrypted topic", goodPlan, func(t *testing.T, p map[string]any) {
		copyResource(t, p, "aws_sns_topic.redis_notifications", "aws_sns_topic.payment_notifications")
	}, "ENC-07", "aws_sns_topic.payment_notifications", "kms_master_key_id is not set"},
	{"KCL lease table on the AWS-owned key", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, kclLeases)["server_side_encryption"] = []any{}
		delete(expressions(t, p, kclLeases), "server_side_encryption")
	}, "ENC-08", kclLeases, "server_side_encryption.0.enabled is not true"},
	{"KCL lease table on the AWS-managed key", goodPlan, func(t *testing.T, p map[string]any) {
		sse := after(t, p, kclLeases)["server_side_encryption"].([]any)[0].(map[string]any)
		sse["kms_key_arn"] = "alias/aws/dynamodb"
		delete(change(t, p, kclLeases)["after_unknown"].(map[string]any), "server_side_encryption")
		expressions(t, p, kclLeases)["server_side_encryption"] = []any{map[string]any{
			"enabled": map[string]any{"constant_value": true}, "kms_key_arn": map[string]any{"constant_value": "alias/aws/dynamodb"},
		}}
	}, "ENC-08", kclLeases, "AWS-managed"},
	{"TLS not forced", goodPlan, func(t *testing.T, p map[string]any) {
		for _, param := range after(t, p, "aws_db_parameter_group.postgres_tls_audit")["parameter"].([]any) {
			if param.(map[string]any)["name"] == "rds.force_ssl" {
				param.(map[string]any)["value"] = "0"
			}
		}
	}, "TLS-01", db, "rds.force_ssl = 0"},
	{"Redis TLS preferred only", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, cache)["transit_encryption_mode"] = "preferred"
	}, "TLS-02", cache, "transit_encryption_mode = preferred"},
	{"PostgreSQL open to a CIDR", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, "aws_vpc_security_group_ingress_rule.postgres_from_app")["cidr_ipv4"] = "10.30.0.0/16"
	}, "NET-01", "aws_vpc_security_group_ingress_rule.postgres_from_app", "10.30.0.0/16"},
	{"egress from the database group", goodPlan, func(t *testing.T, p map[string]any) {
		expressions(t, p, "aws_vpc_security_group_egress_rule.app_to_postgres")["security_group_id"] = map[string]any{
			"references": []any{"aws_security_group.database_tier.id", "aws_security_group.database_tier"},
		}
	}, "NET-02", "aws_security_group.database_tier", "app_to_postgres"},
	{"rule without description", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, "aws_vpc_security_group_ingress_rule.redis_from_app")["description"] = nil
	}, "NET-03", "aws_vpc_security_group_ingress_rule.redis_from_app", "says nothing"},
	{"endpoint on AWS's default policy", goodPlan, func(t *testing.T, p map[string]any) {
		delete(after(t, p, "aws_vpc_endpoint.kinesis_api"), "policy")
	}, "NET-04", "aws_vpc_endpoint.kinesis_api", "no policy"},
	{"gateway open to every account", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, "aws_vpc_endpoint.s3_api")["policy"] = `{"Version":"2012-10-17","Statement":[{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}]}`
	}, "NET-04", "aws_vpc_endpoint.s3_api", "statement Open allows"},
	{"flow logs of rejected traffic only", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, flowLog)["traffic_type"] = "REJECT"
	}, "AUD-01", "aws_vpc.pipeline", "traffic_type = REJECT"},
	{"pgaudit not loaded", goodPlan, func(t *testing.T, p map[string]any) {
		for _, param := range after(t, p, "aws_db_parameter_group.postgres_tls_audit")["parameter"].([]any) {
			if param.(map[string]any)["name"] == "shared_preload_libraries" {
				param.(map[string]any)["value"] = "pg_stat_statements"
			}
		}
	}, "AUD-02", db, "shared_preload_libraries = pg_stat_statements"},
	{"upgrade log not exported", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, db)["enabled_cloudwatch_logs_exports"] = []any{"postgresql"}
	}, "AUD-03", db, "upgrade log is not exported"},
	{"Redis slow log not delivered", goodPlan, func(t *testing.T, p map[string]any) {
		a := after(t, p, cache)
		var kept []any
		for _, d := range a["log_delivery_configuration"].([]any) {
			if d.(map[string]any)["log_type"] != "slow-log" {
				kept = append(kept, d)
			}
		}
		a["log_delivery_configuration"] = kept
	}, "AUD-04", cache, "no slow-log delivery"},
	{"prod logs kept 90 days", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, "aws_cloudwatch_log_group.redis_engine_log")["retention_in_days"] = 90.0
	}, "AUD-05", "aws_cloudwatch_log_group.redis_engine_log", "at least 180"},
	{"logs never expire", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, "aws_cloudwatch_log_group.flow_logs")["retention_in_days"] = 0.0
	}, "AUD-05", "aws_cloudwatch_log_group.flow_logs", "never expire"},
	{"single-AZ prod database", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, db)["multi_az"] = false
	}, "REC-01", db, "multi_az = false"},
	{"no deletion protection", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, db)["deletion_protection"] = false
	}, "REC-02", db, "deletion_protection = false"},
	{"no final snapshot", goodPlan, func(t *testing.T, p map[string]any) {
		a := after(t, p, db)
		a["skip_final_snapshot"] = true
		a["final_snapshot_identifier"] = nil
	}, "REC-03", db, "skip_final_snapshot = true"},
	{"automated backups deleted with the instance", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, db)["delete_automated_backups"] = true
	}, "REC-04", db, "delete_automated_backups = true"},
	{"backups kept 3 days", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, db)["backup_retention_period"] = 3.0
	}, "REC-04", db, "backup_retention_period = 3"},
	{"no Redis snapshots", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, cache)["snapshot_retention_limit"] = 0.0
	}, "REC-05", cache, "snapshot_retention_limit = 0"},
	{"stream kept a day", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, stream)["retention_period"] = 24.0
	}, "REC-06", stream, "retention_period = 24"},
	{"key deletable in a week", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, "aws_kms_key.logs")["deletion_window_in_days"] = 7.0
	}, "REC-07", "aws_kms_key.logs", "deletion_window_in_days = 7"},
	{"region outside the allow-list without a basis", goodPlan, func(t *testing.T, p map[string]any) {
		providerExpressions(p)["region"] = map[string]any{"constant_value": "us-east-1"}
	}, "RES-01", "provider.aws", "no DataTransferBasis"},
	{"region from the environment", goodPlan, func(t *testing.T, p map[string]any) {
		delete(providerExpressions(p), "region")
	}, "RES-01", "provider.aws", "not a literal"},
	{"provider without the account guard", goodPlan, func(t *testing.T, p map[string]any) {
		delete(providerExpressions(p), "allowed_account_ids")
	}, "ACC-01", "provider.aws", "allowed_account_ids = null"},
	{"provider allowing two accounts", goodPlan, func(t *testing.T, p map[string]any) {
		providerExpressions(p)["allowed_account_ids"] = map[string]any{"constant_value": []any{"210987654321", "123456789012"}}
	}, "ACC-01", "provider.aws", "pin exactly one"},
	{"stack provider without the account guard", goodStack, func(t *testing.T, s map[string]any) {
		delete(s["provider"].(map[string]any)["aws"].([]any)[0].(map[string]any), "allowed_account_ids")
	}, "ACC-02", "provider.aws[0]", "allowed_account_ids = null"},
	{"second stack provider without the account guard", goodStack, func(t *testing.T, s map[string]any) {
		providers := s["provider"].(map[string]any)
		providers["aws"] = append(providers["aws"].([]any), map[string]any{"alias": "us_east_1", "region": "sa-east-1"})
	}, "ACC-02", "provider.aws[1]", "pin exactly one"},
	{"resource without Owner", goodPlan, func(t *testing.T, p map[string]any) {
		delete(after(t, p, stream)["tags_all"].(map[string]any), "Owner")
	}, "TAG-01", stream, "[\"Owner\"]"},
	{"literal master password", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, db)["password"] = "ChangeMe123!"
		expressions(t, p, db)["password"] = map[string]any{"constant_value": "ChangeMe123!"}
	}, "SEC-01", db + ".password", "holds a value"},
	{"literal provider keys", goodPlan, func(t *testing.T, p map[string]any) {
		providerExpressions(p)["secret_key"] = map[string]any{"constant_value": "offline-test"}
	}, "SEC-01", "configuration.provider_config.aws.expressions.secret_key", "literal in the configuration"},
	{"access key id in a description", goodPlan, func(t *testing.T, p map[string]any) {
		after(t, p, stream)["tags_all"].(map[string]any)["Note"] = "use AKIAABCDEFGHIJKLMNOP"
	}, "SEC-01", stream + ".tags_all.Note", "AWS access key"},
	{"stateful resource replaced", "testdata/plans/data-loss-replace.json", nil, "DL-01", db, "forced by kms_key_id"},
	{"stream replaced by a rename", "testdata/plans/data-loss-replace.json", nil, "DL-01", stream, "forced by name"},
	{"stateful resource deleted", "testdata/plans/data-loss-delete.json", nil, "DL-01", stream, "delete_because_no_resource_config"},
	{"state unlocked", goodStack, func(t *testing.T, s map[string]any) {
		delete(s3Backend(s), "use_lockfile")
	}, "STA-01", "terraform.backend.s3", "use_lockfile = false"},
	{"state under the AWS-managed S3 key", goodStack, func(t *testing.T, s map[string]any) {
		s3Backend(s)["kms_key_id"] = "alias/aws/s3"
	}, "STA-01", "terraform.backend.s3", "alias/aws/s3"},
	{"local state", goodStack, func(t *testing.T, s map[string]any) {
		s["terraform"].(map[string]any)["backend"] = map[string]any{"local": map[string]any{"path": "terraform.tfstate"}}
	}, "STA-01", "terraform.backend", "keeps state unencrypted"},
	{"state bucket abroad", goodStack, func(t *testing.T, s map[string]any) {
		s3Backend(s)["region"] = "us-east-1"
	}, "STA-02", "terraform.backend.s3", "us-east-1"},
	{"prod database destroyable", goodStack, func(t *testing.T, s map[string]any) {
		delete(stackResource(t, s, "aws_db_instance", "postgres"), "lifecycle")
	}, "REC-08", db, "prevent_destroy = false"},
}

// TestGoodFixturesPass: the good plan and stack pass every control, and
// every control of their kind found something to pass (none is vacuous).
func TestGoodFixturesPass(t *testing.T) {
	for _, path := range []string{goodPlan, goodStack} {
		r := evaluate(t, path, fixture(t, path), Options{})
		for _, f := range r.Failures() {
			t.Errorf("%s: %s %s: %s", path, f.Control, f.Resource, f.Message)
		}
		if len(r.Deny) != 0 {
			t.Errorf("%s: deny is not empty: %v", path, r.Deny)
		}
		for _, c := range r.Controls {
			passed := slices.ContainsFunc(r.Results, func(res Result) bool {
				return res.Control == c.ID && res.Status == StatusPass
			})
			if !passed {
				t.Errorf("%s: %s (%s) passed nothing: the fixture does not exercise it", path, c.ID, c.Title)
			}
		}
		if r.Environment != "prod" {
			t.Errorf("%s: environment %q; want prod", path, r.Environment)
		}
	}
}

// TestEachControlFails breaks the good fixtures one control at a time.
func TestEachControlFails(t *testing.T) {
	for _, c := range failCases {
		t.Run(c.name, func(t *testing.T) {
			doc := fixture(t, c.fixture)
			if c.mutate != nil {
				c.mutate(t, doc)
			}
			r := evaluate(t, c.name, doc, Options{})
			found := false
			for _, f := range r.Failures() {
				if f.Control == c.control && f.Resource == c.resource && strings.Contains(f.Message, c.message) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: want %s to fail on %s with %q; failures: %v", c.name, c.control, c.resource, c.message, r.Failures())
			}
			// The data-loss fixtures are minimal plans that other controls
			// reject as well; the good fixtures must fail only the control
			// under test.
			if c.fixture == goodPlan || c.fixture == goodStack {
				for _, f := range r.Failures() {
					if f.Control != c.control {
						t.Errorf("%s: %s also fails (%s: %s)", c.name, f.Control, f.Resource, f.Message)
					}
				}
			}
			denied := slices.ContainsFunc(r.Deny, func(d string) bool { return strings.HasPrefix(d, c.control+" "+c.resource+":") })
			if !denied {
				t.Errorf("%s: deny (what HCP Terraform enforces) lacks %s %s: %v", c.name, c.control, c.resource, r.Deny)
			}
		})
	}
}

// TestEveryControlHasAFailingCase keeps the table honest as controls are added.
func TestEveryControlHasAFailingCase(t *testing.T) {
	var ids []string
	for _, path := range []string{goodPlan, goodStack} {
		for _, c := range evaluate(t, path, fixture(t, path), Options{}).Controls {
			ids = append(ids, c.ID)
		}
	}
	for _, id := range ids {
		if !slices.ContainsFunc(failCases, func(c failCase) bool { return c.control == id }) {
			t.Errorf("control %s has no failing case in failCases", id)
		}
	}
}

// TestPassingVariants are changes the controls must accept.
func TestPassingVariants(t *testing.T) {
	cases := []struct {
		name    string
		fixture string
		mutate  func(t *testing.T, doc map[string]any)
		control string
		message string // a fragment of a passing (or skipping) result
	}{
		{"region abroad with a recorded basis", goodPlan, func(t *testing.T, p map[string]any) {
			providerExpressions(p)["region"] = map[string]any{"constant_value": "us-east-1"}
			defaultTags(p)["DataTransferBasis"] = "LGPD art. 33 II: standard contractual clauses"
		}, "RES-01", "transfer basis (LGPD art. 33): LGPD art. 33 II: standard contractual clauses"},
		{"a service role with the workload boundary", goodPlan, nil, "IAM-01", "permissions_boundary = arn:aws:iam::333333333333:policy/fastshop-workload-boundary"},
		{"ElastiCache's notification topic, the recorded exception", goodPlan, nil,
			"ENC-07", "recorded exception, unencrypted: ElastiCache cannot publish to a KMS-encrypted topic"},
		{"key by alias ARN", goodPlan, func(t *testing.T, p map[string]any) {
			setKey(t, p, stream, "kms_key_id", "arn:aws:kms:sa-east-1:333333333333:alias/fastshop-stream-prod")
		}, "ENC-01", "alias/fastshop-stream-prod"},
		{"key known from state (no-op plan)", goodPlan, func(t *testing.T, p map[string]any) {
			arn := "arn:aws:kms:sa-east-1:333333333333:key/1111aaaa-2222-3333-4444-555566667777"
			after(t, p, "aws_kms_key.database")["arn"] = arn
			after(t, p, db)["kms_key_id"] = arn
			delete(change(t, p, db)["after_unknown"].(map[string]any), "kms_key_id")
		}, "ENC-02", "kms_key_id -> aws_kms_key.database"},
		{"final snapshot named at apply (create time)", goodPlan, func(t *testing.T, p map[string]any) {
			delete(after(t, p, db), "final_snapshot_identifier")
			change(t, p, db)["after_unknown"].(map[string]any)["final_snapshot_identifier"] = true
		}, "REC-03", "final_snapshot_identifier = (known after apply)"},
		{"dev skips production controls", goodPlan, func(t *testing.T, p map[string]any) {
			setEnvironment(t, p, "dev")
			after(t, p, db)["multi_az"] = false
			after(t, p, "aws_cloudwatch_log_group.flow_logs")["retention_in_days"] = 30.0
		}, "REC-01", "dev is not a production environment"},
		{"HCP Terraform backend", goodStack, func(t *testing.T, s map[string]any) {
			s["terraform"].(map[string]any)["backend"] = nil
			s["terraform"].(map[string]any)["cloud"] = map[string]any{"organization": "fastshop"}
		}, "STA-01", "HCP Terraform"},
		{"bootstrap stack keeps local state", goodStack, func(t *testing.T, s map[string]any) {
			s["terraform"].(map[string]any)["backend"] = map[string]any{"local": map[string]any{"path": "terraform.tfstate"}}
			s["//"].(map[string]any)["metadata"].(map[string]any)["stackName"] = "state-bootstrap"
		}, "STA-01", "keeps local state by design"},
		{"placeholder account is a warning", goodPlan, func(t *testing.T, p map[string]any) {
			providerExpressions(p)["allowed_account_ids"] = map[string]any{"constant_value": []any{"333333333333"}}
		}, "ACC-01", "is a placeholder account"},
		{"offline plan: the guard cannot act", goodPlan, func(t *testing.T, p map[string]any) {
			providerExpressions(p)["allowed_account_ids"] = map[string]any{"constant_value": nil}
			providerExpressions(p)["skip_requesting_account_id"] = map[string]any{"constant_value": true}
		}, "ACC-01", "offline plan"},
		{"in-place update of stateful resources", "testdata/plans/data-loss-update.json", nil, "DL-01", "update: no data destroyed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := fixture(t, c.fixture)
			if c.mutate != nil {
				c.mutate(t, doc)
			}
			r := evaluate(t, c.name, doc, Options{})
			for _, res := range r.Results {
				if res.Control == c.control && res.Status == StatusFail {
					t.Errorf("%s: %s fails: %s: %s", c.name, c.control, res.Resource, res.Message)
				}
			}
			if !slices.ContainsFunc(r.Results, func(res Result) bool {
				return res.Control == c.control && res.Status != StatusFail && strings.Contains(res.Message, c.message)
			}) {
				t.Errorf("%s: no %s result says %q: %v", c.name, c.control, c.message, r.Results)
			}
			if c.fixture != goodPlan && c.fixture != goodStack {
				return
			}
			for _, f := range r.Failures() {
				t.Errorf("%s: %s fails: %s: %s", c.name, f.Control, f.Resource, f.Message)
			}
		})
	}
}

// TestAllowDestroy: --allow-destroy turns the data-loss failures into
// warnings that still name the resource, the action and the cause.
func TestAllowDestroy(t *testing.T) {
	doc := fixture(t, "testdata/plans/data-loss-replace.json")
	r := evaluate(t, "replace", doc, Options{AllowDestroy: true})
	var warned []string
	for _, res := range r.Results {
		if res.Control != "DL-01" {
			continue
		}
		if res.Status == StatusFail {
			t.Errorf("allowed destroy still fails: %s: %s", res.Resource, res.Message)
		}
		if res.Status == StatusWarn {
			warned = append(warned, res.Resource+": "+res.Message)
		}
	}
	sort.Strings(warned)
	want := []string{db + ": replace", stream + ": replace"}
	if len(warned) != len(want) {
		t.Fatalf("warnings %v; want the database and the stream", warned)
	}
	for i, w := range want {
		if !strings.HasPrefix(warned[i], w) || !strings.Contains(warned[i], "forced by") {
			t.Errorf("warning %q; want it to start %q and name what forced it", warned[i], w)
		}
	}
}

// policySetQueries reads the queries of policies.hcl.
func policySetQueries(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("policies.hcl")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)policy "([a-z_]+)" \{(.*?)\n\}`)
	query := regexp.MustCompile(`query\s*=\s*"([^"]+)"`)
	level := regexp.MustCompile(`enforcement_level\s*=\s*"([^"]+)"`)
	out := map[string]string{}
	for _, m := range block.FindAllStringSubmatch(string(data), -1) {
		q, l := query.FindStringSubmatch(m[2]), level.FindStringSubmatch(m[2])
		if q == nil || l == nil || l[1] != "mandatory" {
			t.Errorf("policies.hcl: policy %q needs a query and enforcement_level = \"mandatory\"", m[1])
			continue
		}
		out[m[1]] = q[1]
	}
	return out
}

// TestPolicySetRunsAsHCPTerraformDoes loads this folder as an OPA bundle
// (what HCP Terraform does with a policy set: .rego files and data.json
// only) and runs each policies.hcl query on {"plan": ...} alone, without
// the options policycheck adds: the same Rego must work unchanged there.
func TestPolicySetRunsAsHCPTerraformDoes(t *testing.T) {
	queries := policySetQueries(t)
	var planPolicies []string
	for _, c := range evaluate(t, goodPlan, fixture(t, goodPlan), Options{}).Controls {
		if !slices.Contains(planPolicies, c.Policy) {
			planPolicies = append(planPolicies, c.Policy)
		}
	}
	for _, p := range planPolicies {
		if queries[p] != "data.terraform.policies."+p+".deny" {
			t.Errorf("policies.hcl: policy %q should query data.terraform.policies.%s.deny; has %q", p, p, queries[p])
		}
	}
	if len(queries) != len(planPolicies) {
		t.Errorf("policies.hcl lists %d policies; the pack has %d plan policies %v", len(queries), len(planPolicies), planPolicies)
	}

	ctx := context.Background()
	run := func(plan map[string]any) map[string][]any {
		out := map[string][]any{}
		for name, q := range queries {
			rs, err := rego.New(rego.Query(q), rego.LoadBundle("."), rego.Input(map[string]any{"plan": plan})).Eval(ctx)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if len(rs) != 1 {
				t.Fatalf("%s: undefined; HCP Terraform needs an array", q)
			}
			deny, ok := rs[0].Expressions[0].Value.([]any)
			if !ok {
				t.Fatalf("%s: %T; HCP Terraform needs an array", q, rs[0].Expressions[0].Value)
			}
			out[name] = deny
		}
		return out
	}
	for name, deny := range run(fixture(t, goodPlan)) {
		if len(deny) != 0 {
			t.Errorf("bundle mode, good plan: policy %s denies %v", name, deny)
		}
	}
	// No allow flag exists in HCP Terraform: a replacement is denied there
	// until someone with override permission overrides the policy.
	deny := run(fixture(t, "testdata/plans/data-loss-replace.json"))["data_loss"]
	if len(deny) != 2 || !strings.Contains(fmt.Sprint(deny), "forced by kms_key_id") {
		t.Errorf("bundle mode, replace plan: data_loss denies %v; want the database and the stream", deny)
	}
}

// TestKindDetection keeps policycheck from evaluating the wrong document.
func TestKindDetection(t *testing.T) {
	for path, want := range map[string]string{goodPlan: KindPlan, goodStack: KindStack} {
		if got, err := Kind(fixture(t, path)); err != nil || got != want {
			t.Errorf("%s: kind %q, %v; want %q", path, got, err, want)
		}
	}
	if _, err := Kind(map[string]any{"Results": []any{}}); err == nil {
		t.Error("a Trivy report was taken for a plan or a stack")
	}
	if _, err := loadPack(t).Evaluate(context.Background(), "x", map[string]any{"x": 1}, Options{}); err == nil {
		t.Error("Evaluate accepted a document that is neither plan nor stack")
	}
	_ = filepath.Join // keep imports stable across edits
}
