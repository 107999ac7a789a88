package stacks

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbeventsubscription"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbinstance"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/pipespipe"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueuepolicy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Services that publish or deliver on the on-call path as themselves.
const (
	cloudWatchService = "cloudwatch.amazonaws.com"
	rdsEventsService  = "events.rds.amazonaws.com"
	snsService        = "sns.amazonaws.com"
	pipesService      = "pipes.amazonaws.com"
)

// Redis notification forwarding: the queue keeps undelivered notifications
// for SQS's maximum of 14 days, and an alarm fires when one has waited 15
// minutes (the forwarder is then broken, not slow).
const (
	redisNotificationRetentionS = 14 * 24 * 3600
	redisNotificationMaxAgeS    = 900
)

// alertKeyActions are what SNS needs of the publisher to encrypt a message
// with the topic's key.
var alertKeyActions = []string{"kms:Decrypt", "kms:GenerateDataKey"}

// dbEventCategories are the RDS events that need a person; backups and
// routine configuration changes do not.
var dbEventCategories = []string{
	"availability", "deletion", "failover", "failure", "low storage", "maintenance", "notification", "recovery", "restoration",
}

// gib is the unit of DBFreeStorageAlarmGB; FreeStorageSpace is in bytes.
const gib = 1 << 30

// alerts is what outputs need of the alerting.
type alerts struct {
	Topic snstopic.SnsTopic
	Key   dataKey
	// Publishers is the topic policy that lets CloudWatch publish; alarms
	// wait for it, since an alarm's first state change publishes.
	Publishers snstopicpolicy.SnsTopicPolicy
}

// alarm is one CloudWatch metric alarm and the words on-call reads: what
// broke, against which threshold, why missing data counts as it does, and
// what to check first.
type alarm struct {
	id, name             string
	namespace, metric    string
	statistic            string
	dimensions           map[string]string
	comparison           string
	threshold            float64
	periodS, evaluations int
	treatMissing         string
	what, check          string
	thresholdDescription string
	missingDataExplained string
}

// addAlarms creates the on-call topic, encrypted with its own key, the
// metric alarms, and the RDS and ElastiCache event routes into the topic
// (addRedisNotifications explains the ElastiCache one).
//
// No RDS ReplicaLag alarm: the instance has no read replicas, and a
// Multi-AZ standby replicates synchronously and publishes no ReplicaLag, so
// such an alarm could never fire. Add it with the first read replica.
func addAlarms(stack cdktf.TerraformStack, env Environment, stream kinesisstream.KinesisStream, db dbinstance.DbInstance, c cache) alerts {
	key := addKey(stack, env, keyDomain{id: "alerts", description: "SNS on-call topic and its Redis notification queue", viaServices: []string{"sns", "sqs"}},
		alertKeyStatements(env)...)

	topicName := env.resourceName("alerts")
	topic := snstopic.NewSnsTopic(stack, jsii.String("on_call"), &snstopic.SnsTopicConfig{
		Name:           jsii.String(topicName),
		DisplayName:    jsii.String("FastShop " + env.Name + " alerts"),
		KmsMasterKeyId: jsii.String(key.AliasName),
		Tags:           nameTag(topicName),
		// The key is named by alias (known at plan time), so the alias
		// must exist first.
		DependsOn: &[]cdktf.ITerraformDependable{key.Alias},
	})

	policy := snstopicpolicy.NewSnsTopicPolicy(stack, jsii.String("on_call_publishers"), &snstopicpolicy.SnsTopicPolicyConfig{
		Arn:    topic.Arn(),
		Policy: jsii.String(topicPolicy(env, *topic.Arn()).JSON()),
	})
	queue := addRedisNotifications(stack, env, key, topic, c)

	dbeventsubscription.NewDbEventSubscription(stack, jsii.String("postgres_events"), &dbeventsubscription.DbEventSubscriptionConfig{
		Name:            jsii.String(env.resourceName("postgres-events")),
		SnsTopic:        topic.Arn(),
		SourceType:      jsii.String("db-instance"),
		SourceIds:       &[]*string{db.Identifier()},
		EventCategories: jsii.Strings(dbEventCategories...),
		Tags:            nameTag(env.resourceName("postgres-events")),
		DependsOn:       &[]cdktf.ITerraformDependable{policy},
	})

	actions := &[]*string{topic.Arn()}
	for _, a := range alarmsFor(env, *stream.Name(), *db.Identifier(), *c.Group.ReplicationGroupId(), *queue.Name()) {
		dimensions := map[string]*string{}
		for k, v := range a.dimensions {
			dimensions[k] = jsii.String(v)
		}
		cloudwatchmetricalarm.NewCloudwatchMetricAlarm(stack, jsii.String(a.id), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
			AlarmName:          jsii.String(a.name),
			AlarmDescription:   jsii.String(a.description(env)),
			Namespace:          jsii.String(a.namespace),
			MetricName:         jsii.String(a.metric),
			Statistic:          jsii.String(a.statistic),
			Dimensions:         &dimensions,
			ComparisonOperator: jsii.String(a.comparison),
			Threshold:          jsii.Number(a.threshold),
			Period:             number(a.periodS),
			EvaluationPeriods:  number(a.evaluations),
			DatapointsToAlarm:  number(a.evaluations),
			TreatMissingData:   jsii.String(a.treatMissing),
			AlarmActions:       actions,
			OkActions:          actions,
			Tags:               nameTag(a.name),
			DependsOn:          &[]cdktf.ITerraformDependable{policy},
		})
	}
	return alerts{Topic: topic, Key: key, Publishers: policy}
}

// redisNotificationsName names the replication group's notification topic,
// its queue and the forwarder; known at synth time, so key and queue
// policies can name the topic without waiting for it.
func redisNotificationsName(env Environment) string {
	return env.resourceName("redis-notifications")
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
// no code, forwards each message from the queue to the encrypted on-call
// topic. The queue keeps what the pipe cannot deliver, and an alarm says so.
//
// Order matters at apply: ElastiCache publishes as soon as the group exists
// and marks the topic inactive if the topic policy refuses it, so the
// replication group waits for the topic policy and for the subscription
// (SNS drops messages that have no subscriber), the subscription for the
// queue policy, and the pipe for its role's permissions.
func addRedisNotifications(stack cdktf.TerraformStack, env Environment, key dataKey, onCall snstopic.SnsTopic, c cache) sqsqueue.SqsQueue {
	name := redisNotificationsName(env)
	topic := snstopic.NewSnsTopic(stack, jsii.String("redis_notifications"), &snstopic.SnsTopicConfig{
		Name:        jsii.String(name),
		DisplayName: jsii.String("FastShop " + env.Name + " Redis notifications"),
		Tags:        nameTag(name),
	})
	publishers := snstopicpolicy.NewSnsTopicPolicy(stack, jsii.String("redis_notifications_publishers"), &snstopicpolicy.SnsTopicPolicyConfig{
		Arn:    topic.Arn(),
		Policy: jsii.String(redisNotificationsTopicPolicy(env, *topic.Arn()).JSON()),
	})

	queue := sqsqueue.NewSqsQueue(stack, jsii.String("redis_notifications_inbox"), &sqsqueue.SqsQueueConfig{
		Name:                    jsii.String(name),
		KmsMasterKeyId:          jsii.String(key.AliasName),
		MessageRetentionSeconds: number(redisNotificationRetentionS),
		Tags:                    nameTag(name),
		// The key is named by alias (known at plan time).
		DependsOn: &[]cdktf.ITerraformDependable{key.Alias},
	})
	delivery := sqsqueuepolicy.NewSqsQueuePolicy(stack, jsii.String("redis_notifications_delivery"), &sqsqueuepolicy.SqsQueuePolicyConfig{
		QueueUrl: queue.Url(),
		Policy: jsii.String(newPolicy(policyStatement{
			Sid: "RedisNotificationsTopic", Effect: "Allow", Principal: map[string]any{"Service": snsService},
			Action: []string{"sqs:SendMessage"}, Resource: *queue.Arn(),
			Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": *topic.Arn()}},
		}).JSON()),
	})
	subscription := snstopicsubscription.NewSnsTopicSubscription(stack, jsii.String("redis_notifications_to_queue"), &snstopicsubscription.SnsTopicSubscriptionConfig{
		TopicArn:  topic.Arn(),
		Protocol:  jsii.String("sqs"),
		Endpoint:  queue.Arn(),
		DependsOn: &[]cdktf.ITerraformDependable{delivery},
	})

	role := iamrole.NewIamRole(stack, jsii.String("redis_notifications_forwarder"), &iamrole.IamRoleConfig{
		Name:             jsii.String(env.resourceName("redis-notifications-forwarder")),
		Description:      jsii.String("EventBridge pipe " + name + ": Redis notifications from the queue to the on-call topic"),
		AssumeRolePolicy: jsii.String(assumeRolePolicy(pipesService, env.AccountID)),
	})
	access := iamrolepolicy.NewIamRolePolicy(stack, jsii.String("redis_notifications_forwarder_access"), &iamrolepolicy.IamRolePolicyConfig{
		Name: jsii.String("forward-redis-notifications"),
		Role: role.Id(),
		Policy: jsii.String(newPolicy(
			allow("ReadNotifications", []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}, *queue.Arn()),
			allow("PublishToOnCall", []string{"sns:Publish"}, *onCall.Arn()),
			// SQS decrypts the queue's messages and SNS encrypts the
			// on-call topic's with the alerts key, on the pipe's behalf.
			allow("UseAlertsKey", alertKeyActions, *key.Key.Arn()),
		).JSON()),
	})
	pipespipe.NewPipesPipe(stack, jsii.String("redis_notifications_forwarding"), &pipespipe.PipesPipeConfig{
		Name:        jsii.String(name),
		Description: jsii.String("ElastiCache notifications of " + env.resourceName("redis") + " to the on-call topic"),
		RoleArn:     role.Arn(),
		Source:      queue.Arn(),
		Target:      onCall.Arn(),
		SourceParameters: &pipespipe.PipesPipeSourceParameters{
			SqsQueueParameters: &pipespipe.PipesPipeSourceParametersSqsQueueParameters{BatchSize: number(1)},
		},
		Tags:      nameTag(name),
		DependsOn: &[]cdktf.ITerraformDependable{access},
	})

	c.Group.SetNotificationTopicArn(topic.Arn())
	c.Group.SetDependsOn(&[]*string{address(publishers), address(subscription)})
	return queue
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
func redisNotificationsTopicPolicy(env Environment, topicARN string) policyDocument {
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
func alertKeyStatements(env Environment) []policyStatement {
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
				"ArnEquals": {"aws:SourceArn": fmt.Sprintf("arn:aws:sns:%s:%s:%s", env.Region, env.AccountID, redisNotificationsName(env))},
			},
		},
	}
}

// topicPolicy admits the two services that publish as themselves, each only
// for this account's sources. People and roles of the account (the Redis
// notification forwarder among them) reach the topic through their own IAM
// policies.
func topicPolicy(env Environment, topicARN string) policyDocument {
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

// alarmsFor lists the alarms of an environment, in creation order. The
// names are tokens or literals; Redis member clusters are named
// <replication group id>-001, -002, ... by ElastiCache.
func alarmsFor(env Environment, streamName, dbIdentifier, replicationGroupID, notificationQueue string) []alarm {
	alarms := []alarm{
		{
			id: "stream_iterator_age", name: env.resourceName("stream-iterator-age"),
			namespace: "AWS/Kinesis", metric: "GetRecords.IteratorAgeMilliseconds", statistic: "Maximum",
			dimensions: map[string]string{"StreamName": streamName},
			comparison: "GreaterThanThreshold", threshold: float64(env.StreamIteratorAgeAlarmMs),
			periodS: 60, evaluations: 5, treatMissing: "breaching",
			what:                 "the oldest unread record on Kinesis stream " + streamName + " has waited",
			thresholdDescription: fmt.Sprintf("more than %d ms", env.StreamIteratorAgeAlarmMs),
			missingDataExplained: "No data means no processor is reading, which counts as breaching.",
			check: fmt.Sprintf("Records expire after %d hours. Check that the processors run and keep up (errors, throughput, "+
				"PostgreSQL and Redis latency) and whether the stream needs more shards.", env.StreamRetentionHours),
		},
		{
			id: "stream_write_throttling", name: env.resourceName("stream-write-throttling"),
			namespace: "AWS/Kinesis", metric: "WriteProvisionedThroughputExceeded", statistic: "Sum",
			dimensions: map[string]string{"StreamName": streamName},
			comparison: "GreaterThanOrEqualToThreshold", threshold: float64(env.StreamWriteThrottleAlarmCount),
			periodS: 300, evaluations: 1, treatMissing: "notBreaching",
			what:                 "Kinesis stream " + streamName + " rejected",
			thresholdDescription: fmt.Sprintf("at least %d records from producers (write throttling)", env.StreamWriteThrottleAlarmCount),
			missingDataExplained: "No data means no writes, which is not breaching.",
			check:                "Check for a hot partition key (shard-level IncomingRecords), the shard count or on-demand limits, and that producers retry throttled records.",
		},
		{
			id: "postgres_cpu", name: env.resourceName("postgres-cpu"),
			namespace: "AWS/RDS", metric: "CPUUtilization", statistic: "Average",
			dimensions: map[string]string{"DBInstanceIdentifier": dbIdentifier},
			comparison: "GreaterThanThreshold", threshold: float64(env.DBCPUAlarmPercent),
			periodS: 300, evaluations: 3, treatMissing: "missing",
			what:                 "PostgreSQL " + dbIdentifier + " average CPU was",
			thresholdDescription: fmt.Sprintf("above %d%%", env.DBCPUAlarmPercent),
			check:                "Check Performance Insights (top SQL, waits), long-running queries and processor retry loops; then DBInstanceClass.",
		},
		{
			id: "postgres_free_storage", name: env.resourceName("postgres-free-storage"),
			namespace: "AWS/RDS", metric: "FreeStorageSpace", statistic: "Minimum",
			dimensions: map[string]string{"DBInstanceIdentifier": dbIdentifier},
			comparison: "LessThanThreshold", threshold: float64(env.DBFreeStorageAlarmGB) * gib,
			periodS: 300, evaluations: 1, treatMissing: "missing",
			what:                 "PostgreSQL " + dbIdentifier + " free storage was",
			thresholdDescription: fmt.Sprintf("below %d GiB", env.DBFreeStorageAlarmGB),
			check: fmt.Sprintf("Storage autoscaling stops at %d GB (DBMaxAllocatedStorageGB). Check whether it was reached, "+
				"then table bloat, long transactions holding WAL and replication slots.", env.DBMaxAllocatedStorageGB),
		},
		{
			id: "postgres_connections", name: env.resourceName("postgres-connections"),
			namespace: "AWS/RDS", metric: "DatabaseConnections", statistic: "Maximum",
			dimensions: map[string]string{"DBInstanceIdentifier": dbIdentifier},
			comparison: "GreaterThanThreshold", threshold: float64(env.DBConnectionsAlarmCount),
			periodS: 300, evaluations: 2, treatMissing: "missing",
			what:                 "PostgreSQL " + dbIdentifier + " had",
			thresholdDescription: fmt.Sprintf("more than %d connections", env.DBConnectionsAlarmCount),
			check:                "Check the processors' connection pools and idle connections in pg_stat_activity against max_connections of " + env.DBInstanceClass + ".",
		},
		{
			id: "redis_notifications_age", name: env.resourceName("redis-notifications-age"),
			namespace: "AWS/SQS", metric: "ApproximateAgeOfOldestMessage", statistic: "Maximum",
			dimensions: map[string]string{"QueueName": notificationQueue},
			comparison: "GreaterThanThreshold", threshold: redisNotificationMaxAgeS,
			periodS: 300, evaluations: 1, treatMissing: "notBreaching",
			what:                 "the oldest Redis notification in queue " + notificationQueue + " had waited",
			thresholdDescription: fmt.Sprintf("more than %d s", redisNotificationMaxAgeS),
			missingDataExplained: "No data means an idle queue, which is not breaching.",
			check: "The EventBridge pipe " + redisNotificationsName(env) + " is not forwarding ElastiCache notifications to this topic. " +
				"Check the pipe's state and the alerts key policy; the queue keeps them 14 days. Read them there meanwhile.",
		},
	}
	for i := 1; i <= env.CacheNodeCount; i++ {
		member := fmt.Sprintf("%03d", i)
		cluster := fmt.Sprintf("%s-%s", replicationGroupID, member)
		node := "Redis node " + cluster + " (replication group " + replicationGroupID + ")"
		dims := map[string]string{"CacheClusterId": cluster}
		alarms = append(alarms,
			alarm{
				id: "redis_" + member + "_engine_cpu", name: env.resourceName("redis-" + member + "-engine-cpu"),
				namespace: "AWS/ElastiCache", metric: "EngineCPUUtilization", statistic: "Average", dimensions: dims,
				comparison: "GreaterThanThreshold", threshold: float64(env.CacheCPUAlarmPercent),
				periodS: 300, evaluations: 3, treatMissing: "missing",
				what:                 node + " engine CPU (the Redis thread) was",
				thresholdDescription: fmt.Sprintf("above %d%%", env.CacheCPUAlarmPercent),
				check:                "Check the slow log (" + cacheLogGroupName(env, "slow-log") + "), hot keys and expensive commands; then CacheNodeType.",
			},
			alarm{
				id: "redis_" + member + "_memory", name: env.resourceName("redis-" + member + "-memory"),
				namespace: "AWS/ElastiCache", metric: "DatabaseMemoryUsagePercentage", statistic: "Average", dimensions: dims,
				comparison: "GreaterThanThreshold", threshold: float64(env.CacheMemoryAlarmPercent),
				periodS: 300, evaluations: 2, treatMissing: "missing",
				what:                 node + " memory use was",
				thresholdDescription: fmt.Sprintf("above %d%% of maxmemory", env.CacheMemoryAlarmPercent),
				check:                "Evictions follow. Check key TTLs and key growth; then CacheNodeType.",
			},
			alarm{
				id: "redis_" + member + "_evictions", name: env.resourceName("redis-" + member + "-evictions"),
				namespace: "AWS/ElastiCache", metric: "Evictions", statistic: "Sum", dimensions: dims,
				comparison: "GreaterThanOrEqualToThreshold", threshold: float64(env.CacheEvictionsAlarmCount),
				periodS: 300, evaluations: 1, treatMissing: "missing",
				what:                 node + " evicted",
				thresholdDescription: fmt.Sprintf("at least %d keys", env.CacheEvictionsAlarmCount),
				check:                "The working set no longer fits. Check memory use, key TTLs and CacheNodeType.",
			},
			alarm{
				id: "redis_" + member + "_replication_lag", name: env.resourceName("redis-" + member + "-replication-lag"),
				namespace: "AWS/ElastiCache", metric: "ReplicationLag", statistic: "Maximum", dimensions: dims,
				comparison: "GreaterThanThreshold", threshold: float64(env.CacheReplicationLagAlarmSeconds),
				periodS: 60, evaluations: 5, treatMissing: "notBreaching",
				what:                 node + ", as a replica, was",
				thresholdDescription: fmt.Sprintf("more than %d s behind the primary", env.CacheReplicationLagAlarmSeconds),
				missingDataExplained: "Only replicas publish ReplicationLag, and failover moves the primary, so no data (this node is the primary) is not breaching.",
				check:                "Check write load and engine CPU on the primary, and network throughput of the node type.",
			},
		)
	}
	return alarms
}

// description tells on-call what broke, where, against which threshold and
// for how long, and what to check first.
func (a alarm) description(env Environment) string {
	window := "for"
	if a.statistic == "Sum" {
		window = "in"
	}
	d := fmt.Sprintf("[%s] %s %s %s %s.", env.Name, a.what, a.thresholdDescription, window, minutes(a.periodS*a.evaluations))
	if a.missingDataExplained != "" {
		d += " " + a.missingDataExplained
	}
	return d + " " + a.check
}

// minutes renders a duration in seconds for people.
func minutes(seconds int) string {
	if seconds == 60 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", seconds/60)
}
