/**
 * Parsers for syscall trace text: strace's format (what real strace and
 * zkabi's strace writer print) and `qemu-riscv64 -strace`'s format. Both
 * give {@linkcode TraceRecord}s: the syscall name, the argument texts split
 * at top-level commas, and the result text.
 *
 * strace (`strace -f` prefixes lines with the pid):
 * ```
 * openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
 * 1526  futex(0x1ddddc0, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>
 * 1526  <... futex resumed>)              = 0
 * 1526  --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=1526, si_uid=1000} ---
 * +++ exited with 0 +++
 * ```
 * An `<unfinished ...>` line and its `<... name resumed>` line are joined
 * into one record (at the unfinished line's place).
 *
 * qemu-riscv64 -strace (qemu 7.2; host pid first, no spaces after commas,
 * `errno=N` for errors, no result for exit/exit_group, undecoded syscalls
 * with six raw decimal arguments):
 * ```
 * 18737 openat(AT_FDCWD,"input.txt",O_RDONLY|O_CLOEXEC) = 3
 * 18737 close(3) = -1 errno=9 (Bad file descriptor)
 * 18737 pread64(3,274886299176,4,0,1,76) = 4
 * 18737 Unknown syscall 500
 * 18737 exit_group(0)
 * --- SIGSEGV {si_signo=SIGSEGV, si_code=1, si_addr=NULL} ---
 * ```
 * qemu prints a call's name and arguments before running it and ` = result`
 * after; with several threads another thread's line can start in between
 * (`clone(...)31516 rt_sigprocmask(...) = 0`). The parser splits such lines;
 * a call whose result never came gets `result: undefined`.
 * @module
 */

/** One line (or joined unfinished/resumed pair) of a trace. */
export interface TraceRecord {
  /** 1-based line number in the source text. */
  line: number;
  /** Pid/tid prefix, when the line had one. */
  tid?: number;
  /** What the line reports. */
  kind: "syscall" | "signal" | "exit";
  /** Syscall name; for signals the signal name (`SIGSEGV`); for exits the text. */
  name: string;
  /** Argument texts as printed, split at top-level commas (signals: the siginfo fields). */
  args: string[];
  /** Result text after `= ` (`3`, `-1 ENOENT (...)`, `0x7f...`, `?`), if any. */
  result?: string;
  /** The source line. */
  raw: string;
  /** qemu's `Unknown syscall N`: the number. */
  unknownNr?: number;
}

/**
 * Splits `s` at commas outside quotes, brackets, braces, parentheses and
 * comments, trimming each part.
 */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  if (s.trim() === "") return [];
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      i = skipString(s, i);
      continue;
    }
    if (c === "/" && s[i + 1] === "*") {
      const end = s.indexOf("*/", i + 2);
      i = end < 0 ? s.length : end + 2;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  out.push(s.slice(start).trim());
  return out;
}

/** Index just past the string literal starting at `i` (a `"`). */
function skipString(s: string, i: number): number {
  let j = i + 1;
  while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
  return j + 1;
}

/**
 * Finds the `)` closing the argument list that starts after index `open`
 * (the `(`); -1 when the line ends first.
 */
function closingParen(s: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      i = skipString(s, i);
      continue;
    }
    if (c === "/" && s[i + 1] === "*") {
      const end = s.indexOf("*/", i + 2);
      i = end < 0 ? s.length : end + 2;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) return i;
    }
    i++;
  }
  return -1;
}

const CALL = /^([A-Za-z_][A-Za-z0-9_]*)\(/;

/** Parses strace output (real strace's or zkabi's writer's). */
export function parseStraceText(text: string): TraceRecord[] {
  const out: TraceRecord[] = [];
  const unfinished = new Map<number, { rec: TraceRecord; head: string }>();
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    if (raw.trim() === "") continue;
    let s = raw;
    let tid: number | undefined;
    const pm = /^(\d+)\s+/.exec(s);
    if (pm) {
      tid = Number(pm[1]);
      s = s.slice(pm[0].length);
    }
    const base = { line: n + 1, tid, raw };
    if (s.startsWith("--- ")) {
      out.push(signalRecord(base, s));
      continue;
    }
    if (s.startsWith("+++ ")) {
      out.push({ ...base, kind: "exit", name: s.replace(/^\+\+\+ | \+\+\+$/g, ""), args: [] });
      continue;
    }
    const resumed = /^<\.\.\. ([A-Za-z0-9_]+) resumed>/.exec(s);
    if (resumed) {
      const key = tid ?? -1;
      const u = unfinished.get(key);
      if (!u) continue;
      unfinished.delete(key);
      const rest = s.slice(resumed[0].length).replace(/^ <unfinished \.\.\.>/, "");
      const joined = `${u.head}${rest}`;
      Object.assign(u.rec, callRecord(u.rec, joined) ?? {});
      u.rec.raw = `${u.rec.raw}\n${raw}`;
      continue;
    }
    const um = / <unfinished \.\.\.>$/.exec(s);
    if (um) {
      const head = s.slice(0, um.index);
      const m = CALL.exec(head);
      if (!m) continue;
      const rec: TraceRecord = { ...base, kind: "syscall", name: m[1], args: [] };
      out.push(rec);
      unfinished.set(tid ?? -1, { rec, head });
      continue;
    }
    const rec = callRecord(base, s);
    if (rec) out.push(rec);
  }
  return out;
}

/** Parses `name(args) = result` (result optional); undefined if not a call. */
function callRecord(
  base: { line: number; tid?: number; raw: string },
  s: string,
): TraceRecord | undefined {
  const m = CALL.exec(s);
  if (!m) return undefined;
  const open = m[1].length;
  const close = closingParen(s, open);
  if (close < 0) {
    return { ...base, kind: "syscall", name: m[1], args: splitArgs(s.slice(open + 1)) };
  }
  const rest = s.slice(close + 1);
  const rm = /^\s*= (.*)$/.exec(rest);
  return {
    ...base,
    kind: "syscall",
    name: m[1],
    args: splitArgs(s.slice(open + 1, close)),
    result: rm ? rm[1].trim() : undefined,
  };
}

function signalRecord(base: { line: number; tid?: number; raw: string }, s: string): TraceRecord {
  const m = /^--- (\S+)(?: \{(.*)\})? ---/.exec(s);
  return {
    ...base,
    kind: "signal",
    name: m ? m[1] : s,
    args: m && m[2] ? splitArgs(m[2]) : [],
  };
}

/** Parses a `qemu-riscv64 -strace` log. */
export function parseQemuStrace(text: string): TraceRecord[] {
  const out: TraceRecord[] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    let s = raw;
    while (s.trim() !== "") {
      const base = { line: n + 1, raw };
      if (s.startsWith("--- ")) {
        out.push(signalRecord(base, s));
        break;
      }
      if (/^\s*= /.test(s)) {
        // A result whose call line was interrupted: give it to the last call without one.
        const last = [...out].reverse().find((r) => r.kind === "syscall" && r.result === undefined);
        const m = /^\s*= (.*?)(?=\d+ [A-Za-z_]+\(|$)/.exec(s)!;
        if (last) last.result = qemuResult(m[1]);
        s = s.slice(m[0].length);
        continue;
      }
      const pm = /^(\d+) /.exec(s);
      if (!pm) break;
      const tid = Number(pm[1]);
      s = s.slice(pm[0].length);
      const unknown = /^Unknown syscall (\d+)/.exec(s);
      if (unknown) {
        out.push({
          ...base,
          tid,
          kind: "syscall",
          name: `syscall_${unknown[1]}`,
          args: [],
          unknownNr: Number(unknown[1]),
        });
        s = s.slice(unknown[0].length);
        continue;
      }
      const m = CALL.exec(s);
      if (!m) break;
      const close = closingParen(s, m[1].length);
      if (close < 0) {
        out.push({
          ...base,
          tid,
          kind: "syscall",
          name: m[1],
          args: splitArgs(s.slice(m[1].length + 1)),
        });
        break;
      }
      const rec: TraceRecord = {
        ...base,
        tid,
        kind: "syscall",
        name: m[1],
        args: splitArgs(s.slice(m[1].length + 1, close)),
      };
      out.push(rec);
      s = s.slice(close + 1);
      const rm = /^ = (.*?)(?=\d+ [A-Za-z_]+\(|\d+ Unknown syscall|$)/.exec(s);
      if (rm) {
        rec.result = qemuResult(rm[1]);
        s = s.slice(rm[0].length);
      }
    }
  }
  return out;
}

/**
 * qemu's result text in strace's terms: `-1 errno=9 (Bad file descriptor)`
 * becomes `-1 errno=9`, and decorations after the value
 * (`0 ({tv_sec = 1,tv_nsec = 2})`) are dropped.
 */
function qemuResult(r: string): string {
  const t = r.trim();
  const err = /^-1 errno=(\d+)/.exec(t);
  if (err) return `-1 errno=${err[1]}`;
  return t.split(" ")[0];
}
