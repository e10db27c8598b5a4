/*
 * sigill: execute an illegal instruction (the all-zero 32-bit word, which
 * the RISC-V spec defines as illegal). The default action of SIGILL kills the
 * process; nothing after it runs.
 * Syscall: none (fault)
 * Args: none.
 * Expected exit status: killed by SIGILL (shell status 132)
 * Expected stdout: "about to execute an illegal instruction\n"
 */
#include "sys.h"

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  zk_puts("about to execute an illegal instruction\n");
  __asm__ volatile(".4byte 0x00000000");
  zk_puts("unreachable\n");
  return 1;
}
