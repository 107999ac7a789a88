package stacks

import (
	"slices"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

// nameAttributes are the attributes that carry an AWS name, with the rule
// the kind of name the value must be listed as in config's DerivedNames. A
// resource type that gains a name attribute needs a row here and in
// DerivedNames.
var nameAttributes = map[string]string{
	"aws_db_instance.identifier":                             "RDS DB instance identifier",
	"aws_db_instance.final_snapshot_identifier":              "RDS final snapshot identifier",
	"aws_db_subnet_group.name":                               "RDS DB subnet group name",
	"aws_db_parameter_group.name":                            "RDS DB parameter group name",
	"aws_db_event_subscription.name":                         "RDS event subscription name",
	"aws_elasticache_replication_group.replication_group_id": "ElastiCache replication group id",
	"aws_elasticache_subnet_group.name":                      "ElastiCache subnet group name",
	"aws_elasticache_parameter_group.name":                   "ElastiCache parameter group name",
	"aws_elasticache_user.user_id":                           "ElastiCache user id",
	"aws_elasticache_user_group.user_group_id":               "ElastiCache user group id",
	"aws_kinesis_stream.name":                                "Kinesis stream name",
	"aws_sns_topic.name":                                     "SNS topic name",
	"aws_dynamodb_table.name":                                "DynamoDB table name",
	"aws_sqs_queue.name":                                     "SQS queue name",
	"aws_pipes_pipe.name":                                    "EventBridge pipe name",
	"aws_cloudwatch_metric_alarm.alarm_name":                 "CloudWatch alarm name",
	"aws_cloudwatch_log_group.name":                          "CloudWatch log group name",
	"aws_iam_role.name":                                      "IAM role name",
	"aws_iam_policy.name":                                    "IAM policy name",
	"aws_iam_role_policy.name":                               "IAM policy name",
	"aws_kms_alias.name":                                     "KMS alias name",
	"aws_security_group.name":                                "security group name",
}

// nameKeys are attribute names that hold a resource's AWS name.
var nameKeys = []string{"name", "name_prefix", "identifier", "identifier_prefix", "final_snapshot_identifier",
	"replication_group_id", "cluster_id", "user_id", "user_group_id", "alarm_name", "bucket", "bucket_prefix"}

// TestDerivedNamesCoverSynth walks every synthesized stack: each literal
// name must be a row of config's DerivedNames of the kind its attribute
// holds, so config.Validate checks every name the stacks create. (Whether
// the name passes its rule is Validate's test, in package config.)
func TestDerivedNamesCoverSynth(t *testing.T) {
	type stackNames struct {
		stack string
		json  map[string]any
		rows  []config.DerivedName
	}
	var all []stackNames
	for _, s := range synthAll(t) {
		all = append(all, stackNames{s.Env.Name, s.JSON, s.Env.DerivedNames()})
	}
	b, doc := synthBootstrap(t)
	all = append(all, stackNames{config.BootstrapID, doc, b.Bootstrap.DerivedNames()})

	for _, s := range all {
		listed := map[string]bool{}
		for _, r := range s.rows {
			listed[r.Kind()+"\x00"+r.Name] = true
		}
		resources := root(t, s.stack+":", s.json).Key("resource")
		for _, typ := range resources.Keys() {
			for _, id := range resources.Key(typ).Keys() {
				attrs := resources.Key(typ).Key(id)
				for _, key := range nameKeys {
					value := attrs.Opt(key).Str()
					if value == "" || strings.Contains(value, "${") {
						continue // absent, or a reference to a name checked where it is made
					}
					addr := typ + "." + id
					if typ == "aws_s3_bucket" && key == "bucket" {
						if !slices.Contains([]string{b.State.Bucket, b.State.AccessLogBucket()}, value) {
							t.Errorf("%s: %s bucket %q is neither the state bucket nor its log bucket", s.stack, addr, value)
						}
						continue
					}
					kind, known := nameAttributes[typ+"."+key]
					if !known {
						t.Errorf("%s: %s.%s = %q has no naming rule: add a row to DerivedNames and nameAttributes", s.stack, addr, key, value)
						continue
					}
					if !listed[kind+"\x00"+value] {
						t.Errorf("%s: %s.%s = %q is not in DerivedNames as a %s, so Validate does not check it", s.stack, addr, key, value, kind)
					}
				}
			}
		}
	}
}
