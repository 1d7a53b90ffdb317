// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_syscalls.c - the generated syscall table: lookups by number and by
 * name, the capture kinds the BPF recorder uses (strings, input and output
 * buffers, calls recorded at entry, calls that never return), argument
 * names and types, unknown numbers and names, and the table's invariants
 * (sorted, unique, every kind word consistent with its argument count).
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include <linux/types.h>

#include "flap.h"
#include "syscalls.h"
#include "test.h"

struct known {
	long nr;
	const char *name;
	int nargs;
};

/* The numbers are the build architecture's, from <sys/syscall.h>. */
static const struct known common[] = {
	{SYS_read, "read", 3},	     {SYS_write, "write", 3},	{SYS_openat, "openat", 4},
	{SYS_close, "close", 1},     {SYS_execve, "execve", 3}, {SYS_exit_group, "exit_group", 1},
	{SYS_getppid, "getppid", 0}, {SYS_mmap, "mmap", 6},	{SYS_clone, "clone", 5},
	{SYS_futex, "futex", 6},
};

static void check_arg(const struct flap_syscall *sc, int i, const char *type, const char *name)
{
	char what[64];

	snprintf(what, sizeof(what), "%s arg %d type", sc->name, i);
	ASSERT_STREQ(sc->args[i].type, type, what);
	snprintf(what, sizeof(what), "%s arg %d name", sc->name, i);
	ASSERT_STREQ(sc->args[i].name, name, what);
}

static void subtest_lookups(void)
{
	const struct flap_syscall *sc;
	char what[64];
	size_t i;

	test__start_subtest("lookups");
#if defined(__x86_64__)
	/* The x86_64 numbers themselves, not only the header's names for them. */
	ASSERT_STREQ(flap_syscall__arch(), "x86_64", "arch");
	ASSERT_EQ(SYS_read, 0, "read = 0");
	ASSERT_EQ(SYS_write, 1, "write = 1");
	ASSERT_EQ(SYS_openat, 257, "openat = 257");
	ASSERT_EQ(SYS_execve, 59, "execve = 59");
	ASSERT_EQ(SYS_exit_group, 231, "exit_group = 231");
	ASSERT_STREQ(flap_syscall__by_nr(0)->name, "read", "0 is read");
	ASSERT_STREQ(flap_syscall__by_nr(257)->name, "openat", "257 is openat");
	ASSERT_STREQ(flap_syscall__by_nr(231)->name, "exit_group", "231 is exit_group");
#endif
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		sc = flap_syscall__by_nr(common[i].nr);
		snprintf(what, sizeof(what), "by nr %ld", common[i].nr);
		if (!ASSERT_OK_PTR(sc, what))
			continue;
		ASSERT_EQ(sc->nr, common[i].nr, what);
		ASSERT_STREQ(sc->name, common[i].name, what);
		ASSERT_EQ(sc->nargs, common[i].nargs, what);
		snprintf(what, sizeof(what), "by name %s", common[i].name);
		ASSERT_TRUE(flap_syscall__by_name(common[i].name) == sc, what);
	}
}

static void subtest_kinds(void)
{
	const struct flap_syscall *sc;
	int i;

	test__start_subtest("kinds");
	sc = flap_syscall__by_name("openat");
	if (ASSERT_OK_PTR(sc, "openat")) {
		ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 0), FLAP_ARG_VAL, "openat dfd value");
		ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 1), FLAP_ARG_STR, "openat path string");
		ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 2), FLAP_ARG_VAL, "openat flags value");
		ASSERT_EQ(FLAP_KIND_NARGS(sc->kinds), 4, "openat nargs");
		ASSERT_FALSE(sc->kinds & (FLAP_SC_AT_ENTER | FLAP_SC_NORETURN), "openat at exit");
		check_arg(sc, 0, "int", "dfd");
		check_arg(sc, 1, "const char *", "filename");
		check_arg(sc, 2, "int", "flags");
		check_arg(sc, 3, "umode_t", "mode");
	}
	sc = flap_syscall__by_name("write");
	if (ASSERT_OK_PTR(sc, "write")) {
		ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 1), FLAP_ARG_BUF_IN, "write buf in");
		ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 2), FLAP_ARG_VAL, "write count value");
		check_arg(sc, 0, "unsigned int", "fd");
		check_arg(sc, 1, "const char *", "buf");
		check_arg(sc, 2, "size_t", "count");
	}
	sc = flap_syscall__by_name("read");
	if (ASSERT_OK_PTR(sc, "read")) {
		ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 1), FLAP_ARG_BUF_OUT, "read buf out");
		check_arg(sc, 0, "unsigned int", "fd");
		check_arg(sc, 1, "char *", "buf");
		check_arg(sc, 2, "size_t", "count");
	}
	sc = flap_syscall__by_name("execve");
	if (ASSERT_OK_PTR(sc, "execve")) {
		ASSERT_TRUE(sc->kinds & FLAP_SC_AT_ENTER, "execve recorded at entry");
		ASSERT_FALSE(sc->kinds & FLAP_SC_NORETURN, "execve returns on failure");
		ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 0), FLAP_ARG_STR, "execve path string");
		check_arg(sc, 0, "const char *", "filename");
		check_arg(sc, 1, "const char *const *", "argv");
		check_arg(sc, 2, "const char *const *", "envp");
	}
	sc = flap_syscall__by_name("exit_group");
	if (ASSERT_OK_PTR(sc, "exit_group")) {
		ASSERT_TRUE(sc->kinds & FLAP_SC_NORETURN, "exit_group no return");
		ASSERT_TRUE(sc->kinds & FLAP_SC_AT_ENTER, "exit_group at entry");
		check_arg(sc, 0, "int", "error_code");
	}
	sc = flap_syscall__by_name("exit");
	if (ASSERT_OK_PTR(sc, "exit"))
		ASSERT_TRUE(sc->kinds & FLAP_SC_NORETURN, "exit no return");
	sc = flap_syscall__by_name("getppid");
	if (ASSERT_OK_PTR(sc, "getppid")) {
		ASSERT_EQ(sc->nargs, 0, "getppid nargs");
		ASSERT_EQ(sc->kinds, 0, "getppid plain");
		for (i = 0; i < 6; i++)
			ASSERT_TRUE(!sc->args[i].name && !sc->args[i].type, "getppid no arg names");
	}
}

static void subtest_unknown(void)
{
	test__start_subtest("unknown");
	ASSERT_TRUE(flap_syscall__by_nr(-1) == NULL, "nr -1");
	ASSERT_TRUE(flap_syscall__by_nr(100000) == NULL, "nr 100000");
	ASSERT_TRUE(flap_syscall__by_nr(FLAP_NR_MAX) == NULL, "nr FLAP_NR_MAX");
#if defined(__x86_64__)
	/* 335..423 are unassigned on x86_64. */
	ASSERT_TRUE(flap_syscall__by_nr(400) == NULL, "nr 400");
#endif
	ASSERT_TRUE(flap_syscall__by_name("no_such_syscall") == NULL, "unknown name");
	ASSERT_TRUE(flap_syscall__by_name("") == NULL, "empty name");
	ASSERT_TRUE(flap_syscall__by_name("READ") == NULL, "names are case-sensitive");
	ASSERT_TRUE(flap_syscall__at(-1) == NULL, "index -1");
	ASSERT_TRUE(flap_syscall__at(flap_syscall__count()) == NULL, "index count");
}

/* Every entry: sorted by number, found by number and name, kinds coherent. */
static bool has_kind(const struct flap_syscall *sc, __u32 kind)
{
	for (int i = 0; i < sc->nargs && i < 6; i++)
		if (FLAP_KIND_ARG(sc->kinds, i) == kind)
			return true;
	return false;
}

/* The layout of a call's large structure (flap.h enum flap_large), 0: none. */
static __u32 large_of(const struct flap_syscall *sc)
{
	if (sc->nargs >= 6 || FLAP_KIND_SIZE(sc->kinds) || !has_kind(sc, FLAP_ARG_STRUCT_OUT))
		return 0;
	return FLAP_KIND_LARGE(sc->kinds);
}

static void subtest_table(void)
{
	const struct flap_syscall *sc, *prev = NULL;
	int i, j, n = flap_syscall__count(), named = 0;
	char what[96];

	test__start_subtest("table");
	ASSERT_GT(n, 300, "more than 300 syscalls");
	for (i = 0; i < n; i++) {
		sc = flap_syscall__at(i);
		if (!ASSERT_OK_PTR(sc, "entry"))
			return;
		snprintf(what, sizeof(what), "%s (%d)", sc->name, sc->nr);
		if (prev && !ASSERT_GT(sc->nr, prev->nr, what))
			return;
		if (!ASSERT_TRUE(sc->nr >= 0 && sc->nr < FLAP_NR_MAX, what) ||
		    !ASSERT_TRUE(flap_syscall__by_nr(sc->nr) == sc, what) ||
		    !ASSERT_TRUE(flap_syscall__by_name(sc->name) == sc, what) ||
		    !ASSERT_LE(sc->nargs, 6, what) ||
		    !ASSERT_EQ(FLAP_KIND_NARGS(sc->kinds), sc->nargs, what))
			return;
		for (j = 0; j < 6; j++) {
			__u32 k = FLAP_KIND_ARG(sc->kinds, j);

			/* A large structure's layout, past the last argument. */
			if (j == 5 && sc->nargs < 6 && large_of(sc)) {
				if (!ASSERT_GT(FLAP_LARGE_SIZE(k), 64, what))
					return;
				continue;
			}

			/* Captures only for arguments that exist; an input
			 * buffer's length is the next argument, and so are an
			 * input sockaddr's, an iovec array's and an array's
			 * counts; struct captures have a size (directory
			 * entries and new descriptors a format of their own). */
			if (!ASSERT_TRUE(k == FLAP_ARG_VAL || j < sc->nargs, what) ||
			    !ASSERT_TRUE(k != FLAP_ARG_BUF_IN || j + 1 < sc->nargs, what) ||
			    !ASSERT_TRUE((k != FLAP_ARG_SOCKADDR_IN && k != FLAP_ARG_SOCKADDR_OUT &&
					  k != FLAP_ARG_IOV_IN && k != FLAP_ARG_IOV_OUT &&
					  k != FLAP_ARG_ARRAY) ||
						 j + 1 < sc->nargs,
					 what) ||
			    !ASSERT_TRUE(k < FLAP_ARG_STRUCT_IN || k == FLAP_ARG_ENVP ||
						 k == FLAP_ARG_DIRENTS || k == FLAP_ARG_NEWFD ||
						 FLAP_KIND_SIZE(sc->kinds) > 0 ||
						 (k == FLAP_ARG_STRUCT_OUT && large_of(sc)),
					 what) ||
			    /* NEWFD: an int[2] (size 8), or a plain first argument */
			    !ASSERT_TRUE(k != FLAP_ARG_NEWFD || FLAP_KIND_SIZE(sc->kinds) == 8 ||
						 (j == 0 && FLAP_KIND_SIZE(sc->kinds) == 0),
					 what) ||
			    !ASSERT_LE(k, FLAP_ARG_KIND_MAX, what))
				return;
			if (j < sc->nargs && sc->args[j].name)
				named++;
		}
		/* Only calls whose registers are gone at exit are recorded at entry. */
		if (FLAP_SC_IS_NORETURN(sc->kinds))
			ASSERT_TRUE(sc->kinds & FLAP_SC_AT_ENTER, what);
		/* FLAP_SC_INLEN (the same bit without AT_ENTER): exactly the
		 * calls with a SOCKADDR_OUT argument. */
		ASSERT_EQ(FLAP_SC_IS_INLEN(sc->kinds), has_kind(sc, FLAP_ARG_SOCKADDR_OUT), what);
		prev = sc;
	}
	/* The kernel's metadata names nearly every argument. */
	ASSERT_GT(named, 600, "argument names");
}

void test_syscalls(void)
{
	subtest_lookups();
	subtest_kinds();
	subtest_unknown();
	subtest_table();
}
