/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * record_variant.bpf.h - the recorder's programs and the capture functions
 * they call, once per program variant. record.bpf.c includes this file
 * twice: with FLAP_COMPAT 0 for the full variant (handle_sys_enter,
 * handle_sys_exit) and with FLAP_COMPAT 1 for the compat variant
 * (handle_sys_enter_compat, handle_sys_exit_compat). The loader loads one
 * pair (bpf_program__set_autoload(); recorder/kernel/kfeatures.c picks it): both
 * record the same events into the same maps, they differ only in what
 * the kernel's verifier must accept.
 *
 * The full variant needs bpf_loop() (5.17), atomic fetch-and-add (5.12) and
 * global functions that take pointers (5.12); the verifier then checks
 * each capture function and loop body once. The compat variant, for
 * kernels from 5.10, has none of them: its capture functions are global
 * functions that take only scalars (they look up the CPU's state
 * themselves and find the record's body in its scratch), its loops are
 * bounded loops whose bodies are such functions too, and its busy guard is a plain load and an
 * atomic add. That guard is exact there because those kernels run syscall tracepoints with
 * preemption disabled: no second writer can come between the load and the add on one CPU.
 */

/* BPF_PROG() pastes its name: expand V() first. */
#define V_PROG(name, args...) BPF_PROG(name, args)

/*
 * How the capture functions get the CPU's state and the record's body:
 * as pointer arguments in the full variant; in the compat variant (global
 * functions of 5.10 take no pointers but the context) by a lookup of
 * cpu_state, whose scratch holds the body the caller stashed there.
 * V_ST_P/V_B_P declare the parameters, V_ST_A/V_B_A() pass them,
 * V_ST_GET/V_B_GET fetch them, V_B_STASH() stores the caller's body.
 */
#if FLAP_COMPAT
#define V(name)		  name##_compat
#define V_FN		  __noinline
#define V_ST_P		  /* none */
#define V_ST_A		  /* none */
#define V_ST_GET	  struct flap_cpu_state *st = cpu_state_here();
#define V_B_P		  /* none */
#define V_B_A(b)	  /* none */
#define V_B_GET		  struct body *b = body_of(st);
#define V_B_STASH(st, bp) stash_body(st, bp)
#define V_LOOP_STATE(type, l)  \
	type *l = loop_of(st); \
	if (l)                 \
	__builtin_memset(l, 0, sizeof(*l))
#define V_LOOP_ST(l, st) /* none */
#define V_LOOP(n, fn, l)                   \
	for (__u32 j_ = 0; j_ < (n); j_++) \
		if (fn##_compat(j_))       \
	break
#define V_BUSY_ENTER(st) busy_enter_plain(st)
/* A bounded loop costs the old verifiers every iteration: fewer entries. */
#define V_DIRENTS_MAX FLAP_DIRENTS_MAX_COMPAT
#else
#define V(name)		  name
#define V_FN		  __noinline
#define V_ST_P		  struct flap_cpu_state *st,
#define V_ST_A		  st,
#define V_ST_GET	  /* none */
#define V_B_P		  , struct body *b
#define V_B_A(b)	  , b
#define V_B_GET		  /* none */
#define V_B_STASH(st, bp) /* none */
#define V_LOOP_STATE(type, l) \
	type l##_ = {};       \
	type *l = &l##_
#define V_LOOP_ST(l, st) ((l)->st = (st))
#define V_LOOP(n, fn, l) bpf_loop(n, fn, l, 0)
#define V_BUSY_ENTER(st) __sync_fetch_and_add(&(st)->busy, 1)
#define V_DIRENTS_MAX	 FLAP_DIRENTS_MAX
#endif

/*
 * Writes one capture (struct flap_cap_hdr + bytes) at st->data + @off:
 * the string at @ptr, or @len bytes of the buffer at @ptr. @kind_arg is the
 * argument kind | index << 8. A global function: the verifier checks it
 * once, not once per argument and path. Returns the bytes written.
 */
V_FN int V(put_cap)(V_ST_P __u32 off, __u32 kind_arg, __u64 ptr, __u64 len)
{
	V_ST_GET
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
		/* An empty string reads as 0 bytes, not 1, on some kernels
		 * (6.1 and 6.12, not 6.18): strncpy_from_user_nofault() there
		 * counts no NUL for it. */
		if (n < 0) {
			n = 0;
			flags |= FLAP_CAP_F_FAULT;
		} else if (n > 0 && --n > cfg_str_max) {
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

/*
 * The iovecs of @b's argument @i (count in the next argument), written at
 * st->data + @off: for each of the first FLAP_IOV_MAX a struct flap_iov_cap
 * and a prefix of its data, at most cfg_buf_max data bytes in all (and at
 * most ret for IOV_OUT, whose data the call filled in order).
 * Return: bytes written, | XCAP_TRUNC when iovecs or data were left out,
 * | XCAP_FAULT when user memory could not be read.
 */
V_FN int V(put_iov)(V_ST_P __u32 off, __u32 kind_arg V_B_P)
{
	V_ST_GET
	V_B_GET
	__u32 k = kind_arg & 0xff, i = (kind_arg >> 8) & 7;
	V_LOOP_STATE(struct iov_loop, l);

	if (!st || !b || !l || i > 4 || off > XCAP_OFF_MAX)
		return 0;
	V_LOOP_ST(l, st);
	l->off = off;
	l->vec = b->args[i];
	l->cnt = b->args[i + 1] > FLAP_IOV_MAX ? FLAP_IOV_MAX : b->args[i + 1];
	if (b->args[i + 1] > FLAP_IOV_MAX)
		l->res = XCAP_TRUNC;
	l->left = k == FLAP_ARG_IOV_OUT ? (__u64)b->ret : ~0ULL;
	l->budget = FLAP_CAP_MAX - FLAP_IOV_MAX * sizeof(struct flap_iov_cap);
	if (cfg_buf_max < l->budget)
		l->budget = cfg_buf_max;
	V_LOOP(FLAP_IOV_MAX, iov_step, l);
	return l->res | (l->pos & 0xffff);
}

/*
 * execve's argv (@ptr) at st->data + @off: the strings one after the other,
 * each as a __u16 length and its bytes, cut at cfg_str_max; at most
 * FLAP_ARGV_MAX strings and FLAP_ARGV_BYTES bytes (flap.h FLAP_CAP_F_EACH).
 * Return as put_iov().
 */
V_FN int V(put_argv)(V_ST_P __u32 off, __u64 ptr)
{
	V_ST_GET
	V_LOOP_STATE(struct argv_loop, l);

	if (!st || !l || off > XCAP_OFF_MAX)
		return 0;
	V_LOOP_ST(l, st);
	l->off = off;
	l->ptr = ptr;
	l->budget = FLAP_ARGV_BYTES;
	V_LOOP(FLAP_ARGV_MAX, argv_step, l);
	/* Neither the end nor a fault nor the limit seen: FLAP_ARGV_MAX strings kept. */
	if (!(l->res & (1 | XCAP_FAULT | XCAP_TRUNC)))
		l->res |= XCAP_TRUNC;
	return (l->res & ~1) | (l->pos & 0xffff);
}

/*
 * envp (@ptr): the number of its entries, at most FLAP_ENVP_MAX, as a
 * __u32 at st->data + @off. Return as put_iov().
 */
V_FN int V(put_envp)(V_ST_P __u32 off, __u64 ptr)
{
	V_ST_GET
	V_LOOP_STATE(struct envp_loop, l);

	if (!st || !l || off > XCAP_OFF_MAX)
		return 0;
	l->ptr = ptr;
	V_LOOP(FLAP_ENVP_MAX, envp_step, l);
	*(__u32 *)(st->data + off) = l->count;
	return 4 | (l->done ? 0 : XCAP_TRUNC);
}

/*
 * The number of directory entries in the @len bytes at @ptr a getdents
 * call filled, as a __u32 at st->data + @off. Return as put_iov().
 */
V_FN int V(put_dirents)(V_ST_P __u32 off, __u64 ptr, __u64 len)
{
	V_ST_GET
	V_LOOP_STATE(struct dirent_loop, l);

	if (!st || !l || off > XCAP_OFF_MAX)
		return 0;
	l->ptr = ptr;
	l->len = len;
	V_LOOP(V_DIRENTS_MAX, dirent_step, l);
	*(__u32 *)(st->data + off) = l->count;
	if (l->pos < l->len && !(l->res & XCAP_FAULT))
		l->res |= XCAP_TRUNC;
	return 4 | l->res;
}

/*
 * The descriptors a call made and their inode numbers at st->data + @off
 * (flap.h FLAP_ARG_NEWFD): with @ptr the int[2] there, else the descriptor
 * @ret. Return as put_iov().
 */
V_FN int V(put_newfd)(V_ST_P __u32 off, __u64 ptr, __s64 ret)
{
	V_ST_GET
	int fds[2] = {};
	__u8 *p;

	if (!st || off > XCAP_OFF_MAX)
		return 0;
	p = st->data + off;
	if (!ptr) {
		*(__u64 *)p = fd_inode(ret);
		return 8;
	}
	if (bpf_probe_read_user(fds, sizeof(fds), (void *)ptr))
		return XCAP_FAULT;
	__builtin_memcpy(p, fds, sizeof(fds));
	*(__u64 *)(p + 8) = fd_inode(fds[0]);
	*(__u64 *)(p + 16) = fd_inode(fds[1]);
	return 24;
}

/*
 * At the entry of a FLAP_SC_INLEN call (its arguments just stored in the
 * pending slot): reads the length its SOCKADDR_OUT argument's next
 * argument points to, the caller's buffer size, for the exit's capture
 * (strace's [128 => 16]). Only these calls pay for it.
 */
V_FN int V(put_inlen)(V_ST_P __u32 kinds)
{
	V_ST_GET
	struct flap_pending *p;
	__u32 v = 0;
	int i;

	if (!st)
		return 0;
	p = &st->pending;
	p->inlen_set = 0;
	for (i = 0; i < 5; i++)
		if (FLAP_KIND_ARG(kinds, i) == FLAP_ARG_SOCKADDR_OUT)
			break;
	if (i >= 5 || !p->args[i] || !p->args[i + 1])
		return 0;
	if (bpf_probe_read_user(&v, sizeof(v), (void *)p->args[i + 1]))
		return 0;
	p->inlen = v;
	p->inlen_nr = p->nr;
	p->inlen_set = 1;
	return 0;
}

/*
 * Writes the capture of a structured argument (kinds > FLAP_ARG_BUF_OUT,
 * see flap.h) at st->data + @off; @kind_arg is the kind | index << 8.
 * Return: the bytes written, 0 when the argument is not captured here
 * (NULL, not at this point of the call, the call failed), -1 on bad input.
 */
V_FN int V(put_xcap)(V_ST_P __u32 off, __u32 kind_arg V_B_P)
{
	V_ST_GET
	V_B_GET
	__u32 k = kind_arg & 0xff, i = (kind_arg >> 8) & 7, pre = 0, size;
	__u64 ptr, next, len = 0, j;
	struct flap_cap_hdr *c;
	__u8 flags = 0;
	int res;

	if (!st || !b || i > 5 || off > XCAP_OFF_MAX)
		return -1;
	ptr = b->args[i];
	/* The next argument's index through a barrier and checked in the
	 * register that indexes: clang may reload @i from the stack, where
	 * the 6.1 verifier lost its bound. */
	j = i + 1;
	asm volatile("" : "+r"(j));
	next = j <= 5 ? b->args[j] : 0;
	size = FLAP_KIND_SIZE(b->kinds);
	c = (void *)(st->data + off);
	if (k == FLAP_ARG_NEWFD) {
		/* Before the NULL check: the value of a plain argument may be 0. */
		if (!b->at_exit || b->ret < 0 || (size && !ptr))
			return 0;
		res = V(put_newfd)(V_ST_A off + sizeof(*c), size ? ptr : 0, b->ret);
		goto packed;
	}
	if (!ptr)
		return 0;
	switch (k) {
	case FLAP_ARG_SOCKADDR_IN:
		if ((__s32)next <= 0)
			return 0;
		len = next;
		break;
	case FLAP_ARG_SOCKADDR_OUT:
		if (!b->at_exit || !next)
			return 0;
		/* The caller's length at entry, when this CPU's entry of
		 * the call read it, comes first (even when the call failed). */
		len = take_inlen(st);
		if (len <= 0xffffffffULL) {
			*(__u32 *)(c + 1) = len;
			pre = 4;
			flags |= FLAP_CAP_F_INLEN;
		}
		if (b->ret < 0) {
			if (!pre)
				return 0;
			len = 0;
			break;
		}
		/* Then the length the call stored. */
		if (bpf_probe_read_user(&res, sizeof(res), (void *)next))
			goto fault;
		*(__u32 *)((__u8 *)(c + 1) + pre) = res;
		pre += 4;
		len = res > 0 ? res : 0;
		break;
	case FLAP_ARG_STRUCT_IN:
		len = size;
		break;
	case FLAP_ARG_STRUCT_OUT:
		if (!b->at_exit || b->ret < 0)
			return 0;
		/* Size class 0: a large structure (flap.h enum flap_large). */
		len = size ? size : FLAP_LARGE_SIZE(FLAP_KIND_LARGE(b->kinds));
		if (!len)
			return 0;
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
		res = V(put_iov)(V_ST_A off + sizeof(*c), kind_arg V_B_A(b));
		goto packed;
	case FLAP_ARG_ARGV:
		res = V(put_argv)(V_ST_A off + sizeof(*c), ptr);
		flags |= FLAP_CAP_F_EACH;
		goto packed;
	case FLAP_ARG_ENVP:
		res = V(put_envp)(V_ST_A off + sizeof(*c), ptr);
		goto packed;
	case FLAP_ARG_DIRENTS:
		if (!b->at_exit || b->ret <= 0)
			return 0;
		res = V(put_dirents)(V_ST_A off + sizeof(*c), ptr, b->ret);
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
	pre &= 12;
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
 * Writes the variable part of a record at st->data + @off: the return value
 * (4 or 8 bytes), the arguments (4 or 8 bytes each), then the captures of
 * string and buffer arguments. A global function, like put_cap(), so its
 * paths are not multiplied by the caller's. Returns the packed result.
 */
V_FN int V(put_body)(V_ST_P __u32 off V_B_P)
{
	V_ST_GET
	V_B_GET
	__u32 nargs, pos = 0, wide = 0, ncaps = 0, faults = 0, n;
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
	if (!b->with_caps) {
		/* A spilled call: only the length its entry read (put_inlen()). */
		n = FLAP_SC_IS_INLEN(b->kinds) ? put_spill_inlen(st, off + pos, b->kinds) : 0;
		return (pos + n) | (n ? 1 : 0) << 13 | wide << 16;
	}

#pragma unroll
	for (int i = 0; i < 6; i++) {
		__u32 k = FLAP_KIND_ARG(b->kinds, i);
		__u64 len = 0;
		int n;

		if (k == FLAP_ARG_VAL || i >= nargs || ncaps >= FLAP_MAX_CAPS)
			continue;
		if (k > FLAP_ARG_BUF_OUT) {
			n = V(put_xcap)(V_ST_A off + pos, k | i << 8 V_B_A(b));
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
		n = V(put_cap)(V_ST_A off + pos, k | i << 8, b->args[i], len);
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
 * Writes an ENTER record for a call of thread @tid entered at @ts. With
 * @with_caps the current task is that thread and its strings are captured
 * (execve's path); a spilled pending call is written without them.
 */
static __always_inline void V(put_enter)(void *ctx, struct flap_cpu_state *st, struct flap_stats *s,
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
	/* A spilled call may keep its length at entry: 8 bytes (put_body()). */
	off = reserve(ctx, st, s, now, pid_tgid, sizeof(*r) + 48 + (with_caps ? caps_need(nr) : 8));
	if (off > FLAP_BLOCK_DATA + sizeof(struct flap_rec_thread))
		return;
	V_B_STASH(st, &b);
	res = V(put_body)(V_ST_A off + sizeof(*r) V_B_A(&b));
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

SEC("tp_btf/sys_enter")
int V_PROG(V(handle_sys_enter), struct pt_regs *regs, long id)
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
	if (V_BUSY_ENTER(st)) {
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
		V(put_enter)
	(ctx, st, s, now, pid_tgid, pend->ts, pend->tid, pend->tgid, pend->nr, pend->args, false,
	 FLAP_REC_F_SPILLED);
	read_args(regs, args);
	pend->ts = now;
	if (!cfg_exact_dur)
		pend->tick = tick_now();
	pend->tid = (__u32)pid_tgid;
	pend->tgid = pid_tgid >> 32;
	pend->nr = id;
	if (kinds & FLAP_SC_AT_ENTER) {
		V(put_enter)
		(ctx, st, s, now, pid_tgid, now, (__u32)pid_tgid, pid_tgid >> 32, id, args, true,
		 0);
		/* 2: the ENTER record is written, the exit only adds ret and dur. */
		pend->valid = 2;
	} else {
		__builtin_memcpy(pend->args, args, sizeof(args));
		pend->valid = 1;
		if (FLAP_SC_IS_INLEN(kinds))
			V(put_inlen)(V_ST_A kinds);
	}
out:
	__sync_fetch_and_sub(&st->busy, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int V_PROG(V(handle_sys_exit), struct pt_regs *regs, long ret)
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
	if (V_BUSY_ENTER(st)) {
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
		V_B_STASH(st, &b);
		res = V(put_body)(V_ST_A off + sizeof(*r) V_B_A(&b));
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

#include "record_signal.bpf.h"

#undef V
#undef V_FN
#undef V_LOOP
#undef V_LOOP_STATE
#undef V_LOOP_ST
#undef V_BUSY_ENTER
#undef V_DIRENTS_MAX
#undef V_PROG
#undef V_ST_P
#undef V_ST_A
#undef V_ST_GET
#undef V_B_P
#undef V_B_A
#undef V_B_GET
#undef V_B_STASH
