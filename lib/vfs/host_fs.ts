/**
 * A host directory as a guest filesystem (the sysroot, the working
 * directory, `--mount` directories), confined to that directory.
 *
 * The resolver in `vfs.ts` walks the guest tree itself, so `..` and host
 * symlinks never reach the host as path text: host symlinks are read with
 * readlink and resolved in the guest tree, and only single names are ever
 * appended to a host directory's path. What keeps every host access inside
 * the mount even when the tree changes under zkabi (a guest on a read-write
 * mount renaming a directory away and planting a symlink to a host path in
 * its place):
 *
 * - **Identity, not paths.** Every inode remembers the host object it was
 *   found as (st_dev and st_ino). Before any operation on a directory's
 *   child, the directory's host path is checked with lstat to still be that
 *   same directory; a path that now leads elsewhere (a symlink swapped into
 *   one of its components, a directory moved by someone else) fails with
 *   ENOENT instead of being followed. The operation then names one child of
 *   that directory and never follows a symlink in that last component
 *   (lstat, readlink, unlink, rename, mkdir, symlink, link, O_CREAT|O_EXCL;
 *   an open of an existing file follows only what lstat has just shown to
 *   be that regular file, see below).
 * - **Renames the guest makes move the inodes it holds.** On read-write
 *   mounts the inodes the guest still refers to (open descriptors, the
 *   working directory, directory fds) are kept in a registry by host
 *   identity, and a guest rename rewrites their paths, so a renamed
 *   directory stays the guest's working directory under its new name, as on
 *   Linux, and its old name means nothing to it.
 * - **Open files are host descriptors.** Opening a regular file checks
 *   with lstat that its name is still the regular file that was looked up,
 *   opens it, and checks with fstat that the descriptor is that same file
 *   (a symlink or another file swapped in between is refused, never read);
 *   reads and writes then go through that descriptor at the guest's
 *   offsets, so no rename or symlink can redirect an open file, and nothing
 *   is read before it is asked for. (Deno's own file API is used, not
 *   `node:fs`, whose O_NOFOLLOW would cost every run some 30 ms of start-up
 *   for loading Node compatibility; the fstat check gives the same
 *   guarantee.)
 * - **No set-id bits.** chmod, open(O_CREAT) and mkdir never set S_ISUID or
 *   S_ISGID on the host.
 *
 * What remains is the window between a check and the operation it guards,
 * which only a process running concurrently on the host can use (the guest
 * cannot: zkabi runs it only between syscalls); see the README's threat
 * model.
 *
 * Names: a name that is not valid UTF-8 cannot be given to Deno's path
 * APIs, so such guest names find nothing here (ENOENT) and cannot be
 * created (EILSEQ), and host entries whose names are not UTF-8 are not
 * listed (see `names.ts`).
 *
 * Determinism: inode numbers are a hash of the path inside the mount, times
 * are 0, owner is uid/gid 1000, nlink is 1 for files and 2 for directories,
 * directories report size 4096, and listings are sorted by name. The bytes
 * of read-only files are read only when mapped (mmap), and then cached for
 * the run by host identity.
 * @module
 */

import {
  EEXIST,
  EINVAL,
  EIO,
  EISDIR,
  ENOENT,
  ENOMEM,
  ENOTDIR,
  ENOTEMPTY,
  EROFS,
  errnoName,
} from "../abi/errno.ts";
import { hostRepresentable } from "./names.ts";
import {
  type Attr,
  blocksFor,
  type DirEntry,
  type FileData,
  type FileSource,
  type FileType,
  type Fs,
  hash53,
  type Inode,
  makeAttr,
} from "./types.ts";

const ERRNO_BY_NAME: Map<string, number> = new Map();
for (let n = 1; n < 134; n++) ERRNO_BY_NAME.set(errnoName(n), n);

/** EILSEQ: a name a host directory cannot hold (not UTF-8). */
const EILSEQ = 84;

/** Largest file whose whole contents zkabi reads into memory (for mmap): 1 GiB. */
export const MAX_FILE_IN_MEMORY = 1 << 30;

/** The -errno for a host filesystem error (EIO when it has no errno code). */
export function hostErrno(e: unknown): number {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string" && ERRNO_BY_NAME.has(code)) return -ERRNO_BY_NAME.get(code)!;
  if (e instanceof Deno.errors.NotFound) return -ENOENT;
  if (e instanceof Deno.errors.AlreadyExists) return -EEXIST;
  if (e instanceof Deno.errors.NotADirectory) return -ENOTDIR;
  if (e instanceof Deno.errors.IsADirectory) return -EISDIR;
  return -EIO;
}

function typeOf(info: Deno.FileInfo): FileType {
  if (info.isSymlink) return "lnk";
  if (info.isDirectory) return "dir";
  if (info.isFile) return "reg";
  if (info.isFifo) return "fifo";
  if (info.isCharDevice) return "chr";
  if (info.isBlockDevice) return "blk";
  if (info.isSocket) return "sock";
  return "reg";
}

/** The host identity of an lstat or fstat result. */
function identity(info: { dev: number | null; ino: number | null }): string {
  return `${info.dev}:${info.ino}`;
}

/** `dir/name` for a host directory path. */
function join(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

/** lstat as -errno on failure. */
function lstat(path: string): Deno.FileInfo | number {
  try {
    return Deno.lstatSync(path);
  } catch (e) {
    return hostErrno(e);
  }
}

/** A mounted host directory. */
export class HostFs implements Fs {
  /** Host path of the mount root as given (absolute, no trailing slash unless `/`). */
  readonly root: string;
  /** The real path of the root when mounted: every host path zkabi uses starts here. */
  readonly realRoot: string;
  readonly dev: number;
  readonly writable: boolean;
  readonly mntId: number;
  readonly kind = "host";
  /** Contents of read-only files for mmap, by host identity, size and mtime (shared across mounts). */
  readonly #cache: Map<string, Uint8Array>;
  /** Read-write mounts: the inodes still referred to, by host identity (see {@linkcode renamed}). */
  readonly #live: Map<string, WeakRef<HostInode>> | undefined;
  readonly #forget: FinalizationRegistry<string> | undefined;

  /** Mounts host directory `root`. */
  constructor(
    root: string,
    writable: boolean,
    dev: number,
    mntId: number,
    cache: Map<string, Uint8Array> = new Map(),
  ) {
    this.root = root.length > 1 ? root.replace(/\/+$/, "") : root;
    let real = this.root;
    try {
      real = Deno.realPathSync(this.root);
    } catch {
      // Missing: rootInode() reports it.
    }
    this.realRoot = real;
    this.writable = writable;
    this.dev = dev;
    this.mntId = mntId;
    this.#cache = cache;
    if (writable) {
      const live = new Map<string, WeakRef<HostInode>>();
      this.#live = live;
      this.#forget = new FinalizationRegistry((id) => {
        if (live.get(id)?.deref() === undefined) live.delete(id);
      });
    }
  }

  /** The root inode, or -errno when the host path is missing or not a directory. */
  rootInode(): Inode | number {
    const info = lstat(this.realRoot);
    if (typeof info === "number") return info;
    if (!info.isDirectory) return -ENOTDIR;
    return this.adopt("", info);
  }

  /**
   * The inode at `rel` (a path inside the mount without leading slash),
   * walked one name at a time without following symlinks; undefined when
   * missing, -errno on error.
   */
  inodeAt(rel: string): HostInode | undefined | number {
    const root = this.rootInode();
    if (typeof root === "number") return root;
    let node = root as HostInode;
    for (const name of rel.split("/").filter((p) => p !== "")) {
      if (name === "." || name === ".." || node.type !== "dir") return -ENOENT;
      const next = node.lookup(name);
      if (next === undefined || typeof next === "number") return next;
      node = next as HostInode;
    }
    return node;
  }

  /** The host path of `rel` (lexically inside the real root; see {@linkcode HostInode}). */
  hostPath(rel: string): string {
    return rel === "" ? this.realRoot : join(this.realRoot, rel);
  }

  /**
   * The inode for host object `info` found at `rel`: on read-write mounts,
   * the one the guest already holds for that host object (moved to `rel`),
   * so that every reference to it sees later renames.
   */
  adopt(rel: string, info: Deno.FileInfo): HostInode {
    const live = this.#live;
    if (!live) return new HostInode(this, rel, info);
    const id = identity(info);
    const known = live.get(id)?.deref();
    if (known && known.type === typeOf(info)) {
      known.refresh(rel, info);
      return known;
    }
    const node = new HostInode(this, rel, info);
    live.set(id, new WeakRef(node));
    this.#forget!.register(node, id);
    return node;
  }

  /** The guest renamed `from` to `to` (paths inside the mount): moves the inodes it holds. */
  renamed(from: string, to: string): void {
    if (!this.#live) return;
    const prefix = from + "/";
    for (const [id, ref] of this.#live) {
      const node = ref.deref();
      if (!node) {
        this.#live.delete(id);
        continue;
      }
      const rel = node.rel;
      if (rel === undefined) continue;
      if (rel === from) node.moveTo(to);
      else if (rel.startsWith(prefix)) node.moveTo(to + rel.slice(from.length));
    }
  }

  /** The guest removed the object at `rel`, whose identity was `id`. */
  removed(rel: string, id: string): void {
    const node = this.#live?.get(id)?.deref();
    if (node && node.rel === rel) node.moveTo(undefined);
  }

  /** Cached contents of a read-only file (by identity, size and mtime), read with `read` once. */
  cached(key: string, read: () => Uint8Array | number): Uint8Array | number {
    let b = this.#cache.get(key);
    if (b === undefined) {
      const r = read();
      if (typeof r === "number") return r;
      b = r;
      this.#cache.set(key, b);
    }
    return b;
  }
}

/** A file, directory, symlink or special file of a {@linkcode HostFs}. */
export class HostInode implements Inode {
  readonly fs: HostFs;
  readonly type: FileType;
  #rel: string | undefined;
  /** The last path it had (its inode number while it has none). */
  #lastRel: string;
  #info: Deno.FileInfo;
  /** Host identity (st_dev:st_ino) of the object. */
  readonly id: string;

  /** Wraps a host object found at `rel` whose lstat is `info`. */
  constructor(fs: HostFs, rel: string, info: Deno.FileInfo) {
    this.fs = fs;
    this.#rel = rel;
    this.#lastRel = rel;
    this.#info = info;
    this.id = identity(info);
    this.type = typeOf(info);
  }

  /** Path inside the mount ("" for its root); undefined once the guest removed it. */
  get rel(): string | undefined {
    return this.#rel;
  }

  /** Found again at `rel` with lstat `info` (see {@linkcode HostFs.adopt}). */
  refresh(rel: string, info: Deno.FileInfo): void {
    this.#rel = this.#lastRel = rel;
    this.#info = info;
  }

  /** Moved by a guest rename (undefined: removed). */
  moveTo(rel: string | undefined): void {
    this.#rel = rel;
    if (rel !== undefined) this.#lastRel = rel;
  }

  /**
   * The host path of this object, checked to lead to this very object now
   * (lstat, same st_dev and st_ino, not through a final symlink), with its
   * current lstat; -ENOENT when the object is gone or the path leads
   * elsewhere.
   */
  #verify(): { path: string; info: Deno.FileInfo } | number {
    const rel = this.#rel;
    if (rel === undefined) return -ENOENT;
    const path = this.fs.hostPath(rel);
    const info = lstat(path);
    if (typeof info === "number") return info;
    if (identity(info) !== this.id || typeOf(info) !== this.type) return -ENOENT;
    return { path, info };
  }

  /** The checked host path of this directory (see {@linkcode #verify}). */
  #dir(): string | number {
    if (this.type !== "dir") return -ENOTDIR;
    const v = this.#verify();
    return typeof v === "number" ? v : v.path;
  }

  #child(name: string): string {
    return this.#rel === "" ? name : `${this.#rel}/${name}`;
  }

  attr(): Attr {
    let info = this.#info;
    if (this.fs.writable) {
      // A writable mount may change under us: read the current state, if it is still this object.
      const v = this.#verify();
      if (typeof v !== "number") info = this.#info = v.info;
    }
    const size = this.type === "dir"
      ? 4096
      : this.type === "lnk" || this.type === "reg"
      ? info.size
      : 0;
    return makeAttr(this.fs, this.type, {
      ino: hashIno(this.#lastRel),
      perm: (info.mode ?? 0o644) & 0o7777,
      size,
      blocks: this.type === "reg" || this.type === "dir" ? blocksFor(size) : 0,
    });
  }

  lookup(name: string): Inode | undefined | number {
    if (!hostRepresentable(name)) return undefined;
    const dir = this.#dir();
    if (typeof dir === "number") return dir;
    const info = lstat(join(dir, name));
    if (info === -ENOENT) return undefined;
    if (typeof info === "number") return info;
    return this.fs.adopt(this.#child(name), info);
  }

  list(): DirEntry[] | number {
    const dir = this.#dir();
    if (typeof dir === "number") return dir;
    const out: DirEntry[] = [];
    const seen = new Set<string>();
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (seen.has(e.name)) continue;
        let type: FileType = e.isSymlink ? "lnk" : e.isDirectory ? "dir" : "reg";
        // A name that is not UTF-8 comes back with U+FFFD in it and names nothing (or
        // another entry): list an entry only if its name finds it.
        if ((!e.isSymlink && !e.isDirectory && !e.isFile) || e.name.includes("\ufffd")) {
          const info = lstat(join(dir, e.name));
          if (typeof info === "number") continue;
          type = typeOf(info);
        }
        seen.add(e.name);
        out.push({ name: e.name, ino: hashIno(this.#child(e.name)), type });
      }
    } catch (e) {
      return hostErrno(e);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  readlink(): string | number {
    const v = this.#verify();
    if (typeof v === "number") return v;
    try {
      return Deno.readLinkSync(v.path);
    } catch (e) {
      return hostErrno(e);
    }
  }

  /**
   * Regular files: opens the host file (for writing too with `write`) and
   * returns its contents as a {@linkcode HostFileData} that owns the host
   * descriptor; the caller closes it.
   */
  data(write = false): FileData | number {
    if (this.type !== "reg") return -EINVAL;
    if (write && !this.fs.writable) return -EROFS;
    const v = this.#verify();
    if (typeof v === "number") return v;
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(v.path, { read: true, write });
    } catch (e) {
      return hostErrno(e);
    }
    try {
      const st = file.statSync();
      if (!st.isFile || identity(st) !== this.id) {
        file.close();
        return -ENOENT;
      }
    } catch (e) {
      file.close();
      return hostErrno(e);
    }
    return new HostFileData(file, this.fs.writable ? undefined : this);
  }

  /** The cache key of this file's contents (identity, size, mtime). */
  get contentKey(): string {
    return `${this.id}:${this.#info.size}:${this.#info.mtime?.getTime() ?? 0}`;
  }

  create(name: string, mode: number): Inode | number {
    if (!hostRepresentable(name)) return -EILSEQ;
    const dir = this.#dir();
    if (typeof dir === "number") return dir;
    const path = join(dir, name);
    try {
      // O_CREAT|O_EXCL: fails on anything already there, a symlink included.
      Deno.openSync(path, { read: true, write: true, createNew: true, mode: noSetId(mode) & 0o777 })
        .close();
    } catch (e) {
      return hostErrno(e);
    }
    return this.#adoptChild(name, path);
  }

  mkdir(name: string, mode: number): Inode | number {
    if (!hostRepresentable(name)) return -EILSEQ;
    const dir = this.#dir();
    if (typeof dir === "number") return dir;
    const path = join(dir, name);
    try {
      Deno.mkdirSync(path, { mode: noSetId(mode) });
    } catch (e) {
      return hostErrno(e);
    }
    return this.#adoptChild(name, path);
  }

  symlink(name: string, target: string): Inode | number {
    if (!hostRepresentable(name) || !hostRepresentable(target)) return -EILSEQ;
    const dir = this.#dir();
    if (typeof dir === "number") return dir;
    const path = join(dir, name);
    try {
      Deno.symlinkSync(target, path);
    } catch (e) {
      return hostErrno(e);
    }
    return this.#adoptChild(name, path);
  }

  #adoptChild(name: string, path: string): Inode | number {
    const info = lstat(path);
    if (typeof info === "number") return info;
    return this.fs.adopt(this.#child(name), info);
  }

  link(name: string, target: Inode): number {
    if (!(target instanceof HostInode) || target.fs !== this.fs) return -EINVAL;
    if (!hostRepresentable(name)) return -EILSEQ;
    const dir = this.#dir();
    if (typeof dir === "number") return dir;
    const from = target.#verify();
    if (typeof from === "number") return from;
    try {
      // link(2) does not follow a symlink it is given.
      Deno.linkSync(from.path, join(dir, name));
    } catch (e) {
      return hostErrno(e);
    }
    return 0;
  }

  unlink(name: string): number {
    return this.#remove(name, false);
  }

  rmdir(name: string): number {
    const r = this.#remove(name, true);
    return r === -EEXIST ? -ENOTEMPTY : r;
  }

  #remove(name: string, dirOnly: boolean): number {
    if (!hostRepresentable(name)) return -ENOENT;
    const dir = this.#dir();
    if (typeof dir === "number") return dir;
    const path = join(dir, name);
    const info = lstat(path);
    if (typeof info === "number") return info;
    if (dirOnly !== info.isDirectory) return dirOnly ? -ENOTDIR : -EISDIR;
    try {
      Deno.removeSync(path);
    } catch (e) {
      return hostErrno(e);
    }
    this.fs.removed(this.#child(name), identity(info));
    return 0;
  }

  rename(name: string, toDir: Inode, toName: string): number {
    if (!(toDir instanceof HostInode) || toDir.fs !== this.fs) return -EINVAL;
    if (!hostRepresentable(name)) return -ENOENT;
    if (!hostRepresentable(toName)) return -EILSEQ;
    const from = this.#dir();
    if (typeof from === "number") return from;
    const to = toDir.#dir();
    if (typeof to === "number") return to;
    const fromPath = join(from, name);
    const toPath = join(to, toName);
    const moving = lstat(fromPath);
    if (typeof moving === "number") return moving;
    const replaced = lstat(toPath);
    try {
      Deno.renameSync(fromPath, toPath);
    } catch (e) {
      return hostErrno(e);
    }
    const toRel = toDir.#child(toName);
    if (typeof replaced !== "number" && identity(replaced) !== identity(moving)) {
      this.fs.removed(toRel, identity(replaced));
    }
    this.fs.renamed(this.#child(name), toRel);
    return 0;
  }

  setTimes(atimeNs: number | undefined, mtimeNs: number | undefined): number {
    // Host times are reported as 0 for determinism; accept and ignore.
    void atimeNs;
    void mtimeNs;
    return 0;
  }

  chmod(mode: number): number {
    if (this.type === "lnk") return -EINVAL;
    const v = this.#verify();
    if (typeof v === "number") return v;
    try {
      Deno.chmodSync(v.path, noSetId(mode));
    } catch (e) {
      return hostErrno(e);
    }
    return 0;
  }
}

/** Permission bits without S_ISUID and S_ISGID: set-id bits never reach the host. */
function noSetId(mode: number): number {
  return mode & 0o1777;
}

/** Inode number of the object at `rel` inside a host mount (the root is 2, as on ext4). */
function hashIno(rel: string): number {
  return rel === "" ? 2 : hash53(rel);
}

/** Read-only contents held in memory. */
export class BytesData implements FileData {
  readonly #b: Uint8Array;

  /** Serves `bytes`. */
  constructor(bytes: Uint8Array) {
    this.#b = bytes;
  }

  size(): number {
    return this.#b.length;
  }

  read(offset: number, max: number): Uint8Array {
    if (offset >= this.#b.length) return new Uint8Array(0);
    return this.#b.slice(offset, Math.min(this.#b.length, offset + max));
  }

  write(): number {
    return -EINVAL;
  }

  truncate(): number {
    return -EINVAL;
  }

  bytes(): Uint8Array {
    return this.#b;
  }
}

/**
 * What a host standard stream is when the guest's should be the same kind
 * of file rather than a pipe: the null device (`< /dev/null`,
 * `> /dev/null`: the guest's own /dev/null, as on Linux), or for stdin a
 * regular file to read (`< FILE`).
 */
export type HostStream = "null" | FileSource;

/** The host process's standard streams, by fd. */
const STD_PATHS = ["/dev/stdin", "/dev/stdout", "/dev/stderr"] as const;

/**
 * The host process's standard stream `fd` as a {@linkcode HostStream}, or
 * undefined for a pipe, a terminal or anything else. One stat of the
 * stream (and of /dev/null when it is a character device).
 */
export function hostStream(fd: 0 | 1 | 2): HostStream | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(STD_PATHS[fd]);
  } catch {
    return undefined;
  }
  if (info.isCharDevice) return isNullDevice(info) ? "null" : undefined;
  return fd === 0 && info.isFile ? regularStdin(identity(info)) : undefined;
}

/** Whether `info` (a character device) is the host's /dev/null. */
function isNullDevice(info: Deno.FileInfo): boolean {
  try {
    const nul = Deno.statSync("/dev/null");
    return nul.isCharDevice === true && identity(info) === identity(nul) && info.rdev === nul.rdev;
  } catch {
    return false;
  }
}

/**
 * The host's stdin, the regular file with identity `id`, as a file source
 * (fstat gives its size, lseek and pread work). Each open reopens
 * `/dev/stdin` read-only and checks it is still that file; nothing else on
 * the host is opened.
 */
function regularStdin(id: string): FileSource {
  return {
    size(): number {
      try {
        const info = Deno.statSync("/dev/stdin");
        return identity(info) === id ? info.size : 0;
      } catch {
        return 0;
      }
    },
    open(): FileData | number {
      let file: Deno.FsFile;
      try {
        file = Deno.openSync("/dev/stdin", { read: true });
      } catch (e) {
        return hostErrno(e);
      }
      try {
        const st = file.statSync();
        if (st.isFile && identity(st) === id) return new HostFileData(file);
      } catch {
        // Gone: as if it were another file.
      }
      file.close();
      return -EIO;
    },
  };
}

/**
 * An open host file: every operation goes through the host descriptor
 * opened when the guest opened the file (pread/pwrite at the guest's
 * offsets), so it stays this file whatever happens to its name.
 */
export class HostFileData implements FileData {
  #file: Deno.FsFile | undefined;
  /** The inode of a read-only mount's file, whose bytes may be cached for mmap. */
  readonly #cacheable: HostInode | undefined;
  #bytes: Uint8Array | undefined;

  /** Takes ownership of the open host file. */
  constructor(file: Deno.FsFile, cacheable?: HostInode) {
    this.#file = file;
    this.#cacheable = cacheable;
  }

  size(): number {
    try {
      return this.#file?.statSync().size ?? 0;
    } catch {
      return 0;
    }
  }

  read(offset: number, max: number): Uint8Array {
    const file = this.#file;
    const want = Math.max(0, Math.min(max, this.size() - offset));
    const out = new Uint8Array(want);
    let got = 0;
    try {
      // The descriptor's own offset is zkabi's alone: every access seeks first.
      file?.seekSync(offset, Deno.SeekMode.Start);
      while (file && got < want) {
        const n = file.readSync(out.subarray(got));
        if (n === null || n <= 0) break;
        got += n;
      }
    } catch {
      // A host read error ends the data here, as end of file would.
    }
    return out.subarray(0, got);
  }

  write(offset: number, data: Uint8Array): number {
    const file = this.#file;
    if (data.length === 0 || !file) return 0;
    let done = 0;
    try {
      file.seekSync(offset, Deno.SeekMode.Start);
      while (done < data.length) done += file.writeSync(data.subarray(done));
    } catch (e) {
      return done > 0 ? done : hostErrno(e);
    }
    return done;
  }

  truncate(size: number): number {
    try {
      this.#file?.truncateSync(size);
      return 0;
    } catch (e) {
      return hostErrno(e);
    }
  }

  /**
   * The whole file (for mmap; callers check the size against
   * {@linkcode MAX_FILE_IN_MEMORY} first). A read-only mount's file is read
   * once per run; a read-write mount's is read again each time.
   */
  bytes(): Uint8Array {
    if (this.#bytes) return this.#bytes;
    const readAll = (): Uint8Array | number => {
      const size = this.size();
      return size > MAX_FILE_IN_MEMORY ? -ENOMEM : this.read(0, size);
    };
    const node = this.#cacheable;
    if (!node) {
      const r = readAll();
      return typeof r === "number" ? new Uint8Array(0) : r;
    }
    const r = node.fs.cached(node.contentKey, readAll);
    this.#bytes = typeof r === "number" ? new Uint8Array(0) : r;
    return this.#bytes;
  }

  close(): void {
    try {
      this.#file?.close();
    } catch {
      // Already gone: nothing to release.
    }
    this.#file = undefined;
  }
}
