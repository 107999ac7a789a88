package stacks

import (
	"fmt"
	"slices"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// stateAccessRole is one tenant's role, for the outputs.
type stateAccessRole struct {
	tenant string
	role   iamrole.IamRole
}

// stateAccessTrustPolicy lets only the tenant's deploy roles assume its
// state-access role. The principal is the tenant's account, narrowed by
// aws:PrincipalArn to the listed role ARNs: IAM refuses a trust policy whose
// principal is a role that does not exist (yet), and turns a role principal
// into the role's unique id, so a deleted and recreated deploy role would
// silently lose access; a condition on the ARN has neither problem. The
// account-wide root principal alone would let any administrator of the
// workload account, or any role allowed sts:AssumeRole on *, in.
func stateAccessTrustPolicy(t config.Tenant) policyDocument {
	return newPolicy(policyStatement{
		Sid:       "AssumeFromDeployRoles",
		Effect:    "Allow",
		Principal: map[string]any{"AWS": fmt.Sprintf("arn:aws:iam::%s:root", t.AccountID)},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string]any{
			"ArnEquals": {"aws:PrincipalArn": slices.Clone(t.DeployPrincipals)},
		},
	})
}

// stateObjectActions are what the S3 backend does with a state object and
// its lock file (use_lockfile writes <key>.tflock next to it).
var stateObjectActions = []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}

// addStateAccessRoles gives each environment's account a role that reads
// and writes only that environment's state: a workload account's
// administrators cannot touch another environment's state. dev's role also
// reaches the ephemeral stacks (fastshop/<suffix>/), so it is denied the
// other tenants' prefixes explicitly.
func addStateAccessRoles(stack cdktf.TerraformStack, state config.StateBackend, b config.Bootstrap, built stateBucket) []stateAccessRole {
	bucketARN := "arn:aws:s3:::" + state.Bucket
	var roles []stateAccessRole
	for _, t := range b.Tenants {
		prefix := bucketARN + "/fastshop/" + t.Name + "/*"
		statements := []policyStatement{
			allow("ListStateBucket", []string{"s3:ListBucket"}, bucketARN),
			allow("ReadWriteOwnState", stateObjectActions, prefix),
			{
				Sid:      "UseStateKeyThroughS3",
				Effect:   "Allow",
				Action:   []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
				Resource: built.KeyARN,
				Condition: map[string]map[string]any{
					"StringEquals": {"kms:ViaService": "s3." + state.Region + ".amazonaws.com"},
				},
			},
		}
		if t.Name == config.Dev {
			statements[1].Resource = bucketARN + "/fastshop/*"
			var others []string
			for _, o := range b.Tenants {
				if o.Name != t.Name {
					others = append(others, bucketARN+"/fastshop/"+o.Name+"/*")
				}
			}
			// The administrators' stacks: the bootstrap's and the deploy
			// identities' (an apply role must not rewrite the state of
			// the stack that grants it).
			others = append(others, bucketARN+"/fastshop/"+config.BootstrapID+"/*", bucketARN+"/fastshop/"+config.DeployIdentitiesPrefix+"*")
			statements = append(statements, policyStatement{
				Sid: "DenyOtherEnvironmentsState", Effect: "Deny", Action: stateObjectActions, Resource: others,
			})
		}
		name := t.StateAccessRole()
		role := iamrole.NewIamRole(stack, jsii.String("state_access_"+t.Name), &iamrole.IamRoleConfig{
			Name:             jsii.String(name),
			Description:      jsii.String("Terraform S3 backend of the " + t.Name + " environment: its own state only"),
			AssumeRolePolicy: jsii.String(stateAccessTrustPolicy(t).JSON()),
			Tags:             nameTag(name),
		})
		iamrolepolicy.NewIamRolePolicy(stack, jsii.String("state_access_"+t.Name+"_policy"), &iamrolepolicy.IamRolePolicyConfig{
			Name:   jsii.String(config.StateAccessPolicyName),
			Role:   role.Id(),
			Policy: jsii.String(newPolicy(statements...).JSON()),
		})
		roles = append(roles, stateAccessRole{tenant: t.Name, role: role})
	}
	return roles
}
