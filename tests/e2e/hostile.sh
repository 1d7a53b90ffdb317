#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Nothing lost silently, nothing outside the dump directory touched
# (docs/security.md), with the real daemon and CLI:
#   symbolic links planted in the dump directory: a crash dump is not
#     written through one, the start-up clean-up and retention delete no
#     file outside and no file that is not the daemon's, a symlinked
#     --dump-dir is refused and its target's mode left alone;
#   two daemons on one --pin-dir or one --dump-dir: the second refuses with
#     one line and changes nothing;
#   `run` and signals: SIGTERM to run reaches the command, run exits 143 and
#     removes its cgroup; a process outliving the command: one line, and the
#     cgroup goes once it is empty;
#   `add --name X` for a name in use fails with EXISTS;
#   a dump's header never shows more events than it holds.
# A daemon that should refuse to start runs under `timeout 10`, so one
# that does not (a regression) fails the test instead of hanging it.
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/hostile.sh [TEST...]
# HELPERS must hold crasher. Needs root, cgroup2 and bpffs.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HELPERS=${HELPERS:?set HELPERS to the test helper directory}
WORK=$(mktemp -d /tmp/flap-hostile.XXXXXX)
SOCK=$WORK/run/flap.sock
DUMPS=$WORK/dumps
OUT=$WORK/outside
PIN=/sys/fs/bpf/flap-e2e-hostile-$$
CG_PREFIX=flap-e2e-hostile-$$
PIDS=
DAEMON_POLL=0.05
DAEMON_FAIL_TAIL=20

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2> /dev/null
	for p in $PIDS; do kill -KILL "$p" 2> /dev/null; done
	"$FLAP" --socket "$WORK/a/flap.sock" daemon --unpin --pin-dir "$PIN" > /dev/null 2>&1
	remove_cgroups
	rm -rf "$WORK"
}
trap cleanup EXIT

start_daemon() {
	daemon_start --socket "$SOCK" --dump-dir "$DUMPS" --retain 10m "$@"
}

# Each test starts the daemon it needs; the runner stops it.
after_test() { stop_daemon; }

# wait_for NAME...: a file matching the glob NAME exists (5 s at most)
wait_for() {
	for _ in $(seq 50); do
		compgen -G "$1" > /dev/null && return 0
		sleep 0.1
	done
	return 1
}

# crash NAME [POD]: a recorded command named NAME (in POD) that segfaults
crash() { f run --name "$1" ${2:+--pod "$2"} -- "$HELPERS/crasher" segv "$1" > /dev/null 2>&1; }

# ---- 3: symbolic links in the dump directory -----------------------------------

# A link where the next group directory goes: no dump is written through it.
test_symlink_group() {
	start_daemon || return 1
	mkdir -p "$OUT/g" && ln -s "$OUT/g" "$DUMPS/hs-group" || return 1
	crash hs-group
	for _ in $(seq 50); do grep -q 'hs-group.*symbolic link' "$WORK/daemon.log" && break; sleep 0.1; done
	expect "nothing written through the link ($(ls -A "$OUT/g"))" [ -z "$(ls -A "$OUT/g")" ] &&
	expect "the link is left as it was" [ -L "$DUMPS/hs-group" ] &&
	expect "one log line names it" [ "$(grep -c 'hs-group.*symbolic link' "$WORK/daemon.log")" = 1 ]
}

# The start-up clean-up removes our temp files only, never through a link.
test_symlink_temps() {
	mkdir -p "$DUMPS/hs-real" "$OUT/t" || return 1
	echo decoy > "$OUT/t/.decoy.flap.ABCDEF"
	echo target > "$OUT/t/precious"
	ln -s "$OUT/t" "$DUMPS/hs-temps"
	echo partial > "$DUMPS/hs-real/.x.flap.QWERTY"
	ln -s "$OUT/t/precious" "$DUMPS/hs-real/.y.flap.ZXCVBN"
	mkfifo "$DUMPS/hs-real/.z.flap.FIFOXX"
	start_daemon || return 1
	expect "the decoy behind a linked group stays" [ -f "$OUT/t/.decoy.flap.ABCDEF" ] &&
	expect "a link with a temp name is not followed" [ -f "$OUT/t/precious" ] &&
	expect "... and not deleted" [ -L "$DUMPS/hs-real/.y.flap.ZXCVBN" ] &&
	expect "a fifo with a temp name stays" [ -p "$DUMPS/hs-real/.z.flap.FIFOXX" ] &&
	expect "our own partial dump is removed" [ ! -e "$DUMPS/hs-real/.x.flap.QWERTY" ] &&
	expect "the linked group is logged once" \
		[ "$(grep -c 'hs-temps is a symbolic link' "$WORK/daemon.log")" = 1 ]
}

# Retention (--max-dumps 1) deletes our dumps only, nothing behind a link.
test_symlink_retention() {
	local n
	mkdir -p "$DUMPS/hs-ret" "$OUT/r" || return 1
	echo "keep me" > "$OUT/r/precious.flap"
	touch -d '2001-01-01' "$OUT/r/precious.flap"
	ln -s "$OUT/r" "$DUMPS/hs-link"
	echo "not a dump" > "$DUMPS/hs-ret/notes.flap"
	touch -d '2001-01-01' "$DUMPS/hs-ret/notes.flap"
	start_daemon --max-dumps 1 || return 1
	crash hs-ret1 hs-ret
	wait_for "$DUMPS/hs-ret/*SIGSEGV.flap" || { echo "    no first dump"; return 1; }
	crash hs-ret2 hs-ret
	for _ in $(seq 50); do grep -q 'retention: deleted' "$WORK/daemon.log" && break; sleep 0.1; done
	n=$(ls "$DUMPS"/hs-ret/*SIGSEGV.flap | wc -l)
	expect "the text file outside stays" [ -f "$OUT/r/precious.flap" ] &&
	expect "a .flap file that is no dump stays" [ -f "$DUMPS/hs-ret/notes.flap" ] &&
	expect "one dump of ours left ($n)" [ "$n" = 1 ] &&
	expect "retention deleted the older dump" grepq 'retention: deleted .*hs-ret/' "$WORK/daemon.log"
}

# A symbolic link as --dump-dir: refused in one line, its target's mode kept.
test_symlink_dump_dir() {
	local err st
	mkdir -p "$OUT/dd" && chmod 755 "$OUT/dd" && ln -s "$OUT/dd" "$WORK/dlink" || return 1
	err=$(timeout 10 "$FLAP" daemon --socket "$SOCK" --dump-dir "$WORK/dlink" 2>&1); st=$?
	expect "refused (exit $st)" [ "$st" != 0 ] &&
	expect "one line says why ($err)" [ "$(grep -c 'symbolic link' <<< "$err")" = 1 ] &&
	expect "the target keeps mode 755 ($(stat -c %a "$OUT/dd"))" [ "$(stat -c %a "$OUT/dd")" = 755 ]
}

# ---- 4: two daemons on one directory -------------------------------------------

# daemon B (its own socket and dump dir) on the pin directory of daemon A
test_two_daemons_pin_dir() {
	local cg err st before after
	mkdir -p "$WORK/a" "$WORK/b"
	SOCK=$WORK/a/flap.sock daemon_start --persist --pin-dir "$PIN" --socket "$WORK/a/flap.sock" \
		--dump-dir "$WORK/a/dumps" || return 1
	cg=$(make_cgroup pinned) || return 1
	SOCK=$WORK/a/flap.sock f add --cgroup "$cg" --name hs-pinned > /dev/null || return 1
	before=$(ls "$PIN")
	err=$(timeout 10 "$FLAP" daemon --persist --pin-dir "$PIN" --socket "$WORK/b/flap.sock" \
		--dump-dir "$WORK/b/dumps" 2>&1 < /dev/null); st=$?
	after=$(ls "$PIN")
	expect "second daemon refused (exit $st)" [ "$st" != 0 ] &&
	expect "in one line ($err)" [ "$(wc -l <<< "$err")" = 1 ] &&
	expect "naming the pin directory" grepq "pin directory $PIN" <<< "$err" &&
	expect "the pins are left" [ "$before" = "$after" ] &&
	expect "no state file or dump dir of its own" sh -c "[ ! -e $WORK/b/state.json ] && [ ! -e $WORK/b/dumps ]" &&
	expect "the first daemon still records" grepq hs-pinned <<< "$(SOCK=$WORK/a/flap.sock f list)" || return 1
	SOCK=$WORK/a/flap.sock f remove hs-pinned > /dev/null
}

# daemon B (its own socket) on the dump directory of daemon A
test_two_daemons_dump_dir() {
	local err st
	start_daemon || return 1
	mkdir -p "$DUMPS/hs-live"
	echo partial > "$DUMPS/hs-live/.a.flap.INFLYT"
	err=$(timeout 10 "$FLAP" daemon --socket "$WORK/b2/flap.sock" --dump-dir "$DUMPS" 2>&1 < /dev/null); st=$?
	expect "second daemon refused (exit $st)" [ "$st" != 0 ] &&
	expect "in one line ($err)" [ "$(wc -l <<< "$err")" = 1 ] &&
	expect "naming the dump directory" grepq "dump directory $DUMPS" <<< "$err" &&
	expect "the first daemon's temp file is left" [ -f "$DUMPS/hs-live/.a.flap.INFLYT" ]
}

# ---- 6: run and signals ------------------------------------------------------------

# child_of PID: the pid of PID's child once it runs sleep (5 s at most)
child_of() {
	local c
	for _ in $(seq 50); do
		c=$(pgrep -P "$1" -x sleep) && { echo "$c"; return 0; }
		sleep 0.1
	done
	return 1
}

test_run_sigterm() {
	local rpid cpid st cg
	start_daemon || return 1
	"$FLAP" --socket "$SOCK" run -- sleep 1000 > /dev/null 2>&1 &
	rpid=$!
	cpid=$(child_of "$rpid") || { echo "    the command did not start"; return 1; }
	cg=$(cgroup_root)/flap-recorder.run/sleep-$rpid
	expect "the command runs in its cgroup" [ -d "$cg" ] || return 1
	kill -TERM "$rpid"
	wait "$rpid"; st=$?
	expect "run exits 143 (got $st)" [ "$st" = 143 ] &&
	expect "the command got SIGTERM" sh -c "! kill -0 $cpid 2> /dev/null" &&
	expect "its cgroup is removed" [ ! -d "$cg" ]
}

test_run_outlived() {
	local st err cg bg
	start_daemon || return 1
	err=$(f run -- sh -c "sleep 1000 > /dev/null 2>&1 & echo \$! > $WORK/bg" 2>&1); st=$?
	bg=$(cat "$WORK/bg")
	PIDS="$PIDS $bg"
	cg=$(grep -o '/[^ ]*flap-recorder.run/[^ :]*' <<< "$err")
	expect "run exits 0 (got $st)" [ "$st" = 0 ] &&
	expect "one line says processes remain ($err)" [ "$(grep -c 'still run in' <<< "$err")" = 1 ] &&
	expect "the cgroup stays while they run ($cg)" sh -c "[ -n '$cg' ] && [ -d '$cg' ]" || return 1
	kill -KILL "$bg"
	for _ in $(seq 50); do [ -d "$cg" ] || break; sleep 0.1; done
	expect "the cgroup is removed once empty" [ ! -d "$cg" ]
}

# ---- 7: names and counts -------------------------------------------------------------

test_add_name_exists() {
	local cg1 cg2 err st
	start_daemon || return 1
	cg1=$(make_cgroup n1) && cg2=$(make_cgroup n2) || return 1
	f add --cgroup "$cg1" --name hs-dup > /dev/null || return 1
	err=$(f add --cgroup "$cg2" --name hs-dup 2>&1); st=$?
	expect "refused (exit $st)" [ "$st" != 0 ] &&
	expect "one line says it exists ($err)" [ "$(grep -c 'exists' <<< "$err")" = 1 ] &&
	expect "no renamed recorder" sh -c "! f list | grep -q 'hs-dup-'" 2> /dev/null &&
	expect "no second recorder" [ "$(f list | grep -c hs-dup)" = 1 ]
}

# A process blocked in a call (in the recorder's pending slot, in no block
# yet): the header never says more are shown than held. The shell enters its
# first call before recording starts, so no entry-exit pair evens it out.
test_held_shown() {
	local cg out held shown
	start_daemon || return 1
	cg=$(make_cgroup blocked) || return 1
	mkfifo "$WORK/fifo" || return 1
	sh -c "echo \$\$ > $cg/cgroup.procs; exec 3< $WORK/fifo; read x <&3; read y <&3" &
	PIDS="$PIDS $!"
	for _ in $(seq 50); do [ -n "$(cat "$cg/cgroup.procs")" ] && break; sleep 0.1; done
	f add --cgroup "$cg" --name hs-blocked > /dev/null || return 1
	exec 4> "$WORK/fifo"
	echo a >&4
	sleep 0.5
	out=$(f dump hs-blocked)
	exec 4>&-
	[ -n "${KEEPLOG:-}" ] && echo "$out" > /tmp/hs-blocked.txt
	held=$(sed -n 's/^# \([0-9]*\) events held.*/\1/p' <<< "$out")
	shown=$(sed -n 's/^# [0-9]* events held, \([0-9]*\) shown.*/\1/p' <<< "$out")
	expect "the second read is in the dump, unfinished" grepq 'read([0-9]*<[^>]*fifo>, <unfinished ...>' <<< "$out" &&
	expect "no more shown than held ($(grep 'events held' <<< "$out"))" \
		sh -c "[ -n '$held' ] && [ '${shown:-$held}' -le '$held' ]"
}

# ---- runner ------------------------------------------------------------------------

ALL="test_symlink_group test_symlink_temps test_symlink_retention test_symlink_dump_dir
test_two_daemons_pin_dir test_two_daemons_dump_dir test_run_sigterm test_run_outlived
test_add_name_exists test_held_shown"

require_root "hostile tests"
run_tests ${*:-$ALL}
summary hostile 40
