/**
 * The WebAssembly interpreter's own decoder for the instructions that make
 * up nearly all code (RV64I, M, and the integer compressed forms), so that
 * reaching new code does not cross into JavaScript once per instruction: a
 * cold JavaScript decoder costs most of a microsecond a call until V8 has
 * optimised it, and a short run meets tens of thousands of new instructions.
 * Everything else (FP, atomics, CSRs, bit manipulation, reserved encodings)
 * it leaves to `decode.ts` by returning 0. Where it decodes, its word and
 * immediate are exactly `decode.ts`'s (tested over every 16-bit encoding and
 * every 32-bit opcode, funct3 and funct7 with random fields).
 *
 * The immediates are gathered bit fields; {@linkcode GATHERS} lists them as
 * data (tested against the extractors of `fields.ts`).
 * @module
 */

import { COMPRESSED } from "./decode.ts";
import { X_SINK } from "./hart.ts";
import { type Body, I32, Labelled, OP } from "./wasm.ts";

/** A gathered immediate: the OR of `(x >>> s) & m` (s >= 0) or `(x << -s) & m` terms, sign-extended from `bits` (0: unsigned). */
export interface Gather {
  /** `[shift, mask]` terms. */
  readonly terms: readonly (readonly [number, number])[];
  /** Width of the signed result, or 0 for an unsigned one. */
  readonly bits: number;
}

/** The immediates this decoder gathers, named after their extractors in `fields.ts`. */
export const GATHERS: Readonly<Record<string, Gather>> = {
  immI: { terms: [[20, 0xfff]], bits: 12 },
  immS: { terms: [[20, 0xfe0], [7, 0x1f]], bits: 12 },
  immB: { terms: [[19, 0x1000], [-4, 0x800], [20, 0x7e0], [7, 0x1e]], bits: 13 },
  immU: { terms: [[0, -4096]], bits: 0 },
  immJ: { terms: [[11, 0x100000], [0, 0xff000], [9, 0x800], [20, 0x7fe]], bits: 21 },
  shamt6: { terms: [[20, 63]], bits: 0 },
  rs2Of: { terms: [[20, 31]], bits: 0 },
  cImm6: { terms: [[7, 0x20], [2, 0x1f]], bits: 6 },
  cUimm6: { terms: [[7, 0x20], [2, 0x1f]], bits: 0 },
  cAddi4spnImm: { terms: [[7, 0x30], [1, 0x3c0], [4, 4], [2, 8]], bits: 0 },
  cAddi16spImm: { terms: [[3, 0x200], [2, 0x10], [-1, 0x40], [-4, 0x180], [-3, 0x20]], bits: 10 },
  cOffW: { terms: [[7, 0x38], [4, 4], [-1, 0x40]], bits: 0 },
  cOffD: { terms: [[7, 0x38], [-1, 0xc0]], bits: 0 },
  cLwspOff: { terms: [[7, 0x20], [2, 0x1c], [-4, 0xc0]], bits: 0 },
  cLdspOff: { terms: [[7, 0x20], [2, 0x18], [-4, 0x1c0]], bits: 0 },
  cSwspOff: { terms: [[7, 0x3c], [1, 0xc0]], bits: 0 },
  cSdspOff: { terms: [[7, 0x38], [1, 0x1c0]], bits: 0 },
  cJOff: {
    terms: [[1, 0x800], [7, 0x10], [1, 0x300], [-2, 0x400], [1, 0x40], [-1, 0x80], [2, 0xe], [
      -3,
      0x20,
    ]],
    bits: 12,
  },
  cBOff: { terms: [[4, 0x100], [7, 0x18], [-1, 0xc0], [2, 6], [-3, 0x20]], bits: 9 },
};

/** The decoder's type: `(inst: i32, entry: i32) -> word` (0: not decoded here). */
export const DECODE_TYPE: { params: number[]; results: number[] } = {
  params: [I32, I32],
  results: [I32],
};

// Parameters and locals.
const P_INST = 0;
const P_ENTRY = 1;
const L_IMM = 2;
const L_RD = 3;
const L_RS1 = 4;
const L_RS2 = 5;
const L_F3 = 6;
const L_F7 = 7;
/** The word's fields other than the op (and, compressed, the length bit). */
const L_FIELDS = 8;

/** A register operand: a field in a local, or a fixed register number. */
type Reg = number | { readonly local: number };

class DGen extends Labelled {
  /** Pushes a register operand; `sink`: an integer destination (x0 goes to the sink). */
  reg(r: Reg, sink: boolean): void {
    if (typeof r === "number") this.w.i32(sink && r === 0 ? X_SINK : r);
    else if (sink) this.w.get(r.local).i32(X_SINK).get(r.local).op(OP.select);
    else this.w.get(r.local);
  }

  /** Pushes `(x >>> s) & m` or `(x << -s) & m` of the instruction. */
  term(s: number, m: number): void {
    this.w.get(P_INST);
    if (s > 0) this.w.i32(s).op(OP.i32ShrU);
    else if (s < 0) this.w.i32(-s).op(OP.i32Shl);
    this.w.i32(m).op(OP.i32And);
  }

  /** Sets L_IMM to the gathered immediate `name`. */
  imm(name: string): void {
    const g = GATHERS[name];
    g.terms.forEach(([s, m], i) => {
      this.term(s, m);
      if (i > 0) this.w.op(OP.i32Or);
    });
    if (g.bits !== 0) this.w.i32(32 - g.bits).op(OP.i32Shl).i32(32 - g.bits).op(OP.i32ShrS);
    this.w.set(L_IMM);
  }

  /** Sets L_FIELDS for registers rd, rs1, rs2 (`sink`: rd is an integer destination). */
  fields(rd: Reg, rs1: Reg, rs2: Reg, sink: boolean): void {
    this.reg(rd, sink);
    this.w.i32(8).op(OP.i32Shl);
    this.reg(rs1, false);
    this.w.i32(14).op(OP.i32Shl).op(OP.i32Or);
    this.reg(rs2, false);
    this.w.i32(20).op(OP.i32Shl).op(OP.i32Or).set(L_FIELDS);
  }

  /** Decodes to `op` with the fields: leaves with the word. */
  done(op: number, rd: Reg, rs1: Reg, rs2: Reg, sink: boolean, extra = 0): void {
    this.fields(rd, rs1, rs2, sink);
    this.w.get(L_FIELDS).i32(op | extra).op(OP.i32Or);
    this.br("done");
  }

  /** Leaves undecoded (decode.ts decides). */
  none(): void {
    this.br("none");
  }

  /** `if (local == v) { then() }` — `then` leaves, so cases chain. */
  when(local: number, v: number, then: () => void): void {
    this.w.get(local).i32(v).op(OP.i32Eq);
    this.open(OP.if, "if");
    then();
    this.close();
  }

  /** `if (cond pushed by test) { then() }`. */
  whenTrue(test: () => void, then: () => void): void {
    test();
    this.open(OP.if, "if");
    then();
    this.close();
  }
}

const RD: Reg = { local: L_RD };
const RS1: Reg = { local: L_RS1 };
const RS2: Reg = { local: L_RS2 };

/** The 32-bit forms; each case leaves through "done" or "none". */
function wide(g: DGen): void {
  const w = g.w;
  const field = (shift: number, mask: number, local: number) => {
    w.get(P_INST).i32(shift).op(OP.i32ShrU);
    if (mask !== 0) w.i32(mask).op(OP.i32And);
    w.set(local);
  };
  field(7, 31, L_RD);
  field(15, 31, L_RS1);
  field(20, 31, L_RS2);
  field(12, 7, L_F3);
  field(25, 0, L_F7);
  w.i32(0).set(L_IMM);
  const f3 = (v: number, then: () => void) => g.when(L_F3, v, then);
  const f7 = (v: number, then: () => void) => g.when(L_F7, v, then);
  // By opcode >> 2.
  const cases = new Map<number, () => void>();
  cases.set(0x37 >> 2, () => { // LUI
    g.imm("immU");
    g.done(2, RD, 0, 0, true);
  });
  cases.set(0x17 >> 2, () => { // AUIPC
    g.imm("immU");
    g.done(3, RD, 0, 0, true);
  });
  cases.set(0x6f >> 2, () => { // JAL
    g.imm("immJ");
    g.done(4, RD, 0, 0, true);
  });
  cases.set(0x67 >> 2, () => { // JALR
    f3(0, () => {
      g.imm("immI");
      g.done(5, RD, RS1, 0, true);
    });
    g.none();
  });
  cases.set(0x63 >> 2, () => { // BEQ BNE BLT BGE BLTU BGEU
    g.imm("immB");
    for (const [k, op] of [[0, 6], [1, 7], [4, 8], [5, 9], [6, 10], [7, 11]]) {
      f3(k, () => g.done(op, 0, RS1, RS2, false));
    }
    g.none();
  });
  cases.set(0x03 >> 2, () => { // LB LH LW LD LBU LHU LWU
    g.imm("immI");
    for (let k = 0; k < 7; k++) f3(k, () => g.done(12 + k, RD, RS1, 0, true));
    g.none();
  });
  cases.set(0x23 >> 2, () => { // SB SH SW SD
    g.imm("immS");
    for (let k = 0; k < 4; k++) f3(k, () => g.done(19 + k, 0, RS1, RS2, false));
    g.none();
  });
  cases.set(0x13 >> 2, () => { // OP-IMM
    for (const [k, op] of [[0, 23], [2, 24], [3, 25], [4, 26], [6, 27], [7, 28]]) {
      f3(k, () => {
        g.imm("immI");
        g.done(op, RD, RS1, 0, true);
      });
    }
    // The shifts by immediate (funct6 0, or 0x10 for SRAI); the rest is Zb*.
    g.imm("shamt6");
    w.get(P_INST).i32(26).op(OP.i32ShrU).set(L_F7);
    f3(1, () => f7(0, () => g.done(29, RD, RS1, 0, true)));
    f3(5, () => {
      f7(0, () => g.done(30, RD, RS1, 0, true));
      f7(0x10, () => g.done(31, RD, RS1, 0, true));
    });
    g.none();
  });
  cases.set(0x1b >> 2, () => { // OP-IMM-32
    f3(0, () => {
      g.imm("immI");
      g.done(42, RD, RS1, 0, true);
    });
    g.imm("rs2Of");
    f3(1, () => f7(0, () => g.done(43, RD, RS1, 0, true)));
    f3(5, () => {
      f7(0, () => g.done(44, RD, RS1, 0, true));
      f7(0x20, () => g.done(45, RD, RS1, 0, true));
    });
    g.none();
  });
  cases.set(0x33 >> 2, () => { // OP
    f7(0, () => {
      [32, 34, 35, 36, 37, 38, 40, 41].forEach((op, k) =>
        f3(k, () => g.done(op, RD, RS1, RS2, true))
      );
    });
    f7(0x20, () => {
      f3(0, () => g.done(33, RD, RS1, RS2, true));
      f3(5, () => g.done(39, RD, RS1, RS2, true));
    });
    f7(1, () => {
      for (let k = 0; k < 8; k++) f3(k, () => g.done(61 + k, RD, RS1, RS2, true));
    });
    g.none();
  });
  cases.set(0x3b >> 2, () => { // OP-32
    f7(0, () => {
      f3(0, () => g.done(46, RD, RS1, RS2, true));
      f3(1, () => g.done(48, RD, RS1, RS2, true));
      f3(5, () => g.done(49, RD, RS1, RS2, true));
    });
    f7(0x20, () => {
      f3(0, () => g.done(47, RD, RS1, RS2, true));
      f3(5, () => g.done(50, RD, RS1, RS2, true));
    });
    f7(1, () => {
      f3(0, () => g.done(69, RD, RS1, RS2, true));
      for (let k = 4; k < 8; k++) f3(k, () => g.done(66 + k, RD, RS1, RS2, true));
    });
    g.none();
  });
  cases.set(0x0f >> 2, () => { // FENCE (FENCE.I: decode.ts)
    f3(0, () => g.done(51, 0, 0, 0, false));
    g.none();
  });
  cases.set(0x73 >> 2, () => { // ECALL, EBREAK (CSRs: decode.ts)
    g.when(P_INST, 0x73, () => g.done(53, 0, 0, 0, false));
    g.when(P_INST, 0x100073, () => g.done(54, 0, 0, 0, false));
    g.none();
  });
  dispatch(g, () => w.get(P_INST).i32(2).op(OP.i32ShrU).i32(31).op(OP.i32And), 32, cases);
}

/** The 16-bit forms (the low half of the instruction); each case leaves. */
function compressed(g: DGen): void {
  const w = g.w;
  const C = COMPRESSED;
  w.get(P_INST).i32(0xffff).op(OP.i32And).set(P_INST);
  // L_RD, L_RS2: the full fields; L_RS1, L_F7: rs1'/rd' and rd'/rs2' (x8..x15).
  w.get(P_INST).i32(7).op(OP.i32ShrU).i32(31).op(OP.i32And).set(L_RD);
  w.get(P_INST).i32(2).op(OP.i32ShrU).i32(31).op(OP.i32And).set(L_RS2);
  w.get(L_RD).i32(7).op(OP.i32And).i32(8).op(OP.i32Or).set(L_RS1);
  w.get(L_RS2).i32(7).op(OP.i32And).i32(8).op(OP.i32Or).set(L_F7);
  w.i32(0).set(L_IMM);
  const P1: Reg = { local: L_RS1 };
  const P2: Reg = { local: L_F7 };
  const bit12 = () => w.get(P_INST).i32(0x1000).op(OP.i32And);
  const nonzero = (l: number) => () => w.get(l);
  const cases = new Map<number, () => void>();
  // Quadrant 0, by funct3 (quadrant | funct3 << 2).
  cases.set(0, () => { // C.ADDI4SPN
    g.imm("cAddi4spnImm");
    g.whenTrue(nonzero(L_IMM), () => g.done(23, P2, 2, 0, true, C));
    g.none();
  });
  cases.set(2 << 2, () => { // C.LW
    g.imm("cOffW");
    g.done(14, P2, P1, 0, true, C);
  });
  cases.set(3 << 2, () => { // C.LD
    g.imm("cOffD");
    g.done(15, P2, P1, 0, true, C);
  });
  cases.set(6 << 2, () => { // C.SW
    g.imm("cOffW");
    g.done(21, 0, P1, P2, false, C);
  });
  cases.set(7 << 2, () => { // C.SD
    g.imm("cOffD");
    g.done(22, 0, P1, P2, false, C);
  });
  // Quadrant 1.
  cases.set(1 | 0 << 2, () => { // C.ADDI
    g.imm("cImm6");
    g.done(23, RD, RD, 0, true, C);
  });
  cases.set(1 | 1 << 2, () => { // C.ADDIW
    g.imm("cImm6");
    g.whenTrue(nonzero(L_RD), () => g.done(42, RD, RD, 0, true, C));
    g.none();
  });
  cases.set(1 | 2 << 2, () => { // C.LI
    g.imm("cImm6");
    g.done(23, RD, 0, 0, true, C);
  });
  cases.set(1 | 3 << 2, () => { // C.ADDI16SP, C.LUI
    g.when(L_RD, 2, () => {
      g.imm("cAddi16spImm");
      g.whenTrue(nonzero(L_IMM), () => g.done(23, 2, 2, 0, true, C));
      g.none();
    });
    g.imm("cImm6");
    g.whenTrue(nonzero(L_IMM), () => {
      w.get(L_IMM).i32(12).op(OP.i32Shl).set(L_IMM);
      g.done(2, RD, 0, 0, true, C);
    });
    g.none();
  });
  cases.set(1 | 4 << 2, () => { // C.SRLI C.SRAI C.ANDI, C.SUB C.XOR C.OR C.AND C.SUBW C.ADDW
    w.get(P_INST).i32(10).op(OP.i32ShrU).i32(3).op(OP.i32And).set(L_F3);
    g.when(L_F3, 0, () => {
      g.imm("cUimm6");
      g.done(30, P1, P1, 0, true, C);
    });
    g.when(L_F3, 1, () => {
      g.imm("cUimm6");
      g.done(31, P1, P1, 0, true, C);
    });
    g.when(L_F3, 2, () => {
      g.imm("cImm6");
      g.done(28, P1, P1, 0, true, C);
    });
    w.get(P_INST).i32(5).op(OP.i32ShrU).i32(3).op(OP.i32And).set(L_F3);
    g.whenTrue(bit12, () => {
      g.when(L_F3, 0, () => g.done(47, P1, P1, P2, true, C));
      g.when(L_F3, 1, () => g.done(46, P1, P1, P2, true, C));
      g.none();
    });
    [33, 37, 40, 41].forEach((op, k) => g.when(L_F3, k, () => g.done(op, P1, P1, P2, true, C)));
    g.none();
  });
  cases.set(1 | 5 << 2, () => { // C.J
    g.imm("cJOff");
    g.done(4, 0, 0, 0, true, C);
  });
  cases.set(1 | 6 << 2, () => { // C.BEQZ
    g.imm("cBOff");
    g.done(6, 0, P1, 0, false, C);
  });
  cases.set(1 | 7 << 2, () => { // C.BNEZ
    g.imm("cBOff");
    g.done(7, 0, P1, 0, false, C);
  });
  // Quadrant 2.
  cases.set(2 | 0 << 2, () => { // C.SLLI
    g.imm("cUimm6");
    g.done(29, RD, RD, 0, true, C);
  });
  cases.set(2 | 2 << 2, () => { // C.LWSP
    g.imm("cLwspOff");
    g.whenTrue(nonzero(L_RD), () => g.done(14, RD, 2, 0, true, C));
    g.none();
  });
  cases.set(2 | 3 << 2, () => { // C.LDSP
    g.imm("cLdspOff");
    g.whenTrue(nonzero(L_RD), () => g.done(15, RD, 2, 0, true, C));
    g.none();
  });
  cases.set(2 | 4 << 2, () => { // C.JR C.MV, C.EBREAK C.JALR C.ADD
    g.whenTrue(bit12, () => {
      g.whenTrue(nonzero(L_RS2), () => g.done(32, RD, RD, RS2, true, C));
      g.whenTrue(nonzero(L_RD), () => g.done(5, 1, RD, 0, true, C));
      g.done(54, 0, 0, 0, false, C);
    });
    g.whenTrue(nonzero(L_RS2), () => g.done(32, RD, 0, RS2, true, C));
    g.whenTrue(nonzero(L_RD), () => g.done(5, 0, RD, 0, true, C));
    g.none();
  });
  cases.set(2 | 6 << 2, () => { // C.SWSP
    g.imm("cSwspOff");
    g.done(21, 0, 2, RS2, false, C);
  });
  cases.set(2 | 7 << 2, () => { // C.SDSP
    g.imm("cSdspOff");
    g.done(22, 0, 2, RS2, false, C);
  });
  dispatch(
    g,
    () =>
      w.get(P_INST).i32(3).op(OP.i32And).get(P_INST).i32(11).op(OP.i32ShrU).i32(0x1c)
        .op(OP.i32And).op(OP.i32Or),
    32,
    cases,
  );
}

/** A `br_table` over `key` (pushed, < `n`) to the cases; other keys leave undecoded. */
function dispatch(g: DGen, key: () => void, n: number, cases: Map<number, () => void>): void {
  const keys = [...cases.keys()].sort((a, b) => a - b);
  for (let i = keys.length; i >= 0; i--) g.open(OP.block, `c${i}`);
  key();
  const index = new Map(keys.map((k, i) => [k, i] as const));
  g.w.brTable(Array.from({ length: n }, (_v, k) => index.get(k) ?? keys.length), keys.length);
  keys.forEach((k) => {
    g.close();
    cases.get(k)!();
  });
  g.close();
  g.none();
}

/**
 * The body of the module function `(inst, entry) -> word` (type
 * {@linkcode DECODE_TYPE}) with its locals: decodes the instruction bits
 * `inst` (a 32-bit instruction, or a 16-bit one in the low half) and, when
 * it can, stores the packed word and the immediate at the arena address
 * `entry` and returns the word; otherwise returns 0 and stores nothing.
 */
export function decoderFunction(): { locals: [number, number][]; body: Body } {
  const g = new DGen();
  const w = g.w;
  g.open(OP.block, "done", I32);
  g.open(OP.block, "none");
  w.get(P_INST).i32(3).op(OP.i32And).i32(3).op(OP.i32Eq);
  g.open(OP.if, "if");
  wide(g);
  g.else();
  compressed(g);
  g.close();
  g.close(); // none
  w.i32(0).op(OP.return);
  g.close(); // done: the word on the stack
  w.set(L_FIELDS);
  w.get(P_ENTRY).get(L_FIELDS).mem(OP.i32Store, 0, 2, 0);
  w.get(P_ENTRY).get(L_IMM).mem(OP.i32Store, 0, 2, 4);
  w.get(L_FIELDS);
  return { locals: [[7, I32]], body: w };
}
