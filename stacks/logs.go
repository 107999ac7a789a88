package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// newLogGroup is a log group encrypted with the logs key, with the
// environment's retention, protected like other audit evidence.
func newLogGroup(stack cdktf.TerraformStack, env config.Environment, k keys, id, name string) cloudwatchloggroup.CloudwatchLogGroup {
	return cloudwatchloggroup.NewCloudwatchLogGroup(stack, jsii.String(id), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(name),
		KmsKeyId:        jsii.String(k.Logs.ARN),
		RetentionInDays: number(env.LogRetentionDays),
		Lifecycle:       lifecycle(env),
	})
}
