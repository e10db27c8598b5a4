/**
 * Poll family: eventfd counter semantics, epoll_ctl errors, readiness
 * (level-triggered rotation, EPOLLET, EPOLLONESHOT, HUP), blocking waits
 * woken by another thread, deadlines from timeouts and timerfds on the
 * virtual clock, ppoll/pselect6 results and signal masks, and the io_poll
 * C guest compared with qemu. Expected values follow eventfd(2), epoll(7),
 * poll(2), select(2) and timerfd_create(2).
 */

import assert from "node:assert/strict";
import {
  EAGAIN,
  EBADF,
  EEXIST,
  EFAULT,
  EINTR,
  EINVAL,
  ELOOP,
  ENOENT,
  EPERM,
} from "../../lib/abi/errno.ts";
import { fdTable } from "../../lib/kernel/fd_table.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { deliverPending } from "../../lib/kernel/signals.ts";
import type { Thread } from "../../lib/kernel/thread.ts";
import { BOOT_OFFSET_NS } from "../../lib/kernel/time.ts";
import { OpenFile } from "../../lib/vfs/open_file.ts";
import type { Attr } from "../../lib/vfs/types.ts";
import {
  a0,
  advance,
  assertLikeQemu,
  call,
  DATA,
  makeKernel,
  RO,
  runGuest,
  UNMAPPED,
  waitOf,
} from "./threads_support.ts";

const EPOLLIN = 0x1;
const EPOLLOUT = 0x4;
const EPOLLHUP = 0x10;
const EPOLLET = 0x80000000;
const EPOLLONESHOT = 0x40000000;
const EPOLLEXCLUSIVE = 0x10000000;
const ADD = 1;
const DEL = 2;
const MOD = 3;
const EFD_SEMAPHORE = 1;
const EFD_NONBLOCK = 0o4000;
const EFD_CLOEXEC = 0o2000000;
const BUF = DATA + 0x1000;
const EV = DATA + 0x2000;

/** A readiness-controlled test file (a stand-in for a pipe end or socket). */
class Probe extends OpenFile {
  readonly kind: string;
  level = 0;
  constructor(kind = "probe") {
    super(2);
    this.kind = kind;
  }
  get path(): string {
    return "probe";
  }
  stat(_k: Kernel): Attr {
    throw new Error("unused");
  }
  override poll(_k: Kernel): number {
    return this.level;
  }
}

function u64(k: Kernel, v: bigint): number {
  k.mem.writeU64(BUF, v);
  return BUF;
}

function readU64(k: Kernel, t: Thread, fd: number): number | bigint {
  const r = call(k, t, "read", fd, BUF, 8);
  return r === 8 ? k.mem.readU64(BUF) : r as number;
}

function ctl(k: Kernel, ep: number, op: number, fd: number, events: number, data: bigint) {
  k.mem.writeU32(EV, events >>> 0);
  k.mem.writeU64(EV + 8, data);
  return call(k, k.mainThread, "epoll_ctl", ep, op, fd, EV);
}

/** epoll_pwait with a zero timeout: the events as [events, data] pairs, or -errno. */
function poll(k: Kernel, ep: number, max: number): [number, bigint][] | number {
  const out = DATA + 0x3000;
  const r = call(k, k.mainThread, "epoll_pwait", ep, out, max, 0, 0, 0);
  if (typeof r !== "number" || r < 0) return r as number;
  const evs: [number, bigint][] = [];
  for (let i = 0; i < r; i++) {
    evs.push([k.mem.readU32(out + 16 * i), k.mem.readU64(out + 16 * i + 8)]);
  }
  return evs;
}

Deno.test("eventfd2: counter, semaphore mode, EAGAIN, EINVAL, flags", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const fd = call(k, t, "eventfd2", 5, EFD_NONBLOCK | EFD_CLOEXEC) as number;
  assert.ok(fd >= 0);
  assert.equal(fdTable(k).get(fd)?.cloexec, true);
  assert.equal(readU64(k, t, fd), 5n);
  assert.equal(readU64(k, t, fd), -EAGAIN);
  assert.equal(call(k, t, "read", fd, BUF, 7), -EINVAL, "buffer below 8 bytes");
  assert.equal(call(k, t, "write", fd, u64(k, 0xffffffffffffffffn), 8), -EINVAL);
  assert.equal(call(k, t, "write", fd, u64(k, 0xfffffffffffffffen), 8), 8, "the largest value");
  assert.equal(call(k, t, "write", fd, u64(k, 1n), 8), -EAGAIN, "would pass 2^64-2");
  assert.equal(call(k, t, "write", fd, u64(k, 1n), 4), -EINVAL);
  const sem = call(k, t, "eventfd2", 2, EFD_SEMAPHORE | EFD_NONBLOCK) as number;
  assert.equal(readU64(k, t, sem), 1n);
  assert.equal(readU64(k, t, sem), 1n);
  assert.equal(readU64(k, t, sem), -EAGAIN);
  assert.equal(call(k, t, "eventfd2", 0, 0x80), -EINVAL);
  // Blocking read: waits until another thread writes.
  const b = call(k, t, "eventfd2", 0, 0) as number;
  const reader = k.newThread();
  assert.equal(call(k, reader, "read", b, DATA + 0x100, 8), "blocked");
  call(k, t, "write", b, u64(k, 42n), 8);
  assert.equal(k.tryResume(reader), true);
  assert.equal(a0(reader), 8);
  assert.equal(k.mem.readU64(DATA + 0x100), 42n);
});

Deno.test("epoll_ctl errors: EBADF, EINVAL, EEXIST, ENOENT, EPERM, ELOOP, EFAULT", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const ep = call(k, t, "epoll_create1", 0) as number;
  assert.equal(call(k, t, "epoll_create1", 1), -EINVAL);
  const efd = call(k, t, "eventfd2", 0, 0) as number;
  assert.equal(ctl(k, 99, ADD, efd, EPOLLIN, 0n), -EBADF);
  assert.equal(ctl(k, ep, ADD, 99, EPOLLIN, 0n), -EBADF);
  assert.equal(ctl(k, efd, ADD, ep, EPOLLIN, 0n), -EINVAL, "not an epoll fd");
  assert.equal(ctl(k, ep, ADD, ep, EPOLLIN, 0n), -EINVAL, "itself");
  assert.equal(ctl(k, ep, 7, efd, EPOLLIN, 0n), -EINVAL, "bad op");
  assert.equal(ctl(k, ep, MOD, efd, EPOLLIN, 0n), -ENOENT);
  assert.equal(ctl(k, ep, DEL, efd, 0, 0n), -ENOENT);
  assert.equal(ctl(k, ep, ADD, efd, EPOLLIN, 0n), 0);
  assert.equal(ctl(k, ep, ADD, efd, EPOLLIN, 0n), -EEXIST);
  assert.equal(ctl(k, ep, MOD, efd, EPOLLIN | EPOLLEXCLUSIVE, 0n), -EINVAL);
  assert.equal(call(k, t, "epoll_ctl", ep, MOD, efd, UNMAPPED), -EFAULT);
  const file = fdTable(k).alloc(new Probe("file"), false);
  assert.equal(ctl(k, ep, ADD, file, EPOLLIN, 0n), -EPERM, "regular files cannot be polled");
  const ep2 = call(k, t, "epoll_create1", 0) as number;
  assert.equal(ctl(k, ep2, ADD, ep, EPOLLIN, 0n), 0, "nesting is fine");
  assert.equal(ctl(k, ep, ADD, ep2, EPOLLIN, 0n), -ELOOP, "a cycle is not");
  assert.equal(ctl(k, ep, DEL, efd, 0, 0n), 0);
});

Deno.test("epoll readiness: level rotation, EPOLLET, EPOLLONESHOT, HUP/ERR always reported", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const ep = call(k, t, "epoll_create1", 0) as number;
  const pa = new Probe();
  const pb = new Probe();
  const fa = fdTable(k).alloc(pa, false);
  const fb = fdTable(k).alloc(pb, false);
  ctl(k, ep, ADD, fa, EPOLLIN, 0xan);
  ctl(k, ep, ADD, fb, EPOLLIN, 0xbn);
  assert.deepEqual(poll(k, ep, 4), []);
  pa.level = pb.level = EPOLLIN | EPOLLOUT;
  assert.deepEqual(poll(k, ep, 4), [[EPOLLIN, 0xan], [EPOLLIN, 0xbn]], "only requested bits");
  const order = [0, 1, 2, 3].map(() => (poll(k, ep, 1) as [number, bigint][])[0][1]);
  assert.deepEqual(order, [0xan, 0xbn, 0xan, 0xbn], "maxevents 1 serves both in turn");
  // Edge-triggered: once per rise.
  ctl(k, ep, MOD, fa, EPOLLIN | EPOLLET, 0xan);
  ctl(k, ep, DEL, fb, 0, 0n);
  assert.deepEqual(poll(k, ep, 4), [[EPOLLIN, 0xan]]);
  assert.deepEqual(poll(k, ep, 4), []);
  pa.level = EPOLLOUT;
  assert.deepEqual(poll(k, ep, 4), []);
  pa.level = EPOLLIN;
  assert.deepEqual(poll(k, ep, 4), [[EPOLLIN, 0xan]], "rose again");
  // One-shot: disarmed after one report until EPOLL_CTL_MOD.
  ctl(k, ep, MOD, fa, EPOLLIN | EPOLLONESHOT, 0xcn);
  assert.equal((poll(k, ep, 4) as unknown[]).length, 1);
  assert.deepEqual(poll(k, ep, 4), []);
  ctl(k, ep, MOD, fa, EPOLLIN | EPOLLONESHOT, 0xcn);
  assert.deepEqual(poll(k, ep, 4), [[EPOLLIN, 0xcn]]);
  // HUP and ERR are reported even when not asked for.
  ctl(k, ep, MOD, fa, EPOLLOUT, 0xdn);
  pa.level = EPOLLHUP;
  assert.deepEqual(poll(k, ep, 4), [[EPOLLHUP, 0xdn]]);
  // A closed file leaves the set.
  call(k, t, "close", fa);
  assert.deepEqual(poll(k, ep, 4), []);
  assert.equal(poll(k, ep, 0), -EINVAL);
  assert.equal(call(k, t, "epoll_pwait", ep, RO, 4, 0, 0, 0), 0, "nothing to write");
});

Deno.test("edge-triggered eventfd reports each write (its generation counter), even without a fall", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const ep = call(k, t, "epoll_create1", 0) as number;
  const efd = call(k, t, "eventfd2", 0, EFD_NONBLOCK) as number;
  ctl(k, ep, ADD, efd, EPOLLIN | EPOLLET, 1n);
  call(k, t, "write", efd, u64(k, 1n), 8);
  assert.equal((poll(k, ep, 4) as unknown[]).length, 1);
  assert.equal((poll(k, ep, 4) as unknown[]).length, 0);
  call(k, t, "write", efd, u64(k, 1n), 8);
  assert.equal((poll(k, ep, 4) as unknown[]).length, 1, "still readable, but new data");
});

Deno.test("epoll_pwait blocks until another thread makes an fd ready; timeouts on the virtual clock", () => {
  const k = makeKernel();
  const m = k.mainThread;
  const w = k.newThread();
  const ep = call(k, m, "epoll_create1", 0) as number;
  const efd = call(k, m, "eventfd2", 0, 0) as number;
  ctl(k, ep, ADD, efd, EPOLLIN, 77n);
  const out = DATA + 0x3000;
  advance(m, 1000);
  assert.equal(call(k, w, "epoll_pwait", ep, out, 8, 25, 0, 0), "blocked");
  assert.equal(waitOf(w).deadline, 1000 + 25_000_000);
  assert.equal(waitOf(w).repoll, true);
  assert.match(waitOf(w).reason, /epoll_pwait on epfd \d+ \(fd \d+ 0x1\)/);
  assert.equal(k.tryResume(w), false);
  call(k, m, "write", efd, u64(k, 3n), 8);
  assert.equal(k.tryResume(w), true);
  assert.equal(a0(w), 1);
  assert.equal(k.mem.readU64(out + 8), 77n);
  call(k, m, "read", efd, BUF, 8);
  assert.equal(call(k, w, "epoll_pwait", ep, out, 8, 5, 0, 0), "blocked");
  advance(m, 5_000_000);
  assert.equal(k.tryResume(w, true), true);
  assert.equal(a0(w), 0, "timed out");
  assert.equal(call(k, w, "epoll_pwait", ep, out, 8, -1, 0, 0), "blocked");
  assert.equal(waitOf(w).deadline, undefined, "-1 waits forever");
  // epoll_pwait2 takes a timespec.
  k.mem.writeU64(BUF, 0n);
  k.mem.writeU64(BUF + 8, 1000n);
  assert.equal(call(k, m, "epoll_pwait2", ep, out, 8, BUF, 0, 0), "blocked");
  assert.equal(waitOf(m).deadline, k.nowNs() + 1000);
});

Deno.test("a readiness wait's deadline is the next timerfd expiry; expirations accrue", () => {
  const k = makeKernel();
  const m = k.mainThread;
  const w = k.newThread();
  const tfd = call(k, m, "timerfd_create", 1, 0) as number;
  assert.equal(call(k, m, "timerfd_create", 8, 0), -EPERM, "CLOCK_REALTIME_ALARM");
  assert.equal(call(k, m, "timerfd_create", 3, 0), -EINVAL);
  assert.equal(call(k, m, "timerfd_create", 1, 1), -EINVAL);
  const its = DATA + 0x400;
  const put = (interval: number, value: number) => {
    k.mem.writeU64(its, BigInt(Math.floor(interval / 1e9)));
    k.mem.writeU64(its + 8, BigInt(interval % 1e9));
    k.mem.writeU64(its + 16, BigInt(Math.floor(value / 1e9)));
    k.mem.writeU64(its + 24, BigInt(value % 1e9));
  };
  put(2_000_000, 3_000_000);
  assert.equal(call(k, m, "timerfd_settime", tfd, 0, its, 0), 0);
  const ep = call(k, m, "epoll_create1", 0) as number;
  ctl(k, ep, ADD, tfd, EPOLLIN, 5n);
  assert.equal(call(k, w, "epoll_pwait", ep, DATA + 0x3000, 4, -1, 0, 0), "blocked");
  assert.equal(waitOf(w).deadline, 3_000_000, "the timer's first expiry");
  advance(m, 7_500_000); // 3 ms, 5 ms, 7 ms have passed
  assert.equal(k.tryResume(w, true), true);
  assert.equal(a0(w), 1);
  assert.equal(readU64(k, m, tfd), 3n);
  assert.equal(call(k, m, "timerfd_gettime", tfd, DATA + 0x500), 0);
  assert.equal(k.mem.readU64(DATA + 0x500 + 8), 2_000_000n, "interval");
  assert.equal(k.mem.readU64(DATA + 0x500 + 24), 1_500_000n, "until 9 ms");
  // An absolute CLOCK_MONOTONIC time, and disarming.
  const abs = BOOT_OFFSET_NS + k.nowNs() + 1000;
  put(0, abs);
  assert.equal(call(k, m, "timerfd_settime", tfd, 1, its, DATA + 0x600), 0);
  assert.equal(k.mem.readU64(DATA + 0x600 + 8), 2_000_000n, "old value returned");
  put(0, 0);
  call(k, m, "timerfd_settime", tfd, 0, its, 0);
  advance(m, 10_000);
  assert.equal(call(k, m, "read", tfd, BUF, 8), "blocked", "disarmed: nothing to read");
  const efd = call(k, m, "eventfd2", 0, 0) as number;
  assert.equal(call(k, w, "timerfd_settime", efd, 0, its, 0), -EINVAL, "not a timerfd");
  assert.equal(call(k, w, "timerfd_settime", 99, 0, its, 0), -EBADF);
  assert.equal(call(k, w, "timerfd_settime", tfd, 4, its, 0), -EINVAL);
});

Deno.test("a blocking read of an armed timerfd waits until its next expiry", () => {
  const k = makeKernel();
  const m = k.mainThread;
  const tfd = call(k, m, "timerfd_create", 1, 0) as number;
  const its = DATA + 0x400;
  k.mem.writeU64(its + 8, 10_000_000n); // interval 10 ms
  k.mem.writeU64(its + 24, 10_000_000n); // first expiry in 10 ms
  assert.equal(call(k, m, "timerfd_settime", tfd, 0, its, 0), 0);
  assert.equal(call(k, m, "read", tfd, BUF, 8), "blocked");
  // The wait's deadline is the expiry, so a lone reader is no deadlock.
  assert.equal(waitOf(m).deadline, 10_000_000);
  advance(m, 10_000_000);
  assert.equal(k.tryResume(m, true), true);
  assert.equal(a0(m), 8);
  assert.equal(k.mem.readU64(BUF), 1n);
  // Re-armed while a read waits: the deadline follows the new expiry.
  assert.equal(call(k, m, "read", tfd, BUF, 8), "blocked");
  const w = k.newThread();
  k.mem.writeU64(its + 24, 30_000_000n);
  assert.equal(call(k, w, "timerfd_settime", tfd, 0, its, 0), 0);
  assert.equal(waitOf(m).deadline, 40_000_000);
});

Deno.test("ppoll: revents, POLLNVAL, negative fds, timeouts and the temporary signal mask", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const pa = new Probe();
  pa.level = EPOLLIN | EPOLLOUT;
  const fa = fdTable(k).alloc(pa, false);
  const fds = DATA + 0x700;
  const set = (i: number, fd: number, events: number) => {
    k.mem.writeU32(fds + 8 * i, fd >>> 0);
    k.mem.writeU32(fds + 8 * i + 4, events);
  };
  set(0, fa, EPOLLIN);
  set(1, 99, EPOLLIN);
  set(2, -1, EPOLLIN);
  assert.equal(call(k, t, "ppoll", fds, 3, 0, 0, 0), 2);
  assert.equal(k.mem.read(fds + 6, 2)[0], EPOLLIN);
  assert.equal(k.mem.read(fds + 14, 2)[0], 0x20, "POLLNVAL");
  assert.equal(k.mem.read(fds + 22, 2)[0], 0, "negative fd ignored");
  assert.equal(call(k, t, "ppoll", UNMAPPED, 1, 0, 0, 0), -EFAULT);
  assert.equal(call(k, t, "ppoll", fds, 2000, 0, 0, 0), -EINVAL, "above RLIMIT_NOFILE");
  pa.level = 0;
  const ts = DATA + 0x800;
  k.mem.writeU64(ts, 0n);
  k.mem.writeU64(ts + 8, 0n);
  assert.equal(call(k, t, "ppoll", fds, 1, ts, 0, 0), 0, "zero timeout");
  k.mem.writeU64(ts + 8, 2_000_000n);
  const w = k.newThread();
  assert.equal(call(k, w, "ppoll", fds, 1, ts, 0, 0), "blocked");
  advance(t, 500_000);
  pa.level = EPOLLIN;
  assert.equal(k.tryResume(w), true);
  assert.equal(a0(w), 1);
  assert.equal(k.mem.readU64(ts + 8), 1_500_000n, "the unslept time is written back");
  // The mask argument: a pending signal it unblocks interrupts at once.
  k.mem.writeU64(DATA + 0x880, 0x4000n); // handler
  k.mem.writeU64(DATA + 0x888, 0n);
  k.mem.writeU64(DATA + 0x890, 0n);
  call(k, t, "rt_sigaction", 10, DATA + 0x880, 0, 8);
  const sigBit = 1n << 9n;
  t.sigmask = sigBit;
  call(k, t, "tgkill", 1000, 1000, 10);
  pa.level = 0;
  k.mem.writeU64(DATA + 0x900, 0n);
  assert.equal(call(k, t, "ppoll", fds, 1, 0, DATA + 0x900, 8), -EINTR);
  assert.equal(t.sigmask, 0n, "the temporary mask stays until the handler frame");
  deliverPending(k, t);
  assert.equal(k.mem.readU64(t.hart.getXNumber(12) + 40), sigBit, "the frame saves the old mask");
  assert.equal(call(k, t, "ppoll", fds, 1, 0, DATA + 0x900, 4), -EINVAL, "sigsetsize");
  // Ready at once with a mask: the old mask is back immediately.
  t.sigmask = sigBit;
  pa.level = EPOLLIN;
  assert.equal(call(k, t, "ppoll", fds, 1, 0, DATA + 0x900, 8), 1);
  assert.equal(t.sigmask, sigBit);
});

Deno.test("pselect6: fd_set words in and out, EBADF, the sigmask struct", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const pr = new Probe();
  const pw = new Probe();
  pr.level = EPOLLIN;
  pw.level = EPOLLOUT;
  const fr = fdTable(k).alloc(pr, false);
  const fw = fdTable(k).alloc(pw, false);
  const rd = DATA + 0xa00;
  const wr = DATA + 0xa08;
  const ex = DATA + 0xa10;
  k.mem.writeU64(rd, (1n << BigInt(fr)) | (1n << BigInt(fw)));
  k.mem.writeU64(wr, (1n << BigInt(fr)) | (1n << BigInt(fw)));
  k.mem.writeU64(ex, 1n << BigInt(fr));
  assert.equal(call(k, t, "pselect6", fw + 1, rd, wr, ex, 0, 0), 2);
  assert.equal(k.mem.readU64(rd), 1n << BigInt(fr));
  assert.equal(k.mem.readU64(wr), 1n << BigInt(fw));
  assert.equal(k.mem.readU64(ex), 0n);
  k.mem.writeU64(rd, 1n << 40n);
  assert.equal(call(k, t, "pselect6", 41, rd, 0, 0, 0, 0), -EBADF);
  assert.equal(call(k, t, "pselect6", -1, 0, 0, 0, 0, 0), -EINVAL);
  // sig = { const sigset_t *ss; size_t ss_len }.
  const sig = DATA + 0xb00;
  k.mem.writeU64(sig, BigInt(DATA + 0xb40));
  k.mem.writeU64(sig + 8, 4n);
  k.mem.writeU64(rd, 1n << BigInt(fr));
  assert.equal(call(k, t, "pselect6", fr + 1, rd, 0, 0, 0, sig), -EINVAL);
  k.mem.writeU64(sig + 8, 8n);
  assert.equal(call(k, t, "pselect6", fr + 1, rd, 0, 0, 0, sig), 1);
  pr.level = 0;
  const ts = DATA + 0xc00;
  k.mem.writeU64(ts, 1n);
  k.mem.writeU64(ts + 8, 0n);
  k.mem.writeU64(rd, 1n << BigInt(fr));
  assert.equal(call(k, t, "pselect6", fr + 1, rd, 0, 0, ts, 0), "blocked");
  assert.equal(waitOf(t).deadline, k.nowNs() + 1e9);
  advance(k.newThread(), 1e9);
  assert.equal(k.tryResume(t, true), true);
  assert.equal(a0(t), 0);
  assert.equal(k.mem.readU64(rd), 0n, "sets cleared on timeout");
});

Deno.test("io_poll guest matches qemu (eventfd, epoll, ppoll, pselect, timerfd, SA_RESTART)", () => {
  assertLikeQemu("io_poll", runGuest("io_poll", "rr"));
  assertLikeQemu("io_poll", runGuest("io_poll", "handoff"));
});
