package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// NewPipeline adds one environment's whole transaction pipeline as a stack
// whose id is the environment name. env must have passed config.Validate.
func NewPipeline(scope constructs.Construct, state config.StateBackend, env config.Environment) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(scope, jsii.String(env.Name))
	addStateBackend(stack, state, env)

	tags := defaultTags(env.Name, env.Owner)
	// A region outside the residency allow-list carries its LGPD art. 33
	// basis on every resource, where the plan (and the policy pack's RES-01)
	// and anyone looking at the resource can see it.
	if env.DataTransferBasis != "" {
		tags[config.DataTransferBasisTag] = jsii.String(env.DataTransferBasis)
	}
	addAWSProvider(stack, env.Region, env.AccountID, tags)

	// Concerns in dependency order: each hands back what the next needs.
	keys := addEncryption(stack, env)
	net := addNetwork(stack, env, keys)
	groups := addSecurityGroups(stack, env, net)
	endpoints := addEndpoints(stack, env, net, groups)
	stream := addStreaming(stack, env, keys)
	db := addDatabase(stack, env, keys, net, groups)
	cache := addCache(stack, env, keys, net, groups)
	kcl := addKCL(stack, env)
	roles := addIdentities(stack, env, keys, net, groups, stream, db, cache, kcl)
	alerts := addAlarms(stack, env, stream, db, cache, kcl)
	addOutputs(stack, net, groups, keys, stream, db, cache)
	addOperationsOutputs(stack, endpoints, roles, alerts, cache)
	addKCLOutputs(stack, kcl, endpoints)
	return stack
}
