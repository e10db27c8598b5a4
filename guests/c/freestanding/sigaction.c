/*
 * sigaction: signal bookkeeping only (no signal is ever delivered):
 * rt_sigaction(2) installs a handler for SIGUSR1 and SIG_IGN for SIGPIPE and
 * reads them back (old action returned on replace); SIGKILL/SIGSTOP cannot be
 * changed (EINVAL); a wrong sigsetsize is EINVAL. rt_sigprocmask(2) blocks
 * SIGUSR1|SIGUSR2, reads the mask back, unblocks one, restores the old mask,
 * and silently refuses to block SIGKILL.
 * Syscalls: rt_sigaction (134), rt_sigprocmask (135)
 * Args: none.
 * Expected exit status: 0 (1..14 = the numbered CHECK that failed)
 * Expected stdout: "rt_sigaction ok\nrt_sigprocmask ok\n"
 */
#include "sys.h"

static void on_usr1(int sig) {
  (void)sig;
}

static long sigaction(long sig, const struct zk_sigaction *act, struct zk_sigaction *old) {
  return zk_sys4(SYS_rt_sigaction, sig, L(act), L(old), 8);
}

static long sigprocmask(long how, const u64 *set, u64 *old) {
  return zk_sys4(SYS_rt_sigprocmask, how, L(set), L(old), 8);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  struct zk_sigaction act = {(void *)on_usr1, SA_RESTART, SIGBIT(SIGUSR2)};
  struct zk_sigaction old;
  memset(&old, 0x5a, sizeof old);
  r = sigaction(SIGUSR1, &act, &old);
  CHECK(1, r == 0 && old.sa_handler == SIG_DFL);
  memset(&old, 0, sizeof old);
  r = sigaction(SIGUSR1, NULL, &old);
  CHECK(2, r == 0 && old.sa_handler == (void *)on_usr1 && (old.sa_flags & SA_RESTART) &&
               old.sa_mask == SIGBIT(SIGUSR2));

  struct zk_sigaction ign = {SIG_IGN, 0, 0};
  r = sigaction(SIGPIPE, &ign, NULL);
  CHECK(3, r == 0);
  r = sigaction(SIGPIPE, NULL, &old);
  CHECK(4, r == 0 && old.sa_handler == SIG_IGN);
  r = sigaction(SIGKILL, &ign, NULL);
  CHECK(5, r == -EINVAL);
  r = sigaction(SIGSTOP, &ign, NULL);
  CHECK(6, r == -EINVAL);
  r = zk_sys4(SYS_rt_sigaction, SIGUSR1, L(&act), 0, 4); /* bad sigsetsize */
  CHECK(7, r == -EINVAL);
  r = sigaction(0, &act, NULL);
  CHECK(8, r == -EINVAL);
  zk_puts("rt_sigaction ok\n");

  u64 orig = ~0UL, now = 0;
  r = sigprocmask(SIG_BLOCK, NULL, &orig);
  CHECK(9, r == 0 && orig == 0);
  u64 set = SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2) | SIGBIT(SIGKILL);
  r = sigprocmask(SIG_BLOCK, &set, NULL);
  r = sigprocmask(SIG_BLOCK, NULL, &now);
  CHECK(10, r == 0 && now == (SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2))); /* never SIGKILL */
  u64 one = SIGBIT(SIGUSR2);
  r = sigprocmask(SIG_UNBLOCK, &one, &now);
  CHECK(11, r == 0 && now == (SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2)));
  r = sigprocmask(SIG_SETMASK, &orig, &now);
  CHECK(12, r == 0 && now == SIGBIT(SIGUSR1));
  r = sigprocmask(7, &orig, NULL);
  CHECK(13, r == -EINVAL);
  r = zk_sys4(SYS_rt_sigprocmask, SIG_SETMASK, L(&orig), 0, 4);
  CHECK(14, r == -EINVAL);
  zk_puts("rt_sigprocmask ok\n");
  return 0;
}
