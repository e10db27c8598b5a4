/**
 * Name-to-address lookups for the REPL: the symbols of every ELF file the
 * process has mapped executable (the program, its interpreter, libraries
 * mapped later), relocated by their load bias; the auxiliary vector the
 * process started with; and address expressions (`main+0x10`, `$sp+16`).
 * @module
 */

import { F_NAMES, X_NAMES } from "../cpu/disasm.ts";
import type { Hart } from "../cpu/hart.ts";
import { mappingBias, symbolsOf } from "../elf/loader.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { PROT_EXEC } from "../memory/memory.ts";

/** A symbol at its run-time address. */
export interface NamedSymbol {
  /** Symbol name. */
  name: string;
  /** Run-time address. */
  address: number;
  /** Size in bytes (0 when unknown). */
  size: number;
  /** `func` or `object`. */
  kind: "func" | "object";
  /** The mapping's name (file path) it came from. */
  object: string;
}

const cache = new WeakMap<Kernel, { key: string; list: NamedSymbol[] }>();

/**
 * Symbols of every file mapped with PROT_EXEC, in mapping order; the first
 * definition of a name wins in {@linkcode findSymbol}.
 */
export function symbolIndex(k: Kernel): NamedSymbol[] {
  const maps = k.mem.mappings.filter((m) => (m.prot & PROT_EXEC) !== 0 && m.file);
  const key = maps.map((m) => `${m.start}:${m.end}:${m.name}`).join(",");
  const hit = cache.get(k);
  if (hit && hit.key === key) return hit.list;
  const list: NamedSymbol[] = [];
  const done = new Set<Uint8Array>();
  for (const m of maps) {
    const file = m.file!;
    if (done.has(file.bytes)) continue;
    const bias = mappingBias(file.bytes, file.offset, m.start);
    if (bias === undefined) continue;
    done.add(file.bytes);
    for (const s of symbolsOf(file.bytes, m.name)) {
      if (s.name === "") continue;
      list.push({
        name: s.name,
        address: s.value + bias,
        size: s.size,
        kind: s.kind,
        object: m.name,
      });
    }
  }
  cache.set(k, { key, list });
  return list;
}

/** The address of symbol `name` (a function before an object of the same name). */
export function findSymbol(k: Kernel, name: string): NamedSymbol | undefined {
  const all = symbolIndex(k).filter((s) => s.name === name);
  return all.find((s) => s.kind === "func") ?? all[0];
}

/** Reads the auxiliary vector from a process's initial stack (`sp` as the kernel set it). */
export function readAuxv(k: Kernel, sp: number): Map<number, number> {
  const mem = k.mem;
  const out = new Map<number, number>();
  try {
    const argc = mem.readU64Number(sp);
    let p = sp + 8 + 8 * (argc + 1);
    while (mem.readU64Number(p) !== 0) p += 8;
    p += 8;
    for (let i = 0; i < 64; i++, p += 16) {
      const type = mem.readU64Number(p);
      if (type === 0) break;
      out.set(type, mem.readU64Number(p + 8));
    }
  } catch {
    // an unreadable stack: no auxv
  }
  return out;
}

/** Integer register number for a name (`a0`, `x10`, `fp`), or undefined. */
export function xRegister(name: string): number | undefined {
  if (name === "fp") return 8;
  const i = X_NAMES.indexOf(name);
  if (i >= 0) return i;
  const m = /^x(\d+)$/.exec(name);
  if (m && Number(m[1]) < 32) return Number(m[1]);
  return undefined;
}

/** FP register number for a name (`fa0`, `f10`), or undefined. */
export function fRegister(name: string): number | undefined {
  const i = F_NAMES.indexOf(name);
  if (i >= 0) return i;
  const m = /^f(\d+)$/.exec(name);
  if (m && Number(m[1]) < 32) return Number(m[1]);
  return undefined;
}

/** A malformed address expression. */
export class ExprError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ExprError";
  }
}

/**
 * Evaluates an address expression: numbers (`0x1f`, `42`), registers
 * (`$sp`, `$a0`, `$pc`), symbols (`main`, plus `entry` for the program's
 * entry point), `+`, `-` and parentheses; a leading `*` is allowed (gdb's
 * `*ADDR`). Results wrap to 64 bits and are returned as a bigint.
 */
export function evalAddress(
  text: string,
  k: Kernel,
  hart: Hart,
  extra: Readonly<Record<string, number>> = {},
): bigint {
  const src = text.trim().replace(/^\*/, "");
  let i = 0;
  const skip = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const atom = (): bigint => {
    skip();
    if (src[i] === "(") {
      i++;
      const v = sum();
      skip();
      if (src[i] !== ")") throw new ExprError(`missing ) in '${text}'`);
      i++;
      return v;
    }
    if (src[i] === "-") {
      i++;
      return -atom();
    }
    const m = /^(\$?[A-Za-z_.][\w.$@]*|0[xX][0-9a-fA-F]+|\d+)/.exec(src.slice(i));
    if (!m) throw new ExprError(`cannot read '${src.slice(i) || text}'`);
    i += m[0].length;
    const tok = m[0];
    if (/^0[xX]/.test(tok) || /^\d/.test(tok)) return BigInt(tok);
    if (tok.startsWith("$")) {
      const name = tok.slice(1);
      if (name === "pc") return BigInt(hart.pc);
      const x = xRegister(name);
      if (x !== undefined) return hart.getX(x);
      const f = fRegister(name);
      if (f !== undefined) return hart.getF(f);
      throw new ExprError(`no register '${name}'`);
    }
    if (tok in extra) return BigInt(extra[tok]);
    const s = findSymbol(k, tok);
    if (!s) throw new ExprError(`no symbol '${tok}'`);
    return BigInt(s.address);
  };
  const sum = (): bigint => {
    let v = atom();
    for (;;) {
      skip();
      const c = src[i];
      if (c !== "+" && c !== "-") return v;
      i++;
      const r = atom();
      v = c === "+" ? v + r : v - r;
    }
  };
  const v = sum();
  skip();
  if (i < src.length) throw new ExprError(`unexpected '${src.slice(i)}' in '${text}'`);
  return BigInt.asUintN(64, v);
}
