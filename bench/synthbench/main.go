// Command synthbench measures how long a synth takes and how much memory it
// needs, with and without the lazy provider hook (fastshop/internal/lazyprovider):
//
//	go run ./bench/synthbench [-runs 5] [-warmup 1]
//
// It builds the repository's main package once (what `go run main.go`, the
// cdktf.json app, compiles) and bench/providerapp (one stack, an AwsProvider
// and a VPC: the provider's fixed cost alone), then runs the binaries in
// rounds, every variant once per round in a rotating order, so background
// load falls on all of them alike. The first -warmup rounds are discarded;
// the table shows medians of the others.
//
// Variants:
//
//	full          every environment, hook on (the default)
//	full-off      the same with FASTSHOP_LAZY_PROVIDER=off (eager provider)
//	provider      bench/providerapp, hook on
//	provider-off  bench/providerapp, hook off
//
// Wall time runs from starting the binary to its exit. Memory is sampled
// every -interval from /proc: the resident set (statm) of the binary and all
// its descendants (the jsii wrapper node process and the kernel node process),
// summed per sample; the table shows the peak of that sum ("tree") and the
// peak of the largest single process ("largest", the kernel). RSS counts
// pages shared between processes (node's own code, in both node processes)
// once per process, so "tree" is a little above the true total; sampling can
// miss a peak shorter than the interval, though memory here grows over
// seconds. /usr/bin/time -v would give only the largest single process, and
// cgroup memory.peak also counts the page cache of the 206 MB of provider
// JavaScript read from disk.
//
// Each run gets its own CDKTF_OUTDIR and TMPDIR under a temporary directory,
// and all runs share one working directory (the local backend writes state
// paths made from it into cdk.tf.json), so cdktf.out in the repository is
// left alone and outputs of the hook on and off can be compared byte for
// byte. Each node process reports through FASTSHOP_LAZY_PROVIDER_REPORT what
// the hook did, which the table shows, so a binary that does not import the
// hook, or a provider whose index.js changed shape, is noticed.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

type variant struct {
	name string
	what string
	app  string // binary
	off  bool
}

type result struct {
	wall       time.Duration
	treeRSS    int64 // bytes, peak of the sum over the process tree
	largestRSS int64 // bytes, peak of the largest single process
	hook       string
	outdir     string
	leaked     int // jsii-runtime.* directories left in TMPDIR
}

func main() {
	runs := flag.Int("runs", 5, "measured rounds (each runs every variant once)")
	warmup := flag.Int("warmup", 1, "rounds run first and discarded")
	interval := flag.Duration("interval", 20*time.Millisecond, "memory sampling interval")
	only := flag.String("variants", "full,full-off,provider,provider-off", "comma-separated variants to run")
	keep := flag.Bool("keep", false, "keep the temporary directory (binaries, outputs, reports)")
	flag.Parse()
	if err := run(*runs, *warmup, *interval, strings.Split(*only, ","), *keep); err != nil {
		fmt.Fprintln(os.Stderr, "synthbench:", err)
		os.Exit(1)
	}
}

func run(runs, warmup int, interval time.Duration, only []string, keep bool) error {
	if runs < 1 || warmup < 0 {
		return fmt.Errorf("-runs %d -warmup %d: want at least one run and no negative warm-up", runs, warmup)
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "synthbench-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintln(os.Stderr, "keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	fullTarget, fullNote := ".", ""
	if _, err := os.Stat(filepath.Join(root, "main.go")); err != nil {
		fullTarget, fullNote = "./bench/providerapp", " (no main.go yet: bench/providerapp stands in)"
	}
	fullApp, providerApp := filepath.Join(tmp, "fastshop"), filepath.Join(tmp, "providerapp")
	var fullFlags []string
	if fullTarget == "." && !importsHook(root, ".") {
		// Measure what the app will be once it imports the hook, without
		// touching its files: an overlay adds the import to package main.
		overlay, err := hookOverlay(root, tmp)
		if err != nil {
			return err
		}
		fullFlags = []string{"-overlay", overlay}
		fullNote = " (import of lazyprovider added by synthbench's -overlay: the app lacks it)"
	}
	for _, b := range []struct {
		out, pkg string
		flags    []string
	}{{fullApp, fullTarget, fullFlags}, {providerApp, "./bench/providerapp", nil}} {
		fmt.Fprintf(os.Stderr, "building %s\n", b.pkg)
		args := append(append([]string{"build", "-o", b.out}, b.flags...), b.pkg)
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	all := []variant{
		{"full", "every environment" + fullNote, fullApp, false},
		{"full-off", "every environment, FASTSHOP_LAZY_PROVIDER=off", fullApp, true},
		{"provider", "bench/providerapp: 1 stack, AwsProvider + VPC", providerApp, false},
		{"provider-off", "bench/providerapp, FASTSHOP_LAZY_PROVIDER=off", providerApp, true},
	}
	var variants []variant
	for _, v := range all {
		if slices.Contains(only, v.name) {
			variants = append(variants, v)
		}
	}
	if len(variants) == 0 {
		return fmt.Errorf("-variants %q names none of full, full-off, provider, provider-off", strings.Join(only, ","))
	}

	work := filepath.Join(tmp, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		return err
	}
	results := map[string][]result{}
	for round := 0; round < warmup+runs; round++ {
		label := fmt.Sprintf("round %d/%d", round+1-warmup, runs)
		if round < warmup {
			label = fmt.Sprintf("warm-up %d/%d", round+1, warmup)
		}
		for i := range variants {
			v := variants[(i+round)%len(variants)]
			r, err := runOnce(v, tmp, work, fmt.Sprintf("%s-%d", v.name, round), interval)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%s %-13s %6.2f s  tree %4d MB  largest %4d MB  hook %s\n",
				label, v.name, r.wall.Seconds(), mb(r.treeRSS), mb(r.largestRSS), r.hook)
			if round >= warmup {
				results[v.name] = append(results[v.name], r)
			}
		}
	}

	printMachine(root)
	printTable(variants, results, runs, warmup, interval)
	printRatios(results)
	return printChecks(variants, results)
}

const hookPackage = "fastshop/internal/lazyprovider"

// importsHook reports whether pkg (in root) imports the hook package.
func importsHook(root, pkg string) bool {
	cmd := exec.Command("go", "list", "-deps", pkg)
	cmd.Dir = root
	out, err := cmd.Output()
	return err == nil && slices.Contains(strings.Fields(string(out)), hookPackage)
}

// hookOverlay writes a go build -overlay file that adds to the root package
// main one file importing the hook, and returns its path.
func hookOverlay(root, tmp string) (string, error) {
	src := filepath.Join(tmp, "synthbench_lazyprovider.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport _ \""+hookPackage+"\"\n"), 0o644); err != nil {
		return "", err
	}
	overlay, err := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(root, "zz_synthbench_lazyprovider.go"): src},
	})
	if err != nil {
		return "", err
	}
	path := filepath.Join(tmp, "overlay.json")
	return path, os.WriteFile(path, overlay, 0o644)
}

// runOnce runs one variant's binary with its own output and temporary
// directories, sampling the memory of its process tree until it exits.
func runOnce(v variant, tmp, work, id string, interval time.Duration) (result, error) {
	r := result{outdir: filepath.Join(tmp, "out", id)}
	tmpdir := filepath.Join(tmp, "tmp", id)
	report := filepath.Join(tmp, "reports", id+".jsonl")
	for _, dir := range []string{tmpdir, filepath.Dir(report), filepath.Dir(r.outdir)} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return r, err
		}
	}
	cmd := exec.Command(v.app)
	cmd.Dir = work
	cmd.Env = environ(
		"CDKTF_OUTDIR="+r.outdir,
		"TMPDIR="+tmpdir,
		"FASTSHOP_LAZY_PROVIDER_REPORT="+report,
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
		"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1",
	)
	if v.off {
		cmd.Env = append(cmd.Env, "FASTSHOP_LAZY_PROVIDER=off")
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	sample := func() {
		tree, largest := treeRSS(cmd.Process.Pid)
		r.treeRSS = max(r.treeRSS, tree)
		r.largestRSS = max(r.largestRSS, largest)
	}
	sample()
	for {
		select {
		case err := <-done:
			r.wall = time.Since(start)
			if err != nil {
				return r, fmt.Errorf("%s (%s): %v\n%s", v.name, v.app, err, stderr.String())
			}
			r.hook = hookStatus(report, v.off)
			leaked, _ := filepath.Glob(filepath.Join(tmpdir, "jsii-runtime.*"))
			r.leaked = len(leaked)
			return r, nil
		case <-ticker.C:
			sample()
		}
	}
}

// environ is this process's environment without the variables a run sets.
func environ(set ...string) []string {
	drop := []string{"CDKTF_OUTDIR", "TMPDIR", "FASTSHOP_LAZY_PROVIDER", "FASTSHOP_LAZY_PROVIDER_REPORT"}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, name) {
			env = append(env, kv)
		}
	}
	return append(env, set...)
}

var pageSize = int64(os.Getpagesize())

// treeRSS returns the summed resident set of pid and its descendants, and the
// largest single one, in bytes.
func treeRSS(root int) (sum, largest int64) {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(fields[1]); err == nil {
			children[ppid] = append(children[ppid], pid)
		}
	}
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = append(queue[1:], children[pid]...)
		statm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
		if err != nil {
			continue
		}
		fields := strings.Fields(string(statm))
		if len(fields) < 2 {
			continue
		}
		pages, _ := strconv.ParseInt(fields[1], 10, 64)
		sum += pages * pageSize
		largest = max(largest, pages*pageSize)
	}
	return sum, largest
}

// hookStatus summarizes the report the hook's node processes wrote. Switched
// off, the Go side does not even put the hook into NODE_OPTIONS.
func hookStatus(report string, off bool) string {
	data, err := os.ReadFile(report)
	if errors.Is(err, fs.ErrNotExist) {
		if off {
			return "off"
		}
		return "ABSENT (the binary does not import lazyprovider)"
	}
	status := "loaded, provider not met"
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e struct {
			Event      string `json:"event"`
			Reason     string `json:"reason"`
			Namespaces int    `json:"namespaces"`
		}
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		switch e.Event {
		case "lazy":
			return fmt.Sprintf("lazy (%d namespaces)", e.Namespaces)
		case "fallback":
			return "FELL BACK: " + e.Reason
		case "off":
			status = "off"
		}
	}
	return status
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run synthbench inside the fastshop module (go run ./bench/synthbench)")
	}
	return filepath.Dir(gomod), nil
}

func printMachine(root string) {
	fmt.Println("## Machine")
	fmt.Println()
	fmt.Printf("- CPU: %d cores, %s\n", runtime.NumCPU(), procField("/proc/cpuinfo", "model name"))
	if kb, err := strconv.ParseInt(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 10, 64); err == nil {
		fmt.Printf("- memory: %.1f GiB\n", float64(kb)/(1<<20))
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("- load average at the end: %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = "node"
	}
	fmt.Printf("- node: %s (%s)\n", command(node, "--version"), node)
	fmt.Printf("- go: %s\n", command("go", "env", "GOVERSION"))
	mods := exec.Command("go", "list", "-m", "-f", "{{.Path}} {{.Version}}",
		"github.com/aws/jsii-runtime-go", "github.com/hashicorp/terraform-cdk-go/cdktf", "github.com/cdktf/cdktf-provider-aws-go/aws/v19")
	mods.Dir = root
	if out, err := mods.Output(); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			fmt.Printf("- %s\n", line)
		}
	}
	fmt.Println()
}

func procField(file, key string) string {
	f, err := os.Open(file)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if k, v, ok := strings.Cut(scanner.Text(), ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func command(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return strings.TrimSpace(string(out))
}

func printTable(variants []variant, results map[string][]result, runs, warmup int, interval time.Duration) {
	fmt.Printf("## Synth: medians of %d runs (after %d warm-up), interleaved; memory sampled every %v\n\n", runs, warmup, interval)
	fmt.Println("| variant | what | hook | wall (s) | wall min-max (s) | peak RSS, process tree (MB) | peak RSS, largest process (MB) |")
	fmt.Println("| --- | --- | --- | ---: | ---: | ---: | ---: |")
	for _, v := range variants {
		rs := results[v.name]
		walls := collect(rs, func(r result) float64 { return r.wall.Seconds() })
		fmt.Printf("| %s | %s | %s | %.2f | %.2f-%.2f | %.0f | %.0f |\n", v.name, v.what, rs[len(rs)-1].hook,
			median(walls), slices.Min(walls), slices.Max(walls),
			median(collect(rs, func(r result) float64 { return float64(mb(r.treeRSS)) })),
			median(collect(rs, func(r result) float64 { return float64(mb(r.largestRSS)) })))
	}
	fmt.Println()
}

func printRatios(results map[string][]result) {
	for _, pair := range [][2]string{{"full", "full-off"}, {"provider", "provider-off"}} {
		on, off := results[pair[0]], results[pair[1]]
		if len(on) == 0 || len(off) == 0 {
			continue
		}
		wall := func(r result) float64 { return r.wall.Seconds() }
		tree := func(r result) float64 { return float64(r.treeRSS) }
		largest := func(r result) float64 { return float64(r.largestRSS) }
		fmt.Printf("- %s vs %s: %.1fx faster, %.1fx less memory (tree), %.1fx less (largest process)\n", pair[0], pair[1],
			median(collect(off, wall))/median(collect(on, wall)),
			median(collect(off, tree))/median(collect(on, tree)),
			median(collect(off, largest))/median(collect(on, largest)))
	}
}

// printChecks compares each run's synthesized files with the first run of the
// same binary (hook on or off must not change a byte) and reports leftovers.
func printChecks(variants []variant, results map[string][]result) error {
	var problems []string
	first := map[string]string{} // app -> outdir of its first run
	leaked := 0
	for _, v := range variants {
		for _, r := range results[v.name] {
			leaked += r.leaked
			ref, ok := first[v.app]
			if !ok {
				first[v.app] = r.outdir
				continue
			}
			if diff := compareDirs(ref, r.outdir); diff != "" {
				problems = append(problems, fmt.Sprintf("%s: output differs from %s: %s", v.name, ref, diff))
			}
		}
	}
	for app, dir := range first {
		stacks, _ := filepath.Glob(filepath.Join(dir, "stacks", "*", "cdk.tf.json"))
		var names []string
		for _, s := range stacks {
			names = append(names, filepath.Base(filepath.Dir(s)))
		}
		fmt.Printf("- %s synthesized stacks: %s\n", filepath.Base(app), strings.Join(names, ", "))
	}
	fmt.Printf("- outputs byte-identical across runs and hook on/off: %v\n", len(problems) == 0)
	fmt.Printf("- jsii-runtime.* directories left in TMPDIR after all runs: %d\n", leaked)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// compareDirs returns "" when both trees hold the same files with the same
// bytes, or the first difference.
func compareDirs(a, b string) string {
	files := func(root string) map[string][]byte {
		out := map[string][]byte{}
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(root, path)
				out[rel], _ = os.ReadFile(path)
			}
			return nil
		})
		return out
	}
	fa, fb := files(a), files(b)
	if len(fa) == 0 {
		return "no files in " + a
	}
	for name, data := range fa {
		other, ok := fb[name]
		if !ok {
			return name + " missing"
		}
		if !bytes.Equal(data, other) {
			return name + " differs"
		}
	}
	if len(fb) != len(fa) {
		return fmt.Sprintf("%d files, want %d", len(fb), len(fa))
	}
	return ""
}

func collect(rs []result, f func(result) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func mb(bytes int64) int64 { return bytes / (1 << 20) }
