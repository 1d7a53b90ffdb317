#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Fidelity to strace on real programs: each program of PROGRAMS below runs
# once under `strace -f -y -s 64` and once under `flap-recorder run` (a real
# daemon), and tests/e2e/fidelity.pl counts the lines of strace that
# flap-recorder printed identically, "strict" (after normalising only what
# differs between two runs by nature: pids, addresses, inode numbers, ports,
# random bytes, clocks, thread races; see fidelity.pl) and "normalised"
# (also what docs/output.md documents as different). Prints a table, one row
# per program, and fails when the total strict share falls below
# FIDELITY_MIN_STRICT or the normalised one below FIDELITY_MIN_NORM (set
# below what was measured, in per mille).
#   FLAP=build/flap-recorder bash tests/e2e/fidelity.sh [--diff N] [PROGRAM...]
# --diff N prints, per program, up to N strace lines that had no twin.
# Needs root, strace, python3, perl, tar, gzip, xz, git.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=${FLAP:?set FLAP to the flap-recorder binary}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d /tmp/flap-fidelity.XXXXXX)
SOCK=$WORK/run/flap.sock
# The working directory of every run: the same path for both tools.
W=$WORK/w
FIDELITY_MIN_STRICT=${FIDELITY_MIN_STRICT:-980}
FIDELITY_MIN_NORM=${FIDELITY_MIN_NORM:-990}
DIFF=0

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2> /dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

PY=/usr/bin/python3
PY=$(readlink -f "$PY")

# The programs: NAME and its command line, one word a line (absolute
# paths: strace and run must exec the same file without a PATH search).
PROGRAMS="ls cat pipeline python tar gzip find sort git perl xz ids dd"
cmd_words() {
	case $1 in
	ls) printf '%s\n' /usr/bin/ls -la /etc/ssl ;;
	cat) printf '%s\n' /usr/bin/cat /etc/hostname /proc/filesystems ;;
	pipeline) printf '%s\n' /bin/sh -c "/usr/bin/cat /etc/passwd | /usr/bin/sort | /usr/bin/head -n 3" ;;
	python) printf '%s\n' "$PY" -S "$W/prog.py" ;;
	tar) printf '%s\n' /usr/bin/tar -cf "$W/t.tar" -C "$W" tree ;;
	gzip) printf '%s\n' /usr/bin/gzip -kf "$W/tree/a" ;;
	find) printf '%s\n' /usr/bin/find "$W/tree" -name "*.txt" ;;
	sort) printf '%s\n' /usr/bin/sort -r "$W/tree/a" ;;
	git) printf '%s\n' /usr/bin/git -C "$W/repo" status --short ;;
	perl) printf '%s\n' /usr/bin/perl "$W/prog.pl" ;;
	xz) printf '%s\n' /usr/bin/xz -T2 -kf "$W/tree/big" ;;
	ids) printf '%s\n' /bin/sh -c "/usr/bin/id; /usr/bin/stat /etc/hostname; /usr/bin/uname -a" ;;
	dd) printf '%s\n' /usr/bin/dd if=/dev/zero of="$W/zero" bs=4k count=16 ;;
	esac
}

# The inputs the programs read, the same for both runs.
setup_inputs() {
	rm -rf "$W" && mkdir -p "$W/tree/sub" && cd "$W" || return 1
	seq 1 300 > "$W/tree/a"
	echo hello > "$W/tree/x.txt"
	echo world > "$W/tree/sub/y.txt"
	head -c 300000 /dev/zero | tr '\0' 'x' > "$W/tree/big"
	git init -q "$W/repo" && echo a > "$W/repo/f" &&
		git -C "$W/repo" -c user.name=t -c user.email=t@t add f &&
		git -C "$W/repo" -c user.name=t -c user.email=t@t commit -qm init || return 1
	cat > "$W/prog.py" << 'EOF'
import json, os, signal, socket, threading
signal.signal(signal.SIGUSR1, lambda s, f: None)
os.kill(os.getpid(), signal.SIGUSR1)
def work(n):
    with open("/etc/hostname") as f:
        f.read()
# threads one after the other: their descriptors get the same numbers in both runs
for i in range(2):
    t = threading.Thread(target=work, args=(i,))
    t.start()
    t.join()
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
c = socket.create_connection(srv.getsockname())
s, _ = srv.accept()
c.sendall(json.dumps({"a": [1, 2, 3]}).encode())
s.recv(64)
a, b = socket.socketpair()
a.send(b"x")
b.recv(1)
for x in (c, s, a, b, srv):
    x.close()
EOF
	cat > "$W/prog.pl" << 'EOF'
use strict;
opendir(my $d, "/etc") or die;
my @e = grep { !/^\./ } readdir($d);
closedir($d);
pipe(my $r, my $w) or die;
syswrite($w, scalar(@e) > 0 ? "y" : "n");
sysread($r, my $b, 1);
print "$b\n";
EOF
}

# run_one NAME: both runs of program NAME, outputs in $WORK/NAME.{strace,flap}
run_one() {
	local name=$1 cmd=()
	mapfile -t cmd < <(cmd_words "$name")
	setup_inputs || return 1
	strace -f -y -qq -s 64 -o "$WORK/$name.strace" "${cmd[@]}" < /dev/null > "$WORK/$name.out" 2>&1
	setup_inputs || return 1
	f run --name "fid-$name" -- "${cmd[@]}" < /dev/null > "$WORK/$name.out" 2>&1
	f dump "fid-$name" > "$WORK/$name.flap" || return 1
	f remove "fid-$name" > /dev/null 2>&1
	return 0
}

# row NAME LINES STRICT NORMALISED: one line of the table, shares in per cent
row() {
	awk -v n="$1" -v l="$2" -v s="$3" -v m="$4" \
		'BEGIN { printf "%-10s %7d %7.1f%% %9.1f%%\n", n, l, 100 * s / l, 100 * m / l }'
}

if [ "${1:-}" = "--diff" ]; then
	DIFF=$2
	shift 2
fi
require_root "fidelity tests"
for tool in strace perl "$PY" tar gzip xz git; do
	command -v "$tool" > /dev/null || { echo "fidelity tests need $tool"; exit 1; }
done
mkdir -p "$W"
daemon_start --socket "$SOCK" --dump-dir "$WORK/dumps" || exit 1

total=0 strict=0 norm=0 bad=0
printf '%-10s %7s %8s %10s\n' program lines strict normalised
for name in ${*:-$PROGRAMS}; do
	if ! run_one "$name"; then
		echo "$name: the runs failed"
		bad=1
		continue
	fi
	read -r n s m < <(perl "$HERE/fidelity.pl" "$WORK/$name.strace" "$WORK/$name.flap")
	if [ "${n:-0}" -lt 10 ]; then
		echo "$name: strace saw only ${n:-0} lines"
		bad=1
		continue
	fi
	row "$name" "$n" "$s" "$m"
	[ "$DIFF" -gt 0 ] && perl "$HERE/fidelity.pl" "$WORK/$name.strace" "$WORK/$name.flap" \
		--diff "$DIFF" | tail -n +2 | sed 's/^/    /'
	total=$((total + n)) strict=$((strict + s)) norm=$((norm + m))
done
stop_daemon || { echo "daemon did not exit cleanly"; bad=1; }
[ "$total" -gt 0 ] || { echo "fidelity: nothing compared"; exit 1; }
ps=$((1000 * strict / total)) pn=$((1000 * norm / total))
row total "$total" "$strict" "$norm"
if [ "$ps" -lt "$FIDELITY_MIN_STRICT" ]; then
	echo "FAILED: strict fidelity $ps per mille is below $FIDELITY_MIN_STRICT"
	bad=1
fi
if [ "$pn" -lt "$FIDELITY_MIN_NORM" ]; then
	echo "FAILED: normalised fidelity $pn per mille is below $FIDELITY_MIN_NORM"
	bad=1
fi
[ "$bad" -eq 0 ] && echo "e2e fidelity summary: PASSED" || echo "e2e fidelity summary: FAILED"
[ "$bad" -eq 0 ]
