// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flapbench.c - the benchmark's driver of the recorder library, used by
 * tests/bench/run.sh in place of the daemon. Each subcommand sets up one
 * configuration, writes a ready file, waits for SIGINT/SIGTERM while the
 * script runs a workload, then prints what it measured as key=value lines
 * on stdout (one fact per line, so a shell can pick them out):
 *
 *   floor         an empty tp_btf sys_enter + sys_exit pair: the cost every
 *                 syscall on the node pays once any program is attached;
 *                 --variant adds one building block of the recorder's hot
 *                 path (a clock or pid helper, the cgroup id read, two
 *                 atomics, a tail call, a 64-byte user read) so bpf_stats
 *                 can price each part on its own
 *   record        a registry with recorders for --cgroup (traced) and for
 *                 --others fresh cgroups (traced, idle); with --read it
 *                 reads the rings at exit and reports how much they held
 *   dump-latency  fill one cgroup's rings on every CPU, then time
 *                 flap_recorder__read() on the full rings
 *   cgroup-root   print the cgroup2 mount point (from mountinfo)
 *
 * "prog" lines give run_cnt/run_time_ns deltas of this process's own BPF
 * programs between ready and stop; they mean something only while
 * kernel.bpf_stats_enabled=1, which run.sh sets in a separate pass.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cgroup.h"
#include "client.h"
#include "ctl.pb-c.h"
#include "dump.h"
#include "log.h"
#include "registry.h"
#include "trace.h"
#include "util.h"

#define MAX_TARGETS 16
#define MAX_PROGS   64
#define MAX_REPS    1000
/* Upper bound of --str-max/--buf-max (the recorder checks its own caps). */
#define FLAP_BUF_MAX_OPT 1024

struct opts {
	const char *cgroups[MAX_TARGETS];
	int ncgroups;
	struct flap_recorder_opts rec;
	int others;
	const char *others_dir;
	__u32 others_pages;
	const char *ready;
	const char *file;
	bool read;
	int variant;
	int reps;
	long fill_iters;
};

/* One of our own BPF programs, with its counters when the run started. */
struct prog_stat {
	const char *role;
	int fd;
	__u32 id;
	__u32 verified_insns;
	char name[BPF_OBJ_NAME_LEN];
	__u64 run_cnt0;
	__u64 run_ns0;
};

struct prog_set {
	struct prog_stat p[MAX_PROGS];
	int n;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: flapbench floor [--variant NAME] [--ready FILE]\n"
		"       flapbench record [--cgroup PATH]... [--ring-pages N] [--buf-max N]\n"
		"                        [--str-max N] [--exact-durations]\n"
		"                        [--others N --others-dir DIR]\n"
		"                        [--others-pages N] [--read] [--ready FILE]\n"
		"       flapbench dump-latency --cgroup PATH [--ring-pages N] [--reps N]\n"
		"                        [--fill-iters N] [--file PATH]\n"
		"       flapbench ask-dump SOCKET NAME UNTIL GAP_MS\n"
		"       flapbench cgroup-root\n"
		"variants: empty ktime ktime_mono pid_tgid cgid_helper cgid_btf cgid_pid_helper\n"
		"          cgid_pid_btf atomic tailcall read_user64\n");
}

/* Building blocks of the hot path that `floor --variant` measures alone. */
enum variant {
	V_EMPTY,	   /* r0 = 0; exit */
	V_KTIME,	   /* bpf_ktime_get_boot_ns() */
	V_KTIME_MONO,	   /* bpf_ktime_get_ns() */
	V_PID_TGID,	   /* bpf_get_current_pid_tgid() */
	V_CGID_HELPER,	   /* bpf_get_current_cgroup_id() */
	V_CGID_BTF,	   /* task->cgroups->dfl_cgrp->kn->id, as the dispatcher reads it */
	V_CGID_PID_HELPER, /* the above + bpf_get_current_pid_tgid() (as the recorder) */
	V_CGID_PID_BTF,	   /* the above, with pid/tgid loaded from the same task pointer */
	V_ATOMIC,	   /* per-CPU array lookup + two lock xadd (the busy guard) */
	V_TAILCALL,    /* bpf_tail_call(), constant key (a direct jump), into an empty program */
	V_READ_USER64, /* bpf_probe_read_user() of 64 bytes at the second argument */
	V_COUNT,
};

static const char *const variant_names[V_COUNT] = {
	"empty",	   "ktime",	   "ktime_mono", "pid_tgid", "cgid_helper", "cgid_btf",
	"cgid_pid_helper", "cgid_pid_btf", "atomic",	 "tailcall", "read_user64",
};

static int parse_variant(const char *s)
{
	int i;

	for (i = 0; i < V_COUNT; i++)
		if (!strcmp(s, variant_names[i]))
			return i;
	fprintf(stderr, "flapbench: unknown variant: %s\n", s);
	return -EINVAL;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "flapbench: bad number: %s\n", s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Numeric options: their bounds and where each value goes. */
static int set_num_opt(int c, const char *arg, struct opts *o)
{
	long v = 0;
	int err;

	switch (c) {
	case 'p':
	case 'P':
		err = parse_long(arg, 1, FLAP_RING_PAGES_MAX, &v);
		*(c == 'p' ? &o->rec.ring_pages : &o->others_pages) = v;
		return err;
	case 'b':
		err = parse_long(arg, -1, FLAP_BUF_MAX_OPT, &v);
		o->rec.buf_max = v;
		return err;
	case 's':
		err = parse_long(arg, 0, FLAP_BUF_MAX_OPT, &v);
		o->rec.str_max = v;
		return err;
	case 'o':
		err = parse_long(arg, 0, 4000, &v);
		o->others = v;
		return err;
	case 'n':
		err = parse_long(arg, 1, MAX_REPS, &v);
		o->reps = v;
		return err;
	default: /* 'f' */
		err = parse_long(arg, 1, LONG_MAX, &v);
		o->fill_iters = v;
		return err;
	}
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"cgroup", required_argument, NULL, 'c'},
		{"ring-pages", required_argument, NULL, 'p'},
		{"buf-max", required_argument, NULL, 'b'},
		{"str-max", required_argument, NULL, 's'},
		{"others", required_argument, NULL, 'o'},
		{"others-dir", required_argument, NULL, 'd'},
		{"others-pages", required_argument, NULL, 'P'},
		{"ready", required_argument, NULL, 'r'},
		{"read", no_argument, NULL, 'R'},
		{"exact-durations", no_argument, NULL, 'E'},
		{"reps", required_argument, NULL, 'n'},
		{"fill-iters", required_argument, NULL, 'f'},
		{"file", required_argument, NULL, 'F'},
		{"variant", required_argument, NULL, 'V'},
		{},
	};
	int c, err = 0;

	o->rec.buf_max = -1;
	o->reps = 9;
	o->file = "/etc/passwd";
	while (!err && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'c' && o->ncgroups < MAX_TARGETS)
			o->cgroups[o->ncgroups++] = optarg;
		else if (c == 'd')
			o->others_dir = optarg;
		else if (c == 'r')
			o->ready = optarg;
		else if (c == 'R')
			o->read = true;
		else if (c == 'E')
			o->rec.exact_durations = true;
		else if (c == 'F')
			o->file = optarg;
		else if (c == 'V')
			err = (o->variant = parse_variant(optarg)) < 0 ? o->variant : 0;
		else if (c && strchr("pPbsonf", c))
			err = set_num_opt(c, optarg, o);
		else
			err = -EINVAL;
	}
	if (!err && optind != argc)
		err = -EINVAL;
	return err;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Block the stop signals now, so one sent before we wait is not lost. */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigprocmask(SIG_BLOCK, set, NULL);
}

static int write_ready(const char *path)
{
	char tmp[PATH_MAX];
	int err;
	FILE *f;

	if (!path)
		return 0;
	/* Write then rename: the script polls for the name. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f))
		return -errno;
	err = rename(tmp, path) ? -errno : 0;
	return err;
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	return 0;
}

static bool have_prog(const struct prog_set *s, __u32 id)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].id == id)
			return true;
	return false;
}

/*
 * Adds every BPF program this process holds an fd of and @s does not have
 * yet, tagged @role. Our own fds identify our programs even while other
 * processes load programs of the same name.
 */
static int collect_progs(struct prog_set *s, const char *role)
{
	struct bpf_prog_info info;
	char link[64], path[300];
	struct dirent *de;
	DIR *d;
	int fd;

	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	while ((de = readdir(d)) && s->n < MAX_PROGS) {
		ssize_t n;

		fd = atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:bpf-prog") || prog_info(fd, &info) ||
		    have_prog(s, info.id))
			continue;
		s->p[s->n].role = role;
		s->p[s->n].fd = fd;
		s->p[s->n].id = info.id;
		s->p[s->n].verified_insns = info.verified_insns;
		snprintf(s->p[s->n].name, sizeof(s->p[s->n].name), "%s", info.name);
		s->n++;
	}
	closedir(d);
	return 0;
}

static void snapshot_progs(struct prog_set *s)
{
	struct bpf_prog_info info;
	int i;

	for (i = 0; i < s->n; i++) {
		if (prog_info(s->p[i].fd, &info))
			continue;
		s->p[i].run_cnt0 = info.run_cnt;
		s->p[i].run_ns0 = info.run_time_ns;
	}
}

static void print_progs(const struct prog_set *s)
{
	struct bpf_prog_info info;
	int i;

	for (i = 0; i < s->n; i++) {
		const struct prog_stat *p = &s->p[i];

		if (prog_info(p->fd, &info))
			continue;
		printf("prog role=%s name=%s id=%u verified_insns=%u jited_bytes=%u run_cnt=%llu "
		       "run_time_ns=%llu\n",
		       p->role, p->name, p->id, p->verified_insns, info.jited_prog_len,
		       (unsigned long long)(info.run_cnt - p->run_cnt0),
		       (unsigned long long)(info.run_time_ns - p->run_ns0));
	}
}

/* Marks ready, waits for a stop signal, and snapshots counters around it. */
static int wait_stopped(const sigset_t *set, const char *ready, struct prog_set *progs)
{
	int sig, err;

	snapshot_progs(progs);
	err = write_ready(ready);
	if (err) {
		fprintf(stderr, "flapbench: ready file %s: %s\n", ready, strerror(-err));
		return err;
	}
	fflush(stdout);
	sigwait(set, &sig);
	return 0;
}

/* Hand-assembled programs: a few instructions do not need a BPF object. */
#define INSN(c, d, s_, o, i) \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s_), .off = (o), .imm = (i)})
#define MOV_IMM(d, i)	 INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s_)	 INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s_, 0, 0)
#define CALL(f)		 INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define LDX_DW(d, s_, o) INSN(BPF_LDX | BPF_MEM | BPF_DW, d, s_, o, 0)
#define LDX_W(d, s_, o)	 INSN(BPF_LDX | BPF_MEM | BPF_W, d, s_, o, 0)
#define EXIT()		 INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* What the variant programs refer to: BTF offsets, a map, tail-call arrays. */
struct floor_env {
	struct btf *vmlinux;
	/* task->cgroups, css_set->dfl_cgrp, cgroup->kn, kernfs_node->id, task->pid, tgid,
	 * pt_regs->si */
	int off[7];
	int map_fd;	/* per-CPU array of one u64 (atomic) */
	int tail_fd[2]; /* prog-arrays, one per hook, slot 0 = an empty program */
	int tail_prog[2];
};

/* Byte offset of member @m of struct @s in vmlinux BTF (direct members). */
static int member_off(const struct btf *btf, const char *s, const char *m)
{
	const struct btf_member *mem;
	const struct btf_type *t;
	int id, i;

	id = btf__find_by_name_kind(btf, s, BTF_KIND_STRUCT);
	if (id < 0)
		return id;
	t = btf__type_by_id(btf, id);
	mem = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, mem++)
		if (!strcmp(btf__name_by_offset(btf, mem->name_off), m))
			return btf_member_bit_offset(t, i) / 8;
	return -ENOENT;
}

/* Per-CPU array lookup, then +1 and -1 with lock xadd: the recorder's busy guard. */
static int emit_atomic(const struct floor_env *env, struct bpf_insn *insns)
{
	int n = 0;

	insns[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0);
	insns[n++] = MOV_REG(BPF_REG_2, BPF_REG_10);
	insns[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4);
	insns[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, env->map_fd);
	insns[n++] = INSN(0, 0, 0, 0, 0);
	insns[n++] = CALL(BPF_FUNC_map_lookup_elem);
	insns[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 4, 0);
	insns[n++] = MOV_IMM(BPF_REG_1, 1);
	insns[n++] =
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD | BPF_FETCH);
	insns[n++] = MOV_IMM(BPF_REG_1, -1);
	insns[n++] =
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD | BPF_FETCH);
	return n;
}

/* Fills @insns with variant @v for hook @h (0 enter, 1 exit). Return: count. */
static int build_variant(const struct floor_env *env, int v, int h, struct bpf_insn *insns)
{
	int n = 0;

	switch (v) {
	case V_KTIME:
		insns[n++] = CALL(BPF_FUNC_ktime_get_boot_ns);
		break;
	case V_KTIME_MONO:
		insns[n++] = CALL(BPF_FUNC_ktime_get_ns);
		break;
	case V_PID_TGID:
		insns[n++] = CALL(BPF_FUNC_get_current_pid_tgid);
		break;
	case V_CGID_HELPER:
		insns[n++] = CALL(BPF_FUNC_get_current_cgroup_id);
		break;
	case V_CGID_BTF:
	case V_CGID_PID_HELPER:
	case V_CGID_PID_BTF:
		insns[n++] = CALL(BPF_FUNC_get_current_task_btf);
		insns[n++] = MOV_REG(BPF_REG_6, BPF_REG_0);
		insns[n++] = LDX_DW(BPF_REG_1, BPF_REG_6, env->off[0]);
		insns[n++] = LDX_DW(BPF_REG_1, BPF_REG_1, env->off[1]);
		insns[n++] = LDX_DW(BPF_REG_1, BPF_REG_1, env->off[2]);
		insns[n++] = LDX_DW(BPF_REG_1, BPF_REG_1, env->off[3]);
		if (v == V_CGID_PID_HELPER)
			insns[n++] = CALL(BPF_FUNC_get_current_pid_tgid);
		if (v == V_CGID_PID_BTF) {
			insns[n++] = LDX_W(BPF_REG_2, BPF_REG_6, env->off[4]);
			insns[n++] = LDX_W(BPF_REG_3, BPF_REG_6, env->off[5]);
		}
		break;
	case V_ATOMIC:
		n = emit_atomic(env, insns);
		break;
	case V_READ_USER64:
		/* ctx[0] is the struct pt_regs * of the syscall; read 64 bytes at regs->si. */
		insns[n++] = LDX_DW(BPF_REG_2, BPF_REG_1, 0);
		insns[n++] = LDX_DW(BPF_REG_3, BPF_REG_2, env->off[6]);
		insns[n++] = MOV_REG(BPF_REG_1, BPF_REG_10);
		insns[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, -64);
		insns[n++] = MOV_IMM(BPF_REG_2, 64);
		insns[n++] = CALL(BPF_FUNC_probe_read_user);
		break;
	case V_TAILCALL:
		insns[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_MAP_FD, 0,
				  env->tail_fd[h]);
		insns[n++] = INSN(0, 0, 0, 0, 0);
		insns[n++] = MOV_IMM(BPF_REG_3, 0);
		insns[n++] = CALL(BPF_FUNC_tail_call);
		break;
	}
	insns[n++] = MOV_IMM(BPF_REG_0, 0);
	insns[n++] = EXIT();
	return n;
}

/* Loads variant @v on the BTF-typed raw tracepoint of hook @h. Return: fd. */
static int load_variant(const struct floor_env *env, int v, int h, const char *name)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = BPF_TRACE_RAW_TP);
	const char *type = h ? "btf_trace_sys_exit" : "btf_trace_sys_enter";
	struct bpf_insn insns[32];
	int id, n;

	id = btf__find_by_name_kind(env->vmlinux, type, BTF_KIND_TYPEDEF);
	if (id < 0)
		return id;
	lo.attach_btf_id = id;
	n = build_variant(env, v, h, insns);
	return bpf_prog_load(BPF_PROG_TYPE_TRACING, name, "GPL", insns, n, &lo);
}

/* Maps and offsets the variant @v needs. */
static int floor_env_init(struct floor_env *env, int v)
{
	static const char *const path[7][2] = {
		{"task_struct", "cgroups"}, {"css_set", "dfl_cgrp"}, {"cgroup", "kn"},
		{"kernfs_node", "id"},	    {"task_struct", "pid"},  {"task_struct", "tgid"},
		{"pt_regs", "si"},
	};
	int i, zero = 0;

	for (i = 0; i < 7; i++) {
		env->off[i] = member_off(env->vmlinux, path[i][0], path[i][1]);
		if (env->off[i] < 0 &&
		    ((v >= V_CGID_BTF && v <= V_CGID_PID_BTF) || (v == V_READ_USER64 && i == 6)))
			return env->off[i];
	}
	if (v == V_ATOMIC) {
		env->map_fd =
			bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "floor_busy", 4, 8, 1, NULL);
		if (env->map_fd < 0)
			return env->map_fd;
	}
	for (i = 0; v == V_TAILCALL && i < 2; i++) {
		env->tail_fd[i] =
			bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "floor_tail", 4, 4, 1, NULL);
		if (env->tail_fd[i] < 0)
			return env->tail_fd[i];
		env->tail_prog[i] = load_variant(env, V_EMPTY, i, "floor_callee");
		if (env->tail_prog[i] < 0)
			return env->tail_prog[i];
		if (bpf_map_update_elem(env->tail_fd[i], &zero, &env->tail_prog[i], BPF_ANY))
			return -errno;
	}
	return 0;
}

static void floor_env_free(struct floor_env *env)
{
	int i;

	for (i = 0; i < 2; i++) {
		zclose(env->tail_fd[i]);
		zclose(env->tail_prog[i]);
	}
	zclose(env->map_fd);
	btf__free(env->vmlinux);
}

static int cmd_floor(const struct opts *o)
{
	struct floor_env env = {.map_fd = -1, .tail_fd = {-1, -1}, .tail_prog = {-1, -1}};
	int progs_fd[2] = {-1, -1}, links[2] = {-1, -1}, h, err;
	struct prog_set progs = {};
	char name[BPF_OBJ_NAME_LEN];
	sigset_t set;

	block_signals(&set);
	env.vmlinux = btf__load_vmlinux_btf();
	err = libbpf_get_error(env.vmlinux);
	if (err) {
		env.vmlinux = NULL;
		fprintf(stderr, "flapbench: vmlinux BTF: %s\n", strerror(-err));
		return err;
	}
	err = floor_env_init(&env, o->variant);
	for (h = 0; !err && h < 2; h++) {
		snprintf(name, sizeof(name), "floor_%s", h ? "exit" : "enter");
		progs_fd[h] = load_variant(&env, o->variant, h, name);
		err = progs_fd[h] < 0 ? progs_fd[h] : 0;
		if (!err) {
			links[h] = bpf_raw_tracepoint_open(NULL, progs_fd[h]);
			err = links[h] < 0 ? links[h] : 0;
		}
	}
	if (err) {
		fprintf(stderr, "flapbench: floor %s: %s\n", variant_names[o->variant],
			strerror(-err));
		goto out;
	}
	collect_progs(&progs, variant_names[o->variant]);
	err = wait_stopped(&set, o->ready, &progs);
	print_progs(&progs);
out:
	for (h = 0; h < 2; h++) {
		zclose(links[h]);
		zclose(progs_fd[h]);
	}
	floor_env_free(&env);
	return err;
}

static int add_cgroup(struct flap_registry *reg, const char *path,
		      const struct flap_recorder_opts *ro, struct flap_recorder **rec)
{
	__u64 id;
	int err;

	err = flap_cgroup__id(path, &id);
	if (!err)
		err = flap_registry__add(reg, id, ro, rec);
	if (err)
		fprintf(stderr, "flapbench: add %s: %s\n", path, strerror(-err));
	return err;
}

/* Creates @o->others idle cgroups under others_dir and traces each. */
static int add_others(struct flap_registry *reg, const struct opts *o)
{
	struct flap_recorder_opts ro = o->rec;
	struct flap_recorder *rec;
	char path[PATH_MAX];
	double t0 = now_ns();
	size_t memory = 0;
	int i, err;

	if (!o->others)
		return 0;
	if (!o->others_dir)
		return -EINVAL;
	ro.ring_pages = o->others_pages;
	err = flap_cgroup__create(o->others_dir, NULL);
	for (i = 0; !err && i < o->others; i++) {
		snprintf(path, sizeof(path), "%s/o%d", o->others_dir, i);
		err = flap_cgroup__create(path, NULL);
		if (!err)
			err = add_cgroup(reg, path, &ro, &rec);
		if (!err)
			memory += flap_recorder__memory(rec);
	}
	printf("others=%d others_add_ms=%.1f others_memory=%zu\n", i, (now_ns() - t0) / 1e6,
	       memory);
	if (err)
		fprintf(stderr, "flapbench: others: %s\n", strerror(-err));
	return err;
}

static void remove_others(const struct opts *o)
{
	char path[PATH_MAX];
	int i;

	if (!o->others_dir)
		return;
	for (i = 0; i < o->others; i++) {
		snprintf(path, sizeof(path), "%s/o%d", o->others_dir, i);
		flap_cgroup__destroy(path);
	}
	flap_cgroup__destroy(o->others_dir);
}

/*
 * Gaps in the sequence of write lengths bench_write makes (i % 65536),
 * in time order: 0 when the held history is one contiguous run.
 */
static long write_seq_gaps(const struct flap_trace *t)
{
	long gaps = 0, prev = -1;
	size_t i;

	for (i = 0; i < t->nevents; i++) {
		const struct flap_event *e = &t->events[i];

		/* Its stdout (the result line) is not part of the sequence. */
		if (e->nr != SYS_write || strcmp(e->comm, "bench_write") || e->args[0] <= 2 ||
		    e->args[2] >= 65536)
			continue;
		if (prev >= 0 && (long)e->args[2] != (prev + 1) % 65536)
			gaps++;
		prev = e->args[2];
	}
	return gaps;
}

/* Reads @rec's rings and prints what they held, per CPU and in total. */
static int report_read(struct flap_recorder *rec, int idx)
{
	size_t ring = (size_t)flap_recorder__opts(rec)->ring_pages * sysconf(_SC_PAGESIZE);
	struct flap_trace *t = NULL;
	__u64 max_held = 0;
	double t0 = now_ns();
	int err, cpu;

	err = flap_recorder__read(rec, &t);
	if (err) {
		fprintf(stderr, "flapbench: read: %s\n", strerror(-err));
		return err;
	}
	printf("target=%d read_ms=%.2f events=%zu held=%llu overwritten=%llu lost=%llu "
	       "torn=%llu produced=%llu ring_bytes_per_cpu=%zu write_seq_gaps=%ld\n",
	       idx, (now_ns() - t0) / 1e6, t->nevents, (unsigned long long)t->total.held,
	       (unsigned long long)t->total.overwritten, (unsigned long long)t->total.lost,
	       (unsigned long long)t->total.torn, (unsigned long long)t->total.produced, ring,
	       write_seq_gaps(t));
	for (cpu = 0; cpu < t->ncpus; cpu++) {
		const struct flap_cpu_counts *c = &t->cpus[cpu];

		printf("target=%d cpu=%d held=%llu overwritten=%llu lost=%llu produced=%llu\n", idx,
		       cpu, (unsigned long long)c->held, (unsigned long long)c->overwritten,
		       (unsigned long long)c->lost, (unsigned long long)c->produced);
		/* History per MiB is judged on a CPU whose ring wrapped. */
		if (c->overwritten && c->held > max_held)
			max_held = c->held;
	}
	printf("target=%d full_cpu_held=%llu held_per_mib=%.0f\n", idx,
	       (unsigned long long)max_held, max_held * 1048576.0 / ring);
	flap_trace__free(t);
	return 0;
}

static void report_counts(struct flap_recorder *rec, int idx)
{
	struct flap_cpu_counts c;

	if (flap_recorder__counts(rec, &c))
		return;
	printf("target=%d produced=%llu lost=%llu bytes=%llu memory=%zu\n", idx,
	       (unsigned long long)c.produced, (unsigned long long)c.lost,
	       (unsigned long long)c.bytes, flap_recorder__memory(rec));
}

static int cmd_record(const struct opts *o)
{
	struct flap_recorder *recs[MAX_TARGETS] = {};
	struct flap_registry *reg = NULL;
	struct prog_set progs = {};
	int i, err;
	sigset_t set;

	block_signals(&set);
	err = flap_registry__new(NULL, &reg);
	if (err) {
		fprintf(stderr, "flapbench: registry: %s\n", strerror(-err));
		return err;
	}
	collect_progs(&progs, "dispatch");
	for (i = 0; !err && i < o->ncgroups; i++)
		err = add_cgroup(reg, o->cgroups[i], &o->rec, &recs[i]);
	collect_progs(&progs, "recorder");
	if (!err)
		err = add_others(reg, o);
	if (err)
		goto out;
	err = wait_stopped(&set, o->ready, &progs);
	print_progs(&progs);
	for (i = 0; !err && i < o->ncgroups; i++) {
		report_counts(recs[i], i);
		if (o->read)
			err = report_read(recs[i], i);
	}
out:
	flap_registry__free(reg);
	remove_others(o);
	return err;
}

/* Child: pin to @cpu, join @cg, run the open/read/close mix @iters times. */
static void fill_child(const char *cg, int cpu, long iters, const char *file)
{
	cpu_set_t mask;
	char buf[64];
	long i;
	int fd;

	CPU_ZERO(&mask);
	CPU_SET(cpu, &mask);
	if (sched_setaffinity(0, sizeof(mask), &mask) || flap_cgroup__join(cg, 0))
		_exit(1);
	for (i = 0; i < iters; i++) {
		fd = open(file, O_RDONLY);
		if (fd < 0)
			_exit(1);
		if (read(fd, buf, sizeof(buf)) < 0)
			_exit(1);
		close(fd);
	}
	_exit(0);
}

/* Runs one filler per online CPU and waits for all of them. */
static int fill_rings(const char *cg, long iters, const char *file)
{
	int ncpus = libbpf_num_possible_cpus(), cpu, status, err = 0;
	bool online[1024] = {};
	pid_t pid;

	if (ncpus <= 0 || ncpus > 1024 || flap_cpus__online(online, ncpus) < 0)
		return -EINVAL;
	for (cpu = 0; cpu < ncpus; cpu++) {
		if (!online[cpu])
			continue;
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0)
			fill_child(cg, cpu, iters, file);
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			err = -ECHILD;
	return err;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Times @reps reads of @rec's full rings. */
static int time_reads(struct flap_recorder *rec, int reps)
{
	struct flap_trace *t = NULL;
	double ms[MAX_REPS], t0;
	size_t events = 0;
	__u64 held = 0;
	int i, err;

	for (i = 0; i < reps; i++) {
		t0 = now_ns();
		err = flap_recorder__read(rec, &t);
		ms[i] = (now_ns() - t0) / 1e6;
		if (err) {
			fprintf(stderr, "flapbench: read: %s\n", strerror(-err));
			return err;
		}
		events = t->nevents;
		held = t->total.held;
		flap_trace__free(t);
		t = NULL;
	}
	qsort(ms, reps, sizeof(ms[0]), cmp_double);
	printf("ring_pages=%u reps=%d read_ms_median=%.3f read_ms_min=%.3f read_ms_max=%.3f "
	       "events=%zu held=%llu memory=%zu\n",
	       flap_recorder__opts(rec)->ring_pages, reps, ms[reps / 2], ms[0], ms[reps - 1],
	       events, (unsigned long long)held, flap_recorder__memory(rec));
	return 0;
}

static int cmd_dump_latency(const struct opts *o)
{
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	long iters = o->fill_iters;
	int err;

	if (o->ncgroups != 1) {
		fprintf(stderr, "flapbench: dump-latency needs one --cgroup\n");
		return -EINVAL;
	}
	err = flap_registry__new(NULL, &reg);
	if (err) {
		fprintf(stderr, "flapbench: registry: %s\n", strerror(-err));
		return err;
	}
	err = add_cgroup(reg, o->cgroups[0], &o->rec, &rec);
	if (err)
		goto out;
	/* Enough to wrap every ring a few times (a syscall is ~20-120 bytes). */
	if (!iters)
		iters = flap_recorder__opts(rec)->ring_pages * sysconf(_SC_PAGESIZE) / 16;
	err = fill_rings(o->cgroups[0], iters, o->file);
	if (err) {
		fprintf(stderr, "flapbench: fill: %s\n", strerror(-err));
		goto out;
	}
	err = time_reads(rec, o->reps);
out:
	flap_registry__free(reg);
	return err;
}

/*
 * ask-dump: dump requests for recorder @name of the daemon at @sock, @gap_ms
 * apart, until the file @until exists (at most 1000): each timed
 * from the connect to the end of the dump stream, decoded as `dump` decodes
 * it, one line of ms each. The daemon's answer, without the start of a
 * client process that `flap-recorder dump` adds (registration.sh).
 */
static int cmd_ask_dump(const char *sock, const char *name, const char *until, int gap_ms)
{
	Flap__DumpRequest dreq = FLAP__DUMP_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Target target = FLAP__TARGET__INIT;
	struct flap_dump_meta m;
	struct flap_trace *t;
	Flap__Response *resp;
	struct timespec a, b;
	char err[512];
	int i, rc, fd;

	target.name = (char *)name;
	target.namespace_ = "";
	dreq.target = &target;
	req.version = 1;
	req.op_case = FLAP__REQUEST__OP_DUMP;
	req.dump = &dreq;
	for (i = 0; i < 1000 && access(until, F_OK); i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		fd = -1;
		rc = flap_client__call(sock, 30000, &req, &resp, &fd);
		if (rc) {
			fprintf(stderr, "flapbench: ask-dump: %s\n",
				flap_client__strerror(rc, sock, err, sizeof(err)));
			return rc;
		}
		if (resp->error && resp->error->code != FLAP__ERROR_CODE__OK) {
			fprintf(stderr, "flapbench: ask-dump: %s\n", resp->error->message);
			flap__response__free_unpacked(resp, NULL);
			if (fd >= 0)
				close(fd);
			return -EINVAL;
		}
		flap__response__free_unpacked(resp, NULL);
		rc = flap_dump__read(fd, &m, &t, err, sizeof(err));
		close(fd);
		if (rc) {
			fprintf(stderr, "flapbench: ask-dump: bad dump stream: %s\n", err);
			return rc;
		}
		flap_trace__free(t);
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%.3f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
		fflush(stdout);
		usleep(gap_ms * 1000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {};
	const char *cmd;
	int err;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "ask-dump")) {
		if (argc != 6 || atoi(argv[5]) < 0) {
			usage(stderr);
			return 2;
		}
		return cmd_ask_dump(argv[2], argv[3], argv[4], atoi(argv[5])) ? 1 : 0;
	}
	flap_log__libbpf();
	if (parse_opts(argc - 1, argv + 1, &o)) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "floor"))
		err = cmd_floor(&o);
	else if (!strcmp(cmd, "record"))
		err = cmd_record(&o);
	else if (!strcmp(cmd, "dump-latency"))
		err = cmd_dump_latency(&o);
	else if (!strcmp(cmd, "cgroup-root"))
		err = flap_cgroup__root() ? printf("%s\n", flap_cgroup__root()) < 0 : -ENOENT;
	else {
		usage(stderr);
		return 2;
	}
	fflush(stdout);
	return err ? 1 : 0;
}
