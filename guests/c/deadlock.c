/*
 * deadlock: static glibc program that deadlocks for certain. Two threads
 * each lock one mutex, meet at a barrier (so both hold their first mutex),
 * then each locks the other's mutex: A holds m1 and waits for m2, B holds m2
 * and waits for m1; main waits in pthread_join. Every thread ends up blocked
 * in futex wait with nobody left to wake it. Natively it hangs forever (never
 * run it without a timeout); zkabi must detect that all threads are blocked
 * and stop with a deadlock report instead of hanging.
 * Args: none.
 * Expected exit status: none natively (hangs); zkabi: deadlock report.
 * Expected stdout: "both threads hold one lock; deadlocking\n" (written with
 *   write(2) before the threads block, so it is never lost in a buffer)
 */
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_locked;

static void *take(pthread_mutex_t *first, pthread_mutex_t *second, int announce) {
  pthread_mutex_lock(first);
  pthread_barrier_wait(&both_locked);
  if (announce) {
    static const char msg[] = "both threads hold one lock; deadlocking\n";
    (void)!write(1, msg, sizeof msg - 1);
  }
  pthread_mutex_lock(second); /* never returns */
  pthread_mutex_unlock(second);
  pthread_mutex_unlock(first);
  return NULL;
}

static void *thread_a(void *arg) {
  (void)arg;
  return take(&m1, &m2, 1);
}

static void *thread_b(void *arg) {
  (void)arg;
  return take(&m2, &m1, 0);
}

int main(void) {
  pthread_t a, b;
  pthread_barrier_init(&both_locked, NULL, 2);
  if (pthread_create(&a, NULL, thread_a, NULL) != 0) return 2;
  if (pthread_create(&b, NULL, thread_b, NULL) != 0) return 2;
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  static const char never[] = "unreachable\n";
  (void)!write(1, never, sizeof never - 1);
  return 1;
}
