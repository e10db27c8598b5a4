import { deepEqual, equal, ok } from "node:assert/strict";
import { ISA_CLASSES, isaClassCounts, isaClassOf, OPS } from "../../lib/cpu/ops.ts";
import { run } from "../../lib/run/run.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("isa classes: every op belongs to the extension that defines it", () => {
  const cases: [string, string][] = [
    ["ADDI", "I"],
    ["ECALL", "I"],
    ["FENCE", "I"],
    ["FENCE_I", "Zifencei"],
    ["CSRRS", "Zicsr"],
    ["MULHU", "M"],
    ["REMUW", "M"],
    ["LR_D", "A"],
    ["AMOMAXU_W", "A"],
    ["SH2ADD_UW", "Zba"],
    ["CPOPW", "Zbb"],
    ["REV8", "Zbb"],
    ["BEXTI", "Zbs"],
    ["FLW", "F"],
    ["FMV_W_X", "F"],
    ["FCVT_S_LU", "F"],
    ["FSD", "D"],
    ["FCVT_S_D", "D"],
    ["FCVT_D_S", "D"],
    ["FCVT_D_W", "D"],
    ["FMV_X_D", "D"],
  ];
  for (const [name, cls] of cases) equal(isaClassOf(OPS[name]), cls, name);
  const counts = new Float64Array(512);
  counts[OPS.ADD] = 5;
  counts[256 + OPS.ADDI] = 3; // compressed c.addi: I, and C
  counts[OPS.FADD_D] = 2;
  deepEqual(isaClassCounts(counts), {
    I: 8,
    M: 0,
    A: 0,
    F: 0,
    D: 2,
    Zba: 0,
    Zbb: 0,
    Zbs: 0,
    Zicsr: 0,
    Zifencei: 0,
    C: 3,
  });
  deepEqual(Object.keys(isaClassCounts(counts)), ISA_CLASSES);
});

Deno.test("isa classes: counted exactly, without changing the run", () => {
  for (const prog of ["guests/bin/c/fpmix", "guests/bin/c/pthreads"]) {
    const opts = { program: `${ROOT}${prog}`, cwd: `${ROOT}guests` };
    const plain = run(opts);
    const counted = run({ ...opts, countIsaClasses: true });
    equal(counted.status, plain.status, prog);
    deepEqual(counted.stdout, plain.stdout, prog);
    equal(counted.stats.instret, plain.stats.instret, prog);
    const c = counted.stats.isaClasses!;
    const functional = ISA_CLASSES.filter((x) => x !== "C").reduce((a, x) => a + c[x], 0);
    // Every retired instruction counted once (nothing here faults or is illegal).
    equal(functional, counted.stats.instret, prog);
    ok(c.C > 0 && c.C < functional, `${prog}: compressed ${c.C}`);
    equal(plain.stats.isaClasses, undefined);
  }
  const fp = run({ program: `${ROOT}guests/bin/c/fpmix`, countIsaClasses: true }).stats.isaClasses!;
  ok(fp.F > 0 && fp.D > 0, JSON.stringify(fp));
  const mt = run({ program: `${ROOT}guests/bin/c/pthreads`, countIsaClasses: true }).stats
    .isaClasses!;
  ok(mt.A > 0, "pthreads uses atomics");
});
