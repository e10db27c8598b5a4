/**
 * Syscall profiles: what one binary asked of the kernel, counted per
 * syscall, per category ({@linkcode categoryOf}), per phase and per thread.
 * Built from zkabi's own trace events ({@linkcode profileFromEvents}) or
 * from imported trace text ({@linkcode importTrace}): real strace output
 * (with or without `-f` pid prefixes, `<unfinished ...>`/`<... resumed>`
 * pairs, signal and exit lines) and `qemu-riscv64 -strace` logs.
 *
 * Phases:
 * - zkabi runs: the runner's phase at each call's entry (the study's rule:
 *   loader while the pc is inside the dynamic loader, then runtime start-up
 *   until the first write to fd 1 or 2, then the application; exit and
 *   exit_group are the exit phase).
 * - imported logs have no pcs, so the loader phase is found from the calls:
 *   a log is dynamically linked when, before its first write to fd 1/2, it
 *   opens `/etc/ld.so.cache` or a shared object (`*.so`, `*.so.N`). Its
 *   loader phase runs from the first line (strace's `execve` included)
 *   through the `munmap` of the ld.so.cache mapping (glibc's loader unmaps
 *   the cache as its last act before jumping to the program); when there is
 *   no such munmap, through the last `close` after a shared-object open plus
 *   the loader's closing run of set_tid_address, set_robust_list, rseq,
 *   mprotect, prlimit64 and munmap calls. In a static log only `execve` is
 *   loader. Start-up, application and exit follow the zkabi rule: the
 *   application starts at the first write/writev/pwrite64 to fd 1 or 2.
 * - Threads are numbered 1, 2, …: zkabi's in tid order (creation order),
 *   imported logs' in order of first appearance (they carry host pids; a
 *   line without a pid in a log with pids, like strace -f's first
 *   `execve`, belongs to the first process). Lines reported as malformed
 *   are not counted.
 *
 * Counting: every call issued counts once (a blocked call's entry half is
 * skipped; an unfinished call that never resumed still counts). Precompile
 * ECALLs are counted apart, under `precompiles`. Delivered signals are
 * counted under `signals`.
 * @module
 */

import { signalText } from "../abi/signals.ts";
import type { Phase, TraceEvent } from "../kernel/events.ts";
import { parseQemuStrace, parseStraceText, type TraceRecord } from "../trace/strace_parse.ts";
import { canonicalName, CATEGORIES, type Category, categoryOf } from "./categories.ts";

/** The four phases in order. */
export const PHASES: readonly Phase[] = ["loader", "startup", "app", "exit"];

/** Human labels of the phases. */
export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  loader: "loader",
  startup: "runtime start-up",
  app: "application",
  exit: "exit",
};

/** Where a profile's data came from. */
export type ProfileSource = "zkabi" | "strace" | "qemu-strace";

/** One syscall's counts in a profile. */
export interface SyscallRow {
  /** Calls issued. */
  count: number;
  /** Calls that returned an error (-errno / `-1 E…`). */
  errors: number;
  /** The syscall's category. */
  category: Category;
  /** Calls per phase. */
  phases: Record<Phase, number>;
}

/** A syscall profile of one binary run (see the module doc). */
export interface SyscallProfile {
  /** What was traced, e.g. `go/t8n`. */
  label: string;
  /** zkabi's events, strace text or qemu -strace text. */
  source: ProfileSource;
  /** Syscalls issued (precompiles not included). */
  total: number;
  /** Calls that returned an error. */
  errors: number;
  /** Per syscall name (sorted by name). */
  syscalls: Record<string, SyscallRow>;
  /** Calls per category (every category present, in report order). */
  categories: Record<Category, number>;
  /** Calls per phase. */
  phases: Record<Phase, number>;
  /** Calls per thread, by thread number (1 = the first thread). */
  threads: Record<string, number>;
  /** Precompile ECALLs by name. */
  precompiles: Record<string, number>;
  /** Signals delivered (or reported by strace) by name. */
  signals: Record<string, number>;
}

/** A line of imported text that could not be read. */
export interface MalformedLine {
  /** 1-based line number. */
  line: number;
  /** The line (cut to 120 characters). */
  text: string;
  /** Why it was not understood. */
  reason: string;
}

/** Result of importing a trace text. */
export interface ImportResult {
  /** The profile. */
  profile: SyscallProfile;
  /** Format the text was read as. */
  format: "strace" | "qemu";
  /** Lines that were skipped as unreadable (the import goes on). */
  malformed: MalformedLine[];
  /** Parsed calls in order, with their phase (for readiness checks and tests). */
  calls: ImportedCall[];
}

/** One call of an imported log. */
export interface ImportedCall {
  /** Syscall name (riscv64 name when the log printed a number). */
  name: string;
  /** Thread number (1 = first thread seen). */
  thread: number;
  /** Phase by the rules in the module doc. */
  phase: Phase;
  /** True when the result was an error. */
  error: boolean;
  /** 1-based line number. */
  line: number;
}

/** An empty per-category record. */
export function emptyCategories(): Record<Category, number> {
  const r = {} as Record<Category, number>;
  for (const c of CATEGORIES) r[c] = 0;
  return r;
}

/** An empty per-phase record. */
export function emptyPhases(): Record<Phase, number> {
  return { loader: 0, startup: 0, app: 0, exit: 0 };
}

/** Accumulates calls into a profile. */
class Builder {
  readonly rows = new Map<string, SyscallRow>();
  readonly threads = new Map<string, number>();
  readonly tidNumbers = new Map<number, number>();
  readonly precompiles = new Map<string, number>();
  readonly signals = new Map<string, number>();
  total = 0;
  errors = 0;

  thread(tid: number | undefined): number {
    const key = tid ?? -1;
    let n = this.tidNumbers.get(key);
    if (n === undefined) {
      n = this.tidNumbers.size + 1;
      this.tidNumbers.set(key, n);
    }
    return n;
  }

  call(name: string, phase: Phase, thread: number, error: boolean): void {
    let row = this.rows.get(name);
    if (!row) {
      row = { count: 0, errors: 0, category: categoryOf(name), phases: emptyPhases() };
      this.rows.set(name, row);
    }
    row.count++;
    row.phases[phase]++;
    if (error) {
      row.errors++;
      this.errors++;
    }
    this.total++;
    const t = String(thread);
    this.threads.set(t, (this.threads.get(t) ?? 0) + 1);
  }

  build(label: string, source: ProfileSource): SyscallProfile {
    const syscalls: Record<string, SyscallRow> = {};
    const categories = emptyCategories();
    const phases = emptyPhases();
    for (const name of [...this.rows.keys()].sort()) {
      const row = this.rows.get(name)!;
      syscalls[name] = row;
      categories[row.category] += row.count;
      for (const p of PHASES) phases[p] += row.phases[p];
    }
    const threads: Record<string, number> = {};
    for (const k of [...this.threads.keys()].sort((a, b) => Number(a) - Number(b))) {
      threads[k] = this.threads.get(k)!;
    }
    return {
      label,
      source,
      total: this.total,
      errors: this.errors,
      syscalls,
      categories,
      phases,
      threads,
      precompiles: sortedRecord(this.precompiles),
      signals: sortedRecord(this.signals),
    };
  }
}

function sortedRecord(m: Map<string, number>): Record<string, number> {
  const r: Record<string, number> = {};
  for (const k of [...m.keys()].sort()) r[k] = m.get(k)!;
  return r;
}

/** Builds a profile from zkabi trace events (as collected by `run({collectEvents: true})`). */
export function profileFromEvents(label: string, events: readonly TraceEvent[]): SyscallProfile {
  const b = new Builder();
  // Threads are numbered in tid order (creation order): the first thread is 1.
  for (const t of [...new Set(events.map((e) => e.tid))].sort((x, y) => x - y)) b.thread(t);
  for (const e of events) {
    if (e.kind === "signal") {
      if (e.action === "handler") {
        const name = signalText(e.signo);
        b.signals.set(name, (b.signals.get(name) ?? 0) + 1);
      }
      continue;
    }
    if (e.entry) continue;
    const thread = b.thread(e.tid);
    if (e.route === "precompile") {
      b.precompiles.set(e.name, (b.precompiles.get(e.name) ?? 0) + 1);
      continue;
    }
    const err = e.result !== undefined && e.result < 0 && e.result >= -4095;
    b.call(e.name, e.phase, thread, err);
  }
  return b.build(label, "zkabi");
}

/** Guesses the format of trace text: `qemu` when calls print arguments without spaces. */
export function detectFormat(text: string): "strace" | "qemu" {
  let qemu = 0;
  let strace = 0;
  let seen = 0;
  for (const raw of text.split("\n")) {
    if (seen >= 200) break;
    const m = /^(\d+ +)?([a-z_][a-z0-9_]*)\((.*)$/.exec(raw);
    if (!m) continue;
    seen++;
    if (/errno=\d+/.test(raw) || /= 0x[0-9a-f]{16}\b/.test(raw)) qemu += 2;
    const args = m[3];
    if (/,\S/.test(args.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) qemu++;
    if (/, /.test(args)) strace++;
  }
  return qemu > strace ? "qemu" : "strace";
}

const STRACE_SHAPES: readonly [RegExp, string | null][] = [
  [/^--- \S+.* ---$|^--- \S+ \{.*\} ---$/, null],
  [/^\+\+\+ .* \+\+\+$/, null],
  [/^<\.\.\. [A-Za-z0-9_]+ resumed>/, null],
  [/^[A-Za-z_][A-Za-z0-9_]*\(.* <unfinished \.\.\.>$/, null],
  [/^[A-Za-z_][A-Za-z0-9_]*\(.*\)\s+= .+$/, null],
  [/^[A-Za-z_][A-Za-z0-9_]*\(.*\)\s*= \?$/, null],
  [/^strace: /, null],
];

/** Lines of strace text that fit none of strace's line shapes. */
function straceMalformed(text: string): MalformedLine[] {
  const out: MalformedLine[] = [];
  const open = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    const pm = /^(\d+)\s+/.exec(raw);
    const key = pm ? pm[1] : "";
    const s = pm ? raw.slice(pm[0].length) : raw;
    const fits = STRACE_SHAPES.some(([re]) => re.test(s));
    if (!fits) {
      const reason = /^[A-Za-z_][A-Za-z0-9_]*\(/.test(s)
        ? "call without a result (truncated line?)"
        : "not a syscall, signal or exit line";
      out.push({ line: i + 1, text: raw.slice(0, 120), reason });
      continue;
    }
    if (/ <unfinished \.\.\.>$/.test(s)) open.add(key);
    else if (/^<\.\.\. /.test(s)) {
      if (!open.has(key)) {
        out.push({
          line: i + 1,
          text: raw.slice(0, 120),
          reason: "resumed call without an unfinished one",
        });
      }
      open.delete(key);
    }
  }
  return out;
}

/** Lines of qemu -strace text that fit none of qemu's line shapes. */
function qemuMalformed(text: string): MalformedLine[] {
  const out: MalformedLine[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    if (
      /^\d+ [A-Za-z_][A-Za-z0-9_]*\(/.test(raw) || /^\d+ Unknown syscall \d+/.test(raw) ||
      /^--- \S+/.test(raw) || /^\s*= /.test(raw)
    ) continue;
    out.push({
      line: i + 1,
      text: raw.slice(0, 120),
      reason: "not a qemu -strace call, result or signal line",
    });
  }
  return out;
}

/** True when an imported result text is an error. */
function isErrorResult(r: string | undefined): boolean {
  if (r === undefined) return false;
  return /^-1 (E[A-Z0-9]+|errno=)/.test(r) || /^-\d+ E[A-Z]/.test(r);
}

const WRITE_CALLS = new Set(["write", "writev", "pwrite64"]);
const LOADER_TAIL = new Set([
  "set_tid_address",
  "set_robust_list",
  "rseq",
  "mprotect",
  "prlimit64",
  "munmap",
]);
const SO_PATH = /\.so(\.\d+)*"?$|ld\.so\.cache/;

function firstArg(r: TraceRecord): string {
  return (r.args[0] ?? "").trim();
}

/** Index of the last loader call in `calls` (-1: none), by the module doc's rule. */
export function loaderEnd(calls: readonly TraceRecord[]): number {
  let firstOutput = calls.length;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    if (WRITE_CALLS.has(c.name) && (firstArg(c) === "1" || firstArg(c) === "2")) {
      firstOutput = i;
      break;
    }
  }
  let dynamic = false;
  let cacheFd: string | undefined;
  let cacheAddr: string | undefined;
  let lastSoClose = -1;
  let soFd: string | undefined;
  for (let i = 0; i < firstOutput; i++) {
    const c = calls[i];
    if ((c.name === "openat" || c.name === "open") && c.args.length >= 2) {
      const path = c.args[c.name === "openat" ? 1 : 0];
      if (SO_PATH.test(path)) {
        dynamic = true;
        const fd = (c.result ?? "").split(" ")[0];
        if (/^\d+$/.test(fd)) {
          if (/ld\.so\.cache/.test(path)) cacheFd = fd;
          soFd = fd;
        }
      }
    } else if (c.name === "mmap" && cacheFd !== undefined && c.args[4] === cacheFd) {
      cacheAddr = (c.result ?? "").split(" ")[0];
      cacheFd = undefined;
    } else if (c.name === "munmap" && cacheAddr !== undefined) {
      if (sameAddress(firstArg(c), cacheAddr)) return i;
    } else if (c.name === "close" && soFd !== undefined && firstArg(c) === soFd) {
      lastSoClose = i;
      soFd = undefined;
    }
  }
  if (!dynamic) return execveEnd(calls);
  let end = lastSoClose;
  while (end + 1 < firstOutput && LOADER_TAIL.has(calls[end + 1].name)) end++;
  return Math.max(end, execveEnd(calls));
}

function execveEnd(calls: readonly TraceRecord[]): number {
  return calls.length > 0 && calls[0].name === "execve" ? 0 : -1;
}

function sameAddress(a: string, b: string): boolean {
  try {
    return BigInt(a) === BigInt(b);
  } catch {
    return a === b;
  }
}

/**
 * Imports trace text (strace or qemu -strace; `format` auto-detected unless
 * given). Malformed lines are listed with their line numbers and skipped.
 */
export function importTrace(
  label: string,
  text: string,
  format?: "strace" | "qemu",
): ImportResult {
  const fmt = format ?? detectFormat(text);
  const records = fmt === "qemu" ? parseQemuStrace(text) : parseStraceText(text);
  const malformed = fmt === "qemu" ? qemuMalformed(text) : straceMalformed(text);
  const b = new Builder();
  // Lines reported as malformed are not counted; a line without a pid in a
  // log that has pids (strace -f's first execve) belongs to the first process.
  const bad = new Set(malformed.map((m) => m.line));
  const firstTid = records.find((r) => r.tid !== undefined)?.tid;
  const kept = records.filter((r) => !bad.has(r.line)).map((r) =>
    r.tid === undefined && firstTid !== undefined ? { ...r, tid: firstTid } : r
  );
  const calls = kept.filter((r) => r.kind === "syscall");
  const lastLoader = loaderEnd(calls);
  let app = false;
  const out: ImportedCall[] = [];
  let i = -1;
  for (const r of kept) {
    if (r.kind === "signal") {
      b.thread(r.tid);
      b.signals.set(r.name, (b.signals.get(r.name) ?? 0) + 1);
      continue;
    }
    if (r.kind !== "syscall") continue;
    i++;
    const name = canonicalName(r.name);
    const thread = b.thread(r.tid);
    let phase: Phase;
    if (name === "exit" || name === "exit_group") phase = "exit";
    else if (i <= lastLoader) phase = "loader";
    else {
      if (!app && WRITE_CALLS.has(name) && (firstArg(r) === "1" || firstArg(r) === "2")) {
        app = true;
      }
      phase = app ? "app" : "startup";
    }
    const error = isErrorResult(r.result) || r.unknownNr !== undefined;
    b.call(name, phase, thread, error);
    out.push({ name, thread, phase, error, line: r.line });
  }
  return {
    profile: b.build(label, fmt === "qemu" ? "qemu-strace" : "strace"),
    format: fmt,
    malformed,
    calls: out,
  };
}
