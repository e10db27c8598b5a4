/**
 * End to end: the file-related C guests of `guests/c/expect.json` run under
 * zkabi's `run()` exactly as the expectations describe (fresh working
 * directory holding the listed files, args, stdin, empty environment), and
 * their stdout and exit status must match what qemu-riscv64 produced.
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../lib/run/run.ts";
import { scratchDir } from "../support/scratch.ts";

/** One entry of `guests/c/expect.json` (the fields used here). */
interface CExpectation {
  name: string;
  args: string[];
  stdin: string;
  files: Record<string, string>;
  exit: number | null;
  signal: string | null;
  stdout?: string;
  stdout_regex?: string;
}

const REPO: string = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const PROGRAMS: CExpectation[] = (JSON.parse(
  Deno.readTextFileSync(join(REPO, "guests", "c", "expect.json")),
) as { programs: CExpectation[] }).programs;

/** The guests whose syscalls all belong to the files family (plus exit). */
const FILE_GUESTS = [
  "hello",
  "read_echo",
  "openat",
  "lseek",
  "fstat",
  "statx",
  "getcwd",
  "getdents64",
  "dup",
  "pread",
  "readv",
  "readlinkat",
  "faccessat",
  "ioctl_tcgets",
];

for (const name of FILE_GUESTS) {
  Deno.test(`files e2e: ${name} matches expect.json`, () => {
    const p = PROGRAMS.find((x) => x.name === name);
    assert.ok(p, `${name} is in expect.json`);
    const dir = scratchDir(`zkabi-files-${name}-`);
    try {
      for (const [rel, content] of Object.entries(p.files)) {
        const path = join(dir, rel);
        Deno.mkdirSync(dirname(path), { recursive: true });
        Deno.writeTextFileSync(path, content);
      }
      const program = join(REPO, "guests", "bin", "c", name);
      const r = run({
        program,
        args: p.args,
        cwd: dir,
        stdin: new TextEncoder().encode(p.stdin),
        maxInsns: 50_000_000,
      });
      const out = new TextDecoder().decode(r.stdout);
      assert.equal(r.message, undefined, `${name}: ${r.message}`);
      assert.equal(r.status, p.exit, `${name} exit status (stdout ${JSON.stringify(out)})`);
      if (p.stdout !== undefined) assert.equal(out, p.stdout);
      else assert.match(out, new RegExp(p.stdout_regex!));
      if (name === "getcwd") assert.ok(out.startsWith(`cwd=${dir}\n`), out);
      if (name === "readlinkat") assert.equal(out, `exe=${program}\n`);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("files e2e: a run is deterministic byte for byte", () => {
  const dir = scratchDir("zkabi-files-det-");
  try {
    Deno.mkdirSync(join(dir, "tree/gamma"), { recursive: true });
    Deno.writeTextFileSync(join(dir, "tree/alpha"), "a\n");
    Deno.writeTextFileSync(join(dir, "tree/beta"), "");
    const once = () =>
      run({
        program: join(REPO, "guests", "bin", "c", "getdents64"),
        args: ["tree"],
        cwd: dir,
        collectEvents: true,
      });
    const a = once();
    const b = once();
    assert.equal(a.status, 0);
    assert.deepEqual(a.stdout, b.stdout);
    const results = (r: typeof a) =>
      r.events.map((e) => e.kind === "syscall" ? `${e.name}=${e.result}` : e.kind);
    assert.deepEqual(results(a), results(b));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
