#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# End-to-end test of the decoded output against strace: a fixed workload
# (tests/helpers/decode_workload.c) runs once under `strace -f -y -qq` and
# once under `flap-recorder run` through a real daemon; every line of the
# workload (from its first execve to its exit, both processes) must decode
# the same way, `dump --summary` must count what `strace -c` counts,
# `dump --files` must add up to the bytes the workload wrote and read, and
# `-e trace=%class` must select what strace's classes select.
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/decode.sh [TEST...]
# Needs root and strace. Prints one line per test and a summary; exits 1 if
# any failed.
#
# The comparison normalises what differs between two runs of the same
# program: pids (P1, P2 in order of appearance), addresses (0x with six or
# more hex digits), socket and pipe inode numbers, the ephemeral port of
# the accepted TCP connection, and the column of " = ". Besides that, these
# differences are deliberate and normalised too (docs/output.md lists them):
#   4. accept's address length: strace prints [before => after], and so
#      does the recorder, but [after] alone for a call whose entry it did
#      not see (docs/output.md); that case is normalised.
#   5. The child's return from clone/fork ("clone(...) = 0" in the child):
#      recorded (its sys_exit runs in the child), not shown by strace.
#   6. Signals (--- SIGCHLD ... ---) and process ends (+++ exited with 7
#      +++): under ptrace the kernel delivers even the signals a process
#      ignores (this workload's SIGCHLD), so strace shows them; the recorder
#      shows the signals a process takes (tests/kernel/test_signals.c checks
#      their lines). Both sides' signal lines are left out here.
#   7. A call that blocks while another process runs: strace splits it into
#      <unfinished ...> and <... resumed>; the recorder prints one line at
#      its entry time. The test joins strace's two halves.
# For --summary: `flap-recorder run`'s child makes two calls in the traced
# cgroup before it execs the command (the read of its go byte, the close of
# the pipe), so read and close count one more than under strace; strace -c
# counts system time, the recorder wall time (strace -c -w): times differ.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HELPERS=${HELPERS:?set HELPERS to the test helper directory}
WORKLOAD=$HELPERS/decode_workload
WORK=$(mktemp -d /tmp/flap-decode.XXXXXX)
SOCK=$WORK/run/flap.sock
DATA=$WORK/data
PORT=$((20000 + RANDOM % 30000))

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

start_daemon() { daemon_start --socket "$SOCK" --dump-dir "$WORK/dumps"; }

# fresh_data: the workload's directory, empty (the same path for every run)
fresh_data() {
	rm -rf "$DATA" && mkdir -p "$DATA"
}

# normalise strace|flap FILE: one line per call, "Pn call = ret", from each
# process's first execve (the main one) or first line (its child) on.
normalise() {
	perl -e '
use strict;
use warnings;
my ($kind, $file) = @ARGV;
my (%pending, @order, %seen, %lines, %pidmap, %started);
open(my $fh, "<", $file) or die "$file: $!";
while (my $l = <$fh>) {
	chomp $l;
	my ($pid, $text);
	if ($kind eq "strace") {
		next unless $l =~ /^(\d+) +(.*)$/;
		($pid, $text) = ($1, $2);
		next if $text =~ /^(---|\+\+\+) /;
		if ($text =~ /^(.*) <unfinished \.\.\.>$/) {
			$pending{$pid} = $1;
			next;
		}
		if ($text =~ /^<\.\.\. \S+ resumed>(.*)$/) {
			$text = ($pending{$pid} // "") . $1;
			delete $pending{$pid};
		}
	} else {
		next unless $l =~ /^\S+ \[pid (\d+)\] (.*?)(?: <\d+\.\d+>)?$/;
		($pid, $text) = ($1, $2);
		# 6: signals
		next if $text =~ /^--- /;
		# 5: the child side of a fork
		next if $text =~ /^(clone|clone3|fork|vfork)\(.*\) += 0$/;
	}
	if (!$seen{$pid}++) {
		push @order, $pid;
	}
	# The main process from its first execve: before it, flap-recorder run.
	$started{$pid} = 1 if $text =~ /^execve\(/ || $order[0] != $pid;
	next unless $started{$pid};
	push @{$lines{$pid}}, $text;
}
my $n = 0;
$pidmap{$_} = "P" . ++$n for @order;
for my $pid (@order) {
	for my $t (@{$lines{$pid} // []}) {
		$t =~ s/<(socket|pipe):\[\d+\]>/<$1:[INO]>/g;               # inode numbers
		$t =~ s/\[\d+ => (\d+)\]/[$1]/g;                             # 4
		$t =~ s/sin_port=htons\(\d+\)/sin_port=htons(EPHEMERAL)/ if $t =~ /^accept4?\(/;
		for my $p (@order) {
			$t =~ s/\b$p\b/$pidmap{$p}/g;
		}
		$t =~ s/0x[0-9a-f]{6,}/0xADDR/g;
		$t =~ s/\) +=/) =/;
		$t =~ s/ +$//;
		print "$pidmap{$pid} $t\n";
	}
}
' "$1" "$2"
}

# The two runs, once for all tests.
record_both() {
	fresh_data
	(cd "$WORK" && strace -f -y -qq -s 256 -o "$WORK/strace.out" "$WORKLOAD" "$DATA" "$PORT") ||
		{ echo "    strace run failed"; return 1; }
	fresh_data
	(cd "$WORK" && strace -c -f -o "$WORK/count.out" "$WORKLOAD" "$DATA" "$PORT") ||
		{ echo "    strace -c run failed"; return 1; }
	fresh_data
	(cd "$WORK" && f run --name decode --string-size 256 --buffer-size 256 -- \
		"$WORKLOAD" "$DATA" "$PORT") || { echo "    flap-recorder run failed"; return 1; }
	f dump decode > "$WORK/flap.out" || { echo "    dump failed"; return 1; }
}

# ---- tests --------------------------------------------------------------------

test_lines() {
	local n
	normalise strace "$WORK/strace.out" > "$WORK/strace.norm"
	normalise flap "$WORK/flap.out" > "$WORK/flap.norm"
	n=$(wc -l < "$WORK/strace.norm")
	expect "strace saw the workload ($n lines)" [ "$n" -gt 150 ] || return 1
	expect "both processes" grepq '^P2 getppid() = P1$' "$WORK/flap.norm" || return 1
	if ! diff -u "$WORK/strace.norm" "$WORK/flap.norm" > "$WORK/lines.diff"; then
		echo "    FAILED: decoded lines differ from strace's (strace -, flap-recorder +):"
		head -60 "$WORK/lines.diff" | sed 's/^/    /'
		return 1
	fi
}

# A few lines in full, so that a normalisation can not hide everything.
test_known_lines() {
	local out=$WORK/flap.out d=$DATA
	expect "openat flags, mode, fd name" grepq \
		"openat(AT_FDCWD<$WORK>, \"$d/data\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0640) = 3<$d/data>" "$out" &&
	expect "writev iovecs" grepq \
		"writev(3<$d/data>, \[{iov_base=\"abc\", iov_len=3}, {iov_base=\"defgh\\\\n\", iov_len=6}\], 2) = 9" "$out" &&
	expect "fcntl F_GETFL return" grepq \
		'F_GETFL) = 0x8402 (flags O_RDWR|O_APPEND|O_LARGEFILE)' "$out" &&
	expect "ioctl TCGETS ENOTTY" grepq 'ioctl(3<.*>, TCGETS, 0x[0-9a-f]*) = -1 ENOTTY' "$out" &&
	expect "fstat struct" grepq 'fstat(3<.*>, {st_mode=S_IFREG|0640, st_size=102, ...}) = 0' "$out" &&
	expect "mmap prot and flags" grepq \
		'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)' "$out" &&
	expect "unix sockaddr" grepq "{sa_family=AF_UNIX, sun_path=\"$d/sock\"}" "$out" &&
	expect "inet sockaddr" grepq \
		"{sa_family=AF_INET, sin_port=htons($PORT), sin_addr=inet_addr(\"127.0.0.1\")}" "$out" &&
	expect "sigaction" grepq 'rt_sigaction(SIGUSR1, {sa_handler=0x[0-9a-f]*, sa_mask=\[USR2\], sa_flags=SA_RESTORER|SA_RESTART' "$out" &&
	expect "clone flags" grepq 'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD' "$out" &&
	expect "wait status" grepq '\[{WIFEXITED(s) && WEXITSTATUS(s) == 7}\], 0, NULL)' "$out" &&
	expect "execve argv" grepq \
		"execve(\"/proc/self/exe\", \[\"$WORKLOAD\", \"stage2\", \"a b\", \"tab\\\\there\"\], 0x[0-9a-f]* /\\* [0-9]* vars \\*/) = 0" "$out"
}

# --summary counts what strace -c counts: calls and errors per syscall.
test_summary() {
	local want got
	want=$(awk '$NF != "syscall" && $NF != "total" && $1 !~ /^-/ {
		e = NF == 6 ? $5 : 0
		if ($NF == "read" || $NF == "close") $4++   # flap-recorder run: see above
		print $NF, $4, e }' "$WORK/count.out" | sort)
	# The "# note: ..." line (no --exact-durations) is not a row.
	got=$(f dump decode --summary | awk '$NF != "syscall" && $NF != "total" && $1 !~ /^[-#]/ {
		print $NF, $4, (NF == 6 ? $5 : 0) }' | sort)
	if [ "$want" != "$got" ]; then
		echo "    FAILED: --summary differs from strace -c (name calls errors; strace -, flap-recorder +):"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /' | head -30
		return 1
	fi
	expect "total line" grepq '^100.00 .* total$' <(f dump decode --summary) &&
	expect "strace -c columns" grepq '^% time     seconds  usecs/call     calls    errors syscall$' \
		<(f dump decode --summary)
}

# --files: the bytes the workload wrote (17) and read (104) on DATA/data, the
# same totals strace's trace adds up to, and the failed opens with errno.
test_files() {
	local files line st_rd st_wr
	files=$(f dump decode --files)
	line=$(grep " \"$DATA/data\"\$" <<< "$files")
	expect "a line for $DATA/data" [ -n "$line" ] || { echo "$files"; return 1; }
	read -r opens failed rd wr _ <<< "$line"
	st_rd=$(awk -v p="<$DATA/data>" 'index($0, p) && $2 ~ /^(read|pread64|readv)\(/ {
		sub(/.*= /, ""); s += $1 } END { print s + 0 }' "$WORK/strace.out")
	st_wr=$(awk -v p="<$DATA/data>" 'index($0, p) && $2 ~ /^(write|pwrite64|writev)\(/ {
		sub(/.*= /, ""); s += $1 } END { print s + 0 }' "$WORK/strace.out")
	expect "opens 4 (got $opens)" [ "$opens" = 4 ] &&
	expect "no failed open (got $failed)" [ "$failed" = 0 ] &&
	expect "read 104 bytes = strace's $st_rd (got $rd)" [ "$rd" = 104 ] && [ "$st_rd" = 104 ] &&
	expect "wrote 17 bytes = strace's $st_wr (got $wr)" [ "$wr" = 17 ] && [ "$st_wr" = 17 ] &&
	expect "failed open with errno" grepq '"/flap-decode/begin" (ENOENT)$' <<< "$files" &&
	expect "json" sh -c "'$FLAP' --socket '$SOCK' dump decode --files -o json | jq -e '.files[] | select(.bytes_written == 17)' > /dev/null"
}

# -e trace=%class selects the syscalls strace's class selects (and !SET negates).
# The recorded history starts before the workload's first execve (run's
# child): the lines from its time on are the workload's.
test_classes() {
	local cls want got t0
	t0=$(grep -m1 '\] execve(' "$WORK/flap.out" | cut -d' ' -f1)
	for cls in %file %desc %net %network %process %memory %signal %ipc %creds %clock \
		'!%file' 'open,close,dup2'; do
		fresh_data
		(cd "$WORK" && strace -f -qq -e trace="$cls" -o "$WORK/class.out" "$WORKLOAD" \
			"$DATA" "$PORT") || { echo "    strace -e trace=$cls failed"; return 1; }
		want=$(grep -oE '^[0-9]+ +[a-z0-9_]+\(' "$WORK/class.out" | sed -E 's/^[0-9]+ +//' |
			sort | uniq -c)
		got=$(f dump decode -e trace="$cls" | awk -v t0="$t0" '!/^#/ && $1 >= t0' |
			grep -vE '\] (clone|fork|vfork)\(.*\) += 0$' |
			grep -oE '\] [a-z0-9_]+\(' | sed -E 's/^\] //' | sort | uniq -c)
		if [ "$want" != "$got" ]; then
			echo "    FAILED: -e trace=$cls selects other calls than strace (strace -, flap +):"
			diff <(echo "$want") <(echo "$got") | sed 's/^/    /' | head -20
			return 1
		fi
	done
	expect "an unknown class is refused" sh -c "! '$FLAP' --socket '$SOCK' dump decode -e trace=%nosuch 2>/dev/null"
}

# The in-kernel filter: a recorder added with --syscalls records only those.
test_kernel_filter() {
	local out names
	fresh_data
	(cd "$WORK" && f run --name decode-net --syscalls '%net,exit_group' -- \
		"$WORKLOAD" "$DATA" "$PORT") || return 1
	out=$(f dump decode-net)
	names=$(grep -v '^#' <<< "$out" | grep -oE '\] [a-z0-9_]+\(' | sed -E 's/^\] //' | sort -u | tr -d '(' | tr '\n' ' ')
	expect "only %net and exit_group recorded ($names)" \
		[ "$names" = "accept accept4 bind connect exit_group listen recvfrom sendto socket " ] &&
	expect "list shows the set" grepq '%net,exit_group' <<< "$(f list)" &&
	expect "list -o json shows it" grepq '"syscalls":"%net,exit_group"' <<< "$(f list -o json)" &&
	expect "a bad set is refused at add" sh -c "! '$FLAP' --socket '$SOCK' run --syscalls nosuch -- true 2>/dev/null"
}

# What processes held when their recording began names what the history
# does not show: the working directory (AT_FDCWD<dir>), descriptors
# inherited (run) or opened before `add` (--pid, --cgroup: every process of
# the cgroup), also in a child forked afterwards.
test_registration() {
	local cg out pids=""
	echo registered > "$DATA/in"
	(cd "$DATA" && f run --name reg -- /bin/sh -c 'read x <&7; echo "$x" >&8' \
		7< "$DATA/in" 8> "$DATA/out") || return 1
	out=$(f dump reg)
	expect "run: inherited fd 7 named" grepq "dup2(7<$DATA/in>, 0) = 0<$DATA/in>" <<< "$out" &&
	expect "run: inherited fd 8 named" grepq "dup2(8<$DATA/out>, 1) = 1<$DATA/out>" <<< "$out" &&
	expect "run: what is written" grepq "write(1<$DATA/out>, \"registered\\\\n\", 11) = 11" <<< "$out" &&
	expect "run: AT_FDCWD names the directory" grepq "AT_FDCWD<$DATA>" <<< "$out" || return 1

	mkdir -p "$DATA/sub"
	cg=$(make_cgroup_path reg) || return 1
	for i in 1 2; do
		(echo "$BASHPID" > "$cg/cgroup.procs" && cd "$DATA/sub" && exec 9< "$DATA/in" &&
			exec /bin/sh -c "while [ ! -e '$DATA/go' ]; do sleep 0.02; done; exec /bin/cat <&9") \
			> /dev/null &
		pids="$pids $!"
	done
	while [ "$(wc -l < "$cg/cgroup.procs")" -lt 2 ]; do sleep 0.02; done
	f add --cgroup "$cg" --name regcg > /dev/null || return 1
	touch "$DATA/go"
	# shellcheck disable=SC2086
	wait $pids
	out=$(f dump regcg)
	rmdir "$cg"
	expect "add: both processes' fd 9 named (dup2 into 0)" \
		[ "$(grep -c "dup2(9<$DATA/in>, 0) = 0<$DATA/in>" <<< "$out")" = 2 ] ||
		{ grep -E '^#|dup2|openat|execve' <<< "$out" | head -40; return 1; }
	expect "add: the fd read names the file" grepq "read(0<$DATA/in>, \"registered\\\\n\"" <<< "$out" &&
	expect "add: AT_FDCWD names the directory" grepq "AT_FDCWD<$DATA/sub>" <<< "$out"
}

# A history that lost its start (a small ring overwritten by stat calls):
# the registration state no longer applies, what the process holds at the
# dump names what the history does not change (its fds 7 and 8, opened
# before add), its cwd too, from where every CPU's ring holds every call.
test_overwritten() {
	local cg out pid
	echo overwritten > "$DATA/in"
	mkdir -p "$DATA/ow"
	rm -f "$DATA/ow/fifo"
	mkfifo "$DATA/ow/fifo"
	cg=$(make_cgroup_path ow) || return 1
	(echo "$BASHPID" > "$cg/cgroup.procs" && cd "$DATA/ow" && exec 7< "$DATA/in" 8<> fifo &&
		exec /bin/bash -c "while [ ! -e go ]; do sleep 0.01; done
			for i in \$(seq 30000); do [ -e nothere ]; done
			read -r x <&7; echo \"\$x\" > got; read -r y <&8") > /dev/null 2>&1 &
	pid=$!
	f add --cgroup "$cg" --name ow --ring-pages 2 > /dev/null || { kill "$pid"; return 1; }
	touch "$DATA/ow/go"
	while [ ! -s "$DATA/ow/got" ]; do sleep 0.02; done
	out=$(f dump ow)
	echo done > "$DATA/ow/fifo"
	wait "$pid"
	rmdir "$cg"
	expect "the ring overwrote the start" grepq 'earlier events overwritten, 0 lost' <<< "$out" &&
	expect "fd 7, open before add, named by the dump's state" \
		grepq "dup2(7<$DATA/in>, 0) = 0<$DATA/in>" <<< "$out" &&
	expect "fd 8 too, read in the call still running" \
		grepq "read(0<$DATA/ow/fifo>, <unfinished ...>" <<< "$out" &&
	expect "AT_FDCWD named by the dump's state" grepq "AT_FDCWD<$DATA/ow>" <<< "$out"
}

# make_cgroup_path NAME: a new cgroup under the cgroup2 root, for this script
make_cgroup_path() {
	local p
	p="$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)/flap-decode-$$-$1"
	mkdir -p "$p" && echo "$p"
}

# ---- runner ---------------------------------------------------------------------

ALL="test_lines test_known_lines test_summary test_files test_classes test_kernel_filter
	test_registration test_overwritten"

require_root "e2e tests"
command -v strace > /dev/null || { echo "decode e2e tests need strace"; exit 1; }
start_daemon || exit 1
if ! record_both; then
	stop_daemon
	echo "e2e decode summary: 0 PASSED, 1 FAILED (recording)"
	exit 1
fi
run_tests ${*:-$ALL}
stop_daemon || { echo "daemon did not exit cleanly"; FAIL=$((FAIL + 1)); }
summary "e2e decode" 20
