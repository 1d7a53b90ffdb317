/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cli.h - what the subcommands of `flap-recorder` share: global flags,
 * one-line errors ("flap-recorder: <cmd>: <message>", or {"error": ...}
 * with -o json), the daemon call with its exit-code policy, and parsers for
 * numbers, durations and the recorder options of add and run.
 */
#ifndef FLAP_CLI_H
#define FLAP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

/* The control protocol's messages (ctl.pb-c.h, included where they are built or read). */
struct Flap__Request;
struct Flap__Response;
struct Flap__RecorderSpec;
struct json_object;

/* Exit codes: only main.c and the commands choose them. */
enum {
	CLI_OK = 0,
	CLI_FAIL = 1,
	CLI_USAGE = 2,
	CLI_NO_DAEMON = 2,
};

struct cli {
	const char *socket;
	const char *cmd; /* current subcommand, for messages */
	bool verbose;
	bool json; /* errors as a JSON object on stdout */
};

extern struct cli cli;

/* Prints one error line for the current command. */
void cli__err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints @usage to stderr (or stdout with @to_stdout) and returns CLI_USAGE. */
int cli__usage(const char *usage, bool to_stdout);

/**
 * cli__call() - send @req to the daemon. On a connection problem prints the
 * reason and returns CLI_NO_DAEMON (not running) or CLI_FAIL; on an error
 * response prints it (with candidates) and returns CLI_FAIL. Return:
 * CLI_OK and *@resp (caller frees) on success.
 */
int cli__call(struct Flap__Request *req, struct Flap__Response **resp, int timeout_ms,
	      int *keep_fd);

int cli__parse_u64(const char *s, __u64 max, __u64 *out);
int cli__parse_duration(const char *s, __u64 *ns);
void cli__format_age(__u64 ns, char *buf, size_t size);
void cli__format_bytes(__u64 bytes, char *buf, size_t size);
/* Writes @s with control and non-ASCII bytes escaped as \xNN. */
void cli__put_safe(FILE *out, const char *s, int width);

/* Recorder options shared by `add` and `run` (long options only). */
#define CLI_ADD_OPTIONS                                                                  \
	{"name", required_argument, NULL, 1001}, {"pod", required_argument, NULL, 1002}, \
		{"namespace", required_argument, NULL, 1003},                            \
		{"container", required_argument, NULL, 1004},                            \
		{"ring-pages", required_argument, NULL, 1005},                           \
		{"string-size", required_argument, NULL, 1006},                          \
		{"buffer-size", required_argument, NULL, 1007},                          \
		{"on-exit", required_argument, NULL, 1008},                              \
		{"pod-uid", required_argument, NULL, 1009},                              \
		{"container-id", required_argument, NULL, 1010},                         \
		{"syscalls", required_argument, NULL, 1011},                             \
	{                                                                                \
		"exact-durations", no_argument, NULL, 1012                               \
	}

#define CLI_ADD_USAGE                                                                         \
	"  --name N            recorder name (default: container or cgroup name)\n"           \
	"  --pod P --namespace NS --container C   Kubernetes-style names\n"                   \
	"  --ring-pages N      ring pages per CPU (power of two; default 16 = 64 KiB)\n"      \
	"  --string-size N     bytes kept of path/name strings (default 256, max 1024)\n"     \
	"  --buffer-size N     bytes kept of read/write buffers (default 64, 0 = never)\n"    \
	"  --on-exit MODE      crash policy: nonzero (default), signal, never\n"              \
	"  --syscalls SET      record only these syscalls (in the kernel; strace -e trace=\n" \
	"                      syntax: names, %file, %net, %process..., !SET; default all)\n" \
	"  --exact-durations   measure every call's duration (default: only calls that\n"     \
	"                      span a kernel clock tick; shorter calls show none)\n"

/**
 * cli__add_option() - apply add/run option @c with @arg to @spec.
 * Return: 0 handled, 1 not an add option, -1 bad value (error printed).
 */
int cli__add_option(int c, const char *arg, struct Flap__RecorderSpec *spec);

/*
 * Parses -o text|json and (with @ns) -n NAMESPACE, the options of list,
 * status and dumps. Return: true when the command must stop now with
 * *@code (help printed, or a usage error).
 */
bool cli__simple_opts(int argc, char **argv, const char *usage, bool *json, const char **ns,
		      int *code);

/* A JSON string of @s, "" for NULL. */
struct json_object *cli__jstr(const char *s);

/* Commands. */
int cmd_daemon(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_remove(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_dumps(int argc, char **argv);
int cmd_hook(int argc, char **argv);
/* `flap-runc`: the binary called by that name (cmd_runc.c). */
int cmd_runc(int argc, char **argv);

#endif /* FLAP_CLI_H */
