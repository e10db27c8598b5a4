/**
 * The emulated Linux kernel for one guest process: threads and the
 * deterministic scheduler, the virtual clock, the syscall handler registry,
 * default signal actions, and the run loop that drives the CPU.
 *
 * Syscall handlers live in family modules beside this file (files, memory,
 * process, threads, signals, time, info, poll); the ECALL dispatcher in
 * `lib/dispatch/` decides, per the tier profile, whether a syscall reaches
 * them.
 * @module
 */

import {
  Cpu,
  STOP_EBREAK,
  STOP_ECALL,
  STOP_FAULT,
  STOP_ILLEGAL,
  STOP_LIMIT,
  STOP_MISALIGNED,
} from "../cpu/interpreter.ts";
import { SIGBUS, SIGILL, signalText, SIGSEGV, SIGTRAP } from "../abi/signals.ts";
import type { SymbolTable } from "../elf/symbols.ts";
import type { GuestMemory } from "../memory/memory.ts";
import type { TraceEvent } from "../trace/events.ts";
import { type SigInfo, Thread } from "./thread.ts";
import type { SyscallHandler, Wait } from "./types.ts";

/** Scheduling strategies (the futex-emulation research of the study). */
export type SchedStrategy = "rr" | "handoff";

/** Why a run ended. */
export type RunEnd =
  | { kind: "exit"; status: number }
  | { kind: "signal"; signo: number; detail: string }
  | { kind: "deny"; message: string }
  | { kind: "deadlock"; report: string }
  | { kind: "limit"; instret: number }
  | { kind: "error"; message: string };

/** Options of a kernel instance. */
export interface KernelOptions {
  /** The guest's address space (already holding the loaded program and stack). */
  mem: GuestMemory;
  /** Symbols of everything loaded, for diagnostics. */
  symbols: SymbolTable;
  /** Seed for getrandom, /dev/urandom and AT_RANDOM. */
  seed: number;
  /** CPUs the guest sees (sched_getaffinity, /sys/devices/system/cpu/online). */
  cpus: number;
  /** Instructions per scheduling quantum. */
  quantum: number;
  /** Scheduling strategy. */
  sched: SchedStrategy;
  /** Virtual instructions per second: the clock advances 1e9/hz ns per instruction. */
  hz: number;
  /** Stop after this many instructions in total. */
  maxInsns: number;
  /** Receives every trace event, if set. */
  tracer?: (e: TraceEvent) => void;
}

/** Counters the stats report reads. */
export interface KernelCounters {
  /** Threads created (including the first). */
  threadsCreated: number;
  /** Context switches between threads. */
  contextSwitches: number;
  /** Futex waits that blocked. */
  futexWaits: number;
  /** Futex wake calls. */
  futexWakes: number;
  /** Signals delivered to handlers. */
  signalsDelivered: number;
  /** Calls per syscall name. */
  syscalls: Map<string, number>;
}

/**
 * One guest process. Family modules reach process state through the public
 * fields; the `state` bag lets each family keep its own data (fd table, brk,
 * signal actions, futex queues) without the core knowing its shape.
 */
export class Kernel {
  /** The address space. */
  readonly mem: GuestMemory;
  /** The execution engine shared by all threads. */
  readonly cpu: Cpu;
  /** Symbols for pc-to-function names. */
  readonly symbols: SymbolTable;
  /** Options as given. */
  readonly options: KernelOptions;
  /** All threads ever created, in creation order (exited ones stay, marked). */
  readonly threads: Thread[] = [];
  /** Process id (= the first thread's tid). */
  readonly pid = 1000;
  /** Syscall handlers by name, filled by the family modules. */
  readonly handlers: Map<string, SyscallHandler> = new Map();
  /** Per-family state, keyed by family name. */
  readonly state: Map<string, unknown> = new Map();
  /** Counters for stats. */
  readonly counters: KernelCounters = {
    threadsCreated: 0,
    contextSwitches: 0,
    futexWaits: 0,
    futexWakes: 0,
    signalsDelivered: 0,
    syscalls: new Map(),
  };
  /** The thread running now. */
  current: Thread | undefined;
  /** Set when the run is over. */
  end: RunEnd | undefined;
  /** Called on each ECALL by the dispatcher (installed by `lib/dispatch`). */
  onEcall: (k: Kernel, t: Thread) => void = () => {};
  /** Hook for signal delivery at instruction boundaries (installed by the signals family). */
  deliverSignals: (k: Kernel, t: Thread) => void = defaultDeliver;
  /** Sequence number for trace events. */
  seq = 0;
  /** Virtual ns added when every thread slept and the clock jumped. */
  #sleptNs = 0;
  #nextTid = 1000;
  /** Total retired instructions of exited threads (live ones are summed on demand). */
  #retiredByExited = 0;

  /** Creates the process with its first thread (pc and sp set by the caller). */
  constructor(options: KernelOptions) {
    this.options = options;
    this.mem = options.mem;
    this.symbols = options.symbols;
    this.cpu = new Cpu(this.mem);
    this.cpu.timeCsr = (_h, _retired) => Math.floor(this.nowNs() / 100); // 10 MHz timebase
    this.newThread();
  }

  /** Creates a runnable thread with the next tid. */
  newThread(): Thread {
    const t = new Thread(this.#nextTid++);
    this.threads.push(t);
    this.counters.threadsCreated++;
    return t;
  }

  /** The first thread. */
  get mainThread(): Thread {
    return this.threads[0];
  }

  /** Process-wide retired instructions. */
  get instret(): number {
    let n = this.#retiredByExited;
    for (const t of this.threads) if (t.state !== "exited") n += t.hart.instret;
    return n;
  }

  /** Virtual time in ns: instructions at the virtual frequency, plus slept time. */
  nowNs(): number {
    return Math.floor(this.instret * (1e9 / this.options.hz)) + this.#sleptNs;
  }

  /** Family state, created on first use. */
  familyState<T>(name: string, create: () => T): T {
    let s = this.state.get(name) as T | undefined;
    if (s === undefined) {
      s = create();
      this.state.set(name, s);
    }
    return s;
  }

  /** Emits a trace event to the tracer. */
  emit(e: TraceEvent): void {
    this.options.tracer?.(e);
  }

  /** Ends the whole process with `status` (exit_group). */
  exitGroup(status: number): void {
    this.end ??= { kind: "exit", status: status & 255 };
  }

  /** Marks `t` exited (the thread-exit bookkeeping of the threads family runs first). */
  exitThread(t: Thread): void {
    if (t.state === "exited") return;
    this.#retiredByExited += t.hart.instret;
    t.state = "exited";
    t.wait = undefined;
    if (this.threads.every((x) => x.state === "exited")) this.exitGroup(0);
  }

  /** Stops the run because the profile denied a syscall. */
  deny(message: string): void {
    this.end ??= { kind: "deny", message };
  }

  /** Kills the process by signal `signo` (default action "terminate"). */
  killBySignal(signo: number, detail: string): void {
    this.end ??= { kind: "signal", signo, detail };
  }

  /** Parks `t` on `w`; the run loop switches to another thread. */
  block(t: Thread, w: Wait, syscall: string): void {
    t.state = "blocked";
    t.wait = w;
    t.waitSyscall = syscall;
  }

  /**
   * Gives a blocked thread the chance to finish its syscall (after a wake-up
   * or timeout). Returns true when it became runnable.
   */
  tryResume(t: Thread, timedOut = false): boolean {
    if (t.state !== "blocked" || !t.wait) return false;
    const r = t.wait.resume(timedOut);
    if (r === undefined) return false;
    t.state = "runnable";
    t.wait = undefined;
    t.hart.setXNumber(10, r);
    this.onResumed?.(t, r);
    return true;
  }

  /** Called when a blocked syscall completes (the tracer's "resumed" line). */
  onResumed: ((t: Thread, result: number) => void) | undefined;

  /** Queues a signal for thread `t`. */
  queueSignal(t: Thread, info: SigInfo): void {
    t.pending.push(info);
    // A blocked thread is interrupted if it can take the signal now.
    if (t.state === "blocked" && (t.sigmask & (1n << BigInt(info.signo - 1))) === 0n) {
      this.onSignalWhileBlocked?.(t);
    }
  }

  /** Hook for interrupting a blocked syscall with EINTR (set by the signals family). */
  onSignalWhileBlocked: ((t: Thread) => void) | undefined;

  /** Picks the thread to run next: round robin from after `after`. */
  #pickNext(after: Thread | undefined): Thread | undefined {
    const list = this.threads;
    const start = after ? list.indexOf(after) + 1 : 0;
    for (let i = 0; i < list.length; i++) {
      const t = list[(start + i) % list.length];
      if (t.state === "runnable") return t;
    }
    return undefined;
  }

  /**
   * When no thread can run: jump the clock to the earliest deadline and
   * resume its waiter. Returns false when nothing can ever wake (deadlock).
   */
  #advanceToDeadline(): boolean {
    let best: Thread | undefined;
    for (const t of this.threads) {
      const d = t.state === "blocked" ? t.wait?.deadline : undefined;
      if (d !== undefined && (best === undefined || d < best.wait!.deadline!)) best = t;
    }
    if (!best) return false;
    const now = this.nowNs();
    if (best.wait!.deadline! > now) this.#sleptNs += best.wait!.deadline! - now;
    // Every waiter whose deadline has now passed gets its timeout.
    for (const t of this.threads) {
      const d = t.state === "blocked" ? t.wait?.deadline : undefined;
      if (d !== undefined && d <= this.nowNs()) this.tryResume(t, true);
    }
    return true;
  }

  /**
   * At a scheduling point: times out waiters whose deadline passed and
   * re-polls readiness waits.
   */
  #expireDeadlines(): void {
    const now = this.nowNs();
    for (const t of this.threads) {
      if (t.state !== "blocked" || !t.wait) continue;
      const d = t.wait.deadline;
      if (d !== undefined && d <= now) this.tryResume(t, true);
      else if (t.wait.repoll) this.tryResume(t, false);
    }
  }

  /** Ends `t`'s time slice: the next runnable thread (or `t` again) gets a fresh quantum. */
  #rotate(t: Thread): Thread {
    this.#expireDeadlines();
    this.#slice = this.options.quantum;
    return this.#pickNext(t) ?? t;
  }

  /** Instructions left in the running thread's quantum. */
  #slice = 0;

  /** Makes `t` the next thread to run (hand-off scheduling after a wake). */
  handOffTo(t: Thread): void {
    this.#handoff = t;
  }

  #handoff: Thread | undefined;

  /** Ends the current thread's quantum when its syscall returns (sched_yield). */
  yieldCurrent(): void {
    this.#yield = true;
  }

  #yield = false;

  /** A human-readable report of every thread, for deadlocks and denials. */
  threadReport(): string {
    const lines: string[] = [];
    for (const t of this.threads) {
      const pc = t.hart.pc;
      const where = `pc ${this.symbols.where(pc)}`;
      const what = t.state === "blocked" ? ` waiting in ${t.waitSyscall}: ${t.wait?.reason}` : "";
      lines.push(`  thread ${t.tid}: ${t.state}, ${where}${what}`);
    }
    return lines.join("\n");
  }

  /**
   * Runs the process until it exits, is killed, is stopped by the profile,
   * deadlocks, or reaches the instruction limit.
   */
  run(): RunEnd {
    const cpu = this.cpu;
    const { quantum, maxInsns } = this.options;
    // Resuming after a stop (a debugger's breakpoint) continues the same
    // thread with what is left of its quantum, so stops never change the schedule.
    let t = this.current?.state === "runnable" ? this.current : this.#pickNext(undefined);
    while (!this.end) {
      if (!t || t.state !== "runnable") {
        this.#expireDeadlines();
        t = this.#handoff?.state === "runnable" ? this.#handoff : this.#pickNext(t);
        this.#handoff = undefined;
        if (!t) {
          if (this.#advanceToDeadline()) continue;
          this.end = { kind: "deadlock", report: this.threadReport() };
          break;
        }
      }
      if (this.current !== t) {
        if (this.current) this.counters.contextSwitches++;
        t.switches++;
        this.mem.clearReservation();
        this.current = t;
        this.#slice = quantum;
      }
      this.deliverSignals(this, t);
      if (this.end || t.state !== "runnable") continue;
      const left = maxInsns - this.instret;
      if (left <= 0) {
        this.end = { kind: "limit", instret: this.instret };
        break;
      }
      // A quantum counts the thread's instructions since it was scheduled,
      // across its syscalls: a thread that makes syscalls is preempted too.
      const before = t.hart.instret;
      const stop = cpu.run(t.hart, Math.min(this.#slice, left));
      this.#slice -= t.hart.instret - before;
      switch (stop) {
        case STOP_ECALL:
          t.hart.pc += 4;
          this.onEcall(this, t);
          if (this.#handoff && this.options.sched === "handoff") t = undefined;
          else if (this.#yield || this.#slice <= 0) t = this.#rotate(t);
          this.#yield = false;
          break;
        case STOP_LIMIT:
          if (this.#slice <= 0) t = this.#rotate(t);
          break;
        case STOP_EBREAK:
          this.raiseFault(t, { signo: SIGTRAP, code: 1, addr: t.hart.pc });
          break;
        case STOP_ILLEGAL:
          this.raiseFault(t, { signo: SIGILL, code: 1, addr: t.hart.pc });
          break;
        case STOP_FAULT: {
          const f = cpu.fault!;
          this.raiseFault(t, {
            signo: SIGSEGV,
            code: f.reason === "unmapped" ? 1 : 2,
            addr: f.address,
          });
          break;
        }
        case STOP_MISALIGNED:
          this.raiseFault(t, { signo: SIGBUS, code: 1, addr: cpu.fault!.address });
          break;
      }
    }
    return this.end!;
  }

  /**
   * A synchronous fault: queued to the faulting thread and delivered before
   * it runs again; with no handler (or the signal blocked) it kills the process.
   */
  raiseFault(t: Thread, info: SigInfo): void {
    this.faultHook(this, t, info);
  }

  /** Fault routing (replaced by the signals family to deliver to handlers). */
  faultHook: (k: Kernel, t: Thread, info: SigInfo) => void = (k, t, info) => {
    k.killBySignal(info.signo, k.describeFault(t, info));
  };

  /** One-line description of a fault for the kill message. */
  describeFault(t: Thread, info: SigInfo): string {
    const pc = t.hart.pc;
    const at = `pc ${this.symbols.where(pc)}, thread ${t.tid}, instret ${this.instret}`;
    if (info.signo === SIGILL) {
      const word = this.cpu.illegalWord >>> 0;
      return `illegal instruction 0x${word.toString(16).padStart(8, "0")} at ${at}`;
    }
    if (info.signo === SIGSEGV || info.signo === SIGBUS) {
      const kind = this.cpu.fault?.kind ?? "access";
      return `${kind} fault at address 0x${(info.addr ?? 0).toString(16)} at ${at}`;
    }
    return `${signalText(info.signo)} at ${at}`;
  }
}

/** Without the signals family: any pending signal's default action kills. */
function defaultDeliver(k: Kernel, t: Thread): void {
  const s = t.pending.shift();
  if (s) k.killBySignal(s.signo, `${signalText(s.signo)} delivered to thread ${t.tid}`);
}
