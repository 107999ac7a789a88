package stacks

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

// wantStatement is one expected policy statement, written out in full so
// that the test does not reuse the code under test.
type wantStatement struct {
	sid       string
	actions   []string
	resources []string
	condition map[string]map[string]any
}

// statementsOf decodes a policy document and returns its statements by Sid,
// with Action and Resource always as string slices.
func statementsOf(t *testing.T, where, policy string) map[string]policyStatement {
	t.Helper()
	var doc policyDocument
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Fatalf("%s: policy does not parse: %v\n%s", where, err, policy)
	}
	if doc.Version != "2012-10-17" {
		t.Errorf("%s: policy Version = %q; want 2012-10-17", where, doc.Version)
	}
	out := map[string]policyStatement{}
	for _, st := range doc.Statement {
		if _, dup := out[st.Sid]; dup {
			t.Errorf("%s: Sid %q appears twice", where, st.Sid)
		}
		out[st.Sid] = st
	}
	return out
}

// asStrings turns a decoded Resource (string or list) into a slice.
func asStrings(v any) []string {
	switch r := v.(type) {
	case string:
		return []string{r}
	case []any:
		var out []string
		for _, x := range r {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// checkStatements compares a policy with the expected statements: the same
// Sids, and for each exactly the listed actions, resources and condition.
func checkStatements(t *testing.T, where, policy string, want []wantStatement) {
	t.Helper()
	got := statementsOf(t, where, policy)
	var wantSids []string
	for _, w := range want {
		wantSids = append(wantSids, w.sid)
		st, ok := got[w.sid]
		if !ok {
			t.Errorf("%s: no statement %s", where, w.sid)
			continue
		}
		if st.Effect != "Allow" || st.Principal != nil {
			t.Errorf("%s: statement %s Effect=%s Principal=%v; want an Allow without principal", where, w.sid, st.Effect, st.Principal)
		}
		if !slices.Equal(st.Action, w.actions) {
			t.Errorf("%s: statement %s actions = %v; want exactly %v", where, w.sid, st.Action, w.actions)
		}
		if r := asStrings(st.Resource); !slices.Equal(r, w.resources) {
			t.Errorf("%s: statement %s resources = %v; want exactly %v", where, w.sid, r, w.resources)
		}
		gotCond, _ := json.Marshal(st.Condition)
		wantCond, _ := json.Marshal(w.condition)
		if w.condition == nil {
			wantCond = []byte("null")
		}
		if string(gotCond) != string(wantCond) {
			t.Errorf("%s: statement %s condition = %s; want %s", where, w.sid, gotCond, wantCond)
		}
	}
	for sid := range got {
		if !slices.Contains(wantSids, sid) {
			t.Errorf("%s: unexpected statement %s (%v)", where, sid, got[sid].Action)
		}
	}
}

func TestIdentityPolicies(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			viaKinesis := map[string]map[string]any{"StringEquals": {"kms:ViaService": "kinesis.sa-east-1.amazonaws.com"}}
			stream := "${aws_kinesis_stream.transactions.arn}"
			key := "${aws_kms_key.stream.arn}"

			producerLog := "${aws_cloudwatch_log_group.producer_log.arn}"
			checkStatements(t, env.Name+": aws_iam_policy.producer_access", s.res(t, "aws_iam_policy", "producer_access").Key("policy").Str(), append([]wantStatement{
				{"PutTransactions", []string{"kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"}, []string{stream}, nil},
				{"EncryptThroughKinesis", []string{"kms:GenerateDataKey"}, []string{key}, viaKinesis},
				{"WriteOwnLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, []string{producerLog, producerLog + ":log-stream:*"}, nil},
			}, wantLambdaVPC(s, env.ProducerPrincipals)...))

			logGroup := "${aws_cloudwatch_log_group.processor_log.arn}"
			checkStatements(t, env.Name+": aws_iam_policy.processor_access", s.res(t, "aws_iam_policy", "processor_access").Key("policy").Str(), append([]wantStatement{
				{"ReadTransactions", []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"}, []string{stream}, nil},
				{"DecryptThroughKinesis", []string{"kms:Decrypt"}, []string{key}, viaKinesis},
				{"ConnectToPostgres", []string{"rds-db:connect"},
					[]string{"arn:aws:rds-db:sa-east-1:" + env.AccountID + ":dbuser:${aws_db_instance.postgres.resource_id}/fastshop_processor"}, nil},
				{"ConnectToRedis", []string{"elasticache:Connect"},
					[]string{"${aws_elasticache_replication_group.redis.arn}", "${aws_elasticache_user.redis_app.arn}"}, nil},
				{"WriteOwnLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, []string{logGroup, logGroup + ":log-stream:*"}, nil},
				{"KCLTables", []string{"dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"},
					[]string{"${aws_dynamodb_table.kcl_leases.arn}"}, nil},
				{"KCLLeaseOwnerIndex", []string{"dynamodb:Query"}, []string{"${aws_dynamodb_table.kcl_leases.arn}/index/LeaseOwnerToLeaseKeyIndex"}, nil},
				{"KCLFindsNoSeparateTables", []string{"dynamodb:DescribeTable"}, []string{
					"arn:aws:dynamodb:sa-east-1:" + env.AccountID + ":table/fastshop-fraud-detection-" + env.Name + "-CoordinatorState",
					"arn:aws:dynamodb:sa-east-1:" + env.AccountID + ":table/fastshop-fraud-detection-" + env.Name + "-WorkerMetricStats"}, nil},
				{"KCLTableKeyThroughDynamoDB", []string{"kms:Decrypt", "kms:DescribeKey"}, []string{"${aws_kms_key.kcl.arn}"},
					map[string]map[string]any{"StringEquals": {"kms:ViaService": "dynamodb.sa-east-1.amazonaws.com"}}},
				{"PublishKCLMetrics", []string{"cloudwatch:PutMetricData"}, []string{"*"},
					map[string]map[string]any{"StringEquals": {"cloudwatch:namespace": "fastshop-fraud-detection-" + env.Name}}},
			}, wantLambdaVPC(s, env.ProcessorPrincipals)...))

			// The task execution role: the image pull and the awslogs
			// streams of both workloads, nothing else.
			var images []string
			for _, r := range env.ImageRepositories {
				images = append(images, "arn:aws:ecr:sa-east-1:"+env.AccountID+":repository/"+r)
			}
			checkStatements(t, env.Name+": aws_iam_policy.task_execution_access", s.res(t, "aws_iam_policy", "task_execution_access").Key("policy").Str(), []wantStatement{
				{"GetRegistryToken", []string{"ecr:GetAuthorizationToken"}, []string{"*"}, nil},
				{"PullOwnImages", []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, images, nil},
				{"WriteTaskLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, []string{producerLog, producerLog + ":log-stream:*", logGroup, logGroup + ":log-stream:*"}, nil},
			})
		})
	}
}

// wantLambdaVPC are the statements a role needs exactly when Lambda may
// assume it: Lambda checks them at CreateFunction with a VPC configuration
// (AWS Lambda Developer Guide, "Required IAM permissions"). Network
// interfaces are created only in this stack's private subnets with the app
// group; the two Describe actions take no resource (only "*").
func wantLambdaVPC(s synthesized, principals []string) []wantStatement {
	if !slices.Contains(principals, config.ServiceLambda) {
		return nil
	}
	env := s.Env
	eni := "arn:aws:ec2:" + env.Region + ":" + env.AccountID + ":network-interface/*"
	createIn := []string{eni}
	for _, name := range s.names("aws_subnet") {
		if strings.HasPrefix(name, "private_") {
			createIn = append(createIn, "arn:aws:ec2:"+env.Region+":"+env.AccountID+":subnet/${aws_subnet."+name+".id}")
		}
	}
	createIn = append(createIn, "${aws_security_group.app_tier.arn}")
	return []wantStatement{
		{"LambdaCreateNetworkInterfaces", []string{"ec2:CreateNetworkInterface"}, createIn, nil},
		{"LambdaManageNetworkInterfaces", []string{"ec2:AssignPrivateIpAddresses", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"}, []string{eni}, nil},
		{"LambdaDescribeNetwork", []string{"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"}, []string{"*"}, nil},
	}
}

// TestLambdaRolesCanJoinTheVPC: every role Lambda may assume can create the
// function's network interfaces, and no other role can.
func TestLambdaRolesCanJoinTheVPC(t *testing.T) {
	seen := false
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			for _, r := range []struct {
				id         string
				principals []string
			}{{"producer", s.Env.ProducerPrincipals}, {"processor", s.Env.ProcessorPrincipals}} {
				statements := statementsOf(t, s.Env.Name, s.res(t, "aws_iam_policy", r.id+"_access").Key("policy").Str())
				_, has := statements["LambdaCreateNetworkInterfaces"]
				lambda := slices.Contains(r.principals, config.ServiceLambda)
				seen = seen || lambda
				if has != lambda {
					t.Errorf("%s: aws_iam_policy.%s_access grants ec2:CreateNetworkInterface = %v; Lambda among its principals = %v", s.Env.Name, r.id, has, lambda)
				}
			}
		})
	}
	if !seen {
		t.Error("no environment lets Lambda assume a role; the check above proved nothing")
	}
}

func TestIdentityRoles(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			for _, r := range []struct {
				id         string
				principals []string
			}{{"producer", env.ProducerPrincipals}, {"processor", env.ProcessorPrincipals}, {"task_execution", []string{config.ServiceECSTasks}}} {
				name := env.ResourceName(strings.ReplaceAll(r.id, "_", "-"))
				role := s.resource(t, "aws_iam_role", r.id)
				if role["name"] != name {
					t.Errorf("%s: aws_iam_role.%s name = %v; want %s", env.Name, r.id, role["name"], name)
				}
				var decoded map[string]any
				where := env.Name + ": aws_iam_role." + r.id + ".assume_role_policy"
				if err := json.Unmarshal([]byte(s.res(t, "aws_iam_role", r.id).Key("assume_role_policy").Str()), &decoded); err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				statements := root(t, where, decoded).Key("Statement").List()
				if len(statements) != 1 {
					t.Fatalf("%s has %d statements; want 1", where, len(statements))
				}
				trust := statements[0]
				st := trust.object()
				services := trust.Key("Principal").Key("Service").Strings()
				if !slices.Equal(services, r.principals) {
					t.Errorf("%s: aws_iam_role.%s may be assumed by %v; want exactly %v", env.Name, r.id, services, r.principals)
				}
				if !reflect.DeepEqual(st["Action"], []any{"sts:AssumeRole"}) || st["Effect"] != "Allow" {
					t.Errorf("%s: aws_iam_role.%s trust allows %v; want sts:AssumeRole only", env.Name, r.id, st["Action"])
				}
				wantCond := map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": env.AccountID}}
				if !reflect.DeepEqual(st["Condition"], wantCond) {
					t.Errorf("%s: aws_iam_role.%s trust condition = %v; want aws:SourceAccount %s", env.Name, r.id, st["Condition"], env.AccountID)
				}

				policy := s.resource(t, "aws_iam_policy", r.id+"_access")
				if policy["name"] != name {
					t.Errorf("%s: aws_iam_policy.%s_access name = %v", env.Name, r.id, policy["name"])
				}
				attachment := s.resource(t, "aws_iam_role_policy_attachment", r.id+"_access_attachment")
				if attachment["role"] != "${aws_iam_role."+r.id+".name}" || attachment["policy_arn"] != "${aws_iam_policy."+r.id+"_access.arn}" {
					t.Errorf("%s: aws_iam_role_policy_attachment.%s_access_attachment = %v; want the %s policy on the %s role", env.Name, r.id, attachment, r.id, r.id)
				}
			}
			if n := len(s.resources("aws_iam_role_policy_attachment")); n != 3 {
				t.Errorf("%s: %d role policy attachments; want the producer's, the processor's and the task execution role's only", env.Name, n)
			}

			log := s.resource(t, "aws_cloudwatch_log_group", "processor_log")
			if log["name"] != "/fastshop/"+env.Name+"/processor" || log["kms_key_id"] != "${aws_kms_key.logs.arn}" || log["retention_in_days"] != float64(env.LogRetentionDays) {
				t.Errorf("%s: aws_cloudwatch_log_group.processor_log = %v; want /fastshop/%s/processor, logs key, %d days", env.Name, log, env.Name, env.LogRetentionDays)
			}
		})
	}
}

// policyAttributes are the attributes holding IAM-language documents that
// the guards below walk. KMS key policies are not among them: their
// administration statement uses wildcards on purpose (encryption.go).
var policyAttributes = []struct{ resourceType, attribute string }{
	{"aws_iam_policy", "policy"},
	{"aws_iam_role_policy", "policy"},
	{"aws_iam_role", "assume_role_policy"},
	{"aws_sns_topic_policy", "policy"},
}

// policyDocuments returns every IAM-language document of a stack as
// "type.name" -> JSON.
func policyDocuments(s synthesized) map[string]string {
	out := map[string]string{}
	for _, a := range policyAttributes {
		for name, r := range s.resources(a.resourceType) {
			if p, ok := r[a.attribute].(string); ok {
				out[a.resourceType+"."+name] = p
			}
		}
	}
	return out
}

// broadActions returns the actions of a policy that grant more than one
// named action: any `*` or `?` wildcard, and every NotAction (which allows
// everything it does not list). Action may be a string or a list.
func broadActions(policy string) ([]string, error) {
	var doc struct {
		Statement []map[string]any `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return nil, err
	}
	var broad []string
	for _, st := range doc.Statement {
		for _, a := range asStrings(st["Action"]) {
			if strings.ContainsAny(a, "*?") {
				broad = append(broad, a)
			}
		}
		for _, a := range asStrings(st["NotAction"]) {
			broad = append(broad, "NotAction "+a)
		}
	}
	return broad, nil
}

func TestNoWildcardActions(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			docs := policyDocuments(s)
			if len(docs) < 5 {
				t.Errorf("%s: found %d IAM documents; the walk is missing some", s.Env.Name, len(docs))
			}
			for where, policy := range docs {
				broad, err := broadActions(policy)
				if err != nil {
					t.Errorf("%s: %s does not parse: %v", s.Env.Name, where, err)
				}
				if len(broad) > 0 {
					t.Errorf("%s: %s grants %v; name exact actions", s.Env.Name, where, broad)
				}
			}
		})
	}
}

// TestBroadActionsCatches proves the guard above can fail.
func TestBroadActionsCatches(t *testing.T) {
	cases := []struct {
		name, policy string
		want         []string
	}{
		{"exact actions", `{"Statement":[{"Effect":"Allow","Action":["kinesis:PutRecord"],"Resource":"*"}]}`, nil},
		{"service wildcard", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, []string{"s3:*"}},
		{"everything", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, []string{"*"}},
		{"prefix wildcard in a list", `{"Statement":[{"Effect":"Allow","Action":["kinesis:PutRecord","kinesis:Get*"],"Resource":"*"}]}`, []string{"kinesis:Get*"}},
		{"single-character wildcard", `{"Statement":[{"Effect":"Allow","Action":["kms:GenerateDataKe?"],"Resource":"*"}]}`, []string{"kms:GenerateDataKe?"}},
		{"NotAction", `{"Statement":[{"Effect":"Allow","NotAction":["iam:CreateUser"],"Resource":"*"}]}`, []string{"NotAction iam:CreateUser"}},
	}
	for _, c := range cases {
		got, err := broadActions(c.policy)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: broadActions = %v; want %v", c.name, got, c.want)
		}
	}
	if _, err := broadActions("not json"); err == nil {
		t.Error("broadActions accepted a document that does not parse")
	}
}

// sidPattern is what IAM accepts as a statement id; anything else fails at
// apply with MalformedPolicyDocument.
var sidPattern = regexp.MustCompile(`^[A-Za-z0-9]*$`)

// badSids returns the statement ids IAM would reject.
func badSids(policy string) []string {
	var doc struct {
		Statement []struct {
			Sid string `json:"Sid"`
		} `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return []string{"(does not parse)"}
	}
	var bad []string
	for _, st := range doc.Statement {
		if !sidPattern.MatchString(st.Sid) {
			bad = append(bad, st.Sid)
		}
	}
	return bad
}

func TestPolicySidsAreAlphanumeric(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			for where, policy := range policyDocuments(s) {
				if bad := badSids(policy); len(bad) > 0 {
					t.Errorf("%s: %s has statement ids %q; IAM accepts letters and digits only", s.Env.Name, where, bad)
				}
			}
		})
	}
	// The guard fails on the id the flow-logs trust policy once had.
	if bad := badSids(`{"Statement":[{"Sid":"AssumeByvpc-flow-logs.amazonaws.com"}]}`); len(bad) != 1 {
		t.Errorf("badSids missed a Sid with dots and hyphens: %v", bad)
	}
}
