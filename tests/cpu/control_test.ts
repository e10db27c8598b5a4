import { equal, ok } from "node:assert/strict";
import { STOP_EBREAK, STOP_FAULT, STOP_LIMIT } from "../../lib/cpu/interpreter.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import {
  amo,
  assemble,
  branch,
  csr,
  EBREAK,
  iOp,
  jal,
  jalr,
  load,
  lui,
  rOp,
  store,
} from "../support/asm.ts";
import { CODE, DATA, machine, runToBreak, withTier } from "./support.ts";

function tierTest(name: string, f: () => void): void {
  for (const t of ["interp", "jit"] as const) Deno.test(`[${t}] ${name}`, () => withTier(t, f));
}

tierTest("a counted loop retires exactly the instructions it executes", () => {
  // x5 = 0; x6 = 100; loop: x7 += x5; x5 += 1; blt x5, x6, loop
  const m = machine([
    iOp("addi", 5, 0, 0),
    iOp("addi", 6, 0, 100),
    rOp("add", 7, 7, 5),
    iOp("addi", 5, 5, 1),
    branch("blt", 5, 6, -8),
  ]);
  runToBreak(m);
  equal(m.h.getX(7), 4950n);
  // 2 setup + 3 per iteration * 100 + the EBREAK.
  equal(m.h.instret, 2 + 300 + 1);
});

tierTest("the instruction limit stops at exactly the budget, and resuming continues", () => {
  const m = machine([iOp("addi", 5, 0, 0), iOp("addi", 5, 5, 1), jal(0, -4)]);
  let total = 0;
  for (const budget of [1, 7, 100, 33, 1000]) {
    const before = m.h.instret;
    equal(m.cpu.run(m.h, budget), STOP_LIMIT);
    equal(m.h.instret - before, budget);
    total += budget;
  }
  // x5 counts the addi's: one in every two instructions after the first.
  equal(m.h.getX(5), BigInt(Math.floor((total - 1 + 1) / 2)));
});

tierTest("loads and stores of every size, sign and zero extension, misaligned", () => {
  const m = machine([
    lui(10, DATA),
    store("sd", 11, 10, 0),
    load("lb", 12, 10, 7),
    load("lbu", 13, 10, 7),
    load("lh", 14, 10, 6),
    load("lhu", 15, 10, 6),
    load("lw", 16, 10, 4),
    load("lwu", 17, 10, 4),
    load("ld", 18, 10, 0),
    store("sw", 11, 10, 13),
    load("ld", 19, 10, 9),
    iOp("addi", 22, 10, 2047), // x22 = DATA + 2047: offsets up to 4094 from DATA
    store("sw", 11, 22, 2047), // DATA + 4094: crosses into the next page
    load("lwu", 20, 22, 2047),
    store("sb", 11, 22, -1), // DATA + 2046
    load("lbu", 21, 22, -1),
  ]);
  m.h.setX(11, -0x0123456789abcdefn);
  runToBreak(m);
  const v = BigInt.asUintN(64, -0x0123456789abcdefn); // fedcba9876543211
  equal(m.h.getX(12), BigInt.asIntN(8, v >> 56n));
  equal(m.h.getX(13), (v >> 56n) & 0xffn);
  equal(m.h.getX(14), BigInt.asIntN(16, v >> 48n));
  equal(m.h.getX(15), (v >> 48n) & 0xffffn);
  equal(m.h.getX(16), BigInt.asIntN(32, v >> 32n));
  equal(m.h.getX(17), (v >> 32n) & 0xffffffffn);
  equal(m.h.getX(18), BigInt.asIntN(64, v));
  // sw at 13 overwrote bytes 13..16; ld at 9 reads bytes 9..16 (misaligned, crossing nothing).
  const bytes = new Uint8Array(24);
  new DataView(bytes.buffer).setBigUint64(0, v, true);
  new DataView(bytes.buffer).setUint32(13, Number(v & 0xffffffffn), true);
  equal(m.h.getX(19), new DataView(bytes.buffer).getBigInt64(9, true));
  equal(m.h.getX(20), v & 0xffffffffn);
  equal(m.h.getX(21), v & 0xffn);
});

tierTest("a fault in the middle of a block retires only the instructions before it", () => {
  const m = machine([
    iOp("addi", 5, 0, 1),
    iOp("addi", 6, 0, 2),
    load("ld", 7, 0, 64), // address 64: unmapped
    iOp("addi", 8, 0, 3),
  ]);
  equal(m.cpu.run(m.h, 1000), STOP_FAULT);
  equal(m.h.instret, 2);
  equal(m.h.pc, CODE + 8);
  equal(m.cpu.fault?.address, 64);
  equal(m.cpu.fault?.kind, "read");
  equal(m.h.getX(8), 0n);
});

tierTest("a store to a page without write permission faults with the right address", () => {
  const m = machine([lui(10, CODE), iOp("addi", 5, 0, 9), store("sw", 5, 10, 0x104)]);
  equal(m.cpu.run(m.h, 1000), STOP_FAULT);
  equal(m.cpu.fault?.address, CODE + 0x104);
  equal(m.cpu.fault?.kind, "write");
  equal(m.h.instret, 2);
});

tierTest("jumps: JAL links, JALR to another page and back", () => {
  const far = 0x30000;
  const m = machine([
    lui(10, far),
    jalr(1, 10, 0), // call far
    iOp("addi", 6, 6, 1), // after return
  ]);
  m.mem.map(far, 0x1000, PROT_READ | PROT_EXEC);
  m.mem.poke(far, assemble([iOp("addi", 6, 0, 40), jalr(0, 1, 0)]));
  runToBreak(m);
  equal(m.h.getX(6), 41n);
  equal(m.h.getX(1), BigInt(CODE + 8));
  equal(m.h.instret, 6);
});

tierTest("code written by the program runs (decoded code is invalidated)", () => {
  const m = machine([]);
  m.mem.unmap(CODE, 0x10000);
  m.mem.map(CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
  const target = CODE + 0x100;
  const newInsn = iOp("addi", 7, 0, 99);
  // Run a loop twice over the slot; between passes, overwrite the instruction there.
  m.mem.poke(
    CODE,
    assemble([
      lui(10, CODE),
      jal(1, 0x100 - 4), // call target (which returns)
      lui(11, newInsn & 0xfffff000),
      iOp("addi", 11, 11, newInsn & 0xfff),
      store("sw", 11, 10, 0x100),
      jal(1, 0x100 - 20), // call the rewritten target
      EBREAK,
    ]),
  );
  m.mem.poke(target, assemble([iOp("addi", 7, 0, 1), jalr(0, 1, 0)]));
  m.cpu.hotThreshold = 0;
  equal(m.cpu.run(m.h, 1000), STOP_EBREAK);
  equal(m.h.getX(7), 99n);
});

tierTest(
  "LR/SC succeed undisturbed and fail after an intervening store; AMOs return the old value",
  () => {
    const m = machine([
      lui(10, DATA),
      iOp("addi", 5, 0, 7),
      store("sd", 5, 10, 0),
      amo("lr", "d", 6, 10, 0),
      iOp("addi", 6, 6, 1),
      amo("sc", "d", 7, 10, 6), // succeeds: x7 = 0
      amo("lr", "d", 8, 10, 0),
      store("sd", 0, 10, 0), // intervening store
      amo("sc", "d", 9, 10, 6), // fails: x9 = 1
      iOp("addi", 5, 0, 5),
      amo("amoadd", "d", 11, 10, 5), // x11 = old (0), mem = 5
      amo("amomax", "w", 12, 10, 0), // x12 = 5, mem = max(5, 0)
      load("ld", 13, 10, 0),
    ]);
    runToBreak(m);
    equal(m.h.getX(7), 0n);
    equal(m.h.getX(9), 1n);
    equal(m.h.getX(11), 0n);
    equal(m.h.getX(12), 5n);
    equal(m.h.getX(13), 5n);
  },
);

tierTest("rdinstret and rdcycle read the exact retired count", () => {
  const m = machine([
    iOp("addi", 5, 0, 1),
    iOp("addi", 5, 0, 2),
    csr("csrrs", 6, 0, 0xc02), // instret: 2 retired before it
    csr("csrrs", 7, 0, 0xc00),
  ]);
  runToBreak(m);
  equal(m.h.getX(6), 2n);
  equal(m.h.getX(7), 3n);
});

tierTest("compressed instructions expand and advance the pc by two", () => {
  // c.li x10, 5; c.addi x10, -1; c.slli x10, 3; c.mv x11, x10; c.add x11, x10
  const m = machine([{ c: 0x4515 }, { c: 0x157d }, { c: 0x050e }, { c: 0x85aa }, { c: 0x95aa }]);
  runToBreak(m);
  equal(m.h.getX(10), 32n);
  equal(m.h.getX(11), 64n);
  equal(m.h.pc, CODE + 10);
  ok(m.h.instret === 6);
});
