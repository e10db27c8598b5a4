/**
 * Test fixtures for the ELF tests: real RISC-V binaries built with the cross
 * compiler at test time, an independent parser of `readelf -lsW` text, and a
 * builder for small hand-made ELF files (laid out from the gABI by hand, not
 * by the code under test).
 * @module
 */

/** The cross compiler and the readelf used as the reference. */
export const CC = "riscv64-linux-gnu-gcc";
/** Reference ELF reader. */
export const READELF = "riscv64-linux-gnu-readelf";
/** The Debian cross sysroot (holds the dynamic loader). */
export const SYSROOT = "/usr/riscv64-linux-gnu";
/** The interpreter path dynamic riscv64 glibc programs ask for. */
export const LD_SO = "/lib/ld-linux-riscv64-lp64d.so.1";

function runs(cmd: string): boolean {
  try {
    return new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** True when the cross compiler and readelf can be run. */
export const HAVE_TOOLS: boolean = runs(CC) && runs(READELF);
if (!HAVE_TOOLS) {
  console.log(`skipping tests on compiled binaries: ${CC} or ${READELF} not found`);
}

const GLIBC_PROGRAM = `
#include <stdio.h>
int counter = 7;
long table[64];
__attribute__((noinline)) int add_numbers(int a, int b) { return a + b + (int)table[3]; }
int main(int argc, char **argv) {
  printf("%d %s\\n", add_numbers(argc, counter), argv[0]);
  return 0;
}
`;

const FREESTANDING_PROGRAM = `
static const char message[] = "tiny says hello\\n";
long tiny_counter = 3;
char tiny_buffer[5000];
static long call3(long n, long a, long b, long c) {
  register long a7 asm("a7") = n;
  register long a0 asm("a0") = a;
  register long a1 asm("a1") = b;
  register long a2 asm("a2") = c;
  asm volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
  return a0;
}
__attribute__((noinline)) void tiny_emit(void) { call3(64, 1, (long)message, sizeof message - 1); }
void _start(void) {
  tiny_emit();
  tiny_buffer[4000] = (char)tiny_counter;
  call3(93, 0, 0, 0);
}
`;

/** Paths of the compiled test programs. */
export interface Binaries {
  /** Directory holding them. */
  dir: string;
  /** glibc, `-static` (ET_EXEC). */
  staticExe: string;
  /** Freestanding, `-static-pie` (ET_DYN without PT_INTERP). */
  staticPie: string;
  /** glibc, default dynamic PIE (ET_DYN with PT_INTERP). */
  dynamicPie: string;
  /** Freestanding, `-static -no-pie` (a small ET_EXEC). */
  tinyStatic: string;
}

let built: Binaries | undefined;

// The compiled programs live only as long as the test module.
globalThis.addEventListener("unload", () => {
  if (built) Deno.removeSync(built.dir, { recursive: true });
});

function compile(args: string[]): void {
  const out = new Deno.Command(CC, { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) {
    throw new Error(`${CC} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/**
 * Builds the test programs once per test module into a temp dir. The Debian
 * cross glibc ships no rcrt1.o, so the static-pie program is freestanding.
 */
export function binaries(): Binaries {
  if (built) return built;
  const dir = Deno.makeTempDirSync({ prefix: "zkabi_elf_" });
  Deno.writeTextFileSync(`${dir}/prog.c`, GLIBC_PROGRAM);
  Deno.writeTextFileSync(`${dir}/tiny.c`, FREESTANDING_PROGRAM);
  const b: Binaries = {
    dir,
    staticExe: `${dir}/static`,
    staticPie: `${dir}/static_pie`,
    dynamicPie: `${dir}/dynamic_pie`,
    tinyStatic: `${dir}/tiny_static`,
  };
  compile(["-O1", "-static", "-o", b.staticExe, `${dir}/prog.c`]);
  compile(["-O1", "-o", b.dynamicPie, `${dir}/prog.c`]);
  compile([
    "-O1",
    "-nostdlib",
    "-fPIE",
    "-static-pie",
    "-Wl,--no-dynamic-linker",
    "-o",
    b.staticPie,
    `${dir}/tiny.c`,
  ]);
  compile(["-O1", "-nostdlib", "-static", "-no-pie", "-o", b.tinyStatic, `${dir}/tiny.c`]);
  built = b;
  return b;
}

/** One program header as readelf prints it. */
export interface RefSegment {
  /** Numeric p_type, from readelf's type name. */
  type: number;
  /** File offset. */
  offset: number;
  /** Virtual address. */
  vaddr: number;
  /** Bytes in the file. */
  filesz: number;
  /** Bytes in memory. */
  memsz: number;
  /** The `Flg` column, e.g. `R E`. */
  flg: string;
  /** Alignment. */
  align: number;
}

/** One symbol as readelf prints it. */
export interface RefSymbol {
  /** Table: `.symtab` or `.dynsym`. */
  table: string;
  /** Value. */
  value: number;
  /** Size. */
  size: number;
  /** FUNC, OBJECT, NOTYPE, ... */
  type: string;
  /** LOCAL, GLOBAL, WEAK. */
  bind: string;
  /** Section index column (`UND`, `ABS` or a number). */
  ndx: string;
  /** Name without any `@VERSION` suffix. */
  name: string;
}

/** What readelf says about a file. */
export interface ReadelfInfo {
  /** ELF type word from "Elf file type is". */
  fileType: string;
  /** Entry point. */
  entry: number;
  /** Program header count. */
  phnum: number;
  /** Program header table offset. */
  phoff: number;
  /** Program headers in order. */
  segments: RefSegment[];
  /** Requested interpreter, if any. */
  interpreter?: string;
  /** Every symbol of both tables. */
  symbols: RefSymbol[];
}

/** p_type numbers of readelf's type names, from the gABI and psABI tables. */
const TYPE_NAMES: Record<string, number> = {
  NULL: 0,
  LOAD: 1,
  DYNAMIC: 2,
  INTERP: 3,
  NOTE: 4,
  SHLIB: 5,
  PHDR: 6,
  TLS: 7,
  GNU_EH_FRAME: 0x6474e550,
  GNU_STACK: 0x6474e551,
  GNU_RELRO: 0x6474e552,
  GNU_PROPERTY: 0x6474e553,
  RISCV_ATTRIBUT: 0x70000003,
};

/** Runs `readelf -lsW` on `path` and parses its text. */
export function readelf(path: string): ReadelfInfo {
  const out = new Deno.Command(READELF, { args: ["-lsW", path], stdout: "piped" }).outputSync();
  if (!out.success) throw new Error(`${READELF} failed on ${path}`);
  const text = new TextDecoder().decode(out.stdout);
  const info: ReadelfInfo = {
    fileType: "",
    entry: -1,
    phnum: -1,
    phoff: -1,
    segments: [],
    symbols: [],
  };
  let table = "";
  for (const line of text.split("\n")) {
    let m = line.match(/^Elf file type is (\S+)/);
    if (m) info.fileType = m[1];
    m = line.match(/^Entry point 0x([0-9a-f]+)/);
    if (m) info.entry = parseInt(m[1], 16);
    m = line.match(/^There are (\d+) program headers?, starting at offset (\d+)/);
    if (m) {
      info.phnum = Number(m[1]);
      info.phoff = Number(m[2]);
    }
    m = line.match(
      /^\s+(\w+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+) 0x([0-9a-f]+) (.{3}) 0x([0-9a-f]+)$/,
    );
    if (m) {
      if (!(m[1] in TYPE_NAMES)) throw new Error(`unknown segment type ${m[1]} in readelf output`);
      info.segments.push({
        type: TYPE_NAMES[m[1]],
        offset: parseInt(m[2], 16),
        vaddr: parseInt(m[3], 16),
        filesz: parseInt(m[4], 16),
        memsz: parseInt(m[5], 16),
        flg: m[6],
        align: parseInt(m[7], 16),
      });
    }
    m = line.match(/\[Requesting program interpreter: (.*)\]/);
    if (m) info.interpreter = m[1];
    m = line.match(/^Symbol table '([^']+)'/);
    if (m) table = m[1];
    m = line.match(
      /^\s*\d+: ([0-9a-f]+)\s+(0x[0-9a-f]+|\d+) (\w+)\s+(\w+)\s+\w+(?:\s+\[[^\]]*\])?\s+(\S+) ?(.*)$/,
    );
    if (m && table) {
      info.symbols.push({
        table,
        value: parseInt(m[1], 16),
        size: Number(m[2]),
        type: m[3],
        bind: m[4],
        ndx: m[5],
        name: m[6].replace(/@.*$/, ""),
      });
    }
  }
  return info;
}

/** The protection bits (PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4) a readelf `Flg` column means. */
export function protOfFlg(flg: string): number {
  return (flg[0] === "R" ? 1 : 0) | (flg[1] === "W" ? 2 : 0) | (flg[2] === "E" ? 4 : 0);
}

// ------------------------------------------------------------ hand-made ELF

/** A program header for {@linkcode makeElf}. */
export interface SynthPhdr {
  /** p_type. */
  type: number;
  /** p_flags. */
  flags: number;
  /** p_offset. */
  offset: bigint | number;
  /** p_vaddr. */
  vaddr: bigint | number;
  /** p_filesz. */
  filesz: bigint | number;
  /** p_memsz. */
  memsz: bigint | number;
  /** p_align (default 0x1000). */
  align?: bigint | number;
}

/** A symbol for {@linkcode makeElf}'s `.symtab`. */
export interface SynthSymbol {
  /** Name (placed in `.strtab`). */
  name: string;
  /** st_value. */
  value: number;
  /** st_size. */
  size: number;
  /** st_info type: 1 OBJECT, 2 FUNC, 0 NOTYPE. */
  type: number;
  /** st_info binding: 0 LOCAL, 1 GLOBAL, 2 WEAK. */
  bind?: number;
  /** st_shndx (default 1). */
  shndx?: number;
  /** Override st_name (to point outside the string table). */
  nameOffset?: number;
}

/** Description of a hand-made ELF file. */
export interface SynthSpec {
  /** e_type (default 2, ET_EXEC). */
  type?: number;
  /** e_machine (default 243). */
  machine?: number;
  /** e_entry (default 0x10000 + 0x100). */
  entry?: bigint | number;
  /** Program headers (default {@linkcode defaultPhdrs}). */
  phdrs?: SynthPhdr[];
  /** Total file size before sections (default 0x3000). */
  size?: number;
  /** Bytes to write at given file offsets. */
  patches?: { at: number; bytes: Uint8Array }[];
  /** Symbols for a `.symtab` (sections appended after `size`). */
  symbols?: SynthSymbol[];
}

/** Default layout: text R+X at 0x10000 (one page), data R+W at 0x11000 with 0x800 file bytes and bss. */
export function defaultPhdrs(base = 0x10000): SynthPhdr[] {
  return [
    { type: 1, flags: 5, offset: 0, vaddr: base, filesz: 0x1000, memsz: 0x1000 },
    { type: 1, flags: 6, offset: 0x1000, vaddr: base + 0x1000, filesz: 0x800, memsz: 0x3000 },
    { type: 0x6474e551, flags: 6, offset: 0, vaddr: 0, filesz: 0, memsz: 0, align: 16 },
  ];
}

/**
 * Builds a little ELF64 LE file: header at 0, program headers at 64, the
 * rest filled with a byte pattern (i & 0xff | 1, never zero) so zeroed bss
 * is told apart from file bytes; then `.symtab`/`.strtab`/`.shstrtab` when
 * symbols are given.
 */
export function makeElf(spec: SynthSpec = {}): Uint8Array {
  const phdrs = spec.phdrs ?? defaultPhdrs();
  const size = spec.size ?? 0x3000;
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i++) body[i] = (i & 0xff) | 1;
  body.fill(0, 0, 64 + 56 * phdrs.length);
  const dv = new DataView(body.buffer);
  body.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  dv.setUint16(16, spec.type ?? 2, true);
  dv.setUint16(18, spec.machine ?? 243, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(spec.entry ?? 0x10100), true);
  dv.setBigUint64(32, 64n, true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, phdrs.length, true);
  phdrs.forEach((p, i) => {
    const o = 64 + 56 * i;
    dv.setUint32(o, p.type, true);
    dv.setUint32(o + 4, p.flags, true);
    dv.setBigUint64(o + 8, BigInt.asUintN(64, BigInt(p.offset)), true);
    dv.setBigUint64(o + 16, BigInt.asUintN(64, BigInt(p.vaddr)), true);
    dv.setBigUint64(o + 24, BigInt.asUintN(64, BigInt(p.vaddr)), true);
    dv.setBigUint64(o + 32, BigInt.asUintN(64, BigInt(p.filesz)), true);
    dv.setBigUint64(o + 40, BigInt.asUintN(64, BigInt(p.memsz)), true);
    dv.setBigUint64(o + 48, BigInt.asUintN(64, BigInt(p.align ?? 0x1000)), true);
  });
  for (const p of spec.patches ?? []) body.set(p.bytes, p.at);
  if (!spec.symbols) return body;
  return appendSymtab(body, spec.symbols);
}

/** Appends `.symtab`, `.strtab`, `.shstrtab` and a section header table, and points e_shoff at it. */
function appendSymtab(body: Uint8Array, symbols: SynthSymbol[]): Uint8Array {
  const enc = new TextEncoder();
  const strtab: number[] = [0];
  const nameOff = symbols.map((s) => {
    const off = strtab.length;
    strtab.push(...enc.encode(s.name), 0);
    return off;
  });
  const shstr: number[] = [0];
  const shName = (n: string) => {
    const off = shstr.length;
    shstr.push(...enc.encode(n), 0);
    return off;
  };
  const nText = shName(".text");
  const nSymtab = shName(".symtab");
  const nStrtab = shName(".strtab");
  const nShstrtab = shName(".shstrtab");
  const symOff = align8(body.length);
  const symSize = 24 * (symbols.length + 1);
  const strOff = symOff + symSize;
  const shstrOff = strOff + strtab.length;
  const shOff = align8(shstrOff + shstr.length);
  const out = new Uint8Array(shOff + 64 * 5);
  out.set(body);
  const dv = new DataView(out.buffer);
  symbols.forEach((s, i) => {
    const o = symOff + 24 * (i + 1);
    dv.setUint32(o, s.nameOffset ?? nameOff[i], true);
    out[o + 4] = ((s.bind ?? 1) << 4) | s.type;
    dv.setUint16(o + 6, s.shndx ?? 1, true);
    dv.setBigUint64(o + 8, BigInt(s.value), true);
    dv.setBigUint64(o + 16, BigInt(s.size), true);
  });
  out.set(strtab, strOff);
  out.set(shstr, shstrOff);
  const sh = (i: number, name: number, type: number, off: number, size: number, link = 0) => {
    const o = shOff + 64 * i;
    dv.setUint32(o, name, true);
    dv.setUint32(o + 4, type, true);
    dv.setBigUint64(o + 24, BigInt(off), true);
    dv.setBigUint64(o + 32, BigInt(size), true);
    dv.setUint32(o + 40, link, true);
    dv.setBigUint64(o + 56, BigInt(type === 2 ? 24 : 0), true);
  };
  sh(1, nText, 1, 0, 0x1000);
  sh(2, nSymtab, 2, symOff, symSize, 3);
  sh(3, nStrtab, 3, strOff, strtab.length);
  sh(4, nShstrtab, 3, shstrOff, shstr.length);
  dv.setBigUint64(40, BigInt(shOff), true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, 5, true);
  dv.setUint16(62, 4, true);
  return out;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Offsets of section header fields, for tests that corrupt them. */
export function sectionHeaderOffset(elf: Uint8Array, index: number): number {
  const dv = new DataView(elf.buffer, elf.byteOffset);
  return Number(dv.getBigUint64(40, true)) + 64 * index;
}

/** A deterministic 32-bit PRNG (xorshift32) for mutation tests. */
export function prng(seed: number): () => number {
  let x = (seed | 0) || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}
