/**
 * The JavaScript backend of the compiled tier (`Cpu.backend = "js"`; the
 * default is the WebAssembly backend, `jit_wasm.ts`), and what both backends
 * share: the region description ({@linkcode RegionBlock}) and which ops end
 * blocks. It turns a hot region of decoded instructions into the source of
 * one JavaScript function, which V8 then compiles to machine code.
 * The interpreter (`interpreter.ts`) finds hot entry points, discovers the
 * region around them ({@linkcode RegionBlock}s) and runs everything the
 * compiled tier leaves out.
 *
 * A region is a set of blocks. A block runs from its first instruction to
 * (and including) a branch, a jump, ECALL or EBREAK, or stops before an
 * instruction this tier does not compile (CSR access, illegal encodings), at
 * the end of its page, or at a length limit. The function
 * `(c, b, lim) => nextPc` starts at block `b` and runs from block to block
 * inside the region (a loop over a `switch` on the block index: the region's
 * back-edges stay inside the function, and a block's fall-through successor
 * is laid out right after it) until control leaves the region, an event
 * needs the kernel, or the next block would take the retired count past
 * `lim`. Returns that with `c.n` = instructions retired and `c.stop` = a
 * STOP_* code for ECALL, EBREAK, illegal rounding modes and misaligned
 * atomics (0 otherwise).
 *
 * Guest registers live in locals (`l5`, `h5`: Int32 low and high words)
 * for the whole call: loaded on entry, written back on every way out. The
 * software TLB is checked inline, exactly as the interpreter does, so both
 * tiers give the same results and the same instruction counts:
 * - every block checks the budget before it starts, so a quantum never ends
 *   inside a compiled block: the dispatcher interprets the last partial one;
 * - a fault in a slow-path access throws out of the function; a `catch`
 *   writes the registers back and sets `c.n` (instructions retired before
 *   the faulting one) and `c.fpc` (its address), found through the local
 *   `at` that every slow path sets first;
 * - a store that hits decoded code (`cpu.codeGen` changes) leaves right after
 *   the store.
 * @module
 */

import { OP_NAMES } from "./ops.ts";

/** STOP_* codes the generated code sets (same values as `interpreter.ts`). */
const STOP_ECALL = 1;
const STOP_EBREAK = 2;
const STOP_ILLEGAL = 3;
const STOP_MISALIGNED = 5;

/** Ops a block ends before (the interpreter executes them): ILLEGAL and the CSR ops. */
export function isBlockBarrier(op: number): boolean {
  return op === 0 || op === 1 || (op >= 55 && op <= 60);
}

/** Ops a block ends after: jumps, branches, ECALL, EBREAK. */
export function isBlockEnd(op: number): boolean {
  return (op >= 4 && op <= 11) || op === 53 || op === 54;
}

/** One block of a region, as the interpreter decoded it. */
export interface RegionBlock {
  /** Address of each instruction. */
  pcs: number[];
  /** Packed decoded words (see `ops.ts`). */
  words: number[];
  /** Immediates. */
  imms: number[];
}

/** A region's generated source and the tables its fault handler reads. */
export interface RegionCode {
  /** Body of `(env) => (c, b, lim) => nextPc`. */
  source: string;
  /** Per slow-path site: instructions of its block retired before it. */
  atRetired: number[];
  /** Per slow-path site: its instruction's address. */
  atPc: number[];
}

/** The fields of one decoded instruction. */
interface Insn {
  op: number;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  pc: number;
  next: number;
}

/** Length in bytes of a decoded instruction (2 when compressed). */
export function insnLength(w: number): number {
  return 4 - ((w >>> 25) & 2);
}

const TWO32 = 4294967296;

/** Low and high Int32 words of a 64-bit pc-like constant (exact below 2^53). */
function lohi(v: number): [number, number] {
  return [v | 0, Math.floor(v / TWO32) | 0];
}

/** Local holding the low word of x[r] (x0 reads as 0). */
function L(r: number): string {
  return r === 0 ? "0" : `l${r}`;
}

/** Local holding the high word of x[r]. */
function H(r: number): string {
  return r === 0 ? "0" : `h${r}`;
}

/** F/D ops whose destination is an integer register. */
export const FP_INT_DEST: ReadonlySet<number> = new Set([
  174,
  175,
  176,
  177,
  178,
  179,
  180,
  181,
  182, // FCVT.W/WU/L/LU.S, FMV.X.W, FCLASS.S, FEQ/FLT/FLE.S
  204,
  205,
  206,
  207,
  208,
  209,
  210,
  211,
  212, // the same for D
]);

/** F/D ops that read integer register rs1. */
export const FP_INT_SRC: ReadonlySet<number> = new Set([
  183,
  184,
  185,
  186,
  187, // FCVT.S.W/WU/L/LU, FMV.W.X
  213,
  214,
  215,
  216,
  217, // FCVT.D.W/WU/L/LU, FMV.D.X
]);

/** Code generation state of one region. */
class Gen {
  /** Integer registers the code reads or writes (loaded on entry). */
  readonly used = new Set<number>();
  /** Integer registers the code writes (written back on exit). */
  readonly dirty = new Set<number>();
  readonly atRetired: number[] = [];
  readonly atPc: number[] = [];
  /** Block index by start address. */
  readonly index: Map<number, number>;
  /** Return points: addresses after a call inside the region that start a block. */
  readonly returns: number[];

  constructor(index: Map<number, number>, returns: number[]) {
    this.index = index;
    this.returns = returns;
  }

  /** Marks a register read; returns its low-word local. */
  l(r: number): string {
    if (r !== 0) this.used.add(r);
    return L(r);
  }

  /** Marks a register read; returns its high-word local. */
  h(r: number): string {
    if (r !== 0) this.used.add(r);
    return H(r);
  }

  /** A new slow-path site: returns the statement that records it in `at`. */
  site(pc: number, k: number): string {
    this.atRetired.push(k);
    this.atPc.push(pc);
    return `at = ${this.atRetired.length - 1};`;
  }

  /**
   * Writes the 64-bit value (lo, hi) to x[rd] unless rd is x0 (or the sink).
   * Both halves are evaluated before either is written.
   */
  set(rd: number, lo: string, hi: string): string {
    if (rd === 0 || rd === 32) return "";
    this.used.add(rd);
    this.dirty.add(rd);
    if (/^-?\d+$/.test(hi) || (!lo.includes(`l${rd}`) && !lo.includes(`h${rd}`))) {
      // The high word is evaluated first; it may read the old low word.
      if (!hi.includes(`l${rd}`)) return `l${rd} = ${lo}; h${rd} = ${hi};`;
      return `h${rd} = ${hi}; l${rd} = ${lo};`;
    }
    return `{ const L = ${lo}, H = ${hi}; l${rd} = L; h${rd} = H; }`;
  }

  /** Sign-extends a 32-bit result into x[rd]. */
  setW(rd: number, expr: string): string {
    if (rd === 0 || rd === 32) return "";
    return `{ const v = ${expr}; ${this.set(rd, "v", "v >> 31")} }`;
  }

  /** Writes x[r] back to the hart (before a helper reads it); its locals are always current. */
  flush(r: number): string {
    if (r === 0) return "";
    this.used.add(r);
    return `xl[${r}] = l${r}; xh[${r}] = h${r};`;
  }

  /** Continues at guest address `pc`: inside the region when it starts a block there. */
  goto(pc: number, layoutNext: number): string {
    const j = this.index.get(pc);
    if (j === undefined) return `pc = ${pc}; break L;`;
    if (j === layoutNext) return "";
    return `b = ${j}; continue L;`;
  }
}

/** Effective address of x[rs1] + imm: declares `A` (low word), `AH` (high word), `t` (TLB slot). */
function address(g: Gen, i: Insn): string {
  const ih = i.imm < 0 ? -1 : 0;
  const a = g.l(i.rs1);
  const ah = g.h(i.rs1);
  if (i.rs1 === 0) return `const A = ${i.imm}, AH = ${ih}, t = (A >>> 12) & 1023;`;
  return `const A = (${a} + ${i.imm}) | 0, ` +
    `AH = (${ah} + ${ih} + ((A >>> 0) < (${a} >>> 0) ? 1 : 0)) | 0, t = (A >>> 12) & 1023;`;
}

/** A read-TLB hit test for an aligned access of `size` bytes at (A, AH). */
function readHit(size: number): string {
  return `rTag[2 * t] === (A & ${-4096 | (size - 1)}) && rTag[2 * t + 1] === AH`;
}

/** A write-TLB hit test. */
function writeHit(size: number): string {
  return `wTag[2 * t] === (A & ${-4096 | (size - 1)}) && wTag[2 * t + 1] === AH`;
}

/** Integer loads: [size, fast read at `o`, sign/zero extension of the slow path's `v`]. */
const LOADS: Record<number, [number, string, string]> = {
  12: [1, "dv.getInt8(o)", "(mem.vlo << 24) >> 24"],
  13: [2, "dv.getInt16(o, true)", "(mem.vlo << 16) >> 16"],
  14: [4, "dv.getInt32(o, true)", "mem.vlo"],
  16: [1, "dv.getUint8(o)", "mem.vlo"],
  17: [2, "dv.getUint16(o, true)", "mem.vlo"],
  18: [4, "dv.getInt32(o, true)", "mem.vlo"],
};

function load(g: Gen, i: Insn, k: number): string {
  const rd = i.rd;
  if (i.op === 15) {
    return `{ ${address(g, i)} if (${readHit(8)}) { const o = rOff[t] + (A & 4095); ` +
      `${g.set(rd, "dv.getInt32(o, true)", "dv.getInt32(o + 4, true)")} } else { ` +
      `${g.site(i.pc, k)} mem.loadSlow(A, AH, 8); dv = mem.dv; ${
        g.set(rd, "mem.vlo", "mem.vhi")
      } } }`;
  }
  const [size, fast, slow] = LOADS[i.op];
  const signed = i.op <= 14;
  const hi = signed ? "v >> 31" : "0";
  const put = (e: string) =>
    rd === 0 || rd === 32 ? `${e};` : `{ const v = ${e}; ${g.set(rd, "v", hi)} }`;
  return `{ ${address(g, i)} if (${readHit(size)}) { const o = rOff[t] + (A & 4095); ${
    put(fast)
  } } ` +
    `else { ${g.site(i.pc, k)} mem.loadSlow(A, AH, ${size}); dv = mem.dv; ${
      rd === 0 || rd === 32 ? "" : put(slow)
    } } }`;
}

/** Leaves the region after instruction k of the block when a store changed decoded code. */
function codeCheck(i: Insn, k: number): string {
  return `if (cpu.codeGen !== gen) { n += ${k + 1}; pc = ${i.next}; break L; }`;
}

function store(g: Gen, i: Insn, k: number): string {
  const fp = i.op >= 136;
  const size = fp ? (i.op === 138 ? 4 : 8) : 1 << (i.op - 19);
  const vl = fp ? `fw[${2 * i.rs2}]` : g.l(i.rs2);
  const vh = fp ? `fw[${2 * i.rs2 + 1}]` : g.h(i.rs2);
  const fast = size === 1
    ? `dv.setInt8(o, ${vl});`
    : size === 2
    ? `dv.setInt16(o, ${vl}, true);`
    : size === 4
    ? `dv.setInt32(o, ${vl}, true);`
    : `dv.setInt32(o, ${vl}, true); dv.setInt32(o + 4, ${vh}, true);`;
  return `{ ${address(g, i)} if (${writeHit(size)}) { const o = wOff[t] + (A & 4095); ${fast} } ` +
    `else { ${g.site(i.pc, k)} mem.storeSlow(A, AH, ${size}, ${vl}, ${vh}); dv = mem.dv; ${
      codeCheck(i, k)
    } } }`;
}

function fpLoad(i: Insn, g: Gen, k: number): string {
  const size = i.op === 136 ? 4 : 8;
  const f = 2 * i.rd;
  const fast = size === 4
    ? `fw[${f}] = dv.getInt32(o, true); fw[${f + 1}] = -1;`
    : `fw[${f}] = dv.getInt32(o, true); fw[${f + 1}] = dv.getInt32(o + 4, true);`;
  const slow = size === 4
    ? `fw[${f}] = mem.vlo; fw[${f + 1}] = -1;`
    : `fw[${f}] = mem.vlo; fw[${f + 1}] = mem.vhi;`;
  return `{ ${address(g, i)} if (${readHit(size)}) { const o = rOff[t] + (A & 4095); ${fast} } ` +
    `else { ${g.site(i.pc, k)} mem.loadSlow(A, AH, ${size}); dv = mem.dv; ${slow} } }`;
}

/** AMO combining ops on the old value (vl, vh) and the source (bl, bh): [low, high]. */
function amoCombine(k: number): [string, string] | undefined {
  switch (k) {
    case 2: // swap
      return ["bl", "bh"];
    case 3: // add
      return ["(vl + bl) | 0", "(vh + bh + ((((vl + bl) | 0) >>> 0) < (vl >>> 0) ? 1 : 0)) | 0"];
    case 4: // xor
      return ["vl ^ bl", "vh ^ bh"];
    case 5: // and
      return ["vl & bl", "vh & bh"];
    case 6: // or
      return ["vl | bl", "vh | bh"];
  }
  return undefined;
}

/**
 * LR, SC and the AMOs. The fast path (an aligned word on a page in both the
 * read and write TLB, which excludes code pages and the reservation's page)
 * is inline for LR and the AMOs; the rest goes through `cpu.atomic`.
 */
function atomic(g: Gen, i: Insn, k: number): string {
  const d = i.op >= 85;
  const size = d ? 8 : 4;
  const kind = i.op - (d ? 85 : 74);
  const a = g.l(i.rs1);
  const ah = g.h(i.rs1);
  const bl = g.l(i.rs2);
  const bh = d ? g.h(i.rs2) : `${bl} >> 31`;
  const rd = i.rd;
  const result = g.set(rd, "R[0]", "R[1]");
  const misaligned = `if ((${a} & ${size - 1}) !== 0) { ` +
    `cpu.misaligned(${a}, ${ah}, ${
      kind === 1
    }); n += ${k}; pc = ${i.pc}; c.stop = ${STOP_MISALIGNED}; break L; }`;
  const slow = `${g.site(i.pc, k)} cpu.atomic(${i.op}, ${a}, ${ah}, ${bl}, ${bh}); dv = mem.dv; ` +
    `${result} ${codeCheck(i, k)}`;
  const t = `const A = ${a}, AH = ${ah}, t = (A >>> 12) & 1023;`;
  const readWord = d
    ? "const vl = dv.getInt32(o, true), vh = dv.getInt32(o + 4, true);"
    : "const vl = dv.getInt32(o, true), vh = vl >> 31;";
  if (kind === 0) { // LR
    return `${misaligned} { ${t} if (${
      readHit(size)
    }) { const o = rOff[t] + (A & 4095); ${readWord} ` +
      `mem.reserve(AH * ${TWO32} + (A >>> 0)); ${g.set(rd, "vl", "vh")} } else { ${slow} } }`;
  }
  const combine = amoCombine(kind);
  if (kind === 1 || combine === undefined) return `${misaligned} { ${slow} }`;
  const writeWord = d
    ? `dv.setInt32(o, ${combine[0]}, true); dv.setInt32(o + 4, ${combine[1]}, true);`
    : `dv.setInt32(o, ${combine[0]}, true);`;
  return `${misaligned} { ${t} if (${readHit(size)} && ${writeHit(size)}) { ` +
    `const o = rOff[t] + (A & 4095), bl = ${bl}, bh = ${bh}; ${readWord} ${writeWord} ${
      g.set(rd, "vl", "vh")
    } } else { ${slow} } }`;
}

/** 64-bit shift of register rs1 by a constant amount. */
function shiftImm(g: Gen, i: Insn, kind: "l" | "r" | "a"): string {
  const s = i.imm;
  const a = g.l(i.rs1);
  const b = g.h(i.rs1);
  if (s === 0) return g.set(i.rd, a, b);
  if (kind === "l") {
    return s < 32
      ? g.set(i.rd, `${a} << ${s}`, `(${b} << ${s}) | (${a} >>> ${32 - s})`)
      : g.set(i.rd, "0", `${a} << ${s - 32}`);
  }
  if (s < 32) {
    const hi = kind === "r" ? `(${b} >>> ${s}) | 0` : `${b} >> ${s}`;
    return g.set(i.rd, `(${a} >>> ${s}) | (${b} << ${32 - s})`, hi);
  }
  return kind === "r"
    ? g.set(i.rd, `(${b} >>> ${s - 32}) | 0`, "0")
    : g.set(i.rd, `${b} >> ${s - 32}`, `${b} >> 31`);
}

/** Signed or unsigned 64-bit x[rs1] < x[rs2] (or < the immediate). */
function less(g: Gen, i: Insn, unsigned: boolean, immediate: boolean): string {
  const al = g.l(i.rs1);
  const ahRaw = g.h(i.rs1);
  const bl = immediate ? `${i.imm >>> 0}` : `(${g.l(i.rs2)} >>> 0)`;
  const ih = i.imm < 0 ? -1 : 0;
  const bhRaw = immediate ? `${ih}` : g.h(i.rs2);
  const ah = unsigned ? `(${ahRaw} >>> 0)` : ahRaw;
  const bh = unsigned ? (immediate ? `${ih >>> 0}` : `(${bhRaw} >>> 0)`) : bhRaw;
  return `(${ah} < ${bh} || (${ah} === ${bh} && (${al} >>> 0) < ${bl}))`;
}

/** Branch conditions. */
function condition(g: Gen, i: Insn): string {
  switch (i.op) {
    case 6: // BEQ
      return `${g.l(i.rs1)} === ${g.l(i.rs2)} && ${g.h(i.rs1)} === ${g.h(i.rs2)}`;
    case 7: // BNE
      return `${g.l(i.rs1)} !== ${g.l(i.rs2)} || ${g.h(i.rs1)} !== ${g.h(i.rs2)}`;
    case 8: // BLT
      return less(g, i, false, false);
    case 9: // BGE
      return `!${less(g, i, false, false)}`;
    case 10: // BLTU
      return less(g, i, true, false);
    default: // BGEU
      return `!${less(g, i, true, false)}`;
  }
}

/**
 * The code of instruction `i`, the k-th of a block of `len` that starts the
 * layout slot before `layoutNext`. Control transfers end the block: they
 * count the block's instructions into `n` first.
 */
function emit(g: Gen, i: Insn, k: number, len: number, layoutNext: number): string {
  const { rd, rs1, rs2, imm } = i;
  const ih = imm < 0 ? -1 : 0;
  const l1 = () => g.l(rs1);
  const h1 = () => g.h(rs1);
  const l2 = () => g.l(rs2);
  const h2 = () => g.h(rs2);
  switch (i.op) {
    case 2: // LUI
      return g.set(rd, `${imm}`, `${ih}`);
    case 3: { // AUIPC
      const [lo, hi] = lohi(i.pc + imm);
      return g.set(rd, `${lo}`, `${hi}`);
    }
    case 4: { // JAL
      const [lo, hi] = lohi(i.next);
      return `${g.set(rd, `${lo}`, `${hi}`)} n += ${len}; ${g.goto(i.pc + imm, layoutNext)}`;
    }
    case 5: { // JALR
      const [lo, hi] = lohi(i.next);
      const a = l1();
      const target = `const s = (${a} + ${imm}) | 0, ` +
        `T = ((${h1()} + ${ih} + ((s >>> 0) < (${a} >>> 0) ? 1 : 0)) | 0) * ${TWO32} + ((s & -2) >>> 0);`;
      // Returns to a call inside the region continue inside it.
      const cases = g.returns.map((r) => `case ${r}: b = ${g.index.get(r)}; continue L;`).join(" ");
      const jump = cases === "" ? "pc = T; break L;" : `switch (T) { ${cases} } pc = T; break L;`;
      return `{ ${target} ${g.set(rd, `${lo}`, `${hi}`)} n += ${len}; ${jump} }`;
    }
    case 6: // BEQ
    case 7: // BNE
    case 8: // BLT
    case 9: // BGE
    case 10: // BLTU
    case 11: { // BGEU
      const taken = g.goto(i.pc + imm, -1);
      const fall = g.goto(i.next, layoutNext);
      return `n += ${len}; if (${condition(g, i)}) { ${taken} } ${fall}`;
    }
    case 12: // LB
    case 13: // LH
    case 14: // LW
    case 15: // LD
    case 16: // LBU
    case 17: // LHU
    case 18: // LWU
      return load(g, i, k);
    case 19: // SB
    case 20: // SH
    case 21: // SW
    case 22: // SD
      return store(g, i, k);
    case 23: { // ADDI
      if (rd === 32) return "";
      if (imm === 0) return g.set(rd, l1(), h1());
      if (rs1 === 0) return g.set(rd, `${imm}`, `${ih}`);
      const a = l1();
      return `{ const s = (${a} + ${imm}) | 0; ${
        g.set(rd, "s", `(${h1()} + ${ih} + ((s >>> 0) < (${a} >>> 0) ? 1 : 0)) | 0`)
      } }`;
    }
    case 24: // SLTI
      return g.set(rd, `${less(g, i, false, true)} ? 1 : 0`, "0");
    case 25: // SLTIU
      return g.set(rd, `${less(g, i, true, true)} ? 1 : 0`, "0");
    case 26: // XORI
      return g.set(rd, `${l1()} ^ ${imm}`, `${h1()} ^ ${ih}`);
    case 27: // ORI
      return g.set(rd, `${l1()} | ${imm}`, `${h1()} | ${ih}`);
    case 28: // ANDI
      return g.set(rd, `${l1()} & ${imm}`, `${h1()} & ${ih}`);
    case 29: // SLLI
      return shiftImm(g, i, "l");
    case 30: // SRLI
      return shiftImm(g, i, "r");
    case 31: // SRAI
      return shiftImm(g, i, "a");
    case 32: { // ADD
      if (rd === 32) return "";
      const a = l1();
      return `{ const s = (${a} + ${l2()}) | 0; ${
        g.set(rd, "s", `(${h1()} + ${h2()} + ((s >>> 0) < (${a} >>> 0) ? 1 : 0)) | 0`)
      } }`;
    }
    case 33: { // SUB
      if (rd === 32) return "";
      const a = l1();
      const b = l2();
      return g.set(
        rd,
        `(${a} - ${b}) | 0`,
        `(${h1()} - ${h2()} - ((${a} >>> 0) < (${b} >>> 0) ? 1 : 0)) | 0`,
      );
    }
    case 34: // SLL
    case 38: // SRL
    case 39: { // SRA
      if (rd === 32) return "";
      const hiFill = i.op === 39 ? "b >> 31" : "0";
      const right = i.op === 38 ? ">>>" : ">>";
      const body = i.op === 34
        ? `if (s < 32) { hi = (b << s) | (a >>> (32 - s)); lo = a << s; } else { hi = a << (s - 32); lo = 0; }`
        : `if (s < 32) { lo = (a >>> s) | (b << (32 - s)); hi = (b ${right} s) | 0; } ` +
          `else { lo = (b ${right} (s - 32)) | 0; hi = ${hiFill}; }`;
      return `{ const s = ${l2()} & 63, a = ${l1()}, b = ${h1()}; let lo = a, hi = b; ` +
        `if (s !== 0) { ${body} } ${g.set(rd, "lo", "hi")} }`;
    }
    case 35: // SLT
      return g.set(rd, `${less(g, i, false, false)} ? 1 : 0`, "0");
    case 36: // SLTU
      return g.set(rd, `${less(g, i, true, false)} ? 1 : 0`, "0");
    case 37: // XOR
      return g.set(rd, `${l1()} ^ ${l2()}`, `${h1()} ^ ${h2()}`);
    case 40: // OR
      return g.set(rd, `${l1()} | ${l2()}`, `${h1()} | ${h2()}`);
    case 41: // AND
      return g.set(rd, `${l1()} & ${l2()}`, `${h1()} & ${h2()}`);
    case 42: // ADDIW
      return g.setW(rd, `(${l1()} + ${imm}) | 0`);
    case 43: // SLLIW
      return g.setW(rd, `${l1()} << ${imm}`);
    case 44: // SRLIW
      return g.setW(rd, `(${l1()} >>> ${imm}) | 0`);
    case 45: // SRAIW
      return g.setW(rd, `${l1()} >> ${imm}`);
    case 46: // ADDW
      return g.setW(rd, `(${l1()} + ${l2()}) | 0`);
    case 47: // SUBW
      return g.setW(rd, `(${l1()} - ${l2()}) | 0`);
    case 48: // SLLW
      return g.setW(rd, `${l1()} << (${l2()} & 31)`);
    case 49: // SRLW
      return g.setW(rd, `(${l1()} >>> (${l2()} & 31)) | 0`);
    case 50: // SRAW
      return g.setW(rd, `${l1()} >> (${l2()} & 31)`);
    case 51: // FENCE
    case 52: // FENCE_I (decoded code is invalidated on every write already)
      return "";
    case 53: // ECALL
      return `n += ${len}; pc = ${i.pc}; c.stop = ${STOP_ECALL}; break L;`;
    case 54: // EBREAK
      return `n += ${len}; pc = ${i.pc}; c.stop = ${STOP_EBREAK}; break L;`;
    case 61: // MUL
      if (rd === 32) return "";
      return `mul64(${l1()}, ${h1()}, ${l2()}, ${h2()}); ${g.set(rd, "R[0]", "R[1]")}`;
    case 69: // MULW
      return g.setW(rd, `Math.imul(${l1()}, ${l2()})`);
    case 96: { // ADD_UW
      if (rd === 32) return "";
      const a = l1();
      return `{ const s = (${a} + ${l2()}) | 0; ${
        g.set(rd, "s", `(${h2()} + ((s >>> 0) < (${a} >>> 0) ? 1 : 0)) | 0`)
      } }`;
    }
    case 97: // SH1ADD
    case 98: // SH2ADD
    case 99: { // SH3ADD
      if (rd === 32) return "";
      const sh = i.op - 96;
      return `{ const x = ${l1()}, al = x << ${sh}, ah = (${h1()} << ${sh}) | (x >>> ${
        32 - sh
      }), ` +
        `s = (al + ${l2()}) | 0; ${
          g.set(rd, "s", `(ah + ${h2()} + ((s >>> 0) < (al >>> 0) ? 1 : 0)) | 0`)
        } }`;
    }
    case 136: // FLW
    case 137: // FLD
      return fpLoad(i, g, k);
    case 138: // FSW
    case 139: // FSD
      return store(g, i, k);
  }
  if (i.op >= 74 && i.op <= 95) return atomic(g, i, k);
  if (i.op >= 160) {
    // F/D: the FPU module reads and writes the hart; false means an illegal rounding mode.
    const before = FP_INT_SRC.has(i.op) ? g.flush(rs1) : "";
    const after = FP_INT_DEST.has(i.op) && rd !== 0 && rd !== 32
      ? (g.used.add(rd), g.dirty.add(rd), `l${rd} = xl[${rd}]; h${rd} = xh[${rd}];`)
      : "";
    return `${before} if (!executeFp(h, ${i.op}, ${rd}, ${rs1}, ${rs2}, ${imm})) ` +
      `{ n += ${k}; pc = ${i.pc}; c.stop = ${STOP_ILLEGAL}; break L; } ${after}`;
  }
  // The rest (M high words and divisions, Zba/Zbb/Zbs): the shared helper.
  if (rd === 32) return "";
  return `aluRare(${i.op}, ${imm}, ${l1()}, ${h1()}, ${l2()}, ${h2()}); ${
    g.set(rd, "R[0]", "R[1]")
  } /* ${OP_NAMES[i.op]} */`;
}

/** Decodes the fields of a packed word. */
function fields(w: number, imm: number, pc: number): Insn {
  const op = w & 255;
  return {
    op,
    // Integer destinations arrive as the sink 32 for x0.
    rd: (w >> 8) & 63,
    rs1: (w >> 14) & 63,
    rs2: (w >> 20) & 63,
    imm,
    pc,
    next: pc + insnLength(w),
  };
}

/**
 * Generates the region function for `blocks` (block 0 first; a block's
 * fall-through successor, when in the region, should come right after it).
 * `returns` lists block starts that follow a call inside the region.
 */
export function regionSource(
  blocks: readonly RegionBlock[],
  returns: readonly number[],
): RegionCode {
  const index = new Map<number, number>();
  blocks.forEach((b, j) => index.set(b.pcs[0], j));
  const g = new Gen(index, returns.filter((r) => index.has(r)));
  const cases: string[] = [];
  blocks.forEach((blk, j) => {
    const len = blk.pcs.length;
    const out = [`case ${j}: /* 0x${blk.pcs[0].toString(16)} */`];
    out.push(`if (n > lim - ${len}) { pc = ${blk.pcs[0]}; break L; }`);
    let ended = false;
    for (let k = 0; k < len; k++) {
      const i = fields(blk.words[k], blk.imms[k], blk.pcs[k]);
      const code = emit(g, i, k, len, j + 1);
      out.push(`/* ${OP_NAMES[i.op]} */ ${code}`);
      if (isBlockEnd(i.op)) ended = true;
    }
    if (!ended) {
      // Cut by a barrier, the page end or the length limit: continue at the next address.
      const last = fields(blk.words[len - 1], blk.imms[len - 1], blk.pcs[len - 1]);
      out.push(`n += ${len}; ${g.goto(last.next, j + 1)}`);
    }
    cases.push(out.join("\n"));
  });
  const regs = [...g.used].sort((a, b) => a - b);
  const dirty = [...g.dirty].sort((a, b) => a - b);
  const writeBack = dirty.map((r) => `xl[${r}] = l${r}; xh[${r}] = h${r};`).join(" ");
  const source = [
    "const { mem, cpu, mul64, R, aluRare, executeFp, atRetired, atPc } = env;",
    "const rTag = mem.rTag, rOff = mem.rOff, wTag = mem.wTag, wOff = mem.wOff;",
    "return function region(c, b, lim) {",
    "const h = c.h, xl = h.xl, xh = h.xh, fw = h.fw, gen = cpu.codeGen;",
    "let dv = mem.dv, n = 0, pc = 0, at = 0;",
    ...regs.map((r) => `let l${r} = xl[${r}], h${r} = xh[${r}];`),
    "try {",
    "L: for (;;) {",
    "switch (b) {",
    ...cases,
    "default: throw new Error('bad region block ' + b);",
    "}",
    "}",
    "} catch (e) {",
    writeBack,
    "c.n = n + atRetired[at]; c.fpc = atPc[at];",
    "throw e;",
    "}",
    writeBack,
    "c.n = n;",
    "return pc;",
    "};",
  ].join("\n");
  return { source, atRetired: g.atRetired, atPc: g.atPc };
}
