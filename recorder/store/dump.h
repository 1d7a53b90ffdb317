/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dump.h - dump files (proto/dump.proto): an 8-byte magic and version, a
 * header (host, kernel, arch, target, reason, sources, time window, counts
 * per CPU), the events oldest first, and a trailer whose absence means the
 * file was cut. The same byte stream follows a `dump` reply on the control
 * socket. Files are written atomically: temp file, fsync, rename, fsync of
 * the directory, so a reader never sees half a dump.
 *
 * Reading is defensive: a foreign, corrupt or truncated input returns
 * -EBADMSG with one line in @err that says what is wrong; nothing in the
 * input sizes an allocation beyond the fixed caps.
 */
#ifndef FLAP_DUMP_H
#define FLAP_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "trace.h"

#define FLAP_DUMP_MAGIC	  "FLAPDMP"
#define FLAP_DUMP_VERSION 1

/* User stack frames a reason keeps (= FLAP_STACK_MAX). */
#define FLAP_REASON_FRAMES 32

/* Frames of a symbolized stack a reason keeps (its unwinding adds scanned ones). */
#define FLAP_REASON_STACK 40

enum flap_frame_how {
	FLAP_FRAME_REGS = 0, /* the registers' ip */
	FLAP_FRAME_FP = 1,   /* a return address on the frame-pointer chain */
	FLAP_FRAME_SCAN = 2, /* a return address found by scanning the stack */
	FLAP_FRAME_CFI = 3,  /* a return address the objects' DWARF CFI unwound */
};

/* A frame of a crashing thread's stack, symbolized (dump.proto Frame). */
struct flap_stack_frame {
	__u64 addr;
	__u64 sym_off;
	__u64 file_offset;
	__u8 how; /* enum flap_frame_how */
	__u8 has_build_id;
	__u8 build_id[20];
	char symbol[128]; /* "" when not found */
	char path[256];	  /* the object's file as found, "" when not */
};

/* Why a dump was made (dump.proto Reason). */
struct flap_reason {
	char kind[16]; /* "request", "crash", "exit", "oom" */
	int signal;
	int exit_code;
	__u32 pid;
	char comm[16];
	char text[256]; /* one line */
	__u64 time_ns;	/* CLOCK_REALTIME */
	bool core;
	/*
	 * The signal that killed, as the history holds it (crash dumps; the
	 * crash policy fills it from the trace, flap_signals__cause()): the
	 * delivery with its siginfo, registers and sender, or the sent signal
	 * that killed. has_signal false: not in the history (or older files).
	 * sig.frames, sig.ids and sig.stack are NULL: the stack is @frames, @ids,
	 * @stack.
	 */
	bool has_signal;
	struct flap_signal sig;
	__u64 frames[FLAP_REASON_FRAMES];
	__u16 nframes;
	struct flap_frame_id ids[FLAP_REASON_FRAMES]; /* the frames by object */
	__u16 nids;
	__u16 stack_len;
	__u8 stack[FLAP_SIG_STACK_BYTES]; /* the top of the user stack */
	/* The stack symbolized (flap_stack__symbolize()), when it was. */
	struct flap_stack_frame syms[FLAP_REASON_STACK];
	__u16 nsyms;
	__u32 tid;	       /* the thread that took it (0: unknown) */
	char thread_comm[16];  /* and its command name */
	char sender_name[256]; /* the sender's traced container, "" when none or unknown */
	/* An OOM kill (kind "oom"): the memory cgroup the killer acted for. */
	__u64 oom_memcg;      /* its cgroup id (in its hierarchy) */
	__u64 oom_limit;      /* memory.max, bytes */
	__u64 oom_usage;      /* its usage then, bytes */
	bool oom_own_memcg;   /* it is the victim's (else the allocating task's) */
	char oom_cgroup[256]; /* its path when known ("" otherwise) */
};

/**
 * flap_reason__set_signal() - take the signal event @ev (of a trace) as the
 * one that killed: copies its signal, stack, thread and command into @r.
 */
void flap_reason__set_signal(struct flap_reason *r, const struct flap_event *ev);

/* Everything in the header that is not in the trace itself. */
struct flap_dump_meta {
	char tool_version[32];
	char host[256];
	char kernel[256];
	char arch[32];
	char target[512];
	__u64 created_ns; /* CLOCK_REALTIME */
	struct flap_reason reason;
};

/**
 * flap_dump_meta__init() - fill version, host, kernel, arch from this
 * machine, @target, reason "request", created_ns now.
 */
void flap_dump_meta__init(struct flap_dump_meta *m, const char *target);

/**
 * flap_dump__write() - write @m and @t as a dump stream to @fd (a file or
 * a socket; blocking). Return: 0 or negative errno.
 */
int flap_dump__write(int fd, const struct flap_dump_meta *m, const struct flap_trace *t);

/**
 * flap_dump__save() - write a dump file at @path atomically (a temp file in
 * the same directory, fsync, rename, fsync of the directory), mode 0600.
 * Return: 0 or negative errno; on error no file is left at @path or as temp.
 */
int flap_dump__save(const char *path, const struct flap_dump_meta *m, const struct flap_trace *t);

/**
 * flap_dump__saveat() - the same in the open directory @dfd under @name
 * (one component): no path is resolved, no symbolic link followed
 * (dump_save.c). Return: 0 or negative errno, and nothing left on error.
 */
int flap_dump__saveat(int dfd, const char *name, const struct flap_dump_meta *m,
		      const struct flap_trace *t);

/**
 * flap_dump__read() - read a dump stream from @fd.
 * Return: 0 and a trace the caller owns, -EBADMSG for a foreign, corrupt or
 * truncated stream (@err says which), other negative errno.
 */
int flap_dump__read(int fd, struct flap_dump_meta *m, struct flap_trace **t, char *err,
		    size_t errlen);

/* flap_dump__read() on the file at @path. */
int flap_dump__load(const char *path, struct flap_dump_meta *m, struct flap_trace **t, char *err,
		    size_t errlen);

/**
 * flap_dump__load_header() - only the header of the file at @path: meta and
 * a trace with sources and counts but no events (for listings).
 */
int flap_dump__load_header(const char *path, struct flap_dump_meta *m, struct flap_trace **t,
			   char *err, size_t errlen);

#endif /* FLAP_DUMP_H */
