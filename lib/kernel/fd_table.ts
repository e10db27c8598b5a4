/**
 * Per-process descriptor table and the open file description ("OpenFile")
 * that every kind of descriptor builds on: regular files, directories,
 * pipes, the standard streams, devices, and (in other families) eventfd,
 * epoll and timerfd.
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
 * Contract of {@linkcode OpenFile.read} and {@linkcode OpenFile.write}: they
 * never block. When no data (or no room) is available yet they return
 * `-EAGAIN`; the syscall layer then returns EAGAIN if the description has
 * O_NONBLOCK, and otherwise parks the thread on a readiness wait
 * (`repoll: true`) that retries the call at every scheduling point.
 * @module
 */

import { EAGAIN, EBADF, EINVAL, EMFILE, ENODEV, ENOTTY, ESPIPE } from "../abi/errno.ts";
import type { Kernel } from "./kernel.ts";
import type { Thread } from "./thread.ts";
import type { Attr, Loc } from "../vfs/types.ts";

/** poll(2) event bits (asm-generic/poll.h). */
export const POLLIN = 0x1;
/** Urgent data. */
export const POLLPRI = 0x2;
/** Writable. */
export const POLLOUT = 0x4;
/** Error condition (a pipe's write end with no readers). */
export const POLLERR = 0x8;
/** Hang-up (a pipe's read end with no writers). */
export const POLLHUP = 0x10;
/** Not an open descriptor. */
export const POLLNVAL = 0x20;
/** Normal data readable (reported with POLLIN). */
export const POLLRDNORM = 0x40;
/** Normal data writable (reported with POLLOUT). */
export const POLLWRNORM = 0x100;

/** Open flags (asm-generic/fcntl.h, as on riscv64). */
export const O_ACCMODE = 0o3;
/** Read only. */
export const O_RDONLY = 0o0;
/** Write only. */
export const O_WRONLY = 0o1;
/** Read and write. */
export const O_RDWR = 0o2;
/** Create if missing. */
export const O_CREAT = 0o100;
/** With O_CREAT: fail if it exists. */
export const O_EXCL = 0o200;
/** Do not make it the controlling terminal. */
export const O_NOCTTY = 0o400;
/** Truncate to zero length. */
export const O_TRUNC = 0o1000;
/** Writes append. */
export const O_APPEND = 0o2000;
/** Non-blocking I/O. */
export const O_NONBLOCK = 0o4000;
/** Synchronized data writes. */
export const O_DSYNC = 0o10000;
/** Signal-driven I/O. */
export const FASYNC = 0o20000;
/** Direct I/O. */
export const O_DIRECT = 0o40000;
/** Large file (always implied on 64-bit). */
export const O_LARGEFILE = 0o100000;
/** Must be a directory. */
export const O_DIRECTORY = 0o200000;
/** Do not follow a final symlink. */
export const O_NOFOLLOW = 0o400000;
/** Do not update the access time. */
export const O_NOATIME = 0o1000000;
/** Close on exec. */
export const O_CLOEXEC = 0o2000000;
/** Synchronized writes (with O_DSYNC). */
export const O_SYNC = 0o4010000;
/** A location-only descriptor. */
export const O_PATH = 0o10000000;
/** Unnamed temporary file (with O_DIRECTORY). */
export const O_TMPFILE = 0o20200000;

/** Default RLIMIT_NOFILE soft limit. */
export const NOFILE_DEFAULT = 1024;
/** RLIMIT_NOFILE hard limit (the most the soft limit may be raised to). */
export const NOFILE_MAX = 4096;

/**
 * An open file description. Subclasses override what their kind supports;
 * the defaults answer as Linux does for a file without that operation.
 * Status flags (`flags`) hold the access mode plus O_APPEND, O_NONBLOCK and
 * the other flags F_GETFL reports.
 */
export abstract class OpenFile {
  /** What kind of file: `file`, `dir`, `path`, `pipe`, `stdio`, `device`, `eventfd`, `epoll`... */
  abstract readonly kind: string;
  /** Status flags as F_GETFL reports them (access mode, O_APPEND, O_NONBLOCK...). */
  flags: number;
  /** Descriptors (in any table) referring to this description. */
  refs = 0;
  /** Where it is in the guest tree (files, directories, O_PATH), for *at() calls and fchdir. */
  loc: Loc | undefined;

  /** Creates a description with status flags `flags`. */
  constructor(flags: number) {
    this.flags = flags;
  }

  /** What /proc/self/fd/N links to (`/tmp/x`, `pipe:[3]`, `anon_inode:[eventfd]`). */
  abstract get path(): string;

  /** Attributes for fstat. */
  abstract stat(k: Kernel): Attr;

  /**
   * Reads at most `max` bytes at the file position: the bytes (empty at end
   * of file), `-EAGAIN` when none are available yet, or another -errno.
   */
  read(_k: Kernel, _max: number): Uint8Array | number {
    return -EINVAL;
  }

  /** Writes `data` at the file position: bytes accepted, `-EAGAIN` when full, or -errno. */
  write(_k: Kernel, _data: Uint8Array): number {
    return -EINVAL;
  }

  /** Positional read (pread64); files without positions answer ESPIPE. */
  pread(_k: Kernel, _max: number, _offset: number): Uint8Array | number {
    return -ESPIPE;
  }

  /** Positional write (pwrite64). */
  pwrite(_k: Kernel, _data: Uint8Array, _offset: number): number {
    return -ESPIPE;
  }

  /** Repositions the offset (lseek): the new offset or -errno. */
  seek(_k: Kernel, _offset: number, _whence: number): number {
    return -ESPIPE;
  }

  /** Readiness: POLLIN / POLLOUT / POLLHUP / POLLERR bits. */
  poll(_k: Kernel): number {
    return POLLIN | POLLOUT;
  }

  /** Device-specific ioctl (FIONBIO, FIOCLEX and FIONCLEX are handled before this). */
  ioctl(_k: Kernel, _t: Thread, _request: number, _arg: number): number {
    return -ENOTTY;
  }

  /** True for descriptors that are terminals (isatty). */
  get isTerminal(): boolean {
    return false;
  }

  /** The whole file's bytes, for mmap of regular files; -ENODEV when it cannot be mapped. */
  contents(): Uint8Array | number {
    return -ENODEV;
  }

  /** Called once when the last descriptor referring to it is closed. */
  release(_k: Kernel): void {}
}

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

/** True when `r` is the would-block answer of {@linkcode OpenFile.read}/`write`. */
export function wouldBlock(r: Uint8Array | number): boolean {
  return r === -EAGAIN;
}
