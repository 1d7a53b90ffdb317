/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * keeper.h - the ring keeper of a persistent daemon (--persist).
 *
 * BPF programs and maps outlive the daemon when pinned in bpffs, but a
 * perf ring does not: it lives only while a perf event fd is open and
 * mapped, and the fd cannot be taken back out of a PERF_EVENT_ARRAY. The
 * keeper is a tiny process of its own (forked, new session, no libuv, no
 * other fds) that holds each ring's fd and a read-only mapping of it, so
 * the ring keeps its history while no daemon runs. It serves a unix
 * SOCK_SEQPACKET socket (root only, peer credentials checked): the daemon
 * PUTs a recorder's ring fds (SCM_RIGHTS) when it adds one, DROPs them
 * when it removes it, and a restarted daemon GETs them all back.
 *
 * The client calls block with a timeout (the keeper answers at once).
 * Context: the daemon's loop thread.
 */
#ifndef FLAP_KEEPER_H
#define FLAP_KEEPER_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

struct flap_keeper;

/**
 * flap_keeper__spawn() - start a keeper listening on @path: bind the
 * socket here (so a connect right after this returns is queued), then
 * fork twice so the keeper has no parent to wait for it, runs in its own
 * session and is not killed with the daemon. A stale socket file is
 * replaced. Return: 0 or negative errno (-ENAMETOOLONG for a long path).
 */
int flap_keeper__spawn(const char *path);

/**
 * flap_keeper__connect() - connect to the keeper at @path.
 * Return: 0 and a connection the caller owns (flap_keeper__close()),
 * -ENOENT or -ECONNREFUSED when no keeper runs there, other negative errno.
 */
int flap_keeper__connect(const char *path, struct flap_keeper **out);

/* Close the connection (the keeper keeps what it holds). NULL-safe. */
void flap_keeper__close(struct flap_keeper *k);

/* The connection's fd: it becomes readable (EOF) if the keeper dies. */
int flap_keeper__fd(const struct flap_keeper *k);

/**
 * flap_keeper__put() - hand the keeper the rings of recorder @slot: @fds
 * holds @n perf event fds indexed by CPU, -1 for none; each is mapped with
 * @pages data pages. Rings it already held for @slot are replaced. The
 * fds stay the caller's (the keeper gets copies).
 * Return: 0 or negative errno (the keeper's error for a bad fd or mmap).
 */
int flap_keeper__put(struct flap_keeper *k, __u32 slot, __u64 cgid, __u32 pages, const int *fds,
		     int n);

/* Release the rings of @slot in the keeper. Return: 0 or negative errno. */
int flap_keeper__drop(struct flap_keeper *k, __u32 slot);

/* Called once per ring by flap_keeper__get_all(); takes ownership of @fd. */
typedef void (*flap_keeper_ring_fn)(void *ctx, __u32 slot, __u64 cgid, __u32 pages, int cpu,
				    int fd);

/**
 * flap_keeper__get_all() - receive a copy of every ring fd the keeper
 * holds; @fn gets each one. The keeper keeps its own.
 * Return: the number of rings received, or negative errno.
 */
int flap_keeper__get_all(struct flap_keeper *k, flap_keeper_ring_fn fn, void *ctx);

/**
 * flap_keeper__status() - the keeper's pid, and how many recorders and
 * rings it holds. Return: 0 or negative errno.
 */
int flap_keeper__status(struct flap_keeper *k, pid_t *pid, int *nslots, int *nrings);

/**
 * flap_keeper__quit() - ask the keeper to close everything and exit.
 * Return: 0 or negative errno.
 */
int flap_keeper__quit(struct flap_keeper *k);

#endif /* FLAP_KEEPER_H */
