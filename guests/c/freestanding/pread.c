/*
 * pread: pread64(2) / pwrite64(2) on a file created in /tmp (O_CREAT|O_EXCL,
 * named after the pid, unlinked at the end): positional I/O must not move the
 * file offset; writing past EOF extends the file; reading past EOF gives 0;
 * a negative offset is EINVAL; a closed descriptor gives EBADF.
 * Syscalls: pread64 (67), pwrite64 (68) (+ openat, write, lseek, unlinkat)
 * Args: none. Needs a writable /tmp.
 * Expected exit status: 0 (1..15 = the numbered CHECK that failed)
 * Expected stdout: "0123XYZ789\nsize=23\n"
 */
#include "sys.h"

static long pread(long fd, void *buf, usize len, long off) {
  return zk_sys4(SYS_pread64, fd, L(buf), L(len), off);
}

static long pwrite(long fd, const void *buf, usize len, long off) {
  return zk_sys4(SYS_pwrite64, fd, L(buf), L(len), off);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  /* "/tmp/zkabi-pread-<pid>" */
  char path[64];
  const char *prefix = "/tmp/zkabi-pread-";
  usize n = zk_strlen(prefix);
  memcpy(path, prefix, n);
  u64 pid = (u64)zk_sys0(SYS_getpid);
  char digits[24];
  int nd = 0;
  do {
    digits[nd++] = (char)('0' + pid % 10);
    pid /= 10;
  } while (pid);
  while (nd > 0) path[n++] = digits[--nd];
  path[n] = 0;

  long fd = zk_openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  r = fd;
  CHECK(1, fd >= 0);
  r = zk_write((int)fd, "0123456789", 10);
  CHECK(2, r == 10);

  r = pwrite(fd, "XYZ", 3, 4);
  CHECK(3, r == 3);
  r = zk_sys3(SYS_lseek, fd, 0, SEEK_CUR);
  CHECK(4, r == 10); /* pwrite left the offset alone */

  char buf[32];
  memset(buf, 0, sizeof buf);
  r = pread(fd, buf, 10, 0);
  CHECK(5, r == 10 && memcmp(buf, "0123XYZ789", 10) == 0);
  r = zk_sys3(SYS_lseek, fd, 0, SEEK_CUR);
  CHECK(6, r == 10); /* pread left the offset alone */
  buf[10] = '\n';
  zk_write(1, buf, 11);

  r = pread(fd, buf, 4, 7);
  CHECK(7, r == 3 && memcmp(buf, "789", 3) == 0); /* short read at EOF */
  r = pwrite(fd, "END", 3, 20); /* extends, leaving a hole of zeros */
  CHECK(8, r == 3);
  long size = zk_sys3(SYS_lseek, fd, 0, SEEK_END);
  r = size;
  CHECK(9, size == 23);
  memset(buf, 0x55, sizeof buf);
  r = pread(fd, buf, sizeof buf, 0);
  CHECK(10, r == 23 && buf[10] == 0 && buf[19] == 0 && buf[20] == 'E');
  r = pread(fd, buf, 4, 100);
  CHECK(11, r == 0);
  r = pread(fd, buf, 4, -1);
  CHECK(12, r == -EINVAL);
  r = pwrite(fd, buf, 4, -1);
  CHECK(13, r == -EINVAL);
  zk_puts("size=");
  zk_put_u64((u64)size);
  zk_puts("\n");

  zk_close((int)fd);
  r = pread(fd, buf, 4, 0);
  CHECK(14, r == -EBADF);
  r = zk_sys3(SYS_unlinkat, AT_FDCWD, L(path), 0);
  CHECK(15, r == 0);
  return 0;
}
