/*
 * lseek: lseek(2) with SEEK_SET / SEEK_CUR / SEEK_END on the file named by
 * argv[1], reading after each seek; plus EINVAL for a negative result and for
 * a bad whence, and EBADF for a bad descriptor.
 * Syscall: lseek (62)
 * Args: ["digits.txt"] where digits.txt holds "0123456789abcdef\n" (17 bytes).
 * Expected exit status: 0 (1..14 = the numbered CHECK that failed)
 * Expected stdout: "size=17 at10=abc cur=8:89 end-3=ef\n"
 */
#include "sys.h"

static long seek(long fd, long off, int whence) {
  return zk_sys3(SYS_lseek, fd, off, whence);
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  r = argc;
  CHECK(1, argc >= 2);
  long fd = zk_openat(AT_FDCWD, argv[1], O_RDONLY, 0);
  r = fd;
  CHECK(2, fd >= 0);
  char buf[4] = {0, 0, 0, 0};

  long size = seek(fd, 0, SEEK_END);
  r = size;
  CHECK(3, size == 17);
  r = seek(fd, 10, SEEK_SET);
  CHECK(4, r == 10);
  r = zk_read((int)fd, buf, 3);
  CHECK(5, r == 3 && buf[0] == 'a' && buf[2] == 'c');
  zk_puts("size=");
  zk_put_u64((u64)size);
  zk_puts(" at10=");
  zk_puts(buf);

  r = seek(fd, -5, SEEK_CUR); /* 13 - 5 = 8 */
  CHECK(6, r == 8);
  buf[2] = 0;
  r = zk_read((int)fd, buf, 2);
  CHECK(7, r == 2);
  zk_puts(" cur=8:");
  zk_puts(buf);

  r = seek(fd, -3, SEEK_END); /* "ef\n" */
  CHECK(8, r == 14);
  r = zk_read((int)fd, buf, 2);
  CHECK(9, r == 2);
  zk_puts(" end-3=");
  zk_puts(buf);
  zk_puts("\n");

  r = seek(fd, -100, SEEK_SET);
  CHECK(10, r == -EINVAL);
  r = seek(fd, 0, 7);
  CHECK(11, r == -EINVAL);
  r = seek(99, 0, SEEK_SET);
  CHECK(12, r == -EBADF);
  /* Seeking past the end is allowed; reading there gives EOF. */
  r = seek(fd, 1000, SEEK_SET);
  CHECK(13, r == 1000);
  r = zk_read((int)fd, buf, 2);
  CHECK(14, r == 0);
  zk_close((int)fd);
  return 0;
}
