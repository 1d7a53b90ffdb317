/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test.h - the test runner's assertions, modelled on the kernel's BPF
 * selftests (test_progs.h). Every test file defines one or more
 * `void test_<name>(void)`; the Makefile generates the list from the files.
 * Each test runs in its own child process with a timeout.
 *
 * ASSERT_*() print file:line with the actual and expected values on failure,
 * mark the running test failed and return false, so a test can write
 * `if (!ASSERT_OK(err, "attach")) goto out;`.
 */
#ifndef FLAP_TEST_H
#define FLAP_TEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void test__fail(void);
bool test__start_subtest(const char *name);
void test__skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool test__verbose(void);
/* Directory of the test binaries (for helper programs built next to them). */
const char *test__bindir(void);

#define test__printf(fmt, ...) fprintf(stderr, fmt, ##__VA_ARGS__)

#define ASSERT_FAIL_(fmt, ...)                                                       \
	({                                                                           \
		test__printf("%s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
		test__fail();                                                        \
		false;                                                               \
	})

#define ASSERT_TRUE(actual, name)                                     \
	({                                                            \
		bool ___ok = !!(actual);                              \
		if (!___ok)                                           \
			ASSERT_FAIL_("%s: unexpected false", (name)); \
		___ok;                                                \
	})

#define ASSERT_FALSE(actual, name)                                   \
	({                                                           \
		bool ___ok = !(actual);                              \
		if (!___ok)                                          \
			ASSERT_FAIL_("%s: unexpected true", (name)); \
		___ok;                                               \
	})

#define ASSERT_CMP_(actual, expected, op, name)                                                \
	({                                                                                     \
		long long ___a = (long long)(actual), ___e = (long long)(expected);            \
		bool ___ok = ___a op ___e;                                                     \
		if (!___ok)                                                                    \
			ASSERT_FAIL_("%s: actual %lld " #op " expected %lld is false", (name), \
				     ___a, ___e);                                              \
		___ok;                                                                         \
	})

#define ASSERT_EQ(a, e, name)  ASSERT_CMP_(a, e, ==, name)
#define ASSERT_NEQ(a, e, name) ASSERT_CMP_(a, e, !=, name)
#define ASSERT_LT(a, e, name)  ASSERT_CMP_(a, e, <, name)
#define ASSERT_LE(a, e, name)  ASSERT_CMP_(a, e, <=, name)
#define ASSERT_GT(a, e, name)  ASSERT_CMP_(a, e, >, name)
#define ASSERT_GE(a, e, name)  ASSERT_CMP_(a, e, >=, name)

#define ASSERT_OK(res, name)                                                         \
	({                                                                           \
		long long ___r = (long long)(res);                                   \
		bool ___ok = ___r == 0;                                              \
		if (!___ok)                                                          \
			ASSERT_FAIL_("%s: unexpected error %lld (%s)", (name), ___r, \
				     ___r < 0 ? strerror((int)-___r) : "positive");  \
		___ok;                                                               \
	})

#define ASSERT_ERR(res, name)                                                      \
	({                                                                         \
		long long ___r = (long long)(res);                                 \
		bool ___ok = ___r < 0;                                             \
		if (!___ok)                                                        \
			ASSERT_FAIL_("%s: unexpected success %lld", (name), ___r); \
		___ok;                                                             \
	})

#define ASSERT_OK_FD(fd, name)                                                              \
	({                                                                                  \
		int ___fd = (fd);                                                           \
		bool ___ok = ___fd >= 0;                                                    \
		if (!___ok)                                                                 \
			ASSERT_FAIL_("%s: bad fd %d (%s)", (name), ___fd, strerror(errno)); \
		___ok;                                                                      \
	})

#define ASSERT_OK_PTR(ptr, name)                                     \
	({                                                           \
		const void *___p = (ptr);                            \
		bool ___ok = ___p != NULL;                           \
		if (!___ok)                                          \
			ASSERT_FAIL_("%s: unexpected NULL", (name)); \
		___ok;                                               \
	})

#define ASSERT_STREQ(actual, expected, name)                                          \
	({                                                                            \
		const char *___a = (actual), *___e = (expected);                      \
		bool ___ok = ___a && ___e && strcmp(___a, ___e) == 0;                 \
		if (!___ok)                                                           \
			ASSERT_FAIL_("%s: actual \"%s\" != expected \"%s\"", (name),  \
				     ___a ? ___a : "(null)", ___e ? ___e : "(null)"); \
		___ok;                                                                \
	})

#define ASSERT_MEMEQ(actual, expected, len, name)                                    \
	({                                                                           \
		bool ___ok = memcmp((actual), (expected), (len)) == 0;               \
		if (!___ok)                                                          \
			ASSERT_FAIL_("%s: %zu bytes differ", (name), (size_t)(len)); \
		___ok;                                                               \
	})

#define ASSERT_STRCONTAINS(haystack, needle, name)                                    \
	({                                                                            \
		const char *___h = (haystack), *___n = (needle);                      \
		bool ___ok = ___h && ___n && strstr(___h, ___n);                      \
		if (!___ok)                                                           \
			ASSERT_FAIL_("%s: \"%s\" not found in \"%.400s\"", (name),    \
				     ___n ? ___n : "(null)", ___h ? ___h : "(null)"); \
		___ok;                                                                \
	})

#endif /* FLAP_TEST_H */
