/**
 * A guest thread: its hart, scheduling state and per-thread kernel state
 * (signal mask and pending set, alternate stack, tid addresses).
 * @module
 */

import { Hart } from "../cpu/hart.ts";
import type { Wait } from "./types.ts";

/** Scheduling state. */
export type ThreadState = "runnable" | "blocked" | "exited";

/** A pending signal's siginfo fields that matter to handlers. */
export interface SigInfo {
  /** Signal number. */
  signo: number;
  /** si_code (SI_USER 0, SI_TKILL -6, SEGV_MAPERR 1, ...). */
  code: number;
  /** Sender pid (kill/tgkill). */
  pid?: number;
  /** Sender uid. */
  uid?: number;
  /** Faulting address (SIGSEGV, SIGBUS, SIGILL). */
  addr?: number;
  /** The sender's whole siginfo_t (rt_sigqueueinfo), delivered as given but for si_signo. */
  raw?: Uint8Array;
  /** The POSIX timer that sent it (si_code SI_TIMER). */
  timer?: TimerSigInfo;
}

/**
 * The timer fields of a POSIX timer's siginfo. A timer queues one such
 * signal at a time (Linux's preallocated sigqueue): expirations while it is
 * pending count as overruns instead of queueing copies.
 */
export interface TimerSigInfo {
  /** si_timerid. */
  readonly id: number;
  /** si_value: the sigev_value given to timer_create. */
  readonly value: bigint;
  /** si_overrun: expirations the signal stands for beyond the first. */
  overrun: number;
  /** The signal left the pending set (delivered, accepted or discarded): the timer may reload. */
  dequeued(): void;
}

/** One thread of the guest process. */
export class Thread {
  /** Thread id (the first thread's equals the pid). */
  readonly tid: number;
  /** Registers. */
  readonly hart: Hart = new Hart();
  /** Scheduling state. */
  state: ThreadState = "runnable";
  /** The blocked syscall, while `state` is "blocked". */
  wait: Wait | undefined;
  /** Name of the syscall the thread is blocked in (for traces and reports). */
  waitSyscall = "";
  /** Blocked signals (bit n-1 for signal n). */
  sigmask = 0n;
  /** Signals pending for this thread, in arrival order. */
  pending: SigInfo[] = [];
  /** sigaltstack: base, size, flags (SS_DISABLE = 2 when none). */
  altstack: { sp: number; size: number; flags: number } = { sp: 0, size: 0, flags: 2 };
  /** set_tid_address / CLONE_CHILD_CLEARTID: zeroed and futex-woken at exit. */
  clearChildTid = 0;
  /** set_robust_list head and length. */
  robustList = 0;
  /** Length given to set_robust_list. */
  robustListLen = 0;
  /** Context switches into this thread. */
  switches = 0;

  /** Creates a thread with id `tid`. */
  constructor(tid: number) {
    this.tid = tid;
  }
}
