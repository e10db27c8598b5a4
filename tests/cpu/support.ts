/**
 * Test harness for the CPU: a machine with a code page and a data page, and
 * helpers to run hand-assembled programs.
 * @module
 */

import { Hart } from "../../lib/cpu/hart.ts";
import { Cpu, STOP_EBREAK } from "../../lib/cpu/interpreter.ts";
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { assemble, EBREAK } from "../support/asm.ts";

/** Where test code is placed. */
export const CODE = 0x10000;
/** A read-write data area. */
export const DATA = 0x200000;

/** A fresh machine. */
export interface TestMachine {
  mem: GuestMemory;
  cpu: Cpu;
  h: Hart;
}

/** Which execution tier tests use: set by {@linkcode withTier}. */
let tier: "interp" | "jit" = "interp";

/** Runs `f` with machines on the given tier ("jit" compiles every block at first sight). */
export function withTier(t: "interp" | "jit", f: () => void): void {
  const saved = tier;
  tier = t;
  try {
    f();
  } finally {
    tier = saved;
  }
}

/** Builds a machine with `program` at {@linkcode CODE} (EBREAK appended) and 64 KiB at DATA. */
export function machine(program: readonly (number | { c: number })[]): TestMachine {
  const mem = new GuestMemory({ maxBytes: 1 << 26 });
  mem.map(CODE, 0x10000, PROT_READ | PROT_EXEC);
  mem.poke(CODE, assemble([...program, EBREAK]));
  mem.map(DATA, 0x10000, PROT_READ | PROT_WRITE);
  const cpu = new Cpu(mem);
  cpu.jit = tier === "jit";
  cpu.hotThreshold = 0;
  const h = new Hart();
  h.pc = CODE;
  return { mem, cpu, h };
}

/** Runs until EBREAK (throws on any other stop) and returns the hart. */
export function runToBreak(m: TestMachine, limit = 1_000_000): Hart {
  const stop = m.cpu.run(m.h, limit);
  if (stop !== STOP_EBREAK) throw new Error(`stopped with ${stop} at 0x${m.h.pc.toString(16)}`);
  if (m.cpu.jit && m.cpu.compiledBlocks === 0) throw new Error("the compiled tier never ran");
  return m.h;
}

/** Interesting 64-bit values (as signed bigints) for ALU tests. */
export const VALUES: readonly bigint[] = [
  0n,
  1n,
  -1n,
  2n,
  7n,
  -7n,
  0x7fffffffn,
  -0x80000000n,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  -0x8000000000000000n,
  0x123456789abcdef0n,
  -0x123456789abcdef0n,
  0x00000000deadbeefn,
  0x0000ffff0000ffffn,
  0x5555555555555555n,
  -0x5555555555555556n,
  63n,
  64n,
  31n,
  32n,
];

/** Signed 64-bit view. */
export function s64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Unsigned 64-bit view. */
export function u64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}

/** Sign-extends the low 32 bits to 64. */
export function sx32(v: bigint): bigint {
  return BigInt.asIntN(32, v);
}
