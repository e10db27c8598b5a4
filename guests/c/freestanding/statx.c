/*
 * statx: statx(2) (struct statx, 256 bytes) on the file named by argv[1],
 * by path and by descriptor (AT_EMPTY_PATH), compared with newfstatat; on a
 * directory; and the EINVAL / ENOENT error paths.
 * Syscall: statx (291)
 * Args: ["input.txt"] where input.txt holds "line one\nline two\n" (18 bytes).
 * Expected exit status: 0 (1..12 = the numbered CHECK that failed)
 * Expected stdout: "size=18 type=reg nlink=1\n. type=dir\n"
 */
#include "sys.h"

static long statx(long dirfd, const char *path, long flags, unsigned mask, struct zk_statx *out) {
  return zk_sys5(SYS_statx, dirfd, L(path), flags, (long)mask, L(out));
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  r = argc;
  CHECK(1, argc >= 2);
  CHECK(2, sizeof(struct zk_statx) == 256);

  struct zk_statx sx;
  memset(&sx, 0, sizeof sx);
  r = statx(AT_FDCWD, argv[1], 0, STATX_BASIC_STATS, &sx);
  CHECK(3, r == 0);
  r = sx.stx_mask;
  CHECK(4, (sx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_INO)) ==
               (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_INO));
  r = (long)sx.stx_size;
  CHECK(5, sx.stx_size == 18);
  r = sx.stx_mode;
  CHECK(6, (sx.stx_mode & S_IFMT) == S_IFREG);

  /* Same object as newfstatat reports. */
  struct zk_stat st;
  r = zk_sys4(SYS_newfstatat, AT_FDCWD, L(argv[1]), L(&st), 0);
  CHECK(7, r == 0 && st.st_ino == sx.stx_ino && st.st_size == (i64)sx.stx_size &&
               st.st_mode == sx.stx_mode && st.st_nlink == sx.stx_nlink);

  long fd = zk_openat(AT_FDCWD, argv[1], O_RDONLY, 0);
  r = fd;
  CHECK(8, fd >= 0);
  struct zk_statx sx2;
  memset(&sx2, 0, sizeof sx2);
  r = statx(fd, "", AT_EMPTY_PATH, STATX_SIZE | STATX_INO, &sx2);
  CHECK(9, r == 0 && sx2.stx_ino == sx.stx_ino && sx2.stx_size == sx.stx_size);
  zk_close((int)fd);
  zk_puts("size=");
  zk_put_u64(sx.stx_size);
  zk_puts(" type=reg nlink=");
  zk_put_u64(sx.stx_nlink);
  zk_puts("\n");

  r = statx(AT_FDCWD, ".", 0, STATX_BASIC_STATS, &sx2);
  CHECK(10, r == 0 && (sx2.stx_mode & S_IFMT) == S_IFDIR);
  zk_puts(". type=dir\n");

  r = statx(AT_FDCWD, "zkabi-no-such-file", 0, STATX_BASIC_STATS, &sx2);
  CHECK(11, r == -ENOENT);
  r = statx(AT_FDCWD, argv[1], 0, STATX__RESERVED, &sx2); /* reserved mask bit */
  CHECK(12, r == -EINVAL);
  return 0;
}
