/**
 * NETLINK_ROUTE answers for the emulated network, which has one interface,
 * `lo` (index 1, up, loopback, MTU 65536) with 127.0.0.1/8 and ::1/128:
 * RTM_GETLINK and RTM_GETADDR dumps (what Go's net.Interfaces and
 * InterfaceAddrs, and glibc's getifaddrs, ask), each answered with
 * RTM_NEWLINK / RTM_NEWADDR messages in one datagram and NLMSG_DONE in the
 * next; any other request gets NLMSG_ERROR with EOPNOTSUPP. Layouts
 * (rtnetlink(7), netlink(7)): nlmsghdr {len u32, type u16, flags u16,
 * seq u32, pid u32}; ifinfomsg {family u8, pad, type u16, index i32,
 * flags u32, change u32}; ifaddrmsg {family u8, prefixlen u8, flags u8,
 * scope u8, index u32}; attributes {len u16, type u16, data} padded to 4.
 * @module
 */

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_MULTI = 2;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const ARPHRD_LOOPBACK = 772;
/** IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP. */
const LO_FLAGS = 0x1 | 0x8 | 0x40 | 0x10000;
const IFA_F_PERMANENT = 0x80;
const RT_SCOPE_HOST = 254;
const EOPNOTSUPP = 95;

function align4(n: number): number {
  return (n + 3) & ~3;
}

function attr(type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(align4(4 + data.length));
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 4 + data.length, true);
  dv.setUint16(2, type, true);
  out.set(data, 4);
  return out;
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

function cat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function message(
  type: number,
  flags: number,
  seq: number,
  pid: number,
  body: Uint8Array,
): Uint8Array {
  const b = new Uint8Array(16 + align4(body.length));
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 16 + body.length, true);
  dv.setUint16(4, type, true);
  dv.setUint16(6, flags, true);
  dv.setUint32(8, seq, true);
  dv.setUint32(12, pid >>> 0, true);
  b.set(body, 16);
  return b;
}

function linkBody(): Uint8Array {
  const head = new Uint8Array(16);
  const dv = new DataView(head.buffer);
  dv.setUint8(0, 0);
  dv.setUint16(2, ARPHRD_LOOPBACK, true);
  dv.setInt32(4, 1, true);
  dv.setUint32(8, LO_FLAGS, true);
  const name = new TextEncoder().encode("lo\0");
  return cat([
    head,
    attr(3, name), // IFLA_IFNAME
    attr(4, u32(65536)), // IFLA_MTU
    attr(13, u32(1000)), // IFLA_TXQLEN
    attr(16, Uint8Array.of(0)), // IFLA_OPERSTATE: unknown, as lo reports
    attr(1, new Uint8Array(6)), // IFLA_ADDRESS
    attr(2, new Uint8Array(6)), // IFLA_BROADCAST
  ]);
}

function addrBody(family: number, prefix: number, addr: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  const dv = new DataView(head.buffer);
  dv.setUint8(0, family);
  dv.setUint8(1, prefix);
  dv.setUint8(2, IFA_F_PERMANENT);
  dv.setUint8(3, RT_SCOPE_HOST);
  dv.setUint32(4, 1, true);
  const parts = [head, attr(1, addr)]; // IFA_ADDRESS
  if (family === 2) {
    parts.push(attr(2, addr)); // IFA_LOCAL
    parts.push(attr(3, new TextEncoder().encode("lo\0"))); // IFA_LABEL
  }
  return cat(parts);
}

/**
 * The datagrams answering the netlink request(s) in `req` from port `pid`:
 * each answer is a list of datagrams (dumps end with a separate NLMSG_DONE).
 */
export function routeAnswers(req: Uint8Array, pid: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const dv = new DataView(req.buffer, req.byteOffset, req.byteLength);
  let off = 0;
  while (off + 16 <= req.length) {
    const len = dv.getUint32(off, true);
    if (len < 16 || off + len > req.length) break;
    const type = dv.getUint16(off + 4, true);
    const seq = dv.getUint32(off + 8, true);
    const family = len >= 17 ? req[off + 16] : 0;
    const multi = (t: number, bodies: Uint8Array[]) => {
      if (bodies.length > 0) out.push(cat(bodies.map((b) => message(t, NLM_F_MULTI, seq, pid, b))));
      out.push(message(NLMSG_DONE, NLM_F_MULTI, seq, pid, u32(0)));
    };
    if (type === RTM_GETLINK) {
      multi(RTM_NEWLINK, family === 0 || family === 17 ? [linkBody()] : []);
    } else if (type === RTM_GETADDR) {
      const v4 = addrBody(2, 8, Uint8Array.of(127, 0, 0, 1));
      const v6 = addrBody(10, 128, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
      multi(RTM_NEWADDR, family === 2 ? [v4] : family === 10 ? [v6] : [v4, v6]);
    } else {
      const err = new Uint8Array(4 + 16);
      new DataView(err.buffer).setInt32(0, -EOPNOTSUPP, true);
      err.set(req.subarray(off, off + 16), 4);
      out.push(message(NLMSG_ERROR, 0, seq, pid, err));
    }
    off += align4(len);
  }
  return out;
}
