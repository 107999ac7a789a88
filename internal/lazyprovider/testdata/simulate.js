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
  case "kernel-channel-shape": // a jsii kernel whose channel the hook does not know
    {
      // The hook reads the kernel's main script from disk before it runs.
      const fs = require("fs");
      const readFileSync = fs.readFileSync;
      fs.readFileSync = function (file, ...rest) {
        const content = readFileSync.call(this, file, ...rest);
        return String(file).endsWith("/lib/program.js") ? String(content).replace("readFD:3,writeFD:3", "readFD: 3, writeFD: 3") : content;
      };
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
