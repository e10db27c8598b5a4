/**
 * The F and D extensions (single and double precision floating point) of the
 * RV64GC interpreter, per the RISC-V unprivileged ISA manual (20191213 and
 * later): IEEE 754-2008 arithmetic in all five rounding modes, accrued flags,
 * NaN-boxing of singles, canonical NaNs, the 2.2 FMIN/FMAX semantics and
 * saturating conversions. Loads and stores (FLW/FLD/FSW/FSD) belong to the
 * interpreter.
 *
 * Arithmetic uses the host's double operations (which round to nearest even)
 * plus the exact error of each result from error-free transformations; see
 * fpu_round.ts for how that becomes any rounding mode without double
 * rounding. The common case (RNE, ordinary magnitudes) stays on a short path.
 * @module
 */

import { FLAG_DZ, FLAG_NV, FLAG_NX, type Hart } from "./hart.ts";
import {
  addBigD,
  adjustD,
  divBigD,
  FAST_MIN,
  fmaBigD,
  halfUlp,
  isTieAway,
  mulBigD,
  productError,
  roundS,
  snanD,
  snanS,
  sqrtBigD,
  zeroSumRdn,
} from "./fpu_round.ts";

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;
const TWO64 = 18446744073709551616;
const MAX_D = Number.MAX_VALUE;
/** Canonical single NaN bits. */
const CANON_S = 0x7fc00000;
/** High word of the canonical double NaN (low word 0). */
const CANON_D_HI = 0x7ff80000;
/** 2^-1000: quotients at least this large are far from the subnormal range. */
const DIV_MIN = 9.332636185032189e-302;
/** 2^-960: fused results at least this large are far from the subnormal range. */
const FMA_MIN = 1.1469035659126098e-289;

/**
 * Executes one F/D operation (ops 160..219 of lib/cpu/ops.ts) on hart h.
 * `imm` is `rs3 | rm << 5`. For integer destinations `rd` indexes
 * xl/xh (the decoder maps x0 to the sink 32); for integer sources `rs1` does.
 * Returns false if the instruction is illegal (a reserved rounding mode, or
 * the dynamic mode while frm holds 5..7), true otherwise.
 */
export function executeFp(
  h: Hart,
  op: number,
  rd: number,
  rs1: number,
  rs2: number,
  imm: number,
): boolean {
  let rm = (imm >> 5) & 7;
  if (rm === 7) rm = h.frm;
  switch (op) {
    case 160: // FMADD_S
      if (rm > 4) return false;
      fmaS(h, rd, rs1, rs2, imm & 31, rm, false, false);
      return true;
    case 161: // FMSUB_S
      if (rm > 4) return false;
      fmaS(h, rd, rs1, rs2, imm & 31, rm, false, true);
      return true;
    case 162: // FNMSUB_S
      if (rm > 4) return false;
      fmaS(h, rd, rs1, rs2, imm & 31, rm, true, false);
      return true;
    case 163: // FNMADD_S
      if (rm > 4) return false;
      fmaS(h, rd, rs1, rs2, imm & 31, rm, true, true);
      return true;
    case 164: // FADD_S
      if (rm > 4) return false;
      addS(h, rd, rs1, rs2, rm, false);
      return true;
    case 165: // FSUB_S
      if (rm > 4) return false;
      addS(h, rd, rs1, rs2, rm, true);
      return true;
    case 166: // FMUL_S
      if (rm > 4) return false;
      mulS(h, rd, rs1, rs2, rm);
      return true;
    case 167: // FDIV_S
      if (rm > 4) return false;
      divS(h, rd, rs1, rs2, rm);
      return true;
    case 168: // FSQRT_S
      if (rm > 4) return false;
      sqrtS(h, rd, rs1, rm);
      return true;
    case 169: // FSGNJ_S
      putBitsS(h, rd, (boxedBits(h, rs1) & 0x7fffffff) | (boxedBits(h, rs2) & 0x80000000));
      return true;
    case 170: // FSGNJN_S
      putBitsS(h, rd, (boxedBits(h, rs1) & 0x7fffffff) | (~boxedBits(h, rs2) & 0x80000000));
      return true;
    case 171: // FSGNJX_S
      putBitsS(h, rd, boxedBits(h, rs1) ^ (boxedBits(h, rs2) & 0x80000000));
      return true;
    case 172: // FMIN_S
      minMaxS(h, rd, rs1, rs2, false);
      return true;
    case 173: // FMAX_S
      minMaxS(h, rd, rs1, rs2, true);
      return true;
    case 174: // FCVT_W_S
      if (rm > 4) return false;
      cvtW(h, rd, rs1, rm, false);
      return true;
    case 175: // FCVT_WU_S
      if (rm > 4) return false;
      cvtWU(h, rd, rs1, rm, false);
      return true;
    case 176: // FCVT_L_S
      if (rm > 4) return false;
      cvtL(h, rd, rs1, rm, false);
      return true;
    case 177: // FCVT_LU_S
      if (rm > 4) return false;
      cvtLU(h, rd, rs1, rm, false);
      return true;
    case 178: { // FMV_X_W
      const v = h.fw[2 * rs1];
      h.xl[rd] = v;
      h.xh[rd] = v >> 31;
      return true;
    }
    case 179: // FCLASS_S
      h.xl[rd] = classS(h, rs1);
      h.xh[rd] = 0;
      return true;
    case 180: { // FEQ_S
      const a = getS(h, rs1);
      const b = getS(h, rs2);
      if (a !== a || b !== b) h.fflags |= snanS(h, rs1) | snanS(h, rs2);
      h.xl[rd] = a === b ? 1 : 0;
      h.xh[rd] = 0;
      return true;
    }
    case 181: { // FLT_S
      const a = getS(h, rs1);
      const b = getS(h, rs2);
      if (a !== a || b !== b) h.fflags |= FLAG_NV;
      h.xl[rd] = a < b ? 1 : 0;
      h.xh[rd] = 0;
      return true;
    }
    case 182: { // FLE_S
      const a = getS(h, rs1);
      const b = getS(h, rs2);
      if (a !== a || b !== b) h.fflags |= FLAG_NV;
      h.xl[rd] = a <= b ? 1 : 0;
      h.xh[rd] = 0;
      return true;
    }
    case 183: // FCVT_S_W
      if (rm > 4) return false;
      fromInt32S(h, rd, rs1, rm, false);
      return true;
    case 184: // FCVT_S_WU
      if (rm > 4) return false;
      fromInt32S(h, rd, rs1, rm, true);
      return true;
    case 185: // FCVT_S_L
      if (rm > 4) return false;
      fromInt64(h, rd, rs1, rm, false, false);
      return true;
    case 186: // FCVT_S_LU
      if (rm > 4) return false;
      fromInt64(h, rd, rs1, rm, true, false);
      return true;
    case 187: // FMV_W_X
      putBitsS(h, rd, h.xl[rs1]);
      return true;

    case 190: // FMADD_D
      if (rm > 4) return false;
      fmaD(h, rd, rs1, rs2, imm & 31, rm, false, false);
      return true;
    case 191: // FMSUB_D
      if (rm > 4) return false;
      fmaD(h, rd, rs1, rs2, imm & 31, rm, false, true);
      return true;
    case 192: // FNMSUB_D
      if (rm > 4) return false;
      fmaD(h, rd, rs1, rs2, imm & 31, rm, true, false);
      return true;
    case 193: // FNMADD_D
      if (rm > 4) return false;
      fmaD(h, rd, rs1, rs2, imm & 31, rm, true, true);
      return true;
    case 194: // FADD_D
      if (rm > 4) return false;
      addD(h, rd, rs1, rs2, rm, false);
      return true;
    case 195: // FSUB_D
      if (rm > 4) return false;
      addD(h, rd, rs1, rs2, rm, true);
      return true;
    case 196: // FMUL_D
      if (rm > 4) return false;
      mulD(h, rd, rs1, rs2, rm);
      return true;
    case 197: // FDIV_D
      if (rm > 4) return false;
      divD(h, rd, rs1, rs2, rm);
      return true;
    case 198: // FSQRT_D
      if (rm > 4) return false;
      sqrtD(h, rd, rs1, rm);
      return true;
    case 199: { // FSGNJ_D
      const fw = h.fw;
      const lo = fw[2 * rs1];
      fw[2 * rd + 1] = (fw[2 * rs1 + 1] & 0x7fffffff) | (fw[2 * rs2 + 1] & 0x80000000);
      fw[2 * rd] = lo;
      return true;
    }
    case 200: { // FSGNJN_D
      const fw = h.fw;
      const lo = fw[2 * rs1];
      fw[2 * rd + 1] = (fw[2 * rs1 + 1] & 0x7fffffff) | (~fw[2 * rs2 + 1] & 0x80000000);
      fw[2 * rd] = lo;
      return true;
    }
    case 201: { // FSGNJX_D
      const fw = h.fw;
      const lo = fw[2 * rs1];
      fw[2 * rd + 1] = fw[2 * rs1 + 1] ^ (fw[2 * rs2 + 1] & 0x80000000);
      fw[2 * rd] = lo;
      return true;
    }
    case 202: // FMIN_D
      minMaxD(h, rd, rs1, rs2, false);
      return true;
    case 203: // FMAX_D
      minMaxD(h, rd, rs1, rs2, true);
      return true;
    case 204: // FCVT_W_D
      if (rm > 4) return false;
      cvtW(h, rd, rs1, rm, true);
      return true;
    case 205: // FCVT_WU_D
      if (rm > 4) return false;
      cvtWU(h, rd, rs1, rm, true);
      return true;
    case 206: // FCVT_L_D
      if (rm > 4) return false;
      cvtL(h, rd, rs1, rm, true);
      return true;
    case 207: // FCVT_LU_D
      if (rm > 4) return false;
      cvtLU(h, rd, rs1, rm, true);
      return true;
    case 208: // FMV_X_D
      h.xl[rd] = h.fw[2 * rs1];
      h.xh[rd] = h.fw[2 * rs1 + 1];
      return true;
    case 209: // FCLASS_D
      h.xl[rd] = classD(h, rs1);
      h.xh[rd] = 0;
      return true;
    case 210: { // FEQ_D
      const a = h.fd[rs1];
      const b = h.fd[rs2];
      if (a !== a || b !== b) h.fflags |= snanD(h, rs1) | snanD(h, rs2);
      h.xl[rd] = a === b ? 1 : 0;
      h.xh[rd] = 0;
      return true;
    }
    case 211: { // FLT_D
      const a = h.fd[rs1];
      const b = h.fd[rs2];
      if (a !== a || b !== b) h.fflags |= FLAG_NV;
      h.xl[rd] = a < b ? 1 : 0;
      h.xh[rd] = 0;
      return true;
    }
    case 212: { // FLE_D
      const a = h.fd[rs1];
      const b = h.fd[rs2];
      if (a !== a || b !== b) h.fflags |= FLAG_NV;
      h.xl[rd] = a <= b ? 1 : 0;
      h.xh[rd] = 0;
      return true;
    }
    case 213: // FCVT_D_W
      if (rm > 4) return false;
      h.fd[rd] = h.xl[rs1];
      return true;
    case 214: // FCVT_D_WU
      if (rm > 4) return false;
      h.fd[rd] = h.xl[rs1] >>> 0;
      return true;
    case 215: // FCVT_D_L
      if (rm > 4) return false;
      fromInt64(h, rd, rs1, rm, false, true);
      return true;
    case 216: // FCVT_D_LU
      if (rm > 4) return false;
      fromInt64(h, rd, rs1, rm, true, true);
      return true;
    case 217: { // FMV_D_X
      h.fw[2 * rd] = h.xl[rs1];
      h.fw[2 * rd + 1] = h.xh[rs1];
      return true;
    }
    case 218: // FCVT_S_D
      if (rm > 4) return false;
      cvtSD(h, rd, rs1, rm);
      return true;
    case 219: // FCVT_D_S
      if (rm > 4) return false;
      cvtDS(h, rd, rs1);
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// Register access.

/** f[i] as a single; an improperly NaN-boxed value reads as the canonical NaN. */
function getS(h: Hart, i: number): number {
  const v = h.fs[2 * i];
  // A computed NaN: a literal NaN here makes V8 box every result (GC churn).
  return h.fw[2 * i + 1] === -1 ? v : v * 0 + NaN;
}

/** f[i]'s single bits, or the canonical NaN's if improperly boxed. */
function boxedBits(h: Hart, i: number): number {
  return h.fw[2 * i + 1] === -1 ? h.fw[2 * i] : CANON_S;
}

/** Writes single bits, NaN-boxed. */
function putBitsS(h: Hart, rd: number, bits: number): void {
  h.fw[2 * rd] = bits;
  h.fw[2 * rd + 1] = -1;
}

/** Writes a single result (any NaN becomes the canonical NaN), boxed. */
function putS(h: Hart, rd: number, v: number): void {
  if (v !== v) h.fw[2 * rd] = CANON_S;
  else h.fs[2 * rd] = v;
  h.fw[2 * rd + 1] = -1;
}

/** Writes a double result; a NaN goes in as canonical bits (stores may not keep NaN bits). */
function putD(h: Hart, rd: number, v: number): void {
  if (v !== v) {
    h.fw[2 * rd] = 0;
    h.fw[2 * rd + 1] = CANON_D_HI;
  } else {
    h.fd[rd] = v;
  }
}

/** Flags for a NaN result of a two-operand op; returns NaN. */
function nan2(h: Hart, a: number, b: number, rs1: number, rs2: number, dbl: boolean): number {
  if (a !== a || b !== b) {
    h.fflags |= dbl ? snanD(h, rs1) | snanD(h, rs2) : snanS(h, rs1) | snanS(h, rs2);
  } else {
    h.fflags |= FLAG_NV; // invalid operation on non-NaN operands
  }
  return NaN;
}

// ---------------------------------------------------------------------------
// Double precision arithmetic.

function addD(h: Hart, rd: number, rs1: number, rs2: number, rm: number, sub: boolean): void {
  const a = h.fd[rs1];
  const b = sub ? -h.fd[rs2] : h.fd[rs2];
  const r = a + b;
  const bb = r - a;
  const e = (a - (r - bb)) + (b - bb); // TwoSum: a + b = r + e exactly
  if (e === 0) {
    // exact, finite (an infinity or NaN anywhere makes e NaN)
    if (r === 0 && rm === 2) h.fd[rd] = zeroSumRdn(a, b);
    else h.fd[rd] = r;
  } else if (e - e === 0) {
    if (rm === 0) {
      h.fflags |= FLAG_NX;
      h.fd[rd] = r;
    } else {
      h.fd[rd] = adjustD(h, r, e, rm === 4 && isTieAway(r, e), rm);
    }
  } else {
    putD(h, rd, addSlowD(h, a, b, r, rm, rs1, rs2));
  }
}

function addSlowD(
  h: Hart,
  a: number,
  b: number,
  r: number,
  rm: number,
  rs1: number,
  rs2: number,
): number {
  if (r !== r) return nan2(h, a, b, rs1, rs2, true);
  if (a - a !== 0 || b - b !== 0) return r; // an infinite operand: exact
  return addBigD(h, a, b, rm); // overflow
}

function mulD(h: Hart, rd: number, rs1: number, rs2: number, rm: number): void {
  const a = h.fd[rs1];
  const b = h.fd[rs2];
  const p = a * b;
  if ((p < 0 ? -p : p) >= FAST_MIN) {
    const e = productError(a, b, p);
    if (e === 0) {
      h.fd[rd] = p;
      return;
    }
    if (e - e === 0) {
      if (rm === 0) {
        h.fflags |= FLAG_NX;
        h.fd[rd] = p;
      } else {
        h.fd[rd] = adjustD(h, p, e, rm === 4 && isTieAway(p, e), rm);
      }
      return;
    }
  }
  putD(h, rd, mulSlowD(h, a, b, p, rm, rs1, rs2));
}

function mulSlowD(
  h: Hart,
  a: number,
  b: number,
  p: number,
  rm: number,
  rs1: number,
  rs2: number,
): number {
  if (p !== p) return nan2(h, a, b, rs1, rs2, true);
  if (a - a !== 0 || b - b !== 0 || a === 0 || b === 0) return p; // exact
  return mulBigD(h, a, b, rm);
}

function divD(h: Hart, rd: number, rs1: number, rs2: number, rm: number): void {
  const a = h.fd[rs1];
  const b = h.fd[rs2];
  const q = a / b;
  const aq = q < 0 ? -q : q;
  if (aq >= DIV_MIN && aq <= MAX_D && (a < 0 ? -a : a) >= FAST_MIN) {
    const p = q * b;
    const rem = (a - p) - productError(q, b, p); // a - q*b, exact
    if (rem === 0) {
      h.fd[rd] = q;
      return;
    }
    if (rem - rem === 0) {
      if (rm === 0) {
        h.fflags |= FLAG_NX;
        h.fd[rd] = q;
      } else {
        // a/b - q has the sign of rem/b; quotients are never ties
        h.fd[rd] = adjustD(h, q, (rem < 0) === (b < 0) ? 1 : -1, false, rm);
      }
      return;
    }
  }
  putD(h, rd, divSlowD(h, a, b, q, rm, rs1, rs2));
}

function divSlowD(
  h: Hart,
  a: number,
  b: number,
  q: number,
  rm: number,
  rs1: number,
  rs2: number,
): number {
  if (q !== q) return nan2(h, a, b, rs1, rs2, true);
  if (b === 0) {
    if (a - a === 0) h.fflags |= FLAG_DZ; // finite nonzero / 0
    return q;
  }
  if (a - a !== 0 || b - b !== 0 || a === 0) return q; // exact
  return divBigD(h, a, b, rm);
}

function sqrtD(h: Hart, rd: number, rs1: number, rm: number): void {
  const a = h.fd[rs1];
  const s = Math.sqrt(a);
  if (a >= FAST_MIN && a <= MAX_D) {
    const p = s * s;
    const rem = (a - p) - productError(s, s, p); // a - s*s, exact unless s*s overflows
    if (rem === 0) {
      h.fd[rd] = s;
      return;
    }
    if (rem - rem === 0) {
      if (rm === 0) {
        h.fflags |= FLAG_NX;
        h.fd[rd] = s;
      } else {
        h.fd[rd] = adjustD(h, s, rem, false, rm); // square roots are never ties
      }
      return;
    }
  }
  if (a !== a) {
    h.fflags |= snanD(h, rs1);
    putD(h, rd, NaN);
  } else if (a < 0) {
    h.fflags |= FLAG_NV;
    putD(h, rd, NaN);
  } else {
    h.fd[rd] = a === 0 || a === Infinity ? a : sqrtBigD(h, a, rm);
  }
}

function fmaD(
  h: Hart,
  rd: number,
  rs1: number,
  rs2: number,
  rs3: number,
  rm: number,
  negProduct: boolean,
  negAddend: boolean,
): void {
  const fd = h.fd;
  const a = negProduct ? -fd[rs1] : fd[rs1];
  const b = fd[rs2];
  const c = negAddend ? -fd[rs3] : fd[rs3];
  const p = a * b;
  if ((p < 0 ? -p : p) >= FAST_MIN) {
    // a*b + c = p + pe + c = s + t + pe = s + u + w = r + v + w, all exact
    const pe = productError(a, b, p);
    const s = p + c;
    let bb = s - p;
    const t = (p - (s - bb)) + (c - bb);
    const u = t + pe;
    bb = u - t;
    const w = (t - (u - bb)) + (pe - bb);
    const r = s + u;
    bb = r - s;
    const v = (s - (r - bb)) + (u - bb);
    const z = v + w; // rounded; zero exactly when v + w is
    const ar = r < 0 ? -r : r;
    if (z - z === 0 && ar >= FMA_MIN && ar <= MAX_D) {
      if (z === 0) {
        fd[rd] = r;
        return;
      }
      // Rounding is monotonic and the half ulp is a double, so |z| below it
      // means |v + w| is too: r = RNE(x), and x - r has the sign of z.
      if ((z < 0 ? -z : z) < halfUlp(r, (z < 0) !== (r < 0))) {
        if (rm === 0) {
          h.fflags |= FLAG_NX;
          fd[rd] = r;
        } else {
          fd[rd] = adjustD(h, r, z, false, rm);
        }
        return;
      }
    }
  }
  putD(h, rd, fmaSlowD(h, a, b, c, rm, rs1, rs2, rs3));
}

function fmaSlowD(
  h: Hart,
  a: number,
  b: number,
  c: number,
  rm: number,
  rs1: number,
  rs2: number,
  rs3: number,
): number {
  if (a - a !== 0 || b - b !== 0 || c - c !== 0) {
    return fmaSpecial(h, a, b, c, rs1, rs2, rs3, true);
  }
  if (a === 0 || b === 0) {
    const pz = a * b; // exact signed zero
    if (c !== 0) return c;
    return rm === 2 ? zeroSumRdn(pz, c) : pz + c;
  }
  return fmaBigD(h, a, b, c, rm);
}

/** a*b + c when some operand is infinite or NaN. */
function fmaSpecial(
  h: Hart,
  a: number,
  b: number,
  c: number,
  rs1: number,
  rs2: number,
  rs3: number,
  dbl: boolean,
): number {
  // inf * 0 is invalid even when the addend is a quiet NaN
  const infZero = (a === 0 && b - b !== 0 && b === b) || (b === 0 && a - a !== 0 && a === a);
  if (a !== a || b !== b || c !== c) {
    h.fflags |= (infZero ? FLAG_NV : 0) |
      (dbl
        ? snanD(h, rs1) | snanD(h, rs2) | snanD(h, rs3)
        : snanS(h, rs1) | snanS(h, rs2) | snanS(h, rs3));
    return NaN;
  }
  if (infZero) {
    h.fflags |= FLAG_NV;
    return NaN;
  }
  if (a - a !== 0 || b - b !== 0) {
    const r = a * b + c; // infinite product: exact, or inf - inf
    if (r !== r) h.fflags |= FLAG_NV;
    return r;
  }
  return c; // infinite addend, finite product
}

// ---------------------------------------------------------------------------
// Single precision arithmetic: computed in double with the exact error, then
// rounded once to single by roundS.

function addS(h: Hart, rd: number, rs1: number, rs2: number, rm: number, sub: boolean): void {
  const a = getS(h, rs1);
  const b = sub ? -getS(h, rs2) : getS(h, rs2);
  const r = a + b;
  const bb = r - a;
  const e = (a - (r - bb)) + (b - bb);
  if (e - e === 0) {
    if (r === 0 && e === 0 && rm === 2) putS(h, rd, zeroSumRdn(a, b));
    else putS(h, rd, roundS(h, r, e, rm));
  } else if (r !== r) {
    putS(h, rd, nan2(h, a, b, rs1, rs2, false));
  } else {
    putS(h, rd, r); // an infinite operand (singles cannot overflow a double sum)
  }
}

function mulS(h: Hart, rd: number, rs1: number, rs2: number, rm: number): void {
  const a = getS(h, rs1);
  const b = getS(h, rs2);
  const p = a * b; // exact: 48-bit product, far inside double range
  if (p - p === 0) putS(h, rd, roundS(h, p, 0, rm));
  else if (p !== p) putS(h, rd, nan2(h, a, b, rs1, rs2, false));
  else putS(h, rd, p);
}

function divS(h: Hart, rd: number, rs1: number, rs2: number, rm: number): void {
  const a = getS(h, rs1);
  const b = getS(h, rs2);
  const q = a / b;
  if (q - q === 0 && q !== 0) {
    const p = q * b;
    const rem = (a - p) - productError(q, b, p); // a - q*b, exact
    putS(h, rd, roundS(h, q, rem === 0 ? 0 : (rem < 0) === (b < 0) ? 1 : -1, rm));
  } else if (q !== q) {
    putS(h, rd, nan2(h, a, b, rs1, rs2, false));
  } else {
    if (b === 0 && a - a === 0) h.fflags |= FLAG_DZ;
    putS(h, rd, q); // infinities and zeros are exact
  }
}

function sqrtS(h: Hart, rd: number, rs1: number, rm: number): void {
  const a = getS(h, rs1);
  if (a > 0 && a < Infinity) {
    const s = Math.sqrt(a);
    const p = s * s;
    putS(h, rd, roundS(h, s, (a - p) - productError(s, s, p), rm));
  } else if (a !== a) {
    h.fflags |= snanS(h, rs1);
    putS(h, rd, NaN);
  } else if (a < 0) {
    h.fflags |= FLAG_NV;
    putS(h, rd, NaN);
  } else {
    putS(h, rd, a); // ±0, +inf
  }
}

function fmaS(
  h: Hart,
  rd: number,
  rs1: number,
  rs2: number,
  rs3: number,
  rm: number,
  negProduct: boolean,
  negAddend: boolean,
): void {
  const a = negProduct ? -getS(h, rs1) : getS(h, rs1);
  const b = getS(h, rs2);
  const c = negAddend ? -getS(h, rs3) : getS(h, rs3);
  const p = a * b; // exact for finite singles
  const s = p + c;
  const bb = s - p;
  const t = (p - (s - bb)) + (c - bb); // p + c = s + t exactly
  if (t - t === 0) {
    if (s === 0 && t === 0 && rm === 2) putS(h, rd, zeroSumRdn(p, c));
    else putS(h, rd, roundS(h, s, t, rm));
  } else {
    putS(h, rd, fmaSpecial(h, a, b, c, rs1, rs2, rs3, false));
  }
}

// ---------------------------------------------------------------------------
// Comparisons, classification.

/** FMIN/FMAX (minimumNumber/maximumNumber): a NaN operand yields the other; -0 < +0. */
function minMax(
  h: Hart,
  a: number,
  b: number,
  isMax: boolean,
  rs1: number,
  rs2: number,
  dbl: boolean,
): number {
  if (a !== a || b !== b) {
    h.fflags |= dbl ? snanD(h, rs1) | snanD(h, rs2) : snanS(h, rs1) | snanS(h, rs2);
    return a !== a ? b : a; // both NaN: NaN, written canonical
  }
  if (a < b) return isMax ? b : a;
  if (b < a) return isMax ? a : b;
  if (a !== 0) return a;
  const aNeg = 1 / a < 0;
  return isMax ? (aNeg ? b : a) : (aNeg ? a : b);
}

function minMaxS(h: Hart, rd: number, rs1: number, rs2: number, isMax: boolean): void {
  putS(h, rd, minMax(h, getS(h, rs1), getS(h, rs2), isMax, rs1, rs2, false));
}

function minMaxD(h: Hart, rd: number, rs1: number, rs2: number, isMax: boolean): void {
  putD(h, rd, minMax(h, h.fd[rs1], h.fd[rs2], isMax, rs1, rs2, true));
}

function classS(h: Hart, i: number): number {
  if (h.fw[2 * i + 1] !== -1) return 512; // improperly boxed: canonical quiet NaN
  const bits = h.fw[2 * i];
  const neg = bits < 0;
  const e = (bits >>> 23) & 0xff;
  const m = bits & 0x7fffff;
  if (e === 0xff) return m === 0 ? (neg ? 1 : 128) : (m & 0x400000 ? 512 : 256);
  if (e === 0) return m === 0 ? (neg ? 8 : 16) : (neg ? 4 : 32);
  return neg ? 2 : 64;
}

function classD(h: Hart, i: number): number {
  const hi = h.fw[2 * i + 1];
  const neg = hi < 0;
  const e = (hi >>> 20) & 0x7ff;
  const mzero = ((hi & 0xfffff) | h.fw[2 * i]) === 0;
  if (e === 0x7ff) return mzero ? (neg ? 1 : 128) : (hi & 0x80000 ? 512 : 256);
  if (e === 0) return mzero ? (neg ? 8 : 16) : (neg ? 4 : 32);
  return neg ? 2 : 64;
}

// ---------------------------------------------------------------------------
// Conversions.

/** v rounded to an integer in mode rm (NaN and infinities pass through). */
function roundIntegral(v: number, rm: number): number {
  if (!(v > -4503599627370496 && v < 4503599627370496)) return v; // |v| >= 2^52 is integral
  // Work on |v|: its fractional part is exact (1 + v for v in (-1, -0.5) is not).
  const neg = v < 0;
  const av = neg ? -v : v;
  const m = Math.floor(av);
  const d = av - m;
  if (d === 0) return v;
  let up: boolean; // round the magnitude up
  switch (rm) {
    case 0:
      up = d > 0.5 || (d === 0.5 && m % 2 !== 0);
      break;
    case 1:
      up = false;
      break;
    case 2:
      up = neg;
      break;
    case 3:
      up = !neg;
      break;
    default:
      up = d >= 0.5;
  }
  const n = up ? m + 1 : m;
  return neg ? -n : n;
}

function cvtW(h: Hart, rd: number, rs1: number, rm: number, dbl: boolean): void {
  const v = dbl ? h.fd[rs1] : getS(h, rs1);
  const n = roundIntegral(v, rm);
  let r: number;
  if (n !== n || n > 2147483647) {
    h.fflags |= FLAG_NV;
    r = 0x7fffffff;
  } else if (n < -2147483648) {
    h.fflags |= FLAG_NV;
    r = -0x80000000;
  } else {
    if (n !== v) h.fflags |= FLAG_NX;
    r = n | 0;
  }
  h.xl[rd] = r;
  h.xh[rd] = r >> 31;
}

function cvtWU(h: Hart, rd: number, rs1: number, rm: number, dbl: boolean): void {
  const v = dbl ? h.fd[rs1] : getS(h, rs1);
  const n = roundIntegral(v, rm);
  let r: number;
  if (n !== n || n > 4294967295) {
    h.fflags |= FLAG_NV;
    r = -1;
  } else if (n < 0) {
    h.fflags |= FLAG_NV;
    r = 0;
  } else {
    if (n !== v) h.fflags |= FLAG_NX;
    r = n | 0;
  }
  h.xl[rd] = r;
  h.xh[rd] = r >> 31; // the 32-bit result is sign-extended
}

function cvtL(h: Hart, rd: number, rs1: number, rm: number, dbl: boolean): void {
  const v = dbl ? h.fd[rs1] : getS(h, rs1);
  const n = roundIntegral(v, rm);
  if (n !== n || n >= TWO63) {
    h.fflags |= FLAG_NV;
    h.xl[rd] = -1;
    h.xh[rd] = 0x7fffffff;
  } else if (n < -TWO63) {
    h.fflags |= FLAG_NV;
    h.xl[rd] = 0;
    h.xh[rd] = -0x80000000;
  } else {
    if (n !== v) h.fflags |= FLAG_NX;
    const hi = Math.floor(n / TWO32);
    h.xl[rd] = n - hi * TWO32; // exact; the store wraps to int32
    h.xh[rd] = hi;
  }
}

function cvtLU(h: Hart, rd: number, rs1: number, rm: number, dbl: boolean): void {
  const v = dbl ? h.fd[rs1] : getS(h, rs1);
  const n = roundIntegral(v, rm);
  if (n !== n || n >= TWO64) {
    h.fflags |= FLAG_NV;
    h.xl[rd] = -1;
    h.xh[rd] = -1;
  } else if (n < 0) {
    h.fflags |= FLAG_NV;
    h.xl[rd] = 0;
    h.xh[rd] = 0;
  } else {
    if (n !== v) h.fflags |= FLAG_NX;
    const hi = Math.floor(n / TWO32);
    h.xl[rd] = n - hi * TWO32;
    h.xh[rd] = hi;
  }
}

/** FCVT.S.W / FCVT.S.WU: x[rs1]'s low 32 bits, signed or unsigned. */
function fromInt32S(h: Hart, rd: number, rs1: number, rm: number, unsigned: boolean): void {
  putS(h, rd, roundS(h, unsigned ? h.xl[rs1] >>> 0 : h.xl[rs1], 0, rm));
}

/** Converts x[rs1] (64-bit, signed or unsigned) to double (dbl) or single. */
function fromInt64(
  h: Hart,
  rd: number,
  rs1: number,
  rm: number,
  unsigned: boolean,
  dbl: boolean,
): void {
  const a = (unsigned ? h.xh[rs1] >>> 0 : h.xh[rs1]) * TWO32; // exact
  const lo = h.xl[rs1] >>> 0;
  const r = a + lo;
  const bb = r - a;
  const e = (a - (r - bb)) + (lo - bb); // exact error of the double sum
  if (!dbl) {
    putS(h, rd, roundS(h, r, e, rm));
  } else if (e === 0) {
    h.fd[rd] = r;
  } else if (rm === 0) {
    h.fflags |= FLAG_NX;
    h.fd[rd] = r;
  } else {
    h.fd[rd] = adjustD(h, r, e, rm === 4 && isTieAway(r, e), rm);
  }
}

function cvtSD(h: Hart, rd: number, rs1: number, rm: number): void {
  const a = h.fd[rs1];
  if (a !== a) {
    h.fflags |= snanD(h, rs1);
    putS(h, rd, NaN);
  } else {
    putS(h, rd, a - a !== 0 ? a : roundS(h, a, 0, rm));
  }
}

function cvtDS(h: Hart, rd: number, rs1: number): void {
  const a = getS(h, rs1);
  if (a !== a) h.fflags |= snanS(h, rs1);
  putD(h, rd, a);
}
