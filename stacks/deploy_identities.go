package stacks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamopenidconnectprovider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iampolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachment"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// NewDeployIdentities adds the stack an administrator applies once in an
// environment's workload account, before the environment's own stack: the
// OIDC provider of the issuer (HCP Terraform by default), the plan and
// apply roles that the environment's runs assume, and the permissions
// boundary every role of the pipeline stack carries. Its state lives like
// the state bootstrap's (local for the first apply, then the bucket). The
// configuration must have passed config.Validate.
func NewDeployIdentities(scope constructs.Construct, state config.StateBackend, d config.DeployIdentities, env config.Environment) cdktf.TerraformStack {
	id := d.StackID(env)
	stack := cdktf.NewTerraformStack(scope, jsii.String(id))
	addOwnStateBackend(stack, state, id, d.LocalState)

	// An administrator's credentials for the wrong account would create
	// another account's deploy roles: the provider refuses them first.
	addAWSProvider(stack, env.Region, env.AccountID, defaultTags(env.Name, env.Owner))

	// No thumbprint: IAM verifies the issuer's certificate against its
	// trusted root CAs and only falls back to thumbprints for issuers
	// outside them (IAM API Reference, CreateOpenIDConnectProvider,
	// ThumbprintList; optional in the provider since 5.81).
	oidcARN := oidcProviderARN(d.OIDC, env)
	oidc := iamopenidconnectprovider.NewIamOpenidConnectProvider(stack, jsii.String("deploy"), &iamopenidconnectprovider.IamOpenidConnectProviderConfig{
		Url:          jsii.String(d.OIDC.Issuer),
		ClientIdList: jsii.Strings(d.OIDC.Audience),
		Tags:         nameTag(strings.TrimPrefix(d.OIDC.Issuer, "https://")),
	})
	boundary := iampolicy.NewIamPolicy(stack, jsii.String("workload_boundary"), &iampolicy.IamPolicyConfig{
		Name:        jsii.String(config.BoundaryPolicyName),
		Description: jsii.String("Permissions boundary of every role the " + env.Name + " pipeline stack creates: the most any of them may do"),
		Policy:      jsii.String(boundaryPolicy(env).JSON()),
		Tags:        nameTag(config.BoundaryPolicyName),
	})

	output := outputsOf(stack)
	output("iam_openid_connect_provider_arn", "The OIDC provider of "+d.OIDC.Issuer+" that the deploy roles trust", oidc.Arn())
	output("iam_policy_workload_boundary_arn", "Permissions boundary every role of the "+env.Name+" stack carries", boundary.Arn())
	for _, phase := range config.Phases {
		name := env.DeployRoleName(phase)
		role := iamrole.NewIamRole(stack, jsii.String("deploy_"+phase), &iamrole.IamRoleConfig{
			Name:             jsii.String(name),
			Description:      jsii.String(fmt.Sprintf("Terraform %s runs of workspace %s", phase, env.Workspace())),
			AssumeRolePolicy: jsii.String(deployTrustPolicy(d.OIDC, oidcARN, env, phase).JSON()),
			// A run's token and session last one hour; HCP Terraform
			// assumes the role again for a longer run.
			MaxSessionDuration: jsii.Number(3600),
			Tags:               nameTag(name),
			// IAM refuses a trust policy naming a provider that does not
			// exist; the ARN is written out so the plan shows it.
			DependsOn: &[]cdktf.ITerraformDependable{oidc},
		})
		// A managed policy holds at most 6,144 characters (IAM quotas):
		// the permissions are packed into as many as they need.
		for i, doc := range packPolicies(deployPolicy(state, d, env, phase)) {
			part := fmt.Sprintf("deploy_%s_access_%d", phase, i+1)
			policy := iampolicy.NewIamPolicy(stack, jsii.String(part), &iampolicy.IamPolicyConfig{
				Name:        jsii.String(env.DeployPolicyName(phase, i+1)),
				Description: jsii.String(fmt.Sprintf("What a Terraform %s of the %s stack needs (part %d)", phase, env.Name, i+1)),
				Policy:      jsii.String(doc.JSON()),
				Tags:        nameTag(env.DeployPolicyName(phase, i+1)),
			})
			iamrolepolicyattachment.NewIamRolePolicyAttachment(stack, jsii.String(part+"_attachment"), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
				Role:      role.Name(),
				PolicyArn: policy.Arn(),
			})
		}
		output("iam_role_deploy_"+phase+"_arn", "Role of the "+phase+" phase of workspace "+env.Workspace()+" (TFC_AWS_"+strings.ToUpper(phase)+"_ROLE_ARN)", role.Arn())
	}
	return stack
}

// maxManagedPolicyChars is IAM's limit on a managed policy document
// (IAM User Guide, "IAM and AWS STS quotas": 6,144 characters, white space
// not counted; ours has none).
const maxManagedPolicyChars = 6144

// packPolicies splits a document into as few as hold its statements in
// order, each within maxManagedPolicyChars.
func packPolicies(doc policyDocument) []policyDocument {
	var out []policyDocument
	current := newPolicy()
	for _, st := range doc.Statement {
		next := newPolicy(append(slices.Clone(current.Statement), st)...)
		if len(current.Statement) > 0 && len(next.JSON()) > maxManagedPolicyChars {
			out = append(out, current)
			next = newPolicy(st)
		}
		current = next
	}
	return append(out, current)
}

// oidcProviderARN is the provider's ARN, known before it exists.
func oidcProviderARN(o config.OIDC, env config.Environment) string {
	return fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", env.AccountID, strings.TrimPrefix(o.Issuer, "https://"))
}

// deployTrustPolicy trusts tokens of the issuer for one run phase of one
// workspace: the subject and the audience exactly (StringEquals, no
// wildcard), as HCP Terraform's AWS guide shows them with StringLike.
func deployTrustPolicy(o config.OIDC, oidcARN string, env config.Environment, phase string) policyDocument {
	return newPolicy(policyStatement{
		Sid:       "AssumeFromRunPhase",
		Effect:    "Allow",
		Principal: map[string]any{"Federated": oidcARN},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: map[string]map[string]any{
			"StringEquals": {
				o.ConditionKey("aud"): o.Audience,
				o.ConditionKey("sub"): o.SubjectOf(env, phase),
			},
		},
	})
}

// workloadBoundaryActions are every action a role of the pipeline stack
// is granted (the producer, processor, task execution, flow-log and pipe
// roles);
// TestBoundaryCoversWorkloadRoles fails when a stack role is granted one
// outside it, which the boundary would silently deny at run time.
var workloadBoundaryActions = func() []string {
	all := slices.Concat(producerStreamActions, producerKeyActions, processorStreamActions, processorKeyActions,
		processorDBActions, processorCacheActions, processorLogActions, lambdaCreateENIActions, lambdaManageENIActions,
		lambdaDescribeActions, executionTokenActions, executionPullActions, executionLogActions, kclTableActions, kclIndexActions, kclKeyActions, kclMetricsActions, alertKeyActions,
		[]string{"logs:DescribeLogGroups", "logs:DescribeLogStreams", "sns:Publish", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"})
	slices.Sort(all)
	return slices.Compact(all)
}()

// boundaryPolicy is the most a role created by the apply role may do: the
// workload actions, in the environment's region. No IAM, no STS, no
// control-plane action: a role the apply role creates cannot create,
// change or assume anything.
func boundaryPolicy(env config.Environment) policyDocument {
	return newPolicy(policyStatement{
		Sid:       "WorkloadActionsInRegion",
		Effect:    "Allow",
		Action:    workloadBoundaryActions,
		Resource:  "*",
		Condition: inRegion(env),
	})
}

// inRegion limits a statement to the environment's region.
func inRegion(env config.Environment) map[string]map[string]any {
	return map[string]map[string]any{"StringEquals": {"aws:RequestedRegion": env.Region}}
}

// iamReadActions and iamWrite... split deployAPI's IAM actions by what
// decides who may be written.
var (
	// boundedRoleWrites are the role writes IAM can condition on the
	// permissions boundary (Service Authorization Reference, IAM,
	// iam:PermissionsBoundary): each needs ours on the role.
	boundedRoleWrites = []string{"iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"}
	// protectedIAMWrites are denied on the deploy identities themselves,
	// whatever else allows them.
	protectedIAMWrites = []string{
		"iam:AddClientIDToOpenIDConnectProvider", "iam:AttachRolePolicy", "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:DeleteOpenIDConnectProvider",
		"iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
		"iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:RemoveClientIDFromOpenIDConnectProvider",
		"iam:SetDefaultPolicyVersion", "iam:TagOpenIDConnectProvider", "iam:TagPolicy", "iam:TagRole", "iam:UntagOpenIDConnectProvider",
		"iam:UntagPolicy", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:UpdateRole",
		"iam:UpdateRoleDescription",
	}
)

// deployPolicy is the plan or the apply role's permissions for env's
// stack: the reads of every resource type it holds, and for apply their
// writes, scoped by name, account and region.
func deployPolicy(state config.StateBackend, d config.DeployIdentities, env config.Environment, phase string) policyDocument {
	types := pipelineTypes()
	apply := phase == config.PhaseApply
	actions := stackActions(types, apply)
	account := func(rest string) string { return fmt.Sprintf("arn:aws:iam::%s:%s", env.AccountID, rest) }
	stackRoles := account("role/fastshop-*-" + env.Name)
	stackPolicies := account("policy/fastshop-*-" + env.Name)

	var statements []policyStatement
	var reads []string
	services := sortedKeys(actions)
	for _, s := range services {
		if s == "iam" {
			continue
		}
		for _, a := range actions[s] {
			if isReadAction(a) {
				reads = append(reads, a)
			}
		}
	}
	// Describe and List calls of these services take no resource (or
	// are listed across resources): they are read on "*", in the region.
	statements = append(statements, policyStatement{Sid: "ReadStackResources", Effect: "Allow", Action: reads, Resource: "*", Condition: inRegion(env)})
	var iamReads []string
	for _, a := range actions["iam"] {
		if isReadAction(a) {
			iamReads = append(iamReads, a)
		}
	}
	statements = append(statements, allow("ReadStackIdentities", iamReads, []string{stackRoles, stackPolicies, config.BoundaryPolicyARN(env.AccountID)}))

	if apply {
		resources := regionalResources(env)
		for _, s := range services {
			if s == "iam" {
				continue
			}
			var writes []string
			for _, a := range actions[s] {
				if !isReadAction(a) && !slices.Contains(unscopedWrites, a) {
					writes = append(writes, a)
				}
			}
			if len(writes) == 0 {
				continue
			}
			st := policyStatement{Sid: "Write" + strings.ToUpper(s[:1]) + s[1:], Effect: "Allow", Action: writes, Resource: resources[s], Condition: inRegion(env)}
			if s == "route53" {
				// Route 53 is global: its requests are not in the region.
				st.Condition = nil
			}
			statements = append(statements, st)
		}
		statements = append(statements,
			policyStatement{Sid: "WriteUnscoped", Effect: "Allow", Action: unscopedWrites, Resource: "*", Condition: inRegion(env)},
			// RDS, ElastiCache, DynamoDB and Secrets Manager use the
			// stack's keys on the caller's behalf at create (grants for
			// the resource, the managed secret's data key).
			policyStatement{Sid: "GrantKeysToServices", Effect: "Allow", Action: []string{"kms:CreateGrant"},
				Resource: fmt.Sprintf("arn:aws:kms:%s:%s:key/*", env.Region, env.AccountID),
				Condition: map[string]map[string]any{
					"Bool":         {"kms:GrantIsForAWSResource": "true"},
					"StringEquals": {"kms:ViaService": viaServices(env, "dynamodb", "elasticache", "rds")},
				}},
			policyStatement{Sid: "UseKeysThroughServices", Effect: "Allow", Action: []string{"kms:Decrypt", "kms:GenerateDataKey"},
				Resource:  fmt.Sprintf("arn:aws:kms:%s:%s:key/*", env.Region, env.AccountID),
				Condition: map[string]map[string]any{"StringEquals": {"kms:ViaService": viaServices(env, "secretsmanager")}}},
		)
		statements = append(statements, deployIAMStatements(d, env, actions["iam"], stackRoles, stackPolicies)...)
	}
	if state.Kind == config.BackendS3 {
		// The S3 backend takes the lock and reads (apply: writes) state
		// through the environment's state-access role.
		statements = append(statements, allow("AssumeStateAccessRole", []string{"sts:AssumeRole"}, state.StateAccessRoleARN(env)))
	}
	return newPolicy(statements...)
}

// deployIAMStatements are the apply role's IAM writes: roles and policies
// of the stack by name, every role write IAM can condition on it only with
// our boundary, roles passed only to their service, and nothing on the
// deploy identities themselves.
func deployIAMStatements(d config.DeployIdentities, env config.Environment, iamActions []string, stackRoles, stackPolicies string) []policyStatement {
	var roleWrites, policyWrites []string
	for _, a := range iamActions {
		switch {
		case isReadAction(a), slices.Contains(boundedRoleWrites, a):
		case strings.Contains(a, "Policy") && !strings.Contains(a, "Role"):
			policyWrites = append(policyWrites, a)
		default:
			roleWrites = append(roleWrites, a)
		}
	}
	var bounded []string
	for _, a := range iamActions {
		if slices.Contains(boundedRoleWrites, a) {
			bounded = append(bounded, a)
		}
	}
	boundaryARN := config.BoundaryPolicyARN(env.AccountID)
	statements := []policyStatement{
		{Sid: "WriteBoundedStackRoles", Effect: "Allow", Action: bounded, Resource: stackRoles,
			Condition: map[string]map[string]any{"StringEquals": {"iam:PermissionsBoundary": boundaryARN}}},
		allow("ManageStackRoles", roleWrites, stackRoles),
		allow("ManageStackPolicies", policyWrites, stackPolicies),
	}
	// The deploy roles are never handed to a service (Trivy AWS-0342 asks
	// every policy allowing iam:PassRole to deny it somewhere too, so the
	// deny sits beside the allows, in the same document).
	statements = append(statements, policyStatement{
		Sid: "PassNoDeployRole", Effect: "Deny", Action: []string{"iam:PassRole"},
		Resource: fmt.Sprintf("arn:aws:iam::%s:role/%s", env.AccountID, env.ResourceName("deploy-*")),
	})
	for _, r := range passedRoles(env) {
		statements = append(statements, policyStatement{
			Sid: "Pass" + camel(strings.TrimPrefix(strings.TrimSuffix(r.Name, "-"+env.Name), "fastshop-")) + "Role", Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: fmt.Sprintf("arn:aws:iam::%s:role/%s", env.AccountID, r.Name),
			Condition: map[string]map[string]any{"StringEquals": {"iam:PassedToService": r.Service}},
		})
	}
	// RDS and ElastiCache create their service-linked role on first use
	// with the caller's permission. IAM fixes such a role's permissions
	// and lets only the service assume it, so it needs no boundary.
	statements = append(statements, policyStatement{
		Sid: "CreateServiceLinkedRoles", Effect: "Allow", Action: []string{"iam:CreateServiceLinkedRole"},
		Resource:  fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/*", env.AccountID),
		Condition: map[string]map[string]any{"StringEquals": {"iam:AWSServiceName": serviceLinkedRoleServices}},
	})
	own := []string{
		fmt.Sprintf("arn:aws:iam::%s:role/%s", env.AccountID, env.ResourceName("deploy-*")),
		fmt.Sprintf("arn:aws:iam::%s:policy/%s", env.AccountID, env.ResourceName("deploy-*")),
		boundaryARN, oidcProviderARN(d.OIDC, env),
	}
	statements = append(statements,
		policyStatement{Sid: "ProtectDeployIdentities", Effect: "Deny", Action: protectedIAMWrites, Resource: own},
		policyStatement{Sid: "KeepEveryBoundary", Effect: "Deny", Action: []string{"iam:DeleteRolePermissionsBoundary"}, Resource: "*"},
	)
	return statements
}

// serviceLinkedRoleServices create a service-linked role the first time a
// stack uses them in an account.
var serviceLinkedRoleServices = []string{"elasticache.amazonaws.com", "rds.amazonaws.com"}

// camel turns "flow-logs" into "FlowLogs" (policy Sids are alphanumeric).
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// viaServices are kms:ViaService values of services in env's region.
func viaServices(env config.Environment, services ...string) []string {
	var out []string
	for _, s := range services {
		out = append(out, s+"."+env.Region+".amazonaws.com")
	}
	return out
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
