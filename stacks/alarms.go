package stacks

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbeventsubscription"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/pipespipe"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueuepolicy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// Services that publish or deliver on the on-call path as themselves.
const (
	cloudWatchService = "cloudwatch.amazonaws.com"
	rdsEventsService  = "events.rds.amazonaws.com"
	snsService        = "sns.amazonaws.com"
	pipesService      = "pipes.amazonaws.com"
)

// redisNotificationsTemplate is what the pipe publishes to on-call for one
// queue message: the ElastiCache notification's subject and message, read
// from the SNS envelope in the SQS body (EventBridge parses a JSON body, so
// <$.body.Message> reaches into it, and quotes and escapes string values
// itself). Without it on-call got the whole SQS record: receipt handle,
// attributes, and the envelope as an escaped string. Raw message delivery
// would put the bare message in the body, but it drops the subject.
const redisNotificationsTemplate = `{"subject": <$.body.Subject>, "message": <$.body.Message>}`

// alertKeyActions are what SNS needs of the publisher to encrypt a message
// with the topic's key.
var alertKeyActions = []string{"kms:Decrypt", "kms:GenerateDataKey"}

// dbEventCategories are the RDS events that need a person; backups and
// routine configuration changes do not.
var dbEventCategories = []string{
	"availability", "deletion", "failover", "failure", "low storage", "maintenance", "notification", "recovery", "restoration",
}

// alerts is what outputs need of the alerting, each value read from the
// binding once.
type alerts struct {
	TopicARN string
	Key      dataKey
	// Publishers is the topic policy that lets CloudWatch publish; alarms
	// wait for it, since an alarm's first state change publishes.
	Publishers snstopicpolicy.SnsTopicPolicy
}

// addAlarms creates the on-call topic, encrypted with its own key, the
// metric alarms, and the RDS and ElastiCache event routes into the topic
// (addRedisNotifications explains the ElastiCache one).
//
// No RDS ReplicaLag alarm: the instance has no read replicas, and a
// Multi-AZ standby replicates synchronously and publishes no ReplicaLag, so
// such an alarm could never fire. Add it with the first read replica.
func addAlarms(stack cdktf.TerraformStack, env config.Environment, s stream, db database, c cache, kcl kclTables) alerts {
	key := addKey(stack, env, keyDomain{id: "alerts", description: "SNS on-call topic and its Redis notification queue", viaServices: []string{"sns", "sqs"}},
		alertKeyStatements(env)...)

	topicName := env.Names().AlertsTopic
	topic := snstopic.NewSnsTopic(stack, jsii.String("on_call"), &snstopic.SnsTopicConfig{
		Name:           jsii.String(topicName),
		DisplayName:    jsii.String("FastShop " + env.Name + " alerts"),
		KmsMasterKeyId: jsii.String(key.AliasName),
		Tags:           nameTag(topicName),
		// The key is named by alias (known at plan time), so the alias
		// must exist first.
		DependsOn: &[]cdktf.ITerraformDependable{key.Alias},
	})
	topicARN := topic.Arn()

	policy := snstopicpolicy.NewSnsTopicPolicy(stack, jsii.String("on_call_publishers"), &snstopicpolicy.SnsTopicPolicyConfig{
		Arn:    topicARN,
		Policy: jsii.String(topicPolicy(env, *topicARN).JSON()),
	})
	redis := addRedisNotifications(stack, env, key, *topicARN, c)

	dbeventsubscription.NewDbEventSubscription(stack, jsii.String("postgres_events"), &dbeventsubscription.DbEventSubscriptionConfig{
		Name:            jsii.String(env.Names().DBEventSubscription),
		SnsTopic:        topicARN,
		SourceType:      jsii.String("db-instance"),
		SourceIds:       jsii.Strings(db.Identifier),
		EventCategories: jsii.Strings(dbEventCategories...),
		Tags:            nameTag(env.Names().DBEventSubscription),
		DependsOn:       &[]cdktf.ITerraformDependable{policy},
	})

	out := alerts{TopicARN: *topicARN, Key: key, Publishers: policy}
	addMetricAlarms(stack, env, out, env.Alarms(config.AlarmTargets{
		Stream: s.Name, DBInstance: db.Identifier, ReplicationGroup: c.GroupID,
		NotificationQueue: redis.Inbox, NotificationDeadLetterQueue: redis.DeadLetter, NotificationPipe: redis.Pipe,
		LeaseTable: kcl.LeasesName,
	}))
	return out
}

// addMetricAlarms creates CloudWatch alarms that notify the on-call topic
// when they fire and when they recover. Each waits for the topic policy:
// an alarm's first state change publishes.
func addMetricAlarms(stack cdktf.TerraformStack, env config.Environment, to alerts, alarms []config.Alarm) {
	actions := jsii.Strings(to.TopicARN)
	publishers := &[]cdktf.ITerraformDependable{to.Publishers}
	for _, a := range alarms {
		dimensions := map[string]*string{}
		for k, v := range a.Dimensions {
			dimensions[k] = jsii.String(v)
		}
		cloudwatchmetricalarm.NewCloudwatchMetricAlarm(stack, jsii.String(a.ID), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
			AlarmName:          jsii.String(a.Name),
			AlarmDescription:   jsii.String(a.Description(env)),
			Namespace:          jsii.String(a.Namespace),
			MetricName:         jsii.String(a.Metric),
			Statistic:          jsii.String(a.Statistic),
			Dimensions:         &dimensions,
			ComparisonOperator: jsii.String(a.Comparison),
			Threshold:          jsii.Number(a.Threshold),
			Period:             number(a.PeriodSeconds),
			EvaluationPeriods:  number(a.Evaluations),
			DatapointsToAlarm:  number(a.Evaluations),
			TreatMissingData:   jsii.String(a.TreatMissing),
			AlarmActions:       actions,
			OkActions:          actions,
			Tags:               nameTag(a.Name),
			DependsOn:          publishers,
		})
	}
}

// addRedisNotifications routes the replication group's own events
// (failover, node replacement, snapshot failures, ...) to on-call. A
// node-based replication group reports them only to its notification topic
// (ElastiCache's EventBridge events cover serverless caches), and ElastiCache
// cannot publish to a KMS-encrypted topic: it marks such a topic inactive.
// So the group gets a topic of its own, unencrypted by necessity, that
// carries only event metadata (an event name and a node id, no data), that
// only ElastiCache acting for this account may publish to, and whose one
// subscriber is a queue encrypted with the alerts key. An EventBridge pipe,
// no code, forwards each message's subject and text from the queue to the
// encrypted on-call topic. A message the pipe fails to deliver
// config.RedisNotificationMaxReceives times moves to a dead-letter queue
// under the same key (for an SQS source a pipe has no dead-letter setting of
// its own: it retries up to the queue's maxReceiveCount), and alarms watch
// the queue's age, the dead-letter queue and the pipe's failures
// (config.Alarms).
//
// Order matters at apply: ElastiCache publishes as soon as the group exists
// and marks the topic inactive if the topic policy refuses it, so the
// replication group waits for the topic policy and for the subscription
// (SNS drops messages that have no subscriber), the subscription for the
// queue policy, and the pipe for its role's permissions.
func addRedisNotifications(stack cdktf.TerraformStack, env config.Environment, key dataKey, onCallARN string, c cache) redisNotifications {
	name := env.RedisNotificationsName()
	topic := snstopic.NewSnsTopic(stack, jsii.String("redis_notifications"), &snstopic.SnsTopicConfig{
		Name:        jsii.String(name),
		DisplayName: jsii.String("FastShop " + env.Name + " Redis notifications"),
		Tags:        nameTag(name),
	})
	topicARN := topic.Arn()
	publishers := snstopicpolicy.NewSnsTopicPolicy(stack, jsii.String("redis_notifications_publishers"), &snstopicpolicy.SnsTopicPolicyConfig{
		Arn:    topicARN,
		Policy: jsii.String(redisNotificationsTopicPolicy(env, *topicARN).JSON()),
	})

	// The dead-letter queue admits only the inbox as its source; the
	// inbox's ARN is derived, since the inbox names this queue in turn.
	deadLetterName := env.RedisNotificationsDeadLetterName()
	inboxARN := fmt.Sprintf("arn:aws:sqs:%s:%s:%s", env.Region, env.AccountID, name)
	deadLetter := sqsqueue.NewSqsQueue(stack, jsii.String("redis_notifications_dead_letter"), &sqsqueue.SqsQueueConfig{
		Name:                    jsii.String(deadLetterName),
		KmsMasterKeyId:          jsii.String(key.AliasName),
		MessageRetentionSeconds: number(config.RedisNotificationDeadLetterRetentionSeconds),
		RedriveAllowPolicy:      jsii.String(renderJSON(map[string]any{"redrivePermission": "byQueue", "sourceQueueArns": []string{inboxARN}})),
		Tags:                    nameTag(deadLetterName),
		DependsOn:               &[]cdktf.ITerraformDependable{key.Alias},
	})
	deadLetterARN := *deadLetter.Arn()
	queue := sqsqueue.NewSqsQueue(stack, jsii.String("redis_notifications_inbox"), &sqsqueue.SqsQueueConfig{
		Name:                    jsii.String(name),
		KmsMasterKeyId:          jsii.String(key.AliasName),
		MessageRetentionSeconds: number(config.RedisNotificationRetentionSeconds),
		RedrivePolicy:           jsii.String(renderJSON(map[string]any{"deadLetterTargetArn": deadLetterARN, "maxReceiveCount": config.RedisNotificationMaxReceives})),
		Tags:                    nameTag(name),
		// The key is named by alias (known at plan time).
		DependsOn: &[]cdktf.ITerraformDependable{key.Alias},
	})
	queueARN := queue.Arn()
	delivery := sqsqueuepolicy.NewSqsQueuePolicy(stack, jsii.String("redis_notifications_delivery"), &sqsqueuepolicy.SqsQueuePolicyConfig{
		QueueUrl: queue.Url(),
		Policy: jsii.String(newPolicy(policyStatement{
			Sid: "RedisNotificationsTopic", Effect: "Allow", Principal: map[string]any{"Service": snsService},
			Action: []string{"sqs:SendMessage"}, Resource: *queueARN,
			Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": *topicARN}},
		}).JSON()),
	})
	subscription := snstopicsubscription.NewSnsTopicSubscription(stack, jsii.String("redis_notifications_to_queue"), &snstopicsubscription.SnsTopicSubscriptionConfig{
		TopicArn:  topicARN,
		Protocol:  jsii.String("sqs"),
		Endpoint:  queueARN,
		DependsOn: &[]cdktf.ITerraformDependable{delivery},
	})

	role := iamrole.NewIamRole(stack, jsii.String("redis_notifications_forwarder"), &iamrole.IamRoleConfig{
		Name:                jsii.String(env.Names().RedisForwarderRole),
		Description:         jsii.String("EventBridge pipe " + name + ": Redis notifications from the queue to the on-call topic"),
		AssumeRolePolicy:    jsii.String(assumeRolePolicy(pipesService, env.AccountID)),
		PermissionsBoundary: workloadBoundary(env),
	})
	access := iamrolepolicy.NewIamRolePolicy(stack, jsii.String("redis_notifications_forwarder_access"), &iamrolepolicy.IamRolePolicyConfig{
		Name: jsii.String(env.Names().RedisForwarderPolicy),
		Role: role.Id(),
		Policy: jsii.String(newPolicy(
			allow("ReadNotifications", []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}, *queueARN),
			allow("PublishToOnCall", []string{"sns:Publish"}, onCallARN),
			// SQS decrypts the queue's messages and SNS encrypts the
			// on-call topic's with the alerts key, on the pipe's behalf.
			allow("UseAlertsKey", alertKeyActions, key.ARN),
		).JSON()),
	})
	pipe := pipespipe.NewPipesPipe(stack, jsii.String("redis_notifications_forwarding"), &pipespipe.PipesPipeConfig{
		Name:        jsii.String(name),
		Description: jsii.String("ElastiCache notifications of " + env.Names().CacheReplicationGroup + " to the on-call topic"),
		RoleArn:     role.Arn(),
		Source:      queueARN,
		Target:      jsii.String(onCallARN),
		SourceParameters: &pipespipe.PipesPipeSourceParameters{
			SqsQueueParameters: &pipespipe.PipesPipeSourceParametersSqsQueueParameters{BatchSize: number(1)},
		},
		TargetParameters: &pipespipe.PipesPipeTargetParameters{InputTemplate: jsii.String(redisNotificationsTemplate)},
		Tags:             nameTag(name),
		DependsOn:        &[]cdktf.ITerraformDependable{access},
	})

	c.Group.SetNotificationTopicArn(topicARN)
	c.Group.SetDependsOn(&[]*string{address(publishers), address(subscription)})
	return redisNotifications{Inbox: *queue.Name(), DeadLetter: *deadLetter.Name(), Pipe: *pipe.Name()}
}

// redisNotifications is what the alarms watch of the forwarding: names
// (tokens) of the queue, its dead-letter queue and the pipe.
type redisNotifications struct {
	Inbox, DeadLetter, Pipe string
}

// address is a resource's Terraform address, as depends_on lists it (Fqn
// would render as an interpolation, which depends_on does not accept).
func address(r cdktf.TerraformResource) *string {
	return jsii.String(*r.TerraformResourceType() + "." + *r.FriendlyUniqueId())
}

// redisNotificationsTopicPolicy lets ElastiCache, acting for this account,
// publish. ElastiCache's notification guide asks for exactly this statement:
// any principal, conditioned on AWS:SourceOwner being the account.
// ElastiCache does not send aws:SourceAccount (the key SNS now puts in new
// topics' default policies) and documents no aws:SourceArn or service
// principal, so a narrower statement would make ElastiCache mark the topic
// inactive. A caller outside AWS's services carries no AWS:SourceOwner, so
// the condition admits only services publishing for this account's
// resources.
func redisNotificationsTopicPolicy(env config.Environment, topicARN string) policyDocument {
	return newPolicy(policyStatement{
		Sid: "ElastiCacheNotifications", Effect: "Allow", Principal: map[string]any{"AWS": "*"},
		Action: []string{"sns:Publish"}, Resource: topicARN,
		Condition: map[string]map[string]any{"StringEquals": {"AWS:SourceOwner": env.AccountID}},
	})
}

// alertKeyStatements let the publishing services encrypt messages for the
// topic, and SNS deliver the Redis notification topic's messages into the
// encrypted queue. CloudWatch's requests carry aws:SourceAccount, so its
// grant is limited to this account; SNS's carry the topic as aws:SourceArn,
// so its grant is limited to that topic. RDS documents no source keys for
// its requests to KMS, so a condition would silently drop its messages: the
// topic policy, which does check the source, decides who may publish at all.
func alertKeyStatements(env config.Environment) []policyStatement {
	return []policyStatement{
		{
			Sid:       "CloudWatchAlarmsPublish",
			Effect:    "Allow",
			Principal: map[string]any{"Service": cloudWatchService},
			Action:    alertKeyActions,
			Resource:  "*",
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": env.AccountID}},
		},
		{
			Sid:       "EventSourcesPublish",
			Effect:    "Allow",
			Principal: map[string]any{"Service": rdsEventsService},
			Action:    alertKeyActions,
			Resource:  "*",
		},
		{
			Sid:       "RedisNotificationsDelivery",
			Effect:    "Allow",
			Principal: map[string]any{"Service": snsService},
			Action:    alertKeyActions,
			Resource:  "*",
			Condition: map[string]map[string]any{
				"ArnEquals": {"aws:SourceArn": fmt.Sprintf("arn:aws:sns:%s:%s:%s", env.Region, env.AccountID, env.RedisNotificationsName())},
			},
		},
	}
}

// topicPolicy admits the two services that publish as themselves, each only
// for this account's sources. People and roles of the account (the Redis
// notification forwarder among them) reach the topic through their own IAM
// policies.
func topicPolicy(env config.Environment, topicARN string) policyDocument {
	publish := []string{"sns:Publish"}
	fromAccount := func(sourceARN string) map[string]map[string]any {
		return map[string]map[string]any{
			"StringEquals": {"aws:SourceAccount": env.AccountID},
			"ArnLike":      {"aws:SourceArn": sourceARN},
		}
	}
	return newPolicy(
		policyStatement{
			Sid: "CloudWatchAlarms", Effect: "Allow", Principal: map[string]any{"Service": cloudWatchService},
			Action: publish, Resource: topicARN,
			Condition: fromAccount(fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:*", env.Region, env.AccountID)),
		},
		policyStatement{
			Sid: "PostgresEvents", Effect: "Allow", Principal: map[string]any{"Service": rdsEventsService},
			Action: publish, Resource: topicARN,
			Condition: fromAccount(fmt.Sprintf("arn:aws:rds:%s:%s:db:*", env.Region, env.AccountID)),
		},
	)
}
