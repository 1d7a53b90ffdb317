/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_internal.h - what the files of the daemon share (daemon.c,
 * state.c, restart.c): the daemon object and the --persist steps the
 * others call. Not part of the library API (daemon.h).
 */
#ifndef FLAP_DAEMON_INTERNAL_H
#define FLAP_DAEMON_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include <uv.h>

#include "flap.h"
#include "crash.h"
#include "daemon.h"
#include "keeper.h"
#include "persist.h"
#include "registry.h"

struct flap_ctl_server;
struct flap_pool;
struct flap_pending_add;

/* OOM kills remembered until their victim's exit comes. */
#define FLAP_DAEMON_OOMS 32
/* ... for at most this long (CLOCK_BOOTTIME ns). */
#define FLAP_DAEMON_OOM_NS (60ULL * 1000000000ULL)

struct flap_daemon {
	uv_loop_t loop;
	uv_signal_t sigint;
	uv_signal_t sigterm;
	uv_timer_t sweep;
	uv_timer_t retry; /* writes the crash dumps that failed (crash_queue) */
	bool retry_started;
	unsigned int retry_round;
	struct flap_crash_queue crash_queue;
	int reserve_fds[FLAP_CRASH_RESERVE_FDS]; /* for crash dumps at the fd limit */
	uv_poll_t exits;
	bool exits_started;
	struct flap_registry *reg;
	struct flap_pool *pool; /* NULL with opts.pool 0 */
	struct flap_entry_list entries;
	/* Adds whose recorder is being loaded in the threadpool, or whose
	 * turn on the loop is to come (register.c). */
	TAILQ_HEAD(, flap_pending_add) adding;
	unsigned int nadding;
	/* Adds waiting for the next loop iteration: this one's budget is spent. */
	TAILQ_HEAD(, flap_pending_add) deferred;
	unsigned int ndeferred;
	__u64 add_spent_ns;   /* loop time spent binding in this iteration */
	uv_idle_t add_idle;   /* active while adds are deferred: runs them */
	uv_check_t add_check; /* after each poll: a new budget */
	bool adds_started;
	struct flap_ctl_server *ctl;
	struct flap_daemon_opts opts;
	struct flap_crash_opts crash; /* the crash policy: opts, and callbacks into d */
	char socket_path[PATH_MAX];
	char dump_dir[PATH_MAX];
	__u64 started_ns;
	__u64 dumps_written;
	__u64 exits_lost_seen; /* flap_registry__exits_lost() when last reconciled */
	__s64 boot_to_real_ns;
	int lock_fd;	  /* flock of <socket>.lock */
	int dump_lock_fd; /* the dump directory, flocked */
	int pin_lock_fd;  /* --persist: the pin directory, flocked */
	/* --persist */
	char pin_dir[PATH_MAX];
	char state_path[PATH_MAX];
	char keeper_path[PATH_MAX];
	struct flap_keeper *keeper;
	uv_poll_t keeper_poll; /* EOF when the keeper dies */
	bool keeper_polling;
	bool stopping;
	pid_t keeper_pid;
	__u64 saved_crashes; /* crash counters as last saved */
	/* The latest OOM kills of the node (a ring): matched with exits. */
	struct flap_oom_event ooms[FLAP_DAEMON_OOMS];
	unsigned int noom;
};

/* state.c */
void flap_daemon__read_procs(struct flap_entry *e, int pid);

/* register.c: at shutdown, cancel the loads not started (each add still ends, with -ECANCELED). */
void flap_daemon__cancel_adds(struct flap_daemon *d);

/* restart.c */
void flap_daemon__start_adds(struct flap_daemon *d);
void flap_daemon__close_adds(struct flap_daemon *d);
void flap_daemon__save_state(struct flap_daemon *d);
void flap_daemon__keep_rings(struct flap_daemon *d, struct flap_entry *e);
int flap_daemon__connect_keeper(struct flap_daemon *d, bool *existing);
int flap_daemon__load_state(struct flap_daemon *d, struct flap_persist_rec **recs);
void flap_daemon__adopt_all(struct flap_daemon *d, struct flap_persist_rec *recs, int n);
void flap_daemon__warn_pins(struct flap_daemon *d);

#endif /* FLAP_DAEMON_INTERNAL_H */
