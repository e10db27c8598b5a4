/**
 * The zkabi REPL: load riscv64 guests, set breakpoints on addresses,
 * symbols and syscalls, step, inspect registers, memory, disassembly,
 * threads and the trace, compare runs, check tier readiness and write a
 * markdown report. `deno task repl` (interactive), `deno task repl
 * script.zk` (a script), or commands piped to stdin. See `lib/repl/`.
 * @module
 */

import { main } from "./lib/repl/main.ts";

if (import.meta.main) {
  // Bundled guests (`load --guest`) are found in this repository.
  Deno.exit(await main(Deno.args, new URL(".", import.meta.url).pathname.replace(/\/$/, "")));
}
