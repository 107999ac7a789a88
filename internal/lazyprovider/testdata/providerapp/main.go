// Command providerapp synthesizes one stack with an AwsProvider and a VPC. The
// package tests build it to check, through the real jsii runtime, that the hook
// is in place before node starts and that the output does not change.
package main

import (
	_ "fastshop/internal/lazyprovider"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

func main() {
	defer jsii.Close()
	app := cdktf.NewApp(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("probe"))
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{
		Region: jsii.String("eu-west-1"),
	})
	network := vpc.NewVpc(stack, jsii.String("main"), &vpc.VpcConfig{
		CidrBlock: jsii.String("10.0.0.0/16"),
	})
	// An output whose value is an object: cdktf synthesizes it with
	// util.isArray, which Node 22 and 24 warn about (DEP0044) unless the hook
	// silences it.
	cdktf.NewTerraformOutput(stack, jsii.String("vpc"), &cdktf.TerraformOutputConfig{
		Value: &map[string]*string{"id": network.Id(), "cidr_block": jsii.String("10.0.0.0/16")},
	})
	app.Synth()
}
