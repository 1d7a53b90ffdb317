// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * syscalls.c - lookups in the generated syscall table (syscalls_arch.h, an
 * X-macro list). The table is sorted by number; names are looked up with a
 * sorted index built on first use.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <linux/types.h>

#include "flap.h"
#include "syscalls.h"
#include "util.h"

static struct flap_syscall table[] = {
#define FLAP_SYSCALL(nr_, name_, nargs_, flags_, k0, k1, k2, k3, k4, k5) \
	{.nr = nr_,                                                      \
	 .name = #name_,                                                 \
	 .nargs = nargs_,                                                \
	 .kinds = FLAP_KINDS(nargs_, flags_, k0, k1, k2, k3, k4, k5)},
#include "syscalls_arch.h"
};

/* Argument types and names, applied to the table on first use. */
static const struct {
	int nr, idx;
	const char *type, *name;
} arg_names[] = {
#define FLAP_SYSCALL(...)
#define FLAP_SYSCALL_ARG(nr_, idx_, type_, name_) {nr_, idx_, type_, name_},
#include "syscalls_arch.h"
};

static const struct flap_syscall *by_name[ARRAY_SIZE(table)];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static int cmp_name(const void *a, const void *b)
{
	const struct flap_syscall *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static struct flap_syscall *find_nr(long nr)
{
	size_t lo = 0, hi = ARRAY_SIZE(table);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (table[mid].nr == nr)
			return &table[mid];
		if (table[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void init_tables(void)
{
	struct flap_syscall *sc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arg_names); i++) {
		sc = find_nr(arg_names[i].nr);
		if (sc && arg_names[i].idx >= 0 && arg_names[i].idx < 6) {
			sc->args[arg_names[i].idx].type = arg_names[i].type;
			sc->args[arg_names[i].idx].name = arg_names[i].name;
		}
	}
	for (i = 0; i < ARRAY_SIZE(table); i++)
		by_name[i] = &table[i];
	qsort(by_name, ARRAY_SIZE(table), sizeof(by_name[0]), cmp_name);
}

const struct flap_syscall *flap_syscall__by_nr(long nr)
{
	pthread_once(&init_once, init_tables);
	return find_nr(nr);
}

const struct flap_syscall *flap_syscall__by_name(const char *name)
{
	struct flap_syscall key = {.name = name};
	const struct flap_syscall *pkey = &key, *const * hit;

	pthread_once(&init_once, init_tables);
	hit = bsearch(&pkey, by_name, ARRAY_SIZE(table), sizeof(by_name[0]), cmp_name);
	return hit ? *hit : NULL;
}

int flap_syscall__count(void)
{
	return ARRAY_SIZE(table);
}

const struct flap_syscall *flap_syscall__at(int i)
{
	pthread_once(&init_once, init_tables);
	if (i < 0 || (size_t)i >= ARRAY_SIZE(table))
		return NULL;
	return &table[i];
}

/* Data bytes a capture of kind @k takes at most. */
static __u32 kind_need(__u32 k, __u32 kinds, __u32 str_max, __u32 buf_max)
{
	switch (k) {
	case FLAP_ARG_STR:
		return str_max + 2;
	case FLAP_ARG_ARGV:
		return FLAP_ARGV_BYTES + 2;
	case FLAP_ARG_BUF_IN:
	case FLAP_ARG_BUF_OUT:
		return buf_max;
	case FLAP_ARG_SOCKADDR_IN:
	case FLAP_ARG_SOCKADDR_OUT:
		return 8 + FLAP_SOCKADDR_MAX;
	case FLAP_ARG_IOV_IN:
	case FLAP_ARG_IOV_OUT:
		return FLAP_IOV_MAX * sizeof(struct flap_iov_cap) + buf_max;
	case FLAP_ARG_ARRAY:
	case FLAP_ARG_ARRAY_RET:
		return FLAP_ARRAY_MAX;
	case FLAP_ARG_ENVP:
	case FLAP_ARG_DIRENTS:
		return 4;
	case FLAP_ARG_NEWFD:
		return FLAP_NEWFD_MAX;
	case FLAP_ARG_STRUCT_OUT:
		/* size class 0: a large structure (flap.h enum flap_large) */
		if (!FLAP_KIND_SIZE(kinds))
			return FLAP_LARGE_SIZE(FLAP_KIND_LARGE(kinds));
		return FLAP_KIND_SIZE(kinds);
	default:
		return FLAP_KIND_SIZE(kinds);
	}
}

__u32 flap_syscall__caps_need(__u32 kinds, __u32 str_max, __u32 buf_max)
{
	__u32 need = 0, ncaps = 0, k;
	int i;

	for (i = 0; i < 6 && i < (int)FLAP_KIND_NARGS(kinds) && ncaps < FLAP_MAX_CAPS; i++) {
		k = FLAP_KIND_ARG(kinds, i);
		if (k == FLAP_ARG_VAL)
			continue;
		ncaps++;
		need += sizeof(struct flap_cap_hdr) + kind_need(k, kinds, str_max, buf_max);
	}
	return need;
}

const char *flap_syscall__arch(void)
{
#if defined(__x86_64__)
	return "x86_64";
#elif defined(__aarch64__)
	return "arm64";
#else
	return "unknown";
#endif
}
