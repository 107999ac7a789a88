package stacks

import (
	"github.com/aws/jsii-runtime-go"
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
			Workspaces:   cdktf.NewNamedCloudWorkspace(jsii.String(env.Workspace()), nil),
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

// pinVersions writes the Terraform and provider version constraints every
// stack's output needs (the pipelines' and the state bootstrap's).
func pinVersions(stack cdktf.TerraformStack) {
	stack.AddOverride(jsii.String("terraform.required_version"), jsii.String(RequiredTerraformVersion))
	stack.AddOverride(jsii.String("terraform.required_providers.aws.source"), jsii.String(AWSProviderSource))
	stack.AddOverride(jsii.String("terraform.required_providers.aws.version"), jsii.String(AWSProviderVersion))
}
