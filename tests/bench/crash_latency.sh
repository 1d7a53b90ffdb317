#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# crash_latency.sh - time from a fatal signal to the crash dump on disk.
# A real daemon on a private socket; N times, `flap-recorder run` starts a
# crasher that writes CLOCK_REALTIME just before it dereferences NULL; the
# latency is the moment the dump file appears (the rename that puts it in
# place, seen by an inotify watch on the pod's dump directory, filewait)
# minus that moment. A file's ctime would not do: it comes from the kernel's
# coarse clock, up to a tick behind. Also checks that each dump's last calls
# are the crasher's.
#   FLAP=... HELPERS=... OUT=... [N=100] sh crash_latency.sh
# Writes $OUT/crash_latency.csv (i,latency_ns,events) and prints a summary.
set -u

: "${FLAP:?}" "${HELPERS:?}" "${OUT:?}"
N=${N:-100}
WORK=$(mktemp -d /tmp/flap-crashlat.XXXXXX)
SOCK=$WORK/flap.sock
DUMPS=$WORK/dumps
CSV=$OUT/crash_latency.csv
DPID=

cleanup() {
	[ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$OUT"
# A burst limit above N: every crash of the loop must get its dump.
"$FLAP" daemon --socket "$SOCK" --dump-dir "$DUMPS" --crash-burst $((N + 10)) \
	--retain 10s 2>"$WORK/daemon.log" &
DPID=$!
i=0
until "$FLAP" --socket "$SOCK" status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "crash_latency: daemon did not start" >&2; cat "$WORK/daemon.log" >&2; exit 1; }
	sleep 0.1
done

echo "i,latency_ns,events" >"$CSV"
bad=0
i=1
while [ $i -le "$N" ]; do
	# The daemon creates the pod's directory 0700 when missing; made here
	# first, so that the watch is in place before the crash.
	mkdir -m 0700 -p "$DUMPS/lat$i"
	rm -f "$WORK/seen"
	"$HELPERS/filewait" "$DUMPS/lat$i" .flap 5000 >"$WORK/seen" &
	WPID=$!
	for _ in $(seq 200); do grep -q ready "$WORK/seen" 2>/dev/null && break; sleep 0.01; done
	FLAP_CRASH_TS=$WORK/ts "$FLAP" --socket "$SOCK" run --name "lat$i" -- \
		"$HELPERS/crasher" segv "lat$i" >/dev/null 2>&1
	wait "$WPID"
	t1=$(sed -n 's/^\([0-9][0-9]*\) .*/\1/p' "$WORK/seen")
	f=$(ls "$DUMPS"/lat$i/*.flap 2>/dev/null | head -n 1)
	if [ -z "$f" ] || [ -z "$t1" ] || [ ! -s "$WORK/ts" ]; then
		bad=$((bad + 1))
	else
		t0=$(cat "$WORK/ts")
		ev=$("$FLAP" show "$f" | grep -c '^[0-9]')
		"$FLAP" show "$f" | grep -q "\"/flap/lat$i\"" || bad=$((bad + 1))
		echo "$i,$((t1 - t0)),$ev" >>"$CSV"
	fi
	rm -f "$WORK/ts"
	i=$((i + 1))
done
awk -F, -v bad="$bad" 'NR > 1 { v[++n] = $2 } END {
	if (!n) { print "crash latency: no dumps"; exit 1 }
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	p99 = int(n * 0.99 + 0.999); if (p99 > n) p99 = n
	printf "crash to dump file over %d crashes: median %.2f ms, p99 %.2f ms, max %.2f ms; %d without a good dump\n",
		n, v[int((n + 1) / 2)] / 1e6, v[p99] / 1e6, v[n] / 1e6, bad
}' "$CSV"
[ "$bad" = 0 ]
