/*
 * exit: the thread-exit syscall exit(2) with status 42. In a single-threaded
 * process the last thread's exit ends the process with that status.
 * Syscall: exit (93)
 * Args: none.
 * Expected exit status: 42
 * Expected stdout: "exiting with 42\n"
 */
#include "sys.h"

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  zk_puts("exiting with 42\n");
  zk_sys1(SYS_exit, 42);
  zk_puts("unreachable\n");
  return 1;
}
