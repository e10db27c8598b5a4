/**
 * An in-memory read-write filesystem (the guest's `/tmp`, like tmpfs).
 * Inode numbers come from a counter (root 1, then in creation order) and
 * times from the virtual clock, so a run is reproducible. Directory listings
 * keep creation order. Directory sizes follow tmpfs: 20 bytes per entry,
 * counting `.` and `..`.
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

/** Largest total of file bytes a memory filesystem holds (ENOSPC beyond). */
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
  /** File bytes held. */
  used = 0;
  #nextIno = 1;
  /** The root directory. */
  readonly root: MemDir;

  /** Creates an empty filesystem whose root has permission bits `rootMode`. */
  constructor(dev: number, mntId: number, clock: () => number, rootMode = 0o1777) {
    this.dev = dev;
    this.mntId = mntId;
    this.clock = clock;
    this.root = new MemDir(this, rootMode);
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

  #add(name: string, n: MemNode): MemNode | number {
    if (this.entries.has(name)) return -EEXIST;
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
    const r = this.#add(name, target);
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
    } else {
      n.nlink--;
      if (n.nlink === 0 && n instanceof MemFile) n.dropIfUnused();
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

  /** Creates an empty file in `fs`. */
  constructor(fs: MemFs, mode: number) {
    super(fs, mode, 1);
  }

  size(): number {
    return this.#size;
  }

  /** The contents. */
  data(): FileData {
    return this;
  }

  /** Frees the bytes once the last name is gone (open descriptions keep a reference in JS). */
  dropIfUnused(): void {
    // Space accounting follows the names: an unlinked file stops counting.
    this.fs.used -= this.#size;
    this.#accounted = false;
  }

  #accounted = true;

  #resize(size: number): number {
    if (size > MAX_FILE) return -EFBIG;
    const delta = size - this.#size;
    if (this.#accounted && delta > 0 && this.fs.used + delta > MEMFS_CAPACITY) return -ENOSPC;
    if (size > this.#buf.length) {
      const grown = new Uint8Array(
        Math.max(size, Math.min(this.#buf.length * 2, size + (1 << 24))),
      );
      grown.set(this.#buf.subarray(0, this.#size));
      this.#buf = grown;
    } else if (size < this.#size) {
      this.#buf.fill(0, size, this.#size);
    }
    if (this.#accounted) this.fs.used += delta;
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
    return new TextEncoder().encode(this.target).length;
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
