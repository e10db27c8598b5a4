/*
 * clock: clock_gettime(2) on CLOCK_REALTIME / CLOCK_MONOTONIC /
 * CLOCK_PROCESS_CPUTIME_ID, gettimeofday(2) and clock_getres(2). Checks only
 * properties that hold under any clock, including zkabi's deterministic one:
 * normalised fields, monotonic time never goes backwards, realtime agrees
 * with gettimeofday, resolutions are positive and at most one second, and an
 * unknown clock id is EINVAL.
 * Syscalls: clock_gettime (113), gettimeofday (169), clock_getres (114)
 * Args: none.
 * Expected exit status: 0 (1..11 = the numbered CHECK that failed)
 * Expected stdout: "clock_gettime ok\ngettimeofday ok\nclock_getres ok\n"
 */
#include "sys.h"

static long clock_gettime(long id, struct zk_timespec *ts) {
  return zk_sys2(SYS_clock_gettime, id, L(ts));
}

static long clock_getres(long id, struct zk_timespec *ts) {
  return zk_sys2(SYS_clock_getres, id, L(ts));
}

static int ts_le(const struct zk_timespec *a, const struct zk_timespec *b) {
  return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  struct zk_timespec m1, m2, rt, cpu;
  r = clock_gettime(CLOCK_MONOTONIC, &m1);
  CHECK(1, r == 0 && m1.tv_sec >= 0 && m1.tv_nsec >= 0 && m1.tv_nsec < 1000000000);
  r = clock_gettime(CLOCK_REALTIME, &rt);
  CHECK(2, r == 0 && rt.tv_sec >= 0 && rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000);
  r = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  CHECK(3, r == 0 && cpu.tv_sec >= 0 && cpu.tv_nsec >= 0 && cpu.tv_nsec < 1000000000);
  r = clock_gettime(CLOCK_MONOTONIC, &m2);
  CHECK(4, r == 0 && ts_le(&m1, &m2));
  r = clock_gettime(99, &m2);
  CHECK(5, r == -EINVAL);
  zk_puts("clock_gettime ok\n");

  struct zk_timeval tv;
  r = zk_sys2(SYS_gettimeofday, L(&tv), 0);
  CHECK(6, r == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000);
  /* gettimeofday read the realtime clock after clock_gettime did. */
  r = tv.tv_sec - rt.tv_sec;
  CHECK(7, tv.tv_sec > rt.tv_sec ||
               (tv.tv_sec == rt.tv_sec && tv.tv_usec >= rt.tv_nsec / 1000));
  r = zk_sys2(SYS_gettimeofday, 0, 0); /* both pointers may be NULL */
  CHECK(8, r == 0);
  zk_puts("gettimeofday ok\n");

  struct zk_timespec res;
  r = clock_getres(CLOCK_MONOTONIC, &res);
  CHECK(9, r == 0 && res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000000);
  r = clock_getres(CLOCK_REALTIME, &res);
  CHECK(10, r == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
  r = clock_getres(99, &res);
  CHECK(11, r == -EINVAL);
  zk_puts("clock_getres ok\n");
  return 0;
}
