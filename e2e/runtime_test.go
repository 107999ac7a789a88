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
