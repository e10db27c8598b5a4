/**
 * An in-memory read-write filesystem (the guest's `/tmp`, like tmpfs).
 * Inode numbers come from a counter (root 1, then in creation order) and
 * times from the virtual clock, so a run is reproducible. Directory listings
 * keep creation order. Directory sizes follow tmpfs: 20 bytes per entry,
 * counting `.` and `..`.
 *
 * Limits, as tmpfs's `size` and `nr_inodes`: the bytes of every file that
 * still exists count against the capacity (ENOSPC beyond), and every inode
 * against the inode limit (one per 4 KiB of capacity, as tmpfs's default).
 * A file exists while it has a name or an open description: an unlinked
 * file that is still open keeps its space until its last close. File sizes
 * are allocated, not sparse: truncating a file to a size reserves it.
 * @module
 */

import { EEXIST, EFBIG, EINVAL, ENOENT, ENOSPC, ENOTEMPTY } from "../abi/errno.ts";
import {
  type Attr,
  type DirEntry,
  type FileData,
  type FileType,
  type Fs,
  type Inode,
  makeAttr,
} from "./types.ts";
import { nameLength } from "./names.ts";

/** Default capacity: the largest total of file bytes a memory filesystem holds (ENOSPC beyond). */
export const MEMFS_CAPACITY = 1 << 30;
/** Largest single file (EFBIG beyond). */
const MAX_FILE = 2 ** 40;
/** tmpfs's per-entry directory size. */
const BOGO_DIRENT_SIZE = 20;

/** A memory filesystem. */
export class MemFs implements Fs {
  readonly dev: number;
  readonly writable = true;
  readonly mntId: number;
  readonly kind = "tmpfs";
  /** Virtual time in ns for timestamps. */
  readonly clock: () => number;
  /** Capacity in bytes (file contents and symlink targets). */
  readonly capacity: number;
  /** Most inodes that may exist at once. */
  readonly maxInodes: number;
  /** Bytes held by files that exist (named or open) and symlink targets. */
  used = 0;
  /** Inodes that exist (the root included). */
  inodes = 1;
  #nextIno = 1;
  /** The root directory. */
  readonly root: MemDir;

  /**
   * Creates an empty filesystem whose root has permission bits `rootMode`,
   * holding at most `capacity` bytes and one inode per 4 KiB of it.
   */
  constructor(
    dev: number,
    mntId: number,
    clock: () => number,
    rootMode = 0o1777,
    capacity = MEMFS_CAPACITY,
  ) {
    this.dev = dev;
    this.mntId = mntId;
    this.clock = clock;
    this.capacity = capacity;
    this.maxInodes = Math.max(16, Math.floor(capacity / 4096));
    this.root = new MemDir(this, rootMode);
  }

  /** True when one more inode fits. */
  inodeFits(): boolean {
    return this.inodes < this.maxInodes;
  }

  /** The next inode number. */
  nextIno(): number {
    return this.#nextIno++;
  }
}

/** Common state of memory-filesystem inodes. */
export abstract class MemNode implements Inode {
  readonly fs: MemFs;
  abstract readonly type: FileType;
  /** Inode number. */
  readonly ino: number;
  /** Permission bits. */
  mode: number;
  /** Link count. */
  nlink: number;
  /** Access time, ns. */
  atimeNs: number;
  /** Modification time, ns. */
  mtimeNs: number;
  /** Status change time, ns. */
  ctimeNs: number;
  /** True while it counts against the inode limit (and, for a symlink, its target's bytes). */
  charged = false;

  /** Creates the node. */
  constructor(fs: MemFs, mode: number, nlink: number) {
    this.fs = fs;
    this.ino = fs.nextIno();
    this.mode = mode & 0o7777;
    this.nlink = nlink;
    const now = fs.clock();
    this.atimeNs = now;
    this.mtimeNs = now;
    this.ctimeNs = now;
  }

  /** Size in bytes. */
  abstract size(): number;

  /** It no longer exists: its inode (and a symlink's target bytes) stop counting. */
  uncharge(): void {
    if (!this.charged) return;
    this.charged = false;
    this.fs.inodes--;
    if (this.type === "lnk") this.fs.used -= this.size();
  }

  attr(): Attr {
    return makeAttr(this.fs, this.type, {
      ino: this.ino,
      perm: this.mode,
      nlink: this.nlink,
      size: this.size(),
      atimeNs: this.atimeNs,
      mtimeNs: this.mtimeNs,
      ctimeNs: this.ctimeNs,
    });
  }

  /** Marks a content change. */
  touch(): void {
    const now = this.fs.clock();
    this.mtimeNs = now;
    this.ctimeNs = now;
  }

  setTimes(atimeNs: number | undefined, mtimeNs: number | undefined): number {
    if (atimeNs !== undefined) this.atimeNs = atimeNs;
    if (mtimeNs !== undefined) this.mtimeNs = mtimeNs;
    this.ctimeNs = this.fs.clock();
    return 0;
  }

  chmod(mode: number): number {
    this.mode = mode & 0o7777;
    this.ctimeNs = this.fs.clock();
    return 0;
  }
}

/** A directory. */
export class MemDir extends MemNode {
  /** File type. */
  readonly type = "dir";
  /** Children in creation order. */
  readonly entries: Map<string, MemNode> = new Map();

  /** Creates an empty directory in `fs`. */
  constructor(fs: MemFs, mode: number) {
    super(fs, mode, 2);
  }

  /** Size in bytes. */
  size(): number {
    return (this.entries.size + 2) * BOGO_DIRENT_SIZE;
  }

  /** The child called `name`. */
  lookup(name: string): Inode | undefined {
    return this.entries.get(name);
  }

  /** Entries without `.` and `..`. */
  list(): DirEntry[] {
    return [...this.entries].map(([name, n]) => ({ name, ino: n.ino, type: n.type }));
  }

  #add(name: string, n: MemNode, newInode = true): MemNode | number {
    if (this.entries.has(name)) return -EEXIST;
    if (newInode) {
      if (!this.fs.inodeFits()) return -ENOSPC;
      if (n instanceof MemLink) {
        if (this.fs.used + n.size() > this.fs.capacity) return -ENOSPC;
        this.fs.used += n.size();
      }
      this.fs.inodes++;
      n.charged = true;
    }
    this.entries.set(name, n);
    if (n instanceof MemDir) this.nlink++;
    this.touch();
    return n;
  }

  /** Creates a regular file. */
  create(name: string, mode: number): Inode | number {
    return this.#add(name, new MemFile(this.fs, mode));
  }

  /** Creates a directory. */
  mkdir(name: string, mode: number): Inode | number {
    return this.#add(name, new MemDir(this.fs, mode));
  }

  /** Creates a symlink. */
  symlink(name: string, target: string): Inode | number {
    return this.#add(name, new MemLink(this.fs, target));
  }

  /** Creates an unnamed regular file (O_TMPFILE): no link until linkat gives it a name. */
  tmpfile(mode: number): Inode | number {
    const f = new MemFile(this.fs, mode);
    f.nlink = 0;
    return f;
  }

  /** Creates a socket inode (what bind(2) leaves for an AF_UNIX path). */
  mksock(name: string, mode: number): Inode | number {
    return this.#add(name, new MemSock(this.fs, mode));
  }

  /** Adds a hard link. */
  link(name: string, target: Inode): number {
    if (!(target instanceof MemNode) || target.fs !== this.fs || target instanceof MemDir) {
      return -EINVAL;
    }
    const r = this.#add(name, target, false);
    if (typeof r === "number") return r;
    target.nlink++;
    target.ctimeNs = this.fs.clock();
    return 0;
  }

  #drop(name: string): MemNode | undefined {
    const n = this.entries.get(name);
    if (!n) return undefined;
    this.entries.delete(name);
    if (n instanceof MemDir) {
      this.nlink--;
      n.nlink = 0;
      n.uncharge();
    } else {
      n.nlink--;
      if (n.nlink === 0) {
        if (n instanceof MemFile) n.dropIfUnused();
        else n.uncharge();
      }
    }
    n.ctimeNs = this.fs.clock();
    this.touch();
    return n;
  }

  /** Removes a non-directory. */
  unlink(name: string): number {
    return this.#drop(name) ? 0 : -ENOENT;
  }

  /** Removes an empty directory. */
  rmdir(name: string): number {
    const n = this.entries.get(name);
    if (!n) return -ENOENT;
    if (n instanceof MemDir && n.entries.size > 0) return -ENOTEMPTY;
    this.#drop(name);
    return 0;
  }

  /** Moves an entry. */
  rename(name: string, toDir: Inode, toName: string): number {
    if (!(toDir instanceof MemDir)) return -EINVAL;
    const n = this.entries.get(name);
    if (!n) return -ENOENT;
    const there = toDir.entries.get(toName);
    if (there === n) return 0;
    if (there instanceof MemDir && there.entries.size > 0) return -ENOTEMPTY;
    if (there) toDir.#drop(toName);
    this.entries.delete(name);
    if (n instanceof MemDir) this.nlink--;
    this.touch();
    toDir.entries.set(toName, n);
    if (n instanceof MemDir) toDir.nlink++;
    toDir.touch();
    n.ctimeNs = this.fs.clock();
    return 0;
  }
}

/** A regular file. */
export class MemFile extends MemNode implements FileData {
  /** File type. */
  readonly type = "reg";
  #buf = new Uint8Array(0);
  #size = 0;
  /** Open descriptions holding it (see {@linkcode data}). */
  #opens = 0;
  /** False once freed: no name and no open description left. */
  #live = true;

  /** Creates an empty file in `fs`. */
  constructor(fs: MemFs, mode: number) {
    super(fs, mode, 1);
  }

  size(): number {
    return this.#size;
  }

  /** The contents, held open until the returned handle's `close` (an unlinked file lives on). */
  data(): FileData {
    this.#opens++;
    return new MemFileHandle(this);
  }

  /** One holder of {@linkcode data} is done. */
  closed(): void {
    this.#opens--;
    this.dropIfUnused();
  }

  /** Frees the bytes once the last name and the last open description are gone. */
  dropIfUnused(): void {
    if (!this.#live || this.nlink > 0 || this.#opens > 0) return;
    this.#live = false;
    this.fs.used -= this.#size;
    this.uncharge();
    this.#buf = new Uint8Array(0);
    this.#size = 0;
  }

  #resize(size: number): number {
    if (size > MAX_FILE) return -EFBIG;
    const delta = size - this.#size;
    if (delta > 0 && this.fs.used + delta > this.fs.capacity) return -ENOSPC;
    if (size > this.#buf.length) {
      const grown = new Uint8Array(
        Math.max(size, Math.min(this.#buf.length * 2, size + (1 << 24))),
      );
      grown.set(this.#buf.subarray(0, this.#size));
      this.#buf = grown;
    } else if (size < this.#size) {
      this.#buf.fill(0, size, this.#size);
    }
    if (this.#live) this.fs.used += delta;
    this.#size = size;
    return 0;
  }

  read(offset: number, max: number): Uint8Array {
    if (offset >= this.#size) return new Uint8Array(0);
    const out = this.#buf.slice(offset, Math.min(this.#size, offset + max));
    return out;
  }

  write(offset: number, data: Uint8Array): number {
    if (data.length === 0) return 0;
    const end = offset + data.length;
    if (end > this.#size) {
      const r = this.#resize(end);
      if (r < 0) return r;
    }
    this.#buf.set(data, offset);
    this.touch();
    return data.length;
  }

  truncate(size: number): number {
    const r = this.#resize(size);
    if (r < 0) return r;
    this.touch();
    return 0;
  }

  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#size);
  }
}

/** One open reference to a {@linkcode MemFile}'s contents. */
class MemFileHandle implements FileData {
  readonly #file: MemFile;
  #open = true;

  constructor(file: MemFile) {
    this.#file = file;
  }

  size(): number {
    return this.#file.size();
  }

  read(offset: number, max: number): Uint8Array {
    return this.#file.read(offset, max);
  }

  write(offset: number, data: Uint8Array): number {
    return this.#file.write(offset, data);
  }

  truncate(size: number): number {
    return this.#file.truncate(size);
  }

  bytes(): Uint8Array {
    return this.#file.bytes();
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#file.closed();
  }
}

/** A symbolic link. */
export class MemLink extends MemNode {
  /** File type. */
  readonly type = "lnk";
  /** The link target. */
  readonly target: string;

  /** Creates a link to `target` in `fs`. */
  constructor(fs: MemFs, target: string) {
    super(fs, 0o777, 1);
    this.target = target;
  }

  /** Size in bytes. */
  size(): number {
    return nameLength(this.target);
  }

  /** The link target. */
  readlink(): string {
    return this.target;
  }
}

/** A socket inode: the name a bound AF_UNIX socket has in the filesystem. */
export class MemSock extends MemNode {
  /** File type. */
  readonly type = "sock";

  /** Creates a socket inode with permission bits `mode`. */
  constructor(fs: MemFs, mode: number) {
    super(fs, mode, 1);
  }

  /** Size in bytes (always 0). */
  size(): number {
    return 0;
  }
}
