package stacks

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

// wantAlarm is what one alarm must watch and when it must fire.
type wantAlarm struct {
	id, namespace, metric, statistic, comparison, missing string
	dimension, dimensionValue                             string
	threshold                                             float64
	// shown is how the threshold reads in the description.
	shown string
}

// expectedAlarms writes out, independently of alarms.go, every alarm an
// environment must have.
func expectedAlarms(env config.Environment) []wantAlarm {
	stream := "${aws_kinesis_stream.transactions.name}"
	db := "${aws_db_instance.postgres.identifier}"
	alarms := []wantAlarm{
		{"stream_iterator_age", "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "Maximum", "GreaterThanThreshold", "breaching",
			"StreamName", stream, float64(env.StreamIteratorAgeAlarmMs), fmt.Sprintf("%d ms", env.StreamIteratorAgeAlarmMs)},
		{"stream_write_throttling", "AWS/Kinesis", "WriteProvisionedThroughputExceeded", "Sum", "GreaterThanOrEqualToThreshold", "notBreaching",
			"StreamName", stream, float64(env.StreamWriteThrottleAlarmCount), fmt.Sprintf("%d records", env.StreamWriteThrottleAlarmCount)},
		{"postgres_cpu", "AWS/RDS", "CPUUtilization", "Average", "GreaterThanThreshold", "missing",
			"DBInstanceIdentifier", db, float64(env.DBCPUAlarmPercent), fmt.Sprintf("%d%%", env.DBCPUAlarmPercent)},
		{"postgres_free_storage", "AWS/RDS", "FreeStorageSpace", "Minimum", "LessThanThreshold", "missing",
			"DBInstanceIdentifier", db, float64(env.DBFreeStorageAlarmGiB) * 1024 * 1024 * 1024, fmt.Sprintf("%d GiB", env.DBFreeStorageAlarmGiB)},
		{"postgres_connections", "AWS/RDS", "DatabaseConnections", "Maximum", "GreaterThanThreshold", "missing",
			"DBInstanceIdentifier", db, float64(env.DBConnectionsAlarmCount), fmt.Sprintf("%d connections", env.DBConnectionsAlarmCount)},
		{"redis_notifications_age", "AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum", "GreaterThanThreshold", "notBreaching",
			"QueueName", "${aws_sqs_queue.redis_notifications_inbox.name}", 900, "900 s"},
		// SQS stops counting a message's age after three receives: a pipe
		// that keeps failing shows up in the dead-letter queue and in the
		// pipe's own failures.
		{"redis_notifications_undelivered", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "GreaterThanThreshold", "notBreaching",
			"QueueName", "${aws_sqs_queue.redis_notifications_dead_letter.name}", 0, "more than 0 Redis notifications"},
		{"redis_notifications_forwarding_failures", "AWS/EventBridge/Pipes", "ExecutionFailed", "Sum", "GreaterThanOrEqualToThreshold", "notBreaching",
			"PipeName", "${aws_pipes_pipe.redis_notifications_forwarding.name}", 1, "at least 1 execution"},
	}
	for i := 1; i <= env.CacheNodeCount; i++ {
		n := fmt.Sprintf("%03d", i)
		cluster := "${aws_elasticache_replication_group.redis.replication_group_id}-" + n
		alarms = append(alarms,
			wantAlarm{"redis_" + n + "_engine_cpu", "AWS/ElastiCache", "EngineCPUUtilization", "Average", "GreaterThanThreshold", "missing",
				"CacheClusterId", cluster, float64(env.CacheCPUAlarmPercent), fmt.Sprintf("%d%%", env.CacheCPUAlarmPercent)},
			wantAlarm{"redis_" + n + "_memory", "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "Average", "GreaterThanThreshold", "missing",
				"CacheClusterId", cluster, float64(env.CacheMemoryAlarmPercent), fmt.Sprintf("%d%%", env.CacheMemoryAlarmPercent)},
			wantAlarm{"redis_" + n + "_evictions", "AWS/ElastiCache", "Evictions", "Sum", "GreaterThanOrEqualToThreshold", "missing",
				"CacheClusterId", cluster, float64(env.CacheEvictionsAlarmCount), fmt.Sprintf("%d keys", env.CacheEvictionsAlarmCount)},
			wantAlarm{"redis_" + n + "_replication_lag", "AWS/ElastiCache", "ReplicationLag", "Maximum", "GreaterThanThreshold", "notBreaching",
				"CacheClusterId", cluster, float64(env.CacheReplicationLagAlarmSeconds), fmt.Sprintf("%d s", env.CacheReplicationLagAlarmSeconds)},
		)
	}
	return append(alarms, expectedKCLAlarms(env)...)
}

// expectedKCLAlarms are the KCL lease-table alarms.
func expectedKCLAlarms(env config.Environment) []wantAlarm {
	table := "${aws_dynamodb_table.kcl_leases.name}"
	return []wantAlarm{
		{"kcl_lease_read_throttling", "AWS/DynamoDB", "ReadThrottleEvents", "Sum", "GreaterThanOrEqualToThreshold", "notBreaching",
			"TableName", table, float64(env.KCLLeaseThrottleAlarmCount), fmt.Sprintf("%d reads", env.KCLLeaseThrottleAlarmCount)},
		{"kcl_lease_write_throttling", "AWS/DynamoDB", "WriteThrottleEvents", "Sum", "GreaterThanOrEqualToThreshold", "notBreaching",
			"TableName", table, float64(env.KCLLeaseThrottleAlarmCount), fmt.Sprintf("%d writes", env.KCLLeaseThrottleAlarmCount)},
	}
}

func TestAlarms(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			want := expectedAlarms(env)
			var wantIDs []string
			for _, w := range want {
				wantIDs = append(wantIDs, w.id)
			}
			slices.Sort(wantIDs)
			if got := s.names("aws_cloudwatch_metric_alarm"); !slices.Equal(got, wantIDs) {
				t.Errorf("%s: alarms %v;\nwant %v", env.Name, got, wantIDs)
			}
			topic := []any{"${aws_sns_topic.on_call.arn}"}
			names := map[string]string{}
			for _, w := range want {
				alarm := s.res(t, "aws_cloudwatch_metric_alarm", w.id)
				a := alarm.object()
				where := alarm.path
				got := wantAlarm{
					id: w.id, namespace: alarm.Key("namespace").Str(), metric: alarm.Key("metric_name").Str(), statistic: alarm.Key("statistic").Str(),
					comparison: alarm.Key("comparison_operator").Str(), missing: alarm.Key("treat_missing_data").Str(),
				}
				dims := alarm.Key("dimensions")
				if keys := dims.Keys(); len(keys) != 1 {
					t.Errorf("%s: dimensions %v; want only %s", where, keys, w.dimension)
				}
				got.dimension, got.dimensionValue = w.dimension, dims.Key(w.dimension).Str()
				got.threshold = alarm.Key("threshold").Num()
				got.shown = w.shown
				if got != w {
					t.Errorf("%s watches %+v;\nwant %+v", where, got, w)
				}
				if !reflect.DeepEqual(a["alarm_actions"], topic) || !reflect.DeepEqual(a["ok_actions"], topic) {
					t.Errorf("%s: alarm_actions %v, ok_actions %v; want both to the on-call topic", where, a["alarm_actions"], a["ok_actions"])
				}
				if a["evaluation_periods"] != a["datapoints_to_alarm"] || a["period"] == nil {
					t.Errorf("%s: %v of %v periods of %v s; want every period of the window breaching", where, a["datapoints_to_alarm"], a["evaluation_periods"], a["period"])
				}

				name := alarm.Key("alarm_name").Str()
				if !strings.HasPrefix(name, "fastshop-") || !strings.HasSuffix(name, "-"+env.Name) {
					t.Errorf("%s: alarm_name %q does not name the environment (fastshop-...-%s)", where, name, env.Name)
				}
				if other, dup := names[name]; dup {
					t.Errorf("%s: alarm_name %q also used by %s", where, name, other)
				}
				names[name] = w.id

				d := alarm.Key("alarm_description").Str()
				for _, part := range []string{"[" + env.Name + "]", w.dimensionValue, w.shown, "Check"} {
					if !strings.Contains(d, part) {
						t.Errorf("%s: description lacks %q (environment, resource, threshold, what to check):\n%s", where, part, d)
					}
				}
				if len(d) > 1024 {
					t.Errorf("%s: description is %d characters; CloudWatch allows 1024", where, len(d))
				}
			}
		})
	}
}

func TestAlertTopic(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			topicRes := s.res(t, "aws_sns_topic", "on_call")
			topic := topicRes.object()
			alias := "alias/" + env.ResourceName("alerts")
			if topic["name"] != env.ResourceName("alerts") || topic["kms_master_key_id"] != alias {
				t.Errorf("%s: aws_sns_topic.on_call = %v; want %s encrypted with %s", env.Name, topic, env.ResourceName("alerts"), alias)
			}
			if deps := topicRes.Opt("depends_on").Strings(); !slices.Contains(deps, "aws_kms_alias.alerts_key") {
				t.Errorf("%s: aws_sns_topic.on_call names its key by alias but does not depend on aws_kms_alias.alerts_key", env.Name)
			}
			key := s.resource(t, "aws_kms_key", "alerts")
			if key["enable_key_rotation"] != true || key["deletion_window_in_days"] != float64(env.KMSDeletionWindowDays) {
				t.Errorf("%s: aws_kms_key.alerts = rotation %v, window %v", env.Name, key["enable_key_rotation"], key["deletion_window_in_days"])
			}

			// The key lets each publisher encrypt, nothing more.
			statements := statementsOf(t, env.Name+": aws_kms_key.alerts", s.res(t, "aws_kms_key", "alerts").Key("policy").Str())
			publishers := []struct {
				sid       string
				services  []string
				condition map[string]map[string]any
			}{
				{"CloudWatchAlarmsPublish", []string{"cloudwatch.amazonaws.com"}, map[string]map[string]any{"StringEquals": {"aws:SourceAccount": env.AccountID}}},
				{"EventSourcesPublish", []string{"events.rds.amazonaws.com"}, nil},
				{"RedisNotificationsDelivery", []string{"sns.amazonaws.com"}, map[string]map[string]any{
					"ArnEquals": {"aws:SourceArn": "arn:aws:sns:sa-east-1:" + env.AccountID + ":" + env.ResourceName("redis-notifications")}}},
			}
			for _, p := range publishers {
				st, ok := statements[p.sid]
				if !ok {
					t.Errorf("%s: aws_kms_key.alerts has no statement %s", env.Name, p.sid)
					continue
				}
				if got := asStrings(st.Principal["Service"]); !slices.Equal(got, p.services) {
					t.Errorf("%s: aws_kms_key.alerts %s principals %v; want %v", env.Name, p.sid, got, p.services)
				}
				if !slices.Equal(st.Action, []string{"kms:Decrypt", "kms:GenerateDataKey"}) {
					t.Errorf("%s: aws_kms_key.alerts %s actions %v; want kms:Decrypt, kms:GenerateDataKey", env.Name, p.sid, st.Action)
				}
				got, _ := json.Marshal(st.Condition)
				want, _ := json.Marshal(p.condition)
				if p.condition == nil {
					want = []byte("null")
				}
				if string(got) != string(want) {
					t.Errorf("%s: aws_kms_key.alerts %s condition %s; want %s", env.Name, p.sid, got, want)
				}
			}
			if via := statements["UseThroughServices"].Condition["StringEquals"]["kms:ViaService"]; !reflect.DeepEqual(via, []any{"sns.sa-east-1.amazonaws.com", "sqs.sa-east-1.amazonaws.com"}) {
				t.Errorf("%s: aws_kms_key.alerts lets the account use it via %v; want SNS and SQS only", env.Name, via)
			}
			if len(statements) != 5 {
				t.Errorf("%s: aws_kms_key.alerts has %d statements; want administration, use through SNS and SQS, and the three service grants", env.Name, len(statements))
			}

			policy := s.resource(t, "aws_sns_topic_policy", "on_call_publishers")
			if policy["arn"] != "${aws_sns_topic.on_call.arn}" {
				t.Errorf("%s: aws_sns_topic_policy.on_call_publishers on %v", env.Name, policy["arn"])
			}
			topicARN := "${aws_sns_topic.on_call.arn}"
			docs := statementsOf(t, env.Name+": aws_sns_topic_policy.on_call_publishers", s.res(t, "aws_sns_topic_policy", "on_call_publishers").Key("policy").Str())
			for sid, w := range map[string]struct {
				service   string
				condition string
			}{
				"CloudWatchAlarms": {"cloudwatch.amazonaws.com", fmt.Sprintf(`{"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:sa-east-1:%s:alarm:*"},"StringEquals":{"aws:SourceAccount":"%s"}}`, env.AccountID, env.AccountID)},
				"PostgresEvents":   {"events.rds.amazonaws.com", fmt.Sprintf(`{"ArnLike":{"aws:SourceArn":"arn:aws:rds:sa-east-1:%s:db:*"},"StringEquals":{"aws:SourceAccount":"%s"}}`, env.AccountID, env.AccountID)},
			} {
				st := docs[sid]
				cond, _ := json.Marshal(st.Condition)
				if st.Principal["Service"] != w.service || !slices.Equal(st.Action, []string{"sns:Publish"}) ||
					!slices.Equal(asStrings(st.Resource), []string{topicARN}) || string(cond) != w.condition {
					t.Errorf("%s: topic policy %s = %+v (condition %s);\nwant %s may sns:Publish to the topic only with condition %s", env.Name, sid, st, cond, w.service, w.condition)
				}
			}
			if len(docs) != 2 {
				t.Errorf("%s: topic policy has %d statements; want the two publishers", env.Name, len(docs))
			}
		})
	}
}

func TestEventNotifications(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			sub := s.resource(t, "aws_db_event_subscription", "postgres_events")
			if sub["sns_topic"] != "${aws_sns_topic.on_call.arn}" || sub["source_type"] != "db-instance" ||
				!reflect.DeepEqual(sub["source_ids"], []any{"${aws_db_instance.postgres.identifier}"}) {
				t.Errorf("%s: aws_db_event_subscription.postgres_events = %v; want the instance's events on the on-call topic", env.Name, sub)
			}
			categories := asStrings(sub["event_categories"])
			for _, c := range []string{"availability", "failover", "failure", "low storage"} {
				if !slices.Contains(categories, c) {
					t.Errorf("%s: aws_db_event_subscription.postgres_events misses %q events", env.Name, c)
				}
			}

		})
	}
}

// wantPolicyStatement is one expected Allow statement: principal and
// condition as their JSON ("" for none).
type wantPolicyStatement struct {
	sid, principal     string
	actions, resources []string
	condition          string
}

// checkPolicy wants exactly the listed statements, each with exactly its
// principal, actions, resources and condition.
func checkPolicy(t *testing.T, where, policy string, want []wantPolicyStatement) {
	t.Helper()
	got := statementsOf(t, where, policy)
	if len(got) != len(want) {
		t.Errorf("%s: %d statements; want %d", where, len(got), len(want))
	}
	asJSON := func(v any) string {
		b, _ := json.Marshal(v)
		if string(b) == "null" {
			return ""
		}
		return string(b)
	}
	for _, w := range want {
		st, ok := got[w.sid]
		if !ok {
			t.Errorf("%s: no statement %s", where, w.sid)
			continue
		}
		if st.Effect != "Allow" || asJSON(st.Principal) != w.principal || !slices.Equal(st.Action, w.actions) ||
			!slices.Equal(asStrings(st.Resource), w.resources) || asJSON(st.Condition) != w.condition {
			t.Errorf("%s: statement %s = %s %s %v on %v if %s;\nwant Allow %s %v on %v if %s", where, w.sid,
				st.Effect, asJSON(st.Principal), st.Action, asStrings(st.Resource), asJSON(st.Condition),
				w.principal, w.actions, w.resources, w.condition)
		}
	}
}

// TestRedisNotifications follows a replication group event from ElastiCache
// to on-call: the group's notification topic (unencrypted, because
// ElastiCache cannot publish to an encrypted one), a queue encrypted with
// the alerts key, and an EventBridge pipe into the on-call topic, each
// permission in place before the resource that needs it.
func TestRedisNotifications(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			name := env.ResourceName("redis-notifications")
			topicARN := "${aws_sns_topic.redis_notifications.arn}"
			queueARN := "${aws_sqs_queue.redis_notifications_inbox.arn}"

			group := s.resource(t, "aws_elasticache_replication_group", "redis")
			if group["notification_topic_arn"] != topicARN {
				t.Errorf("%s: replication group notification_topic_arn = %v; want %s (node-based groups report failover, node replacement and snapshot failures only there)", env.Name, group["notification_topic_arn"], topicARN)
			}
			deps := asStrings(group["depends_on"])
			for _, d := range []string{"aws_sns_topic_policy.redis_notifications_publishers", "aws_sns_topic_subscription.redis_notifications_to_queue"} {
				if !slices.Contains(deps, d) {
					t.Errorf("%s: replication group depends_on %v lacks %s; ElastiCache publishes at create and marks a refusing topic inactive", env.Name, deps, d)
				}
			}
			if rules := s.names("aws_cloudwatch_event_rule"); len(rules) != 0 {
				t.Errorf("%s: EventBridge rules %v; ElastiCache's EventBridge events are for serverless caches, which we do not run", env.Name, rules)
			}

			// The one unencrypted topic, and who may publish to it.
			for id, topic := range s.resources("aws_sns_topic") {
				if id != "redis_notifications" && topic["kms_master_key_id"] == nil {
					t.Errorf("%s: aws_sns_topic.%s is not encrypted; only the ElastiCache notification topic may be", env.Name, id)
				}
			}
			topic := s.resource(t, "aws_sns_topic", "redis_notifications")
			if topic["name"] != name || topic["kms_master_key_id"] != nil {
				t.Errorf("%s: aws_sns_topic.redis_notifications = %v; want %s without a key", env.Name, topic, name)
			}
			policy := s.resource(t, "aws_sns_topic_policy", "redis_notifications_publishers")
			if policy["arn"] != topicARN {
				t.Errorf("%s: aws_sns_topic_policy.redis_notifications_publishers on %v", env.Name, policy["arn"])
			}
			checkPolicy(t, env.Name+": redis notification topic policy", s.res(t, "aws_sns_topic_policy", "redis_notifications_publishers").Key("policy").Str(), []wantPolicyStatement{{
				sid: "ElastiCacheNotifications", principal: `{"AWS":"*"}`, actions: []string{"sns:Publish"}, resources: []string{topicARN},
				condition: `{"StringEquals":{"AWS:SourceOwner":"` + env.AccountID + `"}}`,
			}})

			// The inbox hands a message the pipe fails to deliver 5 times to
			// a dead-letter queue under the same key, which keeps it longer
			// (SQS keeps the original enqueue time) and takes messages from
			// the inbox only.
			alias := "alias/" + env.ResourceName("alerts")
			deadLetterName := env.ResourceName("redis-notifications-dead-letter")
			inboxARN := "arn:aws:sqs:sa-east-1:" + env.AccountID + ":" + name
			for _, q := range []struct {
				id, name, redriveKey, redrive string
				days                          int
			}{
				{"redis_notifications_inbox", name, "redrive_policy",
					`{"deadLetterTargetArn":"${aws_sqs_queue.redis_notifications_dead_letter.arn}","maxReceiveCount":5}`, 4},
				{"redis_notifications_dead_letter", deadLetterName, "redrive_allow_policy",
					`{"redrivePermission":"byQueue","sourceQueueArns":["` + inboxARN + `"]}`, 14},
			} {
				queue := s.resource(t, "aws_sqs_queue", q.id)
				if queue["name"] != q.name || queue["kms_master_key_id"] != alias || queue["message_retention_seconds"] != float64(q.days*24*3600) {
					t.Errorf("%s: aws_sqs_queue.%s = %v; want %s encrypted with %s, kept %d days", env.Name, q.id, queue, q.name, alias, q.days)
				}
				if queue[q.redriveKey] != q.redrive {
					t.Errorf("%s: aws_sqs_queue.%s %s = %v;\nwant %s", env.Name, q.id, q.redriveKey, queue[q.redriveKey], q.redrive)
				}
				if !slices.Contains(asStrings(queue["depends_on"]), "aws_kms_alias.alerts_key") {
					t.Errorf("%s: aws_sqs_queue.%s names its key by alias but does not depend on aws_kms_alias.alerts_key", env.Name, q.id)
				}
			}
			checkPolicy(t, env.Name+": redis notification queue policy", s.res(t, "aws_sqs_queue_policy", "redis_notifications_delivery").Key("policy").Str(), []wantPolicyStatement{{
				sid: "RedisNotificationsTopic", principal: `{"Service":"sns.amazonaws.com"}`, actions: []string{"sqs:SendMessage"}, resources: []string{queueARN},
				condition: `{"ArnEquals":{"aws:SourceArn":"` + topicARN + `"}}`,
			}})
			sub := s.resource(t, "aws_sns_topic_subscription", "redis_notifications_to_queue")
			if sub["topic_arn"] != topicARN || sub["protocol"] != "sqs" || sub["endpoint"] != queueARN ||
				!slices.Contains(asStrings(sub["depends_on"]), "aws_sqs_queue_policy.redis_notifications_delivery") {
				t.Errorf("%s: aws_sns_topic_subscription.redis_notifications_to_queue = %v; want the topic into the queue, after the queue policy", env.Name, sub)
			}
			// The pipe's template reads the SNS envelope; raw delivery
			// would drop the subject.
			if raw, set := sub["raw_message_delivery"]; set && raw != false {
				t.Errorf("%s: aws_sns_topic_subscription.redis_notifications_to_queue raw_message_delivery = %v; the pipe reads Subject and Message from the SNS envelope", env.Name, raw)
			}

			checkPolicy(t, env.Name+": forwarder trust", s.res(t, "aws_iam_role", "redis_notifications_forwarder").Key("assume_role_policy").Str(), []wantPolicyStatement{{
				sid: "AssumeByTrustedServices", principal: `{"Service":"pipes.amazonaws.com"}`, actions: []string{"sts:AssumeRole"},
				condition: `{"StringEquals":{"aws:SourceAccount":"` + env.AccountID + `"}}`,
			}})
			checkPolicy(t, env.Name+": forwarder access", s.res(t, "aws_iam_role_policy", "redis_notifications_forwarder_access").Key("policy").Str(), []wantPolicyStatement{
				{sid: "ReadNotifications", actions: []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}, resources: []string{queueARN}},
				{sid: "PublishToOnCall", actions: []string{"sns:Publish"}, resources: []string{"${aws_sns_topic.on_call.arn}"}},
				{sid: "UseAlertsKey", actions: []string{"kms:Decrypt", "kms:GenerateDataKey"}, resources: []string{"${aws_kms_key.alerts.arn}"}},
			})
			pipe := s.resource(t, "aws_pipes_pipe", "redis_notifications_forwarding")
			if pipe["source"] != queueARN || pipe["target"] != "${aws_sns_topic.on_call.arn}" || pipe["role_arn"] != "${aws_iam_role.redis_notifications_forwarder.arn}" ||
				!slices.Contains(asStrings(pipe["depends_on"]), "aws_iam_role_policy.redis_notifications_forwarder_access") {
				t.Errorf("%s: aws_pipes_pipe.redis_notifications_forwarding = %v; want the queue to the on-call topic as the forwarder, after its permissions", env.Name, pipe)
			}
			// On-call gets the ElastiCache subject and message, not the SQS
			// record (receipt handle, attributes, the envelope escaped).
			const template = `{"subject": <$.body.Subject>, "message": <$.body.Message>}`
			if got := s.res(t, "aws_pipes_pipe", "redis_notifications_forwarding").Opt("target_parameters").Opt("input_template").Raw(); got != template {
				t.Errorf("%s: aws_pipes_pipe.redis_notifications_forwarding target_parameters.input_template = %v; want %s", env.Name, got, template)
			}
		})
	}
}

// TestRedisNotificationsPerStack pins the decision on ElastiCache's "only
// one topic can be configured for ElastiCache notifications": one topic per
// replication group (its notification_topic_arn), not per account. Stacks
// that share an account and region (dev and every ephemeral stack) each
// name their own topic, queues and pipe, so no stack's destroy takes
// another's notifications with it.
func TestRedisNotificationsPerStack(t *testing.T) {
	type place struct{ account, region string }
	owner := map[string]string{} // name -> stack
	shared := map[place][]string{}
	for _, s := range synthAll(t) {
		env := s.Env
		shared[place{env.AccountID, env.Region}] = append(shared[place{env.AccountID, env.Region}], env.Name)
		for _, r := range []struct{ typ, id string }{
			{"aws_sns_topic", "redis_notifications"},
			{"aws_sqs_queue", "redis_notifications_inbox"},
			{"aws_sqs_queue", "redis_notifications_dead_letter"},
			{"aws_pipes_pipe", "redis_notifications_forwarding"},
		} {
			name := s.res(t, r.typ, r.id).Key("name").Str()
			if !strings.HasSuffix(name, "-"+env.Name) {
				t.Errorf("%s: %s.%s = %q does not end in the stack's name", env.Name, r.typ, r.id, name)
			}
			if other, taken := owner[r.typ+"/"+name]; taken {
				t.Errorf("%s: %s.%s = %q is also %s's: one topic, queue and pipe per replication group", env.Name, r.typ, r.id, name, other)
			}
			owner[r.typ+"/"+name] = env.Name
		}
		if got := s.res(t, "aws_elasticache_replication_group", "redis").Key("notification_topic_arn").Str(); got != "${aws_sns_topic.redis_notifications.arn}" {
			t.Errorf("%s: notification_topic_arn = %q; want the stack's own topic", env.Name, got)
		}
	}
	// The case the decision is about must be in the table: dev and the
	// ephemeral stack in one account and region.
	if stacks := shared[place{envOf(t, "dev").AccountID, envOf(t, "dev").Region}]; !slices.Contains(stacks, testSuffix) {
		t.Errorf("stacks in dev's account and region: %v; want the ephemeral stack %s among them", stacks, testSuffix)
	}
}
