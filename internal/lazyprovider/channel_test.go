package lazyprovider

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stockRelay is the jsii relay (bin/jsii-runtime.js of @jsii/runtime 1.142.0)
// written out: it starts the kernel with its own execArgv, pipes its stdin to
// the kernel's fd 3 and fd 3 to its stdout, sends the kernel's stdout and
// stderr as JSON lines on its stderr, and exits with the kernel. KERNEL_SPAWN
// is replaced by each case's spawn options.
const stockRelay = `
const { spawn } = require("child_process");
const { finished } = require("stream");
const path = require("path");
const child = spawn(process.execPath, [...process.execArgv, "--preserve-symlinks",
  path.resolve(__dirname, "..", "lib", "program.js")], KERNEL_SPAWN);
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

// syncKernel reads and writes fd 3 as the jsii kernel's SyncStdio does
// (fs.readSync and fs.writeSync): a hello, then one answer per request line,
// until the end of its requests. It also prints on its stdout, which the
// relay sends on as JSON.
const syncKernel = `
const fs = require("fs");
const write = (line) => { const b = Buffer.from(line + "\n"); for (let n = 0; n < b.length; ) n += fs.writeSync(3, b, n); };
write(JSON.stringify({ hello: "kernel" }));
console.log("kernel says hi");
let buffered = Buffer.alloc(0);
const chunk = Buffer.alloc(65536);
for (;;) {
  let at;
  while ((at = buffered.indexOf(10)) < 0) {
    const n = fs.readSync(3, chunk, 0, chunk.length, null);
    if (n === 0) process.exit(0);
    buffered = Buffer.concat([buffered, chunk.subarray(0, n)]);
  }
  const request = JSON.parse(buffered.subarray(0, at).toString());
  buffered = buffered.subarray(at + 1);
  write(JSON.stringify({ ok: request.n * 2 }));
}
`

// socketKernel reads fd 3 another way (a net.Socket): a kernel of a shape the
// hook does not know, which never calls fs.readSync on fd 3.
const socketKernel = `
const fs = require("fs");
const net = require("net");
const socket = new net.Socket({ fd: 3, readable: true, writable: true });
socket.write(JSON.stringify({ hello: "kernel" }) + "\n");
require("readline").createInterface({ input: socket }).on("line", (line) => {
  socket.write(JSON.stringify({ ok: JSON.parse(line).n * 2 }) + "\n");
}).on("close", () => process.exit(0));
`

// TestHookDirectChannel runs a stand-in of the jsii relay and kernel under
// the hook, talking to them as jsii-runtime-go does (a hello, then one request
// at a time), and checks who carried the messages. The stock shapes get the
// direct channel; a kernel that reads fd 3 another way, a relay that starts
// the kernel another way, a kernel told of a channel it was not given, the
// part skipped or the hook off get stock relaying, with one warning where the
// shape is unknown, and every answer arrives either way: never a hang (each
// run has a deadline) or a lost message.
func TestHookDirectChannel(t *testing.T) {
	const stockSpawn = `{ stdio: ["ignore", "pipe", "pipe", "pipe"] }`
	tests := []struct {
		name        string
		spawn       string // the relay's spawn options
		kernel      string
		env         []string
		wantModes   string // channel reports: relay's mode, then the kernel's ("" for none)
		wantWarning string // in our one warning line; "" for none
	}{
		{"stock shapes", stockSpawn, syncKernel, nil, "direct direct", ""},
		{"kernel reads fd 3 another way", stockSpawn, socketKernel, nil, "relayed", "did not take the direct channel within 2000 ms"},
		{"relay starts the kernel another way", `{ stdio: ["ignore", "pipe", "pipe", "pipe"], env: process.env }`, syncKernel, nil,
			"relayed", "starts the kernel in a way this hook does not know"},
		{"kernel told of a channel it does not have", `{ stdio: ["ignore", "pipe", "pipe", "pipe"], env: { ...process.env, FASTSHOP_LAZY_PROVIDER_CHANNEL: "4,5,6" } }`,
			syncKernel, nil, "relayed relayed", "starts the kernel in a way this hook does not know"},
		{"skipped", stockSpawn, syncKernel, []string{"FASTSHOP_LAZY_PROVIDER_SKIP=defs,channel"}, "", ""},
		{"switched off", stockSpawn, syncKernel, []string{SwitchEnv + "=off"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, t.TempDir(), map[string]string{
				"bin/jsii-runtime.js": strings.Replace(stockRelay, "KERNEL_SPAWN", tt.spawn, 1),
				"lib/program.js":      tt.kernel,
			})
			report := filepath.Join(t.TempDir(), "report.jsonl")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, nodeBinary(t), filepath.Join(dir, "bin", "jsii-runtime.js"))
			// The stand-in kernel has no type definitions to read: defs skipped.
			cmd.Env = append(cleanEnv(), "NODE_OPTIONS=--require="+quote(writeHookFile(t)), ReportEnv+"="+report,
				"FASTSHOP_LAZY_PROVIDER_SKIP=defs")
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
					t.Fatalf("reading the relay's stdout: %v (context: %v)\nstderr:\n%s", err, ctx.Err(), stderr.String())
				}
				return strings.TrimSpace(line)
			}
			if hello := readLine(); hello != `{"hello":"kernel"}` {
				t.Fatalf("first line %q, want the hello", hello)
			}
			for n := 1; n <= 50; n++ {
				fmt.Fprintf(stdin, "{\"n\":%d}\n", n)
				if got, want := readLine(), fmt.Sprintf(`{"ok":%d}`, 2*n); got != want {
					t.Fatalf("answer to request %d = %q, want %q", n, got, want)
				}
			}
			stdin.Close()
			if rest, _ := io.ReadAll(answers); len(rest) != 0 {
				t.Errorf("more on stdout after the last answer: %q", rest)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("relay: %v (context: %v)\nstderr:\n%s", err, ctx.Err(), stderr.String())
			}

			var modes []string
			for _, r := range readReport(t, report) {
				if r.Event == "channel" {
					modes = append(modes, r.Mode)
				}
			}
			if got := strings.Join(modes, " "); got != tt.wantModes {
				t.Errorf("channel reports %q, want %q", got, tt.wantModes)
			}
			ours := strings.Count(stderr.String(), "fastshop lazyprovider:")
			if tt.wantWarning == "" && ours != 0 || tt.wantWarning != "" && (ours != 1 || !strings.Contains(stderr.String(), tt.wantWarning)) {
				t.Errorf("stderr has %d warnings of ours, want %d mentioning %q:\n%s", ours, min(len(tt.wantWarning), 1), tt.wantWarning, stderr.String())
			}
			if tt.kernel == syncKernel && !strings.Contains(stderr.String(), relayedStdout("kernel says hi\n")) {
				t.Errorf("the kernel's stdout did not reach the relay's stderr as JSON:\n%s", stderr.String())
			}
		})
	}
}

func relayedStdout(text string) string {
	data, _ := json.Marshal(map[string][]byte{"stdout": []byte(text)})
	return string(data)
}
