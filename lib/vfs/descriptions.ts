/**
 * Open file descriptions for filesystem objects: regular files, directories,
 * O_PATH locations, the memory devices (/dev/null, zero, full, random,
 * urandom) and the standard streams the runner supplies.
 * @module
 */

import { EFAULT, EINVAL, EISDIR, ENOMEM, ENOSPC, ENOTTY, ENXIO } from "../abi/errno.ts";
import {
  FIONREAD,
  O_APPEND,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
  SEEK_CUR,
  SEEK_DATA,
  SEEK_END,
  SEEK_HOLE,
  SEEK_SET,
  TCGETS,
  TCSETS,
  TCSETSF,
  TCSETSW,
  TIOCGPGRP,
  TIOCGWINSZ,
  TIOCSPGRP,
  TIOCSWINSZ,
} from "../abi/flags.ts";
import { MAX_FILE_IN_MEMORY } from "./host_fs.ts";
import { type FileContext, OpenFile } from "./open_file.ts";
import {
  type Attr,
  type DirEntry,
  type FileData,
  inodeOf,
  type Loc,
  makeAttr,
  makedev,
  pathOf,
} from "./types.ts";

/** Largest offset a file may reach (kept within exact JS integers). */
export const MAX_OFFSET: number = Number.MAX_SAFE_INTEGER;

/** Largest chunk one read of /dev/zero or /dev/urandom returns (reads may be short). */
const DEVICE_CHUNK = 1 << 24;

/** Computes an lseek result for a file of `size` at `pos`: the new offset or -errno. */
export function seekTarget(pos: number, size: number, offset: number, whence: number): number {
  let to: number;
  switch (whence) {
    case SEEK_SET:
      to = offset;
      break;
    case SEEK_CUR:
      to = pos + offset;
      break;
    case SEEK_END:
      to = size + offset;
      break;
    case SEEK_DATA:
      if (offset < 0 || offset >= size) return offset < 0 ? -EINVAL : -ENXIO;
      to = offset;
      break;
    case SEEK_HOLE:
      if (offset < 0 || offset >= size) return offset < 0 ? -EINVAL : -ENXIO;
      to = size;
      break;
    default:
      return -EINVAL;
  }
  if (to < 0 || to > MAX_OFFSET) return -EINVAL;
  return to;
}

/** A regular file opened for reading and/or writing. */
export class RegularFile extends OpenFile {
  /** Description kind. */
  readonly kind = "file";
  /** The file offset. */
  pos = 0;
  /** The contents. */
  readonly data: FileData;

  /** Opens `data`, found at `loc`, with status flags `flags` (the description owns `data`). */
  constructor(loc: Loc, data: FileData, flags: number) {
    super(flags);
    this.loc = loc;
    this.data = data;
  }

  /** What /proc/self/fd/N shows. */
  get path(): string {
    return pathOf(this.loc!);
  }

  /** Attributes for fstat. */
  stat(): Attr {
    return inodeOf(this.loc!).attr();
  }

  /** Reads (see `OpenFile.read`). */
  override read(_k: FileContext, max: number): Uint8Array {
    const b = this.data.read(this.pos, max);
    this.pos += b.length;
    return b;
  }

  /** Writes (see `OpenFile.write`). */
  override write(_k: FileContext, data: Uint8Array): number {
    if (this.flags & O_APPEND) this.pos = this.data.size();
    if (this.pos + data.length > MAX_OFFSET) return -EINVAL;
    const n = this.data.write(this.pos, data);
    if (n > 0) this.pos += n;
    return n;
  }

  /** Positional read. */
  override pread(_k: FileContext, max: number, offset: number): Uint8Array {
    return this.data.read(offset, max);
  }

  /** Positional write. */
  override pwrite(_k: FileContext, data: Uint8Array, offset: number): number {
    // Linux appends even for pwrite when the file is O_APPEND.
    const at = this.flags & O_APPEND ? this.data.size() : offset;
    if (at + data.length > MAX_OFFSET) return -EINVAL;
    return this.data.write(at, data);
  }

  /** lseek. */
  override seek(_k: FileContext, offset: number, whence: number): number {
    const to = seekTarget(this.pos, this.data.size(), offset, whence);
    if (to >= 0) this.pos = to;
    return to;
  }

  /** Device ioctls. */
  override ioctl(k: FileContext, request: number, arg: number): number {
    if (request !== FIONREAD) return -ENOTTY;
    return putInt(k, arg, Math.max(0, Math.min(0x7fffffff, this.data.size() - this.pos)));
  }

  /** The whole file, for mmap: -ENOMEM beyond {@linkcode MAX_FILE_IN_MEMORY}. */
  override contents(): Uint8Array | number {
    return this.data.size() > MAX_FILE_IN_MEMORY ? -ENOMEM : this.data.bytes();
  }

  /** The last descriptor is gone: the contents are released (a host descriptor closed). */
  override release(): void {
    this.data.close?.();
  }
}

/** An open directory: getdents64 reads its entries; the offset counts entries. */
export class DirFile extends OpenFile {
  /** Description kind. */
  readonly kind = "dir";
  /** Index of the next entry getdents64 returns. */
  pos = 0;
  readonly #lister: () => DirEntry[] | number;
  #entries: DirEntry[] | undefined;

  /** Opens the directory at `loc`; `lister` produces its entries (with `.` and `..`). */
  constructor(loc: Loc, flags: number, lister: () => DirEntry[] | number) {
    super(flags);
    this.loc = loc;
    this.#lister = lister;
  }

  /** What /proc/self/fd/N shows. */
  get path(): string {
    return pathOf(this.loc!);
  }

  /** Attributes for fstat. */
  stat(): Attr {
    return inodeOf(this.loc!).attr();
  }

  /** Reads (see `OpenFile.read`). */
  override read(): number {
    return -EISDIR;
  }

  /** Writes (see `OpenFile.write`). */
  override write(): number {
    return -EISDIR;
  }

  /** Positional read. */
  override pread(): number {
    return -EISDIR;
  }

  /** Positional write. */
  override pwrite(): number {
    return -EISDIR;
  }

  /** The entries as of the last rewind (listed on first use and after seeking to 0). */
  entries(): DirEntry[] | number {
    if (!this.#entries) {
      const r = this.#lister();
      if (typeof r === "number") return r;
      this.#entries = r;
    }
    return this.#entries;
  }

  /** lseek. */
  override seek(_k: FileContext, offset: number, whence: number): number {
    let to: number;
    if (whence === SEEK_SET) to = offset;
    else if (whence === SEEK_CUR) to = this.pos + offset;
    else return -EINVAL;
    if (to < 0) return -EINVAL;
    this.pos = to;
    if (to === 0) this.#entries = undefined;
    return to;
  }
}

/** An O_PATH descriptor: a location usable as dirfd, for fstat and fchdir, nothing else. */
export class PathFile extends OpenFile {
  /** Description kind. */
  readonly kind = "path";

  /** Refers to `loc`. */
  constructor(loc: Loc, flags: number) {
    super(flags);
    this.loc = loc;
  }

  /** What /proc/self/fd/N shows. */
  get path(): string {
    return pathOf(this.loc!);
  }

  /** Attributes for fstat. */
  stat(): Attr {
    return inodeOf(this.loc!).attr();
  }
}

/** Which memory device a {@linkcode DeviceFile} is. */
export type DeviceKind = "null" | "zero" | "full" | "random" | "urandom";

/** Device numbers (major 1) of the memory devices. */
export const DEVICE_RDEV: Readonly<Record<DeviceKind, number>> = {
  null: makedev(1, 3),
  zero: makedev(1, 5),
  full: makedev(1, 7),
  random: makedev(1, 8),
  urandom: makedev(1, 9),
};

/** /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom. */
export class DeviceFile extends OpenFile {
  /** Description kind. */
  readonly kind = "device";
  /** Which device. */
  readonly device: DeviceKind;
  readonly #attr: () => Attr;
  readonly #random: (n: number) => Uint8Array;

  /** Opens device `device`; `attr` gives its inode attributes, `random` its bytes. */
  constructor(
    device: DeviceKind,
    flags: number,
    attr: () => Attr,
    random: (n: number) => Uint8Array,
  ) {
    super(flags);
    this.device = device;
    this.#attr = attr;
    this.#random = random;
  }

  /** What /proc/self/fd/N shows. */
  get path(): string {
    return `/dev/${this.device}`;
  }

  /** Attributes for fstat. */
  stat(): Attr {
    return this.#attr();
  }

  /** Reads (see `OpenFile.read`). */
  override read(_k: FileContext, max: number): Uint8Array {
    const n = Math.min(max, DEVICE_CHUNK);
    switch (this.device) {
      case "null":
        return new Uint8Array(0);
      case "zero":
      case "full":
        return new Uint8Array(n);
      default:
        return this.#random(n);
    }
  }

  /** Writes (see `OpenFile.write`). */
  override write(_k: FileContext, data: Uint8Array): number {
    if (this.device === "full") return data.length === 0 ? 0 : -ENOSPC;
    return data.length;
  }

  /** Positional read. */
  override pread(k: FileContext, max: number): Uint8Array {
    return this.read(k, max);
  }

  /** Positional write. */
  override pwrite(k: FileContext, data: Uint8Array): number {
    return this.write(k, data);
  }

  /** lseek. */
  override seek(): number {
    return 0;
  }
}

/** Terminal state shared by the standard streams that are terminals. */
export class Terminal {
  /** struct termios (36 bytes on riscv64): iflag, oflag, cflag, lflag, c_line, c_cc[19]. */
  termios: Uint8Array = defaultTermios();
  /** struct winsize: rows, cols, xpixel, ypixel (u16 each). */
  winsize: Uint8Array = new Uint8Array([24, 0, 80, 0, 0, 0, 0, 0]);
  /** Foreground process group. */
  pgrp = 0;
}

/** A cooked-mode termios as a Linux pty starts with (ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD|HUPCL, ISIG|ICANON|ECHO...). */
function defaultTermios(): Uint8Array {
  const b = new Uint8Array(36);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x500, true);
  dv.setUint32(4, 0x5, true);
  dv.setUint32(8, 0xbf, true);
  dv.setUint32(12, 0x8a3b, true);
  // c_cc: VINTR VQUIT VERASE VKILL VEOF VTIME VMIN VSWTC VSTART VSTOP VSUSP VEOL VREPRINT VDISCARD VWERASE VLNEXT VEOL2
  const cc = [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0];
  b.set(cc, 17);
  return b;
}

/** How a standard stream looks to fstat: a pipe from the runner, or a terminal. */
export interface StdioShape {
  /** The terminal, when the stream is one. */
  terminal?: Terminal;
  /** Inode number of the pipe it appears as. */
  ino: number;
}

/** Encoded st_dev of pipes (pipefs). */
export const PIPEFS_DEV: number = makedev(0, 12);
/** Encoded st_rdev of the pseudo-terminal the standard streams may be. */
export const PTY_RDEV: number = makedev(136, 0);

/** A standard stream: a pipe from the runner or a terminal. */
export abstract class StdioFile extends OpenFile {
  /** Description kind. */
  readonly kind = "stdio";
  readonly #shape: StdioShape;

  /** Creates the node. */
  constructor(flags: number, shape: StdioShape) {
    super(flags);
    this.#shape = shape;
  }

  /** What /proc/self/fd/N shows. */
  get path(): string {
    return this.#shape.terminal ? "/dev/pts/0" : `pipe:[${this.#shape.ino}]`;
  }

  /** True for terminals. */
  override get isTerminal(): boolean {
    return this.#shape.terminal !== undefined;
  }

  /** Attributes for fstat. */
  stat(): Attr {
    const fs = { dev: PIPEFS_DEV, writable: false, mntId: 0, kind: "pipefs" };
    if (this.#shape.terminal) {
      return makeAttr(fs, "chr", {
        ino: 3,
        perm: 0o620,
        rdev: PTY_RDEV,
        dev: makedev(0, 24),
        blksize: 1024,
      });
    }
    return makeAttr(fs, "fifo", { ino: this.#shape.ino, perm: 0o600 });
  }

  /** Terminal ioctls (and FIONREAD). */
  override ioctl(k: FileContext, request: number, arg: number): number {
    const term = this.#shape.terminal;
    if (!term) return request === FIONREAD ? this.available(k, arg) : -ENOTTY;
    try {
      switch (request) {
        case TCGETS:
          k.mem.write(arg, term.termios);
          return 0;
        case TCSETS:
        case TCSETSW:
        case TCSETSF:
          term.termios = k.mem.read(arg, 36);
          return 0;
        case TIOCGWINSZ:
          k.mem.write(arg, term.winsize);
          return 0;
        case TIOCSWINSZ:
          term.winsize = k.mem.read(arg, 8);
          return 0;
        case TIOCGPGRP:
          k.mem.writeU32(arg, term.pgrp || k.pid);
          return 0;
        case TIOCSPGRP:
          term.pgrp = k.mem.readU32(arg);
          return 0;
        case FIONREAD:
          return this.available(k, arg);
      }
    } catch {
      return -EFAULT;
    }
    return -ENOTTY;
  }

  /** FIONREAD: bytes readable now. */
  available(k: FileContext, arg: number): number {
    return putInt(k, arg, 0);
  }
}

/** fd 0: bytes from the runner's input, read ahead one chunk when polled. */
/** A stdin source that may say its writer has closed (all input is known). */
interface GuestInputFn {
  (max: number): Uint8Array | null;
  writerClosed?: boolean;
}

export class StdinFile extends StdioFile {
  readonly #input: (max: number) => Uint8Array | null;
  #pending = new Uint8Array(0);
  #eof = false;

  /** Reads from `input`. */
  constructor(input: (max: number) => Uint8Array | null, flags: number, shape: StdioShape) {
    super(flags, shape);
    this.#input = input;
  }

  #fill(max: number): void {
    if (this.#pending.length > 0 || this.#eof) return;
    const c = this.#input(max);
    if (c === null || c.length === 0) this.#eof = true;
    else this.#pending = c.slice(0, max);
  }

  /** Reads (see `OpenFile.read`). */
  override read(_k: FileContext, max: number): Uint8Array {
    if (max === 0) return new Uint8Array(0);
    this.#fill(max);
    const n = Math.min(max, this.#pending.length);
    const out = this.#pending.slice(0, n);
    this.#pending = this.#pending.subarray(n);
    return out;
  }

  /**
   * Readiness bits. Input given as bytes is a pipe whose writer has already
   * closed: Linux reports POLLHUP with POLLIN while data remains.
   */
  override poll(): number {
    this.#fill(65536);
    const hup = (this.#input as GuestInputFn).writerClosed ? POLLHUP : 0;
    if (this.#pending.length > 0) return POLLIN | POLLRDNORM | hup;
    return POLLHUP;
  }

  /** FIONREAD: bytes readable now. */
  override available(k: FileContext, arg: number): number {
    this.#fill(65536);
    return putInt(k, arg, this.#pending.length);
  }
}

/**
 * fd 1 and 2: every write goes synchronously to the runner's callback,
 * which takes every byte or answers -errno by returning a negative number
 * (a closed host pipe is EPIPE, for which the syscall layer raises SIGPIPE;
 * a full disk ENOSPC).
 */
export class StdoutFile extends StdioFile {
  readonly #output: (bytes: Uint8Array) => unknown;

  /** Writes to `output`. */
  constructor(output: (bytes: Uint8Array) => unknown, flags: number, shape: StdioShape) {
    super(flags, shape);
    this.#output = output;
  }

  /** Writes (see `OpenFile.write`). */
  override write(_k: FileContext, data: Uint8Array): number {
    if (data.length === 0) return 0;
    const r = this.#output(data.slice());
    return typeof r === "number" && r < 0 ? r : data.length;
  }

  /** Readiness bits. */
  override poll(): number {
    return POLLOUT | POLLWRNORM;
  }
}

/** Writes a 32-bit int result for an ioctl: 0 or -EFAULT. */
export function putInt(k: FileContext, addr: number, v: number): number {
  try {
    k.mem.writeU32(addr, v);
    return 0;
  } catch {
    return -EFAULT;
  }
}
