/*
 * dup: dup(2), dup3(2) and fcntl(2) (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD,
 * F_SETFD, F_GETFL) on stdout; writes through each duplicate; error paths
 * EINVAL (dup3 onto itself, bad flags) and EBADF (closed descriptor).
 * Syscalls: dup (23), dup3 (24), fcntl (25)
 * Args: none. Stdout: any writable descriptor.
 * Expected exit status: 0 (1..16 = the numbered CHECK that failed)
 * Expected stdout: "via dup\nvia dup3\nvia F_DUPFD\nfd flags ok\n"
 */
#include "sys.h"

static long fcntl(long fd, long cmd, long arg) {
  return zk_sys3(SYS_fcntl, fd, cmd, arg);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  long a = zk_sys1(SYS_dup, 1);
  r = a;
  CHECK(1, a == 3); /* lowest free descriptor */
  r = zk_write((int)a, "via dup\n", 8);
  CHECK(2, r == 8);
  r = fcntl(a, F_GETFD, 0);
  CHECK(3, r == 0); /* dup clears close-on-exec */

  long b = zk_sys3(SYS_dup3, 1, 10, O_CLOEXEC);
  r = b;
  CHECK(4, b == 10);
  r = zk_write(10, "via dup3\n", 9);
  CHECK(5, r == 9);
  r = fcntl(10, F_GETFD, 0);
  CHECK(6, r == FD_CLOEXEC);
  r = fcntl(10, F_SETFD, 0);
  CHECK(7, r == 0);
  r = fcntl(10, F_GETFD, 0);
  CHECK(8, r == 0);

  long c = fcntl(1, F_DUPFD, 20);
  r = c;
  CHECK(9, c == 20);
  r = zk_write((int)c, "via F_DUPFD\n", 12);
  CHECK(10, r == 12);
  long d = fcntl(1, F_DUPFD_CLOEXEC, 20);
  r = d;
  CHECK(11, d == 21 && fcntl(d, F_GETFD, 0) == FD_CLOEXEC);

  r = fcntl(1, F_GETFL, 0);
  CHECK(12, r >= 0 && (r & O_ACCMODE) != O_RDONLY);

  r = zk_sys3(SYS_dup3, 1, 1, 0);
  CHECK(13, r == -EINVAL);
  zk_close(10);
  r = zk_write(10, "x", 1);
  CHECK(14, r == -EBADF);
  r = zk_sys1(SYS_dup, 10);
  CHECK(15, r == -EBADF);
  r = zk_sys3(SYS_dup3, 1, 11, 0x1234); /* only O_CLOEXEC is allowed */
  CHECK(16, r == -EINVAL);
  zk_puts("fd flags ok\n");
  return 0;
}
