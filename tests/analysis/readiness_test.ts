import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  analyzeReadiness,
  coverage,
  withStubs,
  workingStub,
} from "../../lib/analysis/readiness.ts";
import { RunPool } from "../../lib/analysis/runner.ts";
import { builtinProfile, parseProfile } from "../../lib/dispatch/profile.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const C = (name: string) => ({
  label: name,
  program: `${ROOT}guests/bin/c/${name}`,
  args: [],
  cwd: Deno.makeTempDirSync(),
});

Deno.test("coverage: how profiles treat syscalls", () => {
  const basic = builtinProfile("basic");
  equal(coverage(basic, "write"), "emulate");
  equal(coverage(basic, "clone"), "stop");
  equal(coverage(builtinProfile("full"), "clone"), "emulate");
  // full answers syscalls zkabi does not implement with -ENOSYS.
  equal(coverage(builtinProfile("full"), "io_uring_setup"), "enosys");
  const p = parseProfile(withStubs("basic", [{ syscall: "gettid", result: 7 }]), "t");
  equal(coverage(p, "gettid"), "stub");
  deepEqual(p.syscalls.get("gettid"), { action: "stub", result: 7 });
  equal(p.name, "basic+stubs");
});

Deno.test("readiness of hello: write and exit_group cannot be stubbed; basic runs it", async () => {
  const pool = new RunPool(0);
  const r = await analyzeReadiness(pool, C("hello"));
  deepEqual(r.used, ["exit_group", "write"]);
  // hello prints a greeting (stub: no output) and checks write's results;
  // a stubbed exit_group returns into code that must never run.
  equal(workingStub(r.trials, "write"), undefined);
  equal(workingStub(r.trials, "exit_group"), undefined);
  equal(r.smallest, "basic");
  ok(r.profiles.every((p) => p.outcome.ok));
  ok(r.sufficient.outcome.ok);
  ok(r.faithful.outcome.ok);
});

Deno.test("readiness of a static glibc program: start-up calls are stubbable, output is not", async () => {
  const pool = new RunPool(0);
  const r = await analyzeReadiness(pool, C("fpmix"));
  // glibc's start-up bookkeeping does not change what the program prints.
  for (const s of ["set_tid_address", "set_robust_list", "prlimit64"]) {
    equal(workingStub(r.trials, s), 0, s);
  }
  equal(workingStub(r.trials, "write"), undefined);
  const basic = r.profiles.find((p) => p.profile === "basic")!;
  equal(basic.outcome.ok, false);
  equal(basic.firstBlocker?.syscall, "set_tid_address");
  equal(basic.firstBlocker?.phase, "startup");
  // Every used syscall outside a profile is either stubbable or must be implemented.
  for (const p of r.profiles) {
    deepEqual(
      [...p.stubbable.map((s) => s.syscall), ...p.mustImplement].sort(),
      p.outside.map((o) => o.syscall).sort(),
    );
  }
  // A stub that only works by making the program call something else is not counted:
  // a stubbed brk makes glibc's malloc fall back to mmap.
  const brk = r.trials.filter((t) => t.syscall === "brk");
  ok(brk.length > 0 && brk.every((t) => !t.outcome.ok));
  ok(brk.some((t) => t.induced.includes("mmap")));
  ok(r.sufficient.outcome.ok, r.sufficient.outcome.text);
});
