import { equal, ok } from "node:assert/strict";
import { OP_NAMES } from "../../lib/cpu/ops.ts";

// The interpreter, the shared ALU helper and the region compiler switch on
// numeric literals (for V8's jump tables); each case carries the op's name in
// a comment. Check every one against ops.ts.
Deno.test("every literal case label in the CPU names its op correctly", async () => {
  let src = "";
  for (const f of ["interpreter.ts", "alu.ts", "jit.ts"]) {
    src += await Deno.readTextFile(new URL(`../../lib/cpu/${f}`, import.meta.url));
  }
  const cases = [...src.matchAll(/case (\d+): (?:\{ )?\/\/ ([A-Z0-9_]+)/g)];
  ok(cases.length > 100, `found only ${cases.length} cases`);
  for (const [, num, name] of cases) equal(OP_NAMES[Number(num)], name, `case ${num}`);
});

Deno.test("op numbers are unique and the FP group starts where the FPU expects", () => {
  const seen = new Set<string>();
  for (const n of OP_NAMES) {
    if (n === "") continue;
    ok(!seen.has(n), n);
    seen.add(n);
  }
  equal(OP_NAMES[160], "FMADD_S");
  equal(OP_NAMES[219], "FCVT_D_S");
});
