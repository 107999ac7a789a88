package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"fastshop/internal/jsondoc"
)

// The security gate: Trivy's embedded checks and FastShop's policy pack
// (policies/, its own Go module so that OPA stays out of this one) on every
// stack's cdk.tf.json and offline plan.

const trivyInstall = "GOEXPERIMENT=jsonv2 GOBIN=$HOME/.cache/fastshop-tools/bin go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0"

// trivyIgnoreFile holds the exceptions, each with its reason and scope.
func trivyIgnoreFile() string { return filepath.Join(repoRoot(), ".trivyignore.yaml") }

// trivyFinding is one misconfiguration Trivy reports.
type trivyFinding struct {
	Stack, Target, ID, Severity, Resource, Message string
}

func (f trivyFinding) String() string {
	return fmt.Sprintf("%s %s %s %s (%s): %s", f.Stack, f.Target, f.ID, f.Severity, f.Resource, f.Message)
}

// trivyScan is what one Trivy run reported.
type trivyScan struct {
	Findings []trivyFinding
	// Checked counts passed checks per result type ("terraform",
	// "terraformplan") and stack: proof that Trivy read each input as what
	// it is.
	Checked map[string]map[string]int
}

// trivyRun is one Trivy scan to make: see runTrivy.
type trivyRun struct {
	target, scanner, ignorefile string
	stackOf                     func(target string) string
}

// trivyResult is what one Trivy process left.
type trivyResult struct {
	args           []string
	stdout, stderr bytes.Buffer
	err            error
}

// trivySlots is how many Trivy processes run at once: a scan is mostly one
// busy core, so two keep the 2-core CI machine busy. Each slot has its own
// cache folder, so concurrent scans never wait on each other's cache lock.
const trivySlots = 2

// runTrivy scans target (a folder laid out like cdktf.out, or one plan
// JSON) offline with one misconfiguration scanner and an ignore file. The
// cache is this test binary's own, so the checks are always the ones
// embedded in the binary, never a bundle a developer downloaded.
func runTrivy(t *testing.T, trivy, target, scanner, ignorefile string, stackOf func(target string) string) trivyScan {
	t.Helper()
	return runTrivies(t, trivy, []trivyRun{{target, scanner, ignorefile, stackOf}})[0]
}

// runTrivies makes the scans runs, trivySlots at a time, and returns their
// reports in the order of runs.
func runTrivies(t *testing.T, trivy string, runs []trivyRun) []trivyScan {
	t.Helper()
	results := make([]trivyResult, len(runs))
	next := make(chan int, len(runs))
	for i := range runs {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for slot := range min(trivySlots, len(runs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, res := runs[i], &results[i]
				res.args = []string{"config",
					"--skip-check-update", "--skip-version-check", "--disable-telemetry",
					"--cache-dir", filepath.Join(workDir, fmt.Sprintf("trivy-cache-%d", slot)),
					"--misconfig-scanners", r.scanner,
					"--severity", "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL",
					"--ignorefile", r.ignorefile,
					"--format", "json",
					r.target,
				}
				cmd := exec.Command(trivy, res.args...)
				cmd.Dir = workDir // no trivy.yaml or .trivyignore of a developer's
				cmd.Stdout, cmd.Stderr = &res.stdout, &res.stderr
				res.err = cmd.Run()
			}
		}()
	}
	wg.Wait()
	scans := make([]trivyScan, len(runs))
	for i, r := range runs {
		scans[i] = trivyReport(t, r.target, r.stackOf, &results[i])
	}
	return scans
}

// trivyReport reads one Trivy process's JSON report.
func trivyReport(t *testing.T, target string, stackOf func(string) string, res *trivyResult) trivyScan {
	t.Helper()
	stdout, stderr := &res.stdout, &res.stderr
	if res.err != nil {
		t.Fatalf("trivy %s: %v\n%s", strings.Join(res.args, " "), res.err, stderr.String())
	}
	// Offline means no attempt at all: the flags above must keep Trivy
	// from fetching checks or asking for its latest version.
	for _, word := range []string{"Downloading", "Need to update", "mirror.gcr.io", "version check"} {
		if strings.Contains(stderr.String(), word) {
			t.Errorf("trivy on %s tried the network (%q):\n%s", target, word, stderr.String())
		}
	}
	var report struct {
		Results []struct {
			Target            string
			Type              string
			MisconfSummary    struct{ Successes, Failures int }
			Misconfigurations []struct {
				ID, Severity, Message string
				CauseMetadata         struct{ Resource string }
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("trivy on %s: JSON report does not parse: %v\n%s", target, err, stdout.String())
	}
	scan := trivyScan{Checked: map[string]map[string]int{}}
	for _, r := range report.Results {
		if scan.Checked[r.Type] == nil {
			scan.Checked[r.Type] = map[string]int{}
		}
		scan.Checked[r.Type][stackOf(r.Target)] += r.MisconfSummary.Successes
		for _, m := range r.Misconfigurations {
			scan.Findings = append(scan.Findings, trivyFinding{
				Stack: stackOf(r.Target), Target: r.Target, ID: m.ID, Severity: m.Severity,
				Resource: m.CauseMetadata.Resource, Message: m.Message,
			})
		}
	}
	return scan
}

// trivyException is one entry of .trivyignore.yaml.
type trivyException struct {
	Line                           int
	ID, Statement                  string
	Paths, Environments, Resources []string
}

// readTrivyIgnore parses the block-style YAML .trivyignore.yaml is written
// in (this module has no YAML library, and needs none for this file).
func readTrivyIgnore(file string) ([]trivyException, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []trivyException
	var list *[]string
	scanner := bufio.NewScanner(f)
	for n := 1; scanner.Scan(); n++ {
		line := scanner.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || trimmed == "misconfigurations:" {
			continue
		}
		if item, ok := strings.CutPrefix(trimmed, "- "); ok && strings.HasPrefix(line, "      ") {
			if list == nil {
				return nil, fmt.Errorf("%s:%d: list item outside a list", file, n)
			}
			*list = append(*list, unquote(item))
			continue
		}
		if rest, ok := strings.CutPrefix(trimmed, "- "); ok {
			out = append(out, trivyException{Line: n})
			trimmed = rest
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s:%d: %q outside an entry", file, n, trimmed)
		}
		e := &out[len(out)-1]
		key, value, _ := strings.Cut(trimmed, ":")
		value = unquote(strings.TrimSpace(value))
		list = nil
		switch key {
		case "id":
			e.ID = value
		case "statement":
			e.Statement = value
		case "paths":
			list = &e.Paths
		case "environments":
			list = &e.Environments
		case "resources":
			list = &e.Resources
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", file, n, key)
		}
		if list != nil && value != "" {
			return nil, fmt.Errorf("%s:%d: write %s as a block list", file, n, key)
		}
	}
	return out, scanner.Err()
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

func matchesAny(patterns []string, s string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool {
		ok, err := path.Match(p, s)
		return err == nil && ok
	})
}

// hides reports whether Trivy applies the exception to the finding (id and
// path; Trivy's globs are doublestar, which path.Match equals for the
// single-segment stars used here).
func (e trivyException) hides(f trivyFinding) bool {
	return e.ID == f.ID && matchesAny(e.Paths, f.Target)
}

// covers reports whether the finding is within the exception's scope.
func (e trivyException) covers(f trivyFinding) bool {
	return (len(e.Environments) == 0 || matchesAny(e.Environments, f.Stack)) && slices.Contains(e.Resources, f.Resource)
}

func loadTrivyExceptions(t *testing.T) []trivyException {
	t.Helper()
	exceptions, err := readTrivyIgnore(trivyIgnoreFile())
	if err != nil {
		t.Fatal(err)
	}
	if len(exceptions) == 0 {
		t.Fatal(".trivyignore.yaml has no entries; the scope checks below would pass vacuously")
	}
	for _, e := range exceptions {
		switch {
		case e.ID == "" || len(e.Paths) == 0 || len(e.Resources) == 0:
			t.Errorf(".trivyignore.yaml:%d: %q needs id, paths and resources", e.Line, e.ID)
		case strings.TrimSpace(e.Statement) == "":
			t.Errorf(".trivyignore.yaml:%d: %s has no statement (the reason)", e.Line, e.ID)
		}
	}
	return exceptions
}

// checkScopes fails for every finding an exception hides outside its
// environments and resources, marks the exceptions that hid something, and
// returns the findings no exception hides.
func checkScopes(t *testing.T, exceptions []trivyException, raw []trivyFinding, used map[int]bool) (unhidden []trivyFinding) {
	t.Helper()
	for _, f := range raw {
		var hiding []trivyException
		for _, e := range exceptions {
			if e.hides(f) {
				hiding = append(hiding, e)
			}
		}
		if len(hiding) == 0 {
			unhidden = append(unhidden, f)
			continue
		}
		inScope := false
		for _, e := range hiding {
			used[e.Line] = true
			inScope = inScope || e.covers(f)
		}
		if !inScope {
			t.Errorf(".trivyignore.yaml:%d (%s) hides %v outside its environments and resources; fix the stack or scope an exception to it",
				hiding[0].Line, f.ID, f)
		}
	}
	return unhidden
}

// configScanRoot lays the stacks' cdk.tf.json out as cdktf.out does, so
// findings carry stacks/<stack>/cdk.tf.json, the paths exceptions name.
func configScanRoot(t *testing.T, name string, stacks map[string]string) string {
	t.Helper()
	root := filepath.Join(workDir, name)
	for stack, src := range stacks {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "stacks", stack)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func stackOfTarget(target string) string {
	if parts := strings.Split(target, "/"); len(parts) >= 2 && parts[0] == "stacks" {
		return parts[1]
	}
	return ""
}

// planVariants writes the two forms in which Trivy v0.74 can read a plan
// made from Terraform JSON. Terraform shows every reference of a JSON
// configuration both as a literal ("${aws_kms_key.logs.arn}") and as
// references; Trivy takes whichever it meets first in Go's random map order,
// so one scan of the real plan sees a random mix. The variants keep only
// the references, or only the literals: together they show every finding
// Trivy can report on the plan, deterministically.
func planVariants(t *testing.T, planJSON string) (refs, literals string) {
	t.Helper()
	data, err := os.ReadFile(planJSON)
	if err != nil {
		t.Fatal(err)
	}
	write := func(suffix, drop string) string {
		var plan map[string]any
		if err := json.Unmarshal(data, &plan); err != nil {
			t.Fatal(err)
		}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				_, hasRefs := x["references"]
				_, hasConst := x["constant_value"]
				if hasRefs && hasConst {
					delete(x, drop)
				}
				for _, child := range x {
					walk(child)
				}
			case []any:
				for _, child := range x {
					walk(child)
				}
			}
		}
		walk(plan["configuration"])
		return writePlanJSON(t, filepath.Join(filepath.Dir(planJSON), "trivy-"+suffix), plan)
	}
	return write("references", "constant_value"), write("literals", "references")
}

// minTrivyChecks is well below the ~85 checks Trivy passes on a pipeline
// stack, and far above the handful it would pass on a file it misread.
const minTrivyChecks = 50

// TestTrivy scans every stack's cdk.tf.json and offline plan JSON with the
// exceptions of .trivyignore.yaml: no finding at any severity. It scans
// again without exceptions to prove each exception hides only what its
// environments and resources name, and that none is stale.
func TestTrivy(t *testing.T) {
	skipInShortMode(t)
	trivy := requireTool(t, "trivy", trivyInstall)
	exceptions := loadTrivyExceptions(t)
	none := filepath.Join(workDir, "no-exceptions.yaml")
	if err := os.WriteFile(none, []byte("misconfigurations: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outdir := synthAll(t)
	used := map[int]bool{}
	report := func(t *testing.T, what string, findings []trivyFinding) {
		t.Helper()
		for _, f := range findings {
			t.Errorf("%s: %v", what, f)
		}
	}

	stacks := map[string]string{}
	for _, s := range gatedStacks(t) {
		stacks[s] = stackJSONPath(outdir, s)
	}
	root := configScanRoot(t, "trivy-stacks", stacks)
	runs := []trivyRun{
		{root, "terraform", trivyIgnoreFile(), stackOfTarget},
		{root, "terraform", none, stackOfTarget},
	}
	// Every stack's plan: the gated scan, then both variants without
	// exceptions. All scans run together, trivySlots at a time.
	first := map[string]int{} // stack -> index of its gated plan scan in runs
	for _, s := range gatedStacks(t) {
		job := queueOfflinePlan(t, s)
		<-job.done
		if job.err != nil {
			t.Errorf("%s: no plan to scan: %v", s, job.err)
			continue
		}
		stackOf := func(string) string { return s }
		refs, literals := planVariants(t, job.plan.PlanJSON)
		first[s] = len(runs)
		runs = append(runs,
			trivyRun{job.plan.PlanJSON, "terraformplan-json", trivyIgnoreFile(), stackOf},
			trivyRun{refs, "terraformplan-json", none, stackOf},
			trivyRun{literals, "terraformplan-json", none, stackOf})
	}
	scans := runTrivies(t, trivy, runs)

	gated, raw := scans[0], scans[1]
	report(t, "cdk.tf.json", gated.Findings)
	checkScopes(t, exceptions, raw.Findings, used) // the gated scan reports the rest
	for _, s := range gatedStacks(t) {
		if n := gated.Checked["terraform"][s]; n < minTrivyChecks {
			t.Errorf("%s: Trivy passed only %d checks on cdk.tf.json: did it read it as Terraform? (%v)", s, n, gated.Checked)
		}
	}

	for _, s := range gatedStacks(t) {
		i, ok := first[s]
		if !ok {
			continue // no plan, reported above
		}
		t.Run(s, func(t *testing.T) {
			gated := scans[i]
			if n := gated.Checked["terraformplan"][s]; n < minTrivyChecks {
				t.Errorf("%s: Trivy passed only %d checks on the plan JSON: did it read it as a plan? (%v)", s, n, gated.Checked)
			}
			report(t, "plan JSON", gated.Findings)
			// A finding of either variant that no exception hides is one the
			// gated scan reports on some runs: report it on every run.
			for j, variant := range []string{runs[i+1].target, runs[i+2].target} {
				unhidden := checkScopes(t, exceptions, scans[i+1+j].Findings, used)
				report(t, "plan JSON ("+filepath.Base(filepath.Dir(variant))+")", slices.DeleteFunc(unhidden, func(f trivyFinding) bool {
					return slices.ContainsFunc(gated.Findings, func(g trivyFinding) bool { return g.ID == f.ID && g.Resource == f.Resource })
				}))
			}
		})
	}

	if t.Failed() {
		return // a scan that did not run would make exceptions look stale
	}
	for _, e := range exceptions {
		if !used[e.Line] {
			t.Errorf(".trivyignore.yaml:%d: %s hides nothing on any stack; remove it", e.Line, e.ID)
		}
	}
}

// TestTrivyPlanSeesStateBucket holds up the state bootstrap's exceptions:
// the cdk.tf.json scan cannot see the state bucket's versioning or key
// (Trivy reads no nested block of a .tf.json resource), so they are exempt
// there on the word that the plan scan checks them. A copy of the bootstrap
// plan with versioning suspended on both buckets and SSE-S3 instead of the
// key must fail the plan scan, exceptions included, on each resource.
func TestTrivyPlanSeesStateBucket(t *testing.T) {
	skipInShortMode(t)
	trivy := requireTool(t, "trivy", trivyInstall)
	p := offlinePlan(t, bootstrapStack)
	plan := readJSONFile(t, p.PlanJSON)
	const versioning = "aws_s3_bucket_versioning.terraform_state_versioning"
	const logVersioning = "aws_s3_bucket_versioning.access_logs_versioning"
	const encryption = "aws_s3_bucket_server_side_encryption_configuration.terraform_state_encryption"
	breakValues := func(address string, values any) bool {
		switch address {
		case versioning, logVersioning:
			if c, ok := jsondoc.At(values, "versioning_configuration", 0).(map[string]any); ok {
				c["status"] = "Suspended"
				return true
			}
		case encryption:
			if sse, ok := jsondoc.At(values, "rule", 0, "apply_server_side_encryption_by_default", 0).(map[string]any); ok {
				sse["sse_algorithm"], sse["kms_master_key_id"] = "AES256", ""
				return true
			}
		}
		return false
	}
	broken := breakPlannedValues(plan, breakValues)
	if broken[versioning] != 2 || broken[logVersioning] != 2 || broken[encryption] != 2 {
		t.Fatalf("the bootstrap plan no longer has the shape this test breaks: %v", broken)
	}
	file := writePlanJSON(t, filepath.Join(workDir, "trivy-broken-bootstrap"), plan)
	scan := runTrivy(t, trivy, file, "terraformplan-json", trivyIgnoreFile(), func(string) string { return bootstrapStack })
	for _, want := range []struct{ id, resource string }{
		{"AWS-0090", versioning}, // versioning not enabled
		{"AWS-0090", logVersioning},
		{"AWS-0132", encryption}, // no customer-managed key
	} {
		if !slices.ContainsFunc(scan.Findings, func(f trivyFinding) bool { return f.ID == want.id && f.Resource == want.resource }) {
			t.Errorf("the plan scan does not report %s on %s in a broken bootstrap plan; got %v", want.id, want.resource, scan.Findings)
		}
	}
}

// --- a bad stack, to prove both gates can fail --------------------------------

// badFixture is a Terraform JSON stack with an unencrypted, public
// PostgreSQL open to the internet, and its offline plan.
func badFixture(t *testing.T) (stackJSON string, plan *stackPlan) {
	t.Helper()
	tf := requireTerraform(t)
	dir := badFixtureDir()
	return filepath.Join(dir, "cdk.tf.json"), queuePlan(t, tf, "plan-bad-fixture", dir, "bad-fixture").wait(t)
}

// badFixtureDir holds the bad stack.
func badFixtureDir() string { return filepath.Join(repoRoot(), "e2e", "testdata", "trivy-bad") }

// TestTrivyGateFails runs the gate, exceptions included, on the bad stack:
// Trivy must report it from cdk.tf.json and from the plan, and an exception
// Trivy applies to it by id and path must be caught out of scope.
func TestTrivyGateFails(t *testing.T) {
	skipInShortMode(t)
	trivy := requireTool(t, "trivy", trivyInstall)
	exceptions := loadTrivyExceptions(t)
	stackJSON, plan := badFixture(t)

	root := configScanRoot(t, "trivy-bad", map[string]string{"bad-fixture": stackJSON})
	bad := func(string) string { return "bad-fixture" }
	// The plan's variants, for the scope check below; all four scans run
	// together.
	refs, literals := planVariants(t, plan.PlanJSON)
	none := filepath.Join(workDir, "no-exceptions.yaml")
	scans := runTrivies(t, trivy, []trivyRun{
		{root, "terraform", trivyIgnoreFile(), stackOfTarget},
		{plan.PlanJSON, "terraformplan-json", trivyIgnoreFile(), bad},
		{refs, "terraformplan-json", none, bad},
		{literals, "terraformplan-json", none, bad},
	})
	config, planScan := scans[0], scans[1]
	for _, c := range []struct {
		what     string
		scan     trivyScan
		id       string
		resource string
	}{
		{"cdk.tf.json", config, "AWS-0080", "aws_db_instance.unencrypted"}, // storage not encrypted
		{"cdk.tf.json", config, "AWS-0180", "aws_db_instance.unencrypted"}, // publicly accessible
		{"plan JSON", planScan, "AWS-0080", "aws_db_instance.unencrypted"},
		{"plan JSON", planScan, "AWS-0180", "aws_db_instance.unencrypted"},
	} {
		if !slices.ContainsFunc(c.scan.Findings, func(f trivyFinding) bool { return f.ID == c.id && f.Resource == c.resource }) {
			t.Errorf("bad fixture %s: Trivy did not report %s on %s; got %v", c.what, c.id, c.resource, c.scan.Findings)
		}
	}

	// The plan's open egress (AWS-0104) shares its id and path (main.tf)
	// with the dev exception, so Trivy hides it; the scope check must not.
	raw := append(scans[2].Findings, scans[3].Findings...)
	caught := false
	for _, f := range raw {
		for _, e := range exceptions {
			if f.ID == "AWS-0104" && e.hides(f) && !e.covers(f) {
				caught = true
			}
		}
	}
	if !caught {
		t.Errorf("the scope check did not catch the bad fixture's open egress hidden by the AWS-0104 exception; raw findings: %v", raw)
	}
}

// --- the policy pack -------------------------------------------------------

// policycheck builds the policy pack's command from its own module, once.
func policycheck(t *testing.T) string {
	t.Helper()
	return goBuild(t, "policycheck", filepath.Join(repoRoot(), "policies"), "./cmd/policycheck")
}

// packReport mirrors policies.Report (this module does not import OPA).
type packReport struct {
	Source, Kind, Environment string
	Controls                  []packControl
	Results                   []struct{ Control, Resource, Status, Message string }
	Deny                      []string
}

// packControl mirrors policies.Control.
type packControl struct {
	ID, Title string
	Serves    []string
}

// runPolicycheck runs the pack once on files, as the operators do but with
// --json, and returns the exit code and the reports. The text form of the
// same reports is policycheck's own test (policies/cmd/policycheck).
func runPolicycheck(t *testing.T, files ...string) (int, []packReport) {
	t.Helper()
	args := append([]string{"--json"}, files...)
	cmd := exec.Command(policycheck(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := 0
	var exit *exec.ExitError
	switch err := cmd.Run(); {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		code = 1
	default:
		t.Fatalf("policycheck %v: %v\n%s", args, err, stderr.String())
	}
	var reports []packReport
	if err := json.Unmarshal(stdout.Bytes(), &reports); err != nil {
		t.Fatalf("policycheck --json: %v\n%s", err, stdout.String())
	}
	return code, reports
}

// TestPolicyPack runs the policy pack once per stack on its cdk.tf.json and
// offline plan: every control must pass, each must have looked at
// something and name what it serves, and the plan's controls include the
// data-loss gate.
func TestPolicyPack(t *testing.T) {
	skipInShortMode(t)
	outdir := synthAll(t)
	for _, s := range gatedStacks(t) {
		t.Run(s, func(t *testing.T) {
			p := offlinePlan(t, s)
			code, reports := runPolicycheck(t, stackJSONPath(outdir, s), p.PlanJSON)
			if len(reports) != 2 || reports[0].Kind != "stack" || reports[1].Kind != "plan" {
				t.Fatalf("%s: want a stack and a plan report, got %d", s, len(reports))
			}
			for _, r := range reports {
				if r.Environment != s && !strings.HasPrefix(s, "pr-") {
					t.Errorf("%s: %s report names environment %q", s, r.Kind, r.Environment)
				}
				for _, res := range r.Results {
					if res.Status == "fail" {
						t.Errorf("%s %s: %s %s: %s", s, r.Kind, res.Control, res.Resource, res.Message)
					}
				}
				if len(r.Controls) == 0 || len(r.Results) == 0 {
					t.Errorf("%s %s: the pack evaluated nothing", s, r.Kind)
				}
				for _, c := range r.Controls {
					if len(c.Serves) == 0 {
						t.Errorf("%s %s: control %s does not say what it serves", s, r.Kind, c.ID)
					}
				}
			}
			if !slices.ContainsFunc(reports[1].Controls, func(c packControl) bool { return c.ID == "DL-01" }) {
				t.Errorf("%s: the plan report lacks the data-loss control DL-01", s)
			}
			if code != 0 {
				t.Errorf("%s: policycheck exited %d (the failures are listed above)", s, code)
			}
		})
	}
}

// TestPolicyPackRejectsBadFixture: the command the operators run fails on
// the bad stack's plan and names the controls and resources.
func TestPolicyPackRejectsBadFixture(t *testing.T) {
	skipInShortMode(t)
	_, plan := badFixture(t)
	code, reports := runPolicycheck(t, plan.PlanJSON)
	if code != 1 {
		t.Fatalf("policycheck exited %d on the bad plan; want 1\n%v", code, reports)
	}
	failed := map[string]bool{}
	for _, r := range reports {
		for _, res := range r.Results {
			if res.Status == "fail" {
				failed[res.Control+" "+res.Resource] = true
			}
		}
	}
	for _, want := range []string{
		"NET-01 aws_security_group.open_database.ingress[0]", // 5432 from 0.0.0.0/0
		"ENC-02 aws_db_instance.unencrypted",                 // storage not encrypted
		"TLS-01 aws_db_instance.unencrypted",                 // default parameter group
		"NET-02 aws_security_group.open_database",            // the database group has egress
	} {
		if !failed[want] {
			t.Errorf("bad plan: %s did not fail; failures: %v", want, failed)
		}
	}
}

// statefulTypes are the resource types the data-loss gate (DL-01) protects,
// read from the policy pack's parameters.
func statefulTypes(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(), "policies", "fastshop", "data.json"))
	if err != nil {
		t.Fatal(err)
	}
	var params struct {
		StatefulTypes []string `json:"stateful_types"`
	}
	if err := json.Unmarshal(data, &params); err != nil {
		t.Fatal(err)
	}
	if len(params.StatefulTypes) == 0 {
		t.Fatal("policies/fastshop/data.json lists no stateful_types")
	}
	return params.StatefulTypes
}

// pipelineStateful are the stateful addresses of every pipeline stack. They
// are a contract: a renamed construct id plans destroy and create, which
// for these loses data. Change this list only with a planned move.
var pipelineStateful = []string{
	"aws_cloudwatch_log_group.flow_logs",
	"aws_cloudwatch_log_group.postgres_postgresql_log",
	"aws_cloudwatch_log_group.postgres_upgrade_log",
	"aws_cloudwatch_log_group.processor_log",
	"aws_cloudwatch_log_group.producer_log",
	"aws_cloudwatch_log_group.redis_engine_log",
	"aws_cloudwatch_log_group.redis_slow_log",
	"aws_db_instance.postgres",
	"aws_dynamodb_table.kcl_leases",
	"aws_elasticache_replication_group.redis",
	"aws_kinesis_stream.transactions",
	"aws_kms_key.alerts",
	"aws_kms_key.cache",
	"aws_kms_key.database",
	"aws_kms_key.kcl",
	"aws_kms_key.logs",
	"aws_kms_key.stream",
}

// bootstrapStateful are the state bootstrap stack's.
var bootstrapStateful = []string{
	"aws_kms_key.state",
	"aws_s3_bucket.access_logs",
	"aws_s3_bucket.terraform_state",
}

// TestStatefulAddresses pins, for every stack, the Terraform addresses of
// the resources whose loss loses data.
func TestStatefulAddresses(t *testing.T) {
	skipInShortMode(t)
	types := statefulTypes(t)
	for _, s := range gatedStacks(t) {
		t.Run(s, func(t *testing.T) {
			want := pipelineStateful
			if s == "state-bootstrap" {
				want = bootstrapStateful
			}
			p := offlinePlan(t, s)
			var got []string
			changes, _ := p.Plan["resource_changes"].([]any)
			for _, c := range changes {
				rc, _ := c.(map[string]any)
				if typ, _ := rc["type"].(string); slices.Contains(types, typ) {
					got = append(got, rc["address"].(string))
				}
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: stateful addresses changed (a rename destroys data; ship it with a moved block and update the pin)\n got %v\nwant %v", s, got, want)
			}
		})
	}
}
