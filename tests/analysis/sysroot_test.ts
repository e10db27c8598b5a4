/**
 * The pinned sysroot of the dynamic guest: `.deb` files read in TypeScript
 * (ar, tar), apt's sources parsed, and the sysroot built from cached
 * packages without the network, checked file by file against its pins.
 */

import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  aptArchives,
  arMembers,
  debFiles,
  ensureSysroot,
  loadSysrootManifest,
  sha256Of,
  sysrootComplete,
  tarEntries,
} from "../../lib/analysis/sysroot.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

function tarOf(files: { path: string; data: Uint8Array; mode: number }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const f of files) {
    const h = new Uint8Array(512);
    h.set(enc.encode(f.path), 0);
    h.set(enc.encode(f.mode.toString(8).padStart(7, "0")), 100);
    h.set(enc.encode(f.data.length.toString(8).padStart(11, "0")), 124);
    h.set(enc.encode("0"), 156);
    h.set(enc.encode("ustar"), 257);
    blocks.push(h);
    const body = new Uint8Array(Math.ceil(f.data.length / 512) * 512);
    body.set(f.data);
    blocks.push(body);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function arOf(members: { name: string; data: Uint8Array }[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [enc.encode("!<arch>\n")];
  for (const m of members) {
    const h = `${m.name}/`.padEnd(16) + "0".padEnd(12) + "0".padEnd(6) + "0".padEnd(6) +
      "100644".padEnd(8) + String(m.data.length).padEnd(10) + "`\n";
    parts.push(enc.encode(h), m.data);
    if (m.data.length % 2) parts.push(enc.encode("\n"));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function gzip(b: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([b as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

Deno.test("a .deb is read without dpkg: ar members, a gzip'd tar, modes kept", async () => {
  const lib = new TextEncoder().encode("\x7fELF fake library");
  const tar = tarOf([
    { path: "./usr/lib/x/libfoo.so.1", data: lib, mode: 0o755 },
    { path: "./usr/share/doc/x/README", data: new TextEncoder().encode("doc"), mode: 0o644 },
  ]);
  deepEqual(tarEntries(tar).map((e) => [e.path, e.mode, e.data.length]), [
    ["usr/lib/x/libfoo.so.1", 0o755, lib.length],
    ["usr/share/doc/x/README", 0o644, 3],
  ]);
  const deb = arOf([
    { name: "debian-binary", data: new TextEncoder().encode("2.0\n") },
    { name: "data.tar.gz", data: await gzip(tar) },
  ]);
  deepEqual(arMembers(deb).map((m) => m.name), ["debian-binary", "data.tar.gz"]);
  const files = await debFiles(deb);
  equal(sha256Of(files[0].data), sha256Of(lib));
});

Deno.test("apt sources: one-line and deb822 forms, security suites left out", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(
      join(dir, "sources.list"),
      "# comment\ndeb [arch=amd64] http://mirror.example/debian bookworm main\n",
    );
    Deno.mkdirSync(join(dir, "sources.list.d"));
    Deno.writeTextFileSync(
      join(dir, "sources.list.d", "debian.sources"),
      "Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm\n\n" +
        "Types: deb\nURIs: http://deb.example/debian-security\nSuites: bookworm-security\n\n" +
        "Types: deb\nEnabled: no\nURIs: http://off.example/debian\nSuites: bookworm\n",
    );
    deepEqual(aptArchives(dir), ["http://mirror.example/debian", "http://deb.example/debian"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

const manifest = loadSysrootManifest(ROOT);
const cachedDebs = manifest.packages.map((p) =>
  join(ROOT, ".cache/sysroot/debs", p.path.split("/").pop()!)
);
const HAVE_DEBS = cachedDebs.every((f) => {
  try {
    return Deno.statSync(f).isFile;
  } catch {
    return false;
  }
});
if (!HAVE_DEBS) {
  console.log(
    "sysroot_test: the pinned packages are not cached in .cache/sysroot/debs (deno task " +
      "analyze downloads them): the offline build test is ignored",
  );
}

Deno.test({
  name: "the sysroot is built from cached packages alone, checked against its pins",
  ignore: !HAVE_DEBS,
  fn: async () => {
    const root = Deno.makeTempDirSync();
    try {
      Deno.mkdirSync(join(root, "data/sysroot"), { recursive: true });
      Deno.copyFileSync(
        join(ROOT, "data/sysroot/riscv64-cross.json"),
        join(root, "data/sysroot/riscv64-cross.json"),
      );
      Deno.mkdirSync(join(root, ".cache/sysroot/debs"), { recursive: true });
      for (const f of cachedDebs) {
        Deno.copyFileSync(f, join(root, ".cache/sysroot/debs", f.split("/").pop()!));
      }
      // No network: an archive that cannot answer.
      const nowhere = ["http://127.0.0.1:9"];
      const r = await ensureSysroot(root, () => {}, nowhere);
      deepEqual(r.downloaded, []);
      ok(sysrootComplete(r.dir, manifest));
      equal(Deno.statSync(join(r.dir, "lib/libc.so.6")).mode! & 0o777, 0o755);
      // A wrong file is rebuilt; a corrupted cached package is fetched again, and with no
      // archive reachable that is an error, never a silent success.
      Deno.writeTextFileSync(join(r.dir, "lib/libgcc_s.so.1"), "not the library");
      ok(!sysrootComplete(r.dir, manifest));
      await ensureSysroot(root, () => {}, nowhere);
      ok(sysrootComplete(r.dir, manifest));
      const deb = join(root, ".cache/sysroot/debs", cachedDebs[1].split("/").pop()!);
      Deno.writeTextFileSync(deb, "corrupted");
      Deno.removeSync(join(r.dir, "lib/libgcc_s.so.1"));
      await rejects(() => ensureSysroot(root, () => {}, nowhere), /cannot download/);
    } finally {
      Deno.removeSync(root, { recursive: true });
    }
  },
});
