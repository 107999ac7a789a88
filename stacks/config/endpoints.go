package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The workloads run as ECS tasks on Fargate (or, where Lambda is among
// their principals, as functions). Fargate is the one supported launch
// type: a Fargate task starts with a task execution role and the ECR,
// CloudWatch Logs and S3 paths below; EC2 container instances would also
// need a container instance role and profile, an AMI and the ecs,
// ecs-agent and ecs-telemetry endpoints to register (Amazon ECS Developer
// Guide, "Amazon ECS interface VPC endpoints"), none of which these stacks
// create.
const LaunchTypeFargate = "FARGATE"

// launchTypes are the allowed ECSLaunchType values.
var launchTypes = []string{LaunchTypeFargate}

// The interface endpoint services a workload may need, as the service
// name's suffix (com.amazonaws.<region>.<service>). Each serves a caller in
// AWSCalls; kms, secretsmanager and sts serve none (Kinesis and DynamoDB
// call KMS themselves, no workload reads a secret, task and function
// credentials come from ECS and Lambda without an STS call), so they are
// not allowed.
const (
	EndpointKinesis    = "kinesis-streams"
	EndpointMonitoring = "monitoring"
	EndpointLogs       = "logs"
	EndpointECRAPI     = "ecr.api"
	EndpointECRDocker  = "ecr.dkr"
)

// interfaceEndpointServices are the allowed InterfaceEndpoints values (the
// stacks create an environment's in the order its InterfaceEndpoints lists
// them).
var interfaceEndpointServices = []string{EndpointKinesis, EndpointMonitoring, EndpointLogs, EndpointECRAPI, EndpointECRDocker}

// InterfaceEndpointServices returns the allowed InterfaceEndpoints values
// (a fresh copy).
func InterfaceEndpointServices() []string { return slices.Clone(interfaceEndpointServices) }

// The gateway endpoints every environment has: free (Amazon VPC, "Gateway
// endpoints" > "Pricing"), on the private route tables.
const (
	GatewayS3       = "s3"
	GatewayDynamoDB = "dynamodb"
)

// AWSCall is one AWS API call a workload makes at run time, and its private
// path from the private subnets.
type AWSCall struct {
	// Caller is who makes the call.
	Caller string
	// Call is the API call or calls (IAM action names).
	Call string
	// Endpoint is the VPC endpoint service the call goes through
	// (an interface endpoint, or GatewayS3 / GatewayDynamoDB); empty when
	// nothing leaves the task for it.
	Endpoint string
	// Path says how the call travels, for the README.
	Path string
	// Source is the document and section that say so.
	Source string
	// ECSOnly marks calls that only an ECS task makes (image pull, the
	// awslogs driver); a Lambda function's are the Lambda service's own.
	ECSOnly bool
}

// AWSCalls lists every AWS call the producers and processors make once
// they run, with its private path. With Egress none each call that leaves
// the task must have its endpoint (validateEndpoints; a stacks test checks
// the synthesized endpoints against this list, and the README's table is
// rendered from it).
func AWSCalls() []AWSCall {
	return []AWSCall{
		{"processor (KCL)", "kinesis:GetRecords, GetShardIterator, ListShards, DescribeStream, DescribeStreamSummary", EndpointKinesis,
			"interface endpoint", "Amazon Kinesis Data Streams Developer Guide, Using Kinesis Data Streams with interface VPC endpoints", false},
		{"producer", "kinesis:PutRecord, PutRecords, ListShards, DescribeStreamSummary", EndpointKinesis,
			"interface endpoint", "Amazon Kinesis Data Streams Developer Guide, Using Kinesis Data Streams with interface VPC endpoints", false},
		{"Kinesis, for producer and processor", "kms:GenerateDataKey, kms:Decrypt on the stream key", "",
			"none from the VPC: Kinesis calls KMS itself (kms:ViaService kinesis)", "Amazon Kinesis Data Streams Developer Guide, Data protection > Permissions to use user-generated KMS keys", false},
		{"processor (KCL)", "dynamodb:GetItem, PutItem, UpdateItem, DeleteItem, Scan, Query, DescribeTable on the lease table", GatewayDynamoDB,
			"gateway endpoint", "Amazon VPC, Gateway endpoints for Amazon DynamoDB", false},
		{"DynamoDB, for the processor", "kms:Decrypt, kms:DescribeKey on the kcl key", "",
			"none from the VPC: DynamoDB calls KMS itself (kms:ViaService dynamodb)", "Amazon DynamoDB Developer Guide, Encryption at rest: How it works", false},
		{"processor (KCL)", "cloudwatch:PutMetricData", EndpointMonitoring,
			"interface endpoint", "Amazon CloudWatch User Guide, Using CloudWatch with interface VPC endpoints", false},
		{"processor", "rds-db:connect (IAM database token)", "",
			"none: the SDK signs the token locally (SigV4 presigned URL); the connection goes to PostgreSQL on 5432 in the VPC", "Amazon RDS User Guide, Connecting to your DB instance using IAM authentication", false},
		{"processor", "elasticache:Connect (IAM token)", "",
			"none: the client signs the token locally (SigV4 presigned request); the connection goes to Redis on 6379 in the VPC", "Amazon ElastiCache User Guide, Authenticating with IAM", false},
		{"producer and processor SDK", "role credentials", "",
			"none: ECS hands the task role's credentials to the task (container credentials endpoint), Lambda to the function; no STS call", "Amazon ECS Developer Guide, Amazon ECS task IAM role", false},
		{"ECS on Fargate (task execution role)", "ecr:GetAuthorizationToken", EndpointECRAPI,
			"interface endpoint", "Amazon ECR User Guide, Amazon ECR interface VPC endpoints (AWS PrivateLink)", true},
		{"ECS on Fargate (task execution role)", "ecr:BatchGetImage, ecr:GetDownloadUrlForLayer", EndpointECRDocker,
			"interface endpoint", "Amazon ECR User Guide, Amazon ECR interface VPC endpoints (AWS PrivateLink)", true},
		{"ECS on Fargate", "s3:GetObject on prod-<region>-starport-layer-bucket (image layers, presigned by ECR)", GatewayS3,
			"gateway endpoint", "Amazon ECR User Guide, Amazon ECR interface VPC endpoints > Create the Amazon S3 gateway endpoint", true},
		{"ECS on Fargate (task execution role, awslogs driver)", "logs:CreateLogStream, PutLogEvents", EndpointLogs,
			"interface endpoint", "Amazon ECS Developer Guide, Amazon ECS task execution IAM role; Send Amazon ECS logs to CloudWatch", true},
	}
}

// RunsOnECS reports whether ECS runs the producers or the processors.
func (e Environment) RunsOnECS() bool {
	return slices.Contains(e.ProducerPrincipals, ServiceECSTasks) || slices.Contains(e.ProcessorPrincipals, ServiceECSTasks)
}

// Calls are the AWSCalls of e's workloads: the ECS-only ones only where ECS
// runs a workload.
func (e Environment) Calls() []AWSCall {
	var out []AWSCall
	for _, c := range AWSCalls() {
		if !c.ECSOnly || e.RunsOnECS() {
			out = append(out, c)
		}
	}
	return out
}

// NeededInterfaceEndpoints are the interface endpoint services some call of
// e's workloads goes through, in the order of interfaceEndpointServices.
func (e Environment) NeededInterfaceEndpoints() []string {
	var out []string
	for _, s := range interfaceEndpointServices {
		if slices.ContainsFunc(e.Calls(), func(c AWSCall) bool { return c.Endpoint == s }) {
			out = append(out, s)
		}
	}
	return out
}

// callersOf names the callers that go through service, for messages.
func (e Environment) callersOf(service string) string {
	var callers []string
	for _, c := range AWSCalls() {
		if c.Endpoint == service && !slices.Contains(callers, c.Caller) {
			callers = append(callers, c.Caller)
		}
	}
	return strings.Join(callers, "; ")
}

// ecrRepositoryName is ECR's rule for a repository name (CreateRepository,
// repositoryName): 2 to 256 characters, lowercase path components.
var ecrRepositoryName = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// validateEndpoints checks the launch type, the interface endpoints and the
// image repositories: every interface endpoint serves a caller of this
// environment, and with Egress none every call that leaves a task has its
// endpoint.
func (e Environment) validateEndpoints(p *problems) {
	if !slices.Contains(launchTypes, e.ECSLaunchType) {
		p.add("ECSLaunchType", e.ECSLaunchType, "%s, the one supported launch type (EC2 container instances need an instance role and the ecs, ecs-agent and ecs-telemetry endpoints, which these stacks do not create)",
			strings.Join(launchTypes, ", "))
	}

	needed := e.NeededInterfaceEndpoints()
	allowed := "one of " + strings.Join(interfaceEndpointServices, ", ")
	for i, s := range e.InterfaceEndpoints {
		switch {
		case !slices.Contains(interfaceEndpointServices, s):
			p.add("InterfaceEndpoints", s, "%s (each serves a caller listed in README's Private paths to AWS; kms, secretsmanager and sts serve none)", allowed)
		case slices.Contains(e.InterfaceEndpoints[:i], s):
			p.add("InterfaceEndpoints", s, "listed twice")
		case !slices.Contains(needed, s):
			p.add("InterfaceEndpoints", s, "serves no caller here: only %s calls it, and ECS runs no workload (ProducerPrincipals, ProcessorPrincipals)", e.callersOf(s))
		}
	}
	if e.Egress == EgressNone {
		for _, s := range needed {
			if !slices.Contains(e.InterfaceEndpoints, s) {
				p.add("InterfaceEndpoints", e.InterfaceEndpoints, "with Egress none every call needs a private path: add %s (used by %s)", s, e.callersOf(s))
			}
		}
	}

	if e.RunsOnECS() && len(e.ImageRepositories) == 0 {
		p.add("ImageRepositories", e.ImageRepositories, "at least one ECR repository name in account %s: ECS pulls the workloads' images from it with the task execution role", e.AccountID)
	}
	for i, r := range e.ImageRepositories {
		switch {
		case len(r) < 2 || len(r) > 256 || !ecrRepositoryName.MatchString(r):
			p.add("ImageRepositories", r, "an ECR repository name: 2 to 256 lowercase letters, digits and . _ - between them, components separated by / (no wildcards)")
		case slices.Contains(e.ImageRepositories[:i], r):
			p.add("ImageRepositories", r, "listed twice")
		}
	}
	if !e.RunsOnECS() && len(e.ImageRepositories) > 0 {
		p.add("ImageRepositories", e.ImageRepositories, "none: ECS runs no workload here (ProducerPrincipals, ProcessorPrincipals), so nothing pulls images")
	}
}

// ImageRepositoryARN is the ARN of one of ImageRepositories.
func (e Environment) ImageRepositoryARN(name string) string {
	return fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", e.Region, e.AccountID, name)
}

// ECRLayerBucketARN is the AWS-owned bucket ECR serves image layers from in
// e's region (Amazon ECR User Guide, "Minimum Amazon S3 bucket permissions
// for Amazon ECR").
func (e Environment) ECRLayerBucketARN() string {
	return fmt.Sprintf("arn:aws:s3:::prod-%s-starport-layer-bucket", e.Region)
}

// What an interface endpoint costs (AWS PrivateLink pricing,
// https://aws.amazon.com/privatelink/pricing/, "Interface Endpoint
// pricing"): each endpoint is billed per hour in each Availability Zone
// (one network interface per zone) and per GB it processes. The hourly rate
// below is the one the page quotes for US East (N. Virginia); the page
// shows São Paulo's (sa-east-1) only in its region selector, which this
// repository could not read: confirm it there and change this one value
// (README's cost table is rendered from it, and a test keeps the two in
// step). Data processing ($0.01 per GB for the first PB) depends on
// traffic and is not in the table.
const (
	InterfaceEndpointHourlyUSD = 0.01
	HoursPerMonth              = 730
)

// InterfaceEndpointENIs is how many endpoint network interfaces e pays for:
// one per interface endpoint per Availability Zone.
func (e Environment) InterfaceEndpointENIs() int {
	return len(e.InterfaceEndpoints) * len(e.AvailabilityZones)
}

// InterfaceEndpointMonthlyUSD is e's monthly hourly charge for its
// interface endpoints, before data processing.
func (e Environment) InterfaceEndpointMonthlyUSD() float64 {
	return float64(e.InterfaceEndpointENIs()*HoursPerMonth) * InterfaceEndpointHourlyUSD
}
