/**
 * The guest's filesystem namespace: a mount table and the path resolver.
 *
 * Resolution is done here, one component at a time, inside the guest tree:
 * - `.` stays, `..` goes to the parent in the guest tree (at `/` it stays
 *   at `/`; at a mount root it goes to the directory the mount sits in), so
 *   no path can climb out of a mount to the host;
 * - symlinks are read as text and resolved in the guest tree (absolute
 *   targets from the guest root, relative ones from the link's directory);
 *   at most 40 are followed per resolution (ELOOP), as Linux's MAXSYMLINKS;
 * - a component under a non-directory is ENOTDIR; a component longer than
 *   255 bytes is ENAMETOOLONG; a trailing slash requires a directory;
 * - magic links (/proc/self/fd/N, /proc/self/exe) jump to their object.
 * Directories that exist only because a mount point lies below them are
 * synthesized (read-only, empty apart from the mount points).
 * @module
 */

import { ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from "../abi/errno.ts";
import { nameLength } from "./names.ts";
import { VirtualDir } from "./synth_fs.ts";
import {
  childOf,
  type DirEntry,
  type Fs,
  type Inode,
  inodeOf,
  type Loc,
  makedev,
  parentOf,
  pathOf,
} from "./types.ts";

/** Longest path, including its NUL (PATH_MAX). */
export const PATH_MAX = 4096;
/** Longest component (NAME_MAX). */
export const NAME_MAX = 255;
/** Most symlinks followed in one resolution (MAXSYMLINKS). */
export const MAXSYMLINKS = 40;

/** The outcome of walking a path. */
export interface WalkResult {
  /** The directory that holds the last component. */
  dir: Loc;
  /** The last component (`.`, `..`, or `/` when the path is the root itself). */
  name: string;
  /** The object the path names, when it exists. */
  loc: Loc | undefined;
  /** True when the path (or the last symlink's target) ended in a slash. */
  slash: boolean;
}

/** Splits a guest path into its non-empty components. */
export function components(path: string): string[] {
  return path.split("/").filter((c) => c !== "");
}

/** Normalizes an absolute guest path (collapses slashes; `.` and `..` are not allowed). */
export function normalizeMountPath(path: string): string {
  if (!path.startsWith("/")) throw new Error(`mount point must be absolute: ${path}`);
  const parts = components(path);
  if (parts.some((p) => p === "." || p === "..")) {
    throw new Error(`mount point must not contain . or ..: ${path}`);
  }
  return "/" + parts.join("/");
}

/** The filesystem that synthesized directories belong to. */
const VIRTUAL_FS: Fs = { dev: makedev(0, 1), writable: false, mntId: 1, kind: "rootfs" };

/** A mount namespace with its resolver. */
export class Vfs {
  #root: Loc;
  /** Mount roots by normalized guest path (the root mount is `#root`). */
  readonly #mounts: Map<string, Inode> = new Map();
  /** Names below each directory that are mount points or lead to one, in mount order. */
  readonly #above: Map<string, string[]> = new Map();
  /** Every proper ancestor of a mount point, and the mount points themselves. */
  readonly #leading: Set<string> = new Set();

  /** Creates a namespace whose root is `root` (default: an empty read-only directory). */
  constructor(root?: Inode) {
    this.#root = { parts: [], nodes: [root ?? new VirtualDir(VIRTUAL_FS, "/")] };
  }

  /** The root location. */
  get root(): Loc {
    return this.#root;
  }

  /** Mounts `root` at guest path `guest` (later mounts hide earlier ones at the same path). */
  mount(guest: string, root: Inode): void {
    const path = normalizeMountPath(guest);
    if (path === "/") {
      this.#root = { parts: [], nodes: [root] };
      return;
    }
    this.#mounts.set(path, root);
    const parts = components(path);
    for (let i = 0; i < parts.length; i++) {
      const dir = "/" + parts.slice(0, i).join("/");
      const names = this.#above.get(dir) ?? [];
      if (!names.includes(parts[i])) names.push(parts[i]);
      this.#above.set(dir, names);
      this.#leading.add("/" + parts.slice(0, i + 1).join("/"));
    }
  }

  /** True when `loc` is the root of a mount. */
  isMountRoot(loc: Loc): boolean {
    return loc.parts.length === 0 || this.#mounts.has(pathOf(loc));
  }

  /** Every mount with its guest path, `/` first, then in mount order. */
  mounts(): [path: string, fs: Fs][] {
    const out: [string, Fs][] = [["/", inodeOf(this.#root).fs]];
    for (const [path, root] of this.#mounts) out.push([path, root.fs]);
    return out;
  }

  /** Guest paths of the mount points, in mount order (without `/`). */
  mountPoints(): string[] {
    return [...this.#mounts.keys()];
  }

  /**
   * The child `name` (not `.` or `..`) of directory `loc` without following
   * symlinks: its location, undefined when missing, or -errno.
   */
  child(loc: Loc, name: string): Loc | undefined | number {
    const key = loc.parts.length === 0 ? `/${name}` : `${pathOf(loc)}/${name}`;
    const m = this.#mounts.get(key);
    if (m) return childOf(loc, name, m);
    const dir = inodeOf(loc);
    const r = dir.lookup ? dir.lookup(name) : undefined;
    if (typeof r === "number") return r;
    if (this.#leading.has(key) && (r === undefined || r.type !== "dir")) {
      return childOf(loc, name, new VirtualDir(VIRTUAL_FS, key));
    }
    return r === undefined ? undefined : childOf(loc, name, r);
  }

  /**
   * Walks `path` from `start` (ignored for absolute paths). With `follow`, a
   * final symlink is followed; a trailing slash always follows it. A missing
   * last component is not an error here (`loc` is undefined), so creating
   * calls can use the result.
   */
  walk(start: Loc, path: string, follow: boolean): WalkResult | number {
    if (path === "") return -ENOENT;
    if (nameLength(path) >= PATH_MAX) return -ENAMETOOLONG;
    let cur = path.startsWith("/") ? this.#root : start;
    const stack = components(path).reverse();
    let slash = path.endsWith("/");
    let links = 0;
    while (stack.length > 0) {
      const name = stack.pop()!;
      const last = stack.length === 0;
      if (inodeOf(cur).type !== "dir") return -ENOTDIR;
      if (name.length > NAME_MAX / 3 && nameLength(name) > NAME_MAX) {
        return -ENAMETOOLONG;
      }
      if (name === ".") {
        if (last) return { dir: cur, name, loc: cur, slash };
        continue;
      }
      if (name === "..") {
        cur = parentOf(cur);
        if (last) return { dir: cur, name, loc: cur, slash };
        continue;
      }
      const c = this.child(cur, name);
      if (typeof c === "number") return c;
      if (c === undefined) {
        if (last) return { dir: cur, name, loc: undefined, slash };
        return -ENOENT;
      }
      const node = inodeOf(c);
      if (node.type === "lnk" && (!last || follow || slash)) {
        if (++links > MAXSYMLINKS) return -ELOOP;
        if (node.jump) {
          const j = node.jump();
          if (typeof j === "number") return j;
          const to = "parts" in j ? j : childOf(cur, name, j);
          if (last) return { dir: cur, name, loc: to, slash };
          cur = to;
          continue;
        }
        const target = node.readlink ? node.readlink() : -ENOENT;
        if (typeof target === "number") return target;
        if (target === "") return -ENOENT;
        if (target.startsWith("/")) cur = this.#root;
        const more = components(target);
        if (last && target.endsWith("/")) slash = true;
        for (let i = more.length - 1; i >= 0; i--) stack.push(more[i]);
        continue;
      }
      if (last) return { dir: cur, name, loc: c, slash };
      cur = c;
    }
    // The path (or the last symlink) named the root or ended on "/".
    return {
      dir: parentOf(cur),
      name: cur.parts.length === 0 ? "/" : cur.parts[cur.parts.length - 1],
      loc: cur,
      slash,
    };
  }

  /** Resolves `path` to an existing object: its location or -errno. */
  resolve(start: Loc, path: string, follow: boolean): Loc | number {
    const r = this.walk(start, path, follow);
    if (typeof r === "number") return r;
    if (!r.loc) return -ENOENT;
    if (r.slash && inodeOf(r.loc).type !== "dir") return -ENOTDIR;
    return r.loc;
  }

  /**
   * The entries of directory `loc` as getdents64 returns them: `.`, `..`,
   * then the directory's own entries, then mount points below it that the
   * directory itself lacks.
   */
  list(loc: Loc): DirEntry[] | number {
    const dir = inodeOf(loc);
    if (dir.type !== "dir") return -ENOTDIR;
    const own = dir.list ? dir.list() : [];
    if (typeof own === "number") return own;
    const parent = parentOf(loc);
    const out: DirEntry[] = [
      { name: ".", ino: dir.attr().ino, type: "dir" },
      { name: "..", ino: inodeOf(parent).attr().ino, type: "dir" },
    ];
    const seen = new Set<string>();
    const extra = this.#above.get(pathOf(loc)) ?? [];
    for (const e of own) {
      seen.add(e.name);
      if (extra.includes(e.name)) {
        const c = this.child(loc, e.name);
        if (c && typeof c !== "number") {
          out.push({ name: e.name, ino: inodeOf(c).attr().ino, type: inodeOf(c).type });
          continue;
        }
      }
      out.push(e);
    }
    for (const name of extra) {
      if (seen.has(name)) continue;
      const c = this.child(loc, name);
      if (c && typeof c !== "number") out.push({ name, ino: inodeOf(c).attr().ino, type: "dir" });
    }
    return out;
  }
}
