// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fdnames.c - descriptor names per process, learnt from the trace (see
 * fdnames.h). Processes are kept in a small open-addressing table by tgid;
 * each has its own open-addressing table of descriptors by number and,
 * when a chdir showed it, its working directory. A descriptor's slot stays
 * once used (a close only drops its name): processes reuse numbers, and
 * memory grows with the descriptors a trace names, not with their values
 * (a dump file may hold any numbers).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/close_range.h>
#include <linux/types.h>

#include "flap.h"
#include "fdnames.h"
#include "fdtouch.h"
#include "syscalls.h"
#include "util.h"

struct fdent {
	int fd; /* -1: free slot */
	bool cloexec;
	char *name; /* NULL: unknown */
};

struct proc {
	__u32 tgid;  /* 0: free slot */
	size_t nfds; /* used slots of fds */
	size_t cap;  /* slots of fds: 0 or a power of two */
	struct fdent *fds;
	char *cwd;
};

/* A slot of the alias table: a path of a source and how it resolves. */
struct alias {
	const char *path; /* NULL: free slot; borrowed from the trace */
	const char *resolved;
	__u16 source;
};

struct flap_fdnames {
	struct proc *procs;
	size_t nprocs, cap;
	struct alias *aliases; /* open addressing, acap a power of two (0: none) */
	size_t acap;
	/* Resolves instead of the aliases (the dump writer's pass). */
	char *(*resolve)(void *ctx, __u16 source, char *path);
	void *ctx;
	/* States read at the dump that name from an event on (where the
	 * history becomes complete), by the number of updates before it. */
	struct pending_seed {
		size_t at;
		const struct flap_proc_state *ps; /* borrowed from the trace */
	} * pend;
	size_t npend, next, nupdates;
	struct flap_fdtouch *touch;
};

/* What a syscall does to descriptors. */
enum fd_op {
	OP_NONE,
	OP_OPEN,   /* open, creat: path in arg 0 */
	OP_OPENAT, /* openat, openat2: dirfd arg 0, path arg 1 */
	OP_SOCKET, /* socket(domain, type, protocol) */
	OP_ACCEPT, /* accept, accept4: the listening socket's kind */
	OP_PAIR,   /* pipe, pipe2, socketpair: two fds in a capture */
	OP_DUP,	   /* dup, dup2, dup3 */
	OP_FCNTL,  /* F_DUPFD*, F_SETFD */
	OP_CLOSE,  /* close */
	OP_CLOSE_RANGE,
	OP_ANON,  /* returns an anonymous-inode fd (name in anon_names) */
	OP_MEMFD, /* memfd_create(name) */
	OP_NEWFD, /* returns an fd of unknown kind: forget the number */
	OP_FORK,  /* clone, clone3, fork, vfork */
	OP_EXEC,  /* execve, execveat */
	OP_CHDIR,
	OP_FCHDIR,
};

static const struct {
	const char *name;
	enum fd_op op;
	const char *anon; /* OP_ANON: the name strace shows */
} sc_ops[] = {
	{"open", OP_OPEN, NULL},
	{"creat", OP_OPEN, NULL},
	{"openat", OP_OPENAT, NULL},
	{"openat2", OP_OPENAT, NULL},
	{"socket", OP_SOCKET, NULL},
	{"accept", OP_ACCEPT, NULL},
	{"accept4", OP_ACCEPT, NULL},
	{"pipe", OP_PAIR, NULL},
	{"pipe2", OP_PAIR, NULL},
	{"socketpair", OP_PAIR, NULL},
	{"dup", OP_DUP, NULL},
	{"dup2", OP_DUP, NULL},
	{"dup3", OP_DUP, NULL},
	{"fcntl", OP_FCNTL, NULL},
	{"close", OP_CLOSE, NULL},
	{"close_range", OP_CLOSE_RANGE, NULL},
	{"epoll_create", OP_ANON, "anon_inode:[eventpoll]"},
	{"epoll_create1", OP_ANON, "anon_inode:[eventpoll]"},
	{"eventfd", OP_ANON, "anon_inode:[eventfd]"},
	{"eventfd2", OP_ANON, "anon_inode:[eventfd]"},
	{"timerfd_create", OP_ANON, "anon_inode:[timerfd]"},
	{"signalfd", OP_ANON, "anon_inode:[signalfd]"},
	{"signalfd4", OP_ANON, "anon_inode:[signalfd]"},
	{"inotify_init", OP_ANON, "anon_inode:inotify"},
	{"inotify_init1", OP_ANON, "anon_inode:inotify"},
	{"fanotify_init", OP_ANON, "anon_inode:[fanotify]"},
	{"pidfd_open", OP_ANON, "anon_inode:[pidfd]"},
	{"userfaultfd", OP_ANON, "anon_inode:[userfaultfd]"},
	{"perf_event_open", OP_ANON, "anon_inode:[perf_event]"},
	{"io_uring_setup", OP_ANON, "anon_inode:[io_uring]"},
	{"memfd_create", OP_MEMFD, NULL},
	{"open_by_handle_at", OP_NEWFD, NULL},
	{"open_tree", OP_NEWFD, NULL},
	{"fsopen", OP_NEWFD, NULL},
	{"fsmount", OP_NEWFD, NULL},
	{"fspick", OP_NEWFD, NULL},
	{"pidfd_getfd", OP_NEWFD, NULL},
	{"mq_open", OP_NEWFD, NULL},
	{"bpf", OP_NEWFD, NULL},
	{"memfd_secret", OP_NEWFD, NULL},
	{"landlock_create_ruleset", OP_NEWFD, NULL},
	{"seccomp", OP_NEWFD, NULL},
	{"clone", OP_FORK, NULL},
	{"clone3", OP_FORK, NULL},
	{"fork", OP_FORK, NULL},
	{"vfork", OP_FORK, NULL},
	{"execve", OP_EXEC, NULL},
	{"execveat", OP_EXEC, NULL},
	{"chdir", OP_CHDIR, NULL},
	{"fchdir", OP_FCHDIR, NULL},
};

/* Per syscall number: index into sc_ops + 1 (0: no effect). */
static __u8 op_of[FLAP_NR_MAX];
static pthread_once_t ops_once = PTHREAD_ONCE_INIT;

static void init_ops(void)
{
	const struct flap_syscall *sc;
	size_t i;

	_Static_assert(ARRAY_SIZE(sc_ops) < 255, "op index fits a byte");
	for (i = 0; i < ARRAY_SIZE(sc_ops); i++) {
		sc = flap_syscall__by_name(sc_ops[i].name);
		if (sc && sc->nr >= 0 && sc->nr < FLAP_NR_MAX)
			op_of[sc->nr] = i + 1;
	}
}

int flap_fdnames__new(struct flap_fdnames **out)
{
	struct flap_fdnames *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	pthread_once(&ops_once, init_ops);
	*out = f;
	return 0;
}

static void proc_clear(struct proc *p)
{
	size_t i;

	for (i = 0; i < p->cap; i++)
		free(p->fds[i].name);
	free(p->fds);
	free(p->cwd);
	p->fds = NULL;
	p->nfds = 0;
	p->cap = 0;
	p->cwd = NULL;
}

/* The slot of @fd in @tab (its own, or the free one it would take). */
static struct fdent *fd_slot(struct fdent *tab, size_t cap, int fd)
{
	size_t i = ((__u32)fd * 2654435761u) & (cap - 1);

	while (tab[i].fd != -1 && tab[i].fd != fd)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* The entry of @fd in @p, or NULL. */
static struct fdent *fd_find(const struct proc *p, long fd)
{
	struct fdent *e;

	if (!p || !p->cap || fd < 0 || fd > INT_MAX)
		return NULL;
	e = fd_slot(p->fds, p->cap, (int)fd);
	return e->fd == fd ? e : NULL;
}

static const char *fd_name(const struct proc *p, long fd)
{
	const struct fdent *e = fd_find(p, fd);

	return e ? e->name : NULL;
}

void flap_fdnames__free(struct flap_fdnames *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->cap; i++)
		proc_clear(&f->procs[i]);
	free(f->procs);
	free(f->aliases);
	free(f->pend);
	flap_fdtouch__free(f->touch);
	free(f);
}

static struct proc *proc_slot(struct proc *tab, size_t cap, __u32 tgid)
{
	size_t i = (tgid * 2654435761u) & (cap - 1);

	while (tab[i].tgid && tab[i].tgid != tgid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static const struct proc *proc_find(const struct flap_fdnames *f, __u32 tgid)
{
	const struct proc *p;

	if (!f->cap || !tgid)
		return NULL;
	p = proc_slot(f->procs, f->cap, tgid);
	return p->tgid ? p : NULL;
}

/* The process @tgid, created empty if new. Return: NULL on -ENOMEM. */
static struct proc *proc_get(struct flap_fdnames *f, __u32 tgid)
{
	struct proc *p;
	size_t i;

	if (!tgid)
		return NULL;
	if ((f->nprocs + 1) * 2 > f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct proc *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return NULL;
		for (i = 0; i < f->cap; i++)
			if (f->procs[i].tgid)
				*proc_slot(tab, cap, f->procs[i].tgid) = f->procs[i];
		free(f->procs);
		f->procs = tab;
		f->cap = cap;
	}
	p = proc_slot(f->procs, f->cap, tgid);
	if (!p->tgid) {
		p->tgid = tgid;
		f->nprocs++;
	}
	return p;
}

const char *flap_fdnames__get(const struct flap_fdnames *f, __u32 tgid, int fd)
{
	return f ? fd_name(proc_find(f, tgid), fd) : NULL;
}

const char *flap_fdnames__cwd(const struct flap_fdnames *f, __u32 tgid)
{
	const struct proc *p = f ? proc_find(f, tgid) : NULL;

	return p ? p->cwd : NULL;
}

/* Room for one more descriptor in @p. Return: 0 or -ENOMEM. */
static int fd_grow(struct proc *p)
{
	size_t cap = p->cap ? p->cap * 2 : 16, i;
	struct fdent *tab;

	if ((p->nfds + 1) * 2 <= p->cap)
		return 0;
	tab = malloc(cap * sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	for (i = 0; i < cap; i++)
		tab[i] = (struct fdent){.fd = -1};
	for (i = 0; i < p->cap; i++)
		if (p->fds[i].fd != -1)
			*fd_slot(tab, cap, p->fds[i].fd) = p->fds[i];
	free(p->fds);
	p->fds = tab;
	p->cap = cap;
	return 0;
}

/* Sets descriptor @fd of @p to @name (owned: taken, NULL forgets it). */
static int set_fd(struct proc *p, long fd, char *name, bool cloexec)
{
	struct fdent *e = fd_find(p, fd);

	if (!e) {
		if (!name || fd < 0 || fd > INT_MAX) {
			free(name);
			return 0;
		}
		if (fd_grow(p)) {
			free(name);
			return -ENOMEM;
		}
		e = fd_slot(p->fds, p->cap, (int)fd);
		e->fd = (int)fd;
		e->name = NULL;
		p->nfds++;
	}
	free(e->name);
	e->name = name;
	e->cloexec = name && cloexec;
	return 0;
}

static size_t alias_hash(__u16 source, const char *path)
{
	size_t h = 2166136261u ^ source;

	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 16777619u;
	return h;
}

static struct alias *alias_slot(struct alias *tab, size_t cap, __u16 source, const char *path)
{
	size_t i = alias_hash(source, path) & (cap - 1);

	while (tab[i].path && (tab[i].source != source || strcmp(tab[i].path, path)))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* The aliases of @t by source and path (borrowed: @t outlives the table). */
static int seed_aliases(struct flap_fdnames *f, const struct flap_trace *t)
{
	size_t cap = 16, i;
	struct alias *a;

	if (!t->npaths)
		return 0;
	while (cap < t->npaths * 2)
		cap *= 2;
	free(f->aliases);
	f->aliases = calloc(cap, sizeof(*f->aliases));
	f->acap = f->aliases ? cap : 0;
	if (!f->aliases)
		return -ENOMEM;
	for (i = 0; i < t->npaths; i++) {
		a = alias_slot(f->aliases, cap, t->paths[i].source, t->paths[i].path);
		a->path = t->paths[i].path;
		a->resolved = t->paths[i].resolved;
		a->source = t->paths[i].source;
	}
	return 0;
}

/* The alias of @path (owned) in source @source, or @path itself. */
static char *alias_of(const struct flap_fdnames *f, __u16 source, char *path)
{
	const struct alias *a;
	char *s;

	if (!path || path[0] != '/' || !f->acap)
		return path;
	a = alias_slot(f->aliases, f->acap, source, path);
	if (!a->path)
		return path;
	s = strdup(a->resolved);
	if (!s)
		return path;
	free(path);
	return s;
}

/* @path (owned) as the kernel names it: resolved now, or its alias. */
static char *resolved(struct flap_fdnames *f, __u16 source, char *path)
{
	if (f->resolve && path && path[0] == '/')
		return f->resolve(f->ctx, source, path);
	return alias_of(f, source, path);
}

void flap_fdnames__set_resolver(struct flap_fdnames *f,
				char *(*fn)(void *ctx, __u16 source, char *path), void *ctx)
{
	f->resolve = fn;
	f->ctx = ctx;
}

/* The registration state of @ps, when its source's history starts there. */
static int seed_proc(struct flap_fdnames *f, const struct flap_proc_state *ps)
{
	struct proc *p = proc_get(f, ps->tgid);
	__u32 k;
	int err;

	if (!p)
		return -ENOMEM;
	if (ps->cwd && ps->cwd[0] == '/') {
		free(p->cwd);
		p->cwd = strdup(ps->cwd);
	}
	for (k = 0; k < ps->nfds; k++) {
		if (!ps->fds[k].name)
			continue;
		err = set_fd(p, ps->fds[k].fd, strdup(ps->fds[k].name), ps->fds[k].cloexec);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The state of @ps read at the dump: what no call of the history changes
 * (@x) was the same all along it, and names every event. What the
 * registration state named stays.
 */
static int seed_dump_state(struct flap_fdnames *f, const struct flap_proc_state *ps,
			   const struct flap_fdtouch *x)
{
	struct proc *p = proc_get(f, ps->tgid);
	__u32 k;
	int err;

	if (!p)
		return -ENOMEM;
	if (!p->cwd && ps->cwd && ps->cwd[0] == '/' && !flap_fdtouch__cwd(x, ps->tgid))
		p->cwd = strdup(ps->cwd);
	for (k = 0; k < ps->nfds; k++) {
		if (!ps->fds[k].name || fd_name(p, ps->fds[k].fd) ||
		    flap_fdtouch__fd(x, ps->tgid, ps->fds[k].fd))
			continue;
		err = set_fd(p, ps->fds[k].fd, strdup(ps->fds[k].name), ps->fds[k].cloexec);
		if (err)
			return err;
	}
	return 0;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct pending_seed *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * The states read at the dump, each from where its source's history is
 * complete (flap_trace__complete_from()): from then on every call is there,
 * and what none of them changes (fdtouch.h) was the same all along.
 */
/* The number of events of @t (sorted by time) before time @ts. */
static size_t events_before(const struct flap_trace *t, __u64 ts)
{
	size_t lo = 0, hi = t->nevents, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->events[mid].ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int seed_dump_states(struct flap_fdnames *f, const struct flap_trace *t)
{
	__u64 *from = calloc(t->nsources ? t->nsources : 1, sizeof(*from));
	const struct flap_proc_state *ps;
	size_t i, at;
	int err = 0;

	if (!from)
		return -ENOMEM;
	for (i = 0; i < (size_t)t->nsources; i++)
		from[i] = flap_trace__complete_from(t, (int)i);
	f->pend = calloc(t->nprocs, sizeof(*f->pend));
	err = f->pend ? flap_fdtouch__new(t, from, &f->touch) : -ENOMEM;
	for (i = 0; i < t->nprocs && !err; i++) {
		ps = &t->procs[i];
		if (!ps->at_dump || !flap_trace__dump_state_apply(t, ps->source))
			continue;
		at = events_before(t, from[ps->source]);
		if (at == 0)
			err = seed_dump_state(f, ps, f->touch);
		else
			f->pend[f->npend++] = (struct pending_seed){.at = at, .ps = ps};
	}
	if (f->npend > 1)
		qsort(f->pend, f->npend, sizeof(*f->pend), cmp_pending);
	free(from);
	return err;
}

int flap_fdnames__seed(struct flap_fdnames *f, const struct flap_trace *t)
{
	size_t i;
	int err = 0;

	if (seed_aliases(f, t))
		return -ENOMEM;
	for (i = 0; i < t->nprocs && !err; i++)
		if (!t->procs[i].at_dump && flap_trace__procs_apply(t, t->procs[i].source))
			err = seed_proc(f, &t->procs[i]);
	for (i = 0; i < t->nprocs && !err; i++)
		if (t->procs[i].at_dump && flap_trace__dump_state_apply(t, t->procs[i].source))
			return seed_dump_states(f, t);
	return err;
}

static char *dup_name(const struct proc *p, long fd)
{
	const char *name = fd_name(p, fd);

	return name ? strdup(name) : NULL;
}

/* The capture of argument @idx as a string (NUL-terminated copy), or NULL. */
static char *cap_string(const struct flap_event *ev, int idx)
{
	int i, n = ev->ncaps < FLAP_EV_MAX_CAPS ? ev->ncaps : FLAP_EV_MAX_CAPS;
	const struct flap_cap *c;
	char *s;

	for (i = 0; i < n; i++) {
		c = &ev->caps[i];
		if (c->arg != idx || (c->flags & FLAP_EVCAP_F_FAULT) || (c->len && !c->data))
			continue;
		s = malloc(c->len + 4);
		if (!s)
			return NULL;
		memcpy(s, c->data, c->len);
		s[c->len] = '\0';
		/* A cut path is not the file's name: mark it. */
		if (c->flags & FLAP_EVCAP_F_TRUNC)
			strcat(s, "...");
		return s;
	}
	return NULL;
}

static const struct flap_cap *cap_of(const struct flap_event *ev, int idx)
{
	int i, n = ev->ncaps < FLAP_EV_MAX_CAPS ? ev->ncaps : FLAP_EV_MAX_CAPS;

	for (i = 0; i < n; i++)
		if (ev->caps[i].arg == idx && ev->caps[i].data &&
		    !(ev->caps[i].flags & FLAP_EVCAP_F_FAULT))
			return &ev->caps[i];
	return NULL;
}

/* Removes "", "." and ".." components of the absolute path @s in place. */
static void clean_path(char *s)
{
	char *out = s, *p = s, *seg;
	size_t n;

	while (*p) {
		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = p - seg;
		if (!n || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > s && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, n);
		out += n;
	}
	if (out == s)
		*out++ = '/';
	*out = '\0';
}

/*
 * @path (owned) made absolute against @base when it is relative and @base
 * is known, then cleaned. A relative path with no base stays as given.
 */
static char *resolve(const char *base, char *path)
{
	char *s;

	if (!path)
		return NULL;
	if (path[0] != '/' && (!base || base[0] != '/'))
		return path;
	if (path[0] != '/') {
		s = malloc(strlen(base) + strlen(path) + 2);
		if (!s) {
			free(path);
			return NULL;
		}
		strcpy(s, base);
		strcat(s, "/");
		strcat(s, path);
		free(path);
		path = s;
	}
	clean_path(path);
	return path;
}

const char *flap_fdnames__socket_kind(long domain, long type)
{
	type &= 0xf;
	if (domain == AF_UNIX)
		return type == SOCK_STREAM	? "UNIX-STREAM"
		       : type == SOCK_DGRAM	? "UNIX-DGRAM"
		       : type == SOCK_SEQPACKET ? "UNIX-SEQPACKET"
						: "UNIX";
	if (domain == AF_INET)
		return type == SOCK_STREAM ? "TCP" : type == SOCK_DGRAM ? "UDP" : "socket";
	if (domain == AF_INET6)
		return type == SOCK_STREAM ? "TCPv6" : type == SOCK_DGRAM ? "UDPv6" : "socket";
	if (domain == AF_NETLINK)
		return "NETLINK";
	return "socket";
}

/* The resolved path of open-like call @ev of process @p (see flap_fdnames__open_path()). */
static char *open_path(const struct proc *p, const struct flap_event *ev, const char *sc)
{
	bool at = !strcmp(sc, "openat") || !strcmp(sc, "openat2");
	const char *base = p ? p->cwd : NULL;
	int dfd = (int)ev->args[0];

	if (at && dfd != AT_FDCWD)
		base = fd_name(p, dfd);
	return resolve(base, cap_string(ev, at ? 1 : 0));
}

static int do_open(struct flap_fdnames *f, struct proc *p, const struct flap_event *ev,
		   const char *sc)
{
	const struct flap_cap *how;
	__u64 flags = ev->args[strcmp(sc, "open") && strcmp(sc, "creat") ? 2 : 1];

	if (!strcmp(sc, "creat"))
		flags = 0;
	if (!strcmp(sc, "openat2")) {
		how = cap_of(ev, 2);
		flags = 0;
		if (how && how->len >= 8)
			memcpy(&flags, how->data, 8);
	}
	return set_fd(p, ev->ret, resolved(f, ev->source, open_path(p, ev, sc)), flags & O_CLOEXEC);
}

char *flap_fdnames__open_path(const struct flap_fdnames *f, const struct flap_event *ev)
{
	int idx = ev->nr < FLAP_NR_MAX ? op_of[ev->nr] : 0;
	enum fd_op op = idx ? sc_ops[idx - 1].op : OP_NONE;

	if ((op != OP_OPEN && op != OP_OPENAT) || (ev->flags & FLAP_EV_F_NO_ARGS))
		return NULL;
	return alias_of(f, ev->source, open_path(proc_find(f, ev->tgid), ev, sc_ops[idx - 1].name));
}

char *flap_fdnames__join(const struct flap_fdnames *f, const struct flap_event *ev,
			 const char *path, size_t len)
{
	const struct proc *p = proc_find(f, ev->tgid);
	char *s = strndup(path, len);

	s = resolve(p ? p->cwd : NULL, s);
	if (s && s[0] != '/') {
		free(s);
		return NULL;
	}
	return alias_of(f, ev->source, s);
}

const char *flap_fdnames__made_name(const struct flap_event *ev, int k, char *buf, size_t size)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(ev->nr);
	bool pair = k >= 0, sock;
	const struct flap_cap *c;
	__u64 ino = 0;

	if (!sc)
		return NULL;
	sock = strcmp(sc->name, "pipe") && strcmp(sc->name, "pipe2");
	c = cap_of(ev, pair ? (sock ? 3 : 0) : 0);
	if (c && pair && k < 2 && c->len >= 24)
		memcpy(&ino, c->data + 8 + 8 * k, 8);
	else if (c && !pair && c->len >= 8)
		memcpy(&ino, c->data, 8);
	if (ino) {
		snprintf(buf, size, "%s:[%llu]", sock ? "socket" : "pipe", (unsigned long long)ino);
		return buf;
	}
	if (!sock)
		return "pipe";
	/* accept: the listener's, which the caller knows */
	if (strcmp(sc->name, "socket") && strcmp(sc->name, "socketpair"))
		return NULL;
	return flap_fdnames__socket_kind(ev->args[0], ev->args[1]);
}

/* The name flap_fdnames__made_name() gives, as a new string (NULL: none or -ENOMEM). */
static char *made_name(const struct flap_event *ev, int k)
{
	const char *name;
	char buf[64];

	name = flap_fdnames__made_name(ev, k, buf, sizeof(buf));
	return name ? strdup(name) : NULL;
}

static int do_pair(struct proc *p, const struct flap_event *ev, const char *sc)
{
	bool sock = !strcmp(sc, "socketpair");
	const struct flap_cap *c = cap_of(ev, sock ? 3 : 0);
	bool cloexec = false;
	int fds[2], i, err = 0;

	if (!c || c->len < sizeof(fds))
		return 0;
	memcpy(fds, c->data, sizeof(fds));
	if (!strcmp(sc, "pipe2"))
		cloexec = ev->args[1] & O_CLOEXEC;
	else if (sock)
		cloexec = ev->args[1] & SOCK_CLOEXEC;
	for (i = 0; i < 2 && !err; i++)
		err = set_fd(p, fds[i], made_name(ev, i), cloexec);
	return err;
}

static int do_dup(struct proc *p, const struct flap_event *ev, const char *sc)
{
	bool cloexec = !strcmp(sc, "dup3") && (ev->args[2] & O_CLOEXEC);

	if ((long)ev->args[0] == ev->ret)
		return 0;
	return set_fd(p, ev->ret, dup_name(p, ev->args[0]), cloexec);
}

static int do_fcntl(struct proc *p, const struct flap_event *ev)
{
	int cmd = (int)ev->args[1], fd = (int)ev->args[0];

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return set_fd(p, ev->ret, dup_name(p, fd), cmd == F_DUPFD_CLOEXEC);
	if (cmd == F_SETFD && fd_find(p, fd) && fd_find(p, fd)->name)
		fd_find(p, fd)->cloexec = ev->args[2] & FD_CLOEXEC;
	return 0;
}

static void do_close_range(struct proc *p, const struct flap_event *ev)
{
	__u64 first = (unsigned int)ev->args[0], last = (unsigned int)ev->args[1];
	size_t i;

	/* The table's descriptors, not the range: it may be 0..UINT_MAX. */
	for (i = 0; i < p->cap; i++) {
		struct fdent *e = &p->fds[i];

		if (e->fd < 0 || (__u64)e->fd < first || (__u64)e->fd > last || !e->name)
			continue;
		if (ev->args[2] & CLOSE_RANGE_CLOEXEC) {
			e->cloexec = true;
			continue;
		}
		free(e->name);
		e->name = NULL;
	}
}

/* A fork: the child @child starts with a copy of @p's table and cwd. */
static int do_fork(struct flap_fdnames *f, __u32 parent, const struct flap_event *ev)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(ev->nr);
	const struct flap_cap *args;
	struct proc *p, *c;
	__u64 flags = 0;
	int i, err = 0;

	if (!strcmp(sc->name, "clone")) {
		flags = ev->args[0];
	} else if (!strcmp(sc->name, "clone3")) {
		args = cap_of(ev, 0);
		if (args && args->len >= 8)
			memcpy(&flags, args->data, 8);
	}
	if (flags & CLONE_THREAD)
		return 0;
	c = proc_get(f, ev->ret);
	if (!c)
		return -ENOMEM;
	proc_clear(c);
	/* proc_get() may have moved the table. */
	p = (struct proc *)proc_find(f, parent);
	if (!p)
		return 0;
	c->cwd = p->cwd ? strdup(p->cwd) : NULL;
	for (i = 0; i < (int)p->cap && !err; i++)
		if (p->fds[i].fd != -1 && p->fds[i].name)
			err = set_fd(c, p->fds[i].fd, strdup(p->fds[i].name), p->fds[i].cloexec);
	return err;
}

static void do_exec(struct proc *p)
{
	size_t i;

	for (i = 0; i < p->cap; i++)
		if (p->fds[i].cloexec) {
			free(p->fds[i].name);
			p->fds[i].name = NULL;
			p->fds[i].cloexec = false;
		}
}

static void do_chdir(struct proc *p, char *dir)
{
	if (!dir)
		return;
	if (dir[0] != '/') {
		free(dir);
		return;
	}
	free(p->cwd);
	p->cwd = dir;
}

static __u64 anon_cloexec(const struct flap_event *ev, const char *sc)
{
	if (!strcmp(sc, "memfd_create"))
		return ev->args[1] & MFD_CLOEXEC;
	if (!strcmp(sc, "pidfd_open"))
		return 1;
	if (!strcmp(sc, "eventfd2") || !strcmp(sc, "epoll_create1") || !strcmp(sc, "inotify_init1"))
		return ev->args[ev->nargs > 1 ? 1 : 0] & O_CLOEXEC;
	if (!strcmp(sc, "timerfd_create") || !strcmp(sc, "signalfd4"))
		return ev->args[!strcmp(sc, "signalfd4") ? 3 : 1] & O_CLOEXEC;
	return 0;
}

static char *memfd_name(const struct flap_event *ev)
{
	char *name = cap_string(ev, 0), *s;

	if (!name)
		return NULL;
	s = malloc(strlen(name) + 32);
	if (s)
		strcat(strcat(strcpy(s, "/memfd:"), name), " (deleted)");
	free(name);
	return s;
}

/* After the update of the events before a pending state's: seed it. */
static int seed_pending(struct flap_fdnames *f)
{
	int err = 0;

	f->nupdates++;
	while (!err && f->next < f->npend && f->pend[f->next].at <= f->nupdates)
		err = seed_dump_state(f, f->pend[f->next++].ps, f->touch);
	return err;
}

static int update(struct flap_fdnames *f, const struct flap_event *ev);

int flap_fdnames__update(struct flap_fdnames *f, const struct flap_event *ev)
{
	int err = update(f, ev);

	if (f->next < f->npend) {
		int e2 = seed_pending(f);

		return err ? err : e2;
	}
	return err;
}

static int update(struct flap_fdnames *f, const struct flap_event *ev)
{
	int idx = ev->nr < FLAP_NR_MAX ? op_of[ev->nr] : 0;
	const char *sc;
	struct proc *p;
	long ret = ev->ret;

	if (!idx || !(ev->flags & FLAP_EV_F_HAS_RET) || (ev->flags & FLAP_EV_F_UNFINISHED))
		return 0;
	/* Without the arguments nothing can be said but the end of the names. */
	if ((ev->flags & FLAP_EV_F_NO_ARGS) && sc_ops[idx - 1].op != OP_EXEC)
		return 0;
	sc = sc_ops[idx - 1].name;
	p = proc_get(f, ev->tgid);
	if (!p)
		return -ENOMEM;
	if (sc_ops[idx - 1].op == OP_CLOSE) {
		if (ret != -EBADF)
			set_fd(p, (int)ev->args[0], NULL, false);
		return 0;
	}
	if (ret < 0)
		return 0;
	switch (sc_ops[idx - 1].op) {
	case OP_OPEN:
	case OP_OPENAT:
		return do_open(f, p, ev, sc);
	case OP_SOCKET:
		return set_fd(p, ret, made_name(ev, -1), ev->args[1] & SOCK_CLOEXEC);
	case OP_ACCEPT: {
		char *name = made_name(ev, -1);

		return set_fd(p, ret, name ? name : dup_name(p, ev->args[0]),
			      !strcmp(sc, "accept4") && (ev->args[3] & SOCK_CLOEXEC));
	}
	case OP_PAIR:
		return do_pair(p, ev, sc);
	case OP_DUP:
		return do_dup(p, ev, sc);
	case OP_FCNTL:
		return do_fcntl(p, ev);
	case OP_CLOSE_RANGE:
		do_close_range(p, ev);
		return 0;
	case OP_ANON:
		return set_fd(p, ret, strdup(sc_ops[idx - 1].anon), anon_cloexec(ev, sc));
	case OP_MEMFD:
		return set_fd(p, ret, memfd_name(ev), anon_cloexec(ev, sc));
	case OP_NEWFD:
		return set_fd(p, ret, NULL, false);
	case OP_FORK:
		return ret > 0 ? do_fork(f, ev->tgid, ev) : 0;
	case OP_EXEC:
		do_exec(p);
		return 0;
	case OP_CHDIR:
		do_chdir(p, resolved(f, ev->source, resolve(p->cwd, cap_string(ev, 0))));
		return 0;
	case OP_FCHDIR:
		do_chdir(p, dup_name(p, ev->args[0]));
		return 0;
	default:
		return 0;
	}
}
