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

  // packageRoot returns the directory of the @cdktf/provider-aws package.json
  // at or above dir, or "" when there is none within a few levels.
  function packageRoot(dir) {
    for (let i = 0; i < 6; i++) {
      try {
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        return manifest.name === PACKAGE_NAME ? dir : "";
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
    if (typeof content === "string" && typeof filename === "string" && filename.includes(PATH_HINT)) {
      content = maybeRewrite(content, filename);
    }
    return originalCompile.call(this, content, filename, ...rest);
  };

  // maybeRewrite looks at the first file node compiles from each copy of the
  // provider package. That is its entry point; if it is lib/index.js of the
  // expected shape, it is made lazy.
  function maybeRewrite(content, filename) {
    const root = packageRoot(path.dirname(filename));
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
})();
