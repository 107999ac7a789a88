package lazyprovider

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// stockRelay is the jsii relay (bin/jsii-runtime.js of @jsii/runtime 1.142.0)
// written out: it starts the kernel with its own execArgv, pipes its stdin to
// the kernel's fd 3 and fd 3 to its stdout, sends the kernel's stdout and
// stderr as JSON lines on its stderr, and exits with the kernel.
const stockRelay = `
const { spawn } = require("child_process");
const { finished } = require("stream");
const path = require("path");
const child = spawn(process.execPath, [...process.execArgv, "--preserve-symlinks",
  path.resolve(__dirname, "..", "lib", "program.js")], { stdio: ["ignore", "pipe", "pipe", "pipe"] });
const channel = child.stdio[3];
const done = (stream) => new Promise((resolve) => finished(stream, { writable: false }, () => resolve()));
child.once("exit", (code) => {
  Promise.all([child.stdout, child.stderr, channel].map(done)).then(() => {
    let n = 2;
    const flushed = () => { if (--n === 0) process.exit(code); };
    process.stdout.write("", flushed);
    process.stderr.write("", flushed);
  });
});
const relayed = (name) => (chunk) => console.error(JSON.stringify({ [name]: Buffer.from(chunk).toString("base64") }));
child.stdout.on("data", relayed("stdout"));
child.stderr.on("data", relayed("stderr"));
process.stdin.pipe(channel);
channel.pipe(process.stdout);
`

// syncKernel stands in for the jsii kernel's main script: its channel is
// built from the literal the kernel has (CHANNEL is replaced by it, or by
// another shape), read and written with fs.readSync and fs.writeSync as the
// kernel's SyncStdio does: a hello, then one answer per request line (with
// the pid of its parent: the Go program when run directly, a relay
// otherwise), until the end of its requests. It also prints on its stdout,
// which must not reach the answers.
const syncKernel = `
const fs = require("fs");
const io = { CHANNEL };
const write = (line) => { const b = Buffer.from(line + "\n"); for (let n = 0; n < b.length; ) n += fs.writeSync(io.writeFD, b, n); };
write(JSON.stringify({ hello: "kernel" }));
console.log("kernel says hi");
let buffered = Buffer.alloc(0);
const chunk = Buffer.alloc(65536);
for (;;) {
  let at;
  while ((at = buffered.indexOf(10)) < 0) {
    const n = fs.readSync(io.readFD, chunk, 0, chunk.length, null);
    if (n === 0) process.exit(0);
    buffered = Buffer.concat([buffered, chunk.subarray(0, n)]);
  }
  const request = JSON.parse(buffered.subarray(0, at).toString());
  buffered = buffered.subarray(at + 1);
  write(JSON.stringify({ ok: request.n * 2, parent: process.ppid }));
}
`

// launcherFile writes the embedded launcher where a test can run it.
func launcherFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "launcher.sh")
	if err := os.WriteFile(path, launcher, 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLauncher runs the launcher as jsii-runtime-go runs JSII_NODE (one
// argument: the relay's path) on stand-ins of jsii's relay and kernel,
// talks to it as jsii-runtime-go does (a hello, then one request at a
// time), and checks who answered: the kernel itself, started by the
// launcher in the relay's place, when the kernel has the channel the hook
// knows; the stock relay and its kernel, with one warning, when it has
// another, when node has no module.registerHooks, or (without a warning) when
// the part is skipped or the hook is off. Every answer arrives either way:
// never a hang (each run has a deadline) or a lost message; and the kernel's
// own output never reaches the answers.
func TestLauncher(t *testing.T) {
	const known = "readFD:3,writeFD:3"
	tests := []struct {
		name        string
		channel     string
		env         []string
		wantDirect  bool
		wantWarning string   // in our one warning line; "" for none
		wantEvents  []string // the hook's direct and relayed reports
	}{
		{"known kernel", known, nil, true, "", []string{"direct"}},
		{"kernel of another shape", "readFD: 3, writeFD: 3", nil, false, "has 0 `readFD:3,writeFD:3`, not 1", []string{"relayed"}},
		{"no module.registerHooks", known, simulating(t, "no-register-hooks"), false, "has no module.registerHooks", []string{"relayed"}},
		{"skipped: the launcher runs the relay", known, []string{SkipEnv + "=defs,direct"}, false, "", nil},
		{"switched off: the hook runs the relay", known, []string{SwitchEnv + "=off"}, false, "", nil},
	}
	node := nodeBinary(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{
				"bin/jsii-runtime.js": stockRelay,
				"lib/program.js":      strings.Replace(syncKernel, "CHANNEL", tt.channel, 1),
			})
			report := filepath.Join(t.TempDir(), "report.jsonl")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, launcherFile(t), filepath.Join(dir, "bin", "jsii-runtime.js"))
			// The stand-in kernel has no type definitions to read: defs skipped.
			cmd.Env = append(cleanEnv(), nodeEnv+"="+node, hookEnv+"="+writeHookFile(t), ReportEnv+"="+report, SkipEnv+"=defs")
			cmd.Env = append(cmd.Env, tt.env...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			answers := bufio.NewReader(stdout)
			readLine := func() string {
				line, err := answers.ReadString('\n')
				if err != nil {
					t.Fatalf("reading the launcher's stdout: %v (context: %v)\nstderr:\n%s", err, ctx.Err(), stderr.String())
				}
				return strings.TrimSpace(line)
			}
			if hello := readLine(); hello != `{"hello":"kernel"}` {
				t.Fatalf("first line %q, want the hello", hello)
			}
			for n := 1; n <= 20; n++ {
				fmt.Fprintf(stdin, "{\"n\":%d}\n", n)
				var got struct{ OK, Parent int }
				if line := readLine(); json.Unmarshal([]byte(line), &got) != nil || got.OK != 2*n {
					t.Fatalf("answer to request %d = %q, want ok %d", n, line, 2*n)
				}
				if direct := got.Parent == os.Getpid(); direct != tt.wantDirect {
					t.Fatalf("the kernel's parent is %d (this test: %d): run directly %v, want %v", got.Parent, os.Getpid(), direct, tt.wantDirect)
				}
			}
			stdin.Close()
			if rest, _ := io.ReadAll(answers); len(rest) != 0 {
				t.Errorf("more on stdout after the last answer: %q", rest)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("launcher: %v (context: %v)\nstderr:\n%s", err, ctx.Err(), stderr.String())
			}
			ours := strings.Count(stderr.String(), "fastshop lazyprovider:")
			if tt.wantWarning == "" && ours != 0 || tt.wantWarning != "" && (ours != 1 || !strings.Contains(stderr.String(), tt.wantWarning)) {
				t.Errorf("stderr has %d warnings of ours, want %d mentioning %q:\n%s", ours, min(len(tt.wantWarning), 1), tt.wantWarning, stderr.String())
			}
			// The kernel's stdout goes to stderr: as it is when run directly,
			// as JSON through the relay (which jsii-runtime-go decodes).
			said := "kernel says hi\n"
			if !tt.wantDirect {
				data, _ := json.Marshal(map[string][]byte{"stdout": []byte(said)})
				said = string(data)
			}
			if !strings.Contains(stderr.String(), said) {
				t.Errorf("the kernel's stdout did not reach stderr as %q:\n%s", said, stderr.String())
			}
			var events []string
			for _, r := range readReport(t, report) {
				if r.Event == "direct" || r.Event == "relayed" {
					events = append(events, r.Event)
				}
			}
			if !slices.Equal(events, tt.wantEvents) {
				t.Errorf("report events %v, want %v", events, tt.wantEvents)
			}
		})
	}
}

// TestLauncherRunsOtherCommandsAsAsked checks that the launcher, given
// anything but jsii's relay, runs node on it as JSII_NODE would.
func TestLauncherRunsOtherCommandsAsAsked(t *testing.T) {
	node := nodeBinary(t)
	dir := writeFiles(t, t.TempDir(), map[string]string{"bin/jsii-runtime.js": "console.log('relay alone, ' + process.argv.length)"})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"two arguments", []string{"-e", "console.log('asked')"}, "asked"},
		{"a relay without its kernel", []string{filepath.Join(dir, "bin", "jsii-runtime.js")}, "relay alone, 2"},
		{"another script", []string{filepath.Join(dir, "bin", "jsii-runtime.js") + "x"}, ""},
	} {
		cmd := exec.Command(launcherFile(t), tt.args...)
		cmd.Env = append(cleanEnv(), nodeEnv+"="+node, hookEnv+"="+writeHookFile(t))
		out, err := cmd.CombinedOutput()
		if tt.want == "" {
			if err == nil || !strings.Contains(string(out), "Cannot find module") {
				t.Errorf("%s: %v, %q; want node's error for a missing script", tt.name, err, out)
			}
			continue
		}
		if err != nil || strings.TrimSpace(string(out)) != tt.want {
			t.Errorf("%s: %v, %q; want %q", tt.name, err, out, tt.want)
		}
	}
}
