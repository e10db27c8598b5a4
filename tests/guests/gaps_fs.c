/*
 * Filesystem gaps: O_TMPFILE files named later through linkat of
 * /proc/self/fd/N, and inotify on a directory and a file (create, open,
 * modify, access, attrib, close, move with cookies, delete, delete_self,
 * ignored, oneshot, rm_watch, merging of equal events, EINVAL for a short
 * buffer). Paths carry the pid; nothing printed depends on it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *err(long r) { return r < 0 ? strerror(errno) : "ok"; }

static const char *names(uint32_t m) {
  static char buf[256];
  buf[0] = 0;
  static const struct { uint32_t bit; const char *name; } t[] = {
      {IN_ACCESS, "ACCESS"}, {IN_MODIFY, "MODIFY"}, {IN_ATTRIB, "ATTRIB"},
      {IN_CLOSE_WRITE, "CLOSE_WRITE"}, {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"}, {IN_OPEN, "OPEN"},
      {IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"}, {IN_CREATE, "CREATE"},
      {IN_DELETE, "DELETE"}, {IN_DELETE_SELF, "DELETE_SELF"}, {IN_MOVE_SELF, "MOVE_SELF"},
      {IN_IGNORED, "IGNORED"}, {IN_ISDIR, "ISDIR"}, {IN_Q_OVERFLOW, "Q_OVERFLOW"}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    if (m & t[i].bit) {
      if (buf[0]) strcat(buf, "|");
      strcat(buf, t[i].name);
    }
  }
  return buf;
}

static uint32_t last_cookie;
static void drain(int fd, const char *what, int dwd, int fwd) {
  char buf[4096] __attribute__((aligned(8)));
  printf("%s:\n", what);
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    for (char *p = buf; p < buf + n;) {
      struct inotify_event *e = (struct inotify_event *)p;
      const char *who = e->wd == dwd ? "dir" : e->wd == fwd ? "file" : "?";
      int cookie_pair = e->cookie != 0 && e->cookie == last_cookie;
      if (e->cookie) last_cookie = e->cookie;
      printf("  %s %s%s%s%s\n", who, names(e->mask), e->len ? " " : "", e->len ? e->name : "",
             cookie_pair ? " (same cookie)" : "");
      p += sizeof *e + e->len;
    }
  }
}

static void shared_maps(const char *dir) {
  char path[96];
  snprintf(path, sizeof path, "%s/mapped", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  write(fd, "hello world", 11);
  char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  char *m2 = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  memcpy(m, "HELLO", 5);
  printf("msync: %s\n", err(msync(m, 4096, MS_SYNC)));
  char buf[32];
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  printf("file after store+msync: '%.*s', second mapping '%.11s'\n", (int)n, buf, m2);
  m[6] = 'W';
  n = pread(fd, buf, sizeof buf, 0);
  printf("read(2) sees a store without msync: '%.*s'\n", (int)n, buf);
  pwrite(fd, "xyz", 3, 8);
  printf("mapping sees write(2): '%.11s'\n", m);
  memcpy(p, "private", 7);
  m[20] = '!'; /* past the end of the file: never written back */
  munmap(m, 4096);
  struct stat st;
  fstat(fd, &st);
  n = pread(fd, buf, sizeof buf, 0);
  printf("after munmap: '%.*s' size %lld, private copy '%.11s'\n", (int)n, buf,
         (long long)st.st_size, p);
  munmap(m2, 4096);
  munmap(p, 4096);
  close(fd);
  unlink(path);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  char dir[64], path[96], path2[96], named[96];
  snprintf(dir, sizeof dir, "/tmp/zkabi-fs-%d", (int)getpid());
  snprintf(path, sizeof path, "%s/a", dir);
  snprintf(path2, sizeof path2, "%s/b", dir);
  snprintf(named, sizeof named, "%s/tmpfile", dir);
  mkdir(dir, 0700);

  int t = open(dir, O_TMPFILE | O_RDWR, 0600);
  printf("O_TMPFILE: %s\n", err(t));
  write(t, "anonymous", 9);
  struct stat st;
  fstat(t, &st);
  printf("unnamed: regular %d, nlink %lu, size %lld\n", S_ISREG(st.st_mode),
         (unsigned long)st.st_nlink, (long long)st.st_size);
  printf("O_TMPFILE read-only: %s\n", err(open(dir, O_TMPFILE | O_RDONLY, 0600)));
  printf("O_TMPFILE on a file: %s\n", err(open("/proc/self/exe", O_TMPFILE | O_RDWR, 0600)));
  char fdpath[64];
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", t);
  int r = linkat(AT_FDCWD, fdpath, AT_FDCWD, named, AT_SYMLINK_FOLLOW);
  printf("linkat names it: %s\n", err(r));
  fstat(t, &st);
  printf("now nlink %lu\n", (unsigned long)st.st_nlink);
  char buf[32];
  int rd = open(named, O_RDONLY);
  ssize_t n = read(rd, buf, sizeof buf);
  printf("read by name: '%.*s'\n", (int)n, buf);
  close(rd);
  close(t);
  unlink(named);

  int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  printf("inotify_init1: %s cloexec %d\n", err(in), fcntl(in, F_GETFD));
  int dwd = inotify_add_watch(in, dir, IN_ALL_EVENTS);
  printf("watch dir: wd %d\n", dwd);
  printf("empty read: %s\n", err(read(in, buf, sizeof buf)));
  int f = open(path, O_WRONLY | O_CREAT, 0600);
  write(f, "x", 1);
  write(f, "y", 1);
  close(f);
  drain(in, "create, write twice, close", dwd, -1);
  int fwd = inotify_add_watch(in, path, IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
  printf("watch file: wd %d, again same wd %d\n", fwd,
         inotify_add_watch(in, path, IN_MODIFY | IN_MASK_ADD) == fwd);
  printf("IN_MASK_CREATE on a watched file: %s\n",
         err(inotify_add_watch(in, path, IN_MODIFY | IN_MASK_CREATE)));
  chmod(path, 0644);
  f = open(path, O_RDONLY);
  n = read(f, buf, sizeof buf);
  close(f);
  drain(in, "chmod, open, read, close", dwd, fwd);
  struct pollfd p = {in, POLLIN, 0};
  rename(path, path2);
  printf("poll after rename: %d\n", poll(&p, 1, 0));
  printf("short buffer: %s\n", err(read(in, buf, 8)));
  drain(in, "rename a to b", dwd, fwd);
  unlink(path2);
  drain(in, "unlink b", dwd, fwd);
  int sub = inotify_add_watch(in, dir, IN_CREATE | IN_ONESHOT);
  printf("replace the dir watch (same wd %d)\n", sub == dwd);
  mkdir(path, 0700);
  mkdir(path2, 0700);
  drain(in, "oneshot create of two directories", dwd, fwd);
  rmdir(path);
  rmdir(path2);
  int w2 = inotify_add_watch(in, dir, IN_DELETE_SELF);
  printf("rm_watch: %s, again: %s\n", err(inotify_rm_watch(in, w2)), err(inotify_rm_watch(in, w2)));
  drain(in, "rm_watch", w2, -1);
  printf("watch a missing path: %s\n", err(inotify_add_watch(in, "/tmp/zkabi-none/x", IN_MODIFY)));
  printf("IN_ONLYDIR on a file: %s\n", err(inotify_add_watch(in, "/proc/self/exe", IN_MODIFY | IN_ONLYDIR)));
  printf("no events: %s\n", err(inotify_add_watch(in, dir, 0)));
  close(in);
  shared_maps(dir);
  rmdir(dir);
  return 0;
}
