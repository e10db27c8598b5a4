/**
 * The synthesized trees: `/dev`, `/proc` and `/sys`.
 *
 * - /dev: null, zero, full, random, urandom (random bytes come from the
 *   kernel's seeded stream), stdin/stdout/stderr (links to /proc/self/fd/N)
 *   and fd (link to /proc/self/fd).
 * - /proc: self (link to the pid), /proc/<pid>/{exe, cwd, root, fd/, maps,
 *   auxv, cmdline, environ, status, comm, mountinfo, mounts},
 *   /proc/mounts (link to self/mounts), /proc/cpuinfo, /proc/stat,
 *   /proc/sys/net/core/somaxconn.
 *   exe, cwd and fd/N are magic links: following them reaches the object
 *   itself (the executable is served from its host path even when it lies
 *   outside the guest tree).
 * - /sys: kernel/mm/transparent_hugepage/{hpage_pmd_size,enabled} and
 *   devices/system/cpu/{online,possible,present,cpuN/}.
 * The tree only reads process state through a {@linkcode ProcContext}.
 * @module
 */

import { ENXIO } from "../abi/errno.ts";
import type { Mapping } from "../memory/memory.ts";
import { DEVICE_RDEV, type DeviceKind } from "./descriptions.ts";
import type { OpenFile } from "./open_file.ts";
import { SynthDevice, SynthDir, SynthFile, type SynthFs, SynthLink } from "./synth_fs.ts";
import {
  type Attr,
  devMajor,
  devMinor,
  type Fs,
  GUEST_UID,
  hash53,
  type Inode,
  type Loc,
  makedev,
} from "./types.ts";

/** What the synthesized trees need to know about the process. */
export interface ProcContext {
  /** Process id. */
  readonly pid: number;
  /** Parent process id (for status). */
  readonly ppid: number;
  /** CPUs online (0..cpus-1). */
  readonly cpus: number;
  /** readlink /proc/self/exe. */
  exePath(): string;
  /** The executable's inode (opening /proc/self/exe reads it). */
  exe(): Loc | Inode | number;
  /** The auxiliary vector bytes. */
  auxv(): Uint8Array;
  /** argv, each followed by NUL. */
  cmdline(): Uint8Array;
  /** envp, each followed by NUL. */
  environ(): Uint8Array;
  /** The mappings, for maps. */
  mappings(): readonly Readonly<Mapping>[];
  /** st_dev and st_ino of a mapped file's path, when it names one. */
  mappedFile(name: string): { dev: number; ino: number } | undefined;
  /** Thread name (comm). */
  comm(): string;
  /** Live threads. */
  threads(): number;
  /** Process CPU time in ns (all threads). */
  cpuNs(): number;
  /** CLOCK_BOOTTIME now, in ns. */
  uptimeNs(): bigint;
  /** CLOCK_REALTIME now, in ns. */
  realtimeNs(): bigint;
  /** Open descriptors, ascending. */
  fds(): number[];
  /** readlink /proc/self/fd/N. */
  fdPath(fd: number): string | number;
  /** Where /proc/self/fd/N leads. */
  fdJump(fd: number): Loc | Inode | number;
  /** Access mode bits of descriptor N (O_RDONLY, O_WRONLY, O_RDWR), or -1. */
  fdMode(fd: number): number;
  /** The current directory. */
  cwd(): Loc;
  /** The mounts (guest path and filesystem), `/` first, then in mount order. */
  mounts(): readonly (readonly [path: string, fs: Fs])[];
  /** Opens a memory device with attributes `attr`. */
  openDevice(kind: DeviceKind, flags: number, attr: () => Attr): OpenFile | number;
}

/** Formats one hex field as the kernel's seq_put_hex_ll (lowercase, zero-padded to `width`). */
function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, "0");
}

/**
 * /proc/self/maps in the kernel's format (fs/proc/task_mmu.c):
 * `start-end perms offset major:minor inode ` then, when the mapping has a
 * name, spaces up to column 72, one more space and the name.
 */
export function formatMaps(
  maps: readonly Readonly<Mapping>[],
  fileId: (name: string) => { dev: number; ino: number } | undefined,
): string {
  let out = "";
  for (const m of maps) {
    const perms = (m.prot & 1 ? "r" : "-") + (m.prot & 2 ? "w" : "-") + (m.prot & 4 ? "x" : "-") +
      (m.shared ? "s" : "p");
    const id = m.file && m.name.startsWith("/") ? fileId(m.name) : undefined;
    const major = id ? (id.dev >>> 8) & 0xfff : 0;
    const minor = id ? (id.dev & 0xff) | ((id.dev >>> 12) & 0xfff00) : 0;
    let line = `${hex(m.start, 8)}-${hex(m.end, 8)} ${perms} ${hex(m.file?.offset ?? 0, 8)} ` +
      `${hex(major, 2)}:${hex(minor, 2)} ${id?.ino ?? 0} `;
    if (m.name) line = line.padEnd(72, " ") + " " + m.name;
    out += line + "\n";
  }
  return out;
}

/** /sys/devices/system/cpu/online for `n` CPUs: `0` or `0-(n-1)`. */
export function cpuRange(n: number): string {
  return n <= 1 ? "0\n" : `0-${n - 1}\n`;
}

/** /proc/cpuinfo for `n` harts of an rv64imafdc machine (arch/riscv/kernel/cpu.c layout). */
export function cpuinfo(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    s += `processor\t: ${i}\nhart\t\t: ${i}\nisa\t\t: rv64imafdc\nmmu\t\t: sv39\n` +
      `mvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\n\n`;
  }
  return s;
}

/** Ticks per second of /proc/stat's times (USER_HZ). */
const USER_HZ = 100;
/** Softirq kinds Linux counts (NR_SOFTIRQS). */
const NR_SOFTIRQS = 10;

/**
 * /proc/stat (fs/proc/stat.c layout) for `cpus` CPUs: the process's CPU
 * time `cpuNs` as user time spread evenly over the CPUs, the rest of
 * `uptimeNs` on each CPU idle, in USER_HZ ticks; the `cpu` line is the sum of
 * the `cpuN` lines. No interrupts or context switches are counted; btime is
 * the realtime clock at boot (`bootSec`); one process, `running` threads.
 */
export function procStat(
  cpus: number,
  cpuNs: number,
  uptimeNs: bigint,
  bootSec: number,
  running: number,
): string {
  const up = Number(uptimeNs / BigInt(1e9 / USER_HZ));
  const busy = Math.floor(cpuNs / (1e9 / USER_HZ));
  const rows: number[][] = [];
  for (let i = 0; i < cpus; i++) {
    const user = Math.floor(busy / cpus) + (i < busy % cpus ? 1 : 0);
    rows.push([user, 0, 0, Math.max(0, up - user), 0, 0, 0, 0, 0, 0]);
  }
  const sum = rows[0].map((_, j) => rows.reduce((a, r) => a + r[j], 0));
  let s = `cpu  ${sum.join(" ")}\n`;
  rows.forEach((r, i) => s += `cpu${i} ${r.join(" ")}\n`);
  return s + `intr 0\nctxt 0\nbtime ${bootSec}\nprocesses 1\nprocs_running ${running}\n` +
    `procs_blocked 0\nsoftirq 0${" 0".repeat(NR_SOFTIRQS)}\n`;
}

/** Builds /dev on `fs`. */
export function devTree(fs: SynthFs, ctx: ProcContext): SynthDir {
  const devices: [string, DeviceKind][] = [
    ["full", "full"],
    ["null", "null"],
    ["random", "random"],
    ["urandom", "urandom"],
    ["zero", "zero"],
  ];
  const children: [string, Inode][] = [];
  for (const [name, kind] of devices) {
    const dev: SynthDevice = new SynthDevice(
      fs,
      DEVICE_RDEV[kind],
      (flags) => ctx.openDevice(kind, flags, () => dev.attr()),
    );
    children.push([name, dev]);
  }
  // The process has no controlling terminal (as after setsid): opening /dev/tty is ENXIO.
  children.push(["tty", new SynthDevice(fs, makedev(5, 0), () => -ENXIO)]);
  children.push(["fd", new SynthLink(fs, () => "/proc/self/fd")]);
  children.push(["stdin", new SynthLink(fs, () => "/proc/self/fd/0")]);
  children.push(["stdout", new SynthLink(fs, () => "/proc/self/fd/1")]);
  children.push(["stderr", new SynthLink(fs, () => "/proc/self/fd/2")]);
  children.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return new SynthDir(fs, () => children, { perm: 0o755 });
}

/** Builds /proc on `fs`. */
export function procTree(fs: SynthFs, ctx: ProcContext): SynthDir {
  const own = { uid: GUEST_UID };
  const enc = new TextEncoder();
  const fdLinks = new Map<number, SynthLink>();
  const fdLink = (fd: number): SynthLink => {
    let l = fdLinks.get(fd);
    if (!l) {
      const mode = ctx.fdMode(fd);
      const perm = mode < 0 ? 0o500 : (mode !== 1 ? 0o500 : 0) | (mode !== 0 ? 0o300 : 0);
      l = new SynthLink(fs, () => ctx.fdPath(fd), () => ctx.fdJump(fd), {
        ...own,
        perm,
        ino: hash53(`/proc/self/fd/${fd}`),
      });
      fdLinks.set(fd, l);
    }
    return l;
  };
  const fdDir = new SynthDir(
    fs,
    () => ctx.fds().map((fd) => [String(fd), fdLink(fd)] as const),
    { ...own, perm: 0o500 },
  );
  const pidChildren: [string, Inode][] = [
    ["auxv", new SynthFile(fs, () => ctx.auxv(), { ...own, perm: 0o400 })],
    ["cmdline", new SynthFile(fs, () => ctx.cmdline(), own)],
    ["comm", new SynthFile(fs, () => ctx.comm() + "\n", { ...own, perm: 0o644 })],
    ["cwd", new SynthLink(fs, () => "/" + ctx.cwd().parts.join("/"), () => ctx.cwd(), own)],
    ["environ", new SynthFile(fs, () => ctx.environ(), { ...own, perm: 0o400 })],
    ["exe", new SynthLink(fs, () => ctx.exePath(), () => ctx.exe(), own)],
    ["fd", fdDir],
    [
      "maps",
      new SynthFile(fs, () => enc.encode(formatMaps(ctx.mappings(), ctx.mappedFile)), own),
    ],
    ["mountinfo", new SynthFile(fs, () => mountInfo(ctx.mounts()), own)],
    ["mounts", new SynthFile(fs, () => procMounts(ctx.mounts()), own)],
    ["root", new SynthLink(fs, () => "/", undefined, own)],
    ["status", new SynthFile(fs, () => status(ctx), own)],
  ];
  const pidDir = new SynthDir(fs, () => pidChildren, { ...own, perm: 0o555 });
  const sysdir = (entries: [string, Inode][]) => new SynthDir(fs, () => entries, { perm: 0o555 });
  // net.core.somaxconn: the listen backlog cap Go's net package reads (Linux 5.4+ default).
  const somaxconn = new SynthFile(fs, () => "4096\n", { perm: 0o644 });
  const top: [string, Inode][] = [
    [String(ctx.pid), pidDir],
    ["cpuinfo", new SynthFile(fs, () => cpuinfo(ctx.cpus))],
    ["mounts", new SynthLink(fs, () => "self/mounts")],
    ["self", new SynthLink(fs, () => String(ctx.pid))],
    [
      "stat",
      new SynthFile(fs, () => {
        const up = ctx.uptimeNs();
        const boot = Math.floor(Number(ctx.realtimeNs() - up) / 1e9);
        return procStat(ctx.cpus, ctx.cpuNs(), up, boot, ctx.threads());
      }),
    ],
    ["sys", sysdir([["net", sysdir([["core", sysdir([["somaxconn", somaxconn]])]])]])],
  ];
  return new SynthDir(fs, () => top, { perm: 0o555 });
}

/** A mount's type and source as mountinfo names them (host directories are bind mounts of an ext4 `/dev/root`). */
function mountType(fs: Fs): [type: string, source: string] {
  switch (fs.kind) {
    case "host":
      return ["ext4", "/dev/root"];
    case "devtmpfs":
      return ["devtmpfs", "udev"];
    case "proc":
    case "sysfs":
    case "tmpfs":
    case "rootfs":
      return [fs.kind, fs.kind];
    default:
      return ["tmpfs", "tmpfs"];
  }
}

/** A path as mount tables print it: space, tab, newline and backslash in octal (mangle). */
function mangle(path: string): string {
  return path.replace(/[ \t\n\\]/g, (c) => "\\" + c.charCodeAt(0).toString(8).padStart(3, "0"));
}

/**
 * /proc/self/mountinfo (fs/proc_namespace.c's show_mountinfo): `id parent
 * major:minor root mount-point options - type source super-options`, one
 * line per mount; a mount's parent is the latest earlier mount above it.
 */
export function mountInfo(mounts: readonly (readonly [string, Fs])[]): string {
  let out = "";
  mounts.forEach(([path, fs], i) => {
    let parent = mounts[0][1].mntId - 1;
    for (let j = 0; j < i; j++) {
      const p = mounts[j][0];
      if (p === "/" || path.startsWith(p + "/")) parent = mounts[j][1].mntId;
    }
    const [type, source] = mountType(fs);
    const ro = fs.writable ? "rw" : "ro";
    out += `${fs.mntId} ${parent} ${devMajor(fs.dev)}:${devMinor(fs.dev)} / ${mangle(path)} ` +
      `${ro},relatime - ${type} ${source} ${ro}\n`;
  });
  return out;
}

/** /proc/self/mounts (show_vfsmnt): `source mount-point type options 0 0`. */
export function procMounts(mounts: readonly (readonly [string, Fs])[]): string {
  return mounts.map(([path, fs]) => {
    const [type, source] = mountType(fs);
    return `${source} ${mangle(path)} ${type} ${fs.writable ? "rw" : "ro"},relatime 0 0\n`;
  }).join("");
}

/** A minimal /proc/self/status (the fields runtimes read). */
function status(ctx: ProcContext): string {
  const id = `${GUEST_UID}\t${GUEST_UID}\t${GUEST_UID}\t${GUEST_UID}`;
  const n = ctx.cpus;
  const mask = cpuMask(n);
  return `Name:\t${ctx.comm()}\nUmask:\t0022\nState:\tR (running)\nTgid:\t${ctx.pid}\n` +
    `Ngid:\t0\nPid:\t${ctx.pid}\nPPid:\t${ctx.ppid}\nTracerPid:\t0\nUid:\t${id}\nGid:\t${id}\n` +
    `FDSize:\t64\nThreads:\t${ctx.threads()}\nCpus_allowed:\t${mask}\n` +
    `Cpus_allowed_list:\t${cpuRange(n).trim()}\n`;
}

/**
 * A mask of CPUs 0..n-1 as the kernel prints bitmaps ("%*pb"): hex in
 * comma-separated 32-bit groups, the first group as wide as the CPU count
 * needs (`3` for 2 CPUs, `ff,ffffffff` for 40).
 */
export function cpuMask(n: number): string {
  const all = (1n << BigInt(n)) - 1n;
  const groups: string[] = [];
  for (let bit = 0; bit < n; bit += 32) {
    const width = Math.ceil(Math.min(32, n - bit) / 4);
    groups.unshift(((all >> BigInt(bit)) & 0xffffffffn).toString(16).padStart(width, "0"));
  }
  return groups.join(",");
}

/** Builds /sys on `fs`. */
export function sysTree(fs: SynthFs, ctx: ProcContext): SynthDir {
  const sysfs = { size: 4096 };
  const dir = (entries: [string, Inode][]) => new SynthDir(fs, () => entries, { perm: 0o755 });
  const thp = dir([
    ["enabled", new SynthFile(fs, () => "always [madvise] never\n", sysfs)],
    ["hpage_pmd_size", new SynthFile(fs, () => "2097152\n", sysfs)],
  ]);
  const cpuEntries: [string, Inode][] = [];
  for (let i = 0; i < ctx.cpus; i++) cpuEntries.push([`cpu${i}`, dir([])]);
  cpuEntries.push(["online", new SynthFile(fs, () => cpuRange(ctx.cpus), sysfs)]);
  cpuEntries.push(["possible", new SynthFile(fs, () => cpuRange(ctx.cpus), sysfs)]);
  cpuEntries.push(["present", new SynthFile(fs, () => cpuRange(ctx.cpus), sysfs)]);
  return dir([
    ["devices", dir([["system", dir([["cpu", dir(cpuEntries)]])]])],
    ["kernel", dir([["mm", dir([["transparent_hugepage", thp]])]])],
  ]);
}
