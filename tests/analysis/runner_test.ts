import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { costBreakdown, phaseInstructions } from "../../lib/analysis/costs.ts";
import { executeRun, requestKey, RunPool } from "../../lib/analysis/runner.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const guest = (name: string) => ({
  label: name,
  program: `${ROOT}guests/bin/c/${name}`,
  args: [],
  cwd: `${ROOT}guests`,
  profile: "full",
});

Deno.test("pc sampling does not change the run", () => {
  const plain = executeRun(guest("pthreads"));
  const sampled = executeRun({ ...guest("pthreads"), sample: 997 });
  equal(sampled.instret, plain.instret);
  equal(sampled.stdoutSha256, plain.stdoutSha256);
  equal(sampled.contextSwitches, plain.contextSwitches);
  deepEqual(sampled.profile, plain.profile);
  const n = Object.values(sampled.samples!.byPhase).flat().reduce((s, [, c]) => s + c, 0);
  equal(n, Math.floor(plain.instret / 997));
  const costs = costBreakdown(sampled, undefined, "none");
  equal(costs.samples, n);
  equal(costs.classes, undefined);
  const ph = phaseInstructions(plain.instret, plain.phaseStart);
  equal(ph.loader + ph.startup + ph.app + ph.exit, plain.instret);
  equal(ph.loader, 0);
});

Deno.test("a run stops early when its output leaves the expected bytes", () => {
  const ref = executeRun(guest("hello"));
  ok(ref.stdout && ref.stdout.length > 0);
  const same = executeRun({
    ...guest("hello"),
    expect: { stdout: ref.stdout!, stderr: ref.stderr! },
  });
  equal(same.diverged, undefined);
  equal(same.stdoutSha256, ref.stdoutSha256);
  const other = new TextEncoder().encode("Hello from somewhere else\n");
  const d = executeRun({ ...guest("hello"), expect: { stdout: other, stderr: ref.stderr! } });
  equal(d.diverged, "stdout");
  equal(d.end, "error");
});

Deno.test("a syscall limit stops livelocks", () => {
  const d = executeRun({ ...guest("pthreads"), maxSyscalls: 10 });
  equal(d.end, "error");
  ok(/livelock/.test(d.message));
  equal(d.profile.total, 11);
});

Deno.test("a denied syscall is reported with its phase", () => {
  const d = executeRun({ ...guest("pthreads"), profile: "basic" });
  equal(d.end, "deny");
  equal(d.denied?.name, "set_tid_address");
  equal(d.denied?.phase, "startup");
});

Deno.test("workers give the same digests as the main thread; identical requests run once", async () => {
  const pool = new RunPool(1);
  try {
    const [a, b] = await Promise.all([pool.run(guest("hello")), pool.run(guest("hello"))]);
    equal(a, b);
    equal(pool.done, 1);
    const inline = executeRun(guest("hello"));
    equal(a.instret, inline.instret);
    deepEqual(a.profile, inline.profile);
    equal(requestKey(guest("hello")), requestKey({ ...guest("hello") }));
  } finally {
    pool.close();
  }
});
