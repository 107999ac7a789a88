package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// shardLevelMetrics are published per shard so that a hot partition key
// shows up before it throttles producers.
var shardLevelMetrics = []string{
	"IncomingBytes", "IncomingRecords", "IteratorAgeMilliseconds", "OutgoingBytes", "OutgoingRecords",
	"ReadProvisionedThroughputExceeded", "WriteProvisionedThroughputExceeded",
}

// stream is what alarms, roles and outputs need of the stream, each value
// read from the binding once.
type stream struct{ Name, ARN string }

func addStreaming(stack cdktf.TerraformStack, env config.Environment, k keys) stream {
	config := &kinesisstream.KinesisStreamConfig{
		Name:              jsii.String(env.Names().Stream),
		RetentionPeriod:   number(env.StreamRetentionHours),
		EncryptionType:    jsii.String("KMS"),
		KmsKeyId:          jsii.String(k.Stream.AliasName),
		ShardLevelMetrics: jsii.Strings(shardLevelMetrics...),
		StreamModeDetails: &kinesisstream.KinesisStreamStreamModeDetails{StreamMode: jsii.String("PROVISIONED")},
		Tags:              nameTag(env.Names().Stream),
		Lifecycle:         lifecycle(env),
		// The key is named by alias (known at plan time), so the alias
		// must exist first.
		DependsOn: &[]cdktf.ITerraformDependable{k.Stream.Alias},
	}
	if env.StreamOnDemand {
		config.StreamModeDetails.StreamMode = jsii.String("ON_DEMAND")
	} else {
		config.ShardCount = number(env.StreamShardCount)
	}
	s := kinesisstream.NewKinesisStream(stack, jsii.String("transactions"), config)
	return stream{Name: *s.Name(), ARN: *s.Arn()}
}
