#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Docker for real: a private dockerd (20.10) whose runtime "flap" is
# examples/docker/daemon.json's, flap-runc from an install of the static
# binary, told the daemon's socket and Docker's data root by `runtimeArgs`,
# as docs/oci.md says to set it up.
# A container started with `--runtime flap` is recorded from its first
# syscall under its `docker ps` name, `dump NAME` reads it, a crash is
# dumped under that name, poststop marks it stopped, and with the
# flap-recorder daemon stopped containers still start.
#   FLAP=build/flap-recorder FLAP_STATIC=build/static/flap-recorder HELPERS=build/tests \
#     bash tests/e2e/docker.sh [TEST...]
# Needs root, docker.io (dockerd 20.10), busybox-static and jq. Everything
# lives under one temp dir and the cgroup /flap-docker-<pid>; the host paths
# dockerd makes on its own are removed at exit if they were not there.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/engines.sh"

FLAP=$(realpath "${FLAP:?set FLAP to the flap-recorder binary}")
STATIC=$(realpath "${FLAP_STATIC:?set FLAP_STATIC to the static flap-recorder binary}")
HELPERS=$(realpath "${HELPERS:?set HELPERS to the test helper directory}")
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/flap-docker.XXXXXX)
SOCK=$WORK/run/flap.sock
DUMPS=$WORK/dumps
PREFIX=$WORK/prefix
IMAGE=flap-bb:e2e

cleanup() {
	dockerd_stop
	[ -n "$DPID" ] && kill -KILL "$DPID" 2> /dev/null
	remove_cgroup_tree "flap-docker-$$"
	grep -F " $WORK/" /proc/mounts | awk '{ print $2 }' | sort -r | xargs -r -n1 umount -l 2> /dev/null
	host_paths_restore
	rm -rf "$WORK"
}
trap cleanup EXIT

# entry NAME: the daemon's list entry of recorder NAME, as JSON ("null" if none)
entry() { f list -o json | jq -c --arg n "$1" 'map(select(.name == $n)) | .[0]'; }

# wait_stopped NAME: entry NAME says stopped within 5 s
wait_stopped() {
	for _ in $(seq 50); do
		[ "$(entry "$1" | jq -r .state)" = stopped ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- tests --------------------------------------------------------------------

# `docker run --runtime flap --name dk-web1`: the recorder is named as
# `docker ps` names the container, its history starts with the container's
# execve, and poststop marks it stopped when Docker deletes the task.
test_docker_recorded() {
	local id e out first_exec first_open
	D run --runtime flap --name dk-web1 "$IMAGE" /bin/workload dk-web 20 10 > "$WORK/web1.out" 2>&1 ||
		{ echo "    docker run failed:"; cat "$WORK/web1.out"; return 1; }
	id=$(D inspect -f '{{.Id}}' dk-web1) || return 1
	expect "docker ps names it dk-web1" grepq '^dk-web1$' <<< "$(D ps -a --format '{{.Names}}')" || return 1
	e=$(entry dk-web1)
	expect "recorder dk-web1 ($e)" [ "$(jq -r .container <<< "$e")" = dk-web1 ] &&
	expect "with Docker's container id" [ "$(jq -r .container_id <<< "$e")" = "$id" ] &&
	expect "list shows the name" grepq -E '^dk-web1 ' <<< "$(f list)" || return 1
	out=$(f dump dk-web1) || { echo "    dump dk-web1 failed"; return 1; }
	expect "header names the container" grepq "^# container dk-web1: id ${id:0:12}" <<< "$out" &&
	expect "the container's execve" grepq 'execve("/bin/workload", \["/bin/workload", "dk-web", "20", "10"\]' <<< "$out" &&
	expect "first openat" grepq 'openat(AT_FDCWD[^,]*, "/flap/dk-web-0".*ENOENT' <<< "$out" &&
	expect "last openat" grepq 'openat(AT_FDCWD[^,]*, "/flap/dk-web-19".*ENOENT' <<< "$out" &&
	expect "exit_group(0)" grepq 'exit_group(0) *= ?' <<< "$out" || return 1
	first_exec=$(grep -n 'execve("/bin/workload"' <<< "$out" | head -1 | cut -d: -f1)
	first_open=$(grep -n '"/flap/dk-web-0"' <<< "$out" | head -1 | cut -d: -f1)
	expect "recorded from before the execve (runc init's calls first)" \
		[ "$(grep -v '^#' <<< "$out" | head -1 | grep -c execve)" = 0 ] &&
	expect "execve before the first openat" [ "$first_exec" -lt "$first_open" ] &&
	expect "poststop marked it stopped" wait_stopped dk-web1 &&
	expect "dump by name after the stop" grepq '"/flap/dk-web-19"' <<< "$(f dump dk-web1)"
}

# A segfault: the dump is filed under the Docker name.
test_docker_crash() {
	local st p out id
	D run --runtime flap --name dk-crash1 "$IMAGE" /bin/crasher segv dk-crash > "$WORK/crash.out" 2>&1; st=$?
	expect "docker run exits 139 (got $st)" [ "$st" = 139 ] || { cat "$WORK/crash.out"; return 1; }
	id=$(D inspect -f '{{.Id}}' dk-crash1) || return 1
	for _ in $(seq 50); do
		p=$(ls "$DUMPS"/dk-crash1/*-dk-crash1-SIGSEGV.flap 2> /dev/null | head -1)
		[ -n "$p" ] && break
		sleep 0.1
	done
	expect "dump under $DUMPS/dk-crash1/ named for the container" [ -n "$p" ] || { ls -R "$DUMPS"; return 1; }
	out=$(f show "$p")
	expect "header: container" grepq "^# container dk-crash1: id ${id:0:12}" <<< "$out" &&
	expect "header: reason SIGSEGV" grepq '^# reason: crash: SIGSEGV' <<< "$out" &&
	expect "last calls: openat, write, getppid" \
		sh -c "grep -A3 '\"/flap/dk-crash\"' | grep -A2 '\"about to dk-crash\"' | grep -q getppid" <<< "$out" &&
	expect "ends with the SIGSEGV" grepq 'killed by SIGSEGV' <<< "$(tail -1 <<< "$out")" &&
	expect "dumps lists it" grepq dk-crash1 <<< "$(f dumps)"
}

# A container under another runtime is not touched: the default runc has no hooks.
test_docker_plain_runc() {
	D run --rm --name dk-plain "$IMAGE" /bin/workload dk-plain 2 1 > /dev/null 2>&1 &&
	expect "not recorded" [ "$(entry dk-plain)" = null ]
}

# The flap-recorder daemon stopped: the hook finds no daemon, fails open,
# and the container starts and runs as usual.
test_docker_no_daemon() {
	local out st t0
	stop_daemon || { echo "    daemon exit status not 0"; return 1; }
	t0=$(date +%s%N)
	out=$(D run --rm --runtime flap --name dk-nodaemon "$IMAGE" /bin/sh -c 'echo started; exit 4' 2>&1); st=$?
	expect "container ran: exit 4 (got $st)" [ "$st" = 4 ] &&
	expect "its output ($out)" grepq '^started$' <<< "$out" &&
	expect "in less than the hook timeout ($(ms_since "$t0") ms)" [ "$(ms_since "$t0")" -lt 2000 ]
}

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

ALL="test_docker_recorded test_docker_crash test_docker_plain_runc test_docker_no_daemon"

require_root "docker tests"
command -v dockerd > /dev/null || { echo "dockerd missing (make deps: docker.io)"; exit 1; }
install_prefix "$PREFIX" "$STATIC" &&
make_image_rootfs "$WORK/rootfs" "$HELPERS" || { echo "setup failed"; exit 1; }
# The runtime of examples/docker/daemon.json, our install's flap-runc, told
# our socket and data root by runtimeArgs (docs/oci.md).
RUNTIMES=$(jq -c --arg p "$PREFIX/sbin/flap-runc" --arg s "$SOCK" --arg d "$WORK/docker/root" '
	if .runtimes.flap.path != "/usr/local/sbin/flap-runc" then error("no flap-runc path") else . end
	| .runtimes | .flap.path = $p | .flap.runtimeArgs = ["--flap-socket", $s, "--flap-docker-root", $d]' \
	"$SRC/examples/docker/daemon.json") || { echo "examples/docker/daemon.json: no runtime to substitute"; exit 1; }
dockerd_start "$WORK/docker" "$RUNTIMES" || exit 1
docker_import "$WORK/rootfs" "$IMAGE" || { echo "docker import failed"; exit 1; }
daemon_start --socket "$SOCK" --dump-dir "$DUMPS" --retain 10m || exit 1
run_tests ${*:-$ALL}
stop_daemon || { echo "daemon did not exit cleanly"; FAIL=$((FAIL + 1)); }
summary docker 40
