// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * keeper.c - the ring keeper process and its client (see keeper.h).
 *
 * A perf ring's buffer exists while the event has a mapping: when the last
 * mapping goes, the kernel frees the buffer and the event writes nothing.
 * So holding the fd is not enough; the keeper maps every ring it is given
 * read-only (the same overwrite mode as the daemon's mapping) and never
 * touches the pages. A new daemon that maps the same event shares that
 * buffer, history included.
 *
 * Protocol: fixed-size messages on a SOCK_SEQPACKET socket, ring fds as
 * SCM_RIGHTS, at most KEEPER_BATCH per message (a recorder on a machine
 * with more CPUs takes several PUT messages). Every request gets one reply
 * (GET: one PUT-shaped message per batch, then END).
 *
 * The keeper is forked from the daemon, which may already have rings and
 * BPF maps mapped (a keeper restarted while the daemon runs): it drops
 * every inherited mapping of a perf event or BPF map, closes every fd but
 * its socket, and so holds exactly what it was given.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "flap.h"
#include "keeper.h"
#include "util.h"

#define KEEPER_MAGIC	   0x504b4c46 /* "FLKP" little endian */
#define KEEPER_BATCH	   64
#define KEEPER_MAX_CLIENTS 8
#define KEEPER_TIMEOUT_MS  5000
#define KEEPER_CHECK_MS	   2000

enum keeper_op {
	KEEPER_PUT = 1,
	KEEPER_DROP = 2,
	KEEPER_GET = 3,
	KEEPER_END = 4,
	KEEPER_STATUS = 5,
	KEEPER_QUIT = 6,
	KEEPER_REPLY = 7,
};

struct keeper_msg {
	__u32 magic;
	__u16 op;
	__u16 n; /* fds attached (PUT), or cpus listed */
	__u32 slot;
	__u32 pages;
	__u64 cgid;
	__s32 status; /* replies: 0 or negative errno */
	__u32 pid;
	__u32 nslots;
	__u32 nrings;
	__u16 cpus[KEEPER_BATCH];
};

struct flap_keeper {
	int fd;
};

/* ---- keeper process ----------------------------------------------------- */

struct kring {
	int cpu;
	int fd;
	void *map;
	size_t len;
};

struct kslot {
	__u64 cgid;
	__u32 pages;
	int n;
	struct kring rings[];
};

struct keeper_state {
	struct kslot *slots[FLAP_MAX_RECORDERS];
	int nslots;
	int nrings;
	int ncpu_max;
	const char *path; /* our socket file: its dev and inode */
	dev_t dev;
	ino_t ino;
};

/*
 * Nobody can reach a keeper whose socket file was removed or replaced (a
 * cleaned /run, a second keeper): it would hold its rings forever. It exits.
 */
static bool still_reachable(const struct keeper_state *ks)
{
	struct stat st;

	return stat(ks->path, &st) == 0 && st.st_dev == ks->dev && st.st_ino == ks->ino;
}

static void free_slot(struct keeper_state *ks, __u32 slot)
{
	struct kslot *s = ks->slots[slot];
	int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		munmap(s->rings[i].map, s->rings[i].len);
		close(s->rings[i].fd);
	}
	ks->nrings -= s->n;
	ks->nslots--;
	free(s);
	ks->slots[slot] = NULL;
}

/* Maps @fd read-only, like the daemon: keeps the ring's buffer alive. */
static int hold_ring(struct kring *r, int cpu, int fd, __u32 pages)
{
	size_t len = ((size_t)pages + 1) * sysconf(_SC_PAGESIZE);
	void *map;

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	r->cpu = cpu;
	r->fd = fd;
	r->map = map;
	r->len = len;
	return 0;
}

/* Adds the rings of one PUT message to @slot (a new cgid starts over). */
static int keeper_put(struct keeper_state *ks, const struct keeper_msg *m, int *fds, int nfds)
{
	struct kslot *s = m->slot < FLAP_MAX_RECORDERS ? ks->slots[m->slot] : NULL;
	int i, j, err = 0;

	if (m->slot >= FLAP_MAX_RECORDERS || !m->pages || (m->pages & (m->pages - 1)) ||
	    nfds != m->n)
		return -EINVAL;
	if (s && (s->cgid != m->cgid || s->pages != m->pages)) {
		free_slot(ks, m->slot);
		s = NULL;
	}
	if (!s) {
		s = calloc(1, sizeof(*s) + ks->ncpu_max * sizeof(s->rings[0]));
		if (!s)
			return -ENOMEM;
		s->cgid = m->cgid;
		s->pages = m->pages;
		ks->slots[m->slot] = s;
		ks->nslots++;
	}
	for (i = 0; i < nfds; i++) {
		struct kring r;

		if (m->cpus[i] >= ks->ncpu_max) {
			err = -EINVAL;
			break;
		}
		err = hold_ring(&r, m->cpus[i], fds[i], m->pages);
		if (err)
			break;
		fds[i] = -1;
		for (j = 0; j < s->n && s->rings[j].cpu != r.cpu; j++)
			;
		if (j < s->n) {
			munmap(s->rings[j].map, s->rings[j].len);
			close(s->rings[j].fd);
		} else {
			s->n++;
			ks->nrings++;
		}
		s->rings[j] = r;
	}
	return err;
}

/*
 * Waits until @fd is ready for @events. The daemon's connection is watched
 * by libuv, which makes it non-blocking: a call gets EAGAIN and waits here.
 */
static int wait_ready(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};
	int n;

	do
		n = poll(&p, 1, KEEPER_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

static int send_msg(int fd, const struct keeper_msg *m, const int *fds, int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * KEEPER_BATCH)];
	struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (nfds > 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	while (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
		if (errno == EAGAIN) {
			int err = wait_ready(fd, POLLOUT);

			if (err)
				return err;
		} else if (errno != EINTR) {
			return -errno;
		}
	}
	return 0;
}

/*
 * Receives one message and up to KEEPER_BATCH fds (close on exec). Return:
 * the number of fds, -ECONNRESET at EOF, -EBADMSG for a foreign message
 * (its fds closed), or negative errno.
 */
static int recv_msg(int fd, struct keeper_msg *m, int *fds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * KEEPER_BATCH)];
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	int nfds = 0, i;
	ssize_t n;

	for (;;) {
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		i = wait_ready(fd, POLLIN);
		if (i)
			return i;
	}
	if (n == 0)
		return -ECONNRESET;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		i = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (nfds + i > KEEPER_BATCH)
			i = KEEPER_BATCH - nfds;
		memcpy(fds + nfds, CMSG_DATA(c), sizeof(int) * i);
		nfds += i;
	}
	if ((size_t)n != sizeof(*m) || m->magic != KEEPER_MAGIC || (mh.msg_flags & MSG_CTRUNC)) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return -EBADMSG;
	}
	return nfds;
}

static int keeper_get(struct keeper_state *ks, int fd)
{
	struct keeper_msg m;
	int fds[KEEPER_BATCH], slot, i, err, total = 0;

	for (slot = 0; slot < FLAP_MAX_RECORDERS; slot++) {
		struct kslot *s = ks->slots[slot];

		for (i = 0; s && i < s->n; i += m.n) {
			memset(&m, 0, sizeof(m));
			m.magic = KEEPER_MAGIC;
			m.op = KEEPER_PUT;
			m.slot = slot;
			m.cgid = s->cgid;
			m.pages = s->pages;
			for (m.n = 0; m.n < KEEPER_BATCH && i + m.n < s->n; m.n++) {
				m.cpus[m.n] = s->rings[i + m.n].cpu;
				fds[m.n] = s->rings[i + m.n].fd;
			}
			err = send_msg(fd, &m, fds, m.n);
			if (err)
				return err;
			total += m.n;
		}
	}
	memset(&m, 0, sizeof(m));
	m.magic = KEEPER_MAGIC;
	m.op = KEEPER_END;
	m.nrings = total;
	return send_msg(fd, &m, NULL, 0);
}

/* Serves one request. Return: 0, 1 to quit, or negative errno (drop client). */
static int keeper_serve(struct keeper_state *ks, int fd)
{
	struct keeper_msg m, r = {.magic = KEEPER_MAGIC, .op = KEEPER_REPLY};
	int fds[KEEPER_BATCH], nfds, i, quit = 0;

	nfds = recv_msg(fd, &m, fds);
	if (nfds < 0)
		return nfds;
	switch (m.op) {
	case KEEPER_PUT:
		r.status = keeper_put(ks, &m, fds, nfds);
		break;
	case KEEPER_DROP:
		if (m.slot < FLAP_MAX_RECORDERS)
			free_slot(ks, m.slot);
		break;
	case KEEPER_GET:
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return keeper_get(ks, fd);
	case KEEPER_STATUS:
		break;
	case KEEPER_QUIT:
		quit = 1;
		break;
	default:
		r.status = -EINVAL;
	}
	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	r.pid = getpid();
	r.nslots = ks->nslots;
	r.nrings = ks->nrings;
	i = send_msg(fd, &r, NULL, 0);
	return quit ? 1 : i;
}

/* Only a peer with our own uid (root) may talk to the keeper. */
static int accept_client(int lfd)
{
	struct timeval tv = {.tv_sec = KEEPER_TIMEOUT_MS / 1000};
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	/* A client that stops reading must not hang the keeper. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static void keeper_loop(int lfd, struct keeper_state *ks)
{
	struct pollfd p[1 + KEEPER_MAX_CLIENTS];
	int n = 1, i, fd, rc;

	p[0].fd = lfd;
	p[0].events = POLLIN;
	for (;;) {
		rc = poll(p, n, KEEPER_CHECK_MS);
		if (rc < 0 && errno != EINTR)
			return;
		if (!still_reachable(ks))
			return;
		if (rc <= 0)
			continue;
		for (i = n - 1; i >= 1; i--) {
			if (!p[i].revents)
				continue;
			rc = keeper_serve(ks, p[i].fd);
			if (rc == 1)
				return;
			if (rc < 0) {
				close(p[i].fd);
				p[i] = p[--n];
			}
		}
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept_client(lfd);
		if (fd < 0)
			continue;
		if (n == 1 + KEEPER_MAX_CLIENTS) {
			close(fd);
			continue;
		}
		p[n].fd = fd;
		p[n].events = POLLIN;
		p[n].revents = 0;
		n++;
	}
}

/* Drops the mappings of perf events and BPF maps inherited from the daemon. */
static void unmap_inherited(void)
{
	unsigned long start, end;
	char line[512];
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "anon_inode:[perf_event]") && !strstr(line, "anon_inode:bpf-map"))
			continue;
		if (sscanf(line, "%lx-%lx", &start, &end) == 2)
			munmap((void *)start, end - start);
	}
	fclose(f);
}

static void keeper_setup(int lfd)
{
	struct rlimit rl;
	sigset_t all;
	int sig, null;

	setsid();
	prctl(PR_SET_NAME, "flap-keeper", 0, 0, 0);
	/* Only the socket stays open; stdio goes to /dev/null so the keeper
	 * holds no pipe or terminal of whoever started the daemon. */
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	if (lfd > 3) {
		close_range(3, lfd - 1, 0);
		close_range(lfd + 1, ~0U, 0);
	} else {
		close_range(lfd + 1, ~0U, 0);
	}
	unmap_inherited();
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void __attribute__((noreturn)) keeper_main(int lfd, const char *path, const struct stat *st)
{
	struct keeper_state *ks;
	int ncpus;

	keeper_setup(lfd);
	ncpus = libbpf_num_possible_cpus();
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		_exit(1);
	ks->ncpu_max = ncpus > 0 ? ncpus : 1;
	ks->path = path;
	ks->dev = st->st_dev;
	ks->ino = st->st_ino;
	keeper_loop(lfd, ks);
	_exit(0);
}

static int bind_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int flap_keeper__spawn(const char *path)
{
	struct sockaddr_un sa;
	int lfd, err, status;
	struct stat st;
	pid_t pid;

	err = bind_addr(path, &sa);
	if (err)
		return err;
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -errno;
	unlink(path);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    stat(path, &st) < 0 || listen(lfd, KEEPER_MAX_CLIENTS) < 0) {
		err = -errno;
		goto out_close;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		unlink(path);
		goto out_close;
	}
	if (pid == 0) {
		/* The middle child exits at once: the keeper is nobody's child. */
		if (fork() == 0)
			keeper_main(lfd, path, &st);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	err = 0;
out_close:
	close(lfd);
	return err;
}

int flap_keeper__connect(const char *path, struct flap_keeper **out)
{
	struct timeval tv = {.tv_sec = KEEPER_TIMEOUT_MS / 1000};
	struct flap_keeper *k;
	int fd, err;

	err = flap_unix__connect(path, SOCK_SEQPACKET, &fd);
	if (err)
		return err;
	/* The keeper answers at once; never let it hang the daemon. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	k = calloc(1, sizeof(*k));
	if (!k) {
		close(fd);
		return -ENOMEM;
	}
	k->fd = fd;
	*out = k;
	return 0;
}

void flap_keeper__close(struct flap_keeper *k)
{
	if (!k)
		return;
	zclose(k->fd);
	free(k);
}

int flap_keeper__fd(const struct flap_keeper *k)
{
	return k ? k->fd : -1;
}

/* Sends @m (with @fds) and waits for the reply. */
static int call(struct flap_keeper *k, struct keeper_msg *m, const int *fds, int nfds,
		struct keeper_msg *reply)
{
	int rfds[KEEPER_BATCH], n, err, i;

	m->magic = KEEPER_MAGIC;
	err = send_msg(k->fd, m, fds, nfds);
	if (err)
		return err;
	n = recv_msg(k->fd, reply, rfds);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		close(rfds[i]);
	if (reply->op != KEEPER_REPLY)
		return -EBADMSG;
	return reply->status;
}

int flap_keeper__put(struct flap_keeper *k, __u32 slot, __u64 cgid, __u32 pages, const int *fds,
		     int n)
{
	struct keeper_msg m, r;
	int batch[KEEPER_BATCH], cpu = 0, err;

	while (cpu < n) {
		memset(&m, 0, sizeof(m));
		m.op = KEEPER_PUT;
		m.slot = slot;
		m.cgid = cgid;
		m.pages = pages;
		for (; cpu < n && m.n < KEEPER_BATCH; cpu++) {
			if (fds[cpu] < 0)
				continue;
			m.cpus[m.n] = cpu;
			batch[m.n++] = fds[cpu];
		}
		if (!m.n)
			break;
		err = call(k, &m, batch, m.n, &r);
		if (err)
			return err;
	}
	return 0;
}

int flap_keeper__drop(struct flap_keeper *k, __u32 slot)
{
	struct keeper_msg m = {.op = KEEPER_DROP, .slot = slot}, r;

	return call(k, &m, NULL, 0, &r);
}

int flap_keeper__get_all(struct flap_keeper *k, flap_keeper_ring_fn fn, void *ctx)
{
	struct keeper_msg m = {.magic = KEEPER_MAGIC, .op = KEEPER_GET}, r;
	int fds[KEEPER_BATCH], n, i, total = 0, err;

	err = send_msg(k->fd, &m, NULL, 0);
	if (err)
		return err;
	for (;;) {
		n = recv_msg(k->fd, &r, fds);
		if (n < 0)
			return n;
		if (r.op == KEEPER_END)
			break;
		if (r.op != KEEPER_PUT || n != r.n) {
			for (i = 0; i < n; i++)
				close(fds[i]);
			return -EBADMSG;
		}
		for (i = 0; i < n; i++)
			fn(ctx, r.slot, r.cgid, r.pages, r.cpus[i], fds[i]);
		total += n;
	}
	return total;
}

int flap_keeper__status(struct flap_keeper *k, pid_t *pid, int *nslots, int *nrings)
{
	struct keeper_msg m = {.op = KEEPER_STATUS}, r;
	int err;

	err = call(k, &m, NULL, 0, &r);
	if (err)
		return err;
	*pid = r.pid;
	*nslots = r.nslots;
	*nrings = r.nrings;
	return 0;
}

int flap_keeper__quit(struct flap_keeper *k)
{
	struct keeper_msg m = {.op = KEEPER_QUIT}, r;

	return call(k, &m, NULL, 0, &r);
}
