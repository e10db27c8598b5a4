/*
 * hello: write(2) to stdout.
 * Syscall: write (64)
 * Args: none. Stdin: unused.
 * Expected exit status: 0 (1..3 = the numbered CHECK that failed)
 * Expected stdout: "Hello from freestanding C on riscv64!\n"
 */
#include "sys.h"

static const char msg[] = "Hello from freestanding C on riscv64!\n";

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  r = zk_write(1, msg, sizeof msg - 1);
  CHECK(1, r == (long)(sizeof msg - 1));
  r = zk_write(1, msg, 0); /* zero-length write succeeds and writes nothing */
  CHECK(2, r == 0);
  r = zk_write(-1, msg, 1); /* invalid descriptor */
  CHECK(3, r == -EBADF);
  return 0;
}
