/**
 * The runner: loads an ELF, builds its process (kernel, dispatcher, files,
 * memory, signals), runs it to the end and reports exit status, output,
 * trace events and statistics. The CLI, the REPL, the notebooks and the
 * analysis all run guests through {@linkcode run} (or {@linkcode prepare}
 * for step-by-step control).
 * @module
 */

import { isaClassCounts } from "../cpu/ops.ts";
import { fileRegionStore } from "./region_files.ts";
import { Dispatcher, type PhaseOf } from "../dispatch/dispatcher.ts";
import { builtinProfile, type Profile } from "../dispatch/profile.ts";
import { execElf, startHart } from "../elf/exec.ts";
import { ElfError } from "../elf/parse.ts";
import { auxvBytes } from "../elf/stack.ts";
import type { SymbolTable } from "../elf/symbols.ts";
import type { TraceEvent, TraceWriter } from "../kernel/events.ts";
import { fdTable } from "../kernel/fd_table.ts";
import { Kernel, type RunEnd, type SchedStrategy } from "../kernel/kernel.ts";
import { setupMemory } from "../kernel/memory.ts";
import { type FilesSetup, type Mount, setupFiles } from "../kernel/mounts.ts";
import { setupSignals } from "../kernel/signals.ts";
import type { TraceSource } from "../kernel/tracee.ts";
import { setupVdso, VDSO_BASE } from "../kernel/vdso.ts";
import {
  DEFAULT_MEMORY_LIMIT,
  GuestMemory,
  MIN_MEMORY_LIMIT,
  PAGE_SIZE,
} from "../memory/memory.ts";
import { concat, inputFrom, outputTo, processSpec, resolveHost } from "./host_io.ts";
import { hostStream } from "../vfs/host_fs.ts";

/** Options of one guest run. Paths are host paths, relative to `cwd`. */
export interface RunOptions {
  /** The ELF executable to run. */
  program: string;
  /** Arguments after argv[0]. */
  args?: readonly string[];
  /** argv[0]; default `program` as given. */
  argv0?: string;
  /** Extra environment variables for the guest (on top of {@linkcode DEFAULT_ENV}). */
  env?: Readonly<Record<string, string>>;
  /** Directory served read-only at `/` (like `qemu-riscv64 -L`). */
  sysroot?: string;
  /**
   * A directory of compiled regions kept between runs ({@linkcode fileRegionStore}),
   * for a run whose code generator is fixed (the launcher's bundle); none by default.
   */
  regionCache?: string;
  /** Tier profile: a built-in name or a loaded profile; default `full`. */
  profile?: string | Profile;
  /** Extra mounts. */
  mounts?: readonly Mount[];
  /** The caller's working directory (default `Deno.cwd()`). */
  cwd?: string;
  /**
   * Shows host paths under `host` to the guest under `guest` (the cwd mount,
   * the executable's path, argv[0]): with it, results do not depend on where
   * the files sit on the host. E.g. `{ host: repoRoot, guest: "/zkabi" }`.
   */
  pathMap?: { host: string; guest: string };
  /** Seed for getrandom, /dev/urandom and AT_RANDOM; default 0. */
  seed?: number;
  /** CPUs the guest sees; default 4, at most {@linkcode MAX_CPUS}. */
  cpus?: number;
  /**
   * The guest's memory limit in bytes (committed mappings and touched
   * memory; see `lib/memory/memory.ts`); default and at most 2 GiB, at
   * least 16 MiB. The in-memory /tmp and /dev/shm hold half of it each.
   */
  memory?: number;
  /** Scheduling quantum in instructions; default 100000. */
  quantum?: number;
  /** Scheduling strategy; default `rr`. */
  sched?: SchedStrategy;
  /** Virtual clock frequency (instructions per second); default 1e9. */
  hz?: number;
  /**
   * Map a vDSO (`AT_SYSINFO_EHDR`) as Linux does; default true. Without it
   * every clock read is a syscall (a zkVM with no readable time page).
   */
  vdso?: boolean;
  /** Instruction limit; default 2^52. */
  maxInsns?: number;
  /**
   * Execution engine: `jit` (default) compiles hot code (to WebAssembly),
   * `interp` only interprets. Both give identical results and counts.
   */
  engine?: "jit" | "interp";
  /**
   * Count executed instructions per ISA class (`stats.isaClasses`). The
   * count is exact; the run uses the interpreter, so it is slower, and its
   * results and instruction counts are the same as without.
   */
  countIsaClasses?: boolean;
  /** The guest's stdin: bytes, or `inherit` for the host's; default empty. */
  stdin?: Uint8Array | "inherit";
  /** Where guest stdout goes: captured into the result (default), the host's, or a callback. */
  stdout?: "capture" | "inherit" | ((b: Uint8Array) => void);
  /** Where guest stderr goes, as for stdout. */
  stderr?: "capture" | "inherit" | ((b: Uint8Array) => void);
  /** Collect every trace event into the result. */
  collectEvents?: boolean;
  /** Called with the kernel before the run starts: attach tracers, breakpoints. */
  onKernel?: (k: Kernel) => void;
  /** Receives every trace event as it happens. */
  tracer?: (e: TraceEvent) => void;
  /**
   * Trace writers (strace text, JSON lines): each is made for the process
   * before the run, receives every event, and is finished when the run ends.
   */
  writers?: readonly ((src: TraceSource) => TraceWriter)[];
}

/** Statistics of a finished run (the `--stats` JSON). */
export interface RunStats {
  /** Retired instructions, all threads. */
  instret: number;
  /** Retired instructions per thread id. */
  instretByThread: Record<string, number>;
  /** Calls per syscall name, sorted by name. */
  syscalls: Record<string, number>;
  /** Threads created (including the first). */
  threads: number;
  /** Context switches. */
  contextSwitches: number;
  /** Futex waits that blocked, and wake calls. */
  futex: { waits: number; wakes: number };
  /** Signals delivered to handlers. */
  signalsDelivered: number;
  /** Bytes of address space mapped at the end, and touched (backed) at peak. */
  memory: { mappedBytes: number; touchedBytes: number; peakTouchedBytes: number };
  /** Exit status as zkabi reports it. */
  exitStatus: number;
  /** How the run ended. */
  end: string;
  /** Wall-clock seconds (the only non-deterministic field). */
  wallSeconds: number;
  /**
   * Executed instructions per ISA class (I, M, A, F, D, Zba, Zbb, Zbs, Zicsr,
   * Zifencei; and C: how many of them were compressed), when counted
   * ({@linkcode RunOptions.countIsaClasses}).
   */
  isaClasses?: Record<string, number>;
}

/** The outcome of {@linkcode run}. */
export interface RunResult {
  /** zkabi's exit status: the guest's, 128+N for death by signal N, 125 on an emulator error. */
  status: number;
  /** How the run ended. */
  end: RunEnd;
  /** One-line description of a non-exit end (denial, signal, deadlock). */
  message?: string;
  /** Captured stdout (empty unless captured). */
  stdout: Uint8Array;
  /** Captured stderr (empty unless captured). */
  stderr: Uint8Array;
  /** Trace events, when collected. */
  events: TraceEvent[];
  /** Statistics. */
  stats: RunStats;
  /** The kernel, for inspection after the run. */
  kernel: Kernel;
}

/** A problem starting a run (bad file, bad options): `code` is zkabi's exit status for it. */
export class RunError extends Error {
  /** 125 usage or emulator error, 126 cannot execute, 127 not found. */
  readonly code: number;

  /** Creates the error with a one-line message. */
  constructor(message: string, code: number) {
    super(message);
    this.name = "RunError";
    this.code = code;
  }
}

/** Most CPUs a guest may be shown: more than riscv64 machines have, few enough for per-CPU tables. */
export const MAX_CPUS = 512;
/** Largest program file zkabi reads (ELF executables are far smaller). */
export const MAX_PROGRAM_BYTES = 1 << 30;

/** The guest's environment before `--env`: small and deterministic. */
export const DEFAULT_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/tmp",
  LANG: "C",
};

/** A process ready to run: the kernel plus what {@linkcode finish} needs. */
export interface Prepared {
  /** The kernel (call `kernel.run()` or step it). */
  kernel: Kernel;
  /** The dispatcher. */
  dispatcher: Dispatcher;
  /** Captured output so far. */
  output: { stdout: Uint8Array[]; stderr: Uint8Array[] };
  /** Collected events. */
  events: TraceEvent[];
  /** When preparation started (for wall time). */
  started: number;
  /** Trace writers to finish when the run ends. */
  writers: TraceWriter[];
}

/**
 * Loads the program and builds its process without running it. Throws
 * {@linkcode RunError} for a missing or bad executable.
 */
export function prepare(opts: RunOptions): Prepared {
  const started = performance.now();
  const { cwd, hostPath, bytes, toGuest, shown, exeGuestPath, argv, envp, seed } = processSpec(
    opts,
  );
  const { cpus, memory } = checkLimits(opts);
  const profile = typeof opts.profile === "object"
    ? opts.profile
    : builtinProfile(opts.profile ?? "full");
  const mem = new GuestMemory({ maxBytes: memory });
  const sysroot = opts.sysroot === undefined ? undefined : resolveHost(cwd, opts.sysroot);
  const vdso = opts.vdso ?? profile.vdso ?? true;
  let exec;
  try {
    exec = execElf(mem, bytes, opts.program, {
      argv,
      envp,
      seed,
      sysroot,
      guestPath: exeGuestPath,
      execfn: shown,
      vdsoBase: vdso ? VDSO_BASE : undefined,
    });
  } catch (e) {
    if (e instanceof ElfError) throw new RunError(e.message, 126);
    throw e;
  }
  const events: TraceEvent[] = [];
  const output = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[] };
  const k = newKernel(opts, mem, exec.load.symbols, seed, cpus, events);
  const writers = (opts.writers ?? []).map((make) => make(k.tracee));
  for (const w of writers) k.addTracer(w);
  if (opts.countIsaClasses) k.cpu.opCounts = new Float64Array(512);
  startHart(k.mainThread.hart, exec.load.entry, exec.stack.sp);
  const setup: FilesSetup = {
    sysroot,
    mounts: opts.mounts ?? [],
    cwd,
    guestCwd: toGuest(cwd),
    exeHostPath: hostPath,
    exeGuestPath,
    auxv: auxvBytes(exec.stack.auxv),
    stdin: inputFrom(opts.stdin),
    hostStreams: {
      stdin: opts.stdin === "inherit" ? hostStream(0) : undefined,
      stdout: opts.stdout === "inherit" && hostStream(1) === "null" ? "null" : undefined,
      stderr: opts.stderr === "inherit" && hostStream(2) === "null" ? "null" : undefined,
    },
    stdout: outputTo(opts.stdout, output.stdout, Deno.stdout),
    stderr: outputTo(opts.stderr, output.stderr, Deno.stderr),
    terminals: {
      stdin: opts.stdin === "inherit" && Deno.stdin.isTerminal(),
      stdout: opts.stdout === "inherit" && Deno.stdout.isTerminal(),
      stderr: opts.stderr === "inherit" && Deno.stderr.isTerminal(),
    },
    argv,
    envp,
  };
  try {
    setupFiles(k, setup);
  } catch (e) {
    // A mount that cannot be made (missing directory, bad mount point).
    throw new RunError((e as Error).message.split("\n")[0], 125);
  }
  setupMemory(k, { brk: exec.load.brk });
  setupSignals(k, vdso ? setupVdso(k).sigreturn : undefined);
  const interp = exec.load.interpreter;
  const dispatcher = new Dispatcher(k, profile, phaseByStudyRule(interp?.start, interp?.end));
  opts.onKernel?.(k);
  return { kernel: k, dispatcher, output, events, started, writers };
}

/**
 * The process's kernel with the run's scheduler, clock and limits (the
 * runner's defaults where `opts` says nothing), its engine chosen, and the
 * event collectors of `opts` attached (`events` receives them when
 * `collectEvents` is set). The in-guest kernel's runner builds its machine
 * on one too.
 */
export function newKernel(
  opts: RunOptions,
  mem: GuestMemory,
  symbols: SymbolTable,
  seed: number,
  cpus: number,
  events: TraceEvent[],
): Kernel {
  const k = new Kernel({
    mem,
    symbols,
    seed,
    cpus,
    quantum: opts.quantum ?? 100_000,
    sched: opts.sched ?? "rr",
    hz: opts.hz ?? 1e9,
    maxInsns: opts.maxInsns ?? 2 ** 52,
  });
  if (opts.collectEvents) k.addTracer((e) => events.push(e));
  if (opts.tracer) k.addTracer(opts.tracer);
  // Counting ISA classes needs the interpreter (only it counts per op).
  k.cpu.jit = (opts.engine ?? "jit") === "jit" && !opts.countIsaClasses;
  if (opts.regionCache !== undefined) k.cpu.regionStore = fileRegionStore(opts.regionCache);
  return k;
}

/** Runs a prepared process to its end and collects the result. */
export function finish(p: Prepared): RunResult {
  const k = p.kernel;
  const end = k.end ?? k.run();
  // The process is gone: its descriptors close (host files it left open among them).
  const fds = fdTable(k);
  for (const fd of fds.fds()) fds.close(fd);
  for (const w of p.writers) w.finish(end);
  const { status, message } = describeEnd(end);
  const stats = collectStats(k, status, end, (performance.now() - p.started) / 1000);
  return {
    status,
    end,
    message,
    stdout: concat(p.output.stdout),
    stderr: concat(p.output.stderr),
    events: p.events,
    stats,
    kernel: k,
  };
}

/** Runs a guest program to completion. */
export function run(opts: RunOptions): RunResult {
  return finish(prepare(opts));
}

/** zkabi's exit status and message for a run's end. */
export function describeEnd(end: RunEnd): { status: number; message?: string } {
  switch (end.kind) {
    case "exit":
      return { status: end.status };
    case "signal":
      return { status: 128 + end.signo, message: `killed by signal ${end.signo}: ${end.detail}` };
    case "deny":
      return { status: 125, message: end.message };
    case "deadlock":
      return { status: 125, message: `deadlock: every thread is blocked\n${end.report}` };
    case "limit":
      return {
        status: 125,
        message: `instruction limit reached after ${end.instret} instructions`,
      };
    case "error":
      return { status: 125, message: end.message };
  }
}

/** Statistics of a process so far: everything in {@linkcode RunStats} but how and when it ended. */
export function processStats(k: Kernel): Omit<RunStats, "exitStatus" | "end" | "wallSeconds"> {
  const byThread: Record<string, number> = {};
  for (const t of k.threads) byThread[String(t.tid)] = t.hart.instret;
  const syscalls: Record<string, number> = {};
  for (const name of [...k.counters.syscalls.keys()].sort()) {
    syscalls[name] = k.counters.syscalls.get(name)!;
  }
  return {
    instret: k.instret,
    instretByThread: byThread,
    syscalls,
    threads: k.counters.threadsCreated,
    contextSwitches: k.counters.contextSwitches,
    futex: { waits: k.counters.futexWaits, wakes: k.counters.futexWakes },
    signalsDelivered: k.counters.signalsDelivered,
    memory: {
      mappedBytes: k.mem.mappedBytes,
      touchedBytes: k.mem.touchedPages * PAGE_SIZE,
      peakTouchedBytes: k.mem.peakTouchedPages * PAGE_SIZE,
    },
  };
}

function collectStats(k: Kernel, status: number, end: RunEnd, wall: number): RunStats {
  const counts = k.cpu.opCounts;
  return {
    ...processStats(k),
    exitStatus: status,
    end: end.kind,
    wallSeconds: wall,
    ...(counts ? { isaClasses: isaClassCounts(counts) } : {}),
  };
}

/**
 * Phases as the study defines them: the dynamic loader while the pc is in
 * the interpreter; then runtime start-up until the first write to stdout or
 * stderr; then the application; exit and exit_group are the exit phase.
 */
function phaseByStudyRule(interpStart?: number, interpEnd?: number): PhaseOf {
  let app = false;
  return (k, _t, pc, name) => {
    if (name === "exit_group" || name === "exit") return "exit";
    if (interpStart !== undefined && pc >= interpStart && pc < interpEnd!) return "loader";
    if (!app && (name === "write" || name === "writev")) {
      const fd = k.current?.hart.xl[10];
      if (fd === 1 || fd === 2) app = true;
    }
    return app ? "app" : "startup";
  };
}

/**
 * The CPU count and memory limit of `opts` with their defaults; throws
 * {@linkcode RunError} (125) when one is out of range.
 */
export function checkLimits(opts: Pick<RunOptions, "cpus" | "memory">): {
  cpus: number;
  memory: number;
} {
  const cpus = opts.cpus ?? 4;
  if (!Number.isSafeInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) {
    throw new RunError(`cpus: expected 1 to ${MAX_CPUS}, got ${cpus}`, 125);
  }
  const memory = opts.memory ?? DEFAULT_MEMORY_LIMIT;
  if (!(memory >= MIN_MEMORY_LIMIT && memory <= DEFAULT_MEMORY_LIMIT)) {
    throw new RunError(
      `memory: expected ${MIN_MEMORY_LIMIT} to ${DEFAULT_MEMORY_LIMIT} bytes, got ${memory}`,
      125,
    );
  }
  return { cpus, memory };
}
