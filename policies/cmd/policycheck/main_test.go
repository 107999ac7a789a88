package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	goodPlan  = "../../testdata/plans/prod.json"
	goodStack = "../../testdata/stacks/prod.json"
)

func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// replacedDatabase writes the good plan with the database replaced because
// its key changed, as Terraform would plan it.
func replacedDatabase(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(goodPlan)
	if err != nil {
		t.Fatal(err)
	}
	var plan map[string]any
	if err := json.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	for _, c := range plan["resource_changes"].([]any) {
		rc := c.(map[string]any)
		if rc["address"] == "aws_db_instance.postgres" {
			change := rc["change"].(map[string]any)
			change["actions"] = []any{"delete", "create"}
			change["replace_paths"] = []any{[]any{"kms_key_id"}}
			rc["action_reason"] = "replace_because_cannot_update"
		}
	}
	out, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "replace.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGoodPlanAndStackPass(t *testing.T) {
	code, out, errOut := runCLI(goodStack, goodPlan)
	if code != 0 {
		t.Fatalf("exit %d on the good fixtures\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"ENC-02  RDS storage", "serves: LGPD art. 46; Security Hub RDS.3",
		"PASS  aws_db_instance.postgres: kms_key_id -> aws_kms_key.database",
		"STA-01", "REC-08", "PASSED",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestReplacementFailsUnlessAllowed(t *testing.T) {
	plan := replacedDatabase(t)
	code, out, _ := runCLI(plan)
	if code != 1 {
		t.Fatalf("exit %d on a plan replacing the database; want 1\n%s", code, out)
	}
	want := "FAIL  aws_db_instance.postgres: replace: "
	if !strings.Contains(out, want) || !strings.Contains(out, "forced by kms_key_id") {
		t.Errorf("report does not show the replacement and its cause:\n%s", out)
	}

	code, out, _ = runCLI("--allow-destroy", plan)
	if code != 0 {
		t.Fatalf("exit %d with --allow-destroy; want 0\n%s", code, out)
	}
	if !strings.Contains(out, "WARN  aws_db_instance.postgres: replace: ") || !strings.Contains(out, "allowed by --allow-destroy") {
		t.Errorf("allowed replacement is not reported as a warning:\n%s", out)
	}
}

func TestJSONReport(t *testing.T) {
	code, out, _ := runCLI("--json", goodPlan)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var reports []struct {
		Kind     string
		Controls []struct{ ID string }
		Results  []struct{ Control, Status string }
	}
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	if len(reports) != 1 || reports[0].Kind != "plan" || len(reports[0].Controls) == 0 || len(reports[0].Results) == 0 {
		t.Errorf("unexpected JSON report: %s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	notJSON := filepath.Join(t.TempDir(), "plan.txt")
	if err := os.WriteFile(notJSON, []byte("Plan: 1 to add"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		nil,                          // no file
		{"--bogus", goodPlan},        // unknown flag
		{"missing.json"},             // unreadable
		{notJSON},                    // not JSON
		{"../../fastshop/data.json"}, // JSON, but neither plan nor stack
	} {
		if code, out, errOut := runCLI(args...); code != 2 {
			t.Errorf("%v: exit %d; want 2\n%s%s", args, code, out, errOut)
		}
	}
}
