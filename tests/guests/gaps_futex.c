/*
 * Priority-inheritance futexes: raw FUTEX_LOCK_PI / TRYLOCK_PI / UNLOCK_PI
 * (owner tid in the word, FUTEX_WAITERS, EDEADLK, EPERM, hand-over to a
 * waiting thread, timeout), and glibc's robust PI mutex whose owner exits
 * while holding it (FUTEX_OWNER_DIED, EOWNERDEAD, pthread_mutex_consistent).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint32_t word;

static long fx(uint32_t *a, int op, const struct timespec *ts) {
  return syscall(SYS_futex, a, op, 0, ts, NULL, 0);
}

static const char *err(long r) { return r < 0 ? strerror(errno) : "ok"; }

static volatile int stage;
static char report[256];
static void *contender(void *arg) {
  (void)arg;
  long r1 = fx(&word, FUTEX_TRYLOCK_PI, NULL);
  int e1 = errno;
  stage = 1;
  long r2 = fx(&word, FUTEX_LOCK_PI, NULL);
  int mine = (word & FUTEX_TID_MASK) == (uint32_t)gettid();
  int waiters = !!(word & FUTEX_WAITERS);
  long r3 = fx(&word, FUTEX_UNLOCK_PI, NULL);
  snprintf(report, sizeof report,
           "thread: trylock while held %s; lock after hand-over %ld, word is its tid %d, waiters "
           "bit %d; unlock %ld, word %u\n",
           r1 < 0 ? strerror(e1) : "ok", r2, mine, waiters, r3, word);
  return NULL;
}

static uint32_t w2;
static void *timed(void *arg) {
  (void)arg;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += 1000000;
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000;
  }
  printf("lock with a timeout: %s\n", err(fx(&w2, FUTEX_LOCK_PI, &ts)));
  return NULL;
}

static pthread_mutex_t robust;
static void *dier(void *arg) {
  (void)arg;
  pthread_mutex_lock(&robust);
  return NULL; /* exits holding it */
}

/* qemu-user 7.2 cannot run robust PI mutexes (it dies with SIGBUS): `robust` alone runs them. */
static void robust_pi(void) {
  pthread_mutexattr_t at;
  pthread_mutexattr_init(&at);
  pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
  pthread_mutexattr_setprotocol(&at, PTHREAD_PRIO_INHERIT);
  pthread_mutex_init(&robust, &at);
  pthread_t d;
  pthread_create(&d, NULL, dier, NULL);
  pthread_join(d, NULL);
  int e = pthread_mutex_lock(&robust);
  printf("robust PI mutex after its owner died: %s\n", strerror(e));
  printf("consistent: %s\n", strerror(pthread_mutex_consistent(&robust)));
  printf("unlock: %s\n", strerror(pthread_mutex_unlock(&robust)));
  printf("lock again: %s\n", strerror(pthread_mutex_lock(&robust)));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc > 1 && strcmp(argv[1], "robust") == 0) {
    robust_pi();
    return 0;
  }
  long r = fx(&word, FUTEX_LOCK_PI, NULL);
  printf("lock free word: %s, word is our tid %d\n", err(r), word == (uint32_t)gettid());
  printf("lock again: %s\n", err(fx(&word, FUTEX_LOCK_PI, NULL)));
  printf("trylock own: %s\n", err(fx(&word, FUTEX_TRYLOCK_PI, NULL)));
  pthread_t th;
  pthread_create(&th, NULL, contender, NULL);
  while (!stage) sched_yield();
  usleep(2000);
  printf("waiters bit set by the blocked thread: %d\n", !!(word & FUTEX_WAITERS));
  r = fx(&word, FUTEX_UNLOCK_PI, NULL);
  printf("unlock with a waiter: %s\n", err(r));
  pthread_join(th, NULL);
  fputs(report, stdout);
  printf("word after all: %u\n", word);
  uint32_t other = 12345;
  printf("unlock not ours: %s\n", err(fx(&other, FUTEX_UNLOCK_PI, NULL)));
  /* A lock held by a live thread times out (absolute CLOCK_REALTIME). */
  fx(&w2, FUTEX_LOCK_PI, NULL);
  pthread_t t3;
  pthread_create(&t3, NULL, timed, NULL);
  pthread_join(t3, NULL);
  fx(&w2, FUTEX_UNLOCK_PI, NULL);
  printf("after the timeout the word has no waiters bit: %d\n", !!(w2 & FUTEX_WAITERS));

  return 0;
}
