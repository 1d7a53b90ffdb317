#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# End-to-end tests: a real daemon on a temporary socket and dump directory,
# the real CLI, real processes in real cgroups, real crashes.
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/run.sh [TEST...]
# Needs root. Prints one line per test and a summary; exits 1 if any failed.
set -u

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HELPERS=${HELPERS:?set HELPERS to the test helper directory}
WORK=$(mktemp -d /tmp/flap-e2e.XXXXXX)
chmod 0755 "$WORK" # the --allow-group test connects as another user
SOCK=$WORK/run/flap.sock
DUMPS=$WORK/dumps
DPID=
PASS=0
FAIL=0
FAILED=

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	for cg in "$WORK"/cg-*; do
		[ -e "$cg" ] || continue
		path=$(cat "$cg")
		[ -d "$path" ] && { echo 1 > "$path/cgroup.kill" 2>/dev/null; sleep 0.1; rmdir "$path" 2>/dev/null; }
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

f() { "$FLAP" --socket "$SOCK" "$@"; }

cgroup_root() { awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo; }

# make_cgroup NAME -> prints the path (removed at exit)
make_cgroup() {
	local p
	p="$(cgroup_root)/flap-e2e-$$-$1"
	mkdir -p "$p" && echo "$p" > "$WORK/cg-$1" && echo "$p"
}

start_daemon() {
	"$FLAP" daemon --socket "$SOCK" --dump-dir "$DUMPS" "$@" > "$WORK/daemon.log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do
		f status > /dev/null 2>&1 && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon did not start:"; cat "$WORK/daemon.log"
	return 1
}

stop_daemon() {
	local rc=0
	[ -z "$DPID" ] && return 0
	kill -TERM "$DPID" && wait "$DPID" || rc=$?
	DPID=
	return $rc
}

# expect DESCRIPTION COMMAND... : the command must succeed
expect() {
	local what=$1; shift
	if ! "$@"; then
		echo "    FAILED: $what"
		return 1
	fi
}

grepq() { grep -q "$@"; }

# sorted_by_time TEXT: the HH:MM:SS.uuuuuu stamps of the event lines never go back
sorted_by_time() {
	grep -v '^#' <<< "$1" | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}' | sort -c
}

# wait_for_dump TAG -> prints the newest dump path whose name contains TAG
wait_for_dump() {
	local i p
	for i in $(seq 50); do
		p=$(ls -t "$DUMPS"/*/*"$1"*.flap 2>/dev/null | head -1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
	done
	return 1
}

# ---- tests --------------------------------------------------------------------

test_run_dump() {
	local out st
	f run --name e2e-run -- "$HELPERS/crasher" exit 0 e2e-run > "$WORK/out" 2>&1; st=$?
	expect "run exits with the command's status 0 (got $st)" [ "$st" = 0 ] || return 1
	out=$(f dump e2e-run) || { echo "    dump failed"; return 1; }
	expect "openat of the marker path with ENOENT" grepq 'openat(AT_FDCWD, "/flap/e2e-run".*ENOENT' <<< "$out" &&
	expect "write of the marker bytes" grepq 'write(.*"about to e2e-run"' <<< "$out" &&
	expect "execve of the command" grepq 'execve(".*crasher"' <<< "$out" &&
	expect "exit_group(0) = ?" grepq 'exit_group(0) *= ?' <<< "$out" &&
	expect "header counts" grepq 'events held' <<< "$out"
}

test_run_status() {
	local st
	f run -- sh -c 'exit 7'; st=$?
	expect "exit status 7 passed through (got $st)" [ "$st" = 7 ] || return 1
	f run -- sh -c 'kill -TERM $$'; st=$?
	expect "killed by SIGTERM gives 143 (got $st)" [ "$st" = 143 ]
}

test_add_pid() {
	local pid out
	"$HELPERS/workload" e2e-pid 0 50 > /dev/null &
	pid=$!
	cg=$(make_cgroup addpid)
	echo "$pid" > "$cg/cgroup.procs"
	f add --pid "$pid" --name e2e-pid > /dev/null || { kill $pid; echo "    add failed"; return 1; }
	sleep 0.5
	out=$(f dump e2e-pid)
	kill $pid; wait $pid 2>/dev/null
	expect "workload's openat seen" grepq '"/flap/e2e-pid-[0-9]*"' <<< "$out" &&
	expect "list shows it" grepq 'e2e-pid' <<< "$(f list)"
}

test_pod_merge() {
	local a b pa pb out
	a=$(make_cgroup poda); b=$(make_cgroup podb)
	f add --cgroup "$a" --pod shop --namespace prod --container web > /dev/null &&
	f add --cgroup "$b" --pod shop --namespace prod --container db > /dev/null ||
		{ echo "    add failed"; return 1; }
	sh -c "echo \$\$ > $a/cgroup.procs; exec $HELPERS/workload web 5 20" > /dev/null &
	pa=$!
	sh -c "echo \$\$ > $b/cgroup.procs; exec $HELPERS/workload db 5 20" > /dev/null &
	pb=$!
	wait $pa $pb
	out=$(f dump shop -n prod)
	expect "web container's calls" grepq '"/flap/web-4"' <<< "$out" &&
	expect "db container's calls" grepq '"/flap/db-4"' <<< "$out" &&
	expect "both containers named in the output" grepq 'web' <<< "$out" &&
	expect "merged by time" sorted_by_time "$out" &&
	expect "json lines parse" sh -c "'$FLAP' --socket '$SOCK' dump shop -n prod -o json | while read -r l; do printf '%s\n' \"\$l\" | grep -q '^{.*}\$' || exit 1; done"
	f remove shop -n prod > /dev/null
}

test_dump_after_exit() {
	local out
	f run --name e2e-gone -- "$HELPERS/workload" e2e-gone 3 10 > /dev/null || return 1
	sleep 1.5 # the sweep marks it exited
	expect "state exited" grepq 'e2e-gone.*exited' <<< "$(f list)" || return 1
	out=$(f dump e2e-gone)
	expect "history of an exited process" grepq '"/flap/e2e-gone-2"' <<< "$out"
}

test_save_show() {
	local a b
	f run --name e2e-save -- "$HELPERS/crasher" exit 0 e2e-save > /dev/null 2>&1
	f dump e2e-save --save "$WORK/saved.flap" 2> "$WORK/err" || { cat "$WORK/err"; return 1; }
	a=$(f dump e2e-save); b=$(f show "$WORK/saved.flap")
	# Later dumps only gain events: compare the event lines the file holds.
	expect "show prints the saved events" grepq '"/flap/e2e-save"' <<< "$b" &&
	expect "saved output equals dump output" diff <(grep -v '^#' <<< "$a") <(grep -v '^#' <<< "$b") &&
	expect "json show" grepq '"syscall"' <<< "$(f show "$WORK/saved.flap" -o json)"
}

test_bad_frames() {
	local r
	for mode in garbage oversized badmsg unknown half; do
		r=$("$HELPERS/sockpoke" "$SOCK" $mode)
		case $mode in
		half) expect "half frame: closed without answer ($r)" grepq 'closed' <<< "$r" || return 1 ;;
		*) expect "$mode: error reply ($r)" grepq 'reply' <<< "$r" || return 1 ;;
		esac
	done
	expect "daemon survives bad frames" f status > /dev/null
}

test_unknown_target() {
	local err st
	err=$(f dump no-such-pod 2>&1 > /dev/null); st=$?
	expect "exit 1 (got $st)" [ "$st" = 1 ] &&
	expect "names the target ($err)" grepq "no-such-pod" <<< "$err" &&
	expect "lists what exists" grepq 'recorded now' <<< "$err"
}

test_corrupt_dump() {
	local err st
	printf 'not a dump at all' > "$WORK/bad.flap"
	err=$(f show "$WORK/bad.flap" 2>&1); st=$?
	expect "garbage: exit 1 (got $st)" [ "$st" = 1 ] &&
	expect "garbage: one line ($err)" [ "$(wc -l <<< "$err")" = 1 ] || return 1
	f run --name e2e-corrupt -- true > /dev/null
	f dump e2e-corrupt --save "$WORK/good.flap" 2> /dev/null || return 1
	head -c $(($(stat -c %s "$WORK/good.flap") / 2)) "$WORK/good.flap" > "$WORK/half.flap"
	err=$(f show "$WORK/half.flap" 2>&1); st=$?
	expect "truncated: exit 1 (got $st)" [ "$st" = 1 ] &&
	expect "truncated: one line ($err)" [ "$(wc -l <<< "$err")" = 1 ]
}

test_no_daemon() {
	local err st
	err=$("$FLAP" --socket "$WORK/nothing.sock" status 2>&1); st=$?
	expect "exit 2 (got $st)" [ "$st" = 2 ] &&
	expect "message ($err)" grepq "flap-recorder daemon not running at $WORK/nothing.sock" <<< "$err"
}

test_non_root() {
	local err st
	command -v setpriv > /dev/null || { echo "    setpriv missing"; return 1; }
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$FLAP" --socket "$SOCK" status 2>&1); st=$?
	expect "refused (exit $st): $err" [ "$st" != 0 ] &&
	expect "says permission" grepq -i 'permission' <<< "$err" || return 1
	# Even with the socket opened up, the daemon checks peer credentials.
	chmod 0755 "$(dirname "$SOCK")"; chmod 0666 "$SOCK"
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$FLAP" --socket "$SOCK" list 2>&1); st=$?
	chmod 0700 "$(dirname "$SOCK")"; chmod 0600 "$SOCK"
	expect "peer check refuses uid 65534 (exit $st): $err" [ "$st" = 1 ] &&
	expect "peer check message" grepq 'permission denied' <<< "$err"
}

test_allow_group() {
	local sock=$WORK/grp/flap.sock out st pid mode
	"$FLAP" daemon --socket "$sock" --dump-dir "$WORK/grp-dumps" --allow-group nogroup \
		> "$WORK/grp.log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do "$FLAP" --socket "$sock" status > /dev/null 2>&1 && break; sleep 0.1; done
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$FLAP" --socket "$sock" status 2>&1); st=$?
	mode=$(stat -c '%a %U:%G' "$sock")
	kill -TERM $pid; wait $pid
	expect "a member of the allowed group is served (exit $st): $out" [ "$st" = 0 ] &&
	expect "socket is root:nogroup 0660 (got $mode)" [ "$mode" = "660 root:nogroup" ]
}

# check_crash TAG REASON_REGEX: a dump for TAG exists, says why, ends with the known calls
check_crash() {
	local p out
	p=$(wait_for_dump "$1") || { echo "    no dump file for $1"; ls -R "$DUMPS"; return 1; }
	out=$(f show "$p")
	expect "reason in header ($(grep -m1 -i 'reason' <<< "$out"))" grepq -E "$2" <<< "$out" &&
	expect "last calls: openat of /flap/$1" grepq "\"/flap/$1\"" <<< "$out" &&
	expect "last calls: write 'about to $1'" grepq "\"about to $1\"" <<< "$out" &&
	expect "getppid after the write" sh -c "grep -A3 'about to $1' | grep -q getppid" <<< "$out"
}

test_crash_segv() {
	local st
	f run --name c-segv -- "$HELPERS/crasher" segv c-segv > /dev/null 2>&1; st=$?
	expect "exit 139 (got $st)" [ "$st" = 139 ] && check_crash c-segv 'SIGSEGV'
}

test_crash_abort() {
	f run --name c-abrt -- "$HELPERS/crasher" abort c-abrt > /dev/null 2>&1
	check_crash c-abrt 'SIGABRT'
}

test_crash_exit3() {
	local st
	f run --name c-exit3 -- "$HELPERS/crasher" exit 3 c-exit3 > /dev/null 2>&1; st=$?
	expect "exit 3 (got $st)" [ "$st" = 3 ] && check_crash c-exit3 'exited with status 3'
}

test_clean_exit_no_dump() {
	f run --name c-clean -- "$HELPERS/crasher" exit 0 c-clean > /dev/null 2>&1
	sleep 0.5
	expect "no dump for a clean exit" [ -z "$(ls "$DUMPS"/*/*c-clean* 2>/dev/null)" ]
}

test_child_crash() {
	local st
	f run --name c-child -- "$HELPERS/crasher" child-segv c-child > /dev/null 2>&1; st=$?
	expect "main process exits 0 (got $st)" [ "$st" = 0 ] && check_crash c-child 'SIGSEGV'
}

test_crash_rate_limit() {
	local n
	f run --name c-loop -- sh -c "for i in 1 2 3 4 5 6 7 8; do $HELPERS/crasher segv c-loop; done" > /dev/null 2>&1
	sleep 0.5
	n=$(ls "$DUMPS"/*/*c-loop* 2>/dev/null | wc -l)
	expect "rate limit keeps 5 of 8 crash dumps (got $n)" [ "$n" = 5 ] &&
	# 9 crashes: 8 SIGSEGV, then the shell (the main process) exits 139.
	expect "skipped dumps reported" grepq '"crash_dumps_skipped":4' <<< "$(f list -o json)"
}

test_dumps_listed() {
	local out
	out=$(f dumps -o json)
	expect "dumps lists the segv crash" grepq 'c-segv' <<< "$out" &&
	expect "dumps says why" grepq 'SIGSEGV' <<< "$out"
}

test_daemon_twice() {
	local err st
	err=$("$FLAP" daemon --socket "$SOCK" --dump-dir "$DUMPS" 2>&1); st=$?
	expect "second daemon refused (exit $st)" [ "$st" != 0 ] &&
	expect "says already running ($err)" grepq 'already running' <<< "$err" &&
	expect "first daemon still serves" f status > /dev/null
}

test_socket_path_too_long() {
	local long err st
	long=$WORK/$(printf 'x%.0s' $(seq 120))/s.sock
	err=$("$FLAP" daemon --socket "$long" --dump-dir "$DUMPS" 2>&1); st=$?
	expect "refused (exit $st)" [ "$st" != 0 ] && expect "says why ($err)" grepq 'socket path' <<< "$err"
}

test_retention() {
	stop_daemon || return 1
	start_daemon --retain 1s || return 1
	f run --name e2e-retain -- true > /dev/null
	sleep 3.5
	expect "recorder freed after --retain" [ -z "$(f list | grep e2e-retain)" ] || return 1
	stop_daemon && start_daemon --retain 10m
}

test_restart_keeps_dumps() {
	stop_daemon || { echo "    daemon exit status not 0"; return 1; }
	expect "socket removed on shutdown" [ ! -e "$SOCK" ] || return 1
	: > "$DUMPS/c-segv/.partial.flap.tmp.XXXX"
	start_daemon || return 1
	expect "earlier dumps listed after restart" grepq 'c-segv' <<< "$(f dumps)" &&
	expect "temp leftovers cleaned" [ ! -e "$DUMPS/c-segv/.partial.flap.tmp.XXXX" ]
}

# ---- runner ---------------------------------------------------------------------

ALL="test_no_daemon test_socket_path_too_long test_run_dump test_run_status test_add_pid
test_pod_merge test_dump_after_exit test_save_show test_bad_frames test_unknown_target
test_corrupt_dump test_non_root test_allow_group test_daemon_twice test_crash_segv test_crash_abort
test_crash_exit3 test_clean_exit_no_dump test_child_crash test_crash_rate_limit test_dumps_listed
test_retention test_restart_keeps_dumps"

[ "$(id -u)" = 0 ] || { echo "e2e tests need root"; exit 1; }
start_daemon --retain 10m || exit 1
for t in ${*:-$ALL}; do
	t=${t#test_}; t=test_$t
	start=$(date +%s%N)
	if $t; then
		PASS=$((PASS + 1)); res=OK
	else
		FAIL=$((FAIL + 1)); res=FAIL; FAILED="$FAILED $t"
	fi
	printf '#%-28s %s (%d ms)\n' "${t#test_}" "$res" $((($(date +%s%N) - start) / 1000000))
done
stop_daemon || { echo "daemon did not exit cleanly"; FAIL=$((FAIL + 1)); }
if [ $FAIL -ne 0 ]; then
	echo "--- daemon log ---"; tail -40 "$WORK/daemon.log"
fi
echo "e2e summary: $PASS PASSED, $FAIL FAILED${FAILED:+ (}${FAILED# }${FAILED:+)}"
[ $FAIL -eq 0 ]
