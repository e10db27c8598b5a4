/**
 * inotify (inotify(7)) over the guest's filesystem: inotify_init1,
 * inotify_add_watch, inotify_rm_watch, and the events the files family
 * reports through {@linkcode fsEvent}: IN_ACCESS, IN_MODIFY, IN_ATTRIB,
 * IN_OPEN, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_CREATE, IN_DELETE,
 * IN_DELETE_SELF, IN_MOVED_FROM/IN_MOVED_TO (with a shared cookie),
 * IN_MOVE_SELF, and IN_IGNORED when a watch goes. A watch on a directory
 * also sees its children's events, with their names.
 *
 * Watches are keyed by inode, so two paths to the same file share one
 * watch descriptor. Reading returns whole `struct inotify_event` records
 * {wd i32, mask u32, cookie u32, len u32, name[len]} with `len` the name's
 * length plus NULs up to a multiple of 16; a buffer too small for the next
 * record is EINVAL. An event equal to the last queued one is merged into it,
 * and past {@linkcode MAX_QUEUED_EVENTS} a single IN_Q_OVERFLOW (wd -1)
 * stands for the rest.
 * @module
 */

import { EAGAIN, EBADF, EEXIST, EFAULT, EINVAL, ENAMETOOLONG, ENOTDIR } from "../abi/errno.ts";
import { FIONREAD, POLLIN, POLLRDNORM } from "../abi/flags.ts";
import { putInt } from "../vfs/descriptions.ts";
import { type FileContext, OpenFile } from "../vfs/open_file.ts";
import { type Attr, type Inode, inodeOf, type Loc, makeAttr, makedev } from "../vfs/types.ts";
import { PATH_MAX } from "../vfs/vfs.ts";
import { fdTable } from "./fd_table.ts";
import type { Kernel } from "./kernel.ts";
import { filesState } from "./mounts.ts";
import type { Thread } from "./thread.ts";
import type { SyscallArgs, SyscallFamilyTable } from "./types.ts";

/** Event bits (linux/inotify.h). */
export const IN_ACCESS = 0x1;
/** File modified. */
export const IN_MODIFY = 0x2;
/** Metadata changed. */
export const IN_ATTRIB = 0x4;
/** Writable file closed. */
export const IN_CLOSE_WRITE = 0x8;
/** Unwritable file closed. */
export const IN_CLOSE_NOWRITE = 0x10;
/** File opened. */
export const IN_OPEN = 0x20;
/** Moved out of a watched directory. */
export const IN_MOVED_FROM = 0x40;
/** Moved into a watched directory. */
export const IN_MOVED_TO = 0x80;
/** Created in a watched directory. */
export const IN_CREATE = 0x100;
/** Deleted from a watched directory. */
export const IN_DELETE = 0x200;
/** The watched object was deleted. */
export const IN_DELETE_SELF = 0x400;
/** The watched object was moved. */
export const IN_MOVE_SELF = 0x800;
/** The event queue overflowed. */
export const IN_Q_OVERFLOW = 0x4000;
/** The watch was removed. */
export const IN_IGNORED = 0x8000;
/** Only watch a directory. */
export const IN_ONLYDIR = 0x1000000;
/** Do not follow a final symlink. */
export const IN_DONT_FOLLOW = 0x2000000;
/** Ignore events of unlinked children. */
export const IN_EXCL_UNLINK = 0x4000000;
/** Fail if the watch exists. */
export const IN_MASK_CREATE = 0x10000000;
/** Add to the existing mask. */
export const IN_MASK_ADD = 0x20000000;
/** The subject is a directory. */
export const IN_ISDIR = 0x40000000;
/** One event, then the watch goes. */
export const IN_ONESHOT = 0x80000000;
/** Events a watch may ask for. */
const IN_ALL_EVENTS = 0xfff;
/** inotify_init1 flags. */
const IN_NONBLOCK = 0o4000;
const IN_CLOEXEC = 0o2000000;
/** /proc/sys/fs/inotify/max_queued_events. */
export const MAX_QUEUED_EVENTS = 16384;

interface Watch {
  wd: number;
  inode: Inode;
  mask: number;
}

interface Event {
  wd: number;
  mask: number;
  cookie: number;
  name: string;
}

/** An inotify instance. */
export class InotifyFile extends OpenFile {
  /** Kind for /proc and diagnostics. */
  readonly kind = "inotify";
  /** Watches by descriptor. */
  readonly watches: Map<number, Watch> = new Map();
  /** Queued events, oldest first. */
  readonly queue: Event[] = [];
  #nextWd = 1;
  /** Changes with every queued event (edge-triggered epoll). */
  generation = 0;

  /** Creates an instance with status flags `flags`. */
  constructor(flags: number) {
    super(flags);
  }

  /** What /proc/self/fd links to. */
  get path(): string {
    return "anon_inode:inotify";
  }

  /** fstat: an anonymous inode. */
  stat(_k: FileContext): Attr {
    return makeAttr(
      { dev: makedev(0, 14), writable: false, mntId: 0, kind: "anon_inodefs" },
      "reg",
      {
        ino: 1,
        perm: 0o600,
      },
    );
  }

  /** The watch on `inode`, if any. */
  watchOf(inode: Inode): Watch | undefined {
    for (const w of this.watches.values()) if (w.inode === inode) return w;
    return undefined;
  }

  /** Adds or updates a watch: its descriptor, or -errno. */
  add(inode: Inode, mask: number): number {
    const w = this.watchOf(inode);
    if (w) {
      if (mask & IN_MASK_CREATE) return -EEXIST;
      w.mask = (mask & IN_MASK_ADD) ? w.mask | mask : mask;
      return w.wd;
    }
    const wd = this.#nextWd++;
    this.watches.set(wd, { wd, inode, mask });
    return wd;
  }

  /** Queues an event (merged with an equal last one; overflow past the limit). */
  push(e: Event): void {
    const last = this.queue[this.queue.length - 1];
    if (
      last && last.wd === e.wd && last.mask === e.mask && last.cookie === e.cookie &&
      last.name === e.name
    ) return;
    if (this.queue.length >= MAX_QUEUED_EVENTS) {
      if (last?.mask !== IN_Q_OVERFLOW) {
        this.queue.push({ wd: -1, mask: IN_Q_OVERFLOW, cookie: 0, name: "" });
      }
      return;
    }
    this.queue.push(e);
    this.generation++;
  }

  /** Removes watch `wd`, queueing IN_IGNORED. */
  drop(wd: number): void {
    if (!this.watches.delete(wd)) return;
    this.push({ wd, mask: IN_IGNORED, cookie: 0, name: "" });
  }

  /** Reads whole events; -EAGAIN when none are queued. */
  override read(_k: FileContext, max: number): Uint8Array | number {
    if (this.queue.length === 0) return -EAGAIN;
    const out: Uint8Array[] = [];
    let used = 0;
    while (this.queue.length > 0) {
      const rec = eventBytes(this.queue[0]);
      if (used + rec.length > max) break;
      out.push(rec);
      used += rec.length;
      this.queue.shift();
    }
    if (out.length === 0) return -EINVAL;
    const b = new Uint8Array(used);
    let at = 0;
    for (const r of out) {
      b.set(r, at);
      at += r.length;
    }
    return b;
  }

  /** Readable while events are queued. */
  override poll(_k: FileContext): number {
    return this.queue.length > 0 ? POLLIN | POLLRDNORM : 0;
  }

  /** FIONREAD: bytes of the queued events. */
  override ioctl(k: FileContext, request: number, arg: number): number {
    if (request === FIONREAD) {
      return putInt(k, arg, this.queue.reduce((n, e) => n + eventBytes(e).length, 0));
    }
    return super.ioctl(k, request, arg);
  }
}

function eventBytes(e: Event): Uint8Array {
  const name = new TextEncoder().encode(e.name);
  const len = name.length === 0 ? 0 : Math.ceil((name.length + 1) / 16) * 16;
  const b = new Uint8Array(16 + len);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, e.wd, true);
  dv.setUint32(4, e.mask >>> 0, true);
  dv.setUint32(8, e.cookie, true);
  dv.setUint32(12, len, true);
  b.set(name, 16);
  return b;
}

/** The process's inotify instances (only those created; empty when none). */
interface InotifyState {
  instances: Set<InotifyFile>;
  nextCookie: number;
}

function inotifyState(k: Kernel): InotifyState {
  return k.familyState<InotifyState>("inotify", () => ({ instances: new Set(), nextCookie: 1 }));
}

/** A fresh cookie tying IN_MOVED_FROM to IN_MOVED_TO. */
export function moveCookie(k: Kernel): number {
  return inotifyState(k).nextCookie++;
}

/**
 * Reports a filesystem event on the object at `loc` (`mask` without
 * IN_ISDIR, which is added for directories): to watches on the object
 * itself (no name) and on its parent directory (with its name). `self`
 * false reports to the parent only (the object is gone or elsewhere).
 */
export function fsEvent(
  k: Kernel,
  loc: Loc,
  mask: number,
  opts: { cookie?: number; self?: boolean; parentOnly?: boolean; selfOnly?: boolean } = {},
): void {
  const st = k.state.get("inotify") as InotifyState | undefined;
  if (!st || st.instances.size === 0) return;
  const node = inodeOf(loc);
  const isDir = node.type === "dir" ? IN_ISDIR : 0;
  const parent = loc.nodes.length >= 2 ? loc.nodes[loc.nodes.length - 2] : undefined;
  const name = loc.parts[loc.parts.length - 1] ?? "";
  for (const f of [...st.instances]) {
    if (f.refs <= 0) {
      st.instances.delete(f);
      continue;
    }
    const deliver = (w: Watch | undefined, withName: boolean) => {
      if (!w || (w.mask & mask) === 0) return;
      f.push({
        wd: w.wd,
        mask: mask | isDir,
        cookie: opts.cookie ?? 0,
        name: withName ? name : "",
      });
      if (w.mask & IN_ONESHOT) f.drop(w.wd);
    };
    // As fsnotify: the parent directory's watch first, then the object's own.
    if (parent && parent !== node && !opts.selfOnly) deliver(f.watchOf(parent), true);
    if (opts.self !== false && !opts.parentOnly) deliver(f.watchOf(node), false);
  }
}

/** The object at `loc` was deleted for good: IN_DELETE_SELF and IN_IGNORED on its watches. */
export function fsGone(k: Kernel, node: Inode): void {
  const st = k.state.get("inotify") as InotifyState | undefined;
  if (!st) return;
  for (const f of st.instances) {
    const w = f.watchOf(node);
    if (!w) continue;
    if (w.mask & IN_DELETE_SELF) f.push({ wd: w.wd, mask: IN_DELETE_SELF, cookie: 0, name: "" });
    f.drop(w.wd);
  }
}

function inotifyInit1(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(0);
  if (flags & ~(IN_NONBLOCK | IN_CLOEXEC)) return -EINVAL;
  const f = new InotifyFile(flags & IN_NONBLOCK);
  const fd = fdTable(k).alloc(f, (flags & IN_CLOEXEC) !== 0);
  if (fd >= 0) inotifyState(k).instances.add(f);
  return fd;
}

function inotifyOf(k: Kernel, fd: number): InotifyFile | number {
  const f = fdTable(k).file(fd);
  if (typeof f === "number") return f;
  return f instanceof InotifyFile ? f : -EINVAL;
}

function inotifyAddWatch(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = inotifyOf(k, a.int(0));
  if (typeof f === "number") return f === -EBADF ? f : -EINVAL;
  const mask = a.u32(2);
  if ((mask & IN_ALL_EVENTS) === 0) return -EINVAL;
  if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)) return -EINVAL;
  let path: string;
  try {
    const b = k.mem.readCStringBytes(a.ptr(1), PATH_MAX);
    if (b === undefined) return -ENAMETOOLONG;
    path = new TextDecoder().decode(b);
  } catch {
    return -EFAULT;
  }
  const st = filesState(k);
  const loc = st.vfs.resolve(
    path.startsWith("/") ? st.vfs.root : st.cwd,
    path,
    (mask & IN_DONT_FOLLOW) === 0,
  );
  if (typeof loc === "number") return loc;
  const node = inodeOf(loc);
  if ((mask & IN_ONLYDIR) && node.type !== "dir") return -ENOTDIR;
  return f.add(node, mask);
}

function inotifyRmWatch(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const f = inotifyOf(k, a.int(0));
  if (typeof f === "number") return f;
  const wd = a.int(1);
  if (!f.watches.has(wd)) return -EINVAL;
  f.drop(wd);
  return 0;
}

/** The inotify family's handlers by syscall name. */
export const INOTIFY: SyscallFamilyTable = {
  family: "inotify",
  handlers: {
    inotify_init1: inotifyInit1,
    inotify_add_watch: inotifyAddWatch,
    inotify_rm_watch: inotifyRmWatch,
  },
};
