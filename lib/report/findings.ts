/**
 * The findings report as a paper: turns a {@linkcode BundledAnalysis} into
 * `findings.md`, a standalone `findings.html` (figures inline), the
 * normative `abi-spec.md` with one machine-readable profile per client
 * family (`abi/*.json`), SVG figures and JSON data. Pure text generation
 * from the analysis data (no clock, no host facts), so the same analysis
 * always gives the same bytes. The document is built once in the
 * `lib/render/doc.ts` model and rendered as markdown and HTML.
 * @module
 */

import { join } from "node:path";
import type {
  BundledAnalysis,
  FutexStudy,
  GuestAnalysis,
  RunSummary,
} from "../analysis/bundled.ts";
import { CATEGORIES, CATEGORY_LABELS, describeSyscall } from "../analysis/categories.ts";
import { classShares } from "../analysis/costs.ts";
import { bestTrial, type BinaryReadiness, type StubTrial } from "../analysis/readiness.ts";
import { STUDY_SOURCE, STUDY_TABLES } from "../analysis/study.ts";
import { CODE_CLASSES } from "../analysis/symbols.ts";
import { PHASE_LABELS, PHASES, type SyscallProfile } from "../analysis/syscall_profile.ts";
import { builtinProfile } from "../dispatch/profile.ts";
import {
  type Block,
  type Cell,
  figure,
  heading,
  htmlDocument,
  list,
  md,
  mdTableBlock,
  render,
} from "../render/doc.ts";
import { compact, matrix, type MatrixCell, rangeChart, stackedBars } from "../render/svg.ts";
import { abiSpec } from "./abi_spec.ts";
import { ref, REFERENCES } from "./references.ts";

/** Thousands-separated integer. */
export function int(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  const parts: string[] = [];
  for (let i = s.length; i > 0; i -= 3) parts.unshift(s.slice(Math.max(0, i - 3), i));
  return (n < 0 ? "-" : "") + parts.join(",");
}

/** Bytes as MiB with one decimal (KiB below 1 MiB). */
export function bytes(n: number): string {
  if (n < 1 << 20) return `${int(Math.round(n / 1024))} KiB`;
  return `${(Math.round((n / (1 << 20)) * 10) / 10).toFixed(1)} MiB`;
}

/** A percentage with one decimal. */
export function pct(part: number, whole: number): string {
  if (whole === 0) return "0.0%";
  return `${(Math.round((1000 * part) / whole) / 10).toFixed(1)}%`;
}

/** A markdown table (for the CLI's small tables). */
export function table(head: string[], rows: (string | number)[][]): string {
  const esc = (c: string | number) => String(c).replace(/\|/g, "\\|").replace(/\n/g, " ");
  const out = [`| ${head.map(esc).join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`];
  for (const r of rows) out.push(`| ${r.map(esc).join(" | ")} |`);
  return out.join("\n") + "\n";
}

function signed(n: number): string {
  return n > 0 ? `+${int(n)}` : n < 0 ? `-${int(-n)}` : "0";
}

function code(s: string): string {
  return `\`${s}\``;
}

function codes(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.map(code).join(", ");
}

/** Files of the report: path (relative to the report folder) → text. */
export type ReportFiles = Map<string, string>;

/** The title of the paper. */
export const TITLE =
  "What Linux ABI do real Ethereum clients need from a zkVM? Syscalls, stub trials and " +
  "proving costs of go-ethereum's keeper and evm t8n, and of Rust and Go stand-ins, on riscv64";

// ------------------------------------------------------------------ files

/** Renders every report file from the analysis. */
export function renderReport(a: BundledAnalysis): ReportFiles {
  const files: ReportFiles = new Map();
  const figs = figures(a);
  for (const f of figs.values()) files.set(f.file, f.svg);
  files.set("data/meta.json", json({ real: a.real, environment: a.environment }));
  files.set("data/guests.json", json(a.guests));
  files.set("data/readiness.json", json(a.readiness));
  files.set("data/families.json", json(a.families));
  files.set("data/vm_matrix.json", json(a.vms));
  files.set(
    "data/experiments.json",
    json({
      goExperiments: a.goExperiments ?? [],
      futex: a.futex,
      precompile: a.precompile ?? null,
      keeperFiles: a.keeperFiles,
    }),
  );
  files.set("data/kernel_costs.json", json(a.kernelCosts));
  files.set(
    "data/imports.json",
    json({ qemu: a.qemuLogs, study: a.studyLogs, studyTiers: a.studyTiers }),
  );
  files.set("data/comparisons.json", json(a.comparisons));
  for (const r of a.readiness) {
    if (r.trials.length === 0) continue;
    files.set(`data/profiles/${r.binary}.sufficient.json`, json(r.sufficient.profile));
    files.set(`data/profiles/${r.binary}.faithful.json`, json(r.faithful.profile));
  }
  for (const f of a.families) files.set(`abi/${f.family}.json`, json(f.profile));
  const paper = paperDoc(a, figs);
  files.set("findings.md", render(paper, "md") + "\n");
  files.set("findings.html", htmlDocument(TITLE, paper));
  files.set("abi-spec.md", render(abiSpec(a), "md") + "\n");
  return files;
}

/**
 * Reads an analysis back from a report's `data/` folder (everything but
 * wall times), so the report can be rendered again without running guests.
 */
export function readAnalysis(dir: string): BundledAnalysis {
  const r = (f: string) => JSON.parse(Deno.readTextFileSync(join(dir, "data", f)));
  const meta = r("meta.json");
  const ex = r("experiments.json");
  const imports = r("imports.json");
  return {
    real: meta.real,
    environment: meta.environment,
    guests: r("guests.json"),
    readiness: r("readiness.json"),
    families: r("families.json"),
    vms: r("vm_matrix.json"),
    goExperiments: ex.goExperiments.length > 0 ? ex.goExperiments : undefined,
    futex: ex.futex,
    precompile: ex.precompile ?? undefined,
    keeperFiles: ex.keeperFiles,
    kernelCosts: r("kernel_costs.json"),
    qemuLogs: imports.qemu,
    studyLogs: imports.study,
    studyTiers: imports.studyTiers,
    comparisons: r("comparisons.json"),
    wall: {},
  };
}

/**
 * Writes the files under `dir` (creating folders) and removes files under
 * its `data/`, `figures/` and `abi/` folders that the report no longer has.
 */
export function writeReportFiles(dir: string, files: ReportFiles): void {
  for (const [rel, text] of files) {
    const path = join(dir, rel);
    Deno.mkdirSync(join(path, ".."), { recursive: true });
    Deno.writeTextFileSync(path, text);
  }
  const walk = (rel: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(join(dir, rel))];
    } catch {
      return;
    }
    for (const e of entries) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (!files.has(p)) Deno.removeSync(join(dir, p));
    }
  };
  for (const sub of ["data", "figures", "abi"]) walk(sub);
}

function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + "\n";
}

// ---------------------------------------------------------------- helpers

function guest(a: BundledAnalysis, id: string): GuestAnalysis | undefined {
  return a.guests.find((g) => g.guest.id === id);
}

function readinessOf(a: BundledAnalysis, id: string): BinaryReadiness | undefined {
  return a.readiness.find((r) => r.binary === id);
}

function label(a: BundledAnalysis, id: string): string {
  return guest(a, id)?.guest.label ?? id;
}

/** Verdict of one used syscall from the trials. */
export type Verdict = "implement" | "stub" | "stub, side effects";

/** The verdict of `sc` for `r`, and the trial that decided it. */
export function verdictOf(
  r: BinaryReadiness,
  sc: string,
): { verdict: Verdict; trial?: StubTrial } {
  const t = bestTrial(r.trials, sc);
  if (!t) return { verdict: "implement" };
  return { verdict: t.sideEffects ? "stub, side effects" : "stub", trial: t };
}

function effectText(t: StubTrial): string {
  const e = t.effects;
  const parts: string[] = [];
  if (e.threads !== 0) parts.push(`threads ${signed(e.threads)}`);
  if (e.signals !== 0) parts.push(`signals ${signed(e.signals)}`);
  if (e.switches !== 0) parts.push(`switches ${signed(e.switches)}`);
  if (e.syscalls !== 0) parts.push(`syscalls ${signed(e.syscalls)}`);
  parts.push(`instructions ${signed(e.instret)}`);
  if (e.induced.length > 0) parts.push(`new: ${e.induced.join(", ")}`);
  if (e.vanished.length > 0) parts.push(`gone: ${e.vanished.join(", ")}`);
  return parts.join("; ");
}

function stats(values: readonly number[]): { mean: number; min: number; max: number } {
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  return { mean, min: Math.min(...values), max: Math.max(...values) };
}

function time(p: SyscallProfile): number {
  return p.categories.time;
}

function sigurg(r: RunSummary): number {
  return r.signals.SIGURG ?? 0;
}

/** The span of a guest's precomputed-table unpacking, in instructions (null: none). */
function tableSpan(g: GuestAnalysis): number | null {
  const s = g.spans.find((x) => x.entry !== null && x.exit !== null);
  return s ? s.exit! - s.entry! : null;
}

/** What the vDSO experiment says about clock_gettime (see the Go experiments). */
function vdsoNote(a: BundledAnalysis): { built: boolean; text: string } {
  const ex = a.goExperiments;
  const def = ex?.find((v) => v.name === "default");
  const off = ex?.find((v) => v.name.startsWith("no vDSO"));
  const studyGeth = a.studyLogs.find((l) => l.path.endsWith("geth_t8n_strace.log"));
  const studyCalls = studyGeth?.profile.syscalls.clock_gettime?.count ?? 0;
  const study = studyGeth
    ? ` The study's real geth trace, recorded on a Linux kernel with a vDSO, has ${
      int(studyCalls)
    } clock_gettime syscalls.`
    : "";
  if (!def || !off) {
    return {
      built: false,
      text: "Go reads the clock through the vDSO on Linux; whether this zkabi build maps one " +
        "was not measured." + study,
    };
  }
  const onCalls = def.profile.syscalls.clock_gettime?.count ?? 0;
  const offCalls = off.profile.syscalls.clock_gettime?.count ?? 0;
  if (onCalls === offCalls && def.run.instret === off.run.instret) {
    return {
      built: false,
      text: `These clock reads are an artefact of the missing vDSO: this zkabi build maps none ` +
        `(the run with \`--vdso off\` is identical), so every clock read of the Go runtime is ` +
        `a clock_gettime syscall (${int(onCalls)} in the Go stand-in).${study} A zkVM that ` +
        "exposes a readable time page avoids them; one that does not pays for them as syscalls.",
    };
  }
  const remaining = Object.entries(def.profile.syscalls).filter(([, r]) => r.category === "time")
    .map(([n, r]) => `\`${n}\` ${int(r.count)}`);
  return {
    built: true,
    text: `With zkabi's vDSO (on by default, as Linux maps one) the Go stand-in reads the ` +
      `clock ${int(offCalls - onCalls)} times without a syscall (${
        int(onCalls)
      } clock_gettime syscalls remain; ${
        int(offCalls)
      } without the vDSO, as in a zkVM with no readable time page).${study} The time ` +
      `syscalls that remain are the runtime's sleeps: ${remaining.join(", ") || "none"}.`,
  };
}

// ---------------------------------------------------------------- figures

interface Fig {
  file: string;
  svg: string;
  caption: string;
  number: number;
}

function figures(a: BundledAnalysis): Map<string, Fig> {
  const out = new Map<string, Fig>();
  let n = 0;
  const add = (key: string, file: string, svg: string, caption: string) =>
    out.set(key, { file, svg, caption, number: ++n });

  // RQ1: syscalls by category.
  const profiles: SyscallProfile[] = [
    ...a.guests.map((g) => g.profile),
    ...a.studyLogs.map((l) => l.profile),
  ];
  const labelOf = (p: SyscallProfile) => {
    const g = a.guests.find((x) => x.profile === p);
    return g ? g.guest.label : `${p.label.replace(/ \(study\)$/, "")} (study's strace log)`;
  };
  const cats = CATEGORIES.filter((c) => profiles.some((p) => p.categories[c] > 0));
  add(
    "categories",
    "figures/rq1_syscalls_by_category.svg",
    stackedBars({
      title: "Syscalls by category, whole run",
      series: cats.map((c) => CATEGORY_LABELS[c]),
      bars: profiles.map((p) => ({ label: labelOf(p), values: cats.map((c) => p.categories[c]) })),
      percent: true,
      unit: "syscalls",
    }),
    "Syscalls by category for every guest under zkabi (real clients first) and for the " +
      "study's two strace logs. Bars are shares of each run's syscalls; the number after each " +
      "bar is the run's total. " +
      (vdsoNote(a).built
        ? "The runs map a vDSO, as Linux does: clock reads are not syscalls (RQ1)."
        : "The Go runtime's time share under zkabi comes from the missing vDSO (RQ1)."),
  );

  // RQ2: readiness matrix.
  const cols = ["basic", "advanced", "full"];
  const rcells: MatrixCell[][] = a.readiness.map((r) =>
    cols.map((c) => {
      const p = r.profiles.find((x) => x.profile === c);
      if (!p) return { text: "-", level: "none" };
      if (p.outcome.ok) return { text: "runs", level: "ok" };
      if (p.withStubs?.ok) return { text: `runs + ${p.stubbable.length} stubs`, level: "partial" };
      const why = p.firstBlocker ? `stops: ${p.firstBlocker.syscall}` : p.outcome.text;
      return { text: why, level: "fail", detail: p.outcome.text };
    })
  );
  add(
    "readiness",
    "figures/rq2_tier_readiness.svg",
    matrix(
      "Tier readiness, by running",
      a.readiness.map((r) => label(a, r.binary)),
      cols,
      rcells,
    ),
    "Each guest under the study's Basic and Advanced tiers and under `full`: green runs with " +
      "identical output, amber runs once the syscalls its trials found stubbable are stubbed, " +
      "red stops (the first syscall outside the tier is named).",
  );

  // RQ3: verdicts per guest.
  const verdicts: Verdict[] = ["implement", "stub", "stub, side effects"];
  const withTrials = a.readiness.filter((r) => r.trials.length > 0);
  add(
    "verdicts",
    "figures/rq3_stub_or_implement.svg",
    stackedBars({
      title: "Stub or implement: verdicts of the stub trials, per guest",
      series: ["must be implemented", "stubbable", "stubbable, with side effects"],
      bars: withTrials.map((r) => ({
        label: label(a, r.binary),
        values: verdicts.map((v) => r.used.filter((sc) => verdictOf(r, sc).verdict === v).length),
      })),
      unit: "syscalls",
      axis: "distinct syscalls the guest makes",
      formatValue: (v) => String(v),
    }),
    "For every syscall a guest makes, one trial run per fixed result (0, then -ENOSYS) with " +
      "only that syscall stubbed. Stubbable: identical stdout, stderr and exit status and no " +
      "new syscall; with side effects: the run's threads or delivered signals changed.",
  );

  // RQ4: futex spread, one figure per guest (their scales differ by orders of magnitude).
  for (const f of a.futex) {
    const runs = (s: string) => f.runs.filter((r) => r.strategy === s);
    add(
      `futex-${f.guest}`,
      `figures/rq4_futex_spread_${f.guest}.svg`,
      rangeChart({
        title: `${label(a, f.guest)}: context switches per run, round-robin vs hand-off`,
        rows: (["rr", "handoff"] as const).map((s) => ({
          label: s,
          values: runs(s).map((r) => r.run.contextSwitches),
        })),
        axis: "context switches per run",
        zoom: true,
        format: int,
      }),
      `${label(a, f.guest)}: ${runs("rr").length} runs per strategy (seeds × quanta); ticks ` +
        "are single runs, the diamond the mean; min, mean and max are written on the marks. " +
        "Instruction counts are in the RQ4 table.",
    );
  }

  // RQ5: instructions by phase, with the table unpacking apart.
  const phaseSeries = ["loader", "runtime start-up", "secp256k1 table unpacking", "application"];
  const phaseBars = a.guests.map((g) => {
    const span = tableSpan(g) ?? 0;
    const entry = g.spans.find((s) => s.entry !== null)?.entry ?? 0;
    const startup = g.costs.phases.startup;
    const inStartup = span > 0 && g.mainEntry !== undefined && entry < g.mainEntry ? span : 0;
    return {
      label: g.guest.label,
      values: [
        g.costs.phases.loader,
        startup - inStartup,
        span,
        g.costs.phases.app + g.costs.phases.exit - (span - inStartup),
      ],
    };
  });
  add(
    "phases",
    "figures/rq5_instructions_by_phase.svg",
    stackedBars({
      title: "Where the instructions go: phases (application from main), and table unpacking",
      series: phaseSeries,
      bars: phaseBars,
      percent: true,
      unit: "instructions",
      formatTotal: compact,
    }),
    "Instructions per phase under the main rule (the application starts at the first " +
      "instruction of `main.main` or the crate's `main`), with the one-off unpacking of " +
      "secp256k1's precomputed table (measured exactly, first call to return) shown apart. " +
      "Totals after each bar.",
  );

  // RQ5: in-guest kernel.
  if (a.kernelCosts.length > 0) {
    const causes = ["futex", "madvise", "mmap", "clock_gettime", "nanosleep", "timer", "read"];
    add(
      "kernel",
      "figures/rq5_in_guest_kernel.svg",
      stackedBars({
        title: "Kernel instructions under the in-guest kernel, by cause",
        series: [...causes, "other syscalls", "boot"],
        bars: a.kernelCosts.map((k) => {
          const byCause = (n: string) => k.rows.find((r) => r.name === n)?.total ?? 0;
          const listed = causes.reduce((s, c) => s + byCause(c), 0);
          const syscallsTotal = k.rows.filter((r) => !r.name.startsWith("phase:"))
            .reduce((s, r) => s + r.total, 0);
          return {
            label: label(a, k.guest),
            values: [...causes.map(byCause), Math.max(0, syscallsTotal - listed), k.boot],
          };
        }),
        unit: "kernel instructions",
        log: false,
        formatTotal: compact,
      }),
      "Instructions the in-guest M-mode kernel (guests/kernel) retires to provide the Linux " +
        "ABI, per guest and cause (syscall kind, timer interrupts, boot). The program's own " +
        "instructions are in the RQ5 table; the kernel's share of the whole proof is there too.",
    );
  }

  // RQ6: other VMs.
  const vmNames = [...new Set(a.vms.cells.map((c) => c.vm))];
  const vmGuests = [...new Set(a.vms.cells.map((c) => c.guest))];
  if (vmNames.length > 0) {
    add(
      "vms",
      "figures/rq6_other_vms.svg",
      matrix(
        "Other VMs' Linux emulation, by running",
        vmGuests.map((g) => label(a, g)),
        vmNames,
        vmGuests.map((g) =>
          vmNames.map((v) => {
            const c = a.vms.cells.find((x) => x.guest === g && x.vm === v)!;
            if (c.outcome.ok) return { text: "runs", level: "ok" as const };
            const text = c.firstBlocker ? `stops: ${c.firstBlocker.syscall}` : c.outcome.text;
            return { text, level: "fail" as const, detail: c.outcome.text };
          })
        ),
        { ok: "runs, identical output", fail: "fails (first blocker or symptom)" },
      ),
      "Each guest under the documented syscall handling of MT-Cannon, Asterisc, Ziren, " +
        "ZeroOS and the zkvm-standards bare target (pinned versions in the references), as " +
        "documented and with host file input added (`+files`).",
    );
  }
  return out;
}

// ---------------------------------------------------------------- the paper

function paperDoc(a: BundledAnalysis, figs: Map<string, Fig>): Block[] {
  const out: Block[] = [];
  const fig = (key: string) => {
    const f = figs.get(key);
    if (f) out.push(figure(f.svg, f.file, `Figure ${f.number}. ${f.caption}`));
  };
  const figRef = (key: string) => `Figure ${figs.get(key)?.number ?? "?"}`;
  out.push(heading(TITLE, 1));
  out.push(md(
    `*zkabi findings report.* Generated by \`deno task analyze\` from the runs described in ` +
      `Method; every number comes from a run or a trace file named in the Reproducibility ` +
      `section. Input digest \`${a.environment.inputDigest.slice(0, 16)}\`. The normative ` +
      "ABI derived from these runs is `abi-spec.md` (with `abi/*.json`); long tables are in the " +
      "appendix; data in `data/`, figures in `figures/`, a standalone HTML rendering in " +
      "`findings.html`.",
  ));
  abstract(a, out);
  questions(out);
  methodSection(a, out);
  out.push(heading("Results", 2));
  rq1(a, out, fig, figRef);
  rq2(a, out, fig);
  rq3(a, out, fig);
  rq4(a, out, fig);
  rq5(a, out, fig);
  rq6(a, out, fig);
  abiSummary(a, out);
  threats(a, out);
  reproducibility(a, out);
  references(out);
  appendix(a, out);
  return out;
}

function abstract(a: BundledAnalysis, out: Block[]): void {
  out.push(heading("Abstract", 2));
  const keeper = guest(a, "geth-keeper");
  const evm = guest(a, "geth-evm");
  const parts: string[] = [];
  parts.push(
    "zkVM teams want to prove unmodified Ethereum clients compiled for riscv64 Linux, which " +
      "means providing part of the Linux system-call ABI inside the proof. We ran go-ethereum's " +
      "zkVM guest `keeper` and its `evm t8n` tool, unmodified, together with Rust and Go " +
      "stand-ins written for this project, in zkabi, a deterministic RV64GC emulator with an " +
      "emulated Linux kernel, and measured which syscalls they make, which can be stubbed, " +
      "what a kernel inside the guest costs, and which zkVM designs run them.",
  );
  if (keeper && evm) {
    const rk = readinessOf(a, "geth-keeper");
    const re = readinessOf(a, "geth-evm");
    const must = (r?: BinaryReadiness) =>
      r ? r.used.filter((s) => verdictOf(r, s).verdict === "implement").length : 0;
    const span = tableSpan(keeper);
    const kc = a.kernelCosts.find((k) => k.guest === "geth-keeper");
    parts.push(
      `keeper executes and validates one Hoodi block in ${int(keeper.run.instret)} instructions ` +
        `with ${int(keeper.profile.total)} syscalls of ${
          Object.keys(keeper.profile.syscalls).length
        } kinds on ${keeper.run.threads} threads; \`evm t8n\` on the study's inputs takes ${
          int(evm.run.instret)
        } instructions and ${int(evm.profile.total)} syscalls of ${
          Object.keys(evm.profile.syscalls).length
        } kinds. By running, ${must(rk)} of keeper's and ${
          must(re)
        } of evm's syscall kinds must be implemented; the others can return fixed values, ` +
        "though stubbing some of them silently changes the program (fewer threads, no " +
        "preemption signals).",
    );
    if (span !== null) {
      parts.push(
        `${pct(span, keeper.run.instret)} of keeper's instructions (${
          int(span)
        }) unpack secp256k1's precomputed table on the first signature recovery, a fixed cost ` +
          "a zkVM can remove by precomputation.",
      );
    }
    if (kc) {
      parts.push(
        `Providing the ABI inside the guest costs keeper ${int(kc.instretKernel)} kernel ` +
          `instructions (${
            pct(kc.instretKernel, kc.instretProgram + kc.instretKernel)
          } of the proof).`,
      );
    }
  }
  const vmOk = a.vms.cells.filter((c) => c.outcome.ok).length;
  parts.push(
    `Of ${a.vms.cells.length} guest/VM combinations, ${vmOk} run under the documented Linux ` +
      "emulation of MT-Cannon, Asterisc, Ziren and ZeroOS or the zkvm-standards bare target. " +
      "We publish the measured minimal ABI per client family as a normative specification " +
      "with machine-readable profiles, each verified by running its guests.",
  );
  out.push(md(parts.join(" ")));
}

function questions(out: Block[]): void {
  out.push(heading("Research questions", 2));
  out.push(list([
    "**RQ1** Which syscalls does each real client make, and why?",
    "**RQ2** What is the smallest tier that runs each one, found by running?",
    "**RQ3** Which syscalls must be implemented and which can be stubbed, and with which side " +
    "effects?",
    "**RQ4** Threads and futexes: which operations are really used, and how do futex " +
    "scheduling strategies compare, with their spread?",
    "**RQ5** What does the ABI cost in instructions, pages and context switches, inside the " +
    "proof?",
    "**RQ6** Where do zkabi's dispatcher and profiles sit against zkVM ECALL conventions, " +
    "other VMs' Linux emulation and the zkvm-standards?",
  ], false));
}

function methodSection(a: BundledAnalysis, out: Block[]): void {
  out.push(heading("Method", 2));
  out.push(heading("Subjects", 3));
  out.push(mdTableBlock(
    ["guest", "kind", "what it is", "binary sha256", "instructions"],
    a.guests.map((g) => [
      g.guest.label,
      g.guest.kind === "real" ? "real client" : "stand-in",
      g.guest.description,
      code(g.binary.sha256.slice(0, 16)),
      g.run.instret,
    ]),
  ));
  out.push(md(
    "The stand-ins are programs written for this project (`guests/`), smaller than the clients " +
      "they stand for and labelled as stand-ins everywhere. The real clients are built from " +
      "go-ethereum's sources outside the repository (guests/geth/README.md) and are not " +
      "committed; their measurements are (see Reproducibility).",
  ));
  out.push(heading("Emulation", 3));
  out.push(md(
    "zkabi runs each guest deterministically: an RV64GC interpreter (with a block compiler " +
      "that retires exactly the same instructions) and an emulated Linux process with 4 CPUs " +
      "reported, seed 0, a virtual clock of 1 ns per instruction and round-robin threads with a " +
      "100,000-instruction quantum unless stated. Every ECALL goes through the dispatcher, which " +
      "records one event per syscall (arguments, result, thread, instruction count, phase); " +
      "the tables count those events. The same inputs give the same counts, traces and report " +
      "on every machine; only wall-clock times vary, and they are not reported.",
  ));
  out.push(heading("Phases", 3));
  out.push(md(
    "Phases are *loader* (the pc inside the dynamic loader), *runtime start-up*, *application* " +
      "and *exit* (`exit`, `exit_group`). **The application starts when the pc first reaches " +
      "the program's `main`** (Go's `main.main` from `.gopclntab`, the Rust crate's `main` from " +
      "the committed symbol maps): zkabi replaces the first halfword of `main` with an illegal " +
      "instruction before the run, and the trap it raises (before the instruction retires) " +
      "records the exact instruction count, restores the code and continues the same thread " +
      "with the rest of its quantum, so the run is otherwise unchanged (a test checks the " +
      "multi-threaded Go guest). Every syscall issued after that instruction, on any thread, " +
      "is application phase. A stack-based rule (calls made while `main` is on the stack) " +
      "would need a stack walk per syscall and is not used. The study's rule (application " +
      "from the first write to stdout or stderr) is kept as a second column where the study's " +
      "tables are compared.",
  ));
  out.push(heading("Readiness by running", 3));
  out.push(md(
    "Each guest runs under the study's Basic and Advanced tiers and under `full`. For every " +
      "syscall it uses, a *stub trial* runs it under `full` with only that syscall answered by " +
      "a fixed result (0, then -ENOSYS); the syscall is stubbable when stdout, stderr and exit " +
      "status stay identical and no syscall the reference never made appears. Every trial also " +
      "records its side effects against the reference: threads, signals delivered, context " +
      "switches, syscalls and instructions; a trial that changes threads or signals is " +
      "*stubbable with side effects*. Trials are capped at 1.25 times the reference's " +
      "instructions plus 5 M and at 10 times its ECALLs plus 10,000 (a livelock fails). Two " +
      "*sufficient* profiles per guest are then verified by running: one stubs every stubbable " +
      "call, the *faithful* one only those without side effects. They are sufficient, not " +
      "minimal: the trials stub one call at a time.",
  ));
  const evm = a.guests.find((g) => g.guest.readiness);
  if (evm?.guest.readiness) {
    out.push(md(
      `For ${evm.guest.label} the readiness runs add ${
        code(evm.guest.readiness.args.slice(0, 2).join(" "))
      }: ${evm.guest.readiness.why}.`,
    ));
  }
  out.push(heading("Costs", 3));
  out.push(md(
    "Instructions are attributed to functions by sampling the pc every 997 instructions (an " +
      "estimate) with names from Go's function table or the committed symbol maps of the " +
      "stripped Rust binaries, offset by the executable's load bias as the loader reports it " +
      "(AT_ENTRY). One-off computations are measured exactly with the same trap as `main`, at " +
      "the function's entry and its own return instructions. The in-guest kernel " +
      "(`guests/kernel`, run with `--kernel guest`) answers the program's syscalls in RISC-V " +
      "machine mode; zkabi counts its instructions per cause.",
  ));
}

function rq1(
  a: BundledAnalysis,
  out: Block[],
  fig: (k: string) => void,
  figRef: (k: string) => string,
): void {
  out.push(heading("RQ1: Which syscalls each real client makes, and why", 3));
  out.push(mdTableBlock(
    [
      "guest",
      "syscalls",
      "distinct",
      "threads",
      "signals delivered",
      ...CATEGORIES.filter((c) => a.guests.some((g) => g.profile.categories[c] > 0)).map((c) =>
        CATEGORY_LABELS[c]
      ),
    ],
    a.guests.map((g) => [
      g.guest.label,
      g.profile.total,
      Object.keys(g.profile.syscalls).length,
      g.run.threads,
      g.run.signalsDelivered,
      ...CATEGORIES.filter((c) => a.guests.some((x) => x.profile.categories[c] > 0)).map((c) =>
        pct(g.profile.categories[c], g.profile.total)
      ),
    ]),
  ));
  fig("categories");
  const v = vdsoNote(a);
  const goGuests = a.guests.filter((g) => g.guest.language === "go");
  const timeShares = goGuests.map((g) =>
    `${g.guest.label} ${pct(time(g.profile), g.profile.total)}`
  ).join(", ");
  const bullets: string[] = [];
  if (goGuests.length > 0) {
    bullets.push(
      `**Time** (${timeShares} of the Go guests' syscalls, ${figRef("categories")}): ${v.text}`,
    );
  }
  const rustG = a.guests.find((g) => g.guest.language === "rust");
  const rustSigs = Object.keys(rustG?.observed.rt_sigaction?.["signal (handler set)"] ?? {});
  bullets.push(
    "**Threads and signals**: the Go runtime starts its scheduler threads with `clone`, " +
      "parks and wakes them with `futex`, and preempts goroutines with `SIGURG` sent by " +
      "`tgkill` (handlers installed with `rt_sigaction`, returned from with `rt_sigreturn`)." +
      (rustG
        ? ` The Rust stand-ins stay on one thread; Rust's runtime sets ${codes(rustSigs)} ` +
          "(its stack-overflow guard on an alternate stack from `sigaltstack`, and SIGPIPE ignored)."
        : ""),
  );
  bullets.push(
    "**Memory**: Go reserves its heap arenas as large `PROT_NONE` mappings and commits parts " +
      "with `MAP_FIXED`; glibc's malloc grows the heap with `brk` and maps large blocks.",
  );
  bullets.push(
    "**Files**: the clients open only a few host files at start-up (below); their input is a " +
      "file named on the command line (evm, the stand-ins) or linked into the binary (keeper).",
  );
  out.push(list(bullets));
  standInVsReal(a, out);
  studyTiers(a, out);
  keeperFiles(a, out);
}

function standInVsReal(a: BundledAnalysis, out: Block[]): void {
  const t8n = guest(a, "go-t8n");
  const evm = guest(a, "geth-evm");
  const keeper = guest(a, "geth-keeper");
  const studyGeth = a.studyLogs.find((l) => l.path.endsWith("geth_t8n_strace.log"));
  if (!t8n || (!evm && !keeper)) return;
  out.push(heading("Stand-in vs real", 4));
  const cols = [t8n, ...(evm ? [evm] : []), ...(keeper ? [keeper] : [])];
  const row = (name: string, f: (g: GuestAnalysis) => Cell, study?: Cell): Cell[] => [
    name,
    ...cols.map(f),
    ...(studyGeth ? [study ?? "-"] : []),
  ];
  const span = (g: GuestAnalysis) => {
    const s = tableSpan(g);
    return s === null ? "-" : `${int(s)} (${pct(s, g.run.instret)})`;
  };
  out.push(mdTableBlock(
    [
      "",
      ...cols.map((g) => g.guest.label),
      ...(studyGeth ? ["geth t8n (study's strace log)"] : []),
    ],
    [
      row("instructions", (g) => g.run.instret),
      row("syscalls", (g) => g.profile.total, studyGeth?.profile.total),
      row(
        "distinct syscalls",
        (g) => Object.keys(g.profile.syscalls).length,
        studyGeth ? Object.keys(studyGeth.profile.syscalls).length : undefined,
      ),
      row(
        "threads",
        (g) => g.run.threads,
        studyGeth ? Object.keys(studyGeth.profile.threads).length : undefined,
      ),
      row("SIGURG delivered", (g) => sigurg(g.run), studyGeth?.profile.signals.SIGURG ?? 0),
      row(
        "clock_gettime syscalls",
        (g) => g.profile.syscalls.clock_gettime?.count ?? 0,
        studyGeth?.profile.syscalls.clock_gettime?.count ?? 0,
      ),
      row("mapped at exit", (g) => bytes(g.run.memory.mappedBytes)),
      row("touched (peak)", (g) => bytes(g.run.memory.peakTouchedBytes)),
      row("secp256k1 table unpacking", span),
      row(
        "before main (start-up)",
        (g) => `${int(g.costs.phases.startup)} (${pct(g.costs.phases.startup, g.run.instret)})`,
      ),
    ],
  ));
  const real = [...(evm ? [evm] : []), ...(keeper ? [keeper] : [])];
  const setOf = (g: GuestAnalysis) => new Set(Object.keys(g.profile.syscalls));
  const inReal = new Set(real.flatMap((g) => [...setOf(g)]));
  const onlyReal = [...inReal].filter((s) => !setOf(t8n).has(s)).sort();
  const onlyStand = [...setOf(t8n)].filter((s) => !inReal.has(s)).sort();
  const rd = readinessOf(a, "go-t8n");
  const rr = real.map((g) => readinessOf(a, g.guest.id)).filter((x) => x !== undefined);
  const must = (r: BinaryReadiness) =>
    r.used.filter((s) => verdictOf(r, s).verdict === "implement");
  const mustReal = [...new Set(rr.flatMap(must))].sort();
  const mustStand = rd ? must(rd) : [];
  out.push(list([
    `**Carries over**: the runtime's own needs. The stand-in uses ${
      Object.keys(t8n.profile.syscalls).length
    } syscall kinds; the real clients use ${inReal.size}, among them ${
      onlyStand.length === 0
        ? "all of the stand-in's"
        : `all but ${onlyStand.length} of the stand-in's (${codes(onlyStand)})`
    }. What must be implemented is ${codes(mustStand)} for the stand-in and ${
      codes(mustReal)
    } for the real clients.`,
    `**Does not carry over**: the real clients add ${codes(onlyReal)}: geth's libraries probe ` +
    "the host (CPU features through `riscv_hwprobe`, `/proc` and `/sys` files, the terminal, " +
    "the time zone). Absolute counts (instructions, futex traffic, signals) depend on the " +
    "program and the scheduler and do not carry over.",
    "**Both** spend most of their instructions unpacking secp256k1's precomputed table (the " +
    "stand-in uses btcec v1, which does it at package initialisation, before `main`; geth uses " +
    "decred secp256k1 v4, which does it on the first signature recovery, after `main`).",
  ]));
}

function studyTiers(a: BundledAnalysis, out: Block[]): void {
  if (a.studyTiers.length === 0) return;
  out.push(heading("The study's real logs against the tiers", 4));
  out.push(md(
    "The study's two strace logs (a real kernel, the real reth-stateless and geth `evm t8n`) " +
      "checked against the Basic and Advanced tiers: the syscalls each makes after its loader " +
      "phase that the tier neither emulates nor stubs, and the first call the tier would stop on.",
  ));
  out.push(mdTableBlock(
    [
      "log",
      "tier",
      "first blocker (line)",
      "outside the tier after the loader (calls)",
      "outside, loader only",
    ],
    a.studyTiers.map((t) => [
      t.log,
      t.tier,
      t.firstBlocker
        ? `${code(t.firstBlocker.syscall)} (${
          PHASE_LABELS[t.firstBlocker.phase]
        }, line ${t.firstBlocker.line})`
        : "none: the tier covers it",
      t.outside.map((o) => `${code(o.syscall)} ${o.calls}`).join(", ") || "none",
      codes(t.outsideLoader),
    ]),
  ));
}

function keeperFiles(a: BundledAnalysis, out: Block[]): void {
  if (a.keeperFiles.length === 0) return;
  out.push(heading("What a zkVM must provide for keeper: host files", 4));
  const k = guest(a, "geth-keeper");
  const paths = k ? Object.keys(k.observed.openat?.path ?? {}) : [];
  out.push(md(
    `keeper's libraries open ${paths.length} host path(s) at start-up: ${codes(paths)} ` +
      "(the Go runtime reads the huge-page size; go-sysconf, through gopsutil, reads the " +
      "auxiliary vector; gopsutil's cpu package, imported by geth's metrics, reads `/proc/stat`). " +
      "Each was denied (openat fails with ENOENT) and emptied (reads return end-of-file at once), " +
      "by running:",
  ));
  out.push(mdTableBlock(
    ["file", "as run", "outcome", "instructions", "syscalls", "threads", "signals"],
    a.keeperFiles.map((f) => [
      code(f.path),
      f.action === "provided"
        ? "provided by zkabi"
        : f.action === "absent"
        ? "absent in zkabi (ENOENT)"
        : f.action === "enoent"
        ? "denied (ENOENT)"
        : "empty",
      f.outcome.ok ? "identical output" : f.outcome.text,
      signed(f.effects.instret),
      signed(f.effects.syscalls),
      signed(f.effects.threads),
      signed(f.effects.signals),
    ]),
  ));
  const bad = a.keeperFiles.filter((f) => !f.outcome.ok);
  out.push(md(
    bad.length === 0
      ? "keeper's result does not depend on any of them: a zkVM may deny all three (ENOENT) " +
        "or serve them empty."
      : `Not every variant runs: ${
        bad.map((f) => `${code(f.path)} ${f.action}: ${f.outcome.text}`).join("; ")
      }.`,
  ));
}

function rq2(a: BundledAnalysis, out: Block[], fig: (k: string) => void): void {
  out.push(heading("RQ2: The smallest tier for each client, by running", 3));
  out.push(mdTableBlock(
    [
      "guest",
      "basic",
      "advanced",
      "smallest tier that runs it",
      "outside basic",
      "outside advanced",
    ],
    a.readiness.map((r) => {
      const p = (n: string) => r.profiles.find((x) => x.profile === n);
      const cell = (n: string) => {
        const x = p(n);
        if (!x) return "-";
        if (x.outcome.ok) return "runs";
        if (x.withStubs?.ok) {
          return `runs + ${x.stubbable.length} stub${x.stubbable.length === 1 ? "" : "s"}`;
        }
        return x.firstBlocker ? `stops at ${code(x.firstBlocker.syscall)}` : x.outcome.text;
      };
      return [
        label(a, r.binary),
        cell("basic"),
        cell("advanced"),
        r.smallest,
        String(p("basic")?.outside.length ?? "-"),
        codes(p("advanced")?.outside.map((o) => o.syscall) ?? []),
      ];
    }),
  ));
  fig("readiness");
  const adv = builtinProfile("advanced");
  const tier = (name: string) =>
    a.readiness.map((r) => ({ r, p: r.profiles.find((x) => x.profile === name) }));
  const basicRuns = tier("basic").filter((x) => x.p?.outcome.ok).map((x) => label(a, x.r.binary));
  const basicPhases = [
    ...new Set(
      tier("basic").filter((x) => x.p?.firstBlocker).map((x) =>
        PHASE_LABELS[x.p!.firstBlocker!.phase]
      ),
    ),
  ];
  const advStubbed = tier("advanced").filter((x) => !x.p?.outcome.ok && x.p?.withStubs?.ok);
  const advFails = tier("advanced").filter((x) => !x.p?.outcome.ok && !x.p?.withStubs?.ok);
  out.push(md(
    (basicRuns.length === 0
      ? `No guest runs under Basic (${builtinProfile("basic").syscalls.size} syscalls): each ` +
        `stops in ${basicPhases.join(" or ")}. `
      : `Under Basic only ${basicRuns.join(", ")} run. `) +
      `Advanced (${adv.syscalls.size} syscalls) runs ${
        advStubbed.length === a.readiness.length
          ? "every guest"
          : `${advStubbed.length} of ${a.readiness.length} guests`
      } once the calls outside it that the trials found stubbable are stubbed (${
        advStubbed.map((x) => `${label(a, x.r.binary)} ${x.p!.stubbable.length}`).join(", ")
      })` +
      (advFails.length > 0
        ? `; ${advFails.map((x) => label(a, x.r.binary)).join(", ")} need more.`
        : "."),
  ));
}

function rq3(a: BundledAnalysis, out: Block[], fig: (k: string) => void): void {
  out.push(heading("RQ3: Stub or implement, with side effects", 3));
  const rs = a.readiness.filter((r) => r.trials.length > 0);
  out.push(mdTableBlock(
    ["guest", "must be implemented", "stubbable", "stubbable, with side effects"],
    rs.map((r) => {
      const by = (v: Verdict) => r.used.filter((s) => verdictOf(r, s).verdict === v);
      return [
        label(a, r.binary),
        codes(by("implement")),
        by("stub").map((s) => `${code(s)}=${verdictOf(r, s).trial!.result}`).join(", ") || "none",
        by("stub, side effects").map((s) => {
          const t = verdictOf(r, s).trial!;
          return `${code(s)}=${t.result} (${effectText(t)})`;
        }).join("; ") || "none",
      ];
    }),
  ));
  fig("verdicts");
  out.push(md("Each guest's two sufficient profiles, verified by running:"));
  out.push(mdTableBlock(
    [
      "guest",
      "profile",
      "emulated",
      "stubbed",
      "run",
      "threads",
      "signals",
      "instructions",
      "emulated but never called",
    ],
    rs.flatMap((r) =>
      (["sufficient", "faithful"] as const).map((k) => {
        const p = r[k];
        const sc = p.profile.syscalls as Record<string, unknown>;
        const emu = Object.values(sc).filter((v) => v === "emulate").length;
        return [
          label(a, r.binary),
          k,
          emu,
          Object.keys(sc).length - emu,
          p.outcome.ok ? "identical output" : p.outcome.text,
          signed(p.effects.threads),
          signed(p.effects.signals),
          signed(p.effects.instret),
          codes(p.unusedEmulated),
        ];
      })
    ),
  ));
  const notes: string[] = [];
  const failing = rs.flatMap((r) =>
    (["sufficient", "faithful"] as const).filter((k) => !r[k].outcome.ok).map((k) =>
      `${label(a, r.binary)} (${k}: ${r[k].outcome.text})`
    )
  );
  if (failing.length > 0) {
    notes.push(
      `Stubs found one at a time do not always compose: ${failing.join("; ")}. The family ` +
        "profiles of the specification therefore keep such calls implemented and are verified " +
        "on every guest of the family (below).",
    );
  }
  const rust = readinessOf(a, "rust-static");
  const brk = rust ? verdictOf(rust, "brk") : undefined;
  if (rust && brk) {
    if (brk.verdict === "implement") {
      notes.push("`brk` must be implemented for the static Rust stand-in: no fixed result works.");
    } else {
      const t = brk.trial!;
      const mm = t.effects.changed?.mmap ?? 0;
      notes.push(
        `\`brk\` is stubbable for the static Rust stand-in (result ${t.result}): glibc's malloc ` +
          `then falls back to mmap (${signed(mm)} mmap calls, ${signed(t.effects.instret)} ` +
          "instructions). A zkVM may drop brk for glibc programs; it must then give mmap real " +
          "semantics.",
      );
    }
  }
  for (const id of ["go-t8n", "geth-keeper", "geth-evm"]) {
    const r = readinessOf(a, id);
    if (!r || r.trials.length === 0) continue;
    const aff = verdictOf(r, "sched_getaffinity");
    const tg = verdictOf(r, "tgkill");
    const parts: string[] = [];
    if (aff.trial && aff.verdict !== "implement") {
      parts.push(
        `stubbing \`sched_getaffinity\` with ${aff.trial.result} gives identical output but ` +
          `${effectText(aff.trial)}: Go then sees an empty CPU mask and runs with GOMAXPROCS 1`,
      );
    }
    if (tg.trial && tg.verdict !== "implement") {
      const rsr = r.faithful.unusedEmulated.includes("rt_sigreturn") ||
        r.sufficient.unusedEmulated.includes("rt_sigreturn");
      parts.push(
        `stubbing \`tgkill\` removes asynchronous preemption (${effectText(tg.trial)})` +
          (rsr ? "; under the sufficient profile `rt_sigreturn` is then never called" : ""),
      );
    }
    if (parts.length > 0) notes.push(`${label(a, id)}: ${parts.join("; ")}.`);
  }
  if (notes.length > 0) out.push(list(notes));
}

function rq4(a: BundledAnalysis, out: Block[], fig: (k: string) => void): void {
  out.push(heading("RQ4: Threads and futexes", 3));
  const threaded = a.guests.filter((g) => g.run.threads > 1);
  out.push(md("The futex operations and clone flags the threaded guests actually use:"));
  out.push(mdTableBlock(
    [
      "guest",
      "threads",
      "clone flags",
      "futex operations (calls)",
      "switches",
      "futex waits / wakes",
      "signals",
    ],
    threaded.map((g) => [
      g.guest.label,
      g.run.threads,
      Object.keys(g.observed.clone?.flags ?? {}).map(code).join(", ") || "-",
      Object.entries(g.observed.futex?.op ?? {}).map(([o, n]) => `${code(o)} ${n}`).join(", ") ||
      "-",
      g.run.contextSwitches,
      `${int(g.run.futex.waits)} / ${int(g.run.futex.wakes)}`,
      Object.entries(g.run.signals).map(([s, n]) => `${s} ${n}`).join(", ") || "none",
    ]),
  ));
  const ops = [...new Set(threaded.flatMap((g) => Object.keys(g.observed.futex?.op ?? {})))].sort();
  const flagSets = [
    ...new Set(threaded.flatMap((g) => Object.keys(g.observed.clone?.flags ?? {}))),
  ];
  out.push(md(
    `The threaded guests use ${ops.length} futex operation(s), ${codes(ops)}, all private, and ` +
      `${flagSets.length === 1 ? "one clone flag set" : `${flagSets.length} clone flag sets`}, ` +
      "all creating threads (CLONE_VM|CLONE_THREAD): a zkVM needs neither processes nor shared " +
      "(cross-process) futexes for them.",
  ));
  if (a.futex.length > 0) {
    out.push(md(
      "`rr` lets a woken thread wait for its turn in the round robin; `handoff` switches to the " +
        `woken thread right after the wake. Each strategy ran with seeds ${
          [...new Set(a.futex[0].runs.map((r) => r.seed))].join(", ")
        } and quanta ${
          [...new Set(a.futex[0].runs.map((r) => r.quantum))].map(int).join(", ")
        } instructions:`,
    ));
    out.push(mdTableBlock(
      [
        "guest",
        "strategy",
        "runs",
        "same output",
        "instructions: mean",
        "min",
        "max",
        "switches: mean",
        "min",
        "max",
      ],
      a.futex.flatMap((f) => (["rr", "handoff"] as const).map((s) => spreadRow(a, f, s))),
    ));
    for (const f of a.futex) fig(`futex-${f.guest}`);
    out.push(list(a.futex.map((f) => spreadVerdict(a, f))));
  }
  const ex = a.goExperiments;
  if (ex && ex.length > 0) {
    out.push(md("The Go stand-in under the runtime's settings (one run each, seed 0):"));
    out.push(mdTableBlock(
      [
        "run",
        "instructions",
        "threads",
        "switches",
        "futex waits",
        "signals",
        "syscalls",
        "clock_gettime",
        "output",
      ],
      ex.map((v) => [
        v.name,
        v.run.instret,
        v.run.threads,
        v.run.contextSwitches,
        v.run.futex.waits,
        v.run.signalsDelivered,
        v.run.syscalls,
        v.profile.syscalls.clock_gettime?.count ?? 0,
        v.name === "default" ? "-" : v.sameOutput ? "identical" : "different",
      ]),
    ));
  }
}

function spreadRow(a: BundledAnalysis, f: FutexStudy, s: "rr" | "handoff"): Cell[] {
  const runs = f.runs.filter((r) => r.strategy === s);
  const i = stats(runs.map((r) => r.run.instret));
  const w = stats(runs.map((r) => r.run.contextSwitches));
  return [
    label(a, f.guest),
    s,
    runs.length,
    `${runs.filter((r) => r.sameOutput).length}/${runs.length}`,
    int(i.mean),
    int(i.min),
    int(i.max),
    int(w.mean),
    int(w.min),
    int(w.max),
  ];
}

function spreadVerdict(a: BundledAnalysis, f: FutexStudy): string {
  const of = (s: string) => f.runs.filter((r) => r.strategy === s).map((r) => r.run.instret);
  const rr = stats(of("rr"));
  const ho = stats(of("handoff"));
  const overlap = rr.min <= ho.max && ho.min <= rr.max;
  const diff = (ho.mean - rr.mean) / rr.mean;
  const name = label(a, f.guest);
  if (overlap) {
    return `${name}: the two strategies' instruction counts overlap (rr ${int(rr.min)}–${
      int(rr.max)
    }, handoff ${int(ho.min)}–${int(ho.max)}; means differ by ${
      (100 * diff).toFixed(2)
    }%): no strategy is consistently cheaper.`;
  }
  const better = ho.mean < rr.mean ? "handoff" : "rr";
  const sw = (s: string) =>
    stats(f.runs.filter((r) => r.strategy === s).map((r) => r.run.contextSwitches)).mean;
  return `${name}: ${better} retires fewer instructions in every run (means ${int(rr.mean)} with ` +
    `rr, ${int(ho.mean)} with handoff, a difference of ${(100 * Math.abs(diff)).toFixed(2)}%; ` +
    `context switches ${int(sw("rr"))} vs ${int(sw("handoff"))}).`;
}

function rq5(a: BundledAnalysis, out: Block[], fig: (k: string) => void): void {
  out.push(heading("RQ5: What the ABI costs", 3));
  out.push(heading("Instructions by phase", 4));
  out.push(mdTableBlock(
    [
      "guest",
      "total",
      "loader",
      "runtime start-up",
      "application",
      "exit",
      "application, study's rule",
    ],
    a.guests.map((g) => [
      g.guest.label,
      g.run.instret,
      ...PHASES.map((p) => `${int(g.costs.phases[p])} (${pct(g.costs.phases[p], g.run.instret)})`),
      `${int(g.costs.studyPhases.app)} (${pct(g.costs.studyPhases.app, g.run.instret)})`,
    ]),
  ));
  fig("phases");
  const spans = a.guests.filter((g) => tableSpan(g) !== null);
  if (spans.length > 0) {
    out.push(md("The one-off table unpacking, measured exactly (first call, entry to return):"));
    out.push(mdTableBlock(
      ["guest", "function", "instructions", "share", "phase", "the rest of the run"],
      spans.map((g) => {
        const s = g.spans.find((x) => x.entry !== null && x.exit !== null)!;
        const n = s.exit! - s.entry!;
        return [
          g.guest.label,
          code(s.function),
          n,
          pct(n, g.run.instret),
          g.mainEntry !== undefined && s.entry! < g.mainEntry
            ? "start-up (package init)"
            : "application",
          int(g.run.instret - n),
        ];
      }),
    ));
    const k = guest(a, "geth-keeper");
    if (k && tableSpan(k) !== null) {
      const span = tableSpan(k)!;
      const block = k.costs.phases.app - span;
      out.push(md(
        `For keeper this is the precomputation opportunity: ${int(span)} instructions (${
          pct(span, k.run.instret)
        }) rebuild a table that is the same in every run, against ${int(block)} for executing ` +
          `and validating the block after \`main\` (and ${
            int(k.costs.phases.startup)
          } for the Go runtime's start-up). Shipping the table precomputed in the image (or ` +
          "computing scalar base multiplications with a precompile) removes the cost from " +
          "every proof.",
      ));
    }
  }
  out.push(heading("Where the instructions go (pc samples)", 4));
  out.push(mdTableBlock(
    [
      "guest",
      "application",
      "standard library",
      "language runtime",
      "C library / loader",
      "hottest functions",
    ],
    a.guests.map((g) => {
      const s = g.costs.classes ? classShares(g.costs.classes) : undefined;
      return [
        g.guest.label,
        ...CODE_CLASSES.filter((c) => c !== "unknown").map((
          c,
        ) => (s ? `${s[c].toFixed(1)}%` : "-")),
        (g.costs.topFunctions ?? []).slice(0, 3).map((f) =>
          `${code(f.name.length > 60 ? f.name.slice(0, 57) + "..." : f.name)} ${
            pct(f.instructions, g.run.instret)
          }`
        ).join(", ") || "-",
      ];
    }),
  ));
  out.push(heading("Memory: mapped vs touched", 4));
  out.push(mdTableBlock(
    [
      "guest",
      "brk growth",
      "mmap calls",
      "mapped (of which PROT_NONE)",
      "mapped at exit",
      "touched (peak)",
      "mapped / touched",
    ],
    a.guests.map((g) => {
      const m = g.run.memory;
      return [
        g.guest.label,
        m.brkStart === null ? "-" : bytes((m.brkMax ?? 0) - m.brkStart),
        m.mmapCalls,
        `${bytes(m.mmapBytes)} (${bytes(m.mmapReservedBytes)})`,
        bytes(m.mappedBytes),
        bytes(m.peakTouchedBytes),
        `${(m.mappedBytes / Math.max(1, m.peakTouchedBytes)).toFixed(1)}x`,
      ];
    }),
  ));
  const worst = [...a.guests].sort((x, y) =>
    y.run.memory.mappedBytes / Math.max(1, y.run.memory.peakTouchedBytes) -
    x.run.memory.mappedBytes / Math.max(1, x.run.memory.peakTouchedBytes)
  );
  const rust = guest(a, "rust-static");
  out.push(md(
    `Every guest maps far more than it touches (from ${
      (rust ? rust.run.memory.mappedBytes / Math.max(1, rust.run.memory.peakTouchedBytes) : 0)
        .toFixed(1)
    }x for the static Rust stand-in, whose mapping is mostly its stack reservation, to ${
      (worst[0].run.memory.mappedBytes / Math.max(1, worst[0].run.memory.peakTouchedBytes))
        .toFixed(0)
    }x for ${worst[0].guest.label}, whose runtime reserves its heap arenas PROT_NONE). A zkVM ` +
      "must treat mmap as a reservation with lazily backed zero pages: one that backs or hashes " +
      "every mapped page pays for the reservation, not for the memory used.",
  ));
  kernelSection(a, out, fig);
}

const ZEROOS_PER_SYSCALL = 128;

function kernelSection(a: BundledAnalysis, out: Block[], fig: (k: string) => void): void {
  if (a.kernelCosts.length === 0) return;
  out.push(heading("Inside the proof: the in-guest kernel", 4));
  out.push(md(
    "Under `--kernel guest` the program's syscalls trap to a small Linux-compatible kernel in " +
      "RISC-V machine mode (`guests/kernel`), whose instructions a zkVM would prove. It maps no " +
      "vDSO, so the Go guests' clock reads are syscalls there (what a zkVM without a readable " +
      "time page pays). Per guest:",
  ));
  out.push(mdTableBlock(
    [
      "guest",
      "output",
      "program instructions",
      "kernel instructions",
      "share of the proof",
      "syscall traps",
      "timer traps",
      "context switches (their instructions)",
      "zero-fill, the page-fault cost (instructions)",
      "kernel instructions per syscall (mean)",
    ],
    a.kernelCosts.map((k) => {
      const syscallRows = k.rows.filter((r) =>
        !r.name.startsWith("phase:") && r.name !== "timer" && r.name !== "fault"
      );
      const sysInstr = syscallRows.reduce((s, r) => s + r.total, 0);
      return [
        label(a, k.guest),
        k.sameOutput ? "identical" : `exit ${k.status}, different`,
        k.instretProgram,
        k.instretKernel,
        pct(k.instretKernel, k.instretProgram + k.instretKernel),
        k.traps.syscalls,
        k.traps.timer,
        `${int(k.contextSwitches.count)} (${int(k.contextSwitches.instructions)})`,
        int(k.rows.find((r) => r.name === "phase:zeroFill")?.total ?? 0),
        int(sysInstr / Math.max(1, k.traps.syscalls)),
      ];
    }),
  ));
  fig("kernel");
  // Per syscall kind across guests.
  const kinds = new Map<string, { count: number; total: number; medians: number[] }>();
  for (const k of a.kernelCosts) {
    for (const r of k.rows) {
      if (r.name.startsWith("phase:")) continue;
      const e = kinds.get(r.name) ?? { count: 0, total: 0, medians: [] };
      e.count += r.count;
      e.total += r.total;
      e.medians.push(r.median);
      kinds.set(r.name, e);
    }
  }
  const top = [...kinds.entries()].sort((x, y) => y[1].total - x[1].total).slice(0, 14);
  out.push(md(
    "Kernel instructions per syscall kind, all guests together (the full per-guest table is in " +
      "the appendix); ZeroOS reports about " +
      `${ZEROOS_PER_SYSCALL} instructions per syscall for its trap path alone (57 to save ` +
      `registers, 33 in the trap handler, 38 to restore them), by its own account, on Jolt, for ` +
      `Rust/musl programs ${ref("zeroos-faq")}:`,
  ));
  out.push(mdTableBlock(
    [
      "cause",
      "calls",
      "kernel instructions",
      "per call (mean)",
      "median per call (per guest)",
      "vs ~128 per call",
    ],
    top.map(([name, e]) => [
      code(name),
      e.count,
      e.total,
      int(e.total / Math.max(1, e.count)),
      Math.min(...e.medians) === Math.max(...e.medians)
        ? int(e.medians[0])
        : `${int(Math.min(...e.medians))}–${int(Math.max(...e.medians))}`,
      name === "timer" || name === "fault"
        ? "-"
        : `${(e.total / Math.max(1, e.count) / ZEROOS_PER_SYSCALL).toFixed(1)}x`,
    ]),
  ));
  out.push(md(
    "The kernel is cheap per call where a call only moves data (read, write, clock_gettime: " +
      "hundreds of instructions, a few times ZeroOS's bare trap path) and expensive where Linux " +
      "semantics cost work: `madvise(MADV_DONTNEED)` and reused memory must be zero-filled " +
      "(the flat model's page-fault cost), and a blocking futex wait includes the context " +
      "switch.",
  ));
  designChoices(a, out);
}

function designChoices(a: BundledAnalysis, out: Block[]): void {
  const real = a.guests.filter((g) => g.guest.kind === "real");
  if (real.length === 0) return;
  out.push(heading("What each zkVM design would cost the real clients", 4));
  out.push(md(
    "*In-guest kernel*: the ABI is proved instruction by instruction (measured above). " +
      "*libOS* (ZeroOS): the same in principle; at its own ~128 instructions per syscall for " +
      "the trap path alone, an estimate that leaves out the work behind each call. *Precompile* " +
      "(the zkVM answers each syscall outside the trace, as zkabi's built-in kernel does): one " +
      "ECALL per syscall in the trace, plus a circuit per syscall kind the zkVM must build and " +
      "audit. *Patched runtime* (Asterisc's approach for Go): no syscalls at all, " +
      "at the price of a forked runtime per language and version. The table-unpacking column " +
      "is independent of the ABI:",
  ));
  out.push(mdTableBlock(
    [
      "client",
      "program instructions",
      "syscalls with / without a vDSO",
      "in-guest kernel, no vDSO (measured)",
      "libOS at ~128 per syscall, no vDSO (estimate)",
      "precompile: ECALLs in the trace, with / without a vDSO",
      "table unpacking, removable by precomputation",
    ],
    real.map((g) => {
      const k = a.kernelCosts.find((x) => x.guest === g.guest.id);
      const span = tableSpan(g);
      // The in-guest kernel maps no vDSO: its syscall traps are the count without one.
      const without = k ? k.traps.syscalls : undefined;
      const both = `${int(g.profile.total)} / ${without === undefined ? "-" : int(without)}`;
      return [
        g.guest.label,
        g.run.instret,
        both,
        k
          ? `${int(k.instretKernel)} (${pct(k.instretKernel, k.instretProgram + k.instretKernel)})${
            k.sameOutput ? "" : "; output differs"
          }`
          : "not run",
        without === undefined
          ? "-"
          : `${int(without * ZEROOS_PER_SYSCALL)} (${
            pct(without * ZEROOS_PER_SYSCALL, g.run.instret)
          })`,
        both,
        span === null ? "-" : `${int(span)} (${pct(span, g.run.instret)})`,
      ];
    }),
  ));
}

function rq6(a: BundledAnalysis, out: Block[], fig: (k: string) => void): void {
  out.push(heading("RQ6: zkabi against zkVM conventions and other VMs", 3));
  out.push(md(
    "zkabi's dispatcher routes every ECALL by a7, in this order: `0x10000000`–`0x1000ffff` is a " +
      "zk precompile (keccak-f[1600] `0x10000001`, SHA-256 compression `0x10000002`), a Linux " +
      "riscv64 number is the profile's *emulate*, *stub* (fixed result) or *deny* (stop with a " +
      "diagnostic naming the call, thread, pc, function and arguments), anything else the " +
      "profile's `unlisted` policy (*stop* or -ENOSYS). Linux's numbers are below 1,024, so the " +
      "precompile range cannot collide with them; profiles are JSON files a zkVM team can " +
      "write. The conventions of other zkVMs:",
  ));
  out.push(mdTableBlock(
    ["system", "how a guest calls the environment", "Linux syscalls", "source"],
    [
      ["SP1", "ECALL, call id in t0", "none (patched runtimes)", ref("sp1")],
      [
        "RISC Zero",
        "ECALL, class in t0 (halt, input, software syscall by name, sha, bigint)",
        "none (patched runtimes)",
        ref("risc0"),
      ],
      [
        "ZisK",
        "CSR writes at 0x800+ for precompiles (keccakf 0x800, sha256f 0x805)",
        "none (patched runtimes)",
        ref("zisk"),
      ],
      ["OpenVM", "custom opcodes (custom-0/custom-1), not ECALL", "none", ref("openvm")],
      [
        "Ziren",
        "one register: Linux numbers and precompile codes in disjoint ranges",
        "a few, the rest no-ops (see the matrix)",
        ref("ziren"),
      ],
      [
        "Jolt + ZeroOS",
        "ECALL with Linux numbers into a linked-in libOS",
        "26 handlers, others -ENOSYS",
        ref("zeroos"),
      ],
      [
        "zkvm-standards",
        "no ECALL from the program; read_input / write_output; termination ECALL with a7 = 0 (withdrawn reference ABI)",
        "none: the target has no OS",
        ref("zkvm-standards"),
      ],
      [
        "zkabi",
        "ECALL by a7: precompiles 0x10000000+, Linux numbers by profile, the rest stop",
        "by profile (this report)",
        "this report",
      ],
    ],
  ));
  out.push(md(
    "The zkvm-standards termination ECALL uses a7 = 0, which on riscv64 Linux is `io_setup`: a " +
      "dispatcher serving both a bare-target program and a Linux program must decide which one " +
      "it runs before the first ECALL. zkabi's in-guest kernel avoids the question by making " +
      "its host calls from machine mode and with numbers (`0x7a6b00xx`) outside both ranges.",
  ));
  out.push(md(
    "The other VMs are modelled by profiles written from their source code at pinned commits " +
      "(`lib/dispatch/profiles/vms/`); each guest runs under each, as documented and with host " +
      "file input added:",
  ));
  fig("vms");
  out.push(mdTableBlock(
    ["VM", "models", "source (pinned)"],
    a.vms.profiles.map((v) => [v.name, v.description, v.source]),
  ));
  const ok = a.vms.cells.filter((c) => c.outcome.ok);
  out.push(md(
    ok.length === 0
      ? "No guest runs correctly under any of them: each either stops at a call it lacks, or " +
        "silently returns 0 for a call the program needs (the cells list which). The details " +
        "per cell are in the appendix."
      : `${ok.length} of ${a.vms.cells.length} combinations run: ${
        ok.map((c) => `${label(a, c.guest)} under ${c.vm}`).join(", ")
      }. The details per cell are in the appendix.`,
  ));
}

function abiSummary(a: BundledAnalysis, out: Block[]): void {
  out.push(heading("The minimal ABI", 2));
  out.push(md(
    "`abi-spec.md` states, per client family, what a zkVM must implement, what it may stub " +
      "with which value, and that it must deny everything else, with the argument values the " +
      "clients actually pass and a deterministic rule for every result. The machine-readable " +
      "profiles run their guests:",
  ));
  out.push(mdTableBlock(
    ["family", "profile", "implemented", "stubbed", "guests run under it"],
    a.families.map((f) => [
      f.label,
      code(`abi/${f.family}.json`),
      f.decisions.filter((d) => d.action === "implement").length,
      f.decisions.filter((d) => d.action === "stub").length,
      f.runs.map((r) =>
        `${label(a, r.guest)}: ${r.outcome.ok ? "identical output" : r.outcome.text}${
          r.source === "recorded" ? " (recorded)" : ""
        }`
      ).join("; "),
    ]),
  ));
}

function threats(a: BundledAnalysis, out: Block[]): void {
  out.push(heading("Threats to validity", 2));
  out.push(list([
    "**Stand-ins.** The Rust and Go stand-ins are small programs written for this project. " +
    "What carries over to the real clients (the runtime's demands) and what does not (counts, " +
    "the libraries' host probing) is measured in RQ1; the Rust side has no real client run " +
    "here, only the study's strace log of reth-stateless.",
    "**One block.** keeper validates one Hoodi block and evm t8n runs one transaction; the " +
    "syscall kinds are the runtime's and do not depend much on the block, but instruction " +
    "shares (the table unpacking above all) do.",
    "**Virtual clock and one host thread.** Time advances with instructions and threads " +
    "interleave deterministically on one host thread, so time-driven events (SIGURG, " +
    "nanosleep, futex sleeps) differ in number from a real machine's; the futex spread over " +
    "seeds and quanta bounds how much. " + vdsoNote(a).text,
    "**qemu as the oracle.** zkabi's output and syscall sequences are checked against " +
    "qemu-user 7.2 in the test suite, which shares the lack of a riscv64 vDSO; the study's " +
    "strace logs come from a real kernel.",
    "**Stub trials** stub one syscall for the whole run with one fixed result; per-call-site " +
    "or per-argument stubs (only some fcntl commands) are not explored, and the sufficient " +
    "profiles are verified together but not minimised.",
    "**Other VMs** are modelled by their syscall handling mapped to riscv64 names; their " +
    "simplified mmap/brk/futex are approximated by zkabi's real ones, and instruction-level " +
    "differences (Asterisc's no-op floating point, MIPS) are not modelled.",
    "**In-guest kernel.** The kernel costs are those of zkabi's kernel, written for this " +
    "study; another kernel (or a libOS) makes other trade-offs. ZeroOS's per-syscall figure " +
    "is quoted from its documentation, not measured here.",
    "**Real-client data** come from their committed record (`data/real_clients.json`), " +
    "written where the binaries were present and reused verbatim elsewhere. The report names " +
    "the binaries' sha256 and the zkabi commit that measured them; a test " +
    "re-measures them where the binaries exist.",
    "**ISA classes** are reported only when the CPU counts them (see abi-spec.md); pc-sample " +
    "shares are estimates (one sample per 997 instructions), phase boundaries and spans are " +
    "exact.",
  ]));
}

function reproducibility(a: BundledAnalysis, out: Block[]): void {
  out.push(heading("Reproducibility", 2));
  const e = a.environment;
  out.push(md(
    "`npx -y deno@2.9.6 task analyze` on a fresh clone regenerates every file under `reports/` " +
      "byte for byte (a test clones the repository and checks it); it fetches the pinned " +
      "sysroot itself and prints a progress line per stage.",
  ));
  const rows: Cell[][] = [
    ["zkabi", "the commit that carries this report (`git log -1 reports/findings.md`)"],
    ["input digest (sha256 over data/, guests/bin/, guests/manifest.json)", code(e.inputDigest)],
    ["Deno / V8 / TypeScript", `${e.deno} / ${e.v8} / ${e.typescript}`],
    ["study data", "developeruche/stateless-block-exec commit 5d830c7d (data/study/)"],
    ...e.sysroot.packages.map((p) => [
      `sysroot package ${p.name}`,
      `${p.version}, sha256 ${code(p.sha256.slice(0, 16))} (Debian ${e.sysroot.suite})`,
    ]),
    [
      "real clients",
      !a.real.included
        ? "not included"
        : `recorded in \`${a.real.file}\`${
          a.real.measuredBy
            ? ` by zkabi commit ${code(a.real.measuredBy.commit.slice(0, 12))}${
              a.real.measuredBy.dirty ? " (with uncommitted changes to its code)" : ""
            }, Deno ${a.real.measuredBy.deno}`
            : ""
        }`,
    ],
    ...a.real.binaries.map((
      b,
    ) => [`binary ${b.id}`, `sha256 ${code(b.sha256)}, ${int(b.size)} bytes`]),
  ];
  out.push(mdTableBlock(["item", "value"], rows));
  out.push(md(
    "Guest binaries (the stand-ins from `guests/manifest.json`, built reproducibly by `deno " +
      "task guests`; the real clients with Go 1.24 from go-ethereum's sources, " +
      "guests/geth/README.md):",
  ));
  out.push(mdTableBlock(
    ["guest", "sha256", "size", "toolchain"],
    a.guests.map((g) => [
      g.guest.label,
      code(g.binary.sha256),
      g.binary.size,
      g.binary.toolchain ??
        (g.guest.kind === "real" ? "Go 1.24 (Debian trixie), static, -trimpath" : "-"),
    ]),
  ));
}

function references(out: Block[]): void {
  out.push(heading("References", 2));
  out.push(list(REFERENCES.map((r) => `[${r.key}] ${r.text}`)));
}

// ---------------------------------------------------------------- appendix

function appendix(a: BundledAnalysis, out: Block[]): void {
  out.push(heading("Appendix", 2));
  out.push(heading("A. Syscalls per guest", 3));
  for (const g of a.guests) {
    out.push(heading(`${g.guest.label} (${code(g.guest.id)})`, 4));
    out.push(md(
      `${g.guest.description}. Exit status ${g.run.status}; ${int(g.run.instret)} instructions; ` +
        `${int(g.profile.total)} syscalls (${
          int(g.profile.errors)
        } returned an error); ${g.run.threads} thread(s), ${
          int(g.run.contextSwitches)
        } context switches, ${
          int(g.run.signalsDelivered)
        } signals delivered. Phases by the main rule; the last column by the study's rule.`,
    ));
    out.push(mdTableBlock(
      [
        "syscall",
        "category",
        "what it does",
        "calls",
        "errors",
        ...PHASES.map((p) => PHASE_LABELS[p]),
        "application (study)",
      ],
      Object.entries(g.profile.syscalls).sort((x, y) =>
        CATEGORIES.indexOf(x[1].category) - CATEGORIES.indexOf(y[1].category) ||
        y[1].count - x[1].count || (x[0] < y[0] ? -1 : 1)
      ).map(([name, r]) => [
        code(name),
        CATEGORY_LABELS[r.category],
        describeSyscall(name),
        r.count,
        r.errors,
        ...PHASES.map((p) => r.phases[p]),
        g.studyProfile.syscalls[name]?.phases.app ?? 0,
      ]),
    ));
  }
  out.push(heading("B. Stub trials", 3));
  for (const r of a.readiness.filter((x) => x.trials.length > 0)) {
    out.push(heading(label(a, r.binary), 4));
    out.push(mdTableBlock(
      [
        "syscall",
        "result",
        "outcome",
        "side effects",
        "threads",
        "signals",
        "switches",
        "syscalls",
        "instructions",
      ],
      r.trials.map((t) => [
        code(t.syscall),
        t.result,
        t.outcome.ok ? "identical output" : t.outcome.text,
        t.sideEffects ? "yes" : "",
        signed(t.effects.threads),
        signed(t.effects.signals),
        signed(t.effects.switches),
        signed(t.effects.syscalls),
        signed(t.effects.instret),
      ]),
    ));
  }
  out.push(heading("C. The study's published tables vs its raw logs vs zkabi", 3));
  out.push(md(
    `The study (${STUDY_SOURCE}) published application-phase counts under its rule (from the ` +
      "first write to stdout). Its raw logs imported with the same rule, and the closest zkabi " +
      "guests under the same rule:",
  ));
  const pairs: [string, string, string][] = [
    ["reth-stateless (Rust)", "reth_stateless_strace.log", "rust-dynamic"],
    ["geth t8n (Go)", "geth_t8n_strace.log", "geth-evm"],
  ];
  for (const [program, logName, id] of pairs) {
    const t = STUDY_TABLES.find((x) => x.program === program)!;
    const log = a.studyLogs.find((l) => l.path.endsWith(logName));
    const g = guest(a, id) ?? guest(a, id === "geth-evm" ? "go-t8n" : id);
    const names = [
      ...new Set([...Object.keys(t.counts), ...Object.keys(log?.profile.syscalls ?? {})]),
    ]
      .filter((n) =>
        (t.counts[n] ?? 0) > 0 ||
        (log &&
          (log.profile.syscalls[n]?.phases.app ?? 0) + (log.profile.syscalls[n]?.phases.exit ?? 0) >
            0)
      ).sort();
    out.push(heading(program, 4));
    out.push(mdTableBlock(
      [
        "syscall",
        "published (application)",
        "study log (application + exit)",
        "study log, whole run",
        `${g?.guest.label ?? id} (application + exit, study's rule)`,
      ],
      names.map((n) => {
        const lr = log?.profile.syscalls[n];
        const gr = g?.studyProfile.syscalls[n];
        return [
          code(n),
          t.counts[n] ?? 0,
          lr ? lr.phases.app + lr.phases.exit : 0,
          lr?.count ?? 0,
          gr ? gr.phases.app + gr.phases.exit : 0,
        ];
      }),
    ));
  }
  out.push(md(
    "The published geth table does not match the raw log's application phase under the stated " +
      "rule (geth writes to stderr only near its end); its counts are closer to the whole trace.",
  ));
  out.push(heading("D. Comparisons", 3));
  for (const c of a.comparisons) {
    out.push(heading(c.title, 4));
    const cmp = c.comparison;
    out.push(mdTableBlock(
      ["syscall", "category", ...cmp.labels.map((l, i) => (i === 0 ? l : `${l} (Δ)`))],
      [
        ...cmp.categories.filter((r) => r.counts.some((n) => n > 0)).map((r) => [
          `**${CATEGORY_LABELS[r.category]}**`,
          "",
          ...r.counts.map((n, i) => (i === 0 ? int(n) : `${int(n)} (${signed(r.deltas[i])})`)),
        ]),
        [
          "**total**",
          "",
          ...cmp.total.counts.map((
            n,
            i,
          ) => (i === 0 ? int(n) : `${int(n)} (${signed(cmp.total.deltas[i])})`)),
        ],
        ...cmp.syscalls.map((r) => [
          code(r.key),
          CATEGORY_LABELS[r.category],
          ...r.counts.map((n, i) => (i === 0 ? int(n) : `${int(n)} (${signed(r.deltas[i])})`)),
        ]),
      ],
    ));
  }
  out.push(heading("E. Other VMs, per cell", 3));
  out.push(mdTableBlock(
    [
      "guest",
      "VM",
      "outcome",
      "first blocker",
      "used, stubbed by the VM",
      "used, missing",
      "of those, need a real implementation",
    ],
    a.vms.cells.map((c) => [
      label(a, c.guest),
      c.vm,
      c.outcome.ok ? "runs, identical output" : c.outcome.text,
      c.firstBlocker
        ? `${code(c.firstBlocker.syscall)} (${PHASE_LABELS[c.firstBlocker.phase]})`
        : "-",
      codes(c.stubbedByVm),
      codes(c.missing),
      codes(c.needImplementation),
    ]),
  ));
  out.push(heading("F. In-guest kernel costs per guest and cause", 3));
  for (const k of a.kernelCosts) {
    out.push(heading(label(a, k.guest), 4));
    out.push(mdTableBlock(
      [
        "cause",
        "episodes",
        "kernel instructions",
        "min",
        "median",
        "max",
        "share of the proof",
        "share of the kernel",
      ],
      k.rows.map((r) => [
        code(r.name),
        r.count,
        r.total,
        r.min,
        r.median,
        r.max,
        pct(r.shareOfRun, 1),
        pct(r.shareOfKernel, 1),
      ]),
    ));
    const en = Object.entries(k.enosys);
    if (en.length > 0) {
      out.push(md(`Answered with -ENOSYS: ${en.map(([n, c]) => `${code(n)} ${c}`).join(", ")}.`));
    }
  }
  out.push(heading("G. Imported traces", 3));
  out.push(mdTableBlock(
    [
      "trace",
      "format",
      "syscalls",
      "distinct",
      "threads",
      "signals",
      ...PHASES.map((p) => PHASE_LABELS[p]),
      "unreadable lines",
    ],
    [...a.qemuLogs, ...a.studyLogs].map((l) => [
      code(l.path),
      l.format,
      l.profile.total,
      Object.keys(l.profile.syscalls).length,
      Object.keys(l.profile.threads).length,
      Object.values(l.profile.signals).reduce((s, n) => s + n, 0),
      ...PHASES.map((p) => l.profile.phases[p]),
      l.malformed.length === 0 ? "none" : l.malformed.map((m) => m.line).join(", "),
    ]),
  ));
  out.push(md(
    "qemu-user prints the process id on every line, so its logs cannot tell threads apart; " +
      "strace -f logs can. Imported logs have no pcs: their loader phase ends at the munmap of " +
      "the ld.so.cache mapping (glibc's loader's last act); their application phase follows " +
      "the study's rule.",
  ));
  const pc = a.precompile;
  if (pc) {
    out.push(heading("H. The keccak precompile", 3));
    out.push(md(
      `The static Rust stand-in with keccak-f[1600] through the precompile ECALL: ${
        int(pc.saved)
      } instructions saved (${pct(pc.saved, pc.plain.instret)}) with ${
        int(Object.values(pc.calls).reduce((s, n) => s + n, 0))
      } precompile calls, output ${pc.sameOutput ? "identical" : "different"}.`,
    ));
  }
}
