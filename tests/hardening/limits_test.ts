/**
 * Hardening: resource limits as a real kernel enforces them. Guest memory
 * (ENOMEM at the limit, SIGKILL when touched memory runs out), /tmp space
 * and inodes counting every file that exists (named or open), RLIMIT_NPROC
 * for threads, bounded CPUs, lazy reads of host files, and programs that are
 * not regular files.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { EAGAIN, ENOMEM, ENOSPC } from "../../lib/abi/errno.ts";
import { O_CREAT, O_RDWR } from "../../lib/abi/flags.ts";
import { SIGKILL } from "../../lib/abi/signals.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import {
  CLONE_FILES,
  CLONE_FS,
  CLONE_SIGHAND,
  CLONE_SYSVSEM,
  CLONE_THREAD,
  CLONE_VM,
} from "../../lib/kernel/threads.ts";
import { GuestMemory, OutOfMemory, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { run, RunError } from "../../lib/run/run.ts";
import { MemFs } from "../../lib/vfs/mem_fs.ts";
import { makedev } from "../../lib/vfs/types.ts";
import { AT_FDCWD, BUF, cstr, makeKernel, makeWorld, num, open } from "../kernel/files_support.ts";
import { testKernel } from "../support/kernel.ts";
import { scratchDir } from "../support/scratch.ts";
import { HOSTILE, runHostile } from "./support.ts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

Deno.test("memory (issue): a malloc loop gets ENOMEM at --memory, not a crash", () => {
  const r = runHostile(["malloc"], { memory: 64 * MiB });
  assert.equal(r.status, 0, `${r.result.message} ${r.err}`);
  const m = /^malloc failed after (\d+) MiB: ENOMEM\n$/.exec(r.out);
  assert.ok(m, r.out);
  assert.ok(Number(m[1]) > 32 && Number(m[1]) < 64, r.out);
  assert.ok(r.result.stats.memory.peakTouchedBytes <= 64 * MiB);
});

Deno.test("memory: mmap is refused past the limit; PROT_NONE reservations are free until made accessible", () => {
  const r = runHostile(["mmap"], { memory: 256 * MiB });
  assert.equal(r.status, 0, `${r.result.message} ${r.err}`);
  const lines = r.out.split("\n");
  const m = /^mmap failed after (\d+) MiB: ENOMEM$/.exec(lines[0]);
  assert.ok(m && Number(m[1]) >= 192 && Number(m[1]) < 256, r.out);
  assert.equal(lines[1], "PROT_NONE 64 GiB reservation: ok");
  assert.equal(lines[2], "mprotect it read-write: ENOMEM");
});

Deno.test("memory: touched memory past the limit (PROT_NONE'd after touching) is an OOM kill, SIGKILL, 137", () => {
  const r = runHostile(["oom"], { memory: 32 * MiB });
  assert.equal(r.result.end.kind, "signal");
  assert.equal(r.status, 128 + SIGKILL);
  assert.match(
    r.result.message!,
    /^killed by signal 9: out of memory: the memory limit is 33554432 bytes/,
  );
});

Deno.test("memory: the kernel's accounting (mmap, brk, mprotect, mremap) and the arena", () => {
  const k = testKernel({ memory: { maxBytes: 16 * MiB } });
  const RW = PROT_READ | PROT_WRITE;
  const MAP_PRIVATE_ANON = 0x22;
  const a = num(k, "mmap", 0, 12 * MiB, RW, MAP_PRIVATE_ANON, -1, 0);
  assert.ok(a > 0);
  assert.equal(num(k, "mmap", 0, 8 * MiB, RW, MAP_PRIVATE_ANON, -1, 0), -ENOMEM);
  const none = num(k, "mmap", 0, 64 * GiB, 0, MAP_PRIVATE_ANON, -1, 0);
  assert.ok(none > 0, "PROT_NONE costs nothing");
  assert.equal(num(k, "mprotect", none, 8 * MiB, RW), -ENOMEM);
  assert.equal(num(k, "mprotect", none, 2 * MiB, RW), 0);
  assert.equal(num(k, "mremap", a, 12 * MiB, 16 * MiB, 1, 0), -ENOMEM);
  assert.equal(num(k, "munmap", a, 12 * MiB), 0);
  assert.equal(num(k, "mremap", none, 2 * MiB, 12 * MiB, 1, 0) > 0, true);
  // The arena itself never grows past the limit: the last resort is OutOfMemory.
  const mem = new GuestMemory({ maxBytes: 16 * MiB });
  mem.map(0x100000, 32 * MiB, RW);
  assert.throws(() => mem.write(0x100000, new Uint8Array(17 * MiB)), OutOfMemory);
});

Deno.test("memory: --memory is bounded (16 MiB to 2 GiB) for run() too", () => {
  for (const memory of [1024, 3 * GiB]) {
    assert.throws(
      () => run({ program: HOSTILE, memory }),
      (e) => e instanceof RunError && e.code === 125,
    );
  }
});

Deno.test("/tmp (issue): ftruncate/fallocate of an unlinked file to 100 GiB is ENOSPC; unlinked open files keep their space", () => {
  const r = runHostile(["unlinked"], { memory: 64 * MiB });
  assert.equal(r.status, 0, `${r.result.message} ${r.err}`);
  assert.equal(
    r.out,
    [
      "ftruncate 100 GiB: ENOSPC",
      "fallocate 100 GiB: ENOSPC",
      "write: ENOSPC",
      // /tmp holds half the memory limit: 32 MiB, all in one unlinked open file.
      "unlinked open files: 1, MiB written: 32",
      "a new named file: ok, write: ENOSPC",
      "",
    ].join("\n"),
  );
});

Deno.test("/tmp: space comes back at the last close of an unlinked file; inodes are limited", () => {
  const w = makeWorld();
  try {
    const { k } = makeKernel(w);
    const fd = open(k, "/tmp/f", O_RDWR | O_CREAT, 0o600);
    assert.equal(num(k, "ftruncate", fd, 600 * MiB), 0);
    assert.equal(num(k, "unlinkat", AT_FDCWD, cstr(k, "/tmp/f"), 0), 0);
    const g = open(k, "/tmp/g", O_RDWR | O_CREAT, 0o600);
    assert.equal(
      num(k, "ftruncate", g, 600 * MiB),
      -ENOSPC,
      "the unlinked file still holds 600 MiB",
    );
    const dup = num(k, "dup", fd);
    assert.equal(num(k, "close", fd), 0);
    assert.equal(num(k, "ftruncate", g, 600 * MiB), -ENOSPC, "a dup still holds it");
    assert.equal(num(k, "close", dup), 0);
    assert.equal(num(k, "ftruncate", g, 600 * MiB), 0, "freed at the last close");
  } finally {
    w.dispose();
  }
  const fs = new MemFs(makedev(0, 60), 60, () => 0, 0o1777, 64 * 4096);
  assert.equal(fs.maxInodes, 64);
  let made = 0;
  while (typeof fs.root.create(`f${made}`, 0o644) !== "number") made++;
  assert.equal(made, 63, "the root is an inode too");
  assert.equal(fs.root.mkdir("d", 0o755), -ENOSPC);
  assert.equal(fs.root.unlink("f0"), 0);
  assert.equal(typeof fs.root.mkdir("d", 0o755), "object");
});

const THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_SYSVSEM |
  CLONE_THREAD;

Deno.test("threads (issue): RLIMIT_NPROC (4096) bounds the threads that exist: clone is EAGAIN", () => {
  const k: Kernel = testKernel();
  let made = 0;
  for (; made < 5000; made++) {
    const r = num(k, "clone", THREAD_FLAGS, 0, 0, 0, 0);
    if (r < 0) {
      assert.equal(r, -EAGAIN);
      break;
    }
  }
  assert.equal(made, 4095, "4096 threads with the first");
  // A thread that exits makes room for one more.
  k.exitThread(k.threads[1]);
  assert.ok(num(k, "clone", THREAD_FLAGS, 0, 0, 0, 0) > 0);
  assert.equal(num(k, "clone", THREAD_FLAGS, 0, 0, 0, 0), -EAGAIN);
});

Deno.test("threads: pthread_create fails with EAGAIN at the guest's own RLIMIT_NPROC", () => {
  const r = runHostile(["threads", "64"]);
  assert.equal(r.out, "pthread_create failed after 63 threads: EAGAIN\n", r.result.message);
  assert.equal(r.status, 0);
});

Deno.test("cpus (issue): --cpus is bounded for run() (V8 ran out of memory at 2^32)", () => {
  for (const cpus of [0, 513, 4294967296]) {
    assert.throws(
      () => run({ program: HOSTILE, args: ["stdout", "1"], cpus }),
      (e) => e instanceof RunError && e.code === 125 && /cpus: expected 1 to 512/.test(e.message),
    );
  }
  const r = runHostile(["stdout", "1"], { cpus: 512 });
  assert.equal(r.status, 0);
});

Deno.test("program (issue): a device or a FIFO is not read or opened: 126 at once", () => {
  for (const program of ["/dev/zero", "/dev/null"]) {
    assert.throws(
      () => run({ program }),
      (e) =>
        e instanceof RunError && e.code === 126 && e.message === `${program}: not a regular file`,
    );
  }
  const dir = scratchDir("zkabi-fifo-");
  try {
    const fifo = join(dir, "fifo");
    const mk = new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
    assert.ok(mk.success);
    assert.throws(
      () => run({ program: fifo }),
      (e) => e instanceof RunError && e.code === 126 && /not a regular file/.test(e.message),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("host files (issue): reads are lazy: one byte of a 5 GB sparse file costs one read", () => {
  const w = makeWorld();
  try {
    const big = join(w.cwd, "sparse");
    const f = Deno.openSync(big, { write: true, create: true });
    f.truncateSync(5 * 10 ** 9);
    f.close();
    const { k } = makeKernel(w);
    const before = Deno.memoryUsage().rss;
    const fd = open(k, "sparse");
    assert.equal(num(k, "pread64", fd, BUF, 1, 4 * 10 ** 9), 1);
    assert.equal(k.mem.read(BUF, 1)[0], 0);
    assert.ok(Deno.memoryUsage().rss - before < 256 * MiB, "not read whole");
    // mmap of a file too large to hold is refused, not attempted.
    const MAP_PRIVATE = 2;
    assert.equal(num(k, "mmap", 0, 4096, PROT_READ, MAP_PRIVATE, fd, 0), -19 /* ENODEV */);
  } finally {
    w.dispose();
  }
});
