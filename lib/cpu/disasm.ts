/**
 * A disassembler for RV64GC plus Zba, Zbb and Zbs that prints what GNU
 * objdump (binutils 2.40) prints for each instruction: its default style
 * with pseudo-instructions (`li a0,1`, `ret`, `add sp,sp,-16` for
 * `c.addi sp,-16`), or `-M no-aliases` (`c.li a0,1`, `jalr zero,0(ra)`).
 *
 * ```ts
 * import { Disassembler } from "./disasm.ts";
 * const d = new Disassembler();
 * d.decode(0x1141, 0x11000).text; // "add\tsp,sp,-16"
 * ```
 *
 * Like objdump, a {@linkcode Disassembler} remembers the values that `lui`,
 * `auipc` and `c.lui` put in registers, so that a later `addi`, load, store
 * or `jalr` based on that register gets a `# 0x12078` comment with the
 * address it forms (tp- and zero-based accesses get one too). Feed it
 * instructions in address order to get objdump's comments; a fresh
 * disassembler knows no register values.
 *
 * Branch and jump targets, and comment addresses, print as `0x11040`; with
 * a symbolizer they print as objdump prints them for files with symbols,
 * `11040 <main+0x10>`. Undecodable words print as `.4byte 0x...` or
 * `.2byte 0x...`.
 *
 * Instruction fields (registers and every immediate format) come from
 * `fields.ts`, shared with the decoder.
 * @module
 */

import * as F from "./fields.ts";
import {
  amoFunct5,
  amoOrder,
  cAddi16spImm,
  cAddi4spnImm,
  cBOff,
  cImm6,
  cJOff,
  cLdspOff,
  cLwspOff,
  cOffD,
  cOffW,
  cRd,
  cRdP,
  cRs1P,
  cRs2,
  cSdspOff,
  csrOf,
  cSwspOff,
  cUimm6,
  f3Of,
  f7Of,
  fenceFm,
  fencePred,
  fenceSucc,
  immB,
  immJ,
  immS,
  immU,
  rdOf,
  rs1Of,
  rs2Of,
} from "./fields.ts";

/** Integer register ABI names, as objdump prints them. */
export const X_NAMES: readonly string[] = [
  "zero",
  "ra",
  "sp",
  "gp",
  "tp",
  "t0",
  "t1",
  "t2",
  "s0",
  "s1",
  "a0",
  "a1",
  "a2",
  "a3",
  "a4",
  "a5",
  "a6",
  "a7",
  "s2",
  "s3",
  "s4",
  "s5",
  "s6",
  "s7",
  "s8",
  "s9",
  "s10",
  "s11",
  "t3",
  "t4",
  "t5",
  "t6",
];

/** FP register ABI names, as objdump prints them. */
export const F_NAMES: readonly string[] = [
  "ft0",
  "ft1",
  "ft2",
  "ft3",
  "ft4",
  "ft5",
  "ft6",
  "ft7",
  "fs0",
  "fs1",
  "fa0",
  "fa1",
  "fa2",
  "fa3",
  "fa4",
  "fa5",
  "fa6",
  "fa7",
  "fs2",
  "fs3",
  "fs4",
  "fs5",
  "fs6",
  "fs7",
  "fs8",
  "fs9",
  "fs10",
  "fs11",
  "ft8",
  "ft9",
  "ft10",
  "ft11",
];

/** Rounding-mode names by `rm` field value (5 and 6 are reserved). */
const RM_NAMES: readonly string[] = [
  "rne",
  "rtz",
  "rdn",
  "rup",
  "rmm",
  "unknown",
  "unknown",
  "dyn",
];

/**
 * CSR names objdump prints, as `hex:name` pairs (the unprivileged and
 * privileged specifications' CSR listings, including the hypervisor, AIA,
 * state-enable, debug and vector CSRs); numbered families are added below.
 */
const CSR_LIST = `
  1:fflags 2:frm 3:fcsr 8:vstart 9:vxsat a:vxrm f:vcsr 15:seed 100:sstatus 104:sie 105:stvec
  106:scounteren 10a:senvcfg 10c:sstateen0 10d:sstateen1 10e:sstateen2 10f:sstateen3 114:sieh
  140:sscratch 141:sepc 142:scause 143:stval 144:sip 14d:stimecmp 150:siselect 151:sireg
  154:siph 15c:stopei 15d:stimecmph 180:satp 200:vsstatus 204:vsie 205:vstvec 214:vsieh
  240:vsscratch 241:vsepc 242:vscause 243:vstval 244:vsip 24d:vstimecmp 250:vsiselect
  251:vsireg 254:vsiph 25c:vstopei 25d:vstimecmph 280:vsatp 300:mstatus 301:misa 302:medeleg
  303:mideleg 304:mie 305:mtvec 306:mcounteren 308:mvien 309:mvip 30a:menvcfg 30c:mstateen0
  30d:mstateen1 30e:mstateen2 30f:mstateen3 310:mstatush 313:midelegh 314:mieh 318:mvienh
  319:mviph 31a:menvcfgh 31c:mstateen0h 31d:mstateen1h 31e:mstateen2h 31f:mstateen3h
  320:mcountinhibit 340:mscratch 341:mepc 342:mcause 343:mtval 344:mip 34a:mtinst 34b:mtval2
  350:miselect 351:mireg 354:miph 35c:mtopei 5a8:scontext 600:hstatus 602:hedeleg 603:hideleg
  604:hie 605:htimedelta 606:hcounteren 607:hgeie 608:hvien 609:hvictl 60a:henvcfg
  60c:hstateen0 60d:hstateen1 60e:hstateen2 60f:hstateen3 613:hidelegh 615:htimedeltah
  618:hvienh 61a:henvcfgh 61c:hstateen0h 61d:hstateen1h 61e:hstateen2h 61f:hstateen3h 643:htval
  644:hip 645:hvip 646:hviprio1 647:hviprio2 64a:htinst 655:hviph 656:hviprio1h 657:hviprio2h
  680:hgatp 6a8:hcontext 747:mseccfg 757:mseccfgh 7a0:tselect 7a1:tdata1 7a2:tdata2 7a3:tdata3
  7a4:tinfo 7a5:tcontrol 7a8:mcontext 7aa:mscontext 7b0:dcsr 7b1:dpc 7b2:dscratch0
  7b3:dscratch1 b00:mcycle b02:minstret b80:mcycleh b82:minstreth c00:cycle c01:time
  c02:instret c20:vl c21:vtype c22:vlenb c80:cycleh c81:timeh c82:instreth da0:scountovf
  db0:stopi e12:hgeip eb0:vstopi f11:mvendorid f12:marchid f13:mimpid f14:mhartid
  f15:mconfigptr fb0:mtopi
`;

/** CSR names by number, for the CSRs objdump names. */
const CSR_NAMES: ReadonlyMap<number, string> = buildCsrNames();

function buildCsrNames(): Map<number, string> {
  const m = new Map<number, string>();
  for (const pair of CSR_LIST.trim().split(/\s+/)) {
    const [hex, name] = pair.split(":");
    m.set(parseInt(hex, 16), name);
  }
  for (let i = 3; i < 32; i++) {
    m.set(0xc00 + i, `hpmcounter${i}`);
    m.set(0xc80 + i, `hpmcounter${i}h`);
    m.set(0xb00 + i, `mhpmcounter${i}`);
    m.set(0xb80 + i, `mhpmcounter${i}h`);
    m.set(0x320 + i, `mhpmevent${i}`);
    m.set(0x720 + i, `mhpmevent${i}h`);
  }
  for (let i = 0; i < 16; i++) m.set(0x3a0 + i, `pmpcfg${i}`);
  for (let i = 0; i < 64; i++) m.set(0x3b0 + i, `pmpaddr${i}`);
  return m;
}

/** One disassembled instruction. */
export interface Instruction {
  /** Address. */
  pc: number;
  /** Length in bytes: 2 (compressed) or 4. */
  length: 2 | 4;
  /** The instruction bits (16 bits for a compressed one). */
  word: number;
  /** Mnemonic, e.g. `add`, `c.addi`, `.4byte`. */
  mnemonic: string;
  /** Operands as objdump prints them (`sp,sp,-16`), or empty. */
  operands: string;
  /** The address objdump shows after ` # `, if any. */
  comment?: string;
  /** The whole text: `mnemonic\toperands[ # comment]`, as objdump prints it. */
  text: string;
  /** Branch or jump target, for direct jumps and branches. */
  target?: number;
  /** False for `.2byte`/`.4byte` (no instruction decodes from these bits). */
  valid: boolean;
}

/** Options of a {@linkcode Disassembler}. */
export interface DisasmOptions {
  /** Print pseudo-instructions (objdump's default); false is `-M no-aliases`. Default true. */
  aliases?: boolean;
  /**
   * Names an address (`main+0x10`), for targets and comments; an address it
   * does not name prints as `0x...`.
   */
  symbolize?: (address: number) => string | undefined;
  /** The value of gp (`__global_pointer$`), for gp-relative comments. */
  gp?: number;
}

const MASK64 = (1n << 64n) - 1n;

/** Sign-extends the low `bits` bits of `v`. */

/** Operand-level context of one decode. */
interface Ctx {
  pc: number;
  aliases: boolean;
  /** Address to show as a comment, set by the operands that form one. */
  printAddr: bigint | undefined;
  target: number | undefined;
}

/** What the decoders return: mnemonic and operand list, or undefined for bad bits. */
type Decoded = [string, string[]] | undefined;

/**
 * Disassembles instructions in address order, keeping objdump's register
 * tracking for address comments. Use one instance per linear listing.
 */
export class Disassembler {
  readonly #aliases: boolean;
  readonly #symbolize: ((address: number) => string | undefined) | undefined;
  readonly #gp: bigint | undefined;
  /** Upper address bits each register got from lui/auipc/c.lui (undefined: unknown). */
  readonly #hi: (bigint | undefined)[] = new Array(32).fill(undefined);

  /** Creates a disassembler; see {@linkcode DisasmOptions}. */
  constructor(options: DisasmOptions = {}) {
    this.#aliases = options.aliases ?? true;
    this.#symbolize = options.symbolize;
    this.#gp = options.gp === undefined ? undefined : BigInt(options.gp);
  }

  /** Forgets every register value learnt so far. */
  reset(): void {
    this.#hi.fill(undefined);
  }

  /**
   * Disassembles the instruction whose bits are `word` (a compressed one
   * needs only its low 16 bits; extra high bits are ignored) at `pc`.
   */
  decode(word: number, pc: number): Instruction {
    const compressed = (word & 3) !== 3;
    const bits = compressed ? word & 0xffff : word >>> 0;
    const ctx: Ctx = { pc, aliases: this.#aliases, printAddr: undefined, target: undefined };
    const d = compressed ? this.#compressed(bits, ctx) : this.#full(bits, ctx);
    const length = compressed ? 2 : 4;
    if (!d) {
      const mnemonic = compressed ? ".2byte" : ".4byte";
      const operands = `0x${bits.toString(16)}`;
      return {
        pc,
        length,
        word: bits,
        mnemonic,
        operands,
        text: `${mnemonic}\t${operands}`,
        valid: false,
      };
    }
    const [mnemonic, ops] = d;
    const operands = ops.join(",");
    let text = operands === "" ? mnemonic : `${mnemonic}\t${operands}`;
    let comment: string | undefined;
    if (ctx.printAddr !== undefined) {
      comment = this.#address(ctx.printAddr);
      text += ` # ${comment}`;
    }
    const out: Instruction = { pc, length, word: bits, mnemonic, operands, text, valid: true };
    if (comment !== undefined) out.comment = comment;
    if (ctx.target !== undefined) out.target = ctx.target;
    return out;
  }

  /** Formats an address as objdump's address printer does. */
  #address(a: bigint): string {
    const v = a & MASK64;
    const hex = v.toString(16);
    if (this.#symbolize && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
      const name = this.#symbolize(Number(v));
      if (name !== undefined) return `${hex} <${name}>`;
    }
    return `0x${hex}`;
  }

  /** A jump or branch target operand. */
  #targetOp(ctx: Ctx, offset: number): string {
    const t = (BigInt(ctx.pc) + BigInt(offset)) & MASK64;
    if (t <= BigInt(Number.MAX_SAFE_INTEGER)) ctx.target = Number(t);
    return this.#address(t);
  }

  /** Records the value a lui/auipc/c.lui gives `rd`. */
  #setHi(rd: number, v: bigint): void {
    this.#hi[rd] = v & MASK64;
  }

  /**
   * The address an access at `offset` from `base` forms, when objdump knows
   * it: from a tracked lui/auipc (used up), gp, tp or zero.
   */
  #maybeAddress(ctx: Ctx, base: number, offset: number, wide: boolean): void {
    let a: bigint;
    const hi = this.#hi[base];
    if (hi !== undefined) {
      a = (base !== 0 ? hi : 0n) + BigInt(offset);
      this.#hi[base] = undefined;
    } else if (base === 3 && this.#gp !== undefined) {
      a = this.#gp + BigInt(offset);
    } else if (base === 4 || base === 0) {
      a = BigInt(offset);
    } else {
      return;
    }
    if (wide) a = BigInt.asIntN(32, a);
    ctx.printAddr = a & MASK64;
  }

  /** A jalr's bare base register (offset 0), with its address comment. */
  #base(ctx: Ctx, base: number): string {
    this.#maybeAddress(ctx, base, 0, false);
    return X_NAMES[base];
  }

  /**
   * A jalr's `offset(base)`: objdump derives its address twice, so a tp- or
   * zero-based one shows the bare offset even after a lui/auipc of the base.
   */
  #jalrMem(ctx: Ctx, base: number, offset: number): string {
    this.#maybeAddress(ctx, base, offset, false);
    return this.#mem(ctx, base, offset);
  }

  /** `offset(base)` with the address comment objdump derives from it. */
  #mem(ctx: Ctx, base: number, offset: number): string {
    this.#maybeAddress(ctx, base, offset, false);
    return `${offset}(${X_NAMES[base]})`;
  }

  // ----------------------------------------------------------- 32-bit forms

  #full(w: number, ctx: Ctx): Decoded {
    const opcode = w & 0x7f;
    const rd = rdOf(w);
    const f3 = f3Of(w);
    const rs1 = rs1Of(w);
    const rs2 = rs2Of(w);
    const f7 = f7Of(w);
    const immI = F.immI(w);
    const al = ctx.aliases;
    const x = X_NAMES;
    switch (opcode) {
      case 0x37: // LUI
        this.#setHi(rd, BigInt(immU(w)));
        return ["lui", [x[rd], `0x${(w >>> 12).toString(16)}`]];
      case 0x17: // AUIPC
        this.#setHi(rd, BigInt(ctx.pc) + BigInt(immU(w)));
        return ["auipc", [x[rd], `0x${(w >>> 12).toString(16)}`]];
      case 0x6f: { // JAL
        const off = immJ(w);
        const t = this.#targetOp(ctx, off);
        if (al && rd === 0) return ["j", [t]];
        if (al && rd === 1) return ["jal", [t]];
        return ["jal", [x[rd], t]];
      }
      case 0x67: // JALR
        if (f3 !== 0) return undefined;
        if (al && rd === 0 && rs1 === 1 && immI === 0) return ["ret", []];
        if (al && rd === 0 && immI === 0) return ["jr", [this.#base(ctx, rs1)]];
        if (al && rd === 0) return ["jr", [this.#jalrMem(ctx, rs1, immI)]];
        if (al && rd === 1 && immI === 0) return ["jalr", [this.#base(ctx, rs1)]];
        if (al && rd === 1) return ["jalr", [this.#jalrMem(ctx, rs1, immI)]];
        if (al && immI === 0) return ["jalr", [x[rd], this.#base(ctx, rs1)]];
        return ["jalr", [x[rd], this.#jalrMem(ctx, rs1, immI)]];
      case 0x63:
        return this.#branch(w, ctx, f3, rs1, rs2);
      case 0x03: { // LOAD
        const names = ["lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"];
        if (f3 === 7) return undefined;
        return [names[f3], [x[rd], this.#mem(ctx, rs1, immI)]];
      }
      case 0x23: { // STORE
        if (f3 > 3) return undefined;
        const off = immS(w);
        return [["sb", "sh", "sw", "sd"][f3], [x[rs2], this.#mem(ctx, rs1, off)]];
      }
      case 0x13:
        return this.#opImm(w, ctx, f3, rd, rs1, immI);
      case 0x1b:
        return this.#opImm32(w, ctx, f3, rd, rs1, rs2, f7, immI);
      case 0x33:
        return this.#op(ctx, f3, rd, rs1, rs2, f7);
      case 0x3b:
        return this.#op32(ctx, f3, rd, rs1, rs2, f7);
      case 0x0f:
        return this.#miscMem(w, ctx, f3, rd, rs1);
      case 0x73:
        return this.#system(w, ctx, f3, rd, rs1, immI);
      case 0x2f:
        return this.#amo(f3, rd, rs1, rs2, amoFunct5(w), amoOrder(w));
      case 0x07: { // LOAD-FP
        if (f3 !== 2 && f3 !== 3) return undefined;
        return [f3 === 2 ? "flw" : "fld", [F_NAMES[rd], this.#mem(ctx, rs1, immI)]];
      }
      case 0x27: { // STORE-FP
        if (f3 !== 2 && f3 !== 3) return undefined;
        const off = immS(w);
        return [f3 === 2 ? "fsw" : "fsd", [F_NAMES[rs2], this.#mem(ctx, rs1, off)]];
      }
      case 0x43:
      case 0x47:
      case 0x4b:
      case 0x4f: { // FMADD FMSUB FNMSUB FNMADD
        const fmt = f7 & 3;
        if (fmt > 1) return undefined;
        const base = ["fmadd", "fmsub", "fnmsub", "fnmadd"][(opcode - 0x43) >> 2];
        const ops = [F_NAMES[rd], F_NAMES[rs1], F_NAMES[rs2], F_NAMES[f7 >>> 2]];
        if (f3 !== 7) ops.push(RM_NAMES[f3]);
        return [`${base}.${fmt === 0 ? "s" : "d"}`, ops];
      }
      case 0x53:
        return this.#opFp(ctx, f3, rd, rs1, rs2, f7);
    }
    return undefined;
  }

  #branch(w: number, ctx: Ctx, f3: number, rs1: number, rs2: number): Decoded {
    if (f3 === 2 || f3 === 3) return undefined;
    const off = immB(w);
    const t = this.#targetOp(ctx, off);
    const x = X_NAMES;
    const name = ["beq", "bne", "", "", "blt", "bge", "bltu", "bgeu"][f3];
    if (ctx.aliases) {
      if (f3 === 0 && rs2 === 0) return ["beqz", [x[rs1], t]];
      if (f3 === 1 && rs2 === 0) return ["bnez", [x[rs1], t]];
      if (f3 === 4 && rs2 === 0) return ["bltz", [x[rs1], t]];
      if (f3 === 4 && rs1 === 0) return ["bgtz", [x[rs2], t]];
      if (f3 === 5 && rs1 === 0) return ["blez", [x[rs2], t]];
      if (f3 === 5 && rs2 === 0) return ["bgez", [x[rs1], t]];
    }
    return [name, [x[rs1], x[rs2], t]];
  }

  #opImm(w: number, ctx: Ctx, f3: number, rd: number, rs1: number, imm: number): Decoded {
    const al = ctx.aliases;
    const x = X_NAMES;
    const sh = (imm & 63).toString(16);
    const imm12 = csrOf(w); // the whole funct12 field
    switch (f3) {
      case 0: // ADDI
        if (al && rd === 0 && rs1 === 0 && imm === 0) return ["nop", []];
        if (al && rs1 === 0) return ["li", [x[rd], `${imm}`]];
        if (al && imm === 0) return ["mv", [x[rd], x[rs1]]];
        if (rs1 !== 0) this.#maybeAddress(ctx, rs1, imm, false);
        return [al ? "add" : "addi", [x[rd], x[rs1], `${imm}`]];
      case 2:
        return ["slti", [x[rd], x[rs1], `${imm}`]];
      case 3:
        if (al && imm === 1) return ["seqz", [x[rd], x[rs1]]];
        return ["sltiu", [x[rd], x[rs1], `${imm}`]];
      case 4:
        if (al && imm === -1) return ["not", [x[rd], x[rs1]]];
        return [al ? "xor" : "xori", [x[rd], x[rs1], `${imm}`]];
      case 6:
        return [al ? "or" : "ori", [x[rd], x[rs1], `${imm}`]];
      case 7:
        if (al && imm === 255) return ["zext.b", [x[rd], x[rs1]]];
        return [al ? "and" : "andi", [x[rd], x[rs1], `${imm}`]];
      case 1: {
        const f6 = imm12 >>> 6;
        if (f6 === 0) return [al ? "sll" : "slli", [x[rd], x[rs1], `0x${sh}`]];
        if (f6 === 0x0a) return [al ? "bset" : "bseti", [x[rd], x[rs1], `0x${sh}`]];
        if (f6 === 0x12) return [al ? "bclr" : "bclri", [x[rd], x[rs1], `0x${sh}`]];
        if (f6 === 0x1a) return [al ? "binv" : "binvi", [x[rd], x[rs1], `0x${sh}`]];
        const unary = new Map([[0x600, "clz"], [0x601, "ctz"], [0x602, "cpop"], [
          0x604,
          "sext.b",
        ], [0x605, "sext.h"]]).get(imm12);
        if (unary) return [unary, [x[rd], x[rs1]]];
        return undefined;
      }
      case 5: {
        const f6 = imm12 >>> 6;
        if (f6 === 0) return [al ? "srl" : "srli", [x[rd], x[rs1], `0x${sh}`]];
        if (f6 === 0x10) return [al ? "sra" : "srai", [x[rd], x[rs1], `0x${sh}`]];
        if (f6 === 0x18) return [al ? "ror" : "rori", [x[rd], x[rs1], `0x${sh}`]];
        if (f6 === 0x12) return [al ? "bext" : "bexti", [x[rd], x[rs1], `0x${sh}`]];
        if (imm12 === 0x6b8) return ["rev8", [x[rd], x[rs1]]];
        if (imm12 === 0x287) return ["orc.b", [x[rd], x[rs1]]];
        return undefined;
      }
    }
    return undefined;
  }

  #opImm32(
    _w: number,
    ctx: Ctx,
    f3: number,
    rd: number,
    rs1: number,
    rs2: number,
    f7: number,
    imm: number,
  ): Decoded {
    const al = ctx.aliases;
    const x = X_NAMES;
    switch (f3) {
      case 0:
        if (al && imm === 0) return ["sext.w", [x[rd], x[rs1]]];
        if (rs1 !== 0) this.#maybeAddress(ctx, rs1, imm, true);
        return [al ? "addw" : "addiw", [x[rd], x[rs1], `${imm}`]];
      case 1:
        if (f7 === 0) return [al ? "sllw" : "slliw", [x[rd], x[rs1], `0x${rs2.toString(16)}`]];
        if (f7 >>> 1 === 0x02) {
          return ["slli.uw", [x[rd], x[rs1], `0x${(imm & 63).toString(16)}`]];
        }
        if (f7 === 0x30 && rs2 <= 2) return [["clzw", "ctzw", "cpopw"][rs2], [x[rd], x[rs1]]];
        return undefined;
      case 5:
        if (f7 === 0) return [al ? "srlw" : "srliw", [x[rd], x[rs1], `0x${rs2.toString(16)}`]];
        if (f7 === 0x20) return [al ? "sraw" : "sraiw", [x[rd], x[rs1], `0x${rs2.toString(16)}`]];
        if (f7 === 0x30) return [al ? "rorw" : "roriw", [x[rd], x[rs1], `0x${rs2.toString(16)}`]];
        return undefined;
    }
    return undefined;
  }

  #op(ctx: Ctx, f3: number, rd: number, rs1: number, rs2: number, f7: number): Decoded {
    const al = ctx.aliases;
    const x = X_NAMES;
    const r3 = (name: string): Decoded => [name, [x[rd], x[rs1], x[rs2]]];
    switch (f7) {
      case 0x00:
        if (al && f3 === 2 && rs2 === 0) return ["sltz", [x[rd], x[rs1]]];
        if (al && f3 === 2 && rs1 === 0) return ["sgtz", [x[rd], x[rs2]]];
        if (al && f3 === 3 && rs1 === 0) return ["snez", [x[rd], x[rs2]]];
        return r3(["add", "sll", "slt", "sltu", "xor", "srl", "or", "and"][f3]);
      case 0x20: {
        if (f3 === 0) {
          if (al && rs1 === 0) return ["neg", [x[rd], x[rs2]]];
          return r3("sub");
        }
        const n = ["", "", "", "", "xnor", "sra", "orn", "andn"][f3];
        return n ? r3(n) : undefined;
      }
      case 0x01:
        return r3(["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"][f3]);
      case 0x05: {
        const n = ["", "", "", "", "min", "minu", "max", "maxu"][f3];
        return n ? r3(n) : undefined;
      }
      case 0x10: {
        const n = ["", "", "sh1add", "", "sh2add", "", "sh3add", ""][f3];
        return n ? r3(n) : undefined;
      }
      case 0x14:
        return f3 === 1 ? r3("bset") : undefined;
      case 0x24:
        return f3 === 1 ? r3("bclr") : f3 === 5 ? r3("bext") : undefined;
      case 0x34:
        return f3 === 1 ? r3("binv") : undefined;
      case 0x30:
        return f3 === 1 ? r3("rol") : f3 === 5 ? r3("ror") : undefined;
    }
    return undefined;
  }

  #op32(ctx: Ctx, f3: number, rd: number, rs1: number, rs2: number, f7: number): Decoded {
    const al = ctx.aliases;
    const x = X_NAMES;
    const r3 = (name: string): Decoded => [name, [x[rd], x[rs1], x[rs2]]];
    switch (f7) {
      case 0x00: {
        const n = ["addw", "sllw", "", "", "", "srlw", "", ""][f3];
        return n ? r3(n) : undefined;
      }
      case 0x20:
        if (f3 === 0) {
          if (al && rs1 === 0) return ["negw", [x[rd], x[rs2]]];
          return r3("subw");
        }
        return f3 === 5 ? r3("sraw") : undefined;
      case 0x01: {
        const n = ["mulw", "", "", "", "divw", "divuw", "remw", "remuw"][f3];
        return n ? r3(n) : undefined;
      }
      case 0x04:
        if (f3 === 0) {
          if (al && rs2 === 0) return ["zext.w", [x[rd], x[rs1]]];
          return r3("add.uw");
        }
        if (f3 === 4 && rs2 === 0) return ["zext.h", [x[rd], x[rs1]]];
        return undefined;
      case 0x10: {
        const n = ["", "", "sh1add.uw", "", "sh2add.uw", "", "sh3add.uw", ""][f3];
        return n ? r3(n) : undefined;
      }
      case 0x30:
        return f3 === 1 ? r3("rolw") : f3 === 5 ? r3("rorw") : undefined;
    }
    return undefined;
  }

  #miscMem(w: number, ctx: Ctx, f3: number, rd: number, rs1: number): Decoded {
    if (f3 === 1) {
      if (rd !== 0 || rs1 !== 0 || csrOf(w) !== 0) return undefined;
      return ["fence.i", []];
    }
    if (f3 !== 0 || rd !== 0 || rs1 !== 0) return undefined;
    const fm = fenceFm(w);
    const pred = fencePred(w);
    const succ = fenceSucc(w);
    if (fm === 8 && pred === 3 && succ === 3) return ["fence.tso", []];
    if (fm !== 0) return undefined;
    if (ctx.aliases && pred === 15 && succ === 15 && fm === 0) return ["fence", []];
    return ["fence", [fenceSet(pred), fenceSet(succ)]];
  }

  #system(
    w: number,
    ctx: Ctx,
    f3: number,
    rd: number,
    rs1: number,
    _immI: number,
  ): Decoded {
    const x = X_NAMES;
    if (f3 === 0) {
      switch (w >>> 0) {
        case 0x00000073:
          return ["ecall", []];
        case 0x00100073:
          return ["ebreak", []];
        case 0x10200073:
          return ["sret", []];
        case 0x30200073:
          return ["mret", []];
        case 0x10500073:
          return ["wfi", []];
        case 0x00200073:
          return ["uret", []];
        case 0x7b200073:
          return ["dret", []];
      }
      if (rd === 0 && f7Of(w) === 0x09) {
        // sfence.vma [rs1[,rs2]]
        if (ctx.aliases && rs2(w) === 0) return ["sfence.vma", rs1 === 0 ? [] : [x[rs1]]];
        return ["sfence.vma", [x[rs1], x[rs2(w)]]];
      }
      if (rd === 0 && csrOf(w) === 0x104) return ["sfence.vm", rs1 === 0 ? [] : [x[rs1]]];
      return undefined;
    }
    if (f3 === 4) return undefined;
    const csr = csrOf(w);
    const csrName = CSR_NAMES.get(csr) ?? `0x${csr.toString(16)}`;
    const imm = f3 >= 5;
    const src = imm ? `${rs1}` : x[rs1];
    // csrrw zero,cycle,zero is the canonical 32-bit unimp, in both styles.
    if (w >>> 0 === 0xc0001073) return ["unimp", []];
    if (ctx.aliases) {
      const op = f3 & 3; // 1 rw, 2 rs, 3 rc
      if (!imm) {
        if (op === 2 && rs1 === 0) {
          if (csr === 0x003) return ["frcsr", [x[rd]]];
          if (csr === 0x002) return ["frrm", [x[rd]]];
          if (csr === 0x001) return ["frflags", [x[rd]]];
          if (csr === 0xc00) return ["rdcycle", [x[rd]]];
          if (csr === 0xc01) return ["rdtime", [x[rd]]];
          if (csr === 0xc02) return ["rdinstret", [x[rd]]];
          return ["csrr", [x[rd], csrName]];
        }
        if (op === 1) {
          const f = new Map([[0x003, "fscsr"], [0x002, "fsrm"], [0x001, "fsflags"]]).get(csr);
          if (f) return [f, rd === 0 ? [x[rs1]] : [x[rd], x[rs1]]];
        }
      } else if (op === 1) {
        const f = new Map([[0x002, "fsrmi"], [0x001, "fsflagsi"]]).get(csr);
        if (f) return [f, [x[rd], src]];
      }
      if (rd === 0) return [["", "csrw", "csrs", "csrc"][op], [csrName, src]];
      return [["", "csrrw", "csrrs", "csrrc"][op], [x[rd], csrName, src]];
    }
    const name = ["", "csrrw", "csrrs", "csrrc", "", "csrrwi", "csrrsi", "csrrci"][f3];
    return [name, [x[rd], csrName, src]];
  }

  #amo(f3: number, rd: number, rs1: number, rs2: number, f5: number, ord: number): Decoded {
    if (f3 !== 2 && f3 !== 3) return undefined;
    const order = ["", ".rl", ".aq", ".aqrl"][ord];
    const size = f3 === 2 ? ".w" : ".d";
    const x = X_NAMES;
    const names: Record<number, string> = {
      0x00: "amoadd",
      0x01: "amoswap",
      0x04: "amoxor",
      0x0c: "amoand",
      0x08: "amoor",
      0x10: "amomin",
      0x14: "amomax",
      0x18: "amominu",
      0x1c: "amomaxu",
    };
    if (f5 === 0x02) {
      if (rs2 !== 0) return undefined;
      return [`lr${size}${order}`, [x[rd], `(${x[rs1]})`]];
    }
    if (f5 === 0x03) return [`sc${size}${order}`, [x[rd], x[rs2], `(${x[rs1]})`]];
    const n = names[f5];
    if (!n) return undefined;
    return [`${n}${size}${order}`, [x[rd], x[rs2], `(${x[rs1]})`]];
  }

  #opFp(ctx: Ctx, f3: number, rd: number, rs1: number, rs2: number, f7: number): Decoded {
    const fmt = f7 & 3;
    if (fmt > 1) return undefined;
    const s = fmt === 0 ? "s" : "d";
    const f = F_NAMES;
    const x = X_NAMES;
    const rmOk = true;
    const withRm = (ops: string[]): string[] => f3 === 7 ? ops : [...ops, RM_NAMES[f3]];
    switch (f7 >>> 2) {
      case 0x00:
      case 0x01:
      case 0x02:
      case 0x03: {
        if (!rmOk) return undefined;
        const n = ["fadd", "fsub", "fmul", "fdiv"][f7 >>> 2];
        return [`${n}.${s}`, withRm([f[rd], f[rs1], f[rs2]])];
      }
      case 0x0b:
        if (rs2 !== 0 || !rmOk) return undefined;
        return [`fsqrt.${s}`, withRm([f[rd], f[rs1]])];
      case 0x04: {
        if (f3 > 2) return undefined;
        if (ctx.aliases && rs1 === rs2) {
          return [`${["fmv", "fneg", "fabs"][f3]}.${s}`, [f[rd], f[rs1]]];
        }
        return [`${["fsgnj", "fsgnjn", "fsgnjx"][f3]}.${s}`, [f[rd], f[rs1], f[rs2]]];
      }
      case 0x05:
        if (f3 > 1) return undefined;
        return [`${f3 === 0 ? "fmin" : "fmax"}.${s}`, [f[rd], f[rs1], f[rs2]]];
      case 0x08: {
        // fcvt.s.d (fmt s, rs2 1) and fcvt.d.s (fmt d, rs2 0)
        if (!rmOk) return undefined;
        if (fmt === 0 && rs2 === 1) return ["fcvt.s.d", withRm([f[rd], f[rs1]])];
        // Exact conversions: objdump decodes them with rm 0 only, and prints no rm.
        if (fmt === 1 && rs2 === 0 && f3 === 0) return ["fcvt.d.s", [f[rd], f[rs1]]];
        return undefined;
      }
      case 0x14: {
        const n = ["fle", "flt", "feq"][f3];
        if (!n) return undefined;
        return [`${n}.${s}`, [x[rd], f[rs1], f[rs2]]];
      }
      case 0x18: {
        if (rs2 > 3 || !rmOk) return undefined;
        const t = ["w", "wu", "l", "lu"][rs2];
        return [`fcvt.${t}.${s}`, withRm([x[rd], f[rs1]])];
      }
      case 0x1a: {
        if (rs2 > 3 || !rmOk) return undefined;
        const t = ["w", "wu", "l", "lu"][rs2];
        const ops = [f[rd], x[rs1]];
        if (fmt === 1 && rs2 < 2) return f3 === 0 ? [`fcvt.${s}.${t}`, ops] : undefined;
        return [`fcvt.${s}.${t}`, withRm(ops)];
      }
      case 0x1c:
        if (rs2 !== 0) return undefined;
        if (f3 === 0) return [fmt === 0 ? "fmv.x.w" : "fmv.x.d", [x[rd], f[rs1]]];
        if (f3 === 1) return [`fclass.${s}`, [x[rd], f[rs1]]];
        return undefined;
      case 0x1e:
        if (rs2 !== 0 || f3 !== 0) return undefined;
        return [fmt === 0 ? "fmv.w.x" : "fmv.d.x", [f[rd], x[rs1]]];
    }
    return undefined;
  }

  // ------------------------------------------------------------- compressed

  #compressed(h: number, ctx: Ctx): Decoded {
    if (h === 0) return [ctx.aliases ? "unimp" : "c.unimp", []];
    const q = h & 3;
    const f3 = h >>> 13;
    const al = ctx.aliases;
    const x = X_NAMES;
    const rdp = cRdP(h); // rd'/rs2' at bits 4:2
    const rs1p = cRs1P(h); // rs1'/rd' at bits 9:7
    const rd = cRd(h);
    const rs2 = cRs2(h);
    const imm6 = cImm6(h);
    const uimm6 = cUimm6(h);
    if (q === 0) {
      // offsets of c.lw/c.flw and c.ld/c.fld
      const offW = cOffW(h);
      const offD = cOffD(h);
      switch (f3) {
        case 0: {
          const nz = cAddi4spnImm(h);
          if (nz === 0) return undefined;
          return al ? ["add", [x[rdp], "sp", `${nz}`]] : ["c.addi4spn", [x[rdp], "sp", `${nz}`]];
        }
        case 1:
          return [al ? "fld" : "c.fld", [F_NAMES[rdp], `${offD}(${x[rs1p]})`]];
        case 2:
          return [al ? "lw" : "c.lw", [x[rdp], `${offW}(${x[rs1p]})`]];
        case 3:
          return [al ? "ld" : "c.ld", [x[rdp], `${offD}(${x[rs1p]})`]];
        case 5:
          return [al ? "fsd" : "c.fsd", [F_NAMES[rdp], `${offD}(${x[rs1p]})`]];
        case 6:
          return [al ? "sw" : "c.sw", [x[rdp], `${offW}(${x[rs1p]})`]];
        case 7:
          return [al ? "sd" : "c.sd", [x[rdp], `${offD}(${x[rs1p]})`]];
      }
      return undefined;
    }
    if (q === 1) {
      switch (f3) {
        case 0:
          if (al && rd === 0 && imm6 === 0) return ["nop", []];
          if (al && rd === 0) return ["c.nop", [`${imm6}`]];
          if (rd !== 0) this.#maybeAddress(ctx, rd, imm6, false);
          if (al) return ["add", [x[rd], x[rd], `${imm6}`]];
          return ["c.addi", [x[rd], `${imm6}`]];
        case 1:
          if (rd === 0) return undefined;
          if (al && imm6 === 0) return ["sext.w", [x[rd], x[rd]]];
          this.#maybeAddress(ctx, rd, imm6, true);
          return al ? ["addw", [x[rd], x[rd], `${imm6}`]] : ["c.addiw", [x[rd], `${imm6}`]];
        case 2:
          return [al && rd !== 0 ? "li" : "c.li", [x[rd], `${imm6}`]];
        case 3: {
          if (rd === 2) {
            const nz = cAddi16spImm(h);
            return al ? ["add", ["sp", "sp", `${nz}`]] : ["c.addi16sp", ["sp", `${nz}`]];
          }
          if (imm6 === 0) return undefined;
          this.#setHi(rd, BigInt(imm6) << 12n);
          return [al && rd !== 0 ? "lui" : "c.lui", [x[rd], `0x${(imm6 & 0xfffff).toString(16)}`]];
        }
        case 4: {
          const sub = (h >>> 10) & 3;
          if (sub === 0 || sub === 1) {
            const n = sub === 0 ? "srl" : "sra";
            if (uimm6 === 0) return [`c.${n}i64`, [x[rs1p]]];
            return al
              ? [n, [x[rs1p], x[rs1p], `0x${uimm6.toString(16)}`]]
              : [`c.${n}i`, [x[rs1p], `0x${uimm6.toString(16)}`]];
          }
          if (sub === 2) {
            return al ? ["and", [x[rs1p], x[rs1p], `${imm6}`]] : ["c.andi", [x[rs1p], `${imm6}`]];
          }
          const k = ((h >>> 12) & 1) * 4 + ((h >>> 5) & 3);
          const n = ["sub", "xor", "or", "and", "subw", "addw", "", ""][k];
          if (!n) return undefined;
          return al ? [n, [x[rs1p], x[rs1p], x[rdp]]] : [`c.${n}`, [x[rs1p], x[rdp]]];
        }
        case 5: {
          const off = cJOff(h);
          const t = this.#targetOp(ctx, off);
          return [al ? "j" : "c.j", [t]];
        }
        case 6:
        case 7: {
          const off = cBOff(h);
          const t = this.#targetOp(ctx, off);
          const n = f3 === 6 ? "beqz" : "bnez";
          return [al ? n : `c.${n}`, [x[rs1p], t]];
        }
      }
      return undefined;
    }
    // quadrant 2
    switch (f3) {
      case 0:
        if (uimm6 === 0) return ["c.slli64", [x[rd]]];
        return al && rd !== 0
          ? ["sll", [x[rd], x[rd], `0x${uimm6.toString(16)}`]]
          : ["c.slli", [x[rd], `0x${uimm6.toString(16)}`]];
      case 1: {
        const off = cLdspOff(h);
        return [al ? "fld" : "c.fldsp", [F_NAMES[rd], `${off}(sp)`]];
      }
      case 2: {
        if (rd === 0) return undefined;
        const off = cLwspOff(h);
        return [al ? "lw" : "c.lwsp", [x[rd], `${off}(sp)`]];
      }
      case 3: {
        if (rd === 0) return undefined;
        const off = cLdspOff(h);
        return [al ? "ld" : "c.ldsp", [x[rd], `${off}(sp)`]];
      }
      case 4: {
        const b12 = (h >>> 12) & 1;
        if (b12 === 0) {
          if (rs2 === 0) {
            if (rd === 0) return undefined;
            if (al && rd === 1) return ["ret", []];
            return [al ? "jr" : "c.jr", [x[rd]]];
          }
          return [al && rd !== 0 ? "mv" : "c.mv", [x[rd], x[rs2]]];
        }
        if (rs2 === 0) {
          if (rd === 0) return [al ? "ebreak" : "c.ebreak", []];
          return [al ? "jalr" : "c.jalr", [x[rd]]];
        }
        return al && rd !== 0 ? ["add", [x[rd], x[rd], x[rs2]]] : ["c.add", [x[rd], x[rs2]]];
      }
      case 5: {
        const off = cSdspOff(h);
        return [al ? "fsd" : "c.fsdsp", [F_NAMES[rs2], `${off}(sp)`]];
      }
      case 6: {
        const off = cSwspOff(h);
        return [al ? "sw" : "c.swsp", [x[rs2], `${off}(sp)`]];
      }
      case 7: {
        const off = cSdspOff(h);
        return [al ? "sd" : "c.sdsp", [x[rs2], `${off}(sp)`]];
      }
    }
    return undefined;
  }
}

/** The rs2 field. */
function rs2(w: number): number {
  return rs2Of(w);
}

/** A fence's predecessor or successor set: `iorw` letters, `unknown` when empty. */
function fenceSet(bits: number): string {
  if (bits === 0) return "unknown";
  let s = "";
  if (bits & 8) s += "i";
  if (bits & 4) s += "o";
  if (bits & 2) s += "r";
  if (bits & 1) s += "w";
  return s;
}

/** Disassembles one instruction with a fresh disassembler (no address comments from history). */
export function disassemble(word: number, pc: number, options: DisasmOptions = {}): Instruction {
  return new Disassembler(options).decode(word, pc);
}

/**
 * Reads and disassembles `count` instructions from `start` in order.
 * `read(addr, n)` returns guest bytes (or throws for an unmapped address:
 * the listing stops there).
 */
export function disassembleRange(
  read: (address: number, length: number) => Uint8Array,
  start: number,
  count: number,
  options: DisasmOptions = {},
): Instruction[] {
  const d = new Disassembler(options);
  const out: Instruction[] = [];
  let pc = start;
  for (let i = 0; i < count; i++) {
    let word: number;
    try {
      const lo = read(pc, 2);
      word = lo[0] | (lo[1] << 8);
      if ((word & 3) === 3) {
        const hi = read(pc + 2, 2);
        word = (word | (hi[0] << 16) | (hi[1] << 24)) >>> 0;
      }
    } catch {
      break;
    }
    const ins = d.decode(word, pc);
    out.push(ins);
    pc += ins.length;
  }
  return out;
}

/**
 * One line as `objdump -d` prints it: address, instruction bytes, text.
 * `width` is the address column width (objdump's depends on the file).
 */
export function objdumpLine(ins: Instruction, width = 8): string {
  const bytes = ins.length === 2
    ? ins.word.toString(16).padStart(4, "0").padEnd(20)
    : ins.word.toString(16).padStart(8, "0").padEnd(18);
  return `${ins.pc.toString(16).padStart(width)}:\t${bytes}\t${ins.text}`;
}
