// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bound.c - which cgroup a recorder instance records, read from its .bss
 * value (bpf/record.bpf.c bound_cgroup_id): for tools and tests that find
 * instances among every map of the system. A file of its own so that a
 * program can use it without the rest of the registry.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "registry.h"

#include "record.skel.h"

int flap_recorder__bound_cgroup(const void *val, size_t len, __u64 *out)
{
	size_t off = offsetof(struct flap_record__bss, bound_cgroup_id);

	if (len < off + sizeof(*out))
		return -EBADMSG;
	memcpy(out, (const char *)val + off, sizeof(*out));
	return 0;
}
