package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Each tool's default registry: an unqualified provider source ("aws", as
// cdktf writes it) means hashicorp/aws on the running tool's own registry.
const (
	terraformAWS = "registry.terraform.io/hashicorp/aws"
	opentofuAWS  = "registry.opentofu.org/hashicorp/aws"
)

// requireTofu returns the OpenTofu binary (scripts/install-tools builds it).
func requireTofu(t *testing.T) string {
	t.Helper()
	return requireTool(t, "tofu", "scripts/install-tools builds OpenTofu v1.12.6 from the Go module proxy into ~/.cache/fastshop-tools/bin")
}

var (
	mirrorOnce sync.Once
	mirrorDir  string
	mirrorErr  error
)

// readmeInitLine ends the README's offline mirror block: the same init for
// both tools.
const readmeInitLine = `terraform init -plugin-dir="$mirror"    # or: tofu init -plugin-dir="$mirror"`

// bothToolsMirror runs, once per test binary, the README's offline mirror
// block (the ```sh block that mentions registry.opentofu.org) up to its init
// line, with HOME in the test's folder and the test's Terraform mirror for
// /opt/tf-plugins, and returns the folder it made.
func bothToolsMirror(t *testing.T) string {
	t.Helper()
	requireTerraform(t) // checks the Terraform mirror exists
	mirrorOnce.Do(func() {
		mirrorDir, mirrorErr = runREADMEMirrorBlock()
	})
	if mirrorErr != nil {
		t.Fatal(mirrorErr)
	}
	return mirrorDir
}

func runREADMEMirrorBlock() (string, error) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		return "", err
	}
	var block string
	for _, part := range strings.Split(string(readme), "```sh\n")[1:] {
		body, _, _ := strings.Cut(part, "```")
		if strings.Contains(body, "registry.opentofu.org") {
			block = body
			break
		}
	}
	script, rest, found := strings.Cut(block, readmeInitLine)
	if !found || strings.TrimSpace(rest) != "" {
		return "", fmt.Errorf("README.md has no ```sh block mentioning registry.opentofu.org that ends in %q", readmeInitLine)
	}
	script = strings.ReplaceAll(script, "/opt/tf-plugins", pluginDir())
	home := filepath.Join(workDir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script+`printf %s "$mirror"`)
	cmd.Env = append(os.Environ(), "HOME="+home)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("README.md's mirror block: %v\n%s", err, script)
	}
	return string(out), nil
}

// runTool runs terraform or tofu in dir like runTerraform, with extra
// environment after the defaults (so a test can name its own CLI config).
func runTool(bin, dir string, env []string, args ...string) ([]byte, error) {
	cmd := terraformCmd(context.Background(), bin, dir, args...)
	cmd.Env = append(cmd.Env, env...)
	return output(cmd)
}

// offlineCopy copies a synthesized stack into a new folder with the same
// offline provider and local backend overrides as the Terraform plans.
func offlineCopy(t *testing.T, stack, name string) string {
	t.Helper()
	dir, err := os.MkdirTemp(workDir, name+"-"+stack+"-")
	if err != nil {
		t.Fatal(err)
	}
	if err := copyDir(filepath.Join(synthAll(t), "stacks", stack), dir); err != nil {
		t.Fatal(err)
	}
	for file, body := range map[string]string{
		"provider_override.tf.json": offlineProvider,
		"backend_override.tf.json":  localBackend,
	} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestOfflineMirror proves the README's offline instructions: the mirror its
// block makes (given as -plugin-dir, or in a CLI config) serves Terraform
// and OpenTofu alike, and OpenTofu finds nothing in a Terraform-only mirror.
func TestOfflineMirror(t *testing.T) {
	skipInShortMode(t)
	tf := requireTerraform(t)
	tofu := requireTofu(t)
	mirror := bothToolsMirror(t)
	cliConfig := filepath.Join(workDir, "mirror.tfrc")
	config := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)
	if err := os.WriteFile(cliConfig, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		bin      string
		env      []string
		initArgs []string
		wantAddr string // provider address in the lock file; empty: init fails
		wantErr  string
	}{
		{"terraform, plugin dir", tf, nil, []string{"-plugin-dir=" + mirror}, terraformAWS, ""},
		{"tofu, plugin dir", tofu, nil, []string{"-plugin-dir=" + mirror}, opentofuAWS, ""},
		{"terraform, CLI config", tf, []string{"TF_CLI_CONFIG_FILE=" + cliConfig}, nil, terraformAWS, ""},
		{"tofu, CLI config", tofu, []string{"TF_CLI_CONFIG_FILE=" + cliConfig}, nil, opentofuAWS, ""},
		{"tofu, Terraform-only mirror", tofu, nil, []string{"-plugin-dir=" + pluginDir()}, "", opentofuAWS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := offlineCopy(t, "prod", "mirror")
			args := append([]string{"init", "-input=false", "-no-color"}, tt.initArgs...)
			out, err := runTool(tt.bin, dir, tt.env, args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(string(out), tt.wantErr) {
					t.Fatalf("init: want a failure naming %s, got err %v:\n%s", tt.wantErr, err, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("init: %v\n%s", err, out)
			}
			lock, err := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("provider %q", tt.wantAddr); !strings.Contains(string(lock), want) {
				t.Errorf("lock file has no %s:\n%s", want, lock)
			}
		})
	}
}

// queueTofuPlans queues OpenTofu's offline plan of every stack of the
// default synth on the plan pool, after Terraform's, when tofu is on PATH
// and the README's mirror block runs; otherwise it queues nothing and
// TestOpenTofuPlansLikeTerraform says what is missing.
func queueTofuPlans(t *testing.T) {
	t.Helper()
	tofu, err := exec.LookPath("tofu")
	if err != nil {
		return
	}
	mirrorOnce.Do(func() {
		mirrorDir, mirrorErr = runREADMEMirrorBlock()
	})
	if mirrorErr != nil {
		return
	}
	for _, stack := range gatedStacks(t) {
		queueTofuPlan(t, tofu, mirrorDir, stack)
	}
}

// queueTofuPlan queues OpenTofu's init, validate, offline plan and show of
// a stack, with the same overrides as Terraform's plan, in workDir/tofu-<stack>.
// Init links the provider from the mirror (no copy), once per stack.
func queueTofuPlan(t *testing.T, tofu, mirror, stack string) *planJob {
	t.Helper()
	dir := filepath.Join(workDir, "tofu-"+stack)
	src := filepath.Join(synthAll(t), "stacks", stack)
	return queueJob(t, dir, runLater, func(ctx context.Context) (*stackPlan, error) {
		return planWith(ctx, tofu, mirror, true, src, dir, stack)
	})
}

// TestOpenTofuPlansLikeTerraform runs OpenTofu's init, validate and an
// offline plan on every stack (on the plan pool, alongside other tests) and
// expects the planned values and the planned actions of Terraform's plan of
// the same stack.
func TestOpenTofuPlansLikeTerraform(t *testing.T) {
	skipInShortMode(t)
	requireTerraform(t)
	tofu := requireTofu(t)
	mirror := bothToolsMirror(t)
	if out, err := exec.Command(tofu, "version").Output(); err == nil {
		t.Logf("%s", bytes.SplitN(out, []byte("\n"), 2)[0])
	}
	stacks := gatedStacks(t)
	jobs := map[string]*planJob{}
	for _, stack := range stacks {
		jobs[stack] = queueTofuPlan(t, tofu, mirror, stack)
	}
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			want := offlinePlan(t, stack).Plan
			got := jobs[stack].wait(t).Plan

			gotValues := normalizeProvider(got["planned_values"])
			wantValues := want["planned_values"]
			if gotValues == nil || wantValues == nil {
				t.Fatalf("a plan has no planned_values (tofu: %v, terraform: %v)", gotValues != nil, wantValues != nil)
			}
			for _, d := range jsonDiff("planned_values", wantValues, gotValues) {
				t.Errorf("tofu plans differently from terraform: %s", d)
			}
			if g, w := plannedActions(got), plannedActions(want); !reflect.DeepEqual(g, w) {
				t.Errorf("planned actions differ:\ntofu:      %v\nterraform: %v", g, w)
			}
			if len(plannedActions(want)) == 0 {
				t.Errorf("terraform's plan of %s has no resource changes: nothing compared", stack)
			}
		})
	}
}

// normalizeProvider rewrites OpenTofu's provider address to Terraform's
// (each tool names the provider after its own default registry; the package
// is the same). It is the only difference the comparison forgives.
func normalizeProvider(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if s, ok := e.(string); ok && k == "provider_name" && s == opentofuAWS {
				e = terraformAWS
			}
			out[k] = normalizeProvider(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalizeProvider(e)
		}
		return out
	}
	return v
}

// plannedActions lists "address: actions" for every resource change.
func plannedActions(plan map[string]any) []string {
	changes, _ := plan["resource_changes"].([]any)
	var out []string
	for _, c := range changes {
		rc, _ := c.(map[string]any)
		change, _ := rc["change"].(map[string]any)
		out = append(out, fmt.Sprintf("%v: %v", rc["address"], change["actions"]))
	}
	sort.Strings(out)
	return out
}

// jsonDiff lists the paths where two decoded JSON values differ (at most
// 20, so one systematic difference does not flood the log).
func jsonDiff(path string, want, got any) []string {
	var diffs []string
	var walk func(path string, want, got any)
	walk = func(path string, want, got any) {
		if len(diffs) >= 20 {
			return
		}
		switch w := want.(type) {
		case map[string]any:
			g, ok := got.(map[string]any)
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: terraform %v, tofu %v", path, want, got))
				return
			}
			keys := map[string]bool{}
			for k := range w {
				keys[k] = true
			}
			for k := range g {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				walk(path+"."+k, w[k], g[k])
			}
		case []any:
			g, ok := got.([]any)
			if !ok || len(g) != len(w) {
				diffs = append(diffs, fmt.Sprintf("%s: terraform %d items, tofu %v", path, len(w), got))
				return
			}
			for i := range w {
				walk(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
			}
		default:
			if !reflect.DeepEqual(want, got) {
				diffs = append(diffs, fmt.Sprintf("%s: terraform %v, tofu %v", path, want, got))
			}
		}
	}
	walk(path, want, got)
	return diffs
}
