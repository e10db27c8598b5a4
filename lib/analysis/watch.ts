/**
 * Code watches: the exact instruction count at which a run first enters a
 * function (the application's `main`), and, for a span, when that first
 * call returns (the instructions a one-off computation costs). Used for the
 * phase boundary (application from `main.main` / the crate's `main`) and for
 * measured spans such as secp256k1's table unpacking.
 *
 * How: before the run, the first halfword of the watched function is
 * replaced by `c.unimp` (0x0000, an illegal instruction). Executing it stops
 * the CPU before the instruction retires (illegal instructions never count),
 * the kernel reports SIGILL to its fault interceptors first, and the
 * watch's interceptor claims it: it puts the original halfword back, drops
 * the decoded code of that page, records the process's retired instructions
 * and, for a span, arms the same trap at the return address (`ra`). The run
 * loop then continues the same thread with what is left of its quantum, so
 * the schedule, the instruction counts, the trace and the output are those
 * of an unwatched run (a test checks this on the multi-threaded Go guest).
 * Only the first entry is observed; the trap is gone afterwards.
 *
 * A span ends at the function's own return: on entry, every return
 * instruction inside the function (`jalr x0, 0(ra)` and `c.jr ra`) gets the
 * same trap, and the first one reached ends the span (its count excludes
 * that last instruction). The return address itself would not do: it is
 * shared code (e.g. `sync.(*Once).doSlow` after calling the function), which
 * other threads may reach first.
 * @module
 */

import { SIGILL } from "../abi/signals.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { PAGE_SIZE } from "../memory/memory.ts";

/** A function to watch: its address in the loaded image (bias added by the caller). */
export interface CodeWatch {
  /** Name in reports (`main`, `secp256k1 table`). */
  name: string;
  /** Address of the function's first instruction. */
  address: number;
  /** Also record when the first call returns. */
  span?: boolean;
  /** End of the function (exclusive): needed for spans. */
  end?: number;
}

/** What a watch saw. */
export interface WatchHit {
  /** The watch's name. */
  name: string;
  /** Process instructions retired before the function's first instruction (null: never entered). */
  entry: number | null;
  /** Process instructions retired when the first call returned (spans only; null: never returned). */
  exit: number | null;
  /** Thread number (1 = first thread) that entered. */
  thread: number | null;
}

const UNIMP = new Uint8Array([0, 0]);

/** Arms `watches` on `k`; the returned function reads what they saw so far. */
export function attachWatches(k: Kernel, watches: readonly CodeWatch[]): () => WatchHit[] {
  const hits = watches.map((w) => ({
    name: w.name,
    entry: null as number | null,
    exit: null as number | null,
    thread: null as number | null,
  }));
  /** Armed traps: address → original halfword and what it stands for. */
  const armed = new Map<number, { orig: Uint8Array; index: number; kind: "entry" | "return" }>();
  const arm = (address: number, index: number, kind: "entry" | "return"): void => {
    if (armed.has(address)) return;
    if (address % 2 !== 0 || !k.mem.accessible(address, 2, "fetch")) return;
    armed.set(address, { orig: k.mem.read(address, 2), index, kind });
    k.mem.poke(address, UNIMP);
    k.mem.onCodeInvalidate?.(Math.floor(address / PAGE_SIZE));
  };
  const disarm = (address: number): void => {
    const a = armed.get(address)!;
    armed.delete(address);
    k.mem.poke(address, a.orig);
    k.mem.onCodeInvalidate?.(Math.floor(address / PAGE_SIZE));
  };
  watches.forEach((w, i) => arm(w.address, i, "entry"));
  if (armed.size === 0) return () => hits.map((h) => ({ ...h }));
  k.addFaultInterceptor((t, info) => {
    if (info.signo !== SIGILL) return false;
    const pc = t.hart.pc;
    const a = armed.get(pc);
    if (!a) return false;
    disarm(pc);
    const h = hits[a.index];
    if (a.kind === "entry") {
      h.entry = k.instret;
      h.thread = k.threads.indexOf(t) + 1;
      const w = watches[a.index];
      if (w.span && w.end !== undefined) {
        for (const r of returnsIn(k, w.address, w.end)) arm(r, a.index, "return");
      }
    } else {
      h.exit = k.instret;
      // The other returns of the function are no longer of interest.
      for (const [addr, x] of [...armed]) if (x.index === a.index) disarm(addr);
    }
    return true;
  });
  return () => hits.map((h) => ({ ...h }));
}

/** Addresses of the return instructions (`jalr x0, 0(ra)`, `c.jr ra`) in [start, end). */
export function returnsIn(k: Kernel, start: number, end: number): number[] {
  const out: number[] = [];
  if (!(end > start) || !k.mem.accessible(start, end - start, "read")) return out;
  const code = k.mem.read(start, end - start);
  let at = 0;
  while (at + 2 <= code.length) {
    const lo = code[at] | (code[at + 1] << 8);
    if ((lo & 3) !== 3) {
      if (lo === 0x8082) out.push(start + at);
      at += 2;
      continue;
    }
    if (at + 4 > code.length) break;
    const w = (lo | (code[at + 2] << 16) | (code[at + 3] << 24)) >>> 0;
    if (w === 0x00008067) out.push(start + at);
    at += 4;
  }
  return out;
}

/** The load bias of the main executable: AT_ENTRY from the initial stack minus `e_entry`. */
export function loadBias(k: Kernel, elfEntry: number): number {
  const atEntry = auxvEntry(k);
  return atEntry === undefined ? 0 : atEntry - elfEntry;
}

/** AT_ENTRY (9) of the auxiliary vector on the first thread's initial stack. */
function auxvEntry(k: Kernel): number | undefined {
  const mem = k.mem;
  const h = k.threads[0].hart;
  const sp = (h.xh[2] >>> 0) * 2 ** 32 + (h.xl[2] >>> 0);
  try {
    const argc = mem.readU64Number(sp);
    let p = sp + 8 + 8 * (argc + 1);
    while (mem.readU64Number(p) !== 0) p += 8;
    p += 8;
    for (let i = 0; i < 64; i++, p += 16) {
      const type = mem.readU64Number(p);
      if (type === 0) return undefined;
      if (type === 9) return mem.readU64Number(p + 8);
    }
  } catch {
    // no readable stack
  }
  return undefined;
}
