/**
 * Where every field of an RV64GC instruction sits: the register fields and
 * each immediate format's bit scramble, for the 32-bit and the compressed
 * encodings. The decoder (`decode.ts`) and the disassembler (`disasm.ts`)
 * both take their fields from here, so each format's encoding is written
 * once ({@linkcode FORMATS} lists them).
 * @module
 */

/** Sign-extends the low `bits` of `v`. */
export function sext(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}

// ------------------------------------------------------------- 32-bit forms

/** Bit position of rd (5 bits). */
export const RD = 7;
/** Bit position of funct3 (3 bits). */
export const F3 = 12;
/** Bit position of rs1 (5 bits). */
export const RS1 = 15;
/** Bit position of rs2 (5 bits). */
export const RS2 = 20;
/** Bit position of funct7 (the top 7 bits). */
export const F7 = 25;
/** Bit position of the I-type immediate (the top 12 bits, signed). */
export const IMM_I = 20;
/** Bit position of a compressed rd/rs1 (5 bits; rs1'/rd' is its low 3 bits). */
export const C_RD = 7;
/** Bit position of a compressed rs2 (5 bits; rd'/rs2' is its low 3 bits). */
export const C_RS2 = 2;

/** Destination register (bits 11:7). */
export function rdOf(w: number): number {
  return (w >>> RD) & 31;
}

/** First source register (bits 19:15). */
export function rs1Of(w: number): number {
  return (w >>> RS1) & 31;
}

/** Second source register (bits 24:20). */
export function rs2Of(w: number): number {
  return (w >>> RS2) & 31;
}

/** Third source register of the fused multiply-adds (bits 31:27). */
export function rs3Of(w: number): number {
  return w >>> 27;
}

/** funct3 (bits 14:12): also the rounding mode of FP instructions. */
export function f3Of(w: number): number {
  return (w >>> F3) & 7;
}

/** funct7 (bits 31:25). */
export function f7Of(w: number): number {
  return w >>> F7;
}

/** I-type immediate (bits 31:20, signed). */
export function immI(w: number): number {
  return w >> IMM_I;
}

/** S-type immediate (bits 31:25 and 11:7, signed). */
export function immS(w: number): number {
  return ((w >> 25) << 5) | ((w >>> 7) & 31);
}

/** B-type branch offset (signed, even). */
export function immB(w: number): number {
  return ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 63) << 5) |
    (((w >>> 8) & 15) << 1);
}

/** U-type immediate (bits 31:12 in place, signed as a 32-bit value). */
export function immU(w: number): number {
  return w & 0xfffff000;
}

/** J-type jump offset (signed, even). */
export function immJ(w: number): number {
  return ((w >> 31) << 20) | (((w >>> 12) & 255) << 12) | (((w >>> 20) & 1) << 11) |
    (((w >>> 21) & 1023) << 1);
}

/** 6-bit shift amount of the RV64 shifts by immediate (bits 25:20). */
export function shamt6(w: number): number {
  return (w >>> 20) & 63;
}

/** CSR number (bits 31:20). */
export function csrOf(w: number): number {
  return (w >>> 20) & 0xfff;
}

/** A fence's mode (bits 31:28). */
export function fenceFm(w: number): number {
  return w >>> 28;
}

/** A fence's predecessor set (bits 27:24, `iorw`). */
export function fencePred(w: number): number {
  return (w >>> 24) & 15;
}

/** A fence's successor set (bits 23:20, `iorw`). */
export function fenceSucc(w: number): number {
  return (w >>> 20) & 15;
}

/** An AMO's operation (funct5, bits 31:27). */
export function amoFunct5(w: number): number {
  return w >>> 27;
}

/** An AMO's ordering bits: aq (2) and rl (1) (bits 26:25). */
export function amoOrder(w: number): number {
  return (w >>> 25) & 3;
}

// ------------------------------------------------------------ 16-bit forms

/** Full register field rd/rs1 of CR/CI forms (bits 11:7). */
export function cRd(c: number): number {
  return (c >>> C_RD) & 31;
}

/** Full register field rs2 of CR/CSS forms (bits 6:2). */
export function cRs2(c: number): number {
  return (c >>> C_RS2) & 31;
}

/** Compressed register rd'/rs2' (bits 4:2, x8..x15). */
export function cRdP(c: number): number {
  return 8 + ((c >>> C_RS2) & 7);
}

/** Compressed register rs1'/rd' (bits 9:7, x8..x15). */
export function cRs1P(c: number): number {
  return 8 + ((c >>> C_RD) & 7);
}

/** CI signed 6-bit immediate (bits 12 and 6:2): c.addi, c.addiw, c.li, c.andi, c.lui. */
export function cImm6(c: number): number {
  return ((((c >>> 7) & 0x20) | ((c >>> 2) & 0x1f)) << 26) >> 26;
}

/** CI unsigned 6-bit immediate (bits 12 and 6:2): the shift amounts. */
export function cUimm6(c: number): number {
  return ((c >>> 7) & 0x20) | ((c >>> 2) & 0x1f);
}

/** CIW c.addi4spn's unsigned immediate nzuimm[5:4|9:6|2|3]. */
export function cAddi4spnImm(c: number): number {
  return ((c >>> 7) & 0x30) | ((c >>> 1) & 0x3c0) | ((c >>> 4) & 4) | ((c >>> 2) & 8);
}

/** CI c.addi16sp's signed immediate nzimm[9|4|6|8:7|5]. */
export function cAddi16spImm(c: number): number {
  return ((((c >>> 3) & 0x200) | ((c >>> 2) & 0x10) | ((c << 1) & 0x40) | ((c << 4) & 0x180) |
    ((c << 3) & 0x20)) << 22) >> 22;
}

/** CL/CS word offset uimm[5:3|2|6] (c.lw, c.sw). */
export function cOffW(c: number): number {
  return ((c >>> 7) & 0x38) | ((c >>> 4) & 4) | ((c << 1) & 0x40);
}

/** CL/CS doubleword offset uimm[5:3|7:6] (c.ld, c.sd, c.fld, c.fsd). */
export function cOffD(c: number): number {
  return ((c >>> 7) & 0x38) | ((c << 1) & 0xc0);
}

/** CI c.lwsp offset uimm[5|4:2|7:6]. */
export function cLwspOff(c: number): number {
  return ((c >>> 7) & 0x20) | ((c >>> 2) & 0x1c) | ((c << 4) & 0xc0);
}

/** CI c.ldsp / c.fldsp offset uimm[5|4:3|8:6]. */
export function cLdspOff(c: number): number {
  return ((c >>> 7) & 0x20) | ((c >>> 2) & 0x18) | ((c << 4) & 0x1c0);
}

/** CSS c.swsp offset uimm[5:2|7:6]. */
export function cSwspOff(c: number): number {
  return ((c >>> 7) & 0x3c) | ((c >>> 1) & 0xc0);
}

/** CSS c.sdsp / c.fsdsp offset uimm[5:3|8:6]. */
export function cSdspOff(c: number): number {
  return ((c >>> 7) & 0x38) | ((c >>> 1) & 0x1c0);
}

/** CJ jump offset (c.j), signed. */
export function cJOff(c: number): number {
  return ((((c >>> 1) & 0x800) | ((c >>> 7) & 0x10) | ((c >>> 1) & 0x300) | ((c << 2) & 0x400) |
    ((c >>> 1) & 0x40) | ((c << 1) & 0x80) | ((c >>> 2) & 0xe) | ((c << 3) & 0x20)) << 20) >> 20;
}

/** CB branch offset (c.beqz, c.bnez), signed. */
export function cBOff(c: number): number {
  return ((((c >>> 4) & 0x100) | ((c >>> 7) & 0x18) | ((c << 1) & 0xc0) | ((c >>> 2) & 6) |
    ((c << 3) & 0x20)) << 23) >> 23;
}

/** The immediate formats, by name, with their extractors. */
export const FORMATS: Readonly<Record<string, (bits: number) => number>> = {
  I: immI,
  S: immS,
  B: immB,
  U: immU,
  J: immJ,
  shamt: shamt6,
  csr: csrOf,
  CI: cImm6,
  CIu: cUimm6,
  CIW: cAddi4spnImm,
  CI16sp: cAddi16spImm,
  CLW: cOffW,
  CLD: cOffD,
  CIlwsp: cLwspOff,
  CIldsp: cLdspOff,
  CSSw: cSwspOff,
  CSSd: cSdspOff,
  CJ: cJOff,
  CB: cBOff,
};
