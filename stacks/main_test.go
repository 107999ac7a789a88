package stacks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"fastshop/internal/lazyprovider"
)

// TestMain stops the jsii kernel after the tests so that its temporary
// runtime folder does not outlive the test binary.
func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// TestLazyProviderInstalled proves the go test entry point synthesizes with
// the lazy provider hook (the e2e tests prove it for the program).
func TestLazyProviderInstalled(t *testing.T) {
	if v := os.Getenv(lazyprovider.SwitchEnv); v != "" {
		t.Skipf("%s=%s: the hook is switched off for this run", lazyprovider.SwitchEnv, v)
	}
	if !lazyprovider.Enabled() {
		t.Fatalf("the lazy provider hook is not installed: %v", lazyprovider.Err())
	}
	// init points JSII_NODE at the launcher, which runs the kernel with the
	// hook preloaded (internal/lazyprovider/README.md).
	node := os.Getenv("JSII_NODE")
	if base := filepath.Base(node); !strings.HasPrefix(base, "launcher-") || !strings.HasSuffix(base, ".sh") {
		t.Errorf("JSII_NODE = %q; want lazyprovider's launcher", node)
	}
	hook := os.Getenv("FASTSHOP_LAZY_PROVIDER_HOOK")
	if info, err := os.Stat(hook); err != nil || !info.Mode().IsRegular() || filepath.Ext(hook) != ".js" {
		t.Errorf("FASTSHOP_LAZY_PROVIDER_HOOK = %q (%v); want the hook file the launcher preloads", hook, err)
	}
}

// TestJSIIRuntimeHasRuntimeIndex pins jsii-runtime-go at a version that
// reads the assembly's runtime index (v1.136.0 on); without the pin Go picks
// v1.111.0, which parses the 120 MB assembly on every synth (+1.8 s).
func TestJSIIRuntimeHasRuntimeIndex(t *testing.T) {
	goMod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	const module = "github.com/aws/jsii-runtime-go "
	for _, line := range strings.Split(string(goMod), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, module) {
			continue
		}
		var major, minor, patch int
		if _, err := fmt.Sscanf(strings.TrimPrefix(line, module), "v%d.%d.%d", &major, &minor, &patch); err != nil {
			t.Fatalf("go.mod: %q: %v", line, err)
		}
		if major < 1 || major == 1 && minor < 136 {
			t.Errorf("go.mod pins %s; want v1.136.0 or later", line)
		}
		return
	}
	t.Fatal("go.mod does not require jsii-runtime-go explicitly; without a pin Go picks v1.111.0")
}
