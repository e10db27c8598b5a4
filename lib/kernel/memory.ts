/**
 * Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise, mincore, msync.
 * @module
 */

import type { SyscallFamilyTable } from "./types.ts";

/** The memory family's handlers by syscall name. */
export const MEMORY: SyscallFamilyTable = {
  family: "memory",
  handlers: {},
};
