/*
 * openat: openat(2) + read(2) + close(2) on the file named by argv[1], then
 * the error paths: a missing file (ENOENT), O_DIRECTORY on a regular file
 * (ENOTDIR), a second close (EBADF).
 * Syscalls: openat (56), read (63), close (57)
 * Args: ["input.txt"] where input.txt holds "line one\nline two\n" (18 bytes).
 * Expected exit status: 0 (1..8 = the numbered CHECK that failed)
 * Expected stdout: "line one\nline two\n" then "18 bytes\n"
 */
#include "sys.h"

int main(int argc, char **argv, char **envp) {
  (void)envp;
  r = argc;
  CHECK(1, argc >= 2);
  long fd = zk_openat(AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC, 0);
  r = fd;
  CHECK(2, fd >= 3);
  char buf[64];
  u64 total = 0;
  for (;;) {
    r = zk_read((int)fd, buf, sizeof buf);
    CHECK(3, r >= 0);
    if (r == 0) break;
    total += (u64)r;
    zk_write(1, buf, (usize)r);
  }
  r = zk_close((int)fd);
  CHECK(4, r == 0);
  r = zk_close((int)fd);
  CHECK(5, r == -EBADF);
  r = zk_openat(AT_FDCWD, "zkabi-no-such-file", O_RDONLY, 0);
  CHECK(6, r == -ENOENT);
  r = zk_openat(AT_FDCWD, argv[1], O_RDONLY | O_DIRECTORY, 0);
  CHECK(7, r == -ENOTDIR);
  /* The lowest free descriptor is reused. */
  r = zk_openat(AT_FDCWD, argv[1], O_RDONLY, 0);
  CHECK(8, r == fd);
  zk_close((int)r);
  zk_put_u64(total);
  zk_puts(" bytes\n");
  return 0;
}
