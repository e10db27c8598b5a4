/**
 * Runs one guest like `zkabi run --stats FILE`, with the compiled tier's
 * code generator chosen: `deno run -A bench/backend_run.ts wasm|js STATS
 * PROGRAM [ARGS...]`. The bench uses it to measure the JavaScript backend
 * against the WebAssembly one (the command line always uses the default).
 * @module
 */

import { run } from "../lib/run/run.ts";

if (import.meta.main) {
  const [backend, stats, program, ...args] = Deno.args;
  if (backend !== "wasm" && backend !== "js") {
    console.error("usage: backend_run.ts wasm|js STATS PROGRAM [ARGS...]");
    Deno.exit(125);
  }
  const r = run({
    program,
    args,
    stdout: "inherit",
    stderr: "inherit",
    onKernel: (k) => (k.cpu.backend = backend),
  });
  Deno.writeTextFileSync(stats, JSON.stringify(r.stats, null, 2) + "\n");
  Deno.exit(r.status);
}
