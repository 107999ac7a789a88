package config

import (
	"regexp"
	"slices"
	"strings"
)

// Bounds of the cache settings.
const (
	minCacheNodes        = 2
	maxCacheNodes        = 6
	maxCacheSnapshotDays = 35
	// minCacheSnapshotDays keeps at least one automatic snapshot: ElastiCache
	// keeps none when a replication group is deleted.
	minCacheSnapshotDays = 1
)

var (
	cacheNodeType      = regexp.MustCompile(`^cache\.[a-z0-9]+\.[a-z0-9]+$`)
	cacheEngineVersion = regexp.MustCompile(`^[6-7]\.[0-9]+$`)
	// cacheLogTypes are the Redis logs delivered to CloudWatch.
	cacheLogTypes = []string{"slow-log", "engine-log"}
)

// CacheLogTypes returns the Redis log types delivered to CloudWatch.
func CacheLogTypes() []string { return slices.Clone(cacheLogTypes) }

// CacheLogGroupName names the log group of one Redis log type. ElastiCache
// log delivery adds each destination group to a CloudWatch Logs resource
// policy, whose account-level form is limited to 5,120 characters; groups
// under /aws/vendedlogs/ are admitted without growing it, so ephemeral
// stacks sharing the dev account cannot exhaust it.
func (e Environment) CacheLogGroupName(logType string) string {
	return "/aws/vendedlogs/fastshop/" + e.Name + "/redis/" + logType
}

// CacheParameterFamily is the parameter group family of the engine version
// (redis7 for 7.1).
func (e Environment) CacheParameterFamily() string {
	return "redis" + strings.SplitN(e.CacheEngineVersion, ".", 2)[0]
}

func (e Environment) validateCache(p *problems) {
	if !cacheNodeType.MatchString(e.CacheNodeType) {
		p.add("CacheNodeType", e.CacheNodeType, "an ElastiCache node type such as cache.t4g.micro")
	}
	if !cacheEngineVersion.MatchString(e.CacheEngineVersion) {
		p.add("CacheEngineVersion", e.CacheEngineVersion, "a Redis major.minor version such as 7.1")
	}
	p.inRange("CacheNodeCount", e.CacheNodeCount, minCacheNodes, maxCacheNodes, "nodes (automatic failover needs a replica)")
	p.inRange("CacheSnapshotRetentionDays", e.CacheSnapshotRetentionDays, minCacheSnapshotDays, maxCacheSnapshotDays, "days")
}
