/**
 * The privilege split of `lib/guest_kernel/machine.ts` on hand-assembled
 * code: a kernel in M-mode enters U-mode with `mret`, U-mode ECALLs,
 * M-mode CSR accesses and the instruction-count timer trap to `mtvec` with
 * the right `mcause`, host calls halt and write output, and retired
 * instructions are split between program and kernel.
 * @module
 */

import { deepEqual, equal } from "node:assert/strict";
import { Hart } from "../../lib/cpu/hart.ts";
import { Cpu } from "../../lib/cpu/interpreter.ts";
import { summarize } from "../../lib/guest_kernel/cost.ts";
import { HOST_HALT, HOST_WRITE_OUTPUT, Machine } from "../../lib/guest_kernel/machine.ts";
import { kernelCostRows } from "../../lib/guest_kernel/table.ts";
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { assemble, csr, ECALL, iOp, jal, lui } from "../support/asm.ts";

const KERNEL = 0x10000;
const TRAP = 0x10100;
const USER = 0x20000;
const DATA = 0x30000;
const T0 = 5, T1 = 6, A0 = 10, A1 = 11, A2 = 12, A7 = 17;
const MSTATUS = 0x300, MIE = 0x304, MTVEC = 0x305, MEPC = 0x341, MCAUSE = 0x342;
const MRET = 0x30200073;

/** `li rd, v` for v below 2^31 (lui + addi). */
function li(rd: number, v: number): number[] {
  const hi = (v + 0x800) & 0xfffff000;
  return [lui(rd, hi), iOp("addi", rd, rd, v - hi)];
}

/**
 * A kernel that sets mtvec, optionally runs `setup`, and mrets to USER; its
 * trap handler halts with status mcause & 255 (after `onTrap`).
 */
function boot(user: number[], setup: number[] = [], onTrap: number[] = []) {
  const mem = new GuestMemory({ maxBytes: 1 << 24 });
  mem.map(KERNEL, 0x10000, PROT_READ | PROT_EXEC);
  mem.map(USER, 0x10000, PROT_READ | PROT_EXEC);
  mem.map(DATA, 0x10000, PROT_READ | PROT_WRITE);
  mem.poke(
    KERNEL,
    assemble([
      ...li(T0, TRAP),
      csr("csrrw", 0, T0, MTVEC),
      ...li(T0, USER),
      csr("csrrw", 0, T0, MEPC),
      ...setup,
      MRET,
    ]),
  );
  mem.poke(
    TRAP,
    assemble([
      ...onTrap,
      csr("csrrs", A0, 0, MCAUSE),
      iOp("andi", A0, A0, 255),
      iOp("addi", A1, 0, 0),
      ...li(A7, HOST_HALT),
      ECALL,
    ]),
  );
  mem.poke(USER, assemble(user));
  const cpu = new Cpu(mem);
  const h = new Hart();
  h.pc = KERNEL;
  const out: [number, string][] = [];
  const m = new Machine(cpu, h, {
    input: new Uint8Array(0),
    output: (s, b) => out.push([s, new TextDecoder().decode(b)]),
  });
  return { m, mem, h, out };
}

Deno.test("machine: a U-mode ECALL traps to mtvec with mcause 8 and the split is exact", () => {
  const { m, h } = boot([...li(A7, 64), ECALL]);
  deepEqual(m.run(1e6), { kind: "halt", status: 8, reason: 0 });
  const s = m.cost.summary(h.instret);
  equal(s.instretProgram, 3); // lui, addi, ecall
  equal(s.instretProgram + s.instretKernel, h.instret);
  equal(s.traps.syscalls, 1);
  // mret set MPP to U; the trap put U back into MPP.
  equal(m.csrs.get(MSTATUS)! & (3n << 11n), 0n);
});

Deno.test("machine: an M-mode CSR in U-mode is an illegal-instruction trap (mcause 2)", () => {
  const { m } = boot([csr("csrrs", T1, 0, MSTATUS)]);
  deepEqual(m.run(1e6), { kind: "halt", status: 2, reason: 0 });
});

Deno.test("machine: mret to mepc; mepc of a U-mode fault is the faulting pc", () => {
  // A load from an unmapped address: load page fault (13), mepc = USER.
  const { m } = boot([iOp("addi", T0, 0, 8), 0x0002b303 /* ld t1, 0(t0) */]);
  deepEqual(m.run(1e6), { kind: "halt", status: 13, reason: 0 });
  equal(m.csrs.get(MEPC), BigInt(USER + 4));
});

Deno.test("machine: the instruction-count timer interrupts U-mode (mcause 2^63 + 7)", () => {
  const { m, h } = boot(
    [jal(0, 0)], // spin
    [...li(T0, 0x80), csr("csrrw", 0, T0, MIE), ...li(T0, 1000), csr("csrrw", 0, T0, 0x7c0)],
  );
  deepEqual(m.run(1e6), { kind: "halt", status: 7, reason: 0 });
  equal(m.csrs.get(MCAUSE), (1n << 63n) | 7n);
  equal(m.cost.summary(h.instret).traps.timer, 1);
  // The interrupt came exactly when minstret reached zktimecmp.
  equal(
    m.cost.summary(h.instret).instretKernel + m.cost.summary(h.instret).instretProgram,
    h.instret,
  );
});

Deno.test("machine: write output host call and cost phases", () => {
  const { m, mem, out, h } = boot(
    [ECALL],
    [],
    [
      csr("csrrwi", 0, 2, 0x7c1), // phase 2 opens
      ...li(A0, 1),
      ...li(A1, DATA),
      iOp("addi", A2, 0, 2),
      ...li(A7, HOST_WRITE_OUTPUT),
      ECALL,
      csr("csrrwi", 0, 0, 0x7c1), // closes
    ],
  );
  mem.poke(DATA, new TextEncoder().encode("hi"));
  equal(m.run(1e6).kind, "halt");
  deepEqual(out, [[1, "hi"]]);
  const s = m.cost.summary(h.instret);
  equal(s.phases.zeroFill.count, 1);
  // The 8 instructions inside, plus the closing marker.
  equal(s.phases.zeroFill.instructions, 9);
  deepEqual(s.hostCalls.writeOutput, { count: 1, bytes: 2 });
});

Deno.test("cost summary: count, total, min, median, max", () => {
  deepEqual(summarize([5, 1, 9, 3]), { count: 4, total: 18, min: 1, median: 3, max: 9 });
  deepEqual(summarize([]), { count: 0, total: 0, min: 0, median: 0, max: 0 });
});

Deno.test("kernelCostRows: rows by total with shares, phases last", () => {
  const rows = kernelCostRows({
    instretProgram: 900,
    instretKernel: 100,
    kernelShare: 0.1,
    boot: 10,
    kernelCost: {
      write: { count: 2, total: 30, min: 10, median: 10, max: 20 },
      futex: { count: 1, total: 60, min: 60, median: 60, max: 60 },
    },
    traps: { syscalls: 3, timer: 0, faults: 0 },
    contextSwitches: { count: 1, instructions: 8 },
    phases: { contextSwitch: { count: 2, instructions: 8 } },
    enosys: {},
    hostCalls: {},
    programByThread: {},
  });
  deepEqual(rows.map((r) => r.name), ["futex", "write", "phase:contextSwitch"]);
  equal(rows[0].shareOfRun, 0.06);
  equal(rows[0].shareOfKernel, 0.6);
  equal(rows[2].median, 4);
});
