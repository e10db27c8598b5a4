/**
 * `deno task guests`: builds the whole guest corpus and writes
 * `guests/manifest.json`.
 *
 * 1. Installs the Rust and Go toolchains from Debian trixie packages into
 *    `<repo>/.cache/toolchains` (see `toolchains.ts`), skipping what is there.
 * 2. Builds the Rust `stateless` variants and the Go `t8n` guest for riscv64
 *    (stripped, into `guests/bin/`) and for the host (into `.cache/host/`),
 *    and the Go standard-library test binaries (`go/std.ts`), recording
 *    their verdicts under qemu-riscv64.
 * 3. Calls `buildC` from `guests/c/build.ts` for the C programs, and
 *    `buildKernel` from `guests/kernel/build.ts` for the in-guest kernel.
 * 4. Runs both host builds on the fixture, checks they agree, and writes
 *    `guests/fixtures/expected.json`; when qemu-riscv64 is installed, checks
 *    the riscv64 binaries print the same.
 * 5. Writes the manifest (sorted by file; no timestamps).
 *
 * Options:
 * - `--reproduce`: afterwards rebuild every Rust/Go binary from scratch in
 *   fresh folders (and the C programs in place) and report which checksums
 *   differ; exits non-zero if a build marked deterministic does not match.
 * - `--skip-c`: leave the C programs alone (their manifest entries are kept).
 * @module
 */

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildContext, GuestBuild } from "./build_types.ts";
import { buildC } from "./c/build.ts";
import {
  type ExpectedFixture,
  type FixtureResult,
  runStateless,
  runT8n,
} from "./fixture_runner.ts";
import { buildGo, buildGoBinary } from "./go/build.ts";
import { buildGoStd, recordUnderQemu } from "./go/std.ts";
import { buildKernel } from "./kernel/build.ts";
import { buildRust, buildRustVariant, RUST_VARIANTS, stripTo } from "./rust/build.ts";
import { ensureToolchains, type Toolchains } from "./toolchains.ts";

/** One manifest entry: a build plus its checksum and size. */
export interface ManifestEntry extends GuestBuild {
  /** SHA-256 of the file, hex. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** The shape of `guests/manifest.json`. */
export interface Manifest {
  /** How the file is made. */
  note: string;
  /** Entries sorted by `file`. */
  guests: ManifestEntry[];
}

/** Cross sysroot of bookworm's gcc-riscv64-linux-gnu (glibc 2.36). */
export const RISCV_SYSROOT = "/usr/riscv64-linux-gnu";

/** SHA-256 of a file, hex. */
export async function fileSha256(path: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(path)).digest("hex");
}

async function manifestEntry(guestsDir: string, b: GuestBuild): Promise<ManifestEntry> {
  const path = join(guestsDir, b.file);
  const size = (await Deno.stat(path)).size;
  // Fixed key order keeps the JSON stable.
  return {
    file: b.file,
    sha256: await fileSha256(path),
    size,
    toolchain: b.toolchain,
    flags: b.flags,
    deterministic: b.deterministic,
    description: b.description,
  };
}

/** Writes the manifest for `builds` (sorted by file). */
export async function writeManifest(guestsDir: string, builds: GuestBuild[]): Promise<Manifest> {
  const entries = await Promise.all(builds.map((b) => manifestEntry(guestsDir, b)));
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const manifest: Manifest = {
    note:
      "Written by `deno task guests` (guests/build.ts). sha256/size are of the committed files.",
    guests: entries,
  };
  await Deno.writeTextFile(
    join(guestsDir, "manifest.json"),
    JSON.stringify(manifest, null, 2) + "\n",
  );
  return manifest;
}

/** Reads `guests/manifest.json`, or null when there is none. */
export async function readManifest(guestsDir: string): Promise<Manifest | null> {
  const path = join(guestsDir, "manifest.json");
  return existsSync(path) ? JSON.parse(await Deno.readTextFile(path)) : null;
}

function sameResult(a: FixtureResult, b: FixtureResult): boolean {
  return a.stateRoot === b.stateRoot && a.receiptsRoot === b.receiptsRoot &&
    a.gasUsed === b.gasUsed;
}

async function hasCommand(cmd: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** Checks the host builds agree on the fixture and records the result. */
async function checkFixture(
  ctx: BuildContext,
  hostStateless: string,
  hostT8n: string,
): Promise<ExpectedFixture> {
  const rust = await runStateless([hostStateless], ctx.guestsDir);
  const go = await runT8n([hostT8n], ctx.guestsDir);
  if (!sameResult(rust, go)) {
    throw new Error(
      `host builds disagree on the fixture:\nrust ${JSON.stringify(rust)}\ngo   ${
        JSON.stringify(go)
      }`,
    );
  }
  const generated = JSON.parse(
    await Deno.readTextFile(join(ctx.guestsDir, "fixtures", "generated.json")),
  ) as { preStateRoot: string; transactionsRoot: string };
  const expected: ExpectedFixture = {
    preStateRoot: generated.preStateRoot,
    transactionsRoot: generated.transactionsRoot,
    stateRoot: rust.stateRoot,
    receiptsRoot: rust.receiptsRoot,
    gasUsed: rust.gasUsed,
  };
  await Deno.writeTextFile(
    join(ctx.guestsDir, "fixtures", "expected.json"),
    JSON.stringify(expected, null, 2) + "\n",
  );
  ctx.log(`fixture: host Rust and Go agree, post-state root ${expected.stateRoot}`);
  return expected;
}

/** Runs the riscv64 binaries under qemu-user, when available. */
async function checkUnderQemu(ctx: BuildContext, expected: FixtureResult): Promise<void> {
  if (!(await hasCommand("qemu-riscv64"))) {
    ctx.log("qemu: qemu-riscv64 not installed, skipping the riscv64 run check");
    return;
  }
  const bin = (f: string): string => join(ctx.guestsDir, f);
  const runs: Array<[string, Promise<FixtureResult>]> = [
    [
      "rust static",
      runStateless(["qemu-riscv64", bin("bin/rust/stateless-static")], ctx.guestsDir),
    ],
    [
      "rust dynamic",
      runStateless(
        ["qemu-riscv64", "-L", RISCV_SYSROOT, bin("bin/rust/stateless-dynamic")],
        ctx.guestsDir,
      ),
    ],
    ["go", runT8n(["qemu-riscv64", bin("bin/go/t8n")], ctx.guestsDir)],
  ];
  for (const [name, p] of runs) {
    const r = await p;
    if (!sameResult(r, expected)) throw new Error(`qemu ${name}: ${JSON.stringify(r)}`);
    ctx.log(`qemu: ${name} prints the expected post-state root`);
  }
}

/** Rebuilds everything in fresh folders and compares checksums. */
async function reproduce(
  ctx: BuildContext,
  tc: Toolchains,
  repoDir: string,
  builds: GuestBuild[],
  skipC: boolean,
): Promise<boolean> {
  const before = new Map<string, string>();
  for (const b of builds) before.set(b.file, await fileSha256(join(ctx.guestsDir, b.file)));
  const after = new Map<string, string>();
  const scratch = join(repoDir, ".cache", "reproduce");
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  await Deno.mkdir(scratch, { recursive: true });

  for (const v of RUST_VARIANTS) {
    if (v.file === null) continue;
    ctx.log(`reproduce: rust ${v.name} from scratch`);
    const out = await buildRustVariant(ctx, tc, v, join(scratch, "rust", v.name));
    const stripped = join(scratch, `stateless-${v.name}`);
    await stripTo(out, stripped);
    after.set(v.file, await fileSha256(stripped));
  }
  ctx.log("reproduce: go from scratch");
  const goOut = join(scratch, "t8n");
  await buildGoBinary(ctx, tc, "riscv64", join(scratch, "go"), goOut);
  after.set("bin/go/t8n", await fileSha256(goOut));
  if (!skipC) {
    ctx.log("reproduce: c (rebuilt in place)");
    for (const b of await buildC(ctx)) {
      after.set(b.file, await fileSha256(join(ctx.guestsDir, b.file)));
    }
  }

  let ok = true;
  for (const b of builds) {
    const a = after.get(b.file);
    if (a === undefined) continue;
    const same = a === before.get(b.file);
    ctx.log(
      `reproduce: ${same ? "same     " : "DIFFERENT"} ${b.file}${
        b.deterministic ? "" : " (not claimed deterministic)"
      }`,
    );
    if (!same && b.deterministic) ok = false;
  }
  return ok;
}

async function main(): Promise<void> {
  const args = new Set(Deno.args);
  const guestsDir = dirname(fileURLToPath(import.meta.url));
  const repoDir = dirname(guestsDir);
  const started = performance.now();
  const ctx: BuildContext = {
    guestsDir,
    cacheDir: join(repoDir, ".cache", "toolchains"),
    log: (line: string): void => {
      const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
      console.log(`[${t}s] ${line}`);
    },
  };
  const skipC = args.has("--skip-c");

  let t0 = performance.now();
  const tc = await ensureToolchains(ctx);
  ctx.log(`toolchains ready in ${((performance.now() - t0) / 1000).toFixed(0)}s`);

  const buildRoot = join(repoDir, ".cache", "build");
  const hostDir = join(repoDir, ".cache", "host");
  const rust = await buildRust(ctx, tc, { buildRoot: join(buildRoot, "rust"), hostDir });
  const go = await buildGo(ctx, tc, { buildRoot: join(buildRoot, "go"), hostDir });
  const goStd = await buildGoStd(ctx, tc);
  await recordUnderQemu(ctx);
  for (
    const [k, s] of Object.entries({
      ...prefixKeys("rust ", rust.seconds),
      ...prefixKeys("go ", go.seconds),
    })
  ) {
    ctx.log(`time: ${k} ${s.toFixed(1)}s`);
  }

  let cBuilds: GuestBuild[];
  if (skipC) {
    const old = await readManifest(guestsDir);
    cBuilds = (old?.guests ?? []).filter((g) => g.file.startsWith("bin/c/"));
    ctx.log(`c: skipped, keeping ${cBuilds.length} manifest entries`);
  } else {
    t0 = performance.now();
    cBuilds = await buildC(ctx);
    ctx.log(`time: c ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  }

  const expected = await checkFixture(ctx, rust.hostBinary, go.hostBinary);
  await checkUnderQemu(ctx, expected);

  // The in-guest kernel (--kernel guest), built with the C toolchain.
  const kernelBuilds = skipC
    ? ((await readManifest(guestsDir))?.guests ?? []).filter((g) =>
      g.file.startsWith("bin/kernel/")
    )
    : [await buildKernel(ctx)];
  const builds = [...rust.builds, ...go.builds, ...goStd, ...cBuilds, ...kernelBuilds];
  const manifest = await writeManifest(guestsDir, builds);
  for (const g of manifest.guests) {
    ctx.log(`manifest: ${g.file} ${g.size} bytes ${g.sha256.slice(0, 16)}…`);
  }

  ctx.log(
    "geth: the real go-ethereum guests are not built here (fetched sources stay out of the " +
      "repository); see guests/geth/README.md",
  );

  if (args.has("--reproduce")) {
    if (!(await reproduce(ctx, tc, repoDir, builds, skipC))) {
      console.error("reproduce: a build marked deterministic changed");
      Deno.exit(1);
    }
  }
  ctx.log("done");
}

function prefixKeys(prefix: string, rec: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(rec)) out[prefix + k] = v;
  return out;
}

if (import.meta.main) await main();
