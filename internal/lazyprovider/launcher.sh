#!/bin/sh
# fastshop lazyprovider's launcher: the JSII_NODE that the Go program's init
# sets (internal/lazyprovider). jsii-runtime-go runs
# "$JSII_NODE <runtime>/bin/jsii-runtime.js", a relay that starts the jsii
# kernel, <runtime>/lib/program.js, and passes every request and answer
# between the Go program and the kernel. This runs that kernel in the relay's
# place, with the hook preloaded and the kernel's node options: requests on
# fd 3 (the Go program's pipe, our fd 0), answers on fd 4 (its pipe, our
# fd 1), the kernel's own output on stderr. The hook runs the relay instead
# where it cannot run the kernel so. Any other command runs as asked.
node=${FASTSHOP_LAZY_PROVIDER_NODE:-node}
case $node in
*/lazyprovider/launcher-*.sh) node=node ;; # never this launcher again
esac
kernel=${1%/bin/jsii-runtime.js}/lib/program.js
if [ "$#" -ne 1 ] || [ "$kernel" = "$1/lib/program.js" ] || [ ! -f "$kernel" ] ||
	[ -z "${FASTSHOP_LAZY_PROVIDER_HOOK:-}" ]; then
	exec "$node" "$@"
fi
case ",${FASTSHOP_LAZY_PROVIDER_SKIP:-}," in
*,direct,*) # for comparisons: jsii's relay starts the kernel, as stock jsii does
	# shellcheck disable=SC2086
	exec "$node" --require="$FASTSHOP_LAZY_PROVIDER_HOOK" ${FASTSHOP_LAZY_PROVIDER_OPTIONS:-} "$1" ;;
esac
FASTSHOP_LAZY_PROVIDER_RELAY=$1
export FASTSHOP_LAZY_PROVIDER_RELAY
# The options are words without spaces (the Go program's init sets them).
# shellcheck disable=SC2086
exec "$node" --require="$FASTSHOP_LAZY_PROVIDER_HOOK" ${FASTSHOP_LAZY_PROVIDER_OPTIONS:-} \
	--preserve-symlinks "$kernel" 3<&0 4>&1 1>&2 0</dev/null
