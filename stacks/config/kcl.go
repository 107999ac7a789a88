package config

import (
	"regexp"
	"strconv"
)

// The fraud-detection processors consume the stream with the Kinesis Client
// Library (KCL). The names are KCL's defaults for one application name
// (ConfigsBuilder: table name and metric namespace = application name;
// CoordinatorConfig and LeaseManagementConfig:
// <application>-CoordinatorState and <application>-WorkerMetricStats), so a
// processor configures the application name and nothing else.
const (
	// kclApplicationThing names the KCL application: fastshop-fraud-detection-<env>.
	kclApplicationThing = "fraud-detection"
	// KCL's suffixes for the separate metadata tables of KCL 3.0 to 3.4.
	kclCoordinatorStateSuffix = "-CoordinatorState"
	kclWorkerMetricsSuffix    = "-WorkerMetricStats"
	// kclSingleTableMinor is the first KCL 3 minor release that keeps
	// coordinator state and worker metrics in the lease table for a new
	// application (KCL CHANGELOG, "Release 3.5.0").
	kclSingleTableMinor = 5
)

// kclVersionPattern is a KCL 3 release, major.minor.patch.
var kclVersionPattern = regexp.MustCompile(`^3\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// KCLApplicationName is fastshop-fraud-detection-<env>: the KCL
// application name, the lease table's name and the metric namespace.
func (e Environment) KCLApplicationName() string {
	return e.ResourceName(kclApplicationThing)
}

// KCLSingleTable reports whether KCLVersion keeps all its metadata in the
// lease table (3.5 and later). Such a release treats an application whose
// CoordinatorState table exists as one on the separate tables of 3.0-3.4,
// and starts the table migration (TableMigrationStateMachineImpl), so for
// 3.5 and later the separate tables must not exist.
func (e Environment) KCLSingleTable() bool {
	m := kclVersionPattern.FindStringSubmatch(e.KCLVersion)
	if m == nil {
		return false
	}
	minor, err := strconv.Atoi(m[1])
	return err == nil && minor >= kclSingleTableMinor
}

// KCLTableNames are the tables KCLVersion uses, lease table first: the
// lease table alone for 3.5 and later; for 3.0 to 3.4 also the coordinator
// state and worker metrics tables, in that order.
func (e Environment) KCLTableNames() []string {
	leases := e.KCLApplicationName()
	if e.KCLSingleTable() {
		return []string{leases}
	}
	coordinatorState, workerMetrics := e.KCLSeparateTableNames()
	return []string{leases, coordinatorState, workerMetrics}
}

// KCLSeparateTableNames are KCL's default names for the coordinator state
// and worker metrics tables of 3.0 to 3.4. KCL 3.5 and later still look
// them up (DescribeTable) at every start, and expect not to find them.
func (e Environment) KCLSeparateTableNames() (coordinatorState, workerMetrics string) {
	app := e.KCLApplicationName()
	return app + kclCoordinatorStateSuffix, app + kclWorkerMetricsSuffix
}

// validateKCL checks the KCL settings.
func (e Environment) validateKCL(p *problems) {
	if !kclVersionPattern.MatchString(e.KCLVersion) {
		p.add("KCLVersion", e.KCLVersion, "a KCL 3 release as major.minor.patch (3.0.0 or later, for example 3.5.1); KCL 1.x and 2.x are not supported")
	}
}
