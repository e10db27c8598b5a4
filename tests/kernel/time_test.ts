import assert from "node:assert/strict";
import { EFAULT, EINTR, EINVAL, EOPNOTSUPP, EPERM } from "../../lib/abi/errno.ts";
import { Dispatcher } from "../../lib/dispatch/dispatcher.ts";
import { builtinProfile } from "../../lib/dispatch/profile.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { isSleepWait } from "../../lib/kernel/time.ts";
import { isWait, type SyscallResult, type Wait } from "../../lib/kernel/types.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { iOp, lui } from "../support/asm.ts";
import { runGuest } from "../support/c_guests.ts";
import { sys, testKernel } from "../support/kernel.ts";
import { assertLikeQemu, runGuest as runKernelGuest } from "./threads_support.ts";

const BUF = 0x10000;
/** 2024-01-01T00:00:00Z. */
const EPOCH = 1704067200n;
/** CLOCK_MONOTONIC when the process starts: 100 s of uptime. */
const BOOT = 100n;

function kernel(hz = 1e9): Kernel {
  return testKernel({ seed: 1, hz, maps: [[BUF, 0x2000, PROT_READ | PROT_WRITE]] });
}

function timespec(k: Kernel, addr = BUF): [bigint, bigint] {
  return [k.mem.readU64(addr), k.mem.readU64(addr + 8)];
}

function putTimespec(k: Kernel, sec: bigint, nsec: bigint, addr = BUF + 0x100): number {
  k.mem.writeU64(addr, sec);
  k.mem.writeU64(addr + 8, nsec);
  return addr;
}

Deno.test("clock_gettime: realtime from 2024-01-01, monotonic from 100 s, CPU clocks", () => {
  const k = kernel();
  assert.equal(sys(k, "clock_gettime", 0, BUF), 0);
  assert.deepEqual(timespec(k), [EPOCH, 0n]);
  k.mainThread.hart.instret = 1_234_567_891;
  const want: [number, [bigint, bigint]][] = [
    [0, [EPOCH + 1n, 234567891n]], // REALTIME
    [11, [EPOCH + 1n, 234567891n]], // TAI (offset 0)
    [1, [BOOT + 1n, 234567891n]], // MONOTONIC
    [4, [BOOT + 1n, 234567891n]], // MONOTONIC_RAW
    [7, [BOOT + 1n, 234567891n]], // BOOTTIME
    [5, [EPOCH + 1n, 232000000n]], // REALTIME_COARSE: last 4 ms tick
    [6, [BOOT + 1n, 232000000n]], // MONOTONIC_COARSE
    [2, [1n, 234567891n]], // PROCESS_CPUTIME_ID
    [3, [1n, 234567891n]], // THREAD_CPUTIME_ID
    [-6, [1n, 234567891n]], // MAKE_PROCESS_CPUCLOCK(0, CPUCLOCK_SCHED)
    [((~1000) << 3) | 6, [1n, 234567891n]], // MAKE_THREAD_CPUCLOCK(1000, SCHED)
  ];
  for (const [id, ts] of want) {
    assert.equal(sys(k, "clock_gettime", id, BUF), 0, `clock ${id}`);
    assert.deepEqual(timespec(k), ts, `clock ${id}`);
  }
});

Deno.test("clock_gettime follows the virtual frequency", () => {
  const k = kernel(1e6); // 1 µs per instruction
  k.mainThread.hart.instret = 2_500_000;
  assert.equal(sys(k, "clock_gettime", 1, BUF), 0);
  assert.deepEqual(timespec(k), [BOOT + 2n, 500000000n]);
});

Deno.test("clock_gettime errors: unknown ids and bad pointers", () => {
  const k = kernel();
  for (const id of [10, 12, 15, 16, 99, -1, ((~4242) << 3) | 6, ((~4242) << 3) | 2]) {
    assert.equal(sys(k, "clock_gettime", id, BUF), -EINVAL, `clock ${id}`);
  }
  assert.equal(sys(k, "clock_gettime", 0, 0), -EFAULT);
  assert.equal(sys(k, "clock_gettime", 1, BUF + 0x2000 - 8), -EFAULT);
});

Deno.test("clock_getres: 1 ns, one tick for coarse and tick-accounted CPU clocks", () => {
  const k = kernel();
  for (const id of [0, 1, 2, 3, 4, 7, 11, -6]) {
    assert.equal(sys(k, "clock_getres", id, BUF), 0);
    assert.deepEqual(timespec(k), [0n, 1n], `clock ${id}`);
  }
  for (const id of [5, 6, -8]) { // coarse clocks, CPUCLOCK_PROF of the process
    assert.equal(sys(k, "clock_getres", id, BUF), 0);
    assert.deepEqual(timespec(k), [0n, 4000000n], `clock ${id}`);
  }
  assert.equal(sys(k, "clock_getres", 1, 0), 0);
  assert.equal(sys(k, "clock_getres", 99, 0), -EINVAL);
  assert.equal(sys(k, "clock_getres", 1, 8), -EFAULT);
});

Deno.test("gettimeofday: microseconds, NULL pointers, zero timezone", () => {
  const k = kernel();
  k.mainThread.hart.instret = 3_000_001_999;
  k.mem.write(BUF + 16, new Uint8Array(8).fill(0xff));
  assert.equal(sys(k, "gettimeofday", BUF, BUF + 16), 0);
  assert.deepEqual(timespec(k), [EPOCH + 3n, 1n]);
  assert.equal(k.mem.readU64(BUF + 16), 0n);
  assert.equal(sys(k, "gettimeofday", 0, 0), 0);
  assert.equal(sys(k, "gettimeofday", 8, 0), -EFAULT);
  assert.equal(sys(k, "gettimeofday", BUF, 8), -EFAULT);
});

Deno.test("settimeofday and clock_settime are refused", () => {
  const k = kernel();
  const ts = putTimespec(k, 5n, 0n);
  assert.equal(sys(k, "settimeofday", ts, 0), -EPERM);
  assert.equal(sys(k, "settimeofday", 0, 0), -EPERM);
  assert.equal(sys(k, "settimeofday", putTimespec(k, 5n, 1000000n), 0), -EINVAL);
  assert.equal(sys(k, "settimeofday", 8, 0), -EFAULT);
  assert.equal(sys(k, "clock_settime", 0, putTimespec(k, 5n, 0n)), -EPERM);
  assert.equal(sys(k, "clock_settime", 0, putTimespec(k, 5n, 1000000000n)), -EINVAL);
  assert.equal(sys(k, "clock_settime", 1, ts), -EINVAL);
  assert.equal(sys(k, "clock_settime", 2, ts), -EINVAL);
  assert.equal(sys(k, "clock_settime", -6, ts), -EPERM);
  assert.equal(sys(k, "clock_settime", 0, 8), -EFAULT);
  assert.equal(sys(k, "clock_settime", 99, ts), -EINVAL);
});

function asWait(r: SyscallResult): Wait {
  assert.ok(isWait(r), `expected a wait, got ${String(r)}`);
  return r;
}

Deno.test("nanosleep: a wait until now + the request", () => {
  const k = kernel();
  k.mainThread.hart.instret = 1000;
  const w = asWait(sys(k, "nanosleep", putTimespec(k, 2n, 500n), 0));
  assert.equal(w.deadline, 1000 + 2_000_000_500);
  assert.equal(w.resume(false), undefined);
  assert.equal(w.resume(true), 0);
  // A zero-length sleep is already over.
  const z = asWait(sys(k, "nanosleep", putTimespec(k, 0n, 0n), 0));
  assert.equal(z.resume(false), 0);
});

Deno.test("nanosleep errors: bad timespec, bad pointer", () => {
  const k = kernel();
  assert.equal(sys(k, "nanosleep", putTimespec(k, -1n, 0n), 0), -EINVAL);
  assert.equal(sys(k, "nanosleep", putTimespec(k, 0n, 1000000000n), 0), -EINVAL);
  assert.equal(sys(k, "nanosleep", putTimespec(k, 0n, -1n), 0), -EINVAL);
  assert.equal(sys(k, "nanosleep", 8, 0), -EFAULT);
});

Deno.test("an interrupted nanosleep stores the unslept time in rem", () => {
  const k = kernel();
  const w = asWait(sys(k, "nanosleep", putTimespec(k, 3n, 0n), BUF));
  assert.ok(isSleepWait(w));
  k.mainThread.hart.instret = 1_000_000_000;
  assert.equal(w.interrupted(), -EINTR);
  assert.deepEqual(timespec(k), [2n, 0n]);
  const bad = asWait(sys(k, "nanosleep", putTimespec(k, 3n, 0n), 8));
  assert.ok(isSleepWait(bad));
  assert.equal(bad.interrupted(), -EFAULT);
});

Deno.test("clock_nanosleep: relative, absolute, past deadlines, unsupported clocks", () => {
  const k = kernel();
  k.mainThread.hart.instret = 500;
  const rel = asWait(sys(k, "clock_nanosleep", 1, 0, putTimespec(k, 1n, 0n), 0));
  assert.equal(rel.deadline, 500 + 1e9);
  // Absolute on REALTIME: 2 s after the epoch instant is virtual time 2e9.
  const abs = asWait(sys(k, "clock_nanosleep", 0, 1, putTimespec(k, EPOCH + 2n, 0n), 0));
  assert.equal(abs.deadline, 2e9);
  const mono = asWait(sys(k, "clock_nanosleep", 1, 1, putTimespec(k, BOOT + 3n, 0n), 0));
  assert.equal(mono.deadline, 3e9);
  const past = asWait(sys(k, "clock_nanosleep", 1, 1, putTimespec(k, 5n, 0n), 0));
  assert.equal(past.resume(false), 0);
  // An absolute sleep has no remaining time to report.
  assert.ok(isSleepWait(abs));
  k.mem.writeU64(BUF, 77n);
  assert.equal(abs.interrupted(), -EINTR);
  assert.equal(k.mem.readU64(BUF), 77n);
  const ts = putTimespec(k, 1n, 0n);
  assert.equal(sys(k, "clock_nanosleep", 4, 0, ts, 0), -EOPNOTSUPP); // MONOTONIC_RAW
  assert.equal(sys(k, "clock_nanosleep", 6, 0, ts, 0), -EOPNOTSUPP); // MONOTONIC_COARSE
  assert.equal(sys(k, "clock_nanosleep", 3, 0, ts, 0), -EOPNOTSUPP); // THREAD_CPUTIME_ID
  assert.equal(sys(k, "clock_nanosleep", ((~0) << 3) | 6, 0, ts, 0), -EINVAL); // own thread
  assert.equal(sys(k, "clock_nanosleep", 8, 0, ts, 0), -EPERM); // REALTIME_ALARM
  assert.equal(sys(k, "clock_nanosleep", 99, 0, ts, 0), -EINVAL);
  assert.equal(sys(k, "clock_nanosleep", 1, 0, 8, 0), -EFAULT);
  assert.equal(sys(k, "clock_nanosleep", 1, 0, putTimespec(k, 0n, 1000000000n), 0), -EINVAL);
});

Deno.test("clock_nanosleep on the process CPU clock waits for CPU time", () => {
  const k = kernel();
  const w = asWait(sys(k, "clock_nanosleep", 2, 0, putTimespec(k, 0n, 1000n), 0));
  assert.equal(w.repoll, true);
  assert.equal(w.resume(false), undefined);
  k.mainThread.hart.instret = 999;
  assert.equal(w.resume(false), undefined);
  k.mainThread.hart.instret = 1000;
  assert.equal(w.resume(false), 0);
});

/** ECALL. */
const ECALL = 0x00000073;

/** a7 = n; a0 = x; a1 = y (small immediates or BUF via lui). */
function setArgs(n: number, a0: number, a1: number): number[] {
  const code: number[] = [iOp("addi", 17, 0, n)];
  code.push(a0 === BUF ? lui(10, BUF) : iOp("addi", 10, 0, a0));
  code.push(a1 >= 0x1000 ? lui(11, a1) : iOp("addi", 11, 0, a1));
  if (a1 >= 0x1000 && a1 % 0x1000 !== 0) code.push(iOp("addi", 11, 11, a1 % 0x1000));
  return code;
}

Deno.test("the scheduler jumps the clock over a sleep; CPU time does not count it", () => {
  const k = kernel();
  new Dispatcher(k, builtinProfile("full"), () => "app");
  putTimespec(k, 2n, 500n, BUF);
  const code = [
    ...setArgs(101, BUF, 0), // nanosleep(&{2, 500}, NULL)
    ECALL,
    ...setArgs(113, 1, BUF + 0x10), // clock_gettime(CLOCK_MONOTONIC, BUF+16)
    ECALL,
    ...setArgs(113, 2, BUF + 0x20), // clock_gettime(CLOCK_PROCESS_CPUTIME_ID, BUF+32)
    ECALL,
    ...setArgs(94, 7, 0), // exit_group(7)
    ECALL,
  ];
  const text = 0x1000;
  k.mem.map(text, 0x1000, PROT_READ | PROT_EXEC);
  k.mem.poke(text, new Uint8Array(new Uint32Array(code).buffer));
  k.mainThread.hart.pc = text;
  const end = k.run();
  assert.deepEqual(end, { kind: "exit", status: 7 });
  const [sec, nsec] = timespec(k, BUF + 0x10);
  assert.equal(sec, BOOT + 2n);
  assert.ok(nsec >= 500n && nsec < 600n, `monotonic ns ${nsec}: the sleep plus a few instructions`);
  const [csec, cns] = timespec(k, BUF + 0x20);
  assert.equal(csec, 0n);
  assert.ok(cns > 0n && cns < 100n, `CPU ns ${cns}: the instructions only`);
});

// ------------------------------------------------------- interval timers

/** Writes a struct itimerval {interval, value} of (sec, usec) pairs at `addr`. */
function putItimerval(
  k: Kernel,
  interval: [bigint, bigint],
  value: [bigint, bigint],
  addr: number,
) {
  [...interval, ...value].forEach((v, i) => k.mem.writeU64(addr + 8 * i, v));
  return addr;
}

/** The struct itimerval at `addr` as [interval sec, usec, value sec, usec]. */
function itimerval(k: Kernel, addr = BUF): bigint[] {
  return [0, 1, 2, 3].map((i) => k.mem.readU64(addr + 8 * i));
}

Deno.test("setitimer/getitimer: old value, time left, disarming, errors", () => {
  const k = kernel();
  const req = putItimerval(k, [0n, 250n], [1n, 500n], BUF + 0x100);
  assert.equal(sys(k, "setitimer", 0, req, BUF), 0);
  assert.deepEqual(itimerval(k), [0n, 0n, 0n, 0n]);
  k.mainThread.hart.instret = 400_000_000;
  assert.equal(sys(k, "getitimer", 0, BUF), 0);
  assert.deepEqual(itimerval(k), [0n, 250n, 0n, 600500n]);
  // A NULL new value disarms; the old one is returned; ITIMER_REAL forgets its interval.
  assert.equal(sys(k, "setitimer", 0, 0, BUF), 0);
  assert.deepEqual(itimerval(k), [0n, 250n, 0n, 600500n]);
  assert.equal(sys(k, "getitimer", 0, BUF), 0);
  assert.deepEqual(itimerval(k), [0n, 0n, 0n, 0n]);
  // The CPU timers count instructions, not slept time.
  assert.equal(sys(k, "setitimer", 2, putItimerval(k, [0n, 0n], [0n, 2n], BUF + 0x100), 0), 0);
  assert.equal(sys(k, "getitimer", 2, BUF), 0);
  assert.deepEqual(itimerval(k), [0n, 0n, 0n, 2n]);
  for (const bad of [[-1n, 0n], [0n, -1n], [0n, 1_000_000n]] as [bigint, bigint][]) {
    assert.equal(sys(k, "setitimer", 0, putItimerval(k, [0n, 0n], bad, BUF + 0x100), 0), -EINVAL);
    assert.equal(sys(k, "setitimer", 0, putItimerval(k, bad, [1n, 0n], BUF + 0x100), 0), -EINVAL);
  }
  assert.equal(sys(k, "setitimer", 3, req, 0), -EINVAL);
  assert.equal(sys(k, "getitimer", 3, BUF), -EINVAL);
  assert.equal(sys(k, "setitimer", 0, 8, 0), -EFAULT);
  assert.equal(sys(k, "getitimer", 0, 8), -EFAULT);
});

/** Loads `value` (below 2^31) into register `rd`. */
function li(rd: number, value: number): number[] {
  const lo = ((value & 0xfff) << 20) >> 20;
  const hi = value - lo;
  if (hi === 0) return [iOp("addi", rd, 0, lo)];
  return [lui(rd, hi), ...(lo !== 0 ? [iOp("addi", rd, rd, lo)] : [])];
}

/** The code of syscall `nr` with arguments a0.. loaded first. */
function ecall(nr: number, ...args: number[]): number[] {
  return [...args.flatMap((v, i) => li(10 + i, v)), ...li(17, nr), ECALL];
}

/** Runs `code` as the main thread under the full profile; returns how the run ended. */
function runCode(k: Kernel, code: number[]) {
  new Dispatcher(k, builtinProfile("full"), () => "app");
  const text = 0x1000;
  k.mem.map(text, 0x1000, PROT_READ | PROT_EXEC);
  k.mem.poke(text, new Uint8Array(new Uint32Array(code).buffer));
  k.mainThread.hart.pc = text;
  return k.run();
}

/** `j .`: a loop forever. */
const SPIN = 0x0000006f;

Deno.test("ITIMER_REAL ends a wait with no deadline: the clock jumps to it, SIGALRM kills", () => {
  const k = kernel();
  putItimerval(k, [0n, 0n], [0n, 1500n], BUF);
  k.mem.writeU64(BUF + 0x40, 0n); // the empty mask of rt_sigsuspend
  const end = runCode(k, [
    ...ecall(103, 0, BUF, 0), // setitimer(ITIMER_REAL, &{0, 1.5 ms}, NULL)
    ...ecall(133, BUF + 0x40, 8), // rt_sigsuspend(&empty, 8): waits for a signal
    ...ecall(94, 1), // exit_group(1): never reached
  ]);
  assert.equal(end.kind, "signal");
  assert.equal(end.kind === "signal" && end.signo, 14);
  assert.ok(k.nowNs() >= 1_500_000 && k.nowNs() < 1_600_000, `fired at ${k.nowNs()} ns`);
});

Deno.test("ITIMER_VIRTUAL fires during a busy loop at a scheduling point: SIGVTALRM", () => {
  const k = kernel();
  putItimerval(k, [0n, 0n], [0n, 20n], BUF); // 20 µs: 20000 instructions at 1 GHz
  const end = runCode(k, [...ecall(103, 1, BUF, 0), SPIN]);
  assert.equal(end.kind, "signal");
  assert.equal(end.kind === "signal" && end.signo, 26);
  // The test kernel's quantum is 1000 instructions.
  assert.ok(k.instret >= 20_000 && k.instret <= 21_100, `fired at ${k.instret} instructions`);
});

Deno.test("a periodic timer whose signal is blocked cannot wake a waiter: a deadlock, not a hang", () => {
  const k = kernel();
  putItimerval(k, [0n, 100n], [0n, 100n], BUF);
  k.mem.writeU64(BUF + 0x40, 1n << 13n); // {SIGALRM}
  k.mem.writeU64(BUF + 0x80, 0n); // the futex word
  const end = runCode(k, [
    ...ecall(135, 0, BUF + 0x40, 0, 8), // rt_sigprocmask(SIG_BLOCK, {SIGALRM}, NULL, 8)
    ...ecall(103, 0, BUF, 0), // setitimer(ITIMER_REAL, every 100 µs)
    ...ecall(98, BUF + 0x80, 128, 0, 0), // futex(&w, FUTEX_WAIT_PRIVATE, 0, NULL)
  ]);
  assert.equal(end.kind, "deadlock");
});

// ------------------------------------------------------------ end to end

Deno.test("e2e: the clock guest matches expect.json", () => {
  runGuest("clock");
});

// ------------------------------------------------------- POSIX timers

/** Writes a 64-byte struct sigevent at `addr`. */
function putSigevent(
  k: Kernel,
  addr: number,
  value: bigint,
  signo: number,
  notify: number,
  tid = 0,
) {
  k.mem.write(addr, new Uint8Array(64));
  k.mem.writeU64(addr, value);
  k.mem.writeU32(addr + 8, signo);
  k.mem.writeU32(addr + 12, notify);
  k.mem.writeU32(addr + 16, tid);
  return addr;
}

/** Writes a struct itimerspec {interval, value} of ns counts at `addr`. */
function putItimerspec(k: Kernel, intervalNs: bigint, valueNs: bigint, addr = BUF + 0x200): number {
  const ns = 1_000_000_000n;
  [intervalNs / ns, intervalNs % ns, valueNs / ns, valueNs % ns].forEach((v, i) =>
    k.mem.writeU64(addr + 8 * i, v)
  );
  return addr;
}

/** The struct itimerspec at `addr` as [interval, value] in ns. */
function itimerspec(k: Kernel, addr = BUF): [bigint, bigint] {
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => k.mem.readU64(addr + 8 * i));
  return [a * 1_000_000_000n + b, c * 1_000_000_000n + d];
}

/** The int timer id written at `addr`. */
function timerId(k: Kernel, addr = BUF + 0x300): number {
  return k.mem.readU32(addr);
}

const SIGRTMIN = 32;
const SIGEV = { SIGNAL: 0, NONE: 1, THREAD: 2, THREAD_ID: 4 };

Deno.test("timer_create: ids count from 0 and are never reused; errors in Linux's order", () => {
  const k = kernel();
  const idp = BUF + 0x300;
  const ev = BUF + 0x400;
  assert.equal(sys(k, "timer_create", 1, 0, idp), 0);
  assert.equal(timerId(k), 0);
  assert.equal(sys(k, "timer_create", 0, putSigevent(k, ev, 7n, SIGRTMIN, SIGEV.SIGNAL), idp), 0);
  assert.equal(timerId(k), 1);
  assert.equal(sys(k, "timer_delete", 0), 0);
  assert.equal(sys(k, "timer_delete", 0), -EINVAL);
  // Before an id is taken: EFAULT reading the sigevent, no clock, a clock without timers.
  assert.equal(sys(k, "timer_create", 1, 8, idp), -EFAULT);
  assert.equal(sys(k, "timer_create", 10, 0, idp), -EINVAL);
  assert.equal(sys(k, "timer_create", 4, 0, idp), -EOPNOTSUPP); // MONOTONIC_RAW
  assert.equal(sys(k, "timer_create", 6, 0, idp), -EOPNOTSUPP); // MONOTONIC_COARSE
  assert.equal(sys(k, "timer_create", -5, 0, idp), -EOPNOTSUPP); // a dynamic clock (fd 0)
  // After it: a bad sigevent, an unwritable id, the alarm clocks (id 7 written), a CPU clock of nobody.
  for (const [signo, notify, tid] of [[0, 0], [65, 0], [SIGRTMIN, 3], [SIGRTMIN, 4, 4242]]) {
    assert.equal(
      sys(k, "timer_create", 1, putSigevent(k, ev, 0n, signo, notify, tid), idp),
      -EINVAL,
    );
  }
  assert.equal(sys(k, "timer_create", 1, 0, 8), -EFAULT);
  assert.equal(sys(k, "timer_create", 8, 0, idp), -EPERM);
  assert.equal(timerId(k), 7);
  assert.equal(sys(k, "timer_create", ((~77) << 3) | 2, 0, idp), -EINVAL);
  // SIGEV_NONE takes any signal number; the next id is 9.
  assert.equal(sys(k, "timer_create", 1, putSigevent(k, ev, 0n, 0, SIGEV.NONE), idp), 0);
  assert.equal(timerId(k), 9);
  assert.equal(
    sys(k, "timer_create", 1, putSigevent(k, ev, 0n, 14, SIGEV.THREAD_ID, 1000), idp),
    0,
  );
  assert.equal(timerId(k), 10);
});

Deno.test("timer_settime/gettime/getoverrun/delete: errors", () => {
  const k = kernel();
  assert.equal(sys(k, "timer_create", 1, 0, BUF + 0x300), 0);
  const ok = putItimerspec(k, 0n, 1000n);
  assert.equal(sys(k, "timer_settime", 0, 0, 0, 0), -EINVAL);
  assert.equal(sys(k, "timer_settime", 0, 0, 8, 0), -EFAULT);
  for (const bad of [[0n, 0n, -1n, 0n], [0n, 0n, 0n, 1_000_000_000n], [-1n, 0n, 1n, 0n]]) {
    bad.forEach((v, i) => k.mem.writeU64(BUF + 0x280 + 8 * i, BigInt.asUintN(64, v)));
    assert.equal(sys(k, "timer_settime", 0, 0, BUF + 0x280, 0), -EINVAL);
  }
  assert.equal(sys(k, "timer_settime", 1, 0, ok, 0), -EINVAL);
  assert.equal(sys(k, "timer_settime", -1, 0, ok, 0), -EINVAL);
  // An unwritable old value is EFAULT after the change.
  assert.equal(sys(k, "timer_settime", 0, 0, ok, 8), -EFAULT);
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.deepEqual(itimerspec(k), [0n, 1000n]);
  assert.equal(sys(k, "timer_gettime", 0, 8), -EFAULT);
  assert.equal(sys(k, "timer_gettime", 5, BUF), -EINVAL);
  assert.equal(sys(k, "timer_getoverrun", 5), -EINVAL);
  assert.equal(sys(k, "timer_delete", 0), 0);
  assert.equal(sys(k, "timer_gettime", 0, BUF), -EINVAL);
  assert.equal(sys(k, "timer_getoverrun", 0), -EINVAL);
  assert.equal(sys(k, "timer_settime", 0, 0, ok, 0), -EINVAL);
});

/** Accepts a pending signal of `set` with rt_sigtimedwait; returns it and its siginfo fields. */
function accept(k: Kernel, set: bigint) {
  k.mem.writeU64(BUF + 0x500, set);
  const r = sys(
    k,
    "rt_sigtimedwait",
    BUF + 0x500,
    BUF + 0x600,
    putItimerspec(k, 0n, 0n, BUF + 0x580),
    8,
  );
  const v = new DataView(k.mem.read(BUF + 0x600, 32).buffer);
  return {
    r,
    code: v.getInt32(8, true),
    timerid: v.getInt32(16, true),
    overrun: v.getInt32(20, true),
    value: v.getBigUint64(24, true),
  };
}

Deno.test("a periodic timer with its signal blocked: overruns counted at delivery, then reloads", () => {
  const k = kernel();
  const t = k.mainThread;
  t.sigmask = 1n << BigInt(SIGRTMIN - 1);
  assert.equal(
    sys(k, "timer_create", 1, putSigevent(k, BUF + 0x400, 0xabcn, SIGRTMIN, 0), BUF + 0x300),
    0,
  );
  // Every 1 ms from 1 ms.
  assert.equal(sys(k, "timer_settime", 0, 0, putItimerspec(k, 1_000_000n, 1_000_000n), 0), 0);
  t.hart.instret = 5_500_000;
  // Fired at 1 ms and waits to reload: timer_gettime moves it past now (next 6 ms).
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.deepEqual(itimerspec(k), [1_000_000n, 500_000n]);
  assert.equal(sys(k, "timer_getoverrun", 0), 0);
  t.hart.instret = 8_200_000;
  // Expiries at 1..8 ms, one signal: 7 overruns; the timer reloads at 9 ms.
  assert.deepEqual(accept(k, 1n << 31n), {
    r: SIGRTMIN,
    code: -2,
    timerid: 0,
    overrun: 7,
    value: 0xabcn,
  });
  assert.equal(sys(k, "timer_getoverrun", 0), 7);
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.deepEqual(itimerspec(k), [1_000_000n, 800_000n]);
  t.hart.instret = 9_000_000;
  // Due at 9 ms: the syscall fires it first, then moves it past now (10 ms).
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.deepEqual(itimerspec(k), [1_000_000n, 1_000_000n]);
  assert.deepEqual(accept(k, 1n << 31n).overrun, 0);
  assert.equal(sys(k, "timer_getoverrun", 0), 0);
  // Disarming forgets the interval.
  assert.equal(sys(k, "timer_settime", 0, 0, putItimerspec(k, 5n, 0n), BUF), 0);
  assert.deepEqual(itimerspec(k), [1_000_000n, 1_000_000n]);
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.deepEqual(itimerspec(k), [0n, 0n]);
});

Deno.test("a one-shot timer re-armed while its signal is pending counts in si_overrun", () => {
  const k = kernel();
  const t = k.mainThread;
  t.sigmask = 1n << 13n;
  assert.equal(sys(k, "timer_create", 1, 0, BUF + 0x300), 0); // SIGALRM, value = id 0
  const spec = putItimerspec(k, 0n, 1000n);
  assert.equal(sys(k, "timer_settime", 0, 0, spec, 0), 0);
  t.hart.instret = 2000;
  assert.equal(sys(k, "timer_settime", 0, 0, spec, BUF), 0);
  // The old setting of a fired one-shot timer is all zeros.
  assert.deepEqual(itimerspec(k), [0n, 0n]);
  t.hart.instret = 4000;
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.deepEqual(itimerspec(k), [0n, 0n]);
  assert.deepEqual(accept(k, 1n << 13n), { r: 14, code: -2, timerid: 0, overrun: 1, value: 0n });
  assert.equal(sys(k, "timer_getoverrun", 0), 0);
  assert.equal(accept(k, 1n << 13n).r, -11); // EAGAIN: one signal for both
});

Deno.test("TIMER_ABSTIME: a time already past queues the signal before timer_settime returns", () => {
  const k = kernel();
  k.mainThread.sigmask = 1n << 13n;
  assert.equal(sys(k, "timer_create", 0, 0, BUF + 0x300), 0);
  assert.equal(sys(k, "timer_settime", 0, 1, putItimerspec(k, 0n, EPOCH * 1_000_000_000n), 0), 0);
  assert.equal(accept(k, 1n << 13n).r, 14);
  // CLOCK_MONOTONIC 100.000002 s is 2 µs after the start.
  assert.equal(sys(k, "timer_create", 1, 0, BUF + 0x300), 0);
  assert.equal(
    sys(k, "timer_settime", 1, 1, putItimerspec(k, 0n, BOOT * 1_000_000_000n + 2000n), 0),
    0,
  );
  assert.equal(sys(k, "timer_gettime", 1, BUF), 0);
  assert.deepEqual(itimerspec(k), [0n, 2000n]);
});

Deno.test("SIGEV_NONE: no signal; timer_gettime follows the expiry (periodic ones move on)", () => {
  const k = kernel();
  const t = k.mainThread;
  assert.equal(
    sys(k, "timer_create", 1, putSigevent(k, BUF + 0x400, 0n, 0, SIGEV.NONE), BUF + 0x300),
    0,
  );
  assert.equal(sys(k, "timer_settime", 0, 0, putItimerspec(k, 0n, 3000n), 0), 0);
  t.hart.instret = 5000;
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.deepEqual(itimerspec(k), [0n, 0n]);
  assert.equal(sys(k, "timer_settime", 0, 0, putItimerspec(k, 1000n, 1000n), 0), 0);
  t.hart.instret = 7500;
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.deepEqual(itimerspec(k), [1000n, 500n]);
  assert.equal(t.pending.length, 0);
});

Deno.test("a periodic timer whose signal is ignored keeps running", () => {
  const k = kernel();
  const t = k.mainThread;
  // SIGCHLD's default action is to ignore it.
  assert.equal(sys(k, "timer_create", 1, putSigevent(k, BUF + 0x400, 0n, 17, 0), BUF + 0x300), 0);
  assert.equal(sys(k, "timer_settime", 0, 0, putItimerspec(k, 1000n, 1000n), 0), 0);
  t.hart.instret = 3500;
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.deepEqual(itimerspec(k), [1000n, 500n]);
  assert.equal(t.pending.length, 0);
});

Deno.test("timer_delete disarms; a signal already pending is still delivered", () => {
  const k = kernel();
  const t = k.mainThread;
  t.sigmask = 1n << 13n;
  assert.equal(sys(k, "timer_create", 1, 0, BUF + 0x300), 0);
  assert.equal(sys(k, "timer_settime", 0, 0, putItimerspec(k, 1000n, 1000n), 0), 0);
  t.hart.instret = 1500;
  assert.equal(sys(k, "timer_gettime", 0, BUF), 0);
  assert.equal(sys(k, "timer_delete", 0), 0);
  t.hart.instret = 10_000;
  assert.deepEqual(accept(k, 1n << 13n), { r: 14, code: -2, timerid: 0, overrun: 0, value: 0n });
  assert.equal(accept(k, 1n << 13n).r, -11);
});

Deno.test("POSIX timer on the virtual clock ends a wait: the clock jumps, SIGALRM kills", () => {
  const k = kernel();
  putItimerspec(k, 0n, 1_500_000n, BUF);
  k.mem.writeU64(BUF + 0x40, 0n);
  const end = runCode(k, [
    ...ecall(107, 1, 0, BUF + 0x80), // timer_create(CLOCK_MONOTONIC, NULL, &id)
    ...ecall(110, 0, 0, BUF, 0), // timer_settime(0, 0, &{0, 1.5 ms}, NULL)
    ...ecall(133, BUF + 0x40, 8), // rt_sigsuspend(&empty, 8)
    ...ecall(94, 1),
  ]);
  assert.equal(end.kind, "signal");
  assert.equal(end.kind === "signal" && end.signo, 14);
  assert.ok(k.nowNs() >= 1_500_000 && k.nowNs() < 1_600_000, `fired at ${k.nowNs()} ns`);
});

Deno.test("a CPU-time POSIX timer fires during a busy loop at a scheduling point", () => {
  const k = kernel();
  putItimerspec(k, 0n, 20_000n, BUF);
  const end = runCode(k, [
    ...ecall(107, 2, 0, BUF + 0x80), // timer_create(CLOCK_PROCESS_CPUTIME_ID, NULL, &id)
    ...ecall(110, 0, 0, BUF, 0), // timer_settime(0, 0, &{0, 20 µs}, NULL)
    SPIN,
  ]);
  assert.equal(end.kind, "signal");
  assert.equal(end.kind === "signal" && end.signo, 14);
  assert.ok(k.instret >= 20_000 && k.instret <= 21_100, `fired at ${k.instret} instructions`);
});

Deno.test("e2e: the posix_timers guest matches qemu-riscv64", () => {
  assertLikeQemu("posix_timers", runKernelGuest("posix_timers"));
});
