#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The static binary on a host that has none of its libraries: an empty root
# directory holding only build/static/flap-recorder, two static workloads
# and the mounts a daemon needs (proc, sysfs, a bpffs of its own, the
# cgroup2 hierarchy, /dev/null, a tmp dir). The daemon runs chrooted there,
# `run` records a workload, a crash is dumped, dumps are read back.
#   FLAP_STATIC=build/static/flap-recorder HELPERS=build/tests bash tests/e2e/static.sh [TEST...]
# Needs root, unshare(1) and chroot(1). The script re-runs itself in a
# private mount namespace: its mounts vanish with it, even if it is killed.
# Everything else lives in one temp dir, removed at exit.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root "static binary tests"
if [ -z "${FLAP_STATIC_NS:-}" ]; then
	exec env FLAP_STATIC_NS=1 unshare --mount --propagation private bash "$0" "$@"
fi

STATIC=$(realpath "${FLAP_STATIC:?set FLAP_STATIC to the static flap-recorder binary}")
HELPERS=$(realpath "${HELPERS:?set HELPERS to the test helper directory}")
WORK=$(mktemp -d /tmp/flap-static.XXXXXX)
ROOT=$WORK/root
# Seen from inside the root.
SOCK=/run/flap.sock
DUMPS=/dumps
# f and daemon_start (lib.sh) run "$FLAP": the binary, chrooted.
FLAP=$WORK/in-root
GID=4242 # a group only the root's /etc/group knows: names resolve without NSS modules

cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	grep -F " $ROOT" /proc/self/mounts | awk '{ print $2 }' | sort -r | xargs -r -n1 umount -l
	rm -rf "$WORK"
}
trap cleanup EXIT

# make_root: the empty root, the binary, the mounts
make_root() {
	local cg
	cg=$(cgroup_root) || return 1
	mkdir -p "$ROOT"/{sbin,bin,proc,sys,dev,tmp,run,etc,dumps} || return 1
	install -m 0755 "$STATIC" "$ROOT/sbin/flap-recorder" &&
	install -m 0755 "$HELPERS/static/crasher" "$HELPERS/static/workload" "$ROOT/bin/" || return 1
	echo "flapstatic:x:$GID:" > "$ROOT/etc/group"
	printf '#!/bin/sh\nexec chroot %s /sbin/flap-recorder "$@"\n' "$ROOT" > "$FLAP" && chmod +x "$FLAP"
	: > "$ROOT/dev/null"
	mount -t proc proc "$ROOT/proc" &&
	mount -t sysfs sysfs "$ROOT/sys" &&
	mount -t bpf bpf "$ROOT/sys/fs/bpf" &&
	mount --bind "$cg" "$ROOT/sys/fs/cgroup" &&
	mount --bind /dev/null "$ROOT/dev/null" &&
	mount -t tmpfs -o size=16m tmpfs "$ROOT/tmp"
}

# ---- tests --------------------------------------------------------------------

# No program interpreter, no shared library, and ldd agrees.
test_static_linked() {
	local l
	l=$(ldd "$STATIC" 2>&1)
	expect "ldd: not dynamic ($l)" grepq -E 'not a dynamic executable|statically linked' <<< "$l" &&
	expect "no program interpreter" [ -z "$(readelf -lW "$STATIC" | grep INTERP)" ] &&
	expect "no NEEDED library" [ -z "$(readelf -dW "$STATIC" | grep NEEDED)" ]
}

# The root holds nothing but the binaries: no libc, no loader, no shell.
test_empty_root() {
	local files
	files=$(cd "$ROOT" && find . -xdev -type f | sort | tr '\n' ' ')
	expect "only our files in the root ($files)" \
		[ "$files" = "./bin/crasher ./bin/workload ./dev/null ./etc/group ./run/flap.sock.lock ./sbin/flap-recorder " ] &&
	expect "no shell in the root" [ ! -e "$ROOT/bin/sh" ] &&
	expect "--version runs chrooted" grepq '^flap-recorder ' <<< "$(f --version)"
}

# The daemon started chrooted answers, and made its socket for the group
# named in the root's /etc/group (glibc's built-in files lookup, no NSS module).
test_daemon() {
	local st
	expect "status answers" grepq '^recorders: ' <<< "$(f status)" &&
	st=$(stat -c '%g %a' "$ROOT$SOCK") &&
	expect "--allow-group flapstatic: socket group $GID, mode 660 (got $st)" [ "$st" = "$GID 660" ]
}

# run records a workload from its first instruction; dump reads it back.
test_run_dump() {
	local out st
	f run --name st-run -- /bin/workload st-run 5 10 > "$WORK/run.out" 2>&1; st=$?
	expect "run exits 0 (got $st)" [ "$st" = 0 ] || { cat "$WORK/run.out"; return 1; }
	out=$(f dump st-run) || { echo "    dump failed"; return 1; }
	expect "execve of the workload" grepq 'execve("/bin/workload"' <<< "$out" &&
	expect "first openat" grepq 'openat(AT_FDCWD[^,]*, "/flap/st-run-0".*ENOENT' <<< "$out" &&
	expect "last write" grepq -E 'write\([0-9]+</dev/null>, "st-run 4", 8\) = 8' <<< "$out" &&
	expect "exit_group(0)" grepq 'exit_group(0) *= ?' <<< "$out"
}

# A segfault: the crash dump is written in the root's dump directory and
# reads back with its reason and last calls.
test_crash_dump() {
	local p out st
	f run --name st-crash -- /bin/crasher segv st-crash > /dev/null 2>&1; st=$?
	expect "exit 139 (got $st)" [ "$st" = 139 ] || return 1
	for _ in $(seq 50); do
		p=$(ls "$ROOT$DUMPS"/st-crash/*SIGSEGV*.flap 2>/dev/null | head -1)
		[ -n "$p" ] && break
		sleep 0.1
	done
	expect "crash dump written" [ -n "$p" ] || { ls -R "$ROOT$DUMPS"; return 1; }
	out=$(f show "${p#"$ROOT"}")
	expect "reason SIGSEGV" grepq '^# reason: crash: SIGSEGV' <<< "$out" &&
	expect "last openat" grepq 'openat(AT_FDCWD[^,]*, "/flap/st-crash".*ENOENT' <<< "$out" &&
	expect "ends with the SIGSEGV" grepq 'killed by SIGSEGV' <<< "$(tail -1 <<< "$out")" &&
	expect "dumps lists it" grepq st-crash <<< "$(f dumps)"
}

ALL="test_static_linked test_empty_root test_daemon test_run_dump test_crash_dump"

make_root || { echo "cannot set up the root in $ROOT"; exit 1; }
: > "$WORK/daemon.log"
daemon_start --socket "$SOCK" --dump-dir "$DUMPS" --allow-group flapstatic || exit 1
run_tests ${*:-$ALL}
stop_daemon || { echo "daemon did not exit cleanly"; FAIL=$((FAIL + 1)); }
summary static 40
