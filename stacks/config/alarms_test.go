package config

import (
	"testing"
)

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
		{"free storage above allocated", Dev, func(e *Environment) { e.DBFreeStorageAlarmGiB = 20 },
			[]string{"DBFreeStorageAlarmGiB", "20", "less than DBAllocatedStorageGiB (20 GiB)"}},
		{"free storage zero", Prod, func(e *Environment) { e.DBFreeStorageAlarmGiB = 0 },
			[]string{"DBFreeStorageAlarmGiB", "1 GiB to less than DBAllocatedStorageGiB (100 GiB)"}},
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
