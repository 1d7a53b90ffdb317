#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Soak test (make soak; not part of make test or CI): one real daemon
# started with --persist (its own --pin-dir, --dump-dir and --socket under a
# temp dir) under mixed load for SOAK_SECONDS (3600):
#   - container churn: cgroups registered with `add --cgroup` (a workload in
#     each, removed WINDOW ticks later) and `run` of short workloads;
#   - crash bursts: crasher segv/abort in CRASH_BURST fresh recorders at once;
#   - dump requests of the long-lived recorders (saved, checked);
#   - client floods: 3 x --max-clients idle connections and 2 x --max-clients
#     concurrent real clients at once;
#   - every SOAK_RESTART seconds (60) kill -9 of the daemon, crashes while it
#     is down, and a restart with --persist that adopts the recorders.
# At the end: every crash the script caused has a crash dump or a counted
# failure, and none more than one dump (status dumps_failed, dumps_dropped, exits_lost, summed over every
# daemon; list crashes_skipped); produced = held + overwritten + lost in the
# header of every dump written (total, per CPU, per source: flapcheck dump
# and `show -o json`); the daemon's fds and RSS at the quiet point before a
# kill (churn and crash recorders removed, clients gone) did not grow from
# the warm-up cycle (the second) to the last by more than FD_SLACK (2) fds
# and RSS_SLACK_KIB (4096) KiB. Exited containers are kept --retain 5s: at
# the quiet point only the three long-lived recorders are left. Prints a summary; exits 1 on any violation.
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/soak.sh
# HELPERS must hold workload, crasher, exits and flapcheck. Needs root,
# perl, jq and bpffs.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HELPERS=${HELPERS:?set HELPERS to the test helper directory}
CHECK=$HELPERS/flapcheck
SOAK_SECONDS=${SOAK_SECONDS:-3600}
SOAK_RESTART=${SOAK_RESTART:-60}
FD_SLACK=${FD_SLACK:-2}
RSS_SLACK_KIB=${RSS_SLACK_KIB:-4096}
MAXC=16
WINDOW=8
CRASH_BURST=4
LONG="long-1 long-2 long-3"
WORK=$(mktemp -d /tmp/flap-soak.XXXXXX)
SOCK=$WORK/run/flap.sock
DUMPS=$WORK/dumps
PIN=/sys/fs/bpf/flap-e2e-soak-$$
CG_PREFIX=flap-e2e-soak-$$
PIDS=
DAEMON_POLL=0.05
DAEMON_FAIL_TAIL=30
BAD=0

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2> /dev/null
	for p in $PIDS; do kill -KILL "$p" 2> /dev/null; done
	wait 2> /dev/null
	"$FLAP" --socket "$SOCK" daemon --unpin --pin-dir "$PIN" > /dev/null 2>&1
	remove_cgroups
	[ -n "${KEEPLOG:-}" ] && cp "$WORK/daemon.log" /tmp/soak-daemon.log
	rm -rf "$WORK"
}
trap cleanup EXIT

start_daemon() {
	echo "--- start $*" >> "$WORK/daemon.log"
	daemon_start --persist --pin-dir "$PIN" --socket "$SOCK" --dump-dir "$DUMPS" \
		--max-clients "$MAXC" --client-timeout 2s --retain 5s "$@"
}

violation() { echo "VIOLATION: $*"; BAD=$((BAD + 1)); }
jfield() { sed -n "s/.*\"$2\":[ ]*\([0-9]*\).*/\1/p" <<< "$1" | head -1; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status"; }
nfds() { ls "/proc/$DPID/fd" | wc -l; }
elapsed() { echo $(($(date +%s) - T0)); }

# in_cgroup CGROUP CMD...: CMD in CGROUP in the background (pid in $!), disowned
in_cgroup() {
	local cg=$1; shift
	sh -c "echo \$\$ > $cg/cgroup.procs; exec $*" > /dev/null 2>&1 &
	disown $!
}

# ---- the load ---------------------------------------------------------------------

# churn_step I: a new cgroup with a workload, registered; the one of WINDOW
# steps ago removed; every third step a `run` of a short workload too
churn_step() {
	local i=$1 cg old
	cg=$(make_cgroup "c$i")
	if f add --cgroup "$cg" --name "churn-$i" > /dev/null 2>> "$WORK/client.err"; then
		in_cgroup "$cg" "$HELPERS/workload" "churn-$i" 0 10
		echo "$! churn-$i c$i" >> "$WORK/churn"
		ADDS=$((ADDS + 1))
	else
		rmdir "$cg"
	fi
	[ $((i % 3)) = 0 ] && {
		f run --name "run-$i" -- "$HELPERS/workload" "run-$i" 20 5 > /dev/null 2>&1 &
		disown $!
		RUNS=$((RUNS + 1))
	}
	while [ "$(wc -l < "$WORK/churn")" -gt "$WINDOW" ]; do
		read -r old < "$WORK/churn"
		churn_drop $old
		sed -i 1d "$WORK/churn"
	done
}

# churn_drop PID NAME CG: the recorder removed, its process killed, the cgroup gone
churn_drop() {
	f remove "$2" > /dev/null 2>> "$WORK/client.err"
	kill -KILL "$1" 2> /dev/null
	echo 1 > "$(cat "$WORK/cg-$3")/cgroup.kill" 2> /dev/null
	for _ in 1 2 3 4 5; do rmdir "$(cat "$WORK/cg-$3")" 2> /dev/null && break; sleep 0.05; done
}

churn_drain() {
	local line
	while read -r line; do churn_drop $line; done < "$WORK/churn"
	: > "$WORK/churn"
}

# crash_register: a fresh recorder crash-N for one crash (its name in CNAME)
crash_register() {
	local cg
	NCRASH=$((NCRASH + 1))
	CNAME=crash-$NCRASH
	cg=$(make_cgroup "x$NCRASH")
	f add --cgroup "$cg" --name "$CNAME" > /dev/null 2>> "$WORK/client.err"
}

# crash NAME: crasher segv or abort in NAME's cgroup; counted as caused
crash() {
	local how=segv
	[ $((${1#crash-} % 2)) = 0 ] && how=abort
	in_cgroup "$(cat "$WORK/cg-x${1#crash-}")" "$HELPERS/crasher" "$how" "$1"
	echo "$1" >> "$WORK/crashes"
	CRASHES=$((CRASHES + 1))
}

crash_burst() {
	local i n names=
	for i in $(seq "$CRASH_BURST"); do
		crash_register && names="$names $CNAME"
	done
	for n in $names; do crash "$n"; done
}

has_dump() { compgen -G "$DUMPS/$1/*.flap" > /dev/null; }

# crash_settle: waits (30 s at most) for the dump of every crash so far, then
# removes the recorders whose dump is there
crash_settle() {
	local n left
	for _ in $(seq 300); do
		left=0
		while read -r n; do has_dump "$n" || left=$((left + 1)); done < "$WORK/crashes"
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	while read -r n; do
		grep -qx "$n" "$WORK/removed" 2> /dev/null && continue
		has_dump "$n" || continue
		f remove "$n" > /dev/null 2>> "$WORK/client.err" && echo "$n" >> "$WORK/removed"
		rmdir "$(cat "$WORK/cg-x${n#crash-}")" 2> /dev/null
	done < "$WORK/crashes"
}

# dump_request: a dump of a long-lived recorder, saved for the header checks
dump_request() {
	local name
	name=long-$((RANDOM % 3 + 1))
	if f dump "$name" --save "$WORK/d/$((++NREQ)).flap" > /dev/null 2>> "$WORK/client.err"; then
		REQ_OK=$((REQ_OK + 1))
	else
		rm -f "$WORK/d/$NREQ.flap"
	fi
}

# flood: 3 x MAXC idle connections (one byte each, held 3 s) and 2 x MAXC
# real clients at once, in the background
flood() {
	perl -MIO::Socket::UNIX -e '
		my ($path, $n) = @ARGV; my @s; $SIG{PIPE} = "IGNORE";
		for (1..$n) { my $c = IO::Socket::UNIX->new(Peer => $path) or next;
			syswrite $c, "\x0a"; push @s, $c; }
		sleep 3;' "$SOCK" $((3 * MAXC)) > /dev/null 2>&1 &
	echo $! >> "$WORK/floods"
	for _ in $(seq $((2 * MAXC))); do
		f status -o json > /dev/null 2>&1 &
		echo $! >> "$WORK/floods"
	done
	FLOODS=$((FLOODS + 1))
}

flood_wait() {
	local p
	[ -e "$WORK/floods" ] || return 0
	for p in $(cat "$WORK/floods"); do
		for _ in $(seq 100); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2> /dev/null
	done
	rm -f "$WORK/floods"
}

# ---- restarts and accounting ---------------------------------------------------

# count_losses: adds this daemon's loss counters to the totals
count_losses() {
	local st ls n
	st=$(f status -o json 2> /dev/null) || { violation "status failed at $(elapsed) s"; return; }
	ls=$(f list -o json 2> /dev/null)
	FAILED=$((FAILED + $(jfield "$st" dumps_failed)))
	DROPPED=$((DROPPED + $(jfield "$st" dumps_dropped)))
	# The lifecycle ring's loss count is the kernel's, kept across restarts.
	n=$(jfield "$st" exits_lost)
	[ "$n" -gt "$EXITS_LOST" ] && EXITS_LOST=$n
	PENDING=$(jfield "$st" dumps_pending)
	SKIPPED=$((SKIPPED + $(grep -o '"crashes_skipped":[0-9]*' <<< "$ls" | cut -d: -f2 |
		awk '{ n += $1 } END { print n + 0 }')))
}

# fds_settled: the daemon's fd count is the same twice, 0.5 s apart
fds_settled() {
	local a
	a=$(nfds)
	sleep 0.5
	[ "$a" = "$(nfds)" ]
}

recorders() { f list -o json 2> /dev/null | grep -o '"name":"[^"]*"' | cut -d'"' -f4 | sort | xargs; }

# quiet CYCLE: churn drained, clients gone, crash recorders dumped and
# removed, the pool refilled: fds and RSS sampled, losses counted
quiet() {
	churn_drain
	flood_wait
	crash_settle
	# Exited containers (runs, crashes) are kept --retain 5s, then dropped.
	for _ in $(seq 300); do [ "$(recorders)" = "$LONG" ] && break; sleep 0.1; done
	[ "$(recorders)" = "$LONG" ] || echo "  cycle $1: recorders left: $(recorders)"
	for _ in $(seq 20); do fds_settled && break; done
	FDS[$1]=$(nfds)
	RSS[$1]=$(rss_kb)
	count_losses
	printf '  cycle %2d at %4d s: daemon %d fds, rss %d KiB; crashes %d, dumps %d, restarts %d\n' \
		"$1" "$(elapsed)" "${FDS[$1]}" "${RSS[$1]}" "$CRASHES" \
		"$(find "$DUMPS" -name '*.flap' | wc -l)" "$RESTARTS"
}

# restart: kill -9, crashes while no daemon runs, a restart that adopts
restart() {
	local n names=
	for _ in 1 2; do crash_register && names="$names $CNAME"; done
	kill_daemon
	for n in $names; do crash "$n"; done
	sleep 0.3
	start_daemon || { violation "the daemon did not restart at $(elapsed) s"; return 1; }
	RESTARTS=$((RESTARTS + 1))
	grep -q "adopted [0-9]* recorders" <(tail -40 "$WORK/daemon.log") ||
		violation "restart $RESTARTS: no adoption logged"
}

long_start() {
	local n cg
	for n in $LONG; do
		cg=$(make_cgroup "$n")
		sh -c "echo \$\$ > $cg/cgroup.procs; exec $HELPERS/workload $n 0 5" > /dev/null &
		PIDS="$PIDS $!"
		disown $!
		f add --cgroup "$cg" --name "$n" --ring-pages 64 > /dev/null || return 1
	done
	# exits bursts for the lifecycle ring in long-3
	sh -c "echo \$\$ > $cg/cgroup.procs; while :; do $HELPERS/exits 500; sleep 1; done" \
		> /dev/null 2>&1 &
	PIDS="$PIDS $!"
	disown $!
}

# ---- the checks at the end --------------------------------------------------------

check_crashes() {
	local n missing=0 names=
	while read -r n; do
		has_dump "$n" && continue
		missing=$((missing + 1)); names="$names $n"
	done < "$WORK/crashes"
	# One crash, one dump: a restart must not dump a crash again.
	DUPS=$(for n in $(cat "$WORK/crashes"); do compgen -G "$DUMPS/$n/*.flap" | wc -l; done |
		awk '$1 > 1 { n++ } END { print n + 0 }')
	[ "$DUPS" = 0 ] || violation "$DUPS crashes dumped more than once"
	COUNTED=$((FAILED + DROPPED + EXITS_LOST + SKIPPED))
	MISSING=$missing
	[ "$missing" -le "$COUNTED" ] ||
		violation "$missing crashes without a dump ($names ), only $COUNTED failures counted"
}

# header_ok FILE: produced = held + overwritten + lost in the JSON header
# (total, every CPU, every source)
header_ok() {
	f show "$1" -o json 2> /dev/null | head -1 | jq -e '
		(.produced == .events_held + .overwritten + .lost) and
		all(.cpus[]; .produced == .held + .overwritten + .lost) and
		all(.sources[]; .produced == .held + .overwritten + .lost)' > /dev/null
}

check_headers() {
	local p
	find "$DUMPS" "$WORK/d" -name '*.flap' > "$WORK/all"
	NFILES=$(wc -l < "$WORK/all")
	HDR_BAD=0
	while read -r p; do
		header_ok "$p" || { HDR_BAD=$((HDR_BAD + 1)); echo "  bad header: $p"; }
	done < "$WORK/all"
	CHK_BAD=$(xargs -r "$CHECK" dump < "$WORK/all" | grep -c '^FAIL')
	xargs -r "$CHECK" dump < "$WORK/all" | grep '^FAIL' | head -5
	[ "$HDR_BAD" = 0 ] || violation "$HDR_BAD dumps whose header has produced != held + overwritten + lost"
	[ "$CHK_BAD" = 0 ] || violation "$CHK_BAD dumps flapcheck finds inconsistent"
}

check_growth() {
	WARM=1
	[ "$CYCLE" -ge 3 ] && WARM=2
	[ "${FDS[$CYCLE]}" -le $((FDS[WARM] + FD_SLACK)) ] ||
		violation "fds grew from ${FDS[$WARM]} (cycle $WARM) to ${FDS[$CYCLE]} (cycle $CYCLE)"
	[ "${RSS[$CYCLE]}" -le $((RSS[WARM] + RSS_SLACK_KIB)) ] ||
		violation "rss grew from ${RSS[$WARM]} KiB (cycle $WARM) to ${RSS[$CYCLE]} KiB (cycle $CYCLE)"
}

# ---- main ------------------------------------------------------------------------

require_root "the soak test"
command -v jq > /dev/null || { echo "the soak test needs jq"; exit 1; }
mkdir -p "$WORK/d" && : > "$WORK/churn" && : > "$WORK/crashes"
CRASHES=0 NCRASH=0 RESTARTS=0 ADDS=0 RUNS=0 FLOODS=0 NREQ=0 REQ_OK=0
FAILED=0 DROPPED=0 EXITS_LOST=0 SKIPPED=0 PENDING=0 CYCLE=0
declare -a FDS RSS
T0=$(date +%s)
echo "soak: $SOAK_SECONDS s, a kill -9 and restart every $SOAK_RESTART s, --max-clients $MAXC"
start_daemon || exit 1
long_start || { echo "cannot register the long-lived recorders"; exit 1; }
tick=0
while :; do
	CYCLE=$((CYCLE + 1))
	cycle_end=$(($(date +%s) + SOAK_RESTART))
	[ "$cycle_end" -gt $((T0 + SOAK_SECONDS)) ] && cycle_end=$((T0 + SOAK_SECONDS))
	while [ "$(date +%s)" -lt "$cycle_end" ]; do
		tick=$((tick + 1))
		churn_step "$tick"
		dump_request
		[ $((tick % 4)) = 0 ] && crash_burst
		[ $((tick % 10)) = 0 ] && flood
		sleep 0.5
	done
	quiet "$CYCLE"
	[ $(($(date +%s) + 10)) -ge $((T0 + SOAK_SECONDS)) ] && break
	restart || break
done

check_crashes
check_headers
check_growth
[ "${PENDING:-0}" = 0 ] || violation "$PENDING crash dumps still pending at the end"
kill -0 "$DPID" 2> /dev/null || violation "the daemon is gone"
DWRITTEN=$(find "$DUMPS" -name '*.flap' | wc -l)
echo "soak summary: $(elapsed) s (asked $SOAK_SECONDS), $CYCLE cycles, $RESTARTS kill -9 restarts"
echo "  load: $ADDS cgroups added, $RUNS runs, $FLOODS client floods ($((5 * MAXC)) clients each)," \
	"$REQ_OK of $NREQ dump requests served"
echo "  crashes caused $CRASHES: $DWRITTEN crash dumps written, $MISSING without a dump, $DUPS dumped twice;" \
	"failures counted $COUNTED (dumps_failed $FAILED, dumps_dropped $DROPPED," \
	"exits_lost $EXITS_LOST, crashes_skipped $SKIPPED)"
echo "  $NFILES dump files checked: $HDR_BAD bad headers, $CHK_BAD inconsistent"
echo "  daemon fds ${FDS[$WARM]} at warm-up (cycle $WARM), ${FDS[$CYCLE]} at the end (cycle $CYCLE);" \
	"rss ${RSS[$WARM]} KiB -> ${RSS[$CYCLE]} KiB (bounds +$FD_SLACK fds, +$RSS_SLACK_KIB KiB)"
echo "  fds per cycle: ${FDS[*]}"
echo "  rss per cycle: ${RSS[*]}"
echo "  client errors (expected over --max-clients):"
grep '^flap-recorder' "$WORK/client.err" 2> /dev/null | grep -v ': saved ' | sed 's/ [^ ]*flap.sock / SOCKET /' |
	sort | uniq -c | sort -rn | head -5 | sed 's/^/  /'
stop_daemon || violation "the daemon's exit status was not 0"
if [ "$BAD" != 0 ]; then
	echo "--- daemon log ---"; grep -iv '^$' "$WORK/daemon.log" | tail -40
	echo "soak: $BAD violations"
	exit 1
fi
echo "soak: OK"
