/**
 * `zkabi run`, the command line's run path: its flags, the output files,
 * the guest's run (interruptible by SIGINT and SIGTERM when outputs are
 * asked for) and the exit status. The launcher `cli.ts` loads this module
 * and everything it imports as one bundled module when `bundle.ts` has
 * built a current one, and from these sources otherwise.
 * @module
 */

import { SIGINT, SIGTERM } from "../abi/signals.ts";
import { KERNEL_IN_REPO, runGuestKernel } from "../guest_kernel/run.ts";
import { finish, prepare, RunError, type RunOptions, type RunResult } from "../run/run.ts";
import { openOutputs } from "../trace/sinks.ts";
import { failureStatus } from "./failure.ts";
import {
  KERNEL_FLAG,
  kernelFileOf,
  OUTPUT_FLAGS,
  parseFlags,
  RUN_FLAGS,
  runOptionsOf,
  stringFlag,
  switchFlag,
  UsageError,
} from "./flags.ts";

/** What the launcher gives the run command. */
export interface RunContext {
  /** The repository (where the in-guest kernel's binary is). */
  readonly root: string;
  /** The usage text (`zkabi run --help`), which lists the launcher's other commands. */
  readonly usage: () => Promise<string>;
  /**
   * The directory of compiled regions kept for the bundle this module was
   * loaded from (`RunOptions.regionCache`); none when it runs from sources.
   */
  readonly regionCache?: string;
}

const HELP_FLAG = { name: "help", help: "this text" };

/** `zkabi run` on `args`; bad input and failures become one line on stderr. Returns the exit status. */
export async function runCommand(args: readonly string[], ctx: RunContext): Promise<number> {
  try {
    return await runBody(args, ctx);
  } catch (e) {
    return failureStatus(e);
  }
}

async function runBody(args: readonly string[], ctx: RunContext): Promise<number> {
  const words = args.map((a, i) => (a === "-h" && i === 0 ? "--help" : a));
  const f = parseFlags(
    words,
    [...RUN_FLAGS, KERNEL_FLAG, ...OUTPUT_FLAGS, HELP_FLAG],
    "program",
  );
  if (switchFlag(f, "help")) {
    console.log(await ctx.usage());
    return 0;
  }
  if (f.positionals.length === 0) throw new UsageError("run: missing the ELF program to run");
  const cwd = Deno.cwd();
  const options = await runOptionsOf(f, cwd);
  const kernelFile = kernelFileOf(f, cwd, `${ctx.root}/${KERNEL_IN_REPO}`);
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
    regionCache: ctx.regionCache,
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
