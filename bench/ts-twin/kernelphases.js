// CPU time (user + system, all threads: process.cpuUsage) of a jsii kernel by phase, and its
// requests by kind, without a profiler: a --require preload that the Go program's kernel gets through
// NODE_OPTIONS, e.g.
//   KERNEL_PHASES=<file> NODE_OPTIONS=--require=<this file> <Go program>
// It watches the requests the kernel reads (fd 3, jsii's SyncStdio) and appends one JSON line per
// process to $KERNEL_PHASES at exit. Phases end at the request that starts the next one:
// start-up (node, to this preload), the kernel program and hook (to the first "load"), load assemblies (the
// "load" requests: the tarballs hashed, extracted, required), build (create/get/set/invoke up to the
// App's synth), synth (the App's "synth" invoke), exit. "in reads" and "in writes" are the CPU spent
// inside the kernel's reads of requests and writes of answers (syscalls, wake-ups).
const fs = require("node:fs");
const out = process.env.KERNEL_PHASES;
const a = process.argv[1] || "";
if (out && a.endsWith("lib/program.js")) {
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
  const marks = [["start-up (node, to the preload)", cpu()]];
  const kinds = {};
  let phase = "kernel program, hook (to the first load)", io = { reads: 0, writes: 0 };
  const mark = (next) => { if (next !== phase) { marks.push([phase, cpu()]); phase = next; } };
  const { readSync, writeSync } = fs;
  fs.readSync = function (fd, buf, ...rest) {
    const c0 = cpu();
    const n = readSync.call(this, fd, buf, ...rest);
    io.reads += cpu() - c0;
    if (fd === 3 && n > 0) {
      const s = Buffer.from(buf.buffer, buf.byteOffset, n).toString("latin1");
      for (const m of s.matchAll(/\{"api":"(\w+)"(.{0,200})/g)) {
        kinds[m[1]] = (kinds[m[1]] || 0) + 1;
        if (m[1] === "load") mark("load assemblies");
        else if (m[1] === "invoke" && /"method":"synth"/.test(m[2])) mark("synth");
        else if (phase === "synth") mark("after synth");
        else if (phase === "load assemblies" || phase.startsWith("kernel")) mark("build (create, get, invoke)");
      }
    }
    return n;
  };
  fs.writeSync = function (fd, ...rest) {
    const c0 = cpu();
    try { return writeSync.call(this, fd, ...rest); } finally { if (fd === 4 || fd === 3) io.writes += cpu() - c0; }
  };
  process.on("exit", () => {
    mark("exit");
    const row = {};
    let prev = 0;
    for (const [name, t] of marks) { row[name] = +(t - prev).toFixed(1); prev = t; }
    row["(in reads of requests)"] = +io.reads.toFixed(1);
    row["(in writes of answers)"] = +io.writes.toFixed(1);
    for (const k of Object.keys(kinds)) row[`requests: ${k}`] = kinds[k];
    fs.appendFileSync(out, JSON.stringify(row) + "\n");
  });
}
