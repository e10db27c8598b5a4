/*
 * readlinkat: readlinkat(2) on /proc/self/exe (an absolute path, not NUL-
 * terminated by the kernel, truncated silently to a short buffer); EINVAL on
 * a path that is not a symlink; ENOENT on a missing path.
 * Syscall: readlinkat (78)
 * Args: none.
 * Expected exit status: 0 (1..5 = the numbered CHECK that failed)
 * Expected stdout (the path depends on where the binary lives):
 *   "exe=<absolute path of this binary>\n"
 */
#include "sys.h"

static long readlinkat(long dirfd, const char *path, char *buf, usize len) {
  return zk_sys4(SYS_readlinkat, dirfd, L(path), L(buf), L(len));
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  char buf[512];
  memset(buf, '#', sizeof buf);
  long n = readlinkat(AT_FDCWD, "/proc/self/exe", buf, sizeof buf - 1);
  r = n;
  CHECK(1, n > 1 && n < (long)sizeof buf - 1 && buf[0] == '/');
  CHECK(2, buf[n] == '#'); /* no terminator written */
  buf[n] = 0;
  zk_puts("exe=");
  zk_puts(buf);
  zk_puts("\n");

  char small[4];
  memset(small, '#', sizeof small);
  r = readlinkat(AT_FDCWD, "/proc/self/exe", small, 3);
  CHECK(3, r == 3 && memcmp(small, buf, 3) == 0 && small[3] == '#');
  r = readlinkat(AT_FDCWD, "/", buf, sizeof buf);
  CHECK(4, r == -EINVAL);
  r = readlinkat(AT_FDCWD, "/zkabi-no-such-link", buf, sizeof buf);
  CHECK(5, r == -ENOENT);
  return 0;
}
