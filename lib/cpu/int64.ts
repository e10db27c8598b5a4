/**
 * 64-bit integer helpers on Int32 lo/hi pairs for the operations the
 * interpreter keeps out of its hot loop: wide multiplication, division,
 * bit counting. Results go to {@linkcode R} to avoid allocation.
 * @module
 */

/** Result registers of the helpers: R[0] = low word, R[1] = high word. */
export const R: Int32Array = new Int32Array(2);

const TWO32 = 4294967296;

/** High 32 bits of the unsigned product a*b (a, b taken as u32). */
export function umulhi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** Low 64 bits of a*b. */
export function mul64(al: number, ah: number, bl: number, bh: number): void {
  R[0] = Math.imul(al, bl);
  R[1] = (umulhi32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

/**
 * High 64 bits of the 128-bit product. `sa`/`sb` say whether each operand is
 * signed (MULH: both, MULHSU: a only, MULHU: neither).
 */
export function mulh64(
  al: number,
  ah: number,
  bl: number,
  bh: number,
  sa: boolean,
  sb: boolean,
): void {
  // Unsigned 128-bit product from four 32x32 partial products; sums stay below 2^35.
  const p0h = umulhi32(al, bl) >>> 0;
  const w1 = p0h + (Math.imul(al, bh) >>> 0) + (Math.imul(ah, bl) >>> 0);
  const w2 = (umulhi32(al, bh) >>> 0) + (umulhi32(ah, bl) >>> 0) + (Math.imul(ah, bh) >>> 0) +
    ((w1 / TWO32) | 0);
  let lo = w2 >>> 0;
  let hi = ((umulhi32(ah, bh) >>> 0) + ((w2 / TWO32) | 0)) >>> 0;
  // Signed corrections: a negative signed operand contributes -2^64 * the other.
  if (sa && ah < 0) {
    const l = lo - (bl >>> 0);
    hi = (hi - (bh >>> 0) - (l < 0 ? 1 : 0)) >>> 0;
    lo = l >>> 0;
  }
  if (sb && bh < 0) {
    const l = lo - (al >>> 0);
    hi = (hi - (ah >>> 0) - (l < 0 ? 1 : 0)) >>> 0;
    lo = l >>> 0;
  }
  R[0] = lo | 0;
  R[1] = hi | 0;
}

function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

function fromBig(v: bigint): void {
  R[0] = Number(BigInt.asIntN(32, v));
  R[1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** Signed 64-bit division (DIV) or remainder (REM) with RISC-V's edge results. */
export function div64(al: number, ah: number, bl: number, bh: number, rem: boolean): void {
  if (bl === 0 && bh === 0) {
    // Division by zero: quotient all ones, remainder the dividend.
    R[0] = rem ? al : -1;
    R[1] = rem ? ah : -1;
    return;
  }
  if (ah === al >> 31 && bh === bl >> 31) {
    // Both fit in int32: double division truncates exactly.
    const a = al;
    const b = bl;
    const r = rem ? a % b : Math.trunc(a / b);
    R[0] = r | 0;
    R[1] = r < 0 ? -1 : 0;
    return;
  }
  const a = toBig(al, ah);
  const b = BigInt.asIntN(64, toBig(bl, bh));
  const sa = BigInt.asIntN(64, a);
  if (sa === -(1n << 63n) && b === -1n) {
    // Overflow: quotient is the dividend, remainder zero.
    R[0] = rem ? 0 : al;
    R[1] = rem ? 0 : ah;
    return;
  }
  fromBig(rem ? sa % b : sa / b);
}

/** Unsigned 64-bit division (DIVU) or remainder (REMU). */
export function divu64(al: number, ah: number, bl: number, bh: number, rem: boolean): void {
  if (bl === 0 && bh === 0) {
    R[0] = rem ? al : -1;
    R[1] = rem ? ah : -1;
    return;
  }
  if (ah === 0 && bh === 0) {
    const a = al >>> 0;
    const b = bl >>> 0;
    R[0] = (rem ? a % b : Math.floor(a / b)) | 0;
    R[1] = 0;
    return;
  }
  const a = BigInt.asUintN(64, toBig(al, ah));
  const b = BigInt.asUintN(64, toBig(bl, bh));
  fromBig(rem ? a % b : a / b);
}

/** Number of set bits in a 32-bit word. */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Count of trailing zero bits of a 32-bit word (32 for zero). */
export function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

/** Byte-wise OR-combine (ORC.B) of one 32-bit word. */
export function orcb32(v: number): number {
  let r = 0;
  for (let i = 0; i < 32; i += 8) if ((v >>> i) & 255) r |= 255 << i;
  return r;
}

/** Byte swap of a 32-bit word. */
export function bswap32(v: number): number {
  return ((v & 255) << 24) | (((v >>> 8) & 255) << 16) | (((v >>> 16) & 255) << 8) | (v >>> 24);
}

/** 64-bit (lo, hi) shifted left by `s` (0..63) into {@linkcode R}. */
export function shl(lo: number, hi: number, s: number): void {
  if (s === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (s < 32) {
    R[1] = (hi << s) | (lo >>> (32 - s));
    R[0] = lo << s;
  } else {
    R[1] = lo << (s - 32);
    R[0] = 0;
  }
}

/** 64-bit (lo, hi) shifted right (logical) by `s` (0..63) into {@linkcode R}. */
export function shr(lo: number, hi: number, s: number): void {
  if (s === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (s < 32) {
    R[0] = (lo >>> s) | (hi << (32 - s));
    R[1] = hi >>> s;
  } else {
    R[0] = hi >>> (s - 32);
    R[1] = 0;
  }
}
