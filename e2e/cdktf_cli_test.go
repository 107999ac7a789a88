package e2e

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"fastshop/internal/jsondoc"
)

// cdktfTimeout bounds one cdktf CLI run (it builds and runs the Go program;
// the build cache is warm after the harness's build).
const cdktfTimeout = 5 * time.Minute

// requireCDKTF returns the pinned cdktf CLI scripts/install-cdktf installs. Missing, it
// fails under CI and skips locally with the reason.
func requireCDKTF(t *testing.T) string {
	t.Helper()
	requireTool(t, "node", "install Node.js >= 20")
	bin := filepath.Join(repoRoot(), "node_modules", ".bin", "cdktf")
	if _, err := os.Stat(bin); err != nil {
		missingTool(t, fmt.Sprintf("no cdktf CLI at %s: run scripts/install-cdktf at the repository root (scripts/install-tools does)", bin))
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
		if cloneErr = copyRepo(cloneDir); cloneErr == nil {
			cloneErr = os.Symlink(filepath.Join(repoRoot(), "node_modules"), filepath.Join(cloneDir, "node_modules"))
		}
	})
	if cloneErr != nil {
		t.Fatalf("copying the repository: %v", cloneErr)
	}
	return cloneDir
}

// copyRepo copies the files a commit of this tree would hold (tracked, and
// untracked but not ignored) into dst: a clean clone, without node_modules
// or cdktf.out.
func copyRepo(dst string) error {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = repoRoot()
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %v", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(repoRoot(), name)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the work tree, or not a file
		}
		data, err := os.ReadFile(src)
		if err == nil {
			target := filepath.Join(dst, name)
			if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
				err = os.WriteFile(target, data, info.Mode().Perm())
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
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
	cmd.Env = append(cdktfEnv(dir), env...)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("cdktf %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// cdktfEnv is the environment the cdktf CLI runs with in dir: the
// harness's program settings (the ephemeral stack included), telemetry and
// update checks off, and a private CDKTF home, so it needs no network.
func cdktfEnv(dir string) []string {
	return append(cleanEnv(),
		"ENVIRONMENT_SUFFIX="+ephemeralSuffix,
		"CHECKPOINT_DISABLE=1",
		"DISABLE_VERSION_CHECK=true",
		"CDKTF_DISABLE_PLUGIN_CACHE_ENV=true",
		"CDKTF_HOME="+filepath.Join(dir, ".cdktf-home"),
		"TF_CLI_CONFIG_FILE=/dev/null",
		"CI=1", // no spinner
	)
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
	skipInShortMode(t)
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

// TestCDKTFList: `cdktf list` names every stack of the program's manifest
// with its output folder.
func TestCDKTFList(t *testing.T) {
	skipInShortMode(t)
	stacks := gatedStacks(t)
	clone := freshClone(t)
	out := runCDKTF(t, clone, "list")
	lines := strings.Split(out, "\n")
	for _, stack := range stacks {
		want := []string{stack, "cdktf.out/stacks/" + stack}
		if !slices.ContainsFunc(lines, func(l string) bool { return slices.Equal(strings.Fields(l), want) }) {
			t.Errorf("cdktf list does not show %q:\n%s", strings.Join(want, "  "), out)
		}
	}
}

// TestCDKTFSynthHCLPlans is the way out of CDKTF: `cdktf synth --hcl`
// writes every stack as cdk.tf, and that HCL plans offline with plain
// terraform (local backend and dummy provider keys as override files) to
// the same resources and values as the stack's cdk.tf.json. The HCL is
// planned for the stacks hclPlanStacks picks, which between them hold
// everything the renderer handles in any stack; the rest would repeat their
// plans.
func TestCDKTFSynthHCLPlans(t *testing.T) {
	skipInShortMode(t)
	tf := requireTerraform(t)
	planned := hclPlanStacks(t, synthAll(t))
	clone := freshClone(t)
	// README's command as written: it writes into the clone's infra folder.
	export := documentedCommand(t, "npx cdktf synth --hcl")
	const readmeOutdir = "--output infra"
	if !strings.HasSuffix(export, readmeOutdir) {
		t.Fatalf("README's HCL export %q does not end in %q, where this test reads it", export, readmeOutdir)
	}
	outdir := filepath.Join(clone, "infra")
	ctx, cancel := context.WithTimeout(context.Background(), cdktfTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", export)
	cmd.Dir = clone
	cmd.Env = cdktfEnv(clone)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", export, err, out)
	}
	stacks := stackDirs(t, outdir)
	if want := gatedStacks(t); !slices.Equal(stacks, want) {
		t.Fatalf("cdktf synth --hcl made stacks %v; the program makes %v", stacks, want)
	}
	for _, stack := range stacks {
		dir := filepath.Join(outdir, "stacks", stack)
		hcl, err := os.ReadFile(filepath.Join(dir, "cdk.tf"))
		if err != nil {
			t.Errorf("%s: no cdk.tf in the HCL output: %v", stack, err)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "cdk.tf.json")); err == nil {
			t.Errorf("%s: HCL output also holds cdk.tf.json", stack)
		}
		if !strings.Contains(string(hcl), `required_version = ">= 1.10.0`) {
			t.Errorf("%s: cdk.tf lost required_version", stack)
		}
	}
	// Queued behind the JSON plans they are compared with, on the same pool.
	jobs := map[string]*planJob{}
	for _, stack := range planned {
		queueOfflinePlan(t, stack)
	}
	for _, stack := range planned {
		jobs[stack] = queuePlan(t, tf, "hcl-"+stack, filepath.Join(outdir, "stacks", stack), "hcl "+stack)
	}
	for _, stack := range planned {
		t.Run(stack, func(t *testing.T) {
			jsonPlan := offlinePlan(t, stack)
			p := jobs[stack].wait(t)
			if strings.Contains(p.Output, "Warning") {
				t.Errorf("%s: the HCL plans with warnings:\n%s", stack, p.Output)
			}
			// The HCL must mean what the JSON means: same resources, same
			// planned values (policy documents included), all creates.
			hclAfter, jsonAfter := plannedValues(p.Plan), plannedValues(jsonPlan.Plan)
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

// hclPlanStacks picks, of the program's stacks, the fewest (greedily, in
// name order on ties) that between them show every renderShapes entry of
// any stack. cdktf's HCL renderer works per block and per kind of value
// (what it garbled: the terraform block's attributes, strings holding
// references and quotes, depends_on lists), never per particular value, so
// a stack whose shapes all occur in a planned stack goes down the same
// renderer paths; planning its HCL would repeat a comparison already made.
// Today that is the state bootstrap, staging (prod's shapes and more) and
// dev (the one shape the others lack: the internet egress rule's cidr_ipv4).
func hclPlanStacks(t *testing.T, outdir string) []string {
	t.Helper()
	shapes := map[string]map[string]bool{}
	for _, stack := range manifestStacks(t, outdir) {
		shapes[stack] = renderShapes(stackDoc(t, outdir, stack))
	}
	uncovered := map[string]bool{}
	for _, s := range shapes {
		maps.Copy(uncovered, s)
	}
	var picked []string
	for len(uncovered) > 0 {
		best, bestGain := "", 0
		for _, stack := range slices.Sorted(maps.Keys(shapes)) {
			gain := 0
			for shape := range shapes[stack] {
				if uncovered[shape] {
					gain++
				}
			}
			if gain > bestGain {
				best, bestGain = stack, gain
			}
		}
		for shape := range shapes[best] {
			delete(uncovered, shape)
		}
		picked = append(picked, best)
	}
	slices.Sort(picked)
	t.Logf("HCL planned for %v", picked)
	return picked
}

// renderShapes lists what the HCL renderer meets in a stack's cdk.tf.json:
// each leaf value as its block path (resource, data source and output names
// and list positions left out, map keys kept) with the kind of its value;
// for a string, which of the characters HCL treats specially it holds.
// cdktf's "//" metadata (a comment to Terraform) is left out.
func renderShapes(doc map[string]any) map[string]bool {
	out := map[string]bool{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if k != "//" {
					walk(path+"."+k, child)
				}
			}
		case []any:
			for _, child := range x {
				walk(path+"[]", child)
			}
		case string:
			kind := "string"
			for _, special := range []string{"${", "%{", `"`, `\`, "\n", "\t"} {
				if strings.Contains(x, special) {
					kind += " " + strconv.Quote(special)
				}
			}
			if strings.ContainsFunc(x, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsPrint(r) }) {
				kind += " non-ASCII or control"
			}
			out[path+" "+kind] = true
		default:
			out[fmt.Sprintf("%s %T", path, x)] = true
		}
	}
	for block, body := range doc {
		switch block {
		case "//":
		case "resource", "data":
			byType, _ := body.(map[string]any)
			for typ, byName := range byType {
				named, _ := byName.(map[string]any)
				for _, r := range named {
					walk(block+"."+typ, r)
				}
			}
		case "output", "variable", "locals":
			named, _ := body.(map[string]any)
			for _, v := range named {
				walk(block, v)
			}
		default:
			walk(block, body)
		}
	}
	return out
}

// plannedValues maps each resource address of a plan to the values it will
// have after apply; a change other than create is recorded as its actions.
func plannedValues(plan map[string]any) map[string]any {
	out := map[string]any{}
	changes, _ := plan["resource_changes"].([]any)
	for _, c := range changes {
		rc, _ := c.(map[string]any)
		addr, _ := rc["address"].(string)
		actions, _ := jsondoc.At(rc, "change", "actions").([]any)
		if len(actions) != 1 || actions[0] != "create" {
			out[addr] = actions
			continue
		}
		out[addr] = jsondoc.At(rc, "change", "after")
	}
	return out
}
