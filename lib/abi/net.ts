/**
 * The socket ABI on riscv64 (asm-generic): address families, socket types
 * and flags, MSG_ flags, socket option levels and names, sockaddr layouts,
 * and strace's names for them.
 *
 * Layouts (bytes):
 * - `struct sockaddr_un` {sun_family u16 +0, sun_path[108] +2} (110 bytes).
 * - `struct sockaddr_in` {sin_family u16 +0, sin_port u16 BE +2,
 *   sin_addr u32 BE +4, zero[8] +8} (16 bytes).
 * - `struct sockaddr_in6` {sin6_family u16 +0, sin6_port u16 BE +2,
 *   sin6_flowinfo u32 BE +4, sin6_addr[16] +8, sin6_scope_id u32 +24}
 *   (28 bytes).
 * - `struct msghdr` {msg_name +0, msg_namelen u32 +8, msg_iov +16,
 *   msg_iovlen +24, msg_control +32, msg_controllen +40, msg_flags i32 +48}
 *   (56 bytes). `struct mmsghdr` adds msg_len u32 at +56 (64 bytes).
 * - `struct cmsghdr` {cmsg_len u64 +0, cmsg_level i32 +8, cmsg_type i32 +12,
 *   data +16}, each control message aligned to 8 bytes.
 * - `struct ucred` {pid i32, uid u32, gid u32}; `struct linger` {l_onoff
 *   i32, l_linger i32}.
 * @module
 */

import type { Xlat } from "./xlat.ts";

function xlat(unknown: string, entries: readonly (readonly [number, string])[]): Xlat {
  return { unknown, entries: entries.map(([v, n]) => [BigInt(v), n] as const) };
}

/** AF_UNIX (AF_LOCAL). */
export const AF_UNIX = 1;
/** AF_INET. */
export const AF_INET = 2;
/** AF_INET6. */
export const AF_INET6 = 10;
/** AF_NETLINK (NETLINK_ROUTE dumps of the loopback interface only). */
export const AF_NETLINK = 16;
/** The routing netlink protocol. */
export const NETLINK_ROUTE = 0;

/** SOCK_STREAM. */
export const SOCK_STREAM = 1;
/** SOCK_DGRAM. */
export const SOCK_DGRAM = 2;
/** SOCK_RAW. */
export const SOCK_RAW = 3;
/** SOCK_SEQPACKET. */
export const SOCK_SEQPACKET = 5;
/** SOCK_NONBLOCK (= O_NONBLOCK). */
export const SOCK_NONBLOCK = 0o4000;
/** SOCK_CLOEXEC (= O_CLOEXEC). */
export const SOCK_CLOEXEC = 0o2000000;

/** IPPROTO_IP (0, the default). */
export const IPPROTO_IP = 0;
/** IPPROTO_TCP. */
export const IPPROTO_TCP = 6;
/** IPPROTO_UDP. */
export const IPPROTO_UDP = 17;
/** IPPROTO_IPV6 (an option level). */
export const IPPROTO_IPV6 = 41;

/** send/recv flags. */
export const MSG_OOB = 0x1;
/** Look at data without taking it. */
export const MSG_PEEK = 0x2;
/** Control data was cut (recvmsg's msg_flags). */
export const MSG_CTRUNC = 0x8;
/** The datagram was longer than the buffer. */
export const MSG_TRUNC = 0x20;
/** Non-blocking for this call. */
export const MSG_DONTWAIT = 0x40;
/** End of record (seqpacket). */
export const MSG_EOR = 0x80;
/** Wait for the full request (stream). */
export const MSG_WAITALL = 0x100;
/** Do not raise SIGPIPE. */
export const MSG_NOSIGNAL = 0x4000;
/** More data follows (TCP cork). */
export const MSG_MORE = 0x8000;
/** recvmmsg: wait only for the first message. */
export const MSG_WAITFORONE = 0x10000;
/** Received descriptors get FD_CLOEXEC. */
export const MSG_CMSG_CLOEXEC = 0x40000000;

/** SOL_SOCKET (option level and cmsg level). */
export const SOL_SOCKET = 1;
/** SOL_TCP (= IPPROTO_TCP). */
export const SOL_TCP = 6;
/** SOL_IP (= IPPROTO_IP). */
export const SOL_IP = 0;
/** SOL_IPV6 (= IPPROTO_IPV6). */
export const SOL_IPV6 = 41;
/** SCM_RIGHTS: passing descriptors. */
export const SCM_RIGHTS = 1;
/** SCM_CREDENTIALS: passing credentials. */
export const SCM_CREDENTIALS = 2;

/** SO_ options (asm-generic/socket.h). */
export const SO = {
  DEBUG: 1,
  REUSEADDR: 2,
  TYPE: 3,
  ERROR: 4,
  DONTROUTE: 5,
  BROADCAST: 6,
  SNDBUF: 7,
  RCVBUF: 8,
  KEEPALIVE: 9,
  OOBINLINE: 10,
  NO_CHECK: 11,
  PRIORITY: 12,
  LINGER: 13,
  BSDCOMPAT: 14,
  REUSEPORT: 15,
  PASSCRED: 16,
  PEERCRED: 17,
  RCVLOWAT: 18,
  SNDLOWAT: 19,
  RCVTIMEO_OLD: 20,
  SNDTIMEO_OLD: 21,
  BINDTODEVICE: 25,
  TIMESTAMP_OLD: 29,
  ACCEPTCONN: 30,
  SNDBUFFORCE: 32,
  RCVBUFFORCE: 33,
  PROTOCOL: 38,
  DOMAIN: 39,
  RXQ_OVFL: 40,
  PEEK_OFF: 42,
  BUSY_POLL: 46,
  INCOMING_CPU: 49,
  COOKIE: 57,
  ZEROCOPY: 60,
} as const;

/** TCP_ options. */
export const TCP = {
  NODELAY: 1,
  MAXSEG: 2,
  CORK: 3,
  KEEPIDLE: 4,
  KEEPINTVL: 5,
  KEEPCNT: 6,
  SYNCNT: 7,
  LINGER2: 8,
  DEFER_ACCEPT: 9,
  WINDOW_CLAMP: 10,
  INFO: 11,
  QUICKACK: 12,
  CONGESTION: 13,
  USER_TIMEOUT: 18,
  FASTOPEN: 23,
  NOTSENT_LOWAT: 25,
  FASTOPEN_CONNECT: 30,
} as const;

/** IPPROTO_IP options. */
export const IP = {
  TOS: 1,
  TTL: 2,
  RECVERR: 11,
  MTU_DISCOVER: 10,
  MULTICAST_IF: 32,
  MULTICAST_TTL: 33,
  MULTICAST_LOOP: 34,
  ADD_MEMBERSHIP: 35,
} as const;

/** IPPROTO_IPV6 options. */
export const IPV6 = {
  UNICAST_HOPS: 16,
  MULTICAST_IF: 17,
  MULTICAST_HOPS: 18,
  MULTICAST_LOOP: 19,
  JOIN_GROUP: 20,
  V6ONLY: 26,
  RECVERR: 25,
  TCLASS: 67,
} as const;

/** shutdown(2) how. */
export const SHUT_RD = 0;
/** No more sending. */
export const SHUT_WR = 1;
/** Both. */
export const SHUT_RDWR = 2;

/** strace's address family names (the socket domains). */
export const ADDRESS_FAMILIES: Xlat = xlat("AF_???", [
  [0, "AF_UNSPEC"],
  [AF_UNIX, "AF_UNIX"],
  [AF_INET, "AF_INET"],
  [AF_INET6, "AF_INET6"],
  [AF_NETLINK, "AF_NETLINK"],
  [17, "AF_PACKET"],
]);

/** Socket types (low bits of socket's type argument). */
export const SOCKET_TYPES: Xlat = xlat("SOCK_???", [
  [SOCK_STREAM, "SOCK_STREAM"],
  [SOCK_DGRAM, "SOCK_DGRAM"],
  [SOCK_RAW, "SOCK_RAW"],
  [4, "SOCK_RDM"],
  [SOCK_SEQPACKET, "SOCK_SEQPACKET"],
  [10, "SOCK_PACKET"],
]);

/** SOCK_NONBLOCK, SOCK_CLOEXEC (socket, socketpair, accept4). */
export const SOCK_FLAGS: Xlat = xlat("SOCK_???", [
  [SOCK_CLOEXEC, "SOCK_CLOEXEC"],
  [SOCK_NONBLOCK, "SOCK_NONBLOCK"],
]);

/** IP protocols as strace names them. */
export const IP_PROTOCOLS: Xlat = xlat("IPPROTO_???", [
  [IPPROTO_IP, "IPPROTO_IP"],
  [1, "IPPROTO_ICMP"],
  [IPPROTO_TCP, "IPPROTO_TCP"],
  [IPPROTO_UDP, "IPPROTO_UDP"],
  [IPPROTO_IPV6, "IPPROTO_IPV6"],
  [58, "IPPROTO_ICMPV6"],
  [255, "IPPROTO_RAW"],
  [262, "IPPROTO_MPTCP"],
]);

/** MSG_ flags. */
export const MSG_FLAGS: Xlat = xlat("MSG_???", [
  [MSG_OOB, "MSG_OOB"],
  [MSG_PEEK, "MSG_PEEK"],
  [0x4, "MSG_DONTROUTE"],
  [MSG_CTRUNC, "MSG_CTRUNC"],
  [0x10, "MSG_PROXY"],
  [MSG_TRUNC, "MSG_TRUNC"],
  [MSG_DONTWAIT, "MSG_DONTWAIT"],
  [MSG_EOR, "MSG_EOR"],
  [MSG_WAITALL, "MSG_WAITALL"],
  [0x200, "MSG_FIN"],
  [0x400, "MSG_SYN"],
  [0x800, "MSG_CONFIRM"],
  [0x1000, "MSG_RST"],
  [0x2000, "MSG_ERRQUEUE"],
  [MSG_NOSIGNAL, "MSG_NOSIGNAL"],
  [MSG_MORE, "MSG_MORE"],
  [MSG_WAITFORONE, "MSG_WAITFORONE"],
  [0x20000000, "MSG_FASTOPEN"],
  [MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC"],
]);

/** Option levels. */
export const SOCKOPT_LEVELS: Xlat = xlat("SOL_???", [
  [SOL_IP, "SOL_IP"],
  [SOL_SOCKET, "SOL_SOCKET"],
  [SOL_TCP, "SOL_TCP"],
  [17, "SOL_UDP"],
  [SOL_IPV6, "SOL_IPV6"],
]);

/** SOL_SOCKET option names. */
export const SO_NAMES: Xlat = xlat("SO_???", Object.entries(SO).map(([n, v]) => [v, `SO_${n}`]));

/** SOL_TCP option names. */
export const TCP_NAMES: Xlat = xlat(
  "TCP_???",
  Object.entries(TCP).map(([n, v]) => [v, `TCP_${n}`]),
);

/** SOL_IP option names. */
export const IP_NAMES: Xlat = xlat("IP_???", Object.entries(IP).map(([n, v]) => [v, `IP_${n}`]));

/** SOL_IPV6 option names. */
export const IPV6_NAMES: Xlat = xlat(
  "IPV6_???",
  Object.entries(IPV6).map(([n, v]) => [v, `IPV6_${n}`]),
);

/** shutdown's how. */
export const SHUTDOWN_HOW: Xlat = xlat("SHUT_???", [
  [SHUT_RD, "SHUT_RD"],
  [SHUT_WR, "SHUT_WR"],
  [SHUT_RDWR, "SHUT_RDWR"],
]);

/** Control message types at SOL_SOCKET. */
export const SCM_TYPES: Xlat = xlat("SCM_???", [
  [SCM_RIGHTS, "SCM_RIGHTS"],
  [SCM_CREDENTIALS, "SCM_CREDENTIALS"],
]);
