/*
 * A hostile guest for zkabi's hardening tests: one static glibc program
 * whose first argument picks the attack or the careless behaviour to try.
 * Each scenario prints what it observed, one fact per line, so that the
 * tests (and qemu-riscv64 on a real Linux, where that is meaningful) can
 * compare. Scenarios:
 *
 *   escape RW TARGET   on a read-write directory RW: hold a file fd, a
 *                      directory fd and the cwd in RW/d, rename RW/d away,
 *                      put a symlink to TARGET (a host directory holding
 *                      "secret") in its place, then use the old fd, dirfd
 *                      and cwd: read, write, create, list.
 *   setuid RW          create RW/suid, chmod 06755, print the mode.
 *   malloc             malloc and touch 1 MiB blocks until malloc fails.
 *   mmap               mmap 64 MiB read-write blocks (untouched) until ENOMEM.
 *   oom                touch 8 MiB blocks and make each PROT_NONE (no longer
 *                      committed, still held) until the memory runs out.
 *   unlinked           /tmp: an unlinked open file, ftruncate and fallocate
 *                      to 100 GiB, then fill /tmp with unlinked open files.
 *   threads [N]        start threads with small stacks until it fails (after
 *                      lowering RLIMIT_NPROC to N when given).
 *   stdout N           write N numbered lines to stdout, report a failure.
 *   ignore-sigpipe     ignore SIGPIPE, write stdout until it fails, report.
 *   fault              load from address -16 (0xfffffffffffffff0).
 *   names              two /tmp files whose names differ in invalid UTF-8.
 *   spin               compute, and make a getppid call now and then, forever.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *err(int r) { return r < 0 ? strerrorname_np(errno) : "ok"; }

static void show_read(const char *what, int fd) {
  char buf[64] = {0};
  ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof buf - 1, 0);
  if (n < 0) printf("%s: %s\n", what, strerrorname_np(errno));
  else printf("%s: %zd '%s'\n", what, n, buf);
}

static int escape(const char *rw, const char *target) {
  char path[4096], moved[4096];
  snprintf(path, sizeof path, "%s/d", rw);
  snprintf(moved, sizeof moved, "%s/moved", rw);
  if (mkdir(path, 0755) < 0) return perror("mkdir"), 1;
  snprintf(path, sizeof path, "%s/d/secret", rw);
  int fd = open(path, O_RDWR | O_CREAT, 0644);
  if (fd < 0 || write(fd, "inside", 6) != 6) return perror("create"), 1;
  snprintf(path, sizeof path, "%s/d", rw);
  int dfd = open(path, O_RDONLY | O_DIRECTORY);
  if (dfd < 0 || chdir(path) < 0) return perror("dir"), 1;
  /* The swap: the directory goes away, a symlink to the host takes its name. */
  printf("rename: %s\n", err(rename(path, moved)));
  printf("symlink: %s\n", err(symlink(target, path)));
  show_read("old fd", fd);
  printf("write old fd: %s\n", err((int)pwrite(fd, "INSIDE", 6, 0)));
  int viadfd = openat(dfd, "secret", O_RDONLY);
  show_read("dirfd secret", viadfd);
  int viacwd = open("secret", O_RDONLY);
  show_read("cwd secret", viacwd);
  int made = openat(dfd, "planted", O_WRONLY | O_CREAT | O_EXCL, 0644);
  printf("create via dirfd: %s\n", err(made));
  int made2 = open("planted2", O_WRONLY | O_CREAT | O_EXCL, 0644);
  printf("create via cwd: %s\n", err(made2));
  printf("mkdir via cwd: %s\n", err(mkdir("newdir", 0755)));
  int n = 0;
  DIR *d = opendir(".");
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      printf("cwd entry: %s\n", e->d_name);
      n++;
    }
  }
  printf("cwd entries: %d\n", n);
  char cwd[4096];
  printf("getcwd ends with /moved: %d\n",
         getcwd(cwd, sizeof cwd) && strlen(cwd) >= 6 && !strcmp(cwd + strlen(cwd) - 6, "/moved"));
  /* Through the symlink by name: resolved in the guest's own tree. */
  snprintf(path, sizeof path, "%s/d/secret", rw);
  show_read("by name", open(path, O_RDONLY));
  return 0;
}

static int setuid_bits(const char *rw) {
  char path[4096];
  snprintf(path, sizeof path, "%s/suid", rw);
  int fd = open(path, O_WRONLY | O_CREAT, 06755);
  if (fd < 0) return perror("create"), 1;
  struct stat st;
  fstat(fd, &st);
  printf("created: %o\n", st.st_mode & 07777);
  printf("chmod 06755: %s\n", err(chmod(path, 06755)));
  stat(path, &st);
  printf("mode: %o\n", st.st_mode & 07777);
  printf("fchmod 02755: %s\n", err(fchmod(fd, 02755)));
  stat(path, &st);
  printf("mode: %o\n", st.st_mode & 07777);
  snprintf(path, sizeof path, "%s/sgid-dir", rw);
  printf("mkdir 02775: %s\n", err(mkdir(path, 02775)));
  stat(path, &st);
  printf("dir mode: %o\n", st.st_mode & 07777);
  return 0;
}

static int malloc_loop(void) {
  size_t mib = 0;
  for (;;) {
    char *p = malloc(1 << 20);
    if (!p) break;
    memset(p, 1, 1 << 20);
    mib++;
  }
  printf("malloc failed after %zu MiB: %s\n", mib, strerrorname_np(errno));
  return 0;
}

static int mmap_loop(void) {
  size_t blocks = 0;
  for (;;) {
    void *p = mmap(0, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) break;
    blocks++;
  }
  printf("mmap failed after %zu MiB: %s\n", blocks * 64, strerrorname_np(errno));
  void *reserve = mmap(0, 1ul << 36, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  printf("PROT_NONE 64 GiB reservation: %s\n", reserve == MAP_FAILED ? strerrorname_np(errno) : "ok");
  printf("mprotect it read-write: %s\n",
         err(reserve == MAP_FAILED ? 0 : mprotect(reserve, 1ul << 36, PROT_READ | PROT_WRITE)));
  return 0;
}

static int oom(void) {
  for (long mib = 0;; mib += 8) {
    char *p = mmap(0, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      printf("mmap failed after %ld MiB: %s\n", mib, strerrorname_np(errno));
      return 1;
    }
    memset(p, 1, 8 << 20);
    mprotect(p, 8 << 20, PROT_NONE);
  }
}

static int unlinked(void) {
  int fd = open("/tmp/big", O_RDWR | O_CREAT, 0600);
  unlink("/tmp/big");
  printf("ftruncate 100 GiB: %s\n", err(ftruncate(fd, 100ll << 30)));
  printf("fallocate 100 GiB: %s\n", err(fallocate(fd, 0, 0, 100ll << 30)));
  static char chunk[1 << 20];
  memset(chunk, 7, sizeof chunk);
  long mib = 0;
  int files = 0;
  for (;;) {
    int f = open("/tmp/fill", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f < 0) break;
    unlink("/tmp/fill");
    files++;
    int full = 0;
    for (int i = 0; i < 64; i++) {
      if (write(f, chunk, sizeof chunk) != (ssize_t)sizeof chunk) {
        printf("write: %s\n", strerrorname_np(errno));
        full = 1;
        break;
      }
      mib++;
    }
    if (full) break;
  }
  printf("unlinked open files: %d, MiB written: %ld\n", files, mib);
  int named = open("/tmp/named", O_RDWR | O_CREAT, 0600);
  printf("a new named file: %s, write: %s\n", err(named), err((int)write(named, chunk, 4096)));
  return 0;
}

static int never;

static void *park(void *arg) {
  (void)arg;
  for (;;) syscall(SYS_futex, &never, 128 /* FUTEX_WAIT_PRIVATE */, 0, 0);
  return 0;
}

static int threads(const char *limit) {
  if (limit) {
    struct rlimit rl = {atol(limit), atol(limit)};
    if (setrlimit(RLIMIT_NPROC, &rl) < 0) return perror("setrlimit"), 1;
  }
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 16384);
  int n = 0;
  for (;;) {
    pthread_t t;
    int r = pthread_create(&t, &a, park, 0);
    if (r) {
      printf("pthread_create failed after %d threads: %s\n", n, strerrorname_np(r));
      break;
    }
    n++;
  }
  fflush(stdout);
  _exit(0);
}

static int out_lines(long n) {
  char line[64];
  for (long i = 1; i <= n; i++) {
    int len = snprintf(line, sizeof line, "line %ld\n", i);
    if (write(1, line, len) != len) {
      dprintf(2, "write %ld: %s\n", i, strerrorname_np(errno));
      return 3;
    }
  }
  return 0;
}

static int ignore_sigpipe(void) {
  signal(SIGPIPE, SIG_IGN);
  for (long i = 1;; i++) {
    if (write(1, "x\n", 2) != 2) {
      dprintf(2, "write: %s\n", strerrorname_np(errno));
      return 4;
    }
  }
}

static int fault(void) {
  volatile long *p = (volatile long *)(intptr_t)-16;
  return (int)*p;
}

static void list_tmp(void) {
  DIR *d = opendir("/tmp");
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    printf("entry:");
    for (unsigned char *c = (unsigned char *)e->d_name; *c; c++) printf(" %02x", *c);
    printf("\n");
  }
  closedir(d);
}

static int names(void) {
  const char *a = "/tmp/a\xff", *b = "/tmp/a\xfe", *c = "/tmp/a\xef\xbf\xbd";
  int fa = open(a, O_RDWR | O_CREAT | O_EXCL, 0644);
  int fb = open(b, O_RDWR | O_CREAT | O_EXCL, 0644);
  int fc = open(c, O_RDWR | O_CREAT | O_EXCL, 0644);
  printf("create a\\xff: %s, a\\xfe: %s, a+U+FFFD: %s\n", err(fa), err(fb), err(fc));
  if (write(fa, "ff", 2) < 0 || write(fb, "fe", 2) < 0 || write(fc, "fffd", 4) < 0) return 1;
  show_read("a\\xff", open(a, O_RDONLY));
  show_read("a\\xfe", open(b, O_RDONLY));
  show_read("a+U+FFFD", open(c, O_RDONLY));
  list_tmp();
  return 0;
}

static int spin(void) {
  for (;;) {
    for (volatile int i = 0; i < 20000; i++) {
    }
    if (syscall(SYS_getppid) < 0) return 1;
  }
}

int main(int argc, char **argv) {
  setvbuf(stdout, 0, _IONBF, 0);
  const char *s = argc > 1 ? argv[1] : "";
  if (!strcmp(s, "escape") && argc > 3) return escape(argv[2], argv[3]);
  if (!strcmp(s, "setuid") && argc > 2) return setuid_bits(argv[2]);
  if (!strcmp(s, "malloc")) return malloc_loop();
  if (!strcmp(s, "mmap")) return mmap_loop();
  if (!strcmp(s, "oom")) return oom();
  if (!strcmp(s, "unlinked")) return unlinked();
  if (!strcmp(s, "threads")) return threads(argc > 2 ? argv[2] : 0);
  if (!strcmp(s, "stdout") && argc > 2) return out_lines(atol(argv[2]));
  if (!strcmp(s, "ignore-sigpipe")) return ignore_sigpipe();
  if (!strcmp(s, "fault")) return fault();
  if (!strcmp(s, "names")) return names();
  if (!strcmp(s, "spin")) return spin();
  fprintf(stderr, "usage: hostile escape RW TARGET | setuid RW | malloc | mmap | oom | unlinked | "
                  "threads [N] | stdout N | ignore-sigpipe | fault | names | spin\n");
  return 2;
}
