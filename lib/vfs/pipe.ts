/**
 * Pipes (pipe2): a bounded byte queue with a read end and a write end.
 *
 * Linux semantics: capacity 64 KiB (F_GETPIPE_SZ); a write of at most
 * PIPE_BUF (4096) bytes is atomic (all or nothing); reading an empty pipe
 * whose writers are all closed is end of file; writing with no reader is
 * EPIPE (the syscall layer also raises SIGPIPE). Read and write never block
 * here: they return -EAGAIN and the syscall layer waits.
 * @module
 */

import { EAGAIN, EBUSY, EINVAL, EPERM, EPIPE } from "../abi/errno.ts";
import {
  FIONREAD,
  O_ACCMODE,
  O_RDONLY,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
} from "../abi/flags.ts";
import { PIPEFS_DEV, putInt } from "./descriptions.ts";
import { type FileContext, OpenFile } from "./open_file.ts";
import { type Attr, makeAttr } from "./types.ts";

/** Writes up to this size are atomic. */
export const PIPE_BUF = 4096;
/** Default capacity. */
export const PIPE_DEFAULT_SIZE = 65536;
/** Largest capacity an unprivileged process may set (/proc/sys/fs/pipe-max-size). */
export const PIPE_MAX_SIZE = 1048576;

/** The shared buffer of one pipe. */
export class Pipe {
  /** Inode number (also in `pipe:[ino]`). */
  readonly ino: number;
  /** Creation time, ns. */
  readonly ctimeNs: number;
  /** Capacity in bytes. */
  capacity: number = PIPE_DEFAULT_SIZE;
  /** Queued chunks, oldest first. */
  readonly #chunks: Uint8Array[] = [];
  /** Bytes queued. */
  size = 0;
  /** Open read-end descriptions. */
  readers = 0;
  /** Open write-end descriptions. */
  writers = 0;
  /**
   * Arrivals for the read end: changes on every write and on the last
   * writer's close, so edge-triggered epoll reports each new arrival even
   * when the pipe was never drained (Linux wakes POLLIN waiters per write).
   */
  inGen = 0;
  /** Room for the write end: changes when a read frees room in a nearly full pipe, and on a reader's close. */
  outGen = 0;

  /** Creates an empty pipe. */
  constructor(ino: number, ctimeNs: number) {
    this.ino = ino;
    this.ctimeNs = ctimeNs;
  }

  /** Takes up to `max` bytes (empty when none). */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.size);
    // Linux wakes writers only when a read frees room in a (nearly) full pipe; here: when
    // less than PIPE_BUF was free, so a writer waiting for room never misses the event.
    if (n > 0 && this.capacity - this.size < PIPE_BUF) this.outGen++;
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0];
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    this.size -= n;
    return out;
  }

  /** Copies up to `max` queued bytes without taking them (tee, splice). */
  peek(max: number): Uint8Array {
    const n = Math.min(max, this.size);
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of this.#chunks) {
      if (at >= n) break;
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
    }
    return out;
  }

  /** Appends bytes (the caller has checked the room). */
  put(data: Uint8Array): void {
    this.#chunks.push(data.slice());
    this.size += data.length;
    this.inGen++;
  }

  /** Sets the capacity (F_SETPIPE_SZ): the new capacity or -errno. */
  resize(want: number): number {
    if (want < 0) return -EINVAL;
    if (want > PIPE_MAX_SIZE) return -EPERM;
    let cap = 4096;
    while (cap < want) cap *= 2;
    if (cap < this.size) return -EBUSY;
    this.capacity = cap;
    return cap;
  }
}

/** One end of a pipe. */
export class PipeEnd extends OpenFile {
  /** Description kind. */
  readonly kind = "pipe";
  /** The shared buffer. */
  readonly pipe: Pipe;
  /** True for the write end. */
  readonly writeEnd: boolean;

  /** Opens an end of `pipe` with status flags `flags` (O_WRONLY for the write end). */
  constructor(pipe: Pipe, flags: number) {
    super(flags);
    this.pipe = pipe;
    this.writeEnd = (flags & O_ACCMODE) !== O_RDONLY;
    if (this.writeEnd) pipe.writers++;
    else pipe.readers++;
  }

  /** The change counter edge-triggered epoll compares (see `Pipe.inGen`). */
  generationFor(_events: number): number {
    return this.writeEnd ? this.pipe.outGen : this.pipe.inGen;
  }

  /** What /proc/self/fd/N shows. */
  get path(): string {
    return `pipe:[${this.pipe.ino}]`;
  }

  /** Attributes for fstat. */
  stat(): Attr {
    const fs = { dev: PIPEFS_DEV, writable: false, mntId: 0, kind: "pipefs" };
    const t = this.pipe.ctimeNs;
    return makeAttr(fs, "fifo", {
      ino: this.pipe.ino,
      perm: 0o600,
      atimeNs: t,
      mtimeNs: t,
      ctimeNs: t,
    });
  }

  /** Reads (see `OpenFile.read`). */
  override read(_k: FileContext, max: number): Uint8Array | number {
    if (max === 0) return new Uint8Array(0);
    if (this.pipe.size > 0) return this.pipe.take(max);
    return this.pipe.writers === 0 ? new Uint8Array(0) : -EAGAIN;
  }

  /** Writes (see `OpenFile.write`). */
  override write(_k: FileContext, data: Uint8Array): number {
    const p = this.pipe;
    if (data.length === 0) return 0;
    if (p.readers === 0) return -EPIPE;
    const free = p.capacity - p.size;
    if (free === 0 || (data.length <= PIPE_BUF && free < data.length)) return -EAGAIN;
    const n = Math.min(free, data.length);
    p.put(data.subarray(0, n));
    return n;
  }

  /** Readiness bits. */
  override poll(): number {
    const p = this.pipe;
    if (!this.writeEnd) {
      return (p.size > 0 ? POLLIN | POLLRDNORM : 0) | (p.writers === 0 ? POLLHUP : 0);
    }
    return (p.size < p.capacity ? POLLOUT | POLLWRNORM : 0) | (p.readers === 0 ? POLLERR : 0);
  }

  /** Device ioctls. */
  override ioctl(k: FileContext, request: number, arg: number): number {
    if (request === FIONREAD) return putInt(k, arg, this.pipe.size);
    return super.ioctl(k, request, arg);
  }

  /** Last descriptor closed. */
  override release(): void {
    if (this.writeEnd) this.pipe.writers--;
    else this.pipe.readers--;
    if (this.writeEnd) this.pipe.inGen++;
    else this.pipe.outGen++;
  }
}
