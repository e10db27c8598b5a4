/**
 * A tiny RISC-V encoder for tests: builds instruction words from the ISA
 * manual's formats, so tests can hand-assemble programs.
 * @module
 */

/** R-type. */
export function rType(
  opcode: number,
  f3: number,
  f7: number,
  rd: number,
  rs1: number,
  rs2: number,
): number {
  return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) >>> 0;
}

/** I-type. */
export function iType(opcode: number, f3: number, rd: number, rs1: number, imm: number): number {
  return (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) >>> 0;
}

/** S-type. */
export function sType(opcode: number, f3: number, rs1: number, rs2: number, imm: number): number {
  return ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    ((imm & 31) << 7) | opcode) >>> 0;
}

/** B-type (imm is the byte offset, even). */
export function bType(f3: number, rs1: number, rs2: number, imm: number): number {
  return ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
    (f3 << 12) | (((imm >> 1) & 15) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;
}

/** U-type (imm is the full value whose low 12 bits are zero). */
export function uType(opcode: number, rd: number, imm: number): number {
  return ((imm & 0xfffff000) | (rd << 7) | opcode) >>> 0;
}

/** J-type JAL. */
export function jal(rd: number, imm: number): number {
  return ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0;
}

/** Register-register ops by mnemonic: [opcode, f3, f7]. */
export const R_OPS: Readonly<Record<string, readonly [number, number, number]>> = {
  add: [0x33, 0, 0],
  sub: [0x33, 0, 0x20],
  sll: [0x33, 1, 0],
  slt: [0x33, 2, 0],
  sltu: [0x33, 3, 0],
  xor: [0x33, 4, 0],
  srl: [0x33, 5, 0],
  sra: [0x33, 5, 0x20],
  or: [0x33, 6, 0],
  and: [0x33, 7, 0],
  mul: [0x33, 0, 1],
  mulh: [0x33, 1, 1],
  mulhsu: [0x33, 2, 1],
  mulhu: [0x33, 3, 1],
  div: [0x33, 4, 1],
  divu: [0x33, 5, 1],
  rem: [0x33, 6, 1],
  remu: [0x33, 7, 1],
  addw: [0x3b, 0, 0],
  subw: [0x3b, 0, 0x20],
  sllw: [0x3b, 1, 0],
  srlw: [0x3b, 5, 0],
  sraw: [0x3b, 5, 0x20],
  mulw: [0x3b, 0, 1],
  divw: [0x3b, 4, 1],
  divuw: [0x3b, 5, 1],
  remw: [0x3b, 6, 1],
  remuw: [0x3b, 7, 1],
  "add.uw": [0x3b, 0, 4],
  sh1add: [0x33, 2, 0x10],
  sh2add: [0x33, 4, 0x10],
  sh3add: [0x33, 6, 0x10],
  "sh1add.uw": [0x3b, 2, 0x10],
  "sh2add.uw": [0x3b, 4, 0x10],
  "sh3add.uw": [0x3b, 6, 0x10],
  andn: [0x33, 7, 0x20],
  orn: [0x33, 6, 0x20],
  xnor: [0x33, 4, 0x20],
  max: [0x33, 6, 5],
  maxu: [0x33, 7, 5],
  min: [0x33, 4, 5],
  minu: [0x33, 5, 5],
  rol: [0x33, 1, 0x30],
  ror: [0x33, 5, 0x30],
  rolw: [0x3b, 1, 0x30],
  rorw: [0x3b, 5, 0x30],
  bclr: [0x33, 1, 0x24],
  bext: [0x33, 5, 0x24],
  binv: [0x33, 1, 0x34],
  bset: [0x33, 1, 0x14],
};

/** Encodes a register-register op by mnemonic. */
export function rOp(name: string, rd: number, rs1: number, rs2: number): number {
  const [opc, f3, f7] = R_OPS[name];
  return rType(opc, f3, f7, rd, rs1, rs2);
}

/** Immediate ALU ops by mnemonic: [opcode, f3, high bits of the imm field or -1 for a plain imm]. */
export const I_OPS: Readonly<Record<string, readonly [number, number, number]>> = {
  addi: [0x13, 0, -1],
  slti: [0x13, 2, -1],
  sltiu: [0x13, 3, -1],
  xori: [0x13, 4, -1],
  ori: [0x13, 6, -1],
  andi: [0x13, 7, -1],
  addiw: [0x1b, 0, -1],
  slli: [0x13, 1, 0x000],
  srli: [0x13, 5, 0x000],
  srai: [0x13, 5, 0x400],
  slliw: [0x1b, 1, 0x000],
  srliw: [0x1b, 5, 0x000],
  sraiw: [0x1b, 5, 0x400],
  rori: [0x13, 5, 0x600],
  roriw: [0x1b, 5, 0x600],
  bclri: [0x13, 1, 0x480],
  bexti: [0x13, 5, 0x480],
  binvi: [0x13, 1, 0x680],
  bseti: [0x13, 1, 0x280],
  "slli.uw": [0x1b, 1, 0x080],
};

/** Encodes an immediate ALU op by mnemonic (shift forms take the shamt as imm). */
export function iOp(name: string, rd: number, rs1: number, imm: number): number {
  const [opc, f3, hi] = I_OPS[name];
  return iType(opc, f3, rd, rs1, hi < 0 ? imm : hi | imm);
}

/** Unary Zbb ops by mnemonic: [opcode, f3, imm12]. */
export const UNARY_OPS: Readonly<Record<string, readonly [number, number, number]>> = {
  clz: [0x13, 1, 0x600],
  ctz: [0x13, 1, 0x601],
  cpop: [0x13, 1, 0x602],
  "sext.b": [0x13, 1, 0x604],
  "sext.h": [0x13, 1, 0x605],
  clzw: [0x1b, 1, 0x600],
  ctzw: [0x1b, 1, 0x601],
  cpopw: [0x1b, 1, 0x602],
  "orc.b": [0x13, 5, 0x287],
  rev8: [0x13, 5, 0x6b8],
  "zext.h": [0x3b, 4, 0x080],
};

/** Encodes a unary Zbb op by mnemonic. */
export function unOp(name: string, rd: number, rs1: number): number {
  const [opc, f3, imm] = UNARY_OPS[name];
  return iType(opc, f3, rd, rs1, imm);
}

/** Load: lb lh lw ld lbu lhu lwu. */
export function load(name: string, rd: number, rs1: number, imm: number): number {
  const f3 = ["lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"].indexOf(name);
  return iType(0x03, f3, rd, rs1, imm);
}

/** Store: sb sh sw sd. */
export function store(name: string, rs2: number, rs1: number, imm: number): number {
  const f3 = ["sb", "sh", "sw", "sd"].indexOf(name);
  return sType(0x23, f3, rs1, rs2, imm);
}

/** Branch: beq bne blt bge bltu bgeu. */
export function branch(name: string, rs1: number, rs2: number, imm: number): number {
  const f3 = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 }[name]!;
  return bType(f3, rs1, rs2, imm);
}

/** JALR. */
export function jalr(rd: number, rs1: number, imm: number): number {
  return iType(0x67, 0, rd, rs1, imm);
}

/** LUI. */
export function lui(rd: number, imm: number): number {
  return uType(0x37, rd, imm);
}

/** AUIPC. */
export function auipc(rd: number, imm: number): number {
  return uType(0x17, rd, imm);
}

/** AMO by mnemonic suffix (e.g. "amoadd", "lr", "sc") and width "w" or "d". */
export function amo(name: string, width: "w" | "d", rd: number, rs1: number, rs2: number): number {
  const f5 = {
    lr: 0x02,
    sc: 0x03,
    amoswap: 0x01,
    amoadd: 0x00,
    amoxor: 0x04,
    amoand: 0x0c,
    amoor: 0x08,
    amomin: 0x10,
    amomax: 0x14,
    amominu: 0x18,
    amomaxu: 0x1c,
  }[name]!;
  return rType(0x2f, width === "w" ? 2 : 3, f5 << 2, rd, rs1, rs2);
}

/** CSR instruction: csrrw csrrs csrrc csrrwi csrrsi csrrci (rs1 is the zimm for I forms). */
export function csr(name: string, rd: number, rs1: number, csrNum: number): number {
  const f3 = ["", "csrrw", "csrrs", "csrrc", "", "csrrwi", "csrrsi", "csrrci"].indexOf(name);
  return iType(0x73, f3, rd, rs1, csrNum);
}

/** ECALL. */
export const ECALL = 0x00000073;
/** EBREAK. */
export const EBREAK = 0x00100073;

/** Little-endian bytes of a program given as 32-bit words and 16-bit compressed halves. */
export function assemble(parts: readonly (number | { c: number })[]): Uint8Array {
  const bytes: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") bytes.push(p & 255, (p >>> 8) & 255, (p >>> 16) & 255, p >>> 24);
    else bytes.push(p.c & 255, (p.c >>> 8) & 255);
  }
  return Uint8Array.from(bytes);
}
