// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * args_default.c - the printer of an argument no rule names: by its
 * capture kind (a string or buffer quoted, a structure decoded), else by
 * its C type and name: fds with their names, addresses, octal modes,
 * signed and unsigned integers of the right width, flags in hex.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "args_internal.h"
#include "util.h"

enum int_kind {
	INT_S32,
	INT_U32,
	INT_ID32, /* uid_t/gid_t: unsigned, but -1 means "unchanged" */
	INT_S64,
	INT_U64,
	INT_HEX, /* opaque handles */
};

static const struct {
	const char *type;
	enum int_kind kind;
} int_types[] = {
	{"int", INT_S32},	    {"pid_t", INT_S32},	       {"key_t", INT_S32},
	{"clockid_t", INT_S32},	    {"mqd_t", INT_S32},	       {"timer_t", INT_S32},
	{"__s32", INT_S32},	    {"key_serial_t", INT_S32}, {"rwf_t", INT_S32},
	{"unsigned int", INT_U32},  {"unsigned", INT_U32},     {"u32", INT_U32},
	{"__u32", INT_U32},	    {"qid_t", INT_U32},	       {"uid_t", INT_ID32},
	{"gid_t", INT_ID32},	    {"long", INT_S64},	       {"off_t", INT_S64},
	{"loff_t", INT_S64},	    {"ssize_t", INT_S64},      {"unsigned long", INT_U64},
	{"size_t", INT_U64},	    {"u64", INT_U64},	       {"__u64", INT_U64},
	{"aio_context_t", INT_HEX},
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* @type without "const " in front or " const" behind, into @buf. */
static const char *base_type(const char *type, char *buf, size_t size)
{
	size_t n;

	if (starts_with(type, "const "))
		type += 6;
	n = strlen(type);
	if (ends_with(type, " const"))
		n -= 6;
	snprintf(buf, size, "%.*s", (int)n, type);
	return buf;
}

static bool is_pointer_type(const char *type)
{
	/* The kernel's pointer typedefs in syscall signatures. */
	return strchr(type, '*') || strstr(type, "cap_user_");
}

/* fd, dfd, epfd, oldfd, fildes, fd_in... but not max_fd (a count). */
static bool is_fd_name(const char *name)
{
	return (ends_with(name, "fd") && !starts_with(name, "max_")) || starts_with(name, "fd_") ||
	       !strcmp(name, "fildes");
}

/* A directory fd, where -100 means AT_FDCWD: *dfd, or fd before a path (execveat). */
static bool is_dirfd(const struct actx *a, int i)
{
	const char *name = a->sc->args[i].name;

	if (ends_with(name, "dfd") || !strcmp(name, "dirfd"))
		return true;
	return !strcmp(name, "fd") && i < 5 && FLAP_KIND_ARG(a->sc->kinds, i + 1) == FLAP_ARG_STR;
}

static bool is_flags_name(const char *name)
{
	return ends_with(name, "flags") || !strcmp(name, "prot");
}

/* unsigned long arguments that are addresses (mmap, munmap, mprotect, brk...). */
static bool is_addr_name(const char *name)
{
	return !strcmp(name, "addr") || !strcmp(name, "start") || !strcmp(name, "brk") ||
	       !strcmp(name, "new_addr");
}

static void put_int_kind(struct flap_text *out, enum int_kind kind, __u64 v)
{
	switch (kind) {
	case INT_S32:
		flap_text__printf(out, "%d", (int)v);
		break;
	case INT_U32:
		flap_text__printf(out, "%u", (unsigned int)v);
		break;
	case INT_ID32:
		if ((unsigned int)v == ~0u)
			flap_text__puts(out, "-1");
		else
			flap_text__printf(out, "%u", (unsigned int)v);
		break;
	case INT_S64:
		flap_text__printf(out, "%lld", (long long)v);
		break;
	case INT_U64:
		flap_text__printf(out, "%llu", (unsigned long long)v);
		break;
	default:
		flap_args__put_hex(out, v);
		break;
	}
}

/* An integer argument by its C type and name. */
static void put_int(const struct actx *a, int i)
{
	const char *type, *name = a->sc->args[i].name;
	enum int_kind kind = INT_HEX;
	__u64 v = flap_args__arg(a, i);
	char buf[64];
	size_t k;

	type = base_type(a->sc->args[i].type, buf, sizeof(buf));
	for (k = 0; k < ARRAY_SIZE(int_types); k++) {
		if (!strcmp(type, int_types[k].type)) {
			kind = int_types[k].kind;
			break;
		}
	}
	if (starts_with(type, "enum "))
		kind = INT_S32;
	if (is_fd_name(name))
		flap_args__put_fd(a, (int)v, is_dirfd(a, i));
	else if (!strcmp(type, "umode_t"))
		flap_text__printf(a->out, "%#03o", (unsigned int)v);
	else if (is_flags_name(name) && kind != INT_HEX)
		flap_args__put_hex(a->out,
				   kind == INT_S64 || kind == INT_U64 ? v : (unsigned int)v);
	else if (kind == INT_U64 && is_addr_name(name))
		flap_args__put_addr(a->out, v);
	else
		put_int_kind(a->out, kind, v);
}

/*
 * The length of an accept/recvfrom/getsockname (from the address capture),
 * as strace: "[128 => 16]" when the call changed it, "[16]" when not, the
 * length given, "[110]", when it failed. Without the length at entry
 * (FLAP_EVCAP_F_INLEN: dumps of older versions, a call entered on another
 * CPU) the length stored only.
 */
static bool put_socklen(const struct actx *a, int i)
{
	const struct flap_cap *c;
	__u32 len[2] = {0, 0};
	bool ok, in;

	if (i == 0 || FLAP_KIND_ARG(a->sc->kinds, i - 1) != FLAP_ARG_SOCKADDR_OUT)
		return false;
	c = flap_args__cap_at(a->ev, i - 1);
	ok = flap_args__returned_ok(a->ev);
	in = c && (c->flags & FLAP_EVCAP_F_INLEN);
	if (!c || c->len < (ok && in ? 8 : 4) || (!ok && !in) || !flap_args__arg(a, i))
		return false;
	memcpy(len, c->data, c->len < 8 ? 4 : 8);
	if (!in)
		flap_text__printf(a->out, "[%u]", len[0]);
	else if (!ok || len[0] == len[1])
		flap_text__printf(a->out, "[%u]", len[0]);
	else
		flap_text__printf(a->out, "[%u => %u]", len[0], len[1]);
	return true;
}

/* By capture kind, then by type. */
void flap_args__put_default(const struct actx *a, int i)
{
	unsigned int kind = FLAP_KIND_ARG(a->sc->kinds, i);
	const struct flap_cap *c = flap_args__cap_at(a->ev, i);
	__u32 n;

	/* The inode of the socket a call returned is kept with its first
	 * argument (flap.h): that argument is a plain value. Its int[2] is a
	 * struct the call filled. */
	if (kind == FLAP_ARG_NEWFD)
		kind = FLAP_KIND_SIZE(a->sc->kinds) ? FLAP_ARG_STRUCT_OUT : FLAP_ARG_VAL;
	switch (kind) {
	case FLAP_ARG_STR:
	case FLAP_ARG_BUF_IN:
	case FLAP_ARG_BUF_OUT:
		if (c) {
			flap_text__quote(a->out, c->data, c->len, c->flags & FLAP_EVCAP_F_TRUNC);
			return;
		}
		/* The call filled none of it (end of file), or was given none: ""
		 * as strace, whatever the recorder captures (NULL stays NULL). */
		if (flap_args__arg(a, i) &&
		    ((kind == FLAP_ARG_BUF_OUT && a->ev->ret == 0 &&
		      flap_args__returned_ok(a->ev)) ||
		     (kind == FLAP_ARG_BUF_IN && i < 5 && flap_args__arg(a, i + 1) == 0))) {
			flap_text__puts(a->out, "\"\"");
			return;
		}
		break;
	case FLAP_ARG_SOCKADDR_IN:
		if (c) {
			flap_args__put_sockaddr(a->out, c->data, c->len,
						c->flags & FLAP_EVCAP_F_TRUNC);
			return;
		}
		break;
	case FLAP_ARG_SOCKADDR_OUT:
		n = c && (c->flags & FLAP_EVCAP_F_INLEN) ? 8 : 4;
		if (c && c->len >= n && flap_args__returned_ok(a->ev)) {
			flap_args__put_sockaddr(a->out, c->data + n, c->len - n,
						c->flags & FLAP_EVCAP_F_TRUNC);
			return;
		}
		break;
	case FLAP_ARG_IOV_IN:
	case FLAP_ARG_IOV_OUT:
		if (c && (kind == FLAP_ARG_IOV_IN || flap_args__returned_ok(a->ev))) {
			flap_args__put_iovecs(a, i, c);
			return;
		}
		break;
	case FLAP_ARG_ARGV:
		if (c) {
			flap_args__put_argv(a, c);
			return;
		}
		break;
	case FLAP_ARG_DIRENTS:
		/* 0x55d0c8e5f2c0 /\* 149 entries *\/, as strace */
		flap_args__put_addr(a->out, flap_args__arg(a, i));
		if (!flap_args__returned_ok(a->ev))
			return;
		n = 0;
		if (c && c->len >= 4)
			memcpy(&n, c->data, 4);
		if ((c && c->len >= 4) || a->ev->ret == 0)
			flap_text__printf(a->out, " /* %u%s entries */", n,
					  c && (c->flags & FLAP_EVCAP_F_TRUNC) ? "+" : "");
		return;
	case FLAP_ARG_ENVP:
		flap_args__put_addr(a->out, flap_args__arg(a, i));
		if (c && c->len >= 4) {
			memcpy(&n, c->data, 4);
			flap_text__printf(a->out, " /* %u%s vars */", n,
					  c->flags & FLAP_EVCAP_F_TRUNC ? "+" : "");
		}
		return;
	case FLAP_ARG_STRUCT_IN:
	case FLAP_ARG_STRUCT_OUT:
	case FLAP_ARG_ARRAY:
	case FLAP_ARG_ARRAY_RET:
		if (c && (kind == FLAP_ARG_STRUCT_IN || flap_args__returned_ok(a->ev)) &&
		    flap_args__put_struct(a, i, c))
			return;
		break;
	default:
		break;
	}
	if (put_socklen(a, i))
		return;
	if (kind != FLAP_ARG_VAL || is_pointer_type(a->sc->args[i].type ? a->sc->args[i].type : ""))
		flap_args__put_addr(a->out, flap_args__arg(a, i));
	else if (!a->sc->args[i].type || !a->sc->args[i].name)
		flap_args__put_hex(a->out, flap_args__arg(a, i));
	else
		put_int(a, i);
}
