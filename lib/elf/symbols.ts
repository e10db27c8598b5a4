/**
 * Address-to-symbol lookup across every loaded object (executable,
 * interpreter, and shared libraries the kernel sees mapped with PROT_EXEC).
 * @module
 */

import type { ElfSymbol } from "./parse.ts";

/** What {@linkcode SymbolTable.lookup} found for an address. */
export interface SymbolMatch {
  /** Symbol name. */
  name: string;
  /** Distance of the address from the symbol's start. */
  offset: number;
  /** The object the symbol belongs to (as given to {@linkcode SymbolTable.add}). */
  object: string;
}

/** An address range [start, end). */
export interface AddressRange {
  /** First address. */
  start: number;
  /** One past the last address. */
  end: number;
}

interface Entry {
  start: number;
  end: number;
  name: string;
  object: string;
}

/** How far back a lookup looks for an enclosing symbol when the nearest one ends too early. */
const NEST_SCAN = 16;

/**
 * Sorted symbol ranges of all loaded objects.
 *
 * A symbol with a size covers [value, value+size). A zero-size symbol covers
 * up to the next symbol of the same object, or to the end of the object's
 * extent when it is the last one (a single byte when no extent is known).
 * Aliases at one address are folded to one name: sized before unsized,
 * functions before data, global before weak before local, then the shortest.
 */
export class SymbolTable {
  #entries: Entry[] = [];
  #sorted = true;

  /** Number of distinct symbol ranges held. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Adds one object's symbols, relocated by `bias`. `extent` bounds the
   * object's zero-size symbols (normally its mapped address range).
   */
  add(
    symbols: readonly ElfSymbol[],
    bias: number,
    objectName: string,
    extent?: AddressRange,
  ): void {
    const sorted = symbols
      .map((s) => ({ s, start: s.value + bias }))
      .sort((a, b) => a.start - b.start || rank(a.s) - rank(b.s) || byName(a.s.name, b.s.name));
    const starts: { s: ElfSymbol; start: number }[] = [];
    for (const x of sorted) {
      if (starts.length > 0 && starts[starts.length - 1].start === x.start) continue;
      starts.push(x);
    }
    for (let i = 0; i < starts.length; i++) {
      const { s, start } = starts[i];
      let end: number;
      if (s.size > 0) end = start + s.size;
      else if (i + 1 < starts.length) end = starts[i + 1].start;
      else if (extent && extent.end > start) end = extent.end;
      else end = start + 1;
      this.#entries.push({ start, end, name: s.name, object: objectName });
    }
    if (starts.length > 0) this.#sorted = false;
  }

  /** Forgets every symbol of `objectName`. */
  remove(objectName: string): void {
    this.#entries = this.#entries.filter((e) => e.object !== objectName);
  }

  /** Forgets every symbol starting in [start, end) (after munmap). */
  removeRange(start: number, end: number): void {
    this.#entries = this.#entries.filter((e) => e.start < start || e.start >= end);
  }

  /** The symbol covering `pc`, if any. */
  lookup(pc: number): SymbolMatch | undefined {
    const list = this.#sortedEntries();
    let lo = 0;
    let hi = list.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].start <= pc) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = at; i >= 0 && i > at - NEST_SCAN; i--) {
      const e = list[i];
      if (pc < e.end) return { name: e.name, offset: pc - e.start, object: e.object };
    }
    return undefined;
  }

  /** `name+0x1c` for an address inside a symbol, else the address as `0x...`. */
  describe(pc: number): string {
    const m = this.lookup(pc);
    return m ? `${m.name}+0x${m.offset.toString(16)}` : `0x${pc.toString(16)}`;
  }

  /** `0x1234 (name+0x1c)` for an address inside a symbol, else `0x1234`: for diagnostics. */
  where(pc: number): string {
    const m = this.lookup(pc);
    const at = `0x${pc.toString(16)}`;
    return m ? `${at} (${m.name}+0x${m.offset.toString(16)})` : at;
  }

  #sortedEntries(): Entry[] {
    if (!this.#sorted) {
      this.#entries.sort((a, b) => a.start - b.start || a.end - b.end);
      this.#sorted = true;
    }
    return this.#entries;
  }
}

/** Lower ranks win among aliases at one address. */
function rank(s: ElfSymbol): number {
  const sized = s.size > 0 ? 0 : 8;
  const kind = s.kind === "func" ? 0 : 4;
  const bind = s.bind === "global" ? 0 : s.bind === "weak" ? 1 : 2;
  return sized + kind + bind;
}

/** Shorter names first, then code-point order. */
function byName(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
