/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon.h - the flap-recorder daemon: a libuv loop that owns the registry
 * (dispatcher, one recorder per traced cgroup), the control socket, the
 * retention of recorders whose cgroup has exited and the crash handling.
 * It does nothing per event: rings are read only on request or on a crash.
 *
 * The entry API below is what the control server (ctl.c) and the crash
 * handler (crash.c) call; everything runs on the loop thread.
 */
#ifndef FLAP_DAEMON_H
#define FLAP_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <linux/types.h>

#include "crash.h"
#include "dump.h"
#include "registry.h"
#include "trace.h"

#define FLAP_DEFAULT_SOCKET   "/run/flap-recorder/flap.sock"
#define FLAP_DEFAULT_DUMP_DIR "/var/lib/flap-recorder/dumps"
#define FLAP_DEFAULT_PIN_DIR  "/sys/fs/bpf/flap-recorder"
/* Next to the socket, with --persist: the recorders' metadata, the keeper. */
#define FLAP_STATE_FILE	 "state.json"
#define FLAP_KEEPER_SOCK "keeper.sock"

struct flap_daemon_opts {
	const char *socket_path; /* NULL: FLAP_DEFAULT_SOCKET */
	const char *dump_dir;	 /* NULL: FLAP_DEFAULT_DUMP_DIR */
	__u32 ring_pages;	 /* default for new recorders, 0: library default */
	__u32 str_max;
	__s32 buf_max;	      /* -1: library default */
	bool exact_durations; /* every new recorder measures every call's duration */
	__u64 retain_ns;      /* keep an exited cgroup's recorder this long */
	bool allow_group;     /* let members of allow_gid use the socket */
	gid_t allow_gid;
	enum flap_on_exit on_exit;
	__u64 crash_signals;  /* bit n: signal n is a crash */
	__u32 max_dumps;      /* keep at most this many dump files (0: no limit) */
	__u64 max_dump_bytes; /* and at most this many bytes (0: no limit) */
	__u32 crash_burst;    /* crash dumps per recorder per crash_window_ns */
	__u64 crash_window_ns;
	/*
	 * Recording survives the daemon: programs and maps pinned under
	 * pin_dir, ring fds held by a keeper process, metadata in the state
	 * file; a daemon started with persist adopts them, and SIGTERM leaves
	 * them recording (flap_daemon__unpin() tears them down).
	 */
	bool persist;
	const char *pin_dir;	 /* NULL: FLAP_DEFAULT_PIN_DIR */
	__u32 max_clients;	 /* control connections open at once (0: 64) */
	__u64 client_timeout_ns; /* close a connection without a whole request (0: 10 s) */
	/*
	 * Recorders with the default options kept loaded and verified ahead of
	 * time (recorder/kernel/pool.h), so that registering a cgroup does not
	 * wait for the verifier; 0: none, every registration loads its own.
	 */
	int pool;
};

/* What the daemon did not do, or not yet: never silent (status). */
struct flap_daemon_losses {
	__u64 exits_lost;	 /* lifecycle records the ring buffer refused (node-wide) */
	__u64 dumps_failed;	 /* crash dump attempts that failed */
	__u64 dumps_dropped;	 /* crash dumps given up */
	__u64 clients_refused;	 /* connections over max_clients */
	__u64 clients_timed_out; /* connections closed after client_timeout_ns */
	__u32 dumps_pending;	 /* crash dumps waiting for a retry */
	__u32 clients;		 /* connections open now */
};

/* What `flap-recorder daemon` keeps in its pool without --pool. */
#define FLAP_DAEMON_POOL_DEFAULT 4

enum flap_entry_state {
	FLAP_ENTRY_RUNNING = 0, /* the cgroup has processes */
	FLAP_ENTRY_EXITED = 1,	/* no process left: frozen history, kept for retain_ns */
	FLAP_ENTRY_STOPPED = 2, /* the runtime said the container stopped (poststop) */
};

/* What to add (a decoded add request). */
struct flap_add_spec {
	__u64 cgroup_id; /* one of cgroup_id, cgroup_path, pid */
	char cgroup_path[4096];
	pid_t pid;
	bool main_pid;		 /* pid is the container's main process */
	struct flap_source meta; /* name, pod, ns, pod_uid, container, container_id */
	struct flap_recorder_opts ropts;
	bool has_on_exit;
	enum flap_on_exit on_exit;
};

/* A traced cgroup: its recorder and what we know about it. */
struct flap_entry {
	struct flap_recorder *rec;
	struct flap_source meta; /* name, pod, ns, container, cgroup, main_pid */
	enum flap_entry_state state;
	enum flap_on_exit on_exit;
	__u64 added_ns;	 /* CLOCK_BOOTTIME */
	__u64 exited_ns; /* when it became EXITED/STOPPED */
	__u64 crashes;	 /* crash dumps written */
	__u64 crashes_skipped;
	__u64 dumps_failed;  /* crash dumps that could not be written (each attempt) */
	__u64 exits_lost;    /* exits the lifecycle ring buffer refused (its fallback entry) */
	__u64 fallback_mark; /* ts of the newest exit taken from the fallback entry */
	struct flap_crash_window crash_window;
	__u64 skipped_base; /* flap_registry__skipped() when recording began (0: unknown) */
	/* Its processes when recording began (procfs.h), as source 0 of a trace
	 * without events; NULL when not read (an entry adopted after a restart). */
	struct flap_trace *procs;
	/* Its processes see our files (same mount namespace, root "/"): our
	 * root resolves their paths once they are gone. */
	bool host_root;
	TAILQ_ENTRY(flap_entry) link;
};

TAILQ_HEAD(flap_entry_list, flap_entry);

struct flap_daemon;
struct flap_features;

/**
 * flap_daemon__run() - run the daemon until SIGINT or SIGTERM: load the
 * programs, serve the control socket, keep recorders, write crash dumps.
 * Return: 0 after a clean shutdown (everything detached and freed), or
 * negative errno when it could not start (socket in use, no BPF, ...).
 */
int flap_daemon__run(const struct flap_daemon_opts *opts);

/**
 * flap_daemon__unpin() - tear down what persistent daemons left for
 * @opts (socket directory, pin directory): stop the keeper (the rings'
 * history goes), remove every pin (programs detach, maps are freed), delete
 * the state file. Refused while a daemon runs on the socket.
 * Return: 0, -EADDRINUSE (a daemon runs), or negative errno.
 */
int flap_daemon__unpin(const struct flap_daemon_opts *opts);

/* Options in effect (defaults filled in). */
const struct flap_daemon_opts *flap_daemon__opts(const struct flap_daemon *d);
struct flap_entry_list *flap_daemon__entries(struct flap_daemon *d);
__u64 flap_daemon__started_ns(const struct flap_daemon *d);
__u64 flap_daemon__dumps_written(const struct flap_daemon *d);
/* flap_registry__skipped() of the daemon's registry; 0 when unknown. */
__u64 flap_daemon__node_skipped(const struct flap_daemon *d);
/* The running kernel's BPF features and program variant; NULL when not known. */
const struct flap_features *flap_daemon__features(const struct flap_daemon *d);
struct flap_pool_stats;
/* The pool's counts in @out; false when the daemon keeps no pool. */
bool flap_daemon__pool_stats(const struct flap_daemon *d, struct flap_pool_stats *out);
void flap_daemon__count_dump(struct flap_daemon *d);
/* Crash dumps of cgroup @cgid waiting for a retry. */
unsigned int flap_daemon__dumps_pending(const struct flap_daemon *d, __u64 cgid);
/* The daemon's loss and refusal counters into @out. */
void flap_daemon__losses(const struct flap_daemon *d, struct flap_daemon_losses *out);

/*
 * How an add that flap_daemon__add() left pending ends: @rc 0 and the entry
 * @e (owned by the daemon), or negative errno and one line @err. Called
 * once, on the loop thread; at shutdown with -ECANCELED.
 */
typedef void (*flap_add_done_fn)(void *ctx, int rc, struct flap_entry *e, const char *err);

/* flap_daemon__add(): the add goes on, @done will say how it ended. */
#define FLAP_DAEMON_ADD_PENDING 1

/**
 * flap_daemon__add() - resolve the cgroup of @spec and start recording it.
 * Checked at once: the cgroup, that it is not recorded nor being added, the
 * name, a free slot. When a recorder of the pool fits it is bound now;
 * otherwise one is loaded off the loop thread and the add ends later, in
 * @done(@ctx) (with @done NULL: loaded now, on the loop thread).
 * Return: 0 and the entry in *@out; FLAP_DAEMON_ADD_PENDING (@done will be
 * called); -EEXIST (already traced, or being added), -ENOENT (no such
 * cgroup or process), -ENOSPC, -EINVAL, -ECANCELED (stopping); @err gets
 * one line on error.
 */
int flap_daemon__add(struct flap_daemon *d, const struct flap_add_spec *spec, flap_add_done_fn done,
		     void *ctx, struct flap_entry **out, char *err, size_t errlen);

/* Adds pending: their recorder is being loaded. */
unsigned int flap_daemon__adds_pending(const struct flap_daemon *d);

/* Stop recording and free the entry. */
void flap_daemon__remove(struct flap_daemon *d, struct flap_entry *e);

/**
 * flap_daemon__resolve() - the entries a target names: a recorder name, a
 * cgroup id, a pod (all its containers, in namespace @ns if given) or a
 * container name. Return: the number of matches (0..max) stored in @out,
 * or -EINVAL when the name is ambiguous (several pods of that name in
 * different namespaces, several containers).
 */
int flap_daemon__resolve(struct flap_daemon *d, const char *target, const char *ns,
			 struct flap_entry **out, int max);

/**
 * flap_daemon__read() - read the rings of @n entries and merge them into
 * one trace (a source per entry), newest @last events only (0: all).
 * Return: 0 and a trace the caller owns, or negative errno.
 */
int flap_daemon__read(struct flap_daemon *d, struct flap_entry **entries, int n, __u64 last,
		      struct flap_trace **out);

/* The entry of cgroup @cgid, or NULL. */
struct flap_entry *flap_daemon__find_cgroup(struct flap_daemon *d, __u64 cgid);

/**
 * flap_daemon__stopped() - the runtime reports container @container_id
 * stopped (OCI poststop): mark it, start its retention. Return: 0, -ENOENT.
 */
int flap_daemon__stopped(struct flap_daemon *d, const char *container_id);

/* Name of a state ("running", "exited", "stopped"). */
const char *flap_entry__state_name(enum flap_entry_state s);

/*
 * The entry list as names see it (entries.c), shared with the tests' fake
 * daemon: the entry of cgroup @cgid or of recorder @name, or NULL; a name
 * for @m no entry has yet (the given one, else the container, else the
 * cgroup directory, with "-<cgroup id>" added when taken); and what
 * flap_daemon__resolve() documents.
 */
struct flap_entry *flap_entries__find_cgroup(struct flap_entry_list *list, __u64 cgid);
struct flap_entry *flap_entries__find_name(struct flap_entry_list *list, const char *name);
void flap_entries__pick_name(struct flap_entry_list *list, struct flap_source *m);
int flap_entries__resolve(struct flap_entry_list *list, const char *target, const char *ns,
			  struct flap_entry **out, int max);

/**
 * flap_entries__recorder_opts() - the options a new recorder gets: @asked
 * (from an add request) with the daemon's defaults @d for what it left out
 * (ring pages or string size 0, buffer size -1). exact_durations is on when
 * either asks for it: a request cannot turn the daemon's default off.
 *
 * Context: any thread; shared with the tests' fake daemon.
 */
void flap_entries__recorder_opts(const struct flap_daemon_opts *d,
				 const struct flap_recorder_opts *asked,
				 struct flap_recorder_opts *out);

/**
 * flap_entries__source_opts() - what a dump's source says about how it was
 * recorded, from its recorder's options @o: the in-kernel syscall filter as
 * given ("" for all) and whether every duration was measured.
 *
 * Context: any thread; shared with the tests' fake daemon.
 */
void flap_entries__source_opts(struct flap_source *s, const struct flap_recorder_opts *o);

#endif /* FLAP_DAEMON_H */
