/*
 * pthreads: static glibc program using POSIX threads. Two producers and two
 * consumers share a bounded ring buffer (8 slots) guarded by one mutex and
 * two condition variables (not_full / not_empty). Each producer pushes
 * 5,000 tagged items; consumers stop when all 10,000 have been taken. The
 * checksum is a sum over items (order-independent), so the output is the same
 * under every interleaving. Exercises clone, futex, set_robust_list, rseq,
 * mmap'd thread stacks and TLS.
 * Args: none.
 * Expected exit status: 0 (1 = an item went missing or was duplicated,
 *   2 = a pthread call failed)
 * Expected stdout: "produced=10000 consumed=10000 checksum=0x447e38c78f8010c7\n"
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SLOTS 8
#define PRODUCERS 2
#define CONSUMERS 2
#define PER_PRODUCER 5000
#define TOTAL (PRODUCERS * PER_PRODUCER)

static uint64_t ring[SLOTS];
static unsigned head, tail, used;
static unsigned taken;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;

struct consumer_result {
  uint64_t sum;
  unsigned count;
  unsigned char seen[TOTAL];
};

static struct consumer_result results[CONSUMERS];

static uint64_t mix(uint64_t v) {
  v ^= v >> 31;
  v *= 0x9e3779b97f4a7c15ULL;
  v ^= v >> 29;
  return v;
}

static void *producer(void *arg) {
  uint64_t id = (uint64_t)(uintptr_t)arg;
  for (uint64_t i = 0; i < PER_PRODUCER; i++) {
    uint64_t item = id * PER_PRODUCER + i;
    pthread_mutex_lock(&lock);
    while (used == SLOTS) pthread_cond_wait(&not_full, &lock);
    ring[tail] = item;
    tail = (tail + 1) % SLOTS;
    used++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

static void *consumer(void *arg) {
  struct consumer_result *res = arg;
  for (;;) {
    pthread_mutex_lock(&lock);
    while (used == 0 && taken < TOTAL) pthread_cond_wait(&not_empty, &lock);
    if (used == 0 && taken == TOTAL) {
      pthread_mutex_unlock(&lock);
      return NULL;
    }
    uint64_t item = ring[head];
    head = (head + 1) % SLOTS;
    used--;
    taken++;
    if (taken == TOTAL) pthread_cond_broadcast(&not_empty); /* wake the other consumer */
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&lock);
    res->sum += mix(item);
    res->count++;
    res->seen[item]++;
  }
}

int main(void) {
  pthread_t threads[PRODUCERS + CONSUMERS];
  for (uintptr_t c = 0; c < CONSUMERS; c++) {
    if (pthread_create(&threads[PRODUCERS + c], NULL, consumer, &results[c]) != 0) return 2;
  }
  for (uintptr_t p = 0; p < PRODUCERS; p++) {
    if (pthread_create(&threads[p], NULL, producer, (void *)p) != 0) return 2;
  }
  for (int t = 0; t < PRODUCERS + CONSUMERS; t++) {
    if (pthread_join(threads[t], NULL) != 0) return 2;
  }
  uint64_t sum = 0;
  unsigned count = 0;
  for (int c = 0; c < CONSUMERS; c++) {
    sum += results[c].sum;
    count += results[c].count;
  }
  for (unsigned i = 0; i < TOTAL; i++) {
    if (results[0].seen[i] + results[1].seen[i] != 1) {
      fprintf(stderr, "item %u seen %d times\n", i, results[0].seen[i] + results[1].seen[i]);
      return 1;
    }
  }
  printf("produced=%u consumed=%u checksum=0x%016llx\n", (unsigned)TOTAL, count,
         (unsigned long long)sum);
  return count == TOTAL ? 0 : 1;
}
