import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { Dispatcher } from "../../lib/dispatch/dispatcher.ts";
import { builtinProfile, parseProfile, ProfileError } from "../../lib/dispatch/profile.ts";
import type { TraceEvent } from "../../lib/kernel/events.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { assemble, EBREAK, ECALL, iOp, lui } from "../support/asm.ts";
import { testKernel } from "../support/kernel.ts";

/** A kernel running `code` at 0x10000 with a data page at 0x20000. */
function kernelWith(code: number[], profile = builtinProfile("full")) {
  const k = testKernel({
    cpus: 1,
    maxInsns: 10_000,
    memory: { maxBytes: 1 << 24 },
    maps: [[0x10000, 0x1000, PROT_READ | PROT_EXEC], [0x20000, 0x1000, PROT_READ | PROT_WRITE]],
  });
  k.mem.poke(0x10000, assemble([...code, EBREAK]));
  const events: TraceEvent[] = [];
  k.addTracer((e) => events.push(e));
  k.mainThread.hart.pc = 0x10000;
  new Dispatcher(k, profile, () => "app");
  return { k, events };
}

/** li a7, nr (nr < 2^31) via lui+addi. */
function li(rd: number, v: number): number[] {
  const lo = (v << 20) >> 20;
  const hi = (v - lo) | 0;
  return hi === 0 ? [iOp("addi", rd, 0, lo)] : [lui(rd, hi), iOp("addi", rd, rd, lo & 0xfff)];
}

Deno.test("an unknown syscall number returns -ENOSYS under an enosys policy", () => {
  const { k, events } = kernelWith([...li(17, 500), ECALL]);
  k.run();
  equal(k.mainThread.hart.getX(10), -38n);
  // The syscall, then the EBREAK's SIGTRAP that ends the program.
  deepEqual(events.map((e) => e.kind), ["syscall", "signal"]);
  const e = events[0];
  ok(e.kind === "syscall");
  equal(e.name, "syscall_500");
  equal(e.route, "unlisted");
});

Deno.test("a syscall listed as stub returns the profile's fixed result", () => {
  const profile = parseProfile(
    { name: "t", unlisted: "enosys", syscalls: { getpid: { action: "stub", result: 7 } } },
    "t.json",
  );
  const { k, events } = kernelWith([...li(17, 172), ECALL], profile);
  k.run();
  equal(k.mainThread.hart.getX(10), 7n);
  ok(events[0].kind === "syscall" && events[0].route === "stub");
});

Deno.test("a denied syscall stops the run with a full diagnostic", () => {
  const profile = parseProfile({ name: "strict", syscalls: { close: "deny" } }, "s.json");
  const { k } = kernelWith([...li(10, 3), ...li(17, 57), ECALL], profile);
  const end = k.run();
  equal(end.kind, "deny");
  const msg = (end as { message: string }).message;
  match(msg, /syscall close \(57\) denied by profile 'strict'/);
  match(msg, /thread 1000/);
  match(msg, /pc 0x10008/);
  match(msg, /instret 3/);
  match(msg, /: close\(3\)$/);
});

Deno.test("the basic tier stops at the first syscall outside it", () => {
  const { k } = kernelWith([...li(17, 98), ECALL], builtinProfile("basic"));
  const end = k.run();
  equal(end.kind, "deny");
  match((end as { message: string }).message, /syscall futex \(98\) not in profile 'basic'/);
});

Deno.test("the keccak precompile permutes 200 bytes in place", () => {
  const { k, events } = kernelWith([...li(10, 0x20000), ...li(17, 0x10000001), ECALL]);
  k.run();
  equal(k.mainThread.hart.getX(10), 0n);
  // keccak-f[1600] of the zero state: first lane of the known permuted state.
  equal(k.mem.readU64(0x20000), 0xf1258f7940e1dde7n);
  ok(events[0].kind === "syscall" && events[0].route === "precompile");
  equal(events[0].name, "keccakf");
});

Deno.test("a precompile with a bad pointer returns -EFAULT", () => {
  const { k } = kernelWith([...li(10, 0x50000), ...li(17, 0x10000001), ECALL]);
  k.run();
  equal(k.mainThread.hart.getX(10), -14n);
});

Deno.test("profile files: every mistake names the file and the key", () => {
  const cases: [unknown, RegExp][] = [
    [[], /p\.json: a profile must be a JSON object/],
    [{}, /p\.json: key 'name': missing/],
    [{ name: 1 }, /key 'name': must be a string/],
    [{ name: "x", bogus: 1 }, /key 'bogus': unknown key/],
    [{ name: "x", unlisted: "maybe" }, /key 'unlisted': must be "stop" or "enosys"/],
    [{ name: "x", syscalls: { notacall: "emulate" } }, /key 'syscalls\.notacall': not a riscv64/],
    [{ name: "x", syscalls: { read: "perhaps" } }, /key 'syscalls\.read': action must be/],
    [{ name: "x", syscalls: { read: { action: "stub", result: "0" } } }, /syscalls\.read\.result/],
    [{ name: "x", syscalls: { read: { action: "stub", extra: 1 } } }, /syscalls\.read\.extra/],
    [{ name: "x", extends: "nope" }, /unknown tier 'nope'/],
  ];
  for (const [json, re] of cases) {
    throws(() => parseProfile(json, "p.json"), (e: Error) => {
      ok(e instanceof ProfileError);
      ok(!e.message.includes("\n"), "one line");
      match(e.message, re);
      return true;
    });
  }
});

Deno.test("extends starts from the built-in profile and overrides entries", () => {
  const p = parseProfile(
    { name: "x", extends: "advanced", syscalls: { futex: "deny", rseq: "stub" } },
    "x.json",
  );
  deepEqual(p.syscalls.get("futex"), { action: "deny" });
  deepEqual(p.syscalls.get("rseq"), { action: "stub", result: 0 });
  deepEqual(p.syscalls.get("brk"), { action: "emulate" });
  equal(p.unlisted, "stop");
  const basic = builtinProfile("basic");
  ok(!basic.syscalls.has("futex"));
  ok(builtinProfile("advanced").syscalls.has("futex"));
});
