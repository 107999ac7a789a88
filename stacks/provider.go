package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// addAWSProvider configures the stack's AWS provider: its region, the
// default tags every taggable resource gets, and the one account it may act
// in. With allowed_account_ids set, the provider compares the account of
// the credentials (STS GetCallerIdentity) with it before any other call and
// stops with "AWS account ID not allowed: <account>" when they differ
// (terraform-provider-aws internal/conns/config.go, ConfigureProvider, via
// aws-sdk-go-base VerifyAccountIDAllowed): prod's plan with dev's
// credentials, or any plan while a placeholder account is configured, fails
// before it reads or changes anything. Every stack builds its provider
// here, so none can leave the guard out.
func addAWSProvider(stack cdktf.TerraformStack, region, accountID string, tags map[string]*string) {
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{
		Region:            jsii.String(region),
		AllowedAccountIds: jsii.Strings(accountID),
		DefaultTags:       &[]*provider.AwsProviderDefaultTags{{Tags: &tags}},
	})
}
