/*
 * ids: getpid(2), getppid(2), gettid(2), getuid(2), geteuid(2), getgid(2),
 * getegid(2). A single-threaded process has tid == pid; all ids are stable
 * across calls; pid is positive. The values are printed.
 * Syscalls: getpid (172), getppid (173), gettid (178), getuid (174),
 *   geteuid (175), getgid (176), getegid (177)
 * Args: none.
 * Expected exit status: 0 (1..4 = the numbered CHECK that failed)
 * Expected stdout (values depend on the host):
 *   "pid=<n> ppid=<n> tid=pid\nuid=<n> euid=<n> gid=<n> egid=<n>\n"
 */
#include "sys.h"

static void kv(const char *k, long v) {
  zk_puts(k);
  zk_put_u64((u64)v);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  long pid = zk_sys0(SYS_getpid);
  long ppid = zk_sys0(SYS_getppid);
  long tid = zk_sys0(SYS_gettid);
  r = pid;
  CHECK(1, pid > 0 && ppid >= 0);
  r = tid;
  CHECK(2, tid == pid);
  CHECK(3, zk_sys0(SYS_getpid) == pid && zk_sys0(SYS_gettid) == tid);
  long uid = zk_sys0(SYS_getuid);
  long euid = zk_sys0(SYS_geteuid);
  long gid = zk_sys0(SYS_getgid);
  long egid = zk_sys0(SYS_getegid);
  r = uid;
  CHECK(4, uid >= 0 && euid >= 0 && gid >= 0 && egid >= 0);
  kv("pid=", pid);
  kv(" ppid=", ppid);
  zk_puts(" tid=pid\n");
  kv("uid=", uid);
  kv(" euid=", euid);
  kv(" gid=", gid);
  kv(" egid=", egid);
  zk_puts("\n");
  return 0;
}
