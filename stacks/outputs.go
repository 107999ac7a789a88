package stacks

import (
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// addOutputs publishes what operators and the processors read. A name is
// <type>_<qualifier>_<attribute>, as terraform-aws-modules names outputs:
// the provider's resource type without aws_ (and without elasticache_, as
// their elasticache module has it), a qualifier where a stack has several
// of the type, then the attribute, whose first word is left out where the
// type ends with it (kms_key_stream_id for aws_kms_key.key_id). Names are a
// contract with whoever reads them: renaming one breaks them.
func addOutputs(stack cdktf.TerraformStack, net network, g securityGroups, k keys, s stream, db database, c cache) {
	output := outputsOf(stack)
	output("vpc_id", "ID of the pipeline VPC", net.VPCID)
	output("subnet_private_ids", "IDs of the private subnets (data tier and processors), in AZ order", net.PrivateSubnetIDs)
	output("subnet_public_ids", "IDs of the public subnets (NAT gateways only), in AZ order", net.PublicSubnetIDs)
	output("security_group_app_id", "Security group to attach to the transaction processors; the only source PostgreSQL and Redis admit", g.AppID)
	output("kinesis_stream_name", "Name of the KMS-encrypted transactions stream", s.Name)
	output("kinesis_stream_arn", "ARN of the transactions stream", s.ARN)
	output("db_instance_endpoint", "PostgreSQL endpoint (host:port); TLS is required", db.Endpoint)
	output("db_instance_address", "PostgreSQL host name", db.Address)
	output("db_instance_port", "PostgreSQL port", db.Port)
	output("db_instance_arn", "ARN of the PostgreSQL instance", db.ARN)
	output("db_instance_master_user_secret_arn", "Secrets Manager secret holding the RDS-managed master password (never in state)", db.MasterUserSecretARN)
	output("replication_group_primary_endpoint_address", "Redis primary endpoint (TLS required; IAM-authenticated user)", c.PrimaryEndpointAddress)
	output("replication_group_reader_endpoint_address", "Redis reader endpoint for read-only clients", c.ReaderEndpointAddress)
	output("replication_group_port", "Redis port", c.Port)
	for _, d := range []struct {
		name string
		key  dataKey
	}{{"stream", k.Stream}, {"database", k.Database}, {"cache", k.Cache}, {"logs", k.Logs}} {
		output("kms_key_"+d.name+"_id", "ID of the customer-managed KMS key for "+d.name+" ("+d.key.AliasName+")", d.key.ID)
		output("kms_key_"+d.name+"_arn", "ARN of the customer-managed KMS key for "+d.name, d.key.ARN)
	}
}

// addOperationsOutputs publishes what operators attach and subscribe to:
// the workload roles and their policies, the endpoint group and the on-call
// topic.
func addOperationsOutputs(stack cdktf.TerraformStack, e endpoints, ids identities, a alerts, c cache) {
	output := outputsOf(stack)
	for _, r := range []struct {
		name, does string
		id         identity
	}{
		{"producer", "puts records on the transactions stream", ids.Producer},
		{"processor", "reads the stream and signs in to PostgreSQL and Redis with IAM", ids.Processor},
	} {
		output("iam_role_"+r.name+"_arn", "ARN of the role that "+r.does+" (task or function role)", r.id.RoleARN)
		output("iam_role_"+r.name+"_name", "Name of the "+r.name+" role", r.id.RoleName)
		output("iam_policy_"+r.name+"_arn", "ARN of the managed policy holding the "+r.name+"'s permissions, attachable to other principals", r.id.PolicyARN)
	}
	if ids.TaskExecution.RoleARN != "" {
		output("iam_role_task_execution_arn", "ARN of the ECS task execution role: name it as executionRoleArn in the producer and processor task definitions (Fargate); it pulls from ImageRepositories and writes their awslogs streams", ids.TaskExecution.RoleARN)
	}
	output("cloudwatch_log_group_producer_name", "KMS-encrypted log group the producer role may write; a Lambda producer names it in its logging configuration", ids.ProducerLogName)
	output("cloudwatch_log_group_processor_name", "KMS-encrypted log group the processor role may write; a Lambda processor names it in its logging configuration", ids.ProcessorLogName)
	output("processor_db_user", "PostgreSQL role the processors sign in as with an IAM token; create it once with GRANT rds_iam", ProcessorDBUser)
	output("user_app_name", "Redis user the processors sign in as with an IAM token", c.AppUserName)
	output("security_group_endpoints_id", "Security group of the interface endpoints (HTTPS from the app group only)", e.GroupID)
	output("vpc_endpoint_s3_prefix_list_id", "Prefix list of the S3 gateway endpoint, for egress rules", e.S3PrefixListID)
	output("sns_topic_alerts_arn", "ARN of the encrypted on-call topic every alarm and event notification publishes to; subscribe the on-call rota here", a.TopicARN)
	output("kms_key_alerts_id", "ID of the customer-managed KMS key for alerts ("+a.Key.AliasName+")", a.Key.ID)
	output("kms_key_alerts_arn", "ARN of the customer-managed KMS key for alerts", a.Key.ARN)
}
