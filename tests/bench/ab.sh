#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# ab.sh - two builds of the recorder against each other in one run, on the
# getppid loop: bare, untraced (a registry loaded, the workload's cgroup not
# traced) and traced, for build A and build B, interleaved and repeated (a
# bare block before each configuration, the order of the others shuffled
# per repetition), the workload pinned to CPU 1 in its own cgroup2 group.
# For a change that must not move the syscall path (make bench compares the
# recorder with its peers; this compares it with itself).
#
#   FLAPBENCH_A=old/build/tests/flapbench FLAPBENCH_B=build/tests/flapbench \
#   HELPERS=build/tests sh tests/bench/ab.sh
#
# Environment: REPS (default 7), N (getppid calls per block, default
# 1000000). Prints one line per configuration: the median and the range of
# ns per call, and the median of the bare blocks. Needs root.
set -u

: "${FLAPBENCH_A:?FLAPBENCH_A must name build A's flapbench}"
: "${FLAPBENCH_B:?FLAPBENCH_B must name build B's flapbench}"
: "${HELPERS:?HELPERS must name the directory of bench_getppid}"
REPS=${REPS:-7}
N=${N:-1000000}

[ "$(id -u)" = 0 ] || { echo "ab.sh: needs root (BPF, cgroups)" >&2; exit 1; }
CGROOT=$("$FLAPBENCH_B" cgroup-root) || exit 1
BASE=$CGROOT/flap-ab-$$
TMP=$(mktemp -d /tmp/flap-ab.XXXXXX)
TRACER=
cleanup() {
	[ -n "$TRACER" ] && kill -INT "$TRACER" 2>/dev/null && wait "$TRACER" 2>/dev/null
	rmdir "$BASE/A" "$BASE/O" "$BASE" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
mkdir -p "$BASE/A" "$BASE/O" || exit 1
IN_CG='cg=$0; echo $$ > "$cg/cgroup.procs" || exit 1; exec taskset -c 1 "$@"'

getppid() { sh -c "$IN_CG" "$BASE/A" "$HELPERS/bench_getppid" "$N"; }

# start BIN ARGS...: a flapbench configuration, until it is ready.
start() {
	bin=$1
	shift
	rm -f "$TMP/ready"
	"$bin" record "$@" --ready "$TMP/ready" > "$TMP/out" 2> "$TMP/err" &
	TRACER=$!
	i=0
	while [ ! -e "$TMP/ready" ]; do
		kill -0 "$TRACER" 2>/dev/null || { cat "$TMP/err" >&2; return 1; }
		i=$((i + 1))
		[ $i -gt 2000 ] && return 1
		sleep 0.05
	done
}

stop() { kill -INT "$TRACER" && wait "$TRACER"; TRACER=; }

# run CONFIG: one block of CONFIG (a_untraced, b_traced...), its ns per call.
run() {
	case $1 in
	?_untraced) start "$2" --others 1 --others-dir "$BASE/O" || return 1 ;;
	?_traced) start "$2" --cgroup "$BASE/A" || return 1 ;;
	esac
	getppid
	stop
}

CONFIGS="a_untraced b_untraced a_traced b_traced"
r=1
while [ $r -le "$REPS" ]; do
	for c in $(printf '%s\n' $CONFIGS | shuf); do
		echo "bare $(getppid)" >> "$TMP/res"
		case $c in a_*) bin=$FLAPBENCH_A ;; *) bin=$FLAPBENCH_B ;; esac
		v=$(run "$c" "$bin") || { echo "ab.sh: $c failed" >&2; exit 1; }
		echo "$c $v" >> "$TMP/res"
	done
	r=$((r + 1))
done
for c in bare $CONFIGS; do
	grep "^$c " "$TMP/res" | awk '{print $2}' | sort -n | awk -v c="$c" '
		{ v[NR] = $1 } END { printf "%-12s median %7.1f ns  min %7.1f  max %7.1f  (%d blocks)\n",
			c, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
done
