/**
 * The analysis commands of the CLI:
 *
 * ```
 * zkabi analyze BIN... [RUN OPTIONS] [--cwd DIR] [--format md|json] [-- ARGS...]
 * zkabi compare A B ... [RUN OPTIONS] [--cwd DIR] [--phase all|loader|startup|app|exit]
 *                       [--format md|json]
 * zkabi tiers BIN [RUN OPTIONS] [--extra-profile FILE]... [--cwd DIR] [--format md|json]
 *                 [-- ARGS...]
 * zkabi import-strace LOG [--as strace|qemu] [--format md|json]
 * zkabi analyze-bundled [--out DIR] [--guests ID,...] [--quick] [--workers N] [--render-only]
 *                       [--remeasure-real]
 * ```
 * RUN OPTIONS are `zkabi run`'s (`lib/front/flags.ts`): every front end
 * parses them with the same parser.
 * `--render-only` renders the report again from `DIR/data/` without running
 * anything; `--remeasure-real` measures the real go-ethereum clients again
 * even when the committed measurements (`data/real_clients.json`) are current. `compare` takes binaries (ELF files, run under full) and trace logs
 * (strace or qemu -strace text) in any mix; the first is the baseline.
 * Bad input (missing file, unknown option, bad value) is one line on stderr
 * and exit status 125.
 * @module
 */

import { dirname, join } from "node:path";
import { analyzeBundled } from "../analysis/bundled.ts";
import { compareProfiles } from "../analysis/compare.ts";
import { costBreakdown } from "../analysis/costs.ts";
import { analyzeReadiness } from "../analysis/readiness.ts";
import { RunPool, type RunRequest } from "../analysis/runner.ts";
import { classifierForBinary } from "../analysis/symbol_maps.ts";
import {
  importTrace,
  PHASE_LABELS,
  PHASES,
  type SyscallProfile,
} from "../analysis/syscall_profile.ts";
import { loadProfile, ProfileError, profileToJson } from "../dispatch/profile.ts";
import {
  choiceFlag,
  type FlagSpec,
  hostPath,
  integerFlag,
  type ParsedFlags,
  parseFlags,
  RUN_FLAGS,
  runOptionsOf,
  stringFlag,
  stringFlags,
  switchFlag,
  UsageError,
} from "./flags.ts";
import { int, readAnalysis, renderReport, table, writeReportFiles } from "../report/findings.ts";
import { comparisonDoc, readinessDoc } from "../render/views.ts";
import { render } from "../render/doc.ts";
import { profileDoc } from "../render/views.ts";

/** Where a command runs: the repository (bundled guests, reports) and the caller's directory. */
export interface FrontContext {
  /** The repository root (the front end's entry point resolves it). */
  readonly root: string;
  /** The caller's working directory (relative paths start here). */
  readonly cwd: string;
}

/** A CLI subcommand: takes its arguments, returns the exit status. */
export type Command = (args: readonly string[], ctx: FrontContext) => Promise<number>;

/** Runs `body`, turning bad input into one line on stderr and status 125. */
function guarded(name: string, body: Command): Command {
  return async (args, ctx) => {
    try {
      return await body(args, ctx);
    } catch (e) {
      if (e instanceof UsageError || e instanceof ProfileError) {
        console.error(`zkabi ${name}: ${(e as Error).message.split("\n")[0]}`);
        return 125;
      }
      throw e;
    }
  };
}

const FORMAT_FLAG: FlagSpec = { name: "format", arg: "md|json", help: "output format" };
const CWD_FLAG: FlagSpec = {
  name: "cwd",
  arg: "DIR",
  help: "the guest's working directory (default: here)",
};

function readable(path: string): Uint8Array {
  try {
    return Deno.readFileSync(path);
  } catch {
    throw new UsageError(`${path}: cannot read`);
  }
}

function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c &&
    bytes[3] === 0x46;
}

function workers(): number {
  return Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1));
}

/** The run flags as an analysis run request for `bin` (its profile chosen by the caller). */
async function requestFor(
  f: ParsedFlags,
  ctx: FrontContext,
): Promise<(bin: string) => Omit<RunRequest, "profile"> & { profile?: RunRequest["profile"] }> {
  const o = await runOptionsOf(f, ctx.cwd);
  const cwd = hostPath(ctx.cwd, stringFlag(f, "cwd") ?? ".");
  const profile = o.profile === undefined
    ? undefined
    : typeof o.profile === "string"
    ? o.profile
    : profileToJson(o.profile);
  return (bin) => ({
    label: bin.split("/").pop() ?? bin,
    program: hostPath(ctx.cwd, bin),
    argv0: bin,
    args: f.rest,
    cwd,
    sysroot: o.sysroot,
    env: o.env,
    mounts: o.mounts,
    seed: o.seed,
    maxInsns: o.maxInsns,
    cpus: o.cpus,
    memory: o.memory,
    sched: o.sched,
    quantum: o.quantum,
    hz: o.hz,
    engine: o.engine,
    vdso: o.vdso,
    profile,
  });
}

/** `zkabi analyze`. */
async function analyzeCommand(args: readonly string[], ctx: FrontContext): Promise<number> {
  const f = parseFlags(args, [...RUN_FLAGS, CWD_FLAG, FORMAT_FLAG], "positionals");
  const fmt = choiceFlag(f, "format", ["md", "json"]) ?? "md";
  if (f.positionals.length === 0) throw new UsageError("analyze: missing the binary to analyze");
  const request = await requestFor(f, ctx);
  const pool = new RunPool(0);
  const results: Record<string, unknown>[] = [];
  let md = "";
  for (const bin of f.positionals) {
    const bytes = readable(hostPath(ctx.cwd, bin));
    if (!isElf(bytes)) throw new UsageError(`${bin}: not an ELF file`);
    const base = request(bin);
    const profile = base.profile ?? "full";
    const d = await pool.run({ ...base, profile, sample: 997 });
    const info = classifierForBinary(bytes);
    const costs = costBreakdown(d, info.classifier, info.origin);
    const outcome = d.end === "exit"
      ? `exit ${d.status}`
      : d.denied
      ? `stopped at ${d.denied.name} (${PHASE_LABELS[d.denied.phase]}): not in the profile`
      : d.message;
    results.push({
      binary: bin,
      profile: typeof profile === "string" ? profile : profile.name,
      status: d.status,
      end: d.end,
      outcome,
      instret: d.instret,
      threads: d.threads,
      contextSwitches: d.contextSwitches,
      futex: d.futex,
      signalsDelivered: d.signalsDelivered,
      memory: d.memory,
      syscalls: d.profile,
      costs,
    });
    md += `## ${bin}\n\nProfile ${typeof profile === "string" ? profile : profile.name}: ` +
      `${outcome}; ${int(d.instret)} instructions, ${d.threads} thread(s).\n\n` +
      render(profileDoc(d.profile), "md") + "\n\n";
    if (costs.classes) {
      md += table(
        ["class", "instructions (est.)"],
        Object.entries(costs.classes).filter(([, n]) => n > 0).map(([c, n]) => [c, int(n)]),
      ) + "\n";
    } else md += `Instruction breakdown: ${costs.origin}.\n\n`;
  }
  pool.close();
  console.log(fmt === "json" ? JSON.stringify(results, null, 2) : md.trimEnd());
  return 0;
}

/** Profiles of binaries or logs for `compare`. */
async function profileOf(
  path: string,
  request: (bin: string) => Omit<RunRequest, "profile"> & { profile?: RunRequest["profile"] },
  pool: RunPool,
  ctx: FrontContext,
): Promise<SyscallProfile> {
  const bytes = readable(hostPath(ctx.cwd, path));
  if (isElf(bytes)) {
    const base = request(path);
    const d = await pool.run({ ...base, profile: base.profile ?? "full" });
    return d.profile;
  }
  const text = new TextDecoder().decode(bytes);
  return importTrace(path, text).profile;
}

/** `zkabi compare`. */
async function compareCommand(args: readonly string[], ctx: FrontContext): Promise<number> {
  const phaseFlag: FlagSpec = { name: "phase", arg: "PHASE", help: "compare one phase" };
  const f = parseFlags(args, [...RUN_FLAGS, CWD_FLAG, phaseFlag, FORMAT_FLAG], "positionals");
  const fmt = choiceFlag(f, "format", ["md", "json"]) ?? "md";
  if (f.positionals.length < 2) throw new UsageError("compare: give at least two binaries or logs");
  const phase = choiceFlag(f, "phase", ["all", ...PHASES]) ?? "all";
  const request = await requestFor(f, ctx);
  const pool = new RunPool(0);
  const profiles: SyscallProfile[] = [];
  for (const p of f.positionals) profiles.push(await profileOf(p, request, pool, ctx));
  pool.close();
  const c = compareProfiles(profiles, phase);
  console.log(fmt === "json" ? JSON.stringify(c, null, 2) : render(comparisonDoc(c), "md"));
  return 0;
}

/** `zkabi tiers`. */
async function tiersCommand(args: readonly string[], ctx: FrontContext): Promise<number> {
  // Readiness tries every tier itself: --profile here names more profiles to try.
  const extraProfiles: FlagSpec = {
    name: "profile",
    arg: "FILE",
    multiple: true,
    help: "also try this profile (repeatable)",
  };
  const runFlags = RUN_FLAGS.filter((x) => x.name !== "tier" && x.name !== "profile");
  const f = parseFlags(args, [...runFlags, extraProfiles, CWD_FLAG, FORMAT_FLAG], "positionals");
  const fmt = choiceFlag(f, "format", ["md", "json"]) ?? "md";
  if (f.positionals.length !== 1) throw new UsageError("tiers: give exactly one binary");
  const bin = f.positionals[0];
  if (!isElf(readable(hostPath(ctx.cwd, bin)))) throw new UsageError(`${bin}: not an ELF file`);
  const extra: Record<string, unknown>[] = [];
  for (const file of stringFlags(f, "profile")) {
    extra.push(profileToJson(await loadProfile(hostPath(ctx.cwd, file))));
  }
  const request = await requestFor(
    { ...f, values: new Map([...f.values].filter(([k]) => k !== "profile")) },
    ctx,
  );
  const pool = new RunPool(workers());
  const base = request(bin);
  try {
    const ref = await pool.run({ ...base, profile: "full" });
    if (ref.end !== "exit") {
      throw new UsageError(`${bin} does not run to completion under full: ${ref.message}`);
    }
    const r = await analyzeReadiness(pool, base, {
      reference: ref,
      profiles: ["basic", "advanced", "full", ...extra],
      progress: (l) => console.error(l),
    });
    console.log(
      fmt === "json"
        ? JSON.stringify(r, null, 2)
        : `## ${r.binary}\n\n${render(readinessDoc(r), "md")}`,
    );
  } finally {
    pool.close();
  }
  return 0;
}

/** `zkabi import-strace`. */
function importCommand(args: readonly string[], ctx: FrontContext): Promise<number> {
  const asFlag: FlagSpec = { name: "as", arg: "strace|qemu", help: "the log's format" };
  const f = parseFlags(args, [asFlag, FORMAT_FLAG], "positionals");
  const fmt = choiceFlag(f, "format", ["md", "json"]) ?? "md";
  if (f.positionals.length !== 1) throw new UsageError("import-strace: give exactly one log file");
  const as = choiceFlag(f, "as", ["strace", "qemu"]);
  const path = f.positionals[0];
  const text = new TextDecoder().decode(readable(hostPath(ctx.cwd, path)));
  const r = importTrace(path, text, as);
  if (fmt === "json") {
    console.log(
      JSON.stringify({ format: r.format, profile: r.profile, malformed: r.malformed }, null, 2),
    );
  } else {
    let md = `## ${path} (${r.format})\n\n${render(profileDoc(r.profile), "md")}\n`;
    if (r.malformed.length > 0) {
      md += "\n" +
        table(["line", "problem", "text"], r.malformed.map((m) => [m.line, m.reason, m.text]));
    }
    console.log(md.trimEnd());
  }
  for (const m of r.malformed) console.error(`${path}:${m.line}: ${m.reason}`);
  return Promise.resolve(0);
}

/** `zkabi analyze-bundled` (`deno task analyze`). */
async function bundledCommand(args: readonly string[], ctx: FrontContext): Promise<number> {
  const f = parseFlags(args, [
    { name: "out", arg: "DIR", help: "where to write the report (default reports/)" },
    { name: "guests", arg: "ID,...", help: "only these guests" },
    { name: "quick", help: "skip the slow experiments" },
    { name: "workers", arg: "N", help: "parallel runs (default: up to 2)" },
    { name: "render-only", help: "render the report again from DIR/data/" },
    { name: "remeasure-real", help: "measure the real geth clients again" },
  ], "positionals");
  if (f.positionals.length > 0) throw new UsageError(`unexpected argument '${f.positionals[0]}'`);
  const n = integerFlag(f, "workers", 0) ?? workers();
  if (n > 16) throw new UsageError(`--workers: expected 0..16, got '${n}'`);
  const ROOT = ctx.root;
  const out = hostPath(ctx.cwd, stringFlag(f, "out") ?? join(ROOT, "reports"));
  if (switchFlag(f, "render-only")) {
    let a;
    try {
      a = readAnalysis(out);
    } catch (e) {
      throw new UsageError(`cannot read ${out}/data: ${(e as Error).message.split("\n")[0]}`);
    }
    const files = renderReport(a);
    writeReportFiles(out, files);
    console.error(`wrote ${files.size} files under ${out} from its data/ folder`);
    return 0;
  }
  const started = performance.now();
  const stamp = () => `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s]`;
  const log = (l: string) => console.error(`${stamp()} ${l}`);
  const pool = new RunPool(n);
  pool.onDone = (d) =>
    console.error(
      `${stamp()} run ${pool.done}: ${d.label}: ${d.end} ${d.status}, ${int(d.instret)} insns, ` +
        `${d.wallSeconds.toFixed(1)} s`,
    );
  try {
    const a = await analyzeBundled(pool, {
      root: ROOT,
      guests: stringFlag(f, "guests")?.split(",").filter((s) => s !== ""),
      quick: switchFlag(f, "quick"),
      remeasureReal: switchFlag(f, "remeasure-real"),
      progress: log,
    });
    const files = renderReport(a);
    writeReportFiles(out, files);
    const wallFile = join(ROOT, ".cache", "analyze-wall.json");
    Deno.mkdirSync(dirname(wallFile), { recursive: true });
    Deno.writeTextFileSync(
      wallFile,
      JSON.stringify(
        { totalSeconds: (performance.now() - started) / 1000, runs: a.wall },
        null,
        2,
      ) +
        "\n",
    );
    log(`wrote ${files.size} files under ${out} (${pool.done} runs; wall times: ${wallFile})`);
  } finally {
    pool.close();
  }
  return 0;
}

/** Analysis subcommands by name, with a one-line summary for the usage text. */
export const ANALYSIS_COMMANDS: ReadonlyMap<string, { run: Command; summary: string }> = new Map([
  [
    "analyze",
    {
      run: guarded("analyze", analyzeCommand),
      summary: "syscall profile and costs of binaries (--tier, --format md|json)",
    },
  ],
  [
    "compare",
    {
      run: guarded("compare", compareCommand),
      summary: "compare binaries and strace/qemu logs side by side",
    },
  ],
  [
    "tiers",
    {
      run: guarded("tiers", tiersCommand),
      summary: "tier readiness by running: blockers, stub trials, smallest profile",
    },
  ],
  [
    "import-strace",
    {
      run: guarded("import-strace", importCommand),
      summary: "syscall profile of a strace or qemu -strace log",
    },
  ],
  [
    "analyze-bundled",
    {
      run: guarded("analyze-bundled", bundledCommand),
      summary: "run the study on the bundled guests and write reports/",
    },
  ],
]);
