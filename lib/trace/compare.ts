/**
 * Compares zkabi's syscall trace with `qemu-riscv64 -strace`'s for the same
 * program: the same syscalls must occur in the same order with the same
 * arguments and results, up to what legitimately differs between the two
 * (addresses, pids, the host). Returns a readable diff.
 *
 * How calls are compared:
 * - The two call sequences are aligned by syscall name (a shortest-edit
 *   diff), so a missing or extra call shows as one `-`/`+` line instead of
 *   shifting everything after it. Every unaligned call is a difference.
 * - Aligned calls compare their arguments by kind, per syscall (the
 *   syscall registry's argument kinds, `lib/kernel/syscalls.ts`): integers and flags by value (symbolic names
 *   of both formats are parsed back to numbers), strings by content (up to
 *   strace's `...` cut), pointers by kind only (NULL vs non-NULL) unless
 *   both are addresses in memory returned by mmap/mremap/brk, which compare
 *   as region-relative offsets (`R2+0x1000`, `BRK+0x10000`: the n-th mapping
 *   of each trace, the initial break of each trace). Syscalls without an
 *   entry compare by name and result only.
 * - Results compare by value; errors by errno; mmap/mremap/brk results as
 *   addresses (above); pids and tids (getpid, gettid, clone...) only by sign.
 *
 * Allowances (what is not compared, and why):
 * 1. qemu prints pointers it does not decode as raw numbers (pread64's
 *    buffer as `274886299176`), and strace prints structs where qemu prints
 *    their address: pointers compare by NULL-ness (or region offset) only.
 * 2. qemu prints no `+++ exited with N +++` line; zkabi's `+++` lines are
 *    skipped (the exit status is checked by the runner tests).
 * 3. `Unknown syscall N` in qemu's log is the call `syscall_0x..` (or N's
 *    name) returning ENOSYS.
 * 4. Host-dependent results under qemu, not compared: `set_robust_list`
 *    (qemu-user 7.2 answers ENOSYS itself), `rseq` and `riscv_hwprobe`
 *    (unknown to qemu 7.2: ENOSYS), `sched_getaffinity` (the host's cpumask
 *    size), `getcwd` and `readlinkat` (host paths), `getppid` (a host pid),
 *    `rt_sigreturn` (qemu logs its own QEMU_ESIGRETURN, errno 513, where
 *    strace shows the a0 the frame restored).
 * 5. The process id inside strings (`/tmp/zkabi-pread-19354`) is replaced
 *    by `<pid>` on each side (qemu's is the host pid in its line prefix,
 *    zkabi's the tid prefix or 1000).
 * 6. Signals compare by signal number and si_code; the address is masked.
 * 7. Threads: qemu prints every thread with the host pid and interleaves
 *    the halves of concurrent calls, and thread interleaving is scheduling
 *    dependent anyway. Calls are compared strictly up to and including the
 *    first successful clone/clone3 of each trace; after it, only the sets of
 *    syscall names are compared, and differences there are reported as notes,
 *    not failures.
 * 8. Options add more: names whose arguments or results to skip, string
 *    replacements (e.g. the run directory), for differences a caller accepts.
 * @module
 */

import { straceName } from "../abi/decode.ts";
import { errnoName } from "../abi/errno.ts";
import { signalText } from "../abi/signals.ts";
import { hex, SI_CODES, SI_CODES_BY_SIGNAL, symbolValue } from "../abi/xlat.ts";
import type { TraceEvent } from "../kernel/events.ts";
import { syscallByName, syscallByNumber } from "../kernel/syscalls.ts";
import { resultText } from "./strace.ts";
import { parseQemuStrace, parseStraceText, type TraceRecord } from "./strace_parse.ts";

/**
 * How an argument compares (the syscall registry's argument kinds): `i`
 * 32-bit integer or flags, `l` 64-bit integer, `s` string, `p` pointer
 * (NULL-ness, or region offset), `d` pid (sign only), `_` not compared.
 */
type ArgKind = "i" | "l" | "s" | "p" | "d" | "_";

/** The argument kinds of syscall `name`, from the registry. */
function argKinds(name: string): string | undefined {
  return syscallByName(name)?.args;
}

/** Results compared as addresses. */
const ADDRESS_RESULTS: ReadonlySet<string> = new Set(["mmap", "mremap", "brk"]);
/** Results that are pids or tids. */
const PID_RESULTS: ReadonlySet<string> = new Set([
  "getpid",
  "gettid",
  "set_tid_address",
  "clone",
  "clone3",
  "getpgid",
  "getsid",
  "setsid",
]);
/** Results qemu gets from the host or answers itself (allowance 4). */
export const QEMU_HOST_RESULTS: ReadonlySet<string> = new Set([
  "set_robust_list",
  "rseq",
  "riscv_hwprobe",
  "sched_getaffinity",
  "getcwd",
  "readlinkat",
  "getppid",
  "rt_sigreturn",
]);

/** Options of {@linkcode compareWithQemu}. */
export interface CompareOptions {
  /** Further syscalls whose arguments are not compared. */
  ignoreArgs?: readonly string[];
  /** Further syscalls whose results are not compared. */
  ignoreResults?: readonly string[];
  /** [qemu text, zkabi text] pairs: strings on the qemu side are rewritten before comparing. */
  replace?: readonly (readonly [string, string])[];
  /** Maximum differences listed in the diff text (default 40). */
  maxListed?: number;
}

/** One difference found. */
export interface Difference {
  /** `missing` (only in qemu), `extra` (only in zkabi), or a mismatch of an aligned call. */
  kind: "missing" | "extra" | "argument" | "result" | "signal";
  /** One-line explanation. */
  message: string;
  /** zkabi's line, when there is one. */
  zkabi?: string;
  /** qemu's line, when there is one. */
  qemu?: string;
}

/** The outcome of a comparison. */
export interface CompareResult {
  /** True when no difference was found (notes do not count). */
  ok: boolean;
  /** Aligned calls compared. */
  compared: number;
  /** Differences, in trace order. */
  differences: Difference[];
  /** Things not compared or compared loosely (allowances in force, post-clone name sets). */
  notes: string[];
  /** The readable report. */
  diff: string;
}

/** A trace entry ready to compare. */
interface Entry {
  rec: TraceRecord;
  /** Normalized syscall name (or `--- SIGX` for signals). */
  key: string;
  side: "zkabi" | "qemu";
}

// ------------------------------------------------------------ normalizing

/** Canonical name of a record: qemu's unknown numbers named as strace names them. */
function canonicalName(r: TraceRecord): string {
  // qemu prints signals it has no name for (the real-time ones) as numbers.
  if (r.kind === "signal") {
    return `--- ${/^\d+$/.test(r.name) ? signalText(Number(r.name)) : r.name}`;
  }
  if (r.unknownNr !== undefined) {
    const n = syscallByNumber(r.unknownNr)?.name;
    return n && n !== "arch_specific_syscall" ? n : `syscall_${hex(r.unknownNr)}`;
  }
  return r.name;
}

/** A parsed value: an integer, a string, NULL, or something opaque (a struct, a list). */
type Value =
  | { t: "int"; v: bigint }
  | { t: "str"; s: string; cut: boolean }
  | { t: "null" }
  | { t: "opaque"; text: string };

function parseValue(text: string): Value {
  const s = text.trim();
  if (s === "NULL") return { t: "null" };
  const str = /^"((?:[^"\\]|\\.)*)"(\.\.\.)?$/.exec(s);
  if (str) return { t: "str", s: unescape(str[1]), cut: str[2] !== undefined };
  if (/^[{[~]/.test(s)) return { t: "opaque", text: s };
  const v = symbolValue(s);
  return v === undefined ? { t: "opaque", text: s } : { t: "int", v };
}

function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", v: "\v", f: "\f" };
    if (e in simple) return simple[e];
    if (e[0] === "x") return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return e;
  });
}

/** Mapped regions of one trace, for region-relative addresses. */
class Regions {
  #list: { start: bigint; end: bigint }[] = [];
  #brk: bigint | undefined;

  /** Records the memory a call returned. */
  learn(name: string, args: Value[], result: Value): void {
    if (result.t !== "int" || BigInt.asIntN(64, result.v) < 0n) return;
    const len = (i: number) => (args[i]?.t === "int" ? (args[i] as { v: bigint }).v : 0n);
    if (name === "mmap") this.#list.push({ start: result.v, end: result.v + len(1) });
    else if (name === "mremap") this.#list.push({ start: result.v, end: result.v + len(2) });
    else if (name === "brk" && this.#brk === undefined) this.#brk = result.v;
  }

  /** An address as `R<i>+0x..`, `BRK+0x..`, or `ADDR`. */
  name(v: bigint): string {
    if (v === 0n) return "NULL";
    for (let i = this.#list.length - 1; i >= 0; i--) {
      const r = this.#list[i];
      if (v >= r.start && v < r.end) return `R${i}+${hex(v - r.start)}`;
    }
    if (this.#brk !== undefined && v >= this.#brk && v - this.#brk < 1n << 32n) {
      return `BRK+${hex(v - this.#brk)}`;
    }
    return "ADDR";
  }
}

const ERRNO_BY_NAME: ReadonlyMap<string, number> = new Map(
  Array.from({ length: 134 }, (_, i) => [errnoName(i), i] as const),
);

/** A result as a comparable value: `{err: n}`, `{ok: v}`, or none. */
type Result = { err: number } | { ok: bigint } | { none: true } | { opaque: string };

function parseResult(text: string | undefined, unknownNr?: number): Result {
  if (unknownNr !== undefined) return { err: 38 };
  if (text === undefined || text === "?" || text === "") return { none: true };
  const q = /^-1 errno=(\d+)/.exec(text);
  if (q) return { err: Number(q[1]) };
  const e = /^-1 (E[A-Z0-9]+)/.exec(text);
  if (e && ERRNO_BY_NAME.has(e[1])) return { err: ERRNO_BY_NAME.get(e[1])! };
  const first = text.split(" ")[0];
  const v = symbolValue(first);
  return v === undefined ? { opaque: text } : { ok: v };
}

function resultLabel(r: Result): string {
  if ("err" in r) return `-1 ${errnoName(r.err)}`;
  if ("ok" in r) return `${BigInt.asIntN(64, r.ok)}`;
  if ("none" in r) return "(none)";
  return r.opaque;
}

// ------------------------------------------------------------ alignment

/** Edit distance beyond which alignment gives up and pairs entries by position. */
const MAX_EDITS = 2000;

/**
 * Shortest-edit alignment of two key lists (Myers); pairs of indices, -1
 * for a gap. Past {@linkcode MAX_EDITS} edits the traces are too different
 * to align usefully (and the search too costly): entries pair by position.
 */
function align(a: string[], b: string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDITS);
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1))
        ? v.get(k + 1) ?? 0
        : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  if (!found) {
    const byPosition: [number, number][] = [];
    for (let i = 0; i < Math.max(n, m); i++) byPosition.push([i < n ? i : -1, i < m ? i : -1]);
    return byPosition;
  }
  // Walk back through the saved frontiers.
  const pairs: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d];
    const k = x - y;
    const down = k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1));
    const pk = down ? k + 1 : k - 1;
    const px = vd.get(pk) ?? 0;
    const py = px - pk;
    while (x > px && y > py && x > 0 && y > 0 && a[x - 1] === b[y - 1]) {
      pairs.push([--x, --y]);
    }
    if (d === 0) break;
    if (down) pairs.push([-1, --y]);
    else pairs.push([--x, -1]);
  }
  while (x > 0 && y > 0) pairs.push([--x, --y]);
  while (x > 0) pairs.push([--x, -1]);
  while (y > 0) pairs.push([-1, --y]);
  return pairs.reverse();
}

// ------------------------------------------------------------ comparison

function recordsOf(zkabi: string | readonly TraceEvent[]): TraceRecord[] {
  if (typeof zkabi === "string") return parseStraceText(zkabi);
  const out: TraceRecord[] = [];
  zkabi.forEach((e, i) => {
    if (e.kind === "signal") {
      const names = SI_CODES_BY_SIGNAL.get(e.signo);
      const code = (e.code > 0 && names?.[e.code]) || `${e.code}`;
      out.push({
        line: i + 1,
        tid: e.tid,
        kind: "signal",
        name: signalText(e.signo),
        args: [`si_code=${code}`],
        raw: `--- signal ${e.signo} ---`,
      });
      return;
    }
    if (e.entry) return;
    const name = straceName(e);
    const result = resultText(e, { args: [], hexResult: ADDRESS_RESULTS.has(name) });
    const args = e.args.map((a) => hex(a));
    out.push({
      line: i + 1,
      tid: e.tid,
      kind: "syscall",
      name,
      args,
      result,
      raw: `${name}(${args.join(", ")}) = ${result}`,
    });
  });
  return out;
}

/** The si_code of a signal record as a number. */
function siCode(r: TraceRecord): number | undefined {
  const f = r.args.find((a) => a.startsWith("si_code="));
  if (!f) return undefined;
  const t = f.slice(8);
  if (/^-?\d+$/.test(t)) return Number(t);
  for (const names of SI_CODES_BY_SIGNAL.values()) {
    const i = names.indexOf(t);
    if (i > 0) return i;
  }
  for (const [v, n] of SI_CODES.entries) if (n === t) return Number(v);
  return undefined;
}

function firstCloneIndex(list: Entry[]): number {
  return list.findIndex((e) => {
    if (e.key !== "clone" && e.key !== "clone3") return false;
    const r = parseResult(e.rec.result);
    return "ok" in r && r.ok > 0n;
  });
}

/** The process id each trace's strings may contain. */
function pidOf(list: Entry[], fallback: number): number {
  return list.find((e) => e.rec.tid !== undefined)?.rec.tid ?? fallback;
}

/**
 * Compares zkabi's trace (strace text from the strace writer, or the
 * events) with a `qemu-riscv64 -strace` log of the same program.
 */
export function compareWithQemu(
  zkabi: string | readonly TraceEvent[],
  qemuLog: string,
  opts: CompareOptions = {},
): CompareResult {
  const z: Entry[] = recordsOf(zkabi)
    .filter((r) => r.kind !== "exit")
    .map((rec) => ({ rec, key: canonicalName(rec), side: "zkabi" }));
  const q: Entry[] = parseQemuStrace(qemuLog)
    .filter((r) => r.kind !== "exit")
    .map((rec) => ({ rec, key: canonicalName(rec), side: "qemu" }));
  const notes: string[] = [];
  const differences: Difference[] = [];

  // Allowance 7: strict up to the first clone of each side.
  const zc = firstCloneIndex(z);
  const qc = firstCloneIndex(q);
  const zStrict = zc < 0 ? z : z.slice(0, zc + 1);
  const qStrict = qc < 0 ? q : q.slice(0, qc + 1);
  if (zc >= 0 || qc >= 0) {
    const zNames = new Set(z.slice(zStrict.length).map((e) => e.key));
    const qNames = new Set(q.slice(qStrict.length).map((e) => e.key));
    const onlyZ = [...zNames].filter((n) => !qNames.has(n)).sort();
    const onlyQ = [...qNames].filter((n) => !zNames.has(n)).sort();
    notes.push(
      `after the first clone (zkabi line ${zc >= 0 ? z[zc].rec.line : "-"}, qemu line ` +
        `${qc >= 0 ? q[qc].rec.line : "-"}) only syscall names are compared` +
        (onlyZ.length ? `; only in zkabi: ${onlyZ.join(", ")}` : "") +
        (onlyQ.length ? `; only in qemu: ${onlyQ.join(", ")}` : ""),
    );
  }

  const zPid = pidOf(z, 1000);
  const qPid = pidOf(q, 0);
  const zRegions = new Regions();
  const qRegions = new Regions();
  const ignoreArgs = new Set(opts.ignoreArgs ?? []);
  const ignoreResults: ReadonlySet<string> = new Set([
    ...QEMU_HOST_RESULTS,
    ...(opts.ignoreResults ?? []),
  ]);
  const allowed = new Set<string>();
  let compared = 0;

  // Parse once; align on name plus the values that must agree, then pair up
  // same-named calls left over between anchors, so a wrong argument shows
  // as a mismatch of two calls rather than a missing and an extra one.
  const zParsed = zStrict.map((e) => parsed(e, undefined));
  const qParsed = qStrict.map((e) => parsed(e, opts.replace));
  const zKeys = zStrict.map((e, i) => signature(e, zParsed[i], zPid, ignoreResults));
  const qKeys = qStrict.map((e, i) => signature(e, qParsed[i], qPid, ignoreResults));
  const pairs = pairRuns(align(zKeys, qKeys), zStrict, qStrict);
  for (const [zi, qi] of pairs) {
    const ze = zi >= 0 ? zStrict[zi] : undefined;
    const qe = qi >= 0 ? qStrict[qi] : undefined;
    const { args: zArgs, res: zRes } = zi >= 0 ? zParsed[zi] : { args: [], res: NONE };
    const { args: qArgs, res: qRes } = qi >= 0 ? qParsed[qi] : { args: [], res: NONE };
    if (ze && !qe) {
      differences.push({ kind: "extra", message: `only in zkabi: ${ze.key}`, zkabi: ze.rec.raw });
      learn(zRegions, ze, zArgs, zRes);
      continue;
    }
    if (qe && !ze) {
      differences.push({ kind: "missing", message: `only in qemu: ${qe.key}`, qemu: qe.rec.raw });
      learn(qRegions, qe, qArgs, qRes);
      continue;
    }
    const a = ze!;
    const b = qe!;
    compared++;
    if (a.rec.kind === "signal") {
      const ca = siCode(a.rec);
      const cb = siCode(b.rec);
      if (ca !== cb) {
        differences.push({
          kind: "signal",
          message: `${a.rec.name}: si_code ${ca} vs ${cb}`,
          zkabi: a.rec.raw,
          qemu: b.rec.raw,
        });
      }
      continue;
    }
    const name = a.key;
    // Learn regions before comparing, so mmap's result compares as R<i>+0.
    learn(zRegions, a, zArgs, zRes);
    learn(qRegions, b, qArgs, qRes);
    const kinds = argKinds(name);
    if (kinds === undefined || ignoreArgs.has(name)) {
      if (kinds === undefined) allowed.add(`${name}: arguments not compared (no argument table)`);
    } else {
      for (let i = 0; i < kinds.length && i < zArgs.length && i < qArgs.length; i++) {
        const kind = kinds[i] as ArgKind;
        if (name === "openat" && i === 3 && !(argInt(zArgs[2]) & 0o100n)) continue;
        const why = compareArg(kind, zArgs[i], qArgs[i], zRegions, qRegions, zPid, qPid);
        if (why) {
          differences.push({
            kind: "argument",
            message: `${name}: argument ${i + 1}: ${why}`,
            zkabi: a.rec.raw,
            qemu: b.rec.raw,
          });
        }
      }
    }
    if (ignoreResults.has(name)) {
      if (resultLabel(zRes) !== resultLabel(qRes)) {
        allowed.add(
          `${name}: result not compared (${resultLabel(zRes)} vs qemu ${resultLabel(qRes)})`,
        );
      }
      continue;
    }
    const why = compareResult(name, zRes, qRes, zRegions, qRegions);
    if (why) {
      differences.push({
        kind: "result",
        message: `${name}: result ${why}`,
        zkabi: a.rec.raw,
        qemu: b.rec.raw,
      });
    }
  }
  notes.push(...[...allowed]);
  const result: CompareResult = {
    ok: differences.length === 0,
    compared,
    differences,
    notes,
    diff: "",
  };
  result.diff = report(result, opts.maxListed ?? 40);
  return result;
}

const NONE: Result = { none: true };

/** An entry's arguments and result as values. */
function parsed(
  e: Entry,
  replace: CompareOptions["replace"],
): { args: Value[]; res: Result } {
  return {
    args: canonicalArgs(e).map((a) => parseValue(rewrite(a, replace))),
    res: parseResult(e.rec.result, e.rec.unknownNr),
  };
}

/**
 * The alignment key of an entry: its name with the integer and string
 * arguments and the result that must agree (addresses and pids left out).
 */
function signature(
  e: Entry,
  p: { args: Value[]; res: Result },
  pid: number,
  ignoreResults: ReadonlySet<string>,
): string {
  const kinds = argKinds(e.key) ?? "";
  const parts: string[] = [];
  for (let i = 0; i < kinds.length && i < p.args.length; i++) {
    const v = p.args[i];
    if ((kinds[i] === "i" || kinds[i] === "l") && v.t === "int") {
      parts.push(hex(BigInt.asUintN(kinds[i] === "i" ? 32 : 64, v.v)));
    } else if (kinds[i] === "s" && v.t === "str") {
      parts.push(JSON.stringify(v.s.split(String(pid)).join("<pid>").slice(0, 32)));
    } else parts.push("*");
  }
  let res = "*";
  if ("err" in p.res) res = `E${p.res.err}`;
  else if ("ok" in p.res && !ADDRESS_RESULTS.has(e.key) && !PID_RESULTS.has(e.key)) {
    res = ignoreResults.has(e.key) ? "ok" : `${p.res.ok}`;
  }
  return `${e.key}(${parts.join(",")})=${res}`;
}

/**
 * Within each run of unaligned entries between two aligned ones, pairs
 * zkabi and qemu entries of the same name in order; the rest stay gaps.
 */
function pairRuns(pairs: [number, number][], z: Entry[], q: Entry[]): [number, number][] {
  const out: [number, number][] = [];
  let zs: number[] = [];
  let qs: number[] = [];
  const flush = () => {
    const partner = new Map<number, number>();
    let from = 0;
    for (const zi of zs) {
      const k = qs.findIndex((qi, j) => j >= from && q[qi].key === z[zi].key);
      if (k >= 0) {
        partner.set(zi, k);
        from = k + 1;
      }
    }
    let next = 0;
    for (const zi of zs) {
      const k = partner.get(zi);
      if (k === undefined) {
        out.push([zi, -1]);
        continue;
      }
      for (; next < k; next++) if (![...partner.values()].includes(next)) out.push([-1, qs[next]]);
      out.push([zi, qs[k]]);
      next = k + 1;
    }
    for (; next < qs.length; next++) {
      if (![...partner.values()].includes(next)) out.push([-1, qs[next]]);
    }
    zs = [];
    qs = [];
  };
  for (const [zi, qi] of pairs) {
    if (zi >= 0 && qi >= 0) {
      flush();
      out.push([zi, qi]);
    } else if (zi >= 0) zs.push(zi);
    else qs.push(qi);
  }
  flush();
  return out;
}

/**
 * Arguments in the syscall's own order. clone is the one call both formats
 * print with keywords, in different orders: strace `child_stack=, flags=,
 * parent_tid=, tls=, child_tidptr=`, qemu `FLAGS,child_stack=,parent_tidptr=,
 * tls=,child_tidptr=`; riscv64's order is flags, stack, parent_tid, tls,
 * child_tid.
 */
function canonicalArgs(e: Entry): string[] {
  const args = e.rec.args;
  if (e.key !== "clone" || !args.some((a) => a.includes("="))) return args;
  const byKey = new Map<string, string>();
  for (const a of args) {
    const m = /^([a-z_]+)=(.*)$/.exec(a);
    if (m) byKey.set(m[1], m[2]);
    else byKey.set("flags", a);
  }
  const get = (...keys: string[]) => keys.map((k) => byKey.get(k)).find((v) => v) ?? "NULL";
  return [
    get("flags"),
    get("child_stack"),
    get("parent_tid", "parent_tidptr"),
    get("tls"),
    get("child_tidptr"),
  ];
}

function rewrite(s: string, pairs: CompareOptions["replace"]): string {
  let out = s;
  for (const [from, to] of pairs ?? []) out = out.split(from).join(to);
  return out;
}

function learn(r: Regions, e: Entry, args: Value[], res: Result): void {
  if (!ADDRESS_RESULTS.has(e.key)) return;
  r.learn(e.key, args, "ok" in res ? { t: "int", v: res.ok } : { t: "null" });
}

function argInt(v: Value | undefined): bigint {
  return v?.t === "int" ? v.v : 0n;
}

function show(v: Value): string {
  switch (v.t) {
    case "int":
      return hex(v.v);
    case "str":
      return JSON.stringify(v.s) + (v.cut ? "..." : "");
    case "null":
      return "NULL";
    default:
      return v.text;
  }
}

function isNull(v: Value): boolean {
  return v.t === "null" || (v.t === "int" && v.v === 0n);
}

function compareArg(
  kind: ArgKind,
  a: Value,
  b: Value,
  ra: Regions,
  rb: Regions,
  pa: number,
  pb: number,
): string | undefined {
  switch (kind) {
    case "_":
      return undefined;
    case "i":
    case "l": {
      if (a.t !== "int" || b.t !== "int") {
        // One side unparsed (qemu's UNKNOWN, a decoded struct): compare what we can.
        return isNull(a) !== isNull(b) ? `${show(a)} vs qemu ${show(b)}` : undefined;
      }
      const bits = kind === "i" ? 32 : 64;
      return BigInt.asUintN(bits, a.v) === BigInt.asUintN(bits, b.v)
        ? undefined
        : `${show(a)} vs qemu ${show(b)}`;
    }
    case "d": {
      if (a.t !== "int" || b.t !== "int") return undefined;
      const sa = Math.sign(Number(BigInt.asIntN(32, a.v)));
      const sb = Math.sign(Number(BigInt.asIntN(32, b.v)));
      return sa === sb ? undefined : `pid ${show(a)} vs qemu ${show(b)}`;
    }
    case "s": {
      if (a.t === "str" && b.t === "str") {
        const x = a.s.split(String(pa)).join("<pid>");
        const y = pb ? b.s.split(String(pb)).join("<pid>") : b.s;
        const n = a.cut || b.cut ? Math.min(x.length, y.length) : Math.max(x.length, y.length);
        return x.slice(0, n) === y.slice(0, n) && (a.cut || b.cut || x === y)
          ? undefined
          : `${show(a)} vs qemu ${show(b)}`;
      }
      return isNull(a) !== isNull(b) ? `${show(a)} vs qemu ${show(b)}` : undefined;
    }
    case "p": {
      if (isNull(a) !== isNull(b)) return `${show(a)} vs qemu ${show(b)}`;
      if (a.t !== "int" || b.t !== "int") return undefined;
      // Addresses in returned memory compare as offsets; others are masked.
      const na = ra.name(a.v);
      const nb = rb.name(b.v);
      return na === nb ? undefined : `${na} vs qemu ${nb}`;
    }
  }
}

function compareResult(
  name: string,
  a: Result,
  b: Result,
  ra: Regions,
  rb: Regions,
): string | undefined {
  const label = () => `${resultLabel(a)} vs qemu ${resultLabel(b)}`;
  if ("none" in a || "none" in b) return "none" in a && "none" in b ? undefined : label();
  if ("err" in a || "err" in b) {
    return "err" in a && "err" in b && a.err === b.err ? undefined : label();
  }
  if ("opaque" in a || "opaque" in b) return undefined;
  if (ADDRESS_RESULTS.has(name)) {
    const na = ra.name(a.ok);
    const nb = rb.name(b.ok);
    return na === nb ? undefined : `${na} vs qemu ${nb}`;
  }
  if (PID_RESULTS.has(name)) return (a.ok > 0n) === (b.ok > 0n) ? undefined : label();
  return BigInt.asUintN(64, a.ok) === BigInt.asUintN(64, b.ok) ? undefined : label();
}

function report(r: CompareResult, maxListed: number): string {
  const lines = [
    `zkabi vs qemu-riscv64 -strace: ${r.compared} calls aligned, ` +
    `${r.differences.length} difference${r.differences.length === 1 ? "" : "s"}`,
  ];
  for (const d of r.differences.slice(0, maxListed)) {
    const mark = d.kind === "extra" ? "+" : d.kind === "missing" ? "-" : "!";
    lines.push(`${mark} ${d.message}`);
    if (d.zkabi !== undefined) lines.push(`    zkabi: ${d.zkabi}`);
    if (d.qemu !== undefined) lines.push(`    qemu:  ${d.qemu}`);
  }
  if (r.differences.length > maxListed) {
    lines.push(`  ... ${r.differences.length - maxListed} more`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}
