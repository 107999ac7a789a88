// Package e2e drives the real program and the real tools: it builds the
// synthesizer, runs it, and hands each stack to terraform (and, in other
// files, to the security scanners and an S3 server).
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// ephemeralSuffix adds an ephemeral stack to every end-to-end run, so the
// suffix path is planned like the permanent environments.
const ephemeralSuffix = "pr-482"

// pluginDir holds the AWS provider as a filesystem mirror (no registry
// access here). FASTSHOP_TF_PLUGIN_DIR overrides it.
func pluginDir() string {
	if dir := os.Getenv("FASTSHOP_TF_PLUGIN_DIR"); dir != "" {
		return dir
	}
	return "/opt/tf-plugins"
}

// workDir is shared by every test of the binary and removed by TestMain.
var workDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fastshop-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	stopPlans()
	os.RemoveAll(dir)
	os.Exit(code)
}

// skipInShortMode skips an end-to-end test under go test -short, the
// documented fast mode (README, "Tests and tools"): these tests drive the
// built program and real tools for minutes. scripts/test and CI run them.
func skipInShortMode(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test (real program and tools, minutes): -short skips it; scripts/test runs it")
	}
}

// repoRoot is the project root (the parent of this package).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// requireTool returns the path of a command the test needs; a missing tool
// fails the test with the way to install it (see missingTool).
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	missingTool(t, fmt.Sprintf("%s is not on PATH: %s (scripts/install-tools installs or checks it)", name, install))
	return ""
}

// skipMissingTools lets a local run skip the tests whose tools are missing
// (go test hides a skip's reason unless -v, so skipping is opt-in).
const skipMissingTools = "FASTSHOP_SKIP_MISSING_TOOLS"

// missingTool fails the test, saying what is missing; a local run with
// FASTSHOP_SKIP_MISSING_TOOLS=1 skips it instead. Under CI it always fails.
func missingTool(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "" && os.Getenv(skipMissingTools) == "1" {
		t.Skip(msg)
	}
	t.Fatal(msg + " (set " + skipMissingTools + "=1 to skip such tests locally)")
}

// requireTerraform checks terraform and the provider mirror together.
func requireTerraform(t *testing.T) string {
	t.Helper()
	tf := requireTool(t, "terraform", "install Terraform >= 1.10 (1.11.4 here)")
	mirror := filepath.Join(pluginDir(), "registry.terraform.io", "hashicorp", "aws")
	if _, err := os.Stat(mirror); err != nil {
		missingTool(t, fmt.Sprintf("no AWS provider mirror at %s (set FASTSHOP_TF_PLUGIN_DIR): %v", mirror, err))
	}
	return tf
}

var (
	buildMu   sync.Mutex
	buildErrs = map[string]error{}
)

// goBuild builds a Go command once per test binary into workDir/name:
// `go build -C dir -o workDir/name target`.
func goBuild(t *testing.T, name, dir, target string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	out := filepath.Join(workDir, name)
	err, done := buildErrs[name]
	if !done {
		cmd := exec.Command("go", "build", "-C", dir, "-o", out, target)
		if output, buildErr := cmd.CombinedOutput(); buildErr != nil {
			err = fmt.Errorf("go build -C %s %s: %v\n%s", dir, target, buildErr, output)
		}
		buildErrs[name] = err
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// synthesizer builds the program once per test binary, exactly as
// `go run main.go` compiles it.
func synthesizer(t *testing.T) string {
	t.Helper()
	return goBuild(t, "fastshop", repoRoot(), "main.go")
}

// synthResult is one run of the program.
type synthResult struct {
	Outdir string
	Stderr string
	Err    error
}

// synthesize runs the program with extra environment variables into a new
// output folder; the caller's environment is inherited otherwise, with the
// program's own settings cleared so a developer's shell cannot leak in.
func synthesize(t *testing.T, env ...string) synthResult {
	t.Helper()
	bin := synthesizer(t)
	outdir, err := os.MkdirTemp(workDir, "synth-")
	if err != nil {
		t.Fatal(err)
	}
	outdir = filepath.Join(outdir, "cdktf.out")
	cmd := exec.Command(bin)
	cmd.Dir = repoRoot()
	cmd.Env = append(cleanEnv(), "CDKTF_OUTDIR="+outdir)
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	return synthResult{Outdir: outdir, Stderr: stderr.String(), Err: err}
}

// cleanEnv is the test's environment without the program's settings.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "FASTSHOP_") && !strings.HasPrefix(kv, "FASTSHOP_TF_PLUGIN_DIR=") ||
			strings.HasPrefix(kv, "ENVIRONMENT_SUFFIX=") || strings.HasPrefix(kv, "CDKTF_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

var (
	synthAllOnce   sync.Once
	synthAllResult synthResult
)

// synthAllReport is where synthAll's run records what the lazy provider
// hook did (TestLazyProviderOutputIdentical reads it).
func synthAllReport() string { return filepath.Join(workDir, "lazy-report.jsonl") }

// synthAll synthesizes every environment plus the ephemeral stack once, as
// the default program does (lazy provider hook on), recording the hook's
// report.
func synthAll(t *testing.T) string {
	t.Helper()
	synthAllOnce.Do(func() {
		synthAllResult = synthesize(t, "ENVIRONMENT_SUFFIX="+ephemeralSuffix, "FASTSHOP_LAZY_PROVIDER_REPORT="+synthAllReport())
	})
	if synthAllResult.Err != nil {
		t.Fatalf("synth of every environment failed: %v\n%s", synthAllResult.Err, synthAllResult.Stderr)
	}
	return synthAllResult.Outdir
}

// stackJSONPath is a synthesized stack's Terraform JSON.
func stackJSONPath(outdir, stack string) string {
	return filepath.Join(outdir, "stacks", stack, "cdk.tf.json")
}

// manifestStacks lists the stacks a synth wrote, from its manifest.json
// (what the cdktf CLI reads to list and deploy them), sorted. The tests
// iterate it rather than a list of their own, so an environment added to the
// program is planned and scanned without an edit here.
func manifestStacks(t *testing.T, outdir string) []string {
	t.Helper()
	names, err := readManifest(outdir)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// readManifest reads a synth's manifest.json and checks it against the
// stack folders: a stack written but not listed would escape deploy and
// these tests alike.
func readManifest(outdir string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(outdir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("synth output without a manifest: %v", err)
	}
	var manifest struct {
		Stacks map[string]struct {
			SynthesizedStackPath string `json:"synthesizedStackPath"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("%s/manifest.json does not parse: %v", outdir, err)
	}
	var names []string
	for name, s := range manifest.Stacks {
		if want := "stacks/" + name + "/cdk.tf.json"; s.SynthesizedStackPath != want {
			return nil, fmt.Errorf("manifest.json: stack %s at %q; want %q", name, s.SynthesizedStackPath, want)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	entries, err := os.ReadDir(filepath.Join(outdir, "stacks"))
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if len(names) == 0 || !slices.Equal(names, dirs) {
		return nil, fmt.Errorf("manifest.json lists stacks %v; the output folder holds %v", names, dirs)
	}
	return names, nil
}

// gatedStacks are the stacks of the default synth (every environment, the
// ephemeral stack and the state bootstrap, whose bucket holds every
// environment's state): the ones planned, scanned and gated.
func gatedStacks(t *testing.T) []string {
	t.Helper()
	return manifestStacks(t, synthAll(t))
}

// pipelineStacks are the default synth's environment stacks, the ephemeral
// one included: every stack but the state bootstrap.
func pipelineStacks(t *testing.T) []string {
	t.Helper()
	return slices.DeleteFunc(gatedStacks(t), func(s string) bool { return s == bootstrapStack })
}

// offlineProvider lets terraform plan without AWS: every skip flag. It
// exists only in test copies; the product never carries it. The dummy keys
// come from offlineCredentials in terraform's environment, so no key lands
// in the plan (the policy pack's SEC-01 would rightly reject it). It lifts
// the account guard too: a provider that skips the account lookup knows no
// account, and with allowed_account_ids set it stops every plan with "AWS
// account ID not allowed: " (terraform-provider-aws internal/conns/config.go,
// ConfigureProvider). The policy pack's ACC-01 reports such a plan as
// offline; ACC-02 checks the guard in the stack itself.
const offlineProvider = `{"provider":{"aws":[{"skip_credentials_validation":true,"skip_requesting_account_id":true,"skip_metadata_api_check":"true","allowed_account_ids":null}]}}`

// offlineCredentials are the dummy AWS keys every offline terraform run gets.
var offlineCredentials = []string{"AWS_ACCESS_KEY_ID=offline-test", "AWS_SECRET_ACCESS_KEY=offline-test"}

// localBackend replaces the S3 (or cloud) backend in test copies.
const localBackend = `{"terraform":{"backend":{"local":{"path":"terraform.tfstate"}}}}`

// stackPlan is one stack's offline plan.
type stackPlan struct {
	Stack    string
	Dir      string // the temporary copy terraform ran in
	PlanJSON string // path of `terraform show -json` output
	Plan     map[string]any
	Output   string // what `terraform plan` printed (its warnings included)
}

// planWorkers is how many offline plans run at once. A plan is its own
// processes (terraform and the provider), with nothing of the jsii runtime,
// so plans can overlap each other and the tests: on the 2-core CI machine
// two at a time keep both cores busy while tests mostly wait on one child.
var planWorkers = max(2, runtime.NumCPU())

// planJob is one job on the pool: an offline plan by terraform or tofu.
type planJob struct {
	run  func(ctx context.Context) (*stackPlan, error)
	done chan struct{}
	plan *stackPlan
	err  error
}

// plans is the pool: planWorkers goroutines taking jobs in the order they
// were queued, Terraform's before OpenTofu's (tests wait on Terraform's
// plans all along; OpenTofu's fill the idle time), each job made once per
// test binary.
var plans struct {
	mu      sync.Mutex
	cond    *sync.Cond
	jobs    map[string]*planJob // by working folder
	queue   [2][]*planJob       // by priority: first, later
	stopped bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// Job priorities on the pool.
const (
	runFirst = iota
	runLater
)

// maxPlanJobs bounds the jobs; the suite queues about twenty.
const maxPlanJobs = 64

// queuePlan queues the offline plan of the stack folder src, made in
// workDir/name, unless that plan is queued already; it returns the job.
func queuePlan(t *testing.T, tf, name, src, stack string) *planJob {
	t.Helper()
	dir := filepath.Join(workDir, name)
	return queueJob(t, dir, runFirst, func(ctx context.Context) (*stackPlan, error) {
		return planStack(ctx, tf, src, dir, stack)
	})
}

// queueJob queues run under the key dir (its working folder) unless a job
// of that key is queued already; it returns the job.
func queueJob(t *testing.T, dir string, priority int, run func(ctx context.Context) (*stackPlan, error)) *planJob {
	t.Helper()
	plans.mu.Lock()
	defer plans.mu.Unlock()
	if plans.jobs == nil {
		plans.jobs = map[string]*planJob{}
		plans.cond = sync.NewCond(&plans.mu)
		plans.ctx, plans.cancel = context.WithCancel(context.Background())
		for range planWorkers {
			plans.wg.Add(1)
			go planWorker()
		}
	}
	if job, ok := plans.jobs[dir]; ok {
		return job
	}
	if len(plans.jobs) == maxPlanJobs {
		t.Fatalf("more than %d offline plans queued; raise maxPlanJobs", maxPlanJobs)
	}
	job := &planJob{run: run, done: make(chan struct{})}
	plans.jobs[dir] = job
	if plans.stopped {
		job.err = fmt.Errorf("%s: the plan pool has stopped", dir)
		close(job.done)
		return job
	}
	plans.queue[priority] = append(plans.queue[priority], job)
	plans.cond.Signal()
	return job
}

// planWorker runs queued jobs, the first queue's before the later's, until
// stopPlans.
func planWorker() {
	defer plans.wg.Done()
	for {
		plans.mu.Lock()
		for !plans.stopped && len(plans.queue[runFirst])+len(plans.queue[runLater]) == 0 {
			plans.cond.Wait()
		}
		if plans.stopped {
			plans.mu.Unlock()
			return
		}
		q := &plans.queue[runFirst]
		if len(*q) == 0 {
			q = &plans.queue[runLater]
		}
		job := (*q)[0]
		*q = (*q)[1:]
		plans.mu.Unlock()
		job.plan, job.err = job.run(plans.ctx)
		close(job.done)
	}
}

// wait returns the job's plan once it is made, or fails the test with the
// plan's error.
func (j *planJob) wait(t *testing.T) *stackPlan {
	t.Helper()
	<-j.done
	if j.err != nil {
		t.Fatal(j.err)
	}
	return j.plan
}

// stopPlans ends the pool before TestMain removes workDir: queued jobs are
// dropped, running ones killed.
func stopPlans() {
	plans.mu.Lock()
	if plans.jobs != nil && !plans.stopped {
		plans.stopped = true
		plans.cancel()
		for _, q := range plans.queue {
			for _, job := range q {
				job.err = context.Canceled
				close(job.done)
			}
		}
		plans.queue = [2][]*planJob{}
		plans.cond.Broadcast()
	}
	plans.mu.Unlock()
	plans.wg.Wait()
}

// offlinePlan returns a stack's offline plan, made once per test binary.
// The first call queues every stack of the default synth, the asked one
// first, the bad fixture, and then OpenTofu's plans of every stack, so that
// the plans later tests read are made while earlier tests run.
func offlinePlan(t *testing.T, stack string) *stackPlan {
	t.Helper()
	job := queueOfflinePlan(t, stack)
	for _, s := range gatedStacks(t) {
		queueOfflinePlan(t, s)
	}
	queuePlan(t, requireTerraform(t), "plan-bad-fixture", badFixtureDir(), "bad-fixture")
	queueTofuPlans(t)
	return job.wait(t)
}

// queueOfflinePlan queues a stack's offline plan without waiting for it.
func queueOfflinePlan(t *testing.T, stack string) *planJob {
	t.Helper()
	return queuePlan(t, requireTerraform(t), "plan-"+stack, filepath.Join(synthAll(t), "stacks", stack), stack)
}

// planStack copies a synthesized stack folder to dir, swaps in the offline
// provider and a local backend, and runs init, plan and show -json. Plan
// validates the configuration as `terraform validate` does (same errors,
// same warnings), so no separate validate runs.
func planStack(ctx context.Context, tf, stackDir, dir, stack string) (*stackPlan, error) {
	return planWith(ctx, tf, pluginDir(), false, stackDir, dir, stack)
}

// planWith is planStack for terraform or tofu (bin), installing the
// provider from mirror and, if validate, running validate before the plan.
func planWith(ctx context.Context, bin, mirror string, validate bool, stackDir, dir, stack string) (*stackPlan, error) {
	tool := filepath.Base(bin)
	if err := copyDir(stackDir, dir); err != nil {
		return nil, err
	}
	for name, body := range map[string]string{
		"provider_override.tf.json": offlineProvider,
		"backend_override.tf.json":  localBackend,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	if out, err := runTerraform(ctx, bin, dir, "init", "-input=false", "-no-color", "-plugin-dir="+mirror); err != nil {
		return nil, fmt.Errorf("%s: %s init: %v\n%s", stack, tool, err, out)
	}
	if validate {
		if out, err := runTerraform(ctx, bin, dir, "validate", "-no-color"); err != nil {
			return nil, fmt.Errorf("%s: %s validate: %v\n%s", stack, tool, err, out)
		}
	}
	planOut, err := runTerraform(ctx, bin, dir, "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin")
	if err != nil {
		return nil, fmt.Errorf("%s: %s plan: %v\n%s", stack, tool, err, planOut)
	}
	out, err := runTerraform(ctx, bin, dir, "show", "-json", "plan.bin")
	if err != nil {
		return nil, fmt.Errorf("%s: %s show -json: %v\n%s", stack, tool, err, out)
	}
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return nil, err
	}
	var plan map[string]any
	if err := json.Unmarshal(out, &plan); err != nil {
		return nil, fmt.Errorf("%s: %s show -json does not parse: %v", stack, tool, err)
	}
	return &stackPlan{Stack: stack, Dir: dir, PlanJSON: path, Plan: plan, Output: string(planOut)}, nil
}

// runTerraform runs terraform in dir as terraformCmd prepares it (offline
// keys, no developer AWS or TF settings, killed with its provider when ctx
// ends); it returns stdout, or stdout and stderr together on failure.
func runTerraform(ctx context.Context, tf, dir string, args ...string) ([]byte, error) {
	return output(terraformCmd(ctx, tf, dir, args...))
}

// output runs cmd and returns its stdout, or stdout and stderr together on
// failure.
func output(cmd *exec.Cmd) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return append(stdout.Bytes(), stderr.Bytes()...), err
	}
	return stdout.Bytes(), nil
}

// copyDir copies the regular files of a synthesized stack (it has no
// subfolders but assets, which we do not use).
func copyDir(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// shortModeMisses lists the tests in a Go test file whose first statement is
// not skipInShortMode(t).
func shortModeMisses(t *testing.T, name string, src []byte) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var misses []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Test") || fn.Name.Name == "TestMain" ||
			fn.Name.Name == "TestEveryTestSkipsInShortMode" {
			continue
		}
		first := ""
		if len(fn.Body.List) > 0 {
			if call, ok := fn.Body.List[0].(*ast.ExprStmt); ok {
				if c, ok := call.X.(*ast.CallExpr); ok {
					if id, ok := c.Fun.(*ast.Ident); ok {
						first = id.Name
					}
				}
			}
		}
		if first != "skipInShortMode" {
			misses = append(misses, name+": "+fn.Name.Name)
		}
	}
	return misses
}

// TestEveryTestSkipsInShortMode keeps go test -short fast: every test of
// this package starts with skipInShortMode(t).
func TestEveryTestSkipsInShortMode(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files here: %v", err)
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range shortModeMisses(t, file, src) {
			t.Errorf("%s does not start with skipInShortMode(t), so go test -short runs it", m)
		}
	}
	// A test that does not start with the call is found.
	bad := []byte("package e2e\nfunc TestSlow(t *testing.T) {\n\tsynthAll(t)\n\tskipInShortMode(t)\n}\n")
	if got := shortModeMisses(t, "bad_test.go", bad); !slices.Equal(got, []string{"bad_test.go: TestSlow"}) {
		t.Errorf("shortModeMisses on a test that starts with synthAll = %v; want [bad_test.go: TestSlow]", got)
	}
}
