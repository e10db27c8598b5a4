/*
 * tight_loop: the bench's "one hot block" workload. Freestanding (no libc).
 * With gcc 12 -O2 the loop body is one block of 6 instructions (slli, xor,
 * xor, addi, add, bnez), so 200,000,000 iterations retire 1.2 G
 * instructions, then one line of output.
 * Built by bench/build.ts into bench/bin/tight_loop.
 * Syscalls: write (64), exit_group (94)
 * Expected stdout: "tight_loop checksum=0x...\n"
 */
#include "freestanding/sys.h"

#define ITERATIONS 200000000UL

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  u64 x = 0x9e3779b97f4a7c15UL;
  u64 acc = 0;
  for (u64 i = ITERATIONS; i != 0; i--) {
    x ^= x << 7;
    acc += x ^ i;
  }
  zk_puts("tight_loop checksum=0x");
  zk_put_hex(acc, 16);
  zk_puts("\n");
  return 0;
}
