import assert from "node:assert/strict";
import { executeFp } from "../../lib/cpu/fpu.ts";
import { Hart, X_SINK } from "../../lib/cpu/hart.ts";
import { OPS } from "../../lib/cpu/ops.ts";
import {
  ALIASED,
  checkVector,
  describeVector,
  DISTINCT,
  hasRoundingMode,
  loadVectors,
  opShape,
} from "./fpu_vectors.ts";

Deno.test("FPU matches the qemu-generated reference vectors", () => {
  const vectors = loadVectors();
  assert.ok(vectors.length > 10000, `only ${vectors.length} vectors`);
  const failures: string[] = [];
  const perOp = new Map<string, number>();
  let runs = 0;
  for (const v of vectors) {
    perOp.set(v.name, (perOp.get(v.name) ?? 0) + 1);
    const shape = opShape(v.name);
    // rm in the instruction and, for ops that have one, rm = dyn with frm set
    const modes = hasRoundingMode(v.name) ? [false, true] : [false];
    const places = shape.dest === shape.sources[0] ? [DISTINCT, ALIASED] : [DISTINCT];
    for (const dyn of modes) {
      for (const place of places) {
        runs++;
        const msg = checkVector(v, dyn, place);
        if (msg !== "") {
          failures.push(
            `${describeVector(v)}${dyn ? " (dyn)" : ""}${
              place === ALIASED ? " (rd=rs1)" : ""
            }: ${msg}`,
          );
        }
      }
    }
  }
  for (const [name, n] of Object.entries(OPS)) {
    if (n >= 160 && n <= 219) assert.ok(perOp.has(name), `no vectors for ${name}`);
  }
  const passed = runs - failures.length;
  console.log(
    `fp vectors: ${vectors.length} vectors, ${runs} runs, ${passed} passed (${
      (100 * passed / runs).toFixed(3)
    }%)`,
  );
  assert.equal(failures.length, 0, failures.slice(0, 40).join("\n"));
});

Deno.test("the vector check detects a wrong result", () => {
  // Guards the harness: a corrupted expectation must be reported.
  const v = loadVectors().find((x) => x.name === "FADD_D" && x.flags === 1);
  assert.ok(v);
  assert.equal(checkVector(v, false, DISTINCT), "");
  assert.notEqual(checkVector({ ...v, result: v.result ^ 1n }, false, DISTINCT), "");
  assert.notEqual(checkVector({ ...v, flags: 0 }, true, DISTINCT), "");
});

Deno.test("integer destination x0 goes to the sink", () => {
  const h = new Hart();
  h.setF(1, 0x3ff0000000000000n);
  assert.equal(executeFp(h, OPS.FCVT_L_D, X_SINK, 1, 0, 0), true);
  assert.equal(h.getX(0), 0n);
  assert.equal(h.getX(X_SINK), 1n);
});
