/**
 * Maps an ELF executable (and its interpreter) into guest memory the way
 * Linux's binfmt_elf does, with randomisation off.
 *
 * - ET_EXEC segments go at their own addresses; ET_DYN executables at
 *   {@linkcode PIE_BASE} (lowered to the largest power-of-two PT_LOAD
 *   alignment). By default a static-pie (ET_DYN without PT_INTERP) goes
 *   there too, so static-pie and PIE programs share one layout; with
 *   `staticPie: "mmap-base"` it is placed as current Linux places it: like a
 *   library, top-down below the mmap base, with the brk moved to
 *   {@linkcode PIE_BASE}.
 * - The interpreter is placed as a non-fixed mmap would place it
 *   ({@linkcode findFreeRange}, top-down below the mmap base).
 * - Each PT_LOAD is a private file mapping whose pages fill lazily; the tail
 *   of the last file page past p_filesz is cleared and further bss pages are
 *   anonymous. Protections come from p_flags (Linux maps bss pages beyond the
 *   file read-write whatever p_flags says; p_flags is the more faithful
 *   reading of the program's intent and is used here).
 * @module
 */

import { type GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../memory/memory.ts";
import {
  findFreeRange,
  MMAP_MIN_ADDR,
  pageDown,
  pageUp,
  PIE_BASE,
  TASK_SIZE,
} from "../memory/layout.ts";
import {
  ELF_PAGE_SIZE,
  ElfError,
  type ElfFile,
  type ElfSymbol,
  ET_DYN,
  parseElf,
  PF_R,
  PF_W,
  PF_X,
  type ProgramHeader,
} from "./parse.ts";
import { goFunctions } from "./gopclntab.ts";
import { SymbolTable } from "./symbols.ts";

/** Size of one ELF64 program header (AT_PHENT). */
export const PHENT_SIZE = 56;

/** Options for {@linkcode loadElf}. */
export interface LoadOptions {
  /** The path the guest knows the executable by (mapping names); default the file name. */
  guestPath?: string;
  /**
   * Directory the PT_INTERP path is looked up in, like `qemu-riscv64 -L`.
   * Absolute symlinks inside it resolve inside it; host paths are never tried.
   */
  sysroot?: string;
  /** Supplies the interpreter's bytes by guest path instead of the sysroot (e.g. from a VFS). */
  readInterpreter?: (guestPath: string) => Uint8Array | undefined;
  /** Load address for ET_DYN executables; default {@linkcode PIE_BASE}. */
  pieBase?: number;
  /** Where an ET_DYN without PT_INTERP goes: `pie-base` (default) or `mmap-base` (Linux 6.x). */
  staticPie?: "pie-base" | "mmap-base";
}

/** One object mapped into memory. */
export interface LoadedObject {
  /** The parsed file. */
  elf: ElfFile;
  /** Added to every p_vaddr and symbol value (0 for ET_EXEC). */
  bias: number;
  /** Lowest mapped address (page aligned). */
  start: number;
  /** One past the highest mapped address (page aligned). */
  end: number;
  /** Guest path: the mapping name shown in /proc/self/maps. */
  path: string;
}

/** What {@linkcode loadElf} set up. */
export interface LoadResult {
  /** Where execution starts: the interpreter's entry when there is one. */
  entry: number;
  /** The program's own entry point (AT_ENTRY). */
  programEntry: number;
  /** Address of the program headers in memory (AT_PHDR). */
  phdr: number;
  /** Number of program headers (AT_PHNUM). */
  phnum: number;
  /** Size of one program header (AT_PHENT). */
  phent: number;
  /** Interpreter load address (AT_BASE), 0 without an interpreter. */
  base: number;
  /** Initial program break: page-aligned end of the executable's highest segment. */
  brk: number;
  /** Lowest executable segment address (mm->start_code, for /proc/self/stat). */
  startCode: number;
  /** End of the executable segments' file bytes (mm->end_code). */
  endCode: number;
  /** Highest segment start (mm->start_data). */
  startData: number;
  /** End of the highest segment's file bytes (mm->end_data). */
  endData: number;
  /** The executable. */
  executable: LoadedObject;
  /** The interpreter, when the program has PT_INTERP. */
  interpreter?: LoadedObject;
  /** True when PT_GNU_STACK asks for an executable stack. */
  executableStack: boolean;
  /** Symbols of the executable and the interpreter, relocated. */
  symbols: SymbolTable;
}

/**
 * Maps `bytes` (an ELF executable named `fileName` in messages) into `mem`,
 * with its interpreter when it has PT_INTERP. Throws {@linkcode ElfError}
 * with a one-line message on bad input; `mem` may then hold partial mappings.
 */
export function loadElf(
  mem: GuestMemory,
  bytes: Uint8Array,
  fileName: string,
  opts: LoadOptions = {},
): LoadResult {
  const elf = parseElf(bytes, fileName);
  const path = opts.guestPath ?? fileName;
  let bias = 0;
  let brk: number | undefined;
  if (elf.header.type === ET_DYN) {
    if (elf.interpreter === undefined && opts.staticPie === "mmap-base") {
      const lo = pageDown(minVaddr(elf.loads));
      const at = findFreeRange(mem, maxEnd(elf.loads) - lo, 0);
      if (at === undefined) throw new ElfError(fileName, "no room to map the program");
      bias = at - lo;
      brk = opts.pieBase ?? PIE_BASE;
    } else {
      const align = maxAlignment(elf.loads);
      const base = Math.floor((opts.pieBase ?? PIE_BASE) / align) * align;
      bias = pageDown(base - minVaddr(elf.loads));
    }
  }
  const executable = mapObject(mem, elf, bias, path);
  const programEntry = elf.header.entry + bias;
  checkEntry(elf, programEntry);

  const symbols = new SymbolTable();
  symbols.add(mergedSymbols(elf), bias, path, executable);

  let interpreter: LoadedObject | undefined;
  if (elf.interpreter !== undefined) {
    const interpBytes = readInterpreter(elf.interpreter, fileName, opts);
    // Problems with the interpreter are reported against the program, naming both.
    const where = `${fileName}: interpreter ${elf.interpreter}`;
    const ielf = parseElf(interpBytes, where);
    let ibias = 0;
    if (ielf.header.type === ET_DYN) {
      const lo = pageDown(minVaddr(ielf.loads));
      const at = findFreeRange(mem, maxEnd(ielf.loads) - lo, 0);
      if (at === undefined) throw new ElfError(where, "no room to map it");
      ibias = at - lo;
    }
    interpreter = mapObject(mem, ielf, ibias, elf.interpreter);
    checkEntry(ielf, ielf.header.entry + ibias);
    symbols.add(mergedSymbols(ielf), ibias, elf.interpreter, interpreter);
  }

  return {
    entry: interpreter ? interpreter.elf.header.entry + interpreter.bias : programEntry,
    programEntry,
    phdr: phdrAddress(elf) + bias,
    phnum: elf.header.phnum,
    phent: PHENT_SIZE,
    base: interpreter ? interpreter.bias : 0,
    brk: brk ?? pageUp(maxEnd(elf.loads) + bias),
    ...codeAndData(elf.loads, bias),
    executable,
    interpreter,
    executableStack: elf.executableStack,
    symbols,
  };
}

/**
 * Function and data symbols of an ELF file (`.symtab` and `.dynsym` merged),
 * for a library the guest maps with PROT_EXEC. Unbiased: add
 * {@linkcode mappingBias}. Returns an empty list for files that are not
 * usable ELF.
 */
export function symbolsOf(bytes: Uint8Array, fileName = "<mapped file>"): ElfSymbol[] {
  try {
    return mergedSymbols(parseElf(bytes, fileName));
  } catch (e) {
    if (e instanceof ElfError) return [];
    throw e;
  }
}

/**
 * The load bias implied by mapping file offset `fileOffset` of an ELF file at
 * `addr`: found from the PT_LOAD whose page-aligned offset is `fileOffset`.
 * Undefined when no segment starts there or the file is not usable ELF.
 */
export function mappingBias(
  bytes: Uint8Array,
  fileOffset: number,
  addr: number,
): number | undefined {
  let elf: ElfFile;
  try {
    elf = parseElf(bytes, "<mapped file>");
  } catch (e) {
    if (e instanceof ElfError) return undefined;
    throw e;
  }
  for (const ph of elf.loads) {
    if (pageDown(ph.offset) === fileOffset) return addr - pageDown(ph.vaddr);
  }
  return undefined;
}

/**
 * `.symtab` plus the `.dynsym` entries it lacks; for a stripped Go binary,
 * the function names from `.gopclntab`.
 */
function mergedSymbols(elf: ElfFile): ElfSymbol[] {
  const seen = new Set(elf.symbols.map((s) => `${s.value}:${s.name}`));
  const out = [...elf.symbols];
  for (const s of elf.dynamicSymbols) {
    if (!seen.has(`${s.value}:${s.name}`)) out.push(s);
  }
  if (!out.some((s) => s.kind === "func")) {
    for (const s of goFunctions(elf)) out.push(s);
  }
  return out;
}

function hex(n: number): string {
  return (n < 0 ? "-0x" : "0x") + Math.abs(n).toString(16);
}

/** Maps every PT_LOAD of `elf` relocated by `bias`, after checking the whole range is usable. */
function mapObject(mem: GuestMemory, elf: ElfFile, bias: number, path: string): LoadedObject {
  const ranges = elf.loads.filter((ph) => ph.memsz > 0).map((ph) => ({
    start: pageDown(ph.vaddr + bias),
    end: pageUp(ph.vaddr + bias + ph.memsz),
  }));
  if (ranges.length === 0) throw new ElfError(elf.fileName, "every PT_LOAD segment is empty");
  for (const r of ranges) {
    if (r.start < MMAP_MIN_ADDR) {
      throw new ElfError(
        elf.fileName,
        `segment at ${hex(r.start)} below the lowest mappable address ${hex(MMAP_MIN_ADDR)}`,
      );
    }
    if (r.end > TASK_SIZE) {
      throw new ElfError(elf.fileName, `segment ending at ${hex(r.end)} beyond 2^47`);
    }
    if (!mem.isFree(r.start, r.end)) {
      throw new ElfError(
        elf.fileName,
        `segment ${hex(r.start)}-${hex(r.end)} overlaps an existing mapping`,
      );
    }
  }
  for (const ph of elf.loads) {
    if (ph.memsz > 0) mapSegment(mem, elf, ph, bias, path);
  }
  return {
    elf,
    bias,
    start: Math.min(...ranges.map((r) => r.start)),
    end: Math.max(...ranges.map((r) => r.end)),
    path,
  };
}

/** One PT_LOAD: file pages, the cleared tail of the last file page, then anonymous zero pages. */
function mapSegment(
  mem: GuestMemory,
  elf: ElfFile,
  ph: ProgramHeader,
  bias: number,
  path: string,
): void {
  const prot = protOf(ph.flags);
  const start = ph.vaddr + bias;
  const first = pageDown(start);
  const memEnd = pageUp(start + ph.memsz);
  let zeroFrom = first;
  if (ph.filesz > 0) {
    const fileEnd = start + ph.filesz;
    const fileMapEnd = pageUp(fileEnd);
    mem.map(first, fileMapEnd - first, prot, path, {
      bytes: elf.bytes,
      offset: ph.offset - (start - first),
    });
    // The file page holds whatever follows in the file; the ELF says bss reads as zero.
    if (ph.memsz > ph.filesz && fileEnd < fileMapEnd) {
      mem.poke(fileEnd, new Uint8Array(fileMapEnd - fileEnd));
    }
    zeroFrom = fileMapEnd;
  }
  if (memEnd > zeroFrom) mem.map(zeroFrom, memEnd - zeroFrom, prot, "");
}

function protOf(flags: number): number {
  return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
    ((flags & PF_X) ? PROT_EXEC : 0);
}

function checkEntry(elf: ElfFile, entry: number): void {
  if (entry < 0 || entry >= TASK_SIZE) {
    throw new ElfError(elf.fileName, `entry point ${hex(entry)} outside the user address space`);
  }
}

/** Largest power-of-two PT_LOAD alignment, at least a page (Linux's maximum_alignment). */
function maxAlignment(loads: ProgramHeader[]): number {
  let align = ELF_PAGE_SIZE;
  for (const ph of loads) {
    const a = ph.align;
    if (a > align && a < TASK_SIZE && Number.isInteger(Math.log2(a))) align = a;
  }
  return align;
}

/** mm->start_code/end_code/start_data/end_data as binfmt_elf computes them. */
function codeAndData(
  loads: ProgramHeader[],
  bias: number,
): { startCode: number; endCode: number; startData: number; endData: number } {
  let startCode = Infinity;
  let endCode = 0;
  let startData = 0;
  let endData = 0;
  for (const ph of loads) {
    const fileEnd = ph.vaddr + ph.filesz;
    if (ph.flags & PF_X) {
      startCode = Math.min(startCode, ph.vaddr);
      endCode = Math.max(endCode, fileEnd);
    }
    startData = Math.max(startData, ph.vaddr);
    endData = Math.max(endData, fileEnd);
  }
  if (startCode === Infinity) startCode = 0;
  return {
    startCode: startCode + bias,
    endCode: endCode + bias,
    startData: startData + bias,
    endData: endData + bias,
  };
}

function minVaddr(loads: ProgramHeader[]): number {
  return Math.min(...loads.map((ph) => ph.vaddr));
}

function maxEnd(loads: ProgramHeader[]): number {
  return pageUp(Math.max(...loads.map((ph) => ph.vaddr + ph.memsz)));
}

/**
 * Where the program headers are in memory: inside the PT_LOAD whose file
 * range holds e_phoff (as Linux computes AT_PHDR since 5.18), else PT_PHDR's
 * address, else 0.
 */
function phdrAddress(elf: ElfFile): number {
  const off = elf.header.phoff;
  for (const ph of elf.loads) {
    if (ph.offset <= off && off < ph.offset + ph.filesz) return off - ph.offset + ph.vaddr;
  }
  return elf.phdr ? elf.phdr.vaddr : 0;
}

/** The interpreter's bytes, from the reader option or the sysroot. */
function readInterpreter(interp: string, fileName: string, opts: LoadOptions): Uint8Array {
  if (opts.readInterpreter) {
    const bytes = opts.readInterpreter(interp);
    if (!bytes) throw new ElfError(fileName, `interpreter ${interp} not found`);
    return bytes;
  }
  if (opts.sysroot === undefined) {
    throw new ElfError(fileName, `needs interpreter ${interp} but no sysroot was given`);
  }
  const lexical = joinPath(opts.sysroot, interp);
  const host = resolveInSysroot(opts.sysroot, interp);
  if (host === undefined) {
    throw new ElfError(fileName, `interpreter ${interp} not found (looked for ${lexical})`);
  }
  try {
    return Deno.readFileSync(host);
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ElfError(fileName, `cannot read interpreter ${interp} at ${host}: ${why}`);
  }
}

function joinPath(root: string, path: string): string {
  return root.replace(/\/+$/, "") + "/" + path.replace(/^\/+/, "");
}

/** Most symlinks followed in one lookup (Linux's MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/**
 * Host path of guest path `path` under `sysroot`, following symlinks so that
 * absolute targets stay inside the sysroot. Undefined when it does not exist.
 */
function resolveInSysroot(sysroot: string, path: string): string | undefined {
  const root = sysroot.replace(/\/+$/, "");
  let todo = path.split("/").filter((p) => p !== "" && p !== ".");
  let done: string[] = [];
  let hops = 0;
  while (todo.length > 0) {
    const part = todo[0];
    todo = todo.slice(1);
    if (part === "..") {
      done.pop();
      continue;
    }
    const host = [root, ...done, part].join("/");
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(host);
    } catch {
      return undefined;
    }
    if (!info.isSymlink) {
      done.push(part);
      continue;
    }
    if (++hops > MAX_SYMLINKS) return undefined;
    let target: string;
    try {
      target = Deno.readLinkSync(host);
    } catch {
      return undefined;
    }
    if (target.startsWith("/")) done = [];
    todo = [...target.split("/").filter((p) => p !== "" && p !== "."), ...todo];
  }
  const out = [root, ...done].join("/");
  try {
    return Deno.statSync(out).isFile ? out : undefined;
  } catch {
    return undefined;
  }
}
