import assert from "node:assert/strict";
import { Hart, X_SINK } from "../../lib/cpu/hart.ts";
import { OPS } from "../../lib/cpu/ops.ts";
import { executeFp } from "../../lib/cpu/fpu.ts";
import { type FpVector, hasRoundingMode, loadVectors, opShape } from "./fpu_vectors.ts";

const U64 = (1n << 64n) - 1n;

/** Register placement for one run: distinct registers, or rd aliasing rs1. */
interface Placement {
  rd: number;
  rs: number[];
}

const DISTINCT: Placement = { rd: 5, rs: [6, 7, 8] };
const ALIASED: Placement = { rd: 6, rs: [6, 7, 8] };

/** Runs a vector; returns a mismatch description or "" when it matches. */
function check(v: FpVector, dynamic: boolean, place: Placement): string {
  const shape = opShape(v.name);
  const h = new Hart();
  // Poison every register so stray reads or writes show up.
  for (let i = 0; i < 32; i++) {
    h.setF(i, 0x5a5a5a5a_a5a5a5a5n);
    if (i !== 0) h.setX(i, 0x3c3c3c3c_c3c3c3c3n);
  }
  shape.sources.forEach((kind, k) => {
    if (kind === "f") h.setF(place.rs[k], v.operands[k]);
    else h.setX(place.rs[k], v.operands[k]);
  });
  const rmField = dynamic ? 7 : v.rm;
  if (dynamic) h.frm = v.rm;
  const rs3 = shape.sources.length === 3 ? place.rs[2] : 0;
  const ok = executeFp(h, OPS[v.name], place.rd, place.rs[0], place.rs[1], rs3 | (rmField << 5));
  if (!ok) return "reported illegal";
  const got = (shape.dest === "f" ? h.getF(place.rd) : h.getX(place.rd)) & U64;
  const hex = (x: bigint) => x.toString(16);
  if (got !== v.result || h.fflags !== v.flags) {
    return `got ${hex(got)} flags ${h.fflags.toString(16)}, want ${hex(v.result)} flags ${
      v.flags.toString(16)
    }`;
  }
  // Other registers untouched.
  for (let i = 0; i < 32; i++) {
    if (shape.dest === "f" && i === place.rd) continue;
    if (shape.sources.some((k, j) => k === "f" && place.rs[j] === i)) continue;
    if ((h.getF(i) & U64) !== 0x5a5a5a5a_a5a5a5a5n) return `clobbered f${i}`;
  }
  return "";
}

Deno.test("FPU matches the qemu-generated reference vectors", () => {
  const vectors = loadVectors();
  assert.ok(vectors.length > 10000, `only ${vectors.length} vectors`);
  const failures: string[] = [];
  const perOp = new Map<string, number>();
  let runs = 0;
  for (const v of vectors) {
    perOp.set(v.name, (perOp.get(v.name) ?? 0) + 1);
    const shape = opShape(v.name);
    const modes = hasRoundingMode(v.name) ? [false, true] : [false];
    const places = shape.dest === shape.sources[0] ? [DISTINCT, ALIASED] : [DISTINCT];
    for (const dyn of modes) {
      for (const place of places) {
        runs++;
        const msg = check(v, dyn, place);
        if (msg !== "") {
          failures.push(
            `line ${v.line}: ${v.name} rm=${v.rm}${dyn ? " (dyn)" : ""}${
              place === ALIASED ? " (rd=rs1)" : ""
            } ${v.operands.map((x) => x.toString(16)).join(" ")}: ${msg}`,
          );
        }
      }
    }
  }
  // Every F/D op has vectors.
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

Deno.test("integer destinations x0 go to the sink", () => {
  const h = new Hart();
  h.setF(1, 0x3ff0000000000000n);
  assert.equal(executeFp(h, OPS.FCVT_L_D, X_SINK, 1, 0, 0), true);
  assert.equal(h.getX(0), 0n);
  assert.equal(h.getX(X_SINK), 1n);
});
