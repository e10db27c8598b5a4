/*
 * AF_UNIX sockets: socketpair (stream, seqpacket, datagram), shutdown and
 * end of file, EPIPE, filesystem and abstract names, autobind, accept,
 * SCM_RIGHTS descriptor passing, socket options, poll and edge-triggered
 * epoll, and a blocking accept/recv woken by another thread. Names carry
 * the pid so runs on a shared host do not collide; nothing printed depends
 * on the pid or the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <stddef.h>
#include <unistd.h>

static const char *err(int r) { return r < 0 ? strerror(errno) : "ok"; }

static void pair_stream(void) {
  int sv[2];
  int r = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
  printf("socketpair stream: %d cloexec=%d\n", r, fcntl(sv[0], F_GETFD) & FD_CLOEXEC);
  char buf[64];
  write(sv[0], "hello", 5);
  write(sv[0], " world", 6);
  ssize_t n = read(sv[1], buf, sizeof buf);
  printf("stream read joins writes: %zd '%.*s'\n", n, (int)n, buf);
  n = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
  printf("empty recv: %zd %s\n", n, err((int)n));
  shutdown(sv[0], SHUT_WR);
  n = read(sv[1], buf, sizeof buf);
  printf("after SHUT_WR: read %zd\n", n);
  struct pollfd p = {sv[1], POLLIN | POLLOUT | POLLRDHUP, 0};
  poll(&p, 1, 0);
  printf("poll after peer SHUT_WR: in=%d out=%d rdhup=%d hup=%d\n", !!(p.revents & POLLIN),
         !!(p.revents & POLLOUT), !!(p.revents & POLLRDHUP), !!(p.revents & POLLHUP));
  n = write(sv[0], "x", 1);
  printf("write after own SHUT_WR: %zd %s\n", n, err((int)n));
  close(sv[0]);
  p.revents = 0;
  poll(&p, 1, 0);
  printf("poll after peer close: in=%d hup=%d\n", !!(p.revents & POLLIN), !!(p.revents & POLLHUP));
  n = send(sv[1], "y", 1, MSG_NOSIGNAL);
  printf("send to closed peer: %zd %s\n", n, err((int)n));
  close(sv[1]);
}

static void pair_seqpacket(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
  send(sv[0], "abc", 3, 0);
  send(sv[0], "defgh", 5, 0);
  char buf[16];
  ssize_t n = recv(sv[1], buf, sizeof buf, 0);
  printf("seqpacket keeps boundaries: %zd '%.*s'\n", n, (int)n, buf);
  struct iovec iov = {buf, 2};
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  n = recvmsg(sv[1], &m, 0);
  printf("seqpacket short buffer: %zd '%.*s' trunc=%d\n", n, (int)n, buf, !!(m.msg_flags & MSG_TRUNC));
  close(sv[0]);
  n = recv(sv[1], buf, sizeof buf, 0);
  printf("seqpacket after close: %zd\n", n);
  close(sv[1]);
}

static void pair_dgram(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  send(sv[0], "one", 3, 0);
  send(sv[0], "three", 5, 0);
  char buf[16];
  ssize_t a = recv(sv[1], buf, sizeof buf, 0);
  ssize_t b = recv(sv[1], buf, 2, MSG_TRUNC);
  printf("dgram: %zd then %zd (MSG_TRUNC gives the real length)\n", a, b);
  int type = 0;
  socklen_t len = sizeof type;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
  printf("SO_TYPE dgram: %d len %u\n", type, len);
  close(sv[0]);
  close(sv[1]);
}

static void named(void) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/zkabi-unix-%d.sock", (int)getpid());
  unlink(path);
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strcpy(a.sun_path, path);
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  int r = bind(l, (struct sockaddr *)&a, sizeof a);
  printf("bind path: %s\n", err(r));
  struct stat st;
  stat(path, &st);
  printf("the path is a socket: %d\n", S_ISSOCK(st.st_mode));
  int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
  r = bind(l2, (struct sockaddr *)&a, sizeof a);
  printf("bind again: %s\n", err(r));
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  r = connect(c, (struct sockaddr *)&a, sizeof a);
  printf("connect before listen: %s\n", err(r));
  listen(l, 4);
  int acc = 0;
  socklen_t alen = sizeof acc;
  getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &acc, &alen);
  printf("SO_ACCEPTCONN: %d\n", acc);
  r = connect(c, (struct sockaddr *)&a, sizeof a);
  printf("connect: %s\n", err(r));
  struct sockaddr_un peer;
  socklen_t plen = sizeof peer;
  int s = accept(l, (struct sockaddr *)&peer, &plen);
  printf("accept: %s, client unnamed (len %u)\n", err(s), plen);
  plen = sizeof peer;
  getpeername(c, (struct sockaddr *)&peer, &plen);
  printf("getpeername is the path: %d (len ok %d)\n", strcmp(peer.sun_path, path) == 0,
         plen == offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
  struct ucred cr;
  socklen_t crl = sizeof cr;
  getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &crl);
  printf("SO_PEERCRED pid is ours: %d\n", cr.pid == getpid());
  send(c, "ping", 4, 0);
  char buf[8];
  ssize_t n = recv(s, buf, sizeof buf, 0);
  printf("over the named socket: %zd '%.*s'\n", n, (int)n, buf);
  int e = socket(AF_UNIX, SOCK_STREAM, 0);
  strcpy(a.sun_path, "/tmp/zkabi-no-such-socket");
  r = connect(e, (struct sockaddr *)&a, sizeof a);
  printf("connect to a missing path: %s\n", err(r));
  int fd = open(path, O_RDONLY);
  printf("open(2) of a socket: %s\n", err(fd));
  close(e);
  close(s);
  close(c);
  close(l);
  close(l2);
  printf("unlink: %s\n", err(unlink(path)));
}

static void abstract_and_autobind(void) {
  char name[64];
  int len = snprintf(name, sizeof name, "zkabi-abstract-%d", (int)getpid());
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  memcpy(a.sun_path + 1, name, len);
  socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 + len;
  int l = socket(AF_UNIX, SOCK_DGRAM, 0);
  printf("bind abstract dgram: %s\n", err(bind(l, (struct sockaddr *)&a, alen)));
  struct sockaddr_un got;
  socklen_t glen = sizeof got;
  getsockname(l, (struct sockaddr *)&got, &glen);
  printf("getsockname abstract: len matches %d, name matches %d\n", glen == alen,
         memcmp(got.sun_path, a.sun_path, 1 + len) == 0);
  int c = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un none = {.sun_family = AF_UNIX};
  int r = bind(c, (struct sockaddr *)&none, sizeof(sa_family_t));
  glen = sizeof got;
  getsockname(c, (struct sockaddr *)&got, &glen);
  printf("autobind: %s, len %u, abstract %d\n", err(r), glen, got.sun_path[0] == 0);
  sendto(c, "dg", 2, 0, (struct sockaddr *)&a, alen);
  char buf[8];
  struct sockaddr_un from;
  socklen_t flen = sizeof from;
  ssize_t n = recvfrom(l, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
  printf("recvfrom: %zd, from the autobound name %d\n", n,
         flen == glen && memcmp(from.sun_path, got.sun_path, glen - 2) == 0);
  close(c);
  close(l);
}

static void rights(void) {
  int sv[2], pfd[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pipe(pfd);
  write(pfd[1], "through", 7);
  char data = 'F';
  struct iovec iov = {&data, 1};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u;
  memset(&u, 0, sizeof u);
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = u.buf;
  m.msg_controllen = sizeof u.buf;
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &pfd[0], sizeof(int));
  ssize_t n = sendmsg(sv[0], &m, 0);
  close(pfd[0]);
  printf("sendmsg SCM_RIGHTS: %zd\n", n);
  char got = 0;
  iov.iov_base = &got;
  memset(&u, 0, sizeof u);
  m.msg_controllen = sizeof u.buf;
  n = recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC);
  c = CMSG_FIRSTHDR(&m);
  int fd = -1;
  if (c && c->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(c), sizeof fd);
  printf("recvmsg: %zd '%c' level=%d type=%d len=%zu cloexec=%d\n", n, got, c ? c->cmsg_level : -1,
         c ? c->cmsg_type : -1, c ? (size_t)c->cmsg_len : 0, fd >= 0 ? fcntl(fd, F_GETFD) : -1);
  char buf[16];
  n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
  printf("read through the passed pipe: %zd '%.*s'\n", n, n > 0 ? (int)n : 0, buf);
  close(fd);
  close(pfd[1]);
  close(sv[0]);
  close(sv[1]);
}

static void edge_epoll(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET | EPOLLRDHUP, .data.u32 = 7};
  epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
  struct epoll_event out[4];
  int n0 = epoll_wait(ep, out, 4, 0);
  write(sv[0], "a", 1);
  int n1 = epoll_wait(ep, out, 4, 0);
  int n2 = epoll_wait(ep, out, 4, 0);
  write(sv[0], "b", 1);
  int n3 = epoll_wait(ep, out, 4, 0);
  printf("EPOLLET on a socket: %d %d %d %d (new data re-arms the edge)\n", n0, n1, n2, n3);
  close(sv[0]);
  int n4 = epoll_wait(ep, out, 4, 0);
  printf("peer close: n=%d rdhup=%d hup=%d\n", n4, n4 > 0 && (out[0].events & EPOLLRDHUP),
         n4 > 0 && !!(out[0].events & EPOLLHUP));
  close(ep);
  close(sv[1]);
}

static int srv_fd;
static void *server(void *arg) {
  (void)arg;
  int s = accept(srv_fd, NULL, NULL);
  char buf[16];
  ssize_t n = recv(s, buf, sizeof buf, MSG_WAITALL);
  send(s, buf, n, 0);
  close(s);
  return NULL;
}

static void threaded(void) {
  char name[64];
  int len = snprintf(name, sizeof name, "zkabi-thr-%d", (int)getpid());
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  memcpy(a.sun_path + 1, name, len);
  socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 + len;
  srv_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  bind(srv_fd, (struct sockaddr *)&a, alen);
  listen(srv_fd, 1);
  pthread_t th;
  pthread_create(&th, NULL, server, NULL);
  usleep(1000);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(c, (struct sockaddr *)&a, alen);
  send(c, "12345678", 8, 0);
  usleep(1000);
  send(c, "abcdefgh", 8, 0);
  char buf[32];
  ssize_t n = recv(c, buf, sizeof buf, MSG_WAITALL);
  printf("blocking accept and MSG_WAITALL across threads: %zd '%.*s'\n", n, (int)n, buf);
  pthread_join(th, NULL);
  close(c);
  close(srv_fd);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IONBF, 0);
  pair_stream();
  pair_seqpacket();
  pair_dgram();
  named();
  abstract_and_autobind();
  rights();
  edge_epoll();
  threaded();
  int bad = socket(AF_UNIX, SOCK_RAW, 0);
  printf("AF_UNIX SOCK_RAW: %s\n", err(bad));
  int sv[2];
  printf("socketpair AF_INET: %s\n", err(socketpair(AF_INET, SOCK_STREAM, 0, sv)));
  struct sockaddr_un any;
  socklen_t anylen = sizeof any;
  printf("getsockname on a pipe: %s\n", err(getsockname(0, (struct sockaddr *)&any, &anylen)));
  return 0;
}
