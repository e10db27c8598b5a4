/*
 * faccessat: faccessat(2) existence and read checks on "/", on a file in the
 * working directory and on a missing file (ENOENT), a path through a regular
 * file (ENOTDIR), and EINVAL for a bad mode. (Write and execute checks are
 * left out: their answers depend on whether the caller is root.)
 * Syscall: faccessat (48)
 * Args: ["input.txt"] where input.txt holds "line one\nline two\n".
 * Expected exit status: 0 (1..6 = the numbered CHECK that failed)
 * Expected stdout: "F_OK / ok\nR_OK input.txt ok\nerrors ok\n"
 */
#include "sys.h"

static long faccessat(long dirfd, const char *path, long mode) {
  return zk_sys3(SYS_faccessat, dirfd, L(path), mode);
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  r = argc;
  CHECK(1, argc >= 2);
  r = faccessat(AT_FDCWD, "/", F_OK);
  CHECK(2, r == 0);
  zk_puts("F_OK / ok\n");
  r = faccessat(AT_FDCWD, argv[1], R_OK);
  CHECK(3, r == 0);
  zk_puts("R_OK ");
  zk_puts(argv[1]);
  zk_puts(" ok\n");
  r = faccessat(AT_FDCWD, "zkabi-no-such-file", F_OK);
  CHECK(4, r == -ENOENT);
  char path[256];
  usize n = zk_strlen(argv[1]);
  memcpy(path, argv[1], n);
  memcpy(path + n, "/x", 3);
  r = faccessat(AT_FDCWD, path, F_OK);
  CHECK(5, r == -ENOTDIR);
  r = faccessat(AT_FDCWD, "/", 8);
  CHECK(6, r == -EINVAL);
  zk_puts("errors ok\n");
  return 0;
}
