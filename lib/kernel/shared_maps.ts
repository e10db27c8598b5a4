/**
 * MAP_SHARED file mappings whose stores reach the file. A shared mapping
 * of a regular file is recorded with the file's data; its pages are written
 * back (pages the guest touched, clipped to the file's size, as Linux never
 * extends a file through a mapping):
 *
 * - at msync (MS_SYNC or MS_ASYNC) of the range, and at munmap, or when a
 *   MAP_FIXED mapping or mremap replaces it;
 * - before a read(2)/pread of the same file, so reads see the stores (the
 *   page cache Linux shares);
 * - and after a write-back or a write(2) to the file, the other shared
 *   mappings of that file are refreshed from it.
 *
 * So the views stay coherent at every syscall boundary. What is not
 * emulated: two mappings of one file aliasing the same physical page, where
 * a store through one is visible through the other before any syscall
 * (zkabi runs one process, whose threads reach a given mapping through the
 * same addresses, so only a program mapping one file twice could tell).
 * @module
 */

import { PAGE_SIZE, PROT_READ } from "../memory/memory.ts";
import type { FileData } from "../vfs/types.ts";
import type { Kernel } from "./kernel.ts";

/** One MAP_SHARED mapping of a regular file. */
interface SharedMap {
  start: number;
  end: number;
  /** File offset of `start`. */
  offset: number;
  data: FileData;
  /** The file's bytes from `offset` on when mapped: what an untouched page is filled with. */
  base: Uint8Array;
  /** Per page: the bytes it held when last synced with the file (stores are what differ). */
  synced: Map<number, Uint8Array>;
}

function maps(k: Kernel): SharedMap[] {
  return k.familyState<SharedMap[]>("shared_maps", () => []);
}

/** Records a new MAP_SHARED mapping of `data` at [start, end) from file offset `offset`. */
export function addSharedMap(
  k: Kernel,
  start: number,
  end: number,
  offset: number,
  data: FileData,
  base: Uint8Array,
): void {
  forgetShared(k, start, end, false);
  maps(k).push({ start, end, offset, data, base, synced: new Map() });
}

/** What page `page` of `m` held when last synced (or was filled from the file). */
function baseline(m: SharedMap, page: number, n: number): Uint8Array {
  const s = m.synced.get(page);
  if (s) return s;
  const from = page - m.start; // `base` starts at the mapping's file offset
  const out = new Uint8Array(n);
  out.set(m.base.subarray(Math.min(from, m.base.length), Math.min(from + n, m.base.length)));
  return out;
}

/** Writes the touched pages of `m` within [from, to) back to its file. */
function writeBack(k: Kernel, m: SharedMap, from: number, to: number): void {
  const lo = Math.max(from, m.start);
  const hi = Math.min(to, m.end);
  if (lo >= hi) return;
  const resident = k.mem.residency(lo, hi - lo);
  for (let i = 0; i < resident.length; i++) {
    if (!resident[i]) continue;
    const page = lo + i * PAGE_SIZE;
    const mp = k.mem.mappingAt(page);
    if (!mp || (mp.prot & PROT_READ) === 0) continue;
    const fileOff = m.offset + (page - m.start);
    const size = m.data.size();
    if (fileOff >= size) continue;
    const n = Math.min(PAGE_SIZE, size - fileOff, hi - page);
    const bytes = k.mem.read(page, n);
    const before = baseline(m, page, n);
    // Only the bytes stored through this mapping since its last sync go to the file.
    let i0 = 0;
    while (i0 < n) {
      if (bytes[i0] === before[i0]) {
        i0++;
        continue;
      }
      let i1 = i0;
      while (i1 < n && bytes[i1] !== before[i1]) i1++;
      m.data.write(fileOff + i0, bytes.subarray(i0, i1));
      i0 = i1;
    }
    m.synced.set(page, bytes);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reloads `m`'s pages from its file (the other views of a file that changed). */
function refresh(k: Kernel, m: SharedMap): void {
  const size = m.data.size();
  for (let page = m.start; page < m.end; page += PAGE_SIZE) {
    const fileOff = m.offset + (page - m.start);
    if (fileOff >= size) break;
    const n = Math.min(PAGE_SIZE, size - fileOff);
    const want = m.data.read(fileOff, n);
    const resident = k.mem.residency(page, PAGE_SIZE)[0] === 1;
    if (!(resident && sameBytes(k.mem.read(page, n), want))) k.mem.poke(page, want);
    m.synced.set(page, want);
  }
}

/** msync: writes back the shared mappings in [start, end) and refreshes the other views. */
export function syncShared(k: Kernel, start: number, end: number): void {
  const changed = new Set<FileData>();
  for (const m of maps(k)) {
    if (m.end <= start || m.start >= end) continue;
    writeBack(k, m, start, end);
    changed.add(m.data);
  }
  for (const data of changed) refreshViewsOf(k, data, start, end);
}

/** Before reading `data` through a descriptor: every shared mapping of it is written back. */
export function syncFileData(k: Kernel, data: FileData): void {
  const list = maps(k);
  if (list.length === 0) return;
  let any = false;
  for (const m of list) {
    if (m.data !== data) continue;
    writeBack(k, m, m.start, m.end);
    any = true;
  }
  if (any) refreshViewsOf(k, data);
}

/** After `data` changed through a descriptor: its shared mappings reload it. */
export function fileDataChanged(k: Kernel, data: FileData): void {
  const list = maps(k);
  if (list.length === 0) return;
  for (const m of list) if (m.data === data) refresh(k, m);
}

/** Refreshes the views of `data` outside [skipStart, skipEnd). */
function refreshViewsOf(k: Kernel, data: FileData, skipStart = 0, skipEnd = 0): void {
  for (const m of maps(k)) {
    if (m.data !== data) continue;
    if (m.start >= skipStart && m.end <= skipEnd) continue;
    refresh(k, m);
  }
}

/**
 * The range [start, end) is being unmapped or replaced: with `flush`, its
 * shared pages are written back first; the records are trimmed.
 */
export function forgetShared(k: Kernel, start: number, end: number, flush = true): void {
  const list = maps(k);
  if (list.length === 0) return;
  const keep: SharedMap[] = [];
  const changed = new Set<FileData>();
  for (const m of list) {
    if (m.end <= start || m.start >= end) {
      keep.push(m);
      continue;
    }
    if (flush) {
      writeBack(k, m, start, end);
      changed.add(m.data);
    }
    if (m.start < start) keep.push({ ...m, end: start });
    if (m.end > end) {
      const base = m.base.subarray(Math.min(end - m.start, m.base.length));
      keep.push({ ...m, start: end, offset: m.offset + (end - m.start), base });
    }
  }
  list.length = 0;
  list.push(...keep);
  for (const data of changed) refreshViewsOf(k, data, start, end);
}
