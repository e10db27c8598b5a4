/**
 * Runs guests for the analysis and boils each run down to a
 * {@linkcode RunDigest}: outcome, output hashes, statistics, the syscall
 * profile, phase boundaries, memory figures and (optionally) pc samples.
 * A digest is plain data, so runs can go to worker threads
 * ({@linkcode RunPool}) and results stay identical whichever worker ran them.
 *
 * pc sampling: with `sample: N` the engine's `run` is wrapped (on this
 * kernel's Cpu instance only; lib/cpu is not changed) so that it stops every
 * N retired instructions process-wide and records the pc about to execute.
 * The wrapped engine retires exactly the same instructions (it calls the
 * original in shorter slices), so the run is unchanged: same output, same
 * instruction count.
 *
 * Early stop: with `expect`, the run stops as soon as its stdout or stderr
 * differs from the expected bytes (a stub trial that already failed need
 * not run to its end; a stderr message gets to finish its first line);
 * `diverged` tells which stream. With `maxSyscalls`
 * it stops as a livelock after that many ECALLs (a stubbed futex or
 * nanosleep makes runtimes spin on the call).
 * @module
 */

import { createHash } from "node:crypto";
import { builtinProfile, parseProfile, type Profile } from "../dispatch/profile.ts";
import type { Phase, TraceEvent } from "../kernel/events.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { Mount } from "../kernel/mounts.ts";
import type { GuestKernelStats } from "../guest_kernel/cost.ts";
import { runGuestKernel } from "../guest_kernel/run.ts";
import { finish, prepare, RunError, type RunOptions } from "../run/run.ts";
import { createStraceWriter } from "../trace/strace.ts";
import { type Observed, Observer } from "./observe.ts";
import { PHASES, profileFromEvents, type SyscallProfile } from "./syscall_profile.ts";
import { attachWatches, type CodeWatch, loadBias, type WatchHit } from "./watch.ts";

/** A run to do: plain data (it may cross to a worker). */
export interface RunRequest {
  /** Label for the profile (e.g. `go-t8n`). */
  label: string;
  /** The ELF (absolute host path). */
  program: string;
  /** Arguments after argv[0]. */
  args: readonly string[];
  /** argv[0] as the guest sees it (default: `program`). */
  argv0?: string;
  /** Working directory (absolute). */
  cwd: string;
  /** Host paths under `host` appear to the guest under `guest` (see `RunOptions.pathMap`). */
  pathMap?: { host: string; guest: string };
  /** Sysroot for dynamic guests. */
  sysroot?: string;
  /** Extra environment. */
  env?: Readonly<Record<string, string>>;
  /** Host directories mounted into the guest. */
  mounts?: readonly Mount[];
  /** Seed of getrandom, /dev/urandom and AT_RANDOM (default 0). */
  seed?: number;
  /** Scheduling quantum in instructions (default 100000). */
  quantum?: number;
  /** Virtual clock frequency (default 1e9). */
  hz?: number;
  /** A built-in profile name, or a profile in its file form (parsed with `parseProfile`). */
  profile: string | Record<string, unknown>;
  /** CPUs the guest sees (default 4). */
  cpus?: number;
  /** The guest's memory limit in bytes (default 2 GiB). */
  memory?: number;
  /** Scheduling strategy (default rr). */
  sched?: "rr" | "handoff";
  /** Instruction limit. */
  maxInsns?: number;
  /** Stop (as a livelock) after this many ECALLs. */
  maxSyscalls?: number;
  /** Execution engine (default jit; both give identical results and counts). */
  engine?: "jit" | "interp";
  /** Map a vDSO (default: the profile's choice, else on); off to compare with qemu-user. */
  vdso?: boolean;
  /** Sample the pc every this many instructions. */
  sample?: number;
  /** Stop when stdout/stderr stop matching these bytes. */
  expect?: { stdout: Uint8Array; stderr: Uint8Array };
  /**
   * Functions to watch, at their addresses in the ELF file (the load bias is
   * added here). A watch named `main` is the application's entry: with it,
   * phases follow the main rule (see {@linkcode RunDigest.phaseRule}).
   */
  watches?: readonly CodeWatch[];
  /** Record the argument values used per syscall ({@linkcode RunDigest.observed}). */
  observe?: boolean;
  /** Keep the first `head` and last `tail` lines of the run's strace text. */
  strace?: { head: number; tail: number };
  /** Count executed instructions per ISA class ({@linkcode RunDigest.isaClasses}; interpreter). */
  countIsaClasses?: boolean;
  /**
   * Host files changed for an experiment, by the guest path the program
   * opens: `enoent` makes its `openat` fail with ENOENT, `empty` makes every
   * read of it return end-of-file at once.
   */
  fileOverrides?: readonly { path: string; action: "enoent" | "empty" }[];
  /**
   * Run under the in-guest kernel in this ELF (host path) instead of zkabi's
   * built-in kernel: the digest then has no syscall trace but
   * {@linkcode RunDigest.guestKernel}.
   */
  guestKernel?: string;
}

/** Memory figures of a run, from its mmap/munmap/brk calls and the final address space. */
export interface MemoryDigest {
  /** Program break at the first brk call, and the highest break returned. */
  brkStart: number | null;
  /** Highest program break returned. */
  brkMax: number | null;
  /** brk calls. */
  brkCalls: number;
  /** Successful mmap calls. */
  mmapCalls: number;
  /** Bytes asked of successful mmaps. */
  mmapBytes: number;
  /** Of those, bytes mapped PROT_NONE (reservations). */
  mmapReservedBytes: number;
  /** mmaps with MAP_FIXED (committing parts of reservations, loader segments). */
  mmapFixed: number;
  /** Bytes unmapped by successful munmaps. */
  munmapBytes: number;
  /** madvise calls. */
  madviseCalls: number;
  /** Address space mapped at the end (bytes). */
  mappedBytes: number;
  /** Pages backed at the end (bytes). */
  touchedBytes: number;
  /** Most pages backed at once (bytes). */
  peakTouchedBytes: number;
}

/** What the analysis keeps of one run. */
export interface RunDigest {
  /** The request's label. */
  label: string;
  /** zkabi's exit status (128+N for signals, 125 for stops). */
  status: number;
  /** How the run ended (`exit`, `signal`, `deny`, `deadlock`, `limit`, `error`). */
  end: string;
  /** One-line description of a non-exit end. */
  message: string;
  /** sha256 of stdout. */
  stdoutSha256: string;
  /** stdout length. */
  stdoutLength: number;
  /** First 300 bytes of stdout as text. */
  stdoutHead: string;
  /** sha256 of stderr. */
  stderrSha256: string;
  /** First 300 bytes of stderr as text. */
  stderrHead: string;
  /** stdout bytes, kept when at most 1 MiB (for early stops of later runs; not reported). */
  stdout?: Uint8Array;
  /** stderr bytes, kept when at most 1 MiB. */
  stderr?: Uint8Array;
  /** Set when the run was stopped early because an output diverged. */
  diverged?: "stdout" | "stderr";
  /** The syscall that stopped the run under the profile, if one did. */
  denied?: { name: string; phase: Phase; route: string; thread: number };
  /** Retired instructions. */
  instret: number;
  /** Retired instructions per thread number (1 = first thread). */
  instretByThread: Record<string, number>;
  /** Threads created (including the first). */
  threads: number;
  /** Context switches. */
  contextSwitches: number;
  /** Futex waits that blocked and wake calls. */
  futex: { waits: number; wakes: number };
  /** Signals delivered to handlers. */
  signalsDelivered: number;
  /** The syscall profile of the run (phases by {@linkcode RunDigest.phaseRule}). */
  profile: SyscallProfile;
  /**
   * How phases were assigned. `main`: the application starts when the pc
   * first reaches the program's `main` (Go's `main.main`, a Rust crate's
   * `main`): every call after that instruction, on any thread, is
   * application phase. `study`: the study's rule (the application starts at
   * the first write to fd 1 or 2). Both: loader while the pc is in the
   * dynamic loader; `exit`/`exit_group` are the exit phase.
   */
  phaseRule: "main" | "study";
  /** Process instret when `main` was first entered (main rule only). */
  mainEntry?: number;
  /** The same run's profile under the study's rule (main rule runs only). */
  studyProfile?: SyscallProfile;
  /**
   * Process instret at the first call of each phase (null: the phase had no
   * call); for `exit`, the first exit call after every other call. Under the
   * main rule the application starts exactly at `mainEntry`.
   */
  phaseStart: Record<Phase, number | null>;
  /** The same under the study's rule (main rule runs only). */
  studyPhaseStart?: Record<Phase, number | null>;
  /** What the watches saw. */
  watches?: WatchHit[];
  /** Argument values used per syscall (with `observe`). */
  observed?: Observed;
  /** An excerpt of the strace text (with `strace`): head, a `...` line, tail. */
  traceExcerpt?: string[];
  /** Under the in-guest kernel: what providing the ABI cost (see lib/guest_kernel). */
  guestKernel?: GuestKernelStats;
  /**
   * Instructions executed per ISA class (I, M, A, F, D, C, Zba, Zbb, Zbs,
   * Zicsr, Zifencei), when the CPU counts them; absent: not measured.
   */
  isaClasses?: Record<string, number>;
  /** Memory figures. */
  memory: MemoryDigest;
  /** pc samples per phase: `[pc, count]` sorted by pc. */
  samples?: { interval: number; byPhase: Record<Phase, [number, number][]> };
  /** Load bias of the main executable (0 for ET_EXEC). */
  exeBias: number;
  /** Wall-clock seconds (not deterministic: never written to committed reports). */
  wallSeconds: number;
}

function sha256(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

function head(b: Uint8Array): string {
  return new TextDecoder().decode(b.subarray(0, 300));
}

function startsWithAt(expect: Uint8Array, at: number, b: Uint8Array): boolean {
  if (at + b.length > expect.length) return false;
  for (let i = 0; i < b.length; i++) if (expect[at + i] !== b[i]) return false;
  return true;
}

/** Performs one run in this thread. Never throws for guest behaviour; RunError for a bad program. */
export function executeRun(req: RunRequest): RunDigest {
  if (req.guestKernel) return executeGuestKernelRun(req);
  const started = performance.now();
  const profile: Profile = typeof req.profile === "string"
    ? builtinProfile(req.profile)
    : parseProfile(req.profile, `profile ${String(req.profile.name)}`);
  const events: TraceEvent[] = [];
  let kernel: Kernel | undefined;
  let diverged: "stdout" | "stderr" | undefined;
  let divergedAt = 0;
  const stop = (which: string) => {
    if (kernel) kernel.end ??= { kind: "error", message: `${which} differs from the reference` };
  };
  const out = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[], so: 0, se: 0 };
  const sink = (which: "stdout" | "stderr") => (b: Uint8Array) => {
    out[which].push(b.slice());
    const at = which === "stdout" ? out.so : out.se;
    if (which === "stdout") out.so += b.length;
    else out.se += b.length;
    if (req.expect && !diverged && !startsWithAt(req.expect[which], at, b)) {
      diverged = which;
      divergedAt = at;
      // stdout: stop now. stderr: let the first line of the message out.
      if (which === "stdout") stop(which);
    }
    if (diverged === "stderr" && which === "stderr") {
      const tail = concat(out.stderr).subarray(divergedAt);
      if (tail.includes(10) || tail.length > 4096) stop("stderr");
    }
  };
  let curPhase: Phase = "startup";
  let calls = 0;
  const samples = new Map<Phase, Map<number, number>>();
  const observer = req.observe ? new Observer() : undefined;
  let readWatches: (() => WatchHit[]) | undefined;
  const mainWatched = (req.watches ?? []).some((w) => w.name === "main");
  const mainEntry = (): number | null =>
    readWatches?.().find((w) => w.name === "main")?.entry ?? null;
  const emptyFds = new Set<number>();
  const straceLines: string[] = [];
  const opts: RunOptions = {
    program: req.program,
    args: req.args,
    argv0: req.argv0,
    cwd: req.cwd,
    pathMap: req.pathMap,
    sysroot: req.sysroot,
    env: req.env,
    mounts: req.mounts,
    seed: req.seed,
    quantum: req.quantum,
    hz: req.hz,
    profile,
    cpus: req.cpus,
    memory: req.memory,
    sched: req.sched,
    maxInsns: req.maxInsns,
    engine: req.engine ?? "jit",
    vdso: req.vdso,
    countIsaClasses: req.countIsaClasses,
    stdout: sink("stdout"),
    stderr: sink("stderr"),
    writers: req.strace
      ? [(src) => createStraceWriter(src, (l) => straceLines.push(l))]
      : undefined,
    tracer: (e) => {
      events.push(e);
      if (e.kind === "syscall" && !e.entry) {
        curPhase = e.phase;
        if (observer && kernel) observer.add(e, kernel.mem);
        if (req.fileOverrides && e.name === "openat" && kernel && e.result !== undefined) {
          const path = kernel.mem.readCString(Number(e.args[1]), 512);
          const o = req.fileOverrides.find((x) => x.path === path);
          if (o?.action === "empty" && e.result >= 0) emptyFds.add(e.result);
        }
        if (e.name === "close") emptyFds.delete(Number(BigInt.asIntN(32, e.args[0])));
        if (req.maxSyscalls !== undefined && ++calls > req.maxSyscalls && kernel) {
          kernel.end ??= {
            kind: "error",
            message: `livelock: more than ${req.maxSyscalls} syscalls`,
          };
        }
      }
    },
    onKernel: (k) => {
      kernel = k;
      if (req.sample) {
        k.addSampler(req.sample, (_t, pc) => {
          const p: Phase = !mainWatched || curPhase === "loader" || curPhase === "exit"
            ? curPhase
            : mainEntry() !== null
            ? "app"
            : "startup";
          let m = samples.get(p);
          if (!m) samples.set(p, m = new Map());
          m.set(pc, (m.get(pc) ?? 0) + 1);
        });
      }
      if (req.fileOverrides) overrideFiles(k, req.fileOverrides, emptyFds, () => curPhase);
    },
  };
  const prepared = prepare(opts);
  const hasInterp = prepared.kernel.mem.mappings.some((m) => /ld-linux/.test(m.name));
  if (hasInterp) curPhase = "loader";
  const exeBias = loadBias(prepared.kernel, elfEntry(req.program));
  if (req.watches && req.watches.length > 0) {
    readWatches = attachWatches(
      prepared.kernel,
      req.watches.map((w) => ({ ...w, address: w.address + exeBias })),
    );
  }
  const r = finish(prepared);
  const stdout = concat(out.stdout);
  const stderr = concat(out.stderr);
  const hits = readWatches?.();
  const mainAt = hits?.find((w) => w.name === "main")?.entry ?? null;
  const rule: "main" | "study" = mainAt !== null ? "main" : "study";
  const studyStart = phaseStarts(events, null);
  const profileStudy = profileFromEvents(req.label, events);
  let profileOut = profileStudy;
  let phaseStart = studyStart;
  if (rule === "main") {
    const rephased = events.map((e) =>
      e.kind === "syscall" ? { ...e, phase: mainRulePhase(e.name, e.phase, e.instret, mainAt!) } : e
    );
    profileOut = profileFromEvents(req.label, rephased);
    phaseStart = phaseStarts(rephased, mainAt);
  }
  const tidNo = new Map<number, number>();
  for (const e of events) if (!tidNo.has(e.tid)) tidNo.set(e.tid, tidNo.size + 1);
  let denied: RunDigest["denied"];
  if (r.end.kind === "deny") {
    const last = [...events].reverse().find((e) =>
      e.kind === "syscall" && (e.route === "deny" || e.route === "unlisted") &&
      e.result === undefined
    );
    if (last && last.kind === "syscall") {
      denied = {
        name: last.name,
        phase: rule === "main"
          ? mainRulePhase(last.name, last.phase, last.instret, mainAt!)
          : last.phase,
        route: last.route,
        thread: tidNo.get(last.tid) ?? 1,
      };
    }
  }
  const byThread: Record<string, number> = {};
  for (const t of r.kernel.threads) {
    byThread[String(tidNo.get(t.tid) ?? byThreadIndex(r.kernel, t.tid))] = t.hart.instret;
  }
  const digest: RunDigest = {
    label: req.label,
    status: r.status,
    end: r.end.kind,
    message: r.message ?? "",
    stdoutSha256: sha256(stdout),
    stdoutLength: stdout.length,
    stdoutHead: head(stdout),
    stderrSha256: sha256(stderr),
    stderrHead: head(stderr),
    instret: r.stats.instret,
    instretByThread: byThread,
    threads: r.stats.threads,
    contextSwitches: r.stats.contextSwitches,
    futex: r.stats.futex,
    signalsDelivered: r.stats.signalsDelivered,
    profile: profileOut,
    phaseRule: rule,
    phaseStart,
    memory: memoryDigest(events, r.stats.memory),
    exeBias,
    wallSeconds: (performance.now() - started) / 1000,
  };
  if (rule === "main") {
    digest.mainEntry = mainAt!;
    digest.studyProfile = profileStudy;
    digest.studyPhaseStart = studyStart;
  }
  if (hits) digest.watches = hits;
  if (observer) digest.observed = observer.result();
  if (req.strace) {
    const { head, tail } = req.strace;
    digest.traceExcerpt = straceLines.length <= head + tail ? straceLines : [
      ...straceLines.slice(0, head),
      `... ${straceLines.length - head - tail} more lines ...`,
      ...straceLines.slice(-tail),
    ];
  }
  if (r.stats.isaClasses) digest.isaClasses = r.stats.isaClasses;
  if (stdout.length <= 1 << 20 && stderr.length <= 1 << 20) {
    digest.stdout = stdout;
    digest.stderr = stderr;
  }
  if (diverged) digest.diverged = diverged;
  if (denied) digest.denied = denied;
  if (req.sample) {
    const byPhase = {} as Record<Phase, [number, number][]>;
    for (const p of PHASES) {
      const m = samples.get(p) ?? new Map<number, number>();
      byPhase[p] = [...m.entries()].sort((a, b) => a[0] - b[0]);
    }
    digest.samples = { interval: req.sample, byPhase };
  }
  return digest;
}

/** A run under the in-guest kernel (see {@linkcode RunRequest.guestKernel}). */
function executeGuestKernelRun(req: RunRequest): RunDigest {
  const started = performance.now();
  const r = runGuestKernel({
    program: req.program,
    args: req.args,
    argv0: req.argv0,
    cwd: req.cwd,
    pathMap: req.pathMap,
    env: req.env,
    seed: req.seed,
    quantum: req.quantum,
    hz: req.hz,
    cpus: req.cpus,
    maxInsns: req.maxInsns,
    engine: req.engine ?? "jit",
    kernelFile: req.guestKernel!,
  });
  const empty = profileFromEvents(req.label, []);
  const starts: Record<Phase, number | null> = {
    loader: null,
    startup: null,
    app: null,
    exit: null,
  };
  return {
    label: req.label,
    status: r.status,
    end: r.end.kind,
    message: r.message ?? "",
    stdoutSha256: sha256(r.stdout),
    stdoutLength: r.stdout.length,
    stdoutHead: head(r.stdout),
    stderrSha256: sha256(r.stderr),
    stderrHead: head(r.stderr),
    instret: r.stats.instret,
    instretByThread: r.stats.instretByThread,
    threads: r.stats.threads,
    contextSwitches: r.stats.contextSwitches,
    futex: r.stats.futex,
    signalsDelivered: r.stats.signalsDelivered,
    profile: empty,
    phaseRule: "study",
    phaseStart: starts,
    memory: memoryDigest([], r.stats.memory),
    exeBias: 0,
    guestKernel: r.guestKernel,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

/** A call's phase under the main rule (see {@linkcode RunDigest.phaseRule}). */
export function mainRulePhase(name: string, study: Phase, instret: number, main: number): Phase {
  if (name === "exit" || name === "exit_group") return "exit";
  if (study === "loader") return "loader";
  return instret >= main ? "app" : "startup";
}

/** Phase starts from events; with `main`, the application starts exactly there. */
function phaseStarts(
  events: readonly TraceEvent[],
  main: number | null,
): Record<Phase, number | null> {
  const start: Record<Phase, number | null> = {
    loader: null,
    startup: null,
    app: null,
    exit: null,
  };
  for (const e of events) {
    if (e.kind !== "syscall" || e.entry) continue;
    start[e.phase] ??= e.instret;
  }
  if (main !== null) start.app = main;
  start.exit = exitPhaseStart(events);
  return start;
}

/** `e_entry` of an ELF file (0 when unreadable). */
function elfEntry(path: string): number {
  try {
    const f = Deno.openSync(path);
    const b = new Uint8Array(32);
    f.readSync(b);
    f.close();
    return Number(new DataView(b.buffer).getBigUint64(24, true));
  } catch {
    return 0;
  }
}

/**
 * The file experiments of {@linkcode RunRequest.fileOverrides}: an ECALL
 * interceptor answers `openat` of an `enoent` path with ENOENT and reads of
 * an `empty` file's descriptors with end-of-file, and reports each call as a
 * trace event, so the run's profile still counts it.
 */
function overrideFiles(
  k: Kernel,
  overrides: readonly { path: string; action: "enoent" | "empty" }[],
  emptyFds: Set<number>,
  phase: () => Phase,
): void {
  const reg = (t: { hart: { xl: Int32Array; xh: Int32Array } }, i: number) =>
    (BigInt(t.hart.xh[i]) << 32n) | BigInt(t.hart.xl[i] >>> 0);
  k.addEcallInterceptor((t) => {
    const nr = t.hart.xl[17];
    let name: string;
    let result: number;
    if (nr === 56) {
      const path = k.mem.readCString(Number(reg(t, 11) & 0xffffffffffffn), 512);
      if (!overrides.some((o) => o.path === path && o.action === "enoent")) return false;
      name = "openat";
      result = -2;
    } else if ((nr === 63 || nr === 67) && emptyFds.has(t.hart.xl[10])) {
      name = nr === 63 ? "read" : "pread64";
      result = 0;
    } else return false;
    const args = [10, 11, 12, 13, 14, 15].map((i) => BigInt.asUintN(64, reg(t, i)));
    t.hart.xl[10] = result;
    t.hart.xh[10] = result < 0 ? -1 : 0;
    k.emit({
      kind: "syscall",
      seq: k.seq++,
      tid: t.tid,
      nr,
      name,
      args,
      result,
      route: "emulate",
      pc: t.hart.pc - 4,
      fn: "",
      instret: k.instret,
      phase: phase(),
      blocked: false,
    });
    return true;
  });
}

/**
 * Where the exit phase starts: the first exit/exit_group after the last
 * call of any other phase (threads that exit earlier do not end the
 * process's work).
 */
function exitPhaseStart(events: readonly TraceEvent[]): number | null {
  let start: number | null = null;
  for (const e of events) {
    if (e.kind !== "syscall" || e.entry) continue;
    if (e.phase !== "exit") start = null;
    else start ??= e.instret;
  }
  return start;
}

function byThreadIndex(k: Kernel, tid: number): number {
  return k.threads.findIndex((t) => t.tid === tid) + 1;
}

function memoryDigest(
  events: readonly TraceEvent[],
  mem: { mappedBytes: number; touchedBytes: number; peakTouchedBytes: number },
): MemoryDigest {
  const d: MemoryDigest = {
    brkStart: null,
    brkMax: null,
    brkCalls: 0,
    mmapCalls: 0,
    mmapBytes: 0,
    mmapReservedBytes: 0,
    mmapFixed: 0,
    munmapBytes: 0,
    madviseCalls: 0,
    mappedBytes: mem.mappedBytes,
    touchedBytes: mem.touchedBytes,
    peakTouchedBytes: mem.peakTouchedBytes,
  };
  for (const e of events) {
    if (e.kind !== "syscall" || e.entry || e.result === undefined) continue;
    const ok = !(e.result < 0 && e.result >= -4095);
    switch (e.name) {
      case "brk":
        d.brkCalls++;
        d.brkStart ??= e.result;
        d.brkMax = Math.max(d.brkMax ?? 0, e.result);
        break;
      case "mmap":
        if (!ok) break;
        d.mmapCalls++;
        d.mmapBytes += Number(e.args[1]);
        if (e.args[2] === 0n) d.mmapReservedBytes += Number(e.args[1]);
        if ((e.args[3] & 0x10n) !== 0n) d.mmapFixed++;
        break;
      case "munmap":
        if (ok) d.munmapBytes += Number(e.args[1]);
        break;
      case "madvise":
        d.madviseCalls++;
        break;
    }
  }
  return d;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const o = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    o.set(p, off);
    off += p.length;
  }
  return o;
}

/** A stable key for a request (for caching identical runs). */
export function requestKey(req: RunRequest): string {
  const { expect: _e, ...rest } = req;
  return JSON.stringify(rest, (_k, v) => (v instanceof Uint8Array ? sha256(v) : v));
}

/**
 * Runs requests on up to `workers` worker threads (0: in this thread),
 * caching identical requests. Results do not depend on which worker ran them.
 */
export class RunPool {
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: {
    req: RunRequest;
    resolve: (d: RunDigest) => void;
    reject: (e: unknown) => void;
  }[] = [];
  readonly #cache = new Map<string, Promise<RunDigest>>();
  /** Called when a run finishes (progress lines). */
  onDone: ((d: RunDigest) => void) | undefined;
  /** Runs done so far. */
  done = 0;

  /** Starts `workers` workers (0 runs everything in this thread). */
  constructor(workers: number) {
    for (let i = 0; i < workers; i++) {
      const w = new Worker(new URL("./run_worker.ts", import.meta.url).href, { type: "module" });
      this.#workers.push(w);
      this.#idle.push(w);
    }
  }

  /** Runs `req` (or returns the cached result of an identical request). */
  run(req: RunRequest): Promise<RunDigest> {
    const key = requestKey(req);
    let p = this.#cache.get(key);
    if (!p) {
      p = this.#workers.length === 0 ? this.#inline(req) : new Promise((resolve, reject) => {
        this.#queue.push({ req, resolve, reject });
        this.#pump();
      });
      this.#cache.set(key, p);
    }
    return p;
  }

  #inline(req: RunRequest): Promise<RunDigest> {
    try {
      const d = executeRun(req);
      this.done++;
      this.onDone?.(d);
      return Promise.resolve(d);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #pump(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const w = this.#idle.pop()!;
      const job = this.#queue.shift()!;
      w.onmessage = (ev: MessageEvent) => {
        this.#idle.push(w);
        const m = ev.data as { ok: true; digest: RunDigest } | { ok: false; error: string };
        if (m.ok) {
          this.done++;
          this.onDone?.(m.digest);
          job.resolve(m.digest);
        } else job.reject(new RunError(m.error, 125));
        this.#pump();
      };
      w.postMessage(job.req);
    }
  }

  /** Stops the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers.length = 0;
    this.#idle.length = 0;
  }
}
