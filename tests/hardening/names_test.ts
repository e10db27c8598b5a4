/**
 * Hardening: file names are bytes end to end. Guest names that are not
 * valid UTF-8 are kept exactly (no two names meet), host directories refuse
 * what Deno cannot name (EILSEQ, ENOENT), and host entries whose names are
 * not UTF-8 are neither listed nor mistaken for another entry.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ENOENT } from "../../lib/abi/errno.ts";
import { O_CREAT, O_DIRECTORY, O_WRONLY } from "../../lib/abi/flags.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { decodeName, encodeName, hostRepresentable, nameLength } from "../../lib/vfs/names.ts";
import { AT_FDCWD, BUF, makeKernel, makeWorld, num, text } from "../kernel/files_support.ts";
import { prng } from "../elf/elf_fixtures.ts";
import { runHostile } from "./support.ts";

const EILSEQ = 84;

/** Random bytes biased to what breaks decoders: high bytes, sequence starts, continuations. */
function randomName(rnd: () => number): Uint8Array {
  const pool = [0x41, 0x2f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
  const b = new Uint8Array(rnd() % 24);
  for (let i = 0; i < b.length; i++) {
    b[i] = rnd() % 3 === 0 ? pool[rnd() % pool.length] : rnd() & 0xff;
  }
  return b;
}

Deno.test("names: decodeName is injective and encodeName inverts it (10000 seeded byte strings)", () => {
  const rnd = prng(20240611);
  const seen = new Map<string, string>();
  const strict = new TextDecoder("utf-8", { fatal: true });
  for (let i = 0; i < 10000; i++) {
    const b = randomName(rnd);
    const s = decodeName(b);
    assert.deepEqual(encodeName(s), b);
    assert.equal(nameLength(s), b.length);
    const key = [...b].join(",");
    const before = seen.get(s);
    assert.ok(
      before === undefined || before === key,
      `two byte strings meet at ${JSON.stringify(s)}`,
    );
    seen.set(s, key);
    let valid = true;
    try {
      assert.equal(s, strict.decode(b));
    } catch {
      valid = false;
    }
    assert.equal(hostRepresentable(s), valid && !b.includes(0));
  }
  // Valid UTF-8, including 4-byte sequences and U+FFFD itself, decodes as usual.
  for (const s of ["plain", "é", "\u{1F600}", "a\uFFFDb", ""]) {
    assert.equal(decodeName(new TextEncoder().encode(s)), s);
  }
  // The surrogate halves' UTF-8 forms (ED A0 80) are not valid: escaped byte by byte.
  assert.deepEqual(
    encodeName(decodeName(new Uint8Array([0xed, 0xa0, 0x80]))),
    new Uint8Array([0xed, 0xa0, 0x80]),
  );
});

Deno.test("names (issue): two /tmp names that differ only in invalid bytes are two files, listed byte-exact", () => {
  const r = runHostile(["names"]);
  assert.equal(r.status, 0, r.result.message);
  assert.equal(
    r.out,
    [
      "create a\\xff: ok, a\\xfe: ok, a+U+FFFD: ok",
      "a\\xff: 2 'ff'",
      "a\\xfe: 2 'fe'",
      "a+U+FFFD: 4 'fffd'",
      "entry: 61 ff",
      "entry: 61 fe",
      "entry: 61 ef bf bd",
      "",
    ].join("\n"),
  );
});

/** Writes `bytes` and a NUL at the end of the scratch area; returns the address. */
function rawPath(k: Kernel, bytes: readonly number[]): number {
  const at = BUF + 0x8000;
  k.mem.write(at, Uint8Array.from([...bytes, 0]));
  return at;
}

const enc = (s: string) => [...new TextEncoder().encode(s)];

Deno.test("names: a host directory refuses names it cannot hold; non-UTF-8 host entries are neither listed nor confused", () => {
  const w = makeWorld();
  try {
    // The host has a\xff (not UTF-8: Deno cannot name it) and a genuine a+U+FFFD.
    const mk = new Deno.Command("bash", {
      args: ["-c", "printf ff > $'a\\xff' && printf fffd > $'a\\xef\\xbf\\xbd'"],
      cwd: w.rw,
    }).outputSync();
    assert.ok(mk.success);
    const { k } = makeKernel(w);
    const ff = [...enc("/data/a"), 0xff];
    assert.equal(
      num(k, "openat", AT_FDCWD, rawPath(k, ff), 0, 0),
      -ENOENT,
      "never the U+FFFD file",
    );
    assert.equal(num(k, "openat", AT_FDCWD, rawPath(k, ff), O_WRONLY | O_CREAT, 0o644), -EILSEQ);
    assert.equal(
      num(k, "mkdirat", AT_FDCWD, rawPath(k, [...enc("/data/d"), 0xfe]), 0o755),
      -EILSEQ,
    );
    const fd = num(k, "openat", AT_FDCWD, rawPath(k, enc("/data/a\uFFFD")), 0, 0);
    assert.ok(fd >= 0);
    assert.equal(num(k, "read", fd, BUF, 16), 4);
    assert.equal(text(k, BUF, 4), "fffd");
    const dir = num(k, "openat", AT_FDCWD, rawPath(k, enc("/data")), O_DIRECTORY, 0);
    const n = num(k, "getdents64", dir, BUF, 4096);
    const names: string[] = [];
    for (let off = 0; off < n;) {
      const reclen = k.mem.read(BUF + off + 16, 2);
      const len = reclen[0] | (reclen[1] << 8);
      const raw = k.mem.read(BUF + off + 19, len - 19);
      names.push([...raw.subarray(0, raw.indexOf(0))].map((x) => x.toString(16)).join(" "));
      off += len;
    }
    assert.deepEqual(names, ["2e", "2e 2e", "61 ef bf bd"]);
    // The host still has both, untouched.
    assert.equal(Deno.readTextFileSync(join(w.rw, "a\uFFFD")), "fffd");
  } finally {
    w.dispose();
  }
});
