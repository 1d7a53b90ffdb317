// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * args_large.c - printers of the structures larger than the recorder's
 * size classes (flap.h enum flap_large), of which the recorder keeps what
 * strace prints without -v: uname's struct new_utsname (sysname and
 * nodename, then "..."), sysinfo's struct sysinfo and statfs/fstatfs's
 * struct statfs (its file system magic and mount flags by name).
 */
#include <string.h>
#include <sys/sysinfo.h>

#include <linux/types.h>

#include "flap.h"
#include "args_internal.h"
#include "util.h"

/* Bytes of one struct new_utsname field. */
#define UTS_FIELD 65

/* Offsets of struct statfs (x86_64 and arm64: the kernel's asm-generic). */
enum {
	STATFS_FSID = 56,
	STATFS_NAMELEN = 64,
	STATFS_FRSIZE = 72,
	STATFS_FLAGS = 80,
};

/* File system magics by name (strace's fsmagic), the ones containers meet. */
static const struct flap_xlat fs_magic_v[] = {
	{0x0000adf5, "ADFS_SUPER_MAGIC"},    {0x00009660, "ISOFS_SUPER_MAGIC"},
	{0x00001cd1, "DEVPTS_SUPER_MAGIC"},  {0x00004d44, "MSDOS_SUPER_MAGIC"},
	{0x00006969, "NFS_SUPER_MAGIC"},     {0x00009fa0, "PROC_SUPER_MAGIC"},
	{0x0000ef53, "EXT2_SUPER_MAGIC"},    {0x01021994, "TMPFS_MAGIC"},
	{0x01021997, "V9FS_MAGIC"},	     {0x0027e0eb, "CGROUP_SUPER_MAGIC"},
	{0x19800202, "MQUEUE_MAGIC"},	     {0x42465331, "BFS_MAGIC"},
	{0x58465342, "XFS_SB_MAGIC"},	     {0x62656572, "SYSFS_MAGIC"},
	{0x63677270, "CGROUP2_SUPER_MAGIC"}, {0x64626720, "DEBUGFS_MAGIC"},
	{0x65735546, "FUSE_SUPER_MAGIC"},    {0x6e736673, "NSFS_MAGIC"},
	{0x73636673, "SECURITYFS_MAGIC"},    {0x73717368, "SQUASHFS_MAGIC"},
	{0x74726163, "TRACEFS_MAGIC"},	     {0x794c7630, "OVERLAYFS_SUPER_MAGIC"},
	{0x858458f6, "RAMFS_MAGIC"},	     {0x9123683e, "BTRFS_SUPER_MAGIC"},
	{0x958458f6, "HUGETLBFS_MAGIC"},     {0xcafe4a11, "BPF_FS_MAGIC"},
	{0xf2f52010, "F2FS_SUPER_MAGIC"},    {0xff534d42, "CIFS_SUPER_MAGIC"},
	{0x2fc12fc1, "ZFS_SUPER_MAGIC"},     {0x50495045, "PIPEFS_MAGIC"},
	{0x534f434b, "SOCKFS_MAGIC"},	     {0x09041934, "ANON_INODE_FS_MAGIC"},
};
static const struct flap_xlat_table fs_magic = {
	.v = fs_magic_v, .n = ARRAY_SIZE(fs_magic_v), .unknown = NULL};

/* statfs's f_flags (ST_*), in strace's order: ST_VALID first. */
static const struct flap_xlat st_flags_v[] = {
	{0x0020, "ST_VALID"},	  {0x0001, "ST_RDONLY"},      {0x0002, "ST_NOSUID"},
	{0x0004, "ST_NODEV"},	  {0x0008, "ST_NOEXEC"},      {0x0010, "ST_SYNCHRONOUS"},
	{0x0040, "ST_MANDLOCK"},  {0x0080, "ST_WRITE"},	      {0x0100, "ST_APPEND"},
	{0x0200, "ST_IMMUTABLE"}, {0x0400, "ST_NOATIME"},     {0x0800, "ST_NODIRATIME"},
	{0x1000, "ST_RELATIME"},  {0x2000, "ST_NOSYMFOLLOW"},
};
static const struct flap_xlat_table st_flags = {
	.v = st_flags_v, .n = ARRAY_SIZE(st_flags_v), .unknown = NULL};

static __u64 u64_at(const __u8 *p, size_t off)
{
	__u64 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static __u32 u32_at(const __u8 *p, size_t off)
{
	__u32 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* {sysname="Linux", nodename="vm", ...}: strace's form without -v. */
void flap_args__s_utsname(const struct actx *a, const struct flap_cap *c)
{
	const char *p = (const char *)c->data;

	flap_args__put(a, "{sysname=");
	flap_text__quote(a->out, p, strnlen(p, UTS_FIELD), false);
	flap_args__put(a, ", nodename=");
	flap_text__quote(a->out, p + UTS_FIELD, strnlen(p + UTS_FIELD, UTS_FIELD), false);
	flap_args__put(a, ", ...}");
}

/* {uptime=1071, loads=[518848, 438944, 248512], totalram=..., mem_unit=1} */
void flap_args__s_sysinfo(const struct actx *a, const struct flap_cap *c)
{
	struct sysinfo si;

	memset(&si, 0, sizeof(si));
	memcpy(&si, c->data, c->len < sizeof(si) ? c->len : sizeof(si));
	flap_text__printf(a->out,
			  "{uptime=%ld, loads=[%lu, %lu, %lu], totalram=%lu, freeram=%lu, "
			  "sharedram=%lu, bufferram=%lu, totalswap=%lu, freeswap=%lu, procs=%u, "
			  "totalhigh=%lu, freehigh=%lu, mem_unit=%u}",
			  si.uptime, si.loads[0], si.loads[1], si.loads[2], si.totalram, si.freeram,
			  si.sharedram, si.bufferram, si.totalswap, si.freeswap,
			  (unsigned int)si.procs, si.totalhigh, si.freehigh, si.mem_unit);
}

/* {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, ..., f_flags=ST_VALID|ST_RELATIME} */
void flap_args__s_statfs(const struct actx *a, const struct flap_cap *c)
{
	static const char *const counts[] = {"f_bsize",	 "f_blocks", "f_bfree",
					     "f_bavail", "f_files",  "f_ffree"};
	const __u8 *p = c->data;
	const char *name;
	size_t k;

	name = flap_xlat__name(&fs_magic, u64_at(p, 0));
	if (name)
		flap_text__printf(a->out, "{f_type=%s", name);
	else
		flap_text__printf(a->out, "{f_type=%#llx", (unsigned long long)u64_at(p, 0));
	for (k = 0; k < ARRAY_SIZE(counts); k++)
		flap_text__printf(a->out, ", %s=%llu", counts[k],
				  (unsigned long long)u64_at(p, 8 * (k + 1)));
	flap_text__printf(a->out, ", f_fsid={val=[%#x, %#x]}", u32_at(p, STATFS_FSID),
			  u32_at(p, STATFS_FSID + 4));
	flap_text__printf(a->out, ", f_namelen=%llu, f_frsize=%llu, f_flags=",
			  (unsigned long long)u64_at(p, STATFS_NAMELEN),
			  (unsigned long long)u64_at(p, STATFS_FRSIZE));
	flap_xlat__flags(a->out, &st_flags, u64_at(p, STATFS_FLAGS), "0");
	flap_args__put(a, "}");
}
