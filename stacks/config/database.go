package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Bounds of the database settings (RDS gp3 storage is 20 to 65536 GiB;
// automated backups are kept up to 35 days).
const (
	minDBStorageGiB        = 20
	maxDBStorageGiB        = 65536
	maxBackupRetentionDays = 35
	// prodMinBackupRetentionDays is the baseline: a week of point-in-time
	// recovery.
	prodMinBackupRetentionDays = 7
)

var (
	dbInstanceClass = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	// postgresMajorVersions are the PostgreSQL majors RDS creates today;
	// minors follow automatically.
	postgresMajorVersions = []string{"14", "15", "16", "17"}
	// dbLogExports are the PostgreSQL logs RDS delivers to CloudWatch.
	dbLogExports = []string{"postgresql", "upgrade"}
)

// DBLogExports returns the PostgreSQL logs RDS delivers to CloudWatch; their
// log groups are created first, encrypted and with retention, so RDS does
// not create unencrypted ones that keep logs forever.
func DBLogExports() []string { return slices.Clone(dbLogExports) }

// DBIdentifier is the RDS instance identifier.
func (e Environment) DBIdentifier() string { return e.ResourceName("transactions-db") }

// DBFinalSnapshotTimeFormat is the formatdate() layout of the time that
// ends the final snapshot's name: the instance's create time, kept in
// state (ignore_changes), so each instance lifetime gets its own snapshot
// name and a second destroy does not collide with the first's snapshot.
const DBFinalSnapshotTimeFormat = "YYYYMMDDhhmmss"

// DBFinalSnapshotPrefix is the final snapshot's name before that time.
func (e Environment) DBFinalSnapshotPrefix() string { return e.DBIdentifier() + "-final-" }

// DBLogGroupName is the log group RDS delivers one exported log to.
func (e Environment) DBLogGroupName(export string) string {
	return fmt.Sprintf("/aws/rds/instance/%s/%s", e.DBIdentifier(), export)
}

// DBParameterFamily is the parameter group family of the engine version.
func (e Environment) DBParameterFamily() string { return "postgres" + e.DBEngineMajorVersion }

func (e Environment) validateDatabase(p *problems) {
	if !dbInstanceClass.MatchString(e.DBInstanceClass) {
		p.add("DBInstanceClass", e.DBInstanceClass, "an RDS instance class such as db.t4g.micro")
	}
	if !slices.Contains(postgresMajorVersions, e.DBEngineMajorVersion) {
		p.add("DBEngineMajorVersion", e.DBEngineMajorVersion, "a major version only (%s); minor versions upgrade automatically", strings.Join(postgresMajorVersions, ", "))
	}
	p.inRange("DBAllocatedStorageGiB", e.DBAllocatedStorageGiB, minDBStorageGiB, maxDBStorageGiB, "GiB (gp3)")
	if e.DBMaxAllocatedStorageGiB <= e.DBAllocatedStorageGiB || e.DBMaxAllocatedStorageGiB > maxDBStorageGiB {
		p.add("DBMaxAllocatedStorageGiB", e.DBMaxAllocatedStorageGiB, "more than DBAllocatedStorageGiB (%d) and at most %d GiB", e.DBAllocatedStorageGiB, maxDBStorageGiB)
	}
	p.inRange("DBBackupRetentionDays", e.DBBackupRetentionDays, 0, maxBackupRetentionDays, "days")
}
