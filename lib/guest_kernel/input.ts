/**
 * The input stream the in-guest kernel reads at boot through the `read
 * input` host call (layout in `guests/kernel/kernel.h`, `struct
 * boot_header`): 21 little-endian u64 header fields, the working directory,
 * then each file as (kind, path length, data length) u64s, the path and the
 * data. Kind 0 is a regular file, 1 a symbolic link whose data is its target.
 * @module
 */

/** "ZKIN", the magic of the boot header. */
export const BOOT_MAGIC = 0x4e494b5a;
/** Version of the boot header layout. */
export const BOOT_VERSION = 1;

/** One read-only file the program may open. */
export interface InputFile {
  /** Absolute guest path. */
  path: string;
  /** Contents (for a link: the target). */
  data: Uint8Array;
  /** A symbolic link (readlink answers its data). */
  link?: boolean;
}

/** Everything the kernel is told at boot. */
export interface BootInput {
  /** Program entry. */
  entry: number;
  /** Initial user sp. */
  sp: number;
  /** Lowest address of the program image. */
  imageLo: number;
  /** Initial program break (page aligned). */
  brk: number;
  /** Stack mapping start. */
  stackLo: number;
  /** Stack mapping end. */
  stackHi: number;
  /** Start of the memory for brk and mmap. */
  userLo: number;
  /** End of the memory for brk and mmap. */
  userHi: number;
  /** Top-down mmap allocation ends at or below this. */
  mmapBase: number;
  /** Start of memory used only at hinted addresses. */
  hintLo: number;
  /** End of memory used only at hinted addresses. */
  hintHi: number;
  /** Start of the kernel's heap. */
  heapLo: number;
  /** End of the kernel's heap. */
  heapHi: number;
  /** getrandom seed. */
  seed: number;
  /** CPUs the program sees. */
  cpus: number;
  /** Instructions per time slice. */
  quantum: number;
  /** Virtual instructions per second. */
  hz: number;
  /** Process id. */
  pid: number;
  /** Working directory (guest path). */
  cwd: string;
  /** Read-only files. */
  files: readonly InputFile[];
}

/** Serialises `b` into the kernel's input stream. */
export function buildInput(b: BootInput): Uint8Array {
  const enc = new TextEncoder();
  const cwd = enc.encode(b.cwd);
  const header = [
    BigInt(BOOT_MAGIC) | (BigInt(BOOT_VERSION) << 32n),
    b.entry,
    b.sp,
    b.imageLo,
    b.brk,
    b.stackLo,
    b.stackHi,
    b.userLo,
    b.userHi,
    b.mmapBase,
    b.hintLo,
    b.hintHi,
    b.heapLo,
    b.heapHi,
    b.seed,
    b.cpus,
    b.quantum,
    b.hz,
    b.pid,
    cwd.length,
    b.files.length,
  ];
  const paths = b.files.map((f) => enc.encode(f.path));
  let size = header.length * 8 + cwd.length;
  b.files.forEach((f, i) => size += 24 + paths[i].length + f.data.length);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let at = 0;
  const u64 = (v: number | bigint) => {
    dv.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), true);
    at += 8;
  };
  header.forEach(u64);
  out.set(cwd, at);
  at += cwd.length;
  b.files.forEach((f, i) => {
    u64(f.link ? 1 : 0);
    u64(paths[i].length);
    u64(f.data.length);
    out.set(paths[i], at);
    at += paths[i].length;
    out.set(f.data, at);
    at += f.data.length;
  });
  return out;
}
