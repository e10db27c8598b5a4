/**
 * Thread syscalls: clone, clone3, futex, exit of one thread, gettid,
 * tgkill/tkill and sched_yield.
 *
 * Threads share the address space, descriptors and signal handlers of the
 * one process, so only the thread-creating flag set is accepted (CLONE_VM,
 * CLONE_FS, CLONE_FILES, CLONE_SIGHAND and CLONE_THREAD, as glibc and Go
 * use); a fork-style clone stops the run with a diagnostic.
 *
 * riscv64's clone takes (flags, newsp, parent_tid, tls, child_tid): glibc's
 * `__clone` passes the TLS pointer in a3 and the child tid address in a4.
 *
 * Futexes are keyed by address (one process, so private and shared keys
 * coincide). Waiters queue per address in arrival order and are woken in
 * that order (FIFO), so every run wakes the same threads.
 * @module
 */

import {
  E2BIG,
  EAGAIN,
  EFAULT,
  EINTR,
  EINVAL,
  ENOSYS,
  EPERM,
  ESRCH,
  ETIMEDOUT,
} from "../abi/errno.ts";
import { MemoryFault, PAGE_SIZE } from "../memory/memory.ts";
import type { Kernel } from "./kernel.ts";
import { getRlimit, RLIMIT_NPROC } from "./process.ts";
import { sendTkill } from "./signals.ts";
import type { Thread } from "./thread.ts";
import { BOOT_OFFSET_NS, REALTIME_EPOCH_SEC } from "./time.ts";
import { NO_RESULT, type SyscallArgs, type SyscallFamilyTable, type Wait } from "./types.ts";

/** clone flags (linux/sched.h). */
export const CSIGNAL = 0x000000ff;
/** Share the address space. */
export const CLONE_VM = 0x00000100;
/** Share cwd, root and umask. */
export const CLONE_FS = 0x00000200;
/** Share the descriptor table. */
export const CLONE_FILES = 0x00000400;
/** Share signal handlers. */
export const CLONE_SIGHAND = 0x00000800;
/** Return a pidfd (unsupported). */
export const CLONE_PIDFD = 0x00001000;
/** Continue tracing the child (ignored without a tracer). */
export const CLONE_PTRACE = 0x00002000;
/** Suspend the parent until the child execs or exits (vfork). */
export const CLONE_VFORK = 0x00004000;
/** Same parent as the caller. */
export const CLONE_PARENT = 0x00008000;
/** Same thread group (a thread, not a process). */
export const CLONE_THREAD = 0x00010000;
/** New mount namespace. */
export const CLONE_NEWNS = 0x00020000;
/** Share System V semaphore undo lists. */
export const CLONE_SYSVSEM = 0x00040000;
/** Set the child's tp (x4) to the tls argument. */
export const CLONE_SETTLS = 0x00080000;
/** Store the child's tid at parent_tid. */
export const CLONE_PARENT_SETTID = 0x00100000;
/** Zero child_tid and futex-wake it when the child exits. */
export const CLONE_CHILD_CLEARTID = 0x00200000;
/** Ignored since Linux 2.6.2. */
export const CLONE_DETACHED = 0x00400000;
/** Tracer cannot force CLONE_PTRACE. */
export const CLONE_UNTRACED = 0x00800000;
/** Store the child's tid at child_tid (in the child's memory, here shared). */
export const CLONE_CHILD_SETTID = 0x01000000;
/** New cgroup namespace. */
export const CLONE_NEWCGROUP = 0x02000000;
/** New UTS namespace. */
export const CLONE_NEWUTS = 0x04000000;
/** New IPC namespace. */
export const CLONE_NEWIPC = 0x08000000;
/** New user namespace. */
export const CLONE_NEWUSER = 0x10000000;
/** New pid namespace. */
export const CLONE_NEWPID = 0x20000000;
/** New network namespace. */
export const CLONE_NEWNET = 0x40000000;
/** Share I/O context. */
export const CLONE_IO = 0x80000000;
/** clone3 only: reset handlers to default in the child. */
export const CLONE_CLEAR_SIGHAND = 0x100000000;
/** clone3 only: place the child in a cgroup. */
export const CLONE_INTO_CGROUP = 0x200000000;

/** The flags a new thread must carry. */
const THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
/** Flags accepted beyond THREAD_FLAGS (they need nothing, or zkabi does them). */
const HARMLESS_FLAGS = (CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |
  CLONE_CHILD_SETTID | CLONE_DETACHED | CLONE_UNTRACED | CLONE_IO | CLONE_PARENT | CLONE_PTRACE) >>>
  0;

const FLAG_NAMES: readonly [number, string][] = [
  [CLONE_VM, "CLONE_VM"],
  [CLONE_FS, "CLONE_FS"],
  [CLONE_FILES, "CLONE_FILES"],
  [CLONE_SIGHAND, "CLONE_SIGHAND"],
  [CLONE_PIDFD, "CLONE_PIDFD"],
  [CLONE_PTRACE, "CLONE_PTRACE"],
  [CLONE_VFORK, "CLONE_VFORK"],
  [CLONE_PARENT, "CLONE_PARENT"],
  [CLONE_THREAD, "CLONE_THREAD"],
  [CLONE_NEWNS, "CLONE_NEWNS"],
  [CLONE_SYSVSEM, "CLONE_SYSVSEM"],
  [CLONE_SETTLS, "CLONE_SETTLS"],
  [CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"],
  [CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"],
  [CLONE_DETACHED, "CLONE_DETACHED"],
  [CLONE_UNTRACED, "CLONE_UNTRACED"],
  [CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"],
  [CLONE_NEWCGROUP, "CLONE_NEWCGROUP"],
  [CLONE_NEWUTS, "CLONE_NEWUTS"],
  [CLONE_NEWIPC, "CLONE_NEWIPC"],
  [CLONE_NEWUSER, "CLONE_NEWUSER"],
  [CLONE_NEWPID, "CLONE_NEWPID"],
  [CLONE_NEWNET, "CLONE_NEWNET"],
  [CLONE_IO, "CLONE_IO"],
  [CLONE_CLEAR_SIGHAND, "CLONE_CLEAR_SIGHAND"],
  [CLONE_INTO_CGROUP, "CLONE_INTO_CGROUP"],
];

/** `CLONE_VM|CLONE_FS|...` for `flags` (the exit signal, if any, last), as strace prints them. */
export function cloneFlagNames(flags: number, exitSignal = 0): string {
  const names: string[] = [];
  let rest = flags;
  for (const [bit, name] of FLAG_NAMES) {
    if (Math.floor(rest / bit) % 2 === 1) {
      names.push(name);
      rest -= bit;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  if (exitSignal !== 0) names.push(`exit signal ${exitSignal}`);
  return names.length ? names.join("|") : "0";
}

/** What clone and clone3 have in common. */
interface CloneRequest {
  /** Flags without the exit signal (numbers up to 2^34 for clone3's). */
  flags: number;
  exitSignal: number;
  /** The child's sp (0: the parent's). */
  sp: number;
  tls: bigint;
  parentTid: number;
  childTid: number;
}

function has(flags: number, bit: number): boolean {
  return Math.floor(flags / bit) % 2 === 1;
}

/** Creates the thread, or stops the run for what zkabi does not emulate (fork, namespaces). */
function doClone(k: Kernel, t: Thread, r: CloneRequest, name: string): number {
  const f = r.flags;
  // copy_process's consistency checks come first: they are errors on Linux too.
  if (has(f, CLONE_NEWNS) && has(f, CLONE_FS)) return -EINVAL;
  if (has(f, CLONE_NEWUSER) && has(f, CLONE_FS)) return -EINVAL;
  if (has(f, CLONE_THREAD) && !has(f, CLONE_SIGHAND)) return -EINVAL;
  if (has(f, CLONE_SIGHAND) && !has(f, CLONE_VM)) return -EINVAL;
  if (has(f, CLONE_PIDFD) && has(f, CLONE_THREAD)) return -EINVAL;
  const missing = THREAD_FLAGS - sumBits(f, THREAD_FLAGS);
  const extra = f - sumBits(f, (THREAD_FLAGS | HARMLESS_FLAGS) >>> 0);
  if (missing !== 0 || extra !== 0) {
    const what = missing !== 0
      ? `a new process (missing ${cloneFlagNames(missing)})`
      : `unsupported flags ${cloneFlagNames(extra)}`;
    k.end ??= {
      kind: "error",
      message:
        `${name}(${cloneFlagNames(f, r.exitSignal)}) by thread ${t.tid} at pc ${
          k.symbols.where(t.hart.pc - 4)
        } asks for ${what}: zkabi runs one process ` +
        `and emulates only thread creation (CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD)`,
    };
    return -ENOSYS;
  }
  // RLIMIT_NPROC: the guest's user has this one process, so its threads are all it counts.
  const nproc = getRlimit(k, RLIMIT_NPROC).cur;
  if (BigInt(k.liveThreads) >= nproc) return -EAGAIN;
  const c = k.newThread();
  c.hart.copyFrom(t.hart);
  if (r.sp !== 0) c.hart.setXNumber(2, r.sp);
  if (has(f, CLONE_SETTLS)) c.hart.setX(4, r.tls);
  c.hart.setXNumber(10, 0);
  c.sigmask = t.sigmask;
  // A CLONE_VM child starts without an alternate stack and without a robust list.
  c.altstack = { sp: 0, size: 0, flags: 2 };
  if (has(f, CLONE_CHILD_CLEARTID)) c.clearChildTid = r.childTid;
  // Failed stores of the tids are ignored, as Linux's put_user results are.
  if (has(f, CLONE_PARENT_SETTID)) tryWriteU32(k, r.parentTid, c.tid);
  if (has(f, CLONE_CHILD_SETTID)) tryWriteU32(k, r.childTid, c.tid);
  return c.tid;
}

function sumBits(f: number, mask: number): number {
  let s = 0;
  for (let b = 1; b <= mask; b *= 2) if (has(mask, b) && has(f, b)) s += b;
  return s;
}

function tryWriteU32(k: Kernel, addr: number, v: number): void {
  try {
    k.mem.writeU32(addr, v);
  } catch (e) {
    if (!(e instanceof MemoryFault)) throw e;
  }
}

/** clone(flags, newsp, parent_tid, tls, child_tid). */
function clone(k: Kernel, t: Thread, a: SyscallArgs): number {
  const low = a.u32(0);
  return doClone(k, t, {
    flags: low - (low & CSIGNAL),
    exitSignal: low & CSIGNAL,
    sp: a.ptr(1),
    parentTid: a.ptr(2),
    tls: a.u64(3),
    childTid: a.ptr(4),
  }, "clone");
}

/** Size of clone3's struct clone_args that zkabi knows (CLONE_ARGS_SIZE_VER2). */
const CLONE_ARGS_SIZE = 88;
/** The smallest struct clone_args (CLONE_ARGS_SIZE_VER0). */
const CLONE_ARGS_SIZE_VER0 = 64;

/**
 * clone3(args, size): struct clone_args { flags +0, pidfd +8, child_tid +16,
 * parent_tid +24, exit_signal +32, stack +40, stack_size +48, tls +56,
 * set_tid +64, set_tid_size +72, cgroup +80 } (u64 each).
 */
function clone3(k: Kernel, t: Thread, a: SyscallArgs): number {
  const p = a.ptr(0);
  const size = a.ptr(1);
  if (size < CLONE_ARGS_SIZE_VER0) return -EINVAL;
  if (size > PAGE_SIZE) return -E2BIG;
  let raw: Uint8Array;
  try {
    raw = k.mem.read(p, size);
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  // copy_struct_from_user: unknown trailing fields must be zero.
  for (let i = CLONE_ARGS_SIZE; i < size; i++) if (raw[i] !== 0) return -E2BIG;
  const full = new Uint8Array(CLONE_ARGS_SIZE);
  full.set(raw.subarray(0, Math.min(size, CLONE_ARGS_SIZE)));
  const dv = new DataView(full.buffer);
  const u = (off: number) => dv.getBigUint64(off, true);
  const flags = u(0);
  const exitSignal = u(32);
  const stack = u(40);
  const stackSize = u(48);
  const setTid = u(64);
  const setTidSize = u(72);
  // The CSIGNAL bits (but CLONE_NEWTIME, 0x80) and CLONE_DETACHED are reserved in clone3.
  const known = (0xffffffffn & ~BigInt(CLONE_DETACHED | 0x7f)) | BigInt(CLONE_CLEAR_SIGHAND) |
    BigInt(CLONE_INTO_CGROUP);
  if ((flags & ~known) !== 0n) return -EINVAL;
  if (exitSignal > 64n) return -EINVAL;
  const f = Number(flags);
  if ((has(f, CLONE_THREAD) || has(f, CLONE_PARENT)) && exitSignal !== 0n) return -EINVAL;
  if (has(f, CLONE_CLEAR_SIGHAND) && has(f, CLONE_SIGHAND)) return -EINVAL;
  if ((stack === 0n) !== (stackSize === 0n)) return -EINVAL;
  if (setTidSize > 32n || (setTid === 0n) !== (setTidSize === 0n)) return -EINVAL;
  if (setTid !== 0n) {
    k.end ??= {
      kind: "error",
      message: `clone3 with set_tid by thread ${t.tid}: choosing a tid is not emulated`,
    };
    return -ENOSYS;
  }
  return doClone(k, t, {
    flags: f,
    exitSignal: Number(exitSignal),
    sp: Number(BigInt.asUintN(64, stack + stackSize)),
    parentTid: Number(u(24)),
    tls: u(56),
    childTid: Number(u(16)),
  }, "clone3");
}

// ------------------------------------------------------------------ futex

/** futex operations (linux/futex.h). */
export const FUTEX_WAIT = 0;
/** Wake waiters. */
export const FUTEX_WAKE = 1;
/** Wake some, move the rest to another futex. */
export const FUTEX_REQUEUE = 3;
/** REQUEUE after checking the value. */
export const FUTEX_CMP_REQUEUE = 4;
/** Modify a second futex and wake on both. */
export const FUTEX_WAKE_OP = 5;
/** WAIT with a bitset and an absolute timeout. */
export const FUTEX_WAIT_BITSET = 9;
/** WAKE waiters whose bitset intersects. */
export const FUTEX_WAKE_BITSET = 10;
/** Take a priority-inheritance lock (absolute CLOCK_REALTIME timeout). */
export const FUTEX_LOCK_PI = 6;
/** Release a priority-inheritance lock, handing it to the first waiter. */
export const FUTEX_UNLOCK_PI = 7;
/** Take a priority-inheritance lock without waiting. */
export const FUTEX_TRYLOCK_PI = 8;
/** Priority-inheritance requeue wait (accepts CLOCK_REALTIME). */
const FUTEX_WAIT_REQUEUE_PI = 11;
/** PI lock with a CLOCK_REALTIME option (CLOCK_MONOTONIC otherwise). */
export const FUTEX_LOCK_PI2 = 13;
/** Process-private futex flag. */
export const FUTEX_PRIVATE_FLAG = 128;
/** Timeout measured on CLOCK_REALTIME. */
export const FUTEX_CLOCK_REALTIME = 256;
/** Every bit: plain WAIT/WAKE. */
export const FUTEX_BITSET_MATCH_ANY = 0xffffffff;
/** Robust futex word: someone waits. */
export const FUTEX_WAITERS = 0x80000000;
/** Robust futex word: the owner died. */
export const FUTEX_OWNER_DIED = 0x40000000;
/** Robust futex word: the owner's tid. */
export const FUTEX_TID_MASK = 0x3fffffff;

/** One blocked FUTEX_WAIT. */
interface Waiter {
  t: Thread;
  addr: number;
  bitset: number;
  woken: boolean;
}

/** One blocked FUTEX_LOCK_PI. */
interface PiWaiter {
  t: Thread;
  /** Set when the owner's FUTEX_UNLOCK_PI handed the lock over. */
  granted: boolean;
}

/** The threads family's process state. */
interface ThreadsState {
  /** Waiters per futex address, in arrival order. */
  queues: Map<number, Waiter[]>;
  /** FUTEX_LOCK_PI waiters per futex address, in arrival order (zkabi does not boost priorities). */
  pi: Map<number, PiWaiter[]>;
}

function threadsState(k: Kernel): ThreadsState {
  return k.familyState<ThreadsState>("threads", () => ({ queues: new Map(), pi: new Map() }));
}

function unqueue(s: ThreadsState, w: Waiter): void {
  const q = s.queues.get(w.addr);
  if (!q) return;
  const i = q.indexOf(w);
  if (i >= 0) q.splice(i, 1);
  if (q.length === 0) s.queues.delete(w.addr);
}

function wakeWaiter(k: Kernel, s: ThreadsState, w: Waiter): void {
  unqueue(s, w);
  w.woken = true;
  k.tryResume(w.t);
}

/**
 * Wakes up to `n` waiters on `addr` whose bitset meets `bitset`, in FIFO
 * order; returns how many. As Linux does, n <= 0 still wakes one. Under the
 * "handoff" strategy the first woken thread runs next.
 */
export function futexWake(
  k: Kernel,
  addr: number,
  n: number,
  bitset: number = FUTEX_BITSET_MATCH_ANY,
): number {
  const s = threadsState(k);
  const q = s.queues.get(addr);
  if (!q) return 0;
  let woken = 0;
  let first: Thread | undefined;
  for (const w of [...q]) {
    if ((w.bitset & bitset) === 0) continue;
    wakeWaiter(k, s, w);
    first ??= w.t;
    if (++woken >= n) break;
  }
  if (first && k.options.sched === "handoff") k.handOffTo(first);
  return woken;
}

/** A futex word's current value for reports (or `?` when unreadable). */
function peek(k: Kernel, addr: number): string {
  try {
    return String(k.mem.readU32(addr));
  } catch {
    return "?";
  }
}

/** A futex timeout resolved to a virtual-time deadline. */
type Timeout = { deadline?: number; expired: boolean } | number;

/**
 * Reads a struct timespec {tv_sec +0, tv_nsec +8} timeout: relative for
 * FUTEX_WAIT, absolute on CLOCK_MONOTONIC (or CLOCK_REALTIME with the flag)
 * otherwise. Returns -errno for a bad pointer or value.
 */
function readTimeout(k: Kernel, p: number, absolute: boolean, realtime: boolean): Timeout {
  if (p === 0) return { expired: false };
  let sec: bigint;
  let nsec: bigint;
  try {
    sec = BigInt.asIntN(64, k.mem.readU64(p));
    nsec = BigInt.asIntN(64, k.mem.readU64(p + 8));
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return -EINVAL;
  const ns = sec * 1_000_000_000n + nsec;
  const now = BigInt(k.nowNs());
  let at: bigint;
  if (!absolute) at = now + ns;
  else if (realtime) at = ns - BigInt(REALTIME_EPOCH_SEC) * 1_000_000_000n;
  else at = ns - BigInt(BOOT_OFFSET_NS);
  // Beyond ~136 years of virtual time: never (so deadlock detection still applies).
  if (at - now > 1n << 62n) return { expired: false };
  return { deadline: Number(at), expired: at <= now };
}

/** FUTEX_WAIT / FUTEX_WAIT_BITSET. */
function futexWait(
  k: Kernel,
  t: Thread,
  addr: number,
  val: number,
  timeout: { deadline?: number; expired: boolean },
  bitset: number,
): number | Wait {
  let cur: number;
  try {
    cur = k.mem.readU32(addr);
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  if (cur !== val) return -EAGAIN;
  if (timeout.expired) return -ETIMEDOUT;
  const s = threadsState(k);
  const w: Waiter = { t, addr, bitset, woken: false };
  let q = s.queues.get(addr);
  if (!q) s.queues.set(addr, q = []);
  q.push(w);
  k.counters.futexWaits++;
  const mask = bitset === FUTEX_BITSET_MATCH_ANY ? "" : `, bitset 0x${bitset.toString(16)}`;
  return {
    get reason() {
      return `futex 0x${addr.toString(16)} (val ${val}, now ${peek(k, addr)}${mask})`;
    },
    deadline: timeout.deadline,
    resume(timedOut: boolean): number | undefined {
      if (w.woken) return 0;
      if (!timedOut) return undefined;
      unqueue(s, w);
      return -ETIMEDOUT;
    },
    interrupted(): number {
      unqueue(s, w);
      return -EINTR;
    },
  } as Wait;
}

/**
 * FUTEX_WAKE_OP's atomic update of the second word (op = bits 28..30, with
 * bit 31 meaning "oparg is a shift count"; oparg = bits 12..23, signed):
 * returns the old value (signed), or -ENOSYS for an unknown op (nothing
 * changes). Throws MemoryFault when the word is not writable.
 */
function wakeOpUpdate(k: Kernel, addr: number, encoded: number): { old: number } | number {
  const op = (encoded >>> 28) & 7;
  if (op > 4) return -ENOSYS;
  let oparg = (encoded << 8) >> 20;
  if ((encoded >>> 31) !== 0) oparg = 1 << (oparg & 31);
  const old = k.mem.readU32(addr) | 0;
  const next = [oparg, old + oparg, old | oparg, old & ~oparg, old ^ oparg][op];
  k.mem.writeU32(addr, next >>> 0);
  return { old };
}

/** FUTEX_WAKE_OP's comparison (bits 24..27) of the old value with cmparg (bits 0..11, signed). */
function wakeOpCompare(old: number, encoded: number): boolean | undefined {
  const cmparg = (encoded << 20) >> 20;
  switch ((encoded >>> 24) & 15) {
    case 0:
      return old === cmparg;
    case 1:
      return old !== cmparg;
    case 2:
      return old < cmparg;
    case 3:
      return old <= cmparg;
    case 4:
      return old > cmparg;
    case 5:
      return old >= cmparg;
    default:
      return undefined;
  }
}

/** futex(uaddr, op, val, timeout or val2, uaddr2, val3). */
function futex(k: Kernel, t: Thread, a: SyscallArgs): number | Wait {
  const addr = a.ptr(0);
  const op = a.int(1);
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  const realtime = (op & FUTEX_CLOCK_REALTIME) !== 0;
  const val = a.u32(2);
  const addr2 = a.ptr(4);
  const val3 = a.u32(5);
  const waits = cmd === FUTEX_WAIT || cmd === FUTEX_WAIT_BITSET;
  // The syscall entry reads and checks the timeout before anything else.
  const timeout = waits ? readTimeout(k, a.ptr(3), cmd === FUTEX_WAIT_BITSET, realtime) : undefined;
  if (typeof timeout === "number") return timeout;
  if (
    realtime && cmd !== FUTEX_WAIT && cmd !== FUTEX_WAIT_BITSET &&
    cmd !== FUTEX_WAIT_REQUEUE_PI && cmd !== FUTEX_LOCK_PI2
  ) return -ENOSYS;
  const shared = (op & FUTEX_PRIVATE_FLAG) === 0;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const bitset = cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3;
      if (bitset === 0 || addr % 4 !== 0) return -EINVAL;
      return futexWait(k, t, addr, val, timeout!, bitset);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      const bitset = cmd === FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
      if (bitset === 0 || addr % 4 !== 0) return -EINVAL;
      // A shared key needs the page to exist; a private one is just the address.
      if (shared && !k.mem.accessible(addr, 4, "read")) return -EFAULT;
      k.counters.futexWakes++;
      return futexWake(k, addr, val | 0, bitset);
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      const nrWake = val | 0;
      const nrRequeue = a.int(3);
      if (nrWake < 0 || nrRequeue < 0) return -EINVAL;
      if (addr % 4 !== 0 || addr2 % 4 !== 0) return -EINVAL;
      if (cmd === FUTEX_CMP_REQUEUE) {
        let cur: number;
        try {
          cur = k.mem.readU32(addr);
        } catch (e) {
          if (e instanceof MemoryFault) return -EFAULT;
          throw e;
        }
        if (cur !== val3) return -EAGAIN;
      }
      k.counters.futexWakes++;
      return requeue(k, addr, addr2, nrWake, nrRequeue);
    }
    case FUTEX_WAKE_OP: {
      const nr2 = a.int(3);
      if (addr % 4 !== 0 || addr2 % 4 !== 0) return -EINVAL;
      let upd: { old: number } | number;
      try {
        upd = wakeOpUpdate(k, addr2, val3);
      } catch (e) {
        if (e instanceof MemoryFault) return -EFAULT;
        throw e;
      }
      if (typeof upd === "number") return upd;
      const cond = wakeOpCompare(upd.old, val3);
      if (cond === undefined) return -ENOSYS;
      k.counters.futexWakes++;
      let n = futexWake(k, addr, val | 0);
      if (cond) n += futexWake(k, addr2, nr2);
      return n;
    }
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
    case FUTEX_TRYLOCK_PI: {
      if (addr % 4 !== 0) return -EINVAL;
      const trylock = cmd === FUTEX_TRYLOCK_PI;
      // LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's on the flag's clock.
      const to = trylock
        ? { expired: false }
        : readTimeout(k, a.ptr(3), true, cmd === FUTEX_LOCK_PI || realtime);
      if (typeof to === "number") return to;
      return lockPi(k, t, addr, to, trylock);
    }
    case FUTEX_UNLOCK_PI:
      if (addr % 4 !== 0) return -EINVAL;
      return unlockPi(k, t, addr);
    default:
      return -ENOSYS;
  }
}

/** EDEADLK: the caller already holds the PI futex. */
const EDEADLK = 35;

/**
 * FUTEX_LOCK_PI / FUTEX_TRYLOCK_PI (futex(2)): a free word (owner tid 0)
 * becomes the caller's tid, keeping FUTEX_OWNER_DIED so the caller learns
 * that the previous owner died; a word the caller owns is EDEADLK; a word
 * naming no live thread (and not marked FUTEX_OWNER_DIED) is ESRCH;
 * otherwise FUTEX_WAITERS is set and the caller waits (trylock: EAGAIN)
 * until FUTEX_UNLOCK_PI hands it the lock, the owner dies (its robust list
 * marks the word FUTEX_OWNER_DIED), or the timeout passes (ETIMEDOUT).
 */
function lockPi(
  k: Kernel,
  t: Thread,
  addr: number,
  timeout: { deadline?: number; expired: boolean },
  trylock: boolean,
): number | Wait {
  const s = threadsState(k);
  // The kernel updates the word: it must be writable (a read-only one is EFAULT, as on Linux).
  const writable = () => k.mem.accessible(addr, 4, "read") && k.mem.accessible(addr, 4, "write");
  if (!writable()) return -EFAULT;
  const take = (me?: PiWaiter): number | undefined => {
    if (!writable()) return -EFAULT;
    const v = k.mem.readU32(addr);
    const owner = v & FUTEX_TID_MASK;
    if (owner === 0) {
      const others = (s.pi.get(addr) ?? []).filter((w) => w !== me).length > 0;
      k.mem.writeU32(addr, (t.tid | (v & FUTEX_OWNER_DIED) | (others ? FUTEX_WAITERS : 0)) >>> 0);
      return 0;
    }
    if (owner === t.tid) return -EDEADLK;
    if (!k.threads.some((x) => x.tid === owner && x.state !== "exited")) {
      return (v & FUTEX_OWNER_DIED) !== 0 ? undefined : -ESRCH;
    }
    return undefined;
  };
  const now = take();
  if (now !== undefined) return now;
  if (trylock) return -EAGAIN;
  if (timeout.expired) return -ETIMEDOUT;
  k.mem.writeU32(addr, (k.mem.readU32(addr) | FUTEX_WAITERS) >>> 0);
  const me: PiWaiter = { t, granted: false };
  let q = s.pi.get(addr);
  if (!q) s.pi.set(addr, q = []);
  q.push(me);
  k.counters.futexWaits++;
  const leave = () => {
    const list = s.pi.get(addr) ?? [];
    const i = list.indexOf(me);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) {
      s.pi.delete(addr);
      try {
        const v = k.mem.readU32(addr);
        if ((v & FUTEX_TID_MASK) !== t.tid) k.mem.writeU32(addr, (v & ~FUTEX_WAITERS) >>> 0);
      } catch (e) {
        if (!(e instanceof MemoryFault)) throw e;
      }
    }
  };
  return {
    get reason() {
      return `futex PI 0x${addr.toString(16)} (now ${peek(k, addr)})`;
    },
    deadline: timeout.deadline,
    repoll: true,
    resume(timedOut: boolean): number | undefined {
      if (me.granted) return 0;
      const r = take(me);
      if (r !== undefined) {
        leave();
        return r;
      }
      if (!timedOut) return undefined;
      leave();
      return -ETIMEDOUT;
    },
    interrupted(): number | undefined {
      // A signal handler runs and the lock attempt restarts (Linux restarts FUTEX_LOCK_PI).
      leave();
      return -EINTR;
    },
  } as Wait;
}

/**
 * FUTEX_UNLOCK_PI: only the owner may unlock (EPERM); the lock goes to the
 * first waiter (its tid with FUTEX_WAITERS, as Linux leaves it), or the
 * word becomes 0.
 */
function unlockPi(k: Kernel, t: Thread, addr: number): number {
  const s = threadsState(k);
  if (!k.mem.accessible(addr, 4, "read") || !k.mem.accessible(addr, 4, "write")) return -EFAULT;
  const v = k.mem.readU32(addr);
  if ((v & FUTEX_TID_MASK) !== t.tid) return -EPERM;
  const q = s.pi.get(addr) ?? [];
  const next = q.shift();
  if (!next) {
    s.pi.delete(addr);
    k.mem.writeU32(addr, 0);
    return 0;
  }
  if (q.length === 0) s.pi.delete(addr);
  // As Linux's wake_futex_pi: the new owner's word keeps FUTEX_WAITERS, so its unlock enters the kernel.
  k.mem.writeU32(addr, (next.t.tid | FUTEX_WAITERS) >>> 0);
  next.granted = true;
  k.counters.futexWakes++;
  k.tryResume(next.t);
  if (k.options.sched === "handoff") k.handOffTo(next.t);
  return 0;
}

/** struct futex_waitv flags: the futex is 32 bits. */
const FUTEX2_SIZE_U32 = 2;
/** struct futex_waitv flags: process-private. */
const FUTEX2_PRIVATE = 128;
/** Most futexes one futex_waitv waits on. */
const FUTEX_WAITV_MAX = 128;

/**
 * futex_waitv(waiters, nr, flags, timeout, clockid) (Linux 5.16): waits on
 * up to 128 32-bit futexes until a FUTEX_WAKE on any of them; returns that
 * one's index. EAGAIN when a word already differs from its expected value;
 * the timeout is absolute on CLOCK_MONOTONIC or CLOCK_REALTIME.
 */
function futexWaitv(k: Kernel, t: Thread, a: SyscallArgs): number | Wait {
  const vec = a.ptr(0);
  const nr = a.u32(1);
  if (a.u32(2) !== 0 || nr === 0 || nr > FUTEX_WAITV_MAX) return -EINVAL;
  const clock = a.int(4);
  const tsp = a.ptr(3);
  if (tsp !== 0 && clock !== 0 && clock !== 1) return -EINVAL;
  const items: { addr: number; val: number }[] = [];
  try {
    for (let i = 0; i < nr; i++) {
      const p = vec + 24 * i;
      const val = k.mem.readU64(p);
      const addr = k.mem.readU64Number(p + 8);
      const flags = k.mem.readU32(p + 16);
      if (k.mem.readU32(p + 20) !== 0) return -EINVAL;
      if ((flags & ~(3 | FUTEX2_PRIVATE)) !== 0 || (flags & 3) !== FUTEX2_SIZE_U32) return -EINVAL;
      if (addr % 4 !== 0 || val > 0xffffffffn) return -EINVAL;
      items.push({ addr, val: Number(val) });
    }
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  const timeout = readTimeout(k, tsp, true, clock === 0);
  if (typeof timeout === "number") return timeout;
  for (const it of items) {
    try {
      if (k.mem.readU32(it.addr) !== it.val) return -EAGAIN;
    } catch (e) {
      if (e instanceof MemoryFault) return -EFAULT;
      throw e;
    }
  }
  if (timeout.expired) return -ETIMEDOUT;
  const s = threadsState(k);
  const ws: Waiter[] = items.map((it) => ({
    t,
    addr: it.addr,
    bitset: FUTEX_BITSET_MATCH_ANY,
    woken: false,
  }));
  for (const w of ws) {
    let q = s.queues.get(w.addr);
    if (!q) s.queues.set(w.addr, q = []);
    q.push(w);
  }
  k.counters.futexWaits++;
  const leave = () => {
    for (const w of ws) unqueue(s, w);
  };
  return {
    get reason() {
      return `futex_waitv on ${items.map((x) => `0x${x.addr.toString(16)}`).join(", ")}`;
    },
    deadline: timeout.deadline,
    resume(timedOut: boolean): number | undefined {
      const i = ws.findIndex((w) => w.woken);
      if (i >= 0) {
        leave();
        return i;
      }
      if (!timedOut) return undefined;
      leave();
      return -ETIMEDOUT;
    },
    interrupted(): number {
      leave();
      return -EINTR;
    },
  } as Wait;
}

/** Wakes `nrWake` waiters of `from` and moves up to `nrRequeue` more to `to`. */
function requeue(k: Kernel, from: number, to: number, nrWake: number, nrRequeue: number): number {
  const s = threadsState(k);
  const q = s.queues.get(from);
  if (!q) return 0;
  let count = 0;
  let first: Thread | undefined;
  for (const w of [...q]) {
    if (count - nrWake >= nrRequeue) break;
    if (++count <= nrWake) {
      wakeWaiter(k, s, w);
      first ??= w.t;
      continue;
    }
    unqueue(s, w);
    w.addr = to;
    let dest = s.queues.get(to);
    if (!dest) s.queues.set(to, dest = []);
    dest.push(w);
  }
  if (first && k.options.sched === "handoff") k.handOffTo(first);
  return count;
}

// ------------------------------------------------------------------- exit

/** Longest robust list walked (ROBUST_LIST_LIMIT). */
const ROBUST_LIST_LIMIT = 2048;

/**
 * Marks the robust futexes `t` still holds as FUTEX_OWNER_DIED and wakes one
 * waiter of each (exit_robust_list). The head is struct robust_list_head
 * { next +0, futex_offset +8, list_op_pending +16 }; bit 0 of an entry
 * pointer flags a PI futex.
 */
function exitRobustList(k: Kernel, t: Thread): void {
  const head = t.robustList;
  if (head === 0) return;
  const mem = k.mem;
  try {
    let entry = mem.readU64Number(head);
    const offset = Number(BigInt.asIntN(64, mem.readU64(head + 8)));
    const pending = mem.readU64Number(head + 16);
    let limit = ROBUST_LIST_LIMIT;
    while (entry !== head && entry !== 0 && limit-- > 0) {
      const next = mem.readU64Number(entry & ~1);
      if (entry !== pending) futexDied(k, t, (entry & ~1) + offset);
      entry = next;
    }
    if (pending !== 0) futexDied(k, t, (pending & ~1) + offset);
  } catch (e) {
    if (!(e instanceof MemoryFault)) throw e;
  }
}

/** handle_futex_death for one futex word. */
function futexDied(k: Kernel, t: Thread, addr: number): void {
  if (addr % 4 !== 0) return;
  const v = k.mem.readU32(addr);
  if ((v & FUTEX_TID_MASK) !== t.tid) return;
  k.mem.writeU32(addr, ((v & FUTEX_WAITERS) | FUTEX_OWNER_DIED) >>> 0);
  if ((v & FUTEX_WAITERS) !== 0) futexWake(k, addr, 1);
}

/**
 * Ends thread `t` with `status`: walks its robust list, clears and wakes
 * its clear_child_tid word, and ends the process with `status` when it was
 * the last live thread.
 */
export function exitOneThread(k: Kernel, t: Thread, status: number): void {
  exitRobustList(k, t);
  if (t.clearChildTid !== 0) {
    try {
      k.mem.writeU32(t.clearChildTid, 0);
      futexWake(k, t.clearChildTid, 1);
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
    }
  }
  t.pending = [];
  if (k.threads.every((x) => x === t || x.state === "exited")) k.exitGroup(status & 255);
  k.exitThread(t);
}

/** exit(status): ends the calling thread only. */
function exit(k: Kernel, t: Thread, a: SyscallArgs): typeof NO_RESULT {
  exitOneThread(k, t, a.int(0));
  return NO_RESULT;
}

/** The threads family's handlers by syscall name. */
export const THREADS: SyscallFamilyTable = {
  family: "threads",
  handlers: {
    clone,
    clone3,
    futex,
    futex_waitv: futexWaitv,
    exit,
    gettid: (_k, t) => t.tid,
    tgkill: (k, _t, a) => sendTkill(k, a.int(0), a.int(1), a.int(2)),
    tkill: (k, _t, a) => sendTkill(k, -1, a.int(0), a.int(1)),
    sched_yield: (k) => {
      k.yieldCurrent();
      return 0;
    },
  },
};
