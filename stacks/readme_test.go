package stacks

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

// readmeRow renders an environment as the README's table shows it, so the
// table cannot drift from the code.
func readmeRow(e config.Environment) string {
	zones := make([]string, len(e.AvailabilityZones))
	for i, az := range e.AvailabilityZones {
		zones[i] = zoneID(az)
	}
	nat := "none"
	if n := len(natZones(e)); n > 0 {
		nat = fmt.Sprintf("%s (%d NAT)", e.Egress, n)
	}
	stream := fmt.Sprintf("%d shard(s), %d h", e.StreamShardCount, e.StreamRetentionHours)
	if e.StreamOnDemand {
		stream = fmt.Sprintf("on-demand, %d h", e.StreamRetentionHours)
	}
	az := "single-AZ"
	if e.DBMultiAZ {
		az = "Multi-AZ"
	}
	db := fmt.Sprintf("%s, PostgreSQL %s, %d-%d GiB, %s, backups %d d", e.DBInstanceClass, e.DBEngineMajorVersion,
		e.DBAllocatedStorageGiB, e.DBMaxAllocatedStorageGiB, az, e.DBBackupRetentionDays)
	cache := fmt.Sprintf("%d x %s, Redis %s, snapshots %d d", e.CacheNodeCount, e.CacheNodeType, e.CacheEngineVersion, e.CacheSnapshotRetentionDays)
	var protections []string
	if e.DBDeletionProtection {
		protections = append(protections, "deletion protection")
	}
	if !e.DBSkipFinalSnapshot {
		protections = append(protections, "final snapshot")
	}
	if !e.DBDeleteAutomatedBackups {
		protections = append(protections, "backups kept")
	}
	if e.PreventDestroy {
		protections = append(protections, "prevent_destroy")
	}
	if len(protections) == 0 {
		protections = append(protections, "none (destroyable)")
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %d d | %d d | %s |",
		e.Name, e.Region, strings.Join(zones, ", "), e.VPCCIDR, nat, stream, db, cache,
		e.LogRetentionDays, e.KMSDeletionWindowDays, strings.Join(protections, ", "))
}

func TestReadmeEnvironmentTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range config.Environments() {
		row := readmeRow(e)
		if !strings.Contains(string(readme), row+"\n") {
			t.Errorf("README.md's environment table is out of step with the code for %s; the row should read:\n%s", e.Name, row)
		}
	}
}

// TestReadmeListsEveryOutput keeps the README's outputs table complete.
func TestReadmeListsEveryOutput(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			for _, name := range s.doc(t).Key("output").Keys() {
				if !strings.Contains(string(readme), "`"+name+"`") {
					t.Errorf("%s: output %s is not in README.md's outputs table", s.Env.Name, name)
				}
			}
		})
	}
}

// TestReadmeSetupSQL keeps the README's first-apply SQL in step with what
// the parameter group loads: pgaudit is loaded by the parameter group, and
// AWS's setup then creates the extension in the database, which only an
// operator can do.
func TestReadmeSetupSQL(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range setupSQLProblems(string(readme)) {
		t.Error("README.md: " + p)
	}

	// The check itself refuses setup SQL without the extension.
	without := "```sql\nCREATE ROLE fastshop_processor WITH LOGIN;\nGRANT rds_iam TO fastshop_processor;\n```\n"
	if len(setupSQLProblems(without)) == 0 {
		t.Error("setupSQLProblems accepted setup SQL without CREATE EXTENSION pgaudit")
	}
}

// setupSQLProblems wants every statement the database needs after the first
// apply inside the README's sql block that creates the processor role, and
// the parameters that make pgaudit record something.
func setupSQLProblems(readme string) []string {
	var problems []string
	var block string
	for _, part := range strings.Split(readme, "```sql\n")[1:] {
		body, _, _ := strings.Cut(part, "```")
		if strings.Contains(body, "CREATE ROLE fastshop_processor") {
			block = body
		}
	}
	if block == "" {
		return []string{"no sql block creating fastshop_processor"}
	}
	for _, statement := range []string{"CREATE EXTENSION pgaudit;", "CREATE ROLE fastshop_processor WITH LOGIN;", "GRANT rds_iam TO fastshop_processor;"} {
		if !strings.Contains(block, statement+"\n") {
			problems = append(problems, fmt.Sprintf("the setup SQL lacks %q:\n%s", statement, block))
		}
	}
	params := map[string]string{}
	for _, p := range dbParameters {
		params[p.name] = p.value
	}
	if !slices.Contains(strings.Split(params["shared_preload_libraries"], ","), "pgaudit") {
		problems = append(problems, fmt.Sprintf("shared_preload_libraries = %q; the setup SQL creates pgaudit, so it must be loaded", params["shared_preload_libraries"]))
	}
	if params["pgaudit.log"] == "" || params["pgaudit.log"] == "none" {
		problems = append(problems, fmt.Sprintf("pgaudit.log = %q; want the statement classes to audit", params["pgaudit.log"]))
	}
	return problems
}
