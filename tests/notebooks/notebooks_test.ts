/**
 * The committed notebooks: every code cell has outputs, none is an error,
 * no wall-clock timing is stored; and, where Jupyter and the Deno kernel
 * are installed (`scripts/setup.sh`), re-executing every notebook (as
 * `deno task notebooks --check` does) succeeds and reproduces the committed
 * outputs exactly.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import {
  haveDenoKernel,
  haveJupyter,
  normalize,
  NOTEBOOK_DIR,
  notebookFiles,
  runNotebooks,
} from "../../scripts/notebooks.ts";

const EXPECTED = [
  "01_quick_start.ipynb",
  "02_rust_vs_go.ipynb",
  "03_tier_readiness.ipynb",
  "04_go_runtime.ipynb",
  "05_futex_strategies.ipynb",
  "06_bring_your_own_binary.ipynb",
];

interface Nb {
  cells: {
    cell_type: string;
    id?: string;
    source?: string | string[];
    metadata?: Record<string, unknown>;
    outputs?: { output_type: string; data?: Record<string, unknown> }[];
  }[];
  metadata: { kernelspec?: { name?: string } };
  nbformat: number;
  nbformat_minor: number;
}

function load(file: string): Nb {
  return JSON.parse(Deno.readTextFileSync(file));
}

Deno.test("notebooks: the six notebooks are committed with outputs, no errors, no timings", () => {
  deepEqual(notebookFiles().map((f) => f.split("/").pop()), EXPECTED);
  let shown = 0;
  for (const file of notebookFiles()) {
    const nb = load(file);
    equal(nb.metadata.kernelspec?.name, "deno", file);
    const ids = new Set<string>();
    for (const [i, c] of nb.cells.entries()) {
      ok(c.id && !ids.has(c.id), `${file} cell ${i + 1}: a fixed, unique id`);
      ids.add(c.id!);
      if (c.cell_type !== "code") continue;
      const src = Array.isArray(c.source) ? c.source.join("") : c.source ?? "";
      if (/\bshow\(/.test(src)) {
        ok((c.outputs ?? []).length > 0, `${file} cell ${i + 1} has outputs`);
      }
      for (const o of c.outputs ?? []) {
        ok(o.output_type !== "error", `${file} cell ${i + 1} failed`);
      }
      if ((c.outputs ?? []).length > 0) shown++;
      equal(c.metadata?.execution, undefined, `${file} cell ${i + 1} stores timings`);
    }
    // Saved in the canonical form (what `deno task notebooks` writes).
    deepEqual(normalize(nb as never), nb);
  }
  ok(shown >= 30, `${shown} cells with outputs`);
  // Rich display: the views reach Jupyter as HTML tables and SVG charts.
  const all = notebookFiles().map((f) => Deno.readTextFileSync(f)).join("\n");
  ok(all.includes('"text/html"') && all.includes("<table>"));
  ok(all.includes("<svg"));
});

const JUPYTER = haveJupyter() && haveDenoKernel();
if (!JUPYTER) {
  console.log(
    "notebooks_test: jupyter nbconvert/nbclient or the Deno kernel is missing " +
      "(scripts/setup.sh installs them): re-execution check skipped",
  );
}

Deno.test({
  name: "notebooks: re-executing every notebook succeeds and reproduces the committed outputs",
  ignore: !JUPYTER,
  fn() {
    const log: string[] = [];
    const status = runNotebooks([], true, (l) => log.push(l));
    equal(status, 0, log.join("\n"));
    equal(log.filter((l) => l.startsWith("ok ")).length, EXPECTED.length, log.join("\n"));
    // The check leaves no copies behind.
    const left = [...Deno.readDirSync(NOTEBOOK_DIR)].filter((e) => e.name.startsWith(".check-"));
    deepEqual(left, []);
  },
});
