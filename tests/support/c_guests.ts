/**
 * Runs the C guests of guests/c/expect.json through zkabi's run() the way
 * that file describes (a fresh directory holding the listed files as cwd,
 * the args, stdin) and checks exit status and stdout: shared by the syscall
 * families' end-to-end tests.
 * @module
 */

import * as assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../lib/run/run.ts";
import { scratchDir } from "./scratch.ts";

/** One entry of `guests/c/expect.json` (the fields used here). */
interface CExpectation {
  name: string;
  args: string[];
  stdin: string;
  files: Record<string, string>;
  exit: number | null;
  stdout?: string;
  stdout_regex?: string;
}

/** The repository root. */
export const REPO: string = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const PROGRAMS: CExpectation[] = (JSON.parse(
  Deno.readTextFileSync(join(REPO, "guests", "c", "expect.json")),
) as { programs: CExpectation[] }).programs;

/**
 * Runs C guest `name` under run() as expect.json describes (fresh directory
 * with its files, its args and stdin) and checks exit status and stdout.
 * Returns the stdout.
 */
export function runGuest(name: string): string {
  const p = PROGRAMS.find((x) => x.name === name);
  assert.ok(p, `${name} is in expect.json`);
  const dir = scratchDir(`zkabi-${name}-`);
  try {
    for (const [rel, content] of Object.entries(p.files)) {
      Deno.mkdirSync(dirname(join(dir, rel)), { recursive: true });
      Deno.writeTextFileSync(join(dir, rel), content);
    }
    const r = run({
      program: join(REPO, "guests", "bin", "c", name),
      args: p.args,
      cwd: dir,
      stdin: new TextEncoder().encode(p.stdin),
      maxInsns: 50_000_000,
    });
    const out = new TextDecoder().decode(r.stdout);
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.message, undefined, `${name}: ${r.message}`);
    assert.equal(r.status, p.exit, `${name} exit status (stdout ${out}, stderr ${err})`);
    if (p.stdout !== undefined) assert.equal(out, p.stdout);
    else assert.match(out, new RegExp(p.stdout_regex!));
    return out;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
