/**
 * Determinism of the Go guest (threads, futexes, preemption signals on the
 * virtual clock and the deterministic scheduler): two runs of each variant
 * the study tried give byte-identical JSON traces and statistics identical
 * but for wall time, and each variant computes the right state root.
 */
import { equal, ok } from "node:assert/strict";
import { run, type RunResult } from "../../lib/run/run.ts";
import { eventJson } from "../../lib/trace/json.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const expected = JSON.parse(Deno.readTextFileSync(`${ROOT}guests/fixtures/expected.json`));

function t8n(env: Record<string, string>): { r: RunResult; trace: string } {
  const lines: string[] = [];
  const r = run({
    program: `${ROOT}guests/bin/go/t8n`,
    args: ["--input.alloc=alloc.json", "--input.env=env.json", "--input.txs=txs.json"],
    cwd: `${ROOT}guests/fixtures/t8n`,
    env,
    tracer: (e) => lines.push(eventJson(e)),
  });
  return { r, trace: lines.join("\n") };
}

const VARIANTS: [string, Record<string, string>][] = [
  ["default", {}],
  ["GOMAXPROCS=1", { GOMAXPROCS: "1" }],
  ["GODEBUG=asyncpreemptoff=1", { GODEBUG: "asyncpreemptoff=1" }],
  ["GOGC=off", { GOGC: "off" }],
];

for (const [name, env] of VARIANTS) {
  Deno.test(`Go guest, ${name}: correct, and two runs are identical`, () => {
    const a = t8n(env);
    const b = t8n(env);
    equal(a.r.status, 0, a.r.message);
    equal(JSON.parse(new TextDecoder().decode(a.r.stdout)).result.stateRoot, expected.stateRoot);
    ok(a.trace.length > 1000);
    equal(a.trace, b.trace, "byte-identical JSON traces");
    equal(
      JSON.stringify({ ...a.r.stats, wallSeconds: 0 }),
      JSON.stringify({ ...b.r.stats, wallSeconds: 0 }),
      "statistics identical but for wall time",
    );
    if (env.GODEBUG === "asyncpreemptoff=1") {
      // The study: without asynchronous preemption, rt_sigreturn disappears.
      equal(a.r.stats.syscalls.rt_sigreturn ?? 0, 0);
    } else if (!env.GOMAXPROCS) {
      ok((a.r.stats.syscalls.rt_sigreturn ?? 0) > 0, "SIGURG preemption happened");
    }
  });
}
