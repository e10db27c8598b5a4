/**
 * The vDSO: a riscv64 shared object the kernel maps into every process and
 * names in `AT_SYSINFO_EHDR`, with Linux 6.x's symbols at version
 * `LINUX_4.15` (arch/riscv/kernel/vdso/vdso.lds.S):
 *
 * | symbol                   | what it does here                                          |
 * | ------------------------ | ---------------------------------------------------------- |
 * | `__vdso_rt_sigreturn`    | `li a7, 139; ecall`: where signal handlers return          |
 * | `__vdso_gettimeofday`    | CLOCK_REALTIME from the vvar page and the `time` CSR       |
 * | `__vdso_clock_gettime`   | REALTIME, MONOTONIC(_RAW), the COARSE clocks, BOOTTIME, TAI |
 * |                          | from the vvar page; any other clock id: the syscall         |
 * | `__vdso_clock_getres`    | the same clocks' resolution from vvar; others: the syscall |
 * | `__vdso_getcpu`          | the getcpu syscall (riscv's vDSO has no fast path either)  |
 * | `__vdso_flush_icache`    | the riscv_flush_icache syscall                             |
 *
 * `__vdso_riscv_hwprobe` is left out on purpose: it came with Linux 6.5,
 * and zkabi presents Linux 6.1, whose riscv_hwprobe syscall is ENOSYS too.
 * glibc 2.40+ calls it only when the vDSO exports it, so exporting it
 * would add calls that a 6.1 kernel never sees.
 *
 * The code is hand-assembled here (RV64IM, uncompressed) and wrapped into
 * an ELF by `lib/elf/vdso_image.ts`; both are deterministic, so the image is
 * the same bytes on every run.
 *
 * **The clock decision.** Like Linux's generic vDSO, the code reads the
 * `time` CSR and the vvar page (`struct vdso_data`: seq, clock_mode,
 * cycle_last, mask, mult, shift, basetime[clock], tz, hrtimer_res) and
 * computes `basetime + ((time - cycle_last) & mask) * mult >> shift`. zkabi's
 * `time` CSR is the virtual clock itself (`nowNs / 100`, a 10 MHz
 * timebase), so the linear map is exact for the whole run: the kernel writes
 * the vvar page once at exec (cycle_last 0, mult 100, shift 0, each clock's
 * value at virtual time 0) and would rewrite it only if a clock were set
 * (zkabi refuses clock_settime). A vDSO read therefore returns the syscall's
 * value truncated to the 100 ns timebase tick; it depends only on retired
 * instructions and slept time, so runs stay byte-identical. The COARSE clocks
 * are truncated to the 4 ms tick as the syscall does.
 *
 * Placement: the two vvar pages (data, and the time-namespace page Linux
 * reserves) and the one vDSO page sit in the gap above the mmap base, where
 * zkabi put its sigreturn page before, so mmap results do not move.
 * @module
 */

import { writeVdsoImage } from "../elf/vdso_image.ts";
import { VDSO_BUILT } from "./vdso_bytes.ts";
import { PROT_EXEC, PROT_READ } from "../memory/memory.ts";
import { MMAP_BASE } from "../memory/layout.ts";
import type { Kernel } from "./kernel.ts";
import { BOOT_OFFSET_NS, REALTIME_EPOCH_SEC, TICK_NS } from "./time.ts";

/** Pages of `[vvar]` (the data page and the time-namespace page). */
export const VVAR_PAGES = 2;
/** Address of `[vvar]`. */
export const VVAR_BASE: number = MMAP_BASE;
/** Address of `[vdso]` (AT_SYSINFO_EHDR). */
export const VDSO_BASE: number = VVAR_BASE + VVAR_PAGES * 4096;
/** The version of every vDSO symbol. */
export const VDSO_VERSION = "LINUX_4.15";
/** The vDSO's soname. */
export const VDSO_SONAME = "linux-vdso.so.1";

/** Offsets in the vvar data page (Linux 6.x `struct vdso_data`). */
export const VVAR = {
  seq: 0,
  clockMode: 4,
  cycleLast: 8,
  mask: 16,
  mult: 24,
  shift: 28,
  basetime: 32,
  tzMinuteswest: 224,
  tzDsttime: 228,
  hrtimerRes: 232,
} as const;

/** Nanoseconds per tick of the `time` CSR (10 MHz). */
export const TIMEBASE_NS = 100;
/** Clocks the vDSO answers itself (bit per clock id): 0, 1, 4, 5, 6, 7, 11. */
const VDSO_CLOCKS = 0b1000_1111_0011;
/** The coarse clocks (5, 6). */
const COARSE_CLOCKS = 0b110_0000;
/** VDSO_CLOCKMODE_ARCHTIMER. */
const CLOCKMODE_ARCHTIMER = 1;

const NR_RT_SIGRETURN = 139;
const NR_CLOCK_GETTIME = 113;
const NR_CLOCK_GETRES = 114;
const NR_GETCPU = 168;
const NR_RISCV_FLUSH_ICACHE = 259;

// ------------------------------------------------------------ the assembler

const zero = 0, ra = 1, t0 = 5, t1 = 6, t2 = 7;
const a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15, a6 = 16, a7 = 17;
const t3 = 28, t4 = 29, t5 = 30, t6 = 31;

type Emit = (pc: number, label: (name: string) => number) => number;

/** A tiny two-pass RV64IM assembler: every instruction is 4 bytes. */
class Asm {
  readonly #code: Emit[] = [];
  readonly #labels = new Map<string, number>();

  get size(): number {
    return 4 * this.#code.length;
  }

  label(name: string): void {
    this.#labels.set(name, this.size);
  }

  at(name: string): number {
    const v = this.#labels.get(name);
    if (v === undefined) throw new Error(`vDSO: no label ${name}`);
    return v;
  }

  #i(op: number, f3: number, rd: number, rs1: number, imm: number): void {
    this.#code.push(() => ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op);
  }
  #r(op: number, f3: number, f7: number, rd: number, rs1: number, rs2: number): void {
    this.#code.push(() => (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op);
  }
  #s(f3: number, rs2: number, rs1: number, imm: number): void {
    this.#code.push(() =>
      (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) |
      0x23
    );
  }
  #b(f3: number, rs1: number, rs2: number, target: string): void {
    this.#code.push((pc, label) => {
      const d = label(target) - pc;
      return ((d >> 12) & 1) << 31 | ((d >> 5) & 0x3f) << 25 | (rs2 << 20) | (rs1 << 15) |
        (f3 << 12) | ((d >> 1) & 0xf) << 8 | ((d >> 11) & 1) << 7 | 0x63;
    });
  }

  addi(rd: number, rs1: number, imm: number): void {
    this.#i(0x13, 0, rd, rs1, imm);
  }
  andi(rd: number, rs1: number, imm: number): void {
    this.#i(0x13, 7, rd, rs1, imm);
  }
  slli(rd: number, rs1: number, sh: number): void {
    this.#i(0x13, 1, rd, rs1, sh & 63);
  }
  add(rd: number, rs1: number, rs2: number): void {
    this.#r(0x33, 0, 0, rd, rs1, rs2);
  }
  sub(rd: number, rs1: number, rs2: number): void {
    this.#r(0x33, 0, 0x20, rd, rs1, rs2);
  }
  and(rd: number, rs1: number, rs2: number): void {
    this.#r(0x33, 7, 0, rd, rs1, rs2);
  }
  srl(rd: number, rs1: number, rs2: number): void {
    this.#r(0x33, 5, 0, rd, rs1, rs2);
  }
  mul(rd: number, rs1: number, rs2: number): void {
    this.#r(0x33, 0, 1, rd, rs1, rs2);
  }
  divu(rd: number, rs1: number, rs2: number): void {
    this.#r(0x33, 5, 1, rd, rs1, rs2);
  }
  remu(rd: number, rs1: number, rs2: number): void {
    this.#r(0x33, 7, 1, rd, rs1, rs2);
  }
  ld(rd: number, off: number, rs1: number): void {
    this.#i(0x03, 3, rd, rs1, off);
  }
  lw(rd: number, off: number, rs1: number): void {
    this.#i(0x03, 2, rd, rs1, off);
  }
  lwu(rd: number, off: number, rs1: number): void {
    this.#i(0x03, 6, rd, rs1, off);
  }
  sd(rs2: number, off: number, rs1: number): void {
    this.#s(3, rs2, rs1, off);
  }
  sw(rs2: number, off: number, rs1: number): void {
    this.#s(2, rs2, rs1, off);
  }
  beqz(rs: number, target: string): void {
    this.#b(0, rs, zero, target);
  }
  bnez(rs: number, target: string): void {
    this.#b(1, rs, zero, target);
  }
  bne(rs1: number, rs2: number, target: string): void {
    this.#b(1, rs1, rs2, target);
  }
  bgeu(rs1: number, rs2: number, target: string): void {
    this.#b(7, rs1, rs2, target);
  }
  /** `jal rd, target`. */
  jal(rd: number, target: string): void {
    this.#code.push((pc, label) => {
      const d = label(target) - pc;
      return ((d >> 20) & 1) << 31 | ((d >> 1) & 0x3ff) << 21 | ((d >> 11) & 1) << 20 |
        ((d >> 12) & 0xff) << 12 | (rd << 7) | 0x6f;
    });
  }
  /** `jalr x0, 0(rs)`: return through `rs`. */
  jr(rs: number): void {
    this.#i(0x67, 0, zero, rs, 0);
  }
  ret(): void {
    this.jr(ra);
  }
  ecall(): void {
    this.#code.push(() => 0x00000073);
  }
  /** `fence r, r`. */
  fenceRR(): void {
    this.#code.push(() => 0x0220000f);
  }
  /** `rdtime rd` (csrrs rd, time, x0). */
  rdtime(rd: number): void {
    this.#i(0x73, 2, rd, zero, 0xc01);
  }
  /** Loads a 32-bit signed constant (`addi`, or `lui` + `addi`). */
  li(rd: number, v: number): void {
    if (v >= -2048 && v < 2048) return this.addi(rd, zero, v);
    const lo = ((v & 0xfff) << 20) >> 20;
    const hi = ((v - lo) >>> 12) & 0xfffff;
    this.#code.push(() => (hi << 12) | (rd << 7) | 0x37);
    if (lo !== 0) this.addi(rd, rd, lo);
    else this.#code.push(() => 0x00000013); // keep the size independent of v's low bits
  }
  /** `auipc rd, hi; addi rd, rd, lo`: rd = the absolute image address `addr` (image base relative). */
  la(rd: number, addr: (pc: number) => number): void {
    let at = 0;
    this.#code.push((pc) => {
      at = pc;
      const d = addr(pc);
      const hi = ((d + 0x800) >> 12) & 0xfffff;
      return (hi << 12) | (rd << 7) | 0x17;
    });
    this.#code.push(() => {
      const d = addr(at);
      const lo = d - (((d + 0x800) >> 12) << 12);
      return ((lo & 0xfff) << 20) | (rd << 15) | (rd << 7) | 0x13;
    });
  }

  /** The machine code with the first instruction at image address `base`. */
  assemble(base: number): Uint8Array {
    const out = new Uint8Array(this.size);
    const dv = new DataView(out.buffer);
    this.#code.forEach((f, i) =>
      dv.setUint32(4 * i, f(base + 4 * i, (l) => base + this.at(l)) >>> 0, true)
    );
    return out;
  }
}

// ------------------------------------------------------------------ the code

const FUNCTIONS = [
  "__vdso_rt_sigreturn",
  "__vdso_gettimeofday",
  "__vdso_clock_gettime",
  "__vdso_clock_getres",
  "__vdso_getcpu",
  "__vdso_flush_icache",
] as const;

/** Writes the vDSO's functions; the vvar data page sits `VVAR_PAGES` pages below the image. */
function vdsoCode(): Asm {
  const A = new Asm();
  const vvar = (pc: number) => -VVAR_PAGES * 4096 - pc;

  A.label("__vdso_rt_sigreturn");
  A.li(a7, NR_RT_SIGRETURN);
  A.ecall();
  A.label("__vdso_rt_sigreturn.end");

  // readclk: a0 = a clock id in VDSO_CLOCKS → a2 = its value in ns.
  // Link register a6; clobbers t0-t6, a3, a4.
  A.label("readclk");
  A.la(t2, vvar);
  A.label("readclk.retry");
  A.lw(t3, VVAR.seq, t2);
  A.andi(t4, t3, 1);
  A.bnez(t4, "readclk.retry");
  A.fenceRR();
  A.rdtime(t4);
  A.ld(t5, VVAR.cycleLast, t2);
  A.sub(t4, t4, t5);
  A.ld(t5, VVAR.mask, t2);
  A.and(t4, t4, t5);
  A.lwu(t5, VVAR.mult, t2);
  A.mul(t4, t4, t5);
  A.slli(t6, a0, 4);
  A.add(t6, t6, t2);
  A.ld(a2, VVAR.basetime, t6);
  A.ld(a3, VVAR.basetime + 8, t6);
  A.add(t4, t4, a3);
  A.lwu(t5, VVAR.shift, t2);
  A.srl(t4, t4, t5);
  A.fenceRR();
  A.lw(t5, VVAR.seq, t2);
  A.bne(t5, t3, "readclk.retry");
  A.li(a4, 1_000_000_000);
  A.mul(a2, a2, a4);
  A.add(a2, a2, t4);
  A.li(t0, COARSE_CLOCKS);
  A.srl(t0, t0, a0);
  A.andi(t0, t0, 1);
  A.beqz(t0, "readclk.done");
  A.li(t5, TICK_NS);
  A.remu(t6, a2, t5);
  A.sub(a2, a2, t6);
  A.label("readclk.done");
  A.jr(a6);

  // isvdso: branch to `fallback` unless a0 names a clock in VDSO_CLOCKS.
  const checkClock = (fallback: string) => {
    A.li(t0, 12);
    A.bgeu(a0, t0, fallback);
    A.li(t1, VDSO_CLOCKS);
    A.srl(t1, t1, a0);
    A.andi(t1, t1, 1);
    A.beqz(t1, fallback);
  };

  A.label("__vdso_gettimeofday");
  A.addi(a7, a0, 0);
  A.beqz(a7, "gtod.tz");
  A.li(a0, 0);
  A.jal(a6, "readclk");
  A.li(a4, 1_000_000_000);
  A.divu(a5, a2, a4);
  A.remu(t6, a2, a4);
  A.li(a4, 1000);
  A.divu(t6, t6, a4);
  A.sd(a5, 0, a7);
  A.sd(t6, 8, a7);
  A.label("gtod.tz");
  A.beqz(a1, "gtod.done");
  A.la(t2, vvar);
  A.lw(t3, VVAR.tzMinuteswest, t2);
  A.lw(t4, VVAR.tzDsttime, t2);
  A.sw(t3, 0, a1);
  A.sw(t4, 4, a1);
  A.label("gtod.done");
  A.li(a0, 0);
  A.ret();
  A.label("__vdso_gettimeofday.end");

  A.label("__vdso_clock_gettime");
  checkClock("cgt.syscall");
  A.jal(a6, "readclk");
  A.li(a4, 1_000_000_000);
  A.divu(a5, a2, a4);
  A.remu(t6, a2, a4);
  A.sd(a5, 0, a1);
  A.sd(t6, 8, a1);
  A.li(a0, 0);
  A.ret();
  A.label("cgt.syscall");
  A.li(a7, NR_CLOCK_GETTIME);
  A.ecall();
  A.ret();
  A.label("__vdso_clock_gettime.end");

  A.label("__vdso_clock_getres");
  checkClock("cgr.syscall");
  A.beqz(a1, "cgr.done");
  A.la(t2, vvar);
  A.lwu(t3, VVAR.hrtimerRes, t2);
  A.li(t0, COARSE_CLOCKS);
  A.srl(t0, t0, a0);
  A.andi(t0, t0, 1);
  A.beqz(t0, "cgr.store");
  A.li(t3, TICK_NS);
  A.label("cgr.store");
  A.sd(zero, 0, a1);
  A.sd(t3, 8, a1);
  A.label("cgr.done");
  A.li(a0, 0);
  A.ret();
  A.label("cgr.syscall");
  A.li(a7, NR_CLOCK_GETRES);
  A.ecall();
  A.ret();
  A.label("__vdso_clock_getres.end");

  const passthrough = (name: string, nr: number) => {
    A.label(name);
    A.li(a7, nr);
    A.ecall();
    A.ret();
    A.label(`${name}.end`);
  };
  passthrough("__vdso_getcpu", NR_GETCPU);
  passthrough("__vdso_flush_icache", NR_RISCV_FLUSH_ICACHE);
  return A;
}

/** The vDSO image and its symbols' offsets. */
export interface Vdso {
  /** The ELF image. */
  bytes: Uint8Array;
  /** Offsets of the exported functions in the image, by name. */
  symbols: ReadonlyMap<string, number>;
  /** Sizes of the exported functions. */
  sizes: ReadonlyMap<string, number>;
}

let cached: Vdso | undefined;

/**
 * The vDSO image (decoded once per process of the emulator; always the same
 * bytes). It comes from `vdso_bytes.ts`, which {@linkcode buildVdsoImage}
 * generates (`deno run -A lib/kernel/vdso.ts` rewrites it; a test checks it
 * is current): assembling it is over a millisecond of cold JavaScript at
 * every start-up, decoding it a few microseconds.
 */
export function vdsoImage(): Vdso {
  if (cached) return cached;
  cached = {
    bytes: Uint8Array.fromBase64(VDSO_BUILT.bytes),
    symbols: new Map(VDSO_BUILT.symbols.map(([name, offset]) => [name, offset] as const)),
    sizes: new Map(VDSO_BUILT.symbols.map(([name, , size]) => [name, size] as const)),
  };
  return cached;
}

/** Assembles the vDSO image from {@linkcode vdsoCode}. */
export function buildVdsoImage(): Vdso {
  const code = vdsoCode();
  const symbols = FUNCTIONS.map((name) => ({
    name,
    offset: code.at(name),
    size: code.at(`${name}.end`) - code.at(name),
  }));
  const img = writeVdsoImage({
    soname: VDSO_SONAME,
    version: VDSO_VERSION,
    machine: 243,
    flags: 5,
    symbols,
    textSize: code.size,
    text: (addr) => code.assemble(addr),
  });
  return {
    bytes: img.bytes,
    symbols: img.symbols,
    sizes: new Map(symbols.map((s) => [s.name, s.size])),
  };
}

/** The source of `vdso_bytes.ts` for an image. */
export function vdsoBytesSource(img: Vdso): string {
  const b64 = btoa(String.fromCharCode(...img.bytes));
  const symbols = [...img.symbols].map(([name, offset]) =>
    `    [${JSON.stringify(name)}, ${offset}, ${img.sizes.get(name)}],`
  );
  return [
    "/**",
    " * The vDSO image (base64) and its symbols, generated by",
    " * `deno run -A lib/kernel/vdso.ts` from `vdso.ts`. Do not edit.",
    " * @module",
    " */",
    "",
    "/** The image, and each exported function's name, offset and size. */",
    "export const VDSO_BUILT: {",
    "  readonly bytes: string;",
    "  readonly symbols: readonly (readonly [string, number, number])[];",
    "} = {",
    "  bytes:",
    `    "${b64}",`,
    "  symbols: [",
    ...symbols,
    "  ],",
    "};",
    "",
  ].join("\n");
}

if (import.meta.main) {
  const file = new URL("./vdso_bytes.ts", import.meta.url);
  Deno.writeTextFileSync(file, vdsoBytesSource(buildVdsoImage()));
  console.log(`wrote ${file.pathname}`);
}

/** The vvar data page's contents: the linear map from the `time` CSR to each clock. */
export function vvarPage(): Uint8Array {
  const page = new Uint8Array(4096);
  const dv = new DataView(page.buffer);
  dv.setUint32(VVAR.seq, 0, true);
  dv.setInt32(VVAR.clockMode, CLOCKMODE_ARCHTIMER, true);
  dv.setBigUint64(VVAR.cycleLast, 0n, true);
  dv.setBigUint64(VVAR.mask, (1n << 64n) - 1n, true);
  dv.setUint32(VVAR.mult, TIMEBASE_NS, true);
  dv.setUint32(VVAR.shift, 0, true);
  const base = (clock: number, sec: number, nsec: number) => {
    dv.setBigUint64(VVAR.basetime + 16 * clock, BigInt(sec), true);
    dv.setBigUint64(VVAR.basetime + 16 * clock + 8, BigInt(nsec), true);
  };
  const monoSec = Math.floor(BOOT_OFFSET_NS / 1e9);
  const monoNsec = BOOT_OFFSET_NS % 1e9;
  for (const c of [0, 5, 11]) base(c, REALTIME_EPOCH_SEC, 0);
  for (const c of [1, 4, 6, 7]) base(c, monoSec, monoNsec);
  dv.setInt32(VVAR.tzMinuteswest, 0, true);
  dv.setInt32(VVAR.tzDsttime, 0, true);
  dv.setUint32(VVAR.hrtimerRes, 1, true);
  return page;
}

/** Where the vDSO went in a process. */
export interface VdsoMapping {
  /** AT_SYSINFO_EHDR. */
  base: number;
  /** Address of `__vdso_rt_sigreturn` (the return address of signal handlers). */
  sigreturn: number;
}

/**
 * Maps `[vvar]` and `[vdso]` into `k`'s address space, writes the vvar page
 * and registers the vDSO's symbols for diagnostics. The caller passes
 * {@linkcode VDSO_BASE} as AT_SYSINFO_EHDR and the returned sigreturn
 * address to the signal family.
 */
export function setupVdso(k: Kernel): VdsoMapping {
  const img = vdsoImage();
  const size = Math.ceil(img.bytes.length / 4096) * 4096;
  k.mem.map(VVAR_BASE, VVAR_PAGES * 4096, PROT_READ, "[vvar]");
  k.mem.poke(VVAR_BASE, vvarPage());
  k.mem.map(VDSO_BASE, size, PROT_READ | PROT_EXEC, "[vdso]");
  k.mem.poke(VDSO_BASE, img.bytes);
  k.symbols.add(
    [...img.symbols].map(([name, value]) => ({
      name,
      value,
      size: img.sizes.get(name)!,
      kind: "func" as const,
      bind: "global" as const,
    })),
    VDSO_BASE,
    "[vdso]",
    { start: VDSO_BASE, end: VDSO_BASE + size },
  );
  return { base: VDSO_BASE, sigreturn: VDSO_BASE + img.symbols.get("__vdso_rt_sigreturn")! };
}
