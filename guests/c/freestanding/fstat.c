/*
 * fstat: fstat(2) and newfstatat(2) (the kernel's struct stat, 128 bytes on
 * riscv64) on the file named by argv[1], on "." and on a missing path.
 * Checks st_size against the bytes actually read and the S_IFMT file type.
 * Syscalls: fstat (80), newfstatat (79)
 * Args: ["input.txt"] where input.txt holds "line one\nline two\n" (18 bytes).
 * Expected exit status: 0 (1..14 = the numbered CHECK that failed)
 * Expected stdout: "size=18 type=reg nlink=1\n. type=dir\n"
 */
#include "sys.h"

static long fstat(long fd, struct zk_stat *st) {
  return zk_sys2(SYS_fstat, fd, L(st));
}

static long fstatat(long dirfd, const char *path, struct zk_stat *st, long flags) {
  return zk_sys4(SYS_newfstatat, dirfd, L(path), L(st), flags);
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  r = argc;
  CHECK(1, argc >= 2);
  CHECK(2, sizeof(struct zk_stat) == 128);
  long fd = zk_openat(AT_FDCWD, argv[1], O_RDONLY, 0);
  r = fd;
  CHECK(3, fd >= 0);
  char buf[256];
  long total = 0;
  while ((r = zk_read((int)fd, buf, sizeof buf)) > 0) total += r;
  CHECK(4, r == 0);

  struct zk_stat st;
  memset(&st, 0xa5, sizeof st);
  r = fstat(fd, &st);
  CHECK(5, r == 0);
  r = st.st_size;
  CHECK(6, st.st_size == total);
  r = st.st_mode;
  CHECK(7, (st.st_mode & S_IFMT) == S_IFREG);
  CHECK(8, (st.st_mode & 0400) != 0); /* owner-readable: we just read it */
  r = st.st_nlink;
  CHECK(9, st.st_nlink == 1);

  struct zk_stat st2;
  memset(&st2, 0, sizeof st2);
  r = fstatat(AT_FDCWD, argv[1], &st2, 0);
  CHECK(10, r == 0 && st2.st_size == st.st_size && st2.st_ino == st.st_ino &&
                st2.st_dev == st.st_dev && st2.st_mode == st.st_mode);
  memset(&st2, 0, sizeof st2);
  r = fstatat(fd, "", &st2, AT_EMPTY_PATH);
  CHECK(11, r == 0 && st2.st_ino == st.st_ino);
  zk_puts("size=");
  zk_put_u64((u64)st.st_size);
  zk_puts(" type=reg nlink=");
  zk_put_u64(st.st_nlink);
  zk_puts("\n");

  r = fstatat(AT_FDCWD, ".", &st2, 0);
  CHECK(12, r == 0 && (st2.st_mode & S_IFMT) == S_IFDIR);
  zk_puts(". type=dir\n");

  r = fstatat(AT_FDCWD, "zkabi-no-such-file", &st2, 0);
  CHECK(13, r == -ENOENT);
  zk_close((int)fd);
  r = fstat(fd, &st2);
  CHECK(14, r == -EBADF);
  return 0;
}
