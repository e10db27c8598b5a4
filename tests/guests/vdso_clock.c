/*
 * Clock reads through glibc, which uses the vDSO when the kernel maps one
 * (AT_SYSINFO_EHDR) and the syscalls otherwise: every clock id of
 * clock_gettime and clock_getres, gettimeofday with a timezone, time(), and a
 * signal handler returning through the kernel's sigreturn trampoline. The
 * output does not depend on whether a vDSO is present (qemu-user has none),
 * nor on the host's clock or tick.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig) { got = sig; }

static long long ns_of(const struct timespec *t) {
  return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(void) {
  for (int c = 0; c <= 11; c++) {
    /* The alarm clocks need an RTC on the host (qemu forwards them): left out. */
    if (c == 8 || c == 9) continue;
    struct timespec a, b, r;
    int ra = clock_gettime(c, &a);
    int ea = errno;
    int rb = clock_gettime(c, &b);
    int rr = clock_getres(c, &r);
    int er = errno;
    if (ra != 0) {
      printf("clock %d: gettime %d (%s), getres %d (%s)\n", c, ra, strerror(ea), rr, strerror(er));
      continue;
    }
    int sane = rb == 0 && a.tv_nsec >= 0 && a.tv_nsec < 1000000000 && ns_of(&b) >= ns_of(&a);
    int res_ok = rr == 0 && r.tv_sec == 0 && r.tv_nsec >= 1 && r.tv_nsec <= 10000000;
    printf("clock %d: gettime ok, %s, getres %s\n", c, sane ? "non-decreasing" : "BROKEN",
           res_ok ? "ok" : "BAD");
  }
  /* NULL result pointers are allowed for clock_getres. */
  printf("getres(MONOTONIC, NULL) = %d\n", clock_getres(CLOCK_MONOTONIC, NULL));

  struct timespec rt;
  struct timeval tv;
  struct timezone tz = {123, 456};
  clock_gettime(CLOCK_REALTIME, &rt);
  int g = gettimeofday(&tv, &tz);
  printf("gettimeofday %d, usec in range %d, within 1 s of CLOCK_REALTIME %d, tz %d %d\n", g,
         tv.tv_usec >= 0 && tv.tv_usec < 1000000, tv.tv_sec - rt.tv_sec <= 1 && tv.tv_sec >= rt.tv_sec,
         tz.tz_minuteswest, tz.tz_dsttime);
  time_t now = time(NULL);
  printf("time() within 1 s of CLOCK_REALTIME %d\n", now - rt.tv_sec <= 1 && now >= rt.tv_sec);

  /* Monotonic time advances over a busy loop. */
  struct timespec m0, m1;
  clock_gettime(CLOCK_MONOTONIC, &m0);
  volatile unsigned long spin = 0;
  for (int i = 0; i < 200000; i++) spin += i;
  clock_gettime(CLOCK_MONOTONIC, &m1);
  printf("monotonic advanced over a busy loop %d\n", ns_of(&m1) > ns_of(&m0));

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("handler ran for signal %d and returned\n", (int)got);
  return 0;
}
