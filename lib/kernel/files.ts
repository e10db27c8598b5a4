/**
 * File and descriptor syscalls: read/write, open/close, stat, directories,
 * fcntl, ioctl, pipes.
 * @module
 */

import type { Kernel } from "./kernel.ts";
import type { SyscallFamilyTable } from "./types.ts";

/** A host directory mounted into the guest's filesystem. */
export interface Mount {
  /** Host directory (absolute). */
  host: string;
  /** Guest path it appears at (absolute). */
  guest: string;
  /** Whether the guest may write. */
  writable: boolean;
}

/** Receives bytes the guest writes to stdout or stderr. */
export type GuestOutput = (bytes: Uint8Array) => void;

/** Supplies the guest's stdin: the next chunk (at most `max` bytes), or null at end of input. */
export type GuestInput = (max: number) => Uint8Array | null;

/** What the files family needs to set up a process's filesystem view and fds 0-2. */
export interface FilesSetup {
  /** Directory mounted read-only at `/` (like qemu-riscv64 -L, without host fallback). */
  sysroot?: string;
  /** Extra mounts (`--mount HOST:GUEST[:ro|rw]`). */
  mounts: readonly Mount[];
  /** The guest's working directory: the caller's host cwd, mounted read-only at the same path. */
  cwd: string;
  /** The executable's host path (served as /proc/self/exe's target and its contents). */
  exeHostPath: string;
  /** The path the guest knows the executable by (readlink /proc/self/exe). */
  exeGuestPath: string;
  /** /proc/self/auxv contents. */
  auxv: Uint8Array;
  /** fd 0. */
  stdin: GuestInput;
  /** fd 1. */
  stdout: GuestOutput;
  /** fd 2. */
  stderr: GuestOutput;
}

/** Builds the process's filesystem view and its standard descriptors. */
export function setupFiles(_k: Kernel, _setup: FilesSetup): void {
}

/** The files family's handlers by syscall name. */
export const FILES: SyscallFamilyTable = {
  family: "files",
  handlers: {},
};
