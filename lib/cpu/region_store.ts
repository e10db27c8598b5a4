/**
 * Compiled regions kept between runs. A region's WebAssembly is a function
 * of its blocks (addresses, decoded words, immediates) and of the return
 * points inside it, and of the code generator: given a store tied to one
 * generator (the run layer keys its store by the bundle of the run path),
 * the module bytes of a region seen before can be loaded instead of
 * generated. Generating is JavaScript that is still cold in a short run:
 * about 9 ms of the Rust stand-in's 22 M instructions.
 *
 * The store is asked by the exact region description ({@linkcode regionKey}),
 * never by a hash alone, so a hit is the very module the generator would
 * write. What a store holds changes no result: the same regions are
 * compiled at the same points either way.
 * @module
 */

import type { RegionBlock } from "./jit.ts";

/** Module bytes of compiled regions, by their exact description. */
export interface RegionStore {
  /** The module bytes kept for the region `key` describes, if any. */
  load(key: Uint8Array): Uint8Array | undefined;
  /** Keeps the module bytes of the region `key` describes. */
  save(key: Uint8Array, wasm: Uint8Array): void;
}

/**
 * The exact description of a region: block count, then per block its
 * length, addresses, decoded words and immediates, then the return points
 * (all as 64-bit floats: addresses reach 2^47).
 */
export function regionKey(blocks: readonly RegionBlock[], returns: readonly number[]): Uint8Array {
  // Indexed loops and bulk copies: this runs while the JavaScript is still cold.
  let n = 2 + returns.length;
  for (let j = 0; j < blocks.length; j++) n += 1 + 3 * blocks[j].pcs.length;
  const out = new Float64Array(n);
  let i = 0;
  out[i++] = blocks.length;
  for (let j = 0; j < blocks.length; j++) {
    const b = blocks[j];
    const len = b.pcs.length;
    out[i++] = len;
    out.set(b.pcs, i);
    out.set(b.words, i + len);
    out.set(b.imms, i + 2 * len);
    i += 3 * len;
  }
  out[i++] = returns.length;
  out.set(returns, i);
  return new Uint8Array(out.buffer);
}
