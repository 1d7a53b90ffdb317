// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_sysset.c - syscall sets in strace's -e trace= syntax (recorder/
 * sysset.c): names, classes and their members (derived from the syscall
 * table or listed, as strace groups them), negation, all/none, regular
 * expressions, ?optional names, the list form of the control protocol,
 * and every malformed set refused with a message.
 */
#include <errno.h>
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "syscalls.h"
#include "sysset.h"
#include "test.h"

static long nr(const char *name)
{
	const struct flap_syscall *sc = flap_syscall__by_name(name);

	return sc ? sc->nr : -1;
}

static bool in(const struct flap_sysset *s, const char *name)
{
	return flap_sysset__has(s, nr(name));
}

void test_sysset_names(void)
{
	struct flap_sysset s;
	char err[256];

	ASSERT_OK(flap_sysset__parse(&s, "openat,close", err, sizeof(err)), "parse");
	ASSERT_TRUE(in(&s, "openat") && in(&s, "close"), "members");
	ASSERT_FALSE(in(&s, "read"), "others out");
	ASSERT_EQ(flap_sysset__count(&s), 2, "count");
	ASSERT_FALSE(flap_sysset__has(&s, 600), "numbers past the table: out");
	ASSERT_FALSE(flap_sysset__is_all(&s), "not all");

	ASSERT_OK(flap_sysset__parse(&s, "!openat,close", err, sizeof(err)), "negated");
	ASSERT_FALSE(in(&s, "openat") || in(&s, "close"), "negated members out");
	ASSERT_TRUE(in(&s, "read") && flap_sysset__has(&s, 600), "everything else in");

	ASSERT_OK(flap_sysset__parse(&s, "all", err, sizeof(err)), "all");
	ASSERT_TRUE(flap_sysset__is_all(&s), "all is all");
	ASSERT_OK(flap_sysset__parse(&s, "!none", err, sizeof(err)), "!none");
	ASSERT_TRUE(flap_sysset__is_all(&s), "!none is all");
	ASSERT_OK(flap_sysset__parse(&s, "none", err, sizeof(err)), "none");
	ASSERT_EQ(flap_sysset__count(&s), 0, "none is empty");

	ASSERT_OK(flap_sysset__parse(&s, "/^(f|l)?stat$", err, sizeof(err)), "regex");
	ASSERT_TRUE(in(&s, "stat") && in(&s, "fstat") && in(&s, "lstat"), "regex members");
	ASSERT_FALSE(in(&s, "statx"), "anchored");
	ASSERT_OK(flap_sysset__parse(&s, "?no_such_call,read", err, sizeof(err)), "?optional");
	ASSERT_EQ(flap_sysset__count(&s), 1, "only read");
}

void test_sysset_classes(void)
{
	struct flap_sysset s;
	char err[256];

	ASSERT_OK(flap_sysset__parse(&s, "%file", err, sizeof(err)), "%file");
	ASSERT_TRUE(in(&s, "openat") && in(&s, "stat") && in(&s, "execve") && in(&s, "getcwd") &&
			    in(&s, "umount2") && in(&s, "statx"),
		    "%file members");
	ASSERT_FALSE(in(&s, "read") || in(&s, "fstat") || in(&s, "fgetxattr"),
		     "%file: fd-based calls out");
	ASSERT_OK(flap_sysset__parse(&s, "%desc", err, sizeof(err)), "%desc");
	ASSERT_TRUE(in(&s, "read") && in(&s, "openat") && in(&s, "mmap") && in(&s, "pipe2") &&
			    in(&s, "dup") && in(&s, "epoll_create1") && in(&s, "sendfile"),
		    "%desc members");
	ASSERT_FALSE(in(&s, "connect") || in(&s, "socket") || in(&s, "kill"),
		     "%desc: socket calls are %net only");
	ASSERT_OK(flap_sysset__parse(&s, "%network", err, sizeof(err)), "%network");
	ASSERT_TRUE(in(&s, "connect") && in(&s, "sendto") && in(&s, "sendfile"), "%net members");
	ASSERT_OK(flap_sysset__parse(&s, "%process", err, sizeof(err)), "%process");
	ASSERT_TRUE(in(&s, "clone") && in(&s, "wait4") && in(&s, "exit_group") && in(&s, "kill"),
		    "%process members");
	ASSERT_OK(flap_sysset__parse(&s, "%memory", err, sizeof(err)), "%memory");
	ASSERT_TRUE(in(&s, "mmap") && in(&s, "brk") && in(&s, "madvise"), "%memory members");
	ASSERT_OK(flap_sysset__parse(&s, "%signal", err, sizeof(err)), "%signal");
	ASSERT_TRUE(in(&s, "rt_sigaction") && in(&s, "kill") && !in(&s, "wait4"), "%signal");
	ASSERT_OK(flap_sysset__parse(&s, "%ipc,%creds,%clock", err, sizeof(err)), "more classes");
	ASSERT_TRUE(in(&s, "shmget") && in(&s, "setuid") && in(&s, "clock_gettime"), "members");
	ASSERT_TRUE(flap_syscall__classes(nr("openat")) & FLAP_CLASS_FILE, "classes of openat");
	ASSERT_EQ(flap_syscall__classes(9999), 0, "no classes past the table");
}

void test_sysset_errors(void)
{
	static const struct {
		const char *expr, *msg;
	} bad[] = {
		{"nosuchcall", "unknown syscall 'nosuchcall'"},
		{"%nosuch", "unknown syscall class '%nosuch'"},
		{"read,,write", "an empty item"},
		{"read,", "an empty item"},
		{"!", "an empty syscall set"},
		{"", "an empty syscall set"},
		{"/(", "not a valid regular expression"},
		{"/^nomatch_at_all$", "matches no syscall"},
		{"?", "an empty item"},
	};
	struct flap_sysset s;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ASSERT_EQ(flap_sysset__parse(&s, bad[i].expr, err, sizeof(err)), -EINVAL,
			  bad[i].expr);
		ASSERT_STRCONTAINS(err, bad[i].msg, bad[i].expr);
		ASSERT_EQ(flap_sysset__count(&s), 0, "a refused set is empty");
	}
	ASSERT_EQ(flap_sysset__parse(&s, NULL, NULL, 0), -EINVAL, "NULL");
}

void test_sysset_items(void)
{
	char *items[] = {"%net", "!", "close"};
	struct flap_sysset s, t;
	char err[256];

	ASSERT_OK(flap_sysset__parse_items(&s, items, 1, err, sizeof(err)), "one item");
	ASSERT_OK(flap_sysset__parse(&t, "%net", err, sizeof(err)), "same as text");
	ASSERT_MEMEQ(&s, &t, sizeof(s), "equal sets");
	items[0] = "!%net";
	items[1] = "close";
	ASSERT_OK(flap_sysset__parse_items(&s, items, 2, err, sizeof(err)), "items joined");
	ASSERT_FALSE(in(&s, "connect") || in(&s, "close"), "the leading ! negates all items");
	ASSERT_TRUE(in(&s, "read"), "others in");
	items[1] = "bogus";
	ASSERT_EQ(flap_sysset__parse_items(&s, items, 2, err, sizeof(err)), -EINVAL, "bad item");
}
