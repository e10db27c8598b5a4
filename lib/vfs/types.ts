/**
 * The virtual filesystem's vocabulary: inodes, their attributes, file data,
 * directory entries, and guest locations.
 *
 * The guest sees one tree built from mounts (see `vfs.ts`). Every object in
 * it is an {@linkcode Inode} of some {@linkcode Fs}; a {@linkcode Loc} is a
 * resolved position in the guest tree: the canonical guest path (as
 * components) together with the inode of every prefix, so that `..` walks
 * back inside the guest tree and never reaches the host.
 * @module
 */

import type { OpenFile } from "./open_file.ts";

/** File types, as in S_IFMT. */
export type FileType = "reg" | "dir" | "lnk" | "chr" | "blk" | "fifo" | "sock";

/** S_IFMT bits by type (include/uapi/linux/stat.h). */
export const S_IFMT = 0o170000;
/** Type bits of each {@linkcode FileType}. */
export const TYPE_BITS: Readonly<Record<FileType, number>> = {
  sock: 0o140000,
  lnk: 0o120000,
  reg: 0o100000,
  blk: 0o060000,
  dir: 0o040000,
  chr: 0o020000,
  fifo: 0o010000,
};

/** linux_dirent64 d_type values by file type. */
export const DIRENT_TYPE: Readonly<Record<FileType, number>> = {
  fifo: 1,
  chr: 2,
  dir: 4,
  blk: 6,
  reg: 8,
  lnk: 10,
  sock: 12,
};

/** The uid and gid the guest runs as and owns its files as. */
export const GUEST_UID = 1000;

/** Attributes as stat reports them; times in ns since the epoch. */
export interface Attr {
  /** st_dev, encoded as the kernel's new_encode_dev (see {@linkcode makedev}). */
  dev: number;
  /** st_ino. */
  ino: number;
  /** st_mode: type and permission bits. */
  mode: number;
  /** st_nlink. */
  nlink: number;
  /** st_uid. */
  uid: number;
  /** st_gid. */
  gid: number;
  /** st_rdev (device files), encoded as `dev`. */
  rdev: number;
  /** st_size. */
  size: number;
  /** st_blksize. */
  blksize: number;
  /** st_blocks (512-byte units). */
  blocks: number;
  /** Access time, ns. */
  atimeNs: number;
  /** Modification time, ns. */
  mtimeNs: number;
  /** Status change time, ns. */
  ctimeNs: number;
}

/** Encodes a device number as st_dev does on Linux (new_encode_dev). */
export function makedev(major: number, minor: number): number {
  return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);
}

/** The major number of an encoded device number. */
export function devMajor(dev: number): number {
  return (dev >>> 8) & 0xfff;
}

/** The minor number of an encoded device number. */
export function devMinor(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & 0xfff00);
}

/** A filesystem instance (one per mount). */
export interface Fs {
  /** st_dev of every inode in it. */
  readonly dev: number;
  /** Whether the guest may modify it (else EROFS). */
  readonly writable: boolean;
  /** The mount id statx reports. */
  readonly mntId: number;
  /** Filesystem kind for diagnostics (`host`, `tmpfs`, `proc`...). */
  readonly kind: string;
}

/** One directory entry (without `.` and `..`). */
export interface DirEntry {
  /** The name. */
  name: string;
  /** d_ino. */
  ino: number;
  /** The entry's type. */
  type: FileType;
}

/** The contents of a regular file. */
export interface FileData {
  /** Current size in bytes. */
  size(): number;
  /** Up to `max` bytes from `offset` (empty at or past the end). */
  read(offset: number, max: number): Uint8Array;
  /** Writes at `offset` (zero-filling any hole): bytes written or -errno. */
  write(offset: number, data: Uint8Array): number;
  /** Sets the size: 0 or -errno. */
  truncate(size: number): number;
  /** The whole contents (for mmap). */
  bytes(): Uint8Array;
  /**
   * Releases what the contents hold (a host descriptor, an open reference
   * keeping an unlinked file alive): called once by whoever got them from
   * {@linkcode Inode.data}, when done.
   */
  close?(): void;
}

/**
 * A filesystem object. Optional members exist only for the types that have
 * them; mutating members only on writable filesystems. Errors are -errno.
 */
export interface Inode {
  /** The filesystem it belongs to. */
  readonly fs: Fs;
  /** Its type. */
  readonly type: FileType;
  /** Current attributes. */
  attr(): Attr;
  /** Directories: the child called `name` (undefined when missing), or -errno. */
  lookup?(name: string): Inode | undefined | number;
  /** Directories: the entries, in a deterministic order, without `.` and `..`. */
  list?(): DirEntry[] | number;
  /** Symlinks: the target. */
  readlink?(): string | number;
  /**
   * Magic links (/proc/self/fd/N, /proc/self/exe): following them goes
   * straight to this location or inode instead of resolving the text.
   */
  jump?(): Loc | Inode | number;
  /**
   * Regular files: the data (a fresh snapshot for generated files), for
   * writing too with `write`. The caller owns the result and calls its
   * `close` when done.
   */
  data?(write?: boolean): FileData | number;
  /** Special files: opens a description (devices, pipes, the standard streams). */
  open?(flags: number): OpenFile | number;
  /** Directories: creates a regular file. */
  create?(name: string, mode: number): Inode | number;
  /** Directories: creates a directory. */
  mkdir?(name: string, mode: number): Inode | number;
  /** Directories: creates a symlink. */
  symlink?(name: string, target: string): Inode | number;
  /** Directories: creates an unnamed regular file in this filesystem (O_TMPFILE). */
  tmpfile?(mode: number): Inode | number;
  /** Directories: creates a socket inode (bind of a filesystem AF_UNIX name). */
  mksock?(name: string, mode: number): Inode | number;
  /** Directories: adds a hard link to `target` (same filesystem). */
  link?(name: string, target: Inode): number;
  /** Directories: removes the non-directory `name`. */
  unlink?(name: string): number;
  /** Directories: removes the empty directory `name`. */
  rmdir?(name: string): number;
  /**
   * Directories: moves `name` to `toName` in `toDir` (same filesystem),
   * replacing what is there (already checked to be compatible).
   */
  rename?(name: string, toDir: Inode, toName: string): number;
  /** Sets access and modification times (ns; undefined leaves one alone). */
  setTimes?(atimeNs: number | undefined, mtimeNs: number | undefined): number;
  /** Sets the permission bits. */
  chmod?(mode: number): number;
}

/**
 * A resolved position in the guest tree: `parts` are the canonical path
 * components (no `.`, `..` or symlinks), `nodes[i]` is the inode at
 * `/parts[0]/.../parts[i-1]` (so `nodes[0]` is the root and the last node is
 * the object itself).
 */
export interface Loc {
  /** Canonical guest path components. */
  readonly parts: readonly string[];
  /** Inodes of every prefix, root first; one more than `parts`. */
  readonly nodes: readonly Inode[];
}

/** The inode a location names. */
export function inodeOf(loc: Loc): Inode {
  return loc.nodes[loc.nodes.length - 1];
}

/** The guest path of a location (`/` for the root). */
export function pathOf(loc: Loc): string {
  return "/" + loc.parts.join("/");
}

/** The location of the directory holding `loc` (the root's parent is the root). */
export function parentOf(loc: Loc): Loc {
  if (loc.parts.length === 0) return loc;
  return { parts: loc.parts.slice(0, -1), nodes: loc.nodes.slice(0, -1) };
}

/** The location of child `node` called `name` under `loc`. */
export function childOf(loc: Loc, name: string, node: Inode): Loc {
  return { parts: [...loc.parts, name], nodes: [...loc.nodes, node] };
}

/**
 * A stable 53-bit hash of a string (two 32-bit FNV-1a lanes), used for
 * deterministic inode numbers of host files; never 0 or 1.
 */
export function hash53(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  const h = (b >>> 11) * 4294967296 + (a >>> 0);
  return h < 2 ? h + 2 : h;
}

/** Where the contents of a file without a name of its own come from (`OpenedFile`). */
export interface FileSource {
  /** The current size in bytes. */
  size(): number;
  /** A new handle on the contents (each open gets its own), or -errno. */
  open(): FileData | number;
}

/** 512-byte blocks for a size, counted in 4 KiB allocation units. */
export function blocksFor(size: number): number {
  return Math.ceil(size / 4096) * 8;
}

/** Builds attributes with the common defaults filled in. */
export function makeAttr(
  fs: Fs,
  type: FileType,
  fields: Partial<Attr> & { ino: number; perm: number },
): Attr {
  const size = fields.size ?? 0;
  return {
    dev: fields.dev ?? fs.dev,
    ino: fields.ino,
    mode: TYPE_BITS[type] | (fields.perm & 0o7777),
    nlink: fields.nlink ?? (type === "dir" ? 2 : 1),
    uid: fields.uid ?? GUEST_UID,
    gid: fields.gid ?? GUEST_UID,
    rdev: fields.rdev ?? 0,
    size,
    blksize: fields.blksize ?? 4096,
    blocks: fields.blocks ?? (type === "reg" ? blocksFor(size) : type === "dir" ? 8 : 0),
    atimeNs: fields.atimeNs ?? 0,
    mtimeNs: fields.mtimeNs ?? 0,
    ctimeNs: fields.ctimeNs ?? 0,
  };
}
