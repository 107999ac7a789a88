package lazyprovider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestProviderLoadsLazily builds testdata/providerapp (one stack, an
// AwsProvider, a VPC and an output, importing this package) and synthesizes
// it through the real jsii runtime on the node the tests use (Node 24 or 22
// LTS): with the hook, with it off, and with node or the provider made to
// look like releases the hook does not know (testdata/simulate.js). It checks
// that this package's init ran before any package that can start node, that
// one node process did the work (the kernel, run directly by the launcher),
// that it made the real provider barrel lazy, trimmed cdktf and read the
// type definitions in rows as the hook does, that a synth prints nothing
// on stderr (no deprecation warning), that each unknown shape falls back with
// at most one warning, and that every output is byte for byte the same.
func TestProviderLoadsLazily(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and synthesizes a CDKTF app several times (about 20 s)")
	}
	node := nodeBinary(t)
	goTool := "go" // go test puts its own GOROOT/bin first on PATH
	work := t.TempDir()
	app := filepath.Join(work, "providerapp")
	build := exec.Command(goTool, "build", "-o", app, "./testdata/providerapp")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/providerapp: %v\n%s", err, out)
	}

	type synthRun struct {
		outdir, stderr string
		reports        []reportLine
	}
	synth := func(name string, extraEnv ...string) synthRun {
		outdir := filepath.Join(work, name+".out")
		report := filepath.Join(work, name+".jsonl")
		cmd := exec.Command(app)
		cmd.Dir = work // the local backend's state path is made from it: same for all
		cmd.Env = append(cleanEnv(), "CDKTF_OUTDIR="+outdir, ReportEnv+"="+report, "GODEBUG=inittrace=1", "JSII_NODE="+node,
			"PATH="+filepath.Dir(node)+string(os.PathListSeparator)+os.Getenv("PATH"))
		cmd.Env = append(cmd.Env, extraEnv...)
		var errBuf bytes.Buffer
		cmd.Stderr = &errBuf
		if err := cmd.Run(); err != nil {
			t.Fatalf("providerapp (%s): %v\nstderr:\n%s", name, err, errBuf.String())
		}
		return synthRun{outdir, errBuf.String(), readReport(t, report)}
	}
	const stackFile = "stacks/probe/cdk.tf.json"
	output := func(r synthRun) []byte {
		data, err := os.ReadFile(filepath.Join(r.outdir, stackFile))
		if err != nil {
			t.Fatalf("reading the synthesized stack: %v", err)
		}
		return data
	}

	lazy := synth("lazy")
	var provider *reportLine
	for i, r := range lazy.reports {
		if r.Event == "lazy" || r.Event == "fallback" {
			provider = &lazy.reports[i]
		}
	}
	switch {
	case provider == nil:
		t.Errorf("no node process reported meeting the provider (events %v): JSII_NODE was not the launcher when jsii started node", events(lazy.reports))
	case provider.Event != "lazy":
		t.Errorf("hook fell back on the real provider: %s", provider.Reason)
	case provider.Namespaces < 1000 || !strings.HasSuffix(filepath.ToSlash(provider.File), "@cdktf/provider-aws/lib/index.js"):
		t.Errorf("hook made %d namespaces of %s lazy, want the provider's lib/index.js with over 1000", provider.Namespaces, provider.File)
	}
	var parts []string
	pids := map[int]bool{}
	for _, r := range lazy.reports {
		pids[r.Pid] = true
		switch r.Event {
		case "lazy-require", "lazy-stack-trace", "lazy-defs", "direct", "relayed":
			parts = append(parts, strings.TrimSuffix(r.Event+":"+r.Module, ":"))
		}
	}
	slices.Sort(parts)
	if want := []string{"direct", "lazy-defs", "lazy-require:archiver", "lazy-require:semver", "lazy-stack-trace"}; !slices.Equal(parts, want) {
		t.Errorf("hook's parts did %v on the real jsii kernel and cdktf, want %v", parts, want)
	}
	if len(pids) != 1 {
		t.Errorf("%d node processes preloaded the hook, want 1 (the kernel, run without jsii's relay)", len(pids))
	}
	if stderr := withoutInitTrace(lazy.stderr); stderr != "" {
		t.Errorf("a synth with the hook printed on stderr, want nothing:\n%s", stderr)
	}
	checkInitOrder(t, lazy.stderr)
	want := output(lazy)
	if !bytes.Contains(want, []byte(`"aws_vpc"`)) || !bytes.Contains(want, []byte(`"cidr_block"`)) {
		t.Errorf("%s has no aws_vpc or no vpc output: %s", stackFile, want)
	}

	off := synth("off", SwitchEnv+"=off")
	for _, r := range off.reports {
		if r.Event != "off" {
			t.Errorf("with %s=off a node process reported %q, want only off", SwitchEnv, r.Event)
		}
	}
	// Stock node prints the warning the hook silences: the assertion above
	// can fail.
	if !strings.Contains(off.stderr, "DEP0044") {
		t.Errorf("with the hook off, want node's DEP0044 warning on stderr; got:\n%s", withoutInitTrace(off.stderr))
	}
	if got := output(off); !bytes.Equal(got, want) {
		t.Errorf("%s differs with the hook on and off:\non:  %s\noff: %s", stackFile, want, got)
	}

	// Releases the hook does not know: stock behaviour, the same output, and
	// at most one warning of ours.
	tests := []struct {
		simulate    string
		wantWarning string // in our one warning line; "" for none
	}{
		{"no-register-hooks", "has no module.registerHooks"},
		{"register-hooks-throws", "module.registerHooks failed"},
		{"barrel-shape", "lib/index.js has an unexpected shape"},
		{"cdktf-shape", "fastshop lazyprovider: cdktf's"},
		{"kernel-shape", "fastshop lazyprovider: the jsii kernel"},
		{"kernel-channel-shape", "running the jsii kernel through jsii's relay"},
	}
	for _, tt := range tests {
		r := synth(tt.simulate, "FASTSHOP_TEST_SIMULATE="+tt.simulate,
			"NODE_OPTIONS=--max-old-space-size=4069 --require="+quote(simulateFile(t)))
		if got := output(r); !bytes.Equal(got, want) {
			t.Errorf("%s: %s differs from the lazy synth's:\n%s\nwant:\n%s", tt.simulate, stackFile, got, want)
		}
		ours := strings.Count(r.stderr, "fastshop lazyprovider:")
		if tt.wantWarning == "" && ours != 0 || tt.wantWarning != "" && (ours != 1 || !strings.Contains(r.stderr, tt.wantWarning)) {
			t.Errorf("%s: stderr has %d warnings of ours, want %d mentioning %q:\n%s",
				tt.simulate, ours, min(len(tt.wantWarning), 1), tt.wantWarning, withoutInitTrace(r.stderr))
		}
	}
}

// withoutInitTrace drops GODEBUG=inittrace=1 lines from stderr.
func withoutInitTrace(stderr string) string {
	var kept []string
	for _, line := range strings.Split(stderr, "\n") {
		if line != "" && !strings.HasPrefix(line, "init ") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// checkInitOrder checks, in GODEBUG=inittrace=1 output of providerapp, that
// this package (by the path go list gives it) was initialized before every
// package that imports the jsii runtime, any of which may start node.
func checkInitOrder(t *testing.T, trace string) {
	t.Helper()
	self := goList(t, "-f", "{{.ImportPath}}", ".")[0]
	var jsiiUsers []string
	for _, line := range goList(t, "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./testdata/providerapp") {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, "github.com/aws/jsii-runtime-go/") && !strings.HasPrefix(fields[0], "github.com/aws/jsii-runtime-go/") {
				jsiiUsers = append(jsiiUsers, fields[0])
				break
			}
		}
	}
	if len(jsiiUsers) == 0 {
		t.Fatal("go list finds no package of providerapp that imports the jsii runtime")
	}
	at := initOrder(trace, self)
	if at < 0 {
		t.Fatalf("inittrace has no init of %s:\n%s", self, trace)
	}
	traced := 0
	for _, pkg := range jsiiUsers {
		other := initOrder(trace, pkg)
		if other < 0 {
			continue // no init work: inittrace leaves it out
		}
		traced++
		if other < at {
			t.Errorf("init order: %s (imports the jsii runtime, may start node) at %d, before %s at %d", pkg, other, self, at)
		}
	}
	if traced == 0 {
		t.Errorf("inittrace shows none of %v, which import the jsii runtime: nothing to order against", jsiiUsers)
	}
}

// goList runs go list with args in this package's directory and returns its
// output lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// initOrder returns the line index of pkg's entry in GODEBUG=inittrace
// output, or -1.
func initOrder(trace, pkg string) int {
	for i, line := range strings.Split(trace, "\n") {
		if strings.HasPrefix(line, "init "+pkg+" @") {
			return i
		}
	}
	return -1
}
