/*
 * brk: brk(2) query, grow by 64 KiB (crossing pages), write and read back
 * the whole new area, shrink, grow again (the re-grown tail must read as
 * zero), an impossible request (returns the unchanged break), restore.
 * Syscall: brk (214)
 * Args: none.
 * Expected exit status: 0 (1..10 = the numbered CHECK that failed)
 * Expected stdout: "brk grow ok\nbrk shrink ok\nbrk regrow zeroed\n"
 */
#include "sys.h"

static u64 brk(u64 addr) {
  return (u64)zk_sys1(SYS_brk, (long)addr);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  u64 base = brk(0);
  r = (long)base;
  CHECK(1, base != 0);
  r = (long)brk(0);
  CHECK(2, (u64)r == base); /* querying twice is stable */

  u64 want = base + 65536;
  r = (long)brk(want);
  CHECK(3, (u64)r == want);
  volatile u8 *p = (volatile u8 *)base;
  for (u64 i = 0; i < 65536; i++) p[i] = (u8)(i * 7 + 3);
  u64 bad = 0;
  for (u64 i = 0; i < 65536; i++) bad += p[i] != (u8)(i * 7 + 3);
  r = (long)bad;
  CHECK(4, bad == 0);
  zk_puts("brk grow ok\n");

  /* Shrink to the start plus one page (4 KiB aligned end). */
  u64 small = ((base + 4095) & ~4095UL) + 4096;
  r = (long)brk(small);
  CHECK(5, (u64)r == small);
  for (u64 i = 0; i < small - base; i++) bad += p[i] != (u8)(i * 7 + 3);
  r = (long)bad;
  CHECK(6, bad == 0); /* what stays mapped keeps its bytes */
  zk_puts("brk shrink ok\n");

  r = (long)brk(want);
  CHECK(7, (u64)r == want);
  for (u64 i = small - base; i < 65536; i++) bad += p[i] != 0;
  r = (long)bad;
  CHECK(8, bad == 0); /* freshly regrown pages are zero */
  zk_puts("brk regrow zeroed\n");

  /* An absurd request fails by returning the current break. */
  r = (long)brk(0x7ffffffffff000UL);
  CHECK(9, (u64)r == want);
  r = (long)brk(base);
  CHECK(10, (u64)r == base);
  return 0;
}
