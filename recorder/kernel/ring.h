/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ring.h - one CPU's overwritable perf ring: a PERF_COUNT_SW_BPF_OUTPUT
 * event opened with write_backward and mapped read-only, which makes the
 * kernel overwrite its oldest records instead of stopping. Nobody polls it
 * and it never wakes anyone up. Reading: pause output, copy from data_head
 * (the newest record) forward for at most one ring size, resume.
 */
#ifndef FLAP_RING_H
#define FLAP_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

struct flap_ring {
	int cpu;
	int fd;	    /* perf event, -1 when closed */
	void *base; /* mmap: control page + data pages */
	size_t mmap_size;
	size_t data_size;
};

/* What a walk over a copied ring found. */
struct flap_ring_stats {
	__u64 samples; /* PERF_RECORD_SAMPLE records */
	__u64 torn;    /* a record cut by the end of the ring (overwritten tail) */
	__u64 lost;    /* PERF_RECORD_LOST counts */
};

/**
 * flap_ring__open() - open and map the ring of CPU @cpu with @pages data
 * pages (a power of two). Return: 0 or negative errno; on error @r is
 * closed (fd -1).
 */
int flap_ring__open(struct flap_ring *r, int cpu, __u32 pages);

/* Unmap and close; safe on a closed ring. */
void flap_ring__close(struct flap_ring *r);

/**
 * flap_ring__pause() - PERF_EVENT_IOC_PAUSE_OUTPUT: while paused the kernel
 * refuses new records (the recorder counts them as lost).
 */
int flap_ring__pause(struct flap_ring *r, bool pause);

/**
 * flap_ring__copy() - copy the records from data_head forward, newest
 * first, into @buf (at least data_size bytes), unwrapping the ring. Only
 * the bytes written so far are copied while the ring has not wrapped yet.
 * Pause the ring first. Return: bytes copied.
 */
size_t flap_ring__copy(const struct flap_ring *r, void *buf);

/**
 * flap_ring__walk() - call @fn for the raw payload of each sample in a copy
 * made by flap_ring__copy() (newest first). A record whose header says it
 * is longer than what is left was cut by the end of the ring: it is dropped
 * and counted as torn. A non-zero return from @fn stops the walk and is
 * returned. Return: 0, or what @fn returned.
 */
int flap_ring__walk(const void *buf, size_t len,
		    int (*fn)(void *ctx, const void *raw, size_t raw_len), void *ctx,
		    struct flap_ring_stats *st);

#endif /* FLAP_RING_H */
