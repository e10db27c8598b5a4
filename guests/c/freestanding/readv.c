/*
 * readv: writev(2) three buffers to stdout, then readv(2) stdin into two
 * buffers (4 bytes then 32) and echo what landed in each; a zero-length
 * iovec, an empty iovec array and EINVAL for a negative count.
 * Syscalls: readv (65), writev (66)
 * Args: none. Stdin: "abcdefgh\n".
 * Expected exit status: 0 (1..8 = the numbered CHECK that failed)
 * Expected stdout: "hello, vectored world\n[abcd][efgh\n]\n"
 */
#include "sys.h"

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  struct zk_iovec out[4] = {
      {(void *)"hello, ", 7},
      {(void *)"", 0},
      {(void *)"vectored ", 9},
      {(void *)"world\n", 6},
  };
  r = zk_sys3(SYS_writev, 1, L(out), 4);
  CHECK(1, r == 22);

  char a[4];
  char b[32];
  memset(b, 0, sizeof b);
  struct zk_iovec in[2] = {{a, sizeof a}, {b, sizeof b}};
  long n = zk_sys3(SYS_readv, 0, L(in), 2);
  r = n;
  CHECK(2, n == 9);
  CHECK(3, memcmp(a, "abcd", 4) == 0 && memcmp(b, "efgh\n", 5) == 0);

  struct zk_iovec echo[5] = {
      {(void *)"[", 1},
      {a, 4},
      {(void *)"][", 2},
      {b, (usize)n - 4},
      {(void *)"]\n", 2},
  };
  r = zk_sys3(SYS_writev, 1, L(echo), 5);
  CHECK(4, r == 1 + 4 + 2 + 5 + 2);

  r = zk_sys3(SYS_readv, 0, L(in), 2); /* EOF */
  CHECK(5, r == 0);
  r = zk_sys3(SYS_writev, 1, L(out), 0);
  CHECK(6, r == 0);
  r = zk_sys3(SYS_writev, 1, L(out), -1);
  CHECK(7, r == -EINVAL);
  r = zk_sys3(SYS_writev, 77, L(out), 1);
  CHECK(8, r == -EBADF);
  return 0;
}
