#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# End-to-end tests: a real daemon on a temporary socket and dump directory,
# the real CLI, real processes in real cgroups, real crashes.
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/run.sh [TEST...]
# Needs root. Prints one line per test and a summary; exits 1 if any failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HELPERS=${HELPERS:?set HELPERS to the test helper directory}
WORK=$(mktemp -d /tmp/flap-e2e.XXXXXX)
chmod 0755 "$WORK" # the --allow-group test connects as another user
SOCK=$WORK/run/flap.sock
DUMPS=$WORK/dumps
CG_PREFIX=flap-e2e-$$

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	remove_cgroups
	rm -rf "$WORK"
}
trap cleanup EXIT

# start_daemon ARGS: each daemon's log starts empty (tests read it whole)
start_daemon() {
	: > "$WORK/daemon.log"
	daemon_start --socket "$SOCK" --dump-dir "$DUMPS" "$@"
}

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
	expect "openat of the marker path with ENOENT" grepq 'openat(AT_FDCWD[^,]*, "/flap/e2e-run".*ENOENT' <<< "$out" &&
	expect "write of the marker bytes" grepq 'write(.*"about to e2e-run"' <<< "$out" &&
	expect "execve of the command" grepq 'execve(".*crasher"' <<< "$out" &&
	expect "exit_group(0) = ?" grepq 'exit_group(0) *= ?' <<< "$out" &&
	expect "header counts" grepq 'events held' <<< "$out"
}

test_run_status() {
	local st out
	f run -- sh -c 'exit 7'; st=$?
	expect "exit status 7 passed through (got $st)" [ "$st" = 7 ] || return 1
	f run -- sh -c 'kill -TERM $$'; st=$?
	expect "killed by SIGTERM gives 143 (got $st)" [ "$st" = 143 ] || return 1
	# status: what the daemon holds, and the syscalls no recorder could see
	out=$(f status)
	expect "status: recorders and ring memory" grep -q '^recorders: [0-9]*, ring memory: ' <<< "$out" &&
	expect "status: node-wide skipped syscalls" \
		grep -q "^syscalls skipped by the kernel's BPF recursion guard (node-wide): [0-9]*$" <<< "$out" &&
	expect "status -o json: node_skipped" [ "$(f status -o json | jq -r '.node_skipped | type')" = number ]
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

# refused_count UID: how often the daemon's peer check has refused UID so far
refused_count() { grep -c "refused a client (uid $1," "$WORK/daemon.log"; }

# as_user UID GID [SETPRIV ARGS...] -- CLI ARGS: the CLI as another user, no other groups
as_user() {
	local uid=$1 gid=$2; shift 2
	local extra=()
	while [ "$1" != "--" ]; do extra+=("$1"); shift; done
	shift
	setpriv --reuid="$uid" --regid="$gid" "${extra[@]:---clear-groups}" "$FLAP" "$@"
}

# Two locks: the socket's permissions (the kernel refuses the connect), and
# behind them the daemon's own SO_PEERCRED check (it refuses a peer that got
# through, here once the socket is opened up by hand).
test_non_root() {
	local err st before mode
	command -v setpriv > /dev/null || { echo "    setpriv missing"; return 1; }
	mode=$(stat -c '%a %U' "$(dirname "$SOCK")")/$(stat -c '%a %U' "$SOCK")
	expect "socket dir 0700 and socket 0600, both root's (got $mode)" [ "$mode" = "700 root/600 root" ] || return 1
	before=$(refused_count 65534)
	err=$(as_user 65534 65534 -- --socket "$SOCK" status 2>&1); st=$?
	expect "socket refuses uid 65534 (exit $st): $err" [ "$st" != 0 ] &&
	expect "the kernel refused the connect" grepq "permission denied on $SOCK" <<< "$err" &&
	expect "the daemon never saw it" [ "$(refused_count 65534)" = "$before" ] || return 1
	# Even with the socket opened up, the daemon checks peer credentials:
	# uid 65534, and uid 65534 in group root (only uid 0 counts).
	chmod 0755 "$(dirname "$SOCK")"; chmod 0666 "$SOCK"
	err=$(as_user 65534 65534 -- --socket "$SOCK" list 2>&1); st=$?
	local err0 st0
	err0=$(as_user 65534 0 --groups=0 -- --socket "$SOCK" dump e2e-run 2>&1); st0=$?
	chmod 0700 "$(dirname "$SOCK")"; chmod 0600 "$SOCK"
	expect "peer check refuses uid 65534 (exit $st): $err" [ "$st" = 1 ] &&
	expect "peer check message" grepq 'permission denied: uid 65534 may not use' <<< "$err" &&
	expect "group root is not root (exit $st0): $err0" [ "$st0" = 1 ] &&
	expect "group root refused by the daemon" grepq 'uid 65534 may not use' <<< "$err0" &&
	expect "the daemon logged both refusals" [ "$(refused_count 65534)" = $((before + 2)) ] &&
	expect "daemon still serves root" f status > /dev/null
}

# --allow-group: members are served whether the group is their primary or a
# supplementary one (SO_PEERGROUPS); others are refused by the socket's
# permissions and, behind them, by the daemon.
test_allow_group() {
	local sock=$WORK/grp/flap.sock out st pid mode dmode out2 st2 out3 st3 out4 st4
	"$FLAP" daemon --socket "$sock" --dump-dir "$WORK/grp-dumps" --allow-group nogroup \
		> "$WORK/grp.log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do "$FLAP" --socket "$sock" status > /dev/null 2>&1 && break; sleep 0.1; done
	out=$(as_user 65534 65534 -- --socket "$sock" status 2>&1); st=$?
	out2=$(as_user 1 1 --groups=65534 -- --socket "$sock" list 2>&1); st2=$?
	out3=$(as_user 1 1 -- --socket "$sock" status 2>&1); st3=$?
	mode=$(stat -c '%a %U:%G' "$sock"); dmode=$(stat -c '%a %U:%G' "$(dirname "$sock")")
	chmod 0777 "$(dirname "$sock")"; chmod 0666 "$sock"
	out4=$(as_user 1 1 -- --socket "$sock" status 2>&1); st4=$?
	kill -TERM $pid; wait $pid
	expect "a member (primary group) is served (exit $st): $out" [ "$st" = 0 ] &&
	expect "a member (supplementary group) is served (exit $st2): $out2" [ "$st2" = 0 ] &&
	expect "socket is root:nogroup 0660 (got $mode)" [ "$mode" = "660 root:nogroup" ] &&
	expect "socket dir is root:nogroup 0750 (got $dmode)" [ "$dmode" = "750 root:nogroup" ] &&
	expect "a non-member is refused by the socket (exit $st3): $out3" [ "$st3" != 0 ] &&
	expect "... by the kernel" grepq "permission denied on $sock" <<< "$out3" &&
	expect "a non-member is refused by the daemon (exit $st4): $out4" [ "$st4" = 1 ] &&
	expect "... by its peer check" grepq 'uid 1 may not use' <<< "$out4" &&
	expect "the daemon logged the refusal" grepq 'refused a client (uid 1,' "$WORK/grp.log"
}

# Names from outside end up in file names: a pod called ../../etc and a
# container called ../../../tmp/flap-evil-<pid> crash; the dump lands in one
# directory right under the dump directory, nowhere else.
test_pod_traversal() {
	local evil=flap-evil-$$ p out stray
	f run --pod ../../etc --container "../../../tmp/$evil" -- "$HELPERS/crasher" segv c-trav \
		> /dev/null 2>&1
	p=$(wait_for_dump "$evil") || { echo "    no dump for the ../../etc pod"; ls -R "$DUMPS"; return 1; }
	stray=$(find "$WORK" /tmp /etc -maxdepth 3 -name "*$evil*" -not -path "$DUMPS/*" 2>/dev/null)
	out=$(f show "$p")
	expect "dump in <dump-dir>/<one safe dir>/ ($p)" \
		grepq -E "^$DUMPS/[A-Za-z0-9_][A-Za-z0-9._-]*/[A-Za-z0-9_][A-Za-z0-9._-]*\.flap\$" <<< "$p" &&
	expect "dir ______etc ($p)" [ "$(basename "$(dirname "$p")")" = "______etc" ] &&
	expect "nothing written outside the dump dir ($stray)" [ -z "$stray" ] &&
	expect "the dump keeps the real names" grepq 'pod \.\./\.\./etc' <<< "$out" &&
	expect "dumps lists it" grepq "$evil" <<< "$(f dumps)" &&
	expect "the crash is in it" grepq '"/flap/c-trav"' <<< "$out"
}

# A process names itself (its comm): control bytes in it reach no log line
# and no terminal raw.
test_comm_escaped() {
	local dir=$WORK/bin name p out
	name=$(printf 'x\n\033[31mred')
	mkdir -p "$dir" && ln -sf "$HELPERS/crasher" "$dir/$name" || return 1
	f run --name c-comm -- "$dir/$name" segv c-comm > /dev/null 2>&1
	p=$(wait_for_dump c-comm) || { echo "    no dump"; return 1; }
	out=$(f show "$p" -v; f dumps; f show "$p" -o json)
	expect "no ESC in the daemon log" [ "$(grep -c $'\033' "$WORK/daemon.log")" = 0 ] &&
	expect "reason logged with ? ($(grep 'c-comm: SIGSEGV' "$WORK/daemon.log"))" \
		grepq 'c-comm: SIGSEGV (SEGV_MAPERR at NULL, ip 0x[0-9a-f]*) in pid [0-9]* (x??\[31mred)' "$WORK/daemon.log" &&
	expect "no ESC in show or dumps" [ "$(grep -c $'\033' <<< "$out")" = 0 ] &&
	expect "escaped in show" grepq 'x\\n\\33\[31mred' <<< "$out"
}

# --buffer-size 0 (the annotation flap-recorder.io/buffer-size: "0" in
# oci.sh): the contents of read/write buffers never enter the ring, so a
# dump holds the calls but not the data that went through them.
test_no_buffers() {
	local out
	f run --name e2e-nobuf --buffer-size 0 -- "$HELPERS/crasher" exit 0 e2e-nobuf > /dev/null 2>&1
	out=$(f dump e2e-nobuf) || { echo "    dump failed"; return 1; }
	expect "the write is there" grepq 'write([0-9][^,]*, 0x[0-9a-f]*, 18) = 18' <<< "$out" &&
	expect "its bytes are not" [ -z "$(grep 'about to e2e-nobuf' <<< "$out")" ] &&
	expect "nor in the JSON" [ -z "$(f dump e2e-nobuf -o json | grep 'about to')" ] &&
	expect "paths still are" grepq '"/flap/e2e-nobuf"' <<< "$out" &&
	expect "list says buffer size 0" grepq '"buffer_size":0' <<< "$(f list -o json)"
}

# --syscalls SET: the in-kernel filter. Dumps (on request, saved, on a
# crash) say which syscalls were recorded, so a missing call is not misread.
test_syscall_filter() {
	local out b j p line='^# recorded syscalls: trace=%file,write (in-kernel filter)$'
	f run --name e2e-filter --syscalls '%file,write' -- "$HELPERS/crasher" exit 0 e2e-filter \
		> /dev/null 2>&1
	out=$(f dump e2e-filter) || { echo "    dump failed"; return 1; }
	expect "dump header names the set" grepq "$line" <<< "$out" &&
	expect "openat recorded" grepq '"/flap/e2e-filter"' <<< "$out" &&
	expect "write recorded" grepq '"about to e2e-filter"' <<< "$out" &&
	expect "getppid not recorded" [ -z "$(grep -v '^#' <<< "$out" | grep 'getppid(')" ] || return 1
	f dump e2e-filter --save "$WORK/filter.flap" 2> "$WORK/err" || { cat "$WORK/err"; return 1; }
	b=$(f show "$WORK/filter.flap")
	j=$(f show "$WORK/filter.flap" -o json | head -1)
	expect "show of the saved dump names the set" grepq "$line" <<< "$b" &&
	expect "json header: syscall_filter" grepq '"syscall_filter":"%file,write"' <<< "$j" &&
	expect "no such line without a filter" [ -z "$(f dump e2e-run | grep 'recorded syscalls')" ] ||
		return 1
	f run --name c-filter --syscalls '%file,write' -- "$HELPERS/crasher" segv c-filter \
		> /dev/null 2>&1
	p=$(wait_for_dump c-filter) || { echo "    no crash dump"; return 1; }
	expect "crash dump names the set" grepq "$line" <<< "$(f show "$p")"
}

# DUR_LINE: the header line of a dump recorded without --exact-durations
DUR_LINE='^# durations: measured only for calls that spanned a kernel clock tick; shorter calls show none (record with --exact-durations for all)$'

# untimed TEXT: the event lines of a dump that returned without a duration
# <s.uuuuuu>. `run`'s first event is left out: the read of its go pipe,
# entered before the recorder existed, has no entry to measure from.
untimed() {
	grep -v '^#' <<< "$1" | grep -v '^[0-9:.]* \[pid [0-9]*\] read([0-9]*[^,]*, "g", 1) *= 1$' |
		grep -v '= ?' | grep -vE ' <[0-9]+\.[0-9]{6}>$'
}

# all_timed TEXT: every event line that returned has its duration
all_timed() {
	local u
	u=$(untimed "$1")
	[ -z "$u" ] || { echo "    without a duration:"; sed 's/^/      /' <<< "$u"; return 1; }
}

# some_untimed TEXT: at least one event line returned without a duration
some_untimed() { [ -n "$(untimed "$1")" ]; }

# --exact-durations: every returning call of the dump has its duration, the
# header has no durations line. Without it (the default), the quick calls
# have none and the header, the JSON, --summary, a saved dump and a crash
# dump say so.
test_exact_durations() {
	local out j p
	f run --name e2e-exact --exact-durations -- "$HELPERS/crasher" exit 0 e2e-exact \
		> /dev/null 2>&1
	out=$(f dump e2e-exact) || { echo "    dump failed"; return 1; }
	expect "exact: the marker calls are there" grepq '"about to e2e-exact"' <<< "$out" &&
	expect "exact: a duration on every returning call" all_timed "$out" &&
	expect "exact: no durations line" [ -z "$(grep '^# durations' <<< "$out")" ] &&
	expect "exact: json header true" \
		[ "$(f dump e2e-exact -o json | head -1 | jq -r .exact_durations)" = true ] &&
	expect "exact: no duration_short event" [ -z "$(f dump e2e-exact -o json | grep duration_short)" ] &&
	expect "exact: list says exact" grepq -E '^e2e-exact .* exact +all$' <<< "$(f list)" &&
	expect "exact: list -o json" [ "$(f list -o json |
		jq -r '.[] | select(.name == "e2e-exact") | .exact_durations')" = true ] || return 1

	f run --name e2e-tick -- "$HELPERS/crasher" exit 0 e2e-tick > /dev/null 2>&1
	out=$(f dump e2e-tick) || { echo "    dump failed"; return 1; }
	j=$(f dump e2e-tick -o json)
	expect "default: the header line" grepq "$DUR_LINE" <<< "$out" &&
	expect "default: quick calls without a duration" some_untimed "$out" &&
	expect "default: json header false" [ "$(head -1 <<< "$j" | jq -r .exact_durations)" = false ] &&
	expect "default: json duration_short" grepq '"duration_short":true' <<< "$j" &&
	expect "default: list says tick" grepq -E '^e2e-tick .* tick +all$' <<< "$(f list)" &&
	expect "default: --summary note" grepq '^# note: the time columns count only measured calls' \
		<<< "$(f dump e2e-tick --summary)" || return 1
	f dump e2e-tick --save "$WORK/tick.flap" 2> "$WORK/err" || { cat "$WORK/err"; return 1; }
	f dump e2e-exact --save "$WORK/exact.flap" 2> "$WORK/err" || { cat "$WORK/err"; return 1; }
	expect "saved: the header line" grepq "$DUR_LINE" <<< "$(f show "$WORK/tick.flap")" &&
	expect "saved exact: json header true" \
		[ "$(f show "$WORK/exact.flap" -o json | head -1 | jq -r .exact_durations)" = true ] ||
		return 1
	f run --name c-tick -- "$HELPERS/crasher" segv c-tick > /dev/null 2>&1
	p=$(wait_for_dump c-tick) || { echo "    no crash dump"; return 1; }
	expect "crash dump: the header line" grepq "$DUR_LINE" <<< "$(f show "$p")"
}

# daemon --exact-durations: the default of every recorder; add cannot turn it off.
test_daemon_exact_durations() {
	local out
	stop_daemon || return 1
	start_daemon --retain 10m --exact-durations || return 1
	f run --name e2e-dexact -- "$HELPERS/crasher" exit 0 e2e-dexact > /dev/null 2>&1
	out=$(f dump e2e-dexact)
	expect "a duration on every returning call" all_timed "$out" &&
	expect "no durations line" [ -z "$(grep '^# durations' <<< "$out")" ] &&
	expect "list says exact" grepq -E '^e2e-dexact .* exact +all$' <<< "$(f list)" || return 1
	stop_daemon && start_daemon --retain 10m
}

# pool_ready N: waits (60 s at most) until the pool has N recorders ready and none loading
pool_ready() {
	local i
	for i in $(seq 600); do
		[ "$(f status -o json | jq -c '[.pool.ready, .pool.loading]')" = "[$1,0]" ] && return 0
		sleep 0.1
	done
	return 1
}

# daemon --pool: registrations take recorders loaded ahead of time, which
# record their own cgroup only; the pool refills; status shows it; --pool 0
# loads one per registration and records the same.
test_pool() {
	local out
	stop_daemon || return 1
	start_daemon --retain 10m --pool 2 || return 1
	expect "the pool fills" pool_ready 2 || return 1
	f run --name e2e-pool-a -- "$HELPERS/crasher" exit 0 e2e-pool-a > /dev/null 2>&1
	f run --name e2e-pool-b -- "$HELPERS/crasher" exit 0 e2e-pool-b > /dev/null 2>&1
	expect "both taken from the pool" [ "$(f status -o json | jq .pool.taken)" = 2 ] || return 1
	out=$(f dump e2e-pool-a)
	expect "a: its own marker" grepq 'openat(AT_FDCWD[^,]*, "/flap/e2e-pool-a".*ENOENT' <<< "$out" &&
	expect "a: nothing of b" [ -z "$(grep e2e-pool-b <<< "$out")" ] || return 1
	out=$(f dump e2e-pool-b)
	expect "b: its own marker" grepq 'openat(AT_FDCWD[^,]*, "/flap/e2e-pool-b".*ENOENT' <<< "$out" &&
	expect "b: nothing of a" [ -z "$(grep e2e-pool-a <<< "$out")" ] || return 1
	expect "the pool refills" pool_ready 2 &&
	expect "status: the pool line" grepq -E '^pool: 2 of 2 ready, 0 loading \(2 registrations served' <<< "$(f status)" || return 1
	# Other options than the pool's: a recorder of its own, the pool untouched.
	f run --name e2e-pool-c --string-size 100 -- "$HELPERS/crasher" exit 0 e2e-pool-c > /dev/null 2>&1
	expect "other options: not from the pool" [ "$(f status -o json | jq -c '[.pool.taken, .pool.ready]')" = "[2,2]" ] &&
	expect "c recorded" grepq '"/flap/e2e-pool-c"' <<< "$(f dump e2e-pool-c)" || return 1
	stop_daemon || return 1
	start_daemon --retain 10m --pool 0 || return 1
	expect "status: pool off" grepq '^pool: off' <<< "$(f status)" &&
	expect "status -o json: size 0" [ "$(f status -o json | jq .pool.size)" = 0 ] || return 1
	f run --name e2e-pool-d -- "$HELPERS/crasher" exit 0 e2e-pool-d > /dev/null 2>&1
	expect "--pool 0: recorded" grepq '"/flap/e2e-pool-d"' <<< "$(f dump e2e-pool-d)" || return 1
	stop_daemon && start_daemon --retain 10m
}

# Dump dir 0700, a pod's dir 0700, dump files 0600, socket 0600 in a 0700
# dir: whatever the daemon's umask (here 000).
test_dump_perms() {
	local sock=$WORK/perm/run/flap.sock dumps=$WORK/perm/dumps pid p modes bad
	(umask 000; exec "$FLAP" daemon --socket "$sock" --dump-dir "$dumps" > "$WORK/perm.log" 2>&1) &
	pid=$!
	for _ in $(seq 50); do "$FLAP" --socket "$sock" status > /dev/null 2>&1 && break; sleep 0.1; done
	"$FLAP" --socket "$sock" run --name c-perm -- "$HELPERS/crasher" segv c-perm > /dev/null 2>&1
	for _ in $(seq 50); do p=$(ls "$dumps"/*/*c-perm*.flap 2>/dev/null | head -1); [ -n "$p" ] && break; sleep 0.1; done
	"$FLAP" --socket "$sock" dump c-perm --save "$WORK/perm/saved.flap" > /dev/null 2>&1
	modes="$(stat -c %a "$dumps") $(stat -c %a "$(dirname "$p")" 2>/dev/null) $(stat -c %a "$p" 2>/dev/null)"
	modes="$modes $(stat -c %a "$(dirname "$sock")") $(stat -c %a "$sock")"
	modes="$modes $(stat -c %a "$WORK/perm/saved.flap" 2>/dev/null)"
	kill -TERM $pid; wait $pid
	expect "dump dir, pod dir, dump, socket dir, socket, --save: 700 700 600 700 600 600 (got $modes)" \
		[ "$modes" = "700 700 600 700 600 600" ] || return 1
	# The main daemon's dumps, from all the crash tests.
	bad=$(find "$DUMPS" \( -type d -not -perm 0700 \) -o \( -type f -not -perm 0600 \) 2>/dev/null)
	expect "every dump dir 0700, every dump 0600 ($bad)" [ -z "$bad" ]
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
	expect "exit 139 (got $st)" [ "$st" = 139 ] &&
	check_crash c-segv 'reason: crash: SIGSEGV \(SEGV_MAPERR at NULL, ip 0x[0-9a-f]+\) in pid' &&
	expect "the signal line in the header" grepq -E \
		'^# signal: --- SIGSEGV \{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL\} --- taken by thread [0-9]+ \(crasher\) at ip 0x' \
		<<< "$(f show "$(ls "$DUMPS"/*/*c-segv*)")" &&
	expect "the signal in the history" grepq -F '] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---' \
		<<< "$(f show "$(ls "$DUMPS"/*/*c-segv*)")" &&
	expect "the faulting frame named" grepq -E '^#   #0 0x[0-9a-f]+ flapbar_leaf\+0x[0-9a-f]+ \(.*/crasher\)$' \
		<<< "$(f show "$(ls "$DUMPS"/*/*c-segv*)")" &&
	expect "its caller, from the CFI unwind" grepq -E '^#   #1 0x[0-9a-f]+ flapbar_mid\+0x[0-9a-f]+ \(.*/crasher\) \[cfi\]$' \
		<<< "$(f show "$(ls "$DUMPS"/*/*c-segv*)")" &&
	expect "show --symbols names them again" grepq -E '^#   #1 0x[0-9a-f]+ flapbar_mid\+' \
		<<< "$(f show --symbols "$HELPERS" "$(ls "$DUMPS"/*/*c-segv*)")" &&
	expect "the main process's end in the header" grepq -E '^# source c-segv: .*, main pid [0-9]+ \(killed by SIGSEGV' \
		<<< "$(f show "$(ls "$DUMPS"/*/*c-segv*)")" &&
	expect "show --symbols of no directory fails" sh -c "! '$FLAP' show --symbols /nonexistent '$(ls "$DUMPS"/*/*c-segv*)' 2>/dev/null"
}

# A handled signal in a shell and in Python: the delivery as strace prints
# it, the handler's return as one rt_sigreturn with the mask it restores.
check_handled() {
	local out
	out=$(f dump "$1") || { echo "    no dump of $1"; return 1; }
	expect "$1: the signal delivered" grepq -E \
		'\] --- SIGUSR1 \{si_signo=SIGUSR1, si_code=SI_USER, si_pid=[0-9]+, si_uid=[0-9]+\} ---$' <<< "$out" &&
	expect "$1: its handler returns" grepq -E '\] rt_sigreturn\(\{mask=\[[A-Z0-9 ]*\]\}\) += -?[0-9]' <<< "$out" &&
	expect "$1: no invented call" sh -c '! grep -q syscall_65535' <<< "$out" &&
	expect "$1: no lost sigreturn exit" sh -c '! grep -q "rt_sigreturn.*exit not recorded"' <<< "$out"
}

test_handled_signals() {
	f run --name sig-sh -- sh -c 'trap "echo usr1 >/dev/null" USR1; kill -USR1 $$; true' \
		> /dev/null 2>&1 || { echo "    the shell failed"; return 1; }
	check_handled sig-sh || return 1
	command -v python3 > /dev/null || { echo "    python3 missing"; return 1; }
	f run --name sig-py -- python3 -c 'import os, signal
signal.signal(signal.SIGUSR1, lambda s, f: None)
os.kill(os.getpid(), signal.SIGUSR1)' > /dev/null 2>&1 || { echo "    python failed"; return 1; }
	check_handled sig-py
}

test_crash_abort() {
	f run --name c-abrt -- "$HELPERS/crasher" abort c-abrt > /dev/null 2>&1
	check_crash c-abrt 'SIGABRT \(SI_TKILL from itself, ip 0x[0-9a-f]+\)'
}

# -O2 without frame pointers, six calls deep with a 256-byte buffer on the
# way: the dump names every caller up to main from the CFI unwind of the
# stack copy (main's caller in libc only when a frame of the kernel's walk
# placed libc: not asked).
test_crash_deep_nofp() {
	local p out
	f run --name c-deep -- "$HELPERS/crasher-nofp" deep c-deep > /dev/null 2>&1
	p=$(wait_for_dump c-deep) || { echo "    no dump file for c-deep"; return 1; }
	out=$(f show "$p")
	grep '^#   #' <<< "$out" | sed 's/^/    /'
	expect "the faulting frame" grepq -E '^#   #0 0x[0-9a-f]+ flapbar_leaf\+0x[0-9a-f]+ \(.*/crasher-nofp\)$' <<< "$out" &&
	expect "its callers in order, by CFI" grepq -z -P \
		'#1 [^\n]* flapbar_mid\+[^\n]*\[cfi\]\n#   #2 [^\n]* flapbar_deep1\+[^\n]*\[cfi\]\n#   #3 [^\n]* flapbar_deep2\+[^\n]*\[cfi\]\n#   #4 [^\n]* flapbar_deep3\+[^\n]*\[cfi\]\n#   #5 [^\n]* main\+[^\n]*\[cfi\]\n' \
		<<< "$out" &&
	expect "show --symbols unwinds it again" grepq -E '^#   #5 0x[0-9a-f]+ main\+0x[0-9a-f]+ .*\[cfi\]$' \
		<<< "$(f show --symbols "$HELPERS" "$p")" &&
	expect "JSON says how" grepq '"found_by":"cfi"' <<< "$(f show -o json "$p" | head -1)"
}

# `run -- ./app`: the history names the program relative to the working
# directory that registration read; the stack still names its file.
test_crash_relative_exe() {
	local p
	(cd "$HELPERS" && f run --name c-rel -- ./crasher-nofp deep c-rel > /dev/null 2>&1)
	p=$(wait_for_dump c-rel) || { echo "    no dump file for c-rel"; return 1; }
	expect "the faulting frame named by the file run was given" \
		grepq -E "^#   #0 0x[0-9a-f]+ flapbar_leaf\+0x[0-9a-f]+ \($HELPERS/crasher-nofp\)\$" <<< "$(f show "$p")" &&
	expect "main reached by CFI" grepq -E '^#   #5 0x[0-9a-f]+ main\+0x[0-9a-f]+ .*\[cfi\]$' <<< "$(f show "$p")"
}

test_crash_exit3() {
	local st
	f run --name c-exit3 -- "$HELPERS/crasher" exit 3 c-exit3 > /dev/null 2>&1; st=$?
	expect "exit 3 (got $st)" [ "$st" = 3 ] && check_crash c-exit3 'exited with status 3' &&
	expect "the main process's end in the header" grepq -E '^# source c-exit3: .*, main pid [0-9]+ \(exited with 3\)$' \
		<<< "$(f show "$(ls "$DUMPS"/*/*c-exit3*)")" &&
	expect "and in a dump made after it" grepq -E ', main pid [0-9]+ \(exited with 3\)$' <<< "$(f dump c-exit3)" &&
	expect "and in JSON" grepq '"main_exit":{"code":3}' <<< "$(f dump c-exit3 -o json | head -1)"
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
test_crash_deep_nofp test_crash_relative_exe test_handled_signals
test_crash_exit3 test_clean_exit_no_dump test_child_crash test_crash_rate_limit test_dumps_listed
test_pod_traversal test_comm_escaped test_no_buffers test_syscall_filter test_exact_durations
test_dump_perms test_daemon_exact_durations test_pool test_retention test_restart_keeps_dumps"

require_root "e2e tests"
start_daemon --retain 10m || exit 1
run_tests ${*:-$ALL}
stop_daemon || { echo "daemon did not exit cleanly"; FAIL=$((FAIL + 1)); }
summary e2e 40
