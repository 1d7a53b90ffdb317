// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * storm.c - a syscall storm for the stress test:
 *   storm TAG
 * loops until killed over openat(AT_FDCWD, "/flap/TAG-<i>") = ENOENT,
 * write(devnull, 64 bytes), getppid(), read(devzero, 32 bytes): a mix of
 * strings, input and output buffers and plain calls, as fast as it can.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *tag = argc > 1 ? argv[1] : "storm";
	int null = open("/dev/null", O_WRONLY), zero = open("/dev/zero", O_RDONLY);
	char path[256], buf[64];
	unsigned long i;

	memset(buf, 'x', sizeof(buf));
	for (i = 0;; i++) {
		snprintf(path, sizeof(path), "/flap/%s-%lu", tag, i);
		syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
		syscall(SYS_write, null, buf, sizeof(buf));
		syscall(SYS_getppid);
		syscall(SYS_read, zero, buf, 32);
	}
	return 0;
}
