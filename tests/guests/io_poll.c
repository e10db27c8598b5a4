/*
 * io_poll: readiness I/O. eventfd2 (counter, EFD_SEMAPHORE, EFD_NONBLOCK
 * EAGAIN, EINVAL for short buffers and 2^64-1), epoll (level-triggered
 * rotation with maxevents 1, EPOLLONESHOT and EPOLL_CTL_MOD, EPOLLET until
 * drained, EEXIST/ENOENT/EINVAL/EPERM, POLLHUP of a pipe whose writer
 * closed), a thread blocked in epoll_wait woken by another thread's eventfd
 * write, ppoll and pselect6 (ready, timeout, remaining time), a periodic
 * timerfd read through epoll, and a blocked pipe read interrupted by a
 * signal: restarted under SA_RESTART, EINTR without it.
 * Expected: exit 0, the lines below (compared with qemu-riscv64).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

static int efd_wake;
static int ep_shared;
static volatile int worker_events;
static volatile uint64_t worker_value;

static void *epoll_worker(void *arg) {
  (void)arg;
  struct epoll_event ev;
  int n = epoll_wait(ep_shared, &ev, 1, -1);
  uint64_t v = 0;
  if (n == 1) read(efd_wake, &v, 8);
  worker_events = n;
  worker_value = v;
  return NULL;
}

static int pipe_fds[2];
static volatile int handled;
static pid_t reader_tid;
static void on_usr1(int sig) {
  (void)sig;
  handled++;
}

static void *reader(void *arg) {
  long *result = arg;
  reader_tid = gettid();
  char buf[16];
  long r = read(pipe_fds[0], buf, sizeof buf);
  result[0] = r;
  result[1] = r < 0 ? errno : 0;
  return NULL;
}

static void restart_case(int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = flags;
  sigaction(SIGUSR1, &sa, NULL);
  if (pipe(pipe_fds) != 0) return;
  handled = 0;
  reader_tid = 0;
  long result[2] = {0, 0};
  pthread_t th;
  pthread_create(&th, NULL, reader, result);
  while (!reader_tid) sleep_ms(1);
  sleep_ms(50); /* let the reader block in read */
  syscall(SYS_tgkill, getpid(), reader_tid, SIGUSR1);
  sleep_ms(50);
  write(pipe_fds[1], "hello", 5);
  pthread_join(th, NULL);
  printf("%s: handled=%d read=%ld errno=%s\n", flags ? "SA_RESTART" : "no SA_RESTART", handled,
         result[0], result[1] == EINTR ? "EINTR" : result[1] ? "other" : "0");
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

int main(void) {
  /* eventfd */
  int efd = eventfd(3, EFD_NONBLOCK);
  uint64_t v = 0;
  long r = read(efd, &v, 8);
  printf("eventfd read: r=%ld v=%llu\n", r, (unsigned long long)v);
  r = read(efd, &v, 8);
  printf("eventfd empty: r=%ld eagain=%d\n", r, errno == EAGAIN);
  uint32_t small = 0;
  r = read(efd, &small, 4);
  printf("eventfd short read: r=%ld einval=%d\n", r, errno == EINVAL);
  v = ~0ULL;
  r = write(efd, &v, 8);
  printf("eventfd write max: r=%ld einval=%d\n", r, errno == EINVAL);
  v = 0xfffffffffffffffeULL;
  r = write(efd, &v, 8);
  v = 1;
  long r2 = write(efd, &v, 8);
  printf("eventfd overflow: r=%ld then r=%ld eagain=%d\n", r, r2, errno == EAGAIN);
  close(efd);
  int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  read(sem, &v, 8);
  uint64_t v2 = 0;
  read(sem, &v2, 8);
  r = read(sem, &v, 8);
  printf("semaphore: %llu %llu then r=%ld\n", (unsigned long long)v, (unsigned long long)v2, r);
  close(sem);
  r = eventfd(0, 0x80);
  printf("eventfd bad flags: r=%ld einval=%d\n", r, errno == EINVAL);

  /* epoll, level-triggered rotation */
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int a = eventfd(1, EFD_NONBLOCK), b = eventfd(1, EFD_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0xa};
  epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev);
  ev.data.u64 = 0xb;
  epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev);
  struct epoll_event out[4];
  printf("lt rotation:");
  for (int i = 0; i < 4; i++) {
    int n = epoll_wait(ep, out, 1, 0);
    printf(" %d:%llx", n, (unsigned long long)out[0].data.u64);
  }
  printf("\n");
  int n = epoll_wait(ep, out, 4, 0);
  printf("both ready: n=%d events=%#x\n", n, out[0].events);
  r = epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev);
  printf("add twice: r=%ld eexist=%d\n", r, errno == EEXIST);
  r = epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL);
  r2 = epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL);
  printf("del: r=%ld then r=%ld enoent=%d\n", r, r2, errno == ENOENT);
  r = epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev);
  printf("add self: r=%ld einval=%d\n", r, errno == EINVAL);
  r = epoll_ctl(a, EPOLL_CTL_ADD, b, &ev);
  printf("not epoll: r=%ld einval=%d\n", r, errno == EINVAL);
  int regular = open("/proc/self/exe", O_RDONLY);
  r = epoll_ctl(ep, EPOLL_CTL_ADD, regular, &ev);
  printf("regular file: r=%ld eperm=%d\n", r, errno == EPERM);
  close(regular);
  epoll_ctl(ep, EPOLL_CTL_DEL, b, NULL);

  /* oneshot */
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.u64 = 0xa;
  epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev);
  int n1 = epoll_wait(ep, out, 4, 0);
  int n2 = epoll_wait(ep, out, 4, 0);
  epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev);
  int n3 = epoll_wait(ep, out, 4, 0);
  printf("oneshot: %d %d after mod %d\n", n1, n2, n3);
  epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL);

  /* edge-triggered on a pipe */
  int p[2];
  pipe2(p, O_NONBLOCK);
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = 0x99;
  epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
  n1 = epoll_wait(ep, out, 4, 0);
  write(p[1], "xy", 2);
  n2 = epoll_wait(ep, out, 4, 0);
  n3 = epoll_wait(ep, out, 4, 0);
  char buf[8];
  while (read(p[0], buf, sizeof buf) > 0) {
  }
  int n4 = epoll_wait(ep, out, 4, 0);
  write(p[1], "z", 1);
  int n5 = epoll_wait(ep, out, 4, 0);
  printf("edge: empty=%d written=%d again=%d drained=%d refilled=%d\n", n1, n2, n3, n4, n5);
  close(p[1]);
  ev.events = EPOLLIN;
  epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
  n = epoll_wait(ep, out, 4, 0);
  read(p[0], buf, sizeof buf);
  n = epoll_wait(ep, out, 4, 0);
  printf("writer closed: n=%d events=%#x (EPOLLHUP=%#x)\n", n, out[0].events, EPOLLHUP);
  close(p[0]);

  /* timeout */
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  n = epoll_wait(ep, out, 4, 20);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  printf("epoll timeout: n=%d waited>=20ms=%d\n", n, ms >= 20);
  r = epoll_wait(ep, out, 0, 0);
  printf("maxevents 0: r=%ld einval=%d\n", r, errno == EINVAL);

  /* cross-thread wake-up */
  efd_wake = eventfd(0, 0);
  ep_shared = ep;
  ev.events = EPOLLIN;
  ev.data.u64 = 7;
  epoll_ctl(ep, EPOLL_CTL_ADD, efd_wake, &ev);
  pthread_t th;
  pthread_create(&th, NULL, epoll_worker, NULL);
  sleep_ms(30);
  v = 42;
  write(efd_wake, &v, 8);
  pthread_join(th, NULL);
  printf("thread woken: events=%d value=%llu\n", worker_events, (unsigned long long)worker_value);

  /* ppoll / pselect6 */
  int q[2];
  pipe(q);
  struct pollfd pfd[3] = {{q[0], POLLIN, 0}, {q[1], POLLOUT, 0}, {99, POLLIN, 0}};
  n = poll(pfd, 3, 0);
  printf("poll: n=%d revents=%#x %#x %#x\n", n, pfd[0].revents, pfd[1].revents, pfd[2].revents);
  struct timespec pts = {0, 30000000};
  n = ppoll(pfd, 1, &pts, NULL);
  printf("ppoll timeout: n=%d left=%ld.%09ld\n", n, (long)pts.tv_sec, pts.tv_nsec);
  write(q[1], "a", 1);
  fd_set rd, wr;
  FD_ZERO(&rd);
  FD_ZERO(&wr);
  FD_SET(q[0], &rd);
  FD_SET(q[1], &wr);
  struct timespec sts = {1, 0};
  n = pselect(q[1] + 1, &rd, &wr, NULL, &sts, NULL);
  printf("pselect: n=%d rd=%d wr=%d\n", n, FD_ISSET(q[0], &rd), FD_ISSET(q[1], &wr));
  FD_ZERO(&rd);
  FD_SET(55, &rd);
  n = pselect(56, &rd, NULL, NULL, &sts, NULL);
  printf("pselect bad fd: n=%d ebadf=%d\n", n, errno == EBADF);

  /* timerfd */
  int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
  struct itimerspec its = {{0, 10000000}, {0, 10000000}};
  timerfd_settime(tfd, 0, &its, NULL);
  ev.events = EPOLLIN;
  ev.data.u64 = 0x7;
  epoll_ctl(ep, EPOLL_CTL_DEL, efd_wake, NULL);
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  n = epoll_wait(ep, out, 4, -1);
  uint64_t ticks = 0;
  read(tfd, &ticks, 8);
  printf("timerfd: n=%d ticks>=1=%d\n", n, ticks >= 1);
  struct itimerspec cur;
  timerfd_gettime(tfd, &cur);
  printf("timerfd interval: %ld.%09ld\n", (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);

  restart_case(SA_RESTART);
  restart_case(0);
  return 0;
}
