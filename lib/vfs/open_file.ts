/**
 * The open file description ("OpenFile") every kind of descriptor builds on:
 * regular files, directories, pipes, the standard streams, devices, and (in
 * the kernel's families) eventfd, epoll and timerfd.
 *
 * Contract of {@linkcode OpenFile.read} and {@linkcode OpenFile.write}: they
 * never block. When no data (or no room) is available yet they return
 * `-EAGAIN`; the syscall layer then returns EAGAIN if the description has
 * O_NONBLOCK, and otherwise parks the thread on a readiness wait
 * (`repoll: true`) that retries the call at every scheduling point.
 * @module
 */

import { EINVAL, ENODEV, ENOTTY, ESPIPE } from "../abi/errno.ts";
import {
  FASYNC,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECT,
  O_DIRECTORY,
  O_EXCL,
  O_NOATIME,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_TMPFILE,
  O_TRUNC,
  POLLIN,
  POLLOUT,
} from "../abi/flags.ts";
import type { GuestMemory } from "../memory/memory.ts";
import type { Attr, Loc } from "./types.ts";

/** Open flags Linux keeps (VALID_OPEN_FLAGS); others are ignored. */
export const VALID_OPEN_FLAGS = 0o3 | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
  O_NONBLOCK |
  0o10000 | FASYNC | O_DIRECT | 0o100000 | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC |
  O_PATH | O_TMPFILE | 0o4000000;
/** Open flags that do not survive into F_GETFL. */
export const OPEN_ONLY_FLAGS = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;

/** The status flags (F_GETFL) of a description opened with open(2) flags `flags`. */
export function statusFlagsOf(flags: number): number {
  return flags & VALID_OPEN_FLAGS & ~OPEN_ONLY_FLAGS;
}

/** What an open file sees of the process that uses it. */
export interface FileContext {
  /** The process's address space (ioctl arguments). */
  readonly mem: GuestMemory;
  /** The process id. */
  readonly pid: number;
  /** Virtual time in ns (timers). */
  nowNs(): number;
}

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
  abstract stat(k: FileContext): Attr;

  /**
   * Reads at most `max` bytes at the file position: the bytes (empty at end
   * of file), `-EAGAIN` when none are available yet, or another -errno.
   */
  read(_k: FileContext, _max: number): Uint8Array | number {
    return -EINVAL;
  }

  /** Writes `data` at the file position: bytes accepted, `-EAGAIN` when full, or -errno. */
  write(_k: FileContext, _data: Uint8Array): number {
    return -EINVAL;
  }

  /** Positional read (pread64); files without positions answer ESPIPE. */
  pread(_k: FileContext, _max: number, _offset: number): Uint8Array | number {
    return -ESPIPE;
  }

  /** Positional write (pwrite64). */
  pwrite(_k: FileContext, _data: Uint8Array, _offset: number): number {
    return -ESPIPE;
  }

  /** Repositions the offset (lseek): the new offset or -errno. */
  seek(_k: FileContext, _offset: number, _whence: number): number {
    return -ESPIPE;
  }

  /** Readiness: POLLIN / POLLOUT / POLLHUP / POLLERR bits. */
  poll(_k: FileContext): number {
    return POLLIN | POLLOUT;
  }

  /**
   * When the file next becomes readable by itself (a timer's expiry), in
   * absolute virtual ns; undefined when only another thread can make it so.
   */
  nextEvent(_k: FileContext): number | undefined {
    return undefined;
  }

  /** Device-specific ioctl (FIONBIO, FIOCLEX and FIONCLEX are handled before this). */
  ioctl(_k: FileContext, _request: number, _arg: number): number {
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
  release(_k: FileContext): void {}
}
