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
#include "flap.h"
#include "handoff.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load (see recorder/registry.c). */
const volatile __u64 cfg_cgroup_id = 0;
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

	return h && h->cgid == cfg_cgroup_id ? h : NULL;
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

static long iov_step(__u32 j, struct iov_loop *l)
{
	struct {
		__u64 base;
		__u64 len;
	} iov;
	__u32 off = l->off, pos = l->pos;
	struct flap_iov_cap *c;
	__u64 want, n;

	if (j >= l->cnt || !l->st || off > XCAP_OFF_MAX || pos > FLAP_CAP_MAX - sizeof(*c))
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
	c = (void *)(l->st->data + off + pos);
	c->len_lo = iov.len;
	c->len_hi = iov.len >> 32;
	c->kept = 0;
	pos += sizeof(*c);
	l->pos = pos;
	if (n > FLAP_STR_MAX)
		n = FLAP_STR_MAX;
	if (!n)
		return 0;
	if (bpf_probe_read_user(l->st->data + off + pos, n, (void *)iov.base)) {
		l->res |= XCAP_FAULT;
		return 1;
	}
	c->kept = n;
	l->pos = pos + n;
	return 0;
}

/*
 * The iovecs of @b's argument @i (count in the next argument), written at
 * st->data + @off: for each of the first FLAP_IOV_MAX a struct flap_iov_cap
 * and a prefix of its data, at most cfg_buf_max data bytes in all (and at
 * most ret for IOV_OUT, whose data the call filled in order).
 * Return: bytes written, | XCAP_TRUNC when iovecs or data were left out,
 * | XCAP_FAULT when user memory could not be read.
 */
__noinline int put_iov(struct flap_cpu_state *st, __u32 off, __u32 kind_arg, struct body *b)
{
	__u32 k = kind_arg & 0xff, i = (kind_arg >> 8) & 7;
	struct iov_loop l = {};

	if (!st || !b || i > 4 || off > XCAP_OFF_MAX)
		return 0;
	l.st = st;
	l.off = off;
	l.vec = b->args[i];
	l.cnt = b->args[i + 1] > FLAP_IOV_MAX ? FLAP_IOV_MAX : b->args[i + 1];
	if (b->args[i + 1] > FLAP_IOV_MAX)
		l.res = XCAP_TRUNC;
	l.left = k == FLAP_ARG_IOV_OUT ? (__u64)b->ret : ~0ULL;
	l.budget = FLAP_CAP_MAX - FLAP_IOV_MAX * sizeof(struct flap_iov_cap);
	if (cfg_buf_max < l.budget)
		l.budget = cfg_buf_max;
	bpf_loop(FLAP_IOV_MAX, iov_step, &l, 0);
	return l.res | (l.pos & 0xffff);
}

struct argv_loop {
	struct flap_cpu_state *st;
	__u64 ptr;
	__u32 off;
	__u32 pos;
	__u32 budget;
	int res;
};

static long argv_step(__u32 j, struct argv_loop *l)
{
	__u32 off = l->off, pos = l->pos, left;
	__u64 s = 0;
	long n;

	if (!l->st || off > XCAP_OFF_MAX || pos > FLAP_STR_MAX)
		return 1;
	if (bpf_probe_read_user(&s, sizeof(s), (void *)(l->ptr + j * 8))) {
		l->res |= XCAP_FAULT;
		return 1;
	}
	if (!s) {
		l->res |= 1; /* the terminating NULL was seen */
		return 1;
	}
	if (pos >= l->budget) {
		l->res |= XCAP_TRUNC;
		return 1;
	}
	left = l->budget - pos;
	if (left > FLAP_STR_MAX)
		left = FLAP_STR_MAX;
	/* A string that fills what is left may go on: it counts as cut. */
	n = bpf_probe_read_user_str(l->st->data + off + pos, left + 1, (void *)s);
	if (n <= 0) {
		l->res |= XCAP_FAULT;
		return 1;
	}
	if (n > left) {
		l->pos = pos + left;
		l->res |= XCAP_TRUNC;
		return 1;
	}
	l->pos = pos + n;
	return 0;
}

/*
 * execve's argv (@ptr) at st->data + @off: the strings one after the other,
 * each with its NUL, at most FLAP_ARGV_MAX strings and cfg_str_max bytes; a
 * string cut at the limit is stored without its NUL. Return as put_iov().
 */
__noinline int put_argv(struct flap_cpu_state *st, __u32 off, __u64 ptr)
{
	struct argv_loop l = {};

	if (!st || off > XCAP_OFF_MAX)
		return 0;
	l.st = st;
	l.off = off;
	l.ptr = ptr;
	l.budget = cfg_str_max;
	bpf_loop(FLAP_ARGV_MAX, argv_step, &l, 0);
	/* Neither the end nor a fault nor the limit seen: FLAP_ARGV_MAX strings kept. */
	if (!(l.res & (1 | XCAP_FAULT | XCAP_TRUNC)))
		l.res |= XCAP_TRUNC;
	return (l.res & ~1) | (l.pos & 0xffff);
}

struct envp_loop {
	__u64 ptr;
	__u32 count;
	__u32 done;
};

static long envp_step(__u32 j, struct envp_loop *l)
{
	__u64 s = 0;

	if (bpf_probe_read_user(&s, sizeof(s), (void *)(l->ptr + j * 8)) || !s) {
		l->done = 1;
		return 1;
	}
	l->count++;
	return 0;
}

/*
 * envp (@ptr): the number of its entries, at most FLAP_ENVP_MAX, as a
 * __u32 at st->data + @off. Return as put_iov().
 */
__noinline int put_envp(struct flap_cpu_state *st, __u32 off, __u64 ptr)
{
	struct envp_loop l = {};

	if (!st || off > XCAP_OFF_MAX)
		return 0;
	l.ptr = ptr;
	bpf_loop(FLAP_ENVP_MAX, envp_step, &l, 0);
	*(__u32 *)(st->data + off) = l.count;
	return 4 | (l.done ? 0 : XCAP_TRUNC);
}

/*
 * Writes the capture of a structured argument (kinds > FLAP_ARG_BUF_OUT,
 * see flap.h) at st->data + @off; @kind_arg is the kind | index << 8.
 * Return: the bytes written, 0 when the argument is not captured here
 * (NULL, not at this point of the call, the call failed), -1 on bad input.
 */
__noinline int put_xcap(struct flap_cpu_state *st, __u32 off, __u32 kind_arg, struct body *b)
{
	__u32 k = kind_arg & 0xff, i = (kind_arg >> 8) & 7, pre = 0, size;
	__u64 ptr, next, len = 0;
	struct flap_cap_hdr *c;
	__u8 flags = 0;
	int res;

	if (!st || !b || i > 5 || off > XCAP_OFF_MAX)
		return -1;
	ptr = b->args[i];
	next = i < 5 ? b->args[i + 1] : 0;
	size = FLAP_KIND_SIZE(b->kinds);
	if (!ptr)
		return 0;
	c = (void *)(st->data + off);
	switch (k) {
	case FLAP_ARG_SOCKADDR_IN:
		if ((__s32)next <= 0)
			return 0;
		len = next;
		break;
	case FLAP_ARG_SOCKADDR_OUT:
		/* The length the call stored comes first. */
		if (!b->at_exit || b->ret < 0 || !next)
			return 0;
		if (bpf_probe_read_user(&res, sizeof(res), (void *)next))
			goto fault;
		*(__u32 *)(c + 1) = res;
		pre = 4;
		len = res > 0 ? res : 0;
		break;
	case FLAP_ARG_STRUCT_IN:
		len = size;
		break;
	case FLAP_ARG_STRUCT_OUT:
		if (!b->at_exit || b->ret < 0)
			return 0;
		len = size;
		break;
	case FLAP_ARG_ARRAY:
		if (!b->at_exit)
			return 0;
		len = next * size;
		if (next > FLAP_ARRAY_MAX)
			len = FLAP_ARRAY_MAX + 1;
		break;
	case FLAP_ARG_ARRAY_RET:
		if (!b->at_exit || b->ret <= 0)
			return 0;
		len = (__u64)b->ret * size;
		if (b->ret > FLAP_ARRAY_MAX)
			len = FLAP_ARRAY_MAX + 1;
		break;
	case FLAP_ARG_IOV_IN:
	case FLAP_ARG_IOV_OUT:
		if (k == FLAP_ARG_IOV_OUT && (!b->at_exit || b->ret < 0))
			return 0;
		res = put_iov(st, off + sizeof(*c), kind_arg, b);
		goto packed;
	case FLAP_ARG_ARGV:
		res = put_argv(st, off + sizeof(*c), ptr);
		goto packed;
	case FLAP_ARG_ENVP:
		res = put_envp(st, off + sizeof(*c), ptr);
		goto packed;
	default:
		return 0;
	}
	if (len > (k <= FLAP_ARG_SOCKADDR_OUT ? FLAP_SOCKADDR_MAX : FLAP_ARRAY_MAX)) {
		len = k <= FLAP_ARG_SOCKADDR_OUT ? FLAP_SOCKADDR_MAX : FLAP_ARRAY_MAX;
		/* Whole elements only. */
		if (size && k >= FLAP_ARG_ARRAY)
			len -= len % size;
		flags |= FLAP_CAP_F_TRUNC;
	}
	len &= 0xff;
	if (len && bpf_probe_read_user((__u8 *)(c + 1) + pre, len, (void *)ptr))
		goto fault;
	c->arg = i;
	c->flags = flags;
	c->len = pre + len;
	return sizeof(*c) + pre + len;
packed:
	if (res & XCAP_FAULT)
		flags |= FLAP_CAP_F_FAULT;
	if (res & XCAP_TRUNC)
		flags |= FLAP_CAP_F_TRUNC;
	c->arg = i;
	c->flags = flags;
	c->len = res & 0xffff;
	if (c->len > FLAP_CAP_MAX)
		c->len = 0;
	return sizeof(*c) + c->len;
fault:
	c->arg = i;
	c->flags = FLAP_CAP_F_FAULT;
	c->len = 0;
	return sizeof(*c);
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
	/* Keep the checked copy: clang may spill @off before the check. */
	asm volatile("" : "+r"(off));
	p = st->data + off;
	pos = put_vals(p, b);
	wide = pos >> 16;
	pos &= 0xffff;
	nargs = FLAP_KIND_NARGS(b->kinds);
	if (!b->with_caps)
		return pos | wide << 16;

	for (int i = 0; i < 6; i++) {
		__u32 k = FLAP_KIND_ARG(b->kinds, i);
		__u64 len = 0;
		int n;

		if (k == FLAP_ARG_VAL || i >= nargs || ncaps >= FLAP_MAX_CAPS)
			continue;
		if (k > FLAP_ARG_BUF_OUT) {
			n = put_xcap(st, off + pos, k | i << 8, b);
			if (n == 0)
				continue;
			goto got;
		}
		if (k == FLAP_ARG_BUF_IN)
			len = i < 5 ? b->args[i + 1] : 0;
		else if (k == FLAP_ARG_BUF_OUT)
			len = b->at_exit && b->ret > 0 ? b->ret : 0;
		if (k != FLAP_ARG_STR && (cfg_buf_max == 0 || len == 0))
			continue;
		n = put_cap(st, off + pos, k | i << 8, b->args[i], len);
got:
		if (n < (int)sizeof(struct flap_cap_hdr) ||
		    n > (int)sizeof(struct flap_cap_hdr) + FLAP_CAP_MAX)
			break;
		if (n == sizeof(struct flap_cap_hdr))
			faults++;
		pos += n;
		ncaps++;
	}
	return pos | ncaps << 13 | wide << 16 | faults << 24;
}

/*
 * Worst-case bytes of the captures of syscall @nr with the recorder's
 * string and buffer sizes: computed by the loader for every number
 * (flap_syscall_caps_need() in recorder/syscalls.c, the same rules as
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
	off = reserve(ctx, st, s, now, pid_tgid, sizeof(*r) + 48 + (with_caps ? caps_need(nr) : 0));
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
	struct flap_handoff *task;
	__u64 now, pid_tgid;
	struct flap_stats *s;
	__u32 zero = 0, kinds;
	__u64 args[6];

	if (filtered_out(id))
		return 0;
	task = traced_task(FLAP_HOOK_ENTER);
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
	pid_tgid = task->pid_tgid;
	pend = &st->pending;
	if (pend->valid == 1)
		put_enter(ctx, st, s, now, pid_tgid, pend->ts, pend->tid, pend->tgid, pend->nr,
			  pend->args, false, FLAP_REC_F_SPILLED);
	read_args(regs, args);
	pend->ts = now;
	if (!cfg_exact_dur)
		pend->tick = tick_now();
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
	struct flap_handoff *task;
	__u64 now, pid_tgid, dur = 0;
	__u32 zero = 0, off, nr, tid, need;
	struct flap_stats *s;
	struct body b = {};
	__u8 flags = 0;
	int res;

	nr = SC_NR(regs);
	if (filtered_out(nr))
		return 0;
	task = traced_task(FLAP_HOOK_EXIT);
	if (!task)
		return 0;
	st = bpf_map_lookup_elem(&cpu_state, &zero);
	s = bpf_map_lookup_elem(&stats, &zero);
	if (!st || !s)
		return 0;
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
	pid_tgid = task->pid_tgid;
	tid = (__u32)pid_tgid;
	pend = &st->pending;
	if (pend->valid && pend->tid == tid && pend->nr == nr) {
		/* A call that ended in the tick it began in keeps its entry
		 * time: no second clock read. Not when that would put it before
		 * the start of the block (the u32 delta cannot go back). */
		if (!cfg_exact_dur && pend->valid == 1 && pend->tick == tick_now() &&
		    (!st->hdr.used || pend->ts >= st->hdr.base_ts)) {
			now = pend->ts;
			flags |= FLAP_REC_F_TS_ENTER;
		} else {
			now = bpf_ktime_get_boot_ns();
			dur = now - pend->ts;
		}
		if (pend->valid == 2)
			flags |= FLAP_REC_F_NO_ARGS;
		else
			__builtin_memcpy(b.args, pend->args, sizeof(b.args));
		pend->valid = 0;
	} else {
		/* Entered on another CPU, or before the recorder was added. The
		 * pending slot belongs to another thread: leave it. */
		now = bpf_ktime_get_boot_ns();
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
	need = b.kinds ? caps_need(nr) : 0;
	off = reserve(ctx, st, s, now, pid_tgid, sizeof(*r) + 8 + 48 + need);
	if (off > FLAP_BLOCK_DATA + sizeof(struct flap_rec_thread))
		goto out;
	if (need) {
		res = put_body(st, off + sizeof(*r), &b);
		if (!res)
			goto out;
	} else {
		/* Nothing to capture: no call into put_body(). */
		res = put_vals(st->data + off + sizeof(*r), &b);
	}
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
