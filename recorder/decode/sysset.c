// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sysset.c - syscall sets in strace's `-e trace=` syntax and the syscall
 * classes (see sysset.h). The classes are computed once from the generated
 * syscall table (argument names and kinds) and the explicit lists below,
 * which follow strace's syscallent tables for x86_64.
 */
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "syscalls.h"
#include "sysset.h"
#include "util.h"

_Static_assert(FLAP_SYSSET_WORDS * 64 == FLAP_NR_MAX, "sysset covers the kind table");

static const struct {
	const char *name;
	unsigned int mask;
} class_names[] = {
	{"file", FLAP_CLASS_FILE},	 {"desc", FLAP_CLASS_DESC},
	{"net", FLAP_CLASS_NET},	 {"network", FLAP_CLASS_NET},
	{"process", FLAP_CLASS_PROCESS}, {"memory", FLAP_CLASS_MEMORY},
	{"signal", FLAP_CLASS_SIGNAL},	 {"ipc", FLAP_CLASS_IPC},
	{"creds", FLAP_CLASS_CREDS},	 {"clock", FLAP_CLASS_CLOCK},
};

/* Classes whose members are listed (strace's TN, TP, TM, TS, TI, TC, TCL). */
static const struct {
	unsigned int mask;
	const char *names;
} class_lists[] = {
	{FLAP_CLASS_NET,
	 "socket connect accept sendto recvfrom sendmsg recvmsg shutdown bind listen getsockname "
	 "getpeername socketpair setsockopt getsockopt accept4 recvmmsg sendmmsg sendfile"},
	{FLAP_CLASS_PROCESS,
	 "clone clone3 fork vfork execve execveat exit exit_group wait4 waitid kill tkill tgkill "
	 "rt_sigqueueinfo rt_tgsigqueueinfo pidfd_send_signal"},
	{FLAP_CLASS_MEMORY,
	 "mmap mprotect munmap brk mremap msync mincore madvise shmat shmdt mlock munlock mlockall "
	 "munlockall mlock2 io_setup io_destroy remap_file_pages mbind set_mempolicy get_mempolicy "
	 "migrate_pages move_pages pkey_mprotect io_uring_register set_mempolicy_home_node"},
	{FLAP_CLASS_SIGNAL,
	 "rt_sigaction rt_sigprocmask rt_sigreturn pause kill rt_sigpending rt_sigtimedwait "
	 "rt_sigqueueinfo rt_sigsuspend sigaltstack tkill tgkill signalfd signalfd4 "
	 "rt_tgsigqueueinfo pidfd_send_signal io_uring_enter"},
	{FLAP_CLASS_IPC,
	 "shmget shmat shmctl shmdt semget semop semctl semtimedop msgget msgsnd msgrcv msgctl"},
	{FLAP_CLASS_CREDS,
	 "getuid getgid setuid setgid geteuid getegid setreuid setregid getgroups setgroups "
	 "setresuid getresuid setresgid getresgid setfsuid setfsgid capget capset prctl"},
	{FLAP_CLASS_CLOCK,
	 "gettimeofday settimeofday time adjtimex clock_settime clock_gettime clock_getres "
	 "clock_adjtime"},
	/* %file beyond the path arguments of the table. */
	{FLAP_CLASS_FILE, "getcwd acct umount2 uselib name_to_handle_at fsconfig"},
	/* %desc beyond the fd arguments: calls that return new descriptors. */
	{FLAP_CLASS_DESC,
	 "open creat pipe pipe2 epoll_create epoll_create1 eventfd eventfd2 timerfd_create "
	 "signalfd inotify_init inotify_init1 fanotify_init memfd_create memfd_secret userfaultfd "
	 "perf_event_open bpf mq_open mq_timedsend mq_timedreceive mq_notify mq_getsetattr fsopen "
	 "pidfd_open io_uring_setup landlock_create_ruleset select pselect6 poll ppoll tee "
	 "sendfile"},
};

static unsigned int classes[FLAP_NR_MAX];
static pthread_once_t classes_once = PTHREAD_ONCE_INIT;

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* A path argument name (the table's string arguments that name files). */
static bool is_path_name(const char *name)
{
	static const char *const names[] = {
		"filename",	 "pathname", "oldname",	 "newname",  "path",
		"specialfile",	 "special",  "put_old",	 "new_root", "to_pathname",
		"from_pathname", "dir_name", "dev_name",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* A file descriptor argument name: fd, dfd, epfd, oldfd, fildes, fd_in, fdin... */
static bool is_fd_arg_name(const char *name)
{
	return (ends_with(name, "fd") && strcmp(name, "max_fd")) || !strcmp(name, "fildes") ||
	       !strncmp(name, "fd_", 3) || !strcmp(name, "fdin") || !strcmp(name, "fdout");
}

static void derive(const struct flap_syscall *sc)
{
	unsigned int *c = &classes[sc->nr];
	int i;

	for (i = 0; i < sc->nargs && i < 6; i++) {
		if (!sc->args[i].name)
			continue;
		if (FLAP_KIND_ARG(sc->kinds, i) == FLAP_ARG_STR && is_path_name(sc->args[i].name))
			*c |= FLAP_CLASS_FILE;
		if (is_fd_arg_name(sc->args[i].name))
			*c |= FLAP_CLASS_DESC;
	}
}

static void init_classes(void)
{
	const struct flap_syscall *sc;
	char name[64];
	size_t i;
	int n;

	for (n = 0; n < flap_syscall__count(); n++) {
		sc = flap_syscall__at(n);
		if (sc && sc->nr >= 0 && sc->nr < FLAP_NR_MAX)
			derive(sc);
	}
	for (i = 0; i < ARRAY_SIZE(class_lists); i++) {
		const char *p = class_lists[i].names;
		int len;

		while (sscanf(p, "%63s%n", name, &len) == 1) {
			sc = flap_syscall__by_name(name);
			if (sc && sc->nr >= 0 && sc->nr < FLAP_NR_MAX)
				classes[sc->nr] |= class_lists[i].mask;
			p += len;
		}
	}
	/* Socket calls take descriptors but are %net only (sendfile is both). */
	for (n = 0; n < FLAP_NR_MAX; n++) {
		sc = flap_syscall__by_nr(n);
		if ((classes[n] & FLAP_CLASS_NET) && sc && strcmp(sc->name, "sendfile"))
			classes[n] &= ~FLAP_CLASS_DESC;
	}
}

unsigned int flap_syscall__classes(long nr)
{
	pthread_once(&classes_once, init_classes);
	return nr >= 0 && nr < FLAP_NR_MAX ? classes[nr] : 0;
}

void flap_sysset__none(struct flap_sysset *set)
{
	memset(set, 0, sizeof(*set));
}

void flap_sysset__all(struct flap_sysset *set)
{
	memset(set->bits, 0xff, sizeof(set->bits));
	set->rest = true;
}

void flap_sysset__add(struct flap_sysset *set, long nr)
{
	if (nr >= 0 && nr < FLAP_NR_MAX)
		set->bits[nr / 64] |= 1ULL << (nr % 64);
}

bool flap_sysset__has(const struct flap_sysset *set, long nr)
{
	if (nr < 0)
		return false;
	if (nr >= FLAP_NR_MAX)
		return set->rest;
	return set->bits[nr / 64] >> (nr % 64) & 1;
}

bool flap_sysset__is_all(const struct flap_sysset *set)
{
	size_t i;

	for (i = 0; i < FLAP_SYSSET_WORDS; i++)
		if (set->bits[i] != ~0ULL)
			return false;
	return set->rest;
}

int flap_sysset__count(const struct flap_sysset *set)
{
	const struct flap_syscall *sc;
	int i, n = 0;

	for (i = 0; i < flap_syscall__count(); i++) {
		sc = flap_syscall__at(i);
		if (sc && flap_sysset__has(set, sc->nr))
			n++;
	}
	return n;
}

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Adds the syscalls whose name matches the extended regular expression @re. */
static int add_regex(struct flap_sysset *set, const char *re, char *err, size_t errlen)
{
	const struct flap_syscall *sc;
	int i, matched = 0;
	regex_t rx;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) {
		set_err(err, errlen, "'/%s' is not a valid regular expression", re);
		return -EINVAL;
	}
	for (i = 0; i < flap_syscall__count(); i++) {
		sc = flap_syscall__at(i);
		if (sc && !regexec(&rx, sc->name, 0, NULL, 0)) {
			flap_sysset__add(set, sc->nr);
			matched++;
		}
	}
	regfree(&rx);
	if (!matched) {
		set_err(err, errlen, "'/%s' matches no syscall", re);
		return -EINVAL;
	}
	return 0;
}

static int add_class(struct flap_sysset *set, const char *name, char *err, size_t errlen)
{
	unsigned int mask = 0;
	size_t i;
	long nr;

	for (i = 0; i < ARRAY_SIZE(class_names); i++)
		if (!strcmp(name, class_names[i].name))
			mask = class_names[i].mask;
	if (!mask) {
		set_err(err, errlen,
			"unknown syscall class '%%%s' (file, desc, net, network, process, memory, "
			"signal, ipc, creds, clock)",
			name);
		return -EINVAL;
	}
	for (nr = 0; nr < FLAP_NR_MAX; nr++)
		if (flap_syscall__classes(nr) & mask)
			flap_sysset__add(set, nr);
	return 0;
}

/* Adds one item of a set: a name, %class, /regex, ?name, all, none. */
static int add_item(struct flap_sysset *set, const char *item, char *err, size_t errlen)
{
	const struct flap_syscall *sc;
	bool optional = false;

	if (*item == '?') {
		optional = true;
		item++;
	}
	if (!*item) {
		set_err(err, errlen, "an empty item in the syscall set");
		return -EINVAL;
	}
	if (!strcmp(item, "all")) {
		flap_sysset__all(set);
		return 0;
	}
	if (!strcmp(item, "none"))
		return 0;
	if (*item == '%')
		return add_class(set, item + 1, optional ? NULL : err, errlen) && !optional
			       ? -EINVAL
			       : 0;
	if (*item == '/')
		return add_regex(set, item + 1, optional ? NULL : err, errlen) && !optional
			       ? -EINVAL
			       : 0;
	sc = flap_syscall__by_name(item);
	if (!sc) {
		if (optional)
			return 0;
		set_err(err, errlen, "unknown syscall '%s'", item);
		return -EINVAL;
	}
	flap_sysset__add(set, sc->nr);
	return 0;
}

int flap_sysset__parse(struct flap_sysset *set, const char *expr, char *err, size_t errlen)
{
	char *copy, *item, *rest;
	bool negate = false;
	size_t i;
	int rc = 0;

	flap_sysset__none(set);
	if (!expr) {
		set_err(err, errlen, "no syscall set given");
		return -EINVAL;
	}
	if (*expr == '!') {
		negate = true;
		expr++;
	}
	if (!*expr) {
		set_err(err, errlen, "an empty syscall set");
		return -EINVAL;
	}
	copy = strdup(expr);
	if (!copy)
		return -ENOMEM;
	/* strsep, not strtok: "read,,write" has an empty item, an error. */
	rest = copy;
	while (!rc && (item = strsep(&rest, ",")))
		rc = add_item(set, item, err, errlen);
	free(copy);
	if (rc) {
		flap_sysset__none(set);
		return rc;
	}
	if (negate) {
		for (i = 0; i < FLAP_SYSSET_WORDS; i++)
			set->bits[i] = ~set->bits[i];
		set->rest = !set->rest;
	}
	return 0;
}

int flap_sysset__parse_items(struct flap_sysset *set, char *const *items, size_t n, char *err,
			     size_t errlen)
{
	size_t i, len = 1;
	char *expr;
	int rc;

	for (i = 0; i < n; i++)
		len += strlen(items[i] ? items[i] : "") + 1;
	expr = malloc(len);
	if (!expr)
		return -ENOMEM;
	expr[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(expr, ",");
		strcat(expr, items[i] ? items[i] : "");
	}
	rc = flap_sysset__parse(set, expr, err, errlen);
	free(expr);
	return rc;
}
