// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_symbols.c - the crash stack named from ELF files, on this test
 * binary itself: a frame given as build-id and file offset (as the
 * recorder keeps it) is named after the function it is in, with its file;
 * a return address in the stack copy, placed by that frame's load bias,
 * is found by the scan as the caller; words that follow no call are not;
 * a file of a --symbols directory is found by its build-id; a frame whose
 * object is nowhere keeps its address and build-id. And the registers and
 * stack copy of a chain of calls built without frame pointers (this file
 * is, the Makefile says so) unwind by the objects' CFI to every caller.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "flap.h"
#include "dump.h"
#include "symbols.h"
#include "test.h"

static __attribute__((noinline)) __u64 flapsym_callee(void)
{
	__u64 ret = (__u64)__builtin_return_address(0);

	asm volatile("" ::: "memory");
	return ret;
}

/* Returns the return address of its call of flapsym_callee(): inside itself. */
static __attribute__((noinline)) __u64 flapsym_caller(void)
{
	__u64 ret = flapsym_callee();

	asm volatile("" ::: "memory");
	return ret;
}

/* The file offset of @addr in this program's file (/proc/self/maps). */
static bool file_offset_of(__u64 addr, __u64 *off, char *path, size_t size)
{
	char line[4096], file[4096];
	unsigned long lo, hi, pgoff;
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		file[0] = '\0';
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &lo, &hi, &pgoff, file) < 3)
			continue;
		if (addr >= lo && addr < hi && file[0] == '/') {
			*off = addr - lo + pgoff;
			snprintf(path, size, "%s", file);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool reason_with(struct flap_reason *r, __u64 ip, char *path, size_t size)
{
	__u64 off;

	memset(r, 0, sizeof(*r));
	r->has_signal = true;
	r->nframes = 1;
	r->frames[0] = ip;
	r->nids = 1;
	r->ids[0].status = FLAP_FRAME_VALID;
	if (!ASSERT_TRUE(file_offset_of(ip, &off, path, size), "the mapping of this program") ||
	    !ASSERT_EQ(flap_build_id__of(path, r->ids[0].build_id, 20), 20, "its build-id"))
		return false;
	r->ids[0].offset = off;
	return true;
}

void test_symbols_stack(void)
{
	__u64 ip = (__u64)flapsym_callee, ret = flapsym_caller(), junk = ip + 1;
	const char *paths[1];
	struct flap_symbols_opts o = {.no_debug_dir = true};
	struct flap_symbols *s = NULL;
	struct flap_reason *r = calloc(1, sizeof(*r));
	char path[4096];

	if (!ASSERT_OK_PTR(r, "reason") || !reason_with(r, ip, path, sizeof(path)))
		goto out;
	/* The stack: a word that follows no call, then the return address. */
	memcpy(r->stack, &junk, 8);
	memcpy(r->stack + 8, &ret, 8);
	r->stack_len = 16;
	paths[0] = path;
	o.paths = paths;
	o.npaths = 1;
	if (!ASSERT_OK(flap_symbols__new(&o, &s), "new"))
		goto out;
	if (!ASSERT_EQ(flap_stack__symbolize(s, r), 2, "the frame and its caller"))
		goto out;
	ASSERT_STREQ(r->syms[0].symbol, "flapsym_callee", "frame #0");
	ASSERT_EQ(r->syms[0].sym_off, 0, "at its start");
	ASSERT_STREQ(r->syms[0].path, path, "its file");
	ASSERT_EQ(r->syms[0].how, FLAP_FRAME_REGS, "from the registers");
	ASSERT_STREQ(r->syms[1].symbol, "flapsym_caller", "frame #1: the caller");
	ASSERT_GT(r->syms[1].sym_off, 0, "after the call");
	ASSERT_EQ(r->syms[1].addr, ret, "the return address");
	ASSERT_EQ(r->syms[1].how, FLAP_FRAME_SCAN, "found by the scan");
out:
	flap_symbols__free(s);
	free(r);
}

/*
 * A chain of calls without frame pointers, as a crash would leave it: the
 * innermost records its ip, sp and bp and copies FLAP_STACK_BYTES of its
 * stack from sp, as the recorder does at a fatal signal. noipa: each keeps
 * its name and frame (no clone, no inlining, no tail call).
 */
#define FLAPUW __attribute__((noipa))

/* The stack from @sp, byte by byte: the sanitizers' redzones are read too. */
__attribute__((no_sanitize("address"))) static void copy_stack(__u8 *dst, __u64 sp, size_t len)
{
	const volatile __u8 *src = (const volatile __u8 *)sp;
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = src[i];
}

FLAPUW static void flapuw_leaf(struct flap_reason *r)
{
	__u64 ip, sp, bp;

	/* All three at the same instruction: the CFI there says where the
	 * return address is relative to this sp. */
	asm volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
		     : "=r"(ip), "=r"(sp), "=r"(bp));
	r->frames[0] = ip;
	r->sig.ip = ip;
	r->sig.sp = sp;
	r->sig.bp = bp;
	copy_stack(r->stack, sp, FLAP_STACK_BYTES);
	r->stack_len = FLAP_STACK_BYTES;
}

FLAPUW static void flapuw_mid(struct flap_reason *r)
{
	flapuw_leaf(r);
	asm volatile("" ::: "memory");
}

/* A buffer on the stack, live across the call. */
FLAPUW static int flapuw_buf(struct flap_reason *r, const char *tag)
{
	char buf[192];
	int n = snprintf(buf, sizeof(buf), "unwind %s", tag);

	flapuw_mid(r);
	asm volatile("" : : "r"(buf) : "memory");
	return n + buf[n / 2];
}

FLAPUW static int flapuw_outer(struct flap_reason *r)
{
	int n = flapuw_buf(r, "test");

	asm volatile("" ::: "memory");
	return n;
}

void test_symbols_unwind(void)
{
	static const char *const names[] = {"flapuw_leaf", "flapuw_mid", "flapuw_buf",
					    "flapuw_outer", "test_symbols_unwind"};
	struct flap_symbols_opts o = {.no_debug_dir = true};
	struct flap_reason *r = calloc(1, sizeof(*r)), *c = calloc(1, sizeof(*c));
	struct flap_symbols *s = NULL;
	const char *paths[1];
	char path[4096], what[64];
	int i;

	if (!ASSERT_OK_PTR(r, "reason") || !ASSERT_OK_PTR(c, "capture"))
		goto out;
	flapuw_outer(c);
	if (!reason_with(r, c->frames[0], path, sizeof(path)))
		goto out;
	r->sig = c->sig;
	memcpy(r->stack, c->stack, c->stack_len);
	r->stack_len = c->stack_len;
	paths[0] = path;
	o.paths = paths;
	o.npaths = 1;
	if (!ASSERT_OK(flap_symbols__new(&o, &s), "new") ||
	    !ASSERT_GE(flap_stack__symbolize(s, r), 5, "the frame and four callers"))
		goto out;
	for (i = 0; i < 5; i++) {
		snprintf(what, sizeof(what), "frame #%d", i);
		ASSERT_STREQ(r->syms[i].symbol, names[i], what);
		ASSERT_STREQ(r->syms[i].path, path, "in this program");
		ASSERT_EQ(r->syms[i].how, i ? FLAP_FRAME_CFI : FLAP_FRAME_REGS, "found by CFI");
	}
out:
	flap_symbols__free(s);
	free(c);
	free(r);
}

/* The file found by its build-id in a --symbols directory; or nowhere. */
void test_symbols_dir(void)
{
	struct flap_symbols_opts o = {.no_debug_dir = true};
	struct flap_symbols *s = NULL;
	struct flap_reason *r = calloc(1, sizeof(*r));
	char path[4096], dir[4096], *slash;

	if (!ASSERT_OK_PTR(r, "reason") ||
	    !reason_with(r, (__u64)flapsym_caller, path, sizeof(path)))
		goto out;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	o.dir = dir;
	if (ASSERT_OK(flap_symbols__new(&o, &s), "new") &&
	    ASSERT_EQ(flap_stack__symbolize(s, r), 1, "one frame")) {
		ASSERT_STREQ(r->syms[0].symbol, "flapsym_caller", "found in the directory");
		ASSERT_STREQ(r->syms[0].path, path, "the file in it");
	}
	flap_symbols__free(s);
	s = NULL;
	/* Nowhere to look: the address and the build-id stay. */
	o.dir = NULL;
	if (ASSERT_OK(flap_symbols__new(&o, &s), "new") &&
	    ASSERT_EQ(flap_stack__symbolize(s, r), 1, "one frame")) {
		ASSERT_STREQ(r->syms[0].symbol, "", "no name");
		ASSERT_STREQ(r->syms[0].path, "", "no file");
		ASSERT_TRUE(r->syms[0].has_build_id, "the build-id");
		ASSERT_EQ(r->syms[0].addr, (__u64)flapsym_caller, "the address");
	}
	ASSERT_EQ(flap_build_id__of("/nonexistent", r->ids[0].build_id, 20), -ENOENT, "no file");
out:
	flap_symbols__free(s);
	free(r);
}
