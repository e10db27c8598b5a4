/**
 * A debugging session over one guest process: load it (stopped at its first
 * instruction), continue to a breakpoint, step instructions, and read its
 * trace and statistics as it goes. Built on the public runner API
 * ({@linkcode prepare} / {@linkcode finish}) and the kernel's execution
 * core (`runFor`, `step`, ECALL and fault interceptors); nothing in the
 * kernel or the CPU knows about it.
 *
 * How stops work:
 * - Address breakpoints are `c.ebreak` halfwords written into guest code
 *   while the process runs, and removed whenever it stops (so memory reads
 *   and disassembly see the real code). The kernel reports the EBREAK as a
 *   SIGTRAP fault; the session's fault interceptor recognizes its own
 *   breakpoints, takes the EBREAK back out of the retired count and stops
 *   the run.
 * - Syscall breakpoints are an ECALL interceptor: the thread is put back on
 *   its ECALL (pc and retired count as before it) and the run stops;
 *   continuing executes that ECALL once without stopping again.
 * - `step` runs the selected thread alone (`Kernel.step`), handling its
 *   ECALLs and faults exactly as the scheduler does.
 *
 * A stop keeps the running thread and what is left of its quantum, so the
 * instruction counts, trace and output of a run with breakpoint stops equal
 * those of an uninterrupted run.
 * @module
 */

import { SIGTRAP } from "../abi/signals.ts";
import type { TraceEvent } from "../kernel/events.ts";
import type { Kernel, RunEnd } from "../kernel/kernel.ts";
import { ecallName as ecallNameOf } from "../kernel/syscalls.ts";
import type { SigInfo, Thread } from "../kernel/thread.ts";
import { PAGE_SIZE } from "../memory/memory.ts";
import { concat } from "../run/host_io.ts";
import {
  describeEnd,
  finish,
  prepare,
  type Prepared,
  processStats,
  type RunOptions,
  type RunResult,
  type RunStats,
} from "../run/run.ts";
import { createStraceWriter } from "../trace/strace.ts";
import { readAuxv } from "./symbols.ts";

/** `c.ebreak`, little-endian. */
const C_EBREAK = new Uint8Array([0x02, 0x90]);

/** What to load: the runner's options that make sense interactively (stdin only as bytes). */
export interface LoadSpec extends
  Pick<
    RunOptions,
    | "program"
    | "args"
    | "argv0"
    | "env"
    | "sysroot"
    | "profile"
    | "mounts"
    | "cwd"
    | "seed"
    | "cpus"
    | "memory"
    | "quantum"
    | "sched"
    | "hz"
    | "maxInsns"
    | "engine"
  > {
  /** The guest's stdin bytes (default empty). */
  stdin?: Uint8Array;
}

/** A breakpoint. */
export interface Breakpoint {
  /** Number shown to the user (from 1). */
  id: number;
  /** On an instruction address, or on a syscall (or precompile) by name; `*` is any. */
  kind: "address" | "syscall";
  /** The address, for address breakpoints. */
  address?: number;
  /** The syscall name, for syscall breakpoints. */
  syscall?: string;
  /** How the user wrote it. */
  spec: string;
  /** Times it stopped the process. */
  hits: number;
  /** Disabled breakpoints do not stop. */
  enabled: boolean;
}

/** Why the process stopped. */
export type StopReason =
  | { kind: "breakpoint"; breakpoint: number; tid: number; pc: number }
  | { kind: "syscall"; breakpoint: number; tid: number; pc: number; name: string }
  | { kind: "step"; tid: number; pc: number; steps: number }
  | { kind: "exited"; end: RunEnd; status: number; message?: string };

/** Statistics of a process so far: the runner's `RunStats` without the end fields, plus the clock. */
export interface LiveStats extends Omit<RunStats, "exitStatus" | "end" | "wallSeconds"> {
  /** Virtual time in ns. */
  virtualNs: number;
}

/** Options of a {@linkcode Session}. */
export interface SessionOptions {
  /** Name used by `compare` and reports; default the program's file name. */
  name?: string;
  /** Receives guest stdout bytes as they are written (they are captured too). */
  onStdout?: (b: Uint8Array) => void;
  /** Receives guest stderr bytes as they are written (captured too). */
  onStderr?: (b: Uint8Array) => void;
  /** Breakpoints to start with (copied, hit counts reset). */
  breakpoints?: readonly Breakpoint[];
}

/** One loaded guest process under the debugger's control. */
export class Session {
  /** The session's name. */
  readonly name: string;
  /** What was loaded. */
  readonly spec: LoadSpec;
  /** The prepared process. */
  readonly prepared: Prepared;
  /** strace lines so far (decoded as each event happened). */
  readonly strace: string[] = [];
  /** Captured guest stdout chunks. */
  readonly stdout: Uint8Array[] = [];
  /** Captured guest stderr chunks. */
  readonly stderr: Uint8Array[] = [];
  /** Breakpoints, in creation order. */
  readonly breakpoints: Breakpoint[] = [];
  /** Stops so far, oldest first. */
  readonly stops: StopReason[] = [];
  /** The thread that `regs`, `step` and friends act on (default: the one that stopped). */
  selected: Thread | undefined;
  /** The auxiliary vector the process started with (type to value). */
  readonly auxv: Map<number, number>;

  #result: RunResult | undefined;
  #pending: StopReason | undefined;
  /** Breakpoints are live only while `continue` runs. */
  #armed = false;
  /** Original halfwords under inserted breakpoints. */
  #inserted = new Map<number, Uint8Array>();
  /** The ECALL a syscall breakpoint stopped at, to let through once: thread and its retired count. */
  #skip: { tid: number; instret: number } | undefined;
  #nextId = 1;

  /** Loads `spec`; throws `RunError` for a missing or bad executable. */
  constructor(spec: LoadSpec, options: SessionOptions = {}) {
    this.spec = spec;
    this.name = options.name ?? spec.program.split("/").pop() ?? spec.program;
    for (const b of options.breakpoints ?? []) {
      this.breakpoints.push({ ...b, hits: 0 });
      this.#nextId = Math.max(this.#nextId, b.id + 1);
    }
    const capture = (list: Uint8Array[], also?: (b: Uint8Array) => void) => (b: Uint8Array) => {
      list.push(b.slice());
      also?.(b);
    };
    this.prepared = prepare({
      ...spec,
      stdout: capture(this.stdout, options.onStdout),
      stderr: capture(this.stderr, options.onStderr),
      collectEvents: true,
      writers: [(src) => createStraceWriter(src, (l) => this.strace.push(l))],
    });
    const k = this.prepared.kernel;
    k.addEcallInterceptor((t) => this.#onEcall(t));
    k.addFaultInterceptor((t, info) => this.#onFault(t, info));
    this.selected = k.mainThread;
    this.auxv = readAuxv(k, k.mainThread.hart.getXNumber(2));
  }

  /** The kernel. */
  get kernel(): Kernel {
    return this.prepared.kernel;
  }

  /** Trace events so far. */
  get events(): readonly TraceEvent[] {
    return this.prepared.events;
  }

  /** True once the process has ended. */
  get ended(): boolean {
    return this.#result !== undefined;
  }

  /** The run's result, once it has ended. */
  get result(): RunResult | undefined {
    return this.#result;
  }

  /** The thread commands act on: the selected one if it still exists, else the first live one. */
  get thread(): Thread {
    const k = this.kernel;
    if (this.selected && this.selected.state !== "exited") return this.selected;
    return k.threads.find((t) => t.state !== "exited") ?? this.selected ?? k.mainThread;
  }

  /** Adds an address breakpoint. */
  breakAt(address: number, spec: string): Breakpoint {
    const b: Breakpoint = {
      id: this.#nextId++,
      kind: "address",
      address,
      spec,
      hits: 0,
      enabled: true,
    };
    this.breakpoints.push(b);
    return b;
  }

  /** Adds a syscall breakpoint (`*` stops at every syscall). */
  breakOnSyscall(name: string): Breakpoint {
    const b: Breakpoint = {
      id: this.#nextId++,
      kind: "syscall",
      syscall: name,
      spec: `syscall ${name}`,
      hits: 0,
      enabled: true,
    };
    this.breakpoints.push(b);
    return b;
  }

  /** Deletes breakpoints by id (all when `ids` is empty); returns how many went. */
  deleteBreakpoints(ids: readonly number[]): number {
    const before = this.breakpoints.length;
    const keep = this.breakpoints.filter((b) => ids.length > 0 && !ids.includes(b.id));
    this.breakpoints.splice(0, this.breakpoints.length, ...keep);
    return before - keep.length;
  }

  /** Runs until a breakpoint or the end of the process. */
  cont(): StopReason {
    if (this.#result) return this.#exitStop();
    const k = this.kernel;
    // Leave an address breakpoint the current thread sits on first.
    const t = this.thread;
    if (t.state === "runnable" && this.#addressBreakAt(t.hart.pc)) {
      k.step(t, 1);
      if (k.end) return this.#afterRun();
    }
    this.#insert();
    this.#armed = true;
    try {
      k.runFor(Infinity);
    } finally {
      this.#armed = false;
      this.#remove();
    }
    return this.#afterRun();
  }

  /**
   * Executes `n` instructions of the selected thread (another runnable
   * thread when it blocks or exits). Breakpoints do not stop a step.
   */
  step(n: number): StopReason {
    if (this.#result) return this.#exitStop();
    const k = this.kernel;
    let left = n;
    let last = this.thread;
    while (left > 0 && !k.end) {
      let t = this.thread;
      if (t.state !== "runnable") t = k.threads.find((x) => x.state === "runnable") ?? t;
      if (t.state !== "runnable") {
        // Every thread waits: let the scheduler move the clock on.
        const start = k.instret;
        k.runFor(left);
        // Guarantee progress even if nothing ran (a clock jump only).
        left -= Math.max(1, k.instret - start);
        continue;
      }
      last = t;
      left -= k.step(t, left);
      if (t.state !== "runnable") this.selected = t;
    }
    if (k.end) return this.#afterRun();
    this.selected = last;
    const stop: StopReason = { kind: "step", tid: last.tid, pc: last.hart.pc, steps: n - left };
    this.stops.push(stop);
    return stop;
  }

  /** Runs to the end, ignoring breakpoints. */
  finish(): StopReason {
    if (this.#result) return this.#exitStop();
    this.kernel.run();
    return this.#afterRun();
  }

  /** Statistics so far. */
  stats(): LiveStats {
    return { ...processStats(this.kernel), virtualNs: this.kernel.nowNs() };
  }

  /** Captured stdout as text. */
  stdoutText(): string {
    return new TextDecoder().decode(concat(this.stdout));
  }

  /** Captured stderr as text. */
  stderrText(): string {
    return new TextDecoder().decode(concat(this.stderr));
  }

  // ---------------------------------------------------------------- internals

  /** The ECALL interceptor: stops at syscall breakpoints while `continue` runs. */
  #onEcall(t: Thread): boolean {
    const skip = this.#skip;
    if (skip && skip.tid === t.tid && skip.instret === t.hart.instret) {
      // The ECALL a breakpoint stopped at goes through this time.
      this.#skip = undefined;
      return false;
    }
    if (!this.#armed) return false;
    const name = threadEcallName(t);
    const b = this.breakpoints.find((x) =>
      x.enabled && x.kind === "syscall" && (x.syscall === name || x.syscall === "*")
    );
    if (!b) return false;
    // Back onto the ECALL, as if it had not been executed yet.
    t.hart.pc -= 4;
    t.hart.instret -= 1;
    this.#skip = { tid: t.tid, instret: t.hart.instret + 1 };
    b.hits++;
    this.#stopWith({ kind: "syscall", breakpoint: b.id, tid: t.tid, pc: t.hart.pc, name }, t);
    return true;
  }

  /** The fault interceptor: the EBREAKs of inserted breakpoints are stops, not SIGTRAPs. */
  #onFault(t: Thread, info: SigInfo): boolean {
    if (info.signo !== SIGTRAP || !this.#inserted.has(t.hart.pc)) return false;
    const b = this.#addressBreakAt(t.hart.pc);
    if (!b) return false;
    // The EBREAK is ours, not the guest's: it does not count.
    t.hart.instret -= 1;
    b.hits++;
    this.#stopWith({ kind: "breakpoint", breakpoint: b.id, tid: t.tid, pc: t.hart.pc }, t);
    return true;
  }

  #stopWith(stop: StopReason, t: Thread): void {
    this.#pending = stop;
    this.selected = t;
  }

  #addressBreakAt(pc: number): Breakpoint | undefined {
    return this.breakpoints.find((b) => b.enabled && b.kind === "address" && b.address === pc);
  }

  /** Writes `c.ebreak` at every enabled address breakpoint in readable code. */
  #insert(): void {
    const mem = this.kernel.mem;
    for (const b of this.breakpoints) {
      if (!b.enabled || b.kind !== "address" || this.#inserted.has(b.address!)) continue;
      const a = b.address!;
      if (a % 2 !== 0 || !mem.accessible(a, 2, "read") || !mem.accessible(a, 2, "fetch")) continue;
      this.#inserted.set(a, mem.read(a, 2));
      mem.poke(a, C_EBREAK);
      this.#invalidate(a);
    }
  }

  /** Puts the original code back. */
  #remove(): void {
    const mem = this.kernel.mem;
    for (const [a, orig] of this.#inserted) {
      // The guest may have unmapped it meanwhile.
      if (mem.accessible(a, 2, "read")) {
        mem.poke(a, orig);
        this.#invalidate(a);
      }
    }
    this.#inserted.clear();
  }

  #invalidate(a: number): void {
    this.kernel.mem.onCodeInvalidate?.(Math.floor(a / PAGE_SIZE));
  }

  /** After the run loop returned: a breakpoint stop, or the end. */
  #afterRun(): StopReason {
    const k = this.kernel;
    if (this.#pending && !k.end) {
      const stop = this.#pending;
      this.#pending = undefined;
      this.stops.push(stop);
      return stop;
    }
    this.#pending = undefined;
    this.#result = finish(this.prepared);
    const stop = this.#exitStop();
    this.stops.push(stop);
    return stop;
  }

  #exitStop(): StopReason {
    const r = this.#result!;
    const { status, message } = describeEnd(r.end);
    return { kind: "exited", end: r.end, status, message };
  }
}

/** The name of the syscall (or precompile) thread `t` is making. */
export function threadEcallName(t: Thread): string {
  const h = t.hart;
  return h.xh[17] === 0 ? ecallNameOf(h.xl[17] >>> 0) : `syscall_${h.getX(17)}`;
}
