// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_run.c - `flap-recorder run -- CMD [ARGS...]`: run a command in a
 * fresh cgroup that is recorded before the command's first instruction.
 *
 * The cgroup is made first (named after the command and run's own pid) and
 * the child is born in it (clone3 with CLONE_INTO_CGROUP): moving a process
 * by writing cgroup.procs costs the writer an RCU grace period, ~10 ms, the
 * largest part of what run added to a short command. Where clone3 cannot
 * (a kernel or a seccomp profile without it), the child is forked and
 * moved as before. It waits on a pipe while the parent registers the cgroup
 * with the daemon (the child as the main process, so the crash policy
 * applies), then it execs. run exits with the command's status, 128 +
 * signal if it was killed.
 *
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to run go on to the command (a
 * terminal's, sent to the whole process group, reached it already), and run
 * waits for it as a shell does. The cgroup is removed when the command
 * ends; if some of its processes outlive it, run says so and leaves a
 * detached watcher that removes the cgroup once it is empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "cgroup.h"
#include "ctl.pb-c.h"
#include "cli.h"
#include "crash.h"

static const char run_usage[] = "usage: flap-recorder run [options] -- CMD [ARGS...]\n"
				"Run CMD in a new cgroup recorded from its first instruction; exit "
				"with its status.\n" CLI_ADD_USAGE;

/* Child: wait for the go byte, then exec. */
static void child_main(int go_fd, char **cmd)
{
	char b = 0;

	while (read(go_fd, &b, 1) < 0 && errno == EINTR)
		;
	close(go_fd);
	if (b != 'g')
		_exit(126); /* the parent could not register us */
	execvp(cmd[0], cmd);
	fprintf(stderr, "flap-recorder: run: %s: %s\n", cmd[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int make_cgroup(const char *cmd, pid_t pid, char *path, size_t size)
{
	const char *root = flap_cgroup__root(), *base = strrchr(cmd, '/');
	char parent[PATH_MAX], name[64];
	int rc;

	if (!root) {
		cli__err("no cgroup2 hierarchy is mounted");
		return -ENOENT;
	}
	flap_crash__sanitize(base ? base + 1 : cmd, name, 40);
	snprintf(parent, sizeof(parent), "%s/flap-recorder.run", root);
	if (mkdir(parent, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		cli__err("cannot create %s: %s", parent, strerror(errno));
		return rc;
	}
	if ((size_t)snprintf(path, size, "%s/%s-%d", parent, name, (int)pid) >= size) {
		cli__err("cgroup path too long under %s", parent);
		return -ENAMETOOLONG;
	}
	rc = flap_cgroup__create(path, NULL);
	if (rc)
		cli__err("cannot create the cgroup %s: %s", path, strerror(-rc));
	return rc;
}

/*
 * fork() into the cgroup @path: 0 in the child, its pid in the parent,
 * -errno when clone3 or CLONE_INTO_CGROUP is not there (the caller forks
 * and moves the child instead). glibc has no wrapper: the child runs on a
 * copy of the stack as after fork and only reads a pipe, then execs.
 */
static pid_t fork_into(const char *path)
{
	struct clone_args ca = {.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD};
	long pid;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ca.cgroup = (__u64)fd;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		return 0;
	if (pid < 0)
		pid = -errno;
	close(fd);
	return (pid_t)pid;
}

static volatile pid_t child_pid;

/*
 * Passes a signal on to the command. One from a terminal (the kernel sends
 * it to the foreground process group: si_code SI_KERNEL) reached the
 * command already: sending it again would deliver it twice.
 */
static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	(void)uc;
	if (child_pid > 0 && si->si_code != SI_KERNEL)
		kill(child_pid, sig);
	errno = saved;
}

static void forward_signals(pid_t pid)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa = {.sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO | SA_RESTART};
	size_t i;

	child_pid = pid;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* True while cgroup.events says "populated 1" (or cannot be read). */
static bool populated(int fd)
{
	char buf[256];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	return !strstr(buf, "populated 0");
}

/* The watcher: waits until the cgroup @path is empty, then removes it. */
static void remove_when_empty(const char *path)
{
	struct pollfd p = {.events = POLLPRI};
	char events[PATH_MAX + 16];

	snprintf(events, sizeof(events), "%s/cgroup.events", path);
	p.fd = open(events, O_RDONLY | O_CLOEXEC);
	if (p.fd < 0)
		_exit(1);
	/* cgroup.events wakes pollers with POLLPRI on every change. */
	while (populated(p.fd))
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			_exit(1);
	close(p.fd);
	_exit(rmdir(path) == 0 ? 0 : 1);
}

/* Removes the cgroup @path now, or once the processes left in it are gone. */
static void remove_cgroup(const char *path)
{
	pid_t pid;
	int fd;

	if (rmdir(path) == 0 || errno != EBUSY)
		return;
	pid = fork();
	if (pid == 0) {
		/* Detached (double fork, own session, no terminal): run exits now. */
		setsid();
		if (fork() != 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		remove_when_empty(path);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	cli__err("processes of the command still run in %s: the cgroup is removed once they "
		 "exit",
		 path);
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return CLI_FAIL;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		CLI_ADD_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	Flap__RecorderSpec spec = FLAP__RECORDER_SPEC__INIT;
	Flap__AddRequest add = FLAP__ADD_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Response *resp = NULL;
	char path[PATH_MAX];
	int go[2], c, rc, status;
	bool joined = false;
	pid_t pid;

	spec.buf_max = -1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli__usage(run_usage, true);
		rc = cli__add_option(c, optarg, &spec);
		if (rc < 0)
			return CLI_USAGE;
		if (rc > 0)
			return cli__usage(run_usage, false);
	}
	if (optind >= argc) {
		cli__err("no command given (flap-recorder run [options] -- CMD [ARGS...])");
		return CLI_USAGE;
	}
	if (pipe2(go, O_CLOEXEC) < 0) {
		cli__err("pipe: %s", strerror(errno));
		return CLI_FAIL;
	}
	rc = make_cgroup(argv[optind], getpid(), path, sizeof(path));
	if (rc) {
		close(go[0]);
		close(go[1]);
		return CLI_FAIL;
	}
	pid = fork_into(path);
	if (pid < 0)
		pid = fork();
	else
		joined = true;
	if (pid < 0) {
		cli__err("fork: %s", strerror(errno));
		rmdir(path);
		return CLI_FAIL;
	}
	if (pid == 0) {
		close(go[1]);
		child_main(go[0], argv + optind);
	}
	close(go[0]);

	if (!joined) {
		rc = flap_cgroup__join(path, pid);
		if (rc)
			cli__err("cannot move pid %d into %s: %s", (int)pid, path, strerror(-rc));
	}
	if (!rc) {
		spec.cgroup_path = path;
		spec.pid = pid;
		spec.main_pid = true;
		add.spec = &spec;
		req.op_case = FLAP__REQUEST__OP_ADD;
		req.add = &add;
		rc = cli__call(&req, &resp, 30000, NULL);
		if (!rc)
			flap__response__free_unpacked(resp, NULL);
	} else {
		rc = CLI_FAIL;
	}
	if (rc) {
		/* Closing the pipe without the go byte makes the child exit 126. */
		close(go[1]);
		waitpid(pid, NULL, 0);
		rmdir(path);
		return rc;
	}

	/* Ctrl-C reaches the command (same process group); kill(1)'s we pass on. */
	forward_signals(pid);
	if (write(go[1], "g", 1) != 1) {
		cli__err("cannot start the command: %s", strerror(errno));
		kill(pid, SIGKILL);
	}
	close(go[1]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			cli__err("waitpid: %s", strerror(errno));
			return CLI_FAIL;
		}
	}
	/* The recorder keeps the history; an empty cgroup directory is not needed. */
	remove_cgroup(path);
	return exit_status(status);
}
