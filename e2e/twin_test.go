package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTwinMeasure runs bench/ts-twin/measure.sh as its README and
// internal/lazyprovider/README.md show it, one round, on the program as
// `go run main.go` builds it: the TypeScript twin is generated from the
// program's output, checked against it (no difference outside cdktf's
// metadata) and timed beside it, with a part left out as PARTS asks. Its
// figures are not checked here (numbers come from the script, on a quiet
// machine); that the command works from a clean clone is, and so does
// explain.sh after it.
func TestTwinMeasure(t *testing.T) {
	skipInShortMode(t)
	requireTool(t, "npm", "install Node.js 24 with npm")
	requireTool(t, "python3", "install Python 3")
	bin := synthesizer(t)
	cmd := exec.Command(filepath.Join(repoRoot(), "bench", "ts-twin", "measure.sh"), bin, "1")
	cmd.Env = append(cleanEnv(), "WORK="+filepath.Join(workDir, "ts-twin"), "SKIP_BARREL=1", "PARTS=defs")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("measure.sh: %v\n%s", err, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^total: \d+ resources, \d+ values compared, 0 differences outside metadata$`),
		regexp.MustCompile(`(?m)^go-default .* 0$`),
		regexp.MustCompile(`(?m)^go-without-defs .* 0$`),
		regexp.MustCompile(`(?m)^ts-twin .* 0$`),
		regexp.MustCompile(`(?m)^ratio go-default / ts-twin \(medians\): wall [0-9.]+, cpu [0-9.]+, tree peak [0-9.]+`),
	} {
		if !want.Match(out) {
			t.Errorf("measure.sh printed no line matching %s:\n%s", want, out)
		}
	}
	// explain.sh, as the twin's README shows it after measure.sh: the
	// per-process, per-phase split of the same synth, one run.
	explain := exec.Command(filepath.Join(repoRoot(), "bench", "ts-twin", "explain.sh"), bin, "1")
	explain.Env = append(cleanEnv(), "WORK="+filepath.Join(workDir, "ts-twin"))
	out, err = explain.CombinedOutput()
	if err != nil {
		t.Fatalf("explain.sh: %v\n%s", err, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^go-default: 0 failed$`),
		regexp.MustCompile(`(?m)^ts-twin: 0 failed$`),
		regexp.MustCompile(`(?m)^  kernel cpu +[0-9.]+ `),
		regexp.MustCompile(`(?m)^  root at tree peak +[0-9]+ `),
		regexp.MustCompile(`(?m)^ +[0-9.]+ +build \(create, get, invoke\)$`),
		regexp.MustCompile(`(?m)^ +[1-9][0-9]*\.0 +requests: create$`),
		regexp.MustCompile(`(?m)^ +[0-9.]+ +App.synth$`),
		regexp.MustCompile(`(?m)^== 3\. (the Go process's CPU|skipped)`),
	} {
		if !want.Match(out) {
			t.Errorf("explain.sh printed no line matching %s:\n%s", want, out)
		}
	}
	// Without a twin built by measure.sh it stops and says so.
	empty := exec.Command(filepath.Join(repoRoot(), "bench", "ts-twin", "explain.sh"), bin, "1")
	empty.Env = append(cleanEnv(), "WORK="+t.TempDir())
	if out, err := empty.CombinedOutput(); err == nil || !strings.Contains(string(out), "run measure.sh first") {
		t.Errorf("explain.sh without a twin: err %v, want a failure saying to run measure.sh first:\n%s", err, out)
	}
	if entries, err := os.ReadDir(filepath.Join(repoRoot(), "bench", "ts-twin")); err == nil {
		for _, e := range entries {
			if name := e.Name(); e.IsDir() || strings.HasPrefix(name, "cdktf") {
				t.Errorf("measure.sh left %s beside itself; it works in WORK", name)
			}
		}
	}
}
