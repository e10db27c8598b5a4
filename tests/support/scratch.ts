/**
 * Scratch directories for guests' working directories. They are made under
 * the repository's `.cache/scratch`, not the host's /tmp: zkabi keeps the
 * guest's /tmp its own, so a working directory under the host's /tmp would
 * appear to the guest at /cwd instead of at its own path.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
const REPO: string = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** Where scratch directories are made. */
export const SCRATCH_BASE: string = join(REPO, ".cache", "scratch");

/** A fresh empty directory named with `prefix`, outside the host's /tmp. */
export function scratchDir(prefix: string): string {
  Deno.mkdirSync(SCRATCH_BASE, { recursive: true });
  return Deno.makeTempDirSync({ dir: SCRATCH_BASE, prefix });
}
