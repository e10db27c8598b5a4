/**
 * Runs the Rust `stateless` and Go `t8n` guests on the shared fixture and
 * extracts what both report: post-state root, receipts root and gas used.
 * Used by `guests/build.ts` (to write `fixtures/expected.json`) and by
 * `tests/guests_test.ts`.
 * @module
 */

import { join } from "node:path";

/** What both guests compute for the fixture block. */
export interface FixtureResult {
  /** Post-state root, 0x-hex. */
  stateRoot: string;
  /** Receipts root, 0x-hex. */
  receiptsRoot: string;
  /** Gas used by the block. */
  gasUsed: number;
}

/** The contents of `guests/fixtures/expected.json`. */
export interface ExpectedFixture extends FixtureResult {
  /** Pre-state root (from the generator). */
  preStateRoot: string;
  /** Transactions root (from the generator). */
  transactionsRoot: string;
}

async function capture(argv: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr);
    throw new Error(`${argv.join(" ")} exited ${out.code}:\n${stderr}${stdout}`);
  }
  return stdout;
}

/**
 * Runs the stateless guest. `prefix` is the command before the input path,
 * e.g. `[binary]` or `["qemu-riscv64", "-L", sysroot, binary]`.
 */
export async function runStateless(prefix: string[], guestsDir: string): Promise<FixtureResult> {
  const out = await capture([...prefix, "stateless_input.json"], join(guestsDir, "fixtures"));
  if (!/^Starting stateless block validation/m.test(out)) throw new Error(`no start line:\n${out}`);
  const field = (label: string): string => {
    const m = out.match(new RegExp(`^${label}: (\\S+)$`, "m"));
    if (!m) throw new Error(`stateless output lacks "${label}":\n${out}`);
    return m[1];
  };
  return {
    stateRoot: field("Post-state root"),
    receiptsRoot: field("Receipts root"),
    gasUsed: Number(field("Gas used")),
  };
}

/** Runs the t8n guest (same `prefix` convention) and reads its result JSON. */
export async function runT8n(prefix: string[], guestsDir: string): Promise<FixtureResult> {
  const out = await capture(
    [
      ...prefix,
      "--input.alloc",
      "alloc.json",
      "--input.env",
      "env.json",
      "--input.txs",
      "txs.json",
      "--state.fork",
      "Shanghai",
    ],
    join(guestsDir, "fixtures", "t8n"),
  );
  const json = JSON.parse(out) as {
    result: { stateRoot: string; receiptsRoot: string; gasUsed: string; rejected?: unknown[] };
  };
  if (json.result.rejected && json.result.rejected.length > 0) {
    throw new Error(`t8n rejected transactions: ${JSON.stringify(json.result.rejected)}`);
  }
  return {
    stateRoot: json.result.stateRoot,
    receiptsRoot: json.result.receiptsRoot,
    gasUsed: Number(BigInt(json.result.gasUsed)),
  };
}

/** Reads `guests/fixtures/expected.json`. */
export async function readExpected(guestsDir: string): Promise<ExpectedFixture> {
  return JSON.parse(await Deno.readTextFile(join(guestsDir, "fixtures", "expected.json")));
}
