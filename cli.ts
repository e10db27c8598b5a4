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
 * @module
 */

import { ProfileError } from "./lib/dispatch/profile.ts";
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
import { SIGINT, SIGTERM } from "./lib/abi/signals.ts";
import { KERNEL_IN_REPO, runGuestKernel } from "./lib/guest_kernel/run.ts";
import { finish, prepare, RunError, type RunOptions, type RunResult } from "./lib/run/run.ts";
import { openOutputs, OutputError } from "./lib/trace/sinks.ts";

export { UsageError };

const HELP_FLAG = { name: "help", help: "this text" };

/** The repository: bundled guests, reports/ (the analysis commands' defaults). */
const ROOT = new URL(".", import.meta.url).pathname.replace(/\/$/, "");

/** The usage text, with the analysis commands listed. */
/**
 * The analysis commands, loaded only when one is asked for: `zkabi run`
 * starts faster without the analysis and report modules.
 */
async function analysisCommands(): Promise<
  typeof import("./lib/front/commands.ts").ANALYSIS_COMMANDS
> {
  return (await import("./lib/front/commands.ts")).ANALYSIS_COMMANDS;
}

async function usage(): Promise<string> {
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

/** `zkabi run`: returns the exit status. */
async function runCommand(args: readonly string[]): Promise<number> {
  const words = args.map((a, i) => (a === "-h" && i === 0 ? "--help" : a));
  const f = parseFlags(
    words,
    [...RUN_FLAGS, KERNEL_FLAG, ...OUTPUT_FLAGS, HELP_FLAG],
    "program",
  );
  if (switchFlag(f, "help")) {
    console.log(await usage());
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
  const paths = {
    strace: strace === undefined ? undefined : strace === true ? "" : strace,
    traceJson: stringFlag(f, "trace-json"),
    stats: stringFlag(f, "stats"),
  };
  // Before the program is even read: a bad output path must not cost the guest's run.
  const outputs = openOutputs(paths);
  const opts: RunOptions = {
    ...options,
    program: f.positionals[0],
    args: f.rest,
    cwd,
    stdin: kernelFile === undefined ? "inherit" : undefined,
    stdout: "inherit",
    stderr: "inherit",
    writers: outputs.writers,
  };
  let result: RunResult;
  try {
    result = kernelFile === undefined
      ? await runInterruptible(opts, Object.values(paths).some((p) => p !== undefined))
      : runGuestKernel({ ...opts, kernelFile });
  } catch (e) {
    if (e instanceof RunError) outputs.abandon();
    else outputs.close();
    throw e;
  }
  outputs.writeStats(result.stats);
  outputs.close();
  if (result.message) console.error(`zkabi: ${result.message}`);
  const failed = outputs.failures();
  if (failed.length > 0) {
    console.error(`zkabi: ${failed.join("; ")} (the guest's exit status was ${result.status})`);
    return 125;
  }
  return result.status;
}

/** Instructions run between two looks at the clock. */
const SLICE = 5_000_000;
/** Milliseconds of emulation between two looks at the host's signals. */
const YIELD_MS = 100;

/**
 * Runs the guest like `run()`, but in slices with a turn of the event loop
 * between them, so that SIGINT and SIGTERM (caught when `catchSignals`)
 * can end the run: the guest is killed as if by that signal, and the
 * runner finishes the trace writers as for any other end. Slicing never
 * changes the schedule or the counts. (A guest blocked in a read of the
 * host's stdin holds the event loop until the read returns.)
 */
async function runInterruptible(opts: RunOptions, catchSignals: boolean): Promise<RunResult> {
  const p = prepare(opts);
  if (!catchSignals) return finish(p);
  let got: "SIGINT" | "SIGTERM" | undefined;
  const onInt = () => (got ??= "SIGINT");
  const onTerm = () => (got ??= "SIGTERM");
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  try {
    const k = p.kernel;
    let turn = performance.now();
    while (!k.end && k.runFor(SLICE) !== "ended") {
      // A turn of the event loop costs about a millisecond (the timer's
      // floor): take one at most every YIELD_MS, so waiting for signals
      // costs the run about 1% at most.
      if (performance.now() - turn < YIELD_MS) continue;
      await new Promise((resolve) => setTimeout(resolve, 0));
      turn = performance.now();
      if (got) k.killBySignal(got === "SIGINT" ? SIGINT : SIGTERM, `zkabi received ${got}`);
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInt);
    Deno.removeSignalListener("SIGTERM", onTerm);
  }
  return finish(p);
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
        console.log(await usage());
        return command === undefined ? 125 : 0;
      default: {
        const analysis = (await analysisCommands()).get(command);
        if (analysis) return await analysis.run(rest, { root: ROOT, cwd: Deno.cwd() });
        throw new UsageError(`unknown command '${command}' (try: zkabi help)`);
      }
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ProfileError) {
      console.error(`zkabi: ${e.message}`);
      return 125;
    }
    if (e instanceof RunError || e instanceof OutputError) {
      console.error(`zkabi: ${e.message}`);
      return e.code;
    }
    // A bug in zkabi: still one line (ZKABI_DEBUG=1 shows the stack) and status 125.
    const text = e instanceof Error ? e.message.split("\n")[0] : String(e);
    console.error(`zkabi: internal error: ${text}`);
    let debug = false;
    try {
      debug = Deno.env.get("ZKABI_DEBUG") !== undefined;
    } catch {
      // No environment access: no stack.
    }
    if (debug) console.error(e instanceof Error ? e.stack : e);
    return 125;
  }
}

/**
 * Processes that ran longer than this (ms since start) end only after this
 * module's evaluation has finished: Deno stores V8's code cache of zkabi's
 * modules then, which makes later starts about 17 ms faster, and never
 * when Deno.exit() is called during evaluation. That costs about 7 ms, so
 * short runs, where start-up counts, exit at once.
 */
const CACHE_AFTER_MS = 300;

if (import.meta.main) {
  const status = await main(Deno.args);
  if (performance.now() < CACHE_AFTER_MS) Deno.exit(status);
  // A timer, not a drained event loop: exiting does not wait for V8's background compile jobs.
  setTimeout(() => Deno.exit(status), 0);
}
