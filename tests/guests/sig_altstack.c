/*
 * sig_altstack: sigaltstack(2) and SA_ONSTACK. Checks the initial state
 * (SS_DISABLE), ENOMEM for a stack below MINSIGSTKSZ, EINVAL for bad flags,
 * that an SA_ONSTACK handler runs inside the alternate stack and sees
 * SS_ONSTACK, that changing the stack from it is EPERM, that a handler
 * without SA_ONSTACK stays on the normal stack, that a nested signal raised
 * inside an on-stack handler stays on the alternate stack, and SS_DISABLE.
 * Expected: exit 0, the lines below (compared with qemu-riscv64).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char altstack[65536] __attribute__((aligned(16)));
static volatile int on_alt, flags_seen, eperm, nested_on_alt, depth;

static int in_alt(void *p) {
  return (char *)p >= altstack && (char *)p < altstack + sizeof altstack;
}

static void handler(int sig) {
  char local;
  stack_t cur;
  depth++;
  if (sig == SIGUSR1) {
    on_alt = in_alt(&local);
    sigaltstack(NULL, &cur);
    flags_seen = cur.ss_flags;
    stack_t other = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
    raise(SIGUSR2); /* nested: already on the alternate stack */
  } else {
    nested_on_alt = in_alt(&local);
  }
  depth--;
}

static volatile int plain_on_alt = -1;
static void plain(int sig) {
  char local;
  (void)sig;
  plain_on_alt = in_alt(&local);
}

int main(void) {
  stack_t st;
  if (sigaltstack(NULL, &st) != 0) return 2;
  printf("initial: flags=%d (SS_DISABLE=%d) size=%zu\n", st.ss_flags, SS_DISABLE, st.ss_size);

  stack_t small = {.ss_sp = altstack, .ss_size = 1024, .ss_flags = 0};
  int r = sigaltstack(&small, NULL);
  printf("too small: r=%d enomem=%d\n", r, errno == ENOMEM);
  stack_t bad = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 4};
  r = sigaltstack(&bad, NULL);
  printf("bad flags: r=%d einval=%d\n", r, errno == EINVAL);

  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) return 2;
  sigaltstack(NULL, &st);
  printf("set: flags=%d size=%zu sp_ok=%d\n", st.ss_flags, st.ss_size, st.ss_sp == altstack);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR1);
  printf("onstack handler: on_alt=%d flags=%d (SS_ONSTACK=%d) eperm=%d nested_on_alt=%d\n", on_alt,
         flags_seen, SS_ONSTACK, eperm, nested_on_alt);

  sa.sa_handler = plain;
  sa.sa_flags = 0;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("plain handler: on_alt=%d\n", plain_on_alt);

  stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
  stack_t old;
  r = sigaltstack(&off, &old);
  sigaltstack(NULL, &st);
  printf("disable: r=%d old_flags=%d now_flags=%d now_size=%zu\n", r, old.ss_flags, st.ss_flags,
         st.ss_size);
  return 0;
}
