/**
 * Time syscalls on the virtual clock: clock_gettime, gettimeofday, clock_getres, nanosleep.
 * @module
 */

import type { SyscallFamilyTable } from "./types.ts";

/** The time family's handlers by syscall name. */
export const TIME: SyscallFamilyTable = {
  family: "time",
  handlers: {},
};
