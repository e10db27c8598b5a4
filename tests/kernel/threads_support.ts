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
import { SymbolTable } from "../../lib/elf/symbols.ts";
import { allHandlers } from "../../lib/kernel/families.ts";
import { Kernel, type SchedStrategy } from "../../lib/kernel/kernel.ts";
import { setupSignals } from "../../lib/kernel/signals.ts";
import { SYSCALL_NUMBERS } from "../../lib/kernel/syscall_numbers.ts";
import type { Thread } from "../../lib/kernel/thread.ts";
import { isWait, NO_RESULT, SyscallArgs, type Wait } from "../../lib/kernel/types.ts";
import { GuestMemory, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { run, type RunResult } from "../../lib/run/run.ts";

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

/** A kernel with every family's handlers and the signal hooks installed. */
export function makeKernel(sched: SchedStrategy = "rr", signals = true): Kernel {
  const mem = new GuestMemory();
  mem.map(DATA, 0x10000, PROT_READ | PROT_WRITE);
  mem.map(RO, 0x1000, PROT_READ);
  mem.map(STACK, STACK_TOP - STACK, PROT_READ | PROT_WRITE);
  const k = new Kernel({
    mem,
    symbols: new SymbolTable(),
    seed: 0,
    cpus: 4,
    quantum: 1000,
    sched,
    hz: 1e9,
    maxInsns: 1e9,
  });
  for (const [name, h] of allHandlers()) k.handlers.set(name, h);
  if (signals) setupSignals(k);
  const t = k.mainThread;
  t.hart.setXNumber(2, STACK_TOP - 0x100);
  t.hart.pc = 0x1004; // just after a pretend ECALL at 0x1000
  return k;
}

/** What {@linkcode call} saw: a0's value, or that the thread blocked / set its own registers. */
export type CallResult = number | "blocked" | "no result";

/**
 * Calls syscall `name` as thread `t` with arguments a0..a5 (numbers are
 * taken modulo 2^64), as the dispatcher does: a Wait is tried once and
 * otherwise parks the thread. a0 receives the result.
 */
export function call(k: Kernel, t: Thread, name: string, ...args: (number | bigint)[]): CallResult {
  const h = k.handlers.get(name);
  assert.ok(h, `no handler for ${name}`);
  for (let i = 0; i < 6; i++) t.hart.setX(10 + i, BigInt(args[i] ?? 0));
  t.hart.setXNumber(17, SYSCALL_NUMBERS.get(name) ?? 0);
  const r = h(k, t, new SyscallArgs(t.hart));
  if (r === NO_RESULT) return "no result";
  if (isWait(r)) {
    const now = r.resume(false);
    if (now !== undefined) {
      t.hart.setXNumber(10, now);
      return now;
    }
    k.block(t, r, name);
    return "blocked";
  }
  t.hart.setXNumber(10, r);
  return r;
}

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
