package config

import "fmt"

// The fraud-detection processors consume the stream with the Kinesis Client
// Library (KCL). The names are KCL's defaults for one application name
// (ConfigsBuilder: table name and metric namespace = application name;
// CoordinatorConfig and LeaseManagementConfig:
// <application>-CoordinatorState and <application>-WorkerMetricStats), so a
// processor configures the application name and nothing else.
const (
	// kclApplicationThing names the KCL application: fastshop-fraud-detection-<env>.
	kclApplicationThing = "fraud-detection"
	// KCL's suffixes for its KCL 3.x metadata tables.
	kclCoordinatorStateSuffix = "-CoordinatorState"
	kclWorkerMetricsSuffix    = "-WorkerMetricStats"
)

// Bounds of KCLLeaseThrottleAlarmCount.
const maxKCLThrottleAlarmCount = 1_000_000

// KCLApplicationName is fastshop-fraud-detection-<env>: the KCL
// application name, the lease table's name and the metric namespace.
func (e Environment) KCLApplicationName() string {
	return e.ResourceName(kclApplicationThing)
}

// KCLTableNames are the lease, coordinator state and worker metrics tables,
// in that order.
func (e Environment) KCLTableNames() (leases, coordinatorState, workerMetrics string) {
	app := e.KCLApplicationName()
	return app, app + kclCoordinatorStateSuffix, app + kclWorkerMetricsSuffix
}

// validateKCL checks the KCL settings.
func (e Environment) validateKCL(p *problems) {
	p.inRange("KCLLeaseThrottleAlarmCount", e.KCLLeaseThrottleAlarmCount, 1, maxKCLThrottleAlarmCount, "throttled lease-table requests per 5 minutes")
}

// KCLAlarms lists the lease-table alarms. A throttled lease table delays
// lease renewals: workers lose their leases, shards stall and the stream's
// iterator age grows. DynamoDB publishes throttle events only when there
// are some, so no data is not breaching.
func (e Environment) KCLAlarms(leaseTable string) []Alarm {
	check := "KCL retries, but leases that cannot be renewed move between workers and shards stall. " +
		"Check ThrottledRequests by operation, the table's on-demand limits and whether a processor loops on lease scans; " +
		"then the stream's iterator age."
	var alarms []Alarm
	for _, op := range []struct{ id, metric, what string }{
		{"read", "ReadThrottleEvents", "reads"},
		{"write", "WriteThrottleEvents", "writes"},
	} {
		alarms = append(alarms, Alarm{
			ID: "kcl_lease_" + op.id + "_throttling", Name: e.ResourceName("kcl-lease-" + op.id + "-throttling"),
			Namespace: "AWS/DynamoDB", Metric: op.metric, Statistic: "Sum",
			Dimensions: map[string]string{"TableName": leaseTable},
			Comparison: "GreaterThanOrEqualToThreshold", Threshold: float64(e.KCLLeaseThrottleAlarmCount),
			PeriodSeconds: 300, Evaluations: 1, TreatMissing: "notBreaching",
			What:                 "KCL lease table " + leaseTable + " throttled",
			ThresholdDescription: fmt.Sprintf("at least %d %s", e.KCLLeaseThrottleAlarmCount, op.what),
			MissingDataExplained: "DynamoDB publishes throttle events only when there are some, so no data is not breaching.",
			Check:                check,
		})
	}
	return alarms
}
