// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_format.c - output formats: traces built by hand (as the decoder
 * builds them) printed as text and compared with the exact expected lines
 * (strings, truncated binary buffers, every escape, unfinished calls, calls
 * that never return or lost their exit, errno, hex returns, unknown syscall
 * numbers, integer widths, control bytes in comm and names, the container
 * column of a pod merge), the header with and without lost history, JSON
 * Lines parsed back with json-c, and write errors. Runs with TZ=UTC.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dump.h"
#include "escape.h"
#include "format.h"
#include "syscalls.h"
#include "test.h"
#include "trace.h"

/* Boot time 1 s is 2024-05-01 12:00:00 UTC. */
#define WALL0	 1714564800000000000LL
#define BOOT0	 1000000000ULL
#define B2R	 (WALL0 - (__s64)BOOT0)
#define AT_CWD64 ((__u64)(__s64)-100)

static void use_utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

static __u32 nr_of(const char *name)
{
	const struct flap_syscall *sc = flap_syscall__by_name(name);

	return sc ? (__u32)sc->nr : 9999;
}

/* A trace with one source (or none) and 2 CPUs; the caller frees it. */
static struct flap_trace *new_trace(void)
{
	struct flap_source s = {};
	struct flap_trace *t = NULL;

	if (flap_trace__new(2, &t))
		return NULL;
	t->boot_to_real_ns = B2R;
	strcpy(s.name, "web-nginx");
	strcpy(s.pod, "web");
	strcpy(s.ns, "default");
	strcpy(s.container, "nginx");
	strcpy(s.container_id, "0123456789abcdef0123456789abcdef");
	strcpy(s.cgroup_path, "/sys/fs/cgroup/kubepods/podX/nginx");
	s.cgroup_id = 4242;
	s.main_pid = 42;
	if (flap_trace__add_source(t, &s) < 0) {
		flap_trace__free(t);
		return NULL;
	}
	return t;
}

/* A finished event of thread 42 at BOOT0 + @us microseconds. */
static struct flap_event *add_ev(struct flap_trace *t, const char *name, __u32 us, __s64 ret)
{
	struct flap_event *ev = flap_trace__push(t);

	if (!ev)
		return NULL;
	ev->ts = BOOT0 + us * 1000ULL;
	ev->exit_ts = ev->ts + 11000;
	ev->dur_ns = 11000;
	ev->ret = ret;
	ev->tid = ev->tgid = 42;
	ev->nr = nr_of(name);
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR;
	strcpy(ev->comm, "cat");
	return ev;
}

/* Adds the pod's second container, "side\33car" in cgroup 4343. Return: its index. */
static int add_sidecar(struct flap_trace *t)
{
	struct flap_source s = {};

	strcpy(s.pod, "web");
	strcpy(s.ns, "default");
	strcpy(s.container, "side\x1b"
			    "car");
	s.cgroup_id = 4343;
	return flap_trace__add_source(t, &s);
}

static int add_cap(struct flap_trace *t, struct flap_event *ev, __u8 arg, __u8 flags,
		   const void *data, size_t len)
{
	struct flap_cap *c = &ev->caps[ev->ncaps];

	c->arg = arg;
	c->flags = flags;
	c->len = len;
	c->data = flap_trace__copy_bytes(t, data, len);
	if (!c->data)
		return -ENOMEM;
	ev->ncaps++;
	return 0;
}

static void set_args(struct flap_event *ev, int n, __u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4,
		     __u64 a5)
{
	ev->nargs = n;
	ev->args[0] = a0;
	ev->args[1] = a1;
	ev->args[2] = a2;
	ev->args[3] = a3;
	ev->args[4] = a4;
	ev->args[5] = a5;
}

/* Output collected in memory. */
struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static bool mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return ASSERT_OK_PTR(m->f, "open_memstream");
}

/* Closes the stream; the text stays in m->buf (free it). */
static char *mem_close(struct mem *m)
{
	fclose(m->f);
	m->f = NULL;
	return m->buf;
}

/* The text of event @i (freshly allocated, or NULL on error). */
static char *event_text(const struct flap_trace *t, size_t i, const struct flap_format_opts *o)
{
	struct mem m;
	int err;

	if (!mem_open(&m))
		return NULL;
	err = flap_format__event(m.f, t, &t->events[i], o);
	mem_close(&m);
	if (!ASSERT_OK(err, "flap_format__event")) {
		free(m.buf);
		return NULL;
	}
	return m.buf;
}

static bool event_is(const struct flap_trace *t, size_t i, const struct flap_format_opts *o,
		     const char *expected, const char *what)
{
	char *s = event_text(t, i, o);
	bool ok = ASSERT_STREQ(s, expected, what);

	free(s);
	return ok;
}

static void make_meta(struct flap_dump_meta *m, bool crash)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->tool_version, "0.1.0");
	strcpy(m->host, "node-1");
	strcpy(m->kernel, "6.18.0");
	strcpy(m->arch, "x86_64");
	strcpy(m->target, "default/web");
	m->created_ns = WALL0 + 5000000000LL;
	if (crash) {
		strcpy(m->reason.kind, "crash");
		strcpy(m->reason.text, "SIGSEGV in pid 42 (crash)");
		m->reason.signal = 11;
		m->reason.pid = 42;
		strcpy(m->reason.comm, "crash");
		m->reason.core = true;
		m->reason.time_ns = WALL0 + 4000000000LL;
	} else {
		strcpy(m->reason.kind, "request");
	}
}

void test_format_escape(void)
{
	static const char ctl[] = "\n\t\"\\\r\v\f\a\b\x1b\x7f\x80\xff";
	char buf[256], small[6];
	size_t n;

	n = flap_escape__quote(buf, sizeof(buf), ctl, sizeof(ctl) - 1, false);
	ASSERT_STREQ(buf, "\"\\n\\t\\\"\\\\\\r\\v\\f\\7\\10\\33\\177\\200\\377\"", "controls");
	ASSERT_EQ(n, strlen(buf), "length");

	/* Shortest octal, unless a digit follows (as strace). */
	flap_escape__quote(buf, sizeof(buf),
			   "\0"
			   "1\0"
			   "9\0"
			   "a\x01"
			   "7",
			   8, false);
	ASSERT_STREQ(buf, "\"\\0001\\09\\0a\\0017\"", "octal before digits");

	flap_escape__quote(buf, sizeof(buf), "abc", 3, true);
	ASSERT_STREQ(buf, "\"abc\"...", "truncated");
	flap_escape__quote(buf, sizeof(buf), "", 0, false);
	ASSERT_STREQ(buf, "\"\"", "empty");
	flap_escape__quote(buf, sizeof(buf), NULL, 5, false);
	ASSERT_STREQ(buf, "\"\"", "NULL data");

	/* snprintf contract: the needed length, output cut and terminated. */
	n = flap_escape__quote(small, sizeof(small), "\n\n\n", 3, true);
	ASSERT_EQ(n, strlen("\"\\n\\n\\n\"..."), "needed length");
	ASSERT_STREQ(small, "\"\\n\\n", "cut to size");
	ASSERT_EQ(flap_escape__quote(NULL, 0, "ab", 2, false), 4, "size 0");
}

/* Every byte value: no raw control or high byte comes out, and the escape reads back. */
void test_format_escape_all_bytes(void)
{
	unsigned char in[256], back[256];
	size_t n, i, j = 0, k;
	char out[256 * 4 + 8];

	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	n = flap_escape__quote(out, sizeof(out), in, sizeof(in), false);
	if (!ASSERT_LT(n, sizeof(out), "fits"))
		return;
	for (i = 0; i < n; i++)
		if (!ASSERT_TRUE(out[i] >= ' ' && out[i] < 0x7f, "printable output"))
			return;
	/* Parse the C escapes back. */
	for (i = 1; i + 1 < n; i++) {
		if (out[i] != '\\') {
			back[j++] = out[i];
			continue;
		}
		i++;
		if (out[i] >= '0' && out[i] <= '7') {
			unsigned int v = 0;

			for (k = 0; k < 3 && out[i] >= '0' && out[i] <= '7'; k++, i++)
				v = v * 8 + (out[i] - '0');
			i--;
			back[j++] = (unsigned char)v;
		} else {
			const char *p = strchr("n\nt\tr\rv\vf\f\"\"\\\\", out[i]);

			back[j++] = p ? p[1] : '?';
		}
	}
	ASSERT_EQ(j, 256, "bytes read back");
	ASSERT_MEMEQ(back, in, 256, "round trip");
}

void test_format_errno_name(void)
{
	ASSERT_STREQ(flap_errno__name(2), "ENOENT", "2");
	ASSERT_STREQ(flap_errno__name(-2), "ENOENT", "-2");
	ASSERT_STREQ(flap_errno__name(EAGAIN), "EAGAIN", "EAGAIN");
	ASSERT_STREQ(flap_errno__name(512), "ERESTARTSYS", "512");
	ASSERT_STREQ(flap_errno__name(524), "ENOTSUPP", "524");
	ASSERT_TRUE(flap_errno__name(0) == NULL, "0");
	ASSERT_TRUE(flap_errno__name(3999) == NULL, "3999");
	ASSERT_TRUE(flap_errno__name(-2147483647 - 1) == NULL, "INT_MIN");
}

/* openat: AT_FDCWD, the path, flags; mode only with O_CREAT; errors and durations. */
void test_format_openat(void)
{
	struct flap_trace *t = new_trace();
	struct flap_event *ev;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = add_ev(t, "openat", 42, -ENOENT);
	set_args(ev, 4, AT_CWD64, 0x7ffd0000, 0, 0, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_STR, "/etc/x", 6);
	ev = add_ev(t, "openat", 100, 3);
	set_args(ev, 4, 5, 0x7ffd0000, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_STR, "out.log", 7);
	ev->dur_ns = 1234567891;
	ev = add_ev(t, "openat", 200, 4);
	set_args(ev, 4, AT_CWD64, 0x7ffd0000, 0, 0, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_STR | FLAP_EVCAP_F_TRUNC, "/very/long", 10);

	event_is(t, 0, NULL,
		 "12:00:00.000042 [pid 42] openat(AT_FDCWD, \"/etc/x\", O_RDONLY) = -1 ENOENT (No "
		 "such file or directory) <0.000011>\n",
		 "ENOENT");
	event_is(t, 1, NULL,
		 "12:00:00.000100 [pid 42] openat(5, \"out.log\", O_WRONLY|O_CREAT|O_TRUNC, "
		 "0644) = 3 <1.234567>\n",
		 "O_CREAT shows the mode");
	event_is(t, 2, &(struct flap_format_opts){.verbose = true},
		 "12:00:00.000200 [pid 42 cat] openat(AT_FDCWD, \"/very/long\"..., O_RDONLY) = 4 "
		 "<0.000011>\n",
		 "truncated path, verbose");
	flap_trace__free(t);
}

/* A binary write buffer, truncated; read's buffer comes back at exit. */
void test_format_buffers(void)
{
	static const __u8 bin[] = {0x00, 0x01, 0xff, 'h', 'i', '\n', '"', '\\', 0x7f, '0'};
	struct flap_trace *t = new_trace();
	struct flap_event *ev;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = add_ev(t, "write", 1, 4096);
	set_args(ev, 3, 1, 0x7f00aa, 4096, 0, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_TRUNC, bin, sizeof(bin));
	ev = add_ev(t, "read", 2, 3);
	set_args(ev, 3, 0, 0x7f00bb, 1024, 0, 0, 0);
	add_cap(t, ev, 1, 0, "ab\n", 3);
	ev = add_ev(t, "read", 3, -EFAULT);
	set_args(ev, 3, 0, 0x10, 1024, 0, 0, 0);
	ev = add_ev(t, "write", 4, -EFAULT);
	set_args(ev, 3, 2, 0x20, 5, 0, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_FAULT, "", 0);
	ev = add_ev(t, "write", 5, 0);
	set_args(ev, 3, 2, 0, 0, 0, 0, 0);

	event_is(t, 0, NULL,
		 "12:00:00.000001 [pid 42] write(1, \"\\0\\1\\377hi\\n\\\"\\\\\\1770\"..., 4096) = "
		 "4096 <0.000011>\n",
		 "binary write");
	event_is(t, 1, NULL, "12:00:00.000002 [pid 42] read(0, \"ab\\n\", 1024) = 3 <0.000011>\n",
		 "read");
	event_is(t, 2, NULL,
		 "12:00:00.000003 [pid 42] read(0, 0x10, 1024) = -1 EFAULT (Bad address) "
		 "<0.000011>\n",
		 "no capture: pointer");
	event_is(t, 3, NULL,
		 "12:00:00.000004 [pid 42] write(2, 0x20, 5) = -1 EFAULT (Bad address) "
		 "<0.000011>\n",
		 "fault: pointer");
	event_is(t, 4, NULL, "12:00:00.000005 [pid 42] write(2, NULL, 0) = 0 <0.000011>\n",
		 "NULL pointer");
	flap_trace__free(t);
}

/* Unfinished calls, calls that never return, lost exits, no args. */
void test_format_incomplete(void)
{
	struct flap_trace *t = new_trace();
	struct flap_event *ev;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = add_ev(t, "read", 10, 0);
	set_args(ev, 3, 3, 0x7f00bb, 4096, 0, 0, 0);
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED;
	ev->exit_ts = 0;
	ev = add_ev(t, "openat", 11, 0);
	set_args(ev, 4, AT_CWD64, 1, 0, 0, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_STR, "/fifo", 5);
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED;
	ev = add_ev(t, "exit_group", 12, 0);
	set_args(ev, 1, 0, 0, 0, 0, 0, 0);
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_NORETURN;
	ev = add_ev(t, "read", 13, 0);
	set_args(ev, 3, 3, 0x7f00bb, 4096, 0, 0, 0);
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_EXIT_LOST;
	ev = add_ev(t, "execve", 14, 0);
	ev->flags = FLAP_EV_F_HAS_RET | FLAP_EV_F_NO_ARGS;
	ev = add_ev(t, "read", 15, -512);
	set_args(ev, 3, 0, 0x7f00bb, 16, 0, 0, 0);
	ev = add_ev(t, "getpid", 16, 0);
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED;

	event_is(t, 0, NULL, "12:00:00.000010 [pid 42] read(3, <unfinished ...>\n", "unfinished");
	event_is(t, 1, NULL,
		 "12:00:00.000011 [pid 42] openat(AT_FDCWD, \"/fifo\", O_RDONLY <unfinished ...>\n",
		 "unfinished openat");
	event_is(t, 2, NULL, "12:00:00.000012 [pid 42] exit_group(0)  = ?\n", "exit_group");
	event_is(t, 3, NULL,
		 "12:00:00.000013 [pid 42] read(3, 0x7f00bb, 4096) = ? <exit not recorded>\n",
		 "exit lost");
	event_is(t, 4, NULL, "12:00:00.000014 [pid 42] execve(...)    = 0\n", "no args");
	event_is(t, 5, NULL,
		 "12:00:00.000015 [pid 42] read(0, 0x7f00bb, 16) = ? ERESTARTSYS (To be restarted "
		 "if SA_RESTART is set) <0.000011>\n",
		 "ERESTARTSYS");
	event_is(t, 6, NULL, "12:00:00.000016 [pid 42] getpid(<unfinished ...>\n",
		 "unfinished, no args");
	flap_trace__free(t);
}

/* Integer widths and signedness, hex returns, unknown syscalls and errnos. */
void test_format_values(void)
{
	struct flap_trace *t = new_trace();
	struct flap_event *ev;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = add_ev(t, "mmap", 1, 0x7f1234560000LL);
	set_args(ev, 6, 0, 8192, 3, 0x22, ~0ULL, 0);
	ev = add_ev(t, "brk", 2, 0x55d1c0a8d000LL);
	set_args(ev, 1, 0, 0, 0, 0, 0, 0);
	ev = add_ev(t, "close", 3, -EBADF);
	set_args(ev, 1, 0xffffffffULL, 0, 0, 0, 0, 0);
	ev = add_ev(t, "lseek", 4, -EINVAL);
	set_args(ev, 3, 3, ~0ULL, 0x100000001ULL, 0, 0, 0);
	ev = add_ev(t, "setuid", 5, 0);
	set_args(ev, 1, ~0ULL, 0, 0, 0, 0, 0);
	ev = add_ev(t, "kill", 6, 0);
	set_args(ev, 2, 0xffffffffULL, 9, 0, 0, 0, 0);
	ev = add_ev(t, "close", 7, -600);
	set_args(ev, 1, 3, 0, 0, 0, 0, 0);
	ev = add_ev(t, "close", 8, 0);
	set_args(ev, 1, 3, 0, 0, 0, 0, 0);
	ev->nr = 999;
	set_args(ev, 6, 1, ~0ULL, 0, 0x10, 5, 6);
	ev = add_ev(t, "mmap", 9, -ENOMEM);
	set_args(ev, 6, 0x7f0000000000ULL, 4096, 0, 0, 3, 4096);

	event_is(t, 0, NULL,
		 "12:00:00.000001 [pid 42] mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		 "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1234560000 <0.000011>\n",
		 "mmap");
	event_is(t, 1, NULL,
		 "12:00:00.000002 [pid 42] brk(NULL)      = 0x55d1c0a8d000 <0.000011>\n", "brk");
	event_is(t, 2, NULL,
		 "12:00:00.000003 [pid 42] close(-1)      = -1 EBADF (Bad file descriptor) "
		 "<0.000011>\n",
		 "unsigned fd -1");
	event_is(t, 3, NULL,
		 "12:00:00.000004 [pid 42] lseek(3, -1, SEEK_CUR) = -1 EINVAL (Invalid argument) "
		 "<0.000011>\n",
		 "off_t, unsigned int cut to 32 bits");
	event_is(t, 4, NULL, "12:00:00.000005 [pid 42] setuid(-1)     = 0 <0.000011>\n", "uid -1");
	event_is(t, 5, NULL, "12:00:00.000006 [pid 42] kill(-1, SIGKILL) = 0 <0.000011>\n",
		 "pid_t, signal");
	event_is(t, 6, NULL,
		 "12:00:00.000007 [pid 42] close(3)       = -1 ERRNO_600 (Unknown error 600) "
		 "<0.000011>\n",
		 "unknown errno");
	event_is(t, 7, NULL,
		 "12:00:00.000008 [pid 42] syscall_999(0x1, 0xffffffffffffffff, 0, 0x10, 0x5, "
		 "0x6) = 0 <0.000011>\n",
		 "unknown syscall");
	event_is(t, 8, NULL,
		 "12:00:00.000009 [pid 42] mmap(0x7f0000000000, 4096, PROT_NONE, "
		 "0 /* MAP_??? */, 3, 0x1000) = -1 ENOMEM (Cannot allocate memory) <0.000011>\n",
		 "mmap error");
	flap_trace__free(t);
}

/* Control bytes in comm and container names never reach the terminal raw. */
void test_format_comm_escaped(void)
{
	struct flap_format_opts v = {.verbose = true};
	struct flap_trace *t = new_trace();
	struct flap_event *ev;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = add_ev(t, "getpid", 1, 42);
	memcpy(ev->comm, "a\x1b[31mb\n\x9b\\cdefghij", 16); /* no NUL: all 16 bytes */
	ev = add_ev(t, "getpid", 2, 42);
	ev->comm[0] = '\0';

	event_is(t, 0, &v,
		 "12:00:00.000001 [pid 42 a\\33[31mb\\n\\233\\\\cdefgh] getpid() = 42 "
		 "<0.000011>\n",
		 "escaped comm");
	event_is(t, 1, &v, "12:00:00.000002 [pid 42] getpid()       = 42 <0.000011>\n",
		 "empty comm");
	flap_trace__free(t);
}

/* A pod merge: the container column leads every line, padded to the longest name. */
void test_format_multi_source(void)
{
	struct flap_trace *t = new_trace();
	struct flap_source s = {};
	struct flap_event *ev;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	if (!ASSERT_EQ(add_sidecar(t), 1, "source 1"))
		goto out;
	memset(&s, 0, sizeof(s));
	s.cgroup_id = 4444;
	if (!ASSERT_EQ(flap_trace__add_source(t, &s), 2, "source 2"))
		goto out;
	ev = add_ev(t, "getpid", 1, 42);
	ev = add_ev(t, "getppid", 2, 1);
	ev->source = 1;
	ev = add_ev(t, "close", 3, 0);
	set_args(ev, 1, 3, 0, 0, 0, 0, 0);
	ev->source = 2;
	ev = add_ev(t, "close", 4, 0);
	set_args(ev, 1, 3, 0, 0, 0, 0, 0);
	ev->source = 7;

	event_is(t, 0, NULL,
		 "[nginx]       12:00:00.000001 [pid 42] getpid()       = 42 <0.000011>\n",
		 "first source");
	event_is(t, 1, NULL,
		 "[side\\33car]  12:00:00.000002 [pid 42] getppid()      = 1 <0.000011>\n",
		 "escaped container");
	event_is(t, 2, NULL,
		 "[cgroup 4444] 12:00:00.000003 [pid 42] close(3)       = 0 <0.000011>\n",
		 "unnamed source");
	event_is(t, 3, NULL,
		 "[?]           12:00:00.000004 [pid 42] close(3)       = 0 <0.000011>\n",
		 "bad source index");
out:
	flap_trace__free(t);
}

static char *header_text(const struct flap_dump_meta *m, const struct flap_trace *t,
			 const struct flap_format_opts *o)
{
	struct mem mm;
	int err;

	if (!mem_open(&mm))
		return NULL;
	err = flap_format__header(mm.f, m, t, o);
	mem_close(&mm);
	if (!ASSERT_OK(err, "flap_format__header")) {
		free(mm.buf);
		return NULL;
	}
	return mm.buf;
}

/* Three events; counts as the reader would fill them. */
static struct flap_trace *counted_trace(__u64 overwritten, __u64 lost)
{
	struct flap_trace *t = new_trace();

	if (!t)
		return NULL;
	add_ev(t, "getpid", 1, 42);
	add_ev(t, "getpid", 500000, 42);
	add_ev(t, "getpid", 2000000, 42);
	t->cpus[0] = (struct flap_cpu_counts){
		.produced = 2 + overwritten, .held = 2, .overwritten = overwritten, .bytes = 200};
	t->cpus[1] = (struct flap_cpu_counts){
		.produced = 1 + lost, .held = 1, .lost = lost, .bytes = 100};
	flap_trace__sum(t);
	t->sources[0].counts = t->total;
	return t;
}

void test_format_header(void)
{
	struct flap_format_opts v = {.verbose = true};
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	char *s = NULL;

	use_utc();
	make_meta(&m, false);
	t = counted_trace(0, 0);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	s = header_text(&m, t, NULL);
	ASSERT_STREQ(s,
		     "# target: default/web\n"
		     "# pod web, namespace default\n"
		     "# container nginx: id 0123456789ab, cgroup 4242 "
		     "/sys/fs/cgroup/kubepods/podX/nginx, main pid 42\n"
		     "# reason: request\n"
		     "# host node-1, kernel 6.18.0, x86_64, flap-recorder 0.1.0, dumped 2024-05-01 "
		     "12:00:05.000000 UTC\n"
		     "# window: 2024-05-01 12:00:00.000001 UTC .. 2024-05-01 12:00:02.000000 UTC\n"
		     "# 3 events held\n"
		     "# history complete from 2024-05-01 12:00:00.000001 UTC\n",
		     "complete history");
	free(s);
	flap_trace__free(t);

	make_meta(&m, true);
	t = counted_trace(120, 3);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	flap_trace__keep_last(t, 2);
	s = header_text(&m, t, &v);
	ASSERT_STREQ(s,
		     "# target: default/web\n"
		     "# pod web, namespace default\n"
		     "# container nginx: id 0123456789ab, cgroup 4242 "
		     "/sys/fs/cgroup/kubepods/podX/nginx, main pid 42\n"
		     "# reason: crash: SIGSEGV in pid 42 (crash)\n"
		     "# host node-1, kernel 6.18.0, x86_64, flap-recorder 0.1.0, dumped 2024-05-01 "
		     "12:00:05.000000 UTC\n"
		     "# window: 2024-05-01 12:00:00.500000 UTC .. 2024-05-01 12:00:02.000000 UTC\n"
		     "# 3 events held, 2 shown\n"
		     "# history starts at 2024-05-01 12:00:00.500000 UTC: 120 earlier events "
		     "overwritten, 3 lost\n"
		     "# cpu 0: 122 produced, 2 held, 120 overwritten, 0 lost, 0 torn, 200 bytes\n"
		     "# cpu 1: 4 produced, 1 held, 0 overwritten, 3 lost, 0 torn, 100 bytes\n",
		     "overwritten history, verbose");
	free(s);
	flap_trace__free(t);
}

/* No events, torn blocks, a crash without text, several pods, names with control bytes. */
void test_format_header_edges(void)
{
	struct flap_trace *t = new_trace();
	struct flap_source s = {};
	struct flap_dump_meta m;
	char *h;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	make_meta(&m, true);
	m.reason.text[0] = '\0';
	strcpy(m.target, "evil\x1b]0;title\x07");
	t->total.overwritten = 5;
	t->total.torn = 2;
	strcpy(s.pod, "db");
	strcpy(s.container, "pg");
	s.cgroup_id = 7;
	s.counts.held = 1;
	flap_trace__add_source(t, &s);
	h = header_text(&m, t, NULL);
	ASSERT_STREQ(h,
		     "# target: evil\\33]0;title\\7\n"
		     "# container nginx: pod web, namespace default, id 0123456789ab, cgroup 4242 "
		     "/sys/fs/cgroup/kubepods/podX/nginx, main pid 42, 0 held, 0 overwritten, 0 "
		     "lost\n"
		     "# container pg: pod db, cgroup 7, 1 held, 0 overwritten, 0 lost\n"
		     "# reason: crash: SIGSEGV in pid 42 (crash)\n"
		     "# host node-1, kernel 6.18.0, x86_64, flap-recorder 0.1.0, dumped 2024-05-01 "
		     "12:00:05.000000 UTC\n"
		     "# window: no events\n"
		     "# 0 events held\n"
		     "# no history held: 5 earlier events overwritten, 0 lost, 2 torn blocks "
		     "dropped\n",
		     "edges");
	free(h);

	/* Unknown metadata: its lines are left out, the counts are not. */
	memset(&m, 0, sizeof(m));
	h = header_text(&m, t, NULL);
	ASSERT_STREQ(h,
		     "# container nginx: pod web, namespace default, id 0123456789ab, cgroup 4242 "
		     "/sys/fs/cgroup/kubepods/podX/nginx, main pid 42, 0 held, 0 overwritten, 0 "
		     "lost\n"
		     "# container pg: pod db, cgroup 7, 1 held, 0 overwritten, 0 lost\n"
		     "# reason: unknown\n"
		     "# window: no events\n"
		     "# 0 events held\n"
		     "# no history held: 5 earlier events overwritten, 0 lost, 2 torn blocks "
		     "dropped\n",
		     "empty metadata");
	free(h);
	flap_trace__free(t);
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static long long jint(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v ? (long long)json_object_get_int64(v) : -999999;
}

/* Splits @text into lines and parses each as one JSON object. */
static int parse_lines(char *text, struct json_object **objs, int max)
{
	char *save = NULL, *line;
	int n = 0;

	for (line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		objs[n] = json_tokener_parse(line);
		if (!ASSERT_OK_PTR(objs[n], "a JSON object per line"))
			break;
		n++;
	}
	return n;
}

static void check_json_header(struct json_object *h)
{
	struct json_object *cpus = jget(h, "cpus"), *srcs = jget(h, "sources");

	ASSERT_STREQ(jstr(h, "type"), "header", "header type");
	ASSERT_STREQ(jstr(h, "target"), "default/web", "target");
	ASSERT_STREQ(jstr(jget(h, "reason"), "kind"), "crash", "reason kind");
	ASSERT_STREQ(jstr(jget(h, "reason"), "text"), "SIGSEGV in pid 42 (crash)", "reason text");
	ASSERT_EQ(jint(jget(h, "reason"), "signal"), 11, "reason signal");
	ASSERT_EQ(jint(h, "events_held"), 3, "events_held");
	ASSERT_EQ(jint(h, "overwritten"), 120, "overwritten");
	ASSERT_EQ(jint(h, "lost"), 3, "lost");
	ASSERT_FALSE(json_object_get_boolean(jget(h, "history_complete")), "history_complete");
	ASSERT_STREQ(jstr(h, "window_start"), "2024-05-01T12:00:00.000001Z", "window_start");
	ASSERT_STREQ(jstr(h, "window_end"), "2024-05-01T12:00:02.000000Z", "window_end");
	ASSERT_STREQ(jstr(h, "created"), "2024-05-01T12:00:05.000000Z", "created");
	if (ASSERT_EQ(json_object_array_length(cpus), 2, "cpus"))
		ASSERT_EQ(jint(json_object_array_get_idx(cpus, 0), "overwritten"), 120, "cpu 0");
	if (ASSERT_EQ(json_object_array_length(srcs), 1, "sources")) {
		struct json_object *s0 = json_object_array_get_idx(srcs, 0);

		ASSERT_STREQ(jstr(s0, "container"), "nginx", "source container");
		ASSERT_STREQ(jstr(s0, "namespace"), "default", "source namespace");
		ASSERT_EQ(jint(s0, "cgroup_id"), 4242, "source cgroup_id");
	}
}

static void check_json_openat(struct json_object *e)
{
	struct json_object *caps = jget(e, "captures"), *args = jget(e, "args"), *c;

	ASSERT_STREQ(jstr(e, "type"), "event", "event type");
	ASSERT_STREQ(jstr(e, "time"), "2024-05-01T12:00:00.000001Z", "time");
	ASSERT_EQ(jint(e, "ts_ns"), BOOT0 + 1000, "ts_ns");
	ASSERT_EQ(jint(e, "pid"), 40, "pid");
	ASSERT_EQ(jint(e, "tid"), 42, "tid");
	ASSERT_STREQ(jstr(e, "comm"), "a\\x1bb\\\\", "comm escaped");
	ASSERT_STREQ(jstr(e, "syscall"), "openat", "syscall");
	ASSERT_EQ(jint(e, "nr"), nr_of("openat"), "nr");
	ASSERT_EQ(jint(e, "ret"), -2, "ret");
	ASSERT_STREQ(jstr(e, "errno"), "ENOENT", "errno");
	ASSERT_EQ(jint(e, "duration_ns"), 11000, "duration_ns");
	ASSERT_FALSE(json_object_get_boolean(jget(e, "unfinished")), "unfinished");
	ASSERT_TRUE(jget(e, "container") == NULL, "no container with one source");
	if (ASSERT_EQ(json_object_array_length(args), 4, "args"))
		ASSERT_EQ(json_object_get_int64(json_object_array_get_idx(args, 0)), -100,
			  "args[0]");
	if (!ASSERT_EQ(json_object_array_length(caps), 1, "captures"))
		return;
	c = json_object_array_get_idx(caps, 0);
	ASSERT_EQ(jint(c, "arg"), 1, "capture arg");
	ASSERT_STREQ(jstr(c, "text"), "/etc/\xc3\xa9t\xc3\xa9\\x0a\\xff\\xc3\\x00\\\\\"",
		     "capture text");
	ASSERT_EQ(jint(c, "len"), 16, "capture len");
	ASSERT_TRUE(json_object_get_boolean(jget(c, "truncated")), "capture truncated");
	ASSERT_FALSE(json_object_get_boolean(jget(c, "fault")), "capture fault");
}

void test_format_json(void)
{
	static const char path[] = "/etc/\xc3\xa9t\xc3\xa9\n\xff\xc3\0\\\"";
	struct flap_format_opts j = {.json = true};
	struct json_object *objs[8] = {};
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	struct flap_event *ev;
	struct mem mm;
	int err, n, i;

	use_utc();
	make_meta(&m, true);
	t = counted_trace(120, 3);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = &t->events[0];
	ev->nr = nr_of("openat");
	ev->ret = -ENOENT;
	ev->tgid = 40;
	strcpy(ev->comm, "a\x1b"
			 "b\\");
	set_args(ev, 4, AT_CWD64, 0x7ffd0000, 0, 0, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_STR | FLAP_EVCAP_F_TRUNC, path, sizeof(path) - 1);
	ev = &t->events[1];
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED;
	ev = &t->events[2];
	ev->nr = 999;
	ev->flags = FLAP_EV_F_NORETURN | FLAP_EV_F_NO_ARGS;
	if (!mem_open(&mm))
		goto out;
	err = flap_format__trace(mm.f, &m, t, &j);
	mem_close(&mm);
	if (!ASSERT_OK(err, "flap_format__trace"))
		goto out;
	ASSERT_TRUE(mm.len && mm.buf[mm.len - 1] == '\n', "ends with a newline");
	n = parse_lines(mm.buf, objs, 8);
	if (!ASSERT_EQ(n, 4, "header + 3 events"))
		goto out;
	check_json_header(objs[0]);
	check_json_openat(objs[1]);
	ASSERT_TRUE(json_object_get_boolean(jget(objs[2], "unfinished")), "unfinished");
	ASSERT_TRUE(jget(objs[2], "ret") == NULL, "no ret when unfinished");
	ASSERT_TRUE(jget(objs[2], "duration_ns") == NULL, "no duration when unfinished");
	ASSERT_STREQ(jstr(objs[3], "syscall"), "syscall_999", "unknown syscall");
	ASSERT_TRUE(json_object_get_boolean(jget(objs[3], "noreturn")), "noreturn");
	ASSERT_TRUE(json_object_get_boolean(jget(objs[3], "no_args")), "no_args");
	ASSERT_TRUE(jget(objs[3], "args") == NULL, "no args array");
out:
	for (i = 0; i < 8; i++)
		json_object_put(objs[i]);
	free(mm.buf);
	flap_trace__free(t);
}

/* JSON of a pod merge names the container; the bytes of names are valid UTF-8. */
void test_format_json_multi_source(void)
{
	struct flap_format_opts j = {.json = true, .no_header = true};
	struct flap_trace *t = new_trace();
	struct json_object *objs[4] = {};
	struct flap_source s = {};
	struct flap_dump_meta m;
	struct flap_event *ev;
	struct mem mm = {};
	int n, i;

	use_utc();
	make_meta(&m, false);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	strcpy(s.container, "side\xff"
			    "car");
	flap_trace__add_source(t, &s);
	add_ev(t, "getpid", 1, 42);
	ev = add_ev(t, "getpid", 2, 42);
	ev->source = 1;
	if (!mem_open(&mm))
		goto out;
	ASSERT_OK(flap_format__trace(mm.f, &m, t, &j), "flap_format__trace");
	mem_close(&mm);
	n = parse_lines(mm.buf, objs, 4);
	if (!ASSERT_EQ(n, 2, "two events, no header"))
		goto out;
	ASSERT_STREQ(jstr(objs[0], "container"), "nginx", "container 0");
	ASSERT_STREQ(jstr(objs[1], "container"), "side\\xffcar", "container 1");
out:
	for (i = 0; i < 4; i++)
		json_object_put(objs[i]);
	free(mm.buf);
	flap_trace__free(t);
}

/* The JSON header of @t (parsed; the caller puts it), or NULL. */
static struct json_object *header_json(const struct flap_dump_meta *m, const struct flap_trace *t)
{
	struct flap_format_opts j = {.json = true};
	struct json_object *h = NULL;
	char *s = header_text(m, t, &j);

	if (s && parse_lines(s, &h, 1) != 1)
		h = NULL;
	free(s);
	return h;
}

/*
 * A recorder's in-kernel syscall filter is in the header, so "no openat in
 * the dump" is not misread: one line for one filter, one per container when
 * a pod's containers differ, nothing without a filter; the same in JSON.
 */
void test_format_header_filter(void)
{
	struct flap_trace *t = counted_trace(0, 0);
	struct json_object *h = NULL, *srcs, *v;
	struct flap_dump_meta m;
	char *txt = NULL;

	use_utc();
	make_meta(&m, false);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	h = header_json(&m, t);
	ASSERT_FALSE(json_object_object_get_ex(h, "syscall_filter", NULL), "no filter: no key");
	json_object_put(h);

	strcpy(t->sources[0].syscall_filter, "%file,write");
	txt = header_text(&m, t, NULL);
	ASSERT_STREQ(txt,
		     "# target: default/web\n"
		     "# pod web, namespace default\n"
		     "# container nginx: id 0123456789ab, cgroup 4242 "
		     "/sys/fs/cgroup/kubepods/podX/nginx, main pid 42\n"
		     "# recorded syscalls: trace=%file,write (in-kernel filter)\n"
		     "# reason: request\n"
		     "# host node-1, kernel 6.18.0, x86_64, flap-recorder 0.1.0, dumped 2024-05-01 "
		     "12:00:05.000000 UTC\n"
		     "# window: 2024-05-01 12:00:00.000001 UTC .. 2024-05-01 12:00:02.000000 UTC\n"
		     "# 3 events held\n"
		     "# history complete from 2024-05-01 12:00:00.000001 UTC\n",
		     "one filter");
	free(txt);
	h = header_json(&m, t);
	ASSERT_STREQ(jstr(h, "syscall_filter"), "%file,write", "json: the set");
	srcs = jget(h, "sources");
	ASSERT_STREQ(jstr(json_object_array_get_idx(srcs, 0), "syscall_filter"), "%file,write",
		     "json: the source's set");
	json_object_put(h);

	/* A pod merge whose containers were recorded with different sets. */
	add_sidecar(t);
	txt = header_text(&m, t, NULL);
	ASSERT_STRCONTAINS(txt,
			   "cgroup 4343, 0 held, 0 overwritten, 0 lost\n"
			   "# recorded syscalls of nginx: trace=%file,write (in-kernel filter)\n"
			   "# recorded syscalls of side\\33car: all\n"
			   "# reason: request\n",
			   "one line per container");
	free(txt);
	h = header_json(&m, t);
	ASSERT_TRUE(json_object_object_get_ex(h, "syscall_filter", &v) && !v,
		    "json: null when the sources differ");
	srcs = jget(h, "sources");
	ASSERT_STREQ(jstr(json_object_array_get_idx(srcs, 0), "syscall_filter"), "%file,write",
		     "json: source 0");
	ASSERT_FALSE(json_object_object_get_ex(json_object_array_get_idx(srcs, 1), "syscall_filter",
					       NULL),
		     "json: source 1 unfiltered");
	json_object_put(h);

	/* The same set in every container: one line; escaped like any name. */
	strcpy(t->sources[0].syscall_filter, "/^\x1b");
	strcpy(t->sources[1].syscall_filter, "/^\x1b");
	txt = header_text(&m, t, NULL);
	ASSERT_STRCONTAINS(txt, "lost\n# recorded syscalls: trace=/^\\33 (in-kernel filter)\n#",
			   "one line for a shared set");
	free(txt);
	h = header_json(&m, t);
	ASSERT_STREQ(jstr(h, "syscall_filter"), "/^\\x1b", "json: the shared set, escaped");
	json_object_put(h);
	flap_trace__free(t);
}

/* Writes @t to a pipe whose reader is gone. Return: what flap_format__trace() says. */
static int pipe_error(const struct flap_trace *t, const struct flap_dump_meta *m)
{
	int fds[2], err = -1;
	FILE *f;

	signal(SIGPIPE, SIG_IGN);
	if (!ASSERT_OK(pipe(fds), "pipe"))
		return 1;
	close(fds[0]);
	f = fdopen(fds[1], "w");
	if (!ASSERT_OK_PTR(f, "fdopen")) {
		close(fds[1]);
		return 1;
	}
	setvbuf(f, NULL, _IONBF, 0);
	err = flap_format__trace(f, m, t, NULL);
	fclose(f);
	return err;
}

/* A whole trace as text, and the errors: bad arguments, a failing stream. */
void test_format_trace_and_errors(void)
{
	struct flap_format_opts nh = {.no_header = true};
	struct flap_trace *t = counted_trace(0, 0);
	struct flap_dump_meta m;
	struct mem mm = {};
	FILE *full;

	use_utc();
	make_meta(&m, false);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	if (!mem_open(&mm))
		goto out;
	ASSERT_OK(flap_format__trace(mm.f, &m, t, &nh), "no header");
	mem_close(&mm);
	ASSERT_STREQ(mm.buf,
		     "12:00:00.000001 [pid 42] getpid()       = 42 <0.000011>\n"
		     "12:00:00.500000 [pid 42] getpid()       = 42 <0.000011>\n"
		     "12:00:02.000000 [pid 42] getpid()       = 42 <0.000011>\n",
		     "events only");

	ASSERT_EQ(flap_format__event(NULL, t, &t->events[0], NULL), -EINVAL, "NULL stream");
	ASSERT_EQ(flap_format__event(stdout, t, NULL, NULL), -EINVAL, "NULL event");
	ASSERT_EQ(flap_format__header(stdout, NULL, t, NULL), -EINVAL, "NULL meta");
	ASSERT_EQ(flap_format__trace(stdout, &m, NULL, NULL), -EINVAL, "NULL trace");

	full = fopen("/dev/full", "w");
	if (ASSERT_OK_PTR(full, "/dev/full")) {
		setvbuf(full, NULL, _IONBF, 0);
		ASSERT_EQ(flap_format__trace(full, &m, t, NULL), -EIO, "text write error");
		clearerr(full);
		ASSERT_EQ(flap_format__trace(full, &m, t, &(struct flap_format_opts){.json = true}),
			  -EIO, "JSON write error");
		fclose(full);
	}
	ASSERT_EQ(pipe_error(t, &m), -EPIPE, "closed pipe");
out:
	free(mm.buf);
	flap_trace__free(t);
}

/* Three 1 KiB captures of bytes that each take 4 characters: the line outgrows its buffer. */
void test_format_big_line(void)
{
	struct flap_trace *t = new_trace();
	struct flap_event *ev;
	__u8 buf[1024];
	char *s, *p;
	size_t n;
	int i;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	memset(buf, 0xff, sizeof(buf));
	ev = add_ev(t, "setxattr", 1, 0);
	set_args(ev, 5, 1, 2, 3, sizeof(buf), 0, 0);
	for (i = 0; i < 3; i++)
		add_cap(t, ev, i, i < 2 ? FLAP_EVCAP_F_STR : FLAP_EVCAP_F_TRUNC, buf, sizeof(buf));
	s = event_text(t, 0, NULL);
	if (!ASSERT_OK_PTR(s, "text"))
		goto out;
	n = strlen(s);
	ASSERT_EQ(n,
		  strlen("12:00:00.000001 [pid 42] setxattr(") + 3 * (2 + 4 * 1024) + 3 +
			  strlen(", , , 1024, 0) = 0 <0.000011>\n"),
		  "length");
	p = strstr(s, "setxattr(\"");
	ASSERT_TRUE(p && !strncmp(p + 10, "\\377\\377", 8), "escaped");
	ASSERT_STRCONTAINS(s, "\\377\"..., 1024, 0) = 0 <0.000011>\n", "tail");
	free(s);
out:
	flap_trace__free(t);
}

/* UTF-8 in JSON: valid sequences kept, overlong, surrogate, cut and stray bytes escaped. */
void test_format_json_bytes(void)
{
	static const char in[] = "\xf0\x9f\x98\x80|\xc0\x80|\xed\xa0\x80|\xe2\x82|\x80|\x7f|\t";
	struct flap_format_opts j = {.json = true};
	struct flap_trace *t = new_trace();
	struct json_object *o = NULL, *c;
	struct flap_event *ev;
	char *s;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = add_ev(t, "write", 1, 0);
	set_args(ev, 3, 1, 2, sizeof(in) - 1, 0, 0, 0);
	add_cap(t, ev, 1, 0, in, sizeof(in) - 1);
	s = event_text(t, 0, &j);
	if (!ASSERT_OK_PTR(s, "json"))
		goto out;
	o = json_tokener_parse(s);
	free(s);
	c = json_object_array_get_idx(jget(o, "captures"), 0);
	ASSERT_STREQ(jstr(c, "text"),
		     "\xf0\x9f\x98\x80|\\xc0\\x80|\\xed\\xa0\\x80|\\xe2\\x82|\\x80|\\x7f|\\x09",
		     "escaped text");
	ASSERT_EQ(jint(c, "len"), sizeof(in) - 1, "len");
out:
	json_object_put(o);
	flap_trace__free(t);
}

/*
 * A call that returned within the clock tick it entered in, as the decoder
 * gives it from a recorder without --exact-durations: entry time only.
 */
static void dur_short(struct flap_event *ev)
{
	ev->exit_ts = ev->ts;
	ev->dur_ns = 0;
	ev->flags = (ev->flags & ~FLAP_EV_F_HAS_DUR) | FLAP_EV_F_DUR_SHORT;
}

/*
 * The sample of docs/output.md: a small crash dump printed as text
 * (verbose) and as JSON Lines, recorded without --exact-durations: the
 * calls that spanned a clock tick have a duration, the others none. Run
 * with -v to see it.
 */
static struct flap_trace *sample_trace(void)
{
	static const char err[] = "fatal: \x1b[31mno config\x1b[0m\n";
	struct flap_trace *t = new_trace();
	struct flap_event *ev;

	if (!t)
		return NULL;
	strcpy(t->sources[0].container, "app");
	strcpy(t->sources[0].name, "web-app");
	ev = add_ev(t, "openat", 120, -ENOENT);
	set_args(ev, 4, AT_CWD64, 0x5581a0, O_RDONLY | O_CLOEXEC, 0, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_STR, "/etc/app.conf", 13);
	dur_short(ev);
	ev = add_ev(t, "openat", 180, 3);
	set_args(ev, 4, AT_CWD64, 0x5581c0, O_WRONLY | O_CREAT | O_APPEND, 0644, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_STR, "/var/log/app.log", 16);
	ev = add_ev(t, "read", 200, 0);
	set_args(ev, 3, 0, 0x7ffc10, 4096, 0, 0, 0);
	ev->tid = 43;
	strcpy(ev->comm, "app-input");
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED;
	ev = add_ev(t, "mmap", 250, 0x7f5a1c000000LL);
	set_args(ev, 6, 0, 4096, 3, 0x22, ~0ULL, 0);
	dur_short(ev);
	ev = add_ev(t, "write", 300, 4096);
	set_args(ev, 3, 3, 0x7f5a1c000000ULL, 4096, 0, 0, 0);
	add_cap(t, ev, 1, FLAP_EVCAP_F_TRUNC, "level=info msg=\"start\"\n\0\0\0\0", 27);
	ev = add_ev(t, "write", 320, sizeof(err) - 1);
	set_args(ev, 3, 2, 0x5581e0, sizeof(err) - 1, 0, 0, 0);
	add_cap(t, ev, 1, 0, err, sizeof(err) - 1);
	dur_short(ev);
	for (size_t i = 0; i < t->nevents; i++)
		if (t->events[i].tid == 42)
			strcpy(t->events[i].comm, "app");
	t->cpus[0] = (struct flap_cpu_counts){
		.produced = 1206, .held = 4, .overwritten = 1202, .bytes = 90210};
	t->cpus[1] = (struct flap_cpu_counts){.produced = 2, .held = 2, .bytes = 160};
	flap_trace__sum(t);
	t->sources[0].counts = t->total;
	return t;
}

static const char sample_text[] =
	"# target: default/web\n"
	"# pod web, namespace default\n"
	"# container app: id 0123456789ab, cgroup 4242 /sys/fs/cgroup/kubepods/podX/nginx, main "
	"pid 42\n"
	"# durations: measured only for calls that spanned a kernel clock tick; shorter calls show "
	"none (record with --exact-durations for all)\n"
	"# reason: crash: SIGSEGV in pid 42 (crash)\n"
	"# host node-1, kernel 6.18.0, x86_64, flap-recorder 0.1.0, dumped 2024-05-01 "
	"12:00:05.000000 UTC\n"
	"# window: 2024-05-01 12:00:00.000120 UTC .. 2024-05-01 12:00:00.000320 UTC\n"
	"# 6 events held\n"
	"# history starts at 2024-05-01 12:00:00.000120 UTC: 1202 earlier events overwritten, 0 "
	"lost\n"
	"# cpu 0: 1206 produced, 4 held, 1202 overwritten, 0 lost, 0 torn, 90210 bytes\n"
	"# cpu 1: 2 produced, 2 held, 0 overwritten, 0 lost, 0 torn, 160 bytes\n"
	"12:00:00.000120 [pid 42 app] openat(AT_FDCWD, \"/etc/app.conf\", O_RDONLY|O_CLOEXEC) = -1 "
	"ENOENT (No such file or directory)\n"
	"12:00:00.000180 [pid 42 app] openat(AT_FDCWD, \"/var/log/app.log\", "
	"O_WRONLY|O_CREAT|O_APPEND, 0644) = 3</var/log/app.log> <0.000011>\n"
	"12:00:00.000200 [pid 43 app-input] read(0, <unfinished ...>\n"
	"12:00:00.000250 [pid 42 app] mmap(NULL, 4096, PROT_READ|PROT_WRITE, "
	"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5a1c000000\n"
	"12:00:00.000300 [pid 42 app] write(3</var/log/app.log>, "
	"\"level=info msg=\\\"start\\\"\\n\\0\\0\\0\\0\"..., "
	"4096) "
	"= 4096 <0.000011>\n"
	"12:00:00.000320 [pid 42 app] write(2, \"fatal: \\33[31mno config\\33[0m\\n\", 26) = 26\n"
	"12:00:04.000000 [pid 42] +++ killed by SIGSEGV (core dumped) +++\n";

static const char sample_json_event[] =
	"\n{\"type\":\"event\",\"time\":\"2024-05-01T12:00:00.000120Z\",\"ts_ns\":1000120000,"
	"\"pid\":42,\"tid\":42,\"comm\":\"app\",\"syscall\":\"openat\",\"nr\":257,\"cpu\":0,"
	"\"args\":[-100,5603744,524288,0],\"captures\":[{\"arg\":1,\"text\":\"/etc/app.conf\","
	"\"len\":13,\"truncated\":false,\"fault\":false}],\"decoded\":\"openat(AT_FDCWD, "
	"\\\"/etc/app.conf\\\", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)\","
	"\"ret\":-2,\"errno\":\"ENOENT\","
	"\"duration_short\":true,\"unfinished\":false}\n";

void test_format_sample(void)
{
	struct flap_format_opts v = {.verbose = true}, j = {.json = true};
	struct flap_trace *t = sample_trace();
	struct flap_dump_meta m;
	struct mem mm = {};

	use_utc();
	make_meta(&m, true);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	if (!mem_open(&mm))
		goto out;
	ASSERT_OK(flap_format__trace(mm.f, &m, t, &v), "text");
	mem_close(&mm);
	ASSERT_STREQ(mm.buf, sample_text, "sample text");
	if (test__verbose())
		fprintf(stderr, "%s", mm.buf);
	free(mm.buf);
	mm.buf = NULL;
	if (!mem_open(&mm))
		goto out;
	ASSERT_OK(flap_format__trace(mm.f, &m, t, &j), "json");
	mem_close(&mm);
	ASSERT_STRCONTAINS(mm.buf, sample_json_event, "sample JSON event");
	if (test__verbose())
		fprintf(stderr, "%s", mm.buf);
out:
	free(mm.buf);
	flap_trace__free(t);
}

/* Syscalls the kernel ran no dispatcher for are said in the header, never silent. */
void test_format_header_skipped(void)
{
	struct flap_trace *t = counted_trace(0, 0);
	struct json_object *h, *src, *v;
	struct flap_dump_meta m;
	char *txt;

	use_utc();
	make_meta(&m, false);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	txt = header_text(&m, t, NULL);
	ASSERT_TRUE(txt && !strstr(txt, "warning"), "none skipped: no line");
	free(txt);
	h = header_json(&m, t);
	src = json_object_array_get_idx(jget(h, "sources"), 0);
	ASSERT_FALSE(json_object_object_get_ex(src, "node_skipped", NULL), "none skipped: no key");
	json_object_put(h);

	t->sources[0].node_skipped = 7;
	txt = header_text(&m, t, NULL);
	ASSERT_STRCONTAINS(txt,
			   "# history complete from 2024-05-01 12:00:00.000001 UTC\n"
			   "# warning: the kernel skipped 7 syscalls of this node while this was "
			   "recorded (BPF recursion guard); some may be missing here\n",
			   "the count, after the history line");
	free(txt);
	h = header_json(&m, t);
	src = json_object_array_get_idx(jget(h, "sources"), 0);
	ASSERT_TRUE(json_object_object_get_ex(src, "node_skipped", &v) &&
			    json_object_get_uint64(v) == 7,
		    "json: the source's count");
	json_object_put(h);
	flap_trace__free(t);
}

/*
 * Issue 15: a source recorded afresh after a failed adoption says its
 * earlier history was lost at a restart (never "complete"), and exits the
 * lifecycle ring buffer lost are said after the history line; JSON has both.
 */
void test_format_header_losses(void)
{
	struct flap_trace *t = counted_trace(0, 0);
	struct json_object *h, *src, *v;
	struct flap_dump_meta m;
	char *txt;

	use_utc();
	make_meta(&m, false);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	t->sources[0].reset_ns = WALL0 - 60000000000LL;
	t->sources[0].exits_lost = 12000;
	txt = header_text(&m, t, NULL);
	ASSERT_STRCONTAINS(
		txt,
		"# history starts at 2024-05-01 12:00:00.000001 UTC: earlier history "
		"lost at a daemon restart at 2024-05-01 11:59:00.000000 UTC (how many "
		"events: not known), since then 0 earlier events overwritten, 0 lost\n"
		"# warning: 12000 process exits were lost by the daemon's lifecycle ring "
		"buffer (full); crashes among them were recovered, their exit status "
		"otherwise not known\n",
		"the restart, then the lost exits");
	ASSERT_TRUE(txt && !strstr(txt, "complete"), "not complete");
	free(txt);
	h = header_json(&m, t);
	src = json_object_array_get_idx(jget(h, "sources"), 0);
	ASSERT_TRUE(json_object_object_get_ex(src, "exits_lost", &v) &&
			    json_object_get_uint64(v) == 12000,
		    "json: exits_lost");
	ASSERT_TRUE(json_object_object_get_ex(src, "history_reset_ns", &v) &&
			    json_object_get_uint64(v) == (__u64)(WALL0 - 60000000000LL),
		    "json: history_reset_ns");
	json_object_put(h);
	flap_trace__free(t);
}

/*
 * A recorder without --exact-durations measures only the calls that span
 * a clock tick: the header says so when the history holds such a call (one
 * line, or one per container that holds some; none when every shown call
 * was measured), JSON gives the recorders' setting in the
 * header and per source, and a call without a duration is "duration_short"
 * in JSON and has no <...> in text.
 */
void test_format_header_durations(void)
{
	struct flap_trace *t = counted_trace(0, 0);
	struct json_object *h = NULL, *srcs, *v;
	struct flap_dump_meta m;
	struct flap_event *ev;
	char *txt = NULL;

	use_utc();
	make_meta(&m, false);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	/* Every call measured (a file from before, or no call short): no line. */
	txt = header_text(&m, t, NULL);
	ASSERT_TRUE(txt && !strstr(txt, "durations"), "no short call: no line");
	free(txt);

	dur_short(&t->events[1]);
	txt = header_text(&m, t, NULL);
	ASSERT_STRCONTAINS(txt,
			   "main pid 42\n"
			   "# durations: measured only for calls that spanned a kernel clock tick; "
			   "shorter calls show none (record with --exact-durations for all)\n"
			   "# reason: request\n",
			   "default: one line, after the sources");
	free(txt);
	h = header_json(&m, t);
	ASSERT_TRUE(json_object_object_get_ex(h, "exact_durations", &v) &&
			    json_object_is_type(v, json_type_boolean) &&
			    !json_object_get_boolean(v),
		    "json: false");
	srcs = jget(h, "sources");
	ASSERT_TRUE(json_object_object_get_ex(json_object_array_get_idx(srcs, 0), "exact_durations",
					      &v) &&
			    !json_object_get_boolean(v),
		    "json: the source's false");
	json_object_put(h);

	t->sources[0].exact_durations = true;
	txt = header_text(&m, t, NULL);
	ASSERT_TRUE(txt && !strstr(txt, "durations"), "exact: no line");
	free(txt);
	h = header_json(&m, t);
	ASSERT_TRUE(json_object_get_boolean(jget(h, "exact_durations")), "json: true");
	srcs = jget(h, "sources");
	ASSERT_TRUE(json_object_get_boolean(
			    jget(json_object_array_get_idx(srcs, 0), "exact_durations")),
		    "json: the source's true");
	json_object_put(h);

	/* A pod merge: one container recorded with exact durations, one without
	 * whose history holds a short call: a line for that one only. */
	add_sidecar(t);
	ev = add_ev(t, "getpid", 2500000, 42);
	if (!ASSERT_OK_PTR(ev, "event"))
		goto out;
	ev->source = 1;
	dur_short(ev);
	txt = header_text(&m, t, NULL);
	ASSERT_STRCONTAINS(
		txt,
		"cgroup 4343, 0 held, 0 overwritten, 0 lost\n"
		"# durations of side\\33car: measured only for calls that spanned a kernel "
		"clock tick; shorter calls show none (record with --exact-durations for "
		"all)\n"
		"# reason: request\n",
		"a line for the container with short calls");
	ASSERT_TRUE(txt && !strstr(txt, "durations of nginx"), "none for the exact one");
	free(txt);
	h = header_json(&m, t);
	ASSERT_TRUE(json_object_object_get_ex(h, "exact_durations", &v) && !v,
		    "json: null when the sources differ");
	srcs = jget(h, "sources");
	ASSERT_TRUE(json_object_get_boolean(
			    jget(json_object_array_get_idx(srcs, 0), "exact_durations")),
		    "json: source 0 exact");
	ASSERT_FALSE(json_object_get_boolean(
			     jget(json_object_array_get_idx(srcs, 1), "exact_durations")),
		     "json: source 1 not");
	json_object_put(h);

	/* Both without, both with short calls: one line again. */
	t->sources[0].exact_durations = false;
	txt = header_text(&m, t, NULL);
	ASSERT_STRCONTAINS(txt, "lost\n# durations: measured only for calls", "one shared line");
	ASSERT_TRUE(txt && !strstr(txt, "durations of"), "no line per container");
	free(txt);
out:
	flap_trace__free(t);
}

/* A call that returned within its tick: no duration in text, "duration_short" in JSON. */
void test_format_duration_short(void)
{
	struct flap_format_opts j = {.json = true};
	struct flap_trace *t = new_trace();
	struct json_object *o = NULL;
	struct flap_event *ev;
	char *txt;

	use_utc();
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = add_ev(t, "getpid", 1, 42);
	dur_short(ev);
	add_ev(t, "getppid", 2, 1);
	event_is(t, 0, NULL, "12:00:00.000001 [pid 42] getpid()       = 42\n",
		 "short: no duration");
	event_is(t, 1, NULL, "12:00:00.000002 [pid 42] getppid()      = 1 <0.000011>\n",
		 "measured: its duration");
	txt = event_text(t, 0, &j);
	o = txt ? json_tokener_parse(txt) : NULL;
	free(txt);
	if (ASSERT_OK_PTR(o, "json")) {
		ASSERT_TRUE(json_object_get_boolean(jget(o, "duration_short")), "duration_short");
		ASSERT_TRUE(jget(o, "duration_ns") == NULL, "no duration_ns");
		ASSERT_EQ(jint(o, "ret"), 42, "ret");
		ASSERT_STREQ(jstr(o, "time"), "2024-05-01T12:00:00.000001Z", "the entry time");
	}
	json_object_put(o);
	txt = event_text(t, 1, &j);
	o = txt ? json_tokener_parse(txt) : NULL;
	free(txt);
	if (ASSERT_OK_PTR(o, "json measured")) {
		ASSERT_EQ(jint(o, "duration_ns"), 11000, "duration_ns");
		ASSERT_TRUE(jget(o, "duration_short") == NULL, "no duration_short");
	}
	json_object_put(o);
	flap_trace__free(t);
}

/* What the recording kernel lacked is one header line, and two JSON keys. */
void test_format_header_kernel_lacks(void)
{
	struct flap_trace *t = counted_trace(0, 0);
	struct flap_dump_meta m;
	struct json_object *h;
	char *txt;

	use_utc();
	make_meta(&m, false);
	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	txt = header_text(&m, t, NULL);
	ASSERT_TRUE(txt && !strstr(txt, "# bpf:"), "nothing lacked: no line");
	free(txt);
	snprintf(t->bpf_programs, sizeof(t->bpf_programs), "compat");
	snprintf(t->kernel_lacks, sizeof(t->kernel_lacks),
		 "compat programs: no bpf_loop() (5.17): the same events, more cost per syscall");
	txt = header_text(&m, t, NULL);
	ASSERT_STRCONTAINS(txt,
			   "# bpf: compat programs: no bpf_loop() (5.17): the same events, more "
			   "cost per syscall\n",
			   "the line");
	free(txt);
	h = header_json(&m, t);
	ASSERT_STREQ(json_object_get_string(jget(h, "bpf_programs")), "compat", "json variant");
	ASSERT_STRCONTAINS(json_object_get_string(jget(h, "kernel_lacks")), "no bpf_loop()",
			   "json lacks");
	json_object_put(h);
	flap_trace__free(t);
}
