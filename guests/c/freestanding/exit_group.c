/*
 * exit_group: exit_group(2) with status 300; only the low 8 bits reach the
 * parent, so the observed exit status is 300 & 0xff = 44.
 * Syscall: exit_group (94)
 * Args: none.
 * Expected exit status: 44
 * Expected stdout: "exit_group(300)\n"
 */
#include "sys.h"

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  zk_puts("exit_group(300)\n");
  zk_sys1(SYS_exit_group, 300);
  zk_puts("unreachable\n");
  return 1;
}
