/**
 * Sockets: the net_unix and net_inet C guests against qemu-user (which runs
 * them on the host's real loopback), under both schedulers and twice for
 * byte-identical traces; then what qemu cannot show without touching a
 * network: non-loopback destinations are unreachable (no host socket is
 * opened), address-family errors, ephemeral port order, and the strace
 * text of the socket calls. Expected values follow socket(7), unix(7),
 * ip(7), ipv6(7), tcp(7), udp(7) and strace 6.x.
 */

import assert from "node:assert/strict";
import {
  EAFNOSUPPORT,
  EBADF,
  EINPROGRESS,
  EISCONN,
  ENETUNREACH,
  ENOTSOCK,
} from "../../lib/abi/errno.ts";
import { AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM } from "../../lib/abi/net.ts";
import { run } from "../../lib/run/run.ts";
import { compareWithQemu } from "../../lib/trace/compare.ts";
import { createStraceWriter } from "../../lib/trace/strace.ts";
import { ipv6Text } from "../../lib/abi/decode_net.ts";
import { num } from "../support/kernel.ts";
import { assertLikeQemu, DATA, GUESTS, makeKernel, runGuest } from "./threads_support.ts";

for (const name of ["net_unix", "net_inet"]) {
  Deno.test(`${name} guest matches qemu (rr and handoff), and two runs trace the same`, () => {
    assertLikeQemu(name, runGuest(name, "rr"));
    assertLikeQemu(name, runGuest(name, "handoff"));
    const trace = () => {
      const lines: string[] = [];
      run({
        program: `${GUESTS}/bin/${name}`,
        cwd: GUESTS,
        writers: [(src) => createStraceWriter(src, (l) => lines.push(l))],
      });
      return lines.join("\n");
    };
    const a = trace();
    assert.equal(a, trace());
    assert.match(a, /^socket\(AF_(UNIX|INET), SOCK_STREAM/m);
  });
}

/** Writes a sockaddr_in for `a.b.c.d:port` at `at`. */
function sin(k: ReturnType<typeof makeKernel>, at: number, ip: number[], port: number): void {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  b.set(ip, 4);
  k.mem.write(at, b);
}

Deno.test("only loopback is reachable: other addresses give ENETUNREACH, no host socket", () => {
  const k = makeKernel();
  const tcp = num(k, "socket", AF_INET, SOCK_STREAM, 0);
  const udp = num(k, "socket", AF_INET, SOCK_DGRAM, 0);
  for (const ip of [[10, 0, 0, 1], [192, 168, 1, 1], [8, 8, 8, 8], [224, 0, 0, 1]]) {
    sin(k, DATA, ip, 80);
    assert.equal(num(k, "connect", tcp, DATA, 16), -ENETUNREACH, ip.join("."));
    assert.equal(num(k, "sendto", udp, DATA + 64, 1, 0, DATA, 16), -ENETUNREACH);
    assert.equal(num(k, "bind", udp, DATA, 16), -99 /* EADDRNOTAVAIL */);
  }
  // 0.0.0.0 means this host: a connection to it reaches a loopback listener.
  const l = num(k, "socket", AF_INET, SOCK_STREAM, 0);
  sin(k, DATA, [127, 0, 0, 1], 0);
  assert.equal(num(k, "bind", l, DATA, 16), 0);
  assert.equal(num(k, "listen", l, 5), 0);
  k.mem.writeU32(DATA + 100, 16);
  assert.equal(num(k, "getsockname", l, DATA + 32, DATA + 100), 0);
  const port = new DataView(k.mem.read(DATA + 32, 4).buffer).getUint16(2, false);
  assert.equal(port, 32768, "ephemeral ports start at 32768, in order");
  sin(k, DATA, [0, 0, 0, 0], port);
  const c = num(k, "socket", AF_INET, SOCK_STREAM | 0o4000, 0);
  assert.equal(num(k, "connect", c, DATA, 16), -EINPROGRESS);
  assert.equal(num(k, "connect", c, DATA, 16), 0, "the first connect after reports success");
  assert.equal(num(k, "connect", c, DATA, 16), -EISCONN);
  k.mem.writeU32(DATA + 100, 16);
  assert.equal(num(k, "getsockname", c, DATA + 32, DATA + 100), 0);
  assert.deepEqual([...k.mem.read(DATA + 36, 4)], [127, 0, 0, 1]);
  assert.equal(new DataView(k.mem.read(DATA + 32, 4).buffer).getUint16(2, false), 32769);
});

Deno.test("socket errors: families, non-sockets, descriptors", () => {
  const k = makeKernel();
  assert.equal(num(k, "socket", 16, /* AF_NETLINK */ 3, 0), -EAFNOSUPPORT);
  assert.equal(num(k, "socket", 17, /* AF_PACKET */ 3, 0), -EAFNOSUPPORT);
  assert.equal(num(k, "socket", AF_INET, SOCK_STREAM | 0x100, 0), -22);
  assert.equal(num(k, "listen", 99, 1), -EBADF);
  const fd = num(k, "eventfd2", 0, 0);
  assert.equal(num(k, "listen", fd, 1), -ENOTSOCK);
  const u = num(k, "socket", AF_UNIX, SOCK_STREAM, 0);
  sin(k, DATA, [127, 0, 0, 1], 0);
  assert.equal(num(k, "bind", u, DATA, 16), -22, "an AF_INET address on AF_UNIX: EINVAL");
  const s6 = num(k, "socket", AF_INET6, SOCK_STREAM, 0);
  assert.equal(num(k, "bind", s6, DATA, 16), -22, "too short for sockaddr_in6");
});

Deno.test("IPv6 addresses print as RFC 5952 text", () => {
  const a = (...w: number[]) => {
    const b = new Uint8Array(16);
    w.forEach((x, i) => {
      b[2 * i] = x >> 8;
      b[2 * i + 1] = x & 0xff;
    });
    return b;
  };
  assert.equal(ipv6Text(a(0, 0, 0, 0, 0, 0, 0, 1)), "::1");
  assert.equal(ipv6Text(a()), "::");
  assert.equal(ipv6Text(a(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)), "2001:db8::1:0:0:1");
  assert.equal(ipv6Text(a(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1)), "::ffff:127.0.0.1");
  assert.equal(ipv6Text(a(1, 2, 3, 4, 5, 6, 7, 8)), "1:2:3:4:5:6:7:8");
});

Deno.test("strace text of the socket calls", () => {
  const lines: string[] = [];
  run({
    program: `${GUESTS}/bin/net_inet`,
    cwd: GUESTS,
    writers: [(src) => createStraceWriter(src, (l) => lines.push(l))],
  });
  // strace pads the result to column 40; compare with single spaces.
  const t = lines.join("\n").replace(/\) +=/g, ") =");
  const has = (re: RegExp) => assert.match(t, re);
  has(/^socket\(AF_INET, SOCK_STREAM\|SOCK_CLOEXEC, IPPROTO_IP\) = 3$/m);
  has(/^setsockopt\(3, SOL_SOCKET, SO_REUSEADDR, \[1\], 4\) = 0$/m);
  has(
    /^bind\(3, \{sa_family=AF_INET, sin_port=htons\(0\), sin_addr=inet_addr\("127\.0\.0\.1"\)\}, 16\) = 0$/m,
  );
  has(/^listen\(3, 16\) = 0$/m);
  has(
    /^accept4\(3, \{sa_family=AF_INET, sin_port=htons\(32769\), sin_addr=inet_addr\("127\.0\.0\.1"\)\}, \[16\], SOCK_CLOEXEC\) = 5$/m,
  );
  has(/^connect\(\d+, \{sa_family=AF_INET, sin_port=htons\(32768\), .*\}, 16\) = -1 EINPROGRESS/m);
  has(/^getsockopt\(\d+, SOL_SOCKET, SO_ERROR, \[0\], \[4\]\) = 0$/m);
  has(/^sendto\(4, "GET \/ HTTP\/1\.0\\r\\n\\r\\n", 18, MSG_NOSIGNAL, NULL, 0\) = 18$/m);
  has(/^shutdown\(5, SHUT_WR\) = 0$/m);
  has(
    /inet_pton\(AF_INET6, "::ffff:127\.0\.0\.1", &sin6_addr\), sin6_scope_id=0\}, \[28\]\) = \d+$/m,
  );
  has(/^setsockopt\(\d+, SOL_IPV6, IPV6_V6ONLY, \[0\], 4\) = 0$/m);
  has(
    /^recvfrom\(\d+, "datagram", 16, 0, \{sa_family=AF_INET, sin_port=htons\(\d+\), .*\}, \[16\]\) = 8$/m,
  );
});

Deno.test("gaps_io guest matches qemu (splice, tee, copy_file_range, sendfile, sigqueue, signalfd)", () => {
  assertLikeQemu("gaps_io", runGuest("gaps_io", "rr"));
  assertLikeQemu("gaps_io", runGuest("gaps_io", "handoff"));
});

Deno.test("trace comparison with qemu-user -strace: the socket guests align call by call", () => {
  for (const name of ["net_inet", "net_unix"]) {
    const lines: string[] = [];
    run({
      program: `${GUESTS}/bin/${name}`,
      cwd: GUESTS,
      vdso: false, // as qemu-user, which has no riscv64 vDSO
      writers: [(src) => createStraceWriter(src, (l) => lines.push(l))],
    });
    const qemu = Deno.readTextFileSync(`${GUESTS}/strace/${name}.qemu.log`);
    const r = compareWithQemu(lines.join("\n") + "\n", qemu);
    // strace shows the SIGPIPE a write to a closed socket raises even when ignored
    // (the tracer sees it); qemu's log does not.
    const real = r.differences.filter((d) =>
      !(d.kind === "extra" && d.zkabi?.startsWith("--- SIGPIPE"))
    );
    assert.deepEqual(real, [], `${name}:\n${r.diff}`);
    assert.ok(r.compared > 20);
  }
});
