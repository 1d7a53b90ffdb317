#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The image and the DaemonSet, the way a node runs them: `make image` builds
# examples/kubernetes/Containerfile with podman (private storage, no
# registry); the DaemonSet's pod template is run under podman with its own
# settings (image/pod_args.py: privileged, host pid, its hostPath volumes
# and mounts, its commands), the init container first. It installs the
# static binary, the flap-runc link and the hooks.d files on the "host",
# the daemon container starts, and then containers started on the host,
# outside any pod, are recorded: one through the installed flap-runc, one
# through the installed hooks.d files, a crash dumped to the host's dump
# directory.
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/image.sh [TEST...]
# Needs root, podman, runc, busybox-static, jq, python3-yaml and the tree
# built (`make static`). The host paths the DaemonSet writes are moved
# under the temp dir (a test must not install into the real /usr/local/sbin),
# /sys/fs/bpf is a bpffs of its own; /sys/fs/cgroup and /sys/kernel/btf are
# the host's. Containers live under the cgroup /flap-image-<pid>.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/engines.sh"

require_root "image tests"
FLAP=$(realpath "${FLAP:?set FLAP to the flap-recorder binary}")
HELPERS=$(realpath "${HELPERS:?set HELPERS to the test helper directory}")
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/flap-image.XXXXXX)
HOST=$WORK/host # what the DaemonSet's hostPaths point at, but /sys/fs/cgroup and btf
PM=$WORK/podman
CG=flap-image-$$
DS=$SRC/examples/kubernetes/daemonset.yaml
SOCK=$HOST/run/flap-recorder/flap.sock
DUMPS=$HOST/var/lib/flap-recorder/dumps
RUNC_ROOT=$WORK/runc-root
VERSION=$(sed -n 's/^#define FLAP_VERSION "\(.*\)"/\1/p' "$SRC/recorder/base/version.h")
IMAGE=localhost/flap-recorder:$VERSION
# podman makes these whatever its flags; the ones absent now go at exit.
HOST_PATHS="/var/lib/containers/cache/blob-info-cache-v1.boltdb /var/lib/containers/cache
/var/lib/containers /run/containers/networks /run/containers /etc/containers/networks/netavark.lock
/etc/containers/networks /etc/cni/net.d/cni.lock"
HOST_NEW=
for p in $HOST_PATHS; do [ -e "$p" ] || HOST_NEW="$HOST_NEW $p"; done

cleanup() {
	local id p
	if [ -d "$PM/root" ]; then
		pm rm --all --force --time 0 > /dev/null 2>&1
		pm rmi --all --force > /dev/null 2>&1
	fi
	if [ -d "$RUNC_ROOT" ]; then
		for id in $(runc --root "$RUNC_ROOT" list -q 2> /dev/null); do
			timeout 20 runc --root "$RUNC_ROOT" delete --force "$id" > /dev/null 2>&1
		done
	fi
	# The daemon ran with --persist: its programs stay pinned in our bpffs.
	mountpoint -q "$HOST/sys/fs/bpf" &&
		"$FLAP" daemon --unpin --pin-dir "$HOST/sys/fs/bpf/flap-recorder" > /dev/null 2>&1
	remove_cgroup_tree "$CG"
	grep -F " $WORK/" /proc/mounts | awk '{ print $2 }' | sort -r | xargs -r -n1 umount -l 2> /dev/null
	for p in $HOST_NEW; do
		if [ -d "$p" ]; then rmdir "$p"; elif [ -e "$p" ]; then rm -f "$p"; fi 2> /dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# podman with all of its state under $PM (as oci.sh runs it)
PODMAN_G=(podman --root "$PM/root" --runroot "$PM/runroot" --tmpdir "$PM/tmp" --events-backend file
	--network-config-dir "$PM/net")
pm() { CONTAINERS_CONF=$PM/containers.conf timeout 60 "${PODMAN_G[@]}" --runtime runc \
	--cgroup-manager cgroupfs "$@"; }
# What this machine needs of `podman run` (oci.sh): no CAP_SYS_RESOURCE for
# podman's rlimits, no networking; and our cgroup.
PM_RUN=(--network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --cgroup-parent "/$CG/podman")

# h ARGS: the binary the init container installed on the host, on its socket
h() { "$HOST/usr/local/sbin/flap-recorder" --socket "$SOCK" "$@"; }

setup() {
	mkdir -p "$PM"/{net,tmp} "$HOST/sys/fs/bpf" || return 1
	printf '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n[network]\nnetwork_config_dir = "%s/net"\n' \
		"$PM" > "$PM/containers.conf"
	mount -t bpf bpf "$HOST/sys/fs/bpf" || return 1
	make_image_rootfs "$WORK/rootfs" "$HELPERS" && runc spec --bundle "$WORK" &&
		mv "$WORK/config.json" "$WORK/spec.json"
}

# run_pod_container ARGFILE [podman run options]: one container of the pod
run_pod_container() {
	local f=$1 args
	shift
	mapfile -d '' args < "$f"
	pm run "${PM_RUN[@]}" --name "flap-$(basename "$f" .args)" "$@" "${args[@]}"
}

# host_bundle NAME ARGS_JSON ANNOTATIONS_JSON HOOKS_JSON: a runc bundle on the host
host_bundle() {
	mkdir -p "$WORK/b/$1" || return 1
	jq --argjson a "$2" --argjson ann "$3" --argjson h "$4" --arg r "$WORK/rootfs" --arg cg "/$CG/$1" \
		'.process.terminal = false | .process.args = $a | .root = {path: $r, readonly: true}
		 | .annotations = $ann | .hooks = $h | .linux.cgroupsPath = $cg' \
		"$WORK/spec.json" > "$WORK/b/$1/config.json"
}

# ---- tests --------------------------------------------------------------------

# `make image`: tagged with the version, FROM scratch with the static binary,
# and the DaemonSet names that tag.
test_make_image() {
	local files v
	CONTAINERS_CONF=$PM/containers.conf env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory -C "$SRC" image \
		PODMAN="${PODMAN_G[*]}" > "$WORK/build.log" 2>&1 ||
		{ echo "    make image failed:"; tail -20 "$WORK/build.log"; return 1; }
	expect "image $IMAGE built" pm image exists "$IMAGE" &&
	expect "labelled with the version" [ "$(pm inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' "$IMAGE")" = "$VERSION" ] &&
	expect "its three COPY layers, no base image" [ "$(pm inspect -f '{{len .RootFS.Layers}}' "$IMAGE")" = 3 ] &&
	expect "the DaemonSet's two containers use it" [ "$(grep -c "image: $IMAGE\$" "$DS")" = 2 ] || return 1
	pm create --name flap-img-files "$IMAGE" > /dev/null && pm export flap-img-files > "$WORK/image.tar" &&
		pm rm flap-img-files > /dev/null || return 1
	files=$(tar -tf "$WORK/image.tar" | grep -v '/$' | sort | tr '\n' ' ')
	expect "the image holds the binary, flap-runc, hooks.d and busybox ($files)" \
		grepq -E '^bin/.* bin/busybox .*usr/local/sbin/flap-recorder usr/local/sbin/flap-runc usr/local/share/flap-recorder/hooks.d/flap-recorder-poststop.json usr/local/share/flap-recorder/hooks.d/flap-recorder.json $' <<< "$files" || return 1
	tar -C "$WORK" -xf "$WORK/image.tar" usr/local/sbin/flap-recorder &&
	expect "its binary is static" [ -z "$(readelf -lW "$WORK/usr/local/sbin/flap-recorder" | grep INTERP)" ] &&
	v=$(pm run --rm "${PM_RUN[@]}" "$IMAGE" flap-recorder --version) &&
	expect "it runs in the image ($v)" [ "$v" = "flap-recorder $VERSION" ]
}

# The pod template under podman: the init container installs on the host,
# the daemon container answers on the host's socket.
test_daemonset_pod() {
	local n
	"$PY" "$SRC/tests/e2e/image/pod_args.py" "$DS" "$WORK/pod" node1 \
		--map "/usr/local/sbin=$HOST/usr/local/sbin" \
		--map "/usr/share/containers/oci/hooks.d=$HOST/usr/share/containers/oci/hooks.d" \
		--map "/run/flap-recorder=$HOST/run/flap-recorder" \
		--map "/var/lib/flap-recorder=$HOST/var/lib/flap-recorder" \
		--map "/sys/fs/bpf=$HOST/sys/fs/bpf" || return 1
	n=$(ls "$WORK/pod" | tr '\n' ' ')
	expect "init container, then the daemon ($n)" [ "$n" = "00-install.args 01-daemon.args " ] || return 1
	run_pod_container "$WORK/pod/00-install.args" --rm > "$WORK/install.out" 2>&1 ||
		{ echo "    the init container failed:"; cat "$WORK/install.out"; return 1; }
	expect "the init container says so" grepq 'installed /usr/local/sbin/flap-recorder, flap-runc and the OCI hooks on node1' "$WORK/install.out" &&
	expect "the static binary on the host" cmp "$HOST/usr/local/sbin/flap-recorder" "$WORK/usr/local/sbin/flap-recorder" &&
	expect "flap-runc beside it" [ "$(readlink "$HOST/usr/local/sbin/flap-runc")" = flap-recorder ] &&
	expect "the hooks.d files on the host" cmp "$HOST/usr/share/containers/oci/hooks.d/flap-recorder.json" \
		"$SRC/examples/hooks.d/flap-recorder.json" &&
	expect "no temp file left" [ -z "$(ls -A "$HOST/usr/local/sbin" | grep '^\.')" ] || return 1
	run_pod_container "$WORK/pod/01-daemon.args" -d > /dev/null || { echo "    the daemon container did not start"; return 1; }
	for _ in $(seq 100); do
		h status > /dev/null 2>&1 && break
		sleep 0.1
	done
	expect "the daemon answers on the host's socket" h status > /dev/null ||
		{ pm logs flap-01-daemon; return 1; }
	expect "it pinned its programs (--persist) in the host's bpffs" [ -d "$HOST/sys/fs/bpf/flap-recorder" ]
}

# A container started on the host through the installed flap-runc is recorded.
test_host_flap_runc() {
	local out
	host_bundle hr1 '["/bin/workload","img-runc","10","5"]' \
		'{"io.kubernetes.pod.name":"img-pod","io.kubernetes.pod.namespace":"node","io.kubernetes.container.name":"web"}' \
		'{}' || return 1
	"$HOST/usr/local/sbin/flap-runc" --flap-socket "$SOCK" --root "$RUNC_ROOT" run -b "$WORK/b/hr1" \
		"img-hr1-$$" < /dev/null > "$WORK/hr1.out" 2>&1 ||
		{ echo "    runc run failed:"; cat "$WORK/hr1.out"; return 1; }
	out=$(h dump img-pod -n node)
	expect "dump header names the pod" grepq '^# pod img-pod, namespace node' <<< "$out" &&
	expect "the workload's execve" grepq 'execve("/bin/workload", \["/bin/workload", "img-runc"' <<< "$out" &&
	expect "its last openat" grepq 'openat(AT_FDCWD[^,]*, "/flap/img-runc-9".*ENOENT' <<< "$out"
}

# The installed hooks.d files, as podman or CRI-O would inject them, run the
# installed binary; a crash is dumped into the host's dump directory.
test_host_hooks_d() {
	local hooks p st
	hooks=$(jq -n --arg s "$SOCK" --arg b "$HOST/usr/local/sbin/flap-recorder" \
		--slurpfile c "$HOST/usr/share/containers/oci/hooks.d/flap-recorder.json" \
		--slurpfile p "$HOST/usr/share/containers/oci/hooks.d/flap-recorder-poststop.json" '
		[$c[0], $p[0]] | map({key: .stages[0], value: [.hook | .args[2] |= (
			gsub("/usr/local/sbin/flap-recorder hook"; "/usr/local/sbin/flap-recorder --socket \($s) hook")
			| gsub("/usr/local/sbin/flap-recorder"; $b))]}) | from_entries') || return 1
	expect "hooks.d commands point at the host's binary" grepq -F -- "$HOST/usr/local/sbin/flap-recorder --socket" <<< "$hooks" || return 1
	host_bundle hr2 '["/bin/crasher","segv","img-crash"]' \
		'{"io.kubernetes.pod.name":"img-crashpod","io.kubernetes.pod.namespace":"node","io.kubernetes.container.name":"worker"}' \
		"$hooks" || return 1
	timeout 30 runc --root "$RUNC_ROOT" run -b "$WORK/b/hr2" "img-hr2-$$" < /dev/null > "$WORK/hr2.out" 2>&1; st=$?
	expect "the container crashed (exit $st)" [ "$st" = 139 ] || { cat "$WORK/hr2.out"; return 1; }
	for _ in $(seq 50); do
		p=$(ls "$DUMPS"/img-crashpod/*worker*SIGSEGV*.flap 2> /dev/null | head -1)
		[ -n "$p" ] && break
		sleep 0.1
	done
	expect "dump in the host's /var/lib/flap-recorder/dumps/img-crashpod" [ -n "$p" ] || { ls -R "$HOST/var/lib"; return 1; }
	expect "it reads back: SIGSEGV" grepq '^# reason: crash: SIGSEGV' <<< "$(h show "$p")"
}

# The daemon container stops on SIGTERM within its grace period.
test_daemon_stop() {
	pm stop flap-01-daemon > /dev/null &&
	expect "the daemon exited 0" [ "$(pm inspect -f '{{.State.ExitCode}}' flap-01-daemon)" = 0 ] &&
	expect "its socket is gone" [ ! -e "$SOCK" ]
}

ALL="test_make_image test_daemonset_pod test_host_flap_runc test_host_hooks_d test_daemon_stop"

command -v podman > /dev/null || { echo "podman missing (make deps)"; exit 1; }
"$PY" -c 'import yaml' 2> /dev/null || { echo "python3-yaml missing (make deps)"; exit 1; }
setup || { echo "setup failed"; exit 1; }
: > "$WORK/daemon.log"
run_tests ${*:-$ALL}
echo "image summary: $PASS PASSED, $FAIL FAILED${FAILED:+ (}${FAILED# }${FAILED:+)}"
[ "$FAIL" -eq 0 ]
