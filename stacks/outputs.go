package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbinstance"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// addOutputs publishes what operators and the processors read. Names follow
// the resource types (terraform-aws-modules style); they are a contract
// with whoever reads them, so renaming one is a breaking change.
func addOutputs(stack cdktf.TerraformStack, net network, g securityGroups, k keys, stream kinesisstream.KinesisStream, db dbinstance.DbInstance, c cache) {
	output := func(name, description string, value any) {
		cdktf.NewTerraformOutput(stack, jsii.String(name), &cdktf.TerraformOutputConfig{
			Value:       value,
			Description: jsii.String(description),
		})
	}
	output("vpc_id", "ID of the pipeline VPC", net.VPC.Id())
	output("private_subnet_ids", "IDs of the private subnets (data tier and processors), in AZ order", net.PrivateSubnetIDs)
	output("public_subnet_ids", "IDs of the public subnets (NAT gateways only), in AZ order", net.PublicSubnetIDs)
	output("app_security_group_id", "Security group to attach to the transaction processors; the only source PostgreSQL and Redis admit", g.App.Id())
	output("kinesis_stream_name", "Name of the KMS-encrypted transactions stream", stream.Name())
	output("kinesis_stream_arn", "ARN of the transactions stream", stream.Arn())
	output("db_instance_endpoint", "PostgreSQL endpoint (host:port); TLS is required", db.Endpoint())
	output("db_instance_address", "PostgreSQL host name", db.Address())
	output("db_instance_port", "PostgreSQL port", db.Port())
	output("db_instance_arn", "ARN of the PostgreSQL instance", db.Arn())
	output("db_master_user_secret_arn", "Secrets Manager secret holding the RDS-managed master password (never in state)", db.MasterUserSecret().Get(jsii.Number(0)).SecretArn())
	output("redis_primary_endpoint_address", "Redis primary endpoint (TLS required; IAM-authenticated user)", c.Group.PrimaryEndpointAddress())
	output("redis_reader_endpoint_address", "Redis reader endpoint for read-only clients", c.Group.ReaderEndpointAddress())
	output("redis_port", "Redis port", c.Group.Port())
	for _, d := range []struct {
		name string
		key  dataKey
	}{{"stream", k.Stream}, {"database", k.Database}, {"cache", k.Cache}, {"logs", k.Logs}} {
		output("kms_"+d.name+"_key_id", "ID of the customer-managed KMS key for "+d.name+" ("+d.key.AliasName+")", d.key.Key.KeyId())
		output("kms_"+d.name+"_key_arn", "ARN of the customer-managed KMS key for "+d.name, d.key.Key.Arn())
	}
}
