/**
 * Tests of the Debian fetch/cache module without Debian: apt source
 * parsing, the committed manifest's consistency, re-pinning from an index,
 * and the whole download/verify/extract/cache cycle against a loopback HTTP
 * server serving a tiny `.deb` built here with `dpkg-deb --build`.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  aptMirrors,
  deb822Sources,
  loadManifest,
  type Manifest,
  manifestProblems,
  oneLineSources,
  parsePackagesIndex,
  prepareSysroot,
  repin,
  sha256Hex,
} from "./fetch.ts";

Deno.test("one-line sources: deb lines with options, comments and deb-src skipped", () => {
  const text = [
    "# a comment",
    "deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main",
    "deb-src http://mirror.example/debian bookworm main",
    "deb http://mirror.example/debian-security bookworm-security main # trailing",
  ].join("\n");
  assert.deepEqual(oneLineSources(text), [
    { uri: "http://mirror.example/debian", suites: ["bookworm"] },
    { uri: "http://mirror.example/debian-security", suites: ["bookworm-security"] },
  ]);
});

Deno.test("deb822 sources: several URIs and suites, Enabled: no and deb-src skipped", () => {
  const text = [
    "Types: deb",
    "# http://snapshot.example/archive/debian/20250520T000000Z",
    "URIs: http://a.example/debian http://b.example/debian",
    "Suites: bookworm bookworm-updates",
    "Components: main",
    "",
    "Types: deb",
    "URIs: http://c.example/debian",
    "Suites: trixie",
    "Enabled: no",
    "",
    "Types: deb-src",
    "URIs: http://d.example/debian",
    "Suites: trixie",
  ].join("\n");
  assert.deepEqual(deb822Sources(text), [
    { uri: "http://a.example/debian", suites: ["bookworm", "bookworm-updates"] },
    { uri: "http://b.example/debian", suites: ["bookworm", "bookworm-updates"] },
  ]);
});

Deno.test("aptMirrors: sources.list then sources.list.d in name order, security and other files left out", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkabi-apt-" });
  try {
    await Deno.mkdir(join(dir, "sources.list.d"));
    await Deno.writeTextFile(
      join(dir, "sources.list"),
      "deb http://first.example/debian/ trixie main\n",
    );
    await Deno.writeTextFile(
      join(dir, "sources.list.d", "b.sources"),
      "Types: deb\nURIs: http://second.example/debian\nSuites: trixie\n\n" +
        "Types: deb\nURIs: http://sec.example/debian-security\nSuites: trixie-security\n",
    );
    await Deno.writeTextFile(
      join(dir, "sources.list.d", "a.list"),
      "deb http://first.example/debian trixie main\ndeb file:/srv/local ./\n",
    );
    await Deno.writeTextFile(
      join(dir, "sources.list.d", "c.list.disabled"),
      "deb http://never.example/debian trixie main\n",
    );
    assert.deepEqual(aptMirrors(dir), [
      "http://first.example/debian",
      "http://second.example/debian",
    ]);
    assert.deepEqual(aptMirrors(join(dir, "absent")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the committed manifest is consistent and pins riscv64 packages of its suite", () => {
  const m = loadManifest();
  assert.deepEqual(manifestProblems(m), []);
  assert.equal(m.arch, "riscv64");
  for (const need of ["libc6", "libgcc-s1", "coreutils", "busybox-static", "ripgrep"]) {
    assert.ok(m.packages.some((p) => p.name === need), need);
  }
  for (const p of m.packages) {
    assert.ok(p.path.includes(`/${p.name.replace(/:.*/, "")}_`), `${p.name}: ${p.path}`);
    // The file name carries the version without its epoch.
    assert.ok(p.path.includes(`_${p.version.replace(/^\d+:/, "")}_`), `${p.name}: ${p.path}`);
  }
});

Deno.test("manifestProblems names what is wrong", () => {
  const m: Manifest = {
    suite: "trixie",
    component: "main",
    arch: "riscv64",
    links: {},
    packages: [
      {
        name: "a",
        version: "1",
        path: "pool/main/a/a/a_1_amd64.deb",
        size: 1,
        sha256: "x",
        extract: [],
      },
      {
        name: "a",
        version: "1",
        path: "elsewhere/a.deb",
        size: 0,
        sha256: "0".repeat(64),
        extract: ["../etc"],
      },
    ],
  };
  const problems = manifestProblems(m).join("\n");
  assert.match(problems, /a: sha256 is not 64 hex digits/);
  assert.match(problems, /a: pool\/main\/a\/a\/a_1_amd64\.deb is not for riscv64/);
  assert.match(problems, /a: nothing to extract/);
  assert.match(problems, /a listed twice/);
  assert.match(problems, /a: bad size/);
  assert.match(problems, /elsewhere\/a\.deb is not a pool path/);
  assert.match(problems, /a: bad path \.\.\/etc/);
});

Deno.test("parsePackagesIndex and repin take version, path, size and checksum from the index", () => {
  const index = parsePackagesIndex(
    [
      "Package: hexyl",
      "Version: 0.9.0-1",
      "Depends: libc6 (>= 2.34),",
      " libgcc-s1 (>= 4.2)",
      "Filename: pool/main/r/rust-hexyl/hexyl_0.9.0-1_riscv64.deb",
      "Size: 1234",
      `SHA256: ${"ab".repeat(32)}`,
      "",
      "Package: other",
      "Version: 1",
      "",
    ].join("\n"),
  );
  assert.equal(index.get("hexyl")?.Depends, "libc6 (>= 2.34),\nlibgcc-s1 (>= 4.2)");
  const m: Manifest = {
    suite: "trixie",
    component: "main",
    arch: "riscv64",
    links: {},
    packages: [{
      name: "hexyl",
      version: "0.8.0",
      path: "pool/main/r/rust-hexyl/hexyl_0.8.0_riscv64.deb",
      size: 1,
      sha256: "0".repeat(64),
      extract: ["usr/bin/hexyl"],
    }],
  };
  assert.deepEqual(repin(m, index).packages[0], {
    name: "hexyl",
    version: "0.9.0-1",
    path: "pool/main/r/rust-hexyl/hexyl_0.9.0-1_riscv64.deb",
    size: 1234,
    sha256: "ab".repeat(32),
    extract: ["usr/bin/hexyl"],
  });
  assert.throws(() => repin(m, new Map()), /hexyl is not in the trixie riscv64 index/);
});

// ------------------------------------------------------------ download cycle

const HAVE_DPKG_DEB = (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":").some((d) => {
  try {
    return Deno.statSync(join(d, "dpkg-deb")).isFile;
  } catch {
    return false;
  }
});

const POOL = "pool/main/z/zkabi-fake/zkabi-fake_1.0-1_riscv64.deb";

/** A tiny .deb with a program and a versioned library plus its soname link. */
async function buildFakeDeb(dir: string): Promise<Uint8Array> {
  const root = join(dir, "pkg");
  await Deno.mkdir(join(root, "DEBIAN"), { recursive: true });
  await Deno.mkdir(join(root, "usr", "bin"), { recursive: true });
  await Deno.mkdir(join(root, "usr", "lib"), { recursive: true });
  await Deno.mkdir(join(root, "usr", "share", "doc"), { recursive: true });
  await Deno.writeTextFile(
    join(root, "DEBIAN", "control"),
    "Package: zkabi-fake\nVersion: 1.0-1\nArchitecture: riscv64\nMaintainer: zkabi <t@t>\n" +
      "Description: test package\n",
  );
  await Deno.writeTextFile(join(root, "usr", "bin", "hello"), "#!/bin/sh\necho hi\n");
  await Deno.chmod(join(root, "usr", "bin", "hello"), 0o755);
  await Deno.writeTextFile(join(root, "usr", "lib", "libfake.so.1.2.3"), "library\n");
  await Deno.symlink("libfake.so.1.2.3", join(root, "usr", "lib", "libfake.so.1"));
  await Deno.writeTextFile(join(root, "usr", "share", "doc", "README"), "not extracted\n");
  const out = join(dir, "fake.deb");
  const r = await new Deno.Command("dpkg-deb", {
    args: ["--build", "--root-owner-group", root, out],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
  return await Deno.readFile(out);
}

function fakeManifest(deb: Uint8Array, sha256: string): Manifest {
  return {
    suite: "trixie",
    component: "main",
    arch: "riscv64",
    links: { bin: "usr/bin" },
    packages: [{
      name: "zkabi-fake",
      version: "1.0-1",
      path: POOL,
      size: deb.length,
      sha256,
      extract: ["usr/bin/hello", "usr/lib/libfake.so.1*"],
    }],
  };
}

/** A loopback archive: serves `files` (archive-relative path to bytes) and counts requests. */
function archive(files: Record<string, Uint8Array>) {
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    requests++;
    const rel = new URL(req.url).pathname.replace(/^\/debian\//, "");
    const body = files[rel];
    return body ? new Response(body as BodyInit) : new Response("no", { status: 404 });
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}/debian`,
    requests: () => requests,
    close: () => server.shutdown(),
  };
}

Deno.test({
  name: "prepareSysroot downloads, verifies, extracts only the listed paths, then works offline",
  ignore: !HAVE_DPKG_DEB,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkabi-fetch-" });
    const a = archive({});
    try {
      const deb = await buildFakeDeb(dir);
      const manifest = fakeManifest(deb, await sha256Hex(deb));
      const cache = join(dir, "cache");
      const srv = archive({ [POOL]: deb });
      let first;
      try {
        first = await prepareSysroot({ cache, manifest, mirrors: [srv.base] });
        assert.equal(srv.requests(), 1);
      } finally {
        await srv.close();
      }
      assert.ok(first.ok, first.ok ? "" : first.reason);
      assert.deepEqual(first.downloaded, ["zkabi-fake"]);
      const root = first.sysroot;
      assert.equal(await Deno.readTextFile(join(root, "usr/bin/hello")), "#!/bin/sh\necho hi\n");
      assert.equal((await Deno.stat(join(root, "usr/bin/hello"))).mode! & 0o777, 0o755);
      assert.equal(await Deno.readLink(join(root, "usr/lib/libfake.so.1")), "libfake.so.1.2.3");
      assert.equal(await Deno.readTextFile(join(root, "usr/lib/libfake.so.1")), "library\n");
      assert.equal(await Deno.readLink(join(root, "bin")), "usr/bin");
      await assert.rejects(Deno.stat(join(root, "usr/share/doc/README")));

      // Warm: no request even though the only mirror is now another (empty) one.
      const again = await prepareSysroot({ cache, manifest, mirrors: [a.base] });
      assert.ok(again.ok);
      assert.deepEqual(again.downloaded, []);
      assert.equal(a.requests(), 0);

      // A changed manifest rebuilds from the cached .deb, still offline.
      const fewer: Manifest = {
        ...manifest,
        packages: [{ ...manifest.packages[0], extract: ["usr/bin/hello"] }],
      };
      const rebuilt = await prepareSysroot({ cache, manifest: fewer, mirrors: [a.base] });
      assert.ok(rebuilt.ok);
      assert.equal(a.requests(), 0);
      await assert.rejects(Deno.lstat(join(root, "usr/lib/libfake.so.1")));

      // A damaged cached file is fetched again (and the 404 says so).
      const debPath = join(cache, "debs", "zkabi-fake_1.0-1_riscv64.deb");
      await Deno.writeFile(debPath, new Uint8Array(deb.length));
      const gone = await prepareSysroot({ cache, manifest, mirrors: [a.base] });
      assert.equal(gone.ok, false);
      assert.match(gone.ok ? "" : gone.reason, /no longer in the archive.*--pin/);
      assert.equal(a.requests(), 1);
    } finally {
      await a.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "prepareSysroot rejects a download whose checksum is not the pinned one",
  ignore: !HAVE_DPKG_DEB,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "zkabi-fetch-" });
    const deb = await buildFakeDeb(dir);
    const tampered = deb.slice();
    tampered[tampered.length - 1] ^= 1;
    const srv = archive({ [POOL]: tampered });
    try {
      const manifest = fakeManifest(deb, await sha256Hex(deb));
      await assert.rejects(
        prepareSysroot({ cache: join(dir, "cache"), manifest, mirrors: [srv.base] }),
        /checksum mismatch/,
      );
      await assert.rejects(Deno.stat(join(dir, "cache", "debs", "zkabi-fake_1.0-1_riscv64.deb")));
    } finally {
      await srv.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("prepareSysroot with a cold cache and no reachable archive reports instead of failing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zkabi-fetch-" });
  try {
    const deb = new Uint8Array([1, 2, 3]);
    const manifest = fakeManifest(deb, await sha256Hex(deb));
    const none = await prepareSysroot({ cache: dir, manifest, mirrors: [] });
    assert.equal(none.ok, false);
    assert.match(none.ok ? "" : none.reason, /cache cold and no Debian archive/);
    // A closed loopback port: connection refused.
    const srv = archive({});
    const base = srv.base;
    await srv.close();
    const down = await prepareSysroot({ cache: dir, manifest, mirrors: [base] });
    assert.equal(down.ok, false);
    assert.match(
      down.ok ? "" : down.reason,
      /^cache cold and http:\/\/127\.0\.0\.1:\d+\/debian\/pool/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
