package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fastshop/internal/jsondoc"
)

// kclTables are the DynamoDB tables of the KCL (stacks/kcl.go): the lease
// table alone, since every environment runs KCL 3.5 or later.
var kclTables = []string{
	"aws_dynamodb_table.kcl_leases",
}

// TestTrivyPlanSeesKCLTables holds up the KCL tables' exceptions: the
// cdk.tf.json scan cannot see their nested point_in_time_recovery and
// server_side_encryption blocks, and the plan's literal form shows no key.
// Scanned without exceptions, the plan's reference form must pass AWS-0024
// and AWS-0025 on every table as synthesized, and fail both on a copy of the
// lease table with recovery switched off and the AWS-managed key.
func TestTrivyPlanSeesKCLTables(t *testing.T) {
	skipInShortMode(t)
	trivy := requireTool(t, "trivy", trivyInstall)
	none := filepath.Join(workDir, "no-exceptions.yaml")
	if err := os.WriteFile(none, []byte("misconfigurations: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const stack = "prod"
	refs, _ := planVariants(t, offlinePlan(t, stack).PlanJSON)
	stackOf := func(string) string { return stack }
	kclFindings := func(scan trivyScan) map[string][]string {
		out := map[string][]string{}
		for _, f := range scan.Findings {
			if (f.ID == "AWS-0024" || f.ID == "AWS-0025") && slices.Contains(kclTables, f.Resource) {
				out[f.Resource] = append(out[f.Resource], f.ID)
			}
		}
		return out
	}

	plan := readJSONFile(t, refs)
	const leases = "aws_dynamodb_table.kcl_leases"
	breakValues := func(address string, values any) bool {
		if address != leases {
			return false
		}
		pitr, okPITR := jsondoc.At(values, "point_in_time_recovery", 0).(map[string]any)
		sse, okSSE := jsondoc.At(values, "server_side_encryption", 0).(map[string]any)
		if !okPITR || !okSSE {
			return false
		}
		pitr["enabled"] = false
		sse["kms_key_arn"] = "alias/aws/dynamodb"
		return true
	}
	broken := breakPlannedValues(plan, breakValues)
	config, _ := jsondoc.At(plan, "configuration", "root_module", "resources").([]any)
	for _, c := range config {
		if addr, _ := jsondoc.At(c, "address").(string); addr == leases {
			if sse, ok := jsondoc.At(c, "expressions", "server_side_encryption", 0).(map[string]any); ok {
				sse["kms_key_arn"] = map[string]any{"constant_value": "alias/aws/dynamodb"}
				broken[addr]++
			}
		}
	}
	if broken[leases] != 3 {
		t.Fatalf("the prod plan no longer has the shape this test breaks: %v", broken)
	}
	file := writePlanJSON(t, filepath.Join(workDir, "trivy-broken-kcl"), plan)
	// Both scans, as synthesized and broken, run together.
	scans := runTrivies(t, trivy, []trivyRun{
		{refs, "terraformplan-json", none, stackOf},
		{file, "terraformplan-json", none, stackOf},
	})
	if got := kclFindings(scans[0]); len(got) > 0 {
		t.Errorf("the plan's reference form fails the KCL tables as synthesized: %v; the exceptions would hide real findings", got)
	}
	got := kclFindings(scans[1])
	want := map[string][]string{leases: {"AWS-0024", "AWS-0025"}}
	for table, ids := range want {
		if !slices.Equal(slices.Sorted(slices.Values(got[table])), ids) {
			t.Errorf("broken plan: Trivy reports %v on %s; want %v (all KCL findings: %v)", got[table], table, ids, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("broken plan: KCL findings %v; want only %v", got, want)
	}
}
