/**
 * Instruction decoder: turns one RV64GC instruction (32-bit, or 16-bit
 * compressed) into the packed form the interpreter executes (see `ops.ts`).
 * Compressed instructions expand to the same ops as their 32-bit twins, with
 * the compressed bit set so the pc advances by 2. The fields come from
 * `fields.ts`, which the disassembler uses too.
 * @module
 */

import {
  amoFunct5,
  C_RD,
  C_RS2,
  cAddi16spImm,
  cAddi4spnImm,
  cBOff,
  cImm6,
  cJOff,
  cLdspOff,
  cLwspOff,
  cOffD,
  cOffW,
  cSdspOff,
  csrOf,
  cSwspOff,
  cUimm6,
  F3,
  F7,
  IMM_I,
  immB,
  immJ,
  immS,
  immU,
  RD,
  RS1,
  RS2,
  rs2Of,
  rs3Of,
  shamt6,
} from "./fields.ts";
import { X_SINK } from "./hart.ts";

/** Bit set in a decoded word when the instruction was 16 bits long. */
export const COMPRESSED = 1 << 26;

/** A decoded instruction: the packed word and its immediate. */
export interface Decoded {
  /** `op | rd << 8 | rs1 << 14 | rs2 << 20 | compressed << 26`. */
  word: number;
  /** Sign-extended immediate (or `rs3 | rm << 5` for FP, or the CSR number). */
  imm: number;
}

const ILLEGAL = 1;

/** Packs an op with an integer destination (x0 goes to the sink). */
function ri(op: number, rd: number, rs1: number, rs2: number): number {
  return op | ((rd === 0 ? X_SINK : rd) << 8) | (rs1 << 14) | (rs2 << 20);
}

/** Packs an op whose destination is not an integer register (FP, stores, branches). */
function rf(op: number, rd: number, rs1: number, rs2: number): number {
  return op | (rd << 8) | (rs1 << 14) | (rs2 << 20);
}

/**
 * Decodes `inst` (the low 16 bits alone when compressed) into `out`.
 * Unknown or reserved encodings decode to the ILLEGAL op.
 */
export function decode(inst: number, out: Decoded): void {
  if ((inst & 3) !== 3) {
    decodeCompressed(inst & 0xffff, out);
    if ((out.word & 255) !== ILLEGAL) out.word |= COMPRESSED;
    return;
  }
  out.imm = 0;
  out.word = decode32(inst | 0, out);
}

function decode32(inst: number, out: Decoded): number {
  const opcode = inst & 0x7f;
  // The register fields inline (positions from fields.ts): a call each costs
  // measurable start-up time while V8 still runs this cold code unoptimised.
  const rd = (inst >>> RD) & 31;
  const f3 = (inst >>> F3) & 7;
  const rs1 = (inst >>> RS1) & 31;
  const rs2 = (inst >>> RS2) & 31;
  const f7 = inst >>> F7;
  const immI = inst >> IMM_I;
  switch (opcode) {
    case 0x37: // LUI
      out.imm = immU(inst);
      return ri(2, rd, 0, 0);
    case 0x17: // AUIPC
      out.imm = immU(inst);
      return ri(3, rd, 0, 0);
    case 0x6f: // JAL
      out.imm = immJ(inst);
      return ri(4, rd, 0, 0);
    case 0x67: // JALR
      if (f3 !== 0) return ILLEGAL;
      out.imm = immI;
      return ri(5, rd, rs1, 0);
    case 0x63: { // BRANCH
      if (f3 === 2 || f3 === 3) return ILLEGAL;
      out.imm = immB(inst);
      const op = f3 < 2 ? 6 + f3 : 4 + f3; // BEQ BNE | BLT BGE BLTU BGEU
      return rf(op, 0, rs1, rs2);
    }
    case 0x03: // LOAD: LB LH LW LD LBU LHU LWU
      if (f3 === 7) return ILLEGAL;
      out.imm = immI;
      return ri(12 + f3, rd, rs1, 0);
    case 0x23: // STORE: SB SH SW SD
      if (f3 > 3) return ILLEGAL;
      out.imm = immS(inst);
      return rf(19 + f3, 0, rs1, rs2);
    case 0x13:
      return decodeOpImm(inst, rd, f3, rs1, immI, out);
    case 0x1b:
      return decodeOpImm32(inst, rd, f3, rs1, immI, out);
    case 0x33:
      return decodeOp(rd, f3, rs1, rs2, f7);
    case 0x3b:
      return decodeOp32(rd, f3, rs1, rs2, f7);
    case 0x0f: // MISC-MEM
      if (f3 === 0) return rf(51, 0, 0, 0); // FENCE
      if (f3 === 1) return rf(52, 0, 0, 0); // FENCE.I
      return ILLEGAL;
    case 0x73:
      return decodeSystem(inst, rd, f3, rs1, out);
    case 0x2f:
      return decodeAmo(inst, rd, f3, rs1, rs2);
    case 0x07: // LOAD-FP
      out.imm = immI;
      if (f3 === 2) return rf(136, rd, rs1, 0); // FLW
      if (f3 === 3) return rf(137, rd, rs1, 0); // FLD
      return ILLEGAL;
    case 0x27: // STORE-FP
      out.imm = immS(inst);
      if (f3 === 2) return rf(138, 0, rs1, rs2); // FSW
      if (f3 === 3) return rf(139, 0, rs1, rs2); // FSD
      return ILLEGAL;
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f: { // FMADD FMSUB FNMSUB FNMADD
      const fmt = (inst >> 25) & 3;
      if (fmt > 1) return ILLEGAL;
      out.imm = rs3Of(inst) | (f3 << 5);
      return rf((fmt === 0 ? 160 : 190) + ((opcode - 0x43) >> 2), rd, rs1, rs2);
    }
    case 0x53:
      out.imm = f3 << 5;
      return decodeOpFp(rd, f3, rs1, rs2, f7);
  }
  return ILLEGAL;
}

function decodeOpImm(
  inst: number,
  rd: number,
  f3: number,
  rs1: number,
  immI: number,
  out: Decoded,
): number {
  const f6 = (inst >>> 26) & 63;
  const f12 = csrOf(inst); // the whole funct12 field
  const shamt = shamt6(inst);
  switch (f3) {
    case 0: // ADDI
    case 2: // SLTI
    case 3: // SLTIU
    case 4: // XORI
    case 6: // ORI
    case 7: // ANDI
      out.imm = immI;
      return ri([23, 0, 24, 25, 26, 0, 27, 28][f3], rd, rs1, 0);
    case 1:
      out.imm = shamt;
      if (f6 === 0) return ri(29, rd, rs1, 0); // SLLI
      if (f6 === 0x12) return ri(129, rd, rs1, 0); // BCLRI
      if (f6 === 0x1a) return ri(133, rd, rs1, 0); // BINVI
      if (f6 === 0x0a) return ri(135, rd, rs1, 0); // BSETI
      out.imm = 0;
      if (f12 === 0x600) return ri(107, rd, rs1, 0); // CLZ
      if (f12 === 0x601) return ri(109, rd, rs1, 0); // CTZ
      if (f12 === 0x602) return ri(111, rd, rs1, 0); // CPOP
      if (f12 === 0x604) return ri(117, rd, rs1, 0); // SEXT.B
      if (f12 === 0x605) return ri(118, rd, rs1, 0); // SEXT.H
      return ILLEGAL;
    case 5:
      out.imm = shamt;
      if (f6 === 0) return ri(30, rd, rs1, 0); // SRLI
      if (f6 === 0x10) return ri(31, rd, rs1, 0); // SRAI
      if (f6 === 0x18) return ri(123, rd, rs1, 0); // RORI
      if (f6 === 0x12) return ri(131, rd, rs1, 0); // BEXTI
      out.imm = 0;
      if (f12 === 0x287) return ri(126, rd, rs1, 0); // ORC.B
      if (f12 === 0x6b8) return ri(127, rd, rs1, 0); // REV8
      return ILLEGAL;
  }
  return ILLEGAL;
}

function decodeOpImm32(
  inst: number,
  rd: number,
  f3: number,
  rs1: number,
  immI: number,
  out: Decoded,
): number {
  const f7 = inst >>> 25;
  const f12 = csrOf(inst); // the whole funct12 field
  const shamt5 = rs2Of(inst);
  if (f3 === 0) {
    out.imm = immI;
    return ri(42, rd, rs1, 0); // ADDIW
  }
  if (f3 === 1) {
    if ((inst >>> 26) === 0x02) {
      out.imm = shamt6(inst);
      return ri(103, rd, rs1, 0); // SLLI.UW
    }
    if (f7 === 0) {
      out.imm = shamt5;
      return ri(43, rd, rs1, 0); // SLLIW
    }
    if (f12 === 0x600) return ri(108, rd, rs1, 0); // CLZW
    if (f12 === 0x601) return ri(110, rd, rs1, 0); // CTZW
    if (f12 === 0x602) return ri(112, rd, rs1, 0); // CPOPW
    return ILLEGAL;
  }
  if (f3 === 5) {
    out.imm = shamt5;
    if (f7 === 0) return ri(44, rd, rs1, 0); // SRLIW
    if (f7 === 0x20) return ri(45, rd, rs1, 0); // SRAIW
    if (f7 === 0x30) return ri(124, rd, rs1, 0); // RORIW
  }
  return ILLEGAL;
}

function decodeOp(rd: number, f3: number, rs1: number, rs2: number, f7: number): number {
  let op = 0;
  switch (f7) {
    case 0x00: // ADD SLL SLT SLTU XOR SRL OR AND
      op = [32, 34, 35, 36, 37, 38, 40, 41][f3];
      break;
    case 0x20: // SUB, SRA, XNOR, ORN, ANDN
      op = f3 === 0 ? 33 : f3 === 5 ? 39 : f3 === 4 ? 106 : f3 === 6 ? 105 : f3 === 7 ? 104 : 0;
      break;
    case 0x01: // MUL MULH MULHSU MULHU DIV DIVU REM REMU
      op = 61 + f3;
      break;
    case 0x10: // SH1ADD SH2ADD SH3ADD
      op = f3 === 2 ? 97 : f3 === 4 ? 98 : f3 === 6 ? 99 : 0;
      break;
    case 0x05: // MIN MINU MAX MAXU
      op = f3 === 4 ? 115 : f3 === 5 ? 116 : f3 === 6 ? 113 : f3 === 7 ? 114 : 0;
      break;
    case 0x30: // ROL ROR
      op = f3 === 1 ? 120 : f3 === 5 ? 122 : 0;
      break;
    case 0x24: // BCLR BEXT
      op = f3 === 1 ? 128 : f3 === 5 ? 130 : 0;
      break;
    case 0x34: // BINV
      op = f3 === 1 ? 132 : 0;
      break;
    case 0x14: // BSET
      op = f3 === 1 ? 134 : 0;
      break;
  }
  return op === 0 ? ILLEGAL : ri(op, rd, rs1, rs2);
}

function decodeOp32(rd: number, f3: number, rs1: number, rs2: number, f7: number): number {
  let op = 0;
  switch (f7) {
    case 0x00: // ADDW SLLW SRLW
      op = f3 === 0 ? 46 : f3 === 1 ? 48 : f3 === 5 ? 49 : 0;
      break;
    case 0x20: // SUBW SRAW
      op = f3 === 0 ? 47 : f3 === 5 ? 50 : 0;
      break;
    case 0x01: // MULW DIVW DIVUW REMW REMUW
      op = f3 === 0 ? 69 : f3 >= 4 ? 66 + f3 : 0;
      break;
    case 0x04: // ADD.UW, ZEXT.H
      op = f3 === 0 ? 96 : f3 === 4 && rs2 === 0 ? 119 : 0;
      break;
    case 0x10: // SH1ADD.UW SH2ADD.UW SH3ADD.UW
      op = f3 === 2 ? 100 : f3 === 4 ? 101 : f3 === 6 ? 102 : 0;
      break;
    case 0x30: // ROLW RORW
      op = f3 === 1 ? 121 : f3 === 5 ? 125 : 0;
      break;
  }
  return op === 0 ? ILLEGAL : ri(op, rd, rs1, rs2);
}

function decodeSystem(inst: number, rd: number, f3: number, rs1: number, out: Decoded): number {
  if (f3 === 0) {
    if (inst === 0x00000073) return rf(53, 0, 0, 0); // ECALL
    if (inst === 0x00100073) return rf(54, 0, 0, 0); // EBREAK
    return ILLEGAL;
  }
  if (f3 === 4) return ILLEGAL;
  out.imm = csrOf(inst);
  // CSRRW CSRRS CSRRC CSRRWI CSRRSI CSRRCI; rs1 holds the zimm for the I forms.
  return ri(f3 < 4 ? 54 + f3 : 53 + f3, rd, rs1, 0);
}

function decodeAmo(inst: number, rd: number, f3: number, rs1: number, rs2: number): number {
  if (f3 !== 2 && f3 !== 3) return ILLEGAL;
  const base = f3 === 2 ? 74 : 85;
  const f5 = amoFunct5(inst);
  const order = [0x02, 0x03, 0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c];
  const k = order.indexOf(f5);
  if (k < 0 || (k === 0 && rs2 !== 0)) return ILLEGAL;
  return ri(base + k, rd, rs1, rs2);
}

function decodeOpFp(rd: number, f3: number, rs1: number, rs2: number, f7: number): number {
  const d = f7 & 1; // 0 = single, 1 = double
  const base = d ? 190 : 160;
  switch (f7 & ~1) {
    case 0x00:
      return rf(base + 4, rd, rs1, rs2); // FADD
    case 0x04:
      return rf(base + 5, rd, rs1, rs2); // FSUB
    case 0x08:
      return rf(base + 6, rd, rs1, rs2); // FMUL
    case 0x0c:
      return rf(base + 7, rd, rs1, rs2); // FDIV
    case 0x2c:
      return rs2 === 0 ? rf(base + 8, rd, rs1, 0) : ILLEGAL; // FSQRT
    case 0x10:
      return f3 <= 2 ? rf(base + 9 + f3, rd, rs1, rs2) : ILLEGAL; // FSGNJ FSGNJN FSGNJX
    case 0x14:
      return f3 <= 1 ? rf(base + 12 + f3, rd, rs1, rs2) : ILLEGAL; // FMIN FMAX
    case 0x20: // FCVT.S.D (f7 0x20, rs2 1) and FCVT.D.S (f7 0x21, rs2 0)
      if (d === 0 && rs2 === 1) return rf(218, rd, rs1, 0);
      if (d === 1 && rs2 === 0) return rf(219, rd, rs1, 0);
      return ILLEGAL;
    case 0x60: // FCVT.W/WU/L/LU from float
      return rs2 <= 3 ? ri(base + 14 + rs2, rd, rs1, 0) : ILLEGAL;
    case 0x68: // FCVT to float from W/WU/L/LU
      return rs2 <= 3 ? rf(base + 23 + rs2, rd, rs1, 0) : ILLEGAL;
    case 0x70: // FMV.X.W/D, FCLASS
      if (rs2 !== 0) return ILLEGAL;
      if (f3 === 0) return ri(base + 18, rd, rs1, 0);
      if (f3 === 1) return ri(base + 19, rd, rs1, 0);
      return ILLEGAL;
    case 0x50: // FLE FLT FEQ
      if (f3 === 0) return ri(base + 22, rd, rs1, rs2);
      if (f3 === 1) return ri(base + 21, rd, rs1, rs2);
      if (f3 === 2) return ri(base + 20, rd, rs1, rs2);
      return ILLEGAL;
    case 0x78: // FMV.W.X / FMV.D.X
      return rs2 === 0 && f3 === 0 ? rf(base + 27, rd, rs1, 0) : ILLEGAL;
  }
  return ILLEGAL;
}

function decodeCompressed(c: number, out: Decoded): void {
  const q = c & 3;
  const f3 = c >> 13;
  const rdp = 8 + ((c >>> C_RS2) & 7); // rd' / rs2'
  const rs1p = 8 + ((c >>> C_RD) & 7); // rs1' / rd'
  const rd = (c >>> C_RD) & 31;
  const rs2 = (c >>> C_RS2) & 31;
  out.imm = 0;
  out.word = ILLEGAL;
  if (q === 0) {
    switch (f3) {
      case 0: { // C.ADDI4SPN
        const imm = cAddi4spnImm(c);
        if (imm === 0) return;
        out.imm = imm;
        out.word = ri(23, rdp, 2, 0);
        return;
      }
      case 1: // C.FLD
        out.imm = cOffD(c);
        out.word = rf(137, rdp, rs1p, 0);
        return;
      case 2: // C.LW
        out.imm = cOffW(c);
        out.word = ri(14, rdp, rs1p, 0);
        return;
      case 3: // C.LD
        out.imm = cOffD(c);
        out.word = ri(15, rdp, rs1p, 0);
        return;
      case 5: // C.FSD
        out.imm = cOffD(c);
        out.word = rf(139, 0, rs1p, rdp);
        return;
      case 6: // C.SW
        out.imm = cOffW(c);
        out.word = rf(21, 0, rs1p, rdp);
        return;
      case 7: // C.SD
        out.imm = cOffD(c);
        out.word = rf(22, 0, rs1p, rdp);
        return;
    }
    return;
  }
  if (q === 1) {
    const imm6 = cImm6(c);
    switch (f3) {
      case 0: // C.ADDI (C.NOP when rd = 0)
        out.imm = imm6;
        out.word = ri(23, rd, rd, 0);
        return;
      case 1: // C.ADDIW
        if (rd === 0) return;
        out.imm = imm6;
        out.word = ri(42, rd, rd, 0);
        return;
      case 2: // C.LI
        out.imm = imm6;
        out.word = ri(23, rd, 0, 0);
        return;
      case 3:
        if (rd === 2) { // C.ADDI16SP
          const imm = cAddi16spImm(c);
          if (imm === 0) return;
          out.imm = imm;
          out.word = ri(23, 2, 2, 0);
          return;
        }
        if (imm6 === 0) return; // C.LUI with nzimm = 0 is reserved
        out.imm = imm6 << 12;
        out.word = ri(2, rd, 0, 0);
        return;
      case 4: {
        const f2 = (c >> 10) & 3;
        const shamt = cUimm6(c);
        if (f2 === 0) { // C.SRLI
          out.imm = shamt;
          out.word = ri(30, rs1p, rs1p, 0);
        } else if (f2 === 1) { // C.SRAI
          out.imm = shamt;
          out.word = ri(31, rs1p, rs1p, 0);
        } else if (f2 === 2) { // C.ANDI
          out.imm = imm6;
          out.word = ri(28, rs1p, rs1p, 0);
        } else {
          const sub = (c >> 5) & 3;
          if ((c & 0x1000) === 0) {
            out.word = ri([33, 37, 40, 41][sub], rs1p, rs1p, rdp); // C.SUB C.XOR C.OR C.AND
          } else if (sub < 2) {
            out.word = ri(sub === 0 ? 47 : 46, rs1p, rs1p, rdp); // C.SUBW C.ADDW
          }
        }
        return;
      }
      case 5: // C.J
        out.imm = cJOff(c);
        out.word = ri(4, 0, 0, 0);
        return;
      case 6: // C.BEQZ
      case 7: // C.BNEZ
        out.imm = cBOff(c);
        out.word = rf(f3 === 6 ? 6 : 7, 0, rs1p, 0);
        return;
    }
    return;
  }
  if (q === 2) {
    switch (f3) {
      case 0: // C.SLLI
        out.imm = cUimm6(c);
        out.word = ri(29, rd, rd, 0);
        return;
      case 1: // C.FLDSP
        out.imm = cLdspOff(c);
        out.word = rf(137, rd, 2, 0);
        return;
      case 2: // C.LWSP
        if (rd === 0) return;
        out.imm = cLwspOff(c);
        out.word = ri(14, rd, 2, 0);
        return;
      case 3: // C.LDSP
        if (rd === 0) return;
        out.imm = cLdspOff(c);
        out.word = ri(15, rd, 2, 0);
        return;
      case 4:
        if ((c & 0x1000) === 0) {
          if (rs2 === 0) { // C.JR
            if (rd === 0) return;
            out.word = ri(5, 0, rd, 0);
          } else { // C.MV
            out.word = ri(32, rd, 0, rs2);
          }
        } else if (rs2 === 0) {
          if (rd === 0) out.word = rf(54, 0, 0, 0); // C.EBREAK
          else out.word = ri(5, 1, rd, 0); // C.JALR
        } else { // C.ADD
          out.word = ri(32, rd, rd, rs2);
        }
        return;
      case 5: // C.FSDSP
        out.imm = cSdspOff(c);
        out.word = rf(139, 0, 2, rs2);
        return;
      case 6: // C.SWSP
        out.imm = cSwspOff(c);
        out.word = rf(21, 0, 2, rs2);
        return;
      case 7: // C.SDSP
        out.imm = cSdspOff(c);
        out.word = rf(22, 0, 2, rs2);
        return;
    }
  }
}
