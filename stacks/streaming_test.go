package stacks

import (
	"slices"
	"testing"
)

func TestStream(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		k := s.resource(t, "aws_kinesis_stream", "transactions")
		if k["name"] != env.ResourceName("transactions") {
			t.Errorf("%s: stream name %v", env.Name, k["name"])
		}
		// The alias is a literal, so plan-time checks see the key.
		if k["encryption_type"] != "KMS" || k["kms_key_id"] != "alias/"+env.ResourceName("stream") {
			t.Errorf("%s: stream encryption %v with %v; want KMS with alias/%s", env.Name, k["encryption_type"], k["kms_key_id"], env.ResourceName("stream"))
		}
		if deps, _ := k["depends_on"].([]any); !slices.Contains(deps, any("aws_kms_alias.stream_key")) {
			t.Errorf("%s: stream does not wait for its key alias (depends_on %v)", env.Name, deps)
		}
		if k["retention_period"] != float64(env.StreamRetentionHours) {
			t.Errorf("%s: retention %v; want %d", env.Name, k["retention_period"], env.StreamRetentionHours)
		}
		mode := k["stream_mode_details"].(map[string]any)["stream_mode"]
		switch {
		case env.StreamOnDemand && (mode != "ON_DEMAND" || k["shard_count"] != nil):
			t.Errorf("%s: mode %v shards %v; want on-demand without a shard count", env.Name, mode, k["shard_count"])
		case !env.StreamOnDemand && (mode != "PROVISIONED" || k["shard_count"] != float64(env.StreamShardCount)):
			t.Errorf("%s: mode %v shards %v; want %d provisioned", env.Name, mode, k["shard_count"], env.StreamShardCount)
		}
		if metrics, _ := k["shard_level_metrics"].([]any); len(metrics) != len(shardLevelMetrics) {
			t.Errorf("%s: shard-level metrics %v; want %v", env.Name, metrics, shardLevelMetrics)
		}
	}
}
