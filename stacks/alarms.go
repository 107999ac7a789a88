package stacks

import (
	"encoding/json"
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbeventsubscription"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbinstance"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Services that publish to the on-call topic as themselves.
const (
	cloudWatchService  = "cloudwatch.amazonaws.com"
	rdsEventsService   = "events.rds.amazonaws.com"
	eventBridgeService = "events.amazonaws.com"
)

// alertKeyActions are what SNS needs of the publisher to encrypt a message
// with the topic's key.
var alertKeyActions = []string{"kms:Decrypt", "kms:GenerateDataKey"}

// dbEventCategories are the RDS events that need a person; backups and
// routine configuration changes do not.
var dbEventCategories = []string{
	"availability", "deletion", "failover", "failure", "low storage", "maintenance", "notification", "recovery", "restoration",
}

// cacheEventTypes are the ElastiCache events (EventBridge detail types) that
// need a person; routine creations do not.
var cacheEventTypes = []string{
	"Cache Creation Failed", "Cache Deleted", "Cache Limit Approaching", "Cache Update Failed", "Cache Updated",
	"Snapshot Copy Failed", "Snapshot Creation Failed", "Snapshot Export Failed",
}

// gib is the unit of DBFreeStorageAlarmGB; FreeStorageSpace is in bytes.
const gib = 1 << 30

// alerts is what outputs need of the alerting.
type alerts struct {
	Topic snstopic.SnsTopic
	Key   dataKey
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
// metric alarms, and the RDS and ElastiCache event routes into the topic.
//
// ElastiCache's own notification_topic_arn cannot publish to an encrypted
// topic (ElastiCache shows the topic inactive and drops the messages), so
// ElastiCache events reach the topic through an EventBridge rule instead.
//
// No RDS ReplicaLag alarm: the instance has no read replicas, and a
// Multi-AZ standby replicates synchronously and publishes no ReplicaLag, so
// such an alarm could never fire. Add it with the first read replica.
func addAlarms(stack cdktf.TerraformStack, env Environment, stream kinesisstream.KinesisStream, db dbinstance.DbInstance, c cache) alerts {
	key := addKey(stack, env, keyDomain{id: "alerts", description: "SNS on-call topic", viaServices: []string{"sns"}},
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

	rule := cloudwatcheventrule.NewCloudwatchEventRule(stack, jsii.String("redis_events"), &cloudwatcheventrule.CloudwatchEventRuleConfig{
		Name:         jsii.String(env.resourceName("redis-events")),
		Description:  jsii.String("ElastiCache events that need on-call attention, to " + topicName),
		EventPattern: jsii.String(eventPattern()),
		Tags:         nameTag(env.resourceName("redis-events")),
	})

	policy := snstopicpolicy.NewSnsTopicPolicy(stack, jsii.String("on_call_publishers"), &snstopicpolicy.SnsTopicPolicyConfig{
		Arn:    topic.Arn(),
		Policy: jsii.String(topicPolicy(env, *topic.Arn(), *rule.Arn()).JSON()),
	})

	cloudwatcheventtarget.NewCloudwatchEventTarget(stack, jsii.String("redis_events_delivery"), &cloudwatcheventtarget.CloudwatchEventTargetConfig{
		Rule:      rule.Name(),
		TargetId:  jsii.String("on-call"),
		Arn:       topic.Arn(),
		DependsOn: &[]cdktf.ITerraformDependable{policy},
	})

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
	for _, a := range alarmsFor(env, *stream.Name(), *db.Identifier(), *c.Group.ReplicationGroupId()) {
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
		})
	}
	return alerts{Topic: topic, Key: key}
}

// alertKeyStatements let the publishing services encrypt messages for the
// topic. CloudWatch's requests carry aws:SourceAccount, so its grant is
// limited to this account. EventBridge's requests to KMS carry no source
// keys (AWS documents them as unsupported there) and RDS documents none, so
// a condition would silently drop their messages: the topic policy, which
// does check the source, decides who may publish at all.
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
			Principal: map[string]any{"Service": []string{rdsEventsService, eventBridgeService}},
			Action:    alertKeyActions,
			Resource:  "*",
		},
	}
}

// topicPolicy admits the three publishers, each only for this account's
// sources. People and roles of the account reach the topic through their
// own IAM policies.
func topicPolicy(env Environment, topicARN, ruleARN string) policyDocument {
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
		policyStatement{
			Sid: "RedisEvents", Effect: "Allow", Principal: map[string]any{"Service": eventBridgeService},
			Action: publish, Resource: topicARN,
			Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": ruleARN}},
		},
	)
}

// eventPattern matches the ElastiCache events in cacheEventTypes. Every
// cache of the account matches (the event detail's fields are not a
// documented contract to filter on), so dev also hears its ephemeral
// stacks' caches; each message names its cache.
func eventPattern() string {
	pattern, err := json.Marshal(map[string][]string{
		"source":      {"aws.elasticache"},
		"detail-type": cacheEventTypes,
	})
	if err != nil {
		panic(err) // a map of string slices always encodes
	}
	return string(pattern)
}

// alarmsFor lists the alarms of an environment, in creation order. The
// names are tokens or literals; Redis member clusters are named
// <replication group id>-001, -002, ... by ElastiCache.
func alarmsFor(env Environment, streamName, dbIdentifier, replicationGroupID string) []alarm {
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
				check:                "Check the slow log (/fastshop/" + env.Name + "/redis/slow-log), hot keys and expensive commands; then CacheNodeType.",
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
