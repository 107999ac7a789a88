package config

import (
	"testing"
)

func TestValidateKCL(t *testing.T) {
	cases := []validationCase{
		{"no lease throttling threshold", Prod, func(e *Environment) { e.KCLLeaseThrottleAlarmCount = 0 },
			[]string{`"prod"`, "KCLLeaseThrottleAlarmCount", "= 0", "1 to 1000000 throttled lease-table requests per 5 minutes"}},
		{"lease throttling threshold out of range", Dev, func(e *Environment) { e.KCLLeaseThrottleAlarmCount = 1_000_001 },
			[]string{`"dev"`, "KCLLeaseThrottleAlarmCount", "1000001"}},
	}
	expectRejected(t, cases)
}
