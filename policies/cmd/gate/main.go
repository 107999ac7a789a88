// Command gate is FastShop's security gate on one stack's plan: Trivy's
// embedded checks on the plan and on the synthesized cdk.tf.json, with
// exactly the exceptions of .trivyignore.yaml scoped to that stack, and the
// policy pack on both. It exits 1 on any finding or failed control.
//
//	scripts/gate [--allow-destroy] STACK_FOLDER PLAN_JSON
//
// STACK_FOLDER holds the stack's cdk.tf.json (cdktf.out/stacks/<stack>);
// PLAN_JSON is `terraform show -json` of its plan. The stack is the one
// both documents name in their Environment tag; they must agree. Trivy
// runs offline (no check or version download) from PATH. Exit status: 0
// passed, 1 a finding or a failed control, 2 the gate could not run.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"fastshop/policies"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("gate", flag.ContinueOnError)
	flags.SetOutput(stderr)
	allowDestroy := flags.Bool("allow-destroy", false, "let the plan delete or replace stateful resources (reported as WARN, not FAIL)")
	ignoreFile := flags.String("ignorefile", ".trivyignore.yaml", "Trivy's exceptions, each scoped by environments and resources")
	trivy := flags.String("trivy", "trivy", "the Trivy v0.74 binary")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: scripts/gate [--allow-destroy] STACK_FOLDER PLAN_JSON")
		fmt.Fprintln(stderr, "STACK_FOLDER holds cdk.tf.json (cdktf.out/stacks/<stack>); PLAN_JSON is terraform show -json of its plan.")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() != 2 {
		flags.Usage()
		return 2
	}
	g := gate{
		stackJSON:    filepath.Join(flags.Arg(0), "cdk.tf.json"),
		plan:         flags.Arg(1),
		ignoreFile:   *ignoreFile,
		trivy:        *trivy,
		allowDestroy: *allowDestroy,
		out:          stdout,
	}
	passed, err := g.run(context.Background())
	if err != nil {
		fmt.Fprintln(stderr, "gate:", err)
		return 2
	}
	if !passed {
		fmt.Fprintf(stderr, "gate: %s FAILED: fix the findings above, or record the relaxation with its reason and scope an exception to this stack\n", g.stack)
		return 1
	}
	fmt.Fprintf(stdout, "gate: %s PASSED\n", g.stack)
	return 0
}

// gate is one run on one stack.
type gate struct {
	stackJSON, plan, ignoreFile, trivy string
	allowDestroy                       bool
	out                                io.Writer
	stack                              string // from the documents' Environment tag
}

func (g *gate) run(ctx context.Context) (bool, error) {
	exceptions, err := readExceptions(g.ignoreFile)
	if err != nil {
		return false, err
	}
	if _, err := exec.LookPath(g.trivy); err != nil {
		return false, fmt.Errorf("%s not found: install Trivy v0.74.0 (scripts/install-tools builds it into ~/.cache/fastshop-tools/bin; put that first on PATH)", g.trivy)
	}
	pack, err := policies.Load(ctx)
	if err != nil {
		return false, err
	}
	var reports []*policies.Report
	for _, file := range []string{g.stackJSON, g.plan} {
		r, err := pack.EvaluateFile(ctx, file, policies.Options{AllowDestroy: g.allowDestroy})
		if err != nil {
			return false, err
		}
		reports = append(reports, r)
	}
	stackKind, planKind := reports[0].Kind, reports[1].Kind
	if stackKind != policies.KindStack || planKind != policies.KindPlan {
		return false, fmt.Errorf("%s is a %s and %s a %s; want cdk.tf.json and a plan (terraform show -json)", g.stackJSON, stackKind, g.plan, planKind)
	}
	g.stack = reports[1].Environment
	if g.stack == "" || reports[0].Environment != g.stack {
		return false, fmt.Errorf("%s names environment %q and the plan %s names %q: gate a plan with its own stack",
			g.stackJSON, reports[0].Environment, g.plan, g.stack)
	}

	findings, err := g.scan(ctx)
	if err != nil {
		return false, err
	}
	passed := true
	fmt.Fprintf(g.out, "== Trivy on %s and %s (stack %s, exceptions from %s)\n", g.stackJSON, g.plan, g.stack, g.ignoreFile)
	for _, f := range findings {
		if e := exceptionFor(exceptions, g.stack, f); e != nil {
			fmt.Fprintf(g.out, "  EXCEPT  %s %s %s (%s): %s\n", f.ID, f.Resource, f.Target, f.Severity, e.Statement)
			continue
		}
		passed = false
		fmt.Fprintf(g.out, "  FAIL    %s %s %s (%s): %s\n", f.ID, f.Resource, f.Target, f.Severity, f.Message)
	}
	fmt.Fprintln(g.out)
	for _, r := range reports {
		r.WriteText(g.out)
		passed = passed && !r.Failed()
	}
	return passed, nil
}

// scan runs Trivy on the plan and on cdk.tf.json (laid out as in cdktf.out,
// so its findings carry the path stacks/<stack>/cdk.tf.json the exceptions
// name), both at once, without exceptions: the gate applies them.
func (g *gate) scan(ctx context.Context) ([]finding, error) {
	tmp, err := os.MkdirTemp("", "fastshop-gate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	stackDir := filepath.Join(tmp, "scan", "stacks", g.stack)
	data, err := os.ReadFile(g.stackJSON)
	if err == nil {
		err = os.MkdirAll(stackDir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(stackDir, "cdk.tf.json"), data, 0o644)
	}
	if err != nil {
		return nil, err
	}
	plan, err := filepath.Abs(g.plan)
	if err != nil {
		return nil, err
	}
	none := filepath.Join(tmp, "no-exceptions.yaml")
	if err := os.WriteFile(none, []byte("misconfigurations: []\n"), 0o644); err != nil {
		return nil, err
	}
	scans := []struct{ target, scanner string }{
		{plan, "terraformplan-json"},
		{filepath.Join(tmp, "scan"), "terraform"},
	}
	results := make([][]finding, len(scans))
	errs := make([]error, len(scans))
	var wg sync.WaitGroup
	for i, s := range scans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = g.trivyScan(ctx, filepath.Join(tmp, fmt.Sprintf("cache-%d", i)), none, s.scanner, s.target)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return append(results[0], results[1]...), nil
}

// trivyScan runs one offline Trivy scan (every severity, JSON report) in a
// folder of its own, so no trivy.yaml or .trivyignore of the caller's
// applies, and with its own cache, so only the checks embedded in the
// binary run.
func (g *gate) trivyScan(ctx context.Context, cache, ignoreFile, scanner, target string) ([]finding, error) {
	args := []string{"config",
		"--skip-check-update", "--skip-version-check", "--disable-telemetry",
		"--cache-dir", cache,
		"--misconfig-scanners", scanner,
		"--severity", "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL",
		"--ignorefile", ignoreFile,
		"--format", "json",
		target,
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, g.trivy, args...)
	cmd.Dir = cache
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("trivy %s on %s: %v\n%s", scanner, target, err, stderr.String())
	}
	var report struct {
		Results []struct {
			Target            string
			MisconfSummary    struct{ Successes int }
			Misconfigurations []struct {
				ID, Severity, Message string
				CauseMetadata         struct{ Resource string }
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		return nil, fmt.Errorf("trivy %s on %s: the JSON report does not parse: %v", scanner, target, err)
	}
	checked := 0
	var out []finding
	for _, r := range report.Results {
		checked += r.MisconfSummary.Successes
		for _, m := range r.Misconfigurations {
			out = append(out, finding{ID: m.ID, Severity: m.Severity, Target: r.Target, Resource: m.CauseMetadata.Resource, Message: m.Message})
		}
	}
	// A file Trivy did not read as what it is passes a handful of checks,
	// not the ~85 of a stack: a gate that checked nothing must not pass.
	if checked < minChecks {
		return nil, fmt.Errorf("trivy %s on %s passed only %d checks: did it read it as %s?", scanner, target, checked, scanner)
	}
	return out, nil
}

// minChecks is well below the checks Trivy passes on any stack of ours
// (~85 on a pipeline stack, ~50 on the state bootstrap).
const minChecks = 20
