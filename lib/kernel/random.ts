/**
 * The guest's randomness: one deterministic ChaCha20 keystream per process,
 * keyed by the kernel seed, shared by getrandom(2), /dev/urandom and
 * /dev/random, so every read consumes the same stream in guest order and a
 * run is reproducible byte for byte.
 * @module
 */

import type { Kernel } from "./kernel.ts";

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]; // "expand 32-byte k"

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/**
 * The ChaCha20 block function (RFC 8439 §2.3): 64 bytes of keystream for a
 * 32-byte key, a 32-bit block counter and a 12-byte nonce.
 */
export function chacha20Block(key: Uint32Array, counter: number, nonce: Uint32Array): Uint8Array {
  const s = new Uint32Array(16);
  s.set(SIGMA, 0);
  s.set(key, 4);
  s[12] = counter >>> 0;
  s.set(nonce, 13);
  const x = Int32Array.from(s);
  const qr = (a: number, b: number, c: number, d: number) => {
    x[a] += x[b];
    x[d] = rotl(x[d] ^ x[a], 16);
    x[c] += x[d];
    x[b] = rotl(x[b] ^ x[c], 12);
    x[a] += x[b];
    x[d] = rotl(x[d] ^ x[a], 8);
    x[c] += x[d];
    x[b] = rotl(x[b] ^ x[c], 7);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  const out = new Uint8Array(64);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 16; i++) dv.setUint32(4 * i, (x[i] + s[i]) >>> 0, true);
  return out;
}

/** A ChaCha20 keystream read sequentially. */
export class ChaChaStream {
  readonly #key: Uint32Array;
  readonly #nonce: Uint32Array;
  #counter = 0;
  #block: Uint8Array = new Uint8Array(0);
  #at = 0;

  /** Keystream for `key` (8 words) and `nonce` (3 words), from block `counter`. */
  constructor(key: Uint32Array, nonce: Uint32Array, counter = 0) {
    this.#key = key;
    this.#nonce = nonce;
    this.#counter = counter;
  }

  /** The next `n` bytes. */
  next(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      if (this.#at === this.#block.length) {
        this.#block = chacha20Block(this.#key, this.#counter, this.#nonce);
        this.#counter = (this.#counter + 1) >>> 0;
        if (this.#counter === 0) this.#nonce[0] = (this.#nonce[0] + 1) >>> 0;
        this.#at = 0;
      }
      const k = Math.min(n - done, this.#block.length - this.#at);
      out.set(this.#block.subarray(this.#at, this.#at + k), done);
      this.#at += k;
      done += k;
    }
    return out;
  }
}

/** The stream for a seed: key = seed (low word, high word) then "zkabi-random" padding. */
export function streamForSeed(seed: number): ChaChaStream {
  const key = new Uint32Array(8);
  key[0] = seed >>> 0;
  key[1] = Math.floor(seed / 4294967296) >>> 0;
  const tag = new TextEncoder().encode("zkabi-random-v1\0\0\0\0\0\0\0\0\0");
  const dv = new DataView(tag.buffer);
  for (let i = 0; i < 6; i++) key[2 + i] = dv.getUint32(4 * i, true);
  return new ChaChaStream(key, new Uint32Array(3));
}

/** The next `n` bytes of the process's random stream (getrandom, /dev/urandom). */
export function randomBytes(k: Kernel, n: number): Uint8Array {
  return k.familyState("random", () => streamForSeed(k.options.seed)).next(n);
}
