/**
 * Threads family: clone/clone3 flag handling and the child's registers,
 * futex operations and errnos (FIFO wake order, bitsets, requeue, wake_op,
 * timeouts on the virtual clock), thread exit (clear_child_tid, robust
 * lists, the last thread's status), tgkill/tkill errors, and real pthread
 * and futex guests under both scheduling strategies compared with qemu.
 * Expected values come from the Linux sources' semantics (kernel/fork.c,
 * kernel/futex/*) and from qemu-riscv64 runs recorded in tests/guests.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  E2BIG,
  EAGAIN,
  EFAULT,
  EINTR,
  EINVAL,
  ENOSYS,
  ESRCH,
  ETIMEDOUT,
} from "../../lib/abi/errno.ts";
import { Dispatcher } from "../../lib/dispatch/dispatcher.ts";
import { builtinProfile } from "../../lib/dispatch/profile.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { BOOT_OFFSET_NS, REALTIME_EPOCH_SEC } from "../../lib/kernel/time.ts";
import { PROT_READ } from "../../lib/memory/memory.ts";
import { run } from "../../lib/run/run.ts";
import { iOp, jal } from "../support/asm.ts";
import {
  a0,
  advance,
  assertLikeQemu,
  call,
  DATA,
  makeKernel,
  runGuest,
  STACK_TOP,
  UNMAPPED,
  waitOf,
} from "./threads_support.ts";

// Linux uapi values, written out from linux/sched.h and linux/futex.h.
const CLONE_VM = 0x100;
const CLONE_FS = 0x200;
const CLONE_FILES = 0x400;
const CLONE_SIGHAND = 0x800;
const CLONE_VFORK = 0x4000;
const CLONE_THREAD = 0x10000;
const CLONE_SYSVSEM = 0x40000;
const CLONE_SETTLS = 0x80000;
const CLONE_PARENT_SETTID = 0x100000;
const CLONE_CHILD_CLEARTID = 0x200000;
const CLONE_CHILD_SETTID = 0x1000000;
const SIGCHLD = 17;
/** glibc's pthread_create flags (seen in qemu -strace of guests/bin/c/pthreads). */
const GLIBC_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
  CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
/** Go's newosproc flags (runtime/os_linux.go cloneFlags). */
const GO_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_SYSVSEM | CLONE_THREAD;

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAKE_OP = 5;
const FUTEX_LOCK_PI = 6;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const PRIVATE = 128;
const CLOCK_RT = 256;
const FUTEX_WAITERS = 0x80000000;
const FUTEX_OWNER_DIED = 0x40000000;

const W = DATA; // a futex word
const W2 = DATA + 0x40; // another one
const TS = DATA + 0x100; // a struct timespec

function setTimespec(k: Kernel, sec: number | bigint, nsec: number | bigint): void {
  k.mem.writeU64(TS, BigInt(sec));
  k.mem.writeU64(TS + 8, BigInt(nsec));
}

/** Creates `n` more threads (as clone would), returning them. */
function spawn(k: Kernel, n: number) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = k.newThread();
    t.hart.copyFrom(k.mainThread.hart);
    out.push(t);
  }
  return out;
}

Deno.test("clone with glibc's flags: child registers, tls from a3, parent/child tid words", () => {
  const k = makeKernel();
  const p = k.mainThread;
  for (let i = 1; i < 32; i++) p.hart.setXNumber(i, 0x1000 + i);
  p.hart.setF(3, 0x400921fb54442d18n);
  p.sigmask = 1n << 9n;
  p.altstack = { sp: DATA, size: 8192, flags: 0 };
  const ptid = DATA + 0x200;
  const ctid = DATA + 0x208;
  const r = call(k, p, "clone", GLIBC_FLAGS, STACK_TOP - 0x8000, ptid, 0x7777000, ctid);
  assert.equal(r, 1001);
  assert.equal(k.threads.length, 2);
  const c = k.threads[1];
  assert.equal(c.tid, 1001);
  assert.equal(c.state, "runnable");
  assert.equal(c.hart.pc, p.hart.pc);
  assert.equal(a0(c), 0);
  assert.equal(c.hart.getXNumber(2), STACK_TOP - 0x8000);
  assert.equal(c.hart.getXNumber(4), 0x7777000, "tp = tls (a3)");
  assert.equal(c.hart.getXNumber(9), 0x1009, "other registers copied");
  assert.equal(c.hart.getF(3), 0x400921fb54442d18n);
  assert.equal(c.sigmask, 1n << 9n, "signal mask inherited");
  assert.deepEqual(c.altstack, { sp: 0, size: 0, flags: 2 }, "CLONE_VM child has no altstack");
  assert.equal(k.mem.readU32(ptid), 1001, "CLONE_PARENT_SETTID");
  assert.equal(k.mem.readU32(ctid), 0, "no CLONE_CHILD_SETTID");
  assert.equal(c.clearChildTid, ctid, "CLONE_CHILD_CLEARTID");
  assert.equal(k.counters.threadsCreated, 2);
});

Deno.test("clone with Go's flags keeps sp 0 = parent's sp and ignores the garbage tid args", () => {
  const k = makeKernel();
  const p = k.mainThread;
  const sp = p.hart.getXNumber(2);
  assert.equal(call(k, p, "clone", GO_FLAGS, 0, 0xdead, 0xbeef, 0xf00d), 1001);
  const c = k.threads[1];
  assert.equal(c.hart.getXNumber(2), sp);
  assert.equal(c.hart.getXNumber(4), p.hart.getXNumber(4), "no CLONE_SETTLS: tp copied");
  assert.equal(c.clearChildTid, 0);
  assert.equal(k.end, undefined);
});

Deno.test("clone CLONE_CHILD_SETTID stores the child's tid at child_tid (a4)", () => {
  const k = makeKernel();
  call(k, k.mainThread, "clone", GO_FLAGS | CLONE_CHILD_SETTID, 0, 0, 0, DATA + 0x300);
  assert.equal(k.mem.readU32(DATA + 0x300), 1001);
});

Deno.test("clone consistency errors are EINVAL, as copy_process checks them", () => {
  const k = makeKernel();
  const t = k.mainThread;
  assert.equal(call(k, t, "clone", CLONE_VM | CLONE_THREAD, 0), -EINVAL);
  assert.equal(call(k, t, "clone", CLONE_SIGHAND, 0), -EINVAL);
  assert.equal(k.threads.length, 1);
  assert.equal(k.end, undefined);
});

Deno.test("fork-style clone and vfork stop the run naming the flags", () => {
  const k = makeKernel();
  call(k, k.mainThread, "clone", SIGCHLD, 0, 0, 0, 0);
  assert.equal(k.end?.kind, "error");
  const msg = (k.end as { message: string }).message;
  assert.match(msg, /clone\(exit signal 17\)/);
  assert.match(msg, /missing CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_SIGHAND\|CLONE_THREAD/);
  const k2 = makeKernel();
  call(k2, k2.mainThread, "clone", CLONE_VM | CLONE_VFORK | SIGCHLD, 0);
  assert.equal(k2.end?.kind, "error");
  assert.match((k2.end as { message: string }).message, /CLONE_VM\|CLONE_VFORK/);
  assert.equal(k2.threads.length, 1);
});

Deno.test("clone3: struct clone_args sizes, reserved bits and the stack range", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const args = DATA + 0x400;
  const put = (off: number, v: number | bigint) => k.mem.writeU64(args + off, BigInt(v));
  k.mem.write(args, new Uint8Array(128));
  put(0, GO_FLAGS | CLONE_SETTLS);
  put(40, STACK_TOP - 0x10000); // stack
  put(48, 0x4000); // stack_size
  put(56, 0x1234000); // tls
  assert.equal(call(k, t, "clone3", args, 63), -EINVAL, "below CLONE_ARGS_SIZE_VER0");
  assert.equal(call(k, t, "clone3", args, 4097), -E2BIG, "above a page");
  assert.equal(call(k, t, "clone3", UNMAPPED, 88), -EFAULT);
  k.mem.writeU64(args + 96, 1n);
  assert.equal(call(k, t, "clone3", args, 104), -E2BIG, "unknown non-zero tail");
  k.mem.writeU64(args + 96, 0n);
  put(32, SIGCHLD);
  assert.equal(call(k, t, "clone3", args, 88), -EINVAL, "exit_signal with CLONE_THREAD");
  put(32, 0);
  put(48, 0);
  assert.equal(call(k, t, "clone3", args, 88), -EINVAL, "stack without a size");
  put(48, 0x4000);
  assert.equal(call(k, t, "clone3", args, 104), 1001, "a zero tail is fine");
  const c = k.threads[1];
  assert.equal(c.hart.getXNumber(2), STACK_TOP - 0x10000 + 0x4000, "sp = stack + stack_size");
  assert.equal(c.hart.getXNumber(4), 0x1234000);
  assert.equal(a0(c), 0);
});

Deno.test("futex argument errors: EAGAIN, EINVAL, EFAULT, ENOSYS, ETIMEDOUT", () => {
  const k = makeKernel();
  const t = k.mainThread;
  k.mem.writeU32(W, 5);
  assert.equal(call(k, t, "futex", W, FUTEX_WAIT | PRIVATE, 4, 0), -EAGAIN);
  assert.equal(call(k, t, "futex", W + 1, FUTEX_WAIT | PRIVATE, 5, 0), -EINVAL);
  assert.equal(call(k, t, "futex", W, FUTEX_WAIT_BITSET | PRIVATE, 5, 0, 0, 0), -EINVAL);
  assert.equal(call(k, t, "futex", W, FUTEX_WAKE_BITSET | PRIVATE, 1, 0, 0, 0), -EINVAL);
  assert.equal(call(k, t, "futex", UNMAPPED, FUTEX_WAIT | PRIVATE, 0, 0), -EFAULT);
  setTimespec(k, 0, 1_000_000_000);
  assert.equal(call(k, t, "futex", W, FUTEX_WAIT | PRIVATE, 5, TS), -EINVAL);
  setTimespec(k, -1, 0);
  assert.equal(call(k, t, "futex", W, FUTEX_WAIT | PRIVATE, 5, TS), -EINVAL);
  // The timeout is checked before the address (syscall entry first).
  assert.equal(call(k, t, "futex", W + 2, FUTEX_WAIT | PRIVATE, 5, TS), -EINVAL);
  assert.equal(call(k, t, "futex", W, FUTEX_WAIT | PRIVATE, 5, UNMAPPED), -EFAULT);
  assert.equal(call(k, t, "futex", W, FUTEX_WAKE | CLOCK_RT, 1), -ENOSYS);
  // PI lock of a word whose owner tid (5) names no thread: ESRCH (futex(2)).
  assert.equal(call(k, t, "futex", W, FUTEX_LOCK_PI | PRIVATE, 0), -3);
  assert.equal(call(k, t, "futex", W, 14 | PRIVATE, 0), -ENOSYS);
  // A private wake needs no mapping; a shared one looks the page up.
  assert.equal(call(k, t, "futex", UNMAPPED, FUTEX_WAKE | PRIVATE, 1), 0);
  assert.equal(call(k, t, "futex", UNMAPPED, FUTEX_WAKE, 1), -EFAULT);
  // An absolute deadline already past times out at once (value matching).
  setTimespec(k, 0, 5);
  assert.equal(call(k, t, "futex", W, FUTEX_WAIT_BITSET | PRIVATE, 5, TS, 0, -1), -ETIMEDOUT);
  assert.equal(call(k, t, "futex", W, FUTEX_WAIT_BITSET | PRIVATE, 4, TS, 0, -1), -EAGAIN);
  assert.equal(k.counters.futexWaits, 0, "nothing blocked");
});

Deno.test("PI futex ops on a read-only word are EFAULT (the kernel writes the word)", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const page = W - (W % 4096);
  k.mem.writeU32(W, t.tid);
  assert.ok(k.mem.protect(page, 4096, PROT_READ));
  assert.equal(call(k, t, "futex", W, FUTEX_LOCK_PI | PRIVATE, 0), -EFAULT);
  assert.equal(call(k, t, "futex", W, 8 | PRIVATE, 0), -EFAULT); // FUTEX_TRYLOCK_PI
  assert.equal(call(k, t, "futex", W, 7 | PRIVATE, 0), -EFAULT); // FUTEX_UNLOCK_PI
  assert.equal(k.mem.readU32(W), t.tid, "the word is unchanged");
});

Deno.test("futex wakes waiters in FIFO order; n <= 0 still wakes one", () => {
  const k = makeKernel();
  const [a, b, c] = spawn(k, 3);
  const waker = k.mainThread;
  for (const t of [b, a, c]) {
    assert.equal(call(k, t, "futex", W, FUTEX_WAIT | PRIVATE, 0, 0), "blocked");
  }
  assert.equal(k.counters.futexWaits, 3);
  assert.match(waitOf(a).reason, /futex 0x10000 \(val 0, now 0\)/);
  assert.equal(call(k, waker, "futex", W, FUTEX_WAKE | PRIVATE, 1), 1);
  assert.deepEqual([b, a, c].map((t) => t.state), ["runnable", "blocked", "blocked"]);
  assert.equal(a0(b), 0);
  assert.equal(call(k, waker, "futex", W, FUTEX_WAKE | PRIVATE, 0), 1, "nr_wake 0 wakes one");
  assert.equal(a.state, "runnable");
  assert.equal(call(k, waker, "futex", W, FUTEX_WAKE | PRIVATE, 10), 1);
  assert.equal(c.state, "runnable");
  assert.equal(call(k, waker, "futex", W, FUTEX_WAKE | PRIVATE, 10), 0);
  assert.equal(k.counters.futexWakes, 4);
});

Deno.test("FUTEX_WAKE_BITSET wakes only waiters whose bitset intersects", () => {
  const k = makeKernel();
  const [a, b, c] = spawn(k, 3);
  call(k, a, "futex", W, FUTEX_WAIT_BITSET | PRIVATE, 0, 0, 0, 1);
  call(k, b, "futex", W, FUTEX_WAIT_BITSET | PRIVATE, 0, 0, 0, 2);
  call(k, c, "futex", W, FUTEX_WAIT | PRIVATE, 0, 0); // bitset = all
  assert.equal(call(k, k.mainThread, "futex", W, FUTEX_WAKE_BITSET | PRIVATE, 5, 0, 0, 2), 2);
  assert.deepEqual([a, b, c].map((t) => t.state), ["blocked", "runnable", "runnable"]);
});

Deno.test("FUTEX_REQUEUE and FUTEX_CMP_REQUEUE move the rest to the second word", () => {
  const k = makeKernel();
  const ts = spawn(k, 4);
  for (const t of ts) call(k, t, "futex", W, FUTEX_WAIT | PRIVATE, 0, 0);
  const m = k.mainThread;
  k.mem.writeU32(W, 7);
  assert.equal(call(k, m, "futex", W, FUTEX_CMP_REQUEUE | PRIVATE, 1, 1, W2, 6), -EAGAIN);
  assert.equal(call(k, m, "futex", W, FUTEX_CMP_REQUEUE | PRIVATE, -1, 1, W2, 7), -EINVAL);
  assert.equal(call(k, m, "futex", W, FUTEX_CMP_REQUEUE | PRIVATE, 1, 1, W2, 7), 2);
  assert.deepEqual(ts.map((t) => t.state), ["runnable", "blocked", "blocked", "blocked"]);
  // ts[1] now waits on W2 and ts[2], ts[3] still on W.
  assert.equal(call(k, m, "futex", W2, FUTEX_WAKE | PRIVATE, 5), 1);
  assert.equal(ts[1].state, "runnable");
  assert.equal(call(k, m, "futex", W, FUTEX_REQUEUE | PRIVATE, 0, 5, W2), 2);
  assert.equal(call(k, m, "futex", W, FUTEX_WAKE | PRIVATE, 5), 0);
  assert.equal(call(k, m, "futex", W2, FUTEX_WAKE | PRIVATE, 5), 2);
  assert.ok(ts.every((t) => t.state === "runnable"));
});

Deno.test("FUTEX_WAKE_OP: the encoded operation, comparison and both wakes", () => {
  const k = makeKernel();
  const m = k.mainThread;
  // FUTEX_OP(op, oparg, cmp, cmparg) = (op << 28) | (cmp << 24) | (oparg << 12) | cmparg.
  const enc = (op: number, oparg: number, cmp: number, cmparg: number) =>
    ((op << 28) | (cmp << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff)) >>> 0;
  const [a, b] = spawn(k, 2);
  call(k, a, "futex", W, FUTEX_WAIT | PRIVATE, 0, 0);
  call(k, b, "futex", W2, FUTEX_WAIT | PRIVATE, 0, 0);
  // *W2 += 5 (ADD); old 0 > -1 (GT) holds: wake one on each.
  assert.equal(call(k, m, "futex", W, FUTEX_WAKE_OP | PRIVATE, 1, 1, W2, enc(1, 5, 4, -1)), 2);
  assert.equal(k.mem.readU32(W2), 5, "5 added");
  assert.ok(a.state === "runnable" && b.state === "runnable");
  // OPARG_SHIFT (bit 31): *W2 |= 1 << 4; old 5 == 4 fails: no second wake.
  assert.equal(
    call(k, m, "futex", W, FUTEX_WAKE_OP | PRIVATE, 1, 1, W2, (enc(2, 4, 0, 4) | 0x80000000) >>> 0),
    0,
  );
  assert.equal(k.mem.readU32(W2), 21);
  // ANDN then XOR.
  call(k, m, "futex", W, FUTEX_WAKE_OP | PRIVATE, 1, 1, W2, enc(3, 1, 0, 0));
  assert.equal(k.mem.readU32(W2), 20);
  call(k, m, "futex", W, FUTEX_WAKE_OP | PRIVATE, 1, 1, W2, enc(4, 0xff, 0, 0));
  assert.equal(k.mem.readU32(W2), 20 ^ 0xff);
  // Unknown op: ENOSYS and no change; unknown cmp: ENOSYS after the change.
  assert.equal(call(k, m, "futex", W, FUTEX_WAKE_OP | PRIVATE, 1, 1, W2, enc(5, 1, 0, 0)), -ENOSYS);
  assert.equal(k.mem.readU32(W2), 20 ^ 0xff);
  assert.equal(call(k, m, "futex", W, FUTEX_WAKE_OP | PRIVATE, 1, 1, W2, enc(0, 9, 6, 0)), -ENOSYS);
  assert.equal(k.mem.readU32(W2), 9);
  assert.equal(call(k, m, "futex", W, FUTEX_WAKE_OP | PRIVATE, 1, 1, DATA + 0x30000, 0), -EFAULT);
});

Deno.test("futex timeouts: relative WAIT, absolute WAIT_BITSET on MONOTONIC and REALTIME", () => {
  const k = makeKernel();
  const [a, b, c] = spawn(k, 3);
  advance(k.mainThread, 1_000_000); // now = 1 ms
  setTimespec(k, 0, 5_000_000);
  assert.equal(call(k, a, "futex", W, FUTEX_WAIT | PRIVATE, 0, TS), "blocked");
  assert.equal(waitOf(a).deadline, 6_000_000, "now + 5 ms");
  const mono = BigInt(BOOT_OFFSET_NS) + 9_000_000n;
  setTimespec(k, mono / 1_000_000_000n, mono % 1_000_000_000n);
  call(k, b, "futex", W, FUTEX_WAIT_BITSET | PRIVATE, 0, TS, 0, -1);
  assert.equal(waitOf(b).deadline, 9_000_000, "CLOCK_MONOTONIC = boot offset + virtual time");
  setTimespec(k, REALTIME_EPOCH_SEC + 1, 0);
  call(k, c, "futex", W, FUTEX_WAIT_BITSET | PRIVATE | CLOCK_RT, 0, TS, 0, -1);
  assert.equal(waitOf(c).deadline, 1_000_000_000);
  // Time out `a` as the scheduler does; it leaves the queue.
  assert.equal(k.tryResume(a, true), true);
  assert.equal(a0(a), -ETIMEDOUT);
  assert.equal(call(k, k.mainThread, "futex", W, FUTEX_WAKE | PRIVATE, 10), 2);
  assert.equal(a0(b), 0);
});

Deno.test("a handled signal interrupts a futex wait: EINTR, or a restart under SA_RESTART", () => {
  const k = makeKernel();
  const [a, b, c] = spawn(k, 3);
  const act = DATA + 0x500;
  const SA_RESTART = 0x10000000;
  k.mem.writeU64(act, 0x4000n); // handler
  k.mem.writeU64(act + 8, 0n);
  k.mem.writeU64(act + 16, 0n);
  assert.equal(call(k, k.mainThread, "rt_sigaction", 10, act, 0, 8), 0);
  k.mem.writeU64(act + 8, BigInt(SA_RESTART));
  assert.equal(call(k, k.mainThread, "rt_sigaction", 12, act, 0, 8), 0);
  for (const t of [a, b]) call(k, t, "futex", W, FUTEX_WAIT | PRIVATE, 0, 0);
  setTimespec(k, 1, 0);
  call(k, c, "futex", W, FUTEX_WAIT | PRIVATE, 0, TS);
  const pcB = b.hart.pc;
  assert.equal(call(k, k.mainThread, "tgkill", 1000, a.tid, 10), 0);
  assert.equal(a.state, "runnable");
  assert.equal(a0(a), -EINTR);
  assert.equal(call(k, k.mainThread, "tgkill", 1000, b.tid, 12), 0);
  assert.equal(b.state, "runnable");
  assert.equal(b.hart.pc, pcB - 4, "rewound to the ECALL");
  assert.equal(b.hart.getXNumber(10), W, "a0 still holds the first argument");
  call(k, k.mainThread, "tgkill", 1000, c.tid, 12);
  assert.equal(a0(c), -EINTR, "a timed futex wait is never restarted");
  // None of them is still queued.
  assert.equal(call(k, k.mainThread, "futex", W, FUTEX_WAKE | PRIVATE, 10), 0);
});

Deno.test("thread exit: clear_child_tid is zeroed and woken; the last thread's status ends the process", () => {
  const k = makeKernel();
  const [a] = spawn(k, 1);
  const m = k.mainThread;
  const ctid = DATA + 0x600;
  k.mem.writeU32(ctid, a.tid);
  a.clearChildTid = ctid;
  assert.equal(call(k, m, "futex", ctid, FUTEX_WAIT, a.tid, 0), "blocked");
  assert.equal(call(k, a, "exit", 3), "no result");
  assert.equal(a.state, "exited");
  assert.equal(k.mem.readU32(ctid), 0);
  assert.equal(m.state, "runnable", "the joiner woke");
  assert.equal(k.end, undefined, "another thread lives");
  assert.equal(call(k, m, "exit", 7), "no result");
  assert.deepEqual(k.end, { kind: "exit", status: 7 });
});

Deno.test("thread exit walks the robust list: owned futexes get FUTEX_OWNER_DIED and a wake", () => {
  const k = makeKernel();
  const [owner, waiter] = spawn(k, 2);
  const head = DATA + 0x700;
  const e1 = DATA + 0x720; // entries: {next} with the futex word at +16
  const e2 = DATA + 0x740;
  const e3 = DATA + 0x760; // the op-pending entry
  k.mem.writeU64(head, BigInt(e1));
  k.mem.writeU64(head + 8, 16n); // futex_offset
  k.mem.writeU64(head + 16, BigInt(e3));
  k.mem.writeU64(e1, BigInt(e2));
  k.mem.writeU64(e2, BigInt(head));
  k.mem.writeU32(e1 + 16, (owner.tid | FUTEX_WAITERS) >>> 0);
  k.mem.writeU32(e2 + 16, 4242); // owned by someone else: untouched
  k.mem.writeU32(e3 + 16, owner.tid);
  owner.robustList = head;
  owner.robustListLen = 24;
  call(k, waiter, "futex", e1 + 16, FUTEX_WAIT, (owner.tid | FUTEX_WAITERS) >>> 0, 0);
  call(k, owner, "exit", 0);
  assert.equal(k.mem.readU32(e1 + 16), (FUTEX_WAITERS | FUTEX_OWNER_DIED) >>> 0);
  assert.equal(k.mem.readU32(e2 + 16), 4242);
  assert.equal(k.mem.readU32(e3 + 16), FUTEX_OWNER_DIED);
  assert.equal(waiter.state, "runnable");
});

Deno.test("gettid, tgkill and tkill errors", () => {
  const k = makeKernel();
  const [a] = spawn(k, 1);
  const m = k.mainThread;
  assert.equal(call(k, a, "gettid"), 1001);
  assert.equal(call(k, m, "tgkill", 1000, 4242, 10), -ESRCH);
  assert.equal(call(k, m, "tgkill", 999, a.tid, 10), -ESRCH, "wrong thread group");
  assert.equal(call(k, m, "tgkill", 0, a.tid, 10), -EINVAL);
  assert.equal(call(k, m, "tgkill", 1000, a.tid, 65), -EINVAL);
  assert.equal(call(k, m, "tgkill", 1000, a.tid, 0), 0, "signal 0 checks existence");
  assert.equal(call(k, m, "tkill", -1, 10), -EINVAL);
  assert.equal(call(k, m, "tkill", a.tid, 0), 0);
  call(k, a, "exit", 0);
  assert.equal(call(k, m, "tkill", a.tid, 0), -ESRCH, "an exited thread");
  assert.equal(call(k, m, "sched_yield"), 0);
});

Deno.test("pthreads guest: producer/consumer output under rr and handoff, deterministic", () => {
  const prog = join(Deno.cwd(), "guests", "bin", "c", "pthreads");
  const want = "produced=10000 consumed=10000 checksum=0x447e38c78f8010c7\n";
  for (const sched of ["rr", "handoff"] as const) {
    const r1 = run({ program: prog, sched });
    const r2 = run({ program: prog, sched });
    assert.equal(new TextDecoder().decode(r1.stdout), want, sched);
    assert.equal(r1.status, 0, r1.message);
    assert.equal(r1.stats.threads, 5);
    assert.ok(r1.stats.futex.waits > 0);
    assert.equal(r1.stats.instret, r2.stats.instret, `${sched} is deterministic`);
    assert.equal(r1.stats.contextSwitches, r2.stats.contextSwitches);
  }
});

Deno.test("deadlock guest ends with the deadlock report naming futex words", () => {
  const prog = join(Deno.cwd(), "guests", "bin", "c", "deadlock");
  for (const sched of ["rr", "handoff"] as const) {
    const r = run({ program: prog, sched });
    assert.equal(r.end.kind, "deadlock", sched);
    assert.notEqual(r.status, 0);
    assert.equal(new TextDecoder().decode(r.stdout), "both threads hold one lock; deadlocking\n");
    const report = (r.end as { report: string }).report;
    assert.equal(
      report.match(/waiting in futex: futex 0x[0-9a-f]+ \(val \d+, now \d+\)/g)?.length,
      3,
    );
    assert.ok(r.stats.instret < 1_000_000, "found quickly");
  }
});

Deno.test("futex_ops guest matches qemu under rr, handoff and a tiny quantum", () => {
  assertLikeQemu("futex_ops", runGuest("futex_ops", "rr"));
  assertLikeQemu("futex_ops", runGuest("futex_ops", "handoff"));
  assertLikeQemu("futex_ops", runGuest("futex_ops", "rr", 7));
});

Deno.test("Go runtime guest (threads, futex, SIGURG preemption, nil-deref panic, netpoller) matches qemu", () => {
  const r = runGuest("go_threads", "rr");
  assertLikeQemu("go_threads", r);
  assert.ok(r.stats.threads >= 3, "the runtime started Ms");
  assert.ok(r.stats.signalsDelivered >= 2, "SIGSEGV and at least one SIGURG preemption");
  assert.ok((r.stats.syscalls.tgkill ?? 0) >= 1, "preemption through tgkill");
  assertLikeQemu("go_threads", runGuest("go_threads", "handoff"));
  assertLikeQemu("go_threads@asyncpreemptoff", runGuest("go_threads@asyncpreemptoff", "rr"));
});

Deno.test("Go guest runs are deterministic: same instret and syscall counts twice", () => {
  const a = runGuest("go_threads", "rr", 20_000);
  const b = runGuest("go_threads", "rr", 20_000);
  assert.equal(a.stats.instret, b.stats.instret);
  assert.deepEqual(a.stats.syscalls, b.stats.syscalls);
  assert.equal(new TextDecoder().decode(a.stdout), new TextDecoder().decode(b.stdout));
});

/** Puts `words` at `at` (mapped r-x) and returns `at`. */
function code(k: Kernel, at: number, words: number[]): number {
  k.mem.map(at, 0x1000, 5);
  const b = new Uint8Array(4 * words.length);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setUint32(4 * i, w, true));
  k.mem.poke(at, b);
  return at;
}

const ECALL = 0x00000073;
const li = (rd: number, v: number) => iOp("addi", rd, 0, v);

/** Runs `k` with a dispatcher until `max` instructions, returning the syscall events' [tid, name]. */
function runLoop(k: Kernel, max: number): [number, string][] {
  const seen: [number, string][] = [];
  k.addTracer((e) => {
    if (e.kind === "syscall") seen.push([e.tid, e.name]);
  });
  new Dispatcher(k, builtinProfile("full"), () => "app");
  k.runFor(max);
  return seen;
}

Deno.test("sched_yield ends the quantum: two yielding threads alternate", () => {
  const k = makeKernel("rr", 1_000_000);
  // loop: li a7, 124; ecall; j loop
  const pc = code(k, 0x40000, [li(17, 124), ECALL, jal(0, -8)]);
  const b = k.newThread();
  b.hart.copyFrom(k.mainThread.hart);
  k.mainThread.hart.pc = pc;
  b.hart.pc = pc;
  const tids = runLoop(k, 60).map(([tid]) => tid);
  assert.ok(tids.length >= 10);
  assert.deepEqual(tids.slice(0, 6), [1000, 1001, 1000, 1001, 1000, 1001]);
});

Deno.test("handoff: the woken thread runs right after the wake; rr: the waker keeps its quantum", () => {
  for (const sched of ["rr", "handoff"] as const) {
    const k = makeKernel(sched, 200);
    k.mem.writeU32(W, 0);
    // a0 = W is set up by hand; the rest: futex(W, WAIT|PRIVATE, 0, NULL) then getpid forever.
    const waiter = code(k, 0x40000, [
      li(11, FUTEX_WAIT | PRIVATE),
      li(12, 0),
      li(13, 0),
      li(17, 98),
      ECALL,
      li(17, 172),
      ECALL,
      jal(0, -8),
    ]);
    // futex(W, WAKE|PRIVATE, 1) then gettid forever.
    const waker = code(k, 0x41000, [
      li(11, FUTEX_WAKE | PRIVATE),
      li(12, 1),
      li(17, 98),
      ECALL,
      li(17, 178),
      ECALL,
      jal(0, -8),
    ]);
    const a = k.mainThread;
    const b = k.newThread();
    b.hart.copyFrom(a.hart);
    a.hart.pc = waiter;
    a.hart.setXNumber(10, W);
    b.hart.pc = waker;
    b.hart.setXNumber(10, W);
    const seen = runLoop(k, 400);
    const wake = seen.findIndex(([tid, name]) => tid === 1001 && name === "futex");
    assert.ok(wake >= 0, sched);
    const next = seen[wake + 1];
    // (The waiter's futex event completes inside the wake, so it comes first.)
    if (sched === "handoff") assert.deepEqual(next, [1000, "getpid"], "the waiter runs next");
    else assert.deepEqual(next, [1001, "gettid"], "the waker runs on");
  }
});

Deno.test("geth t8n (Go) under handoff with a small quantum computes the fixture's roots", () => {
  const dir = join(Deno.cwd(), "guests", "fixtures", "t8n");
  const want = JSON.parse(
    Deno.readTextFileSync(join(Deno.cwd(), "guests", "fixtures", "expected.json")),
  );
  const r = run({
    program: join(Deno.cwd(), "guests", "bin", "go", "t8n"),
    args: ["--input.alloc", "alloc.json", "--input.env", "env.json", "--input.txs", "txs.json"]
      .concat(["--state.fork", "Shanghai"]),
    cwd: dir,
    sched: "handoff",
    quantum: 5000,
  });
  assert.equal(r.status, 0, r.message);
  const out = JSON.parse(new TextDecoder().decode(r.stdout));
  assert.equal(out.result.stateRoot, want.stateRoot);
  assert.equal(out.result.receiptsRoot, want.receiptsRoot);
  assert.equal(Number(BigInt(out.result.gasUsed)), want.gasUsed);
  assert.ok(r.stats.signalsDelivered > 0, "preempted by SIGURG");
});
