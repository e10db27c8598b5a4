/**
 * Support for the hardening tests: the hostile guest run in-process through
 * `run()`, and the CLI run as a child process (for exit statuses, signals
 * and the host's stdout).
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run, type RunOptions, type RunResult } from "../../lib/run/run.ts";
import { scratchDir } from "../support/scratch.ts";

/** The repository root. */
export const REPO: string = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
/** The hostile guest (see `hostile.c`). */
export const HOSTILE: string = join(REPO, "tests", "hardening", "bin", "hostile");

const DECODER = new TextDecoder();

/** A finished run of the hostile guest, with its output as text. */
export interface HostileRun {
  /** The run's result. */
  result: RunResult;
  /** zkabi's exit status. */
  status: number;
  /** stdout as text. */
  out: string;
  /** stderr as text. */
  err: string;
}

/** Runs the hostile guest with `args` in-process (cwd: a fresh scratch directory unless given). */
export function runHostile(args: string[], opts: Partial<RunOptions> = {}): HostileRun {
  const cwd = opts.cwd ?? scratchDir("zkabi-hostile-");
  try {
    const result = run({ maxInsns: 2_000_000_000, ...opts, program: HOSTILE, args, cwd });
    return {
      result,
      status: result.status,
      out: DECODER.decode(result.stdout),
      err: DECODER.decode(result.stderr),
    };
  } finally {
    if (opts.cwd === undefined) Deno.removeSync(cwd, { recursive: true });
  }
}

/** What a CLI run printed and how it exited. */
export interface CliRun {
  /** Exit status. */
  code: number;
  /** stdout. */
  stdout: string;
  /** stderr. */
  stderr: string;
}

/** Runs `deno run -A cli.ts ARGS` in `cwd` (default: the repository). */
export async function zkabi(args: string[], cwd = REPO): Promise<CliRun> {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO, "cli.ts"), ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: o.code, stdout: DECODER.decode(o.stdout), stderr: DECODER.decode(o.stderr) };
}

/** Runs a bash command line (for pipes and redirections) in `cwd`. */
export async function bash(line: string, cwd = REPO): Promise<CliRun> {
  const o = await new Deno.Command("bash", {
    args: ["-c", line],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: o.code, stdout: DECODER.decode(o.stdout), stderr: DECODER.decode(o.stderr) };
}

/** The `deno run -A cli.ts` command line, quoted for bash. */
export const ZKABI_SH = `'${Deno.execPath()}' run -A '${join(REPO, "cli.ts")}'`;
