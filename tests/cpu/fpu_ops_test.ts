import assert from "node:assert/strict";
import { OP_NAMES } from "../../lib/cpu/ops.ts";

/** The text of executeFp, whose switch dispatches the F/D ops. */
function executeFpSource(): string {
  const src = Deno.readTextFileSync(new URL("../../lib/cpu/fpu.ts", import.meta.url));
  const start = src.indexOf("export function executeFp(");
  assert.ok(start >= 0, "executeFp not found");
  const end = src.indexOf("\n}\n", start);
  assert.ok(end > start);
  return src.slice(start, end);
}

Deno.test("executeFp case labels match OP_NAMES and cover every F/D op", () => {
  const body = executeFpSource();
  const seen = new Set<number>();
  const lines = [...body.matchAll(/^[ \t]*case[ \t]+(\w+):(.*)$/gm)];
  assert.ok(lines.length > 0);
  for (const m of lines) {
    assert.match(m[1], /^\d+$/, `case ${m[1]} is not a numeric literal`);
    const n = Number(m[1]);
    const named = /^[ \t]*(?:\{[ \t]*)?\/\/[ \t]*(\w+)/.exec(m[2]);
    assert.ok(named, `case ${n} has no name comment`);
    assert.equal(OP_NAMES[n], named[1], `case ${n} says ${named[1]}, OP_NAMES says ${OP_NAMES[n]}`);
    assert.ok(!seen.has(n), `case ${n} appears twice`);
    seen.add(n);
  }
  const memory = ["FLW", "FLD", "FSW", "FSD"]; // the interpreter's
  for (let n = 160; n <= 219; n++) {
    if (OP_NAMES[n] === "" || memory.includes(OP_NAMES[n])) continue;
    assert.ok(seen.has(n), `no case for ${OP_NAMES[n]} (${n})`);
  }
  for (const n of seen) assert.ok(n >= 160 && n <= 219, `case ${n} outside the F/D range`);
});

Deno.test("the label check catches a wrong name", () => {
  // Guards the test itself: a mislabelled case must not match OP_NAMES.
  const m = /^[ \t]*case[ \t]+(\w+):(.*)$/m.exec("    case 164: // FSUB_S");
  assert.ok(m);
  const named = /^[ \t]*(?:\{[ \t]*)?\/\/[ \t]*(\w+)/.exec(m[2]);
  assert.ok(named);
  assert.notEqual(OP_NAMES[Number(m[1])], named[1]);
});
