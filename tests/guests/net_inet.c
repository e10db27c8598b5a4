/*
 * AF_INET and AF_INET6 on loopback: TCP listen/connect/accept with blocking
 * and non-blocking connects, refused connections, addresses from
 * getsockname/getpeername, EADDRINUSE, dual-stack AF_INET6 listeners, TCP
 * options, UDP datagrams with source addresses, connected UDP to a port
 * nobody has (ECONNREFUSED), epoll, and a server thread. Ports come from
 * the kernel (bind to port 0); nothing printed depends on their values.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *err(int r) { return r < 0 ? strerror(errno) : "ok"; }

static int listener4(struct sockaddr_in *a) {
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(l, (struct sockaddr *)a, sizeof *a);
  socklen_t len = sizeof *a;
  getsockname(l, (struct sockaddr *)a, &len);
  listen(l, 16);
  return l;
}

static void tcp4(void) {
  struct sockaddr_in a;
  int l = listener4(&a);
  printf("listener port assigned: %d\n", ntohs(a.sin_port) != 0);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  int r = connect(c, (struct sockaddr *)&a, sizeof a);
  printf("blocking connect: %s\n", err(r));
  struct sockaddr_in peer, local;
  socklen_t plen = sizeof peer;
  int s = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
  socklen_t llen = sizeof local;
  getsockname(c, (struct sockaddr *)&local, &llen);
  printf("accept4: %s, peer = client's name %d, len %u, 127.0.0.1 %d\n", err(s),
         peer.sin_port == local.sin_port && peer.sin_addr.s_addr == local.sin_addr.s_addr, plen,
         peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  struct sockaddr_in pn;
  socklen_t pnl = sizeof pn;
  getpeername(c, (struct sockaddr *)&pn, &pnl);
  printf("getpeername = listener: %d\n", pn.sin_port == a.sin_port);
  char buf[64];
  send(c, "GET / HTTP/1.0\r\n\r\n", 18, MSG_NOSIGNAL);
  ssize_t n = recv(s, buf, sizeof buf, 0);
  printf("server got %zd bytes\n", n);
  send(s, "HTTP/1.0 200 OK\r\n\r\nhi", 21, 0);
  shutdown(s, SHUT_WR);
  n = recv(c, buf, sizeof buf, MSG_WAITALL);
  printf("client got %zd bytes then EOF: %zd\n", n, recv(c, buf, sizeof buf, 0));
  int v = 0;
  socklen_t vl = sizeof v;
  int one = 1;
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl);
  printf("TCP_NODELAY: %d\n", v != 0);
  setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  int idle = 30;
  printf("TCP_KEEPIDLE: %s\n", err(setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle)));
  vl = sizeof v;
  getsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, &vl);
  printf("SO_KEEPALIVE: %d\n", v != 0);
  vl = sizeof v;
  getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl);
  printf("SO_ERROR: %d\n", v);
  int bad = 12345;
  printf("unknown option: %s\n", err(setsockopt(c, SOL_SOCKET, 9999, &bad, sizeof bad)));
  close(s);
  close(c);
  int l2 = socket(AF_INET, SOCK_STREAM, 0);
  printf("bind a used port: %s\n", err(bind(l2, (struct sockaddr *)&a, sizeof a)));
  close(l2);
  close(l);
  c = socket(AF_INET, SOCK_STREAM, 0);
  printf("connect to a closed port: %s\n", err(connect(c, (struct sockaddr *)&a, sizeof a)));
  close(c);
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  r = connect(c, (struct sockaddr *)&a, sizeof a);
  printf("non-blocking connect to a closed port: %s\n", err(r));
  struct pollfd p = {c, POLLOUT, 0};
  poll(&p, 1, 1000);
  vl = sizeof v;
  getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl);
  printf("  then: err=%d hup=%d SO_ERROR=%s\n", !!(p.revents & POLLERR), !!(p.revents & POLLHUP),
         strerror(v));
  close(c);
}

static void nonblocking(void) {
  struct sockaddr_in a;
  int l = listener4(&a);
  int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int r = connect(c, (struct sockaddr *)&a, sizeof a);
  printf("non-blocking connect: %s\n", err(r));
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = c};
  epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
  struct epoll_event out[2];
  int n = epoll_wait(ep, out, 2, 1000);
  int v = -1;
  socklen_t vl = sizeof v;
  getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl);
  printf("epoll: n=%d out=%d, SO_ERROR=%d\n", n, n > 0 && (out[0].events & EPOLLOUT), v);
  r = connect(c, (struct sockaddr *)&a, sizeof a);
  printf("connect again: %s\n", err(r));
  int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
  char buf[8];
  ssize_t m = recv(s, buf, sizeof buf, 0);
  printf("empty non-blocking recv: %zd %s\n", m, err((int)m));
  close(l);
  int l3 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  bind(l3, (struct sockaddr *)&a, sizeof a);
  listen(l3, 1);
  m = accept(l3, NULL, NULL);
  printf("accept with nothing pending: %s\n", err((int)m));
  close(l3);
  write(s, "x", 1);
  n = epoll_wait(ep, out, 2, 1000);
  printf("data arrives: n=%d in=%d\n", n, n > 0 && !!(out[0].events & EPOLLIN));
  close(s);
  n = epoll_wait(ep, out, 2, 1000);
  printf("peer closes: n=%d rdhup=%d\n", n, n > 0 && !!(out[0].events & EPOLLRDHUP));
  close(c);
  close(ep);
}

static void tcp6(void) {
  int l = socket(AF_INET6, SOCK_STREAM, 0);
  int off = 0;
  setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  struct sockaddr_in6 a;
  memset(&a, 0, sizeof a);
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_any;
  printf("bind [::]:0: %s\n", err(bind(l, (struct sockaddr *)&a, sizeof a)));
  socklen_t len = sizeof a;
  getsockname(l, (struct sockaddr *)&a, &len);
  listen(l, 8);
  struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = a.sin6_port};
  a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int c4 = socket(AF_INET, SOCK_STREAM, 0);
  printf("IPv4 client to the dual-stack listener: %s\n", err(connect(c4, (struct sockaddr *)&a4, sizeof a4)));
  struct sockaddr_in6 peer;
  socklen_t plen = sizeof peer;
  int s = accept(l, (struct sockaddr *)&peer, &plen);
  char text[64];
  inet_ntop(AF_INET6, &peer.sin6_addr, text, sizeof text);
  printf("accepted %s from %s (len %u)\n", err(s), text, plen);
  close(s);
  close(c4);
  struct sockaddr_in6 a6 = a;
  a6.sin6_addr = in6addr_loopback;
  int c6 = socket(AF_INET6, SOCK_STREAM, 0);
  printf("IPv6 client to [::1]: %s\n", err(connect(c6, (struct sockaddr *)&a6, sizeof a6)));
  plen = sizeof peer;
  s = accept(l, (struct sockaddr *)&peer, &plen);
  inet_ntop(AF_INET6, &peer.sin6_addr, text, sizeof text);
  printf("accepted %s from %s\n", err(s), text);
  send(c6, "six", 3, 0);
  char buf[8];
  ssize_t n = recv(s, buf, sizeof buf, 0);
  printf("over IPv6: %zd '%.*s'\n", n, (int)n, buf);
  close(s);
  close(c6);
  close(l);
  int v6 = socket(AF_INET6, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  bind(v6, (struct sockaddr *)&lo, sizeof lo);
  int got = 0;
  socklen_t gl = sizeof got;
  getsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &got, &gl);
  printf("IPV6_V6ONLY: %d\n", got);
  close(v6);
}

static void udp(void) {
  int r = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(r, (struct sockaddr *)&a, sizeof a);
  socklen_t len = sizeof a;
  getsockname(r, (struct sockaddr *)&a, &len);
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  ssize_t n = sendto(s, "datagram", 8, 0, (struct sockaddr *)&a, sizeof a);
  sendto(s, "two", 3, 0, (struct sockaddr *)&a, sizeof a);
  struct sockaddr_in from, mine;
  socklen_t flen = sizeof from, mlen = sizeof mine;
  char buf[16];
  ssize_t m = recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
  getsockname(s, (struct sockaddr *)&mine, &mlen);
  printf("udp: sent %zd, got %zd '%.*s' from the sender's port %d\n", n, m, (int)m, buf,
         from.sin_port == mine.sin_port);
  m = recv(r, buf, 2, 0);
  ssize_t next = recv(r, buf, sizeof buf, MSG_DONTWAIT);
  printf("udp short read: %zd (rest dropped), next: %zd %s\n", m, next, err((int)next));
  close(r);
  int c = socket(AF_INET, SOCK_DGRAM, 0);
  printf("connect udp to the closed port: %s\n", err(connect(c, (struct sockaddr *)&a, sizeof a)));
  n = send(c, "q", 1, 0);
  printf("send: %zd\n", n);
  struct pollfd p = {c, POLLIN, 0};
  poll(&p, 1, 100);
  m = recv(c, buf, sizeof buf, MSG_DONTWAIT);
  printf("then recv: %zd %s (poll err=%d)\n", m, err((int)m), !!(p.revents & POLLERR));
  close(c);
  close(s);
}

static int srv;
static void *server(void *arg) {
  (void)arg;
  for (int i = 0; i < 2; i++) {
    int s = accept(srv, NULL, NULL);
    char buf[32];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    for (ssize_t j = 0; j < n; j++) buf[j] ^= 0x20;
    send(s, buf, n, 0);
    close(s);
  }
  return NULL;
}

static void threaded(void) {
  struct sockaddr_in a;
  srv = listener4(&a);
  pthread_t th;
  pthread_create(&th, NULL, server, NULL);
  for (int i = 0; i < 2; i++) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof a);
    send(c, i ? "second" : "first", i ? 6 : 5, 0);
    char buf[32];
    ssize_t n = recv(c, buf, sizeof buf, 0);
    printf("echo from the server thread: '%.*s'\n", (int)n, buf);
    close(c);
  }
  pthread_join(th, NULL);
  close(srv);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IONBF, 0);
  tcp4();
  nonblocking();
  tcp6();
  udp();
  threaded();
  struct sockaddr_in a = {.sin_family = AF_INET};
  int s = socket(AF_INET, SOCK_STREAM, 0);
  a.sin_addr.s_addr = htonl(0x7f000001);
  int r = bind(s, (struct sockaddr *)&a, 8);
  printf("short sockaddr: %s\n", err(r));
  printf("SOCK_SEQPACKET on AF_INET: %s\n", err(socket(AF_INET, SOCK_SEQPACKET, 0)));
  printf("protocol mismatch: %s\n", err(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)));
  return 0;
}
