/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * util.h - small helpers shared by the library: whole-file reads and
 * writes with a size cap, zfree/zclose, clocks.
 */
#ifndef FLAP_UTIL_H
#define FLAP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Release and reset: pointers become NULL, fds -1. */
#define zfree(pp)             \
	do {                  \
		free(*(pp));  \
		*(pp) = NULL; \
	} while (0)
#define zclose(fd)                 \
	do {                       \
		if ((fd) >= 0)     \
			close(fd); \
		(fd) = -1;         \
	} while (0)

/**
 * flap_file__read() - read a whole file into a new NUL-terminated buffer.
 * @max: refuse files larger than this (-EFBIG), so no allocation is sized
 * by what a file says. On success *@buf is owned by the caller.
 * Return: 0 or negative errno.
 */
int flap_file__read(const char *path, char **buf, size_t *len, size_t max);

/**
 * flap_file__write() - write @len bytes to an existing file (sysfs, cgroupfs).
 * Return: 0 or negative errno.
 */
int flap_file__write(const char *path, const void *data, size_t len);

/**
 * flap_unix__connect() - a new close-on-exec socket of @type (SOCK_STREAM,
 * SOCK_SEQPACKET) connected to the unix socket at @path: what the CLI's
 * client and the keeper's client both do.
 * Return: 0 and the fd in *@out, -ENAMETOOLONG (over sun_path), or negative
 * errno (-ENOENT, -ECONNREFUSED: nobody listens there).
 */
int flap_unix__connect(const char *path, int type, int *out);

/**
 * flap_fd__write_all() - write all of @len bytes to @fd, retrying on EINTR and
 * short writes. Return: 0 or negative errno.
 */
int flap_fd__write_all(int fd, const void *data, size_t len);

/* CLOCK_BOOTTIME / CLOCK_REALTIME now, in ns. */
__u64 flap_clock__boot_ns(void);
__u64 flap_clock__real_ns(void);
/* CLOCK_REALTIME - CLOCK_BOOTTIME: add it to a BPF timestamp for wall time. */
__s64 flap_clock__boot_to_real_ns(void);

/**
 * flap_cpus__online() - parse /sys/devices/system/cpu/online into @mask
 * (@n entries, 1 = online). Return: number of online CPUs or negative errno.
 */
int flap_cpus__online(bool *mask, int n);

/**
 * flap_cpus__parse_list() - parse a CPU list ("0-3,5") into @mask.
 */
int flap_cpus__parse_list(const char *s, bool *mask, int n);

/*
 * flap_thread__nice(), flap_thread__set_nice() - the calling thread's nice
 * value (on Linux each thread has its own), and a new one: a thread that
 * loads recorders runs nicer than the loop thread, so that requests are
 * served while the verifier works. Reading gives 0 when it fails; setting
 * ignores failures (a priority is only a hint). Any thread.
 */
int flap_thread__nice(void);
void flap_thread__set_nice(int nice);

#endif /* FLAP_UTIL_H */
