// fastshop lazyprovider hook: preloaded into the jsii kernel's node processes
// with NODE_OPTIONS=--require=<this file> by the Go package
// fastshop/internal/lazyprovider.
//
// @cdktf/provider-aws ships lib/index.js as an eager barrel: one line
//
//     exports.<ns> = require("./<ns>");
//
// per namespace, 2,123 of them, so node reads and compiles ~206 MB of
// JavaScript although a synth uses a handful of namespaces. This hook rewrites
// that file's source in memory, as node compiles it, so that each of those
// lines defines an enumerable, configurable getter that requires the namespace
// on first access and then replaces itself with the plain value. Nothing on
// disk changes. Every other file, and any barrel whose lines are not all of the
// expected forms, is compiled as it is (eager: correct, only slower) with one
// warning line on stderr.
//
// With the provider lazy, what remains of a synth is mostly fixed cost in cdktf
// and the jsii processes, which the hook trims too:
//
//   - cdktf: archiver and semver are required on first use, not when cdktf
//     loads, and token creation stacks are formatted on first use ("cdktf"
//     below), where the files are exactly as expected.
//   - the jsii kernel process: node and V8 options for a short-lived process
//     and packages compiled without their inline source maps (any jsii
//     build; "Inline source maps" and "The jsii processes" below) and, for
//     the jsii builds this hook knows, a direct channel to the host and no
//     32 MB read of the provider's runtime-defs file.
//
// Where a file is not what a part expects, that part is left out, silently
// (the synth is the same, a little slower; the report says so).
//
// None of it changes what a synth writes: the package tests and
// e2e/lazyprovider_test.go compare every byte with the hook on and off.
//
// Environment:
//   FASTSHOP_LAZY_PROVIDER=off          the hook does nothing.
//   FASTSHOP_LAZY_PROVIDER_REPORT=FILE  each process appends JSON lines saying
//                                       what the hook did (for tests and the
//                                       benchmark).
"use strict";

(function install() {
  const marker = Symbol.for("fastshop.lazyprovider");
  if (globalThis[marker]) {
    return; // already installed in this process (the flag was given twice)
  }
  const state = { status: "installed", rewritten: [], fellBack: [] };
  globalThis[marker] = state;

  const fs = require("fs");
  const path = require("path");
  const Module = require("module");

  const reportFile = process.env.FASTSHOP_LAZY_PROVIDER_REPORT;
  function report(event, fields) {
    if (!reportFile) {
      return;
    }
    const line = JSON.stringify(Object.assign({ pid: process.pid, event }, fields));
    try {
      fs.appendFileSync(reportFile, line + "\n");
    } catch (err) {
      // A report is a diagnostic: never break the program for it.
    }
  }

  const switchValue = (process.env.FASTSHOP_LAZY_PROVIDER || "").trim().toLowerCase();
  if (["off", "0", "false", "no"].includes(switchValue)) {
    state.status = "off";
    report("off", {});
    return;
  }
  report("preload", { node: process.version });

  const PACKAGE_NAME = "@cdktf/provider-aws";
  const ENTRY = path.join("lib", "index.js");
  // Cheap filter before any file system access: the package's files live in
  // .../node_modules/@cdktf/provider-aws/... (what the jsii kernel passes, with
  // --preserve-symlinks) or, resolved, in
  // .../package-cache/@cdktf/provider-aws/<version>/<hash>/...
  const PATH_HINT = path.sep + path.join("@cdktf", "provider-aws") + path.sep;

  let warned = false;
  function warn(message) {
    if (warned) {
      return;
    }
    warned = true;
    process.stderr.write(
      "fastshop lazyprovider: " + message +
        "; loading the AWS provider eagerly (correct, but synth is slower). " +
        "FASTSHOP_LAZY_PROVIDER=off silences this.\n"
    );
  }

  // packageRoot returns the directory of the package.json at or above dir
  // that names the package name, or "" when the nearest package.json names
  // another package or there is none within a few levels.
  function packageRoot(dir, name) {
    for (let i = 0; i < 6; i++) {
      try {
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        return manifest.name === name ? dir : "";
      } catch (err) {
        // no (readable) package.json here: look one level up
      }
      const parent = path.dirname(dir);
      if (parent === dir) {
        break;
      }
      dir = parent;
    }
    return "";
  }

  const seenRoots = new Set();
  const originalCompile = Module.prototype._compile;
  Module.prototype._compile = function compile(content, filename, ...rest) {
    if (typeof content === "string" && typeof filename === "string") {
      if (dropInlineSourceMaps && filename.includes(NODE_MODULES)) {
        content = withoutInlineSourceMap(content);
      }
      if (filename.includes(PATH_HINT)) {
        content = maybeRewrite(content, filename);
      } else if (filename.includes(CDKTF_HINT)) {
        content = maybeTrimCDKTF(content, filename);
      }
    }
    return originalCompile.call(this, content, filename, ...rest);
  };

  // Inline source maps. The provider's and cdktf's files end with their
  // source map as a base64 comment, 70% of the provider's bytes: V8 scans it
  // when it compiles the file and keeps it, with the source, for the life of
  // the process. Node reads such a map only with source maps enabled
  // (--enable-source-maps), and a debugger only when one is attached. In the
  // jsii kernel, unless either is the case (see the kernel below), a file of
  // a package (under node_modules) whose last line is an inline map is
  // compiled without that line; line and column numbers stay the same.
  let dropInlineSourceMaps = false;
  const NODE_MODULES = path.sep + "node_modules" + path.sep;
  const INLINE_MAP = "\n//# sourceMappingURL=data:";

  function withoutInlineSourceMap(content) {
    const at = content.indexOf(INLINE_MAP);
    if (at === -1) {
      return content;
    }
    const end = content.indexOf("\n", at + 1);
    if (end !== -1 && end !== content.length - 1) {
      return content; // not the last line: leave the file as it is
    }
    return content.slice(0, at + 1);
  }

  // maybeRewrite looks at the first file node compiles from each copy of the
  // provider package. That is its entry point; if it is lib/index.js of the
  // expected shape, it is made lazy.
  function maybeRewrite(content, filename) {
    const root = packageRoot(path.dirname(filename), PACKAGE_NAME);
    if (root === "" || seenRoots.has(root)) {
      return content;
    }
    seenRoots.add(root);
    if (path.relative(root, filename) !== ENTRY) {
      const reason = "entry point is " + path.relative(root, filename) + ", not " + ENTRY;
      state.fellBack.push(filename);
      report("fallback", { file: filename, reason });
      warn(PACKAGE_NAME + " has an unexpected layout (" + reason + ")");
      return content;
    }
    const result = lazyBarrel(content);
    if (result.error) {
      state.fellBack.push(filename);
      report("fallback", { file: filename, reason: result.error });
      warn(PACKAGE_NAME + "/" + ENTRY.split(path.sep).join("/") + " has an unexpected shape (" + result.error + ")");
      return content;
    }
    state.status = "lazy";
    state.rewritten.push(filename);
    report("lazy", { file: filename, namespaces: result.namespaces });
    return result.source;
  }

  const HELPER = "__fastshopLazyNamespace";
  const IDENT = "[A-Za-z_$][A-Za-z0-9_$]*";
  const REQUIRE_LINE = new RegExp('^exports\\.(' + IDENT + ') = require\\("(\\./[A-Za-z0-9_.-]+)"\\);$');
  const HOIST_LINE = new RegExp("^exports\\." + IDENT + "(?: = exports\\." + IDENT + ")* = void 0;$");
  const FIXED_LINES = new Set([
    "",
    '"use strict";',
    'Object.defineProperty(exports, "__esModule", { value: true });',
  ]);

  // lazyBarrel rewrites a barrel made only of the lines tsc emits for
  // `export * as ns from "./ns"`: "use strict", comments, the __esModule
  // marker, `exports.a = exports.b = void 0;` hoisting lines and
  // `exports.ns = require("./ns");` lines. Any other line (an __exportStar, an
  // __importStar wrapper, code) means the file is not what we know, and it is
  // left alone. Each require line is replaced in place, so line numbers (and
  // the inline source map) stay valid; the helper is appended at the end, as a
  // hoisted function declaration. Key order is unchanged: the hoisting lines
  // (kept) create the properties, and redefining a property keeps its place.
  function lazyBarrel(source) {
    if (source.includes(HELPER)) {
      return { error: "it already mentions " + HELPER };
    }
    const lines = source.split("\n");
    let namespaces = 0;
    let inComment = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
      const trimmed = line.trim();
      if (inComment) {
        if (trimmed.includes("*/")) {
          if (!trimmed.endsWith("*/") || trimmed.indexOf("*/") !== trimmed.length - 2) {
            return { error: "line " + (i + 1) + " has code after a comment" };
          }
          inComment = false;
        }
        continue;
      }
      if (trimmed.startsWith("//")) {
        continue;
      }
      if (trimmed.startsWith("/*")) {
        const end = trimmed.indexOf("*/", 2);
        if (end === -1) {
          inComment = true;
        } else if (end !== trimmed.length - 2) {
          return { error: "line " + (i + 1) + " has code after a comment" };
        }
        continue;
      }
      if (FIXED_LINES.has(trimmed) || HOIST_LINE.test(line)) {
        continue;
      }
      const match = REQUIRE_LINE.exec(line);
      if (!match) {
        return { error: "line " + (i + 1) + " is not `exports.X = require(\"./X\");`: " + JSON.stringify(line.slice(0, 80)) };
      }
      lines[i] = HELPER + "(exports, " + JSON.stringify(match[1]) + ", () => require(" + JSON.stringify(match[2]) + "));" +
        (lines[i].endsWith("\r") ? "\r" : "");
      namespaces++;
    }
    if (inComment) {
      return { error: "unterminated comment" };
    }
    if (namespaces === 0) {
      return { error: "no `exports.X = require(\"./X\");` lines" };
    }
    lines.push(
      "function " + HELPER + "(target, name, load) {" +
        " const settle = (value) => { Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true }); return value; };" +
        " Object.defineProperty(target, name, { enumerable: true, configurable: true, get() { return settle(load()); }, set(value) { settle(value); } });" +
        " }"
    );
    return { source: lines.join("\n"), namespaces };
  }

  // ---- cdktf ----
  //
  // cdktf requires, when it loads, two packages that a synth does not use:
  // archiver (with readable-stream, lodash, glob, zip-stream, ...: about a
  // third of cdktf's load time), in lib/private/fs.js, only to zip a
  // TerraformAsset directory, which it does in a separate node process that
  // runs that file as a script; and semver, in
  // lib/validations/validate-binary-version.js, only to compare the version of
  // a binary a construct asked to validate. In each of these files the line
  // `const <name> = require("<name>");` is replaced (same line count) by a
  // stand-in that requires the package on first use: a function forwarding
  // its calls when the file only calls <name>(...), an object forwarding
  // property reads when it only reads <name>.<member>. If the file has any
  // other mention of the name, or not that line, it is left alone (eager:
  // correct, a little slower; no warning, as nothing the file had is lost).
  const CDKTF_HINT = path.sep + path.join("cdktf", "lib") + path.sep;
  const LAZY_REQUIRES = [
    { file: path.join("lib", "private", "fs.js"), module: "archiver", use: "call" },
    { file: path.join("lib", "validations", "validate-binary-version.js"), module: "semver", use: "member" },
  ];

  function maybeTrimCDKTF(content, filename) {
    if (filename.endsWith(STACK_TRACE_FILE)) {
      return maybeLazyStackTrace(content, filename);
    }
    for (const lazy of LAZY_REQUIRES) {
      if (!filename.endsWith(path.sep + path.join("cdktf", lazy.file))) {
        continue;
      }
      const root = filename.slice(0, filename.length - lazy.file.length - 1);
      if (packageRoot(path.dirname(filename), "cdktf") !== root) {
        return content;
      }
      const result = lazyRequire(content, lazy.module, lazy.use);
      if (result.error) {
        report("eager-require", { file: filename, module: lazy.module, reason: result.error });
        return content;
      }
      report("lazy-require", { file: filename, module: lazy.module });
      return result.source;
    }
    return content;
  }

  // lazyRequire rewrites the one line `const <name> = require("<name>");` of
  // source into a stand-in that requires the module when first used, if every
  // other mention of name is of the kind use says: "call" `name(`, "member"
  // `name.<identifier>` (never `new name`, `x.name`, or inside a string).
  function lazyRequire(source, name, use) {
    const module = JSON.stringify(name);
    const declaration = "const " + name + " = require(" + module + ");";
    const standIn = use === "call"
      ? "const " + name + " = (...args) => require(" + module + ")(...args);"
      : "const " + name + " = new Proxy({}, { get(target, key) { const m = require(" + module +
        "); const v = m[key]; return typeof v === \"function\" ? v.bind(m) : v; } });";
    const mention = new RegExp("(?<![\\w$])" + name.replace(/[^\w$]/g, "\\$&") + "(?![\\w$])", "g");
    const next = use === "call" ? /^\(/ : /^\.[A-Za-z_$]/;
    const lines = source.split("\n");
    let found = -1;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
      if (line === declaration) {
        if (found !== -1) {
          return { error: "declared twice" };
        }
        found = i;
        continue;
      }
      if (line.startsWith("//# sourceMappingURL=")) {
        continue;
      }
      for (const match of line.matchAll(mention)) {
        const before = line.slice(0, match.index);
        if (!next.test(line.slice(match.index + name.length)) || /(?:\bnew\s+|\.\s*|["'`][^"'`]*)$/.test(before)) {
          return { error: "line " + (i + 1) + " uses " + name + " other than " + (use === "call" ? "by calling it" : "by reading a member") };
        }
      }
    }
    if (found === -1) {
      return { error: "no `" + declaration + "` line" };
    }
    lines[found] = standIn + (lines[found].endsWith("\r") ? "\r" : "");
    return { source: lines.join("\n") };
  }

  // cdktf records where each token was created: captureStackTrace in
  // lib/tokens/private/stack-trace.js captures the stack (cheap) and formats
  // it into strings at once (not cheap: about 1,000 tokens in a synth of
  // every environment here, a few dozen frames each), although the strings
  // are only read to explain an error. When that file is exactly the one below, the formatting is done on
  // first use of the array it returns: an Array (a Proxy of one) that fills
  // itself from the captured frames when anything reads it. Line numbers stay
  // the same. Any other content is left alone, silently.
  const STACK_TRACE_FILE = path.sep + path.join("cdktf", "lib", "tokens", "private", "stack-trace.js");
  const STACK_TRACE_EAGER = [
    "function captureStackTrace(below) {",
    "    below = below || captureStackTrace; // hide myself if nothing else",
    "    const object = { stack: \"\" };",
    "    const previousLimit = Error.stackTraceLimit;",
    "    try {",
    "        Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;",
    "        Error.captureStackTrace(object, below);",
    "    }",
    "    finally {",
    "        Error.stackTraceLimit = previousLimit;",
    "    }",
    "    if (!object.stack) {",
    "        return [];",
    "    }",
    "    return object.stack",
    "        .split(\"\\n\")",
    "        .slice(1)",
    "        .map((s) => s.replace(/^\\s*at\\s+/, \"\"));",
    "}",
  ];
  const STACK_TRACE_LAZY = STACK_TRACE_EAGER.slice(0, 11).concat([
    "    const lines = []; // fastshop lazyprovider: filled from the captured frames on first use",
    "    let format = () => { format = () => lines; if (object.stack) { lines.push(...object.stack.split(\"\\n\").slice(1).map((s) => s.replace(/^\\s*at\\s+/, \"\"))); } return lines; };",
    "    return new Proxy(lines, {",
    "        get: (target, key) => Reflect.get(format(), key), set: (target, key, value) => Reflect.set(format(), key, value), has: (target, key) => Reflect.has(format(), key),",
    "        ownKeys: () => Reflect.ownKeys(format()), getOwnPropertyDescriptor: (target, key) => Reflect.getOwnPropertyDescriptor(format(), key),",
    "        defineProperty: (target, key, descriptor) => Reflect.defineProperty(format(), key, descriptor), deleteProperty: (target, key) => Reflect.deleteProperty(format(), key),",
    "    });",
    "}",
  ]);
  const STACK_TRACE_PREFIX = [
    "\"use strict\";",
    "// Copyright (c) HashiCorp, Inc",
    "// SPDX-License-Identifier: MPL-2.0",
    "// copied from https://github.com/aws/constructs/blob/e01e47f78ef1e9b600efcd23ff7705aa8d384017/lib/private/stack-trace.ts",
    "Object.defineProperty(exports, \"__esModule\", { value: true });",
    "exports.captureStackTrace = captureStackTrace;",
    "/**",
    " * Captures a complete stack trace at the point of invocation.",
    " */",
    "// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type",
  ];

  function maybeLazyStackTrace(content, filename) {
    const root = filename.slice(0, filename.length - STACK_TRACE_FILE.length + ("cdktf".length + 1));
    if (packageRoot(path.dirname(filename), "cdktf") !== root) {
      return content;
    }
    const lines = content.split("\n");
    const code = lines.map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
      .filter((line) => !line.startsWith("//# sourceMappingURL="));
    while (code.length > 0 && code[code.length - 1] === "") {
      code.pop();
    }
    const expected = STACK_TRACE_PREFIX.concat(STACK_TRACE_EAGER);
    if (code.length !== expected.length || code.some((line, i) => line !== expected[i])) {
      report("eager-stack-trace", { file: filename });
      return content;
    }
    if (STACK_TRACE_LAZY.length !== STACK_TRACE_EAGER.length) {
      return content; // a mistake in this file; keep line numbers right
    }
    const start = STACK_TRACE_PREFIX.length;
    for (let i = 0; i < STACK_TRACE_LAZY.length; i++) {
      lines[start + i] = STACK_TRACE_LAZY[i] + (lines[start + i].endsWith("\r") ? "\r" : "");
    }
    report("lazy-stack-trace", { file: filename });
    return lines.join("\n");
  }

  // ---- The jsii processes ----
  //
  // jsii-runtime-go starts `node <tmp>/bin/jsii-runtime.js` (the "wrapper"),
  // which starts `node --preserve-symlinks <tmp>/lib/program.js` (the
  // "kernel", where the JavaScript runs) and relays: the host's requests from
  // its stdin to the kernel's fd 3, the kernel's responses from fd 3 to its
  // stdout. A synth is about a second of work in the kernel, with about 1,000
  // requests. The hook tunes that:
  //
  // 1. Kernel options (any jsii build). The wrapper starts the kernel with
  //    --max-semi-space-size=1 and --v8-pool-size=1 in front of its own
  //    arguments, and the kernel sets V8's --max-opt=2 as it starts, each
  //    unless NODE_OPTIONS or node's own arguments already set it. Node 20
  //    lets each of V8's two semi-spaces grow to 16 MB, which the kernel's
  //    short-lived garbage fills: with 1 MB its peak resident set is about
  //    35 MB lower, for no measurable time. One V8 worker thread instead of
  //    node's four leaves the second core of a small machine to the Go
  //    process. --max-opt=2 leaves out TurboFan, whose background compiles of
  //    a one-second process cost about 0.1 s of CPU and pay nothing back (it
  //    keeps the interpreter, Sparkplug and, where node enables it, Maglev).
  //    These are options of node and V8 that change no result. Only the
  //    kernel gets them: other node processes that inherit NODE_OPTIONS from
  //    the Go program (the wrapper, a tool a test runs) are left as they are.
  //
  // For the builds of the two files listed in JSII_BUILDS, which this hook
  // was checked against (the package tests fail when the pinned
  // jsii-runtime-go has others), the hook also does two more things; any
  // other build runs as it is.
  //
  // 2. Direct channel (Linux). The wrapper gives the kernel its own stdin and
  //    stdout (the host's pipes) as fds 4 and 5, and the kernel reads and
  //    writes those instead of fd 3, so a request and its response no longer
  //    pass through the wrapper's event loop: that relay cost about 0.1 ms of
  //    CPU and two process wake-ups per call. The wrapper then never touches
  //    its stdin or stdout (they are replaced by inert streams), so nothing
  //    else reads the requests, and the pipes stay in blocking mode. The
  //    wrapper still relays the kernel's stdout and stderr and its exit
  //    status, as before; when the host goes away, the kernel reads the end
  //    of its requests and exits, and the wrapper with it, as before.
  //
  // 3. Lazy runtime-defs. The first type lookup in an assembly reads the whole
  //    runtime-defs file of its package-cache entry (32 MB for the AWS
  //    provider, kept for the life of the process) to decode a few hundred
  //    lines of it. In the kernel, readFileSync of such a file returns an
  //    object that reads the requested byte range from the file when asked,
  //    which is the only thing the known build does with it (LazyTypes.get:
  //    `defs.toString("utf-8", begin, end)`). Any other use throws, rather
  //    than giving wrong data.
  const JSII_BUILDS = {
    // @jsii/runtime 1.142.0, embedded in github.com/aws/jsii-runtime-go v1.142.0
    "1ed996c97e76bc911c14c3c796ceeb701a2c6072db8663bddd3ee81073990b8e": "bin/jsii-runtime.js",
    "ae39a922c041b41d2fc0acc0164699f779b7afd48f50aad05b3f70d3b96a0841": "lib/program.js",
  };
  const CHANNEL_ENV = "FASTSHOP_LAZY_PROVIDER_CHANNEL";
  const DEFS_SUFFIX = ".jsii.runtime-defs.v1.jsonl";
  const KERNEL_NODE_OPTIONS = ["--max-semi-space-size=1", "--v8-pool-size=1"];
  const KERNEL_V8_FLAGS = ["--max-opt=2"];

  const jsii = jsiiProcess();
  if (jsii !== undefined) {
    report("jsii", { role: jsii.role, known: jsii.known });
    if (jsii.role === "wrapper") {
      patchKernelSpawn(jsii);
    } else {
      const channel = process.env[CHANNEL_ENV];
      delete process.env[CHANNEL_ENV]; // not for the kernel's own children
      setKernelV8Flags();
      dropInlineSourceMaps = process.sourceMapsEnabled !== true && !optionSet("--enable-source-maps") &&
        !(process.env.NODE_OPTIONS || "").split(/\s+/).concat(process.execArgv).some((arg) => arg.startsWith("--inspect"));
      report("kernel-source-maps", { inline: dropInlineSourceMaps ? "dropped" : "kept" });
      if (jsii.known) {
        readDefsLazily();
      }
      if (channel !== undefined) {
        useDirectChannel(channel);
      }
    }
  }

  // optionSet reports whether NODE_OPTIONS or this process's node arguments
  // set the option (--name=value, --name value, dashes or underscores).
  function optionSet(option) {
    const name = option.split("=")[0].replace(/_/g, "-");
    const given = (process.env.NODE_OPTIONS || "").split(/\s+/).concat(process.execArgv);
    return given.some((arg) => arg.split("=")[0].replace(/_/g, "-") === name);
  }

  // setKernelV8Flags sets KERNEL_V8_FLAGS in this (kernel) process, where V8
  // knows them (its --max-opt came with V8 10.x; node 20 has V8 11).
  function setKernelV8Flags() {
    const major = Number(String(process.versions.v8).split(".")[0]);
    const flags = KERNEL_V8_FLAGS.filter((flag) => !optionSet(flag));
    if (major >= 11 && flags.length > 0) {
      require("v8").setFlagsFromString(flags.join(" "));
      report("kernel-flags", { flags });
    }
  }

  // jsiiProcess returns {role, known, ...} when this process runs the jsii
  // wrapper or kernel, or undefined.
  function jsiiProcess() {
    const main = process.argv[1];
    if (typeof main !== "string") {
      return undefined;
    }
    const file = path.basename(path.dirname(main)) + "/" + path.basename(main);
    try {
      if (file === "bin/jsii-runtime.js") {
        const program = path.resolve(path.dirname(main), "..", "lib", "program.js");
        const known = JSII_BUILDS[sha256(main)] === file && JSII_BUILDS[sha256(program)] === "lib/program.js";
        return { role: "wrapper", known, program };
      }
      if (file === "lib/program.js" && process.execArgv.includes("--preserve-symlinks")) {
        return { role: "kernel", known: JSII_BUILDS[sha256(main)] === file };
      }
    } catch (err) {
      // unreadable: not one we know
    }
    return undefined;
  }

  function sha256(file) {
    return require("crypto").createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  }

  // patchKernelSpawn makes the wrapper's one spawn of the kernel put
  // KERNEL_NODE_OPTIONS in front of its arguments and, for a known build on
  // Linux whose stdin and stdout are pipes, pass it those as fds 4 and 5 (and
  // say so in CHANNEL_ENV).
  function patchKernelSpawn(wrapper) {
    const childProcess = require("child_process");
    const spawn = childProcess.spawn;
    childProcess.spawn = function (file, args, options) {
      childProcess.spawn = spawn; // the wrapper spawns only the kernel
      if (!isKernelSpawn(file, args, wrapper.program)) {
        return spawn.apply(this, arguments);
      }
      const nodeOptions = KERNEL_NODE_OPTIONS.filter((option) => !optionSet(option));
      args = nodeOptions.concat(args);
      const reason = wrapper.known ? directChannelObstacle(options) : "unknown jsii build";
      if (reason !== "") {
        report("kernel-spawn", { nodeOptions, channel: "relayed", reason });
        return spawn.call(this, file, args, options);
      }
      const child = spawn.call(this, file, args, Object.assign({}, options, {
        stdio: ["ignore", "pipe", "pipe", "pipe", 0, 1],
        env: Object.assign({}, process.env, { [CHANNEL_ENV]: "4,5" }),
      }));
      const { PassThrough, Writable } = require("stream");
      const stdin = new PassThrough(); // never written to: this process reads no requests
      const stdout = new Writable({ write(chunk, encoding, callback) { callback(); } });
      Object.defineProperty(process, "stdin", { configurable: true, enumerable: true, get: () => stdin });
      Object.defineProperty(process, "stdout", { configurable: true, enumerable: true, get: () => stdout });
      report("kernel-spawn", { nodeOptions, channel: "direct" });
      return child;
    };
  }

  // isKernelSpawn reports whether spawn(file, args) starts this node on the
  // kernel next to the wrapper.
  function isKernelSpawn(file, args, program) {
    try {
      return file === process.execPath && Array.isArray(args) && args.length > 0 &&
        fs.realpathSync(String(args[args.length - 1])) === fs.realpathSync(program);
    } catch (err) {
      return false;
    }
  }

  // directChannelObstacle returns why the kernel cannot be given the direct
  // channel, or "".
  function directChannelObstacle(options) {
    try {
      if (process.platform !== "linux") {
        return "not Linux"; // the only system it was measured and tested on
      }
      if (!options || options.env !== undefined || JSON.stringify(options.stdio) !== '["ignore","pipe","pipe","pipe"]') {
        return "unexpected spawn options";
      }
      if (!fs.fstatSync(0).isFIFO() || !fs.fstatSync(1).isFIFO()) {
        return "stdin or stdout is not a pipe";
      }
      return "";
    } catch (err) {
      return String(err && err.message);
    }
  }

  // useDirectChannel makes the kernel read requests from, and write responses
  // to, the fds the wrapper passed instead of fd 3, if it passed them (a
  // CHANNEL_ENV inherited from elsewhere comes without them: fd 3 it is).
  function useDirectChannel(channel) {
    const [inFD, outFD] = channel.split(",").map(Number);
    try {
      if (channel !== "4,5" || !fs.fstatSync(inFD).isFIFO() || !fs.fstatSync(outFD).isFIFO()) {
        throw new Error("no pipes at fds " + channel);
      }
    } catch (err) {
      report("channel", { mode: "relayed", reason: String(err && err.message) });
      return;
    }
    // The pipes are in blocking mode, as the host made them for its child
    // and the wrapper left them (it never opened streams on them). Should one
    // not be, SyncStdio retries a write that gets EAGAIN, and so does
    // readSync below for a read. (Reopening them through /proc/self/fd would
    // give file descriptions of our own, but opening a pipe whose other end
    // is gone blocks for ever, where reading it ends the kernel: the host
    // exited.)
    const input = inFD;
    const output = outFD;
    const readSync = fs.readSync;
    const writeSync = fs.writeSync;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    fs.readSync = function (fd, ...rest) {
      if (fd !== 3) {
        return readSync.call(this, fd, ...rest);
      }
      for (;;) {
        try {
          return readSync.call(this, input, ...rest);
        } catch (err) {
          if (!err || err.code !== "EAGAIN") {
            throw err;
          }
          Atomics.wait(pause, 0, 0, 1); // a non-blocking pipe: wait 1 ms for the host
        }
      }
    };
    fs.writeSync = function (fd, ...rest) {
      return writeSync.call(this, fd === 3 ? output : fd, ...rest);
    };
    Object.defineProperty(fs.readSync, "name", { value: "readSync" });
    Object.defineProperty(fs.writeSync, "name", { value: "writeSync" });
    report("channel", { mode: "direct" });
  }

  function readDefsLazily() {
    const readFileSync = fs.readFileSync;
    fs.readFileSync = function (file, options) {
      if (arguments.length === 1 && typeof file === "string" && file.endsWith(DEFS_SUFFIX)) {
        const lazy = lazyDefs(file);
        if (lazy !== undefined) {
          return lazy;
        }
      }
      return readFileSync.apply(this, arguments);
    };
    Object.defineProperty(fs.readFileSync, "name", { value: "readFileSync" });
  }

  function lazyDefs(file) {
    let fd;
    let size;
    try {
      fd = fs.openSync(file, "r");
      size = fs.fstatSync(fd).size;
    } catch (err) {
      if (fd !== undefined) {
        try {
          fs.closeSync(fd);
        } catch (closeErr) {
          // nothing more to do
        }
      }
      return undefined; // let readFileSync report the problem as it would
    }
    report("lazy-defs", { file, bytes: size });
    function toString(encoding, start, end) {
      if ((encoding !== "utf-8" && encoding !== "utf8") || !Number.isInteger(start) || !Number.isInteger(end) ||
          start < 0 || end < start || end > size) {
        throw new RangeError("fastshop lazyprovider: unexpected read of " + file + ": " + JSON.stringify([encoding, start, end]));
      }
      const bytes = Buffer.allocUnsafe(end - start);
      for (let done = 0; done < bytes.length; ) {
        const n = fs.readSync(fd, bytes, done, bytes.length - done, start + done);
        if (n === 0) {
          throw new Error("fastshop lazyprovider: " + file + " ended at byte " + (start + done) + ", before " + end);
        }
        done += n;
      }
      return bytes.toString("utf-8");
    }
    return new Proxy({}, {
      get(target, property) {
        if (property === "toString") {
          return toString;
        }
        if (property === "length") {
          return size;
        }
        throw new TypeError("fastshop lazyprovider: " + String(property) + " of " + file +
          ", which is read lazily for a jsii kernel that only calls toString on it");
      },
    });
  }
})();
