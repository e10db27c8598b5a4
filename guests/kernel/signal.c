/*
 * Signals: rt_sigaction, rt_sigprocmask, sigaltstack, kill/tkill/tgkill,
 * delivery with the riscv64 Linux rt_sigframe, and rt_sigreturn.
 *
 * struct rt_sigframe (1088 bytes, 16-byte aligned):
 *   0    siginfo (128): si_signo, si_errno, si_code, then si_pid/si_uid or si_addr at 16
 *   128  ucontext: uc_flags, uc_link, uc_stack {sp, flags, size} at +16, uc_sigmask at +40
 *   304  uc_mcontext: pc, x1..x31; then f0..f31 at 560 and fcsr at 816; the rest zero
 * riscv64 has no SA_RESTORER: handlers return to sigreturn_trampoline (ra).
 */
#include "kernel.h"

void fp_sync(struct thread *t);
void fp_reload(struct thread *t);

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGKILL 9
#define SIGSEGV 11
#define SIGSTOP 19

#define SA_ONSTACK 0x08000000UL
#define SA_NODEFER 0x40000000UL
#define SA_RESETHAND 0x80000000UL
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM 0x80000000UL
#define MINSIGSTKSZ 2048
#define SI_TKILL (-6)
#define SI_USER 0

#define FRAME_SIZE 1088
#define UC 128
#define MC (UC + 176)
#define FP (MC + 256)

#define BIT(s) (1UL << ((s) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
/* Signals whose default action is to do nothing. */
#define DEFAULT_IGNORED (BIT(17) | BIT(18) | BIT(23) | BIT(28))

struct action {
  u64 handler;
  u64 flags;
  u64 mask;
};
static struct action actions[65];

static int on_altstack(struct thread *t, u64 sp) {
  if (t->alt.flags & SS_AUTODISARM) return 0;
  return sp > t->alt.sp && sp - t->alt.sp <= t->alt.size;
}

static u64 alt_flags(struct thread *t, u64 sp) {
  if (t->alt.size == 0) return SS_DISABLE;
  return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

/* Queues sig for t; a blocked thread that can take it is interrupted (EINTR). */
int signal_thread(struct thread *t, int sig, int code, u64 addr) {
  struct action *a = &actions[sig];
  if (a->handler == 1) return 0;
  if (a->handler == 0 && (DEFAULT_IGNORED & BIT(sig))) return 0;
  t->pending |= BIT(sig);
  t->sig_code[sig] = code;
  t->sig_addr[sig] = addr;
  if (t->state == T_BLOCK && !(t->sigmask & BIT(sig))) wake_thread(t, -EINTR);
  return 0;
}

void fault_signal(struct thread *t, u64 cause, u64 tval) {
  int sig, code = 1;
  u64 addr = tval;
  switch (cause) {
    case 2:
      sig = SIGILL;
      addr = t->x[0];
      break;
    case 3:
      sig = SIGTRAP;
      addr = t->x[0];
      break;
    case 4:
    case 6:
      sig = SIGBUS;
      break;
    case 1:
    case 5:
    case 7:
      sig = SIGSEGV;
      code = 2;
      break;
    default:
      sig = SIGSEGV;
      break;
  }
  /* A fault nobody handles (or that is blocked) kills, as force_sig does. */
  if (actions[sig].handler <= 1 || (t->sigmask & BIT(sig))) kill_process(sig);
  t->pending |= BIT(sig);
  t->sig_code[sig] = code;
  t->sig_addr[sig] = addr;
}

static void build_frame(struct thread *t, int sig) {
  struct action *a = &actions[sig];
  u64 sp0 = t->x[2], sp = sp0;
  int sw = (a->flags & SA_ONSTACK) && alt_flags(t, sp0) == 0;
  if (sw) sp = t->alt.sp + t->alt.size;
  u64 frame = (sp - FRAME_SIZE) & ~15UL;
  u8 *f = (u8 *)frame;
  memset(f, 0, FRAME_SIZE);
  *(i32 *)(f + 0) = sig;
  *(i32 *)(f + 8) = t->sig_code[sig];
  if (t->sig_code[sig] <= 0) {
    *(i32 *)(f + 16) = (i32)t->sig_addr[sig]; /* si_pid; si_uid 0 */
  } else {
    *(u64 *)(f + 16) = t->sig_addr[sig];
  }
  *(u64 *)(f + UC + 16) = t->alt.sp;
  *(i32 *)(f + UC + 24) = (i32)(alt_flags(t, sp0) | (t->alt.flags & SS_AUTODISARM));
  *(u64 *)(f + UC + 32) = t->alt.size;
  *(u64 *)(f + UC + 40) = t->sigmask;
  memcpy(f + MC, t->x, 256); /* pc then x1..x31: the save area's layout */
  fp_sync(t);
  memcpy(f + FP, t->f, 256);
  *(u32 *)(f + FP + 256) = (u32)t->fcsr;
  if (sw && (t->alt.flags & SS_AUTODISARM)) {
    t->alt.sp = 0;
    t->alt.size = 0;
    t->alt.flags = SS_DISABLE;
  }
  u64 mask = t->sigmask | a->mask;
  if (!(a->flags & SA_NODEFER)) mask |= BIT(sig);
  t->sigmask = mask & ~UNBLOCKABLE;
  t->x[1] = (u64)sigreturn_trampoline;
  t->x[2] = frame;
  t->x[10] = (u64)sig;
  t->x[11] = frame;
  t->x[12] = frame + UC;
  t->x[0] = a->handler;
  if (a->flags & SA_RESETHAND) a->handler = 0;
}

/* Before t returns to the program: runs the first deliverable signal's action. */
void deliver_signals(struct thread *t) {
  u64 ready = t->pending & ~t->sigmask;
  if (!ready) return;
  int sig = 1;
  while (!(ready & 1)) ready >>= 1, sig++;
  t->pending &= ~BIT(sig);
  struct action *a = &actions[sig];
  if (a->handler == 1) return;
  if (a->handler == 0) {
    if (DEFAULT_IGNORED & BIT(sig)) return;
    kill_process(sig);
  }
  phase(PHASE_SIGNAL);
  build_frame(t, sig);
  phase(0);
}

i64 sys_rt_sigreturn(struct thread *t) {
  u8 *f = (u8 *)t->x[2];
  for (int i = 0; i < 3; i++)
    if (*(u32 *)(f + FP + 516 + 4 * i)) kill_process(SIGSEGV);
  t->sigmask = *(u64 *)(f + UC + 40) & ~UNBLOCKABLE;
  memcpy(t->x, f + MC, 256);
  memcpy(t->f, f + FP, 256);
  t->fcsr = *(u32 *)(f + FP + 256);
  fp_reload(t);
  /* restore_altstack, errors ignored */
  u64 ssp = *(u64 *)(f + UC + 16), ssize = *(u64 *)(f + UC + 32);
  u64 sflags = (u64)(u32) * (i32 *)(f + UC + 24);
  if (!on_altstack(t, t->x[2])) {
    u64 mode = sflags & ~SS_AUTODISARM;
    if (mode == SS_DISABLE) {
      t->alt.sp = 0;
      t->alt.size = 0;
      t->alt.flags = SS_DISABLE;
    } else if ((mode == 0 || mode == SS_ONSTACK) && ssize >= MINSIGSTKSZ) {
      t->alt.sp = ssp;
      t->alt.size = ssize;
      t->alt.flags = sflags & SS_AUTODISARM;
    }
  }
  return NO_RESULT;
}

i64 sys_rt_sigaction(struct thread *t) {
  u64 sig = A0;
  const u64 *act = (const u64 *)A1;
  u64 *old = (u64 *)A2;
  if (A3 != 8 || sig < 1 || sig > 64) return -EINVAL;
  if (act && (sig == SIGKILL || sig == SIGSTOP)) return -EINVAL;
  struct action *a = &actions[sig];
  if (old) {
    old[0] = a->handler;
    old[1] = a->flags;
    old[2] = a->mask;
  }
  if (act) {
    a->handler = act[0];
    a->flags = act[1];
    a->mask = act[2] & ~UNBLOCKABLE;
  }
  return 0;
}

i64 sys_rt_sigprocmask(struct thread *t) {
  const u64 *set = (const u64 *)A1;
  u64 *old = (u64 *)A2;
  if (A3 != 8) return -EINVAL;
  if (set && A0 > 2) return -EINVAL;
  if (old) *old = t->sigmask;
  if (set) {
    u64 m = *set;
    if (A0 == 0) t->sigmask |= m;
    else if (A0 == 1) t->sigmask &= ~m;
    else t->sigmask = m;
    t->sigmask &= ~UNBLOCKABLE;
  }
  return 0;
}

i64 sys_sigaltstack(struct thread *t) {
  const u64 *ss = (const u64 *)A0;
  u64 *old = (u64 *)A1;
  u64 sp = t->x[2];
  if (old) {
    old[0] = t->alt.sp;
    old[1] = alt_flags(t, sp) | (t->alt.flags & SS_AUTODISARM);
    old[2] = t->alt.size;
  }
  if (ss) {
    if (on_altstack(t, sp)) return -EPERM;
    u64 flags = (u32)ss[1];
    u64 mode = flags & ~SS_AUTODISARM;
    if (mode == SS_DISABLE) {
      t->alt.sp = 0;
      t->alt.size = 0;
      t->alt.flags = SS_DISABLE;
      return 0;
    }
    if (mode != 0 && mode != SS_ONSTACK) return -EINVAL;
    if (ss[2] < MINSIGSTKSZ) return -ENOMEM;
    t->alt.sp = ss[0];
    t->alt.size = ss[2];
    t->alt.flags = flags & SS_AUTODISARM;
  }
  return 0;
}

static struct thread *find_tid(u64 tid) {
  for (int i = 0; i < thread_hw; i++) {
    struct thread *x = &threads[i];
    if (x->tid == tid && (x->state == T_RUN || x->state == T_BLOCK)) return x;
  }
  return NULL;
}

i64 sys_tgkill(struct thread *t) {
  (void)t;
  if ((i64)A0 <= 0 || (i64)A1 <= 0 || A2 > 64) return -EINVAL;
  struct thread *x = find_tid(A1);
  if (!x || A0 != pid) return -ESRCH;
  if (A2 == 0) return 0;
  return signal_thread(x, (int)A2, SI_TKILL, pid);
}

i64 sys_tkill(struct thread *t) {
  (void)t;
  if ((i64)A0 <= 0 || A1 > 64) return -EINVAL;
  struct thread *x = find_tid(A0);
  if (!x) return -ESRCH;
  if (A1 == 0) return 0;
  return signal_thread(x, (int)A1, SI_TKILL, pid);
}

i64 sys_kill(struct thread *t) {
  i64 p = (i64)A0;
  if (A1 > 64) return -EINVAL;
  if (p != (i64)pid && p != 0 && p != -(i64)pid) return -ESRCH;
  if (A1 == 0) return 0;
  int sig = (int)A1;
  /* A thread that does not block it takes it; else the main thread. */
  struct thread *x = NULL;
  if (!(t->sigmask & BIT(sig))) x = t;
  for (int i = 0; i < thread_hw && !x; i++) {
    struct thread *y = &threads[i];
    if ((y->state == T_RUN || y->state == T_BLOCK) && !(y->sigmask & BIT(sig))) x = y;
  }
  if (!x) x = find_tid(pid);
  if (!x) x = t;
  return signal_thread(x, sig, SI_USER, pid);
}
