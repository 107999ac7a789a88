package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlogging"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// RequiredTerraformVersion is the range of Terraform versions that support
// the emitted backend settings: use_lockfile (native S3 locking) arrived in
// 1.10.
const RequiredTerraformVersion = ">= 1.10.0, < 2.0.0"

// AWSProviderSource and AWSProviderVersion are written to required_providers.
// The bindings pin 5.99.1 with a short source; operators install providers
// from the registry or a mirror by full source, and any 5.x from 5.99 on
// (5.100.0 here) carries the resources we use.
const (
	AWSProviderSource  = "hashicorp/aws"
	AWSProviderVersion = ">= 5.99.1, < 6.0.0"
)

// addStateBackend declares where the stack's state lives and pins the
// Terraform and provider versions the output needs.
func addStateBackend(stack cdktf.TerraformStack, state config.StateBackend, env config.Environment) {
	switch state.Kind {
	case config.BackendCloud:
		cdktf.NewCloudBackend(stack, &cdktf.CloudBackendConfig{
			Organization: jsii.String(state.Organization),
			// The project decides which project's settings (variable
			// sets, policy sets, teams) apply to a workspace it creates,
			// and HCP Terraform's tokens carry it in their subject.
			Workspaces: cdktf.NewNamedCloudWorkspace(jsii.String(env.Workspace()), jsii.String(state.Project)),
		})
	default:
		// State lives in the state account, workloads in their own: the
		// backend crosses over through a role that reaches only this
		// environment's keys. The alias then resolves in the state account
		// too.
		addS3Backend(stack, state, config.StateKey(env.Name), &cdktf.S3BackendAssumeRoleConfig{
			RoleArn:     jsii.String(state.StateAccessRoleARN(env)),
			SessionName: jsii.String(env.SessionName()),
		})
	}
	pinVersions(stack)
}

// addS3Backend keeps the stack's state at key in the state bucket, every
// object encrypted with the state key and writes serialized by an S3 lock
// file. Every S3 backend we emit (the pipelines' and the bootstrap's own)
// comes from here, so none can drift from the others. role is nil when the
// caller's credentials already belong to the state account.
func addS3Backend(stack cdktf.TerraformStack, state config.StateBackend, key string, role *cdktf.S3BackendAssumeRoleConfig) {
	cdktf.NewS3Backend(stack, &cdktf.S3BackendConfig{
		Bucket:     jsii.String(state.Bucket),
		Region:     jsii.String(state.Region),
		Key:        jsii.String(key),
		Encrypt:    jsii.Bool(true),
		KmsKeyId:   jsii.String(config.StateKeyAlias),
		AssumeRole: role,
	})
	// cdktf v0.20.12's S3BackendConfig predates native S3 locking
	// (Terraform 1.10), so the setting goes in by override. No DynamoDB
	// table: that locking is deprecated.
	stack.AddOverride(jsii.String("terraform.backend.s3.use_lockfile"), jsii.Bool(true))
}

// addOwnStateBackend keeps the state of a stack an administrator applies
// (the state bootstrap, the deploy identities): in a local file for its
// very first apply (local), afterwards in the state bucket at
// StateKey(id), locked and encrypted like every stack's, with the
// administrator's own credentials for the bucket (no role is assumed).
func addOwnStateBackend(stack cdktf.TerraformStack, state config.StateBackend, id string, local bool) {
	if local {
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String(config.BootstrapStatePath)})
	} else {
		addS3Backend(stack, state, config.StateKey(id), nil)
	}
	pinVersions(stack)
}

// pinVersions writes the Terraform and provider version constraints every
// stack's output needs (the pipelines' and the state bootstrap's).
func pinVersions(stack cdktf.TerraformStack) {
	stack.AddOverride(jsii.String("terraform.required_version"), jsii.String(RequiredTerraformVersion))
	stack.AddOverride(jsii.String("terraform.required_providers.aws.source"), jsii.String(AWSProviderSource))
	stack.AddOverride(jsii.String("terraform.required_providers.aws.version"), jsii.String(AWSProviderVersion))
}

// stateBucket is what the bootstrap built, for its outputs and the
// state-access roles, each value read from the binding once.
type stateBucket struct {
	BucketID, BucketARN, BucketRegion string
	KeyARN, KeyID, AliasName          string
	AccessLogID                       string
}

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
	keyID := key.KeyId()
	alias := kmsalias.NewKmsAlias(stack, jsii.String("state_key"), &kmsalias.KmsAliasConfig{
		Name:        jsii.String(config.StateKeyAlias),
		TargetKeyId: keyID,
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
		Bucket:       bucket.Name,
		TargetBucket: logs.Name,
		TargetPrefix: jsii.String(logPrefix),
		DependsOn:    &logs.Ready,
	})
	return stateBucket{
		BucketID:     *bucket.Bucket.Id(),
		BucketARN:    *bucket.Bucket.Arn(),
		BucketRegion: *bucket.Bucket.Region(),
		KeyARN:       *key.Arn(),
		KeyID:        *keyID,
		AliasName:    *alias.Name(),
		AccessLogID:  *logs.Bucket.Id(),
	}
}
