package config

// Bounds of the stream settings (Kinesis retention is 24 hours to 365 days).
const (
	minStreamRetentionHours = 24
	maxStreamRetentionHours = 8760
	maxShards               = 500
	// prodMinStreamRetentionHours is the baseline: Security Hub Kinesis.3
	// asks seven days.
	prodMinStreamRetentionHours = 168
)

func (e Environment) validateStreaming(p *problems) {
	p.inRange("StreamRetentionHours", e.StreamRetentionHours, minStreamRetentionHours, maxStreamRetentionHours, "hours")
	switch {
	case e.StreamOnDemand && e.StreamShardCount != 0:
		p.add("StreamShardCount", e.StreamShardCount, "0 when StreamOnDemand is set (on-demand streams scale themselves)")
	case !e.StreamOnDemand && (e.StreamShardCount < 1 || e.StreamShardCount > maxShards):
		p.add("StreamShardCount", e.StreamShardCount, "1 to %d shards for a provisioned stream", maxShards)
	}
}
