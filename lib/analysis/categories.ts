/**
 * Syscall categories as the reports show them: the order and labels of the
 * categories, and lookups of a name's category and description. Both come
 * from the syscall registry (`lib/kernel/syscalls.ts`), which gives every
 * riscv64 syscall one category and a one-line description; names traces
 * print for numbers they cannot name (`syscall_0x102`, `syscall_258`)
 * resolve to the syscall of that number. Precompile ECALLs are not
 * syscalls: the profiles count them apart.
 * @module
 */

import { type Category, syscallByName } from "../kernel/syscalls.ts";

export type { Category };

/** Every category, in report order. */
export const CATEGORIES: readonly Category[] = [
  "memory",
  "file",
  "thread",
  "signal",
  "time",
  "process",
  "sysinfo",
  "ipc",
  "other",
];

/** Human labels of the categories. */
export const CATEGORY_LABELS: Readonly<Record<Category, string>> = {
  memory: "memory",
  file: "file I/O",
  thread: "threads and sync",
  signal: "signals",
  time: "time",
  process: "process",
  sysinfo: "system info",
  ipc: "IPC and network",
  other: "other (admin, security)",
};

/** Category of a syscall name; `other` for names outside the riscv64 table. */
export function categoryOf(name: string): Category {
  return syscallByName(name)?.category ?? "other";
}

/** One-line description of a syscall name. */
export function describeSyscall(name: string): string {
  const r = syscallByName(name);
  if (r) return r.description;
  if (/^precompile|^keccak|^sha256/.test(name)) return "zk precompile ECALL (not a syscall)";
  return "not a riscv64 Linux syscall";
}

/**
 * The riscv64 name for names traces print otherwise: strace's
 * `syscall_0x102` / qemu's `syscall_258` for calls they cannot name.
 */
export function canonicalName(name: string): string {
  return syscallByName(name)?.name ?? name;
}
