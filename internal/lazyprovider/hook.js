// fastshop lazyprovider hook: preloaded into the jsii runtime's node processes
// with NODE_OPTIONS=--require=<this file> by the Go package
// fastshop/internal/lazyprovider.
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
// needs rather than the whole file, and hash package tarballs through one
// reused buffer ("the jsii kernel"). Nothing on disk changes.
//
// It looks for what it changes by its shape, never by a hash of a
// third-party file, and where it does not find it, node runs as it would
// without this hook (correct, only slower), with one warning line:
//   - no module.registerHooks (Node 20, or 22 before 22.15): the provider
//     loads eagerly;
//   - a barrel with any line not of the forms below, or a package whose entry
//     point is not lib/index.js: loaded as written;
//   - a cdktf file, or the jsii kernel's lib/program.js, that is not of the
//     shape its part expects: loaded as written.
// Any error inside the load hook is caught and means the same: stock
// behaviour.
//
// Between the jsii relay and the kernel it sets up a direct channel (see
// directChannel): the kernel reads the Go program's requests and writes its
// answers itself, instead of through the relay. The relay grants it only
// once the kernel has shown that its reads go where the hook sends them; a
// relay or kernel of another shape keeps stock relaying, with one warning,
// never a hang.
//
// It also passes the kernel node options (see childOptions): one that
// silences the one deprecation warning a synth on Node 22 and 24 prints that
// is not ours to fix, a small young generation (less memory) and one V8
// worker thread; and, from the jsii relay, no TurboFan on the kernel's
// command line (see kernelFlags). A node that does not accept one runs
// without it, silently: what it would print or use without this hook.
//
// None of it changes what a synth writes: the package tests and
// e2e/lazyprovider_test.go compare every byte with the hook on and off.
//
// Environment:
//   FASTSHOP_LAZY_PROVIDER=off          the hook does nothing.
//   FASTSHOP_LAZY_PROVIDER_REPORT=FILE  each process appends JSON lines saying
//                                       what the hook did (for tests and the
//                                       benchmark).
//   FASTSHOP_LAZY_PROVIDER_SKIP=a,b     leaves out parts, for the benchmark:
//                                       barrel, cdktf-requires, stack-traces,
//                                       defs, digest, channel, warnings,
//                                       semi-space, pool, max-opt (and
//                                       tarball-pages, in the Go program).
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

  const switchValue = (process.env.FASTSHOP_LAZY_PROVIDER || "").trim().toLowerCase();
  if (["off", "0", "false", "no"].includes(switchValue)) {
    state.status = "off";
    report("off", {});
    return;
  }
  report("preload", { node: process.version });
  // For the benchmark: parts to leave out, comma-separated.
  const skip = new Set((process.env.FASTSHOP_LAZY_PROVIDER_SKIP || "").split(",").map((part) => part.trim()));

  // One warning per program: the jsii runtime runs two node processes (a
  // relay and the kernel it starts), both with this hook; the first to warn
  // tells the processes it starts, through their environment.
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

  const KERNEL_FLAGS = [{ flag: "--max-opt", value: "2", part: "max-opt" }];
  const CHECKED_V8 = ["13.6", "12.4"]; // V8 major.minor of Node 24 and Node 22
  const CHANNEL_ENV = "FASTSHOP_LAZY_PROVIDER_CHANNEL";
  const CHANNEL_FDS = "4,5,6";
  const CHANNEL_WAIT_MS = 2000;
  const pause = new Int32Array(new SharedArrayBuffer(4)); // for Atomics.wait

  childOptions();
  kernelFlags();
  directChannel();

  // childOptions adds node options to the NODE_OPTIONS that this process
  // passes to the node processes it starts: the jsii relay starts the kernel
  // (where the JavaScript runs) with its own environment, so the kernel gets
  // them. Each is added only if this node accepts it in NODE_OPTIONS and
  // NODE_OPTIONS does not set it already; a node that does not know one runs
  // as it would without it. None of them changes what a synth writes.
  function childOptions() {
    const options = [
      // Warnings that are not ours to fix, by code:
      // DEP0044, util.isArray: cdktf 0.20.12 calls it in
      // lib/terraform-output.js (TerraformOutput.isITerraformAddressable) for
      // every output whose value is an object; a runtime deprecation since
      // Node 22.
      // cdktf is no longer developed, so no release will drop the call.
      { flag: "--disable-warning", value: "DEP0044", part: "warnings" },
      // V8's young generation: node lets each of its two semi-spaces grow to
      // 16 MB or more, which the kernel's short-lived garbage fills; with
      // 1 MB its peak resident set is lower, for no measurable time (README.md
      // "Synth speed" has the figures; go run ./bench/synthbench -parts
      // semi-space makes them).
      { flag: "--max-semi-space-size", value: "1", part: "semi-space" },
      // V8's background threads: node starts four for compiles and GC work;
      // one leaves the second core of a small machine to the Go program,
      // which waits on the kernel's answers (go run ./bench/synthbench
      // -parts pool).
      { flag: "--v8-pool-size", value: "1", part: "pool" },
    ];
    try {
      const current = process.env.NODE_OPTIONS || "";
      const given = current.split(/\s+/).map((arg) => arg.split("=")[0].replace(/_/g, "-"));
      const added = [];
      for (const option of options) {
        if (skip.has(option.part) || !process.allowedNodeEnvironmentFlags.has(option.flag)) {
          continue;
        }
        if (option.flag !== "--disable-warning" && given.includes(option.flag)) {
          continue; // the user's value wins
        }
        const arg = option.flag + "=" + option.value;
        if (!current.split(/\s+/).includes(arg)) {
          added.push(arg);
        }
      }
      if (added.length > 0) {
        process.env.NODE_OPTIONS = (current.trim() + " " + added.join(" ")).trim();
      }
      report("child-options", { added });
    } catch (err) {
      report("child-options", { added: [], reason: String(err && err.message) });
    }
  }

  // kernelFlags passes the kernel a V8 option that node does not accept in
  // NODE_OPTIONS, so it must be on the kernel's command line: no optimizing
  // compiler above Maglev (--max-opt=2). TurboFan's compiles, for a process
  // that lives a second, cost CPU and pay nothing back (go run
  // ./bench/synthbench -parts max-opt); it changes how fast code runs, not
  // what it computes. The jsii relay (bin/jsii-runtime.js, the process the
  // jsii runtime starts) starts the kernel with its own process.execArgv
  // first on the command line, so the hook, in the relay only, adds it there;
  // a relay that does not pass it on starts the kernel as it would without
  // the hook. A node whose V8 does not know an option refuses to start with
  // it ("bad option"). A V8 version's options never change, so on the V8s
  // this was tested with (CHECKED_V8: Node 24's and 22's; the tests run both)
  // it is passed as it is; any other node is asked first (`node <option>
  // --version`, about 10 ms), and one that refuses it gets the kernel
  // without it. An option the user set is left to the user's value.
  function kernelFlags() {
    if (!isRelay()) {
      return;
    }
    try {
      const given = process.execArgv.concat((process.env.NODE_OPTIONS || "").split(/\s+/))
        .map((a) => a.split("=")[0].replace(/_/g, "-"));
      const args = [];
      for (const option of KERNEL_FLAGS) {
        if (skip.has(option.part)) {
          continue;
        }
        if (given.includes(option.flag)) {
          report("kernel-options", { added: [], reason: option.flag + " set by the user" });
          continue;
        }
        args.push(option.flag + "=" + option.value);
      }
      if (args.length === 0) {
        return;
      }
      const v8 = String(process.versions.v8).split(".").slice(0, 2).join(".");
      const checked = CHECKED_V8.includes(v8);
      if (!checked) {
        const check = require("child_process").spawnSync(process.execPath, args.concat("--version"),
          { stdio: "ignore", env: Object.assign({}, process.env, { NODE_OPTIONS: "" }), timeout: 5000 });
        if (check.status !== 0) {
          report("kernel-options", { added: [], reason: "node refuses " + args.join(" ") });
          return;
        }
      }
      process.execArgv.push(...args);
      report("kernel-options", { added: args, asked: !checked });
    } catch (err) {
      report("kernel-options", { added: [], reason: String(err && err.message) });
    }
  }

  // directChannel gives the kernel the Go program's own pipes, so that a
  // request and its response no longer pass through the relay. Stock, the
  // jsii relay (bin/jsii-runtime.js) pipes its stdin to the kernel's fd 3 and
  // fd 3 back to its stdout: every call costs two more pipe hops and two
  // wake-ups of the relay's event loop (README.md "Synth speed" has what it
  // costs; go run ./bench/synthbench -parts channel). Here the relay starts the
  // kernel with its stdin and stdout as fds 4 and 5 and a control socket as
  // fd 6, and reads neither pipe until the kernel has taken the channel or
  // turned it down:
  //   - the kernel, at its first read of fd 3 through fs.readSync (the
  //     evidence that its reads go where this hook can send them), asks on
  //     fd 6 and waits for the answer; "D" (direct): it reads fd 4 and writes
  //     fd 5 from then on; anything else: fd 3, stock;
  //   - the relay answers "D" only while it has not started relaying. If the
  //     kernel has not asked within CHANNEL_WAIT_MS of its first message (the
  //     jsii hello, which the protocol sends before any read), or says "N"
  //     (it cannot take the channel), the relay starts relaying its stdin as
  //     stock does, warns once, and answers a later question with "R".
  // The relay is the one that decides, and it decides once, so exactly one
  // process reads the requests: a kernel or relay of another shape costs at
  // most CHANNEL_WAIT_MS once, never a hang. The relay writes to its stdout
  // with blocking writes, so that the pipe the kernel shares stays blocking.
  function directChannel() {
    const channel = process.env[CHANNEL_ENV];
    delete process.env[CHANNEL_ENV]; // this process's only, not its children's
    try {
      if (isRelay()) {
        if (!skip.has("channel")) {
          relayOffersChannel();
        }
      } else if (channel !== undefined && path.basename(process.argv[1] || "") === "program.js") {
        kernelTakesChannel(channel);
      }
    } catch (err) {
      report("channel", { mode: "relayed", reason: String(err && err.message) });
    }
  }

  function isRelay() {
    const script = process.argv[1] || "";
    return path.basename(script) === "jsii-runtime.js" && path.basename(path.dirname(script)) === "bin";
  }

  // relayOffersChannel wraps child_process.spawn for the relay's one spawn:
  // the kernel's.
  function relayOffersChannel() {
    const childProcess = require("child_process");
    const spawn = childProcess.spawn;
    childProcess.spawn = function (file, args, options) {
      childProcess.spawn = spawn; // the relay starts one process
      const obstacle = channelObstacle(file, args, options);
      if (obstacle !== "") {
        report("channel", { mode: "relayed", reason: obstacle.reason });
        if (obstacle.warn) {
          warn(obstacle.reason, "relaying the jsii messages");
        }
        return spawn.apply(this, arguments);
      }
      const stdin = Object.getOwnPropertyDescriptor(process, "stdin");
      const stdout = Object.getOwnPropertyDescriptor(process, "stdout");
      const child = spawn.call(this, file, args, Object.assign({}, options, {
        stdio: ["ignore", "pipe", "pipe", "pipe", 0, 1, "pipe"],
        env: Object.assign({}, process.env, { [CHANNEL_ENV]: CHANNEL_FDS }),
      }));
      let mode = "pending";
      let timer;
      const { PassThrough, Writable } = require("stream");
      // What the relay pipes to the kernel's fd 3: nothing, unless it relays.
      const stdinProxy = new PassThrough();
      const stdoutProxy = new Writable({
        write(chunk, encoding, callback) {
          if (mode === "relayed") {
            stdout.get.call(process).write(chunk, callback);
            return;
          }
          try {
            writeFully(1, chunk);
          } catch (err) {
            callback(err);
            return;
          }
          callback();
        },
      });
      Object.defineProperty(process, "stdin", { configurable: true, enumerable: true, get: () => stdinProxy });
      Object.defineProperty(process, "stdout", { configurable: true, enumerable: true, get: () => stdoutProxy });
      const relay = (reason, warned) => {
        if (mode !== "pending") {
          return;
        }
        mode = "relayed";
        clearTimeout(timer);
        stdin.get.call(process).pipe(stdinProxy);
        report("channel", { mode, reason });
        if (warned) {
          warn(reason, "relaying the jsii messages");
        }
      };
      child.stdio[3].once("data", () => {
        if (mode === "pending") {
          timer = setTimeout(() => relay("the jsii kernel did not take the direct channel within " +
            CHANNEL_WAIT_MS + " ms of its first message", true), CHANNEL_WAIT_MS);
        }
      });
      const control = child.stdio[6];
      control.on("data", (data) => {
        const question = String(data);
        if (question === "?" && mode === "pending") {
          mode = "direct";
          clearTimeout(timer);
          report("channel", { mode });
        } else if (question !== "?") {
          relay("the jsii kernel turned the direct channel down: " + question.slice(1), question[0] !== "N");
          return;
        }
        control.write(mode === "direct" ? "D" : "R");
      });
      control.on("error", (err) => relay("the control socket failed: " + String(err && err.message), true));
      child.once("exit", () => clearTimeout(timer));
      return child;
    };
  }

  // channelObstacle returns {reason, warn} if the relay cannot offer the
  // channel, or "". The spawn must be the stock one: this node on the
  // kernel's program, the stdio and environment jsii gives it, and this
  // process's stdin and stdout pipes behind node's own lazy getters.
  function channelObstacle(file, args, options) {
    const shape = (reason) => ({ reason: "the jsii relay starts the kernel in a way this hook does not know (" + reason + ")", warn: true });
    try {
      if (process.platform !== "linux") {
        return { reason: "not Linux", warn: false }; // the only system it was measured and tested on
      }
      if (file !== process.execPath || !Array.isArray(args) || args.length === 0 ||
          path.basename(String(args[args.length - 1])) !== "program.js") {
        return shape("not node on lib/program.js");
      }
      if (!options || options.env !== undefined || JSON.stringify(options.stdio) !== '["ignore","pipe","pipe","pipe"]') {
        return shape("spawn options " + JSON.stringify(options && { stdio: options.stdio, env: options.env !== undefined }));
      }
      for (const name of ["stdin", "stdout"]) {
        const descriptor = Object.getOwnPropertyDescriptor(process, name);
        if (!descriptor || typeof descriptor.get !== "function" || !descriptor.configurable) {
          return shape("process." + name + " is not a getter");
        }
      }
      if (!fs.fstatSync(0).isFIFO() || !fs.fstatSync(1).isFIFO()) {
        return { reason: "stdin or stdout is not a pipe", warn: false };
      }
      return "";
    } catch (err) {
      return { reason: String(err && err.message), warn: true };
    }
  }

  // kernelTakesChannel, in the kernel the relay offered the channel to,
  // redirects fd 3 once the relay says so (see directChannel).
  function kernelTakesChannel(channel) {
    const [input, output, control] = CHANNEL_FDS.split(",").map(Number);
    let obstacle = "";
    try {
      if (channel !== CHANNEL_FDS) {
        obstacle = "fds " + channel;
      } else if (!fs.fstatSync(input).isFIFO() || !fs.fstatSync(output).isFIFO() || !fs.fstatSync(control).isSocket()) {
        obstacle = "no pipes at fds " + CHANNEL_FDS;
      }
    } catch (err) {
      obstacle = String(err && err.message);
    }
    if (obstacle !== "") {
      report("channel", { mode: "relayed", reason: obstacle });
      try {
        writeFully(control, "N" + obstacle); // the relay need not wait
      } catch (err) {
        // no control socket: the relay stops waiting after CHANNEL_WAIT_MS
      }
      return;
    }
    const readSync = fs.readSync;
    const writeSync = fs.writeSync;
    let mode = "pending";
    const ask = () => {
      try {
        writeFully(control, "?");
        const answer = Buffer.alloc(1);
        return readFully(readSync, control, answer, 0, 1) === 1 && answer[0] === 0x44 ? "direct" : "relayed";
      } catch (err) {
        return "relayed";
      }
    };
    fs.readSync = function (fd, buffer, ...rest) {
      if (fd === 3 && mode === "pending") {
        mode = ask();
        report("channel", { mode, side: "kernel" });
      }
      if (fd === 3 && mode === "direct") {
        return readFully(readSync, input, buffer, ...rest);
      }
      return readSync.call(this, fd, buffer, ...rest);
    };
    fs.writeSync = function (fd, ...rest) {
      return writeSync.call(this, fd === 3 && mode === "direct" ? output : fd, ...rest);
    };
    Object.defineProperty(fs.readSync, "name", { value: "readSync" });
    Object.defineProperty(fs.writeSync, "name", { value: "writeSync" });
  }

  // readFully is one fs.readSync that waits, 1 ms at a time, while a
  // non-blocking fd has nothing (EAGAIN), as a blocking one would.
  function readFully(readSync, fd, ...rest) {
    for (;;) {
      try {
        return readSync.call(fs, fd, ...rest);
      } catch (err) {
        if (!err || err.code !== "EAGAIN") {
          throw err;
        }
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  }

  // writeFully writes all of data (a string or bytes) to fd, waiting as
  // readFully does.
  function writeFully(fd, data) {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    for (let done = 0; done < bytes.length; ) {
      try {
        done += fs.writeSync(fd, bytes, done, bytes.length - done);
      } catch (err) {
        if (!err || err.code !== "EAGAIN") {
          throw err;
        }
        Atomics.wait(pause, 0, 0, 1);
      }
    }
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

  // maybeRewriteKernel applies the kernel's parts (type definitions read by
  // row, the package digest in large chunks) to the kernel's main script, each
  // only where it finds its shape.
  function maybeRewriteKernel(url, result) {
    const filename = require("url").fileURLToPath(url);
    // Only the kernel's main script: lib/program.js beside bin/jsii-runtime.js.
    if (!process.argv[1] || path.resolve(process.argv[1]) !== filename ||
      !fs.existsSync(path.join(path.dirname(filename), "..", "bin", "jsii-runtime.js"))) {
      return result;
    }
    let text = sourceText(result);
    if (text === undefined) {
      report("eager-defs", { file: filename, reason: "node's load hook gave it without its source" });
      warn("the jsii kernel (" + filename + ") came without its source", "reading type definitions whole");
      return result;
    }
    const parts = [
      { part: "defs", rewrite: rangeReads, done: "lazy-defs", left: "eager-defs", instead: "reading type definitions whole" },
      { part: "digest", rewrite: chunkedDigest, done: "chunked-digest", left: "stock-digest", instead: "hashing packages in 16 KB chunks" },
    ];
    const original = text;
    for (const { part, rewrite, done, left, instead } of parts) {
      if (skip.has(part)) {
        continue;
      }
      const rewritten = rewrite(text);
      if (rewritten.error) {
        report(left, { file: filename, reason: rewritten.error });
        warn("the jsii kernel (" + filename + ") is not of the shape this hook knows (" + rewritten.error + ")", instead);
        continue;
      }
      report(done, { file: filename });
      text = rewritten.source;
    }
    return text === original ? result : Object.assign({}, result, { source: text });
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

  // The kernel finds a package's entry in its package cache by the SHA-256 of
  // the package's tarball (34 MB for the AWS provider), which it reads in
  // 16 KB chunks, each a new zero-filled Buffer: about 2,200 allocations and
  // reads and 34 MB of garbage per synth, for a digest
  // (go run ./bench/synthbench -parts digest). jsii's digestFile is
  //
  //     function digestFile(e,...p){return readFileChunks(e,()=>{},...p)}
  //
  // and readFileChunks allocates `const m=Buffer.alloc(16384);` for each read
  // of `readSync(fd, m)`, hashes the bytes read and hands them to its callback.
  // When both are of exactly that shape, digestFile passes a callback of ours
  // instead of its no-op, and for that callback alone readFileChunks reads
  // into one reused 1 MB buffer: the same bytes hashed in the same order (the
  // digest is the same), with every byte it hashes just read. Extraction
  // (readFileChunks with the tar parser as callback, which may keep the
  // chunks) still gets a new buffer per chunk.
  const DIGEST_HELPER = "__fastshopDigestChunks";
  const DIGEST_FILE = new RegExp("function digestFile\\(" + named("file") + ",\\.\\.\\." + named("rest") +
    "\\)\\{return " + named("chunks") + "\\(\\k<file>,\\(\\)=>\\{\\},\\.\\.\\.\\k<rest>\\)\\}", "g");

  function chunkedDigest(source) {
    if (source.includes(DIGEST_HELPER)) {
      return { error: "it already mentions " + DIGEST_HELPER };
    }
    const digests = [...source.matchAll(DIGEST_FILE)];
    if (digests.length !== 1) {
      return { error: digests.length + " digestFile functions of the known form, not 1" };
    }
    const d = digests[0];
    const chunks = d.groups.chunks;
    const reads = [...source.matchAll(new RegExp("function " + chunks + "\\(" + named("file") + "," + named("callback") +
      ",\\.\\.\\." + ID + "\\)\\{const " + named("hash") + "=\\(0," + ID + "\\.createHash\\)\\(\"sha256\"\\),(?<fd>" + ID + ")=[^;]*;" +
      "try\\{let (?<n>" + ID + ")=0;do\\{const (?<buffer>" + ID + ")=(?<alloc>Buffer\\.alloc\\(16384\\));" +
      "if\\(\\k<n>=\\(0," + ID + "\\.readSync\\)\\(\\k<fd>,\\k<buffer>\\),\\k<n>>0\\)\\{const (?<bytes>" + ID + ")=\\k<buffer>\\.subarray\\(0,\\k<n>\\);" +
      "\\k<hash>\\.update\\(\\k<bytes>\\),\\k<callback>\\(\\k<bytes>\\)\\}\\}while\\(\\k<n>>0\\)", "g"))];
    if (reads.length !== 1) {
      return { error: reads.length + " " + chunks + " functions of the known form, not 1" };
    }
    const r = reads[0];
    const allocAt = r.index + r[0].indexOf(r.groups.alloc);
    // Edit the later position first, so the earlier one stays valid.
    const edits = [
      { at: allocAt, length: r.groups.alloc.length,
        text: "(" + r.groups.callback + "===" + DIGEST_HELPER + "?" + DIGEST_HELPER + ".buffer||(" + DIGEST_HELPER +
          ".buffer=Buffer.allocUnsafe(1048576)):" + r.groups.alloc + ")" },
      { at: d.index + d[0].indexOf("()=>{}"), length: "()=>{}".length, text: DIGEST_HELPER },
    ].sort((a, b) => b.at - a.at);
    let rewritten = source;
    for (const edit of edits) {
      rewritten = rewritten.slice(0, edit.at) + edit.text + rewritten.slice(edit.at + edit.length);
    }
    // A hoisted function declaration at the end of the module, as for the
    // type definitions: the no-op digestFile passed.
    return { source: rewritten + "\nfunction " + DIGEST_HELPER + "() {}\n" };
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
  if (typeof Module.registerHooks !== "function") {
    fallBack("node " + process.version + " has no module.registerHooks (Node >= 22.15; " +
      "Node 24 and 22 LTS are supported)");
    return;
  }
  try {
    Module.registerHooks({ load: loadHook });
  } catch (err) {
    fallBack("module.registerHooks failed: " + String(err && err.message));
  }
})();
