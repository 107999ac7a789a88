#!/bin/sh
# Where the Go program's synth spends more CPU and memory than the twin's: per process, per phase.
# Run measure.sh first (it builds the twin in WORK); then, from the project's root:
#   bench/ts-twin/explain.sh PROGRAM [RUNS]      (RUNS default 7)
# Prints, medians of RUNS interleaved runs each (after one warm-up in split.py):
#   1. split.py: CPU (user, system) and peak RSS per process: the Go program, its jsii kernel, the
#      twin's node, node loading cdktf alone; each process's RSS when the tree's sum peaked
#   2. CPU by phase: the kernel's (kernelphases.js, with its requests by kind) and the twin's
#      (phases.js with PHASES_CLOCK=cpu)
#   3. with perf (Linux, perf_event_paranoid <= 1 or root): the Go process's CPU by what it does
#      (perfsplit.py); the profiler's overhead inflates these figures by some 10-30 %
# Environment: NODE, WORK as for measure.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prog=${1:?usage: explain.sh PROGRAM [RUNS]}
runs=${2:-7}
prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
node=${NODE:-$(command -v node)}
node=$(cd "$(dirname "$node")" && pwd)/$(basename "$node")
work=${WORK:-${TMPDIR:-/tmp}/fastshop-ts-twin}
[ -f "$work/app/dist/main.js" ] || { echo "explain.sh: no twin in $work: run measure.sh first" >&2; exit 1; }
PATH=$(dirname "$node"):$PATH
export PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== 1. per process (split.py, $runs runs)"
python3 "$here/split.py" "$runs" \
	"go-default=$work/go::JSII_NODE=$node $prog" \
	"ts-twin=$work/ts::$node $work/app/dist/main.js" \
	"node-cdktf=$work/app::$node -e 'require(\"constructs\");require(\"cdktf\")'"
echo "== 2. CPU by phase, ms ($runs runs each, interleaved)"
i=0
while [ "$i" -lt "$runs" ]; do
	(cd "$work/go" && KERNEL_PHASES="$tmp/kernel.jsonl" NODE_OPTIONS="--require=$here/kernelphases.js" \
		JSII_NODE="$node" "$prog" >/dev/null 2>&1)
	(cd "$work/ts" && PHASES_CLOCK=cpu "$node" "$work/app/phases.js" "$work/app/dist" >>"$tmp/twin.jsonl" 2>/dev/null)
	i=$((i + 1))
done
for f in kernel twin; do
	echo "$f:"
	python3 -c '
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for k in rows[0]:
    print(f"  {statistics.median(r.get(k, 0) for r in rows):7.1f}  {k}")' "$tmp/$f.jsonl"
done
if command -v perf >/dev/null && perf record -q -o "$tmp/probe.data" -- true >/dev/null 2>&1; then
	echo "== 3. the Go process's CPU by what it does (perf, $runs runs), ms"
	i=0
	while [ "$i" -lt "$runs" ]; do
		(cd "$work/go" && JSII_NODE="$node" perf record -q -F 2000 -g -o "$tmp/go$i.data" -- "$prog" >/dev/null 2>&1)
		i=$((i + 1))
	done
	python3 "$here/perfsplit.py" "$tmp"/go*.data
else
	echo "== 3. skipped: perf is not installed or not permitted"
fi
