/**
 * The interpreter: runs one hart until an instruction budget is spent or an
 * event (ECALL, EBREAK, illegal instruction, memory fault) needs the kernel.
 *
 * Hot-loop design:
 * - Instructions are decoded once per code page slot into two Int32Arrays
 *   (packed word, immediate); a page's slots decode lazily on first use.
 * - The pc lives as (page base, offset in page) so sequential flow and short
 *   branches stay in int32 arithmetic.
 * - Registers are Int32 lo/hi pairs; x0 reads as zero because every write to
 *   it goes to a sink register.
 * - Loads and stores check the software TLB inline and fall back to
 *   `GuestMemory` on a miss.
 * - `switch` cases are numeric literals so V8 emits a jump table; the op
 *   names are in `ops.ts` (a test checks each `case N: // NAME`).
 *
 * Every retired instruction is counted exactly: `n` counts up per
 * instruction, and one that faults is not counted.
 * @module
 */

import { decode, type Decoded } from "./decode.ts";
import { executeFp } from "./fpu.ts";
import { blockSource, isBlockBarrier, isBlockEnd } from "./jit.ts";
import { Hart } from "./hart.ts";
import { bswap32, ctz32, div64, divu64, mul64, mulh64, orcb32, popcount32, R } from "./int64.ts";
import { type GuestMemory, MemoryFault, PAGE_SIZE } from "../memory/memory.ts";

/** The budget ran out. */
export const STOP_LIMIT = 0;
/** An ECALL: `hart.pc` is the ECALL's address. */
export const STOP_ECALL = 1;
/** An EBREAK: `hart.pc` is its address. */
export const STOP_EBREAK = 2;
/** An illegal instruction: `hart.pc` is its address, {@linkcode Cpu.illegalWord} its bits. */
export const STOP_ILLEGAL = 3;
/** A memory fault: {@linkcode Cpu.fault} says where; `hart.pc` is the faulting instruction. */
export const STOP_FAULT = 4;
/** A misaligned atomic access (SIGBUS): {@linkcode Cpu.fault} holds the address. */
export const STOP_MISALIGNED = 5;
/** Internal: the interpreter reached a hot or compiled jump target (`hart.pc`). */
const STOP_HOT = 6;

const TWO32 = 4294967296;
/** Offset value meaning "the next pc is far away: take it from farPc". */
const FAR = 0x40000000;
const SLOTS = PAGE_SIZE / 2;

/** Decoded instructions of one code page. */
interface CodePage {
  base: number;
  ops: Int32Array;
  imms: Int32Array;
  /**
   * Per slot: how often control transfers landed there (for the compiled
   * tier's hotness), HEAT_COMPILED when a compiled block starts there, or
   * HEAT_NEVER when none can.
   */
  heat: Int32Array;
}

/** Heat mark: a compiled block starts at this slot. */
const HEAT_COMPILED = -1;
/** Heat mark: no block can be compiled at this slot. */
const HEAT_NEVER = -2;

/** A straight-line block for the compiled tier. */
interface Block {
  /** Instructions in the block (0: its first instruction must be interpreted). */
  len: number;
  /** Address of each instruction. */
  pcs: number[];
  /** The compiled function, once hot. */
  fn: ((c: BlockContext) => number) | null;
  /** The address this block last continued at, and the compiled block there (a one-entry cache). */
  nextPc: number;
  /** See {@linkcode Block.nextPc}. */
  next: Block | undefined;
}

/** What compiled blocks see. */
interface BlockContext {
  h: Hart;
  mem: GuestMemory;
  cpu: Cpu;
  executeFp: typeof executeFp;
  mul64: typeof mul64;
  R: Int32Array;
  /** Instructions retired when a block left early or faulted; -1 when it ran to its end. */
  cut: number;
  /** STOP_* code of an early exit. */
  stop: number;
}

/** Jumps to a block's start before it is compiled. */
const HOT = 2000;
/** Longest block. */
const MAX_BLOCK = 64;

/** Reads a CSR for the interpreter; returns undefined for an unknown CSR. */
export type CsrReader = (h: Hart, csr: number, retired: number) => number | undefined;

/**
 * One address space's execution engine: the decode cache and the loop.
 * Harts of the same process share one `Cpu` (and so one decode cache).
 */
export class Cpu {
  /** The address space the harts run in. */
  readonly mem: GuestMemory;
  /** Details of the last STOP_FAULT / STOP_MISALIGNED. */
  fault: MemoryFault | undefined;
  /** The raw bits of the last illegal instruction. */
  illegalWord = 0;
  /**
   * Value of the `time` CSR (rdtime) given the hart and its retired count;
   * the kernel installs its virtual clock here.
   */
  timeCsr: (h: Hart, retired: number) => number = (_h, retired) => retired;

  /** Use the compiled tier for hot blocks (the interpreter alone when false). */
  jit = true;
  /** Jumps to a block's start before it is compiled (0: compile every block at once). */
  hotThreshold: number = HOT;
  /** Bumped whenever decoded code is invalidated; compiled blocks watch it. */
  codeGen = 0;
  /** Blocks compiled so far. */
  compiledBlocks = 0;
  /** Compile at most this many blocks (bisecting a compiled-tier bug). */
  compileLimit: number = Infinity;
  /** Receives the source of each compiled block (debugging). */
  onCompile: ((pc: number, source: string) => void) | undefined;

  #pages = new Map<number, CodePage>();
  #out: Decoded = { word: 0, imm: 0 };
  #blocks = new Map<number, Block>();
  #blocksByPage = new Map<number, number[]>();
  #ctx: BlockContext;

  /** Creates an engine over `mem` and registers for code invalidation. */
  constructor(mem: GuestMemory) {
    this.mem = mem;
    mem.onCodeInvalidate = (vpn) => this.#invalidate(vpn);
    this.#ctx = { h: new Hart(), mem, cpu: this, executeFp, mul64, R, cut: -1, stop: 0 };
  }

  /** Number of code pages with decoded instructions. */
  get decodedPages(): number {
    return this.#pages.size;
  }

  #invalidate(vpn: number): void {
    this.codeGen++;
    // Successor caches may point into the dropped blocks: forget them all.
    for (const blk of this.#blocks.values()) {
      blk.next = undefined;
      blk.nextPc = -1;
    }
    // Blocks of this page, and of the previous one (its last instruction may reach into this page).
    for (const v of [vpn, vpn - 1]) {
      for (const pc of this.#blocksByPage.get(v) ?? []) this.#blocks.delete(pc);
      this.#blocksByPage.delete(v);
    }
    const page = this.#pages.get(vpn);
    if (page) {
      page.ops.fill(0);
      this.#pages.delete(vpn);
    }
    // A 32-bit instruction in the previous page's last slot may reach into this page.
    const prev = this.#pages.get(vpn - 1);
    if (prev) prev.ops[SLOTS - 1] = 0;
  }

  #pageFor(pc: number): CodePage {
    const vpn = Math.floor(pc / PAGE_SIZE);
    let page = this.#pages.get(vpn);
    if (!page) {
      this.mem.fetchPage(pc);
      page = {
        base: vpn * PAGE_SIZE,
        ops: new Int32Array(SLOTS),
        imms: new Int32Array(SLOTS),
        heat: new Int32Array(SLOTS),
      };
      this.#pages.set(vpn, page);
    }
    return page;
  }

  /** Decodes slot `i` of `page`; returns the packed word. */
  #decodeAt(page: CodePage, i: number): number {
    const mem = this.mem;
    const addr = page.base + 2 * i;
    const off = mem.fetchPage(addr) + 2 * i;
    let inst = mem.u8[off] | (mem.u8[off + 1] << 8);
    if ((inst & 3) === 3) {
      if (i < SLOTS - 1) {
        inst |= (mem.u8[off + 2] | (mem.u8[off + 3] << 8)) << 16;
      } else {
        const next = mem.fetchPage(addr + 2);
        inst |= (mem.u8[next] | (mem.u8[next + 1] << 8)) << 16;
      }
    }
    const out = this.#out;
    decode(inst, out);
    page.ops[i] = out.word;
    page.imms[i] = out.imm;
    return out.word;
  }

  /** Returns the raw instruction bits at `pc` (for diagnostics). */
  instructionAt(pc: number): number {
    const lo = this.mem.read(pc, 2);
    const half = lo[0] | (lo[1] << 8);
    if ((half & 3) !== 3) return half;
    const hi = this.mem.read(pc + 2, 2);
    return (half | ((hi[0] | (hi[1] << 8)) << 16)) >>> 0;
  }

  /**
   * Runs `h` for at most `limit` instructions. Returns a STOP_* code; the
   * hart's pc and instret are up to date on return.
   */
  run(h: Hart, limit: number): number {
    if (!this.jit) return this.#exec(h, limit);
    const c = this.#ctx;
    c.h = h;
    let n = 0;
    let fromCompiled = false;
    let prev: Block | undefined;
    while (n < limit) {
      // Compiled code mostly continues where it did last time: ask the previous block first.
      let b = prev !== undefined && prev.nextPc === h.pc ? prev.next : this.#blocks.get(h.pc);
      if (prev !== undefined && prev.nextPc !== h.pc && b !== undefined && b.fn !== null) {
        prev.nextPc = h.pc;
        prev.next = b;
      }
      prev = undefined;
      if ((b === undefined || b.fn === null) && (fromCompiled || this.hotThreshold === 0)) {
        // Where compiled code leads (a fall-through or jump target), heat counts too.
        fromCompiled = false;
        if (this.#bump(h.pc)) b = this.#blocks.get(h.pc);
      }
      if (b === undefined || b.fn === null || n + b.len > limit) {
        // The interpreter runs until an event, the budget, or a hot jump target.
        const before = h.instret;
        const stop = this.#exec(h, limit - n);
        n += h.instret - before;
        if (stop === STOP_HOT) {
          this.#heatUp(h.pc);
          continue;
        }
        return stop;
      }
      let next: number;
      try {
        next = b.fn(c);
      } catch (e) {
        if (!(e instanceof MemoryFault)) throw e;
        this.fault = e;
        h.instret += c.cut;
        h.pc = b.pcs[c.cut];
        c.cut = -1;
        return STOP_FAULT;
      }
      h.pc = next;
      if (c.cut >= 0) {
        // Left early: a store hit decoded code, or an illegal rounding mode.
        h.instret += c.cut;
        n += c.cut;
        const stop = c.stop;
        c.cut = -1;
        c.stop = STOP_LIMIT;
        if (stop !== STOP_LIMIT) {
          if (stop === STOP_ILLEGAL) this.illegalWord = this.#rawAt(next);
          return stop;
        }
        continue;
      }
      h.instret += b.len;
      n += b.len;
      fromCompiled = true;
      prev = b;
    }
    return STOP_LIMIT;
  }

  /** Counts one arrival at `pc`; compiles the block there once hot. True when it did. */
  #bump(pc: number): boolean {
    const page = this.#pageForOrNull(pc);
    if (page === null) return false;
    const slot = (pc - page.base) >> 1;
    const hv = page.heat[slot];
    if (hv < 0 || (page.heat[slot] = hv + 1) <= this.hotThreshold) return false;
    this.#heatUp(pc);
    return page.heat[slot] === HEAT_COMPILED;
  }

  /** A jump target got hot: compile the block there (or mark that none can be). */
  #heatUp(pc: number): void {
    const page = this.#pageForOrNull(pc);
    if (page === null) return;
    const slot = (pc - page.base) >> 1;
    const b = this.#blocks.get(pc) ?? this.#discover(pc);
    if (b.fn === null && b.len > 0 && this.compiledBlocks < this.compileLimit) this.#compile(b);
    page.heat[slot] = b.fn === null ? HEAT_NEVER : HEAT_COMPILED;
  }

  /** Finds the block starting at `pc` (decoding its instructions). */
  #discover(pc: number): Block {
    const block: Block = { len: 0, pcs: [], fn: null, nextPc: -1, next: undefined };
    try {
      const page = this.#pageFor(pc);
      let off = pc - page.base;
      while (off < PAGE_SIZE && block.len < MAX_BLOCK) {
        const slot = off >> 1;
        const w = page.ops[slot] || this.#decodeAt(page, slot);
        const op = w & 255;
        if (isBlockBarrier(op)) break;
        block.pcs.push(page.base + off);
        block.len++;
        off += 4 - ((w >>> 25) & 2);
        if (isBlockEnd(op)) break;
      }
    } catch (e) {
      // An unfetchable pc: the interpreter reports the fault.
      if (!(e instanceof MemoryFault)) throw e;
      return block;
    }
    this.#blocks.set(pc, block);
    const vpn = Math.floor(pc / PAGE_SIZE);
    const list = this.#blocksByPage.get(vpn);
    if (list) list.push(pc);
    else this.#blocksByPage.set(vpn, [pc]);
    return block;
  }

  /** Compiles a hot block into a JavaScript function. */
  #compile(b: Block): (c: BlockContext) => number {
    const page = this.#pageFor(b.pcs[0]);
    const words: number[] = [];
    const imms: number[] = [];
    const nexts: number[] = [];
    for (const pc of b.pcs) {
      const slot = (pc - page.base) >> 1;
      const w = page.ops[slot] || this.#decodeAt(page, slot);
      words.push(w);
      imms.push(page.imms[slot]);
      nexts.push(pc + 4 - ((w >>> 25) & 2));
    }
    const source = blockSource(words, imms, b.pcs, nexts);
    this.onCompile?.(b.pcs[0], source);
    const fn = new Function("c", source) as (c: BlockContext) => number;
    b.fn = fn;
    this.compiledBlocks++;
    return fn;
  }

  /** Executes one rare op for compiled code (M division, Zbb, Zbs and the like). */
  rareOp(h: Hart, w: number, imm: number): number {
    return this.#rare(h, w, imm, 1);
  }

  #exec(h: Hart, limit: number): number {
    const mem = this.mem;
    const xl = h.xl;
    const xh = h.xh;
    const fw = h.fw;
    // Reloaded after every slow path: the arena may grow there, replacing the view.
    let dv = mem.dv;
    const rTagLo = mem.rTagLo;
    const rTagHi = mem.rTagHi;
    const rOff = mem.rOff;
    const wTagLo = mem.wTagLo;
    const wTagHi = mem.wTagHi;
    const wOff = mem.wOff;

    let page = this.#pageForOrNull(h.pc);
    if (page === null) return STOP_FAULT;
    let base = page.base;
    let ops = page.ops;
    let imms = page.imms;
    let heat = page.heat;
    // Taken jumps count their target's heat; past this the compiled tier takes over.
    const hot = this.jit ? this.hotThreshold : 0x7fffffff;
    let jumped = false;
    let poff = h.pc - base;
    let cur = poff;
    let farPc = 0;
    let n = 0;
    let stop = STOP_LIMIT;
    let switching = false;

    try {
      loop: while (n < limit) {
        // Counted up front; an instruction that does not retire is taken back.
        n++;
        if (poff >>> 0 >= PAGE_SIZE) {
          const pc = poff === FAR ? farPc : base + poff;
          h.pc = pc;
          switching = true;
          page = this.#pageFor(pc);
          switching = false;
          dv = mem.dv;
          base = page.base;
          ops = page.ops;
          imms = page.imms;
          heat = page.heat;
          poff = (pc - base) | 0;
        }
        if (jumped) {
          jumped = false;
          const hv = heat[poff >> 1];
          if (hv === HEAT_COMPILED || (hv >= 0 && (heat[poff >> 1] = hv + 1) > hot)) {
            n--;
            stop = STOP_HOT;
            break;
          }
        }
        cur = poff;
        const slot = poff >> 1;
        let w = ops[slot];
        if (w === 0) {
          w = this.#decodeAt(page, slot);
          dv = mem.dv;
        }
        const imm = imms[slot];
        poff += 4 - ((w >>> 25) & 2);
        switch (w & 255) {
          case 1: // ILLEGAL
            n--;
            stop = STOP_ILLEGAL;
            break loop;
          case 2: { // LUI
            const rd = (w >> 8) & 63;
            xl[rd] = imm;
            xh[rd] = imm >> 31;
            break;
          }
          case 3: { // AUIPC
            const rd = (w >> 8) & 63;
            const v = base + cur + imm;
            xl[rd] = v | 0;
            xh[rd] = Math.floor(v / TWO32) | 0;
            break;
          }
          case 4: { // JAL
            const rd = (w >> 8) & 63;
            const link = base + poff;
            xl[rd] = link | 0;
            xh[rd] = Math.floor(link / TWO32) | 0;
            poff = cur + imm;
            jumped = true;
            break;
          }
          case 5: { // JALR
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) & -2;
            const hi = (xh[rs1] + (imm >> 31) + (((a + imm) >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const link = base + poff;
            xl[rd] = link | 0;
            xh[rd] = Math.floor(link / TWO32) | 0;
            const t = hi * TWO32 + (lo >>> 0);
            const d = t - base;
            if (d >= 0 && d < PAGE_SIZE) poff = d | 0;
            else {
              farPc = t;
              poff = FAR;
            }
            jumped = true;
            break;
          }
          case 6: { // BEQ
            if (
              xl[(w >> 14) & 63] === xl[(w >> 20) & 63] && xh[(w >> 14) & 63] === xh[(w >> 20) & 63]
            ) {
              poff = cur + imm;
              jumped = true;
            }
            break;
          }
          case 7: { // BNE
            if (
              xl[(w >> 14) & 63] !== xl[(w >> 20) & 63] || xh[(w >> 14) & 63] !== xh[(w >> 20) & 63]
            ) {
              poff = cur + imm;
              jumped = true;
            }
            break;
          }
          case 8: { // BLT
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1];
            const bh = xh[rs2];
            if (ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0))) {
              poff = cur + imm;
              jumped = true;
            }
            break;
          }
          case 9: { // BGE
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1];
            const bh = xh[rs2];
            if (!(ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0)))) {
              poff = cur + imm;
              jumped = true;
            }
            break;
          }
          case 10: { // BLTU
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1] >>> 0;
            const bh = xh[rs2] >>> 0;
            if (ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0))) {
              poff = cur + imm;
              jumped = true;
            }
            break;
          }
          case 11: { // BGEU
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1] >>> 0;
            const bh = xh[rs2] >>> 0;
            if (!(ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0)))) {
              poff = cur + imm;
              jumped = true;
            }
            break;
          }
          case 12: { // LB
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= 4095) {
              const off = rOff[t] + (lo & 4095);
              const v = dv.getInt8(off);
              xl[rd] = v;
              xh[rd] = v >> 31;
            } else {
              mem.loadSlow(lo, hi, 1);
              dv = mem.dv;
              const v = (mem.vlo << 24) >> 24;
              xl[rd] = v;
              xh[rd] = v >> 31;
            }
            break;
          }
          case 13: { // LH
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= 4094) {
              const off = rOff[t] + (lo & 4095);
              const v = dv.getInt16(off, true);
              xl[rd] = v;
              xh[rd] = v >> 31;
            } else {
              mem.loadSlow(lo, hi, 2);
              dv = mem.dv;
              const v = (mem.vlo << 16) >> 16;
              xl[rd] = v;
              xh[rd] = v >> 31;
            }
            break;
          }
          case 14: { // LW
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= 4092) {
              const off = rOff[t] + (lo & 4095);
              const v = dv.getInt32(off, true);
              xl[rd] = v;
              xh[rd] = v >> 31;
            } else {
              mem.loadSlow(lo, hi, 4);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = mem.vlo >> 31;
            }
            break;
          }
          case 15: { // LD
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= 4088) {
              const off = rOff[t] + (lo & 4095);
              xl[rd] = dv.getInt32(off, true);
              xh[rd] = dv.getInt32(off + 4, true);
            } else {
              mem.loadSlow(lo, hi, 8);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = mem.vhi;
            }
            break;
          }
          case 16: { // LBU
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= 4095) {
              const off = rOff[t] + (lo & 4095);
              xl[rd] = dv.getUint8(off);
              xh[rd] = 0;
            } else {
              mem.loadSlow(lo, hi, 1);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = 0;
            }
            break;
          }
          case 17: { // LHU
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= 4094) {
              const off = rOff[t] + (lo & 4095);
              xl[rd] = dv.getUint16(off, true);
              xh[rd] = 0;
            } else {
              mem.loadSlow(lo, hi, 2);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = 0;
            }
            break;
          }
          case 18: { // LWU
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= 4092) {
              const off = rOff[t] + (lo & 4095);
              xl[rd] = dv.getInt32(off, true);
              xh[rd] = 0;
            } else {
              mem.loadSlow(lo, hi, 4);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = 0;
            }
            break;
          }
          case 19: { // SB
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (wTagLo[t] === (lo & -4096) && wTagHi[t] === hi && (lo & 4095) <= 4095) {
              const off = wOff[t] + (lo & 4095);
              dv.setInt8(off, xl[rs2]);
            } else {
              mem.storeSlow(lo, hi, 1, xl[rs2], xh[rs2]);
              dv = mem.dv;
            }
            break;
          }
          case 20: { // SH
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (wTagLo[t] === (lo & -4096) && wTagHi[t] === hi && (lo & 4095) <= 4094) {
              const off = wOff[t] + (lo & 4095);
              dv.setInt16(off, xl[rs2], true);
            } else {
              mem.storeSlow(lo, hi, 2, xl[rs2], xh[rs2]);
              dv = mem.dv;
            }
            break;
          }
          case 21: { // SW
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (wTagLo[t] === (lo & -4096) && wTagHi[t] === hi && (lo & 4095) <= 4092) {
              const off = wOff[t] + (lo & 4095);
              dv.setInt32(off, xl[rs2], true);
            } else {
              mem.storeSlow(lo, hi, 4, xl[rs2], xh[rs2]);
              dv = mem.dv;
            }
            break;
          }
          case 22: { // SD
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (wTagLo[t] === (lo & -4096) && wTagHi[t] === hi && (lo & 4095) <= 4088) {
              const off = wOff[t] + (lo & 4095);
              dv.setInt32(off, xl[rs2], true);
              dv.setInt32(off + 4, xh[rs2], true);
            } else {
              mem.storeSlow(lo, hi, 8, xl[rs2], xh[rs2]);
              dv = mem.dv;
            }
            break;
          }
          case 23: { // ADDI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            xh[rd] = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            xl[rd] = lo;
            break;
          }
          case 24: { // SLTI
            const rs1 = (w >> 14) & 63;
            const ah = xh[rs1];
            const bh = imm >> 31;
            const rd = (w >> 8) & 63;
            xl[rd] = ah < bh || (ah === bh && (xl[rs1] >>> 0) < (imm >>> 0)) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 25: { // SLTIU
            const rs1 = (w >> 14) & 63;
            const ah = xh[rs1] >>> 0;
            const bh = (imm >> 31) >>> 0;
            const rd = (w >> 8) & 63;
            xl[rd] = ah < bh || (ah === bh && (xl[rs1] >>> 0) < (imm >>> 0)) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 26: { // XORI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            xl[rd] = xl[rs1] ^ imm;
            xh[rd] = xh[rs1] ^ (imm >> 31);
            break;
          }
          case 27: { // ORI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            xl[rd] = xl[rs1] | imm;
            xh[rd] = xh[rs1] | (imm >> 31);
            break;
          }
          case 28: { // ANDI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            xl[rd] = xl[rs1] & imm;
            xh[rd] = xh[rs1] & (imm >> 31);
            break;
          }
          case 29: { // SLLI
            // Shifts by immediates are hot: inlined (calls are not, in a function this size).
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            if (imm === 0) {
              xh[rd] = xh[rs1];
            } else if (imm < 32) {
              xh[rd] = (xh[rs1] << imm) | (a >>> (32 - imm));
            } else {
              xh[rd] = a << (imm - 32);
            }
            xl[rd] = imm < 32 ? a << imm : 0;
            break;
          }
          case 30: { // SRLI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const b = xh[rs1];
            if (imm === 0) {
              xl[rd] = xl[rs1];
            } else if (imm < 32) {
              xl[rd] = (xl[rs1] >>> imm) | (b << (32 - imm));
            } else {
              xl[rd] = b >>> (imm - 32);
            }
            xh[rd] = imm < 32 ? b >>> imm : 0;
            break;
          }
          case 31: { // SRAI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const b = xh[rs1];
            if (imm === 0) {
              xl[rd] = xl[rs1];
            } else if (imm < 32) {
              xl[rd] = (xl[rs1] >>> imm) | (b << (32 - imm));
            } else {
              xl[rd] = b >> (imm - 32);
            }
            xh[rd] = imm < 32 ? b >> imm : b >> 31;
            break;
          }
          case 32: { // ADD
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + xl[rs2]) | 0;
            xh[rd] = (xh[rs1] + xh[rs2] + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            xl[rd] = lo;
            break;
          }
          case 33: { // SUB
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const b = xl[rs2];
            xh[rd] = (xh[rs1] - xh[rs2] - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
            xl[rd] = (a - b) | 0;
            break;
          }
          case 34: { // SLL
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            shl(xl[rs1], xh[rs1], xl[(w >> 20) & 63] & 63);
            xl[rd] = R[0];
            xh[rd] = R[1];
            break;
          }
          case 35: { // SLT
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1];
            const bh = xh[rs2];
            xl[rd] = ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0)) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 36: { // SLTU
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1] >>> 0;
            const bh = xh[rs2] >>> 0;
            xl[rd] = ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0)) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 37: { // XOR
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            xl[rd] = xl[rs1] ^ xl[rs2];
            xh[rd] = xh[rs1] ^ xh[rs2];
            break;
          }
          case 38: { // SRL
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            shr(xl[rs1], xh[rs1], xl[(w >> 20) & 63] & 63);
            xl[rd] = R[0];
            xh[rd] = R[1];
            break;
          }
          case 39: { // SRA
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            sar(xl[rs1], xh[rs1], xl[(w >> 20) & 63] & 63);
            xl[rd] = R[0];
            xh[rd] = R[1];
            break;
          }
          case 40: { // OR
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            xl[rd] = xl[rs1] | xl[rs2];
            xh[rd] = xh[rs1] | xh[rs2];
            break;
          }
          case 41: { // AND
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            xl[rd] = xl[rs1] & xl[rs2];
            xh[rd] = xh[rs1] & xh[rs2];
            break;
          }
          case 42: { // ADDIW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] + imm) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 43: { // SLLIW
            const rd = (w >> 8) & 63;
            const v = xl[(w >> 14) & 63] << imm;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 44: { // SRLIW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] >>> imm) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 45: { // SRAIW
            const rd = (w >> 8) & 63;
            const v = xl[(w >> 14) & 63] >> imm;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 46: { // ADDW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] + xl[(w >> 20) & 63]) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 47: { // SUBW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] - xl[(w >> 20) & 63]) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 48: { // SLLW
            const rd = (w >> 8) & 63;
            const v = xl[(w >> 14) & 63] << (xl[(w >> 20) & 63] & 31);
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 49: { // SRLW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] >>> (xl[(w >> 20) & 63] & 31)) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 50: { // SRAW
            const rd = (w >> 8) & 63;
            const v = xl[(w >> 14) & 63] >> (xl[(w >> 20) & 63] & 31);
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 51: // FENCE
            break;
          case 52: // FENCE_I
            break;
          case 53: // ECALL
            stop = STOP_ECALL;
            break loop;
          case 54: // EBREAK
            stop = STOP_EBREAK;
            break loop;
          case 61: { // MUL
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            mul64(xl[rs1], xh[rs1], xl[rs2], xh[rs2]);
            xl[rd] = R[0];
            xh[rd] = R[1];
            break;
          }
          case 69: { // MULW
            const rd = (w >> 8) & 63;
            const v = Math.imul(xl[(w >> 14) & 63], xl[(w >> 20) & 63]);
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 96: { // ADD_UW
            const rd = (w >> 8) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[(w >> 14) & 63];
            const lo = (a + xl[rs2]) | 0;
            xh[rd] = (xh[rs2] + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            xl[rd] = lo;
            break;
          }
          case 97: // SH1ADD
          case 98: // SH2ADD
          case 99: { // SH3ADD
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const s = (w & 255) - 96;
            const al = xl[rs1] << s;
            const ah = (xh[rs1] << s) | (xl[rs1] >>> (32 - s));
            const lo = (al + xl[rs2]) | 0;
            xh[rd] = (ah + xh[rs2] + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
            xl[rd] = lo;
            break;
          }
          case 136: { // FLW
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            mem.loadSlow(lo, hi, 4);
            dv = mem.dv;
            fw[2 * rd] = mem.vlo;
            fw[2 * rd + 1] = -1;
            break;
          }
          case 137: { // FLD
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= 4088) {
              const off = rOff[t] + (lo & 4095);
              fw[2 * rd] = dv.getInt32(off, true);
              fw[2 * rd + 1] = dv.getInt32(off + 4, true);
            } else {
              mem.loadSlow(lo, hi, 8);
              dv = mem.dv;
              fw[2 * rd] = mem.vlo;
              fw[2 * rd + 1] = mem.vhi;
            }
            break;
          }
          case 138: // FSW
          case 139: { // FSD
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            mem.storeSlow(lo, hi, (w & 255) === 138 ? 4 : 8, fw[2 * rs2], fw[2 * rs2 + 1]);
            dv = mem.dv;
            break;
          }
          default: {
            const r = this.#rare(h, w, imm, n);
            dv = mem.dv;
            if (r !== STOP_LIMIT) {
              n--;
              stop = r;
              break loop;
            }
          }
        }
      }
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
      this.fault = e;
      h.instret += n - 1;
      // A fault in the page switch leaves h.pc at the target already.
      if (!switching) h.pc = base + cur;
      return STOP_FAULT;
    }
    if (stop === STOP_LIMIT || stop === STOP_HOT) h.pc = poff === FAR ? farPc : base + poff;
    else h.pc = base + cur;
    if (stop === STOP_ILLEGAL) this.illegalWord = this.#rawAt(h.pc);
    h.instret += n;
    return stop;
  }

  #pageForOrNull(pc: number): CodePage | null {
    try {
      return this.#pageFor(pc);
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
      this.fault = e;
      return null;
    }
  }

  #rawAt(pc: number): number {
    try {
      return this.instructionAt(pc);
    } catch {
      return 0;
    }
  }

  /** Ops outside the hot set: M extension divisions, atomics, CSRs, bit-manip, FP. */
  #rare(h: Hart, w: number, imm: number, n: number): number {
    const xl = h.xl;
    const xh = h.xh;
    const rd = (w >> 8) & 63;
    const rs1 = (w >> 14) & 63;
    const rs2 = (w >> 20) & 63;
    const op = w & 255;
    if (op >= 160) {
      return executeFp(h, op, rd, rs1, rs2, imm) ? STOP_LIMIT : STOP_ILLEGAL;
    }
    if (op >= 74 && op <= 95) return this.#amo(h, op, rd, rs1, rs2);
    if (op >= 55 && op <= 60) return this.#csr(h, op, rd, rs1, imm, n);
    const al = xl[rs1];
    const ah = xh[rs1];
    const bl = xl[rs2];
    const bh = xh[rs2];
    let lo = 0;
    let hi = 0;
    switch (op) {
      case 62: // MULH
      case 63: // MULHSU
      case 64: // MULHU
        mulh64(al, ah, bl, bh, op !== 64, op === 62);
        lo = R[0];
        hi = R[1];
        break;
      case 65: // DIV
      case 67: // REM
        div64(al, ah, bl, bh, op === 67);
        lo = R[0];
        hi = R[1];
        break;
      case 66: // DIVU
      case 68: // REMU
        divu64(al, ah, bl, bh, op === 68);
        lo = R[0];
        hi = R[1];
        break;
      case 70: // DIVW
      case 72: { // REMW
        if (bl === 0) lo = op === 70 ? -1 : al;
        else if (al === -0x80000000 && bl === -1) lo = op === 70 ? al : 0;
        else lo = op === 70 ? Math.trunc(al / bl) | 0 : (al % bl) | 0;
        hi = lo >> 31;
        break;
      }
      case 71: // DIVUW
      case 73: { // REMUW
        const a = al >>> 0;
        const b = bl >>> 0;
        if (b === 0) lo = op === 71 ? -1 : al;
        else lo = (op === 71 ? Math.floor(a / b) : a % b) | 0;
        hi = lo >> 31;
        break;
      }
      case 100: // SH1ADD_UW
      case 101: // SH2ADD_UW
      case 102: { // SH3ADD_UW
        const s = op - 99;
        const zl = al << s;
        const zh = al >>> (32 - s);
        lo = (zl + bl) | 0;
        hi = (zh + bh + ((lo >>> 0) < (zl >>> 0) ? 1 : 0)) | 0;
        break;
      }
      case 103: // SLLI_UW
        shl(al, 0, imm);
        lo = R[0];
        hi = R[1];
        break;
      case 104: // ANDN
        lo = al & ~bl;
        hi = ah & ~bh;
        break;
      case 105: // ORN
        lo = al | ~bl;
        hi = ah | ~bh;
        break;
      case 106: // XNOR
        lo = ~(al ^ bl);
        hi = ~(ah ^ bh);
        break;
      case 107: // CLZ
        lo = ah !== 0 ? Math.clz32(ah) : 32 + Math.clz32(al);
        break;
      case 108: // CLZW
        lo = Math.clz32(al);
        break;
      case 109: // CTZ
        lo = al !== 0 ? ctz32(al) : 32 + ctz32(ah);
        break;
      case 110: // CTZW
        lo = ctz32(al);
        break;
      case 111: // CPOP
        lo = popcount32(al) + popcount32(ah);
        break;
      case 112: // CPOPW
        lo = popcount32(al);
        break;
      case 113: // MAX
      case 115: { // MIN
        const aLess = ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0));
        const pickA = op === 115 ? aLess : !aLess;
        lo = pickA ? al : bl;
        hi = pickA ? ah : bh;
        break;
      }
      case 114: // MAXU
      case 116: { // MINU
        const aLess = (ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0));
        const pickA = op === 116 ? aLess : !aLess;
        lo = pickA ? al : bl;
        hi = pickA ? ah : bh;
        break;
      }
      case 117: // SEXT_B
        lo = (al << 24) >> 24;
        hi = lo >> 31;
        break;
      case 118: // SEXT_H
        lo = (al << 16) >> 16;
        hi = lo >> 31;
        break;
      case 119: // ZEXT_H
        lo = al & 0xffff;
        break;
      case 120: // ROL
      case 122: // ROR
      case 123: { // RORI
        const s = op === 123 ? imm : bl & 63;
        const left = op === 120 ? s : (64 - s) & 63;
        shl(al, ah, left);
        const l1 = R[0];
        const h1 = R[1];
        shr(al, ah, (64 - left) & 63);
        lo = left === 0 ? al : l1 | R[0];
        hi = left === 0 ? ah : h1 | R[1];
        break;
      }
      case 121: // ROLW
      case 124: // RORIW
      case 125: { // RORW
        const s = (op === 124 ? imm : bl) & 31;
        const left = op === 121 ? s : (32 - s) & 31;
        lo = left === 0 ? al : (al << left) | (al >>> (32 - left));
        hi = lo >> 31;
        break;
      }
      case 126: // ORC_B
        lo = orcb32(al);
        hi = orcb32(ah);
        break;
      case 127: // REV8
        lo = bswap32(ah);
        hi = bswap32(al);
        break;
      case 128: // BCLR
      case 129: // BCLRI
      case 130: // BEXT
      case 131: // BEXTI
      case 132: // BINV
      case 133: // BINVI
      case 134: // BSET
      case 135: { // BSETI
        const s = (op & 1) ? imm & 63 : bl & 63;
        const ml = s < 32 ? 1 << s : 0;
        const mh = s >= 32 ? 1 << (s - 32) : 0;
        if (op <= 129) {
          lo = al & ~ml;
          hi = ah & ~mh;
        } else if (op <= 131) {
          lo = ((s < 32 ? al : ah) >>> (s & 31)) & 1;
        } else if (op <= 133) {
          lo = al ^ ml;
          hi = ah ^ mh;
        } else {
          lo = al | ml;
          hi = ah | mh;
        }
        break;
      }
      default:
        return STOP_ILLEGAL;
    }
    xl[rd] = lo;
    xh[rd] = hi;
    return STOP_LIMIT;
  }

  #amo(h: Hart, op: number, rd: number, rs1: number, rs2: number): number {
    const mem = this.mem;
    const xl = h.xl;
    const xh = h.xh;
    const lo = xl[rs1];
    const hi = xh[rs1];
    const addr = hi * TWO32 + (lo >>> 0);
    const d = op >= 85;
    const size = d ? 8 : 4;
    const k = op - (d ? 85 : 74);
    if ((lo & (size - 1)) !== 0) {
      this.fault = new MemoryFault(addr, k === 1 ? "write" : "read", "protection");
      return STOP_MISALIGNED;
    }
    if (k === 1) { // SC
      if (mem.claimReservation(addr)) {
        mem.storeSlow(lo, hi, size, xl[rs2], xh[rs2]);
        xl[rd] = 0;
      } else {
        // A failed SC still needs a writable address, as hardware checks it.
        mem.translate(lo, hi, "write");
        xl[rd] = 1;
      }
      xh[rd] = 0;
      return STOP_LIMIT;
    }
    mem.loadSlow(lo, hi, size);
    const vl = mem.vlo;
    const vh = d ? mem.vhi : mem.vlo >> 31;
    if (k === 0) { // LR
      mem.reserve(addr);
      xl[rd] = vl;
      xh[rd] = vh;
      return STOP_LIMIT;
    }
    const bl = xl[rs2];
    const bh = d ? xh[rs2] : bl >> 31;
    let nl = 0;
    let nh = 0;
    switch (k) {
      case 2: // amoswap
        nl = bl;
        nh = bh;
        break;
      case 3: { // amoadd
        nl = (vl + bl) | 0;
        nh = (vh + bh + ((nl >>> 0) < (vl >>> 0) ? 1 : 0)) | 0;
        break;
      }
      case 4: // amoxor
        nl = vl ^ bl;
        nh = vh ^ bh;
        break;
      case 5: // amoand
        nl = vl & bl;
        nh = vh & bh;
        break;
      case 6: // amoor
        nl = vl | bl;
        nh = vh | bh;
        break;
      default: {
        const signed = k === 7 || k === 8;
        const vLess = signed
          ? vh < bh || (vh === bh && (vl >>> 0) < (bl >>> 0))
          : (vh >>> 0) < (bh >>> 0) || (vh === bh && (vl >>> 0) < (bl >>> 0));
        const pickV = k === 7 || k === 9 ? vLess : !vLess;
        nl = pickV ? vl : bl;
        nh = pickV ? vh : bh;
      }
    }
    mem.storeSlow(lo, hi, size, nl, nh);
    xl[rd] = vl;
    xh[rd] = vh;
    return STOP_LIMIT;
  }

  #csr(h: Hart, op: number, rd: number, rs1: number, csr: number, n: number): number {
    const retired = h.instret + n - 1;
    let old: number;
    switch (csr) {
      case 0x001:
        old = h.fflags;
        break;
      case 0x002:
        old = h.frm;
        break;
      case 0x003:
        old = h.fcsr;
        break;
      case 0xc00: // cycle
      case 0xc02: // instret
        old = retired;
        break;
      case 0xc01: // time
        old = this.timeCsr(h, retired);
        break;
      default:
        return STOP_ILLEGAL;
    }
    const imm = op >= 58;
    const src = imm ? rs1 : h.xl[rs1];
    const kind = imm ? op - 3 : op; // 55 write, 56 set, 57 clear
    // CSRRS/CSRRC with rs1 = x0 (or zimm = 0) do not write.
    const writes = kind === 55 || rs1 !== 0;
    if (writes) {
      if (csr >= 0xc00) return STOP_ILLEGAL;
      const v = kind === 55 ? src : kind === 56 ? old | src : old & ~src;
      if (csr === 0x001) h.fflags = v & 31;
      else if (csr === 0x002) h.frm = v & 7;
      else h.fcsr = v & 0xff;
    }
    h.xl[rd] = old | 0;
    h.xh[rd] = Math.floor(old / TWO32) | 0;
    return STOP_LIMIT;
  }
}

function shl(lo: number, hi: number, s: number): void {
  if (s === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (s < 32) {
    R[1] = (hi << s) | (lo >>> (32 - s));
    R[0] = lo << s;
  } else {
    R[1] = lo << (s - 32);
    R[0] = 0;
  }
}

function shr(lo: number, hi: number, s: number): void {
  if (s === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (s < 32) {
    R[0] = (lo >>> s) | (hi << (32 - s));
    R[1] = hi >>> s;
  } else {
    R[0] = hi >>> (s - 32);
    R[1] = 0;
  }
}

function sar(lo: number, hi: number, s: number): void {
  if (s === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (s < 32) {
    R[0] = (lo >>> s) | (hi << (32 - s));
    R[1] = hi >> s;
  } else {
    R[0] = hi >> (s - 32);
    R[1] = hi >> 31;
  }
}
