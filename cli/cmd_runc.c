// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_runc.c - `flap-runc`, the flap-recorder binary called by that name: a
 * runc in front of runc. Engines that run "a runc" (Docker's `runtimes`,
 * containerd's BinaryName) run it instead; it passes runc's command line
 * through unchanged, except that on `create` and `run` it first adds our
 * createRuntime and poststop hooks to <bundle>/config.json (bundle.c:
 * atomically, idempotently, keeping the hooks already there). Then it execs
 * the real runc, so runc's exit status, output and pid are the engine's.
 *
 * It never breaks a container start for our sake: a bundle it cannot edit
 * is logged (into runc's --log file when there is one, in runc's format,
 * since the engine reads that file and runc's stderr may be the
 * container's) and the container starts unrecorded.
 *
 * Its own options come before runc's command and are removed:
 *   --flap-runtime PATH      the real runc ($FLAP_RUNC; default: runc in
 *                            $PATH, skipping this binary)
 *   --flap-socket PATH       the daemon socket the hooks use ($FLAP_SOCKET)
 *   --flap-docker-root DIR   Docker's data root, for the hooks to find
 *                            container names ($FLAP_DOCKER_ROOT)
 * Docker passes them from `runtimeArgs`; containerd from the environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json_object.h>

#include "bundle.h"
#include "cli.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct runc_args {
	char **argv; /* for the real runc: ours without the --flap-* options */
	int argc;
	int cmd;		 /* index of runc's command in argv, or -1 */
	const char *runtime;	 /* --flap-runtime / $FLAP_RUNC */
	const char *socket;	 /* --flap-socket / $FLAP_SOCKET */
	const char *docker_root; /* --flap-docker-root / $FLAP_DOCKER_ROOT */
	const char *log;	 /* runc's --log */
	const char *log_format;	 /* runc's --log-format */
};

/* runc's global options that take a value (urfave/cli, runc 1.1). */
static const char *const global_values[] = {"log", "log-format", "root", "criu", "rootless", NULL};
/* create's and run's options that take a value. */
static const char *const create_values[] = {"bundle",	    "b", "console-socket", "pid-file",
					    "preserve-fds", NULL};

static bool in_list(const char *const *list, const char *name, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && !strncmp(*list, name, len))
			return true;
	return false;
}

/*
 * A Go flag: "-name", "--name", "-name=value" or "--name=value". Sets
 * *@name (not NUL-terminated, *@len bytes) and *@value (NULL without '=').
 * Return: false for anything else ("-", "--", a word).
 */
static bool split_flag(const char *arg, const char **name, size_t *len, const char **value)
{
	const char *eq;

	if (arg[0] != '-' || !arg[1] || !strcmp(arg, "--"))
		return false;
	arg += arg[1] == '-' ? 2 : 1;
	eq = strchr(arg, '=');
	*name = arg;
	*len = eq ? (size_t)(eq - arg) : strlen(arg);
	*value = eq ? eq + 1 : NULL;
	return true;
}

static bool is_name(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && !strncmp(name, want, len);
}

/*
 * One of our --flap-* options at @argv[*i]: consumed, with its value.
 * Return: 1 taken, 0 not ours, -EINVAL without a value.
 */
static int take_own(struct runc_args *a, char **argv, int argc, int *i)
{
	const char *name, *value, **dst;
	size_t len;

	if (!split_flag(argv[*i], &name, &len, &value))
		return 0;
	if (is_name(name, len, "flap-runtime"))
		dst = &a->runtime;
	else if (is_name(name, len, "flap-socket"))
		dst = &a->socket;
	else if (is_name(name, len, "flap-docker-root"))
		dst = &a->docker_root;
	else
		return 0;
	if (!value) {
		if (*i + 1 >= argc)
			return -EINVAL;
		value = argv[++*i];
	}
	*dst = value;
	return 1;
}

/*
 * Splits the command line: our options out, runc's global options read
 * (--log, --log-format), the command found. Go's flag package stops at the
 * first word that is not a flag, or after "--".
 */
static int parse_args(struct runc_args *a, int argc, char **argv)
{
	const char *name, *value;
	size_t len;
	int i, rc;

	a->argv = calloc(argc + 1, sizeof(*a->argv));
	if (!a->argv)
		return -ENOMEM;
	a->cmd = -1;
	a->argv[a->argc++] = argv[0];
	for (i = 1; i < argc; i++) {
		if (a->cmd >= 0) {
			a->argv[a->argc++] = argv[i];
			continue;
		}
		rc = take_own(a, argv, argc, &i);
		if (rc < 0) {
			fprintf(stderr, "flap-runc: %s needs a value\n", argv[i]);
			return rc;
		}
		if (rc)
			continue;
		a->argv[a->argc++] = argv[i];
		if (!strcmp(argv[i], "--")) {
			a->cmd = a->argc; /* the next word */
			continue;
		}
		if (!split_flag(argv[i], &name, &len, &value)) {
			a->cmd = a->argc - 1;
			continue;
		}
		if (in_list(global_values, name, len) && !value && i + 1 < argc) {
			value = argv[++i];
			a->argv[a->argc++] = argv[i];
		}
		if (is_name(name, len, "log"))
			a->log = value;
		else if (is_name(name, len, "log-format"))
			a->log_format = value;
	}
	if (a->cmd >= a->argc)
		a->cmd = -1;
	return 0;
}

/* The bundle of a create/run command line: -b/--bundle, else "." (runc's default). */
static const char *find_bundle(const struct runc_args *a)
{
	const char *name, *value;
	size_t len;
	int i;

	for (i = a->cmd + 1; i < a->argc; i++) {
		if (!split_flag(a->argv[i], &name, &len, &value))
			break; /* the container id: options end there */
		if (!in_list(create_values, name, len))
			continue;
		if (!value && i + 1 < a->argc)
			value = a->argv[++i];
		if (value && (is_name(name, len, "b") || is_name(name, len, "bundle")))
			return value;
	}
	return ".";
}

/* Appends one line to runc's log file in its format (json or text), else stderr. */
static void runc_log(const struct runc_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void runc_log(const struct runc_args *a, const char *fmt, ...)
{
	struct json_object *o = NULL;
	char msg[1024], stamp[64], line[2048];
	struct tm tm;
	time_t now;
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = a->log ? open(a->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
	if (fd < 0) {
		fprintf(stderr, "flap-runc: %s\n", msg);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (a->log_format && !strcmp(a->log_format, "json")) {
		o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string("warning"));
		snprintf(line, sizeof(line), "flap-runc: %s", msg);
		json_object_object_add(o, "msg", json_object_new_string(line));
		json_object_object_add(o, "time", json_object_new_string(stamp));
		n = snprintf(line, sizeof(line), "%s\n",
			     json_object_to_json_string_ext(
				     o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		for (char *p = msg; *p; p++)
			if (*p == '"')
				*p = '\'';
		n = snprintf(line, sizeof(line),
			     "time=\"%s\" level=warning msg=\"flap-runc: %s\"\n", stamp, msg);
	}
	if (n > 0 && write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0) {
		/* nowhere left to say it */
	}
	close(fd);
}

/* Adds the hooks for a create/run; failures are logged, never returned. */
static void edit_bundle(const struct runc_args *a)
{
	struct flap_bundle_hook_opts o = {
		.socket = a->socket,
		.docker_root = a->docker_root,
	};
	const char *bundle = find_bundle(a);
	char self[PATH_MAX], err[1024];
	ssize_t n;
	int rc;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		runc_log(a, "bundle %s: the container runs unrecorded: cannot find this binary: %s",
			 bundle, strerror(errno));
		return;
	}
	self[n] = '\0';
	/*
	 * Replaced by rename while we run (an upgrade): the kernel names the
	 * old inode "<path> (deleted)", and the path itself holds the new
	 * binary. A hook whose path does not exist would fail the start.
	 */
	if (n > 10 && !strcmp(self + n - 10, " (deleted)"))
		self[n - 10] = '\0';
	if (access(self, X_OK) < 0) {
		runc_log(a, "bundle %s: the container runs unrecorded: %s: %s", bundle, self,
			 strerror(errno));
		return;
	}
	o.recorder = self;
	rc = flap_bundle__add_hooks(bundle, &o, err, sizeof(err));
	if (rc < 0)
		runc_log(a, "the container runs unrecorded: cannot add the hooks: %s", err);
}

static bool same_file(const char *path, const struct stat *self)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_dev == self->st_dev && st.st_ino == self->st_ino;
}

/*
 * The real runc: @name as given if it holds a '/', else the first
 * executable @name in $PATH that is not this binary (flap-runc may be
 * installed as "runc" ahead of the real one).
 */
static int find_runc(const char *name, char *path, size_t size)
{
	const char *dirs = getenv("PATH"), *p, *end;
	struct stat self;
	size_t len;

	if (stat("/proc/self/exe", &self) < 0)
		return -errno;
	if (strchr(name, '/')) {
		if (same_file(name, &self))
			return -ELOOP;
		snprintf(path, size, "%s", name);
		return 0;
	}
	for (p = dirs && *dirs ? dirs : DEFAULT_PATH; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		len = end - p;
		if ((size_t)snprintf(path, size, "%.*s/%s", (int)len, len ? p : ".", name) >= size)
			continue;
		if (access(path, X_OK) == 0 && !same_file(path, &self))
			return 0;
	}
	return -ENOENT;
}

int cmd_runc(int argc, char **argv)
{
	struct runc_args a = {
		.runtime = getenv("FLAP_RUNC"),
		.socket = getenv("FLAP_SOCKET"),
		.docker_root = getenv("FLAP_DOCKER_ROOT"),
	};
	char runc[PATH_MAX];
	const char *cmd;
	int rc;

	rc = parse_args(&a, argc, argv);
	if (rc) {
		free(a.argv);
		return rc == -EINVAL ? CLI_USAGE : CLI_FAIL;
	}
	cmd = a.cmd >= 0 ? a.argv[a.cmd] : "";
	if (!strcmp(cmd, "create") || !strcmp(cmd, "run"))
		edit_bundle(&a);
	rc = find_runc(a.runtime && *a.runtime ? a.runtime : "runc", runc, sizeof(runc));
	if (rc) {
		fprintf(stderr, "flap-runc: no runc to run (%s): %s\n",
			a.runtime && *a.runtime ? a.runtime : "runc in $PATH",
			rc == -ELOOP ? "that is flap-runc itself" : strerror(-rc));
		free(a.argv);
		return CLI_FAIL;
	}
	a.argv[0] = runc;
	execv(runc, a.argv);
	fprintf(stderr, "flap-runc: cannot run %s: %s\n", runc, strerror(errno));
	free(a.argv);
	return CLI_FAIL;
}
