/**
 * Runs a program under the in-guest kernel (`zkabi run --kernel guest`).
 *
 * zkabi loads the program and builds its initial stack exactly as for the
 * built-in kernel, loads the kernel ELF at 2^44, backs the memory the kernel
 * hands out (lazily: untouched pages cost nothing), serialises the boot input
 * (layout, options, and the read-only files the program may open), and starts
 * the hart in M-mode at the kernel's entry. From then on zkabi answers only
 * the kernel's host calls; the program's syscalls are the kernel's business.
 *
 * Memory the kernel manages (all read/write, backed on first touch):
 * - `[brk, MMAP_BASE)`: the program break and top-down mmap, as Linux lays
 *   them out without address randomisation;
 * - `[STACK_TOP, 2^42)`: used only where a program asks for it by hint (Go's
 *   heap arenas at 0xc000000000);
 * - the kernel's own heap at {@linkcode KERNEL_HEAP} (its copies of the input files).
 * @module
 */

import { execElf } from "../elf/exec.ts";
import { loadElf } from "../elf/loader.ts";
import { ElfError } from "../elf/parse.ts";
import { auxvBytes } from "../elf/stack.ts";
import type { TraceEvent } from "../kernel/events.ts";
import type { Kernel, RunEnd } from "../kernel/kernel.ts";
import { MMAP_BASE, STACK_SIZE, STACK_TOP } from "../memory/layout.ts";
import { GuestMemory, OutOfMemory, PAGE_SIZE, PROT_READ, PROT_WRITE } from "../memory/memory.ts";
import { concat, outputTo, processSpec, readProgram, resolveHost } from "../run/host_io.ts";
import {
  checkLimits,
  describeEnd,
  newKernel,
  RunError,
  type RunOptions,
  type RunResult,
  type RunStats,
} from "../run/run.ts";
import type { GuestKernelStats } from "./cost.ts";
import { buildInput, type InputFile } from "./input.ts";
import { HALT_DEADLOCK, HALT_EXIT, HALT_PANIC, HALT_SIGNAL, Machine } from "./machine.ts";

/** Where the repository keeps the in-guest kernel that `--kernel guest` uses. */
export const KERNEL_IN_REPO = "guests/bin/kernel/zkernel";

/** Start of the kernel's heap (2^44 + 2^32), above its image. */
export const KERNEL_HEAP: number = 2 ** 44 + 2 ** 32;
/** Size of the kernel's heap. */
export const KERNEL_HEAP_SIZE: number = 2 ** 34;
/** End of the region for hinted mappings. */
export const HINT_END: number = 2 ** 42;

/** Options of a guest-kernel run on top of {@linkcode RunOptions}. */
export interface GuestKernelOptions {
  /** Kernel ELF (host path, relative to `cwd`): the repository's is {@linkcode KERNEL_IN_REPO}. */
  kernelFile: string;
  /** More read-only files for the program, by guest path. */
  files?: Readonly<Record<string, Uint8Array>>;
}

/** The `--stats` of a guest-kernel run: the program's view plus the program/kernel split. */
export interface GuestRunStats extends RunStats {
  /** Instructions retired by the program (U-mode). */
  instretProgram: number;
  /** Instructions retired by the in-guest kernel (M-mode, boot included). */
  instretKernel: number;
  /** Kernel instructions per syscall name (and `timer`, `fault`). */
  kernelCost: GuestKernelStats["kernelCost"];
  /** Everything the cost accounting measured. */
  guestKernel: GuestKernelStats;
}

/** Result of a guest-kernel run: a {@linkcode RunResult} with the cost data. */
export interface GuestRunResult extends RunResult {
  /** Statistics, with the program/kernel split. */
  stats: GuestRunStats;
  /** Program/kernel split and per-syscall kernel costs. */
  guestKernel: GuestKernelStats;
}

/** Runs `opts.program` under the in-guest kernel. */
export function runGuestKernel(opts: RunOptions & GuestKernelOptions): GuestRunResult {
  const started = performance.now();
  if (opts.sysroot !== undefined) {
    throw new RunError("--kernel guest runs static programs only (no --sysroot)", 125);
  }
  if (opts.stdin instanceof Uint8Array && opts.stdin.length > 0) {
    throw new RunError("--kernel guest gives the program an empty stdin", 125);
  }
  const hz = opts.hz ?? 1e9;
  if (hz > 1e10) throw new RunError("--hz: at most 10000000000 with --kernel guest", 125);
  const { cwd, bytes, toGuest, shown, exeGuestPath, argv, envp, seed } = processSpec(opts);
  const kernelPath = resolveHost(cwd, opts.kernelFile);
  const kernelBytes = readProgram(kernelPath, opts.kernelFile, 125);

  const { cpus, memory } = checkLimits(opts);
  const mem = new GuestMemory({ maxBytes: memory });
  let exec;
  let kernelElf;
  try {
    exec = execElf(mem, bytes, opts.program, {
      argv,
      envp,
      seed,
      guestPath: exeGuestPath,
      execfn: shown,
    });
    if (exec.load.interpreter) {
      throw new RunError(`${opts.program}: --kernel guest runs static programs only`, 126);
    }
    kernelElf = loadElf(mem, kernelBytes, kernelPath);
  } catch (e) {
    if (e instanceof ElfError) throw new RunError(e.message, 126);
    throw e;
  }
  const procMaps = mapsText(mem);
  const brk = exec.load.brk;
  const imageLo = Math.min(...mem.mappings.filter((m) => m.end <= brk).map((m) => m.start));
  const rw = PROT_READ | PROT_WRITE;
  mem.map(brk, MMAP_BASE - brk, rw, "[zkabi user]");
  mem.map(STACK_TOP, HINT_END - STACK_TOP, rw, "[zkabi hint]");
  mem.map(KERNEL_HEAP, KERNEL_HEAP_SIZE, rw, "[zkabi kernel heap]");

  const guestCwd = normalize(toGuest(cwd));
  const files: InputFile[] = [
    ...argumentFiles(argv.slice(1), cwd, guestCwd, toGuest),
    { path: "/proc/self/auxv", data: auxvBytes(exec.stack.auxv) },
    { path: "/proc/self/maps", data: new TextEncoder().encode(procMaps) },
    { path: "/proc/self/exe", data: new TextEncoder().encode(exeGuestPath), link: true },
    {
      path: "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
      data: new TextEncoder().encode("2097152\n"),
    },
    ...Object.entries(opts.files ?? {}).map(([path, data]) => ({ path, data })),
  ];
  const input = buildInput({
    entry: exec.load.entry,
    sp: exec.stack.sp,
    imageLo,
    brk,
    stackLo: STACK_TOP - STACK_SIZE,
    stackHi: STACK_TOP,
    userLo: brk,
    userHi: MMAP_BASE,
    mmapBase: MMAP_BASE,
    hintLo: STACK_TOP,
    hintHi: HINT_END,
    heapLo: KERNEL_HEAP,
    heapHi: KERNEL_HEAP + KERNEL_HEAP_SIZE,
    seed,
    cpus,
    quantum: opts.quantum ?? 100_000,
    hz,
    pid: 1000,
    cwd: guestCwd,
    files: dedupe(files),
  });

  const events: TraceEvent[] = [];
  const k = newKernel(
    { ...opts, hz, countIsaClasses: false },
    mem,
    exec.load.symbols,
    seed,
    cpus,
    events,
  );
  const hart = k.mainThread.hart;
  hart.pc = kernelElf.entry;
  const out = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[] };
  const stdout = outputTo(opts.stdout, out.stdout, Deno.stdout);
  const stderr = outputTo(opts.stderr, out.stderr, Deno.stderr);
  const machine = new Machine(k.cpu, hart, {
    input,
    output: (stream, b) => (stream === 2 ? stderr : stdout)(b),
  });
  opts.onKernel?.(k);
  let end: RunEnd;
  try {
    end = runEndOf(machine.run(opts.maxInsns ?? 2 ** 52));
  } catch (e) {
    // The memory limit: killed as by Linux's OOM killer.
    if (!(e instanceof OutOfMemory)) throw e;
    end = {
      kind: "signal",
      signo: 9,
      detail: `out of memory: the memory limit is ${memory} bytes`,
    };
  }
  k.end = end;
  const gk = machine.cost.summary(hart.instret);
  const { status, message } = describeEnd(end);
  const stats = guestStats(k, gk, status, end, (performance.now() - started) / 1000);
  return {
    status,
    end,
    message,
    stdout: concat(out.stdout),
    stderr: concat(out.stderr),
    events,
    stats,
    kernel: k,
    guestKernel: gk,
  };
}

function runEndOf(m: Machine["end"]): RunEnd {
  if (!m) return { kind: "error", message: "the machine did not stop" };
  switch (m.kind) {
    case "limit":
      return { kind: "limit", instret: m.instret };
    case "error":
      return { kind: "error", message: `guest kernel: ${m.message}` };
    case "halt":
      if (m.reason === HALT_EXIT) return { kind: "exit", status: m.status };
      if (m.reason === HALT_SIGNAL) {
        return { kind: "signal", signo: m.status - 128, detail: "(in-guest kernel)" };
      }
      if (m.reason === HALT_DEADLOCK) {
        return { kind: "deadlock", report: "  (in-guest kernel: every thread is blocked)" };
      }
      return {
        kind: "error",
        message: m.reason === HALT_PANIC
          ? "guest kernel panic (see stderr)"
          : `guest kernel halted (reason ${m.reason}) with status ${m.status}`,
      };
  }
}

/** RunStats for a guest-kernel run: the program's view plus the program/kernel split. */
function guestStats(
  k: Kernel,
  gk: GuestKernelStats,
  status: number,
  end: RunEnd,
  wall: number,
): GuestRunStats {
  const syscalls: Record<string, number> = {};
  for (const [name, c] of Object.entries(gk.kernelCost)) {
    if (name !== "timer" && name !== "fault") syscalls[name] = c.count;
  }
  const futex = gk.kernelCost["futex"]?.count ?? 0;
  return {
    instret: k.mainThread.hart.instret,
    instretByThread: gk.programByThread,
    syscalls,
    threads: Math.max(1, Object.keys(gk.programByThread).length),
    contextSwitches: gk.contextSwitches.count,
    futex: { waits: 0, wakes: futex },
    signalsDelivered: gk.phases["signalDelivery"]?.count ?? 0,
    memory: {
      mappedBytes: k.mem.mappedBytes,
      touchedBytes: k.mem.touchedPages * PAGE_SIZE,
      peakTouchedBytes: k.mem.peakTouchedPages * PAGE_SIZE,
    },
    exitStatus: status,
    end: end.kind,
    wallSeconds: wall,
    instretProgram: gk.instretProgram,
    instretKernel: gk.instretKernel,
    kernelCost: gk.kernelCost,
    guestKernel: gk,
  };
}

/**
 * Files the program names on its command line (`FILE` or `--flag=FILE`,
 * relative to the working directory): each regular host file becomes a
 * read-only input file at its guest path.
 */
export function argumentFiles(
  args: readonly string[],
  cwd: string,
  guestCwd: string,
  toGuest: (p: string) => string,
): InputFile[] {
  const out: InputFile[] = [];
  for (const a of args) {
    const candidates = [a];
    const eq = a.indexOf("=");
    if (eq >= 0) candidates.push(a.slice(eq + 1));
    for (const c of candidates) {
      if (c === "" || c.startsWith("-")) continue;
      const host = resolveHost(cwd, c);
      let info;
      try {
        info = Deno.statSync(host);
      } catch {
        continue;
      }
      const guest = normalize(
        c.startsWith("/") ? toGuest(c) : `${guestCwd.replace(/\/$/, "")}/${c}`,
      );
      if (info.isFile) out.push({ path: guest, data: Deno.readFileSync(host) });
      else if (info.isDirectory) addTree(host, guest, out, { files: 0, bytes: 0 });
    }
  }
  return out;
}

/** Most files and bytes one directory argument may add to the input. */
const TREE_LIMIT = { files: 4096, bytes: 64 * 1024 * 1024 };

/** Adds the regular files under host directory `host` (as `guest`), within {@linkcode TREE_LIMIT}. */
function addTree(
  host: string,
  guest: string,
  out: InputFile[],
  seen: { files: number; bytes: number },
): void {
  const entries = [...Deno.readDirSync(host)].sort((a, b) => a.name < b.name ? -1 : 1);
  for (const e of entries) {
    const h = `${host}/${e.name}`;
    const g = `${guest}/${e.name}`;
    if (e.isDirectory) addTree(h, g, out, seen);
    else if (e.isFile) {
      const data = Deno.readFileSync(h);
      if (seen.files + 1 > TREE_LIMIT.files || seen.bytes + data.length > TREE_LIMIT.bytes) {
        throw new RunError(`--kernel guest: directory argument ${host} is too large`, 125);
      }
      seen.files++;
      seen.bytes += data.length;
      out.push({ path: g, data });
    }
  }
}

function dedupe(files: InputFile[]): InputFile[] {
  const seen = new Map<string, InputFile>();
  for (const f of files) seen.set(f.path, f);
  return [...seen.values()];
}

function normalize(p: string): string {
  const parts: string[] = [];
  for (const s of p.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") parts.pop();
    else parts.push(s);
  }
  return "/" + parts.join("/");
}

/** `/proc/self/maps` as the program sees it at start (its image and stack). */
function mapsText(mem: GuestMemory): string {
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  return mem.mappings.filter((m) => m.start < 2 ** 44).map((m) => {
    const perms = `${m.prot & 1 ? "r" : "-"}${m.prot & 2 ? "w" : "-"}${m.prot & 4 ? "x" : "-"}p`;
    const name = m.name;
    const off = m.file ? m.file.offset : 0;
    const base = `${hex(m.start)}-${hex(m.end)} ${perms} ${hex(off)} 00:00 0`;
    return name ? `${base.padEnd(73)}${name}\n` : `${base}\n`;
  }).join("");
}
