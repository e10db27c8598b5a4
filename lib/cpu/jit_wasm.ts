/**
 * The WebAssembly backend of the compiled tier: turns a region (the same
 * {@linkcode RegionBlock}s the JavaScript backend compiles) into a
 * WebAssembly function `(b, n, lim) => stop` with native 64-bit arithmetic.
 *
 * - One memory: the arena (the very `WebAssembly.Memory` of `GuestMemory`),
 *   which holds the guest's pages and, at fixed offsets at its start, the
 *   software TLBs, the LR reservation, the register file, control words and
 *   the dispatch cache ({@linkcode WASM_STATE}). Loads and stores check the
 *   TLB inline (aligned accesses on a TLB hit go straight to the arena); misses,
 *   atomics that miss and SC call back into JavaScript (imports `ld`, `st`,
 *   `amo`), which report faults as a status instead of throwing. LR places
 *   the reservation itself (the state areas hold it).
 * - Registers live in wasm locals for the whole call: loaded from the
 *   register file on entry, written back on the way out.
 * - Control flow inside the region is a loop over a `br_table` on the block
 *   index; a block that branches to itself gets its own inner loop.
 * - Leaving the region for an address the dispatch cache knows continues
 *   there with a tail call through the shared function table
 *   (`return_call_indirect`), so compiled regions chain without returning to
 *   JavaScript; the budget `lim` and the retired count `n` travel along.
 * - On return, the state memory holds `n` (retired instructions) and the
 *   next pc; the result is a STOP_* code (0 when the budget ran out or the
 *   next address is not compiled, STOP_FAULT with the faulting pc after a
 *   fault, STOP_ECALL / STOP_EBREAK with their own pc, STOP_MISALIGNED).
 * Every block checks the budget before it starts; instruction counts are
 * exact on every path.
 *
 * FP instructions and CSR accesses end blocks in this backend (the
 * interpreter runs them).
 * @module
 */

import { STATE } from "../memory/memory.ts";
import { insnLength, type RegionBlock } from "./jit.ts";
import { Body, I32, I64, type Import, Labelled, moduleBytes, OP, VOID } from "./wasm.ts";
import { aluValue, isAluOp, MULHU_TYPE, mulhuFunction, type Operands } from "./wasm_alu.ts";

/** Offsets in the state memory used by the WebAssembly backend. */
export const WASM_STATE = {
  /** Register file: x[i] as a little-endian 64-bit word at regs + 8i. */
  regs: STATE.cpu,
  /** Instructions retired by the last call (32-bit). */
  n: STATE.cpu + 0x200,
  /** Next pc after the last call (64-bit). */
  pc: STATE.cpu + 0x208,
  /** Value returned by the `ld` and `amo` imports (64-bit). */
  val: STATE.cpu + 0x210,
  /** Dispatch cache: entries of [pc: i64, table index: i32, block: i32]. */
  dcache: STATE.cpu + 0x2000,
  /** Entries in the dispatch cache (a power of two). */
  dcacheEntries: 4096,
} as const;

/** Ops that end a block before them in this backend (besides ILLEGAL and CSRs): FP. */
export function isWasmBarrier(op: number): boolean {
  return op >= 136;
}

const STOP_ECALL = 1;
const STOP_EBREAK = 2;
const STOP_FAULT = 4;
const STOP_MISALIGNED = 5;
/** Internal stop of a budget exit: no chaining; returned as 0 (STOP_LIMIT). */
const BUDGET = 0x100;

/** Function indices of the imports. */
const F_LD = 0;
const F_ST = 1;
const F_AMO = 2;
/** Memory indices: one memory (the arena, which holds the state areas too). */
const STATEMEM = 0;
const ARENA = 0;

/** Locals. */
const P_B = 0;
const P_N = 1;
const P_LIM = 2;
const L_STOP = 3;
const L_T = 4;
const L_S = 5;
const L_X = 6;
const L_PC = 7;
const L_A = 8;
const L_V = 9;
const L_W = 10;
const L_Y = 11;
/** Locals from here on hold registers (L_Y + 1 is a spare temporary). */
const FIRST_REG_LOCAL = 13;

const M32 = 0xffffffff;

/** The imports every region module takes. */
const IMPORTS: Import[] = [
  { module: "e", name: "ld", kind: "func", type: 1 },
  { module: "e", name: "st", kind: "func", type: 2 },
  { module: "e", name: "amo", kind: "func", type: 2 },
  { module: "e", name: "arena", kind: "memory", min: 1, shared: { max: 65536 } },
  { module: "e", name: "table", kind: "table", min: 0 },
];

const TYPES = [
  { params: [I32, I32, I32], results: [I32] }, // region
  { params: [I32, I32, I32], results: [I32] }, // ld
  { params: [I32, I32, I32, I32, I32], results: [I32] }, // st, amo
  MULHU_TYPE,
  { params: [I64, I32], results: [I32] }, // the load helper
  { params: [I64, I32, I64], results: [I32] }, // the store helper
];

/** Function indices of the module's helpers (after the imports and the region function). */
const F_MULHU = 4;
const F_LOAD = 5;
const F_STORE = 6;

/**
 * The slow paths of loads and stores, once per module: `(addr, size) ->
 * status` and `(addr, size, value) -> status` split the 64-bit operands for
 * the imports. Inline, the splitting made a sixth of a region's code.
 */
function slowHelpers(): {
  name: string;
  type: number;
  locals: [number, number][];
  parts: Body[];
}[] {
  const ld = new Body();
  ld.halves(0).get(1).call(F_LD);
  const st = new Body();
  st.halves(0).get(1).halves(2).call(F_ST);
  return [
    { name: "load", type: 4, locals: [], parts: [ld] },
    { name: "store", type: 5, locals: [], parts: [st] },
  ];
}

class WGen extends Labelled {
  /** Register → local index. */
  readonly regLocal = new Map<number, number>();
  readonly dirty = new Set<number>();

  constructor(
    readonly index: Map<number, number>,
    readonly returns: number[],
  ) {
    super();
  }

  local(r: number): number {
    let l = this.regLocal.get(r);
    if (l === undefined) {
      l = FIRST_REG_LOCAL + this.regLocal.size;
      this.regLocal.set(r, l);
    }
    return l;
  }

  /** Pushes x[r]. */
  reg(r: number): void {
    if (r === 0) this.w.i64(0);
    else this.w.get(this.local(r));
  }

  /** Pops a value into x[rd] (dropped for x0). */
  setReg(rd: number): void {
    if (rd === 0 || rd === 32) this.w.op(OP.drop);
    else {
      this.dirty.add(rd);
      this.w.set(this.local(rd));
    }
  }

  addN(k: number): void {
    if (k === 0) return;
    this.w.get(P_N).i32(k).op(OP.i32Add).set(P_N);
  }

  /** Leaves the region for guest address `pc` after `k` more retired instructions. */
  exit(pc: number, k: number, stop = 0): void {
    if (stop !== 0) this.w.i32(stop).set(L_STOP);
    this.addN(k);
    this.w.i64(pc).set(L_PC);
    this.br("exit");
  }

  /** Continues at `pc` (inside the region when a block starts there). `fall`: it may fall through. */
  goto(pc: number, current: number, fall: boolean): void {
    const j = this.index.get(pc);
    if (j === undefined) {
      this.w.i64(pc).set(L_PC).br(this.depth("exit"));
      return;
    }
    if (fall && j === current + 1) return;
    if (j === current && this.labels.includes("self")) {
      this.br("self");
      return;
    }
    this.w.i32(j).set(P_B).br(this.depth("loop"));
  }
}

/** Pushes the effective address x[rs1] + imm into L_A and the TLB index into L_T. */
function address(g: WGen, rs1: number, imm: number): void {
  g.reg(rs1);
  if (imm !== 0) g.w.i64(imm).op(OP.i64Add);
  g.w.tee(L_A).op(OP.i32WrapI64).i32(12).op(OP.i32ShrU).i32(1023).op(OP.i32And).set(L_T);
}

/** Pushes the TLB hit test (i32) for an aligned access of `size` bytes. */
function tlbHit(g: WGen, tag: number, size: number): void {
  g.w.get(L_T).i32(3).op(OP.i32Shl).mem(OP.i64Load, STATEMEM, 3, tag);
  g.w.get(L_A).i64(-4096 | (size - 1)).op(OP.i64And).op(OP.i64Eq);
}

/** Pushes the arena offset (i32) of (L_A) through TLB entry L_T's offset table `off`. */
function arenaOffset(g: WGen, off: number): void {
  g.w.get(L_T).i32(2).op(OP.i32Shl).mem(OP.i32Load, STATEMEM, 2, off);
  g.w.get(L_A).op(OP.i32WrapI64).i32(4095).op(OP.i32And).op(OP.i32Add);
}

const LOAD_OPS: Record<number, [number, number, number]> = {
  // op: [size, wasm load opcode, alignment]
  12: [1, OP.i64Load8S, 0],
  13: [2, OP.i64Load16S, 1],
  14: [4, OP.i64Load32S, 2],
  15: [8, OP.i64Load, 3],
  16: [1, OP.i64Load8U, 0],
  17: [2, OP.i64Load16U, 1],
  18: [4, OP.i64Load32U, 2],
};

/** Sign or zero extension of the slow path's 64-bit value for a load op. */
function extendSlow(g: WGen, op: number): void {
  switch (op) {
    case 12:
      g.w.op(OP.i64Extend8S);
      break;
    case 13:
      g.w.op(OP.i64Extend16S);
      break;
    case 14:
      g.w.op(OP.i64Extend32S);
      break;
    case 16:
      g.w.i64(0xff).op(OP.i64And);
      break;
    case 17:
      g.w.i64(0xffff).op(OP.i64And);
      break;
    case 18:
      g.w.i64(M32).op(OP.i64And);
      break;
  }
}

/** The state memory's 64-bit slow-path value. */
function val(g: WGen): void {
  g.w.i32(0).mem(OP.i64Load, STATEMEM, 3, WASM_STATE.val);
}

function load(g: WGen, op: number, rd: number, rs1: number, imm: number, pc: number, k: number) {
  const [size, wop, align] = LOAD_OPS[op];
  address(g, rs1, imm);
  tlbHit(g, STATE.rTag, size);
  g.open(OP.if, "if", I64);
  arenaOffset(g, STATE.rOff);
  g.w.mem(wop, ARENA, align, 0);
  g.else();
  g.w.get(L_A).i32(size).call(F_LOAD);
  g.open(OP.if, "if");
  g.exit(pc, k, STOP_FAULT);
  g.close();
  val(g);
  extendSlow(g, op);
  g.close();
  g.setReg(rd);
}

const STORE_OPS: Record<number, [number, number, number]> = {
  19: [1, OP.i64Store8, 0],
  20: [2, OP.i64Store16, 1],
  21: [4, OP.i64Store32, 2],
  22: [8, OP.i64Store, 3],
};

/** After a slow store's status (on the stack): fault exit, or exit after it when code changed. */
function storeStatus(g: WGen, pc: number, next: number, k: number): void {
  g.w.tee(L_S);
  g.open(OP.if, "if");
  g.w.get(L_S).i32(1).op(OP.i32Eq);
  g.open(OP.if, "if");
  g.exit(pc, k, STOP_FAULT);
  g.close();
  g.exit(next, k + 1);
  g.close();
}

function store(
  g: WGen,
  op: number,
  rs1: number,
  rs2: number,
  imm: number,
  pc: number,
  next: number,
  k: number,
) {
  const [size, wop, align] = STORE_OPS[op];
  address(g, rs1, imm);
  tlbHit(g, STATE.wTag, size);
  g.open(OP.if, "if");
  arenaOffset(g, STATE.wOff);
  g.reg(rs2);
  g.w.mem(wop, ARENA, align, 0);
  g.else();
  g.w.get(L_A).i32(size);
  g.reg(rs2);
  g.w.call(F_STORE);
  storeStatus(g, pc, next, k);
  g.close();
}

/**
 * Places the LR reservation on the address in local `a` (whose TLB index is
 * in local `t`): the address, the live flag, and the eviction of the write
 * TLB entry at that index, so that stores to the page take the slow path
 * that clears the reservation.
 */
export function reserve(w: Body, a: number, t: number): void {
  w.i32(0).get(a).mem(OP.i64Store, 0, 3, STATE.res);
  w.i32(0).i32(1).mem(OP.i32Store, 0, 2, STATE.res + 8);
  w.get(t).i32(3).op(OP.i32Shl).i32(0x800).mem(OP.i32Store, 0, 2, STATE.wTag);
}

/** AMO combining ops on the old value (L_V) and the source: emits the new value. */
function amoCombine(g: WGen, kind: number, rs2: number): boolean {
  const ops: Record<number, number> = { 3: OP.i64Add, 4: OP.i64Xor, 5: OP.i64And, 6: OP.i64Or };
  if (kind === 2) {
    g.reg(rs2);
    return true;
  }
  if (ops[kind] === undefined) return false;
  g.w.get(L_V);
  g.reg(rs2);
  g.w.op(ops[kind]);
  return true;
}

function atomic(
  g: WGen,
  op: number,
  rd: number,
  rs1: number,
  rs2: number,
  pc: number,
  next: number,
  k: number,
) {
  const d = op >= 85;
  const size = d ? 8 : 4;
  const kind = op - (d ? 85 : 74);
  const slow = () => {
    g.w.i32(op);
    g.reg(rs1);
    g.w.set(L_A);
    g.w.halves(L_A);
    g.reg(rs2);
    g.w.op(OP.i32WrapI64);
    if (d) {
      g.reg(rs2);
      g.w.i64(32).op(OP.i64ShrU).op(OP.i32WrapI64);
    } else {
      g.reg(rs2);
      g.w.op(OP.i32WrapI64).i32(31).op(OP.i32ShrS);
    }
    g.w.call(F_AMO).set(L_S);
    g.w.get(L_S).i32(1).op(OP.i32Eq);
    g.open(OP.if, "if");
    g.exit(pc, k, STOP_FAULT);
    g.close();
    g.w.get(L_S).i32(3).op(OP.i32Eq);
    g.open(OP.if, "if");
    g.exit(pc, k, STOP_MISALIGNED);
    g.close();
    val(g);
    g.setReg(rd);
    g.w.get(L_S);
    g.open(OP.if, "if");
    g.exit(next, k + 1);
    g.close();
  };
  const wload = d ? OP.i64Load : OP.i64Load32S;
  const wstore = d ? OP.i64Store : OP.i64Store32;
  const align = d ? 3 : 2;
  if (kind === 0) { // LR: read-TLB fast path, then the reservation
    address(g, rs1, 0);
    tlbHit(g, STATE.rTag, size);
    g.open(OP.if, "if");
    arenaOffset(g, STATE.rOff);
    g.w.mem(wload, ARENA, align, 0);
    reserve(g.w, L_A, L_T);
    g.setReg(rd);
    g.else();
    slow();
    g.close();
    return;
  }
  if (kind === 1 || kind > 6) {
    slow();
    return;
  }
  // AMOs: both TLBs must hit (a writable page that is neither code nor reserved).
  address(g, rs1, 0);
  tlbHit(g, STATE.rTag, size);
  tlbHit(g, STATE.wTag, size);
  g.w.op(OP.i32And);
  g.open(OP.if, "if");
  arenaOffset(g, STATE.rOff);
  g.w.tee(L_X);
  g.w.mem(wload, ARENA, align, 0).set(L_V);
  g.w.get(L_X);
  amoCombine(g, kind, rs2);
  g.w.mem(wstore, ARENA, align, 0);
  g.w.get(L_V);
  g.setReg(rd);
  g.else();
  slow();
  g.close();
}

/** Pushes a comparison (i32) of x[rs1] and x[rs2] (or an immediate). */
function compare(g: WGen, rs1: number, rs2: number | null, imm: number, op: number): void {
  g.reg(rs1);
  if (rs2 === null) g.w.i64(imm);
  else g.reg(rs2);
  g.w.op(op);
}

/** One instruction; returns false when it ended the block's control flow itself. */
function emit(
  g: WGen,
  w: number,
  imm: number,
  pc: number,
  k: number,
  len: number,
  j: number,
): void {
  const op = w & 255;
  const rd = (w >> 8) & 63;
  const rs1 = (w >> 14) & 63;
  const rs2 = (w >> 20) & 63;
  const next = pc + insnLength(w);
  const b = g.w;
  switch (op) {
    case 2: // LUI
      if (rd !== 32) {
        b.i64(imm);
        g.setReg(rd);
      }
      return;
    case 3: // AUIPC
      if (rd !== 32) {
        b.i64(pc + imm);
        g.setReg(rd);
      }
      return;
    case 4: // JAL
      if (rd !== 32) {
        b.i64(next);
        g.setReg(rd);
      }
      g.addN(len);
      g.goto(pc + imm, j, true);
      return;
    case 5: { // JALR
      g.reg(rs1);
      b.i64(imm).op(OP.i64Add).i64(-2).op(OP.i64And).set(L_W);
      if (rd !== 32) {
        b.i64(next);
        g.setReg(rd);
      }
      g.addN(len);
      for (const r of g.returns) {
        b.get(L_W).i64(r).op(OP.i64Eq);
        g.open(OP.if, "if");
        g.goto(r, j, false);
        g.close();
      }
      b.get(L_W).set(L_PC).br(g.depth("exit"));
      return;
    }
    case 6: // BEQ
    case 7: // BNE
    case 8: // BLT
    case 9: // BGE
    case 10: // BLTU
    case 11: { // BGEU
      const cmp = [OP.i64Eq, OP.i64Ne, OP.i64LtS, OP.i64GeS, OP.i64LtU, OP.i64GeU][op - 6];
      g.addN(len);
      compare(g, rs1, rs2, 0, cmp);
      g.open(OP.if, "if");
      g.goto(pc + imm, j, false);
      g.close();
      g.goto(next, j, true);
      return;
    }
    case 12: // LB
    case 13: // LH
    case 14: // LW
    case 15: // LD
    case 16: // LBU
    case 17: // LHU
    case 18: // LWU
      load(g, op, rd, rs1, imm, pc, k);
      return;
    case 19: // SB
    case 20: // SH
    case 21: // SW
    case 22: // SD
      store(g, op, rs1, rs2, imm, pc, next, k);
      return;
    case 51: // FENCE
    case 52: // FENCE_I
      return;
    case 53: // ECALL
      g.exit(pc, len, STOP_ECALL);
      return;
    case 54: // EBREAK
      g.exit(pc, len, STOP_EBREAK);
      return;
  }
  if (isAluOp(op)) {
    if (rd === 32) return;
    const operands: Operands = {
      w: b,
      rs1: () => g.reg(rs1),
      rs2: () => g.reg(rs2),
      imm64: () => b.i64(imm),
      imm32: () => b.i32(imm),
      temps: [L_V, L_W, L_Y],
      mulhu: F_MULHU,
    };
    aluValue(operands, op);
    g.setReg(rd);
    return;
  }
  if (op >= 74 && op <= 95) {
    atomic(g, op, rd, rs1, rs2, pc, next, k);
    return;
  }
  throw new Error(`wasm backend: op ${op} reached code generation`);
}

/**
 * The module bytes of the region function for `blocks` (block 0 first; a
 * block's fall-through successor should come right after it); `returns`
 * lists block starts that follow a call inside the region. Exports `f`.
 */
export function wasmRegion(blocks: readonly RegionBlock[], returns: readonly number[]): Uint8Array {
  const index = new Map<number, number>();
  blocks.forEach((blk, j) => index.set(blk.pcs[0], j));
  const g = new WGen(index, returns.filter((r) => index.has(r)));
  const N = blocks.length;
  // Blocks that branch to themselves get an inner loop.
  const selfLoop = blocks.map((blk) => {
    const k = blk.pcs.length - 1;
    const op = blk.words[k] & 255;
    return (op >= 4 && op <= 11 && op !== 5) && blk.pcs[k] + blk.imms[k] === blk.pcs[0];
  });
  const body = g.w;
  // Prologue placeholder: register loads are prepended once the used set is known.
  g.open(OP.block, "exit");
  g.open(OP.loop, "loop");
  for (let j = N - 1; j >= 0; j--) g.open(OP.block, `B${j}`);
  body.get(P_B).brTable(blocks.map((_b, j) => j), 0);
  for (let j = 0; j < N; j++) {
    g.close(); // end of B_j: block j's code follows
    const blk = blocks[j];
    const len = blk.pcs.length;
    if (selfLoop[j]) g.open(OP.loop, "self");
    body.get(P_N).i32(len).op(OP.i32Add).get(P_LIM).op(OP.i32GtS);
    g.open(OP.if, "if");
    g.exit(blk.pcs[0], 0, BUDGET);
    g.close();
    let ended = false;
    for (let k = 0; k < len; k++) {
      const w = blk.words[k];
      const op = w & 255;
      emit(g, w, blk.imms[k], blk.pcs[k], k, len, j);
      if ((op >= 4 && op <= 11) || op === 53 || op === 54) ended = true;
    }
    if (!ended) {
      const k = len - 1;
      g.addN(len);
      g.goto(blk.pcs[k] + insnLength(blk.words[k]), j, true);
    }
    if (selfLoop[j]) {
      g.close();
      // Falling out of the inner loop continues with the next block, if any.
    }
  }
  if (N > 0) body.op(OP.unreachable);
  g.close(); // loop
  g.close(); // exit
  // Epilogue: write back, chain through the dispatch cache, or return.
  const dirty = [...g.dirty].sort((a, b) => a - b);
  for (const r of dirty) {
    body.i32(0).get(g.local(r)).mem(OP.i64Store, STATEMEM, 3, WASM_STATE.regs + 8 * r);
  }
  body.get(L_STOP).op(OP.i32Eqz);
  body.op(OP.if, VOID);
  body.get(L_PC).op(OP.i32WrapI64).i32(1).op(OP.i32ShrU).i32(WASM_STATE.dcacheEntries - 1)
    .op(OP.i32And).i32(4).op(OP.i32Shl).tee(L_X);
  body.mem(OP.i64Load, STATEMEM, 3, WASM_STATE.dcache).get(L_PC).op(OP.i64Eq);
  body.op(OP.if, VOID);
  body.get(L_X).mem(OP.i32Load, STATEMEM, 2, WASM_STATE.dcache + 12);
  body.get(P_N).get(P_LIM);
  body.get(L_X).mem(OP.i32Load, STATEMEM, 2, WASM_STATE.dcache + 8);
  body.returnCallIndirect(0, 0);
  body.op(OP.end, OP.end);
  body.i32(0).get(P_N).mem(OP.i32Store, STATEMEM, 2, WASM_STATE.n);
  body.i32(0).get(L_PC).mem(OP.i64Store, STATEMEM, 3, WASM_STATE.pc);
  body.get(L_STOP).i32(255).op(OP.i32And);
  // Prologue: load every register the code uses.
  const pro = new Body();
  for (const [r, l] of g.regLocal) {
    pro.i32(0).mem(OP.i64Load, STATEMEM, 3, WASM_STATE.regs + 8 * r).set(l);
  }
  const mulhu = mulhuFunction();
  return moduleBytes(TYPES, IMPORTS, [
    {
      name: "f",
      type: 0,
      locals: [[4, I32], [6 + g.regLocal.size, I64]],
      parts: [pro, body],
    },
    { name: "mulhu", type: 3, locals: mulhu.locals, parts: [mulhu.body] },
    ...slowHelpers(),
  ]);
}
