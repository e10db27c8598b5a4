/*
 * uname: uname(2) (struct new_utsname, six 65-byte fields) and print the
 * fields. sysname must be "Linux" and machine "riscv64"; release is checked
 * to start with a digit (glibc parses it); the other fields are printed as is.
 * Syscall: uname (160)
 * Args: none.
 * Expected exit status: 0 (1..4 = the numbered CHECK that failed)
 * Expected stdout (nodename/release/version depend on the host):
 *   "sysname=Linux\nnodename=...\nrelease=...\nversion=...\nmachine=riscv64\n"
 */
#include "sys.h"

static void field(const char *name, const char *value) {
  zk_puts(name);
  zk_puts("=");
  zk_puts(value);
  zk_puts("\n");
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  struct zk_utsname u;
  memset(&u, 0x7f, sizeof u);
  CHECK(1, sizeof u == 390);
  r = zk_sys1(SYS_uname, L(&u));
  CHECK(2, r == 0);
  /* Every field is NUL-terminated inside its 65 bytes. */
  const char *fields[6] = {u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname};
  for (int i = 0; i < 6; i++) {
    int terminated = 0;
    for (int j = 0; j < 65; j++) terminated |= fields[i][j] == 0;
    r = i;
    CHECK(3, terminated);
  }
  CHECK(4, zk_streq(u.sysname, "Linux") && zk_streq(u.machine, "riscv64") &&
               u.release[0] >= '0' && u.release[0] <= '9');
  field("sysname", u.sysname);
  field("nodename", u.nodename);
  field("release", u.release);
  field("version", u.version);
  field("machine", u.machine);
  return 0;
}
