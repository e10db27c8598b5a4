/**
 * Rounding primitives for the F/D interpreter (lib/cpu/fpu.ts).
 *
 * The fast paths compute a result with the host's round-to-nearest-even
 * arithmetic together with its exact error (error-free transformations); the
 * helpers here turn "RNE result + sign of the error" into the result of any
 * RISC-V rounding mode, with IEEE 754 flags (tininess detected after
 * rounding). Singles are computed in double first: every single value is a
 * double, and the exact error tells where the exact result lies relative to
 * the single grid, so there is no double rounding.
 *
 * Rare cases (overflow, underflow, fused multiply-add outside the fast path)
 * are computed exactly with BigInt and rounded once (roundBigD).
 * @module
 */

import { FLAG_NV, FLAG_NX, FLAG_OF, FLAG_UF, type Hart } from "./hart.ts";

const SF = new Float64Array(1);
/** Words of SF: [0] low, [1] high (little-endian host, as Hart assumes). */
const SI = new Int32Array(SF.buffer);

const POW2_BIAS = 1100;
const POW2: Float64Array = buildPow2();

function buildPow2(): Float64Array {
  const t = new Float64Array(2 * POW2_BIAS + 1);
  let v = 1;
  for (let k = 0; k <= POW2_BIAS; k++) {
    t[POW2_BIAS + k] = v;
    v *= 2; // exact; becomes Infinity past 2^1023
  }
  v = 1;
  for (let k = 0; k <= POW2_BIAS; k++) {
    t[POW2_BIAS - k] = v;
    v /= 2; // exact down to 2^-1074, then 0
  }
  return t;
}

/** 2^k as a double (exact for -1074 <= k <= 1023; 0 or Infinity up to |k| = 1100). */
function pow2(k: number): number {
  return POW2[POW2_BIAS + k];
}

/** Largest finite single, (2 - 2^-23) * 2^127. */
const MAX_S = 3.4028234663852886e38;
/** Smallest positive normal single, 2^-126. */
const MIN_NORMAL_S = 1.1754943508222875e-38;
/** Below this magnitude the double fast paths hand over to exact code. */
export const FAST_MIN = 4.480175088412447e-292; // 2^-968

/** The double one step further from zero than r (finite, nonzero: Infinity past max). */
function stepAway(r: number): number {
  SF[0] = r;
  const lo = SI[0];
  if (lo === -1) {
    SI[0] = 0;
    SI[1] = SI[1] + 1;
  } else {
    SI[0] = lo + 1;
  }
  return SF[0];
}

/** The double one step closer to zero than r (r nonzero). */
function stepToward0(r: number): number {
  SF[0] = r;
  const lo = SI[0];
  if (lo === 0) {
    SI[0] = -1;
    SI[1] = SI[1] - 1;
  } else {
    SI[0] = lo - 1;
  }
  return SF[0];
}

const SPLIT = 134217729; // 2^27 + 1, Veltkamp splitting constant

/**
 * Error of the double product p = RNE(a * b): returns a*b - p exactly
 * (Dekker's TwoProduct) when the exponents of a and b add up to at least
 * -970 and nothing overflows; a non-finite return value means overflow.
 */
export function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/**
 * Half an ulp of the normal double r on one side: towards zero it is half
 * as big when |r| is a power of two. Always a power of two.
 */
export function halfUlp(r: number, towardZero: boolean): number {
  SF[0] = r;
  const mantissaZero = ((SI[1] & 0xfffff) | SI[0]) === 0;
  SI[0] = 0;
  SI[1] &= 0x7ff00000; // 2^floor(log2 |r|)
  return SF[0] * (towardZero && mantissaZero ? 5.551115123125783e-17 : 1.1102230246251565e-16);
}

/** True when x = r + e lies exactly halfway between r and the next double away from zero. */
export function isTieAway(r: number, e: number): boolean {
  if ((e > 0) !== (r > 0)) return false;
  const gap = stepAway(r) - r;
  return (e < 0 ? -e : e) * 2 === (gap < 0 ? -gap : gap);
}

/**
 * Rounds an inexact x to double in mode rm, given r = RNE(x) (finite, with
 * |r| >= 2^-1021 so a step toward zero stays normal and no underflow can
 * arise) and es with the sign of x - r. `tie` says x is exactly halfway from
 * r to the next double away from zero (matters for RMM only). Sets NX, and
 * OF when a step goes past the largest double.
 */
export function adjustD(h: Hart, r: number, es: number, tie: boolean, rm: number): number {
  let out = r;
  switch (rm) {
    case 1: // RTZ: step when x is closer to zero than r
      if ((es < 0) !== (r < 0)) out = stepToward0(r);
      break;
    case 2: // RDN
      if (es < 0) out = r > 0 ? stepToward0(r) : stepAway(r);
      break;
    case 3: // RUP
      if (es > 0) out = r > 0 ? stepAway(r) : stepToward0(r);
      break;
    case 4: // RMM: differs from RNE only on ties that RNE sent toward zero
      if (tie) out = stepAway(r);
      break;
  }
  h.fflags |= out - out !== 0 ? FLAG_NX | FLAG_OF : FLAG_NX;
  return out;
}

/** Magnitude delivered on overflow: infinity or the largest finite value, by mode and sign. */
function overflowMagnitude(rm: number, neg: boolean, max: number): number {
  return rm === 0 || rm === 4 || (rm === 2 && neg) || (rm === 3 && !neg) ? Infinity : max;
}

/** Whether rounding a discarded part (cmp: -1 below half, 0 half, 1 above) goes up in magnitude. */
function roundsUp(rm: number, cmp: number, odd: boolean, neg: boolean): boolean {
  switch (rm) {
    case 0:
      return cmp > 0 || (cmp === 0 && odd);
    case 1:
      return false;
    case 2:
      return neg;
    case 3:
      return !neg;
    default:
      return cmp >= 0;
  }
}

let lastInexact = false;

/**
 * Rounds a (> 0, a double) plus an infinitesimal of sign s to a multiple of
 * 2^lsb, as an integer count of 2^lsb units (a / 2^lsb must be below 2^52).
 * Leaves whether it was inexact in lastInexact.
 */
function roundScaled(a: number, s: number, lsb: number, rm: number, neg: boolean): number {
  const t = a * pow2(-lsb); // exact: a power-of-two scaling that stays normal
  let n = Math.floor(t);
  const f = t - n;
  let cmp: number;
  if (f === 0) {
    if (s === 0) {
      lastInexact = false;
      return n;
    }
    if (s > 0) {
      cmp = -1;
    } else {
      n -= 1; // just below the grid point: almost a whole unit above n - 1
      cmp = 1;
    }
  } else if (f === 0.5) {
    cmp = s;
  } else {
    cmp = f < 0.5 ? -1 : 1;
  }
  lastInexact = true;
  return roundsUp(rm, cmp, n % 2 === 1, neg) ? n + 1 : n;
}

/**
 * Rounds x to single precision in mode rm, where r = RNE-to-double(x)
 * (finite) and es has the sign of x - r (0 when r is exact). Every single
 * value and every midpoint between singles is a double, so x and r lie on
 * the same side of each of them: r and es decide the rounding exactly.
 * ORs NX, UF, OF into h.fflags.
 */
export function roundS(h: Hart, r: number, es: number, rm: number): number {
  const f = Math.fround(r);
  if (es === 0 && f === r) return r;
  if (rm === 0) {
    const af = f < 0 ? -f : f;
    if (af > MIN_NORMAL_S && af <= MAX_S) {
      if (f === r) {
        h.fflags |= FLAG_NX;
        return f;
      }
      // r is a single midpoint iff its 29 bits below single precision are 1000...0
      SF[0] = r;
      if (es === 0 || (SI[0] & 0x1fffffff) !== 0x10000000) {
        h.fflags |= FLAG_NX;
        return f;
      }
    }
  }
  return roundSGeneral(h, r, es, rm);
}

function roundSGeneral(h: Hart, r: number, es: number, rm: number): number {
  if (r === 0) return r;
  const neg = r < 0;
  const a = neg ? -r : r;
  const s = neg ? -es : es; // sign of |x| - a
  SF[0] = a;
  const hi = SI[1];
  // floor(log2 |x|): that of a, one less when x lies just below a power of two
  // (the grid below is finer); -1023 for double subnormals
  let e = ((hi >>> 20) & 0x7ff) - 1023;
  if (s < 0 && ((hi & 0xfffff) | SI[0]) === 0) e -= 1;
  const lsbU = e - 23;
  const lsb = lsbU < -149 ? -149 : lsbU;
  let v = roundScaled(a, s, lsb, rm, neg) * pow2(lsb);
  if (v > MAX_S) {
    // past the single range (even if r itself was exact)
    h.fflags |= FLAG_OF | FLAG_NX;
    v = overflowMagnitude(rm, neg, MAX_S);
  } else if (lastInexact) {
    let fl = FLAG_NX;
    if (e < -126) {
      // tiny after rounding: rounded to 24 bits with unbounded exponent, still below 2^-126
      if (e < -150 || roundScaled(a, s, lsbU, rm, neg) * pow2(lsbU) < MIN_NORMAL_S) fl |= FLAG_UF;
    }
    h.fflags |= fl;
  }
  return neg ? -v : v;
}

/** Sign rule for an exact zero sum a + b in RDN: +0 only when both are +0. */
export function zeroSumRdn(a: number, b: number): number {
  return Object.is(a, 0) && Object.is(b, 0) ? 0 : -0;
}

// ---------------------------------------------------------------------------
// Exact BigInt arithmetic for the rare double cases.

let decExp = 0;

/** Significand of finite v as a BigInt, with |v| = m * 2^decExp. */
function decompose(v: number): bigint {
  SF[0] = v;
  const hi = SI[1];
  const lo = SI[0];
  const be = (hi >>> 20) & 0x7ff;
  const m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  if (be === 0) {
    decExp = -1074;
    return m;
  }
  decExp = be - 1075;
  return m | (1n << 52n);
}

function bitLength(m: bigint): number {
  const s = m.toString(16);
  return (s.length - 1) * 4 + (32 - Math.clz32(parseInt(s[0], 16)));
}

/** Rounds m (> 0) * 2^e (plus below-2^e bits if sticky) to a multiple of 2^lsb; inexactness in lastInexact. */
function roundBigScaled(
  m: bigint,
  e: number,
  sticky: boolean,
  lsb: number,
  rm: number,
  neg: boolean,
): bigint {
  const sh = lsb - e;
  if (sh <= 0) {
    lastInexact = sticky;
    return m << BigInt(-sh);
  }
  const bsh = BigInt(sh);
  const q = m >> bsh;
  const rem = m - (q << bsh);
  if (rem === 0n && !sticky) {
    lastInexact = false;
    return q;
  }
  lastInexact = true;
  const half = 1n << (bsh - 1n);
  const cmp = rem > half ? 1 : rem < half ? -1 : sticky ? 1 : 0;
  return roundsUp(rm, cmp, (q & 1n) === 1n, neg) ? q + 1n : q;
}

/**
 * Rounds (-1)^neg * m * 2^e to double in mode rm, m > 0. When sticky is set
 * the exact value is slightly larger in magnitude (nonzero bits below 2^e);
 * then m must carry at least 55 significant bits. ORs flags into h.fflags.
 */
function roundBigD(
  h: Hart,
  neg: boolean,
  m: bigint,
  e: number,
  sticky: boolean,
  rm: number,
): number {
  const top = bitLength(m) - 1 + e; // exponent of the leading bit
  if (top > 1023) {
    h.fflags |= FLAG_OF | FLAG_NX;
    const big = overflowMagnitude(rm, neg, Number.MAX_VALUE);
    return neg ? -big : big;
  }
  const lsbU = top - 52;
  const lsb = lsbU < -1074 ? -1074 : lsbU;
  const q = roundBigScaled(m, e, sticky, lsb, rm, neg);
  let v = Number(q) * pow2(lsb); // Infinity when past the double range
  if (v > Number.MAX_VALUE) {
    h.fflags |= FLAG_OF | FLAG_NX;
    v = overflowMagnitude(rm, neg, Number.MAX_VALUE);
  } else if (lastInexact) {
    let fl = FLAG_NX;
    if (top < -1022) {
      const qu = roundBigScaled(m, e, sticky, lsbU, rm, neg);
      if (bitLength(qu) - 1 + lsbU < -1022) fl |= FLAG_UF;
    }
    h.fflags |= fl;
  }
  return neg ? -v : v;
}

/** a + b rounded in mode rm, exactly (a, b finite, not both zero). */
export function addBigD(h: Hart, a: number, b: number, rm: number): number {
  const ma = decompose(a);
  const ea = decExp;
  const mb = decompose(b);
  const eb = decExp;
  const e = ea < eb ? ea : eb;
  let sa = ma << BigInt(ea - e);
  let sb = mb << BigInt(eb - e);
  if (a < 0) sa = -sa;
  if (b < 0) sb = -sb;
  const s = sa + sb;
  if (s === 0n) return rm === 2 ? -0 : 0;
  const neg = s < 0n;
  return roundBigD(h, neg, neg ? -s : s, e, false, rm);
}

/** a * b rounded in mode rm, exactly (a, b finite and nonzero). */
export function mulBigD(h: Hart, a: number, b: number, rm: number): number {
  const ma = decompose(a);
  const ea = decExp;
  const mb = decompose(b);
  return roundBigD(h, (a < 0) !== (b < 0), ma * mb, ea + decExp, false, rm);
}

/** a / b rounded in mode rm, exactly (a, b finite and nonzero). */
export function divBigD(h: Hart, a: number, b: number, rm: number): number {
  const ma = decompose(a);
  const ea = decExp;
  const mb = decompose(b);
  const eb = decExp;
  // 110 extra bits: the quotient keeps at least 57 significant bits
  const num = ma << 110n;
  const q = num / mb;
  const sticky = num !== q * mb;
  return roundBigD(h, (a < 0) !== (b < 0), q, ea - eb - 110, sticky, rm);
}

function isqrt(n: bigint): bigint {
  let x = 1n << BigInt((bitLength(n) >> 1) + 1); // above the root
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** sqrt(a) rounded in mode rm, exactly (a finite and positive). */
export function sqrtBigD(h: Hart, a: number, rm: number): number {
  let m = decompose(a);
  let e = decExp;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  // 120 extra bits (even): the root keeps at least 60 significant bits
  const n = m << 120n;
  const root = isqrt(n);
  return roundBigD(h, false, root, (e - 120) / 2, root * root !== n, rm);
}

/** a * b + c rounded once in mode rm, exactly (all finite; a * b nonzero or c nonzero). */
export function fmaBigD(h: Hart, a: number, b: number, c: number, rm: number): number {
  const ma = decompose(a);
  const ea = decExp;
  const mb = decompose(b);
  const ep = ea + decExp;
  const mc = decompose(c);
  const ec = decExp;
  const e = ep < ec ? ep : ec;
  let p = (ma * mb) << BigInt(ep - e);
  let q = mc << BigInt(ec - e);
  if ((a < 0) !== (b < 0)) p = -p;
  if (c < 0) q = -q;
  const s = p + q;
  if (s === 0n) return rm === 2 ? -0 : 0;
  const neg = s < 0n;
  return roundBigD(h, neg, neg ? -s : s, e, false, rm);
}

/** FLAG_NV if the double in f[i] is a signaling NaN, else 0. */
export function snanD(h: Hart, i: number): number {
  const hi = h.fw[2 * i + 1];
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) | h.fw[2 * i]) !== 0 ? FLAG_NV : 0;
}

/** FLAG_NV if f[i] holds a properly NaN-boxed signaling single NaN, else 0. */
export function snanS(h: Hart, i: number): number {
  const lo = h.fw[2 * i];
  return h.fw[2 * i + 1] === -1 && (lo & 0x7fc00000) === 0x7f800000 && (lo & 0x3fffff) !== 0
    ? FLAG_NV
    : 0;
}
