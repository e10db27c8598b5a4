/**
 * Fetches the pinned riscv64 sysroot of the dynamic Rust guest into
 * `.cache/sysroot/` (what `deno task analyze` does first), so that the
 * tests of the dynamic guest run too. `scripts/setup.sh` calls it.
 *
 * ```sh
 * deno run -A scripts/sysroot.ts
 * ```
 * @module
 */

import { ensureSysroot } from "../lib/analysis/sysroot.ts";

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  try {
    const r = await ensureSysroot(root, (l) => console.log(l));
    console.log(`sysroot: ${r.dir} (${r.downloaded.length} package(s) downloaded)`);
  } catch (e) {
    // Without it the dynamic guest's tests are ignored, with their reason.
    console.log(`sysroot: not fetched: ${(e as Error).message.split("\n")[0]}`);
  }
}
