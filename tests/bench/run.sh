#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# run.sh - flap-recorder benchmarks (make bench). In one run it measures
# five workloads under the recorder and its peers, interleaved and repeated:
# every configuration block is preceded by a bare block, the configuration
# order is shuffled per repetition, the workload is pinned to CPU 1 with
# taskset and runs in its own cgroup2 group (tracers float, except one strace
# configuration pinned to the workload's CPU). Then: history
# per MiB of ring, dump latency, memory per traced cgroup, untraced cost
# with many cgroups registered, a noisy neighbour, real servers (nginx, redis,
# PostgreSQL: servers.sh, sourced; SERVERS_ONLY=1 runs only that part, for
# make bench-servers), in a separate pass (never mixed with timing runs)
# BPF run times from kernel.bpf_stats_enabled, then crash to dump file,
# registration latency (registration.sh) and, with FLAP_STATIC set, the
# container start latency of real engines (container_start.sh).
#
# Raw numbers go to $OUT/*.csv, a report to $OUT/benchmarks.md and a plot to
# $OUT/bench-getppid.png; both are copied to $DOCS when it is set.
#
# Environment: HELPERS (built workloads and flapbench), OUT (results dir),
# DOCS (optional), FLAPBENCH (default $HELPERS/flapbench), QUICK=1 (about
# two minutes: fewer repetitions, smaller counts), REPS (override).
# The kernel state it touches (tracefs settings, bpf_stats_enabled, its
# cgroups) is restored on exit, also on failure or interruption.

set -u

: "${HELPERS:?HELPERS must name the directory of the built helpers}"
: "${OUT:?OUT must name the results directory}"
FLAPBENCH=${FLAPBENCH:-$HELPERS/flapbench}
QUICK=${QUICK:-0}
DOCS=${DOCS:-}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP bench: needs root (BPF, cgroups, tracefs)"
	exit 0
fi
for f in "$FLAPBENCH" "$HELPERS/bench_getppid" "$HELPERS/bench_openrc" "$HELPERS/bench_write"; do
	[ -x "$f" ] || { echo "bench: missing $f (make bench builds it)" >&2; exit 1; }
done

# ---- parameters --------------------------------------------------------------
RING_PAGES=16			# flap-recorder's default ring: 16 pages (64 KiB) per CPU
RING_KB=$((RING_PAGES * 4))	# matched: perf -m, ftrace buffer_size_kb, bpftrace pages
HIST_PAGES=256			# 1 MiB per CPU ring for history per MiB
CONFIGS="floor untraced traced traced_nobuf traced_exact strace strace_cpu1 perf_trace perf_record ftrace bpftrace"
# The compat programs (what kernels before 5.17 run), forced on this kernel.
CONFIGS="$CONFIGS untraced_compat traced_compat"
# BASELINE=DIR: another checkout's build dir (its tests/flapbench), run in the
# same repetitions as untraced_base and traced_base: before/after, same run.
BASELINE=${BASELINE:-}
if [ -n "$BASELINE" ]; then
	[ -x "$BASELINE/tests/flapbench" ] || { echo "bench: BASELINE=$BASELINE: no tests/flapbench there" >&2; exit 1; }
	CONFIGS="$CONFIGS untraced_base traced_base"
fi
WORKLOADS="getppid openrc write dd forkexec"
if [ "$QUICK" = 1 ]; then
	REPS=${REPS:-3}
	N_getppid=200000 N_openrc=40000 N_write=100000 N_dd=40000 N_forkexec=100
	MANY=100 NB_REPS=3 DUMP_REPS=5 N_STATS=200000 STATS_ROUNDS=2
else
	REPS=${REPS:-7}
	N_getppid=1000000 N_openrc=200000 N_write=500000 N_dd=200000 N_forkexec=300
	MANY=1000 NB_REPS=7 DUMP_REPS=9 N_STATS=1000000 STATS_ROUNDS=5
fi
# strace and perf trace are 100-1000x slower: they get fewer iterations.
SLOW_DIV=50 SLOW_DIV_FORK=5
# History runs produce several times what a 1 MiB ring holds.
H_getppid=200000 H_openrc=60000 H_write=100000

mkdir -p "$OUT"
TMP=$OUT/tmp
rm -rf "$TMP"
mkdir -p "$TMP"
READY=$TMP/ready
LOG=$OUT/run.log
: >"$LOG"

log() {
	printf '%s\n' "$*" | tee -a "$LOG" >&2
}

now_ns() {
	date +%s%N
}

# ---- cleanup: whatever happens, leave the machine as we found it -------------
TRACER_PID= NB_PID= FTRACE_ON=0 TRACEFS= TRACEFS_MOUNTED=0 STATS_OLD= BASE=
cleanup() {
	[ -n "$TRACER_PID" ] && kill -INT "$TRACER_PID" 2>/dev/null && wait "$TRACER_PID" 2>/dev/null
	[ -n "$NB_PID" ] && kill "$NB_PID" 2>/dev/null && wait "$NB_PID" 2>/dev/null
	TRACER_PID= NB_PID=
	[ "$FTRACE_ON" = 1 ] && ftrace_restore
	[ -n "$STATS_OLD" ] && sysctl -qw kernel.bpf_stats_enabled="$STATS_OLD"
	STATS_OLD=
	[ "$TRACEFS_MOUNTED" = 1 ] && umount "$TRACEFS" && TRACEFS_MOUNTED=0
	if [ -n "$BASE" ] && [ -d "$BASE" ]; then
		# A server or workload still running (interrupted): its cgroup must empty.
		for p in $(cat "$BASE"/*/cgroup.procs 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		[ -n "${SRV_PID:-}" ] && wait "$SRV_PID" 2>/dev/null
		sleep 0.2
		for d in "$BASE"/others/* "$BASE"/others "$BASE"/*; do
			[ -d "$d" ] && rmdir "$d" 2>/dev/null
		done
		rmdir "$BASE" 2>/dev/null
	fi
	BASE=
}
trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT TERM

# ---- cgroups: under the cgroup2 mount found from /proc/self/mountinfo --------
CGROOT=$("$FLAPBENCH" cgroup-root) || { echo "bench: no cgroup2 mount" >&2; exit 1; }
BASE=$CGROOT/flap-bench-$$
CG_A=$BASE/A	# the measured workload
CG_B=$BASE/B	# the noisy neighbour
CG_D=$BASE/D	# dump-latency fillers
mkdir -p "$CG_A" "$CG_B" "$CG_D" || exit 1
CG_A_REL=${CG_A#"$CGROOT"/}
CG_B_REL=${CG_B#"$CGROOT"/}

# Run "$@" inside cgroup $1 pinned to CPU $2 (the shell moves itself first).
IN_CG='cg=$0 cpu=$1; shift; echo $$ > "$cg/cgroup.procs" || exit 1; exec taskset -c "$cpu" "$@"'

# ---- workloads: each prints ns per operation ---------------------------------
WRAP=
# run_workload NAME N [CGROUP] - one timed run under the current WRAP.
run_workload() {
	wl=$1 n=$2 cg=${3:-$CG_A}
	case $wl in
	getppid)
		$WRAP sh -c "$IN_CG" "$cg" 1 "$HELPERS/bench_getppid" "$n" ;;
	openrc)
		$WRAP sh -c "$IN_CG" "$cg" 1 "$HELPERS/bench_openrc" "$n" "$TMP/small" ;;
	write)
		$WRAP sh -c "$IN_CG" "$cg" 1 "$HELPERS/bench_write" "$n" ;;
	dd)
		t0=$(now_ns)
		$WRAP sh -c "$IN_CG" "$cg" 1 dd if=/dev/zero of=/dev/null bs=1 count="$n" \
			status=none || return 1
		t1=$(now_ns)
		awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.1f\n", (b - a) / n }' ;;
	forkexec)
		t0=$(now_ns)
		$WRAP sh -c "$IN_CG" "$cg" 1 sh -c \
			'i=0; while [ $i -lt "$1" ]; do /bin/true; i=$((i + 1)); done' sh "$n" ||
			return 1
		t1=$(now_ns)
		awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.1f\n", (b - a) / n }' ;;
	esac
}

# Iterations of workload $1 under configuration $2.
count_for() {
	eval "n=\$N_$1"
	case $2 in
	strace | strace_cpu1 | perf_trace)
		if [ "$1" = forkexec ]; then n=$((n / SLOW_DIV_FORK)); else n=$((n / SLOW_DIV)); fi ;;
	esac
	echo "$n"
}

# ---- tracers -----------------------------------------------------------------
# wait_ready FILE PID TIMEOUT_S - wait until FILE exists while PID lives.
wait_ready() {
	i=0
	while [ ! -e "$1" ]; do
		kill -0 "$2" 2>/dev/null || return 1
		i=$((i + 1))
		[ $i -gt $(($3 * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

start_flapbench() {
	rm -f "$READY"
	"$FLAPBENCH" "$@" --ready "$READY" >"$TMP/flapbench.out" 2>"$TMP/flapbench.err" &
	TRACER_PID=$!
	wait_ready "$READY" "$TRACER_PID" 900 || { cat "$TMP/flapbench.err" >&2; return 1; }
}

start_perf_record() {
	rm -f "$TMP/perf.ctl" "$TMP/perf.ack"
	mkfifo "$TMP/perf.ctl" "$TMP/perf.ack" || return 1
	# Started with events disabled; "enable" is acked once they are on.
	perf record --overwrite -m "$RING_PAGES" -e raw_syscalls:sys_enter,raw_syscalls:sys_exit \
		-G "$1,$1" -a -o "$TMP/perf.data" -D -1 \
		--control "fifo:$TMP/perf.ctl,$TMP/perf.ack" >"$TMP/perf.log" 2>&1 &
	TRACER_PID=$!
	timeout 30 sh -c 'echo enable > "$0"; read -r a < "$1"; [ "$a" = ack ]' \
		"$TMP/perf.ctl" "$TMP/perf.ack" || { cat "$TMP/perf.log" >&2; return 1; }
}

start_bpftrace() {
	BPFTRACE_PERF_RB_PAGES=$RING_PAGES bpftrace -e \
		"tracepoint:raw_syscalls:sys_enter,tracepoint:raw_syscalls:sys_exit
		 /cgroup == cgroupid(\"$1\")/ { @c = count(); }" >"$TMP/bpftrace.out" 2>&1 &
	TRACER_PID=$!
	i=0
	until grep -q '^Attaching' "$TMP/bpftrace.out"; do
		kill -0 "$TRACER_PID" 2>/dev/null || { cat "$TMP/bpftrace.out" >&2; return 1; }
		i=$((i + 1))
		[ $i -gt 600 ] && return 1
		sleep 0.05
	done
}

find_tracefs() {
	TRACEFS=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "tracefs")
		{ print $5; exit } break } }' /proc/self/mountinfo)
	if [ -z "$TRACEFS" ]; then
		TRACEFS=/sys/kernel/tracing
		mount -t tracefs nodev "$TRACEFS" || return 1
		TRACEFS_MOUNTED=1
	fi
}

# ftrace flight recorder: raw_syscalls on, overwrite on, matched buffer.
# ftrace has no cgroup filter: its cost is system-wide.
start_ftrace() {
	[ -n "$TRACEFS" ] || find_tracefs || return 1
	# "7 (expanded: 1408)" before first use: restore the size a user would get.
	FT_KB=$(sed -n 's/.*expanded: \([0-9]*\).*/\1/p; t; s/^\([0-9]*\).*/\1/p' \
		"$TRACEFS/buffer_size_kb" | head -n 1)
	FT_OVW=$(cat "$TRACEFS/options/overwrite")
	FT_ON=$(cat "$TRACEFS/tracing_on")
	FTRACE_ON=1
	echo "$RING_KB" >"$TRACEFS/buffer_size_kb" &&
		echo 1 >"$TRACEFS/options/overwrite" &&
		: >"$TRACEFS/trace" &&
		echo 1 >"$TRACEFS/events/raw_syscalls/enable" &&
		echo 1 >"$TRACEFS/tracing_on"
}

ftrace_restore() {
	echo 0 >"$TRACEFS/events/raw_syscalls/enable"
	cat "$TRACEFS/per_cpu/cpu1/stats" >"$TMP/ftrace.stats" 2>/dev/null
	: >"$TRACEFS/trace"
	echo "$FT_KB" >"$TRACEFS/buffer_size_kb"
	echo "$FT_OVW" >"$TRACEFS/options/overwrite"
	echo "$FT_ON" >"$TRACEFS/tracing_on"
	FTRACE_ON=0
}

# start_cfg NAME [CGROUP_REL CGROUP] - set up a configuration.
start_cfg() {
	WRAP= TRACER_PID=
	rel=${2:-$CG_A_REL} cg=${3:-$CG_A}
	case $1 in
	bare | nb_bare) ;;
	floor) start_flapbench floor ;;
	floor_*) start_flapbench floor --variant "${1#floor_}" ;;
	idle) start_flapbench record ;;
	untraced) start_flapbench record --others 4 --others-dir "$BASE/others" ;;
	# The untraced/traced configurations again, with the compat programs
	# forced or with the baseline build's flapbench.
	untraced_compat | traced_compat)
		export FLAP_BPF_VARIANT=compat
		start_cfg "${1%_compat}" "$rel" "$cg"
		st=$?
		unset FLAP_BPF_VARIANT
		return $st ;;
	untraced_base | traced_base)
		main_fb=$FLAPBENCH
		FLAPBENCH=$BASELINE/tests/flapbench
		start_cfg "${1%_base}" "$rel" "$cg"
		st=$?
		FLAPBENCH=$main_fb
		return $st ;;
	traced | nb_flap) start_flapbench record --cgroup "$cg" --ring-pages "$RING_PAGES" ;;
	traced_nobuf) start_flapbench record --cgroup "$cg" --ring-pages "$RING_PAGES" --buf-max 0 ;;
	traced_exact) start_flapbench record --cgroup "$cg" --ring-pages "$RING_PAGES" --exact-durations ;;
	strace) WRAP="strace -f -qq -o $TMP/strace.out" ;;
	# ptrace stops cost far less when tracer and tracee share a CPU (no IPI).
	strace_cpu1) WRAP="taskset -c 1 strace -f -qq -o $TMP/strace.out" ;;
	perf_trace) WRAP="perf trace -o $TMP/perf-trace.out --" ;;
	perf_record | nb_perf_record) start_perf_record "$rel" ;;
	ftrace) start_ftrace ;;
	bpftrace) start_bpftrace "$cg" ;;
	*) return 1 ;;
	esac
}

stop_cfg() {
	if [ -n "$TRACER_PID" ]; then
		kill -INT "$TRACER_PID" 2>/dev/null
		wait "$TRACER_PID" 2>/dev/null
	fi
	TRACER_PID= WRAP=
	[ "$FTRACE_ON" = 1 ] && ftrace_restore
	rm -f "$TMP/strace.out" "$TMP/perf-trace.out" "$TMP/perf.data" "$TMP/perf.data.old"
	return 0
}

# ---- real servers alone (make bench-servers) -----------------------------------
if [ "${SERVERS_ONLY:-0}" = 1 ]; then
	. "$(dirname "$0")/servers.sh"
	if [ -n "$DOCS" ] && [ -f "$OUT/servers.md" ] && [ -f "$DOCS/benchmarks.md" ]; then
		sh "$(dirname "$0")/section.sh" "Real servers" "$OUT/servers.md" "$DOCS/benchmarks.md"
		[ -f "$OUT/bench-servers.png" ] && cp "$OUT/bench-servers.png" "$DOCS/bench-servers.png"
		log "bench: wrote the real servers' section of $DOCS/benchmarks.md"
	fi
	rm -rf "$TMP"
	exit 0
fi

# ---- main timing loop ---------------------------------------------------------
RAW=$OUT/raw.csv
SEQ=0
echo "seq,rep,config,workload,n,ns_per_op,bare_ns_per_op" >"$RAW"

# block REP CONFIG - every workload once under CONFIG; BARE_<wl> pairs ratios.
block() {
	for wl in $WORKLOADS; do
		n=$(count_for "$wl" "$2")
		v=$(run_workload "$wl" "$n" 2>>"$LOG" | tail -n 1)
		case $v in '' | *[!0-9.]*) log "bench: $2/$wl rep $1: no result"; continue ;; esac
		[ "$2" = bare ] && eval "BARE_$wl=\$v"
		eval "b=\${BARE_$wl:-}"
		SEQ=$((SEQ + 1))
		echo "$SEQ,$1,$2,$wl,$n,$v,$b" >>"$RAW"
	done
}

echo "a small file read by the open/read/close workload" >"$TMP/small"
T_START=$(now_ns)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "bench: $REPS repetitions, configurations: $CONFIGS"
log "bench: warm-up"
for wl in $WORKLOADS; do run_workload "$wl" "$(count_for "$wl" bare)" >/dev/null 2>&1; done

rep=1
while [ $rep -le "$REPS" ]; do
	for cfg in $(printf '%s\n' $CONFIGS | shuf); do
		block "$rep" bare
		if start_cfg "$cfg"; then
			block "$rep" "$cfg"
		else
			log "bench: $cfg: could not start (rep $rep)"
		fi
		stop_cfg
	done
	log "bench: repetition $rep/$REPS done ($(( ($(now_ns) - T_START) / 1000000000 )) s)"
	rep=$((rep + 1))
done

# ---- history per MiB of ring --------------------------------------------------
# field KEY FILE [MATCH] - value of KEY= on the first line of FILE matching MATCH.
field() {
	awk -v k="$1" -v m="${3:-}" 'index($0, m) {
		for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit }
	}' "$2"
}

log "bench: history per MiB"
HIST=$OUT/history.csv
echo "workload,ring_bytes_per_cpu,full_cpu_held,held_per_mib,held,overwritten,lost,torn,produced,write_seq_gaps" >"$HIST"
for wl in getppid openrc write; do
	eval "n=\$H_$wl"
	if start_flapbench record --cgroup "$CG_A" --ring-pages "$HIST_PAGES" --read; then
		run_workload "$wl" "$n" >/dev/null 2>>"$LOG"
		stop_cfg
		f=$TMP/flapbench.out
		echo "$wl,$(field ring_bytes_per_cpu "$f" read_ms),$(field full_cpu_held "$f" full_cpu),$(field held_per_mib "$f" full_cpu),$(field held "$f" read_ms),$(field overwritten "$f" read_ms),$(field lost "$f" read_ms),$(field torn "$f" read_ms),$(field produced "$f" read_ms),$(field write_seq_gaps "$f" read_ms)" >>"$HIST"
	else
		stop_cfg
	fi
done

# ---- dump latency and memory --------------------------------------------------
log "bench: dump latency"
DUMP=$OUT/dump_latency.csv
echo "ring_pages,ring_bytes_per_cpu,reps,read_ms_median,read_ms_min,read_ms_max,events,memory_bytes" >"$DUMP"
for pages in 16 256; do
	"$FLAPBENCH" dump-latency --cgroup "$CG_D" --ring-pages "$pages" --reps "$DUMP_REPS" \
		>"$TMP/dump.out" 2>>"$LOG" || { log "bench: dump-latency $pages failed"; continue; }
	f=$TMP/dump.out
	echo "$pages,$((pages * 4096)),$(field reps "$f"),$(field read_ms_median "$f"),$(field read_ms_min "$f"),$(field read_ms_max "$f"),$(field events "$f"),$(field memory "$f")" >>"$DUMP"
done

# ---- untraced cost with many cgroups registered -----------------------------
log "bench: $MANY traced cgroups registered (loading takes a while)"
MANYF=$OUT/many.csv
echo "phase,rep,ns_per_op,cgroups,add_ms" >"$MANYF"
WRAP=
for r in 1 2 3; do echo "bare_before,$r,$(run_workload getppid "$N_getppid" | tail -n 1),0," >>"$MANYF"; done
if start_flapbench record --others "$MANY" --others-pages 2 --others-dir "$BASE/others"; then
	add_ms=$(field others_add_ms "$TMP/flapbench.out")
	r=1
	while [ $r -le "$REPS" ]; do
		echo "untraced_many,$r,$(run_workload getppid "$N_getppid" | tail -n 1),$MANY,$add_ms" >>"$MANYF"
		r=$((r + 1))
	done
fi
stop_cfg
for r in 1 2 3; do echo "bare_after,$r,$(run_workload getppid "$N_getppid" | tail -n 1),0," >>"$MANYF"; done

# ---- noisy neighbour: traced B busy on CPU 0, untraced A measured on CPU 1 ---
log "bench: noisy neighbour"
NBF=$OUT/neighbour.csv
echo "rep,config,ns_per_op,nb_bare_ns_per_op" >"$NBF"
sh -c "$IN_CG" "$CG_B" 0 "$HELPERS/bench_getppid" 100000000000 >/dev/null &
NB_PID=$!
r=1
while [ $r -le "$NB_REPS" ]; do
	v=$(run_workload getppid "$N_getppid" | tail -n 1)
	echo "$r,nb_bare,$v,$v" >>"$NBF"
	for cfg in $(printf '%s\n' nb_flap nb_perf_record | shuf); do
		if start_cfg "$cfg" "$CG_B_REL" "$CG_B"; then
			echo "$r,$cfg,$(run_workload getppid "$N_getppid" | tail -n 1),$v" >>"$NBF"
		fi
		stop_cfg
	done
	r=$((r + 1))
done
kill "$NB_PID" 2>/dev/null
wait "$NB_PID" 2>/dev/null
NB_PID=

# ---- real servers: nginx, redis, PostgreSQL (tests/bench/servers.sh) ----------
. "$(dirname "$0")/servers.sh"

# ---- BPF run times (separate pass: bpf_stats adds two clock reads per run) ---
log "bench: bpf_stats pass"
STATS=$OUT/bpf_stats.csv
echo "round,config,role,name,verified_insns,jited_bytes,run_cnt,run_time_ns,ns_per_run" >"$STATS"
STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
# The floor variants price the hot path's building blocks one at a time.
PARTS="floor_ktime floor_ktime_mono floor_pid_tgid floor_cgid_helper floor_cgid_btf
	floor_cgid_pid_helper floor_cgid_pid_btf floor_atomic floor_tailcall"
round=1
while [ $round -le "$STATS_ROUNDS" ]; do
	# cfg:workload (default getppid); the write runs price the buffer capture.
	for item in $(printf '%s\n' floor $PARTS idle untraced traced traced_nobuf traced_exact \
		traced:write traced_nobuf:write floor:write floor_read_user64:write | shuf); do
		cfg=${item%%:*} wl=getppid
		[ "$cfg" != "$item" ] && wl=${item#*:}
		eval "n=\$N_$wl"
		[ "$wl" = getppid ] && n=$N_STATS
		if start_cfg "$cfg"; then
			run_workload "$wl" "$n" >/dev/null 2>>"$LOG"
			stop_cfg
			awk -v r="$round" -v c="$item" '$1 == "prog" {
				for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
				printf "%s,%s,%s,%s,%s,%s,%s,%s,%.1f\n", r, c, v["role"], v["name"],
					v["verified_insns"], v["jited_bytes"], v["run_cnt"], v["run_time_ns"],
					v["run_cnt"] ? v["run_time_ns"] / v["run_cnt"] : 0
			}' "$TMP/flapbench.out" >>"$STATS"
		else
			stop_cfg
		fi
	done
	round=$((round + 1))
done
sysctl -qw kernel.bpf_stats_enabled="$STATS_OLD"
STATS_OLD=

# ---- crash to dump file ------------------------------------------------------------
if [ -n "${FLAP:-}" ] && [ -x "$FLAP" ] && [ -x "$HELPERS/crasher" ]; then
	log "bench: crash to dump file"
	N=$([ "$QUICK" = 1 ] && echo 20 || echo 100) FLAP=$FLAP HELPERS=$HELPERS OUT=$OUT \
		sh "$(dirname "$0")/crash_latency.sh" >>"$LOG" 2>&1 || log "bench: crash latency failed (see $LOG)"
fi

# ---- registration latency (the recorder pool) -------------------------------------
if [ -n "${FLAP:-}" ] && [ -x "$FLAP" ]; then
	log "bench: registration latency"
	if [ "$QUICK" = 1 ]; then RN=5 RR=2 RD=5; else RN=20 RR=5 RD=10; fi
	N=$RN R=$RR D=$RD FLAP=$FLAP OUT=$OUT \
		bash "$(dirname "$0")/registration.sh" >>"$LOG" 2>&1 || log "bench: registration latency failed (see $LOG)"
fi

# ---- container start latency (real engines: tests/bench/container_start.sh) -------
if [ -n "${FLAP_STATIC:-}" ] && [ -x "$FLAP_STATIC" ]; then
	log "bench: container start latency"
	N=$([ "$QUICK" = 1 ] && echo 3 || echo 15) FLAP=$FLAP FLAP_STATIC=$FLAP_STATIC HELPERS=$HELPERS \
		OUT=$OUT DOCS= bash "$(dirname "$0")/container_start.sh" >>"$LOG" 2>&1 ||
		log "bench: container start latency failed (see $LOG)"
fi

# ---- environment ---------------------------------------------------------------
T_END=$(now_ns)
ENVF=$OUT/env.txt
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "kernel: $(uname -r)"
	echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) online CPUs"
	echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "vulnerabilities: $(grep -H . /sys/devices/system/cpu/vulnerabilities/* 2>/dev/null |
		sed 's|^/sys/devices/system/cpu/vulnerabilities/||' | grep -v ':Not affected$' | tr '\n' '|' | sed 's/|$//; s/|/ | /g')"
	echo "libbpf: $(pkg-config --modversion libbpf 2>/dev/null)"
	echo "bpftool: $(bpftool version 2>/dev/null | head -n 1)"
	echo "strace: $(strace -V 2>/dev/null | head -n 1)"
	echo "perf: $(perf version 2>/dev/null)"
	echo "bpftrace: $(bpftrace --version 2>/dev/null)"
	echo "gnuplot: $(gnuplot --version 2>/dev/null)"
	echo "mode: $([ "$QUICK" = 1 ] && echo quick || echo full), $REPS repetitions, ring $RING_PAGES pages/CPU"
	echo "load average (1/5/15 min) at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "duration: $(((T_END - T_START) / 1000000000)) s"
} >"$ENVF"

# ---- summary, report, plot -------------------------------------------------------
export RING_PAGES RING_KB HIST_PAGES REPS MANY QUICK
sh "$(dirname "$0")/report.sh" "$OUT" || exit 1
if [ -n "$DOCS" ]; then
	mkdir -p "$DOCS"
	# The profile of the missed targets is written by hand: keep it.
	sh "$(dirname "$0")/section.sh" "Why a traced nginx request costs more than getppid" \
		"$DOCS/benchmarks.md" "$OUT/benchmarks.md"
	cp "$OUT/benchmarks.md" "$DOCS/benchmarks.md"
	[ -f "$OUT/bench-getppid.png" ] && cp "$OUT/bench-getppid.png" "$DOCS/bench-getppid.png"
	[ -f "$OUT/bench-servers.png" ] && cp "$OUT/bench-servers.png" "$DOCS/bench-servers.png"
	log "bench: wrote $DOCS/benchmarks.md"
fi
rm -rf "$TMP"
log "bench: done in $(((T_END - T_START) / 1000000000)) s; results in $OUT"
