package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// lifecycle protects stateful resources from destroy where the environment
// asks for it (prod always does).
func lifecycle(env config.Environment) *cdktf.TerraformResourceLifecycle {
	if !env.PreventDestroy {
		return nil
	}
	return &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
}

// protect keeps a resource from being destroyed by any plan: the bootstrap's
// resources hold every environment's state.
var protect = &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
