// Package e2e drives the real program and the real tools: it builds the
// synthesizer, runs it, and hands each stack to terraform (and, in other
// files, to the security scanners and an S3 server).
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// ephemeralSuffix adds an ephemeral stack to every end-to-end run, so the
// suffix path is planned like the permanent environments.
const ephemeralSuffix = "pr-482"

// stackNames are the stacks every end-to-end run synthesizes and checks.
var stackNames = []string{"dev", "staging", "prod", ephemeralSuffix}

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
	os.RemoveAll(dir)
	os.Exit(code)
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

// synthAll synthesizes every environment plus the ephemeral stack once.
func synthAll(t *testing.T) string {
	t.Helper()
	synthAllOnce.Do(func() {
		synthAllResult = synthesize(t, "ENVIRONMENT_SUFFIX="+ephemeralSuffix)
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

// offlineProvider lets terraform plan without AWS: every skip flag. It
// exists only in test copies; the product never carries it. The dummy keys
// come from offlineCredentials in terraform's environment, so no key lands
// in the plan (the policy pack's SEC-01 would rightly reject it).
const offlineProvider = `{"provider":{"aws":[{"skip_credentials_validation":true,"skip_requesting_account_id":true,"skip_metadata_api_check":"true"}]}}`

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
}

var (
	planMu    sync.Mutex
	planCache = map[string]*stackPlan{}
	planErrs  = map[string]error{}
)

// offlinePlan copies a synthesized stack, swaps in the offline provider
// and a local backend, and runs init, validate, plan and show -json once
// per stack per test binary.
func offlinePlan(t *testing.T, stack string) *stackPlan {
	t.Helper()
	tf := requireTerraform(t)
	outdir := synthAll(t)
	planMu.Lock()
	defer planMu.Unlock()
	if p, ok := planCache[stack]; ok {
		return p
	}
	if err, ok := planErrs[stack]; ok {
		t.Fatal(err)
	}
	p, err := planStack(tf, filepath.Join(outdir, "stacks", stack), stack)
	if err != nil {
		planErrs[stack] = err
		t.Fatal(err)
	}
	planCache[stack] = p
	return p
}

func planStack(tf, stackDir, stack string) (*stackPlan, error) {
	dir := filepath.Join(workDir, "plan-"+stack)
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
	steps := [][]string{
		{"init", "-input=false", "-no-color", "-plugin-dir=" + pluginDir()},
		{"validate", "-no-color"},
		{"plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin"},
	}
	for _, args := range steps {
		if out, err := runTerraform(tf, dir, args...); err != nil {
			return nil, fmt.Errorf("%s: terraform %s: %v\n%s", stack, args[0], err, out)
		}
	}
	out, err := runTerraform(tf, dir, "show", "-json", "plan.bin")
	if err != nil {
		return nil, fmt.Errorf("%s: terraform show -json: %v\n%s", stack, err, out)
	}
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return nil, err
	}
	var plan map[string]any
	if err := json.Unmarshal(out, &plan); err != nil {
		return nil, fmt.Errorf("%s: plan JSON does not parse: %v", stack, err)
	}
	return &stackPlan{Stack: stack, Dir: dir, PlanJSON: path, Plan: plan}, nil
}

// runTerraform runs terraform in dir with a CLI config that names nothing
// (no ~/.terraformrc here) and no colour; it returns stdout, or stdout and
// stderr together on failure.
func runTerraform(tf, dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(tf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	cmd.Env = append(cmd.Env, offlineCredentials...)
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
