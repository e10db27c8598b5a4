/**
 * Tests of the Debian suite's trace allowances (`qemu_diff.ts`) on small
 * hand-written traces in both formats: each allowance accepts what it is
 * for, and the same kind of difference outside it still fails.
 * @module
 */

import assert from "node:assert/strict";
import { compareTraces, repairInterruptedClone, stripGuestStderr } from "./qemu_diff.ts";

const enc = new TextEncoder();

function lines(...ls: string[]): string {
  return ls.join("\n") + "\n";
}

Deno.test("stripGuestStderr removes the guest's stderr bytes from write(2) lines", () => {
  const log = enc.encode(lines(
    "7 write(2,0x280b948,5)cat:  = 5",
    "7 write(2,0x280b9a8,12)missing\n.txt = 12",
    "7 write(1,0x2000,3) = 3",
  ));
  assert.equal(
    stripGuestStderr(log),
    lines("7 write(2,0x280b948,5) = 5", "7 write(2,0x280b9a8,12) = 12", "7 write(1,0x2000,3) = 3"),
  );
});

Deno.test("stripGuestStderr counts bytes, not characters, and survives short writes", () => {
  // "é" is two bytes: the write's length is 3.
  const log = enc.encode(lines("7 write(2,0x10,3)é! = 3", "7 write(2,0x10,9)ab = 2"));
  assert.equal(stripGuestStderr(log), lines("7 write(2,0x10,3) = 3", "7 write(2,0x10,9) = 2"));
});

const START_Z = [
  "brk(NULL)                               = 0x2aaaab4000",
  "brk(0x2aaaad5000)                       = 0x2aaaad5000",
];
const START_Q = [
  "9 brk(NULL) = 0x000000400000a000",
  "9 brk(0x000000400002b000) = 0x000000400002b000",
];

Deno.test("compareTraces: identical traces agree", () => {
  const r = compareTraces(
    lines(...START_Z, "getpid() = 1000", "exit_group(0) = ?", "+++ exited with 0 +++"),
    lines(...START_Q, "9 getpid() = 9", "9 exit_group(0)"),
    { sameIds: true },
  );
  assert.ok(r.ok, r.diff);
  assert.equal(r.compared, 4);
});

Deno.test("compareTraces: a log cut at close(2) compares up to it, and only up to it", () => {
  const z = lines(...START_Z, "close(1) = 0", "close(2) = 0", "exit_group(0) = ?");
  const q = lines(...START_Q, "9 close(1) = 0", "9 close(2)");
  const r = compareTraces(z, q, { sameIds: true });
  assert.ok(r.ok, r.diff);
  assert.ok(r.notes.some((n) => n.includes("close(2)")));
  // A difference before the cut still counts.
  const bad = compareTraces(
    lines(...START_Z, "close(1) = -1 EBADF (Bad file descriptor)", "close(2) = 0"),
    q,
    { sameIds: true },
  );
  assert.equal(bad.ok, false);
  assert.match(bad.diff, /close: result -1 EBADF vs qemu 0/);
});

Deno.test("compareTraces: riscv_flush_icache only in zkabi is accepted, other extra calls not", () => {
  const q = lines(...START_Q, "9 exit_group(0)");
  const ok = compareTraces(
    lines(...START_Z, "riscv_flush_icache(0x3ff7dc4ac8, 0x3ff7dc4fe8, 0) = 0", "exit_group(0) = ?"),
    q,
    { sameIds: true },
  );
  assert.ok(ok.ok, ok.diff);
  const bad = compareTraces(lines(...START_Z, "sched_yield() = 0", "exit_group(0) = ?"), q, {
    sameIds: true,
  });
  assert.equal(bad.ok, false);
  assert.match(bad.diff, /only in zkabi: sched_yield/);
});

Deno.test("compareTraces: (nil) is NULL", () => {
  const r = compareTraces(
    lines(...START_Z, "sigaltstack(NULL, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0"),
    lines(...START_Q, "9 sigaltstack((nil),0x40028abad0) = 0"),
    { sameIds: true },
  );
  assert.ok(r.ok, r.diff);
  const bad = compareTraces(
    lines(...START_Z, "sigaltstack({ss_sp=0x1000, ss_flags=0, ss_size=8192}, NULL) = 0"),
    lines(...START_Q, "9 sigaltstack((nil),0x40028abad0) = 0"),
    { sameIds: true },
  );
  assert.equal(bad.ok, false);
});

const MAPS_Z = [
  'openat(AT_FDCWD, "/proc/self/maps", O_RDONLY|O_CLOEXEC) = 3',
  'read(3, "2aaaaaa000-2aaab4e000 r-xp 00000"..., 4096) = 1771',
  "close(3)                                = 0",
];
const MAPS_Q = [
  '9 openat(AT_FDCWD,"/proc/self/maps",O_RDONLY|O_CLOEXEC) = 3',
  "9 read(3,0x400000b000,4096) = 2229",
  "9 close(3) = 0",
];

Deno.test("compareTraces: /proc/self/maps read lengths and later heap offsets may differ", () => {
  const zTail = ["brk(0x2aaaaf6000) = 0x2aaaaf6000", "read(0, 0x2aaaab5100, 10) = 0"];
  const qTail = ["9 brk(0x000000400004d000) = 0x000000400004d000", "9 read(0,0x400000b200,10) = 0"];
  const r = compareTraces(
    lines(...START_Z, ...MAPS_Z, ...zTail),
    lines(...START_Q, ...MAPS_Q, ...qTail),
    { sameIds: true },
  );
  assert.ok(r.ok, r.diff);
  assert.ok(r.notes.some((n) => n.includes("heap offsets")), r.diff);
  // Without the maps read, the same heap offsets are a difference.
  const bad = compareTraces(lines(...START_Z, ...zTail), lines(...START_Q, ...qTail), {
    sameIds: true,
  });
  assert.equal(bad.ok, false);
  assert.match(bad.diff, /brk: argument 1: BRK\+0x42000 vs qemu BRK\+0x43000/);
  // A read of anything else must agree in length.
  const other = compareTraces(
    lines(...START_Z, 'read(3, "hello", 4096) = 5'),
    lines(...START_Q, "9 read(3,0x400000b000,4096) = 6"),
    { sameIds: true },
  );
  assert.equal(other.ok, false);
});

Deno.test("compareTraces: an address named after the break on the qemu side only is accepted", () => {
  const r = compareTraces(
    lines(...START_Z, "mprotect(0x3ff7ffc000, 8192, PROT_READ) = 0"),
    lines(...START_Q, "9 mprotect(0x000000400282b000,8192,PROT_READ) = 0"),
    { sameIds: true },
  );
  assert.ok(r.ok, r.diff);
  // The other arguments are still compared.
  const bad = compareTraces(
    lines(...START_Z, "mprotect(0x3ff7ffc000, 4096, PROT_READ) = 0"),
    lines(...START_Q, "9 mprotect(0x000000400282b000,8192,PROT_READ) = 0"),
    { sameIds: true },
  );
  assert.equal(bad.ok, false);
  assert.match(bad.diff, /mprotect: argument 2/);
});

Deno.test("compareTraces: ids compare only when both sides ran as the same user", () => {
  const z = lines(...START_Z, "getuid() = 1000");
  const q = lines(...START_Q, "9 getuid() = 0");
  assert.equal(compareTraces(z, q, { sameIds: true }).ok, false);
  assert.ok(compareTraces(z, q, { sameIds: false }).ok);
});

const GO_FLAGS = "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM";
const GO_CLONE_Z = `1000  clone(child_stack=0xc000018000, flags=${GO_FLAGS}) = 1001`;
const GO_CLONE_Q = `9 clone(${GO_FLAGS},child_stack=0x000000c000018000,` +
  "parent_tidptr=0x0000004000800d10,tls=0x0000000000000008,child_tidptr=0x0000000333202004) = 12";

Deno.test("compareTraces: clone arguments its flags leave unused are not compared", () => {
  const ok = compareTraces(lines(...START_Z, GO_CLONE_Z), lines(...START_Q, GO_CLONE_Q), {
    sameIds: true,
  });
  assert.ok(ok.ok, ok.diff);
  assert.ok(ok.notes.some((n) => n.includes("clone argument its flags leave unused")), ok.diff);
  // With CLONE_SETTLS the tls argument counts: NULL against a pointer fails.
  const flags = `${GO_FLAGS}|CLONE_SETTLS`;
  const bad = compareTraces(
    lines(...START_Z, `1000  clone(child_stack=0xc000018000, flags=${flags}) = 1001`),
    lines(...START_Q, GO_CLONE_Q.replace(GO_FLAGS, flags)),
    { sameIds: true },
  );
  assert.equal(bad.ok, false);
  assert.match(bad.diff, /clone: argument 4/);
});

Deno.test("compareTraces: one-sided monotonic clock reads pass for Go programs only", () => {
  const z = lines(
    ...START_Z,
    "clock_gettime(CLOCK_MONOTONIC, {tv_sec=100, tv_nsec=1}) = 0",
    "clock_gettime(CLOCK_MONOTONIC, {tv_sec=100, tv_nsec=2}) = 0",
    "getpid() = 1000",
  );
  const q = lines(
    ...START_Q,
    "9 clock_gettime(CLOCK_MONOTONIC,0x0000004000800d00) = 0 ({tv_sec = 1,tv_nsec = 5})",
    "9 getpid() = 9",
  );
  const go = compareTraces(z, q, { sameIds: true, goClockReads: true });
  assert.ok(go.ok, go.diff);
  const other = compareTraces(z, q, { sameIds: true });
  assert.equal(other.ok, false);
  assert.match(other.diff, /only in zkabi: clock_gettime/);
  // Another one-sided call still fails for Go.
  const extra = compareTraces(lines(...START_Z, "sched_yield() = 0", "getpid() = 1000"), q, {
    sameIds: true,
    goClockReads: true,
  });
  assert.equal(extra.ok, false);
});

Deno.test("compareTraces: qemu's clone3 ENOSYS and glibc's clone fallback are accepted", () => {
  const flags = `${GO_FLAGS}|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID`;
  const z = lines(
    ...START_Z,
    `1000  clone3({flags=${flags}, child_tid=0x3fb13e2250, parent_tid=0x3fb13e2250, ` +
      "exit_signal=0, stack=0x3fb0be2000, stack_size=0x7ffa60, tls=0x3fb13e28c0} => " +
      "{parent_tid=[1001]}, 88) = 1001",
  );
  const q = lines(
    ...START_Q,
    "9 Unknown syscall 435",
    `9 clone(${flags},child_stack=0x0000004047c1ea50,parent_tidptr=0x0000004047c1f250,` +
      "tls=0x0000004047c1f8c0,child_tidptr=0x0000004047c1f250) = 12",
  );
  const r = compareTraces(z, q, { sameIds: true });
  assert.ok(r.ok, r.diff);
  // Without the ENOSYS, a clone only qemu made is a difference.
  const bad = compareTraces(
    lines(...START_Z, "getpid() = 1000"),
    lines(
      ...START_Q,
      `9 clone(${flags},child_stack=0x0000004047c1ea50,parent_tidptr=0x0000004047c1f250,` +
        "tls=0x0000004047c1f8c0,child_tidptr=0x0000004047c1f250) = 12",
      "9 getpid() = 9",
    ),
    { sameIds: true },
  );
  assert.equal(bad.ok, false);
});

Deno.test("repairInterruptedClone ends a cut-off thread clone line and keeps its rest", () => {
  const cut = `9 clone(${GO_FLAGS},child_stack=0x000000c000040000)9 gettid() = 13`;
  const r = repairInterruptedClone(lines("9 brk(NULL) = 0x4000", cut, "9 nanosleep(1,0) = 13"));
  assert.ok(r.repaired);
  assert.equal(
    r.log,
    lines(
      "9 brk(NULL) = 0x4000",
      `9 clone(${GO_FLAGS},child_stack=0x000000c000040000) = 1`,
      "9 gettid() = 13",
      "9 nanosleep(1,0) = 13",
    ),
  );
  // A clone line with its result, or a clone without CLONE_THREAD, is left alone.
  const whole = lines(`9 clone(${GO_FLAGS},child_stack=0x1) = 13`, cut);
  assert.deepEqual(repairInterruptedClone(whole), { log: whole, repaired: false });
  const fork = lines("9 clone(SIGCHLD,child_stack=0x0)9 gettid() = 13");
  assert.deepEqual(repairInterruptedClone(fork), { log: fork, repaired: false });
  // Through compareTraces the strict part ends at that clone.
  const c = compareTraces(
    lines(...START_Z, GO_CLONE_Z, "1001  gettid() = 1001"),
    lines(...START_Q, GO_CLONE_Q.replace(") = 12", ")9 gettid() = 12")),
    { sameIds: true },
  );
  assert.ok(c.ok, c.diff);
  assert.ok(c.notes.some((n) => n.includes("cut off")), c.diff);
});
