/**
 * A host directory as a guest filesystem (the sysroot, the working
 * directory, `--mount` directories).
 *
 * Only single names are ever appended to host paths: the resolver in
 * `vfs.ts` walks the guest tree itself, so `..` and symlinks never reach the
 * host (host symlinks are read with readlink and resolved in the guest tree).
 *
 * Determinism: inode numbers are a hash of the path inside the mount, times
 * are 0, owner is uid/gid 1000, nlink is 1 for files and 2 for directories,
 * directories report size 4096, and listings are sorted by name. Read-only
 * file contents are read once and cached for the run.
 * @module
 */

import {
  EEXIST,
  EINVAL,
  EIO,
  EISDIR,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  errnoName,
} from "../abi/errno.ts";
import {
  type Attr,
  blocksFor,
  type DirEntry,
  type FileData,
  type FileType,
  type Fs,
  hash53,
  type Inode,
  makeAttr,
} from "./types.ts";

const ERRNO_BY_NAME: Map<string, number> = new Map();
for (let n = 1; n < 134; n++) ERRNO_BY_NAME.set(errnoName(n), n);

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

/** A mounted host directory. */
export class HostFs implements Fs {
  /** Host path of the mount root (absolute, no trailing slash unless `/`). */
  readonly root: string;
  readonly dev: number;
  readonly writable: boolean;
  readonly mntId: number;
  readonly kind = "host";
  /** Contents of read-only files, by host path, shared across opens. */
  readonly #cache: Map<string, Uint8Array>;

  /** Mounts host directory `root`. */
  constructor(
    root: string,
    writable: boolean,
    dev: number,
    mntId: number,
    cache: Map<string, Uint8Array> = new Map(),
  ) {
    this.root = root.length > 1 ? root.replace(/\/+$/, "") : root;
    this.writable = writable;
    this.dev = dev;
    this.mntId = mntId;
    this.#cache = cache;
  }

  /** The root inode, or -errno when the host path is missing or not a directory. */
  rootInode(): Inode | number {
    const r = this.inodeAt("");
    if (typeof r === "number") return r;
    if (r === undefined) return -ENOENT;
    return r.type === "dir" ? r : -ENOTDIR;
  }

  /** The inode at `rel` (a path inside the mount without leading slash), or undefined. */
  inodeAt(rel: string): HostInode | undefined | number {
    try {
      return new HostInode(this, rel, Deno.lstatSync(this.hostPath(rel)));
    } catch (e) {
      const r = hostErrno(e);
      return r === -ENOENT ? undefined : r;
    }
  }

  /** The host path of `rel`. */
  hostPath(rel: string): string {
    if (rel === "") return this.root;
    return this.root === "/" ? `/${rel}` : `${this.root}/${rel}`;
  }

  /** Cached contents of a read-only file. */
  cached(hostPath: string): Uint8Array | number {
    let b = this.#cache.get(hostPath);
    if (b === undefined) {
      try {
        b = Deno.readFileSync(hostPath);
      } catch (e) {
        return hostErrno(e);
      }
      this.#cache.set(hostPath, b);
    }
    return b;
  }
}

/** A file or directory of a {@linkcode HostFs}. */
export class HostInode implements Inode {
  readonly fs: HostFs;
  readonly type: FileType;
  /** Path inside the mount ("" for its root). */
  readonly rel: string;
  readonly #info: Deno.FileInfo;

  /** Wraps a host object whose lstat is `info`. */
  constructor(fs: HostFs, rel: string, info: Deno.FileInfo) {
    this.fs = fs;
    this.rel = rel;
    this.#info = info;
    this.type = typeOf(info);
  }

  get #host(): string {
    return this.fs.hostPath(this.rel);
  }

  #child(name: string): string {
    return this.rel === "" ? name : `${this.rel}/${name}`;
  }

  attr(): Attr {
    let info = this.#info;
    if (this.fs.writable) {
      // A writable mount may change under us: read the current state.
      try {
        info = Deno.lstatSync(this.#host);
      } catch {
        // Removed since: keep what we knew.
      }
    }
    const size = this.type === "dir"
      ? 4096
      : this.type === "lnk" || this.type === "reg"
      ? info.size
      : 0;
    return makeAttr(this.fs, this.type, {
      ino: hashIno(this.rel),
      perm: (info.mode ?? 0o644) & 0o7777,
      size,
      blocks: this.type === "reg" || this.type === "dir" ? blocksFor(size) : 0,
    });
  }

  lookup(name: string): Inode | undefined | number {
    return this.fs.inodeAt(this.#child(name));
  }

  list(): DirEntry[] | number {
    const out: DirEntry[] = [];
    try {
      for (const e of Deno.readDirSync(this.#host)) {
        let type: FileType = e.isSymlink ? "lnk" : e.isDirectory ? "dir" : "reg";
        if (!e.isSymlink && !e.isDirectory && !e.isFile) {
          const r = this.fs.inodeAt(this.#child(e.name));
          if (r === undefined || typeof r === "number") continue;
          type = r.type;
        }
        out.push({ name: e.name, ino: hashIno(this.#child(e.name)), type });
      }
    } catch (e) {
      return hostErrno(e);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  readlink(): string | number {
    try {
      return Deno.readLinkSync(this.#host);
    } catch (e) {
      return hostErrno(e);
    }
  }

  data(): FileData | number {
    if (this.type !== "reg") return -EINVAL;
    if (!this.fs.writable) {
      const b = this.fs.cached(this.#host);
      return typeof b === "number" ? b : new BytesData(b);
    }
    return new HostRwData(this.#host);
  }

  create(name: string, mode: number): Inode | number {
    const rel = this.#child(name);
    try {
      Deno.writeFileSync(this.fs.hostPath(rel), new Uint8Array(0), { createNew: true, mode });
    } catch (e) {
      return hostErrno(e);
    }
    return this.fs.inodeAt(rel) ?? -ENOENT;
  }

  mkdir(name: string, mode: number): Inode | number {
    const rel = this.#child(name);
    try {
      Deno.mkdirSync(this.fs.hostPath(rel), { mode });
    } catch (e) {
      return hostErrno(e);
    }
    return this.fs.inodeAt(rel) ?? -ENOENT;
  }

  symlink(name: string, target: string): Inode | number {
    const rel = this.#child(name);
    try {
      Deno.symlinkSync(target, this.fs.hostPath(rel));
    } catch (e) {
      return hostErrno(e);
    }
    return this.fs.inodeAt(rel) ?? -ENOENT;
  }

  link(name: string, target: Inode): number {
    if (!(target instanceof HostInode)) return -EINVAL;
    try {
      Deno.linkSync(target.#host, this.fs.hostPath(this.#child(name)));
    } catch (e) {
      return hostErrno(e);
    }
    return 0;
  }

  unlink(name: string): number {
    try {
      Deno.removeSync(this.fs.hostPath(this.#child(name)));
    } catch (e) {
      return hostErrno(e);
    }
    return 0;
  }

  rmdir(name: string): number {
    try {
      Deno.removeSync(this.fs.hostPath(this.#child(name)));
    } catch (e) {
      const r = hostErrno(e);
      return r === -EEXIST ? -ENOTEMPTY : r;
    }
    return 0;
  }

  rename(name: string, toDir: Inode, toName: string): number {
    if (!(toDir instanceof HostInode)) return -EINVAL;
    try {
      Deno.renameSync(this.fs.hostPath(this.#child(name)), this.fs.hostPath(toDir.#child(toName)));
    } catch (e) {
      return hostErrno(e);
    }
    return 0;
  }

  setTimes(atimeNs: number | undefined, mtimeNs: number | undefined): number {
    // Host times are reported as 0 for determinism; accept and ignore.
    void atimeNs;
    void mtimeNs;
    return 0;
  }

  chmod(mode: number): number {
    try {
      Deno.chmodSync(this.#host, mode & 0o7777);
    } catch (e) {
      return hostErrno(e);
    }
    return 0;
  }
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

/** A file on a writable host mount: every operation goes to the host file. */
class HostRwData implements FileData {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  size(): number {
    try {
      return Deno.statSync(this.#path).size;
    } catch {
      return 0;
    }
  }

  read(offset: number, max: number): Uint8Array {
    let f: Deno.FsFile | undefined;
    try {
      f = Deno.openSync(this.#path, { read: true });
      f.seekSync(offset, Deno.SeekMode.Start);
      const want = Math.min(max, Math.max(0, this.size() - offset));
      const out = new Uint8Array(want);
      let got = 0;
      while (got < want) {
        const n = f.readSync(out.subarray(got));
        if (n === null || n === 0) break;
        got += n;
      }
      return out.subarray(0, got);
    } catch {
      return new Uint8Array(0);
    } finally {
      f?.close();
    }
  }

  write(offset: number, data: Uint8Array): number {
    if (data.length === 0) return 0;
    let f: Deno.FsFile | undefined;
    try {
      f = Deno.openSync(this.#path, { write: true });
      f.seekSync(offset, Deno.SeekMode.Start);
      let done = 0;
      while (done < data.length) done += f.writeSync(data.subarray(done));
      return done;
    } catch (e) {
      return hostErrno(e);
    } finally {
      f?.close();
    }
  }

  truncate(size: number): number {
    try {
      Deno.truncateSync(this.#path, size);
      return 0;
    } catch (e) {
      return hostErrno(e);
    }
  }

  bytes(): Uint8Array {
    try {
      return Deno.readFileSync(this.#path);
    } catch {
      return new Uint8Array(0);
    }
  }
}
