#!/bin/sh
# Rebuilds the TypeScript twin from a build of the Go program and compares their synths.
#
# usage: measure.sh PROGRAM [RUNS]
#   PROGRAM  a built binary of the Go program (go build -o <tmp>/fastshop . in the project)
#   RUNS     rounds after the warm-up (default 9); every round runs each variant once, interleaved
# environment:
#   NODE     the node to run everything on (default: node on PATH); the Go program gets it through
#            JSII_NODE and first on PATH
#   WORK     work folder (default: ${TMPDIR:-/tmp}/fastshop-ts-twin); node_modules and every output
#            live there, nothing is written beside this script
#   SKIP_BARREL=1  leave out the barrel-import variant (saves its compile: about 12 s, 900 MB)
#   BASELINE=BIN   also time another build of the Go program (go-baseline: a commit to compare with,
#                  built with go build -o BIN . in a worktree of it), in the same rounds
#   PARTS=a,b      also time the Go program without each named part (go-without-<part>:
#                  FASTSHOP_LAZY_PROVIDER_SKIP=<part>; internal/lazyprovider/README.md names them)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prog=${1:?usage: measure.sh PROGRAM [RUNS]}
runs=${2:-9}
prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
baseline=${BASELINE:-}
if [ -n "$baseline" ]; then
	baseline=$(cd "$(dirname "$baseline")" && pwd)/$(basename "$baseline")
fi
node=${NODE:-$(command -v node)}
node=$(cd "$(dirname "$node")" && pwd)/$(basename "$node")
work=${WORK:-${TMPDIR:-/tmp}/fastshop-ts-twin}
PATH=$(dirname "$node"):$PATH
export PATH
log() { echo "measure.sh: $*" >&2; }

log "node $("$node" --version) ($node), work folder $work"
mkdir -p "$work/app" "$work/go" "$work/gooff" "$work/gobase" "$work/goparts" "$work/ts" "$work/tsb" "$work/floor"
for f in package.json package-lock.json tsconfig.json tsconfig.barrel.json gen.mjs phases.js compare.py bench.py profsum.py proftimeline.py; do
	cp "$here/$f" "$work/app/$f"
done
stamp="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1) $("$node" --version)"
if [ "$(cat "$work/app/node_modules/.twin-stamp" 2>/dev/null)" != "$stamp" ]; then
	log "npm ci"
	(cd "$work/app" && nice -n 10 npm ci --no-audit --no-fund --loglevel=error >&2)
	echo "$stamp" >"$work/app/node_modules/.twin-stamp"
fi

log "the Go program's synth (the twin's source)"
rm -rf "$work/go/cdktf.out"
(cd "$work/go" && JSII_NODE="$node" "$prog")

log "generating and compiling the twin"
cd "$work/app"
rm -rf src dist src-barrel dist-barrel
"$node" gen.mjs "$work/go/cdktf.out" src
nice -n 10 "$node" node_modules/typescript/bin/tsc -p tsconfig.json
if [ -z "${SKIP_BARREL:-}" ]; then
	"$node" gen.mjs "$work/go/cdktf.out" src-barrel --barrel 2>/dev/null
	nice -n 10 "$node" node_modules/typescript/bin/tsc -p tsconfig.barrel.json
fi

log "faithfulness: the twin's output against the Go program's"
rm -rf "$work/ts/cdktf.out" "$work/tsb/cdktf.out"
(cd "$work/ts" && "$node" "$work/app/dist/main.js" 2>/dev/null)
python3 "$here/compare.py" "$work/go/cdktf.out" "$work/ts/cdktf.out"
if [ -z "${SKIP_BARREL:-}" ]; then
	(cd "$work/tsb" && "$node" "$work/app/dist-barrel/main.js" 2>/dev/null)
	python3 "$here/compare.py" "$work/go/cdktf.out" "$work/tsb/cdktf.out" | tail -n 1 | sed 's/^/barrel variant: /'
fi

log "timing: $runs rounds after a warm-up"
set -- \
	"go-default=$work/go::JSII_NODE=$node $prog" \
	"go-off=$work/gooff::JSII_NODE=$node FASTSHOP_LAZY_PROVIDER=off $prog" \
	"ts-twin=$work/ts::$node $work/app/dist/main.js"
if [ -n "$baseline" ]; then
	set -- "$@" "go-baseline=$work/gobase::JSII_NODE=$node $baseline"
fi
for part in $(echo "${PARTS:-}" | tr ',' ' '); do
	set -- "$@" "go-without-$part=$work/goparts::JSII_NODE=$node FASTSHOP_LAZY_PROVIDER_SKIP=$part $prog"
done
if [ -z "${SKIP_BARREL:-}" ]; then
	set -- "$@" "ts-barrel=$work/tsb::$node $work/app/dist-barrel/main.js"
fi
set -- "$@" \
	"node-empty=$work/floor::$node -e ''" \
	"node-cdktf=$work/app::$node -e 'require(\"constructs\"); require(\"cdktf\")'" \
	--ratio go-default/ts-twin --ratio go-off/ts-twin
if [ -n "$baseline" ]; then
	set -- "$@" --ratio go-baseline/ts-twin --ratio go-default/go-baseline
fi
if [ -z "${SKIP_BARREL:-}" ]; then
	set -- "$@" --ratio ts-barrel/ts-twin
fi
python3 "$here/bench.py" "$runs" "$@"

log "phases of the twin (one process each, medians of 5, ms)"
cd "$work/ts"
for i in 1 2 3 4 5; do "$node" "$work/app/phases.js" "$work/app/dist" 2>/dev/null; done | python3 -c '
import json, statistics, sys
rows = [json.loads(l) for l in sys.stdin]
for k in rows[0]:
    print(f"  {statistics.median(r[k] for r in rows):7.1f}  {k}")'
