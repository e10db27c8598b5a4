/**
 * The zkabi command line.
 *
 * ```
 * zkabi run [--sysroot DIR] [--tier basic|advanced|full | --profile FILE]
 *           [--strace[=FILE]] [--trace-json FILE] [--stats FILE]
 *           [--mount HOST:GUEST[:ro|rw]]... [--env K=V]... [--seed N]
 *           [--max-insns N] [--cpus N] [--sched rr|handoff] [--quantum N]
 *           [--hz N] [--engine jit|interp] [--vdso on|off] [--] ELF [ARGS...]
 * ```
 * Exit status: the guest's; 128+N when the guest dies by signal N; 125 for
 * usage or emulator errors, 126 when the file cannot be executed, 127 when
 * it does not exist. Errors are one line on stderr.
 * @module
 */

import { parseArgs } from "node:util";
import { loadProfile, ProfileError } from "./lib/dispatch/profile.ts";
import type { Mount } from "./lib/kernel/mounts.ts";
import { ANALYSIS_COMMANDS } from "./lib/report/commands.ts";
import { run, RunError, type RunOptions } from "./lib/run/run.ts";
import { traceWriters } from "./lib/trace/sinks.ts";

/** A usage error: printed as one line, exit status 125. */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const USAGE = `usage: zkabi <command> [options]

commands:
  run [options] [--] ELF [ARGS...]   run a riscv64 Linux program

run options:
  --sysroot DIR          directory served read-only at / (dynamic loader, libraries)
  --tier NAME            built-in profile: basic, advanced or full (default full)
  --profile FILE         a profile file (JSON) instead of --tier
  --strace[=FILE]        strace-format trace to stderr or FILE
  --trace-json FILE      one JSON event per line
  --stats FILE           run statistics as JSON
  --mount HOST:GUEST[:ro|rw]   mount a host directory (repeatable; default ro)
  --env K=V              add to the guest environment (repeatable)
  --seed N               seed for getrandom, /dev/urandom, AT_RANDOM (default 0)
  --max-insns N          stop after N instructions
  --cpus N               CPUs the guest sees (default 4)
  --sched rr|handoff     scheduling strategy (default rr)
  --quantum N            instructions per time slice (default 100000)
  --hz N                 virtual instructions per second (default 1000000000)
  --engine jit|interp    compile hot blocks (default) or only interpret; same results
  --vdso on|off          map a vDSO as Linux does (default on; off: clock reads are syscalls)
`;

/** The usage text, with the analysis commands listed. */
function usage(): string {
  const extra = [...ANALYSIS_COMMANDS].map(([name, c]) => `  ${name.padEnd(33)} ${c.summary}`);
  return USAGE.replace(
    "run a riscv64 Linux program\n",
    `run a riscv64 Linux program\n${extra.map((l) => l + "\n").join("")}`,
  );
}

const RUN_OPTIONS = {
  sysroot: { type: "string" },
  tier: { type: "string" },
  profile: { type: "string" },
  strace: { type: "string" },
  "trace-json": { type: "string" },
  stats: { type: "string" },
  mount: { type: "string", multiple: true },
  env: { type: "string", multiple: true },
  seed: { type: "string" },
  "max-insns": { type: "string" },
  cpus: { type: "string" },
  sched: { type: "string" },
  quantum: { type: "string" },
  hz: { type: "string" },
  engine: { type: "string" },
  vdso: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Splits `args` at the program: options before it are zkabi's, everything
 * from the program on belongs to the guest. `--strace` alone (no `=FILE`)
 * takes no value.
 */
function splitAtProgram(args: readonly string[]): { own: string[]; guest: string[] } {
  const own: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return { own, guest: args.slice(i + 1) };
    if (!a.startsWith("-") || a === "-") return { own, guest: args.slice(i) };
    own.push(a);
    const name = a.replace(/^--?/, "");
    const spec = (RUN_OPTIONS as Record<string, { type: string }>)[name];
    if (spec?.type === "string" && name !== "strace" && i + 1 < args.length) own.push(args[++i]);
  }
  return { own, guest: [] };
}

function integer(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`--${name}: expected an integer >= ${min}, got '${v}'`);
  }
  return Number(v);
}

function parseMount(spec: string): Mount {
  const m = /^([^:]+):([^:]+)(?::(ro|rw))?$/.exec(spec);
  if (!m || !m[2].startsWith("/")) {
    throw new UsageError(
      `--mount: expected HOST:GUEST[:ro|rw] with an absolute GUEST, got '${spec}'`,
    );
  }
  let host = m[1];
  try {
    host = Deno.realPathSync(host);
    if (!Deno.statSync(host).isDirectory) {
      throw new UsageError(`--mount: '${m[1]}' is not a directory`);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--mount: '${m[1]}' does not exist`);
  }
  return { host, guest: m[2], writable: m[3] === "rw" };
}

function onOff(name: string, v: string): boolean {
  if (v !== "on" && v !== "off") throw new UsageError(`--${name}: expected on or off, got '${v}'`);
  return v === "on";
}

function parseEnv(list: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new UsageError(`--env: expected K=V, got '${kv}'`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

/** `zkabi run`: returns the exit status. */
async function runCommand(args: readonly string[]): Promise<number> {
  const { own, guest } = splitAtProgram(args);
  let values;
  try {
    // `--strace` without a value is allowed: give it an explicit empty value.
    const normalized = own.map((a) => (a === "--strace" ? "--strace=" : a));
    values = parseArgs({ args: normalized, options: RUN_OPTIONS, strict: true }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
  if (values.help) {
    console.log(usage());
    return 0;
  }
  if (guest.length === 0) throw new UsageError("run: missing the ELF program to run");
  if (values.tier !== undefined && values.profile !== undefined) {
    throw new UsageError("--tier and --profile are exclusive");
  }
  if (values.engine !== undefined && values.engine !== "jit" && values.engine !== "interp") {
    throw new UsageError(`--engine: expected jit or interp, got '${values.engine}'`);
  }
  if (values.sched !== undefined && values.sched !== "rr" && values.sched !== "handoff") {
    throw new UsageError(`--sched: expected rr or handoff, got '${values.sched}'`);
  }
  const profile = values.profile !== undefined
    ? await loadProfile(values.profile)
    : values.tier ?? "full";
  const writers = traceWriters({
    strace: values.strace,
    traceJson: values["trace-json"],
  });
  const opts: RunOptions = {
    program: guest[0],
    args: guest.slice(1),
    sysroot: values.sysroot,
    profile,
    mounts: (values.mount ?? []).map(parseMount),
    env: parseEnv(values.env ?? []),
    seed: integer("seed", values.seed, 0),
    maxInsns: integer("max-insns", values["max-insns"], 1),
    cpus: integer("cpus", values.cpus, 1),
    sched: values.sched as RunOptions["sched"],
    quantum: integer("quantum", values.quantum, 1),
    hz: integer("hz", values.hz, 1),
    engine: values.engine as RunOptions["engine"],
    vdso: values.vdso === undefined ? undefined : onOff("vdso", values.vdso),
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
    writers,
  };
  const result = run(opts);
  if (values.stats !== undefined) {
    await Deno.writeTextFile(values.stats, JSON.stringify(result.stats, null, 2) + "\n");
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
        if (analysis) return await analysis.run(rest);
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
