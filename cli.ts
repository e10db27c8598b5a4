/**
 * The zkabi command line.
 *
 * ```
 * zkabi run [--sysroot DIR] [--tier basic|advanced|full | --profile FILE]
 *           [--strace[=FILE]] [--trace-json FILE] [--stats FILE]
 *           [--mount HOST:GUEST[:ro|rw]]... [--env K=V]... [--seed N]
 *           [--max-insns N] [--cpus N] [--sched rr|handoff] [--quantum N]
 *           [--hz N] [--engine jit|interp] [--vdso on|off]
 *           [--kernel builtin|guest|guest:FILE]
 *           [--] ELF [ARGS...]
 * ```
 * Exit status: the guest's; 128+N when the guest dies by signal N; 125 for
 * usage or emulator errors, 126 when the file cannot be executed, 127 when
 * it does not exist. Errors are one line on stderr.
 *
 * Output files (`--strace=FILE`, `--trace-json`, `--stats`) are opened
 * before the program is loaded: a path that cannot be written is a one-line
 * error with status 125 before the guest runs. When they are asked for,
 * SIGINT and SIGTERM end the run cleanly: the guest is stopped as if killed
 * by that signal, every trace is flushed, the statistics are written, and
 * zkabi exits with 130 or 143. If writing an output fails during the run
 * (a full disk), zkabi says so in one line and exits with 125.
 *
 * `zkabi run` loads its implementation (`lib/front/run_command.ts` and
 * what it imports) as one bundled module when a current bundle exists, and
 * has one built in the background otherwise (`lib/front/bundle.ts`): it
 * starts about 16 ms sooner that way. `ZKABI_BUNDLE=0` runs from the sources.
 * @module
 */

import { currentBundle, requestBundle } from "./lib/front/bundle.ts";

/** The repository: bundled guests, reports/ (the analysis commands' defaults). */
const ROOT = new URL(".", import.meta.url).pathname.replace(/\/$/, "");

type RunPath = typeof import("./lib/front/run_command.ts");

/**
 * `zkabi run`'s implementation: the current bundle, with the compiled
 * regions kept for it; or the sources (and a bundle requested).
 */
async function runPath(): Promise<{ run: RunPath; regionCache?: string }> {
  const bundle = currentBundle(ROOT);
  if (bundle !== undefined) {
    try {
      return { run: await import(bundle.url) as RunPath, regionCache: bundle.regionCache };
    } catch {
      // A bundle that does not load (removed meanwhile, damaged): the sources.
    }
  }
  requestBundle(ROOT);
  return { run: await import("./lib/front/run_command.ts") };
}

/**
 * The analysis commands, loaded only when one is asked for: `zkabi run`
 * starts faster without the analysis and report modules.
 */
async function analysisCommands(): Promise<
  typeof import("./lib/front/commands.ts").ANALYSIS_COMMANDS
> {
  return (await import("./lib/front/commands.ts")).ANALYSIS_COMMANDS;
}

/** The usage text, with the analysis commands listed. */
async function usage(): Promise<string> {
  const { flagUsage, KERNEL_FLAG, OUTPUT_FLAGS, RUN_FLAGS } = await import("./lib/front/flags.ts");
  const commands = [
    ["run [options] [--] ELF [ARGS...]", "run a riscv64 Linux program"],
    ...[...await analysisCommands()].map(([name, c]) => [name, c.summary]),
  ];
  return `usage: zkabi <command> [options]

commands:
${commands.map(([c, s]) => `  ${c.padEnd(33)} ${s}`).join("\n")}

run options:
${flagUsage([...RUN_FLAGS, KERNEL_FLAG, ...OUTPUT_FLAGS])}
`;
}

/** Runs the CLI on `args` and returns the process exit status. */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "run") {
    const { run, regionCache } = await runPath();
    return await run.runCommand(rest, { root: ROOT, usage, regionCache });
  }
  const { failureStatus } = await import("./lib/front/failure.ts");
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(await usage());
        return command === undefined ? 125 : 0;
      default: {
        const analysis = (await analysisCommands()).get(command);
        if (analysis) return await analysis.run(rest, { root: ROOT, cwd: Deno.cwd() });
        console.error(`zkabi: unknown command '${command}' (try: zkabi help)`);
        return 125;
      }
    }
  } catch (e) {
    return failureStatus(e);
  }
}

if (import.meta.main) {
  // At once: Deno has stored V8's code cache of the modules when it loaded them, and a turn
  // of the event loop before exiting would cost several milliseconds.
  Deno.exit(await main(Deno.args));
}
