/*
 * What fd 0 is: fstat's type and size, then a read, lseek from the current
 * position and from the end, and pread. Given a regular file as stdin
 * (`prog < file`) all of them work as on a file; given a pipe, lseek and
 * pread fail with ESPIPE.
 * Args: none. Stdin: any bytes (the test gives "abcdefghijklmnop\n").
 * Expected exit status: 0 (1 = fstat failed)
 * Expected stdout: the lines above; as a pipe, "regular=0 fifo=1 size=0",
 *   the first five bytes, then ESPIPE three times.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
  struct stat st;
  if (fstat(0, &st) != 0) {
    perror("fstat");
    return 1;
  }
  printf("regular=%d fifo=%d size=%ld\n", S_ISREG(st.st_mode), S_ISFIFO(st.st_mode),
         (long)st.st_size);
  char buf[16];
  ssize_t n = read(0, buf, 5);
  printf("read: %.*s\n", (int)(n > 0 ? n : 0), buf);
  off_t at = lseek(0, 0, SEEK_CUR);
  printf("lseek(0, SEEK_CUR) = %ld%s\n", (long)at, at < 0 && errno == ESPIPE ? " ESPIPE" : "");
  at = lseek(0, -4, SEEK_END);
  if (at >= 0) {
    n = read(0, buf, sizeof buf);
    printf("lseek(-4, SEEK_END) = %ld, then read: %.*s\n", (long)at, (int)(n > 0 ? n : 0), buf);
  } else {
    printf("lseek(-4, SEEK_END) = -1%s\n", errno == ESPIPE ? " ESPIPE" : "");
  }
  n = pread(0, buf, 4, 6);
  if (n >= 0) printf("pread(4 at 6): %.*s\n", (int)n, buf);
  else printf("pread = -1%s\n", errno == ESPIPE ? " ESPIPE" : "");
  return 0;
}
