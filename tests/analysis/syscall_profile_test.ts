import { deepEqual, equal, ok } from "node:assert/strict";
import { categoryOf } from "../../lib/analysis/categories.ts";
import {
  detectFormat,
  importTrace,
  profileFromEvents,
} from "../../lib/analysis/syscall_profile.ts";
import type { TraceEvent } from "../../lib/kernel/events.ts";

// A dynamically linked program traced with strace -f: loader, start-up, one
// thread created, a blocked futex pair, a signal, output, exit.
const STRACE_F = `execve("./prog", ["./prog"], 0x7ffd /* 3 vars */) = 0
100   brk(NULL)                         = 0x5000
100   openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
100   mmap(NULL, 2000, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f00
100   close(3)                          = 0
100   openat(AT_FDCWD, "/lib/libc.so.6", O_RDONLY|O_CLOEXEC) = 3
100   read(3, "\\177ELF", 832)          = 832
100   close(3)                          = 0
100   set_tid_address(0x7f10)           = 100
100   mprotect(0x7f20, 4096, PROT_READ) = 0
100   munmap(0x7f00, 2000)              = 0
100   clone(child_stack=0x1000, flags=CLONE_VM|CLONE_THREAD) = 101
101   gettid()                          = 101
100   futex(0x6000, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>
101   futex(0x6000, FUTEX_WAKE_PRIVATE, 1) = 1
100   <... futex resumed>)              = 0
101   --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=100, si_uid=0} ---
100   openat(AT_FDCWD, "/nonexistent", O_RDONLY) = -1 ENOENT (No such file or directory)
100   write(1, "hello\\n", 6)            = 6
100   this line is garbage
100   getpid()                          = 100
100   exit_group(0)                     = ?
100   +++ exited with 0 +++
`;

Deno.test("strace -f import: counts, pairs joined, threads, signals, errors", () => {
  const r = importTrace("prog", STRACE_F);
  equal(r.format, "strace");
  const p = r.profile;
  // 19 calls: the resumed line joins its unfinished one, the garbage line is not counted.
  equal(p.total, 19);
  equal(p.syscalls.futex.count, 2);
  equal(p.syscalls.openat.count, 3);
  equal(p.syscalls.openat.errors, 1);
  equal(p.errors, 1);
  // execve (no pid prefix) belongs to the first process, 100.
  deepEqual(p.threads, { "1": 17, "2": 2 });
  deepEqual(p.signals, { SIGURG: 1 });
  equal(p.source, "strace");
});

Deno.test("strace import: phases by the loader, first-output and exit rules", () => {
  const r = importTrace("prog", STRACE_F);
  const ph = r.calls.map((c) => `${c.name}:${c.phase}`);
  // execve .. munmap of the ld.so.cache mapping are loader (11 calls).
  deepEqual(ph.slice(0, 11).map((x) => x.split(":")[1]), Array(11).fill("loader"));
  equal(ph[10], "munmap:loader");
  equal(ph[11], "clone:startup");
  equal(ph.indexOf("write:app"), 16);
  equal(ph[17], "getpid:app");
  equal(ph[18], "exit_group:exit");
  deepEqual(r.profile.phases, { loader: 11, startup: 5, app: 2, exit: 1 });
});

Deno.test("strace import: malformed lines are reported with their numbers, not fatal", () => {
  const r = importTrace("prog", STRACE_F);
  equal(r.malformed.length, 1);
  equal(r.malformed[0].line, 20);
  ok(/not a syscall/.test(r.malformed[0].reason));
  const bad = importTrace(
    "x",
    'write(1, "a", 1) = 1\n<... read resumed>) = 0\nopenat(AT_FDCWD, "a"\n',
  );
  deepEqual(bad.malformed.map((m) => m.line), [2, 3]);
  equal(bad.profile.syscalls.write.count, 1);
  equal(bad.profile.total, 1);
});

Deno.test("strace import without pid prefixes: a static program has only execve as loader", () => {
  const text = `execve("./a", ["./a"], 0x1 /* 1 var */) = 0
brk(NULL)                               = 0x1000
write(2, "x", 1)                        = 1
exit_group(0)                           = ?
+++ exited with 0 +++
`;
  const r = importTrace("a", text);
  deepEqual(r.profile.phases, { loader: 1, startup: 1, app: 1, exit: 1 });
  deepEqual(r.profile.threads, { "1": 4 });
});

Deno.test("qemu -strace import: format detection, errno results, unknown syscalls", () => {
  const text = `55 brk(NULL) = 0x0000000000010000
55 openat(AT_FDCWD,"x",O_RDONLY) = -1 errno=2 (No such file or directory)
55 Unknown syscall 258
55 write(1,0x1000,3) = 3
--- SIGSEGV {si_signo=SIGSEGV, si_code=1, si_addr=NULL} ---
55 exit_group(1)
`;
  equal(detectFormat(text), "qemu");
  const r = importTrace("q", text);
  equal(r.format, "qemu");
  equal(r.profile.source, "qemu-strace");
  equal(r.profile.syscalls.openat.errors, 1);
  // Unknown syscall 258 is riscv_hwprobe, counted as an error (ENOSYS).
  equal(r.profile.syscalls.riscv_hwprobe.count, 1);
  equal(r.profile.syscalls.riscv_hwprobe.errors, 1);
  deepEqual(r.profile.signals, { SIGSEGV: 1 });
  deepEqual(r.profile.phases, { loader: 0, startup: 3, app: 1, exit: 1 });
  equal(r.malformed.length, 0);
});

Deno.test("profile from zkabi events: entry halves skipped, precompiles apart", () => {
  const base = {
    kind: "syscall" as const,
    seq: 0,
    nr: 98,
    args: [],
    pc: 0,
    fn: "",
    instret: 0,
    blocked: false,
  };
  const events: TraceEvent[] = [
    {
      ...base,
      tid: 1000,
      name: "futex",
      result: undefined,
      route: "emulate",
      phase: "startup",
      entry: true,
    },
    { ...base, tid: 1001, name: "futex", result: 1, route: "emulate", phase: "startup" },
    {
      ...base,
      tid: 1000,
      name: "futex",
      result: 0,
      route: "emulate",
      phase: "startup",
      blocked: true,
    },
    { ...base, tid: 1000, name: "keccakf", result: 0, route: "precompile", phase: "app" },
    { ...base, tid: 1000, name: "openat", result: -2, route: "emulate", phase: "app" },
    { kind: "signal", seq: 1, tid: 1001, signo: 23, code: -6, action: "handler", instret: 0 },
  ];
  const p = profileFromEvents("t", events);
  equal(p.total, 3);
  equal(p.syscalls.futex.count, 2);
  equal(p.errors, 1);
  deepEqual(p.precompiles, { keccakf: 1 });
  deepEqual(p.signals, { SIGURG: 1 });
  deepEqual(p.threads, { "1": 2, "2": 1 });
  equal(p.categories.thread, 2);
  equal(categoryOf("openat"), "file");
});
