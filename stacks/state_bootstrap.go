package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// NewStateBootstrap adds the stack that creates state's bucket, its KMS key
// and its access log bucket. The configuration must have passed
// config.Validate.
func NewStateBootstrap(scope constructs.Construct, state config.StateBackend, b config.Bootstrap) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(scope, jsii.String(config.BootstrapID))
	// The first apply: the bucket this stack creates cannot hold the state
	// of the run that creates it. The operator runs with state-account
	// credentials (this stack creates IAM roles there), so no role is
	// assumed afterwards.
	addOwnStateBackend(stack, state, config.BootstrapID, b.LocalState)

	tags := defaultTags(config.BootstrapID, config.StateOwner)
	addAWSProvider(stack, state.Region, state.AccountID, tags)

	built := addStateBucket(stack, state, b)
	roles := addStateAccessRoles(stack, state, b, built)
	output := outputsOf(stack)
	output("s3_bucket_id", "State bucket: the pipeline backends' bucket (FASTSHOP_STATE_BUCKET)", built.BucketID)
	output("s3_bucket_arn", "ARN of the state bucket", built.BucketARN)
	output("s3_bucket_region", "Region of the state bucket: the pipeline backends' region (FASTSHOP_STATE_REGION)", built.BucketRegion)
	output("kms_key_arn", "ARN of the customer-managed key that encrypts the state", built.KeyARN)
	output("kms_key_id", "ID of the customer-managed key that encrypts the state", built.KeyID)
	output("kms_alias_name", "Alias of the state key: the pipeline backends' kms_key_id", built.AliasName)
	output("s3_bucket_access_logs_id", "Bucket receiving the state bucket's server access logs", built.AccessLogID)
	for _, r := range roles {
		output("iam_role_state_access_"+r.tenant+"_arn", "Role the "+r.tenant+" backend assumes to reach its state", r.role.Arn())
	}
	return stack
}
