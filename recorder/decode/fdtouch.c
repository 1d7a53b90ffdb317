// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fdtouch.c - the descriptors and working directories the calls of a trace
 * change (see fdtouch.h). One pass over the events: each successful call
 * that makes a descriptor touches its number (the return value, dup2's
 * target, the two numbers a pipe captured), close and close_range touch
 * what they close; chdir, fchdir, chroot, pivot_root, unshare and setns
 * touch the working directory. What cannot be told marks the whole
 * process: a call that makes a descriptor whose exit was not recorded, a
 * pipe without its numbers, a clone that shares the descriptor table with
 * another process, the end of a process (its tgid may be reused).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/sched.h>
#include <linux/types.h>

#include "flap.h"
#include "fdtouch.h"
#include "syscalls.h"
#include "util.h"

enum touch_op {
	T_NONE,
	T_RET,	 /* the descriptor returned */
	T_ARG1,	 /* the descriptor in argument 1 (dup2, dup3) */
	T_CLOSE, /* argument 0 */
	T_RANGE, /* close_range(first, last) */
	T_PAIR,	 /* the int[2] captured (pipe, pipe2: arg 0; socketpair: arg 3) */
	T_FCNTL, /* F_DUPFD, F_DUPFD_CLOEXEC: the return */
	T_FORK,	 /* clone, clone3, fork, vfork */
	T_CWD,	 /* the working directory or root */
	T_EXIT,	 /* exit, exit_group: the process may end */
};

static const struct {
	const char *name;
	enum touch_op op;
} touch_ops[] = {
	{"open", T_RET},
	{"creat", T_RET},
	{"openat", T_RET},
	{"openat2", T_RET},
	{"socket", T_RET},
	{"accept", T_RET},
	{"accept4", T_RET},
	{"dup", T_RET},
	{"dup2", T_ARG1},
	{"dup3", T_ARG1},
	{"fcntl", T_FCNTL},
	{"close", T_CLOSE},
	{"close_range", T_RANGE},
	{"pipe", T_PAIR},
	{"pipe2", T_PAIR},
	{"socketpair", T_PAIR},
	{"epoll_create", T_RET},
	{"epoll_create1", T_RET},
	{"eventfd", T_RET},
	{"eventfd2", T_RET},
	{"timerfd_create", T_RET},
	{"signalfd", T_RET},
	{"signalfd4", T_RET},
	{"inotify_init", T_RET},
	{"inotify_init1", T_RET},
	{"fanotify_init", T_RET},
	{"pidfd_open", T_RET},
	{"pidfd_getfd", T_RET},
	{"userfaultfd", T_RET},
	{"perf_event_open", T_RET},
	{"io_uring_setup", T_RET},
	{"memfd_create", T_RET},
	{"memfd_secret", T_RET},
	{"open_by_handle_at", T_RET},
	{"open_tree", T_RET},
	{"fsopen", T_RET},
	{"fsmount", T_RET},
	{"fspick", T_RET},
	{"mq_open", T_RET},
	{"bpf", T_RET},
	{"landlock_create_ruleset", T_RET},
	{"seccomp", T_RET},
	{"clone", T_FORK},
	{"clone3", T_FORK},
	{"fork", T_FORK},
	{"vfork", T_FORK},
	{"chdir", T_CWD},
	{"fchdir", T_CWD},
	{"chroot", T_CWD},
	{"pivot_root", T_CWD},
	{"unshare", T_CWD},
	{"setns", T_CWD},
	{"exit", T_EXIT},
	{"exit_group", T_EXIT},
};

#define F_ALL 1 /* every descriptor of the process */
#define F_CWD 2

/* A process: its flags and the ranges close_range closed. */
struct tg {
	__u32 tgid; /* 0: free slot */
	__u32 flags;
	__u64 (*ranges)[2];
	size_t nranges;
};

struct flap_fdtouch {
	__u64 *fds; /* tgid << 32 | fd + 1; 0: free slot */
	size_t nfds, fcap;
	struct tg *tgs;
	size_t ntgs, tcap;
};

/* Per syscall number: its touch_op. */
static __u8 op_by_nr[FLAP_NR_MAX];
static pthread_once_t ops_once = PTHREAD_ONCE_INIT;

static void init_ops(void)
{
	const struct flap_syscall *sc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(touch_ops); i++) {
		sc = flap_syscall__by_name(touch_ops[i].name);
		if (sc && sc->nr >= 0 && sc->nr < FLAP_NR_MAX)
			op_by_nr[sc->nr] = touch_ops[i].op;
	}
}

static enum touch_op op_of(__u32 nr)
{
	pthread_once(&ops_once, init_ops);
	return nr < FLAP_NR_MAX ? (enum touch_op)op_by_nr[nr] : T_NONE;
}

static size_t hash_u64(__u64 v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	return (size_t)(v ^ (v >> 33));
}

static __u64 *fd_slot(__u64 *tab, size_t cap, __u64 key)
{
	size_t i = hash_u64(key) & (cap - 1);

	while (tab[i] && tab[i] != key)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static struct tg *tg_slot(struct tg *tab, size_t cap, __u32 tgid)
{
	size_t i = hash_u64(tgid) & (cap - 1);

	while (tab[i].tgid && tab[i].tgid != tgid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* The process @tgid, created when new. Return: NULL on -ENOMEM. */
static struct tg *tg_get(struct flap_fdtouch *x, __u32 tgid)
{
	struct tg *tab, *g;
	size_t cap, i;

	if ((x->ntgs + 1) * 2 > x->tcap) {
		cap = x->tcap ? x->tcap * 2 : 16;
		tab = calloc(cap, sizeof(*tab));
		if (!tab)
			return NULL;
		for (i = 0; i < x->tcap; i++)
			if (x->tgs[i].tgid)
				*tg_slot(tab, cap, x->tgs[i].tgid) = x->tgs[i];
		free(x->tgs);
		x->tgs = tab;
		x->tcap = cap;
	}
	g = tg_slot(x->tgs, x->tcap, tgid);
	if (!g->tgid) {
		g->tgid = tgid;
		x->ntgs++;
	}
	return g;
}

static int mark(struct flap_fdtouch *x, __u32 tgid, __u32 flags)
{
	struct tg *g = tg_get(x, tgid);

	if (!g)
		return -ENOMEM;
	g->flags |= flags;
	return 0;
}

static int touch_fd(struct flap_fdtouch *x, __u32 tgid, __s64 fd)
{
	size_t cap, i;
	__u64 *tab;

	if (fd < 0 || fd > 0x7fffffff)
		return 0;
	if ((x->nfds + 1) * 2 > x->fcap) {
		cap = x->fcap ? x->fcap * 2 : 64;
		tab = calloc(cap, sizeof(*tab));
		if (!tab)
			return -ENOMEM;
		for (i = 0; i < x->fcap; i++)
			if (x->fds[i])
				*fd_slot(tab, cap, x->fds[i]) = x->fds[i];
		free(x->fds);
		x->fds = tab;
		x->fcap = cap;
	}
	tab = fd_slot(x->fds, x->fcap, (__u64)tgid << 32 | (__u64)(fd + 1));
	if (!*tab) {
		*tab = (__u64)tgid << 32 | (__u64)(fd + 1);
		x->nfds++;
	}
	return 0;
}

static int touch_range(struct flap_fdtouch *x, __u32 tgid, __u64 lo, __u64 hi)
{
	struct tg *g = tg_get(x, tgid);
	__u64(*r)[2];

	if (!g)
		return -ENOMEM;
	r = realloc(g->ranges, (g->nranges + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	g->ranges = r;
	g->ranges[g->nranges][0] = lo;
	g->ranges[g->nranges][1] = hi;
	g->nranges++;
	return 0;
}

static const struct flap_cap *cap_at(const struct flap_event *ev, int arg)
{
	int i;

	for (i = 0; i < ev->ncaps && i < FLAP_EV_MAX_CAPS; i++)
		if (ev->caps[i].arg == arg && ev->caps[i].data &&
		    !(ev->caps[i].flags & FLAP_EVCAP_F_FAULT))
			return &ev->caps[i];
	return NULL;
}

static int touch_pair(struct flap_fdtouch *x, const struct flap_event *ev)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(ev->nr);
	const struct flap_cap *c = cap_at(ev, strcmp(sc->name, "socketpair") ? 0 : 3);
	int fds[2], err;

	if (!c || c->len < sizeof(fds))
		return mark(x, ev->tgid, F_ALL);
	memcpy(fds, c->data, sizeof(fds));
	err = touch_fd(x, ev->tgid, fds[0]);
	return err ? err : touch_fd(x, ev->tgid, fds[1]);
}

/* A fork: sharing the table or the working directory with another process. */
static int touch_fork(struct flap_fdtouch *x, const struct flap_event *ev)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(ev->nr);
	const struct flap_cap *c;
	__u32 both = 0;
	__u64 flags = 0;
	int err;

	if (!strcmp(sc->name, "clone")) {
		flags = ev->args[0];
	} else if (!strcmp(sc->name, "clone3")) {
		c = cap_at(ev, 0);
		if (!c || c->len < 8)
			flags = CLONE_FILES | CLONE_FS; /* not known: the worst */
		else
			memcpy(&flags, c->data, 8);
	}
	if (flags & CLONE_THREAD)
		return 0;
	if (flags & CLONE_FILES)
		both |= F_ALL;
	if (flags & CLONE_FS)
		both |= F_CWD;
	if (!both)
		return 0;
	err = mark(x, ev->tgid, both);
	return err || ev->ret <= 0 ? err : mark(x, (__u32)ev->ret, both);
}

static int touch_event(struct flap_fdtouch *x, const struct flap_event *ev)
{
	bool ok = (ev->flags & FLAP_EV_F_HAS_RET) && !(ev->ret >= -4095 && ev->ret < 0);
	bool known = (ev->flags & FLAP_EV_F_HAS_RET) || (ev->flags & FLAP_EV_F_UNFINISHED);
	enum touch_op op = op_of(ev->nr);

	if (op == T_NONE)
		return 0;
	/* A call that ended without its exit recorded: what did it make? */
	if (!known && op != T_EXIT && op != T_CLOSE && op != T_RANGE && op != T_ARG1)
		return mark(x, ev->tgid, op == T_CWD ? F_CWD : F_ALL);
	if (ev->flags & FLAP_EV_F_NO_ARGS)
		return op == T_EXIT ? mark(x, ev->tgid, F_ALL | F_CWD) : 0;
	switch (op) {
	case T_RET:
		return ok ? touch_fd(x, ev->tgid, ev->ret) : 0;
	case T_FCNTL:
		return ok && ((int)ev->args[1] == F_DUPFD || (int)ev->args[1] == F_DUPFD_CLOEXEC)
			       ? touch_fd(x, ev->tgid, ev->ret)
			       : 0;
	case T_ARG1:
		return ok || !known ? touch_fd(x, ev->tgid, (int)ev->args[1]) : 0;
	case T_CLOSE:
		return ev->ret != -EBADF ? touch_fd(x, ev->tgid, (int)ev->args[0]) : 0;
	case T_RANGE:
		return ok || !known ? touch_range(x, ev->tgid, (unsigned int)ev->args[0],
						  (unsigned int)ev->args[1])
				    : 0;
	case T_PAIR:
		return ok ? touch_pair(x, ev) : 0;
	case T_FORK:
		return ok && ev->ret > 0 ? touch_fork(x, ev) : 0;
	case T_CWD:
		return ok ? mark(x, ev->tgid, F_CWD) : 0;
	case T_EXIT:
		return mark(x, ev->tgid, F_ALL | F_CWD);
	default:
		return 0;
	}
}

void flap_fdtouch__free(struct flap_fdtouch *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->tcap; i++)
		free(x->tgs[i].ranges);
	free(x->tgs);
	free(x->fds);
	free(x);
}

int flap_fdtouch__new(const struct flap_trace *t, const __u64 *from, struct flap_fdtouch **out)
{
	struct flap_fdtouch *x = calloc(1, sizeof(*x));
	const struct flap_event *ev;
	size_t i;
	int err = 0;

	if (!x)
		return -ENOMEM;
	for (i = 0; i < t->nevents && !err; i++) {
		ev = &t->events[i];
		if (!from || (ev->source < t->nsources && ev->ts >= from[ev->source]))
			err = touch_event(x, ev);
	}
	if (err) {
		flap_fdtouch__free(x);
		return err;
	}
	*out = x;
	return 0;
}

static const struct tg *tg_find(const struct flap_fdtouch *x, __u32 tgid)
{
	const struct tg *g;

	if (!x->tcap)
		return NULL;
	g = tg_slot(x->tgs, x->tcap, tgid);
	return g->tgid ? g : NULL;
}

bool flap_fdtouch__fd(const struct flap_fdtouch *x, __u32 tgid, int fd)
{
	const struct tg *g = tg_find(x, tgid);
	__u64 key = (__u64)tgid << 32 | (__u64)(fd + 1);
	size_t i;

	if (fd < 0)
		return true;
	if (g && (g->flags & F_ALL))
		return true;
	for (i = 0; g && i < g->nranges; i++)
		if ((__u64)fd >= g->ranges[i][0] && (__u64)fd <= g->ranges[i][1])
			return true;
	return x->fcap && *fd_slot(x->fds, x->fcap, key) == key;
}

bool flap_fdtouch__cwd(const struct flap_fdtouch *x, __u32 tgid)
{
	const struct tg *g = tg_find(x, tgid);

	return g && (g->flags & F_CWD);
}
