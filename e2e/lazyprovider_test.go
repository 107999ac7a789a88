package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

// TestLazyProviderOutputIdentical compares synthAll's output (the default:
// hook on, its report recorded, the embedded tarballs' pages given back)
// with a synth with the hook off and the pages kept. One
// comparison proves three things: the hook ran and made the provider lazy
// (the report), it does not change the output, and two processes given the
// same input write the same bytes (determinism: a map iterated into the JSON
// or a timestamp would make the two runs differ).
func TestLazyProviderOutputIdentical(t *testing.T) {
	skipInShortMode(t)
	on := synthAll(t)
	off := synthesize(t, "ENVIRONMENT_SUFFIX="+ephemeralSuffix, "FASTSHOP_LAZY_PROVIDER=off",
		"FASTSHOP_LAZY_PROVIDER_SKIP=tarball-pages")
	if off.Err != nil {
		t.Fatalf("synth with FASTSHOP_LAZY_PROVIDER=off failed: %v\n%s", off.Err, off.Stderr)
	}
	events, err := os.ReadFile(synthAllReport())
	if err != nil {
		t.Fatalf("the default synth did not run the lazy provider hook (no report): %v", err)
	}
	if !strings.Contains(string(events), `"event":"lazy"`) {
		t.Errorf("the default synth loaded the provider eagerly; hook report:\n%s", events)
	}
	stacks := gatedStacks(t)
	if offStacks, err := readManifest(off.Outdir); err != nil || !slices.Equal(offStacks, stacks) {
		t.Fatalf("with FASTSHOP_LAZY_PROVIDER=off the synth wrote stacks %v (%v); the default synth %v", offStacks, err, stacks)
	}
	for _, stack := range stacks {
		a, errA := os.ReadFile(stackJSONPath(on, stack))
		b, errB := os.ReadFile(stackJSONPath(off.Outdir, stack))
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v %v", stack, errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: cdk.tf.json differs between two synths, the second with FASTSHOP_LAZY_PROVIDER=off and the tarball pages kept", stack)
		}
	}
}

// TestSynthPrintsNothing checks that synthAll's run, on the node the tests
// use (JSII_NODE, else node on PATH: scripts/test puts Node 24 first; the
// jsii runtime picks the same), printed nothing on stderr but the one
// placeholder-account warning the configuration calls for: no end-of-life
// banner from the jsii runtime, no deprecation warning from a dependency, no
// warning of the lazy provider hook. An older node than 22 fails the test
// (skips it locally with FASTSHOP_SKIP_MISSING_TOOLS=1): it is not supported,
// and the jsii runtime prints its banner on it.
func TestSynthPrintsNothing(t *testing.T) {
	skipInShortMode(t)
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
	synthAll(t)
	if want := expectedSynthStderr(t, config.VarSuffix+"="+ephemeralSuffix); synthAllResult.Stderr != want {
		t.Errorf("a synth on node %s printed on stderr:\n%s\nwant only:\n%s", version, synthAllResult.Stderr, want)
	}
}

// expectedSynthStderr is what a sound synth with these settings prints: the
// placeholder-account warning main prints while the environment table holds
// placeholder accounts (config.Placeholders), and nothing else.
func expectedSynthStderr(t *testing.T, env ...string) string {
	t.Helper()
	settings := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		settings[k] = v
	}
	cfg, err := config.Select(func(k string) string { return settings[k] })
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Placeholders(); w != "" {
		return "fastshop: warning: " + w + "\n"
	}
	return ""
}
