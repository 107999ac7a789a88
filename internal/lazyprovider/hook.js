// fastshop lazyprovider hook: preloaded (node's --require) into the jsii
// kernel by the launcher of the Go package fastshop/internal/lazyprovider
// (launcher.sh), which runs the kernel in place of jsii's relay.
//
// @cdktf/provider-aws ships lib/index.js as an eager barrel: one line
//
//     exports.<ns> = require("./<ns>");
//
// per namespace, 2,123 of them, so node reads and compiles ~206 MB of
// JavaScript although a synth uses a handful of namespaces. Through node's
// supported module hook (module.registerHooks, Node >= 22.15 and 24), this
// hook rewrites that file's source in memory, as node loads it, so that each
// of those lines defines an enumerable, configurable getter that requires the
// namespace on first access and then replaces itself with the plain value.
// In the same way it makes two of cdktf's costs lazy ("cdktf" below): two
// packages cdktf requires but a synth does not use, and the formatting of
// token creation stack traces; and in the jsii kernel's main script it has
// the kernel read the rows of the provider's 32 MB type-definitions file it
// needs rather than the whole file, and, where the launcher started it,
// write its answers to the file descriptor the launcher gave it ("the jsii
// kernel"). Nothing on disk changes.
//
// It looks for what it changes by its shape, never by a hash of a
// third-party file, and where it does not find it, node runs as it would
// without this hook (correct, only slower), with one warning line:
//   - no module.registerHooks (Node 20, or 22 before 22.15): the provider
//     loads eagerly, and the kernel runs through jsii's relay;
//   - a barrel with any line not of the forms below, or a package whose entry
//     point is not lib/index.js: loaded as written;
//   - a cdktf file, or the jsii kernel's lib/program.js, that is not of the
//     shape its part expects: loaded as written; a kernel whose channel is
//     not of the known shape runs through jsii's relay.
// Any error inside the load hook is caught and means the same: stock
// behaviour.
//
// None of it changes what a synth writes: the package tests and
// e2e/lazyprovider_test.go compare every byte with the hook on and off.
//
// Environment:
//   FASTSHOP_LAZY_PROVIDER=off          the hook does nothing.
//   FASTSHOP_LAZY_PROVIDER_REPORT=FILE  each process appends JSON lines saying
//                                       what the hook did (for tests).
//   FASTSHOP_LAZY_PROVIDER_SKIP=a,b     leaves out parts, for comparisons:
//                                       barrel, cdktf-requires, stack-traces,
//                                       defs (and, in the launcher, direct;
//                                       in the Go program the kernel's
//                                       options: warnings, semi-space; and
//                                       tarball-pages).
"use strict";

(function install() {
  const marker = Symbol.for("fastshop.lazyprovider");
  if (globalThis[marker]) {
    return; // already installed in this process (the flag was given twice)
  }
  const state = { status: "installed" };
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

  // Set by the launcher when it runs this process as the jsii kernel in place
  // of jsii's relay (that relay's path): this process's only, not its
  // children's.
  const RELAY_ENV = "FASTSHOP_LAZY_PROVIDER_RELAY";
  const relay = process.env[RELAY_ENV];
  delete process.env[RELAY_ENV];

  const switchValue = (process.env.FASTSHOP_LAZY_PROVIDER || "").trim().toLowerCase();
  if (["off", "0", "false", "no"].includes(switchValue)) {
    state.status = "off";
    report("off", {});
    if (relay !== undefined) {
      runRelay(relay, "");
    }
    return;
  }
  report("preload", { node: process.version });
  // For comparisons: parts to leave out, comma-separated.
  const skip = new Set((process.env.FASTSHOP_LAZY_PROVIDER_SKIP || "").split(",").map((part) => part.trim()));

  // One warning per program: a kernel run through the relay, and the relay,
  // both have this hook; the first to warn tells the processes it starts,
  // through their environment.
  const WARNED_ENV = "FASTSHOP_LAZY_PROVIDER_WARNED";
  function warn(message, instead) {
    if (process.env[WARNED_ENV]) {
      return;
    }
    process.env[WARNED_ENV] = "1";
    process.stderr.write(
      "fastshop lazyprovider: " + message + "; " + (instead || "loading the AWS provider eagerly") +
        " (correct, but synth is slower). FASTSHOP_LAZY_PROVIDER=off silences this.\n"
    );
  }

  function fallBack(reason, fields) {
    state.status = "fallback";
    report("fallback", Object.assign({ reason }, fields));
    warn(reason);
  }

  const PACKAGE_NAME = "@cdktf/provider-aws";
  const ENTRY = "lib/index.js";
  // Cheap filter before any file system access: the package's files live in
  // .../node_modules/@cdktf/provider-aws/... (what the jsii kernel passes, with
  // --preserve-symlinks) or, resolved, in
  // .../package-cache/@cdktf/provider-aws/<version>/<hash>/...
  const URL_HINT = "/@cdktf/provider-aws/";
  const seenRoots = new Set();

  // loadHook is node's load hook: it passes every module through unchanged,
  // except the first file node loads from each copy of the provider package
  // (its entry point: if it is lib/index.js of the expected shape, it is made
  // lazy) and the few cdktf files below.
  function loadHook(url, context, nextLoad) {
    const result = nextLoad(url, context);
    if (typeof url !== "string" || !url.startsWith("file:") ||
      !(url.includes(URL_HINT) || url.includes(CDKTF_HINT) || url.endsWith(KERNEL_HINT))) {
      return result;
    }
    try {
      if (url.endsWith(KERNEL_HINT)) {
        return maybeRewriteKernel(url, result);
      }
      if (url.includes(URL_HINT)) {
        return skip.has("barrel") ? result : maybeRewrite(url, result);
      }
      const text = sourceText(result);
      const trimmed = text === undefined ? text : maybeTrimCDKTF(text, require("url").fileURLToPath(url));
      return trimmed === text ? result : Object.assign({}, result, { source: trimmed });
    } catch (err) {
      fallBack("unexpected error: " + String(err && err.message), { file: url });
      return result;
    }
  }

  // sourceText returns the source of a load hook's result as a string, or
  // undefined.
  function sourceText(result) {
    const source = result && result.source;
    if (typeof source === "string") {
      return source;
    } else if (ArrayBuffer.isView(source)) {
      return Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString("utf8");
    } else if (source instanceof ArrayBuffer) {
      return Buffer.from(source).toString("utf8");
    }
    return undefined;
  }

  function maybeRewrite(url, result) {
    const filename = require("url").fileURLToPath(url);
    const root = packageRoot(path.dirname(filename), PACKAGE_NAME);
    if (root === "" || seenRoots.has(root)) {
      return result;
    }
    seenRoots.add(root);
    const entry = path.relative(root, filename).split(path.sep).join("/");
    if (entry !== ENTRY) {
      fallBack(PACKAGE_NAME + " has an unexpected layout (entry point is " + entry + ", not " + ENTRY + ")",
        { file: filename });
      return result;
    }
    const text = sourceText(result);
    if (text === undefined) {
      fallBack("node's load hook gave " + PACKAGE_NAME + "/" + ENTRY + " without its source", { file: filename });
      return result;
    }
    const lazy = lazyBarrel(text);
    if (lazy.error) {
      fallBack(PACKAGE_NAME + "/" + ENTRY + " has an unexpected shape (" + lazy.error + ")", { file: filename });
      return result;
    }
    state.status = "lazy";
    report("lazy", { file: filename, namespaces: lazy.namespaces });
    return Object.assign({}, result, { source: lazy.source });
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
  // correct, a little slower), with one warning.
  const CDKTF_HINT = "/cdktf/lib/";
  const LAZY_REQUIRES = [
    { file: path.join("lib", "private", "fs.js"), module: "archiver", use: "call" },
    { file: path.join("lib", "validations", "validate-binary-version.js"), module: "semver", use: "member" },
  ];

  function maybeTrimCDKTF(content, filename) {
    if (filename.endsWith(STACK_TRACE_FILE)) {
      return skip.has("stack-traces") ? content : maybeLazyStackTrace(content, filename);
    }
    if (skip.has("cdktf-requires")) {
      return content;
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
        warn("cdktf's " + lazy.file.split(path.sep).join("/") + " has an unexpected shape (" + result.error + ")",
          "loading " + lazy.module + " when cdktf loads");
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
  // the same. Any other content is left alone, with one warning.
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
      warn("cdktf's lib/tokens/private/stack-trace.js is not the one this hook knows",
        "formatting token stack traces as cdktf does");
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

  // ---- the jsii kernel ----
  //
  // Run directly. jsii's kernel reads requests from and writes answers to
  // fd 3, which jsii's relay gives it as one socket: its SyncStdio is built
  // in the kernel's main script as
  //
  //     new SyncStdio({errorFD: ..., readFD:3, writeFD:3})
  //
  // The launcher, in the relay's place, has the Go program's two pipes: it
  // gives the kernel the request pipe as fd 3 and the answer pipe as fd 4
  // (a pipe goes one way). When the main script has that literal exactly
  // once, it becomes writeFD:4; without it (or without module.registerHooks
  // to rewrite it), this process runs jsii's relay in its place (runRelay),
  // as jsii would have, with one warning. It decides before the kernel's
  // first line runs, so it cannot hang.
  const KERNEL_CHANNEL = "readFD:3,writeFD:3";
  const DIRECT_CHANNEL = "readFD:3,writeFD:4";

  // directProblem says why this process cannot run as the kernel the
  // launcher asked for, or "".
  function directProblem() {
    try {
      const found = fs.readFileSync(process.argv[1], "utf8").split(KERNEL_CHANNEL).length - 1;
      return found === 1 ? "" : "the jsii kernel (" + process.argv[1] + ") has " + found + " `" + KERNEL_CHANNEL + "`, not 1";
    } catch (err) {
      return String(err && err.message);
    }
  }

  // runRelay runs jsii's relay in this process's place, its requests and
  // answers on the fds the launcher gave, and exits with it; it never
  // returns, so the kernel's main script never runs here.
  function runRelay(relayPath, reason) {
    if (reason !== "") {
      report("relayed", { reason });
      warn(reason, "running the jsii kernel through jsii's relay");
    }
    const child = require("child_process").spawnSync(process.execPath, process.execArgv.concat(relayPath), { stdio: [3, 4, 2] });
    if (child.error) {
      process.stderr.write("fastshop lazyprovider: starting jsii's relay failed: " + child.error.message + "\n");
    }
    process.exit(child.status === null ? 1 : child.status);
  }

  // The first type lookup in an assembly reads the whole runtime-defs file of
  // its package-cache entry (32 MB for the AWS provider) and keeps it for the
  // life of the kernel, to decode a few hundred lines of it: jsii's
  // LazyTypes.get (lib/program.js, the kernel's main script) does
  //
  //     this.#defs ??= readFileSync(this.#defsPath);
  //     ... JSON.parse(this.#defs.toString("utf-8", begin, end)) ...
  //
  // When that method is exactly of this shape (as tsc lowers it: the private
  // field a WeakMap, read and written at that one place in the file), the
  // read and the decode become one call that reads bytes begin..end of the
  // file into a Buffer of that size and decodes it: the same string, and the
  // field stays empty. Any other kernel is left alone, with one warning.
  const KERNEL_HINT = "/lib/program.js";
  const RANGE_HELPER = "__fastshopReadRange";
  const ID = "[A-Za-z_$][\\w$]*";
  // The method's code as tsc and the bundler emit it, with its minified
  // names captured: get/set are tsc's private field helpers, defs the field
  // that holds the file's contents, file the one that holds its path.
  const named = (name) => "(?<" + name + ">" + ID + ")";
  const DEFS_READ = new RegExp(
    "const " + named("buffer") + "=" + named("set") + "\\(this," + named("defs") + ",null!==\\(" + named("tmp") +
      "=" + named("get") + "\\(this,\\k<defs>,\"f\"\\)\\)&&void 0!==\\k<tmp>\\?\\k<tmp>:" +
      "\\(0," + ID + "\\.readFileSync\\)\\(\\k<get>\\(this," + named("file") + ",\"f\"\\)\\),\"f\"\\)," +
      named("begin") + "=\\k<get>\\(this," + named("index") + ",\"f\"\\)\\.readUInt32LE\\(\\k<get>\\(this," + named("offsets") +
      ",\"f\"\\)\\+4\\*" + named("row") + "\\)," +
      named("end") + "=\\k<get>\\(this,\\k<index>,\"f\"\\)\\.readUInt32LE\\(\\k<get>\\(this,\\k<offsets>,\"f\"\\)\\+4\\*\\(\\k<row>\\+1\\)\\)," +
      named("parsed") + "=JSON\\.parse\\(\\k<buffer>\\.toString\\(\"utf-8\",\\k<begin>,\\k<end>\\)\\);", "g");


  // maybeRewriteKernel applies the kernel's parts (the answer channel, type
  // definitions read by row) to the kernel's main script.
  function maybeRewriteKernel(url, result) {
    const filename = require("url").fileURLToPath(url);
    // Only the kernel's main script: lib/program.js beside bin/jsii-runtime.js.
    if (!process.argv[1] || path.resolve(process.argv[1]) !== filename ||
      !fs.existsSync(path.join(path.dirname(filename), "..", "bin", "jsii-runtime.js"))) {
      return result;
    }
    let text = sourceText(result);
    if (direct) {
      // directProblem found the literal once: the kernel must not start
      // writing to fd 3, which is the request pipe's read end.
      if (text === undefined || text.split(KERNEL_CHANNEL).length !== 2) {
        throw new Error("fastshop lazyprovider: the jsii kernel's channel changed while it loaded");
      }
      text = text.replace(KERNEL_CHANNEL, DIRECT_CHANNEL);
      report("direct", { file: filename });
    }
    if (text === undefined) {
      report("eager-defs", { file: filename, reason: "node's load hook gave it without its source" });
      warn("the jsii kernel (" + filename + ") came without its source", "reading type definitions whole");
      return result;
    }
    if (!skip.has("defs")) {
      const rewritten = rangeReads(text);
      if (rewritten.error) {
        report("eager-defs", { file: filename, reason: rewritten.error });
        warn("the jsii kernel (" + filename + ") is not of the shape this hook knows (" + rewritten.error + ")",
          "reading type definitions whole");
      } else {
        report("lazy-defs", { file: filename });
        text = rewritten.source;
      }
    }
    return Object.assign({}, result, { source: text });
  }

  // rangeReads rewrites the one read of a runtime-defs file in source (see
  // above), or returns {error}.
  function rangeReads(source) {
    if (source.includes(RANGE_HELPER)) {
      return { error: "it already mentions " + RANGE_HELPER };
    }
    const matches = [...source.matchAll(DEFS_READ)];
    if (matches.length !== 1) {
      return { error: matches.length + " runtime-defs reads of the known form, not 1" };
    }
    const m = matches[0];
    const g = m.groups;
    // The field is private: it must be read and written only here.
    const reads = source.split(g.get + "(this," + g.defs + ",").length - 1;
    const writes = source.split(g.set + "(this," + g.defs + ",").length - 1;
    if (reads !== 1 || writes !== 1) {
      return { error: "its type-definitions field is used " + (reads + writes) + " times, not 2" };
    }
    const field = (name) => g.get + "(this," + name + ",\"f\")";
    const replacement =
      "const " + g.begin + "=" + field(g.index) + ".readUInt32LE(" + field(g.offsets) + "+4*" + g.row + ")," +
      g.end + "=" + field(g.index) + ".readUInt32LE(" + field(g.offsets) + "+4*(" + g.row + "+1))," +
      g.parsed + "=JSON.parse(" + RANGE_HELPER + "(" + field(g.file) + "," + g.begin + "," + g.end + "));";
    const rewritten = source.slice(0, m.index) + replacement + source.slice(m.index + m[0].length);
    // A hoisted function declaration at the end of the module: the file's
    // lines before it are unchanged, and the module's own `require` is in
    // scope.
    return {
      source: rewritten + "\nfunction " + RANGE_HELPER + "(file, begin, end) {" +
        " const fs = require(\"fs\"); const fd = fs.openSync(file, \"r\");" +
        " try { const bytes = Buffer.alloc(Math.max(0, Math.min(end, fs.fstatSync(fd).size) - begin)); let got = 0;" +
        " while (got < bytes.length) { const n = fs.readSync(fd, bytes, got, bytes.length - got, begin + got); if (n === 0) break; got += n; }" +
        " return bytes.toString(\"utf-8\", 0, got); } finally { fs.closeSync(fd); } }\n",
    };
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

  // Last, once everything the load hook uses is defined.
  let direct = false;
  if (typeof Module.registerHooks !== "function") {
    const reason = "node " + process.version + " has no module.registerHooks (Node >= 22.15; " +
      "Node 24 and 22 LTS are supported)";
    if (relay !== undefined) {
      runRelay(relay, reason);
    }
    fallBack(reason);
    return;
  }
  if (relay !== undefined) {
    const problem = directProblem();
    if (problem !== "") {
      runRelay(relay, problem);
    }
    direct = true;
  }
  try {
    Module.registerHooks({ load: loadHook });
  } catch (err) {
    if (relay !== undefined) {
      runRelay(relay, "module.registerHooks failed: " + String(err && err.message));
    }
    fallBack("module.registerHooks failed: " + String(err && err.message));
  }
})();
