package stacks

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// readmeRow renders an environment as the README's table shows it, so the
// table cannot drift from the code.
func readmeRow(e Environment) string {
	zones := make([]string, len(e.AvailabilityZones))
	for i, az := range e.AvailabilityZones {
		zones[i] = zoneID(az)
	}
	nat := "1 shared"
	if e.NATGatewayPerAZ {
		nat = "1 per AZ"
	}
	stream := fmt.Sprintf("%d shard(s), %d h", e.StreamShardCount, e.StreamRetentionHours)
	if e.StreamOnDemand {
		stream = fmt.Sprintf("on-demand, %d h", e.StreamRetentionHours)
	}
	az := "single-AZ"
	if e.DBMultiAZ {
		az = "Multi-AZ"
	}
	db := fmt.Sprintf("%s, PostgreSQL %s, %d-%d GB, %s, backups %d d", e.DBInstanceClass, e.DBEngineMajorVersion,
		e.DBAllocatedStorageGB, e.DBMaxAllocatedStorageGB, az, e.DBBackupRetentionDays)
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
	for _, e := range Environments() {
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
		outputs, _ := s.JSON["output"].(map[string]any)
		for name := range outputs {
			if !strings.Contains(string(readme), "`"+name+"`") {
				t.Errorf("%s: output %s is not in README.md's outputs table", s.Env.Name, name)
			}
		}
	}
}
