// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_hook.c - `flap-recorder hook <stage>`: the OCI hook. The runtime
 * passes the container state JSON on stdin. createRuntime/prestart
 * registers the container's cgroup with the daemon before the container's
 * first instruction; poststop marks it stopped (its history is kept for
 * the retention period).
 *
 * A hook that fails or hangs breaks the container start, so this one fails
 * open: whatever goes wrong it prints one line on stderr and exits 0,
 * within a bounded time (--timeout, default 2 s, enforced by a timer that
 * ends the process), and it never leaves a child behind (the runtime waits
 * for those). --strict makes failures exit 1 for those who prefer that.
 *
 * Docker gives the runtime no names: a container no annotation names is
 * looked up in Docker's data root (--docker-root, $FLAP_DOCKER_ROOT,
 * default /var/lib/docker; docker.c), so it is recorded as `docker ps`
 * shows it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ctl.pb-c.h"
#include "cli.h"
#include "client.h"
#include "docker.h"
#include "oci.h"

static const char hook_usage[] =
	"usage: flap-recorder hook prestart|createRuntime|poststop [--strict] [--timeout SEC]\n"
	"                          [--docker-root DIR]\n"
	"OCI hook: reads the container state JSON on stdin. Exits 0 on any failure\n"
	"(one line on stderr) unless --strict, and always within --timeout (default 2).\n"
	"Containers no annotation names get their Docker name from DIR/containers/<id>/\n"
	"config.v2.json (default $FLAP_DOCKER_ROOT, else " FLAP_DOCKER_ROOT_DEFAULT ").\n";

static volatile sig_atomic_t strict_mode;

static void on_deadline(int sig)
{
	static const char msg[] = "flap-recorder: hook: gave up after the timeout; the "
				  "container runs unrecorded\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to do */
	}
	_exit(strict_mode ? 1 : 0);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Reads all of stdin, at most FLAP_OCI_STATE_MAX + 1 bytes. */
static int read_stdin(char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *data = malloc(cap), *tmp;
	ssize_t r;

	if (!data)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > FLAP_OCI_STATE_MAX) {
				free(data);
				return -EFBIG;
			}
			cap *= 2;
			tmp = realloc(data, cap);
			if (!tmp) {
				free(data);
				return -ENOMEM;
			}
			data = tmp;
		}
		r = read(STDIN_FILENO, data + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(data);
			return r;
		}
		if (r == 0)
			break;
		n += r;
	}
	*buf = data;
	*len = n;
	return 0;
}

static int fail(const char *id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(const char *id, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "flap-recorder: hook: %s%.64s%s%s\n", id && *id ? "container " : "",
		id ? id : "", id && *id ? ": " : "", msg);
	return strict_mode ? CLI_FAIL : CLI_OK;
}

static int send(Flap__Request *req, const char *id, long left_ms, const char *what)
{
	Flap__Response *resp = NULL;
	char msg[512];
	int rc;

	req->version = 1;
	rc = flap_client__call(cli.socket, left_ms > 0 ? (int)left_ms : 1, req, &resp, NULL);
	if (rc)
		return fail(id, "%s: %s", what,
			    flap_client__strerror(rc, cli.socket, msg, sizeof(msg)));
	if (resp->error && resp->error->code != FLAP__ERROR_CODE__OK) {
		snprintf(msg, sizeof(msg), "%s", resp->error->message ? resp->error->message : "");
		flap__response__free_unpacked(resp, NULL);
		return fail(id, "%s: %s", what, msg);
	}
	flap__response__free_unpacked(resp, NULL);
	return CLI_OK;
}

/*
 * A container no annotation names has its short id as its name
 * (oci.c): if Docker knows it, take the name `docker ps` shows. Not
 * finding it is normal (not a Docker container); a bad record is said,
 * and the container is recorded under its id all the same.
 */
static void docker_name(struct flap_oci_state *st, const char *root)
{
	char name[sizeof(st->container)], err[512];
	int rc;

	if (strlen(st->container) != 12 || strncmp(st->container, st->id, 12))
		return;
	rc = flap_docker__name(root, st->id, name, sizeof(name), err, sizeof(err));
	if (!rc)
		memcpy(st->container, name, sizeof(name));
	else if (rc != -ENOENT)
		fprintf(stderr, "flap-recorder: hook: container %.64s: no Docker name: %s\n",
			st->id, err);
}

static int do_register(const struct flap_oci_state *st, long left_ms)
{
	Flap__RecorderSpec spec = FLAP__RECORDER_SPEC__INIT;
	Flap__AddRequest add = FLAP__ADD_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	char *syscalls[1] = {(char *)st->syscalls};

	if (!st->record || st->sandbox)
		return CLI_OK; /* opted out, or a pause container */
	if (st->pid <= 0)
		return fail(st->id, "the state has no pid: nothing to record");
	spec.pid = st->pid;
	spec.main_pid = true;
	spec.pod = (char *)st->pod;
	spec.namespace_ = (char *)st->ns;
	spec.pod_uid = (char *)st->pod_uid;
	spec.container = (char *)st->container;
	spec.container_id = (char *)st->id;
	spec.ring_pages = st->ring_pages;
	spec.str_max = st->str_max;
	spec.buf_max = st->buf_max;
	spec.exact_durations = st->exact_durations;
	/* flap-recorder.io/syscalls: one item holds the whole set (the daemon joins items). */
	if (st->syscalls[0]) {
		spec.syscalls = syscalls;
		spec.n_syscalls = 1;
	}
	add.spec = &spec;
	req.op_case = FLAP__REQUEST__OP_ADD;
	req.add = &add;
	return send(&req, st->id, left_ms, "not recorded");
}

static int do_stopped(const struct flap_oci_state *st, long left_ms)
{
	Flap__StoppedRequest stop = FLAP__STOPPED_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;

	stop.container_id = (char *)st->id;
	req.op_case = FLAP__REQUEST__OP_STOPPED;
	req.stopped = &stop;
	return send(&req, st->id, left_ms, "cannot mark stopped");
}

int cmd_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		{"strict", no_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		{"docker-root", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct itimerval deadline = {};
	struct flap_oci_state *st;
	struct timespec t0;
	__u64 timeout_ms = 2000, v;
	char *json = NULL, err[512];
	const char *stage, *docker_root = getenv("FLAP_DOCKER_ROOT");
	size_t len = 0;
	int c, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli__usage(hook_usage, true);
		case 's':
			strict_mode = 1;
			break;
		case 't':
			if (cli__parse_u64(optarg, 3600, &v) || !v) {
				cli__err("--timeout: '%s' is not a number of seconds", optarg);
				return strict_mode ? CLI_USAGE : CLI_OK;
			}
			timeout_ms = v * 1000;
			break;
		case 'd':
			docker_root = optarg;
			break;
		default:
			return cli__usage(hook_usage, false);
		}
	}
	if (optind != argc - 1)
		return cli__usage(hook_usage, false);
	stage = argv[optind];
	if (strcmp(stage, "prestart") && strcmp(stage, "createRuntime") &&
	    strcmp(stage, "poststop")) {
		cli__err("unknown stage '%s' (prestart, createRuntime, poststop)", stage);
		return strict_mode ? CLI_USAGE : CLI_OK;
	}
	/* The hard bound: whatever blocks, the process ends in time. */
	signal(SIGALRM, on_deadline);
	deadline.it_value.tv_sec = timeout_ms / 1000;
	deadline.it_value.tv_usec = (timeout_ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &deadline, NULL);

	rc = read_stdin(&json, &len);
	if (rc)
		return fail(NULL, "cannot read the state on stdin: %s",
			    rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
	st = calloc(1, sizeof(*st));
	if (!st) {
		free(json);
		return fail(NULL, "out of memory");
	}
	rc = flap_oci__parse_state(json, len, st, err, sizeof(err));
	free(json);
	if (rc) {
		free(st);
		return fail(NULL, "%s", err);
	}
	/* The exchange gets 200 ms less than the hard bound, so a daemon that
	 * does not answer is reported with the container's id, not by the timer. */
	if (strcmp(stage, "poststop") == 0) {
		rc = do_stopped(st, timeout_ms - 200 - elapsed_ms(&t0));
	} else {
		docker_name(st,
			    docker_root && *docker_root ? docker_root : FLAP_DOCKER_ROOT_DEFAULT);
		rc = do_register(st, timeout_ms - 200 - elapsed_ms(&t0));
	}
	free(st);
	return rc;
}
