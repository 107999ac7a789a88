package lazyprovider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestProviderLoadsLazily builds testdata/providerapp (one stack, an
// AwsProvider and a VPC, importing this package) and synthesizes it through
// the real jsii runtime with the hook on and off. It checks that this
// package's init ran before the first jsii package's, that the kernel made the
// real provider barrel lazy and did everything else the hook does in the jsii
// processes of the pinned jsii-runtime-go (see checkJSIIWork), and that the
// output is byte for byte the same.
func TestProviderLoadsLazily(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and synthesizes a CDKTF app twice (about 10 s)")
	}
	nodeBinary(t) // fails without node
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	work := t.TempDir()
	app := filepath.Join(work, "providerapp")
	build := exec.Command(goTool, "build", "-o", app, "./testdata/providerapp")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/providerapp: %v\n%s", err, out)
	}

	synth := func(name string, extraEnv ...string) (outdir, stderr string, reports []reportLine) {
		outdir = filepath.Join(work, name+".out")
		report := filepath.Join(work, name+".jsonl")
		cmd := exec.Command(app)
		cmd.Dir = work // the local backend's state path is made from it: same for both
		cmd.Env = append(cleanEnv(), "CDKTF_OUTDIR="+outdir, ReportEnv+"="+report, "GODEBUG=inittrace=1")
		cmd.Env = append(cmd.Env, extraEnv...)
		var errBuf bytes.Buffer
		cmd.Stderr = &errBuf
		if err := cmd.Run(); err != nil {
			t.Fatalf("providerapp (%s): %v\nstderr:\n%s", name, err, errBuf.String())
		}
		return outdir, errBuf.String(), readReport(t, report)
	}

	lazyOut, lazyStderr, lazyReports := synth("lazy")
	var lazy *reportLine
	for i, r := range lazyReports {
		if r.Event == "lazy" || r.Event == "fallback" {
			lazy = &lazyReports[i]
		}
	}
	switch {
	case lazy == nil:
		t.Errorf("no node process reported meeting the provider (events %v): the hook was not in NODE_OPTIONS when jsii started node", events(lazyReports))
	case lazy.Event != "lazy":
		t.Errorf("hook fell back on the real provider: %s", lazy.Reason)
	case lazy.Namespaces < 1000 || !strings.HasSuffix(filepath.ToSlash(lazy.File), "@cdktf/provider-aws/lib/index.js"):
		t.Errorf("hook made %d namespaces of %s lazy, want the provider's lib/index.js with over 1000", lazy.Namespaces, lazy.File)
	}
	if strings.Contains(lazyStderr, "fastshop lazyprovider:") {
		t.Errorf("warning on the real provider:\n%s", lazyStderr)
	}
	checkJSIIWork(t, lazyReports)
	self, first := initOrder(lazyStderr, "fastshop/internal/lazyprovider"), initOrder(lazyStderr, "github.com/aws/constructs-go/constructs/v10")
	if self < 0 || first < 0 || self > first {
		t.Errorf("init order: lazyprovider at %d, constructs (starts node) at %d; want lazyprovider first", self, first)
	}

	eagerOut, _, eagerReports := synth("eager", SwitchEnv+"=off")
	for _, r := range eagerReports {
		if r.Event != "off" {
			t.Errorf("with %s=off a node process reported %q, want only off", SwitchEnv, r.Event)
		}
	}
	const stackFile = "stacks/probe/cdk.tf.json"
	lazyJSON, err1 := os.ReadFile(filepath.Join(lazyOut, stackFile))
	eagerJSON, err2 := os.ReadFile(filepath.Join(eagerOut, stackFile))
	if err1 != nil || err2 != nil {
		t.Fatalf("reading synthesized stacks: %v, %v", err1, err2)
	}
	if !bytes.Equal(lazyJSON, eagerJSON) {
		t.Errorf("%s differs with the hook on and off:\non:  %s\noff: %s", stackFile, lazyJSON, eagerJSON)
	}
	if !bytes.Contains(lazyJSON, []byte(`"aws_vpc"`)) {
		t.Errorf("%s has no aws_vpc: %s", stackFile, lazyJSON)
	}
}

// initOrder returns the line index of pkg's entry in GODEBUG=inittrace output,
// or -1.
func initOrder(trace, pkg string) int {
	for i, line := range strings.Split(trace, "\n") {
		if strings.HasPrefix(line, "init "+pkg+" @") {
			return i
		}
	}
	return -1
}

// checkJSIIWork checks, from the hook's report of a synth through the real
// jsii runtime, that the hook did in the jsii processes all it does for the
// builds it knows (hook.js, "The jsii processes"). It fails when the pinned
// jsii-runtime-go embeds other builds than hook.js lists in JSII_BUILDS (see
// also TestKnownJSIIBuilds), or when cdktf's files changed shape.
func checkJSIIWork(t *testing.T, reports []reportLine) {
	t.Helper()
	roles := map[string]reportLine{}
	var got []string
	for _, r := range reports {
		switch r.Event {
		case "jsii":
			roles[r.Role] = r
		case "kernel-spawn":
			got = append(got, "kernel-spawn:"+r.Channel+":"+strings.Join(r.NodeOptions, " "))
			if r.Channel != "direct" {
				t.Errorf("the wrapper relayed the kernel's channel: %s", r.Reason)
			}
		case "channel":
			got = append(got, "channel:"+r.Mode)
		case "kernel-flags":
			got = append(got, "kernel-flags:"+strings.Join(r.Flags, " "))
		case "kernel-source-maps":
			got = append(got, "kernel-source-maps:"+r.Inline)
		case "lazy-require", "eager-require":
			got = append(got, r.Event+":"+r.Module)
		case "lazy-stack-trace", "eager-stack-trace":
			got = append(got, r.Event)
		case "lazy-defs":
			if strings.Contains(filepath.ToSlash(r.File), "@cdktf/provider-aws/") {
				got = append(got, "lazy-defs:provider")
			}
		}
	}
	for _, role := range []string{"wrapper", "kernel"} {
		if r, ok := roles[role]; !ok || !r.Known {
			t.Errorf("jsii %s: reported %+v, want a build hook.js knows", role, r)
		}
	}
	want := []string{
		"kernel-spawn:direct:--max-semi-space-size=1 --v8-pool-size=1",
		"kernel-flags:--max-opt=2",
		"kernel-source-maps:dropped",
		"channel:direct",
		"lazy-stack-trace",
		"lazy-require:semver",
		"lazy-require:archiver",
		"lazy-defs:provider",
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("hook report lacks %q; it has %v", w, got)
		}
	}
}
