// Command synthbench measures how long a synth of every environment takes
// and how much memory it needs, with the lazy provider hook
// (fastshop/internal/lazyprovider) on and off, and against a baseline: the
// program as built from an earlier commit, on another node.
//
//	go run ./bench/synthbench -node /path/to/node24 \
//	    -baseline b439a6f -baseline-node /usr/bin/node [-runs 9] [-warmup 1]
//
// It builds the repository's main package (what `go run main.go`, the
// cdktf.json app, compiles) and, with -baseline, the main package of that
// commit (from `git archive`, in a temporary directory), then runs the
// binaries in rounds, every variant once per round in a rotating order, so
// background load falls on all of them alike. The first -warmup rounds are
// discarded; the table shows medians of the others. README.md ("Synth
// speed") holds the figures; this comment and the help only point there.
//
// Variants:
//
//	baseline      the -baseline commit's program on -baseline-node (its own hook)
//	new           this tree's program on -node, hook on (the default)
//	off           the same with FASTSHOP_LAZY_PROVIDER=off (stock jsii and node)
//	no-<part>     with -parts: hook on without one part
//	              (FASTSHOP_LAZY_PROVIDER_SKIP=<part>), to measure what it earns
//	<name>        with -variant name:VAR=value;...: this tree's program with that
//	              environment (another preload in NODE_OPTIONS, say, to measure
//	              a candidate part before it goes into the hook)
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
//     run of: the sum of all ("tree", in RSS and in PSS), the sum of Go and
//     kernel and each role alone. Peaks are of sampled sums, so the tree
//     peak can be below the sum of the per-role peaks.
//
// RSS counts pages shared between processes once per process: node's own
// code (about 40 MB, in both node processes) is in both the wrapper's and
// the kernel's figure, and the Go binary's figure includes the file-backed
// pages of its embedded provider tarball (34 MB) that jsii-runtime-go
// touched to write it out. So the RSS of the tree is above the memory the
// run really needs, in every variant alike; "peak PSS, tree" (proportional
// set size, from /proc/<pid>/smaps_rollup) counts a page shared by n
// processes 1/n in each, so its sum is what the run holds. A newer node's
// larger binary weighs twice in RSS, once in PSS. Sampling can miss a peak
// shorter than the interval, though memory here grows over hundreds of
// milliseconds.
//
// Each run gets its own CDKTF_OUTDIR and TMPDIR under a temporary directory,
// and all runs share one working directory (the local backend writes state
// paths made from it into cdk.tf.json), so cdktf.out in the repository is
// left alone and outputs can be compared byte for byte: every run of a
// binary, hook on, off or without a part, must write the same files. Each
// node process reports through FASTSHOP_LAZY_PROVIDER_REPORT what the hook
// did, which the table shows, so a binary that does not import the hook, or
// a provider whose index.js changed shape, is noticed.
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
	app  string   // binary
	node string   // node binary (JSII_NODE, and first on PATH)
	env  []string // extra environment
	off  bool     // FASTSHOP_LAZY_PROVIDER=off
}

type result struct {
	wall       time.Duration
	cpu        time.Duration // user + system time of the binary and its descendants
	treeRSS    int64         // bytes, peak of the sum over the process tree
	treePSS    int64         // bytes, peak of the sum of proportional set sizes over the tree
	goKernel   int64         // bytes, peak of the sum of the Go process and the kernel
	goRSS      int64         // bytes, peak of the Go process
	wrapperRSS int64         // bytes, peak of the jsii wrapper node process
	kernelRSS  int64         // bytes, peak of the jsii kernel node process
	hook       string
	outdir     string
	stderr     string
	leaked     int // jsii-runtime.* directories left in TMPDIR
}

// columns are the measured quantities, for the table and the ratios.
var columns = []struct {
	name   string
	memory bool
	get    func(result) float64
}{
	{"wall (s)", false, func(r result) float64 { return r.wall.Seconds() }},
	{"CPU (s)", false, func(r result) float64 { return r.cpu.Seconds() }},
	{"peak RSS, tree (MB)", true, func(r result) float64 { return float64(mb(r.treeRSS)) }},
	{"peak PSS, tree (MB)", true, func(r result) float64 { return float64(mb(r.treePSS)) }},
	{"peak RSS, Go + kernel (MB)", true, func(r result) float64 { return float64(mb(r.goKernel)) }},
	{"Go (MB)", true, func(r result) float64 { return float64(mb(r.goRSS)) }},
	{"wrapper (MB)", true, func(r result) float64 { return float64(mb(r.wrapperRSS)) }},
	{"kernel (MB)", true, func(r result) float64 { return float64(mb(r.kernelRSS)) }},
}

type options struct {
	runs, warmup int
	interval     time.Duration
	node         string
	baseline     string
	baselineNode string
	parts        []string
	extra        []string
	keep         bool
}

func main() {
	var o options
	flag.IntVar(&o.runs, "runs", 5, "measured rounds (each runs every variant once)")
	flag.IntVar(&o.warmup, "warmup", 1, "rounds run first and discarded")
	flag.DurationVar(&o.interval, "interval", 20*time.Millisecond, "memory sampling interval")
	flag.StringVar(&o.node, "node", os.Getenv("JSII_NODE"), "node for this tree's program (default: $JSII_NODE, else node on PATH)")
	flag.StringVar(&o.baseline, "baseline", "", "a commit whose program runs as variant baseline (e.g. b439a6f)")
	flag.StringVar(&o.baselineNode, "baseline-node", "", "node for the baseline (default: -node)")
	parts := flag.String("parts", "", "comma-separated hook parts: one variant each without it")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (binaries, outputs, reports)")
	flag.Func("variant", "`name:VAR=value;...`: also run this tree's program with that environment (repeatable)", func(v string) error {
		if name, _, ok := strings.Cut(v, ":"); !ok || name == "" {
			return fmt.Errorf("want name:VAR=value;..., got %q", v)
		}
		o.extra = append(o.extra, v)
		return nil
	})
	flag.Parse()
	if *parts != "" {
		o.parts = strings.Split(*parts, ",")
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "synthbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.runs < 1 || o.warmup < 0 {
		return fmt.Errorf("-runs %d -warmup %d: want at least one run and no negative warm-up", o.runs, o.warmup)
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if o.node, err = findNode(o.node); err != nil {
		return fmt.Errorf("-node: %v", err)
	}
	if o.baselineNode == "" {
		o.baselineNode = o.node
	} else if o.baselineNode, err = findNode(o.baselineNode); err != nil {
		return fmt.Errorf("-baseline-node: %v", err)
	}
	tmp, err := os.MkdirTemp("", "synthbench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	app := filepath.Join(tmp, "fastshop")
	if err := build(root, app); err != nil {
		return err
	}
	var variants []variant
	if o.baseline != "" {
		baseline := filepath.Join(tmp, "fastshop-baseline")
		if err := buildCommit(root, o.baseline, filepath.Join(tmp, "baseline-src"), baseline); err != nil {
			return err
		}
		variants = append(variants, variant{name: "baseline", what: "commit " + o.baseline + ", " + nodeVersion(o.baselineNode),
			app: baseline, node: o.baselineNode})
	}
	variants = append(variants,
		variant{name: "new", what: "this tree, " + nodeVersion(o.node), app: app, node: o.node},
		variant{name: "off", what: "this tree, " + nodeVersion(o.node) + ", FASTSHOP_LAZY_PROVIDER=off", app: app, node: o.node, off: true},
	)
	for _, part := range o.parts {
		variants = append(variants, variant{name: "no-" + part, what: "this tree, " + nodeVersion(o.node) + ", FASTSHOP_LAZY_PROVIDER_SKIP=" + part,
			app: app, node: o.node, env: []string{"FASTSHOP_LAZY_PROVIDER_SKIP=" + part}})
	}

	for _, v := range o.extra {
		name, env, _ := strings.Cut(v, ":")
		variants = append(variants, variant{name: name, what: "this tree, " + nodeVersion(o.node) + ", " + env,
			app: app, node: o.node, env: strings.Split(env, ";")})
	}

	loadStart := loadAverage()
	work := filepath.Join(tmp, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		return err
	}
	results := map[string][]result{}
	for round := 0; round < o.warmup+o.runs; round++ {
		label := fmt.Sprintf("round %d/%d", round+1-o.warmup, o.runs)
		if round < o.warmup {
			label = fmt.Sprintf("warm-up %d/%d", round+1, o.warmup)
		}
		for i := range variants {
			v := variants[(i+round)%len(variants)]
			r, err := runOnce(v, tmp, work, fmt.Sprintf("%s-%d", v.name, round), o.interval)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%s %-12s %6.2f s (CPU %5.2f s)  tree %4d MB  Go+kernel %4d MB (Go %3d, wrapper %3d, kernel %4d)  hook %s\n",
				label, v.name, r.wall.Seconds(), r.cpu.Seconds(), mb(r.treeRSS), mb(r.goKernel), mb(r.goRSS), mb(r.wrapperRSS), mb(r.kernelRSS), r.hook)
			if round >= o.warmup {
				results[v.name] = append(results[v.name], r)
			}
		}
	}

	printMachine(root, loadStart, variants)
	printTable(variants, results, o.runs, o.warmup, o.interval)
	printRatios(variants, results)
	return printChecks(variants, results)
}

// build builds the main package in dir into out.
func build(dir, out string) error {
	fmt.Fprintf(os.Stderr, "building %s\n", dir)
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build -o %s . (in %s): %v\n%s", out, dir, err, output)
	}
	return nil
}

// buildCommit extracts commit's tree from the repository at root into src
// and builds its main package into out.
func buildCommit(root, commit, src, out string) error {
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	archive := exec.Command("git", "archive", "--format=tar", commit)
	archive.Dir = root
	extract := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return err
	}
	extract.Stdin = pipe
	var archiveErr bytes.Buffer
	archive.Stderr = &archiveErr
	if err := extract.Start(); err != nil {
		return err
	}
	if err := archive.Run(); err != nil {
		return fmt.Errorf("git archive %s: %v\n%s", commit, err, archiveErr.String())
	}
	if err := extract.Wait(); err != nil {
		return fmt.Errorf("extracting git archive %s: %v", commit, err)
	}
	return build(src, out)
}

// findNode returns the path of the node binary named (a path, or a command
// on PATH; empty means node).
func findNode(name string) (string, error) {
	if name == "" {
		name = "node"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	return filepath.Abs(path)
}

func nodeVersion(node string) string {
	return "node " + strings.TrimPrefix(command(node, "--version"), "v")
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
		"JSII_NODE="+v.node,
		"PATH="+filepath.Dir(v.node)+string(os.PathListSeparator)+os.Getenv("PATH"),
		// The baseline may run on a node the jsii runtime warns about.
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
		"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1",
	)
	cmd.Env = append(cmd.Env, v.env...)
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
		r.treePSS = max(r.treePSS, m.treePSS)
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
			r.stderr = stderr.String()
			if err != nil {
				return r, fmt.Errorf("%s (%s): %v\n%s", v.name, v.app, err, r.stderr)
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
	drop := []string{"CDKTF_OUTDIR", "TMPDIR", "JSII_NODE", "PATH", "FASTSHOP_LAZY_PROVIDER", "FASTSHOP_LAZY_PROVIDER_REPORT",
		"FASTSHOP_LAZY_PROVIDER_SKIP", "FASTSHOP_LAZY_PROVIDER_WARNED"}
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
	treePSS                      int64 // the same, proportional set sizes
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
		s.treePSS += proportionalSet(n.pid)
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

// proportionalSet returns the proportional set size of pid in bytes (pages
// shared with other processes, such as node's code in both node processes,
// count in part), 0 if it is gone.
func proportionalSet(pid int) int64 {
	rollup, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(rollup), "\n") {
		if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == "Pss:" {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// isNode reports whether pid runs a node binary (its executable's name starts
// with node; node 24 names its main thread MainThread, so comm does not tell).
func isNode(pid int) bool {
	exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	return err == nil && strings.HasPrefix(filepath.Base(exe), "node")
}

// hookStatus summarizes the report the hook's node processes wrote: what
// became of the provider, then every other event once. Switched off, the Go
// side does not even put the hook into NODE_OPTIONS.
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
			provider = fmt.Sprintf("lazy (%d namespaces)", e.Namespaces)
		case "fallback":
			provider = "FELL BACK: " + e.Reason
		case "off":
			provider = "off"
		case "preload":
		default:
			if !slices.Contains(notes, e.Event) {
				notes = append(notes, e.Event)
			}
		}
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

func printMachine(root, loadStart string, variants []variant) {
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
	var nodes []string
	for _, v := range variants {
		if n := nodeVersion(v.node) + " (" + v.node + ")"; !slices.Contains(nodes, n) {
			nodes = append(nodes, n)
		}
	}
	fmt.Printf("- node: %s\n", strings.Join(nodes, ", "))
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

// printRatios compares each variant with new, on the median of each column
// (theirs / new: above 1 means new is faster or needs less memory), and says
// whether new meets the bar against the baseline: no slower, no more memory.
func printRatios(variants []variant, results map[string][]result) {
	base := results["new"]
	if len(base) == 0 {
		return
	}
	fmt.Println("### Ratios of medians, variant / new (above 1: new is faster or smaller)")
	fmt.Println()
	fmt.Print("| variant |")
	for _, c := range columns {
		fmt.Printf(" %s |", c.name)
	}
	fmt.Println()
	fmt.Println("| --- |" + strings.Repeat(" ---: |", len(columns)))
	for _, v := range variants {
		if v.name == "new" {
			continue
		}
		fmt.Printf("| %s |", v.name)
		for _, c := range columns {
			fmt.Printf(" %.2f |", median(collect(results[v.name], c.get))/median(collect(base, c.get)))
		}
		fmt.Println()
	}
	fmt.Println()
	if baseline := results["baseline"]; len(baseline) > 0 {
		var worse []string
		for _, c := range columns[:5] {
			if median(collect(base, c.get)) > median(collect(baseline, c.get)) {
				worse = append(worse, c.name)
			}
		}
		if len(worse) == 0 {
			fmt.Println("- bar (new no slower than baseline, peak memory no higher; wall, CPU, RSS and PSS of the tree, Go + kernel): met")
		} else {
			fmt.Printf("- bar (new no slower than baseline, peak memory no higher): NOT met on %s\n", strings.Join(worse, ", "))
		}
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
	fmt.Printf("- outputs byte-identical across runs of each binary (hook on, off, without a part): %v\n", len(problems) == 0)
	for _, v := range variants {
		for _, r := range results[v.name] {
			if r.stderr != "" {
				fmt.Printf("- %s printed on stderr: %q\n", v.name, firstLine(r.stderr))
				break
			}
		}
	}
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

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
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
