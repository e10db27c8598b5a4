/**
 * Pipes: pipe2 flags and EFAULT, blocking reads and writes as readiness
 * waits, EOF once writers close, EPIPE with SIGPIPE, O_NONBLOCK, PIPE_BUF
 * atomicity, capacity, poll bits, fstat and /proc/self/fd names.
 * @module
 */

import assert from "node:assert/strict";
import { EAGAIN, EBADF, EFAULT, EINVAL, EPERM, EPIPE, ESPIPE } from "../../lib/abi/errno.ts";
import {
  O_CLOEXEC,
  O_NONBLOCK,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
} from "../../lib/abi/flags.ts";
import { fdTable } from "../../lib/kernel/fd_table.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import {
  AT_FDCWD,
  BUF,
  cstr,
  makeKernel,
  makeWorld,
  num,
  RO_PAGE,
  sys,
  text,
  wait,
} from "./files_support.ts";

function withKernel(name: string, f: (k: Kernel) => void, stdin = ""): void {
  Deno.test(name, () => {
    const w = makeWorld();
    try {
      f(makeKernel(w, { stdin }).k);
    } finally {
      w.dispose();
    }
  });
}

/** pipe2 into BUF+0x800; returns [read fd, write fd]. */
function pipe(k: Kernel, flags = 0): [number, number] {
  assert.equal(num(k, "pipe2", BUF + 0x800, flags), 0);
  return [k.mem.readU32(BUF + 0x800), k.mem.readU32(BUF + 0x804)];
}

function put(k: Kernel, fd: number, s: string): number {
  k.mem.write(BUF, new TextEncoder().encode(s));
  return num(k, "write", fd, BUF, s.length);
}

withKernel("pipe2: lowest fds, flags, EINVAL, EFAULT", (k) => {
  const [r, w] = pipe(k, O_CLOEXEC);
  assert.deepEqual([r, w], [3, 4]);
  assert.equal(num(k, "fcntl", r, 1, 0), 1);
  assert.equal(num(k, "fcntl", r, 3, 0), 0); // O_RDONLY
  assert.equal(num(k, "fcntl", w, 3, 0), 1); // O_WRONLY
  const [r2] = pipe(k, O_NONBLOCK);
  assert.equal(num(k, "fcntl", r2, 3, 0), O_NONBLOCK);
  assert.equal(num(k, "pipe2", BUF, 0x1), -EINVAL);
  assert.equal(num(k, "pipe2", RO_PAGE, 0), -EFAULT);
  // The failed call left no descriptors behind.
  assert.deepEqual(fdTable(k).fds(), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(num(k, "read", w, BUF, 1), -EBADF);
  assert.equal(num(k, "write", r, BUF, 1), -EBADF);
  assert.equal(num(k, "lseek", r, 0, 0), -ESPIPE);
});

withKernel("pipe: data in order, EOF after the last writer closes", (k) => {
  const [r, w] = pipe(k);
  assert.equal(put(k, w, "abc"), 3);
  assert.equal(put(k, w, "def"), 3);
  assert.equal(num(k, "read", r, BUF + 64, 4), 4);
  assert.equal(text(k, BUF + 64, 4), "abcd");
  assert.equal(num(k, "read", r, BUF + 64, 0), 0);
  const dup = num(k, "dup", w);
  num(k, "close", w);
  assert.equal(num(k, "read", r, BUF + 64, 10), 2);
  // A writer (the dup) is still open: an empty pipe blocks.
  wait(k, "read", r, BUF + 64, 10);
  num(k, "close", dup);
  assert.equal(num(k, "read", r, BUF + 64, 10), 0);
});

withKernel("pipe: a blocking read is a repolled wait that completes after a write", (k) => {
  const [r, w] = pipe(k);
  const wt = wait(k, "read", r, BUF + 64, 10);
  assert.equal(wt.repoll, true);
  assert.equal(wt.deadline, undefined);
  assert.equal(wt.resume(false), undefined);
  put(k, w, "hi");
  assert.equal(wt.resume(false), 2);
  assert.equal(text(k, BUF + 64, 2), "hi");
  // O_NONBLOCK (via fcntl) answers EAGAIN instead.
  num(k, "fcntl", r, 4, O_NONBLOCK);
  assert.equal(num(k, "read", r, BUF, 1), -EAGAIN);
});

withKernel("pipe: writing with no reader is EPIPE and queues SIGPIPE", (k) => {
  const [r, w] = pipe(k);
  num(k, "close", r);
  assert.equal(put(k, w, ""), 0); // zero bytes succeed even without readers
  assert.equal(k.mainThread.pending.length, 0);
  assert.equal(put(k, w, "x"), -EPIPE);
  assert.equal(k.mainThread.pending.length, 1);
  assert.equal(k.mainThread.pending[0].signo, 13);
  assert.equal(k.mainThread.pending[0].code, 0); // SI_USER
  assert.equal(k.mainThread.pending[0].pid, 1000);
});

withKernel(
  "pipe: a blocking write cut short by the reader closing returns the count and raises SIGPIPE",
  (k) => {
    const [r, w] = pipe(k);
    k.mem.write(BUF, new Uint8Array(0x8000));
    num(k, "write", w, BUF, 0x8000);
    num(k, "write", w, BUF, 0x7000);
    const wt = wait(k, "write", w, BUF, 0x2000); // 4 KiB fit, then it blocks
    assert.equal(wt.resume(false), undefined);
    num(k, "close", r);
    assert.equal(wt.resume(false), 0x1000);
    assert.equal(k.mainThread.pending.length, 1);
  },
);

withKernel("pipe: capacity 64 KiB, PIPE_BUF atomicity, blocking writes complete in full", (k) => {
  const [r, w] = pipe(k, O_NONBLOCK);
  k.mem.write(BUF, new Uint8Array(0x8000).fill(0x41));
  assert.equal(num(k, "write", w, BUF, 0x8000), 0x8000);
  assert.equal(num(k, "write", w, BUF, 0x7800), 0x7800); // 2 KiB left
  assert.equal(num(k, "write", w, BUF, 4096), -EAGAIN); // atomic: all or nothing
  assert.equal(num(k, "write", w, BUF, 4097), 2048); // larger writes may be partial
  assert.equal(num(k, "write", w, BUF, 1), -EAGAIN);
  assert.equal(num(k, "fcntl", w, 1032, 0), 65536);
  assert.equal(num(k, "ioctl", r, 0x541b, BUF + 0x9000), 0);
  assert.equal(k.mem.readU32(BUF + 0x9000), 65536);
  // Blocking write of 8 KiB into a full pipe: waits, then finishes once drained.
  num(k, "fcntl", w, 4, 0);
  const wt = wait(k, "write", w, BUF, 8192);
  assert.equal(wt.resume(false), undefined);
  num(k, "read", r, BUF + 0x8000, 4096);
  assert.equal(wt.resume(false), undefined); // 4096 of 8192 written so far
  num(k, "read", r, BUF + 0x8000, 4096);
  assert.equal(wt.resume(false), 8192);
});

withKernel(
  "pipe: F_SETPIPE_SZ rounds to pages; EPERM above pipe-max-size; EBUSY below content",
  (k) => {
    const [r, w] = pipe(k);
    assert.equal(num(k, "fcntl", r, 1031, 100), 4096);
    assert.equal(num(k, "fcntl", w, 1032, 0), 4096);
    assert.equal(num(k, "fcntl", r, 1031, 2 * 1024 * 1024), -EPERM);
    assert.equal(num(k, "fcntl", r, 1031, 65536), 65536);
    k.mem.write(BUF, new Uint8Array(10000));
    num(k, "write", w, BUF, 10000);
    assert.equal(num(k, "fcntl", r, 1031, 4096), -16); // EBUSY
  },
);

withKernel("pipe: poll bits for both ends", (k) => {
  const [r, w] = pipe(k);
  const rf = fdTable(k).get(r)!.file;
  const wf = fdTable(k).get(w)!.file;
  assert.equal(rf.poll(k), 0);
  assert.equal(wf.poll(k), POLLOUT | POLLWRNORM);
  put(k, w, "x");
  assert.equal(rf.poll(k), POLLIN | POLLRDNORM);
  num(k, "close", w);
  assert.equal(rf.poll(k), POLLIN | POLLRDNORM | POLLHUP);
  const [r2, w2] = pipe(k);
  num(k, "close", r2);
  assert.equal(fdTable(k).get(w2)!.file.poll(k), POLLOUT | POLLWRNORM | POLLERR);
});

withKernel("pipe: fstat is S_IFIFO; /proc/self/fd names it pipe:[ino]", (k) => {
  const [r, w] = pipe(k);
  num(k, "fstat", r, BUF);
  assert.equal(k.mem.readU32(BUF + 16), 0o010600);
  const ino = k.mem.readU64Number(BUF + 8);
  num(k, "fstat", w, BUF);
  assert.equal(k.mem.readU64Number(BUF + 8), ino);
  const n = num(k, "readlinkat", AT_FDCWD, cstr(k, `/proc/self/fd/${r}`), BUF, 100);
  assert.equal(text(k, BUF, n), `pipe:[${ino}]`);
  // Opening /proc/self/fd/N of a pipe reaches the same pipe.
  const again = num(k, "openat", AT_FDCWD, cstr(k, `/proc/self/fd/${w}`), 1, 0);
  assert.ok(again >= 0);
  k.mem.write(BUF, new TextEncoder().encode("via proc"));
  assert.equal(num(k, "write", again, BUF, 8), 8);
  assert.equal(num(k, "read", r, BUF + 64, 8), 8);
  assert.equal(text(k, BUF + 64, 8), "via proc");
});

withKernel("stdin: reads chunks, EOF, and polls readable then hung up", (k) => {
  const f = fdTable(k).get(0)!.file;
  assert.equal(f.poll(k), POLLIN | POLLRDNORM);
  assert.equal(num(k, "read", 0, BUF, 3), 3);
  assert.equal(text(k, BUF, 3), "abc");
  assert.equal(num(k, "ioctl", 0, 0x541b, BUF + 8), 0);
  assert.equal(k.mem.readU32(BUF + 8), 1);
  assert.equal(num(k, "read", 0, BUF, 3), 1);
  assert.equal(num(k, "read", 0, BUF, 3), 0);
  assert.equal(f.poll(k), POLLHUP);
  assert.equal(typeof sys(k, "read", 0, BUF, 3), "number");
}, "abcd");
