/**
 * Readiness syscalls: epoll_*, poll, ppoll, pselect6, eventfd2, timerfd.
 * @module
 */

import type { SyscallFamilyTable } from "./types.ts";

/** The poll family's handlers by syscall name. */
export const POLL: SyscallFamilyTable = {
  family: "poll",
  handlers: {},
};
