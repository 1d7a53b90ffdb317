#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# End-to-end tests with real OCI runtimes: runc bundles whose config.json
# carries the hooks and the Kubernetes annotations, and podman with a hooks.d
# directory made from examples/hooks.d. A real daemon on a temporary socket
# and dump directory; the containers run a busybox-static rootfs with static
# copies of the test helpers.
#   FLAP=build/flap-recorder HELPERS=build/tests bash tests/e2e/oci.sh [TEST...]
# Needs root, runc, podman, busybox-static, jq and a static libc (libc6-dev).
# Everything it creates (runc and podman state, cgroups, files) lives under
# one temp dir or a cgroup named flap-oci-<pid>, and is removed at exit.
# Prints one line per test and a summary; exits 1 if any failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/engines.sh"

FLAP=$(realpath "${FLAP:?set FLAP to the flap-recorder binary}")
HELPERS=$(realpath "${HELPERS:?set HELPERS to the test helper directory}")
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/flap-oci.XXXXXX)
SOCK=$WORK/run/flap.sock
DUMPS=$WORK/dumps
ROOTFS=$WORK/rootfs
BUNDLES=$WORK/bundles
RUNC_ROOT=$WORK/runc-root
PM=$WORK/podman
CG=flap-oci-$$ # parent cgroup of every container, in every hierarchy
DSTOPPED=
# Host paths podman may create whatever its flags (rootful podman always makes
# /run/containers/networks; containers.conf keeps the others away): the ones
# absent now are removed at exit, if podman ran.
HOST_PATHS="/run/containers/networks /run/containers /etc/containers/networks/netavark.lock
/etc/containers/networks /etc/cni/net.d/cni.lock"
HOST_NEW=
for p in $HOST_PATHS; do [ -e "$p" ] || HOST_NEW="$HOST_NEW $p"; done

cgroup_mounts() { awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo; }

cleanup() {
	local id m d p
	[ -n "$DPID" ] && [ -n "$DSTOPPED" ] && kill -CONT "$DPID" 2>/dev/null
	if [ -d "$RUNC_ROOT" ]; then
		for id in $(runc --root "$RUNC_ROOT" list -q 2>/dev/null); do
			timeout 20 runc --root "$RUNC_ROOT" delete --force "$id" > /dev/null 2>&1
		done
	fi
	if [ -d "$PM/root" ]; then
		pm rm --all --force --time 0 > /dev/null 2>&1
		for p in $HOST_NEW; do
			if [ -d "$p" ]; then rmdir "$p"; elif [ -e "$p" ]; then rm -f "$p"; fi 2>/dev/null
		done
	fi
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	# Whatever is left in our cgroups (conmon, a stuck container) is ours.
	for m in $(cgroup_mounts); do
		[ -d "$m/$CG" ] || continue
		for _ in 1 2 3 4 5; do
			find "$m/$CG" -depth -type d 2>/dev/null | while read -r d; do
				xargs -r kill -KILL < "$d/cgroup.procs" 2>/dev/null
				rmdir "$d" 2>/dev/null
			done
			[ -d "$m/$CG" ] || break
			sleep 0.2
		done
		[ -d "$m/$CG" ] && echo "cleanup: could not remove $m/$CG"
	done
	grep -F " $WORK/" /proc/mounts | awk '{ print $2 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

R() { timeout 30 runc --root "$RUNC_ROOT" "$@"; }

DARGS=(--retain 10m)

start_daemon() { daemon_start --socket "$SOCK" --dump-dir "$DUMPS" "${DARGS[@]}"; }

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# sorted_by_time TEXT: the HH:MM:SS.uuuuuu stamps of the event lines (after
# an optional "[source]" label) never go back, and every event line has one
sorted_by_time() {
	local stamps
	stamps=$(grep -v '^#' <<< "$1" |
		sed -nE 's/^(\[[^]]*\] +)?([0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}) .*/\2/p')
	[ -n "$stamps" ] && [ "$(wc -l <<< "$stamps")" = "$(grep -vc '^#' <<< "$1")" ] &&
		sort -c <<< "$stamps"
}

# wait_for_dump POD -> prints the newest dump path under $DUMPS/POD/
wait_for_dump() {
	local p
	for _ in $(seq 50); do
		p=$(ls -t "$DUMPS/$1"/*.flap 2>/dev/null | head -1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
	done
	return 1
}

# entries POD NS -> the daemon's list entries of that pod, as a JSON array
entries() {
	f list -o json | jq -c --arg p "$1" --arg n "$2" '[.[] | select(.pod == $p and .namespace == $n)]'
}

# has_entry POD NS JQ_CONDITION: some entry of the pod satisfies the condition
has_entry() { entries "$1" "$2" | jq -e "any(.[]; $3)" > /dev/null; }

# wait_entry POD NS JQ_CONDITION: ... within 5 s
wait_entry() {
	for _ in $(seq 50); do
		has_entry "$@" && return 0
		sleep 0.1
	done
	return 1
}

no_entry() { [ "$(entries "$1" "$2")" = "[]" ]; }

not_stopped() { has_entry "$1" "$2" '.state != "stopped"'; }

# ---- fixtures -------------------------------------------------------------------

# The rootfs: busybox-static with its applet links, static test helpers.
make_rootfs() {
	local bb h
	bb=$(command -v busybox) || { echo "busybox missing (apt-get install busybox-static)"; return 1; }
	if readelf -d "$bb" 2>/dev/null | grep -q NEEDED; then
		echo "$bb is dynamically linked: install busybox-static"; return 1
	fi
	mkdir -p "$ROOTFS"/{bin,dev,etc,proc,sys,tmp,run} || return 1
	cp "$bb" "$ROOTFS/bin/busybox" && chroot "$ROOTFS" /bin/busybox --install -s /bin || return 1
	# The helpers in $HELPERS are dynamically linked: build static copies.
	for h in crasher workload; do
		[ -x "$HELPERS/$h" ] || { echo "$HELPERS/$h missing"; return 1; }
		"${CC:-gcc}" -static -O1 "$SRC/tests/helpers/$h.c" -o "$ROOTFS/bin/$h" ||
			{ echo "cannot link $h statically (libc6-dev has libc.a)"; return 1; }
	done
	chroot "$ROOTFS" /bin/workload check 1 0 > /dev/null || { echo "static workload does not run"; return 1; }
}

# The base runc spec: no terminal, the shared rootfs read-only, a cgroup under $CG.
make_base_spec() {
	mkdir -p "$BUNDLES/base" && runc spec --bundle "$BUNDLES/base" || return 1
	jq --arg root "$ROOTFS" '.process.terminal = false | .root = {path: $root, readonly: true}' \
		"$BUNDLES/base/config.json" > "$BUNDLES/base.json"
}

# k8s_ann POD NS CONTAINER [EXTRA_JSON]: the annotations CRI-O gives a container
k8s_ann() {
	local x=${4:-} h
	[ -n "$x" ] || x='{}'
	h=$(printf '%s' "$1" | md5sum)
	jq -nc --arg p "$1" --arg n "$2" --arg c "$3" --argjson x "$x" \
		--arg u "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}" \
		'{"io.kubernetes.pod.name": $p, "io.kubernetes.pod.namespace": $n,
		  "io.kubernetes.pod.uid": $u, "io.kubernetes.container.name": $c} + $x'
}

# hook_entries [STAGE...]: the runc hook entries running $FLAP directly
# (default: createRuntime and poststop)
hook_entries() {
	local stages=${*:-createRuntime poststop}
	jq -nc --arg f "$FLAP" --arg s "$SOCK" --arg st "$stages" '
		$st | split(" ") | map({key: ., value: [{path: $f, timeout: 5,
			args: ["flap-recorder", "--socket", $s, "hook", .]}]}) | from_entries'
}

# hook_entries_logged TAG: the same, through sh, saving the hook's stdin to
# $WORK/TAG.<stage>.json and its stderr to $WORK/TAG.<stage>.err
hook_entries_logged() {
	jq -nc --arg f "$FLAP" --arg s "$SOCK" --arg w "$WORK/$1" '
		["createRuntime", "poststop"] | map({key: ., value: [{path: "/bin/sh", timeout: 5,
			args: ["sh", "-c", "cat > \($w).\(.).json; exec \($f) --socket \($s) hook \(.)" +
				" < \($w).\(.).json 2> \($w).\(.).err"]}]})
		| from_entries'
}

# make_bundle NAME ARGS_JSON ANNOTATIONS_JSON HOOKS_JSON -> the container id
make_bundle() {
	local b=$BUNDLES/$1
	mkdir -p "$b" || return 1
	jq --argjson a "$2" --argjson ann "$3" --argjson h "$4" --arg cg "/$CG/$1" \
		'.process.args = $a | .annotations = $ann | .hooks = $h | .linux.cgroupsPath = $cg' \
		"$BUNDLES/base.json" > "$b/config.json" || return 1
	echo "$1-$CG"
}

# runc_run NAME ID: `runc run` in the foreground (deleted at exit: poststop)
runc_run() { R run --bundle "$BUNDLES/$1" "$2" < /dev/null > "$WORK/$1.out" 2>&1; }

# ---- tests --------------------------------------------------------------------

# runc create/start/delete: createRuntime registers the container with its pod
# names before it runs, dump shows its calls, poststop marks it stopped.
test_runc_hooks() {
	local id out uid
	uid=$(k8s_ann oci-web shop nginx | jq -r '.["io.kubernetes.pod.uid"]')
	id=$(make_bundle r1 '["/bin/workload","r1","15","20"]' "$(k8s_ann oci-web shop nginx)" \
		"$(hook_entries)") || return 1
	R create --bundle "$BUNDLES/r1" "$id" < /dev/null > "$WORK/r1.out" 2>&1 ||
		{ echo "    runc create failed:"; cat "$WORK/r1.out"; return 1; }
	expect "registered at create: pod, namespace, container, id, uid" has_entry oci-web shop \
		".container == \"nginx\" and .container_id == \"$id\" and .pod_uid == \"$uid\"" &&
	expect "list shows pod/ns/container" grepq -E "^nginx +shop +oci-web +nginx " <<< "$(f list)" || return 1
	R start "$id" || { echo "    runc start failed"; return 1; }
	for _ in $(seq 100); do
		[ "$(R state "$id" | jq -r .status)" = stopped ] && break
		sleep 0.05
	done
	expect "the workload ran" grepq ready "$WORK/r1.out" &&
	expect "not marked stopped before runc delete" not_stopped oci-web shop || return 1
	out=$(f dump oci-web -n shop)
	expect "dump header names the pod" grepq '^# pod oci-web, namespace shop' <<< "$out" &&
	expect "dump header names the container" grepq "^# container nginx: id ${id:0:12}" <<< "$out" &&
	expect "workload's first openat" grepq 'openat(AT_FDCWD[^,]*, "/flap/r1-0".*ENOENT' <<< "$out" &&
	expect "workload's last openat" grepq 'openat(AT_FDCWD[^,]*, "/flap/r1-14".*ENOENT' <<< "$out" &&
	expect "workload's write" grepq 'write(3</dev/null>, "r1 14", 5) = 5' <<< "$out" &&
	expect "exit_group(0)" grepq 'exit_group(0) *= ?' <<< "$out" || return 1
	R delete "$id" || { echo "    runc delete failed"; return 1; }
	expect "poststop marked it stopped" wait_entry oci-web shop '.state == "stopped"' &&
	expect "list says stopped" grepq -E "^nginx +shop +oci-web +nginx +[0-9]+ stopped" <<< "$(f list)" &&
	expect "dump after delete" grepq '"/flap/r1-14"' <<< "$(f dump oci-web -n shop)"
}

# A child of the container's process segfaults: a crash dump named by pod,
# saying who and why, ending with the crasher's last calls. This bundle uses
# the deprecated prestart stage, which runc still runs.
test_runc_crash() {
	local id p out st
	id=$(make_bundle r2 '["/bin/crasher","child-segv","oci-crash"]' \
		"$(k8s_ann oci-crashpod prod worker)" "$(hook_entries prestart poststop)") || return 1
	runc_run r2 "$id"; st=$?
	expect "container's process exits 0 (got $st)" [ "$st" = 0 ] || { cat "$WORK/r2.out"; return 1; }
	p=$(wait_for_dump oci-crashpod) || { echo "    no dump under $DUMPS/oci-crashpod"; ls -R "$DUMPS"; return 1; }
	expect "dump file named by pod/container/signal ($p)" \
		grepq -E "^$DUMPS/oci-crashpod/[^/]*worker[^/]*SIGSEGV[^/]*\.flap$" <<< "$p" || return 1
	out=$(f show "$p")
	expect "header: pod and namespace" grepq '^# pod oci-crashpod, namespace prod' <<< "$out" &&
	expect "header: container" grepq "^# container worker: id ${id:0:12}" <<< "$out" &&
	expect "header: reason SIGSEGV" grepq '^# reason: crash: SIGSEGV' <<< "$out" &&
	expect "last calls: openat of /flap/oci-crash" grepq 'openat(AT_FDCWD[^,]*, "/flap/oci-crash".*ENOENT' <<< "$out" &&
	expect "last calls: write 'about to oci-crash'" grepq '"about to oci-crash"' <<< "$out" &&
	expect "getppid after the write" sh -c "grep -A3 'about to oci-crash' | grep -q getppid" <<< "$out" &&
	expect "ends with the SIGSEGV" grepq 'killed by SIGSEGV' <<< "$(tail -1 <<< "$out")" &&
	expect "dumps lists it" grepq 'oci-crashpod' <<< "$(f dumps)"
}

# Two containers of one pod: dump POD merges them by time, each line labelled.
test_two_containers() {
	local ia ib pa pb out
	ia=$(make_bundle mweb '["/bin/workload","mweb","30","20"]' "$(k8s_ann oci-shop prod web)" \
		"$(hook_entries)") &&
	ib=$(make_bundle mdb '["/bin/workload","mdb","30","20"]' "$(k8s_ann oci-shop prod db)" \
		"$(hook_entries)") || return 1
	runc_run mweb "$ia" & pa=$!
	runc_run mdb "$ib" & pb=$!
	wait $pa && wait $pb || { echo "    a container failed"; cat "$WORK"/m*.out; return 1; }
	expect "two containers in the pod" [ "$(entries oci-shop prod | jq length)" = 2 ] || return 1
	out=$(f dump oci-shop -n prod)
	expect "header names web" grepq "^# container web: id ${ia:0:12}" <<< "$out" &&
	expect "header names db" grepq "^# container db: id ${ib:0:12}" <<< "$out" &&
	expect "web's calls" grepq '"/flap/mweb-29"' <<< "$out" &&
	expect "db's calls" grepq '"/flap/mdb-29"' <<< "$out" &&
	expect "web's calls labelled [web]" [ -z "$(grep '"/flap/mweb-' <<< "$out" | grep -v '\[web\]')" ] &&
	expect "db's calls labelled [db]" [ -z "$(grep '"/flap/mdb-' <<< "$out" | grep -v '\[db\]')" ] &&
	expect "every event line labelled" \
		[ -z "$(grep -v '^#' <<< "$out" | grep -vE '^\[(web|db)\] +[0-9:.]+ \[pid ')" ] &&
	expect "merged by time" sorted_by_time "$out" &&
	expect "interleaved (the two ran together)" [ "$(grep -o '/flap/m[a-z]*-' <<< "$out" | uniq | wc -l)" -gt 2 ]
}

# Pause containers and opted-out pods are not recorded; buffer-size 0 records
# the calls without the bytes; containerd's CRI annotations name the pod too.
test_annotations() {
	local ip io ib ic out st
	ip=$(make_bundle apause '["/bin/workload","apause","3","5"]' \
		"$(k8s_ann oci-pause prod pause '{"io.kubernetes.cri.container-type":"sandbox"}')" "$(hook_entries)") &&
	io=$(make_bundle aout '["/bin/workload","aout","3","5"]' \
		"$(k8s_ann oci-optout prod app '{"flap-recorder.io/record":"false"}')" "$(hook_entries)") &&
	ib=$(make_bundle anobuf '["/bin/workload","anobuf","3","5"]' \
		"$(k8s_ann oci-nobuf prod app '{"flap-recorder.io/buffer-size":"0"}')" "$(hook_entries)") || return 1
	ic=$(make_bundle acri '["/bin/workload","acri","3","5"]' '{"io.kubernetes.cri.container-type":"container",
		"io.kubernetes.cri.sandbox-name":"oci-cri","io.kubernetes.cri.sandbox-namespace":"prod",
		"io.kubernetes.cri.sandbox-uid":"4f9c2d1e-0000-4000-8000-000000000001",
		"io.kubernetes.cri.container-name":"app"}' "$(hook_entries)") || return 1
	runc_run apause "$ip" && runc_run aout "$io" && runc_run anobuf "$ib" && runc_run acri "$ic" ||
		{ echo "    a container failed"; cat "$WORK"/a*.out; return 1; }
	expect "sandbox container not recorded" no_entry oci-pause prod &&
	expect "record=false not recorded" no_entry oci-optout prod || return 1
	f dump oci-optout -n prod > /dev/null 2>&1; st=$?
	expect "dump of the opted-out pod fails (exit $st)" [ "$st" = 1 ] || return 1
	expect "buffer-size 0 recorded, with buffer size 0" has_entry oci-nobuf prod '.buffer_size == 0' || return 1
	out=$(f dump oci-nobuf -n prod)
	expect "calls recorded" grepq 'openat(AT_FDCWD[^,]*, "/flap/anobuf-2"' <<< "$out" &&
	expect "writes recorded" grepq -E '^[0-9:.]+ \[pid [0-9]+\] write\(3</dev/null>, 0x[0-9a-f]+, 8\) = 8' <<< "$out" &&
	expect "no buffer bytes" [ -z "$(grep -E '"anobuf [0-9]"|write\(3, "' <<< "$out")" ] &&
	expect "containerd annotations: pod, namespace, uid, container" has_entry oci-cri prod \
		'.container == "app" and .pod_uid == "4f9c2d1e-0000-4000-8000-000000000001"' &&
	expect "containerd annotations: dump" grepq '"/flap/acri-2"' <<< "$(f dump oci-cri -n prod)"
}

# bad_annotation ID KEY VALUE WHY: the hook (--strict) given container ID
# with annotation flap-recorder.io/KEY=VALUE exits 1 with the one line WHY,
# and registers nothing.
bad_annotation() {
	local err st state="{\"ociVersion\":\"1.0.2\",\"id\":\"$1\",\"pid\":$$,
		\"annotations\":{\"flap-recorder.io/$2\":\"$3\"}}"
	err=$(f hook --strict createRuntime 2>&1 <<< "$state"); st=$?
	expect "bad $2: --strict exits 1 (got $st)" [ "$st" = 1 ] &&
	expect "bad $2: one line ($err)" [ "$(wc -l <<< "$err")" = 1 ] &&
	expect "bad $2: says why ($err)" grepq "$4" <<< "$err" &&
	expect "bad $2: nothing registered" \
		[ -z "$(f list -o json | jq -r ".[] | select(.container_id == \"$1\") | .name")" ]
}

# flap-recorder.io/syscalls: the container is recorded with that in-kernel
# filter and its dumps say so; a bad set is refused with one line (the
# container runs unrecorded, or does not start with --strict).
test_annotation_syscalls() {
	local id out
	id=$(make_bundle asys '["/bin/workload","asys","3","5"]' \
		"$(k8s_ann oci-sys prod app '{"flap-recorder.io/syscalls":"%file"}')" "$(hook_entries)") ||
		return 1
	runc_run asys "$id" || { echo "    the container failed"; cat "$WORK/asys.out"; return 1; }
	expect "recorded with the set" has_entry oci-sys prod '.syscalls == "%file"' || return 1
	out=$(f dump oci-sys -n prod)
	expect "dump header names the set" \
		grepq '^# recorded syscalls: trace=%file (in-kernel filter)$' <<< "$out" &&
	expect "openat recorded" grepq 'openat(AT_FDCWD[^,]*, "/flap/asys-2"' <<< "$out" &&
	expect "write not recorded" [ -z "$(grep -v '^#' <<< "$out" | grep ' write(')" ] || return 1
	bad_annotation badsys syscalls %file,opne \
		"annotation flap-recorder.io/syscalls is \"%file,opne\": unknown syscall 'opne'"
}

# flap-recorder.io/exact-durations: "true": the hook asks for exact
# durations, every call the container made has its duration; a bad value is
# one line and registers nothing.
test_annotation_exact_durations() {
	local id out
	id=$(make_bundle aexact '["/bin/workload","aexact","3","5"]' \
		"$(k8s_ann oci-exact prod app '{"flap-recorder.io/exact-durations":"true"}')" \
		"$(hook_entries)") || return 1
	runc_run aexact "$id" || { echo "    the container failed"; cat "$WORK/aexact.out"; return 1; }
	expect "recorded with exact durations" has_entry oci-exact prod '.exact_durations == true' ||
		return 1
	out=$(f dump oci-exact -n prod)
	expect "the workload's calls" grepq 'openat(AT_FDCWD[^,]*, "/flap/aexact-2"' <<< "$out" &&
	expect "no durations line" [ -z "$(grep '^# durations' <<< "$out")" ] &&
	expect "json header true" \
		[ "$(f dump oci-exact -n prod -o json | head -1 | jq -r .exact_durations)" = true ] &&
	expect "no call without its duration" \
		[ -z "$(f dump oci-exact -n prod -o json | grep duration_short)" ] || return 1
	bad_annotation badexact exact-durations yes \
		'annotation flap-recorder.io/exact-durations is "yes", want "true" or "false"'
}

# podman with hooks.d made from examples/hooks.d: registered with the pod
# names from --annotation, dumped, stopped by podman's poststop; a crash
# (exit 139) is dumped.
test_podman() {
	local out st p
	cp -a "$ROOTFS" "$WORK/prootfs" || return 1 # podman writes /etc/hosts etc. into it
	pm_run --annotation io.kubernetes.pod.name=oci-pm \
		--annotation io.kubernetes.pod.namespace=pmns --annotation io.kubernetes.container.name=pmctr \
		--rootfs "$WORK/prootfs" /bin/workload pmw 10 10 > "$WORK/pm1.out" 2>&1; st=$?
	expect "podman run exits 0 (got $st)" [ "$st" = 0 ] || { cat "$WORK/pm1.out"; return 1; }
	expect "registered with pod/ns/container" has_entry oci-pm pmns '.container == "pmctr"' &&
	expect "poststop (podman's) marked it stopped" wait_entry oci-pm pmns '.state == "stopped"' || return 1
	out=$(f dump oci-pm -n pmns)
	expect "dump header names the pod" grepq '^# pod oci-pm, namespace pmns' <<< "$out" &&
	expect "dump header names the container" grepq '^# container pmctr: id ' <<< "$out" &&
	expect "workload's openat" grepq 'openat(AT_FDCWD[^,]*, "/flap/pmw-9".*ENOENT' <<< "$out" &&
	expect "workload's write" grepq 'write(3</dev/null>, "pmw 9", 5) = 5' <<< "$out" || return 1

	pm_run --annotation io.kubernetes.pod.name=oci-pmcrash \
		--annotation io.kubernetes.pod.namespace=pmns \
		--rootfs "$WORK/prootfs" /bin/crasher segv pm-crash > "$WORK/pm2.out" 2>&1; st=$?
	expect "crashing container exits 139 (got $st)" [ "$st" = 139 ] || { cat "$WORK/pm2.out"; return 1; }
	p=$(wait_for_dump oci-pmcrash) || { echo "    no dump under $DUMPS/oci-pmcrash"; ls -R "$DUMPS"; return 1; }
	out=$(f show "$p")
	expect "header: pod and namespace" grepq '^# pod oci-pmcrash, namespace pmns' <<< "$out" &&
	expect "header: container named by short id" grepq -E '^# container [0-9a-f]{12}: id [0-9a-f]{12}' <<< "$out" &&
	expect "header: reason SIGSEGV" grepq '^# reason: crash: SIGSEGV' <<< "$out" &&
	expect "last calls: openat, write, getppid" \
		sh -c "grep -A3 '\"/flap/pm-crash\"' | grep -A2 '\"about to pm-crash\"' | grep -q getppid" <<< "$out" &&
	expect "no podman container left (--rm)" [ -z "$(pm ps -aq)" ]
}

# The hooks.d wrapper when the binary is not installed: the hook is a no-op
# and the container runs.
test_podman_no_binary() {
	local st
	[ -d "$WORK/prootfs" ] || cp -a "$ROOTFS" "$WORK/prootfs" || return 1
	mkdir -p "$PM/hooks-nobin" && make_hooks_d "$PM/hooks-nobin" "$WORK/not-installed/flap-recorder" ||
		return 1
	PM_HOOKS=$PM/hooks-nobin pm_run --annotation io.kubernetes.pod.name=oci-nobin \
		--annotation io.kubernetes.pod.namespace=pmns --rootfs "$WORK/prootfs" \
		/bin/sh -c 'exit 5' > "$WORK/pm3.out" 2>&1; st=$?
	expect "container ran, exit 5 (got $st)" [ "$st" = 5 ] || { cat "$WORK/pm3.out"; return 1; }
	expect "not recorded" no_entry oci-nobin pmns
}

# check_hook_time TAG STAGE MIN_MS MAX_MS MESSAGE: run the hook by hand on the
# state the runtime gave it; exit 0, in the time bounds, the message on stderr
check_hook_time() {
	local t0 ms st err
	t0=$(date +%s%N)
	err=$("$FLAP" --socket "$SOCK" hook "$2" < "$WORK/$1.$2.json" 2>&1 > /dev/null); st=$?
	ms=$(ms_since "$t0")
	expect "$2 hook by hand exits 0 (got $st)" [ "$st" = 0 ] &&
	expect "$2 hook by hand took ${ms} ms, bound $3..$4 ms" [ "$ms" -ge "$3" -a "$ms" -lt "$4" ] &&
	expect "$2 hook by hand says why ($err)" grepq -E "$5" <<< "$err" &&
	expect "$2 hook by hand: one line" [ "$(wc -l <<< "$err")" = 1 ]
}

# No daemon: a container with the hooks still starts and runs to completion,
# quickly; the hook says why it could not register.
test_daemon_down() {
	local id t0 ms st
	id=$(make_bundle down '["/bin/workload","down","3","5"]' "$(k8s_ann oci-down prod app)" \
		"$(hook_entries_logged down)") || return 1
	stop_daemon || { echo "    daemon did not stop cleanly"; return 1; }
	t0=$(date +%s%N)
	runc_run down "$id"; st=$?
	ms=$(ms_since "$t0")
	start_daemon || return 1
	expect "runc run exits 0 (got $st)" [ "$st" = 0 ] &&
	expect "the workload ran" grepq ready "$WORK/down.out" &&
	expect "container start+run took ${ms} ms (< 2000: the hooks failed fast)" [ "$ms" -lt 2000 ] &&
	expect "createRuntime hook says why ($(cat "$WORK/down.createRuntime.err"))" \
		grepq -F "container $id: not recorded: flap-recorder daemon not running at $SOCK" \
		"$WORK/down.createRuntime.err" &&
	expect "poststop hook says why ($(cat "$WORK/down.poststop.err"))" \
		grepq -F "container $id: cannot mark stopped: flap-recorder daemon not running at $SOCK" \
		"$WORK/down.poststop.err" &&
	expect "state had the pid" jq -e '.pid > 0' "$WORK/down.createRuntime.json" > /dev/null || return 1
	# The daemon is back now: with the socket gone again the same stdin gives the same answer.
	SOCK=$WORK/run/gone.sock check_hook_time down createRuntime 0 1000 "daemon not running at"
}

# A hung daemon (SIGSTOP: it accepts nothing, answers nothing): the hook gives
# up within its 2 s bound and the container still runs.
test_daemon_hung() {
	local id t0 ms st
	id=$(make_bundle hung '["/bin/workload","hung","3","5"]' "$(k8s_ann oci-hung prod app)" \
		"$(hook_entries_logged hung)") || return 1
	kill -STOP "$DPID" && DSTOPPED=1
	t0=$(date +%s%N)
	runc_run hung "$id"; st=$?
	ms=$(ms_since "$t0")
	# The socket deadline and the hard timer are both at 2 s: either message.
	check_hook_time hung createRuntime 1700 2500 "did not answer in time"
	local rc=$?
	kill -CONT "$DPID" && DSTOPPED=
	[ $rc = 0 ] || return 1
	expect "runc run exits 0 (got $st)" [ "$st" = 0 ] &&
	expect "the workload ran" grepq ready "$WORK/hung.out" &&
	expect "createRuntime + poststop took ${ms} ms (each hook at most 2 s)" [ "$ms" -lt 5000 ] &&
	expect "createRuntime hook says why ($(cat "$WORK/hung.createRuntime.err"))" \
		grepq -E "gave up after the timeout|container $id: not recorded: the daemon at $SOCK did not answer in time" \
		"$WORK/hung.createRuntime.err" &&
	expect "daemon serves again" f status > /dev/null
}

# Bad stdin: exit 0 and one line on stderr; --strict: exit 1.
test_hook_bad_stdin() {
	local name input err st strict
	while IFS='|' read -r name input; do
		for strict in "" --strict; do
			err=$(printf '%s' "$input" | f hook $strict createRuntime 2>&1 > /dev/null); st=$?
			expect "$name ${strict:-default}: exit ${strict:+1}${strict:-0} (got $st)" \
				[ "$st" = "$([ -n "$strict" ] && echo 1 || echo 0)" ] &&
			expect "$name ${strict:-default}: one line ($err)" [ "$(wc -l <<< "$err")" = 1 ] &&
			expect "$name ${strict:-default}: says hook" grepq '^flap-recorder: hook: ' <<< "$err" || return 1
		done
	done <<-EOF
		truncated|{"ociVersion":"1.0.2","id":"bad1","status":"creating","pid":12
		no pid|{"ociVersion":"1.0.2","id":"bad2","status":"creating","bundle":"/x"}
		pid string|{"ociVersion":"1.0.2","id":"bad3","status":"creating","pid":"12"}
		empty|
		not json|hello
	EOF
	err=$(f hook createRuntime 2>&1 <<< '{"ociVersion":"1.0.2","id":"bad1","pid":12')
	expect "truncated: says truncated ($err)" grepq -i 'truncated' <<< "$err" &&
	err=$(f hook createRuntime 2>&1 <<< '{"ociVersion":"1.0.2","id":"bad2","status":"creating"}')
	expect "no pid: says so ($err)" grepq 'container bad2: .*no pid' <<< "$err" &&
	expect "nothing registered" \
		[ -z "$(f list -o json | jq -r '.[] | select(.container_id | startswith("bad")) | .name')" ]
}

# The daemon refuses the peer and closes without reading the request (here:
# a non-root hook): the hook must not die of SIGPIPE (exit 141 aborts the
# container), it prints the daemon's answer and exits 0.
test_hook_refused() {
	local state err st n=0 modes m p
	command -v setpriv > /dev/null || { echo "    setpriv missing"; return 1; }
	state="{\"ociVersion\":\"1.0.2\",\"id\":\"refused\",\"status\":\"creating\",\"pid\":$$}"
	modes=$(stat -c '%a %n' "$WORK" "$(dirname "$SOCK")" "$SOCK")
	chmod 0755 "$WORK" "$(dirname "$SOCK")" && chmod 0666 "$SOCK" || return 1
	for _ in $(seq 20); do
		err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$FLAP" --socket "$SOCK" \
			hook createRuntime <<< "$state" 2>&1); st=$?
		[ "$st" = 0 ] && grepq 'container refused: not recorded: permission denied' <<< "$err" &&
			n=$((n + 1))
	done
	while read -r m p; do chmod "$m" "$p"; done <<< "$modes"
	expect "20 of 20 refused hooks exit 0 with the reason (got $n; last: exit $st, $err)" [ "$n" = 20 ]
}

# ---- runner ---------------------------------------------------------------------

ALL="test_hook_bad_stdin test_hook_refused test_runc_hooks test_runc_crash test_two_containers
test_annotations test_annotation_syscalls test_annotation_exact_durations test_podman test_podman_no_binary test_daemon_down test_daemon_hung"

require_root "e2e tests"
for c in runc jq chroot readelf; do
	command -v $c > /dev/null || { echo "$c missing"; exit 1; }
done
make_rootfs || { echo "cannot build the container rootfs"; exit 1; }
make_base_spec || { echo "runc spec failed"; exit 1; }
make_podman || echo "podman tests will fail"
start_daemon || exit 1
run_tests ${*:-$ALL}
stop_daemon || { echo "daemon did not exit cleanly"; FAIL=$((FAIL + 1)); }
summary "oci e2e" 40
