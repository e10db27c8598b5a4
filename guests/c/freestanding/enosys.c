/*
 * enosys: syscall numbers no kernel implements (500 and 1000, beyond the
 * riscv64 table, and 244, the unused start of the arch-specific range) must
 * return -ENOSYS without harming the process. The process then exits with
 * status ENOSYS (38) to show the value it got.
 * Syscall: none (unknown numbers 244, 500, 1000)
 * Args: none.
 * Expected exit status: 38 (1..2 = the numbered CHECK that failed)
 * Expected stdout: "syscall 500 -> -38\nsyscall 1000 -> -38\nsyscall 244 -> -38\n"
 */
#include "sys.h"

static long probe(long nr) {
  long v = zk_sys6(nr, 1, 2, 3, 4, 5, 6);
  zk_puts("syscall ");
  zk_put_u64((u64)nr);
  zk_puts(" -> ");
  zk_put_i64(v);
  zk_puts("\n");
  return v;
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  r = probe(500);
  CHECK(1, r == -ENOSYS);
  r = probe(1000);
  CHECK(2, r == -ENOSYS);
  long last = probe(244);
  return (int)-last;
}
