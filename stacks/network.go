package stacks

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/defaultsecuritygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eip"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/flowlog"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/internetgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/natgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetableassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/subnet"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// network is what later concerns need of the VPC.
// Each value is read from the binding once.
type network struct {
	VPCID            string
	PublicSubnetIDs  []*string
	PrivateSubnetIDs []*string
	// PrivateRouteTableIDs serve gateway endpoints.
	PrivateRouteTableIDs []*string
}

// subnetBits splits the VPC range into 16 equal blocks: public subnets take
// blocks 0-7 and private subnets 8-15, one per AZ, so adding an AZ never
// moves an existing subnet.
const (
	subnetBits          = 4
	privateSubnetOffset = 8
)

// SubnetCIDRs returns the public and private subnet ranges for each AZ of
// env, in AZ order.
func SubnetCIDRs(env config.Environment) (public, private []string) {
	vpcRange := netip.MustParsePrefix(env.VPCCIDR)
	bits := vpcRange.Bits() + subnetBits
	base := vpcRange.Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	block := func(i int) string {
		a := start + uint32(i)<<(32-bits)
		addr := netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
		return netip.PrefixFrom(addr, bits).String()
	}
	for i := range env.AvailabilityZones {
		public = append(public, block(i))
		private = append(private, block(privateSubnetOffset+i))
	}
	return public, private
}

// natZones are the AZs that get a NAT gateway and its public address: none
// without internet egress, the first AZ's for every private subnet with
// nat-shared, each AZ's own with nat-per-az.
func natZones(env config.Environment) []string {
	switch env.Egress {
	case config.EgressNATShared:
		return env.AvailabilityZones[:1]
	case config.EgressNATPerAZ:
		return env.AvailabilityZones
	}
	return nil
}

// privateRouteZones are the AZs with a private route table: every AZ, but
// with nat-shared one table (named after the first AZ) sends every private
// subnet to the one gateway. Tables cost nothing, so an environment without
// egress keeps one per AZ: moving between none and nat-per-az then adds or
// removes only NAT gateways, their addresses and routes, never a table that
// subnets and gateway endpoints are attached to.
func privateRouteZones(env config.Environment) []string {
	if env.Egress == config.EgressNATShared {
		return env.AvailabilityZones[:1]
	}
	return env.AvailabilityZones
}

// zoneID is the construct-id part for an AZ: its letter. Ids follow the
// zone, not its position, so removing an AZ does not rename the others.
func zoneID(az string) string {
	return az[len(az)-1:]
}

func addNetwork(stack cdktf.TerraformStack, env config.Environment, k keys) network {
	v := vpc.NewVpc(stack, jsii.String("pipeline"), &vpc.VpcConfig{
		CidrBlock:          jsii.String(env.VPCCIDR),
		EnableDnsSupport:   jsii.Bool(true),
		EnableDnsHostnames: jsii.Bool(true),
		Tags:               nameTag(env.ResourceName("vpc")),
	})
	vpcID := v.Id()

	// Strip every rule from the default group so that nothing launched
	// without an explicit group gets network access. The empty rule lists
	// go in as overrides: cdktf's HCL output (cdktf synth --hcl) drops an
	// empty typed list, and without them Terraform would leave rules added
	// later in place.
	closed := defaultsecuritygroup.NewDefaultSecurityGroup(stack, jsii.String("vpc_default"), &defaultsecuritygroup.DefaultSecurityGroupConfig{
		VpcId: vpcID,
		Tags:  nameTag(env.ResourceName("default-sg-closed")),
	})
	closed.AddOverride(jsii.String("ingress"), []any{})
	closed.AddOverride(jsii.String("egress"), []any{})

	igw := internetgateway.NewInternetGateway(stack, jsii.String("internet"), &internetgateway.InternetGatewayConfig{
		VpcId: vpcID,
		Tags:  nameTag(env.ResourceName("igw")),
	})

	publicRoutes := routetable.NewRouteTable(stack, jsii.String("public_routes"), &routetable.RouteTableConfig{
		VpcId: vpcID,
		Tags:  nameTag(env.ResourceName("public-rt")),
	})
	publicRoutesID := publicRoutes.Id()
	route.NewRoute(stack, jsii.String("public_internet"), &route.RouteConfig{
		RouteTableId:         publicRoutesID,
		DestinationCidrBlock: jsii.String("0.0.0.0/0"),
		GatewayId:            igw.Id(),
	})

	publicCIDRs, privateCIDRs := SubnetCIDRs(env)
	net := network{VPCID: *vpcID}
	for i, az := range env.AvailabilityZones {
		z := zoneID(az)
		public := subnet.NewSubnet(stack, jsii.String("public_"+z), &subnet.SubnetConfig{
			VpcId:               vpcID,
			AvailabilityZone:    jsii.String(az),
			CidrBlock:           jsii.String(publicCIDRs[i]),
			MapPublicIpOnLaunch: jsii.Bool(false),
			Tags:                &map[string]*string{"Name": jsii.String(env.ResourceName("public-" + az)), "Tier": jsii.String("public")},
		})
		publicID := public.Id()
		routetableassociation.NewRouteTableAssociation(stack, jsii.String("public_"+z+"_association"), &routetableassociation.RouteTableAssociationConfig{
			SubnetId:     publicID,
			RouteTableId: publicRoutesID,
		})
		net.PublicSubnetIDs = append(net.PublicSubnetIDs, publicID)
	}

	// Private route tables, and NAT gateways with their public addresses
	// only where the environment has internet egress (natZones).
	for i, az := range privateRouteZones(env) {
		z := zoneID(az)
		rt := routetable.NewRouteTable(stack, jsii.String("private_routes_"+z), &routetable.RouteTableConfig{
			VpcId: vpcID,
			Tags:  nameTag(env.ResourceName("private-rt-" + az)),
		})
		rtID := rt.Id()
		if slices.Contains(natZones(env), az) {
			ip := eip.NewEip(stack, jsii.String("nat_"+z), &eip.EipConfig{
				Domain:    jsii.String("vpc"),
				Tags:      nameTag(env.ResourceName("nat-eip-" + az)),
				DependsOn: &[]cdktf.ITerraformDependable{igw},
			})
			nat := natgateway.NewNatGateway(stack, jsii.String("egress_"+z), &natgateway.NatGatewayConfig{
				AllocationId: ip.AllocationId(),
				SubnetId:     net.PublicSubnetIDs[i],
				Tags:         nameTag(env.ResourceName("nat-" + az)),
				DependsOn:    &[]cdktf.ITerraformDependable{igw},
			})
			route.NewRoute(stack, jsii.String("private_nat_"+z), &route.RouteConfig{
				RouteTableId:         rtID,
				DestinationCidrBlock: jsii.String("0.0.0.0/0"),
				NatGatewayId:         nat.Id(),
			})
		}
		net.PrivateRouteTableIDs = append(net.PrivateRouteTableIDs, rtID)
	}

	for i, az := range env.AvailabilityZones {
		z := zoneID(az)
		private := subnet.NewSubnet(stack, jsii.String("private_"+z), &subnet.SubnetConfig{
			VpcId:               vpcID,
			AvailabilityZone:    jsii.String(az),
			CidrBlock:           jsii.String(privateCIDRs[i]),
			MapPublicIpOnLaunch: jsii.Bool(false),
			Tags:                &map[string]*string{"Name": jsii.String(env.ResourceName("private-" + az)), "Tier": jsii.String("private")},
		})
		routes := net.PrivateRouteTableIDs[0]
		if len(net.PrivateRouteTableIDs) > 1 {
			routes = net.PrivateRouteTableIDs[i]
		}
		privateID := private.Id()
		routetableassociation.NewRouteTableAssociation(stack, jsii.String("private_"+z+"_association"), &routetableassociation.RouteTableAssociationConfig{
			SubnetId:     privateID,
			RouteTableId: routes,
		})
		net.PrivateSubnetIDs = append(net.PrivateSubnetIDs, privateID)
	}

	addFlowLogs(stack, env, k, vpcID)
	return net
}

// addFlowLogs records all VPC traffic (accepted and rejected) to an
// encrypted log group, written by a role that can do nothing else.
func addFlowLogs(stack cdktf.TerraformStack, env config.Environment, k keys, vpcID *string) {
	names := env.Names()
	groupName := names.FlowLogGroup
	groupARN := *newLogGroup(stack, env, k, "flow_logs", groupName).Arn()

	role := iamrole.NewIamRole(stack, jsii.String("flow_logs_writer"), &iamrole.IamRoleConfig{
		Name:                jsii.String(names.FlowLogsRole),
		Description:         jsii.String("VPC Flow Logs delivery into " + groupName),
		AssumeRolePolicy:    jsii.String(assumeRolePolicy("vpc-flow-logs.amazonaws.com", env.AccountID)),
		PermissionsBoundary: workloadBoundary(env),
	})
	// The VPC guide's minimum for this role includes DescribeLogGroups,
	// which lists groups and cannot name one: it gets every group of this
	// account and region (the CloudWatch Logs guide's log-group:* form),
	// never Resource "*". CreateLogGroup is left out: the group exists.
	access := iamrolepolicy.NewIamRolePolicy(stack, jsii.String("flow_logs_writer_access"), &iamrolepolicy.IamRolePolicyConfig{
		Name: jsii.String(names.FlowLogsPolicy),
		Role: role.Id(),
		Policy: jsii.String(newPolicy(
			allow("WriteFlowLogs",
				[]string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
				[]string{groupARN, groupARN + ":*"},
			),
			allow("FindFlowLogGroup", []string{"logs:DescribeLogGroups"},
				fmt.Sprintf("arn:aws:logs:%s:%s:log-group:*", env.Region, env.AccountID)),
		).JSON()),
	})

	// Delivery starts as soon as the flow log exists and uses the role's
	// policy: the policy must exist first, which the role reference alone
	// does not order.
	flowlog.NewFlowLog(stack, jsii.String("vpc"), &flowlog.FlowLogConfig{
		DependsOn:              &[]cdktf.ITerraformDependable{access},
		VpcId:                  vpcID,
		TrafficType:            jsii.String("ALL"),
		LogDestinationType:     jsii.String("cloud-watch-logs"),
		LogDestination:         jsii.String(groupARN),
		IamRoleArn:             role.Arn(),
		MaxAggregationInterval: jsii.Number(60),
		Tags:                   nameTag(env.ResourceName("vpc-flow-log")),
	})
}
