# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Helpers for the tests against real container engines (docker.sh, cri.sh,
# image.sh, tests/bench/container_start.sh): a flap-recorder install under a
# prefix as `make install STATIC=1` makes it, an image root file system
# without a registry, a private dockerd and a private containerd that leave
# the host's network alone (see shared/reference/containers.md), and the
# host paths those engines create whatever their flags, removed at exit if
# they were not there before; podman with all of its state under a directory
# and hooks.d made from examples/hooks.d (oci.sh, container_start.sh).
# Sourced after lib.sh, never run. The script sets WORK first, and PM, SOCK,
# FLAP, SRC and CG before it calls the podman helpers.

DOCKER=/usr/bin/docker # /usr/local/bin/docker may be a newer client only
PY=/usr/bin/python3    # the python3 with grpc (another may be first in PATH)
DOCKERD_PID=
CONTAINERD_PID=

# Host paths the engines make on their own: dockerd's key, plugin and
# containerd "opt" directories, the shims' socket directory, rootful podman's
# network directories and locks (containers.conf keeps the rest away). The ones
# absent when the script starts are removed at exit (host_paths_restore).
ENGINE_HOST_PATHS="/etc/docker/key.json /run/docker/plugins /run/docker /opt/containerd/bin
/opt/containerd/lib /opt/containerd /run/containerd/s /run/containerd/runc/k8s.io
/run/containerd/runc /run/containerd /run/containerd/io.containerd.runtime.v2.task
/run/containers/networks /run/containers /etc/containers/networks/netavark.lock
/etc/containers/networks /etc/cni/net.d/cni.lock"
ENGINE_HOST_NEW=
for p in $ENGINE_HOST_PATHS; do [ -e "$p" ] || ENGINE_HOST_NEW="$ENGINE_HOST_NEW $p"; done

host_paths_restore() {
	local p
	for p in $ENGINE_HOST_NEW; do
		if [ -d "$p" ]; then rmdir "$p"; elif [ -e "$p" ]; then rm -f "$p"; fi 2> /dev/null
	done
}

# install_prefix DIR STATIC_BINARY: DIR/sbin/flap-recorder and the
# flap-runc link, as `make install STATIC=1 PREFIX=DIR` puts them
install_prefix() {
	mkdir -p "$1/sbin" && install -m 0755 "$2" "$1/sbin/flap-recorder" &&
		ln -sf flap-recorder "$1/sbin/flap-runc"
}

# make_image_rootfs DIR HELPERS: busybox-static with its applet links and
# the static workloads (HELPERS/static/{workload,crasher})
make_image_rootfs() {
	local bb
	bb=$(command -v busybox) || { echo "busybox missing (apt-get install busybox-static)"; return 1; }
	readelf -d "$bb" 2> /dev/null | grep -q NEEDED && { echo "$bb is not static"; return 1; }
	mkdir -p "$1"/{bin,dev,etc,proc,sys,tmp} && cp "$bb" "$1/bin/busybox" &&
		chroot "$1" /bin/busybox --install -s /bin &&
		install -m 0755 "$2/static/workload" "$2/static/crasher" "$1/bin/"
}

# ---- Docker ---------------------------------------------------------------------

# D ARGS: the docker client on the private dockerd
D() { timeout 60 "$DOCKER" -H "unix://$DDIR/sock" "$@"; }

# dockerd_start DIR RUNTIMES_JSON [EXTRA_JSON]: a private dockerd, state
# under DIR (DDIR), no bridge, no iptables, no ip_forward, containers under
# the cgroup /flap-docker-<pid>; waits until it answers
dockerd_start() {
	local x=${3:-}
	[ -n "$x" ] || x='{}'
	DDIR=$1
	mkdir -p "$DDIR" || return 1
	jq -n --argjson r "$2" --argjson x "$x" --arg cg "/flap-docker-$$" \
		'{iptables: false, bridge: "none", "ip-forward": false, "cgroup-parent": $cg,
		  runtimes: $r} + $x' > "$DDIR/daemon.json" || return 1
	dockerd --config-file "$DDIR/daemon.json" --data-root "$DDIR/root" --exec-root "$DDIR/exec" \
		--pidfile "$DDIR/pid" -H "unix://$DDIR/sock" >> "$DDIR/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	for _ in $(seq 100); do
		D version > /dev/null 2>&1 && return 0
		kill -0 "$DOCKERD_PID" 2> /dev/null || break
		sleep 0.1
	done
	echo "dockerd did not start:"; tail -20 "$DDIR/dockerd.log"
	return 1
}

# dockerd_stop: every container removed, then SIGTERM and wait
dockerd_stop() {
	[ -n "$DOCKERD_PID" ] || return 0
	D ps -aq 2> /dev/null | xargs -r "$DOCKER" -H "unix://$DDIR/sock" rm -f > /dev/null 2>&1
	kill -TERM "$DOCKERD_PID" 2> /dev/null
	for _ in $(seq 100); do
		kill -0 "$DOCKERD_PID" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$DOCKERD_PID" 2> /dev/null
	wait "$DOCKERD_PID" 2> /dev/null
	DOCKERD_PID=
}

# docker_import DIR TAG [CMD_JSON]: the root file system DIR as image TAG
docker_import() {
	tar -C "$1" -cf "$WORK/rootfs-$$.tar" . &&
		D import -c "CMD ${3:-[\"/bin/sh\"]}" "$WORK/rootfs-$$.tar" "$2" > /dev/null &&
		rm -f "$WORK/rootfs-$$.tar"
}

# ---- containerd (CRI) ------------------------------------------------------------

# containerd_start DIR CONFIG_EXTRA: a private containerd (state, root, opt
# and socket under DIR: CDIR), the CRI plugin with host networking only
# (no CNI config), CONFIG_EXTRA appended to its config.toml; waits until
# it answers
containerd_start() {
	CDIR=$1
	mkdir -p "$CDIR" || return 1
	cat > "$CDIR/config.toml" <<- EOF || return 1
		version = 2
		root = "$CDIR/root"
		state = "$CDIR/state"
		[grpc]
		  address = "$CDIR/sock"
		[ttrpc]
		  address = "$CDIR/sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CDIR/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  restrict_oom_score_adj = true
		  sandbox_image = "registry.k8s.io/pause:3.6"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$CDIR/cni-bin"
		    conf_dir = "$CDIR/cni-conf"
		$2
	EOF
	containerd --config "$CDIR/config.toml" >> "$CDIR/containerd.log" 2>&1 &
	CONTAINERD_PID=$!
	for _ in $(seq 100); do
		ctr -a "$CDIR/sock" version > /dev/null 2>&1 && return 0
		kill -0 "$CONTAINERD_PID" 2> /dev/null || break
		sleep 0.05
	done
	echo "containerd did not start:"; tail -20 "$CDIR/containerd.log"
	return 1
}

containerd_stop() {
	[ -n "$CONTAINERD_PID" ] || return 0
	kill -TERM "$CONTAINERD_PID" 2> /dev/null
	for _ in $(seq 100); do
		kill -0 "$CONTAINERD_PID" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$CONTAINERD_PID" 2> /dev/null
	wait "$CONTAINERD_PID" 2> /dev/null
	CONTAINERD_PID=
}

# ---- cgroups ----------------------------------------------------------------------

# remove_cgroup_tree NAME: kills what is left in cgroup NAME (top level, any
# hierarchy) and removes it, deepest first
remove_cgroup_tree() {
	local m d
	for m in $(awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo); do
		[ -d "$m/$1" ] || continue
		for _ in 1 2 3 4 5; do
			find "$m/$1" -depth -type d 2> /dev/null | while read -r d; do
				xargs -r kill -KILL < "$d/cgroup.procs" 2> /dev/null
				rmdir "$d" 2> /dev/null
			done
			[ -d "$m/$1" ] || break
			sleep 0.2
		done
		[ -d "$m/$1" ] && echo "cleanup: could not remove $m/$1"
	done
}

# ---- podman ---------------------------------------------------------------------

# pm ARGS: podman with all of its state under $PM, hooks from $PM/hooks.d
# (or $PM_HOOKS). The runc wrapper keeps
# runc's state there too (a --runtime-flag is not passed on to the
# `podman container cleanup` that conmon runs at exit, a wrapper path is);
# containers.conf keeps the network backend's files out of /etc.
pm() {
	CONTAINERS_CONF=$PM/containers.conf timeout 60 podman --root "$PM/root" \
		--runroot "$PM/runroot" --tmpdir "$PM/tmp" --runtime "$PM/bin/runc" \
		--cgroup-manager cgroupfs --events-backend file --network-config-dir "$PM/net" \
		--hooks-dir "${PM_HOOKS:-$PM/hooks.d}" "$@"
}

# pm_run ARGS: `podman run --rm` with the options this kind of machine needs:
# no crun (hybrid cgroups), no CAP_SYS_RESOURCE for podman's default rlimits,
# no host networking; the container under the cgroup /$CG/podman
pm_run() {
	pm run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
		--cgroup-parent "/$CG/podman" "$@"
}

# The podman side: containers.conf, the runc wrapper, hooks.d from the examples.
make_podman() {
	local backend b
	command -v podman > /dev/null || { echo "podman missing (apt-get install podman)"; return 1; }
	mkdir -p "$PM"/{bin,hooks.d,net,tmp} || return 1
	# The network backend's lock files go to network_config_dir. netavark is
	# only a Recommends of podman: without it podman picks CNI by itself.
	backend=
	for b in /usr/local/libexec/podman /usr/local/lib/podman /usr/libexec/podman /usr/lib/podman; do
		[ -x "$b/netavark" ] && backend='network_backend = "netavark"'
	done
	cat > "$PM/containers.conf" <<-EOF
		[engine]
		runtime = "runc"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		[network]
		$backend
		network_config_dir = "$PM/net"
	EOF
	printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$(command -v runc)" "$PM/runc" > "$PM/bin/runc"
	chmod 0755 "$PM/bin/runc"
	make_hooks_d "$PM/hooks.d" "$FLAP"
}

# make_hooks_d DIR BINARY: examples/hooks.d with the binary and --socket $SOCK
make_hooks_d() {
	local h
	for h in "$SRC"/examples/hooks.d/*.json; do
		jq --arg f "$2" --arg s "$SOCK" '.hook.args[2] |= (
			gsub("/usr/local/sbin/flap-recorder hook"; "\($f) --socket \($s) hook")
			| gsub("/usr/local/sbin/flap-recorder"; $f))' "$h" > "$1/$(basename "$h")" || return 1
		grep -qF -- "--socket $SOCK hook" "$1/$(basename "$h")" ||
			{ echo "examples/hooks.d/$(basename "$h"): no flap-recorder command to substitute"; return 1; }
	done
}
