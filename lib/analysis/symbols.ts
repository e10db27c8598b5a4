/**
 * Function ranges of a guest binary, classified as language runtime,
 * standard library, C library or application code, for the cost breakdown
 * (instructions inside the runtime vs the application).
 *
 * Where names come from:
 * - Go binaries keep their function table (`.gopclntab`) even when built
 *   with `-s -w`, because the runtime needs it for stack traces. It is read
 *   from the binary itself ({@linkcode goFunctions}): Go 1.20+ layout, header
 *   `magic u32 = 0xfffffff1, pad u8 ×2, minLC u8, ptrSize u8, nfunc,
 *   nfiles, textStart, funcnameOffset, cuOffset, filetabOffset,
 *   pctabOffset, pclnOffset` (pointer-sized words after the first 8 bytes);
 *   at `pclnOffset` the function table holds `nfunc + 1` pairs
 *   `{entryOff u32, funcOff u32}` (entry relative to textStart, funcOff
 *   relative to the table), and the `_func` record at `funcOff` starts with
 *   `entryOff u32, nameOff i32` (into the name table at `funcnameOffset`).
 * - Stripped C/Rust binaries have no names. {@linkcode elfFunctions} reads
 *   `.symtab` of an unstripped build; {@linkcode SymbolMap} files (JSON,
 *   committed under `lib/analysis/symbol_maps/`) keep those ranges with the
 *   sha256 of the stripped binary they belong to, so the analysis can use
 *   them on machines without the unstripped build, and only for that exact
 *   binary.
 *
 * Classes ({@linkcode classifyGo}, {@linkcode classifyRust}):
 * - `runtime`: Go `runtime.*`, `internal/runtime/*`, `runtime/internal/*`
 *   and the runtime's assembly helpers' packages (`internal/bytealg`,
 *   `internal/abi`, `internal/cpu`, `internal/chacha8rand`); Rust `std::`,
 *   `core::`, `alloc::` and std's own dependencies (panic_unwind,
 *   compiler_builtins, std_detect, hashbrown, addr2line, gimli, object,
 *   miniz_oxide, adler, rustc_demangle, memchr) and Rust's C-ABI runtime
 *   symbols (`__rust_*`, `__rdl_*`, `__rg_*`, `rust_*`).
 * - `stdlib`: the rest of Go's standard library (package paths without a
 *   dot in their first element, e.g. `encoding/json`, `math/big`, `sync`).
 * - `libc`: unmangled C symbols in a Rust/C binary (glibc, libgcc), and any
 *   code outside the main executable (ld.so, libc.so.6, libgcc_s.so.1).
 * - `app`: everything else (the program and its crates/packages).
 * - `unknown`: addresses no function covers.
 * A Rust trait impl (`<T as Trait>::f`) belongs to the crate of its self
 * type `T`; a generic function belongs to the crate that defines it, so
 * `core::ptr::drop_in_place<app::Type>` counts as runtime.
 * @module
 */

import { createHash } from "node:crypto";
import { parseElf } from "../elf/parse.ts";

/** A code class (see the module doc). */
export type CodeClass = "runtime" | "stdlib" | "libc" | "app" | "unknown";

/** Every class, in report order. */
export const CODE_CLASSES: readonly CodeClass[] = ["app", "stdlib", "runtime", "libc", "unknown"];

/** One function: [start, end) and name. */
export interface FunctionRange {
  /** First address. */
  start: number;
  /** One past the last address. */
  end: number;
  /** Name (Rust names demangled, without the hash). */
  name: string;
}

/** A committed symbol map: function ranges of one exact binary. */
export interface SymbolMap {
  /** The binary, relative to the repository (e.g. `guests/bin/rust/stateless-static`). */
  binary: string;
  /** sha256 of the (stripped) binary the ranges belong to. */
  sha256: string;
  /** Where the names came from. */
  origin: string;
  /** Language, for classification. */
  language: "go" | "rust" | "c";
  /** Functions as `[start, size, name]`, sorted by start. */
  functions: [number, number, string][];
}

/** Reads Go's function table from a Go ELF binary (stripped or not). */
export function goFunctions(bytes: Uint8Array): FunctionRange[] {
  const elf = parseElf(bytes, "go binary");
  const sec = elf.sections.find((s) => s.name === ".gopclntab");
  if (!sec) throw new Error("no .gopclntab section: not a Go binary, or too old a Go");
  const base = sec.offset;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + base, sec.size);
  const magic = dv.getUint32(0, true);
  if (magic !== 0xfffffff1) {
    throw new Error(`unsupported pclntab magic 0x${magic.toString(16)} (need Go 1.20+)`);
  }
  const ptr = dv.getUint8(7);
  if (ptr !== 8) throw new Error(`pclntab pointer size ${ptr}, expected 8`);
  const word = (i: number): number => Number(dv.getBigUint64(8 + 8 * i, true));
  const nfunc = word(0);
  const textStart = word(2);
  const funcname = word(3);
  const pcln = word(7);
  const out: FunctionRange[] = [];
  const decoder = new TextDecoder();
  const entry = (i: number): number => dv.getUint32(pcln + 8 * i, true);
  for (let i = 0; i < nfunc; i++) {
    const funcOff = dv.getUint32(pcln + 8 * i + 4, true);
    const nameOff = dv.getInt32(pcln + funcOff + 4, true);
    let end = funcname + nameOff;
    while (end < sec.size && dv.getUint8(end) !== 0) end++;
    const name = decoder.decode(bytes.subarray(base + funcname + nameOff, base + end));
    out.push({ start: textStart + entry(i), end: textStart + entry(i + 1), name });
  }
  return out;
}

/** Function symbols of an unstripped ELF (`.symtab`), Rust names demangled. */
export function elfFunctions(bytes: Uint8Array): FunctionRange[] {
  const elf = parseElf(bytes, "elf");
  const funcs = elf.symbols.filter((s) => s.kind === "func" && s.value !== 0)
    .sort((a, b) => a.value - b.value || b.size - a.size);
  const out: FunctionRange[] = [];
  for (let i = 0; i < funcs.length; i++) {
    const s = funcs[i];
    if (out.length > 0 && out[out.length - 1].start === s.value) continue;
    const next = funcs.slice(i + 1).find((x) => x.value > s.value);
    const end = s.size > 0 ? s.value + s.size : (next ? next.value : s.value + 4);
    out.push({ start: s.value, end, name: demangleRust(s.name) });
  }
  return out;
}

/**
 * Demangles a Rust legacy symbol (`_ZN3std2io5stdio6_print17h…E` →
 * `std::io::stdio::_print`); v0 (`_R…`) names keep their crate name only
 * (`_RNvCs…_4core…` → `core::…`). Other names come back unchanged.
 */
export function demangleRust(mangled: string): string {
  const sym = mangled.replace(/(\.llvm\.\d+|\.\d+)+$/, "");
  if (sym.startsWith("_ZN") && sym.endsWith("E")) {
    const parts: string[] = [];
    let i = 3;
    while (i < sym.length - 1) {
      const m = /^\d+/.exec(sym.slice(i));
      if (!m) return mangled;
      const n = Number(m[0]);
      i += m[0].length;
      const part = sym.slice(i, i + n);
      i += n;
      if (/^h[0-9a-f]{16}$/.test(part) && i === sym.length - 1) break;
      parts.push(unescapeRust(part));
    }
    return parts.join("::");
  }
  if (sym.startsWith("_R")) {
    const m = /^_R[A-Za-z]*?C(?:s[0-9a-zA-Z_]*_)?(\d+)/.exec(sym);
    if (m) {
      const len = Number(m[1]);
      const at = sym.indexOf(m[1], 2) + m[1].length;
      return `${sym.slice(at, at + len)}::…`;
    }
  }
  return sym;
}

const RUST_ESCAPES: Record<string, string> = {
  "$SP$": "@",
  "$BP$": "*",
  "$RF$": "&",
  "$LT$": "<",
  "$GT$": ">",
  "$LP$": "(",
  "$RP$": ")",
  "$C$": ",",
};

function unescapeRust(part: string): string {
  let s = part.startsWith("_$") ? part.slice(1) : part;
  s = s.replace(/\$(SP|BP|RF|LT|GT|LP|RP|C)\$/g, (m) => RUST_ESCAPES[m]);
  s = s.replace(/\$u([0-9a-f]+)\$/g, (_m, h) => String.fromCodePoint(parseInt(h, 16)));
  return s.replace(/\.\./g, "::");
}

const RUST_RUNTIME_CRATES = new Set([
  "std",
  "core",
  "alloc",
  "panic_unwind",
  "panic_abort",
  "compiler_builtins",
  "std_detect",
  "hashbrown",
  "addr2line",
  "gimli",
  "object",
  "miniz_oxide",
  "adler",
  "adler2",
  "rustc_demangle",
  "memchr",
]);

/** The crate a demangled Rust name belongs to (self type's crate for impls). */
export function rustCrate(name: string): string | undefined {
  let s = name;
  // `<T as path::Trait>::f` with a generic self type: the trait's crate.
  const generic = /^<([^:]*?) as ([^>]*)>/.exec(s);
  if (generic) s = generic[2];
  while (s.startsWith("<")) s = s.slice(1);
  s = s.replace(/^(&|\*const |\*mut |mut |dyn |\[)+/, "");
  const m = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
  return m ? m[1] : undefined;
}

/** Class of a function name in a Rust (or C) binary. */
export function classifyRust(name: string): CodeClass {
  const crate = rustCrate(name);
  if (crate !== undefined) return RUST_RUNTIME_CRATES.has(crate) ? "runtime" : "app";
  if (/^(__rust_|__rdl_|__rg_|rust_)/.test(name)) return "runtime";
  if (name === "main") return "runtime";
  return "libc";
}

const GO_RUNTIME_PACKAGES = new Set([
  "runtime",
  "internal/bytealg",
  "internal/abi",
  "internal/cpu",
  "internal/chacha8rand",
  "internal/goarch",
  "internal/goos",
  "internal/runtime",
]);

/** The package path of a Go function name (`encoding/json.(*x).f` → `encoding/json`). */
export function goPackage(name: string): string {
  const cut = name.search(/[[(]/);
  const head = cut < 0 ? name : name.slice(0, cut);
  const slash = head.lastIndexOf("/");
  const dot = head.indexOf(".", slash + 1);
  return dot < 0 ? "" : head.slice(0, dot);
}

/** Class of a Go function name. */
export function classifyGo(name: string): CodeClass {
  if (name.startsWith("type:") || name.startsWith("go:")) return "runtime";
  const pkg = goPackage(name);
  // Bare names are the runtime's assembly entry points (rt0, memequal, ...).
  if (pkg === "") return "runtime";
  if (
    GO_RUNTIME_PACKAGES.has(pkg) || pkg.startsWith("runtime/") ||
    pkg.startsWith("internal/runtime/")
  ) return "runtime";
  if (pkg === "main") return "app";
  const first = pkg.split("/")[0];
  return first.includes(".") ? "app" : "stdlib";
}

/** pc → class and function lookups over sorted ranges. */
export class CodeClassifier {
  readonly #starts: number[];
  readonly #ends: number[];
  readonly #names: string[];
  readonly #classes: CodeClass[];
  /** Ranges outside which every pc is `libc` (code of other objects) rather than unknown. */
  readonly mainExtent: { start: number; end: number } | undefined;

  /** Builds a classifier from functions and a name classifier. */
  constructor(
    functions: readonly FunctionRange[],
    classify: (name: string) => CodeClass,
    mainExtent?: { start: number; end: number },
  ) {
    const sorted = [...functions].sort((a, b) => a.start - b.start);
    this.#starts = sorted.map((f) => f.start);
    this.#ends = sorted.map((f) => f.end);
    this.#names = sorted.map((f) => f.name);
    this.#classes = sorted.map((f) => classify(f.name));
    this.mainExtent = mainExtent;
  }

  /** Number of functions known. */
  get size(): number {
    return this.#starts.length;
  }

  #index(pc: number): number {
    let lo = 0;
    let hi = this.#starts.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.#starts[mid] <= pc) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at >= 0 && pc < this.#ends[at] ? at : -1;
  }

  /** The class of the code at `pc`. */
  classOf(pc: number): CodeClass {
    const i = this.#index(pc);
    if (i >= 0) return this.#classes[i];
    const x = this.mainExtent;
    if (x && (pc < x.start || pc >= x.end)) return "libc";
    return "unknown";
  }

  /** The start of the first function named exactly `name`, if known. */
  addressOf(name: string): number | undefined {
    const i = this.#names.indexOf(name);
    return i >= 0 ? this.#starts[i] : undefined;
  }

  /** The end (exclusive) of the function containing `pc`, if known. */
  endOf(pc: number): number | undefined {
    const i = this.#index(pc);
    return i >= 0 ? this.#ends[i] : undefined;
  }

  /** The function at `pc`, if known. */
  functionAt(pc: number): string | undefined {
    const i = this.#index(pc);
    return i >= 0 ? this.#names[i] : undefined;
  }
}

/** Builds a symbol map of `binary` from its unstripped build. */
export function symbolMapFrom(
  binary: string,
  strippedSha256: string,
  unstripped: Uint8Array,
  origin: string,
  language: "go" | "rust" | "c",
): SymbolMap {
  const fns = elfFunctions(unstripped);
  return {
    binary,
    sha256: strippedSha256,
    origin,
    language,
    functions: fns.map((f) => [f.start, f.end - f.start, f.name]),
  };
}

/** Functions of a symbol map as ranges. */
export function mapFunctions(m: SymbolMap): FunctionRange[] {
  return m.functions.map(([start, size, name]) => ({ start, end: start + size, name }));
}

/** The extent of an ELF's executable segments (for {@linkcode CodeClassifier.mainExtent}). */
export function codeExtent(bytes: Uint8Array): { start: number; end: number } | undefined {
  const elf = parseElf(bytes, "elf");
  const x = elf.loads.filter((p) => (p.flags & 1) !== 0);
  if (x.length === 0) return undefined;
  return {
    start: Math.min(...x.map((p) => p.vaddr)),
    end: Math.max(...x.map((p) => p.vaddr + p.memsz)),
  };
}

/** sha256 of bytes, lower-case hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
