#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Stress and fault tests of the real daemon and CLI.
#
# test_churn_storm: 500 cgroups added and removed (16 alive at a time, each
# with a short workload) while a syscall storm runs in traced and untraced
# cgroups and three clients take dumps concurrently. Afterwards: every dump
# is self-consistent (flapcheck dump), the daemon has the fds and BPF
# objects it had after start, no recorder instance of these cgroups is left,
# its memory did not grow after warm-up (RSS series printed), and after it
# stops every BPF object it held is freed.
#
# test_kill9_during_dump: kill -9 of the daemon while it writes a large
# crash dump, repeated: only whole dump files remain, the temp files are
# removed by the next daemon, and every .flap file loads with `show`.
#
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/stress.sh [TEST...]
# HELPERS must hold workload, storm, crasher and flapcheck. Needs root.
# CHURN=N sets the number of cgroups (500), KILLS=N the kill -9 rounds (5).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HELPERS=${HELPERS:?set HELPERS to the test helper directory}
CHECK=$HELPERS/flapcheck
CHURN=${CHURN:-500}
KILLS=${KILLS:-5}
WINDOW=16
WORK=$(mktemp -d /tmp/flap-stress.XXXXXX)
SOCK=$WORK/run/flap.sock
DUMPS=$WORK/dumps
CGROOT=$(cgroup_root)/flap-e2e-stress-$$
PIDS=
DAEMON_POLL=0.05
DAEMON_FAIL_TAIL=20

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2> /dev/null
	for p in $PIDS; do kill -KILL "$p" 2> /dev/null; done
	wait 2> /dev/null
	if [ -d "$CGROOT" ]; then
		for cg in "$CGROOT"/*/; do
			[ -d "$cg" ] || continue
			echo 1 > "$cg/cgroup.kill" 2> /dev/null
		done
		sleep 0.2
		rmdir "$CGROOT"/* "$CGROOT" 2> /dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

start_daemon() {
	daemon_start --socket "$SOCK" --dump-dir "$DUMPS" --retain 10m --crash-burst 1000 "$@"
}

# Each test starts its own daemon; the runner stops it within the test's time.
after_test() { stop_daemon; }

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status"; }
nfds() { ls "/proc/$DPID/fd" | wc -l; }
cgid() { stat -c %i "$1"; }

# in_cgroup CGROUP CMD...: run CMD in CGROUP in the background (pid in $!),
# disowned: the shell does not report it when the test kills it.
in_cgroup() {
	local cg=$1; shift
	sh -c "echo \$\$ > $cg/cgroup.procs; exec $*" > /dev/null 2>&1 &
	disown $!
}

# dumper N: take dumps of the storm recorders and the newest churned ones until told to stop
dumper() {
	local n=$1 i=0 target
	while [ ! -e "$WORK/stop" ]; do
		case $((i % 3)) in
		0) target=storm-a ;;
		1) target=storm-b ;;
		*) target=$(tail -1 "$WORK/live" 2> /dev/null) ;;
		esac
		# A churned recorder may be removed meanwhile: "not found" is fine.
		f dump "$target" --save "$WORK/d/$n-$i.flap" > /dev/null 2>> "$WORK/dumper.err"
		i=$((i + 1))
	done
	echo "$i" > "$WORK/dumper-$n.count"
}

# rss_grew SERIES [SLACK_KIB]: the last three samples all exceed the largest
# of the first three after warm-up by more than SLACK_KIB (2 MiB): memory
# grows with the iterations.
rss_grew() {
	local s=($1) n first last
	n=${#s[@]}
	[ "$n" -ge 6 ] || return 1
	first=$(printf '%s\n' "${s[@]:0:3}" | sort -n | tail -1)
	last=$(printf '%s\n' "${s[@]:n-3:3}" | sort -n | head -1)
	[ "$last" -gt $((first + ${2:-2048})) ]
}

# The slack for the daemon's RSS: 2 MiB; under AddressSanitizer 5% of it, as
# its quarantine and shadow memory move a ~300 MiB RSS by several MiB between
# samples (seen: 300-326 MiB with no trend), and LeakSanitizer checks every
# allocation exactly when the daemon exits.
rss_slack() {
	if grep -q libasan "/proc/$DPID/maps" 2> /dev/null; then
		echo $(($(rss_kb) / 20))
	else
		echo 2048
	fi
}

# pool_full: wait (up to 30 s) until the daemon's pool of pre-loaded
# recorders is full again: what it holds is then what it held at the start,
# as many objects (new ones: the pool refills with fresh recorders).
pool_full() {
	local j
	for _ in $(seq 300); do
		j=$(f status -o json | grep -o '"pool": *{[^}]*}')
		[ -n "$j" ] && [ "$(grep -o '"ready": *[0-9]*' <<< "$j" | grep -o '[0-9]*$')" = \
			"$(grep -o '"size": *[0-9]*' <<< "$j" | grep -o '[0-9]*$')" ] &&
			grep -q '"loading": *0' <<< "$j" && return 0
		sleep 0.1
	done
	echo "    the pool did not fill: $j"
	return 1
}

test_churn_storm() {
	local i cg name fds0 ids0 ids1 rss series= fdseries= warm=$((CHURN / 5)) t0 ndumps bad own
	local dumpers=
	mkdir -p "$CGROOT" "$WORK/d" && : > "$WORK/live" && : > "$WORK/cgids"
	start_daemon || return 1
	pool_full || return 1
	fds0=$(nfds); ids0=$("$CHECK" bpf-ids "$DPID")
	# The storm: two traced and two untraced processes, both CPUs busy.
	for name in storm-a storm-b quiet-a quiet-b; do
		mkdir "$CGROOT/$name"
		# Niced: the storm takes every idle cycle of both CPUs, not the test's.
		in_cgroup "$CGROOT/$name" nice -n 10 "$HELPERS/storm" "$name"
		PIDS="$PIDS $!"
	done
	for name in storm-a storm-b; do
		f add --cgroup "$CGROOT/$name" --name "$name" --ring-pages 64 > /dev/null || return 1
		cgid "$CGROOT/$name" >> "$WORK/cgids"
	done
	for i in 1 2 3; do dumper $i & dumpers="$dumpers $!"; done
	t0=$(date +%s%N)
	for i in $(seq "$CHURN"); do
		cg=$CGROOT/c$i
		mkdir "$cg" && cgid "$cg" >> "$WORK/cgids"
		f add --cgroup "$cg" --name "churn-$i" > /dev/null || { echo "    add $i failed"; return 1; }
		in_cgroup "$cg" "$HELPERS/workload" "churn-$i" 20 1
		echo "$!" > "$WORK/pid-$i"
		echo "churn-$i" >> "$WORK/live"
		if [ "$i" -gt "$WINDOW" ]; then
			local old=$((i - WINDOW))
			f remove "churn-$old" > /dev/null || { echo "    remove $old failed"; return 1; }
			kill -KILL "$(cat "$WORK/pid-$old")" 2> /dev/null
			echo 1 > "$CGROOT/c$old/cgroup.kill"
		fi
		if [ $((i % 25)) = 0 ]; then
			rss=$(rss_kb)
			[ "$i" -ge "$warm" ] && series="$series $rss"
			fdseries="$fdseries $(nfds)"
			printf '    %4d cgroups: rss %6d KiB, %4d fds, %3d s\n' "$i" "$rss" "$(nfds)" \
				$((($(date +%s%N) - t0) / 1000000000))
		fi
		# Directories of removed cgroups go once their process is gone.
		[ "$i" -gt $((WINDOW + 4)) ] && rmdir "$CGROOT/c$((i - WINDOW - 4))" 2> /dev/null
	done
	touch "$WORK/stop"
	wait $dumpers
	for i in $(seq $((CHURN - WINDOW + 1)) "$CHURN"); do
		f remove "churn-$i" > /dev/null
		kill -KILL "$(cat "$WORK/pid-$i")" 2> /dev/null
	done
	f remove storm-a > /dev/null; f remove storm-b > /dev/null
	for p in $PIDS; do kill -KILL "$p" 2> /dev/null; done
	PIDS=
	ndumps=$(ls "$WORK/d" | wc -l)
	bad=$("$CHECK" dump "$WORK"/d/*.flap | grep -c '^FAIL')
	"$CHECK" dump "$WORK"/d/*.flap | grep '^FAIL' | head -5
	echo "    $CHURN cgroups in $((($(date +%s%N) - t0) / 1000000000)) s, $ndumps dumps by 3 clients" \
		"($(cat "$WORK"/dumper-*.count 2> /dev/null | awk '{ n += $1 } END { print n }') asked)"
	echo "    rss KiB after warm-up:$series"
	echo "    daemon fds:$fdseries"
	for _ in $(seq 100); do
		own=$("$CHECK" bpf-own "$WORK/cgids")
		[ "$own" = "maps 0 progs 0" ] && break
		sleep 0.1
	done
	pool_full || return 1
	ids1=$("$CHECK" bpf-ids "$DPID")
	expect "dumps taken ($ndumps)" [ "$ndumps" -gt 30 ] &&
	expect "every dump consistent ($bad bad)" [ "$bad" = 0 ] &&
	expect "no recorder left in the daemon" [ -z "$(f list -o json | grep -o '"name"')" ] &&
	expect "daemon fds back to $fds0 (now $(nfds))" [ "$(nfds)" = "$fds0" ] &&
	expect "daemon holds as many BPF objects as after start ($(wc -w <<< "$ids1") vs $(wc -w <<< "$ids0"))" \
		[ "$(wc -w <<< "$ids1")" = "$(wc -w <<< "$ids0")" ] &&
	expect "no recorder instance of these cgroups left ($own)" [ "$own" = "maps 0 progs 0" ] || return 1
	if rss_grew "$series" "$(rss_slack)"; then
		echo "    FAILED: memory grows after warm-up"
		return 1
	fi
	stop_daemon || { echo "    daemon exit status not 0"; return 1; }
	expect "every BPF object of the daemon freed after stop" \
		[ "$("$CHECK" bpf-gone $ids0)" = "left 0" ]
}

test_kill9_during_dump() {
	local round cg hit=0 tmp files bad
	mkdir -p "$CGROOT"
	for round in $(seq "$KILLS"); do
		start_daemon || return 1
		# A small crash whose dump completes: a whole file that must stay.
		cg=$CGROOT/small$round
		mkdir "$cg"
		f add --cgroup "$cg" --name "small$round" > /dev/null || return 1
		in_cgroup "$cg" "$HELPERS/crasher" segv "small$round"
		for _ in $(seq 100); do compgen -G "$DUMPS/small$round/*.flap" > /dev/null && break; sleep 0.05; done
		cg=$CGROOT/big$round
		mkdir "$cg"
		f add --cgroup "$cg" --name "big$round" --ring-pages 1024 --buffer-size 256 > /dev/null ||
			return 1
		# Fill the rings (two CPUs), then crash: the crash dump is large.
		in_cgroup "$cg" sh -c "'dd if=/dev/zero of=/dev/null bs=256 count=150000 2>/dev/null & dd if=/dev/zero of=/dev/null bs=256 count=150000 2>/dev/null; wait; exec $HELPERS/crasher segv big$round'"
		SECONDS=0
		tmp=
		while [ $SECONDS -lt 20 ]; do
			tmp=$(compgen -G "$DUMPS/big$round/.*.flap.*") && break
			compgen -G "$DUMPS/big$round/*.flap" > /dev/null && break
		done
		# Odd rounds kill at once, even ones once the temp file has bytes.
		if [ -n "$tmp" ] && [ $((round % 2)) = 0 ]; then
			while [ -e "$tmp" ] && [ ! -s "$tmp" ]; do :; done
		fi
		kill_daemon
		if [ -n "$tmp" ] && [ -e "$tmp" ]; then
			hit=$((hit + 1))
			echo "    round $round: killed while writing $(basename "$tmp") ($(stat -c %s "$tmp") bytes so far)"
		else
			echo "    round $round: the dump was complete before the kill"
		fi
		start_daemon || return 1
		expect "temp files removed at start" [ -z "$(compgen -G "$DUMPS/*/.*")" ] || return 1
		stop_daemon
	done
	files=$(ls "$DUMPS"/*/*.flap 2> /dev/null)
	bad=0
	for p in $files; do
		f show "$p" > /dev/null 2>&1 || { echo "    show fails: $p"; bad=$((bad + 1)); }
	done
	[ -n "$files" ] && "$CHECK" dump $files | sed 's/^/    /'
	expect "killed during a dump write in most rounds ($hit of $KILLS)" [ "$hit" -ge $(((KILLS + 1) / 2)) ] &&
	expect "every dump file left loads with show ($bad bad)" [ "$bad" = 0 ]
}

ALL="test_churn_storm test_kill9_during_dump"

require_root "stress tests"
run_tests ${*:-$ALL}
summary stress 40
