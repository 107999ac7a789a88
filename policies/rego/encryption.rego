# Every data store is encrypted at rest with a FastShop customer-managed KMS
# key, never an AWS-managed or AWS-owned one: only a key of ours has a key
# policy we write, rotation we control and a deletion we can stop.
package terraform.policies.encryption

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {
	"ENC-01": {
		"title": "Kinesis stream encrypted with a FastShop customer-managed key",
		"serves": ["LGPD art. 46", "Security Hub Kinesis.1"],
	},
	"ENC-02": {
		"title": "RDS storage, Performance Insights and master user secret encrypted with a FastShop customer-managed key",
		"serves": ["LGPD art. 46", "Security Hub RDS.3"],
	},
	"ENC-03": {
		"title": "ElastiCache replication group encrypted at rest with a FastShop customer-managed key",
		"serves": ["LGPD art. 46", "Security Hub ElastiCache.4"],
	},
	"ENC-04": {
		"title": "CloudWatch log groups encrypted with a FastShop customer-managed key",
		"serves": ["LGPD art. 46", "LGPD art. 37"],
	},
	"ENC-05": {
		"title": "Secrets Manager secrets encrypted with a FastShop customer-managed key",
		"serves": ["LGPD art. 46"],
	},
	"ENC-06": {
		"title": "S3 buckets (Terraform state) encrypted with SSE-KMS and a FastShop customer-managed key",
		"serves": ["LGPD art. 46", "Security Hub S3.17"],
	},
	"ENC-07": {
		"title": "SNS topics and SQS queues encrypted with a FastShop customer-managed key, but recorded exceptions",
		"serves": ["LGPD art. 46", "Security Hub SNS.1", "Security Hub SQS.1"],
	},
	"ENC-08": {
		"title": "DynamoDB tables (KCL leases) encrypted with a FastShop customer-managed key",
		"serves": ["LGPD art. 46"],
	},
}

# key is one key attribute of a resource, checked by lib.key_of.
key_result(control, rc, path) := r if {
	k := lib.key_of(rc, path)
	r := lib.result(control, rc.address, k.ok, k.detail)
}

results contains r if {
	some rc in lib.resources_of("aws_kinesis_stream")
	encryption := lib.value(rc, ["encryption_type"])
	encryption != "KMS"
	r := lib.result("ENC-01", rc.address, false, sprintf("encryption_type = %v; want KMS", [encryption]))
}

results contains r if {
	some rc in lib.resources_of("aws_kinesis_stream")
	r := key_result("ENC-01", rc, ["kms_key_id"])
}

results contains r if {
	some rc in lib.resources_of("aws_db_instance")
	lib.value(rc, ["storage_encrypted"]) != true
	r := lib.result("ENC-02", rc.address, false, "storage_encrypted is not true")
}

results contains r if {
	some rc in lib.resources_of("aws_db_instance")
	r := key_result("ENC-02", rc, ["kms_key_id"])
}

results contains r if {
	some rc in lib.resources_of("aws_db_instance")
	lib.value(rc, ["performance_insights_enabled"]) == true
	r := key_result("ENC-02", rc, ["performance_insights_kms_key_id"])
}

results contains r if {
	some rc in lib.resources_of("aws_db_instance")
	lib.value(rc, ["manage_master_user_password"]) == true
	r := key_result("ENC-02", rc, ["master_user_secret_kms_key_id"])
}

results contains r if {
	some rc in lib.resources_of("aws_elasticache_replication_group")
	not lib.value(rc, ["at_rest_encryption_enabled"]) in {true, "true"}
	r := lib.result("ENC-03", rc.address, false, "at_rest_encryption_enabled is not true")
}

results contains r if {
	some rc in lib.resources_of("aws_elasticache_replication_group")
	r := key_result("ENC-03", rc, ["kms_key_id"])
}

results contains r if {
	some rc in lib.resources_of("aws_cloudwatch_log_group")
	r := key_result("ENC-04", rc, ["kms_key_id"])
}

results contains r if {
	some rc in lib.resources_of("aws_secretsmanager_secret")
	r := key_result("ENC-05", rc, ["kms_key_id"])
}

# Without server_side_encryption enabled, DynamoDB encrypts with its
# AWS-owned key; enabled without kms_key_arn, with the AWS-managed
# aws/dynamodb key.
results contains r if {
	some rc in lib.resources_of("aws_dynamodb_table")
	lib.value(rc, ["server_side_encryption", 0, "enabled"]) != true
	r := lib.result("ENC-08", rc.address, false, "server_side_encryption.0.enabled is not true: DynamoDB would use its AWS-owned key")
}

results contains r if {
	some rc in lib.resources_of("aws_dynamodb_table")
	r := key_result("ENC-08", rc, ["server_side_encryption", 0, "kms_key_arn"])
}

# A bucket is covered by the encryption configuration that names it.
bucket_encryption(bucket) := {sse |
	some sse in lib.resources_of("aws_s3_bucket_server_side_encryption_configuration")
	bucket in lib.references_of_type(sse, ["bucket"], "aws_s3_bucket")
} | {sse |
	some sse in lib.resources_of("aws_s3_bucket_server_side_encryption_configuration")
	name := lib.value(bucket, ["bucket"])
	is_string(name)
	lib.value(sse, ["bucket"]) == name
}

# Server access logs can only be delivered to a bucket encrypted with SSE-S3,
# so a bucket that only receives access logs is held to SSE-S3 instead.
access_log_target(bucket) if {
	some logging in lib.resources_of("aws_s3_bucket_logging")
	bucket.address in lib.references_of_type(logging, ["target_bucket"], "aws_s3_bucket")
}

access_log_target(bucket) if {
	some logging in lib.resources_of("aws_s3_bucket_logging")
	name := lib.value(bucket, ["bucket"])
	is_string(name)
	lib.value(logging, ["target_bucket"]) == name
}

data_buckets := {rc | some rc in lib.resources_of("aws_s3_bucket"); not access_log_target(rc)}

results contains r if {
	some rc in lib.resources_of("aws_s3_bucket")
	access_log_target(rc)
	algorithms := {a |
		some sse in bucket_encryption(rc.address)
		some rule in lib.value(sse, ["rule"])
		a := rule.apply_server_side_encryption_by_default[0].sse_algorithm
	}
	ok := algorithms == {"AES256"}
	r := lib.result("ENC-06", rc.address, ok, sprintf("server access log target: sse_algorithm %v (S3 delivers access logs only to SSE-S3 buckets)", [sort(algorithms)]))
}

results contains r if {
	some rc in data_buckets
	count(bucket_encryption(rc.address)) == 0
	r := lib.result("ENC-06", rc.address, false, "no aws_s3_bucket_server_side_encryption_configuration names this bucket: S3 would use SSE-S3 (AWS-owned key)")
}

results contains r if {
	some bucket in data_buckets
	some sse in bucket_encryption(bucket.address)
	some i, rule in lib.value(sse, ["rule"])
	path := ["rule", i, "apply_server_side_encryption_by_default", 0]
	algorithm := object.get(lib.value(sse, path), "sse_algorithm", null)
	not algorithm in {"aws:kms", "aws:kms:dsse"}
	r := lib.result("ENC-06", bucket.address, false, sprintf("%s: sse_algorithm = %v; want aws:kms", [sse.address, algorithm]))
}

results contains r if {
	some bucket in data_buckets
	some sse in bucket_encryption(bucket.address)
	some i, rule in lib.value(sse, ["rule"])
	k := lib.key_of(sse, ["rule", i, "apply_server_side_encryption_by_default", 0, "kms_master_key_id"])
	r := lib.result("ENC-06", bucket.address, k.ok, sprintf("%s: %s", [sse.address, k.detail]))
}

# Messaging: every topic and queue holds its messages under a key of ours.
# A topic AWS cannot use encrypted (ElastiCache's notification topic) is
# excepted by address in data.fastshop.unencrypted_topics, with its reason,
# and reported as a warning; any other topic still fails.
results contains r if {
	some type in ["aws_sns_topic", "aws_sqs_queue"]
	some rc in lib.resources_of(type)
	not lib.params.unencrypted_topics[rc.address]
	r := key_result("ENC-07", rc, ["kms_master_key_id"])
}

results contains r if {
	some rc in lib.resources_of("aws_sns_topic")
	reason := lib.params.unencrypted_topics[rc.address]
	r := {"control": "ENC-07", "resource": rc.address, "status": "warn", "message": sprintf("recorded exception, unencrypted: %s", [reason])}
}

deny := lib.deny_messages(controls, results)
