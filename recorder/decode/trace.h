/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trace.h - decoded syscall history: what a read of a recorder's rings, a
 * dump file and a pod merge all produce, and what the output formats print.
 * One struct flap_event per syscall (entry and exit paired), in time order,
 * with the counts that say how much history the rings held and lost.
 */
#ifndef FLAP_TRACE_H
#define FLAP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define FLAP_EV_MAX_CAPS 3
#define FLAP_EV_COMM_LEN 16
/* Longest syscall filter expression a source keeps (= FLAP_FILTER_EXPR_MAX). */
#define FLAP_SOURCE_FILTER_MAX 512

enum flap_ev_flag {
	FLAP_EV_F_UNFINISHED = 1u << 0,	  /* entered, no exit recorded (still running) */
	FLAP_EV_F_NORETURN = 1u << 1,	  /* exit/exit_group: does not return */
	FLAP_EV_F_HAS_RET = 1u << 2,	  /* ret is valid */
	FLAP_EV_F_HAS_DUR = 1u << 3,	  /* dur_ns is valid */
	FLAP_EV_F_HAS_ENTER = 1u << 4,	  /* the entry time is known (ts is it) */
	FLAP_EV_F_NO_ARGS = 1u << 5,	  /* the arguments were not recorded */
	FLAP_EV_F_CAPS_DROPPED = 1u << 6, /* strings/buffers not captured */
	FLAP_EV_F_EXIT_LOST = 1u << 7,	  /* entered; the exit was not recorded */
	/* returned within the clock tick it was entered in; the recorder did not
	 * measure its duration (no --exact-durations) */
	FLAP_EV_F_DUR_SHORT = 1u << 8,
	/* rt_sigreturn: args[0] holds the signal mask it restored (the one
	 * saved when the signal whose handler returns was delivered) */
	FLAP_EV_F_SIGMASK = 1u << 9,
};

/* flap_event.nr of a signal event (flap_event.sig is set): no syscall has it. */
#define FLAP_EV_NR_SIGNAL 0xffffffffu

/* What a signal event is (flap_signal.flags). */
enum flap_sig_flag {
	/* queued for the thread by a sender (the kernel's signal_generate);
	 * without it the thread took the signal (signal_deliver) */
	FLAP_SIG_SENT = 1u << 0,
	FLAP_SIG_NOINFO = 1u << 1, /* no siginfo came with it: info is zeroes */
	FLAP_SIG_PRIV = 1u << 2,   /* sent by the kernel without siginfo (SEND_SIG_PRIV) */
	FLAP_SIG_FAULT = 1u << 3,  /* delivered, fatal: ip, sp, bp and frames are set */
	/* delivered SIGKILL without siginfo: this thread's part in the death of
	 * its process (a fatal signal, a kill, an exit_group); not shown */
	FLAP_SIG_GROUP_EXIT = 1u << 4,
	/* sent: the signal that killed the process; the kernel turned it into
	 * the group exit, so no delivery of its own follows. Shown as the
	 * delivery, at the time it was sent */
	FLAP_SIG_KILLED = 1u << 5,
	FLAP_SIG_SENDER = 1u << 6, /* delivered: sender_* name who sent it (a SENT event) */
};

/* The sigaction handler values that are not functions. */
#define FLAP_SIG_DFL	   0
#define FLAP_SIG_IGN	   1
#define FLAP_SIGINFO_BYTES 48

/* A stack frame as the object it is in knows it (bpf/flap.h flap_sig_frame_id). */
struct flap_frame_id {
	__u8 build_id[20];
	__u8 status; /* 1: build_id and offset (in the file) are valid; 2: only the address */
	__u8 pad[3];
	__u64 offset;
};

/* Bytes of the user stack a fatal delivery keeps (= FLAP_STACK_BYTES). */
#define FLAP_SIG_STACK_BYTES 2048

/* A signal event's own data (flap_event.sig; owned by the trace). */
struct flap_signal {
	__u64 handler;	/* the target's sa_handler for the signal: FLAP_SIG_DFL, _IGN, else a
			   function */
	__u64 sa_flags; /* and its sa_flags */
	__u64 mask;	/* the thread's blocked mask (delivered: what the handler's rt_sigreturn
			   restores) */
	__u64 sender_cgid;
	__u64 ip; /* FLAP_SIG_FAULT: the thread's user registers (0: not read) */
	__u64 sp;
	__u64 bp;
	__u64 start_code; /* FLAP_SIG_FAULT: where the program's code was loaded */
	const __u64
		*frames; /* FLAP_SIG_FAULT: nframes user stack ips, [0] = ip (owned by the trace) */
	const struct flap_frame_id *ids; /* FLAP_SIG_FAULT: the frames as build-id + offset */
	const __u8 *stack; /* FLAP_SIG_FAULT: stack_len bytes of the user stack at sp */
	__u16 nids;
	__u16 stack_len;
	__s32 sig;	  /* the kernel's signal number (si_signo may differ only when NOINFO) */
	__u32 flags;	  /* FLAP_SIG_* */
	__u32 result;	  /* sent: the kernel's result (bpf/flap.h enum flap_sig_result) */
	__u32 sigflags;	  /* the process's signal->flags */
	__u32 sender_tid; /* sent, or delivered with FLAP_SIG_SENDER: the sending task */
	__u32 sender_tgid;
	__u32 sender_uid;
	__u16 nframes;
	__u8 group; /* sent to the whole process, not one thread */
	__u8 pad;
	char sender_comm[FLAP_EV_COMM_LEN];
	__u8 info[FLAP_SIGINFO_BYTES]; /* the kernel's struct kernel_siginfo */
};

enum flap_cap_kind_flag {
	FLAP_EVCAP_F_STR = 1 << 0, /* same values as FLAP_CAP_F_* in flap.h */
	FLAP_EVCAP_F_TRUNC = 1 << 1,
	FLAP_EVCAP_F_FAULT = 1 << 2,
	FLAP_EVCAP_F_INLEN = 1 << 3, /* SOCKADDR_OUT: the length at entry first */
	FLAP_EVCAP_F_EACH = 1 << 4,  /* ARGV: each string a __u16 length and its bytes */
};

struct flap_cap {
	__u8 arg;   /* argument index */
	__u8 flags; /* FLAP_EVCAP_F_* */
	__u16 len;
	const __u8 *data; /* owned by the trace */
};

struct flap_event {
	__u64 ts;      /* CLOCK_BOOTTIME ns: entry time when known, else exit time */
	__u64 exit_ts; /* 0 when the call has not returned */
	__u64 dur_ns;
	__s64 ret;
	__u64 args[6];
	__u32 tid;
	__u32 tgid;
	__u32 nr;
	__u32 flags; /* FLAP_EV_F_* */
	__u16 cpu;
	__u16 source; /* index into flap_trace.sources (pod merges) */
	__u8 nargs;
	__u8 ncaps;
	char comm[FLAP_EV_COMM_LEN];
	struct flap_cap caps[FLAP_EV_MAX_CAPS];
	/* A signal event (nr FLAP_EV_NR_SIGNAL), else NULL: owned by the trace */
	const struct flap_signal *sig;
};

/* How much history a CPU's ring held. produced = held + overwritten + lost. */
struct flap_cpu_counts {
	__u64 produced;	    /* events the recorder wrote on this CPU */
	__u64 held;	    /* events present in the ring and staging block */
	__u64 overwritten;  /* events the ring overwrote before the oldest held */
	__u64 lost;	    /* events not recorded (ring refused, reader busy) */
	__u64 torn;	    /* blocks dropped as partial or corrupt */
	__u64 bytes;	    /* record bytes produced */
	__u64 restart_lost; /* of lost: held by rings a daemon restart had to replace */
};

/* Where the events of a trace came from: one traced cgroup (container). */
struct flap_source {
	char name[256]; /* recorder name */
	char pod[256];
	char ns[256]; /* pod namespace */
	char pod_uid[128];
	char container[256];
	char container_id[128];
	char cgroup_path[4096];
	__u64 cgroup_id;
	__u32 main_pid;
	struct flap_cpu_counts counts; /* totals of this source */
	/*
	 * The recorder's in-kernel syscall filter as written at add (sysset.h
	 * syntax, "%file,write"); "" when every syscall was recorded. The
	 * events of a filtered source lack the other calls by design.
	 */
	char syscall_filter[FLAP_SOURCE_FILTER_MAX];
	/*
	 * Syscalls of the whole node the kernel skipped the dispatcher for
	 * (BPF recursion guard) while this source was recorded: any of them
	 * may have been this source's. 0 in files that predate it.
	 */
	__u64 node_skipped;
	/*
	 * The recorder read the clock at both ends of every call
	 * (--exact-durations). False: only calls that spanned a kernel clock
	 * tick have a duration; the others have FLAP_EV_F_DUR_SHORT. False in
	 * files that predate it.
	 */
	bool exact_durations;
	/*
	 * The container's main process has exited (the daemon saw its exit):
	 * its wait status (exit code << 8, or the signal | 0x80 for a core).
	 * False while it runs, when unknown, and in files that predate it.
	 */
	bool main_exited;
	__u32 main_status;
	/* Exits of its processes the lifecycle ring buffer refused (0 in older files). */
	__u64 exits_lost;
	/*
	 * CLOCK_REALTIME of the daemon restart that could not adopt its
	 * recorder and recorded it afresh: the history before it is lost (how
	 * many events is not known: the old rings are gone). 0: no such loss.
	 */
	__u64 reset_ns;
};

/* A descriptor a process held when the recording of its cgroup began. */
struct flap_proc_fd {
	__s32 fd;
	bool cloexec;
	const char *name; /* as /proc/<pid>/fd/<fd> reads: owned by the trace */
};

/*
 * What a process held when the recording of its cgroup began, read from
 * /proc at registration (run, add, the OCI hook): its working directory and
 * its open descriptors, paths as its own root sees them. The history then
 * keeps them up to date (chdir, open, close, dup, fork...); without them
 * AT_FDCWD, fds 0-2 and every descriptor opened before have no name.
 * The same read when the dump is made (at_dump) names what no call of the
 * history changed, also in a history that lost its start (fdtouch.h).
 */
struct flap_proc_state {
	__u32 tgid;
	__u16 source;	 /* index into flap_trace.sources */
	bool at_dump;	 /* read when the dump was made, not at registration */
	const char *cwd; /* NULL: not known */
	const struct flap_proc_fd *fds;
	__u32 nfds;
};

/*
 * A path as the history names it (joined with its directory and cleaned)
 * and as the kernel resolves it, symbolic links followed (strace -y's
 * name): "/lib/x86_64-linux-gnu/libc.so.6" -> "/usr/lib/...". Resolved in
 * the source's root when the dump was made (recorder/kernel/procfs.c).
 */
struct flap_path_alias {
	__u16 source;
	const char *path; /* owned by the trace */
	const char *resolved;
};

struct flap_trace_chunk;

struct flap_trace {
	struct flap_event *events;
	size_t nevents;
	size_t cap;
	struct flap_cpu_counts *cpus;
	int ncpus;
	struct flap_cpu_counts total;
	struct flap_source *sources;
	int nsources;
	__s64 boot_to_real_ns; /* add to a ts for CLOCK_REALTIME */
	__u64 read_ns;	       /* CLOCK_BOOTTIME of the read */
	/* How the rings were recorded (recorder/kernel/kfeatures.h): the
	 * program variant ("full", "compat") and what the kernel lacks; ""
	 * when not known (older dumps) or nothing. */
	char bpf_programs[16];
	char kernel_lacks[256];
	/* The processes of the sources at registration, when the history
	 * starts there (flap_trace__procs_apply()), and when the dump was made
	 * (flap_trace__dump_state_apply()). */
	struct flap_proc_state *procs;
	size_t nprocs;
	/* Paths the history names and how they resolve (fdnames uses them). */
	struct flap_path_alias *paths;
	size_t npaths;
	struct flap_trace_chunk *chunks;
};

/**
 * flap_trace__new() - an empty trace with @ncpus per-CPU counters.
 * Return: 0 or -ENOMEM. The caller owns *@out (flap_trace__free()).
 */
int flap_trace__new(int ncpus, struct flap_trace **out);
void flap_trace__free(struct flap_trace *t);

/**
 * flap_trace__push() - append a zeroed event.
 * Return: the event (valid until the next push), or NULL on -ENOMEM.
 */
struct flap_event *flap_trace__push(struct flap_trace *t);

/**
 * flap_trace__copy_bytes() - keep a copy of @len bytes for the trace's life.
 * Return: the copy, or NULL on -ENOMEM.
 */
const __u8 *flap_trace__copy_bytes(struct flap_trace *t, const void *data, size_t len);

/**
 * flap_trace__copy_signal() - keep an 8-byte aligned copy of @sig and its
 * frames for the trace's life. Return: the copy, or NULL on -ENOMEM.
 */
const struct flap_signal *flap_trace__copy_signal(struct flap_trace *t,
						  const struct flap_signal *sig);

/**
 * flap_trace__add_source() - append a copy of @src (NULL: an empty one).
 * Return: its index, or -ENOMEM.
 */
int flap_trace__add_source(struct flap_trace *t, const struct flap_source *src);

/**
 * flap_trace__add_proc() - append a copy of @p (its cwd, descriptors and
 * their names are copied into the trace). Return: 0 or -ENOMEM.
 */
int flap_trace__add_proc(struct flap_trace *t, const struct flap_proc_state *p);

/**
 * flap_trace__add_path() - append the alias @path -> @resolved of source
 * @source (both copied). Return: 0 or -ENOMEM.
 */
int flap_trace__add_path(struct flap_trace *t, __u16 source, const char *path,
			 const char *resolved);

/**
 * flap_trace__procs_apply() - may the registration state of source @i
 * name the calls of @t? Only when the events of @t start where the
 * recording did: nothing overwritten, lost or torn before them (else a
 * descriptor may have been closed and its number reused in what is gone).
 */
bool flap_trace__procs_apply(const struct flap_trace *t, int i);

/**
 * flap_trace__dump_state_apply() - may the state of source @i read at the
 * dump name what the history does not change? Only when the history holds
 * every call since its start: nothing lost (overwritten and torn blocks are
 * before it), no in-kernel syscall filter.
 */
bool flap_trace__dump_state_apply(const struct flap_trace *t, int i);

/**
 * flap_trace__complete_from() - from when on the history of source @i holds
 * every call: each CPU's ring overwrote its own oldest part, so before the
 * newest of their oldest events some CPU's calls are gone. A CPU whose ring
 * overwrote nothing does not count (known with one source; with several
 * every CPU counts, their counts being merged).
 * Return: a CLOCK_BOOTTIME ns time, 0 for the start, ~0 on -ENOMEM.
 */
__u64 flap_trace__complete_from(const struct flap_trace *t, int i);

/* Sort events by time (stable for equal times: CPU order is kept). */
void flap_trace__sort(struct flap_trace *t);

/* Adds every count of @src to @dst. */
void flap_cpu_counts__add(struct flap_cpu_counts *dst, const struct flap_cpu_counts *src);

/* Sum the per-CPU counts into t->total. */
void flap_trace__sum(struct flap_trace *t);

/**
 * flap_trace__merge() - append the events of @src to @dst (copying captured
 * bytes) and its sources, renumbering event sources; add its per-CPU and
 * total counts; keep @dst sorted by time. Return: 0 or -ENOMEM.
 */
int flap_trace__merge(struct flap_trace *dst, const struct flap_trace *src);

/**
 * flap_trace__keep_last() - drop all but the newest @n events (and, when
 * any is dropped, the registration state: the history no longer starts
 * there; the state read at the dump stays).
 */
void flap_trace__keep_last(struct flap_trace *t, size_t n);

/**
 * flap_trace__source_short() - does source @i of @t, recorded without exact
 * durations, hold calls that returned within the clock tick they entered
 * in and so have no duration (FLAP_EV_F_DUR_SHORT)? False for a source
 * recorded with exact durations, and for a file written before the
 * recorder read the clock once per quick call (every call measured).
 */
bool flap_trace__source_short(const struct flap_trace *t, int i);

/**
 * flap_trace__count_short() - how many sources of @t hold such calls.
 * Return: 0 (every shown duration complete) .. t->nsources.
 */
int flap_trace__count_short(const struct flap_trace *t);

#endif /* FLAP_TRACE_H */
