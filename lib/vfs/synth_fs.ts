/**
 * Synthesized read-only filesystems: trees of generated files, symlinks,
 * magic links and devices, used for `/dev`, `/proc` and `/sys`, and the
 * virtual directories that join mount points to the root.
 * @module
 */

import { BytesData } from "./host_fs.ts";
import type { OpenFile } from "./open_file.ts";
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
  type Loc,
  makeAttr,
} from "./types.ts";

/**
 * A filesystem of synthesized nodes. Like proc and sysfs it is mounted
 * read-write: what refuses writes is the nodes' permissions (EACCES), not
 * the mount (EROFS).
 */
export class SynthFs implements Fs {
  readonly dev: number;
  readonly writable = true;
  readonly mntId: number;
  readonly kind: string;
  #nextIno = 1;

  /** Creates a filesystem of kind `kind` (`proc`, `devtmpfs`, `sysfs`...). */
  constructor(kind: string, dev: number, mntId: number) {
    this.kind = kind;
    this.dev = dev;
    this.mntId = mntId;
  }

  /** The next static inode number. */
  nextIno(): number {
    return this.#nextIno++;
  }
}

/** Options common to synthesized nodes. */
export interface SynthOptions {
  /** Permission bits. */
  perm?: number;
  /** Owner (default root, as for /dev, /proc and /sys). */
  uid?: number;
  /** Reported size (default 0, as /proc files report; sysfs files report 4096). */
  size?: number;
  /** Fixed inode number (default: the filesystem's next). */
  ino?: number;
}

/** Common state of synthesized nodes. */
export abstract class SynthNode implements Inode {
  readonly fs: SynthFs;
  abstract readonly type: FileType;
  /** Inode number. */
  readonly ino: number;
  /** Options given at creation. */
  readonly opts: SynthOptions;

  /** Creates the node. */
  constructor(fs: SynthFs, opts: SynthOptions) {
    this.fs = fs;
    this.opts = opts;
    this.ino = opts.ino ?? fs.nextIno();
  }

  /** Permission bits when none are given. */
  abstract defaultPerm(): number;

  attr(): Attr {
    const uid = this.opts.uid ?? 0;
    return makeAttr(this.fs, this.type, {
      ino: this.ino,
      perm: this.opts.perm ?? this.defaultPerm(),
      uid,
      gid: uid,
      size: this.opts.size ?? 0,
      blocks: 0,
      rdev: this.rdev(),
    });
  }

  /** Device number (0 unless a device). */
  rdev(): number {
    return 0;
  }
}

/** Children of a synthesized directory: fixed, or generated at each lookup. */
export type SynthChildren = () => readonly (readonly [string, Inode])[];

/** A directory whose children may be generated on each lookup. */
export class SynthDir extends SynthNode {
  /** File type. */
  readonly type = "dir";
  readonly #children: SynthChildren;

  /** Creates a directory listing `children()`. */
  constructor(fs: SynthFs, children: SynthChildren, opts: SynthOptions = {}) {
    super(fs, opts);
    this.#children = children;
  }

  /** Permission bits when none are given. */
  defaultPerm(): number {
    return 0o555;
  }

  /** The child called `name`. */
  lookup(name: string): Inode | undefined {
    for (const [n, node] of this.#children()) if (n === name) return node;
    return undefined;
  }

  /** Entries without `.` and `..`. */
  list(): DirEntry[] {
    return this.#children().map(([name, n]) => ({ name, ino: n.attr().ino, type: n.type }));
  }
}

/** A read-only file whose contents are generated when it is opened. */
export class SynthFile extends SynthNode {
  /** File type. */
  readonly type = "reg";
  readonly #content: () => Uint8Array;

  /** Creates a file with contents `content()`. */
  constructor(fs: SynthFs, content: () => Uint8Array | string, opts: SynthOptions = {}) {
    super(fs, opts);
    this.#content = () => {
      const c = content();
      return typeof c === "string" ? new TextEncoder().encode(c) : c;
    };
  }

  /** Permission bits when none are given. */
  defaultPerm(): number {
    return 0o444;
  }

  /** The contents. */
  data(): FileData {
    return new BytesData(this.#content());
  }
}

/**
 * A read-only regular file without a name of its own whose contents a
 * {@linkcode FileSource} supplies: the runner's stdin when the host's is a
 * regular file.
 */
export class OpenedFile extends SynthNode {
  /** File type. */
  readonly type = "reg";
  readonly #source: FileSource;

  /** Creates the node over `source`. */
  constructor(fs: SynthFs, source: FileSource, opts: SynthOptions = {}) {
    super(fs, opts);
    this.#source = source;
  }

  /** Permission bits when none are given. */
  defaultPerm(): number {
    return 0o444;
  }

  /** Attributes, with the source's current size. */
  override attr(): Attr {
    const a = super.attr();
    const size = this.#source.size();
    return { ...a, size, blocks: blocksFor(size) };
  }

  /** A new handle on the contents. */
  data(): FileData | number {
    return this.#source.open();
  }
}

/** A symlink with a (possibly generated) target; magic when `jump` is given. */
export class SynthLink extends SynthNode {
  /** File type. */
  readonly type = "lnk";
  readonly #target: () => string | number;

  /** Creates a link to `target()`; `jump` makes it a magic link. */
  constructor(
    fs: SynthFs,
    target: () => string | number,
    jump?: () => Loc | Inode | number,
    opts: SynthOptions = {},
  ) {
    super(fs, opts);
    this.#target = target;
    if (jump) this.jump = jump;
  }

  /** Permission bits when none are given. */
  defaultPerm(): number {
    return 0o777;
  }

  /** Current attributes. */
  override attr(): Attr {
    const a = super.attr();
    const t = this.#target();
    a.size = typeof t === "string" ? new TextEncoder().encode(t).length : 0;
    return a;
  }

  /** The link target. */
  readlink(): string | number {
    return this.#target();
  }

  /** Where a magic link leads (only magic links have it). */
  jump?: () => Loc | Inode | number;
}

/** A character device: opening it creates a description with `open`. */
export class SynthDevice extends SynthNode {
  /** File type. */
  readonly type = "chr";
  readonly #rdev: number;
  readonly #open: (flags: number) => OpenFile | number;

  /** Creates a device numbered `rdev` (encoded) opened by `open`. */
  constructor(
    fs: SynthFs,
    rdev: number,
    open: (flags: number) => OpenFile | number,
    opts: SynthOptions = {},
  ) {
    super(fs, opts);
    this.#rdev = rdev;
    this.#open = open;
  }

  /** Permission bits when none are given. */
  defaultPerm(): number {
    return 0o666;
  }

  /** Device number. */
  override rdev(): number {
    return this.#rdev;
  }

  /** Opens a description. */
  open(flags: number): OpenFile | number {
    return this.#open(flags);
  }
}

/**
 * A directory that exists only because a mount point lies below it (e.g.
 * `/home` and `/home/me` above a working directory mounted at
 * `/home/me/project`). Its inode number hashes its guest path.
 */
export class VirtualDir implements Inode {
  readonly fs: Fs;
  readonly type = "dir";
  readonly #ino: number;

  /** Creates the virtual directory at guest path `path`. */
  constructor(fs: Fs, path: string) {
    this.fs = fs;
    this.#ino = path === "/" ? 2 : hash53(path);
  }

  attr(): Attr {
    return makeAttr(this.fs, "dir", { ino: this.#ino, perm: 0o755, uid: 0, gid: 0, size: 4096 });
  }

  lookup(): undefined {
    return undefined;
  }

  list(): DirEntry[] {
    return [];
  }
}
