/**
 * Architectural state of one hardware thread (hart): integer and FP
 * registers, pc, the FP control and status register, and the retired
 * instruction count.
 * @module
 */

/** Index of the write-only sink that stands in for x0 as a destination. */
export const X_SINK = 32;

/** FP rounding modes (the `rm` field and `frm`). */
export const RM_RNE = 0;
/** Round towards zero. */
export const RM_RTZ = 1;
/** Round down (towards -infinity). */
export const RM_RDN = 2;
/** Round up (towards +infinity). */
export const RM_RUP = 3;
/** Round to nearest, ties to max magnitude. */
export const RM_RMM = 4;
/** Use the dynamic rounding mode in `frm`. */
export const RM_DYN = 7;

/** Accrued exception flag: inexact. */
export const FLAG_NX = 1;
/** Accrued exception flag: underflow. */
export const FLAG_UF = 2;
/** Accrued exception flag: overflow. */
export const FLAG_OF = 4;
/** Accrued exception flag: divide by zero. */
export const FLAG_DZ = 8;
/** Accrued exception flag: invalid operation. */
export const FLAG_NV = 16;

const TWO32 = 4294967296;

/**
 * One hart's registers. 64-bit integer registers are held as Int32 lo/hi
 * pairs (faster in V8 than BigInt); FP registers as raw bits, with a
 * Float64Array over the same bytes for arithmetic.
 */
export class Hart {
  /** Integer registers, low words; [32] is the x0 write sink. */
  readonly xl: Int32Array = new Int32Array(33);
  /** Integer registers, high words; [32] is the x0 write sink. */
  readonly xh: Int32Array = new Int32Array(33);
  /** FP register bytes: f[i] at bytes 8i..8i+7, little-endian. */
  readonly fbuf: ArrayBuffer = new ArrayBuffer(256);
  /** FP bits: f[i] low word at [2i], high word at [2i+1]. */
  readonly fw: Int32Array = new Int32Array(this.fbuf);
  /** FP registers as doubles (f[i] at [i]). */
  readonly fd: Float64Array = new Float64Array(this.fbuf);
  /** FP registers as singles: the low half of f[i] at [2i]. */
  readonly fs: Float32Array = new Float32Array(this.fbuf);
  /** Program counter (exact below 2^53). */
  pc = 0;
  /** Accrued FP exception flags (FLAG_*). */
  fflags = 0;
  /** Dynamic rounding mode. */
  frm = 0;
  /** Instructions this hart has retired. */
  instret = 0;

  /** Reads x[i] as a bigint (signed). */
  getX(i: number): bigint {
    return (BigInt(this.xh[i]) << 32n) | BigInt(this.xl[i] >>> 0);
  }

  /** Writes x[i] from a bigint (taken modulo 2^64). Writes to x0 are dropped. */
  setX(i: number, v: bigint): void {
    if (i === 0) return;
    this.xl[i] = Number(BigInt.asIntN(32, v));
    this.xh[i] = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** Reads x[i] as an unsigned number (exact below 2^53). */
  getXNumber(i: number): number {
    return (this.xh[i] >>> 0) * TWO32 + (this.xl[i] >>> 0);
  }

  /** Writes x[i] from a number (an integer in -2^53..2^64). Writes to x0 are dropped. */
  setXNumber(i: number, v: number): void {
    if (i === 0) return;
    this.xl[i] = v | 0;
    this.xh[i] = Math.floor(v / TWO32) | 0;
  }

  /** Reads f[i]'s 64 raw bits. */
  getF(i: number): bigint {
    return (BigInt(this.fw[2 * i + 1]) << 32n) | BigInt(this.fw[2 * i] >>> 0);
  }

  /** Writes f[i]'s 64 raw bits. */
  setF(i: number, v: bigint): void {
    this.fw[2 * i] = Number(BigInt.asIntN(32, v));
    this.fw[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** The fcsr value (frm << 5 | fflags). */
  get fcsr(): number {
    return (this.frm << 5) | this.fflags;
  }

  /** Sets fcsr (frm and fflags). */
  set fcsr(v: number) {
    this.frm = (v >> 5) & 7;
    this.fflags = v & 31;
  }

  /** Copies every register from `other` (for clone). */
  copyFrom(other: Hart): void {
    this.xl.set(other.xl);
    this.xh.set(other.xh);
    this.fw.set(other.fw);
    this.pc = other.pc;
    this.fflags = other.fflags;
    this.frm = other.frm;
  }
}
