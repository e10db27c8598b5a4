/**
 * Warms the cache of the Debian differential tests (`tests/debian/`):
 * downloads the pinned riscv64 `.deb` files into `.cache/debian/` and builds
 * the sysroot, so the tests run without the network. CI calls it before the
 * tests; a missing network is reported and exits 0 (the tests then skip),
 * a checksum mismatch exits 1.
 *
 * Usage:
 *   deno run -A scripts/debian_fetch.ts          warm the cache
 *   deno run -A scripts/debian_fetch.ts --pin    re-pin tests/debian/packages.json
 *                                                to the suite's current versions
 * @module
 */

import {
  fetchPackagesIndex,
  loadManifest,
  type Manifest,
  MANIFEST_PATH,
  prepareSysroot,
  repin,
} from "../tests/debian/fetch.ts";

/** Re-pins the manifest from the current index and prints what changed. */
async function pin(): Promise<void> {
  const old = JSON.parse(await Deno.readTextFile(MANIFEST_PATH)) as Manifest;
  const next = repin(old, await fetchPackagesIndex(old));
  for (const p of next.packages) {
    const before = old.packages.find((x) => x.name === p.name)?.version;
    console.log(
      `${p.name} ${before === p.version ? p.version : `${before || "-"} -> ${p.version}`}`,
    );
  }
  await Deno.writeTextFile(MANIFEST_PATH, formatManifest(next));
}

/** The manifest as committed: one package per line group, stable key order. */
function formatManifest(m: Manifest): string {
  return JSON.stringify(m, null, 2) + "\n";
}

async function main(args: string[]): Promise<number> {
  if (args.includes("--pin")) {
    await pin();
    return 0;
  }
  const manifest = loadManifest();
  const r = await prepareSysroot({ manifest, log: (l) => console.log(l) });
  if (!r.ok) {
    console.log(`debian: not ready: ${r.reason}`);
    return 0;
  }
  const total = manifest.packages.reduce((n, p) => n + p.size, 0);
  console.log(
    `debian: ${manifest.packages.length} packages (${total} bytes) cached; ` +
      `downloaded now: ${r.downloaded.join(", ") || "none"}; sysroot ${r.sysroot}` +
      (r.ldCache ? "" : " (no ld.so.cache)"),
  );
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`debian_fetch: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
