/**
 * The one kernel fixture of the tests: a kernel over a small address space
 * (mappings given by the test), and ways to call a syscall's handler as the
 * dispatcher would, looked up in the syscall registry.
 * @module
 */

import assert from "node:assert/strict";
import { SymbolTable } from "../../lib/elf/symbols.ts";
import { Kernel, type KernelOptions } from "../../lib/kernel/kernel.ts";
import { syscallByName } from "../../lib/kernel/syscalls.ts";
import type { Thread } from "../../lib/kernel/thread.ts";
import { isWait, NO_RESULT, SyscallArgs, type SyscallResult } from "../../lib/kernel/types.ts";
import { GuestMemory, type Mapping, type MemoryOptions } from "../../lib/memory/memory.ts";

/** One mapping to create: start, length, protection, optional name and file backing. */
export type TestMapping = readonly [
  start: number,
  length: number,
  prot: number,
  name?: string,
  file?: Mapping["file"],
];

/** Options of {@linkcode testKernel}: kernel options to override, and the mappings. */
export interface TestKernelOptions extends Partial<Omit<KernelOptions, "mem" | "symbols">> {
  /** Mappings created before the kernel (default none). */
  maps?: readonly TestMapping[];
  /** Options of the address space. */
  memory?: MemoryOptions;
}

/**
 * A kernel with one thread over a fresh address space. Defaults: seed 0,
 * 4 CPUs, quantum 1000, round robin, 1 GHz, a limit of 1e12 instructions.
 */
export function testKernel(o: TestKernelOptions = {}): Kernel {
  const mem = new GuestMemory(o.memory);
  for (const [start, length, prot, name, file] of o.maps ?? []) {
    mem.map(start, length, prot, name, file);
  }
  return new Kernel({
    mem,
    symbols: new SymbolTable(),
    seed: o.seed ?? 0,
    cpus: o.cpus ?? 4,
    quantum: o.quantum ?? 1000,
    sched: o.sched ?? "rr",
    hz: o.hz ?? 1e9,
    maxInsns: o.maxInsns ?? 1e12,
  });
}

/**
 * Calls syscall `name`'s handler directly as thread `t` (default: the
 * current or first thread) with a0..a5 (numbers taken modulo 2^64), and
 * returns what the handler returned (a number, a Wait or NO_RESULT).
 */
export function sysAs(
  k: Kernel,
  t: Thread,
  name: string,
  ...args: (number | bigint)[]
): SyscallResult {
  const r = syscallByName(name);
  assert.ok(r?.handler, `no handler for ${name}`);
  for (let i = 0; i < 6; i++) t.hart.setX(10 + i, BigInt(args[i] ?? 0));
  t.hart.setXNumber(17, r.nr);
  return r.handler(k, t, new SyscallArgs(t.hart));
}

/** {@linkcode sysAs} as the current thread (or the first). */
export function sys(k: Kernel, name: string, ...args: (number | bigint)[]): SyscallResult {
  return sysAs(k, k.current ?? k.mainThread, name, ...args);
}

/** As {@linkcode sys}, asserting a plain number result. */
export function num(k: Kernel, name: string, ...args: (number | bigint)[]): number {
  const r = sys(k, name, ...args);
  assert.equal(typeof r, "number", `${name} returned ${String(r)}`);
  return r as number;
}

/** What {@linkcode call} saw: a0's value, or that the thread blocked / set its own registers. */
export type CallResult = number | "blocked" | "no result";

/**
 * Calls syscall `name` as thread `t` as the dispatcher does: a Wait is
 * tried once and otherwise parks the thread; a0 receives the result.
 */
export function call(k: Kernel, t: Thread, name: string, ...args: (number | bigint)[]): CallResult {
  const r = sysAs(k, t, name, ...args);
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
