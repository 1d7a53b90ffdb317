// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * util.c - file, socket and clock helpers shared by the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int flap_unix__connect(const char *path, int type, int *out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A unix connect does not block on the network: it either completes
	 * or fails at once (EAGAIN only when the backlog is full). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

int flap_file__read(const char *path, char **buf, size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	char *data, *tmp;
	ssize_t r;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	data = malloc(cap + 1);
	if (!data) {
		err = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				err = -EFBIG;
				goto out_free;
			}
			cap = cap * 2 > max ? max : cap * 2;
			tmp = realloc(data, cap + 1);
			if (!tmp) {
				err = -ENOMEM;
				goto out_free;
			}
			data = tmp;
		}
		r = read(fd, data + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out_free;
		}
		if (r == 0)
			break;
		n += r;
	}
	data[n] = '\0';
	*buf = data;
	*len = n;
	close(fd);
	return 0;

out_free:
	free(data);
out_close:
	close(fd);
	return err;
}

int flap_fd__write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= w;
	}
	return 0;
}

int flap_file__write(const char *path, const void *data, size_t len)
{
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = flap_fd__write_all(fd, data, len);
	close(fd);
	return err;
}

static __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__u64 flap_clock__boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

__u64 flap_clock__real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

__s64 flap_clock__boot_to_real_ns(void)
{
	__u64 b0, r, b1;

	/* Bracket the realtime read to halve the error. */
	b0 = flap_clock__boot_ns();
	r = flap_clock__real_ns();
	b1 = flap_clock__boot_ns();
	return (__s64)(r - (b0 + (b1 - b0) / 2));
}

int flap_cpus__parse_list(const char *s, bool *mask, int n)
{
	int count = 0;

	memset(mask, 0, n * sizeof(*mask));
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b;

		if (end == s || a < 0)
			return -EINVAL;
		b = a;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -EINVAL;
			s = end;
		}
		for (; a <= b; a++)
			if (a < n && !mask[a]) {
				mask[a] = true;
				count++;
			}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	return count;
}

int flap_cpus__online(bool *mask, int n)
{
	char *text = NULL;
	size_t len;
	int err;

	err = flap_file__read("/sys/devices/system/cpu/online", &text, &len, 4096);
	if (err < 0)
		return err;
	err = flap_cpus__parse_list(text, mask, n);
	free(text);
	return err;
}

/* PRIO_PROCESS with a thread id: that thread only (NPTL threads share no nice value). */
int flap_thread__nice(void)
{
	int nice;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	return nice == -1 && errno ? 0 : nice;
}

void flap_thread__set_nice(int nice)
{
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}
