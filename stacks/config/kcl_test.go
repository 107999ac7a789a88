package config

import (
	"testing"
)

func TestValidateKCL(t *testing.T) {
	cases := []validationCase{
		{"no lease throttling threshold", Prod, func(e *Environment) { e.KCLLeaseThrottleAlarmCount = 0 },
			wantError{field: "KCLLeaseThrottleAlarmCount", value: 0, allowed: "1 to 1000000"}},
		{"lease throttling threshold out of range", Dev, func(e *Environment) { e.KCLLeaseThrottleAlarmCount = 1_000_001 },
			wantError{field: "KCLLeaseThrottleAlarmCount", value: 1_000_001, allowed: "1 to 1000000"}},
	}
	expectRejected(t, cases)
}
