/**
 * The real go-ethereum clients' measurements as committed data.
 *
 * Their binaries are built outside the repository and never committed
 * (guests/geth/README.md). So `deno task analyze` measures them when they
 * are present and writes what it found to `data/real_clients.json`, with the
 * sha256 of every binary and the zkabi commit that measured them; when they
 * are absent (a fresh clone, CI) it reuses that file verbatim, so the report
 * is the same everywhere and says where its real-client numbers come from.
 *
 * Where the binaries are looked for: `$ZKABI_GETH_DIR` when set, else
 * `<repo>/.cache/geth` (`bin/geth-keeper`, `bin/geth-evm`). Runs always use
 * the copies under `<repo>/.cache/geth`, so the paths the guest sees (and so
 * the instruction counts) do not depend on where the binaries came from.
 * @module
 */

import { join } from "node:path";
import { sha256Of } from "./sysroot.ts";

/** Where the measurements live, relative to the repository. */
export const REAL_CLIENTS_FILE = "data/real_clients.json";

/** The folder the real clients run from, relative to the repository. */
export const GETH_RUN_DIR = ".cache/geth";

/** A real client's binary as measured. */
export interface RealBinary {
  /** Guest id. */
  id: string;
  /** Path under the geth folder. */
  file: string;
  /** sha256 of the binary. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** Who measured the committed data. */
export interface MeasuredBy {
  /** zkabi's git commit (`unknown` outside a git checkout). */
  commit: string;
  /** Whether the code that measured (lib/, guests/, entry points) had uncommitted changes. */
  dirty: boolean;
  /** Deno version. */
  deno: string;
  /** V8 version. */
  v8: string;
}

/** The committed record (its sections are the analysis' own types, kept as plain data). */
export interface RealClientsRecord {
  /** Format version. */
  format: 1;
  /** What this file is. */
  note: string;
  /** Who measured it. */
  measuredBy: MeasuredBy;
  /** The binaries measured. */
  binaries: RealBinary[];
  /** Sections of the analysis for the real clients (guests, readiness, VM cells, ...). */
  sections: Record<string, unknown>;
}

/** The folder the binaries are looked for in. */
export function gethSourceDir(root: string): string {
  return Deno.env.get("ZKABI_GETH_DIR") ?? join(root, GETH_RUN_DIR);
}

/**
 * The binaries of `files` (paths under the geth folder) as they are on this
 * machine, copied into `<root>/.cache/geth` when they come from elsewhere;
 * undefined when any is missing.
 */
export function localBinaries(
  root: string,
  ids: readonly { id: string; file: string }[],
): RealBinary[] | undefined {
  const src = gethSourceDir(root);
  const dst = join(root, GETH_RUN_DIR);
  const out: RealBinary[] = [];
  for (const { id, file } of ids) {
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(join(src, file));
    } catch {
      return undefined;
    }
    const sha256 = sha256Of(bytes);
    if (src !== dst) {
      const target = join(dst, file);
      let same = false;
      try {
        same = sha256Of(Deno.readFileSync(target)) === sha256;
      } catch {
        // not copied yet
      }
      if (!same) {
        Deno.mkdirSync(join(target, ".."), { recursive: true });
        Deno.writeFileSync(target, bytes, { mode: 0o755 });
      }
    }
    out.push({ id, file, sha256, size: bytes.length });
  }
  return out;
}

/** Reads the committed record (undefined when there is none). */
export function readRealClients(root: string): RealClientsRecord | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(join(root, REAL_CLIENTS_FILE)));
  } catch {
    return undefined;
  }
}

/** Writes the record (stable formatting). */
export function writeRealClients(root: string, r: RealClientsRecord): void {
  Deno.mkdirSync(join(root, "data"), { recursive: true });
  Deno.writeTextFileSync(join(root, REAL_CLIENTS_FILE), JSON.stringify(r, null, 2) + "\n");
}

/** zkabi's commit and whether the tree is dirty, from git (unknown without it). */
export function measuredBy(root: string): MeasuredBy {
  const git = (args: string[]): string | undefined => {
    try {
      const o = new Deno.Command("git", {
        args: ["-C", root, ...args],
        stdout: "piped",
        stderr: "null",
      })
        .outputSync();
      return o.success ? new TextDecoder().decode(o.stdout).trim() : undefined;
    } catch {
      return undefined;
    }
  };
  const commit = git(["rev-parse", "HEAD"]) ?? "unknown";
  // Changes to the code that measures count; generated outputs (reports/, notebooks/, data/)
  // do not.
  const status = git([
    "status",
    "--porcelain",
    "--untracked-files=no",
    "--",
    "lib",
    "guests",
    "cli.ts",
    "mod.ts",
    "deno.json",
  ]);
  return {
    commit,
    dirty: status === undefined ? false : status !== "",
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}

/** True when the recorded binaries are exactly `local` (same ids and sha256). */
export function sameBinaries(
  recorded: readonly RealBinary[],
  local: readonly RealBinary[],
): boolean {
  return recorded.length === local.length &&
    recorded.every((r) => local.some((l) => l.id === r.id && l.sha256 === r.sha256));
}
