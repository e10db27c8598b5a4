/*
 * zkabi's in-guest kernel: shared declarations.
 *
 * The kernel runs in M-mode, the program in U-mode. Everything the kernel
 * knows about the outside comes through three host calls (M-mode ECALLs,
 * see hostcall.h), so every instruction it spends on a syscall is an
 * instruction a zkVM would have to prove.
 */
#ifndef ZK_KERNEL_H
#define ZK_KERNEL_H

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef unsigned long usize;

#define NULL ((void *)0)
#define PAGE 4096UL
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))
#define PAGE_DOWN(x) ((x) & ~(PAGE - 1))

/* ---- errno ---- */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EMFILE 24
#define ENOTTY 25
#define ESPIPE 29
#define EROFS 30
#define ERANGE 34
#define ENOSYS 38
#define ETIMEDOUT 110

/* ---- host calls (a7 of an M-mode ECALL) ---- */
#define HOST_HALT 0x7a6b0000UL
#define HOST_READ_INPUT 0x7a6b0001UL
#define HOST_WRITE_OUTPUT 0x7a6b0002UL

/* Why the kernel halts (a1 of HOST_HALT; a0 is the exit status). */
#define HALT_EXIT 0
#define HALT_SIGNAL 1
#define HALT_DEADLOCK 2
#define HALT_PANIC 3

/* ---- zkabi's custom M-mode CSRs (custom read/write range 0x7c0-0x7ff) ---- */
/* Timer compare in retired instructions (minstret): an M timer interrupt is pending at or past it. */
#define CSR_ZKTIMECMP 0x7c0
/* Cost phase marker: write a phase number to open it, 0 to close the innermost one. */
#define CSR_ZKPHASE 0x7c1

#define PHASE_SWITCH 1
#define PHASE_ZERO 2
#define PHASE_SIGNAL 3
#define PHASE_BOOT 4

/* ---- the input the host provides (HOST_READ_INPUT stream) ---- */
#define BOOT_MAGIC 0x4e494b5aU /* "ZKIN" */
#define BOOT_VERSION 1

/** Fixed header of the input stream: all fields little-endian u64. */
struct boot_header {
  u64 magic_version; /* magic | version << 32 */
  u64 entry;         /* program entry */
  u64 sp;            /* initial user sp (stack already built) */
  u64 image_lo;      /* lowest program address */
  u64 brk;           /* initial program break (page aligned) */
  u64 stack_lo;      /* [stack_lo, stack_hi): the stack mapping */
  u64 stack_hi;
  u64 user_lo;       /* [user_lo, user_hi): memory for brk and mmap (backed lazily) */
  u64 user_hi;
  u64 mmap_base;     /* top-down mmap allocation ends at or below this */
  u64 hint_lo;       /* [hint_lo, hint_hi): more memory, used only at hinted addresses */
  u64 hint_hi;
  u64 heap_lo;       /* [heap_lo, heap_hi): the kernel's own heap (file blobs) */
  u64 heap_hi;
  u64 seed;          /* getrandom seed */
  u64 cpus;          /* CPUs the program sees */
  u64 quantum;       /* instructions per time slice */
  u64 hz;            /* virtual instructions per second */
  u64 pid;           /* process id = first thread id */
  u64 cwd_len;       /* then cwd bytes */
  u64 nfiles;        /* then nfiles entries: kind, path_len, data_len (u64 each), path, data */
};

/* ---- library ---- */
void *memcpy(void *d, const void *s, usize n);
void *memset(void *d, int c, usize n);
void *memmove(void *d, const void *s, usize n);
int memcmp(const void *a, const void *b, usize n);
usize strlen(const char *s);
int streq(const char *a, const char *b);

static inline u64 rd_minstret(void) {
  u64 v;
  __asm__ volatile("csrr %0, minstret" : "=r"(v));
  return v;
}
#define CSR_WRITE(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"((u64)(v)))
#define CSR_READ(csr, out) __asm__ volatile("csrr %0, " #csr : "=r"(out))
static inline void phase(u64 p) {
  __asm__ volatile("csrw 0x7c1, %0" ::"r"(p));
}

/* host calls (entry.S) */
void host_halt(u64 status, u64 why) __attribute__((noreturn));
u64 host_read_input(void *buf, u64 len);
u64 host_write_output(u64 stream, const void *buf, u64 len);

void panic(const char *msg) __attribute__((noreturn));
void kputs(const char *s);

/* ---- threads ---- */
#define MAX_THREADS 256
#define T_FREE 0
#define T_RUN 1
#define T_BLOCK 2
#define T_DEAD 3

#define W_NONE 0
#define W_FUTEX 1
#define W_SLEEP 2
#define W_EPOLL 3
#define W_POLL 4

struct sigaltstack_s {
  u64 sp;
  u64 flags;
  u64 size;
};

/** One thread: the register save area first (its layout is fixed by entry.S and zkabi). */
struct thread {
  u64 x[32]; /* x[0] holds the pc (mepc) */
  u64 f[32]; /* offset 256 */
  u64 fcsr;  /* offset 512 */
  u64 tid;   /* offset 520: zkabi reads it to split instructions per thread */
  int state;
  int wait;
  u64 futex_addr;
  u32 futex_bitset;
  u64 wait_seq;
  int has_deadline;
  u64 deadline; /* ns since boot */
  u64 wait_arg; /* epoll: epfd; poll: unused */
  u64 wait_buf;
  u64 wait_max;
  u64 clear_child_tid;
  u64 sigmask;
  u64 pending;        /* pending signals (bit sig-1) */
  i32 sig_code[65];   /* si_code per pending signal */
  u64 sig_addr[65];   /* si_addr (faults) or sender pid */
  struct sigaltstack_s alt;
};

extern struct thread threads[MAX_THREADS];
extern int thread_hw; /* one past the highest thread record ever used: loops stop there */
extern struct thread *cur;
extern u64 pid;
extern struct boot_header boot;
extern int need_resched;

u64 now_ns(void);
struct thread *schedule(void);
void block_thread(struct thread *t, int wait, int has_deadline, u64 deadline);
void wake_thread(struct thread *t, i64 result);
void wake_epoll_waiters(void);
void kill_process(int sig) __attribute__((noreturn));

/* entry.S */
void fp_save(struct thread *t);
void fp_load(struct thread *t);
extern char sigreturn_trampoline[];
void return_to_user(struct thread *t) __attribute__((noreturn));

/* fs.c */
void fs_init(void);
/* mm.c */
void mm_init(void);
/* signal.c */
void deliver_signals(struct thread *t);
int signal_thread(struct thread *t, int sig, int code, u64 addr);
void fault_signal(struct thread *t, u64 cause, u64 tval);
/* random.c */
void random_init(u64 seed);
void random_fill(u8 *out, u64 n);

/* syscall handlers: all take the thread; arguments are in t->x[10..15] */
typedef i64 (*sys_fn)(struct thread *t);
#define NO_RESULT ((i64)0x7fffffffffffffffL) /* the handler set (or will set) a0 itself */

#define A0 (t->x[10])
#define A1 (t->x[11])
#define A2 (t->x[12])
#define A3 (t->x[13])
#define A4 (t->x[14])
#define A5 (t->x[15])

i64 sys_getcwd(struct thread *t);
i64 sys_eventfd2(struct thread *t);
i64 sys_epoll_create1(struct thread *t);
i64 sys_epoll_ctl(struct thread *t);
i64 sys_epoll_pwait(struct thread *t);
i64 sys_dup(struct thread *t);
i64 sys_dup3(struct thread *t);
i64 sys_fcntl(struct thread *t);
i64 sys_ioctl(struct thread *t);
i64 sys_faccessat(struct thread *t);
i64 sys_openat(struct thread *t);
i64 sys_close(struct thread *t);
i64 sys_lseek(struct thread *t);
i64 sys_read(struct thread *t);
i64 sys_write(struct thread *t);
i64 sys_readv(struct thread *t);
i64 sys_writev(struct thread *t);
i64 sys_pread64(struct thread *t);
i64 sys_ppoll(struct thread *t);
i64 sys_readlinkat(struct thread *t);
i64 sys_newfstatat(struct thread *t);
i64 sys_fstat(struct thread *t);
i64 sys_statx(struct thread *t);
i64 sys_chdir(struct thread *t);
i64 sys_getdents64(struct thread *t);
int user_ok(u64 addr, u64 len);

i64 sys_brk(struct thread *t);
i64 sys_mmap(struct thread *t);
i64 sys_munmap(struct thread *t);
i64 sys_mprotect(struct thread *t);
i64 sys_madvise(struct thread *t);
i64 sys_mincore(struct thread *t);
i64 sys_mremap(struct thread *t);

i64 sys_exit(struct thread *t);
i64 sys_exit_group(struct thread *t);
i64 sys_set_tid_address(struct thread *t);
i64 sys_futex(struct thread *t);
i64 sys_nanosleep(struct thread *t);
i64 sys_clock_nanosleep(struct thread *t);
i64 sys_clock_gettime(struct thread *t);
i64 sys_clock_getres(struct thread *t);
i64 sys_gettimeofday(struct thread *t);
i64 sys_sched_yield(struct thread *t);
i64 sys_clone(struct thread *t);

i64 sys_kill(struct thread *t);
i64 sys_tkill(struct thread *t);
i64 sys_tgkill(struct thread *t);
i64 sys_sigaltstack(struct thread *t);
i64 sys_rt_sigaction(struct thread *t);
i64 sys_rt_sigprocmask(struct thread *t);
i64 sys_rt_sigreturn(struct thread *t);

#endif
