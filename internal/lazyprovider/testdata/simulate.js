// Preloaded by the tests before hook.js to make node, or a dependency, look
// like a release whose shape the hook does not know, so that the tests can
// prove each part falls back to stock behaviour. FASTSHOP_TEST_SIMULATE names
// the case.
"use strict";
const Module = require("module");

switch (process.env.FASTSHOP_TEST_SIMULATE) {
  case "no-register-hooks": // Node 20, or 22 before 22.15
    Module.registerHooks = undefined;
    break;
  case "register-hooks-throws": // a node whose hook API changed
    Module.registerHooks = () => {
      throw new Error("simulated: registerHooks is not available");
    };
    break;
  case "barrel-shape": // a provider release whose lib/index.js has other code
  case "arraybuffer-source": // a load chain that gives the source as bytes
    Module.registerHooks({
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        if (!url.endsWith("/@cdktf/provider-aws/lib/index.js")) {
          return result;
        }
        if (process.env.FASTSHOP_TEST_SIMULATE === "arraybuffer-source") {
          return Object.assign({}, result, { source: new TextEncoder().encode(String(result.source)).buffer });
        }
        return Object.assign({}, result, { source: String(result.source) + "\nglobalThis.simulated = true;\n" });
      },
    });
    break;
  case "cdktf-shape": // a cdktf release whose files the hook does not know
    Module.registerHooks({
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        const source = String(result.source);
        if (url.endsWith("/cdktf/lib/private/fs.js")) {
          return Object.assign({}, result, { source: source.replace('const archiver = require("archiver");', 'const archiver = require("archiver"); // simulated') });
        }
        if (url.endsWith("/cdktf/lib/tokens/private/stack-trace.js")) {
          return Object.assign({}, result, { source: source + "\nexports.simulated = true;\n" });
        }
        return result;
      },
    });
    break;
  case "kernel-shape": // a jsii kernel whose type-definitions read the hook does not know
    // The same call, written another way.
    rewrite("/lib/program.js", /\(0,([\w$]+)\.readFileSync\)/g, "(0,$1[\"readFileSync\"])", "the kernel's readFileSync");
    break;
  case "kernel-channel-shape": // a jsii kernel that reads its requests without fs.readSync
    {
      const stockReadSync = require("fs").readSync; // before hook.js wraps it
      globalThis.fastshopSimulatedReadSync = (...args) => stockReadSync(...args);
      rewrite("/lib/program.js", /\b[\w$]+\.readSync\(this\.stdin,/g, "globalThis.fastshopSimulatedReadSync(this.stdin,",
        "the kernel's read of its requests");
    }
    break;
  case "kernel-digest-shape": // a jsii kernel whose package digest the hook does not know
    rewrite("/lib/program.js", "Buffer.alloc(16384)", "Buffer.alloc(16384,0)", "the kernel's package digest");
    break;
  case "relay-shape": // a jsii relay that starts the kernel with other options
    rewrite("/bin/jsii-runtime.js", 'stdio:["ignore","pipe","pipe","pipe"]}', 'stdio:["ignore","pipe","pipe","pipe"],env:process.env}',
      "the relay's spawn of the kernel");
    break;
  case "no-node-options": // a node that accepts none of the options in NODE_OPTIONS
    Object.defineProperty(process, "allowedNodeEnvironmentFlags", { value: new Set(), configurable: true });
    break;
  case "unknown-v8": // a node whose V8 the hook was not tested with
    Object.defineProperty(process, "versions", { value: Object.assign({}, process.versions, { v8: "99.1.0" }), configurable: true });
    break;
  case "v8-refuses-option": // a node whose V8, not one the hook was tested with, no longer knows the kernel's options
    Object.defineProperty(process, "versions", { value: Object.assign({}, process.versions, { v8: "99.1.0" }), configurable: true });
    {
      const childProcess = require("child_process");
      const spawnSync = childProcess.spawnSync;
      childProcess.spawnSync = (file, args, options) =>
        spawnSync(file, (args || []).map((a) => (a.startsWith("--max-opt") ? "--simulated-unknown-v8-option" : a)), options);
    }
    break;
  case undefined:
  case "":
    break;
  default:
    throw new Error("simulate.js: unknown FASTSHOP_TEST_SIMULATE=" + process.env.FASTSHOP_TEST_SIMULATE);
}

// rewrite has node load the file whose URL ends with suffix with from (a
// string or a regular expression) replaced by to, and fails loudly where the
// file has no from: a simulation never silently simulates nothing.
function rewrite(suffix, from, to, what) {
  Module.registerHooks({
    load(url, context, nextLoad) {
      const result = nextLoad(url, context);
      if (!url.endsWith(suffix)) {
        return result;
      }
      const source = String(result.source);
      const simulated = source.replace(from, to);
      if (simulated === source) {
        throw new Error("simulate.js: " + what + " was not found in " + url);
      }
      return Object.assign({}, result, { source: simulated });
    },
  });
}
