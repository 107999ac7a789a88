package stacks

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Kinds of state backend an environment can choose.
const (
	BackendS3    = "s3"
	BackendCloud = "cloud"
)

// StateBackend says where Terraform keeps an environment's state.
type StateBackend struct {
	// Kind is BackendS3 or BackendCloud.
	Kind string
	// Bucket and Region locate the S3 state bucket (BackendS3). The bucket
	// is created by the state bootstrap stack and encrypted with the key
	// behind StateKeyAlias.
	Bucket string
	Region string
	// AccountID owns the state bucket and its key (FASTSHOP_STATE_ACCOUNT_ID):
	// a state account apart from the workload accounts. Each backend
	// assumes its environment's state-access role there.
	AccountID string
	// Organization is the Terraform Cloud organization (BackendCloud); each
	// environment gets its own workspace, named by Workspace.
	Organization string
}

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

// StateKey is the object key of an environment's state in the S3 bucket.
func StateKey(env string) string {
	return fmt.Sprintf("fastshop/%s/terraform.tfstate", env)
}

// StateAccessRole is the role in the state account that an environment's
// backend assumes: it may read and write only that environment's state
// (dev's also covers the ephemeral stacks built from dev).
func StateAccessRole(env Environment) string {
	base := env.Name
	if env.Base != "" {
		base = env.Base
	}
	return "fastshop-terraform-state-" + base
}

// StateAccessRoleARN is StateAccessRole in the state account.
func StateAccessRoleARN(env Environment) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", env.State.AccountID, StateAccessRole(env))
}

// deployRoleARN matches an IAM role ARN: account, optional path, name (IAM's
// character set for paths and role names, which has no wildcard).
var deployRoleARN = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$`)

// validateDeployPrincipals checks the roles an environment's state-access
// role trusts: each an IAM role ARN in the environment's own account (the
// trust policy admits that account only), at least one, no wildcard, none
// twice. field names the setting in messages.
func validateDeployPrincipals(env, field, accountID string, principals []string) []error {
	var problems []error
	bad := func(value any, allowed string) {
		problems = append(problems, &FieldError{env, field, value, allowed})
	}
	if len(principals) == 0 {
		bad(principals, "at least one IAM role ARN of a deploy role in account "+accountID+" (arn:aws:iam::"+accountID+":role/<name>)")
	}
	for i, p := range principals {
		m := deployRoleARN.FindStringSubmatch(p)
		switch {
		case strings.ContainsAny(p, "*?"):
			bad(p, "no wildcards: name each deploy role's ARN")
		case m == nil:
			bad(p, "an IAM role ARN, arn:aws:iam::<account>:role/[<path>/]<name> (name at most 64 of letters, digits and +=,.@_-)")
		case m[1] != accountID:
			bad(p, "a role in the environment's account "+accountID)
		case slices.Contains(principals[:i], p):
			bad(p, "listed twice")
		}
	}
	return problems
}

// Workspace is the Terraform Cloud workspace of an environment.
func Workspace(env string) string {
	return "fastshop-" + env
}

// addStateBackend declares where the stack's state lives and pins the
// Terraform and provider versions the output needs.
func addStateBackend(stack cdktf.TerraformStack, env Environment) {
	switch env.State.Kind {
	case BackendCloud:
		cdktf.NewCloudBackend(stack, &cdktf.CloudBackendConfig{
			Organization: jsii.String(env.State.Organization),
			Workspaces:   cdktf.NewNamedCloudWorkspace(jsii.String(Workspace(env.Name)), nil),
		})
	default:
		// State lives in the state account, workloads in their own: the
		// backend crosses over through a role that reaches only this
		// environment's keys. The alias then resolves in the state account
		// too.
		addS3Backend(stack, env.State, StateKey(env.Name), &cdktf.S3BackendAssumeRoleConfig{
			RoleArn:     jsii.String(StateAccessRoleARN(env)),
			SessionName: jsii.String(sessionName(env.Name)),
		})
	}
	pinVersions(stack)
}

// sessionName is the backend's STS session name, which CloudTrail records
// for every state read and write.
func sessionName(env string) string {
	return "fastshop-" + env
}

// addS3Backend keeps the stack's state at key in the state bucket, every
// object encrypted with the state key and writes serialized by an S3 lock
// file. Every S3 backend we emit (the pipelines' and the bootstrap's own)
// comes from here, so none can drift from the others. role is nil when the
// caller's credentials already belong to the state account.
func addS3Backend(stack cdktf.TerraformStack, state StateBackend, key string, role *cdktf.S3BackendAssumeRoleConfig) {
	cdktf.NewS3Backend(stack, &cdktf.S3BackendConfig{
		Bucket:     jsii.String(state.Bucket),
		Region:     jsii.String(state.Region),
		Key:        jsii.String(key),
		Encrypt:    jsii.Bool(true),
		KmsKeyId:   jsii.String(StateKeyAlias),
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
