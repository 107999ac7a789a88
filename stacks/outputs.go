package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbinstance"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// addOutputs publishes what operators and the processors read. A name is
// <type>_<qualifier>_<attribute>, as terraform-aws-modules names outputs:
// the provider's resource type without aws_ (and without elasticache_, as
// their elasticache module has it), a qualifier where a stack has several
// of the type, then the attribute, whose first word is left out where the
// type ends with it (kms_key_stream_id for aws_kms_key.key_id). Names are a
// contract with whoever reads them: renaming one breaks them.
func addOutputs(stack cdktf.TerraformStack, net network, g securityGroups, k keys, stream kinesisstream.KinesisStream, db dbinstance.DbInstance, c cache) {
	output := outputsOf(stack)
	output("vpc_id", "ID of the pipeline VPC", net.VPC.Id())
	output("subnet_private_ids", "IDs of the private subnets (data tier and processors), in AZ order", net.PrivateSubnetIDs)
	output("subnet_public_ids", "IDs of the public subnets (NAT gateways only), in AZ order", net.PublicSubnetIDs)
	output("security_group_app_id", "Security group to attach to the transaction processors; the only source PostgreSQL and Redis admit", g.App.Id())
	output("kinesis_stream_name", "Name of the KMS-encrypted transactions stream", stream.Name())
	output("kinesis_stream_arn", "ARN of the transactions stream", stream.Arn())
	output("db_instance_endpoint", "PostgreSQL endpoint (host:port); TLS is required", db.Endpoint())
	output("db_instance_address", "PostgreSQL host name", db.Address())
	output("db_instance_port", "PostgreSQL port", db.Port())
	output("db_instance_arn", "ARN of the PostgreSQL instance", db.Arn())
	output("db_instance_master_user_secret_arn", "Secrets Manager secret holding the RDS-managed master password (never in state)", db.MasterUserSecret().Get(jsii.Number(0)).SecretArn())
	output("replication_group_primary_endpoint_address", "Redis primary endpoint (TLS required; IAM-authenticated user)", c.Group.PrimaryEndpointAddress())
	output("replication_group_reader_endpoint_address", "Redis reader endpoint for read-only clients", c.Group.ReaderEndpointAddress())
	output("replication_group_port", "Redis port", c.Group.Port())
	for _, d := range []struct {
		name string
		key  dataKey
	}{{"stream", k.Stream}, {"database", k.Database}, {"cache", k.Cache}, {"logs", k.Logs}} {
		output("kms_key_"+d.name+"_id", "ID of the customer-managed KMS key for "+d.name+" ("+d.key.AliasName+")", d.key.Key.KeyId())
		output("kms_key_"+d.name+"_arn", "ARN of the customer-managed KMS key for "+d.name, d.key.Key.Arn())
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
		output("iam_role_"+r.name+"_arn", "ARN of the role that "+r.does+" (task or function role)", r.id.Role.Arn())
		output("iam_role_"+r.name+"_name", "Name of the "+r.name+" role", r.id.Role.Name())
		output("iam_policy_"+r.name+"_arn", "ARN of the managed policy holding the "+r.name+"'s permissions, attachable to other principals", r.id.Policy.Arn())
	}
	if ids.TaskExecution.Role != nil {
		output("iam_role_task_execution_arn", "ARN of the ECS task execution role: name it as executionRoleArn in the producer and processor task definitions (Fargate); it pulls from ImageRepositories and writes their awslogs streams", ids.TaskExecution.Role.Arn())
	}
	output("cloudwatch_log_group_producer_name", "KMS-encrypted log group the producer role may write; a Lambda producer names it in its logging configuration", ids.ProducerLog.Name())
	output("cloudwatch_log_group_processor_name", "KMS-encrypted log group the processor role may write; a Lambda processor names it in its logging configuration", ids.ProcessorLog.Name())
	output("processor_db_user", "PostgreSQL role the processors sign in as with an IAM token; create it once with GRANT rds_iam", ProcessorDBUser)
	output("user_app_name", "Redis user the processors sign in as with an IAM token", c.AppUser.UserName())
	output("security_group_endpoints_id", "Security group of the interface endpoints (HTTPS from the app group only)", e.Group.Id())
	output("vpc_endpoint_s3_prefix_list_id", "Prefix list of the S3 gateway endpoint, for egress rules", e.S3.PrefixListId())
	output("sns_topic_alerts_arn", "ARN of the encrypted on-call topic every alarm and event notification publishes to; subscribe the on-call rota here", a.Topic.Arn())
	output("kms_key_alerts_id", "ID of the customer-managed KMS key for alerts ("+a.Key.AliasName+")", a.Key.Key.KeyId())
	output("kms_key_alerts_arn", "ARN of the customer-managed KMS key for alerts", a.Key.Key.Arn())
}
