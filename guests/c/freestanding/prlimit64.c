/*
 * prlimit64: prlimit64(2) on the calling process (pid 0): read RLIMIT_STACK
 * and RLIMIT_NOFILE (soft <= hard, soft > 0), lower the RLIMIT_NOFILE soft
 * limit and read it back, restore it, and EINVAL for an unknown resource and
 * for soft > hard.
 * Syscall: prlimit64 (261)
 * Args: none.
 * Expected exit status: 0 (1..8 = the numbered CHECK that failed)
 * Expected stdout: "stack ok\nnofile ok\nset ok\n"
 */
#include "sys.h"

static long prlimit(long pid, long res, const struct zk_rlimit64 *nw, struct zk_rlimit64 *old) {
  return zk_sys4(SYS_prlimit64, pid, res, L(nw), L(old));
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  struct zk_rlimit64 stack, nofile, now;
  r = prlimit(0, RLIMIT_STACK, NULL, &stack);
  CHECK(1, r == 0 && stack.rlim_cur > 0 && stack.rlim_cur <= stack.rlim_max);
  zk_puts("stack ok\n");
  r = prlimit(0, RLIMIT_NOFILE, NULL, &nofile);
  CHECK(2, r == 0 && nofile.rlim_cur > 0 && nofile.rlim_cur <= nofile.rlim_max);
  zk_puts("nofile ok\n");

  struct zk_rlimit64 lower = {nofile.rlim_cur > 64 ? 64 : nofile.rlim_cur, nofile.rlim_max};
  r = prlimit(0, RLIMIT_NOFILE, &lower, &now);
  CHECK(3, r == 0 && now.rlim_cur == nofile.rlim_cur); /* old value returned */
  r = prlimit(0, RLIMIT_NOFILE, NULL, &now);
  CHECK(4, r == 0 && now.rlim_cur == lower.rlim_cur && now.rlim_max == nofile.rlim_max);
  r = prlimit(0, RLIMIT_NOFILE, &nofile, NULL);
  CHECK(5, r == 0);
  r = prlimit(0, RLIMIT_NOFILE, NULL, &now);
  CHECK(6, r == 0 && now.rlim_cur == nofile.rlim_cur);
  zk_puts("set ok\n");

  r = prlimit(0, 999, NULL, &now);
  CHECK(7, r == -EINVAL);
  struct zk_rlimit64 inverted = {10, 5};
  r = prlimit(0, RLIMIT_NOFILE, &inverted, NULL);
  CHECK(8, r == -EINVAL);
  return 0;
}
