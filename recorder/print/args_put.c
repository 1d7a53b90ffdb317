// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * args_put.c - the small printers every part of the argument printer uses:
 * a string, a value in hex or as an address, a captured argument, a file
 * descriptor with its name, a flag set, open flags, a signal, a file mode.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include <linux/types.h>

#include "flap.h"
#include "args_internal.h"
#include "xlat.h"

void flap_args__put(const struct actx *a, const char *s)
{
	flap_text__puts(a->out, s);
}

void flap_args__put_addr(struct flap_text *out, __u64 v)
{
	if (v)
		flap_text__printf(out, "%#llx", (unsigned long long)v);
	else
		flap_text__puts(out, "NULL");
}

void flap_args__put_hex(struct flap_text *out, __u64 v)
{
	flap_text__printf(out, "%#llx", (unsigned long long)v);
}

__u64 flap_args__arg(const struct actx *a, int i)
{
	return a->ev->args[i];
}

/* The captured contents of argument @idx (readable), or NULL. */
const struct flap_cap *flap_args__cap_at(const struct flap_event *ev, int idx)
{
	int i, n = ev->ncaps < FLAP_EV_MAX_CAPS ? ev->ncaps : FLAP_EV_MAX_CAPS;

	for (i = 0; i < n; i++)
		if (ev->caps[i].arg == idx && !(ev->caps[i].flags & FLAP_EVCAP_F_FAULT) &&
		    (ev->caps[i].data || !ev->caps[i].len))
			return &ev->caps[i];
	return NULL;
}

/* True when the call returned successfully (its outputs are valid). */
bool flap_args__returned_ok(const struct flap_event *ev)
{
	return (ev->flags & FLAP_EV_F_HAS_RET) && !(ev->flags & FLAP_EV_F_UNFINISHED) &&
	       !(ev->ret >= -4095 && ev->ret < 0);
}

/*
 * A descriptor name between <>: like strace -y, control bytes and <, >
 * as octal escapes (short form unless a digit follows), \ and " escaped.
 */
void flap_args__put_fdname(struct flap_text *out, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	flap_text__puts(out, "<");
	for (; *p; p++) {
		int next = p[1];

		if (*p == '\\' || *p == '"') {
			flap_text__printf(out, "\\%c", *p);
		} else if (*p >= ' ' && *p < 0x7f && *p != '<' && *p != '>') {
			flap_text__add(out, (const char *)p, 1);
		} else if (next >= '0' && next <= '7') {
			flap_text__printf(out, "\\%03o", *p);
		} else {
			flap_text__printf(out, "\\%o", *p);
		}
	}
	flap_text__puts(out, ">");
}

static void put_fd_of(struct flap_text *out, const struct flap_fdnames *fds, __u32 tgid, int fd,
		      bool dir)
{
	const char *name;

	/* AT_FDCWD</srv/app> as strace -y: the working directory when known
	 * (registration, then chdir/fchdir and forks). */
	if (dir && fd == AT_FDCWD) {
		flap_text__puts(out, "AT_FDCWD");
		name = fds ? flap_fdnames__cwd(fds, tgid) : NULL;
	} else {
		flap_text__printf(out, "%d", fd);
		name = flap_fdnames__get(fds, tgid, fd);
	}
	if (name)
		flap_args__put_fdname(out, name);
}

void flap_args__put_fd(const struct actx *a, int fd, bool dir)
{
	put_fd_of(a->out, a->fds, a->ev->tgid, fd, dir);
}

void flap_args__put_flags(const struct actx *a, const struct flap_xlat_table *t, __u64 v)
{
	flap_xlat__flags(a->out, t, v, "0");
}

/* "O_RDWR|O_APPEND|O_LARGEFILE": the access mode always, then the flags. */
void flap_args__put_open_flags(struct flap_text *out, __u64 v)
{
	flap_xlat__val(out, &flap_xlat_open_access, v & O_ACCMODE);
	flap_xlat__flags_more(out, &flap_xlat_open_flags, v & ~(__u64)O_ACCMODE);
}

void flap_args__put_signal(struct flap_text *out, __u64 sig)
{
	const char *name;
	char buf[16];

	name = flap_xlat__signal((int)sig, false, buf, sizeof(buf));
	if (name && sig <= 64)
		flap_text__puts(out, name);
	else
		flap_text__printf(out, "%llu", (unsigned long long)sig);
}

void flap_args__a_int(const struct actx *a, int i)
{
	flap_text__printf(a->out, "%d", (int)flap_args__arg(a, i));
}

/* mknod mode: S_IFCHR|0600. */
void flap_args__put_mode(struct flap_text *out, unsigned int mode)
{
	const char *type = flap_xlat__name(&flap_xlat_s_ifmt, mode & S_IFMT);

	if (type)
		flap_text__puts(out, type);
	else if (mode & S_IFMT)
		flap_text__printf(out, "%#o", mode & S_IFMT);
	if (mode & S_ISUID)
		flap_text__printf(out, "%sS_ISUID", mode & S_IFMT ? "|" : "");
	if (mode & S_ISGID)
		flap_text__printf(out, "%sS_ISGID", mode & (S_IFMT | S_ISUID) ? "|" : "");
	if (mode & S_ISVTX)
		flap_text__printf(out, "%sS_ISVTX", mode & (S_IFMT | S_ISUID | S_ISGID) ? "|" : "");
	if (mode & (S_IFMT | S_ISUID | S_ISGID | S_ISVTX))
		flap_text__printf(out, "|%#03o", mode & 0777);
	else
		flap_text__printf(out, "%#03o", mode & 0777);
}
