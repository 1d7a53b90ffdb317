/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fdnames.h - what each file descriptor of each process refers to, learnt
 * from the calls held in a trace (strace -y's "3</etc/passwd>"): open*,
 * creat, socket, accept, pipe, socketpair (with the inode numbers the
 * recorder captured: "socket:[93904]", "pipe:[93905]"), the anonymous-inode calls
 * (epoll_create, eventfd...), copied by dup, dup2, dup3 and fcntl(F_DUPFD),
 * forgotten at close and, for close-on-exec fds, at a successful execve;
 * a fork copies the table. The table starts from what the processes held
 * when the recording began (flap_fdnames__seed(): working directory and
 * descriptors read from /proc at registration), when the history starts
 * there, and from what they held when the dump was made, for what the
 * history does not change. A descriptor whose origin none of them holds
 * (passed in a message, opened in history that was overwritten and closed
 * before the dump) has no name. Paths are joined
 * with the directory fd or the working directory, cleaned lexically, then
 * named as the kernel resolves them when the trace has that path's alias
 * (flap_trace.paths: symbolic links followed).
 */
#ifndef FLAP_FDNAMES_H
#define FLAP_FDNAMES_H

#include <linux/types.h>

#include "trace.h"

struct flap_fdnames;

/**
 * flap_fdnames__new() - an empty table. Return: 0 or -ENOMEM; the caller
 * owns *@out (flap_fdnames__free()).
 */
int flap_fdnames__new(struct flap_fdnames **out);
void flap_fdnames__free(struct flap_fdnames *f);

/**
 * flap_fdnames__seed() - start from the registration state of the sources
 * of @t (flap_trace.procs) whose history starts at registration
 * (flap_trace__procs_apply()), then from the state read at the dump for
 * what no call of the history changes (flap_trace__dump_state_apply(),
 * fdtouch.h). Call it before the first update.
 * Return: 0 or -ENOMEM (the table stays usable; a name may be missing).
 */
int flap_fdnames__seed(struct flap_fdnames *f, const struct flap_trace *t);

/**
 * flap_fdnames__set_resolver() - name what open and chdir name by @fn
 * instead of the trace's aliases: @fn takes the joined, cleaned absolute
 * path (owned) of source @source and returns the name to keep (owned:
 * @path itself or a new string). Used where the aliases are made.
 */
void flap_fdnames__set_resolver(struct flap_fdnames *f,
				char *(*fn)(void *ctx, __u16 source, char *path), void *ctx);

/**
 * flap_fdnames__get() - the name of descriptor @fd of process @tgid:
 * "/etc/passwd", "pipe", "TCP", "UNIX-STREAM", "anon_inode:[eventpoll]"...
 * Return: a string owned by the table, valid until the next update, or NULL
 * when the trace does not say.
 */
const char *flap_fdnames__get(const struct flap_fdnames *f, __u32 tgid, int fd);

/**
 * flap_fdnames__update() - apply what the finished call @ev did to the
 * descriptors of its process. Call it for every event in time order,
 * after printing the event's arguments and before printing its return
 * value (which then reads as the new descriptor's name).
 * Return: 0 or -ENOMEM (the table stays usable; a name may be missing).
 */
int flap_fdnames__update(struct flap_fdnames *f, const struct flap_event *ev);

/**
 * flap_fdnames__socket_kind() - the name a socket of @domain and @type gets:
 * "TCP", "UDP", "TCPv6", "UDPv6", "UNIX-STREAM", "UNIX-DGRAM", "NETLINK",
 * else "socket". Return: a static string.
 */
const char *flap_fdnames__socket_kind(long domain, long type);

/**
 * flap_fdnames__made_name() - what strace -y names a descriptor a call
 * made: descriptor @k (0, 1) of the pair of pipe/pipe2/socketpair @ev, or
 * (@k -1) the socket that socket/accept/accept4 @ev returned. With the
 * inode number the recorder captured "pipe:[12345]", "socket:[12346]"
 * (in @buf); without, "pipe" or the socket's kind
 * (flap_fdnames__socket_kind()), NULL for accept (the listener's name).
 * Return: @buf, a static string, or NULL.
 */
const char *flap_fdnames__made_name(const struct flap_event *ev, int k, char *buf, size_t size);

/**
 * flap_fdnames__open_path() - the file an open-like call @ev (open, openat,
 * openat2, creat) names, joined with its directory fd or the known working
 * directory of its process, as flap_fdnames__update() would name the new
 * descriptor (its alias when the trace has one); failed calls too. Call it
 * before updating with @ev.
 * Return: a string the caller frees, or NULL (not an open, no path captured,
 * or -ENOMEM).
 */
char *flap_fdnames__open_path(const struct flap_fdnames *f, const struct flap_event *ev);

/**
 * flap_fdnames__join() - the @len bytes of @path, which the process of @ev
 * named, joined with its working directory when relative, cleaned and
 * named by the trace's alias as flap_fdnames__open_path() does (execve's
 * file). Return: an absolute path the caller frees, or NULL (relative with
 * no known working directory, or -ENOMEM).
 */
char *flap_fdnames__join(const struct flap_fdnames *f, const struct flap_event *ev,
			 const char *path, size_t len);

/* The working directory of @tgid when known (registration, chdir), or NULL. */
const char *flap_fdnames__cwd(const struct flap_fdnames *f, __u32 tgid);

#endif /* FLAP_FDNAMES_H */
