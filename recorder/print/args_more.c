// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * args_more.c - printers of arguments strace decodes that the type alone
 * does not tell: a CPU mask (sched_getaffinity), a socket option's value
 * (setsockopt), a group list (getgroups), utimensat's two times with
 * their dates, and the arguments ioctl shows by request (FIOCLEX has none).
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include <linux/types.h>

#include "flap.h"
#include "args_internal.h"

/* sched_getaffinity's mask, the bytes it returned: "[0 1]" as strace. */
void flap_args__a_cpumask(const struct actx *a, int i)
{
	const struct flap_cap *c = flap_args__cap_at(a->ev, i);
	bool first = true;
	size_t k;

	if (!c || !flap_args__returned_ok(a->ev)) {
		flap_args__put_addr(a->out, flap_args__arg(a, i));
		return;
	}
	flap_args__put(a, "[");
	for (k = 0; k < (size_t)c->len * 8; k++) {
		if (!(c->data[k / 8] & (1u << (k % 8))))
			continue;
		flap_text__printf(a->out, "%s%zu", first ? "" : " ", k);
		first = false;
	}
	flap_args__put(a, c->flags & FLAP_EVCAP_F_TRUNC ? " ...]" : "]");
}

/* setsockopt's value: an int option as "[1]", else the bytes. */
void flap_args__a_sockopt_val(const struct actx *a, int i)
{
	const struct flap_cap *c = flap_args__cap_at(a->ev, i);
	int v;

	if (!c) {
		flap_args__put_addr(a->out, flap_args__arg(a, i));
		return;
	}
	if (c->len == 4 && flap_args__arg(a, i + 1) == 4) {
		memcpy(&v, c->data, 4);
		flap_text__printf(a->out, "[%d]", v);
		return;
	}
	flap_text__quote(a->out, c->data, c->len, c->flags & FLAP_EVCAP_F_TRUNC);
}

/* getgroups' list: "[0, 4, 27]", "[]" when it returned none; the address
 * for a size of 0 (strace's getgroups(0, NULL) = 3: the count only). */
void flap_args__a_gids(const struct actx *a, int i)
{
	const struct flap_cap *c = flap_args__cap_at(a->ev, i);
	__u32 gid;
	size_t k;

	if (!flap_args__returned_ok(a->ev) || (!c && a->ev->ret != 0) ||
	    flap_args__arg(a, 0) == 0) {
		flap_args__put_addr(a->out, flap_args__arg(a, i));
		return;
	}
	flap_args__put(a, "[");
	for (k = 0; c && k + 4 <= c->len; k += 4) {
		memcpy(&gid, c->data + k, 4);
		flap_text__printf(a->out, "%s%u", k ? ", " : "", gid);
	}
	flap_args__put(a, c && (c->flags & FLAP_EVCAP_F_TRUNC) ? ", ...]" : "]");
}

/* One time of utimensat: {tv_sec=N, tv_nsec=N} /\* 2026-12-02T12:33:14.152072576+0000 *\/. */
static void put_utime(struct flap_text *out, const __s64 *ts)
{
	time_t sec = (time_t)ts[0];
	char date[64], zone[8];
	struct tm tm;

	if (ts[1] == UTIME_NOW || ts[1] == UTIME_OMIT) {
		flap_text__printf(out, "{tv_sec=%lld, tv_nsec=%s}", (long long)ts[0],
				  ts[1] == UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT");
		return;
	}
	flap_text__printf(out, "{tv_sec=%lld, tv_nsec=%lld}", (long long)ts[0], (long long)ts[1]);
	if (ts[1] < 0 || ts[1] >= 1000000000 || !localtime_r(&sec, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) ||
	    !strftime(zone, sizeof(zone), "%z", &tm))
		return;
	flap_text__printf(out, " /* %s.%09lld%s */", date, (long long)ts[1], zone);
}

/* utimensat's times: "[{...} /\* date *\/, {...} /\* date *\/]", NULL for now. */
void flap_args__a_utimes(const struct actx *a, int i)
{
	const struct flap_cap *c = flap_args__cap_at(a->ev, i);
	__s64 ts[4];

	if (!c || c->len < sizeof(ts) || !flap_args__arg(a, i)) {
		flap_args__put_addr(a->out, flap_args__arg(a, i));
		return;
	}
	memcpy(ts, c->data, sizeof(ts));
	flap_args__put(a, "[");
	put_utime(a->out, ts);
	flap_args__put(a, ", ");
	put_utime(a->out, ts + 2);
	flap_args__put(a, "]");
}

/* ioctl requests that take no argument: strace leaves the third one out. */
int flap_args__ioctl_nargs(const struct actx *a)
{
	unsigned int cmd = (unsigned int)flap_args__arg(a, 1);

	return cmd == FIOCLEX || cmd == FIONCLEX ? 2 : 3;
}
