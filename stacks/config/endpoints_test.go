package config

import (
	"slices"
	"testing"
)

func TestValidateEndpoints(t *testing.T) {
	without := func(list []string, drop string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == drop })
	}
	cases := []validationCase{
		{"EC2 launch type", Prod, func(e *Environment) { e.ECSLaunchType = "EC2" },
			wantError{field: "ECSLaunchType", value: "EC2", allowed: "FARGATE, the one supported launch type"}},
		{"no launch type", Dev, func(e *Environment) { e.ECSLaunchType = "" },
			wantError{field: "ECSLaunchType", value: "", allowed: "FARGATE"}},
		{"an endpoint with no caller", Staging, func(e *Environment) { e.InterfaceEndpoints = append(e.InterfaceEndpoints, "sts") },
			wantError{field: "InterfaceEndpoints", value: "sts", allowed: "one of kinesis-streams, monitoring, logs, ecr.api, ecr.dkr"}},
		{"kms endpoint", Prod, func(e *Environment) { e.InterfaceEndpoints = append(e.InterfaceEndpoints, "kms") },
			wantError{field: "InterfaceEndpoints", value: "kms", allowed: "kms, secretsmanager and sts serve none"}},
		{"an endpoint twice", Dev, func(e *Environment) { e.InterfaceEndpoints = append(e.InterfaceEndpoints, EndpointLogs) },
			wantError{field: "InterfaceEndpoints", value: EndpointLogs, allowed: "listed twice"}},
		{"egress none without the metrics endpoint", Prod, func(e *Environment) { e.InterfaceEndpoints = without(e.InterfaceEndpoints, EndpointMonitoring) },
			wantError{field: "InterfaceEndpoints", allowed: "add monitoring (used by processor (KCL))"}},
		{"egress none without the image endpoints", Staging, func(e *Environment) { e.InterfaceEndpoints = without(e.InterfaceEndpoints, EndpointECRDocker) },
			wantError{field: "InterfaceEndpoints", allowed: "add ecr.dkr (used by ECS on Fargate (task execution role))"}},
		{"ECR endpoints without ECS", Staging, func(e *Environment) {
			e.ProducerPrincipals = []string{ServiceLambda}
			e.ProcessorPrincipals = []string{ServiceLambda}
			e.ImageRepositories = nil
		}, wantError{field: "InterfaceEndpoints", value: EndpointECRAPI, allowed: "serves no caller here"}},
		{"ECS without repositories", Prod, func(e *Environment) { e.ImageRepositories = nil },
			wantError{field: "ImageRepositories", allowed: "at least one ECR repository name in account 333333333333"}},
		{"a wildcard repository", Prod, func(e *Environment) { e.ImageRepositories = []string{"fastshop/*"} },
			wantError{field: "ImageRepositories", value: "fastshop/*", allowed: "no wildcards"}},
		{"an uppercase repository", Dev, func(e *Environment) { e.ImageRepositories = []string{"FastShop"} },
			wantError{field: "ImageRepositories", value: "FastShop", allowed: "an ECR repository name"}},
		{"a repository twice", Dev, func(e *Environment) { e.ImageRepositories = []string{"fastshop/app", "fastshop/app"} },
			wantError{field: "ImageRepositories", value: "fastshop/app", allowed: "listed twice"}},
		{"repositories without ECS", Staging, func(e *Environment) {
			e.ProducerPrincipals = []string{ServiceLambda}
			e.ProcessorPrincipals = []string{ServiceLambda}
			e.InterfaceEndpoints = []string{EndpointKinesis, EndpointMonitoring}
		}, wantError{field: "ImageRepositories", allowed: "nothing pulls images"}},
	}
	expectRejected(t, cases)

	// With internet egress an environment may leave a path to NAT; Lambda
	// alone needs neither images nor awslogs.
	dev := envOf(t, Dev)
	dev.InterfaceEndpoints = []string{EndpointKinesis}
	if err := validateEnv(dev); err != nil {
		t.Errorf("dev (nat-shared) with one interface endpoint: %v", err)
	}
	lambda := envOf(t, Staging)
	lambda.ProducerPrincipals, lambda.ProcessorPrincipals, lambda.ImageRepositories = []string{ServiceLambda}, []string{ServiceLambda}, nil
	lambda.InterfaceEndpoints = []string{EndpointKinesis, EndpointMonitoring}
	if err := validateEnv(lambda); err != nil {
		t.Errorf("staging on Lambda only, kinesis-streams and monitoring: %v", err)
	}
	if got := lambda.NeededInterfaceEndpoints(); !slices.Equal(got, []string{EndpointKinesis, EndpointMonitoring}) {
		t.Errorf("staging on Lambda only needs %v; want kinesis-streams and monitoring", got)
	}
}

// TestAWSCallsHaveAPath: every call names its source and either an
// endpoint the stacks know or a path that needs none.
func TestAWSCallsHaveAPath(t *testing.T) {
	known := append(InterfaceEndpointServices(), GatewayS3, GatewayDynamoDB)
	for _, c := range AWSCalls() {
		if c.Caller == "" || c.Call == "" || c.Path == "" || c.Source == "" {
			t.Errorf("call %+v: caller, call, path and source are required", c)
		}
		if c.Endpoint != "" && !slices.Contains(known, c.Endpoint) {
			t.Errorf("call %s by %s goes through %q, which is no endpoint the stacks create", c.Call, c.Caller, c.Endpoint)
		}
	}
	for _, s := range InterfaceEndpointServices() {
		if !slices.ContainsFunc(AWSCalls(), func(c AWSCall) bool { return c.Endpoint == s }) {
			t.Errorf("interface endpoint %s is allowed but no call goes through it", s)
		}
	}
}

func TestInterfaceEndpointCost(t *testing.T) {
	prod := envOf(t, Prod)
	if got := prod.InterfaceEndpointENIs(); got != 15 {
		t.Errorf("prod: %d endpoint network interfaces; want 5 endpoints x 3 AZs = 15", got)
	}
	if got, want := prod.InterfaceEndpointMonthlyUSD(), 15*730*InterfaceEndpointHourlyUSD; got != want {
		t.Errorf("prod: monthly %v; want %v", got, want)
	}
}
