/**
 * Signal syscalls and delivery: rt_sigaction, rt_sigprocmask, sigaltstack, rt_sigreturn, kill.
 * @module
 */

import type { SyscallFamilyTable } from "./types.ts";

/** The signals family's handlers by syscall name. */
export const SIGNALS: SyscallFamilyTable = {
  family: "signals",
  handlers: {},
};
