package stacks

import (
	"slices"
	"testing"

	"fastshop/stacks/config"
)

// createOrder is one ordering the apply needs: AWS checks or uses a
// permission as soon as the resource exists, so the resource granting it
// must be created first. Terraform orders by references only; a reference
// to a role does not wait for the role's policy. name "*" means every
// resource of the type.
type createOrder struct {
	typ, name string
	after     string
	why       string
}

var createOrders = []createOrder{
	{"aws_flow_log", "vpc", "aws_iam_role_policy.flow_logs_writer_access",
		"delivery starts at create with the role's permissions"},
	{"aws_db_event_subscription", "postgres_events", "aws_sns_topic_policy.on_call_publishers",
		"RDS publishes to the topic as events occur"},
	{"aws_cloudwatch_metric_alarm", "*", "aws_sns_topic_policy.on_call_publishers",
		"an alarm's first state change publishes to the topic"},
	{"aws_pipes_pipe", "redis_notifications_forwarding", "aws_iam_role_policy.redis_notifications_forwarder_access",
		"the pipe starts polling the queue with its role at create"},
	{"aws_sns_topic_subscription", "redis_notifications_to_queue", "aws_sqs_queue_policy.redis_notifications_delivery",
		"SNS delivers to the queue from the first message"},
	{"aws_elasticache_replication_group", "redis", "aws_sns_topic_policy.redis_notifications_publishers",
		"ElastiCache marks a topic it cannot publish to inactive"},
	{"aws_elasticache_replication_group", "redis", "aws_sns_topic_subscription.redis_notifications_to_queue",
		"SNS drops messages that have no subscriber"},
	{"aws_kinesis_stream", "transactions", "aws_kms_alias.stream_key",
		"the stream names its key by alias"},
	{"aws_sns_topic", "on_call", "aws_kms_alias.alerts_key",
		"the topic names its key by alias"},
}

// dependsOn returns the depends_on addresses of a resource body.
func dependsOn(body map[string]any) []string {
	return asStrings(body["depends_on"])
}

// missingOrders returns the rows a stack does not meet, as readable lines.
func missingOrders(s synthesized, orders []createOrder) []string {
	var out []string
	for _, o := range orders {
		bodies := s.resources(o.typ)
		names := []string{o.name}
		if o.name == "*" {
			names = s.names(o.typ)
		}
		if len(names) == 0 {
			out = append(out, "no "+o.typ+" in the stack")
		}
		for _, name := range names {
			body, ok := bodies[name]
			if !ok {
				out = append(out, "no "+o.typ+"."+name+" in the stack")
				continue
			}
			if !slices.Contains(dependsOn(body), o.after) {
				out = append(out, o.typ+"."+name+" does not depend on "+o.after+" ("+o.why+")")
			}
		}
	}
	return out
}

// TestCreateOrder proves every resource that AWS lets act at create waits
// for the permission it acts with.
func TestCreateOrder(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			for _, m := range missingOrders(s, createOrders) {
				t.Errorf("%s: %s", s.Env.Name, m)
			}
		})
	}
}

// TestMissingOrdersCatches proves the walk above fails on the shapes it
// guards: a missing depends_on, one alarm of many without it, and a
// resource that is not there.
func TestMissingOrdersCatches(t *testing.T) {
	s := synthesized{Env: config.Environment{Name: "fixture"}, JSON: map[string]any{"resource": map[string]any{
		"aws_flow_log": map[string]any{"vpc": map[string]any{}},
		"aws_cloudwatch_metric_alarm": map[string]any{
			"a": map[string]any{"depends_on": []any{"aws_sns_topic_policy.p"}},
			"b": map[string]any{},
		},
	}}}
	got := missingOrders(s, []createOrder{
		{"aws_flow_log", "vpc", "aws_iam_role_policy.w", "w"},
		{"aws_cloudwatch_metric_alarm", "*", "aws_sns_topic_policy.p", "p"},
		{"aws_pipes_pipe", "x", "aws_iam_role_policy.w", "w"},
	})
	want := []string{
		"aws_flow_log.vpc does not depend on aws_iam_role_policy.w (w)",
		"aws_cloudwatch_metric_alarm.b does not depend on aws_sns_topic_policy.p (p)",
		"no aws_pipes_pipe.x in the stack",
	}
	if !slices.Equal(got, want) {
		t.Errorf("missingOrders = %q; want %q", got, want)
	}
}
