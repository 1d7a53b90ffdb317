/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * flap.h - the one header shared by the BPF programs and userspace.
 *
 * It defines the records a per-cgroup recorder writes into its overwritable
 * perf ring, the per-CPU staging state the recorder keeps in a map, the
 * dispatcher's cgroup table entry and the per-CPU counters. The BPF side
 * includes it after vmlinux.h, userspace after <linux/types.h>; both
 * compilers check every layout with _Static_assert.
 *
 * Records are variable length and packed (no alignment): every byte saved
 * is more history in the ring. A recorder appends records to a per-CPU
 * staging block and writes the block to the ring with one
 * bpf_perf_event_output() when it is full, so the ring holds whole blocks.
 */
#ifndef FLAP_H
#define FLAP_H

/* Prog-array slots: the number of cgroups that can be traced at once. */
#define FLAP_MAX_RECORDERS 4096
/* Slots the dispatcher reaches by direct tail calls (the kernel allows a
 * program 1024 of them); the others by an indirect one. */
#define FLAP_DIRECT_SLOTS 512
/* Direct-mapped cgroup table: entry = cgroup id & (FLAP_TABLE_SIZE - 1). */
#define FLAP_TABLE_SIZE 16384
/* Syscall numbers covered by the kind table (x86_64 and arm64 are < 512). */
#define FLAP_NR_MAX 512
/* Words of a recorder's syscall filter bitmap (bit nr: record syscall nr). */
#define FLAP_FILTER_WORDS (FLAP_NR_MAX / 64)

/* Bytes of records in one block, and the slack behind it that lets a
 * record started near the end be written before the block is flushed. */
#define FLAP_BLOCK_DATA	 4096
#define FLAP_STAGE_SLACK 4096
#define FLAP_BLOCK_MAGIC 0x31424c46 /* "FLB1" little endian */
/* Bytes of per-CPU scratch behind the staging block. */
#define FLAP_SCRATCH 128

/* Captured contents: hard caps and defaults (per recorder settings). */
#define FLAP_STR_MAX	 1024
#define FLAP_BUF_MAX	 1024
#define FLAP_STR_DEFAULT 256
#define FLAP_BUF_DEFAULT 64
/* At most this many captures (strings, buffers) per record. */
#define FLAP_MAX_CAPS 3
/* Threads remembered per staging block (a THREAD record names each). */
#define FLAP_TID_CACHE 8
#define FLAP_COMM_LEN  16

/* Largest record the BPF side can write: header, ret, six args, captures. */
#define FLAP_REC_MAX                                                                    \
	(sizeof(struct flap_rec_thread) + sizeof(struct flap_rec_syscall) + 8 + 6 * 8 + \
	 FLAP_MAX_CAPS * (sizeof(struct flap_cap_hdr) + FLAP_CAP_MAX))

/* Record types (flap_rec_hdr.type). */
enum flap_rec_type {
	FLAP_REC_SYSCALL = 1, /* one syscall, written at exit (args + ret) */
	FLAP_REC_ENTER = 2,   /* a syscall entered: no-return calls, spilled in-flight calls */
	FLAP_REC_THREAD = 3,  /* tid -> tgid, comm; once per thread per block */
	FLAP_REC_SIGNAL = 4,  /* a signal delivered to a thread, or sent to it */
};

/* Record flags (flap_rec_hdr.flags). */
enum flap_rec_flag {
	FLAP_REC_F_NO_ENTER = 1 << 0, /* SYSCALL: enter not paired in place, dur unknown */
	FLAP_REC_F_DUR_US = 1 << 1,   /* SYSCALL: dur is in microseconds */
	FLAP_REC_F_NO_ARGS = 1 << 2,  /* SYSCALL: args not valid at exit (execve) */
	FLAP_REC_F_SPILLED = 1 << 3,  /* ENTER: an in-flight call pushed out of the pending slot */
	FLAP_REC_F_CAPS_DROPPED = 1 << 4, /* captures skipped (nested writer) */
	/* SYSCALL: the call ended in the clock tick it began in; ts is its entry
	 * time and its duration was not measured (dur 0). See cfg_exact_dur. */
	FLAP_REC_F_TS_ENTER = 1 << 5,
};

struct flap_rec_hdr {
	__u16 size; /* whole record, this header included */
	__u8 type;
	__u8 flags;
};
_Static_assert(sizeof(struct flap_rec_hdr) == 4, "flap_rec_hdr layout");

/*
 * FLAP_REC_SYSCALL. Followed by: ret (4 bytes, or 8 with wide bit 7), then
 * nargs arguments (4 bytes sign-extended, or 8 with wide bit i), then
 * ncaps captures (struct flap_cap_hdr + len bytes each).
 */
struct flap_rec_syscall {
	struct flap_rec_hdr hdr;
	__u32 ts_delta; /* exit time - block base_ts, ns */
	__u32 tid;
	__u32 dur; /* ns (us with FLAP_REC_F_DUR_US); 0 with FLAP_REC_F_NO_ENTER */
	__u16 nr;
	__u8 nargs; /* low nibble: args stored; high nibble: captures that follow */
	__u8 wide;  /* bit i: arg i is 8 bytes; bit 7: ret is 8 bytes */
};
_Static_assert(sizeof(struct flap_rec_syscall) == 20, "flap_rec_syscall layout");

/* FLAP_REC_ENTER. Followed by nargs args (as above) and ncaps captures. */
struct flap_rec_enter {
	struct flap_rec_hdr hdr;
	__u32 tid;
	__u64 ts; /* enter time, CLOCK_BOOTTIME ns (may predate the block) */
	__u32 tgid;
	__u16 nr;
	__u8 nargs;
	__u8 wide;
};
_Static_assert(sizeof(struct flap_rec_enter) == 24, "flap_rec_enter layout");

struct flap_rec_thread {
	struct flap_rec_hdr hdr;
	__u32 tid;
	__u32 tgid;
	char comm[FLAP_COMM_LEN];
};
_Static_assert(sizeof(struct flap_rec_thread) == 28, "flap_rec_thread layout");

/*
 * FLAP_REC_SIGNAL flags. A signal record is written where the kernel's
 * signal tracepoints fire: signal_deliver in the receiving thread as it
 * takes the signal (before its handler runs, or before it dies of it),
 * signal_generate in the sender's context as the signal is queued for a
 * thread of the traced cgroup (then a struct flap_sig_sender follows).
 * A delivered signal whose default action kills the process and that has
 * no handler carries the thread's user registers and stack (a struct
 * flap_sig_fault and its frames follow).
 */
enum flap_sig_rec_flag {
	FLAP_SIG_F_SENT = 1 << 0,   /* signal_generate: a struct flap_sig_sender follows */
	FLAP_SIG_F_NOINFO = 1 << 1, /* the kernel passed no siginfo (info is zeroes) */
	FLAP_SIG_F_FAULT = 1 << 2,  /* a struct flap_sig_fault and its frames follow */
	FLAP_SIG_F_PRIV = 1 << 3,   /* SEND_SIG_PRIV: sent by the kernel, no siginfo */
};

/* Bytes of the user stack (from sp) a fatal delivery keeps: what the CFI
 * unwind of code without frame pointers reads the callers from. 512 did
 * not reach main's caller in a six-call -O2 chain with one 256-byte
 * buffer (it needed 592); 2048 is what the staging slack allows. */
#define FLAP_STACK_BYTES 2048

/* Bytes of struct kernel_siginfo (si_signo, si_errno, si_code, the union). */
#define FLAP_SIGINFO_SIZE 48
/* User stack frames kept at a fatal signal (instruction pointers). */
#define FLAP_STACK_MAX 32

/* Values of flap_rec_signal.result (the kernel's enum trace_signal_deliver). */
enum flap_sig_result {
	FLAP_SIG_DELIVERED = 0,	      /* queued (or fatal: the process dies) */
	FLAP_SIG_IGNORED = 1,	      /* ignored by the target */
	FLAP_SIG_ALREADY_PENDING = 2, /* a standard signal already pending: merged */
	FLAP_SIG_OVERFLOW_FAIL = 3,   /* real-time queue full */
	FLAP_SIG_LOSE_INFO = 4,	      /* queued without its siginfo */
};

struct flap_rec_signal {
	struct flap_rec_hdr hdr;
	__u32 ts_delta; /* time - block base_ts, ns */
	__u32 tid;	/* the thread the signal was delivered or sent to */
	__u32 tgid;
	__s32 sig; /* the tracepoint's signal (SIGKILL when a fatal signal became a group exit) */
	__s32 result;	/* SENT: enum flap_sig_result | group << 8 (sent to the process) */
	__u64 handler;	/* the target's sa_handler for sig: 0 SIG_DFL, 1 SIG_IGN, else a handler */
	__u64 sa_flags; /* and its sa_flags */
	__u64 mask;	/* the thread's blocked signals (delivered: what rt_sigreturn restores) */
	__u32 sigflags; /* the process's signal->flags (SIGNAL_GROUP_EXIT, SIGNAL_UNKILLABLE) */
	__u32 pad;
	__u8 info[FLAP_SIGINFO_SIZE]; /* struct kernel_siginfo as the tracepoint had it */
};
_Static_assert(sizeof(struct flap_rec_signal) == 104, "flap_rec_signal layout");

/* Who sent a signal (FLAP_SIG_F_SENT): the task signal_generate ran in. */
struct flap_sig_sender {
	__u64 cgid; /* its cgroup id */
	__u32 tid;
	__u32 tgid;
	__u32 uid;
	__u32 pad;
	char comm[FLAP_COMM_LEN];
};
_Static_assert(sizeof(struct flap_sig_sender) == 40, "flap_sig_sender layout");

/*
 * The receiving thread's user state at a fatal signal (FLAP_SIG_F_FAULT).
 * Followed by nframes instruction pointers (8 bytes each, [0] = the ip: the
 * kernel's frame-pointer walk), nids struct flap_sig_frame_id (the same
 * frames as build-id and file offset), then stack_len bytes of the user
 * stack from sp (for unwinding code built without frame pointers).
 */
struct flap_sig_fault {
	__u64 ip; /* user registers at delivery (0: not read on this kernel) */
	__u64 sp;
	__u64 bp;
	__u64 start_code; /* mm->start_code: where the program's code was loaded */
	__u16 nframes;
	__u16 nids;
	__u16 stack_len;
	__u16 pad;
};
_Static_assert(sizeof(struct flap_sig_fault) == 40, "flap_sig_fault layout");

/* A frame as the object it is in knows it (the kernel's struct bpf_stack_build_id). */
enum flap_frame_status {
	FLAP_FRAME_EMPTY = 0,
	FLAP_FRAME_VALID = 1, /* build_id and the file offset of the address */
	FLAP_FRAME_IP = 2,    /* the object was not found: offset is the address */
};

struct flap_sig_frame_id {
	__s32 status;
	__u8 build_id[20];
	__u64 offset;
};
_Static_assert(sizeof(struct flap_sig_frame_id) == 32, "flap_sig_frame_id layout");

enum flap_cap_flag {
	FLAP_CAP_F_STR = 1 << 0,   /* a NUL-terminated string (NUL not stored) */
	FLAP_CAP_F_TRUNC = 1 << 1, /* more bytes existed than were kept */
	FLAP_CAP_F_FAULT = 1 << 2, /* the user memory could not be read */
	/* SOCKADDR_OUT: a __u32 in-length (the caller's *addrlen at entry)
	 * comes first; then, when the call succeeded, the usual capture */
	FLAP_CAP_F_INLEN = 1 << 3,
	/* ARGV: each string is a __u16 length (| FLAP_ARGV_CUT when the string
	 * was cut at the string size) and its bytes, no NUL */
	FLAP_CAP_F_EACH = 1 << 4,
};
#define FLAP_CAP_F_ALL 0x1f
#define FLAP_ARGV_CUT  0x8000

struct flap_cap_hdr {
	__u8 arg; /* argument index the bytes belong to */
	__u8 flags;
	__u16 len; /* bytes that follow */
};
_Static_assert(sizeof(struct flap_cap_hdr) == 4, "flap_cap_hdr layout");

enum flap_block_flag {
	FLAP_BLOCK_F_DIRECT = 1 << 0, /* one record written by a nested writer */
};

/* The head of every block; one block is one perf sample (PERF_SAMPLE_RAW). */
struct flap_block_hdr {
	__u32 magic;
	__u32 used;    /* record bytes that follow the header */
	__u64 seq;     /* per-CPU block sequence number */
	__u64 base_ts; /* CLOCK_BOOTTIME ns; SYSCALL ts = base_ts + ts_delta */
	__u32 nrec;    /* events (SYSCALL and ENTER records) in the block */
	__u16 cpu;
	__u16 flags;
};
_Static_assert(sizeof(struct flap_block_hdr) == 32, "flap_block_hdr layout");

/* A syscall entered on this CPU and not yet seen leaving. */
struct flap_pending {
	__u64 ts;
	__u64 args[6];
	__u32 tid;
	__u32 tgid;
	__u16 nr;
	__u8 valid;
	__u8 pad;
	__u32 tick; /* low bits of jiffies at entry */
	/* FLAP_SC_INLEN calls: *addrlen at entry, for the call numbered
	 * inlen_nr while inlen_set (the exit's capture takes it) */
	__u32 inlen;
	__u16 inlen_nr;
	__u16 inlen_set;
};
_Static_assert(sizeof(struct flap_pending) == 80, "flap_pending layout");

/*
 * The recorder's per-CPU state (value of its cpu_state map). busy guards it
 * against a second writer on the same CPU (the kernel is preemptible) and
 * tells a reader when writers are out; hdr and data are contiguous so the
 * block goes to the ring with one output call.
 */
struct flap_cpu_state {
	__u32 busy;
	__u32 pad0;
	__u64 events; /* events produced on this CPU */
	__u32 seen[FLAP_TID_CACHE];
	struct flap_pending pending;
	struct flap_block_hdr hdr;
	__u8 data[FLAP_BLOCK_DATA + FLAP_STAGE_SLACK];
	/* The compat programs' capture functions take no pointers: their
	 * caller leaves the record's arguments here (bpf/record.bpf.c). */
	__u8 scratch[FLAP_SCRATCH];
};
_Static_assert(sizeof(struct flap_cpu_state) == 16 + 4 * FLAP_TID_CACHE + 80 + 32 +
							FLAP_BLOCK_DATA + FLAP_STAGE_SLACK +
							FLAP_SCRATCH,
	       "flap_cpu_state layout");

/* Per-CPU counters of a recorder (value of its stats map). */
struct flap_stats {
	__u64 bytes;	     /* record bytes produced */
	__u64 blocks;	     /* blocks written to the ring */
	__u64 lost_frozen;   /* events not recorded while a reader held the recorder */
	__u64 lost_output;   /* events in blocks the ring refused */
	__u64 lost_nested;   /* events a nested writer could not write */
	__u64 nested;	     /* events written directly by a nested writer */
	__u64 cap_faults;    /* captures whose user memory was unreadable */
	__u64 nested_events; /* events counted outside flap_cpu_state.events */
};
_Static_assert(sizeof(struct flap_stats) == 64, "flap_stats layout");

enum flap_slot_flag {
	FLAP_SLOT_F_COLLIDE = 1 << 0, /* other ids hash here: look in cgroup_slots */
};

/* Dispatcher cgroup_table entry. cgid 0 = free. */
struct flap_slot {
	__u64 cgid;
	__u32 slot;
	__u32 flags;
};
_Static_assert(sizeof(struct flap_slot) == 16, "flap_slot layout");

/*
 * What the dispatcher hands the recorder it tail-calls (handoff, a per-CPU
 * array with one entry per hook: FLAP_HOOK_ENTER, FLAP_HOOK_EXIT): the
 * current task's cgroup id and pid/tgid, which the dispatcher has just read,
 * so that the recorder needs no task helper call of its own. Written right
 * before the tail call by the same invocation; no other invocation can write
 * the same entry meanwhile: the kernel runs at most one invocation of a
 * program per CPU (its recursion guard), so a task that preempts ours can
 * only be in the other hook, which has its own entry.
 */
enum {
	FLAP_HOOK_ENTER,
	FLAP_HOOK_EXIT,
	FLAP_HOOKS,
};

struct flap_handoff {
	__u64 cgid;
	__u64 pid_tgid; /* tgid << 32 | pid */
};

enum flap_lc_type {
	FLAP_LC_EXIT = 1, /* a thread group of a traced cgroup exited */
	FLAP_LC_OOM = 2,  /* the OOM killer chose a victim (any cgroup: the daemon matches) */
};

/* Lifecycle record (lifecycle_rb ring buffer, drained by the daemon). */
struct flap_exit_event {
	__u64 ts;   /* CLOCK_BOOTTIME ns */
	__u64 cgid; /* cgroup id */
	__u32 pid;  /* tgid */
	__u32 ppid;
	__u32 exit_code; /* wait status: signal in bits 0-6, core 0x80, code << 8 */
	__u16 type;
	__u16 pad;
	char comm[FLAP_COMM_LEN];
};
_Static_assert(sizeof(struct flap_exit_event) == 48, "flap_exit_event layout");

/*
 * What the lifecycle program keeps of the exits of a traced cgroup that
 * the ring buffer refused (lifecycle_rb full: a burst of exits while the
 * daemon did not drain it), per recorder slot in lifecycle_fallback: how
 * many it lost, and the last FLAP_FALLBACK_EXITS of them that were not
 * clean (a signal or a non-zero status), so a crash in a burst is not
 * lost. The daemon zeroes a slot's entry when a recorder takes the slot
 * and reads it when lifecycle_lost grows or the cgroup empties.
 */
#define FLAP_FALLBACK_EXITS 4

struct flap_exit_fallback {
	__u64 lost;   /* exits of this slot the ring buffer refused */
	__u64 nfatal; /* of them not clean: fatal[nfatal % FLAP_FALLBACK_EXITS] is next */
	struct flap_exit_event fatal[FLAP_FALLBACK_EXITS];
};
_Static_assert(sizeof(struct flap_exit_fallback) == 16 + 48 * FLAP_FALLBACK_EXITS,
	       "flap_exit_fallback layout");

enum flap_oom_flag {
	/* memcg, limit, usage are the victim's memory cgroup's (kernels whose
	 * tracepoint names the victim task, 6.8); else the allocating task's */
	FLAP_OOM_F_VICTIM_MEMCG = 1 << 0,
	/* the memory cgroup is in the default (v2) hierarchy: memcg is comparable
	 * with traced cgroup ids */
	FLAP_OOM_F_DFL = 1 << 1,
};

/*
 * Lifecycle record of an OOM kill (oom/mark_victim), for any process of the
 * node: the daemon matches it with the exit of a traced process. type is
 * where flap_exit_event has it.
 */
struct flap_oom_event {
	__u64 ts;     /* CLOCK_BOOTTIME ns */
	__u64 memcg;  /* cgroup id of the memory cgroup (its hierarchy's), see flags */
	__u32 pid;    /* the victim, as the kernel named it */
	__u32 by_pid; /* the task whose allocation ran out of memory */
	__u32 flags;  /* FLAP_OOM_F_* */
	__u16 type;   /* FLAP_LC_OOM */
	__u16 pad;
	char comm[FLAP_COMM_LEN]; /* the victim's command (6.8), else the allocating task's */
	__u64 limit;		  /* the memory cgroup's memory.max, bytes */
	__u64 usage;		  /* its usage, bytes */
};
_Static_assert(sizeof(struct flap_oom_event) == 64, "flap_oom_event layout");

/*
 * Syscall kind word (one per syscall number): what the recorder captures.
 * bits 0-2 nargs, bit 3 FLAP_SC_AT_ENTER, bit 4 FLAP_SC_NORETURN (with
 * AT_ENTER) or FLAP_SC_INLEN (without),
 * bits 5-7 the size class of the call's struct and array captures
 * (FLAP_SC_SIZE(), FLAP_KIND_SIZE()), bits 8 + 4*i .. 11 + 4*i: kind of
 * argument i (enum flap_arg_kind).
 *
 * The bytes of a capture are interpreted by the kind of its argument in
 * the syscall table; the formats of the structured kinds are:
 *   SOCKADDR_IN, STRUCT_*, ARRAY*: the bytes as in user memory (a prefix);
 *   SOCKADDR_OUT: __u32 length the call returned, then the address bytes;
 *     with FLAP_CAP_F_INLEN the caller's length at entry before them (and
 *     only it when the call failed);
 *   STRUCT_OUT of size class 0: a structure larger than the size classes,
 *     FLAP_LARGE_SIZE() bytes of its start; its layout (enum flap_large) is
 *     in the kind nibble of argument 5, which such calls (<= 5 arguments)
 *     do not use: FLAP_KIND_LARGE();
 *   IOV_*: per iovec a struct flap_iov_cap, then its data prefix;
 *   ARGV: the strings, each NUL-terminated (a cut last one has no NUL);
 *     with FLAP_CAP_F_EACH each a __u16 length and its bytes (above);
 *   ENVP: __u32 number of entries.
 *   DIRENTS: __u32 number of directory entries in the ret bytes the call
 *     filled (getdents, getdents64; TRUNC past FLAP_DIRENTS_MAX, or
 *     FLAP_DIRENTS_MAX_COMPAT for the compat programs);
 *   NEWFD: the descriptors the call made and their inode numbers (strace's
 *     socket:[N], pipe:[N]): at an int[2] argument (size class 8: pipe,
 *     pipe2, socketpair) the two ints, then two __u64 inode numbers; at a
 *     plain argument (socket, accept, accept4: size class 0) the __u64
 *     inode number of the descriptor returned. 0: not found.
 * FLAP_CAP_F_TRUNC says that more elements (or bytes) existed than kept.
 */
enum flap_arg_kind {
	FLAP_ARG_VAL = 0,	   /* a plain value */
	FLAP_ARG_STR = 1,	   /* NUL-terminated input string (path, name) */
	FLAP_ARG_BUF_IN = 2,	   /* input buffer, length = next argument */
	FLAP_ARG_BUF_OUT = 3,	   /* output buffer, length = return value */
	FLAP_ARG_SOCKADDR_IN = 4,  /* struct sockaddr, length = next argument */
	FLAP_ARG_SOCKADDR_OUT = 5, /* struct sockaddr filled by the call, length at *next arg */
	FLAP_ARG_IOV_IN = 6,	   /* struct iovec array, count = next argument; data written */
	FLAP_ARG_IOV_OUT = 7,	   /* the same, data read by the call (at most ret bytes) */
	FLAP_ARG_ARGV = 8,	   /* NULL-terminated string array (execve argv), at entry */
	FLAP_ARG_STRUCT_IN = 9,	   /* FLAP_KIND_SIZE() bytes the call reads */
	FLAP_ARG_STRUCT_OUT = 10,  /* FLAP_KIND_SIZE() bytes the call wrote (ret >= 0) */
	FLAP_ARG_ARRAY = 11,	   /* next argument elements of FLAP_KIND_SIZE(), at exit */
	FLAP_ARG_ARRAY_RET = 12,   /* ret elements of FLAP_KIND_SIZE() the call filled */
	FLAP_ARG_ENVP = 13,	   /* NULL-terminated pointer array: only its length */
	FLAP_ARG_DIRENTS = 14,	   /* directory entries of ret bytes: only their number */
	FLAP_ARG_NEWFD = 15,	   /* the descriptors made, with their inode numbers */
	FLAP_ARG_KIND_MAX = 15,
};

/* Capture bounds of the structured kinds. */
#define FLAP_CAP_MAX		(FLAP_STR_MAX + 2) /* bytes of any one capture */
#define FLAP_SOCKADDR_MAX	128		   /* sizeof(struct sockaddr_storage) */
#define FLAP_IOV_MAX		4		   /* iovecs described per call */
#define FLAP_ARGV_MAX		32	     /* argv strings kept (each within the string size) */
#define FLAP_ARGV_BYTES		FLAP_STR_MAX /* bytes of an ARGV capture */
#define FLAP_ENVP_MAX		256	     /* envp entries counted */
#define FLAP_ARRAY_MAX		192	     /* bytes of an ARRAY capture */
#define FLAP_DIRENTS_MAX	2048	     /* directory entries counted per call */
#define FLAP_DIRENTS_MAX_COMPAT 512	     /* the same, compat programs (5.10-5.16) */
#define FLAP_NEWFD_MAX		24	     /* bytes of a NEWFD capture */

/* Large structures (STRUCT_OUT of size class 0) and the bytes kept: what
 * strace prints without -v. */
enum flap_large {
	FLAP_LARGE_UTSNAME = 1, /* struct new_utsname: sysname, nodename (65 each) */
	FLAP_LARGE_SYSINFO = 2, /* struct sysinfo up to mem_unit */
	FLAP_LARGE_STATFS = 3,	/* struct statfs up to f_flags */
};
#define FLAP_LARGE_SIZE(l)                 \
	((l) == FLAP_LARGE_UTSNAME   ? 130 \
	 : (l) == FLAP_LARGE_SYSINFO ? 108 \
	 : (l) == FLAP_LARGE_STATFS  ? 88  \
				     : 0)

/* One iovec of an IOV capture, followed by @kept bytes of its data. */
struct flap_iov_cap {
	__u32 len_lo; /* iov_len as the caller gave it (two halves: records are packed) */
	__u32 len_hi;
	__u32 kept; /* data bytes that follow */
};
_Static_assert(sizeof(struct flap_iov_cap) == 12, "flap_iov_cap layout");

#define FLAP_SC_AT_ENTER (1u << 3) /* record at enter: regs are gone at exit */
#define FLAP_SC_NORETURN (1u << 4) /* never returns on success (exit, exit_group) */
/* The same bit without FLAP_SC_AT_ENTER: the call's SOCKADDR_OUT length
 * (accept, getsockname, recvfrom...) is read at entry too, strace's
 * [in => out]. */
#define FLAP_SC_INLEN FLAP_SC_NORETURN
#define FLAP_SC_IS_NORETURN(k) \
	(((k) & (FLAP_SC_AT_ENTER | FLAP_SC_NORETURN)) == (FLAP_SC_AT_ENTER | FLAP_SC_NORETURN))
#define FLAP_SC_IS_INLEN(k) (((k) & (FLAP_SC_AT_ENTER | FLAP_SC_INLEN)) == FLAP_SC_INLEN)
/* Size classes 0-7: 0, 4, 8, 12, 16, 24, 32 and 64 bytes (one byte each). */
#define FLAP_SIZE_CLASSES 0x402018100c080400ULL
#define FLAP_SC_SIZE(cls) ((__u32)(cls) << 5)
#define FLAP_KIND_SIZE(k) ((__u32)(FLAP_SIZE_CLASSES >> (((k) >> 5 & 7) * 8)) & 0xff)
#define FLAP_KINDS(nargs, flags, k0, k1, k2, k3, k4, k5)                                \
	((nargs) | (flags) | ((k0) << 8) | ((k1) << 12) | ((k2) << 16) | ((k3) << 20) | \
	 ((k4) << 24) | ((__u32)(k5) << 28))
#define FLAP_KIND_NARGS(k)  ((k)&7)
#define FLAP_KIND_LARGE(k)  (((k) >> 28) & 15)
#define FLAP_KIND_ARG(k, i) (((k) >> (8 + 4 * (i))) & 15)

#endif /* FLAP_H */
