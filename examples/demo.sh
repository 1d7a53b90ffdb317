#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The demo (`make demo`): start the recorder daemon, run a workload that
# crashes under `flap-recorder run`, and print the post-mortem dump the
# daemon wrote by itself. Runs on a private socket and dump directory and
# cleans up after itself. Needs root (BPF).
set -eu

FLAP=${FLAP:-build/flap-recorder}
CRASHME=${CRASHME:-build/examples/crashme}
WORK=$(mktemp -d /tmp/flap-demo.XXXXXX)
SOCK=$WORK/flap.sock
DUMPS=$WORK/dumps
DPID=

cleanup() {
	[ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (loads BPF programs); try: sudo make demo" >&2
	exit 1
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "start the recorder: flap-recorder daemon --socket $SOCK --dump-dir $DUMPS"
"$FLAP" daemon --socket "$SOCK" --dump-dir "$DUMPS" 2> "$WORK/daemon.log" &
DPID=$!
i=0
until "$FLAP" --socket "$SOCK" status > /dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$DPID" 2>/dev/null; then
		echo "demo: the daemon did not start:" >&2
		cat "$WORK/daemon.log" >&2
		exit 1
	fi
	sleep 0.1
done
"$FLAP" --socket "$SOCK" status

step "run a workload that crashes: flap-recorder run --name crashme -- $CRASHME"
status=0
"$FLAP" --socket "$SOCK" run --name crashme -- "$CRASHME" || status=$?
echo "(crashme exited with status $status: 139 = 128 + SIGSEGV)"

step "the daemon wrote a post-mortem dump by itself: flap-recorder dumps"
i=0
until ls "$DUMPS"/*/*.flap > /dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 50 ] && { echo "demo: no dump appeared" >&2; cat "$WORK/daemon.log" >&2; exit 1; }
	sleep 0.1
done
"$FLAP" --socket "$SOCK" dumps

dump=$(ls -t "$DUMPS"/*/*.flap | head -1)
step "its last syscalls before the crash: flap-recorder show $dump --last 25"
"$FLAP" show "$dump" --last 25

step "done: the same dump as JSON Lines is one 'show -o json' away"
