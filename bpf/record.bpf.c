// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * record.bpf.c - the per-cgroup recorder. One instance of this object is
 * loaded for every traced cgroup; its two programs are never attached but
 * tail-called by the dispatcher (dispatch.bpf.c) from its prog-arrays, and
 * each instance has its own maps: a per-CPU overwritable perf ring (events),
 * its per-CPU staging state (cpu_state) and counters (stats).
 *
 * One syscall becomes one SYSCALL record, written at sys_exit: on x86_64 the
 * argument registers are still intact there, so arguments, return value and
 * the captured strings and buffers (the read side exists only now) go into
 * one record. sys_enter only keeps the entry time and arguments in the
 * CPU's pending slot; the exit on the same CPU pairs with it in place. An
 * entry that is still pending when another thread enters a syscall on this
 * CPU (the first one blocked or migrated) is spilled as an ENTER record, and
 * its exit is written with FLAP_REC_F_NO_ENTER: the reader pairs the two.
 * Calls whose registers are gone at exit (execve) or that never return (exit,
 * exit_group) are written as ENTER records at entry.
 *
 * Records are appended to a per-CPU staging block; a full block goes to the
 * perf ring with a single bpf_perf_event_output(), the expensive call here.
 * A writer preempted by another writer of the same recorder on the same CPU
 * is detected by the busy counter; the nested one writes a one-record block
 * straight to the ring from its stack.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "flap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load (see recorder/registry.c). */
const volatile __u64 cfg_cgroup_id = 0;
const volatile __u32 cfg_str_max = FLAP_STR_DEFAULT; /* <= FLAP_STR_MAX */
const volatile __u32 cfg_buf_max = FLAP_BUF_DEFAULT; /* <= FLAP_BUF_MAX, 0 = no buffers */

/* Set by a reader while it copies this recorder's rings (recorder/ring.c). */
volatile __u32 frozen = 0;

/* Capture kinds per syscall number, from the generated syscall table. */
static const __u32 syscall_kinds[FLAP_NR_MAX] = {
#define FLAP_SYSCALL(nr, name, nargs, flags, k0, k1, k2, k3, k4, k5) \
	[nr] = FLAP_KINDS(nargs, flags, k0, k1, k2, k3, k4, k5),
#include "syscalls_arch.h"
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flap_cpu_state);
} cpu_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flap_stats);
} stats SEC(".maps");

#if defined(__TARGET_ARCH_x86)
#define SC_NR(r) ((r)->orig_ax)
#define SC_ARG(r, i)           \
	((i) == 0   ? (r)->di  \
	 : (i) == 1 ? (r)->si  \
	 : (i) == 2 ? (r)->dx  \
	 : (i) == 3 ? (r)->r10 \
	 : (i) == 4 ? (r)->r8  \
		    : (r)->r9)
#elif defined(__TARGET_ARCH_arm64)
#define SC_NR(r)     ((r)->syscallno)
#define SC_ARG(r, i) ((i) == 0 ? (r)->orig_x0 : (r)->regs[i])
#else
#error "flap-recorder: unsupported architecture"
#endif

/* Kind word for syscalls outside the table: six plain arguments. */
#define KINDS_UNKNOWN 6

static __always_inline __u32 kinds_of(__u64 nr)
{
	__u64 i = nr;

	if (nr >= FLAP_NR_MAX)
		return KINDS_UNKNOWN;
	/* Mask after a barrier: clang may otherwise index with a copy of nr
	 * the bounds check did not cover. */
	asm volatile("" : "+r"(i));
	return syscall_kinds[i & (FLAP_NR_MAX - 1)];
}

/*
 * The current task if it belongs to the traced cgroup, else NULL. The slot
 * may have been handed to another cgroup since the dispatcher looked it up:
 * record only our own. The same task pointer gives pid and tgid, cheaper
 * than a bpf_get_current_pid_tgid() call.
 */
static __always_inline struct task_struct *traced_task(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return task->cgroups->dfl_cgrp->kn->id == cfg_cgroup_id ? task : NULL;
}

static __always_inline __u64 task_pid_tgid(struct task_struct *task)
{
	return (__u64)task->tgid << 32 | (__u32)task->pid;
}

static __always_inline void read_args(struct pt_regs *regs, __u64 *args)
{
	args[0] = SC_ARG(regs, 0);
	args[1] = SC_ARG(regs, 1);
	args[2] = SC_ARG(regs, 2);
	args[3] = SC_ARG(regs, 3);
	args[4] = SC_ARG(regs, 4);
	args[5] = SC_ARG(regs, 5);
}

/*
 * Stores a value in 4 bytes when it survives a round trip through s32, in 8
 * otherwise, and sets bit @bit of *@wide for 8. Always stores 8 bytes (the
 * next field overwrites the upper half) with two 4-byte stores (records are
 * packed; the nested writer's stack record needs aligned stores), and has
 * no branch, so the verifier sees one path. Returns the bytes used.
 */
static __always_inline __u32 put_val(__u8 *p, __u64 v, __u32 *wide, __u32 bit)
{
	__u64 hi = (v + 0x80000000ULL) >> 32, t;
	__u32 w;

	t = hi | -hi;
	/* Keep clang from turning this into a compare and a branch. */
	asm volatile("" : "+r"(t));
	w = t >> 63;
	*(__u32 *)p = (__u32)v;
	*(__u32 *)(p + 4) = (__u32)(v >> 32);
	*wide |= w << bit;
	return 4 + (w << 2);
}

/*
 * Writes one capture (struct flap_cap_hdr + bytes) at st->data + @off:
 * the string at @ptr, or @len bytes of the buffer at @ptr. @kind_arg is the
 * argument kind | index << 8. A global function: the verifier checks it
 * once, not once per argument and path. Returns the bytes written.
 */
__noinline int put_cap(struct flap_cpu_state *st, __u32 off, __u32 kind_arg, __u64 ptr, __u64 len)
{
	struct flap_cap_hdr *c;
	__u8 flags = 0;
	long n;

	if (!st || off > FLAP_BLOCK_DATA + FLAP_STAGE_SLACK - (sizeof(*c) + FLAP_STR_MAX + 2))
		return 0;
	c = (void *)(st->data + off);
	if ((kind_arg & 0xff) == FLAP_ARG_STR) {
		/* Read one byte more than kept: a string that fills it is truncated. */
		n = bpf_probe_read_user_str(c + 1, cfg_str_max + 2, (void *)ptr);
		flags = FLAP_CAP_F_STR;
		if (n <= 0) {
			n = 0;
			flags |= FLAP_CAP_F_FAULT;
		} else if (--n > cfg_str_max) {
			n = cfg_str_max;
			flags |= FLAP_CAP_F_TRUNC;
		}
	} else {
		n = len > cfg_buf_max ? cfg_buf_max : len;
		if ((__u64)n < len)
			flags |= FLAP_CAP_F_TRUNC;
		if (n > FLAP_BUF_MAX)
			n = FLAP_BUF_MAX;
		if (n > 0 && bpf_probe_read_user(c + 1, n, (void *)ptr)) {
			n = 0;
			flags |= FLAP_CAP_F_FAULT;
		}
	}
	c->arg = kind_arg >> 8;
	c->flags = flags;
	c->len = n;
	return sizeof(*c) + n;
}

/* What put_body() writes after a record's fixed part. */
struct body {
	__u64 args[6];
	__s64 ret;
	__u32 kinds; /* nargs and argument kinds; FLAP_KIND_NARGS 0 = no args */
	__u8 with_ret;
	__u8 with_caps;
	__u8 at_exit; /* output buffers exist, ret is valid */
	__u8 pad;
};

/* put_body() result: bytes | captures << 13 | wide << 16 | faults << 24. */
#define BODY_LEN(r)    ((r)&0x1fff)
#define BODY_NCAPS(r)  (((r) >> 13) & 7)
#define BODY_WIDE(r)   (((r) >> 16) & 0xff)
#define BODY_FAULTS(r) (((r) >> 24) & 7)

/*
 * Writes the variable part of a record at st->data + @off: the return value
 * (4 or 8 bytes), the arguments (4 or 8 bytes each), then the captures of
 * string and buffer arguments. A global function, like put_cap(), so its
 * paths are not multiplied by the caller's. Returns the packed result.
 */
__noinline int put_body(struct flap_cpu_state *st, __u32 off, struct body *b)
{
	__u32 nargs, pos = 0, wide = 0, ncaps = 0, faults = 0;
	__u8 *p;

	if (!st || !b || off > FLAP_BLOCK_DATA + 64)
		return 0;
	p = st->data + off;
	if (b->with_ret)
		pos += put_val(p + pos, b->ret, &wide, 7);
	nargs = FLAP_KIND_NARGS(b->kinds);
	for (int i = 0; i < 6; i++)
		if (i < nargs)
			pos += put_val(p + pos, b->args[i], &wide, i);
	if (!b->with_caps)
		return pos | wide << 16;

	for (int i = 0; i < 6; i++) {
		__u32 k = FLAP_KIND_ARG(b->kinds, i);
		__u64 len = 0;
		int n;

		if (k == FLAP_ARG_VAL || i >= nargs || ncaps >= FLAP_MAX_CAPS)
			continue;
		if (k == FLAP_ARG_BUF_IN)
			len = i < 5 ? b->args[i + 1] : 0;
		else if (k == FLAP_ARG_BUF_OUT)
			len = b->at_exit && b->ret > 0 ? b->ret : 0;
		if (k != FLAP_ARG_STR && (cfg_buf_max == 0 || len == 0))
			continue;
		n = put_cap(st, off + pos, k | i << 8, b->args[i], len);
		if (n < (int)sizeof(struct flap_cap_hdr) ||
		    n > (int)sizeof(struct flap_cap_hdr) + FLAP_STR_MAX + 1)
			break;
		if (n == sizeof(struct flap_cap_hdr))
			faults++;
		pos += n;
		ncaps++;
	}
	return pos | ncaps << 13 | wide << 16 | faults << 24;
}

/* Worst-case bytes of the captures of a call with @kinds. */
static __always_inline __u32 caps_need(__u32 kinds)
{
	__u32 need = 0, ncaps = 0;

#pragma unroll
	for (int i = 0; i < 6; i++) {
		__u32 k = FLAP_KIND_ARG(kinds, i);

		if (k == FLAP_ARG_VAL || i >= FLAP_KIND_NARGS(kinds) || ncaps >= FLAP_MAX_CAPS)
			continue;
		ncaps++;
		need += sizeof(struct flap_cap_hdr) +
			(k == FLAP_ARG_STR ? cfg_str_max + 2 : cfg_buf_max);
	}
	return need;
}

/* Writes the staging block to the ring and starts a new one. */
static __always_inline void flush(void *ctx, struct flap_cpu_state *st, struct flap_stats *s)
{
	__u32 used = st->hdr.used;

	if (used > FLAP_BLOCK_DATA)
		used = FLAP_BLOCK_DATA;
	st->hdr.magic = FLAP_BLOCK_MAGIC;
	st->hdr.cpu = bpf_get_smp_processor_id();
	st->hdr.flags = 0;
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &st->hdr,
				  sizeof(st->hdr) + used))
		s->lost_output += st->hdr.nrec;
	else
		s->blocks++;
	st->hdr.seq++;
	st->hdr.used = 0;
	st->hdr.nrec = 0;
}

/*
 * Makes room for a record of at most @need bytes written at time @now by
 * thread @tid, flushing the block when it is full or when @now no longer
 * fits the 32-bit delta. Writes the THREAD record that names @tid when this
 * block has not named it yet. Returns the offset where the record goes.
 */
static __always_inline __u32 reserve(void *ctx, struct flap_cpu_state *st, struct flap_stats *s,
				     __u64 now, __u64 pid_tgid, __u32 need)
{
	__u32 tid = (__u32)pid_tgid, used = st->hdr.used, off;
	struct flap_rec_thread *t;

	need += sizeof(*t);
	if (used && (used + need > FLAP_BLOCK_DATA || now - st->hdr.base_ts > 0xffffffffULL))
		flush(ctx, st, s);
	if (st->hdr.used == 0) {
		st->hdr.base_ts = now;
#pragma unroll
		for (int i = 0; i < FLAP_TID_CACHE; i++)
			st->seen[i] = 0;
	}
	off = st->hdr.used;
	if (off > FLAP_BLOCK_DATA)
		return FLAP_BLOCK_DATA + sizeof(*t) + 1;
	if (st->seen[tid & (FLAP_TID_CACHE - 1)] != tid) {
		st->seen[tid & (FLAP_TID_CACHE - 1)] = tid;
		t = (void *)(st->data + off);
		t->hdr.size = sizeof(*t);
		t->hdr.type = FLAP_REC_THREAD;
		t->hdr.flags = 0;
		t->tid = tid;
		t->tgid = pid_tgid >> 32;
		bpf_get_current_comm(t->comm, sizeof(t->comm));
		off += sizeof(*t);
	}
	return off;
}

/* Commits a record of @len bytes at @off (after reserve()). */
static __always_inline void commit(struct flap_cpu_state *st, struct flap_stats *s, __u32 off,
				   __u32 len)
{
	st->hdr.used = off + len;
	st->hdr.nrec++;
	st->events++;
	s->bytes += len;
}

/*
 * Writes an ENTER record for a call of thread @tid entered at @ts. With
 * @with_caps the current task is that thread and its strings are captured
 * (execve's path); a spilled pending call is written without them.
 */
static __always_inline void put_enter(void *ctx, struct flap_cpu_state *st, struct flap_stats *s,
				      __u64 now, __u64 pid_tgid, __u64 ts, __u32 tid, __u32 tgid,
				      __u32 nr, const __u64 *args, bool with_caps, __u8 flags)
{
	struct flap_rec_enter *r;
	struct body b = {};
	__u32 off;
	int res;

	b.kinds = kinds_of(nr);
	b.with_caps = with_caps;
	__builtin_memcpy(b.args, args, sizeof(b.args));
	off = reserve(ctx, st, s, now, pid_tgid,
		      sizeof(*r) + 48 + (with_caps ? caps_need(b.kinds) : 0));
	if (off > FLAP_BLOCK_DATA + sizeof(struct flap_rec_thread))
		return;
	res = put_body(st, off + sizeof(*r), &b);
	if (!res && FLAP_KIND_NARGS(b.kinds))
		return;
	r = (void *)(st->data + off);
	r->hdr.size = sizeof(*r) + BODY_LEN(res);
	r->hdr.type = FLAP_REC_ENTER;
	r->hdr.flags = flags;
	r->tid = tid;
	r->ts = ts;
	r->tgid = tgid;
	r->nr = nr;
	r->nargs = FLAP_KIND_NARGS(b.kinds) | BODY_NCAPS(res) << 4;
	r->wide = BODY_WIDE(res);
	s->cap_faults += BODY_FAULTS(res);
	commit(st, s, off, sizeof(*r) + BODY_LEN(res));
}

/* A second writer on this CPU: one record block from the stack, no captures. */
struct nested_block {
	struct flap_block_hdr hdr;
	struct flap_rec_thread thread;
	__u32 thread_pad; /* keeps rec 8-byte aligned on the stack */
	__u8 rec[sizeof(struct flap_rec_enter) + 8 + 6 * 8];
};

static __always_inline void put_nested(void *ctx, struct flap_stats *s, __u64 now, __u32 type,
				       __u32 nr, const __u64 *args, __s64 ret, __u8 flags)
{
	__u32 kinds = kinds_of(nr), nargs = FLAP_KIND_NARGS(kinds), pos;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct nested_block b = {};
	__u32 wide = 0;

	b.hdr.magic = FLAP_BLOCK_MAGIC;
	b.hdr.base_ts = now;
	b.hdr.nrec = 1;
	b.hdr.cpu = bpf_get_smp_processor_id();
	b.hdr.flags = FLAP_BLOCK_F_DIRECT;
	b.thread.hdr.size = sizeof(b.thread) + sizeof(b.thread_pad);
	b.thread.hdr.type = FLAP_REC_THREAD;
	b.thread.tid = (__u32)pid_tgid;
	b.thread.tgid = pid_tgid >> 32;
	bpf_get_current_comm(b.thread.comm, sizeof(b.thread.comm));
	if (type == FLAP_REC_ENTER) {
		struct flap_rec_enter *r = (void *)b.rec;

		pos = sizeof(*r);
#pragma unroll
		for (int i = 0; i < 6; i++)
			if (i < nargs)
				pos += put_val(b.rec + pos, args[i], &wide, i);
		r->hdr.size = pos;
		r->hdr.type = FLAP_REC_ENTER;
		r->hdr.flags = flags | FLAP_REC_F_CAPS_DROPPED;
		r->tid = (__u32)pid_tgid;
		r->ts = now;
		r->tgid = pid_tgid >> 32;
		r->nr = nr;
		r->nargs = nargs;
		r->wide = wide;
	} else {
		struct flap_rec_syscall *r = (void *)b.rec;

		pos = sizeof(*r);
		pos += put_val(b.rec + pos, ret, &wide, 7);
#pragma unroll
		for (int i = 0; i < 6; i++)
			if (i < nargs)
				pos += put_val(b.rec + pos, args[i], &wide, i);
		r->hdr.size = pos;
		r->hdr.type = FLAP_REC_SYSCALL;
		r->hdr.flags = flags | FLAP_REC_F_NO_ENTER | FLAP_REC_F_CAPS_DROPPED;
		r->tid = (__u32)pid_tgid;
		r->nr = nr;
		r->nargs = nargs;
		r->wide = wide;
	}
	b.hdr.used = sizeof(b.thread) + sizeof(b.thread_pad) + pos;
	if (b.hdr.used > sizeof(b) - sizeof(b.hdr))
		return;
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &b, sizeof(b.hdr) + b.hdr.used))
		__sync_fetch_and_add(&s->lost_nested, 1);
	else
		__sync_fetch_and_add(&s->nested_events, 1);
	__sync_fetch_and_add(&s->nested, 1);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(handle_sys_enter, struct pt_regs *regs, long id)
{
	struct flap_cpu_state *st;
	struct flap_pending *pend;
	struct task_struct *task;
	__u64 now, pid_tgid;
	struct flap_stats *s;
	__u32 zero = 0, kinds;
	__u64 args[6];

	task = traced_task();
	if (!task)
		return 0;
	st = bpf_map_lookup_elem(&cpu_state, &zero);
	s = bpf_map_lookup_elem(&stats, &zero);
	if (!st || !s)
		return 0;
	kinds = kinds_of(id);
	if (__sync_fetch_and_add(&st->busy, 1)) {
		/* Nested: only calls that are recorded at entry need writing now. */
		if (kinds & FLAP_SC_AT_ENTER) {
			read_args(regs, args);
			put_nested(ctx, s, bpf_ktime_get_boot_ns(), FLAP_REC_ENTER, id, args, 0, 0);
		}
		goto out;
	}
	if (frozen) {
		if (kinds & FLAP_SC_AT_ENTER)
			s->lost_frozen++;
		goto out;
	}
	now = bpf_ktime_get_boot_ns();
	pid_tgid = task_pid_tgid(task);
	pend = &st->pending;
	if (pend->valid == 1)
		put_enter(ctx, st, s, now, pid_tgid, pend->ts, pend->tid, pend->tgid, pend->nr,
			  pend->args, false, FLAP_REC_F_SPILLED);
	read_args(regs, args);
	pend->ts = now;
	pend->tid = (__u32)pid_tgid;
	pend->tgid = pid_tgid >> 32;
	pend->nr = id;
	if (kinds & FLAP_SC_AT_ENTER) {
		put_enter(ctx, st, s, now, pid_tgid, now, (__u32)pid_tgid, pid_tgid >> 32, id, args,
			  true, 0);
		/* 2: the ENTER record is written, the exit only adds ret and dur. */
		pend->valid = 2;
	} else {
		__builtin_memcpy(pend->args, args, sizeof(args));
		pend->valid = 1;
	}
out:
	__sync_fetch_and_sub(&st->busy, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	struct flap_rec_syscall *r;
	struct flap_cpu_state *st;
	struct flap_pending *pend;
	struct task_struct *task;
	__u64 now, pid_tgid, dur = 0;
	__u32 zero = 0, off, nr, tid;
	struct flap_stats *s;
	struct body b = {};
	__u8 flags = 0;
	int res;

	task = traced_task();
	if (!task)
		return 0;
	st = bpf_map_lookup_elem(&cpu_state, &zero);
	s = bpf_map_lookup_elem(&stats, &zero);
	if (!st || !s)
		return 0;
	nr = SC_NR(regs);
	b.kinds = kinds_of(nr);
	if (__sync_fetch_and_add(&st->busy, 1)) {
		read_args(regs, b.args);
		put_nested(ctx, s, bpf_ktime_get_boot_ns(), FLAP_REC_SYSCALL, nr, b.args, ret,
			   b.kinds & FLAP_SC_AT_ENTER ? FLAP_REC_F_NO_ARGS : 0);
		goto out;
	}
	if (frozen) {
		s->lost_frozen++;
		goto out;
	}
	now = bpf_ktime_get_boot_ns();
	pid_tgid = task_pid_tgid(task);
	tid = (__u32)pid_tgid;
	pend = &st->pending;
	if (pend->valid && pend->tid == tid && pend->nr == nr) {
		dur = now - pend->ts;
		if (pend->valid == 2)
			flags |= FLAP_REC_F_NO_ARGS;
		else
			__builtin_memcpy(b.args, pend->args, sizeof(b.args));
		pend->valid = 0;
	} else {
		/* Entered on another CPU, or before the recorder was added. The
		 * pending slot belongs to another thread: leave it. */
		flags |= FLAP_REC_F_NO_ENTER;
		if (b.kinds & FLAP_SC_AT_ENTER)
			flags |= FLAP_REC_F_NO_ARGS;
		else
			read_args(regs, b.args);
	}
	/* execve's arguments are in its ENTER record; the exit adds ret. */
	if (flags & FLAP_REC_F_NO_ARGS)
		b.kinds = 0;
	if (dur > 0xffffffffULL) {
		dur /= 1000;
		flags |= FLAP_REC_F_DUR_US;
		if (dur > 0xffffffffULL)
			dur = 0xffffffffULL;
	}

	b.ret = ret;
	b.with_ret = 1;
	b.with_caps = 1;
	b.at_exit = 1;
	/* A successful exec renamed the thread: forget that this block named
	 * it, so reserve() writes a THREAD record with the new comm. */
	if ((kinds_of(nr) & (FLAP_SC_AT_ENTER | FLAP_SC_NORETURN)) == FLAP_SC_AT_ENTER && ret == 0)
		st->seen[tid & (FLAP_TID_CACHE - 1)] = 0;
	off = reserve(ctx, st, s, now, pid_tgid, sizeof(*r) + 8 + 48 + caps_need(b.kinds));
	if (off > FLAP_BLOCK_DATA + sizeof(struct flap_rec_thread))
		goto out;
	res = put_body(st, off + sizeof(*r), &b);
	if (!res)
		goto out;
	r = (void *)(st->data + off);
	r->hdr.size = sizeof(*r) + BODY_LEN(res);
	r->hdr.type = FLAP_REC_SYSCALL;
	r->hdr.flags = flags;
	r->ts_delta = now > st->hdr.base_ts ? now - st->hdr.base_ts : 0;
	r->tid = tid;
	r->dur = dur;
	r->nr = nr;
	r->nargs = FLAP_KIND_NARGS(b.kinds) | BODY_NCAPS(res) << 4;
	r->wide = BODY_WIDE(res);
	s->cap_faults += BODY_FAULTS(res);
	commit(st, s, off, sizeof(*r) + BODY_LEN(res));
out:
	__sync_fetch_and_sub(&st->busy, 1);
	return 0;
}
