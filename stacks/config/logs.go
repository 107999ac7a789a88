package config

import (
	"slices"
)

// logRetentionDayValues are the retention periods CloudWatch Logs accepts.
var logRetentionDayValues = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// prodMinLogRetentionDays is the baseline: Marco Civil art. 15 asks six
// months of access records.
const prodMinLogRetentionDays = 180

func (e Environment) validateLogs(p *problems) {
	if !slices.Contains(logRetentionDayValues, e.LogRetentionDays) {
		p.add("LogRetentionDays", e.LogRetentionDays, "one of CloudWatch's values %v", logRetentionDayValues)
	}
}
