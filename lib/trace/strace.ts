/**
 * An strace-compatible text trace: one line per syscall in the format real
 * `strace` prints for riscv64 programs (`strace -f` when the guest has more
 * than one thread), so zkabi traces can be read and diffed like strace logs.
 *
 * ```
 * openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
 * read(3, "\177ELF\2\1\1\3\0\0\0\0\0\0\0\0\3\0\363\0\1\0\0\0Ry\2\0\0\0\0\0"..., 832) = 832
 * mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffce617c000
 * faccessat(AT_FDCWD, "/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
 * 1001  --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=1000, si_uid=0} ---
 * +++ exited with 0 +++
 * ```
 *
 * Layout as strace's: the return value starts at column 40 (` = ` after
 * padding `name(args)` to 39 columns); with more than one thread the line
 * starts with the tid left-aligned in 5 columns and a space (`1000  `).
 *
 * Blocked syscalls. zkabi reports a syscall when it completes. A call that
 * blocked (a futex wait, a read of an empty pipe) is printed whole when it
 * completes, at its completion's place in the trace; strace -f would print
 * `name(entry args <unfinished ...>` when another thread's line interrupts it
 * and `<... name resumed>exit args) = result` later. When the dispatcher also
 * emits an entry report for a call that blocks (`entry: true`, see
 * `events.ts`), the writer prints exactly strace's pair: the unfinished line
 * as soon as another line must be printed while the call is pending (and
 * nothing if the call completes first), then the resumed line.
 *
 * Memory is decoded when the event arrives (at completion): see
 * `strace_decode.ts` for the decoders and struct layouts.
 * @module
 */

import { type Decoded, DEFAULT_STRSIZE, straceName } from "../abi/decode.ts";
import { errnoName, errnoText } from "../abi/errno.ts";
import { signalText } from "../abi/signals.ts";
import { hex, siCodeText } from "../abi/xlat.ts";
import type { SignalEvent, SyscallEvent, TraceEvent, TraceWriter } from "../kernel/events.ts";
import type { RunEnd } from "../kernel/kernel.ts";
import { decodeCall } from "../kernel/syscalls.ts";
import type { TraceSource } from "../kernel/tracee.ts";
import { hex64 } from "../memory/memory.ts";

/** Options of the strace writer. */
export interface StraceOptions {
  /** Bytes of strings (and elements of arrays) shown, strace's `-s`; default 32. */
  strsize?: number;
  /**
   * Thread-id prefixes: `auto` (default) once the guest has created a second
   * thread, as `strace -f` prints them; `always`; `never`.
   */
  tidPrefix?: "auto" | "always" | "never";
  /** Include zkabi precompile calls (printed as `keccakf(0x...)`); default true. */
  precompiles?: boolean;
}

/**
 * A tracer that writes strace lines; its `finish` writes the end of the
 * trace: resumed lines of calls still blocked, then `+++ exited with N +++`
 * or `+++ killed by SIGX +++` (one per live thread when prefixes are on).
 */
export type StraceWriter = TraceWriter;

/** Column where strace starts ` = result` (its default `-a 40`). */
const RESULT_COLUMN = 40;

/** Kernel-internal restart codes, which strace prints as `? ERESTARTSYS (...)`. */
const RESTART_CODES: ReadonlyMap<number, readonly [string, string]> = new Map([
  [512, ["ERESTARTSYS", "To be restarted if SA_RESTART is set"]],
  [513, ["ERESTARTNOINTR", "To be restarted"]],
  [514, ["ERESTARTNOHAND", "To be restarted if no handler"]],
  [515, ["ENOIOCTLCMD", "Unknown ioctl command"]],
  [516, ["ERESTART_RESTARTBLOCK", "Interrupted by signal"]],
]);

/** Pads `head` so the result starts at strace's column, then appends ` = result`. */
export function withResult(head: string, result: string): string {
  const padded = head.length < RESULT_COLUMN - 1 ? head.padEnd(RESULT_COLUMN - 1) : head;
  return `${padded} = ${result}`;
}

/** The return value as strace prints it, with any decoration. */
export function resultText(e: SyscallEvent, d: Decoded, src?: TraceSource): string {
  let r = e.result;
  if (r === undefined && e.name === "rt_sigreturn" && src) {
    // rt_sigreturn "returns" the a0 it restored; the registers hold it now.
    r = src.a0Of(e.tid);
  }
  if (r === undefined) return "?";
  if (r < 0 && r >= -4095) {
    const restart = RESTART_CODES.get(-r);
    if (restart) return `? ${restart[0]} (${restart[1]})`;
    return `-1 ${errnoName(-r)} (${errnoText(-r)})`;
  }
  const v = d.hexResult ? hex(BigInt.asUintN(64, BigInt(r))) : `${r}`;
  return d.aux === undefined ? v : `${v} (${d.aux})`;
}

/** The `name(args)` part of a syscall's line. */
export function callText(e: SyscallEvent, d: Decoded): string {
  return `${straceName(e)}(${joinArgs(d)})`;
}

function joinArgs(d: Decoded): string {
  return d.args.join(", ");
}

/** One syscall's strace line without a tid prefix, decoded from `src`'s memory now. */
export function formatSyscallLine(
  src: TraceSource,
  e: SyscallEvent,
  strsize: number = DEFAULT_STRSIZE,
): string {
  const d = decodeCall(src, e, strsize);
  return withResult(callText(e, d), resultText(e, d, src));
}

/** The `--- SIGX {...} ---` line of a signal event (without tid prefix). */
export function formatSignalLine(src: TraceSource, e: SignalEvent): string {
  const fields = [`si_signo=${signalText(e.signo)}`, `si_code=${siCodeText(e.signo, e.code)}`];
  const fault = e.code > 0 && [4, 5, 7, 8, 11].includes(e.signo);
  if (fault) {
    fields.push(`si_addr=${e.addr ? `0x${hex64(e.addr)}` : "NULL"}`);
  } else if (e.timerid !== undefined) {
    // SI_TIMER: strace prints the id in hex (%#x), then the overrun and the value.
    const v = e.value ?? 0n;
    fields.push(
      `si_timerid=${e.timerid === 0 ? "0" : `0x${(e.timerid >>> 0).toString(16)}`}`,
      `si_overrun=${e.overrun ?? 0}`,
      `si_int=${Number(BigInt.asIntN(32, v))}`,
      `si_ptr=${v === 0n ? "NULL" : `0x${v.toString(16)}`}`,
    );
  } else if (e.code <= 0) {
    // Sent by a process (kill, tgkill, sigqueue): sender pid and uid.
    fields.push(`si_pid=${e.pid ?? src.pid}`, `si_uid=${e.uid ?? 0}`);
  } else if (e.code === 0x80) {
    fields.push(`si_addr=${e.addr ? `0x${hex64(e.addr)}` : "NULL"}`);
  }
  return `--- ${signalText(e.signo)} {${fields.join(", ")}} ---`;
}

/**
 * The last line strace prints for a process that ended with `end`:
 * `+++ exited with 0 +++`, `+++ killed by SIGSEGV +++`. zkabi's own ends
 * (profile denial, deadlock, instruction limit, emulator error) have no
 * strace equivalent and print as `+++ zkabi stopped: <kind> +++`.
 */
export function straceExitLine(end: RunEnd): string {
  switch (end.kind) {
    case "exit":
      return `+++ exited with ${end.status & 255} +++`;
    case "signal":
      return `+++ killed by ${signalText(end.signo)} +++`;
    default:
      return `+++ zkabi stopped: ${end.kind} +++`;
  }
}

interface Pending {
  /** Name as printed. */
  name: string;
  /** Entry-time decoding. */
  decoded: Decoded;
  /** True once the `<unfinished ...>` line went out. */
  printed: boolean;
}

/**
 * Creates a tracer that writes one strace line per event to `sink` (without
 * the trailing newline). Compose it with other tracers in the runner and call
 * `finish` with the run's end.
 */
export function createStraceWriter(
  src: TraceSource,
  sink: (line: string) => void,
  opts: StraceOptions = {},
): StraceWriter {
  const strsize = opts.strsize ?? DEFAULT_STRSIZE;
  const mode = opts.tidPrefix ?? "auto";
  const precompiles = opts.precompiles ?? true;
  const pending = new Map<number, Pending>();
  const exitReported = new Set<number>();

  function prefixed(): boolean {
    return mode === "always" || (mode === "auto" && src.threadIds().length > 1);
  }

  function prefix(tid: number): string {
    return prefixed() ? `${String(tid).padEnd(5)} ` : "";
  }

  /** Prints the unfinished lines of pending calls other than `except`'s. */
  function flush(except?: number): void {
    for (const [tid, p] of pending) {
      if (tid === except || p.printed) continue;
      const d = p.decoded;
      const n = d.entry ?? d.args.length;
      let head = d.args.slice(0, n).join(", ");
      if (n < d.args.length && n > 0 && !d.commaAtExit) head += ", ";
      sink(`${prefix(tid)}${p.name}(${head} <unfinished ...>`);
      p.printed = true;
    }
  }

  /** Writes `text` (prefixed; padded before ` = ` if `result` is given). */
  function line(tid: number, text: string, result?: string, own?: number): void {
    flush(own);
    const head = prefix(tid) + text;
    sink(result === undefined ? head : withResult(head, result));
  }

  function onSyscall(e: SyscallEvent): void {
    if (e.route === "precompile" && !precompiles) return;
    const name = straceName(e);
    if (e.entry) {
      pending.set(e.tid, { name, decoded: decodeCall(src, e, strsize), printed: false });
      return;
    }
    const d = decodeCall(src, e, strsize);
    const p = e.blocked ? pending.get(e.tid) : undefined;
    if (p) {
      pending.delete(e.tid);
      // Entry-time arguments from the entry report, exit-time ones from now.
      const n = p.decoded.entry ?? p.decoded.args.length;
      d.args = [...p.decoded.args.slice(0, n), ...d.args.slice(n)];
    }
    const result = resultText(e, d, src);
    if (p?.printed) {
      const n = d.entry ?? d.args.length;
      let tail = d.args.slice(n).join(", ");
      if (d.commaAtExit && tail !== "") tail = `, ${tail}`;
      line(e.tid, `<... ${name} resumed>${tail})`, result, e.tid);
    } else {
      line(e.tid, callText(e, d), result, e.tid);
    }
    if (e.name === "exit" && e.result === undefined && prefixed() && !src.ended) {
      // A thread (not the process) exited: strace -f reports it at once.
      line(e.tid, `+++ exited with ${Number(BigInt.asIntN(32, e.args[0])) & 255} +++`);
      exitReported.add(e.tid);
    }
  }

  const writer = ((e: TraceEvent) => {
    if (e.kind === "syscall") onSyscall(e);
    else line(e.tid, formatSignalLine(src, e));
  }) as StraceWriter;

  writer.finish = (end: RunEnd) => {
    flush();
    for (const [tid, p] of pending) line(tid, `<... ${p.name} resumed> <unfinished ...>)`, "?");
    pending.clear();
    const last = straceExitLine(end);
    if (!prefixed()) {
      sink(last);
      return;
    }
    const live = src.threadIds().filter((tid) => !exitReported.has(tid));
    for (const tid of live.sort((a, b) => b - a)) sink(prefix(tid) + last);
  };
  return writer;
}
