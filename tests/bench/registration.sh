#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# registration.sh - what registering a cgroup costs, with a real daemon on a
# private socket, for each pool size in POOLS (daemon --pool; 0 loads and
# verifies a recorder per registration on the daemon's loop, as before the
# pool):
#   run          `flap-recorder run -- /bin/true` against a bare /bin/true,
#                N rounds interleaved (bare first), each started with the
#                pool full (status shows every recorder ready): the latency
#                one container start sees
#   burst30      30 `flap-recorder add --cgroup` at once on 30 new cgroups,
#                the first start to the last reply; R rounds, pool full at
#                each start
#   dump_idle    a dump request (`dump NAME --last 10`) of a recorded sleeper
#                with nothing else going on, D times
#   dump_burst   the same request, sent while 100 registrations are under
#                way at once (as many as come before the burst is done)
#   answer_idle, answer_burst
#                the same two, asked by one running client (flapbench
#                ask-dump, a request every 5 ms): the daemon's answer without
#                the start of a `dump` process, which on a machine busy
#                with 100 starting clients waits for a CPU as they do
#
# Results: $OUT/registration.csv (pool,measure,i,ms) and the section
# "Registration latency" in $OUT/registration.md; report.sh puts it into
# benchmarks.md. Environment: FLAP, OUT (required), POOLS (default
# "0 4 32"), N (default 20), R (default 5), D (default 10), FLAPBENCH
# (default: tests/flapbench beside FLAP). Needs root;
# run it under /tmp/flap-host-bpf.lock on a shared machine.
set -u

: "${FLAP:?}" "${OUT:?}"
FLAPBENCH=${FLAPBENCH:-$(dirname "$FLAP")/tests/flapbench}
[ -x "$FLAPBENCH" ] || { echo "registration: no $FLAPBENCH (make bench builds it)" >&2; exit 1; }
POOLS=${POOLS:-0 4 32}
N=${N:-20}
R=${R:-5}
D=${D:-10}
WORK=$(mktemp -d /tmp/flap-reglat.XXXXXX)
SOCK=$WORK/flap.sock
CSV=$OUT/registration.csv
MD=$OUT/registration.md
CG_PREFIX=flap-reglat-$$
export CG_PREFIX
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

cleanup() {
	[ -n "$DPID" ] && kill -TERM "$DPID" 2> /dev/null && wait "$DPID" 2> /dev/null
	remove_cgroups
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ns() { date +%s%N; }
ms() { awk -v d="$1" 'BEGIN { printf "%.3f", d / 1e6 }'; }

# pool_full: waits (up to 30 s) until the daemon's pool has every recorder ready
pool_full() {
	local i s
	for i in $(seq 300); do
		s=$(f status -o json 2> /dev/null) || { echo "registration: status failed" >&2; return 1; }
		echo "$s" | grep -Eq '"pool":\{"size":0,|"pool":\{"size":([0-9]+),"ready":\1,' && return 0
		sleep 0.1
	done
	echo "registration: the pool did not fill" >&2
	return 1
}

bench_run() {
	local p=$1 i t0
	for i in $(seq "$N"); do
		t0=$(ns)
		/bin/true
		echo "$p,bare,$i,$(ms $(($(ns) - t0)))" >> "$CSV"
		pool_full || return 1
		t0=$(ns)
		f run -- /bin/true || { echo "registration: run failed" >&2; return 1; }
		echo "$p,run,$i,$(ms $(($(ns) - t0)))" >> "$CSV"
	done
}

bench_burst30() {
	local p=$1 r j t0 fail
	for r in $(seq "$R"); do
		for j in $(seq 30); do make_cgroup "b$r-$j" > /dev/null; done
		pool_full || return 1
		t0=$(ns)
		for j in $(seq 30); do
			f add --cgroup "$(cat "$WORK/cg-b$r-$j")" --name "b$r-$j" > /dev/null &
		done
		fail=0
		for j in $(seq 30); do wait -n || fail=$((fail + 1)); done
		echo "$p,burst30,$r,$(ms $(($(ns) - t0)))" >> "$CSV"
		# An add the client gave up on (its timeout) is counted, not fatal.
		[ $fail = 0 ] || echo "$p,burst30_failed,$r,1" >> "$CSV"
		for j in $(seq 30); do f remove "b$r-$j" > /dev/null 2>&1; done
	done
}

# dump_once MEASURE I: one timed dump of the sleeper
dump_once() {
	local t0
	t0=$(ns)
	f dump sleeper --last 10 > /dev/null || { echo "registration: dump failed" >&2; return 1; }
	echo "$p,$1,$2,$(ms $(($(ns) - t0)))" >> "$CSV"
}

# burst P WHO: 100 registrations at once (cgroups WHO-P-1..100), the sleeper
# dumped while they are under way: by `dump` processes one after another
# (WHO=d, measure dump_burst) or by one ask-dump client (WHO=a, answer_burst)
burst() {
	local p=$1 who=$2 i j pids apid
	for j in $(seq 100); do make_cgroup "$who$p-$j" > /dev/null; done
	pool_full || return 1
	rm -f "$WORK/until"
	if [ "$who" = a ]; then
		"$FLAPBENCH" ask-dump "$SOCK" sleeper "$WORK/until" 5 > "$WORK/answers" &
		apid=$!
	fi
	pids=
	for j in $(seq 100); do
		f add --cgroup "$(cat "$WORK/cg-$who$p-$j")" --name "$who$p-$j" > /dev/null &
		pids="$pids $!"
	done
	i=0
	while [ "$who" = d ] && [ $i -lt 100 ] && kill -0 $pids 2> /dev/null; do
		i=$((i + 1))
		dump_once dump_burst "$i" || return 1
	done
	# An add the client gave up on (its timeout) is not the dump's concern.
	wait $pids
	if [ "$who" = a ]; then
		touch "$WORK/until"
		wait "$apid" || { echo "registration: ask-dump failed" >&2; return 1; }
		awk -v p="$p" '{ printf "%s,answer_burst,%d,%s\n", p, NR, $1 }' "$WORK/answers" >> "$CSV"
	fi
	for j in $(seq 100); do f remove "$who$p-$j" > /dev/null 2>&1; done
}

bench_dump() {
	local p=$1 i cg spid
	cg=$(make_cgroup sleeper)
	sh -c "echo \$\$ > $cg/cgroup.procs; exec sleep 1000" &
	spid=$!
	sleep 0.2
	f add --cgroup "$cg" --name sleeper > /dev/null || { echo "registration: add sleeper failed" >&2; return 1; }
	for i in $(seq "$D"); do dump_once dump_idle "$i" || return 1; done
	rm -f "$WORK/until"
	(sleep 0.5; touch "$WORK/until") &
	"$FLAPBENCH" ask-dump "$SOCK" sleeper "$WORK/until" 5 > "$WORK/answers" ||
		{ echo "registration: ask-dump failed" >&2; return 1; }
	wait $!
	awk -v p="$p" '{ printf "%s,answer_idle,%d,%s\n", p, NR, $1 }' "$WORK/answers" >> "$CSV"
	burst "$p" d && burst "$p" a || return 1
	f remove sleeper > /dev/null
	kill "$spid" 2> /dev/null
	wait "$spid" 2> /dev/null
	return 0
}

mkdir -p "$OUT"
echo "pool,measure,i,ms" > "$CSV"
for p in $POOLS; do
	: > "$WORK/daemon.log"
	# --max-clients: the burst below is 100 clients at once, over the default 64
	daemon_start --socket "$SOCK" --dump-dir "$WORK/dumps" --pool "$p" --retain 1s --max-clients 256 || exit 1
	bench_run "$p" && bench_burst30 "$p" && bench_dump "$p" || { stop_daemon; exit 1; }
	stop_daemon || { echo "registration: the daemon (--pool $p) failed:" >&2; tail "$WORK/daemon.log" >&2; exit 1; }
	remove_cgroups
	rm -f "$WORK"/cg-*
done

# ---- the report section ------------------------------------------------------
{
	echo "## Registration latency"
	echo
	echo "A real daemon on a private socket for each pool size (\`daemon --pool N\`: recorders"
	echo "loaded and verified ahead of time; 0 loads one per registration on the daemon's loop)."
	echo "\`run\`: \`flap-recorder run -- /bin/true\` minus a bare \`/bin/true\`, medians of $N"
	echo "interleaved rounds, each begun with the pool full. \`30 at once\`: 30 concurrent"
	echo "\`add --cgroup\`, first start to last reply, median of $R. \`dump\`: \`dump NAME --last 10\`"
	echo "of a recorded sleeper, idle and while 100 registrations run at once (every dump"
	echo "sent before the burst was done), one \`dump\` process after another. \`answer\`: the"
	echo "same requests from one client that is already running (\`flapbench ask-dump\`, a"
	echo "request every 5 ms, connect to the end of the dump stream), in a second burst of 100:"
	echo "the daemon's answer without the start of a process, which waits for a CPU among the"
	echo "100 starting \`add\` clients as they do."
	echo
	echo "| pool | run ms | bare ms | run adds ms | 30 at once ms | dump idle ms | dump during 100 (median / max) ms | dumps in burst | answer idle ms | answer during 100 (median / max) ms | answers in burst |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	awk -F, 'function med(k,   n, i, j, t, a) { n = split(v[k], a, " "); if (!n) return -1
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		function mx(k,   n, i, m, a) { n = split(v[k], a, " "); m = 0; for (i = 1; i <= n; i++) if (a[i] > m) m = a[i]; return m }
		function cnt(k,   a) { return split(v[k], a, " ") }
		NR > 1 { v[$1 "," $2] = v[$1 "," $2] " " $4; if (!($1 in seen)) { seen[$1] = 1; order[++np] = $1 } }
		END { for (i = 1; i <= np; i++) { p = order[i]
			r = med(p ",run"); b = med(p ",bare")
			printf "| %s | %.1f | %.1f | %.1f | %.0f | %.1f | %.1f / %.1f | %d | %.2f | %.1f / %.1f | %d |\n", p, r, b, r - b,
				med(p ",burst30"), med(p ",dump_idle"), med(p ",dump_burst"), mx(p ",dump_burst"), cnt(p ",dump_burst"),
				med(p ",answer_idle"), med(p ",answer_burst"), mx(p ",answer_burst"), cnt(p ",answer_burst") } }' "$CSV"
	echo
	echo "Targets: \`run\` adds at most 5 ms, 30 at once within 150 ms, a dump during a burst"
	echo "of 100 registrations answers within 20 ms."
	echo
	echo "A registration that the pool serves still takes the daemon's loop about 0.5 ms (the"
	echo "map updates and text pokes of the bind, the process's fds read from /proc), and a burst"
	echo "arrives in one loop iteration: the adds of one iteration share 5 ms of loop time"
	echo "(\`ADD_BUDGET_NS\`, recorder/daemon/register.c), the rest wait for the next iteration,"
	echo "and the requests between them are answered first. 30 at once needs a pool of 30"
	echo "(\`--pool 32\`); the default pool of 4 serves 4 at once and loads the others in libuv's"
	echo "threadpool (about 40 ms of verifier time each, 2 CPUs here)."
	echo
} > "$MD"
cat "$MD"
