package lazyprovider

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// These tests run hook.js in node on stand-ins for the cdktf files it makes
// lazy, and for the jsii wrapper and kernel processes. The real files, and the
// real jsii processes, are covered by TestProviderLoadsLazily.

// writeFiles writes files (slash-separated paths relative to dir) and returns
// dir.
func writeFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runNode runs node on script (a file in dir) with the hook preloaded and
// extra environment, and returns its stdout, stderr and the hook's report.
func runNode(t *testing.T, dir, script string, extraEnv ...string) (string, string, []reportLine) {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report.jsonl")
	cmd := exec.Command(nodeBinary(t), script)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "NODE_OPTIONS=--require="+quote(writeHookFile(t)), ReportEnv+"="+report)
	cmd.Env = append(cmd.Env, extraEnv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\nstderr:\n%s", script, err, stderr.String())
	}
	return string(stdout), stderr.String(), readReport(t, report)
}

// cdktfFS and cdktfVersionCheck are cut-down versions of cdktf's
// lib/private/fs.js and lib/validations/validate-binary-version.js, with the
// lines the hook looks at as cdktf 0.20.12 has them.
const cdktfFS = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.archiveSync = archiveSync;
const fs = require("fs");
const archiver = require("archiver");
/**
 * Zips contents at src and places zip archive at dest
 */
function archiveSync() {
    const archive = archiver("zip", {
        zlib: { level: 9 },
    });
    return archive;
}
//# sourceMappingURL=data:application/json;base64,e30=
`

const cdktfVersionCheck = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const semver = require("semver");
exports.check = (version, constraint) => semver.satisfies(version, constraint);
`

const lazyRequireDriver = `
globalThis.loaded = [];
const pkg = require("path").join(__dirname, "node_modules", "cdktf", "lib");
const fsjs = require(pkg + "/private/fs.js");
const check = require(pkg + "/validations/validate-binary-version.js");
const loadedByRequire = [...globalThis.loaded];
const archive = fsjs.archiveSync();
const satisfied = check.check("1.2.3", "1.2.3");
console.log(JSON.stringify({ loadedByRequire, loadedAfterUse: globalThis.loaded, format: archive.format, satisfied }));
`

func writeCDKTF(t *testing.T, fsJS, versionCheck string) string {
	return writeFiles(t, t.TempDir(), map[string]string{
		"driver.js":                            lazyRequireDriver,
		"node_modules/cdktf/package.json":      `{"name": "cdktf", "version": "0.0.0"}`,
		"node_modules/cdktf/lib/private/fs.js": fsJS,
		"node_modules/cdktf/lib/validations/validate-binary-version.js": versionCheck,
		"node_modules/cdktf/node_modules/archiver/index.js": `globalThis.loaded.push("archiver");
module.exports = function archiver(format, options) { return { format, options }; };
`,
		// satisfied only when called as a method of the module, as cdktf does
		"node_modules/cdktf/node_modules/semver/index.js": `globalThis.loaded.push("semver");
exports.satisfies = function (version, constraint) { return this === exports && version === constraint; };
`,
	})
}

type lazyRequireResult struct {
	LoadedByRequire []string `json:"loadedByRequire"`
	LoadedAfterUse  []string `json:"loadedAfterUse"`
	Format          string   `json:"format"`
	Satisfied       bool     `json:"satisfied"`
}

// TestHookLazyRequires checks that cdktf's archiver and semver are required on
// first use, not when cdktf loads, and work the same.
func TestHookLazyRequires(t *testing.T) {
	dir := writeCDKTF(t, cdktfFS, cdktfVersionCheck)
	for _, switchValue := range []string{"", "off"} {
		stdout, stderr, reports := runNode(t, dir, "driver.js", SwitchEnv+"="+switchValue)
		var got lazyRequireResult
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("driver output %q: %v", stdout, err)
		}
		wantByRequire := []string{}
		if switchValue == "off" {
			wantByRequire = []string{"archiver", "semver"}
		}
		if !reflect.DeepEqual(append([]string{}, got.LoadedByRequire...), wantByRequire) {
			t.Errorf("%s=%q: loading cdktf's files loaded %v, want %v", SwitchEnv, switchValue, got.LoadedByRequire, wantByRequire)
		}
		if !reflect.DeepEqual(got.LoadedAfterUse, []string{"archiver", "semver"}) || got.Format != "zip" || !got.Satisfied {
			t.Errorf("%s=%q: after use loaded %v, archiver made %q, semver satisfied %v; want [archiver semver], zip, true",
				SwitchEnv, switchValue, got.LoadedAfterUse, got.Format, got.Satisfied)
		}
		if stderr != "" {
			t.Errorf("stderr = %q, want nothing", stderr)
		}
		if switchValue == "" {
			var modules []string
			for _, r := range reports {
				if r.Event == "lazy-require" {
					modules = append(modules, r.Module)
				}
			}
			if !reflect.DeepEqual(modules, []string{"archiver", "semver"}) {
				t.Errorf("lazy-require reports for %v, want [archiver semver]", modules)
			}
		}
	}
}

// TestHookLazyRequiresLeaveUnknownShapesAlone checks that a file using the
// name in any other way keeps its eager require, silently.
func TestHookLazyRequiresLeaveUnknownShapesAlone(t *testing.T) {
	tests := []struct {
		name, fsJS, versionCheck, module, reason string
	}{
		{"property of archiver", strings.Replace(cdktfFS, "return archive;", "return archive || archiver.create;", 1), cdktfVersionCheck,
			"archiver", "line 13 uses archiver other than by calling it"},
		{"new archiver", strings.Replace(cdktfFS, `archiver("zip"`, `new archiver("zip"`, 1), cdktfVersionCheck,
			"archiver", "line 10 uses archiver other than by calling it"},
		{"other declaration", strings.Replace(cdktfFS, `const archiver = require("archiver");`, `const archiver = require("archiver"); // eager`, 1), cdktfVersionCheck,
			"archiver", "line 5 uses archiver other than by calling it"},
		{"no declaration", strings.Replace(strings.Replace(cdktfFS, `const archiver = require("archiver");`, `globalThis.loaded.push("arch" + "iver");`, 1),
			`archiver("zip", {`, `({ format: "zip",`, 1), cdktfVersionCheck,
			"archiver", "no `const archiver = require(\"archiver\");` line"},
		{"semver itself used", cdktfFS, strings.Replace(cdktfVersionCheck, "semver.satisfies(version, constraint)", "typeof semver === \"object\" && semver.satisfies(version, constraint)", 1),
			"semver", "line 4 uses semver other than by reading a member"},
		{"semver in a string", cdktfFS, cdktfVersionCheck + "exports.name = \"semver.x\";\n",
			"semver", "line 5 uses semver other than by reading a member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeCDKTF(t, tt.fsJS, tt.versionCheck)
			stdout, stderr, reports := runNode(t, dir, "driver.js")
			var got lazyRequireResult
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("driver output %q: %v", stdout, err)
			}
			if !strings.Contains(strings.Join(got.LoadedByRequire, " "), tt.module) {
				t.Errorf("loading cdktf's files loaded %v, want %s among them (left eager)", got.LoadedByRequire, tt.module)
			}
			if stderr != "" {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
			found := false
			for _, r := range reports {
				if r.Event == "eager-require" && r.Module == tt.module {
					found = true
					if r.Reason != tt.reason {
						t.Errorf("eager-require reason = %q, want %q", r.Reason, tt.reason)
					}
				}
			}
			if !found {
				t.Errorf("no eager-require report for %s: %v", tt.module, events(reports))
			}
		})
	}
}

// cdktfStackTrace is cdktf 0.20.12's lib/tokens/private/stack-trace.js
// without its source map.
const cdktfStackTrace = `"use strict";
// Copyright (c) HashiCorp, Inc
// SPDX-License-Identifier: MPL-2.0
// copied from https://github.com/aws/constructs/blob/e01e47f78ef1e9b600efcd23ff7705aa8d384017/lib/private/stack-trace.ts
Object.defineProperty(exports, "__esModule", { value: true });
exports.captureStackTrace = captureStackTrace;
/**
 * Captures a complete stack trace at the point of invocation.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function captureStackTrace(below) {
    below = below || captureStackTrace; // hide myself if nothing else
    const object = { stack: "" };
    const previousLimit = Error.stackTraceLimit;
    try {
        Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
        Error.captureStackTrace(object, below);
    }
    finally {
        Error.stackTraceLimit = previousLimit;
    }
    if (!object.stack) {
        return [];
    }
    return object.stack
        .split("\n")
        .slice(1)
        .map((s) => s.replace(/^\s*at\s+/, ""));
}
`

const stackTraceDriver = `
const { captureStackTrace } = require(require("path").join(__dirname, "node_modules", "cdktf", "lib", "tokens", "private", "stack-trace.js"));
function outer() { return inner(); }
function inner() { return [captureStackTrace(), captureStackTrace(inner)]; }
const [all, belowInner] = outer();
const drop = (lines) => lines.filter((line) => !line.includes("hook.js"));
console.log(JSON.stringify({
  isArray: Array.isArray(all) && Array.isArray(belowInner),
  all: drop(all), belowInner: drop(belowInner),
  joined: drop(all.join("\n").split("\n")),
  spread: drop([...all]), keys: Object.keys(belowInner).length === belowInner.length,
  first: belowInner[0], length: drop(belowInner).length,
}));
`

// TestHookLazyStackTrace checks that cdktf's captureStackTrace, formatting
// lazily, gives what it gave eagerly: the same array of frames.
func TestHookLazyStackTrace(t *testing.T) {
	write := func(content string) string {
		return writeFiles(t, t.TempDir(), map[string]string{
			"driver.js":                       stackTraceDriver,
			"node_modules/cdktf/package.json": `{"name": "cdktf", "version": "0.0.0"}`,
			"node_modules/cdktf/lib/tokens/private/stack-trace.js": content,
		})
	}
	decode := func(stdout string) map[string]any {
		var out map[string]any
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("driver output %q: %v", stdout, err)
		}
		return out
	}
	file := cdktfStackTrace + "//# sourceMappingURL=data:application/json;base64,e30=\n"
	dir := write(file)
	lazyOut, lazyErr, lazyReports := runNode(t, dir, "driver.js")
	eagerOut, _, _ := runNode(t, dir, "driver.js", SwitchEnv+"=off")
	lazy, eager := decode(lazyOut), decode(eagerOut)
	if !reflect.DeepEqual(lazy, eager) {
		t.Errorf("captureStackTrace differs with the hook:\non:  %v\noff: %v", lazy, eager)
	}
	if lazy["isArray"] != true || lazy["keys"] != true || !strings.HasPrefix(lazy["first"].(string), "outer (") {
		t.Errorf("lazy stack trace: %v; want arrays whose first frame below inner is outer", lazy)
	}
	if lazyErr != "" || !slicesContain(events(lazyReports), "lazy-stack-trace") {
		t.Errorf("stderr %q, report events %v; want no stderr and lazy-stack-trace", lazyErr, events(lazyReports))
	}

	// Any change to the file: left as it is.
	changed := strings.Replace(file, "    below = below || captureStackTrace;", "    below = below || captureStackTrace;  ", 1)
	_, changedErr, changedReports := runNode(t, write(changed), "driver.js")
	if changedErr != "" || !slicesContain(events(changedReports), "eager-stack-trace") {
		t.Errorf("changed file: stderr %q, report events %v; want no stderr and eager-stack-trace", changedErr, events(changedReports))
	}
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fakeJSII lays out a jsii runtime directory as jsii-runtime-go extracts it,
// with stand-ins for the wrapper (which spawns the kernel exactly as jsii's
// does) and the kernel (which prints what it was given). Their content is not
// a build hook.js knows.
func fakeJSII(t *testing.T) string {
	return writeFiles(t, t.TempDir(), map[string]string{
		"bin/jsii-runtime.js": `const path = require("path");
const child = require("child_process").spawn(process.execPath,
  [...process.execArgv, "--preserve-symlinks", path.resolve(__dirname, "..", "lib", "program.js")],
  { stdio: ["ignore", "pipe", "pipe", "pipe"] });
child.stdout.pipe(process.stdout);
child.stderr.pipe(process.stderr);
child.on("exit", (code) => process.exit(code));
`,
		"lib/program.js": `console.log(JSON.stringify({ execArgv: process.execArgv, channel: process.env.FASTSHOP_LAZY_PROVIDER_CHANNEL || "",
  sourceMap: require("pkg") }));
`,
		// true when its source, as compiled, still ends with its inline source map
		"node_modules/pkg/index.js": "module.exports = arguments.callee.toString().includes(\"source\" + \"MappingURL\");\n" +
			"//# sourceMappingURL=data:application/json;base64,e30=\n",
	})
}

// TestHookKernelOptions checks that the wrapper starts the kernel with the
// node options in front of its own (unless NODE_OPTIONS sets them), that the
// kernel sets its V8 flags and compiles packages without their inline source
// maps (unless source maps are enabled), and that an unknown build gets no
// direct channel.
func TestHookKernelOptions(t *testing.T) {
	tests := []struct {
		name        string
		nodeOptions string // in front of the hook's --require
		want        []string
		sourceMap   bool // kept
	}{
		{"defaults", "", []string{"--max-semi-space-size=1", "--v8-pool-size=1", "--preserve-symlinks"}, false},
		{"user's semi-space size wins", "--max-semi-space-size=8", []string{"--v8-pool-size=1", "--preserve-symlinks"}, false},
		{"source maps enabled", "--enable-source-maps", []string{"--max-semi-space-size=1", "--v8-pool-size=1", "--preserve-symlinks"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fakeJSII(t)
			options := strings.TrimSpace(tt.nodeOptions + " --require=" + quote(writeHookFile(t)))
			stdout, stderr, reports := runNode(t, dir, filepath.Join("bin", "jsii-runtime.js"), "NODE_OPTIONS="+options)
			var got struct {
				ExecArgv  []string `json:"execArgv"`
				Channel   string   `json:"channel"`
				SourceMap bool     `json:"sourceMap"`
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("kernel output %q: %v", stdout, err)
			}
			if !reflect.DeepEqual(got.ExecArgv, tt.want) || got.Channel != "" {
				t.Errorf("kernel got node arguments %q and channel %q, want %q and none", got.ExecArgv, got.Channel, tt.want)
			}
			if got.SourceMap != tt.sourceMap {
				t.Errorf("a package's inline source map kept: %v, want %v", got.SourceMap, tt.sourceMap)
			}
			if stderr != "" {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
			var spawn, flags *reportLine
			for i, r := range reports {
				switch r.Event {
				case "kernel-spawn":
					spawn = &reports[i]
				case "kernel-flags":
					flags = &reports[i]
				}
			}
			if spawn == nil || spawn.Channel != "relayed" || spawn.Reason != "unknown jsii build" {
				t.Errorf("kernel-spawn report %+v, want the channel relayed for an unknown jsii build", spawn)
			}
			if flags == nil || !reflect.DeepEqual(flags.Flags, []string{"--max-opt=2"}) {
				t.Errorf("kernel-flags report %+v, want --max-opt=2", flags)
			}
		})
	}
}
