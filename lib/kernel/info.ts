/**
 * System information syscalls: uname, getrandom, sched_getaffinity, sysinfo, riscv_hwprobe.
 * @module
 */

import type { SyscallFamilyTable } from "./types.ts";

/** The info family's handlers by syscall name. */
export const INFO: SyscallFamilyTable = {
  family: "info",
  handlers: {},
};
