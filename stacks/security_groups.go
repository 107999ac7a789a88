package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// Ports of the data tier.
const (
	PostgresPort = 5432
	RedisPort    = 6379
	httpsPort    = 443
)

// securityGroups are the tiers: the application (transaction processors)
// and the two data stores that admit only it.
// Each value is read from the binding once.
type securityGroups struct {
	AppID, AppARN string
	PostgresID    string
	RedisID       string
}

// Every rule is its own resource with a description: inline rules cannot be
// reviewed or changed one at a time, and Terraform removes the default
// allow-all egress rule of a new group, so the data groups have no egress.
func addSecurityGroups(stack cdktf.TerraformStack, env config.Environment, net network) securityGroups {
	group := func(id, name, description string) securitygroup.SecurityGroup {
		return securitygroup.NewSecurityGroup(stack, jsii.String(id), &securitygroup.SecurityGroupConfig{
			Name:        jsii.String(name),
			Description: jsii.String(description),
			VpcId:       jsii.String(net.VPCID),
			Tags:        nameTag(name),
		})
	}
	names := env.Names()
	app := group("app_tier", names.AppSecurityGroup, "FastShop transaction processors")
	postgres := group("database_tier", names.PostgresSecurityGroup, "FastShop PostgreSQL: admits the processors only")
	redis := group("cache_tier", names.RedisSecurityGroup, "FastShop Redis: admits the processors only")
	g := securityGroups{AppID: *app.Id(), AppARN: *app.Arn(), PostgresID: *postgres.Id(), RedisID: *redis.Id()}

	tcpFromGroup := func(id, to, from string, port int, description string) {
		vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(stack, jsii.String(id), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
			SecurityGroupId:           jsii.String(to),
			ReferencedSecurityGroupId: jsii.String(from),
			IpProtocol:                jsii.String("tcp"),
			FromPort:                  number(port),
			ToPort:                    number(port),
			Description:               jsii.String(description),
		})
	}
	tcpFromGroup("postgres_from_app", g.PostgresID, g.AppID, PostgresPort, "PostgreSQL from the transaction processors")
	tcpFromGroup("redis_from_app", g.RedisID, g.AppID, RedisPort, "Redis from the transaction processors")

	tcpToGroup := func(id, from, to string, port int, description string) {
		vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(stack, jsii.String(id), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
			SecurityGroupId:           jsii.String(from),
			ReferencedSecurityGroupId: jsii.String(to),
			IpProtocol:                jsii.String("tcp"),
			FromPort:                  number(port),
			ToPort:                    number(port),
			Description:               jsii.String(description),
		})
	}
	tcpToGroup("app_to_postgres", g.AppID, g.PostgresID, PostgresPort, "Processors to PostgreSQL")
	tcpToGroup("app_to_redis", g.AppID, g.RedisID, RedisPort, "Processors to Redis")

	// AWS APIs are reached through the VPC endpoints (endpoints.go adds
	// those egress rules). Internet egress through NAT only where the
	// environment has NAT (Egress, a recorded relaxation).
	if env.Egress != config.EgressNone {
		vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(stack, jsii.String("app_https_out"), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
			SecurityGroupId: jsii.String(g.AppID),
			CidrIpv4:        jsii.String("0.0.0.0/0"),
			IpProtocol:      jsii.String("tcp"),
			FromPort:        number(httpsPort),
			ToPort:          number(httpsPort),
			Description:     jsii.String("Processors to the internet over HTTPS through NAT (Egress " + string(env.Egress) + ")"),
		})
	}
	return g
}
