/**
 * The whole study as data: what `deno task analyze` computes before
 * lib/report turns it into the findings report.
 *
 * - per guest (the real go-ethereum clients first, then the stand-ins): the
 *   reference run under `full` (pc-sampled, `main` and one-off spans
 *   watched, argument values observed), its syscall profile (phases by the
 *   main rule, and by the study's rule), costs and memory figures;
 * - readiness of every guest under basic, advanced and full (stub trials
 *   with their side effects, smallest tier, two sufficient profiles);
 * - one profile per client family (the normative ABI), run on its guests;
 * - the other-VM matrix: each guest under the MT-Cannon, Asterisc, Ziren,
 *   ZeroOS and zkvm-standards profiles, as documented and with file input;
 * - Go experiments (GOMAXPROCS=1, asyncpreemptoff, GOGC=off, one CPU, no vDSO);
 * - futex strategies (rr vs handoff) over seeds and quanta;
 * - the keccak precompile (static vs precompile Rust build);
 * - proving costs under the in-guest kernel (guests/kernel);
 * - keeper's host files denied or empty;
 * - trace imports: the committed qemu -strace logs and the study's logs
 *   (`data/study/`), checked against the tiers.
 *
 * The real clients are measured only when their binaries are present
 * (`real_clients.ts`); otherwise their committed measurements are used.
 * Everything in the result is deterministic except `wall`.
 * @module
 */

import { join } from "node:path";
import {
  builtinProfile,
  loadProfile,
  parseProfile,
  type Profile,
  profileToJson,
} from "../dispatch/profile.ts";
import { type KernelCostRow, kernelCostRows } from "../guest_kernel/table.ts";
import type { Phase } from "../kernel/events.ts";
import { compareProfiles, type Comparison } from "./compare.ts";
import { type CostBreakdown, costBreakdown } from "./costs.ts";
import { CLIENT_FAMILIES, familyDecisions, familyProfile } from "./family.ts";
import {
  CROSS_SYSROOT,
  type GuestSpec,
  PTHREADS_GUEST,
  REAL_CLIENTS,
  STAND_INS,
} from "./guests.ts";
import type { Observed } from "./observe.ts";
import {
  analyzeReadiness,
  type BinaryReadiness,
  coverage,
  type Effects,
  effectsOf,
  firstBlockerOf,
  livelockCaps,
  type Outcome,
  outcomeOf,
  outsideOf,
  workingStub,
} from "./readiness.ts";
import {
  GETH_RUN_DIR,
  localBinaries,
  type MeasuredBy,
  measuredBy,
  readRealClients,
  REAL_CLIENTS_FILE,
  type RealBinary,
  sameBinaries,
  writeRealClients,
} from "./real_clients.ts";
import type { MemoryDigest, RunDigest, RunPool, RunRequest } from "./runner.ts";
import type { CodeWatch } from "./watch.ts";
import { classifierFor } from "./symbol_maps.ts";
import { sha256Hex } from "./symbols.ts";
import { importTrace, type MalformedLine, type SyscallProfile } from "./syscall_profile.ts";
import { ensureSysroot, loadSysrootManifest, type SysrootManifest } from "./sysroot.ts";

/** Instructions between pc samples in the reference runs (a prime, against aliasing). */
export const SAMPLE_INTERVAL = 997;

/** Where the bundled guests see the repository. */
export const GUEST_ROOT = "/zkabi";

/** The in-guest kernel, relative to the repository. */
export const GUEST_KERNEL = "guests/bin/kernel/zkernel";

/** Seeds and quanta of the futex-strategy spread. */
export const SPREAD = { seeds: [0, 1, 2, 3, 4], quanta: [50_000, 100_000, 200_000] } as const;

/** Summary of a run kept in the report data. */
export interface RunSummary {
  /** Exit status. */
  status: number;
  /** How it ended. */
  end: string;
  /** Instructions. */
  instret: number;
  /** Threads created. */
  threads: number;
  /** Context switches. */
  contextSwitches: number;
  /** Futex waits that blocked, and wakes. */
  futex: { waits: number; wakes: number };
  /** Signals delivered. */
  signalsDelivered: number;
  /** Signals delivered by name. */
  signals: Record<string, number>;
  /** Syscalls issued. */
  syscalls: number;
  /** Distinct syscalls. */
  distinct: number;
  /** sha256 of stdout. */
  stdoutSha256: string;
  /** Memory figures. */
  memory: MemoryDigest;
}

/** A one-off computation measured exactly (first call, entry to return). */
export interface SpanResult {
  /** Label. */
  label: string;
  /** The function. */
  function: string;
  /** What it is. */
  description: string;
  /** Process instructions before its first instruction (null: never called; absent function). */
  entry: number | null;
  /** Process instructions when it returned. */
  exit: number | null;
}

/** One guest's reference run, profile and costs. */
export interface GuestAnalysis {
  /** The guest. */
  guest: GuestSpec;
  /** The binary's sha256 and size, and its toolchain (committed guests: from guests/manifest.json). */
  binary: { sha256: string; size: number; toolchain?: string };
  /** The reference run under full. */
  run: RunSummary;
  /** Its syscall profile (phases by `costs.phaseRule`). */
  profile: SyscallProfile;
  /** The same calls with phases by the study's rule. */
  studyProfile: SyscallProfile;
  /** Its costs. */
  costs: CostBreakdown;
  /** Process instructions when `main` was first entered. */
  mainEntry?: number;
  /** Spans measured. */
  spans: SpanResult[];
  /** Argument values used. */
  observed: Observed;
  /** Instructions per ISA class, when measured. */
  isaClasses?: Record<string, number>;
  /** The first and last lines of the reference run's strace text. */
  traceExcerpt: string[];
}

/** One cell of the other-VM matrix. */
export interface VmCell {
  /** Guest id. */
  guest: string;
  /** VM profile name. */
  vm: string;
  /** Outcome of the run under the profile. */
  outcome: Outcome;
  /** The call that stopped it, if one did. */
  firstBlocker?: { syscall: string; phase: Phase };
  /** Used syscalls the VM stubs (returns a fixed value for) rather than emulates. */
  stubbedByVm: string[];
  /** Used syscalls the VM stops on. */
  missing: string[];
  /** Of the stubbed or missing ones, those zkabi's trials found need a real implementation. */
  needImplementation: string[];
}

/** A VM profile's identity in the report. */
export interface VmInfo {
  /** Name. */
  name: string;
  /** What it models. */
  description: string;
  /** Source, version and date. */
  source: string;
}

/** One variant of an experiment. */
export interface Variant {
  /** Name (e.g. `GOMAXPROCS=1`). */
  name: string;
  /** Run summary. */
  run: RunSummary;
  /** Syscall profile. */
  profile: SyscallProfile;
  /** Same stdout as the default run. */
  sameOutput: boolean;
}

/** One run of the futex-strategy spread. */
export interface SpreadRun {
  /** Scheduling strategy. */
  strategy: "rr" | "handoff";
  /** Seed. */
  seed: number;
  /** Quantum. */
  quantum: number;
  /** The run. */
  run: RunSummary;
  /** Same output and status as the default run. */
  sameOutput: boolean;
}

/** Futex strategies of one guest over seeds and quanta. */
export interface FutexStudy {
  /** Guest id. */
  guest: string;
  /** Every run. */
  runs: SpreadRun[];
}

/** Proving costs of one guest under the in-guest kernel. */
export interface KernelCosts {
  /** Guest id. */
  guest: string;
  /** Real client or stand-in. */
  kind: GuestSpec["kind"];
  /** Exit status. */
  status: number;
  /** Same stdout and status as under zkabi's built-in kernel. */
  sameOutput: boolean;
  /** Program instructions under the built-in kernel (the reference). */
  builtinInstret: number;
  /** Program (U-mode) instructions. */
  instretProgram: number;
  /** Kernel (M-mode) instructions, boot included. */
  instretKernel: number;
  /** Kernel instructions before the program's first instruction. */
  boot: number;
  /** Traps by kind. */
  traps: { syscalls: number; timer: number; faults: number };
  /** Returns to another thread, and the switch code's instructions. */
  contextSwitches: { count: number; instructions: number };
  /** Per cause, then the marked phases (`phase:NAME`). */
  rows: KernelCostRow[];
  /** Syscalls the kernel answered with -ENOSYS. */
  enosys: Record<string, number>;
}

/** One of keeper's host files, provided, denied or empty. */
export interface FileExperiment {
  /** Guest path. */
  path: string;
  /** What was done: the reference (`provided` or `absent` in zkabi), or the experiment. */
  action: "provided" | "absent" | "enoent" | "empty";
  /** Outcome against the reference. */
  outcome: Outcome;
  /** Effects against the reference. */
  effects: Effects;
}

/** A family profile and its runs. */
export interface FamilyResult {
  /** Family id. */
  family: string;
  /** Label. */
  label: string;
  /** Guests of the family. */
  guests: string[];
  /** Per-syscall decisions. */
  decisions: ReturnType<typeof familyDecisions>;
  /** The profile (file form). */
  profile: Record<string, unknown>;
  /** Each guest under the profile. */
  runs: { guest: string; outcome: Outcome; source: "measured" | "recorded" | "not run" }[];
}

/** A study log checked against a tier. */
export interface StudyTierCheck {
  /** Log label. */
  log: string;
  /** Tier. */
  tier: string;
  /** Syscalls the log makes outside the tier, with calls (loader phase excluded). */
  outside: { syscall: string; calls: number }[];
  /** Same, loader phase only. */
  outsideLoader: string[];
  /** The first call after the loader that the tier would stop on. */
  firstBlocker?: { syscall: string; phase: Phase; line: number };
}

/** An imported trace with its profile. */
export interface ImportedTrace {
  /** Label. */
  label: string;
  /** Path relative to the repository. */
  path: string;
  /** Format read. */
  format: "strace" | "qemu";
  /** Profile. */
  profile: SyscallProfile;
  /** Unreadable lines. */
  malformed: MalformedLine[];
}

/**
 * Where the real clients' numbers come from: always their committed record
 * (written by this run when it measured them), so the report is the same on
 * machines with and without the binaries.
 */
export interface RealClientsInfo {
  /** Whether the report includes the real clients. */
  included: boolean;
  /** The committed record. */
  file: string;
  /** Who measured them. */
  measuredBy?: MeasuredBy;
  /** The binaries. */
  binaries: RealBinary[];
}

/** The environment that produced the report (same on every machine running the same Deno). */
export interface Environment {
  /** Deno version. */
  deno: string;
  /** V8 version. */
  v8: string;
  /** TypeScript version. */
  typescript: string;
  /** sha256 over the analysis' inputs (see `treeDigest`). */
  inputDigest: string;
  /** The pinned sysroot. */
  sysroot: SysrootManifest;
}

/** The whole analysis. */
export interface BundledAnalysis {
  /** Where the real clients' numbers come from. */
  real: RealClientsInfo;
  /** Environment and provenance. */
  environment: Environment;
  /** Guests analysed: real clients first. */
  guests: GuestAnalysis[];
  /** Readiness per guest. */
  readiness: BinaryReadiness[];
  /** The family profiles. */
  families: FamilyResult[];
  /** The other-VM matrix. */
  vms: { profiles: VmInfo[]; cells: VmCell[] };
  /** Go experiments on the Go stand-in (absent when not analysed). */
  goExperiments?: Variant[];
  /** Futex strategies over seeds and quanta. */
  futex: FutexStudy[];
  /** The precompile comparison (absent without both Rust builds). */
  precompile?: {
    plain: RunSummary;
    precompile: RunSummary;
    calls: Record<string, number>;
    sameOutput: boolean;
    saved: number;
    appPlain?: number;
    appPrecompile?: number;
  };
  /** Costs under the in-guest kernel. */
  kernelCosts: KernelCosts[];
  /** keeper's host files. */
  keeperFiles: FileExperiment[];
  /** qemu -strace logs of the guests, imported. */
  qemuLogs: ImportedTrace[];
  /** The study's logs, imported. */
  studyLogs: ImportedTrace[];
  /** The study's logs against the tiers. */
  studyTiers: StudyTierCheck[];
  /** Comparisons. */
  comparisons: { title: string; comparison: Comparison }[];
  /** Wall seconds per run label (not deterministic; never in the report). */
  wall: Record<string, number>;
}

/** Options of {@linkcode analyzeBundled}. */
export interface BundledOptions {
  /** Repository root. */
  root: string;
  /** Guest ids to analyse (default: every guest). */
  guests?: readonly string[];
  /** Skip the stub trials and the experiments (for tests). */
  quick?: boolean;
  /** Parts to leave out. */
  skip?: readonly ("vms" | "futex" | "kernel" | "real")[];
  /** Measure the real clients again even when the committed data is current. */
  remeasureReal?: boolean;
  /** Progress lines. */
  progress?: (line: string) => void;
}

/** Host paths of a guest: program, working directory, sysroot. */
export function guestPaths(
  root: string,
  g: GuestSpec,
): { program: string; cwd: string; sysroot?: string } {
  const base = g.kind === "real" ? join(root, GETH_RUN_DIR) : root;
  const cwd = g.cwd.startsWith("@repo/") ? join(root, g.cwd.slice(6)) : join(base, g.cwd);
  const out: { program: string; cwd: string; sysroot?: string } = {
    program: join(base, g.program),
    cwd,
  };
  if (g.sysroot) out.sysroot = join(root, g.sysroot);
  return out;
}

/** The run request for a guest (without profile). */
export function guestRequest(root: string, g: GuestSpec): Omit<RunRequest, "profile"> {
  const p = guestPaths(root, g);
  return {
    label: g.id,
    program: p.program,
    argv0: g.program.split("/").pop(),
    args: g.args,
    cwd: p.cwd,
    sysroot: p.sysroot,
    env: g.env,
    // The guests see the repository at /zkabi wherever it is checked out, so
    // paths in /proc/self/maps (read by glibc and Rust's runtime) and so the
    // instruction counts are the same in every clone.
    pathMap: { host: root, guest: GUEST_ROOT },
  };
}

/** A run summary from a digest. */
export function summarize(d: RunDigest): RunSummary {
  return {
    status: d.status,
    end: d.end,
    instret: d.instret,
    threads: d.threads,
    contextSwitches: d.contextSwitches,
    futex: d.futex,
    signalsDelivered: d.signalsDelivered,
    signals: d.profile.signals,
    syscalls: d.profile.total,
    distinct: Object.keys(d.profile.syscalls).length,
    stdoutSha256: d.stdoutSha256,
    memory: d.memory,
  };
}

/** The VM profiles under lib/dispatch/profiles/vms/ (file form), sorted by file name. */
export async function vmProfiles(root: string): Promise<Record<string, unknown>[]> {
  const dir = join(root, "lib/dispatch/profiles/vms");
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".json"))
    .sort();
  const out: Record<string, unknown>[] = [];
  for (const f of files) {
    await loadProfile(join(dir, f)); // validates
    out.push(JSON.parse(await Deno.readTextFile(join(dir, f))));
  }
  return out;
}

/** File input added to a VM profile: what a host would provide to read input files. */
export const FILE_INPUT_SYSCALLS: readonly string[] = [
  "openat",
  "read",
  "close",
  "statx",
  "fstat",
  "newfstatat",
  "lseek",
];

/** A VM profile with host file input added (see {@linkcode FILE_INPUT_SYSCALLS}). */
export function withFiles(vm: Record<string, unknown>): Record<string, unknown> {
  const base = profileToJson(parseVm(vm));
  const syscalls = { ...(base.syscalls as Record<string, unknown>) };
  for (const s of FILE_INPUT_SYSCALLS) syscalls[s] = "emulate";
  return {
    ...base,
    name: `${base.name}+files`,
    description: `${base.description} With host file input added (${
      FILE_INPUT_SYSCALLS.join(", ")
    } emulated).`,
    syscalls,
  };
}

function parseVm(vm: Record<string, unknown>): Profile {
  return parseProfile(vm, `profile ${String(vm.name)}`);
}

/** The function-table watches of a guest: `main` and its spans, at file addresses. */
export function guestWatches(
  root: string,
  g: GuestSpec,
): { watches: CodeWatch[]; missing: string[] } {
  const bin = Deno.readFileSync(guestPaths(root, g).program);
  const info = classifierFor(g.id, g.language, bin);
  const watches: CodeWatch[] = [];
  const missing: string[] = [];
  if (!info.classifier) return { watches, missing };
  if (g.mainFunction) {
    const a = info.classifier.addressOf(g.mainFunction);
    if (a !== undefined) watches.push({ name: "main", address: a });
    else missing.push(g.mainFunction);
  }
  for (const s of g.spans ?? []) {
    const a = info.classifier.addressOf(s.function);
    const end = a === undefined ? undefined : info.classifier.endOf(a);
    if (a !== undefined) watches.push({ name: s.label, address: a, span: true, end });
    else missing.push(s.function);
  }
  return { watches, missing };
}

/** The reference request of a guest: full, sampled, watched, observed. */
export function referenceRequest(root: string, g: GuestSpec): RunRequest {
  return {
    ...guestRequest(root, g),
    profile: "full",
    sample: SAMPLE_INTERVAL,
    watches: guestWatches(root, g).watches,
    observe: true,
    strace: { head: 30, tail: 5 },
    countIsaClasses: true,
  };
}

/** The analysis of a reference run. */
export function guestAnalysis(root: string, g: GuestSpec, d: RunDigest): GuestAnalysis {
  const bin = Deno.readFileSync(guestPaths(root, g).program);
  const info = classifierFor(g.id, g.language, bin);
  const spans: SpanResult[] = (g.spans ?? []).map((s) => {
    const hit = d.watches?.find((w) => w.name === s.label);
    return {
      label: s.label,
      function: s.function,
      description: s.description,
      entry: hit?.entry ?? null,
      exit: hit?.exit ?? null,
    };
  });
  const binary: GuestAnalysis["binary"] = { sha256: sha256Hex(bin), size: bin.length };
  const toolchain = manifestToolchain(root, g);
  if (toolchain) binary.toolchain = toolchain;
  const a: GuestAnalysis = {
    guest: g,
    binary,
    run: summarize(d),
    profile: d.profile,
    studyProfile: d.studyProfile ?? d.profile,
    costs: costBreakdown(d, info.classifier, info.origin),
    spans,
    observed: d.observed ?? {},
    traceExcerpt: d.traceExcerpt ?? [],
  };
  if (d.mainEntry !== undefined) a.mainEntry = d.mainEntry;
  if (d.isaClasses) a.isaClasses = d.isaClasses;
  return a;
}

/** The toolchain `guests/manifest.json` records for a committed guest. */
function manifestToolchain(root: string, g: GuestSpec): string | undefined {
  if (g.kind === "real" || !g.program.startsWith("guests/")) return undefined;
  try {
    const m = JSON.parse(Deno.readTextFileSync(join(root, "guests/manifest.json"))) as {
      guests: { file: string; toolchain?: string }[];
    };
    return m.guests.find((x) => x.file === g.program.slice("guests/".length))?.toolchain;
  } catch {
    return undefined;
  }
}

/** Everything measured per guest (the part the real clients keep in their committed file). */
interface PerGuest {
  guests: GuestAnalysis[];
  readiness: BinaryReadiness[];
  cells: VmCell[];
  kernelCosts: KernelCosts[];
  keeperFiles: FileExperiment[];
  refs: Map<string, RunDigest>;
}

/** Runs the per-guest part of the study for `guests`. */
async function perGuest(
  pool: RunPool,
  root: string,
  guests: readonly GuestSpec[],
  opts: BundledOptions,
  vms: Record<string, unknown>[],
  log: (l: string) => void,
): Promise<PerGuest> {
  const refs = new Map<string, RunDigest>();
  await Promise.all(guests.map(async (g) => {
    const d = await pool.run(referenceRequest(root, g));
    if (d.end !== "exit") throw new Error(`${g.id}: reference run failed: ${d.message}`);
    refs.set(g.id, d);
  }));
  log(`reference runs done: ${guests.map((g) => g.id).join(", ")}`);
  const analyses = guests.map((g) => guestAnalysis(root, g, refs.get(g.id)!));

  const readinessP = Promise.all(guests.map((g) => {
    const base = guestRequest(root, g);
    if (g.readiness) {
      return analyzeReadiness(pool, { ...base, args: g.readiness.args }, {
        progress: log,
        trials: !opts.quick,
      });
    }
    return analyzeReadiness(pool, base, {
      reference: refs.get(g.id),
      progress: log,
      trials: !opts.quick,
    });
  }));
  const cellsP = Promise.all(
    guests.flatMap((g) =>
      vms.flatMap((vm) => [vm, withFiles(vm)]).map(async (vm) => {
        const ref = refs.get(g.id)!;
        const d = await pool.run({
          ...guestRequest(root, g),
          ...(g.readiness ? { args: g.readiness.args } : {}),
          label: `${g.id} ${vm.name}`,
          profile: vm,
          ...livelockCaps(ref),
        });
        return { g, vm, d };
      })
    ),
  );
  const kernelGuests = opts.skip?.includes("kernel") || opts.quick
    ? []
    : guests.filter((g) => ["rust-static", "go-t8n", "geth-keeper", "geth-evm"].includes(g.id));
  const kernelP = Promise.all(
    kernelGuests.map((g) => kernelCostsOf(pool, root, g, refs.get(g.id)!)),
  );
  const keeper = guests.find((g) => g.id === "geth-keeper");
  const keeperP = keeper && !opts.quick
    ? keeperFileExperiments(pool, root, keeper, refs.get(keeper.id)!)
    : Promise.resolve([]);

  const readiness = await readinessP;
  for (const r of readiness) {
    const ref = refs.get(r.binary)!;
    if (r.reference.status !== ref.status) {
      throw new Error(
        `${r.binary}: the readiness reference exits ${r.reference.status}, the reference run ` +
          `${ref.status}: its readiness arguments are wrong`,
      );
    }
  }
  log(`readiness done: ${guests.map((g) => g.id).join(", ")}`);
  const cells: VmCell[] = (await cellsP).map(({ g, vm, d }) => {
    const r = readiness.find((x) => x.binary === g.id)!;
    const ref = refs.get(g.id)!;
    const p = parseVm(vm);
    const used = Object.keys(ref.profile.syscalls).sort();
    const stubbedByVm = used.filter((s) => coverage(p, s) === "stub");
    const missing = used.filter((s) => ["stop", "deny"].includes(coverage(p, s)));
    const needImplementation = [...stubbedByVm, ...missing]
      .filter((s) => r.trials.length > 0 && workingStub(r.trials, s) === undefined).sort();
    const cell: VmCell = {
      guest: g.id,
      vm: String(vm.name),
      outcome: g.readiness ? vmOutcomeAgainst(d, r) : outcomeOf(d, ref),
      stubbedByVm,
      missing,
      needImplementation,
    };
    if (d.denied) cell.firstBlocker = { syscall: d.denied.name, phase: d.denied.phase };
    return cell;
  });
  return {
    guests: analyses,
    readiness,
    cells,
    kernelCosts: await kernelP,
    keeperFiles: await keeperP,
    refs,
  };
}

/** A VM run of a guest whose readiness reference differs from its profile reference. */
function vmOutcomeAgainst(d: RunDigest, r: BinaryReadiness): Outcome {
  const same = d.end === "exit" && d.status === r.reference.status &&
    d.stdoutSha256 === r.reference.stdoutSha256;
  if (same) return { ok: true, text: "identical output", instret: d.instret };
  if (d.end === "deny" && d.denied) {
    return { ok: false, text: `stops at ${d.denied.name} (${d.denied.phase})`, instret: d.instret };
  }
  const err = d.stderrHead.split("\n").find((l) => l.trim() !== "") ?? "";
  const text = d.end === "exit"
    ? (err ? `stderr: ${err.slice(0, 77)}` : `exit status ${d.status}`)
    : d.message.split("\n")[0].slice(0, 80);
  return { ok: false, text, instret: d.instret };
}

/** Runs `g` under the in-guest kernel and compares with its reference. */
async function kernelCostsOf(
  pool: RunPool,
  root: string,
  g: GuestSpec,
  ref: RunDigest,
): Promise<KernelCosts> {
  const d = await pool.run({
    ...guestRequest(root, g),
    label: `${g.id} --kernel guest`,
    profile: "full",
    guestKernel: join(root, GUEST_KERNEL),
  });
  const gk = d.guestKernel!;
  return {
    guest: g.id,
    kind: g.kind,
    status: d.status,
    sameOutput: d.status === ref.status && d.stdoutSha256 === ref.stdoutSha256,
    builtinInstret: ref.instret,
    instretProgram: gk.instretProgram,
    instretKernel: gk.instretKernel,
    boot: gk.boot,
    traps: gk.traps,
    contextSwitches: gk.contextSwitches,
    rows: kernelCostRows(gk),
    enosys: gk.enosys,
  };
}

/** keeper's host files read at start-up. */
export const KEEPER_FILES: readonly string[] = [
  "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
  "/proc/self/auxv",
  "/proc/stat",
];

async function keeperFileExperiments(
  pool: RunPool,
  root: string,
  g: GuestSpec,
  ref: RunDigest,
): Promise<FileExperiment[]> {
  const jobs: Promise<FileExperiment>[] = [];
  for (const path of KEEPER_FILES) {
    // zkabi serves all three: the reference run is the provided case.
    jobs.push(Promise.resolve({
      path,
      action: "provided",
      outcome: { ok: true, text: "identical output (reference)", instret: ref.instret },
      effects: effectsOf(ref, ref),
    }));
    for (const action of ["enoent", "empty"] as const) {
      jobs.push(
        pool.run({
          ...guestRequest(root, g),
          label: `${g.id} ${path} ${action}`,
          profile: "full",
          fileOverrides: [{ path, action }],
        }).then((d) => ({ path, action, outcome: outcomeOf(d, ref), effects: effectsOf(d, ref) })),
      );
    }
  }
  return await Promise.all(jobs);
}

/** Runs the whole analysis (see the module doc). */
export async function analyzeBundled(
  pool: RunPool,
  opts: BundledOptions,
): Promise<BundledAnalysis> {
  const root = opts.root;
  const log = opts.progress ?? (() => {});
  const wall: Record<string, number> = {};
  const previous = pool.onDone;
  pool.onDone = (d) => {
    wall[d.label] = Math.round(d.wallSeconds * 10) / 10;
    previous?.(d);
  };
  const wanted = (g: GuestSpec) => !opts.guests || opts.guests.includes(g.id);
  const standIns = STAND_INS.filter(wanted);

  // 1. The dynamic guest's sysroot.
  const sysroot = loadSysrootManifest(root);
  if (standIns.some((g) => g.sysroot === CROSS_SYSROOT)) {
    log(`stage 1/7: sysroot ${sysroot.name} (pinned Debian packages)`);
    await ensureSysroot(root, log);
  }

  // 2. The real clients: measure, or take the committed measurements.
  log("stage 2/7: real go-ethereum clients");
  const realWanted = opts.skip?.includes("real") ? [] : REAL_CLIENTS.filter(wanted);
  const recorded = readRealClients(root);
  const local = realWanted.length > 0
    ? localBinaries(root, realWanted.map((g) => ({ id: g.id, file: g.program })))
    : undefined;
  let reason = "not selected";
  let measureReal = false;
  if (realWanted.length > 0) {
    if (local) {
      if (!recorded) {
        measureReal = true;
        reason = "binaries present, no committed measurements";
      } else if (!sameBinaries(recorded.binaries, local)) {
        measureReal = true;
        reason = "binaries present with other sha256 than the committed measurements";
      } else if (opts.remeasureReal) {
        measureReal = true;
        reason = "asked to measure again";
      } else {
        // Same binaries: check that zkabi still gives the committed reference runs.
        const stale = await realStale(pool, root, realWanted, recorded);
        measureReal = stale !== undefined;
        reason = stale ?? "binaries present and the committed reference runs are current";
      }
    } else reason = "binaries not present on this machine";
  }
  let real: RealClientsInfo = {
    included: realWanted.length > 0 && (measureReal || recorded !== undefined),
    file: REAL_CLIENTS_FILE,
    binaries: [],
  };
  if (!measureReal && recorded && real.included) {
    real = { ...real, measuredBy: recorded.measuredBy, binaries: recorded.binaries };
  }
  log(
    `real clients: ${
      measureReal ? "measuring" : real.included ? `using ${REAL_CLIENTS_FILE}` : "not included"
    } (${reason})`,
  );

  // 3. Per guest: references, readiness, VM matrix, kernel costs.
  const vms = opts.skip?.includes("vms") ? [] : await vmProfiles(root);
  const measured = [...(measureReal ? realWanted : []), ...standIns];
  log(`stage 3/7: reference runs, stub trials, tiers and VM profiles of ${measured.length} guests`);
  const experimentsP = experiments(pool, root, standIns, opts, log);
  const mine = await perGuest(pool, root, measured, opts, vms, log);
  let realPart: PerGuest | undefined;
  if (measureReal) {
    realPart = {
      guests: mine.guests.filter((a) => a.guest.kind === "real"),
      readiness: mine.readiness.filter((r) => realWanted.some((g) => g.id === r.binary)),
      cells: mine.cells.filter((c) => realWanted.some((g) => g.id === c.guest)),
      kernelCosts: mine.kernelCosts.filter((k) => k.kind === "real"),
      keeperFiles: mine.keeperFiles,
      refs: mine.refs,
    };
  } else if (real.included) {
    const s = recorded!.sections as unknown as Omit<PerGuest, "refs">;
    realPart = { ...s, refs: new Map() };
  }
  const standPart = {
    guests: mine.guests.filter((a) => a.guest.kind !== "real"),
    readiness: mine.readiness.filter((r) => standIns.some((g) => g.id === r.binary)),
    cells: mine.cells.filter((c) => standIns.some((g) => g.id === c.guest)),
    kernelCosts: mine.kernelCosts.filter((k) => k.kind !== "real"),
  };

  // 4. Experiments (queued with the per-guest runs).
  log(
    "stage 4/7: experiments (Go runtime settings, futex strategies, precompile, in-guest kernel)",
  );
  const ex = await experimentsP;

  // 5. Family profiles, run on their guests.
  log("stage 5/7: family profiles (the normative ABI), run on their guests");
  const allReadiness = [...(realPart?.readiness ?? []), ...standPart.readiness];
  const families = await familyResults(
    pool,
    root,
    allReadiness,
    measureReal,
    recorded,
    opts,
  );

  if (measureReal && realPart) {
    writeRealClients(root, {
      format: 1,
      note: "Measurements of the real go-ethereum clients by `deno task analyze` " +
        "(lib/analysis/real_clients.ts). The binaries are not in the repository " +
        "(guests/geth/README.md); when they are absent the analysis uses this file as is.",
      measuredBy: measuredBy(root),
      binaries: local!,
      sections: {
        guests: realPart.guests,
        readiness: realPart.readiness,
        cells: realPart.cells,
        kernelCosts: realPart.kernelCosts,
        keeperFiles: realPart.keeperFiles,
        familyRuns: families.flatMap((f) =>
          f.runs.filter((r) => realWanted.some((g) => g.id === r.guest)).map((r) => ({
            family: f.family,
            profile: f.profile,
            guest: r.guest,
            outcome: r.outcome,
          }))
        ),
      },
    });
    real = { ...real, measuredBy: readRealClients(root)!.measuredBy, binaries: local! };
    log(`wrote ${REAL_CLIENTS_FILE}`);
  }

  // 6. Imports and comparisons.
  log("stage 6/7: the study's logs and the qemu logs");
  const qemuLogs = importLogs(root, "tests/analysis/data", /\.qemu\.log$/, "qemu");
  const studyLogs = importLogs(root, "data/study", /_strace\.log$/, "study");
  const studyTiers = checkStudyTiers(root);
  const guests = [...(realPart?.guests ?? []), ...standPart.guests];
  const comparisons = comparisonsOf(guests, qemuLogs, studyLogs);

  log("stage 7/7: done; rendering");
  pool.onDone = previous;
  return {
    real,
    environment: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      inputDigest: treeDigest(root),
      sysroot,
    },
    guests,
    readiness: allReadiness,
    families,
    vms: {
      profiles: vms.map((v) => ({
        name: String(v.name),
        description: String(v.description ?? ""),
        source: String(v.source ?? ""),
      })),
      cells: [...(realPart?.cells ?? []), ...standPart.cells],
    },
    goExperiments: ex.goExperiments,
    futex: ex.futex,
    precompile: ex.precompile,
    kernelCosts: [...(realPart?.kernelCosts ?? []), ...standPart.kernelCosts, ...ex.kernelCosts],
    keeperFiles: realPart?.keeperFiles ?? [],
    qemuLogs,
    studyLogs,
    studyTiers,
    comparisons,
    wall,
  };
}

/** Why the committed real-client data no longer matches zkabi (undefined: it does). */
async function realStale(
  pool: RunPool,
  root: string,
  guests: readonly GuestSpec[],
  recorded: { sections: Record<string, unknown> },
): Promise<string | undefined> {
  const stored = (recorded.sections.guests ?? []) as GuestAnalysis[];
  for (const g of guests) {
    const s = stored.find((x) => x.guest.id === g.id);
    if (!s) return `no committed measurement of ${g.id}`;
    const d = await pool.run(referenceRequest(root, g));
    const now = guestAnalysis(root, g, d);
    if (
      now.run.instret !== s.run.instret ||
      JSON.stringify(now.profile.syscalls) !== JSON.stringify(s.profile.syscalls)
    ) {
      return `zkabi now gives ${g.id} other results than the committed ones ` +
        `(${now.run.instret} vs ${s.run.instret} instructions)`;
    }
  }
  return undefined;
}

/** The experiments on the stand-ins. */
async function experiments(
  pool: RunPool,
  root: string,
  standIns: readonly GuestSpec[],
  opts: BundledOptions,
  log: (l: string) => void,
): Promise<Pick<BundledAnalysis, "goExperiments" | "futex" | "precompile" | "kernelCosts">> {
  const go = standIns.find((g) => g.id === "go-t8n");
  const goVariants: [string, Partial<RunRequest>][] = [
    ["GOMAXPROCS=1", { env: { GOMAXPROCS: "1" } }],
    ["GODEBUG=asyncpreemptoff=1", { env: { GODEBUG: "asyncpreemptoff=1" } }],
    ["GOGC=off", { env: { GOGC: "off" } }],
    ["one CPU (--cpus 1)", { cpus: 1 }],
    ["no vDSO (--vdso off)", { vdso: false }],
  ];
  const goP = go && !opts.quick
    ? Promise.all([
      pool.run(referenceRequest(root, go)).then((d) => ({ name: "default", d })),
      ...goVariants.map(async ([name, extra]) => {
        const d = await pool.run({
          ...guestRequest(root, go),
          ...extra,
          label: `${go.id} ${name}`,
          profile: "full",
        });
        return { name, d };
      }),
    ])
    : Promise.resolve([]);
  const futexGuests = opts.skip?.includes("futex") || opts.quick
    ? []
    : [...standIns.filter((g) => g.id === "go-t8n"), PTHREADS_GUEST];
  const futexP = Promise.all(futexGuests.map(async (g): Promise<FutexStudy> => {
    const base = guestRequest(root, g);
    const jobs: Promise<SpreadRun>[] = [];
    const def = pool.run({ ...base, label: `${g.id} rr`, profile: "full" });
    for (const strategy of ["rr", "handoff"] as const) {
      for (const seed of SPREAD.seeds) {
        for (const quantum of SPREAD.quanta) {
          const isDefault = strategy === "rr" && seed === 0 && quantum === 100_000;
          const d = isDefault ? def : pool.run({
            ...base,
            label: `${g.id} ${strategy} seed ${seed} quantum ${quantum}`,
            profile: "full",
            sched: strategy,
            seed,
            quantum,
          });
          jobs.push(
            Promise.all([d, def]).then(([x, ref]) => ({
              strategy,
              seed,
              quantum,
              run: summarize(x),
              sameOutput: x.stdoutSha256 === ref.stdoutSha256 && x.status === ref.status,
            })),
          );
        }
      }
    }
    return { guest: g.id, runs: await Promise.all(jobs) };
  }));
  const pthreadsKernelP = opts.quick || opts.skip?.includes("kernel")
    ? Promise.resolve([])
    : pool.run({ ...guestRequest(root, PTHREADS_GUEST), label: "c-pthreads rr", profile: "full" })
      .then((ref) => Promise.all([kernelCostsOf(pool, root, PTHREADS_GUEST, ref)]));

  let precompile: BundledAnalysis["precompile"];
  const plainG = standIns.find((g) => g.id === "rust-static");
  const preG = standIns.find((g) => g.id === "rust-precompile");
  if (plainG && preG) {
    const [plain, pre] = await Promise.all([
      pool.run(referenceRequest(root, plainG)),
      pool.run(referenceRequest(root, preG)),
    ]);
    const ca = guestAnalysis(root, plainG, plain).costs.classes;
    const cb = guestAnalysis(root, preG, pre).costs.classes;
    precompile = {
      plain: summarize(plain),
      precompile: summarize(pre),
      calls: pre.profile.precompiles,
      sameOutput: plain.stdoutSha256 === pre.stdoutSha256 && plain.status === pre.status,
      saved: plain.instret - pre.instret,
      appPlain: ca?.app,
      appPrecompile: cb?.app,
    };
  }
  let goExperiments: Variant[] | undefined;
  const goRuns = await goP;
  if (goRuns.length > 0) {
    const ref = goRuns[0].d;
    goExperiments = goRuns.map(({ name, d }) => ({
      name,
      run: summarize(d),
      profile: d.profile,
      sameOutput: d.stdoutSha256 === ref.stdoutSha256 && d.status === ref.status,
    }));
  }
  const futex = await futexP;
  const kernelCosts = await pthreadsKernelP;
  log("experiments done");
  return { goExperiments, futex, precompile, kernelCosts };
}

/** Family profiles from the readiness results, run on their guests. */
async function familyResults(
  pool: RunPool,
  root: string,
  readiness: readonly BinaryReadiness[],
  measureReal: boolean,
  recorded: { sections: Record<string, unknown> } | undefined,
  opts: BundledOptions,
): Promise<FamilyResult[]> {
  if (opts.quick) return [];
  const all = [...REAL_CLIENTS, ...STAND_INS];
  const out: FamilyResult[] = [];
  for (const f of CLIENT_FAMILIES) {
    const members = readiness.filter((r) => {
      const g = all.find((x) => x.id === r.binary);
      return g && (f.id === "go" ? g.language === "go" : g.language !== "go") &&
        r.trials.length > 0;
    });
    if (members.length === 0) continue;
    const decisions = familyDecisions(members);
    const guests = members.map((r) => r.binary);
    const profile = familyProfile(f, decisions, guests);
    const stored = (recorded?.sections.familyRuns ?? []) as {
      family: string;
      profile: unknown;
      guest: string;
      outcome: Outcome;
    }[];
    const runs = await Promise.all(members.map(async (r) => {
      const g = all.find((x) => x.id === r.binary)!;
      if (g.kind === "real" && !measureReal) {
        const s = stored.find((x) =>
          x.family === f.id && x.guest === g.id &&
          JSON.stringify(x.profile) === JSON.stringify(profile)
        );
        return s ? { guest: g.id, outcome: s.outcome, source: "recorded" as const } : {
          guest: g.id,
          outcome: { ok: false, text: "not run (binary absent)", instret: 0 },
          source: "not run" as const,
        };
      }
      const base = guestRequest(root, g);
      const req = g.readiness ? { ...base, args: g.readiness.args } : base;
      const [ref, d] = await Promise.all([
        pool.run({ ...req, profile: "full" }),
        pool.run({ ...req, label: `${g.id} family ${f.id}`, profile }),
      ]);
      // Real clients' runs go to their committed record: reported as recorded everywhere.
      return {
        guest: g.id,
        outcome: outcomeOf(d, ref),
        source: g.kind === "real" ? "recorded" as const : "measured" as const,
      };
    }));
    out.push({ family: f.id, label: f.label, guests, decisions, profile, runs });
  }
  return out;
}

function importLogs(
  root: string,
  sub: string,
  pattern: RegExp,
  kind: "qemu" | "study",
): ImportedTrace[] {
  const folder = join(root, sub);
  let names: string[];
  try {
    names = [...Deno.readDirSync(folder)].map((e) => e.name).filter((n) => pattern.test(n)).sort();
  } catch {
    return [];
  }
  return names.map((n) => {
    const text = Deno.readTextFileSync(join(folder, n));
    const label = n.replace(/\.(qemu\.)?log$/, "").replace(/_strace$/, "");
    const r = importTrace(`${label} (${kind})`, text);
    return {
      label: r.profile.label,
      path: `${sub}/${n}`,
      format: r.format,
      profile: r.profile,
      malformed: r.malformed,
    };
  });
}

/** The study's raw logs against the basic and advanced tiers. */
export function checkStudyTiers(root: string): StudyTierCheck[] {
  const out: StudyTierCheck[] = [];
  for (const name of ["reth_stateless_strace.log", "geth_t8n_strace.log"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(join(root, "data/study", name));
    } catch {
      continue;
    }
    const r = importTrace(name, text);
    const label = name.replace(/_strace\.log$/, "") + " (study)";
    for (const tier of ["basic", "advanced"]) {
      const p = builtinProfile(tier);
      const after = r.calls.filter((c) => c.phase !== "loader");
      const counts = new Map<string, number>();
      for (const c of after) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
      const outside = outsideOf(counts.keys(), p).map((s) => ({
        syscall: s,
        calls: counts.get(s)!,
      }));
      const loaderNames = r.calls.filter((c) => c.phase === "loader").map((c) => c.name);
      const outsideLoader = outsideOf(loaderNames, p).filter((s) => !counts.has(s));
      const b = firstBlockerOf(r.calls, p, ["loader"]);
      const check: StudyTierCheck = { log: label, tier, outside, outsideLoader };
      if (b) {
        const line = r.calls.find((c) => c.name === b.syscall && c.phase === b.phase)!.line;
        check.firstBlocker = { ...b, line };
      }
      out.push(check);
    }
  }
  return out;
}

function comparisonsOf(
  guests: readonly GuestAnalysis[],
  qemuLogs: readonly ImportedTrace[],
  studyLogs: readonly ImportedTrace[],
): { title: string; comparison: Comparison }[] {
  const out: { title: string; comparison: Comparison }[] = [];
  const a = (id: string) => guests.find((x) => x.guest.id === id);
  const log = (list: readonly ImportedTrace[], name: string) =>
    list.find((l) => l.path.endsWith(name));
  const geth = log(studyLogs, "geth_t8n_strace.log");
  const evm = a("geth-evm");
  const t8n = a("go-t8n");
  const keeper = a("geth-keeper");
  if (evm && t8n) {
    const ps = [evm.profile, t8n.profile];
    if (keeper) ps.push(keeper.profile);
    if (geth) ps.push(geth.profile);
    out.push({
      title: "Real geth vs the Go stand-in (whole run)",
      comparison: compareProfiles(ps),
    });
  }
  const rs = a("rust-static");
  if (rs && t8n) {
    out.push({
      title: "Rust stand-in (static) vs Go stand-in under zkabi, whole run",
      comparison: compareProfiles([rs.profile, t8n.profile]),
    });
  }
  const pairs: [string, string, string][] = [
    ["rust-static", "rust_static.qemu.log", ""],
    ["rust-dynamic", "rust_dynamic.qemu.log", "reth_stateless_strace.log"],
    ["go-t8n", "go_t8n.qemu.log", "geth_t8n_strace.log"],
  ];
  for (const [id, qemuName, studyName] of pairs) {
    const g = a(id);
    if (!g) continue;
    const profiles = [g.profile];
    const q = log(qemuLogs, qemuName);
    if (q) profiles.push(q.profile);
    const s = studyName ? log(studyLogs, studyName) : undefined;
    if (s) profiles.push(s.profile);
    if (profiles.length > 1) {
      out.push({
        title: `${g.guest.label}: zkabi vs imported logs, whole run`,
        comparison: compareProfiles(profiles),
      });
    }
  }
  return out;
}

/**
 * sha256 over the inputs of the analysis: every file under data/ (the
 * study's data, the sysroot pins, the real clients' measurements) and
 * guests/bin/ (the committed guest binaries, the in-guest kernel), and the
 * guests' manifest (path and contents, in path order). Code is not part of
 * it: the commit that carries a report is the code that made it (a test
 * regenerates the report from a clone of that commit). Independent of git.
 */
export function treeDigest(root: string): string {
  const files: string[] = [];
  const walk = (rel: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(join(root, rel))];
    } catch {
      return;
    }
    for (const e of entries.sort((x, y) => (x.name < y.name ? -1 : 1))) {
      if (e.name.startsWith(".")) continue;
      const p = `${rel}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.isFile) files.push(p);
    }
  };
  for (const d of ["data", "guests/bin"]) walk(d);
  files.push("guests/manifest.json");
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const f of files.sort()) {
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(join(root, f));
    } catch {
      continue;
    }
    parts.push(enc.encode(`${f}\n${sha256Hex(bytes)}\n`));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return sha256Hex(all);
}
