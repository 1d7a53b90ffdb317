// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * unwind.c - DWARF CFI unwinding of a recorded crash (unwind.h).
 *
 * The process is gone: libdwfl gets it back from what the recorder kept.
 * Each object is reported at the load bias a recorded frame (or the
 * program's start_code) gave; the one thread's registers are the recorded
 * ip, sp and bp (x86-64 DWARF numbers 16, 7, 6; the others were not
 * kept, and the CFI of ordinary code needs none of them: its CFA is sp or
 * bp plus a constant); memory is the stack copy, and for an address in an
 * object the object's file contents (a CFI expression may read a table
 * there). A register the CFI cannot recover stays unset, and the unwinder
 * stops where it would need one.
 *
 * libdw falls back to a frame-pointer guess where an address has no CFI
 * (no object of ours holds it): a caller is only kept when the frame it
 * was unwound from was in an object, so the chain ends at the first frame
 * outside them (the return into a library no frame placed, typically).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "unwind.h"

/* x86-64 DWARF register numbers (the psABI's table). */
#define DWARF_RBP 6
#define DWARF_RSP 7

struct unwind {
	const struct flap_unwind_state *st;
	__u64 *pcs;
	int max, n;
	bool outside; /* the last frame was in no object: its caller is a guess */
};

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	if (*thread_argp)
		return 0;
	*thread_argp = arg;
	/* Any positive tid: the thread is only ever asked for by it. */
	return 1;
}

/* A word of an object's file at run-time address @addr. */
static bool read_file(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, addr);
	Dwarf_Addr bias = 0;
	size_t i, nph;
	Elf_Data *d;
	GElf_Phdr ph;
	Elf *elf;

	elf = mod ? dwfl_module_getelf(mod, &bias) : NULL;
	if (!elf || elf_getphdrnum(elf, &nph))
		return false;
	for (i = 0; i < nph; i++) {
		__u64 vaddr = addr - bias;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD || vaddr < ph.p_vaddr ||
		    vaddr - ph.p_vaddr + sizeof(*result) > ph.p_filesz)
			continue;
		d = elf_getdata_rawchunk(elf, ph.p_offset + (vaddr - ph.p_vaddr), sizeof(*result),
					 ELF_T_BYTE);
		if (!d || d->d_size < sizeof(*result))
			return false;
		memcpy(result, d->d_buf, sizeof(*result));
		return true;
	}
	return false;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	const struct flap_unwind_state *st = ((struct unwind *)arg)->st;

	if (addr >= st->sp && addr - st->sp <= st->stack_len &&
	    st->stack_len - (addr - st->sp) >= sizeof(*result)) {
		memcpy(result, st->stack + (addr - st->sp), sizeof(*result));
		return true;
	}
	return read_file(dwfl, addr, result);
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	const struct flap_unwind_state *st = ((struct unwind *)arg)->st;
	Dwarf_Word regs[2] = {st->bp, st->sp};

	/* rbp and rsp; a bp of 0 was not read (or is 0, which says nothing). */
	if (st->bp) {
		if (!dwfl_thread_state_registers(thread, DWARF_RBP, 2, regs))
			return false;
	} else if (!dwfl_thread_state_registers(thread, DWARF_RSP, 1, &regs[1])) {
		return false;
	}
	dwfl_thread_state_register_pc(thread, st->ip);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static int frame_cb(Dwfl_Frame *frame, void *arg)
{
	struct unwind *u = arg;
	Dwarf_Addr pc, look;
	bool activation;

	if (u->outside || u->n >= u->max || !dwfl_frame_pc(frame, &pc, &activation))
		return DWARF_CB_ABORT;
	/* The frame before stood still: the unwind went nowhere. */
	if (u->n && pc == u->pcs[u->n - 1])
		return DWARF_CB_ABORT;
	u->pcs[u->n++] = pc;
	look = activation || !pc ? pc : pc - 1;
	u->outside = !dwfl_addrmodule(dwfl_thread_dwfl(dwfl_frame_thread(frame)), look);
	return DWARF_CB_OK;
}

/* No separate debug files: .eh_frame is in the object itself, and a
 * standard search could reach out to debuginfod. */
static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

/* Every object is reported with its file: none is looked for. */
static int no_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		  char **file_name, Elf **elfp)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name, (void)elfp;
	return -1;
}

static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = no_elf,
	.find_debuginfo = no_debuginfo,
};

int flap_unwind__dwarf(const struct flap_unwind_obj *objs, int nobjs,
		       const struct flap_unwind_state *st, __u64 *pcs, int max)
{
	struct unwind u = {.st = st, .pcs = pcs, .max = max};
	int i, reported = 0;
	Dwfl *dwfl;

	if (!st->ip || !st->sp || !st->stack_len || max < 1)
		return 0;
	dwfl = dwfl_begin(&dwfl_callbacks);
	if (!dwfl)
		return -ENOMEM;
	dwfl_report_begin(dwfl);
	for (i = 0; i < nobjs; i++) {
		const char *base = strrchr(objs[i].path, '/');

		/* At the bias itself: add_p_vaddr places the segments by it. */
		if (dwfl_report_elf(dwfl, base ? base + 1 : objs[i].path, objs[i].path, -1,
				    objs[i].bias, true))
			reported++;
	}
	dwfl_report_end(dwfl, NULL, NULL);
	if (reported && dwfl_attach_state(dwfl, NULL, 1, &thread_callbacks, &u))
		/* -1 is also how the unwind ends on x86-64: the frames are what it found. */
		dwfl_getthread_frames(dwfl, 1, frame_cb, &u);
	dwfl_end(dwfl);
	return u.n;
}
