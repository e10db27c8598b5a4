/**
 * Scratch directories for guests' working directories. They are made under
 * /var/tmp (or, where that is not writable, the repository's
 * `.cache/scratch`), not the host's /tmp: zkabi keeps the guest's /tmp its
 * own, so a working directory under the host's /tmp would appear to the
 * guest at /cwd instead of at its own path, and traces compared with qemu
 * (which runs in the real directory) would differ.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
const REPO: string = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** Where scratch directories are made. */
export const SCRATCH_BASE: string = pickBase();

function pickBase(): string {
  try {
    const probe = Deno.makeTempDirSync({ dir: "/var/tmp", prefix: "zkabi-probe-" });
    Deno.removeSync(probe);
    return "/var/tmp";
  } catch {
    const base = join(REPO, ".cache", "scratch");
    Deno.mkdirSync(base, { recursive: true });
    return base;
  }
}

/** A fresh empty directory named with `prefix`, outside the host's /tmp. */
export function scratchDir(prefix: string): string {
  return Deno.makeTempDirSync({ dir: SCRATCH_BASE, prefix });
}

/** As {@linkcode scratchDir}, asynchronously. */
export function scratchDirAsync(prefix: string): Promise<string> {
  return Deno.makeTempDir({ dir: SCRATCH_BASE, prefix });
}
