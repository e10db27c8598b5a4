/**
 * How a process's filesystem view and standard descriptors are composed:
 * the mounts (sysroot or an empty root, /tmp, /dev, /dev/shm, /proc, /sys,
 * the working directory, then the user's mounts), the /proc and /dev
 * context, and fds 0-2 over the runner's stdin/stdout/stderr.
 * @module
 */

import { ENOENT } from "../abi/errno.ts";
import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY } from "../abi/flags.ts";
import {
  DeviceFile,
  RegularFile,
  StdinFile,
  type StdioShape,
  StdoutFile,
  Terminal,
} from "../vfs/descriptions.ts";
import { HostFs, type HostStream } from "../vfs/host_fs.ts";
import { MemFs } from "../vfs/mem_fs.ts";
import { type OpenFile, statusFlagsOf } from "../vfs/open_file.ts";
import { devTree, type ProcContext, procTree, sysTree } from "../vfs/proc.ts";
import { OpenedFile, SynthFile, SynthFs } from "../vfs/synth_fs.ts";
import {
  type Attr,
  childOf,
  type FileSource,
  type FileType,
  type Inode,
  inodeOf,
  type Loc,
  makedev,
  S_IFMT,
  TYPE_BITS,
} from "../vfs/types.ts";
import { components, Vfs } from "../vfs/vfs.ts";
import { fdTable } from "./fd_table.ts";
import type { Kernel } from "./kernel.ts";
import { getRlimit, PPID, RLIMIT_NOFILE } from "./process.ts";
import { randomBytes } from "./random.ts";
import { monotonicNs, processCpuNs, realtimeNs } from "./time.ts";

/** A host directory mounted into the guest's filesystem. */
export interface Mount {
  /** Host directory (absolute). */
  host: string;
  /** Guest path it appears at (absolute). */
  guest: string;
  /** Whether the guest may write. */
  writable: boolean;
}

/**
 * Receives bytes the guest writes to stdout or stderr. A negative number
 * returned is -errno for the guest's write (EPIPE when the reader is gone,
 * which also raises SIGPIPE; ENOSPC when the disk is full); anything else
 * means every byte was taken.
 */
export type GuestOutput = (bytes: Uint8Array) => unknown;

/**
 * Supplies the guest's stdin: the next chunk (at most `max` bytes), or null
 * at end of input. A `writerClosed` property set to true says all the input
 * is already there (a pipe whose writer has closed), which poll reports.
 */
export type GuestInput = ((max: number) => Uint8Array | null) & { writerClosed?: boolean };

/** What the files family needs to set up a process's filesystem view and fds 0-2. */
export interface FilesSetup {
  /** Directory mounted read-only at `/` (like qemu-riscv64 -L, without host fallback). */
  sysroot?: string;
  /** Extra mounts (`--mount HOST:GUEST[:ro|rw]`). */
  mounts: readonly Mount[];
  /**
   * The guest's working directory: the caller's host cwd, mounted read-only
   * (unless a mount in `mounts` already shows it at that path).
   */
  cwd: string;
  /** Guest path the cwd is mounted at (default: its host path). */
  guestCwd?: string;
  /** The executable's host path (served as /proc/self/exe's target and its contents). */
  exeHostPath: string;
  /** The path the guest knows the executable by (readlink /proc/self/exe). */
  exeGuestPath: string;
  /** /proc/self/auxv contents. */
  auxv: Uint8Array;
  /** fd 0. */
  stdin: GuestInput;
  /**
   * Which of fds 0-2 are not pipes, because the runner's are not: `"null"`
   * makes one the guest's /dev/null (fd 0 read-only, fds 1 and 2
   * write-only; `stdin`, `stdout` or `stderr` then unused); a file source
   * makes fd 0 that read-only, seekable regular file, named /dev/stdin.
   */
  hostStreams?: { stdin?: HostStream; stdout?: "null"; stderr?: "null" };
  /** fd 1. */
  stdout: GuestOutput;
  /** fd 2. */
  stderr: GuestOutput;
  /** Which of fds 0-2 are terminals (isatty, TCGETS); default none (pipes). */
  terminals?: { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  /** argv, for /proc/self/cmdline (default: the executable's guest path). */
  argv?: readonly string[];
  /** envp, for /proc/self/environ (default: empty). */
  envp?: readonly string[];
}

/** The files family's per-process state. */
export interface FilesState {
  /** The namespace. */
  vfs: Vfs;
  /** The current directory. */
  cwd: Loc;
  /** The setup it was built from. */
  setup: FilesSetup;
  /** Next pipe inode number. */
  nextPipeIno: number;
}

/** The files family's per-process state. */
/** The files state of `k` (an empty namespace if {@linkcode setupFiles} was not called). */
export function filesState(k: Kernel): FilesState {
  return k.familyState<FilesState>("files", () => {
    const vfs = new Vfs();
    return {
      vfs,
      cwd: vfs.root,
      setup: {
        mounts: [],
        cwd: "/",
        exeHostPath: "",
        exeGuestPath: "",
        auxv: new Uint8Array(0),
        stdin: () => null,
        stdout: () => {},
        stderr: () => {},
      },
      nextPipeIno: 20000,
    };
  });
}

/** Guest directories that are zkabi's own: the working directory's view never covers them. */
export const RESERVED_GUEST_DIRS: readonly string[] = ["/tmp", "/dev", "/proc", "/sys"];
/** Where the working directory appears when its own path is in a reserved directory. */
export const RELOCATED_CWD = "/cwd";
/** Host directories never shared as the working directory (the host's pseudo-filesystems). */
const PRIVATE_HOST_DIRS: readonly string[] = ["/proc", "/sys", "/dev"];

/** True when `path` is `dir` or below it. */
function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + "/");
}

/**
 * Where the working directory appears to the guest: its guest path, or
 * {@linkcode RELOCATED_CWD} when that lies in /tmp, /dev, /proc or /sys
 * (which stay zkabi's own); undefined when it is not shared at all (the
 * root, or a host directory in the host's /proc, /sys or /dev).
 */
export function cwdMountPoint(hostCwd: string, guestCwd: string): string | undefined {
  let real = hostCwd;
  try {
    real = Deno.realPathSync(hostCwd);
  } catch {
    // Missing: mounting it fails later with a clear message.
  }
  if (guestCwd === "/" || PRIVATE_HOST_DIRS.some((d) => within(real, d))) return undefined;
  return RESERVED_GUEST_DIRS.some((d) => within(guestCwd, d)) ? RELOCATED_CWD : guestCwd;
}

/** Whether mount `m` shows host directory `host` at guest path `guest`. */
function showsAt(m: Mount, host: string, guest: string): boolean {
  const from = m.host.replace(/\/+$/, "") || "/";
  if (from !== "/" && !within(host, from)) return false;
  const to = m.guest.replace(/\/+$/, "");
  return (to + host.slice(from === "/" ? 0 : from.length) || "/") === guest;
}

/**
 * Size of each memory filesystem (/tmp, /dev/shm): half the memory limit,
 * as tmpfs's default, to the nearest MiB (1 GiB for the default limit).
 */
export function tmpfsSize(memoryLimit: number): number {
  return Math.max(1, Math.round(memoryLimit / 2 / 2 ** 20)) * 2 ** 20;
}

/**
 * Builds the process's filesystem view and its standard descriptors.
 * Mount order (a later mount hides an earlier one at the same path): the
 * sysroot (or an empty root), /tmp, /dev, /dev/shm, /proc, /sys, the
 * working directory (see {@linkcode cwdMountPoint}), then `setup.mounts`.
 * Throws when a host directory to mount is missing or a mount point is bad.
 */
export function setupFiles(k: Kernel, setup: FilesSetup): void {
  const st = filesState(k);
  st.setup = setup;
  let mnt = 0;
  const next = () => {
    mnt++;
    return { dev: makedev(0, 31 + mnt), id: 20 + mnt };
  };
  const cache = new Map<string, Uint8Array>();
  const hostRoot = (host: string, writable: boolean): Inode => {
    const n = next();
    const r = new HostFs(host, writable, n.dev, n.id, cache).rootInode();
    if (typeof r === "number") throw new Error(`cannot mount ${host}: not a readable directory`);
    return r;
  };
  const vfs = new Vfs(setup.sysroot ? hostRoot(setup.sysroot, false) : undefined);
  st.vfs = vfs;
  const clock = () => Number(realtimeNs(k));
  const tmpSize = tmpfsSize(k.mem.limit);
  const tmp = next();
  vfs.mount("/tmp", new MemFs(tmp.dev, tmp.id, clock, 0o1777, tmpSize).root);
  const ctx = procContext(k);
  const dev = next();
  const devFs = new SynthFs("devtmpfs", dev.dev, dev.id);
  vfs.mount("/dev", devTree(devFs, ctx));
  const shm = next();
  vfs.mount("/dev/shm", new MemFs(shm.dev, shm.id, clock, 0o1777, tmpSize).root);
  const proc = next();
  vfs.mount("/proc", procTree(new SynthFs("proc", proc.dev, proc.id), ctx));
  const sys = next();
  vfs.mount("/sys", sysTree(new SynthFs("sysfs", sys.dev, sys.id), ctx));
  const hostCwd = setup.cwd.replace(/\/+$/, "") || "/";
  const cwd = cwdMountPoint(hostCwd, (setup.guestCwd ?? hostCwd).replace(/\/+$/, "") || "/") ??
    "/";
  // A `--mount` that already shows the working directory at that path decides how it is
  // shown (rw or ro); a read-only view of it on top would hide what the user asked for.
  if (cwd !== "/" && !setup.mounts.some((m) => showsAt(m, hostCwd, cwd))) {
    vfs.mount(cwd, hostRoot(hostCwd, false));
  }
  for (const m of setup.mounts) vfs.mount(m.guest, hostRoot(m.host, m.writable));
  // Every Linux host names its loopback in /etc/hosts (qemu-user reads the host's when the
  // sysroot has none): without it, "localhost" would go to DNS.
  if (typeof vfs.resolve(vfs.root, "/etc/hosts", true) === "number") {
    const etc = next();
    const fs = new SynthFs("etc", etc.dev, etc.id);
    vfs.mount(
      "/etc/hosts",
      new SynthFile(fs, () => ETC_HOSTS, { perm: 0o644, size: ETC_HOSTS.length }),
    );
  }
  const here = vfs.resolve(vfs.root, cwd, true);
  st.cwd = typeof here === "number" ? vfs.root : here;

  const fds = fdTable(k);
  fds.limit = nofileLimit(k);
  const term = setup.terminals;
  const terminal = term?.stdin || term?.stdout || term?.stderr ? new Terminal() : undefined;
  const shape = (isTty: boolean | undefined): StdioShape => ({
    terminal: isTty ? terminal : undefined,
    ino: st.nextPipeIno++,
  });
  const inShape = shape(term?.stdin);
  const outShape = shape(term?.stdout);
  const errShape = term?.stderr === term?.stdout ? outShape : shape(term?.stderr);
  const host = setup.hostStreams;
  const stdinFile = host?.stdin === "null"
    ? nullDevice(vfs, O_RDONLY)
    : host?.stdin && stdinAsFile(vfs, devFs, host.stdin);
  fds.install(
    0,
    stdinFile ?? new StdinFile(setup.stdin, term?.stdin ? O_RDWR : O_RDONLY, inShape),
    false,
  );
  const out = host?.stdout ? nullDevice(vfs, O_WRONLY) : undefined;
  const err = host?.stderr ? nullDevice(vfs, O_WRONLY) : undefined;
  fds.install(
    1,
    out ?? new StdoutFile(setup.stdout, term?.stdout ? O_RDWR : O_WRONLY, outShape),
    false,
  );
  fds.install(
    2,
    err ?? new StdoutFile(setup.stderr, term?.stderr ? O_RDWR : O_WRONLY, errShape),
    false,
  );
}

/**
 * fd 0 over `source` as Linux has it for `PROG < FILE`: a read-only regular
 * file at offset 0. It is shown as /dev/stdin (the host path is not the
 * guest's business); undefined when the source cannot be opened.
 */
function stdinAsFile(vfs: Vfs, devFs: SynthFs, source: FileSource): OpenFile | undefined {
  const dev = vfs.resolve(vfs.root, "/dev", true);
  if (typeof dev === "number") return undefined;
  const data = source.open();
  if (typeof data === "number") return undefined;
  const node = new OpenedFile(devFs, source, { uid: 1000 });
  return new RegularFile(childOf(dev, "stdin", node), data, O_RDONLY);
}

/** A standard stream as `PROG < /dev/null` or `> /dev/null` has it: the null device. */
function nullDevice(vfs: Vfs, flags: number): OpenFile | undefined {
  const loc = vfs.resolve(vfs.root, "/dev/null", true);
  if (typeof loc === "number") return undefined;
  const file = inodeOf(loc).open?.(flags);
  return typeof file === "number" ? undefined : file;
}

/** `loc` moved from below `old` to below `now`, or undefined when it is not at or below `old`. */
function rebase(loc: Loc, old: Loc, now: Loc): Loc | undefined {
  const n = old.parts.length;
  if (loc.parts.length < n || old.nodes[n] !== loc.nodes[n]) return undefined;
  for (let i = 0; i < n; i++) if (loc.parts[i] !== old.parts[i]) return undefined;
  return {
    parts: [...now.parts, ...loc.parts.slice(n)],
    nodes: [...now.nodes, ...loc.nodes.slice(n + 1)],
  };
}

/**
 * The guest renamed `old` to `now`: the working directory and every open
 * description's location at or below it follow, so getcwd, /proc/self/cwd
 * and /proc/self/fd show the new path, as on Linux.
 */
export function relocate(k: Kernel, old: Loc, now: Loc): void {
  const st = filesState(k);
  st.cwd = rebase(st.cwd, old, now) ?? st.cwd;
  const fds = fdTable(k);
  for (const fd of fds.fds()) {
    const f = fds.file(fd);
    if (typeof f === "number" || !f.loc) continue;
    f.loc = rebase(f.loc, old, now) ?? f.loc;
  }
}

/** The /etc/hosts of a guest whose root has none: the loopback names, as Debian writes them. */
export const ETC_HOSTS = "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n";

/** RLIMIT_NOFILE's soft limit as a number. */
function nofileLimit(k: Kernel): number {
  const cur = getRlimit(k, RLIMIT_NOFILE).cur;
  return cur > 1048576n ? 1048576 : Number(cur);
}

/** An inode standing for an open description that has no place in the tree (pipes, stdio). */
class FdInode implements Inode {
  readonly fs;
  readonly type: FileType;
  readonly #k: Kernel;
  readonly #file: OpenFile;

  constructor(k: Kernel, file: OpenFile) {
    this.#k = k;
    this.#file = file;
    const a = file.stat(k);
    this.fs = { dev: a.dev, writable: false, mntId: 0, kind: "anon" };
    const bits = a.mode & S_IFMT;
    this.type = (Object.keys(TYPE_BITS) as FileType[]).find((t) => TYPE_BITS[t] === bits) ?? "reg";
  }

  attr(): Attr {
    return this.#file.stat(this.#k);
  }

  open(): OpenFile {
    return this.#file;
  }
}

/** The /proc and /dev view of `k`. */
function procContext(k: Kernel): ProcContext {
  const st = () => filesState(k);
  let exeLoc: Loc | number | undefined;
  const exe = (): Loc | number => {
    if (exeLoc === undefined) {
      const host = st().setup.exeHostPath;
      const slash = host.lastIndexOf("/");
      const fs = new HostFs(slash > 0 ? host.slice(0, slash) : "/", false, makedev(0, 31), 20);
      const node = fs.inodeAt(host.slice(slash + 1));
      const parts = components(st().setup.exeGuestPath);
      if (node === undefined || typeof node === "number" || parts.length === 0) {
        exeLoc = -ENOENT;
      } else {
        const root = st().vfs.root.nodes[0];
        exeLoc = { parts, nodes: [...parts.map(() => root), node] };
      }
    }
    return exeLoc;
  };
  const nulJoin = (xs: readonly string[]) => ENCODER.encode(xs.map((x) => x + "\0").join(""));
  const comm = () => {
    const p = st().setup.exeGuestPath;
    return p.slice(p.lastIndexOf("/") + 1).slice(0, 15);
  };
  return {
    pid: k.pid,
    ppid: PPID,
    cpus: k.options.cpus,
    exePath: () => st().setup.exeGuestPath,
    exe,
    auxv: () => st().setup.auxv,
    cmdline: () => nulJoin(st().setup.argv ?? [st().setup.exeGuestPath]),
    environ: () => nulJoin(st().setup.envp ?? []),
    mappings: () => k.mem.mappings,
    mappedFile: (name) => {
      const loc = st().vfs.resolve(st().vfs.root, name, true);
      if (typeof loc !== "number") {
        const a = inodeOf(loc).attr();
        return { dev: a.dev, ino: a.ino };
      }
      const e = name === st().setup.exeGuestPath ? exe() : -ENOENT;
      if (typeof e === "number") return undefined;
      const a = inodeOf(e).attr();
      return { dev: a.dev, ino: a.ino };
    },
    comm,
    threads: () => k.threads.filter((t) => t.state !== "exited").length,
    cpuNs: () => processCpuNs(k),
    uptimeNs: () => monotonicNs(k),
    realtimeNs: () => realtimeNs(k),
    fds: () => fdTable(k).fds(),
    fdPath: (fd) => {
      const f = fdTable(k).file(fd);
      return typeof f === "number" ? -ENOENT : f.path;
    },
    fdJump: (fd) => {
      const f = fdTable(k).file(fd);
      if (typeof f === "number") return -ENOENT;
      return f.loc ?? new FdInode(k, f);
    },
    fdMode: (fd) => {
      const f = fdTable(k).file(fd);
      return typeof f === "number" ? -1 : f.flags & O_ACCMODE;
    },
    cwd: () => st().cwd,
    mounts: () => st().vfs.mounts(),
    openDevice: (kind, flags, attr) =>
      new DeviceFile(kind, statusFlagsOf(flags), attr, (n) => randomBytes(k, n)),
  };
}

const ENCODER = new TextEncoder();
