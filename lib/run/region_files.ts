/**
 * A {@linkcode RegionStore} in a directory: one file per region, named by a
 * 64-bit hash of its description and holding the description itself, so a
 * load compares descriptions exactly (a hash collision is a miss). Files
 * are written whole and renamed into place, so concurrent runs never read
 * half a file; a file that is damaged or does not match is ignored. The
 * directory holds at most {@linkcode MAX_REGIONS} files of at most
 * {@linkcode MAX_REGION_BYTES} each (64 MiB, whatever a guest compiles):
 * other regions are generated every time instead of kept.
 *
 * The launcher gives a run one directory per bundle of the run path
 * (`.cache/regions/<bundle id>/`): the bundle fixes the code generator the
 * kept modules came from, and a new bundle starts afresh.
 * @module
 */

import type { RegionStore } from "../cpu/region_store.ts";

/** Files a store directory holds at most. */
export const MAX_REGIONS = 1024;
/** Bytes of a kept region's file at most (regions are 1 to 30 KiB as a rule). */
export const MAX_REGION_BYTES = 65536;

/** "ZKRG", format 1. */
const MAGIC = 0x47524b5a;
const FORMAT = 1;
const HEADER = 12;

/**
 * A region's file name: 64 bits of hash (two FNV-1a-style 32-bit hashes
 * over its 32-bit words; descriptions are whole 64-bit numbers).
 */
function fileName(key: Uint8Array): string {
  const words = new Int32Array(key.buffer, key.byteOffset, key.length >> 2);
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < words.length; i++) {
    a = Math.imul(a ^ words[i], 0x01000193);
    b = Math.imul(b ^ words[i], 0x01000193) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(16).padStart(8, "0")}${
    (b >>> 0).toString(16).padStart(8, "0")
  }.region`;
}

/** Whether two descriptions (whole 64-bit words, at 4-byte aligned offsets) are equal. */
function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length || a.length % 4 !== 0) return false;
  // Word by word: this runs while the JavaScript is still cold, and keys are kilobytes.
  const x = new Int32Array(a.buffer, a.byteOffset, a.length >> 2);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length >> 2);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A store over `dir` (created on the first save) of at most `max` regions. */
export function fileRegionStore(dir: string, max: number = MAX_REGIONS): RegionStore {
  let room: number | undefined;
  return {
    load(key) {
      let data: Uint8Array;
      try {
        data = Deno.readFileSync(`${dir}/${fileName(key)}`);
      } catch {
        return undefined;
      }
      if (data.length < HEADER) return undefined;
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const keyLength = dv.getUint32(8, true);
      if (
        dv.getUint32(0, true) !== MAGIC || dv.getUint32(4, true) !== FORMAT ||
        HEADER + keyLength > data.length ||
        !sameKey(data.subarray(HEADER, HEADER + keyLength), key)
      ) return undefined;
      return data.slice(HEADER + keyLength);
    },
    save(key, wasm) {
      try {
        if (room === undefined) {
          Deno.mkdirSync(dir, { recursive: true });
          let n = 0;
          for (const _ of Deno.readDirSync(dir)) n++;
          room = max - n;
        }
        if (room <= 0 || HEADER + key.length + wasm.length > MAX_REGION_BYTES) return;
        room--;
        const data = new Uint8Array(HEADER + key.length + wasm.length);
        const dv = new DataView(data.buffer);
        dv.setUint32(0, MAGIC, true);
        dv.setUint32(4, FORMAT, true);
        dv.setUint32(8, key.length, true);
        data.set(key, HEADER);
        data.set(wasm, HEADER + key.length);
        const file = `${dir}/${fileName(key)}`;
        const tmp = `${file}.${Deno.pid}.tmp`;
        Deno.writeFileSync(tmp, data);
        Deno.renameSync(tmp, file);
      } catch {
        // A full disk or no permission: regions are generated, not kept.
        room = 0;
      }
    },
  };
}
