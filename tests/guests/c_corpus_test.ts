/**
 * Checks the C guest corpus against its expectations (`guests/c/expect.json`)
 * natively: every committed binary in `guests/bin/c/` (except the deadlock,
 * which hangs natively) runs under qemu-riscv64 with the listed args, stdin
 * and input files, and must exit (or die by signal) and print exactly as
 * recorded. This proves the expectations before any emulator runs them.
 * Skipped, with a console message, when qemu-riscv64 is not installed.
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One entry of `guests/c/expect.json`. */
interface CExpectation {
  name: string;
  source: string;
  kind: "freestanding" | "glibc";
  args: string[];
  stdin: string;
  files: Record<string, string>;
  exit: number | null;
  signal: string | null;
  stdout?: string;
  stdout_regex?: string;
  native: "run" | "hangs";
}

const REPO: string = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const C_DIR: string = join(REPO, "guests", "c");
const BIN_DIR: string = join(REPO, "guests", "bin", "c");
const PROGRAMS: CExpectation[] =
  (JSON.parse(Deno.readTextFileSync(join(C_DIR, "expect.json"))) as { programs: CExpectation[] })
    .programs;
const RUN_TIMEOUT_MS = 30_000;

function findQemu(): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    const candidate = join(dir, "qemu-riscv64");
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

const QEMU: string | null = findQemu();
if (QEMU === null) {
  console.log(
    "guests_c_test: qemu-riscv64 is not installed; skipping the native runs of the C guests " +
      "(install qemu-user to enable them)",
  );
}

Deno.test("C guests: expect.json, sources, headers and binaries agree", async () => {
  const names = new Set<string>();
  for (const p of PROGRAMS) {
    assert.ok(!names.has(p.name), `duplicate program ${p.name}`);
    names.add(p.name);
    const source = await Deno.readTextFile(join(C_DIR, p.source));
    const header = source.slice(0, source.indexOf("*/"));
    const status = /Expected exit status: ([^\n]*)/.exec(header);
    assert.ok(status !== null, `${p.source}: header lacks "Expected exit status:"`);
    assert.match(header, /Expected stdout/, `${p.source}: header lacks "Expected stdout"`);
    if (p.signal !== null) {
      assert.equal(p.exit, null, `${p.name}: exit must be null when a signal is expected`);
      assert.ok(status[1].includes(`killed by ${p.signal}`), `${p.source}: header status`);
    } else if (p.exit !== null) {
      assert.ok(status[1].startsWith(`${p.exit}`), `${p.source}: header says ${status[1]}`);
    } else {
      assert.equal(p.native, "hangs", `${p.name}: no exit status but not marked as hanging`);
    }
    assert.ok((p.stdout === undefined) !== (p.stdout_regex === undefined), `${p.name}: stdout`);
    if (p.stdout_regex !== undefined) new RegExp(p.stdout_regex);
    const bin = await Deno.stat(join(BIN_DIR, p.name));
    assert.ok(bin.isFile && bin.size > 0, `${p.name}: binary missing`);
  }
  for await (const entry of Deno.readDir(BIN_DIR)) {
    assert.ok(names.has(entry.name), `guests/bin/c/${entry.name} is not in expect.json`);
  }
});

async function runUnderQemu(
  qemu: string,
  p: CExpectation,
): Promise<{ code: number; signal: string | null; stdout: string; stderr: string }> {
  const cwd = await Deno.makeTempDir({ prefix: `zkabi-c-${p.name}-` });
  try {
    for (const [rel, content] of Object.entries(p.files)) {
      const path = join(cwd, rel);
      await Deno.mkdir(dirname(path), { recursive: true });
      await Deno.writeTextFile(path, content);
    }
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), RUN_TIMEOUT_MS);
    try {
      const child = new Deno.Command(qemu, {
        args: [join(BIN_DIR, p.name), ...p.args],
        cwd,
        clearEnv: true,
        env: {},
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        signal: timeout.signal,
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(p.stdin));
      await writer.close();
      const out = await child.output();
      const dec = new TextDecoder();
      return {
        code: out.code,
        signal: out.signal,
        stdout: dec.decode(out.stdout),
        stderr: dec.decode(out.stderr),
      };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

for (const p of PROGRAMS) {
  if (p.native !== "run") continue;
  Deno.test({
    name: `C guest under qemu-riscv64: ${p.name}`,
    ignore: QEMU === null,
    fn: async () => {
      const res = await runUnderQemu(QEMU as string, p);
      const context = `${p.name}: stderr was ${JSON.stringify(res.stderr)}`;
      if (p.signal !== null) {
        assert.equal(res.signal, p.signal, context);
      } else {
        assert.equal(res.signal, null, context);
        assert.equal(res.code, p.exit, context);
      }
      if (p.stdout_regex !== undefined) {
        assert.match(res.stdout, new RegExp(p.stdout_regex), context);
      } else {
        assert.equal(res.stdout, p.stdout, context);
      }
    },
  });
}
