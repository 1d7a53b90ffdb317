#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# registration.sh - adds whose recorder is loaded off the daemon's loop
# (recorder/daemon/register.c): a real daemon with a small pool (--pool 4),
# so that most of a burst of 100 adds wait for a recorder's load while the
# daemon answers other requests.
#   burst_dump        a dump and a status sent while 100 `add --cgroup` are
#                     under way are answered, the dump with its recorder's
#                     exact history; every one of the 100 adds succeeds, and
#                     each of the 100 cgroups records (one merged dump)
#   pending_duplicate the same cgroup twice, and one name for two cgroups, at
#                     once with no pool: exactly one add of each pair
#                     succeeds, the other is told what it would be told after
#   stop_during_burst SIGTERM while 50 adds are under way: the daemon exits
#                     0, every client ends (a reply or a closed connection)
#   deferred_burst    a pool that serves a burst of 60 at once (--pool 64),
#                     read in one loop iteration (the daemon stopped while
#                     they are sent): the adds past the iteration's budget
#                     wait for the next (register.c ADD_BUDGET_NS); every one
#                     succeeds and records, a dump during them is answered
#   stop_deferred     SIGTERM while such a burst waits: the daemon exits 0
#                     with every handle closed, every client ends, an add
#                     that was not done is told the daemon is stopping
#   sweep_in_steps    60 recorders past retention at once: the sweep frees
#                     them a few milliseconds' worth at a time (daemon.c
#                     SWEEP_BUDGET_NS), every one of them, while a dump of a
#                     recorder kept answers with its history
# (No bare `wait`: the daemon is a child of this shell too.)
# Correctness only: how fast anything answered is tests/bench/registration.sh.
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/registration.sh [TEST...]
# Needs root; prints one line per test and a summary; exits 1 if any failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HELPERS=${HELPERS:?set HELPERS to the test helper directory}
require_root "the registration tests"
WORK=$(mktemp -d /tmp/flap-e2e-reg.XXXXXX)
SOCK=$WORK/flap.sock
DUMPS=$WORK/dumps
CG_PREFIX=flap-e2e-reg-$$

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2> /dev/null
	remove_cgroups
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

# start_daemon ARGS: 100 clients at once are over the default --max-clients 64
start_daemon() {
	: > "$WORK/daemon.log"
	daemon_start --socket "$SOCK" --dump-dir "$DUMPS" --retain 10m --max-clients 256 "$@"
}

# burst PREFIX N: `add --cgroup` of N new cgroups PREFIX-1..N at once, in pod
# PREFIX of namespace e2e; each client's status goes to $WORK/PREFIX-J.rc
burst() {
	local j
	for j in $(seq "$2"); do make_cgroup "$1-$j" > /dev/null; done
	for j in $(seq "$2"); do
		(f add --cgroup "$(cat "$WORK/cg-$1-$j")" --name "$1-$j" --pod "$1" --namespace e2e \
			> "$WORK/$1-$j.out" 2>&1; echo $? > "$WORK/$1-$j.rc") &
	done
}

# burst_wait PREFIX N: waits (up to 60 s) for every client of the burst to end
burst_wait() {
	local i j left
	for i in $(seq 600); do
		left=0
		for j in $(seq "$2"); do [ -e "$WORK/$1-$j.rc" ] || left=$((left + 1)); done
		[ $left = 0 ] && return 0
		sleep 0.1
	done
	echo "    $left of $2 add clients still running after 60 s"
	return 1
}

# burst_ok PREFIX N: how many of the burst's adds exited 0
burst_ok() {
	local j n=0
	for j in $(seq "$2"); do [ "$(cat "$WORK/$1-$j.rc")" = 0 ] && n=$((n + 1)); done
	echo $n
}

# pool_full N: waits (up to 30 s) until the daemon's pool holds N recorders ready
pool_full() {
	local i
	for i in $(seq 300); do
		[ "$(f status -o json | jq .pool.ready)" = "$1" ] && return 0
		sleep 0.1
	done
	echo "    the pool did not fill ($(f status -o json | jq -c .pool))"
	return 1
}

# after_test: a test that failed before stop_daemon leaves no daemon running
after_test() { [ -z "$DPID" ] || kill_daemon; }

# ---- tests --------------------------------------------------------------------

test_burst_dump() {
	local cg out st j n pids
	start_daemon --pool 4 || return 1
	# The reference: a recorded process that left a known history, then exited.
	cg=$(make_cgroup ref)
	f add --cgroup "$cg" --name e2e-ref > /dev/null || { echo "    add ref failed"; return 1; }
	sh -c "echo \$\$ > $cg/cgroup.procs; exec $HELPERS/crasher exit 0 e2e-reg-ref" > /dev/null 2>&1
	burst b 100
	out=$(f dump e2e-ref) || { echo "    the dump during the burst failed"; return 1; }
	st=$(f status -o json) || { echo "    the status during the burst failed"; return 1; }
	echo "    (answered with $(jq .registrations_pending <<< "$st") registrations pending)"
	expect "dump: the reference's marker" grepq 'openat(AT_FDCWD[^,]*, "/flap/e2e-reg-ref".*ENOENT' <<< "$out" &&
	expect "dump: its execve" grepq 'execve(".*crasher"' <<< "$out" &&
	expect "dump: its exit" grepq 'exit_group(0) *= ?' <<< "$out" &&
	expect "dump: nothing of the burst" [ -z "$(grep -- '-b-[0-9]' <<< "$out")" ] &&
	expect "status: a pending count" grepq -E '^[0-9]+$' <<< "$(jq .registrations_pending <<< "$st")" || return 1
	burst_wait b 100 || return 1
	n=$(burst_ok b 100)
	expect "every add of the burst succeeds ($n of 100)" [ "$n" = 100 ] || { cat "$WORK"/b-*.out | sort | uniq -c | head -5; return 1; }
	expect "status: none pending after" [ "$(f status -o json | jq .registrations_pending)" = 0 ] &&
	expect "list: 101 recorders" [ "$(f list -o json | jq length)" = 101 ] || return 1
	# Each of the 100 records its own process: one dump of the pod merges them.
	pids=
	for j in $(seq 100); do
		sh -c "echo \$\$ > $(cat "$WORK/cg-b-$j")/cgroup.procs; exec cat /flap/e2e-reg-b-$j" > /dev/null 2>&1 &
		pids="$pids $!"
	done
	wait $pids
	out=$(f dump b --namespace e2e) || { echo "    dump of the pod failed"; return 1; }
	n=$(grep -oE 'openat\(AT_FDCWD[^,]*, "/flap/e2e-reg-b-[0-9]+"' <<< "$out" | sort -u | wc -l)
	expect "each of the 100 recorded its marker ($n)" [ "$n" = 100 ] &&
	stop_daemon
}

test_pending_duplicate() {
	local cg cg2 ok
	start_daemon --pool 0 || return 1
	cg=$(make_cgroup dup)
	(f add --cgroup "$cg" > "$WORK/dup-1.out" 2>&1; echo $? > "$WORK/dup-1.rc") &
	(f add --cgroup "$cg" > "$WORK/dup-2.out" 2>&1; echo $? > "$WORK/dup-2.rc") &
	burst_wait dup 2 || return 1
	ok=$(burst_ok dup 2)
	expect "one add of the cgroup succeeds ($ok)" [ "$ok" = 1 ] &&
	expect "the other: already recorded" grepq 'is already recorded' "$WORK"/dup-*.out || return 1
	cg=$(make_cgroup same-a)
	cg2=$(make_cgroup same-b)
	(f add --cgroup "$cg" --name e2e-same > "$WORK/same-1.out" 2>&1; echo $? > "$WORK/same-1.rc") &
	(f add --cgroup "$cg2" --name e2e-same > "$WORK/same-2.out" 2>&1; echo $? > "$WORK/same-2.rc") &
	burst_wait same 2 || return 1
	ok=$(burst_ok same 2)
	expect "one add of the name succeeds ($ok)" [ "$ok" = 1 ] &&
	expect "the other: the name exists" grepq 'a recorder named e2e-same exists already' "$WORK"/same-*.out &&
	expect "list: two recorders" [ "$(f list -o json | jq length)" = 2 ] &&
	stop_daemon
}

test_stop_during_burst() {
	local st
	start_daemon --pool 0 || return 1
	burst s 50
	sleep 0.2
	kill -TERM "$DPID"
	wait "$DPID"
	st=$?
	DPID=
	expect "the daemon exits 0 (got $st)" [ "$st" = 0 ] &&
	expect "every client ends" burst_wait s 50 &&
	expect "the daemon said it stopped" grepq 'shutting down' "$WORK/daemon.log"
}

test_deferred_burst() {
	local cg out n pids j
	start_daemon --pool 64 -v || return 1
	pool_full 64 || return 1
	cg=$(make_cgroup ref)
	f add --cgroup "$cg" --name e2e-ref > /dev/null || { echo "    add ref failed"; return 1; }
	sh -c "echo \$\$ > $cg/cgroup.procs; exec $HELPERS/crasher exit 0 e2e-reg-ref" > /dev/null 2>&1
	# The daemon stopped while the 60 connect and send: one iteration reads them all.
	kill -STOP "$DPID"
	burst q 60
	sleep 1
	kill -CONT "$DPID"
	out=$(f dump e2e-ref) || { echo "    the dump during the burst failed"; return 1; }
	expect "dump: the reference's marker" grepq 'openat(AT_FDCWD[^,]*, "/flap/e2e-reg-ref".*ENOENT' <<< "$out" || return 1
	burst_wait q 60 || return 1
	n=$(burst_ok q 60)
	expect "every add of the burst succeeds ($n of 60)" [ "$n" = 60 ] || { cat "$WORK"/q-*.out | sort | uniq -c | head -5; return 1; }
	expect "some adds waited for a later loop iteration" grepq 'adds: [0-9]* deferred ran this turn' "$WORK/daemon.log" &&
	expect "status: none pending after" [ "$(f status -o json | jq .registrations_pending)" = 0 ] || return 1
	pids=
	for j in $(seq 60); do
		sh -c "echo \$\$ > $(cat "$WORK/cg-q-$j")/cgroup.procs; exec cat /flap/e2e-reg-q-$j" > /dev/null 2>&1 &
		pids="$pids $!"
	done
	wait $pids
	out=$(f dump q --namespace e2e) || { echo "    dump of the pod failed"; return 1; }
	n=$(grep -oE 'openat\(AT_FDCWD[^,]*, "/flap/e2e-reg-q-[0-9]+"' <<< "$out" | sort -u | wc -l)
	expect "each of the 60 recorded its marker ($n)" [ "$n" = 60 ] &&
	stop_daemon
}

test_stop_deferred() {
	local st i ok
	start_daemon --pool 64 -v || return 1
	pool_full 64 || return 1
	# The daemon stopped while the 60 connect and send: it reads them in one
	# iteration, then runs a few per iteration; SIGTERM comes meanwhile.
	kill -STOP "$DPID"
	burst t 60
	sleep 1
	kill -CONT "$DPID"
	sleep "${STOP_AFTER:-0.01}"
	kill -TERM "$DPID"
	wait "$DPID"
	st=$?
	DPID=
	ok=$(burst_wait t 60 > /dev/null && burst_ok t 60)
	echo "    ($ok of 60 added before the stop)"
	expect "the daemon exits 0 (got $st)" [ "$st" = 0 ] &&
	expect "every client ends" burst_wait t 60 &&
	expect "adds waited for a later iteration" grepq 'adds: [0-9]* deferred ran this turn, [1-9]' "$WORK/daemon.log" &&
	expect "no handle left open" [ -z "$(grep 'handles still open' "$WORK/daemon.log")" ] &&
	expect "the daemon said it stopped" grepq 'shutting down' "$WORK/daemon.log" || return 1
	# An add not done: told the daemon is stopping, or its connection closed.
	for i in $(seq 60); do
		[ "$(cat "$WORK/t-$i.rc")" = 0 ] && continue
		grepq -e 'the daemon is stopping' -e 'connection' -e 'not running' "$WORK/t-$i.out" ||
			{ echo "    add t-$i failed otherwise: $(cat "$WORK/t-$i.out")"; return 1; }
	done
}

test_sweep_in_steps() {
	local cg i n out
	start_daemon --pool 4 --retain 1s || return 1
	cg=$(make_cgroup keep)
	sh -c "echo \$\$ > $cg/cgroup.procs; exec $HELPERS/workload e2e-sweep 0 1000" > /dev/null 2>&1 &
	disown $!
	f add --cgroup "$cg" --name e2e-keep > /dev/null || { echo "    add keep failed"; return 1; }
	# Empty cgroups: no process left at the first sweep, past retention 1 s later.
	burst w 60
	burst_wait w 60 || return 1
	expect "every add succeeds" [ "$(burst_ok w 60)" = 60 ] || return 1
	for i in $(seq 100); do
		out=$(f dump e2e-keep --last 5) || { echo "    a dump during the sweep failed"; return 1; }
		n=$(grep -c '^flap-recorder: stopped recording w-' "$WORK/daemon.log")
		[ "$n" = 60 ] && break
		sleep 0.1
	done
	expect "the dumps during the sweep hold the kept recorder's calls" grepq '"/flap/e2e-sweep-' <<< "$out" &&
	expect "all 60 freed ($n)" [ "$n" = 60 ] &&
	expect "list: the kept one only" [ "$(f list -o json | jq -r '.[].name')" = e2e-keep ] || return 1
	echo 1 > "$cg/cgroup.kill"
	stop_daemon
}

ALL="test_burst_dump test_pending_duplicate test_stop_during_burst test_deferred_burst
	test_stop_deferred test_sweep_in_steps"
command -v jq > /dev/null || { echo "registration tests need jq"; exit 1; }
TEST_NAME_WIDTH=20
run_tests ${*:-$ALL}
summary registration 30
