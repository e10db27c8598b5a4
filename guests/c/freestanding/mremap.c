/*
 * mremap: grow an anonymous mapping from 1 to 4 pages with MREMAP_MAYMOVE
 * (old bytes preserved, new bytes zero), shrink it to 2 pages in place, move
 * it with MREMAP_FIXED, and the EINVAL error paths.
 * Syscall: mremap (216) (+ mmap, munmap)
 * Args: none.
 * Expected exit status: 0 (1..11 = the numbered CHECK that failed)
 * Expected stdout: "grow ok\nshrink ok\nmove ok\n"
 */
#include "sys.h"

static long mremap(long old, usize old_len, usize new_len, long flags, long new_addr) {
  return zk_sys5(SYS_mremap, old, L(old_len), L(new_len), flags, new_addr);
}

static int pattern_ok(volatile u8 *p, usize n) {
  for (usize i = 0; i < n; i++) {
    if (p[i] != (u8)(i * 13 + 1)) return 0;
  }
  return 1;
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  long m = zk_sys6(SYS_mmap, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  r = m;
  CHECK(1, m > 0);
  volatile u8 *p = (volatile u8 *)m;
  for (usize i = 0; i < PAGE_SIZE; i++) p[i] = (u8)(i * 13 + 1);

  long g = mremap(m, PAGE_SIZE, 4 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
  r = g;
  CHECK(2, g > 0 && (g & (long)(PAGE_SIZE - 1)) == 0);
  p = (volatile u8 *)g;
  CHECK(3, pattern_ok(p, PAGE_SIZE));
  u64 nonzero = 0;
  for (usize i = PAGE_SIZE; i < 4 * PAGE_SIZE; i++) nonzero += p[i] != 0;
  r = (long)nonzero;
  CHECK(4, nonzero == 0);
  for (usize i = 0; i < 4 * PAGE_SIZE; i++) p[i] = (u8)(i * 13 + 1);
  zk_puts("grow ok\n");

  long s = mremap(g, 4 * PAGE_SIZE, 2 * PAGE_SIZE, 0, 0);
  r = s;
  CHECK(5, s == g); /* shrinking never moves */
  CHECK(6, pattern_ok(p, 2 * PAGE_SIZE));
  zk_puts("shrink ok\n");

  /* Reserve a destination, then move the mapping onto it. */
  long dst = zk_sys6(SYS_mmap, 0, 2 * PAGE_SIZE, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  r = dst;
  CHECK(7, dst > 0);
  long mv = mremap(s, 2 * PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
  r = mv;
  CHECK(8, mv == dst);
  CHECK(9, pattern_ok((volatile u8 *)mv, 2 * PAGE_SIZE));
  zk_puts("move ok\n");

  r = mremap(mv + 1, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE, 0); /* unaligned */
  CHECK(10, r == -EINVAL);
  r = mremap(mv, 2 * PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_FIXED, s); /* FIXED needs MAYMOVE */
  CHECK(11, r == -EINVAL);
  zk_sys2(SYS_munmap, mv, 2 * PAGE_SIZE);
  return 0;
}
