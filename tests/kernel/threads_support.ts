/**
 * Test support for the threads, signals and poll families: a kernel over a
 * small address space with every family's handlers, a way to call a
 * syscall as the dispatcher would (blocking on a Wait), and the runner
 * helpers for the kernel test guests in `tests/guests/`.
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Kernel, SchedStrategy } from "../../lib/kernel/kernel.ts";
import { setupSignals } from "../../lib/kernel/signals.ts";
import type { Thread } from "../../lib/kernel/thread.ts";
import type { Wait } from "../../lib/kernel/types.ts";
import { PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { run, type RunResult } from "../../lib/run/run.ts";
import { testKernel } from "../support/kernel.ts";

/** Scratch read-write data (64 KiB). */
export const DATA = 0x10000;
/** A read-only page. */
export const RO = 0x30000;
/** Nothing is mapped here. */
export const UNMAPPED = 0x50000;
/** Base of the 1 MiB stack region. */
export const STACK = 0x100000;
/** Top of the stack region (initial sp). */
export const STACK_TOP = 0x200000;

/** A kernel over the test address space, with its signal state set up. */
export function makeKernel(sched: SchedStrategy = "rr", quantum = 1000): Kernel {
  const k = testKernel({
    sched,
    quantum,
    maxInsns: 1e9,
    maps: [
      [DATA, 0x10000, PROT_READ | PROT_WRITE],
      [RO, 0x1000, PROT_READ],
      [STACK, STACK_TOP - STACK, PROT_READ | PROT_WRITE],
    ],
  });
  setupSignals(k);
  const t = k.mainThread;
  t.hart.setXNumber(2, STACK_TOP - 0x100);
  t.hart.pc = 0x1004; // just after a pretend ECALL at 0x1000
  return k;
}

export { call, type CallResult } from "../support/kernel.ts";

/** a0 as a signed number (a resumed thread's result). */
export function a0(t: Thread): number {
  return Number(t.hart.getX(10));
}

/** The Wait `t` is parked on. */
export function waitOf(t: Thread): Wait {
  assert.equal(t.state, "blocked");
  return t.wait!;
}

/** Advances the virtual clock by `ns` (as if `t` retired instructions at 1 GHz). */
export function advance(t: Thread, ns: number): void {
  t.hart.instret += ns;
}

/** The directory of the kernel test guests. */
export const GUESTS: string = join(dirname(fileURLToPath(import.meta.url)), "..", "guests");

/** What qemu-riscv64 printed for each guest (recorded by tests/guests/build.ts). */
export function expected(
  name: string,
): { exit: number; stdout: string; env?: Record<string, string> } {
  const all = JSON.parse(Deno.readTextFileSync(join(GUESTS, "expected.json")));
  return all[name];
}

/**
 * Runs a kernel test guest through zkabi. `name@variant` runs binary `name`
 * with the environment recorded for that variant.
 */
export function runGuest(name: string, sched: SchedStrategy = "rr", quantum?: number): RunResult {
  const env = expected(name)?.env;
  const program = join(GUESTS, "bin", name.split("@")[0]);
  return run({ program, sched, quantum, cwd: GUESTS, env });
}

/** Asserts that a guest's zkabi run matches its qemu record. */
export function assertLikeQemu(name: string, r: RunResult): void {
  const want = expected(name);
  assert.equal(new TextDecoder().decode(r.stdout), want.stdout, `${name} stdout`);
  assert.equal(r.status, want.exit, `${name} exit (${r.message ?? ""})`);
}
