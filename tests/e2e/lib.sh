# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Helpers shared by the end-to-end scripts (run.sh, oci.sh, decode.sh,
# persist.sh, stress.sh, losses.sh): the CLI on the test socket, cgroups,
# starting and stopping the daemon, checks, and the test runner with its
# summary.
# Sourced, never run. The script sets FLAP (the binary), WORK (its temp
# dir) and SOCK (the socket) before it calls any of them; the daemon's
# output goes to $WORK/daemon.log. Settings, each with its default:
#   CG_PREFIX=flap-e2e-$$   make_cgroup NAME makes <cgroup2 root>/$CG_PREFIX-NAME
#   DAEMON_POLL=0.1         daemon_start polls status 100 times, this many s apart
#   DAEMON_FAIL_TAIL=       set: a daemon that did not start is reported indented,
#                           with the last N lines of its log; unset: the whole log
#   TEST_NAME_WIDTH=28      the name column of run_tests' lines

DPID=
PASS=0
FAIL=0
FAILED=

# f ARGS: the CLI on the test socket
f() { "$FLAP" --socket "$SOCK" "$@"; }

cgroup_root() { awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo; }

# make_cgroup NAME -> prints the path of a new cgroup (removed by remove_cgroups)
make_cgroup() {
	local p
	p="$(cgroup_root)/${CG_PREFIX:-flap-e2e-$$}-$1"
	mkdir -p "$p" && echo "$p" > "$WORK/cg-$1" && echo "$p"
}

# remove_cgroups: kills what is left in the cgroups of make_cgroup, removes them
remove_cgroups() {
	local cg path
	for cg in "$WORK"/cg-*; do
		[ -e "$cg" ] || continue
		path=$(cat "$cg")
		[ -d "$path" ] && { echo 1 > "$path/cgroup.kill" 2> /dev/null; sleep 0.1; rmdir "$path" 2> /dev/null; }
	done
}

# daemon_start ARGS: `$FLAP daemon ARGS` in the background (pid in DPID), its
# output appended to $WORK/daemon.log; returns once it answers status, or 1
# (saying so, with its log) if it exits or does not answer in 100 polls.
daemon_start() {
	"$FLAP" daemon "$@" >> "$WORK/daemon.log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do
		f status > /dev/null 2>&1 && return 0
		kill -0 "$DPID" 2> /dev/null || break
		sleep "${DAEMON_POLL:-0.1}"
	done
	if [ -n "${DAEMON_FAIL_TAIL:-}" ]; then
		echo "    daemon did not start:"; tail -"$DAEMON_FAIL_TAIL" "$WORK/daemon.log"
	else
		echo "daemon did not start:"; cat "$WORK/daemon.log"
	fi
	return 1
}

# stop_daemon: SIGTERM, then the daemon's exit status (0 when none runs)
stop_daemon() {
	local rc=0
	[ -z "$DPID" ] && return 0
	kill -TERM "$DPID" && wait "$DPID" || rc=$?
	DPID=
	return $rc
}

kill_daemon() { kill -KILL "$DPID"; wait "$DPID" 2> /dev/null; DPID=; }

# expect DESCRIPTION COMMAND... : the command must succeed
expect() {
	local what=$1; shift
	if ! "$@"; then
		echo "    FAILED: $what"
		return 1
	fi
}

grepq() { grep -q "$@"; }

# require_root WHAT: exit 1 with "WHAT need root" unless root
require_root() { [ "$(id -u)" = 0 ] || { echo "$1 need root"; exit 1; }; }

# run_tests TEST...: runs each test function (the test_ prefix may be left
# out), prints "#name OK|FAIL (N ms)" and counts it into PASS or FAIL and
# FAILED. A function after_test, if the script has one, runs after each
# test, within its time.
run_tests() {
	local t start res
	for t in "$@"; do
		t=${t#test_}; t=test_$t
		start=$(date +%s%N)
		if $t; then
			PASS=$((PASS + 1)); res=OK
		else
			FAIL=$((FAIL + 1)); res=FAIL; FAILED="$FAILED $t"
		fi
		if declare -F after_test > /dev/null; then after_test; fi
		printf "#%-${TEST_NAME_WIDTH:-28}s %s (%d ms)\n" "${t#test_}" "$res" \
			$((($(date +%s%N) - start) / 1000000))
	done
}

# summary LABEL LINES: the last LINES of the daemon log if a test failed,
# then "LABEL summary: ..."; returns 1 if a test failed
summary() {
	if [ "$FAIL" -ne 0 ]; then
		echo "--- daemon log ---"; tail -"$2" "$WORK/daemon.log"
	fi
	echo "$1 summary: $PASS PASSED, $FAIL FAILED${FAILED:+ (}${FAILED# }${FAILED:+)}"
	[ "$FAIL" -eq 0 ]
}
