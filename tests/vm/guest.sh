#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# guest.sh - what the kernel matrix checks inside a guest (run by stage2.sh;
# the checkout is $flapsrc from the kernel command line, results go to /out):
# the README's demo (daemon, a crashing workload under `run`, its dump), then
# every kernel test with --strict (a SKIP fails). Writes /out/summary and
# /out/result (PASS or FAIL).
SRC=${flapsrc:?no flapsrc= on the kernel command line}
OUT=/out
B=$SRC/build
exec > "$OUT/guest.log" 2>&1
cd "$SRC" || exit 1
result=PASS
summary=

# note NAME STATUS: one line of the summary; a non-zero status fails the run
note() {
	summary="$summary$(printf '%-14s %s' "$1" "$([ "$2" = 0 ] && echo ok || echo "FAILED ($2)")")"$'\n'
	[ "$2" = 0 ] || result=FAIL
}

echo "=== $(uname -a)"
ls -la /sys/kernel/btf/vmlinux
grep -E 'cgroup2|bpf' /proc/mounts

echo "=== demo"
t0=$(date +%s)
FLAP=$B/flap-recorder CRASHME=$B/examples/crashme timeout 300 sh examples/demo.sh > "$OUT/demo.log" 2>&1
st=$?
cat "$OUT/demo.log"
# The demo's dump must end with the crash.
[ $st = 0 ] && ! grep -q 'killed by SIGSEGV' "$OUT/demo.log" && st=99
note demo $st

# `status` names the kernel and its programs; where it lacks something the
# dump's header says the same.
line=$(grep "^kernel $(uname -r): " "$OUT/demo.log")
echo "status: $line"
st=0
if [ -z "$line" ]; then
	st=97
elif [ "${line#*: }" != "full programs" ] && ! grep -qF "# bpf: ${line#*: }" "$OUT/demo.log"; then
	st=96
fi
note kernel-named $st
echo "demo: $(($(date +%s) - t0)) s"

echo "=== kernel tests"
t0=$(date +%s)
FLAP_TEST_EMULATED=1 timeout 2000 "$B/tests/kernel_tests" ${flapverbose:+-v} --strict --timeout "${flaptimeout:-900}" ${flapkt:+-t $flapkt} \
	> "$OUT/kernel_tests.log" 2>&1
st=$?
cat "$OUT/kernel_tests.log"
note kernel-tests $st
echo "kernel tests: $(($(date +%s) - t0)) s"

dmesg > "$OUT/dmesg.log" 2>&1
{
	echo "kernel $(uname -r)"
	grep -E '^Summary:' "$OUT/kernel_tests.log"
	printf '%s' "$summary"
} > "$OUT/summary"
echo "$result" > "$OUT/result"
sync
