package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLazyProviderOutputIdentical synthesizes every environment with the
// lazy provider hook (the default) and without it: the hook must have made
// the provider lazy in the default run, and every stack must come out byte
// for byte the same.
func TestLazyProviderOutputIdentical(t *testing.T) {
	report := filepath.Join(workDir, "lazy-report.jsonl")
	on := synthesize(t, "ENVIRONMENT_SUFFIX="+ephemeralSuffix, "FASTSHOP_LAZY_PROVIDER_REPORT="+report)
	off := synthesize(t, "ENVIRONMENT_SUFFIX="+ephemeralSuffix, "FASTSHOP_LAZY_PROVIDER=off")
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
			t.Errorf("%s: cdk.tf.json differs with FASTSHOP_LAZY_PROVIDER=off", stack)
		}
	}
}
