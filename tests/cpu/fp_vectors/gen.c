/*
 * Reference vectors for the zkabi F/D interpreter.
 *
 * Runs every F/D operation on real RISC-V semantics (qemu-user) under all
 * five rounding modes and prints one line per execution:
 *
 *   NAME RM FLAGS RESULT OPERAND...
 *
 * NAME is the op name from lib/cpu/ops.ts, RM the rounding mode (0..4; 0 for
 * ops without a rounding mode), FLAGS the fflags after the op, RESULT the
 * destination's 64 bits (FP results via fmv.x.d, so NaN-boxing is visible)
 * and the OPERANDs the 64-bit source register values, all in hex.
 *
 * Rounding modes are applied through frm with the instructions' rm = dyn.
 * Build and run with gen.sh; `gen stress N SEED` instead streams N rounds
 * of random targeted inputs for every rounding op (see stress.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t u64;
typedef uint32_t u32;

typedef void (*stub_fn)(u64 a, u64 b, u64 c, u64 rm, u64 *res, u64 *fl);

/* Operand shapes: which registers are FP and how many sources. */
enum { K_F3, K_F2, K_F1, K_X_FF, K_X_F, K_F_X };

/* One stub per instruction; the asm sets frm, clears fflags, runs the
 * instruction and reads back the result and fflags, then restores frm = RNE
 * so the C code around it is unaffected. */
#define PRE "csrw frm, %[rm]\n\tcsrw fflags, zero\n\t"
#define POST "\n\tcsrr %[f], fflags\n\tcsrw frm, zero"
#define OUTS [res] "=&r"(r), [f] "=&r"(f)
#define INS [a] "r"(a), [b] "r"(b), [c] "r"(c), [rm] "r"(rm)
#define CLOB "ft0", "ft1", "ft2", "ft3"

#define STUB_F3(fn, ins)                                                     \
  static void fn(u64 a, u64 b, u64 c, u64 rm, u64 *res, u64 *fl) {           \
    u64 r, f;                                                                \
    __asm__ volatile(PRE "fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\t"        \
                         "fmv.d.x ft2, %[c]\n\t" ins                          \
                         " ft3, ft0, ft1, ft2\n\tfmv.x.d %[res], ft3" POST   \
                     : OUTS : INS : CLOB);                                   \
    *res = r;                                                                \
    *fl = f;                                                                 \
  }
#define STUB_F2(fn, ins)                                                     \
  static void fn(u64 a, u64 b, u64 c, u64 rm, u64 *res, u64 *fl) {           \
    u64 r, f;                                                                \
    __asm__ volatile(PRE "fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\t" ins    \
                         " ft3, ft0, ft1\n\tfmv.x.d %[res], ft3" POST        \
                     : OUTS : INS : CLOB);                                   \
    *res = r;                                                                \
    *fl = f;                                                                 \
  }
#define STUB_F1(fn, ins)                                                     \
  static void fn(u64 a, u64 b, u64 c, u64 rm, u64 *res, u64 *fl) {           \
    u64 r, f;                                                                \
    __asm__ volatile(PRE "fmv.d.x ft0, %[a]\n\t" ins                         \
                         " ft3, ft0\n\tfmv.x.d %[res], ft3" POST             \
                     : OUTS : INS : CLOB);                                   \
    *res = r;                                                                \
    *fl = f;                                                                 \
  }
#define STUB_X_FF(fn, ins)                                                   \
  static void fn(u64 a, u64 b, u64 c, u64 rm, u64 *res, u64 *fl) {           \
    u64 r, f;                                                                \
    __asm__ volatile(PRE "fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\t" ins    \
                         " %[res], ft0, ft1" POST                            \
                     : OUTS : INS : CLOB);                                   \
    *res = r;                                                                \
    *fl = f;                                                                 \
  }
#define STUB_X_F(fn, ins)                                                    \
  static void fn(u64 a, u64 b, u64 c, u64 rm, u64 *res, u64 *fl) {           \
    u64 r, f;                                                                \
    __asm__ volatile(PRE "fmv.d.x ft0, %[a]\n\t" ins " %[res], ft0" POST     \
                     : OUTS : INS : CLOB);                                   \
    *res = r;                                                                \
    *fl = f;                                                                 \
  }
#define STUB_F_X(fn, ins)                                                    \
  static void fn(u64 a, u64 b, u64 c, u64 rm, u64 *res, u64 *fl) {           \
    u64 r, f;                                                                \
    __asm__ volatile(PRE ins " ft3, %[a]\n\tfmv.x.d %[res], ft3" POST        \
                     : OUTS : INS : CLOB);                                   \
    *res = r;                                                                \
    *fl = f;                                                                 \
  }

STUB_F3(s_fmadd_s, "fmadd.s")
STUB_F3(s_fmsub_s, "fmsub.s")
STUB_F3(s_fnmsub_s, "fnmsub.s")
STUB_F3(s_fnmadd_s, "fnmadd.s")
STUB_F2(s_fadd_s, "fadd.s")
STUB_F2(s_fsub_s, "fsub.s")
STUB_F2(s_fmul_s, "fmul.s")
STUB_F2(s_fdiv_s, "fdiv.s")
STUB_F1(s_fsqrt_s, "fsqrt.s")
STUB_F2(s_fsgnj_s, "fsgnj.s")
STUB_F2(s_fsgnjn_s, "fsgnjn.s")
STUB_F2(s_fsgnjx_s, "fsgnjx.s")
STUB_F2(s_fmin_s, "fmin.s")
STUB_F2(s_fmax_s, "fmax.s")
STUB_X_F(s_fcvt_w_s, "fcvt.w.s")
STUB_X_F(s_fcvt_wu_s, "fcvt.wu.s")
STUB_X_F(s_fcvt_l_s, "fcvt.l.s")
STUB_X_F(s_fcvt_lu_s, "fcvt.lu.s")
STUB_X_F(s_fmv_x_w, "fmv.x.w")
STUB_X_F(s_fclass_s, "fclass.s")
STUB_X_FF(s_feq_s, "feq.s")
STUB_X_FF(s_flt_s, "flt.s")
STUB_X_FF(s_fle_s, "fle.s")
STUB_F_X(s_fcvt_s_w, "fcvt.s.w")
STUB_F_X(s_fcvt_s_wu, "fcvt.s.wu")
STUB_F_X(s_fcvt_s_l, "fcvt.s.l")
STUB_F_X(s_fcvt_s_lu, "fcvt.s.lu")
STUB_F_X(s_fmv_w_x, "fmv.w.x")

STUB_F3(s_fmadd_d, "fmadd.d")
STUB_F3(s_fmsub_d, "fmsub.d")
STUB_F3(s_fnmsub_d, "fnmsub.d")
STUB_F3(s_fnmadd_d, "fnmadd.d")
STUB_F2(s_fadd_d, "fadd.d")
STUB_F2(s_fsub_d, "fsub.d")
STUB_F2(s_fmul_d, "fmul.d")
STUB_F2(s_fdiv_d, "fdiv.d")
STUB_F1(s_fsqrt_d, "fsqrt.d")
STUB_F2(s_fsgnj_d, "fsgnj.d")
STUB_F2(s_fsgnjn_d, "fsgnjn.d")
STUB_F2(s_fsgnjx_d, "fsgnjx.d")
STUB_F2(s_fmin_d, "fmin.d")
STUB_F2(s_fmax_d, "fmax.d")
STUB_X_F(s_fcvt_w_d, "fcvt.w.d")
STUB_X_F(s_fcvt_wu_d, "fcvt.wu.d")
STUB_X_F(s_fcvt_l_d, "fcvt.l.d")
STUB_X_F(s_fcvt_lu_d, "fcvt.lu.d")
STUB_X_F(s_fmv_x_d, "fmv.x.d")
STUB_X_F(s_fclass_d, "fclass.d")
STUB_X_FF(s_feq_d, "feq.d")
STUB_X_FF(s_flt_d, "flt.d")
STUB_X_FF(s_fle_d, "fle.d")
STUB_F_X(s_fcvt_d_w, "fcvt.d.w")
STUB_F_X(s_fcvt_d_wu, "fcvt.d.wu")
STUB_F_X(s_fcvt_d_l, "fcvt.d.l")
STUB_F_X(s_fcvt_d_lu, "fcvt.d.lu")
STUB_F_X(s_fmv_d_x, "fmv.d.x")
STUB_F1(s_fcvt_s_d, "fcvt.s.d")
STUB_F1(s_fcvt_d_s, "fcvt.d.s")

/* ---- helpers ------------------------------------------------------------ */

static u64 rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: deterministic so the vector file is reproducible. */
static u64 rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}
static int rnd_int(int lo, int hi) { return lo + (int)(rnd() % (u64)(hi - lo + 1)); }

static double bd(u64 x) { double d; memcpy(&d, &x, 8); return d; }
static u64 db(double d) { u64 x; memcpy(&x, &d, 8); return x; }
static float bf(u32 x) { float f; memcpy(&f, &x, 4); return f; }
static u32 fb(float f) { u32 x; memcpy(&x, &f, 4); return x; }
static u64 box(u32 s) { return 0xffffffff00000000ull | s; }
static u64 boxf(float f) { return box(fb(f)); }

/* A mantissa (without hidden bit) of `bits` bits with a random structure:
 * fully random, only a few top bits, runs of ones, or a single low bit, so
 * rounding sees all kinds of tails. */
static u64 mant(int bits) {
  u64 mask = (bits == 64) ? ~0ull : ((1ull << bits) - 1);
  switch (rnd() % 6) {
  case 0:
  case 1:
    return rnd() & mask;
  case 2: { /* few significant bits: exact products / ties */
    int keep = rnd_int(1, bits / 2 + 1);
    return (rnd() & mask) & ~((1ull << (bits - keep)) - 1);
  }
  case 3: /* all ones tail */
    return mask & ~((1ull << rnd_int(0, bits - 1)) - 1);
  case 4: /* one low bit */
    return (rnd() & mask & ~((1ull << (bits / 2)) - 1)) | (1ull << rnd_int(0, bits / 2));
  default:
    return 0;
  }
}

/* A double with unbiased exponent e (clamped to normal/subnormal ranges). */
static u64 dexp(int sign, int e) {
  u64 m = mant(52);
  if (e < -1022) { /* subnormal */
    int sh = -1022 - e;
    if (sh > 52) sh = 52;
    m = (m | (1ull << 52)) >> sh;
    if (m == 0) m = 1;
    return ((u64)sign << 63) | m;
  }
  if (e > 1023) e = 1023;
  return ((u64)sign << 63) | ((u64)(e + 1023) << 52) | m;
}
static u32 sexp(int sign, int e) {
  u32 m = (u32)mant(23);
  if (e < -126) {
    int sh = -126 - e;
    if (sh > 23) sh = 23;
    m = (m | (1u << 23)) >> sh;
    if (m == 0) m = 1;
    return ((u32)sign << 31) | m;
  }
  if (e > 127) e = 127;
  return ((u32)sign << 31) | ((u32)(e + 127) << 23) | m;
}
static int rsign(void) { return (int)(rnd() & 1); }

/* A double whose significand has at most `bits` significant bits. */
static u64 dshort(int sign, int e, int bits) {
  u64 m = (rnd() | 1) & ((1ull << bits) - 1);
  m |= 1ull << (bits - 1);
  double v = (double)m;
  int k = 0;
  while (k < bits - 1) { v /= 2; k++; }
  u64 x = db(v);
  x = (x & ~(0x7ffull << 52)) | ((u64)(e + 1023) << 52);
  return x | ((u64)sign << 63);
}
static u32 sshort(int sign, int e, int bits) {
  u64 x = dshort(sign, e, bits);
  return fb((float)bd(x));
}

static const u64 DSPEC[] = {
    /* +0, -0, 1, -1.5, qNaN, sNaN, +inf, -inf, max, -max, min normal,
     * -min subnormal, max subnormal, 3, 0.1, 1+ulp, then more. */
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull,
    0xbff8000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7fefffffffffffffull,
    0xffefffffffffffffull, 0x0010000000000000ull, 0x8000000000000001ull,
    0x000fffffffffffffull, 0x4008000000000000ull, 0x3fb999999999999aull,
    0x3ff0000000000001ull, 0xfff4000000000abcull, 0x3ca0000000000000ull,
    0x7fe0000000000000ull, 0x0000000000000001ull, 0x3fefffffffffffffull,
    0x4340000000000000ull, 0x400921fb54442d18ull, 0xc01c000000000000ull,
    0x8010000000000000ull, 0x7ffc000000001234ull,
};
#define NDSPEC (int)(sizeof DSPEC / sizeof DSPEC[0])

static const u64 SSPEC[] = {
    /* Same order as DSPEC; index 16 is 1.0 improperly boxed, and the list
     * ends with more boxing mistakes. */
    0xffffffff00000000ull, 0xffffffff80000000ull, 0xffffffff3f800000ull,
    0xffffffffbfc00000ull, 0xffffffff7fc00000ull, 0xffffffff7f800001ull,
    0xffffffff7f800000ull, 0xffffffffff800000ull, 0xffffffff7f7fffffull,
    0xffffffffff7fffffull, 0xffffffff00800000ull, 0xffffffff80000001ull,
    0xffffffff007fffffull, 0xffffffff40400000ull, 0xffffffff3dcccccdull,
    0xffffffff3f800001ull, 0x000000003f800000ull, 0xffffffffffa00abcull,
    0xffffffff7f000000ull, 0xffffffff00000001ull, 0xffffffff3f7fffffull,
    0xffffffff4b800000ull, 0xffffffff40490fdbull, 0xffffffffc0e00000ull,
    0x7ff8000000000000ull, 0xfffffffe3f800000ull, 0xffffffff7fe01234ull,
};
#define NSSPEC (int)(sizeof SSPEC / sizeof SSPEC[0])

/* ---- emission ----------------------------------------------------------- */

static long count;

static void emit(const char *name, int kind, stub_fn fn, int rm, u64 a, u64 b, u64 c) {
  u64 r, f;
  fn(a, b, c, (u64)rm, &r, &f);
  printf("%s %d %lx %lx %lx", name, rm, f, r, a);
  if (kind == K_F3 || kind == K_F2 || kind == K_X_FF) printf(" %lx", b);
  if (kind == K_F3) printf(" %lx", c);
  putchar('\n');
  count++;
}

static void emit5(const char *name, int kind, stub_fn fn, u64 a, u64 b, u64 c) {
  for (int rm = 0; rm < 5; rm++) emit(name, kind, fn, rm, a, b, c);
}

/* ---- generators --------------------------------------------------------- */

enum { A_ADD, A_MUL, A_DIV };

/* Random operand pair for double add/mul/div aimed at rounding edges. */
static void pair_d(int cls, u64 *a, u64 *b) {
  int sc = (int)(rnd() % 8);
  int ea = rnd_int(-8, 8), eb = rnd_int(-8, 8);
  switch (sc) {
  case 0: break;
  case 1: /* alignment distance */
    eb = ea - rnd_int(0, 60);
    break;
  case 2: /* short significands: exact products, ties */
    *a = dshort(rsign(), ea, rnd_int(20, 30));
    *b = dshort(rsign(), eb, rnd_int(20, 30));
    if (cls == A_ADD) {
      int d = rnd_int(25, 56);
      *b = dshort(rsign(), ea - d, rnd_int(1, 8));
    }
    return;
  case 3: /* overflow region */
    if (cls == A_ADD) { ea = rnd_int(1020, 1023); eb = rnd_int(960, 1023); }
    else if (cls == A_MUL) { ea = rnd_int(500, 530); eb = 1023 - ea + rnd_int(-3, 2); }
    else { ea = rnd_int(1000, 1023); eb = ea - 1023 - rnd_int(-2, 2); }
    break;
  case 4: /* underflow region */
    if (cls == A_ADD) { ea = rnd_int(-1080, -1015); eb = rnd_int(-1080, -1015); }
    else if (cls == A_MUL) { ea = rnd_int(-540, -500); eb = -1022 - ea - rnd_int(-3, 56); }
    else { ea = rnd_int(-1000, -900); eb = ea + 1022 + rnd_int(-3, 56); }
    break;
  case 5: /* anywhere */
    ea = rnd_int(-1074, 1023); eb = rnd_int(-1074, 1023);
    break;
  case 6: /* exact half-ulp addend / exact quotient */
    *a = dexp(rsign(), ea);
    if (cls == A_ADD) {
      *b = ((u64)rsign() << 63) | ((u64)(ea - 53 + 1023) << 52) | (rnd() & 1 ? 0 : (rnd() & 0xfffffffffull));
    } else {
      *b = dshort(rsign(), eb, rnd_int(1, 10));
      if (cls == A_DIV) *a = db(bd(*b) * (double)rnd_int(1, 1000));
    }
    return;
  default: /* min normal boundary */
    ea = rnd_int(-1024, -1020);
    eb = (cls == A_ADD) ? rnd_int(-1075, -1020) : rnd_int(-3, 3);
    break;
  }
  *a = dexp(rsign(), ea);
  *b = dexp(rsign(), eb);
}

static void pair_s(int cls, u64 *a, u64 *b) {
  int sc = (int)(rnd() % 8);
  int ea = rnd_int(-8, 8), eb = rnd_int(-8, 8);
  switch (sc) {
  case 0: break;
  case 1: eb = ea - rnd_int(0, 30); break;
  case 2:
    *a = box(sshort(rsign(), ea, rnd_int(8, 14)));
    *b = box(sshort(rsign(), eb, rnd_int(8, 14)));
    if (cls == A_ADD) *b = box(sshort(rsign(), ea - rnd_int(12, 27), rnd_int(1, 6)));
    return;
  case 3:
    if (cls == A_ADD) { ea = rnd_int(124, 127); eb = rnd_int(100, 127); }
    else if (cls == A_MUL) { ea = rnd_int(60, 68); eb = 127 - ea + rnd_int(-3, 2); }
    else { ea = rnd_int(110, 127); eb = ea - 127 - rnd_int(-2, 2); }
    break;
  case 4:
    if (cls == A_ADD) { ea = rnd_int(-152, -120); eb = rnd_int(-152, -120); }
    else if (cls == A_MUL) { ea = rnd_int(-70, -60); eb = -126 - ea - rnd_int(-3, 26); }
    else { ea = rnd_int(-120, -100); eb = ea + 126 + rnd_int(-3, 26); }
    break;
  case 5: ea = rnd_int(-149, 127); eb = rnd_int(-149, 127); break;
  case 6:
    *a = box(sexp(rsign(), ea));
    if (cls == A_ADD) {
      *b = box(((u32)rsign() << 31) | ((u32)(ea - 24 + 127) << 23) | (rnd() & 1 ? 0 : (u32)(rnd() & 0xfff)));
    } else {
      *b = box(sshort(rsign(), eb, rnd_int(1, 6)));
      if (cls == A_DIV) *a = boxf(bf((u32)*b) * (float)rnd_int(1, 100));
    }
    return;
  default:
    ea = rnd_int(-128, -124);
    eb = (cls == A_ADD) ? rnd_int(-150, -124) : rnd_int(-3, 3);
    break;
  }
  *a = box(sexp(rsign(), ea));
  *b = box(sexp(rsign(), eb));
}

static void gen_binary(const char *name, stub_fn fn, int dbl, int cls, int nrand) {
  const u64 *spec = dbl ? DSPEC : SSPEC;
  for (int i = 0; i < 14; i++)
    for (int j = 0; j < 14; j++) emit5(name, K_F2, fn, spec[i], spec[j], 0);
  for (int i = 0; i < 6; i++) { /* the rest against a few */
    for (int j = 14; j < (dbl ? NDSPEC : NSSPEC); j++) {
      emit(name, K_F2, fn, 0, spec[i], spec[j], 0);
      emit(name, K_F2, fn, 0, spec[j], spec[i], 0);
    }
  }
  for (int k = 0; k < nrand; k++) {
    u64 a, b;
    if (dbl) pair_d(cls, &a, &b); else pair_s(cls, &a, &b);
    emit5(name, K_F2, fn, a, b, 0);
  }
}

/* Binary ops without a rounding mode: full cross of the special values. */
static void gen_norm(const char *name, int kind, stub_fn fn, int dbl, int ncross, int nrand) {
  const u64 *spec = dbl ? DSPEC : SSPEC;
  int n = dbl ? NDSPEC : NSSPEC;
  /* Every special value against the first ncross, both ways round. */
  for (int i = 0; i < n; i++)
    for (int j = 0; j < ncross; j++) {
      emit(name, kind, fn, 0, spec[i], spec[j], 0);
      if (i >= ncross) emit(name, kind, fn, 0, spec[j], spec[i], 0);
    }
  for (int k = 0; k < nrand; k++) {
    u64 a, b;
    if (dbl) pair_d(A_ADD, &a, &b); else pair_s(A_ADD, &a, &b);
    if (rnd() % 4 == 0) b = a;
    if (rnd() % 4 == 0) b ^= dbl ? (1ull << 63) : (1ull << 31);
    emit(name, kind, fn, 0, a, b, 0);
  }
}

static u64 in_sqrt(int dbl) {
  int sc = (int)(rnd() % 5);
  if (dbl) {
    if (sc == 0) return dexp(0, rnd_int(-1074, 1023));
    if (sc == 1) { double r = bd(dshort(0, rnd_int(-20, 20), 26)); return db(r * r); }
    if (sc == 2) return dexp(rnd() % 8 == 0, rnd_int(-1075, -1000));
    return dexp(rnd() % 16 == 0, rnd_int(-10, 10));
  }
  if (sc == 0) return box(sexp(0, rnd_int(-149, 127)));
  if (sc == 1) { float r = bf(sshort(0, rnd_int(-10, 10), 12)); return boxf(r * r); }
  if (sc == 2) return box(sexp(rnd() % 8 == 0, rnd_int(-150, -110)));
  return box(sexp(rnd() % 16 == 0, rnd_int(-10, 10)));
}

static void gen_sqrt(const char *name, stub_fn fn, int dbl, int nrand) {
  const u64 *spec = dbl ? DSPEC : SSPEC;
  int n = dbl ? NDSPEC : NSSPEC;
  for (int i = 0; i < n; i++) emit5(name, K_F1, fn, spec[i], 0, 0);
  for (int k = 0; k < nrand; k++) emit5(name, K_F1, fn, in_sqrt(dbl), 0, 0);
}

/* Fused multiply-add operands aimed at single rounding: the addend cancels
 * the product or sits far below it, so a double-rounded result would differ. */
static void triple_d(u64 *a, u64 *b, u64 *c) {
  int sc = (int)(rnd() % 7);
  int ea = rnd_int(-6, 6), eb = rnd_int(-6, 6);
  *a = dexp(rsign(), ea);
  *b = dexp(rsign(), eb);
  double p;
  switch (sc) {
  case 0:
    *c = dexp(rsign(), rnd_int(-8, 8));
    break;
  case 1: /* short significands, tiny addend: ties broken by the addend */
    *a = dshort(rsign(), ea, 27);
    *b = dshort(rsign(), eb, 27);
    p = bd(*a) * bd(*b);
    *c = dexp(rsign(), (int)((db(p) >> 52) & 0x7ff) - 1023 - rnd_int(54, 120));
    break;
  case 2: /* cancellation of the rounded product */
    p = bd(*a) * bd(*b);
    *c = db(-p);
    if (rnd() & 1) *c += (u64)rnd_int(-3, 3);
    break;
  case 3: /* addend at a random distance */
    p = bd(*a) * bd(*b);
    *c = dexp(rsign(), (int)((db(p) >> 52) & 0x7ff) - 1023 + rnd_int(-110, 60));
    break;
  case 4: /* overflow region */
    *a = dexp(rsign(), rnd_int(500, 520));
    *b = dexp(rsign(), 1023 - (int)((*a >> 52) & 0x7ff) + 1023 + rnd_int(-2, 1));
    *c = dexp(rsign(), rnd_int(1000, 1023));
    break;
  case 5: /* underflow region */
    *a = dexp(rsign(), rnd_int(-540, -500));
    *b = dexp(rsign(), -1022 - ((int)((*a >> 52) & 0x7ff) - 1023) - rnd_int(-3, 56));
    *c = dexp(rsign(), rnd_int(-1080, -1015));
    break;
  default:
    *a = dexp(rsign(), rnd_int(-1074, 1023));
    *b = dexp(rsign(), rnd_int(-1074, 1023));
    *c = dexp(rsign(), rnd_int(-1074, 1023));
    break;
  }
}

static void triple_s(u64 *a, u64 *b, u64 *c) {
  int sc = (int)(rnd() % 7);
  int ea = rnd_int(-6, 6), eb = rnd_int(-6, 6);
  u32 sa = sexp(rsign(), ea), sb = sexp(rsign(), eb), sc32;
  double p;
  switch (sc) {
  case 0:
    sc32 = sexp(rsign(), rnd_int(-8, 8));
    break;
  case 1: /* product is a 25-bit number (often a single midpoint), tiny addend */
    sa = sshort(rsign(), ea, 13);
    sb = sshort(rsign(), eb, 13);
    p = (double)bf(sa) * (double)bf(sb);
    sc32 = sexp(rsign(), (int)((db(p) >> 52) & 0x7ff) - 1023 - rnd_int(25, 60));
    break;
  case 2: /* cancellation */
    p = (double)bf(sa) * (double)bf(sb);
    sc32 = fb((float)-p);
    if (rnd() & 1) sc32 += (u32)rnd_int(-3, 3);
    break;
  case 3:
    p = (double)bf(sa) * (double)bf(sb);
    sc32 = sexp(rsign(), (int)((db(p) >> 52) & 0x7ff) - 1023 + rnd_int(-50, 30));
    break;
  case 4:
    sa = sexp(rsign(), rnd_int(60, 68));
    sb = sexp(rsign(), 127 - ((int)((sa >> 23) & 0xff) - 127) + rnd_int(-2, 1));
    sc32 = sexp(rsign(), rnd_int(120, 127));
    break;
  case 5:
    sa = sexp(rsign(), rnd_int(-70, -60));
    sb = sexp(rsign(), -126 - ((int)((sa >> 23) & 0xff) - 127) - rnd_int(-3, 26));
    sc32 = sexp(rsign(), rnd_int(-152, -120));
    break;
  default:
    sa = sexp(rsign(), rnd_int(-149, 127));
    sb = sexp(rsign(), rnd_int(-149, 127));
    sc32 = sexp(rsign(), rnd_int(-149, 127));
    break;
  }
  *a = box(sa);
  *b = box(sb);
  *c = box(sc32);
}

static void gen_fma(const char *name, stub_fn fn, int dbl, int ncross, int nrand) {
  const u64 *spec = dbl ? DSPEC : SSPEC;
  /* A cross of the first ncross special values under RNE and RDN (RDN gives
   * exact zero sums a negative sign). */
  for (int i = 0; i < ncross; i++)
    for (int j = 0; j < ncross; j++)
      for (int k = 0; k < ncross; k++) {
        emit(name, K_F3, fn, 0, spec[i], spec[j], spec[k]);
        emit(name, K_F3, fn, 2, spec[i], spec[j], spec[k]);
      }
  for (int n = 0; n < nrand; n++) {
    u64 a, b, c;
    if (dbl) triple_d(&a, &b, &c); else triple_s(&a, &b, &c);
    emit5(name, K_F3, fn, a, b, c);
  }
}

/* A value for a float-to-integer conversion: mostly within a few powers of
 * two of the 32- and 64-bit boundaries, some small with fractions. */
static u64 in_to_int(int dbl) {
  int e = (rnd() & 1) ? rnd_int(-3, 66) : rnd_int(29, 33) + 32 * (int)(rnd() & 1);
  if (rnd() % 4 == 0) {
    double v = (double)rnd_int(-20, 20) + (double)rnd_int(0, 7) / 8.0;
    return dbl ? db(v) : boxf((float)v);
  }
  return dbl ? dexp(rsign(), e) : box(sexp(rsign(), e));
}

/* Values around the integer conversion boundaries. */
static void gen_to_int(const char *name, stub_fn fn, int dbl) {
  static const double bases[] = {
      0, 1, 2, 3, 1e6, 2147483646.0, 2147483647.0, 2147483648.0,
      4294967294.0, 4294967295.0, 4294967296.0, 4503599627370495.0,
  };
  static const double fracs[] = {0, 0.25, 0.5, 0.75};
  const u64 *spec = dbl ? DSPEC : SSPEC;
  int ns = dbl ? NDSPEC : NSSPEC;
  for (int i = 0; i < ns; i++) emit5(name, K_X_F, fn, spec[i], 0, 0);
  for (unsigned i = 0; i < sizeof bases / sizeof bases[0]; i++)
    for (unsigned j = 0; j < sizeof fracs / sizeof fracs[0]; j++)
      for (int s = 0; s < 2; s++) {
        double v = bases[i] + fracs[j];
        if (s) v = -v;
        if (!dbl && (double)(float)v != v) continue;
        emit5(name, K_X_F, fn, dbl ? db(v) : boxf((float)v), 0, 0);
      }
  /* One ulp either side of the halfway points: the fraction of a negative
   * value is easy to get wrong there. */
  static const double halves[] = {0.5, 1.5, 2.5, 2147483646.5, 2147483647.5, 4294967295.5};
  for (unsigned i = 0; i < sizeof halves / sizeof halves[0]; i++)
    for (int s = 0; s < 2; s++)
      for (int dir = -1; dir <= 1; dir += 2) {
        u64 x;
        if (dbl) {
          x = db(halves[i]) + (u64)(long)dir;
        } else {
          if ((double)(float)halves[i] != halves[i]) continue;
          x = box(fb((float)halves[i]) + (u32)dir);
        }
        if (s) x |= dbl ? 1ull << 63 : 1ull << 31;
        emit5(name, K_X_F, fn, x, 0, 0);
      }
  /* Powers of two and their neighbours near 2^31, 2^32, 2^63, 2^64. */
  static const int pows[] = {31, 32, 52, 63, 64};
  for (unsigned i = 0; i < sizeof pows / sizeof pows[0]; i++)
    for (int s = 0; s < 2; s++) {
      u64 x;
      if (dbl) {
        x = ((u64)s << 63) | ((u64)(pows[i] + 1023) << 52);
        emit5(name, K_X_F, fn, x, 0, 0);
        emit5(name, K_X_F, fn, x - 1, 0, 0);
        emit5(name, K_X_F, fn, x + 1, 0, 0);
      } else {
        u32 y = ((u32)s << 31) | ((u32)(pows[i] + 127) << 23);
        emit5(name, K_X_F, fn, box(y), 0, 0);
        emit5(name, K_X_F, fn, box(y - 1), 0, 0);
        emit5(name, K_X_F, fn, box(y + 1), 0, 0);
      }
    }
  for (int k = 0; k < 24; k++) emit5(name, K_X_F, fn, in_to_int(dbl), 0, 0);
}

/* A random integer of random width, often negated. */
static u64 in_from_int(void) {
  int bits = rnd_int(1, 64);
  u64 x = rnd() >> (64 - bits);
  if (rnd() & 1) x |= 1ull << (bits - 1);
  if (rnd() % 3 == 0) x = ~x + 1;
  return x;
}

/* Integer sources near the rounding boundaries of single and double. */
static void gen_from_int(const char *name, stub_fn fn) {
  static const u64 ints[] = {
      0, 1, 2, 3, 0xffffffffffffffffull, 0xfffffffffffffffeull,
      0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0xffffffff80000000ull,
      0xffffffff7fffffffull, 0x1000001, 0x1000003, 0x1000002, 0x2000005,
      0xffffffffff000001ull, 0x7fffffbf, 0x7fffffc0, 0x7fffffc1, 0xffffff7f, 0xffffff80,
      0xffffff81, 0x20000000000001ull, 0x20000000000003ull, 0x20000000000002ull,
      0x40000000000006ull, 0xffdffffffffffffdull, 0x7fffffffffffffffull,
      0x8000000000000000ull, 0x8000000000000001ull, 0x7ffffffffffffdffull,
      0x7ffffffffffffc00ull, 0xfffffffffffff7ffull, 0xfffffffffffffc00ull,
      0xfffffffffffffbffull, 0xdeadbeef00000005ull, 0x12345678ffffffffull,
      0x00000001deadbeefull, 0x7fffff8000000000ull, 0x7fffff7fffffffffull,
      0xffffff8000000001ull,
  };
  for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) emit5(name, K_F_X, fn, ints[i], 0, 0);
  for (int k = 0; k < 40; k++) emit5(name, K_F_X, fn, in_from_int(), 0, 0);
}

/* A double for FCVT.S.D: single midpoints, the 2^-126 and overflow edges. */
static u64 in_s_d(void) {
  u64 x;
  int sc = (int)(rnd() % 6);
  if (sc == 0) {
    x = dexp(rsign(), rnd_int(-160, 130));
  } else if (sc == 1) { /* exact single midpoints and their neighbours */
    u32 s = sexp(rsign(), rnd_int(-126, 127));
    x = db((double)bf(s)) | (1ull << 28);
    x += (u64)rnd_int(-1, 1);
  } else if (sc == 2) { /* subnormal single midpoints */
    u32 s = sexp(rsign(), rnd_int(-149, -127));
    double half = bd(0x3690000000000000ull); /* 2^-150 */
    double v = (double)bf(s);
    x = db(v + (v < 0 ? -half : half));
    x += (u64)rnd_int(-1, 1);
  } else if (sc == 3) { /* around 2^-126 and the overflow threshold */
    static const u64 edges[] = {
        0x380fffffe0000000ull, 0x380ffffff0000000ull, 0x380fffffe8000000ull,
        0x380ffffff8000000ull, 0x3810000000000000ull, 0x47efffffe0000000ull,
        0x47efffffffffffffull, 0x47f0000000000000ull, 0x47efffffd0000000ull,
        0x36a0000000000000ull, 0x3690000000000000ull, 0x3680000000000000ull,
        0x36a8000000000000ull, 0x3698000000000000ull, 0x47effffff0000000ull,
        0x380ffffff0000000ull, 0x380fffffe0000000ull,
    };
    x = edges[rnd() % (sizeof edges / sizeof edges[0])];
    x += (u64)rnd_int(-1, 1);
    if (rnd() & 1) x |= 1ull << 63;
  } else if (sc == 4) {
    x = dexp(rsign(), rnd_int(-1074, 1023));
  } else {
    x = dexp(rsign(), rnd_int(-10, 10));
  }
  return x;
}

static void gen_cvt_s_d(void) {
  for (int i = 0; i < NDSPEC; i++) emit5("FCVT_S_D", K_F1, s_fcvt_s_d, DSPEC[i], 0, 0);
  for (int k = 0; k < 220; k++) emit5("FCVT_S_D", K_F1, s_fcvt_s_d, in_s_d(), 0, 0);
}

static void gen_cvt_d_s(void) {
  for (int i = 0; i < NSSPEC; i++) emit5("FCVT_D_S", K_F1, s_fcvt_d_s, SSPEC[i], 0, 0);
  for (int k = 0; k < 30; k++) emit5("FCVT_D_S", K_F1, s_fcvt_d_s, box(sexp(rsign(), rnd_int(-149, 127))), 0, 0);
}

static void gen_unary_x(const char *name, stub_fn fn, int dbl, int n) {
  const u64 *spec = dbl ? DSPEC : SSPEC;
  int ns = dbl ? NDSPEC : NSSPEC;
  for (int i = 0; i < ns; i++) emit(name, K_X_F, fn, 0, spec[i], 0, 0);
  for (int k = 0; k < n; k++) {
    u64 x = dbl ? dexp(rsign(), rnd_int(-1075, 1023)) : box(sexp(rsign(), rnd_int(-150, 127)));
    if (k % 5 == 0) x = rnd();
    emit(name, K_X_F, fn, 0, x, 0, 0);
  }
}

static void gen_mv_from_x(const char *name, stub_fn fn) {
  for (int i = 0; i < NDSPEC; i++) emit(name, K_F_X, fn, 0, DSPEC[i], 0, 0);
  for (int i = 0; i < NSSPEC; i++) emit(name, K_F_X, fn, 0, SSPEC[i], 0, 0);
  for (int k = 0; k < 20; k++) emit(name, K_F_X, fn, 0, rnd(), 0, 0);
}

/* Stress mode: n rounds of random targeted inputs for every op that rounds,
 * each under all five modes. Output is streamed to a checker, not kept. */
static void stress(long n) {
  static const struct {
    const char *name;
    stub_fn fn;
    int kind, dbl, cls;
  } ops[] = {
      {"FMADD_S", s_fmadd_s, K_F3, 0, 0}, {"FMSUB_S", s_fmsub_s, K_F3, 0, 0},
      {"FNMSUB_S", s_fnmsub_s, K_F3, 0, 0}, {"FNMADD_S", s_fnmadd_s, K_F3, 0, 0},
      {"FADD_S", s_fadd_s, K_F2, 0, A_ADD}, {"FSUB_S", s_fsub_s, K_F2, 0, A_ADD},
      {"FMUL_S", s_fmul_s, K_F2, 0, A_MUL}, {"FDIV_S", s_fdiv_s, K_F2, 0, A_DIV},
      {"FSQRT_S", s_fsqrt_s, K_F1, 0, 0}, {"FCVT_W_S", s_fcvt_w_s, K_X_F, 0, 0},
      {"FCVT_WU_S", s_fcvt_wu_s, K_X_F, 0, 0}, {"FCVT_L_S", s_fcvt_l_s, K_X_F, 0, 0},
      {"FCVT_LU_S", s_fcvt_lu_s, K_X_F, 0, 0}, {"FCVT_S_W", s_fcvt_s_w, K_F_X, 0, 0},
      {"FCVT_S_WU", s_fcvt_s_wu, K_F_X, 0, 0}, {"FCVT_S_L", s_fcvt_s_l, K_F_X, 0, 0},
      {"FCVT_S_LU", s_fcvt_s_lu, K_F_X, 0, 0}, {"FMADD_D", s_fmadd_d, K_F3, 1, 0},
      {"FMSUB_D", s_fmsub_d, K_F3, 1, 0}, {"FNMSUB_D", s_fnmsub_d, K_F3, 1, 0},
      {"FNMADD_D", s_fnmadd_d, K_F3, 1, 0}, {"FADD_D", s_fadd_d, K_F2, 1, A_ADD},
      {"FSUB_D", s_fsub_d, K_F2, 1, A_ADD}, {"FMUL_D", s_fmul_d, K_F2, 1, A_MUL},
      {"FDIV_D", s_fdiv_d, K_F2, 1, A_DIV}, {"FSQRT_D", s_fsqrt_d, K_F1, 1, 0},
      {"FCVT_W_D", s_fcvt_w_d, K_X_F, 1, 0}, {"FCVT_WU_D", s_fcvt_wu_d, K_X_F, 1, 0},
      {"FCVT_L_D", s_fcvt_l_d, K_X_F, 1, 0}, {"FCVT_LU_D", s_fcvt_lu_d, K_X_F, 1, 0},
      {"FCVT_D_L", s_fcvt_d_l, K_F_X, 1, 0}, {"FCVT_D_LU", s_fcvt_d_lu, K_F_X, 1, 0},
      {"FCVT_S_D", s_fcvt_s_d, K_F1, 1, 0},
  };
  for (long r = 0; r < n; r++) {
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
      u64 a = 0, b = 0, c = 0;
      switch (ops[i].kind) {
      case K_F3:
        if (ops[i].dbl) triple_d(&a, &b, &c); else triple_s(&a, &b, &c);
        break;
      case K_F2:
        if (ops[i].dbl) pair_d(ops[i].cls, &a, &b); else pair_s(ops[i].cls, &a, &b);
        break;
      case K_F1:
        a = strcmp(ops[i].name, "FCVT_S_D") == 0 ? in_s_d() : in_sqrt(ops[i].dbl);
        break;
      case K_X_F:
        a = in_to_int(ops[i].dbl);
        break;
      default:
        a = in_from_int();
        break;
      }
      emit5(ops[i].name, ops[i].kind, ops[i].fn, a, b, c);
    }
  }
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "stress") == 0) {
    rng_state ^= strtoull(argv[3], 0, 0) * 0x9e3779b97f4a7c15ull;
    stress(strtol(argv[2], 0, 0));
    fprintf(stderr, "%ld vectors\n", count);
    return 0;
  }
  /* Single precision. */
  gen_fma("FMADD_S", s_fmadd_s, 0, 8, 200);
  gen_fma("FMSUB_S", s_fmsub_s, 0, 6, 50);
  gen_fma("FNMSUB_S", s_fnmsub_s, 0, 6, 50);
  gen_fma("FNMADD_S", s_fnmadd_s, 0, 6, 50);
  gen_binary("FADD_S", s_fadd_s, 0, A_ADD, 150);
  gen_binary("FSUB_S", s_fsub_s, 0, A_ADD, 60);
  gen_binary("FMUL_S", s_fmul_s, 0, A_MUL, 150);
  gen_binary("FDIV_S", s_fdiv_s, 0, A_DIV, 150);
  gen_sqrt("FSQRT_S", s_fsqrt_s, 0, 150);
  gen_norm("FSGNJ_S", K_F2, s_fsgnj_s, 0, 5, 20);
  gen_norm("FSGNJN_S", K_F2, s_fsgnjn_s, 0, 5, 20);
  gen_norm("FSGNJX_S", K_F2, s_fsgnjx_s, 0, 5, 20);
  gen_norm("FMIN_S", K_F2, s_fmin_s, 0, 17, 100);
  gen_norm("FMAX_S", K_F2, s_fmax_s, 0, 17, 100);
  gen_to_int("FCVT_W_S", s_fcvt_w_s, 0);
  gen_to_int("FCVT_WU_S", s_fcvt_wu_s, 0);
  gen_to_int("FCVT_L_S", s_fcvt_l_s, 0);
  gen_to_int("FCVT_LU_S", s_fcvt_lu_s, 0);
  gen_unary_x("FMV_X_W", s_fmv_x_w, 0, 20);
  gen_unary_x("FCLASS_S", s_fclass_s, 0, 40);
  gen_norm("FEQ_S", K_X_FF, s_feq_s, 0, 17, 60);
  gen_norm("FLT_S", K_X_FF, s_flt_s, 0, 17, 60);
  gen_norm("FLE_S", K_X_FF, s_fle_s, 0, 17, 60);
  gen_from_int("FCVT_S_W", s_fcvt_s_w);
  gen_from_int("FCVT_S_WU", s_fcvt_s_wu);
  gen_from_int("FCVT_S_L", s_fcvt_s_l);
  gen_from_int("FCVT_S_LU", s_fcvt_s_lu);
  gen_mv_from_x("FMV_W_X", s_fmv_w_x);

  /* Double precision. */
  gen_fma("FMADD_D", s_fmadd_d, 1, 8, 250);
  gen_fma("FMSUB_D", s_fmsub_d, 1, 6, 50);
  gen_fma("FNMSUB_D", s_fnmsub_d, 1, 6, 50);
  gen_fma("FNMADD_D", s_fnmadd_d, 1, 6, 50);
  gen_binary("FADD_D", s_fadd_d, 1, A_ADD, 200);
  gen_binary("FSUB_D", s_fsub_d, 1, A_ADD, 60);
  gen_binary("FMUL_D", s_fmul_d, 1, A_MUL, 200);
  gen_binary("FDIV_D", s_fdiv_d, 1, A_DIV, 200);
  gen_sqrt("FSQRT_D", s_fsqrt_d, 1, 150);
  gen_norm("FSGNJ_D", K_F2, s_fsgnj_d, 1, 5, 20);
  gen_norm("FSGNJN_D", K_F2, s_fsgnjn_d, 1, 5, 20);
  gen_norm("FSGNJX_D", K_F2, s_fsgnjx_d, 1, 5, 20);
  gen_norm("FMIN_D", K_F2, s_fmin_d, 1, 17, 100);
  gen_norm("FMAX_D", K_F2, s_fmax_d, 1, 17, 100);
  gen_to_int("FCVT_W_D", s_fcvt_w_d, 1);
  gen_to_int("FCVT_WU_D", s_fcvt_wu_d, 1);
  gen_to_int("FCVT_L_D", s_fcvt_l_d, 1);
  gen_to_int("FCVT_LU_D", s_fcvt_lu_d, 1);
  gen_unary_x("FMV_X_D", s_fmv_x_d, 1, 20);
  gen_unary_x("FCLASS_D", s_fclass_d, 1, 40);
  gen_norm("FEQ_D", K_X_FF, s_feq_d, 1, 17, 60);
  gen_norm("FLT_D", K_X_FF, s_flt_d, 1, 17, 60);
  gen_norm("FLE_D", K_X_FF, s_fle_d, 1, 17, 60);
  gen_from_int("FCVT_D_W", s_fcvt_d_w);
  gen_from_int("FCVT_D_WU", s_fcvt_d_wu);
  gen_from_int("FCVT_D_L", s_fcvt_d_l);
  gen_from_int("FCVT_D_LU", s_fcvt_d_lu);
  gen_mv_from_x("FMV_D_X", s_fmv_d_x);
  gen_cvt_s_d();
  gen_cvt_d_s();

  fprintf(stderr, "%ld vectors\n", count);
  return 0;
}
