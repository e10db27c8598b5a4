/**
 * Plain-text renderings for the REPL (and the notebooks' text fallbacks):
 * aligned tables, register files, gdb-style memory dumps, disassembly
 * around an address, thread lists and trace tables.
 * @module
 */

import { errnoName } from "../abi/errno.ts";
import { Disassembler, F_NAMES, type Instruction, X_NAMES } from "../cpu/disasm.ts";
import type { Hart } from "../cpu/hart.ts";
import type { TraceEvent } from "../kernel/events.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { textTable } from "../render/doc.ts";

/** `0x` and 16 hex digits of a 64-bit value. */
export function hex64(v: bigint): string {
  return "0x" + BigInt.asUintN(64, v).toString(16).padStart(16, "0");
}

/** The integer registers: name, hex, signed decimal, and the symbol for code addresses. */
export function formatXRegisters(h: Hart, k: Kernel): string {
  const at = k.symbols.lookup(h.pc);
  const rows: string[][] = [[
    "pc",
    hex64(BigInt(h.pc)),
    String(h.pc),
    at ? `<${at.name}+0x${at.offset.toString(16)}>` : "",
  ]];
  for (let i = 1; i < 32; i++) {
    const v = h.getX(i);
    const n = Number(BigInt.asUintN(64, v));
    const m = n < 2 ** 53 ? k.symbols.lookup(n) : undefined;
    rows.push([
      X_NAMES[i],
      hex64(v),
      BigInt.asIntN(64, v).toString(),
      m ? `<${m.name}+0x${m.offset.toString(16)}>` : "",
    ]);
  }
  return textTable(["reg", "hex", "decimal", "symbol"], rows, ["left", "left", "right", "left"]);
}

/** The FP registers: raw bits, the value as a double, and as a NaN-boxed single when boxed. */
export function formatFRegisters(h: Hart): string {
  const rows: string[][] = [];
  for (let i = 0; i < 32; i++) {
    const bits = h.getF(i);
    const boxed = BigInt.asUintN(64, bits) >> 32n === 0xffffffffn;
    rows.push([
      F_NAMES[i],
      hex64(bits),
      formatDouble(h.fd[i]),
      boxed ? formatDouble(h.fs[2 * i]) : "",
    ]);
  }
  rows.push([
    "fcsr",
    `0x${h.fcsr.toString(16)}`,
    `frm=${h.frm} fflags=0x${h.fflags.toString(16)}`,
    "",
  ]);
  return textTable(["reg", "bits", "double", "single"], rows);
}

function formatDouble(v: number): string {
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

/** gdb's `x` formats and unit sizes. */
export interface DumpFormat {
  /** Units to show. */
  count: number;
  /** x hex, d signed, u unsigned, o octal, t binary, c char, a address, s string, i instruction. */
  format: "x" | "d" | "u" | "o" | "t" | "c" | "a" | "s" | "i";
  /** Unit size in bytes: b 1, h 2, w 4, g 8. */
  size: 1 | 2 | 4 | 8;
}

/** Parses gdb's `/NFU` suffix (e.g. `16x`, `4gx`, `s`, `10i`); `last` fills in what is left out. */
export function parseDumpFormat(spec: string, last: DumpFormat): DumpFormat {
  const m = /^(\d*)([xduotcasi]?)([bhwg]?)([xduotcasi]?)$/.exec(spec);
  if (!m) throw new Error(`bad format '/${spec}': expected /NFU, e.g. /16x, /4gx, /s, /10i`);
  const count = m[1] === "" ? 1 : Number(m[1]);
  const format = (m[2] || m[4] || last.format) as DumpFormat["format"];
  const sizes: Record<string, 1 | 2 | 4 | 8> = { b: 1, h: 2, w: 4, g: 8 };
  let size = m[3] ? sizes[m[3]] : last.size;
  if (format === "a") size = 8;
  if (format === "c" && !m[3]) size = 1;
  return { count, format, size };
}

/**
 * gdb-style memory dump lines (`0x12078:\t0x6c6c6568\t...`), reading with
 * `read`; a read fault ends the dump with a `cannot access` line.
 */
export function formatDump(
  read: (addr: number, len: number) => Uint8Array,
  addr: number,
  f: DumpFormat,
  describe: (a: number) => string,
): string {
  const lines: string[] = [];
  if (f.format === "s") {
    let a = addr;
    for (let n = 0; n < f.count; n++) {
      const bytes: number[] = [];
      try {
        for (;;) {
          const b = read(a + bytes.length, 1)[0];
          if (b === 0 || bytes.length >= 4096) break;
          bytes.push(b);
        }
      } catch {
        lines.push(`0x${a.toString(16)}:\t<cannot access memory>`);
        break;
      }
      lines.push(`0x${a.toString(16)}:\t${cString(new Uint8Array(bytes))}`);
      a += bytes.length + 1;
    }
    return lines.join("\n");
  }
  const perLine = f.size === 8 ? 2 : f.size === 4 ? 4 : 8;
  let a = addr;
  for (let done = 0; done < f.count;) {
    const n = Math.min(perLine, f.count - done);
    const cells: string[] = [];
    let failed = false;
    for (let i = 0; i < n; i++) {
      let bytes: Uint8Array;
      try {
        bytes = read(a + i * f.size, f.size);
      } catch {
        failed = true;
        break;
      }
      cells.push(unit(bytes, f, describe));
    }
    if (cells.length > 0) lines.push(`0x${a.toString(16)}:\t${cells.join("\t")}`);
    if (failed) {
      lines.push(`cannot access memory at 0x${(a + cells.length * f.size).toString(16)}`);
      break;
    }
    a += n * f.size;
    done += n;
  }
  return lines.join("\n");
}

function unit(bytes: Uint8Array, f: DumpFormat, describe: (a: number) => string): string {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  const bits = BigInt(bytes.length * 8);
  switch (f.format) {
    case "x":
      return "0x" + v.toString(16).padStart(bytes.length * 2, "0");
    case "d":
      return BigInt.asIntN(Number(bits), v).toString();
    case "u":
      return v.toString();
    case "o":
      return "0" + v.toString(8);
    case "t":
      return v.toString(2).padStart(Number(bits), "0");
    case "c": {
      const c = Number(v & 0xffn);
      return `${c} ${cString(new Uint8Array([c]))}`;
    }
    case "a":
      return `0x${v.toString(16)} <${describe(Number(v))}>`;
    default:
      return "0x" + v.toString(16);
  }
}

/** A C string as gdb prints it: quoted, with C escapes. */
export function cString(b: Uint8Array): string {
  let s = '"';
  for (const c of b) {
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += "\\\\";
    else if (c === 0x0a) s += "\\n";
    else if (c === 0x09) s += "\\t";
    else if (c === 0x0d) s += "\\r";
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += "\\" + c.toString(8).padStart(3, "0");
  }
  return s + '"';
}

/** Reads one instruction's bits (16 or 32) at `pc`. */
export function fetchWord(read: (addr: number, len: number) => Uint8Array, pc: number): number {
  const lo = read(pc, 2);
  const half = lo[0] | (lo[1] << 8);
  if ((half & 3) !== 3) return half;
  const hi = read(pc + 2, 2);
  return (half | (hi[0] << 16) | (hi[1] << 24)) >>> 0;
}

/**
 * Instructions around `pc`: about `before` instructions before it (found by
 * decoding forward from an earlier address that lands exactly on `pc`) and
 * the rest from `pc` on, `count` in all.
 */
export function instructionsAround(
  read: (addr: number, len: number) => Uint8Array,
  pc: number,
  count: number,
  before: number,
  aliases = true,
): Instruction[] {
  let start = pc;
  for (let back = Math.min(before * 4, pc); back >= 2; back -= 2) {
    const s = pc - back;
    if (landsOn(read, s, pc)) {
      start = s;
      // Prefer the earliest start that syncs, trimmed to `before` instructions below.
      break;
    }
  }
  const d = new Disassembler({ aliases });
  const out: Instruction[] = [];
  let a = start;
  while (out.length < count + before) {
    let w: number;
    try {
      w = fetchWord(read, a);
    } catch {
      break;
    }
    const ins = d.decode(w, a);
    out.push(ins);
    a += ins.length;
    if (a > pc && out.filter((i) => i.pc >= pc).length >= count) break;
  }
  const at = out.findIndex((i) => i.pc === pc);
  const from = at > before ? at - before : 0;
  return out.slice(from, from + count);
}

function landsOn(
  read: (addr: number, len: number) => Uint8Array,
  from: number,
  pc: number,
): boolean {
  let a = from;
  try {
    while (a < pc) a += (fetchWord(read, a) & 3) === 3 ? 4 : 2;
  } catch {
    return false;
  }
  return a === pc;
}

/** A disassembly listing: `=> ` marks `pc`, `*` marks breakpoints, `<sym+off>` labels addresses. */
export function formatListing(
  list: readonly Instruction[],
  pc: number | undefined,
  k: Kernel,
  breaks: ReadonlySet<number>,
): string {
  const width = Math.max(...list.map((i) => i.pc.toString(16).length));
  return list.map((ins) => {
    const mark = ins.pc === pc ? "=>" : breaks.has(ins.pc) ? " *" : "  ";
    const sym = k.symbols.lookup(ins.pc);
    const label = sym ? ` <${sym.name}+${sym.offset}>` : "";
    const bytes = ins.length === 2
      ? ins.word.toString(16).padStart(4, "0").padEnd(8)
      : ins.word.toString(16).padStart(8, "0");
    return `${mark} 0x${ins.pc.toString(16).padStart(width, "0")}${label}:\t${bytes}\t${ins.text}`;
  }).join("\n");
}

/** The threads of a process as a table. */
export function formatThreads(k: Kernel, selected: number | undefined): string {
  const rows = k.threads.map((t) => [
    t.tid === selected ? "*" : "",
    t.tid,
    t.state,
    `0x${t.hart.pc.toString(16)}`,
    k.symbols.describe(t.hart.pc),
    t.hart.instret,
    t.switches,
    t.state === "blocked" ? `${t.waitSyscall}: ${t.wait?.reason ?? ""}` : "",
  ]);
  return textTable(
    ["", "tid", "state", "pc", "where", "instret", "switches", "waiting in"],
    rows,
    ["left", "right", "left", "left", "left", "right", "right", "left"],
  );
}

/** A syscall's result for tables: `3`, `-2 ENOENT`, `?` (did not return). */
export function resultCell(r: number | undefined): string {
  if (r === undefined) return "?";
  if (r < 0 && r >= -4095) return `${r} ${errnoName(-r)}`;
  return r > 0xffff ? `0x${r.toString(16)}` : String(r);
}

/** Trace events as a table (entry reports of blocked calls are left out). */
export function formatTraceTable(events: readonly TraceEvent[]): string {
  const rows: (string | number)[][] = [];
  for (const e of events) {
    if (e.kind === "syscall") {
      if (e.entry) continue;
      rows.push([e.seq, e.tid, e.name, resultCell(e.result), e.route, e.phase, e.instret, e.fn]);
    } else {
      rows.push([e.seq, e.tid, `--- signal ${e.signo}`, e.action, "", "", e.instret, ""]);
    }
  }
  return textTable(
    ["seq", "tid", "syscall", "result", "route", "phase", "instret", "function"],
    rows,
    ["right", "right", "left", "left", "left", "left", "right", "left"],
  );
}
