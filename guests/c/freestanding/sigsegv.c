/*
 * sigsegv: store to address 0 (never mapped). The default action of SIGSEGV
 * kills the process; nothing after it runs.
 * Syscall: none (fault)
 * Args: none.
 * Expected exit status: killed by SIGSEGV (shell status 139)
 * Expected stdout: "about to store to NULL\n"
 */
#include "sys.h"

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  zk_puts("about to store to NULL\n");
  /* An explicit store through x0 (address 0): C would call this UB. */
  __asm__ volatile("sw %0, 0(zero)" : : "r"(1) : "memory");
  zk_puts("unreachable\n");
  return 1;
}
