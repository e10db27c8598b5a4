/**
 * Time syscalls on the virtual clock: clock_gettime, clock_getres,
 * gettimeofday, nanosleep, clock_nanosleep, the interval timers of
 * setitimer/getitimer (and clock_settime/settimeofday, which an unprivileged
 * process may not use).
 *
 * Every clock derives from {@linkcode Kernel.nowNs} (instructions at the
 * virtual frequency plus time slept), so runs are reproducible:
 *
 * - CLOCK_REALTIME (and CLOCK_TAI, whose offset is 0 until NTP sets it, and
 *   CLOCK_REALTIME_ALARM) = {@linkcode REALTIME_EPOCH_SEC} (2024-01-01T00:00:00Z)
 *   + virtual time: the process starts at that instant.
 * - CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME (and
 *   CLOCK_BOOTTIME_ALARM) = {@linkcode BOOT_OFFSET_NS} (100 s of uptime) +
 *   virtual time, never zero (the Go runtime refuses a zero nanotime).
 * - The *_COARSE clocks are the same clocks truncated to the last tick of a
 *   HZ=250 kernel ({@linkcode TICK_NS} = 4 ms), their resolution.
 * - CLOCK_PROCESS_CPUTIME_ID = all threads' retired instructions at the
 *   virtual frequency; CLOCK_THREAD_CPUTIME_ID = the calling thread's; the
 *   negative CPU clock ids of clock_getcpuclockid/pthread_getcpuclockid
 *   (`~pid << 3 | perthread << 2 | which`) name a thread or the process.
 *   Sleeping costs no CPU time.
 *
 * Interval timers (setitimer, getitimer; glibc's alarm is setitimer):
 * ITIMER_REAL runs on the virtual clock and sends SIGALRM, ITIMER_VIRTUAL
 * and ITIMER_PROF run on the process CPU clock and send SIGVTALRM and
 * SIGPROF, each to the process with si_code SI_KERNEL. The scheduler fires a
 * due timer at its next scheduling point (the end of a quantum, a blocking
 * syscall), and when every thread waits the clock jumps to an ITIMER_REAL
 * expiry as it does to a sleep's end. A periodic timer's next expiry is the
 * first multiple of its interval after the current time (overruns are
 * skipped, as Linux's hrtimer_forward skips them).
 *
 * POSIX per-process timers (timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete), as Linux implements them: ids count up
 * from 0 per process and are never reused (a create that fails after
 * taking an id still uses it up); the clocks are REALTIME, MONOTONIC,
 * BOOTTIME and TAI (the virtual clock) and the CPU clocks; a timer notifies
 * by a signal to the process (SIGEV_SIGNAL, and SIGEV_THREAD, which glibc
 * builds in user space on SIGEV_THREAD_ID), to one thread
 * (SIGEV_THREAD_ID), or not at all (SIGEV_NONE, read with timer_gettime).
 * The signal carries si_code SI_TIMER, si_timerid, si_overrun and the
 * sigev_value. A timer queues one signal at a time: an expiry while it is
 * pending counts in its si_overrun, and a periodic timer stops when it
 * fires and reloads when its signal is delivered (or accepted by
 * sigwaitinfo or a signalfd), counting the periods it missed meanwhile as
 * overruns (timer_getoverrun's answer), as Linux's posixtimer_rearm does.
 * A periodic timer whose signal is ignored keeps running. A timer fires at
 * the scheduler's next scheduling point after its expiry, or at once when
 * a timer syscall finds it due (so timer_settime with a time already past
 * queues the signal before it returns, as on Linux).
 * @module
 */

import { EAGAIN, EFAULT, EINTR, EINVAL, EOPNOTSUPP, EPERM } from "../abi/errno.ts";
import { NSIG, SIGALRM } from "../abi/signals.ts";
import type { Kernel, KernelTimer } from "./kernel.ts";
import { getRlimit, RLIMIT_SIGPENDING } from "./process.ts";
import { queuedSignals, reserveQueueEntry, sendToProcess, sendToThread } from "./signals.ts";
import type { SigInfo, Thread } from "./thread.ts";
import type { SyscallArgs, SyscallFamilyTable, SyscallResult, Wait } from "./types.ts";

/** CLOCK_REALTIME. */
export const CLOCK_REALTIME = 0;
/** CLOCK_MONOTONIC. */
export const CLOCK_MONOTONIC = 1;
/** CLOCK_PROCESS_CPUTIME_ID. */
export const CLOCK_PROCESS_CPUTIME_ID = 2;
/** CLOCK_THREAD_CPUTIME_ID. */
export const CLOCK_THREAD_CPUTIME_ID = 3;
/** CLOCK_MONOTONIC_RAW. */
export const CLOCK_MONOTONIC_RAW = 4;
/** CLOCK_REALTIME_COARSE. */
export const CLOCK_REALTIME_COARSE = 5;
/** CLOCK_MONOTONIC_COARSE. */
export const CLOCK_MONOTONIC_COARSE = 6;
/** CLOCK_BOOTTIME. */
export const CLOCK_BOOTTIME = 7;
/** CLOCK_REALTIME_ALARM. */
export const CLOCK_REALTIME_ALARM = 8;
/** CLOCK_BOOTTIME_ALARM. */
export const CLOCK_BOOTTIME_ALARM = 9;
/** CLOCK_TAI. */
export const CLOCK_TAI = 11;
/** clock_nanosleep flag: the request is an absolute time. */
export const TIMER_ABSTIME = 1;

/** CLOCK_REALTIME at the start of the process: 2024-01-01T00:00:00Z, in seconds. */
export const REALTIME_EPOCH_SEC = 1704067200;
/** CLOCK_MONOTONIC/CLOCK_BOOTTIME at the start of the process (100 s after boot), in ns. */
export const BOOT_OFFSET_NS = 100_000_000_000;
/** One scheduler tick of a HZ=250 kernel: the coarse clocks' resolution, in ns. */
export const TICK_NS = 4_000_000;
/** USER_HZ: clock ticks per second of times(2) and /proc. */
export const USER_HZ = 100;

const NS = 1_000_000_000n;
/** KTIME_MAX: the longest time the kernel represents (2^63-1 ns). */
const KTIME_MAX = (1n << 63n) - 1n;

/** Which time base a clock reads. */
type Base = "real" | "mono" | "process" | "thread";

/** A resolved clock id. */
interface ClockSpec {
  base: Base;
  /** Truncated to the tick. */
  coarse: boolean;
  /** clock_getres's answer in ns. */
  res: number;
  /** The thread whose CPU time a thread clock reads. */
  thread?: Thread;
}

/** Process CPU time in ns: every thread's retired instructions at the virtual frequency. */
export function processCpuNs(k: Kernel): number {
  return Math.floor(k.instret * (1e9 / k.options.hz));
}

/** Thread `t`'s CPU time in ns. */
export function threadCpuNs(k: Kernel, t: Thread): number {
  return Math.floor(t.hart.instret * (1e9 / k.options.hz));
}

/** CLOCK_MONOTONIC now, in ns (also CLOCK_BOOTTIME and the uptime of /proc/uptime). */
export function monotonicNs(k: Kernel): bigint {
  return BigInt(BOOT_OFFSET_NS) + BigInt(k.nowNs());
}

/** CLOCK_REALTIME now, in ns since the Unix epoch. */
export function realtimeNs(k: Kernel): bigint {
  return BigInt(REALTIME_EPOCH_SEC) * NS + BigInt(k.nowNs());
}

/**
 * Resolves a clockid_t, or undefined when it names no clock (EINVAL).
 * Negative ids are CPU clocks: pid `~(id >> 3)` (0 = self), bit 2 set for a
 * thread, low two bits PROF/VIRT/SCHED (3 is invalid); all read CPU time.
 */
function resolveClock(k: Kernel, t: Thread, id: number): ClockSpec | undefined {
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_TAI:
    case CLOCK_REALTIME_ALARM:
      return { base: "real", coarse: false, res: 1 };
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      return { base: "mono", coarse: false, res: 1 };
    case CLOCK_REALTIME_COARSE:
      return { base: "real", coarse: true, res: TICK_NS };
    case CLOCK_MONOTONIC_COARSE:
      return { base: "mono", coarse: true, res: TICK_NS };
    case CLOCK_PROCESS_CPUTIME_ID:
      return { base: "process", coarse: false, res: 1 };
    case CLOCK_THREAD_CPUTIME_ID:
      return { base: "thread", coarse: false, res: 1, thread: t };
  }
  const which = id & 3;
  if (id >= 0 || which === 3) return undefined;
  // CPUCLOCK_SCHED (2) is precise; PROF and VIRT are tick-accounted.
  const res = which === 2 ? 1 : TICK_NS;
  const pid = ~(id >> 3);
  if ((id & 4) !== 0) {
    const th = pid === 0 ? t : k.threads.find((x) => x.tid === pid && x.state !== "exited");
    return th ? { base: "thread", coarse: false, res, thread: th } : undefined;
  }
  return pid === 0 || pid === k.pid ? { base: "process", coarse: false, res } : undefined;
}

/** The value of a resolved clock, in ns. */
function readClock(k: Kernel, c: ClockSpec): bigint {
  let v: bigint;
  switch (c.base) {
    case "real":
      v = realtimeNs(k);
      break;
    case "mono":
      v = monotonicNs(k);
      break;
    case "process":
      return BigInt(processCpuNs(k));
    case "thread":
      return BigInt(threadCpuNs(k, c.thread!));
  }
  return c.coarse ? v - v % BigInt(TICK_NS) : v;
}

/** Writes a struct timespec {i64 tv_sec @0; i64 tv_nsec @8} (16 bytes). */
function writeTimespec(k: Kernel, addr: number, ns: bigint): boolean {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, ns / NS, true);
  dv.setBigInt64(8, ns % NS, true);
  return writeOut(k, addr, b);
}

function writeOut(k: Kernel, addr: number, b: Uint8Array): boolean {
  if (!k.mem.accessible(addr, b.length, "write")) return false;
  k.mem.write(addr, b);
  return true;
}

/**
 * Reads a struct timespec and converts it to ns (clamped at KTIME_MAX), or
 * returns -EFAULT / -EINVAL (tv_sec < 0 or tv_nsec outside [0, 1e9)).
 */
function readTimespec(k: Kernel, addr: number): bigint | number {
  if (!k.mem.accessible(addr, 16, "read")) return -EFAULT;
  const dv = new DataView(k.mem.read(addr, 16).buffer);
  const sec = dv.getBigInt64(0, true);
  const nsec = dv.getBigUint64(8, true);
  if (sec < 0n || nsec >= NS) return -EINVAL;
  const total = sec * NS + nsec;
  return total > KTIME_MAX ? KTIME_MAX : total;
}

function clockGettime(k: Kernel, t: Thread, a: SyscallArgs): number {
  const c = resolveClock(k, t, a.int(0));
  if (!c) return -EINVAL;
  return writeTimespec(k, a.ptr(1), readClock(k, c)) ? 0 : -EFAULT;
}

/**
 * clock_getres: 1 ns for the high-resolution and CPU clocks, one tick for
 * the coarse ones. A NULL pointer only validates the id.
 */
function clockGetres(k: Kernel, t: Thread, a: SyscallArgs): number {
  const c = resolveClock(k, t, a.int(0));
  if (!c) return -EINVAL;
  const p = a.ptr(1);
  if (p === 0) return 0;
  return writeTimespec(k, p, BigInt(c.res)) ? 0 : -EFAULT;
}

/** gettimeofday: struct timeval {i64 tv_sec; i64 tv_usec}; struct timezone {i32 minuteswest; i32 dsttime} (UTC). */
function gettimeofday(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const tv = a.ptr(0);
  const tz = a.ptr(1);
  if (tv !== 0) {
    const ns = realtimeNs(k);
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, ns / NS, true);
    dv.setBigInt64(8, (ns % NS) / 1000n, true);
    if (!writeOut(k, tv, b)) return -EFAULT;
  }
  if (tz !== 0 && !writeOut(k, tz, new Uint8Array(8))) return -EFAULT;
  return 0;
}

/**
 * settimeofday: the arguments are checked (EFAULT, EINVAL), then the
 * permission check fails: setting the time needs CAP_SYS_TIME, which the
 * guest (uid 1000) lacks.
 */
function settimeofday(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const tv = a.ptr(0);
  const tz = a.ptr(1);
  let bad = false;
  if (tv !== 0) {
    if (!k.mem.accessible(tv, 16, "read")) return -EFAULT;
    const dv = new DataView(k.mem.read(tv, 16).buffer);
    const usec = dv.getBigInt64(8, true);
    bad = dv.getBigInt64(0, true) < 0n || usec < 0n || usec >= 1_000_000n;
  }
  if (tz !== 0 && !k.mem.accessible(tz, 8, "read")) return -EFAULT;
  return bad ? -EINVAL : -EPERM;
}

/**
 * clock_settime: EINVAL for clocks without a setter (all but REALTIME and
 * the negative CPU clock ids), EFAULT, EINVAL for a bad REALTIME value,
 * else EPERM (no CAP_SYS_TIME; CPU clocks can never be set).
 */
function clockSettime(k: Kernel, t: Thread, a: SyscallArgs): number {
  const id = a.int(0);
  const c = resolveClock(k, t, id);
  // Only REALTIME and the negative CPU clock ids have a setter (the CPU ones always refuse).
  if (!c || (id !== CLOCK_REALTIME && id >= 0)) return -EINVAL;
  const r = readTimespec(k, a.ptr(1));
  if (r === -EFAULT) return r;
  if (id === CLOCK_REALTIME && typeof r === "number") return r;
  return -EPERM;
}

/**
 * A sleep the scheduler ends at `deadline` (absolute virtual ns). It carries
 * what the signals family needs to interrupt it.
 */
export interface SleepWait extends Wait {
  /** Always set: sleeps end by time. */
  readonly deadline: number;
  /**
   * Ends the sleep early because a signal arrived: writes the unslept time
   * to the `rem` pointer of a relative nanosleep/clock_nanosleep (when one
   * was given) and returns the result the syscall then gives: -EINTR, or
   * -EFAULT when `rem` cannot be written.
   */
  interrupted(): number;
}

/** True when `w` is a sleep made by this family. */
export function isSleepWait(w: Wait | undefined): w is SleepWait {
  return w !== undefined && typeof (w as Partial<SleepWait>).interrupted === "function";
}

/**
 * A wait that ends once the virtual clock reaches `deadline`. `rem` is the
 * address for the unslept time on interruption (0: none).
 */
function sleepUntil(k: Kernel, deadline: number, rem: number, reason: string): SleepWait {
  return {
    reason,
    deadline,
    resume(timedOut: boolean): number | undefined {
      return timedOut || k.nowNs() >= deadline ? 0 : undefined;
    },
    interrupted(): number {
      if (rem !== 0) {
        const left = Math.max(0, deadline - k.nowNs());
        if (!writeTimespec(k, rem, BigInt(left))) return -EFAULT;
      }
      return -EINTR;
    },
  };
}

/** Converts a ns count (bigint, possibly huge) into a virtual-time deadline. */
function deadlineAfter(k: Kernel, ns: bigint): number {
  return k.nowNs() + Number(ns);
}

function describeNs(ns: bigint): string {
  return `${ns / NS}.${(ns % NS).toString().padStart(9, "0")} s`;
}

/** nanosleep(req, rem): a relative sleep on CLOCK_MONOTONIC. */
function nanosleep(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const ns = readTimespec(k, a.ptr(0));
  if (typeof ns === "number") return ns;
  return sleepUntil(k, deadlineAfter(k, ns), a.ptr(1), `nanosleep ${describeNs(ns)}`);
}

/**
 * clock_nanosleep(clockid, flags, req, rem): relative, or absolute with
 * TIMER_ABSTIME (a time already past returns at once). Clocks without a
 * sleep (MONOTONIC_RAW, THREAD_CPUTIME_ID, the coarse ones) give
 * -EOPNOTSUPP; the *_ALARM clocks need CAP_WAKE_ALARM (-EPERM); the
 * caller's own thread CPU clock by its negative id is -EINVAL; the process CPU clock (or another thread's) waits until the other
 * threads have used the time, re-checked at every scheduling point.
 */
function clockNanosleep(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  const id = a.int(0);
  const abs = (a.int(1) & TIMER_ABSTIME) !== 0;
  const c = resolveClock(k, t, id);
  if (!c) return -EINVAL;
  if (id === CLOCK_MONOTONIC_RAW || id === CLOCK_THREAD_CPUTIME_ID || c.coarse) return -EOPNOTSUPP;
  const ns = readTimespec(k, a.ptr(2));
  if (typeof ns === "number") return ns;
  if (id === CLOCK_REALTIME_ALARM || id === CLOCK_BOOTTIME_ALARM) {
    return (a.int(1) & ~TIMER_ABSTIME) !== 0 ? -EINVAL : -EPERM;
  }
  if (c.base === "thread" && c.thread === t) return -EINVAL;
  if (c.base === "process" || c.base === "thread") {
    const target = abs ? ns : readClock(k, c) + ns;
    return {
      reason: `clock_nanosleep on a CPU clock until ${describeNs(target)}`,
      repoll: true,
      resume: () => readClock(k, c) >= target ? 0 : undefined,
    };
  }
  const left = abs ? ns - readClock(k, c) : ns;
  const deadline = left <= 0n ? k.nowNs() : deadlineAfter(k, left);
  return sleepUntil(k, deadline, abs ? 0 : a.ptr(3), `clock_nanosleep ${describeNs(ns)}`);
}

// ------------------------------------------------------- interval timers

/** setitimer/getitimer `which`: the virtual clock. */
export const ITIMER_REAL = 0;
/** setitimer/getitimer `which`: user CPU time. */
export const ITIMER_VIRTUAL = 1;
/** setitimer/getitimer `which`: CPU time. */
export const ITIMER_PROF = 2;
/** The signal each interval timer sends: SIGALRM, SIGVTALRM, SIGPROF. */
const ITIMER_SIGNALS = [SIGALRM, 26, 27];
/** si_code of a signal the kernel itself sends. */
const SI_KERNEL = 0x80;
const US = 1000n;

/** One interval timer of the process. */
class IntervalTimer implements KernelTimer {
  /** Next expiry on the timer's clock (ns), undefined while disarmed. */
  next: number | undefined;
  /** Reload value (ns); 0 for a one-shot timer. */
  intervalNs = 0;

  constructor(readonly k: Kernel, readonly which: number) {}

  /** The timer's clock: virtual time for ITIMER_REAL, process CPU time for the others. */
  now(): number {
    return this.which === ITIMER_REAL ? this.k.nowNs() : processCpuNs(this.k);
  }

  get deadline(): number | undefined {
    return this.which === ITIMER_REAL ? this.next : undefined;
  }

  check(): void {
    if (this.next === undefined) return;
    const now = this.now();
    if (now < this.next) return;
    if (this.intervalNs > 0) {
      this.next += this.intervalNs * (Math.floor((now - this.next) / this.intervalNs) + 1);
    } else {
      this.disarm();
    }
    sendToProcess(this.k, { signo: ITIMER_SIGNALS[this.which], code: SI_KERNEL });
  }

  disarm(): void {
    this.next = undefined;
    this.k.disarmTimer(this);
  }

  /** The time left (Linux reports a due timer as 1 µs left, a CPU one as a tick). */
  remaining(): number {
    if (this.next === undefined) return 0;
    const left = this.next - this.now();
    if (left > 0) return left;
    return this.which === ITIMER_REAL ? 1000 : TICK_NS;
  }
}

function intervalTimer(k: Kernel, which: number): IntervalTimer {
  const timers = k.familyState("itimers", () => [0, 1, 2].map((w) => new IntervalTimer(k, w)));
  return timers[which];
}

/** struct itimerval {timeval it_interval; timeval it_value} of `tm` (32 bytes). */
function itimervalBytes(tm: IntervalTimer): Uint8Array {
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  const put = (off: number, ns: number) => {
    const n = BigInt(ns);
    dv.setBigInt64(off, n / NS, true);
    dv.setBigInt64(off + 8, (n % NS) / US, true);
  };
  put(0, tm.intervalNs);
  put(16, tm.remaining());
  return b;
}

/** Reads a struct timeval as ns (clamped at KTIME_MAX), or -EINVAL when it is not valid. */
function timevalNs(dv: DataView, off: number): number {
  const sec = dv.getBigInt64(off, true);
  const usec = dv.getBigInt64(off + 8, true);
  if (sec < 0n || usec < 0n || usec >= 1_000_000n) return -EINVAL;
  const ns = sec * NS + usec * US;
  return Number(ns > KTIME_MAX ? KTIME_MAX : ns);
}

/**
 * setitimer(which, new, old): arms (it_value not zero) or disarms the timer;
 * a NULL `new` disarms it, as Linux accepts. The old setting is written
 * after the change; an unwritable `old` is EFAULT with the new setting kept.
 */
function setitimer(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const which = a.int(0);
  const p = a.ptr(1);
  let value = 0;
  let interval = 0;
  if (p !== 0) {
    if (!k.mem.accessible(p, 32, "read")) return -EFAULT;
    const dv = new DataView(k.mem.read(p, 32).buffer);
    interval = timevalNs(dv, 0);
    value = timevalNs(dv, 16);
    if (interval < 0 || value < 0) return -EINVAL;
  }
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -EINVAL;
  const tm = intervalTimer(k, which);
  const old = itimervalBytes(tm);
  if (value === 0) {
    tm.disarm();
    // Linux forgets ITIMER_REAL's interval when disarming; the CPU timers keep it.
    tm.intervalNs = which === ITIMER_REAL ? 0 : interval;
  } else {
    tm.intervalNs = interval;
    tm.next = tm.now() + value;
    k.armTimer(tm);
  }
  const op = a.ptr(2);
  return op === 0 || writeOut(k, op, old) ? 0 : -EFAULT;
}

/** getitimer(which, cur): the time left and the interval. */
function getitimer(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const which = a.int(0);
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -EINVAL;
  return writeOut(k, a.ptr(1), itimervalBytes(intervalTimer(k, which))) ? 0 : -EFAULT;
}

// ------------------------------------------------------- POSIX timers

/** sigev_notify: a signal to the process. */
const SIGEV_SIGNAL = 0;
/** sigev_notify: no notification. */
const SIGEV_NONE = 1;
/** sigev_notify: glibc's thread notification (the kernel sends a signal to the process). */
const SIGEV_THREAD = 2;
/** sigev_notify: a signal to the thread `sigev_notify_thread_id`. */
const SIGEV_THREAD_ID = 4;
/** si_code of a POSIX timer's signal. */
const SI_TIMER = -2;
const INT_MAX = 0x7fffffff;

/** One POSIX timer. Times are on its clock's scale: virtual ns, or CPU ns for a CPU clock. */
class PosixTimer implements KernelTimer {
  /** The expiry (the last one while a periodic timer waits to reload), undefined when disarmed. */
  next: number | undefined;
  /** Reload value (ns); 0 for a one-shot timer. */
  intervalNs = 0;
  /** Counting toward `next` (armed with the kernel). */
  active = false;
  /** A periodic timer fired: it reloads when its signal leaves the pending set. */
  requeuePending = false;
  /** The signal is pending. */
  queued = false;
  /** Linux's it_overrun: periods skipped since the last reload, counted from -1. */
  overrun = -1;
  /** Linux's it_overrun_last: what timer_getoverrun returns. */
  overrunLast = 0;
  /** timer_delete ran: a signal still pending no longer reloads it. */
  deleted = false;
  /** The timer's one signal. */
  readonly info: SigInfo;

  constructor(
    readonly k: Kernel,
    readonly id: number,
    readonly clock: ClockSpec,
    readonly notify: number,
    signo: number,
    value: bigint,
    /** The SIGEV_THREAD_ID thread; undefined for the process. */
    readonly target: Thread | undefined,
  ) {
    this.info = {
      signo,
      code: SI_TIMER,
      timer: { id, value, overrun: 0, dequeued: () => this.#dequeued() },
    };
  }

  /** True on a CPU clock (which stands still while every thread waits). */
  get cpu(): boolean {
    return this.clock.base === "process" || this.clock.base === "thread";
  }

  /** The clock now, on the timer's scale. */
  now(): number {
    switch (this.clock.base) {
      case "process":
        return processCpuNs(this.k);
      case "thread":
        return threadCpuNs(this.k, this.clock.thread!);
      default:
        return this.k.nowNs();
    }
  }

  get deadline(): number | undefined {
    return this.active && !this.cpu ? this.next : undefined;
  }

  check(): void {
    if (!this.active || this.next === undefined) return;
    const now = this.now();
    if (now >= this.next) this.#fire(now);
  }

  #fire(now: number): void {
    this.active = false;
    this.k.disarmTimer(this);
    // A one-shot timer is done; so is a SIGEV_NONE one on a CPU clock (Linux's cpu_timer_fire).
    if (this.intervalNs === 0 || this.notify === SIGEV_NONE) {
      this.next = undefined;
      if (this.notify === SIGEV_NONE) return;
    } else {
      this.requeuePending = true;
    }
    if (this.#send()) return;
    // The signal is ignored: a periodic timer keeps running, its periods counted as overruns.
    if (this.requeuePending) {
      this.requeuePending = false;
      this.overrun += this.forward(now);
      this.#arm();
    }
  }

  /** Sends the signal; false when it was discarded as ignored. */
  #send(): boolean {
    const ti = this.info.timer!;
    if (this.queued) {
      ti.overrun = Math.min(INT_MAX, ti.overrun + 1);
      return true;
    }
    ti.overrun = 0;
    const t = this.target;
    if (t && t.state === "exited") return true;
    const sent = t ? sendToThread(this.k, t, this.info) : sendToProcess(this.k, this.info);
    this.queued = sent;
    return sent;
  }

  /** The signal left the pending set: a periodic timer reloads (Linux's posixtimer_rearm). */
  #dequeued(): void {
    this.queued = false;
    if (this.deleted || !this.requeuePending) return;
    this.requeuePending = false;
    this.overrun += this.forward(this.now());
    this.overrunLast = this.overrun;
    this.overrun = -1;
    const ti = this.info.timer!;
    ti.overrun = Math.min(INT_MAX, ti.overrun + this.overrunLast);
    this.#arm();
  }

  #arm(): void {
    this.active = true;
    this.k.armTimer(this);
  }

  /** Moves a periodic timer's expiry past `now`; returns the periods skipped (hrtimer_forward). */
  forward(now: number): number {
    if (this.next === undefined || now < this.next) return 0;
    const n = Math.floor((now - this.next) / this.intervalNs) + 1;
    this.next += n * this.intervalNs;
    return n;
  }

  /** timer_gettime's [interval, time left] in ns. */
  setting(): [number, number] {
    const iv = this.intervalNs;
    if (this.next === undefined) return [iv, 0];
    const now = this.now();
    // Linux moves a periodic timer that waits to reload (or never runs: SIGEV_NONE) past now.
    if (!this.cpu && iv > 0 && (this.requeuePending || this.notify === SIGEV_NONE)) {
      this.overrun += this.forward(now);
    }
    const left = this.next - now;
    if (left > 0) return [iv, left];
    // Due but not yet fired: 1 ns left; an expired SIGEV_NONE one-shot timer reads 0.
    return [iv, this.notify === SIGEV_NONE && !this.cpu ? 0 : 1];
  }

  /**
   * Arms the timer at `value` (absolute on its clock with `abs`, else
   * relative) reloading every `interval` ns, or disarms it (value 0).
   */
  set(value: bigint, interval: bigint, abs: boolean): void {
    this.active = false;
    this.k.disarmTimer(this);
    // A signal still pending does not reload the timer (Linux's it_requeue_pending bump).
    this.requeuePending = false;
    this.overrun = -1;
    this.overrunLast = 0;
    if (value === 0n) {
      this.next = undefined;
      // Linux's CPU timers keep the interval when disarmed, the others forget it.
      this.intervalNs = this.cpu ? Number(interval) : 0;
      return;
    }
    this.intervalNs = Number(interval);
    this.next = abs ? Number(value - this.#origin()) : this.now() + Number(value);
    // A SIGEV_NONE timer on the virtual clock never runs: timer_gettime computes its state.
    if (this.notify !== SIGEV_NONE || this.cpu) this.#arm();
    this.check();
  }

  /** The clock's reading at virtual time 0 (absolute times convert to virtual time by it). */
  #origin(): bigint {
    switch (this.clock.base) {
      case "real":
        return BigInt(REALTIME_EPOCH_SEC) * NS;
      case "mono":
        return BigInt(BOOT_OFFSET_NS);
      default:
        return 0n;
    }
  }

  /** timer_delete: disarms it for good (a pending signal is still delivered, as on Linux 6.1). */
  delete(): void {
    this.deleted = true;
    this.active = false;
    this.k.disarmTimer(this);
  }
}

/** The process's POSIX timers and the next id. */
interface PosixTimers {
  nextId: number;
  timers: Map<number, PosixTimer>;
}

function posixTimers(k: Kernel): PosixTimers {
  return k.familyState<PosixTimers>("posix_timers", () => ({ nextId: 0, timers: new Map() }));
}

/**
 * The clock of timer_create(clockid): the clock, an errno to return before
 * an id is taken (no such clock: EINVAL; a clock without timers:
 * EOPNOTSUPP), or one to return after it (the alarm clocks need
 * CAP_WAKE_ALARM: EPERM; a CPU clock of no thread or process: EINVAL).
 */
function timerClock(
  k: Kernel,
  t: Thread,
  id: number,
): ClockSpec | { early: number; late?: number } {
  if (id < 0) {
    // Low bits 3: a dynamic (file descriptor) clock, which has no timers.
    if ((id & 7) === 3) return { early: -EOPNOTSUPP };
    return resolveClock(k, t, id) ?? { early: 0, late: -EINVAL };
  }
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI:
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      return resolveClock(k, t, id)!;
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
      return { early: 0, late: -EPERM };
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
      return { early: -EOPNOTSUPP };
    default:
      return { early: -EINVAL };
  }
}

/**
 * timer_create(clockid, sevp, timerid): struct sigevent {sigval_t
 * sigev_value @0; int sigev_signo @8; int sigev_notify @12; int
 * sigev_notify_thread_id @16} (64 bytes). A NULL `sevp` means SIGEV_SIGNAL
 * with SIGALRM and the timer id as the value. Errors in Linux's order:
 * EFAULT reading `sevp`, the clock's EINVAL/EOPNOTSUPP, EAGAIN when the
 * timers and queued signals reach RLIMIT_SIGPENDING, then (with an id
 * taken) EINVAL for the sigevent, EFAULT writing `timerid`, the clock's
 * late errors.
 */
function timerCreate(k: Kernel, t: Thread, a: SyscallArgs): number {
  const sevp = a.ptr(1);
  let ev: DataView | undefined;
  if (sevp !== 0) {
    if (!k.mem.accessible(sevp, 64, "read")) return -EFAULT;
    ev = new DataView(k.mem.read(sevp, 64).buffer);
  }
  const clock = timerClock(k, t, a.int(0));
  if ("early" in clock && clock.early !== 0) return clock.early;
  const st = posixTimers(k);
  // Each timer holds a queued signal of its own, counted against RLIMIT_SIGPENDING (no id taken).
  if (queuedSignals(k) >= Number(getRlimit(k, RLIMIT_SIGPENDING).cur)) return -EAGAIN;
  const id = st.nextId;
  st.nextId = id === INT_MAX ? 0 : id + 1;
  let notify = SIGEV_SIGNAL;
  let signo = SIGALRM;
  let value = BigInt(id);
  let target: Thread | undefined;
  if (ev) {
    value = ev.getBigUint64(0, true);
    signo = ev.getInt32(8, true);
    notify = ev.getInt32(12, true);
    if (notify === SIGEV_THREAD_ID) {
      const tid = ev.getInt32(16, true);
      target = k.threads.find((x) => x.tid === tid && x.state !== "exited");
      if (!target) return -EINVAL;
    } else if (notify !== SIGEV_SIGNAL && notify !== SIGEV_THREAD && notify !== SIGEV_NONE) {
      return -EINVAL;
    }
    if (notify !== SIGEV_NONE && (signo <= 0 || signo > NSIG)) return -EINVAL;
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, id, true);
  if (!writeOut(k, a.ptr(2), out)) return -EFAULT;
  if ("early" in clock) return clock.late!;
  st.timers.set(id, new PosixTimer(k, id, clock, notify, signo, value, target));
  reserveQueueEntry(k, 1);
  return 0;
}

/** The timer `id` names, after firing it if it is due (as Linux's would have by now). */
function timerById(k: Kernel, id: number): PosixTimer | undefined {
  const tm = posixTimers(k).timers.get(id);
  tm?.check();
  return tm;
}

/** A struct itimerspec {timespec it_interval; timespec it_value} (32 bytes). */
function itimerspecBytes([interval, value]: [number, number]): Uint8Array {
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  [interval, value].forEach((ns, i) => {
    const n = BigInt(ns);
    dv.setBigInt64(16 * i, n / NS, true);
    dv.setBigInt64(16 * i + 8, n % NS, true);
  });
  return b;
}

/** A timespec in `dv` at `off` as ns (clamped at KTIME_MAX), or undefined when not valid. */
function timespecAt(dv: DataView, off: number): bigint | undefined {
  const sec = dv.getBigInt64(off, true);
  const nsec = dv.getBigUint64(off + 8, true);
  if (sec < 0n || nsec >= NS) return undefined;
  const ns = sec * NS + nsec;
  return ns > KTIME_MAX ? KTIME_MAX : ns;
}

/**
 * timer_settime(timerid, flags, new, old): EINVAL for a NULL or invalid
 * `new` or an unknown id, EFAULT reading `new`; the old setting is written
 * after the change (EFAULT then keeps the new one). Only TIMER_ABSTIME of
 * `flags` counts.
 */
function timerSettime(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const p = a.ptr(2);
  if (p === 0) return -EINVAL;
  if (!k.mem.accessible(p, 32, "read")) return -EFAULT;
  const dv = new DataView(k.mem.read(p, 32).buffer);
  const interval = timespecAt(dv, 0);
  const value = timespecAt(dv, 16);
  if (interval === undefined || value === undefined) return -EINVAL;
  const tm = timerById(k, a.int(0));
  if (!tm) return -EINVAL;
  const op = a.ptr(3);
  const old = op !== 0 ? itimerspecBytes(tm.setting()) : undefined;
  tm.set(value, interval, (a.int(1) & TIMER_ABSTIME) !== 0);
  return old === undefined || writeOut(k, op, old) ? 0 : -EFAULT;
}

/** timer_gettime(timerid, cur): the interval and the time left. */
function timerGettime(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const tm = timerById(k, a.int(0));
  if (!tm) return -EINVAL;
  return writeOut(k, a.ptr(1), itimerspecBytes(tm.setting())) ? 0 : -EFAULT;
}

/** timer_getoverrun(timerid): the overruns of the last delivered signal (at most INT_MAX). */
function timerGetoverrun(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const tm = timerById(k, a.int(0));
  if (!tm) return -EINVAL;
  return Math.min(INT_MAX, tm.overrunLast);
}

/** timer_delete(timerid): disarms and forgets the timer; its id is not reused. */
function timerDelete(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const st = posixTimers(k);
  const id = a.int(0);
  const tm = st.timers.get(id);
  if (!tm) return -EINVAL;
  tm.delete();
  st.timers.delete(id);
  reserveQueueEntry(k, -1);
  return 0;
}

/** The time family's handlers by syscall name. */
export const TIME: SyscallFamilyTable = {
  family: "time",
  handlers: {
    clock_gettime: clockGettime,
    clock_getres: clockGetres,
    clock_settime: clockSettime,
    gettimeofday,
    settimeofday,
    nanosleep,
    clock_nanosleep: clockNanosleep,
    setitimer,
    getitimer,
    timer_create: timerCreate,
    timer_settime: timerSettime,
    timer_gettime: timerGettime,
    timer_getoverrun: timerGetoverrun,
    timer_delete: timerDelete,
  },
};
