package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlogging"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// stateBucket is what the bootstrap built, for its outputs.
type stateBucket struct {
	Bucket    s3bucket.S3Bucket
	Key       kmskey.KmsKey
	Alias     kmsalias.KmsAlias
	AccessLog s3bucket.S3Bucket
}

// NewStateBootstrap adds the stack that creates state's bucket, its KMS key
// and its access log bucket. The configuration must have passed
// config.Validate.
func NewStateBootstrap(scope constructs.Construct, state config.StateBackend, b config.Bootstrap) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(scope, jsii.String(config.BootstrapID))
	if b.LocalState {
		// The first apply: the bucket this stack creates cannot hold the
		// state of the run that creates it.
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String(config.BootstrapStatePath)})
	} else {
		// Afterwards the state lives in the bucket, like every stack's. The
		// operator runs with state-account credentials (this stack creates
		// IAM roles there), so no role is assumed.
		addS3Backend(stack, state, config.StateKey(config.BootstrapID), nil)
	}
	pinVersions(stack)

	tags := defaultTags(config.BootstrapID, config.StateOwner)
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{
		Region:      jsii.String(state.Region),
		DefaultTags: &[]*provider.AwsProviderDefaultTags{{Tags: &tags}},
	})

	built := addStateBucket(stack, state, b)
	roles := addStateAccessRoles(stack, state, b, built)
	output := outputsOf(stack)
	output("s3_bucket_id", "State bucket: the pipeline backends' bucket (FASTSHOP_STATE_BUCKET)", built.Bucket.Id())
	output("s3_bucket_arn", "ARN of the state bucket", built.Bucket.Arn())
	output("s3_bucket_region", "Region of the state bucket: the pipeline backends' region (FASTSHOP_STATE_REGION)", built.Bucket.Region())
	output("kms_key_arn", "ARN of the customer-managed key that encrypts the state", built.Key.Arn())
	output("kms_key_id", "ID of the customer-managed key that encrypts the state", built.Key.KeyId())
	output("kms_alias_name", "Alias of the state key: the pipeline backends' kms_key_id", built.Alias.Name())
	output("access_log_s3_bucket_id", "Bucket receiving the state bucket's server access logs", built.AccessLog.Id())
	for _, r := range roles {
		output("iam_role_state_access_"+r.tenant+"_arn", "Role the "+r.tenant+" backend assumes to reach its state", r.role.Arn())
	}
	return stack
}

// protect keeps a resource from being destroyed by any plan: the bootstrap's
// resources hold every environment's state.
var protect = &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}

// addStateBucket creates the key, the access log bucket and the state
// bucket.
func addStateBucket(stack cdktf.TerraformStack, state config.StateBackend, b config.Bootstrap) stateBucket {
	// The key is used only by S3, on behalf of the state account.
	key := kmskey.NewKmsKey(stack, jsii.String("state"), &kmskey.KmsKeyConfig{
		Description:          jsii.String("FastShop Terraform state (every environment's S3 backend)"),
		EnableKeyRotation:    jsii.Bool(true),
		DeletionWindowInDays: number(config.StateKMSDeletionWindowDays),
		Policy:               jsii.String(newPolicy(keyPolicy(state.AccountID, state.Region, []string{"s3"})...).JSON()),
		Tags:                 nameTag("fastshop-terraform-state"),
		Lifecycle:            protect,
	})
	alias := kmsalias.NewKmsAlias(stack, jsii.String("state_key"), &kmsalias.KmsAliasConfig{
		Name:        jsii.String(config.StateKeyAlias),
		TargetKeyId: key.KeyId(),
	})

	stateARN := "arn:aws:s3:::" + state.Bucket
	logName := state.AccessLogBucket()
	logARN := "arn:aws:s3:::" + logName
	logPrefix := "s3/" + state.Bucket + "/"

	// S3 server access logging delivers only to a bucket with SSE-S3
	// default encryption (SSE-KMS is not supported there), so the log bucket
	// cannot use the customer-managed key.
	logs := addPrivateBucket(stack, "access_logs", privateBucket{
		name:    logName,
		sseAlgo: "AES256",
		policy: []policyStatement{{
			Sid:       "ServerAccessLogsFromStateBucket",
			Effect:    "Allow",
			Principal: map[string]any{"Service": "logging.s3.amazonaws.com"},
			Action:    []string{"s3:PutObject"},
			Resource:  logARN + "/" + logPrefix + "*",
			Condition: map[string]map[string]any{
				"ArnLike":      {"aws:SourceArn": stateARN},
				"StringEquals": {"aws:SourceAccount": state.AccountID},
			},
		}},
		expireCurrentDays:     b.AccessLogRetentionDays,
		noncurrentVersionDays: b.NoncurrentVersionDays,
		abortUploadDays:       b.AbortIncompleteUploadDays,
	})

	bucket := addPrivateBucket(stack, "terraform_state", privateBucket{
		name:    state.Bucket,
		sseAlgo: "aws:kms",
		// The alias, like the backends' kms_key_id: known at plan time, so
		// a plan scan sees which key encrypts the bucket.
		kmsKeyID:  config.StateKeyAlias,
		dependsOn: []cdktf.ITerraformDependable{alias},
		policy: []policyStatement{{
			// The backends send aws:kms with the alias on every PUT (state
			// and lock file); anything else is refused.
			Sid:       "DenyObjectsNotEncryptedWithKMS",
			Effect:    "Deny",
			Principal: map[string]any{"AWS": "*"},
			Action:    []string{"s3:PutObject"},
			Resource:  stateARN + "/*",
			Condition: map[string]map[string]any{
				"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
			},
		}},
		noncurrentVersionDays: b.NoncurrentVersionDays,
		abortUploadDays:       b.AbortIncompleteUploadDays,
	})
	// S3 checks at PutBucketLogging that the target bucket admits log
	// delivery (InvalidTargetBucketForLogging otherwise). With
	// bucket-owner-enforced ownership only the bucket policy can grant it,
	// so the log bucket's policy and ownership controls come first; the
	// references alone would let Terraform create them in parallel.
	s3bucketlogging.NewS3BucketLoggingA(stack, jsii.String("terraform_state_logging"), &s3bucketlogging.S3BucketLoggingAConfig{
		Bucket:       bucket.Bucket.Bucket(),
		TargetBucket: logs.Bucket.Bucket(),
		TargetPrefix: jsii.String(logPrefix),
		DependsOn:    &logs.Ready,
	})
	return stateBucket{Bucket: bucket.Bucket, Key: key, Alias: alias, AccessLog: logs.Bucket}
}
