/**
 * Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise, mincore,
 * msync, mlock/mlock2/munlock/mlockall/munlockall, riscv_flush_icache, and
 * the PR_SET_VMA naming that prctl forwards here.
 *
 * Semantics and error order follow Linux 6.1 on riscv64 (mm/mmap.c,
 * mm/mremap.c, mm/madvise.c, mm/mprotect.c, arch/riscv/kernel/sys_riscv.c),
 * on top of {@linkcode GuestMemory}'s mappings. Notes:
 * - The program break starts where the loader put it ({@linkcode setupMemory}).
 *   The heap is an anonymous read/write mapping named `[heap]` from the
 *   page-aligned start to the page-aligned break; growing needs a free page
 *   after the new end (Linux's guard against touching the next mapping).
 * - Placement without MAP_FIXED: a free hint wins, else top-down from the
 *   mmap base ({@linkcode findFreeRange}).
 * - File mappings copy the file's bytes when mapped (`OpenFile.contents`).
 *   MAP_PRIVATE is exact while the file is unchanged. MAP_SHARED mappings
 *   of regular files write their stores back to the file (msync, munmap,
 *   before reads of the file; see `shared_maps.ts`). MAP_SHARED anonymous memory behaves as private
 *   within the one process and is named `/dev/zero (deleted)` as in Linux.
 * - A file mapped (or mprotected) with PROT_EXEC has its ELF symbols added
 *   to `k.symbols`, so program counters in shared libraries get names.
 * - Mappings are not merged (GuestMemory keeps each one); /proc/self/maps
 *   readers that want Linux's view coalesce adjacent compatible mappings.
 * - mlock-family calls check arguments, limits and coverage; nothing is
 *   ever paged out, so they change nothing else.
 * @module
 */

import {
  EACCES,
  EAGAIN,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  ENODEV,
  ENOMEM,
  EOPNOTSUPP,
  EOVERFLOW,
  EPERM,
} from "../abi/errno.ts";
import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY } from "../abi/flags.ts";
import { mappingBias, symbolsOf } from "../elf/loader.ts";
import { findFreeRange, MMAP_MIN_ADDR, pageDown, pageUp, TASK_SIZE } from "../memory/layout.ts";
import {
  type FileBacking,
  type GuestMemory,
  type Mapping,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../memory/memory.ts";
import { RegularFile } from "../vfs/descriptions.ts";
import type { FileData } from "../vfs/types.ts";
import { fdTable } from "./fd_table.ts";
import type { Kernel } from "./kernel.ts";
import { addSharedMap, forgetShared, syncShared } from "./shared_maps.ts";
import { getRlimit, RLIM_INFINITY, RLIMIT_AS, RLIMIT_DATA, RLIMIT_MEMLOCK } from "./process.ts";
import type { Thread } from "./thread.ts";
import type { SyscallArgs, SyscallFamilyTable } from "./types.ts";

/** mmap flags (asm-generic/mman-common.h, mman.h; linux/mman.h). */
export const MAP_SHARED = 0x01;
/** Private copy-on-write mapping. */
export const MAP_PRIVATE = 0x02;
/** MAP_SHARED, rejecting unknown flags. */
export const MAP_SHARED_VALIDATE = 0x03;
/** Mask of the mapping type. */
export const MAP_TYPE = 0x0f;
/** Place exactly at addr, replacing what is there. */
export const MAP_FIXED = 0x10;
/** No file. */
export const MAP_ANONYMOUS = 0x20;
/** Stack-like segment. */
export const MAP_GROWSDOWN = 0x0100;
/** Ignored. */
export const MAP_DENYWRITE = 0x0800;
/** Ignored. */
export const MAP_EXECUTABLE = 0x1000;
/** Lock the pages. */
export const MAP_LOCKED = 0x2000;
/** Do not reserve swap. */
export const MAP_NORESERVE = 0x4000;
/** Prefault. */
export const MAP_POPULATE = 0x8000;
/** With MAP_POPULATE: do not block. */
export const MAP_NONBLOCK = 0x10000;
/** A thread stack. */
export const MAP_STACK = 0x20000;
/** Huge pages. */
export const MAP_HUGETLB = 0x40000;
/** Synchronous page faults (DAX only). */
export const MAP_SYNC = 0x80000;
/** MAP_FIXED that fails with EEXIST instead of replacing. */
export const MAP_FIXED_NOREPLACE = 0x100000;
/** Ignored. */
export const MAP_UNINITIALIZED = 0x4000000;
/** The flags MAP_SHARED_VALIDATE accepts (LEGACY_MAP_MASK). */
const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE |
  MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |
  MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;

/** PROT_SEM: accepted by mprotect, no effect. */
const PROT_SEM = 0x8;
/** mprotect: extend the change down to the start of a grows-down mapping. */
const PROT_GROWSDOWN = 0x01000000;
/** mprotect: extend up (no architecture zkabi emulates has such mappings). */
const PROT_GROWSUP = 0x02000000;

/** mremap flags. */
export const MREMAP_MAYMOVE = 1;
/** Move to new_addr exactly. */
export const MREMAP_FIXED = 2;
/** Move but leave the old range mapped (emptied). */
export const MREMAP_DONTUNMAP = 4;

/** madvise advice values. */
const MADV_WILLNEED = 3;
const MADV_DONTNEED = 4;
const MADV_FREE = 8;
const MADV_REMOVE = 9;
const MADV_WIPEONFORK = 18;
const MADV_COLD = 20;
const MADV_PAGEOUT = 21;
const MADV_POPULATE_READ = 22;
const MADV_POPULATE_WRITE = 23;
const MADV_DONTNEED_LOCKED = 24;
const MADV_COLLAPSE = 25;
const MADV_HWPOISON = 100;
const MADV_SOFT_OFFLINE = 101;

/** msync flags. */
const MS_ASYNC = 1;
const MS_INVALIDATE = 2;
const MS_SYNC = 4;
/** mlock2 / mlockall flags. */
const MLOCK_ONFAULT = 1;
const MCL_CURRENT = 1;
const MCL_FUTURE = 2;
const MCL_ONFAULT = 4;

/** Gap Linux keeps below a grows-down stack (stack_guard_gap: 256 pages). */
const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** Name Linux shows for MAP_SHARED|MAP_ANONYMOUS memory (a shmem file). */
export const SHARED_ANON_NAME = "/dev/zero (deleted)";
/** 2^64, for unsigned-long overflow checks done in doubles. */
const TWO64 = 2 ** 64;

/** A shared library whose symbols mmap added. */
interface ExecRecord {
  name: string;
  bias: number;
  start: number;
  end: number;
}

/** The memory family's per-process state. */
interface MemoryState {
  /** Initial break (start_brk); 0 until {@linkcode setupMemory}. */
  startBrk: number;
  /** Current break (may be unaligned). */
  brk: number;
  /** Objects whose symbols were added on PROT_EXEC file mappings. */
  exec: ExecRecord[];
}

function memState(k: Kernel): MemoryState {
  return k.familyState<MemoryState>("memory", () => ({ startBrk: 0, brk: 0, exec: [] }));
}

/**
 * Records the program break the loader chose (page aligned, just past the
 * executable's highest segment). The runner calls this before the run.
 */
export function setupMemory(k: Kernel, opts: { brk: number }): void {
  const st = memState(k);
  st.startBrk = opts.brk;
  st.brk = opts.brk;
}

/** The program break's start and current value (for /proc/self/stat and diagnostics). */
export function programBreak(k: Kernel): { start: number; current: number } {
  const st = memState(k);
  return { start: st.startBrk, current: st.brk };
}

// ---------------------------------------------------------------- helpers

/** True for memory with no file behind it (what PR_SET_VMA may name, MADV_FREE may free). */
function isAnonymous(m: Readonly<Mapping>): boolean {
  return !m.file && !m.shared && !m.name.startsWith("/");
}

/** Bytes of [start, end) already covered by mappings that satisfy `pred`. */
function coveredBytes(
  mem: GuestMemory,
  start: number,
  end: number,
  pred: (m: Readonly<Mapping>) => boolean = () => true,
): number {
  let n = 0;
  for (const m of mem.mappings) {
    if (m.start >= end) break;
    if (m.end > start && pred(m)) n += Math.min(end, m.end) - Math.max(start, m.start);
  }
  return n;
}

/** Linux's is_data_mapping: private, writable, not the stack. */
function isData(prot: number, shared: boolean, name: string): boolean {
  return (prot & PROT_WRITE) !== 0 && !shared && name !== "[stack]";
}

/**
 * may_expand_vm: can `bytes` more be mapped? RLIMIT_AS bounds all mapped
 * bytes; RLIMIT_DATA bounds private writable ones when `data` is set.
 */
function mayExpand(k: Kernel, bytes: number, data: boolean): boolean {
  const as = getRlimit(k, RLIMIT_AS).cur;
  if (as !== RLIM_INFINITY && BigInt(k.mem.mappedBytes + bytes) > as) return false;
  if (!data) return true;
  const lim = getRlimit(k, RLIMIT_DATA);
  if (lim.cur === RLIM_INFINITY) return true;
  const used = coveredBytes(k.mem, 0, TWO64, (m) => isData(m.prot, !!m.shared, m.name));
  const want = BigInt(used + bytes);
  // Linux lets a zero soft limit pass up to the hard limit (a Valgrind workaround).
  return want <= lim.cur || (lim.cur === 0n && want <= lim.max);
}

/** Splits the mapping straddling `addr` so that a mapping boundary falls there. */
function splitAt(mem: GuestMemory, addr: number): void {
  const m = mem.mappingAt(addr);
  if (m && m.start < addr) mem.protect(addr, m.end - addr, m.prot);
}

/**
 * Walks [start, end) mapping by mapping as madvise_walk_vmas does: `visit`
 * gets each mapped piece (an error from it stops the walk); gaps make the
 * result -ENOMEM once the walk is done.
 */
function walkMappings(
  mem: GuestMemory,
  start: number,
  end: number,
  visit: (m: Readonly<Mapping>, s: number, e: number) => number,
): number {
  let gap = false;
  let at = start;
  while (at < end) {
    const m = mem.mappings.find((x) => x.end > at);
    if (!m) return -ENOMEM;
    if (at < m.start) {
      gap = true;
      at = m.start;
      if (at >= end) break;
    }
    const e = Math.min(end, m.end);
    const r = visit(m, at, e);
    if (r !== 0) return r;
    at = e;
  }
  return gap ? -ENOMEM : 0;
}

/** Adds the ELF symbols of a file mapped executable at [start, end). */
function noteExecutable(k: Kernel, start: number, end: number, name: string, file?: FileBacking) {
  if (!file) return;
  const bias = mappingBias(file.bytes, file.offset, start);
  if (bias === undefined) return;
  const st = memState(k);
  if (st.exec.some((r) => r.name === name && r.bias === bias)) return;
  const syms = symbolsOf(file.bytes, name);
  // Objects the loader mapped already have their symbols.
  const probe = syms.find((s) => s.value + bias >= start && s.value + bias < end);
  if (!probe || k.symbols.lookup(probe.value + bias)?.object === name) return;
  k.symbols.add(syms, bias, name, { start, end });
  st.exec.push({ name, bias, start, end });
}

/** Forgets symbols of libraries in [start, end) that mmap added, after an unmap or replacement. */
function forgetExecutable(k: Kernel, start: number, end: number): void {
  const st = memState(k);
  if (!st.exec.some((r) => r.start < end && r.end > start)) return;
  k.symbols.removeRange(start, end);
  st.exec = st.exec.filter((r) => r.start < start || r.end > end);
}

/** Unmaps [start, start+len) and forgets library symbols there. */
function unmapRange(k: Kernel, start: number, len: number): void {
  if (len <= 0) return;
  forgetShared(k, start, start + len);
  k.mem.unmap(start, len);
  forgetExecutable(k, start, start + len);
}

// -------------------------------------------------------------------- brk

/**
 * brk(addr): the new break, or the unchanged one when the request is below
 * the initial break, beyond RLIMIT_DATA, collides with the next mapping
 * (one free page must follow; the stack's 1 MiB guard gap counts), or ends
 * past the user address space. brk(0) queries. Shrinking unmaps (the pages
 * read as zero when grown again).
 */
function brk(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const st = memState(k);
  const req = a.ptr(0);
  const cur = st.brk;
  if (st.startBrk === 0 || req < st.startBrk) return cur;
  const data = getRlimit(k, RLIMIT_DATA).cur;
  if (data !== RLIM_INFINITY && BigInt(req - st.startBrk) > data) return cur;
  const newEnd = pageUp(req);
  const oldEnd = pageUp(cur);
  if (newEnd === oldEnd) {
    st.brk = req;
    return req;
  }
  if (req <= cur) {
    k.mem.unmap(newEnd, oldEnd - newEnd);
    st.brk = req;
    return req;
  }
  if (newEnd > TASK_SIZE) return cur;
  const next = k.mem.mappings.find((m) => m.end > oldEnd);
  if (next) {
    const gapStart = next.name === "[stack]" ? next.start - STACK_GUARD_GAP : next.start;
    if (newEnd + PAGE_SIZE > gapStart) return cur;
  }
  if (!mayExpand(k, newEnd - oldEnd, true)) return cur;
  if (!k.mem.mayCommit(newEnd - oldEnd)) return cur; // the memory limit (--memory)
  k.mem.map(oldEnd, newEnd - oldEnd, PROT_READ | PROT_WRITE, "[heap]");
  st.brk = req;
  return req;
}

// ------------------------------------------------------------------- mmap

/** The file side of an mmap: its bytes and name, or -errno. */
interface MapSource {
  name: string;
  bytes?: Uint8Array;
  /** /dev/zero: anonymous memory even though a file was given. */
  zero: boolean;
}

/**
 * mmap(addr, length, prot, flags, fd, offset). Errors, in Linux's order:
 * EINVAL for an unaligned offset or PROT_WRITE without PROT_READ (riscv);
 * EBADF for a bad fd (file mappings); ENOMEM for MAP_HUGETLB (no huge pages
 * reserved) or EINVAL with a non-hugetlbfs file; EINVAL for length 0; ENOMEM
 * when the length exceeds the address space or no range is free; for
 * MAP_FIXED ENOMEM beyond TASK_SIZE, EINVAL unaligned, EPERM below
 * mmap_min_addr; EEXIST for MAP_FIXED_NOREPLACE over a mapping; EPERM/EAGAIN
 * for MAP_LOCKED beyond RLIMIT_MEMLOCK; EOVERFLOW for a file offset past
 * 2^63; EOPNOTSUPP for unknown flags with MAP_SHARED_VALIDATE; EACCES for a
 * file not open for reading (or not for writing with MAP_SHARED and
 * PROT_WRITE); ENODEV for files that cannot be mapped; EINVAL for a bad map
 * type or MAP_GROWSDOWN on shared or file memory; ENOMEM over RLIMIT_AS or
 * RLIMIT_DATA. Returns the address.
 */
function mmap(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const mem = k.mem;
  const addrArg = a.ptr(0);
  const lenArg = a.ptr(1);
  const prot = a.u32(2);
  let flags = a.u32(3);
  const flagsHigh = a.u64(3) >> 32n !== 0n;
  const fd = a.int(4);
  const offset = a.u64(5);
  if ((offset & 0xfffn) !== 0n) return -EINVAL;
  if ((prot & PROT_WRITE) !== 0 && (prot & PROT_READ) === 0) return -EINVAL;

  let src: MapSource | undefined;
  let accmode = O_RDONLY;
  let fileData: FileData | undefined;
  if ((flags & MAP_ANONYMOUS) === 0) {
    const f = fdTable(k).file(fd);
    if (typeof f === "number" || f.kind === "path") return -EBADF;
    if (f instanceof RegularFile) fileData = f.data;
    if ((flags & MAP_HUGETLB) !== 0) return -EINVAL;
    accmode = f.flags & O_ACCMODE;
    const zero = f.path === "/dev/zero";
    src = { name: f.path, zero };
    if (!zero && accmode !== O_WRONLY) {
      const c = f.contents();
      if (typeof c !== "number") src.bytes = c;
    }
  } else if ((flags & MAP_HUGETLB) !== 0) {
    return -ENOMEM;
  }

  if (lenArg === 0) return -EINVAL;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0) flags |= MAP_FIXED;
  const len = pageUp(lenArg);
  if (len > TASK_SIZE - MMAP_MIN_ADDR) return -ENOMEM;
  let addr: number;
  if ((flags & MAP_FIXED) !== 0) {
    if (addrArg > TASK_SIZE - len) return -ENOMEM;
    if (addrArg % PAGE_SIZE !== 0) return -EINVAL;
    if (addrArg < MMAP_MIN_ADDR) return -EPERM;
    addr = addrArg;
  } else {
    const hint = pageDown(addrArg);
    const usable = hint >= MMAP_MIN_ADDR && hint <= TASK_SIZE - len &&
      mem.isFree(hint, hint + len);
    const at = findFreeRange(mem, len, usable ? hint : 0);
    if (at === undefined) return -ENOMEM;
    addr = at;
  }
  if ((flags & MAP_FIXED_NOREPLACE) !== 0 && !mem.isFree(addr, addr + len)) return -EEXIST;
  if ((flags & MAP_LOCKED) !== 0) {
    const lock = getRlimit(k, RLIMIT_MEMLOCK).cur;
    if (lock === 0n) return -EPERM;
    if (BigInt(len) > lock) return -EAGAIN;
  }

  const type = flags & MAP_TYPE;
  let shared = false;
  let name = "";
  let file: FileBacking | undefined;
  if (src) {
    if (offset >= 1n << 63n || BigInt(len) > (1n << 63n) - 1n - offset) return -EOVERFLOW;
    if (type === MAP_SHARED || type === MAP_SHARED_VALIDATE) {
      // MAP_SHARED drops unknown flags; MAP_SHARED_VALIDATE refuses them.
      const unknown = flagsHigh || (a.u32(3) & ~LEGACY_MAP_MASK) !== 0;
      if (type === MAP_SHARED_VALIDATE && unknown) return -EOPNOTSUPP;
      if ((prot & PROT_WRITE) !== 0 && accmode !== O_RDWR) return -EACCES;
      shared = true;
    } else if (type !== MAP_PRIVATE) {
      return -EINVAL;
    }
    if (accmode === O_WRONLY) return -EACCES;
    if (!src.zero && !src.bytes) return -ENODEV;
    if ((flags & MAP_GROWSDOWN) !== 0) return -EINVAL;
    if (src.zero) name = shared ? SHARED_ANON_NAME : "/dev/zero";
    else {
      name = src.name;
      file = { bytes: src.bytes!, offset: Number(offset) };
    }
  } else if (type === MAP_SHARED) {
    if ((flags & MAP_GROWSDOWN) !== 0) return -EINVAL;
    shared = true;
    name = SHARED_ANON_NAME;
  } else if (type !== MAP_PRIVATE) {
    return -EINVAL;
  }

  const p = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
  const replaced = coveredBytes(mem, addr, addr + len);
  if (!mayExpand(k, len - replaced, isData(p, shared, name))) return -ENOMEM;
  if (!mem.mayCommit((p !== 0 ? len : 0) - mem.committedIn(addr, addr + len))) return -ENOMEM;

  if (replaced > 0) {
    forgetExecutable(k, addr, addr + len);
    forgetShared(k, addr, addr + len);
  }
  mem.map(addr, len, p, name, file, shared);
  if (shared && file && fileData) {
    addSharedMap(k, addr, addr + len, Number(offset), fileData, file.bytes.subarray(file.offset));
  }
  if ((p & PROT_EXEC) !== 0) noteExecutable(k, addr, addr + len, name, file);
  return addr;
}

/**
 * munmap(addr, length): EINVAL when addr is unaligned, the range leaves the
 * address space, or length is 0; unmapped parts are fine.
 */
function munmap(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const addr = a.ptr(0);
  const lenArg = a.ptr(1);
  if (addr % PAGE_SIZE !== 0 || addr > TASK_SIZE || lenArg > TASK_SIZE - addr) return -EINVAL;
  const len = pageUp(lenArg);
  if (len === 0) return -EINVAL;
  unmapRange(k, addr, len);
  return 0;
}

/**
 * mprotect(addr, length, prot): EINVAL for an unaligned addr, unknown prot
 * bits, or both GROWS flags; length 0 succeeds; ENOMEM when the range wraps
 * or is not fully mapped, in which case (as in Linux) the mapped part from
 * addr up to the first hole has already been changed. PROT_GROWSDOWN
 * extends the change to the start of the `[stack]` (EINVAL elsewhere).
 */
function mprotect(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const mem = k.mem;
  let start = a.ptr(0);
  const lenArg = a.ptr(1);
  const protArg = a.u64(2);
  const grows = Number(protArg & BigInt(PROT_GROWSDOWN | PROT_GROWSUP));
  const prot = protArg & ~BigInt(PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (lenArg === 0) return 0;
  const len = pageUp(lenArg);
  const end = start + len;
  if (end >= TWO64) return -ENOMEM;
  if ((prot & ~BigInt(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) !== 0n) return -EINVAL;
  const p = Number(prot) & (PROT_READ | PROT_WRITE | PROT_EXEC);
  const first = mem.mappings.find((m) => m.end > start);
  if (!first) return -ENOMEM;
  if (grows === PROT_GROWSDOWN) {
    if (first.start >= end) return -ENOMEM;
    if (first.name !== "[stack]") return -EINVAL;
    start = first.start;
  } else if (grows === PROT_GROWSUP) {
    return first.start > start ? -ENOMEM : -EINVAL;
  }
  if (first.start > start) return -ENOMEM;
  // The mapped run from start, up to end or the first hole.
  let runEnd = start;
  for (const m of mem.mappings) {
    if (m.end <= runEnd) continue;
    if (m.start > runEnd || runEnd >= end) break;
    runEnd = Math.min(end, m.end);
  }
  const more = (p !== 0 ? runEnd - start : 0) - mem.committedIn(start, runEnd);
  if (!mem.mayCommit(more)) return -ENOMEM; // the memory limit (--memory)
  mem.protect(start, runEnd - start, p);
  if ((p & PROT_EXEC) !== 0) {
    for (const m of mem.mappings) {
      if (m.start >= start && m.end <= runEnd && m.file) {
        noteExecutable(k, m.start, m.end, m.name, m.file);
      }
    }
  }
  return runEnd < end ? -ENOMEM : 0;
}

// ----------------------------------------------------------------- mremap

/** Copies every touched page of [from, from+len) to [to, to+len), ignoring protections. */
function copyTouched(mem: GuestMemory, from: number, to: number, len: number): void {
  const resident = mem.residency(from, len);
  if (!resident.includes(1)) return;
  const m = mem.mappingAt(from)!;
  if ((m.prot & PROT_READ) === 0) mem.protect(from, len, m.prot | PROT_READ);
  for (let i = 0; i < resident.length; i++) {
    if (resident[i]) mem.poke(to + i * PAGE_SIZE, mem.read(from + i * PAGE_SIZE, PAGE_SIZE));
  }
}

/** The mapping `m`'s file backing shifted to start at `addr` inside it. */
function backingAt(m: Readonly<Mapping>, addr: number): FileBacking | undefined {
  return m.file ? { bytes: m.file.bytes, offset: m.file.offset + (addr - m.start) } : undefined;
}

/**
 * move_vma: maps new_len at `to` like the source mapping, copies the
 * touched pages, then unmaps the old range (or, with MREMAP_DONTUNMAP,
 * empties it).
 */
function moveMapping(
  k: Kernel,
  m: Readonly<Mapping>,
  addr: number,
  oldLen: number,
  to: number,
  newLen: number,
  dontUnmap: boolean,
): number {
  const { prot, name, shared } = m;
  const file = backingAt(m, addr);
  k.mem.map(to, newLen, prot, name, file, !!shared);
  copyTouched(k.mem, addr, to, Math.min(oldLen, newLen));
  if (dontUnmap) {
    k.mem.protect(addr, oldLen, prot);
    k.mem.discard(addr, oldLen);
  } else {
    unmapRange(k, addr, oldLen);
  }
  if ((prot & PROT_EXEC) !== 0) noteExecutable(k, to, to + newLen, name, file);
  return to;
}

/**
 * vma_to_resize: the mapping holding [addr, addr+oldLen), or -EFAULT when
 * the range is not inside one mapping, -EINVAL for old_len 0 on private
 * memory, -ENOMEM past RLIMIT_AS/RLIMIT_DATA when growing.
 */
function mappingToResize(
  k: Kernel,
  addr: number,
  oldLen: number,
  newLen: number,
): Readonly<Mapping> | number {
  const m = k.mem.mappingAt(addr);
  if (!m || oldLen > m.end - addr) return -EFAULT;
  if (oldLen === 0 && !m.shared) return -EINVAL;
  if (newLen === oldLen) return m;
  if (!mayExpand(k, newLen - oldLen, isData(m.prot, !!m.shared, m.name))) return -ENOMEM;
  if (m.prot !== 0 && !k.mem.mayCommit(newLen - oldLen)) return -ENOMEM; // --memory
  return m;
}

/**
 * mremap(addr, old_len, new_len, flags, new_addr). EINVAL for unknown
 * flags, FIXED without MAYMOVE, DONTUNMAP without MAYMOVE or with a size
 * change, unaligned addr, new_len 0; EFAULT when addr is unmapped or the old
 * range spans mappings. Shrinking unmaps the tail in place. Growing extends
 * in place when the pages after are free, else moves with MREMAP_MAYMOVE
 * (contents kept, the rest zero or file bytes) or fails with ENOMEM.
 * MREMAP_FIXED moves to new_addr (EINVAL if unaligned, out of range or
 * overlapping the old range; EPERM below mmap_min_addr), replacing what is
 * there. old_len 0 (duplicating a shared mapping) is not supported: EINVAL.
 */
function mremap(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const mem = k.mem;
  const addr = a.ptr(0);
  let oldLen = a.ptr(1);
  let newLen = a.ptr(2);
  const flags = a.u64(3);
  const newAddr = a.ptr(4);
  const known = BigInt(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP);
  if ((flags & ~known) !== 0n) return -EINVAL;
  const f = Number(flags);
  const mayMove = (f & MREMAP_MAYMOVE) !== 0;
  const fixed = (f & MREMAP_FIXED) !== 0;
  const dontUnmap = (f & MREMAP_DONTUNMAP) !== 0;
  if (fixed && !mayMove) return -EINVAL;
  if (dontUnmap && (!mayMove || oldLen !== newLen)) return -EINVAL;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  oldLen = pageUp(oldLen);
  newLen = pageUp(newLen);
  if (newLen === 0 || newLen >= TWO64) return -EINVAL;
  if (!mem.mappingAt(addr)) return -EFAULT;

  if (fixed || dontUnmap) {
    if (newAddr % PAGE_SIZE !== 0) return -EINVAL;
    if (newLen > TASK_SIZE || newAddr > TASK_SIZE - newLen) return -EINVAL;
    if (addr + oldLen > newAddr && newAddr + newLen > addr) return -EINVAL;
    if (fixed) unmapRange(k, newAddr, newLen);
    if (oldLen > newLen) {
      unmapRange(k, addr + newLen, oldLen - newLen);
      oldLen = newLen;
    }
    const m = mappingToResize(k, addr, oldLen, newLen);
    if (typeof m === "number") return m;
    if (dontUnmap && !mayExpand(k, oldLen, isData(m.prot, !!m.shared, m.name))) return -ENOMEM;
    if (dontUnmap && m.prot !== 0 && !mem.mayCommit(oldLen)) return -ENOMEM; // --memory
    let to: number;
    if (fixed) {
      if (newAddr < MMAP_MIN_ADDR) return -EPERM;
      to = newAddr;
    } else {
      const hint = newAddr >= MMAP_MIN_ADDR && mem.isFree(newAddr, newAddr + newLen) ? newAddr : 0;
      const at = findFreeRange(mem, newLen, hint);
      if (at === undefined) return -ENOMEM;
      to = at;
    }
    return moveMapping(k, m, addr, oldLen, to, newLen, dontUnmap);
  }

  if (oldLen >= newLen) {
    unmapRange(k, addr + newLen, oldLen - newLen);
    return addr;
  }
  const m = mappingToResize(k, addr, oldLen, newLen);
  if (typeof m === "number") return m;
  if (oldLen === m.end - addr) {
    const tail = m.end;
    const more = newLen - oldLen;
    if (tail + more <= TASK_SIZE && mem.isFree(tail, tail + more)) {
      mem.map(tail, more, m.prot, m.name, backingAt(m, tail), !!m.shared);
      return addr;
    }
  }
  if (!mayMove) return -ENOMEM;
  const to = findFreeRange(mem, newLen, 0);
  if (to === undefined) return -ENOMEM;
  return moveMapping(k, m, addr, oldLen, to, newLen, false);
}

// ---------------------------------------------------------------- madvise

/** Advice values madvise accepts (Linux 6.1 with KSM, THP and memory-failure support). */
function validAdvice(advice: number): boolean {
  return (advice >= 0 && advice <= 4) || (advice >= 8 && advice <= MADV_COLLAPSE) ||
    advice === MADV_HWPOISON || advice === MADV_SOFT_OFFLINE;
}

/**
 * madvise(addr, length, advice). EINVAL for unknown advice, an unaligned
 * addr, or a wrapping range; length 0 succeeds; MADV_HWPOISON and
 * MADV_SOFT_OFFLINE need CAP_SYS_ADMIN (EPERM). Per mapping:
 * MADV_DONTNEED(_LOCKED) empties private memory (anonymous pages read zero
 * again, file pages the file's bytes) and leaves shared memory alone;
 * MADV_FREE frees private anonymous pages (EINVAL elsewhere); MADV_REMOVE
 * zeroes shared writable memory (EINVAL on anonymous private, EACCES on
 * other memory); MADV_WIPEONFORK is EINVAL on file or shared memory;
 * MADV_POPULATE_READ/WRITE touch the pages (EINVAL without the access,
 * ENOMEM at the first hole); the rest are accepted. Holes in the range give
 * ENOMEM after the mapped parts are done.
 */
function madvise(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const mem = k.mem;
  const start = a.ptr(0);
  const lenArg = a.ptr(1);
  const advice = a.int(2);
  if (!validAdvice(advice)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageUp(lenArg);
  if (lenArg !== 0 && len >= TWO64) return -EINVAL;
  const end = start + len;
  if (end >= TWO64) return -EINVAL;
  if (end === start) return 0;
  if (advice === MADV_HWPOISON || advice === MADV_SOFT_OFFLINE) return -EPERM;
  if (advice === MADV_POPULATE_READ || advice === MADV_POPULATE_WRITE) {
    const kind = advice === MADV_POPULATE_READ ? PROT_READ : PROT_WRITE;
    let at = start;
    while (at < end) {
      const m = mem.mappingAt(at);
      if (!m) return -ENOMEM;
      if ((m.prot & kind) === 0) return -EINVAL;
      const e = Math.min(end, m.end);
      const access = advice === MADV_POPULATE_READ ? "read" : "write";
      for (let p = at; p < e; p += PAGE_SIZE) mem.frameFor(p, access);
      at = e;
    }
    return 0;
  }
  return walkMappings(mem, start, end, (m, s, e) => {
    switch (advice) {
      case MADV_DONTNEED:
      case MADV_DONTNEED_LOCKED:
        if (!m.shared) mem.discard(s, e - s);
        return 0;
      case MADV_FREE:
        if (!isAnonymous(m)) return -EINVAL;
        mem.discard(s, e - s);
        return 0;
      case MADV_REMOVE:
        if (isAnonymous(m)) return -EINVAL;
        if (!m.shared || (m.prot & PROT_WRITE) === 0) return -EACCES;
        mem.discard(s, e - s);
        return 0;
      case MADV_WIPEONFORK:
        return isAnonymous(m) ? 0 : -EINVAL;
      case MADV_WILLNEED:
      case MADV_COLD:
      case MADV_PAGEOUT:
      default:
        return 0;
    }
  });
}

/**
 * PR_SET_VMA_ANON_NAME for prctl: names the anonymous mappings in
 * [start, start+len) `[anon:NAME]` (undefined clears the name), splitting
 * mappings at the edges. EINVAL for an unaligned start or wrapping range;
 * EBADF at the first file-backed or shared mapping; ENOMEM for holes (after
 * naming the mapped parts). `[heap]` and `[stack]` keep their names, as
 * /proc/self/maps shows them.
 */
export function nameAnonymousRange(
  k: Kernel,
  start: number,
  lenArg: number,
  name: string | undefined,
): number {
  const mem = k.mem;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageUp(lenArg);
  if (lenArg !== 0 && len >= TWO64) return -EINVAL;
  const end = start + len;
  if (end >= TWO64) return -EINVAL;
  if (end === start) return 0;
  const label = name === undefined ? "" : `[anon:${name}]`;
  return walkMappings(mem, start, end, (m, s, e) => {
    if (!isAnonymous(m)) return -EBADF;
    if (m.name !== "" && !m.name.startsWith("[anon:")) return 0;
    splitAt(mem, s);
    splitAt(mem, e);
    mem.rename(s, e, label);
    return 0;
  });
}

// -------------------------------------------------------- mincore, msync

/**
 * mincore(addr, length, vec): one byte per page, 1 when resident: touched
 * pages, and every page of a file mapping that lies within the file (it is
 * in the page cache). EINVAL for an unaligned addr, ENOMEM for a range
 * beyond the address space or reaching unmapped memory (the bytes before
 * the hole are written first), EFAULT for a bad vec.
 */
function mincore(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const mem = k.mem;
  const start = a.ptr(0);
  const len = a.ptr(1);
  const vec = a.ptr(2);
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (len > TASK_SIZE || start > TASK_SIZE - len) return -ENOMEM;
  const pages = Math.ceil(len / PAGE_SIZE);
  if (vec > TASK_SIZE || pages > TASK_SIZE - vec) return -EFAULT;
  let at = start;
  let out = vec;
  const end = start + pages * PAGE_SIZE;
  while (at < end) {
    const m = mem.mappingAt(at);
    if (!m) return -ENOMEM;
    const e = Math.min(end, m.end);
    const bytes = mem.residency(at, e - at);
    if (m.file) {
      const fileEnd = m.start + (m.file.bytes.length - m.file.offset);
      for (let i = 0; i < bytes.length; i++) if (at + i * PAGE_SIZE < fileEnd) bytes[i] = 1;
    }
    if (!mem.accessible(out, bytes.length, "write")) return -EFAULT;
    mem.write(out, bytes);
    out += bytes.length;
    at = e;
  }
  return 0;
}

/**
 * msync(addr, length, flags): EINVAL for unknown flags, an unaligned addr,
 * or MS_ASYNC with MS_SYNC; ENOMEM for a wrapping range or unmapped parts.
 * Shared file mappings in the range are written back (`shared_maps.ts`).
 */
function msync(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const start = a.ptr(0);
  const lenArg = a.ptr(1);
  const flags = a.int(2);
  if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) !== 0) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if ((flags & MS_ASYNC) !== 0 && (flags & MS_SYNC) !== 0) return -EINVAL;
  const end = start + pageUp(lenArg);
  if (end >= TWO64) return -ENOMEM;
  if (end === start) return 0;
  const r = walkMappings(k.mem, start, end, () => 0);
  if (r === 0) syncShared(k, start, end);
  return r;
}

// ------------------------------------------------------------------ mlock

/**
 * The common part of mlock/mlock2/munlock: the range widened to whole
 * pages; EPERM when RLIMIT_MEMLOCK is 0 (locking only), ENOMEM beyond it or
 * when part of the range is unmapped.
 */
function lockRange(k: Kernel, a: SyscallArgs, locking: boolean): number {
  const addr = a.ptr(0);
  const start = pageDown(addr);
  const len = pageUp(a.ptr(1) + (addr - start));
  if (locking) {
    const lim = getRlimit(k, RLIMIT_MEMLOCK).cur;
    if (lim === 0n) return -EPERM;
    if (BigInt(len) > lim) return -ENOMEM;
  }
  const end = start + len;
  if (end >= TWO64) return -EINVAL;
  if (end === start) return 0;
  return k.mem.isCovered(start, end) ? 0 : -ENOMEM;
}

/** mlock2(addr, len, flags): flags may only hold MLOCK_ONFAULT. */
function mlock2(k: Kernel, _t: Thread, a: SyscallArgs): number {
  if ((a.u32(2) & ~MLOCK_ONFAULT) !== 0) return -EINVAL;
  return lockRange(k, a, true);
}

/**
 * mlockall(flags): EINVAL for no flags, unknown flags or MCL_ONFAULT alone;
 * EPERM when RLIMIT_MEMLOCK is 0; ENOMEM with MCL_CURRENT when everything
 * mapped exceeds it.
 */
function mlockall(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const flags = a.int(0);
  if (flags === 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) !== 0) return -EINVAL;
  if (flags === MCL_ONFAULT) return -EINVAL;
  const lim = getRlimit(k, RLIMIT_MEMLOCK).cur;
  if (lim === 0n) return -EPERM;
  if ((flags & MCL_CURRENT) !== 0 && BigInt(k.mem.mappedBytes) > lim) return -ENOMEM;
  return 0;
}

/**
 * riscv_flush_icache(start, end, flags): flags other than
 * SYS_RISCV_FLUSH_ICACHE_LOCAL (1) are EINVAL; the interpreter already drops
 * decoded code when it is written, so there is nothing to flush.
 */
function riscvFlushIcache(_k: Kernel, _t: Thread, a: SyscallArgs): number {
  return (a.u64(2) & ~1n) !== 0n ? -EINVAL : 0;
}

/** The memory family's handlers by syscall name. */
export const MEMORY: SyscallFamilyTable = {
  family: "memory",
  handlers: {
    brk,
    mmap,
    munmap,
    mprotect,
    mremap,
    madvise,
    mincore,
    msync,
    mlock: (k, _t, a) => lockRange(k, a, true),
    mlock2,
    munlock: (k, _t, a) => lockRange(k, a, false),
    mlockall,
    munlockall: () => 0,
    riscv_flush_icache: riscvFlushIcache,
  },
};
