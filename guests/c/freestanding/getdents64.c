/*
 * getdents64: list the directory named by argv[1] with getdents64(2) using a
 * small buffer (so several calls are needed), sort the names and print them
 * with their d_type; plus EINVAL for a buffer too small for one entry and
 * ENOTDIR for a regular file.
 * Syscall: getdents64 (61)
 * Args: ["tree"] where tree/ holds files "alpha", "beta" and a directory
 *   "gamma" (containing ".keep"); tree/alpha holds "a\n".
 * Expected exit status: 0 (1..9 = the numbered CHECK that failed)
 * Expected stdout: "alpha f\nbeta f\ngamma d\n3 entries + . and ..\n"
 */
#include "sys.h"

static long getdents64(long fd, void *buf, usize len) {
  return zk_sys3(SYS_getdents64, fd, L(buf), L(len));
}

#define MAX_NAMES 16
static char names[MAX_NAMES][64];
static u8 types[MAX_NAMES];
static int count;

static int name_less(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (u8)*a < (u8)*b;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  r = argc;
  CHECK(1, argc >= 2);
  long fd = zk_openat(AT_FDCWD, argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  r = fd;
  CHECK(2, fd >= 0);

  /* Aligned, and only large enough for one or two entries per call. */
  static u64 storage[8];
  char *buf = (char *)storage;
  int dots = 0;
  int calls = 0;
  for (;;) {
    long n = getdents64(fd, buf, sizeof storage);
    r = n;
    CHECK(3, n >= 0);
    if (n == 0) break;
    calls++;
    for (long off = 0; off < n;) {
      struct zk_dirent64 *d = (struct zk_dirent64 *)(buf + off);
      r = d->d_reclen;
      CHECK(4, d->d_reclen >= 20 && (d->d_reclen & 7) == 0 && off + d->d_reclen <= n);
      if (zk_streq(d->d_name, ".") || zk_streq(d->d_name, "..")) {
        dots++;
      } else {
        r = count;
        CHECK(5, count < MAX_NAMES && zk_strlen(d->d_name) < 64);
        memcpy(names[count], d->d_name, zk_strlen(d->d_name) + 1);
        types[count] = d->d_type;
        count++;
      }
      off += d->d_reclen;
    }
  }
  r = dots;
  CHECK(6, dots == 2);
  r = calls;
  CHECK(7, calls >= 2);

  /* Insertion sort: directory order is filesystem-specific. */
  for (int i = 1; i < count; i++) {
    for (int j = i; j > 0 && name_less(names[j], names[j - 1]); j--) {
      char tmp[64];
      memcpy(tmp, names[j], 64);
      memcpy(names[j], names[j - 1], 64);
      memcpy(names[j - 1], tmp, 64);
      u8 t = types[j];
      types[j] = types[j - 1];
      types[j - 1] = t;
    }
  }
  for (int i = 0; i < count; i++) {
    zk_puts(names[i]);
    zk_puts(types[i] == DT_DIR ? " d\n" : types[i] == DT_REG ? " f\n" : " ?\n");
  }
  zk_put_u64((u64)count);
  zk_puts(" entries + . and ..\n");

  /* Rewind and ask with a buffer too small for any entry. */
  r = zk_sys3(SYS_lseek, fd, 0, SEEK_SET);
  r = getdents64(fd, buf, 8);
  CHECK(8, r == -EINVAL);
  zk_close((int)fd);

  char path[128];
  usize len = zk_strlen(argv[1]);
  memcpy(path, argv[1], len);
  memcpy(path + len, "/alpha", 7);
  fd = zk_openat(AT_FDCWD, path, O_RDONLY, 0);
  r = getdents64(fd, storage, sizeof storage);
  CHECK(9, fd >= 0 && r == -ENOTDIR);
  return 0;
}
