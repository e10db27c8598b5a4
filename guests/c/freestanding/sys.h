/*
 * sys.h: the whole "runtime" of zkabi's freestanding C guests.
 *
 * No libc: every program includes this header exactly once. It provides
 *   - `_start` (reads argc/argv/envp from the initial stack, sets gp, calls
 *     main, then exit_group with main's return value),
 *   - raw `ecall` wrappers `zk_sys0`..`zk_sys6` (a7 = number, a0..a5 = args,
 *     result in a0; -4095..-1 means -errno),
 *   - riscv64 (asm-generic) syscall numbers, errno values, flag constants and
 *     uapi struct layouts the guests need,
 *   - tiny output helpers and the CHECK macro: a failed check prints a line
 *     to stderr and exits with the check's code, so the exit status names the
 *     check that failed (0 = every check passed).
 *
 * Build: riscv64-linux-gnu-gcc -nostdlib -static -ffreestanding -O2 ...
 */
#ifndef ZKABI_SYS_H
#define ZKABI_SYS_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;
typedef int i32;
typedef unsigned long usize;

#define NULL ((void *)0)

/* ---- syscall numbers (include/uapi/asm-generic/unistd.h, riscv64) ---- */
#define SYS_getcwd 17
#define SYS_dup 23
#define SYS_dup3 24
#define SYS_fcntl 25
#define SYS_ioctl 29
#define SYS_mkdirat 34
#define SYS_unlinkat 35
#define SYS_ftruncate 46
#define SYS_faccessat 48
#define SYS_chdir 49
#define SYS_openat 56
#define SYS_close 57
#define SYS_getdents64 61
#define SYS_lseek 62
#define SYS_read 63
#define SYS_write 64
#define SYS_readv 65
#define SYS_writev 66
#define SYS_pread64 67
#define SYS_pwrite64 68
#define SYS_readlinkat 78
#define SYS_newfstatat 79
#define SYS_fstat 80
#define SYS_exit 93
#define SYS_exit_group 94
#define SYS_clock_gettime 113
#define SYS_clock_getres 114
#define SYS_sched_getaffinity 123
#define SYS_rt_sigaction 134
#define SYS_rt_sigprocmask 135
#define SYS_uname 160
#define SYS_gettimeofday 169
#define SYS_getpid 172
#define SYS_getppid 173
#define SYS_getuid 174
#define SYS_geteuid 175
#define SYS_getgid 176
#define SYS_getegid 177
#define SYS_gettid 178
#define SYS_brk 214
#define SYS_munmap 215
#define SYS_mremap 216
#define SYS_mmap 222
#define SYS_mprotect 226
#define SYS_prlimit64 261
#define SYS_getrandom 278
#define SYS_statx 291

/* ---- errno values (include/uapi/asm-generic/errno-base.h, errno.h) ---- */
#define EPERM 1
#define ENOENT 2
#define EBADF 9
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENOTTY 25
#define ESPIPE 29
#define ERANGE 34
#define ENOSYS 38

/* ---- file flags (asm-generic/fcntl.h) ---- */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EMPTY_PATH 0x1000
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_ACCMODE 03
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

#define S_IFMT 0170000
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000

/* ---- memory (asm-generic/mman-common.h, mman.h) ---- */
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define PAGE_SIZE 4096UL

/* ---- uapi structs (riscv64 uses the asm-generic layouts) ---- */

/* asm-generic/stat.h: 128 bytes. */
struct zk_stat {
  u64 st_dev;
  u64 st_ino;
  u32 st_mode;
  u32 st_nlink;
  u32 st_uid;
  u32 st_gid;
  u64 st_rdev;
  u64 pad1;
  i64 st_size;
  i32 st_blksize;
  i32 pad2;
  i64 st_blocks;
  i64 st_atime_sec;
  u64 st_atime_nsec;
  i64 st_mtime_sec;
  u64 st_mtime_nsec;
  i64 st_ctime_sec;
  u64 st_ctime_nsec;
  u32 unused4;
  u32 unused5;
};

/* linux/stat.h: struct statx_timestamp, 16 bytes. */
struct zk_statx_timestamp {
  i64 tv_sec;
  u32 tv_nsec;
  i32 reserved;
};

/* linux/stat.h: struct statx, 256 bytes. */
struct zk_statx {
  u32 stx_mask;
  u32 stx_blksize;
  u64 stx_attributes;
  u32 stx_nlink;
  u32 stx_uid;
  u32 stx_gid;
  u16 stx_mode;
  u16 spare0;
  u64 stx_ino;
  u64 stx_size;
  u64 stx_blocks;
  u64 stx_attributes_mask;
  struct zk_statx_timestamp stx_atime;
  struct zk_statx_timestamp stx_btime;
  struct zk_statx_timestamp stx_ctime;
  struct zk_statx_timestamp stx_mtime;
  u32 stx_rdev_major;
  u32 stx_rdev_minor;
  u32 stx_dev_major;
  u32 stx_dev_minor;
  u64 stx_mnt_id;
  u64 spare2[13];
};
#define STATX_TYPE 0x1U
#define STATX_MODE 0x2U
#define STATX_NLINK 0x4U
#define STATX_UID 0x8U
#define STATX_GID 0x10U
#define STATX_ATIME 0x20U
#define STATX_MTIME 0x40U
#define STATX_CTIME 0x80U
#define STATX_INO 0x100U
#define STATX_SIZE 0x200U
#define STATX_BLOCKS 0x400U
#define STATX_BASIC_STATS 0x7ffU
#define STATX__RESERVED 0x80000000U

/* linux/dirent.h (getdents64). */
struct zk_dirent64 {
  u64 d_ino;
  i64 d_off;
  u16 d_reclen;
  u8 d_type;
  char d_name[];
};
#define DT_DIR 4
#define DT_REG 8

/* linux/uio.h */
struct zk_iovec {
  void *iov_base;
  usize iov_len;
};

/* linux/time.h */
struct zk_timespec {
  i64 tv_sec;
  i64 tv_nsec;
};
struct zk_timeval {
  i64 tv_sec;
  i64 tv_usec;
};
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2

/* linux/utsname.h: struct new_utsname, six 65-byte fields. */
struct zk_utsname {
  char sysname[65];
  char nodename[65];
  char release[65];
  char version[65];
  char machine[65];
  char domainname[65];
};

/* linux/resource.h (prlimit64 uses 64-bit fields). */
struct zk_rlimit64 {
  u64 rlim_cur;
  u64 rlim_max;
};
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIM64_INFINITY (~0UL)

/* asm-generic/signal.h: riscv has no SA_RESTORER, so 24 bytes. */
struct zk_sigaction {
  void *sa_handler;
  u64 sa_flags;
  u64 sa_mask;
};
#define SIG_DFL ((void *)0)
#define SIG_IGN ((void *)1)
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIGKILL 9
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGSTOP 19
#define SA_SIGINFO 0x4
#define SA_RESTART 0x10000000
#define SIGBIT(sig) (1UL << ((sig) - 1))

/* asm-generic/termbits.h: TCGETS and the 36-byte struct termios. */
#define TCGETS 0x5401
struct zk_termios {
  u32 c_iflag;
  u32 c_oflag;
  u32 c_cflag;
  u32 c_lflag;
  u8 c_line;
  u8 c_cc[19];
};

#define GRND_NONBLOCK 0x1
#define GRND_RANDOM 0x2

/* ---- raw ecall wrappers ---- */

static inline long zk_sys0(long n) {
  register long a7 __asm__("a7") = n;
  register long a0 __asm__("a0");
  __asm__ volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
  return a0;
}

static inline long zk_sys1(long n, long x0) {
  register long a7 __asm__("a7") = n;
  register long a0 __asm__("a0") = x0;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
  return a0;
}

static inline long zk_sys2(long n, long x0, long x1) {
  register long a7 __asm__("a7") = n;
  register long a0 __asm__("a0") = x0;
  register long a1 __asm__("a1") = x1;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1) : "memory");
  return a0;
}

static inline long zk_sys3(long n, long x0, long x1, long x2) {
  register long a7 __asm__("a7") = n;
  register long a0 __asm__("a0") = x0;
  register long a1 __asm__("a1") = x1;
  register long a2 __asm__("a2") = x2;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
  return a0;
}

static inline long zk_sys4(long n, long x0, long x1, long x2, long x3) {
  register long a7 __asm__("a7") = n;
  register long a0 __asm__("a0") = x0;
  register long a1 __asm__("a1") = x1;
  register long a2 __asm__("a2") = x2;
  register long a3 __asm__("a3") = x3;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3) : "memory");
  return a0;
}

static inline long zk_sys5(long n, long x0, long x1, long x2, long x3, long x4) {
  register long a7 __asm__("a7") = n;
  register long a0 __asm__("a0") = x0;
  register long a1 __asm__("a1") = x1;
  register long a2 __asm__("a2") = x2;
  register long a3 __asm__("a3") = x3;
  register long a4 __asm__("a4") = x4;
  __asm__ volatile("ecall"
                   : "+r"(a0)
                   : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4)
                   : "memory");
  return a0;
}

static inline long zk_sys6(long n, long x0, long x1, long x2, long x3, long x4, long x5) {
  register long a7 __asm__("a7") = n;
  register long a0 __asm__("a0") = x0;
  register long a1 __asm__("a1") = x1;
  register long a2 __asm__("a2") = x2;
  register long a3 __asm__("a3") = x3;
  register long a4 __asm__("a4") = x4;
  register long a5 __asm__("a5") = x5;
  __asm__ volatile("ecall"
                   : "+r"(a0)
                   : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
                   : "memory");
  return a0;
}

/* Casts so call sites stay readable. */
#define L(x) ((long)(x))

static inline long zk_write(int fd, const void *buf, usize len) {
  return zk_sys3(SYS_write, fd, L(buf), L(len));
}

static inline long zk_read(int fd, void *buf, usize len) {
  return zk_sys3(SYS_read, fd, L(buf), L(len));
}

static inline long zk_openat(int dirfd, const char *path, long flags, long mode) {
  return zk_sys4(SYS_openat, dirfd, L(path), flags, mode);
}

static inline long zk_close(int fd) {
  return zk_sys1(SYS_close, fd);
}

__attribute__((noreturn)) static inline void zk_exit_group(int status) {
  zk_sys1(SYS_exit_group, status);
  for (;;) {
  }
}

/* ---- memory helpers (gcc may emit calls to memset/memcpy/memmove/memcmp) ---- */

__attribute__((used)) void *memset(void *dst, int c, usize n) {
  volatile u8 *d = (volatile u8 *)dst;
  for (usize i = 0; i < n; i++) d[i] = (u8)c;
  return dst;
}

__attribute__((used)) void *memcpy(void *dst, const void *src, usize n) {
  volatile u8 *d = (volatile u8 *)dst;
  const u8 *s = (const u8 *)src;
  for (usize i = 0; i < n; i++) d[i] = s[i];
  return dst;
}

__attribute__((used)) void *memmove(void *dst, const void *src, usize n) {
  volatile u8 *d = (volatile u8 *)dst;
  const u8 *s = (const u8 *)src;
  if (d < s) {
    for (usize i = 0; i < n; i++) d[i] = s[i];
  } else {
    for (usize i = n; i > 0; i--) d[i - 1] = s[i - 1];
  }
  return dst;
}

__attribute__((used)) int memcmp(const void *a, const void *b, usize n) {
  const u8 *x = (const u8 *)a;
  const u8 *y = (const u8 *)b;
  for (usize i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

static inline usize zk_strlen(const char *s) {
  usize n = 0;
  while (s[n]) n++;
  return n;
}

static inline int zk_streq(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return *a == *b;
}

static inline int zk_startswith(const char *s, const char *prefix) {
  while (*prefix) {
    if (*s++ != *prefix++) return 0;
  }
  return 1;
}

/* ---- output helpers ---- */

static inline void zk_puts_fd(int fd, const char *s) {
  usize len = zk_strlen(s);
  while (len > 0) {
    long n = zk_write(fd, s, len);
    if (n <= 0) return;
    s += n;
    len -= (usize)n;
  }
}

static inline void zk_puts(const char *s) {
  zk_puts_fd(1, s);
}

static inline void zk_put_u64_fd(int fd, u64 v) {
  char buf[24];
  int i = 23;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  zk_puts_fd(fd, &buf[i]);
}

static inline void zk_put_u64(u64 v) {
  zk_put_u64_fd(1, v);
}

static inline void zk_put_i64(i64 v) {
  if (v < 0) {
    zk_puts("-");
    zk_put_u64((u64)0 - (u64)v);
  } else {
    zk_put_u64((u64)v);
  }
}

/* Lower-case hex, exactly `digits` digits (1..16). */
static inline void zk_put_hex(u64 v, int digits) {
  char buf[17];
  for (int i = digits - 1; i >= 0; i--) {
    buf[i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  }
  buf[digits] = 0;
  zk_puts(buf);
}

/* ---- checks ---- */

__attribute__((noreturn, noinline, unused)) static void zk_fail(int code, const char *what,
                                                               int line, long got) {
  zk_puts_fd(2, "CHECK ");
  zk_put_u64_fd(2, (u64)code);
  zk_puts_fd(2, " FAILED (line ");
  zk_put_u64_fd(2, (u64)line);
  zk_puts_fd(2, "): ");
  zk_puts_fd(2, what);
  zk_puts_fd(2, " [last value ");
  if (got < 0) {
    zk_puts_fd(2, "-");
    zk_put_u64_fd(2, (u64)0 - (u64)got);
  } else {
    zk_put_u64_fd(2, (u64)got);
  }
  zk_puts_fd(2, "]\n");
  zk_exit_group(code);
}

/* Value shown when a check fails: assign the syscall result to `r` first. */
__attribute__((unused)) static long r;

/* CHECK(code, cond): exit with status `code` unless `cond` holds. */
#define CHECK(code, cond)                          \
  do {                                             \
    if (!(cond)) zk_fail((code), #cond, __LINE__, r); \
  } while (0)

/* ---- process entry ---- */

int main(int argc, char **argv, char **envp);

__attribute__((used, noreturn)) void zk_start_c(long *sp) {
  int argc = (int)sp[0];
  char **argv = (char **)(sp + 1);
  char **envp = argv + argc + 1;
  zk_exit_group(main(argc, argv, envp));
}

/* sp -> argc, argv[], NULL, envp[], NULL, auxv[]. gp must be set before any
 * gp-relative access the linker may have relaxed into. */
__asm__(
    ".section .text._start,\"ax\",@progbits\n"
    ".globl _start\n"
    ".type _start,@function\n"
    "_start:\n"
    ".option push\n"
    ".option norelax\n"
    "  lla gp, __global_pointer$\n"
    ".option pop\n"
    "  mv a0, sp\n"
    "  andi sp, sp, -16\n"
    "  call zk_start_c\n"
    "1:\n"
    "  j 1b\n"
    ".size _start, .-_start\n"
    ".previous\n");

#endif /* ZKABI_SYS_H */
