package config

import (
	"regexp"
	"slices"
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

var (
	// settingWord is a word on-call reads as a setting to look up.
	settingWord = regexp.MustCompile(`\b(?:DB|Cache|Stream|KCL)[A-Z][A-Za-z]*\b`)
	// decimalGB is a size in GB: AWS's storage and the settings are GiB.
	decimalGB = regexp.MustCompile(`\d+ GB\b`)
)

// descriptionProblems lists what in an alarm description would send
// on-call the wrong way: a setting that is not a field of Environment, or a
// size in GB where the setting and RDS mean GiB.
func descriptionProblems(description string) []string {
	fields := environmentFields()
	var out []string
	for _, w := range settingWord.FindAllString(description, -1) {
		if !slices.Contains(fields, w) {
			out = append(out, "names "+w+", not a field of Environment")
		}
	}
	for _, size := range decimalGB.FindAllString(description, -1) {
		out = append(out, "says "+size+"; sizes are GiB")
	}
	return out
}

// TestAlarmDescriptionsNameRealSettings: every alarm's description names
// settings that exist, in their units; the old free-storage wording
// (DBMaxAllocatedStorageGB, "GB") is refused.
func TestAlarmDescriptionsNameRealSettings(t *testing.T) {
	for _, e := range testEnvironments() {
		t.Run(e.Name, func(t *testing.T) {
			alarms := e.Alarms(AlarmTargets{Stream: "s", DBInstance: "d", ReplicationGroup: "r", NotificationQueue: "q", LeaseTable: "l"})
			for _, a := range alarms {
				for _, p := range descriptionProblems(a.Description(e)) {
					t.Errorf("alarm %s %s", a.ID, p)
				}
			}
		})
	}
	old := "Storage autoscaling stops at 50 GB (DBMaxAllocatedStorageGB). Check whether it was reached."
	want := []string{"names DBMaxAllocatedStorageGB, not a field of Environment", "says 50 GB; sizes are GiB"}
	if got := descriptionProblems(old); !slices.Equal(got, want) {
		t.Errorf("descriptionProblems(%q) = %q; want %q", old, got, want)
	}
}
