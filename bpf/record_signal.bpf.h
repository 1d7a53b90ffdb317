/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * record_signal.bpf.h - the recorder's signal programs, once per program
 * variant: record_variant.bpf.h includes this file with its V() macros set.
 * The dispatcher tail-calls them from the signal tracepoints
 * (dispatch.bpf.c): handle_signal_deliver in the thread that takes a
 * signal, handle_signal_generate in the task that sends one to a thread of
 * this cgroup. Both write a SIGNAL record (bpf/flap.h) into the same staging
 * block and ring as the syscalls, under the same busy guard and freeze, so
 * the history holds the signals in their place among the calls. They are
 * not on the syscall path: the sys_enter and sys_exit programs are what
 * they were.
 *
 * A delivered signal that will kill the process by its default action
 * (no handler) also carries where the thread was: its user registers and
 * the user stack as the kernel walks it (bpf_get_stack(), frame pointers).
 * The full variant reads the registers with bpf_task_pt_regs() (5.15); the
 * compat one finds them at the top of the task's kernel stack and keeps
 * them only when their ip is the stack's first frame.
 */

/* Signals whose default action is to ignore or to stop (the kernel's
 * SIG_KERNEL_IGNORE_MASK | SIG_KERNEL_STOP_MASK): every other one kills. */
#ifndef SIG_DEFAULT_SPARES
#define SIG_DEFAULT_SPARES                                                        \
	(1ULL << 17 /* CHLD */ | 1ULL << 18 /* CONT */ | 1ULL << 23 /* URG */ |   \
	 1ULL << 28 /* WINCH */ | 1ULL << 19 /* STOP */ | 1ULL << 20 /* TSTP */ | \
	 1ULL << 21 /* TTIN */ | 1ULL << 22 /* TTOU */)
/* SEND_SIG_NOINFO and SEND_SIG_PRIV: info pointers that point nowhere. */
#define SIG_INFO_NONE 0
#define SIG_INFO_PRIV 1
/* The kernel's SIGNAL_UNKILLABLE (include/linux/sched/signal.h). */
#define SIG_UNKILLABLE 0x40

/* Bytes a fatal delivery's fault part takes at most. */
#define FAULT_MAX                                             \
	(sizeof(struct flap_sig_fault) + FLAP_STACK_MAX * 8 + \
	 FLAP_STACK_MAX * sizeof(struct flap_sig_frame_id) + FLAP_STACK_BYTES)
/* A fatal delivery starts at most a THREAD record past the block's data:
 * it must fit in the slack behind. */
_Static_assert(sizeof(struct flap_rec_thread) + sizeof(struct flap_rec_signal) + FAULT_MAX <=
		       FLAP_STAGE_SLACK,
	       "a fatal delivery fits in the staging slack");

/* Copies the siginfo at @info (a kernel pointer, or SEND_SIG_NOINFO/PRIV). */
static __always_inline __u8 put_siginfo(__u8 *dst, struct kernel_siginfo *info)
{
	if ((unsigned long)info <= SIG_INFO_PRIV) {
		__builtin_memset(dst, 0, FLAP_SIGINFO_SIZE);
		return (unsigned long)info == SIG_INFO_PRIV ? FLAP_SIG_F_PRIV | FLAP_SIG_F_NOINFO
							    : FLAP_SIG_F_NOINFO;
	}
	if (bpf_probe_read_kernel(dst, FLAP_SIGINFO_SIZE, info)) {
		__builtin_memset(dst, 0, FLAP_SIGINFO_SIZE);
		return FLAP_SIG_F_NOINFO;
	}
	return 0;
}

/* reserve() for a record about another task than the current one (a sent
 * signal): no THREAD record names the current task. */
static __always_inline __u32 reserve_other(void *ctx, struct flap_cpu_state *st,
					   struct flap_stats *s, __u64 now, __u32 need)
{
	__u32 used = st->hdr.used;

	if (used && (used + need > FLAP_BLOCK_DATA || now - st->hdr.base_ts > 0xffffffffULL))
		flush(ctx, st, s);
	if (st->hdr.used == 0) {
		st->hdr.base_ts = now;
#pragma unroll
		for (int i = 0; i < FLAP_TID_CACHE; i++)
			st->seen[i] = 0;
	}
	return st->hdr.used;
}

#endif /* SIG_DEFAULT_SPARES: the part both variants share */

#if FLAP_COMPAT
/* The user registers of the current task, read from the top of its kernel
 * stack (task_pt_regs() with a 16 KiB stack); kept only when they agree
 * with the first frame of the stack walk. */
static __always_inline void V(sig_regs)(struct flap_sig_fault *f, __u64 first)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct pt_regs *regs;
	__u64 ip = 0;

	regs = (struct pt_regs *)((__u8 *)BPF_CORE_READ(task, stack) + 16384) - 1;
	bpf_core_read(&ip, sizeof(ip), &regs->ip);
	if (ip != first || !first) {
		f->ip = first;
		return;
	}
	f->ip = ip;
	bpf_core_read(&f->sp, sizeof(f->sp), &regs->sp);
	bpf_core_read(&f->bp, sizeof(f->bp), &regs->bp);
}
#else
static __always_inline void V(sig_regs)(struct flap_sig_fault *f, __u64 first)
{
	struct pt_regs *regs = (void *)bpf_task_pt_regs(bpf_get_current_task_btf());

	if (!regs) {
		f->ip = first;
		return;
	}
	f->ip = regs->ip;
	f->sp = regs->sp;
	f->bp = regs->bp;
}
#endif

/*
 * The fault part of a fatal delivery at @p: registers, up to FLAP_STACK_MAX
 * user frames as addresses and as build-id + file offset (so that they can
 * be symbolized after the process is gone), and the top of the user stack.
 * Return: its bytes.
 */
static __always_inline __u32 V(put_fault)(void *ctx, __u8 *p)
{
	struct flap_sig_fault *f = (void *)p;
	__u64 pos, len;
	long n;

	f->sp = 0;
	f->bp = 0;
	f->start_code = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), mm, start_code);
	f->nids = 0;
	f->stack_len = 0;
	f->pad = 0;
	n = bpf_get_stack(ctx, p + sizeof(*f), FLAP_STACK_MAX * 8, BPF_F_USER_STACK);
	if (n < 0)
		n = 0;
	if (n > FLAP_STACK_MAX * 8)
		n = FLAP_STACK_MAX * 8;
	f->nframes = n / 8;
	V(sig_regs)(f, n ? *(__u64 *)(p + sizeof(*f)) : 0);
	pos = sizeof(*f) + f->nframes * 8;
	/* Keep the bounded copy: 64-bit bounds for the 6.1 verifier. */
	asm volatile("" : "+r"(pos));
	if (pos > sizeof(*f) + FLAP_STACK_MAX * 8)
		return sizeof(*f);
	n = bpf_get_stack(ctx, p + pos, FLAP_STACK_MAX * sizeof(struct flap_sig_frame_id),
			  BPF_F_USER_STACK | BPF_F_USER_BUILD_ID);
	if (n < 0)
		n = 0;
	if (n > FLAP_STACK_MAX * sizeof(struct flap_sig_frame_id))
		n = FLAP_STACK_MAX * sizeof(struct flap_sig_frame_id);
	f->nids = n / sizeof(struct flap_sig_frame_id);
	pos += f->nids * sizeof(struct flap_sig_frame_id);
	asm volatile("" : "+r"(pos));
	if (pos > FAULT_MAX - FLAP_STACK_BYTES || !f->sp)
		return pos;
	/* The top of the stack, as much of FLAP_STACK_BYTES as is mapped: near
	 * the end of the stack (main's frames, under the environment) the read
	 * fails past it, and the stack's random start moves that end. */
	len = FLAP_STACK_BYTES;
	if (bpf_probe_read_user(p + pos, len, (void *)f->sp)) {
		len = FLAP_STACK_BYTES * 3 / 4;
		if (bpf_probe_read_user(p + pos, len, (void *)f->sp)) {
			len = FLAP_STACK_BYTES / 2;
			if (bpf_probe_read_user(p + pos, len, (void *)f->sp)) {
				len = FLAP_STACK_BYTES / 4;
				if (bpf_probe_read_user(p + pos, len, (void *)f->sp))
					len = 0;
			}
		}
	}
	f->stack_len = len;
	return pos + len;
}

SEC("tp_btf/signal_deliver")
int V_PROG(V(handle_signal_deliver), int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 now, pid_tgid, act[2] = {}, mask;
	__u32 zero = 0, off, len, need;
	struct flap_rec_signal *r;
	struct flap_cpu_state *st;
	struct flap_stats *s;
	__u32 sigflags;
	bool fatal;

	if (bpf_get_current_cgroup_id() != bound_cgroup_id)
		return 0;
	st = bpf_map_lookup_elem(&cpu_state, &zero);
	s = bpf_map_lookup_elem(&stats, &zero);
	if (!st || !s)
		return 0;
	if (V_BUSY_ENTER(st)) {
		__sync_fetch_and_add(&s->lost_nested, 1);
		goto out;
	}
	if (frozen) {
		s->lost_frozen++;
		goto out;
	}
	now = bpf_ktime_get_boot_ns();
	pid_tgid = bpf_get_current_pid_tgid();
	/* struct k_sigaction starts with sa_handler and sa_flags. */
	bpf_probe_read_kernel(act, sizeof(act), ka);
	sigflags = BPF_CORE_READ(task, signal, flags);
	/* The mask the handler's frame saves: the one sigsuspend() and the
	 * like replaced for the call, when they did. */
	mask = BPF_CORE_READ(task, blocked.sig[0]);
	if (bpf_core_field_exists(task->restore_sigmask) &&
	    BPF_CORE_READ_BITFIELD_PROBED(task, restore_sigmask))
		mask = BPF_CORE_READ(task, saved_sigmask.sig[0]);
	fatal = (unsigned long)info > SIG_INFO_PRIV && act[0] == 0 && sig > 0 && sig <= 64 &&
		!((SIG_DEFAULT_SPARES >> sig) & 1) && !(sigflags & SIG_UNKILLABLE);
	need = sizeof(*r) + (fatal ? FAULT_MAX : 0);
	off = reserve(ctx, st, s, now, pid_tgid, need);
	if (off > FLAP_BLOCK_DATA + sizeof(struct flap_rec_thread))
		goto out;
	asm volatile("" : "+r"(off));
	r = (void *)(st->data + off);
	r->hdr.type = FLAP_REC_SIGNAL;
	r->hdr.flags = put_siginfo(r->info, info);
	r->ts_delta = now > st->hdr.base_ts ? now - st->hdr.base_ts : 0;
	r->tid = (__u32)pid_tgid;
	r->tgid = pid_tgid >> 32;
	r->sig = sig;
	r->result = 0;
	r->handler = act[0];
	r->sa_flags = act[1];
	r->mask = mask;
	r->sigflags = sigflags;
	r->pad = 0;
	len = sizeof(*r);
	if (fatal) {
		len += V(put_fault)(ctx, st->data + off + sizeof(*r));
		r->hdr.flags |= FLAP_SIG_F_FAULT;
	}
	r->hdr.size = len;
	commit(st, s, off, len);
out:
	__sync_fetch_and_sub(&st->busy, 1);
	return 0;
}

SEC("tp_btf/signal_generate")
int V_PROG(V(handle_signal_generate), int sig, struct kernel_siginfo *info,
	   struct task_struct *task, int group, int result)
{
	__u32 zero = 0, off, len, idx = (sig - 1) & 63;
	struct flap_sig_sender *snd;
	__u64 now, pid_tgid, act[2] = {};
	struct flap_rec_signal *r;
	struct flap_cpu_state *st;
	struct flap_stats *s;
	__u8 *sighand;

	if (BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id) != bound_cgroup_id)
		return 0;
	st = bpf_map_lookup_elem(&cpu_state, &zero);
	s = bpf_map_lookup_elem(&stats, &zero);
	if (!st || !s)
		return 0;
	if (V_BUSY_ENTER(st)) {
		__sync_fetch_and_add(&s->lost_nested, 1);
		goto out;
	}
	if (frozen) {
		s->lost_frozen++;
		goto out;
	}
	now = bpf_ktime_get_boot_ns();
	pid_tgid = bpf_get_current_pid_tgid();
	/* The target's action for the signal: sighand->action[sig - 1]. */
	sighand = (__u8 *)BPF_CORE_READ(task, sighand);
	if (sighand && sig > 0 && sig <= 64)
		bpf_probe_read_kernel(act, sizeof(act),
				      sighand +
					      bpf_core_field_offset(struct sighand_struct, action) +
					      idx * bpf_core_type_size(struct k_sigaction));
	off = reserve_other(ctx, st, s, now, sizeof(*r) + sizeof(*snd));
	if (off > FLAP_BLOCK_DATA)
		goto out;
	asm volatile("" : "+r"(off));
	r = (void *)(st->data + off);
	r->hdr.size = sizeof(*r) + sizeof(*snd);
	r->hdr.type = FLAP_REC_SIGNAL;
	r->hdr.flags = put_siginfo(r->info, info) | FLAP_SIG_F_SENT;
	r->ts_delta = now > st->hdr.base_ts ? now - st->hdr.base_ts : 0;
	r->tid = BPF_CORE_READ(task, pid);
	r->tgid = BPF_CORE_READ(task, tgid);
	r->sig = sig;
	r->result = (result & 0xff) | (group ? 1 << 8 : 0);
	r->handler = act[0];
	r->sa_flags = act[1];
	r->mask = BPF_CORE_READ(task, blocked.sig[0]);
	r->sigflags = BPF_CORE_READ(task, signal, flags);
	r->pad = 0;
	snd = (void *)(st->data + off + sizeof(*r));
	snd->cgid = bpf_get_current_cgroup_id();
	snd->tid = (__u32)pid_tgid;
	snd->tgid = pid_tgid >> 32;
	snd->uid = (__u32)bpf_get_current_uid_gid();
	snd->pad = 0;
	bpf_get_current_comm(snd->comm, sizeof(snd->comm));
	len = sizeof(*r) + sizeof(*snd);
	commit(st, s, off, len);
out:
	__sync_fetch_and_sub(&st->busy, 1);
	return 0;
}
