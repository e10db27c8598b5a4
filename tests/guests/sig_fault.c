/*
 * sig_fault: a SA_SIGINFO handler for SIGSEGV catches a NULL load and a store
 * to a read-only page, reads si_signo/si_code/si_addr and the faulting pc
 * from the ucontext, and siglongjmps out. A SIGILL handler then skips an
 * illegal instruction by advancing uc_mcontext's pc (as Go's sigpanic
 * injection edits the context) and returns through rt_sigreturn.
 * Expected: exit 0, the lines below (compared with qemu-riscv64).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int hits;
static volatile int last_code;
static volatile uintptr_t last_addr;
static volatile uintptr_t last_pc;
extern char fault_insn[];

static void on_segv(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  hits++;
  last_code = si->si_code;
  last_addr = (uintptr_t)si->si_addr;
  last_pc = uc->uc_mcontext.__gregs[REG_PC];
  if (sig != SIGSEGV || si->si_signo != SIGSEGV) _exit(3);
  siglongjmp(env, 1);
}

static volatile int ill_seen;
static void on_ill(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  (void)sig;
  ill_seen = si->si_code;
  if ((uintptr_t)si->si_addr != uc->uc_mcontext.__gregs[REG_PC]) _exit(4);
  uc->uc_mcontext.__gregs[REG_PC] += 4; /* skip the 32-bit illegal word */
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, NULL) != 0) return 2;

  if (sigsetjmp(env, 1) == 0) {
    __asm__ volatile(".globl fault_insn\nfault_insn: ld zero, 0(zero)" ::: "memory");
    puts("not reached");
  }
  printf("null load: hits=%d code=%d (SEGV_MAPERR=%d) addr=%#lx pc_ok=%d\n", hits, last_code,
         SEGV_MAPERR, (unsigned long)last_addr, last_pc == (uintptr_t)fault_insn);

  /* The handler ran with SIGSEGV blocked; siglongjmp with savemask restored the mask. */
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  printf("segv blocked after longjmp: %d\n", sigismember(&now, SIGSEGV));

  long page = sysconf(_SC_PAGESIZE);
  char *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ro == MAP_FAILED) return 2;
  if (sigsetjmp(env, 1) == 0) {
    *(volatile char *)(ro + 24) = 1;
    puts("not reached");
  }
  printf("ro store: hits=%d code=%d (SEGV_ACCERR=%d) addr_off=%ld\n", hits, last_code, SEGV_ACCERR,
         (long)(last_addr - (uintptr_t)ro));

  sa.sa_sigaction = on_ill;
  if (sigaction(SIGILL, &sa, NULL) != 0) return 2;
  __asm__ volatile(".word 0xffffffff" ::: "memory");
  printf("illegal skipped: code=%d (ILL_ILLOPC=%d)\n", ill_seen, ILL_ILLOPC);
  return 0;
}
