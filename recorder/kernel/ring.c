// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ring.c - overwritable (backward) perf rings, one per CPU per recorder.
 *
 * Mapping the ring without PROT_WRITE tells the kernel that no reader will
 * ever advance data_tail, so it keeps writing over the oldest data
 * (kernel commit 9ecda41acb97). With write_backward the kernel writes each
 * new record below the previous one: data_head always points at the newest
 * record, and the records from there upwards are newer-to-older and
 * contiguous. data_head starts at 0 and only decreases, so -data_head is
 * the number of bytes ever written.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "ring.h"
#include "util.h"

int flap_ring__open(struct flap_ring *r, int cpu, __u32 pages)
{
	struct perf_event_attr attr = {};
	size_t page = sysconf(_SC_PAGESIZE);
	int err;

	r->cpu = cpu;
	r->fd = -1;
	r->base = NULL;
	if (!pages || (pages & (pages - 1)))
		return -EINVAL;
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.write_backward = 1;
	/* Nobody polls these rings: ask for a wakeup at most once per ring
	 * wrap. A wakeup per event costs a traced syscall ~8x. */
	attr.watermark = 1;
	attr.wakeup_watermark = pages * page;
	r->fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	r->data_size = (size_t)pages * page;
	r->mmap_size = r->data_size + page;
	/* PROT_READ only: the overwrite mode (see above). */
	r->base = mmap(NULL, r->mmap_size, PROT_READ, MAP_SHARED, r->fd, 0);
	if (r->base == MAP_FAILED) {
		err = -errno;
		r->base = NULL;
		zclose(r->fd);
		return err;
	}
	return 0;
}

void flap_ring__close(struct flap_ring *r)
{
	if (r->base)
		munmap(r->base, r->mmap_size);
	r->base = NULL;
	zclose(r->fd);
}

int flap_ring__pause(struct flap_ring *r, bool pause)
{
	if (r->fd < 0)
		return 0;
	if (ioctl(r->fd, PERF_EVENT_IOC_PAUSE_OUTPUT, pause ? 1 : 0) < 0)
		return -errno;
	return 0;
}

size_t flap_ring__copy(const struct flap_ring *r, void *buf)
{
	const struct perf_event_mmap_page *pg = r->base;
	size_t size = r->data_size, off, n, first;
	const __u8 *data;
	__u64 head, written;

	if (!pg)
		return 0;
	head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	written = -head;
	n = written < size ? written : size;
	data = (const __u8 *)pg +
	       (pg->data_offset ? pg->data_offset : (size_t)sysconf(_SC_PAGESIZE));
	off = head & (size - 1);
	first = size - off < n ? size - off : n;
	memcpy(buf, data + off, first);
	memcpy((__u8 *)buf + first, data, n - first);
	return n;
}

int flap_ring__walk(const void *buf, size_t len,
		    int (*fn)(void *ctx, const void *raw, size_t raw_len), void *ctx,
		    struct flap_ring_stats *st)
{
	const __u8 *p = buf;
	size_t off = 0;
	int err;

	while (len - off >= sizeof(struct perf_event_header)) {
		struct perf_event_header h;
		__u32 raw_size;

		memcpy(&h, p + off, sizeof(h));
		if (h.size == 0)
			break; /* never written */
		if (h.size < sizeof(h) || h.size > len - off) {
			/* The tail of this record has been overwritten. */
			st->torn++;
			break;
		}
		if (h.type == PERF_RECORD_SAMPLE) {
			if (h.size < sizeof(h) + sizeof(raw_size)) {
				st->torn++;
				break;
			}
			memcpy(&raw_size, p + off + sizeof(h), sizeof(raw_size));
			if (raw_size > h.size - sizeof(h) - sizeof(raw_size)) {
				st->torn++;
				break;
			}
			st->samples++;
			err = fn(ctx, p + off + sizeof(h) + sizeof(raw_size), raw_size);
			if (err)
				return err;
		} else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			__u64 lost;

			memcpy(&lost, p + off + sizeof(h) + 8, sizeof(lost));
			st->lost += lost;
		}
		off += h.size;
	}
	return 0;
}
