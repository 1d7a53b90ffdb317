# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=sh
#
# servers.sh - real servers under the recorder and its peers. Sourced by
# run.sh (make bench; make bench-servers runs this part alone), whose
# start_cfg/stop_cfg, cgroups and helpers it uses: nginx loaded by wrk,
# redis-server by redis-benchmark (GET), PostgreSQL by pgbench -S. Each
# server has its own configuration and data under $TMP/servers, listens on
# 127.0.0.1 only and lives only inside a block: started under the
# configuration (strace wraps it, the others trace its cgroup), loaded for
# SRV_DUR seconds, stopped. The server runs in cgroup A pinned to CPU 1, the
# load generator in cgroup L (never traced) pinned to CPU 0. Per repetition
# every configuration, in shuffled order, is preceded by a bare block, as
# run.sh does with its workloads.
#
# Results: $OUT/servers.csv, the section "Real servers" in $OUT/servers.md
# and its plot $OUT/bench-servers.png (report.sh includes the section).
# Environment besides run.sh's: SERVERS (default "nginx redis postgres"),
# SRV_CONFIGS (default "untraced traced perf_record bpftrace strace"; run.sh's
# traced_nobuf and traced_exact too), SRV_REPS, SRV_DUR (seconds per block),
# SRV_REPORT_ONLY=1 (only the report).

SERVERS=${SERVERS:-nginx redis postgres}
SRV_CONFIGS=${SRV_CONFIGS:-untraced traced perf_record bpftrace strace}
if [ "$QUICK" = 1 ]; then
	SRV_REPS=${SRV_REPS:-1} SRV_DUR=${SRV_DUR:-3}
else
	SRV_REPS=${SRV_REPS:-5} SRV_DUR=${SRV_DUR:-10}
fi
SRV_CONNS=16			# wrk and redis-benchmark connections; pgbench clients: 8
SRV_DIR=$TMP/servers
SRV_CSV=$OUT/servers.csv
SRV_MD=$OUT/servers.md
CG_L=$BASE/L
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
# Ports of this run: loopback only, away from the packages' defaults.
P_NGINX=$((20000 + $$ % 10000)) P_REDIS=$((30000 + $$ % 10000)) P_PG=$((40000 + $$ % 10000))
REDIS_N=100000
SEQ=${SEQ:-0}
SRV_PID= SRV_LOAD_START=

srv_missing() {
	case $1 in
	nginx) set -- nginx wrk ;;
	redis) set -- redis-server redis-benchmark redis-cli ;;
	postgres) set -- "$PG_BIN/postgres" "$PG_BIN/initdb" "$PG_BIN/pgbench" pg_isready setpriv ;;
	esac
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { echo "$c"; return 0; }
	done
	return 1
}

# ---- set-up: one configuration and data directory per server -----------------
as_postgres() {
	setpriv --reuid=postgres --regid=postgres --init-groups "$@"
}

srv_setup_nginx() {
	d=$SRV_DIR/nginx
	mkdir -p "$d/www" "$d/tmp" || return 1
	# The size of nginx's own welcome page.
	awk 'BEGIN { for (i = 0; i < 612; i++) printf "%c", 97 + i % 26; printf "\n" }' >"$d/www/index.html"
	cat >"$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	server {
		listen 127.0.0.1:$P_NGINX;
		root $d/www;
	}
}
EOF
}

srv_setup_redis() {
	d=$SRV_DIR/redis
	mkdir -p "$d" || return 1
	cat >"$d/redis.conf" <<EOF
bind 127.0.0.1
port $P_REDIS
daemonize no
pidfile $d/redis.pid
dir $d
logfile $d/redis.log
save ""
appendonly no
EOF
}

# The data set (pgbench -i, scale 5) is made once, by a bare server.
srv_setup_postgres() {
	d=$SRV_DIR/postgres
	mkdir -p "$d" && chown postgres:postgres "$d" || return 1
	as_postgres "$PG_BIN/initdb" -D "$d/data" -U postgres -A trust -E UTF8 --no-sync \
		>"$d/initdb.log" 2>&1 || { cat "$d/initdb.log" >&2; return 1; }
	cat >>"$d/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $P_PG
unix_socket_directories = ''
max_connections = 20
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
	srv_start postgres || return 1
	"$PG_BIN/pgbench" -i -q -s 5 -h 127.0.0.1 -p "$P_PG" -U postgres postgres >"$d/init.log" 2>&1
	st=$?
	srv_stop postgres
	[ $st = 0 ] || cat "$d/init.log" >&2
	return $st
}

# ---- start, wait, stop --------------------------------------------------------
srv_ready() {
	case $1 in
	nginx) ss -Hltn "sport = :$P_NGINX" | grep -q . ;;
	redis) [ "$(redis-cli -h 127.0.0.1 -p "$P_REDIS" ping 2>/dev/null)" = PONG ] ;;
	postgres) pg_isready -q -h 127.0.0.1 -p "$P_PG" ;;
	esac
}

# srv_start SERVER - start it in cgroup A on CPU 1 under the current WRAP.
srv_start() {
	srv=$1 d=$SRV_DIR/$1
	case $srv in
	nginx) set -- nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" ;;
	redis) set -- redis-server "$d/redis.conf" ;;
	postgres) set -- setpriv --reuid=postgres --regid=postgres --init-groups \
		"$PG_BIN/postgres" -D "$d/data" ;;
	esac
	$WRAP sh -c "$IN_CG" "$CG_A" 1 "$@" >>"$d/server.log" 2>&1 &
	SRV_PID=$!
	i=0
	until srv_ready "$srv"; do
		kill -0 "$SRV_PID" 2>/dev/null || { tail -n 5 "$d/server.log" >&2; SRV_PID=; return 1; }
		i=$((i + 1))
		[ $i -gt 1200 ] && { srv_stop "$srv"; return 1; }
		sleep 0.05
	done
}

srv_main_pid() {
	case $1 in
	nginx) cat "$SRV_DIR/nginx/nginx.pid" ;;
	redis) cat "$SRV_DIR/redis/redis.pid" ;;
	postgres) head -n 1 "$SRV_DIR/postgres/data/postmaster.pid" ;;
	esac 2>/dev/null
}

# srv_stop SERVER - its own clean shutdown (postgres: fast), then whatever
# is left in cgroup A is killed.
srv_stop() {
	pid=$(srv_main_pid "$1")
	sig=TERM
	[ "$1" = postgres ] && sig=INT
	[ -n "$pid" ] && kill -s "$sig" "$pid" 2>/dev/null
	i=0
	while [ -n "$(cat "$CG_A/cgroup.procs")" ] && [ $i -lt 600 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	for p in $(cat "$CG_A/cgroup.procs"); do kill -KILL "$p" 2>/dev/null; done
	[ -n "$SRV_PID" ] && wait "$SRV_PID" 2>/dev/null
	SRV_PID=
	return 0
}

# ---- load: each prints "operations per second, p99 latency in ms, operations" -
srv_load() {
	o=$TMP/load.out
	lim=$((SRV_DUR * 3 + 60))
	case $1 in
	nginx)
		sh -c "$IN_CG" "$CG_L" 0 timeout "$lim" wrk -t 1 -c "$SRV_CONNS" -d "${SRV_DUR}s" \
			--latency "http://127.0.0.1:$P_NGINX/" >"$o" 2>&1 || return 1
		awk 'function ms(v) {
				if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
				if (v ~ /m$/) return v * 60000; return v * 1000 }
			$1 == "99%" { p = ms($2) } $1 == "Requests/sec:" { r = $2 } $2 == "requests" { n = $1 }
			END { if (r != "" && p != "") printf "%.1f %.3f %d\n", r, p, n }' "$o" ;;
	redis)
		n=$REDIS_N
		[ "$2" = strace ] && n=$((n / 20))
		sh -c "$IN_CG" "$CG_L" 0 timeout "$lim" redis-benchmark -h 127.0.0.1 -p "$P_REDIS" \
			-c "$SRV_CONNS" -n "$n" -t get --csv >"$o" 2>&1 || return 1
		tr -d '"' <"$o" | awk -F, -v n="$n" '$1 == "GET" { printf "%.1f %.3f %d\n", $2, $7, n }' ;;
	postgres)
		rm -f "$TMP"/pgb.*
		sh -c "$IN_CG" "$CG_L" 0 timeout "$lim" "$PG_BIN/pgbench" -h 127.0.0.1 -p "$P_PG" \
			-U postgres -n -S -c 8 -j 1 -T "$SRV_DUR" -l --log-prefix "$TMP/pgb" postgres \
			>"$o" 2>&1 || return 1
		# Per-transaction log: the third field is the latency in us.
		p=$(cat "$TMP"/pgb.* | awk '{ print $3 }' | sort -n |
			awk '{ a[NR] = $1 } END { i = int(NR * 0.99 + 0.999); if (NR) printf "%.3f %d", a[i] / 1000, NR }')
		awk -v p="$p" '$1 == "tps" { r = $3 } END { if (r != "" && p != "") printf "%.1f %s\n", r, p }' "$o" ;;
	esac
}

# The CPU time the server's cgroup has used, in us (its tasks' BPF programs
# included: they run in its syscalls).
srv_cpu_us() {
	awk '$1 == "usage_usec" { print $2 }' "$CG_A/cpu.stat"
}

# srv_block REP CONFIG - every server once under CONFIG (started by start_cfg).
# A row: throughput, p99, and the server's CPU time per operation, which the
# other work on a shared machine moves far less than throughput.
srv_block() {
	for srv in $SRV_LIST; do
		if ! srv_start "$srv"; then
			log "bench: $srv under $2 (rep $1): did not start"
			continue
		fi
		c0=$(srv_cpu_us)
		r=$(srv_load "$srv" "$2" 2>>"$LOG")
		c1=$(srv_cpu_us)
		srv_stop "$srv"
		set -- "$1" "$2" $r
		if [ $# -ne 5 ] || [ "$5" -le 0 ]; then
			log "bench: $srv under $2 (rep $1): no result"
			set -- "$1" "$2"
			continue
		fi
		cpu=$(awk -v a="$c0" -v b="$c1" -v n="$5" 'BEGIN { printf "%.2f", (b - a) / n }')
		[ "$2" = bare ] && eval "SBARE_$srv=\"\$3,\$4,\$cpu\""
		eval "b=\${SBARE_$srv:-,,}"
		SEQ=$((SEQ + 1))
		echo "$SEQ,$1,$2,$srv,$3,$4,$cpu,$b" >>"$SRV_CSV"
		set -- "$1" "$2"
	done
}

# Syscalls per operation: one more block per server under bpftrace's count of
# its cgroup's syscalls (entries and exits: two per syscall), the server's
# start and stop included. $OUT/servers_syscalls.csv.
srv_syscalls() {
	echo "server,events,operations" >"$OUT/servers_syscalls.csv"
	for srv in $SRV_LIST; do
		start_bpftrace "$CG_A" && srv_start "$srv" || { stop_cfg; continue; }
		r=$(srv_load "$srv" bare 2>>"$LOG")
		srv_stop "$srv"
		stop_cfg
		ev=$(awk '$1 == "@c:" { print $2 }' "$TMP/bpftrace.out")
		set -- $r
		[ $# -eq 3 ] && [ -n "$ev" ] && echo "$srv,$ev,$3" >>"$OUT/servers_syscalls.csv"
	done
}

# ---- the run -------------------------------------------------------------------
srv_run() {
	rm -f "$SRV_MD" "$SRV_CSV" "$OUT/servers.load" "$OUT/servers_syscalls.csv" "$OUT/bench-servers.png"
	mkdir -p "$CG_L" || return 1
	WRAP=
	SRV_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	echo "$SRV_LOAD_START" >"$OUT/servers.load"
	SRV_LIST=
	for srv in $SERVERS; do
		if m=$(srv_missing "$srv"); then
			log "bench: $srv: $m is missing (make deps installs it)"
			continue
		fi
		"srv_setup_$srv" 2>>"$LOG" || { log "bench: $srv: set-up failed (see $LOG)"; continue; }
		SRV_LIST="$SRV_LIST $srv"
	done
	[ -n "$SRV_LIST" ] || return 1
	echo "seq,rep,config,server,ops_per_s,p99_ms,cpu_us_per_op,bare_ops_per_s,bare_p99_ms,bare_cpu_us_per_op" >"$SRV_CSV"
	log "bench: servers:$SRV_LIST, $SRV_REPS repetitions of ${SRV_DUR} s blocks, configurations: $SRV_CONFIGS"
	# Warm-up, which also sizes redis-benchmark's request count to SRV_DUR.
	WRAP=
	for srv in $SRV_LIST; do
		srv_start "$srv" || continue
		r=$(srv_load "$srv" bare 2>>"$LOG")
		srv_stop "$srv"
		[ "$srv" = redis ] && [ -n "$r" ] &&
			REDIS_N=$(echo "$r" | awk -v d="$SRV_DUR" '{ n = int($1 * d); print n < 10000 ? 10000 : n }')
	done
	rep=1
	while [ $rep -le "$SRV_REPS" ]; do
		for cfg in $(printf '%s\n' $SRV_CONFIGS | shuf); do
			srv_block "$rep" bare
			if start_cfg "$cfg"; then
				srv_block "$rep" "$cfg"
			else
				log "bench: servers: $cfg: could not start (rep $rep)"
			fi
			stop_cfg
		done
		log "bench: servers: repetition $rep/$SRV_REPS done"
		rep=$((rep + 1))
	done
	srv_syscalls
	cut -d' ' -f1-3 /proc/loadavg >>"$OUT/servers.load"
	srv_report
}

# ---- report: $OUT/servers.md and $OUT/bench-servers.png --------------------------
srv_describe() {
	case $1 in
	bare) echo "bare: no tracer" ;;
	untraced) echo "flap-recorder loaded, 4 other cgroups traced, not the server's" ;;
	traced) echo "flap-recorder tracing the server's cgroup (default capture)" ;;
	traced_nobuf) echo "flap-recorder tracing the server's cgroup, buffer capture off (buf_max 0)" ;;
	traced_exact) echo "flap-recorder tracing the server's cgroup, exact durations" ;;
	perf_record) echo "perf record --overwrite -G (the server's cgroup)" ;;
	bpftrace) echo "bpftrace counting syscalls, cgroup filter" ;;
	strace) echo "strace -f on the server" ;;
	esac
}

# srv_stat SERVER CONFIG - "median ops/s, x bare, median p99 ms, p99 x bare,
# runs, x bare paired (the median of the ratios to the bare block before),
# median CPU us per operation, its x bare, bare CPU / CPU".
srv_stat() {
	awk -F, -v s="$1" -v c="$2" '
	function med(s,    a, n, i, j, t) {
		n = split(s, a, " "); if (!n) return ""
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	NR > 1 && $4 == s && $3 == c {
		r = r " " $5; p = p " " $6; u = u " " $7; n++
		if ($8 > 0) pr = pr " " ($5 / $8)
	}
	NR > 1 && $4 == s && $3 == "bare" { br = br " " $5; bp = bp " " $6; bu = bu " " $7 }
	END {
		if (!n) exit
		printf "%.0f %.2f %.3f %.2f %d %.2f %.1f %.2f %.2f\n", med(r), med(r) / med(br), med(p),
			med(p) / med(bp), n, med(pr), med(u), med(u) / med(bu), med(bu) / med(u)
	}' "$SRV_CSV"
}

srv_report() {
	dat=$OUT/bench-servers.dat
	: >"$dat"
	for c in bare $SRV_CONFIGS; do
		line=$c cpu=
		for s in nginx redis postgres; do
			set -- $(srv_stat "$s" "$c")
			line="$line ${2:-0}" cpu="$cpu ${9:-0}"
		done
		line="$line$cpu"
		echo "$line" >>"$dat"
	done
	rm -f "$OUT/bench-servers.png"
	if command -v gnuplot >/dev/null 2>&1; then
		gnuplot <<EOF 2>>"$LOG" || log "bench: servers: gnuplot failed"
set terminal pngcairo size 1200,500 noenhanced font "sans,10"
set output "$OUT/bench-servers.png"
set multiplot layout 1,2
set title "throughput: median / median bare, same run"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8
set yrange [0:1.2]
set ylabel "x bare throughput"
set grid ytics
set xtics rotate by -20
set key top right
plot "$dat" using 2:xtic(1) title "nginx (wrk)" lc rgb "#4477aa", \
     "" using 3 title "redis GET (redis-benchmark)" lc rgb "#ee6677", \
     "" using 4 title "PostgreSQL (pgbench -S)" lc rgb "#228833"
set title "server CPU per operation: median bare / median"
set ylabel "bare CPU per operation / CPU per operation"
plot "$dat" using 5:xtic(1) title "nginx" lc rgb "#4477aa", \
     "" using 6 title "redis" lc rgb "#ee6677", \
     "" using 7 title "PostgreSQL" lc rgb "#228833"
unset multiplot
EOF
	fi
	srv_markdown >"$SRV_MD"
}

srv_cell() { # SERVER CONFIG
	set -- $(srv_stat "$1" "$2")
	if [ $# -lt 5 ]; then
		echo "n/a | | "
	else
		echo "$1 | $2 | $3"
	fi
}

# srv_target SERVER FIELD TEXT - the traced configuration's FIELD of srv_stat
# (2: throughput x bare, 9: bare CPU per operation / traced) against 0.90.
srv_target() {
	set -- "$3" "$2" $(srv_stat "$1" traced)
	st=met
	[ $# -ge 11 ] || { echo "| $1 | n/a | >= 0.90 | **not measured** |"; return; }
	eval "x=\${$(($2 + 2))}"
	awk -v x="$x" 'BEGIN { exit !(x >= 0.9) }' || st=missed
	echo "| $1 | $x | >= 0.90 | **$st** |"
}

srv_markdown() {
	# The load averages of the run, kept for SRV_REPORT_ONLY.
	SRV_LOAD_START=$(sed -n 1p "$OUT/servers.load" 2>/dev/null)
	SRV_LOAD_END=$(sed -n 2p "$OUT/servers.load" 2>/dev/null)
	echo "## Real servers"
	echo
	echo "Generated by \`tests/bench/servers.sh\` (part of \`make bench\`; \`make bench-servers\` runs it"
	echo "alone). Raw numbers: \`build/bench/servers.csv\`."
	echo
	if awk -v l="${SRV_LOAD_START%% *}" 'BEGIN { exit !(l > 0.3) }'; then
		echo "**Noisy run:** the 1-minute load average was ${SRV_LOAD_START%% *} when this part started"
		echo "(other work on the machine's $(nproc) CPUs); treat these numbers as provisional."
		echo
	fi
	echo "Method: each server runs with its own configuration and data under the results directory,"
	echo "on 127.0.0.1, in its own cgroup pinned to CPU 1; the load generator runs in another,"
	echo "never-traced cgroup pinned to CPU 0. A block starts the server under the configuration,"
	echo "loads it for $SRV_DUR s, stops it. $SRV_REPS repetition(s); each runs every configuration once,"
	echo "in shuffled order, each preceded by a bare block. x bare = median of the configuration's"
	echo "runs / median of all bare runs. Loads: **nginx** 1.22, static 613-byte page, access log"
	echo "off, one worker; \`wrk -t 1 -c $SRV_CONNS\`, requests/s and its 99th percentile."
	echo "**redis** 7.0, no persistence; \`redis-benchmark -c $SRV_CONNS -t get\`, GETs/s and p99 (a"
	echo "request count worth $SRV_DUR s bare; 1/20 of it under strace). **PostgreSQL** 15, fsync off,"
	echo "pgbench scale 5; \`pgbench -S -c 8 -j 1\` (select-only), transactions/s and p99 from the"
	echo "per-transaction log. Tracers as in "Time per operation" (same ring sizes); strace follows"
	echo "the server (\`strace -f\` starts it)."
	echo
	echo "| configuration | nginx req/s | x bare | p99 ms | redis GET/s | x bare | p99 ms | pgbench tps | x bare | p99 ms |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for c in bare $SRV_CONFIGS; do
		echo "| $(srv_describe "$c") | $(srv_cell nginx "$c") | $(srv_cell redis "$c") | $(srv_cell postgres "$c") |"
	done
	echo
	echo "The server's CPU time per operation (its cgroup's \`cpu.stat\` usage_usec over the load,"
	echo "BPF programs included: they run in its syscalls) moves far less with the other work on"
	echo "a shared machine than throughput does; for a server that is CPU-bound, bare CPU per"
	echo "operation / CPU per operation is the throughput it keeps. Then throughput x bare paired"
	echo "(median over repetitions of the ratio to the bare block just before) and p99 x bare"
	echo "(median p99 / median bare p99). Each cell: nginx / redis / PostgreSQL."
	echo
	echo "| configuration | CPU us per operation | CPU x bare | throughput x bare paired | p99 x bare |"
	echo "|---|---|---|---|---|"
	for c in bare $SRV_CONFIGS; do
		a= b= e= f=
		for s in nginx redis postgres; do
			set -- $(srv_stat "$s" "$c")
			a="$a / ${6:-n/a}" b="$b / ${4:-n/a}" e="$e / ${7:-n/a}" f="$f / ${8:-n/a}"
		done
		echo "| $(srv_describe "$c") | ${e# / } | ${f# / } | ${a# / } | ${b# / } |"
	done
	echo
	[ -f "$OUT/bench-servers.png" ] && echo "![real servers, throughput and CPU per operation x bare](bench-servers.png)" && echo
	[ -s "$OUT/servers_syscalls.csv" ] && awk -F, 'NR > 1 && $3 > 0 {
		l = l sprintf("%s %s %.1f", (l == "" ? "" : ","), ($1 == "postgres" ? "PostgreSQL" : $1), $2 / 2 / $3) }
		END { if (l != "") printf "Syscalls per operation (bpftrace, one block per server, its start and stop included):%s.\n\n", l }' \
		"$OUT/servers_syscalls.csv"
	echo "| target | measured | limit | status |"
	echo "|---|---|---|---|"
	srv_target nginx 2 "traced nginx throughput, x bare"
	srv_target nginx 9 "traced nginx, bare CPU per request / traced CPU per request"
	srv_target redis 2 "traced redis throughput, x bare"
	srv_target redis 9 "traced redis, bare CPU per GET / traced CPU per GET"
	echo
	echo "Load average (1/5/15 min) when this part started: $SRV_LOAD_START; at its end: $SRV_LOAD_END."
	echo
}

# SRV_REPORT_ONLY=1: the section again from a kept $OUT/servers.csv.
if [ "${SRV_REPORT_ONLY:-0}" = 1 ]; then
	srv_report
else
	srv_run || log "bench: servers: nothing measured"
fi
