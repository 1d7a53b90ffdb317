// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sockpoke.c - send raw bytes to a unix socket and print what comes back,
 * for the control-protocol bad-input tests:
 *   sockpoke SOCKET garbage      random bytes that are not a frame
 *   sockpoke SOCKET oversized    a frame header announcing 10 MiB
 *   sockpoke SOCKET badmsg       a well-framed message that is not a Request
 *   sockpoke SOCKET unknown      a Request with an unknown operation
 *   sockpoke SOCKET half         half a frame, then close
 * It prints "reply N bytes" (and any printable text in the reply), or
 * "closed" when the daemon closed without answering. Exit 0 either way,
 * 1 when it cannot connect.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	unsigned char buf[4096];
	const char *mode;
	size_t len = 0, i;
	ssize_t n, total = 0;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: sockpoke SOCKET garbage|oversized|badmsg|unknown|half\n");
		return 2;
	}
	mode = argv[2];
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		return 1;
	}
	if (strcmp(mode, "garbage") == 0) {
		/* 0xff...: a varint that never ends */
		memset(buf, 0xff, 64);
		len = 64;
	} else if (strcmp(mode, "oversized") == 0) {
		/* varint 10 MiB, then a few bytes */
		buf[0] = 0x80;
		buf[1] = 0x80;
		buf[2] = 0x80;
		buf[3] = 0x05;
		memset(buf + 4, 'A', 60);
		len = 64;
	} else if (strcmp(mode, "badmsg") == 0) {
		/* length 6, then bytes that are not a valid protobuf message */
		static const unsigned char m[] = {6, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff};

		memcpy(buf, m, sizeof(m));
		len = sizeof(m);
	} else if (strcmp(mode, "unknown") == 0) {
		/* Request{version=1, field 99 (varint) = 1}: no known op */
		static const unsigned char m[] = {5, 0x08, 0x01, 0x98, 0x06, 0x01};

		memcpy(buf, m, sizeof(m));
		len = sizeof(m);
	} else if (strcmp(mode, "half") == 0) {
		buf[0] = 20;
		buf[1] = 0x08;
		len = 2;
	} else {
		fprintf(stderr, "sockpoke: unknown mode %s\n", mode);
		return 2;
	}
	if (write(fd, buf, len) != (ssize_t)len)
		perror("write");
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += n;
	if (total == 0) {
		printf("closed\n");
		return 0;
	}
	printf("reply %zd bytes: ", total);
	for (i = 0; i < (size_t)total; i++)
		if (buf[i] >= 32 && buf[i] < 127)
			putchar(buf[i]);
	putchar('\n');
	close(fd);
	return 0;
}
