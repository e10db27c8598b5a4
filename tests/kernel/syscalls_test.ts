import { deepEqual, equal, ok } from "node:assert/strict";
import { DECODERS } from "../../lib/abi/decode.ts";
import { PRECOMPILE_KECCAKF } from "../../lib/abi/precompiles.ts";
import { CATEGORIES } from "../../lib/analysis/categories.ts";
import {
  decodeCall,
  ecallName,
  FAMILIES,
  syscallByName,
  syscallByNumber,
  syscallName,
  syscallNumber,
  SYSCALLS,
} from "../../lib/kernel/syscalls.ts";
import { testGuest } from "../trace/support.ts";

Deno.test("registry: one record per riscv64 syscall, numbers and names unique", () => {
  const nrs = new Set(SYSCALLS.map((r) => r.nr));
  const names = new Set(SYSCALLS.map((r) => r.name));
  equal(nrs.size, SYSCALLS.length);
  equal(names.size, SYSCALLS.length);
  // Sorted by number; the asm-generic table on riscv64 ends at mseal (462).
  deepEqual(SYSCALLS.map((r) => r.nr), [...nrs].sort((a, b) => a - b));
  equal(syscallNumber("openat"), 56);
  equal(syscallName(56), "openat");
  equal(syscallName(9999), "syscall_9999");
  equal(syscallByNumber(462)?.name, "mseal");
  equal(syscallByNumber(258)?.name, "riscv_hwprobe");
  equal(syscallByName("syscall_0x102")?.name, "riscv_hwprobe");
  equal(ecallName(PRECOMPILE_KECCAKF), "keccakf");
  equal(ecallName(64), "write");
});

Deno.test("registry: every record has a category and a description", () => {
  for (const r of SYSCALLS) {
    ok(CATEGORIES.includes(r.category), r.name);
    ok(r.description.length > 5, r.name);
    ok(r.args === undefined || /^[ilspd_]*$/.test(r.args), `${r.name}: kinds ${r.args}`);
    ok(r.args === undefined || r.args.length <= 6, r.name);
  }
});

Deno.test("registry: every emulated syscall has a complete record", () => {
  const inFamilies = new Map<string, string>();
  for (const f of FAMILIES) {
    for (const name of Object.keys(f.handlers)) inFamilies.set(name, f.family);
  }
  for (const [name, family] of inFamilies) {
    const r = syscallByName(name);
    ok(r, `${name} (family ${family}) has no record`);
    equal(r.handler, FAMILIES.find((f) => f.family === family)!.handlers[name], name);
    equal(r.family, family, name);
    ok(r.args !== undefined, `${name}: emulated but without argument kinds`);
  }
  for (const r of SYSCALLS) {
    if (r.handler) ok(inFamilies.has(r.name), `${r.name}: handler outside every family`);
    else equal(r.family, undefined, r.name);
  }
});

Deno.test("registry: every strace decoder belongs to its syscall's record", () => {
  for (const [name, d] of Object.entries(DECODERS)) {
    equal(syscallByName(name)?.decode, d, `decoder ${name} is not in its record`);
  }
});

Deno.test("registry: calls without a decoder print their arity in hex", () => {
  const g = testGuest();
  const call = (name: string, route = "emulate") => ({
    name,
    nr: syscallNumber(name) ?? -1,
    args: [1n, 2n, 3n, 4n, 5n, 6n],
    result: 0,
    tid: 1000,
    route,
  });
  // fchown's kinds are "iii": three arguments, no decoder.
  deepEqual(decodeCall(g.k.tracee, call("fchown")).args, ["0x1", "0x2", "0x3"]);
  // chroot's arguments are not modelled: six raw values.
  equal(decodeCall(g.k.tracee, call("chroot")).args.length, 6);
  deepEqual(decodeCall(g.k.tracee, call("keccakf", "precompile")).args, ["0x1"]);
  deepEqual(decodeCall(g.k.tracee, call("precompile_1000ffff", "precompile")).args, [
    "0x1",
    "0x2",
  ]);
});
