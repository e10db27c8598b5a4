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

/**
 * Checks a dispatch switch's `case N: // NAME` labels against OP_NAMES:
 * numeric labels, a name comment on each, the name OP_NAMES gives N, no
 * label twice, every F/D op (160..219 but the loads and stores, which the
 * interpreter handles) covered and nothing outside that range. Returns the
 * problems found.
 */
function labelProblems(body: string): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  const lines = [...body.matchAll(/^[ \t]*case[ \t]+(\w+):(.*)$/gm)];
  if (lines.length === 0) problems.push("no case labels");
  for (const m of lines) {
    if (!/^\d+$/.test(m[1])) {
      problems.push(`case ${m[1]} is not a numeric literal`);
      continue;
    }
    const n = Number(m[1]);
    const named = /^[ \t]*(?:\{[ \t]*)?\/\/[ \t]*(\w+)/.exec(m[2]);
    if (!named) problems.push(`case ${n} has no name comment`);
    else if (OP_NAMES[n] !== named[1]) {
      problems.push(`case ${n} says ${named[1]}, OP_NAMES says ${OP_NAMES[n]}`);
    }
    if (seen.has(n)) problems.push(`case ${n} appears twice`);
    seen.add(n);
  }
  const memory = ["FLW", "FLD", "FSW", "FSD"];
  for (let n = 160; n <= 219; n++) {
    if (OP_NAMES[n] === "" || memory.includes(OP_NAMES[n])) continue;
    if (!seen.has(n)) problems.push(`no case for ${OP_NAMES[n]} (${n})`);
  }
  for (const n of seen) if (n < 160 || n > 219) problems.push(`case ${n} outside the F/D range`);
  return problems;
}

Deno.test("executeFp case labels match OP_NAMES and cover every F/D op", () => {
  assert.deepEqual(labelProblems(executeFpSource()), []);
});

Deno.test("the label check catches a wrong name, a missing name, a duplicate and a gap", () => {
  // The real switch with one label renamed, one comment dropped and one case doubled.
  const body = executeFpSource();
  const first = /^([ \t]*case[ \t]+)(\d+):[ \t]*\/\/[ \t]*(\w+)/m.exec(body)!;
  const n = Number(first[2]);
  const renamed = body.replace(first[0], `${first[1]}${n}: // NOT_${first[3]}`);
  assert.deepEqual(labelProblems(renamed), [
    `case ${n} says NOT_${first[3]}, OP_NAMES says ${OP_NAMES[n]}`,
  ]);
  const unnamed = body.replace(first[0], `${first[1]}${n}:`);
  assert.deepEqual(labelProblems(unnamed), [`case ${n} has no name comment`]);
  const doubled = body + `\n    case ${n}: // ${OP_NAMES[n]}\n`;
  assert.deepEqual(labelProblems(doubled), [`case ${n} appears twice`]);
  const missing = body.replace(first[0], `${first[1]}999: // X`);
  const p = labelProblems(missing);
  assert.ok(p.includes(`no case for ${OP_NAMES[n]} (${n})`), p.join("; "));
  assert.ok(p.includes("case 999 outside the F/D range"), p.join("; "));
});
