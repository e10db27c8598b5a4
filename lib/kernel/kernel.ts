/**
 * The emulated Linux kernel for one guest process and zkabi's one execution
 * core: threads and the deterministic scheduler, the virtual clock, and the
 * only loop that drives the CPU. The runner, the REPL and the analysis all
 * run guests through it: {@linkcode Kernel.run} to the end,
 * {@linkcode Kernel.runFor} for a budget or until an observer asks to stop,
 * {@linkcode Kernel.step} for one thread alone. Every CPU stop becomes a
 * signal (or an ECALL) in one place, `#handleStop`.
 *
 * Observers attach and detach cleanly, each call returning its detach
 * function: tracers (every trace event), ECALL and fault interceptors (which
 * may stop the run, as a debugger's breakpoints do) and samplers (the pc
 * every N instructions).
 *
 * Syscall handlers live in family modules beside this file (files, memory,
 * process, threads, signals, time, info, poll), listed with each syscall's
 * number, decoder and category in `syscalls.ts`; the ECALL dispatcher in
 * `lib/dispatch/` decides, per the tier profile, whether a syscall reaches
 * them.
 * @module
 */

import { SIGBUS, SIGILL, SIGKILL, signalText, SIGSEGV, SIGTRAP } from "../abi/signals.ts";
import {
  Cpu,
  STOP_EBREAK,
  STOP_ECALL,
  STOP_FAULT,
  STOP_ILLEGAL,
  STOP_LIMIT,
  STOP_MISALIGNED,
} from "../cpu/interpreter.ts";
import type { SymbolTable } from "../elf/symbols.ts";
import { type GuestMemory, hex64, OutOfMemory } from "../memory/memory.ts";
import type { TraceEvent } from "./events.ts";
import { deliverPending, interruptBlocked, routeFault } from "./signals.ts";
import { type SigInfo, Thread } from "./thread.ts";
import { Tracee } from "./tracee.ts";
import type { Wait } from "./types.ts";

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

/**
 * Why {@linkcode Kernel.runFor} returned: the process `ended`, an observer
 * asked to stop (`stopped`), or the instruction budget ran out (`budget`).
 */
export type RunOutcome = "ended" | "stopped" | "budget";

/** Receives every trace event. */
export type Tracer = (e: TraceEvent) => void;

/**
 * Sees each ECALL before the dispatcher (the thread's pc already past it).
 * Returning true claims it: the dispatcher does not run and the run loop
 * stops; the interceptor puts the thread where it wants it.
 */
export type EcallInterceptor = (t: Thread) => boolean;

/**
 * Sees each synchronous fault (SIGTRAP for EBREAK, SIGILL, SIGSEGV, SIGBUS)
 * before it is delivered. Returning true claims it: no signal, and the run
 * loop stops.
 */
export type FaultInterceptor = (t: Thread, info: SigInfo) => boolean;

/** Receives the pc of the running thread every sampling period. */
export type Sampler = (t: Thread, pc: number) => void;

/** A process timer (interval timers): the scheduler fires it once it is due. */
export interface KernelTimer {
  /**
   * When it fires on the virtual clock (absolute ns), if it follows that
   * clock: when every thread waits, the clock jumps to it. CPU-time timers
   * leave it undefined (no time passes for them while all threads wait).
   */
  readonly deadline: number | undefined;
  /** Fires the timer if it is due (called at every scheduling point). */
  check(): void;
}

/** What answers ECALLs: the dispatcher. */
export interface EcallHandler {
  /** Handles the ECALL `t` just made (its pc already past it). */
  ecall(t: Thread): void;
  /** A blocked syscall of `t` completed with `result` (after a wake-up, timeout or signal). */
  resumed(t: Thread, result: number): void;
}

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

/** Removes `x` from `list` (a detach function's body). */
function remover<T>(list: T[], x: T): () => void {
  return () => {
    const i = list.indexOf(x);
    if (i >= 0) list.splice(i, 1);
  };
}

/**
 * One guest process. Family modules reach process state through the public
 * fields; {@linkcode Kernel.familyState} lets each family keep its own data
 * (fd table, brk, signal actions, futex queues) without the core knowing its
 * shape.
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
  /** Sequence number for trace events. */
  seq = 0;
  /** The read-only view tracers get of this process. */
  readonly tracee: Tracee = new Tracee(this);
  /** Virtual ns added when every thread slept and the clock jumped. */
  #sleptNs = 0;
  #nextTid = 1000;
  /** Total retired instructions of exited threads (live ones are summed on demand). */
  #retiredByExited = 0;
  #ecallHandler: EcallHandler | undefined;
  readonly #tracers: Tracer[] = [];
  readonly #ecallInterceptors: EcallInterceptor[] = [];
  readonly #faultInterceptors: FaultInterceptor[] = [];
  readonly #samplers: { period: number; left: number; fn: Sampler }[] = [];
  /** Set by an observer: the run loop returns at the next instruction boundary. */
  #stopRequested = false;
  /** Armed process timers, in arming order. */
  readonly #timers: KernelTimer[] = [];

  /** Creates the process with its first thread (pc and sp set by the caller). */
  constructor(options: KernelOptions) {
    this.options = options;
    this.mem = options.mem;
    this.symbols = options.symbols;
    this.cpu = new Cpu(this.mem);
    this.cpu.timeCsr = (_h, _retired) => Math.floor(this.nowNs() / 100); // 10 MHz timebase
    this.newThread();
  }

  // ------------------------------------------------------------- observers

  /** Sets the ECALL handler (the dispatcher); a process has exactly one. */
  setEcallHandler(h: EcallHandler): void {
    if (this.#ecallHandler) throw new Error("this kernel already has an ECALL handler");
    this.#ecallHandler = h;
  }

  /** Attaches a tracer; returns its detach function. */
  addTracer(fn: Tracer): () => void {
    this.#tracers.push(fn);
    return remover(this.#tracers, fn);
  }

  /** Attaches an ECALL interceptor (see {@linkcode EcallInterceptor}); returns its detach function. */
  addEcallInterceptor(fn: EcallInterceptor): () => void {
    this.#ecallInterceptors.push(fn);
    return remover(this.#ecallInterceptors, fn);
  }

  /** Attaches a fault interceptor (see {@linkcode FaultInterceptor}); returns its detach function. */
  addFaultInterceptor(fn: FaultInterceptor): () => void {
    this.#faultInterceptors.push(fn);
    return remover(this.#faultInterceptors, fn);
  }

  /**
   * Calls `fn` with the running thread's pc every `period` instructions
   * (counted across threads); returns its detach function. Sampling never
   * changes the schedule or the counts.
   */
  addSampler(period: number, fn: Sampler): () => void {
    if (!(period >= 1)) throw new RangeError(`sampling period must be at least 1, not ${period}`);
    const s = { period, left: period, fn };
    this.#samplers.push(s);
    return remover(this.#samplers, s);
  }

  /** Asks the run loop to return (`stopped`) at the next instruction boundary. */
  requestStop(): void {
    this.#stopRequested = true;
  }

  /** Emits a trace event to every tracer. */
  emit(e: TraceEvent): void {
    for (const fn of this.#tracers) fn(e);
  }

  // ------------------------------------------------------ process and threads

  /** Creates a runnable thread with the next tid. */
  newThread(): Thread {
    const t = new Thread(this.#nextTid++);
    this.threads.push(t);
    this.#alive.push(t);
    this.counters.threadsCreated++;
    return t;
  }

  /** Threads that exist (not exited): what RLIMIT_NPROC counts. */
  get liveThreads(): number {
    return this.#alive.length;
  }

  /**
   * The threads that have not exited, in creation order: what the scheduler
   * scans, so a program that creates and ends many threads stays linear.
   */
  readonly #alive: Thread[] = [];

  /** The first thread. */
  get mainThread(): Thread {
    return this.threads[0];
  }

  /** Process-wide retired instructions. */
  get instret(): number {
    let n = this.#retiredByExited;
    for (const t of this.#alive) n += t.hart.instret;
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

  /** Ends the whole process with `status` (exit_group). */
  exitGroup(status: number): void {
    this.end ??= { kind: "exit", status: status & 255 };
  }

  /** Marks `t` exited (the thread-exit bookkeeping of the threads family runs first). */
  exitThread(t: Thread): void {
    if (t.state === "exited") return;
    this.#retiredByExited += t.hart.instret;
    this.#alive.splice(this.#alive.indexOf(t), 1);
    t.state = "exited";
    t.wait = undefined;
    if (this.#alive.length === 0) this.exitGroup(0);
  }

  /** Stops the run because the profile denied a syscall. */
  deny(message: string): void {
    this.end ??= { kind: "deny", message };
  }

  /** Kills the process by signal `signo` (default action "terminate"). */
  killBySignal(signo: number, detail: string): void {
    this.end ??= { kind: "signal", signo, detail };
  }

  /** Arms `timer`: the scheduler checks it at every scheduling point until it is disarmed. */
  armTimer(timer: KernelTimer): void {
    if (!this.#timers.includes(timer)) this.#timers.push(timer);
  }

  /** Disarms `timer`. */
  disarmTimer(timer: KernelTimer): void {
    const i = this.#timers.indexOf(timer);
    if (i >= 0) this.#timers.splice(i, 1);
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
    this.syscallResumed(t, r);
    return true;
  }

  /** A blocked syscall of `t` completed with `result`: the dispatcher finishes its trace event. */
  syscallResumed(t: Thread, result: number): void {
    this.#ecallHandler?.resumed(t, result);
  }

  /** Queues a signal for thread `t`. */
  queueSignal(t: Thread, info: SigInfo): void {
    t.pending.push(info);
    // A blocked thread is interrupted if it can take the signal now.
    if (t.state === "blocked" && (t.sigmask & (1n << BigInt(info.signo - 1))) === 0n) {
      interruptBlocked(this, t);
    }
  }

  /**
   * A synchronous fault of `t`: fault interceptors see it first; then it is
   * queued to the thread and delivered before it runs again, or (no handler,
   * or the signal blocked) it kills the process.
   */
  raiseFault(t: Thread, info: SigInfo): void {
    for (const fn of this.#faultInterceptors) {
      if (fn(t, info)) {
        this.#stopRequested = true;
        return;
      }
    }
    routeFault(this, t, info);
  }

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
      return `${kind} fault at address 0x${hex64(info.addr ?? 0)} at ${at}`;
    }
    return `${signalText(info.signo)} at ${at}`;
  }

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

  // --------------------------------------------------------------- scheduler

  /** Picks the thread to run next: round robin (in creation order) from after `after`. */
  #pickNext(after: Thread | undefined): Thread | undefined {
    const list = this.#alive;
    // Tids grow with creation: the first live thread created after `after` (which may have exited).
    let start = 0;
    if (after) { while (start < list.length && list[start].tid <= after.tid) start++; }
    for (let i = 0; i < list.length; i++) {
      const t = list[(start + i) % list.length];
      if (t.state === "runnable") return t;
    }
    return undefined;
  }

  /**
   * When no thread can run: jump the clock to the earliest deadline (of a
   * waiter or a timer), fire the due timers and resume the waiters whose
   * deadline passed. Returns false when nothing can ever wake (deadlock).
   */
  #advanceToDeadline(): boolean {
    let best: number | undefined;
    for (const t of this.#alive) {
      const d = t.state === "blocked" ? t.wait?.deadline : undefined;
      if (d !== undefined && (best === undefined || d < best)) best = d;
    }
    const waiterDeadline = best !== undefined;
    for (const timer of this.#timers) {
      const d = timer.deadline;
      if (d !== undefined && (best === undefined || d < best)) best = d;
    }
    if (best === undefined) return false;
    const now = this.nowNs();
    if (best > now) this.#sleptNs += best - now;
    this.#fireTimers();
    // Every waiter whose deadline has now passed gets its timeout.
    for (const t of [...this.#alive]) {
      const d = t.state === "blocked" ? t.wait?.deadline : undefined;
      if (d !== undefined && d <= this.nowNs()) this.tryResume(t, true);
    }
    if (waiterDeadline) return true;
    // Only a timer fired: if its signal let no thread run, nothing ever will.
    this.#expireDeadlines();
    return this.end !== undefined || this.#alive.some((t) => t.state === "runnable");
  }

  /**
   * At a scheduling point: times out waiters whose deadline passed and
   * re-polls readiness waits.
   */
  #expireDeadlines(): void {
    this.#fireTimers();
    const now = this.nowNs();
    for (const t of [...this.#alive]) {
      if (t.state !== "blocked" || !t.wait) continue;
      const d = t.wait.deadline;
      if (d !== undefined && d <= now) this.tryResume(t, true);
      else if (t.wait.repoll) this.tryResume(t, false);
    }
  }

  /** Fires the due timers (their signals may interrupt waiters). */
  #fireTimers(): void {
    for (const timer of [...this.#timers]) timer.check();
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

  /** Makes `t` the current thread (a context switch when another one was). */
  #switchTo(t: Thread, freshSlice: boolean): void {
    if (this.current === t) return;
    if (this.current) this.counters.contextSwitches++;
    t.switches++;
    this.mem.clearReservation();
    this.current = t;
    if (freshSlice) this.#slice = this.options.quantum;
  }

  // ---------------------------------------------------------- execution core

  /** Runs the process to its end (stop requests are ignored) and returns how it ended. */
  run(): RunEnd {
    while (this.runFor(Infinity) !== "ended");
    return this.end!;
  }

  /**
   * Runs the scheduler for at most `budget` instructions (process-wide), or
   * until the process ends or an observer asks to stop. Resuming after a
   * stop continues the same thread with what is left of its quantum, so
   * stops never change the schedule.
   */
  runFor(budget: number): RunOutcome {
    return this.#oomKills(() => this.#runFor(budget), "ended");
  }

  /**
   * Runs `body`; a page touched past the memory limit (the arena is full)
   * kills the process with SIGKILL, as Linux's OOM killer does.
   */
  #oomKills<T>(body: () => T, ended: T): T {
    try {
      return body();
    } catch (e) {
      if (!(e instanceof OutOfMemory)) throw e;
      const t = this.current;
      const where = t ? ` in thread ${t.tid} at pc ${this.symbols.where(t.hart.pc)}` : "";
      this.killBySignal(
        SIGKILL,
        `out of memory: the memory limit is ${this.mem.limit} bytes${where}`,
      );
      return ended;
    }
  }

  #runFor(budget: number): RunOutcome {
    this.#stopRequested = false;
    const { maxInsns, sched } = this.options;
    const stopAt = this.instret + budget;
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
      this.#switchTo(t, true);
      deliverPending(this, t);
      if (this.end || t.state !== "runnable") continue;
      const instret = this.instret;
      if (instret >= maxInsns) {
        this.end = { kind: "limit", instret };
        break;
      }
      if (instret >= stopAt) return "budget";
      // A quantum counts the thread's instructions since it was scheduled,
      // across its syscalls: a thread that makes syscalls is preempted too.
      const before = t.hart.instret;
      const stop = this.#exec(t, Math.min(this.#slice, maxInsns - instret, stopAt - instret));
      this.#slice -= t.hart.instret - before;
      this.#handleStop(t, stop);
      if (this.#stopRequested) return this.end ? "ended" : "stopped";
      if (stop === STOP_ECALL) {
        if (this.#handoff && sched === "handoff") t = undefined;
        else if (this.#yield || this.#slice <= 0) t = this.#rotate(t);
        this.#yield = false;
      } else if (stop === STOP_LIMIT && this.#slice <= 0) {
        t = this.#rotate(t);
      }
    }
    return "ended";
  }

  /**
   * Runs thread `t` alone for up to `n` instructions, handling its ECALLs
   * and faults as the scheduler does, without preemption; returns early when
   * it blocks or exits, the process ends or an observer asks to stop.
   * Returns the instructions retired.
   */
  step(t: Thread, n: number): number {
    let done = 0;
    const r = this.#oomKills(() => this.#step(t, n, (d) => (done = d)), -1);
    return r < 0 ? done : r;
  }

  #step(t: Thread, n: number, progress: (done: number) => void): number {
    this.#stopRequested = false;
    let done = 0;
    while (done < n && !this.end && t.state === "runnable") {
      this.#switchTo(t, false);
      deliverPending(this, t);
      if (this.end || t.state !== "runnable") break;
      const left = this.options.maxInsns - this.instret;
      if (left <= 0) {
        this.end = { kind: "limit", instret: this.instret };
        break;
      }
      const before = t.hart.instret;
      const stop = this.#exec(t, Math.min(n - done, left));
      done += t.hart.instret - before;
      progress(done);
      this.#handleStop(t, stop);
      this.#yield = false;
      if (this.#stopRequested) break;
    }
    return done;
  }

  /** Runs `t`'s hart for at most `limit` instructions, pausing at sample points. */
  #exec(t: Thread, limit: number): number {
    const samplers = this.#samplers;
    if (samplers.length === 0) return this.cpu.run(t.hart, limit);
    const h = t.hart;
    let done = 0;
    while (true) {
      let step = limit - done;
      for (const s of samplers) step = Math.min(step, s.left);
      const before = h.instret;
      const stop = this.cpu.run(h, step);
      const ran = h.instret - before;
      done += ran;
      for (const s of [...samplers]) {
        s.left -= ran;
        if (s.left <= 0) {
          s.left = s.period;
          s.fn(t, h.pc);
        }
      }
      if (stop !== STOP_LIMIT || done >= limit) return stop;
    }
  }

  /** The one mapping from CPU stops to ECALLs and signals. */
  #handleStop(t: Thread, stop: number): void {
    switch (stop) {
      case STOP_ECALL:
        t.hart.pc += 4;
        for (const fn of this.#ecallInterceptors) {
          if (fn(t)) {
            this.#stopRequested = true;
            return;
          }
        }
        this.#ecallHandler?.ecall(t);
        return;
      case STOP_EBREAK:
        this.raiseFault(t, { signo: SIGTRAP, code: 1, addr: t.hart.pc });
        return;
      case STOP_ILLEGAL:
        this.raiseFault(t, { signo: SIGILL, code: 1, addr: t.hart.pc });
        return;
      case STOP_FAULT: {
        const f = this.cpu.fault!;
        this.raiseFault(t, {
          signo: SIGSEGV,
          code: f.reason === "unmapped" ? 1 : 2,
          addr: f.address,
        });
        return;
      }
      case STOP_MISALIGNED:
        this.raiseFault(t, { signo: SIGBUS, code: 1, addr: this.cpu.fault!.address });
        return;
    }
  }
}
