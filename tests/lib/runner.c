// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * runner.c - runs the tests of one suite (unit, kernel). The list of tests
 * comes from TEST_LIST, a file the Makefile generates from the test file
 * names: one DEFINE_TEST(name) line per `void test_<name>(void)`.
 *
 * Every test runs in a forked child with a timeout, so a crash or a hang
 * fails that test only. Usage: runner [-v] [-t NAME]... [--strict]
 * [--timeout SEC]. With --strict a skipped test counts as a failure (kernel
 * tests on a machine that can run them).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

/* Built with AddressSanitizer (gcc says so one way, clang another)? */
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define DEFINE_TEST(name) void test_##name(void);
#include TEST_LIST
#undef DEFINE_TEST

struct test_def {
	const char *name;
	void (*fn)(void);
};

static const struct test_def tests[] = {
#define DEFINE_TEST(name) {#name, test_##name},
#include TEST_LIST
#undef DEFINE_TEST
};

enum { EXIT_PASS = 0, EXIT_FAILED = 1, EXIT_SKIPPED = 77 };

static bool verbose;
static bool failed;
static bool skipped;
static int subtests;
static char bindir[PATH_MAX];

void test__fail(void)
{
	failed = true;
}

bool test__verbose(void)
{
	return verbose;
}

const char *test__bindir(void)
{
	return bindir;
}

bool test__start_subtest(const char *name)
{
	subtests++;
	if (verbose)
		fprintf(stderr, "  subtest %s\n", name);
	return true;
}

void test__skip(const char *fmt, ...)
{
	va_list ap;

	skipped = true;
	fprintf(stderr, "  SKIP: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static bool selected(const char *name, char **only, int nonly)
{
	int i;

	if (!nonly)
		return true;
	for (i = 0; i < nonly; i++)
		if (strcmp(only[i], name) == 0)
			return true;
	return false;
}

static int run_child(const struct test_def *t)
{
	failed = false;
	skipped = false;
	t->fn();
	fflush(NULL);
#ifdef HAVE_LSAN
	/* The child ends with _exit(), which skips LeakSanitizer's check at
	 * exit: check here, so a test that leaks fails (make test SANITIZE=1). */
	if (__lsan_do_recoverable_leak_check())
		failed = true;
#endif
	if (failed)
		return EXIT_FAILED;
	return skipped ? EXIT_SKIPPED : EXIT_PASS;
}

/* Runs one test in a child; returns its exit code (timeout = failure). */
static int run_one(const struct test_def *t, int timeout)
{
	struct timespec t0, t1;
	int status, rc;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fork: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	if (pid == 0) {
		/* Own process group: the timeout kills whatever the test forked. */
		setpgid(0, 0);
		alarm(timeout);
		_exit(run_child(t));
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (WIFEXITED(status)) {
		rc = WEXITSTATUS(status);
	} else {
		fprintf(stderr, "  test %s killed by signal %d%s\n", t->name, WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		rc = EXIT_FAILED;
	}
	fprintf(stderr, "#%-28s %s (%.2fs)\n", t->name,
		rc == EXIT_PASS	     ? "OK"
		: rc == EXIT_SKIPPED ? "SKIP"
				     : "FAIL",
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return rc;
}

static void set_bindir(const char *argv0)
{
	char *slash;

	if (!realpath("/proc/self/exe", bindir))
		snprintf(bindir, sizeof(bindir), "%s", argv0);
	slash = strrchr(bindir, '/');
	if (slash)
		*slash = '\0';
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"verbose", no_argument, NULL, 'v'}, {"test", required_argument, NULL, 't'},
		{"strict", no_argument, NULL, 's'},  {"timeout", required_argument, NULL, 'T'},
		{"list", no_argument, NULL, 'l'},    {NULL, 0, NULL, 0},
	};
	int nfail = 0, nskip = 0, npass = 0, nonly = 0, timeout = 120, c;
	size_t n = sizeof(tests) / sizeof(tests[0]), i;
	bool strict = false;
	char **only;

	only = calloc(argc, sizeof(*only));
	if (!only)
		return 1;
	while ((c = getopt_long(argc, argv, "vt:sT:l", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose = true;
			break;
		case 't':
			only[nonly++] = optarg;
			break;
		case 's':
			strict = true;
			break;
		case 'T':
			timeout = atoi(optarg);
			break;
		case 'l':
			for (i = 0; i < n; i++)
				printf("%s\n", tests[i].name);
			return 0;
		default:
			fprintf(stderr, "usage: %s [-v] [-t NAME]... [--strict] [--timeout SEC]\n",
				argv[0]);
			return 2;
		}
	}
	set_bindir(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++) {
		if (!selected(tests[i].name, only, nonly))
			continue;
		switch (run_one(&tests[i], timeout)) {
		case EXIT_PASS:
			npass++;
			break;
		case EXIT_SKIPPED:
			nskip++;
			break;
		default:
			nfail++;
		}
	}
	fprintf(stderr, "Summary: %d PASSED, %d SKIPPED, %d FAILED%s\n", npass, nskip, nfail,
		strict && nskip ? " (skips count as failures: --strict)" : "");
	free(only);
	return nfail || (strict && nskip) || npass + nskip + nfail == 0 ? 1 : 0;
}
