import assert from "node:assert/strict";
import { EFAULT, EINVAL, ENOSYS, EPERM, ESRCH } from "../../lib/abi/errno.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { randomBytes } from "../../lib/kernel/random.ts";
import { PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { runGuest } from "../support/c_guests.ts";
import { sys, testKernel } from "../support/kernel.ts";

const BUF = 0x10000;

function kernel(seed = 1, cpus = 4): Kernel {
  return testKernel({ seed, cpus, maps: [[BUF, 0x2000, PROT_READ | PROT_WRITE]] });
}

Deno.test("uname: six NUL-padded 65-byte fields", () => {
  const k = kernel();
  k.mem.write(BUF, new Uint8Array(390).fill(0x7f));
  assert.equal(sys(k, "uname", BUF), 0);
  const bytes = k.mem.read(BUF, 390);
  const fields = Array.from({ length: 6 }, (_, i) => bytes.subarray(65 * i, 65 * i + 65));
  const text = fields.map((f) => new TextDecoder().decode(f.subarray(0, f.indexOf(0))));
  assert.deepEqual(text, ["Linux", "zkabi", "6.1.0-zkabi", "#1 SMP zkabi", "riscv64", "(none)"]);
  for (const f of fields) assert.ok(f.subarray(f.indexOf(0)).every((b) => b === 0));
  assert.equal(sys(k, "uname", BUF + 0x2000 - 100), -EFAULT);
});

Deno.test("sethostname and setdomainname need privileges", () => {
  const k = kernel();
  assert.equal(sys(k, "sethostname", BUF, 5), -EPERM);
  assert.equal(sys(k, "setdomainname", BUF, 500), -EPERM);
});

Deno.test("getrandom: the seed's stream, shared with randomBytes, in request order", () => {
  const a = kernel(5);
  assert.equal(sys(a, "getrandom", BUF, 16, 0), 16);
  assert.equal(sys(a, "getrandom", BUF + 16, 40, 1), 40);
  assert.equal(sys(a, "getrandom", BUF + 56, 8, 2), 8);
  const first = a.mem.read(BUF, 64);
  const b = kernel(5);
  assert.deepEqual(randomBytes(b, 64), first);
  const c = kernel(6);
  assert.notDeepEqual(randomBytes(c, 64), first);
  assert.notDeepEqual(first.subarray(0, 16), first.subarray(16, 32));
  // The stream continues across consumers.
  const d = kernel(5);
  randomBytes(d, 10);
  assert.equal(sys(d, "getrandom", BUF, 54, 4), 54);
  assert.deepEqual(d.mem.read(BUF, 54), first.subarray(10));
});

Deno.test("getrandom errors: flags, EFAULT, zero length, partial buffers", () => {
  const k = kernel();
  assert.equal(sys(k, "getrandom", BUF, 16, 0x100), -EINVAL);
  assert.equal(sys(k, "getrandom", BUF, 16, 8), -EINVAL);
  assert.equal(sys(k, "getrandom", BUF, 16, 6), -EINVAL); // GRND_INSECURE|GRND_RANDOM
  assert.equal(sys(k, "getrandom", BUF, 0, 0), 0);
  assert.equal(sys(k, "getrandom", 8, 16, 0), -EFAULT);
  // A buffer running off the end of the mapping gets the bytes that fit.
  assert.equal(sys(k, "getrandom", BUF + 0x2000 - 10, 100, 0), 10);
});

Deno.test("sched_getaffinity: the online CPUs; size and pid checks", () => {
  const k = kernel(1, 4);
  k.mem.write(BUF, new Uint8Array(128).fill(0xee));
  assert.equal(sys(k, "sched_getaffinity", 0, 128, BUF), 8);
  assert.deepEqual([...k.mem.read(BUF, 9)], [0x0f, 0, 0, 0, 0, 0, 0, 0, 0xee]);
  assert.equal(sys(k, "sched_getaffinity", 1000, 8, BUF), 8);
  assert.equal(sys(k, "sched_getaffinity", 0, 4, BUF), -EINVAL);
  assert.equal(sys(k, "sched_getaffinity", 0, 0, BUF), -EINVAL);
  assert.equal(sys(k, "sched_getaffinity", 0, 12, BUF), -EINVAL);
  assert.equal(sys(k, "sched_getaffinity", 4242, 8, BUF), -ESRCH);
  assert.equal(sys(k, "sched_getaffinity", 0, 8, 8), -EFAULT);
  // 70 CPUs need a 16-byte mask.
  const big = kernel(1, 70);
  assert.equal(sys(big, "sched_getaffinity", 0, 8, BUF), -EINVAL);
  assert.equal(sys(big, "sched_getaffinity", 0, 64, BUF), 16);
  assert.deepEqual([...big.mem.read(BUF + 8, 8)], [0x3f, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("sched_setaffinity restricts later answers; getcpu follows", () => {
  const k = kernel(1, 4);
  k.mem.write(BUF, new Uint8Array([0x0c])); // CPUs 2 and 3
  assert.equal(sys(k, "sched_setaffinity", 0, 1, BUF), 0);
  assert.equal(sys(k, "sched_getaffinity", 0, 8, BUF + 64), 8);
  assert.equal(k.mem.readU8(BUF + 64), 0x0c);
  assert.equal(sys(k, "getcpu", BUF + 128, BUF + 132, 0), 0);
  assert.equal(k.mem.readU32(BUF + 128), 2);
  assert.equal(k.mem.readU32(BUF + 132), 0);
  k.mem.write(BUF, new Uint8Array([0xf0])); // no online CPU
  assert.equal(sys(k, "sched_setaffinity", 0, 1, BUF), -EINVAL);
  assert.equal(sys(k, "sched_setaffinity", 0, 8, 8), -EFAULT);
  assert.equal(sys(k, "sched_setaffinity", 4242, 8, BUF), -ESRCH);
});

Deno.test("getcpu: NULL pointers allowed; EFAULT", () => {
  const k = kernel();
  assert.equal(sys(k, "getcpu", 0, 0, 0), 0);
  assert.equal(sys(k, "getcpu", BUF, 0, 0), 0);
  assert.equal(k.mem.readU32(BUF), 0);
  assert.equal(sys(k, "getcpu", 8, BUF, 0), -EFAULT);
});

Deno.test("sysinfo: deterministic fields at the riscv64 offsets", () => {
  const k = kernel();
  k.mainThread.hart.instret = 2_500_000_000;
  k.mem.write(BUF, new Uint8Array(112).fill(0xaa));
  assert.equal(sys(k, "sysinfo", BUF), 0);
  const dv = new DataView(k.mem.read(BUF, 112).buffer);
  assert.equal(dv.getBigInt64(0, true), 103n); // 102.5 s of uptime, rounded up
  assert.deepEqual([8, 16, 24].map((o) => dv.getBigUint64(o, true)), [0n, 0n, 0n]);
  assert.equal(dv.getBigUint64(32, true), 4n << 30n);
  assert.equal(dv.getBigUint64(40, true), (4n << 30n) - 4096n); // the touched scratch page
  assert.deepEqual([48, 56, 64, 72].map((o) => dv.getBigUint64(o, true)), [0n, 0n, 0n, 0n]);
  assert.equal(dv.getUint16(80, true), 1);
  assert.equal(dv.getUint32(104, true), 1);
  assert.equal(sys(k, "sysinfo", 8), -EFAULT);
});

Deno.test("riscv_hwprobe does not exist on Linux 6.1", () => {
  assert.equal(sys(kernel(), "riscv_hwprobe", BUF, 1, 0, 0, 0), -ENOSYS);
});

// ------------------------------------------------------------ end to end

Deno.test("e2e: uname prints zkabi's fixed identity", () => {
  assert.equal(
    runGuest("uname"),
    "sysname=Linux\nnodename=zkabi\nrelease=6.1.0-zkabi\nversion=#1 SMP zkabi\nmachine=riscv64\n",
  );
});

Deno.test("e2e: sched_getaffinity matches expect.json", () => {
  runGuest("sched_getaffinity");
});

Deno.test("e2e: getrandom matches expect.json and is the same on every run", () => {
  assert.equal(runGuest("getrandom"), runGuest("getrandom"));
});
