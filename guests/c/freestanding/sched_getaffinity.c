/*
 * sched_getaffinity: sched_getaffinity(2) for the calling thread (pid 0)
 * into a 128-byte mask: the return value is the kernel's mask size in bytes
 * (a multiple of 8), at least one CPU is set; a length that is not a multiple
 * of 8 is EINVAL.
 * Syscall: sched_getaffinity (123)
 * Args: none.
 * Expected exit status: 0 (1..4 = the numbered CHECK that failed)
 * Expected stdout: "affinity ok\n"
 */
#include "sys.h"

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  u64 mask[16];
  memset(mask, 0, sizeof mask);
  r = zk_sys3(SYS_sched_getaffinity, 0, sizeof mask, L(mask));
  CHECK(1, r > 0 && r <= (long)sizeof mask && (r & 7) == 0);
  u64 cpus = 0;
  for (int i = 0; i < 16; i++) {
    for (u64 v = mask[i]; v; v &= v - 1) cpus++;
  }
  r = (long)cpus;
  CHECK(2, cpus >= 1);
  r = zk_sys3(SYS_sched_getaffinity, 0, 4, L(mask));
  CHECK(3, r == -EINVAL);
  r = zk_sys3(SYS_sched_getaffinity, zk_sys0(SYS_gettid), sizeof mask, L(mask));
  CHECK(4, r > 0);
  zk_puts("affinity ok\n");
  return 0;
}
