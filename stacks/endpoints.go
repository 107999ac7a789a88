package stacks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcendpoint"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// endpointIDs are the construct ids (contracts) of the interface
// endpoints config allows, by service name suffix
// (com.amazonaws.<region>.<service>).
var endpointIDs = map[string]string{
	config.EndpointKinesis:    "kinesis_api",
	config.EndpointMonitoring: "monitoring_api",
	config.EndpointLogs:       "logs_api",
	config.EndpointECRAPI:     "ecr_api",
	config.EndpointECRDocker:  "ecr_docker_api",
}

// endpointActionPrefixes are the IAM service prefixes of the calls each
// interface endpoint carries, for its policy.
var endpointActionPrefixes = map[string]string{
	config.EndpointKinesis:    "kinesis",
	config.EndpointMonitoring: "cloudwatch",
	config.EndpointLogs:       "logs",
	config.EndpointECRAPI:     "ecr",
	config.EndpointECRDocker:  "ecr",
}

// endpointStatement is one statement of a VPC endpoint policy, whose
// principal is "*": an endpoint policy grants nothing, it bounds what any
// caller may do through the endpoint (AWS PrivateLink Guide, "Control
// access to VPC endpoints using endpoint policies").
type endpointStatement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal string                    `json:"Principal"`
	Action    []string                  `json:"Action"`
	Resource  string                    `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// endpointPolicy renders an endpoint policy document.
func endpointPolicy(statements ...endpointStatement) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(struct {
		Version   string              `json:"Version"`
		Statement []endpointStatement `json:"Statement"`
	}{"2012-10-17", statements}); err != nil {
		panic(err) // strings, slices and maps only
	}
	return string(bytes.TrimSpace(buf.Bytes()))
}

// ownAccount bounds an endpoint to the calls of one service prefix made
// with this account's credentials; with resources, also to this account's
// resources. aws:ResourceAccount is left out of the interface endpoints:
// two of their calls name no resource (cloudwatch:PutMetricData,
// ecr:GetAuthorizationToken have no resource type in the Service
// Authorization Reference), and a resource-account condition there is not
// documented to hold.
func ownAccount(env config.Environment, prefix string, resources bool) endpointStatement {
	condition := map[string]any{"aws:PrincipalAccount": env.AccountID}
	sid := "OwnAccountCallers"
	if resources {
		condition["aws:ResourceAccount"] = env.AccountID
		sid = "OwnAccountCallersAndResources"
	}
	return endpointStatement{Sid: sid, Effect: "Allow", Principal: "*", Action: []string{prefix + ":*"}, Resource: "*",
		Condition: map[string]map[string]any{"StringEquals": condition}}
}

// endpoints is what outputs need of the private paths to AWS.
type endpoints struct {
	GroupID              string
	S3PrefixListID       string
	DynamoDBPrefixListID string
}

// addEndpoints gives the private subnets their own paths to AWS APIs: S3
// and DynamoDB (KCL's tables) gateways on the private route tables and
// interface endpoints with private DNS, so the SDK's default host names resolve to addresses in the VPC. The
// endpoint group admits HTTPS from the application group only, and the
// application group may reach the endpoints and S3's prefix list on 443.
//
// Every endpoint has a policy that bounds it to this account: the default
// policy lets any credentials reach any account's resources through it
// (for example copying data to another account's bucket). The gateways
// admit this account's principals on this account's resources
// (aws:PrincipalAccount, aws:ResourceAccount), and the S3 gateway also the
// AWS-owned bucket ECR serves image layers from, by ARN and with no
// principal condition: ECR presigns those requests with its own account
// (Amazon ECR User Guide, "Minimum Amazon S3 bucket permissions for Amazon
// ECR"). The interface endpoints admit this account's principals. An
// endpoint policy grants nothing: the role and key policies still name
// exact actions and resources, so the policies use a service's whole
// action prefix rather than a copy of every role's list.
func addEndpoints(stack cdktf.TerraformStack, env config.Environment, net network, g securityGroups) endpoints {
	name := env.Names().EndpointsSecurityGroup
	group := securitygroup.NewSecurityGroup(stack, jsii.String("endpoint_tier"), &securitygroup.SecurityGroupConfig{
		Name:        jsii.String(name),
		Description: jsii.String("FastShop AWS API endpoints: admit HTTPS from the processors only"),
		VpcId:       jsii.String(net.VPCID),
		Tags:        nameTag(name),
	})
	groupID := group.Id()
	vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(stack, jsii.String("endpoints_from_app"), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
		SecurityGroupId:           groupID,
		ReferencedSecurityGroupId: jsii.String(g.AppID),
		IpProtocol:                jsii.String("tcp"),
		FromPort:                  number(httpsPort),
		ToPort:                    number(httpsPort),
		Description:               jsii.String("HTTPS from the transaction processors to AWS APIs"),
	})
	vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(stack, jsii.String("app_to_endpoints"), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
		SecurityGroupId:           jsii.String(g.AppID),
		ReferencedSecurityGroupId: groupID,
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
	gateway := func(service, id, ruleID, description string, policy string) (prefixListID string) {
		endpoint := vpcendpoint.NewVpcEndpoint(stack, jsii.String(id), &vpcendpoint.VpcEndpointConfig{
			VpcId:           jsii.String(net.VPCID),
			ServiceName:     serviceName(service),
			VpcEndpointType: jsii.String("Gateway"),
			RouteTableIds:   &net.PrivateRouteTableIDs,
			Policy:          jsii.String(policy),
			Tags:            nameTag(env.ResourceName(service + "-endpoint")),
		})
		prefixList := endpoint.PrefixListId()
		vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(stack, jsii.String(ruleID), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
			SecurityGroupId: jsii.String(g.AppID),
			PrefixListId:    prefixList,
			IpProtocol:      jsii.String("tcp"),
			FromPort:        number(httpsPort),
			ToPort:          number(httpsPort),
			Description:     jsii.String(description),
		})
		return *prefixList
	}
	s3 := gateway(config.GatewayS3, "s3_api", "app_to_s3", "Processors to S3 through the gateway endpoint", endpointPolicy(
		ownAccount(env, "s3", true),
		endpointStatement{Sid: "ECRImageLayers", Effect: "Allow", Principal: "*", Action: []string{"s3:GetObject"}, Resource: env.ECRLayerBucketARN() + "/*"},
	))
	dynamodb := gateway(config.GatewayDynamoDB, "dynamodb_api", "app_to_dynamodb", "Processors to DynamoDB (KCL tables) through the gateway endpoint",
		endpointPolicy(ownAccount(env, "dynamodb", true)))

	// InterfaceEndpoints is validated: each serves a caller of this
	// environment (config.AWSCalls).
	for _, service := range env.InterfaceEndpoints {
		vpcendpoint.NewVpcEndpoint(stack, jsii.String(endpointIDs[service]), &vpcendpoint.VpcEndpointConfig{
			VpcId:             jsii.String(net.VPCID),
			ServiceName:       serviceName(service),
			VpcEndpointType:   jsii.String("Interface"),
			PrivateDnsEnabled: jsii.Bool(true),
			SubnetIds:         &net.PrivateSubnetIDs,
			SecurityGroupIds:  &[]*string{groupID},
			Policy:            jsii.String(endpointPolicy(ownAccount(env, endpointActionPrefixes[service], false))),
			Tags:              nameTag(env.ResourceName(strings.ReplaceAll(service, ".", "-") + "-endpoint")),
		})
	}
	return endpoints{GroupID: *groupID, S3PrefixListID: s3, DynamoDBPrefixListID: dynamodb}
}
