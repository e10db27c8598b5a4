/*
 * fpmix: static glibc program doing double and float arithmetic so that the
 * emulator's F/D extensions can be compared with qemu bit for bit. Inputs
 * come through volatile variables so nothing is folded at compile time.
 * Covers: + - * / sqrt (fsqrt), fma() (fmadd.d), fmaf() (fmadd.s),
 * float<->double and float/double<->int conversions including saturation of
 * out-of-range values and NaN (RISC-V rules), fmin/fmax with NaN, sign
 * injection (copysign, fabs, negation), classification, comparisons with NaN,
 * the five rounding modes (fesetround + rint/lrint), the accrued exception
 * flags (fetestexcept), and libm's exp/log/sin/pow/cbrt/atan2 (software, but
 * built on the same instructions). Every value is printed with "%.17g" (double)
 * or "%.9g" (float) and as raw hex bits.
 * Args: none.
 * Expected exit status: 0
 * Expected stdout: fixed; 60-odd lines recorded in guests/c/expect.json
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile double vd[] = {1.0, 2.0, 3.0, 0.1, 1e308, -2.5, 0.0, 7.0, 1e-310, 123456.789};
static volatile float vf[] = {1.0f, 3.0f, 0.1f, 16777217.0f, -0.0f, 3.4e38f, 1e-40f};

static uint64_t dbits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

static uint32_t fbits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

static void pd(const char *name, double d) {
  printf("%-14s %.17g 0x%016llx\n", name, d, (unsigned long long)dbits(d));
}

static void pf(const char *name, float f) {
  printf("%-14s %.9g 0x%08x\n", name, (double)f, (unsigned)fbits(f));
}

static void pflags(const char *name) {
  static const int bits[] = {FE_INVALID, FE_DIVBYZERO, FE_OVERFLOW, FE_UNDERFLOW, FE_INEXACT};
  static const char *names[] = {"NV", "DZ", "OF", "UF", "NX"};
  int any = 0;
  printf("%-14s", name);
  for (int i = 0; i < 5; i++) {
    if (fetestexcept(bits[i])) {
      printf(" %s", names[i]);
      any = 1;
    }
  }
  printf("%s\n", any ? "" : " none");
}

int main(void) {
  double one = vd[0], two = vd[1], three = vd[2], tenth = vd[3], huge = vd[4];
  double neg = vd[5], zero = vd[6], seven = vd[7], denorm = vd[8], mixed = vd[9];
  float f1 = vf[0], f3 = vf[1], ftenth = vf[2], fbig = vf[3], fnegz = vf[4];
  float fmax_ = vf[5], fden = vf[6];

  /* Basic double arithmetic. */
  pd("1/3", one / three);
  pd("0.1*3", tenth * three);
  pd("0.1+0.2", tenth + tenth * two);
  pd("sqrt(2)", sqrt(two));
  pd("sqrt(-2.5)", sqrt(neg));
  pd("7-1e308", seven - huge);
  pd("1e308*7", huge * seven);
  pd("1/0", one / zero);
  pd("-1/0", -one / zero);
  pd("0/0", zero / zero);
  pd("denorm*2", denorm * two);
  pd("denorm/7", denorm / seven);

  /* Fused multiply-add: one rounding instead of two. */
  pd("fma(.1,3,-.3)", fma(tenth, three, -(tenth * three)));
  pd(".1*3-.3", tenth * three - (tenth * three));
  pd("fma(7,1/3,-1)", fma(seven, one / three, -one));
  pd("fms", fma(-neg, three, -seven));
  pf("fmaf", fmaf(ftenth, f3, -(ftenth * f3)));

  /* Float arithmetic and float<->double. */
  pf("1f/3f", f1 / f3);
  pf("sqrtf(3)", sqrtf(f3));
  pf("16777217f+1", fbig + f1);
  pf("3.4e38f*3", fmax_ * f3);
  pf("denormf*3", fden * f3);
  pf("(float)0.1", (float)tenth);
  pd("(double)0.1f", (double)ftenth);
  pf("(float)1e308", (float)huge);
  pf("-0.0f*1", fnegz * f1);

  /* Conversions to integers (RTZ for C casts; RISC-V saturates, NaN -> max). */
  volatile double nan_ = zero / zero;
  volatile double inf_ = one / zero;
  printf("%-14s %lld\n", "(i64)-2.5", (long long)neg);
  printf("%-14s %lld\n", "(i64)123456.7", (long long)mixed);
  printf("%-14s %d\n", "(i32)1e308", (int)huge);
  printf("%-14s %lld\n", "(i64)-1e308", (long long)-huge);
  printf("%-14s %lld\n", "(i64)NaN", (long long)nan_);
  printf("%-14s %llu\n", "(u64)-2.5", (unsigned long long)neg);
  printf("%-14s %u\n", "(u32)inf", (unsigned)inf_);
  printf("%-14s %d\n", "(i32)f3.4e38", (int)fmax_);
  volatile long long imax = INT64_MAX;
  pd("(double)i64max", (double)imax);
  volatile long long big = 9007199254740993LL; /* 2^53 + 1: not representable */
  pd("(double)2^53+1", (double)big);
  pf("(float)2^53+1", (float)big);
  volatile unsigned long long ubig = 18446744073709551615ULL;
  pd("(double)u64max", (double)ubig);

  /* Sign injection, min/max, classification, comparisons. */
  pd("copysign", copysign(three, neg));
  pd("fabs", fabs(neg));
  pd("-(0.0)", -zero);
  pd("fmin(nan,1)", fmin(nan_, one));
  pd("fmax(-0,0)", fmax(-zero, zero));
  pd("fmin(-0,0)", fmin(zero, -zero));
  printf("%-14s %d %d %d %d\n", "classify", fpclassify(denorm) == FP_SUBNORMAL,
         fpclassify(nan_) == FP_NAN, fpclassify(inf_) == FP_INFINITE, isnormal(mixed));
  printf("%-14s %d %d %d %d\n", "nan compare", nan_ == nan_, nan_ < one, nan_ != nan_,
         isless(nan_, one));
  printf("%-14s %d %d\n", "-0 == 0", -zero == zero, signbit(-zero) != 0);

  /* Rounding modes. */
  static const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
  static const char *names[] = {"nearest", "towardzero", "upward", "downward"};
  for (int i = 0; i < 4; i++) {
    fesetround(modes[i]);
    volatile double q = one / three;
    volatile double half = mixed + 0.5 - 0.289; /* 123457.0 in nearest */
    printf("%-10s 1/3=%.17g rint(-2.5)=%.17g lrint(2.5)=%ld rint(x)=%.17g sqrt2=%.17g\n",
           names[i], q, rint(neg), lrint(-neg), rint(half), sqrt(two));
  }
  fesetround(FE_TONEAREST);

  /* Accrued exception flags (operands re-read from volatile memory so each
   * operation really happens between the clear and the test). */
  volatile double t;
  feclearexcept(FE_ALL_EXCEPT);
  t = vd[0] + vd[1];
  pflags("exact add");
  t = vd[0] / vd[2];
  pflags("1/3");
  feclearexcept(FE_ALL_EXCEPT);
  t = vd[0] / vd[6];
  pflags("1/0");
  feclearexcept(FE_ALL_EXCEPT);
  t = vd[6] / vd[6];
  pflags("0/0");
  feclearexcept(FE_ALL_EXCEPT);
  t = vd[4] * vd[7];
  pflags("overflow");
  feclearexcept(FE_ALL_EXCEPT);
  t = vd[8] / vd[2];
  pflags("1e-310/3");
  feclearexcept(FE_ALL_EXCEPT);
  t = sqrt(vd[5]);
  pflags("sqrt(-2.5)");
  feclearexcept(FE_ALL_EXCEPT);
  t = (double)(float)vd[3];
  pflags("(float)0.1");
  feclearexcept(FE_ALL_EXCEPT);
  volatile long long conv = (long long)vd[4];
  pflags("(i64)1e308");
  feclearexcept(FE_ALL_EXCEPT);
  (void)t;
  (void)conv;

  /* libm (software on top of the same instructions). */
  pd("exp(1)", exp(one));
  pd("log(7)", log(seven));
  pd("sin(123456.7)", sin(mixed));
  pd("cos(0.1)", cos(tenth));
  pd("pow(7,0.1)", pow(seven, tenth));
  pd("cbrt(-2.5)", cbrt(neg));
  pd("atan2(-2.5,7)", atan2(neg, seven));
  pd("hypot(3,7)", hypot(three, seven));
  pd("floor(-2.5)", floor(neg));
  pd("ceil(-2.5)", ceil(neg));
  pd("round(-2.5)", round(neg));
  pd("trunc(123456.7)", trunc(mixed));
  pd("fmod(123456.7,7)", fmod(mixed, seven));
  pf("expf(0.1f)", expf(ftenth));
  pf("logf(3f)", logf(f3));

  /* A small accumulation that is sensitive to every rounding. */
  double acc = 0.0;
  float facc = 0.0f;
  for (int i = 1; i <= 1000; i++) {
    acc = fma(acc, 1.0000001, one / (double)i);
    facc += (float)i * ftenth;
  }
  pd("harmonic-ish", acc);
  pf("float sum", facc);
  return 0;
}
