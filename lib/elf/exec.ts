/**
 * execve in one step: map the program and its interpreter, build the initial
 * stack, and put a hart in the state Linux riscv64 starts a process in.
 * @module
 */

import type { Hart } from "../cpu/hart.ts";
import type { GuestMemory } from "../memory/memory.ts";
import { loadElf, type LoadOptions, type LoadResult } from "./loader.ts";
import { buildStack, type StackOptions, type StackResult } from "./stack.ts";

/** Options for {@linkcode execElf}: loading plus stack contents. */
export interface ExecOptions extends LoadOptions, Omit<StackOptions, "fileName"> {}

/** What {@linkcode execElf} set up. */
export interface ExecResult {
  /** Mappings, entry points and symbols. */
  load: LoadResult;
  /** The initial stack. */
  stack: StackResult;
}

/**
 * Loads `bytes` (named `fileName` in errors) into `mem` and builds its stack.
 * AT_EXECFN defaults to the guest path. Throws ElfError on bad input.
 */
export function execElf(
  mem: GuestMemory,
  bytes: Uint8Array,
  fileName: string,
  opts: ExecOptions,
): ExecResult {
  const load = loadElf(mem, bytes, fileName, opts);
  const stack = buildStack(mem, load, {
    ...opts,
    execfn: opts.execfn ?? opts.guestPath ?? fileName,
    fileName,
  });
  return { load, stack };
}

/**
 * Resets `hart` to a new process's start: every register zero (so a0, the
 * rtld_fini pointer, is NULL as ELF_PLAT_INIT leaves it), sp set, pc at the
 * entry.
 */
export function startHart(hart: Hart, entry: number, sp: number): void {
  hart.xl.fill(0);
  hart.xh.fill(0);
  hart.fw.fill(0);
  hart.fcsr = 0;
  hart.setXNumber(2, sp);
  hart.pc = entry;
}
