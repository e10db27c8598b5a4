import { deepEqual, equal, throws } from "node:assert/strict";
import {
  canonicalName,
  CATEGORIES,
  categoryOf,
  describeSyscall,
} from "../../lib/analysis/categories.ts";
import { compareProfiles } from "../../lib/analysis/compare.ts";
import { importTrace } from "../../lib/analysis/syscall_profile.ts";

const A = importTrace(
  "a",
  'brk(NULL) = 0x1000\nwrite(1, "x", 1) = 1\nwrite(1, "y", 1) = 1\nexit_group(0) = ?\n',
).profile;
const B = importTrace(
  "b",
  "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x2000\n" +
    'write(1, "x", 1) = 1\nfutex(0x10, FUTEX_WAKE_PRIVATE, 1) = 0\nexit_group(0) = ?\n',
).profile;

Deno.test("comparison: counts and deltas against the first profile", () => {
  const c = compareProfiles([A, B]);
  deepEqual(c.labels, ["a", "b"]);
  const row = (k: string) => c.syscalls.find((r) => r.key === k)!;
  deepEqual(row("write").counts, [2, 1]);
  deepEqual(row("write").deltas, [0, -1]);
  deepEqual(row("futex").counts, [0, 1]);
  deepEqual(row("brk").deltas, [0, -1]);
  deepEqual(c.total.counts, [4, 4]);
  const cat = (k: string) => c.categories.find((r) => r.key === k)!;
  deepEqual(cat("memory").counts, [1, 1]);
  deepEqual(cat("thread").counts, [0, 1]);
  deepEqual(c.onlyIn.map((x) => x.key).sort(), ["brk", "futex", "mmap"]);
  // Rows come in category order.
  equal(c.syscalls[0].category, "memory");
});

Deno.test("comparison over one phase", () => {
  const c = compareProfiles([A, B], "app");
  deepEqual(c.syscalls.map((r) => r.key), ["write", "futex"]);
  deepEqual(c.total.counts, [2, 2]);
  throws(() => compareProfiles([]));
});

Deno.test("category and description lookups accept trace spellings", () => {
  equal(categoryOf("futex"), "thread");
  equal(categoryOf("mmap"), "memory");
  equal(categoryOf("rt_sigreturn"), "signal");
  equal(categoryOf("clock_gettime"), "time");
  equal(categoryOf("getrandom"), "sysinfo");
  equal(categoryOf("exit_group"), "process");
  equal(categoryOf("epoll_pwait"), "file");
  equal(categoryOf("no_such_call"), "other");
  equal(canonicalName("syscall_0x102"), "riscv_hwprobe");
  equal(canonicalName("syscall_258"), "riscv_hwprobe");
  equal(describeSyscall("keccakf"), "zk precompile ECALL (not a syscall)");
  equal(CATEGORIES.length, 9);
});
