// Hand-written checks of the F/D rules in the RISC-V unprivileged ISA manual
// (F and D chapters) and IEEE 754-2008. Expected values are worked out from
// those documents; the bulk checks against qemu are in fpu_vectors_test.ts.

import assert from "node:assert/strict";
import { executeFp } from "../../lib/cpu/fpu.ts";
import { FLAG_DZ, FLAG_NV, FLAG_NX, FLAG_OF, FLAG_UF, Hart } from "../../lib/cpu/hart.ts";
import { OPS } from "../../lib/cpu/ops.ts";
import { opShape } from "./fpu_vectors.ts";

const U64 = (1n << 64n) - 1n;
const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

/** Bits of a double, via DataView (independent of the code under test). */
function d(x: number): bigint {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0);
}

/** NaN-boxed bits of a single (x must be exactly representable). */
function s(x: number): bigint {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x);
  assert.equal(v.getFloat32(0), x, `${x} is not a single`);
  return 0xffffffff00000000n | BigInt(v.getUint32(0));
}

/** A boxed single from its 32 raw bits. */
function sb(bits: number): bigint {
  return 0xffffffff00000000n | BigInt(bits >>> 0);
}

const CANON_S = sb(0x7fc00000);
const CANON_D = 0x7ff8000000000000n;
const SNAN_D = 0x7ff0000000000001n;
const SNAN_S = sb(0x7f800001);
const MAX_D = Number.MAX_VALUE;

interface Run {
  /** Destination bits (64, unsigned). */
  out: bigint;
  /** fflags afterwards. */
  flags: number;
  /** executeFp's return value. */
  ok: boolean;
}

/**
 * Runs op `name` with the given source values (FP bits or integer values,
 * by the op's shape) in rounding mode rm (in the instruction; 7 = dynamic,
 * taken from frm).
 */
function run(name: string, srcs: bigint[], rm = RNE, frm = 0, initialFlags = 0): Run {
  const shape = opShape(name);
  const h = new Hart();
  h.frm = frm;
  h.fflags = initialFlags;
  const regs = [1, 2, 3];
  srcs.forEach((v, k) => {
    if (shape.sources[k] === "f") h.setF(regs[k], v);
    else h.setX(regs[k], v);
  });
  const rd = 10;
  const ok = executeFp(h, OPS[name], rd, 1, 2, 3 | (rm << 5));
  const out = (shape.dest === "f" ? h.getF(rd) : h.getX(rd)) & U64;
  return { out, flags: h.fflags, ok };
}

function expect(name: string, srcs: bigint[], rm: number, out: bigint, flags: number): void {
  const r = run(name, srcs, rm);
  const hex = (x: bigint | number) => x.toString(16);
  assert.equal(r.ok, true, `${name} reported illegal`);
  assert.equal(
    `${hex(r.out)}/${hex(r.flags)}`,
    `${hex(out)}/${hex(flags)}`,
    `${name} rm=${rm} ${srcs.map(hex).join(" ")}`,
  );
}

Deno.test("arithmetic NaN results are canonical", () => {
  const payload = 0xfff8000000abcdefn; // negative quiet NaN with a payload
  expect("FADD_D", [payload, d(1)], RNE, CANON_D, 0);
  expect("FMUL_D", [d(2), payload], RNE, CANON_D, 0);
  expect("FADD_S", [sb(0xffc01234), s(1)], RNE, CANON_S, 0);
  expect("FCVT_S_D", [payload], RNE, CANON_S, 0);
  expect("FCVT_D_S", [sb(0xffc01234)], RNE, CANON_D, 0);
  // signaling NaN inputs raise NV and still give the canonical NaN
  expect("FSUB_D", [d(1), SNAN_D], RNE, CANON_D, FLAG_NV);
  expect("FSQRT_S", [SNAN_S], RNE, CANON_S, FLAG_NV);
  expect("FCVT_D_S", [SNAN_S], RNE, CANON_D, FLAG_NV);
  // invalid operations
  expect("FDIV_D", [d(0), d(0)], RNE, CANON_D, FLAG_NV);
  expect("FSUB_D", [d(Infinity), d(Infinity)], RNE, CANON_D, FLAG_NV);
  expect("FMUL_S", [s(0), s(-Infinity)], RNE, CANON_S, FLAG_NV);
  expect("FSQRT_D", [d(-1)], RNE, CANON_D, FLAG_NV);
  expect("FSQRT_D", [d(-0)], RNE, d(-0), 0);
  // division by zero
  expect("FDIV_D", [d(-3), d(0)], RNE, d(-Infinity), FLAG_DZ);
  expect("FDIV_S", [s(1), s(-0)], RNE, s(-Infinity), FLAG_DZ);
  expect("FDIV_D", [d(Infinity), d(0)], RNE, d(Infinity), 0);
});

Deno.test("sign injection and moves preserve NaN payloads", () => {
  const sn = 0x7ff4000000abcdefn;
  expect("FSGNJ_D", [sn, d(-1)], RNE, sn | (1n << 63n), 0);
  expect("FSGNJN_D", [sn, d(-1)], RNE, sn, 0);
  expect("FSGNJX_D", [sn | (1n << 63n), d(-1)], RNE, sn, 0);
  expect("FSGNJ_S", [sb(0x7fa00001), s(-2)], RNE, sb(0xffa00001), 0);
  expect("FMV_X_D", [sn], RNE, sn, 0);
  expect("FMV_D_X", [sn], RNE, sn, 0);
  // FMV.X.W sign-extends the low 32 bits; FMV.W.X boxes them
  expect("FMV_X_W", [sb(0xffa00001)], RNE, 0xffffffffffa00001n, 0);
  expect("FMV_X_W", [sb(0x7fa00001)], RNE, 0x7fa00001n, 0);
  expect("FMV_W_X", [0x12345678_ff800001n], RNE, sb(0xff800001), 0);
});

Deno.test("improperly NaN-boxed singles read as the canonical NaN", () => {
  const unboxed = 0x00000000_3f800000n; // 1.0f without the upper ones
  const unboxedSnan = 0x7fffffff_7f800001n; // would be a signaling NaN if boxed
  expect("FADD_S", [unboxed, s(1)], RNE, CANON_S, 0);
  expect("FADD_S", [unboxedSnan, s(1)], RNE, CANON_S, 0); // canonical NaN is quiet: no NV
  expect("FCLASS_S", [unboxed], RNE, 1n << 9n, 0);
  expect("FSGNJ_S", [unboxed, s(-1)], RNE, sb(0xffc00000), 0);
  expect("FSGNJ_S", [s(3), unboxed], RNE, s(3), 0); // the canonical NaN's sign is +
  expect("FSGNJN_S", [s(3), unboxed], RNE, s(-3), 0);
  expect("FMIN_S", [unboxed, s(5)], RNE, s(5), 0);
  expect("FEQ_S", [unboxed, unboxed], RNE, 0n, 0);
  expect("FLT_S", [unboxed, s(1)], RNE, 0n, FLAG_NV);
  expect("FCVT_W_S", [unboxed], RNE, 0x7fffffffn, FLAG_NV);
  expect("FCVT_D_S", [unboxed], RNE, CANON_D, 0);
  // FMV.X.W moves the low bits whatever the boxing
  expect("FMV_X_W", [unboxed], RNE, 0x3f800000n, 0);
  // a double register read as a single
  expect("FMUL_S", [d(1), s(2)], RNE, CANON_S, 0);
});

Deno.test("single results are NaN-boxed", () => {
  const r = run("FADD_S", [s(1), s(2)]);
  assert.equal(r.out >> 32n, 0xffffffffn);
  assert.equal(r.out, s(3));
  assert.equal(run("FCVT_S_D", [d(0.5)]).out, s(0.5));
  assert.equal(run("FCVT_S_L", [5n]).out, s(5));
  assert.equal(run("FSGNJX_S", [s(2), s(-1)]).out, s(-2));
});

Deno.test("FMIN/FMAX follow minimumNumber/maximumNumber with -0 < +0", () => {
  expect("FMIN_D", [d(0), d(-0)], RNE, d(-0), 0);
  expect("FMIN_D", [d(-0), d(0)], RNE, d(-0), 0);
  expect("FMAX_D", [d(-0), d(0)], RNE, d(0), 0);
  expect("FMAX_D", [d(0), d(-0)], RNE, d(0), 0);
  expect("FMIN_S", [s(-0), s(0)], RNE, s(-0), 0);
  expect("FMAX_S", [s(0), s(-0)], RNE, s(0), 0);
  // one NaN: the other operand; NV only for a signaling NaN
  expect("FMIN_D", [CANON_D, d(-7)], RNE, d(-7), 0);
  expect("FMAX_D", [d(-7), SNAN_D], RNE, d(-7), FLAG_NV);
  expect("FMAX_S", [SNAN_S, s(2.5)], RNE, s(2.5), FLAG_NV);
  // both NaN: the canonical NaN
  expect("FMIN_D", [SNAN_D, 0xfff8000000000005n], RNE, CANON_D, FLAG_NV);
  expect("FMAX_S", [CANON_S, sb(0xffc00001)], RNE, CANON_S, 0);
  expect("FMIN_D", [d(-Infinity), d(3)], RNE, d(-Infinity), 0);
  expect("FMAX_D", [d(-Infinity), d(3)], RNE, d(3), 0);
});

Deno.test("FEQ is quiet, FLT/FLE are signaling", () => {
  expect("FEQ_D", [CANON_D, d(1)], RNE, 0n, 0);
  expect("FEQ_D", [SNAN_D, d(1)], RNE, 0n, FLAG_NV);
  expect("FLT_D", [CANON_D, d(1)], RNE, 0n, FLAG_NV);
  expect("FLE_S", [s(1), CANON_S], RNE, 0n, FLAG_NV);
  expect("FEQ_S", [s(0), s(-0)], RNE, 1n, 0);
  expect("FLE_D", [d(-0), d(0)], RNE, 1n, 0);
  expect("FLT_D", [d(-0), d(0)], RNE, 0n, 0);
  expect("FLT_S", [s(-1), s(1)], RNE, 1n, 0);
});

Deno.test("FCLASS sets exactly one of the ten class bits", () => {
  const cases: [bigint, number][] = [
    [d(-Infinity), 0],
    [d(-1.5), 1],
    [0x800fffffffffffffn, 2],
    [d(-0), 3],
    [d(0), 4],
    [1n, 5],
    [d(1e300), 6],
    [d(Infinity), 7],
    [SNAN_D, 8],
    [CANON_D, 9],
  ];
  for (const [bits, k] of cases) expect("FCLASS_D", [bits], RNE, 1n << BigInt(k), 0);
  const single: [bigint, number][] = [
    [sb(0xff800000), 0],
    [s(-2), 1],
    [sb(0x80000001), 2],
    [s(-0), 3],
    [s(0), 4],
    [sb(0x007fffff), 5],
    [s(1), 6],
    [sb(0x7f800000), 7],
    [SNAN_S, 8],
    [CANON_S, 9],
  ];
  for (const [bits, k] of single) expect("FCLASS_S", [bits], RNE, 1n << BigInt(k), 0);
});

Deno.test("float-to-integer conversions saturate per the manual's table", () => {
  const M32 = 0xffffffffn;
  // FCVT.W: NaN and +big -> 2^31-1, -big -> -2^31 (sign-extended)
  expect("FCVT_W_D", [CANON_D], RNE, 0x7fffffffn, FLAG_NV);
  expect("FCVT_W_D", [d(Infinity)], RNE, 0x7fffffffn, FLAG_NV);
  expect("FCVT_W_D", [d(3e9)], RNE, 0x7fffffffn, FLAG_NV);
  expect("FCVT_W_D", [d(-Infinity)], RNE, 0xffffffff80000000n, FLAG_NV);
  expect("FCVT_W_D", [d(-2147483648.75)], RTZ, 0xffffffff80000000n, FLAG_NX);
  expect("FCVT_W_D", [d(-2147483648.75)], RNE, 0xffffffff80000000n, FLAG_NV);
  expect("FCVT_W_D", [d(2147483647.5)], RDN, 0x7fffffffn, FLAG_NX);
  expect("FCVT_W_D", [d(2147483647.5)], RNE, 0x7fffffffn, FLAG_NV);
  // FCVT.WU: NaN and +big -> 2^32-1, sign-extended to all ones; negatives -> 0
  expect("FCVT_WU_D", [CANON_D], RNE, U64, FLAG_NV);
  expect("FCVT_WU_S", [s(Infinity)], RNE, U64, FLAG_NV);
  expect("FCVT_WU_D", [d(-1)], RNE, 0n, FLAG_NV);
  expect("FCVT_WU_D", [d(-0.25)], RNE, 0n, FLAG_NX); // rounds to 0: in range
  expect("FCVT_WU_D", [d(-0.75)], RTZ, 0n, FLAG_NX);
  expect("FCVT_WU_D", [d(-0.75)], RNE, 0n, FLAG_NV);
  expect("FCVT_WU_D", [d(3e9)], RNE, (U64 ^ M32) | 3000000000n, 0); // bit 31 set: sign-extended
  // FCVT.L / FCVT.LU
  expect("FCVT_L_D", [d(2 ** 63)], RNE, 0x7fffffffffffffffn, FLAG_NV);
  expect("FCVT_L_D", [d(-(2 ** 63))], RNE, 1n << 63n, 0);
  expect("FCVT_L_S", [CANON_S], RNE, 0x7fffffffffffffffn, FLAG_NV);
  expect("FCVT_L_D", [d(-Infinity)], RNE, 1n << 63n, FLAG_NV);
  expect("FCVT_LU_D", [d(2 ** 64)], RNE, U64, FLAG_NV);
  expect("FCVT_LU_D", [d(2 ** 64 - 2048)], RNE, (1n << 64n) - 2048n, 0);
  expect("FCVT_LU_D", [d(-Infinity)], RNE, 0n, FLAG_NV);
  expect("FCVT_LU_S", [SNAN_S], RNE, U64, FLAG_NV);
  expect("FCVT_L_D", [d(-1.5)], RNE, U64 - 1n, FLAG_NX); // -2
});

Deno.test("float-to-integer rounding in every mode", () => {
  const table: [number, number[]][] = [
    // value, results for RNE RTZ RDN RUP RMM
    [2.5, [2, 2, 2, 3, 3]],
    [3.5, [4, 3, 3, 4, 4]],
    [-2.5, [-2, -2, -3, -2, -3]],
    [1.25, [1, 1, 1, 2, 1]],
    [-1.75, [-2, -1, -2, -1, -2]],
    [0.5, [0, 0, 0, 1, 1]],
  ];
  for (const [v, want] of table) {
    for (let rm = 0; rm < 5; rm++) {
      expect("FCVT_L_D", [d(v)], rm, BigInt.asUintN(64, BigInt(want[rm])), FLAG_NX);
      expect("FCVT_W_S", [s(v)], rm, BigInt.asUintN(64, BigInt(want[rm])), FLAG_NX);
    }
  }
});

Deno.test("integer-to-float conversions round in every mode", () => {
  // 2^53 + 1 is halfway between 2^53 and 2^53 + 2
  const x = (1n << 53n) + 1n;
  const lo = d(2 ** 53), hi = d(2 ** 53 + 2);
  const want = [lo, lo, lo, hi, hi];
  for (let rm = 0; rm < 5; rm++) expect("FCVT_D_L", [x], rm, want[rm], FLAG_NX);
  expect("FCVT_D_L", [-x & U64], RDN, d(-(2 ** 53) - 2), FLAG_NX);
  expect("FCVT_D_L", [-x & U64], RUP, d(-(2 ** 53)), FLAG_NX);
  expect("FCVT_D_LU", [U64], RTZ, d(2 ** 64 - 2048), FLAG_NX);
  expect("FCVT_D_LU", [U64], RNE, d(2 ** 64), FLAG_NX);
  expect("FCVT_D_L", [U64], RNE, d(-1), 0);
  // single: 2^24 + 1 is a tie; 0x7fffffc0 = 2^31 - 64 is a tie too
  expect("FCVT_S_W", [(1n << 24n) + 1n], RNE, s(2 ** 24), FLAG_NX);
  expect("FCVT_S_W", [(1n << 24n) + 1n], RMM, s(2 ** 24 + 2), FLAG_NX);
  expect("FCVT_S_W", [0x7fffffc0n], RNE, s(2 ** 31), FLAG_NX);
  expect("FCVT_S_W", [0x7fffffc0n], RTZ, s(2 ** 31 - 128), FLAG_NX);
  // W/WU read only the low 32 bits of the source register
  expect("FCVT_S_W", [0xdeadbeef_fffffffen], RNE, s(-2), 0);
  expect("FCVT_S_WU", [0xdeadbeef_fffffffen], RTZ, s(2 ** 32 - 256), FLAG_NX);
  expect("FCVT_D_WU", [0x12345678_80000000n], RNE, d(2 ** 31), 0);
  expect("FCVT_D_W", [0x12345678_80000000n], RNE, d(-(2 ** 31)), 0);
  expect("FCVT_S_L", [0n], RDN, s(0), 0); // integer zero is +0 in every mode
});

Deno.test("directed rounding of double arithmetic", () => {
  const one = d(1), tiny = d(2 ** -60);
  const up = d(1 + 2 ** -52), down = d(1 - 2 ** -53);
  expect("FADD_D", [one, tiny], RNE, one, FLAG_NX);
  expect("FADD_D", [one, tiny], RTZ, one, FLAG_NX);
  expect("FADD_D", [one, tiny], RDN, one, FLAG_NX);
  expect("FADD_D", [one, tiny], RUP, up, FLAG_NX);
  expect("FADD_D", [one, tiny], RMM, one, FLAG_NX);
  expect("FSUB_D", [one, tiny], RDN, down, FLAG_NX); // crosses into the finer binade
  expect("FSUB_D", [one, tiny], RTZ, down, FLAG_NX);
  expect("FSUB_D", [one, tiny], RUP, one, FLAG_NX);
  // 1 + 2^-53 is a tie: RNE keeps the even 1, RMM goes away from zero
  expect("FADD_D", [one, d(2 ** -53)], RNE, one, FLAG_NX);
  expect("FADD_D", [one, d(2 ** -53)], RMM, up, FLAG_NX);
  expect("FADD_D", [d(-1), d(-(2 ** -53))], RMM, d(-1 - 2 ** -52), FLAG_NX);
  // 1/3 in each mode: 0x3fd5555555555555 is RNE and below the exact value
  const third = 0x3fd5555555555555n;
  expect("FDIV_D", [one, d(3)], RNE, third, FLAG_NX);
  expect("FDIV_D", [one, d(3)], RUP, third + 1n, FLAG_NX);
  expect("FDIV_D", [one, d(3)], RDN, third, FLAG_NX);
  expect("FDIV_D", [d(-1), d(3)], RDN, third + 1n | (1n << 63n), FLAG_NX);
  // sqrt(2) = 0x3ff6a09e667f3bcc.9..: RNE rounds up, RTZ truncates
  expect("FSQRT_D", [d(2)], RNE, 0x3ff6a09e667f3bcdn, FLAG_NX);
  expect("FSQRT_D", [d(2)], RTZ, 0x3ff6a09e667f3bccn, FLAG_NX);
  expect("FSQRT_D", [d(4)], RUP, d(2), 0);
  // exact zero sums are +0, except -0 in RDN
  expect("FSUB_D", [d(5), d(5)], RNE, d(0), 0);
  expect("FSUB_D", [d(5), d(5)], RDN, d(-0), 0);
  expect("FADD_D", [d(0), d(-0)], RDN, d(-0), 0);
  expect("FADD_D", [d(0), d(0)], RDN, d(0), 0);
  expect("FADD_D", [d(-0), d(-0)], RUP, d(-0), 0);
  expect("FSUB_S", [s(0), s(0)], RDN, s(-0), 0);
});

Deno.test("overflow gives infinity or the largest finite value by mode", () => {
  const max = d(MAX_D), nmax = d(-MAX_D);
  const inf = d(Infinity), ninf = d(-Infinity);
  const F = FLAG_OF | FLAG_NX;
  expect("FADD_D", [max, max], RNE, inf, F);
  expect("FADD_D", [max, max], RTZ, max, F);
  expect("FADD_D", [max, max], RDN, max, F);
  expect("FADD_D", [max, max], RUP, inf, F);
  expect("FADD_D", [max, max], RMM, inf, F);
  expect("FADD_D", [nmax, nmax], RDN, ninf, F);
  expect("FADD_D", [nmax, nmax], RUP, nmax, F);
  expect("FMUL_D", [d(2 ** 600), d(-(2 ** 600))], RTZ, nmax, F);
  expect("FDIV_D", [max, d(0.5)], RNE, inf, F);
  // max + half an ulp: RNE ties to the even 2^1024 (overflow); RTZ stays below
  expect("FADD_D", [max, d(2 ** 970)], RNE, inf, F);
  expect("FADD_D", [max, d(2 ** 970)], RTZ, max, FLAG_NX);
  // singles
  const smax = sb(0x7f7fffff);
  expect("FMUL_S", [smax, s(2)], RNE, sb(0x7f800000), F);
  expect("FMUL_S", [smax, s(2)], RTZ, smax, F);
  expect("FMUL_S", [smax, s(-2)], RUP, sb(0xff7fffff), F);
  // FCVT.S.D of the largest single plus half its ulp, 2^128 - 2^103 (a tie)
  expect("FCVT_S_D", [0x47effffff0000000n], RNE, sb(0x7f800000), F);
  expect("FCVT_S_D", [0x47effffff0000000n], RTZ, smax, FLAG_NX);
  expect("FCVT_S_D", [0x47effffff0000000n], RMM, sb(0x7f800000), F);
  expect("FCVT_S_D", [d(2 ** 128)], RTZ, smax, F);
});

Deno.test("underflow: tininess is detected after rounding", () => {
  // (2^27-1)(2^27+1) 2^-1076 = 2^-1022 - 2^-1076: rounded to 53 bits with an
  // unbounded exponent it becomes 2^-1022 (a tie, to even), so not tiny: NX only.
  const a1 = d(134217727 * 2 ** -538), b1 = d(134217729 * 2 ** -538);
  expect("FMUL_D", [a1, b1], RNE, d(2 ** -1022), FLAG_NX);
  // (2^53 - 1) 2^-1075 = 2^-1022 - 2^-1075 needs 53 bits: tiny after rounding
  // at unbounded exponent, yet the subnormal rounding gives 2^-1022: UF and NX.
  const a2 = d(441650591 * 2 ** -538), b2 = d(20394401 * 2 ** -537);
  expect("FMUL_D", [a2, b2], RNE, d(2 ** -1022), FLAG_UF | FLAG_NX);
  expect("FMUL_D", [a2, b2], RTZ, 0x000fffffffffffffn, FLAG_UF | FLAG_NX);
  // an exact subnormal result is not an underflow
  expect("FMUL_D", [d(2 ** -1000), d(2 ** -70)], RNE, d(2 ** -1070), 0);
  expect("FDIV_D", [d(2 ** -1070), d(2)], RNE, d(2 ** -1071), 0);
  // results that round to zero
  expect("FMUL_D", [d(2 ** -1074), d(0.25)], RNE, d(0), FLAG_UF | FLAG_NX);
  expect("FMUL_D", [d(2 ** -1074), d(-0.25)], RDN, d(-(2 ** -1074)), FLAG_UF | FLAG_NX);
  expect("FMUL_D", [d(2 ** -1074), d(0.5)], RMM, d(2 ** -1074), FLAG_UF | FLAG_NX);
  // single: 2^-126 - 2^-150 is a tie at subnormal precision (to the even
  // 2^-126), but has 24 bits, so with unbounded exponent it stays tiny.
  expect("FCVT_S_D", [d(2 ** -126 - 2 ** -150)], RNE, s(2 ** -126), FLAG_UF | FLAG_NX);
  // 2^-126 - 2^-151 rounds to 2^-126 at 24 bits unbounded: not tiny
  expect("FCVT_S_D", [d(2 ** -126 - 2 ** -151)], RNE, s(2 ** -126), FLAG_NX);
  expect("FCVT_S_D", [d(2 ** -150)], RNE, s(0), FLAG_UF | FLAG_NX);
  expect("FCVT_S_D", [d(2 ** -150)], RUP, s(2 ** -149), FLAG_UF | FLAG_NX);
});

Deno.test("fused multiply-add rounds once", () => {
  // (1 + 2^-26)(1 + 2^-27) = 1 + 2^-26 + 2^-27 + 2^-53: a tie between
  // low (even) and high; the addend decides (a separate multiply loses it).
  const a = d(1 + 2 ** -26), b = d(1 + 2 ** -27);
  const low = d(1 + 2 ** -26 + 2 ** -27), high = d(1 + 2 ** -26 + 2 ** -27 + 2 ** -52);
  expect("FMADD_D", [a, b, d(0)], RNE, low, FLAG_NX);
  expect("FMADD_D", [a, b, d(2 ** -100)], RNE, high, FLAG_NX);
  expect("FMADD_D", [a, b, d(-(2 ** -100))], RNE, low, FLAG_NX);
  expect("FMADD_D", [a, b, d(0)], RMM, high, FLAG_NX);
  expect("FMSUB_D", [a, b, d(2 ** -100)], RUP, high, FLAG_NX);
  expect("FMSUB_D", [a, b, d(2 ** -100)], RDN, low, FLAG_NX);
  // the exact error of the rounded product: a*b - low = 2^-53
  expect("FMSUB_D", [a, b, low], RNE, d(2 ** -53), 0);
  expect("FNMADD_D", [a, b, d(-1)], RNE, d(-(2 ** -26 + 2 ** -27 + 2 ** -53)), 0);
  // single: (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24, a single tie; computing in
  // double and then rounding to single would tie to even and lose the addend
  const c = s(1 + 2 ** -12);
  const sLow = s(1 + 2 ** -11), sHigh = s(1 + 2 ** -11 + 2 ** -23);
  expect("FMADD_S", [c, c, s(2 ** -60)], RNE, sHigh, FLAG_NX);
  expect("FMADD_S", [c, c, s(-(2 ** -60))], RNE, sLow, FLAG_NX);
  expect("FMADD_S", [c, c, s(0)], RNE, sLow, FLAG_NX);
  expect("FMADD_S", [c, c, s(0)], RMM, sHigh, FLAG_NX);
  expect("FMADD_S", [c, c, s(-(2 ** -60))], RUP, sHigh, FLAG_NX);
  expect("FMADD_S", [c, c, s(2 ** -60)], RTZ, sLow, FLAG_NX);
  // inf * 0 is invalid even with a quiet NaN addend
  expect("FMADD_D", [d(Infinity), d(0), CANON_D], RNE, CANON_D, FLAG_NV);
  expect("FMADD_S", [s(0), s(Infinity), CANON_S], RNE, CANON_S, FLAG_NV);
  expect("FMADD_D", [d(2), d(3), CANON_D], RNE, CANON_D, 0);
  expect("FMADD_D", [d(Infinity), d(1), d(-Infinity)], RNE, CANON_D, FLAG_NV);
  // signs: FNMADD = -(a*b) - c; exact zero results are +0 (-0 in RDN)
  expect("FNMADD_D", [d(2), d(3), d(1)], RNE, d(-7), 0);
  expect("FNMSUB_D", [d(2), d(3), d(1)], RNE, d(-5), 0);
  expect("FMADD_D", [d(2), d(3), d(-6)], RNE, d(0), 0);
  expect("FMADD_D", [d(2), d(3), d(-6)], RDN, d(-0), 0);
  expect("FMADD_D", [d(-0), d(3), d(-0)], RNE, d(-0), 0);
  expect("FMADD_D", [d(0), d(3), d(-0)], RNE, d(0), 0);
});

Deno.test("reserved rounding modes are illegal", () => {
  for (const name of ["FADD_D", "FMADD_S", "FCVT_W_D", "FCVT_D_S", "FCVT_D_W", "FSQRT_S"]) {
    const srcs = [d(1), d(1), d(1)];
    assert.equal(run(name, srcs, 5).ok, false, `${name} rm=5`);
    assert.equal(run(name, srcs, 6).ok, false, `${name} rm=6`);
    for (const frm of [5, 6, 7]) {
      assert.equal(run(name, srcs, 7, frm).ok, false, `${name} dyn frm=${frm}`);
    }
    assert.equal(run(name, srcs, 7, 4).ok, true, `${name} dyn frm=4`);
    assert.equal(run(name, srcs, 4).ok, true, `${name} rm=4`);
  }
  // ops without a rounding mode do not look at it (funct3 selects the op)
  assert.equal(run("FSGNJX_D", [d(1), d(-1)], 2, 7).ok, true);
  assert.equal(run("FMIN_S", [s(1), s(2)], 7, 6).ok, true);
  assert.equal(run("FMV_X_D", [d(1)], 7, 5).ok, true);
  assert.equal(run("FEQ_D", [d(1), d(1)], 2, 7).ok, true);
});

Deno.test("dynamic rounding reads frm", () => {
  const h = new Hart();
  h.setF(1, d(1));
  h.setF(2, d(2 ** -60));
  h.frm = RUP;
  assert.ok(executeFp(h, OPS.FADD_D, 3, 1, 2, 7 << 5));
  assert.equal(h.getF(3), d(1 + 2 ** -52));
  h.frm = RDN;
  assert.ok(executeFp(h, OPS.FADD_D, 3, 1, 2, 7 << 5));
  assert.equal(h.getF(3), d(1));
});

Deno.test("flags accrue", () => {
  const r = run("FADD_D", [d(1), d(1)], RNE, 0, FLAG_DZ | FLAG_UF);
  assert.equal(r.flags, FLAG_DZ | FLAG_UF);
  const r2 = run("FDIV_D", [d(1), d(3)], RNE, 0, FLAG_NV);
  assert.equal(r2.flags, FLAG_NV | FLAG_NX);
});

Deno.test("unknown ops are illegal", () => {
  const h = new Hart();
  assert.equal(executeFp(h, 188, 1, 2, 3, 0), false);
  assert.equal(executeFp(h, 23, 1, 2, 3, 0), false); // ADDI is not an FP op
});
