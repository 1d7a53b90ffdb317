#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# container_start.sh - what the hook adds to a container's start, with real
# engines set up as tests/e2e/docker.sh and cri.sh set them up (a private
# dockerd 20.10 and containerd 1.6, flap-runc of the static binary, a
# flap-recorder daemon). Three configurations, interleaved round by round
# (the order rotates each round), after one warm-up round:
#   runc        the engine's runc: no wrapper, no hook
#   no daemon   flap-runc, whose hooks find no daemon (wrapper, JSON edit,
#               two hook processes, no registration)
#   recorded    flap-runc with the daemon: the container is registered and
#               recorded (a recorder loaded and attached for its cgroup)
# runc: `runc run` of a bundle running /bin/true, whose config.json has the
# createRuntime and poststop hooks (none for "runc"), start to exit. podman:
# `podman run --rm --rootfs DIR /bin/true` with a hooks.d made from
# examples/hooks.d (an empty one for "runc"). Docker: `docker run --rm IMAGE
# /bin/true`, client start to exit. CRI: RunPodSandbox, CreateContainer and
# StartContainer of a one-container pod, timed in the client
# (tests/e2e/cri/cri.py bench).
#
# Results: $OUT/container_start.csv (engine,config,step,seconds) and the
# section "Container start latency" in $OUT/container_start.md; with DOCS
# set, that section replaces its namesake in $DOCS/benchmarks.md.
# Environment: FLAP, FLAP_STATIC, HELPERS, OUT (required), DOCS, N (rounds,
# default 15), ENGINES (default "runc podman docker cri"). Needs root and the packages of `make deps`. Run it under
# /tmp/flap-host-bpf.lock on a shared machine.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/engines.sh"

require_root "container start benchmarks"
FLAP=$(realpath "${FLAP:?set FLAP}")
STATIC=$(realpath "${FLAP_STATIC:?set FLAP_STATIC}")
HELPERS=$(realpath "${HELPERS:?set HELPERS}")
OUT=${OUT:?set OUT}
DOCS=${DOCS:-}
N=${N:-15}
ENGINES=${ENGINES:-runc podman docker cri}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/flap-cstart.XXXXXX)
SOCK=$WORK/run/flap.sock
NOSOCK=$WORK/run/none.sock # no daemon ever listens here
PREFIX=$WORK/prefix
CG=flap-cri-$$
IMAGE=flap-bb:bench
CRI_IMAGE=docker.io/library/flap-bb:bench
CSV=$OUT/container_start.csv
ROUND_CSV=$CSV
PM=$WORK/podman
RUNC_ROOT=$WORK/runc-root

cleanup() {
	local p
	[ -d "$PM/root" ] && pm rm --all --force --time 0 > /dev/null 2>&1
	dockerd_stop
	containerd_stop
	for p in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $WORK/"); do kill -KILL "$p"; done
	[ -n "$DPID" ] && kill -KILL "$DPID" 2> /dev/null
	remove_cgroup_tree "flap-docker-$$"
	remove_cgroup_tree "$CG"
	grep -F " $WORK/" /proc/mounts | awk '{ print $2 }' | sort -r | xargs -r -n1 umount -l 2> /dev/null
	host_paths_restore
	rm -rf "$WORK"
}
trap cleanup EXIT

ns() { date +%s%N; }

# since T0: seconds from T0 (ns) to now
since() { awk -v d=$(($(ns) - $1)) 'BEGIN { printf "%.6f", d / 1e9 }'; }

# rotate ROUND A B C: the three in the order of round ROUND
rotate() {
	case $(($1 % 3)) in
	0) echo "$2 $3 $4" ;;
	1) echo "$3 $4 $2" ;;
	2) echo "$4 $2 $3" ;;
	esac
}

# runc_hooks SOCKET: createRuntime and poststop running the installed binary
runc_hooks() {
	jq -nc --arg f "$PREFIX/sbin/flap-recorder" --arg s "$1" '
		["createRuntime", "poststop"] | map({key: ., value: [{path: $f, timeout: 5,
			args: ["flap-recorder", "--socket", $s, "hook", .]}]}) | from_entries'
}

# runc_round ROUND CONFIG...: one `runc run` per configuration
runc_round() {
	local i=$1 c t0
	shift
	for c in "$@"; do
		t0=$(ns)
		timeout 30 runc --root "$RUNC_ROOT" run --bundle "$WORK/bundles/$c" "bench-$c-$i-$$" \
			< /dev/null > /dev/null 2>&1 || { echo "runc run ($c) failed" >&2; return 1; }
		echo "runc,$c,run,$(since "$t0")" >> "$ROUND_CSV"
	done
}

bench_runc() {
	local b=$WORK/bundles c h i
	mkdir -p "$b/base" && runc spec --bundle "$b/base" || return 1
	for c in runc nodaemon recorded; do
		case $c in
		runc) h='{}' ;;
		nodaemon) h=$(runc_hooks "$NOSOCK") ;;
		recorded) h=$(runc_hooks "$SOCK") ;;
		esac
		mkdir -p "$b/$c" && jq --arg r "$WORK/rootfs" --argjson h "$h" --arg cg "/$CG/runc-$c" '
			.process.terminal = false | .process.args = ["/bin/true"] | .hooks = $h |
			.root = {path: $r, readonly: true} | .linux.cgroupsPath = $cg' \
			"$b/base/config.json" > "$b/$c/config.json" || return 1
	done
	ROUND_CSV=/dev/null runc_round 0 runc nodaemon recorded || return 1 # warm-up
	for i in $(seq "$N"); do
		runc_round "$i" $(rotate "$i" runc nodaemon recorded) || return 1
	done
}

# podman_round ROUND CONFIG...: one `podman run --rm` per configuration
podman_round() {
	local i=$1 c t0
	shift
	for c in "$@"; do
		t0=$(ns)
		PM_HOOKS=$PM/hooks-$c pm_run --rootfs "$WORK/prootfs" /bin/true > /dev/null 2>&1 ||
			{ echo "podman run ($c) failed" >&2; return 1; }
		echo "podman,$c,run,$(since "$t0")" >> "$ROUND_CSV"
	done
}

bench_podman() {
	local i
	make_podman && mkdir -p "$PM/hooks-runc" "$PM/hooks-nodaemon" "$PM/hooks-recorded" &&
		cp "$PM"/hooks.d/*.json "$PM/hooks-recorded/" &&
		SOCK=$NOSOCK make_hooks_d "$PM/hooks-nodaemon" "$PREFIX/sbin/flap-recorder" &&
		cp -a "$WORK/rootfs" "$WORK/prootfs" || return 1 # podman writes /etc/hosts into it
	ROUND_CSV=/dev/null podman_round 0 runc nodaemon recorded || return 1 # warm-up
	for i in $(seq "$N"); do
		podman_round "$i" $(rotate "$i" runc nodaemon recorded) || return 1
	done
}

# docker_round CONFIG...: one `docker run` per configuration, in this order,
# each time appended to $ROUND_CSV
docker_round() {
	local c t0 rt
	for c in "$@"; do
		case $c in
		runc) rt=runc ;;
		nodaemon) rt=flap-nodaemon ;;
		recorded) rt=flap ;;
		esac
		t0=$(ns)
		D run --rm --runtime "$rt" "$IMAGE" /bin/true > /dev/null 2>&1 ||
			{ echo "docker run --runtime $rt failed" >&2; return 1; }
		echo "docker,$c,run,$(awk -v d=$(($(ns) - t0)) 'BEGIN { printf "%.6f", d / 1e9 }')" >> "$ROUND_CSV"
	done
}

bench_docker() {
	local i
	dockerd_start "$WORK/docker" "$(jq -n --arg p "$PREFIX/sbin/flap-runc" --arg s "$SOCK" \
		--arg n "$NOSOCK" --arg d "$WORK/docker/root" '
		{flap: {path: $p, runtimeArgs: ["--flap-socket", $s, "--flap-docker-root", $d]},
		 "flap-nodaemon": {path: $p, runtimeArgs: ["--flap-socket", $n, "--flap-docker-root", $d]}}')" &&
		docker_import "$WORK/rootfs" "$IMAGE" || return 1
	ROUND_CSV=/dev/null docker_round runc nodaemon recorded || return 1 # warm-up
	for i in $(seq "$N"); do
		docker_round $(rotate "$i" runc nodaemon recorded) || return 1
	done
	dockerd_stop
}

bench_cri() {
	local r='[plugins."io.containerd.grpc.v1.cri".containerd.runtimes' raw h c
	printf '#!/bin/sh\nexec %s --flap-socket %s "$@"\n' "$PREFIX/sbin/flap-runc" "$NOSOCK" > "$WORK/flap-runc-nodaemon"
	chmod +x "$WORK/flap-runc-nodaemon"
	FLAP_SOCKET=$SOCK containerd_start "$WORK/containerd" "$(
		for h in runc flap nodaemon; do
			echo "$r.$h]"
			echo '  runtime_type = "io.containerd.runc.v2"'
			echo "$r.$h.options]"
			echo "  Root = \"$WORK/containerd/runc\""
			case $h in
			flap) echo "  BinaryName = \"$PREFIX/sbin/flap-runc\"" ;;
			nodaemon) echo "  BinaryName = \"$WORK/flap-runc-nodaemon\"" ;;
			esac
		done)" || return 1
	"$PY" "$SRC/tests/e2e/cri/oci_image.py" "$WORK/images.tar" "$WORK/rootfs" "$CRI_IMAGE=[\"/bin/true\"]" \
		'registry.k8s.io/pause:3.6=["/bin/sleep","inf"]' &&
		ctr -a "$CDIR/sock" -n k8s.io image import "$WORK/images.tar" > /dev/null || return 1
	jq -n --arg i "$CRI_IMAGE" --arg cg "/$CG" --arg l "$WORK/logs" '{
		pod: {metadata: {name: "bench", namespace: "bench"}, log_directory: $l,
		      linux: {cgroup_parent: $cg, security_context: {namespace_options: {network: "NODE"}}}},
		containers: [{metadata: {name: "app"}, image: {image: $i}, command: ["/bin/true"],
			      log_path: "app.log"}]}' > "$WORK/spec.json" && mkdir -p "$WORK/logs" || return 1
	timeout 120 "$PY" "$SRC/tests/e2e/cri/cri.py" "$CDIR/sock" bench "$WORK/spec.json" 1 \
		runc,nodaemon,flap > /dev/null || return 1
	raw=$(timeout 900 "$PY" "$SRC/tests/e2e/cri/cri.py" "$CDIR/sock" bench "$WORK/spec.json" "$N" \
		runc,nodaemon,flap) || return 1
	for h in runc nodaemon flap; do
		c=$h
		[ "$h" = flap ] && c=recorded
		jq -r --arg h "$h" --arg c "$c" '.[$h] | to_entries[] | .key as $s | .value[] |
			"cri,\($c),\($s),\(.)"' <<< "$raw" >> "$CSV"
	done
	containerd_stop
}

# stat ENGINE CONFIG STEP: "median p90" in ms of the step's samples
stat() {
	awk -F, -v e="$1" -v c="$2" -v s="$3" '$1 == e && $2 == c && $3 == s { print $4 * 1000 }' "$CSV" |
		sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "- -"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			p = v[int(NR * 0.9 + 0.999)]; printf "%.1f %.1f\n", m, p }'
}

# CRI: the pod's whole start, sandbox + create + start, per round
cri_totals() {
	# The i-th sample of each step belongs to round i.
	awk -F, '$1 == "cri" && $3 != "total" { t[$2, cnt[$2, $3]++] += $4 }
		END { for (x in t) { split(x, a, SUBSEP); print "cri," a[1] ",total," t[x] } }' "$CSV" > "$CSV.tot"
	cat "$CSV.tot" >> "$CSV" && rm -f "$CSV.tot"
}

row() {
	local e=$1 s=$2 what=$3 r n d
	r=$(stat "$e" runc "$s") n=$(stat "$e" nodaemon "$s") d=$(stat "$e" recorded "$s")
	printf '| %s | %s | %s | %s | %s | %+.1f | %+.1f |\n' "$e" "$what" \
		"${r% *} (${r#* })" "${n% *} (${n#* })" "${d% *} (${d#* })" \
		"$(awk -v a="${n% *}" -v b="${r% *}" 'BEGIN { print a - b }')" \
		"$(awk -v a="${d% *}" -v b="${r% *}" 'BEGIN { print a - b }')"
}

report() {
	local md=$OUT/container_start.md
	{
		echo "## Container start latency"
		echo
		echo "Generated by \`tests/bench/container_start.sh\`, part of \`make bench\` (\`make bench-containers\`"
		echo "runs it alone); $N rounds on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel"
		echo "$(uname -r). Each round starts one container in each configuration, in a rotating order."
		echo "Engines: runc $(runc --version | awk 'NR == 1 { print $3 }'), podman $(podman --version | awk '{ print $3 }'), dockerd $(dockerd --version | awk '{ print $3 }' | tr -d ,),"
		echo "containerd $(containerd --version | awk '{ print $3 }'),"
		echo "no network. The machine was shared with other jobs (load average at the start"
		echo "$LOAD0, at the end $(cut -d' ' -f1-3 /proc/loadavg)), so read the differences, not the absolute times."
		echo
		echo "Milliseconds, median (90th percentile). **runc**: the engine's runc, no hook"
		echo "(runc and podman: no hooks in config.json, an empty hooks.d). **no daemon**: the"
		echo "hooks find no daemon (Docker and CRI: flap-runc, the wrapper and its edit of"
		echo "config.json too): two hook processes that fail open. **recorded**: with the daemon"
		echo "(\`--pool $POOL\`), which registers the container before its first instruction: a"
		echo "recorder loaded ahead of time bound to its cgroup. Docker runs flap-runc through the"
		echo "script it makes for \`runtimeArgs\`; the CRI \"no daemon\" handler through a one-line"
		echo "script too."
		echo
		echo "| engine | step | runc | no daemon | recorded | no daemon - runc | recorded - runc |"
		echo "|---|---|---|---|---|---|---|"
		row runc run '`runc run` of `/bin/true` (hooks in config.json)'
		row podman run '`podman run --rm --rootfs` of `/bin/true` (hooks.d)'
		row docker run '`docker run --rm` of `/bin/true`'
		row cri run_pod 'RunPodSandbox (pause container: its hook skips it)'
		row cri create 'CreateContainer'
		row cri start 'StartContainer (runc create + start: the hook runs here)'
		row cri total 'the pod: all three'
		echo
	} > "$md"
	cat "$md"
	if [ -n "$DOCS" ]; then
		sh "$SRC/tests/bench/section.sh" "Container start latency" "$md" "$DOCS/benchmarks.md"
		echo "container_start: wrote the section into $DOCS/benchmarks.md"
	fi
}

mkdir -p "$OUT" || exit 1
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$CSV"
install_prefix "$PREFIX" "$STATIC" && make_image_rootfs "$WORK/rootfs" "$HELPERS" || exit 1
POOL=${POOL:-4} # the daemon's default
daemon_start --socket "$SOCK" --dump-dir "$WORK/dumps" --retain 1m --pool "$POOL" || exit 1
# recorded_check ENGINE BEFORE: the daemon registered one container per
# "recorded" start (and the warm-up's), none of the others
recorded_check() {
	local n
	n=$(($(grep -c '^flap-recorder: recording ' "$WORK/daemon.log") - $2))
	[ "$n" = $((N + 1)) ] || { echo "$1: $n containers registered, want $((N + 1))"; return 1; }
}

# bench ENGINE LABEL: bench_ENGINE when ENGINES names it, checked by recorded_check
bench() {
	local b
	case " $ENGINES " in *" $1 "*) ;; *) return 0 ;; esac
	b=$(grep -c '^flap-recorder: recording ' "$WORK/daemon.log")
	"bench_$1" && recorded_check "$1" "$b" || { echo "$2 benchmark failed"; exit 1; }
}
bench runc runc
bench podman podman
bench docker docker
bench cri CRI
stop_daemon
cri_totals
report
