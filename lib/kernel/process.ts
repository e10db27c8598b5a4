/**
 * Process syscalls: exit, exit_group, ids, set_tid_address, rlimits, rseq, prctl.
 * @module
 */

import type { SyscallFamilyTable } from "./types.ts";

/** The process family's handlers by syscall name. */
export const PROCESS: SyscallFamilyTable = {
  family: "process",
  handlers: {},
};
