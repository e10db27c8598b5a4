/**
 * Guest memory: a sparse 64-bit address space of 4 KiB pages.
 *
 * Layout of the design:
 * - One arena (a `WebAssembly.Memory`) holds every touched page, so a later
 *   compiled tier can import it. Views over it are plain (not length-tracking:
 *   V8 accesses those 5-25x slower) and are replaced when the arena grows;
 *   growth happens only in slow paths, after which callers reload `u8`/`dv`.
 * - Mappings (VMAs) say what is reserved and with which protection. They cost
 *   nothing until a page is touched; then a frame is taken from the arena.
 * - Three direct-mapped software TLBs (read, write, fetch) map a page to its
 *   arena offset; the interpreter checks them inline and calls the slow path
 *   here on a miss.
 *
 * Addresses cross the kernel-facing API as JS numbers (exact below 2^53; user
 * space is below 2^47). The interpreter passes them as Int32 lo/hi pairs.
 *
 * The memory limit (`--memory`, {@linkcode MemoryOptions.maxBytes}) bounds
 * two things. The kernel refuses (ENOMEM) mappings that would take the
 * *committed* bytes, every mapping that can be accessed (any protection but
 * PROT_NONE), past it: strict overcommit accounting, as Linux does with
 * `vm.overcommit_memory=2`, so reservations with PROT_NONE (Go's heap
 * arenas) cost nothing. And the arena never grows past it: a page touched
 * beyond it (possible only through memory made PROT_NONE after it was
 * touched, or read-only mappings the loader made) throws
 * {@linkcode OutOfMemory}, which the kernel turns into SIGKILL, as Linux's
 * OOM killer would.
 * @module
 */

/** Bytes per page. */
export const PAGE_SIZE = 4096;
/** Page shift (log2 of {@linkcode PAGE_SIZE}). */
export const PAGE_SHIFT = 12;
/** Readable page. */
export const PROT_READ = 1;
/** Writable page. */
export const PROT_WRITE = 2;
/** Executable page. */
export const PROT_EXEC = 4;

/** Entries per software TLB (a power of two). */
export const TLB_SIZE = 1024;
const TLB_MASK = TLB_SIZE - 1;
/**
 * A tag word no access can match: hits compare the tag with the address
 * masked by `-4096 | (size - 1)`, in which bit 11 is always clear.
 */
const TLB_INVALID = 0x800;

/**
 * Layout of the state areas at the start of the arena ({@linkcode GuestMemory.state}):
 * byte offsets of the software TLBs, which compiled WebAssembly reads
 * directly, and of areas the CPU keeps there (its register file and control
 * words for WebAssembly code, its dispatch cache).
 */
export const STATE = {
  /** Read TLB tags: per entry the page's address as a little-endian 64-bit word. */
  rTag: 0x0000,
  /** Read TLB: per entry the page's arena offset (32-bit). */
  rOff: 0x2000,
  /** Write TLB tags, as for reads. */
  wTag: 0x3000,
  /** Write TLB arena offsets. */
  wOff: 0x5000,
  /**
   * The LR reservation: the address (64-bit), then a 32-bit word that is 1
   * while it is live. Placing one also evicts the page's write-TLB entry.
   */
  res: 0x6000,
  /** Start of the area the CPU owns. */
  cpu: 0x6100,
  /** Bytes of the state areas, at the start of the arena. */
  size: 0x20000,
} as const;
const TWO32 = 4294967296;
/** Arena growth unit: one WebAssembly page. */
const WASM_PAGE = 65536;
/**
 * Default and largest memory limit one may ask for: 2 GiB (the arena, whose
 * offsets are int32, holds 64 KiB less, and the limit is capped to that).
 */
export const DEFAULT_MEMORY_LIMIT: number = 2 ** 31;
/** Smallest memory limit: 16 MiB (the main thread's stack alone commits 8 MiB). */
export const MIN_MEMORY_LIMIT: number = 16 * 2 ** 20;
/** Largest arena: 2 GiB less one WebAssembly page. */
const ARENA_MAX = 2 ** 31 - WASM_PAGE;

/** `n` as a 64-bit unsigned hex number (negative numbers are addresses at the top of the space). */
export function hex64(n: number): string {
  return (n < 0 ? BigInt.asUintN(64, BigInt(n)) : n).toString(16);
}

/** What a faulting access was doing. */
export type AccessKind = "read" | "write" | "fetch";

/** A guest access that hit no mapping or lacked permission. */
export class MemoryFault extends Error {
  /** The faulting guest address. */
  readonly address: number;
  /** What the access was doing. */
  readonly kind: AccessKind;
  /** `unmapped` (SEGV_MAPERR) or `protection` (SEGV_ACCERR). */
  readonly reason: "unmapped" | "protection";

  /** Creates a fault record. */
  constructor(address: number, kind: AccessKind, reason: "unmapped" | "protection") {
    super(`${kind} fault at 0x${hex64(address)} (${reason})`);
    this.name = "MemoryFault";
    this.address = address;
    this.kind = kind;
    this.reason = reason;
  }
}

/** The arena is full: a page touched past the memory limit (the kernel kills the process). */
export class OutOfMemory extends RangeError {
  /** Creates the error. */
  constructor(limit: number) {
    super(`guest memory exhausted: arena limit reached (memory limit ${limit} bytes)`);
    this.name = "OutOfMemory";
  }
}

/** Backing bytes for a file-mapped region: page contents are copied on first touch. */
export interface FileBacking {
  /** The whole file's bytes. */
  readonly bytes: Uint8Array;
  /** File offset that corresponds to the mapping's start. */
  readonly offset: number;
}

/** One mapping (a VMA): a page-aligned range with one protection. */
export interface Mapping {
  /** First address (page aligned). */
  start: number;
  /** One past the last address (page aligned). */
  end: number;
  /** PROT_* bits. */
  prot: number;
  /** Shown in `/proc/self/maps`: a path, `[heap]`, `[stack]`, or empty. */
  name: string;
  /** File contents for file-backed private mappings. */
  file?: FileBacking;
  /** True for MAP_SHARED mappings (reported as `s` in maps). */
  shared?: boolean;
}

/** Options for {@linkcode GuestMemory}. */
export interface MemoryOptions {
  /**
   * The memory limit in bytes: the most committed (accessible mapped) bytes
   * the kernel allows, and the largest arena (touched memory); default and
   * at most {@linkcode DEFAULT_MEMORY_LIMIT}.
   */
  maxBytes?: number;
}

/** Receives notice that code the CPU had decoded was written or unmapped. */
export type CodeInvalidator = (vpn: number) => void;

/** Splits a guest address into its page number (a double). */
function vpnOf(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}

/**
 * The guest's address space. One instance is shared by every thread of a
 * process.
 */
export class GuestMemory {
  /**
   * The arena, a shared `WebAssembly.Memory` (growing it never detaches the
   * views over it): the software TLBs and the CPU's areas at the offsets of
   * {@linkcode STATE}, then every touched page, and space the CPU takes
   * for its decode cache ({@linkcode GuestMemory.allocPrivate}). Compiled
   * WebAssembly works on this one memory.
   */
  readonly arena: WebAssembly.Memory;
  /** The same memory, under the name the CPU's state areas use. */
  readonly state: WebAssembly.Memory;
  /** Byte view of the arena; replaced when the arena grows. */
  u8: Uint8Array;
  /** DataView of the arena; replaced when the arena grows. */
  dv: DataView;

  /**
   * Read TLB tags: entry t is [2t] = the page's address low word, [2t+1] =
   * its high word. A load of `size` bytes at (lo, hi) hits when
   * `rTag[2t] === (lo & (-4096 | (size - 1))) && rTag[2t + 1] === hi`
   * (aligned accesses only; the rest take the slow path).
   */
  readonly rTag: Int32Array;
  /** Read TLB: arena offset of the page. */
  readonly rOff: Int32Array;
  /** Write TLB tags, as {@linkcode rTag}. */
  readonly wTag: Int32Array;
  /** Write TLB: arena offset of the page. */
  readonly wOff: Int32Array;

  /** Scratch result of a 64-bit slow-path load: low word. */
  vlo = 0;
  /** Scratch result of a 64-bit slow-path load: high word. */
  vhi = 0;

  /** Called when a decoded code page is written, unmapped or reprotected. */
  onCodeInvalidate: CodeInvalidator | undefined;

  /** Sorted, non-overlapping mappings. */
  #maps: Mapping[] = [];
  /** Touched pages: page number to arena offset plus PROT bits in the low 3 bits. */
  #frames = new Map<number, number>();
  /** Arena offsets of released frames, reused before the arena grows. */
  #free: number[] = [];
  /** Next never-used arena offset (the state areas come first). */
  #top: number = STATE.size;
  readonly #maxBytes: number;
  /** The memory limit (see {@linkcode MemoryOptions.maxBytes}). */
  readonly limit: number;
  /** Pages the CPU has decoded: writes to them go through the slow path. */
  #code = new Set<number>();
  /**
   * The LR reservation, in the state areas so that compiled code can place
   * it: [0] address low word, [1] high word, [2] 1 while it is live.
   */
  readonly #res: Int32Array;
  /** Highest number of frames ever live at once. */
  #peakFrames = 0;

  /** Creates an empty address space. */
  constructor(options: MemoryOptions = {}) {
    // The arena holds 64 KiB less than 2 GiB: the limit is never more than it can hold.
    this.limit = Math.min(options.maxBytes ?? DEFAULT_MEMORY_LIMIT, ARENA_MAX);
    // The state areas the compiled code uses come on top of the guest's pages.
    this.#maxBytes = this.limit + STATE.size;
    this.arena = new WebAssembly.Memory({
      initial: 16,
      maximum: Math.ceil(this.#maxBytes / WASM_PAGE),
      shared: true,
    });
    this.state = this.arena;
    const buf = this.arena.buffer;
    this.u8 = new Uint8Array(buf);
    this.dv = new DataView(buf);
    this.rTag = new Int32Array(buf, STATE.rTag, 2 * TLB_SIZE).fill(TLB_INVALID);
    this.rOff = new Int32Array(buf, STATE.rOff, TLB_SIZE);
    this.wTag = new Int32Array(buf, STATE.wTag, 2 * TLB_SIZE).fill(TLB_INVALID);
    this.wOff = new Int32Array(buf, STATE.wOff, TLB_SIZE);
    this.#res = new Int32Array(buf, STATE.res, 3);
  }

  /** Page of the live LR reservation, or -1. */
  get #resVpn(): number {
    const r = this.#res;
    return r[2] === 0 ? -1 : vpnOf(r[1] * TWO32 + (r[0] >>> 0));
  }

  /** Address of the live LR reservation (meaningful while it is live). */
  get #resAddr(): number {
    return this.#res[1] * TWO32 + (this.#res[0] >>> 0);
  }

  /** Drops the LR reservation. */
  #unreserve(): void {
    this.#res[2] = 0;
  }

  /**
   * Takes `bytes` (a multiple of the page size) of arena space for the CPU's
   * own use (its decode cache), never handed to the guest; returns the offset.
   */
  allocPrivate(bytes: number): number {
    this.#reserve(bytes);
    const off = this.#top;
    this.#top += bytes;
    return off;
  }

  /** Grows the arena so that `bytes` more fit past the top. */
  #reserve(bytes: number): void {
    if (this.#top + bytes <= this.u8.length) return;
    const need = Math.ceil((this.#top + bytes - this.u8.length) / WASM_PAGE);
    const want = Math.max(need, Math.max(this.u8.length, 1 << 24) / WASM_PAGE);
    const cap = Math.floor(this.#maxBytes / WASM_PAGE) - this.u8.length / WASM_PAGE;
    if (cap < need) throw new OutOfMemory(this.limit);
    this.arena.grow(Math.min(want, cap));
    this.u8 = new Uint8Array(this.arena.buffer);
    this.dv = new DataView(this.arena.buffer);
  }

  // ---------------------------------------------------------------- mappings

  /** The mappings, sorted by address (do not mutate). */
  get mappings(): readonly Readonly<Mapping>[] {
    return this.#maps;
  }

  /** Number of pages currently backed by a frame (touched). */
  get touchedPages(): number {
    return this.#frames.size;
  }

  /** Largest number of pages ever backed at once. */
  get peakTouchedPages(): number {
    return this.#peakFrames;
  }

  /** Total bytes covered by mappings (reserved address space). */
  get mappedBytes(): number {
    let n = 0;
    for (const m of this.#maps) n += m.end - m.start;
    return n;
  }

  /** Bytes the memory limit counts: every mapping that is not PROT_NONE. */
  get committedBytes(): number {
    let n = 0;
    for (const m of this.#maps) if (m.prot !== 0) n += m.end - m.start;
    return n;
  }

  /** Committed bytes (see {@linkcode committedBytes}) within [start, end). */
  committedIn(start: number, end: number): number {
    let n = 0;
    for (const m of this.#maps) {
      if (m.start >= end) break;
      if (m.end > start && m.prot !== 0) n += Math.min(end, m.end) - Math.max(start, m.start);
    }
    return n;
  }

  /** True when `more` committed bytes (negative: fewer) stay within {@linkcode limit}. */
  mayCommit(more: number): boolean {
    return more <= 0 || this.committedBytes + more <= this.limit;
  }

  /** The mapping that contains `addr`, if any. */
  mappingAt(addr: number): Readonly<Mapping> | undefined {
    const i = this.#indexAt(addr);
    return i >= 0 ? this.#maps[i] : undefined;
  }

  /** True when no mapping overlaps [start, end). */
  isFree(start: number, end: number): boolean {
    for (const m of this.#maps) {
      if (m.start >= end) break;
      if (m.end > start) return false;
    }
    return true;
  }

  /**
   * Maps [start, start+length) (page aligned) with `prot`, replacing whatever
   * was there (as MAP_FIXED does). Pages read as zero, or as the file's bytes.
   */
  map(
    start: number,
    length: number,
    prot: number,
    name = "",
    file?: FileBacking,
    shared = false,
  ): void {
    checkRange(start, length);
    const end = start + length;
    this.unmap(start, length);
    const m: Mapping = { start, end, prot, name, file, shared };
    let i = 0;
    while (i < this.#maps.length && this.#maps[i].start < start) i++;
    this.#maps.splice(i, 0, m);
    this.#coalesce(start, end);
  }

  /**
   * Merges mappings around [start, end) with neighbours that continue them
   * (same protection, name and sharing; anonymous, or the same file at the
   * next offset), as Linux merges VMAs: `/proc/self/maps` then matches, and
   * a heap grown by many brk calls stays one mapping.
   */
  #coalesce(start: number, end: number): void {
    const maps = this.#maps;
    const left = this.#indexAt(start - 1);
    let i = left >= 0 ? left : maps.findIndex((m) => m.start >= start);
    if (i < 0) return;
    while (i < maps.length - 1 && maps[i].start <= end) {
      const a = maps[i];
      const b = maps[i + 1];
      if (continues(a, b)) {
        a.end = b.end;
        maps.splice(i + 1, 1);
      } else {
        i++;
      }
    }
  }

  /** Removes every mapping in [start, start+length), splitting at the edges. */
  unmap(start: number, length: number): void {
    checkRange(start, length);
    const end = start + length;
    this.#split(start);
    this.#split(end);
    const kept: Mapping[] = [];
    for (const m of this.#maps) {
      if (m.start >= start && m.end <= end) this.#dropFrames(m.start, m.end);
      else kept.push(m);
    }
    this.#maps = kept;
    this.flushTlb();
  }

  /**
   * Changes the protection of [start, start+length). Returns false (and
   * changes nothing) when part of the range is not mapped, as mprotect's ENOMEM.
   */
  protect(start: number, length: number, prot: number): boolean {
    checkRange(start, length);
    const end = start + length;
    if (!this.isCovered(start, end)) return false;
    this.#split(start);
    this.#split(end);
    for (const m of this.#maps) {
      if (m.start >= start && m.end <= end) m.prot = prot;
    }
    this.#forFrames(start, end, (vpn, entry) => {
      this.#frames.set(vpn, (entry & ~7) | prot);
      this.#invalidateCode(vpn);
    });
    this.#coalesce(start, end);
    this.flushTlb();
    return true;
  }

  /** True when every page of [start, end) is mapped. */
  isCovered(start: number, end: number): boolean {
    let at = start;
    for (const m of this.#maps) {
      if (m.end <= at) continue;
      if (m.start > at) return false;
      at = m.end;
      if (at >= end) return true;
    }
    return at >= end;
  }

  /**
   * Discards the contents of [start, start+length) so the pages read as zero
   * (or the file's bytes) again, as MADV_DONTNEED does on private mappings.
   */
  discard(start: number, length: number): void {
    checkRange(start, length);
    this.#dropFrames(start, start + length);
    this.flushTlb();
  }

  /**
   * Names the mapped parts of [start, end) (`[heap]`, `[anon:NAME]`),
   * splitting mappings at the edges and merging equal neighbours after.
   */
  rename(start: number, end: number, name: string): void {
    this.#split(start);
    this.#split(end);
    for (const m of this.#maps) if (m.start >= start && m.end <= end) m.name = name;
    this.#coalesce(start, end);
  }

  /** Which pages of [start, start+length) are backed by frames (for mincore). */
  residency(start: number, length: number): Uint8Array {
    const pages = Math.ceil(length / PAGE_SIZE);
    const out = new Uint8Array(pages);
    const first = vpnOf(start);
    for (let i = 0; i < pages; i++) out[i] = this.#frames.has(first + i) ? 1 : 0;
    return out;
  }

  /** Forgets every translation (after a change of mappings or protections). */
  flushTlb(): void {
    this.rTag.fill(TLB_INVALID);
    this.wTag.fill(TLB_INVALID);
  }

  #indexAt(addr: number): number {
    let lo = 0;
    let hi = this.#maps.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = this.#maps[mid];
      if (addr < m.start) hi = mid - 1;
      else if (addr >= m.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Splits the mapping that straddles `addr` so a boundary falls there. */
  #split(addr: number): void {
    const i = this.#indexAt(addr);
    if (i < 0) return;
    const m = this.#maps[i];
    if (m.start === addr) return;
    const tail: Mapping = { ...m, start: addr };
    if (m.file) tail.file = { bytes: m.file.bytes, offset: m.file.offset + (addr - m.start) };
    m.end = addr;
    this.#maps.splice(i + 1, 0, tail);
  }

  #forFrames(start: number, end: number, f: (vpn: number, entry: number) => void): void {
    const first = vpnOf(start);
    const last = vpnOf(end);
    if (last - first <= this.#frames.size) {
      for (let v = first; v < last; v++) {
        const e = this.#frames.get(v);
        if (e !== undefined) f(v, e);
      }
    } else {
      for (const [v, e] of [...this.#frames]) if (v >= first && v < last) f(v, e);
    }
  }

  #dropFrames(start: number, end: number): void {
    this.#forFrames(start, end, (vpn, entry) => {
      this.#frames.delete(vpn);
      this.#free.push(entry & ~7);
      this.#invalidateCode(vpn);
      if (vpn === this.#resVpn) this.#unreserve();
    });
  }

  #invalidateCode(vpn: number): void {
    if (this.#code.delete(vpn)) this.onCodeInvalidate?.(vpn);
  }

  // ------------------------------------------------------------------ frames

  /**
   * Arena offset of the page holding `addr` for an access of `kind`, taking a
   * frame on first touch. Throws {@linkcode MemoryFault}.
   */
  frameFor(addr: number, kind: AccessKind): number {
    const vpn = vpnOf(addr);
    let entry = this.#frames.get(vpn);
    if (entry === undefined) {
      const i = this.#indexAt(addr);
      if (i < 0 || addr < 0) throw new MemoryFault(addr, kind, "unmapped");
      const m = this.#maps[i];
      if (!allows(m.prot, kind)) throw new MemoryFault(addr, kind, "protection");
      entry = this.#touch(vpn, m);
    } else if (!allows(entry & 7, kind)) {
      throw new MemoryFault(addr, kind, "protection");
    }
    return entry & ~7;
  }

  /** Backs page `vpn` of mapping `m` with a fresh frame. */
  #touch(vpn: number, m: Mapping): number {
    const entry = this.#takeFrame() | m.prot;
    this.#frames.set(vpn, entry);
    if (this.#frames.size > this.#peakFrames) this.#peakFrames = this.#frames.size;
    if (m.file) this.#fillFromFile(entry & ~7, m, vpn * PAGE_SIZE);
    return entry;
  }

  #takeFrame(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) {
      this.u8.fill(0, reused, reused + PAGE_SIZE);
      return reused;
    }
    this.#reserve(PAGE_SIZE);
    const off = this.#top;
    this.#top += PAGE_SIZE;
    return off;
  }

  #fillFromFile(off: number, m: Mapping, pageAddr: number): void {
    const file = m.file!;
    const from = file.offset + (pageAddr - m.start);
    const n = Math.min(PAGE_SIZE, file.bytes.length - from);
    if (n > 0) this.u8.set(file.bytes.subarray(from, from + n), off);
  }

  // ------------------------------------------------------- interpreter paths

  /**
   * Fills the TLB of `kind` for the page of (lo, hi) and returns its arena
   * offset. Called by the interpreter on a TLB miss.
   */
  translate(lo: number, hi: number, kind: AccessKind): number {
    const addr = hi * TWO32 + (lo >>> 0);
    if (hi < 0) throw new MemoryFault(addr, kind, "unmapped");
    const off = this.frameFor(addr, kind);
    const t = (lo >>> PAGE_SHIFT) & TLB_MASK;
    const vpn = vpnOf(addr);
    if (kind === "read") {
      this.rTag[2 * t] = lo & -PAGE_SIZE;
      this.rTag[2 * t + 1] = hi;
      this.rOff[t] = off;
    } else if (kind === "write" && !this.#code.has(vpn) && vpn !== this.#resVpn) {
      this.wTag[2 * t] = lo & -PAGE_SIZE;
      this.wTag[2 * t + 1] = hi;
      this.wOff[t] = off;
    }
    return off;
  }

  /** Slow-path load of `size` bytes (1, 2, 4, 8) into {@linkcode vlo}/{@linkcode vhi}, little-endian. */
  loadSlow(lo: number, hi: number, size: number): void {
    if ((lo & (PAGE_SIZE - 1)) <= PAGE_SIZE - size) {
      const off = this.translate(lo, hi, "read") + (lo & (PAGE_SIZE - 1));
      this.vlo = size >= 4 ? this.dv.getInt32(off, true) : readSmall(this.u8, off, size);
      this.vhi = size === 8 ? this.dv.getInt32(off + 4, true) : 0;
      return;
    }
    // The access crosses a page: gather byte by byte, translating each page.
    let vlo = 0;
    let vhi = 0;
    for (let i = 0; i < size; i++) {
      const b = this.#byteAt(lo, hi, i, "read");
      if (i < 4) vlo |= b << (8 * i);
      else vhi |= b << (8 * (i - 4));
    }
    this.vlo = vlo;
    this.vhi = vhi;
  }

  /** Slow-path store of the low `size` bytes of (vlo, vhi) at (lo, hi). */
  storeSlow(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    const addr = hi * TWO32 + (lo >>> 0);
    const vpn = vpnOf(addr);
    if (this.#res[2] !== 0 && addr < this.#resAddr + 8 && addr + size > this.#resAddr) {
      this.#unreserve();
    }
    if ((lo & (PAGE_SIZE - 1)) <= PAGE_SIZE - size) {
      const off = this.translate(lo, hi, "write") + (lo & (PAGE_SIZE - 1));
      this.#invalidateCode(vpn);
      writeSmall(this.dv, off, size, vlo, vhi);
      return;
    }
    // Check both pages before writing either, so a fault leaves memory unchanged.
    this.#offsetOf(lo, hi, 0, "write");
    this.#offsetOf(lo, hi, size - 1, "write");
    for (let i = 0; i < size; i++) {
      const b = i < 4 ? (vlo >>> (8 * i)) & 255 : (vhi >>> (8 * (i - 4))) & 255;
      this.u8[this.#offsetOf(lo, hi, i, "write")] = b;
    }
    this.#invalidateCode(vpn);
    this.#invalidateCode(vpn + 1);
  }

  #offsetOf(lo: number, hi: number, i: number, kind: AccessKind): number {
    const a = hi * TWO32 + (lo >>> 0) + i;
    return this.frameFor(a, kind) + (a % PAGE_SIZE);
  }

  #byteAt(lo: number, hi: number, i: number, kind: AccessKind): number {
    return this.u8[this.#offsetOf(lo, hi, i, kind)];
  }

  /**
   * Arena offset of the page holding `addr` for instruction fetch; marks the
   * page as code so later writes to it reach {@linkcode onCodeInvalidate}.
   */
  fetchPage(addr: number): number {
    const off = this.frameFor(addr, "fetch");
    const vpn = vpnOf(addr);
    if (!this.#code.has(vpn)) {
      this.#code.add(vpn);
      this.#evictWrite(vpn);
    }
    return off;
  }

  /** Places an LR reservation on the 8 bytes at `addr`; stores there clear it. */
  reserve(addr: number): void {
    this.#res[0] = addr | 0;
    this.#res[1] = Math.floor(addr / TWO32) | 0;
    this.#res[2] = 1;
    this.#evictWrite(vpnOf(addr));
  }

  /** Consumes the reservation: true when it is still live and covers `addr`. */
  claimReservation(addr: number): boolean {
    const ok = this.#res[2] !== 0 && this.#resAddr === addr;
    this.#unreserve();
    return ok;
  }

  /** Drops any reservation (on a context switch). */
  clearReservation(): void {
    this.#unreserve();
  }

  #evictWrite(vpn: number): void {
    const t = vpn & TLB_MASK;
    const lo = (vpn * PAGE_SIZE) | 0;
    if (this.wTag[2 * t] === lo) this.wTag[2 * t] = TLB_INVALID;
  }

  // ------------------------------------------------------------- kernel API

  /** Copies `length` guest bytes at `addr` out (needs read permission). */
  read(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.#copy(addr, length, "read", (off, at, n) => out.set(this.u8.subarray(off, off + n), at));
    return out;
  }

  /** Copies `bytes` into guest memory at `addr` (needs write permission). */
  write(addr: number, bytes: Uint8Array): void {
    this.#copy(addr, bytes.length, "write", (off, at, n) => {
      this.u8.set(bytes.subarray(at, at + n), off);
    });
    const first = vpnOf(addr);
    const last = vpnOf(addr + Math.max(bytes.length, 1) - 1);
    for (let v = first; v <= last; v++) this.#invalidateCode(v);
    if (this.#res[2] !== 0 && addr < this.#resAddr + 8 && addr + bytes.length > this.#resAddr) {
      this.#unreserve();
    }
  }

  /** Writes bytes ignoring protection (the loader filling read-only segments). */
  poke(addr: number, bytes: Uint8Array): void {
    this.#copy(addr, bytes.length, "poke", (off, at, n) => {
      this.u8.set(bytes.subarray(at, at + n), off);
    });
  }

  /** True when [addr, addr+length) is entirely accessible for `kind`. */
  accessible(addr: number, length: number, kind: AccessKind): boolean {
    if (addr < 0 || !Number.isSafeInteger(addr + length)) return false;
    let at = addr;
    const end = addr + length;
    while (at < end) {
      const m = this.mappingAt(at);
      if (!m || !allows(m.prot, kind)) return false;
      at = m.end;
    }
    return true;
  }

  #copy(
    addr: number,
    length: number,
    kind: AccessKind | "poke",
    f: (off: number, at: number, n: number) => void,
  ): void {
    if (length === 0) return;
    if (addr < 0 || !Number.isSafeInteger(addr + length)) {
      throw new MemoryFault(addr, kind === "poke" ? "write" : kind, "unmapped");
    }
    if (kind !== "poke" && !this.accessible(addr, length, kind)) {
      // Find the first bad address for the fault record.
      let at = addr;
      while (at < addr + length && this.mappingAt(at) && allows(this.mappingAt(at)!.prot, kind)) {
        at = this.mappingAt(at)!.end;
      }
      throw new MemoryFault(at, kind, this.mappingAt(at) ? "protection" : "unmapped");
    }
    let at = 0;
    while (at < length) {
      const a = addr + at;
      const inPage = a % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - inPage, length - at);
      const off = kind === "poke" ? this.#pokeFrame(a) : this.frameFor(a, kind);
      f(off + inPage, at, n);
      at += n;
    }
  }

  #pokeFrame(addr: number): number {
    const i = this.#indexAt(addr);
    if (i < 0) throw new MemoryFault(addr, "write", "unmapped");
    const vpn = vpnOf(addr);
    const entry = this.#frames.get(vpn) ?? this.#touch(vpn, this.#maps[i]);
    this.#invalidateCode(vpn);
    return entry & ~7;
  }

  /** Reads an unsigned byte. */
  readU8(addr: number): number {
    return this.read(addr, 1)[0];
  }

  /** Reads a little-endian u32. */
  readU32(addr: number): number {
    const b = this.read(addr, 4);
    return new DataView(b.buffer).getUint32(0, true);
  }

  /** Reads a little-endian i32. */
  readI32(addr: number): number {
    return this.readU32(addr) | 0;
  }

  /** Reads a little-endian u64. */
  readU64(addr: number): bigint {
    const b = this.read(addr, 8);
    return new DataView(b.buffer).getBigUint64(0, true);
  }

  /** Reads a little-endian u64 as a number (exact below 2^53). */
  readU64Number(addr: number): number {
    const b = this.read(addr, 8);
    const dv = new DataView(b.buffer);
    return dv.getUint32(4, true) * TWO32 + dv.getUint32(0, true);
  }

  /** Writes a little-endian u32. */
  writeU32(addr: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.write(addr, b);
  }

  /** Writes a little-endian u64 (bigint, or a number below 2^53 or above -2^53). */
  writeU64(addr: number, v: bigint | number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(v)), true);
    this.write(addr, b);
  }

  /**
   * Reads a NUL-terminated string of at most `max` bytes (decoded as UTF-8).
   * Returns undefined when no NUL comes within `max` bytes.
   */
  readCString(addr: number, max = 4096): string | undefined {
    const bytes = this.readCStringBytes(addr, max);
    return bytes && new TextDecoder().decode(bytes);
  }

  /** As {@linkcode readCString}, but the raw bytes. */
  readCStringBytes(addr: number, max = 4096): Uint8Array | undefined {
    const parts: number[] = [];
    let off = 0;
    for (let i = 0; i < max; i++) {
      const a = addr + i;
      off = i === 0 || a % PAGE_SIZE === 0 ? this.frameFor(a, "read") + (a % PAGE_SIZE) : off + 1;
      const b = this.u8[off];
      if (b === 0) return Uint8Array.from(parts);
      parts.push(b);
    }
    return undefined;
  }
}

/** True when `b` starts where `a` ends and continues it in every attribute. */
function continues(a: Mapping, b: Mapping): boolean {
  if (a.end !== b.start || a.prot !== b.prot || a.name !== b.name) return false;
  if (Boolean(a.shared) !== Boolean(b.shared)) return false;
  if (!a.file || !b.file) return !a.file && !b.file;
  return a.file.bytes === b.file.bytes && a.file.offset + (a.end - a.start) === b.file.offset;
}

function allows(prot: number, kind: AccessKind): boolean {
  if (kind === "read") return (prot & PROT_READ) !== 0;
  if (kind === "write") return (prot & PROT_WRITE) !== 0;
  return (prot & PROT_EXEC) !== 0;
}

function checkRange(start: number, length: number): void {
  if (start % PAGE_SIZE !== 0 || length % PAGE_SIZE !== 0 || start < 0 || length < 0) {
    throw new RangeError(`unaligned range 0x${start.toString(16)}+0x${length.toString(16)}`);
  }
}

function readSmall(u8: Uint8Array, off: number, size: number): number {
  return size === 1 ? u8[off] : u8[off] | (u8[off + 1] << 8);
}

function writeSmall(dv: DataView, off: number, size: number, vlo: number, vhi: number): void {
  if (size === 1) dv.setUint8(off, vlo & 255);
  else if (size === 2) dv.setUint16(off, vlo & 0xffff, true);
  else if (size === 4) dv.setInt32(off, vlo, true);
  else {
    dv.setInt32(off, vlo, true);
    dv.setInt32(off + 4, vhi, true);
  }
}
