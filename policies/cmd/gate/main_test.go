package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	prodPlan     = "../../testdata/plans/prod.json"
	prodStackDir = "../../testdata/stacks" // its prod.json is copied as cdk.tf.json
	ignoreFile   = "../../../.trivyignore.yaml"
)

// stackFolder lays the prod stack fixture out as cdktf.out does.
func stackFolder(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(prodStackDir, "prod.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "prod")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fakeTrivy writes a stand-in for Trivy that prints, for each scanner, a
// JSON report with the given findings at the given target and 60 passed
// checks (checks: the passed count it reports).
func fakeTrivy(t *testing.T, checks int, findings map[string][]finding) string {
	t.Helper()
	dir := t.TempDir()
	for _, scanner := range []string{"terraformplan-json", "terraform"} {
		var misconfs []map[string]any
		target := "main.tf"
		if scanner == "terraform" {
			target = "stacks/prod/cdk.tf.json"
		}
		for _, f := range findings[scanner] {
			misconfs = append(misconfs, map[string]any{
				"ID": f.ID, "Severity": "HIGH", "Message": "fake " + f.ID,
				"CauseMetadata": map[string]any{"Resource": f.Resource},
			})
		}
		report := map[string]any{"Results": []any{map[string]any{
			"Target": target, "MisconfSummary": map[string]any{"Successes": checks}, "Misconfigurations": misconfs,
		}}}
		data, err := json.Marshal(report)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, scanner+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := fmt.Sprintf(`#!/bin/sh
while [ $# -gt 0 ]; do
  if [ "$1" = --misconfig-scanners ]; then cat %q/"$2".json; exit 0; fi
  shift
done
exit 3
`, dir)
	bin := filepath.Join(dir, "trivy")
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestGate runs the gate on the prod fixtures (which pass every control)
// with a stand-in Trivy reporting chosen findings: only an exception scoped
// to prod and to the resource lets a finding through.
func TestGate(t *testing.T) {
	tests := []struct {
		name     string
		checks   int
		findings map[string][]finding
		want     int
		wantOut  []string
	}{
		{"no finding", 60, nil, 0, []string{"gate: prod PASSED", "PASS  aws_db_instance.postgres"}},
		{"exception scoped to every pipeline stack", 60,
			map[string][]finding{"terraformplan-json": {{ID: "AWS-0095", Resource: "aws_sns_topic.redis_notifications"}}},
			0, []string{"EXCEPT  AWS-0095 aws_sns_topic.redis_notifications main.tf"}},
		{"dev-only relaxation in prod", 60,
			map[string][]finding{"terraformplan-json": {{ID: "AWS-0177", Resource: "aws_db_instance.postgres"}}},
			1, []string{"FAIL    AWS-0177 aws_db_instance.postgres main.tf"}},
		{"exception for another resource", 60,
			map[string][]finding{"terraformplan-json": {{ID: "AWS-0095", Resource: "aws_sns_topic.alerts"}}},
			1, []string{"FAIL    AWS-0095 aws_sns_topic.alerts"}},
		{"plan-only exception on cdk.tf.json", 60,
			map[string][]finding{"terraform": {{ID: "AWS-0078", Resource: "aws_db_instance.postgres"}}},
			1, []string{"FAIL    AWS-0078 aws_db_instance.postgres stacks/prod/cdk.tf.json"}},
		{"bootstrap-only exception in prod", 60,
			map[string][]finding{"terraform": {{ID: "AWS-0090", Resource: "aws_s3_bucket_versioning.terraform_state_versioning"}}},
			1, []string{"FAIL    AWS-0090"}},
		{"Trivy checked nothing", 3, nil, 2, []string{"passed only 3 checks"}},
	}
	stack := stackFolder(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trivy := fakeTrivy(t, tt.checks, tt.findings)
			var stdout, stderr bytes.Buffer
			code := run([]string{"--trivy", trivy, "--ignorefile", ignoreFile, stack, prodPlan}, &stdout, &stderr)
			out := stdout.String() + stderr.String()
			if code != tt.want {
				t.Errorf("exit %d; want %d\n%s", code, tt.want, out)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestGateRefuses: wrong arguments, a missing Trivy, and a plan gated with
// another stack's cdk.tf.json are refused (exit 2) before any scan.
func TestGateRefuses(t *testing.T) {
	trivy := fakeTrivy(t, 60, nil)
	stack := stackFolder(t)
	// A stack that names another environment.
	other := filepath.Join(t.TempDir(), "dev")
	data, err := os.ReadFile(filepath.Join(stack, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	renamed := strings.ReplaceAll(string(data), `"Environment": "prod"`, `"Environment": "dev"`)
	if renamed == string(data) {
		t.Fatal("the stack fixture has no Environment tag prod")
	}
	if err := os.WriteFile(filepath.Join(other, "cdk.tf.json"), []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no arguments", nil, "usage"},
		{"plan missing", []string{stack}, "usage"},
		{"no Trivy", []string{"--trivy", filepath.Join(t.TempDir(), "trivy"), stack, prodPlan}, "install Trivy v0.74.0"},
		{"another stack's cdk.tf.json", []string{"--trivy", trivy, other, prodPlan}, `names environment "dev" and the plan`},
		{"stack and plan swapped", []string{"--trivy", trivy, filepath.Dir(prodPlan), filepath.Join(stack, "cdk.tf.json")}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"--ignorefile", ignoreFile}, tt.args...), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d; want 2 and a message with %q\n%s%s", code, tt.want, stdout.String(), stderr.String())
			}
		})
	}
}

// TestExceptionsFile: the repository's exceptions parse, and an entry
// without its scope is refused.
func TestExceptionsFile(t *testing.T) {
	exceptions, err := readExceptions(ignoreFile)
	if err != nil || len(exceptions) == 0 {
		t.Fatalf("%s: %d entries, %v", ignoreFile, len(exceptions), err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	for _, body := range []string{
		"misconfigurations:\n  - id: AWS-0177\n    statement: why\n    paths: [main.tf]\n",                 // no resources
		"misconfigurations:\n  - id: AWS-0177\n    paths: [main.tf]\n    resources: [aws_db_instance.x]\n", // no statement
		"misconfigurations:\n  - id: AWS-0177\n    statement: why\n    path: main.tf\n",                    // unknown key
	} {
		if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readExceptions(bad); err == nil {
			t.Errorf("readExceptions accepted:\n%s", body)
		}
	}
}
