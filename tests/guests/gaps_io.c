/*
 * In-kernel copies and signal descriptors: splice between a pipe and a
 * file or socket, tee, copy_file_range, sendfile to a socket; sigqueue
 * (rt_sigqueueinfo) with a value reaching an SA_SIGINFO handler,
 * rt_tgsigqueueinfo to a thread, and signalfd reading queued signals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *err(long r) { return r < 0 ? strerror(errno) : "ok"; }

static void copies(void) {
  char path[64], path2[64];
  snprintf(path, sizeof path, "/tmp/zkabi-gaps-%d", (int)getpid());
  snprintf(path2, sizeof path2, "/tmp/zkabi-gaps2-%d", (int)getpid());
  int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  write(f, "0123456789abcdefghij", 20);
  int p[2], q[2];
  pipe(p);
  pipe(q);
  loff_t off = 5;
  ssize_t n = splice(f, &off, p[1], NULL, 8, 0);
  printf("splice file->pipe: %zd, offset now %lld, file position %lld\n", n, (long long)off,
         (long long)lseek(f, 0, SEEK_CUR));
  n = tee(p[0], q[1], 100, 0);
  printf("tee: %zd\n", n);
  char buf[32];
  n = read(q[0], buf, sizeof buf);
  printf("read the tee copy: '%.*s'\n", (int)n, buf);
  int g = open(path2, O_RDWR | O_CREAT | O_TRUNC, 0600);
  n = splice(p[0], NULL, g, NULL, 100, 0);
  printf("splice pipe->file: %zd, pipe now empty: %zd %s\n", n,
         splice(p[0], NULL, g, NULL, 100, SPLICE_F_NONBLOCK), err(-1));
  pread(g, buf, 8, 0);
  printf("file got '%.8s'\n", buf);
  printf("splice file->file: %s\n", err(splice(f, NULL, g, NULL, 4, 0)));
  printf("splice with an offset for the pipe: %s\n", err(splice(p[0], &off, g, NULL, 4, 0)));
  printf("tee of one pipe to itself: %s\n", err(tee(p[0], p[1], 4, 0)));
  loff_t in = 10, out = 0;
  n = copy_file_range(f, &in, g, &out, 6, 0);
  pread(g, buf, 8, 0);
  printf("copy_file_range: %zd in=%lld out=%lld '%.8s'\n", n, (long long)in, (long long)out, buf);
  printf("copy_file_range bad flags: %s\n", err(copy_file_range(f, &in, g, &out, 6, 1)));
  printf("copy_file_range from a pipe: %s\n", err(copy_file_range(p[0], NULL, g, NULL, 6, 0)));
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  off_t so = 2;
  n = sendfile(sv[0], f, &so, 5);
  n = recv(sv[1], buf, sizeof buf, 0);
  printf("sendfile to a socket: '%.*s' offset %lld\n", (int)n, buf, (long long)so);
  write(sv[0], "socket->pipe", 12);
  n = splice(sv[1], NULL, p[1], NULL, 64, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  n = read(p[0], buf, sizeof buf);
  printf("splice socket->pipe: '%.*s'\n", (int)n, buf);
  write(p[1], "pipe->socket", 12);
  n = splice(p[0], NULL, sv[0], NULL, 64, 0);
  n = recv(sv[1], buf, sizeof buf, 0);
  printf("splice pipe->socket: '%.*s'\n", (int)n, buf);
  close(p[1]);
  printf("splice from a pipe without writers: %zd\n", splice(p[0], NULL, g, NULL, 10, 0));
  close(sv[0]);
  close(sv[1]);
  close(p[0]);
  close(q[0]);
  close(q[1]);
  close(f);
  close(g);
  unlink(path);
  unlink(path2);
}

static volatile int got_sig, got_val, got_code;
static void on_sig(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  got_sig = sig;
  got_val = si->si_value.sival_int;
  got_code = si->si_code;
}

static void queued(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sig;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGRTMIN + 1, &sa, NULL);
  union sigval v = {.sival_int = 42};
  int r = sigqueue(getpid(), SIGRTMIN + 1, v);
  printf("sigqueue: %s, handler saw signal +%d value %d code SI_QUEUE %d\n", err(r),
         got_sig - SIGRTMIN, got_val, got_code == SI_QUEUE);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  si.si_code = SI_QUEUE;
  si.si_value.sival_int = 7;
  si.si_pid = getpid();
  got_sig = 0;
  r = syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGRTMIN + 1, &si);
  printf("rt_tgsigqueueinfo: %s value %d\n", err(r), got_val);
  printf("to a missing thread: %s\n", err(syscall(SYS_rt_tgsigqueueinfo, getpid(), 99999, SIGRTMIN + 1, &si)));

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  printf("signalfd: %s cloexec %d\n", err(sfd), fcntl(sfd, F_GETFD));
  struct signalfd_siginfo ssi[2];
  ssize_t n = read(sfd, ssi, sizeof ssi);
  printf("empty read: %zd %s\n", n, err(n));
  struct pollfd p = {sfd, POLLIN, 0};
  printf("poll before: %d\n", poll(&p, 1, 0));
  kill(getpid(), SIGUSR2);
  v.sival_int = 99;
  sigqueue(getpid(), SIGUSR1, v);
  printf("poll after: %d revents %d\n", poll(&p, 1, 0), p.revents);
  n = read(sfd, ssi, sizeof ssi);
  printf("read %zd bytes: signo %u (code SI_QUEUE %d, int %d) then %u (pid ours %d)\n", n,
         ssi[0].ssi_signo, ssi[0].ssi_code == SI_QUEUE, ssi[0].ssi_int, ssi[1].ssi_signo,
         ssi[1].ssi_pid == (unsigned)getpid());
  printf("short buffer: %s\n", err(read(sfd, ssi, 100)));
  sigdelset(&set, SIGUSR2);
  printf("change mask: %d\n", signalfd(sfd, &set, 0) == sfd);
  printf("bad flags: %s\n", err(signalfd(-1, &set, 1)));
  close(sfd);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  copies();
  queued();
  return 0;
}
