/*
 * Threads and time: clone, exit, futex, nanosleep, sched_yield and the
 * clocks (all on the retired-instruction clock, like zkabi's built-in kernel).
 */
#include "kernel.h"

void fp_sync(struct thread *t);
void fp_forget(struct thread *t);

#define REALTIME_EPOCH_NS (1704067200UL * 1000000000UL)
#define BOOT_OFFSET_NS 100000000000UL

static u64 next_tid;

static void wake_futex_word(u64 addr, u64 n, u32 bitset, i64 *woken);

/* ---- exit ---- */

static int live_threads(void) {
  int n = 0;
  for (int i = 0; i < thread_hw; i++)
    if (threads[i].state == T_RUN || threads[i].state == T_BLOCK) n++;
  return n;
}

i64 sys_exit(struct thread *t) {
  if (t->clear_child_tid) {
    *(u32 *)t->clear_child_tid = 0;
    i64 w = 0;
    wake_futex_word(t->clear_child_tid, 1, ~0U, &w);
  }
  t->state = T_FREE;
  if (live_threads() == 0) host_halt(A0 & 255, HALT_EXIT);
  return NO_RESULT;
}

i64 sys_exit_group(struct thread *t) {
  host_halt(A0 & 255, HALT_EXIT);
}

i64 sys_set_tid_address(struct thread *t) {
  t->clear_child_tid = A0;
  return (i64)t->tid;
}

/* ---- clone ---- */

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_CHILD_SETTID 0x1000000

i64 sys_clone(struct thread *t) {
  u64 flags = A0, sp = A1, ptid = A2, tls = A3, ctid = A4;
  u64 need = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
  /* Only threads: there is one address space and no fork. */
  if ((flags & need) != need) return -ENOSYS;
  struct thread *c = NULL;
  for (int i = 0; i < MAX_THREADS; i++) {
    if (threads[i].state == T_FREE && threads[i].tid == 0) {
      c = &threads[i];
      break;
    }
  }
  if (!c) {
    for (int i = 0; i < thread_hw; i++) {
      if (threads[i].state == T_FREE) {
        c = &threads[i];
        break;
      }
    }
  }
  if (c && c - threads >= thread_hw) thread_hw = (int)(c - threads) + 1;
  if (!c) return -EAGAIN;
  if (!next_tid) next_tid = pid + 1;
  fp_forget(c);
  fp_sync(t);
  memcpy(c, t, sizeof *c);
  c->tid = next_tid++;
  c->state = T_RUN;
  c->wait = W_NONE;
  c->pending = 0;
  c->has_deadline = 0;
  c->clear_child_tid = (flags & CLONE_CHILD_CLEARTID) ? ctid : 0;
  c->alt.sp = 0;
  c->alt.size = 0;
  c->alt.flags = 2; /* SS_DISABLE */
  c->x[10] = 0;
  if (sp) c->x[2] = sp;
  if (flags & CLONE_SETTLS) c->x[4] = tls;
  if (flags & CLONE_PARENT_SETTID) *(u32 *)ptid = (u32)c->tid;
  if (flags & CLONE_CHILD_SETTID) *(u32 *)ctid = (u32)c->tid;
  return (i64)c->tid;
}

/* ---- futex ---- */

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE 128
#define FUTEX_CLOCK_REALTIME 256

/* Wakes up to n waiters on addr whose bitset matches, oldest first. */
static void wake_futex_word(u64 addr, u64 n, u32 bitset, i64 *woken) {
  while ((u64)*woken < n) {
    struct thread *best = NULL;
    for (int i = 0; i < thread_hw; i++) {
      struct thread *w = &threads[i];
      if (w->state == T_BLOCK && w->wait == W_FUTEX && w->futex_addr == addr &&
          (w->futex_bitset & bitset) && (!best || w->wait_seq < best->wait_seq))
        best = w;
    }
    if (!best) return;
    wake_thread(best, 0);
    (*woken)++;
  }
}

static int ts_valid(const i64 *ts) {
  return ts[0] >= 0 && ts[1] >= 0 && ts[1] < 1000000000L;
}

i64 sys_futex(struct thread *t) {
  u64 addr = A0;
  u32 op = (u32)A1 & ~(u32)(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
  int realtime = (A1 & FUTEX_CLOCK_REALTIME) != 0;
  u32 val = (u32)A2;
  if (addr & 3) return -EINVAL;
  switch (op) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      u32 bitset = op == FUTEX_WAIT ? ~0U : (u32)A5;
      if (!bitset) return -EINVAL;
      const i64 *ts = (const i64 *)A3;
      u64 deadline = 0;
      if (ts) {
        if (!ts_valid(ts)) return -EINVAL;
        u64 v = (u64)ts[0] * 1000000000UL + (u64)ts[1];
        if (op == FUTEX_WAIT) {
          deadline = now_ns() + v;
        } else {
          u64 base = realtime ? REALTIME_EPOCH_NS : BOOT_OFFSET_NS;
          deadline = v > base ? v - base : 0;
        }
      }
      if (*(volatile u32 *)addr != val) return -EAGAIN;
      t->futex_addr = addr;
      t->futex_bitset = bitset;
      block_thread(t, W_FUTEX, ts != NULL, deadline);
      return NO_RESULT;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      u32 bitset = op == FUTEX_WAKE ? ~0U : (u32)A5;
      if (!bitset) return -EINVAL;
      i64 woken = 0;
      wake_futex_word(addr, val, bitset, &woken);
      return woken;
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      if (op == FUTEX_CMP_REQUEUE && *(volatile u32 *)addr != (u32)A5) return -EAGAIN;
      i64 woken = 0;
      wake_futex_word(addr, val, ~0U, &woken);
      u64 moved = 0;
      for (int i = 0; i < thread_hw && moved < A3; i++) {
        struct thread *w = &threads[i];
        if (w->state == T_BLOCK && w->wait == W_FUTEX && w->futex_addr == addr) {
          w->futex_addr = A4;
          moved++;
        }
      }
      return woken + (i64)moved;
    }
    default:
      return -ENOSYS;
  }
}

/* ---- sleeping and yielding ---- */

i64 sys_sched_yield(struct thread *t) {
  (void)t;
  need_resched = 1;
  return 0;
}

i64 sys_nanosleep(struct thread *t) {
  const i64 *ts = (const i64 *)A0;
  if (!ts_valid(ts)) return -EINVAL;
  u64 d = (u64)ts[0] * 1000000000UL + (u64)ts[1];
  t->x[10] = 0;
  block_thread(t, W_SLEEP, 1, now_ns() + d);
  return NO_RESULT;
}

#define TIMER_ABSTIME 1

static u64 clock_base(u64 clk) {
  return (clk == 0 || clk == 5 || clk == 8 || clk == 11) ? REALTIME_EPOCH_NS : BOOT_OFFSET_NS;
}

i64 sys_clock_nanosleep(struct thread *t) {
  u64 clk = A0;
  const i64 *ts = (const i64 *)A2;
  if (clk > 11 || !ts_valid(ts)) return -EINVAL;
  u64 v = (u64)ts[0] * 1000000000UL + (u64)ts[1];
  u64 deadline;
  if (A1 & TIMER_ABSTIME) {
    u64 base = clock_base(clk);
    deadline = v > base ? v - base : 0;
  } else {
    deadline = now_ns() + v;
  }
  block_thread(t, W_SLEEP, 1, deadline);
  return NO_RESULT;
}

i64 sys_clock_gettime(struct thread *t) {
  u64 clk = A0;
  i64 *ts = (i64 *)A1;
  u64 v;
  if (clk == 2 || clk == 3) {
    v = rd_minstret(); /* CPU time: retired instructions, at 1 ns each */
  } else if (clk <= 11 && clk != 10) {
    v = clock_base(clk) + now_ns();
    if (clk == 5 || clk == 6) v -= v % 4000000UL; /* coarse: 4 ms ticks */
  } else {
    return -EINVAL;
  }
  ts[0] = (i64)(v / 1000000000UL);
  ts[1] = (i64)(v % 1000000000UL);
  return 0;
}

i64 sys_clock_getres(struct thread *t) {
  if (A0 > 11 || A0 == 10) return -EINVAL;
  i64 *ts = (i64 *)A1;
  if (ts) {
    ts[0] = 0;
    ts[1] = (A0 == 5 || A0 == 6) ? 4000000 : 1;
  }
  return 0;
}

i64 sys_gettimeofday(struct thread *t) {
  i64 *tv = (i64 *)A0;
  if (tv) {
    u64 v = REALTIME_EPOCH_NS + now_ns();
    tv[0] = (i64)(v / 1000000000UL);
    tv[1] = (i64)(v % 1000000000UL / 1000);
  }
  return 0;
}
