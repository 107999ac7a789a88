package stacks

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
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
func expectedAlarms(env Environment) []wantAlarm {
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
			"DBInstanceIdentifier", db, float64(env.DBFreeStorageAlarmGB) * 1024 * 1024 * 1024, fmt.Sprintf("%d GiB", env.DBFreeStorageAlarmGB)},
		{"postgres_connections", "AWS/RDS", "DatabaseConnections", "Maximum", "GreaterThanThreshold", "missing",
			"DBInstanceIdentifier", db, float64(env.DBConnectionsAlarmCount), fmt.Sprintf("%d connections", env.DBConnectionsAlarmCount)},
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
				a := s.resource(t, "aws_cloudwatch_metric_alarm", w.id)
				where := env.Name + ": aws_cloudwatch_metric_alarm." + w.id
				got := wantAlarm{
					id: w.id, namespace: str(a["namespace"]), metric: str(a["metric_name"]), statistic: str(a["statistic"]),
					comparison: str(a["comparison_operator"]), missing: str(a["treat_missing_data"]),
				}
				dims, _ := a["dimensions"].(map[string]any)
				if len(dims) != 1 {
					t.Errorf("%s: dimensions %v; want only %s", where, dims, w.dimension)
				}
				got.dimension, got.dimensionValue = w.dimension, str(dims[w.dimension])
				got.threshold, _ = a["threshold"].(float64)
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

				name := str(a["alarm_name"])
				if !strings.HasPrefix(name, "fastshop-") || !strings.HasSuffix(name, "-"+env.Name) {
					t.Errorf("%s: alarm_name %q does not name the environment (fastshop-...-%s)", where, name, env.Name)
				}
				if other, dup := names[name]; dup {
					t.Errorf("%s: alarm_name %q also used by %s", where, name, other)
				}
				names[name] = w.id

				d := str(a["alarm_description"])
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

// str returns a decoded JSON string or "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

func TestAlertTopic(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			topic := s.resource(t, "aws_sns_topic", "on_call")
			alias := "alias/" + env.resourceName("alerts")
			if topic["name"] != env.resourceName("alerts") || topic["kms_master_key_id"] != alias {
				t.Errorf("%s: aws_sns_topic.on_call = %v; want %s encrypted with %s", env.Name, topic, env.resourceName("alerts"), alias)
			}
			if deps, _ := topic["depends_on"].([]any); !slices.Contains(deps, any("aws_kms_alias.alerts_key")) {
				t.Errorf("%s: aws_sns_topic.on_call names its key by alias but does not depend on aws_kms_alias.alerts_key", env.Name)
			}
			key := s.resource(t, "aws_kms_key", "alerts")
			if key["enable_key_rotation"] != true || key["deletion_window_in_days"] != float64(env.KMSDeletionWindowDays) {
				t.Errorf("%s: aws_kms_key.alerts = rotation %v, window %v", env.Name, key["enable_key_rotation"], key["deletion_window_in_days"])
			}

			// The key lets each publisher encrypt, nothing more.
			statements := statementsOf(t, env.Name+": aws_kms_key.alerts", key["policy"].(string))
			publishers := []struct {
				sid       string
				services  []string
				condition map[string]map[string]any
			}{
				{"CloudWatchAlarmsPublish", []string{"cloudwatch.amazonaws.com"}, map[string]map[string]any{"StringEquals": {"aws:SourceAccount": env.AccountID}}},
				{"EventSourcesPublish", []string{"events.rds.amazonaws.com", "events.amazonaws.com"}, nil},
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
			if via := statements["UseThroughServices"].Condition["StringEquals"]["kms:ViaService"]; !reflect.DeepEqual(via, []any{"sns.sa-east-1.amazonaws.com"}) {
				t.Errorf("%s: aws_kms_key.alerts lets the account use it via %v; want SNS only", env.Name, via)
			}

			policy := s.resource(t, "aws_sns_topic_policy", "on_call_publishers")
			if policy["arn"] != "${aws_sns_topic.on_call.arn}" {
				t.Errorf("%s: aws_sns_topic_policy.on_call_publishers on %v", env.Name, policy["arn"])
			}
			topicARN := "${aws_sns_topic.on_call.arn}"
			docs := statementsOf(t, env.Name+": aws_sns_topic_policy.on_call_publishers", policy["policy"].(string))
			for sid, w := range map[string]struct {
				service   string
				condition string
			}{
				"CloudWatchAlarms": {"cloudwatch.amazonaws.com", fmt.Sprintf(`{"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:sa-east-1:%s:alarm:*"},"StringEquals":{"aws:SourceAccount":"%s"}}`, env.AccountID, env.AccountID)},
				"PostgresEvents":   {"events.rds.amazonaws.com", fmt.Sprintf(`{"ArnLike":{"aws:SourceArn":"arn:aws:rds:sa-east-1:%s:db:*"},"StringEquals":{"aws:SourceAccount":"%s"}}`, env.AccountID, env.AccountID)},
				"RedisEvents":      {"events.amazonaws.com", `{"ArnEquals":{"aws:SourceArn":"${aws_cloudwatch_event_rule.redis_events.arn}"}}`},
			} {
				st := docs[sid]
				cond, _ := json.Marshal(st.Condition)
				if st.Principal["Service"] != w.service || !slices.Equal(st.Action, []string{"sns:Publish"}) ||
					!slices.Equal(asStrings(st.Resource), []string{topicARN}) || string(cond) != w.condition {
					t.Errorf("%s: topic policy %s = %+v (condition %s);\nwant %s may sns:Publish to the topic only with condition %s", env.Name, sid, st, cond, w.service, w.condition)
				}
			}
			if len(docs) != 3 {
				t.Errorf("%s: topic policy has %d statements; want the three publishers", env.Name, len(docs))
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

			rule := s.resource(t, "aws_cloudwatch_event_rule", "redis_events")
			var pattern map[string][]string
			if err := json.Unmarshal([]byte(str(rule["event_pattern"])), &pattern); err != nil {
				t.Fatalf("%s: aws_cloudwatch_event_rule.redis_events pattern: %v", env.Name, err)
			}
			if !slices.Equal(pattern["source"], []string{"aws.elasticache"}) {
				t.Errorf("%s: aws_cloudwatch_event_rule.redis_events source %v; want aws.elasticache", env.Name, pattern["source"])
			}
			for _, d := range []string{"Cache Update Failed", "Cache Limit Approaching", "Snapshot Creation Failed"} {
				if !slices.Contains(pattern["detail-type"], d) {
					t.Errorf("%s: aws_cloudwatch_event_rule.redis_events misses %q", env.Name, d)
				}
			}
			target := s.resource(t, "aws_cloudwatch_event_target", "redis_events_delivery")
			if target["rule"] != "${aws_cloudwatch_event_rule.redis_events.name}" || target["arn"] != "${aws_sns_topic.on_call.arn}" || target["role_arn"] != nil {
				t.Errorf("%s: aws_cloudwatch_event_target.redis_events_delivery = %v; want the rule to the topic without a role", env.Name, target)
			}
			// ElastiCache's own notifications cannot publish to an
			// encrypted topic; a topic set there would look wired and
			// deliver nothing.
			if arn := s.resource(t, "aws_elasticache_replication_group", "redis")["notification_topic_arn"]; arn != nil {
				t.Errorf("%s: aws_elasticache_replication_group.redis notification_topic_arn = %v; ElastiCache drops notifications to encrypted topics", env.Name, arn)
			}
		})
	}
}

func TestValidateAlarmThresholds(t *testing.T) {
	cases := []validationCase{
		{"iterator age below a second", Prod, func(e *Environment) { e.StreamIteratorAgeAlarmMs = 999 },
			[]string{`"prod"`, "StreamIteratorAgeAlarmMs", "999", "1000 ms to half the stream retention (302400000 ms for 168 hours)"}},
		{"iterator age past half the retention", Dev, func(e *Environment) { e.StreamIteratorAgeAlarmMs = 12*3_600_000 + 1 },
			[]string{`"dev"`, "StreamIteratorAgeAlarmMs", "43200001", "43200000 ms for 24 hours"}},
		{"no throttling threshold", Staging, func(e *Environment) { e.StreamWriteThrottleAlarmCount = 0 },
			[]string{"StreamWriteThrottleAlarmCount", "1 to 1000000 throttled records per 5 minutes"}},
		{"database CPU at 100", Prod, func(e *Environment) { e.DBCPUAlarmPercent = 100 },
			[]string{"DBCPUAlarmPercent", "100", "1 to 99 percent"}},
		{"free storage above allocated", Dev, func(e *Environment) { e.DBFreeStorageAlarmGB = 20 },
			[]string{"DBFreeStorageAlarmGB", "20", "less than DBAllocatedStorageGB (20 GB)"}},
		{"free storage zero", Prod, func(e *Environment) { e.DBFreeStorageAlarmGB = 0 },
			[]string{"DBFreeStorageAlarmGB", "1 GB to less than DBAllocatedStorageGB (100 GB)"}},
		{"connections past the cap", Prod, func(e *Environment) { e.DBConnectionsAlarmCount = 5001 },
			[]string{"DBConnectionsAlarmCount", "5001", "1 to 5000 connections"}},
		{"cache CPU negative", Staging, func(e *Environment) { e.CacheCPUAlarmPercent = -5 },
			[]string{"CacheCPUAlarmPercent", "-5", "1 to 99 percent"}},
		{"cache memory at 100", Dev, func(e *Environment) { e.CacheMemoryAlarmPercent = 100 },
			[]string{"CacheMemoryAlarmPercent", "1 to 99 percent"}},
		{"no evictions threshold", Prod, func(e *Environment) { e.CacheEvictionsAlarmCount = 0 },
			[]string{"CacheEvictionsAlarmCount", "1 to 1000000 evictions per 5 minutes"}},
		{"replication lag an hour and more", Prod, func(e *Environment) { e.CacheReplicationLagAlarmSeconds = 3601 },
			[]string{"CacheReplicationLagAlarmSeconds", "3601", "1 to 3600 seconds"}},
	}
	expectRejected(t, cases)
}
