package stacks

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestNetwork(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			v := s.resource(t, "aws_vpc", "pipeline")
			if v["cidr_block"] != env.VPCCIDR || v["enable_dns_support"] != true || v["enable_dns_hostnames"] != true {
				t.Errorf("%s: aws_vpc.pipeline = %v; want %s with DNS support and hostnames", env.Name, v, env.VPCCIDR)
			}

			subnets := s.resources("aws_subnet")
			if len(subnets) != 2*len(env.AvailabilityZones) {
				t.Errorf("%s: %d subnets; want a public and a private one in each of %d AZs", env.Name, len(subnets), len(env.AvailabilityZones))
			}
			for _, az := range env.AvailabilityZones {
				for _, tier := range []string{"public_", "private_"} {
					sn := s.resource(t, "aws_subnet", tier+zoneID(az))
					if sn["availability_zone"] != az {
						t.Errorf("%s: aws_subnet.%s%s in %v; want %s", env.Name, tier, zoneID(az), sn["availability_zone"], az)
					}
					if sn["map_public_ip_on_launch"] != false {
						t.Errorf("%s: aws_subnet.%s%s auto-assigns public IPs", env.Name, tier, zoneID(az))
					}
				}
			}

			wantNAT := 1
			if env.NATGatewayPerAZ {
				wantNAT = len(env.AvailabilityZones)
			}
			if n := len(s.resources("aws_nat_gateway")); n != wantNAT {
				t.Errorf("%s: %d NAT gateways; want %d (per AZ: %v)", env.Name, n, wantNAT, env.NATGatewayPerAZ)
			}
			privateTables := 0
			for name := range s.resources("aws_route_table") {
				if strings.HasPrefix(name, "private_") {
					privateTables++
				}
			}
			if privateTables != wantNAT {
				t.Errorf("%s: %d private route tables; want one per NAT gateway (%d)", env.Name, privateTables, wantNAT)
			}
			if n := len(s.resources("aws_route_table_association")); n != 2*len(env.AvailabilityZones) {
				t.Errorf("%s: %d route table associations; want one per subnet", env.Name, n)
			}

			def := s.resource(t, "aws_default_security_group", "vpc_default")
			for _, dir := range []string{"ingress", "egress"} {
				rules, ok := def[dir].([]any)
				if !ok || len(rules) != 0 {
					t.Errorf("%s: default security group %s = %v; want an explicit empty list", env.Name, dir, def[dir])
				}
			}

			flow := s.resource(t, "aws_flow_log", "vpc")
			if flow["traffic_type"] != "ALL" || flow["log_destination"] != "${aws_cloudwatch_log_group.flow_logs.arn}" {
				t.Errorf("%s: flow log = %v; want ALL traffic to aws_cloudwatch_log_group.flow_logs", env.Name, flow)
			}
			if flow["iam_role_arn"] != "${aws_iam_role.flow_logs_writer.arn}" {
				t.Errorf("%s: flow log written by %v; want aws_iam_role.flow_logs_writer", env.Name, flow["iam_role_arn"])
			}
			var doc policyDocument
			if err := json.Unmarshal([]byte(s.resource(t, "aws_iam_role_policy", "flow_logs_writer_access")["policy"].(string)), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Statement) != 1 || !slices.Equal(doc.Statement[0].Action, []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}) {
				t.Errorf("%s: flow log writer policy = %+v; want exactly CreateLogStream, DescribeLogStreams, PutLogEvents", env.Name, doc.Statement)
			}
			resources, _ := json.Marshal(doc.Statement[0].Resource)
			if strings.Contains(string(resources), `"*"`) || !strings.Contains(string(resources), "aws_cloudwatch_log_group.flow_logs.arn") {
				t.Errorf("%s: flow log writer may write %s; want only its log group", env.Name, resources)
			}
		})
	}
}

func TestLogGroupsEncryptedWithRetention(t *testing.T) {
	for _, s := range synthAll(t) {
		groups := s.resources("aws_cloudwatch_log_group")
		if len(groups) < 5 {
			t.Errorf("%s: %d log groups; want flow logs, two PostgreSQL and two Redis groups at least", s.Env.Name, len(groups))
		}
		for name, g := range groups {
			if g["kms_key_id"] != "${aws_kms_key.logs.arn}" {
				t.Errorf("%s: aws_cloudwatch_log_group.%s kms_key_id = %v; want the logs key", s.Env.Name, name, g["kms_key_id"])
			}
			if g["retention_in_days"] != float64(s.Env.LogRetentionDays) {
				t.Errorf("%s: aws_cloudwatch_log_group.%s retention = %v; want %d", s.Env.Name, name, g["retention_in_days"], s.Env.LogRetentionDays)
			}
			if s.Env.Name == Prod && g["retention_in_days"].(float64) < 180 {
				t.Errorf("prod: aws_cloudwatch_log_group.%s keeps %v days; Marco Civil asks 180", name, g["retention_in_days"])
			}
		}
	}
}

func TestSubnetCIDRs(t *testing.T) {
	for _, env := range testEnvironments() {
		public, private := SubnetCIDRs(env)
		vpcRange := netip.MustParsePrefix(env.VPCCIDR)
		all := append(append([]string{}, public...), private...)
		for i, a := range all {
			pa := netip.MustParsePrefix(a)
			if !vpcRange.Contains(pa.Addr()) || pa.Bits() <= vpcRange.Bits() {
				t.Errorf("%s: subnet %s is not inside %s", env.Name, a, env.VPCCIDR)
			}
			for _, b := range all[i+1:] {
				if pa.Overlaps(netip.MustParsePrefix(b)) {
					t.Errorf("%s: subnets %s and %s overlap", env.Name, a, b)
				}
			}
		}
	}
	public, private := SubnetCIDRs(Environment{VPCCIDR: "10.10.0.0/16", AvailabilityZones: []string{"a", "b"}})
	if !slices.Equal(public, []string{"10.10.0.0/20", "10.10.16.0/20"}) || !slices.Equal(private, []string{"10.10.128.0/20", "10.10.144.0/20"}) {
		t.Errorf("SubnetCIDRs(10.10.0.0/16) = %v %v", public, private)
	}
}
