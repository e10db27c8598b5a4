/**
 * Writes a vDSO-shaped shared object: the ELF image Linux maps at
 * `AT_SYSINFO_EHDR`. The layout follows what the kernel's own vdso.so
 * (linked at address 0 by its linker script) carries and what its two kinds
 * of readers need:
 *
 * - glibc's `setup_vdso`/`dl_vdso_vsym` treat it as a loaded object: the
 *   first PT_LOAD's p_vaddr gives the load bias, PT_DYNAMIC the dynamic
 *   section, DT_HASH (or DT_GNU_HASH) the symbol lookup, DT_VERSYM and
 *   DT_VERDEF the version check, DT_SONAME its name;
 * - Go's runtime (`vdso_linux.go`) walks the same program headers and
 *   dynamic tags itself and matches each symbol's version by name and hash.
 *
 * The image: ELF header, program headers (PT_LOAD r-x over the whole file,
 * PT_DYNAMIC), `.hash`, `.dynsym`, `.dynstr`, `.gnu.version`,
 * `.gnu.version_d`, `.dynamic`, `.text`, `.shstrtab` and section headers
 * (so that readelf and objdump can read it). Every symbol is a global
 * function of one version (e.g. `LINUX_4.15`); the version name itself is
 * also exported as an absolute object symbol, as in the kernel's image.
 * The output is a pure function of the input, so it is reproducible.
 * @module
 */

/** One exported function of the image. */
export interface VdsoSymbol {
  /** Symbol name, e.g. `__vdso_clock_gettime`. */
  name: string;
  /** Offset of the function within the text. */
  offset: number;
  /** Size in bytes. */
  size: number;
}

/** What {@linkcode writeVdsoImage} lays out. */
export interface VdsoSpec {
  /** DT_SONAME and the base version's name, e.g. `linux-vdso.so.1`. */
  soname: string;
  /** The version every symbol carries, e.g. `LINUX_4.15`. */
  version: string;
  /** e_machine (EM_RISCV = 243). */
  machine: number;
  /** e_flags (RVC + double-float ABI = 5). */
  flags: number;
  /** The exported functions. */
  symbols: readonly VdsoSymbol[];
  /**
   * Builds the text once its address in the image is known (code that
   * addresses data relative to the image needs it).
   */
  text: (textAddr: number) => Uint8Array;
  /** Size of the text in bytes (must equal what `text` returns). */
  textSize: number;
}

/** The written image and where its parts went. */
export interface VdsoImage {
  /** The whole file, as mapped. */
  bytes: Uint8Array;
  /** Address (= file offset) of the text. */
  textAddr: number;
  /** Each symbol's address in the image, by name. */
  symbols: ReadonlyMap<string, number>;
}

/** The System V ELF hash (the `.hash` section's and the version definitions' hash). */
export function elfHash(name: string): number {
  let h = 0;
  for (const ch of new TextEncoder().encode(name)) {
    h = ((h << 4) + ch) >>> 0;
    const g = h & 0xf0000000;
    if (g !== 0) h ^= g >>> 24;
    h = (h & ~g) >>> 0;
  }
  return h >>> 0;
}

const EHDR = 64;
const PHDR = 56;
const SHDR = 64;
const SYM = 24;
const DYN = 16;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const SHT_PROGBITS = 1;
const SHT_STRTAB = 3;
const SHT_HASH = 5;
const SHT_DYNAMIC = 6;
const SHT_DYNSYM = 11;
const SHT_GNU_VERDEF = 0x6ffffffd;
const SHT_GNU_VERSYM = 0x6fffffff;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
const SHN_ABS = 0xfff1;
const DT_NULL = 0;
const DT_HASH = 4;
const DT_STRTAB = 5;
const DT_SYMTAB = 6;
const DT_STRSZ = 10;
const DT_SYMENT = 11;
const DT_SONAME = 14;
const DT_VERSYM = 0x6ffffff0;
const DT_VERDEF = 0x6ffffffc;
const DT_VERDEFNUM = 0x6ffffffd;
const VER_FLG_BASE = 1;

/** A string table under construction. */
class StrTab {
  readonly #parts: Uint8Array[] = [new Uint8Array(1)];
  readonly #at = new Map<string, number>();
  size = 1;

  /** Offset of `s`, added on first use. */
  add(s: string): number {
    const known = this.#at.get(s);
    if (known !== undefined) return known;
    const b = new TextEncoder().encode(s + "\0");
    const off = this.size;
    this.#parts.push(b);
    this.#at.set(s, off);
    this.size += b.length;
    return off;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.#parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Lays out and writes the image described by `spec`. */
export function writeVdsoImage(spec: VdsoSpec): VdsoImage {
  const dynstr = new StrTab();
  const sonameOff = dynstr.add(spec.soname);
  const versionOff = dynstr.add(spec.version);
  // dynsym: null, the version's absolute symbol, then the functions.
  const names = [spec.version, ...spec.symbols.map((s) => s.name)];
  const nameOffs = names.map((n) => dynstr.add(n));
  const nsyms = names.length + 1;
  const nbucket = 3;

  // Section order and layout (addresses = file offsets, linked at 0).
  let at = EHDR + 2 * PHDR;
  at = align(at, 8);
  const hashAt = at;
  const hashSize = 4 * (2 + nbucket + nsyms);
  at = align(at + hashSize, 8);
  const dynsymAt = at;
  at += SYM * nsyms;
  const dynstrAt = at;
  const dynstrBytes = dynstr.bytes();
  at += dynstrBytes.length;
  at = align(at, 2);
  const versymAt = at;
  at += 2 * nsyms;
  at = align(at, 8);
  const verdefAt = at;
  const verdefSize = 2 * (20 + 8);
  at += verdefSize;
  at = align(at, 8);
  const dynamicAt = at;
  const dyns: [number, number][] = [
    [DT_SONAME, sonameOff],
    [DT_HASH, hashAt],
    [DT_STRTAB, dynstrAt],
    [DT_SYMTAB, dynsymAt],
    [DT_STRSZ, dynstrBytes.length],
    [DT_SYMENT, SYM],
    [DT_VERSYM, versymAt],
    [DT_VERDEF, verdefAt],
    [DT_VERDEFNUM, 2],
    [DT_NULL, 0],
  ];
  at += DYN * dyns.length;
  at = align(at, 16);
  const textAddr = at;
  const text = spec.text(textAddr);
  if (text.length !== spec.textSize) throw new Error("vDSO text size mismatch");
  at += text.length;
  const shstr = new StrTab();
  const sections = [
    { name: "", type: 0, flags: 0, addr: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 },
    {
      name: ".hash",
      type: SHT_HASH,
      flags: SHF_ALLOC,
      addr: hashAt,
      size: hashSize,
      link: 2,
      info: 0,
      align: 8,
      entsize: 4,
    },
    {
      name: ".dynsym",
      type: SHT_DYNSYM,
      flags: SHF_ALLOC,
      addr: dynsymAt,
      size: SYM * nsyms,
      link: 3,
      info: 1,
      align: 8,
      entsize: SYM,
    },
    {
      name: ".dynstr",
      type: SHT_STRTAB,
      flags: SHF_ALLOC,
      addr: dynstrAt,
      size: dynstrBytes.length,
      link: 0,
      info: 0,
      align: 1,
      entsize: 0,
    },
    {
      name: ".gnu.version",
      type: SHT_GNU_VERSYM,
      flags: SHF_ALLOC,
      addr: versymAt,
      size: 2 * nsyms,
      link: 2,
      info: 0,
      align: 2,
      entsize: 2,
    },
    {
      name: ".gnu.version_d",
      type: SHT_GNU_VERDEF,
      flags: SHF_ALLOC,
      addr: verdefAt,
      size: verdefSize,
      link: 3,
      info: 2,
      align: 8,
      entsize: 0,
    },
    {
      name: ".dynamic",
      type: SHT_DYNAMIC,
      flags: SHF_ALLOC | SHF_WRITE,
      addr: dynamicAt,
      size: DYN * dyns.length,
      link: 3,
      info: 0,
      align: 8,
      entsize: DYN,
    },
    {
      name: ".text",
      type: SHT_PROGBITS,
      flags: SHF_ALLOC | SHF_EXECINSTR,
      addr: textAddr,
      size: text.length,
      link: 0,
      info: 0,
      align: 16,
      entsize: 0,
    },
    {
      name: ".shstrtab",
      type: SHT_STRTAB,
      flags: 0,
      addr: 0,
      size: 0,
      link: 0,
      info: 0,
      align: 1,
      entsize: 0,
    },
  ];
  const TEXT_SHNDX = 7;
  const nameIdx = sections.map((s) => shstr.add(s.name));
  const shstrBytes = shstr.bytes();
  const shstrAt = at;
  sections[8].size = shstrBytes.length;
  at += shstrBytes.length;
  at = align(at, 8);
  const shAt = at;
  at += SHDR * sections.length;
  const total = at;

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const u16 = (o: number, v: number) => dv.setUint16(o, v, true);
  const u32 = (o: number, v: number) => dv.setUint32(o, v >>> 0, true);
  const u64 = (o: number, v: number) => dv.setBigUint64(o, BigInt(v), true);

  // ELF header.
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  u16(16, 3); // ET_DYN
  u16(18, spec.machine);
  u32(20, 1);
  u64(24, 0); // no entry point
  u64(32, EHDR);
  u64(40, shAt);
  u32(48, spec.flags);
  u16(52, EHDR);
  u16(54, PHDR);
  u16(56, 2);
  u16(58, SHDR);
  u16(60, sections.length);
  u16(62, 8);
  // Program headers.
  const phdr = (o: number, type: number, flags: number, off: number, size: number, al: number) => {
    u32(o, type);
    u32(o + 4, flags);
    u64(o + 8, off);
    u64(o + 16, off);
    u64(o + 24, off);
    u64(o + 32, size);
    u64(o + 40, size);
    u64(o + 48, al);
  };
  phdr(EHDR, PT_LOAD, 5, 0, total, 0x1000);
  phdr(EHDR + PHDR, PT_DYNAMIC, 4, dynamicAt, DYN * dyns.length, 8);

  // .dynsym: the version's absolute object, then global functions.
  const symAddrs = new Map<string, number>();
  const sym = (
    i: number,
    name: number,
    info: number,
    shndx: number,
    value: number,
    size: number,
  ) => {
    const o = dynsymAt + SYM * i;
    u32(o, name);
    out[o + 4] = info;
    out[o + 5] = 0;
    u16(o + 6, shndx);
    u64(o + 8, value);
    u64(o + 16, size);
  };
  sym(1, nameOffs[0], 0x11, SHN_ABS, 0, 0); // STB_GLOBAL, STT_OBJECT
  spec.symbols.forEach((s, i) => {
    const addr = textAddr + s.offset;
    sym(2 + i, nameOffs[1 + i], 0x12, TEXT_SHNDX, addr, s.size); // STB_GLOBAL, STT_FUNC
    symAddrs.set(s.name, addr);
  });
  // .hash: buckets chain symbols by elf_hash(name) % nbucket.
  u32(hashAt, nbucket);
  u32(hashAt + 4, nsyms);
  const buckets = new Array<number>(nbucket).fill(0);
  const chains = new Array<number>(nsyms).fill(0);
  for (let i = nsyms - 1; i >= 1; i--) {
    const b = elfHash(names[i - 1]) % nbucket;
    chains[i] = buckets[b];
    buckets[b] = i;
  }
  buckets.forEach((v, i) => u32(hashAt + 8 + 4 * i, v));
  chains.forEach((v, i) => u32(hashAt + 8 + 4 * nbucket + 4 * i, v));
  out.set(dynstrBytes, dynstrAt);
  // .gnu.version: local for the null symbol, version 2 for the rest.
  for (let i = 1; i < nsyms; i++) u16(versymAt + 2 * i, 2);
  // .gnu.version_d: the base (the soname) and the version.
  const verdef = (
    o: number,
    flags: number,
    ndx: number,
    name: string,
    nameOff: number,
    last: boolean,
  ) => {
    u16(o, 1);
    u16(o + 2, flags);
    u16(o + 4, ndx);
    u16(o + 6, 1);
    u32(o + 8, elfHash(name));
    u32(o + 12, 20);
    u32(o + 16, last ? 0 : 28);
    u32(o + 20, nameOff);
    u32(o + 24, 0);
  };
  verdef(verdefAt, VER_FLG_BASE, 1, spec.soname, sonameOff, false);
  verdef(verdefAt + 28, 0, 2, spec.version, versionOff, true);
  dyns.forEach(([tag, val], i) => {
    u64(dynamicAt + DYN * i, tag);
    u64(dynamicAt + DYN * i + 8, val);
  });
  out.set(text, textAddr);
  out.set(shstrBytes, shstrAt);
  sections.forEach((s, i) => {
    const o = shAt + SHDR * i;
    u32(o, nameIdx[i]);
    u32(o + 4, s.type);
    u64(o + 8, s.flags);
    u64(o + 16, s.addr);
    u64(o + 24, i === 8 ? shstrAt : s.addr);
    u64(o + 32, s.size);
    u32(o + 40, s.link);
    u32(o + 44, s.info);
    u64(o + 48, s.align);
    u64(o + 56, s.entsize);
  });
  return { bytes: out, textAddr, symbols: symAddrs };
}
