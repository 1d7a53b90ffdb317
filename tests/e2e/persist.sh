#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Recording survives a daemon restart (daemon --persist): the real daemon,
# CLI and keeper, real cgroups with a workload writing a numbered sequence
# (/flap/TAG-N paths), kill -9 and SIGTERM restarts, a killed keeper, crash
# dumps after adoption and for a crash during the downtime, and no fd, map
# or program leak across 10 restart cycles; --unpin removes everything.
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/persist.sh [TEST...]
# HELPERS must hold workload, crasher and flapcheck. Needs root and bpffs.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HELPERS=${HELPERS:?set HELPERS to the test helper directory}
CHECK=$HELPERS/flapcheck
WORK=$(mktemp -d /tmp/flap-persist.XXXXXX)
SOCK=$WORK/run/flap.sock
STATE=$WORK/run/state.json
DUMPS=$WORK/dumps
PIN=/sys/fs/bpf/flap-e2e-persist-$$
PIDS=
CG_PREFIX=flap-e2e-persist-$$
DAEMON_POLL=0.05
DAEMON_FAIL_TAIL=20
TEST_NAME_WIDTH=30

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2> /dev/null
	for p in $PIDS; do kill -KILL "$p" 2> /dev/null; done
	"$FLAP" --socket "$SOCK" daemon --unpin --pin-dir "$PIN" > /dev/null 2>&1
	remove_cgroups
	rm -rf "$WORK"
}
trap cleanup EXIT

now_ns() { date +%s%N; }

start_daemon() {
	echo "--- start $*" >> "$WORK/daemon.log"
	daemon_start --persist --pin-dir "$PIN" --socket "$SOCK" --dump-dir "$DUMPS" --retain 10m "$@"
}

# Tests run alone too: each starts the daemon when none runs.
need_daemon() { [ -n "$DPID" ] || start_daemon; }

keeper_pid() { sed -n 's/.*"keeper_pid":[ ]*\([0-9]*\).*/\1/p' "$STATE"; }

# workload TAG CGROUP: a numbered sequence every 5 ms in CGROUP, recorded as TAG
workload() {
	sh -c "echo \$\$ > $2/cgroup.procs; exec $HELPERS/workload $1 0 5" > /dev/null &
	PIDS="$PIDS $!"
	f add --cgroup "$2" --name "$1" --ring-pages 256 > /dev/null
}

# seq_ok TAG T0 T1: a dump of TAG holds an unbroken sequence with events made in [T0, T1]
seq_ok() {
	local out
	f dump "$1" --save "$WORK/$1.flap" 2> /dev/null || { echo "    dump $1 failed"; return 1; }
	out=$("$CHECK" seq "$WORK/$1.flap" "$1" "$2" "$3")
	echo "    $1: $out"
	expect "dump is consistent" "$CHECK" dump "$WORK/$1.flap" &&
	expect "no gap in the sequence" grep -q ' gaps 0 ' <<< "$out" &&
	expect "nothing overwritten, no restart loss" grep -q 'restart_lost 0 overwritten 0 lost' <<< "$out" &&
	# Calls that land in a read's freeze (a dump copies the rings for ~0.1 ms)
	# are counted as lost; the sequence has no gap, so none of those was ours.
	expect "at most a few calls lost to reads" [ "$(sed 's/.* lost \([0-9]*\)$/\1/' <<< "$out")" -le 10 ] &&
	expect "events from the downtime" [ "$(sed 's/.*in_window \([0-9]*\).*/\1/' <<< "$out")" -gt 20 ]
}

# ---- tests --------------------------------------------------------------------

test_kill9_restart() {
	local cg t0 t1
	cg=$(make_cgroup k9)
	start_daemon || return 1
	workload pk9 "$cg" || return 1
	sleep 0.5
	t0=$(now_ns); kill_daemon
	sleep 1 # the kernel goes on recording
	t1=$(now_ns); start_daemon || return 1
	expect "adopted with its rings" grep -q 'adopted 1 recorders (0 with fresh rings' "$WORK/daemon.log" &&
	expect "what its process held at registration kept" grep -q '"tgid":' "$STATE" &&
	seq_ok pk9 "$t0" "$t1"
}

test_sigterm_restart() {
	local t0 t1
	need_daemon || return 1
	t0=$(now_ns)
	stop_daemon || { echo "    exit status not 0"; return 1; }
	expect "left recording" grep -q 'recorders left recording' "$WORK/daemon.log" || return 1
	sleep 1
	t1=$(now_ns); start_daemon || return 1
	seq_ok pk9 "$t0" "$t1"
}

test_keeper_killed() {
	local kp out
	need_daemon || return 1
	kp=$(keeper_pid)
	expect "keeper pid in the state file" [ -n "$kp" ] || return 1
	kill_daemon
	kill -KILL "$kp"
	sleep 0.5
	start_daemon || return 1
	expect "earlier history lost is logged" grep -q 'no ring to adopt; fresh rings' "$WORK/daemon.log" || return 1
	sleep 0.3
	f dump pk9 --save "$WORK/nk.flap" 2> /dev/null || return 1
	out=$(f show "$WORK/nk.flap" | grep '^#')
	expect "dump says the earlier history was lost ($(grep history <<< "$out"))" \
		grep -q 'earlier history lost at a daemon restart' <<< "$out" &&
	expect "dump consistent" "$CHECK" dump "$WORK/nk.flap" &&
	expect "restart_lost in the counts" grep -qv 'restart_lost 0 ' <<< "$("$CHECK" seq "$WORK/nk.flap" pk9)" &&
	expect "a new keeper holds the rings" [ "$(keeper_pid)" != "$kp" ]
}

test_keeper_respawn() {
	local kp t0 t1
	need_daemon || return 1
	kp=$(keeper_pid)
	kill -KILL "$kp"
	for _ in $(seq 40); do [ "$(keeper_pid)" != "$kp" ] && break; sleep 0.05; done
	expect "daemon started a new keeper" [ "$(keeper_pid)" != "$kp" ] || return 1
	# Only what the new keeper holds survives the next kill -9.
	f remove pk9 > /dev/null
	workload pkr "$(make_cgroup kr)" || return 1
	sleep 0.3
	t0=$(now_ns); kill_daemon; sleep 0.5; t1=$(now_ns)
	start_daemon || return 1
	seq_ok pkr "$t0" "$t1"
}

test_crash_after_adopt() {
	local cg
	need_daemon || return 1
	cg=$(make_cgroup crash)
	f add --cgroup "$cg" --name pcrash > /dev/null || return 1
	kill_daemon
	start_daemon || return 1
	sh -c "echo \$\$ > $cg/cgroup.procs; exec $HELPERS/crasher segv pcrash-1" > /dev/null 2>&1
	for _ in $(seq 50); do ls "$DUMPS"/pcrash/*SIGSEGV*.flap > /dev/null 2>&1 && break; sleep 0.1; done
	expect "crash dump written by the adopting daemon" ls "$DUMPS"/pcrash/*SIGSEGV*.flap > /dev/null 2>&1 &&
	expect "it shows the last calls" grep -q '"/flap/pcrash-1"' <<< "$(f show "$(ls "$DUMPS"/pcrash/*.flap | head -1)")"
}

test_crash_during_downtime() {
	local cg p
	need_daemon || return 1
	cg=$(make_cgroup crash)
	kill_daemon
	# No daemon runs: the lifecycle ring buffer keeps the exit for the next one.
	sh -c "echo \$\$ > $cg/cgroup.procs; exec $HELPERS/crasher segv pcrash-2" > /dev/null 2>&1
	start_daemon || return 1
	for _ in $(seq 50); do p=$(grep -l 'pcrash-2' "$DUMPS"/pcrash/*.flap 2> /dev/null); [ -n "$p" ] && break; sleep 0.1; done
	p=$(for x in "$DUMPS"/pcrash/*.flap; do f show "$x" | grep -q '"/flap/pcrash-2"' && echo "$x"; done | head -1)
	expect "crash during the downtime dumped at adoption" [ -n "$p" ] &&
	expect "dump consistent" "$CHECK" dump "$p"
}

test_unpin_refused_while_running() {
	local err st
	need_daemon || return 1
	err=$("$FLAP" --socket "$SOCK" daemon --unpin --pin-dir "$PIN" 2>&1); st=$?
	expect "refused (exit $st)" [ "$st" = 1 ] &&
	expect "says why ($err)" grep -q 'stop it first' <<< "$err" &&
	expect "daemon still serves" f status > /dev/null
}

test_keeper_orphan() {
	local kp
	need_daemon || return 1
	kp=$(keeper_pid)
	stop_daemon || return 1
	# A keeper nobody can reach (its socket file removed) must not hold rings forever.
	rm -f "$WORK/run/keeper.sock"
	for _ in $(seq 80); do kill -0 "$kp" 2> /dev/null || break; sleep 0.05; done
	expect "unreachable keeper exited" sh -c "! kill -0 $kp 2> /dev/null" || return 1
	start_daemon || return 1
	expect "adopted with fresh rings" grep -q 'adopted [0-9]* recorders ([1-9][0-9]* with fresh rings' "$WORK/daemon.log"
}

# counts: daemon fds, keeper fds, BPF ids the daemon holds, own recorder instances
snapshot() {
	echo "fds $(ls /proc/$DPID/fd | wc -l) keeper-fds $(ls /proc/$(keeper_pid)/fd | wc -l)" \
		"$("$CHECK" bpf-own "$WORK/cgids")"
	"$CHECK" bpf-ids "$DPID" > "$WORK/ids.$1"
}

# Without a pool (--pool 0): its recorders, loaded afresh by every daemon,
# would be new fds and BPF ids each time by design.
test_restart_cycles() {
	local i first now ok=0
	stop_daemon
	start_daemon --pool 0 || return 1
	f list -o json | grep -o '"cgroup_id":[0-9]*' | cut -d: -f2 > "$WORK/cgids"
	sleep 0.2
	first=$(snapshot 0)
	echo "    after start: $first ($(wc -w < "$WORK/ids.0") bpf objects held)"
	for i in $(seq 10); do
		if [ $((i % 2)) = 0 ]; then stop_daemon; else kill_daemon; fi
		start_daemon --pool 0 || return 1
		sleep 0.2
		now=$(snapshot "$i")
		[ "$now" = "$first" ] || { echo "    cycle $i: $now"; ok=1; }
		cmp -s "$WORK/ids.0" "$WORK/ids.$i" || { echo "    cycle $i: other BPF ids"; ok=1; }
	done
	expect "same fds, keeper fds, recorder instances and BPF ids after 10 restarts" [ $ok = 0 ]
}

test_unpin() {
	local kp left
	need_daemon || return 1
	kp=$(keeper_pid)
	f status > /dev/null
	"$CHECK" bpf-ids "$DPID" > "$WORK/ids.final"
	stop_daemon || return 1
	"$FLAP" --socket "$SOCK" daemon --unpin --pin-dir "$PIN" 2>> "$WORK/daemon.log" || return 1
	left=$("$CHECK" bpf-gone $(cat "$WORK/ids.final"))
	for _ in $(seq 40); do kill -0 "$kp" 2> /dev/null || break; sleep 0.05; done
	expect "keeper gone" sh -c "! kill -0 $kp 2> /dev/null" &&
	expect "pin directory gone" [ ! -e "$PIN" ] &&
	expect "state file gone" [ ! -e "$STATE" ] &&
	expect "every BPF object of the daemon freed ($left)" [ "$left" = "left 0" ] &&
	expect "no recorder instance left" [ "$("$CHECK" bpf-own "$WORK/cgids")" = "maps 0 progs 0" ]
}

# ---- runner ---------------------------------------------------------------------

ALL="test_kill9_restart test_sigterm_restart test_keeper_killed test_keeper_respawn
test_crash_after_adopt test_crash_during_downtime test_unpin_refused_while_running
test_keeper_orphan test_restart_cycles test_unpin"

require_root "persist tests"
run_tests ${*:-$ALL}
[ -n "$DPID" ] && stop_daemon; [ -n "${KEEPLOG:-}" ] && cp "$WORK/daemon.log" /tmp/persist-daemon.log
summary persist 60
