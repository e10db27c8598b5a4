/**
 * The ABI gaps closed after the socket work, where qemu-user 7.2 cannot be
 * the reference: futex_waitv (qemu has none) and robust priority-inheritance
 * mutexes (qemu dies on them), checked against futex_waitv(2),
 * futex(2) and pthread_mutexattr_setrobust(3); and the gaps_futex guest
 * (PI futexes) against qemu.
 */

import assert from "node:assert/strict";
import { EAGAIN, EINVAL, ETIMEDOUT } from "../../lib/abi/errno.ts";
import { run } from "../../lib/run/run.ts";
import { a0, assertLikeQemu, call, DATA, GUESTS, makeKernel, runGuest } from "./threads_support.ts";

const VEC = DATA + 0x100;
const W1 = DATA;
const W2 = DATA + 8;

/** Writes struct futex_waitv entries {val, uaddr, flags=FUTEX2_SIZE_U32|PRIVATE}. */
function waitv(k: ReturnType<typeof makeKernel>, items: [number, number][], flags = 2 | 128) {
  items.forEach(([addr, val], i) => {
    k.mem.writeU64(VEC + 24 * i, BigInt(val));
    k.mem.writeU64(VEC + 24 * i + 8, BigInt(addr));
    k.mem.writeU32(VEC + 24 * i + 16, flags);
    k.mem.writeU32(VEC + 24 * i + 20, 0);
  });
}

Deno.test("futex_waitv: argument errors, EAGAIN, wake by index, timeout", () => {
  const k = makeKernel();
  const t = k.mainThread;
  k.mem.writeU32(W1, 1);
  k.mem.writeU32(W2, 2);
  waitv(k, [[W1, 1], [W2, 2]]);
  assert.equal(call(k, t, "futex_waitv", VEC, 0, 0, 0, 1), -EINVAL, "nr 0");
  assert.equal(call(k, t, "futex_waitv", VEC, 129, 0, 0, 1), -EINVAL, "nr over 128");
  assert.equal(call(k, t, "futex_waitv", VEC, 2, 1, 0, 1), -EINVAL, "flags");
  waitv(k, [[W1, 1]], 3);
  assert.equal(call(k, t, "futex_waitv", VEC, 1, 0, 0, 1), -EINVAL, "64-bit futexes");
  waitv(k, [[W1 + 2, 1]]);
  assert.equal(call(k, t, "futex_waitv", VEC, 1, 0, 0, 1), -EINVAL, "misaligned");
  waitv(k, [[W1, 1], [W2, 3]]);
  assert.equal(call(k, t, "futex_waitv", VEC, 2, 0, 0, 1), -EAGAIN, "second value differs");
  waitv(k, [[W1, 1], [W2, 2]]);
  assert.equal(call(k, t, "futex_waitv", VEC, 2, 0, 0, 1), "blocked");
  const other = k.newThread();
  assert.equal(call(k, other, "futex", W2, 1 | 128, 1), 1, "FUTEX_WAKE on the second word");
  assert.equal(t.state, "runnable");
  assert.equal(a0(t), 1, "returns the woken futex's index");
  // An absolute CLOCK_MONOTONIC deadline already past: ETIMEDOUT at once.
  k.mem.writeU64(DATA + 0x200, 0n);
  k.mem.writeU64(DATA + 0x208, 1n);
  assert.equal(call(k, t, "futex_waitv", VEC, 2, 0, DATA + 0x200, 1), -ETIMEDOUT);
  assert.equal(call(k, t, "futex_waitv", VEC, 2, 0, DATA + 0x200, 5), -EINVAL, "clock");
});

Deno.test("gaps_futex guest matches qemu (PI lock, trylock, unlock hand-over, timeout)", () => {
  assertLikeQemu("gaps_futex", runGuest("gaps_futex", "rr"));
  assertLikeQemu("gaps_futex", runGuest("gaps_futex", "handoff"));
});

Deno.test("a robust PI mutex whose owner exits: EOWNERDEAD, then consistent (pthread_mutexattr_setrobust(3))", () => {
  const r = run({ program: `${GUESTS}/bin/gaps_futex`, args: ["robust"], cwd: GUESTS });
  assert.equal(r.status, 0, r.message);
  assert.equal(
    new TextDecoder().decode(r.stdout),
    "robust PI mutex after its owner died: Owner died\nconsistent: Success\nunlock: Success\n" +
      "lock again: Success\n",
  );
});

Deno.test("gaps_fs guest matches qemu (O_TMPFILE with linkat, inotify events in Linux's order)", () => {
  assertLikeQemu("gaps_fs", runGuest("gaps_fs", "rr"));
});

Deno.test("edge-triggered epoll on a pipe: every write is an event for the reader (epoll(7), pipe(7))", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const P = DATA + 0x800;
  const EV = DATA + 0x900;
  const OUT = DATA + 0xa00;
  assert.equal(call(k, t, "pipe2", P, 0), 0);
  const r = k.mem.readU32(P);
  const w = k.mem.readU32(P + 4);
  const ep = call(k, t, "epoll_create1", 0) as number;
  const add = (fd: number, events: number, data: number) => {
    k.mem.writeU32(EV, events >>> 0);
    k.mem.writeU64(EV + 8, BigInt(data));
    return call(k, t, "epoll_ctl", ep, 1, fd, EV);
  };
  assert.equal(add(r, 0x1 | 0x80000000, 1), 0); // EPOLLIN | EPOLLET
  assert.equal(add(w, 0x4 | 0x80000000, 2), 0); // EPOLLOUT | EPOLLET
  const wait = () => {
    const n = call(k, t, "epoll_pwait", ep, OUT, 4, 0, 0, 0) as number;
    return Array.from({ length: n }, (_, i) => Number(k.mem.readU64(OUT + 16 * i + 8))).sort();
  };
  assert.deepEqual(wait(), [2], "the write end starts writable");
  assert.deepEqual(wait(), [], "and reports it once");
  k.mem.write(DATA + 0xb00, new TextEncoder().encode("ab"));
  assert.equal(call(k, t, "write", w, DATA + 0xb00, 1), 1);
  assert.deepEqual(wait(), [1]);
  assert.deepEqual(wait(), []);
  assert.equal(call(k, t, "write", w, DATA + 0xb01, 1), 1);
  assert.deepEqual(wait(), [1], "a second write without a read in between is a new event");
  assert.equal(call(k, t, "read", r, DATA + 0xc00, 1), 1);
  assert.deepEqual(wait(), [], "a read from a pipe far from full wakes no writer (as Linux)");
  // Fill it (one byte is queued): a read then frees room the writer may be waiting for.
  assert.equal(call(k, t, "write", w, DATA, 65535), 65535);
  assert.deepEqual(wait(), [1]);
  assert.equal(call(k, t, "read", r, DATA + 0xc00, 1), 1);
  assert.deepEqual(wait(), [2], "room in a full pipe is an event for the writer only");
  assert.equal(call(k, t, "close", w), 0);
  assert.deepEqual(wait(), [1], "the last writer's close (EPOLLHUP)");
});
