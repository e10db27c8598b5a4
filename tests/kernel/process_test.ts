import assert from "node:assert/strict";
import { EBADF, EFAULT, EINVAL, ENOMEM, ENOSYS, EPERM, ESRCH } from "../../lib/abi/errno.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { inheritThreadState, RLIM_INFINITY, threadName } from "../../lib/kernel/process.ts";
import { NO_RESULT } from "../../lib/kernel/types.ts";
import { PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { runGuest } from "../support/c_guests.ts";
import { sys, testKernel } from "../support/kernel.ts";

/** Scratch page for syscall buffers. */
const BUF = 0x10000;
const INF = RLIM_INFINITY;

function kernel(): Kernel {
  return testKernel({ seed: 1, maps: [[BUF, 0x2000, PROT_READ | PROT_WRITE]] });
}

function u64s(k: Kernel, addr: number, n: number): bigint[] {
  return Array.from({ length: n }, (_, i) => k.mem.readU64(addr + 8 * i));
}

Deno.test("ids: pid 1000, ppid 999, uid/gid 1000", () => {
  const k = kernel();
  assert.equal(sys(k, "getpid"), 1000);
  assert.equal(sys(k, "getppid"), 999);
  for (const n of ["getuid", "geteuid", "getgid", "getegid"]) assert.equal(sys(k, n), 1000, n);
});

Deno.test("getresuid/getresgid store three u32s; a bad pointer is EFAULT after the good ones", () => {
  const k = kernel();
  k.mem.write(BUF, new Uint8Array(12).fill(0xff));
  assert.equal(sys(k, "getresuid", BUF, BUF + 4, BUF + 8), 0);
  assert.deepEqual([0, 4, 8].map((o) => k.mem.readU32(BUF + o)), [1000, 1000, 1000]);
  k.mem.write(BUF, new Uint8Array(12).fill(0xff));
  assert.equal(sys(k, "getresgid", BUF, 8, BUF + 8), -EFAULT);
  assert.equal(k.mem.readU32(BUF), 1000);
  assert.equal(k.mem.readU32(BUF + 8), 0xffffffff);
});

Deno.test("getgroups: one group; size 0 counts; too small is EINVAL", () => {
  const k = kernel();
  assert.equal(sys(k, "getgroups", 0, 0), 1);
  assert.equal(sys(k, "getgroups", 4, BUF), 1);
  assert.equal(k.mem.readU32(BUF), 1000);
  assert.equal(sys(k, "getgroups", -1, BUF), -EINVAL);
  assert.equal(sys(k, "getgroups", 1, 8), -EFAULT);
});

Deno.test("set_tid_address returns the tid and stores the pointer", () => {
  const k = kernel();
  assert.equal(sys(k, "set_tid_address", 0x1234), 1000);
  assert.equal(k.mainThread.clearChildTid, 0x1234);
});

Deno.test("robust lists: len must be 24; get_robust_list reports head and length", () => {
  const k = kernel();
  assert.equal(sys(k, "set_robust_list", 0x5000, 23), -EINVAL);
  assert.equal(sys(k, "set_robust_list", 0x5000, 24), 0);
  assert.equal(sys(k, "get_robust_list", 0, BUF, BUF + 8), 0);
  assert.deepEqual(u64s(k, BUF, 2), [0x5000n, 24n]);
  assert.equal(sys(k, "get_robust_list", 1000, BUF, BUF + 8), 0);
  assert.equal(sys(k, "get_robust_list", 4242, BUF, BUF + 8), -ESRCH);
  assert.equal(sys(k, "get_robust_list", 0, 8, BUF + 8), -EFAULT);
});

Deno.test("rseq is ENOSYS", () => {
  assert.equal(sys(kernel(), "rseq", BUF, 32, 0, 0), -ENOSYS);
});

Deno.test("prlimit64 reads the default limits", () => {
  const k = kernel();
  const expect: [number, bigint, bigint][] = [
    [0, INF, INF], // CPU
    [2, INF, INF], // DATA
    [3, 8388608n, INF], // STACK
    [4, 0n, INF], // CORE
    [7, 1024n, 1048576n], // NOFILE
    [8, 8388608n, 8388608n], // MEMLOCK
    [9, INF, INF], // AS
  ];
  for (const [res, cur, max] of expect) {
    assert.equal(sys(k, "prlimit64", 0, res, 0, BUF), 0);
    assert.deepEqual(u64s(k, BUF, 2), [cur, max], `resource ${res}`);
  }
});

Deno.test("prlimit64 sets within the hard limit and returns the old value", () => {
  const k = kernel();
  k.mem.writeU64(BUF, 64n);
  k.mem.writeU64(BUF + 8, 1048576n);
  assert.equal(sys(k, "prlimit64", 0, 7, BUF, BUF + 16), 0);
  assert.deepEqual(u64s(k, BUF + 16, 2), [1024n, 1048576n]);
  assert.equal(sys(k, "getrlimit", 7, BUF + 32), 0);
  assert.deepEqual(u64s(k, BUF + 32, 2), [64n, 1048576n]);
  // Lowering the hard limit is allowed; raising it again is not.
  k.mem.writeU64(BUF, 32n);
  k.mem.writeU64(BUF + 8, 100n);
  assert.equal(sys(k, "setrlimit", 7, BUF), 0);
  k.mem.writeU64(BUF + 8, 200n);
  assert.equal(sys(k, "setrlimit", 7, BUF), -EPERM);
});

Deno.test("prlimit64 errors: resource, soft > hard, nr_open, pid, pointers", () => {
  const k = kernel();
  assert.equal(sys(k, "prlimit64", 0, 16, 0, BUF), -EINVAL);
  assert.equal(sys(k, "prlimit64", 0, 999, 0, BUF), -EINVAL);
  k.mem.writeU64(BUF, 10n);
  k.mem.writeU64(BUF + 8, 5n);
  assert.equal(sys(k, "prlimit64", 0, 7, BUF, 0), -EINVAL);
  k.mem.writeU64(BUF, 10n);
  k.mem.writeU64(BUF + 8, 1048577n);
  assert.equal(sys(k, "prlimit64", 0, 7, BUF, 0), -EPERM);
  assert.equal(sys(k, "prlimit64", 4242, 7, 0, BUF), -ESRCH);
  assert.equal(sys(k, "prlimit64", 1000, 7, 0, BUF), 0);
  assert.equal(sys(k, "prlimit64", 0, 7, 8, BUF), -EFAULT);
  // The new limit takes effect even when storing the old one faults.
  k.mem.writeU64(BUF, 100n);
  k.mem.writeU64(BUF + 8, 1048576n);
  assert.equal(sys(k, "prlimit64", 0, 7, BUF, 8), -EFAULT);
  assert.equal(sys(k, "getrlimit", 7, BUF + 32), 0);
  assert.equal(k.mem.readU64(BUF + 32), 100n);
  assert.equal(sys(k, "getrlimit", 16, BUF), -EINVAL);
  assert.equal(sys(k, "getrlimit", 7, 8), -EFAULT);
  assert.equal(sys(k, "setrlimit", 7, 8), -EFAULT);
});

Deno.test("umask returns the previous mask and keeps 9 bits", () => {
  const k = kernel();
  assert.equal(sys(k, "umask", 0o7777), 0o022);
  assert.equal(sys(k, "umask", 0o027), 0o777);
  assert.equal(sys(k, "umask", 0), 0o027);
});

Deno.test("prctl names: default is the executable's base name; set, truncate, get", () => {
  const k = kernel();
  const exe = new TextEncoder().encode("\x7fELF....");
  k.mem.map(0x400000, 0x1000, PROT_READ, "/usr/bin/a-rather-long-program", {
    bytes: exe,
    offset: 0,
  });
  k.mem.write(BUF + 256, new Uint8Array(16).fill(0x55));
  assert.equal(sys(k, "prctl", 16, BUF + 256), 0);
  assert.equal(
    new TextDecoder().decode(k.mem.read(BUF + 256, 16)),
    "a-rather-long-p\0",
  );
  k.mem.write(BUF, new TextEncoder().encode("worker-thread-number-7\0"));
  assert.equal(sys(k, "prctl", 15, BUF), 0);
  assert.equal(sys(k, "prctl", 16, BUF + 256), 0);
  assert.equal(new TextDecoder().decode(k.mem.read(BUF + 256, 16)), "worker-thread-n\0");
  k.mem.write(BUF, new TextEncoder().encode("io\0"));
  assert.equal(sys(k, "prctl", 15, BUF), 0);
  assert.equal(sys(k, "prctl", 16, BUF + 256), 0);
  assert.deepEqual([...k.mem.read(BUF + 256, 16)], [105, 111, ...new Array(14).fill(0)]);
  assert.equal(sys(k, "prctl", 15, 8), -EFAULT);
  assert.equal(sys(k, "prctl", 16, 8), -EFAULT);
  // A new thread inherits the name.
  const child = k.newThread();
  inheritThreadState(k, k.mainThread, child);
  assert.equal(new TextDecoder().decode(threadName(k, child)), "io");
});

Deno.test("prctl: pdeathsig, dumpable, no_new_privs, capbset, unknown options", () => {
  const k = kernel();
  assert.equal(sys(k, "prctl", 1, 9), 0);
  assert.equal(sys(k, "prctl", 2, BUF), 0);
  assert.equal(k.mem.readU32(BUF), 9);
  assert.equal(sys(k, "prctl", 1, 65), -EINVAL);
  assert.equal(sys(k, "prctl", 3), 1);
  assert.equal(sys(k, "prctl", 4, 0), 0);
  assert.equal(sys(k, "prctl", 3), 0);
  assert.equal(sys(k, "prctl", 4, 2), -EINVAL);
  assert.equal(sys(k, "prctl", 39, 0, 0, 0, 0), 0);
  assert.equal(sys(k, "prctl", 38, 1, 0, 0, 0), 0);
  assert.equal(sys(k, "prctl", 39, 0, 0, 0, 0), 1);
  assert.equal(sys(k, "prctl", 38, 2, 0, 0, 0), -EINVAL);
  assert.equal(sys(k, "prctl", 23, 0), 1);
  assert.equal(sys(k, "prctl", 23, 40), 1);
  assert.equal(sys(k, "prctl", 23, 41), -EINVAL);
  assert.equal(sys(k, "prctl", 0x59616d61), -EINVAL); // PR_SET_PTRACER
  assert.equal(sys(k, "prctl", 9999), -EINVAL);
});

Deno.test("prctl PR_SET_VMA names anonymous mappings, splitting at the edges", () => {
  const k = kernel();
  const base = 0x7000000;
  k.mem.map(base, 0x4000, PROT_READ | PROT_WRITE);
  k.mem.write(BUF, new TextEncoder().encode("go heap\0"));
  assert.equal(sys(k, "prctl", 0x53564d41, 0, base + 0x1000, 0x2000, BUF), 0);
  const names = k.mem.mappings.filter((m) => m.start >= base && m.end <= base + 0x4000)
    .map((m) => [m.start - base, m.end - base, m.name]);
  assert.deepEqual(names, [
    [0, 0x1000, ""],
    [0x1000, 0x3000, "[anon:go heap]"],
    [0x3000, 0x4000, ""],
  ]);
  // NULL clears; bad characters, long names, unaligned starts are EINVAL.
  assert.equal(sys(k, "prctl", 0x53564d41, 0, base + 0x1000, 0x1000, 0), 0);
  assert.equal(k.mem.mappingAt(base + 0x1000)!.name, "");
  k.mem.write(BUF, new TextEncoder().encode("a[b\0"));
  assert.equal(sys(k, "prctl", 0x53564d41, 0, base, 0x1000, BUF), -EINVAL);
  k.mem.write(BUF, new Uint8Array(81).fill(0x61));
  assert.equal(sys(k, "prctl", 0x53564d41, 0, base, 0x1000, BUF), -EINVAL);
  k.mem.write(BUF, new TextEncoder().encode("x\0"));
  assert.equal(sys(k, "prctl", 0x53564d41, 0, base + 1, 0x1000, BUF), -EINVAL);
  assert.equal(sys(k, "prctl", 0x53564d41, 1, base, 0x1000, BUF), -EINVAL);
  assert.equal(sys(k, "prctl", 0x53564d41, 0, base, 0x1000, 8), -EFAULT);
  // Holes are ENOMEM (after naming what is mapped); file mappings are EBADF.
  assert.equal(sys(k, "prctl", 0x53564d41, 0, base + 0x3000, 0x2000, BUF), -ENOMEM);
  assert.equal(k.mem.mappingAt(base + 0x3000)!.name, "[anon:x]");
  k.mem.map(0x9000000, 0x1000, PROT_READ, "/lib/x.so", { bytes: new Uint8Array(8), offset: 0 });
  assert.equal(sys(k, "prctl", 0x53564d41, 0, 0x9000000, 0x1000, BUF), -EBADF);
});

Deno.test("getrusage: CPU time from retired instructions; who is checked", () => {
  const k = kernel();
  k.mainThread.hart.instret = 1_500_000_000;
  k.mem.write(BUF, new Uint8Array(0x2000)); // touch both scratch pages: 8 KiB resident
  assert.equal(sys(k, "getrusage", 0, BUF), 0);
  const r = u64s(k, BUF, 18);
  assert.deepEqual([r[0], r[1], r[2], r[3]], [1n, 500000n, 0n, 0n]);
  assert.equal(r[4], 8n, "maxrss in KiB");
  assert.equal(sys(k, "getrusage", 1, BUF), 0);
  assert.deepEqual(u64s(k, BUF, 2), [1n, 500000n]);
  assert.equal(sys(k, "getrusage", -1 >>> 0, BUF), 0);
  assert.deepEqual(u64s(k, BUF, 18), new Array(18).fill(0n));
  assert.equal(sys(k, "getrusage", 2, BUF), -EINVAL);
  assert.equal(sys(k, "getrusage", -2 >>> 0, BUF), -EINVAL);
  assert.equal(sys(k, "getrusage", 0, 8), -EFAULT);
});

Deno.test("times: user time and the uptime in USER_HZ ticks", () => {
  const k = kernel();
  k.mainThread.hart.instret = 1_500_000_000;
  // Monotonic time is 100 s of uptime plus 1.5 s: 10150 ticks.
  assert.equal(sys(k, "times", BUF), 10150);
  assert.deepEqual(u64s(k, BUF, 4), [150n, 0n, 0n, 0n]);
  assert.equal(sys(k, "times", 0), 10150);
  assert.equal(sys(k, "times", 8), -EFAULT);
});

Deno.test("process groups and sessions", () => {
  const k = kernel();
  assert.equal(sys(k, "getpgid", 0), 1000);
  assert.equal(sys(k, "getpgid", 1000), 1000);
  assert.equal(sys(k, "getpgid", 999), 999);
  assert.equal(sys(k, "getpgid", 5), -ESRCH);
  assert.equal(sys(k, "getsid", 0), 999);
  assert.equal(sys(k, "getsid", 5), -ESRCH);
  assert.equal(sys(k, "setpgid", 0, 0), 0);
  assert.equal(sys(k, "setpgid", 1000, 1000), 0);
  assert.equal(sys(k, "setpgid", 0, -1), -EINVAL);
  assert.equal(sys(k, "setpgid", 5, 0), -ESRCH);
  assert.equal(sys(k, "setpgid", 0, 999), -EPERM);
  assert.equal(sys(k, "setsid"), -EPERM);
});

Deno.test("personality: query with 0xffffffff, set returns the old value", () => {
  const k = kernel();
  assert.equal(sys(k, "personality", 0xffffffff), 0);
  assert.equal(sys(k, "personality", 0x0040000), 0);
  assert.equal(sys(k, "personality", 0xffffffff), 0x0040000);
  assert.equal(sys(k, "personality", 0), 0x0040000);
});

Deno.test("exit_group ends the process with the low 8 bits", () => {
  const k = kernel();
  assert.equal(sys(k, "exit_group", 300), NO_RESULT);
  assert.deepEqual(k.end, { kind: "exit", status: 44 });
});

// ------------------------------------------------------------ end to end

Deno.test("e2e: ids prints the fixed ids", () => {
  assert.equal(
    runGuest("ids"),
    "pid=1000 ppid=999 tid=pid\nuid=1000 euid=1000 gid=1000 egid=1000\n",
  );
});

for (const name of ["prlimit64", "exit", "exit_group", "enosys"]) {
  Deno.test(`e2e: the ${name} guest matches expect.json`, () => {
    runGuest(name);
  });
}

Deno.test("set*id: an unprivileged process may set its own ids, nothing else", () => {
  const k = kernel();
  assert.equal(sys(k, "setuid", 1000), 0);
  assert.equal(sys(k, "setgid", 1000), 0);
  assert.equal(sys(k, "setuid", 0), -EPERM);
  assert.equal(sys(k, "setgid", 0), -EPERM);
  assert.equal(sys(k, "setuid", 0xffffffff), -EPERM);
  assert.equal(sys(k, "setreuid", 0xffffffff, 1000), 0);
  assert.equal(sys(k, "setreuid", 1000, 0), -EPERM);
  assert.equal(sys(k, "setresuid", 1000, 0xffffffff, 1000), 0);
  assert.equal(sys(k, "setresgid", 1000, 1000, 5), -EPERM);
  assert.equal(sys(k, "setgroups", 0, 0), -EPERM);
  assert.equal(sys(k, "setfsuid", 0), 1000);
  assert.equal(sys(k, "getuid"), 1000);
});
