/**
 * Per-process descriptor table over open file descriptions
 * ({@linkcode OpenFile}, in `lib/vfs/open_file.ts`).
 *
 * Linux semantics kept here:
 * - a descriptor points at an open file description; `dup`, `dup3`,
 *   `F_DUPFD` share the description (offset and status flags), while
 *   FD_CLOEXEC belongs to the descriptor;
 * - new descriptors take the lowest free number at or above a minimum;
 * - RLIMIT_NOFILE (soft limit, default 1024) bounds descriptor numbers;
 * - a description is released when its last descriptor closes (a pipe's
 *   reader or writer count drops then).
 *
 * @module
 */

import { EBADF, EMFILE } from "../abi/errno.ts";
import type { OpenFile } from "../vfs/open_file.ts";
import type { Kernel } from "./kernel.ts";

/** Default RLIMIT_NOFILE soft limit. */
export const NOFILE_DEFAULT = 1024;

/** One slot of the table. */
export interface FdEntry {
  /** The shared description. */
  file: OpenFile;
  /** FD_CLOEXEC. */
  cloexec: boolean;
}

/** A process's descriptor table. */
export class FdTable {
  readonly #k: Kernel;
  readonly #slots: (FdEntry | undefined)[] = [];
  /** RLIMIT_NOFILE soft limit: new descriptors must be below it (prlimit64 updates it). */
  limit: number = NOFILE_DEFAULT;

  /** Creates an empty table for kernel `k`. */
  constructor(k: Kernel) {
    this.#k = k;
  }

  /** The entry for `fd`, if open. */
  get(fd: number): FdEntry | undefined {
    return fd >= 0 && fd < this.#slots.length ? this.#slots[fd] : undefined;
  }

  /** The description behind `fd`, or -EBADF. */
  file(fd: number): OpenFile | number {
    return this.get(fd)?.file ?? -EBADF;
  }

  /** Open descriptor numbers in increasing order. */
  fds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.#slots.length; i++) if (this.#slots[i]) out.push(i);
    return out;
  }

  /** The lowest free descriptor at or above `min`, or -EMFILE. */
  lowestFree(min = 0): number {
    for (let fd = min; fd < this.limit; fd++) if (!this.#slots[fd]) return fd;
    return -EMFILE;
  }

  /** Installs `file` at the lowest free descriptor ≥ `min`: the descriptor or -EMFILE. */
  alloc(file: OpenFile, cloexec: boolean, min = 0): number {
    const fd = this.lowestFree(min);
    if (fd < 0) return fd;
    this.#put(fd, file, cloexec);
    return fd;
  }

  /** Installs `file` at exactly `fd` (dup3), closing what was there. */
  install(fd: number, file: OpenFile, cloexec: boolean): void {
    const old = this.#slots[fd];
    this.#put(fd, file, cloexec);
    if (old) this.#unref(old.file);
  }

  /** Closes `fd`: 0 or -EBADF. */
  close(fd: number): number {
    const e = this.get(fd);
    if (!e) return -EBADF;
    this.#slots[fd] = undefined;
    this.#unref(e.file);
    return 0;
  }

  /** Closes every descriptor marked close-on-exec (execve). */
  closeOnExec(): void {
    for (const fd of this.fds()) if (this.#slots[fd]!.cloexec) this.close(fd);
  }

  /** A copy sharing every description (fork without CLONE_FILES). */
  clone(k: Kernel = this.#k): FdTable {
    const t = new FdTable(k);
    t.limit = this.limit;
    for (const fd of this.fds()) {
      const e = this.#slots[fd]!;
      t.#put(fd, e.file, e.cloexec);
    }
    return t;
  }

  #put(fd: number, file: OpenFile, cloexec: boolean): void {
    while (this.#slots.length <= fd) this.#slots.push(undefined);
    this.#slots[fd] = { file, cloexec };
    file.refs++;
  }

  #unref(file: OpenFile): void {
    if (--file.refs === 0) file.release(this.#k);
  }
}

/** The process's descriptor table (created empty on first use). */
export function fdTable(k: Kernel): FdTable {
  return k.familyState("fd_table", () => new FdTable(k));
}
