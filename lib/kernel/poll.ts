/**
 * Readiness syscalls: eventfd2, epoll_create1, epoll_ctl, epoll_pwait,
 * epoll_pwait2, ppoll, pselect6, and timerfd_create/settime/gettime
 * (riscv64 has no poll, select, epoll_create, epoll_wait or eventfd).
 *
 * Readiness comes from {@linkcode OpenFile.poll}. A call that must wait
 * returns a `repoll` Wait: the scheduler re-polls it at every scheduling
 * point, since any thread's write may have made a descriptor ready. Its
 * deadline is the caller's timeout or the next expiry of a timerfd it
 * watches, whichever comes first, so the virtual clock can jump to it when
 * every thread sleeps.
 *
 * Edge-triggered epoll (EPOLLET) is emulated from levels: an interest
 * reports when a watched bit rises since it was last seen, or when the file
 * exposes a change counter (eventfd, timerfd, pipes and sockets) that
 * changed since the last report. A rise that happens entirely between two
 * observations (drained and refilled without any epoll call in between) is
 * seen only through such a counter.
 * @module
 */

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
} from "../abi/errno.ts";
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  POLLRDNORM,
  POLLWRNORM,
} from "../abi/flags.ts";
import { MemoryFault } from "../memory/memory.ts";
import { type FileContext, OpenFile } from "../vfs/open_file.ts";
import type { Attr } from "../vfs/types.ts";
import { fdTable } from "./fd_table.ts";
import type { Kernel } from "./kernel.ts";
import {
  hasDeliverable,
  restoreTemporaryMask,
  setTemporaryMask,
  type SignalWait,
} from "./signals.ts";
import type { Thread } from "./thread.ts";
import { BOOT_OFFSET_NS, REALTIME_EPOCH_SEC } from "./time.ts";
import type { SyscallArgs, SyscallFamilyTable, Wait } from "./types.ts";

/** eventfd2 flags. */
export const EFD_SEMAPHORE = 1;
/** Non-blocking (O_NONBLOCK). */
export const EFD_NONBLOCK = 0o4000;
/** Close on exec (O_CLOEXEC). */
export const EFD_CLOEXEC = 0o2000000;
/** epoll_create1 flag. */
export const EPOLL_CLOEXEC = 0o2000000;
/** epoll_ctl ops. */
export const EPOLL_CTL_ADD = 1;
/** Remove an interest. */
export const EPOLL_CTL_DEL = 2;
/** Change an interest. */
export const EPOLL_CTL_MOD = 3;
/** Peer closed its write side (sockets). */
export const EPOLLRDHUP = 0x2000;
/** Wake only one of several epoll instances (accepted, no effect with one waiter). */
export const EPOLLEXCLUSIVE = 0x10000000;
/** Keep the system awake (accepted). */
export const EPOLLWAKEUP = 0x20000000;
/** Report once, then disable until EPOLL_CTL_MOD. */
export const EPOLLONESHOT = 0x40000000;
/** Edge-triggered. */
export const EPOLLET = 0x80000000;
/** timerfd flags: close on exec, non-blocking. */
export const TFD_CLOEXEC = 0o2000000;
/** Non-blocking timerfd. */
export const TFD_NONBLOCK = 0o4000;
/** timerfd_settime: the value is absolute. */
export const TFD_TIMER_ABSTIME = 1;
/** timerfd_settime: cancel on a realtime clock change. */
export const TFD_TIMER_CANCEL_ON_SET = 2;

/** Size of struct epoll_event on riscv64 (u32 events +0, u64 data +8; not packed). */
const EPOLL_EVENT_SIZE = 16;
/** EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event). */
const EP_MAX_EVENTS = Math.floor(0x7fffffff / EPOLL_EVENT_SIZE);
/** Readiness bits that select(2) counts for each set. */
const POLLIN_SET = POLLRDNORM | 0x80 | POLLIN | POLLHUP | POLLERR;
const POLLOUT_SET = 0x200 | POLLWRNORM | POLLOUT | POLLERR;
const POLLEX_SET = POLLPRI;
const U64_MAX = (1n << 64n) - 1n;
const NS = 1_000_000_000;

/** Attributes of an anonymous inode (eventfd, epoll, timerfd): mode 0600, no file type. */
function anonAttr(): Attr {
  return {
    dev: 14,
    ino: 1,
    mode: 0o600,
    nlink: 1,
    uid: 0,
    gid: 0,
    rdev: 0,
    size: 0,
    blksize: 4096,
    blocks: 0,
    atimeNs: 0,
    mtimeNs: 0,
    ctimeNs: 0,
  };
}

/**
 * The optional change counter a file may expose for edge-triggered epoll:
 * `generationFor(events)` (pipes and sockets: arrivals for POLLIN, room
 * made for POLLOUT) or a plain `generation` (eventfd, timerfd).
 */
function generationOf(f: OpenFile, events: number): number | undefined {
  const per = (f as unknown as { generationFor?: unknown }).generationFor;
  if (typeof per === "function") return per.call(f, events) as number;
  const g = (f as unknown as { generation?: unknown }).generation;
  return typeof g === "number" ? g : undefined;
}

/** The next readiness time (absolute virtual ns) of a timed file. */
function nextEventOf(k: FileContext, f: OpenFile): number | undefined {
  return f.nextEvent(k);
}

// ---------------------------------------------------------------- eventfd

/** An eventfd: a 64-bit counter (eventfd(2)). */
export class EventFd extends OpenFile {
  /** Kind for /proc and diagnostics. */
  readonly kind = "eventfd";
  /** The counter. */
  count: bigint;
  /** EFD_SEMAPHORE: reads take 1 instead of everything. */
  readonly semaphore: boolean;
  /** Changes on every successful read or write (edge-triggered epoll). */
  generation = 0;

  /** Creates an eventfd with `initval` and status flags `flags`. */
  constructor(initval: number, flags: number, semaphore: boolean) {
    super(flags);
    this.count = BigInt(initval);
    this.semaphore = semaphore;
  }

  /** What /proc/self/fd links to. */
  get path(): string {
    return "anon_inode:[eventfd]";
  }

  /** fstat. */
  stat(_k: FileContext): Attr {
    return anonAttr();
  }

  /** Reads the counter (8 bytes): all of it, or 1 in semaphore mode; EAGAIN at zero. */
  override read(_k: FileContext, max: number): Uint8Array | number {
    if (max < 8) return -EINVAL;
    if (this.count === 0n) return -EAGAIN;
    const v = this.semaphore ? 1n : this.count;
    this.count -= v;
    this.generation++;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return b;
  }

  /** Adds an 8-byte value; EAGAIN while it would pass 2^64-2; EINVAL for 2^64-1. */
  override write(_k: FileContext, data: Uint8Array): number {
    if (data.length < 8) return -EINVAL;
    const v = new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
    if (v === U64_MAX) return -EINVAL;
    if (U64_MAX - this.count <= v) return -EAGAIN;
    this.count += v;
    this.generation++;
    return 8;
  }

  /** Readable when non-zero, writable while a write of 1 fits. */
  override poll(_k: FileContext): number {
    return (this.count > 0n ? POLLIN | POLLRDNORM : 0) |
      (this.count < U64_MAX - 1n ? POLLOUT | POLLWRNORM : 0);
  }
}

/** eventfd2(initval, flags). */
function eventfd2(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(1);
  if ((flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)) !== 0) return -EINVAL;
  const f = new EventFd(a.u32(0), 0o2 | (flags & EFD_NONBLOCK), (flags & EFD_SEMAPHORE) !== 0);
  return fdTable(k).alloc(f, (flags & EFD_CLOEXEC) !== 0);
}

// ---------------------------------------------------------------- timerfd

/** A timerfd on the virtual clock. */
export class TimerFd extends OpenFile {
  /** Kind for /proc and diagnostics. */
  readonly kind = "timerfd";
  /** CLOCK_REALTIME (true) or a monotonic clock. */
  readonly realtime: boolean;
  /** Next expiry in virtual ns (kernel `nowNs()` time), when armed. */
  next: number | undefined;
  /** Period in ns (0: one-shot). */
  interval = 0;
  /** Expirations not yet read. */
  ticks = 0n;
  /** Changes when new expirations accrue or are read. */
  generation = 0;

  /** Creates a disarmed timer. */
  constructor(realtime: boolean, flags: number) {
    super(flags);
    this.realtime = realtime;
  }

  /** What /proc/self/fd links to. */
  get path(): string {
    return "anon_inode:[timerfd]";
  }

  /** fstat. */
  stat(_k: FileContext): Attr {
    return anonAttr();
  }

  /** Accrues expirations up to now. */
  update(k: FileContext): void {
    const now = k.nowNs();
    if (this.next === undefined || now < this.next) return;
    if (this.interval > 0) {
      const n = Math.floor((now - this.next) / this.interval) + 1;
      this.ticks += BigInt(n);
      this.next += n * this.interval;
    } else {
      this.ticks += 1n;
      this.next = undefined;
    }
    this.generation++;
  }

  /** The next expiry (virtual ns), if armed. */
  nextExpiry(k: FileContext): number | undefined {
    this.update(k);
    return this.next;
  }

  /** Readable at the next expiry. */
  override nextEvent(k: FileContext): number | undefined {
    return this.nextExpiry(k);
  }

  /** Reads the expiration count (8 bytes); EAGAIN when none. */
  override read(k: FileContext, max: number): Uint8Array | number {
    if (max < 8) return -EINVAL;
    this.update(k);
    if (this.ticks === 0n) return -EAGAIN;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, this.ticks, true);
    this.ticks = 0n;
    this.generation++;
    return b;
  }

  /** Readable once it has expired. */
  override poll(k: FileContext): number {
    this.update(k);
    return this.ticks > 0n ? POLLIN | POLLRDNORM : 0;
  }

  /** The clock's current value in ns (CLOCK_REALTIME or CLOCK_MONOTONIC). */
  clockNs(k: FileContext): number {
    return k.nowNs() + (this.realtime ? REALTIME_EPOCH_SEC * NS : BOOT_OFFSET_NS);
  }
}

function timerOf(k: Kernel, fd: number): TimerFd | number {
  const f = fdTable(k).file(fd);
  if (typeof f === "number") return f;
  return f instanceof TimerFd ? f : -EINVAL;
}

/** timerfd_create(clockid, flags): CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME. */
function timerfdCreate(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const clock = a.int(0);
  const flags = a.int(1);
  if ((flags & ~(TFD_CLOEXEC | TFD_NONBLOCK)) !== 0) return -EINVAL;
  if (clock === 8 || clock === 9) return -EPERM; // the *_ALARM clocks need CAP_WAKE_ALARM
  if (clock !== 0 && clock !== 1 && clock !== 7) return -EINVAL;
  const f = new TimerFd(clock === 0, 0o2 | (flags & TFD_NONBLOCK));
  return fdTable(k).alloc(f, (flags & TFD_CLOEXEC) !== 0);
}

/** Reads a struct timespec as ns, or -errno (EFAULT, EINVAL for a bad value). */
function readTimespecNs(k: Kernel, p: number): number {
  const sec = BigInt.asIntN(64, k.mem.readU64(p));
  const nsec = BigInt.asIntN(64, k.mem.readU64(p + 8));
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return -EINVAL;
  // Beyond 2^62 ns (146 years) the virtual clock never gets there.
  const ns = sec * 1_000_000_000n + nsec;
  return ns > 1n << 62n ? 2 ** 62 : Number(ns);
}

function timespecBytes(ns: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(Math.floor(ns / NS)), true);
  dv.setBigInt64(8, BigInt(ns % NS), true);
  return b;
}

/** struct itimerspec { it_interval +0, it_value +16 } for timer `f` now. */
function itimerBytes(k: Kernel, f: TimerFd): Uint8Array {
  const next = f.nextExpiry(k);
  const b = new Uint8Array(32);
  b.set(timespecBytes(f.interval), 0);
  b.set(timespecBytes(next === undefined ? 0 : Math.max(1, next - k.nowNs())), 16);
  return b;
}

/** timerfd_settime(fd, flags, new, old). */
function timerfdSettime(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(1);
  if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) !== 0) return -EINVAL;
  try {
    const np = a.ptr(2);
    const interval = readTimespecNs(k, np);
    const value = readTimespecNs(k, np + 16);
    if (interval < 0) return interval;
    if (value < 0) return value;
    const f = timerOf(k, a.int(0));
    if (typeof f === "number") return f;
    const old = itimerBytes(k, f);
    f.ticks = 0n;
    f.interval = value === 0 ? 0 : interval;
    if (value === 0) f.next = undefined;
    else if ((flags & TFD_TIMER_ABSTIME) !== 0) f.next = k.nowNs() + (value - f.clockNs(k));
    else f.next = k.nowNs() + value;
    f.generation++;
    if (a.ptr(3) !== 0) k.mem.write(a.ptr(3), old);
    return 0;
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
}

/** timerfd_gettime(fd, cur). */
function timerfdGettime(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = timerOf(k, a.int(0));
  if (typeof f === "number") return f;
  try {
    k.mem.write(a.ptr(1), itimerBytes(k, f));
    return 0;
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
}

// ------------------------------------------------------------------ epoll

/** One registered (fd, file) pair of an epoll instance. */
export interface EpollInterest {
  /** The descriptor number it was added with. */
  fd: number;
  /** The open file description (the key, with `fd`). */
  file: OpenFile;
  /** Requested events and EPOLLET/EPOLLONESHOT. */
  events: number;
  /** The caller's epoll_data. */
  data: bigint;
  /** EPOLLONESHOT fired: nothing more until EPOLL_CTL_MOD. */
  disabled: boolean;
  /** Edge-triggered: the bits last seen high. */
  seen: number;
  /** Edge-triggered: the file's generation at the last report. */
  gen: number | undefined;
}

/** One ready event (struct epoll_event). */
export interface EpollReady {
  /** Ready bits. */
  events: number;
  /** The interest's epoll_data. */
  data: bigint;
}

/** An epoll instance. */
export class EpollFile extends OpenFile {
  /** Kind for /proc and diagnostics. */
  readonly kind = "epoll";
  /** Interests in report order (reported level-triggered ones move to the end). */
  interests: EpollInterest[] = [];

  /** Creates an empty instance. */
  constructor(flags: number) {
    super(flags);
  }

  /** What /proc/self/fd links to. */
  get path(): string {
    return "anon_inode:[eventpoll]";
  }

  /** fstat. */
  stat(_k: FileContext): Attr {
    return anonAttr();
  }

  /** The interest for (fd, file), if registered. */
  find(fd: number, file: OpenFile): EpollInterest | undefined {
    return this.interests.find((i) => i.fd === fd && i.file === file);
  }

  /**
   * Collects up to `max` ready events. With `consume` false nothing changes
   * (the epoll fd's own readiness); with it, one-shot interests disarm,
   * edge state advances and reported level-triggered interests rotate to
   * the end, so a small `max` still serves every descriptor in turn.
   */
  collect(k: FileContext, max: number, consume: boolean): EpollReady[] {
    // A file whose last descriptor closed leaves every epoll set.
    this.interests = this.interests.filter((i) => i.file.refs > 0);
    const out: EpollReady[] = [];
    const rotate: EpollInterest[] = [];
    for (const i of this.interests) {
      if (i.disabled) continue;
      const level = i.file === this ? 0 : i.file.poll(k);
      const want = level & (i.events | POLLERR | POLLHUP);
      if ((i.events & EPOLLET) !== 0) {
        const gen = generationOf(i.file, i.events);
        const rose = (want & ~i.seen) !== 0 || (want !== 0 && gen !== undefined && gen !== i.gen);
        if (consume) i.seen &= want;
        if (!rose) continue;
      } else if (want === 0) continue;
      if (out.length >= max) break;
      out.push({ events: want, data: i.data });
      if (!consume) continue;
      if ((i.events & EPOLLET) !== 0) {
        i.seen = want;
        i.gen = generationOf(i.file, i.events);
      } else rotate.push(i);
      if ((i.events & EPOLLONESHOT) !== 0) i.disabled = true;
    }
    if (rotate.length > 0) {
      this.interests = [...this.interests.filter((i) => !rotate.includes(i)), ...rotate];
    }
    return out;
  }

  /** Readable while an event is ready. */
  override poll(k: FileContext): number {
    return this.collect(k, 1, false).length > 0 ? POLLIN | POLLRDNORM : 0;
  }

  /** The earliest next event among watched timed files. */
  override nextEvent(k: FileContext): number | undefined {
    let best: number | undefined;
    for (const i of this.interests) {
      if (i.disabled || i.file.refs === 0) continue;
      const n = i.file instanceof EpollFile && i.file !== this
        ? i.file.nextEvent(k)
        : nextEventOf(k, i.file);
      if (n !== undefined && (best === undefined || n < best)) best = n;
    }
    return best;
  }
}

/** epoll_create1(flags). */
function epollCreate1(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(0);
  if ((flags & ~EPOLL_CLOEXEC) !== 0) return -EINVAL;
  return fdTable(k).alloc(new EpollFile(0o2), flags !== 0);
}

/** True when `inner` (an epoll) watches `outer` directly or through other epolls. */
function reaches(inner: EpollFile, outer: EpollFile, depth = 0): boolean {
  if (depth > 5) return true;
  for (const i of inner.interests) {
    if (i.file === outer) return true;
    if (i.file instanceof EpollFile && reaches(i.file, outer, depth + 1)) return true;
  }
  return false;
}

/** epoll_ctl(epfd, op, fd, event). */
function epollCtl(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const epfd = a.int(0);
  const op = a.int(1);
  const fd = a.int(2);
  const evp = a.ptr(3);
  let events = 0;
  let data = 0n;
  if (op === EPOLL_CTL_ADD || op === EPOLL_CTL_MOD) {
    try {
      events = k.mem.readU32(evp);
      data = k.mem.readU64(evp + 8);
    } catch (e) {
      if (e instanceof MemoryFault) return -EFAULT;
      throw e;
    }
  }
  const table = fdTable(k);
  const ep = table.file(epfd);
  if (typeof ep === "number") return ep;
  const target = table.file(fd);
  if (typeof target === "number") return target;
  if (target.kind === "path") return -EBADF;
  // Regular files and directories have no poll method.
  if (target.kind === "file" || target.kind === "dir") return -EPERM;
  if (!(ep instanceof EpollFile) || ep === target) return -EINVAL;
  if ((events & EPOLLEXCLUSIVE) !== 0) {
    if (op === EPOLL_CTL_MOD) return -EINVAL;
    if (op === EPOLL_CTL_ADD && (target instanceof EpollFile || (events & EPOLLONESHOT) !== 0)) {
      return -EINVAL;
    }
  }
  const cur = ep.find(fd, target);
  switch (op) {
    case EPOLL_CTL_ADD: {
      if (cur) return -EEXIST;
      if (target instanceof EpollFile && reaches(target, ep)) return -ELOOP;
      ep.interests.push({ fd, file: target, events, data, disabled: false, seen: 0, gen: -1 });
      return 0;
    }
    case EPOLL_CTL_MOD:
      if (!cur) return -ENOENT;
      if ((cur.events & EPOLLEXCLUSIVE) !== 0) return -EINVAL;
      cur.events = events;
      cur.data = data;
      cur.disabled = false;
      cur.seen = 0;
      cur.gen = -1;
      return 0;
    case EPOLL_CTL_DEL:
      if (!cur) return -ENOENT;
      ep.interests.splice(ep.interests.indexOf(cur), 1);
      return 0;
    default:
      return -EINVAL;
  }
}

/** Writes ready events: the count, or -EFAULT when not even the first fits. */
function putEvents(k: Kernel, p: number, evs: readonly EpollReady[]): number {
  for (let n = 0; n < evs.length; n++) {
    const b = new Uint8Array(EPOLL_EVENT_SIZE);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, evs[n].events >>> 0, true);
    dv.setBigUint64(8, evs[n].data, true);
    try {
      k.mem.write(p + n * EPOLL_EVENT_SIZE, b);
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
      return n === 0 ? -EFAULT : n;
    }
  }
  return evs.length;
}

/** Reads an optional sigset_t argument: the mask, undefined when absent, or -errno. */
function readSigmask(k: Kernel, p: number, size: number): bigint | undefined | number {
  if (p === 0) return undefined;
  if (size !== 8) return -EINVAL;
  try {
    return k.mem.readU64(p);
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
}

/** What every readiness wait shares: the mask swap, the EINTR check and the deadline. */
function readinessWait(
  k: Kernel,
  t: Thread,
  opts: {
    reason: string;
    mask: bigint | undefined;
    deadline: number | undefined;
    attempt: (final: boolean) => number | undefined;
    nextEvent?: () => number | undefined;
    interrupted?: () => number;
  },
): number | Wait {
  if (opts.mask !== undefined) setTemporaryMask(k, t, opts.mask);
  const finish = (r: number): number => {
    restoreTemporaryMask(k, t);
    return r;
  };
  const now = opts.attempt(false);
  if (now !== undefined) return finish(now);
  if (opts.deadline !== undefined && opts.deadline <= k.nowNs()) return finish(opts.attempt(true)!);
  // A signal pending at entry (under the new mask) interrupts at once; the
  // saved mask stays for the handler's frame.
  if (hasDeliverable(k, t)) return opts.interrupted?.() ?? -EINTR;
  const w: SignalWait = {
    reason: opts.reason,
    repoll: true,
    get deadline(): number | undefined {
      const e = opts.nextEvent?.();
      const d = opts.deadline;
      if (e === undefined) return d;
      return d === undefined || e < d ? e : d;
    },
    resume(_timedOut: boolean): number | undefined {
      const r = opts.attempt(false);
      if (r !== undefined) return finish(r);
      if (opts.deadline !== undefined && k.nowNs() >= opts.deadline) {
        return finish(opts.attempt(true)!);
      }
      return undefined;
    },
    interrupted: () => opts.interrupted?.() ?? -EINTR,
  };
  return w;
}

/** The shared part of epoll_pwait and epoll_pwait2. */
function epollWait(
  k: Kernel,
  t: Thread,
  a: SyscallArgs,
  deadline: number | undefined,
): number | Wait {
  const epfd = a.int(0);
  const evp = a.ptr(1);
  const max = a.int(2);
  if (max <= 0 || max > EP_MAX_EVENTS) return -EINVAL;
  const ep = fdTable(k).file(epfd);
  if (typeof ep === "number") return ep;
  if (!(ep instanceof EpollFile)) return -EINVAL;
  const mask = readSigmask(k, a.ptr(4), a.ptr(5));
  if (typeof mask === "number") return mask;
  return readinessWait(k, t, {
    reason: `epoll_pwait on epfd ${epfd} (${
      ep.interests.map((i) => `fd ${i.fd} 0x${(i.events >>> 0).toString(16)}`).join(", ") ||
      "nothing"
    })`,
    mask,
    deadline,
    attempt: (final) => {
      const evs = ep.collect(k, max, true);
      if (evs.length > 0) return putEvents(k, evp, evs);
      return final ? 0 : undefined;
    },
    nextEvent: () => ep.nextEvent(k),
  });
}

/** epoll_pwait(epfd, events, maxevents, timeout_ms, sigmask, sigsetsize). */
function epollPwait(k: Kernel, t: Thread, a: SyscallArgs): number | Wait {
  const ms = a.int(3);
  return epollWait(k, t, a, ms < 0 ? undefined : k.nowNs() + ms * 1e6);
}

/** epoll_pwait2(epfd, events, maxevents, timeout timespec or NULL, sigmask, sigsetsize). */
function epollPwait2(k: Kernel, t: Thread, a: SyscallArgs): number | Wait {
  let deadline: number | undefined;
  if (a.ptr(3) !== 0) {
    try {
      const ns = readTimespecNs(k, a.ptr(3));
      if (ns < 0) return ns;
      deadline = k.nowNs() + ns;
    } catch (e) {
      if (e instanceof MemoryFault) return -EFAULT;
      throw e;
    }
  }
  return epollWait(k, t, a, deadline);
}

// ------------------------------------------------------------ ppoll/select

/** The relative timeout of ppoll/pselect6: deadline and a remaining-time writer. */
interface SelectTimeout {
  deadline: number | undefined;
  /** Writes the unslept time back (Linux updates the timespec), unless the timeout was zero. */
  writeBack: () => void;
}

function selectTimeout(k: Kernel, p: number): SelectTimeout | number {
  if (p === 0) return { deadline: undefined, writeBack: () => {} };
  let ns: number;
  try {
    ns = readTimespecNs(k, p);
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  if (ns < 0) return ns;
  const deadline = k.nowNs() + ns;
  return {
    deadline,
    writeBack: () => {
      if (ns === 0) return;
      try {
        k.mem.write(p, timespecBytes(Math.max(0, deadline - k.nowNs())));
      } catch (e) {
        if (!(e instanceof MemoryFault)) throw e;
      }
    },
  };
}

/** The earliest timer expiry among `files`. */
function earliest(k: Kernel, files: readonly (OpenFile | undefined)[]): number | undefined {
  let best: number | undefined;
  for (const f of files) {
    if (!f) continue;
    const n = f instanceof EpollFile ? f.nextEvent(k) : nextEventOf(k, f);
    if (n !== undefined && (best === undefined || n < best)) best = n;
  }
  return best;
}

/** ppoll(fds, nfds, timeout, sigmask, sigsetsize): struct pollfd {int fd; short events, revents}. */
function ppoll(k: Kernel, t: Thread, a: SyscallArgs): number | Wait {
  const fdsp = a.ptr(0);
  const nfds = a.ptr(1);
  const table = fdTable(k);
  if (nfds > table.limit) return -EINVAL;
  const to = selectTimeout(k, a.ptr(2));
  if (typeof to === "number") return to;
  const mask = readSigmask(k, a.ptr(3), a.ptr(4));
  if (typeof mask === "number") return mask;
  let raw: Uint8Array;
  try {
    raw = k.mem.read(fdsp, nfds * 8);
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  const dv = new DataView(raw.buffer);
  const fds: number[] = [];
  const wants: number[] = [];
  for (let i = 0; i < nfds; i++) {
    fds.push(dv.getInt32(8 * i, true));
    wants.push(dv.getUint16(8 * i + 4, true));
  }
  const attempt = (final: boolean): number | undefined => {
    let count = 0;
    for (let i = 0; i < nfds; i++) {
      let rev = 0;
      if (fds[i] >= 0) {
        const f = table.file(fds[i]);
        if (typeof f === "number" || f.kind === "path") rev = POLLNVAL;
        else rev = f.poll(k) & (wants[i] | POLLERR | POLLHUP);
      }
      dv.setUint16(8 * i + 6, rev, true);
      if (rev !== 0) count++;
    }
    if (count === 0 && !final) return undefined;
    to.writeBack();
    try {
      k.mem.write(fdsp, raw);
    } catch (e) {
      if (e instanceof MemoryFault) return -EFAULT;
      throw e;
    }
    return count;
  };
  return readinessWait(k, t, {
    reason: `ppoll on ${fds.map((fd, i) => `fd ${fd} 0x${wants[i].toString(16)}`).join(", ")}`,
    mask,
    deadline: to.deadline,
    attempt,
    nextEvent: () => earliest(k, fds.map((fd) => fileOrUndefined(k, fd))),
    interrupted: () => {
      to.writeBack();
      return -EINTR;
    },
  });
}

function fileOrUndefined(k: Kernel, fd: number): OpenFile | undefined {
  const f = fdTable(k).file(fd);
  return typeof f === "number" ? undefined : f;
}

/**
 * pselect6(nfds, readfds, writefds, exceptfds, timeout, sig): fd_sets are
 * arrays of u64 words; `sig` points at { const sigset_t *ss; size_t ss_len }.
 */
function pselect6(k: Kernel, t: Thread, a: SyscallArgs): number | Wait {
  let nfds = a.int(0);
  if (nfds < 0) return -EINVAL;
  const table = fdTable(k);
  // Linux clamps nfds to the table's capacity (a multiple of 64 here).
  const open = table.fds();
  const capacity = Math.max(64, Math.ceil((open.length ? open[open.length - 1] + 1 : 0) / 64) * 64);
  if (nfds > capacity) nfds = capacity;
  const ptrs = [a.ptr(1), a.ptr(2), a.ptr(3)];
  const to = selectTimeout(k, a.ptr(4));
  if (typeof to === "number") return to;
  let mask: bigint | undefined;
  const sigp = a.ptr(5);
  const words = Math.ceil(nfds / 64);
  const sets: bigint[][] = [];
  try {
    if (sigp !== 0) {
      const m = readSigmask(k, k.mem.readU64Number(sigp), k.mem.readU64Number(sigp + 8));
      if (typeof m === "number") return m;
      mask = m;
    }
    for (const p of ptrs) {
      const s: bigint[] = [];
      for (let w = 0; w < words; w++) s.push(p === 0 ? 0n : k.mem.readU64(p + 8 * w));
      sets.push(s);
    }
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  const has = (s: bigint[], fd: number) => ((s[fd >> 6] >> BigInt(fd & 63)) & 1n) === 1n;
  const watched: number[] = [];
  for (let fd = 0; fd < nfds; fd++) {
    if (has(sets[0], fd) || has(sets[1], fd) || has(sets[2], fd)) {
      const f = table.file(fd);
      if (typeof f === "number" || f.kind === "path") return -EBADF;
      watched.push(fd);
    }
  }
  const attempt = (final: boolean): number | undefined => {
    const outs = [0, 1, 2].map(() => new Array<bigint>(words).fill(0n));
    let count = 0;
    for (const fd of watched) {
      const f = table.file(fd);
      const level = typeof f === "number" ? POLLNVAL : f.poll(k);
      const bits = [POLLIN_SET, POLLOUT_SET, POLLEX_SET];
      for (let s = 0; s < 3; s++) {
        if (has(sets[s], fd) && (level & bits[s]) !== 0) {
          outs[s][fd >> 6] |= 1n << BigInt(fd & 63);
          count++;
        }
      }
    }
    if (count === 0 && !final) return undefined;
    to.writeBack();
    try {
      for (let s = 0; s < 3; s++) {
        if (ptrs[s] === 0) continue;
        for (let w = 0; w < words; w++) k.mem.writeU64(ptrs[s] + 8 * w, outs[s][w]);
      }
    } catch (e) {
      if (e instanceof MemoryFault) return -EFAULT;
      throw e;
    }
    return count;
  };
  return readinessWait(k, t, {
    reason: `pselect6 on fds ${watched.join(", ") || "none"}`,
    mask,
    deadline: to.deadline,
    attempt,
    nextEvent: () => earliest(k, watched.map((fd) => fileOrUndefined(k, fd))),
    interrupted: () => {
      to.writeBack();
      return -EINTR;
    },
  });
}

/** The poll family's handlers by syscall name. */
export const POLL: SyscallFamilyTable = {
  family: "poll",
  handlers: {
    eventfd2,
    epoll_create1: epollCreate1,
    epoll_ctl: epollCtl,
    epoll_pwait: epollPwait,
    epoll_pwait2: epollPwait2,
    ppoll,
    pselect6,
    timerfd_create: timerfdCreate,
    timerfd_settime: timerfdSettime,
    timerfd_gettime: timerfdGettime,
  },
};
