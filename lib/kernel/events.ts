/**
 * Structured trace events: what the dispatcher reports for every ECALL and
 * the kernel for every signal. `--trace-json` writes them one per line; the
 * strace formatter and the analysis read them.
 * @module
 */

import type { RunEnd } from "./kernel.ts";

/** Where the dispatcher sent an ECALL. */
export type Route = "precompile" | "emulate" | "stub" | "deny" | "unlisted" | "unimplemented";

/** Execution phase, for profiles: loader, runtime start-up, application, exit. */
export type Phase = "loader" | "startup" | "app" | "exit";

/** One syscall (or precompile call), reported at its exit. */
export interface SyscallEvent {
  /** Sequence number from 0, in completion order. */
  seq: number;
  /** Thread id. */
  tid: number;
  /** Syscall number (a7). */
  nr: number;
  /** Syscall or precompile name. */
  name: string;
  /** Raw arguments a0..a5 as unsigned 64-bit values. */
  args: bigint[];
  /** Result in a0 (negative errno on error); undefined when the call did not return. */
  result: number | undefined;
  /** How it was routed. */
  route: Route;
  /** pc of the ECALL. */
  pc: number;
  /** Function containing the ECALL, from the symbol tables. */
  fn: string;
  /** Process-wide retired instructions at entry. */
  instret: number;
  /** Phase at entry. */
  phase: Phase;
  /** True when the call blocked before completing (strace's unfinished/resumed pair). */
  blocked: boolean;
  /** The strace-format rendering of the arguments (decoded at exit). */
  text?: string;
  /**
   * True on the extra report a dispatcher may emit when the call blocks,
   * before other threads run (`result` undefined). The completion follows
   * later with `blocked: true`. Lets the strace writer print strace -f's
   * `<unfinished ...>` / `<... name resumed>` pair and decode entry-time
   * arguments at entry; without it, blocked calls print whole at completion.
   */
  entry?: boolean;
}

/** A signal delivered to, or killing, a thread. */
export interface SignalEvent {
  /** Sequence number shared with syscall events. */
  seq: number;
  /** Thread id. */
  tid: number;
  /** Signal number. */
  signo: number;
  /** si_code. */
  code: number;
  /** What happened: delivered to a handler, ignored, or killed the process. */
  action: "handler" | "ignore" | "kill";
  /** Process-wide retired instructions. */
  instret: number;
  /** si_pid, for signals sent by a process (SI_USER, SI_TKILL, SI_QUEUE). */
  pid?: number;
  /** si_uid, for signals sent by a process. */
  uid?: number;
  /** si_addr, for faults (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE). */
  addr?: number;
  /** si_timerid, for a POSIX timer's signal (SI_TIMER). */
  timerid?: number;
  /** si_overrun, for a POSIX timer's signal. */
  overrun?: number;
  /** si_value, for a POSIX timer's signal. */
  value?: bigint;
}

/** Everything the tracer receives. */
export type TraceEvent =
  | ({ kind: "syscall" } & SyscallEvent)
  | ({ kind: "signal" } & SignalEvent);

/**
 * A tracer that also hears how the run ended: the strace writer prints its
 * `+++` lines then, file writers flush and close.
 */
export interface TraceWriter {
  /** Receives one trace event. */
  (e: TraceEvent): void;
  /** The run ended with `end`. */
  finish(end: RunEnd): void;
}
