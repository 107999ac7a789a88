package stacks

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

func TestEndpoints(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			var privateSubnets, privateTables []any
			for _, az := range env.AvailabilityZones {
				privateSubnets = append(privateSubnets, "${aws_subnet.private_"+zoneID(az)+".id}")
			}
			for _, az := range privateRouteZones(env) {
				privateTables = append(privateTables, "${aws_route_table.private_routes_"+zoneID(az)+".id}")
			}

			for id, service := range map[string]string{"s3_api": "s3", "dynamodb_api": "dynamodb"} {
				g := s.resource(t, "aws_vpc_endpoint", id)
				if g["service_name"] != "com.amazonaws.sa-east-1."+service || g["vpc_endpoint_type"] != "Gateway" ||
					!reflect.DeepEqual(g["route_table_ids"], privateTables) || g["policy"] != nil {
					t.Errorf("%s: aws_vpc_endpoint.%s = %v; want a %s gateway on the private route tables %v, no policy", env.Name, id, g, service, privateTables)
				}
			}

			// Every environment runs its processors on ECS, so the ECR
			// endpoints are expected everywhere.
			want := map[string]string{
				"kinesis_api":         "kinesis-streams",
				"kms_api":             "kms",
				"secrets_manager_api": "secretsmanager",
				"logs_api":            "logs",
				"sts_api":             "sts",
				"monitoring_api":      "monitoring",
				"ecr_api":             "ecr.api",
				"ecr_docker_api":      "ecr.dkr",
			}
			endpoints := s.resources("aws_vpc_endpoint")
			if len(endpoints) != len(want)+2 {
				t.Errorf("%s: endpoints %v; want s3_api, dynamodb_api and %d interface endpoints", env.Name, s.names("aws_vpc_endpoint"), len(want))
			}
			for id, service := range want {
				e := s.resource(t, "aws_vpc_endpoint", id)
				if e["service_name"] != "com.amazonaws.sa-east-1."+service || e["vpc_endpoint_type"] != "Interface" || e["private_dns_enabled"] != true {
					t.Errorf("%s: aws_vpc_endpoint.%s = %v; want an interface endpoint for %s with private DNS", env.Name, id, e, service)
				}
				if !reflect.DeepEqual(e["subnet_ids"], privateSubnets) {
					t.Errorf("%s: aws_vpc_endpoint.%s in subnets %v; want the private subnets %v", env.Name, id, e["subnet_ids"], privateSubnets)
				}
				if !reflect.DeepEqual(e["security_group_ids"], []any{"${aws_security_group.endpoint_tier.id}"}) {
					t.Errorf("%s: aws_vpc_endpoint.%s groups %v; want the endpoint tier only", env.Name, id, e["security_group_ids"])
				}
				if e["policy"] != nil {
					t.Errorf("%s: aws_vpc_endpoint.%s has a policy; endpoints.go documents why none", env.Name, id)
				}
			}
		})
	}
}

func TestEndpointGroup(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			g := s.resource(t, "aws_security_group", "endpoint_tier")
			if g["vpc_id"] != "${aws_vpc.pipeline.id}" || g["name"] != env.ResourceName("endpoints-sg") {
				t.Errorf("%s: aws_security_group.endpoint_tier = %v", env.Name, g)
			}
			group := "${aws_security_group.endpoint_tier.id}"
			var into []string
			for name, r := range s.resources("aws_vpc_security_group_ingress_rule") {
				if r["security_group_id"] == group {
					into = append(into, name)
				}
			}
			if !slices.Equal(into, []string{"endpoints_from_app"}) {
				t.Errorf("%s: ingress rules into the endpoint tier %v; want endpoints_from_app only", env.Name, into)
			}
			r := s.resource(t, "aws_vpc_security_group_ingress_rule", "endpoints_from_app")
			if r["referenced_security_group_id"] != "${aws_security_group.app_tier.id}" || r["ip_protocol"] != "tcp" ||
				r["from_port"] != float64(443) || r["to_port"] != float64(443) || r["cidr_ipv4"] != nil {
				t.Errorf("%s: endpoints_from_app = %v; want tcp/443 from the app tier only", env.Name, r)
			}
			for name, r := range s.resources("aws_vpc_security_group_egress_rule") {
				if r["security_group_id"] == group {
					t.Errorf("%s: the endpoint tier has egress rule %s; endpoints only answer", env.Name, name)
				}
			}
		})
	}
}

// TestAppEgress pins every way out of the application group: the data
// groups, the endpoints, S3 and DynamoDB on 443, and the internet only where
// the environment has Egress (a recorded relaxation).
func TestAppEgress(t *testing.T) {
	type rule struct {
		to   string // the destination attribute and value
		port float64
	}
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			want := map[string]rule{
				"app_to_postgres":  {"referenced_security_group_id=${aws_security_group.database_tier.id}", PostgresPort},
				"app_to_redis":     {"referenced_security_group_id=${aws_security_group.cache_tier.id}", RedisPort},
				"app_to_endpoints": {"referenced_security_group_id=${aws_security_group.endpoint_tier.id}", 443},
				"app_to_s3":        {"prefix_list_id=${aws_vpc_endpoint.s3_api.prefix_list_id}", 443},
				"app_to_dynamodb":  {"prefix_list_id=${aws_vpc_endpoint.dynamodb_api.prefix_list_id}", 443},
			}
			if env.Egress != config.EgressNone {
				want["app_https_out"] = rule{"cidr_ipv4=0.0.0.0/0", 443}
			}
			got := map[string]rule{}
			for _, name := range s.names("aws_vpc_security_group_egress_rule") {
				r := s.res(t, "aws_vpc_security_group_egress_rule", name)
				if r.Key("security_group_id").Str() != "${aws_security_group.app_tier.id}" {
					continue
				}
				var to []string
				for _, attr := range []string{"referenced_security_group_id", "prefix_list_id", "cidr_ipv4", "cidr_ipv6"} {
					if r.Has(attr) {
						to = append(to, attr+"="+r.Key(attr).Str())
					}
				}
				port := r.Key("from_port").Num()
				if r.Key("ip_protocol").Str() != "tcp" || port != r.Key("to_port").Num() {
					t.Errorf("%s = %v; want one TCP port", r.path, r.Raw())
				}
				got[name] = rule{strings.Join(to, ","), port}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: app tier egress = %v;\nwant %v (Egress %s)", env.Name, got, want, env.Egress)
			}
		})
	}
}

// TestInterfaceEndpointsFollowPrincipals covers the branch the shipped
// environments do not: processors that run on Lambda only pull no images.
func TestInterfaceEndpointsFollowPrincipals(t *testing.T) {
	ids := func(env config.Environment) []string {
		var out []string
		for _, e := range interfaceEndpoints(env) {
			out = append(out, e.id)
		}
		return out
	}
	base := []string{"kinesis_api", "kms_api", "secrets_manager_api", "logs_api", "sts_api", "monitoring_api"}
	env := envOf(t, config.Prod)
	env.ProcessorPrincipals = []string{config.ServiceLambda}
	if got := ids(env); !slices.Equal(got, base) {
		t.Errorf("prod with Lambda processors: endpoints %v; want %v (no ECR)", got, base)
	}
	env.ProcessorPrincipals = []string{config.ServiceLambda, config.ServiceECSTasks}
	if got := ids(env); !slices.Equal(got, append(base, "ecr_api", "ecr_docker_api")) {
		t.Errorf("prod with ECS processors: endpoints %v; want the ECR endpoints too", got)
	}
}
