/*
 * read_echo: read(2) stdin to EOF in small chunks and echo it to stdout.
 * Syscall: read (63)
 * Args: none. Stdin: "the quick brown fox\njumps over the lazy dog\n" (44 bytes).
 * Expected exit status: 0 (1..4 = the numbered CHECK that failed)
 * Expected stdout: the stdin bytes, then "read 44 bytes\n"
 */
#include "sys.h"

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  char buf[7]; /* deliberately small: forces several reads */
  u64 total = 0;
  for (;;) {
    r = zk_read(0, buf, sizeof buf);
    CHECK(1, r >= 0 && r <= (long)sizeof buf);
    if (r == 0) break;
    total += (u64)r;
    long w = zk_write(1, buf, (usize)r);
    r = w;
    CHECK(2, w > 0);
  }
  r = zk_read(0, buf, sizeof buf); /* still EOF */
  CHECK(3, r == 0);
  r = zk_read(-1, buf, sizeof buf);
  CHECK(4, r == -EBADF);
  zk_puts("read ");
  zk_put_u64(total);
  zk_puts(" bytes\n");
  return 0;
}
