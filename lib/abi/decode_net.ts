/**
 * strace's decoders for the socket calls (strace 6.x output):
 *
 * ```
 * socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3
 * bind(3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
 * bind(3, {sa_family=AF_UNIX, sun_path=@"abstract"}, 11) = 0
 * accept4(3, {sa_family=AF_INET6, sin6_port=htons(40000), sin6_flowinfo=htonl(0),
 *   inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, [28], SOCK_CLOEXEC) = 4
 * setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
 * sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="x", iov_len=1}], msg_iovlen=1,
 *   msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[5]}],
 *   msg_controllen=24, msg_flags=0}, 0) = 1
 * ```
 *
 * One difference: strace reads value-result lengths (`socklen_t *`) at
 * entry and exit and prints `[128 => 16]` when they changed; zkabi decodes
 * at exit only and prints the final value, `[16]`.
 * @module
 */

import type { DecodeContext, Decoded, Decoder } from "./decode.ts";
import {
  ADDRESS_FAMILIES,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IP_NAMES,
  IP_PROTOCOLS,
  IPV6_NAMES,
  MSG_FLAGS,
  SCM_RIGHTS,
  SCM_TYPES,
  SHUTDOWN_HOW,
  SO,
  SO_NAMES,
  SOCK_FLAGS,
  SOCKET_TYPES,
  SOCKOPT_LEVELS,
  SOL_IP,
  SOL_IPV6,
  SOL_SOCKET,
  SOL_TCP,
  TCP_NAMES,
} from "./net.ts";
import { enumText, flagsText } from "./xlat.ts";

function ptrText(v: number): string {
  return v === 0 ? "NULL" : `0x${v.toString(16)}`;
}

/** The text of an IPv6 address (RFC 5952: longest zero run as `::`, v4-mapped dotted). */
export function ipv6Text(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i] << 8) | b[i + 1]);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexes = words.map((w) => w.toString(16));
  if (best < 0) return hexes.join(":");
  return `${hexes.slice(0, best).join(":")}::${hexes.slice(best + bestLen).join(":")}`;
}

/** A sockaddr of `len` bytes at `p`, as strace prints it. */
export function sockaddrText(c: DecodeContext, p: number, len: number): string {
  if (p === 0) return "NULL";
  if (len < 2) return ptrText(p);
  const b = c.read(p, Math.min(len, 128));
  if (!b) return ptrText(p);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const family = dv.getUint16(0, true);
  const fam = `sa_family=${enumText(ADDRESS_FAMILIES, family)}`;
  if (family === AF_UNIX) {
    if (b.length <= 2) return `{${fam}}`;
    let path = b.subarray(2);
    if (path[0] === 0) return `{${fam}, sun_path=@${quoteBytes(path.subarray(1))}}`;
    const z = path.indexOf(0);
    if (z >= 0) path = path.subarray(0, z);
    return `{${fam}, sun_path=${quoteBytes(path)}}`;
  }
  if (family === AF_INET && b.length >= 16) {
    return `{${fam}, sin_port=htons(${dv.getUint16(2, false)}), ` +
      `sin_addr=inet_addr("${b[4]}.${b[5]}.${b[6]}.${b[7]}")}`;
  }
  if (family === AF_INET6 && b.length >= 24) {
    const scope = b.length >= 28 ? `, sin6_scope_id=${dv.getUint32(24, true)}` : "";
    return `{${fam}, sin6_port=htons(${dv.getUint16(2, false)}), ` +
      `sin6_flowinfo=htonl(${dv.getUint32(4, false)}), ` +
      `inet_pton(AF_INET6, "${ipv6Text(b.subarray(8, 24))}", &sin6_addr)${scope}}`;
  }
  if (family === 16 && b.length >= 12) {
    const groups = dv.getUint32(8, true).toString(16).padStart(8, "0");
    return `{${fam}, nl_pid=${dv.getUint32(4, true)}, nl_groups=${groups}}`;
  }
  return `{${fam}, sa_data=${quoteBytes(b.subarray(2))}}`;
}

/** strace's quoting of a short byte string (paths and names). */
function quoteBytes(b: Uint8Array): string {
  let s = '"';
  for (const ch of b) {
    if (ch === 0x22 || ch === 0x5c) s += "\\" + String.fromCharCode(ch);
    else if (ch >= 0x20 && ch < 0x7f) s += String.fromCharCode(ch);
    else s += "\\" + ch.toString(8);
  }
  return s + '"';
}

/** A socklen_t pointer at exit: `[16]`. */
function lenText(c: DecodeContext, p: number): string {
  if (p === 0) return "NULL";
  const v = c.view(p, 4);
  return v ? `[${v.getUint32(0, true)}]` : ptrText(p);
}

/** A socket type argument: `SOCK_STREAM|SOCK_CLOEXEC`. */
function typeText(t: number): string {
  const base = enumText(SOCKET_TYPES, t & 0xf);
  const flags = t & ~0xf;
  return flags === 0 ? base : `${base}|${flagsText(SOCK_FLAGS, flags)}`;
}

function protocolText(domain: number, p: number): string {
  return domain === AF_INET || domain === AF_INET6 ? enumText(IP_PROTOCOLS, p) : `${p}`;
}

/** An accept/getsockname-style (addr, addrlen) pair at exit. */
function addrOut(c: DecodeContext, addrArg: number, lenArg: number): string[] {
  if (!c.ok) return [c.addr(addrArg), c.addr(lenArg)];
  const lp = c.ptr(lenArg);
  const lv = lp === 0 ? undefined : c.view(lp, 4);
  const len = lv ? lv.getUint32(0, true) : 0;
  return [sockaddrText(c, c.ptr(addrArg), len), lenText(c, lp)];
}

function optName(level: number, name: number): string {
  switch (level) {
    case SOL_SOCKET:
      return enumText(SO_NAMES, name);
    case SOL_TCP:
      return enumText(TCP_NAMES, name);
    case SOL_IP:
      return enumText(IP_NAMES, name);
    case SOL_IPV6:
      return enumText(IPV6_NAMES, name);
  }
  return `${name}`;
}

/** An option value of `len` bytes at `p`. */
function optValue(c: DecodeContext, level: number, name: number, p: number, len: number): string {
  if (p === 0) return "NULL";
  if (level === SOL_SOCKET && name === SO.LINGER && len >= 8) {
    const v = c.view(p, 8);
    return v ? `{l_onoff=${v.getInt32(0, true)}, l_linger=${v.getInt32(4, true)}}` : ptrText(p);
  }
  if (level === SOL_SOCKET && (name === SO.RCVTIMEO_OLD || name === SO.SNDTIMEO_OLD) && len >= 16) {
    const v = c.view(p, 16);
    return v ? `{tv_sec=${v.getBigInt64(0, true)}, tv_usec=${v.getBigInt64(8, true)}}` : ptrText(p);
  }
  if (level === SOL_SOCKET && name === SO.PEERCRED && len >= 12) {
    const v = c.view(p, 12);
    return v
      ? `{pid=${v.getInt32(0, true)}, uid=${v.getUint32(4, true)}, gid=${v.getUint32(8, true)}}`
      : ptrText(p);
  }
  if (len >= 4) {
    const v = c.view(p, 4);
    return v ? `[${v.getInt32(0, true)}]` : ptrText(p);
  }
  return c.bufAt(p, len);
}

/** An iovec array: `[{iov_base="...", iov_len=N}, ...]`, showing at most `shown` bytes in all. */
function iovText(c: DecodeContext, p: number, count: number, shown: number | undefined): string {
  if (p === 0) return "NULL";
  const n = Math.min(count, c.strsize);
  const b = c.read(p, 16 * n);
  if (!b) return ptrText(p);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const parts: string[] = [];
  let left = shown;
  for (let i = 0; i < n; i++) {
    const base = Number(dv.getBigUint64(16 * i, true));
    const len = Number(dv.getBigUint64(16 * i + 8, true));
    const show = left === undefined ? len : Math.min(len, left);
    if (left !== undefined) left -= show;
    parts.push(`{iov_base=${c.bufAt(base, show)}, iov_len=${len}}`);
  }
  return `[${parts.join(", ")}${count > n ? ", ..." : ""}]`;
}

function cmsgText(c: DecodeContext, p: number, len: number): string {
  const b = c.read(p, Math.min(len, 4096));
  if (!b) return ptrText(p);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const parts: string[] = [];
  let off = 0;
  while (off + 16 <= b.length) {
    const clen = Number(dv.getBigUint64(off, true));
    const level = dv.getInt32(off + 8, true);
    const type = dv.getInt32(off + 12, true);
    const lv = enumText(SOCKOPT_LEVELS, level);
    let text = `{cmsg_len=${clen}, cmsg_level=${lv}, cmsg_type=`;
    if (level === SOL_SOCKET) {
      text += enumText(SCM_TYPES, type);
      if (type === SCM_RIGHTS && clen >= 16) {
        const fds: number[] = [];
        for (let q = off + 16; q + 4 <= Math.min(off + clen, b.length); q += 4) {
          fds.push(dv.getInt32(q, true));
        }
        text += `, cmsg_data=[${fds.join(", ")}]`;
      }
    } else text += `${type}`;
    parts.push(text + "}");
    if (clen < 16) break;
    off += (clen + 7) & ~7;
  }
  return `[${parts.join(", ")}]`;
}

/** A struct msghdr; `shown` limits the iov bytes printed (recvmsg's result). */
function msghdrText(c: DecodeContext, p: number, shown: number | undefined): string {
  const v = c.view(p, 56);
  if (!v) return ptrText(p);
  const name = Number(v.getBigUint64(0, true));
  const namelen = v.getUint32(8, true);
  const iov = Number(v.getBigUint64(16, true));
  const iovlen = Number(v.getBigUint64(24, true));
  const control = Number(v.getBigUint64(32, true));
  const controllen = Number(v.getBigUint64(40, true));
  const flags = v.getInt32(48, true);
  const nameText = name === 0 || namelen === 0 ? ptrText(name) : sockaddrText(c, name, namelen);
  const ctl = controllen > 0 && control !== 0
    ? `msg_control=${cmsgText(c, control, controllen)}, `
    : "";
  return `{msg_name=${nameText}, msg_namelen=${namelen}, msg_iov=${
    iovText(c, iov, iovlen, shown)
  }, ` +
    `msg_iovlen=${iovlen}, ${ctl}msg_controllen=${controllen}, ` +
    `msg_flags=${flagsText(MSG_FLAGS, flags)}}`;
}

function mmsgText(c: DecodeContext, p: number, count: number, recv: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i < Math.min(count, c.strsize); i++) {
    const v = c.view(p + 64 * i + 56, 4);
    const hdr = msghdrText(c, p + 64 * i, recv && v ? v.getUint32(0, true) : undefined);
    parts.push(`{msg_hdr=${hdr}, msg_len=${v ? v.getUint32(0, true) : "?"}}`);
  }
  return `[${parts.join(", ")}]`;
}

/** The socket calls' decoders, merged into `DECODERS`. */
export const NET_DECODERS: Readonly<Record<string, Decoder>> = {
  socket: (c): Decoded => ({
    args: [
      enumText(ADDRESS_FAMILIES, c.int(0)),
      typeText(c.int(1)),
      protocolText(c.int(0), c.int(2)),
    ],
  }),
  socketpair: (c): Decoded => ({
    args: [
      enumText(ADDRESS_FAMILIES, c.int(0)),
      typeText(c.int(1)),
      protocolText(c.int(0), c.int(2)),
      c.ok ? c.struct(3, 8, (v) => `[${v.getInt32(0, true)}, ${v.getInt32(4, true)}]`) : c.addr(3),
    ],
    entry: 3,
  }),
  bind: (c): Decoded => ({ args: [c.fd(0), sockaddrText(c, c.ptr(1), c.int(2)), `${c.int(2)}`] }),
  connect: (c): Decoded => ({
    args: [c.fd(0), sockaddrText(c, c.ptr(1), c.int(2)), `${c.int(2)}`],
  }),
  listen: (c): Decoded => ({ args: [c.fd(0), `${c.int(1)}`] }),
  accept: (c): Decoded => ({ args: [c.fd(0), ...addrOut(c, 1, 2)], entry: 1 }),
  accept4: (c): Decoded => ({
    args: [c.fd(0), ...addrOut(c, 1, 2), flagsText(SOCK_FLAGS, c.uint(3))],
    entry: 1,
  }),
  getsockname: (c): Decoded => ({ args: [c.fd(0), ...addrOut(c, 1, 2)], entry: 1 }),
  getpeername: (c): Decoded => ({ args: [c.fd(0), ...addrOut(c, 1, 2)], entry: 1 }),
  sendto: (c): Decoded => ({
    args: [
      c.fd(0),
      c.buf(1, Number(c.raw(2))),
      c.ulong(2),
      flagsText(MSG_FLAGS, c.uint(3)),
      sockaddrText(c, c.ptr(4), c.int(5)),
      `${c.int(5)}`,
    ],
  }),
  recvfrom: (c): Decoded => {
    const ok = c.ok;
    const [addr, len] = ok && c.ptr(4) !== 0 ? addrOut(c, 4, 5) : [c.addr(4), c.addr(5)];
    return {
      args: [
        c.fd(0),
        ok ? c.buf(1, Math.min(c.rv!, Number(c.raw(2)))) : c.addr(1),
        c.ulong(2),
        flagsText(MSG_FLAGS, c.uint(3)),
        addr,
        len,
      ],
      entry: 1,
    };
  },
  setsockopt: (c): Decoded => {
    const level = c.int(1);
    const name = c.int(2);
    return {
      args: [
        c.fd(0),
        enumText(SOCKOPT_LEVELS, level),
        optName(level, name),
        optValue(c, level, name, c.ptr(3), c.int(4)),
        `${c.int(4)}`,
      ],
    };
  },
  getsockopt: (c): Decoded => {
    const level = c.int(1);
    const name = c.int(2);
    let value = c.addr(3);
    if (c.ok) {
      const lv = c.view(c.ptr(4), 4);
      if (lv) value = optValue(c, level, name, c.ptr(3), lv.getInt32(0, true));
    }
    return {
      args: [
        c.fd(0),
        enumText(SOCKOPT_LEVELS, level),
        optName(level, name),
        value,
        c.ok ? lenText(c, c.ptr(4)) : c.addr(4),
      ],
      entry: 3,
    };
  },
  shutdown: (c): Decoded => ({ args: [c.fd(0), enumText(SHUTDOWN_HOW, c.int(1))] }),
  sendmsg: (c): Decoded => ({
    args: [c.fd(0), msghdrText(c, c.ptr(1), undefined), flagsText(MSG_FLAGS, c.uint(2))],
  }),
  recvmsg: (c): Decoded => ({
    args: [
      c.fd(0),
      c.ok ? msghdrText(c, c.ptr(1), c.rv!) : c.addr(1),
      flagsText(MSG_FLAGS, c.uint(2)),
    ],
    entry: 1,
  }),
  sendmmsg: (c): Decoded => ({
    args: [
      c.fd(0),
      c.ok ? mmsgText(c, c.ptr(1), c.rv!, false) : c.addr(1),
      `${c.uint(2)}`,
      flagsText(MSG_FLAGS, c.uint(3)),
    ],
  }),
  recvmmsg: (c): Decoded => ({
    args: [
      c.fd(0),
      c.ok ? mmsgText(c, c.ptr(1), c.rv!, true) : c.addr(1),
      `${c.uint(2)}`,
      flagsText(MSG_FLAGS, c.uint(3)),
      c.addr(4),
    ],
    entry: 1,
  }),
};
