/**
 * Guest corpus checks: the manifest matches the committed binaries, the
 * host builds of the Rust and Go guests agree on the fixture, and the
 * committed riscv64 binaries print the expected post-state root under
 * qemu-user. Parts whose prerequisites are missing are skipped with a message.
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fileSha256, type Manifest, RISCV_SYSROOT } from "../../guests/build.ts";
import { readExpected, runStateless, runT8n } from "../../guests/fixture_runner.ts";
import { keccak256, rlpEncode, toHex, trieRoot } from "../../guests/fixtures/eth_lib.ts";
import { buildFixture } from "../../guests/fixtures/generate.ts";

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const GUESTS = join(REPO, "guests");
const HOST_DIR = join(REPO, ".cache", "host");

function hasQemu(): boolean {
  try {
    return new Deno.Command("qemu-riscv64", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test("guests: manifest sha256 and size match the committed binaries", async () => {
  const manifest = JSON.parse(await Deno.readTextFile(join(GUESTS, "manifest.json"))) as Manifest;
  const files = manifest.guests.map((g) => g.file);
  assert.deepEqual(files, [...files].sort(), "manifest entries are sorted by file");
  for (
    const want of [
      "bin/rust/stateless-static",
      "bin/rust/stateless-dynamic",
      "bin/rust/stateless-precompile",
      "bin/go/t8n",
    ]
  ) {
    assert.ok(files.includes(want), `manifest lists ${want}`);
  }
  for (const g of manifest.guests) {
    const path = join(GUESTS, g.file);
    assert.ok(existsSync(path), `${g.file} is committed`);
    assert.equal((await Deno.stat(path)).size, g.size, `${g.file} size`);
    assert.equal(await fileSha256(path), g.sha256, `${g.file} sha256`);
    assert.equal(typeof g.deterministic, "boolean");
    assert.ok(g.toolchain.length > 0 && g.description.length > 0);
  }
});

Deno.test("guests: fixture library matches known keccak and trie vectors", () => {
  const enc = new TextEncoder();
  assert.equal(
    toHex(keccak256(new Uint8Array(0))),
    "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
  );
  assert.equal(
    toHex(keccak256(enc.encode("abc"))),
    "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
  );
  assert.equal(toHex(rlpEncode([enc.encode("cat"), enc.encode("dog")])), "c88363617483646f67");
  const pairs: Array<[Uint8Array, Uint8Array]> = [
    ["do", "verb"],
    ["dog", "puppy"],
    ["doge", "coin"],
    ["horse", "stallion"],
  ].map(([k, v]) => [enc.encode(k), enc.encode(v)]);
  assert.equal(
    toHex(trieRoot(pairs)),
    "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84",
  );
});

Deno.test("guests: fixture generator reproduces the committed fixture files", async () => {
  for (const [name, text] of Object.entries(buildFixture())) {
    assert.equal(await Deno.readTextFile(join(GUESTS, "fixtures", name)), text, name);
  }
});

Deno.test("guests: expected fixture result is consistent with the generator", async () => {
  const expected = await readExpected(GUESTS);
  const generated = JSON.parse(
    await Deno.readTextFile(join(GUESTS, "fixtures", "generated.json")),
  ) as { preStateRoot: string; transactionsRoot: string };
  assert.equal(expected.preStateRoot, generated.preStateRoot);
  assert.equal(expected.transactionsRoot, generated.transactionsRoot);
  assert.match(expected.stateRoot, /^0x[0-9a-f]{64}$/);
  assert.notEqual(expected.stateRoot, expected.preStateRoot);
});

const HOST_BUILDS = existsSync(join(HOST_DIR, "stateless")) && existsSync(join(HOST_DIR, "t8n"));
if (!HOST_BUILDS) {
  console.log(
    `guests_test: host builds not found in ${HOST_DIR} (\`deno task guests\` builds them): ` +
      "their comparison is ignored",
  );
}

Deno.test({
  name: "guests: host Rust and Go builds agree on the fixture",
  ignore: !HOST_BUILDS,
  fn: async () => {
    const stateless = join(HOST_DIR, "stateless");
    const t8n = join(HOST_DIR, "t8n");
    const expected = await readExpected(GUESTS);
    const [rust, go] = await Promise.all([
      runStateless([stateless], GUESTS),
      runT8n([t8n], GUESTS),
    ]);
    assert.deepEqual(rust, go);
    assert.equal(rust.stateRoot, expected.stateRoot);
    assert.equal(rust.receiptsRoot, expected.receiptsRoot);
    assert.equal(rust.gasUsed, expected.gasUsed);
  },
});

Deno.test({
  name: "guests: committed riscv64 binaries print the expected root under qemu",
  // Without qemu-riscv64 (apt-get install qemu-user) there is no oracle.
  ignore: !hasQemu(),
  fn: async () => {
    const expected = await readExpected(GUESTS);
    const bin = (f: string): string => join(GUESTS, f);
    const runs = [
      runStateless(["qemu-riscv64", bin("bin/rust/stateless-static")], GUESTS),
      runT8n(["qemu-riscv64", bin("bin/go/t8n")], GUESTS),
    ];
    const names = ["rust static", "go t8n"];
    if (existsSync(join(RISCV_SYSROOT, "lib", "libc.so.6"))) {
      runs.push(
        runStateless(
          ["qemu-riscv64", "-L", RISCV_SYSROOT, bin("bin/rust/stateless-dynamic")],
          GUESTS,
        ),
      );
      names.push("rust dynamic");
    } else {
      console.log(
        `skipped rust dynamic: no riscv64 glibc in ${RISCV_SYSROOT} (apt-get install gcc-riscv64-linux-gnu)`,
      );
    }
    const results = await Promise.all(runs);
    results.forEach((r, i) => {
      assert.equal(r.stateRoot, expected.stateRoot, `${names[i]} post-state root`);
      assert.equal(r.receiptsRoot, expected.receiptsRoot, `${names[i]} receipts root`);
      assert.equal(r.gasUsed, expected.gasUsed, `${names[i]} gas used`);
    });
  },
});
