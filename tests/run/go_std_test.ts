/**
 * Go standard-library test binaries (guests/go/std.ts) under zkabi: each
 * gives the verdicts (`--- PASS/FAIL/SKIP: name`, subtests included) and
 * the exit status qemu-user gave (recorded in guests/go/std_expected.json),
 * with loopback networking for net, net/http/httptest, context and
 * encoding/json's HTTP tests. With the vDSO (default) the runtime's clock
 * reads never trap; two runs of the same binary give byte-identical traces.
 */

import assert from "node:assert/strict";
import { GO_STD_ENV, GO_STD_GUESTS, stdFile, verdicts } from "../../guests/go/std.ts";
import { run, type RunResult } from "../../lib/run/run.ts";
import { eventJson } from "../../lib/trace/json.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const EXPECTED = JSON.parse(
  Deno.readTextFileSync(`${ROOT}guests/go/std_expected.json`),
) as Record<string, { args: string[]; exit: number; results: string[] }>;

function runStd(name: string, args: readonly string[], trace?: string[]): RunResult {
  const g = GO_STD_GUESTS.find((x) => x.name === name)!;
  const cwd = Deno.makeTempDirSync({ prefix: "zkabi-gostd-" });
  try {
    return run({
      program: `${ROOT}guests/${stdFile(g)}`,
      args,
      argv0: `${name}.test`,
      cwd,
      pathMap: { host: cwd, guest: "/work" },
      env: GO_STD_ENV,
      tracer: trace ? (e) => trace.push(eventJson(e)) : undefined,
    });
  } finally {
    Deno.removeSync(cwd, { recursive: true });
  }
}

for (const g of GO_STD_GUESTS) {
  Deno.test(`Go std ${g.pkg} tests: the verdicts qemu-user gives, and no clock_gettime`, () => {
    const want = EXPECTED[g.name];
    assert.deepEqual(want.args, [...g.args], "guests/go/std_expected.json is current");
    const r = runStd(g.name, g.args);
    const out = new TextDecoder().decode(r.stdout);
    const got = verdicts(out);
    const missing = want.results.filter((x) => !got.includes(x));
    const extra = got.filter((x) => !want.results.includes(x));
    assert.deepEqual(
      { missing, extra },
      { missing: [], extra: [] },
      `${g.name}: ${r.message ?? ""}\n${out.split("\n").slice(-30).join("\n")}`,
    );
    assert.equal(r.status, want.exit);
    assert.ok(got.some((x) => x.startsWith("--- PASS")));
    assert.equal(r.stats.syscalls.clock_gettime ?? 0, 0, "the vDSO serves the runtime's clocks");
  });
}

Deno.test("Go std context tests: two runs give byte-identical traces", () => {
  const args = ["-test.short", "-test.run=ExampleAfterFunc_connection|TestWithDeadline"];
  const a: string[] = [];
  const b: string[] = [];
  const ra = runStd("context", args, a);
  runStd("context", args, b);
  assert.equal(ra.status, 0, ra.message);
  assert.ok(a.some((l) => l.includes('"name":"listen"')), "the example listened on loopback");
  assert.equal(a.join("\n"), b.join("\n"));
});
