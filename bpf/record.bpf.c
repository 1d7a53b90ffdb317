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
 * Captures follow the argument kinds of the generated syscall table
 * (bpf/flap.h enum flap_arg_kind): strings and buffers (put_cap()), and the
 * structured kinds (put_xcap(): sockaddrs, iovec arrays, execve's argv,
 * fixed-size structs such as struct stat or sigaction, pollfd arrays). They
 * are global functions, verified once; a call without such arguments never
 * reaches them.
 *
 * A recorder may record only a set of syscalls (cfg_filter, cfg_syscalls:
 * a bitmap by number in .rodata). The check is the first thing both
 * programs do; without a filter the verifier removes it (cfg_filter is a
 * known constant of the frozen .rodata), so it costs nothing then.
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
#include <bpf/bpf_core_read.h>
#include "flap.h"
#include "handoff.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load (see recorder/kernel/lifetime.c). */
const volatile __u32 cfg_str_max = FLAP_STR_DEFAULT; /* <= FLAP_STR_MAX */
const volatile __u32 cfg_buf_max = FLAP_BUF_DEFAULT; /* <= FLAP_BUF_MAX, 0 = no buffers */
/* With cfg_filter set, only syscalls whose bit is set in cfg_syscalls are
 * recorded (numbers past the bitmap: with cfg_filter bit 1). */
const volatile __u32 cfg_filter = 0;
const volatile __u64 cfg_syscalls[FLAP_FILTER_WORDS] = {};
/* Worst-case capture bytes per syscall number (see caps_need()); the
 * default, for a loader that does not fill it in, fits any call. */
const volatile __u16 cfg_caps_need[FLAP_NR_MAX] = {
	[0 ... FLAP_NR_MAX - 1] = FLAP_MAX_CAPS * (sizeof(struct flap_cap_hdr) + FLAP_CAP_MAX),
};

/* Read the clock at both ends of every call. Without it a call that ends
 * in the clock tick (jiffy) it began in keeps only its entry time
 * (FLAP_REC_F_TS_ENTER): one clock read per call instead of two, and the
 * calls that take long enough to matter (any that spans a tick, every one
 * longer than a tick) still get an exact duration. */
const volatile __u32 cfg_exact_dur = 0;

/*
 * The cgroup this instance records: data, not a constant, so that an
 * instance can be loaded and verified before its cgroup exists (the pool,
 * recorder/kernel/pool.c) and bound to it at registration, before it is
 * wired into the dispatcher. 0 (unbound) matches no task.
 */
volatile __u64 bound_cgroup_id = 0;

/* Set by a reader while it copies this recorder's rings (recorder/kernel/ring.c). */
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

/* The clock tick a call is in: the low bits of jiffies (a plain load; the
 * verifier inlines the helper). */
static __always_inline __u32 tick_now(void)
{
	return (__u32)bpf_jiffies64();
}

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

/* True when the recorder's syscall filter leaves out syscall @nr. */
static __always_inline bool filtered_out(__u64 nr)
{
	__u64 i = nr;

	if (!cfg_filter)
		return false;
	if (nr >= FLAP_NR_MAX)
		return !(cfg_filter & 2);
	asm volatile("" : "+r"(i));
	i &= FLAP_NR_MAX - 1;
	return !((cfg_syscalls[i >> 6] >> (i & 63)) & 1);
}

/*
 * What the dispatcher handed over for this hook (the current task's cgroup
 * id and pid/tgid, read just before it tail-called us) if the task belongs
 * to the traced cgroup, else NULL. The slot may have been handed to another
 * cgroup since the dispatcher looked it up: record only our own.
 */
static __always_inline struct flap_handoff *traced_task(__u32 hook)
{
	struct flap_handoff *h = handoff_of(hook);

	return h && h->cgid == bound_cgroup_id ? h : NULL;
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

/* Loose bound the verifier sees for a structured capture at st->data + off
 * (reserve() keeps real records inside the first FLAP_BLOCK_DATA bytes). */
#define XCAP_OFF_MAX (FLAP_BLOCK_DATA + FLAP_STAGE_SLACK - 2 * (FLAP_CAP_MAX + 64))
/* Flags in the result of put_iov(), put_argv(), put_envp(). */
#define XCAP_TRUNC (1 << 16)
#define XCAP_FAULT (1 << 17)

/*
 * The loops below run under bpf_loop(): the verifier checks a callback
 * once, where a bounded loop would be checked once per iteration and path
 * (the iovec loop alone took 30,000 verified instructions that way). Their
 * state lives in a struct on the caller's stack; every value read back from
 * it is bounds-checked again before it is used as an offset.
 */
struct iov_loop {
	struct flap_cpu_state *st;
	__u64 vec;
	__u64 left;   /* IOV_OUT: bytes of ret not yet given to an iovec */
	__u64 budget; /* data bytes still allowed */
	__u32 off;    /* of the capture's data in st->data */
	__u32 pos;
	__u32 cnt;
	int res;
};

static __always_inline long iov_step_at(struct flap_cpu_state *st, __u32 j, struct iov_loop *l)
{
	struct {
		__u64 base;
		__u64 len;
	} iov;
	__u64 off = l->off, pos = l->pos;
	struct flap_iov_cap *c;
	__u64 want, n;

	/* Hide from clang that these fit 32 bits, so that it bounds them with
	 * 64-bit compares: the 6.1 verifier does not carry a 32-bit bound
	 * over to the 64-bit offset the accesses below use. */
	asm volatile("" : "+r"(off), "+r"(pos));

	if (j >= l->cnt || !st || off > XCAP_OFF_MAX || pos > FLAP_CAP_MAX - sizeof(*c))
		return 1;
	if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(l->vec + j * sizeof(iov)))) {
		l->res |= XCAP_FAULT;
		return 1;
	}
	want = iov.len < l->left ? iov.len : l->left;
	l->left -= want;
	n = want < l->budget ? want : l->budget;
	if (n < want)
		l->res |= XCAP_TRUNC;
	l->budget -= n;
	c = (void *)(st->data + off + pos);
	c->len_lo = iov.len;
	c->len_hi = iov.len >> 32;
	c->kept = 0;
	pos += sizeof(*c);
	l->pos = pos;
	if (n > FLAP_STR_MAX)
		n = FLAP_STR_MAX;
	if (!n)
		return 0;
	if (bpf_probe_read_user(st->data + off + pos, n, (void *)iov.base)) {
		l->res |= XCAP_FAULT;
		return 1;
	}
	c->kept = n;
	l->pos = pos + n;
	return 0;
}

/* The bpf_loop() callback of the full variant; the compat variant's loop
 * calls iov_step_compat() instead (record_variant.bpf.h). */
static long iov_step(__u32 j, struct iov_loop *l)
{
	return iov_step_at(l->st, j, l);
}

struct argv_loop {
	struct flap_cpu_state *st;
	__u64 ptr;
	__u32 off;
	__u32 pos;
	__u32 budget;
	int res;
};

/*
 * One string of execve's argv: its __u16 length (| FLAP_ARGV_CUT when cut
 * at the string size, strace's "abc"...) and its bytes, each string
 * within cfg_str_max, all within l->budget (FLAP_ARGV_BYTES).
 */
static __always_inline long argv_step_at(struct flap_cpu_state *st, __u32 j, struct argv_loop *l)
{
	__u64 off = l->off, pos = l->pos, left;
	__u64 s = 0, hdr;
	long n;

	asm volatile("" : "+r"(off), "+r"(pos)); /* 64-bit bounds: see iov_step() */

	if (!st || off > XCAP_OFF_MAX || pos > FLAP_ARGV_BYTES)
		return 1;
	if (bpf_probe_read_user(&s, sizeof(s), (void *)(l->ptr + j * 8))) {
		l->res |= XCAP_FAULT;
		return 1;
	}
	if (!s) {
		l->res |= 1; /* the terminating NULL was seen */
		return 1;
	}
	if (pos + 2 >= l->budget) {
		l->res |= XCAP_TRUNC;
		return 1;
	}
	left = l->budget - pos - 2;
	if (left > cfg_str_max)
		left = cfg_str_max;
	if (left > FLAP_STR_MAX)
		left = FLAP_STR_MAX;
	/* One byte more than kept: a string that fills it was cut. */
	n = bpf_probe_read_user_str(st->data + off + pos + 2, left + 2, (void *)s);
	if (n < 0) {
		l->res |= XCAP_FAULT;
		return 1;
	}
	/* Bytes without the NUL (none counted for an empty string on some
	 * kernels: see put_cap()). */
	n = n > 0 ? n - 1 : 0;
	hdr = n;
	if (n > left) {
		n = left;
		hdr = left | FLAP_ARGV_CUT;
	}
	st->data[(off + pos) & (sizeof(st->data) - 1)] = hdr;
	st->data[(off + pos + 1) & (sizeof(st->data) - 1)] = hdr >> 8;
	l->pos = pos + 2 + n;
	/* Cut by what is left of the capture, not by the string size: the
	 * strings after it are left out. */
	if ((hdr & FLAP_ARGV_CUT) && left < cfg_str_max) {
		l->res |= XCAP_TRUNC;
		return 1;
	}
	return 0;
}

/* The bpf_loop() callback of the full variant; the compat variant's loop
 * calls argv_step_compat() instead (record_variant.bpf.h). */
static long argv_step(__u32 j, struct argv_loop *l)
{
	return argv_step_at(l->st, j, l);
}

struct envp_loop {
	__u64 ptr;
	__u32 count;
	__u32 done;
};

static __always_inline long envp_step_at(struct flap_cpu_state *st, __u32 j, struct envp_loop *l)
{
	__u64 s = 0;

	if (bpf_probe_read_user(&s, sizeof(s), (void *)(l->ptr + j * 8)) || !s) {
		l->done = 1;
		return 1;
	}
	l->count++;
	return 0;
}

/* The bpf_loop() callback of the full variant; the compat variant's loop
 * calls envp_step_compat() instead (record_variant.bpf.h). */
static long envp_step(__u32 j, struct envp_loop *l)
{
	return envp_step_at(NULL, j, l);
}

/* Counting the directory entries of a getdents buffer: their d_reclen chain. */
struct dirent_loop {
	__u64 ptr;
	__u64 len; /* bytes the call filled */
	__u64 pos; /* of the next entry */
	__u32 count;
	int res;
};

static __always_inline long dirent_step_at(struct flap_cpu_state *st, __u32 j,
					   struct dirent_loop *l)
{
	__u16 reclen = 0;

	if (l->pos >= l->len)
		return 1;
	/* d_reclen: at 16 in struct linux_dirent64 and in linux_dirent */
	if (bpf_probe_read_user(&reclen, sizeof(reclen), (void *)(l->ptr + l->pos + 16)) ||
	    !reclen) {
		l->res |= XCAP_FAULT;
		return 1;
	}
	l->pos += reclen;
	l->count++;
	return 0;
}

/* The bpf_loop() callback of the full variant; the compat variant's loop
 * calls dirent_step_compat() instead (record_variant.bpf.h). */
static long dirent_step(__u32 j, struct dirent_loop *l)
{
	return dirent_step_at(NULL, j, l);
}

/*
 * The inode number of descriptor @fd of the current task (0: none): its
 * file in the task's fd table, read with probe reads in both variants (the
 * table is an RCU array the BTF-typed loads cannot index). Only the calls
 * that make descriptors (socket, pipe...) pay for it.
 */
static __always_inline __u64 fd_inode(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds = NULL, *file = NULL;
	struct fdtable *fdt;
	unsigned int max;

	if (fd < 0)
		return 0;
	fdt = BPF_CORE_READ(task, files, fdt);
	max = BPF_CORE_READ(fdt, max_fds);
	if ((__u64)fd >= max)
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds || bpf_probe_read_kernel(&file, sizeof(file), fds + fd) || !file)
		return 0;
	return BPF_CORE_READ(file, f_inode, i_ino);
}

/*
 * The caller's *addrlen that the entry of the call now leaving read
 * (put_inlen()), once: only when the pending slot is this thread's call
 * of that number, paired with this exit (its valid is reset then).
 * Return: the length, or ~0ULL when there is none.
 */
static __always_inline __u64 take_inlen(struct flap_cpu_state *st)
{
	struct flap_pending *p = &st->pending;

	if (!p->inlen_set)
		return ~0ULL;
	p->inlen_set = 0;
	if (p->valid || p->tid != (__u32)bpf_get_current_pid_tgid() || p->nr != p->inlen_nr)
		return ~0ULL;
	return p->inlen;
}

/*
 * For a call spilled from the pending slot (still there): the length its
 * entry read, as a capture of 4 bytes with FLAP_CAP_F_INLEN at
 * st->data + @off, which the reader puts before its exit's capture.
 * Return: the bytes written, 0 when the entry read none.
 */
static __always_inline __u32 put_spill_inlen(struct flap_cpu_state *st, __u32 off, __u32 kinds)
{
	struct flap_pending *p = &st->pending;
	struct flap_cap_hdr *c;
	__u32 i;

	if (!p->inlen_set || p->inlen_nr != p->nr || off > FLAP_BLOCK_DATA + 128)
		return 0;
	for (i = 0; i < 5; i++)
		if (FLAP_KIND_ARG(kinds, i) == FLAP_ARG_SOCKADDR_OUT)
			break;
	if (i >= 5)
		return 0;
	p->inlen_set = 0;
	c = (void *)(st->data + off);
	c->arg = i;
	c->flags = FLAP_CAP_F_INLEN;
	c->len = 4;
	*(__u32 *)(c + 1) = p->inlen;
	return sizeof(*c) + 4;
}

/*
 * Writes the return value (with b->with_ret) and the arguments of @b at @p,
 * 4 or 8 bytes each. Returns the bytes written | wide << 16.
 */
static __always_inline __u32 put_vals(__u8 *p, const struct body *b)
{
	__u32 nargs = FLAP_KIND_NARGS(b->kinds), pos = 0, wide = 0;

	if (b->with_ret)
		pos += put_val(p + pos, b->ret, &wide, 7);
	for (int i = 0; i < 6; i++)
		if (i < nargs)
			pos += put_val(p + pos, b->args[i], &wide, i);
	return pos | wide << 16;
}

/*
 * Worst-case bytes of the captures of syscall @nr with the recorder's
 * string and buffer sizes: computed by the loader for every number
 * (flap_syscall__caps_need() in recorder/decode/syscalls.c, the same rules as
 * put_body()), so the hot path reads one value instead of walking six
 * argument kinds.
 */
static __always_inline __u32 caps_need(__u64 nr)
{
	__u64 i = nr;

	if (nr >= FLAP_NR_MAX)
		return 0;
	asm volatile("" : "+r"(i));
	return cfg_caps_need[i & (FLAP_NR_MAX - 1)];
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

/*
 * The compat variant's busy guard: the old value, then an atomic add
 * whose result is not used (5.10 has no atomic fetch). See
 * record_variant.bpf.h for why that is exact where it is used.
 */
static __always_inline __u32 busy_enter_plain(struct flap_cpu_state *st)
{
	__u32 old = st->busy;

	__sync_fetch_and_add(&st->busy, 1);
	return old;
}

/* The CPU's state, for the compat variant's capture functions (which
 * take no pointers), and the scratch where its callers leave the body. */
static __always_inline struct flap_cpu_state *cpu_state_here(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_state, &zero);
}

_Static_assert(sizeof(struct body) <= sizeof(((struct flap_cpu_state *)0)->scratch),
	       "struct body fits the scratch");

static __always_inline struct body *body_of(struct flap_cpu_state *st)
{
	return st ? (struct body *)st->scratch : NULL;
}

static __always_inline void stash_body(struct flap_cpu_state *st, const struct body *b)
{
	__builtin_memcpy(st->scratch, b, sizeof(*b));
}

/* The compat variant's loop state: in the scratch, behind the body. */
#define LOOP_OFF 64
_Static_assert(sizeof(struct body) <= LOOP_OFF, "struct body fits before the loop state");
_Static_assert(LOOP_OFF + sizeof(struct iov_loop) <= FLAP_SCRATCH &&
		       LOOP_OFF + sizeof(struct argv_loop) <= FLAP_SCRATCH &&
		       LOOP_OFF + sizeof(struct envp_loop) <= FLAP_SCRATCH &&
		       LOOP_OFF + sizeof(struct dirent_loop) <= FLAP_SCRATCH,
	       "loop states fit the scratch");

static __always_inline void *loop_of(struct flap_cpu_state *st)
{
	return st ? (void *)(st->scratch + LOOP_OFF) : NULL;
}

/*
 * The compat variant's loop bodies: global functions that take only the
 * iteration number and find their state in the CPU's scratch, so that the
 * verifier checks each once, as it does a bpf_loop() callback. Inlined
 * into a bounded loop, the iovec step alone multiplied its paths by
 * four iterations: 170,000 verified instructions on 6.1 instead of 25,000.
 * Return: 1 to stop the loop, 0 to go on.
 */
__noinline int iov_step_compat(__u32 j)
{
	struct flap_cpu_state *st = cpu_state_here();

	return st ? iov_step_at(st, j, loop_of(st)) : 1;
}

__noinline int argv_step_compat(__u32 j)
{
	struct flap_cpu_state *st = cpu_state_here();

	return st ? argv_step_at(st, j, loop_of(st)) : 1;
}

__noinline int envp_step_compat(__u32 j)
{
	struct flap_cpu_state *st = cpu_state_here();

	return st ? envp_step_at(st, j, loop_of(st)) : 1;
}

__noinline int dirent_step_compat(__u32 j)
{
	struct flap_cpu_state *st = cpu_state_here();

	return st ? dirent_step_at(st, j, loop_of(st)) : 1;
}

#define FLAP_COMPAT 0
#include "record_variant.bpf.h"
#undef FLAP_COMPAT
#define FLAP_COMPAT 1
#include "record_variant.bpf.h"
#undef FLAP_COMPAT
