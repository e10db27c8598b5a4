/**
 * The whole study on the bundled guests, as data: what `deno task analyze`
 * computes before lib/report turns it into the findings report.
 *
 * - per guest: the reference run under `full` (pc-sampled), its syscall
 *   profile, costs and memory figures;
 * - readiness of every guest under basic, advanced and full (stub trials,
 *   smallest profile, minimal profile);
 * - the other-VM matrix: each guest under the MT-Cannon, Asterisc and Ziren
 *   profiles, as documented and with file input added;
 * - Go experiments (GOMAXPROCS=1, asyncpreemptoff, GOGC=off, one CPU);
 * - futex strategies (rr vs handoff) on the Go guest and the pthreads guest;
 * - the keccak precompile (static vs precompile Rust build);
 * - trace imports: the committed qemu -strace logs of the guests and, when
 *   present, the study's own strace logs.
 * Everything in the result is deterministic except `wall` (seconds per run,
 * kept for the terminal and a non-committed file).
 * @module
 */

import { join } from "node:path";
import { loadProfile, parseProfile, type Profile, profileToJson } from "../dispatch/profile.ts";
import type { Phase } from "../kernel/events.ts";
import { compareProfiles, type Comparison } from "./compare.ts";
import { type CostBreakdown, costBreakdown } from "./costs.ts";
import { BUNDLED_GUESTS, type GuestSpec, PTHREADS_GUEST } from "./guests.ts";
import {
  analyzeReadiness,
  type BinaryReadiness,
  coverage,
  livelockCaps,
  type Outcome,
  outcomeOf,
  workingStub,
} from "./readiness.ts";
import type { MemoryDigest, RunDigest, RunPool, RunRequest } from "./runner.ts";
import { classifierFor } from "./symbol_maps.ts";
import { importTrace, type MalformedLine, type SyscallProfile } from "./syscall_profile.ts";

/** Instructions between pc samples in the reference runs (a prime, against aliasing). */
export const SAMPLE_INTERVAL = 997;

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
  /** Syscalls issued. */
  syscalls: number;
  /** sha256 of stdout. */
  stdoutSha256: string;
  /** Memory figures. */
  memory: MemoryDigest;
}

/** One guest's reference run, profile and costs. */
export interface GuestAnalysis {
  /** The guest. */
  guest: GuestSpec;
  /** The reference run under full. */
  run: RunSummary;
  /** Its syscall profile. */
  profile: SyscallProfile;
  /** Its costs. */
  costs: CostBreakdown;
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

/** An imported trace with its profile. */
export interface ImportedTrace {
  /** Label. */
  label: string;
  /** Path relative to the repository (or the study folder). */
  path: string;
  /** Format read. */
  format: "strace" | "qemu";
  /** Profile. */
  profile: SyscallProfile;
  /** Unreadable lines. */
  malformed: MalformedLine[];
}

/** The whole analysis. */
export interface BundledAnalysis {
  /** Guests analysed. */
  guests: GuestAnalysis[];
  /** Readiness per guest. */
  readiness: BinaryReadiness[];
  /** The other-VM matrix. */
  vms: { profiles: { name: string; description: string; source: string }[]; cells: VmCell[] };
  /** Go experiments (absent when the Go guest was not analysed). */
  goExperiments?: Variant[];
  /** Futex strategies per guest: rr and handoff. */
  futex: { guest: string; rr: RunSummary; handoff: RunSummary; sameOutput: boolean }[];
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
  /** qemu -strace logs of the guests, imported. */
  qemuLogs: ImportedTrace[];
  /** The study's logs, imported (empty when absent). */
  studyLogs: ImportedTrace[];
  /** Comparisons: Rust vs Go (zkabi), and each imported log vs zkabi's profile of the same program. */
  comparisons: { title: string; comparison: Comparison }[];
  /** Wall seconds per run label (not deterministic). */
  wall: Record<string, number>;
}

/** Options of {@linkcode analyzeBundled}. */
export interface BundledOptions {
  /** Repository root. */
  root: string;
  /** Guest ids to analyse (default: all bundled guests). */
  guests?: readonly string[];
  /** Skip the stub trials and the Go experiments (for tests). */
  quick?: boolean;
  /** Parts to leave out: the other-VM matrix, the futex comparison. */
  skip?: readonly ("vms" | "futex")[];
  /** Folder of the study's logs (default `<root>/../shared/study`). */
  studyDir?: string;
  /** Progress lines. */
  progress?: (line: string) => void;
}

/** The run request for a guest (without profile). */
export function guestRequest(root: string, g: GuestSpec): Omit<RunRequest, "profile"> {
  return {
    label: g.id,
    program: join(root, g.program),
    argv0: g.program.split("/").pop(),
    args: g.args,
    cwd: join(root, g.cwd),
    sysroot: g.sysroot,
    env: g.env,
    // The guests see the repository at /zkabi wherever it is checked out, so
    // paths in /proc/self/maps (read by glibc and Rust's runtime) and so the
    // instruction counts are the same in every clone.
    pathMap: { host: root, guest: GUEST_ROOT },
  };
}

/** Where the bundled guests see the repository. */
export const GUEST_ROOT = "/zkabi";

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
    syscalls: d.profile.total,
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

function sysroot(g: GuestSpec): boolean {
  if (!g.sysroot) return true;
  try {
    return Deno.statSync(g.sysroot).isDirectory;
  } catch {
    return false;
  }
}

/** Runs the whole analysis (see the module doc). */
export async function analyzeBundled(
  pool: RunPool,
  opts: BundledOptions,
): Promise<BundledAnalysis> {
  const root = opts.root;
  const log = opts.progress ?? (() => {});
  const wall: Record<string, number> = {};
  const run = (req: RunRequest): Promise<RunDigest> => pool.run(req);
  const previous = pool.onDone;
  pool.onDone = (d) => {
    wall[d.label] = Math.round(d.wallSeconds * 10) / 10;
    previous?.(d);
  };
  const wanted = opts.guests ?? BUNDLED_GUESTS.map((g) => g.id);
  const guests = BUNDLED_GUESTS.filter((g) => wanted.includes(g.id)).filter((g) => {
    if (sysroot(g)) return true;
    log(`${g.id}: sysroot ${g.sysroot} missing, skipped`);
    return false;
  });

  // 1. Reference runs (sampled).
  log(`reference runs of ${guests.length} guests under full`);
  const refs = new Map<string, RunDigest>();
  await Promise.all(guests.map(async (g) => {
    const d = await run({ ...guestRequest(root, g), profile: "full", sample: SAMPLE_INTERVAL });
    if (d.end !== "exit") throw new Error(`${g.id}: reference run failed: ${d.message}`);
    refs.set(g.id, d);
  }));
  const analyses: GuestAnalysis[] = guests.map((g) => {
    const d = refs.get(g.id)!;
    const bin = Deno.readFileSync(join(root, g.program));
    const info = classifierFor(g.id, g.language, bin);
    return {
      guest: g,
      run: summarize(d),
      profile: d.profile,
      costs: costBreakdown(d, info.classifier, info.origin),
    };
  });

  // 2. Readiness (stub trials), the VM matrix, experiments: all queued at once.
  const vms = opts.skip?.includes("vms") ? [] : await vmProfiles(root);
  const readinessP = Promise.all(guests.map((g) => {
    const base = guestRequest(root, g);
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
        const d = await run({
          ...guestRequest(root, g),
          label: `${g.id} ${vm.name}`,
          profile: vm,
          ...livelockCaps(ref),
        });
        return { g, vm, d };
      })
    ),
  );
  const go = guests.find((g) => g.language === "go");
  const goVariants: [string, Partial<RunRequest>][] = [
    ["GOMAXPROCS=1", { env: { GOMAXPROCS: "1" } }],
    ["GODEBUG=asyncpreemptoff=1", { env: { GODEBUG: "asyncpreemptoff=1" } }],
    ["GOGC=off", { env: { GOGC: "off" } }],
    ["one CPU (--cpus 1)", { cpus: 1 }],
  ];
  const goP = go && !opts.quick
    ? Promise.all(goVariants.map(async ([name, extra]) => {
      const d = await run({
        ...guestRequest(root, go),
        ...extra,
        label: `${go.id} ${name}`,
        profile: "full",
      });
      return { name, d };
    }))
    : Promise.resolve([]);
  const futexGuests = opts.skip?.includes("futex")
    ? []
    : [...guests.filter((g) => g.language === "go"), PTHREADS_GUEST];
  const futexP = Promise.all(futexGuests.map(async (g) => {
    const base = guestRequest(root, g);
    const rr = refs.get(g.id) ?? await run({ ...base, label: `${g.id} rr`, profile: "full" });
    const ho = await run({ ...base, label: `${g.id} handoff`, profile: "full", sched: "handoff" });
    return {
      guest: g.id,
      rr: summarize(rr),
      handoff: summarize(ho),
      sameOutput: rr.stdoutSha256 === ho.stdoutSha256 && rr.status === ho.status,
    };
  }));

  const readiness = await readinessP;
  log("readiness done");
  const cells: VmCell[] = (await cellsP).map(({ g, vm, d }) => {
    const ref = refs.get(g.id)!;
    const r = readiness.find((x) => x.binary === g.id)!;
    const p = parseVm(vm);
    const used = Object.keys(ref.profile.syscalls).sort();
    const stubbedByVm = used.filter((s) => coverage(p, s) === "stub");
    const missing = used.filter((s) => ["stop", "deny"].includes(coverage(p, s)));
    const needImplementation = [...stubbedByVm, ...missing]
      .filter((s) => r.trials.length > 0 && workingStub(r.trials, s) === undefined).sort();
    const cell: VmCell = {
      guest: g.id,
      vm: String(vm.name),
      outcome: outcomeOf(d, ref),
      stubbedByVm,
      missing,
      needImplementation,
    };
    if (d.denied) cell.firstBlocker = { syscall: d.denied.name, phase: d.denied.phase };
    return cell;
  });
  log("VM matrix done");

  let goExperiments: Variant[] | undefined;
  if (go) {
    const ref = refs.get(go.id)!;
    goExperiments = [
      { name: "default", run: summarize(ref), profile: ref.profile, sameOutput: true },
      ...(await goP).map(({ name, d }) => ({
        name,
        run: summarize(d),
        profile: d.profile,
        sameOutput: d.stdoutSha256 === ref.stdoutSha256 && d.status === ref.status,
      })),
    ];
  }
  const futex = await futexP;

  let precompile: BundledAnalysis["precompile"];
  const plain = refs.get("rust-static");
  const pre = refs.get("rust-precompile");
  if (plain && pre) {
    const ca = analyses.find((a) => a.guest.id === "rust-static")!.costs.classes;
    const cb = analyses.find((a) => a.guest.id === "rust-precompile")!.costs.classes;
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

  // 3. Imports.
  const qemuLogs = importLogs(root, "tests/analysis/data", /\.qemu\.log$/);
  const studyDir = opts.studyDir ?? join(root, "..", "shared", "study");
  const studyLogs = importLogs(studyDir, "", /_strace\.log$/, "study/");
  const comparisons: { title: string; comparison: Comparison }[] = [];
  const rs = analyses.find((a) => a.guest.id === "rust-static");
  const gt = analyses.find((a) => a.guest.id === "go-t8n");
  if (rs && gt) {
    comparisons.push({
      title: "Rust (static) vs Go under zkabi, whole run",
      comparison: compareProfiles([rs.profile, gt.profile]),
    });
  }
  const pairs: [string, string, string][] = [
    ["rust-static", "rust_static.qemu.log", ""],
    ["rust-dynamic", "rust_dynamic.qemu.log", "reth_stateless_strace.log"],
    ["go-t8n", "go_t8n.qemu.log", "geth_t8n_strace.log"],
  ];
  for (const [id, qemuName, studyName] of pairs) {
    const a = analyses.find((x) => x.guest.id === id);
    if (!a) continue;
    const profiles = [a.profile];
    const q = qemuLogs.find((l) => l.path.endsWith(qemuName));
    if (q) profiles.push(q.profile);
    const s = studyName ? studyLogs.find((l) => l.path.endsWith(studyName)) : undefined;
    if (s) profiles.push(s.profile);
    if (profiles.length > 1) {
      comparisons.push({
        title: `${a.guest.label}: zkabi vs imported logs, whole run`,
        comparison: compareProfiles(profiles),
      });
    }
  }
  pool.onDone = previous;
  return {
    guests: analyses,
    readiness,
    vms: {
      profiles: vms.map((v) => ({
        name: String(v.name),
        description: String(v.description ?? ""),
        source: String(v.source ?? ""),
      })),
      cells,
    },
    goExperiments,
    futex,
    precompile,
    qemuLogs,
    studyLogs,
    comparisons,
    wall,
  };
}

function parseVm(vm: Record<string, unknown>): Profile {
  return parseProfile(vm, `profile ${String(vm.name)}`);
}

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

function importLogs(dir: string, sub: string, pattern: RegExp, prefix = ""): ImportedTrace[] {
  const folder = sub ? join(dir, sub) : dir;
  let names: string[];
  try {
    names = [...Deno.readDirSync(folder)].map((e) => e.name).filter((n) => pattern.test(n)).sort();
  } catch {
    return [];
  }
  return names.map((n) => {
    const text = Deno.readTextFileSync(join(folder, n));
    const label = n.replace(/\.(qemu\.)?log$/, "").replace(/_strace$/, "");
    const r = importTrace(`${label} (${pattern.source.includes("qemu") ? "qemu" : "study"})`, text);
    return {
      label: r.profile.label,
      path: prefix ? `${prefix}${n}` : `${sub}/${n}`,
      format: r.format,
      profile: r.profile,
      malformed: r.malformed,
    };
  });
}
