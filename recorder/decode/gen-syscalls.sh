#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# gen-syscalls.sh - generate the syscall table (an X-macro header) at build
# time from two inputs:
#   1. the system headers: <asm/unistd_64.h> gives every syscall's name and
#      number for this architecture;
#   2. the kernel's syscall metadata: the argument types and names the kernel
#      publishes in tracefs (events/syscalls/sys_enter_<name>/format),
#      captured into recorder/decode/syscalls_<arch>.meta by `make syscall-meta`
#      (`gen-syscalls.sh --capture`), so a build needs neither root nor tracefs.
#
# Each argument gets a capture kind for the BPF recorder (flap.h
# enum flap_arg_kind): STR for input strings (paths, names), BUF_IN for
# input buffers whose length is the next argument, BUF_OUT for output buffers
# whose length is the return value, VAL for everything else. Directions the
# types do not tell (void * buffers) come from the syscall's name.
#
# Structured kinds come from the types as well:
#   struct sockaddr * + int len         SOCKADDR_IN  (connect, bind, sendto)
#   struct sockaddr * + int *len        SOCKADDR_OUT (accept, recvfrom, getsockname)
#   const struct iovec * + count        IOV_IN (writev...) / IOV_OUT (readv...)
#   const char *const * argv / envp     ARGV / ENVP (execve, execveat)
#   struct stat *, struct statx *       STRUCT_OUT, the first 64 bytes
#   struct new_utsname *, sysinfo *,    STRUCT_OUT of size class 0: a large
#   statfs *                            structure, its layout (flap.h enum
#                                       flap_large) in the kind of argument 5
#   struct open_how *, sigaction, sigset_t, timespec, rlimit, epoll_event,
#   clone_args, stack_t, int *status    STRUCT_IN (const or known input
#                                       names) / STRUCT_OUT, whole
#   struct pollfd * + count             ARRAY;  struct epoll_event * out: ARRAY_RET
#   struct linux_dirent(64) *           DIRENTS (the number of entries)
#   int * of pipe, pipe2, socketpair    NEWFD (the fds and their inodes); socket,
#                                       accept, accept4: NEWFD on the first argument
#                                       (the inode of the fd returned)
# A call with a SOCKADDR_OUT argument has FLAP_SC_INLEN: its length is read
# at entry too (strace's [128 => 16]).
# A struct's size is a fact of the x86_64 ABI (struct_size() below; the
# decoders check each against sizeof() of the uapi struct). All struct and
# array captures of one call share a size class (flap.h FLAP_SC_SIZE): an
# argument whose size differs from the first one stays VAL.
#
# The kernel's metadata names a few calls differently from <asm/unistd_64.h>
# (newstat for stat...): meta_name() maps them.
#
# Output lines:
#   FLAP_SYSCALL(nr, name, nargs, flags, k0, k1, k2, k3, k4, k5)
#   FLAP_SYSCALL_ARG(nr, index, "type", "name")
set -eu

capture() {
	dir=
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		if [ -d "$d/events/syscalls" ]; then dir=$d; break; fi
	done
	if [ -z "$dir" ]; then
		dir=$(mktemp -d)
		mount -t tracefs nodev "$dir" || { echo "gen-syscalls: cannot mount tracefs" >&2; exit 1; }
		trap 'umount "$dir"; rmdir "$dir"' EXIT
	fi
	echo "# kernel syscall metadata from tracefs events/syscalls/*/format"
	echo "# captured on $(uname -srm); regenerate with: make syscall-meta"
	for f in "$dir"/events/syscalls/sys_enter_*/format; do
		name=${f%/format}
		name=${name##*/sys_enter_}
		awk -v name="$name" '
			/field:/ && !/common_|__syscall_nr/ {
				sub(/^[ \t]*field:/, ""); sub(/;.*/, "")
				n = split($0, w, " "); arg = w[n]
				type = substr($0, 1, length($0) - length(arg) - 1)
				line = line "\t" type " " arg
			}
			END { print name line }' "$f"
	done | sort
}

if [ "${1:-}" = "--capture" ]; then
	capture
	exit 0
fi

if [ $# -ne 2 ]; then
	echo "usage: gen-syscalls.sh UNISTD_H META | --capture" >&2
	exit 2
fi

awk -F'\t' '
# Pass 1: the metadata file, name -> args.
FNR == NR {
	if ($0 ~ /^#/ || NF == 0) next
	nargs[$1] = NF - 1
	for (i = 2; i <= NF; i++) arg[$1, i - 2] = $i
	next
}

function argtype(s) { return substr(s, 1, length(s) - length(argname(s)) - 1) }
function argname(s,   n, w) { n = split(s, w, " "); return w[n] }
function is_len(s,   n) {
	n = argname(s)
	return n ~ /^(count|len|size|bufsiz|buflen|nbytes|plen|ulen|length|msgsz|msg_len|vlen)$/
}
function out_by_name(sc) {
	return sc ~ /^(read|pread64|recvfrom|getrandom|getxattr|lgetxattr|fgetxattr|listxattr|llistxattr|flistxattr|mq_timedreceive|getcwd|readlink|readlinkat|syslog|msgrcv|getxattrat|listxattrat)$/
}
function in_by_name(sc) {
	return sc ~ /^(write|pwrite64|sendto|msgsnd|setxattr|lsetxattr|fsetxattr|sethostname|setdomainname|mq_timedsend|add_key|init_module|setxattrat)$/
}
# Bytes of the structs the recorder captures whole (x86_64 ABI), 0 = none.
function struct_size(t) {
	sub(/^const /, "", t)
	if (t == "struct sigaction *") return 32
	if (t == "sigset_t *") return 8
	if (t == "struct __kernel_timespec *") return 16
	if (t == "struct __kernel_old_timeval *") return 16
	if (t == "struct __kernel_itimerspec *") return 32
	if (t == "struct __kernel_old_itimerval *") return 32
	if (t == "struct rlimit64 *" || t == "struct rlimit *") return 16
	if (t == "struct epoll_event *") return 12
	if (t == "struct pollfd *") return 8
	if (t == "struct open_how *") return 24
	if (t == "struct clone_args *") return 64
	if (t == "stack_t *") return 24
	if (t == "struct stat *" || t == "struct statx *") return 64
	return 0
}
# Structures larger than the size classes the recorder keeps the start of.
function large_layout(t) {
	if (t == "struct new_utsname *") return "FLAP_LARGE_UTSNAME"
	if (t == "struct sysinfo *") return "FLAP_LARGE_SYSINFO"
	if (t == "struct statfs *") return "FLAP_LARGE_STATFS"
	return ""
}
function size_class(sz) {
	return sz == 4 ? 1 : sz == 8 ? 2 : sz == 12 ? 3 : sz == 16 ? 4 : sz == 24 ? 5 : \
	       sz == 32 ? 6 : sz == 64 ? 7 : 0
}
# Struct pointers the kernel declares without const that the call only reads.
function struct_in(sc, t, nm) {
	return t ~ /^const / || nm ~ /^(nset|unewset|rqtp|event|uargs|how|utimes|tsp|tvp|timeout|user_mask|new_rlim)$/ ||
	       sc == "setrlimit" || sc == "settimeofday" || (sc == "setitimer" && nm == "value") ||
	       (sc == "sigaltstack" && nm == "uss")
}
# A structured kind needing the size class of @sz bytes: the first
# such argument of a call sets its class, a later one of another size stays VAL.
function sized(sc, kd, sz,   c) {
	c = size_class(sz)
	if (!c) return "FLAP_ARG_VAL"
	if (!(sc in cls)) cls[sc] = c
	return cls[sc] == c ? kd : "FLAP_ARG_VAL"
}
function struct_kind(sc, i, n, t, nm,   nt, sz) {
	nt = (i + 1 < n) ? argtype(arg[sc, i + 1]) : ""
	if (t == "struct sockaddr *" && nt == "int") return "FLAP_ARG_SOCKADDR_IN"
	if (t == "struct sockaddr *" && nt == "int *") return "FLAP_ARG_SOCKADDR_OUT"
	if (t == "const struct iovec *" && sc ~ /^(readv|preadv|preadv2)$/) return "FLAP_ARG_IOV_OUT"
	if (t == "const struct iovec *" && sc ~ /^(writev|pwritev|pwritev2)$/) return "FLAP_ARG_IOV_IN"
	if (t == "const char *const *" && nm == "argv") return "FLAP_ARG_ARGV"
	if (t == "const char *const *" && nm == "envp") return "FLAP_ARG_ENVP"
	if (t == "int *" && sc ~ /^(pipe|pipe2|socketpair)$/) return sized(sc, "FLAP_ARG_NEWFD", 8)
	if (t ~ /^struct linux_dirent(64)? \*$/) return "FLAP_ARG_DIRENTS"
	if (t == "int *" && sc == "wait4" && nm == "stat_addr")
		return sized(sc, "FLAP_ARG_STRUCT_OUT", 4)
	if (t == "gid_t *" && sc == "getgroups") return sized(sc, "FLAP_ARG_ARRAY_RET", 4)
	# two timespecs: access and modification
	if (sc == "utimensat" && nm == "utimes") return sized(sc, "FLAP_ARG_STRUCT_IN", 32)
	if (nm == "rmtp") return "FLAP_ARG_VAL" # written only when interrupted
	if (large_layout(t) && !(sc in cls)) {
		large[sc] = large_layout(t)
		return "FLAP_ARG_STRUCT_OUT"
	}
	sz = struct_size(t)
	if (!sz) return "FLAP_ARG_VAL"
	if (t ~ /struct pollfd \*$/ && nt ~ /int$/) return sized(sc, "FLAP_ARG_ARRAY", sz)
	if (t == "struct epoll_event *" && sc ~ /^epoll_(wait|pwait|pwait2)$/)
		return sized(sc, "FLAP_ARG_ARRAY_RET", sz)
	return sized(sc, struct_in(sc, t, nm) ? "FLAP_ARG_STRUCT_IN" : "FLAP_ARG_STRUCT_OUT", sz)
}
function kind(sc, i, n,   t, nm, next_is_len) {
	t = argtype(arg[sc, i]); nm = argname(arg[sc, i])
	# the inode of the socket returned, kept with the first (plain) argument
	if (i == 0 && sc ~ /^(socket|accept|accept4)$/) return "FLAP_ARG_NEWFD"
	# buffers whose length argument has no length name or comes first
	if (sc == "setsockopt" && nm == "optval") return "FLAP_ARG_BUF_IN"
	if (sc == "sched_getaffinity" && nm == "user_mask_ptr") return "FLAP_ARG_BUF_OUT"
	next_is_len = (i + 1 < n) && is_len(arg[sc, i + 1])
	if (t == "const char *const *") return struct_kind(sc, i, n, t, nm)
	if (t ~ /\*.*\*/) return "FLAP_ARG_VAL"
	if (t ~ /struct|union|_t \*$|^int \*$/) return struct_kind(sc, i, n, t, nm)
	if (t == "const char *" || t == "const void *") {
		if (next_is_len && !out_by_name(sc) && nm !~ /path|file|name/)
			return "FLAP_ARG_BUF_IN"
		if (t == "const char *") return "FLAP_ARG_STR"
		return "FLAP_ARG_VAL"
	}
	if (t == "char *" || t == "void *" || t == "unsigned char *") {
		if (next_is_len && in_by_name(sc)) return "FLAP_ARG_BUF_IN"
		if (next_is_len && (out_by_name(sc) || t == "char *")) return "FLAP_ARG_BUF_OUT"
		if (t == "char *" && nm ~ /^(dev_name|dir_name|type|name|path|filename|pathname)$/)
			return "FLAP_ARG_STR"
		return "FLAP_ARG_VAL"
	}
	return "FLAP_ARG_VAL"
}
# Metadata name of a syscall whose tracepoint is named differently.
function meta_name(sc) {
	if (sc == "stat" || sc == "fstat" || sc == "lstat" || sc == "uname") return "new" sc
	if (sc == "sendfile") return "sendfile64"
	if (sc == "umount2") return "umount"
	return sc
}

# Pass 2: the unistd header, name and number.
$0 ~ /^#define __NR_[a-z0-9_]+[ \t]+[0-9]+/ {
	split($0, w, /[ \t]+/)
	sc = substr(w[2], 6); nr = w[3]
	m = meta_name(sc)
	if (m != sc && (m in nargs)) {
		nargs[sc] = nargs[m]
		for (i = 0; i < nargs[m]; i++) arg[sc, i] = arg[m, i]
	}
	n = (sc in nargs) ? nargs[sc] : 6
	flags = "0"
	if (sc == "execve" || sc == "execveat") flags = "FLAP_SC_AT_ENTER"
	if (sc == "exit" || sc == "exit_group") flags = "FLAP_SC_AT_ENTER | FLAP_SC_NORETURN"
	kinds = ""
	for (i = 0; i < 6; i++) {
		k = (sc in nargs) && i < n ? kind(sc, i, n) : "FLAP_ARG_VAL"
		if (i == 5 && (sc in large)) k = large[sc]
		if (k == "FLAP_ARG_SOCKADDR_OUT") inlen = 1
		kinds = kinds ", " k
	}
	if (inlen) flags = (flags == "0" ? "" : flags " | ") "FLAP_SC_INLEN"
	inlen = 0
	if (sc in cls) flags = (flags == "0" ? "" : flags " | ") "FLAP_SC_SIZE(" cls[sc] ")"
	rows[nr + 0] = sprintf("FLAP_SYSCALL(%d, %s, %d, %s", nr, sc, n, flags) kinds ")"
	if (sc in nargs)
		for (i = 0; i < n; i++)
			rows[nr + 0] = rows[nr + 0] sprintf("\nFLAP_SYSCALL_ARG(%d, %d, \"%s\", \"%s\")",
				nr, i, argtype(arg[sc, i]), argname(arg[sc, i]))
	if (nr + 0 > max) max = nr + 0
}

END {
	print "/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */"
	print "/* Generated by recorder/decode/gen-syscalls.sh: do not edit. */"
	print "#ifndef FLAP_SYSCALL_ARG"
	print "#define FLAP_SYSCALL_ARG(nr, idx, type, name)"
	print "#endif"
	for (i = 0; i <= max; i++) if (i in rows) print rows[i]
	print "#undef FLAP_SYSCALL"
	print "#undef FLAP_SYSCALL_ARG"
}
' "$2" "$1"
