#!/usr/bin/env python3
"""Where a synth's CPU time and peak memory go, per process: the Go program, the jsii kernel (node),
jsii's relay (when it runs), against the twin's one node process.

usage: split.py RUNS name=dir::command ...       (the commands as bench.py takes them)

One warm-up round, then RUNS interleaved rounds. Per run and per process of the tree:
  cpu user / sys  a node process's own process.resourceUsage() at its exit (a --require preload that
                  this script adds to NODE_OPTIONS, which jsii's kernel honours); the root process's
                  own share is its wait4 rusage (which includes the children it reaped) minus the
                  node processes' figures
  peak            the process's VmHWM (peak RSS), last read from /proc every 10 ms; for node,
                  resourceUsage().maxRSS at exit
  at tree peak    each process's RSS at the moment the tree's summed RSS was highest, and how much
                  of it is file-backed (RssFile: executable, libraries, mapped files)
Prints medians (min-max) per command and process, and the load average at the start and the end."""
import json, os, shlex, statistics, subprocess, sys, tempfile, time

PRELOAD = r"""
const fs = require('fs');
process.on('exit', () => {
  const u = process.resourceUsage();
  const a = process.argv[1] || '';
  const role = a.endsWith('lib/program.js') ? 'kernel' : a.endsWith('jsii-runtime.js') ? 'relay' : 'node';
  fs.appendFileSync(process.env.SPLIT_OUT, JSON.stringify({pid: process.pid, role,
    user: u.userCPUTime / 1e6, sys: u.systemCPUTime / 1e6, peak: u.maxRSS / 1024}) + '\n');
});
"""


def procs():
    """pid -> (ppid, rss MiB, hwm MiB, argv, file-backed rss MiB)"""
    out = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            rss = hwm = rfile = 0
            with open(f"/proc/{p}/status") as f:
                for l in f:
                    if l.startswith("VmRSS:"):
                        rss = int(l.split()[1]) / 1024
                    elif l.startswith("RssFile:"):
                        rfile = int(l.split()[1]) / 1024
                    elif l.startswith("VmHWM:"):
                        hwm = int(l.split()[1]) / 1024
            with open(f"/proc/{p}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            out[int(p)] = (ppid, rss, hwm, [a.decode(errors="replace") for a in argv], rfile)
        except Exception:
            pass
    return out


def role(argv, root):
    if root:
        return "root"
    s = " ".join(argv)
    if "lib/program.js" in s:
        return "kernel"
    if "jsii-runtime.js" in s:
        return "relay"
    return os.path.basename(argv[0]) if argv and argv[0] else "other"


def run(cmd, cwd, preload):
    fd, out = tempfile.mkstemp(prefix="split-", suffix=".jsonl")
    os.close(fd)
    env = dict(os.environ, SPLIT_OUT=out,
               NODE_OPTIONS=(os.environ.get("NODE_OPTIONS", "") + f" --require={preload}").strip())
    argv = shlex.split(cmd)
    while argv and "=" in argv[0] and not argv[0].startswith("/"):
        k, v = argv.pop(0).split("=", 1)
        env[k] = v
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hwm, tree_peak, at_peak = {}, 0.0, {}
    while True:
        pid, st, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        ps = procs()
        tree, todo, rss = [], [p.pid], {}
        while todo:
            q = todo.pop()
            if q in ps:
                tree.append(q)
                todo += [c for c, v in ps.items() if v[0] == q]
        for q in tree:
            r = role(ps[q][3], q == p.pid)
            hwm[(q, r)] = max(hwm.get((q, r), 0), ps[q][2])
            rss[r] = rss.get(r, 0) + ps[q][1]
            rss[r + " file-backed"] = rss.get(r + " file-backed", 0) + ps[q][4]
        total = sum(v for k, v in rss.items() if not k.endswith("file-backed"))
        if total > tree_peak:
            tree_peak, at_peak = total, rss
        time.sleep(0.01)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(st)
    rows = [json.loads(l) for l in open(out)]
    os.unlink(out)
    res = {"wall": wall, "tree peak": tree_peak, "failed": p.returncode != 0}
    nuser = sum(r["user"] for r in rows)
    nsys = sum(r["sys"] for r in rows)
    for r in rows:
        if r["pid"] == p.pid:
            r["role"] = "root"
    root_is_node = any(r["pid"] == p.pid for r in rows)
    if not root_is_node:  # the root's own share: its rusage less the node processes it reaped
        rows.append({"role": "root", "user": ru.ru_utime - nuser, "sys": ru.ru_stime - nsys,
                     "peak": max(v for (q, r), v in hwm.items() if q == p.pid)})
    for r in rows:
        k = r["role"]
        res[f"{k} cpu"] = res.get(f"{k} cpu", 0) + r["user"] + r["sys"]
        res[f"{k} user"] = res.get(f"{k} user", 0) + r["user"]
        res[f"{k} sys"] = res.get(f"{k} sys", 0) + r["sys"]
        res[f"{k} peak"] = max(res.get(f"{k} peak", 0), r["peak"])
    for k, v in at_peak.items():
        res[f"{k} at tree peak"] = v
    res["cpu"] = ru.ru_utime + ru.ru_stime
    return res


def main():
    runs = int(sys.argv[1])
    cmds = []
    for a in sys.argv[2:]:
        name, rest = a.split("=", 1)
        d, c = rest.split("::", 1)
        cmds.append((name, d, c))
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as f:
        f.write(PRELOAD)
    preload = f.name
    load0 = os.getloadavg()
    res = {n: [] for n, _, _ in cmds}
    for n, d, c in cmds:
        run(c, d, preload)  # warm-up
    for _ in range(runs):
        for n, d, c in cmds:
            res[n].append(run(c, d, preload))
    load1 = os.getloadavg()
    os.unlink(preload)
    print(f"load average at start {load0[0]:.2f}, at end {load1[0]:.2f}; {runs} runs each after a warm-up, interleaved; "
          "cpu in s, memory in MiB, medians (min-max)")
    for n, _, _ in cmds:
        rs = res[n]
        print(f"{n}: {sum(r['failed'] for r in rs)} failed")
        keys = sorted({k for r in rs for k in r if k != "failed"}, key=lambda k: (k.split()[0] != "wall", k))
        for k in keys:
            xs = [r.get(k, 0) for r in rs]
            fmt = "{:.0f}" if ("peak" in k) else "{:.3f}"
            print(f"  {k:28s} {fmt.format(statistics.median(xs)):>8} ({fmt.format(min(xs))}-{fmt.format(max(xs))})")


if __name__ == "__main__":
    main()
