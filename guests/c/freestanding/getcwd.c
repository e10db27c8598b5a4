/*
 * getcwd: getcwd(2) and chdir(2): print the starting directory, change to
 * "/" and to a relative subdirectory, change back, and the error paths
 * (ERANGE for a short buffer, ENOENT for a missing directory).
 * Syscalls: getcwd (17), chdir (49)
 * Args: none. Needs a subdirectory "sub" in the working directory.
 * Expected exit status: 0 (1..10 = the numbered CHECK that failed)
 * Expected stdout (the first path depends on where it runs):
 *   "cwd=<absolute path>\nroot=/\nsub=<absolute path>/sub\nrestored\n"
 */
#include "sys.h"

static long getcwd(char *buf, usize len) {
  return zk_sys2(SYS_getcwd, L(buf), L(len));
}

static long chdir(const char *path) {
  return zk_sys1(SYS_chdir, L(path));
}

static char orig[4096];
static char buf[4096];

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  r = getcwd(orig, sizeof orig);
  /* The raw syscall returns the length including the terminating NUL. */
  CHECK(1, r > 1 && orig[0] == '/' && (usize)r == zk_strlen(orig) + 1);
  usize orig_len = zk_strlen(orig);
  zk_puts("cwd=");
  zk_puts(orig);
  zk_puts("\n");

  r = chdir("/");
  CHECK(2, r == 0);
  r = getcwd(buf, sizeof buf);
  CHECK(3, r == 2 && buf[0] == '/' && buf[1] == 0);
  zk_puts("root=");
  zk_puts(buf);
  zk_puts("\n");

  r = chdir(orig);
  CHECK(4, r == 0);
  r = chdir("sub");
  CHECK(5, r == 0);
  r = getcwd(buf, sizeof buf);
  CHECK(6, (usize)r == orig_len + 5 && memcmp(buf, orig, orig_len) == 0 &&
               zk_streq(buf + orig_len, "/sub"));
  zk_puts("sub=");
  zk_puts(buf);
  zk_puts("\n");

  r = chdir("..");
  CHECK(7, r == 0);
  r = getcwd(buf, sizeof buf);
  CHECK(8, r > 0 && zk_streq(buf, orig));
  zk_puts("restored\n");

  r = getcwd(buf, 1); /* too small for the path */
  CHECK(9, r == -ERANGE);
  r = chdir("zkabi-no-such-dir");
  CHECK(10, r == -ENOENT);
  return 0;
}
