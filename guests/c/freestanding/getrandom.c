/*
 * getrandom: getrandom(2) 16 bytes and print them in hex (zkabi seeds its
 * generator deterministically, so under zkabi the line is fixed; natively it
 * is random); a second call must differ from the first; GRND_NONBLOCK works;
 * unknown flag bits are EINVAL; a zero-length request returns 0.
 * Syscall: getrandom (278)
 * Args: none.
 * Expected exit status: 0 (1..6 = the numbered CHECK that failed)
 * Expected stdout (matches ^[0-9a-f]{32}\n$): 32 lower-case hex digits, "\n"
 */
#include "sys.h"

static long getrandom(void *buf, usize len, long flags) {
  return zk_sys3(SYS_getrandom, L(buf), L(len), flags);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  u8 a[16];
  u8 b[16];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  r = getrandom(a, sizeof a, 0);
  CHECK(1, r == 16);
  for (int i = 0; i < 16; i++) zk_put_hex(a[i], 2);
  zk_puts("\n");
  r = getrandom(b, sizeof b, GRND_NONBLOCK);
  CHECK(2, r == 16);
  CHECK(3, memcmp(a, b, sizeof a) != 0);
  r = getrandom(b, 0, 0);
  CHECK(4, r == 0);
  r = getrandom(b, sizeof b, 0x100);
  CHECK(5, r == -EINVAL);
  r = getrandom((void *)8, 16, 0); /* unmapped buffer */
  CHECK(6, r == -EFAULT);
  return 0;
}
