package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fastshop/internal/jsondoc"
)

// The operators' commands, run as README.md and help write them: each test
// takes its command line from the docs, so a doc and its test cannot drift.

// documentedTimeout bounds one documented command (an npm ci with a native
// build, or the offline check of every stack, on a loaded 2-core machine).
const documentedTimeout = 15 * time.Minute

// helpCommand is a command in help: indented, then the description after
// two or more spaces (or nothing, when the description is on the next line).
var helpCommand = regexp.MustCompile(`^ {2,}(\S.*?)(?: {2,}\S.*)?$`)

// documentedCommand returns the command line that starts with prefix in
// README.md's sh blocks (without its trailing comment) or, failing that, in
// help's command column. A command both name must read the same in both.
func documentedCommand(t *testing.T, prefix string) string {
	t.Helper()
	var readme, help []string
	data, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(string(data), "```sh\n")[1:] {
		body, _, _ := strings.Cut(part, "```")
		for _, line := range strings.Split(body, "\n") {
			line = strings.TrimSpace(line)
			if cmd, _, _ := strings.Cut(line, "  #"); strings.HasPrefix(cmd, prefix) {
				readme = append(readme, strings.TrimSpace(cmd))
			}
		}
	}
	data, err = os.ReadFile(filepath.Join(repoRoot(), "help"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if m := helpCommand.FindStringSubmatch(line); m != nil && strings.HasPrefix(m[1], prefix) {
			help = append(help, m[1])
		}
	}
	switch {
	case len(readme) == 0 && len(help) == 0:
		t.Fatalf("neither README.md (in a ```sh block) nor help documents a command starting %q", prefix)
	case len(readme) > 0 && len(help) > 0 && !slices.Contains(readme, help[0]) && !strings.Contains(help[0], "<"):
		t.Fatalf("help documents %q but README.md %q", help[0], readme)
	case len(readme) > 0:
		return readme[0]
	}
	return help[0]
}

// runDocumented runs a documented command line with bash in dir, with the
// harness's clean environment plus env, and returns its combined output.
func runDocumented(t *testing.T, dir string, env []string, command string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), documentedTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", command)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE=/dev/null")
	cmd.Env = append(cmd.Env, env...)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s: no end after %s:\n%s", command, documentedTimeout, out.String())
	}
	return out.String(), err
}

// cleanCopy copies the repository (copyRepo) into a new folder under workDir.
func cleanCopy(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(workDir, name)
	if err := copyRepo(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyStacks copies the stack folders of a synth into dir/cdktf.out/stacks.
func copyStacks(t *testing.T, outdir, dir string, stacks ...string) {
	t.Helper()
	for _, s := range stacks {
		if err := copyDir(filepath.Join(outdir, "stacks", s), filepath.Join(dir, "cdktf.out", "stacks", s)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGateAsDocumented runs README's gate command, as written, on prod's
// offline plan (it passes) and on the same plan with deletion protection
// off, dev's recorded relaxation: .trivyignore.yaml excepts that finding in
// dev and ephemeral stacks only, so the gate must fail it in prod, and the
// policy pack's REC-02 with it.
func TestGateAsDocumented(t *testing.T) {
	skipInShortMode(t)
	requireTool(t, "trivy", trivyInstall)
	gate := documentedCommand(t, "scripts/gate cdktf.out/stacks/prod ")
	dir := cleanCopy(t, "gate")
	copyStacks(t, synthAll(t), dir, "prod")
	planFile := filepath.Join(dir, "cdktf.out", "stacks", "prod", "plan.json")
	if !strings.Contains(gate, "cdktf.out/stacks/prod/plan.json") {
		t.Fatalf("README's gate command %q does not name cdktf.out/stacks/prod/plan.json, where this test puts the plan", gate)
	}
	clean := readJSONFile(t, offlinePlan(t, "prod").PlanJSON)
	broken := readJSONFile(t, offlinePlan(t, "prod").PlanJSON)
	n := breakPlannedValues(broken, func(address string, values any) bool {
		v, ok := values.(map[string]any)
		if address != "aws_db_instance.postgres" || !ok || v["deletion_protection"] != true {
			return false
		}
		v["deletion_protection"] = false
		return true
	})
	if n["aws_db_instance.postgres"] == 0 {
		t.Fatal("prod's plan has no aws_db_instance.postgres with deletion_protection true to break")
	}
	tests := []struct {
		name string
		plan map[string]any
		fail bool
		want []string
	}{
		{"clean prod plan", clean, false, []string{"gate: prod PASSED", "EXCEPT  AWS-0095 aws_sns_topic.redis_notifications"}},
		{"prod plan with dev's relaxation", broken, true, []string{
			"FAIL    AWS-0177 aws_db_instance.postgres main.tf", // Trivy: no deletion protection
			"FAIL  aws_db_instance.postgres",                    // the policy pack
			"REC-02", "gate: prod FAILED",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.plan)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(planFile, data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := runDocumented(t, dir, nil, gate)
			if code := exitCode(err); tt.fail && code != 1 || !tt.fail && code != 0 {
				t.Errorf("%s: exit %d (%v); want %d\n%s", gate, code, err, map[bool]int{true: 1, false: 0}[tt.fail], out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s: output lacks %q:\n%s", gate, w, out)
				}
			}
		})
	}
}

// TestCheckOffline runs README's offline check, as written, on every stack
// of the default synth: each must init, validate, plan and pass the gate
// with no AWS. A stack that does not validate makes it fail and name the stack.
func TestCheckOffline(t *testing.T) {
	skipInShortMode(t)
	requireTerraform(t)
	requireTool(t, "trivy", trivyInstall)
	check := documentedCommand(t, "scripts/check-offline")
	env := []string{"FASTSHOP_TF_PLUGIN_DIR=" + pluginDir()} // README: where the registry is out of reach
	outdir := synthAll(t)
	stacks := gatedStacks(t)

	dir := cleanCopy(t, "check-offline")
	copyStacks(t, outdir, dir, stacks...)
	out, err := runDocumented(t, dir, env, check)
	if err != nil {
		t.Fatalf("%s: %v\n%s", check, err, out)
	}
	for _, s := range stacks {
		if !strings.Contains(out, "gate: "+s+" PASSED") {
			t.Errorf("%s: no passed gate for %s:\n%s", check, s, out)
		}
	}
	for _, f := range []string{"provider_override.tf.json", "backend_override.tf.json", "plan.json", ".terraform"} {
		if matches, _ := filepath.Glob(filepath.Join(dir, "cdktf.out", "stacks", "*", f)); len(matches) > 0 {
			t.Errorf("%s wrote into cdktf.out: %v", check, matches)
		}
	}

	bad := cleanCopy(t, "check-offline-bad")
	copyStacks(t, outdir, bad, "prod")
	stackFile := filepath.Join(bad, "cdktf.out", "stacks", "prod", "cdk.tf.json")
	doc := readJSONFile(t, stackFile)
	db, _ := jsondoc.At(doc, "resource", "aws_db_instance", "postgres").(map[string]any)
	if db == nil {
		t.Fatal("prod has no aws_db_instance.postgres")
	}
	db["no_such_argument"] = true
	writeJSON(t, stackFile, doc)
	out, err = runDocumented(t, bad, env, check)
	if code := exitCode(err); code != 1 || !strings.Contains(out, "no_such_argument") || !strings.Contains(out, "check-offline: FAILED: prod") {
		t.Errorf("%s on a prod stack that does not validate: exit %d; want 1, naming the argument and prod:\n%s", check, code, out)
	}
}

// TestCDKTFInstall runs README's install command for the cdktf CLI, as
// written, in clean copies of the repository (no node_modules), then `npx
// cdktf list`: on Node 24 and on Node 22 with the npm on PATH, and on Node 24
// with npm 12, which runs only the install scripts allowScripts names. Each
// has a user .npmrc whose nodedir names headers of another node (Node 20's
// module version), as a machine's may: Node 24's node-pty, which has no
// prebuilt binary, must be compiled against its own headers. The copies run
// at once (mostly network and disk).
func TestCDKTFInstall(t *testing.T) {
	skipInShortMode(t)
	install := documentedCommand(t, "scripts/install-cdktf")
	list := documentedCommand(t, "npx cdktf list")
	node24 := requireTool(t, "node", "install Node.js 24 LTS")
	if v := nodeVersion(t, node24); !strings.HasPrefix(v, testNodeMajor) {
		missingTool(t, "node on PATH is "+v+", not Node 24: use scripts/test")
	}
	node22, npm12 := os.Getenv("FASTSHOP_NODE22"), os.Getenv("FASTSHOP_NPM12")
	if node22 == "" || npm12 == "" {
		missingTool(t, "FASTSHOP_NODE22 or FASTSHOP_NPM12 is not set: scripts/test sets them to what scripts/install-tools installs")
		return
	}
	stacks := gatedStacks(t)

	// Headers of another node, as a user .npmrc's nodedir may name them.
	wrong := filepath.Join(workDir, "npmrc-wrong-node", "include", "node")
	if err := os.MkdirAll(wrong, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wrong, "node_version.h"), []byte("#define NODE_MODULE_VERSION 115\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	npmrc := filepath.Join(workDir, "npmrc-wrong")
	if err := os.WriteFile(npmrc, []byte("nodedir="+filepath.Dir(filepath.Dir(wrong))+"\nfund=false\naudit=false\nupdate-notifier=false\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, node, npmDir, wantNode, wantNPM string
	}{
		{"node24-npm", node24, "", testNodeMajor, ""},
		{"node22-npm", node22, "", otherNodeMajor, ""},
		{"node24-npm12", node24, npm12, testNodeMajor, "12."},
	}
	type result struct {
		dir, out, versions string
		env                []string
		err                error
	}
	results := make([]result, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		dir := cleanCopy(t, "install-"+c.name)
		// PATH: npm 12's folder (if any), then a folder whose node is the
		// case's, then the rest.
		nodeDir := filepath.Join(workDir, "install-path-"+c.name)
		if err := os.MkdirAll(nodeDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(c.node, filepath.Join(nodeDir, "node")); err != nil {
			t.Fatal(err)
		}
		path := nodeDir + string(os.PathListSeparator) + os.Getenv("PATH")
		if c.npmDir != "" {
			path = c.npmDir + string(os.PathListSeparator) + path
		}
		results[i].dir = dir
		results[i].env = []string{"PATH=" + path, "npm_config_userconfig=" + npmrc}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			out, _ := exec.Command("bash", "-c", `PATH="$1"; echo "node $(node --version), npm $(npm --version)"`, "-", path).Output()
			r.versions = strings.TrimSpace(string(out))
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", install)
			cmd.Dir = dir
			cmd.Env = append(append(cleanEnv(), "CHECKPOINT_DISABLE=1"), r.env...)
			var buf bytes.Buffer
			cmd.Stdout, cmd.Stderr = &buf, &buf
			timer := time.AfterFunc(documentedTimeout, func() { cmd.Process.Kill() })
			r.err = cmd.Run()
			timer.Stop()
			r.out = buf.String()
		}()
	}
	wg.Wait()

	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := results[i]
			t.Logf("%s", r.versions)
			if !strings.Contains(r.versions, "node "+c.wantNode) || !strings.Contains(r.versions, ", npm "+c.wantNPM) {
				t.Fatalf("the case runs on %s; want node %s*, npm %s*", r.versions, c.wantNode, c.wantNPM)
			}
			if r.err != nil {
				t.Fatalf("%s on %s: %v\n%s", install, r.versions, r.err, r.out)
			}
			ctx, cancel := context.WithTimeout(context.Background(), cdktfTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", list)
			cmd.Dir = r.dir
			cmd.Env = append(cdktfEnv(r.dir), r.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s after the install on %s: %v\n%s", list, r.versions, err, out)
			}
			lines := strings.Split(string(out), "\n")
			for _, stack := range stacks {
				want := []string{stack, "cdktf.out/stacks/" + stack}
				if !slices.ContainsFunc(lines, func(l string) bool { return slices.Equal(strings.Fields(l), want) }) {
					t.Errorf("%s on %s does not show %q:\n%s", list, r.versions, strings.Join(want, "  "), out)
				}
			}
		})
	}
}
