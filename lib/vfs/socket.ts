/**
 * Sockets, emulated inside the process only: AF_UNIX (stream, datagram,
 * seqpacket; filesystem and abstract names; descriptor passing) and
 * AF_INET/AF_INET6 on the loopback addresses (127.0.0.0/8, ::1, and the
 * v4-mapped ::ffff:127.x), TCP and UDP. No host socket is ever opened:
 * {@linkcode Network} is the whole network, one per process.
 *
 * As for every {@linkcode OpenFile}, nothing here blocks: operations that
 * would wait return -EAGAIN and the syscall layer parks the thread on a
 * readiness wait. Each socket has a `generation` that changes whenever its
 * readiness may have risen (data or a connection arrived, the peer shut
 * down), so edge-triggered epoll sees every event.
 *
 * Behaviour, as Linux's on loopback (socket(7), unix(7), tcp(7), udp(7),
 * ip(7), ipv6(7)):
 * - TCP connect completes at once (loopback): a blocking connect returns 0,
 *   a non-blocking one EINPROGRESS and the socket is writable right after;
 *   a port nobody listens on gives ECONNREFUSED (non-blocking: through
 *   SO_ERROR and POLLERR). Non-loopback destinations give ENETUNREACH.
 * - Ephemeral ports are handed out in order from 32768 (Linux's
 *   ip_local_port_range starts there; it picks randomly, zkabi in order so
 *   runs repeat).
 * - AF_INET6 sockets are dual-stack unless IPV6_V6ONLY is set: a listener
 *   on `::` accepts IPv4 connections, whose addresses appear v4-mapped.
 * - UDP to a loopback port nobody has bound is dropped; a connected UDP
 *   socket then sees ECONNREFUSED on its next call (the ICMP error), as a
 *   resolver on an offline host does.
 * - AF_UNIX datagram queues hold at most {@linkcode UNIX_MAX_DGRAM_QLEN}
 *   messages (net.unix.max_dgram_qlen); stream buffers
 *   {@linkcode UNIX_STREAM_BUFFER} bytes, TCP {@linkcode TCP_BUFFER}.
 * - Closing one end of a stream: the other reads what is left, then end of
 *   file; its writes fail with EPIPE.
 * @module
 */

import {
  EADDRINUSE,
  EAGAIN,
  ECONNREFUSED,
  ECONNRESET,
  EDESTADDRREQ,
  EINVAL,
  EISCONN,
  EMSGSIZE,
  ENETUNREACH,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
  EPROTOTYPE,
} from "../abi/errno.ts";
import {
  FIONREAD,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
} from "../abi/flags.ts";
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AF_UNIX,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITALL,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from "../abi/net.ts";
import { putInt } from "./descriptions.ts";
import { routeAnswers } from "./netlink.ts";
import { type FileContext, OpenFile } from "./open_file.ts";
import { type Attr, type Inode, makeAttr, makedev } from "./types.ts";

/** POLLRDHUP: the peer shut down its sending side. */
export const POLLRDHUP = 0x2000;
/** net.unix.max_dgram_qlen. */
export const UNIX_MAX_DGRAM_QLEN = 10;
/** Bytes an AF_UNIX stream or seqpacket connection buffers one way (the default sk_sndbuf). */
export const UNIX_STREAM_BUFFER = 212992;
/** Bytes a loopback TCP connection buffers one way. */
export const TCP_BUFFER = 4 * 1024 * 1024;
/** Bytes a UDP socket's receive queue holds (the default rmem). */
export const UDP_BUFFER = 212992;
/** Largest UDP payload (65535 - IP and UDP headers). */
export const UDP_MAX_PAYLOAD = 65507;
/** First ephemeral port. */
export const EPHEMERAL_FIRST = 32768;
/** Last ephemeral port. */
export const EPHEMERAL_LAST = 60999;
/** st_dev of sockets (sockfs). */
export const SOCKFS_DEV: number = makedev(0, 8);

/** A socket address, decoded. */
export type SockAddr =
  | {
    family: typeof AF_UNIX;
    /** sun_path bytes as given (no trailing NULs for paths; leading NUL for abstract). */
    path: Uint8Array;
  }
  | {
    family: typeof AF_INET | typeof AF_INET6;
    /** The address as 16 bytes (IPv4 as v4-mapped ::ffff:a.b.c.d). */
    ip: Uint8Array;
    /** The port. */
    port: number;
    /** sin6_flowinfo (AF_INET6). */
    flowinfo?: number;
    /** sin6_scope_id (AF_INET6). */
    scope?: number;
  }
  | {
    family: typeof AF_NETLINK;
    /** The port id (0: the kernel). */
    pid: number;
    /** Multicast groups. */
    groups: number;
  };

/** The AF_INET/AF_INET6 variant of {@linkcode SockAddr}. */
export type InetAddr = Extract<SockAddr, { ip: Uint8Array }>;

/** `a.b.c.d` as a v4-mapped 16-byte address. */
export function v4mapped(a: number, b: number, c: number, d: number): Uint8Array {
  return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d]);
}

/** True for a v4-mapped address. */
export function isV4(ip: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

function isZero(ip: Uint8Array, from = 0): boolean {
  for (let i = from; i < 16; i++) if (ip[i] !== 0) return false;
  return true;
}

/** 0.0.0.0 or ::. */
export function isWildcard(ip: Uint8Array): boolean {
  return isZero(ip) || (isV4(ip) && isZero(ip, 12));
}

/** 127.0.0.0/8 or ::1. */
export function isLoopback(ip: Uint8Array): boolean {
  if (isV4(ip)) return ip[12] === 127;
  for (let i = 0; i < 15; i++) if (ip[i] !== 0) return false;
  return ip[15] === 1;
}

function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What a message carries besides its bytes. */
interface Packet {
  data: Uint8Array;
  /** The sender's address (datagrams). */
  from?: SockAddr;
  /** Passed descriptions (SCM_RIGHTS), with a reference held while queued. */
  files?: OpenFile[];
}

/** What {@linkcode Socket.recv} hands back. */
export interface Received {
  /** The bytes. */
  data: Uint8Array;
  /** The real length (datagrams longer than the buffer: MSG_TRUNC). */
  length: number;
  /** The sender (datagram sockets). */
  from?: SockAddr;
  /** Descriptions passed with the data. */
  files?: OpenFile[];
  /** msg_flags (MSG_TRUNC, MSG_EOR). */
  flags: number;
}

/** A socket's state. */
export type SocketState = "unconnected" | "listening" | "connected";

/** The whole emulated network of one process. */
export class Network {
  /**
   * Finds the socket bound to an AF_UNIX name (abstract or a path in the
   * guest's filesystem): the socket, or -errno (ENOENT: no such path,
   * ECONNREFUSED: nothing bound there).
   */
  readonly resolveUnix: (path: Uint8Array) => Socket | number;
  /** Netlink port ids in use. */
  readonly netlinkPids: Set<number> = new Set();
  /** The next automatic netlink port id after the first (which is the process id). */
  nextNetlinkPid = -4097;
  /** Sockets bound to an abstract AF_UNIX name, by name (latin1 of the bytes). */
  readonly abstract: Map<string, Socket> = new Map();
  /** Sockets bound to a filesystem AF_UNIX name, by inode. */
  readonly byInode: WeakMap<Inode, Socket> = new WeakMap();
  /** Bound TCP and UDP sockets by port. */
  readonly ports: Record<"tcp" | "udp", Map<number, Socket[]>> = { tcp: new Map(), udp: new Map() };
  #nextPort = EPHEMERAL_FIRST;
  #nextAutobind = 0;
  #nextIno = 30000;

  /** Creates an empty network; `resolveUnix` looks AF_UNIX names up. */
  constructor(resolveUnix: (path: Uint8Array) => Socket | number) {
    this.resolveUnix = resolveUnix;
  }

  /** The next socket inode number. */
  nextIno(): number {
    return this.#nextIno++;
  }

  /** A fresh autobind name: 5 hex digits in the abstract namespace. */
  autobindName(): Uint8Array {
    while (true) {
      const name = (this.#nextAutobind++ & 0xfffff).toString(16).padStart(5, "0");
      if (!this.abstract.has("\0" + name)) {
        return Uint8Array.from([0, ...new TextEncoder().encode(name)]);
      }
    }
  }

  /** A free ephemeral port for `proto` (0 when all are taken). */
  ephemeralPort(proto: "tcp" | "udp"): number {
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const p = this.#nextPort;
      this.#nextPort = p === EPHEMERAL_LAST ? EPHEMERAL_FIRST : p + 1;
      if (!this.ports[proto].has(p)) return p;
    }
    return 0;
  }

  /** Binds `s` to `addr` in the port table (the caller checked the address). */
  bindInet(s: Socket, addr: InetAddr): number {
    const proto = s.proto;
    let port = addr.port;
    if (port === 0) {
      port = this.ephemeralPort(proto);
      if (port === 0) return -EADDRINUSE;
    } else {
      for (const o of this.ports[proto].get(port) ?? []) {
        if (!overlaps(s, addr.ip, o)) continue;
        const reuse = s.opt.reuseport && o.opt.reuseport;
        const reuseAddr = s.opt.reuseaddr && o.opt.reuseaddr &&
          (proto === "udp" || o.state !== "listening");
        if (!reuse && !reuseAddr) return -EADDRINUSE;
      }
    }
    const list = this.ports[proto].get(port) ?? [];
    list.push(s);
    this.ports[proto].set(port, list);
    s.local = { family: s.family as typeof AF_INET, ip: addr.ip, port };
    return 0;
  }

  /** Removes `s` from the name tables. */
  unbind(s: Socket): void {
    const l = s.local;
    if (!l) return;
    if (l.family === AF_NETLINK) {
      this.netlinkPids.delete(l.pid);
      return;
    }
    if (l.family === AF_UNIX) {
      if (l.path[0] === 0) {
        const key = latin1(l.path);
        if (this.abstract.get(key) === s) this.abstract.delete(key);
      } else if (s.inode && this.byInode.get(s.inode) === s) this.byInode.delete(s.inode);
      return;
    }
    const list = this.ports[s.proto].get(l.port);
    if (!list) return;
    const rest = list.filter((x) => x !== s);
    if (rest.length > 0) this.ports[s.proto].set(l.port, rest);
    else this.ports[s.proto].delete(l.port);
  }

  /** The socket of `proto` that traffic to `ip`:`port` reaches (a listener for TCP). */
  findInet(proto: "tcp" | "udp", ip: Uint8Array, port: number): Socket | undefined {
    let wild: Socket | undefined;
    for (const s of this.ports[proto].get(port) ?? []) {
      if (proto === "tcp" && s.state !== "listening") continue;
      const l = s.local as InetAddr;
      if (isV4(ip) && s.family === AF_INET6 && s.opt.v6only) continue;
      if (!isV4(ip) && s.family === AF_INET) continue;
      if (sameIp(l.ip, ip)) return s;
      if (isWildcard(l.ip) && (isV4(l.ip) === isV4(ip) || s.family === AF_INET6)) wild ??= s;
    }
    return wild;
  }
}

/** Whether binding `s` to `ip` conflicts with `o`'s binding on the same port. */
function overlaps(s: Socket, ip: Uint8Array, o: Socket): boolean {
  const l = (o.local as InetAddr).ip;
  const v4 = (x: Socket, a: Uint8Array) =>
    x.family === AF_INET || isV4(a) || (isWildcard(a) && !x.opt.v6only);
  const v6 = (x: Socket, a: Uint8Array) => x.family === AF_INET6 && !isV4(a);
  const sharesFamily = (v4(s, ip) && v4(o, l)) || (v6(s, ip) && v6(o, l));
  if (!sharesFamily) return false;
  return isWildcard(ip) || isWildcard(l) || sameIp(ip, l);
}

/** The bytes as a latin1 string (a map key). */
export function latin1(b: Uint8Array): string {
  return String.fromCharCode(...b);
}

/** Socket options zkabi keeps (the rest answer from defaults). */
export interface SocketOptions {
  reuseaddr: boolean;
  reuseport: boolean;
  keepalive: boolean;
  broadcast: boolean;
  passcred: boolean;
  oobinline: boolean;
  v6only: boolean;
  nodelay: boolean;
  linger: [number, number];
  rcvbuf: number;
  sndbuf: number;
  /** SO_RCVTIMEO/SO_SNDTIMEO in ns (0: none). */
  rcvtimeo: number;
  sndtimeo: number;
  /** Other integer options as set, by `level:name`. */
  ints: Map<string, number>;
}

/** One socket (an open file description). */
export class Socket extends OpenFile {
  /** Description kind. */
  readonly kind = "socket";
  /** AF_UNIX, AF_INET or AF_INET6. */
  readonly family: number;
  /** SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET. */
  readonly type: number;
  /** The protocol number as given or defaulted (IPPROTO_TCP/UDP, 0 for AF_UNIX). */
  readonly protocol: number;
  /** The network it lives in. */
  readonly net: Network;
  /** Inode number for fstat and /proc. */
  readonly ino: number;
  /** Creation time (ns). */
  readonly ctimeNs: number;
  /** Connection state. */
  state: SocketState = "unconnected";
  /** The bound address. */
  local: SockAddr | undefined;
  /** The socket inode of a filesystem AF_UNIX name. */
  inode: Inode | undefined;
  /** The connected peer socket (streams and seqpacket; AF_UNIX datagram default peer). */
  peer: Socket | undefined;
  /** The default destination of a connected datagram socket. */
  peerAddr: SockAddr | undefined;
  /** Received data (streams: segments in order; datagrams and seqpacket: messages). */
  readonly rx: Packet[] = [];
  /** Bytes in `rx`. */
  rxBytes = 0;
  /** Pending connections of a listener. */
  readonly backlog: Socket[] = [];
  /** listen's backlog (capped at somaxconn). */
  maxBacklog = 0;
  /** This side will not receive any more (SHUT_RD, or the peer shut its sending side). */
  rdShut = false;
  /** This side sends no more (SHUT_WR). */
  wrShut = false;
  /** The peer closed (streams): reads end at EOF, writes fail with EPIPE. */
  peerGone = false;
  /** A non-blocking connect returned EINPROGRESS and no later connect has reported it. */
  connectPending = false;
  /** A pending error (SO_ERROR): e.g. ECONNREFUSED from a refused connect or an ICMP error. */
  error = 0;
  /** Arrivals: data, connections, the peer's shutdown, errors (edge-triggered POLLIN). */
  inGen = 0;
  /** Room made in the peer's queue (edge-triggered POLLOUT). */
  outGen = 0;
  /** Options. */
  readonly opt: SocketOptions = {
    reuseaddr: false,
    reuseport: false,
    keepalive: false,
    broadcast: false,
    passcred: false,
    oobinline: false,
    v6only: false,
    nodelay: false,
    linger: [0, 0],
    rcvbuf: 131072,
    sndbuf: 16384,
    rcvtimeo: 0,
    sndtimeo: 0,
    ints: new Map(),
  };

  /** Creates an unconnected socket. */
  constructor(
    net: Network,
    family: number,
    type: number,
    protocol: number,
    flags: number,
    ctimeNs: number,
  ) {
    super(flags | 2); // O_RDWR
    this.net = net;
    this.family = family;
    this.type = type;
    this.protocol = protocol;
    this.ino = net.nextIno();
    this.ctimeNs = ctimeNs;
    if (family === AF_UNIX) {
      this.opt.rcvbuf = UNIX_STREAM_BUFFER;
      this.opt.sndbuf = UNIX_STREAM_BUFFER;
    } else if (type === SOCK_STREAM) {
      this.opt.rcvbuf = 131072;
      this.opt.sndbuf = 16384;
    } else {
      this.opt.rcvbuf = UDP_BUFFER;
      this.opt.sndbuf = UDP_BUFFER;
    }
  }

  /** `tcp` or `udp` (the port table an AF_INET/AF_INET6 socket uses). */
  get proto(): "tcp" | "udp" {
    return this.type === SOCK_STREAM ? "tcp" : "udp";
  }

  /** True for byte streams (AF_UNIX stream, TCP). */
  get stream(): boolean {
    return this.type === SOCK_STREAM;
  }

  /** True for connection-oriented sockets (streams and seqpacket). */
  get connectionOriented(): boolean {
    return this.type === SOCK_STREAM || this.type === SOCK_SEQPACKET;
  }

  /** What /proc/self/fd/N shows. */
  get path(): string {
    return `socket:[${this.ino}]`;
  }

  /** fstat: a socket inode on sockfs. */
  stat(_k: FileContext): Attr {
    const fs = { dev: SOCKFS_DEV, writable: false, mntId: 0, kind: "sockfs" };
    return makeAttr(fs, "sock", {
      ino: this.ino,
      perm: 0o777,
      atimeNs: this.ctimeNs,
      mtimeNs: this.ctimeNs,
      ctimeNs: this.ctimeNs,
    });
  }

  /** Capacity of this socket's receive queue in bytes. */
  get capacity(): number {
    if (this.family === AF_UNIX) return UNIX_STREAM_BUFFER;
    return this.type === SOCK_STREAM ? TCP_BUFFER : UDP_BUFFER;
  }

  /** Signals an arrival (readiness for reading may have risen). */
  bump(): void {
    this.inGen++;
  }

  /** Signals room made for this socket's writes. */
  bumpOut(): void {
    this.outGen++;
  }

  /** The change counter edge-triggered epoll compares for interest `events`. */
  generationFor(events: number): number {
    return ((events & POLLIN) ? this.inGen : 0) * 2 ** 26 + ((events & POLLOUT) ? this.outGen : 0);
  }

  // ------------------------------------------------------------- connecting

  /** listen(2). */
  listen(backlog: number): number {
    if (!this.connectionOriented) return -EOPNOTSUPP;
    if (this.state === "connected") return -EINVAL;
    if (this.family !== AF_UNIX && !this.local) {
      const any = this.family === AF_INET ? v4mapped(0, 0, 0, 0) : new Uint8Array(16);
      const r = this.net.bindInet(this, {
        family: this.family as typeof AF_INET,
        ip: any,
        port: 0,
      });
      if (r < 0) return r;
    }
    if (this.family === AF_UNIX && !this.local) {
      const name = this.net.autobindName();
      this.local = { family: AF_UNIX, path: name };
      this.net.abstract.set(latin1(name), this);
    }
    this.state = "listening";
    this.maxBacklog = Math.min(Math.max(backlog, 0), 4096);
    return 0;
  }

  /**
   * Queues a connection from `client` on this listener: creates the
   * server-side socket and links the two. -EAGAIN when the backlog is full.
   */
  enqueueConnection(client: Socket, ctimeNs: number): number {
    if (this.family === AF_UNIX && this.backlog.length > this.maxBacklog) return -EAGAIN;
    const server = new Socket(this.net, this.family, this.type, this.protocol, 0, ctimeNs);
    server.local = this.local;
    if (this.local && (this.local.family === AF_INET || this.local.family === AF_INET6)) {
      // An accepted connection holds the port too: a later bind without SO_REUSEADDR fails.
      const list = this.net.ports.tcp.get(this.local.port) ?? [];
      list.push(server);
      this.net.ports.tcp.set(this.local.port, list);
      server.opt.reuseaddr = this.opt.reuseaddr;
    }
    server.state = "connected";
    server.peer = client;
    server.peerAddr = client.local;
    server.opt.nodelay = this.opt.nodelay;
    server.opt.keepalive = this.opt.keepalive;
    client.peer = server;
    client.peerAddr = this.family === AF_UNIX ? this.local : client.peerAddr;
    client.state = "connected";
    this.backlog.push(server);
    this.bump();
    client.bump();
    client.bumpOut();
    return 0;
  }

  /** Takes the next pending connection (accept): the socket, or -EAGAIN. */
  accept(): Socket | number {
    if (this.state !== "listening") return -EINVAL;
    const s = this.backlog.shift();
    return s ?? -EAGAIN;
  }

  /** Links two fresh sockets as a connected pair (socketpair). */
  static pair(a: Socket, b: Socket): void {
    a.peer = b;
    b.peer = a;
    a.state = "connected";
    b.state = "connected";
    a.local = b.local = undefined;
  }

  // -------------------------------------------------------------- data path

  /**
   * Sends `data` (with `files` for SCM_RIGHTS) to the peer, or to `to` for
   * datagram sockets: bytes accepted, -EAGAIN when there is no room yet,
   * or -errno (-EPIPE: the caller raises SIGPIPE unless MSG_NOSIGNAL).
   */
  send(data: Uint8Array, to: SockAddr | undefined, files: OpenFile[] | undefined): number {
    if (this.error !== 0 && this.type === SOCK_DGRAM && this.family !== AF_UNIX) {
      const e = this.error;
      this.error = 0;
      return -e;
    }
    if (this.connectionOriented) {
      if (this.state !== "connected") return this.state === "listening" ? -ENOTCONN : -ENOTCONN;
      if (to !== undefined && this.family !== AF_UNIX && this.type === SOCK_STREAM) {
        return -EISCONN;
      }
      if (this.wrShut || this.peerGone || !this.peer) return -EPIPE;
      const peer = this.peer;
      if (peer.rdShut && this.family === AF_UNIX) return -EPIPE;
      const room = peer.capacity - peer.rxBytes;
      if (this.type === SOCK_SEQPACKET) {
        if (data.length > peer.capacity) return -EMSGSIZE;
        if (room < data.length) return -EAGAIN;
        peer.deliver({ data: data.slice(), files });
        return data.length;
      }
      if (room <= 0) return -EAGAIN;
      const n = Math.min(room, data.length);
      if (n === 0 && data.length > 0) return -EAGAIN;
      peer.deliver({ data: data.slice(0, n), files });
      return n;
    }
    // Datagrams.
    if (this.wrShut) return -EPIPE;
    if (this.family === AF_NETLINK) {
      // Requests go to the kernel (port 0): the answers queue on this socket.
      const local = this.local?.family === AF_NETLINK ? this.local.pid : 0;
      for (const d of routeAnswers(data, local)) {
        this.deliver({ data: d, from: { family: AF_NETLINK, pid: 0, groups: 0 } });
      }
      return data.length;
    }
    if (this.family === AF_UNIX) {
      if (to && to.family !== AF_UNIX) return -EINVAL;
      const target = to ? this.net.resolveUnix((to as { path: Uint8Array }).path) : this.peer;
      if (typeof target === "number") return target;
      if (!target) return -ENOTCONN;
      if (target.rdShut) return -ECONNREFUSED;
      if (target.type !== this.type) return -EPROTOTYPE;
      if (target.peer && target.peer !== this) return -EPERM;
      if (target.rx.length >= UNIX_MAX_DGRAM_QLEN) return -EAGAIN;
      const from = this.local ?? { family: AF_UNIX, path: new Uint8Array(0) };
      target.deliver({ data: data.slice(), from, files });
      return data.length;
    }
    const dest = to ?? this.peerAddr;
    if (!dest) return -EDESTADDRREQ;
    const d = dest as InetAddr;
    if (data.length > UDP_MAX_PAYLOAD) return -EMSGSIZE;
    if (!this.local) {
      const any = this.family === AF_INET ? v4mapped(0, 0, 0, 0) : new Uint8Array(16);
      const r = this.net.bindInet(this, {
        family: this.family as typeof AF_INET,
        ip: any,
        port: 0,
      });
      if (r < 0) return r;
    }
    const dip = isWildcard(d.ip) ? (isV4(d.ip) ? v4mapped(127, 0, 0, 1) : loopback6()) : d.ip;
    if (!isLoopback(dip)) return -ENETUNREACH;
    const target = this.net.findInet("udp", dip, d.port);
    const l = this.local as InetAddr;
    const srcIp = isWildcard(l.ip) ? dip : l.ip;
    if (!target) {
      if (this.peerAddr) this.error = ECONNREFUSED;
      this.bump();
      return data.length;
    }
    if (target.rxBytes + data.length > target.capacity) return data.length; // dropped
    target.deliver({ data: data.slice(), from: { family: AF_INET6, ip: srcIp, port: l.port } });
    return data.length;
  }

  /** Appends a packet to the receive queue. */
  deliver(p: Packet): void {
    for (const f of p.files ?? []) f.refs++;
    this.rx.push(p);
    this.rxBytes += p.data.length;
    this.bump();
  }

  /**
   * Receives up to `max` bytes (`flags`: MSG_PEEK, MSG_TRUNC, MSG_WAITALL
   * as far as one call goes): the data, -EAGAIN when none is there yet, or
   * -errno. End of stream is an empty result.
   */
  recv(max: number, flags: number): Received | number {
    if (this.error !== 0) {
      const e = this.error;
      this.error = 0;
      return -e;
    }
    const peek = (flags & MSG_PEEK) !== 0;
    if (this.connectionOriented && this.state !== "connected") {
      return this.type === SOCK_STREAM && this.family !== AF_UNIX ? -ENOTCONN : -EINVAL;
    }
    if (this.rx.length === 0) {
      if (this.rdShut || this.peerGone || (this.peer?.wrShut ?? false)) {
        return { data: new Uint8Array(0), length: 0, flags: 0 };
      }
      return -EAGAIN;
    }
    if (this.stream) {
      if (
        (flags & MSG_WAITALL) && !peek && this.rxBytes < max && !this.peerGone &&
        !(this.peer?.wrShut ?? false) && this.rxBytes < this.capacity
      ) {
        return -EAGAIN;
      }
      // Bytes across segments, but descriptors only with the segment they came with.
      const out: Uint8Array[] = [];
      let n = 0;
      let files: OpenFile[] | undefined;
      let i = 0;
      while (n < max && i < this.rx.length) {
        const seg = this.rx[i];
        if (seg.files && n > 0) break;
        if (seg.files) files = seg.files;
        const k = Math.min(seg.data.length, max - n);
        out.push(seg.data.subarray(0, k));
        n += k;
        if (!peek) {
          if (k === seg.data.length) {
            this.rx.shift();
            if (seg.files) seg.files = undefined;
          } else {
            this.rx[0] = { data: seg.data.subarray(k) };
            if (seg.files) seg.files = undefined;
          }
          this.rxBytes -= k;
        } else i++;
        if (files) break;
      }
      const data = concat(out, n);
      if (!peek && n > 0) this.peer?.bumpOut();
      if (peek && files) return { data, length: n, flags: 0 };
      return { data, length: n, files, flags: 0 };
    }
    const m = this.rx[0];
    if (!peek) {
      this.rx.shift();
      this.rxBytes -= m.data.length;
      this.peer?.bumpOut();
    }
    const k = Math.min(max, m.data.length);
    let rflags = k < m.data.length ? MSG_TRUNC : 0;
    if (this.type === SOCK_SEQPACKET) rflags |= 0x80; // MSG_EOR
    return {
      data: m.data.slice(0, k),
      length: (flags & MSG_TRUNC) ? m.data.length : k,
      from: m.from,
      files: peek ? undefined : m.files,
      flags: rflags,
    };
  }

  /** shutdown(2). */
  shutdown(how: number): number {
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) return -EINVAL;
    if (this.connectionOriented && this.state !== "connected") return -ENOTCONN;
    if (how !== SHUT_WR) this.rdShut = true;
    if (how !== SHUT_RD) this.wrShut = true;
    this.bump();
    this.bumpOut();
    this.peer?.bump();
    this.peer?.bumpOut();
    return 0;
  }

  // ------------------------------------------------------------ OpenFile API

  /** read(2) = recv(…, 0). */
  override read(_k: FileContext, max: number): Uint8Array | number {
    if (max === 0 && this.stream) return new Uint8Array(0);
    const r = this.recv(max, 0);
    if (typeof r === "number") return r;
    for (const f of r.files ?? []) f.refs--; // read(2) discards passed descriptors
    return r.data;
  }

  /** write(2) = send(…, 0). */
  override write(_k: FileContext, data: Uint8Array): number {
    if (data.length === 0 && this.stream) return this.state === "connected" ? 0 : -ENOTCONN;
    return this.send(data, undefined, undefined);
  }

  /** Readiness. */
  override poll(_k: FileContext): number {
    let m = 0;
    if (this.error !== 0) m |= POLLERR;
    if (this.state === "listening") return m | (this.backlog.length > 0 ? POLLIN | POLLRDNORM : 0);
    const peerDone = this.peerGone || (this.peer?.wrShut ?? false);
    if (this.rdShut || peerDone) m |= POLLIN | POLLRDNORM | POLLRDHUP;
    if ((this.rdShut && this.wrShut) || (this.peerGone && this.connectionOriented)) m |= POLLHUP;
    if (this.rx.length > 0) m |= POLLIN | POLLRDNORM;
    if (this.connectionOriented) {
      if (this.state !== "connected") {
        if (this.family !== AF_UNIX) m |= POLLHUP;
        else m |= POLLOUT | POLLWRNORM | POLLHUP;
        return m;
      }
      if (this.wrShut || this.peerGone) m |= POLLOUT | POLLWRNORM;
      else if (this.peer && this.peer.rxBytes < this.peer.capacity) m |= POLLOUT | POLLWRNORM;
      return m;
    }
    if (this.family === AF_UNIX && this.peer && this.peer.rx.length >= UNIX_MAX_DGRAM_QLEN) {
      return m;
    }
    return m | POLLOUT | POLLWRNORM;
  }

  /** FIONREAD (SIOCINQ). */
  override ioctl(k: FileContext, request: number, arg: number): number {
    if (request === FIONREAD) {
      const n = this.stream ? this.rxBytes : (this.rx[0]?.data.length ?? 0);
      return putInt(k, arg, n);
    }
    return super.ioctl(k, request, arg);
  }

  /** Last descriptor closed: the peer sees end of file; queued descriptors are dropped. */
  override release(k: FileContext): void {
    this.net.unbind(this);
    // TCP resets instead of closing cleanly with SO_LINGER {1, 0} or unread data (tcp(7)).
    const reset = this.family !== AF_UNIX && this.type === SOCK_STREAM &&
      ((this.opt.linger[0] !== 0 && this.opt.linger[1] === 0) || this.rxBytes > 0);
    if (this.peer && this.connectionOriented) {
      if (reset && !this.peer.peerGone) this.peer.error = ECONNRESET;
      this.peer.peerGone = true;
      this.peer.bump();
      this.peer.bumpOut();
    }
    for (const s of this.backlog) {
      if (s.peer) {
        s.peer.peerGone = true;
        s.peer.bump();
      }
      s.release(k);
    }
    this.backlog.length = 0;
    for (const p of this.rx) {
      for (const f of p.files ?? []) {
        if (--f.refs === 0) f.release(k);
      }
    }
    this.rx.length = 0;
    this.rxBytes = 0;
  }
}

/** ::1. */
export function loopback6(): Uint8Array {
  const a = new Uint8Array(16);
  a[15] = 1;
  return a;
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  if (parts.length === 1) return parts[0].slice();
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
