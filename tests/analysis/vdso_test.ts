/**
 * The analysis of what the vDSO removes: a glibc guest and a Go guest run
 * with and without it; only clock calls disappear, the output is the same,
 * and the requirement names the time page and the vDSO symbols.
 */

import assert from "node:assert/strict";
import { measureVdso } from "../../lib/analysis/vdso.ts";

const GUESTS = new URL("../guests/", import.meta.url).pathname;

Deno.test("vDSO analysis: static glibc clock reads stop trapping, same output", () => {
  const c = measureVdso({
    label: "vdso_clock",
    program: `${GUESTS}bin/vdso_clock`,
    args: [],
    cwd: GUESTS,
    profile: "full",
  });
  assert.ok(c.sameOutput);
  assert.ok((c.removed.clock_gettime ?? 0) >= 10, JSON.stringify(c.removed));
  assert.ok((c.removed.clock_getres ?? 0) >= 5, JSON.stringify(c.removed));
  assert.equal(
    Object.keys(c.removed).every((n) => n.startsWith("clock_") || n === "gettimeofday"),
    true,
  );
  assert.ok(c.total.withVdso < c.total.withoutVdso);
  assert.match(c.requirement, /readable time page .* __vdso_clock_gettime/);
});

Deno.test("vDSO analysis: the Go runtime reads its clocks through __vdso_clock_gettime", () => {
  const c = measureVdso({
    label: "go_threads",
    program: `${GUESTS}bin/go_threads`,
    args: [],
    cwd: GUESTS,
    profile: "full",
  });
  assert.ok(c.sameOutput);
  assert.deepEqual(Object.keys(c.removed), ["clock_gettime"]);
  assert.ok(c.removed.clock_gettime > 0);
});
