import { equal } from "node:assert/strict";
import { keccakF1600, sha256Compress } from "../../lib/dispatch/precompiles.ts";

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** keccak-256 (the Ethereum variant: pad 0x01) built on the permutation, rate 136 bytes. */
function keccak256(msg: Uint8Array): Uint8Array {
  const rate = 136;
  const padded = new Uint8Array(Math.ceil((msg.length + 1) / rate) * rate);
  padded.set(msg);
  padded[msg.length] ^= 0x01;
  padded[padded.length - 1] ^= 0x80;
  const state = new Uint8Array(200);
  const lanes = new BigUint64Array(state.buffer);
  for (let off = 0; off < padded.length; off += rate) {
    for (let i = 0; i < rate; i++) state[i] ^= padded[off + i];
    keccakF1600(lanes);
  }
  return state.slice(0, 32);
}

function sha256(msg: Uint8Array): Uint8Array {
  const len = Math.ceil((msg.length + 9) / 64) * 64;
  const p = new Uint8Array(len);
  p.set(msg);
  p[msg.length] = 0x80;
  new DataView(p.buffer).setBigUint64(len - 8, BigInt(msg.length * 8));
  const st = new Uint32Array([
    0x6a09e667,
    0xbb67ae85,
    0x3c6ef372,
    0xa54ff53a,
    0x510e527f,
    0x9b05688c,
    0x1f83d9ab,
    0x5be0cd19,
  ]);
  for (let off = 0; off < len; off += 64) sha256Compress(st, p.subarray(off, off + 64));
  const out = new Uint8Array(32);
  st.forEach((w, i) => new DataView(out.buffer).setUint32(4 * i, w));
  return out;
}

const enc = (s: string) => new TextEncoder().encode(s);

// Known answers: Ethereum's keccak-256 of "" and "abc"; FIPS 180-4 SHA-256 examples.
Deno.test("keccak-f[1600] gives the published keccak-256 digests", () => {
  equal(
    hex(keccak256(enc(""))),
    "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
  );
  equal(
    hex(keccak256(enc("abc"))),
    "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
  );
});

Deno.test("sha256 compression gives the FIPS 180-4 example digests", () => {
  equal(
    hex(sha256(enc("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  equal(
    hex(sha256(enc("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});
