package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Supported Node.js majors: the tests run on the first (scripts/test puts the
// pinned Node 24 first on PATH); one synth runs on the second.
const (
	testNodeMajor  = "v24."
	otherNodeMajor = "v22."
)

// nodeVersion runs `<node> --version`.
func nodeVersion(t *testing.T, node string) string {
	t.Helper()
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", node, err)
	}
	return strings.TrimSpace(string(out))
}

// jsiiRuntimeWarnings are the starts of the jsii runtime's banners about the
// node it runs on (end of life, untested, known broken).
var jsiiRuntimeWarnings = []string{"end-of-life", "has not been tested with node", "is unsupported and has known compatibility issues"}

// TestSuiteRunsOnNode24 checks that the node on PATH, which runs the jsii
// kernel and the cdktf CLI for every other test, is Node 24, and that the jsii
// runtime has nothing to say about it during a synth.
func TestSuiteRunsOnNode24(t *testing.T) {
	skipInShortMode(t)
	node := requireTool(t, "node", "install Node.js 24 LTS")
	if v := nodeVersion(t, node); !strings.HasPrefix(v, testNodeMajor) {
		missingTool(t, "node on PATH ("+node+") is "+v+", the tests run on Node 24: use scripts/test, or put the folder scripts/install-tools prints first on PATH")
	}
	synthAll(t)
	for _, w := range jsiiRuntimeWarnings {
		if strings.Contains(synthAllResult.Stderr, w) {
			t.Errorf("synth on %s: the jsii runtime warns about node (%q):\n%s", node, w, synthAllResult.Stderr)
		}
	}
}

// TestSynthOnNode22 synthesizes every environment with the jsii kernel on
// Node 22 (FASTSHOP_NODE22, set by scripts/test) and expects every stack's
// files byte-identical with the synth on PATH's node (Node 24 in CI).
func TestSynthOnNode22(t *testing.T) {
	skipInShortMode(t)
	node22 := os.Getenv("FASTSHOP_NODE22")
	if node22 == "" {
		missingTool(t, "FASTSHOP_NODE22 is not set: scripts/test sets it to the Node 22 that scripts/install-tools installs")
		return
	}
	if v := nodeVersion(t, node22); !strings.HasPrefix(v, otherNodeMajor) {
		t.Fatalf("FASTSHOP_NODE22=%s is %s, want Node 22", node22, v)
	}
	base := synthAll(t)

	// JSII_NODE picks the kernel's node; a PATH entry whose node is Node 22
	// covers anything that looks node up by name.
	pathDir, err := os.MkdirTemp(workDir, "node22-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(node22, filepath.Join(pathDir, "node")); err != nil {
		t.Fatal(err)
	}
	r := synthesize(t, "ENVIRONMENT_SUFFIX="+ephemeralSuffix, "JSII_NODE="+node22,
		"PATH="+pathDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	if r.Err != nil {
		t.Fatalf("synth on %s failed: %v\n%s", node22, r.Err, r.Stderr)
	}
	for _, w := range jsiiRuntimeWarnings {
		if strings.Contains(r.Stderr, w) {
			t.Errorf("synth on Node 22: the jsii runtime warns about node (%q):\n%s", w, r.Stderr)
		}
	}
	t.Logf("node on PATH %s, Node 22 %s", nodeVersion(t, "node"), nodeVersion(t, node22))

	want, got := readTree(t, base), readTree(t, r.Outdir)
	for name, data := range want {
		if other, ok := got[name]; !ok {
			t.Errorf("%s: the Node 22 synth did not write it", name)
		} else if !bytes.Equal(other, data) {
			t.Errorf("%s differs between Node 22 and the node on PATH", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: only the Node 22 synth wrote it", name)
		}
	}
	if _, ok := want[filepath.Join("stacks", "prod", "cdk.tf.json")]; !ok {
		t.Errorf("no stacks/prod/cdk.tf.json in %s: nothing compared", base)
	}
}

// readTree reads every regular file under dir, keyed by its relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestDocsAgreeOnNode keeps package.json, help, README and the pinned
// runtimes of scripts/install-tools in step on the supported Node.js majors.
func TestDocsAgreeOnNode(t *testing.T) {
	skipInShortMode(t)
	tests := []struct {
		file string
		want []string
	}{
		{"package.json", []string{`"node": "^22 || ^24"`}},
		{"help", []string{"Node.js 24 LTS (or 22 LTS; Node 20 is end of life)"}},
		{"README.md", []string{"Go 1.26, Node.js 24 LTS (or 22 LTS) and Terraform", "Node.js 24 LTS (22 LTS works too"}},
		{"scripts/install-tools", []string{"\nNODE_VERSION=24.", "\nNODE22_VERSION=22.", "\nNODE_MIN_MAJOR=22\n"}},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join(repoRoot(), tt.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range tt.want {
			if !strings.Contains(string(data), want) {
				t.Errorf("%s does not say %q (supported: Node 24 LTS and 22 LTS)", tt.file, want)
			}
		}
	}
}

// installNodeCommand is the documented way to get Node 24 alone (README,
// Quick start; help): the test runs it as written.
const installNodeCommand = "scripts/install-tools node"

// TestInstallToolsNodeOnly runs `scripts/install-tools node` from the
// project root into an empty tools folder, with stand-ins for go, terraform
// and the Go-built tools first on PATH that record any call: it must print a
// folder holding only the pinned Node 24 (with the C++ headers the cdktf
// CLI's node-pty build needs), call none of them, and refuse an unknown
// argument with its usage. README and help name the command.
func TestInstallToolsNodeOnly(t *testing.T) {
	skipInShortMode(t)
	requireTool(t, "npm", "install Node.js 24 LTS (or 22 LTS), which brings npm")
	for _, doc := range []string{"README.md", "help"} {
		data, err := os.ReadFile(filepath.Join(repoRoot(), doc))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), installNodeCommand) {
			t.Errorf("%s does not show %q, the way to get Node 24 alone", doc, installNodeCommand)
		}
	}
	script, err := os.ReadFile(filepath.Join(repoRoot(), "scripts", "install-tools"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(script), "\nNODE_VERSION=")
	pinned, _, _ := strings.Cut(rest, "\n")
	if pinned == "" {
		t.Fatal("scripts/install-tools has no NODE_VERSION= line")
	}

	// Stand-ins: anything the node mode must not run leaves a line in calls.
	stubs, err := os.MkdirTemp(workDir, "stubs-")
	if err != nil {
		t.Fatal(err)
	}
	calls := filepath.Join(stubs, "calls")
	for _, name := range []string{"go", "terraform", "tofu", "trivy", "versitygw"} {
		stub := "#!/bin/sh\necho " + name + " \"$@\" >>" + calls + "\nexit 97\n"
		if err := os.WriteFile(filepath.Join(stubs, name), []byte(stub), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string // in stderr
	}{
		{"node only", []string{"node"}, 0, ""},
		{"unknown argument", []string{"nodes"}, 2, "usage: scripts/install-tools [node]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tools, err := os.MkdirTemp(workDir, "tools-")
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("scripts/install-tools", tt.args...)
			cmd.Dir = repoRoot()
			cmd.Env = append(os.Environ(), "FASTSHOP_TOOLS="+tools,
				"PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			code := cmd.ProcessState.ExitCode()
			if code != tt.wantCode {
				t.Fatalf("scripts/install-tools %s: exit status %d (%v), want %d\n%s", strings.Join(tt.args, " "), code, err, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("scripts/install-tools %s: stderr lacks %q:\n%s", strings.Join(tt.args, " "), tt.wantErr, stderr.String())
			}
			if recorded, err := os.ReadFile(calls); err == nil {
				t.Errorf("scripts/install-tools %s ran what it must not:\n%s", strings.Join(tt.args, " "), recorded)
			}
			if tt.wantCode != 0 {
				return
			}
			bin := strings.TrimSpace(stdout.String())
			if bin != filepath.Join(tools, "bin") {
				t.Fatalf("printed %q, want the folder %s", bin, filepath.Join(tools, "bin"))
			}
			entries, err := os.ReadDir(bin)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if strings.Join(names, " ") != "node" {
				t.Errorf("%s holds %v, want only node", bin, names)
			}
			if v := nodeVersion(t, filepath.Join(bin, "node")); v != "v"+pinned {
				t.Errorf("%s/node is %s, want the pinned v%s", bin, v, pinned)
			}
			if _, err := os.Stat(filepath.Join(tools, "node-"+pinned, "include", "node", "node.h")); err != nil {
				t.Errorf("no C++ headers beside Node %s (npm ci builds node-pty against them): %v", pinned, err)
			}
		})
	}
}
