/**
 * File and descriptor syscalls: read/write and their vectored and
 * positional forms, open/close, stat and statx, directories, fcntl, ioctl,
 * pipes, and the namespace operations (mkdir, unlink, rename, links).
 *
 * The process's filesystem view is built by {@linkcode setupFiles}: the
 * sysroot read-only at `/` (with no fallback to host paths), the caller's
 * working directory read-only at its own host path, an in-memory `/tmp`
 * (and `/dev/shm`), the synthesized `/dev`, `/proc` and `/sys`, and the
 * extra `--mount`s. See `lib/vfs/` for resolution rules.
 *
 * Struct layouts written here (riscv64, checked in
 * `tests/kernel/files_data/layout.txt`, printed by `layout.c` compiled for
 * riscv64):
 * - struct stat (asm-generic/stat.h), 128 bytes: st_dev u64 @0, st_ino u64
 *   @8, st_mode u32 @16, st_nlink u32 @20, st_uid u32 @24, st_gid u32 @28,
 *   st_rdev u64 @32, (pad @40), st_size i64 @48, st_blksize i32 @56, (pad
 *   @60), st_blocks i64 @64, st_atime i64 @72, st_atime_nsec u64 @80,
 *   st_mtime @88, st_mtime_nsec @96, st_ctime @104, st_ctime_nsec @112,
 *   (unused @120).
 * - struct statx, 256 bytes: stx_mask u32 @0, stx_blksize u32 @4,
 *   stx_attributes u64 @8, stx_nlink u32 @16, stx_uid @20, stx_gid @24,
 *   stx_mode u16 @28, stx_ino u64 @32, stx_size @40, stx_blocks @48,
 *   stx_attributes_mask @56, stx_atime @64, stx_btime @80, stx_ctime @96,
 *   stx_mtime @112 (each {tv_sec i64, tv_nsec u32, pad}), stx_rdev_major u32
 *   @128, stx_rdev_minor @132, stx_dev_major @136, stx_dev_minor @140,
 *   stx_mnt_id u64 @144, zero to 256.
 * - struct linux_dirent64: d_ino u64 @0, d_off i64 @8, d_reclen u16 @16,
 *   d_type u8 @18, d_name @19, record padded to 8 bytes.
 * - struct iovec, 16 bytes: iov_base @0, iov_len @8.
 * - struct termios, 36 bytes: c_iflag, c_oflag, c_cflag, c_lflag (u32 @0,
 *   4, 8, 12), c_line u8 @16, c_cc[19] @17. struct winsize, 8 bytes.
 * - struct flock, 32 bytes: l_type i16 @0, l_whence i16 @2, l_start @8,
 *   l_len @16, l_pid i32 @24.
 *
 * Blocking: reads of an empty pipe (or stdin-like files) and writes to a
 * full pipe return a readiness {@linkcode Wait} (`repoll: true`) unless the
 * description has O_NONBLOCK. A write to a pipe without readers returns
 * EPIPE and queues SIGPIPE for the writer.
 * @module
 */

import {
  E2BIG,
  EACCES,
  EAGAIN,
  EBADF,
  EBUSY,
  EEXIST,
  EFAULT,
  EINVAL,
  EISDIR,
  ELOOP,
  EMFILE,
  ENAMETOOLONG,
  ENODATA,
  ENODEV,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  ENXIO,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
  ERANGE,
  EROFS,
  ESPIPE,
  EXDEV,
} from "../abi/errno.ts";
import {
  AT_EACCESS,
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_NO_AUTOMOUNT,
  AT_REMOVEDIR,
  AT_STATX_SYNC_TYPE,
  AT_SYMLINK_FOLLOW,
  AT_SYMLINK_NOFOLLOW,
  FASYNC,
  FIOCLEX,
  FIONBIO,
  FIONCLEX,
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECT,
  O_DIRECTORY,
  O_EXCL,
  O_NOATIME,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_TMPFILE,
  O_TRUNC,
  O_WRONLY,
} from "../abi/flags.ts";
import { SIGPIPE } from "../abi/signals.ts";
import { DirFile, PathFile, RegularFile } from "../vfs/descriptions.ts";
import { MemFs } from "../vfs/mem_fs.ts";
import { decodeName, encodeName } from "../vfs/names.ts";
import { type OpenFile, statusFlagsOf } from "../vfs/open_file.ts";
import { Pipe, PipeEnd } from "../vfs/pipe.ts";
import { Socket } from "../vfs/socket.ts";
import {
  type Attr,
  childOf,
  DIRENT_TYPE,
  GUEST_UID,
  type Inode,
  inodeOf,
  type Loc,
  pathOf,
  S_IFMT,
  TYPE_BITS,
} from "../vfs/types.ts";
import { PATH_MAX } from "../vfs/vfs.ts";
import { fdTable } from "./fd_table.ts";
import { fileDataChanged, syncFileData } from "./shared_maps.ts";
import {
  fsEvent,
  fsGone,
  IN_ACCESS,
  IN_ATTRIB,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_MODIFY,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_OPEN,
  moveCookie,
} from "./inotify.ts";
import type { Kernel } from "./kernel.ts";
import { filesState, relocate } from "./mounts.ts";
import { umaskOf } from "./process.ts";
import { writeStat, writeStatx } from "./stat.ts";
import type { Thread } from "./thread.ts";
import { realtimeNs } from "./time.ts";
import type { SyscallArgs, SyscallFamilyTable, SyscallResult, Wait } from "./types.ts";

/** Largest byte count one read or write transfers (MAX_RW_COUNT = INT_MAX & PAGE_MASK). */
export const MAX_RW_COUNT = 0x7ffff000;
/** Most iovecs per call (UIO_MAXIOV). */
export const UIO_MAXIOV = 1024;
/** statx: reserved mask bit (EINVAL). */
const STATX__RESERVED = 0x80000000;
/** utimensat special nanosecond values. */
const UTIME_NOW = 0x3fffffff;
const UTIME_OMIT = 0x3ffffffe;
/** F_SETFL may change only these. */
const SETFL_MASK = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | FASYNC;

// ----------------------------------------------------------------- helpers

function canRead(f: OpenFile): boolean {
  const acc = f.flags & O_ACCMODE;
  return f.kind !== "path" && (acc === O_RDONLY || acc === O_RDWR);
}

function canWrite(f: OpenFile): boolean {
  const acc = f.flags & O_ACCMODE;
  return f.kind !== "path" && (acc === O_WRONLY || acc === O_RDWR);
}

/** The description behind `fd`: O_PATH descriptors only when `allowPath`. */
function getFile(k: Kernel, fd: number, allowPath = false): OpenFile | number {
  const f = fdTable(k).file(fd);
  if (typeof f === "number") return f;
  if (!allowPath && f.kind === "path") return -EBADF;
  return f;
}

/** Reads a path argument: the string, or -EFAULT / -ENAMETOOLONG. */
function readPath(k: Kernel, addr: number): string | number {
  try {
    const b = k.mem.readCStringBytes(addr, PATH_MAX);
    if (b === undefined) return -ENAMETOOLONG;
    return decodeName(b);
  } catch {
    return -EFAULT;
  }
}

/** Where a relative path starts: the cwd (AT_FDCWD) or directory `dirfd`. */
function startLoc(k: Kernel, dirfd: number, path: string): Loc | number {
  const st = filesState(k);
  if (path.startsWith("/")) return st.vfs.root;
  if (dirfd === AT_FDCWD) return st.cwd;
  const f = fdTable(k).file(dirfd);
  if (typeof f === "number") return f;
  if (!f.loc || inodeOf(f.loc).type !== "dir") return -ENOTDIR;
  return f.loc;
}

/** Resolves `path` relative to `dirfd` to an existing object. */
function lookupAt(k: Kernel, dirfd: number, path: string, follow: boolean): Loc | number {
  const start = startLoc(k, dirfd, path);
  if (typeof start === "number") return start;
  return filesState(k).vfs.resolve(start, path, follow);
}

/** Bytes from `addr` (up to `len`) that are mapped with `kind` access. */
function usableLength(k: Kernel, addr: number, len: number, kind: "read" | "write"): number {
  if (len <= 0) return 0;
  const bit = kind === "read" ? 1 : 2;
  const end = addr + len;
  let at = addr;
  while (at < end) {
    const m = k.mem.mappingAt(at);
    if (!m || !(m.prot & bit)) break;
    at = m.end;
  }
  return Math.max(0, Math.min(at, end) - addr);
}

/** A guest buffer segment (one iovec). */
interface Seg {
  base: number;
  len: number;
}

/** Bytes usable from the start of `segs`, stopping at the first fault. */
function usableSegs(k: Kernel, segs: readonly Seg[], kind: "read" | "write"): number {
  let n = 0;
  for (const s of segs) {
    const u = usableLength(k, s.base, s.len, kind);
    n += u;
    if (u < s.len) break;
  }
  return n;
}

function totalOf(segs: readonly Seg[]): number {
  let n = 0;
  for (const s of segs) n += s.len;
  return n;
}

/** Copies `data` into the segments in order. */
function scatter(k: Kernel, segs: readonly Seg[], data: Uint8Array): void {
  let at = 0;
  for (const s of segs) {
    if (at >= data.length) break;
    const n = Math.min(s.len, data.length - at);
    if (n > 0) k.mem.write(s.base, data.subarray(at, at + n));
    at += n;
  }
}

/** Gathers the first `n` bytes of the segments. */
function gather(k: Kernel, segs: readonly Seg[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const s of segs) {
    if (at >= n) break;
    const m = Math.min(s.len, n - at);
    if (m > 0) out.set(k.mem.read(s.base, m), at);
    at += m;
  }
  return out;
}

/** Reads an iovec array: the segments (total clamped to MAX_RW_COUNT) or -errno. */
function readIovecs(k: Kernel, iov: number, count: number): Seg[] | number {
  if (count > UIO_MAXIOV) return -EINVAL;
  if (count === 0) return [];
  let raw: Uint8Array;
  try {
    raw = k.mem.read(iov, 16 * count);
  } catch {
    return -EFAULT;
  }
  const dv = new DataView(raw.buffer);
  const segs: Seg[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const base = dv.getUint32(16 * i + 4, true) * 4294967296 + dv.getUint32(16 * i, true);
    const hi = dv.getUint32(16 * i + 12, true);
    if (hi >= 0x80000000) return -EINVAL; // negative as ssize_t
    let len = hi * 4294967296 + dv.getUint32(16 * i + 8, true);
    if (len > MAX_RW_COUNT - total) len = MAX_RW_COUNT - total;
    total += len;
    segs.push({ base, len });
  }
  return segs;
}

/**
 * A readiness wait that retries `attempt` until it stops answering EAGAIN;
 * `next` gives when the file becomes ready by itself (a timerfd's expiry).
 */
function retryWait(reason: string, attempt: () => number, next?: () => number | undefined): Wait {
  return {
    reason,
    repoll: true,
    get deadline(): number | undefined {
      return next?.();
    },
    resume: () => {
      const r = attempt();
      return r === -EAGAIN ? undefined : r;
    },
  };
}

/** Reads from `f` into `segs` (at `offset` for the positional forms). */
function readInto(
  k: Kernel,
  f: OpenFile,
  fd: number,
  segs: readonly Seg[],
  offset: number | undefined,
): SyscallResult {
  if (f instanceof DirFile) return -EISDIR;
  const total = totalOf(segs);
  const n = usableSegs(k, segs, "write");
  if (total > 0 && n === 0) return -EFAULT;
  if (f instanceof RegularFile) syncFileData(k, f.data);
  const attempt = (): number => {
    const r = offset === undefined ? f.read(k, n) : f.pread(k, n, offset);
    if (typeof r === "number") return r;
    if (r.length > 0 && f.loc && f instanceof RegularFile) fsEvent(k, f.loc, IN_ACCESS);
    try {
      scatter(k, segs, r);
    } catch {
      return -EFAULT;
    }
    return r.length;
  };
  const r = attempt();
  if (r === -EAGAIN && !(f.flags & O_NONBLOCK)) {
    return retryWait(`read fd ${fd} (${f.path})`, attempt, () => f.nextEvent(k));
  }
  return r;
}

/** Writes `segs` to `f` (at `offset` for the positional forms). */
function writeFrom(
  k: Kernel,
  t: Thread,
  f: OpenFile,
  fd: number,
  segs: readonly Seg[],
  offset: number | undefined,
): SyscallResult {
  const total = totalOf(segs);
  const n = usableSegs(k, segs, "read");
  if (total > 0 && n === 0) return -EFAULT;
  const data = gather(k, segs, n);
  if (offset !== undefined) {
    const w = f.pwrite(k, data, offset);
    if (w > 0 && f instanceof RegularFile) {
      fileDataChanged(k, f.data);
      if (f.loc) fsEvent(k, f.loc, IN_MODIFY);
    }
    return w;
  }
  let done = 0;
  const attempt = (): number => {
    const r = f.write(k, data.subarray(done));
    if (r === -EAGAIN) return done > 0 && f.flags & O_NONBLOCK ? done : -EAGAIN;
    if (r < 0) {
      // Linux raises SIGPIPE even when part of the data went through (and for a
      // standard stream whose host reader is gone: it is a pipe to the guest).
      if (r === -EPIPE && (f instanceof PipeEnd || f instanceof Socket || f.kind === "stdio")) {
        k.queueSignal(t, { signo: SIGPIPE, code: 0, pid: k.pid, uid: GUEST_UID });
      }
      return done > 0 ? done : r;
    }
    done += r;
    if (r > 0 && f instanceof RegularFile) {
      fileDataChanged(k, f.data);
      if (f.loc) fsEvent(k, f.loc, IN_MODIFY);
    }
    // A blocking pipe or stream-socket write completes in full; other files may write short.
    const whole = f instanceof PipeEnd || (f instanceof Socket && f.stream);
    if (done < data.length && whole && !(f.flags & O_NONBLOCK)) return -EAGAIN;
    return done;
  };
  const r = attempt();
  if (r === -EAGAIN && !(f.flags & O_NONBLOCK)) {
    return retryWait(`write fd ${fd} (${f.path})`, attempt);
  }
  return r;
}

/** Clamps a size_t count to MAX_RW_COUNT. */
function clampCount(n: number): number {
  return n > MAX_RW_COUNT ? MAX_RW_COUNT : n;
}

/** Whether the guest (uid 1000) may access `a` for `mode` (R_OK 4, W_OK 2, X_OK 1). */
function permits(a: Attr, mode: number): boolean {
  const shift = a.uid === GUEST_UID ? 6 : a.gid === GUEST_UID ? 3 : 0;
  const bits = (a.mode >>> shift) & 7;
  if ((mode & 1) && (a.mode & S_IFMT) !== TYPE_BITS.dir && (a.mode & 0o111) === 0) return false;
  return (bits & mode) === mode;
}

/** What a stat-like call found: attributes, and the location when it has one. */
interface Found {
  attr: Attr;
  loc?: Loc;
}

/** The object a *at() call with AT_EMPTY_PATH / AT_SYMLINK_NOFOLLOW semantics names. */
function statTarget(k: Kernel, dirfd: number, pathAddr: number, flags: number): Found | number {
  let path: string | number = "";
  if (pathAddr !== 0 || !(flags & AT_EMPTY_PATH)) {
    path = readPath(k, pathAddr);
    if (typeof path === "number") return path;
  }
  if (path === "") {
    if (!(flags & AT_EMPTY_PATH)) return -ENOENT;
    if (dirfd === AT_FDCWD) {
      const cwd = filesState(k).cwd;
      return { attr: inodeOf(cwd).attr(), loc: cwd };
    }
    const f = getFile(k, dirfd, true);
    if (typeof f === "number") return f;
    return { attr: f.stat(k), loc: f.loc };
  }
  const loc = lookupAt(k, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (typeof loc === "number") return loc;
  return { attr: inodeOf(loc).attr(), loc };
}

// ---------------------------------------------------------------- handlers

function sysRead(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const f = getFile(k, fd);
  if (typeof f === "number") return f;
  if (!canRead(f)) return -EBADF;
  return readInto(k, f, fd, [{ base: a.ptr(1), len: clampCount(a.ptr(2)) }], undefined);
}

function sysWrite(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const f = getFile(k, fd);
  if (typeof f === "number") return f;
  if (!canWrite(f)) return -EBADF;
  return writeFrom(k, t, f, fd, [{ base: a.ptr(1), len: clampCount(a.ptr(2)) }], undefined);
}

function sysReadv(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const f = getFile(k, fd);
  if (typeof f === "number") return f;
  if (!canRead(f)) return -EBADF;
  const segs = readIovecs(k, a.ptr(1), a.ptr(2));
  if (typeof segs === "number") return segs;
  return readInto(k, f, fd, segs, undefined);
}

function sysWritev(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const f = getFile(k, fd);
  if (typeof f === "number") return f;
  if (!canWrite(f)) return -EBADF;
  const segs = readIovecs(k, a.ptr(1), a.ptr(2));
  if (typeof segs === "number") return segs;
  return writeFrom(k, t, f, fd, segs, undefined);
}

/** The checks pread64/pwrite64/preadv/pwritev share: the file or -errno. */
function positional(k: Kernel, fd: number, offset: number, write: boolean): OpenFile | number {
  if (offset < 0) return -EINVAL;
  const f = getFile(k, fd);
  if (typeof f === "number") return f;
  // Probe for FMODE_PREAD/PWRITE without transferring anything.
  const probe = write ? f.pwrite(k, new Uint8Array(0), offset) : f.pread(k, 0, offset);
  if (probe === -ESPIPE) return -ESPIPE;
  if (!(write ? canWrite(f) : canRead(f))) return -EBADF;
  return f;
}

function sysPread64(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const offset = a.num(3);
  const f = positional(k, fd, offset, false);
  if (typeof f === "number") return f;
  return readInto(k, f, fd, [{ base: a.ptr(1), len: clampCount(a.ptr(2)) }], offset);
}

function sysPwrite64(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const offset = a.num(3);
  const f = positional(k, fd, offset, true);
  if (typeof f === "number") return f;
  return writeFrom(k, t, f, fd, [{ base: a.ptr(1), len: clampCount(a.ptr(2)) }], offset);
}

function sysPreadv(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const offset = a.num(3);
  const f = positional(k, fd, offset, false);
  if (typeof f === "number") return f;
  const segs = readIovecs(k, a.ptr(1), a.ptr(2));
  if (typeof segs === "number") return segs;
  return readInto(k, f, fd, segs, offset);
}

function sysPwritev(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const offset = a.num(3);
  const f = positional(k, fd, offset, true);
  if (typeof f === "number") return f;
  const segs = readIovecs(k, a.ptr(1), a.ptr(2));
  if (typeof segs === "number") return segs;
  return writeFrom(k, t, f, fd, segs, offset);
}

/** RWF_* flags preadv2/pwritev2 accept (HIPRI, DSYNC, SYNC, NOWAIT, APPEND). */
const RWF_SUPPORTED = 0x1f;

function sysPreadv2(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  if (a.u32(5) & ~RWF_SUPPORTED) return -EOPNOTSUPP;
  return a.num(3) === -1 ? sysReadv(k, t, a) : sysPreadv(k, t, a);
}

function sysPwritev2(k: Kernel, t: Thread, a: SyscallArgs): SyscallResult {
  if (a.u32(5) & ~RWF_SUPPORTED) return -EOPNOTSUPP;
  return a.num(3) === -1 ? sysWritev(k, t, a) : sysPwritev(k, t, a);
}

/**
 * open(2) with O_TMPFILE: an unnamed regular file in directory `path`'s
 * filesystem, open for writing (O_WRONLY or O_RDWR required: EINVAL);
 * EOPNOTSUPP where the filesystem cannot make one (only the memory
 * filesystems can). linkat(AT_FDCWD, "/proc/self/fd/N", ..., AT_SYMLINK_FOLLOW)
 * gives it a name later.
 */
function openTmpfile(k: Kernel, dirfd: number, path: string, flags: number, mode: number): number {
  const acc = flags & O_ACCMODE;
  if (acc !== O_WRONLY && acc !== O_RDWR) return -EINVAL;
  if (flags & O_CREAT) return -EINVAL;
  const fds = fdTable(k);
  if (fds.lowestFree() < 0) return -EMFILE;
  if (path === "") return -ENOENT;
  const st = filesState(k);
  const start = startLoc(k, dirfd, path);
  if (typeof start === "number") return start;
  const loc = st.vfs.resolve(start, path, true);
  if (typeof loc === "number") return loc;
  const dir = inodeOf(loc);
  if (dir.type !== "dir") return -ENOTDIR;
  if (!dir.fs.writable) return -EROFS;
  if (!permits(dir.attr(), 3)) return -EACCES;
  if (!dir.tmpfile) return -EOPNOTSUPP;
  const node = dir.tmpfile(mode & ~umaskOf(k) & 0o7777);
  if (typeof node === "number") return node;
  const data = node.data?.();
  if (data === undefined || typeof data === "number") return -EOPNOTSUPP;
  const sflags = statusFlagsOf(flags & ~(O_TMPFILE & ~O_DIRECTORY)) & ~O_DIRECTORY;
  const file = new RegularFile(childOf(loc, `#${node.attr().ino}`, node), data, sflags);
  return fds.alloc(file, (flags & O_CLOEXEC) !== 0);
}

/** Opens `path` relative to `dirfd`: the new descriptor or -errno. */
export function openAt(
  k: Kernel,
  dirfd: number,
  path: string,
  flags: number,
  mode: number,
): number {
  if ((flags & O_TMPFILE) === O_TMPFILE) return openTmpfile(k, dirfd, path, flags, mode);
  if ((flags & O_CREAT) && (flags & O_DIRECTORY)) return -EINVAL;
  const fds = fdTable(k);
  if (fds.lowestFree() < 0) return -EMFILE;
  if (path === "") return -ENOENT;
  const st = filesState(k);
  const start = startLoc(k, dirfd, path);
  if (typeof start === "number") return start;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  if (flags & O_PATH) {
    const loc = st.vfs.resolve(start, path, !(flags & O_NOFOLLOW));
    if (typeof loc === "number") return loc;
    if ((flags & O_DIRECTORY) && inodeOf(loc).type !== "dir") return -ENOTDIR;
    return fds.alloc(new PathFile(loc, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW)), cloexec);
  }
  const excl = (flags & O_CREAT) !== 0 && (flags & O_EXCL) !== 0;
  const w = st.vfs.walk(start, path, !(flags & O_NOFOLLOW) && !excl);
  if (typeof w === "number") return w;
  let loc = w.loc;
  let created = false;
  if (flags & O_CREAT) {
    if (loc && excl) return -EEXIST;
    if (!loc) {
      if (w.slash) return -EISDIR;
      const dir = inodeOf(w.dir);
      if (!dir.fs.writable) return -EROFS;
      if (!permits(dir.attr(), 3)) return -EACCES;
      if (!dir.create) return -EPERM;
      const node = dir.create(w.name, mode & ~umaskOf(k) & 0o7777);
      if (typeof node === "number") return node;
      loc = childOf(w.dir, w.name, node);
      created = true;
    }
  }
  if (!loc) return -ENOENT;
  const node = inodeOf(loc);
  if (w.slash && node.type !== "dir") return -ENOTDIR;
  if (node.type === "lnk") return -ELOOP;
  if ((flags & O_DIRECTORY) && node.type !== "dir") return -ENOTDIR;
  const acc = flags & O_ACCMODE;
  const wantsWrite = acc !== O_RDONLY;
  if (node.type === "dir" && (wantsWrite || (flags & (O_CREAT | O_TRUNC)))) return -EISDIR;
  const onDisk = node.type === "reg" || node.type === "dir";
  if (onDisk && (wantsWrite || (flags & O_TRUNC)) && !node.fs.writable) return -EROFS;
  if (!created) {
    const need = (acc === O_RDONLY ? 4 : acc === O_WRONLY ? 2 : 6) | (flags & O_TRUNC ? 2 : 0);
    if (!permits(node.attr(), need)) return -EACCES;
  }
  let file: OpenFile | number;
  const sflags = statusFlagsOf(flags);
  if (node.open) {
    file = node.open(sflags);
  } else if (node.type === "reg" && node.data) {
    const data = node.data(wantsWrite || (flags & O_TRUNC) !== 0);
    if (typeof data === "number") return data;
    if ((flags & O_TRUNC) && node.fs.writable) {
      const r = data.truncate(0);
      if (r < 0) {
        data.close?.();
        return r;
      }
    }
    file = new RegularFile(loc, data, sflags);
  } else if (node.type === "dir") {
    const at = loc;
    file = new DirFile(loc, sflags, () => st.vfs.list(at));
  } else {
    return -ENXIO;
  }
  if (typeof file === "number") return file;
  const fd = fds.alloc(file, cloexec);
  if (fd >= 0) {
    if (created) fsEvent(k, loc, IN_CREATE, { parentOnly: true });
    fsEvent(k, loc, IN_OPEN);
  }
  return fd;
}

function sysOpenat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const path = readPath(k, a.ptr(1));
  if (typeof path === "number") return path;
  return openAt(k, a.int(0), path, a.int(2), a.u32(3));
}

function sysClose(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = fdTable(k).file(a.int(0));
  const r = fdTable(k).close(a.int(0));
  if (r === 0 && typeof f !== "number" && f.loc && f.kind !== "path") {
    fsEvent(k, f.loc, canWrite(f) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
  }
  return r;
}

const CLOSE_RANGE_UNSHARE = 2;
const CLOSE_RANGE_CLOEXEC = 4;

function sysCloseRange(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const first = a.u32(0);
  const last = a.u32(1);
  const flags = a.u32(2);
  if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) return -EINVAL;
  if (first > last) return -EINVAL;
  const fds = fdTable(k);
  for (const fd of fds.fds()) {
    if (fd < first || fd > last) continue;
    if (flags & CLOSE_RANGE_CLOEXEC) fds.get(fd)!.cloexec = true;
    else fds.close(fd);
  }
  return 0;
}

function sysLseek(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0));
  if (typeof f === "number") return f;
  const whence = a.u32(2);
  if (whence > 4) return -EINVAL;
  return f.seek(k, a.num(1), whence);
}

function sysFstat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0), true);
  if (typeof f === "number") return f;
  return writeStat(k, a.ptr(1), f.stat(k));
}

function sysNewfstatat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(3);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) return -EINVAL;
  const r = statTarget(k, a.int(0), a.ptr(1), flags);
  if (typeof r === "number") return r;
  return writeStat(k, a.ptr(2), r.attr);
}

function sysStatx(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(2);
  const mask = a.u32(3);
  if (mask & STATX__RESERVED) return -EINVAL;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) {
    return -EINVAL;
  }
  if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
  const r = statTarget(k, a.int(0), a.ptr(1), flags);
  if (typeof r === "number") return r;
  const st = filesState(k);
  const root = r.loc !== undefined && st.vfs.isMountRoot(r.loc);
  const mnt = r.loc ? inodeOf(r.loc).fs.mntId : 0;
  return writeStatx(k, a.ptr(4), r.attr, root, mnt);
}

/** faccessat2's body (faccessat has no flags). */
function access(k: Kernel, dirfd: number, pathAddr: number, mode: number, flags: number): number {
  if (mode & ~7) return -EINVAL;
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const r = statTarget(k, dirfd, pathAddr, flags);
  if (typeof r === "number") return r;
  const type = r.attr.mode & S_IFMT;
  const onDisk = type === TYPE_BITS.reg || type === TYPE_BITS.dir || type === TYPE_BITS.lnk;
  if ((mode & 2) && onDisk && r.loc && !inodeOf(r.loc).fs.writable) return -EROFS;
  return permits(r.attr, mode) ? 0 : -EACCES;
}

function sysFaccessat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  return access(k, a.int(0), a.ptr(1), a.int(2), 0);
}

function sysFaccessat2(k: Kernel, _t: Thread, a: SyscallArgs): number {
  return access(k, a.int(0), a.ptr(1), a.int(2), a.int(3));
}

function sysReadlinkat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const size = a.int(3);
  if (size <= 0) return -EINVAL;
  const path = readPath(k, a.ptr(1));
  if (typeof path === "number") return path;
  if (path === "") return -ENOENT;
  const loc = lookupAt(k, a.int(0), path, false);
  if (typeof loc === "number") return loc;
  const node = inodeOf(loc);
  if (node.type !== "lnk" || !node.readlink) return -EINVAL;
  const target = node.readlink();
  if (typeof target === "number") return target;
  const b = encodeName(target).subarray(0, size);
  try {
    k.mem.write(a.ptr(2), b);
  } catch {
    return -EFAULT;
  }
  return b.length;
}

function sysGetcwd(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const path = encodeName(pathOf(filesState(k).cwd) + "\0");
  if (a.ptr(1) < path.length) return -ERANGE;
  try {
    k.mem.write(a.ptr(0), path);
  } catch {
    return -EFAULT;
  }
  return path.length;
}

/** Makes `loc` the current directory after the checks chdir and fchdir share. */
function enter(k: Kernel, loc: Loc): number {
  const node = inodeOf(loc);
  if (node.type !== "dir") return -ENOTDIR;
  if (!permits(node.attr(), 1)) return -EACCES;
  filesState(k).cwd = loc;
  return 0;
}

function sysChdir(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const path = readPath(k, a.ptr(0));
  if (typeof path === "number") return path;
  const loc = lookupAt(k, AT_FDCWD, path, true);
  if (typeof loc === "number") return loc;
  return enter(k, loc);
}

function sysFchdir(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0), true);
  if (typeof f === "number") return f;
  if (!f.loc) return -ENOTDIR;
  return enter(k, f.loc);
}

function sysGetdents64(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0));
  if (typeof f === "number") return f;
  if (!(f instanceof DirFile)) return -ENOTDIR;
  const count = Math.min(a.u32(2), 0x7fffffff);
  const entries = f.entries();
  if (typeof entries === "number") return entries;
  const chunks: Uint8Array[] = [];
  let used = 0;
  let i = f.pos;
  for (; i < entries.length; i++) {
    const e = entries[i];
    const name = encodeName(e.name);
    const reclen = (19 + name.length + 1 + 7) & ~7;
    if (used + reclen > count) {
      if (used === 0) return -EINVAL;
      break;
    }
    const rec = new Uint8Array(reclen);
    const dv = new DataView(rec.buffer);
    dv.setBigUint64(0, BigInt(e.ino), true);
    dv.setBigInt64(8, BigInt(i + 1), true);
    dv.setUint16(16, reclen, true);
    rec[18] = DIRENT_TYPE[e.type];
    rec.set(name, 19);
    chunks.push(rec);
    used += reclen;
  }
  const out = new Uint8Array(used);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  try {
    k.mem.write(a.ptr(1), out);
  } catch {
    return -EFAULT;
  }
  f.pos = i;
  return used;
}

/** fcntl commands (asm-generic/fcntl.h and linux/fcntl.h). */
const F_DUPFD = 0;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_GETLK = 5;
const F_SETLK = 6;
const F_SETLKW = 7;
const F_SETOWN = 8;
const F_GETOWN = 9;
const F_SETSIG = 10;
const F_GETSIG = 11;
const F_SETOWN_EX = 15;
const F_GETOWN_EX = 16;
const F_OFD_GETLK = 36;
const F_OFD_SETLK = 37;
const F_OFD_SETLKW = 38;
const F_GETLEASE = 1025;
const F_DUPFD_CLOEXEC = 1030;
const F_SETPIPE_SZ = 1031;
const F_GETPIPE_SZ = 1032;
const F_RDLCK = 0;
const F_WRLCK = 1;
const F_UNLCK = 2;
const FD_CLOEXEC = 1;

function sysFcntl(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const fd = a.int(0);
  const cmd = a.int(1);
  const fds = fdTable(k);
  const entry = fds.get(fd);
  if (!entry) return -EBADF;
  const f = entry.file;
  const pathOnly = f.kind === "path";
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const min = a.ptr(2);
      if (min >= fds.limit) return -EINVAL;
      return fds.alloc(f, cmd === F_DUPFD_CLOEXEC, min);
    }
    case F_GETFD:
      return entry.cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
      entry.cloexec = (a.ptr(2) & FD_CLOEXEC) !== 0;
      return 0;
    case F_GETFL:
      return f.flags;
  }
  if (pathOnly) return -EBADF;
  switch (cmd) {
    case F_SETFL:
      f.flags = (f.flags & ~SETFL_MASK) | (a.int(2) & SETFL_MASK);
      return 0;
    case F_GETLK:
    case F_OFD_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: {
      // Record locks always succeed: one process cannot conflict with itself.
      let lock: Uint8Array;
      try {
        lock = k.mem.read(a.ptr(2), 32);
      } catch {
        return -EFAULT;
      }
      const type = new DataView(lock.buffer).getInt16(0, true);
      if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) return -EINVAL;
      if (cmd === F_GETLK || cmd === F_OFD_GETLK) {
        lock[0] = F_UNLCK;
        lock[1] = 0;
        try {
          k.mem.write(a.ptr(2), lock);
        } catch {
          return -EFAULT;
        }
        return 0;
      }
      if (type === F_RDLCK && !canRead(f)) return -EBADF;
      if (type === F_WRLCK && !canWrite(f)) return -EBADF;
      return 0;
    }
    case F_SETOWN:
    case F_SETSIG:
      return 0;
    case F_GETOWN:
    case F_GETSIG:
      return 0;
    case F_SETOWN_EX:
      return 0;
    case F_GETOWN_EX:
      try {
        k.mem.write(a.ptr(2), new Uint8Array(8));
      } catch {
        return -EFAULT;
      }
      return 0;
    case F_GETLEASE:
      return F_UNLCK;
    case F_GETPIPE_SZ:
      return f instanceof PipeEnd ? f.pipe.capacity : -EBADF;
    case F_SETPIPE_SZ:
      return f instanceof PipeEnd ? f.pipe.resize(a.int(2)) : -EBADF;
  }
  return -EINVAL;
}

function sysDup(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0), true);
  if (typeof f === "number") return f;
  return fdTable(k).alloc(f, false);
}

function sysDup3(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const oldfd = a.int(0);
  const newfd = a.int(1);
  const flags = a.int(2);
  if (flags & ~O_CLOEXEC) return -EINVAL;
  if (oldfd === newfd) return -EINVAL;
  const fds = fdTable(k);
  if (newfd < 0 || newfd >= fds.limit) return -EBADF;
  const f = getFile(k, oldfd, true);
  if (typeof f === "number") return f;
  fds.install(newfd, f, (flags & O_CLOEXEC) !== 0);
  return newfd;
}

const FIOASYNC = 0x5452;

function sysIoctl(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const fd = a.int(0);
  const entry = fdTable(k).get(fd);
  if (!entry || entry.file.kind === "path") return -EBADF;
  const f = entry.file;
  const req = a.u32(1);
  const arg = a.ptr(2);
  switch (req) {
    case FIONBIO: {
      let on: number;
      try {
        on = k.mem.readU32(arg);
      } catch {
        return -EFAULT;
      }
      f.flags = on ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
      return 0;
    }
    case FIOASYNC:
      try {
        k.mem.readU32(arg);
      } catch {
        return -EFAULT;
      }
      return 0;
    case FIOCLEX:
      entry.cloexec = true;
      return 0;
    case FIONCLEX:
      entry.cloexec = false;
      return 0;
  }
  return f.ioctl(k, req, arg);
}

/** Watch-queue pipes (O_NOTIFICATION_PIPE) need CONFIG_WATCH_QUEUE: ENOPKG. */
const ENOPKG_NOTIFICATION = 65;
/** pipe2 flags: O_CLOEXEC, O_NONBLOCK, O_DIRECT, O_NOTIFICATION_PIPE (= O_EXCL). */
const PIPE2_FLAGS = O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_EXCL;

function sysPipe2(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(1);
  if (flags & ~PIPE2_FLAGS) return -EINVAL;
  if (flags & O_EXCL) return -ENOPKG_NOTIFICATION;
  const st = filesState(k);
  const fds = fdTable(k);
  const pipe = new Pipe(st.nextPipeIno++, Number(realtimeNs(k)));
  const extra = flags & (O_NONBLOCK | O_DIRECT);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const r = new PipeEnd(pipe, O_RDONLY | extra);
  const w = new PipeEnd(pipe, O_WRONLY | extra);
  const rfd = fds.alloc(r, cloexec);
  if (rfd < 0) return rfd;
  const wfd = fds.alloc(w, cloexec);
  if (wfd < 0) {
    fds.close(rfd);
    return wfd;
  }
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, rfd, true);
  dv.setInt32(4, wfd, true);
  try {
    k.mem.write(a.ptr(0), out);
  } catch {
    fds.close(rfd);
    fds.close(wfd);
    return -EFAULT;
  }
  return 0;
}

/** Walks `path` for a call that changes the parent directory. */
function walkParent(k: Kernel, dirfd: number, pathAddr: number, follow = false) {
  const path = readPath(k, pathAddr);
  if (typeof path === "number") return path;
  if (path === "") return -ENOENT;
  const start = startLoc(k, dirfd, path);
  if (typeof start === "number") return start;
  return filesState(k).vfs.walk(start, path, follow);
}

/** True for the names a walk reports for `.`, `..` and `/`. */
function special(name: string): boolean {
  return name === "." || name === ".." || name === "/";
}

function sysMkdirat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const w = walkParent(k, a.int(0), a.ptr(1));
  if (typeof w === "number") return w;
  if (special(w.name) || w.loc) return -EEXIST;
  const dir = inodeOf(w.dir);
  if (!dir.fs.writable) return -EROFS;
  if (!permits(dir.attr(), 3)) return -EACCES;
  if (!dir.mkdir) return -EPERM;
  const r = dir.mkdir(w.name, a.u32(2) & ~umaskOf(k) & 0o1777);
  if (typeof r === "number") return r;
  fsEvent(k, childOf(w.dir, w.name, r), IN_CREATE, { parentOnly: true });
  return 0;
}

function sysUnlinkat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(2);
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  const rmdir = (flags & AT_REMOVEDIR) !== 0;
  const w = walkParent(k, a.int(0), a.ptr(1));
  if (typeof w === "number") return w;
  if (rmdir) {
    if (w.name === ".") return -EINVAL;
    if (w.name === "..") return -ENOTEMPTY;
    if (w.name === "/") return -EBUSY;
  } else if (special(w.name)) {
    return -EISDIR;
  }
  const dir = inodeOf(w.dir);
  if (!dir.fs.writable) return -EROFS;
  if (!w.loc) return -ENOENT;
  const node = inodeOf(w.loc);
  if (!permits(dir.attr(), 3)) return -EACCES;
  if (filesState(k).vfs.isMountRoot(w.loc)) return -EBUSY;
  // inotify order as Linux reports it: the link count change (IN_ATTRIB) on the
  // file, then IN_DELETE_SELF and IN_IGNORED when it is gone, then IN_DELETE on
  // the directory.
  const gone = (r: number): number => {
    if (r !== 0) return r;
    if (node.type !== "dir") fsEvent(k, w.loc!, IN_ATTRIB, { selfOnly: true });
    if (node.type === "dir" || node.attr().nlink === 0) fsGone(k, node);
    fsEvent(k, w.loc!, IN_DELETE, { parentOnly: true });
    return 0;
  };
  if (rmdir) {
    if (node.type !== "dir") return -ENOTDIR;
    return gone(dir.rmdir ? dir.rmdir(w.name) : -EPERM);
  }
  if (node.type === "dir") return -EISDIR;
  if (w.slash) return -ENOTDIR;
  return gone(dir.unlink ? dir.unlink(w.name) : -EPERM);
}

const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;
const RENAME_WHITEOUT = 4;

/** The common body of renameat and renameat2. */
function rename(k: Kernel, a: SyscallArgs, flags: number): number {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
  if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) return -EINVAL;
  if (flags & RENAME_WHITEOUT) return -EINVAL;
  const from = walkParent(k, a.int(0), a.ptr(1));
  if (typeof from === "number") return from;
  const to = walkParent(k, a.int(2), a.ptr(3));
  if (typeof to === "number") return to;
  if (special(from.name)) return -EBUSY;
  if (special(to.name)) return flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
  const fromDir = inodeOf(from.dir);
  const toDir = inodeOf(to.dir);
  if (!from.loc) return -ENOENT;
  if (fromDir.fs !== toDir.fs) return -EXDEV;
  if (!fromDir.fs.writable) return -EROFS;
  const vfs = filesState(k).vfs;
  if (vfs.isMountRoot(from.loc) || (to.loc && vfs.isMountRoot(to.loc))) return -EBUSY;
  const src = inodeOf(from.loc);
  const dst = to.loc ? inodeOf(to.loc) : undefined;
  if (src.type !== "dir" && (from.slash || to.slash)) return -ENOTDIR;
  if ((flags & RENAME_EXCHANGE) && !dst) return -ENOENT;
  if (dst && (flags & RENAME_NOREPLACE)) return -EEXIST;
  if (!permits(fromDir.attr(), 3) || !permits(toDir.attr(), 3)) return -EACCES;
  if (!fromDir.rename) return -EPERM;
  // Moving a directory below itself.
  const fp = from.loc.parts;
  const inside = (parts: readonly string[]) =>
    parts.length >= fp.length && fp.every((p, i) => parts[i] === p);
  if (src.type === "dir" && inside(to.dir.parts)) return -EINVAL;
  if (dst && to.loc && inside(to.loc.parts) === false && src.type === "dir") {
    const tp = to.loc.parts;
    if (from.dir.parts.length >= tp.length && tp.every((p, i) => from.dir.parts[i] === p)) {
      return -ENOTEMPTY;
    }
  }
  if (dst) {
    const sa = src.attr();
    const da = dst.attr();
    if (sa.dev === da.dev && sa.ino === da.ino) return 0;
    if (flags & RENAME_EXCHANGE) {
      if (dst.type === "dir" && inside(to.loc!.parts)) return -EINVAL;
      const tmp = `.zkabi-exchange-${sa.ino}`;
      let r = fromDir.rename(from.name, fromDir, tmp);
      if (r < 0) return r;
      r = toDir.rename!(to.name, fromDir, from.name);
      if (r < 0) return r;
      return fromDir.rename(tmp, toDir, to.name);
    }
    if (src.type === "dir" && dst.type !== "dir") return -ENOTDIR;
    if (src.type !== "dir" && dst.type === "dir") return -EISDIR;
  }
  const r = fromDir.rename(from.name, toDir, to.name);
  if (r === 0) {
    relocate(k, from.loc, childOf(to.dir, to.name, src));
    const cookie = moveCookie(k);
    fsEvent(k, from.loc, IN_MOVED_FROM, { cookie, parentOnly: true });
    fsEvent(k, childOf(to.dir, to.name, src), IN_MOVED_TO, { cookie, parentOnly: true });
    fsEvent(k, from.loc, IN_MOVE_SELF, { selfOnly: true });
    if (dst && dst.attr().nlink === 0) fsGone(k, dst);
  }
  return r;
}

function sysRenameat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  return rename(k, a, 0);
}

function sysRenameat2(k: Kernel, _t: Thread, a: SyscallArgs): number {
  return rename(k, a, a.u32(4));
}

function sysFtruncate(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const len = a.num(1);
  if (len < 0) return -EINVAL;
  const f = getFile(k, a.int(0));
  if (typeof f === "number") return f;
  if (!(f instanceof RegularFile) || !canWrite(f)) return -EINVAL;
  const r = f.data.truncate(len);
  if (r === 0) fileDataChanged(k, f.data);
  if (r === 0 && f.loc) fsEvent(k, f.loc, IN_MODIFY);
  return r;
}

function sysTruncate(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const len = a.num(1);
  const path = readPath(k, a.ptr(0));
  if (typeof path === "number") return path;
  if (len < 0) return -EINVAL;
  const loc = lookupAt(k, AT_FDCWD, path, true);
  if (typeof loc === "number") return loc;
  const node = inodeOf(loc);
  if (node.type === "dir") return -EISDIR;
  if (node.type !== "reg" || !node.data) return -EINVAL;
  if (!node.fs.writable) return -EROFS;
  if (!permits(node.attr(), 2)) return -EACCES;
  const data = node.data(true);
  if (typeof data === "number") return data;
  const r = data.truncate(len);
  data.close?.();
  return r;
}

function sysFsync(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0));
  if (typeof f === "number") return f;
  return f instanceof RegularFile || f instanceof DirFile ? 0 : -EINVAL;
}

function sysUtimensat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const dirfd = a.int(0);
  const pathAddr = a.ptr(1);
  const timesAddr = a.ptr(2);
  const flags = a.int(3);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const now = Number(realtimeNs(k));
  let atime: number | undefined = now;
  let mtime: number | undefined = now;
  if (timesAddr !== 0) {
    let raw: Uint8Array;
    try {
      raw = k.mem.read(timesAddr, 32);
    } catch {
      return -EFAULT;
    }
    const dv = new DataView(raw.buffer);
    const pick = (off: number): number | undefined | null => {
      const sec = Number(dv.getBigInt64(off, true));
      const nsec = Number(dv.getBigInt64(off + 8, true));
      if (nsec === UTIME_OMIT) return undefined;
      if (nsec === UTIME_NOW) return now;
      if (nsec < 0 || nsec > 999_999_999) return null;
      return sec * 1e9 + nsec;
    };
    const at = pick(0);
    const mt = pick(16);
    if (at === null || mt === null) return -EINVAL;
    atime = at;
    mtime = mt;
    if (atime === undefined && mtime === undefined) return 0;
  }
  let target: Found | number;
  if (pathAddr === 0) {
    if (dirfd === AT_FDCWD) return -EFAULT;
    const f = getFile(k, dirfd, true);
    if (typeof f === "number") return f;
    target = { attr: f.stat(k), loc: f.loc };
  } else {
    target = statTarget(k, dirfd, pathAddr, flags);
  }
  if (typeof target === "number") return target;
  if (!target.loc) return 0;
  const node = inodeOf(target.loc);
  if (!node.fs.writable) return -EROFS;
  return node.setTimes ? node.setTimes(atime, mtime) : 0;
}

function chmodLoc(k: Kernel, loc: Loc | undefined, mode: number): number {
  if (!loc) return 0;
  const node = inodeOf(loc);
  if (!node.fs.writable) return -EROFS;
  const r = node.chmod ? node.chmod(mode) : -EPERM;
  if (r === 0) fsEvent(k, loc, IN_ATTRIB);
  return r;
}

function sysFchmod(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0));
  if (typeof f === "number") return f;
  return chmodLoc(k, f.loc, a.u32(1));
}

function sysFchmodat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const path = readPath(k, a.ptr(1));
  if (typeof path === "number") return path;
  const loc = lookupAt(k, a.int(0), path, true);
  if (typeof loc === "number") return loc;
  return chmodLoc(k, loc, a.u32(2));
}

/** chown to anyone but ourselves needs privilege. */
function chownCheck(loc: Loc | undefined, uid: number, gid: number): number {
  if ((uid !== -1 && uid !== GUEST_UID) || (gid !== -1 && gid !== GUEST_UID)) return -EPERM;
  if (loc && !inodeOf(loc).fs.writable) return -EROFS;
  return 0;
}

function sysFchown(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0));
  if (typeof f === "number") return f;
  return chownCheck(f.loc, a.int(1), a.int(2));
}

function sysFchownat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(4);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const r = statTarget(k, a.int(0), a.ptr(1), flags);
  if (typeof r === "number") return r;
  return chownCheck(r.loc, a.int(2), a.int(3));
}

function sysSymlinkat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const target = readPath(k, a.ptr(0));
  if (typeof target === "number") return target;
  if (target === "") return -ENOENT;
  const w = walkParent(k, a.int(1), a.ptr(2));
  if (typeof w === "number") return w;
  if (special(w.name) || w.loc) return -EEXIST;
  const dir = inodeOf(w.dir);
  if (!dir.fs.writable) return -EROFS;
  if (!permits(dir.attr(), 3)) return -EACCES;
  if (!dir.symlink) return -EPERM;
  const r = dir.symlink(w.name, target);
  return typeof r === "number" ? r : 0;
}

function sysLinkat(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(4);
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const old = statTarget(
    k,
    a.int(0),
    a.ptr(1),
    flags & AT_SYMLINK_FOLLOW ? flags : flags | AT_SYMLINK_NOFOLLOW,
  );
  if (typeof old === "number") return old;
  if (!old.loc) return -ENOENT;
  const w = walkParent(k, a.int(2), a.ptr(3));
  if (typeof w === "number") return w;
  if (special(w.name) || w.loc) return -EEXIST;
  const src = inodeOf(old.loc);
  if (src.type === "dir") return -EPERM;
  const dir = inodeOf(w.dir);
  if (dir.fs !== src.fs) return -EXDEV;
  if (!dir.fs.writable) return -EROFS;
  if (!permits(dir.attr(), 3)) return -EACCES;
  if (!dir.link) return -EPERM;
  return dir.link(w.name, src);
}

function sysSendfile(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  const out = getFile(k, a.int(0));
  if (typeof out === "number") return out;
  const inp = getFile(k, a.int(1));
  if (typeof inp === "number") return inp;
  if (!canRead(inp) || !canWrite(out)) return -EBADF;
  if (!(inp instanceof RegularFile)) return -EINVAL;
  const offAddr = a.ptr(2);
  let pos = inp.pos;
  if (offAddr !== 0) {
    try {
      pos = Number(BigInt.asIntN(64, k.mem.readU64(offAddr)));
    } catch {
      return -EFAULT;
    }
    if (pos < 0) return -EINVAL;
  }
  const count = clampCount(a.ptr(3));
  const attempt = (): number => {
    const data = inp.data.read(pos, count);
    if (data.length === 0) return 0;
    const n = out.write(k, data);
    if (n < 0) return n;
    pos += n;
    if (offAddr !== 0) {
      try {
        k.mem.writeU64(offAddr, pos);
      } catch {
        return -EFAULT;
      }
    } else {
      inp.pos = pos;
    }
    return n;
  };
  const r = attempt();
  if (r === -EAGAIN && !(out.flags & O_NONBLOCK)) {
    return retryWait(`sendfile to fd ${a.int(0)}`, attempt);
  }
  return r;
}

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

function sysFlock(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0));
  if (typeof f === "number") return f;
  const op = a.int(1) & ~LOCK_NB;
  return op === LOCK_SH || op === LOCK_EX || op === LOCK_UN ? 0 : -EINVAL;
}

function sysFadvise64(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0));
  if (typeof f === "number") return f;
  if (f instanceof PipeEnd || f.kind === "stdio") return -ESPIPE;
  if (a.num(2) < 0 || a.u32(3) > 5) return -EINVAL;
  return 0;
}

function sysFallocate(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0));
  if (typeof f === "number") return f;
  const mode = a.int(1);
  const off = a.num(2);
  const len = a.num(3);
  if (off < 0 || len <= 0) return -EINVAL;
  if (!canWrite(f)) return -EBADF;
  if (f instanceof PipeEnd || f.kind === "stdio") return -ESPIPE;
  if (!(f instanceof RegularFile)) return f instanceof DirFile ? -EISDIR : -ENODEV;
  if (mode !== 0) return -EOPNOTSUPP;
  return off + len > f.data.size() ? f.data.truncate(off + len) : 0;
}

/** statfs f_type by filesystem kind (linux/magic.h). */
const FS_MAGIC: Readonly<Record<string, number>> = {
  host: 0xef53, // what the sysroot and working directory usually are: ext4
  tmpfs: 0x01021994,
  devtmpfs: 0x01021994,
  proc: 0x9fa0,
  sysfs: 0x62656572,
  rootfs: 0x858458f6,
  pipefs: 0x50495045,
  anon: 0x09041934,
};
/** statfs f_flags: ST_RDONLY, ST_VALID. */
const ST_RDONLY = 1;
const ST_VALID = 0x20;
/** Fixed geometry reported for host and synthesized filesystems (4 KiB blocks). */
const FIXED_BLOCKS = 1 << 24;

/**
 * Writes struct statfs (asm-generic, 120 bytes on riscv64): f_type @0,
 * f_bsize @8, f_blocks @16, f_bfree @24, f_bavail @32, f_files @40, f_ffree
 * @48, f_fsid @56, f_namelen @64, f_frsize @72, f_flags @80, f_spare @88.
 * Sizes are fixed (memory filesystems report their capacity and use).
 */
function writeStatfs(k: Kernel, addr: number, node: Inode): number {
  const fs = node.fs;
  const b = new Uint8Array(120);
  const dv = new DataView(b.buffer);
  const put = (off: number, v: number) => dv.setBigUint64(off, BigInt(v), true);
  let blocks = FIXED_BLOCKS;
  let free = FIXED_BLOCKS / 2;
  if (fs instanceof MemFs) {
    blocks = fs.capacity / 4096;
    free = Math.max(0, Math.floor((fs.capacity - fs.used) / 4096));
  } else if (fs.kind !== "host") {
    free = 0;
  }
  put(0, FS_MAGIC[fs.kind] ?? 0);
  put(8, 4096);
  put(16, fs.kind === "host" || fs instanceof MemFs ? blocks : 0);
  put(24, fs.kind === "host" || fs instanceof MemFs ? free : 0);
  put(32, fs.kind === "host" || fs instanceof MemFs ? free : 0);
  put(40, 1 << 20);
  put(48, 1 << 19);
  put(64, 255);
  put(72, 4096);
  put(80, ST_VALID | (fs.writable ? 0 : ST_RDONLY));
  try {
    k.mem.write(addr, b);
    return 0;
  } catch {
    return -EFAULT;
  }
}

function sysStatfs(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const path = readPath(k, a.ptr(0));
  if (typeof path === "number") return path;
  const loc = lookupAt(k, AT_FDCWD, path, true);
  if (typeof loc === "number") return loc;
  return writeStatfs(k, a.ptr(1), inodeOf(loc));
}

function sysFstatfs(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = getFile(k, a.int(0), true);
  if (typeof f === "number") return f;
  if (f.loc) return writeStatfs(k, a.ptr(1), inodeOf(f.loc));
  const attr = f.stat(k);
  const pseudo: Inode = {
    fs: {
      dev: attr.dev,
      writable: true,
      mntId: 0,
      kind: f.kind === "pipe" || f.kind === "stdio" ? "pipefs" : "anon",
    },
    type: "reg",
    attr: () => attr,
  };
  return writeStatfs(k, a.ptr(1), pseudo);
}

// ---------------------------------------------------------------- xattrs

/** Longest attribute name (XATTR_NAME_MAX) and value (XATTR_SIZE_MAX). */
const XATTR_NAME_MAX = 255;
const XATTR_SIZE_MAX = 65536;
const XATTR_CREATE = 1;
const XATTR_REPLACE = 2;

/**
 * Checks an attribute name as fs/xattr.c copies it: -EFAULT, or -ERANGE
 * when empty or longer than XATTR_NAME_MAX; 0 when acceptable.
 */
function checkXattrName(k: Kernel, addr: number): number {
  try {
    const b = k.mem.readCStringBytes(addr, XATTR_NAME_MAX + 1);
    return b === undefined || b.length === 0 ? -ERANGE : 0;
  } catch {
    return -EFAULT;
  }
}

/** The object an xattr call names: by path (following links or not) or by descriptor. */
function xattrTarget(k: Kernel, a: SyscallArgs, by: "path" | "link" | "fd"): Found | number {
  if (by === "fd") {
    const f = getFile(k, a.int(0));
    if (typeof f === "number") return f;
    return { attr: f.stat(k), loc: f.loc };
  }
  const path = readPath(k, a.ptr(0));
  if (typeof path === "number") return path;
  const loc = lookupAt(k, AT_FDCWD, path, by === "path");
  if (typeof loc === "number") return loc;
  return { attr: inodeOf(loc).attr(), loc };
}

/**
 * Extended attributes. zkabi's filesystems hold none and store none: lists
 * are empty, reads and removals find no attribute (ENODATA), writes are not
 * supported (EOPNOTSUPP, EROFS on a read-only mount). Arguments are checked
 * in Linux's order (setxattr copies its arguments before the lookup).
 */
function xattrGet(by: "path" | "link" | "fd") {
  return (k: Kernel, _t: Thread, a: SyscallArgs): number => {
    const r = xattrTarget(k, a, by);
    if (typeof r === "number") return r;
    const name = checkXattrName(k, a.ptr(1));
    return name < 0 ? name : -ENODATA;
  };
}

function xattrList(by: "path" | "link" | "fd") {
  return (k: Kernel, _t: Thread, a: SyscallArgs): number => {
    const r = xattrTarget(k, a, by);
    return typeof r === "number" ? r : 0;
  };
}

function xattrSet(by: "path" | "link" | "fd") {
  return (k: Kernel, _t: Thread, a: SyscallArgs): number => {
    if (a.int(4) & ~(XATTR_CREATE | XATTR_REPLACE)) return -EINVAL;
    const name = checkXattrName(k, a.ptr(1));
    if (name < 0) return name;
    if (a.ptr(3) > XATTR_SIZE_MAX) return -E2BIG;
    if (a.ptr(3) > 0 && usableLength(k, a.ptr(2), a.ptr(3), "read") < a.ptr(3)) return -EFAULT;
    const r = xattrTarget(k, a, by);
    if (typeof r === "number") return r;
    if (r.loc && !inodeOf(r.loc).fs.writable) return -EROFS;
    return -EOPNOTSUPP;
  };
}

function xattrRemove(by: "path" | "link" | "fd") {
  return (k: Kernel, _t: Thread, a: SyscallArgs): number => {
    const name = checkXattrName(k, a.ptr(1));
    if (name < 0) return name;
    const r = xattrTarget(k, a, by);
    if (typeof r === "number") return r;
    if (r.loc && !inodeOf(r.loc).fs.writable) return -EROFS;
    return -ENODATA;
  };
}

/** The files family's handlers by syscall name. */
export const FILES: SyscallFamilyTable = {
  family: "files",
  handlers: {
    read: sysRead,
    write: sysWrite,
    readv: sysReadv,
    writev: sysWritev,
    pread64: sysPread64,
    pwrite64: sysPwrite64,
    preadv: sysPreadv,
    pwritev: sysPwritev,
    preadv2: sysPreadv2,
    pwritev2: sysPwritev2,
    openat: sysOpenat,
    close: sysClose,
    close_range: sysCloseRange,
    lseek: sysLseek,
    fstat: sysFstat,
    newfstatat: sysNewfstatat,
    statx: sysStatx,
    faccessat: sysFaccessat,
    faccessat2: sysFaccessat2,
    readlinkat: sysReadlinkat,
    getcwd: sysGetcwd,
    chdir: sysChdir,
    fchdir: sysFchdir,
    getdents64: sysGetdents64,
    fcntl: sysFcntl,
    dup: sysDup,
    dup3: sysDup3,
    ioctl: sysIoctl,
    pipe2: sysPipe2,
    mkdirat: sysMkdirat,
    unlinkat: sysUnlinkat,
    renameat: sysRenameat,
    renameat2: sysRenameat2,
    ftruncate: sysFtruncate,
    truncate: sysTruncate,
    fsync: sysFsync,
    fdatasync: sysFsync,
    utimensat: sysUtimensat,
    fchmod: sysFchmod,
    fchmodat: sysFchmodat,
    fchown: sysFchown,
    fchownat: sysFchownat,
    symlinkat: sysSymlinkat,
    linkat: sysLinkat,
    sendfile: sysSendfile,
    flock: sysFlock,
    fadvise64: sysFadvise64,
    fallocate: sysFallocate,
    statfs: sysStatfs,
    setxattr: xattrSet("path"),
    lsetxattr: xattrSet("link"),
    fsetxattr: xattrSet("fd"),
    getxattr: xattrGet("path"),
    lgetxattr: xattrGet("link"),
    fgetxattr: xattrGet("fd"),
    listxattr: xattrList("path"),
    llistxattr: xattrList("link"),
    flistxattr: xattrList("fd"),
    removexattr: xattrRemove("path"),
    lremovexattr: xattrRemove("link"),
    fremovexattr: xattrRemove("fd"),
    fstatfs: sysFstatfs,
  },
};
