/**
 * Thread syscalls: clone, clone3, futex, exit of one thread, gettid, tgkill, sched_yield.
 * @module
 */

import type { SyscallFamilyTable } from "./types.ts";

/** The threads family's handlers by syscall name. */
export const THREADS: SyscallFamilyTable = {
  family: "threads",
  handlers: {},
};
