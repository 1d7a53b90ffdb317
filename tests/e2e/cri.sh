#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# containerd's CRI plugin for real: a private containerd 1.6 whose runtime
# handler "flap" runs flap-runc (BinaryName) from an install of the static
# binary and lets the flap-recorder.io/* pod annotations through, set up as
# examples/containerd/README.md says; pods driven through the CRI API by a
# small client (cri/cri.py, hand-written proto) as kubelet would. A pod of
# two containers is recorded under its pod and namespace and dumped as one,
# its pause container is skipped, a crash is dumped under the pod, pod
# annotations set the recorder's options or opt out, and the "runc"
# handler's pods are not touched.
#   FLAP=build/flap-recorder FLAP_STATIC=build/static/flap-recorder HELPERS=build/tests \
#     bash tests/e2e/cri.sh [TEST...]
# Needs root, containerd (1.6), python3-grpcio, python3-grpc-tools,
# python3-protobuf, busybox-static and jq. Host networking (no CNI): no
# bridge, no netns. Everything lives under one temp dir and the cgroup
# /flap-cri-<pid>; the host paths containerd makes on its own are removed
# at exit if they were not there.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/engines.sh"

FLAP=$(realpath "${FLAP:?set FLAP to the flap-recorder binary}")
STATIC=$(realpath "${FLAP_STATIC:?set FLAP_STATIC to the static flap-recorder binary}")
HELPERS=$(realpath "${HELPERS:?set HELPERS to the test helper directory}")
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/flap-cri.XXXXXX)
SOCK=$WORK/run/flap.sock
DUMPS=$WORK/dumps
PREFIX=$WORK/prefix
CG=flap-cri-$$
IMAGE=docker.io/library/flap-bb:e2e

cri() { timeout 60 "$PY" "$SRC/tests/e2e/cri/cri.py" "$CDIR/sock" "$@"; }

cleanup() {
	local p
	# shellcheck disable=SC2046
	[ -s "$WORK/pods" ] && [ -n "$CONTAINERD_PID" ] && cri rmpod $(cat "$WORK/pods") > /dev/null 2>&1
	containerd_stop
	# A shim outlives containerd: ours are the ones serving our socket.
	for p in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $WORK/"); do kill -KILL "$p"; done
	[ -n "$DPID" ] && kill -KILL "$DPID" 2> /dev/null
	remove_cgroup_tree "$CG"
	grep -F " $WORK/" /proc/mounts | awk '{ print $2 }' | sort -r | xargs -r -n1 umount -l 2> /dev/null
	host_paths_restore
	rm -rf "$WORK"
}
trap cleanup EXIT

# The handlers: examples/containerd/flap-runc.toml with our install's
# flap-runc, and the stock "runc"; both keep runc's state under $CDIR.
cri_config() {
	local r='[plugins."io.containerd.grpc.v1.cri".containerd.runtimes'
	sed -e "s|\"/usr/local/sbin/flap-runc\"|\"$PREFIX/sbin/flap-runc\"|" \
		-e "s|^\( *\)BinaryName = .*|&\n\1Root = \"$1/runc\"|" \
		"$SRC/examples/containerd/flap-runc.toml"
	cat <<- EOF
		[plugins."io.containerd.grpc.v1.cri".containerd]
		  default_runtime_name = "runc"
		$r.runc]
		  runtime_type = "io.containerd.runc.v2"
		$r.runc.options]
		  Root = "$1/runc"
	EOF
}

# pod_spec NAME NS HANDLER ANNOTATIONS_JSON CONTAINER... -> a spec for cri.py;
# each CONTAINER is NAME=ARGS_JSON
pod_spec() {
	local name=$1 ns=$2 handler=$3 ann=$4 c ctrs='[]'
	shift 4
	for c in "$@"; do
		ctrs=$(jq -c --arg n "${c%%=*}" --argjson a "${c#*=}" --arg i "$IMAGE" \
			'. + [{metadata: {name: $n}, image: {image: $i}, command: $a,
			       log_path: "\($n).log"}]' <<< "$ctrs")
	done
	jq -n --arg n "$name" --arg ns "$ns" --arg h "$handler" --argjson ann "$ann" \
		--argjson c "$ctrs" --arg cg "/$CG" --arg logs "$WORK/logs/$name" \
		'{handler: $h, timeout: 30, containers: $c,
		  pod: {metadata: {name: $n, namespace: $ns, uid: "uid-\($n)"}, annotations: $ann,
			log_directory: $logs,
			linux: {cgroup_parent: $cg,
				security_context: {namespace_options: {network: "NODE"}}}}}'
}

# run_pod SPEC_JSON -> cri.py's result (the pod is removed at exit: its id
# goes to $WORK/pods, since this runs in a command substitution's subshell)
run_pod() {
	local out
	mkdir -p "$WORK/logs"
	echo "$1" > "$WORK/spec.json"
	out=$(cri pod "$WORK/spec.json") || { echo "    cri pod failed" >&2; return 1; }
	jq -r .pod_id <<< "$out" >> "$WORK/pods"
	echo "$out"
}

# exit_of RESULT NAME: the exit code of container NAME
exit_of() { jq -r --arg n "$2" '.containers[] | select(.name == $n) | .exit_code' <<< "$1"; }

# entries POD NS -> the daemon's list entries of that pod, as a JSON array
entries() {
	f list -o json | jq -c --arg p "$1" --arg n "$2" '[.[] | select(.pod == $p and .namespace == $n)]'
}

# wait_all_stopped POD NS: every entry of the pod is stopped within 5 s
wait_all_stopped() {
	for _ in $(seq 50); do
		[ "$(entries "$1" "$2" | jq 'all(.[]; .state == "stopped")')" = true ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- tests --------------------------------------------------------------------

# A pod of two containers through the flap handler: each recorded with
# pod, namespace, uid and container name from the CRI annotations; the
# pause container went through flap-runc too, and its hook skipped it; one
# dump of the pod merges both; poststop marks them stopped.
test_cri_pod() {
	local res pod e out
	res=$(run_pod "$(pod_spec cri-shop prod flap '{}' \
		'web=["/bin/workload","cri-web","20","10"]' 'db=["/bin/workload","cri-db","20","10"]')") ||
		return 1
	pod=$(jq -r .pod_id <<< "$res")
	expect "web and db exit 0" [ "$(exit_of "$res" web) $(exit_of "$res" db)" = "0 0" ] || return 1
	e=$(entries cri-shop prod)
	expect "two recorders in the pod ($e)" [ "$(jq length <<< "$e")" = 2 ] &&
	expect "web, with containerd's id" [ "$(jq -r '.[] | select(.container == "web") | .container_id' <<< "$e")" = \
		"$(jq -r '.containers[] | select(.name == "web") | .id' <<< "$res")" ] &&
	expect "db" has_json "$e" 'any(.[]; .container == "db")' &&
	expect "pod uid from the sandbox-uid annotation" has_json "$e" 'all(.[]; .pod_uid == "uid-cri-shop")' &&
	expect "pause container not recorded" \
		[ "$(f list -o json | jq --arg p "$pod" '[.[] | select(.container_id == $p)] | length')" = 0 ] &&
	expect "the sandbox ran through flap-runc (our hook in its spec)" [ "$(jq -r --arg r "$PREFIX/sbin/flap-recorder" \
		'[.hooks.createRuntime[] | select(.path == $r)] | length' \
		"$CDIR/state/io.containerd.runtime.v2.task/k8s.io/$pod/config.json")" = 1 ] || return 1
	out=$(f dump cri-shop -n prod)
	expect "header: pod and namespace" grepq '^# pod cri-shop, namespace prod' <<< "$out" &&
	expect "web's calls labelled [web]" grepq '^\[web\] .*"/flap/cri-web-19"' <<< "$out" &&
	expect "db's calls labelled [db]" grepq '^\[db\] .*"/flap/cri-db-19"' <<< "$out" &&
	expect "web's execve" grepq '^\[web\] .*execve("/bin/workload", \["/bin/workload", "cri-web"' <<< "$out" &&
	expect "poststop marked both stopped" wait_all_stopped cri-shop prod
}

has_json() { jq -e "$2" <<< "$1" > /dev/null; }

# A segfault in a pod's container: the dump is filed under the pod.
test_cri_crash() {
	local res p out
	res=$(run_pod "$(pod_spec cri-crash prod flap '{}' 'worker=["/bin/crasher","segv","cri-crash"]')") ||
		return 1
	expect "worker exits 139 ($(exit_of "$res" worker))" [ "$(exit_of "$res" worker)" = 139 ] || return 1
	for _ in $(seq 50); do
		p=$(ls "$DUMPS"/cri-crash/*worker*SIGSEGV*.flap 2> /dev/null | head -1)
		[ -n "$p" ] && break
		sleep 0.1
	done
	expect "dump under $DUMPS/cri-crash/" [ -n "$p" ] || { ls -R "$DUMPS"; return 1; }
	out=$(f show "$p")
	expect "header: pod and namespace" grepq '^# pod cri-crash, namespace prod' <<< "$out" &&
	expect "header: container worker" grepq '^# container worker: id ' <<< "$out" &&
	expect "header: reason SIGSEGV" grepq '^# reason: crash: SIGSEGV' <<< "$out" &&
	expect "last calls: openat, write, getppid" \
		sh -c "grep -A3 '\"/flap/cri-crash\"' | grep -A2 '\"about to cri-crash\"' | grep -q getppid" <<< "$out"
}

# Pod annotations reach the hook (pod_annotations): options, and opting out.
test_cri_annotations() {
	local res e out
	res=$(run_pod "$(pod_spec cri-nobuf prod flap \
		'{"flap-recorder.io/buffer-size":"0","flap-recorder.io/syscalls":"%file,write"}' \
		'app=["/bin/workload","cri-nobuf","3","5"]')") || return 1
	expect "app exits 0" [ "$(exit_of "$res" app)" = 0 ] || return 1
	e=$(entries cri-nobuf prod)
	expect "buffer-size 0 and the syscall set applied ($e)" \
		has_json "$e" '.[0].buffer_size == 0 and .[0].syscalls == "%file,write"' || return 1
	out=$(f dump cri-nobuf -n prod)
	expect "writes recorded without their bytes" \
		grepq -E '\] write\(3</dev/null>, 0x[0-9a-f]+, 11\) = 11' <<< "$out" &&
	expect "no buffer bytes" [ -z "$(grep '"cri-nobuf ' <<< "$out")" ] &&
	expect "filtered: no clock_nanosleep" [ -z "$(grep -v '^#' <<< "$out" | grep clock_nanosleep)" ] || return 1
	res=$(run_pod "$(pod_spec cri-optout prod flap '{"flap-recorder.io/record":"false"}' \
		'app=["/bin/workload","cri-optout","3","5"]')") || return 1
	expect "opted-out pod ran" [ "$(exit_of "$res" app)" = 0 ] &&
	expect "opted-out pod not recorded" [ "$(entries cri-optout prod)" = "[]" ]
}

# The stock runc handler: not recorded.
test_cri_runc_handler() {
	local res
	res=$(run_pod "$(pod_spec cri-plain prod runc '{}' 'app=["/bin/sh","-c","exit 5"]')") || return 1
	expect "container ran (exit $(exit_of "$res" app))" [ "$(exit_of "$res" app)" = 5 ] &&
	expect "not recorded" [ "$(entries cri-plain prod)" = "[]" ]
}

ALL="test_cri_pod test_cri_crash test_cri_annotations test_cri_runc_handler"

require_root "CRI tests"
command -v containerd > /dev/null || { echo "containerd missing (make deps)"; exit 1; }
"$PY" -c 'import grpc, grpc_tools' 2> /dev/null || { echo "python3-grpcio/grpc-tools missing (make deps)"; exit 1; }
install_prefix "$PREFIX" "$STATIC" &&
make_image_rootfs "$WORK/rootfs" "$HELPERS" &&
"$PY" "$SRC/tests/e2e/cri/oci_image.py" "$WORK/images.tar" "$WORK/rootfs" "$IMAGE=[\"/bin/sh\"]" \
	'registry.k8s.io/pause:3.6=["/bin/sleep","inf"]' || { echo "setup failed"; exit 1; }
cri_config "$WORK/containerd" > "$WORK/handlers.toml" &&
grep -qF "BinaryName = \"$PREFIX/sbin/flap-runc\"" "$WORK/handlers.toml" ||
	{ echo "examples/containerd/flap-runc.toml: no BinaryName to substitute"; exit 1; }
# containerd's environment reaches flap-runc (through the shims): our socket.
FLAP_SOCKET=$SOCK containerd_start "$WORK/containerd" "$(cat "$WORK/handlers.toml")" || exit 1
ctr -a "$CDIR/sock" -n k8s.io image import "$WORK/images.tar" > /dev/null || { echo "image import failed"; exit 1; }
daemon_start --socket "$SOCK" --dump-dir "$DUMPS" --retain 10m || exit 1
run_tests ${*:-$ALL}
stop_daemon || { echo "daemon did not exit cleanly"; FAIL=$((FAIL + 1)); }
summary CRI 40
