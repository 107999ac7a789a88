package config

import (
	"testing"
)

func TestValidateAlarmThresholds(t *testing.T) {
	cases := []validationCase{
		{"iterator age below a second", Prod, func(e *Environment) { e.StreamIteratorAgeAlarmMs = 999 },
			wantError{field: "StreamIteratorAgeAlarmMs", value: 999, allowed: "1000 ms to half the stream retention (302400000 ms for 168 hours)"}},
		{"iterator age past half the retention", Dev, func(e *Environment) { e.StreamIteratorAgeAlarmMs = 12*3_600_000 + 1 },
			wantError{field: "StreamIteratorAgeAlarmMs", value: 43200001, allowed: "43200000 ms for 24 hours"}},
		{"no throttling threshold", Staging, func(e *Environment) { e.StreamWriteThrottleAlarmCount = 0 },
			wantError{field: "StreamWriteThrottleAlarmCount", value: 0, allowed: "1 to 1000000"}},
		{"database CPU at 100", Prod, func(e *Environment) { e.DBCPUAlarmPercent = 100 },
			wantError{field: "DBCPUAlarmPercent", value: 100, allowed: "1 to 99 percent"}},
		{"free storage above allocated", Dev, func(e *Environment) { e.DBFreeStorageAlarmGiB = 20 },
			wantError{field: "DBFreeStorageAlarmGiB", value: 20, allowed: "less than DBAllocatedStorageGiB (20 GiB)"}},
		{"free storage zero", Prod, func(e *Environment) { e.DBFreeStorageAlarmGiB = 0 },
			wantError{field: "DBFreeStorageAlarmGiB", value: 0, allowed: "less than DBAllocatedStorageGiB (100 GiB)"}},
		{"connections past the cap", Prod, func(e *Environment) { e.DBConnectionsAlarmCount = 5001 },
			wantError{field: "DBConnectionsAlarmCount", value: 5001, allowed: "1 to 5000"}},
		{"cache CPU negative", Staging, func(e *Environment) { e.CacheCPUAlarmPercent = -5 },
			wantError{field: "CacheCPUAlarmPercent", value: -5, allowed: "1 to 99 percent"}},
		{"cache memory at 100", Dev, func(e *Environment) { e.CacheMemoryAlarmPercent = 100 },
			wantError{field: "CacheMemoryAlarmPercent", value: 100, allowed: "1 to 99 percent"}},
		{"no evictions threshold", Prod, func(e *Environment) { e.CacheEvictionsAlarmCount = 0 },
			wantError{field: "CacheEvictionsAlarmCount", value: 0, allowed: "1 to 1000000"}},
		{"replication lag an hour and more", Prod, func(e *Environment) { e.CacheReplicationLagAlarmSeconds = 3601 },
			wantError{field: "CacheReplicationLagAlarmSeconds", value: 3601, allowed: "1 to 3600 seconds"}},
	}
	expectRejected(t, cases)
}
