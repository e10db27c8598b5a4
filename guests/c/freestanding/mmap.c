/*
 * mmap: anonymous mmap(2) (zero-filled, writable), mprotect(2) to read-only
 * and back, partial munmap(2) then MAP_FIXED remap of the hole, a
 * file-backed MAP_PRIVATE mapping of argv[1] (contents match; private
 * writes do not reach the file), and EINVAL error paths.
 * Syscalls: mmap (222), munmap (215), mprotect (226)
 * Args: ["input.txt"] where input.txt holds "line one\nline two\n" (18 bytes).
 * Expected exit status: 0 (1..18 = the numbered CHECK that failed)
 * Expected stdout: "anon ok\nfixed ok\nfile: line one\nprivate ok\n"
 */
#include "sys.h"

static long mmap(u64 addr, usize len, long prot, long flags, long fd, long off) {
  return zk_sys6(SYS_mmap, (long)addr, L(len), prot, flags, fd, off);
}

static long munmap(u64 addr, usize len) {
  return zk_sys2(SYS_munmap, (long)addr, L(len));
}

static long mprotect(u64 addr, usize len, long prot) {
  return zk_sys3(SYS_mprotect, (long)addr, L(len), prot);
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  r = argc;
  CHECK(1, argc >= 2);
  const usize len = 3 * PAGE_SIZE;
  long m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  r = m;
  CHECK(2, m > 0 && (m & (long)(PAGE_SIZE - 1)) == 0);
  volatile u8 *p = (volatile u8 *)m;
  u64 bad = 0;
  for (usize i = 0; i < len; i++) bad += p[i] != 0;
  r = (long)bad;
  CHECK(3, bad == 0);
  for (usize i = 0; i < len; i++) p[i] = (u8)(i ^ (i >> 8));
  for (usize i = 0; i < len; i++) bad += p[i] != (u8)(i ^ (i >> 8));
  r = (long)bad;
  CHECK(4, bad == 0);

  r = mprotect((u64)m + PAGE_SIZE, PAGE_SIZE, PROT_READ);
  CHECK(5, r == 0);
  r = p[PAGE_SIZE + 1]; /* still readable */
  CHECK(6, r == (u8)(1 ^ 16));
  r = mprotect((u64)m + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE);
  CHECK(7, r == 0);
  p[PAGE_SIZE + 1] = 0xee;
  r = mprotect((u64)m + 1, PAGE_SIZE, PROT_READ); /* unaligned */
  CHECK(8, r == -EINVAL);
  zk_puts("anon ok\n");

  /* Punch out the middle page and map a fresh one exactly there. */
  r = munmap((u64)m + PAGE_SIZE, PAGE_SIZE);
  CHECK(9, r == 0);
  long f = mmap((u64)m + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  r = f;
  CHECK(10, f == m + (long)PAGE_SIZE);
  r = p[PAGE_SIZE + 1];
  CHECK(11, r == 0 && p[0] == 0 && p[2 * PAGE_SIZE + 5] == (u8)(5 ^ 32));
  r = munmap((u64)m, len);
  CHECK(12, r == 0);
  zk_puts("fixed ok\n");

  long fd = zk_openat(AT_FDCWD, argv[1], O_RDONLY, 0);
  r = fd;
  CHECK(13, fd >= 0);
  long fm = mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  r = fm;
  CHECK(14, fm > 0);
  const char *text = (const char *)fm;
  CHECK(15, memcmp(text, "line one\nline two\n", 18) == 0 && text[18] == 0);
  zk_puts("file: ");
  zk_write(1, text, 9);
  ((char *)fm)[0] = 'L'; /* private copy-on-write */
  char check[4];
  r = zk_sys4(SYS_pread64, fd, L(check), 4, 0);
  CHECK(16, r == 4 && check[0] == 'l' && text[0] == 'L');
  munmap((u64)fm, PAGE_SIZE);
  zk_close((int)fd);
  zk_puts("private ok\n");

  r = mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(17, r == -EINVAL);
  r = munmap(1, PAGE_SIZE);
  CHECK(18, r == -EINVAL);
  return 0;
}
