#!/usr/bin/env python3
"""CPU of synths recorded with perf record -g -F $FREQ (default 2000): the Go process's samples by what its
stack holds (first match in GO below), node processes' by thread; [k] kernel mode, [u] user mode.
Medians over the files, in ms (samples x 1000/FREQ). usage: perfsplit.py PERF_DATA..."""
import collections, os, subprocess, sys
FREQ = int(os.environ.get("FREQ", "2000"))  # perf record -F
GO = [  # first match wins, frames searched from the leaf up the whole stack
    ("load: write the embedded tarball (os.File.Write)", ["os.(*File).Write"]),
    ("load: rest (temp dir, gunzip check, request)", ["kernel.(*Client).Load"]),
    ("tarball pages dropped (madvise)", ["main.releaseAssemblies", "assemblypages"]),
    ("request: JSON encode", ["encoding/json.Marshal", "json.(*Encoder).Encode"]),
    ("request: JSON decode", ["encoding/json.Unmarshal", "json.(*Decoder).Decode"]),
    ("request: pipe syscalls, wait, wake-up", ["process.(*Process).Request", "process.(*Process).readResponse"]),
    ("jsii-runtime-go outside requests (reflection, proxies)", ["jsii-runtime-go"]),
    ("program: build the stacks, config", ["fastshop/"]),
    ("kernel start (fork/exec node)", ["os.StartProcess", "syscall.forkExec"]),
    ("GC", ["runtime.gcBgMarkWorker", "runtime.gcDrain", "runtime.bgsweep", "runtime.bgscavenge", "runtime.gcStart"]),
    ("runtime start, package init", ["runtime.rt0_go", "runtime.doInit", "runtime.schedinit"]),
    ("scheduler: threads park and wake (round trips), sysmon", ["runtime.mstart", "runtime.schedule", "runtime.sysmon", "runtime.mcall"]),
]
def samples(f):
    out = subprocess.run(["perf", "script", "-i", f, "-F", "comm,pid,tid,ip,sym,dso"], capture_output=True, text=True).stdout
    for block in out.split("\n\n"):
        lines = [l for l in block.split("\n") if l.strip()]
        if not lines: continue
        head = lines[0].split()
        pid = int(head[-1].split("/")[0]) if "/" in head[-1] else int(head[-2].split("/")[0])
        yield " ".join(head[:-1]) if "/" in head[-1] else head[0], pid, [l.strip() for l in lines[1:]]
import statistics
runs = []
for f in sys.argv[1:]:
    root = None; c = collections.Counter()
    for comm, pid, frames in samples(f):
        if root is None: root = pid
        leaf = frames[0] if frames else ""
        k = "[k]" if "kernel.kallsyms" in leaf else "[u]"
        if pid == root and comm.startswith("fastshop"):
            cat = next((name for name, ms in GO if any(m in fr for fr in frames for m in ms)),
                       "exec, exit, page faults" if all("kernel.kallsyms" in fr for fr in frames) else "other")
            c["go  " + k + " " + cat] += 1
        else:
            c[f"node {k} " + comm.split()[0]] += 1
    c["go  total"] = sum(v for k, v in c.items() if k.startswith("go  "))
    c["node total"] = sum(v for k, v in c.items() if k.startswith("node ") and k != "node total")
    runs.append(c)
keys = {k for c in runs for k in c}
med = {k: statistics.median(c.get(k, 0) for c in runs) for k in keys}
ms = 1000 / FREQ
for k in sorted(keys, key=lambda k: (k[:4], -med[k])):
    print(f"{med[k] * ms:7.1f} ms  {k}")
