/*
 * loop: CPU-bound benchmark for `deno task bench` (instructions per second).
 * Freestanding (no libc). A tight integer loop: xorshift (shifts and xors),
 * a load/add/store to a 16-entry table, a data-dependent branch, the loop
 * branch. With gcc 12 -O2 the loop body is 18 instructions per iteration
 * (15 + 3 on either side of the data-dependent branch), so 20,000,000
 * iterations retire about 360 million instructions, then one line of output.
 * Syscall: write (64), exit_group (94)
 * Args: none.
 * Expected exit status: 0
 * Expected stdout: "loop iterations=20000000 checksum=0xaec6073e8f1e5b21\n"
 */
#include "freestanding/sys.h"

#define ITERATIONS 20000000UL

static u64 table[16];

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  u64 x = 0x9e3779b97f4a7c15UL;
  u64 acc = 0;
  for (u64 i = 0; i < ITERATIONS; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    u64 *slot = &table[x & 15];
    u64 v = *slot + x;
    *slot = v;
    if (v & 0x100) {
      acc += v >> 3;
    } else {
      acc ^= v;
    }
  }
  for (int i = 0; i < 16; i++) acc = (acc << 5 | acc >> 59) ^ table[i];
  zk_puts("loop iterations=");
  zk_put_u64(ITERATIONS);
  zk_puts(" checksum=0x");
  zk_put_hex(acc, 16);
  zk_puts("\n");
  return 0;
}
