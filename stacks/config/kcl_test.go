package config

import (
	"slices"
	"testing"
)

func TestValidateKCL(t *testing.T) {
	const release = "a KCL 3 release as major.minor.patch"
	cases := []validationCase{
		{"no lease throttling threshold", Prod, func(e *Environment) { e.KCLLeaseThrottleAlarmCount = 0 },
			wantError{field: "KCLLeaseThrottleAlarmCount", value: 0, allowed: "1 to 1000000"}},
		{"lease throttling threshold out of range", Dev, func(e *Environment) { e.KCLLeaseThrottleAlarmCount = 1_000_001 },
			wantError{field: "KCLLeaseThrottleAlarmCount", value: 1_000_001, allowed: "1 to 1000000"}},
		{"no KCL version", Prod, func(e *Environment) { e.KCLVersion = "" },
			wantError{field: "KCLVersion", value: "", allowed: release}},
		{"KCL 2", Staging, func(e *Environment) { e.KCLVersion = "2.6.1" },
			wantError{field: "KCLVersion", value: "2.6.1", allowed: "KCL 1.x and 2.x are not supported"}},
		{"major.minor only", Dev, func(e *Environment) { e.KCLVersion = "3.5" },
			wantError{field: "KCLVersion", value: "3.5", allowed: release}},
		{"a v prefix", Dev, func(e *Environment) { e.KCLVersion = "v3.5.1" },
			wantError{field: "KCLVersion", value: "v3.5.1", allowed: release}},
		{"a leading zero", Dev, func(e *Environment) { e.KCLVersion = "3.05.1" },
			wantError{field: "KCLVersion", value: "3.05.1", allowed: release}},
	}
	expectRejected(t, cases)
}

// TestKCLTableNames: KCL 3.5 and later keep everything in the lease table
// (KCL CHANGELOG, "Release 3.5.0"); 3.0 to 3.4 have two more tables.
func TestKCLTableNames(t *testing.T) {
	app := "fastshop-fraud-detection-prod"
	separate := []string{app, app + "-CoordinatorState", app + "-WorkerMetricStats"}
	for _, c := range []struct {
		version string
		single  bool
		want    []string
	}{
		{"3.0.0", false, separate},
		{"3.4.3", false, separate},
		{"3.5.0", true, []string{app}},
		{"3.5.1", true, []string{app}},
		{"3.12.0", true, []string{app}},
		{"bad", false, separate},
	} {
		e := envOf(t, Prod)
		e.KCLVersion = c.version
		if got := e.KCLSingleTable(); got != c.single {
			t.Errorf("KCLVersion %s: KCLSingleTable = %v; want %v", c.version, got, c.single)
		}
		if got := e.KCLTableNames(); !slices.Equal(got, c.want) {
			t.Errorf("KCLVersion %s: KCLTableNames = %v; want %v", c.version, got, c.want)
		}
		if c.version != "bad" {
			if err := validateEnv(e); err != nil {
				t.Errorf("KCLVersion %s: %v", c.version, err)
			}
		}
	}
}
