/*
 * Boot, trap dispatch, the syscall table and the scheduler.
 */
#include "kernel.h"

struct boot_header boot;
struct thread threads[MAX_THREADS];
int thread_hw = 1;
struct thread *cur;
u64 pid;
int need_resched;

static struct thread *fp_owner; /* whose values the FP registers hold */
static u64 slept_ns;            /* virtual time added while every thread slept */
static u64 wait_counter;        /* FIFO order of waiters */

/* ---------------- library ---------------- */

void *memcpy(void *d, const void *s, usize n) {
  u8 *dp = d;
  const u8 *sp = s;
  if ((((u64)dp | (u64)sp) & 7) == 0) {
    while (n >= 8) {
      *(u64 *)dp = *(const u64 *)sp;
      dp += 8;
      sp += 8;
      n -= 8;
    }
  }
  while (n--) *dp++ = *sp++;
  return d;
}

void *memmove(void *d, const void *s, usize n) {
  u8 *dp = d;
  const u8 *sp = s;
  if (dp <= sp || dp >= sp + n) return memcpy(d, s, n);
  while (n--) dp[n] = sp[n];
  return d;
}

void *memset(void *d, int c, usize n) {
  u8 *dp = d;
  if (c == 0 && ((u64)dp & 7) == 0) {
    while (n >= 64) {
      ((u64 *)dp)[0] = 0;
      ((u64 *)dp)[1] = 0;
      ((u64 *)dp)[2] = 0;
      ((u64 *)dp)[3] = 0;
      ((u64 *)dp)[4] = 0;
      ((u64 *)dp)[5] = 0;
      ((u64 *)dp)[6] = 0;
      ((u64 *)dp)[7] = 0;
      dp += 64;
      n -= 64;
    }
    while (n >= 8) {
      *(u64 *)dp = 0;
      dp += 8;
      n -= 8;
    }
  }
  while (n--) *dp++ = (u8)c;
  return d;
}

int memcmp(const void *a, const void *b, usize n) {
  const u8 *x = a, *y = b;
  for (usize i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}

usize strlen(const char *s) {
  usize n = 0;
  while (s[n]) n++;
  return n;
}

int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

void kputs(const char *s) {
  host_write_output(2, s, strlen(s));
}

void panic(const char *msg) {
  kputs("zkabi guest kernel panic: ");
  kputs(msg);
  kputs("\n");
  host_halt(125, HALT_PANIC);
}

/* ---------------- time ---------------- */

u64 now_ns(void) {
  u64 i = rd_minstret();
  if (boot.hz == 1000000000UL) return i + slept_ns;
  /* hz is at most 10^10 (zkabi checks), so the remainder product fits in 64 bits. */
  return (i / boot.hz) * 1000000000UL + (i % boot.hz) * 1000000000UL / boot.hz + slept_ns;
}

/* ---------------- scheduler ---------------- */

void block_thread(struct thread *t, int wait, int has_deadline, u64 deadline) {
  t->state = T_BLOCK;
  t->wait = wait;
  t->has_deadline = has_deadline;
  t->deadline = deadline;
  t->wait_seq = ++wait_counter;
}

void wake_thread(struct thread *t, i64 result) {
  t->state = T_RUN;
  t->wait = W_NONE;
  t->has_deadline = 0;
  t->x[10] = (u64)result;
}

i64 epoll_ready(struct thread *t, int deliver);
i64 poll_ready(struct thread *t);

static int runnable_count;     /* runnable threads after the last expire_deadlines */
static u64 earliest_deadline;  /* earliest deadline of a blocked thread then (~0: none) */

/*
 * Blocked threads whose deadline passed get their timeout result. The same
 * pass counts runnable threads and finds the earliest remaining deadline,
 * for the timer.
 */
static void expire_deadlines(void) {
  u64 now = now_ns();
  int running = 0;
  u64 earliest = ~0UL;
  for (int i = 0; i < thread_hw; i++) {
    struct thread *t = &threads[i];
    if (t->state == T_BLOCK && t->has_deadline) {
      if (t->deadline <= now) wake_thread(t, t->wait == W_FUTEX ? -ETIMEDOUT : 0);
      else if (t->deadline < earliest) earliest = t->deadline;
    }
    if (t->state == T_RUN) running++;
  }
  runnable_count = running;
  earliest_deadline = earliest;
}

/* minstret at which virtual time reaches ns (rounded up). */
static u64 instret_at(u64 ns) {
  u64 d = ns - slept_ns;
  if (boot.hz == 1000000000UL) return d;
  return (d / 1000000000UL) * boot.hz + ((d % 1000000000UL) * boot.hz + 999999999UL) / 1000000000UL;
}

static struct thread *pick_next(struct thread *after) {
  int start = after ? (int)(after - threads) + 1 : 0;
  for (int k = 0; k < thread_hw; k++) {
    struct thread *t = &threads[(start + k) % thread_hw];
    if (t->state == T_RUN) return t;
  }
  return NULL;
}

/* Nothing can run: jump the clock to the earliest deadline. 0 when nothing ever wakes. */
static int advance_clock(void) {
  struct thread *best = NULL;
  for (int i = 0; i < thread_hw; i++) {
    struct thread *t = &threads[i];
    if (t->state == T_BLOCK && t->has_deadline && (!best || t->deadline < best->deadline)) best = t;
  }
  if (!best) return 0;
  u64 now = now_ns();
  if (best->deadline > now) slept_ns += best->deadline - now;
  expire_deadlines();
  return 1;
}

static void deadlock(void) {
  kputs("zkabi guest kernel: deadlock: every thread is blocked\n");
  host_halt(125, HALT_DEADLOCK);
}

static u64 slice_end; /* minstret at which the running thread's time slice ends */

/* Picks the thread to return to, switching context when it changes. */
struct thread *schedule(void) {
  expire_deadlines();
  struct thread *n = cur;
  if (n->state != T_RUN || need_resched) n = pick_next(cur);
  while (!n) {
    if (!advance_clock()) deadlock();
    n = pick_next(cur);
  }
  if (n != cur || need_resched) {
    if (n != cur) {
      phase(PHASE_SWITCH);
      if (fp_owner != n) {
        if (fp_owner && fp_owner->state != T_FREE) fp_save(fp_owner);
        fp_load(n);
        fp_owner = n;
      }
      cur = n;
      phase(0);
    }
    /* A fresh time slice, measured in retired instructions. */
    slice_end = rd_minstret() + boot.quantum;
  }
  /*
   * Tickless: the timer fires at the end of the time slice when another
   * thread is runnable, and when the earliest sleeper's deadline passes;
   * a lone thread with no sleepers runs untimed.
   */
  u64 cmp = runnable_count > 1 ? slice_end : ~0UL;
  if (earliest_deadline != ~0UL) {
    u64 at = instret_at(earliest_deadline);
    if (at < cmp) cmp = at;
  }
  CSR_WRITE(0x7c0, cmp);
  need_resched = 0;
  deliver_signals(n);
  if (n->state != T_RUN) return schedule(); /* killed or stopped while delivering */
  return n;
}

/* Makes sure t->f holds t's FP registers (it may be the live owner). */
void fp_sync(struct thread *t) {
  if (fp_owner == t) fp_save(t);
}

/* t->f changed under a live owner: reload the registers. */
void fp_reload(struct thread *t) {
  if (fp_owner == t) fp_load(t);
}

/* A thread's record is reused: it no longer owns the FP registers. */
void fp_forget(struct thread *t) {
  if (fp_owner == t) fp_owner = NULL;
}

/* ---------------- simple syscalls ---------------- */

static i64 sys_getpid(struct thread *t) {
  (void)t;
  return (i64)pid;
}
static i64 sys_gettid(struct thread *t) {
  return (i64)t->tid;
}
static i64 sys_zero(struct thread *t) {
  (void)t;
  return 0;
}
static i64 sys_getppid(struct thread *t) {
  (void)t;
  return (i64)pid - 1;
}
static i64 sys_uid(struct thread *t) {
  (void)t;
  return 1000; /* the uid zkabi's built-in kernel reports (and AT_UID says) */
}

static i64 sys_sched_getaffinity(struct thread *t) {
  u64 size = A1;
  u8 *mask = (u8 *)A2;
  if (size < 8 || (size & 7)) return -EINVAL;
  memset(mask, 0, 8);
  for (u64 i = 0; i < boot.cpus && i < 64; i++) mask[i / 8] |= (u8)(1 << (i % 8));
  return 8;
}

static void put_field(char *dst, const char *s) {
  memset(dst, 0, 65);
  memcpy(dst, s, strlen(s));
}

static i64 sys_uname(struct thread *t) {
  char *u = (char *)A0;
  put_field(u, "Linux");
  put_field(u + 65, "zkabi");
  put_field(u + 130, "6.1.0-zkabi");
  put_field(u + 195, "#1 SMP zkabi");
  put_field(u + 260, "riscv64");
  put_field(u + 325, "(none)");
  return 0;
}

#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIM_INFINITY (~0UL)
static u64 rlim_cur[16], rlim_max[16];

static i64 sys_prlimit64(struct thread *t) {
  u64 res = A1;
  u64 *nw = (u64 *)A2, *old = (u64 *)A3;
  if (A0 != 0 && A0 != pid) return -ESRCH;
  if (res >= 16) return -EINVAL;
  if (old) {
    old[0] = rlim_cur[res];
    old[1] = rlim_max[res];
  }
  if (nw) {
    if (nw[0] > nw[1]) return -EINVAL;
    if (nw[1] > rlim_max[res]) return -EPERM;
    rlim_cur[res] = nw[0];
    rlim_max[res] = nw[1];
  }
  return 0;
}

static i64 sys_getrandom(struct thread *t) {
  if (A2 & ~7UL) return -EINVAL;
  if (!user_ok(A0, A1)) return -EFAULT;
  random_fill((u8 *)A0, A1);
  return (i64)A1;
}

static i64 sys_set_robust_list(struct thread *t) {
  return A1 == 24 ? 0 : -EINVAL;
}

static i64 sys_sysinfo(struct thread *t) {
  u64 *s = (u64 *)A0;
  memset(s, 0, 112);
  s[0] = now_ns() / 1000000000UL + 100; /* uptime */
  s[4] = 4UL << 30;                    /* totalram */
  s[5] = 3UL << 30;                    /* freeram */
  ((u16 *)s)[40] = 1;                  /* procs */
  ((u32 *)s)[26] = 1;                  /* mem_unit */
  return 0;
}

/* ---------------- dispatch ---------------- */

#define NSYS 300
static sys_fn table[NSYS];

static void table_init(void) {
  table[17] = sys_getcwd;
  table[19] = sys_eventfd2;
  table[20] = sys_epoll_create1;
  table[21] = sys_epoll_ctl;
  table[22] = sys_epoll_pwait;
  table[23] = sys_dup;
  table[24] = sys_dup3;
  table[25] = sys_fcntl;
  table[29] = sys_ioctl;
  table[48] = sys_faccessat;
  table[49] = sys_chdir;
  table[56] = sys_openat;
  table[57] = sys_close;
  table[61] = sys_getdents64;
  table[62] = sys_lseek;
  table[63] = sys_read;
  table[64] = sys_write;
  table[65] = sys_readv;
  table[66] = sys_writev;
  table[67] = sys_pread64;
  table[73] = sys_ppoll;
  table[78] = sys_readlinkat;
  table[79] = sys_newfstatat;
  table[80] = sys_fstat;
  table[93] = sys_exit;
  table[94] = sys_exit_group;
  table[96] = sys_set_tid_address;
  table[98] = sys_futex;
  table[99] = sys_set_robust_list;
  table[101] = sys_nanosleep;
  table[113] = sys_clock_gettime;
  table[114] = sys_clock_getres;
  table[115] = sys_clock_nanosleep;
  table[123] = sys_sched_getaffinity;
  table[124] = sys_sched_yield;
  table[129] = sys_kill;
  table[130] = sys_tkill;
  table[131] = sys_tgkill;
  table[132] = sys_sigaltstack;
  table[134] = sys_rt_sigaction;
  table[135] = sys_rt_sigprocmask;
  table[139] = sys_rt_sigreturn;
  table[160] = sys_uname;
  table[169] = sys_gettimeofday;
  table[172] = sys_getpid;
  table[173] = sys_getppid;
  table[174] = sys_uid;
  table[175] = sys_uid;
  table[176] = sys_uid;
  table[177] = sys_uid;
  table[178] = sys_gettid;
  table[179] = sys_sysinfo;
  table[214] = sys_brk;
  table[215] = sys_munmap;
  table[216] = sys_mremap;
  table[220] = sys_clone;
  table[222] = sys_mmap;
  table[226] = sys_mprotect;
  table[232] = sys_mincore;
  table[233] = sys_madvise;
  table[261] = sys_prlimit64;
  table[278] = sys_getrandom;
  table[291] = sys_statx;
  (void)sys_zero;
}

static void do_syscall(struct thread *t) {
  u64 nr = t->x[17];
  sys_fn f = nr < NSYS ? table[nr] : NULL;
  i64 r = f ? f(t) : -ENOSYS;
  if (r != NO_RESULT) t->x[10] = (u64)r;
}

#define CAUSE_INTERRUPT (1UL << 63)
#define IRQ_M_TIMER 7
#define EXC_ECALL_U 8

struct thread *trap_handler(struct thread *t) {
  u64 cause, tval;
  CSR_READ(mcause, cause);
  if (cause == EXC_ECALL_U) {
    t->x[0] += 4;
    do_syscall(t);
  } else if (cause == (CAUSE_INTERRUPT | IRQ_M_TIMER)) {
    need_resched = 1;
  } else {
    CSR_READ(mtval, tval);
    fault_signal(t, cause, tval);
  }
  return schedule();
}

/* ---------------- boot ---------------- */

void kmain(void) {
  phase(PHASE_BOOT);
  if (host_read_input(&boot, sizeof boot) != sizeof boot) panic("short boot header");
  if (boot.magic_version != (BOOT_MAGIC | ((u64)BOOT_VERSION << 32))) panic("bad boot header");
  pid = boot.pid;
  table_init();
  rlim_cur[RLIMIT_STACK] = 8UL << 20;
  rlim_max[RLIMIT_STACK] = RLIM_INFINITY;
  rlim_cur[RLIMIT_NOFILE] = 1024;
  rlim_max[RLIMIT_NOFILE] = 1UL << 20;
  for (int i = 0; i < 16; i++)
    if (!rlim_max[i]) rlim_cur[i] = rlim_max[i] = RLIM_INFINITY;
  fs_init();
  mm_init();
  random_init(boot.seed);

  struct thread *t = &threads[0];
  t->tid = pid;
  t->state = T_RUN;
  t->x[0] = boot.entry;
  t->x[2] = boot.sp;
  t->alt.flags = 2; /* SS_DISABLE */
  cur = t;
  fp_owner = t; /* the FP registers start zero, as the program's should */
  /* MPP = U, MPIE = 0; the M timer interrupt enabled. */
  u64 ms;
  CSR_READ(mstatus, ms);
  ms &= ~(3UL << 11);
  CSR_WRITE(mstatus, ms);
  CSR_WRITE(mie, 1UL << 7);
  slice_end = rd_minstret() + boot.quantum;
  phase(0);
  return_to_user(t); /* the timer stays off while the first thread is alone */
}

/* Exits the process (exit_group, fatal signals). */
void kill_process(int sig) {
  host_halt(128 + (u64)sig, HALT_SIGNAL);
}
