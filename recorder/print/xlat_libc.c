// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xlat_libc.c - the xlat tables whose values only libc defines (socket
 * families and types, MSG_*, SOL_*, SO_*, access modes, LOCK_*...), from
 * glibc's headers. Table order follows strace (src/xlat/ *.in).
 */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>

#include "xlat.h"

static const struct flap_xlat access_modes_v[] = {
	XV(F_OK),
	XV(R_OK),
	XV(W_OK),
	XV(X_OK),
};
FLAP_XLAT_TABLE(access_modes, NULL);

static const struct flap_xlat socket_families_v[] = {
	XV(AF_UNSPEC),	  XV(AF_UNIX),	     XV(AF_INET),    XV(AF_AX25),    XV(AF_IPX),
	XV(AF_APPLETALK), XV(AF_NETROM),     XV(AF_BRIDGE),  XV(AF_ATMPVC),  XV(AF_X25),
	XV(AF_INET6),	  XV(AF_ROSE),	     XV(AF_DECnet),  XV(AF_NETBEUI), XV(AF_SECURITY),
	XV(AF_KEY),	  XV(AF_NETLINK),    XV(AF_PACKET),  XV(AF_ASH),     XV(AF_ECONET),
	XV(AF_ATMSVC),	  XV(AF_RDS),	     XV(AF_SNA),     XV(AF_IRDA),    XV(AF_PPPOX),
	XV(AF_WANPIPE),	  XV(AF_LLC),	     XV(AF_IB),	     XV(AF_MPLS),    XV(AF_CAN),
	XV(AF_TIPC),	  XV(AF_BLUETOOTH),  XV(AF_IUCV),    XV(AF_RXRPC),   XV(AF_ISDN),
	XV(AF_PHONET),	  XV(AF_IEEE802154), XV(AF_CAIF),    XV(AF_ALG),     XV(AF_NFC),
	XV(AF_VSOCK),	  XV(AF_KCM),	     XV(AF_QIPCRTR), XV(AF_SMC),     XV(AF_XDP),
	XV(AF_MCTP),
};
FLAP_XLAT_TABLE(socket_families, "AF_???");

static const struct flap_xlat socket_types_v[] = {
	XV(SOCK_STREAM),    XV(SOCK_DGRAM), XV(SOCK_RAW),    XV(SOCK_RDM),
	XV(SOCK_SEQPACKET), XV(SOCK_DCCP),  XV(SOCK_PACKET),
};
FLAP_XLAT_TABLE(socket_types, "SOCK_???");

static const struct flap_xlat socket_type_flags_v[] = {XV(SOCK_CLOEXEC), XV(SOCK_NONBLOCK)};
FLAP_XLAT_TABLE(socket_type_flags, NULL);

static const struct flap_xlat msg_flags_v[] = {
	XV(MSG_OOB),	      XV(MSG_PEEK),	XV(MSG_DONTROUTE), XV(MSG_CTRUNC),
	XV(MSG_PROXY),	      XV(MSG_TRUNC),	XV(MSG_DONTWAIT),  XV(MSG_EOR),
	XV(MSG_WAITALL),      XV(MSG_FIN),	XV(MSG_SYN),	   XV(MSG_CONFIRM),
	XV(MSG_RST),	      XV(MSG_ERRQUEUE), XV(MSG_NOSIGNAL),  XV(MSG_MORE),
	XV(MSG_WAITFORONE),   XV(MSG_BATCH),	XV(MSG_ZEROCOPY),  XV(MSG_FASTOPEN),
	XV(MSG_CMSG_CLOEXEC),
};
FLAP_XLAT_TABLE(msg_flags, NULL);

static const struct flap_xlat shutdown_how_v[] = {XV(SHUT_RD), XV(SHUT_WR), XV(SHUT_RDWR)};
FLAP_XLAT_TABLE(shutdown_how, "SHUT_???");

/* Socket option levels; IPPROTO_TCP and IPPROTO_UDP read as SOL_TCP, SOL_UDP. */
static const struct flap_xlat sol_levels_v[] = {
	XV(SOL_IP),
	XV(SOL_SOCKET),
	XV(SOL_TCP),
	XV(SOL_UDP),
	XV(SOL_IPV6),
	XV(SOL_ICMPV6),
	{IPPROTO_SCTP, "SOL_SCTP"},
	{IPPROTO_UDPLITE, "SOL_UDPLITE"},
	XV(SOL_RAW),
	XV(SOL_PACKET),
	XV(SOL_NETLINK),
	XV(SOL_TIPC),
	XV(SOL_ALG),
	XV(SOL_TLS),
	XV(SOL_XDP),
};
FLAP_XLAT_TABLE(sol_levels, "SOL_???");

static const struct flap_xlat so_options_v[] = {
	XV(SO_DEBUG),
	XV(SO_REUSEADDR),
	XV(SO_TYPE),
	XV(SO_ERROR),
	XV(SO_DONTROUTE),
	XV(SO_BROADCAST),
	XV(SO_SNDBUF),
	XV(SO_RCVBUF),
	XV(SO_KEEPALIVE),
	XV(SO_OOBINLINE),
	XV(SO_NO_CHECK),
	XV(SO_PRIORITY),
	XV(SO_LINGER),
	XV(SO_BSDCOMPAT),
	XV(SO_REUSEPORT),
	XV(SO_PASSCRED),
	XV(SO_PEERCRED),
	XV(SO_RCVLOWAT),
	XV(SO_SNDLOWAT),
	XV(SO_RCVTIMEO_OLD),
	XV(SO_SNDTIMEO_OLD),
	XV(SO_BINDTODEVICE),
	XV(SO_ATTACH_FILTER),
	XV(SO_DETACH_FILTER),
	XV(SO_PEERNAME),
	XV(SO_TIMESTAMP_OLD),
	XV(SO_ACCEPTCONN),
	XV(SO_PEERSEC),
	XV(SO_SNDBUFFORCE),
	XV(SO_RCVBUFFORCE),
	XV(SO_PASSSEC),
	XV(SO_TIMESTAMPNS_OLD),
	XV(SO_MARK),
	XV(SO_TIMESTAMPING_OLD),
	XV(SO_PROTOCOL),
	XV(SO_DOMAIN),
	XV(SO_RXQ_OVFL),
	XV(SO_WIFI_STATUS),
	XV(SO_PEEK_OFF),
	XV(SO_NOFCS),
	XV(SO_LOCK_FILTER),
	XV(SO_SELECT_ERR_QUEUE),
	XV(SO_BUSY_POLL),
	XV(SO_MAX_PACING_RATE),
	XV(SO_BPF_EXTENSIONS),
	XV(SO_INCOMING_CPU),
	XV(SO_ATTACH_BPF),
	XV(SO_ATTACH_REUSEPORT_CBPF),
	XV(SO_ATTACH_REUSEPORT_EBPF),
	XV(SO_CNX_ADVICE),
	XV(SO_MEMINFO),
	XV(SO_INCOMING_NAPI_ID),
	XV(SO_COOKIE),
	XV(SO_PEERGROUPS),
	XV(SO_ZEROCOPY),
	XV(SO_TXTIME),
	XV(SO_BINDTOIFINDEX),
	XV(SO_TIMESTAMP_NEW),
	XV(SO_TIMESTAMPNS_NEW),
	XV(SO_TIMESTAMPING_NEW),
	XV(SO_RCVTIMEO_NEW),
	XV(SO_SNDTIMEO_NEW),
	XV(SO_DETACH_REUSEPORT_BPF),
	XV(SO_PREFER_BUSY_POLL),
	XV(SO_BUSY_POLL_BUDGET),
	XV(SO_NETNS_COOKIE),
	XV(SO_BUF_LOCK),
};
FLAP_XLAT_TABLE(so_options, "SO_???");

static const struct flap_xlat tcp_options_v[] = {
	XV(TCP_NODELAY),
	XV(TCP_MAXSEG),
	XV(TCP_CORK),
	XV(TCP_KEEPIDLE),
	XV(TCP_KEEPINTVL),
	XV(TCP_KEEPCNT),
	XV(TCP_SYNCNT),
	XV(TCP_LINGER2),
	XV(TCP_DEFER_ACCEPT),
	XV(TCP_WINDOW_CLAMP),
	XV(TCP_INFO),
	XV(TCP_QUICKACK),
	XV(TCP_CONGESTION),
	XV(TCP_MD5SIG),
	XV(TCP_THIN_LINEAR_TIMEOUTS),
	XV(TCP_THIN_DUPACK),
	XV(TCP_USER_TIMEOUT),
	XV(TCP_REPAIR),
	XV(TCP_REPAIR_QUEUE),
	XV(TCP_QUEUE_SEQ),
	XV(TCP_REPAIR_OPTIONS),
	XV(TCP_FASTOPEN),
	XV(TCP_TIMESTAMP),
	XV(TCP_NOTSENT_LOWAT),
	XV(TCP_CC_INFO),
	XV(TCP_SAVE_SYN),
	XV(TCP_SAVED_SYN),
	XV(TCP_REPAIR_WINDOW),
	XV(TCP_FASTOPEN_CONNECT),
	XV(TCP_ULP),
	XV(TCP_MD5SIG_EXT),
	XV(TCP_FASTOPEN_KEY),
	XV(TCP_FASTOPEN_NO_COOKIE),
	XV(TCP_ZEROCOPY_RECEIVE),
	XV(TCP_INQ),
	XV(TCP_TX_DELAY),
};
FLAP_XLAT_TABLE(tcp_options, "TCP_???");

static const struct flap_xlat eventfd_flags_v[] = {
	XV(EFD_SEMAPHORE),
	XV(EFD_CLOEXEC),
	XV(EFD_NONBLOCK),
};
FLAP_XLAT_TABLE(eventfd_flags, NULL);

/* LOCK_SH/LOCK_EX/LOCK_UN are values, LOCK_NB a flag: printed as flags, like strace. */
static const struct flap_xlat flock_ops_v[] = {
	XV(LOCK_SH),
	XV(LOCK_EX),
	XV(LOCK_NB),
	XV(LOCK_UN),
};
FLAP_XLAT_TABLE(flock_ops, NULL);

static const struct flap_xlat fadvise_v[] = {
	XV(POSIX_FADV_NORMAL),	 XV(POSIX_FADV_RANDOM),	  XV(POSIX_FADV_SEQUENTIAL),
	XV(POSIX_FADV_WILLNEED), XV(POSIX_FADV_DONTNEED), XV(POSIX_FADV_NOREUSE),
};
FLAP_XLAT_TABLE(fadvise, "POSIX_FADV_???");

static const struct flap_xlat rusage_who_v[] = {
	XV(RUSAGE_SELF),
	XV(RUSAGE_CHILDREN),
	XV(RUSAGE_THREAD),
};
FLAP_XLAT_TABLE(rusage_who, NULL);

static const struct flap_xlat umount_flags_v[] = {
	XV(MNT_FORCE),
	XV(MNT_DETACH),
	XV(MNT_EXPIRE),
	XV(UMOUNT_NOFOLLOW),
};
FLAP_XLAT_TABLE(umount_flags, NULL);

static const struct flap_xlat splice_flags_v[] = {
	XV(SPLICE_F_MOVE),
	XV(SPLICE_F_NONBLOCK),
	XV(SPLICE_F_MORE),
	XV(SPLICE_F_GIFT),
};
FLAP_XLAT_TABLE(splice_flags, NULL);
