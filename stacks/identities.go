package stacks

import (
	"fmt"
	"slices"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iampolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachment"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// ProcessorDBUser is the PostgreSQL role the processors sign in as with an
// IAM token instead of a password. Terraform does not create database roles:
// after the first apply, as the master user,
//
//	CREATE ROLE fastshop_processor WITH LOGIN;
//	GRANT rds_iam TO fastshop_processor;
//
// then grant it the tables it needs.
const ProcessorDBUser = "fastshop_processor"

// Exact actions of each role. No wildcards: a new action in a service never
// widens a role. Enhanced fan-out (kinesis:SubscribeToShard) needs a
// registered stream consumer and is not granted until one exists.
var (
	producerStreamActions  = []string{"kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"}
	producerKeyActions     = []string{"kms:GenerateDataKey"}
	processorStreamActions = []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"}
	processorKeyActions    = []string{"kms:Decrypt"}
	processorDBActions     = []string{"rds-db:connect"}
	processorCacheActions  = []string{"elasticache:Connect"}
	processorLogActions    = []string{"logs:CreateLogStream", "logs:PutLogEvents"}
	producerLogActions     = processorLogActions
)

// What Lambda checks on the execution role when a function is created or
// updated with a VPC configuration (AWS Lambda Developer Guide, "Giving
// Lambda functions access to resources in an Amazon VPC" > "Required IAM
// permissions"). Lambda manages the function's network interfaces with the
// role's permissions.
var (
	// lambdaCreateENIActions are scoped to this stack's private subnets and
	// the app security group: a function may join the VPC only there.
	lambdaCreateENIActions = []string{"ec2:CreateNetworkInterface"}
	// lambdaManageENIActions act on an existing network interface, whose id
	// is unknown in advance: any network interface of this account and
	// region.
	lambdaManageENIActions = []string{"ec2:AssignPrivateIpAddresses", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"}
	// lambdaDescribeActions support no resource-level permissions (Service
	// Authorization Reference, Amazon EC2: no resource types for Describe*
	// actions; the Lambda guide: DescribeNetworkInterfaces only on "*").
	lambdaDescribeActions = []string{"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"}
)

// What ECS on Fargate does with the task execution role before a container
// starts: pull the image from ECR and create the awslogs log stream (Amazon
// ECS Developer Guide, "Amazon ECS task execution IAM role"; Amazon ECR User
// Guide, "Using Amazon ECR images with Amazon ECS": ecr:BatchGetImage,
// ecr:GetDownloadUrlForLayer, ecr:GetAuthorizationToken). Not
// logs:CreateLogGroup: the groups exist, and a task definition must not set
// awslogs-create-group.
var (
	// executionTokenActions support no resource-level permissions (Service
	// Authorization Reference, Amazon ECR: GetAuthorizationToken has no
	// resource type), so they are granted on "*": the token alone reaches
	// no repository the pull statement does not name.
	executionTokenActions = []string{"ecr:GetAuthorizationToken"}
	executionPullActions  = []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
	executionLogActions   = []string{"logs:CreateLogStream", "logs:PutLogEvents"}
)

// identity is one workload role and the managed policy that holds its
// permissions, each value read from the binding once.
type identity struct {
	RoleARN, RoleName, PolicyARN string
}

// identities are the roles the workloads run as, and the processor's log
// group.
type identities struct {
	Producer  identity
	Processor identity
	// TaskExecution is the ECS task execution role of the producer and
	// processor tasks; empty where ECS runs neither.
	TaskExecution    identity
	ProducerLogName  string
	ProcessorLogName string
}

// addIdentities creates the producer and processor roles. Their permissions
// are customer-managed policies attached to the roles rather than inline
// ones, so that an operator can attach the same permissions to another
// principal (a replay job, a break-glass role) by ARN, and so that IAM
// Access Analyzer and the console show each as a reviewable document.
//
// Where Lambda may assume a role, the role also gets the network-interface
// permissions Lambda needs to attach functions to the VPC, and each role
// writes only its own log group (a function names it in its logging
// configuration instead of the default /aws/lambda/<function>).
func addIdentities(stack cdktf.TerraformStack, env config.Environment, k keys, net network, g securityGroups, s stream, db database, c cache, kcl kclTables) identities {
	viaKinesis := map[string]map[string]any{
		"StringEquals": {"kms:ViaService": fmt.Sprintf("kinesis.%s.amazonaws.com", env.Region)},
	}

	names := env.Names()
	producerLogName := names.ProducerLogGroup
	producerLog := newLogGroup(stack, env, k, "producer_log", producerLogName)
	producerLogARN := *producerLog.Arn()
	producer := newPolicy(append([]policyStatement{
		allow("PutTransactions", producerStreamActions, s.ARN),
		{
			Sid: "EncryptThroughKinesis", Effect: "Allow", Action: producerKeyActions,
			Resource: k.Stream.ARN, Condition: viaKinesis,
		},
		allow("WriteOwnLogs", producerLogActions, []string{producerLogARN, producerLogARN + ":log-stream:*"}),
	}, lambdaVPCStatements(env, env.ProducerPrincipals, net, g)...)...)

	logGroupName := names.ProcessorLogGroup
	log := newLogGroup(stack, env, k, "processor_log", logGroupName)
	logARN := *log.Arn()
	processorStatements := append(kclPolicyStatements(env, kcl), lambdaVPCStatements(env, env.ProcessorPrincipals, net, g)...)
	processor := newPolicy(append([]policyStatement{
		allow("ReadTransactions", processorStreamActions, s.ARN),
		{
			Sid: "DecryptThroughKinesis", Effect: "Allow", Action: processorKeyActions,
			Resource: k.Stream.ARN, Condition: viaKinesis,
		},
		allow("ConnectToPostgres", processorDBActions,
			fmt.Sprintf("arn:aws:rds-db:%s:%s:dbuser:%s/%s", env.Region, env.AccountID, db.ResourceID, ProcessorDBUser)),
		allow("ConnectToRedis", processorCacheActions, []string{c.ARN, c.AppUserARN}),
		allow("WriteOwnLogs", processorLogActions, []string{logARN, logARN + ":log-stream:*"}),
	}, processorStatements...)...)

	var execution identity
	if env.RunsOnECS() {
		var images []string
		for _, r := range env.ImageRepositories {
			images = append(images, env.ImageRepositoryARN(r))
		}
		logs := []string{producerLogARN, producerLogARN + ":log-stream:*", logARN, logARN + ":log-stream:*"}
		execution = addRole(stack, env, "task_execution", names.TaskExecutionRole, []string{config.ServiceECSTasks},
			"ECS task execution role of the producer and processor tasks ("+env.ECSLaunchType+"): pulls their images from ECR, writes their awslogs streams",
			newPolicy(
				allow("GetRegistryToken", executionTokenActions, "*"),
				allow("PullOwnImages", executionPullActions, images),
				allow("WriteTaskLogs", executionLogActions, logs),
			))
	}

	return identities{
		TaskExecution: execution,
		Producer: addRole(stack, env, "producer", names.ProducerRole, env.ProducerPrincipals,
			"Puts transactions on "+names.Stream+", writes "+producerLogName, producer),
		Processor: addRole(stack, env, "processor", names.ProcessorRole, env.ProcessorPrincipals,
			"Reads "+names.Stream+", signs in to PostgreSQL as "+ProcessorDBUser+" and to Redis, writes "+logGroupName, processor),
		ProducerLogName:  *producerLog.Name(),
		ProcessorLogName: *log.Name(),
	}
}

// lambdaVPCStatements are the statements a role needs when Lambda is among
// its principals, and none otherwise.
func lambdaVPCStatements(env config.Environment, principals []string, net network, g securityGroups) []policyStatement {
	if !slices.Contains(principals, config.ServiceLambda) {
		return nil
	}
	createIn := []string{fmt.Sprintf("arn:aws:ec2:%s:%s:network-interface/*", env.Region, env.AccountID)}
	for _, id := range net.PrivateSubnetIDs {
		createIn = append(createIn, fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", env.Region, env.AccountID, *id))
	}
	createIn = append(createIn, g.AppARN)
	return []policyStatement{
		allow("LambdaCreateNetworkInterfaces", lambdaCreateENIActions, createIn),
		allow("LambdaManageNetworkInterfaces", lambdaManageENIActions, fmt.Sprintf("arn:aws:ec2:%s:%s:network-interface/*", env.Region, env.AccountID)),
		allow("LambdaDescribeNetwork", lambdaDescribeActions, "*"),
	}
}

// addRole creates a role the given services may assume for this account,
// its managed policy (of the same name) and the attachment. id names all
// three constructs.
func addRole(stack cdktf.TerraformStack, env config.Environment, id, name string, services []string, description string, policy policyDocument) identity {
	role := iamrole.NewIamRole(stack, jsii.String(id), &iamrole.IamRoleConfig{
		Name:                jsii.String(name),
		Description:         jsii.String(description),
		AssumeRolePolicy:    jsii.String(servicesAssumeRolePolicy(services, env.AccountID)),
		PermissionsBoundary: workloadBoundary(env),
		// One hour: the processors refresh credentials through the SDK.
		MaxSessionDuration: jsii.Number(3600),
		Tags:               nameTag(name),
	})
	access := iampolicy.NewIamPolicy(stack, jsii.String(id+"_access"), &iampolicy.IamPolicyConfig{
		Name:        jsii.String(name),
		Description: jsii.String(description),
		Policy:      jsii.String(policy.JSON()),
		Tags:        nameTag(name),
	})
	roleName, policyARN := role.Name(), access.Arn()
	iamrolepolicyattachment.NewIamRolePolicyAttachment(stack, jsii.String(id+"_access_attachment"), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
		Role:      roleName,
		PolicyArn: policyARN,
	})
	return identity{RoleARN: *role.Arn(), RoleName: *roleName, PolicyARN: *policyARN}
}
