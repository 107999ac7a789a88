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
//	full-off      the same with FASTSHOP_LAZY_PROVIDER=off (none of lazyprovider:
//	              eager provider, jsii processes as jsii-runtime-go starts them)
//	provider      bench/providerapp, hook on
//	provider-off  bench/providerapp, hook off
//
// What is measured, per run:
//
//   - wall: from starting the binary to its exit (so it includes Go's start,
//     both node processes' start, the jsii handshake, loading every package,
//     the synth, writing the files and shutting node down).
//   - CPU: user plus system time of the binary and of the descendants it
//     waited for (the wrapper, which waits for the kernel), from wait4. It
//     moves less than wall time when other work shares the machine.
//   - memory: every -interval, the resident set size (VmRSS, from
//     /proc/<pid>/statm) of each process of the run, by role: "Go" (the
//     binary), "wrapper" (the node process jsii-runtime-go starts, which only
//     starts the kernel and relays the pipes) and "kernel" (the node process
//     running the jsii kernel, where the JavaScript runs). Any other
//     descendant counts in the tree only. The table shows the peak over the
//     run of: the sum of all ("tree"), the sum of Go and kernel ("Go + kernel",
//     the figure the issue names) and each role alone. Peaks are of sampled
//     sums, so the tree peak can be below the sum of the per-role peaks.
//
// RSS counts pages shared between processes once per process: node's own
// code (about 40 MB, in both node processes) is in both the wrapper's and
// the kernel's figure, and the Go binary's figure includes the file-backed
// pages of its embedded provider tarball (34 MB) that jsii-runtime-go
// touched to write it out. So "tree" is above the memory the run really
// needs, in every variant alike. Sampling can miss a peak shorter than the
// interval, though memory here grows over hundreds of milliseconds.
// /usr/bin/time -v would give only the largest single process, and cgroup
// memory.peak also counts the page cache of the 206 MB of provider JavaScript
// read from disk.
//
// The summary compares full with full-off (and provider with provider-off)
// on the median of each column, and says whether the targets hold:
// at least 3x faster, and at least 3x less peak memory.
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
	cpu        time.Duration // user + system time of the binary and its descendants
	treeRSS    int64         // bytes, peak of the sum over the process tree
	goKernel   int64         // bytes, peak of the sum of the Go process and the kernel
	goRSS      int64         // bytes, peak of the Go process
	wrapperRSS int64         // bytes, peak of the jsii wrapper node process
	kernelRSS  int64         // bytes, peak of the jsii kernel node process
	hook       string
	outdir     string
	leaked     int // jsii-runtime.* directories left in TMPDIR
}

// columns are the measured quantities, for the table and the ratios.
var columns = []struct {
	name   string
	memory bool
	target bool // the issue sets a target for it
	get    func(result) float64
}{
	{"wall (s)", false, true, func(r result) float64 { return r.wall.Seconds() }},
	{"CPU (s)", false, false, func(r result) float64 { return r.cpu.Seconds() }},
	{"peak RSS, tree (MB)", true, true, func(r result) float64 { return float64(mb(r.treeRSS)) }},
	{"peak RSS, Go + kernel (MB)", true, true, func(r result) float64 { return float64(mb(r.goKernel)) }},
	{"Go (MB)", true, false, func(r result) float64 { return float64(mb(r.goRSS)) }},
	{"wrapper (MB)", true, false, func(r result) float64 { return float64(mb(r.wrapperRSS)) }},
	{"kernel (MB)", true, false, func(r result) float64 { return float64(mb(r.kernelRSS)) }},
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

	loadStart := loadAverage()
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
			fmt.Fprintf(os.Stderr, "%s %-13s %6.2f s (CPU %5.2f s)  tree %4d MB  Go+kernel %4d MB (Go %3d, wrapper %3d, kernel %4d)  hook %s\n",
				label, v.name, r.wall.Seconds(), r.cpu.Seconds(), mb(r.treeRSS), mb(r.goKernel), mb(r.goRSS), mb(r.wrapperRSS), mb(r.kernelRSS), r.hook)
			if round >= warmup {
				results[v.name] = append(results[v.name], r)
			}
		}
	}

	printMachine(root, loadStart)
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
		m := sampleTree(cmd.Process.Pid)
		r.treeRSS = max(r.treeRSS, m.tree)
		r.goKernel = max(r.goKernel, m.goRSS+m.kernelRSS)
		r.goRSS = max(r.goRSS, m.goRSS)
		r.wrapperRSS = max(r.wrapperRSS, m.wrapperRSS)
		r.kernelRSS = max(r.kernelRSS, m.kernelRSS)
	}
	sample()
	for {
		select {
		case err := <-done:
			r.wall = time.Since(start)
			// wait4 counts the descendants the process waited for: Go waits
			// for the wrapper, and the wrapper for the kernel.
			r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
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

// treeSample is one reading of the resident sets of a run's processes.
type treeSample struct {
	tree                         int64 // every process of the tree
	goRSS, wrapperRSS, kernelRSS int64
}

// sampleTree reads the resident set of root (the Go binary) and its
// descendants, in bytes: its node children are jsii wrappers, and their node
// children kernels (jsii-runtime-go starts one of each).
func sampleTree(root int) treeSample {
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
	var s treeSample
	type node struct{ pid, depth int }
	queue := []node{{root, 0}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, c := range children[n.pid] {
			queue = append(queue, node{c, n.depth + 1})
		}
		rss := residentSet(n.pid)
		s.tree += rss
		switch {
		case n.depth == 0:
			s.goRSS += rss
		case n.depth == 1 && isNode(n.pid):
			s.wrapperRSS += rss
		case n.depth == 2 && isNode(n.pid):
			s.kernelRSS += rss
		}
	}
	return s
}

// residentSet returns the resident set size of pid in bytes, 0 if it is gone.
func residentSet(pid int) int64 {
	statm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(statm))
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * pageSize
}

// isNode reports whether pid runs node (its command name is node, or it runs
// $JSII_NODE).
func isNode(pid int) bool {
	comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return false
	}
	name := strings.TrimSpace(string(comm))
	if name == "node" || strings.HasPrefix(name, "node") {
		return true
	}
	custom := os.Getenv("JSII_NODE")
	return custom != "" && strings.HasPrefix(filepath.Base(custom), name)
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
	provider := "provider not met"
	var notes []string
	note := func(n string) {
		if !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	defs := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e struct {
			Event       string   `json:"event"`
			Reason      string   `json:"reason"`
			Namespaces  int      `json:"namespaces"`
			Module      string   `json:"module"`
			Role        string   `json:"role"`
			Known       bool     `json:"known"`
			Channel     string   `json:"channel"`
			NodeOptions []string `json:"nodeOptions"`
			Flags       []string `json:"flags"`
			Inline      string   `json:"inline"`
		}
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		switch e.Event {
		case "lazy":
			provider = fmt.Sprintf("lazy (%d namespaces)", e.Namespaces)
		case "fallback":
			provider = "FELL BACK: " + e.Reason
		case "off":
			provider = "off"
		case "lazy-require":
			note(e.Module + " lazy")
		case "eager-require":
			note(e.Module + " eager (" + e.Reason + ")")
		case "lazy-stack-trace":
			note("token stack traces lazy")
		case "eager-stack-trace":
			note("token stack traces eager")
		case "jsii":
			if !e.Known {
				note("unknown jsii " + e.Role + " build")
			}
		case "kernel-spawn":
			if len(e.NodeOptions) > 0 {
				note("kernel " + strings.Join(e.NodeOptions, " "))
			}
			if e.Channel == "direct" {
				note("direct channel")
			} else {
				note("relayed channel (" + e.Reason + ")")
			}
		case "kernel-flags":
			note("kernel V8 " + strings.Join(e.Flags, " "))
		case "kernel-source-maps":
			note("inline source maps " + e.Inline)
		case "lazy-defs":
			defs++
		}
	}
	if defs > 0 {
		note(fmt.Sprintf("runtime-defs read lazily (%d)", defs))
	}
	if len(notes) == 0 {
		return provider
	}
	return provider + "; " + strings.Join(notes, ", ")
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

// loadAverage returns the 1, 5 and 15 minute load averages, or "unknown".
func loadAverage() string {
	load, err := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(load)); err == nil && len(fields) >= 3 {
		return strings.Join(fields[:3], " ")
	}
	return "unknown"
}

func printMachine(root, loadStart string) {
	fmt.Println("## Machine")
	fmt.Println()
	fmt.Printf("- CPU: %d cores, %s\n", runtime.NumCPU(), procField("/proc/cpuinfo", "model name"))
	if kb, err := strconv.ParseInt(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 10, 64); err == nil {
		fmt.Printf("- memory: %.1f GiB\n", float64(kb)/(1<<20))
	}
	fmt.Printf("- load average (1, 5, 15 min) before the runs: %s; after: %s\n", loadStart, loadAverage())
	if v := os.Getenv("NODE_EXTRA_CA_CERTS"); v != "" {
		fmt.Println("- NODE_EXTRA_CA_CERTS is set: every node process parses it at start (tens of ms each, in every variant)")
	}
	if v := os.Getenv("NODE_OPTIONS"); v != "" {
		fmt.Printf("- NODE_OPTIONS from the environment: %s\n", v)
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
	fmt.Print("| variant | what | hook | wall (s) | wall min-max (s) |")
	for _, c := range columns[1:] {
		fmt.Printf(" %s |", c.name)
	}
	fmt.Print("\n| --- | --- | --- | ---: | ---: |")
	fmt.Println(strings.Repeat(" ---: |", len(columns)-1))
	for _, v := range variants {
		rs := results[v.name]
		walls := collect(rs, columns[0].get)
		fmt.Printf("| %s | %s | %s | %.2f | %.2f-%.2f |", v.name, v.what, rs[len(rs)-1].hook,
			median(walls), slices.Min(walls), slices.Max(walls))
		for _, c := range columns[1:] {
			format := " %.2f |"
			if c.memory {
				format = " %.0f |"
			}
			fmt.Printf(format, median(collect(rs, c.get)))
		}
		fmt.Println()
	}
	fmt.Println()
	fmt.Println("Wall: start of the binary to its exit. CPU: user + system time of the binary, the wrapper and the")
	fmt.Println("kernel (less sensitive than wall time to other load on the machine). Memory: peak resident set size;")
	fmt.Println("\"tree\" sums the Go process, the jsii wrapper node process and the kernel node process; \"Go + kernel\"")
	fmt.Println("leaves out the wrapper. RSS counts node's shared code in both node processes, so the tree figure is")
	fmt.Println("above the true total, in every variant.")
	fmt.Println()
}

// target is the factor, for both time and memory.
const target = 3.0

func printRatios(results map[string][]result) {
	for _, pair := range [][2]string{{"full", "full-off"}, {"provider", "provider-off"}} {
		on, off := results[pair[0]], results[pair[1]]
		if len(on) == 0 || len(off) == 0 {
			continue
		}
		fmt.Printf("### %s vs %s (ratio of medians, off / on)\n\n", pair[0], pair[1])
		for _, c := range columns {
			ratio := median(collect(off, c.get)) / median(collect(on, c.get))
			what := "faster"
			if c.memory {
				what = "less memory"
			}
			line := fmt.Sprintf("- %s: %.2fx %s", c.name, ratio, what)
			if c.target {
				verdict := "met"
				if ratio < target {
					verdict = "NOT met"
				}
				line += fmt.Sprintf(" (target %.0fx: %s)", target, verdict)
			}
			fmt.Println(line)
		}
		fmt.Println()
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
