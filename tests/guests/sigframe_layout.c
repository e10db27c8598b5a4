/*
 * sigframe_layout: prints the riscv64 Linux signal frame layout from the
 * kernel's uapi headers (struct rt_sigframe as arch/riscv/kernel/signal.c
 * defines it: siginfo_t then struct ucontext), one "name value" per line.
 * zkabi's signal frame constants are tested against this output.
 */
#include <stddef.h>
#include <stdio.h>
/* Kernel uapi types only (no glibc signal.h). */
#include <linux/signal.h>
#include <asm/sigcontext.h>
#include <asm/siginfo.h>
#include <asm/ucontext.h>
#include <linux/futex.h>

struct rt_sigframe {
  siginfo_t info;
  struct ucontext uc;
};

#define OFF(name, type, field) printf("%s %zu\n", name, offsetof(type, field))

int main(void) {
  printf("sizeof_rt_sigframe %zu\n", sizeof(struct rt_sigframe));
  OFF("frame_uc", struct rt_sigframe, uc);
  OFF("uc_flags", struct ucontext, uc_flags);
  OFF("uc_link", struct ucontext, uc_link);
  OFF("uc_stack", struct ucontext, uc_stack);
  OFF("uc_sigmask", struct ucontext, uc_sigmask);
  OFF("uc_mcontext", struct ucontext, uc_mcontext);
  printf("sizeof_sigset %zu\n", sizeof(sigset_t));
  OFF("ss_sp", stack_t, ss_sp);
  OFF("ss_flags", stack_t, ss_flags);
  OFF("ss_size", stack_t, ss_size);
  printf("sizeof_stack_t %zu\n", sizeof(stack_t));
  OFF("sc_regs", struct sigcontext, sc_regs);
  OFF("sc_fpregs", struct sigcontext, sc_fpregs);
  OFF("regs_pc", struct user_regs_struct, pc);
  OFF("regs_ra", struct user_regs_struct, ra);
  OFF("regs_sp", struct user_regs_struct, sp);
  OFF("regs_a0", struct user_regs_struct, a0);
  OFF("regs_t6", struct user_regs_struct, t6);
  OFF("fp_d_f", union __riscv_fp_state, d.f);
  OFF("fp_d_fcsr", union __riscv_fp_state, d.fcsr);
  OFF("fp_q_reserved", union __riscv_fp_state, q.reserved);
  printf("sizeof_fp_state %zu\n", sizeof(union __riscv_fp_state));
  OFF("si_signo", siginfo_t, si_signo);
  OFF("si_errno", siginfo_t, si_errno);
  OFF("si_code", siginfo_t, si_code);
  OFF("si_pid", siginfo_t, si_pid);
  OFF("si_uid", siginfo_t, si_uid);
  OFF("si_addr", siginfo_t, si_addr);
  printf("sizeof_siginfo %zu\n", sizeof(siginfo_t));
  printf("SA_SIGINFO %d\nSA_ONSTACK %d\nSA_RESTART %d\nSA_NODEFER %d\nSA_RESETHAND %u\n", SA_SIGINFO,
         SA_ONSTACK, SA_RESTART, SA_NODEFER, (unsigned)SA_RESETHAND);
  printf("SS_ONSTACK %d\nSS_DISABLE %d\nSS_AUTODISARM %u\nMINSIGSTKSZ %d\n", SS_ONSTACK, SS_DISABLE,
         (unsigned)SS_AUTODISARM, MINSIGSTKSZ);
  printf("FUTEX_WAITERS %u\nFUTEX_OWNER_DIED %u\nFUTEX_TID_MASK %u\n", FUTEX_WAITERS,
         FUTEX_OWNER_DIED, FUTEX_TID_MASK);
  return 0;
}
