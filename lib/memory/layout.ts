/**
 * The guest process's address-space layout, chosen as Linux riscv64 lays out
 * a process under Sv48 with address-space randomisation off
 * (`setarch -R`, or `randomize_va_space=0`), so runs are reproducible:
 *
 * - User space ends at {@linkcode TASK_SIZE} = 2^47 (Sv48).
 * - The stack ends at {@linkcode STACK_TOP} = 2^38. Linux riscv64 caps its
 *   default mmap window and stack at 2^38 (the Sv39 user size) so programs
 *   that assume 39-bit addresses keep working, while mmap hints above it
 *   (Go's arena hint 0xc000000000, for instance) are still honoured up to 2^47.
 * - A PIE executable (ET_DYN with an interpreter) is loaded at
 *   {@linkcode PIE_BASE}, 2/3 of 2^38 rounded down to a page (ELF_ET_DYN_BASE).
 * - mmap without a usable hint allocates top-down from {@linkcode MMAP_BASE},
 *   the stack top less the minimum 128 MiB gap Linux keeps for the stack (an
 *   8 MiB stack rlimit plus the guard gap is below that minimum).
 * @module
 */

import { type GuestMemory, PAGE_SIZE } from "./memory.ts";

/** One past the highest user address (Sv48). */
export const TASK_SIZE: number = 2 ** 47;
/** Top of the initial stack (2^38, Linux riscv64's default map window). */
export const STACK_TOP: number = 2 ** 38;
/** Size of the stack mapping (the default 8 MiB stack rlimit). */
export const STACK_SIZE: number = 8 * 1024 * 1024;
/** Minimum gap Linux keeps between the stack top and the mmap base. */
export const MMAP_GAP: number = 128 * 1024 * 1024;
/** Where top-down mmap allocation starts (allocations end at or below it). */
export const MMAP_BASE: number = STACK_TOP - MMAP_GAP;
/** Load address of PIE executables: 2/3 of 2^38, page aligned (0x2aaaaaa000). */
export const PIE_BASE: number = Math.floor((STACK_TOP / 3) * 2 / PAGE_SIZE) * PAGE_SIZE;
/** Lowest address mmap hands out (Linux's default `vm.mmap_min_addr`). */
export const MMAP_MIN_ADDR: number = 4096;

/** Rounds `n` up to a page boundary. */
export function pageUp(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** Rounds `n` down to a page boundary. */
export function pageDown(n: number): number {
  return Math.floor(n / PAGE_SIZE) * PAGE_SIZE;
}

/**
 * Chooses where a new mapping of `length` bytes goes, as Linux's
 * `get_unmapped_area` does for a non-MAP_FIXED mmap:
 *
 * 1. the hint (rounded up to a page) when it is non-zero, at least
 *    {@linkcode MMAP_MIN_ADDR}, ends within {@linkcode TASK_SIZE} and the
 *    range is free;
 * 2. else the highest free range that ends at or below `base` (top-down);
 * 3. else undefined (ENOMEM). Linux's bottom-up fallback starts at
 *    TASK_SIZE/3, which lies above the 2^38 window, so it can never succeed
 *    here and is left out.
 */
export function findFreeRange(
  mem: GuestMemory,
  length: number,
  hint: number,
  base: number = MMAP_BASE,
): number | undefined {
  if (!(length > 0) || !Number.isFinite(length)) return undefined;
  const len = pageUp(length);
  if (len > TASK_SIZE - MMAP_MIN_ADDR) return undefined;
  if (hint > 0 && Number.isFinite(hint)) {
    const at = pageUp(hint);
    if (at >= MMAP_MIN_ADDR && at <= TASK_SIZE - len && mem.isFree(at, at + len)) return at;
  }
  let top = pageDown(Math.min(base, TASK_SIZE));
  const maps = mem.mappings;
  for (let i = maps.length - 1; i >= 0; i--) {
    const m = maps[i];
    if (m.start >= top) continue;
    if (m.end <= top && top - m.end >= len) return top - len;
    top = m.start;
  }
  return top - MMAP_MIN_ADDR >= len ? top - len : undefined;
}
