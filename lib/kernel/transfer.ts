/**
 * In-kernel copies: splice, tee and copy_file_range (sendfile lives with
 * the files family). Semantics from splice(2), tee(2) and
 * copy_file_range(2):
 *
 * - splice moves up to `len` bytes between a pipe and any descriptor (or
 *   two pipes): from a pipe it takes only what the destination accepted;
 *   into a pipe it reads at most the pipe's free room. An offset pointer is
 *   allowed only for the non-pipe side (ESPIPE otherwise), and it is then
 *   used and advanced instead of the file position. It blocks while the
 *   source pipe is empty (with writers) or the destination pipe is full,
 *   unless SPLICE_F_NONBLOCK or the pipe's O_NONBLOCK says otherwise.
 * - tee copies up to `len` bytes from one pipe to another without taking
 *   them; both must be pipes, and not the same one.
 * - copy_file_range copies between regular files (flags must be 0; same
 *   file with overlapping ranges is EINVAL; an O_APPEND destination is
 *   EBADF), at the given offsets or the file positions.
 * @module
 */

import { EAGAIN, EBADF, EFAULT, EINVAL, EISDIR, ESPIPE } from "../abi/errno.ts";
import { O_ACCMODE, O_APPEND, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } from "../abi/flags.ts";
import { DirFile, RegularFile } from "../vfs/descriptions.ts";
import type { OpenFile } from "../vfs/open_file.ts";
import { PipeEnd } from "../vfs/pipe.ts";
import { fdTable } from "./fd_table.ts";
import type { Kernel } from "./kernel.ts";
import type { Thread } from "./thread.ts";
import type { SyscallArgs, SyscallFamilyTable, SyscallResult, Wait } from "./types.ts";

/** splice/tee flags. */
export const SPLICE_F_MOVE = 1;
/** Do not block on the pipes. */
export const SPLICE_F_NONBLOCK = 2;
/** More data will follow (a hint). */
export const SPLICE_F_MORE = 4;
/** vmsplice: gift pages. */
export const SPLICE_F_GIFT = 8;
/** Largest count one call moves (MAX_RW_COUNT). */
const MAX_RW_COUNT = 0x7ffff000;

function readable(f: OpenFile): boolean {
  const acc = f.flags & O_ACCMODE;
  return f.kind !== "path" && (acc === O_RDONLY || acc === O_RDWR);
}

function writable(f: OpenFile): boolean {
  const acc = f.flags & O_ACCMODE;
  return f.kind !== "path" && (acc === O_WRONLY || acc === O_RDWR);
}

/** Reads an loff_t at `p` (0: none): the offset, undefined for NULL, or -errno. */
function offsetAt(k: Kernel, p: number): number | undefined {
  if (p === 0) return undefined;
  try {
    return Number(BigInt.asIntN(64, k.mem.readU64(p)));
  } catch {
    return -EFAULT;
  }
}

/** A wait that retries `attempt` at every scheduling point while it answers -EAGAIN. */
function retry(reason: string, attempt: () => number): Wait {
  return {
    reason,
    repoll: true,
    resume: () => {
      const r = attempt();
      return r === -EAGAIN ? undefined : r;
    },
  };
}

function sysSplice(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const fdIn = a.int(0);
  const fdOut = a.int(2);
  const inp = fdTable(k).file(fdIn);
  if (typeof inp === "number") return inp;
  const out = fdTable(k).file(fdOut);
  if (typeof out === "number") return out;
  const flags = a.u32(5);
  if (flags & ~(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)) return -EINVAL;
  if (!readable(inp) || !writable(out)) return -EBADF;
  const len = Math.min(a.ptr(4), MAX_RW_COUNT);
  const inPipe = inp instanceof PipeEnd ? inp : undefined;
  const outPipe = out instanceof PipeEnd ? out : undefined;
  if (!inPipe && !outPipe) return -EINVAL;
  if (out instanceof RegularFile && (out.flags & O_APPEND)) return -EINVAL;
  const offInP = a.ptr(1);
  const offOutP = a.ptr(3);
  if ((inPipe && offInP !== 0) || (outPipe && offOutP !== 0)) return -ESPIPE;
  if (inPipe && outPipe && inPipe.pipe === outPipe.pipe) return -EINVAL;
  const offIn = offsetAt(k, offInP);
  const offOut = offsetAt(k, offOutP);
  if ((offIn !== undefined && offIn < 0) || (offOut !== undefined && offOut < 0)) {
    return offIn === -EFAULT || offOut === -EFAULT ? -EFAULT : -EINVAL;
  }
  if (len === 0) return 0;
  const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 ||
    ((inPipe?.flags ?? 0) & O_NONBLOCK) !== 0 || ((outPipe?.flags ?? 0) & O_NONBLOCK) !== 0;
  let inPos = offIn;
  let outPos = offOut;
  const attempt = (): number => {
    let data: Uint8Array;
    if (inPipe) {
      const p = inPipe.pipe;
      if (p.size === 0) return p.writers === 0 ? 0 : -EAGAIN;
      data = p.peek(len);
    } else {
      const room = outPipe!.pipe.capacity - outPipe!.pipe.size;
      if (outPipe!.pipe.readers === 0) return -32; // EPIPE
      if (room <= 0) return -EAGAIN;
      const r = inPos === undefined
        ? inp.read(k, Math.min(len, room))
        : inp.pread(k, Math.min(len, room), inPos);
      if (typeof r === "number") return r;
      if (r.length === 0) return 0;
      data = r;
    }
    let n: number;
    if (outPipe) {
      const p = outPipe.pipe;
      if (p.readers === 0) return -32; // EPIPE
      const room = p.capacity - p.size;
      if (room <= 0) return -EAGAIN;
      n = Math.min(room, data.length);
      p.put(data.subarray(0, n));
    } else {
      const w = outPos === undefined ? out.write(k, data) : out.pwrite(k, data, outPos);
      if (w < 0) return w;
      n = w;
    }
    if (inPipe) inPipe.pipe.take(n);
    else if (inPos !== undefined) inPos += n;
    if (outPos !== undefined) outPos += n;
    try {
      if (offInP !== 0 && inPos !== undefined) k.mem.writeU64(offInP, BigInt(inPos));
      if (offOutP !== 0 && outPos !== undefined) k.mem.writeU64(offOutP, BigInt(outPos));
    } catch {
      return -EFAULT;
    }
    return n;
  };
  const r = attempt();
  if (r === -EAGAIN && !nonblock) return retry(`splice fd ${fdIn} to fd ${fdOut}`, attempt);
  return r;
}

function sysTee(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const inp = fdTable(k).file(a.int(0));
  if (typeof inp === "number") return inp;
  const out = fdTable(k).file(a.int(1));
  if (typeof out === "number") return out;
  const flags = a.u32(3);
  if (flags & ~(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)) return -EINVAL;
  if (!(inp instanceof PipeEnd) || !(out instanceof PipeEnd)) return -EINVAL;
  if (!readable(inp) || !writable(out)) return -EBADF;
  if (inp.pipe === out.pipe) return -EINVAL;
  const len = Math.min(a.ptr(2), MAX_RW_COUNT);
  if (len === 0) return 0;
  const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 ||
    ((inp.flags | out.flags) & O_NONBLOCK) !== 0;
  const attempt = (): number => {
    const src = inp.pipe;
    const dst = out.pipe;
    if (src.size === 0) return src.writers === 0 ? 0 : -EAGAIN;
    if (dst.readers === 0) return -32; // EPIPE
    const room = dst.capacity - dst.size;
    if (room <= 0) return -EAGAIN;
    const data = src.peek(Math.min(len, room));
    dst.put(data);
    return data.length;
  };
  const r = attempt();
  if (r === -EAGAIN && !nonblock) return retry(`tee fd ${a.int(0)} to fd ${a.int(1)}`, attempt);
  return r;
}

function sysCopyFileRange(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const inp = fdTable(k).file(a.int(0));
  if (typeof inp === "number") return inp;
  const out = fdTable(k).file(a.int(2));
  if (typeof out === "number") return out;
  if (a.u32(5) !== 0) return -EINVAL;
  if (!readable(inp) || !writable(out)) return -EBADF;
  if (inp instanceof DirFile || out instanceof DirFile) return -EISDIR;
  if (!(inp instanceof RegularFile) || !(out instanceof RegularFile)) return -EINVAL;
  if (out.flags & O_APPEND) return -EBADF;
  const offInP = a.ptr(1);
  const offOutP = a.ptr(3);
  const offIn = offsetAt(k, offInP);
  const offOut = offsetAt(k, offOutP);
  if (offIn === -EFAULT || offOut === -EFAULT) return -EFAULT;
  let inPos = offIn ?? inp.pos;
  let outPos = offOut ?? out.pos;
  if (inPos < 0 || outPos < 0) return -EINVAL;
  const len = Math.min(a.ptr(4), MAX_RW_COUNT);
  if (inp.data === out.data && inPos < outPos + len && outPos < inPos + len) return -EINVAL;
  const data = inp.data.read(inPos, len);
  if (data.length === 0) return 0;
  const n = out.data.write(outPos, data);
  if (n < 0) return n;
  inPos += n;
  outPos += n;
  try {
    if (offInP !== 0) k.mem.writeU64(offInP, BigInt(inPos));
    else inp.pos = inPos;
    if (offOutP !== 0) k.mem.writeU64(offOutP, BigInt(outPos));
    else out.pos = outPos;
  } catch {
    return -EFAULT;
  }
  return n;
}

/** The transfer family's handlers by syscall name. */
export const TRANSFER: SyscallFamilyTable = {
  family: "transfer",
  handlers: {
    splice: sysSplice,
    tee: sysTee,
    copy_file_range: sysCopyFileRange,
  },
};
