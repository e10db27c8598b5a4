/*
 * POSIX per-process timers through glibc: SIGEV_SIGNAL (and a NULL
 * sigevent), SIGEV_NONE, SIGEV_THREAD_ID, glibc's SIGEV_THREAD, absolute
 * times, periodic timers whose blocked signal counts overruns, CPU-time
 * clocks, and the errors of the raw syscalls. Prints only what holds on
 * any Linux whatever the timing (qemu-riscv64 runs it on real time): no
 * timer ids (qemu renames them), relations instead of exact counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000L

static volatile sig_atomic_t hits;
static volatile int last_signo, last_code, last_int, last_overrun;
static volatile pid_t last_tid;

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  hits++;
  last_signo = sig;
  last_code = si->si_code;
  last_int = si->si_value.sival_int;
  last_overrun = si->si_overrun;
  last_tid = gettid();
}

static long now_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static struct itimerspec its(long value_ns, long interval_ns) {
  struct itimerspec s;
  s.it_value.tv_sec = value_ns / 1000000000L;
  s.it_value.tv_nsec = value_ns % 1000000000L;
  s.it_interval.tv_sec = interval_ns / 1000000000L;
  s.it_interval.tv_nsec = interval_ns % 1000000000L;
  return s;
}

static long ns_of(struct timespec t) { return t.tv_sec * 1000000000L + t.tv_nsec; }

static void sleep_ns(long ns) {
  struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* Waits (sigsuspend) until the handler has run `n` times in all. */
static void wait_hits(int n) {
  sigset_t none;
  sigemptyset(&none);
  while (hits < n) sigsuspend(&none);
}

static void install(int sig) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void block(int sig, int how) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  pthread_sigmask(how, &s, NULL);
}

/* ---------------------------------------------------------- SIGEV_THREAD_ID */

static atomic_int worker_tid;
static atomic_int worker_got, worker_code, worker_value;

static void *worker(void *arg) {
  (void)arg;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGRTMIN + 1);
  atomic_store(&worker_tid, gettid());
  siginfo_t si;
  int sig = sigwaitinfo(&s, &si);
  atomic_store(&worker_code, si.si_code);
  atomic_store(&worker_value, si.si_value.sival_int);
  atomic_store(&worker_got, sig);
  return NULL;
}

/* ------------------------------------------------------------- SIGEV_THREAD */

static atomic_int calls;
static atomic_int other_thread = 1;
static atomic_int seen_value;
static pthread_t main_thread;

static void notified(union sigval v) {
  if (pthread_equal(pthread_self(), main_thread)) atomic_store(&other_thread, 0);
  atomic_store(&seen_value, v.sival_int);
  atomic_fetch_add(&calls, 1);
}

static const char *err(long r) { return r == 0 ? "ok" : strerror(errno); }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  main_thread = pthread_self();
  install(SIGALRM);
  install(SIGRTMIN);

  /* A NULL sigevent: SIGALRM with si_code SI_TIMER. */
  timer_t t0;
  printf("create NULL sevp: %s\n", err(timer_create(CLOCK_MONOTONIC, NULL, &t0)));
  struct itimerspec s = its(2 * MS, 0);
  timer_settime(t0, 0, &s, NULL);
  wait_hits(1);
  printf("  signal %d (SIGALRM=%d) code SI_TIMER %d overrun %d\n", last_signo, SIGALRM,
         last_code == SI_TIMER, last_overrun);
  struct itimerspec cur;
  timer_gettime(t0, &cur);
  printf("  after firing: value %ld interval %ld\n", ns_of(cur.it_value), ns_of(cur.it_interval));
  timer_delete(t0);

  /* SIGEV_SIGNAL with a value, on CLOCK_REALTIME; the old setting. */
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGRTMIN;
  ev.sigev_value.sival_int = 1234;
  timer_t t1;
  printf("create SIGEV_SIGNAL: %s\n", err(timer_create(CLOCK_REALTIME, &ev, &t1)));
  s = its(30 * MS, 0);
  timer_settime(t1, 0, &s, NULL);
  timer_gettime(t1, &cur);
  printf("  armed: 0 < value <= 30ms %d, interval %ld\n",
         ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 30 * MS, ns_of(cur.it_interval));
  struct itimerspec old;
  s = its(3 * MS, 0);
  timer_settime(t1, 0, &s, &old);
  printf("  old value <= 30ms %d\n", ns_of(old.it_value) > 0 && ns_of(old.it_value) <= 30 * MS);
  wait_hits(2);
  printf("  signal SIGRTMIN %d code SI_TIMER %d value %d\n", last_signo == SIGRTMIN,
         last_code == SI_TIMER, last_int);

  /* TIMER_ABSTIME: a time already past fires at once, a future one not before it. */
  s = its(1000000000L, 0);
  timer_settime(t1, TIMER_ABSTIME, &s, NULL);
  wait_hits(3);
  printf("abstime in the past: fired\n");
  long target = now_ns(CLOCK_REALTIME) + 5 * MS;
  s = its(target, 0);
  timer_settime(t1, TIMER_ABSTIME, &s, NULL);
  wait_hits(4);
  printf("abstime 5ms ahead: fired, not early %d\n", now_ns(CLOCK_REALTIME) >= target);
  timer_delete(t1);

  /* A periodic timer whose signal stays blocked: overruns. */
  block(SIGRTMIN, SIG_BLOCK);
  ev.sigev_value.sival_int = 5;
  timer_t t2;
  timer_create(CLOCK_MONOTONIC, &ev, &t2);
  s = its(1 * MS, 1 * MS);
  timer_settime(t2, 0, &s, NULL);
  sleep_ns(20 * MS);
  sigset_t rt;
  sigemptyset(&rt);
  sigaddset(&rt, SIGRTMIN);
  siginfo_t si;
  int sig = sigwaitinfo(&rt, &si);
  int over = timer_getoverrun(t2);
  printf("periodic, blocked: got SIGRTMIN %d code SI_TIMER %d value %d overrun >= 5 %d, "
         "getoverrun = si_overrun %d\n",
         sig == SIGRTMIN, si.si_code == SI_TIMER, si.si_value.sival_int, si.si_overrun >= 5,
         over == si.si_overrun);
  timer_gettime(t2, &cur);
  printf("  interval %ld, 0 < value <= 1ms %d\n", ns_of(cur.it_interval),
         ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 1 * MS);
  s = its(0, 0);
  timer_settime(t2, 0, &s, NULL);
  timer_gettime(t2, &cur);
  printf("  disarmed: value %ld interval %ld\n", ns_of(cur.it_value), ns_of(cur.it_interval));
  timer_delete(t2);
  block(SIGRTMIN, SIG_UNBLOCK);

  /* SIGEV_NONE: no signal, timer_gettime follows it. */
  ev.sigev_notify = SIGEV_NONE;
  timer_t t3;
  timer_create(CLOCK_MONOTONIC, &ev, &t3);
  s = its(10 * MS, 0);
  timer_settime(t3, 0, &s, NULL);
  timer_gettime(t3, &cur);
  int armed = ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 10 * MS;
  sleep_ns(15 * MS);
  timer_gettime(t3, &cur);
  printf("SIGEV_NONE one-shot: armed %d, expired value %ld\n", armed, ns_of(cur.it_value));
  s = its(4 * MS, 4 * MS);
  timer_settime(t3, 0, &s, NULL);
  sleep_ns(10 * MS);
  timer_gettime(t3, &cur);
  printf("SIGEV_NONE periodic: 0 < value <= 4ms %d, interval %ld, handler runs %d\n",
         ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 4 * MS, ns_of(cur.it_interval),
         (int)hits);
  timer_delete(t3);

  /* SIGEV_THREAD_ID: the signal goes to that thread only. */
  block(SIGRTMIN + 1, SIG_BLOCK);
  pthread_t w;
  pthread_create(&w, NULL, worker, NULL);
  while (atomic_load(&worker_tid) == 0) sched_yield();
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_THREAD_ID;
  ev.sigev_signo = SIGRTMIN + 1;
  ev._sigev_un._tid = atomic_load(&worker_tid);
  ev.sigev_value.sival_int = 77;
  timer_t t4;
  printf("create SIGEV_THREAD_ID: %s\n", err(timer_create(CLOCK_MONOTONIC, &ev, &t4)));
  s = its(2 * MS, 0);
  timer_settime(t4, 0, &s, NULL);
  pthread_join(w, NULL);
  sigset_t pending;
  sigpending(&pending);
  printf("  worker got SIGRTMIN+1 %d code SI_TIMER %d value %d; main has it pending %d\n",
         atomic_load(&worker_got) == SIGRTMIN + 1, atomic_load(&worker_code) == SI_TIMER,
         atomic_load(&worker_value), sigismember(&pending, SIGRTMIN + 1));
  timer_delete(t4);

  /* SIGEV_THREAD: glibc runs the function in another thread. */
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_THREAD;
  ev.sigev_notify_function = notified;
  ev.sigev_value.sival_int = 42;
  timer_t t5;
  printf("create SIGEV_THREAD: %s\n", err(timer_create(CLOCK_MONOTONIC, &ev, &t5)));
  s = its(2 * MS, 2 * MS);
  timer_settime(t5, 0, &s, NULL);
  for (int i = 0; i < 2000 && atomic_load(&calls) < 3; i++) sleep_ns(1 * MS);
  timer_delete(t5);
  printf("  calls >= 3 %d, in another thread %d, value %d\n", atomic_load(&calls) >= 3,
         atomic_load(&other_thread), atomic_load(&seen_value));

  /* CPU-time clocks: the timer fires once the process (or thread) used the time. */
  clockid_t clocks[2] = {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
  for (int i = 0; i < 2; i++) {
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN;
    timer_t tc;
    timer_create(clocks[i], &ev, &tc);
    int before = hits;
    long start = now_ns(clocks[i]);
    s = its(3 * MS, 0);
    timer_settime(tc, 0, &s, NULL);
    volatile unsigned long spin = 0;
    while (hits == before && now_ns(clocks[i]) - start < 2000 * MS) spin++;
    printf("%s timer: fired %d, after >= 3ms of it %d\n",
           i == 0 ? "process CPU" : "thread CPU", hits == before + 1,
           now_ns(clocks[i]) - start >= 3 * MS);
    timer_delete(tc);
  }

  /* Errors of the raw syscalls. */
  int id;
  errno = 0;
  printf("bad clock: %ld %s\n", syscall(SYS_timer_create, 99, NULL, &id), strerror(errno));
  printf("MONOTONIC_RAW: %ld %s\n", syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, NULL, &id),
         strerror(errno));
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = 3;
  ev.sigev_signo = SIGRTMIN;
  printf("bad notify: %ld %s\n", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id),
         strerror(errno));
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = 65;
  printf("signal 65: %ld %s\n", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id),
         strerror(errno));
  ev.sigev_notify = SIGEV_THREAD_ID;
  ev.sigev_signo = SIGRTMIN;
  ev._sigev_un._tid = 0x3fffffff;
  printf("no such thread: %ld %s\n", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id),
         strerror(errno));
  printf("settime unknown id: %ld %s\n", syscall(SYS_timer_settime, 12345, 0, &s, NULL),
         strerror(errno));
  printf("gettime unknown id: %ld %s\n", syscall(SYS_timer_gettime, 12345, &cur),
         strerror(errno));
  printf("getoverrun unknown id: %ld %s\n", syscall(SYS_timer_getoverrun, 12345),
         strerror(errno));
  printf("delete unknown id: %ld %s\n", syscall(SYS_timer_delete, 12345), strerror(errno));
  timer_t t6;
  timer_create(CLOCK_MONOTONIC, NULL, &t6);
  printf("settime NULL: %d %s\n", timer_settime(t6, 0, NULL, NULL), strerror(errno));
  s = its(0, 0);
  s.it_value.tv_nsec = 1000000000L;
  printf("settime tv_nsec 1e9: %d %s\n", timer_settime(t6, 0, &s, NULL), strerror(errno));
  s.it_value.tv_nsec = 0;
  s.it_interval.tv_sec = -1;
  printf("settime negative interval: %d %s\n", timer_settime(t6, 0, &s, NULL), strerror(errno));
  timer_delete(t6);
  return 0;
}
