/**
 * The WebAssembly interpreter: the cold tier of the WebAssembly engine. It
 * runs decoded instructions from the decode cache (in the code memory,
 * shared with the JavaScript side) on the register file in the state memory
 * — the very registers compiled regions use, so switching between the
 * interpreter and compiled code costs no copying — and calls compiled
 * regions itself when it reaches their entries. Being WebAssembly it is fast
 * from its first instruction (no warm-up, no deoptimization as new
 * instruction kinds appear), which is what short runs and cold code need.
 *
 * `run(lim, hot, jumped) => stop` starts at the state memory's pc and
 * returns on an event: the budget `lim` spent (0), ECALL (1) or EBREAK (2)
 * retired (pc = theirs), an illegal instruction (3) or a fault (4) not
 * retired (pc = theirs; for a fault the JavaScript side has recorded it), a
 * misaligned atomic (5), or (6) a jump target that became hot (more than
 * `hot` arrivals) or is compiled but missing from the dispatch cache (pc =
 * the target, not yet run). The state memory then holds the retired count
 * and the pc. `jumped` = 1 counts the start as an arrival at a jump target.
 *
 * Two paths share the loop: the jump path (a taken jump, either successor
 * of a branch, a page end, a return from compiled code) looks the pc's page
 * up, counts heat and enters compiled regions; the step path runs
 * straight-line code from one decoded entry to the next with no pc at all
 * (it is derived from the entry's place in the page where an instruction or
 * an exit needs it), one budget test, one load and one dispatch per
 * instruction.
 *
 * Heat is kept at jump targets (the targets of taken jumps and both
 * successors of a branch): one per arrival, plus one per 16 instructions
 * run from there to the next arrival, so that long straight-line code that
 * runs a few thousand times gets compiled as well as short blocks that run
 * tens of thousands of times. FP instructions and CSR accesses call back
 * into JavaScript (import `slow`).
 * @module
 */

import { STATE } from "../memory/memory.ts";
import { reserve, WASM_STATE } from "./jit_wasm.ts";
import { I32, I64, type Import, Labelled, moduleBytes, OP } from "./wasm.ts";
import { aluValue, isAluOp, MULHU_TYPE, mulhuFunction, type Operands } from "./wasm_alu.ts";
import { DECODE_TYPE, decoderFunction } from "./wasm_decode.ts";
import { INTERPRETER_WASM } from "./wasm_interp_bytes.ts";

/**
 * Bytes per decoded code page in the decode cache: per 2-byte slot the
 * decoded word and its immediate (one 64-bit load), then the heat counters.
 */
export const CODE_SLOT = 0x6000;
/** Offset of the heat counters (one Int32 per slot) within a code slot. */
export const CODE_HEAT = 0x4000;

/**
 * The code TLB in the state memory: 256 tags (64-bit page addresses), 256
 * decode-cache slot offsets, and 256 arena offsets of the pages' frames.
 */
export const CODE_TLB = {
  tags: STATE.cpu + 0x400,
  slots: STATE.cpu + 0xc00,
  frames: STATE.cpu + 0x1000,
  entries: 256,
} as const;

/** Heat mark of a compiled entry (as in `interpreter.ts`). */
const HEAT_COMPILED = -1;

/** Stop codes. */
const STOP_ECALL = 1;
const STOP_EBREAK = 2;
const STOP_ILLEGAL = 3;
const STOP_FAULT = 4;
const STOP_MISALIGNED = 5;
const STOP_HOT = 6;

// Imported functions.
const F_FETCH = 0;
const F_DECODE = 1;
const F_LD = 2;
const F_ST = 3;
const F_AMO = 4;
const F_SLOW = 5;

// Memories: one (the arena holds the state areas and the decode cache).
const ST = 0;
const CODE = 0;
const ARENA = 0;

// Locals.
const P_LIM = 0;
const P_HOT = 1;
const P_JUMPED = 2;
const L_N = 3;
const L_PS = 4;
const L_W = 5;
/** End of the current page's decoded entries (L_PS + CODE_HEAT). */
const L_END = 6;
/** The current instruction's decoded entry in the arena. */
const L_OFF = 7;
const L_T = 8;
const L_S = 9;
const L_X = 10;
const L_STOP = 11;
/** The pc: current on the jump path and at exits; derived from L_OFF in between. */
const L_PC = 12;
const L_PB = 13;
const L_A = 14;
const L_V = 15;
const L_VW = 16;
const L_VY = 17;
/** The previous arrival's heat slot (0: none) and the retired count then. */
const L_PH = 18;
const L_PN = 19;
/** Arena offset of the current page's frame (its instruction bits). */
const L_FR = 20;
/** Instructions run from a target add heat at 1 per 2^RUN_SHIFT. */
const RUN_SHIFT = 4;

/** A page base no pc has: forces a code TLB lookup. */
const NO_PAGE = 0x4000_0000_0000_0001n;

const IMPORTS: Import[] = [
  { module: "e", name: "fetch", kind: "func", type: 1 },
  { module: "e", name: "decode", kind: "func", type: 1 },
  { module: "e", name: "ld", kind: "func", type: 0 },
  { module: "e", name: "st", kind: "func", type: 2 },
  { module: "e", name: "amo", kind: "func", type: 2 },
  { module: "e", name: "slow", kind: "func", type: 0 },
  { module: "e", name: "arena", kind: "memory", min: 1, shared: { max: 65536 } },
  { module: "e", name: "table", kind: "table", min: 0 },
];

const TYPES = [
  { params: [I32, I32, I32], results: [I32] }, // run, regions, ld, slow
  { params: [I32, I32], results: [I32] }, // fetch, decode
  { params: [I32, I32, I32, I32, I32], results: [I32] }, // st, amo
  MULHU_TYPE,
  DECODE_TYPE,
];

/** Function indices of the module's mulhu helper and decoder (after the imports and `run`). */
const F_MULHU = 7;
const F_DECODER = 8;

/** Code generation of the interpreter: labelled code plus the register-file accessors. */
class Gen extends Labelled {
  /** Whether the code being written runs one instruction (L_PC stale, L_OFF current). */
  inStep = false;

  /** Leaves with a stop code; in an instruction's code the pc is that instruction's. */
  stop(code: number): void {
    if (this.inStep) this.pc().w.set(L_PC);
    this.w.i32(code).set(L_STOP);
    this.br("exit");
  }

  /** Pushes the current instruction's pc (from its entry's place in the page). */
  pc(): this {
    this.w.get(L_PB).get(L_OFF).get(L_PS).op(OP.i32Sub).i32(2).op(OP.i32ShrU);
    this.w.op(OP.i64ExtendI32U).op(OP.i64Add);
    return this;
  }

  /** Pushes the pc of the instruction after the current one. */
  npc(): void {
    this.pc().w.i64(4).op(OP.i64Add);
    this.w.get(L_W).i32(25).op(OP.i32ShrU).i32(2).op(OP.i32And).op(OP.i64ExtendI32U);
    this.w.op(OP.i64Sub);
  }

  /** Pushes the current instruction's immediate (i32), stored after its word. */
  imm(): this {
    this.w.get(L_OFF).mem(OP.i32Load, CODE, 2, 4);
    return this;
  }

  /** Pushes the register-file address of the field at `shift` (rs1 11, rs2 17, rd 5) times 8. */
  regAddr(shift: number): void {
    this.w.get(L_W).i32(shift).op(OP.i32ShrU).i32(0x1f8).op(OP.i32And);
  }

  /** Pushes x[field]. */
  reg(shift: number): void {
    this.regAddr(shift);
    this.w.mem(OP.i64Load, ST, 3, WASM_STATE.regs);
  }

  /** Stores the value `value` pushes to x[rd]. */
  setRd(value: () => void): void {
    this.regAddr(5);
    value();
    this.w.mem(OP.i64Store, ST, 3, WASM_STATE.regs);
  }

  /** Sets L_A = x[rs1] + imm and L_T = its TLB index. */
  address(): void {
    this.reg(11);
    this.imm().w.op(OP.i64ExtendI32S).op(OP.i64Add);
    this.w.tee(L_A).op(OP.i32WrapI64).i32(12).op(OP.i32ShrU).i32(1023).op(OP.i32And).set(L_T);
  }

  /** Pushes the TLB hit test for an aligned access of `size` bytes (tags at `tag`). */
  tlbHit(tag: number, size: number): void {
    this.w.get(L_T).i32(3).op(OP.i32Shl).mem(OP.i64Load, ST, 3, tag);
    this.w.get(L_A).i64(-4096 | (size - 1)).op(OP.i64And).op(OP.i64Eq);
  }

  /** Pushes the arena offset of L_A through TLB entry L_T's offsets at `off`. */
  arenaOffset(off: number): void {
    this.w.get(L_T).i32(2).op(OP.i32Shl).mem(OP.i32Load, ST, 2, off);
    this.w.get(L_A).op(OP.i32WrapI64).i32(4095).op(OP.i32And).op(OP.i32Add);
  }

  /** Pushes the slow-path value from the state memory. */
  val(): void {
    this.w.i32(0).mem(OP.i64Load, ST, 3, WASM_STATE.val);
  }
}

const LOADS: Record<number, [number, number, number]> = {
  12: [1, OP.i64Load8S, 0],
  13: [2, OP.i64Load16S, 1],
  14: [4, OP.i64Load32S, 2],
  15: [8, OP.i64Load, 3],
  16: [1, OP.i64Load8U, 0],
  17: [2, OP.i64Load16U, 1],
  18: [4, OP.i64Load32U, 2],
};

const STORES: Record<number, [number, number, number]> = {
  19: [1, OP.i64Store8, 0],
  20: [2, OP.i64Store16, 1],
  21: [4, OP.i64Store32, 2],
  22: [8, OP.i64Store, 3],
};

function extendSlow(g: Gen, op: number): void {
  const w = g.w;
  if (op === 12) w.op(OP.i64Extend8S);
  else if (op === 13) w.op(OP.i64Extend16S);
  else if (op === 14) w.op(OP.i64Extend32S);
  else if (op === 16) w.i64(0xff).op(OP.i64And);
  else if (op === 17) w.i64(0xffff).op(OP.i64And);
  else if (op === 18) w.i64(0xffffffff).op(OP.i64And);
}

function load(g: Gen, op: number): void {
  const [size, wop, align] = LOADS[op];
  g.address();
  g.setRd(() => {
    g.tlbHit(STATE.rTag, size);
    g.open(OP.if, "if", I64);
    g.arenaOffset(STATE.rOff);
    g.w.mem(wop, ARENA, align, 0);
    g.else();
    g.w.halves(L_A);
    g.w.i32(size).call(F_LD);
    g.open(OP.if, "if");
    g.stop(STOP_FAULT);
    g.close();
    g.val();
    extendSlow(g, op);
    g.close();
  });
  g.br("retire");
}

/** After an import's status in L_S: 1 fault, 3 misaligned, 2 code changed (retire, refetch). */
function status(g: Gen, misaligned: boolean): void {
  g.w.get(L_S).i32(1).op(OP.i32Eq);
  g.open(OP.if, "if");
  g.stop(STOP_FAULT);
  g.close();
  if (misaligned) {
    g.w.get(L_S).i32(3).op(OP.i32Eq);
    g.open(OP.if, "if");
    g.stop(STOP_MISALIGNED);
    g.close();
  }
}

/**
 * When code changed (status 2): retires the instruction and goes on at the
 * next pc through a fresh page lookup (the page's decoded entries may be gone).
 */
function refetchIfChanged(g: Gen): void {
  g.w.get(L_S);
  g.open(OP.if, "if");
  g.npc();
  g.w.set(L_PC).i64(NO_PAGE).set(L_PB);
  g.w.get(L_N).i32(1).op(OP.i32Add).set(L_N);
  g.br("jump");
  g.close();
}

function store(g: Gen, op: number): void {
  const [size, wop, align] = STORES[op];
  g.address();
  g.tlbHit(STATE.wTag, size);
  g.open(OP.if, "if");
  g.arenaOffset(STATE.wOff);
  g.reg(17);
  g.w.mem(wop, ARENA, align, 0);
  g.else();
  g.w.halves(L_A);
  g.w.i32(size);
  g.reg(17);
  g.w.op(OP.i32WrapI64);
  g.reg(17);
  g.w.i64(32).op(OP.i64ShrU).op(OP.i32WrapI64);
  g.w.call(F_ST).set(L_S);
  status(g, false);
  refetchIfChanged(g);
  g.close();
  g.br("retire");
}

function atomic(g: Gen, op: number): void {
  const d = op >= 85;
  const size = d ? 8 : 4;
  const kind = op - (d ? 85 : 74);
  const slow = () => {
    g.w.i32(op);
    g.reg(11);
    g.w.set(L_A);
    g.w.halves(L_A);
    g.reg(17);
    g.w.op(OP.i32WrapI64);
    g.reg(17);
    if (d) g.w.i64(32).op(OP.i64ShrU).op(OP.i32WrapI64);
    else g.w.op(OP.i32WrapI64).i32(31).op(OP.i32ShrS);
    g.w.call(F_AMO).set(L_S);
    status(g, true);
    g.setRd(() => g.val());
    refetchIfChanged(g);
  };
  const wload = d ? OP.i64Load : OP.i64Load32S;
  const wstore = d ? OP.i64Store : OP.i64Store32;
  const align = d ? 3 : 2;
  const addr = () => {
    g.reg(11);
    g.w.tee(L_A).op(OP.i32WrapI64).i32(12).op(OP.i32ShrU).i32(1023).op(OP.i32And).set(L_T);
  };
  if (kind === 0) { // LR
    addr();
    g.tlbHit(STATE.rTag, size);
    g.open(OP.if, "if");
    g.setRd(() => {
      g.arenaOffset(STATE.rOff);
      g.w.mem(wload, ARENA, align, 0);
    });
    reserve(g.w, L_A, L_T);
    g.else();
    slow();
    g.close();
  } else if (kind === 1 || kind > 6) {
    slow();
  } else {
    const combine: Record<number, number> = {
      3: OP.i64Add,
      4: OP.i64Xor,
      5: OP.i64And,
      6: OP.i64Or,
    };
    addr();
    g.tlbHit(STATE.rTag, size);
    g.tlbHit(STATE.wTag, size);
    g.w.op(OP.i32And);
    g.open(OP.if, "if");
    g.arenaOffset(STATE.rOff);
    g.w.tee(L_X);
    g.w.mem(wload, ARENA, align, 0).set(L_V);
    g.w.get(L_X);
    if (kind === 2) g.reg(17);
    else {
      g.w.get(L_V);
      g.reg(17);
      g.w.op(combine[kind]);
    }
    g.w.mem(wstore, ARENA, align, 0);
    g.setRd(() => g.w.get(L_V));
    g.else();
    slow();
    g.close();
  }
  g.br("retire");
}

/** The handlers, by op; each ends in a branch to "retire", "jump" or "exit". */
function handlers(): Map<number, (g: Gen) => void> {
  const h = new Map<number, (g: Gen) => void>();
  const operands = (g: Gen): Operands => ({
    w: g.w,
    rs1: () => g.reg(11),
    rs2: () => g.reg(17),
    imm64: () => g.imm().w.op(OP.i64ExtendI32S),
    imm32: () => g.imm(),
    temps: [L_V, L_VW, L_VY],
    mulhu: F_MULHU,
  });
  for (let op = 0; op < 256; op++) {
    if (!isAluOp(op)) continue;
    h.set(op, (g) => {
      g.setRd(() => aluValue(operands(g), op));
      g.br("retire");
    });
  }
  h.set(2, (g) => { // LUI
    g.setRd(() => g.imm().w.op(OP.i64ExtendI32S));
    g.br("retire");
  });
  h.set(3, (g) => { // AUIPC
    g.setRd(() => g.pc().imm().w.op(OP.i64ExtendI32S).op(OP.i64Add));
    g.br("retire");
  });
  h.set(4, (g) => { // JAL
    g.pc().imm().w.op(OP.i64ExtendI32S).op(OP.i64Add).set(L_A);
    g.setRd(() => g.npc());
    g.w.get(L_A).set(L_PC);
    g.br("taken");
  });
  h.set(5, (g) => { // JALR
    g.reg(11);
    g.imm().w.op(OP.i64ExtendI32S).op(OP.i64Add).i64(-2).op(OP.i64And).set(L_A);
    g.setRd(() => g.npc());
    g.w.get(L_A).set(L_PC);
    g.br("taken");
  });
  const cmps = [OP.i64Eq, OP.i64Ne, OP.i64LtS, OP.i64GeS, OP.i64LtU, OP.i64GeU];
  cmps.forEach((cmp, k) => {
    // Both successors of a branch are arrivals at jump targets.
    h.set(6 + k, (g) => { // BEQ BNE BLT BGE BLTU BGEU
      g.pc().imm().w.op(OP.i64ExtendI32S).op(OP.i64Add);
      g.npc();
      g.reg(11);
      g.reg(17);
      g.w.op(cmp, OP.select).set(L_PC);
      g.br("taken");
    });
  });
  for (const op of Object.keys(LOADS).map(Number)) h.set(op, (g) => load(g, op));
  for (const op of Object.keys(STORES).map(Number)) h.set(op, (g) => store(g, op));
  for (let op = 74; op <= 95; op++) h.set(op, (g) => atomic(g, op));
  h.set(51, (g) => g.br("retire")); // FENCE
  h.set(52, (g) => g.br("retire")); // FENCE_I
  h.set(53, (g) => { // ECALL
    g.w.get(L_N).i32(1).op(OP.i32Add).set(L_N);
    g.stop(STOP_ECALL);
  });
  h.set(54, (g) => { // EBREAK
    g.w.get(L_N).i32(1).op(OP.i32Add).set(L_N);
    g.stop(STOP_EBREAK);
  });
  // CSR accesses and FP: JavaScript.
  const slow = (g: Gen) => {
    g.w.get(L_W);
    g.imm().w.get(L_N).i32(1).op(OP.i32Add).call(F_SLOW).set(L_S);
    g.w.get(L_S).i32(STOP_ILLEGAL).op(OP.i32Eq);
    g.open(OP.if, "if");
    g.stop(STOP_ILLEGAL);
    g.close();
    g.w.get(L_S).i32(STOP_FAULT).op(OP.i32Eq);
    g.open(OP.if, "if");
    g.stop(STOP_FAULT);
    g.close();
    refetchIfChanged(g);
    g.br("retire");
  };
  for (let op = 55; op <= 60; op++) h.set(op, slow);
  for (let op = 136; op < 256; op++) h.set(op, slow);
  return h;
}

/** Pushes the dispatch-cache slot offset (i32) of L_PC into L_X. */
function dcacheSlot(g: Gen): void {
  g.w.get(L_PC).op(OP.i32WrapI64).i32(1).op(OP.i32ShrU).i32(WASM_STATE.dcacheEntries - 1);
  g.w.op(OP.i32And).i32(4).op(OP.i32Shl).set(L_X);
}

let cached: WebAssembly.Module | undefined;

/**
 * The interpreter module (compiled once per process). Exports `run`. Its
 * bytes come from `wasm_interp_bytes.ts`, which {@linkcode interpreterBytes}
 * generates (`deno run -A lib/cpu/wasm_interp.ts` rewrites it; a test checks
 * it is current): generating them takes V8 tens of milliseconds of cold
 * JavaScript at every start-up, decoding them well under one.
 */
export function interpreterModule(): WebAssembly.Module {
  if (cached) return cached;
  cached = new WebAssembly.Module(Uint8Array.fromBase64(INTERPRETER_WASM));
  return cached;
}

/** Generates the interpreter module's bytes. */
export function interpreterBytes(): Uint8Array {
  const g = new Gen();
  const w = g.w;
  const table = handlers();
  w.i32(0).mem(OP.i64Load, ST, 3, WASM_STATE.pc).set(L_PC);
  w.i64(NO_PAGE).set(L_PB);
  g.open(OP.block, "exit");
  // The jump path: L_PC is the next pc (a jump target when P_JUMPED).
  g.open(OP.loop, "jump");
  // The budget.
  w.get(L_N).get(P_LIM).op(OP.i32GeS);
  g.open(OP.if, "if");
  g.stop(0);
  g.close();
  // The page: through the code TLB, or the fetch import.
  w.get(L_PC).get(L_PB).op(OP.i64Sub).i64(4096).op(OP.i64GeU);
  g.open(OP.if, "if");
  w.get(L_PC).op(OP.i32WrapI64).i32(12).op(OP.i32ShrU).i32(CODE_TLB.entries - 1).op(OP.i32And)
    .set(L_T);
  w.get(L_T).i32(3).op(OP.i32Shl).mem(OP.i64Load, ST, 3, CODE_TLB.tags);
  w.get(L_PC).i64(-4096).op(OP.i64And).op(OP.i64Eq);
  g.open(OP.if, "if");
  w.get(L_T).i32(2).op(OP.i32Shl).mem(OP.i32Load, ST, 2, CODE_TLB.slots).set(L_PS);
  g.else();
  g.w.halves(L_PC);
  w.call(F_FETCH).tee(L_PS).i32(0).op(OP.i32LtS);
  g.open(OP.if, "if");
  g.stop(STOP_FAULT);
  g.close();
  g.close();
  w.get(L_PC).i64(-4096).op(OP.i64And).set(L_PB);
  w.get(L_PS).i32(CODE_HEAT).op(OP.i32Add).set(L_END);
  w.get(L_T).i32(2).op(OP.i32Shl).mem(OP.i32Load, ST, 2, CODE_TLB.frames).set(L_FR);
  g.close();
  // L_OFF: the slot's decoded entry (8 bytes per 2-byte slot).
  w.get(L_PC).get(L_PB).op(OP.i64Sub).op(OP.i32WrapI64).i32(2).op(OP.i32Shl).get(L_PS)
    .op(OP.i32Add).set(L_OFF);
  // An arrival at a jump target: a compiled entry runs; heat counts otherwise.
  w.get(P_JUMPED);
  g.open(OP.if, "if");
  w.i32(0).set(P_JUMPED);
  // Long straight-line runs since the previous arrival add to that target's heat too.
  w.get(L_PH);
  g.open(OP.if, "if");
  w.get(L_PH).mem(OP.i32Load, CODE, 2, CODE_HEAT).tee(L_T).i32(0).op(OP.i32GeS);
  g.open(OP.if, "if");
  w.get(L_PH).get(L_T).get(L_N).get(L_PN).op(OP.i32Sub).i32(RUN_SHIFT).op(OP.i32ShrU).op(OP.i32Add);
  w.mem(OP.i32Store, CODE, 2, CODE_HEAT);
  g.close();
  w.i32(0).set(L_PH);
  g.close();
  // L_T: the slot's heat counter (4 bytes per slot, after the entries).
  w.get(L_OFF).get(L_PS).op(OP.i32Add).i32(1).op(OP.i32ShrU).set(L_T);
  w.get(L_T).mem(OP.i32Load, CODE, 2, CODE_HEAT).tee(L_X).i32(HEAT_COMPILED).op(OP.i32Eq);
  g.open(OP.if, "if");
  dcacheSlot(g);
  w.get(L_X).mem(OP.i64Load, ST, 3, WASM_STATE.dcache).get(L_PC).op(OP.i64Eq);
  g.open(OP.if, "if");
  w.get(L_N).set(L_S);
  w.get(L_X).mem(OP.i32Load, ST, 2, WASM_STATE.dcache + 12);
  w.get(L_N).get(P_LIM);
  w.get(L_X).mem(OP.i32Load, ST, 2, WASM_STATE.dcache + 8);
  w.callIndirect(0, 0).set(L_STOP);
  w.i32(0).mem(OP.i32Load, ST, 2, WASM_STATE.n).set(L_N);
  w.i32(0).mem(OP.i64Load, ST, 3, WASM_STATE.pc).set(L_PC);
  w.i64(NO_PAGE).set(L_PB);
  w.get(L_STOP);
  g.open(OP.if, "if");
  g.br("exit");
  g.close();
  // Where compiled code leads counts as an arrival, unless it made no progress (budget).
  w.get(L_N).get(L_S).op(OP.i32Ne).set(P_JUMPED);
  g.br("jump");
  g.else();
  g.stop(STOP_HOT);
  g.close();
  g.else();
  w.get(L_X).i32(0).op(OP.i32GeS);
  g.open(OP.if, "if");
  w.get(L_T).get(L_X).i32(1).op(OP.i32Add).tee(L_X).mem(OP.i32Store, CODE, 2, CODE_HEAT);
  w.get(L_X).get(P_HOT).op(OP.i32GtS);
  g.open(OP.if, "if");
  g.stop(STOP_HOT);
  g.close();
  w.get(L_T).set(L_PH).get(L_N).set(L_PN);
  g.close();
  g.close();
  g.close();
  // The step path: one instruction at L_OFF; straight-line code stays here.
  g.inStep = true;
  g.open(OP.loop, "step");
  w.get(L_N).get(P_LIM).op(OP.i32GeS);
  g.open(OP.if, "if");
  g.stop(0);
  g.close();
  // Fetch the decoded instruction (decoding it first if needed).
  w.get(L_OFF).mem(OP.i32Load, CODE, 2, 0).tee(L_W).op(OP.i32Eqz);
  g.open(OP.if, "if");
  // The module's decoder, from the frame's bits; not in the last slot, whose
  // instruction may reach into the next page.
  w.get(L_OFF).get(L_PS).op(OP.i32Sub).tee(L_X).i32(CODE_HEAT - 8).op(OP.i32LtU);
  g.open(OP.if, "if");
  w.get(L_X).i32(2).op(OP.i32ShrU).get(L_FR).op(OP.i32Add).tee(L_X);
  w.mem(OP.i32Load16U, ARENA, 1, 0).tee(L_S).i32(3).op(OP.i32And).i32(3).op(OP.i32Eq);
  g.open(OP.if, "if");
  w.get(L_S).get(L_X).mem(OP.i32Load16U, ARENA, 1, 2).i32(16).op(OP.i32Shl).op(OP.i32Or).set(L_S);
  g.close();
  w.get(L_S).get(L_OFF).call(F_DECODER).set(L_W);
  g.close();
  w.get(L_W).op(OP.i32Eqz);
  g.open(OP.if, "if");
  g.pc().w.set(L_PC);
  g.w.halves(L_PC);
  w.call(F_DECODE).op(OP.i32Eqz);
  g.open(OP.if, "if");
  g.stop(STOP_FAULT);
  g.close();
  w.get(L_OFF).mem(OP.i32Load, CODE, 2, 0).set(L_W);
  g.close();
  g.close();
  // Dispatch.
  g.open(OP.block, "retire");
  g.open(OP.block, "taken");
  const ops = [...table.keys()].sort((a, b) => a - b);
  const index = new Map(ops.map((op, i) => [op, i] as const));
  const illegal = ops.length;
  for (let i = illegal; i >= 0; i--) g.open(OP.block, `h${i}`);
  w.get(L_W).i32(255).op(OP.i32And);
  w.brTable(Array.from({ length: 256 }, (_v, op) => index.get(op) ?? illegal), illegal);
  for (let i = 0; i <= illegal; i++) {
    g.close();
    if (i < illegal) table.get(ops[i])!(g);
    else g.stop(STOP_ILLEGAL);
  }
  g.close(); // taken: a jump or a branch, L_PC set
  w.get(L_N).i32(1).op(OP.i32Add).set(L_N).i32(1).set(P_JUMPED);
  g.br("jump");
  g.close(); // retire: on to the next entry (16 bytes on, 8 after a compressed instruction)
  w.get(L_N).i32(1).op(OP.i32Add).set(L_N);
  w.get(L_OFF).i32(16).get(L_W).i32(23).op(OP.i32ShrU).i32(8).op(OP.i32And).op(OP.i32Sub)
    .op(OP.i32Add).tee(L_OFF).get(L_END).op(OP.i32LtU);
  w.op(OP.brIf, g.depth("step"));
  // Past the page's end: the jump path looks the next page up.
  g.pc().w.set(L_PC);
  g.br("jump");
  g.close(); // step
  g.inStep = false;
  g.close(); // jump
  g.close(); // exit
  w.i32(0).get(L_N).mem(OP.i32Store, ST, 2, WASM_STATE.n);
  w.i32(0).get(L_PC).mem(OP.i64Store, ST, 3, WASM_STATE.pc);
  w.get(L_STOP);
  const mulhu = mulhuFunction();
  const decoder = decoderFunction();
  return moduleBytes(TYPES, IMPORTS, [
    { name: "run", type: 0, locals: [[9, I32], [6, I64], [3, I32]], parts: [w] },
    { name: "mulhu", type: 3, locals: mulhu.locals, parts: [mulhu.body] },
    { name: "decode", type: 4, locals: decoder.locals, parts: [decoder.body] },
  ]);
}

if (import.meta.main) {
  const b64 = btoa(String.fromCharCode(...interpreterBytes()));
  const file = new URL("./wasm_interp_bytes.ts", import.meta.url);
  Deno.writeTextFileSync(
    file,
    [
      "/**",
      " * The WebAssembly interpreter's module bytes (base64), generated by",
      " * `deno run -A lib/cpu/wasm_interp.ts` from `wasm_interp.ts`. Do not edit.",
      " * @module",
      " */",
      "",
      "/** Base64 of the interpreter module. */",
      `export const INTERPRETER_WASM = "${b64}";`,
      "",
    ].join("\n"),
  );
  console.log(`wrote ${file.pathname}`);
}
