/**
 * Every syscall family, and the lookup from syscall name to family.
 * @module
 */

import { FILES } from "./files.ts";
import { MEMORY } from "./memory.ts";
import { PROCESS } from "./process.ts";
import { TIME } from "./time.ts";
import { INFO } from "./info.ts";
import { THREADS } from "./threads.ts";
import { SIGNALS } from "./signals.ts";
import { POLL } from "./poll.ts";
import type { SyscallFamily, SyscallFamilyTable, SyscallHandler } from "./types.ts";

/** All families, in report order. */
export const FAMILIES: readonly SyscallFamilyTable[] = [
  FILES,
  MEMORY,
  PROCESS,
  TIME,
  INFO,
  THREADS,
  SIGNALS,
  POLL,
];

/** Every implemented handler by syscall name. */
export function allHandlers(): Map<string, SyscallHandler> {
  const m = new Map<string, SyscallHandler>();
  for (const f of FAMILIES) {
    for (const [name, h] of Object.entries(f.handlers)) {
      if (m.has(name)) throw new Error(`syscall ${name} is defined by two families`);
      m.set(name, h);
    }
  }
  return m;
}

/** The family that implements `name`, if any. */
export function familyOf(name: string): SyscallFamily | undefined {
  for (const f of FAMILIES) if (name in f.handlers) return f.family;
  return undefined;
}
