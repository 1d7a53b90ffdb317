#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Nothing lost silently (issue 15): the real daemon and CLI where a crash
# dump or its history could go missing.
#
# test_exit_ring_overflow: the daemon stopped (SIGSTOP), 30,000 processes
# of recorder b1 exit (more than the lifecycle ring buffer holds), then one
# of b2 dies of SIGSEGV; after SIGCONT the crash is dumped with its history,
# and the lost exits are counted in status, list and the dump header.
#
# test_dump_dir_full: the dump directory is a full tmpfs: the crash dump
# fails (ENOSPC), is counted in status, list and dumps and kept; once space
# is back the retry writes it, with the history of the crash.
#
# test_fds_held_by_clients: 200 clients hold connections to a daemon whose
# fd limit leaves room for 100 of them: over --max-clients they are closed
# at once (counted), and a crash dump is still written.
#
# test_idle_client_closed: a client that sends one byte and nothing more is
# closed after --client-timeout, and counted.
#
# test_history_lost_at_restart: a --persist daemon restarted with a pin of
# its recorder removed cannot adopt it and records it afresh: its dumps say
# the earlier history was lost at a restart.
#
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/losses.sh [TEST...]
# HELPERS must hold crasher, exits and workload. Needs root, perl, tmpfs and bpffs.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HELPERS=${HELPERS:?set HELPERS to the test helper directory}
WORK=$(mktemp -d /tmp/flap-losses.XXXXXX)
SOCK=$WORK/run/flap.sock
DUMPS=$WORK/dumps
PIN=/sys/fs/bpf/flap-e2e-losses-$$
CG_PREFIX=flap-e2e-losses-$$
PIDS=
DAEMON_POLL=0.05
DAEMON_FAIL_TAIL=20
TEST_NAME_WIDTH=30

cleanup() {
	[ -n "$DPID" ] && { kill -CONT "$DPID"; kill -KILL "$DPID"; } 2> /dev/null
	for p in $PIDS; do kill -KILL "$p" 2> /dev/null; done
	wait 2> /dev/null
	"$FLAP" --socket "$SOCK" daemon --unpin --pin-dir "$PIN" > /dev/null 2>&1
	remove_cgroups
	mountpoint -q "$WORK/small" && umount "$WORK/small"
	rm -rf "$WORK"
}
trap cleanup EXIT

start_daemon() {
	echo "--- start $*" >> "$WORK/daemon.log"
	daemon_start --socket "$SOCK" --dump-dir "$DUMPS" --retain 10m "$@"
}

after_test() {
	[ -n "$DPID" ] && kill -CONT "$DPID" 2> /dev/null
	for p in $PIDS; do kill -KILL "$p" 2> /dev/null; done
	PIDS=
	stop_daemon
	"$FLAP" --socket "$SOCK" daemon --unpin --pin-dir "$PIN" > /dev/null 2>&1
	remove_cgroups
}

# jfield JSON KEY: the number KEY has in the JSON object JSON
jfield() { sed -n "s/.*\"$2\":[ ]*\([0-9]*\).*/\1/p" <<< "$1" | head -1; }

# in_cgroup CGROUP CMD...: CMD in CGROUP, in the foreground (its crash not reported)
in_cgroup() {
	local cg=$1; shift
	(sh -c "echo \$\$ > $cg/cgroup.procs; exec \"\$@\"" sh "$@" > /dev/null 2>&1) 2> /dev/null
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds
wait_for() {
	local n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

dump_of() { ls "$DUMPS/$1"/*SIGSEGV*.flap 2> /dev/null | head -1; }
has_dump() { [ -n "$(dump_of "$1")" ]; }

test_exit_ring_overflow() {
	local b1 b2 p hdr st ls
	start_daemon || return 1
	b1=$(make_cgroup b1)
	b2=$(make_cgroup b2)
	f add --cgroup "$b1" --name b1 > /dev/null && f add --cgroup "$b2" --name b2 > /dev/null ||
		return 1
	kill -STOP "$DPID"
	# 30,000 clean exits: the 1 MiB ring holds some 18,000.
	in_cgroup "$b1" "$HELPERS/exits" 30000
	in_cgroup "$b2" "$HELPERS/crasher" segv overflow-b2
	kill -CONT "$DPID"
	wait_for 30 has_dump b2
	p=$(dump_of b2)
	expect "the crash of b2 is dumped" [ -n "$p" ] || return 1
	hdr=$(f show "$p")
	expect "its history holds the crash's last calls" grepq '"/flap/overflow-b2"' <<< "$hdr" &&
	expect "its reason is the SIGSEGV" grepq '^# reason: crash: SIGSEGV' <<< "$hdr" &&
	expect "its header counts the lost exit" grepq '^# warning: 1 process exits were lost' <<< "$hdr" ||
		{ head -20 <<< "$hdr" | sed 's/^/    /'; return 1; }
	st=$(f status -o json)
	ls=$(f list -o json)
	expect "status counts the lost exits ($(jfield "$st" exits_lost))" [ "$(jfield "$st" exits_lost)" -gt 1000 ] &&
	expect "list counts b2's lost exit" grepq '"name":"b2".*"exits_lost":1[,}]' <<< "$ls" &&
	expect "list counts b1's lost exits" grepq '"name":"b1".*"exits_lost":[1-9][0-9]' <<< "$ls" &&
	expect "the daemon logged the loss" grepq 'b2: 1 process exits lost by the lifecycle ring buffer' "$WORK/daemon.log"
}

test_dump_dir_full() {
	local cg p st ls
	mkdir -p "$WORK/small"
	mount -t tmpfs -o size=1m flap-e2e-small "$WORK/small" || return 1
	dd if=/dev/zero of="$WORK/small/filler" bs=4k 2> /dev/null
	DUMPS=$WORK/small start_daemon || return 1
	cg=$(make_cgroup full)
	f add --cgroup "$cg" --name full > /dev/null || return 1
	in_cgroup "$cg" "$HELPERS/crasher" segv full-1
	wait_for 20 grepq 'full: .*cannot write the crash dump: No space left on device' "$WORK/daemon.log"
	expect "the failure is logged" grepq 'cannot write the crash dump: No space left on device; kept in memory' "$WORK/daemon.log" ||
		return 1
	st=$(f status -o json)
	ls=$(f list -o json)
	expect "status counts the failure" [ "$(jfield "$st" dumps_failed)" -ge 1 ] &&
	expect "status says one dump waits" [ "$(jfield "$st" dumps_pending)" = 1 ] &&
	expect "list counts it for the recorder" [ "$(jfield "$ls" crash_dumps_failed)" -ge 1 ] &&
	expect "dumps says so" grepq 'crash dump attempts failed' <<< "$(f dumps 2>&1)" || return 1
	rm -f "$WORK/small/filler"
	wait_for 60 eval '[ -n "$(ls "$WORK"/small/full/*SIGSEGV*.flap 2> /dev/null)" ]'
	p=$(ls "$WORK"/small/full/*SIGSEGV*.flap 2> /dev/null | head -1)
	expect "the retry wrote the dump once space was back" [ -n "$p" ] &&
	expect "with the crash's history" grepq '"/flap/full-1"' <<< "$(f show "$p")" || return 1
	st=$(f status -o json)
	expect "nothing waits any more" [ "$(jfield "$st" dumps_pending)" = 0 ] &&
	expect "one dump written" [ "$(jfield "$st" dumps_written)" = 1 ] &&
	expect "list counts it written" [ "$(jfield "$(f list -o json)" crash_dumps)" = 1 ]
}

# hold_clients N: N connections that each send one byte and stay (pid in $!)
# until killed; "$WORK/held" says how many connected
hold_clients() {
	perl -MIO::Socket::UNIX -e '
		my ($path, $n, $out) = @ARGV; my @s;
		$SIG{PIPE} = "IGNORE"; # the daemon closes some at once
		for (1..$n) { my $c = IO::Socket::UNIX->new(Peer => $path) or next;
			syswrite $c, "\x0a"; push @s, $c; }
		open my $fh, ">", $out; print $fh scalar(@s), "\n"; close $fh;
		sleep 3600;' "$SOCK" "$1" "$WORK/held" &
	PIDS="$PIDS $!"
	disown $!
}

# fds_settled: the daemon's fd count is what it was at the last call (in $WORK/nfds)
fds_settled() {
	local now prev
	now=$(ls "/proc/$DPID/fd" | wc -l)
	prev=$(cat "$WORK/nfds" 2> /dev/null)
	echo "$now" > "$WORK/nfds"
	sleep 0.4
	[ "$now" = "$prev" ]
}

test_fds_held_by_clients() {
	local cg n st
	start_daemon --client-timeout 1h || return 1
	cg=$(make_cgroup fds)
	f add --cgroup "$cg" --name fds > /dev/null || return 1
	# Room for what the daemon holds now and 100 more fds: fewer than the clients.
	n=$(ls "/proc/$DPID/fd" | wc -l)
	prlimit --pid "$DPID" --nofile=$((n + 100)):$((n + 100)) || return 1
	rm -f "$WORK/held"
	hold_clients 200
	wait_for 30 [ -s "$WORK/held" ]
	# The daemon has taken every connection it will (or every fd it may).
	rm -f "$WORK/nfds"
	wait_for 30 fds_settled
	echo "    daemon fds: $n before the clients, $(cat "$WORK/nfds") with them (limit $((n + 100)))"
	in_cgroup "$cg" "$HELPERS/crasher" segv fds-1
	wait_for 20 has_dump fds
	expect "the crash is dumped while 200 clients connect" has_dump fds &&
	expect "with its history" grepq '"/flap/fds-1"' <<< "$(f show "$(dump_of fds)")" &&
	expect "connections over the cap are closed and logged" grepq 'closed a client connection: over --max-clients (64)' "$WORK/daemon.log" ||
		return 1
	kill -KILL $PIDS 2> /dev/null
	PIDS=
	wait_for 20 eval 'f status -o json > "$WORK/st" 2> /dev/null'
	st=$(cat "$WORK/st")
	expect "status counts the refused connections" [ "$(jfield "$st" clients_refused)" -ge 100 ] &&
	expect "status says the cap" [ "$(jfield "$st" max_clients)" = 64 ]
}

test_idle_client_closed() {
	local out
	start_daemon --client-timeout 1s || return 1
	# One byte of a request, then nothing: the daemon must hang up (EOF).
	out=$(timeout 60 perl -MIO::Socket::UNIX -e '
		my $c = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!";
		syswrite $c, "\x0a"; my $n = sysread $c, my $buf, 1;
		print defined $n && $n == 0 ? "closed\n" : "read $n\n";' "$SOCK")
	expect "an idle client is closed ($out)" [ "$out" = closed ] &&
	expect "and counted" [ "$(jfield "$(f status -o json)" clients_timed_out)" -ge 1 ] &&
	expect "and logged" grepq 'closed a client connection: no whole request' "$WORK/daemon.log"
}

test_history_lost_at_restart() {
	local cg hdr
	start_daemon --persist --pin-dir "$PIN" || return 1
	cg=$(make_cgroup reset)
	sh -c "echo \$\$ > $cg/cgroup.procs; exec $HELPERS/workload reset 0 5" > /dev/null &
	PIDS="$PIDS $!"
	disown $!
	f add --cgroup "$cg" --name reset --ring-pages 16 > /dev/null || return 1
	sleep 1
	stop_daemon
	# A pin of its recorder gone: the next daemon cannot adopt it.
	rm -f "$PIN"/0/stats
	start_daemon --persist --pin-dir "$PIN" || return 1
	expect "the adoption failed" grepq 'cannot adopt slot 0' "$WORK/daemon.log" &&
	expect "it was recorded afresh" grepq 'reset: recording again with new programs' "$WORK/daemon.log" ||
		return 1
	sleep 1
	hdr=$(f dump reset 2>&1 | grep '^#')
	expect "the header says the history was lost at a restart" \
		grepq '^# history starts at .*: earlier history lost at a daemon restart at .*(how many events: not known), since then' <<< "$hdr" &&
	expect "it does not say the history is complete" eval '! grepq "history complete" <<< "$hdr"' &&
	expect "list says so" grepq '"name":"reset".*"history_reset_ns":[1-9]' <<< "$(f list -o json)" ||
		{ sed 's/^/    /' <<< "$hdr"; return 1; }
}

ALL="test_exit_ring_overflow test_dump_dir_full test_fds_held_by_clients test_idle_client_closed
test_history_lost_at_restart"

require_root "loss tests"
run_tests ${*:-$ALL}
summary losses 40
