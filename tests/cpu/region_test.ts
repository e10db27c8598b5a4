/**
 * The region compilers (WebAssembly and JavaScript backends) against the
 * interpreter: the same program, run in the same slices of instructions,
 * must stop at the same places with the same retired counts, registers and
 * memory. The slices cut regions at every point (preemption inside a
 * region), and the programs cover internal branches and back-edges, calls
 * and returns, faults mid-region, ECALL mid-region, code that rewrites
 * itself, misaligned atomics, and LR/SC with thread switches in between.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { Cpu, STOP_EBREAK, STOP_ECALL, STOP_LIMIT } from "../../lib/cpu/interpreter.ts";
import { Hart } from "../../lib/cpu/hart.ts";
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import {
  amo,
  assemble,
  branch,
  csr,
  EBREAK,
  ECALL,
  iOp,
  jal,
  jalr,
  load,
  lui,
  rOp,
  store,
} from "../support/asm.ts";

const CODE = 0x10000;
const DATA = 0x200000;

type Engine = "interp" | "wasm" | "js";
const ENGINES: readonly Engine[] = ["interp", "wasm", "js"];

/** One program and how to drive it. */
interface Scenario {
  code: readonly (number | { c: number })[];
  /** Code pages are writable too (self-modifying code). */
  writableCode?: boolean;
  /** Harts (threads) sharing the address space; default 1. */
  harts?: number;
  /** Instruction budgets of successive `run` calls (cycled). */
  slices: readonly number[];
  /** Arrivals before a region is compiled. */
  hot: number;
  /** Handles an ECALL: the "kernel" (pc is advanced past it first). */
  ecall?: (h: Hart) => void;
  /** Stop after this many run calls at most. */
  maxCalls?: number;
  /** The `time` CSR: as a kernel's clock, from the hart's retired count. */
  clock?: boolean;
}

interface Step {
  hart: number;
  stop: number;
  pc: number;
  instret: number;
  regs: string;
  fault?: string;
}

function snapshot(h: Hart): string {
  const parts: string[] = [];
  for (let i = 0; i < 32; i++) parts.push(h.getX(i).toString(16));
  return parts.join(",");
}

/** Runs a scenario on one engine: every stop, then the data page. */
function drive(
  s: Scenario,
  engine: Engine,
): { steps: Step[]; data: number[]; compiled: number; blocks: number } {
  const mem = new GuestMemory({ maxBytes: 1 << 26 });
  mem.map(CODE, 0x2000, PROT_READ | PROT_EXEC | (s.writableCode ? PROT_WRITE : 0));
  mem.poke(CODE, assemble(s.code));
  mem.map(DATA, 0x2000, PROT_READ | PROT_WRITE);
  const cpu = new Cpu(mem);
  cpu.jit = engine !== "interp";
  if (engine !== "interp") cpu.backend = engine;
  cpu.hotThreshold = s.hot;
  if (s.clock) cpu.timeCsr = (h) => h.instret * 3 + 7;
  const harts = Array.from({ length: s.harts ?? 1 }, (_v, i) => {
    const h = new Hart();
    h.pc = CODE;
    h.setX(10, BigInt(DATA));
    h.setX(4, BigInt(i));
    return h;
  });
  const done = harts.map(() => false);
  const steps: Step[] = [];
  let turn = 0;
  for (let call = 0; call < (s.maxCalls ?? 100_000) && done.includes(false); call++) {
    // Round-robin over live harts; a switch drops the reservation, as the kernel does.
    let t = turn % harts.length;
    while (done[t]) t = (t + 1) % harts.length;
    if (harts.length > 1) mem.clearReservation();
    const h = harts[t];
    const stop = cpu.run(h, s.slices[call % s.slices.length]);
    const step: Step = { hart: t, stop, pc: h.pc, instret: h.instret, regs: snapshot(h) };
    if (stop === STOP_ECALL && s.ecall) {
      h.pc += 4;
      s.ecall(h);
    } else if (stop !== STOP_LIMIT) {
      if (cpu.fault) step.fault = `${cpu.fault.kind}@${cpu.fault.address.toString(16)}`;
      done[t] = true;
    }
    steps.push(step);
    turn = t + 1;
  }
  return {
    steps,
    data: [...mem.read(DATA, 0x100)],
    compiled: cpu.compiledRegions,
    blocks: cpu.compiledBlocks,
  };
}

/**
 * Asserts that every engine gives the interpreter's trace; `multi`: some
 * compiled region must hold more than one block.
 */
function agree(s: Scenario, multi = false): Step[] {
  const ref = drive(s, "interp");
  for (const e of ENGINES) {
    if (e === "interp") continue;
    const got = drive(s, e);
    ok(got.compiled > 0, `${e}: nothing was compiled`);
    if (multi) ok(got.blocks > got.compiled, `${e}: no region spans several blocks`);
    equal(got.steps.length, ref.steps.length, `${e}: number of stops`);
    for (let i = 0; i < ref.steps.length; i++) {
      deepEqual(got.steps[i], ref.steps[i], `${e}: stop ${i}`);
    }
    deepEqual(got.data, ref.data, `${e}: memory`);
  }
  return ref.steps;
}

const SLICES = [1, 2, 3, 5, 7, 11, 13, 17, 64, 100, 1000, 4];

/**
 * x5 counts to 300; every fourth iteration skips a load-add-store (an
 * internal branch), every iteration calls `f` (a call and a return inside
 * the loop) and stores a byte and a halfword.
 */
const LOOP = [
  iOp("addi", 5, 0, 0), //  0: i = 0
  iOp("addi", 6, 0, 300), //  4: n
  iOp("andi", 7, 5, 3), //  8: loop:
  branch("beq", 7, 0, 16), // 12: -> skip (28)
  load("ld", 8, 10, 0), // 16
  rOp("add", 8, 8, 5), // 20
  store("sd", 8, 10, 0), // 24
  jal(1, 28), // 28: skip: call f (56)
  store("sb", 9, 10, 9), // 32
  store("sh", 5, 10, 12), // 36
  iOp("addi", 5, 5, 1), // 40
  branch("blt", 5, 6, -36), // 44: -> loop (8)
  EBREAK, // 48
  0, // 52 (padding: illegal)
  rOp("xor", 9, 9, 5), // 56: f:
  iOp("slli", 9, 9, 1), // 60
  rOp("mulh", 11, 9, 8), // 64
  rOp("divu", 12, 8, 7), // 68
  jalr(0, 1, 0), // 72: return
];

for (const hot of [0, 2, 50]) {
  Deno.test(`regions: a loop with branches, calls, loads and stores agrees at every cut (hot ${hot})`, () => {
    const steps = agree({ code: LOOP, slices: SLICES, hot }, hot > 0);
    equal(steps.at(-1)!.stop, STOP_EBREAK);
  });
}

Deno.test("regions: a tight single-block loop stops at exactly every budget", () => {
  const code = [
    iOp("addi", 15, 0, 2000),
    iOp("slli", 13, 14, 7),
    rOp("xor", 14, 14, 13),
    rOp("xor", 13, 14, 15),
    iOp("addi", 15, 15, -1),
    rOp("add", 8, 8, 13),
    branch("bne", 15, 0, -20),
    EBREAK,
  ];
  const steps = agree({ code, slices: [997, 1, 6, 5, 7, 1000, 333], hot: 1 });
  equal(steps.at(-1)!.stop, STOP_EBREAK);
  equal(steps.at(-1)!.instret, 1 + 6 * 2000 + 1);
});

Deno.test("regions: a fault in the middle of a compiled region retires exactly what precedes it", () => {
  // Walk x11 through the data area 256 bytes at a time; the third page is unmapped.
  const code = [
    rOp("add", 11, 10, 0),
    iOp("addi", 5, 0, 0),
    load("ld", 12, 11, 0), // loop
    rOp("add", 5, 5, 12),
    iOp("addi", 11, 11, 256),
    store("sd", 5, 10, 8),
    jal(0, -16),
  ];
  const steps = agree({ code, slices: [3, 50, 7, 1000], hot: 2 });
  ok(steps.at(-1)!.fault?.startsWith("read@"));
});

Deno.test("regions: ECALL inside a loop leaves and resumes with exact counts", () => {
  const code = [
    iOp("addi", 5, 0, 0),
    iOp("addi", 17, 0, 64), // loop: a7
    rOp("add", 18, 18, 10),
    ECALL,
    rOp("add", 19, 19, 10), // the "syscall" result
    iOp("addi", 5, 5, 1),
    iOp("addi", 6, 0, 200),
    branch("blt", 5, 6, -24),
    EBREAK,
  ];
  const steps = agree({
    code,
    slices: [5, 100, 3, 1000],
    hot: 2,
    ecall: (h) => h.setX(10, BigInt(h.instret * 3 + 1)),
  }, true);
  ok(steps.filter((s) => s.stop === STOP_ECALL).length === 200);
});

Deno.test("regions: code that rewrites an instruction of its own loop runs the new instruction", () => {
  // addi x7, x0, 1 at CODE+12 is replaced by addi x7, x0, 2 in iteration 100.
  const newInsn = iOp("addi", 7, 0, 2);
  const code = [
    lui(20, CODE),
    iOp("addi", 5, 0, 0),
    lui(21, newInsn & 0xfffff000), // 8
    iOp("addi", 7, 0, 1), // 12: the rewritten instruction
    rOp("add", 8, 8, 7),
    iOp("addi", 22, 0, 100),
    branch("bne", 5, 22, 12), // 24 -> 36
    iOp("addi", 21, 21, newInsn & 0xfff), // 28: (sign handled by lui above)
    store("sw", 21, 20, 12), // 32
    iOp("addi", 5, 5, 1), // 36
    iOp("addi", 6, 0, 300),
    branch("blt", 5, 6, -36), // 44 -> 8
    EBREAK,
  ];
  const steps = agree({ code, writableCode: true, slices: [7, 1000, 3, 50], hot: 2 }, true);
  equal(steps.at(-1)!.stop, STOP_EBREAK);
});

Deno.test("regions: AMOs and a misaligned AMO agree", () => {
  const code = [
    iOp("addi", 5, 0, 0),
    iOp("addi", 6, 0, 3), // loop
    amo("amoadd", "d", 7, 10, 6),
    amo("amoswap", "w", 8, 10, 5),
    amo("amoor", "d", 9, 10, 7),
    amo("amomax", "w", 12, 10, 5),
    amo("amoxor", "w", 13, 10, 9),
    amo("amoand", "d", 14, 10, 9),
    iOp("addi", 5, 5, 1),
    iOp("addi", 15, 0, 150),
    branch("blt", 5, 15, -36),
    iOp("addi", 10, 10, 2),
    amo("amoadd", "w", 7, 10, 6), // misaligned: SIGBUS
  ];
  const steps = agree({ code, slices: [4, 9, 1000], hot: 2 });
  ok(steps.at(-1)!.fault?.startsWith("read@"));
});

Deno.test("regions: LR/SC increments from two threads survive switches between LR and SC", () => {
  // Each hart adds 1 to the shared word 300 times with an LR/SC loop.
  const code = [
    iOp("addi", 5, 0, 0),
    amo("lr", "d", 6, 10, 0), // retry:
    iOp("addi", 6, 6, 1),
    amo("sc", "d", 7, 10, 6),
    branch("bne", 7, 0, -12), // -> retry
    rOp("add", 8, 8, 7), // (x7 = 0 here)
    iOp("addi", 5, 5, 1),
    iOp("addi", 9, 0, 300),
    branch("blt", 5, 9, -28),
    EBREAK,
  ];
  const steps = agree({ code, harts: 2, slices: [3, 5, 2, 7, 40, 1, 4, 11], hot: 2 }, true);
  const ends = steps.filter((s) => s.stop === STOP_EBREAK);
  equal(ends.length, 2);
  // 1 + 300 * 8 + 1 without a failed SC: switches between LR and SC made some fail.
  ok(ends.some((s) => s.instret > 2402), "no SC failed");
});

Deno.test("regions: the time CSR reads the exact retired count in every engine", () => {
  // A loop with rdtime (csrrs x6, time, x0) between compiled blocks.
  const code = [
    iOp("addi", 5, 0, 0),
    csr("csrrs", 6, 0, 0xc01), // loop
    rOp("add", 7, 7, 6),
    iOp("addi", 5, 5, 1),
    iOp("addi", 8, 0, 500),
    branch("blt", 5, 8, -16),
    EBREAK,
  ];
  const steps = agree({ code, slices: [7, 1000, 3, 100], hot: 2, clock: true });
  equal(steps.at(-1)!.stop, STOP_EBREAK);
});
