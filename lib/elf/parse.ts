/**
 * ELF64 little-endian header parsing and validation for RISC-V executables.
 *
 * Everything the loader relies on (file header, program headers) is checked
 * strictly and rejected with a one-line {@linkcode ElfError}. Section headers
 * and symbol tables only feed diagnostics, so problems there are recorded in
 * {@linkcode ElfFile.warnings} and the symbols skipped: stripped or oddly
 * linked programs must still run.
 * @module
 */

/** The page size the loader assumes (RISC-V Linux uses 4 KiB pages). */
export const ELF_PAGE_SIZE = 4096;
/** Highest user address plus one under Sv48 (2^47). */
export const ELF_ADDRESS_LIMIT = 2 ** 47;

/** `e_type`: executable at fixed addresses. */
export const ET_EXEC = 2;
/** `e_type`: position-independent executable or shared object. */
export const ET_DYN = 3;
/** `e_machine` for RISC-V. */
export const EM_RISCV = 243;

/** Program header type: unused entry. */
export const PT_NULL = 0;
/** Program header type: loadable segment. */
export const PT_LOAD = 1;
/** Program header type: dynamic linking information. */
export const PT_DYNAMIC = 2;
/** Program header type: interpreter path. */
export const PT_INTERP = 3;
/** Program header type: auxiliary notes. */
export const PT_NOTE = 4;
/** Program header type: the program header table itself. */
export const PT_PHDR = 6;
/** Program header type: thread-local storage template. */
export const PT_TLS = 7;
/** Program header type: stack executability (GNU). */
export const PT_GNU_STACK = 0x6474e551;
/** Program header type: read-only after relocation (GNU). */
export const PT_GNU_RELRO = 0x6474e552;

/** Segment flag: executable. */
export const PF_X = 1;
/** Segment flag: writable. */
export const PF_W = 2;
/** Segment flag: readable. */
export const PF_R = 4;

/** Section type: static symbol table. */
export const SHT_SYMTAB = 2;
/** Section type: string table. */
export const SHT_STRTAB = 3;
/** Section type: dynamic symbol table. */
export const SHT_DYNSYM = 11;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
/** Linux reads at most 64 KiB of program headers (binfmt_elf's ELF_MIN_ALIGN bound). */
const MAX_PHDR_BYTES = 65536;
/** Linux's PATH_MAX bound on PT_INTERP (binfmt_elf). */
const PATH_MAX = 4096;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;
const STT_OBJECT = 1;
const STT_FUNC = 2;

/** A malformed or unsupported ELF file. The message is one line: `<file>: <problem>`. */
export class ElfError extends Error {
  /** The file the problem was found in. */
  readonly file: string;
  /** The problem alone, without the file name. */
  readonly problem: string;

  /** Creates an error for `file` describing `problem` (control characters are escaped). */
  constructor(file: string, problem: string) {
    // Paths come from the file itself: keep the message on one printable line.
    // deno-lint-ignore no-control-regex
    super(`${file}: ${problem}`.replace(/[\x00-\x1f\x7f]/g, controlEscape));
    this.name = "ElfError";
    this.file = file;
    this.problem = problem;
  }
}

function controlEscape(c: string): string {
  return "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");
}

/** The ELF file header fields the emulator uses. */
export interface ElfHeader {
  /** `EI_OSABI`. */
  osabi: number;
  /** `e_type` ({@linkcode ET_EXEC} or {@linkcode ET_DYN}). */
  type: number;
  /** `e_machine` (always {@linkcode EM_RISCV} after validation). */
  machine: number;
  /** Entry point virtual address (before any load bias). */
  entry: number;
  /** File offset of the program header table. */
  phoff: number;
  /** File offset of the section header table (0 when absent). */
  shoff: number;
  /** Processor flags (float ABI, RVC, ...). */
  flags: number;
  /** Size of one program header (56). */
  phentsize: number;
  /** Number of program headers. */
  phnum: number;
  /** Size of one section header (64 when there are sections). */
  shentsize: number;
  /** Number of section headers (resolved from section 0 when extended). */
  shnum: number;
  /** Index of the section name string table. */
  shstrndx: number;
}

/** One program header. */
export interface ProgramHeader {
  /** `p_type` (PT_*). */
  type: number;
  /** `p_flags` (PF_* bits). */
  flags: number;
  /** File offset of the segment's bytes. */
  offset: number;
  /** Virtual address (before any load bias). */
  vaddr: number;
  /** Physical address field (unused by Linux user space). */
  paddr: number;
  /** Bytes taken from the file. */
  filesz: number;
  /** Bytes in memory (the rest is zero). */
  memsz: number;
  /** Alignment. */
  align: number;
}

/** One section header, with its name resolved when possible. */
export interface SectionHeader {
  /** Name from the section name string table (empty if unresolvable). */
  name: string;
  /** `sh_type` (SHT_*). */
  type: number;
  /** `sh_flags`. */
  flags: number;
  /** Virtual address when loaded. */
  addr: number;
  /** File offset. */
  offset: number;
  /** Size in bytes. */
  size: number;
  /** `sh_link` (for symbol tables: the string table's index). */
  link: number;
  /** `sh_info`. */
  info: number;
  /** `sh_addralign`. */
  addralign: number;
  /** `sh_entsize`. */
  entsize: number;
}

/** A function or data symbol from `.symtab` or `.dynsym`. */
export interface ElfSymbol {
  /** Symbol name (without any version suffix). */
  name: string;
  /** Value: the address before any load bias. */
  value: number;
  /** Size in bytes (0 when unknown). */
  size: number;
  /** `func` for STT_FUNC, `object` for STT_OBJECT. */
  kind: "func" | "object";
  /** Binding: `local`, `global` or `weak` (other bindings count as global). */
  bind: "local" | "global" | "weak";
}

/** A parsed and validated ELF file. */
export interface ElfFile {
  /** The name used in error messages. */
  fileName: string;
  /** The file's bytes (shared, not copied). */
  bytes: Uint8Array;
  /** File header. */
  header: ElfHeader;
  /** Every program header in file order. */
  programHeaders: ProgramHeader[];
  /** The PT_LOAD headers in file order. */
  loads: ProgramHeader[];
  /** Interpreter path from PT_INTERP (without the NUL), if any. */
  interpreter?: string;
  /** The PT_PHDR header, if any. */
  phdr?: ProgramHeader;
  /** The PT_TLS header, if any. */
  tls?: ProgramHeader;
  /** The PT_DYNAMIC header, if any. */
  dynamic?: ProgramHeader;
  /** The PT_GNU_STACK header, if any. */
  gnuStack?: ProgramHeader;
  /** True when PT_GNU_STACK asks for an executable stack. */
  executableStack: boolean;
  /** Section headers (empty when absent or unreadable). */
  sections: SectionHeader[];
  /** FUNC and OBJECT symbols from `.symtab`. */
  symbols: ElfSymbol[];
  /** FUNC and OBJECT symbols from `.dynsym`. */
  dynamicSymbols: ElfSymbol[];
  /** Non-fatal problems found in sections or symbols. */
  warnings: string[];
}

/** Reads an unsigned 64-bit field as a number (values past 2^53 are rounded, still huge). */
function u64(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * 4294967296 + dv.getUint32(off, true);
}

function hex(n: number): string {
  return "0x" + n.toString(16);
}

/**
 * Parses and validates an ELF64 little-endian RISC-V executable or shared
 * object. Throws {@linkcode ElfError} naming `fileName` on anything the
 * loader could not safely use.
 */
export function parseElf(bytes: Uint8Array, fileName: string): ElfFile {
  const fail = (problem: string): never => {
    throw new ElfError(fileName, problem);
  };
  const size = bytes.length;
  if (
    size < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46
  ) {
    fail("not an ELF file (bad magic)");
  }
  if (size < 6) fail(`truncated ELF header (${size} bytes, need ${EHDR_SIZE})`);
  if (bytes[4] !== 2) fail(`not a 64-bit ELF file (EI_CLASS ${bytes[4]}, need 2)`);
  if (bytes[5] !== 1) fail(`not a little-endian ELF file (EI_DATA ${bytes[5]}, need 1)`);
  if (size < EHDR_SIZE) fail(`truncated ELF header (${size} bytes, need ${EHDR_SIZE})`);

  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header: ElfHeader = {
    osabi: bytes[7],
    type: dv.getUint16(16, true),
    machine: dv.getUint16(18, true),
    entry: u64(dv, 24),
    phoff: u64(dv, 32),
    shoff: u64(dv, 40),
    flags: dv.getUint32(48, true),
    phentsize: dv.getUint16(54, true),
    phnum: dv.getUint16(56, true),
    shentsize: dv.getUint16(58, true),
    shnum: dv.getUint16(60, true),
    shstrndx: dv.getUint16(62, true),
  };
  if (header.type !== ET_EXEC && header.type !== ET_DYN) {
    fail(`unsupported ELF type ${header.type} (need ET_EXEC=2 or ET_DYN=3)`);
  }
  if (header.machine !== EM_RISCV) {
    fail(`wrong machine ${header.machine} (need EM_RISCV=${EM_RISCV})`);
  }
  if (header.phentsize !== PHDR_SIZE) {
    fail(`bad e_phentsize ${header.phentsize} (need ${PHDR_SIZE})`);
  }
  if ((header.shnum !== 0 || header.shoff !== 0) && header.shentsize !== SHDR_SIZE) {
    fail(`bad e_shentsize ${header.shentsize} (need ${SHDR_SIZE})`);
  }
  if (header.entry >= ELF_ADDRESS_LIMIT) {
    fail(`entry point ${hex(header.entry)} beyond the user address space (2^47)`);
  }
  if (header.phnum === 0) fail("no program headers (no PT_LOAD segment)");
  const phBytes = header.phnum * PHDR_SIZE;
  if (phBytes > MAX_PHDR_BYTES) fail(`too many program headers (${header.phnum})`);
  if (header.phoff + phBytes > size) {
    fail(
      `program headers outside the file (offset ${
        hex(header.phoff)
      }, ${phBytes} bytes, file is ${size} bytes)`,
    );
  }

  const programHeaders: ProgramHeader[] = [];
  for (let i = 0; i < header.phnum; i++) {
    const o = header.phoff + i * PHDR_SIZE;
    programHeaders.push({
      type: dv.getUint32(o, true),
      flags: dv.getUint32(o + 4, true),
      offset: u64(dv, o + 8),
      vaddr: u64(dv, o + 16),
      paddr: u64(dv, o + 24),
      filesz: u64(dv, o + 32),
      memsz: u64(dv, o + 40),
      align: u64(dv, o + 48),
    });
  }

  const file: ElfFile = {
    fileName,
    bytes,
    header,
    programHeaders,
    loads: [],
    executableStack: false,
    sections: [],
    symbols: [],
    dynamicSymbols: [],
    warnings: [],
  };

  programHeaders.forEach((ph, i) => {
    const what = `${phName(ph.type)} #${i}`;
    const checkFileRange = () => {
      if (ph.offset + ph.filesz > size) {
        fail(
          `${what}: file range ${hex(ph.offset)}+${
            hex(ph.filesz)
          } outside the file (${size} bytes)`,
        );
      }
    };
    switch (ph.type) {
      case PT_LOAD: {
        if (ph.memsz >= ELF_ADDRESS_LIMIT || ph.vaddr >= ELF_ADDRESS_LIMIT) {
          fail(`${what}: absurd size or address (vaddr ${hex(ph.vaddr)}, memsz ${hex(ph.memsz)})`);
        }
        if (ph.vaddr + ph.memsz > ELF_ADDRESS_LIMIT) {
          fail(`${what}: address range ${hex(ph.vaddr)}+${hex(ph.memsz)} overflows 2^47`);
        }
        if (ph.filesz > ph.memsz) {
          fail(`${what}: p_filesz ${hex(ph.filesz)} > p_memsz ${hex(ph.memsz)}`);
        }
        checkFileRange();
        if (ph.vaddr % ELF_PAGE_SIZE !== ph.offset % ELF_PAGE_SIZE) {
          fail(
            `${what}: p_vaddr ${hex(ph.vaddr)} and p_offset ${
              hex(ph.offset)
            } differ modulo the page size`,
          );
        }
        file.loads.push(ph);
        break;
      }
      case PT_INTERP: {
        checkFileRange();
        if (file.interpreter !== undefined) break; // Linux uses the first one.
        if (ph.filesz < 2 || ph.filesz > PATH_MAX) {
          fail(`${what}: bad interpreter path length ${ph.filesz}`);
        }
        const raw = bytes.subarray(ph.offset, ph.offset + ph.filesz);
        if (raw[raw.length - 1] !== 0) fail(`${what}: interpreter path not NUL-terminated`);
        const nul = raw.indexOf(0);
        file.interpreter = new TextDecoder().decode(raw.subarray(0, nul));
        if (file.interpreter === "") fail(`${what}: empty interpreter path`);
        break;
      }
      case PT_TLS:
        checkFileRange();
        if (ph.filesz > ph.memsz) {
          fail(`${what}: p_filesz ${hex(ph.filesz)} > p_memsz ${hex(ph.memsz)}`);
        }
        file.tls ??= ph;
        break;
      case PT_DYNAMIC:
        checkFileRange();
        file.dynamic ??= ph;
        break;
      case PT_PHDR:
        checkFileRange();
        file.phdr ??= ph;
        break;
      case PT_GNU_STACK:
        file.gnuStack ??= ph;
        file.executableStack = (file.gnuStack.flags & PF_X) !== 0;
        break;
    }
  });
  if (file.loads.length === 0) fail("no PT_LOAD segment");

  const sorted = [...file.loads].sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a.memsz > 0 && b.memsz > 0 && a.vaddr + a.memsz > b.vaddr) {
      fail(
        `overlapping PT_LOAD segments ${hex(a.vaddr)}+${hex(a.memsz)} and ${hex(b.vaddr)}+${
          hex(b.memsz)
        }`,
      );
    }
  }

  readSections(file, dv);
  return file;
}

function phName(type: number): string {
  switch (type) {
    case PT_LOAD:
      return "PT_LOAD";
    case PT_INTERP:
      return "PT_INTERP";
    case PT_TLS:
      return "PT_TLS";
    case PT_DYNAMIC:
      return "PT_DYNAMIC";
    case PT_PHDR:
      return "PT_PHDR";
    default:
      return `segment type ${hex(type)}`;
  }
}

/** Reads section headers and symbols; problems become warnings, never errors. */
function readSections(file: ElfFile, dv: DataView): void {
  const { header, bytes, warnings } = file;
  if (header.shoff === 0) return;
  const size = bytes.length;
  if (header.shoff + SHDR_SIZE > size) {
    warnings.push(`section headers at ${hex(header.shoff)} outside the file`);
    return;
  }
  let shnum = header.shnum;
  let shstrndx = header.shstrndx;
  // Extended numbering: the real counts live in section 0.
  if (shnum === 0) shnum = u64(dv, header.shoff + 32);
  if (shstrndx === SHN_XINDEX) shstrndx = dv.getUint32(header.shoff + 40, true);
  if (header.shoff + shnum * SHDR_SIZE > size) {
    warnings.push(`section headers (${shnum} at ${hex(header.shoff)}) outside the file`);
    return;
  }
  const sections: SectionHeader[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = header.shoff + i * SHDR_SIZE;
    nameOffsets.push(dv.getUint32(o, true));
    sections.push({
      name: "",
      type: dv.getUint32(o + 4, true),
      flags: u64(dv, o + 8),
      addr: u64(dv, o + 16),
      offset: u64(dv, o + 24),
      size: u64(dv, o + 32),
      link: dv.getUint32(o + 40, true),
      info: dv.getUint32(o + 44, true),
      addralign: u64(dv, o + 48),
      entsize: u64(dv, o + 56),
    });
  }
  file.sections = sections;
  const shstr = sections[shstrndx];
  if (shstrndx !== 0 && shstr && shstr.offset + shstr.size <= size) {
    const table = bytes.subarray(shstr.offset, shstr.offset + shstr.size);
    for (let i = 0; i < sections.length; i++) {
      sections[i].name = cString(table, nameOffsets[i]) ?? "";
    }
  }
  for (const s of sections) {
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    const label = s.name || (s.type === SHT_SYMTAB ? ".symtab" : ".dynsym");
    const syms = readSymbols(bytes, dv, sections, s, label, warnings);
    // A loop, not push(...syms): Go's tables hold more entries than a call has arguments.
    const into = s.type === SHT_SYMTAB ? file.symbols : file.dynamicSymbols;
    for (const sym of syms) into.push(sym);
  }
}

function readSymbols(
  bytes: Uint8Array,
  dv: DataView,
  sections: SectionHeader[],
  s: SectionHeader,
  label: string,
  warnings: string[],
): ElfSymbol[] {
  const size = bytes.length;
  if (s.offset + s.size > size) {
    warnings.push(`${label}: contents outside the file, symbols skipped`);
    return [];
  }
  if (s.entsize !== SYM_SIZE && s.entsize !== 0) {
    warnings.push(`${label}: entry size ${s.entsize}, symbols skipped`);
    return [];
  }
  const strtab = sections[s.link];
  if (!strtab || s.link === 0 || strtab.offset + strtab.size > size) {
    warnings.push(`${label}: bad string table (section ${s.link}), symbols skipped`);
    return [];
  }
  const table = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
  const out: ElfSymbol[] = [];
  let bad = 0;
  const count = Math.floor(s.size / SYM_SIZE);
  for (let i = 1; i < count; i++) {
    const o = s.offset + i * SYM_SIZE;
    const info = bytes[o + 4];
    const type = info & 15;
    const shndx = dv.getUint16(o + 6, true);
    // Undefined imports and absolute values are not addresses inside this object.
    if (type !== STT_FUNC && type !== STT_OBJECT) continue;
    if (shndx === SHN_UNDEF || shndx >= SHN_LORESERVE) continue;
    const name = cString(table, dv.getUint32(o, true));
    if (name === undefined) {
      bad++;
      continue;
    }
    if (name === "") continue;
    const value = u64(dv, o + 8);
    const symSize = u64(dv, o + 16);
    if (value >= ELF_ADDRESS_LIMIT || symSize >= ELF_ADDRESS_LIMIT) {
      bad++;
      continue;
    }
    const binding = info >> 4;
    out.push({
      name,
      value,
      size: symSize,
      kind: type === STT_FUNC ? "func" : "object",
      bind: binding === 0 ? "local" : binding === 2 ? "weak" : "global",
    });
  }
  if (bad > 0) warnings.push(`${label}: ${bad} symbols with bad names or values skipped`);
  return out;
}

const decoder = new TextDecoder();

/** The NUL-terminated string at `off` in `table`, or undefined when it runs off the end. */
function cString(table: Uint8Array, off: number): string | undefined {
  if (off >= table.length) return undefined;
  const end = table.indexOf(0, off);
  if (end < 0) return undefined;
  return decoder.decode(table.subarray(off, end));
}
