/**
 * The zkabi-vs-qemu trace comparison on the recorded qemu logs: traces that
 * agree (written as the strace writer prints them), and one deliberate
 * difference of each kind, which must be reported.
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compareWithQemu } from "../../lib/trace/compare.ts";
import { sys } from "./support.ts";

const DATA = join(dirname(fileURLToPath(import.meta.url)), "data");

function qemuLog(name: string): string {
  return Deno.readTextFileSync(join(DATA, `${name}.qemu_strace.log`));
}

/** zkabi's trace of guests/bin/c/hello, as the strace writer prints it. */
const HELLO = [
  'write(1, "Hello from freestanding C on ris"..., 38) = 38',
  'write(1, "", 0)                         = 0',
  'write(-1, "H", 1)                       = -1 EBADF (Bad file descriptor)',
  "exit_group(0)                           = ?",
  "+++ exited with 0 +++",
].join("\n");

/** zkabi's trace of guests/bin/c/mmap (its mmap area at 0x3ff7ffd000). */
const MMAP = [
  "mmap(NULL, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x3ff7ffd000",
  "mprotect(0x3ff7ffe000, 4096, PROT_READ) = 0",
  "mprotect(0x3ff7ffe000, 4096, PROT_READ|PROT_WRITE) = 0",
  "mprotect(0x3ff7ffd001, 4096, PROT_READ) = -1 EINVAL (Invalid argument)",
  'write(1, "anon ok\\n", 8)                = 8',
  "munmap(0x3ff7ffe000, 4096)              = 0",
  "mmap(0x3ff7ffe000, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x3ff7ffe000",
  "munmap(0x3ff7ffd000, 12288)             = 0",
  'write(1, "fixed ok\\n", 9)               = 9',
  'openat(AT_FDCWD, "input.txt", O_RDONLY) = 3',
  "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE, 3, 0) = 0x3ff7fff000",
  'write(1, "file: ", 6)                   = 6',
  'write(1, "line one\\n", 9)               = 9',
  'pread64(3, "line", 4, 0)                = 4',
  "munmap(0x3ff7fff000, 4096)              = 0",
  "close(3)                                = 0",
  'write(1, "private ok\\n", 11)            = 11',
  "mmap(NULL, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 EINVAL (Invalid argument)",
  "munmap(0x1, 4096)                       = -1 EINVAL (Invalid argument)",
  "exit_group(0)                           = ?",
  "+++ exited with 0 +++",
].join("\n");

Deno.test("compare: agreeing traces", () => {
  const h = compareWithQemu(HELLO, qemuLog("hello"));
  assert.ok(h.ok, h.diff);
  assert.equal(h.compared, 4);
  const m = compareWithQemu(MMAP, qemuLog("mmap"));
  assert.ok(m.ok, m.diff);
  assert.equal(m.compared, 20);
  assert.match(m.diff, /20 calls aligned, 0 differences/);
});

Deno.test("compare: a wrong flag, errno, or count is an argument/result difference", () => {
  const flag = compareWithQemu(
    MMAP.replace("MAP_PRIVATE, 3, 0)", "MAP_SHARED, 3, 0)"),
    qemuLog("mmap"),
  );
  assert.ok(!flag.ok);
  assert.equal(flag.differences.length, 1);
  assert.equal(flag.differences[0].kind, "argument");
  assert.match(flag.differences[0].message, /^mmap: argument 4: 0x1 vs qemu 0x2$/);
  const errno = compareWithQemu(
    HELLO.replace("-1 EBADF (Bad file descriptor)", "-1 EFAULT (Bad address)"),
    qemuLog("hello"),
  );
  assert.deepEqual(errno.differences.map((d) => d.message), [
    "write: result -1 EFAULT vs qemu -1 EBADF",
  ]);
  const count = compareWithQemu(HELLO.replace('"", 0)  ', '"", 1)  '), qemuLog("hello"));
  assert.deepEqual(count.differences.map((d) => d.kind), ["argument"]);
  const str = compareWithQemu(
    MMAP.replace('"input.txt", O_RDONLY', '"input.tx", O_RDONLY'),
    qemuLog("mmap"),
  );
  assert.match(str.differences[0].message, /openat: argument 2: "input.tx" vs qemu "input.txt"/);
});

Deno.test("compare: addresses compare as offsets in returned memory", () => {
  // Unmapping the wrong page of the first mapping: R0+0x2000 instead of +0x1000.
  const wrong = compareWithQemu(
    MMAP.replace("munmap(0x3ff7ffe000, 4096)  ", "munmap(0x3ff7fff000, 4096)  "),
    qemuLog("mmap"),
  );
  assert.deepEqual(wrong.differences.map((d) => d.message), [
    "munmap: argument 1: R0+0x2000 vs qemu R0+0x1000",
  ]);
  // A mapping somewhere else entirely is fine: only offsets matter.
  const moved = compareWithQemu(MMAP.replaceAll("0x3ff7ff", "0x2aaaa0"), qemuLog("mmap"));
  assert.ok(moved.ok, moved.diff);
  // brk is relative to each trace's initial break.
  const brk = [
    "brk(NULL)                               = 0x20000",
    "brk(NULL)                               = 0x20000",
    "brk(0x30000)                            = 0x30000",
  ].join("\n");
  const q = qemuLog("brk").split("\n").slice(0, 3).join("\n");
  assert.ok(compareWithQemu(brk, q).ok);
  const off = compareWithQemu(brk.replace("brk(0x30000)     ", "brk(0x31000)     "), q);
  assert.match(off.differences[0].message, /brk: argument 1: BRK\+0x11000 vs qemu BRK\+0x10000/);
});

Deno.test("compare: missing and extra calls are aligned around", () => {
  const lines = HELLO.split("\n");
  const missing = compareWithQemu([lines[0], lines[2], lines[3]].join("\n"), qemuLog("hello"));
  assert.deepEqual(missing.differences.map((d) => [d.kind, d.message]), [
    ["missing", "only in qemu: write"],
  ]);
  assert.equal(missing.compared, 3);
  const extra = compareWithQemu(
    [lines[0], "getpid()                                = 1000", ...lines.slice(1)].join("\n"),
    qemuLog("hello"),
  );
  assert.deepEqual(extra.differences.map((d) => d.kind), ["extra"]);
  assert.match(extra.diff, /^\+ only in zkabi: getpid\n {4}zkabi: getpid\(\)/m);
});

Deno.test("compare: unknown syscalls, signals, allowances", () => {
  const enosys = compareWithQemu(
    [
      "syscall_0x1f4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)",
      'write(1, "syscall ", 8)                 = 8',
    ].join("\n"),
    "5 Unknown syscall 500\n5 write(1,0x12000,8) = 8\n",
  );
  assert.ok(enosys.ok, enosys.diff);
  const seg = compareWithQemu(
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---\n+++ killed by SIGSEGV +++",
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=1, si_addr=NULL} ---\n",
  );
  assert.ok(seg.ok, seg.diff);
  const acc = compareWithQemu(
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=NULL} ---",
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=1, si_addr=NULL} ---\n",
  );
  assert.equal(acc.differences[0].kind, "signal");
  // set_robust_list: qemu-user answers ENOSYS itself; noted, not a difference.
  const robust = compareWithQemu(
    "set_robust_list(0x8c0e0, 24)            = 0",
    "7 set_robust_list(573664,24,-32,1,570632,573664) = -1 errno=38 (Function not implemented)",
  );
  assert.ok(robust.ok);
  assert.match(
    robust.notes.join("\n"),
    /set_robust_list: result not compared \(0 vs qemu -1 ENOSYS\)/,
  );
  // pids differ (1000 vs the host pid), also inside strings.
  const pid = compareWithQemu(
    [
      "getpid()                                = 1000",
      'openat(AT_FDCWD, "/tmp/zkabi-pread-1000", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 3',
    ].join("\n"),
    qemuLog("pread").split("\n").slice(0, 2).join("\n"),
  );
  assert.ok(pid.ok, pid.diff);
});

Deno.test("compare: threads: strict up to the first clone, names after it", () => {
  const q = qemuLog("pthreads");
  const lines = q.split("\n");
  const cloneAt = lines.findIndex((l) => / clone\(/.test(l));
  // zkabi: the same calls up to the clone, written in strace's format.
  const z = [
    "brk(NULL)                               = 0x8c000",
    "brk(0x8cb10)                            = 0x8cb10",
    "set_tid_address(0x8c0d0)                = 1000",
    "set_robust_list(0x8c0e0, 24)            = 0",
    "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
    'readlinkat(AT_FDCWD, "/proc/self/exe", "/work/main/guests/bin/c/pthreads", 4096) = 32',
    'getrandom("\\x24\\xba\\x2a\\x12\\x3f\\x9c\\x25\\x32", 8, GRND_NONBLOCK) = 8',
    "brk(NULL)                               = 0x8cb10",
    "brk(0xadb10)                            = 0xadb10",
    "brk(0xae000)                            = 0xae000",
    "mprotect(0x7b000, 16384, PROT_READ)     = 0",
    "rt_sigaction(SIGRT_1, {sa_handler=0x45aba, sa_mask=[], sa_flags=SA_ONSTACK|SA_RESTART|SA_SIGINFO}, NULL, 8) = 0",
    "rt_sigprocmask(SIG_UNBLOCK, [RTMIN RT_1], NULL, 8) = 0",
    "mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x3ff77ff000",
    "mprotect(0x3ff7800000, 8388608, PROT_READ|PROT_WRITE) = 0",
    "rt_sigprocmask(SIG_BLOCK, ~[], [], 8)   = 0",
    "clone(child_stack=0x3ff7ffedb0, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[1001], tls=0x3ff7fffc60, child_tidptr=0x3ff7fff5d0) = 1001",
    "1001  futex(0x81528, FUTEX_WAKE_PRIVATE, 1) = 0",
    "1000  exit_group(0)                     = ?",
  ].join("\n");
  const r = compareWithQemu(z, q);
  assert.ok(r.ok, r.diff);
  assert.equal(r.compared, cloneAt + 1);
  assert.match(
    r.notes[0],
    /^after the first clone .* only syscall names are compared/,
  );
  // A wrong clone flag before the cut-off is still found.
  const bad = compareWithQemu(z.replace("CLONE_SYSVSEM|CLONE_SETTLS", "CLONE_SETTLS"), q);
  assert.match(bad.differences[0].message, /^clone: argument 1: /);
});

Deno.test("compare: trace events as input", () => {
  const events = [
    sys("write", [1, 0x12078, 38], 38),
    sys("write", [1, 0x12078, 0], 0),
    sys("write", [-1, 0x12078, 1], -9),
    sys("exit_group", [0], undefined),
  ];
  const r = compareWithQemu(events, qemuLog("hello"));
  assert.ok(r.ok, r.diff);
  const bad = compareWithQemu(events.slice(1), qemuLog("hello"));
  assert.equal(bad.differences[0].kind, "missing");
});
