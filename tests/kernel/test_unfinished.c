// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_unfinished.c - calls that have not returned when the history is read,
 * and calls whose registers are gone at exit.
 *
 * blocked_read: a child blocked in read() on a pipe shows as unfinished,
 * with its fd, from the CPU's pending slot; after the pipe is written, a
 * second read of the recorder shows the call finished with its return
 * value, the bytes read, and a duration at least as long as it was seen
 * blocked. spilled_read: the same while another thread of the child makes
 * syscalls on the same CPU, which pushes the blocked call out of the
 * pending slot into an ENTER record; its exit is paired with that record.
 * execve: a child execs /bin/true; the execve event has the path and its
 * return value, and the exit_group after it carries the new command name.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include "registry.h"
#include "test.h"
#include "testutil.h"

#define READ_LEN 64
#define PAYLOAD	 "hello"
#define BLOCK_MS 100

struct pipes {
	int data[2]; /* the blocked read */
	int more[2]; /* spilled_read: the main thread's own blocked read */
	int reader_tid;
};

static __u64 boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int pin_cpu0(pid_t tid)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(tid, sizeof(set), &set) ? -errno : 0;
}

/* blocked_read: one read of the data pipe, exit status = bytes read. */
static int blocked_reader(void *arg)
{
	struct pipes *p = arg;
	char buf[READ_LEN];
	long n;

	n = syscall(SYS_read, p->data[0], buf, sizeof(buf));
	syscall(SYS_exit_group, n);
	return 0;
}

/* The event of @tid's read of @fd, or NULL. */
static const struct flap_event *find_read(const struct flap_trace *t, __u32 tid, int fd)
{
	long i = -1;

	while ((i = test_find_event(t, i + 1, tid, SYS_read)) >= 0)
		if ((int)t->events[i].args[0] == fd)
			return &t->events[i];
	return NULL;
}

/*
 * The first read of the recorder: @tid's read of @fd (tid 0: any thread)
 * is there, entered and not finished, with its arguments. Return: its tid,
 * or 0 after a failed assertion.
 */
static __u32 check_unfinished(struct flap_recorder *rec, __u32 tid, int fd, __u64 seen_ns,
			      bool newest)
{
	const struct flap_event *ev;
	struct flap_trace *t = NULL;
	__u32 found = 0;

	if (!ASSERT_OK(flap_recorder__read(rec, &t), "first read"))
		return 0;
	if (test__verbose())
		test_dump_trace(t, 12);
	ev = find_read(t, tid, fd);
	if (!ASSERT_OK_PTR(ev, "blocked read in the history"))
		goto out;
	ASSERT_TRUE(ev->flags & FLAP_EV_F_UNFINISHED, "unfinished");
	ASSERT_FALSE(ev->flags & (FLAP_EV_F_HAS_RET | FLAP_EV_F_EXIT_LOST), "no return yet");
	ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_ENTER, "entry time known");
	ASSERT_EQ(ev->exit_ts, 0, "no exit time");
	ASSERT_EQ(ev->nargs, 3, "read has 3 args");
	ASSERT_EQ(ev->args[0], fd, "fd argument");
	ASSERT_EQ(ev->args[2], READ_LEN, "count argument");
	ASSERT_EQ(ev->cpu, 0, "on the pinned cpu");
	ASSERT_LE(ev->ts, seen_ns, "entered before it was seen blocked");
	if (newest)
		ASSERT_EQ(ev - t->events, (long)t->nevents - 1, "the newest event");
	found = ev->tid;
out:
	flap_trace__free(t);
	return found;
}

/* The read finished: return value, bytes, duration >= the time seen blocked. */
static void check_finished(struct flap_recorder *rec, __u32 tid, int fd, __u64 seen_ns,
			   __u64 written_ns)
{
	const struct flap_event *ev;
	struct flap_trace *t = NULL;
	char buf[64];

	if (!ASSERT_OK(flap_recorder__read(rec, &t), "second read"))
		return;
	if (test__verbose())
		test_dump_trace(t, 12);
	ev = find_read(t, tid, fd);
	if (!ASSERT_OK_PTR(ev, "read in the history"))
		goto out;
	ASSERT_FALSE(ev->flags & (FLAP_EV_F_UNFINISHED | FLAP_EV_F_EXIT_LOST), "finished");
	ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_RET, "has ret");
	ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_DUR, "has duration");
	ASSERT_EQ(ev->ret, strlen(PAYLOAD), "ret = bytes written");
	ASSERT_EQ(ev->args[0], fd, "fd argument");
	ASSERT_EQ(ev->args[2], READ_LEN, "count argument");
	ASSERT_STREQ(test_cap_str(ev, 1, buf, sizeof(buf)), PAYLOAD, "bytes read");
	ASSERT_GE(ev->dur_ns, written_ns - seen_ns, "duration >= time seen blocked");
	ASSERT_GE(ev->dur_ns, BLOCK_MS * 1000000ULL, "duration >= the sleep");
	ASSERT_LE(ev->ts, seen_ns, "entered before it was seen blocked");
	ASSERT_GE(ev->exit_ts, written_ns, "returned after the write");
	ASSERT_EQ(ev->exit_ts - ev->ts, ev->dur_ns, "duration = exit - entry");
	ASSERT_EQ(t->total.produced, t->total.held + t->total.overwritten + t->total.lost,
		  "produced = held + overwritten + lost");
	if (test__verbose())
		fprintf(stderr, "  read of fd %d blocked %.1f ms (seen blocked %.1f ms)\n", fd,
			ev->dur_ns / 1e6, (written_ns - seen_ns) / 1e6);
out:
	flap_trace__free(t);
}

static void close_pipes(struct pipes *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (p->data[i] >= 0)
			close(p->data[i]);
		if (p->more[i] >= 0)
			close(p->more[i]);
	}
}

static void subtest_blocked_read(void)
{
	struct pipes p = {{-1, -1}, {-1, -1}, 0};
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct test_child c = {.pid = -1};
	__u64 seen_ns, written_ns;
	struct test_cgroup cg = {};
	int status;
	pid_t pid;

	test__start_subtest("blocked_read");
	if (!ASSERT_OK(pipe(p.data), "pipe") ||
	    !ASSERT_OK(test_cgroup_make("blocked", &cg), "cg") ||
	    !ASSERT_OK(flap_registry__new(NULL, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, cg.id, NULL, &rec), "add"))
		goto out;
	if (!ASSERT_OK(test_child_start(&cg, blocked_reader, &p, &c), "child"))
		goto out;
	pid = c.pid;
	/* One CPU: the exit finds the entry in the same pending slot. */
	ASSERT_OK(pin_cpu0(pid), "pin");
	test_child_go(&c);
	if (!ASSERT_OK(test_wait_syscall(pid, SYS_read, p.data[0], 5000), "blocked in read"))
		goto out;
	seen_ns = boot_ns();
	if (!check_unfinished(rec, pid, p.data[0], seen_ns, true))
		goto out;

	sleep_ms(BLOCK_MS);
	written_ns = boot_ns();
	ASSERT_EQ(write(p.data[1], PAYLOAD, strlen(PAYLOAD)), strlen(PAYLOAD), "write pipe");
	status = test_child_wait(&c);
	c.pid = -1;
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == strlen(PAYLOAD), "child read 5");
	check_finished(rec, pid, p.data[0], seen_ns, written_ns);
out:
	if (c.pid > 0) {
		kill(c.pid, SIGKILL);
		test_child_wait(&c);
	}
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	close_pipes(&p);
}

/* spilled_read: the second thread, blocked in a read of the data pipe. */
static void *spill_reader(void *arg)
{
	struct pipes *p = arg;
	char buf[READ_LEN];
	long n;

	__atomic_store_n(&p->reader_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	n = syscall(SYS_read, p->data[0], buf, sizeof(buf));
	return (void *)n;
}

/*
 * spilled_read: both threads on CPU 0. Once the reader is blocked, this
 * thread's syscalls take the CPU's pending slot and push the reader's call
 * out as an ENTER record; then it blocks in a read of its own.
 */
static int spill_child(void *arg)
{
	struct pipes *p = arg;
	char buf[READ_LEN];
	void *reader_n;
	pthread_t th;
	long n;

	if (pin_cpu0(0) || pthread_create(&th, NULL, spill_reader, p))
		return 100;
	while (!__atomic_load_n(&p->reader_tid, __ATOMIC_ACQUIRE))
		sched_yield();
	if (test_wait_syscall(p->reader_tid, SYS_read, p->data[0], 5000))
		return 101;
	syscall(SYS_getppid);
	syscall(SYS_getppid);
	n = syscall(SYS_read, p->more[0], buf, sizeof(buf));
	pthread_join(th, &reader_n);
	return n + (long)reader_n;
}

static void subtest_spilled_read(void)
{
	struct pipes p = {{-1, -1}, {-1, -1}, 0};
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct test_child c = {.pid = -1};
	__u64 seen_ns, written_ns, written2_ns;
	struct test_cgroup cg = {};
	__u32 reader;
	int status;
	pid_t pid;

	test__start_subtest("spilled_read");
	if (!ASSERT_OK(pipe(p.data), "pipe") || !ASSERT_OK(pipe(p.more), "pipe") ||
	    !ASSERT_OK(test_cgroup_make("spilled", &cg), "cg") ||
	    !ASSERT_OK(flap_registry__new(NULL, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, cg.id, NULL, &rec), "add"))
		goto out;
	if (!ASSERT_OK(test_child_start(&cg, spill_child, &p, &c), "child"))
		goto out;
	pid = c.pid;
	test_child_go(&c);
	/* The main thread blocks last: then the reader is blocked too. */
	if (!ASSERT_OK(test_wait_syscall(pid, SYS_read, p.more[0], 5000), "blocked in read"))
		goto out;
	seen_ns = boot_ns();
	/* The reader's call was spilled; the main thread's is in the pending slot. */
	reader = check_unfinished(rec, 0, p.data[0], seen_ns, false);
	if (!ASSERT_NEQ(reader, 0, "reader's read unfinished") ||
	    !ASSERT_NEQ(reader, pid, "by the second thread") ||
	    !ASSERT_EQ(check_unfinished(rec, pid, p.more[0], seen_ns, true), pid,
		       "main thread's read unfinished"))
		goto out;

	sleep_ms(BLOCK_MS);
	written_ns = boot_ns();
	ASSERT_EQ(write(p.data[1], PAYLOAD, strlen(PAYLOAD)), strlen(PAYLOAD), "write pipe");
	sleep_ms(BLOCK_MS / 10);
	written2_ns = boot_ns();
	ASSERT_EQ(write(p.more[1], PAYLOAD, strlen(PAYLOAD)), strlen(PAYLOAD), "write pipe 2");
	status = test_child_wait(&c);
	c.pid = -1;
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2 * strlen(PAYLOAD),
		    "child read 5 + 5");
	check_finished(rec, reader, p.data[0], seen_ns, written_ns);
	check_finished(rec, pid, p.more[0], seen_ns, written2_ns);
out:
	if (c.pid > 0) {
		kill(c.pid, SIGKILL);
		test_child_wait(&c);
	}
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	close_pipes(&p);
}

#define EXEC_PATH "/bin/true"

static int exec_child(void *arg)
{
	char path[] = EXEC_PATH, *argv[] = {path, NULL}, *envp[] = {NULL};

	(void)arg;
	syscall(SYS_execve, path, argv, envp);
	return 127;
}

/*
 * execve: @pin keeps the child on CPU 0, so the calls before and after the
 * exec go to the same staging block; otherwise the exec may move it.
 */
static void subtest_execve(bool pin)
{
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	const struct flap_event *ev;
	struct test_cgroup cg = {};
	struct test_child c;
	char buf[256];
	long i, j, k;
	int status;

	test__start_subtest(pin ? "execve_pinned" : "execve");
	if (!ASSERT_OK(test_cgroup_make("execve", &cg), "cg") ||
	    !ASSERT_OK(flap_registry__new(NULL, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, cg.id, NULL, &rec), "add"))
		goto out;
	if (!ASSERT_OK(test_child_start(&cg, exec_child, NULL, &c), "child"))
		goto out;
	if (pin)
		ASSERT_OK(pin_cpu0(c.pid), "pin");
	test_child_go(&c);
	status = test_child_wait(&c);
	if (!ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "true exits 0"))
		goto out;
	if (!ASSERT_OK(flap_recorder__read(rec, &t), "read"))
		goto out;
	if (test__verbose())
		test_dump_trace(t, 60);

	i = test_find_event(t, 0, c.pid, SYS_execve);
	if (!ASSERT_GE(i, 0, "execve recorded"))
		goto out;
	ev = &t->events[i];
	ASSERT_STREQ(test_cap_str(ev, 0, buf, sizeof(buf)), EXEC_PATH, "execve path");
	ASSERT_TRUE(ev->caps[0].flags & FLAP_EVCAP_F_STR, "path is a string");
	ASSERT_EQ(ev->nargs, 3, "execve args");
	ASSERT_NEQ(ev->args[1], 0, "argv");
	ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_RET, "execve returned");
	ASSERT_EQ(ev->ret, 0, "execve ret 0");
	ASSERT_FALSE(ev->flags & (FLAP_EV_F_UNFINISHED | FLAP_EV_F_EXIT_LOST | FLAP_EV_F_NORETURN),
		     "execve finished");
	ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_DUR, "execve duration");
	ASSERT_GT(ev->dur_ns, 0, "execve took time");
	/* Before the exec the child is still the test binary. */
	for (k = 0; k < i; k++)
		if (!ASSERT_STREQ(t->events[k].comm, "kernel_tests", "calls before: old comm"))
			break;

	j = test_find_event(t, i + 1, c.pid, SYS_exit_group);
	if (!ASSERT_GT(j, i, "exit_group after execve"))
		goto out;
	ASSERT_STREQ(t->events[j].comm, "true", "exit_group with the new comm");
	ASSERT_EQ(t->events[j].args[0], 0, "exit_group(0)");
	ASSERT_TRUE(t->events[j].flags & FLAP_EV_F_NORETURN, "exit_group no return");
	ASSERT_EQ(j, (long)t->nevents - 1, "exit_group last");
	for (k = i + 1; k < j; k++)
		if (!ASSERT_STREQ(t->events[k].comm, "true", "the loader's calls: new comm"))
			break;
	ASSERT_EQ(t->total.produced, t->total.held + t->total.overwritten + t->total.lost,
		  "produced = held + overwritten + lost");
out:
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
}

void test_unfinished(void)
{
	subtest_blocked_read();
	subtest_spilled_read();
	subtest_execve(false);
	subtest_execve(true);
}
