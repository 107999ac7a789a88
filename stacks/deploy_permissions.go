package stacks

import (
	"fmt"
	"slices"
	"strings"

	"fastshop/stacks/config"
)

// resourceAPI is what Terraform's AWS provider calls for one resource type:
// Read on every refresh (plan and apply), Write to create, update, tag,
// replace and delete. docs/aws-requirements.md ("Deploy identities")
// gives the source of each row: the Service Authorization Reference's
// actions for the service, and the provider's resource code
// (hashicorp/terraform-provider-aws internal/service/<service>/<resource>.go),
// whose Create/Read/Update/Delete functions make these calls.
type resourceAPI struct {
	Read  []string
	Write []string
}

// ec2Tags are the tag writes of every EC2 resource: the provider tags at
// create (TagSpecifications, which EC2 authorizes as ec2:CreateTags) and
// changes tags in place.
var ec2Tags = []string{"ec2:CreateTags", "ec2:DeleteTags"}

func with(actions []string, more ...string) []string {
	return append(slices.Clone(more), actions...)
}

// deployAPI maps every resource type the pipeline stacks create to the
// actions its lifecycle needs. The apply role gets Read and Write, the plan
// role Read only. TestDeployRolesCoverStackTypes fails when a stack gains a
// type missing here.
var deployAPI = map[string]resourceAPI{
	// EC2 and VPC (internal/service/ec2).
	"aws_vpc": {
		// Read also looks up the VPC's default network ACL, route table and
		// security group (vpc.go, resourceVPCRead).
		Read:  []string{"ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups"},
		Write: with(ec2Tags, "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute"),
	},
	"aws_subnet": {
		Read:  []string{"ec2:DescribeSubnets"},
		Write: with(ec2Tags, "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute"),
	},
	"aws_internet_gateway": {
		Read:  []string{"ec2:DescribeInternetGateways"},
		Write: with(ec2Tags, "ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"),
	},
	"aws_route_table": {
		Read:  []string{"ec2:DescribeRouteTables"},
		Write: with(ec2Tags, "ec2:CreateRouteTable", "ec2:DeleteRouteTable"),
	},
	"aws_route": {
		Read:  []string{"ec2:DescribeRouteTables"},
		Write: []string{"ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"},
	},
	"aws_route_table_association": {
		Read:  []string{"ec2:DescribeRouteTables"},
		Write: []string{"ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation"},
	},
	"aws_default_security_group": {
		// Adopting the default group revokes its rules.
		Read:  []string{"ec2:DescribeSecurityGroups"},
		Write: with(ec2Tags, "ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress"),
	},
	"aws_eip": {
		Read:  []string{"ec2:DescribeAddresses"},
		Write: with(ec2Tags, "ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress"),
	},
	"aws_nat_gateway": {
		Read:  []string{"ec2:DescribeNatGateways"},
		Write: with(ec2Tags, "ec2:CreateNatGateway", "ec2:DeleteNatGateway"),
	},
	"aws_flow_log": {
		// Creating a flow log passes its delivery role (PassRole below).
		Read:  []string{"ec2:DescribeFlowLogs"},
		Write: with(ec2Tags, "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs"),
	},
	"aws_security_group": {
		// A new group's default egress rule is revoked; delete waits for
		// the group's network interfaces to go.
		Read:  []string{"ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"},
		Write: with(ec2Tags, "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupEgress"),
	},
	"aws_vpc_security_group_ingress_rule": {
		Read:  []string{"ec2:DescribeSecurityGroupRules"},
		Write: with(ec2Tags, "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:ModifySecurityGroupRules"),
	},
	"aws_vpc_security_group_egress_rule": {
		Read:  []string{"ec2:DescribeSecurityGroupRules"},
		Write: with(ec2Tags, "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules"),
	},
	"aws_vpc_endpoint": {
		// Interface endpoints with private DNS associate the VPC with the
		// service's private hosted zone on the caller's behalf.
		Read:  []string{"ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists", "ec2:DescribeVpcEndpointServices"},
		Write: with(ec2Tags, "ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints", "route53:AssociateVPCWithHostedZone"),
	},

	// KMS (internal/service/kms).
	"aws_kms_key": {
		Read:  []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"},
		Write: []string{"kms:CreateKey", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:UpdateKeyDescription", "kms:EnableKey", "kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource"},
	},
	"aws_kms_alias": {
		Read:  []string{"kms:ListAliases"},
		Write: []string{"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"},
	},

	// CloudWatch Logs (internal/service/logs).
	"aws_cloudwatch_log_group": {
		Read:  []string{"logs:DescribeLogGroups", "logs:ListTagsForResource"},
		Write: []string{"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource"},
	},

	// IAM (internal/service/iam). Who may be written is decided in
	// deployIAMStatements, not here.
	"aws_iam_role": {
		Read:  []string{"iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"},
		Write: []string{"iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole"},
	},
	"aws_iam_policy": {
		Read:  []string{"iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"},
		Write: []string{"iam:CreatePolicy", "iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"},
	},
	"aws_iam_role_policy": {
		Read:  []string{"iam:GetRolePolicy"},
		Write: []string{"iam:PutRolePolicy", "iam:DeleteRolePolicy"},
	},
	"aws_iam_role_policy_attachment": {
		Read:  []string{"iam:ListAttachedRolePolicies"},
		Write: []string{"iam:AttachRolePolicy", "iam:DetachRolePolicy"},
	},

	// Kinesis (internal/service/kinesis).
	"aws_kinesis_stream": {
		Read: []string{"kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream"},
		Write: []string{"kinesis:CreateStream", "kinesis:DeleteStream", "kinesis:AddTagsToStream", "kinesis:RemoveTagsFromStream",
			"kinesis:IncreaseStreamRetentionPeriod", "kinesis:DecreaseStreamRetentionPeriod", "kinesis:StartStreamEncryption", "kinesis:StopStreamEncryption",
			"kinesis:UpdateShardCount", "kinesis:UpdateStreamMode", "kinesis:EnableEnhancedMonitoring", "kinesis:DisableEnhancedMonitoring"},
	},

	// RDS (internal/service/rds).
	"aws_db_instance": {
		// The managed master password: RDS creates the secret with the
		// caller's permissions (RDS User Guide, "Password management with
		// Amazon RDS and AWS Secrets Manager" > "Required permissions").
		// A delete that takes the final snapshot (staging, prod) needs
		// rds:CreateDBSnapshot on the instance and the snapshot
		// (fastshop-transactions-db-<env>-final-<time>), and, with
		// copy_tags_to_snapshot, rds:AddTagsToResource on the snapshot
		// (RDS's IAM change of August 2024 for DeleteDBInstance).
		Read: []string{"rds:DescribeDBInstances", "rds:ListTagsForResource"},
		Write: []string{"rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:CreateDBSnapshot", "rds:RebootDBInstance", "rds:AddTagsToResource", "rds:RemoveTagsFromResource",
			"secretsmanager:CreateSecret", "secretsmanager:RotateSecret", "secretsmanager:TagResource"},
	},
	"aws_db_parameter_group": {
		Read:  []string{"rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:ListTagsForResource"},
		Write: []string{"rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup", "rds:ResetDBParameterGroup", "rds:DeleteDBParameterGroup", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"},
	},
	"aws_db_subnet_group": {
		Read:  []string{"rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"},
		Write: []string{"rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"},
	},
	"aws_db_event_subscription": {
		Read: []string{"rds:DescribeEventSubscriptions", "rds:ListTagsForResource"},
		Write: []string{"rds:CreateEventSubscription", "rds:ModifyEventSubscription", "rds:DeleteEventSubscription",
			"rds:AddSourceIdentifierToSubscription", "rds:RemoveSourceIdentifierFromSubscription", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"},
	},

	// ElastiCache (internal/service/elasticache).
	"aws_elasticache_replication_group": {
		// Log delivery to CloudWatch Logs is a vended-logs delivery the
		// caller sets up (CloudWatch Logs User Guide, "Enabling logging
		// from AWS services" > "Logs sent to CloudWatch Logs").
		Read: []string{"elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters", "elasticache:ListTagsForResource", "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:DescribeResourcePolicies"},
		Write: []string{"elasticache:CreateReplicationGroup", "elasticache:ModifyReplicationGroup", "elasticache:DeleteReplicationGroup",
			"elasticache:IncreaseReplicaCount", "elasticache:DecreaseReplicaCount", "elasticache:AddTagsToResource", "elasticache:RemoveTagsFromResource",
			"logs:CreateLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy"},
	},
	"aws_elasticache_parameter_group": {
		Read: []string{"elasticache:DescribeCacheParameterGroups", "elasticache:DescribeCacheParameters", "elasticache:ListTagsForResource"},
		Write: []string{"elasticache:CreateCacheParameterGroup", "elasticache:ModifyCacheParameterGroup", "elasticache:ResetCacheParameterGroup", "elasticache:DeleteCacheParameterGroup",
			"elasticache:AddTagsToResource", "elasticache:RemoveTagsFromResource"},
	},
	"aws_elasticache_subnet_group": {
		Read:  []string{"elasticache:DescribeCacheSubnetGroups", "elasticache:ListTagsForResource"},
		Write: []string{"elasticache:CreateCacheSubnetGroup", "elasticache:ModifyCacheSubnetGroup", "elasticache:DeleteCacheSubnetGroup", "elasticache:AddTagsToResource", "elasticache:RemoveTagsFromResource"},
	},
	"aws_elasticache_user": {
		Read:  []string{"elasticache:DescribeUsers", "elasticache:ListTagsForResource"},
		Write: []string{"elasticache:CreateUser", "elasticache:ModifyUser", "elasticache:DeleteUser", "elasticache:AddTagsToResource", "elasticache:RemoveTagsFromResource"},
	},
	"aws_elasticache_user_group": {
		Read:  []string{"elasticache:DescribeUserGroups", "elasticache:ListTagsForResource"},
		Write: []string{"elasticache:CreateUserGroup", "elasticache:ModifyUserGroup", "elasticache:DeleteUserGroup", "elasticache:AddTagsToResource", "elasticache:RemoveTagsFromResource"},
	},

	// SNS, SQS, EventBridge Pipes, CloudWatch (internal/service/{sns,sqs,pipes,cloudwatch}).
	"aws_sns_topic": {
		Read:  []string{"sns:GetTopicAttributes", "sns:ListTagsForResource"},
		Write: []string{"sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"},
	},
	"aws_sns_topic_policy": {
		Read:  []string{"sns:GetTopicAttributes"},
		Write: []string{"sns:SetTopicAttributes"},
	},
	"aws_sns_topic_subscription": {
		Read:  []string{"sns:GetSubscriptionAttributes"},
		Write: []string{"sns:Subscribe", "sns:Unsubscribe", "sns:SetSubscriptionAttributes"},
	},
	"aws_sqs_queue": {
		Read:  []string{"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"},
		Write: []string{"sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"},
	},
	"aws_sqs_queue_policy": {
		Read:  []string{"sqs:GetQueueAttributes"},
		Write: []string{"sqs:SetQueueAttributes"},
	},
	"aws_pipes_pipe": {
		// Creating a pipe passes its role (PassRole below).
		Read:  []string{"pipes:DescribePipe", "pipes:ListTagsForResource"},
		Write: []string{"pipes:CreatePipe", "pipes:UpdatePipe", "pipes:DeletePipe", "pipes:StartPipe", "pipes:StopPipe", "pipes:TagResource", "pipes:UntagResource"},
	},
	"aws_cloudwatch_metric_alarm": {
		Read:  []string{"cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"},
		Write: []string{"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"},
	},

	// DynamoDB (internal/service/dynamodb).
	"aws_dynamodb_table": {
		Read: []string{"dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"},
		Write: []string{"dynamodb:CreateTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable", "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTimeToLive",
			"dynamodb:TagResource", "dynamodb:UntagResource"},
	},
}

// readPrefixes are the action name prefixes that read and change nothing
// (Service Authorization Reference, access level List or Read). The plan
// role holds only actions starting with one of them.
var readPrefixes = []string{"Describe", "Get", "List"}

// isReadAction reports whether service:Action only reads.
func isReadAction(action string) bool {
	_, name, ok := strings.Cut(action, ":")
	return ok && slices.ContainsFunc(readPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}

// serviceOf is the prefix of service:Action.
func serviceOf(action string) string {
	service, _, _ := strings.Cut(action, ":")
	return service
}

// stackActions returns the sorted, distinct Read (and, with write, Write)
// actions of the given resource types, by service.
func stackActions(types []string, write bool) map[string][]string {
	byService := map[string][]string{}
	for _, typ := range types {
		api := deployAPI[typ]
		actions := slices.Clone(api.Read)
		if write {
			actions = append(actions, api.Write...)
		}
		for _, a := range actions {
			byService[serviceOf(a)] = append(byService[serviceOf(a)], a)
		}
	}
	for s, actions := range byService {
		slices.Sort(actions)
		byService[s] = slices.Compact(actions)
	}
	return byService
}

// pipelineTypes are the resource types of deployAPI, sorted: what the
// pipeline stacks create (TestDeployRolesCoverStackTypes keeps them equal).
func pipelineTypes() []string {
	var types []string
	for typ := range deployAPI {
		types = append(types, typ)
	}
	slices.Sort(types)
	return types
}

// unscopedWrites support no resource-level permission (Service
// Authorization Reference: no resource type for the action), so the apply
// role holds them on "*", in its region only.
var unscopedWrites = []string{
	"kms:CreateKey", // a key's id does not exist before it
	"logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
}

// passedRole is a role of the pipeline stack that a resource hands to a
// service: the apply role may pass exactly these, each only to its service.
type passedRole struct {
	Name    string
	Service string
}

// passedRoles are the roles the pipeline stack passes (flow log delivery,
// the Redis notifications pipe). The producer and processor roles are
// passed by whoever deploys the ECS tasks or Lambda functions, not by the
// stack.
func passedRoles(env config.Environment) []passedRole {
	return []passedRole{
		{env.Names().FlowLogsRole, "vpc-flow-logs.amazonaws.com"},
		{env.Names().RedisForwarderRole, pipesService},
	}
}

// regionalResources are the ARN patterns an apply role may write in each
// regional service: the stack's names (fastshop-<thing>-<env>, the log
// group paths) where the service's ARNs carry them, else the account and
// region (EC2 ids and KMS key ids are random; an interface endpoint's
// hosted zone is AWS's).
func regionalResources(env config.Environment) map[string][]string {
	arn := func(service, rest string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, env.Region, env.AccountID, rest)
	}
	named := func(service, sep string, kinds ...string) []string {
		var out []string
		for _, k := range kinds {
			out = append(out, arn(service, k+sep+"fastshop-*-"+env.Name), arn(service, k+sep+"fastshop-*-"+env.Name+"-*"))
		}
		return out
	}
	return map[string][]string{
		"ec2":            {arn("ec2", "*")},
		"route53":        {"arn:aws:route53:::hostedzone/*"},
		"kms":            {arn("kms", "key/*"), arn("kms", "alias/fastshop-*-"+env.Name)},
		"logs":           {arn("logs", "log-group:/fastshop/"+env.Name+"/*"), arn("logs", "log-group:/aws/rds/instance/fastshop-*-"+env.Name+"/*"), arn("logs", "log-group:/aws/vendedlogs/fastshop/"+env.Name+"/*")},
		"kinesis":        named("kinesis", "/", "stream"),
		"rds":            append(named("rds", ":", "db", "pg", "subgrp", "es", "snapshot"), arn("rds", "og:default:*")),
		"secretsmanager": {arn("secretsmanager", "secret:rds!*")},
		"elasticache":    named("elasticache", ":", "replicationgroup", "cluster", "parametergroup", "subnetgroup", "user", "usergroup"),
		"sns":            named("sns", "", ""),
		"sqs":            named("sqs", "", ""),
		"pipes":          named("pipes", "/", "pipe"),
		"cloudwatch":     named("cloudwatch", ":", "alarm"),
		"dynamodb":       named("dynamodb", "/", "table"),
	}
}
