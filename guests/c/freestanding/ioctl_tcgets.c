/*
 * ioctl_tcgets: ioctl(2) TCGETS on stdout. When stdout is not a terminal
 * (a pipe or file, as in every test) the answer is ENOTTY; when it is a
 * terminal the call succeeds. Also EBADF for a closed descriptor.
 * Syscall: ioctl (29)
 * Args: none. Stdout: a pipe.
 * Expected exit status: 0 (1..2 = the numbered CHECK that failed)
 * Expected stdout: "stdout: ENOTTY\n" (or "stdout: tty\n" on a terminal)
 */
#include "sys.h"

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  struct zk_termios t;
  memset(&t, 0, sizeof t);
  r = zk_sys3(SYS_ioctl, 1, TCGETS, L(&t));
  CHECK(1, r == 0 || r == -ENOTTY);
  zk_puts(r == 0 ? "stdout: tty\n" : "stdout: ENOTTY\n");
  r = zk_sys3(SYS_ioctl, 99, TCGETS, L(&t));
  CHECK(2, r == -EBADF);
  return 0;
}
