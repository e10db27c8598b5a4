/**
 * The contract between the kernel core and the syscall families: how a
 * handler sees its arguments, how it answers, and how it blocks.
 * @module
 */

import type { Hart } from "../cpu/hart.ts";
import type { Kernel } from "./kernel.ts";
import type { Thread } from "./thread.ts";

const TWO32 = 4294967296;

/** A syscall's arguments a0..a5, read from the hart in the forms handlers need. */
export class SyscallArgs {
  readonly #h: Hart;

  /** Wraps the hart whose a0..a5 hold the arguments. */
  constructor(h: Hart) {
    this.#h = h;
  }

  /** Argument `i` as a signed 32-bit int (fds, flags, modes). */
  int(i: number): number {
    return this.#h.xl[10 + i];
  }

  /** Argument `i` as an unsigned 32-bit int. */
  u32(i: number): number {
    return this.#h.xl[10 + i] >>> 0;
  }

  /** Argument `i` as an unsigned number (pointers, sizes; exact below 2^53). */
  ptr(i: number): number {
    return (this.#h.xh[10 + i] >>> 0) * TWO32 + (this.#h.xl[10 + i] >>> 0);
  }

  /** Argument `i` as a signed number (offsets; exact within ±2^53). */
  num(i: number): number {
    return this.#h.xh[10 + i] * TWO32 + (this.#h.xl[10 + i] >>> 0);
  }

  /** Argument `i` as an unsigned 64-bit bigint. */
  u64(i: number): bigint {
    return BigInt.asUintN(64, this.#h.getX(10 + i));
  }

  /** Argument `i` as a signed 64-bit bigint. */
  i64(i: number): bigint {
    return this.#h.getX(10 + i);
  }

  /** All six arguments as unsigned 64-bit bigints (for traces). */
  raw(): bigint[] {
    return [0, 1, 2, 3, 4, 5].map((i) => this.u64(i));
  }
}

/**
 * A blocked syscall. The scheduler parks the thread and calls `resume` when
 * something may have changed for it (a wake-up, a write to a pipe, its
 * deadline passing).
 */
export interface Wait {
  /** What the thread waits on, for deadlock reports: e.g. `futex 0x7f0010 (val 2)`. */
  readonly reason: string;
  /** Absolute virtual-time deadline in ns, if the wait can time out. */
  readonly deadline?: number;
  /**
   * True for readiness waits (a pipe read, epoll): the scheduler calls
   * `resume(false)` again at every scheduling point, since any thread's
   * write may have made it ready. Futex waits leave this unset and are woken
   * explicitly.
   */
  readonly repoll?: boolean;
  /**
   * Returns the syscall's result when the wait is over, or undefined to keep
   * waiting. `timedOut` is true once the deadline has passed.
   */
  resume(timedOut: boolean): number | undefined;
}

/** A handler's answer: a0's value (-errno for errors), a wait, or {@linkcode NO_RESULT}. */
export type SyscallResult = number | Wait | typeof NO_RESULT;

/** The handler set the registers itself (rt_sigreturn) or the thread is gone (exit). */
export const NO_RESULT: unique symbol = Symbol("no result");

/** One syscall's emulation. */
export type SyscallHandler = (k: Kernel, t: Thread, a: SyscallArgs) => SyscallResult;

/** Syscall families, as grouped under `lib/kernel/` and in reports. */
export type SyscallFamily =
  | "files"
  | "memory"
  | "process"
  | "threads"
  | "signals"
  | "time"
  | "info"
  | "poll"
  | "net"
  | "transfer"
  | "inotify";

/** A family module's export: handlers by syscall name. */
export interface SyscallFamilyTable {
  /** The family these belong to. */
  readonly family: SyscallFamily;
  /** Handlers by syscall name (as in `syscall_numbers.ts`). */
  readonly handlers: Readonly<Record<string, SyscallHandler>>;
}

/** True when `r` is a {@linkcode Wait}. */
export function isWait(r: SyscallResult): r is Wait {
  return typeof r === "object" && r !== null;
}
