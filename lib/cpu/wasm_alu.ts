/**
 * WebAssembly code for the value of every register-to-register integer
 * operation (RV64I ALU, M, Zba, Zbb, Zbs), written once for both users:
 * the region compiler (operands are locals and constants) and the
 * WebAssembly interpreter (operands are loaded from the register file by
 * the fields of the decoded word). {@linkcode aluValue} leaves the 64-bit
 * result on the stack; the caller stores it to rd.
 * @module
 */

import { Body, I32, I64, OP } from "./wasm.ts";

/** How an ALU op's code reaches its operands. */
export interface Operands {
  /** The code being written. */
  readonly w: Body;
  /** Pushes x[rs1] (i64). */
  rs1(): void;
  /** Pushes x[rs2] (i64). */
  rs2(): void;
  /** Pushes the immediate, sign-extended (i64). */
  imm64(): void;
  /** Pushes the immediate (i32). */
  imm32(): void;
  /** Three i64 scratch locals. */
  readonly temps: readonly [number, number, number];
  /** Index of the module's {@linkcode mulhuFunction}. */
  readonly mulhu: number;
}

/** The low-word mask (a safe integer: its LEB128 is written without BigInt arithmetic). */
const M32 = 0xffffffff;

/** x[rs1] op x[rs2]. */
function bin(o: Operands, op: number): void {
  o.rs1();
  o.rs2();
  o.w.op(op);
}

/** x[rs1] op imm. */
function binImm(o: Operands, op: number): void {
  o.rs1();
  o.imm64();
  o.w.op(op);
}

/** A 32-bit op on the low words (the second operand x[rs2] or the immediate), sign-extended. */
function word(o: Operands, immediate: boolean, op: number): void {
  o.rs1();
  o.w.op(OP.i32WrapI64);
  if (immediate) o.imm32();
  else {
    o.rs2();
    o.w.op(OP.i32WrapI64);
  }
  o.w.op(op, OP.i64ExtendI32S);
}

/** The type of the module function {@linkcode mulhuFunction} writes: (i64, i64) -> i64. */
export const MULHU_TYPE: { params: number[]; results: number[] } = {
  params: [I64, I64],
  results: [I64],
};

/**
 * The body of a module function `(a: i64, b: i64) -> i64` returning the
 * unsigned high 64 bits of a * b (WebAssembly has no widening multiply),
 * with its three i64 locals after the parameters. Modules that run MULH,
 * MULHSU or MULHU carry it once and call it (see {@linkcode Operands.mulhu}):
 * inline, its 100 bytes per use made a third of some regions' code.
 */
export function mulhuFunction(): { locals: [number, number][]; body: Body } {
  const w = new Body();
  const [A, B, V, W, Y] = [0, 1, 2, 3, 4];
  const lo = (r: number) => w.get(r).i64(0xffffffff).op(OP.i64And);
  const hi = (r: number) => w.get(r).i64(32).op(OP.i64ShrU);
  // W = aL * bH, Y = aH * bL
  lo(A);
  hi(B);
  w.op(OP.i64Mul).set(W);
  hi(A);
  lo(B);
  w.op(OP.i64Mul).set(Y);
  // V = (aL * bL >> 32) + (W & M) + (Y & M)
  lo(A);
  lo(B);
  w.op(OP.i64Mul).i64(32).op(OP.i64ShrU);
  w.get(W).i64(0xffffffff).op(OP.i64And).op(OP.i64Add);
  w.get(Y).i64(0xffffffff).op(OP.i64And).op(OP.i64Add).set(V);
  // aH * bH + (W >> 32) + (Y >> 32) + (V >> 32)
  hi(A);
  hi(B);
  w.op(OP.i64Mul);
  w.get(W).i64(32).op(OP.i64ShrU).op(OP.i64Add);
  w.get(Y).i64(32).op(OP.i64ShrU).op(OP.i64Add);
  w.get(V).i64(32).op(OP.i64ShrU).op(OP.i64Add);
  return { locals: [[3, I64]], body: w };
}

/** Pushes the unsigned high 64 bits of x[rs1] * x[rs2]. */
function mulhu(o: Operands): void {
  o.rs1();
  o.rs2();
  o.w.call(o.mulhu);
}

/** Subtracts `other` from the value on the stack when `neg` is negative. */
function signFix(o: Operands, neg: () => void, other: () => void): void {
  other();
  o.w.i64(0);
  neg();
  o.w.i64(0).op(OP.i64LtS).op(OP.select).op(OP.i64Sub);
}

/** Division and remainder with RISC-V's results for a zero divisor and overflow. */
function divide(o: Operands, op: number): void {
  const w = o.w;
  const narrow = op >= 70;
  const signed = op === 65 || op === 67 || op === 70 || op === 72;
  const rem = op === 67 || op === 68 || op === 72 || op === 73;
  const type = narrow ? I32 : I64;
  const a = () => {
    o.rs1();
    if (narrow) w.op(OP.i32WrapI64);
  };
  const b = () => {
    o.rs2();
    if (narrow) w.op(OP.i32WrapI64);
  };
  b();
  w.op(narrow ? OP.i32Eqz : OP.i64Eqz);
  w.op(OP.if, type);
  if (rem) a();
  else if (narrow) w.i32(-1);
  else w.i64(-1);
  w.op(OP.else);
  if (signed && !rem) {
    // MIN / -1 traps in wasm; RISC-V gives MIN.
    a();
    if (narrow) w.i32(-0x80000000).op(OP.i32Eq);
    else w.i64(-(1n << 63n)).op(OP.i64Eq);
    b();
    if (narrow) w.i32(-1).op(OP.i32Eq);
    else w.i64(-1).op(OP.i64Eq);
    w.op(OP.i32And);
    w.op(OP.if, type);
    a();
    w.op(OP.else);
    a();
    b();
    w.op(narrow ? OP.i32DivS : OP.i64DivS);
    w.op(OP.end);
  } else {
    a();
    b();
    w.op(
      narrow
        ? (signed ? (rem ? OP.i32RemS : OP.i32DivS) : (rem ? OP.i32RemU : OP.i32DivU))
        : (signed ? (rem ? OP.i64RemS : OP.i64DivS) : (rem ? OP.i64RemU : OP.i64DivU)),
    );
  }
  w.op(OP.end);
  if (narrow) w.op(OP.i64ExtendI32S);
}

/** Op numbers {@linkcode aluValue} handles. */
export function isAluOp(op: number): boolean {
  return (op >= 23 && op <= 50) || (op >= 61 && op <= 73) || (op >= 96 && op <= 135);
}

/**
 * Emits the value of ALU op `op` (see `ops.ts`) as an i64 on the stack.
 * Returns false for an op that is not an ALU op.
 */
export function aluValue(o: Operands, op: number): boolean {
  const w = o.w;
  switch (op) {
    case 23: // ADDI
      binImm(o, OP.i64Add);
      return true;
    case 24: // SLTI
    case 25: // SLTIU
      o.rs1();
      o.imm64();
      w.op(op === 24 ? OP.i64LtS : OP.i64LtU, OP.i64ExtendI32U);
      return true;
    case 26: // XORI
      binImm(o, OP.i64Xor);
      return true;
    case 27: // ORI
      binImm(o, OP.i64Or);
      return true;
    case 28: // ANDI
      binImm(o, OP.i64And);
      return true;
    case 29: // SLLI
      binImm(o, OP.i64Shl);
      return true;
    case 30: // SRLI
      binImm(o, OP.i64ShrU);
      return true;
    case 31: // SRAI
      binImm(o, OP.i64ShrS);
      return true;
    case 32: // ADD
      bin(o, OP.i64Add);
      return true;
    case 33: // SUB
      bin(o, OP.i64Sub);
      return true;
    case 34: // SLL
      bin(o, OP.i64Shl);
      return true;
    case 35: // SLT
    case 36: // SLTU
      bin(o, op === 35 ? OP.i64LtS : OP.i64LtU);
      w.op(OP.i64ExtendI32U);
      return true;
    case 37: // XOR
      bin(o, OP.i64Xor);
      return true;
    case 38: // SRL
      bin(o, OP.i64ShrU);
      return true;
    case 39: // SRA
      bin(o, OP.i64ShrS);
      return true;
    case 40: // OR
      bin(o, OP.i64Or);
      return true;
    case 41: // AND
      bin(o, OP.i64And);
      return true;
    case 42: // ADDIW
      word(o, true, OP.i32Add);
      return true;
    case 43: // SLLIW
      word(o, true, OP.i32Shl);
      return true;
    case 44: // SRLIW
      word(o, true, OP.i32ShrU);
      return true;
    case 45: // SRAIW
      word(o, true, OP.i32ShrS);
      return true;
    case 46: // ADDW
      word(o, false, OP.i32Add);
      return true;
    case 47: // SUBW
      word(o, false, OP.i32Sub);
      return true;
    case 48: // SLLW
      word(o, false, OP.i32Shl);
      return true;
    case 49: // SRLW
      word(o, false, OP.i32ShrU);
      return true;
    case 50: // SRAW
      word(o, false, OP.i32ShrS);
      return true;
    case 61: // MUL
      bin(o, OP.i64Mul);
      return true;
    case 62: // MULH
    case 63: // MULHSU
    case 64: // MULHU
      mulhu(o);
      if (op !== 64) signFix(o, () => o.rs1(), () => o.rs2());
      if (op === 62) signFix(o, () => o.rs2(), () => o.rs1());
      return true;
    case 65: // DIV
    case 66: // DIVU
    case 67: // REM
    case 68: // REMU
    case 70: // DIVW
    case 71: // DIVUW
    case 72: // REMW
    case 73: // REMUW
      divide(o, op);
      return true;
    case 69: // MULW
      word(o, false, OP.i32Mul);
      return true;
    case 96: // ADD_UW
    case 97: // SH1ADD
    case 98: // SH2ADD
    case 99: // SH3ADD
    case 100: // SH1ADD_UW
    case 101: // SH2ADD_UW
    case 102: { // SH3ADD_UW
      const sh = op === 96 ? 0 : op <= 99 ? op - 96 : op - 99;
      o.rs1();
      if (op === 96 || op >= 100) w.i64(M32).op(OP.i64And);
      if (sh !== 0) w.i64(sh).op(OP.i64Shl);
      o.rs2();
      w.op(OP.i64Add);
      return true;
    }
    case 103: // SLLI_UW
      o.rs1();
      w.i64(M32).op(OP.i64And);
      o.imm64();
      w.op(OP.i64Shl);
      return true;
    case 104: // ANDN
    case 105: // ORN
    case 106: // XNOR
      o.rs1();
      o.rs2();
      if (op === 106) w.op(OP.i64Xor).i64(-1).op(OP.i64Xor);
      else w.i64(-1).op(OP.i64Xor, op === 104 ? OP.i64And : OP.i64Or);
      return true;
    case 107: // CLZ
    case 109: // CTZ
    case 111: // CPOP
      o.rs1();
      w.op(op === 107 ? OP.i64Clz : op === 109 ? OP.i64Ctz : OP.i64Popcnt);
      return true;
    case 108: // CLZW
    case 110: // CTZW
    case 112: // CPOPW
      o.rs1();
      w.op(OP.i32WrapI64, op === 108 ? OP.i32Clz : op === 110 ? OP.i32Ctz : OP.i32Popcnt);
      w.op(OP.i64ExtendI32U);
      return true;
    case 113: // MAX
    case 114: // MAXU
    case 115: // MIN
    case 116: // MINU
      o.rs1();
      o.rs2();
      o.rs1();
      o.rs2();
      w.op([OP.i64GtS, OP.i64GtU, OP.i64LtS, OP.i64LtU][op - 113], OP.select);
      return true;
    case 117: // SEXT_B
    case 118: // SEXT_H
    case 119: // ZEXT_H
      o.rs1();
      if (op === 119) w.i64(0xffff).op(OP.i64And);
      else w.op(op === 117 ? OP.i64Extend8S : OP.i64Extend16S);
      return true;
    case 120: // ROL
      bin(o, OP.i64Rotl);
      return true;
    case 122: // ROR
      bin(o, OP.i64Rotr);
      return true;
    case 123: // RORI
      binImm(o, OP.i64Rotr);
      return true;
    case 121: // ROLW
      word(o, false, OP.i32Rotl);
      return true;
    case 124: // RORIW
      word(o, true, OP.i32Rotr);
      return true;
    case 125: // RORW
      word(o, false, OP.i32Rotr);
      return true;
    case 126: { // ORC_B
      const c = 0x7f7f7f7f7f7f7f7fn;
      o.rs1();
      w.i64(c).op(OP.i64And).i64(c).op(OP.i64Add);
      o.rs1();
      w.op(OP.i64Or).i64(7).op(OP.i64ShrU).i64(0x0101010101010101n).op(OP.i64And);
      w.i64(0xff).op(OP.i64Mul);
      return true;
    }
    case 127: { // REV8
      const m8 = 0x00ff00ff00ff00ffn;
      const m16 = 0x0000ffff0000ffffn;
      const V = o.temps[0];
      o.rs1();
      w.set(V);
      w.get(V).i64(8).op(OP.i64ShrU).i64(m8).op(OP.i64And);
      w.get(V).i64(m8).op(OP.i64And).i64(8).op(OP.i64Shl).op(OP.i64Or).set(V);
      w.get(V).i64(16).op(OP.i64ShrU).i64(m16).op(OP.i64And);
      w.get(V).i64(m16).op(OP.i64And).i64(16).op(OP.i64Shl).op(OP.i64Or);
      w.i64(32).op(OP.i64Rotl);
      return true;
    }
    case 128: // BCLR
    case 129: // BCLRI
    case 130: // BEXT
    case 131: // BEXTI
    case 132: // BINV
    case 133: // BINVI
    case 134: // BSET
    case 135: { // BSETI
      const amount = () => {
        if (op & 1) o.imm64();
        else o.rs2();
      };
      o.rs1();
      if (op === 130 || op === 131) {
        amount();
        w.op(OP.i64ShrU).i64(1).op(OP.i64And);
      } else {
        w.i64(1);
        amount();
        w.op(OP.i64Shl);
        if (op <= 129) w.i64(-1).op(OP.i64Xor, OP.i64And);
        else w.op(op <= 133 ? OP.i64Xor : OP.i64Or);
      }
      return true;
    }
  }
  return false;
}
