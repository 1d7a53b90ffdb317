/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * crash.h - crash handling: lifecycle records (a thread group of a traced
 * cgroup exited) are checked against the crash policy; a crash makes the
 * daemon read that cgroup's rings at once and write a dump file
 * <dump-dir>/<pod or name>/<time>-<container>-<reason>.flap atomically,
 * rate limited per recorder, with retention by count and bytes.
 *
 * The policy knows nothing of the daemon: its caller gives it what it
 * needs in struct flap_crash_opts (the dump directory, the limits, a read
 * callback and a count hook) and the cgroup that exited in struct
 * flap_crash_subject.
 */
#ifndef FLAP_CRASH_H
#define FLAP_CRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct flap_exit_event;
struct flap_oom_event;
struct flap_source;
struct flap_trace;
struct flap_crash_pending;

/* When a process exit counts as a crash (--on-exit). */
enum flap_on_exit {
	FLAP_ON_EXIT_NONZERO = 0, /* fatal signal, or main process exits non-zero */
	FLAP_ON_EXIT_SIGNAL = 1,  /* fatal signal only */
	FLAP_ON_EXIT_NEVER = 2,	  /* no automatic dumps */
};

/* What the count hook counts. */
enum flap_crash_count {
	FLAP_CRASH_DUMPED = 0,	/* a dump written */
	FLAP_CRASH_SKIPPED = 1, /* a crash the rate limit skipped */
	FLAP_CRASH_FAILED = 2,	/* an attempt to write a dump failed */
};

/* Crash dumps held in memory until they can be written, at most. */
#define FLAP_CRASH_PENDING_MAX 8
/* Attempts to write one (the first and the retries), at most. */
#define FLAP_CRASH_ATTEMPTS 10

/*
 * Crash dumps that could not be written (a full dump directory, no fd
 * left): the history read at the crash is kept (or, when even the read
 * failed, read again from the rings at the retry) and written by
 * flap_crash__retry(). The caller keeps it, zeroed at first.
 */
struct flap_crash_queue {
	struct flap_crash_pending *head; /* oldest first */
	unsigned int n;
	__u64 failed;  /* attempts that failed */
	__u64 dropped; /* dumps given up: queue full or out of attempts */
};

/* The rate limit state of one recorder's crash dumps: its caller keeps it, zeroed at first. */
struct flap_crash_window {
	__u64 start;
	__u32 count;
};

/* What the crash policy needs of its caller (the daemon). */
struct flap_crash_opts {
	const char *dump_dir;
	__u64 signals;	      /* bit n: signal n is a crash */
	__u32 max_dumps;      /* keep at most this many dump files (0: no limit) */
	__u64 max_dump_bytes; /* and at most this many bytes (0: no limit) */
	__u32 burst;	      /* crash dumps per recorder per window_ns */
	__u64 window_ns;
	/* Reads the rings of cgroup @cgid into a new trace *@out (the caller frees it). */
	int (*read)(void *ctx, __u64 cgid, struct flap_trace **out);
	/*
	 * Counts a crash of cgroup @cgid: a dump written, one the rate limit
	 * skipped, or a failed attempt. Return: how many of that kind it has now.
	 */
	__u64 (*count)(void *ctx, __u64 cgid, enum flap_crash_count kind);
	/*
	 * The name of the traced cgroup @cgid (its container, else its
	 * recorder name) into @buf; "" when it is not traced. NULL: none known.
	 */
	void (*name_of)(void *ctx, __u64 cgid, char *buf, size_t size);
	void *ctx;			/* passed to read, count and name_of */
	struct flap_crash_queue *queue; /* failed dumps wait here; NULL: none kept */
	/*
	 * Fds held in reserve (open on /dev/null, -1: none): closed while a
	 * dump is written, opened again after, so a daemon at its fd limit
	 * still has the few a dump needs (the temp file, its directory).
	 */
	int *reserve;
	int nreserve;
};

/* Fds a daemon keeps in reserve for its crash dumps. */
#define FLAP_CRASH_RESERVE_FDS 8

/* The traced cgroup a lifecycle record is about, as the caller knows it. */
struct flap_crash_subject {
	__u64 cgid;
	const struct flap_source *meta; /* name, pod, container, main_pid */
	enum flap_on_exit on_exit;
	struct flap_crash_window *window; /* its rate limit, updated here */
	/* The OOM killer's choice of this exit's process just before, or NULL. */
	const struct flap_oom_event *oom;
};

/* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP as a bit set. */
__u64 flap_crash__default_signals(void);

/**
 * flap_crash__parse_signals() - "SEGV,ABRT,KILL" or "11,6" -> bit set.
 * Return: 0 or -EINVAL.
 */
int flap_crash__parse_signals(const char *list, __u64 *set);

/**
 * flap_crash__on_exit() - applies the policy @o to the exit @ev of a process
 * of @s (a process the OOM killer killed, @s->oom, is always a crash: reason
 * kind "oom", unless the policy is "never"); on a crash reads the cgroup's rings (o->read), writes
 * the dump, counts it (o->count) and deletes the oldest dumps over the limits. Context: the
 * daemon's loop thread (its lifecycle callback).
 */
void flap_crash__on_exit(const struct flap_crash_opts *o, const struct flap_crash_subject *s,
			 const struct flap_exit_event *ev);

/**
 * flap_crash__retry() - tries again to write the dumps of @o->queue, oldest
 * first: a dump written is counted and leaves; one that fails again stays
 * until its FLAP_CRASH_ATTEMPTS are used up. Return: dumps still waiting.
 * Context: the daemon's loop thread (its retry timer).
 */
unsigned int flap_crash__retry(const struct flap_crash_opts *o);

/*
 * Opens @n fds on /dev/null into @fds (the caller's array, kept for the
 * daemon's life; closed by the caller) as @o's reserve.
 */
void flap_crash__reserve_fds(struct flap_crash_opts *o, int *fds, int n);

/* Dumps of cgroup @cgid waiting in @q. */
unsigned int flap_crash__pending_of(const struct flap_crash_queue *q, __u64 cgid);

/* Frees what @q holds (the daemon stops). */
void flap_crash__queue_free(struct flap_crash_queue *q);

/* Remove temp files a killed daemon left in the dump directory. */
void flap_crash__clean_temp(const struct flap_crash_opts *o);

/**
 * flap_crash__sanitize() - a file-name-safe copy of @name: [A-Za-z0-9._-]
 * kept, everything else (a '/', a control byte, each byte of a UTF-8
 * sequence) '_'; a leading '.' makes every '.' a '_' (no hidden file, never
 * "." or ".."), a leading '-' becomes '_'; an empty or NULL @name gives
 * "unnamed"; at most @size - 1 bytes (nothing is written when @size is 0).
 */
void flap_crash__sanitize(const char *name, char *out, size_t size);

#endif /* FLAP_CRASH_H */
