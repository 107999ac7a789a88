package stacks

import (
	"regexp"
	"strings"
	"testing"
)

// requiredOutputs are read by operators and the processors; removing or
// renaming one breaks them.
var requiredOutputs = []string{
	"vpc_id", "subnet_private_ids", "subnet_public_ids", "security_group_app_id",
	"kinesis_stream_name", "kinesis_stream_arn", "db_instance_endpoint", "db_instance_address",
	"db_instance_port", "db_instance_arn", "db_instance_master_user_secret_arn",
	"replication_group_primary_endpoint_address", "replication_group_reader_endpoint_address",
	"replication_group_port", "user_app_name",
	"kms_key_stream_id", "kms_key_stream_arn", "kms_key_database_id", "kms_key_database_arn",
	"kms_key_cache_id", "kms_key_cache_arn", "kms_key_logs_id", "kms_key_logs_arn",
	"kms_key_alerts_id", "kms_key_alerts_arn", "kms_key_kcl_arn",
	"security_group_endpoints_id", "vpc_endpoint_s3_prefix_list_id", "vpc_endpoint_dynamodb_prefix_list_id",
	"cloudwatch_log_group_producer_name", "cloudwatch_log_group_processor_name",
	"sns_topic_alerts_arn", "iam_role_producer_arn", "iam_role_processor_arn",
}

// literalOutputs carry a value no resource has (a name the program sets),
// so no resource type names them.
var literalOutputs = map[string]bool{"processor_db_user": true, "kcl_application_name": true, "kcl_metric_namespace": true}

// reference matches a Terraform reference to a resource's attribute:
// ${aws_<type>.<name>.<attribute>}, where the attribute may pass through a
// list (master_user_secret[0].secret_arn).
var reference = regexp.MustCompile(`^\$\{aws_([a-z0-9_]+)\.[a-z0-9_]+\.([a-z0-9_.\[\]]+)\}$`)

// outputNameProblem says how an output's name breaks the naming rule
// (addOutputs) for its value, or "" where it keeps it. A list of references
// is named for their common type, with its attribute in the plural.
func outputNameProblem(name string, value any) string {
	var refs []string
	switch v := value.(type) {
	case string:
		refs = []string{v}
	case []any:
		for _, r := range v {
			s, _ := r.(string)
			refs = append(refs, s)
		}
	}
	typ, attr := "", ""
	for _, r := range refs {
		m := reference.FindStringSubmatch(r)
		if m == nil || typ != "" && (m[1] != typ || m[2] != attr) {
			return "its value is not one resource attribute (or a list of one type's): name it in literalOutputs if it is a literal"
		}
		typ, attr = m[1], m[2]
	}
	if typ == "" {
		return "no value"
	}
	prefix := strings.TrimPrefix(typ, "elasticache_")
	words := strings.Split(regexp.MustCompile(`\[[0-9]+\]`).ReplaceAllString(attr, ""), ".")
	last := strings.Split(words[len(words)-1], "_")
	// The attribute's first word is left out where the type ends with it:
	// kms_key + key_id, user + user_name.
	if len(last) > 1 && strings.HasSuffix(prefix, "_"+last[0]) || len(last) > 1 && prefix == last[0] {
		last = last[1:]
	}
	suffix := strings.Join(last, "_")
	if len(refs) > 1 {
		suffix += "s"
	}
	if !strings.HasPrefix(name, prefix+"_") || !strings.HasSuffix(name, "_"+suffix) {
		return "want " + prefix + "_[<qualifier>_]..." + suffix + " for aws_" + typ + "." + attr
	}
	return ""
}

func TestOutputs(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			outputs := s.doc(t).Key("output")
			for _, name := range requiredOutputs {
				if !outputs.Has(name) {
					t.Errorf("no output %s", name)
				}
			}
			for _, name := range outputs.Keys() {
				if outputs.Key(name).Opt("description").Str() == "" {
					t.Errorf("output %s has no description", name)
				}
				if literalOutputs[name] {
					continue
				}
				if problem := outputNameProblem(name, outputs.Key(name).Key("value").Raw()); problem != "" {
					t.Errorf("output %s: %s", name, problem)
				}
			}
			if v := outputs.Key("db_instance_master_user_secret_arn").Key("value").Str(); v != "${aws_db_instance.postgres.master_user_secret[0].secret_arn}" {
				t.Errorf("db_instance_master_user_secret_arn = %s", v)
			}
		})
	}
}

// TestOutputNameRule shows the rule passing the names it should and
// failing the names outputs had before it (and other bad ones).
func TestOutputNameRule(t *testing.T) {
	cases := []struct {
		name  string
		value any
		ok    bool
	}{
		{"db_instance_master_user_secret_arn", "${aws_db_instance.postgres.master_user_secret[0].secret_arn}", true},
		{"replication_group_primary_endpoint_address", "${aws_elasticache_replication_group.redis.primary_endpoint_address}", true},
		{"kms_key_stream_id", "${aws_kms_key.stream.key_id}", true},
		{"kms_key_id", "${aws_kms_key.state.key_id}", true},
		{"user_app_name", "${aws_elasticache_user.redis_app.user_name}", true},
		{"subnet_private_ids", []any{"${aws_subnet.private_a.id}", "${aws_subnet.private_b.id}"}, true},
		{"db_master_user_secret_arn", "${aws_db_instance.postgres.master_user_secret[0].secret_arn}", false},
		{"redis_primary_endpoint_address", "${aws_elasticache_replication_group.redis.primary_endpoint_address}", false},
		{"redis_port", "${aws_elasticache_replication_group.redis.port}", false},
		{"kms_stream_key_id", "${aws_kms_key.stream.key_id}", false},
		{"private_subnet_ids", []any{"${aws_subnet.private_a.id}", "${aws_subnet.private_b.id}"}, false},
		{"subnet_ids", []any{"${aws_subnet.private_a.id}", "${aws_vpc.main.id}"}, false},
		{"vpc_arn", "${aws_vpc.main.id}", false},
		{"name", "fastshop", false},
	}
	for _, c := range cases {
		problem := outputNameProblem(c.name, c.value)
		if (problem == "") != c.ok {
			t.Errorf("outputNameProblem(%s, %v) = %q; want ok=%v", c.name, c.value, problem, c.ok)
		}
	}
}
