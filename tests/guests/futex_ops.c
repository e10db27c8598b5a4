/*
 * futex_ops: raw futex(2) operations between threads. EAGAIN when the
 * value differs, ETIMEDOUT for relative (FUTEX_WAIT) and absolute
 * (FUTEX_WAIT_BITSET on CLOCK_MONOTONIC and CLOCK_REALTIME) timeouts,
 * EINVAL for a misaligned address or an empty bitset, EFAULT, ENOSYS for
 * CLOCK_REALTIME with FUTEX_WAKE. Three waiters are counted by requeueing
 * them to a second word, then woken with WAKE_BITSET (one matching bit),
 * FUTEX_WAKE_OP (which also stores to the second word), and FUTEX_WAKE.
 * CMP_REQUEUE checks the value. sched_yield returns 0. A thread that exits
 * with CLONE_CHILD_CLEARTID wakes a joiner (pthread_join).
 * Expected: exit 0, the lines below (compared with qemu-riscv64).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long futex(uint32_t *addr, int op, uint32_t val, const void *timeout_or_val2,
                  uint32_t *addr2, uint32_t val3) {
  return syscall(SYS_futex, addr, op, val, timeout_or_val2, addr2, val3);
}

static uint32_t word_a, word_b;
static volatile int woken_count;
static uint32_t bitsets[3] = {1, 2, 4};

static void *waiter(void *arg) {
  uint32_t bits = *(uint32_t *)arg;
  long r = futex(&word_a, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, bits);
  if (r == 0) __atomic_add_fetch(&woken_count, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static void show(const char *what, long r) {
  printf("%s: r=%ld errno=%s\n", what, r,
         r >= 0 ? "-" : errno == EAGAIN ? "EAGAIN" : errno == ETIMEDOUT ? "ETIMEDOUT"
                        : errno == EINVAL ? "EINVAL" : errno == EFAULT ? "EFAULT"
                        : errno == ENOSYS ? "ENOSYS" : "other");
}

int main(void) {
  uint32_t w = 5;
  show("wait wrong value", futex(&w, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0));
  struct timespec rel = {0, 5000000};
  show("wait relative timeout", futex(&w, FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0));
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  now.tv_nsec += 5000000;
  if (now.tv_nsec >= 1000000000) {
    now.tv_sec++;
    now.tv_nsec -= 1000000000;
  }
  show("wait_bitset monotonic", futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 5, &now, NULL, ~0u));
  clock_gettime(CLOCK_REALTIME, &now);
  now.tv_sec -= 1;
  show("wait_bitset realtime past",
       futex(&w, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &now, NULL, ~0u));
  struct timespec bad = {0, 1000000000};
  show("bad timeout", futex(&w, FUTEX_WAIT_PRIVATE, 5, &bad, NULL, 0));
  show("misaligned", futex((uint32_t *)((char *)&w + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
  show("empty bitset", futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 5, NULL, NULL, 0));
  show("efault", futex((uint32_t *)16, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
  show("wake realtime", futex(&w, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
  show("wake nobody", futex(&w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
  show("sched_yield", sched_yield());

  pthread_t th[3];
  for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, waiter, &bitsets[i]);
  /* Count the waiters by moving them to word_b, until all three are there. */
  long moved = 0;
  for (int tries = 0; moved < 3 && tries < 100000; tries++) {
    moved += futex(&word_a, FUTEX_REQUEUE_PRIVATE, 0, (void *)(uintptr_t)INT_MAX, &word_b, 0);
    if (moved < 3) sched_yield();
  }
  printf("requeued: %ld\n", moved);
  show("cmp_requeue mismatch",
       futex(&word_b, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1, &word_a, 77));
  show("wake_bitset 2", futex(&word_b, FUTEX_WAKE_BITSET_PRIVATE, 3, NULL, NULL, 2));
  /* WAKE_OP: word_a = 1 (SET), wake 1 on word_b; old word_a == 0 so wake 1 on word_a too. */
  uint32_t op = FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0);
  show("wake_op", futex(&word_b, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &word_a, op));
  printf("word_a after wake_op: %u\n", word_a);
  show("wake rest", futex(&word_b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
  printf("woken=%d\n", woken_count);
  return 0;
}
