package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// cdktfTimeout bounds one cdktf CLI run (it builds and runs the Go program;
// the build cache is warm after the harness's build).
const cdktfTimeout = 5 * time.Minute

// requireCDKTF returns the pinned cdktf CLI installed by npm ci. Missing, it
// fails under CI and skips locally with the reason.
func requireCDKTF(t *testing.T) string {
	t.Helper()
	requireTool(t, "node", "install Node.js >= 20")
	bin := filepath.Join(repoRoot(), "node_modules", ".bin", "cdktf")
	if _, err := os.Stat(bin); err != nil {
		missingTool(t, fmt.Sprintf("no cdktf CLI at %s: run `npm ci` at the repository root (.ci/run does)", bin))
	}
	return bin
}

var (
	cloneOnce sync.Once
	cloneDir  string
	cloneErr  error
)

// freshClone copies the repository's files (tracked, and untracked but
// not ignored: what a commit of this tree would hold) into a temporary
// folder, as a fresh clone would have them, with the installed
// node_modules linked in. Once per test binary.
func freshClone(t *testing.T) string {
	t.Helper()
	cloneOnce.Do(func() {
		cloneDir = filepath.Join(workDir, "clone")
		cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
		cmd.Dir = repoRoot()
		out, err := cmd.Output()
		if err != nil {
			cloneErr = fmt.Errorf("git ls-files: %v", err)
			return
		}
		for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			src := filepath.Join(repoRoot(), name)
			info, err := os.Lstat(src)
			if err != nil || !info.Mode().IsRegular() {
				continue // deleted in the work tree, or not a file
			}
			data, err := os.ReadFile(src)
			if err == nil {
				dst := filepath.Join(cloneDir, name)
				if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
					err = os.WriteFile(dst, data, info.Mode().Perm())
				}
			}
			if err != nil {
				cloneErr = err
				return
			}
		}
		cloneErr = os.Symlink(filepath.Join(repoRoot(), "node_modules"), filepath.Join(cloneDir, "node_modules"))
	})
	if cloneErr != nil {
		t.Fatalf("copying the repository: %v", cloneErr)
	}
	return cloneDir
}

// runCDKTF runs the cdktf CLI in dir with the harness's program settings
// (the ephemeral stack included), telemetry and update checks off, and a
// private CDKTF home, so it needs no network.
func runCDKTF(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return runCDKTFWith(t, dir, nil, args...)
}

// runCDKTFWith is runCDKTF with extra environment variables.
func runCDKTFWith(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	bin := requireCDKTF(t)
	ctx, cancel := context.WithTimeout(context.Background(), cdktfTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(),
		"ENVIRONMENT_SUFFIX="+ephemeralSuffix,
		"CHECKPOINT_DISABLE=1",
		"DISABLE_VERSION_CHECK=true",
		"CDKTF_DISABLE_PLUGIN_CACHE_ENV=true",
		"CDKTF_HOME="+filepath.Join(dir, ".cdktf-home"),
		"TF_CLI_CONFIG_FILE=/dev/null",
		"CI=1", // no spinner
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("cdktf %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// stackDirs lists the stack folders of a synth output.
func stackDirs(t *testing.T, outdir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(outdir, "stacks"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// TestCDKTFSynthMatchesProgram: on a fresh copy of the repository, `cdktf
// synth` produces the same stacks as `go run main.go`, byte for byte.
func TestCDKTFSynthMatchesProgram(t *testing.T) {
	clone := freshClone(t)
	// The CLI runs `go run main.go` through a shell: the lazy provider hook
	// must reach that entry point too.
	report := filepath.Join(workDir, "cdktf-lazy-report.jsonl")
	runCDKTFWith(t, clone, []string{"FASTSHOP_LAZY_PROVIDER_REPORT=" + report}, "synth")
	if events, err := os.ReadFile(report); err != nil || !bytes.Contains(events, []byte(`"event":"lazy"`)) {
		t.Errorf("cdktf synth loaded the AWS provider eagerly (hook report: %s, %v)", events, err)
	}
	viaCLI := filepath.Join(clone, "cdktf.out")
	direct := synthAll(t)

	want := stackDirs(t, direct)
	if got := stackDirs(t, viaCLI); !slices.Equal(got, want) {
		t.Fatalf("cdktf synth made stacks %v; the program makes %v", got, want)
	}
	if !slices.Contains(want, bootstrapStack) {
		t.Errorf("no %s stack in %v", bootstrapStack, want)
	}
	for _, stack := range want {
		a, errA := os.ReadFile(stackJSONPath(direct, stack))
		b, errB := os.ReadFile(stackJSONPath(viaCLI, stack))
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v %v", stack, errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: cdk.tf.json from cdktf synth differs from go run main.go's", stack)
		}
	}
}

// TestCDKTFList: `cdktf list` names every stack with its output folder.
func TestCDKTFList(t *testing.T) {
	clone := freshClone(t)
	out := runCDKTF(t, clone, "list")
	lines := strings.Split(out, "\n")
	for _, stack := range append(slices.Clone(stackNames), bootstrapStack) {
		want := []string{stack, "cdktf.out/stacks/" + stack}
		if !slices.ContainsFunc(lines, func(l string) bool { return slices.Equal(strings.Fields(l), want) }) {
			t.Errorf("cdktf list does not show %q:\n%s", strings.Join(want, "  "), out)
		}
	}
}

// TestCDKTFSynthHCLPlans is the way out of CDKTF: `cdktf synth --hcl`
// output of every stack validates and plans offline with plain terraform
// (local backend and dummy provider keys as override files).
func TestCDKTFSynthHCLPlans(t *testing.T) {
	tf := requireTerraform(t)
	clone := freshClone(t)
	outdir := filepath.Join(t.TempDir(), "hcl")
	runCDKTF(t, clone, "synth", "--hcl", "--output", outdir)
	stacks := stackDirs(t, outdir)
	if !slices.Contains(stacks, bootstrapStack) || !slices.Contains(stacks, "prod") {
		t.Fatalf("cdktf synth --hcl made stacks %v", stacks)
	}
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			dir := filepath.Join(workDir, "hcl-"+stack)
			if err := copyDir(filepath.Join(outdir, "stacks", stack), dir); err != nil {
				t.Fatal(err)
			}
			hcl, err := os.ReadFile(filepath.Join(dir, "cdk.tf"))
			if err != nil {
				t.Fatalf("%s: no cdk.tf in the HCL output: %v", stack, err)
			}
			if _, err := os.Stat(filepath.Join(dir, "cdk.tf.json")); err == nil {
				t.Errorf("%s: HCL output also holds cdk.tf.json", stack)
			}
			if !strings.Contains(string(hcl), `required_version = ">= 1.10.0`) {
				t.Errorf("%s: cdk.tf lost required_version", stack)
			}
			for name, body := range map[string]string{
				"provider_override.tf.json": offlineProvider,
				"backend_override.tf.json":  localBackend,
			} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			mustTF(t, tf, dir, "init", "-input=false", "-no-color", "-plugin-dir="+pluginDir())
			if out := mustTF(t, tf, dir, "validate", "-no-color"); strings.Contains(out, "Warning") {
				t.Errorf("%s: validate warns:\n%s", stack, out)
			}
			mustTF(t, tf, dir, "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin")
			out, err := tfRun(t, tf, dir, "show", "-json", "plan.bin")
			if err != nil {
				t.Fatalf("%s: terraform show -json: %v\n%s", stack, err, out)
			}
			var plan map[string]any
			if err := json.Unmarshal([]byte(out), &plan); err != nil {
				t.Fatalf("%s: plan JSON does not parse: %v", stack, err)
			}
			// The HCL must mean what the JSON means: same resources, same
			// planned values (policy documents included), all creates.
			hclAfter, jsonAfter := plannedValues(plan), plannedValues(offlinePlan(t, stack).Plan)
			if len(hclAfter) == 0 {
				t.Fatalf("%s: the HCL plan creates nothing", stack)
			}
			for addr, want := range jsonAfter {
				if got, ok := hclAfter[addr]; !ok {
					t.Errorf("%s: %s is planned from cdk.tf.json but not from cdk.tf", stack, addr)
				} else if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %s is planned differently from cdk.tf:\n got %v\nwant %v", stack, addr, got, want)
				}
			}
			for addr := range hclAfter {
				if _, ok := jsonAfter[addr]; !ok {
					t.Errorf("%s: %s is planned from cdk.tf but not from cdk.tf.json", stack, addr)
				}
			}
		})
	}
}

// plannedValues maps each resource address of a plan to the values it will
// have after apply; a change other than create is recorded as its actions.
func plannedValues(plan map[string]any) map[string]any {
	out := map[string]any{}
	changes, _ := plan["resource_changes"].([]any)
	for _, c := range changes {
		rc, _ := c.(map[string]any)
		addr, _ := rc["address"].(string)
		actions, _ := jsonPath(rc, "change", "actions").([]any)
		if len(actions) != 1 || actions[0] != "create" {
			out[addr] = actions
			continue
		}
		out[addr] = jsonPath(rc, "change", "after")
	}
	return out
}
