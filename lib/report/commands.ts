/**
 * The analysis commands of the CLI:
 *
 * ```
 * zkabi analyze BIN... [--tier NAME | --profile FILE] [--sysroot DIR] [--cwd DIR]
 *                      [--format md|json] [-- ARGS...]
 * zkabi compare A B ... [--phase all|loader|startup|app|exit] [--sysroot DIR] [--format md|json]
 * zkabi tiers BIN [--profile FILE]... [--sysroot DIR] [--cwd DIR] [--format md|json] [-- ARGS...]
 * zkabi import-strace LOG [--as strace|qemu] [--format md|json]
 * zkabi analyze-bundled [--out DIR] [--guests ID,...] [--quick] [--workers N] [--render-only]
 * ```
 * `--render-only` renders the report again from `DIR/data/` without running
 * anything. `compare` takes binaries (ELF files, run under full) and trace logs
 * (strace or qemu -strace text) in any mix; the first is the baseline.
 * Bad input (missing file, unknown option, bad value) is one line on stderr
 * and exit status 125.
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { analyzeBundled } from "../analysis/bundled.ts";
import { CATEGORIES, CATEGORY_LABELS } from "../analysis/categories.ts";
import { compareProfiles } from "../analysis/compare.ts";
import { costBreakdown } from "../analysis/costs.ts";
import { analyzeReadiness, type BinaryReadiness } from "../analysis/readiness.ts";
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
  comparisonTable,
  int,
  readAnalysis,
  renderReport,
  syscallTable,
  table,
  writeReportFiles,
} from "./findings.ts";

/** A CLI subcommand: takes its arguments, returns the exit status. */
export type Command = (args: readonly string[]) => Promise<number>;

/** A bad-input error of an analysis command: one line, exit status 125. */
class InputError extends Error {}

/** The repository root (two levels above this file). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Runs `body`, turning bad input into one line on stderr and status 125. */
function guarded(name: string, body: Command): Command {
  return async (args) => {
    try {
      return await body(args);
    } catch (e) {
      if (e instanceof InputError || e instanceof ProfileError || e instanceof TypeError) {
        console.error(`zkabi ${name}: ${(e as Error).message.split("\n")[0]}`);
        return 125;
      }
      throw e;
    }
  };
}

function splitDashDash(args: readonly string[]): { own: string[]; guest: string[] } {
  const i = args.indexOf("--");
  return i < 0
    ? { own: [...args], guest: [] }
    : { own: args.slice(0, i), guest: args.slice(i + 1) };
}

function parse<T extends Record<string, { type: "string" | "boolean"; multiple?: boolean }>>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new InputError((e as Error).message.split("\n")[0]);
  }
}

function format(v: string | undefined): "md" | "json" {
  if (v === undefined || v === "md") return "md";
  if (v === "json") return "json";
  throw new InputError(`--format: expected md or json, got '${v}'`);
}

function readable(path: string): Uint8Array {
  try {
    return Deno.readFileSync(path);
  } catch {
    throw new InputError(`${path}: cannot read`);
  }
}

function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c &&
    bytes[3] === 0x46;
}

function workers(): number {
  return Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1));
}

function request(
  bin: string,
  guestArgs: string[],
  v: { sysroot?: string; cwd?: string },
): Omit<RunRequest, "profile"> {
  const cwd = resolve(v.cwd ?? Deno.cwd());
  return {
    label: bin.split("/").pop() ?? bin,
    program: resolve(bin),
    argv0: bin,
    args: guestArgs,
    cwd,
    sysroot: v.sysroot ? resolve(v.sysroot) : undefined,
  };
}

function profileSummary(p: SyscallProfile): string {
  const lines = [
    `${int(p.total)} syscalls, ${Object.keys(p.syscalls).length} distinct, ${
      int(p.errors)
    } errors; phases: ${PHASES.map((x) => `${PHASE_LABELS[x]} ${int(p.phases[x])}`).join(", ")}; ` +
    `categories: ${
      CATEGORIES.filter((c) => p.categories[c] > 0).map((c) =>
        `${CATEGORY_LABELS[c]} ${int(p.categories[c])}`
      ).join(", ")
    }; threads: ${Object.keys(p.threads).length}` +
    (Object.keys(p.signals).length > 0
      ? `; signals: ${Object.entries(p.signals).map(([k, n]) => `${k} ${n}`).join(", ")}`
      : "") +
    (Object.keys(p.precompiles).length > 0
      ? `; precompiles: ${Object.entries(p.precompiles).map(([k, n]) => `${k} ${n}`).join(", ")}`
      : "") +
    ".\n",
  ];
  return lines.join("");
}

/** `zkabi analyze`. */
async function analyzeCommand(args: readonly string[]): Promise<number> {
  const { own, guest } = splitDashDash(args);
  const { values, positionals } = parse(own, {
    tier: { type: "string" },
    profile: { type: "string" },
    sysroot: { type: "string" },
    cwd: { type: "string" },
    format: { type: "string" },
  });
  const fmt = format(values.format);
  if (positionals.length === 0) throw new InputError("analyze: missing the binary to analyze");
  if (values.tier && values.profile) throw new InputError("--tier and --profile are exclusive");
  const profile = values.profile
    ? profileToJson(await loadProfile(values.profile))
    : values.tier ?? "full";
  if (typeof profile === "string" && !["basic", "advanced", "full"].includes(profile)) {
    throw new InputError(`--tier: unknown tier '${profile}' (expected basic, advanced or full)`);
  }
  const pool = new RunPool(0);
  const results: Record<string, unknown>[] = [];
  let md = "";
  for (const bin of positionals) {
    const bytes = readable(bin);
    if (!isElf(bytes)) throw new InputError(`${bin}: not an ELF file`);
    const base = request(bin, guest, values);
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
      profileSummary(d.profile) + "\n" + syscallTable(d.profile) + "\n";
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
  v: { sysroot?: string; cwd?: string },
  pool: RunPool,
): Promise<SyscallProfile> {
  const bytes = readable(path);
  if (isElf(bytes)) {
    const d = await pool.run({ ...request(path, [], v), profile: "full" });
    return d.profile;
  }
  const text = new TextDecoder().decode(bytes);
  return importTrace(path, text).profile;
}

/** `zkabi compare`. */
async function compareCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse([...args], {
    phase: { type: "string" },
    sysroot: { type: "string" },
    cwd: { type: "string" },
    format: { type: "string" },
  });
  const fmt = format(values.format);
  if (positionals.length < 2) throw new InputError("compare: give at least two binaries or logs");
  const phase = values.phase ?? "all";
  if (phase !== "all" && !(PHASES as readonly string[]).includes(phase)) {
    throw new InputError(`--phase: expected all, loader, startup, app or exit, got '${phase}'`);
  }
  const pool = new RunPool(0);
  const profiles: SyscallProfile[] = [];
  for (const p of positionals) profiles.push(await profileOf(p, values, pool));
  pool.close();
  const c = compareProfiles(profiles, phase as "all");
  console.log(fmt === "json" ? JSON.stringify(c, null, 2) : comparisonTable(c).trimEnd());
  return 0;
}

function readinessMarkdown(r: BinaryReadiness): string {
  let md = `## ${r.binary}\n\nReference under full: ${int(r.reference.instret)} instructions, ` +
    `exit ${r.reference.status}; ${r.used.length} syscalls used. Smallest tier: **${r.smallest}**.` +
    ` Minimal profile: ${r.minimal.outcome.ok ? "runs" : r.minimal.outcome.text}.\n\n`;
  md += table(
    ["profile", "as is", "first blocker", "stubbable", "must implement", "with stubs"],
    r.profiles.map((p) => [
      p.profile,
      p.outcome.ok ? "runs, identical output" : p.outcome.text,
      p.firstBlocker ? `${p.firstBlocker.syscall} (${PHASE_LABELS[p.firstBlocker.phase]})` : "-",
      p.stubbable.map((s) => `${s.syscall}=${s.result}`).join(", ") || "-",
      p.mustImplement.join(", ") || "-",
      p.withStubs ? (p.withStubs.ok ? "runs" : p.withStubs.text) : "-",
    ]),
  );
  md += "\n" + table(
    ["syscall", "stub result", "outcome"],
    r.trials.map((t) => [t.syscall, String(t.result), t.outcome.ok ? "ok" : t.outcome.text]),
  );
  return md;
}

/** `zkabi tiers`. */
async function tiersCommand(args: readonly string[]): Promise<number> {
  const { own, guest } = splitDashDash(args);
  const { values, positionals } = parse(own, {
    profile: { type: "string", multiple: true },
    sysroot: { type: "string" },
    cwd: { type: "string" },
    format: { type: "string" },
  });
  const fmt = format(values.format);
  if (positionals.length !== 1) throw new InputError("tiers: give exactly one binary");
  const bin = positionals[0];
  if (!isElf(readable(bin))) throw new InputError(`${bin}: not an ELF file`);
  const extra: Record<string, unknown>[] = [];
  for (const f of values.profile ?? []) extra.push(profileToJson(await loadProfile(f)));
  const pool = new RunPool(workers());
  const base = request(bin, guest, values);
  try {
    const ref = await pool.run({ ...base, profile: "full" });
    if (ref.end !== "exit") {
      throw new InputError(`${bin} does not run to completion under full: ${ref.message}`);
    }
    const r = await analyzeReadiness(pool, base, {
      reference: ref,
      profiles: ["basic", "advanced", "full", ...extra],
      progress: (l) => console.error(l),
    });
    console.log(fmt === "json" ? JSON.stringify(r, null, 2) : readinessMarkdown(r).trimEnd());
  } finally {
    pool.close();
  }
  return 0;
}

/** `zkabi import-strace`. */
function importCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse([...args], {
    as: { type: "string" },
    format: { type: "string" },
  });
  const fmt = format(values.format);
  if (positionals.length !== 1) throw new InputError("import-strace: give exactly one log file");
  if (values.as !== undefined && values.as !== "strace" && values.as !== "qemu") {
    throw new InputError(`--as: expected strace or qemu, got '${values.as}'`);
  }
  const path = positionals[0];
  const text = new TextDecoder().decode(readable(path));
  const r = importTrace(path, text, values.as as "strace" | "qemu" | undefined);
  if (fmt === "json") {
    console.log(
      JSON.stringify({ format: r.format, profile: r.profile, malformed: r.malformed }, null, 2),
    );
  } else {
    let md = `## ${path} (${r.format})\n\n${profileSummary(r.profile)}\n${syscallTable(r.profile)}`;
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
async function bundledCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse([...args], {
    out: { type: "string" },
    guests: { type: "string" },
    quick: { type: "boolean" },
    workers: { type: "string" },
    "render-only": { type: "boolean" },
  });
  if (positionals.length > 0) throw new InputError(`unexpected argument '${positionals[0]}'`);
  const n = values.workers === undefined ? workers() : Number(values.workers);
  if (!Number.isInteger(n) || n < 0 || n > 16) {
    throw new InputError(`--workers: expected 0..16, got '${values.workers}'`);
  }
  const out = resolve(values.out ?? join(ROOT, "reports"));
  if (values["render-only"]) {
    let a;
    try {
      a = readAnalysis(out);
    } catch (e) {
      throw new InputError(`cannot read ${out}/data: ${(e as Error).message.split("\n")[0]}`);
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
      guests: values.guests?.split(",").filter((s) => s !== ""),
      quick: values.quick,
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
