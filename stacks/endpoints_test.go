package stacks

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

// wantOwnAccount is the endpoint policy statement that bounds an endpoint
// to the account's callers (and resources), written out in full.
func wantOwnAccount(account, prefix string, resources bool) map[string]any {
	cond := map[string]any{"aws:PrincipalAccount": account}
	sid := "OwnAccountCallers"
	if resources {
		cond["aws:ResourceAccount"] = account
		sid = "OwnAccountCallersAndResources"
	}
	return map[string]any{"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": []any{prefix + ":*"}, "Resource": "*",
		"Condition": map[string]any{"StringEquals": cond}}
}

// endpointPolicyOf decodes an endpoint's policy.
func endpointPolicyOf(t *testing.T, where string, e map[string]any) []any {
	t.Helper()
	raw, ok := e["policy"].(string)
	if !ok {
		t.Errorf("%s has no policy; the default policy admits any account's credentials and resources", where)
		return nil
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("%s: policy does not parse: %v", where, err)
	}
	if doc["Version"] != "2012-10-17" {
		t.Errorf("%s: policy Version %v", where, doc["Version"])
	}
	statements, _ := doc["Statement"].([]any)
	return statements
}

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

			// The gateways: this account's callers on this account's
			// resources, and for S3 the AWS-owned bucket of ECR's image
			// layers by ARN (ECR presigns those requests itself).
			for id, want := range map[string]struct {
				service  string
				policies []any
			}{
				"s3_api": {"s3", []any{wantOwnAccount(env.AccountID, "s3", true), map[string]any{"Sid": "ECRImageLayers", "Effect": "Allow", "Principal": "*",
					"Action": []any{"s3:GetObject"}, "Resource": "arn:aws:s3:::prod-sa-east-1-starport-layer-bucket/*"}}},
				"dynamodb_api": {"dynamodb", []any{wantOwnAccount(env.AccountID, "dynamodb", true)}},
			} {
				where := env.Name + ": aws_vpc_endpoint." + id
				g := s.resource(t, "aws_vpc_endpoint", id)
				if g["service_name"] != "com.amazonaws.sa-east-1."+want.service || g["vpc_endpoint_type"] != "Gateway" ||
					!reflect.DeepEqual(g["route_table_ids"], privateTables) {
					t.Errorf("%s = %v; want a %s gateway on the private route tables %v", where, g, want.service, privateTables)
				}
				if got := endpointPolicyOf(t, where, g); !reflect.DeepEqual(got, want.policies) {
					t.Errorf("%s policy = %v;\nwant %v", where, got, want.policies)
				}
			}

			want := map[string]string{}
			for _, service := range env.InterfaceEndpoints {
				want[endpointIDs[service]] = service
			}
			endpoints := s.resources("aws_vpc_endpoint")
			if len(endpoints) != len(want)+2 {
				t.Errorf("%s: endpoints %v; want s3_api, dynamodb_api and the %d of InterfaceEndpoints", env.Name, s.names("aws_vpc_endpoint"), len(want))
			}
			for id, service := range want {
				where := env.Name + ": aws_vpc_endpoint." + id
				e := s.resource(t, "aws_vpc_endpoint", id)
				if e["service_name"] != "com.amazonaws.sa-east-1."+service || e["vpc_endpoint_type"] != "Interface" || e["private_dns_enabled"] != true {
					t.Errorf("%s = %v; want an interface endpoint for %s with private DNS", where, e, service)
				}
				if !reflect.DeepEqual(e["subnet_ids"], privateSubnets) {
					t.Errorf("%s in subnets %v; want the private subnets %v", where, e["subnet_ids"], privateSubnets)
				}
				if !reflect.DeepEqual(e["security_group_ids"], []any{"${aws_security_group.endpoint_tier.id}"}) {
					t.Errorf("%s groups %v; want the endpoint tier only", where, e["security_group_ids"])
				}
				prefix := map[string]string{"kinesis-streams": "kinesis", "monitoring": "cloudwatch", "logs": "logs", "ecr.api": "ecr", "ecr.dkr": "ecr"}[service]
				if got, w := endpointPolicyOf(t, where, e), []any{wantOwnAccount(env.AccountID, prefix, false)}; !reflect.DeepEqual(got, w) {
					t.Errorf("%s policy = %v;\nwant %v", where, got, w)
				}
			}
		})
	}
}

// TestNoEndpointWithoutCaller: the kms, secretsmanager and sts endpoints
// served no caller (the review found nine billed network interfaces in
// staging and prod); they must not come back.
func TestNoEndpointWithoutCaller(t *testing.T) {
	for _, s := range synthAll(t) {
		for name, e := range s.resources("aws_vpc_endpoint") {
			service := strings.TrimPrefix(e["service_name"].(string), "com.amazonaws.sa-east-1.")
			if slices.Contains([]string{"kms", "secretsmanager", "sts"}, service) {
				t.Errorf("%s: aws_vpc_endpoint.%s serves %s, which no workload calls", s.Env.Name, name, service)
			}
		}
	}
}

// missingPaths returns the calls of env's workloads (config.AWSCalls, the
// README's table) that leave a task but find no endpoint among endpoints
// (aws_vpc_endpoint resources by name).
func missingPaths(env config.Environment, endpoints map[string]map[string]any) []string {
	services := map[string]bool{}
	for _, e := range endpoints {
		name, _ := e["service_name"].(string)
		services[strings.TrimPrefix(name, "com.amazonaws."+env.Region+".")] = true
	}
	var missing []string
	for _, c := range env.Calls() {
		if c.Endpoint != "" && !services[c.Endpoint] {
			missing = append(missing, c.Caller+": "+c.Call+" via "+c.Endpoint)
		}
	}
	return missing
}

// TestEveryCallHasAPrivatePath: in every environment without internet
// egress, each AWS call of the workloads that leaves a task has its
// endpoint, and the app group may reach the endpoints.
func TestEveryCallHasAPrivatePath(t *testing.T) {
	var staging synthesized
	for _, s := range synthAll(t) {
		env := s.Env
		if env.Name == config.Staging {
			staging = s
		}
		if env.Egress != config.EgressNone {
			continue
		}
		t.Run(env.Name, func(t *testing.T) {
			if len(env.Calls()) < 10 {
				t.Errorf("%s: %d calls; the list lost entries", env.Name, len(env.Calls()))
			}
			for _, m := range missingPaths(env, s.resources("aws_vpc_endpoint")) {
				t.Errorf("%s (egress none): %s has no endpoint", env.Name, m)
			}
			rules := s.resources("aws_vpc_security_group_egress_rule")
			for _, rule := range []string{"app_to_endpoints", "app_to_s3", "app_to_dynamodb"} {
				if _, ok := rules[rule]; !ok {
					t.Errorf("%s: no egress rule %s; the app group cannot reach the endpoints", env.Name, rule)
				}
			}
		})
	}
	// The check fails on staging's endpoints without the metrics one.
	endpoints := staging.resources("aws_vpc_endpoint")
	delete(endpoints, "monitoring_api")
	if got := missingPaths(staging.Env, endpoints); len(got) != 1 || !strings.Contains(got[0], "cloudwatch:PutMetricData") {
		t.Errorf("staging without monitoring_api: missing paths %v; want PutMetricData's", got)
	}
}
