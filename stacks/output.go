package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// outputsOf returns a function that adds a described Terraform output to
// stack. Every output has a description: it is what an operator reads in
// terraform output and in the README's tables.
func outputsOf(stack cdktf.TerraformStack) func(name, description string, value any) {
	return func(name, description string, value any) {
		cdktf.NewTerraformOutput(stack, jsii.String(name), &cdktf.TerraformOutputConfig{
			Value:       value,
			Description: jsii.String(description),
		})
	}
}
