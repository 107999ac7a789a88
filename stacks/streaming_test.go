package stacks

import (
	"slices"
	"testing"
)

func TestStream(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			k := s.res(t, "aws_kinesis_stream", "transactions")
			if got := k.Key("name").Str(); got != env.ResourceName("transactions") {
				t.Errorf("stream name %s", got)
			}
			// The alias is a literal, so plan-time checks see the key.
			if k.Key("encryption_type").Str() != "KMS" || k.Key("kms_key_id").Str() != "alias/"+env.ResourceName("stream") {
				t.Errorf("stream encryption %v with %v; want KMS with alias/%s", k.Key("encryption_type").Raw(), k.Key("kms_key_id").Raw(), env.ResourceName("stream"))
			}
			if deps := k.Opt("depends_on").Strings(); !slices.Contains(deps, "aws_kms_alias.stream_key") {
				t.Errorf("stream does not wait for its key alias (depends_on %v)", deps)
			}
			if got := k.Key("retention_period").Num(); got != float64(env.StreamRetentionHours) {
				t.Errorf("retention %v; want %d", got, env.StreamRetentionHours)
			}
			mode := k.Key("stream_mode_details").Key("stream_mode").Str()
			switch {
			case env.StreamOnDemand && (mode != "ON_DEMAND" || k.Has("shard_count")):
				t.Errorf("mode %s shards %v; want on-demand without a shard count", mode, k.Opt("shard_count").Raw())
			case !env.StreamOnDemand && (mode != "PROVISIONED" || k.Key("shard_count").Num() != float64(env.StreamShardCount)):
				t.Errorf("mode %s shards %v; want %d provisioned", mode, k.Opt("shard_count").Raw(), env.StreamShardCount)
			}
			if got := k.Key("shard_level_metrics").Strings(); !slices.Equal(got, shardLevelMetrics) {
				t.Errorf("shard-level metrics %v; want %v", got, shardLevelMetrics)
			}
		})
	}
}
