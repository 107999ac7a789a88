package stacks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcendpoint"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// endpointService is one AWS API reached privately: the service name's
// suffix (com.amazonaws.<region>.<service>) and the construct id.
type endpointService struct{ service, id string }

// apiEndpoints are the interface endpoints every environment has: what the
// processors and the AWS SDK call (the stream, its key, secrets, logs, STS
// for role credentials, and CloudWatch for KCL's metrics).
var apiEndpoints = []endpointService{
	{"kinesis-streams", "kinesis_api"},
	{"kms", "kms_api"},
	{"secretsmanager", "secrets_manager_api"},
	{"logs", "logs_api"},
	{"sts", "sts_api"},
	{"monitoring", "monitoring_api"},
}

// imageEndpoints let ECS tasks pull their images from ECR without internet
// egress (image layers come from S3 through the gateway endpoint).
var imageEndpoints = []endpointService{
	{"ecr.api", "ecr_api"},
	{"ecr.dkr", "ecr_docker_api"},
}

// interfaceEndpoints lists the interface endpoints of env, in creation order.
func interfaceEndpoints(env config.Environment) []endpointService {
	out := slices.Clone(apiEndpoints)
	if slices.Contains(env.ProcessorPrincipals, config.ServiceECSTasks) {
		out = append(out, imageEndpoints...)
	}
	return out
}

// endpoints is what outputs need of the private paths to AWS.
type endpoints struct {
	Group    securitygroup.SecurityGroup
	S3       vpcendpoint.VpcEndpoint
	DynamoDB vpcendpoint.VpcEndpoint
}

// addEndpoints gives the private subnets their own paths to AWS APIs: S3
// and DynamoDB (KCL's tables) gateways on the private route tables and
// interface endpoints with private DNS, so the SDK's default host names resolve to addresses in the VPC. The
// endpoint group admits HTTPS from the application group only, and the
// application group may reach the endpoints and S3's prefix list on 443.
//
// No endpoint policies: the default full-access policy leaves authorization
// to the role policies (identities.go) and key policies, which name exact
// actions and resources. A data-perimeter endpoint policy would need either
// wildcard actions or a copy of every role's action list, and for S3 must
// keep AWS-owned buckets (ECR image layers) reachable.
func addEndpoints(stack cdktf.TerraformStack, env config.Environment, net network, g securityGroups) endpoints {
	name := env.ResourceName("endpoints-sg")
	group := securitygroup.NewSecurityGroup(stack, jsii.String("endpoint_tier"), &securitygroup.SecurityGroupConfig{
		Name:        jsii.String(name),
		Description: jsii.String("FastShop AWS API endpoints: admit HTTPS from the processors only"),
		VpcId:       net.VPC.Id(),
		Tags:        nameTag(name),
	})
	vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(stack, jsii.String("endpoints_from_app"), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
		SecurityGroupId:           group.Id(),
		ReferencedSecurityGroupId: g.App.Id(),
		IpProtocol:                jsii.String("tcp"),
		FromPort:                  number(httpsPort),
		ToPort:                    number(httpsPort),
		Description:               jsii.String("HTTPS from the transaction processors to AWS APIs"),
	})
	vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(stack, jsii.String("app_to_endpoints"), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
		SecurityGroupId:           g.App.Id(),
		ReferencedSecurityGroupId: group.Id(),
		IpProtocol:                jsii.String("tcp"),
		FromPort:                  number(httpsPort),
		ToPort:                    number(httpsPort),
		Description:               jsii.String("Processors to AWS APIs through the VPC endpoints"),
	})

	serviceName := func(service string) *string {
		return jsii.String(fmt.Sprintf("com.amazonaws.%s.%s", env.Region, service))
	}
	// gateway adds a gateway endpoint on the private route tables and lets the
	// application group reach its prefix list on 443.
	gateway := func(service, id, ruleID, description string) vpcendpoint.VpcEndpoint {
		endpoint := vpcendpoint.NewVpcEndpoint(stack, jsii.String(id), &vpcendpoint.VpcEndpointConfig{
			VpcId:           net.VPC.Id(),
			ServiceName:     serviceName(service),
			VpcEndpointType: jsii.String("Gateway"),
			RouteTableIds:   &net.PrivateRouteTableIDs,
			Tags:            nameTag(env.ResourceName(service + "-endpoint")),
		})
		vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(stack, jsii.String(ruleID), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
			SecurityGroupId: g.App.Id(),
			PrefixListId:    endpoint.PrefixListId(),
			IpProtocol:      jsii.String("tcp"),
			FromPort:        number(httpsPort),
			ToPort:          number(httpsPort),
			Description:     jsii.String(description),
		})
		return endpoint
	}
	s3 := gateway("s3", "s3_api", "app_to_s3", "Processors to S3 through the gateway endpoint")
	dynamodb := gateway("dynamodb", "dynamodb_api", "app_to_dynamodb", "Processors to DynamoDB (KCL tables) through the gateway endpoint")

	for _, e := range interfaceEndpoints(env) {
		vpcendpoint.NewVpcEndpoint(stack, jsii.String(e.id), &vpcendpoint.VpcEndpointConfig{
			VpcId:             net.VPC.Id(),
			ServiceName:       serviceName(e.service),
			VpcEndpointType:   jsii.String("Interface"),
			PrivateDnsEnabled: jsii.Bool(true),
			SubnetIds:         &net.PrivateSubnetIDs,
			SecurityGroupIds:  &[]*string{group.Id()},
			Tags:              nameTag(env.ResourceName(strings.ReplaceAll(e.service, ".", "-") + "-endpoint")),
		})
	}
	return endpoints{Group: group, S3: s3, DynamoDB: dynamodb}
}
