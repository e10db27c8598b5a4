/**
 * The zkabi command line.
 *
 * ```
 * zkabi run [--sysroot DIR] [--tier basic|advanced|full | --profile FILE]
 *           [--strace[=FILE]] [--trace-json FILE] [--stats FILE]
 *           [--mount HOST:GUEST[:ro|rw]]... [--env K=V]... [--seed N]
 *           [--max-insns N] [--cpus N] [--sched rr|handoff] [--quantum N]
 *           [--hz N] [--engine jit|interp] [--kernel builtin|guest|guest:FILE]
 *           [--] ELF [ARGS...]
 * ```
 * Exit status: the guest's; 128+N when the guest dies by signal N; 125 for
 * usage or emulator errors, 126 when the file cannot be executed, 127 when
 * it does not exist. Errors are one line on stderr.
 * @module
 */

import { ProfileError } from "./lib/dispatch/profile.ts";
import { ANALYSIS_COMMANDS } from "./lib/front/commands.ts";
import {
  flagUsage,
  KERNEL_FLAG,
  kernelFileOf,
  OUTPUT_FLAGS,
  parseFlags,
  RUN_FLAGS,
  runOptionsOf,
  stringFlag,
  switchFlag,
  UsageError,
} from "./lib/front/flags.ts";
import { KERNEL_IN_REPO, runGuestKernel } from "./lib/guest_kernel/run.ts";
import { run, RunError, type RunOptions } from "./lib/run/run.ts";
import { traceWriters } from "./lib/trace/sinks.ts";

export { UsageError };

const HELP_FLAG = { name: "help", help: "this text" };

/** The repository: bundled guests, reports/ (the analysis commands' defaults). */
const ROOT = new URL(".", import.meta.url).pathname.replace(/\/$/, "");

/** The usage text, with the analysis commands listed. */
function usage(): string {
  const commands = [
    ["run [options] [--] ELF [ARGS...]", "run a riscv64 Linux program"],
    ...[...ANALYSIS_COMMANDS].map(([name, c]) => [name, c.summary]),
  ];
  return `usage: zkabi <command> [options]

commands:
${commands.map(([c, s]) => `  ${c.padEnd(33)} ${s}`).join("\n")}

run options:
${flagUsage([...RUN_FLAGS, KERNEL_FLAG, ...OUTPUT_FLAGS])}
`;
}

/** `zkabi run`: returns the exit status. */
async function runCommand(args: readonly string[]): Promise<number> {
  const words = args.map((a, i) => (a === "-h" && i === 0 ? "--help" : a));
  const f = parseFlags(
    words,
    [...RUN_FLAGS, KERNEL_FLAG, ...OUTPUT_FLAGS, HELP_FLAG],
    "program",
  );
  if (switchFlag(f, "help")) {
    console.log(usage());
    return 0;
  }
  if (f.positionals.length === 0) throw new UsageError("run: missing the ELF program to run");
  const cwd = Deno.cwd();
  const options = await runOptionsOf(f, cwd);
  const kernelFile = kernelFileOf(f, cwd, `${ROOT}/${KERNEL_IN_REPO}`);
  if (kernelFile !== undefined) {
    for (const name of ["strace", "trace-json", "tier", "profile", "sysroot"]) {
      // The in-guest kernel answers the syscalls itself: zkabi sees only its host calls.
      if (f.values.has(name)) throw new UsageError(`--kernel guest: --${name} does not apply`);
    }
  }
  const strace = f.values.get("strace")?.[0];
  const writers = traceWriters({
    strace: strace === undefined ? undefined : strace === true ? "" : strace,
    traceJson: stringFlag(f, "trace-json"),
  });
  const stats = stringFlag(f, "stats");
  const opts: RunOptions = {
    ...options,
    program: f.positionals[0],
    args: f.rest,
    cwd,
    stdin: kernelFile === undefined ? "inherit" : undefined,
    stdout: "inherit",
    stderr: "inherit",
    writers,
  };
  const result = kernelFile === undefined ? run(opts) : runGuestKernel({ ...opts, kernelFile });
  if (stats !== undefined) {
    await Deno.writeTextFile(stats, JSON.stringify(result.stats, null, 2) + "\n");
  }
  if (result.message) console.error(`zkabi: ${result.message}`);
  return result.status;
}

/** Runs the CLI on `args` and returns the process exit status. */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "run":
        return await runCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(usage());
        return command === undefined ? 125 : 0;
      default: {
        const analysis = ANALYSIS_COMMANDS.get(command);
        if (analysis) return await analysis.run(rest, { root: ROOT, cwd: Deno.cwd() });
        throw new UsageError(`unknown command '${command}' (try: zkabi help)`);
      }
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ProfileError) {
      console.error(`zkabi: ${e.message}`);
      return 125;
    }
    if (e instanceof RunError) {
      console.error(`zkabi: ${e.message}`);
      return e.code;
    }
    throw e;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
