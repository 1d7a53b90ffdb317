// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * symbols.c - a crashing thread's stack in function names (symbols.h).
 *
 * A frame the recorder kept as (build-id, file offset) is found in the one
 * object whose ELF GNU build-id note matches: the file offset goes through
 * the object's PT_LOAD program headers to a virtual address, which the
 * symbol table (.symtab, else .dynsym) names. The frame's run-time address
 * minus that virtual address is the object's load bias, which places any
 * other address of the object: so a word of the stack copy that lands in
 * an executable segment right after a call instruction (e8 rel32, or ff /2
 * through a register or memory) is taken as a return address. That gives
 * the caller of a function built without frame pointers, where the
 * kernel's frame-pointer walk stops at the faulting frame; a word left on
 * the stack by an earlier call can be taken too, so such frames are marked.
 *
 * Files are opened only when a build-id asks for one: first those the
 * history names (under each root: the file itself, or /proc/PID/root of a
 * process of the container still alive), then /usr/lib/debug/.build-id,
 * then every file of the --symbols directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>

#include "flap.h"
#include "dump.h"
#include "fdnames.h"
#include "symbols.h"
#include "syscalls.h"
#include "trace.h"
#include "unwind.h"

#define BUILD_ID_MAX 20
#define MAX_SEGS     16
/* Files of a --symbols directory probed at most (and directory levels). */
#define DIR_FILES_MAX 4096
/* Return addresses a scan of the stack adds at most. */
#define SCAN_MAX 8

struct sym {
	__u64 start;
	__u64 size;
	const char *name; /* in the object's Elf data */
};

struct seg {
	__u64 off;
	__u64 vaddr;
	__u64 filesz;
	bool exec;
};

/* A file probed for its build-id; opened for symbols when it matched. */
struct obj {
	char path[PATH_MAX];
	__u8 id[BUILD_ID_MAX];
	int idlen;
	int fd;
	Elf *elf;
	struct seg segs[MAX_SEGS];
	int nsegs;
	struct sym *syms;
	size_t nsyms;
	bool loaded;
};

struct flap_symbols {
	struct flap_symbols_opts o;
	struct obj **objs; /* each allocated on its own: the pointers stay valid */
	size_t nobjs, cap;
	bool dir_done;
};

int flap_build_id__of(const char *path, __u8 *id, size_t size)
{
	Elf_Scn *scn = NULL;
	int fd, n = 0, err = 0;
	GElf_Shdr sh;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto out;
	}
	while (!n && (scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off, next;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		while (d && (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name_off, "GNU", 4)) {
				n = nh.n_descsz < size ? nh.n_descsz : size;
				memcpy(id, (char *)d->d_buf + desc_off, n);
				break;
			}
			off = next;
		}
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err ? err : n;
}

int flap_symbols__new(const struct flap_symbols_opts *o, struct flap_symbols **out)
{
	struct flap_symbols *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	if (o)
		s->o = *o;
	elf_version(EV_CURRENT);
	*out = s;
	return 0;
}

void flap_symbols__free(struct flap_symbols *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nobjs; i++) {
		free(s->objs[i]->syms);
		if (s->objs[i]->elf)
			elf_end(s->objs[i]->elf);
		if (s->objs[i]->fd >= 0)
			close(s->objs[i]->fd);
		free(s->objs[i]);
	}
	free(s->objs);
	free(s);
}

/* Probes the file at @path once: its build-id. Return: the object, or NULL. */
static struct obj *probe(struct flap_symbols *s, const char *path)
{
	struct obj *o, **v;
	size_t i;

	for (i = 0; i < s->nobjs; i++)
		if (!strcmp(s->objs[i]->path, path))
			return s->objs[i];
	if (s->nobjs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;

		v = realloc(s->objs, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->objs = v;
		s->cap = cap;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	s->objs[s->nobjs++] = o;
	o->fd = -1;
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->idlen = flap_build_id__of(path, o->id, sizeof(o->id));
	return o;
}

static bool id_is(const struct obj *o, const __u8 *id)
{
	return o->idlen == BUILD_ID_MAX && !memcmp(o->id, id, BUILD_ID_MAX);
}

/* The files of the --symbols directory and its subdirectories, once. */
static struct obj *scan_dir(struct flap_symbols *s, const char *dir, const __u8 *id, int depth,
			    size_t *nfiles)
{
	char path[PATH_MAX];
	struct obj *o, *found = NULL;
	struct dirent *de;
	struct stat st;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return NULL;
	while (!found && (de = readdir(d)) && *nfiles < DIR_FILES_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
			    sizeof(path) ||
		    stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 2)
				found = scan_dir(s, path, id, depth + 1, nfiles);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		(*nfiles)++;
		o = probe(s, path);
		if (o && id_is(o, id))
			found = o;
	}
	closedir(d);
	return found;
}

/* The object of build-id @id, found where symbols.h says. */
static struct obj *find(struct flap_symbols *s, const __u8 *id)
{
	char path[PATH_MAX];
	struct obj *o;
	size_t i, j, n;

	for (i = 0; i < s->nobjs; i++)
		if (id_is(s->objs[i], id))
			return s->objs[i];
	for (j = 0; j < (s->o.nroots ? s->o.nroots : 1); j++)
		for (i = 0; i < s->o.npaths; i++) {
			snprintf(path, sizeof(path), "%s%s", s->o.nroots ? s->o.roots[j] : "",
				 s->o.paths[i]);
			o = probe(s, path);
			if (o && id_is(o, id))
				return o;
		}
	if (!s->o.no_debug_dir) {
		n = snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%02x/", id[0]);
		for (i = 1; i < BUILD_ID_MAX; i++)
			n += snprintf(path + n, sizeof(path) - n, "%02x", id[i]);
		snprintf(path + n, sizeof(path) - n, ".debug");
		if (access(path, R_OK) == 0) {
			o = probe(s, path);
			if (o && id_is(o, id))
				return o;
		}
	}
	if (s->o.dir && !s->dir_done) {
		n = 0;
		o = scan_dir(s, s->o.dir, id, 0, &n);
		if (o)
			return o;
		/* Every file was probed: later ids are found among the objects. */
		s->dir_done = true;
	}
	return NULL;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The functions of one symbol table section. */
static int read_syms(struct obj *o, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	struct sym *syms;
	GElf_Sym sym;

	if (!d || !n)
		return 0;
	syms = calloc(n, sizeof(*syms));
	if (!syms)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *name;
		int type;

		if (!gelf_getsym(d, i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
		    !sym.st_value)
			continue;
		name = elf_strptr(o->elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		syms[o->nsyms].start = sym.st_value;
		syms[o->nsyms].size = sym.st_size;
		syms[o->nsyms].name = name;
		o->nsyms++;
	}
	o->syms = syms;
	if (o->nsyms > 1)
		qsort(o->syms, o->nsyms, sizeof(*o->syms), cmp_sym);
	return 0;
}

/* Opens a matched object: its loadable segments and its functions. */
static int load(struct obj *o)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	GElf_Shdr sh, dynsh;
	GElf_Phdr ph;
	size_t i, nph;

	if (o->loaded)
		return o->elf ? 0 : -ENOENT;
	o->loaded = true;
	o->fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (o->fd < 0)
		return -errno;
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf || elf_getphdrnum(o->elf, &nph))
		return -ENOEXEC;
	for (i = 0; i < nph && o->nsegs < MAX_SEGS; i++) {
		if (!gelf_getphdr(o->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		o->segs[o->nsegs].off = ph.p_offset;
		o->segs[o->nsegs].vaddr = ph.p_vaddr;
		o->segs[o->nsegs].filesz = ph.p_filesz;
		o->segs[o->nsegs].exec = ph.p_flags & PF_X;
		o->nsegs++;
	}
	while ((scn = elf_nextscn(o->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			return read_syms(o, scn, &sh);
		if (sh.sh_type == SHT_DYNSYM) {
			dyn = scn;
			dynsh = sh;
		}
	}
	return dyn ? read_syms(o, dyn, &dynsh) : 0;
}

/* File offset -> virtual address; false when no loadable segment holds it. */
static bool off_to_vaddr(const struct obj *o, __u64 off, __u64 *vaddr)
{
	int i;

	for (i = 0; i < o->nsegs; i++)
		if (off >= o->segs[i].off && off - o->segs[i].off < o->segs[i].filesz) {
			*vaddr = o->segs[i].vaddr + (off - o->segs[i].off);
			return true;
		}
	return false;
}

/* Virtual address -> file offset in an executable segment. */
static bool exec_off(const struct obj *o, __u64 vaddr, __u64 *off)
{
	int i;

	for (i = 0; i < o->nsegs; i++)
		if (o->segs[i].exec && vaddr >= o->segs[i].vaddr &&
		    vaddr - o->segs[i].vaddr < o->segs[i].filesz) {
			*off = o->segs[i].off + (vaddr - o->segs[i].vaddr);
			return true;
		}
	return false;
}

/* The function holding @vaddr: its name and @vaddr's offset in it. */
static const char *lookup(const struct obj *o, __u64 vaddr, __u64 *off)
{
	size_t lo = 0, hi = o->nsyms;
	const struct sym *f;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (o->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	f = &o->syms[lo - 1];
	if (f->size && vaddr - f->start >= f->size)
		return NULL;
	*off = vaddr - f->start;
	return f->name;
}

/* Does a call instruction end right before @vaddr (a return address)? */
static bool after_call(const struct obj *o, __u64 vaddr)
{
	__u8 b[8];
	__u64 off;

	if (vaddr < sizeof(b) || !exec_off(o, vaddr - sizeof(b), &off) ||
	    pread(o->fd, b, sizeof(b), off) != sizeof(b))
		return false;
	/* e8 rel32 */
	if (b[3] == 0xe8)
		return true;
	/* ff /2: call *%reg (ff d0+r), through memory with a disp8 or SIB
	 * (ff 5x d8, ff 14 24), rip-relative or disp32 (ff 15/9x d32). */
	if (b[6] == 0xff && (b[7] & 0xf8) == 0xd0)
		return true;
	if (b[5] == 0xff && ((b[6] >> 3) & 7) == 2 && (b[6] >> 6) == 1)
		return true;
	if (b[5] == 0xff && b[6] == 0x14)
		return true;
	if (b[2] == 0xff && ((b[3] >> 3) & 7) == 2 && ((b[3] >> 6) == 2 || (b[3] & 0xc7) == 0x05))
		return true;
	return false;
}

/* Copies @src into @dst of @size bytes; a longer one keeps its end ("...lib/x.so"). */
static void copy_tail(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n < size) {
		memcpy(dst, src, n + 1);
		return;
	}
	memcpy(dst, "...", 3);
	memcpy(dst + 3, src + n - (size - 4), size - 4);
	dst[size - 1] = '\0';
}

/* Fills frame @f from object @o (or none) for run-time address @addr. */
static void name_frame(struct flap_stack_frame *f, const struct obj *o, __u64 addr, __u64 vaddr,
		       bool ret_addr)
{
	const char *name;
	__u64 off = 0;

	f->addr = addr;
	if (!o)
		return;
	copy_tail(f->path, sizeof(f->path), o->path);
	/* A return address may be one past its function: look up the call. */
	name = lookup(o, ret_addr ? vaddr - 1 : vaddr, &off);
	if (name) {
		copy_tail(f->symbol, sizeof(f->symbol), name);
		f->sym_off = off + (ret_addr ? 1 : 0);
	}
}

/* An object whose load bias a frame gave. */
struct placed {
	struct obj *o;
	__u64 bias;
};

/* Adds object @o at load bias @bias to the placed ones (once). */
static void place(struct placed *pl, int *npl, struct obj *o, __u64 bias)
{
	int k;

	for (k = 0; k < *npl && pl[k].o != o; k++)
		;
	if (k == *npl && *npl < FLAP_REASON_FRAMES) {
		pl[k].o = o;
		pl[k].bias = bias;
		(*npl)++;
	}
}

/* The program's file, where the kernel loaded its code (mm->start_code: the
 * load bias plus the lowest address of its executable segments). */
static void place_exe(struct flap_symbols *s, const struct flap_reason *r, struct placed *pl,
		      int *npl)
{
	__u64 lo = ~0ULL;
	struct obj *o;
	int i;

	if (!s->o.exe || !r->sig.start_code)
		return;
	o = probe(s, s->o.exe);
	if (!o || load(o))
		return;
	for (i = 0; i < o->nsegs; i++)
		if (o->segs[i].exec && o->segs[i].vaddr < lo)
			lo = o->segs[i].vaddr;
	if (lo != ~0ULL)
		place(pl, npl, o, r->sig.start_code - lo);
}

/*
 * The objects of every frame the kernel named by build-id, placed: a frame
 * the walk does not keep (it read a word that is no return address in
 * code without frame pointers) still lies in a mapped object, and its
 * address minus its file offset's address there is the object's load bias.
 */
static void place_ids(struct flap_symbols *s, const struct flap_reason *r, struct placed *pl,
		      int *npl)
{
	int i, n = r->nids < r->nframes ? r->nids : r->nframes;
	struct obj *o;
	__u64 vaddr;

	for (i = 0; i < n; i++) {
		if (r->ids[i].status != FLAP_FRAME_VALID)
			continue;
		o = find(s, r->ids[i].build_id);
		if (o && !load(o) && off_to_vaddr(o, r->ids[i].offset, &vaddr))
			place(pl, npl, o, r->frames[i] - vaddr);
	}
}

/*
 * The recorded frames, and the objects they place. A frame of the walk
 * (past the first) that does not follow a call in its object ends it, as
 * do one outside any file the kernel could name and one that repeats the
 * one before. Return: frames kept.
 */
static int name_recorded(struct flap_symbols *s, struct flap_reason *r, struct placed *pl, int *npl)
{
	int i, n = r->nframes < FLAP_REASON_STACK ? r->nframes : FLAP_REASON_STACK;

	*npl = 0;
	place_exe(s, r, pl, npl);
	for (i = 0; i < n; i++) {
		struct flap_stack_frame *f = &r->syms[i];
		const struct flap_frame_id *id = i < r->nids ? &r->ids[i] : NULL;
		struct obj *o = NULL;
		__u64 vaddr = 0;

		if (i && r->frames[i] == r->frames[i - 1])
			return i;
		memset(f, 0, sizeof(*f));
		f->how = i ? FLAP_FRAME_FP : FLAP_FRAME_REGS;
		f->addr = r->frames[i];
		/* Not in a file the kernel could name: kept only when no frame could be. */
		if (!id || id->status != FLAP_FRAME_VALID) {
			if (i && r->nids)
				return i;
			continue;
		}
		f->has_build_id = 1;
		memcpy(f->build_id, id->build_id, sizeof(f->build_id));
		f->file_offset = id->offset;
		o = find(s, id->build_id);
		if (!o || load(o) || !off_to_vaddr(o, id->offset, &vaddr))
			continue;
		if (i && o->fd >= 0 && !after_call(o, vaddr))
			return i;
		name_frame(f, o, r->frames[i], vaddr, i > 0);
		place(pl, npl, o, r->frames[i] - vaddr);
	}
	return n;
}

/* Return addresses in the stack copy, after frame @n - 1. Return: frames now. */
static int scan_stack(struct flap_reason *r, const struct placed *pl, int npl, int n)
{
	size_t i, words = r->stack_len / 8;
	int k, added = 0;
	__u64 w, vaddr;

	for (i = 0; i < words && added < SCAN_MAX && n < FLAP_REASON_STACK; i++) {
		memcpy(&w, r->stack + i * 8, 8);
		for (k = 0; k < npl; k++) {
			struct flap_stack_frame *f = &r->syms[n];

			vaddr = w - pl[k].bias;
			if (!after_call(pl[k].o, vaddr))
				continue;
			memset(f, 0, sizeof(*f));
			f->how = FLAP_FRAME_SCAN;
			f->file_offset = 0;
			exec_off(pl[k].o, vaddr, &f->file_offset);
			f->has_build_id = 1;
			memcpy(f->build_id, pl[k].o->id, sizeof(f->build_id));
			name_frame(f, pl[k].o, w, vaddr, true);
			n++;
			added++;
			break;
		}
	}
	return n;
}

/* The placed object whose code holds run-time address @addr (@off: its file offset). */
static const struct placed *placed_at(const struct placed *pl, int npl, __u64 addr, __u64 *off)
{
	int k;

	for (k = 0; k < npl; k++)
		if (exec_off(pl[k].o, addr - pl[k].bias, off))
			return &pl[k];
	return NULL;
}

/*
 * The callers as the objects' CFI gives them (unwind.h), when that finds
 * more frames than the @n kept so far. Frames the frame-pointer walk gave
 * too keep its mark, up to the first that differs. Return: frames now.
 */
static int unwind_cfi(struct flap_reason *r, const struct placed *pl, int npl, int n)
{
	struct flap_unwind_state st = {
		.ip = r->frames[0],
		.sp = r->sig.sp,
		.bp = r->sig.bp,
		.stack = r->stack,
		.stack_len = r->stack_len,
	};
	struct flap_unwind_obj objs[FLAP_REASON_FRAMES];
	__u64 pcs[FLAP_REASON_STACK], off;
	bool same = true;
	int i, k, m;

	for (k = 0; k < npl; k++) {
		objs[k].path = pl[k].o->path;
		objs[k].bias = pl[k].bias;
	}
	m = flap_unwind__dwarf(objs, npl, &st, pcs, FLAP_REASON_STACK);
	if (m <= n || pcs[0] != r->frames[0])
		return n;
	for (i = 1; i < m; i++) {
		struct flap_stack_frame *f = &r->syms[i];
		const struct placed *p;

		same = same && i < n && f->addr == pcs[i];
		if (same)
			continue;
		memset(f, 0, sizeof(*f));
		f->how = FLAP_FRAME_CFI;
		f->addr = pcs[i];
		/* A return address: the call is the byte before it. */
		p = placed_at(pl, npl, pcs[i] - 1, &off);
		if (!p)
			continue;
		f->has_build_id = 1;
		memcpy(f->build_id, p->o->id, sizeof(f->build_id));
		f->file_offset = off + 1;
		name_frame(f, p->o, pcs[i], pcs[i] - p->bias, true);
	}
	return m;
}

int flap_stack__symbolize(struct flap_symbols *s, struct flap_reason *r)
{
	struct placed pl[FLAP_REASON_FRAMES];
	int n, npl;

	r->nsyms = 0;
	if (!r->has_signal || !r->nframes)
		return 0;
	n = name_recorded(s, r, pl, &npl);
	/* Registers and the stack copy: the objects' CFI may get further. */
	if (r->sig.sp && r->stack_len) {
		place_ids(s, r, pl, &npl);
		n = unwind_cfi(r, pl, npl, n);
	}
	/* The frame-pointer walk stopped at the fault: the stack may say more. */
	if (n < 2 && r->stack_len)
		n = scan_stack(r, pl, npl, n);
	r->nsyms = n;
	return n;
}

/* ---- paths the history names -------------------------------------------- */

/* The argument index of the path of syscall @name, -1 when it has none here. */
static int path_arg(const char *name)
{
	if (!strcmp(name, "execve") || !strcmp(name, "open"))
		return 0;
	if (!strcmp(name, "execveat") || !strcmp(name, "openat") || !strcmp(name, "openat2"))
		return 1;
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void flap_symbols__free_paths(char **paths, int n)
{
	int i;

	for (i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

/* The path argument @arg of @ev as captured: its bytes, or NULL. */
static const struct flap_cap *path_cap(const struct flap_event *ev, int arg)
{
	int j;

	for (j = 0; j < ev->ncaps; j++) {
		const struct flap_cap *c = &ev->caps[j];

		if (c->arg == arg && c->len && !memchr(c->data, 0, c->len) &&
		    !(c->flags & FLAP_EVCAP_F_TRUNC))
			return c;
	}
	return NULL;
}

/*
 * The absolute path of the file that successful call @ev (an execve, open
 * or openat) named, joined with its directory fd or its process's working
 * directory as @f knows them before @ev (a `run -- ./app`, a relative
 * dlopen), or NULL. Call it before updating @f with @ev.
 */
static char *named_path(const struct flap_fdnames *f, const struct flap_event *ev)
{
	const struct flap_syscall *sc = ev->sig ? NULL : flap_syscall__by_nr(ev->nr);
	const struct flap_cap *c;
	char *path = NULL;
	int arg;

	if (!sc || (arg = path_arg(sc->name)) < 0 || !(ev->flags & FLAP_EV_F_HAS_RET) ||
	    ev->ret < 0 || !(c = path_cap(ev, arg)))
		return NULL;
	if (c->data[0] == '/')
		return strndup((const char *)c->data, c->len);
	if (!f)
		return NULL;
	if (!strcmp(sc->name, "execve")) {
		path = flap_fdnames__join(f, ev, (const char *)c->data, c->len);
	} else if (strcmp(sc->name, "execveat")) {
		path = flap_fdnames__open_path(f, ev);
	}
	if (path && path[0] != '/') {
		free(path);
		path = NULL;
	}
	return path;
}

/*
 * Calls @fn with each event of @t in time order and the absolute path it
 * named (named_path(): NULL when none), keeping a descriptor table of the
 * history for the relative ones. Stops at the first nonzero return.
 */
static int walk_paths(const struct flap_trace *t,
		      int (*fn)(void *ctx, const struct flap_event *ev, char *path), void *ctx)
{
	struct flap_fdnames *f = NULL;
	size_t i;
	int err = 0;

	if (flap_fdnames__new(&f) || flap_fdnames__seed(f, t)) {
		/* Without the table only absolute paths are known. */
		flap_fdnames__free(f);
		f = NULL;
	}
	for (i = 0; i < t->nevents && !err; i++) {
		const struct flap_event *ev = &t->events[i];

		err = fn(ctx, ev, named_path(f, ev));
		if (f)
			flap_fdnames__update(f, ev);
	}
	flap_fdnames__free(f);
	return err;
}

struct path_list {
	char **paths;
	size_t n, cap;
};

static int add_path(void *ctx, const struct flap_event *ev, char *path)
{
	struct path_list *l = ctx;
	char **p;

	(void)ev;
	if (!path)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		p = realloc(l->paths, l->cap * sizeof(*p));
		if (!p) {
			free(path);
			return -ENOMEM;
		}
		l->paths = p;
	}
	l->paths[l->n++] = path;
	return 0;
}

int flap_symbols__paths_of(const struct flap_trace *t, char ***out)
{
	struct path_list l = {};
	size_t i, k;

	if (walk_paths(t, add_path, &l)) {
		flap_symbols__free_paths(l.paths, (int)l.n);
		return -ENOMEM;
	}
	if (l.n > 1)
		qsort(l.paths, l.n, sizeof(*l.paths), cmp_str);
	for (i = k = 0; i < l.n; i++) {
		if (k && !strcmp(l.paths[k - 1], l.paths[i])) {
			free(l.paths[i]);
			continue;
		}
		l.paths[k++] = l.paths[i];
	}
	*out = l.paths;
	return (int)k;
}

struct exe_ctx {
	__u32 tgid;
	char *buf;
	size_t size;
	bool found;
};

static int last_exe(void *ctx, const struct flap_event *ev, char *path)
{
	struct exe_ctx *x = ctx;
	const struct flap_syscall *sc;

	if (path && ev->tgid == x->tgid && !ev->ret && strlen(path) < x->size &&
	    (sc = flap_syscall__by_nr(ev->nr)) && !strcmp(sc->name, "execve")) {
		strcpy(x->buf, path);
		x->found = true;
	}
	free(path);
	return 0;
}

const char *flap_symbols__exe_of(const struct flap_trace *t, __u32 tgid, char *buf, size_t size)
{
	struct exe_ctx x = {.tgid = tgid, .buf = buf, .size = size};
	const struct flap_cap *c;
	size_t i;

	/* The last execve's path as captured, when absolute: no walk of the history. */
	for (i = t->nevents; i-- > 0;) {
		const struct flap_event *ev = &t->events[i];
		const struct flap_syscall *sc = ev->sig ? NULL : flap_syscall__by_nr(ev->nr);

		if (!sc || ev->tgid != tgid || strcmp(sc->name, "execve") ||
		    !(ev->flags & FLAP_EV_F_HAS_RET) || ev->ret)
			continue;
		c = path_cap(ev, 0);
		/* Relative, cut or too long: the walk finds what it resolves to, or an earlier one.
		 */
		if (!c || c->data[0] != '/' || c->len >= size)
			break;
		memcpy(buf, c->data, c->len);
		buf[c->len] = '\0';
		return buf;
	}
	walk_paths(t, last_exe, &x);
	return x.found ? buf : NULL;
}
