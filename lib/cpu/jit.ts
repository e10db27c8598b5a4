/**
 * The compiled tier: turns a straight-line block of decoded instructions
 * into the source of a JavaScript function, which V8 then compiles to
 * machine code. The interpreter (`interpreter.ts`) decides which blocks are
 * hot and runs everything the compiled tier leaves out.
 *
 * A block runs from its first instruction to (and including) a branch or
 * jump, or stops before an instruction this tier does not compile (ECALL,
 * EBREAK, CSR access, atomics, FENCE.I, illegal encodings), or at the end of
 * its page. The generated function `(c) => nextPc` reads and writes the
 * hart's Int32 lo/hi registers directly and checks the software TLB inline,
 * exactly as the interpreter does, so both tiers give the same results and
 * the same instruction counts:
 * - normally the block retires all of its instructions;
 * - a fault in a slow-path access leaves `c.cut` = index of the faulting
 *   instruction (the instructions before it retired) and throws;
 * - an early exit (a store that invalidated decoded code, an illegal FP
 *   rounding mode) sets `c.cut` to the number retired and `c.stop`.
 * @module
 */

import { OP_NAMES } from "./ops.ts";

/** Ops that end a block before them (the interpreter executes them). */
export function isBlockBarrier(op: number): boolean {
  return op === 0 || op === 1 || op === 52 || op === 53 || op === 54 ||
    (op >= 55 && op <= 60) || (op >= 74 && op <= 95);
}

/** Ops that end a block after them (control transfers). */
export function isBlockEnd(op: number): boolean {
  return op >= 4 && op <= 11;
}

/** The fields of one decoded instruction, for code generation. */
interface Insn {
  op: number;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  pc: number;
  next: number;
}

/** Load ops: [size, value expression over `o` (fast path), sign/zero-extension of `v` (slow path)]. */
const LOADS: Record<number, [number, string, string]> = {
  12: [1, "dv.getInt8(o)", "(v << 24) >> 24"],
  13: [2, "dv.getInt16(o, true)", "(v << 16) >> 16"],
  14: [4, "dv.getInt32(o, true)", "v"],
  15: [8, "", ""],
  16: [1, "dv.getUint8(o)", "v"],
  17: [2, "dv.getUint16(o, true)", "v"],
  18: [4, "dv.getInt32(o, true)", "v"],
};

/** Effective address of a memory access: declares `lo`, `hi`, `t`. */
function address(i: Insn): string {
  const ih = i.imm < 0 ? -1 : 0;
  return `const a = xl[${i.rs1}], lo = (a + ${i.imm}) | 0, ` +
    `hi = (xh[${i.rs1}] + ${ih} + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0, t = (lo >>> 12) & 1023;`;
}

/**
 * Writes the 64-bit value (l, h) to x[rd] unless rd is x0. Both halves are
 * evaluated before either is written: `h` may read the register `l` replaces.
 */
function setX(rd: number, l: string, h: string): string {
  if (rd === 0 || rd === 32) return "";
  if (/^-?\d+$/.test(h)) return `xl[${rd}] = ${l}; xh[${rd}] = ${h};`;
  return `{ const L = ${l}, H = ${h}; xl[${rd}] = L; xh[${rd}] = H; }`;
}

function load(i: Insn, k: number): string {
  const [size, fast, ext] = LOADS[i.op];
  const signed = i.op <= 15;
  const hiOf = (v: string) => (signed ? `${v} >> 31` : "0");
  let fastBody: string;
  let slowBody: string;
  if (i.op === 15) {
    fastBody = setX(i.rd, "dv.getInt32(o, true)", "dv.getInt32(o + 4, true)");
    slowBody = setX(i.rd, "mem.vlo", "mem.vhi");
  } else {
    fastBody = i.rd === 0 ? `${fast};` : `{ const v = ${fast}; ${setX(i.rd, "v", hiOf("v"))} }`;
    slowBody = i.rd === 0
      ? ""
      : `{ const v0 = mem.vlo; const v = ${ext.replaceAll("v", "v0")}; ${
        setX(i.rd, "v", hiOf("v"))
      } }`;
  }
  return `{ ${address(i)}
    if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= ${4096 - size}) {
      const o = rOff[t] + (lo & 4095); ${fastBody}
    } else { c.cut = ${k}; mem.loadSlow(lo, hi, ${size}); dv = mem.dv; c.cut = -1; ${slowBody} } }`;
}

function store(i: Insn, k: number, fp: boolean): string {
  const size = fp ? (i.op === 138 ? 4 : 8) : 1 << (i.op - 19);
  const vl = fp ? `fw[${2 * i.rs2}]` : `xl[${i.rs2}]`;
  const vh = fp ? `fw[${2 * i.rs2 + 1}]` : `xh[${i.rs2}]`;
  const fast = size === 1
    ? `dv.setInt8(o, ${vl});`
    : size === 2
    ? `dv.setInt16(o, ${vl}, true);`
    : size === 4
    ? `dv.setInt32(o, ${vl}, true);`
    : `dv.setInt32(o, ${vl}, true); dv.setInt32(o + 4, ${vh}, true);`;
  return `{ ${address(i)}
    if (wTagLo[t] === (lo & -4096) && wTagHi[t] === hi && (lo & 4095) <= ${4096 - size}) {
      const o = wOff[t] + (lo & 4095); ${fast}
    } else {
      c.cut = ${k}; mem.storeSlow(lo, hi, ${size}, ${vl}, ${vh}); dv = mem.dv;
      if (cpu.codeGen !== gen) { c.cut = ${k + 1}; return ${i.next}; }
      c.cut = -1;
    } }`;
}

function fpLoad(i: Insn, k: number): string {
  const size = i.op === 136 ? 4 : 8;
  const fast = size === 4
    ? `fw[${2 * i.rd}] = dv.getInt32(o, true); fw[${2 * i.rd + 1}] = -1;`
    : `fw[${2 * i.rd}] = dv.getInt32(o, true); fw[${2 * i.rd + 1}] = dv.getInt32(o + 4, true);`;
  const slow = size === 4
    ? `fw[${2 * i.rd}] = mem.vlo; fw[${2 * i.rd + 1}] = -1;`
    : `fw[${2 * i.rd}] = mem.vlo; fw[${2 * i.rd + 1}] = mem.vhi;`;
  return `{ ${address(i)}
    if (rTagLo[t] === (lo & -4096) && rTagHi[t] === hi && (lo & 4095) <= ${4096 - size}) {
      const o = rOff[t] + (lo & 4095); ${fast}
    } else { c.cut = ${k}; mem.loadSlow(lo, hi, ${size}); dv = mem.dv; c.cut = -1; ${slow} } }`;
}

/** 64-bit shift of register rs1 by a constant amount. */
function shiftImm(i: Insn, kind: "l" | "r" | "a"): string {
  const s = i.imm;
  const a = `xl[${i.rs1}]`;
  const b = `xh[${i.rs1}]`;
  if (s === 0) return setX(i.rd, a, b);
  if (kind === "l") {
    return s < 32
      ? `{ const a = ${a}; ${setX(i.rd, `a << ${s}`, `(${b} << ${s}) | (a >>> ${32 - s})`)} }`
      : setX(i.rd, "0", `${a} << ${s - 32}`);
  }
  if (s < 32) {
    const hi = kind === "r" ? `b >>> ${s}` : `b >> ${s}`;
    return `{ const b = ${b}; ${setX(i.rd, `(${a} >>> ${s}) | (b << ${32 - s})`, `${hi} | 0`)} }`;
  }
  return kind === "r"
    ? setX(i.rd, `(${b} >>> ${s - 32}) | 0`, "0")
    : `{ const b = ${b}; ${setX(i.rd, `b >> ${s - 32}`, "b >> 31")} }`;
}

/** Signed or unsigned 64-bit compare of x[rs1] with x[rs2] (or an immediate). */
function less(i: Insn, unsigned: boolean, immediate: boolean): string {
  const bl = immediate ? `${i.imm >>> 0}` : `(xl[${i.rs2}] >>> 0)`;
  const bhRaw = immediate ? `${i.imm < 0 ? -1 : 0}` : `xh[${i.rs2}]`;
  const ah = unsigned ? `(xh[${i.rs1}] >>> 0)` : `xh[${i.rs1}]`;
  const bh = unsigned ? (immediate ? `${(i.imm < 0 ? -1 : 0) >>> 0}` : `(${bhRaw} >>> 0)`) : bhRaw;
  return `(${ah} < ${bh} || (${ah} === ${bh} && (xl[${i.rs1}] >>> 0) < ${bl}))`;
}

/** One instruction's JavaScript. `k` is its index in the block. */
function emit(i: Insn, k: number): string {
  const { rd, rs1, rs2, imm } = i;
  const ih = imm < 0 ? -1 : 0;
  const xw = (expr: string) =>
    rd === 0 ? `${expr};` : `{ const v = ${expr}; ${setX(rd, "v", "v >> 31")} }`;
  switch (i.op) {
    case 2: // LUI
      return setX(rd, `${imm}`, `${ih}`);
    case 3: { // AUIPC
      const v = i.pc + imm;
      return setX(rd, `${v | 0}`, `${Math.floor(v / 4294967296) | 0}`);
    }
    case 4: { // JAL
      const t = i.pc + imm;
      return `${setX(rd, `${i.next | 0}`, `${Math.floor(i.next / 4294967296) | 0}`)} return ${t};`;
    }
    case 5: // JALR
      return `{ const a = xl[${rs1}], s = (a + ${imm}) | 0, ` +
        `hi = (xh[${rs1}] + ${ih} + ((s >>> 0) < (a >>> 0) ? 1 : 0)) | 0; ` +
        `${setX(rd, `${i.next | 0}`, `${Math.floor(i.next / 4294967296) | 0}`)} ` +
        `return hi * 4294967296 + ((s & -2) >>> 0); }`;
    case 6: // BEQ
      return `if (xl[${rs1}] === xl[${rs2}] && xh[${rs1}] === xh[${rs2}]) return ${
        i.pc + imm
      }; return ${i.next};`;
    case 7: // BNE
      return `if (xl[${rs1}] !== xl[${rs2}] || xh[${rs1}] !== xh[${rs2}]) return ${
        i.pc + imm
      }; return ${i.next};`;
    case 8: // BLT
      return `if (${less(i, false, false)}) return ${i.pc + imm}; return ${i.next};`;
    case 9: // BGE
      return `if (!${less(i, false, false)}) return ${i.pc + imm}; return ${i.next};`;
    case 10: // BLTU
      return `if (${less(i, true, false)}) return ${i.pc + imm}; return ${i.next};`;
    case 11: // BGEU
      return `if (!${less(i, true, false)}) return ${i.pc + imm}; return ${i.next};`;
    case 12: // LB
    case 13: // LH
    case 14: // LW
    case 15: // LD
    case 16: // LBU
    case 17: // LHU
    case 18: // LWU
      return load(i, k);
    case 19: // SB
    case 20: // SH
    case 21: // SW
    case 22: // SD
      return store(i, k, false);
    case 23: // ADDI
      return rd === 0 ? "" : `{ const a = xl[${rs1}], lo = (a + ${imm}) | 0; ` +
        `xh[${rd}] = (xh[${rs1}] + ${ih} + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; xl[${rd}] = lo; }`;
    case 24: // SLTI
      return setX(rd, `${less(i, false, true)} ? 1 : 0`, "0");
    case 25: // SLTIU
      return setX(rd, `${less(i, true, true)} ? 1 : 0`, "0");
    case 26: // XORI
      return setX(rd, `xl[${rs1}] ^ ${imm}`, `xh[${rs1}] ^ ${ih}`);
    case 27: // ORI
      return setX(rd, `xl[${rs1}] | ${imm}`, `xh[${rs1}] | ${ih}`);
    case 28: // ANDI
      return setX(rd, `xl[${rs1}] & ${imm}`, `xh[${rs1}] & ${ih}`);
    case 29: // SLLI
      return shiftImm(i, "l");
    case 30: // SRLI
      return shiftImm(i, "r");
    case 31: // SRAI
      return shiftImm(i, "a");
    case 32: // ADD
      return rd === 0 ? "" : `{ const a = xl[${rs1}], lo = (a + xl[${rs2}]) | 0; ` +
        `xh[${rd}] = (xh[${rs1}] + xh[${rs2}] + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; xl[${rd}] = lo; }`;
    case 33: // SUB
      return rd === 0 ? "" : `{ const a = xl[${rs1}], b = xl[${rs2}]; ` +
        `xh[${rd}] = (xh[${rs1}] - xh[${rs2}] - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0; xl[${rd}] = (a - b) | 0; }`;
    case 34: // SLL
    case 38: // SRL
    case 39: { // SRA
      if (rd === 0) return "";
      const hiFill = i.op === 39 ? "b >> 31" : "0";
      const right = i.op === 34 ? "" : i.op === 38 ? ">>>" : ">>";
      const body = i.op === 34
        ? `if (s < 32) { hi = (b << s) | (a >>> (32 - s)); lo = a << s; } else { hi = a << (s - 32); lo = 0; }`
        : `if (s < 32) { lo = (a >>> s) | (b << (32 - s)); hi = (b ${right} s) | 0; } ` +
          `else { lo = (b ${right} (s - 32)) | 0; hi = ${hiFill}; }`;
      return `{ const s = xl[${rs2}] & 63, a = xl[${rs1}], b = xh[${rs1}]; let lo = a, hi = b; ` +
        `if (s !== 0) { ${body} } xl[${rd}] = lo; xh[${rd}] = hi; }`;
    }
    case 35: // SLT
      return setX(rd, `${less(i, false, false)} ? 1 : 0`, "0");
    case 36: // SLTU
      return setX(rd, `${less(i, true, false)} ? 1 : 0`, "0");
    case 37: // XOR
      return setX(rd, `xl[${rs1}] ^ xl[${rs2}]`, `xh[${rs1}] ^ xh[${rs2}]`);
    case 40: // OR
      return setX(rd, `xl[${rs1}] | xl[${rs2}]`, `xh[${rs1}] | xh[${rs2}]`);
    case 41: // AND
      return setX(rd, `xl[${rs1}] & xl[${rs2}]`, `xh[${rs1}] & xh[${rs2}]`);
    case 42: // ADDIW
      return xw(`(xl[${rs1}] + ${imm}) | 0`);
    case 43: // SLLIW
      return xw(`xl[${rs1}] << ${imm}`);
    case 44: // SRLIW
      return xw(`(xl[${rs1}] >>> ${imm}) | 0`);
    case 45: // SRAIW
      return xw(`xl[${rs1}] >> ${imm}`);
    case 46: // ADDW
      return xw(`(xl[${rs1}] + xl[${rs2}]) | 0`);
    case 47: // SUBW
      return xw(`(xl[${rs1}] - xl[${rs2}]) | 0`);
    case 48: // SLLW
      return xw(`xl[${rs1}] << (xl[${rs2}] & 31)`);
    case 49: // SRLW
      return xw(`(xl[${rs1}] >>> (xl[${rs2}] & 31)) | 0`);
    case 50: // SRAW
      return xw(`xl[${rs1}] >> (xl[${rs2}] & 31)`);
    case 51: // FENCE
      return "";
    case 61: // MUL
      return rd === 0 ? "" : `c.mul64(xl[${rs1}], xh[${rs1}], xl[${rs2}], xh[${rs2}]); ` +
        `xl[${rd}] = R[0]; xh[${rd}] = R[1];`;
    case 96: // ADD_UW
      return rd === 0 ? "" : `{ const a = xl[${rs1}], lo = (a + xl[${rs2}]) | 0; ` +
        `xh[${rd}] = (xh[${rs2}] + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; xl[${rd}] = lo; }`;
    case 97: // SH1ADD
    case 98: // SH2ADD
    case 99: { // SH3ADD
      if (rd === 0) return "";
      const sh = i.op - 96;
      return `{ const x = xl[${rs1}], al = x << ${sh}, ah = (xh[${rs1}] << ${sh}) | (x >>> ${
        32 - sh
      }), ` +
        `lo = (al + xl[${rs2}]) | 0; xh[${rd}] = (ah + xh[${rs2}] + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0; ` +
        `xl[${rd}] = lo; }`;
    }
    case 69: // MULW
      return xw(`Math.imul(xl[${rs1}], xl[${rs2}])`);
    case 136: // FLW
    case 137: // FLD
      return fpLoad(i, k);
    case 138: // FSW
    case 139: // FSD
      return store(i, k, true);
  }
  const word = i.op | ((rd === 0 ? 32 : rd) << 8) | (rs1 << 14) | (rs2 << 20);
  if (i.op >= 160) {
    // F/D: the FPU module; false means an illegal rounding mode.
    return `if (!executeFp(h, ${i.op}, ${rd}, ${rs1}, ${rs2}, ${imm})) ` +
      `{ c.cut = ${k}; c.stop = 3; return ${i.pc}; }`;
  }
  // The rest (shifts by register, M, Zba/Zbb/Zbs): the interpreter's helper.
  return `cpu.rareOp(h, ${word}, ${imm}); /* ${OP_NAMES[i.op]} */`;
}

/** Integer registers an instruction's code assigns (`xl[N] = ` or `xh[N] = `). */
function assigned(code: string): number[] {
  return [...code.matchAll(/x[lh]\[(\d+)\] = (?!=)/g)].map((m) => Number(m[1]));
}

/** Stores the cached registers in `dirty` back to the hart. */
function writeBack(dirty: ReadonlySet<number>): string {
  return [...dirty].map((r) => `xl[${r}] = l${r}; xh[${r}] = h${r};`).join(" ");
}

/**
 * The body of a block function `(c) => nextPc` for the decoded words and
 * immediates of its instructions at `pcs` (with `nexts` the address after each).
 *
 * Integer registers live in locals (`l5`, `h5`) within the block, since V8
 * cannot keep typed-array elements in machine registers across stores. Every
 * register a block assigns is written back to the hart before each `return`
 * and before each call that may look at the hart or throw (slow-path memory
 * accesses, the FPU, the rare-op helper).
 */
export function blockSource(
  words: readonly number[],
  imms: readonly number[],
  pcs: readonly number[],
  nexts: readonly number[],
): string {
  const body: string[] = [];
  const used = new Set<number>();
  const dirty = new Set<number>();
  let ended = false;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    const op = w & 255;
    const i: Insn = {
      op,
      // Integer destinations arrive as the sink 32 for x0; the generator skips those writes.
      rd: op >= 160 || op === 136 || op === 137 ? (w >> 8) & 63 : ((w >> 8) & 63) % 32,
      rs1: (w >> 14) & 63,
      rs2: (w >> 20) & 63,
      imm: imms[k],
      pc: pcs[k],
      next: nexts[k],
    };
    let code = emit(i, k);
    const helper = /executeFp\(|cpu\.rareOp\(/.test(code);
    if (helper) {
      // The helper reads and writes the hart: sync around it; its destination is reloaded.
      const rd = i.rd % 32;
      const reload = rd === 0 || (op >= 160 && !FP_INT_DEST.has(op))
        ? ""
        : ` l${rd} = xl[${rd}]; h${rd} = xh[${rd}];`;
      if (reload) used.add(rd);
      code = `${writeBack(dirty)} ${code}${reload}`;
      dirty.clear();
    } else {
      for (const m of code.matchAll(/x[lh]\[(\d+)\]/g)) used.add(Number(m[1]));
      const before = new Set(dirty);
      for (const r of assigned(code)) dirty.add(r);
      code = code
        .replace(/\bx([lh])\[(\d+)\]/g, (_m, half, r) => `${half}${r}`)
        // Slow paths may throw: the hart must hold what retired before this instruction.
        .replace(/c\.cut = (\d+);/, (m) => `${writeBack(before)} ${m}`)
        .replace(/\breturn ([^;]+);/g, (_m, e) => `{ ${writeBack(dirty)} return ${e}; }`);
    }
    body.push(`/* ${OP_NAMES[op]} */ ${code}`);
    if (isBlockEnd(op)) ended = true;
  }
  if (!ended) body.push(`${writeBack(dirty)} return ${nexts[nexts.length - 1]};`);
  const regs = [...used].sort((a, b) => a - b);
  const prologue = [
    "const h = c.h, xl = h.xl, xh = h.xh, fw = h.fw, mem = c.mem, cpu = c.cpu;",
    "const rTagLo = mem.rTagLo, rTagHi = mem.rTagHi, rOff = mem.rOff;",
    "const wTagLo = mem.wTagLo, wTagHi = mem.wTagHi, wOff = mem.wOff;",
    "const executeFp = c.executeFp, R = c.R, gen = cpu.codeGen;",
    "let dv = mem.dv;",
    ...regs.map((r) => `let l${r} = xl[${r}], h${r} = xh[${r}];`),
  ];
  return [...prologue, ...body].join("\n");
}

/** F/D ops whose destination is an integer register. */
const FP_INT_DEST: ReadonlySet<number> = new Set([
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
