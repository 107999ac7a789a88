package stacks

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

// wantKCLTable is one table KCL expects, written out from KCL's source
// (DynamoDBLeaseSerializer, LegacyTableCoordinatorStateDAODelegate,
// WorkerMetricStats) and its defaults for the names.
type wantKCLTable struct {
	id, nameSuffix, hashKey string
}

// wantKCLTables are the tables of env's KCLVersion: KCL 3.5 and later keep
// coordinator state and worker metrics in the lease table (KCL CHANGELOG,
// "Release 3.5.0"), and an existing CoordinatorState table would start
// their table migration; 3.0 to 3.4 have a table for each.
func wantKCLTables(env config.Environment) []wantKCLTable {
	leases := wantKCLTable{"kcl_leases", "", "leaseKey"}
	if strings.HasPrefix(env.KCLVersion, "3.") && !slices.Contains([]string{"0", "1", "2", "3", "4"}, strings.Split(env.KCLVersion, ".")[1]) {
		return []wantKCLTable{leases}
	}
	return []wantKCLTable{leases, {"kcl_coordinator_state", "-CoordinatorState", "key"}, {"kcl_worker_metrics", "-WorkerMetricStats", "wid"}}
}

// kclSynths are every test environment and prod on KCL 3.4, whose separate
// tables no shipped environment has.
func kclSynths(t *testing.T) []synthesized {
	t.Helper()
	kcl34 := envOf(t, config.Prod)
	kcl34.KCLVersion = "3.4.3"
	return append(slices.Clone(synthAll(t)), synthOne(t, kcl34))
}

func TestKCLTables(t *testing.T) {
	for _, s := range kclSynths(t) {
		env := s.Env
		t.Run(env.Name+"/KCL "+env.KCLVersion, func(t *testing.T) {
			app := "fastshop-fraud-detection-" + env.Name
			var ids []string
			for _, w := range wantKCLTables(env) {
				ids = append(ids, w.id)
				where := env.Name + ": aws_dynamodb_table." + w.id
				tbl := s.resource(t, "aws_dynamodb_table", w.id)
				if tbl["name"] != app+w.nameSuffix || tbl["hash_key"] != w.hashKey || tbl["range_key"] != nil {
					t.Errorf("%s: name %v, hash key %v, range key %v; want %s keyed by %s only", where, tbl["name"], tbl["hash_key"], tbl["range_key"], app+w.nameSuffix, w.hashKey)
				}
				if tbl["billing_mode"] != "PAY_PER_REQUEST" {
					t.Errorf("%s: billing_mode %v; want PAY_PER_REQUEST", where, tbl["billing_mode"])
				}
				table := s.res(t, "aws_dynamodb_table", w.id)
				if table.Key("point_in_time_recovery").Opt("enabled").Raw() != true {
					t.Errorf("%s: point_in_time_recovery %v; want enabled", where, tbl["point_in_time_recovery"])
				}
				if sse := table.Key("server_side_encryption"); sse.Opt("enabled").Raw() != true || sse.Opt("kms_key_arn").Str() != "${aws_kms_key.kcl.arn}" {
					t.Errorf("%s: server_side_encryption %v; want enabled with aws_kms_key.kcl", where, tbl["server_side_encryption"])
				}
				if tbl["deletion_protection_enabled"] != env.DBDeletionProtection {
					t.Errorf("%s: deletion_protection_enabled %v; want %v (DBDeletionProtection)", where, tbl["deletion_protection_enabled"], env.DBDeletionProtection)
				}
				if lc := table.Opt("lifecycle"); (lc.Opt("prevent_destroy").Raw() == true) != env.PreventDestroy {
					t.Errorf("%s: lifecycle %v; want prevent_destroy %v (PreventDestroy)", where, lc.Raw(), env.PreventDestroy)
				}
				for _, absent := range []string{"stream_enabled", "ttl", "replica", "read_capacity", "write_capacity"} {
					if tbl[absent] != nil {
						t.Errorf("%s: %s = %v; KCL needs none", where, absent, tbl[absent])
					}
				}

				attributes := []any{map[string]any{"name": w.hashKey, "type": "S"}}
				var indexes any
				if w.id == "kcl_leases" {
					attributes = append(attributes, map[string]any{"name": "leaseOwner", "type": "S"})
					indexes = []any{map[string]any{"name": "LeaseOwnerToLeaseKeyIndex", "hash_key": "leaseOwner", "range_key": "leaseKey", "projection_type": "KEYS_ONLY"}}
				}
				if !reflect.DeepEqual(tbl["attribute"], attributes) {
					t.Errorf("%s: attributes %v; want %v", where, tbl["attribute"], attributes)
				}
				if !reflect.DeepEqual(tbl["global_secondary_index"], indexes) {
					t.Errorf("%s: global secondary indexes %v; want %v", where, tbl["global_secondary_index"], indexes)
				}
			}
			slices.Sort(ids)
			if got := s.names("aws_dynamodb_table"); !slices.Equal(got, ids) {
				t.Errorf("%s: DynamoDB tables %v; want %v for KCL %s", env.Name, got, ids, env.KCLVersion)
			}
		})
	}
}

// TestKCLSeparateTablesGoneFromShippedEnvironments: every shipped
// environment declares KCL 3.5 or later, so none may create a
// CoordinatorState table, whose mere existence sends a new 3.5 application
// into the table migration (whose second phase needs
// dynamodb:ConditionCheckItem, which the role does not grant).
func TestKCLSeparateTablesGoneFromShippedEnvironments(t *testing.T) {
	for _, s := range synthAll(t) {
		if !s.Env.KCLSingleTable() {
			t.Errorf("%s: KCLVersion %s; the shipped environments run KCL 3.5 or later", s.Env.Name, s.Env.KCLVersion)
		}
		for name, tbl := range s.resources("aws_dynamodb_table") {
			if n, _ := tbl["name"].(string); strings.HasSuffix(n, "-CoordinatorState") || strings.HasSuffix(n, "-WorkerMetricStats") {
				t.Errorf("%s: aws_dynamodb_table.%s is %s; KCL %s keeps it in the lease table", s.Env.Name, name, n, s.Env.KCLVersion)
			}
		}
	}
}

func TestKCLKey(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			key := s.resource(t, "aws_kms_key", "kcl")
			if key["enable_key_rotation"] != true || key["deletion_window_in_days"] != float64(env.KMSDeletionWindowDays) {
				t.Errorf("%s: aws_kms_key.kcl rotation %v, window %v", env.Name, key["enable_key_rotation"], key["deletion_window_in_days"])
			}
			if alias := s.resource(t, "aws_kms_alias", "kcl_key"); alias["name"] != "alias/fastshop-kcl-"+env.Name {
				t.Errorf("%s: aws_kms_alias.kcl_key = %v", env.Name, alias["name"])
			}
			statements := statementsOf(t, env.Name+": aws_kms_key.kcl", s.res(t, "aws_kms_key", "kcl").Key("policy").Str())
			var sids []string
			for sid := range statements {
				sids = append(sids, sid)
			}
			slices.Sort(sids)
			if want := []string{"AccountAdministration", "DynamoDBReadsKeyMetadata", "UseThroughServices"}; !slices.Equal(sids, want) {
				t.Errorf("%s: aws_kms_key.kcl statements %v; want %v", env.Name, sids, want)
			}
			use := statements["UseThroughServices"]
			if via := use.Condition["StringEquals"]["kms:ViaService"]; !reflect.DeepEqual(via, []any{"dynamodb.sa-east-1.amazonaws.com"}) {
				t.Errorf("%s: aws_kms_key.kcl usable via %v; want DynamoDB in sa-east-1 only", env.Name, via)
			}
			if !slices.Contains(use.Action, "kms:CreateGrant") {
				t.Errorf("%s: aws_kms_key.kcl lacks kms:CreateGrant through DynamoDB; DynamoDB needs grants for the table key", env.Name)
			}
			meta := statements["DynamoDBReadsKeyMetadata"]
			if meta.Principal["Service"] != "dynamodb.amazonaws.com" || !slices.Equal(meta.Action, []string{"kms:Describe*", "kms:Get*", "kms:List*"}) || meta.Condition != nil {
				t.Errorf("%s: aws_kms_key.kcl DynamoDBReadsKeyMetadata = %+v; want DynamoDB reading key metadata only", env.Name, meta)
			}
			for _, a := range meta.Action {
				if !strings.HasPrefix(a, "kms:Describe") && !strings.HasPrefix(a, "kms:Get") && !strings.HasPrefix(a, "kms:List") {
					t.Errorf("%s: DynamoDB may %s on aws_kms_key.kcl as itself; want read-only", env.Name, a)
				}
			}
		})
	}
}

func TestKCLOutputs(t *testing.T) {
	for _, s := range kclSynths(t) {
		t.Run(s.Env.Name+"/KCL "+s.Env.KCLVersion, func(t *testing.T) {
			env := s.Env
			outputs := s.doc(t).Key("output")
			app := "fastshop-fraud-detection-" + env.Name
			want := map[string]string{
				"kcl_application_name":                 app,
				"kcl_metric_namespace":                 app,
				"kms_key_kcl_arn":                      "${aws_kms_key.kcl.arn}",
				"vpc_endpoint_dynamodb_prefix_list_id": "${aws_vpc_endpoint.dynamodb_api.prefix_list_id}",
			}
			for _, w := range wantKCLTables(env) {
				want["dynamodb_table_"+w.id+"_name"] = "${aws_dynamodb_table." + w.id + ".name}"
			}
			for name, value := range want {
				o := outputs.Key(name)
				if o.Key("value").Str() != value || o.Opt("description").Str() == "" {
					t.Errorf("%s = %v; want %s, described", o.path, o.Raw(), value)
				}
			}
			for _, name := range outputs.Keys() {
				if strings.HasPrefix(name, "dynamodb_table_") && want[name] == "" {
					t.Errorf("%s: output %s names a table KCL %s does not use", env.Name, name, env.KCLVersion)
				}
			}
		})
	}
}

// TestKCLPolicy pins the processor's KCL statements for both table layouts:
// the tables that exist, and for KCL 3.5 and later DescribeTable on the two
// names KCL looks up and must find missing (an AccessDeniedException there
// stops the processor at start). No transaction condition checks: those
// belong to the table migration, which needs a CoordinatorState table.
func TestKCLPolicy(t *testing.T) {
	for _, s := range kclSynths(t) {
		env := s.Env
		t.Run(env.Name+"/KCL "+env.KCLVersion, func(t *testing.T) {
			statements := statementsOf(t, env.Name, s.res(t, "aws_iam_policy", "processor_access").Key("policy").Str())
			var tables []string
			for _, w := range wantKCLTables(env) {
				tables = append(tables, "${aws_dynamodb_table."+w.id+".arn}")
			}
			if got := asStrings(statements["KCLTables"].Resource); !slices.Equal(got, tables) {
				t.Errorf("%s: KCLTables on %v; want %v", env.Name, got, tables)
			}
			absent, has := statements["KCLFindsNoSeparateTables"]
			if want := len(tables) == 1; has != want {
				t.Fatalf("%s: KCLFindsNoSeparateTables present = %v; want %v for KCL %s", env.Name, has, want, env.KCLVersion)
			}
			if has {
				prefix := "arn:aws:dynamodb:sa-east-1:" + env.AccountID + ":table/fastshop-fraud-detection-" + env.Name
				if want := []string{prefix + "-CoordinatorState", prefix + "-WorkerMetricStats"}; !slices.Equal(absent.Action, []string{"dynamodb:DescribeTable"}) ||
					!slices.Equal(asStrings(absent.Resource), want) {
					t.Errorf("%s: KCLFindsNoSeparateTables = %v on %v; want dynamodb:DescribeTable on %v", env.Name, absent.Action, absent.Resource, want)
				}
			}
			for sid, st := range statements {
				for _, a := range st.Action {
					if a == "dynamodb:ConditionCheckItem" || a == "dynamodb:UpdateContinuousBackups" || a == "dynamodb:CreateTable" || a == "dynamodb:UpdateTable" {
						t.Errorf("%s: statement %s grants %s; KCL on these tables needs none", env.Name, sid, a)
					}
				}
			}
		})
	}
}

// wildcardResources returns the Sids of a policy's statements that allow on
// Resource "*" (alone or in a list) other than the exceptions AWS leaves no
// choice about: cloudwatch:PutMetricData alone, which has no resource-level
// permissions, scoped by a cloudwatch:namespace condition; Lambda's two EC2
// reads; and ecr:GetAuthorizationToken alone.
func wildcardResources(policy string) ([]string, error) {
	var doc struct {
		Statement []struct {
			Sid       string
			Effect    string
			Action    any
			Resource  any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return nil, err
	}
	var out []string
	for _, st := range doc.Statement {
		if st.Effect != "Allow" || !slices.Contains(asStrings(st.Resource), "*") {
			continue
		}
		namespace, _ := st.Condition["StringEquals"]["cloudwatch:namespace"].(string)
		metricsOnly := slices.Equal(asStrings(st.Action), []string{"cloudwatch:PutMetricData"}) && len(st.Condition) == 1 &&
			len(st.Condition["StringEquals"]) == 1 && namespace != "" && !strings.ContainsAny(namespace, "*?")
		// The two EC2 reads Lambda checks before attaching a function to
		// the VPC support no resource-level permissions (Service
		// Authorization Reference, Amazon EC2; Lambda Developer Guide:
		// DescribeNetworkInterfaces works only on "*"). They reveal
		// network metadata, never data.
		lambdaDescribe := slices.Equal(asStrings(st.Action), lambdaDescribeActions) && len(st.Condition) == 0
		// The ECR registry token has no resource type either (Service
		// Authorization Reference, Amazon ECR); alone it pulls nothing.
		registryToken := slices.Equal(asStrings(st.Action), []string{"ecr:GetAuthorizationToken"}) && len(st.Condition) == 0
		if !metricsOnly && !lambdaDescribe && !registryToken {
			out = append(out, st.Sid)
		}
	}
	return out, nil
}

// TestNoWildcardResources walks every identity policy: Resource "*" only
// for PutMetricData in one namespace and for the two EC2 reads Lambda needs
// to attach a function to the VPC, and the processor has the metrics
// statement exactly.
func TestNoWildcardResources(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			for _, typ := range []string{"aws_iam_policy", "aws_iam_role_policy"} {
				for _, name := range s.names(typ) {
					bad, err := wildcardResources(s.res(t, typ, name).Key("policy").Str())
					if err != nil {
						t.Errorf("%s: %s.%s: %v", s.Env.Name, typ, name, err)
					}
					if len(bad) > 0 {
						t.Errorf("%s: %s.%s allows %v on Resource \"*\"; name the resources", s.Env.Name, typ, name, bad)
					}
				}
			}
			st := statementsOf(t, s.Env.Name, s.res(t, "aws_iam_policy", "processor_access").Key("policy").Str())["PublishKCLMetrics"]
			if ns := st.Condition["StringEquals"]["cloudwatch:namespace"]; ns != s.Env.KCLApplicationName() {
				t.Errorf("%s: the processor publishes metrics to namespace %v; want %s", s.Env.Name, ns, s.Env.KCLApplicationName())
			}
		})
	}
}

// TestWildcardResourcesCatches proves the guard above can fail.
func TestWildcardResourcesCatches(t *testing.T) {
	metrics := `{"Sid":"M","Effect":"Allow","Action":["cloudwatch:PutMetricData"],"Resource":"*","Condition":{"StringEquals":{"cloudwatch:namespace":"fastshop-fraud-detection-dev"}}}`
	cases := []struct {
		name, statements string
		want             []string
	}{
		{"metrics in one namespace", metrics, nil},
		{"named resources", `{"Sid":"T","Effect":"Allow","Action":["dynamodb:GetItem"],"Resource":["arn:aws:dynamodb:sa-east-1:111111111111:table/t"]}`, nil},
		{"deny on everything", `{"Sid":"D","Effect":"Deny","Action":["dynamodb:DeleteTable"],"Resource":"*"}`, nil},
		{"table action on everything", `{"Sid":"T","Effect":"Allow","Action":["dynamodb:GetItem"],"Resource":"*"}`, []string{"T"}},
		{"everything in a list", `{"Sid":"L","Effect":"Allow","Action":["kms:Decrypt"],"Resource":["arn:aws:kms:sa-east-1:111111111111:key/k","*"]}`, []string{"L"}},
		{"metrics without a namespace", `{"Sid":"N","Effect":"Allow","Action":["cloudwatch:PutMetricData"],"Resource":"*"}`, []string{"N"}},
		{"metrics in any namespace", `{"Sid":"W","Effect":"Allow","Action":["cloudwatch:PutMetricData"],"Resource":"*","Condition":{"StringEquals":{"cloudwatch:namespace":"*"}}}`, []string{"W"}},
		{"Lambda's network reads", `{"Sid":"E","Effect":"Allow","Action":["ec2:DescribeNetworkInterfaces","ec2:DescribeSubnets"],"Resource":"*"}`, nil},
		{"network reads and a write", `{"Sid":"F","Effect":"Allow","Action":["ec2:DescribeNetworkInterfaces","ec2:DescribeSubnets","ec2:CreateNetworkInterface"],"Resource":"*"}`, []string{"F"}},
		{"one network write", `{"Sid":"G","Effect":"Allow","Action":["ec2:DeleteNetworkInterface"],"Resource":"*"}`, []string{"G"}},
		{"the registry token", `{"Sid":"R","Effect":"Allow","Action":["ecr:GetAuthorizationToken"],"Resource":"*"}`, nil},
		{"the registry token and a pull", `{"Sid":"P","Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage"],"Resource":"*"}`, []string{"P"}},
		{"metrics and more", `{"Sid":"X","Effect":"Allow","Action":["cloudwatch:PutMetricData","cloudwatch:DeleteAlarms"],"Resource":"*","Condition":{"StringEquals":{"cloudwatch:namespace":"n"}}}`, []string{"X"}},
		{"namespace and an unexpected condition", `{"Sid":"C","Effect":"Allow","Action":["cloudwatch:PutMetricData"],"Resource":"*","Condition":{"StringEquals":{"cloudwatch:namespace":"n"},"StringLike":{"aws:PrincipalTag/team":"*"}}}`, []string{"C"}},
	}
	for _, c := range cases {
		got, err := wildcardResources(`{"Statement":[` + c.statements + `]}`)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: wildcardResources = %v; want %v", c.name, got, c.want)
		}
	}
	if _, err := wildcardResources("not json"); err == nil {
		t.Error("wildcardResources accepted a document that does not parse")
	}
}

// TestKCLPollingDocumented: KCL 2.x and later default to enhanced fan-out,
// which the processor role does not allow; the README's KCL section and the
// application-name output must tell processors to configure polling.
func TestKCLPollingDocumented(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(readme), "## Kinesis Client Library")
	if start < 0 {
		t.Fatal("README.md has no Kinesis Client Library section")
	}
	section := string(readme)[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	for _, want := range []string{"PollingConfig", "retrievalSpecificConfig", "enhanced fan-out", "kinesis:RegisterStreamConsumer", "SubscribeToShard"} {
		if !strings.Contains(section, want) {
			t.Errorf("README.md's KCL section does not mention %s; processors must be told to poll", want)
		}
	}
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			if d := s.doc(t).Key("output").Key("kcl_application_name").Key("description").Str(); !strings.Contains(d, "PollingConfig") {
				t.Errorf("%s: output kcl_application_name description %q does not say to configure PollingConfig", s.Env.Name, d)
			}
		})
	}
	// The processor role still grants no fan-out action: the README's
	// instruction is what keeps processors working.
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			for sid, st := range statementsOf(t, s.Env.Name, s.res(t, "aws_iam_policy", "processor_access").Key("policy").Str()) {
				for _, a := range asStrings(st.Action) {
					if a == "kinesis:SubscribeToShard" || a == "kinesis:RegisterStreamConsumer" {
						t.Errorf("%s: processor statement %s grants %s; update the README's polling instruction", s.Env.Name, sid, a)
					}
				}
			}
		})
	}
}
