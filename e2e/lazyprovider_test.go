package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLazyProviderOutputIdentical synthesizes every environment with the
// lazy provider hook and the embedded tarballs' pages given back (the
// default) and without either: the hook must have made the provider lazy in
// the default run, and every stack must come out byte for byte the same.
func TestLazyProviderOutputIdentical(t *testing.T) {
	report := filepath.Join(workDir, "lazy-report.jsonl")
	on := synthesize(t, "ENVIRONMENT_SUFFIX="+ephemeralSuffix, "FASTSHOP_LAZY_PROVIDER_REPORT="+report)
	off := synthesize(t, "ENVIRONMENT_SUFFIX="+ephemeralSuffix, "FASTSHOP_LAZY_PROVIDER=off",
		"FASTSHOP_LAZY_PROVIDER_SKIP=tarball-pages")
	for _, r := range []synthResult{on, off} {
		if r.Err != nil {
			t.Fatalf("synth failed: %v\n%s", r.Err, r.Stderr)
		}
	}
	events, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("the default synth did not run the lazy provider hook (no report): %v", err)
	}
	if !strings.Contains(string(events), `"event":"lazy"`) {
		t.Errorf("the default synth loaded the provider eagerly; hook report:\n%s", events)
	}
	for _, stack := range stackNames {
		a, errA := os.ReadFile(stackJSONPath(on.Outdir, stack))
		b, errB := os.ReadFile(stackJSONPath(off.Outdir, stack))
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v %v", stack, errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: cdk.tf.json differs with FASTSHOP_LAZY_PROVIDER=off and the tarball pages kept", stack)
		}
	}
}

// TestSynthPrintsNothing synthesizes every environment on the node the tests
// use (JSII_NODE, else node on PATH: scripts/test puts Node 24 first) and
// checks that the program prints nothing on stderr: no end-of-life banner
// from the jsii runtime, no deprecation warning from a dependency, no warning
// of the lazy provider hook. An older node than 22 fails the test (skips it
// locally with FASTSHOP_SKIP_MISSING_TOOLS=1): it is not supported, and the
// jsii runtime prints its banner on it.
func TestSynthPrintsNothing(t *testing.T) {
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = requireTool(t, "node", "install Node.js 24 (or 22 LTS)")
	}
	out, err := exec.Command(node, "--version").Output()
	version := strings.TrimSpace(string(out))
	var major int
	if _, scanErr := fmt.Sscanf(version, "v%d.", &major); err != nil || scanErr != nil || major < 22 {
		missingTool(t, fmt.Sprintf("%s is node %q (err: %v): the supported runtimes are Node 24 and 22 LTS "+
			"(scripts/install-tools installs Node 24; JSII_NODE or PATH picks it)", node, version, err))
	}
	r := synthesize(t, "ENVIRONMENT_SUFFIX="+ephemeralSuffix, "JSII_NODE="+node)
	if r.Err != nil {
		t.Fatalf("synth failed: %v\n%s", r.Err, r.Stderr)
	}
	if r.Stderr != "" {
		t.Errorf("a synth on node %s printed on stderr, want nothing:\n%s", version, r.Stderr)
	}
}
