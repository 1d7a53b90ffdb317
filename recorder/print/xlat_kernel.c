// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xlat_kernel.c - the xlat tables whose values come from the kernel's uapi
 * headers (<linux/...>, <asm/...>). This file includes no glibc header that
 * redefines them (<fcntl.h>, <signal.h>...): glibc hides some values the
 * kernel uses, O_LARGEFILE (0 in glibc on 64-bit, set by the kernel in
 * every file's flags) and __O_TMPFILE among them. The order of each table
 * is strace's (its src/xlat/ *.in files), so flags print in the same order.
 */
#include <linux/types.h>
#include <linux/close_range.h>
#include <linux/eventpoll.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/in.h>
#include <linux/inotify.h>
#include <linux/memfd.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/poll.h>
#include <linux/prctl.h>
#include <linux/random.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/signalfd.h>
#include <linux/sockios.h>
#include <linux/stat.h>
#include <linux/time.h>
#include <linux/termios.h>
#include <linux/timerfd.h>
#include <linux/wait.h>
#include <asm/ioctls.h>
#include <asm/prctl.h>
#include <asm/signal.h>

#include "xlat.h"

static const struct flap_xlat open_access_v[] = {
	XV(O_RDONLY),
	XV(O_WRONLY),
	XV(O_RDWR),
	XV(O_ACCMODE),
};
FLAP_XLAT_TABLE(open_access, NULL);

/* O_TMPFILE before O_DIRECTORY (it contains it), O_SYNC before O_DSYNC. */
static const struct flap_xlat open_flags_v[] = {
	XV(O_CREAT),	 XV(O_EXCL),	  XV(O_NOCTTY),	   XV(O_TRUNC),	  XV(O_APPEND),
	XV(O_NONBLOCK),	 XV(O_SYNC),	  XV(__O_SYNC),	   XV(O_DSYNC),	  XV(O_DIRECT),
	XV(O_LARGEFILE), XV(O_NOFOLLOW),  XV(O_NOATIME),   XV(O_CLOEXEC), XV(O_PATH),
	XV(O_TMPFILE),	 XV(__O_TMPFILE), XV(O_DIRECTORY), XV(FASYNC),
};
FLAP_XLAT_TABLE(open_flags, NULL);

/* dup3(), pipe2(), epoll_create1(): only O_CLOEXEC (and pipe2's O_NONBLOCK, O_DIRECT). */
static const struct flap_xlat dup3_flags_v[] = {
	XV(O_NONBLOCK),
	XV(O_DIRECT),
	XV(O_CLOEXEC),
};
FLAP_XLAT_TABLE(dup3_flags, NULL);

static const struct flap_xlat at_flags_v[] = {
	XV(AT_SYMLINK_NOFOLLOW), XV(AT_REMOVEDIR),  XV(AT_SYMLINK_FOLLOW),
	XV(AT_NO_AUTOMOUNT),	 XV(AT_EMPTY_PATH), XV(AT_RECURSIVE),
};
FLAP_XLAT_TABLE(at_flags, NULL);

static const struct flap_xlat at_statx_sync_v[] = {
	XV(AT_STATX_SYNC_AS_STAT),
	XV(AT_STATX_FORCE_SYNC),
	XV(AT_STATX_DONT_SYNC),
	XV(AT_STATX_SYNC_TYPE),
};
FLAP_XLAT_TABLE(at_statx_sync, NULL);

static const struct flap_xlat fd_flags_v[] = {XV(FD_CLOEXEC)};
FLAP_XLAT_TABLE(fd_flags, NULL);

static const struct flap_xlat fcntl_cmds_v[] = {
	XV(F_DUPFD),	  XV(F_GETFD),	    XV(F_SETFD),	 XV(F_GETFL),
	XV(F_SETFL),	  XV(F_GETLK),	    XV(F_SETLK),	 XV(F_SETLKW),
	XV(F_SETOWN),	  XV(F_GETOWN),	    XV(F_SETSIG),	 XV(F_GETSIG),
	XV(F_SETOWN_EX),  XV(F_GETOWN_EX),  XV(F_GETOWNER_UIDS), XV(F_OFD_GETLK),
	XV(F_OFD_SETLK),  XV(F_OFD_SETLKW), XV(F_SETLEASE),	 XV(F_GETLEASE),
	XV(F_NOTIFY),	  XV(F_CANCELLK),   XV(F_DUPFD_CLOEXEC), XV(F_SETPIPE_SZ),
	XV(F_GETPIPE_SZ), XV(F_ADD_SEALS),  XV(F_GET_SEALS),
};
FLAP_XLAT_TABLE(fcntl_cmds, "F_???");

static const struct flap_xlat f_seals_v[] = {
	XV(F_SEAL_SEAL),  XV(F_SEAL_SHRINK),	   XV(F_SEAL_GROW),
	XV(F_SEAL_WRITE), XV(F_SEAL_FUTURE_WRITE),
};
FLAP_XLAT_TABLE(f_seals, NULL);

static const struct flap_xlat lock_types_v[] = {
	XV(F_RDLCK), XV(F_WRLCK), XV(F_UNLCK), XV(F_EXLCK), XV(F_SHLCK),
};
FLAP_XLAT_TABLE(lock_types, "F_???");

static const struct flap_xlat seek_whence_v[] = {
	XV(SEEK_SET), XV(SEEK_CUR), XV(SEEK_END), XV(SEEK_DATA), XV(SEEK_HOLE),
};
FLAP_XLAT_TABLE(seek_whence, "SEEK_???");

static const struct flap_xlat mmap_prot_v[] = {
	XV(PROT_NONE), XV(PROT_READ),	   XV(PROT_WRITE),   XV(PROT_EXEC),
	XV(PROT_SEM),  XV(PROT_GROWSDOWN), XV(PROT_GROWSUP),
};
FLAP_XLAT_TABLE(mmap_prot, NULL);

/* The mapping type: the low bits, one value (MAP_TYPE). */
static const struct flap_xlat mmap_type_v[] = {
	XV(MAP_SHARED),
	XV(MAP_PRIVATE),
	XV(MAP_SHARED_VALIDATE),
};
FLAP_XLAT_TABLE(mmap_type, "MAP_???");

static const struct flap_xlat mmap_flags_v[] = {
	XV(MAP_FIXED),	    XV(MAP_ANONYMOUS),	   XV(MAP_32BIT),	    XV(MAP_NORESERVE),
	XV(MAP_POPULATE),   XV(MAP_NONBLOCK),	   XV(MAP_GROWSDOWN),	    XV(MAP_DENYWRITE),
	XV(MAP_EXECUTABLE), XV(MAP_LOCKED),	   XV(MAP_STACK),	    XV(MAP_HUGETLB),
	XV(MAP_SYNC),	    XV(MAP_UNINITIALIZED), XV(MAP_FIXED_NOREPLACE),
};
FLAP_XLAT_TABLE(mmap_flags, NULL);

static const struct flap_xlat madvise_v[] = {
	XV(MADV_NORMAL),	  XV(MADV_RANDOM),	  XV(MADV_SEQUENTIAL),
	XV(MADV_WILLNEED),	  XV(MADV_DONTNEED),	  XV(MADV_FREE),
	XV(MADV_REMOVE),	  XV(MADV_DONTFORK),	  XV(MADV_DOFORK),
	XV(MADV_MERGEABLE),	  XV(MADV_UNMERGEABLE),	  XV(MADV_HUGEPAGE),
	XV(MADV_NOHUGEPAGE),	  XV(MADV_DONTDUMP),	  XV(MADV_DODUMP),
	XV(MADV_WIPEONFORK),	  XV(MADV_KEEPONFORK),	  XV(MADV_COLD),
	XV(MADV_PAGEOUT),	  XV(MADV_POPULATE_READ), XV(MADV_POPULATE_WRITE),
	XV(MADV_DONTNEED_LOCKED), XV(MADV_COLLAPSE),	  XV(MADV_HWPOISON),
	XV(MADV_SOFT_OFFLINE),
};
FLAP_XLAT_TABLE(madvise, "MADV_???");

static const struct flap_xlat mremap_flags_v[] = {
	XV(MREMAP_MAYMOVE),
	XV(MREMAP_FIXED),
	XV(MREMAP_DONTUNMAP),
};
FLAP_XLAT_TABLE(mremap_flags, NULL);

static const struct flap_xlat msync_flags_v[] = {XV(MS_ASYNC), XV(MS_INVALIDATE), XV(MS_SYNC)};
FLAP_XLAT_TABLE(msync_flags, NULL);

static const struct flap_xlat clone_flags_v[] = {
	XV(CLONE_VM),
	XV(CLONE_FS),
	XV(CLONE_FILES),
	XV(CLONE_SIGHAND),
	XV(CLONE_PIDFD),
	XV(CLONE_PTRACE),
	XV(CLONE_VFORK),
	XV(CLONE_PARENT),
	XV(CLONE_THREAD),
	XV(CLONE_NEWNS),
	XV(CLONE_SYSVSEM),
	XV(CLONE_SETTLS),
	XV(CLONE_PARENT_SETTID),
	XV(CLONE_CHILD_CLEARTID),
	XV(CLONE_UNTRACED),
	XV(CLONE_CHILD_SETTID),
	XV(CLONE_NEWCGROUP),
	XV(CLONE_NEWUTS),
	XV(CLONE_NEWIPC),
	XV(CLONE_NEWUSER),
	XV(CLONE_NEWPID),
	XV(CLONE_NEWNET),
	XV(CLONE_IO),
	XV(CLONE_NEWTIME),
};
FLAP_XLAT_TABLE(clone_flags, NULL);

/* Signals 1-31 (the real-time ones are named by flap_xlat__signal()). */
static const struct flap_xlat signals_v[] = {
	XV(SIGHUP),  XV(SIGINT),    XV(SIGQUIT), XV(SIGILL),	XV(SIGTRAP), XV(SIGABRT),
	XV(SIGBUS),  XV(SIGFPE),    XV(SIGKILL), XV(SIGUSR1),	XV(SIGSEGV), XV(SIGUSR2),
	XV(SIGPIPE), XV(SIGALRM),   XV(SIGTERM), XV(SIGSTKFLT), XV(SIGCHLD), XV(SIGCONT),
	XV(SIGSTOP), XV(SIGTSTP),   XV(SIGTTIN), XV(SIGTTOU),	XV(SIGURG),  XV(SIGXCPU),
	XV(SIGXFSZ), XV(SIGVTALRM), XV(SIGPROF), XV(SIGWINCH),	XV(SIGIO),   XV(SIGPWR),
	XV(SIGSYS),
};
FLAP_XLAT_TABLE(signals, NULL);

static const struct flap_xlat sigact_flags_v[] = {
	XV(SA_RESTORER),  XV(SA_ONSTACK), XV(SA_RESTART),   XV(SA_NODEFER),
	XV(SA_RESETHAND), XV(SA_SIGINFO), XV(SA_NOCLDSTOP), XV(SA_NOCLDWAIT),
};
FLAP_XLAT_TABLE(sigact_flags, NULL);

static const struct flap_xlat sigprocmask_how_v[] = {
	XV(SIG_BLOCK),
	XV(SIG_UNBLOCK),
	XV(SIG_SETMASK),
};
FLAP_XLAT_TABLE(sigprocmask_how, "SIG_???");

static const struct flap_xlat wait_options_v[] = {
	XV(WNOHANG), XV(WUNTRACED), XV(WEXITED), XV(WCONTINUED),
	XV(WNOWAIT), XV(__WCLONE),  XV(__WALL),	 XV(__WNOTHREAD),
};
FLAP_XLAT_TABLE(wait_options, NULL);

static const struct flap_xlat waitid_which_v[] = {XV(P_ALL), XV(P_PID), XV(P_PGID), XV(P_PIDFD)};
FLAP_XLAT_TABLE(waitid_which, "P_???");

static const struct flap_xlat prctl_options_v[] = {
	XV(PR_SET_PDEATHSIG),
	XV(PR_GET_PDEATHSIG),
	XV(PR_GET_DUMPABLE),
	XV(PR_SET_DUMPABLE),
	XV(PR_GET_UNALIGN),
	XV(PR_SET_UNALIGN),
	XV(PR_GET_KEEPCAPS),
	XV(PR_SET_KEEPCAPS),
	XV(PR_GET_FPEMU),
	XV(PR_SET_FPEMU),
	XV(PR_GET_FPEXC),
	XV(PR_SET_FPEXC),
	XV(PR_GET_TIMING),
	XV(PR_SET_TIMING),
	XV(PR_SET_NAME),
	XV(PR_GET_NAME),
	XV(PR_GET_ENDIAN),
	XV(PR_SET_ENDIAN),
	XV(PR_GET_SECCOMP),
	XV(PR_SET_SECCOMP),
	XV(PR_CAPBSET_READ),
	XV(PR_CAPBSET_DROP),
	XV(PR_GET_TSC),
	XV(PR_SET_TSC),
	XV(PR_GET_SECUREBITS),
	XV(PR_SET_SECUREBITS),
	XV(PR_SET_TIMERSLACK),
	XV(PR_GET_TIMERSLACK),
	XV(PR_TASK_PERF_EVENTS_DISABLE),
	XV(PR_TASK_PERF_EVENTS_ENABLE),
	XV(PR_MCE_KILL),
	XV(PR_MCE_KILL_GET),
	XV(PR_SET_MM),
	XV(PR_SET_CHILD_SUBREAPER),
	XV(PR_GET_CHILD_SUBREAPER),
	XV(PR_SET_NO_NEW_PRIVS),
	XV(PR_GET_NO_NEW_PRIVS),
	XV(PR_GET_TID_ADDRESS),
	XV(PR_SET_THP_DISABLE),
	XV(PR_GET_THP_DISABLE),
	XV(PR_MPX_ENABLE_MANAGEMENT),
	XV(PR_MPX_DISABLE_MANAGEMENT),
	XV(PR_SET_FP_MODE),
	XV(PR_GET_FP_MODE),
	XV(PR_CAP_AMBIENT),
	XV(PR_SVE_SET_VL),
	XV(PR_SVE_GET_VL),
	XV(PR_GET_SPECULATION_CTRL),
	XV(PR_SET_SPECULATION_CTRL),
	XV(PR_PAC_RESET_KEYS),
	XV(PR_SET_TAGGED_ADDR_CTRL),
	XV(PR_GET_TAGGED_ADDR_CTRL),
	XV(PR_SET_IO_FLUSHER),
	XV(PR_GET_IO_FLUSHER),
	XV(PR_SET_SYSCALL_USER_DISPATCH),
	XV(PR_PAC_SET_ENABLED_KEYS),
	XV(PR_PAC_GET_ENABLED_KEYS),
	XV(PR_SCHED_CORE),
	XV(PR_SME_SET_VL),
	XV(PR_SME_GET_VL),
	XV(PR_SET_VMA),
	XV(PR_SET_PTRACER),
};
FLAP_XLAT_TABLE(prctl_options, "PR_???");

/* SUID_DUMP_* are kernel-internal (include/linux/sched/coredump.h): the ABI
 * values of PR_SET_DUMPABLE, documented in prctl(2). */
static const struct flap_xlat pr_dumpable_v[] = {
	{0, "SUID_DUMP_DISABLE"},
	{1, "SUID_DUMP_USER"},
	{2, "SUID_DUMP_ROOT"},
};
FLAP_XLAT_TABLE(pr_dumpable, "SUID_DUMP_???");

static const struct flap_xlat arch_prctl_v[] = {
	XV(ARCH_SET_GS),	 XV(ARCH_SET_FS),	  XV(ARCH_GET_FS),
	XV(ARCH_GET_GS),	 XV(ARCH_GET_CPUID),	  XV(ARCH_SET_CPUID),
	XV(ARCH_GET_XCOMP_SUPP), XV(ARCH_GET_XCOMP_PERM), XV(ARCH_REQ_XCOMP_PERM),
	XV(ARCH_MAP_VDSO_X32),	 XV(ARCH_MAP_VDSO_32),	  XV(ARCH_MAP_VDSO_64),
};
FLAP_XLAT_TABLE(arch_prctl, "ARCH_???");

static const struct flap_xlat poll_events_v[] = {
	XV(POLLIN),   XV(POLLPRI),    XV(POLLOUT),    XV(POLLERR),    XV(POLLHUP),
	XV(POLLNVAL), XV(POLLRDNORM), XV(POLLRDBAND), XV(POLLWRNORM), XV(POLLWRBAND),
	XV(POLLMSG),  XV(POLLREMOVE), XV(POLLRDHUP),
};
FLAP_XLAT_TABLE(poll_events, NULL);

static const struct flap_xlat epoll_events_v[] = {
	XV(EPOLLIN),	    XV(EPOLLPRI),    XV(EPOLLOUT),     XV(EPOLLERR),
	XV(EPOLLHUP),	    XV(EPOLLNVAL),   XV(EPOLLRDNORM),  XV(EPOLLRDBAND),
	XV(EPOLLWRNORM),    XV(EPOLLWRBAND), XV(EPOLLMSG),     XV(EPOLLRDHUP),
	XV(EPOLLEXCLUSIVE), XV(EPOLLWAKEUP), XV(EPOLLONESHOT), XV(EPOLLET),
};
FLAP_XLAT_TABLE(epoll_events, NULL);

static const struct flap_xlat epoll_create_flags_v[] = {XV(EPOLL_CLOEXEC)};
FLAP_XLAT_TABLE(epoll_create_flags, NULL);

static const struct flap_xlat epoll_ctl_ops_v[] = {
	XV(EPOLL_CTL_ADD),
	XV(EPOLL_CTL_DEL),
	XV(EPOLL_CTL_MOD),
};
FLAP_XLAT_TABLE(epoll_ctl_ops, "EPOLL_CTL_???");

/* STATX_ALL and STATX_BASIC_STATS first: they name a whole group. */
static const struct flap_xlat statx_mask_v[] = {
	XV(STATX_ALL),	  XV(STATX_BASIC_STATS), XV(STATX_TYPE),   XV(STATX_MODE),
	XV(STATX_NLINK),  XV(STATX_UID),	 XV(STATX_GID),	   XV(STATX_ATIME),
	XV(STATX_MTIME),  XV(STATX_CTIME),	 XV(STATX_INO),	   XV(STATX_SIZE),
	XV(STATX_BLOCKS), XV(STATX_BTIME),	 XV(STATX_MNT_ID), XV(STATX_DIOALIGN),
};
FLAP_XLAT_TABLE(statx_mask, NULL);

static const struct flap_xlat statx_attrs_v[] = {
	XV(STATX_ATTR_COMPRESSED), XV(STATX_ATTR_IMMUTABLE), XV(STATX_ATTR_APPEND),
	XV(STATX_ATTR_NODUMP),	   XV(STATX_ATTR_ENCRYPTED), XV(STATX_ATTR_AUTOMOUNT),
	XV(STATX_ATTR_MOUNT_ROOT), XV(STATX_ATTR_VERITY),    XV(STATX_ATTR_DAX),
};
FLAP_XLAT_TABLE(statx_attrs, NULL);

/* File types (the S_IFMT part of a mode): one value. */
static const struct flap_xlat s_ifmt_v[] = {
	XV(S_IFREG), XV(S_IFSOCK), XV(S_IFIFO), XV(S_IFLNK), XV(S_IFDIR), XV(S_IFBLK), XV(S_IFCHR),
};
FLAP_XLAT_TABLE(s_ifmt, NULL);

static const struct flap_xlat resolve_flags_v[] = {
	XV(RESOLVE_NO_XDEV), XV(RESOLVE_NO_MAGICLINKS), XV(RESOLVE_NO_SYMLINKS),
	XV(RESOLVE_BENEATH), XV(RESOLVE_IN_ROOT),	XV(RESOLVE_CACHED),
};
FLAP_XLAT_TABLE(resolve_flags, NULL);

static const struct flap_xlat rlimits_v[] = {
	XV(RLIMIT_CPU),	     XV(RLIMIT_FSIZE), XV(RLIMIT_DATA),	  XV(RLIMIT_STACK),
	XV(RLIMIT_CORE),     XV(RLIMIT_RSS),   XV(RLIMIT_NPROC),  XV(RLIMIT_NOFILE),
	XV(RLIMIT_MEMLOCK),  XV(RLIMIT_AS),    XV(RLIMIT_LOCKS),  XV(RLIMIT_SIGPENDING),
	XV(RLIMIT_MSGQUEUE), XV(RLIMIT_NICE),  XV(RLIMIT_RTPRIO), XV(RLIMIT_RTTIME),
};
FLAP_XLAT_TABLE(rlimits, "RLIMIT_???");

static const struct flap_xlat clocks_v[] = {
	XV(CLOCK_REALTIME),	     XV(CLOCK_MONOTONIC),     XV(CLOCK_PROCESS_CPUTIME_ID),
	XV(CLOCK_THREAD_CPUTIME_ID), XV(CLOCK_MONOTONIC_RAW), XV(CLOCK_REALTIME_COARSE),
	XV(CLOCK_MONOTONIC_COARSE),  XV(CLOCK_BOOTTIME),      XV(CLOCK_REALTIME_ALARM),
	XV(CLOCK_BOOTTIME_ALARM),    XV(CLOCK_SGI_CYCLE),     XV(CLOCK_TAI),
};
FLAP_XLAT_TABLE(clocks, NULL);

static const struct flap_xlat timer_flags_v[] = {XV(TIMER_ABSTIME)};
FLAP_XLAT_TABLE(timer_flags, NULL);

static const struct flap_xlat itimer_which_v[] = {
	XV(ITIMER_REAL),
	XV(ITIMER_VIRTUAL),
	XV(ITIMER_PROF),
};
FLAP_XLAT_TABLE(itimer_which, "ITIMER_???");

/* Futex commands (the FUTEX_CMD_MASK part; _PRIVATE and CLOCK_REALTIME are added). */
static const struct flap_xlat futex_cmds_v[] = {
	XV(FUTEX_WAIT),		  XV(FUTEX_WAKE),	 XV(FUTEX_FD),
	XV(FUTEX_REQUEUE),	  XV(FUTEX_CMP_REQUEUE), XV(FUTEX_WAKE_OP),
	XV(FUTEX_LOCK_PI),	  XV(FUTEX_UNLOCK_PI),	 XV(FUTEX_TRYLOCK_PI),
	XV(FUTEX_WAIT_BITSET),	  XV(FUTEX_WAKE_BITSET), XV(FUTEX_WAIT_REQUEUE_PI),
	XV(FUTEX_CMP_REQUEUE_PI), XV(FUTEX_LOCK_PI2),
};
FLAP_XLAT_TABLE(futex_cmds, "FUTEX_???");

static const struct flap_xlat grnd_flags_v[] = {
	XV(GRND_NONBLOCK),
	XV(GRND_RANDOM),
	XV(GRND_INSECURE),
};
FLAP_XLAT_TABLE(grnd_flags, NULL);

/* Common ioctl commands: terminals (asm-generic/ioctls.h), files, sockets. */
static const struct flap_xlat ioctl_cmds_v[] = {
	XV(TCGETS),
	XV(TCSETS),
	XV(TCSETSW),
	XV(TCSETSF),
	XV(TCGETA),
	XV(TCSETA),
	XV(TCSETAW),
	XV(TCSETAF),
	XV(TCSBRK),
	XV(TCXONC),
	XV(TCFLSH),
	XV(TIOCEXCL),
	XV(TIOCNXCL),
	XV(TIOCSCTTY),
	XV(TIOCGPGRP),
	XV(TIOCSPGRP),
	XV(TIOCOUTQ),
	XV(TIOCSTI),
	XV(TIOCGWINSZ),
	XV(TIOCSWINSZ),
	XV(TIOCMGET),
	XV(TIOCMBIS),
	XV(TIOCMBIC),
	XV(TIOCMSET),
	XV(TIOCGSOFTCAR),
	XV(TIOCSSOFTCAR),
	XV(FIONREAD),
	XV(TIOCLINUX),
	XV(TIOCCONS),
	XV(TIOCGSERIAL),
	XV(TIOCSSERIAL),
	XV(TIOCPKT),
	XV(FIONBIO),
	XV(TIOCNOTTY),
	XV(TIOCSETD),
	XV(TIOCGETD),
	XV(TCSBRKP),
	XV(TIOCSBRK),
	XV(TIOCCBRK),
	XV(TIOCGSID),
	XV(TCGETS2),
	XV(TCSETS2),
	XV(TCSETSW2),
	XV(TCSETSF2),
	XV(TIOCGRS485),
	XV(TIOCSRS485),
	XV(TIOCGPTN),
	XV(TIOCSPTLCK),
	XV(TIOCGDEV),
	XV(TIOCSIG),
	XV(TIOCVHANGUP),
	XV(TIOCGPKT),
	XV(TIOCGPTLCK),
	XV(TIOCGEXCL),
	XV(TIOCGPTPEER),
	XV(FIONCLEX),
	XV(FIOCLEX),
	XV(FIOASYNC),
	XV(TIOCSERCONFIG),
	XV(TIOCSERGWILD),
	XV(TIOCSERSWILD),
	XV(TIOCGLCKTRMIOS),
	XV(TIOCSLCKTRMIOS),
	XV(TIOCSERGSTRUCT),
	XV(TIOCSERGETLSR),
	XV(TIOCSERGETMULTI),
	XV(TIOCSERSETMULTI),
	XV(TIOCMIWAIT),
	XV(TIOCGICOUNT),
	XV(FIOQSIZE),
	XV(BLKROSET),
	XV(BLKROGET),
	XV(BLKRRPART),
	XV(BLKGETSIZE),
	XV(BLKFLSBUF),
	XV(BLKSSZGET),
	XV(BLKBSZGET),
	XV(BLKBSZSET),
	XV(BLKGETSIZE64),
	XV(FIBMAP),
	XV(FIGETBSZ),
	XV(FICLONE),
	XV(FICLONERANGE),
	XV(FIDEDUPERANGE),
	XV(FS_IOC_GETFLAGS),
	XV(FS_IOC_SETFLAGS),
	XV(FS_IOC_GETVERSION),
	XV(FS_IOC_SETVERSION),
	XV(FS_IOC_FIEMAP),
	XV(FS_IOC_FSGETXATTR),
	XV(FS_IOC_FSSETXATTR),
	XV(FITRIM),
	XV(FIFREEZE),
	XV(FITHAW),
	XV(SIOCGIFCONF),
	XV(SIOCGIFFLAGS),
	XV(SIOCSIFFLAGS),
	XV(SIOCGIFADDR),
	XV(SIOCSIFADDR),
	XV(SIOCGIFINDEX),
	XV(SIOCGIFNAME),
	XV(SIOCGIFMTU),
	XV(SIOCSIFMTU),
	XV(SIOCGIFHWADDR),
	XV(SIOCGIFNETMASK),
	XV(SIOCETHTOOL),
	XV(SIOCATMARK),
	XV(SIOCGSTAMP_OLD),
	XV(SIOCOUTQ),
	XV(SIOCINQ),
};
FLAP_XLAT_TABLE(ioctl_cmds, NULL);

static const struct flap_xlat rename_flags_v[] = {
	XV(RENAME_NOREPLACE),
	XV(RENAME_EXCHANGE),
	XV(RENAME_WHITEOUT),
};
FLAP_XLAT_TABLE(rename_flags, NULL);

static const struct flap_xlat falloc_flags_v[] = {
	XV(FALLOC_FL_KEEP_SIZE),      XV(FALLOC_FL_PUNCH_HOLE), XV(FALLOC_FL_NO_HIDE_STALE),
	XV(FALLOC_FL_COLLAPSE_RANGE), XV(FALLOC_FL_ZERO_RANGE), XV(FALLOC_FL_INSERT_RANGE),
	XV(FALLOC_FL_UNSHARE_RANGE),
};
FLAP_XLAT_TABLE(falloc_flags, NULL);

static const struct flap_xlat memfd_flags_v[] = {
	XV(MFD_CLOEXEC),
	XV(MFD_ALLOW_SEALING),
	XV(MFD_HUGETLB),
};
FLAP_XLAT_TABLE(memfd_flags, NULL);

static const struct flap_xlat close_range_flags_v[] = {
	XV(CLOSE_RANGE_UNSHARE),
	XV(CLOSE_RANGE_CLOEXEC),
};
FLAP_XLAT_TABLE(close_range_flags, NULL);

static const struct flap_xlat inotify_flags_v[] = {XV(IN_NONBLOCK), XV(IN_CLOEXEC)};
FLAP_XLAT_TABLE(inotify_flags, NULL);

static const struct flap_xlat signalfd_flags_v[] = {XV(SFD_NONBLOCK), XV(SFD_CLOEXEC)};
FLAP_XLAT_TABLE(signalfd_flags, NULL);

static const struct flap_xlat timerfd_flags_v[] = {XV(TFD_CLOEXEC), XV(TFD_NONBLOCK)};
FLAP_XLAT_TABLE(timerfd_flags, NULL);

static const struct flap_xlat timerfd_settime_flags_v[] = {
	XV(TFD_TIMER_ABSTIME),
	XV(TFD_TIMER_CANCEL_ON_SET),
};
FLAP_XLAT_TABLE(timerfd_settime_flags, NULL);

static const struct flap_xlat ip_protocols_v[] = {
	XV(IPPROTO_IP),	  XV(IPPROTO_ICMP),	XV(IPPROTO_IGMP),  XV(IPPROTO_IPIP),
	XV(IPPROTO_TCP),  XV(IPPROTO_EGP),	XV(IPPROTO_PUP),   XV(IPPROTO_UDP),
	XV(IPPROTO_IDP),  XV(IPPROTO_TP),	XV(IPPROTO_DCCP),  XV(IPPROTO_IPV6),
	XV(IPPROTO_RSVP), XV(IPPROTO_GRE),	XV(IPPROTO_ESP),   XV(IPPROTO_AH),
	XV(IPPROTO_MTP),  XV(IPPROTO_BEETPH),	XV(IPPROTO_ENCAP), XV(IPPROTO_PIM),
	XV(IPPROTO_COMP), XV(IPPROTO_L2TP),	XV(IPPROTO_SCTP),  XV(IPPROTO_UDPLITE),
	XV(IPPROTO_MPLS), XV(IPPROTO_ETHERNET), XV(IPPROTO_RAW),   XV(IPPROTO_MPTCP),
};
FLAP_XLAT_TABLE(ip_protocols, "IPPROTO_???");

static const struct flap_xlat mount_flags_v[] = {
	XV(MS_RDONLY),	    XV(MS_NOSUID),    XV(MS_NODEV),	   XV(MS_NOEXEC),
	XV(MS_SYNCHRONOUS), XV(MS_REMOUNT),   XV(MS_MANDLOCK),	   XV(MS_DIRSYNC),
	XV(MS_NOSYMFOLLOW), XV(MS_NOATIME),   XV(MS_NODIRATIME),   XV(MS_BIND),
	XV(MS_MOVE),	    XV(MS_REC),	      XV(MS_SILENT),	   XV(MS_POSIXACL),
	XV(MS_UNBINDABLE),  XV(MS_PRIVATE),   XV(MS_SLAVE),	   XV(MS_SHARED),
	XV(MS_RELATIME),    XV(MS_KERNMOUNT), XV(MS_I_VERSION),	   XV(MS_STRICTATIME),
	XV(MS_LAZYTIME),    XV(MS_SUBMOUNT),  XV(MS_NOREMOTELOCK), XV(MS_NOSEC),
	XV(MS_BORN),	    XV(MS_ACTIVE),    XV(MS_NOUSER),
};
FLAP_XLAT_TABLE(mount_flags, NULL);

static const struct flap_xlat sched_policies_v[] = {
	{SCHED_NORMAL, "SCHED_OTHER"},
	XV(SCHED_FIFO),
	XV(SCHED_RR),
	XV(SCHED_BATCH),
	XV(SCHED_IDLE),
	XV(SCHED_DEADLINE),
};
FLAP_XLAT_TABLE(sched_policies, "SCHED_???");
