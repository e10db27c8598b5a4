/**
 * Socket syscalls: socket, socketpair, bind, listen, accept, accept4,
 * connect, getsockname, getpeername, sendto, recvfrom, sendmsg, recvmsg,
 * sendmmsg, recvmmsg, setsockopt, getsockopt and shutdown, over the
 * process-local loopback network of `lib/vfs/socket.ts` (no host socket is
 * ever opened). This family reads and writes the guest's structs
 * (sockaddr, msghdr, cmsghdr, option values), resolves AF_UNIX path names
 * in the guest's filesystem, passes descriptors (SCM_RIGHTS), raises
 * SIGPIPE, and parks threads on readiness waits (with SO_RCVTIMEO /
 * SO_SNDTIMEO deadlines) when a blocking call cannot complete yet.
 * Layouts are in `lib/abi/net.ts`.
 * @module
 */

import {
  EACCES,
  EADDRINUSE,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  EAGAIN,
  EBADF,
  ECONNREFUSED,
  EFAULT,
  EINPROGRESS,
  EINVAL,
  EISCONN,
  ENETUNREACH,
  ENOPROTOOPT,
  ENOTCONN,
  ENOTSOCK,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
  EPROTONOSUPPORT,
  EPROTOTYPE,
  EROFS,
  ESOCKTNOSUPPORT,
} from "../abi/errno.ts";
import { O_NONBLOCK } from "../abi/flags.ts";
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AF_UNIX,
  IP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV6,
  MSG_CMSG_CLOEXEC,
  MSG_CTRUNC,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  MSG_WAITALL,
  MSG_WAITFORONE,
  NETLINK_ROUTE,
  SCM_CREDENTIALS,
  SCM_RIGHTS,
  SO,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_IP,
  SOL_IPV6,
  SOL_SOCKET,
  SOL_TCP,
  TCP,
} from "../abi/net.ts";
import { SIGPIPE } from "../abi/signals.ts";
import type { OpenFile } from "../vfs/open_file.ts";
import {
  type InetAddr,
  isLoopback,
  isV4,
  isWildcard,
  latin1,
  loopback6,
  Network,
  type SockAddr,
  Socket,
  v4mapped,
} from "../vfs/socket.ts";
import { GUEST_UID, inodeOf } from "../vfs/types.ts";
import { fdTable } from "./fd_table.ts";
import type { Kernel } from "./kernel.ts";
import { filesState } from "./mounts.ts";
import { umaskOf } from "./process.ts";
import type { Thread } from "./thread.ts";
import { realtimeNs } from "./time.ts";
import type { SyscallArgs, SyscallFamilyTable, SyscallResult, Wait } from "./types.ts";

/** sizeof(struct sockaddr_un). */
const SUN_LEN = 110;
/** The largest sockaddr a call accepts (sizeof(struct sockaddr_storage)). */
const SOCKADDR_MAX = 128;
/** net.core.somaxconn. */
export const SOMAXCONN = 4096;
/** Most iovecs per message (UIO_MAXIOV). */
const UIO_MAXIOV = 1024;
/** Largest control buffer sendmsg takes (net.core.optmem_max). */
const OPTMEM_MAX = 20480;
/** Most descriptors in one SCM_RIGHTS message (SCM_MAX_FD). */
const SCM_MAX_FD = 253;
/** setsockopt's EDOM for an out-of-range timeval. */
const EDOM_TIMEO = 33;
/** getsockopt SO_PEERCRED on a socket that is not AF_UNIX: ENODATA. */
const ENODATA = 61;

/** The process's network, created on first use. */
export function network(k: Kernel): Network {
  return k.familyState("net", () => new Network((path) => resolveUnix(k, path)));
}

/** The socket behind `fd`: the socket, or -EBADF / -ENOTSOCK. */
function sock(k: Kernel, fd: number): Socket | number {
  const f = fdTable(k).file(fd);
  if (typeof f === "number") return f;
  if (f.kind === "path") return -EBADF;
  return f instanceof Socket ? f : -ENOTSOCK;
}

function nowTime(k: Kernel): number {
  return Number(realtimeNs(k));
}

// ------------------------------------------------------------- addresses

/** Reads a sockaddr of `len` bytes at `p`: the address, or -errno. */
function readAddr(k: Kernel, p: number, len: number): SockAddr | number {
  if (len < 2 || len > SOCKADDR_MAX) return -EINVAL;
  let b: Uint8Array;
  try {
    b = k.mem.read(p, len);
  } catch {
    return -EFAULT;
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const family = dv.getUint16(0, true);
  if (family === AF_UNIX) {
    if (len > SUN_LEN) return -EINVAL;
    let path = b.slice(2);
    if (path.length > 0 && path[0] !== 0) {
      const z = path.indexOf(0);
      if (z >= 0) path = path.slice(0, z);
    }
    return { family: AF_UNIX, path };
  }
  if (family === AF_INET) {
    if (len < 16) return -EINVAL;
    return {
      family: AF_INET,
      port: dv.getUint16(2, false),
      ip: v4mapped(b[4], b[5], b[6], b[7]),
    };
  }
  if (family === AF_INET6) {
    if (len < 24) return -EINVAL;
    return {
      family: AF_INET6,
      port: dv.getUint16(2, false),
      flowinfo: dv.getUint32(4, false),
      ip: b.slice(8, 24),
      scope: len >= 28 ? dv.getUint32(24, true) : 0,
    };
  }
  if (family === AF_NETLINK) {
    if (len < 12) return -EINVAL;
    return { family: AF_NETLINK, pid: dv.getUint32(4, true), groups: dv.getUint32(8, true) };
  }
  return family === 0 ? -EAFNOSUPPORT_UNSPEC : -EAFNOSUPPORT;
}

/** readAddr's answer for AF_UNSPEC (connect uses it to dissolve an association). */
const EAFNOSUPPORT_UNSPEC = 1_000_000;

/** The bytes of `a` as the socket `s` reports it (family `s.family`). */
function encodeAddr(s: Socket, a: SockAddr | undefined): Uint8Array {
  if (s.family === AF_NETLINK) {
    const out = new Uint8Array(12);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, AF_NETLINK, true);
    if (a && a.family === AF_NETLINK) {
      dv.setUint32(4, a.pid >>> 0, true);
      dv.setUint32(8, a.groups >>> 0, true);
    }
    return out;
  }
  if (s.family === AF_UNIX) {
    const path = a && a.family === AF_UNIX ? a.path : new Uint8Array(0);
    const named = path.length > 0 && path[0] !== 0;
    const out = new Uint8Array(2 + path.length + (named ? 1 : 0));
    out[0] = AF_UNIX;
    out.set(path, 2);
    return out;
  }
  const ip = a && (a.family === AF_INET || a.family === AF_INET6)
    ? a.ip
    : s.family === AF_INET
    ? v4mapped(0, 0, 0, 0)
    : new Uint8Array(16);
  const port = a && (a.family === AF_INET || a.family === AF_INET6) ? a.port : 0;
  if (s.family === AF_INET) {
    const out = new Uint8Array(16);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, AF_INET, true);
    dv.setUint16(2, port, false);
    out.set(ip.subarray(12, 16), 4);
    return out;
  }
  const out = new Uint8Array(28);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, AF_INET6, true);
  dv.setUint16(2, port, false);
  out.set(ip, 8);
  return out;
}

/** A received datagram's source as recvfrom/recvmsg report it: nothing for an unnamed AF_UNIX sender. */
function fromBytes(s: Socket, from: SockAddr | undefined): Uint8Array {
  if (s.family === AF_UNIX && (!from || (from.family === AF_UNIX && from.path.length === 0))) {
    return new Uint8Array(0);
  }
  return encodeAddr(s, from);
}

/**
 * Writes `bytes` to (addr, *lenp) as accept/getsockname/recvfrom do: at
 * most *lenp bytes, and the full length back into *lenp. NULL addr: nothing.
 */
function putAddr(k: Kernel, addr: number, lenp: number, bytes: Uint8Array): number {
  if (addr === 0) return 0;
  try {
    const have = k.mem.readI32(lenp);
    if (have < 0) return -EINVAL;
    k.mem.write(addr, bytes.subarray(0, Math.min(have, bytes.length)));
    k.mem.writeU32(lenp, bytes.length);
  } catch {
    return -EFAULT;
  }
  return 0;
}

/** The socket bound to AF_UNIX name `path` (abstract or in the filesystem). */
function resolveUnix(k: Kernel, path: Uint8Array): Socket | number {
  const net = network(k);
  if (path.length === 0) return -EINVAL;
  if (path[0] === 0) return net.abstract.get(latin1(path)) ?? -ECONNREFUSED;
  const st = filesState(k);
  const p = new TextDecoder().decode(path);
  const loc = st.vfs.resolve(p.startsWith("/") ? st.vfs.root : st.cwd, p, true);
  if (typeof loc === "number") return loc;
  const node = inodeOf(loc);
  if (node.type !== "sock") return -ECONNREFUSED;
  return net.byInode.get(node) ?? -ECONNREFUSED;
}

/** Checks an AF_INET/AF_INET6 address given to socket `s`. */
function inetAddrFor(s: Socket, a: SockAddr): InetAddr | number {
  if (a.family !== s.family) {
    return s.family === AF_INET6 && a.family === AF_INET ? -EINVAL : -EAFNOSUPPORT;
  }
  return a as InetAddr;
}

// --------------------------------------------------------------- blocking

/**
 * Runs `attempt` now; if it would block on a blocking call, parks the
 * thread until it stops answering -EAGAIN (or `timeoutNs` passes: -EAGAIN).
 */
function blocking(
  k: Kernel,
  reason: string,
  nonblock: boolean,
  timeoutNs: number,
  attempt: () => number,
): SyscallResult {
  const r = attempt();
  if (r !== -EAGAIN || nonblock) return r;
  const deadline = timeoutNs > 0 ? k.nowNs() + timeoutNs : undefined;
  const w: Wait = {
    reason,
    repoll: true,
    deadline,
    resume: (timedOut) => {
      const x = attempt();
      if (x !== -EAGAIN) return x;
      return timedOut ? -EAGAIN : undefined;
    },
  };
  return w;
}

// --------------------------------------------------------------- syscalls

const TYPE_FLAGS = SOCK_NONBLOCK | SOCK_CLOEXEC;

function newSocket(k: Kernel, domain: number, type: number, protocol: number): Socket | number {
  const base = type & ~TYPE_FLAGS;
  const flags = (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
  if (domain === AF_UNIX) {
    if (
      base !== SOCK_STREAM && base !== SOCK_DGRAM && base !== SOCK_SEQPACKET && base !== SOCK_RAW
    ) {
      return -ESOCKTNOSUPPORT;
    }
    if (protocol !== 0 && protocol !== AF_UNIX) return -EPROTONOSUPPORT;
    // unix(7): SOCK_RAW is taken as SOCK_DGRAM.
    const t = base === SOCK_RAW ? SOCK_DGRAM : base;
    return new Socket(network(k), domain, t, 0, flags, nowTime(k));
  }
  if (domain === AF_INET || domain === AF_INET6) {
    if (base === SOCK_STREAM) {
      if (protocol !== 0 && protocol !== IPPROTO_TCP) return -EPROTONOSUPPORT;
      return new Socket(network(k), domain, base, IPPROTO_TCP, flags, nowTime(k));
    }
    if (base === SOCK_DGRAM) {
      if (protocol !== 0 && protocol !== IPPROTO_UDP) return -EPROTONOSUPPORT;
      return new Socket(network(k), domain, base, IPPROTO_UDP, flags, nowTime(k));
    }
    if (base === SOCK_RAW) return -EPERM;
    return -ESOCKTNOSUPPORT;
  }
  if (domain === AF_NETLINK) {
    if (base !== SOCK_RAW && base !== SOCK_DGRAM) return -ESOCKTNOSUPPORT;
    // Only the routing family (the loopback interface and its addresses) is emulated.
    if (protocol !== NETLINK_ROUTE) return -EPROTONOSUPPORT;
    return new Socket(network(k), domain, SOCK_DGRAM, protocol, flags, nowTime(k));
  }
  return -EAFNOSUPPORT;
}

function sysSocket(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const type = a.int(1);
  if (type & ~(TYPE_FLAGS | 0xf)) return -EINVAL;
  const s = newSocket(k, a.int(0), type, a.int(2));
  if (typeof s === "number") return s;
  return fdTable(k).alloc(s, (type & SOCK_CLOEXEC) !== 0);
}

function sysSocketpair(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const domain = a.int(0);
  const type = a.int(1);
  if (type & ~(TYPE_FLAGS | 0xf)) return -EINVAL;
  if (domain !== AF_UNIX) {
    const probe = newSocket(k, domain, type, a.int(2));
    return typeof probe === "number" ? probe : -EOPNOTSUPP;
  }
  const x = newSocket(k, domain, type, a.int(2));
  if (typeof x === "number") return x;
  const y = newSocket(k, domain, type, a.int(2)) as Socket;
  Socket.pair(x, y);
  const fds = fdTable(k);
  const cloexec = (type & SOCK_CLOEXEC) !== 0;
  const fx = fds.alloc(x, cloexec);
  if (fx < 0) return fx;
  const fy = fds.alloc(y, cloexec);
  if (fy < 0) {
    fds.close(fx);
    return fy;
  }
  try {
    k.mem.writeU32(a.ptr(3), fx);
    k.mem.writeU32(a.ptr(3) + 4, fy);
  } catch {
    fds.close(fx);
    fds.close(fy);
    return -EFAULT;
  }
  return 0;
}

function bindUnix(k: Kernel, s: Socket, path: Uint8Array): number {
  const net = network(k);
  if (path.length === 0) {
    const name = net.autobindName();
    s.local = { family: AF_UNIX, path: name };
    net.abstract.set(latin1(name), s);
    return 0;
  }
  if (path[0] === 0) {
    const key = latin1(path);
    if (net.abstract.has(key)) return -EADDRINUSE;
    s.local = { family: AF_UNIX, path };
    net.abstract.set(key, s);
    return 0;
  }
  const st = filesState(k);
  const p = new TextDecoder().decode(path);
  const w = st.vfs.walk(p.startsWith("/") ? st.vfs.root : st.cwd, p, false);
  if (typeof w === "number") return w;
  if (w.loc || w.name === "/" || w.name === "." || w.name === "..") return -EADDRINUSE;
  const dir = inodeOf(w.dir);
  if (!dir.fs.writable) return -EROFS;
  if (!dir.mksock) return -EACCES;
  const node = dir.mksock(w.name, 0o777 & ~umaskOf(k));
  if (typeof node === "number") return node;
  s.local = { family: AF_UNIX, path };
  s.inode = node;
  net.byInode.set(node, s);
  return 0;
}

/** Gives netlink socket `s` its port id: `want`, or the process id first, then unique negatives. */
function bindNetlink(k: Kernel, s: Socket, want: number, groups: number): number {
  const net = network(k);
  let pid = want;
  if (pid === 0) {
    pid = net.netlinkPids.has(k.pid) ? net.nextNetlinkPid-- : k.pid;
  } else if (net.netlinkPids.has(pid)) return -EADDRINUSE;
  net.netlinkPids.add(pid);
  s.local = { family: AF_NETLINK, pid, groups };
  return 0;
}

function sysBind(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const s = sock(k, a.int(0));
  if (typeof s === "number") return s;
  const addr = readAddr(k, a.ptr(1), a.int(2));
  if (s.family === AF_NETLINK) {
    if (typeof addr === "number") return addr === -EAFNOSUPPORT_UNSPEC ? -EINVAL : addr;
    if (addr.family !== AF_NETLINK) return -EINVAL;
    if (s.local) return (s.local as { pid: number }).pid === addr.pid ? 0 : -EINVAL;
    return bindNetlink(k, s, addr.pid, addr.groups);
  }
  if (addr === -EAFNOSUPPORT_UNSPEC) return s.family === AF_UNIX ? -EINVAL : -EAFNOSUPPORT;
  if (typeof addr === "number") {
    return addr === -EAFNOSUPPORT && s.family === AF_UNIX ? -EINVAL : addr;
  }
  if (s.family === AF_UNIX) {
    if (addr.family !== AF_UNIX) return -EINVAL;
    if (s.local) return -EINVAL;
    return bindUnix(k, s, addr.path);
  }
  const ia = inetAddrFor(s, addr);
  if (typeof ia === "number") return ia;
  if (s.local) return -EINVAL;
  if (!isLoopback(ia.ip) && !isWildcard(ia.ip)) return -EADDRNOTAVAIL;
  return network(k).bindInet(s, ia);
}

function sysListen(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const s = sock(k, a.int(0));
  if (typeof s === "number") return s;
  return s.listen(Math.min(a.int(1) < 0 ? SOMAXCONN : a.int(1), SOMAXCONN));
}

function acceptCommon(k: Kernel, a: SyscallArgs, flags: number): SyscallResult {
  if (flags & ~TYPE_FLAGS) return -EINVAL;
  const fd = a.int(0);
  const s = sock(k, fd);
  if (typeof s === "number") return s;
  if (!s.connectionOriented) return -EOPNOTSUPP;
  if (s.state !== "listening") return -EINVAL;
  const attempt = (): number => {
    const c = s.accept();
    if (typeof c === "number") return c;
    if (flags & SOCK_NONBLOCK) c.flags |= O_NONBLOCK;
    const nfd = fdTable(k).alloc(c, (flags & SOCK_CLOEXEC) !== 0);
    if (nfd < 0) return nfd;
    const peer = s.family === AF_UNIX ? c.peer?.local : c.peerAddr;
    const r = putAddr(k, a.ptr(1), a.ptr(2), encodeAddr(s, peer));
    if (r < 0) {
      fdTable(k).close(nfd);
      return r;
    }
    return nfd;
  };
  return blocking(
    k,
    `accept fd ${fd} (${s.path})`,
    (s.flags & O_NONBLOCK) !== 0,
    s.opt.rcvtimeo,
    attempt,
  );
}

function sysAccept(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  return acceptCommon(k, a, 0);
}

function sysAccept4(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  return acceptCommon(k, a, a.int(3));
}

/** The destination of an AF_INET/AF_INET6 connect or sendto: a loopback address, or -errno. */
function loopbackTarget(s: Socket, addr: SockAddr): InetAddr | number {
  const ia = inetAddrFor(s, addr);
  if (typeof ia === "number") return ia;
  let ip = ia.ip;
  if (isWildcard(ip)) ip = isV4(ip) ? v4mapped(127, 0, 0, 1) : loopback6();
  if (!isLoopback(ip)) return -ENETUNREACH;
  if (s.family === AF_INET6 && isV4(ip) && s.opt.v6only) return -ENETUNREACH;
  return { ...ia, ip };
}

/** Binds `s` to an ephemeral port on the source address for `dst`. */
function autobindFor(k: Kernel, s: Socket, dst: Uint8Array): number {
  if (s.local) {
    const l = s.local as InetAddr;
    if (isWildcard(l.ip)) s.local = { ...l, ip: dst };
    return 0;
  }
  return network(k).bindInet(s, { family: s.family as typeof AF_INET, ip: dst, port: 0 });
}

function sysConnect(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const s = sock(k, fd);
  if (typeof s === "number") return s;
  const addr = readAddr(k, a.ptr(1), a.int(2));
  if (addr === -EAFNOSUPPORT_UNSPEC) {
    if (s.connectionOriented) return s.family === AF_UNIX ? -EINVAL : -EAFNOSUPPORT;
    s.peerAddr = undefined;
    s.peer = undefined;
    return 0;
  }
  if (typeof addr === "number") return addr;
  const nonblock = (s.flags & O_NONBLOCK) !== 0;
  if (!s.connectionOriented) {
    if (s.family === AF_UNIX) {
      if (addr.family !== AF_UNIX) return -EINVAL;
      const target = resolveUnix(k, addr.path);
      if (typeof target === "number") return target;
      if (target.type !== s.type) return -EPROTOTYPE;
      s.peer = target;
      s.peerAddr = target.local;
      return 0;
    }
    const dst = loopbackTarget(s, addr);
    if (typeof dst === "number") return dst;
    const r = autobindFor(k, s, dst.ip);
    if (r < 0) return r;
    s.peerAddr = dst;
    s.error = 0;
    return 0;
  }
  if (s.state === "connected") {
    // The first connect after a non-blocking one in progress reports its result (0).
    if (s.connectPending) {
      s.connectPending = false;
      return 0;
    }
    return -EISCONN;
  }
  if (s.state === "listening") return -EINVAL;
  if (s.family === AF_UNIX) {
    if (addr.family !== AF_UNIX) return -EINVAL;
    const attempt = (): number => {
      const target = resolveUnix(k, addr.path);
      if (typeof target === "number") return target;
      if (target.type !== s.type) return -EPROTOTYPE;
      if (target.state !== "listening") return -ECONNREFUSED;
      return target.enqueueConnection(s, nowTime(k));
    };
    return blocking(k, `connect fd ${fd} (${s.path})`, nonblock, s.opt.sndtimeo, attempt);
  }
  const dst = loopbackTarget(s, addr);
  if (typeof dst === "number") return dst;
  const listener = network(k).findInet("tcp", dst.ip, dst.port);
  if (!listener) {
    if (!nonblock) return -ECONNREFUSED;
    s.error = ECONNREFUSED;
    s.bump();
    return -EINPROGRESS;
  }
  const r = autobindFor(k, s, dst.ip);
  if (r < 0) return r;
  s.peerAddr = dst;
  listener.enqueueConnection(s, nowTime(k));
  if (!nonblock) return 0;
  s.connectPending = true;
  return -EINPROGRESS;
}

function sysGetsockname(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const s = sock(k, a.int(0));
  if (typeof s === "number") return s;
  return putAddrChecked(k, a.ptr(1), a.ptr(2), encodeAddr(s, s.local));
}

function sysGetpeername(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const s = sock(k, a.int(0));
  if (typeof s === "number") return s;
  if (s.family === AF_UNIX) {
    if (!s.peer || (s.connectionOriented && s.state !== "connected")) return -ENOTCONN;
    return putAddrChecked(k, a.ptr(1), a.ptr(2), encodeAddr(s, s.peer.local));
  }
  if (!s.peerAddr || (s.connectionOriented && s.state !== "connected")) return -ENOTCONN;
  return putAddrChecked(k, a.ptr(1), a.ptr(2), encodeAddr(s, s.peerAddr));
}

/** putAddr for calls whose address pointer is required (EFAULT for NULL). */
function putAddrChecked(k: Kernel, addr: number, lenp: number, bytes: Uint8Array): number {
  if (addr === 0) return -EFAULT;
  return putAddr(k, addr, lenp, bytes);
}

// -------------------------------------------------------------- data path

interface Seg {
  base: number;
  len: number;
}

function readIov(k: Kernel, iov: number, count: number): Seg[] | number {
  if (count < 0 || count > UIO_MAXIOV) return -EINVAL;
  if (count === 0) return [];
  let b: Uint8Array;
  try {
    b = k.mem.read(iov, 16 * count);
  } catch {
    return -EFAULT;
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const segs: Seg[] = [];
  for (let i = 0; i < count; i++) {
    const len = Number(dv.getBigUint64(16 * i + 8, true));
    if (len > 0x7ffff000) return -EINVAL;
    segs.push({ base: Number(dv.getBigUint64(16 * i, true)), len });
  }
  return segs;
}

function gatherSegs(k: Kernel, segs: readonly Seg[]): Uint8Array | number {
  const total = segs.reduce((n, s) => n + s.len, 0);
  const out = new Uint8Array(total);
  let at = 0;
  try {
    for (const s of segs) {
      if (s.len > 0) out.set(k.mem.read(s.base, s.len), at);
      at += s.len;
    }
  } catch {
    return -EFAULT;
  }
  return out;
}

function scatterSegs(k: Kernel, segs: readonly Seg[], data: Uint8Array): number {
  let at = 0;
  try {
    for (const s of segs) {
      if (at >= data.length) break;
      const n = Math.min(s.len, data.length - at);
      if (n > 0) k.mem.write(s.base, data.subarray(at, at + n));
      at += n;
    }
  } catch {
    return -EFAULT;
  }
  return 0;
}

/**
 * Sends `data` on `s` as a blocking or non-blocking call: streams send all
 * of it unless non-blocking, EPIPE raises SIGPIPE unless MSG_NOSIGNAL.
 */
function sendCommon(
  k: Kernel,
  t: Thread,
  fd: number,
  s: Socket,
  data: Uint8Array,
  to: SockAddr | undefined,
  files: OpenFile[] | undefined,
  flags: number,
): SyscallResult {
  const nonblock = (s.flags & O_NONBLOCK) !== 0 || (flags & MSG_DONTWAIT) !== 0;
  let target = to;
  if (s.family === AF_NETLINK) {
    if (to && to.family !== AF_NETLINK) return -EINVAL;
    if (!s.local) {
      const r = bindNetlink(k, s, 0, 0);
      if (r < 0) return r;
    }
  } else if (to && s.family !== AF_UNIX && !s.stream) {
    const d = loopbackTarget(s, to);
    if (typeof d === "number") return d;
    target = d;
  } else if (to && s.family === AF_UNIX && to.family !== AF_UNIX) return -EINVAL;
  if (to && s.connectionOriented && s.family === AF_UNIX) {
    if (s.state === "connected") return -EISCONN;
    return -ENOTCONN;
  }
  let done = 0;
  let sentFiles = false;
  const attempt = (): number => {
    const r = s.send(data.subarray(done), target, sentFiles ? undefined : files);
    if (r === -EAGAIN) return done > 0 && nonblock ? done : -EAGAIN;
    if (r < 0) {
      if (r === -EPIPE && !(flags & MSG_NOSIGNAL)) {
        k.queueSignal(t, { signo: SIGPIPE, code: 0, pid: k.pid, uid: GUEST_UID });
      }
      return done > 0 ? done : r;
    }
    if (r > 0 || data.length === 0) sentFiles = true;
    done += r;
    if (done < data.length && s.stream && !nonblock) return -EAGAIN;
    return done;
  };
  return blocking(k, `send fd ${fd} (${s.path})`, nonblock, s.opt.sndtimeo, attempt);
}

function sysSendto(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const s = sock(k, fd);
  if (typeof s === "number") return s;
  const len = Math.min(a.ptr(2), 0x7ffff000);
  let data: Uint8Array;
  try {
    data = len === 0 ? new Uint8Array(0) : k.mem.read(a.ptr(1), len);
  } catch {
    return -EFAULT;
  }
  let to: SockAddr | undefined;
  if (a.ptr(4) !== 0) {
    const r = readAddr(k, a.ptr(4), a.int(5));
    if (typeof r === "number") return r === -EAFNOSUPPORT_UNSPEC ? -EAFNOSUPPORT : r;
    to = r;
  }
  return sendCommon(k, t, fd, s, data, to, undefined, a.int(3));
}

/** Receives into a caller-described place: how `recvCommon` hands over the data. */
interface RecvSink {
  /** Bytes the caller can take. */
  max: number;
  /** Stores the result; returns 0 or -errno. */
  put(r: { data: Uint8Array; from?: SockAddr; files?: OpenFile[]; flags: number }): number;
}

function recvCommon(
  k: Kernel,
  fd: number,
  s: Socket,
  flags: number,
  sink: RecvSink,
): SyscallResult {
  const nonblock = (s.flags & O_NONBLOCK) !== 0 || (flags & MSG_DONTWAIT) !== 0;
  const attempt = (): number => {
    const r = s.recv(sink.max, flags & ~(nonblock ? MSG_WAITALL : 0));
    if (typeof r === "number") return r;
    const e = sink.put(r);
    if (e < 0) return e;
    return r.length;
  };
  return blocking(k, `recv fd ${fd} (${s.path})`, nonblock, s.opt.rcvtimeo, attempt);
}

function sysRecvfrom(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const s = sock(k, fd);
  if (typeof s === "number") return s;
  const buf = a.ptr(1);
  const max = Math.min(a.ptr(2), 0x7ffff000);
  const addr = a.ptr(4);
  const lenp = a.ptr(5);
  return recvCommon(k, fd, s, a.int(3), {
    max,
    put: (r) => {
      try {
        if (r.data.length > 0) k.mem.write(buf, r.data);
      } catch {
        return -EFAULT;
      }
      dropFiles(k, r.files);
      if (addr !== 0 && !s.connectionOriented) return putAddr(k, addr, lenp, fromBytes(s, r.from));
      if (addr !== 0 && lenp !== 0) {
        try {
          k.mem.writeU32(lenp, 0);
        } catch {
          return -EFAULT;
        }
      }
      return 0;
    },
  });
}

function dropFiles(k: Kernel, files: OpenFile[] | undefined): void {
  for (const f of files ?? []) {
    if (--f.refs === 0) f.release(k);
  }
}

/** struct msghdr fields. */
interface MsgHdr {
  name: number;
  namelen: number;
  iov: Seg[];
  control: number;
  controllen: number;
}

function readMsghdr(k: Kernel, p: number): MsgHdr | number {
  let b: Uint8Array;
  try {
    b = k.mem.read(p, 56);
  } catch {
    return -EFAULT;
  }
  const dv = new DataView(b.buffer, b.byteOffset, 56);
  const iov = readIov(k, Number(dv.getBigUint64(16, true)), Number(dv.getBigUint64(24, true)));
  if (typeof iov === "number") return iov;
  return {
    name: Number(dv.getBigUint64(0, true)),
    namelen: dv.getInt32(8, true),
    iov,
    control: Number(dv.getBigUint64(32, true)),
    controllen: Number(dv.getBigUint64(40, true)),
  };
}

/** Parses SCM_RIGHTS control messages: the descriptions to pass, or -errno. */
function readRights(k: Kernel, s: Socket, m: MsgHdr): OpenFile[] | undefined | number {
  if (m.control === 0 || m.controllen === 0) return undefined;
  if (m.controllen > OPTMEM_MAX) return -EINVAL;
  let b: Uint8Array;
  try {
    b = k.mem.read(m.control, m.controllen);
  } catch {
    return -EFAULT;
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const files: OpenFile[] = [];
  let off = 0;
  while (off + 16 <= b.length) {
    const len = Number(dv.getBigUint64(off, true));
    if (len < 16 || off + len > b.length) return -EINVAL;
    const level = dv.getInt32(off + 8, true);
    const type = dv.getInt32(off + 12, true);
    if (level === SOL_SOCKET && type === SCM_RIGHTS) {
      if (s.family !== AF_UNIX) return -EINVAL;
      const n = Math.floor((len - 16) / 4);
      if (files.length + n > SCM_MAX_FD) return -EINVAL;
      for (let i = 0; i < n; i++) {
        const f = fdTable(k).file(dv.getInt32(off + 16 + 4 * i, true));
        if (typeof f === "number") return -EBADF;
        files.push(f);
      }
    } else if (level === SOL_SOCKET && type === SCM_CREDENTIALS) {
      if (s.family !== AF_UNIX) return -EINVAL;
    } else if (level === SOL_SOCKET) {
      return -EINVAL;
    }
    off += (len + 7) & ~7;
  }
  return files.length > 0 ? files : undefined;
}

function sendmsgOne(
  k: Kernel,
  t: Thread,
  fd: number,
  s: Socket,
  p: number,
  flags: number,
): SyscallResult {
  const m = readMsghdr(k, p);
  if (typeof m === "number") return m;
  const data = gatherSegs(k, m.iov);
  if (typeof data === "number") return data;
  let to: SockAddr | undefined;
  if (m.name !== 0 && m.namelen !== 0) {
    const r = readAddr(k, m.name, m.namelen);
    if (typeof r === "number") return r === -EAFNOSUPPORT_UNSPEC ? -EAFNOSUPPORT : r;
    to = r;
  }
  const files = readRights(k, s, m);
  if (typeof files === "number") return files;
  return sendCommon(k, t, fd, s, data, to, files, flags);
}

function sysSendmsg(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const s = sock(k, fd);
  if (typeof s === "number") return s;
  return sendmsgOne(k, t, fd, s, a.ptr(1), a.int(2));
}

/** Writes the control messages of a received message; returns msg_flags bits to add. */
function putControl(
  k: Kernel,
  m: MsgHdr,
  p: number,
  files: OpenFile[] | undefined,
  cloexec: boolean,
): number {
  let used = 0;
  let flags = 0;
  if (files && files.length > 0) {
    const room = m.control === 0 ? 0 : Math.floor((m.controllen - 16) / 4);
    const n = Math.max(0, Math.min(room, files.length));
    if (n < files.length) flags |= MSG_CTRUNC;
    if (n > 0) {
      const len = 16 + 4 * n;
      const b = new Uint8Array(len);
      const dv = new DataView(b.buffer);
      dv.setBigUint64(0, BigInt(len), true);
      dv.setInt32(8, SOL_SOCKET, true);
      dv.setInt32(12, SCM_RIGHTS, true);
      for (let i = 0; i < n; i++) {
        const fd = fdTable(k).alloc(files[i], cloexec);
        dv.setInt32(16 + 4 * i, fd, true);
      }
      try {
        k.mem.write(m.control, b);
      } catch {
        // The descriptors are installed; Linux reports EFAULT only for the header.
      }
      used = (len + 7) & ~7;
      if (used > m.controllen) used = m.controllen;
    }
    // Installed descriptors took their own reference; drop the queue's.
    for (const f of files) {
      if (--f.refs === 0) f.release(k);
    }
  }
  try {
    k.mem.writeU64(p + 40, BigInt(used));
  } catch {
    // msg_controllen unwritable: ignored as Linux's put_user failure path is.
  }
  return flags;
}

function recvmsgOne(k: Kernel, fd: number, s: Socket, p: number, flags: number): SyscallResult {
  const m = readMsghdr(k, p);
  if (typeof m === "number") return m;
  const max = m.iov.reduce((n, x) => n + x.len, 0);
  return recvCommon(k, fd, s, flags, {
    max,
    put: (r) => {
      const e = scatterSegs(k, m.iov, r.data);
      if (e < 0) return e;
      if (m.name !== 0) {
        const bytes = s.connectionOriented ? new Uint8Array(0) : fromBytes(s, r.from);
        try {
          k.mem.write(m.name, bytes.subarray(0, Math.min(Math.max(m.namelen, 0), bytes.length)));
          k.mem.writeU32(p + 8, bytes.length);
        } catch {
          return -EFAULT;
        }
      } else {
        try {
          k.mem.writeU32(p + 8, 0);
        } catch {
          return -EFAULT;
        }
      }
      const cf = putControl(k, m, p, r.files, (flags & MSG_CMSG_CLOEXEC) !== 0);
      try {
        k.mem.writeU32(p + 48, r.flags | cf);
      } catch {
        return -EFAULT;
      }
      return 0;
    },
  });
}

function sysRecvmsg(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const s = sock(k, fd);
  if (typeof s === "number") return s;
  return recvmsgOne(k, fd, s, a.ptr(1), a.int(2));
}

/** Runs a per-message call over an mmsghdr vector, as sendmmsg/recvmmsg do. */
function multi(
  k: Kernel,
  vec: number,
  count: number,
  one: (p: number, first: boolean) => SyscallResult,
): SyscallResult {
  const n = Math.min(count >>> 0, UIO_MAXIOV);
  let done = 0;
  const step = (): number | undefined => {
    while (done < n) {
      const r = one(vec + 64 * done, done === 0);
      if (typeof r !== "number") return done > 0 ? done : undefined;
      if (r < 0) return done > 0 ? done : r;
      try {
        k.mem.writeU32(vec + 64 * done + 56, r);
      } catch {
        return done > 0 ? done : -EFAULT;
      }
      done++;
    }
    return done;
  };
  const first = one(vec, true);
  if (typeof first !== "number") return first;
  if (first < 0) return first;
  try {
    k.mem.writeU32(vec + 56, first);
  } catch {
    return -EFAULT;
  }
  done = 1;
  return step() ?? done;
}

function sysSendmmsg(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const s = sock(k, fd);
  if (typeof s === "number") return s;
  const flags = a.int(3);
  return multi(
    k,
    a.ptr(1),
    a.u32(2),
    (p, first) => sendmsgOne(k, t, fd, s, p, first ? flags : flags | MSG_DONTWAIT),
  );
}

function sysRecvmmsg(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const s = sock(k, fd);
  if (typeof s === "number") return s;
  const flags = a.int(3);
  const later = (flags & MSG_WAITFORONE) ? flags | MSG_DONTWAIT : flags;
  return multi(
    k,
    a.ptr(1),
    a.u32(2),
    (p, first) => recvmsgOne(k, fd, s, p, (first ? flags : later) & ~MSG_WAITFORONE),
  );
}

function sysShutdown(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const s = sock(k, a.int(0));
  if (typeof s === "number") return s;
  return s.shutdown(a.int(1));
}

// ----------------------------------------------------------------- options

/** An option's value as an int (the common case), or -errno. */
function readOptInt(k: Kernel, p: number, len: number): number | undefined {
  if (len < 4) return undefined;
  try {
    return k.mem.readI32(p);
  } catch {
    return undefined;
  }
}

function timevalNs(k: Kernel, p: number, len: number): number | undefined {
  if (len < 16) return undefined;
  try {
    const sec = Number(k.mem.readU64(p));
    const usec = Number(k.mem.readU64(p + 8));
    if (usec < 0 || usec >= 1_000_000) return undefined;
    return sec * 1e9 + usec * 1000;
  } catch {
    return undefined;
  }
}

/** Integer options kept as set and answered back, by `level:name`, with defaults. */
const INT_DEFAULTS: ReadonlyMap<string, number> = new Map([
  [`${SOL_SOCKET}:${SO.PRIORITY}`, 0],
  [`${SOL_SOCKET}:${SO.RCVLOWAT}`, 1],
  [`${SOL_SOCKET}:${SO.SNDLOWAT}`, 1],
  [`${SOL_SOCKET}:${SO.DONTROUTE}`, 0],
  [`${SOL_SOCKET}:${SO.BUSY_POLL}`, 0],
  [`${SOL_SOCKET}:${SO.ZEROCOPY}`, 0],
  [`${SOL_TCP}:${TCP.KEEPIDLE}`, 7200],
  [`${SOL_TCP}:${TCP.KEEPINTVL}`, 75],
  [`${SOL_TCP}:${TCP.KEEPCNT}`, 9],
  [`${SOL_TCP}:${TCP.MAXSEG}`, 65483],
  [`${SOL_TCP}:${TCP.CORK}`, 0],
  [`${SOL_TCP}:${TCP.QUICKACK}`, 1],
  [`${SOL_TCP}:${TCP.USER_TIMEOUT}`, 0],
  [`${SOL_TCP}:${TCP.SYNCNT}`, 6],
  [`${SOL_TCP}:${TCP.LINGER2}`, 60],
  [`${SOL_TCP}:${TCP.DEFER_ACCEPT}`, 0],
  [`${SOL_TCP}:${TCP.WINDOW_CLAMP}`, 0],
  [`${SOL_TCP}:${TCP.FASTOPEN}`, 0],
  [`${SOL_TCP}:${TCP.FASTOPEN_CONNECT}`, 0],
  [`${SOL_TCP}:${TCP.NOTSENT_LOWAT}`, -1],
  [`${SOL_IP}:${IP.TOS}`, 0],
  [`${SOL_IP}:${IP.TTL}`, 64],
  [`${SOL_IP}:${IP.RECVERR}`, 0],
  [`${SOL_IP}:${IP.MTU_DISCOVER}`, 1],
  [`${SOL_IP}:${IP.MULTICAST_TTL}`, 1],
  [`${SOL_IP}:${IP.MULTICAST_LOOP}`, 1],
  [`${SOL_IPV6}:${IPV6.UNICAST_HOPS}`, 64],
  [`${SOL_IPV6}:${IPV6.MULTICAST_HOPS}`, 1],
  [`${SOL_IPV6}:${IPV6.MULTICAST_LOOP}`, 1],
  [`${SOL_IPV6}:${IPV6.RECVERR}`, 0],
  [`${SOL_IPV6}:${IPV6.TCLASS}`, 0],
]);

/** Whether `level` applies to socket `s` (TCP options on TCP sockets, and so on). */
function levelFits(s: Socket, level: number): boolean {
  if (level === SOL_SOCKET) return true;
  if (level === SOL_TCP) return s.family !== AF_UNIX && s.type === SOCK_STREAM;
  if (level === SOL_IP) return s.family !== AF_UNIX;
  if (level === SOL_IPV6) return s.family === AF_INET6;
  return false;
}

function sysSetsockopt(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const s = sock(k, a.int(0));
  if (typeof s === "number") return s;
  const level = a.int(1);
  const name = a.int(2);
  const p = a.ptr(3);
  const len = a.int(4);
  if (len < 0) return -EINVAL;
  if (!levelFits(s, level)) {
    return s.family === AF_UNIX && level !== SOL_SOCKET ? -EOPNOTSUPP : -ENOPROTOOPT;
  }
  const o = s.opt;
  if (level === SOL_SOCKET && (name === SO.RCVTIMEO_OLD || name === SO.SNDTIMEO_OLD)) {
    const ns = timevalNs(k, p, len);
    if (ns === undefined) return len < 16 ? -EINVAL : -EDOM_TIMEO;
    if (name === SO.RCVTIMEO_OLD) o.rcvtimeo = ns;
    else o.sndtimeo = ns;
    return 0;
  }
  if (level === SOL_SOCKET && name === SO.LINGER) {
    if (len < 8) return -EINVAL;
    try {
      o.linger = [k.mem.readI32(p), k.mem.readI32(p + 4)];
    } catch {
      return -EFAULT;
    }
    return 0;
  }
  if (level === SOL_TCP && name === TCP.CONGESTION) return 0;
  if (level === SOL_SOCKET && name === SO.BINDTODEVICE) return len === 0 ? 0 : -EPERM;
  const v = readOptInt(k, p, len);
  if (v === undefined) return len < 4 ? -EINVAL : -EFAULT;
  const on = v !== 0;
  const key = `${level}:${name}`;
  if (level === SOL_SOCKET) {
    switch (name) {
      case SO.REUSEADDR:
        o.reuseaddr = on;
        return 0;
      case SO.REUSEPORT:
        o.reuseport = on;
        return 0;
      case SO.KEEPALIVE:
        o.keepalive = on;
        return 0;
      case SO.BROADCAST:
        o.broadcast = on;
        return 0;
      case SO.PASSCRED:
        o.passcred = on;
        return 0;
      case SO.OOBINLINE:
        o.oobinline = on;
        return 0;
      case SO.RCVBUF:
      case SO.RCVBUFFORCE:
        o.rcvbuf = Math.min(Math.max(v, 0), 212992) * 2 || 2304;
        return 0;
      case SO.SNDBUF:
      case SO.SNDBUFFORCE:
        o.sndbuf = Math.min(Math.max(v, 0), 212992) * 2 || 4608;
        return 0;
      case SO.TYPE:
      case SO.ERROR:
      case SO.ACCEPTCONN:
      case SO.PROTOCOL:
      case SO.DOMAIN:
      case SO.PEERCRED:
        return -ENOPROTOOPT;
    }
  }
  if (level === SOL_TCP && name === TCP.NODELAY) {
    o.nodelay = on;
    return 0;
  }
  if (level === SOL_IPV6 && name === IPV6.V6ONLY) {
    if (s.local) return -EINVAL;
    o.v6only = on;
    return 0;
  }
  if (level === SOL_TCP && (name === TCP.KEEPIDLE || name === TCP.KEEPINTVL)) {
    if (v < 1 || v > 32767) return -EINVAL;
  }
  if (level === SOL_TCP && name === TCP.KEEPCNT && (v < 1 || v > 127)) return -EINVAL;
  if (INT_DEFAULTS.has(key)) {
    o.ints.set(key, v);
    return 0;
  }
  return -ENOPROTOOPT;
}

function sysGetsockopt(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const s = sock(k, a.int(0));
  if (typeof s === "number") return s;
  const level = a.int(1);
  const name = a.int(2);
  const p = a.ptr(3);
  const lenp = a.ptr(4);
  let have: number;
  try {
    have = k.mem.readI32(lenp);
  } catch {
    return -EFAULT;
  }
  if (have < 0) return -EINVAL;
  if (!levelFits(s, level)) {
    return s.family === AF_UNIX && level !== SOL_SOCKET ? -EOPNOTSUPP : -ENOPROTOOPT;
  }
  const o = s.opt;
  let value: Uint8Array | undefined;
  const int = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    return b;
  };
  const bool = (v: boolean) => int(v ? 1 : 0);
  if (level === SOL_SOCKET) {
    switch (name) {
      case SO.TYPE:
        value = int(s.type);
        break;
      case SO.ERROR:
        value = int(s.error);
        s.error = 0;
        break;
      case SO.ACCEPTCONN:
        value = bool(s.state === "listening");
        break;
      case SO.PROTOCOL:
        value = int(s.protocol);
        break;
      case SO.DOMAIN:
        value = int(s.family);
        break;
      case SO.REUSEADDR:
        value = bool(o.reuseaddr);
        break;
      case SO.REUSEPORT:
        value = bool(o.reuseport);
        break;
      case SO.KEEPALIVE:
        value = bool(o.keepalive);
        break;
      case SO.BROADCAST:
        value = bool(o.broadcast);
        break;
      case SO.PASSCRED:
        value = bool(o.passcred);
        break;
      case SO.OOBINLINE:
        value = bool(o.oobinline);
        break;
      case SO.RCVBUF:
        value = int(o.rcvbuf);
        break;
      case SO.SNDBUF:
        value = int(o.sndbuf);
        break;
      case SO.LINGER: {
        const b = new Uint8Array(8);
        const dv = new DataView(b.buffer);
        dv.setInt32(0, o.linger[0], true);
        dv.setInt32(4, o.linger[1], true);
        value = b;
        break;
      }
      case SO.RCVTIMEO_OLD:
      case SO.SNDTIMEO_OLD: {
        const ns = name === SO.RCVTIMEO_OLD ? o.rcvtimeo : o.sndtimeo;
        const b = new Uint8Array(16);
        const dv = new DataView(b.buffer);
        dv.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
        dv.setBigInt64(8, BigInt(Math.floor((ns % 1e9) / 1000)), true);
        value = b;
        break;
      }
      case SO.PEERCRED: {
        if (s.family !== AF_UNIX) return -ENODATA;
        const b = new Uint8Array(12);
        const dv = new DataView(b.buffer);
        const connected = s.peer !== undefined;
        dv.setInt32(0, connected ? k.pid : 0, true);
        dv.setUint32(4, connected ? GUEST_UID : 0xffffffff, true);
        dv.setUint32(8, connected ? GUEST_UID : 0xffffffff, true);
        value = b;
        break;
      }
    }
  } else if (level === SOL_TCP && name === TCP.NODELAY) {
    value = bool(o.nodelay);
  } else if (level === SOL_IPV6 && name === IPV6.V6ONLY) {
    value = bool(o.v6only);
  }
  if (!value) {
    const key = `${level}:${name}`;
    const d = o.ints.get(key) ?? INT_DEFAULTS.get(key);
    if (d === undefined) return -ENOPROTOOPT;
    value = int(d);
  }
  const n = Math.min(have, value.length);
  try {
    k.mem.write(p, value.subarray(0, n));
    k.mem.writeU32(lenp, n);
  } catch {
    return -EFAULT;
  }
  return 0;
}

/** The net family's handlers by syscall name. */
export const NET: SyscallFamilyTable = {
  family: "net",
  handlers: {
    socket: sysSocket,
    socketpair: sysSocketpair,
    bind: sysBind,
    listen: sysListen,
    accept: sysAccept,
    accept4: sysAccept4,
    connect: sysConnect,
    getsockname: sysGetsockname,
    getpeername: sysGetpeername,
    sendto: sysSendto,
    recvfrom: sysRecvfrom,
    setsockopt: sysSetsockopt,
    getsockopt: sysGetsockopt,
    shutdown: sysShutdown,
    sendmsg: sysSendmsg,
    recvmsg: sysRecvmsg,
    sendmmsg: sysSendmmsg,
    recvmmsg: sysRecvmmsg,
  },
};
