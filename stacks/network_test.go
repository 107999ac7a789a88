package stacks

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
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

			var wantTables, wantNAT, wantRoutes []string
			for _, az := range privateRouteZones(env) {
				wantTables = append(wantTables, "private_routes_"+zoneID(az))
			}
			for _, az := range natZones(env) {
				wantNAT = append(wantNAT, "egress_"+zoneID(az))
				wantRoutes = append(wantRoutes, "private_nat_"+zoneID(az))
			}
			var privateTables, privateRoutes []string
			for _, name := range s.names("aws_route_table") {
				if strings.HasPrefix(name, "private_") {
					privateTables = append(privateTables, name)
				}
			}
			for _, name := range s.names("aws_route") {
				if strings.HasPrefix(name, "private_") {
					privateRoutes = append(privateRoutes, name)
				}
			}
			if !slices.Equal(privateTables, wantTables) {
				t.Errorf("%s: private route tables %v; want %v (Egress %s)", env.Name, privateTables, wantTables, env.Egress)
			}
			if got := s.names("aws_nat_gateway"); !slices.Equal(got, wantNAT) {
				t.Errorf("%s: NAT gateways %v; want %v (Egress %s)", env.Name, got, wantNAT, env.Egress)
			}
			if !slices.Equal(privateRoutes, wantRoutes) {
				t.Errorf("%s: private routes %v; want %v, one to each NAT gateway (Egress %s)", env.Name, privateRoutes, wantRoutes, env.Egress)
			}
			for _, name := range wantRoutes {
				z := strings.TrimPrefix(name, "private_nat_")
				r := s.resource(t, "aws_route", name)
				if r["route_table_id"] != "${aws_route_table.private_routes_"+z+".id}" || r["nat_gateway_id"] != "${aws_nat_gateway.egress_"+z+".id}" || r["destination_cidr_block"] != "0.0.0.0/0" {
					t.Errorf("%s: aws_route.%s = %v; want 0.0.0.0/0 from private_routes_%s to egress_%s", env.Name, name, r, z, z)
				}
			}
			for i, az := range env.AvailabilityZones {
				table := wantTables[0]
				if len(wantTables) > 1 {
					table = wantTables[i]
				}
				a := s.resource(t, "aws_route_table_association", "private_"+zoneID(az)+"_association")
				if a["route_table_id"] != "${aws_route_table."+table+".id}" {
					t.Errorf("%s: private subnet in %s uses %v; want %s", env.Name, az, a["route_table_id"], table)
				}
			}
			if n := len(s.resources("aws_route_table_association")); n != 2*len(env.AvailabilityZones) {
				t.Errorf("%s: %d route table associations; want one per subnet", env.Name, n)
			}

			def := s.res(t, "aws_default_security_group", "vpc_default")
			for _, dir := range []string{"ingress", "egress"} {
				if rules := def.Key(dir).List(); len(rules) != 0 {
					t.Errorf("%s.%s = %v; want an explicit empty list", def.path, dir, def.Key(dir).Raw())
				}
			}

			flow := s.resource(t, "aws_flow_log", "vpc")
			if flow["traffic_type"] != "ALL" || flow["log_destination"] != "${aws_cloudwatch_log_group.flow_logs.arn}" {
				t.Errorf("%s: flow log = %v; want ALL traffic to aws_cloudwatch_log_group.flow_logs", env.Name, flow)
			}
			if flow["iam_role_arn"] != "${aws_iam_role.flow_logs_writer.arn}" {
				t.Errorf("%s: flow log written by %v; want aws_iam_role.flow_logs_writer", env.Name, flow["iam_role_arn"])
			}
			// The VPC guide's minimum role policy, less CreateLogGroup (the
			// group exists); DescribeLogGroups cannot name one group.
			group := "${aws_cloudwatch_log_group.flow_logs.arn}"
			checkStatements(t, env.Name+": aws_iam_role_policy.flow_logs_writer_access", s.res(t, "aws_iam_role_policy", "flow_logs_writer_access").Key("policy").Str(), []wantStatement{
				{"WriteFlowLogs", []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}, []string{group, group + ":*"}, nil},
				{"FindFlowLogGroup", []string{"logs:DescribeLogGroups"}, []string{"arn:aws:logs:" + env.Region + ":" + env.AccountID + ":log-group:*"}, nil},
			})
		})
	}
}

func TestLogGroupsEncryptedWithRetention(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			names := s.names("aws_cloudwatch_log_group")
			if len(names) < 5 {
				t.Errorf("%d log groups; want flow logs, two PostgreSQL and two Redis groups at least", len(names))
			}
			for _, name := range names {
				g := s.res(t, "aws_cloudwatch_log_group", name)
				if got := g.Key("kms_key_id").Str(); got != "${aws_kms_key.logs.arn}" {
					t.Errorf("%s kms_key_id = %s; want the logs key", g.path, got)
				}
				if got := g.Key("retention_in_days").Num(); got != float64(s.Env.LogRetentionDays) {
					t.Errorf("%s retention = %v; want %d", g.path, got, s.Env.LogRetentionDays)
				}
			}
		})
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
	public, private := SubnetCIDRs(config.Environment{VPCCIDR: "10.10.0.0/16", AvailabilityZones: []string{"a", "b"}})
	if !slices.Equal(public, []string{"10.10.0.0/20", "10.10.16.0/20"}) || !slices.Equal(private, []string{"10.10.128.0/20", "10.10.144.0/20"}) {
		t.Errorf("SubnetCIDRs(10.10.0.0/16) = %v %v", public, private)
	}
}

// TestNATOnlyWithEgress checks that NAT gateways and their public addresses
// exist exactly where the application tier has internet egress: none in
// staging and prod (whose processors reach AWS through endpoints), one
// shared in dev, and one per AZ wherever nat-per-az is chosen.
func TestNATOnlyWithEgress(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			env := s.Env
			nat, eips := len(s.resources("aws_nat_gateway")), len(s.resources("aws_eip"))
			if want := env.NATGateways(); nat != want || eips != want {
				t.Errorf("%s: %d NAT gateways and %d Elastic IPs; want %d of each (Egress %s)", env.Name, nat, eips, want, env.Egress)
			}
			for name, ip := range s.resources("aws_eip") {
				z := strings.TrimPrefix(name, "nat_")
				if s.resource(t, "aws_nat_gateway", "egress_"+z)["allocation_id"] != "${aws_eip."+name+".allocation_id}" {
					t.Errorf("%s: aws_eip.%s (%v) serves no NAT gateway", env.Name, name, ip["tags"])
				}
			}
		})
	}

	// Every setting synthesizes its own shape: prod with nat-per-az has a
	// gateway and address in each AZ.
	app := cdktf.Testing_App(nil)
	prod := envOf(t, config.Prod)
	prod.Egress = config.EgressNATPerAZ
	prod.Relaxations = append(prod.Relaxations, config.Relaxation{Setting: config.RelaxEgress, Reason: "a payment scorer outside AWS"})
	if err := validate(prod); err != nil {
		t.Fatalf("prod with nat-per-az and a recorded reason: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(NewPipeline(app, testState, prod), jsii.Bool(true))), &doc); err != nil {
		t.Fatal(err)
	}
	perAZ := synthesized{Env: prod, JSON: doc}
	if got := perAZ.names("aws_nat_gateway"); !slices.Equal(got, []string{"egress_a", "egress_b", "egress_c"}) {
		t.Errorf("prod with nat-per-az: NAT gateways %v; want egress_a, egress_b, egress_c", got)
	}
	if got := perAZ.names("aws_eip"); !slices.Equal(got, []string{"nat_a", "nat_b", "nat_c"}) {
		t.Errorf("prod with nat-per-az: Elastic IPs %v; want nat_a, nat_b, nat_c", got)
	}
	if _, ok := perAZ.resources("aws_vpc_security_group_egress_rule")["app_https_out"]; !ok {
		t.Error("prod with nat-per-az: the app group has no internet egress rule")
	}
}
