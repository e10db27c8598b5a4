/**
 * The one command-line parser of zkabi's front ends: the CLI's `run` and
 * analysis commands and the REPL's `load` read their flags here, so every
 * front end accepts the same run options, spelled the same, with the same
 * one-line errors.
 *
 * Grammar: `--name VALUE` or `--name=VALUE`; a flag with an optional value
 * (`--strace[=FILE]`) takes one only after `=`; `--` ends the flags. In
 * `program` mode the first word that is not a flag (or the word after `--`)
 * is the program and everything after it belongs to the guest; in `positionals` mode words and
 * flags mix, and what follows `--` is the guest's.
 * @module
 */

import { BUILTIN_PROFILES, loadProfile, type Profile } from "../dispatch/profile.ts";
import type { SchedStrategy } from "../kernel/kernel.ts";
import type { Mount } from "../kernel/mounts.ts";
import { DEFAULT_MEMORY_LIMIT, MIN_MEMORY_LIMIT } from "../memory/memory.ts";
import { MAX_CPUS, type RunOptions } from "../run/run.ts";
import { normalizeMountPath } from "../vfs/vfs.ts";
import { resolveHostPath } from "../vfs/host_path.ts";

/** A bad command-line word or value: one line on stderr, exit status 125. */
export class UsageError extends Error {
  /** zkabi's exit status for usage errors. */
  readonly code = 125;

  /** Creates the error with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** One flag a front end accepts. */
export interface FlagSpec {
  /** The name without dashes. */
  readonly name: string;
  /** What its value is called in the usage text; absent for a switch. */
  readonly arg?: string;
  /** The value is optional and given only as `--name=VALUE`. */
  readonly optionalArg?: boolean;
  /** May be given more than once. */
  readonly multiple?: boolean;
  /** One line of help. */
  readonly help: string;
}

/** The flags that shape a guest run, shared by every front end. */
export const RUN_FLAGS: readonly FlagSpec[] = [
  {
    name: "sysroot",
    arg: "DIR",
    help: "directory served read-only at / (dynamic loader, libraries)",
  },
  { name: "tier", arg: "NAME", help: "built-in profile: basic, advanced or full (default full)" },
  { name: "profile", arg: "FILE", help: "a profile file (JSON) instead of --tier" },
  {
    name: "mount",
    arg: "HOST:GUEST[:ro|rw]",
    multiple: true,
    help: "mount a host directory (repeatable; default ro)",
  },
  { name: "env", arg: "K=V", multiple: true, help: "add to the guest environment (repeatable)" },
  { name: "seed", arg: "N", help: "seed for getrandom, /dev/urandom, AT_RANDOM (default 0)" },
  { name: "max-insns", arg: "N", help: "stop after N instructions" },
  { name: "cpus", arg: "N", help: `CPUs the guest sees (default 4, at most ${MAX_CPUS})` },
  {
    name: "memory",
    arg: "SIZE",
    help: "guest memory limit, bytes or with k, m or g (default and at most 2g, at least 16m)",
  },
  { name: "sched", arg: "rr|handoff", help: "scheduling strategy (default rr)" },
  { name: "quantum", arg: "N", help: "instructions per time slice (default 100000)" },
  { name: "hz", arg: "N", help: "virtual instructions per second (default 1000000000)" },
  {
    name: "engine",
    arg: "jit|interp",
    help: "compile hot blocks (default) or only interpret; same results",
  },
  {
    name: "vdso",
    arg: "on|off",
    help: "map a vDSO as Linux does (default on; off: clock reads are syscalls)",
  },
];

/** Which kernel answers the program's syscalls (the CLI's `run`). */
export const KERNEL_FLAG: FlagSpec = {
  name: "kernel",
  arg: "KIND",
  help: "builtin (default), guest (the in-guest kernel: syscalls cost guest " +
    "instructions) or guest:FILE (another kernel ELF)",
};

/**
 * The kernel ELF `--kernel` names (`guest` is `defaultKernel`; `guest:FILE`
 * is FILE from `cwd`), or undefined for the built-in kernel.
 */
export function kernelFileOf(
  f: ParsedFlags,
  cwd: string,
  defaultKernel: string,
): string | undefined {
  const v = stringFlag(f, "kernel");
  if (v === undefined || v === "builtin") return undefined;
  if (v === "guest") return defaultKernel;
  if (v.startsWith("guest:") && v.length > 6) return hostPath(cwd, v.slice(6));
  throw new UsageError(`--kernel: expected builtin, guest or guest:FILE, got '${v}'`);
}

/** The trace and statistics outputs of a run (the CLI's `run`). */
export const OUTPUT_FLAGS: readonly FlagSpec[] = [
  { name: "strace", arg: "FILE", optionalArg: true, help: "strace-format trace to stderr or FILE" },
  { name: "trace-json", arg: "FILE", help: "one JSON event per line" },
  { name: "stats", arg: "FILE", help: "run statistics as JSON" },
];

/** The parsed words: flag values by name, positional words, and the guest's words. */
export interface ParsedFlags {
  /** Values of each flag given, in order (`true` for a switch or a bare optional flag). */
  readonly values: ReadonlyMap<string, readonly (string | true)[]>;
  /** Words that are not flags (in `program` mode: the program alone). */
  readonly positionals: readonly string[];
  /** The guest's words: after the program (`program` mode) or after `--`. */
  readonly rest: readonly string[];
}

/**
 * Parses `args` against `specs`. Throws {@linkcode UsageError} for an
 * unknown flag, a missing value, a value given to a switch, or a repeated
 * single-valued flag.
 */
export function parseFlags(
  args: readonly string[],
  specs: readonly FlagSpec[],
  mode: "program" | "positionals",
): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, (string | true)[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      // In program mode the word after `--` is the program, even if it starts with `-`.
      if (mode === "program" && i + 1 < args.length) {
        return { values, positionals: [args[i + 1]], rest: args.slice(i + 2) };
      }
      return { values, positionals, rest: args.slice(i + 1) };
    }
    if (!a.startsWith("--") || a === "--") {
      if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option '${a}'`);
      if (mode === "program") return { values, positionals: [a], rest: args.slice(i + 1) };
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) {
      const known = specs.map((s) => `--${s.name}`).join(" ");
      throw new UsageError(`unknown option '--${name}' (options: ${known})`);
    }
    let value: string | true;
    if (eq >= 0) {
      if (spec.arg === undefined) throw new UsageError(`--${name} takes no value`);
      value = a.slice(eq + 1);
    } else if (spec.arg === undefined || spec.optionalArg) {
      value = true;
    } else {
      if (i + 1 >= args.length) throw new UsageError(`--${name}: missing ${spec.arg}`);
      value = args[++i];
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && !spec.multiple) throw new UsageError(`--${name} given twice`);
    list.push(value);
    values.set(name, list);
  }
  return { values, positionals, rest: [] };
}

/** The usage lines of `specs`, aligned. */
export function flagUsage(specs: readonly FlagSpec[]): string {
  const left = specs.map((s) =>
    `  --${s.name}${s.arg === undefined ? "" : s.optionalArg ? `[=${s.arg}]` : ` ${s.arg}`}`
  );
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs.map((s, i) => left[i].padEnd(width) + s.help).join("\n");
}

/** The value of single-valued flag `name`, if given (`true` for a bare switch). */
export function flag(f: ParsedFlags, name: string): string | true | undefined {
  return f.values.get(name)?.[0];
}

/** The string value of `name`, if given. */
export function stringFlag(f: ParsedFlags, name: string): string | undefined {
  const v = flag(f, name);
  return v === true ? undefined : v;
}

/** Every value of repeatable flag `name`, as strings. */
export function stringFlags(f: ParsedFlags, name: string): string[] {
  return (f.values.get(name) ?? []).filter((v): v is string => v !== true);
}

/** Whether switch `name` was given. */
export function switchFlag(f: ParsedFlags, name: string): boolean {
  return f.values.has(name);
}

/** An integer flag (decimal or 0x hex) of at least `min`, if given. */
export function integerFlag(f: ParsedFlags, name: string, min: number): number | undefined {
  const v = stringFlag(f, name);
  if (v === undefined) return undefined;
  return parseInteger(`--${name}`, v, min);
}

/** Parses a decimal or 0x-hex integer of at least `min`, naming `what` in the error. */
export function parseInteger(what: string, v: string, min: number): number {
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${what}: expected an integer >= ${min}, got '${v}'`);
  }
  return n;
}

/** An integer flag (decimal or 0x hex) from `min` to `max`, if given. */
export function boundedFlag(
  f: ParsedFlags,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const v = stringFlag(f, name);
  if (v === undefined) return undefined;
  const n = parseInteger(`--${name}`, v, min);
  if (n > max) {
    throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got '${v}'`);
  }
  return n;
}

/**
 * Parses a size: a decimal or 0x-hex byte count, or a decimal count with a
 * binary suffix `k`, `m` or `g` (KiB, MiB, GiB; upper case too), naming
 * `what` in the error.
 */
export function parseSize(what: string, v: string): number {
  const m = /^(\d+)([kmg])?$/i.exec(v);
  if (!m) return parseInteger(what, v, 0);
  const units: Record<string, number> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };
  const n = Number(m[1]) * units[(m[2] ?? "").toLowerCase()];
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what}: '${v}' is too large`);
  return n;
}

/** `--memory SIZE`, if given: from 16 MiB to 2 GiB. */
function memoryFlag(f: ParsedFlags): number | undefined {
  const v = stringFlag(f, "memory");
  if (v === undefined) return undefined;
  const n = parseSize("--memory", v);
  if (n < MIN_MEMORY_LIMIT || n > DEFAULT_MEMORY_LIMIT) {
    throw new UsageError(`--memory: expected 16m to 2g, got '${v}'`);
  }
  return n;
}

/** A flag whose value must be one of `choices`. */
export function choiceFlag<T extends string>(
  f: ParsedFlags,
  name: string,
  choices: readonly T[],
): T | undefined {
  const v = stringFlag(f, name);
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(`--${name}: expected ${choices.join(" or ")}, got '${v}'`);
  }
  return v as T;
}

/**
 * Parses `--mount HOST:GUEST[:ro|rw]`: the host directory must exist (paths
 * from `cwd`); GUEST must be absolute, without `.` or `..` components.
 */
export function parseMount(spec: string, cwd: string): Mount {
  const m = /^([^:]+):([^:]+)(?::(ro|rw))?$/.exec(spec);
  if (!m || !m[2].startsWith("/")) {
    throw new UsageError(
      `--mount: expected HOST:GUEST[:ro|rw] with an absolute GUEST, got '${spec}'`,
    );
  }
  try {
    normalizeMountPath(m[2]);
  } catch {
    throw new UsageError(`--mount: the guest path '${m[2]}' must not contain . or ..`);
  }
  let host: string;
  try {
    host = Deno.realPathSync(resolveHostPath(cwd, m[1]));
  } catch {
    throw new UsageError(`--mount: '${m[1]}' does not exist`);
  }
  if (!Deno.statSync(host).isDirectory) {
    throw new UsageError(`--mount: '${m[1]}' is not a directory`);
  }
  return { host, guest: m[2], writable: m[3] === "rw" };
}

/** Parses `--env K=V` words into a map. */
export function parseEnv(list: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new UsageError(`--env: expected K=V, got '${kv}'`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

/** The run options {@linkcode RUN_FLAGS} describe (the program and I/O are the caller's). */
export type RunFlagOptions = Pick<
  RunOptions,
  | "sysroot"
  | "profile"
  | "mounts"
  | "env"
  | "seed"
  | "maxInsns"
  | "cpus"
  | "memory"
  | "sched"
  | "quantum"
  | "hz"
  | "engine"
  | "vdso"
>;

/**
 * The run options of parsed {@linkcode RUN_FLAGS}, checked, with host paths
 * resolved from `cwd` and a profile file loaded. Options not given stay
 * undefined (the runner's defaults apply).
 */
export async function runOptionsOf(f: ParsedFlags, cwd: string): Promise<RunFlagOptions> {
  const tier = stringFlag(f, "tier");
  const file = stringFlag(f, "profile");
  if (tier !== undefined && file !== undefined) {
    throw new UsageError("--tier and --profile are exclusive");
  }
  if (tier !== undefined && !BUILTIN_PROFILES.includes(tier)) {
    throw new UsageError(`--tier: expected one of ${BUILTIN_PROFILES.join(", ")}, got '${tier}'`);
  }
  let profile: string | Profile | undefined = tier;
  if (file !== undefined) profile = await loadProfile(hostPath(cwd, file));
  const sysroot = stringFlag(f, "sysroot");
  const vdso = choiceFlag(f, "vdso", ["on", "off"]);
  return {
    sysroot: sysroot === undefined ? undefined : directory("--sysroot", cwd, sysroot),
    profile,
    mounts: stringFlags(f, "mount").map((m) => parseMount(m, cwd)),
    env: parseEnv(stringFlags(f, "env")),
    seed: integerFlag(f, "seed", 0),
    maxInsns: integerFlag(f, "max-insns", 1),
    cpus: boundedFlag(f, "cpus", 1, MAX_CPUS),
    memory: memoryFlag(f),
    sched: choiceFlag<SchedStrategy>(f, "sched", ["rr", "handoff"]),
    quantum: integerFlag(f, "quantum", 1),
    hz: integerFlag(f, "hz", 1),
    engine: choiceFlag(f, "engine", ["jit", "interp"]),
    vdso: vdso === undefined ? undefined : vdso === "on",
  };
}

/** `path` resolved from `cwd`, which must be an existing directory. */
function directory(what: string, cwd: string, path: string): string {
  const p = hostPath(cwd, path);
  let isDir = false;
  try {
    isDir = Deno.statSync(p).isDirectory;
  } catch {
    throw new UsageError(`${what}: '${path}' does not exist`);
  }
  if (!isDir) throw new UsageError(`${what}: '${path}' is not a directory`);
  return p;
}

/** `path` resolved from `cwd` (absolute paths as they are). */
export function hostPath(cwd: string, path: string): string {
  return path.startsWith("/") ? path : resolveHostPath(cwd, path);
}
