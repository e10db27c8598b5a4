/**
 * Family profiles (the normative ABI) from stub trials, the preference for
 * side-effect-free stubs, and the argument observations of a run.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { familyDecisions, familyProfile } from "../../lib/analysis/family.ts";
import { mergeObserved } from "../../lib/analysis/observe.ts";
import {
  bestTrial,
  type BinaryReadiness,
  type Effects,
  type StubTrial,
  workingStub,
} from "../../lib/analysis/readiness.ts";
import { executeRun } from "../../lib/analysis/runner.ts";
import { parseProfile } from "../../lib/dispatch/profile.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const none: Effects = {
  instret: 0,
  threads: 0,
  signals: 0,
  switches: 0,
  syscalls: 0,
  induced: [],
  vanished: [],
  changed: {},
};

function trial(syscall: string, result: number, ok: boolean, threads = 0): StubTrial {
  return {
    syscall,
    result,
    outcome: { ok, text: ok ? "identical output" : "stderr: fatal", instret: 1 },
    induced: [],
    effects: { ...none, threads },
    sideEffects: ok && threads !== 0,
  };
}

function readiness(binary: string, used: string[], trials: StubTrial[]): BinaryReadiness {
  const p = {
    profile: {},
    outcome: { ok: true, text: "", instret: 0 },
    effects: none,
    unusedEmulated: [],
  };
  return {
    binary,
    reference: { ok: true, text: "reference", instret: 1, status: 0, stdoutSha256: "" },
    used,
    trials,
    profiles: [],
    sufficient: p,
    faithful: p,
    smallest: "full",
  };
}

Deno.test("a stub without side effects is preferred to one with", () => {
  const ts = [trial("sched_getaffinity", 0, true, -3), trial("sched_getaffinity", -38, true)];
  equal(bestTrial(ts, "sched_getaffinity")?.result, -38);
  equal(workingStub(ts, "sched_getaffinity"), -38);
  equal(workingStub([trial("x", 0, true, -1)], "x"), 0);
  equal(workingStub([trial("x", 0, false)], "x"), undefined);
});

Deno.test("family decisions: implement what fails or only works with side effects; stub a common result", () => {
  const a = readiness("a", ["futex", "fstat", "sched_getaffinity", "uname"], [
    trial("futex", 0, false),
    trial("futex", -38, false),
    trial("fstat", 0, true),
    trial("sched_getaffinity", 0, true, -3),
    trial("sched_getaffinity", -38, false),
    trial("uname", 0, true),
  ]);
  const b = readiness("b", ["fstat", "uname"], [
    trial("fstat", 0, true),
    trial("uname", 0, false),
    trial("uname", -38, true),
  ]);
  const d = familyDecisions([a, b]);
  const by = (s: string) => d.find((x) => x.syscall === s)!;
  equal(by("futex").action, "implement");
  ok(/no stub works for a/.test(by("futex").why));
  deepEqual([by("fstat").action, by("fstat").result], ["stub", 0]);
  deepEqual(by("fstat").usedBy, ["a", "b"]);
  equal(by("sched_getaffinity").action, "implement");
  ok(/threads -3/.test(by("sched_getaffinity").why));
  // No single result works for both: implement.
  equal(by("uname").action, "implement");
  const p = familyProfile({ id: "t", label: "T" }, d, ["a", "b"]);
  const parsed = parseProfile(p, "t");
  equal(parsed.unlisted, "stop");
  deepEqual(parsed.syscalls.get("fstat"), { action: "stub", result: 0 });
  equal(parsed.syscalls.get("futex")?.action, "emulate");
});

Deno.test("observed arguments: paths, flags, results, merged across runs", () => {
  const d = executeRun({
    label: "pthreads",
    program: `${ROOT}guests/bin/c/pthreads`,
    args: [],
    cwd: `${ROOT}guests`,
    profile: "full",
    observe: true,
  });
  const o = d.observed!;
  ok(Object.keys(o.futex.op).every((op) => /^FUTEX_/.test(op)), JSON.stringify(o.futex));
  ok(Object.keys(o.clone.flags).some((f) => f.includes("CLONE_THREAD")));
  equal(Object.values(o.write.result).reduce((s, n) => s + n, 0), d.profile.syscalls.write.count);
  const m = mergeObserved([o, o]);
  equal(m.clone.flags[Object.keys(o.clone.flags)[0]], 2 * Object.values(o.clone.flags)[0]);
});
