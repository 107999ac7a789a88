package config

import "fmt"

// Bounds of the alarm thresholds; a percentage alarm at 100 could never
// fire.
const (
	minIteratorAgeAlarmMs   = 1000
	maxAlarmPercent         = 99
	maxAlarmCount           = 1_000_000
	maxDBConnections        = 5000 // RDS PostgreSQL's default max_connections cap
	maxReplicationLagAlarmS = 3600
)

// RedisNotificationMaxAgeSeconds is how long a Redis notification may wait
// in its queue before an alarm fires: the forwarder is then broken, not
// slow.
const RedisNotificationMaxAgeSeconds = 900

// The Redis notification queues. A pipe that keeps failing receives each
// message again and again, and SQS stops counting a message's age once it
// has been received three times, so the age alarm watches only a pipe that
// does not poll (stopped, or disabled by EventBridge after continuous
// errors). After RedisNotificationMaxReceives failed deliveries SQS moves
// the message to the dead-letter queue, which alarms when it holds one.
// The dead-letter queue keeps messages longer than the inbox: SQS keeps a
// standard queue message's original enqueue time when it moves it.
const (
	RedisNotificationRetentionSeconds           = 4 * 24 * 3600
	RedisNotificationDeadLetterRetentionSeconds = 14 * 24 * 3600 // SQS's maximum
	RedisNotificationMaxReceives                = 5
)

// gib is the unit of DBFreeStorageAlarmGiB; FreeStorageSpace is in bytes.
const gib = 1 << 30

// RedisNotificationsName names the replication group's notification topic,
// its queue and the forwarder; known at synth time, so key and queue
// policies can name the topic without waiting for it.
func (e Environment) RedisNotificationsName() string {
	return e.ResourceName("redis-notifications")
}

// RedisNotificationsDeadLetterName names the queue of the Redis
// notifications the pipe failed to forward.
func (e Environment) RedisNotificationsDeadLetterName() string {
	return e.ResourceName("redis-notifications-dead-letter")
}

// Alarm is one CloudWatch metric alarm and the words on-call reads: what
// broke, against which threshold, why missing data counts as it does, and
// what to check first. ID is its construct id, a contract.
type Alarm struct {
	ID, Name             string
	Namespace, Metric    string
	Statistic            string
	Dimensions           map[string]string
	Comparison           string
	Threshold            float64
	PeriodSeconds        int
	Evaluations          int
	TreatMissing         string
	What, Check          string
	ThresholdDescription string
	MissingDataExplained string
}

// AlarmTargets name what the alarms watch: names or Terraform tokens.
type AlarmTargets struct {
	Stream, DBInstance, ReplicationGroup, NotificationQueue string
	NotificationDeadLetterQueue, NotificationPipe           string
	// LeaseTable is the KCL lease table.
	LeaseTable string
}

// Alarms lists the alarms of an environment, in creation order. The
// names are tokens or literals; Redis member clusters are named
// <replication group id>-001, -002, ... by ElastiCache.
func (e Environment) Alarms(t AlarmTargets) []Alarm {
	streamName, dbIdentifier, replicationGroupID, notificationQueue := t.Stream, t.DBInstance, t.ReplicationGroup, t.NotificationQueue
	deadLetter, pipe := t.NotificationDeadLetterQueue, t.NotificationPipe
	inboxDays, deadLetterDays := RedisNotificationRetentionSeconds/86400, RedisNotificationDeadLetterRetentionSeconds/86400
	alarms := []Alarm{
		{
			ID: "stream_iterator_age", Name: e.ResourceName("stream-iterator-age"),
			Namespace: "AWS/Kinesis", Metric: "GetRecords.IteratorAgeMilliseconds", Statistic: "Maximum",
			Dimensions: map[string]string{"StreamName": streamName},
			Comparison: "GreaterThanThreshold", Threshold: float64(e.StreamIteratorAgeAlarmMs),
			PeriodSeconds: 60, Evaluations: 5, TreatMissing: "breaching",
			What:                 "the oldest unread record on Kinesis stream " + streamName + " has waited",
			ThresholdDescription: fmt.Sprintf("more than %d ms", e.StreamIteratorAgeAlarmMs),
			MissingDataExplained: "No data means no processor is reading, which counts as breaching.",
			Check: fmt.Sprintf("Records expire after %d hours. Check that the processors run and keep up (errors, throughput, "+
				"PostgreSQL and Redis latency) and whether the stream needs more shards.", e.StreamRetentionHours),
		},
		{
			ID: "stream_write_throttling", Name: e.ResourceName("stream-write-throttling"),
			Namespace: "AWS/Kinesis", Metric: "WriteProvisionedThroughputExceeded", Statistic: "Sum",
			Dimensions: map[string]string{"StreamName": streamName},
			Comparison: "GreaterThanOrEqualToThreshold", Threshold: float64(e.StreamWriteThrottleAlarmCount),
			PeriodSeconds: 300, Evaluations: 1, TreatMissing: "notBreaching",
			What:                 "Kinesis stream " + streamName + " rejected",
			ThresholdDescription: fmt.Sprintf("at least %d records from producers (write throttling)", e.StreamWriteThrottleAlarmCount),
			MissingDataExplained: "No data means no writes, which is not breaching.",
			Check:                "Check for a hot partition key (shard-level IncomingRecords), the shard count or on-demand limits, and that producers retry throttled records.",
		},
		{
			ID: "postgres_cpu", Name: e.ResourceName("postgres-cpu"),
			Namespace: "AWS/RDS", Metric: "CPUUtilization", Statistic: "Average",
			Dimensions: map[string]string{"DBInstanceIdentifier": dbIdentifier},
			Comparison: "GreaterThanThreshold", Threshold: float64(e.DBCPUAlarmPercent),
			PeriodSeconds: 300, Evaluations: 3, TreatMissing: "missing",
			What:                 "PostgreSQL " + dbIdentifier + " average CPU was",
			ThresholdDescription: fmt.Sprintf("above %d%%", e.DBCPUAlarmPercent),
			Check:                "Check Performance Insights (top SQL, waits), long-running queries and processor retry loops; then DBInstanceClass.",
		},
		{
			ID: "postgres_free_storage", Name: e.ResourceName("postgres-free-storage"),
			Namespace: "AWS/RDS", Metric: "FreeStorageSpace", Statistic: "Minimum",
			Dimensions: map[string]string{"DBInstanceIdentifier": dbIdentifier},
			Comparison: "LessThanThreshold", Threshold: float64(e.DBFreeStorageAlarmGiB) * gib,
			PeriodSeconds: 300, Evaluations: 1, TreatMissing: "missing",
			What:                 "PostgreSQL " + dbIdentifier + " free storage was",
			ThresholdDescription: fmt.Sprintf("below %d GiB", e.DBFreeStorageAlarmGiB),
			Check: fmt.Sprintf("Storage autoscaling stops at %d GiB (DBMaxAllocatedStorageGiB). Check whether it was reached, "+
				"then table bloat, long transactions holding WAL and replication slots.", e.DBMaxAllocatedStorageGiB),
		},
		{
			ID: "postgres_connections", Name: e.ResourceName("postgres-connections"),
			Namespace: "AWS/RDS", Metric: "DatabaseConnections", Statistic: "Maximum",
			Dimensions: map[string]string{"DBInstanceIdentifier": dbIdentifier},
			Comparison: "GreaterThanThreshold", Threshold: float64(e.DBConnectionsAlarmCount),
			PeriodSeconds: 300, Evaluations: 2, TreatMissing: "missing",
			What:                 "PostgreSQL " + dbIdentifier + " had",
			ThresholdDescription: fmt.Sprintf("more than %d connections", e.DBConnectionsAlarmCount),
			Check:                "Check the processors' connection pools and idle connections in pg_stat_activity against max_connections of " + e.DBInstanceClass + ".",
		},
		{
			ID: "redis_notifications_age", Name: e.ResourceName("redis-notifications-age"),
			Namespace: "AWS/SQS", Metric: "ApproximateAgeOfOldestMessage", Statistic: "Maximum",
			Dimensions: map[string]string{"QueueName": notificationQueue},
			Comparison: "GreaterThanThreshold", Threshold: RedisNotificationMaxAgeSeconds,
			PeriodSeconds: 300, Evaluations: 1, TreatMissing: "notBreaching",
			What:                 "the oldest Redis notification in queue " + notificationQueue + " had waited",
			ThresholdDescription: fmt.Sprintf("more than %d s", RedisNotificationMaxAgeSeconds),
			MissingDataExplained: "No data means an idle queue, which is not breaching.",
			Check: fmt.Sprintf("The EventBridge pipe %s is not polling. Check that it is RUNNING, and its StateReason if EventBridge "+
				"disabled it. The queue keeps ElastiCache's notifications %d days; read them there meanwhile.", e.RedisNotificationsName(), inboxDays),
		},
		{
			ID: "redis_notifications_undelivered", Name: e.ResourceName("redis-notifications-undelivered"),
			Namespace: "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible", Statistic: "Maximum",
			Dimensions: map[string]string{"QueueName": deadLetter},
			Comparison: "GreaterThanThreshold", Threshold: 0,
			PeriodSeconds: 300, Evaluations: 1, TreatMissing: "notBreaching",
			What:                 "dead-letter queue " + deadLetter + " held",
			ThresholdDescription: fmt.Sprintf("more than 0 Redis notifications the pipe failed to forward %d times", RedisNotificationMaxReceives),
			MissingDataExplained: "No data means an empty, idle queue, which is not breaching.",
			Check: fmt.Sprintf("Each is an ElastiCache notification on-call did not get: read them in the queue (kept until %d days after "+
				"ElastiCache sent them). Check the pipe %s (state, role), the alerts key policy and the on-call topic policy, "+
				"and move them back to %s with a dead-letter queue redrive.", deadLetterDays, e.RedisNotificationsName(), notificationQueue),
		},
		{
			ID: "redis_notifications_forwarding_failures", Name: e.ResourceName("redis-notifications-forwarding-failures"),
			Namespace: "AWS/EventBridge/Pipes", Metric: "ExecutionFailed", Statistic: "Sum",
			Dimensions: map[string]string{"PipeName": pipe},
			Comparison: "GreaterThanOrEqualToThreshold", Threshold: 1,
			PeriodSeconds: 300, Evaluations: 1, TreatMissing: "notBreaching",
			What:                 "EventBridge pipe " + pipe + " failed",
			ThresholdDescription: "at least 1 execution forwarding a Redis notification to on-call",
			MissingDataExplained: "No data means no executions, which is not breaching.",
			Check: fmt.Sprintf("SQS retries each notification up to %d times, then moves it to %s. Check the pipe's "+
				"CloudWatch metrics (TargetStageFailed), its role's sns:Publish and the alerts key policy, then the on-call topic policy.",
				RedisNotificationMaxReceives, deadLetter),
		},
	}
	for i := 1; i <= e.CacheNodeCount; i++ {
		member := fmt.Sprintf("%03d", i)
		cluster := fmt.Sprintf("%s-%s", replicationGroupID, member)
		node := "Redis node " + cluster + " (replication group " + replicationGroupID + ")"
		dims := map[string]string{"CacheClusterId": cluster}
		alarms = append(alarms,
			Alarm{
				ID: "redis_" + member + "_engine_cpu", Name: e.ResourceName("redis-" + member + "-engine-cpu"),
				Namespace: "AWS/ElastiCache", Metric: "EngineCPUUtilization", Statistic: "Average", Dimensions: dims,
				Comparison: "GreaterThanThreshold", Threshold: float64(e.CacheCPUAlarmPercent),
				PeriodSeconds: 300, Evaluations: 3, TreatMissing: "missing",
				What:                 node + " engine CPU (the Redis thread) was",
				ThresholdDescription: fmt.Sprintf("above %d%%", e.CacheCPUAlarmPercent),
				Check:                "Check the slow log (" + e.CacheLogGroupName("slow-log") + "), hot keys and expensive commands; then CacheNodeType.",
			},
			Alarm{
				ID: "redis_" + member + "_memory", Name: e.ResourceName("redis-" + member + "-memory"),
				Namespace: "AWS/ElastiCache", Metric: "DatabaseMemoryUsagePercentage", Statistic: "Average", Dimensions: dims,
				Comparison: "GreaterThanThreshold", Threshold: float64(e.CacheMemoryAlarmPercent),
				PeriodSeconds: 300, Evaluations: 2, TreatMissing: "missing",
				What:                 node + " memory use was",
				ThresholdDescription: fmt.Sprintf("above %d%% of maxmemory", e.CacheMemoryAlarmPercent),
				Check:                "Evictions follow. Check key TTLs and key growth; then CacheNodeType.",
			},
			Alarm{
				ID: "redis_" + member + "_evictions", Name: e.ResourceName("redis-" + member + "-evictions"),
				Namespace: "AWS/ElastiCache", Metric: "Evictions", Statistic: "Sum", Dimensions: dims,
				Comparison: "GreaterThanOrEqualToThreshold", Threshold: float64(e.CacheEvictionsAlarmCount),
				PeriodSeconds: 300, Evaluations: 1, TreatMissing: "missing",
				What:                 node + " evicted",
				ThresholdDescription: fmt.Sprintf("at least %d keys", e.CacheEvictionsAlarmCount),
				Check:                "The working set no longer fits. Check memory use, key TTLs and CacheNodeType.",
			},
			Alarm{
				ID: "redis_" + member + "_replication_lag", Name: e.ResourceName("redis-" + member + "-replication-lag"),
				Namespace: "AWS/ElastiCache", Metric: "ReplicationLag", Statistic: "Maximum", Dimensions: dims,
				Comparison: "GreaterThanThreshold", Threshold: float64(e.CacheReplicationLagAlarmSeconds),
				PeriodSeconds: 60, Evaluations: 5, TreatMissing: "notBreaching",
				What:                 node + ", as a replica, was",
				ThresholdDescription: fmt.Sprintf("more than %d s behind the primary", e.CacheReplicationLagAlarmSeconds),
				MissingDataExplained: "Only replicas publish ReplicationLag, and failover moves the primary, so no data (this node is the primary) is not breaching.",
				Check:                "Check write load and engine CPU on the primary, and network throughput of the node type.",
			},
		)
	}
	return append(alarms, e.kclAlarms(t.LeaseTable)...)
}

// kclAlarms are the KCL lease-table alarms. A throttled lease table delays
// lease renewals: workers lose their leases, shards stall and the stream's
// iterator age grows. DynamoDB publishes throttle events only when there
// are some, so no data is not breaching.
func (e Environment) kclAlarms(leaseTable string) []Alarm {
	check := "KCL retries, but leases that cannot be renewed move between workers and shards stall. " +
		"Check ThrottledRequests by operation, the table's on-demand limits and whether a processor loops on lease scans; " +
		"then the stream's iterator age."
	var alarms []Alarm
	for _, op := range []struct{ id, metric, what string }{
		{"read", "ReadThrottleEvents", "reads"},
		{"write", "WriteThrottleEvents", "writes"},
	} {
		alarms = append(alarms, Alarm{
			ID: "kcl_lease_" + op.id + "_throttling", Name: e.ResourceName("kcl-lease-" + op.id + "-throttling"),
			Namespace: "AWS/DynamoDB", Metric: op.metric, Statistic: "Sum",
			Dimensions: map[string]string{"TableName": leaseTable},
			Comparison: "GreaterThanOrEqualToThreshold", Threshold: float64(e.KCLLeaseThrottleAlarmCount),
			PeriodSeconds: 300, Evaluations: 1, TreatMissing: "notBreaching",
			What:                 "KCL lease table " + leaseTable + " throttled",
			ThresholdDescription: fmt.Sprintf("at least %d %s", e.KCLLeaseThrottleAlarmCount, op.what),
			MissingDataExplained: "DynamoDB publishes throttle events only when there are some, so no data is not breaching.",
			Check:                check,
		})
	}
	return alarms
}

// Description tells on-call what broke, where, against which threshold and
// for how long, and what to check first.
func (a Alarm) Description(e Environment) string {
	window := "for"
	if a.Statistic == "Sum" {
		window = "in"
	}
	d := fmt.Sprintf("[%s] %s %s %s %s.", e.Name, a.What, a.ThresholdDescription, window, minutes(a.PeriodSeconds*a.Evaluations))
	if a.MissingDataExplained != "" {
		d += " " + a.MissingDataExplained
	}
	return d + " " + a.Check
}

// minutes renders a duration in seconds for people.
func minutes(seconds int) string {
	if seconds == 60 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", seconds/60)
}

// validateAlarms checks the alarm thresholds against their units and the
// resources they watch.
func (e Environment) validateAlarms(p *problems) {
	maxAge := e.StreamRetentionHours * 3_600_000 / 2
	if e.StreamIteratorAgeAlarmMs < minIteratorAgeAlarmMs || e.StreamIteratorAgeAlarmMs > maxAge {
		p.add("StreamIteratorAgeAlarmMs", e.StreamIteratorAgeAlarmMs, "%d ms to half the stream retention (%d ms for %d hours)",
			minIteratorAgeAlarmMs, maxAge, e.StreamRetentionHours)
	}
	p.inRange("StreamWriteThrottleAlarmCount", e.StreamWriteThrottleAlarmCount, 1, maxAlarmCount, "throttled records per 5 minutes")
	p.inRange("DBCPUAlarmPercent", e.DBCPUAlarmPercent, 1, maxAlarmPercent, "percent")
	p.inRange("DBConnectionsAlarmCount", e.DBConnectionsAlarmCount, 1, maxDBConnections, "connections")
	p.inRange("CacheCPUAlarmPercent", e.CacheCPUAlarmPercent, 1, maxAlarmPercent, "percent")
	p.inRange("CacheMemoryAlarmPercent", e.CacheMemoryAlarmPercent, 1, maxAlarmPercent, "percent")
	p.inRange("CacheEvictionsAlarmCount", e.CacheEvictionsAlarmCount, 1, maxAlarmCount, "evictions per 5 minutes")
	p.inRange("CacheReplicationLagAlarmSeconds", e.CacheReplicationLagAlarmSeconds, 1, maxReplicationLagAlarmS, "seconds")
	p.inRange("KCLLeaseThrottleAlarmCount", e.KCLLeaseThrottleAlarmCount, 1, maxAlarmCount, "throttled lease-table requests per 5 minutes")
	if e.DBFreeStorageAlarmGiB < 1 || e.DBFreeStorageAlarmGiB >= e.DBAllocatedStorageGiB {
		p.add("DBFreeStorageAlarmGiB", e.DBFreeStorageAlarmGiB, "1 GiB to less than DBAllocatedStorageGiB (%d GiB)", e.DBAllocatedStorageGiB)
	}
}
