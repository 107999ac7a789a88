// Command providerapp is the smallest program that loads the AWS provider:
// one app, one stack, an AwsProvider and a VPC, synthesized. The synth
// benchmark runs it to isolate the provider's load cost from our own stacks.
//
// It honours CDKTF_OUTDIR (cdktf's own default) so a benchmark can point it
// at a temporary directory.
package main

import (
	_ "fastshop/internal/lazyprovider"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

func newStack(scope constructs.Construct, id string) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(scope, jsii.String(id))
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{
		Region: jsii.String("eu-west-1"),
	})
	vpc.NewVpc(stack, jsii.String("main"), &vpc.VpcConfig{
		CidrBlock: jsii.String("10.0.0.0/16"),
	})
	return stack
}

func main() {
	defer jsii.Close()
	app := cdktf.NewApp(nil)
	newStack(app, "probe")
	app.Synth()
}
