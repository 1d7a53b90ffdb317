// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flapcheck.c - checks for the end-to-end stress, fault and persistence
 * tests (tests/e2e/stress.sh, persist.sh), which drive the real daemon and
 * CLI and need a few exact answers a shell cannot give:
 *
 *   flapcheck dump FILE...        every file is a whole, self-consistent dump:
 *       the frames are magic, header, exactly header.event_count events and
 *       a trailer; the library reads it; events are in time order on every
 *       CPU; produced = held + overwritten + lost in total, per CPU and per
 *       source. Prints one line per file; exit 1 if any fails.
 *   flapcheck seq FILE TAG [T0 T1]  the numbers N of the "/flap/TAG-N" paths in
 *       a dump: first, last, every gap (the workload helper's sequence), and
 *       with T0 T1 (CLOCK_REALTIME ns) how many fall in that window.
 *   flapcheck bpf-own CGIDFILE    recorder instances alive for the cgroup ids
 *       in CGIDFILE (one per line): "maps N progs M". An instance is found
 *       by its .bss map, which holds the cgroup id it records.
 *   flapcheck bpf-ids PID         the BPF maps, programs and links PID holds
 *       (from /proc/PID/fdinfo), sorted: "m:ID p:ID l:ID ...".
 *   flapcheck bpf-gone ID...      waits up to 10 s until none of the given
 *       objects (m:ID, p:ID, l:ID) exists; prints how many are left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "dump.pb-c.h"
#include "dump.h"
#include "pbio.h"
#include "testutil.h"
#include "trace.h"

#define MAX_IDS 65536

static bool counts_ok(const struct flap_cpu_counts *c)
{
	return c->produced == c->held + c->overwritten + c->lost;
}

/* Counts the delimited frames after the 8-byte magic; unpacks the header. */
static int count_frames(const char *path, __u64 *frames, __u64 *header_count)
{
	const __u8 *p;
	Flap__DumpHeader *h;
	size_t off = 8, used;
	struct stat st;
	uint32_t len;
	int fd, err = 0;

	*frames = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size < 8) {
		close(fd);
		return -EBADMSG;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	while (off < (size_t)st.st_size) {
		if (flap_pbio__varint_decode(p + off, st.st_size - off, &len, &used) != 1 ||
		    len > st.st_size - off - used) {
			err = -EBADMSG;
			break;
		}
		if (*frames == 0) {
			h = flap__dump_header__unpack(NULL, len, p + off + used);
			if (!h) {
				err = -EBADMSG;
				break;
			}
			*header_count = h->event_count;
			flap__dump_header__free_unpacked(h, NULL);
		}
		off += used + len;
		(*frames)++;
	}
	munmap((void *)p, st.st_size);
	return err;
}

/* One line of why a dump is not consistent, or NULL. */
static const char *check_trace(const struct flap_trace *t, char *why, size_t size)
{
	__u64 *last;
	size_t i;
	int c;

	if (!counts_ok(&t->total)) {
		snprintf(why, size,
			 "total: produced %llu != held %llu + overwritten %llu + lost %llu",
			 (unsigned long long)t->total.produced, (unsigned long long)t->total.held,
			 (unsigned long long)t->total.overwritten,
			 (unsigned long long)t->total.lost);
		return why;
	}
	for (c = 0; c < t->ncpus; c++)
		if (!counts_ok(&t->cpus[c])) {
			snprintf(why, size, "cpu %d: produced != held + overwritten + lost", c);
			return why;
		}
	for (c = 0; c < t->nsources; c++)
		if (!counts_ok(&t->sources[c].counts)) {
			snprintf(why, size, "source %d: produced != held + overwritten + lost", c);
			return why;
		}
	last = calloc(65536, sizeof(*last));
	if (!last)
		return "out of memory";
	for (i = 0; i < t->nevents; i++) {
		const struct flap_event *ev = &t->events[i];

		if (ev->ts < last[ev->cpu]) {
			snprintf(why, size, "event %zu on cpu %u goes back in time", i, ev->cpu);
			free(last);
			return why;
		}
		last[ev->cpu] = ev->ts;
	}
	free(last);
	return NULL;
}

static int check_dump(const char *path)
{
	__u64 frames = 0, hcount = 0;
	struct flap_dump_meta m;
	struct flap_trace *t = NULL;
	char err[256], why[256];
	const char *bad = NULL;
	int rc;

	rc = count_frames(path, &frames, &hcount);
	if (rc) {
		printf("FAIL %s: frames: %s\n", path, strerror(-rc));
		return 1;
	}
	rc = flap_dump__load(path, &m, &t, err, sizeof(err));
	if (rc) {
		printf("FAIL %s: load: %s\n", path, err[0] ? err : strerror(-rc));
		return 1;
	}
	if (frames != hcount + 2 || t->nevents != hcount) {
		snprintf(why, sizeof(why), "header says %llu events; %llu frames, %zu read",
			 (unsigned long long)hcount, (unsigned long long)frames, t->nevents);
		bad = why;
	}
	if (!bad)
		bad = check_trace(t, why, sizeof(why));
	if (bad)
		printf("FAIL %s: %s\n", path, bad);
	else
		printf("ok %s: %zu events, produced %llu held %llu overwritten %llu lost %llu\n",
		       path, t->nevents, (unsigned long long)t->total.produced,
		       (unsigned long long)t->total.held, (unsigned long long)t->total.overwritten,
		       (unsigned long long)t->total.lost);
	flap_trace__free(t);
	return bad ? 1 : 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* The sequence numbers of "/flap/TAG-N" openat paths: first, last, gaps. */
static int check_seq(const char *path, const char *tag, __u64 t0, __u64 t1)
{
	char err[256], want[128], buf[128];
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	size_t i, n = 0, j, wl, in_window = 0;
	long *nums;
	int k, gaps = 0;
	__u64 wall;

	if (flap_dump__load(path, &m, &t, err, sizeof(err))) {
		printf("FAIL %s: %s\n", path, err);
		return 1;
	}
	wl = (size_t)snprintf(want, sizeof(want), "/flap/%s-", tag);
	nums = calloc(t->nevents + 1, sizeof(*nums));
	for (i = 0; nums && i < t->nevents; i++) {
		for (k = 0; k < t->events[i].ncaps; k++) {
			const struct flap_cap *c = &t->events[i].caps[k];

			if (c->len <= wl || c->len >= sizeof(buf) || memcmp(c->data, want, wl))
				continue;
			memcpy(buf, c->data, c->len);
			buf[c->len] = '\0';
			nums[n++] = strtol(buf + wl, NULL, 10);
			wall = t->events[i].ts + t->boot_to_real_ns;
			in_window += wall >= t0 && wall <= t1;
		}
	}
	qsort(nums, n, sizeof(*nums), cmp_long);
	for (i = 1, j = 0; i < n; i++) {
		if (nums[i] == nums[j])
			continue;
		if (nums[i] != nums[j] + 1) {
			printf("gap %ld %ld\n", nums[j], nums[i]);
			gaps++;
		}
		j = i;
	}
	printf("first %ld last %ld gaps %d in_window %zu restart_lost %llu overwritten %llu "
	       "lost %llu\n",
	       n ? nums[0] : -1, n ? nums[n - 1] : -1, gaps, in_window,
	       (unsigned long long)t->total.restart_lost, (unsigned long long)t->total.overwritten,
	       (unsigned long long)t->total.lost);
	free(nums);
	flap_trace__free(t);
	return 0;
}

static int bpf_own(const char *file)
{
	int n = 0, nmaps, nprogs;
	__u64 *cgids;
	FILE *f;

	cgids = calloc(MAX_IDS, sizeof(*cgids));
	f = fopen(file, "re");
	if (!cgids || !f) {
		perror(file);
		return 2;
	}
	while (n < MAX_IDS && fscanf(f, "%llu", (unsigned long long *)&cgids[n]) == 1)
		n++;
	fclose(f);
	if (test_count_recorders(cgids, n, &nmaps, &nprogs)) {
		perror("count recorders");
		return 2;
	}
	printf("maps %d progs %d\n", nmaps, nprogs);
	free(cgids);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int bpf_ids(const char *pid)
{
	char dir[64], path[384], line[256], *ids[8192];
	const char *keys[] = {"map_id:", "prog_id:", "link_id:"};
	const char tags[] = {'m', 'p', 'l'};
	struct dirent *de;
	int n = 0, i, k;
	unsigned id;
	DIR *d;
	FILE *f;

	snprintf(dir, sizeof(dir), "/proc/%s/fdinfo", pid);
	d = opendir(dir);
	if (!d) {
		perror(dir);
		return 2;
	}
	while ((de = readdir(d)) && n < 8192) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		/* A link's fdinfo names its program too: take its first id only. */
		while (fgets(line, sizeof(line), f) && n < 8192) {
			for (k = 0; k < 3; k++)
				if (strncmp(line, keys[k], strlen(keys[k])) == 0)
					break;
			if (k == 3 || sscanf(line + strlen(keys[k]), "%u", &id) != 1)
				continue;
			if (asprintf(&ids[n], "%c:%u", tags[k], id) > 0)
				n++;
			break;
		}
		fclose(f);
	}
	closedir(d);
	qsort(ids, n, sizeof(ids[0]), cmp_str);
	for (i = 0; i < n; i++) {
		printf("%s%s", i ? " " : "", ids[i]);
		free(ids[i]);
	}
	printf("\n");
	return 0;
}

/* An fd of object @spec (m:ID, p:ID, l:ID), or -1 when it is gone. */
static int object_fd(const char *spec)
{
	unsigned id = strtoul(spec + 2, NULL, 10);

	if (spec[0] == 'm')
		return bpf_map_get_fd_by_id(id);
	if (spec[0] == 'p')
		return bpf_prog_get_fd_by_id(id);
	if (spec[0] == 'l')
		return bpf_link_get_fd_by_id(id);
	return -1;
}

/*
 * Does object @spec still exist? Found by walking the kernel's ids, not by
 * opening it: on this kernel an fd opened by id and closed just as the
 * owner closes the last one of a prog-array map leaks that map for good
 * (its entries are cleared twice, one reference is never dropped; 14 of
 * 50 prog arrays in a test polling that way), so polling the daemon's
 * objects while it stops must not open them.
 */
static bool alive(const char *spec)
{
	int (*next)(__u32, __u32 *) = spec[0] == 'm'   ? bpf_map_get_next_id
				      : spec[0] == 'p' ? bpf_prog_get_next_id
						       : bpf_link_get_next_id;
	__u32 want = strtoul(spec + 2, NULL, 10), id = 0;

	while (next(id, &id) == 0)
		if (id >= want)
			return id == want;
	return false;
}

/* "still alive: m:ID (map type T, name N)": which object a failure left
 * (it opens the object: only once the wait is over). */
static void report_alive(const char *spec)
{
	struct bpf_map_info mi = {};
	struct bpf_prog_info pi = {};
	__u32 len;
	int fd = object_fd(spec);

	if (fd < 0)
		return;
	if (spec[0] == 'm' && (len = sizeof(mi), !bpf_obj_get_info_by_fd(fd, &mi, &len)))
		fprintf(stderr, "still alive: %s (map type %u, name %s)\n", spec, mi.type, mi.name);
	else if (spec[0] == 'p' && (len = sizeof(pi), !bpf_obj_get_info_by_fd(fd, &pi, &len)))
		fprintf(stderr, "still alive: %s (prog type %u, name %s)\n", spec, pi.type,
			pi.name);
	else
		fprintf(stderr, "still alive: %s\n", spec);
	close(fd);
}

static int bpf_gone(int argc, char **argv)
{
	struct timespec ts = {.tv_nsec = 50000000};
	int i, left = 0, waited;

	for (waited = 0; waited < 200; waited++) {
		for (i = 0, left = 0; i < argc; i++)
			left += alive(argv[i]);
		if (!left)
			break;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < argc && left; i++)
		report_alive(argv[i]);
	printf("left %d\n", left);
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	if (argc >= 3 && strcmp(argv[1], "dump") == 0) {
		for (i = 2; i < argc; i++)
			bad |= check_dump(argv[i]);
		return bad;
	}
	if ((argc == 4 || argc == 6) && strcmp(argv[1], "seq") == 0)
		return check_seq(argv[2], argv[3], argc == 6 ? strtoull(argv[4], NULL, 10) : 0,
				 argc == 6 ? strtoull(argv[5], NULL, 10) : 0);
	if (argc == 3 && strcmp(argv[1], "bpf-own") == 0)
		return bpf_own(argv[2]);
	if (argc == 3 && strcmp(argv[1], "bpf-ids") == 0)
		return bpf_ids(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "bpf-gone") == 0)
		return bpf_gone(argc - 2, argv + 2);
	fprintf(stderr, "usage: flapcheck dump FILE... | seq FILE TAG | bpf-own CGIDFILE | "
			"bpf-ids PID | bpf-gone ID...\n");
	return 2;
}
