#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# crash_latency.sh - time from a fatal signal to the crash dump on disk.
# A real daemon on a private socket; N times, `flap-recorder run` starts a
# crasher that writes CLOCK_REALTIME just before it dereferences NULL; the
# latency is the dump file's ctime (set when flap_dump_save() renames it
# into place, i.e. when it appears) minus that moment. Also checks that each
# dump's last calls are the crasher's.
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
	FLAP_CRASH_TS=$WORK/ts "$FLAP" --socket "$SOCK" run --name "lat$i" -- \
		"$HELPERS/crasher" segv "lat$i" >/dev/null 2>&1
	f=
	for _ in $(seq 200); do
		f=$(ls "$DUMPS"/lat$i/*.flap 2>/dev/null | head -n 1)
		[ -n "$f" ] && break
		sleep 0.01
	done
	if [ -z "$f" ] || [ ! -s "$WORK/ts" ]; then
		bad=$((bad + 1))
	else
		t0=$(cat "$WORK/ts")
		t1=$(stat -c '%.9Z' "$f" | tr -d .)
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
	printf "crash to dump file over %d crashes: median %.1f ms, p99 %.1f ms, max %.1f ms; %d without a good dump\n",
		n, v[int((n + 1) / 2)] / 1e6, v[p99] / 1e6, v[n] / 1e6, bad
}' "$CSV"
[ "$bad" = 0 ]
