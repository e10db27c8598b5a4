/**
 * The findings report: turns a {@linkcode BundledAnalysis} into
 * `findings.md`, SVG figures and JSON data. Pure text generation from the
 * analysis data (no clock, no host facts), so the same analysis always
 * gives the same bytes.
 * @module
 */

import { join } from "node:path";
import { PRECOMPILE_BASE, PRECOMPILE_END, PRECOMPILE_NAMES } from "../abi/precompiles.ts";
import type { BundledAnalysis, GuestAnalysis, RunSummary } from "../analysis/bundled.ts";
import { CATEGORIES, CATEGORY_LABELS, describeSyscall } from "../analysis/categories.ts";
import type { Comparison } from "../analysis/compare.ts";
import { classShares } from "../analysis/costs.ts";
import type { BinaryReadiness } from "../analysis/readiness.ts";
import { STUDY_SOURCE, STUDY_TABLES } from "../analysis/study.ts";
import { CODE_CLASSES, type CodeClass } from "../analysis/symbols.ts";
import { PHASE_LABELS, PHASES, type SyscallProfile } from "../analysis/syscall_profile.ts";
import { builtinProfile, profileToJson } from "../dispatch/profile.ts";
import { matrix, type MatrixCell, stackedBars } from "../render/svg.ts";

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

/** A markdown table. */
export function table(head: string[], rows: (string | number)[][]): string {
  const esc = (c: string | number) => String(c).replace(/\|/g, "\\|").replace(/\n/g, " ");
  const out = [`| ${head.map(esc).join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`];
  for (const r of rows) out.push(`| ${r.map(esc).join(" | ")} |`);
  return out.join("\n") + "\n";
}

function signed(n: number): string {
  return n > 0 ? `+${int(n)}` : n < 0 ? `-${int(-n)}` : "0";
}

const CLASS_LABELS: Record<CodeClass, string> = {
  app: "application",
  stdlib: "standard library",
  runtime: "language runtime",
  libc: "C library / loader",
  unknown: "unknown",
};

/** Files of the report: path (relative to the report folder) → text. */
export type ReportFiles = Map<string, string>;

/** Renders every report file from the analysis. */
export function renderReport(a: BundledAnalysis): ReportFiles {
  const files: ReportFiles = new Map();
  files.set("figures/syscalls_by_category.svg", categoryFigure(a));
  files.set("figures/syscalls_by_phase.svg", phaseFigure(a));
  files.set("figures/readiness_matrix.svg", readinessFigure(a));
  files.set("figures/vm_matrix.svg", vmFigure(a));
  files.set("figures/instruction_breakdown.svg", instructionFigure(a));
  files.set("data/guests.json", json(a.guests));
  files.set("data/readiness.json", json(a.readiness));
  files.set("data/vm_matrix.json", json(a.vms));
  files.set("data/go_experiments.json", json(a.goExperiments ?? []));
  files.set("data/futex.json", json(a.futex));
  files.set("data/precompile.json", json(a.precompile ?? null));
  files.set("data/imports.json", json({ qemu: a.qemuLogs, study: a.studyLogs }));
  files.set("data/comparisons.json", json(a.comparisons));
  for (const r of a.readiness) {
    if (r.trials.length > 0) {
      files.set(`data/profiles/${r.binary}.minimal.json`, json(r.minimal.profile));
    }
  }
  files.set("findings.md", findings(a));
  return files;
}

/**
 * Reads an analysis back from a report's `data/` folder (everything but
 * wall times), so the report can be rendered again without running guests.
 */
export function readAnalysis(dir: string): BundledAnalysis {
  const r = (f: string) => JSON.parse(Deno.readTextFileSync(join(dir, "data", f)));
  const imports = r("imports.json");
  const go = r("go_experiments.json");
  return {
    guests: r("guests.json"),
    readiness: r("readiness.json"),
    vms: r("vm_matrix.json"),
    goExperiments: go.length > 0 ? go : undefined,
    futex: r("futex.json"),
    precompile: r("precompile.json") ?? undefined,
    qemuLogs: imports.qemu,
    studyLogs: imports.study,
    comparisons: r("comparisons.json"),
    wall: {},
  };
}

/** Writes the files under `dir` (creating folders). */
export function writeReportFiles(dir: string, files: ReportFiles): void {
  for (const [rel, text] of files) {
    const path = join(dir, rel);
    Deno.mkdirSync(join(path, ".."), { recursive: true });
    Deno.writeTextFileSync(path, text);
  }
}

function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + "\n";
}

// ---------------------------------------------------------------- figures

function categoryFigure(a: BundledAnalysis): string {
  const profiles: SyscallProfile[] = [
    ...a.guests.map((g) => g.profile),
    ...a.qemuLogs.map((l) => l.profile),
    ...a.studyLogs.map((l) => l.profile),
  ];
  return stackedBars({
    title: "Syscalls by category (whole run)",
    series: CATEGORIES.map((c) => CATEGORY_LABELS[c]),
    bars: profiles.map((p) => ({
      label: p.source === "zkabi" ? `${p.label} (zkabi)` : p.label,
      values: CATEGORIES.map((c) => p.categories[c]),
    })),
    percent: true,
    unit: "calls",
    formatTotal: int,
  });
}

function phaseFigure(a: BundledAnalysis): string {
  return stackedBars({
    title: "Syscalls by phase (zkabi)",
    series: PHASES.map((p) => PHASE_LABELS[p]),
    bars: a.guests.map((g) => ({
      label: g.guest.id,
      values: PHASES.map((p) => g.profile.phases[p]),
    })),
    unit: "calls",
    formatTotal: int,
  });
}

function readinessFigure(a: BundledAnalysis): string {
  const cols = ["basic", "advanced", "full", "minimal"];
  const cells: MatrixCell[][] = a.readiness.map((r) =>
    cols.map((c) => {
      if (c === "minimal") {
        return {
          text: r.minimal.outcome.ok
            ? `runs: ${Object.keys(r.minimal.profile.syscalls as object).length} syscalls`
            : r.minimal.outcome.text,
          level: r.trials.length === 0 ? "none" : r.minimal.outcome.ok ? "ok" : "fail",
        };
      }
      const p = r.profiles.find((x) => x.profile === c);
      if (!p) return { text: "-", level: "none" };
      if (p.outcome.ok) return { text: "runs", level: "ok" };
      if (p.withStubs?.ok) {
        return { text: `runs + ${p.stubbable.length} stubs`, level: "partial" };
      }
      const why = p.firstBlocker ? `stops: ${p.firstBlocker.syscall}` : p.outcome.text;
      return { text: why, level: "fail", detail: p.outcome.text };
    })
  );
  return matrix("Tier readiness (by running)", a.readiness.map((r) => r.binary), cols, cells);
}

function vmFigure(a: BundledAnalysis): string {
  const vmNames = [...new Set(a.vms.cells.map((c) => c.vm))];
  const guests = [...new Set(a.vms.cells.map((c) => c.guest))];
  const cells: MatrixCell[][] = guests.map((g) =>
    vmNames.map((v) => {
      const c = a.vms.cells.find((x) => x.guest === g && x.vm === v)!;
      if (c.outcome.ok) return { text: "runs", level: "ok" };
      const text = c.firstBlocker ? `stops: ${c.firstBlocker.syscall}` : c.outcome.text;
      return { text, level: "fail", detail: c.outcome.text };
    })
  );
  return matrix("Other VMs' Linux emulation (by running)", guests, vmNames, cells);
}

function instructionFigure(a: BundledAnalysis): string {
  const withClasses = a.guests.filter((g) => g.costs.classes);
  return stackedBars({
    title: "Where the instructions go (pc samples)",
    series: CODE_CLASSES.map((c) => CLASS_LABELS[c]),
    bars: withClasses.map((g) => ({
      label: g.guest.id,
      values: CODE_CLASSES.map((c) => g.costs.classes![c]),
    })),
    percent: true,
    unit: "instructions",
    formatTotal: int,
  });
}

// ---------------------------------------------------------------- text

function findings(a: BundledAnalysis): string {
  const out: string[] = [];
  const h = (level: number, text: string) => out.push(`${"#".repeat(level)} ${text}\n`);
  const p = (text: string) => out.push(`${text.replace(/\n+$/, "")}\n`);
  h(1, "zkabi findings: the Linux ABI of real Rust and Go programs on riscv64");
  p(
    "Generated by `deno task analyze` (`lib/analysis/`, `lib/report/`). Every number in this report " +
      "comes from runs of the committed guests under zkabi, from the committed qemu-user traces, or " +
      "from the study's raw traces; nothing is typed in by hand except the study's published tables, " +
      "which are quoted as such. Data: `reports/data/`; figures: `reports/figures/`.",
  );
  summary(a, h, p);
  method(a, h, p);
  perBinary(a, h, p);
  comparisons(a, h, p);
  tiers(h, p);
  readinessSection(a, h, p);
  dispatcher(h, p);
  futexSection(a, h, p);
  goSection(a, h, p);
  costsSection(a, h, p);
  memorySection(a, h, p);
  vmSection(a, h, p);
  importsSection(a, h, p);
  recommendations(a, h, p);
  limits(a, h, p);
  return out.join("\n");
}

type H = (level: number, text: string) => void;
type P = (text: string) => void;

function guest(a: BundledAnalysis, id: string): GuestAnalysis | undefined {
  return a.guests.find((g) => g.guest.id === id);
}

function readinessOf(a: BundledAnalysis, id: string): BinaryReadiness | undefined {
  return a.readiness.find((r) => r.binary === id);
}

function summary(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Summary");
  const rows = a.guests.map((g) => {
    const r = readinessOf(a, g.guest.id);
    return [
      g.guest.label,
      int(g.run.instret),
      int(g.profile.total),
      Object.keys(g.profile.syscalls).length,
      int(g.run.threads),
      r?.smallest ?? "-",
      r && r.trials.length > 0
        ? `${r.used.filter((s) => !isStub(r, s)).length} emulated + ${
          r.used.filter((s) => isStub(r, s)).length
        } stubbed`
        : "-",
    ];
  });
  p(table([
    "guest",
    "instructions",
    "syscalls",
    "distinct",
    "threads",
    "smallest tier that runs it",
    "minimal profile",
  ], rows));
  const bullets: string[] = [];
  const rs = guest(a, "rust-static");
  const go = guest(a, "go-t8n");
  if (rs && go) {
    bullets.push(
      `The Go guest issues ${int(go.profile.total)} syscalls (${
        Object.keys(go.profile.syscalls).length
      } distinct) against ${int(rs.profile.total)} (${
        Object.keys(rs.profile.syscalls).length
      } distinct) for the static Rust guest; ${
        pct(go.profile.categories.thread + go.profile.categories.signal, go.profile.total)
      } of Go's calls are threads/sync and signals, ${
        pct(rs.profile.categories.thread + rs.profile.categories.signal, rs.profile.total)
      } of Rust's.`,
    );
    bullets.push(
      `Under the study's phase rule (application = from the first write to stdout/stderr) the Go ` +
        `guest's application phase holds ${int(go.profile.phases.app)} call(s): t8n writes its ` +
        `result only at the end, so ${pct(go.costs.phases.startup, go.costs.instret)} of its ` +
        `instructions fall in "start-up". The Rust guest prints first and computes after: ` +
        `${pct(rs.costs.phases.app, rs.costs.instret)} of its instructions are application phase.`,
    );
  }
  for (const r of a.readiness) {
    const basic = r.profiles.find((x) => x.profile === "basic");
    if (basic && !basic.outcome.ok && basic.firstBlocker) {
      bullets.push(
        `${r.binary} under basic: stops at \`${basic.firstBlocker.syscall}\` (${
          PHASE_LABELS[basic.firstBlocker.phase]
        }); ${basic.outside.length} syscalls it uses are outside basic, ${basic.stubbable.length} of them stubbable` +
          (basic.mustImplement.length > 0
            ? `, must implement: ${basic.mustImplement.map((s) => `\`${s}\``).join(", ")}`
            : "") +
          `. Smallest tier: **${r.smallest}**.`,
      );
    }
  }
  for (const g of a.guests) {
    if (!g.costs.classes || !g.costs.topFunctions) continue;
    const s = classShares(g.costs.classes);
    const parts = CODE_CLASSES.filter((c) => s[c] >= 0.1).map((c) =>
      `${s[c].toFixed(1)}% ${CLASS_LABELS[c]}`
    );
    const top = g.costs.topFunctions.slice(0, 3).map((f) =>
      `\`${f.name}\` ${pct(f.instructions, g.costs.instret)}`
    );
    bullets.push(
      `Instructions of ${g.guest.id} (pc samples): ${parts.join(", ")}; hottest: ${
        top.join(", ")
      }.`,
    );
  }
  if (a.precompile) {
    const pc = a.precompile;
    bullets.push(
      `The keccak-f precompile saves ${int(pc.saved)} instructions (${
        pct(pc.saved, pc.plain.instret)
      }) on the Rust guest with ${
        int(Object.values(pc.calls).reduce((s, n) => s + n, 0))
      } precompile calls, output ${pc.sameOutput ? "identical" : "DIFFERENT"}.`,
    );
  }
  for (const f of a.futex) {
    bullets.push(
      `Futex hand-off scheduling on ${f.guest}: ${signed(f.handoff.instret - f.rr.instret)} ` +
        `instructions, ${signed(f.handoff.contextSwitches - f.rr.contextSwitches)} context ` +
        `switches vs round-robin (output ${f.sameOutput ? "identical" : "different"}).`,
    );
  }
  if (go) {
    const m = go.run.memory;
    bullets.push(
      `Memory: the Go runtime maps ${bytes(m.mmapBytes)} (${
        bytes(m.mmapReservedBytes)
      } of it PROT_NONE reservations) and touches at most ${bytes(m.peakTouchedBytes)}; ` +
        `it never calls brk.` +
        (rs
          ? ` The static Rust guest grows its heap with brk by ${
            bytes((rs.run.memory.brkMax ?? 0) - (rs.run.memory.brkStart ?? 0))
          } and touches at most ${bytes(rs.run.memory.peakTouchedBytes)}.`
          : ""),
    );
  }
  const vmOk = a.vms.cells.filter((c) => c.outcome.ok).length;
  bullets.push(
    `Other VMs: ${vmOk} of ${a.vms.cells.length} guest/VM combinations run correctly under the ` +
      `documented Linux emulation of MT-Cannon, Asterisc and Ziren (with and without host file input).`,
  );
  p(bullets.map((b) => `- ${b}`).join("\n"));
}

function isStub(r: BinaryReadiness, s: string): boolean {
  const v = (r.minimal.profile.syscalls as Record<string, unknown>)[s];
  return typeof v === "object";
}

function method(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Method");
  p(
    "zkabi runs each guest deterministically: an RV64GC interpreter with an emulated Linux " +
      "process (4 CPUs reported, seed 0, virtual clock at 1e9 instructions per second, " +
      "round-robin threads with a 100,000-instruction quantum unless stated). Every ECALL goes " +
      "through the dispatcher, which records one event per syscall (name, arguments, result, " +
      "thread, instruction count, phase). The tables below are counted from those events " +
      "(`lib/analysis/syscall_profile.ts`).",
  );
  p(
    "- **Phases** (the study's rule): *loader* while the pc is inside the dynamic loader; " +
      "*runtime start-up* until the first write to fd 1 or 2; *application* after it; `exit` and " +
      "`exit_group` are the *exit* phase. Imported logs have no pcs: their loader phase ends at the " +
      "`munmap` of the ld.so.cache mapping (glibc's loader's last act), or after the last " +
      "shared-object `close` plus the loader's closing set_tid_address/set_robust_list/rseq/" +
      "mprotect/prlimit64/munmap run; strace's `execve` line counts as loader.\n" +
      "- **Categories**: every riscv64 syscall maps to one of " +
      CATEGORIES.map((c) => `*${CATEGORY_LABELS[c]}*`).join(", ") +
      " (the syscall registry `lib/kernel/syscalls.ts`, with a one-line description per syscall).\n" +
      "- **Readiness is found by running**: each guest runs under each tier; then, for every " +
      "syscall it uses, a *stub trial* runs it under `full` with only that syscall answered by a " +
      "fixed result (0, then -ENOSYS) and checks that stdout, stderr and exit status stay " +
      "identical and that no syscall the reference never made appears (a fallback path moves the " +
      "need, it does not remove it). Trials stop at the first output byte that differs and are " +
      "capped at 1.25x the reference's instructions + 5 M and at 10x its ECALLs + 10,000 " +
      "(livelocks fail). A tier plus its " +
      "stubbable extras is then verified by one more run, and a *minimal profile* (emulate what " +
      "must be implemented, stub the rest) is verified too.\n" +
      `- **Costs**: the pc is sampled every ${
        a.guests[0]?.costs.interval ?? 0
      } instructions (the engine is called in slices; the run is unchanged) and ` +
      "attributed to functions: Go's own function table (`.gopclntab`, kept in stripped Go " +
      "binaries), and for the stripped Rust binaries the `.symtab` of their unstripped builds, " +
      "committed as symbol maps under `lib/analysis/symbol_maps/` and used only when their loaded " +
      "image matches the committed binary byte for byte.\n" +
      "- **Imported traces** (`importTrace`): real strace text (with or without `-f` pid " +
      "prefixes, unfinished/resumed pairs joined) and `qemu-riscv64 -strace` logs; unreadable " +
      "lines are listed with their line numbers and skipped.",
  );
}

/** The per-syscall table of a profile (markdown). */
export function syscallTable(prof: SyscallProfile): string {
  const names = Object.keys(prof.syscalls).sort((x, y) =>
    CATEGORIES.indexOf(prof.syscalls[x].category) - CATEGORIES.indexOf(prof.syscalls[y].category) ||
    prof.syscalls[y].count - prof.syscalls[x].count || (x < y ? -1 : 1)
  );
  return table(
    [
      "syscall",
      "category",
      "description",
      "calls",
      "errors",
      ...PHASES.map((x) => PHASE_LABELS[x]),
    ],
    names.map((n) => {
      const r = prof.syscalls[n];
      return [
        `\`${n}\``,
        CATEGORY_LABELS[r.category],
        describeSyscall(n),
        int(r.count),
        int(r.errors),
        ...PHASES.map((x) => int(r.phases[x])),
      ];
    }),
  );
}

function perBinary(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Syscalls per binary");
  p("![Syscalls by category](figures/syscalls_by_category.svg)\n");
  p("![Syscalls by phase](figures/syscalls_by_phase.svg)\n");
  for (const g of a.guests) {
    h(3, `${g.guest.label} (\`${g.guest.program}\`)`);
    p(
      `${g.guest.description}. Exit status ${g.run.status}; ${int(g.run.instret)} instructions; ` +
        `${int(g.profile.total)} syscalls (${int(g.profile.errors)} returned an error); ` +
        `${g.run.threads} thread(s), ${int(g.run.contextSwitches)} context switches, ` +
        `${int(g.run.signalsDelivered)} signals delivered` +
        (Object.keys(g.profile.signals).length > 0
          ? ` (${Object.entries(g.profile.signals).map(([k, v]) => `${k} ${v}`).join(", ")})`
          : "") +
        (Object.keys(g.profile.precompiles).length > 0
          ? `; precompile calls: ${
            Object.entries(g.profile.precompiles).map(([k, v]) => `${k} ${int(v)}`).join(", ")
          }`
          : "") +
        ".",
    );
    p(syscallTable(g.profile));
    p(table(
      ["category", "calls", "share"],
      CATEGORIES.filter((c) => g.profile.categories[c] > 0).map((c) => [
        CATEGORY_LABELS[c],
        int(g.profile.categories[c]),
        pct(g.profile.categories[c], g.profile.total),
      ]),
    ));
    if (Object.keys(g.profile.threads).length > 1) {
      p(
        "Calls per thread: " +
          Object.entries(g.profile.threads).map(([t, n]) => `thread ${t}: ${int(n)}`).join(", ") +
          ".",
      );
    }
  }
}

/** A comparison as a markdown table (categories, total, then syscalls). */
export function comparisonTable(c: Comparison): string {
  const head = ["syscall", "category", ...c.labels.map((l, i) => (i === 0 ? l : `${l} (Δ)`))];
  const cell = (r: { counts: number[]; deltas: number[] }, i: number) =>
    i === 0 ? int(r.counts[0]) : `${int(r.counts[i])} (${signed(r.deltas[i])})`;
  const rows = [
    ...c.categories.map((r) => [
      `**${CATEGORY_LABELS[r.category]}**`,
      "",
      ...c.labels.map((_, i) => cell(r, i)),
    ]),
    ["**total**", "", ...c.labels.map((_, i) => cell(c.total, i))],
    ...c.syscalls.map((r) => [
      `\`${r.key}\``,
      CATEGORY_LABELS[r.category],
      ...c.labels.map((_, i) => cell(r, i)),
    ]),
  ];
  return table(head, rows);
}

function comparisons(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Comparisons");
  p(
    "Columns after the first show the count and, in parentheses, the difference from the first " +
      "column. Category totals come first, then every syscall.",
  );
  for (const c of a.comparisons) {
    h(3, c.title);
    p(comparisonTable(c.comparison));
  }
  h(3, "The study's published tables vs its raw logs vs zkabi");
  p(
    `The study (${STUDY_SOURCE}) published application-phase counts. Importing its raw logs with ` +
      "the same rule gives the counts below; the zkabi column is the application phase of the " +
      "closest bundled guest (a smaller fixture, so absolute counts differ).",
  );
  const pairs: [number, string, string][] = [[0, "reth_stateless", "rust-dynamic"], [
    1,
    "geth_t8n",
    "go-t8n",
  ]];
  for (const [i, logName, guestId] of pairs) {
    const st = STUDY_TABLES[i];
    const log = a.studyLogs.find((l) => l.path.includes(logName));
    const g = guest(a, guestId);
    const names = new Set<string>(Object.keys(st.counts));
    if (log) {
      for (const [n, r] of Object.entries(log.profile.syscalls)) {
        if (r.phases.app + r.phases.exit > 0) names.add(n);
      }
    }
    if (g) {
      for (const [n, r] of Object.entries(g.profile.syscalls)) if (r.phases.app > 0) names.add(n);
    }
    const head = ["syscall", "published (app phase)"];
    if (log) head.push("study log imported (app + exit)", "study log, whole run");
    if (g) head.push(`zkabi ${guestId} (app + exit)`);
    const rows = [...names].sort().map((n) => {
      const r: string[] = [`\`${n}\``, String(st.counts[n] ?? 0)];
      if (log) {
        const row = log.profile.syscalls[n];
        r.push(int(row ? row.phases.app + row.phases.exit : 0));
        r.push(int(log.profile.syscalls[n]?.count ?? 0));
      }
      const gr = g?.profile.syscalls[n];
      if (g) r.push(int(gr ? gr.phases.app + gr.phases.exit : 0));
      return r;
    });
    h(4, st.program);
    p(table(head, rows));
    if (st.notes.length > 0) p(`Published observations: ${st.notes.join("; ")}.`);
    if (!log) p("(The study's raw log was not present on this machine; its columns are omitted.)");
  }
  p(
    "The published geth table does not match the raw geth log's application phase under the " +
      "stated rule (geth logs INFO lines to stderr only near the end, so that phase is short); " +
      "its counts are closer to the whole trace's. zkabi's own numbers are reported as measured.",
  );
}

function tiers(h: H, p: P): void {
  h(2, "Tier definitions");
  p(
    "Tiers are profiles (`lib/dispatch/profiles/*.json`): per syscall *emulate*, *stub* (fixed " +
      "result) or *deny*, plus a policy for unlisted syscalls (*stop* with a diagnostic, or " +
      "-ENOSYS).",
  );
  for (const name of ["basic", "advanced", "full"]) {
    const prof = builtinProfile(name);
    const j = profileToJson(prof);
    const list = Object.keys(j.syscalls as object);
    p(
      `- **${name}**: ${prof.description} Unlisted: ${prof.unlisted}. ` +
        (prof.emulateAll
          ? "Emulates everything zkabi implements."
          : `${list.length} syscalls: ${list.map((s) => `\`${s}\``).join(", ")}.`),
    );
  }
}

function readinessSection(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Tier readiness (by running)");
  p("![Readiness matrix](figures/readiness_matrix.svg)\n");
  const rows: string[][] = [];
  for (const r of a.readiness) {
    for (const pr of r.profiles) {
      rows.push([
        r.binary,
        pr.profile,
        pr.outcome.ok ? "runs, identical output" : pr.outcome.text,
        pr.firstBlocker
          ? `\`${pr.firstBlocker.syscall}\` (${PHASE_LABELS[pr.firstBlocker.phase]})`
          : "-",
        pr.outside.map((o) => `\`${o.syscall}\``).join(", ") || "-",
        pr.stubbable.map((s) => `\`${s.syscall}\`=${s.result}`).join(", ") || "-",
        pr.mustImplement.map((s) => `\`${s}\``).join(", ") || "-",
        pr.withStubs ? (pr.withStubs.ok ? "runs" : pr.withStubs.text) : "-",
      ]);
    }
  }
  p(table([
    "guest",
    "profile",
    "as is",
    "first blocker",
    "used but outside",
    "stubbable (result)",
    "must implement",
    "with the stubs added",
  ], rows));
  p(table(
    ["guest", "smallest tier", "minimal profile", "minimal profile run"],
    a.readiness.map((r) => [
      r.binary,
      r.smallest,
      r.trials.length > 0
        ? `\`data/profiles/${r.binary}.minimal.json\` (${
          r.used.filter((s) => !isStub(r, s)).length
        } emulated, ${r.used.filter((s) => isStub(r, s)).length} stubbed)`
        : "-",
      r.minimal.outcome.ok ? "runs, identical output" : r.minimal.outcome.text,
    ]),
  ));
  h(3, "Stub trials");
  p(
    "Each row: the guest under `full` with only this syscall answered by the fixed result. " +
      "*ok* means identical stdout, stderr and status and no new syscalls.",
  );
  for (const r of a.readiness) {
    if (r.trials.length === 0) continue;
    h(4, r.binary);
    p(table(
      ["syscall", "result", "outcome", "instructions"],
      r.trials.map((t) => [
        `\`${t.syscall}\``,
        t.result === -38 ? "-ENOSYS" : String(t.result),
        t.outcome.ok ? "ok" : t.outcome.text,
        int(t.outcome.instret),
      ]),
    ));
  }
}

function dispatcher(h: H, p: P): void {
  h(2, "The ECALL dispatcher");
  p(
    "Every ECALL is routed by `lib/dispatch/dispatcher.ts`, in this order:\n\n" +
      `1. \`a7\` in [0x${PRECOMPILE_BASE.toString(16)}, 0x${
        PRECOMPILE_END.toString(16)
      }): a zk precompile (${
        [...PRECOMPILE_NAMES].map(([n, name]) => `0x${n.toString(16)} \`${name}\``).join(", ")
      }); arguments in a0..a5, a0 returns 0 or -EFAULT. Linux's riscv64 numbers are below 1024, ` +
      "so this range cannot collide with them (unlike `a7 = 0`, which some zkVM drafts use to " +
      "halt and which is `io_setup` on Linux).\n" +
      "2. `a7` a Linux riscv64 syscall number: the profile's action for its name: *emulate* " +
      "(the kernel's handler), *stub* (the fixed result in a0), *deny* (stop with a diagnostic " +
      "naming the syscall, thread, pc, function, instruction count and arguments).\n" +
      "3. Anything else (unlisted in the profile, or no such syscall): the profile's `unlisted` " +
      "policy, *stop* or *-ENOSYS*. A syscall the profile emulates but zkabi does not implement " +
      "returns -ENOSYS and is traced as `unimplemented`.\n\n" +
      "Profiles are JSON (`lib/dispatch/profile.ts`): `name`, `description`, `source`, " +
      '`extends` (a built-in tier), `unlisted`, `syscalls` mapping riscv64 names to `"emulate"`, ' +
      '`"deny"`, `"stub"` or `{"action": "stub", "result": N}`. Unknown names and keys are ' +
      "errors. Each event carries its route and phase, so a profile can be checked against a " +
      "trace, and the same data drives `zkabi tiers` and this report's readiness answers.",
  );
}

function runRow(label: string, r: RunSummary, same?: boolean): (string | number)[] {
  return [
    label,
    int(r.instret),
    int(r.threads),
    int(r.contextSwitches),
    int(r.futex.waits),
    int(r.futex.wakes),
    int(r.signalsDelivered),
    int(r.syscalls),
    same === undefined ? "-" : same ? "identical" : "different",
  ];
}

const RUN_HEAD = [
  "run",
  "instructions",
  "threads",
  "switches",
  "futex waits",
  "futex wakes",
  "signals",
  "syscalls",
  "output",
];

function futexSection(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Futex strategies");
  p(
    "`--sched rr` lets a woken thread wait for its turn in the round robin; `--sched handoff` " +
      "switches to the woken thread right after the wake. Instruction counts include the " +
      "spinning the runtimes do before they block. Wall-clock times depend on the host and are " +
      "not part of this report (the analysis prints them and writes them to " +
      "`.cache/analyze-wall.json`).",
  );
  const rows: (string | number)[][] = [];
  for (const f of a.futex) {
    rows.push(runRow(`${f.guest} rr`, f.rr));
    rows.push(runRow(`${f.guest} handoff`, f.handoff, f.sameOutput));
  }
  p(table(RUN_HEAD, rows));
}

const GO_WATCH = [
  "clone",
  "futex",
  "nanosleep",
  "sched_yield",
  "tgkill",
  "rt_sigreturn",
  "rt_sigaction",
  "epoll_pwait",
  "clock_gettime",
  "mmap",
  "madvise",
];

function goSection(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Go runtime experiments");
  const ex = a.goExperiments;
  if (!ex || ex.length === 0) {
    p("(Not run.)");
    return;
  }
  p(table(RUN_HEAD, ex.map((v) => runRow(v.name, v.run, v.sameOutput))));
  p(table(
    ["syscall", ...ex.map((v) => v.name)],
    GO_WATCH.map((s) => [`\`${s}\``, ...ex.map((v) => int(v.profile.syscalls[s]?.count ?? 0))]),
  ));
  const def = ex[0];
  const find = (n: string) => ex.find((v) => v.name.startsWith(n));
  const obs: string[] = [];
  const ap = find("GODEBUG");
  if (ap) {
    const before = def.profile.syscalls.rt_sigreturn?.count ?? 0;
    const after = ap.profile.syscalls.rt_sigreturn?.count ?? 0;
    obs.push(
      `asyncpreemptoff: rt_sigreturn ${int(before)} → ${int(after)} (the study: it disappears) — ` +
        (after === 0 ? "confirmed." : "not confirmed."),
    );
  }
  const gc = find("GOGC");
  if (gc) {
    const before = def.profile.syscalls.sched_yield?.count ?? 0;
    const after = gc.profile.syscalls.sched_yield?.count ?? 0;
    obs.push(
      `GOGC=off: sched_yield ${int(before)} → ${
        int(after)
      } (the study: it appears with GC off) — ` +
        (after > before
          ? "more yields, as in the study."
          : "zkabi does not see more yields; the default run already yields " +
            `${int(before)} time(s) under its deterministic interleaving.`),
    );
  }
  const one = find("one CPU");
  if (one) {
    const c = one.profile.syscalls.clone?.count ?? 0;
    obs.push(
      `One CPU (\`--cpus 1\`, what sched_getaffinity reports): clone ${int(c)} — ` +
        (c > 0 ? "it still clones, as in the study." : "no clone.") +
        ` New syscalls vs the default: ${
          Object.keys(one.profile.syscalls).filter((s) => !def.profile.syscalls[s]).map((s) =>
            `\`${s}\``
          ).join(", ") || "none"
        }.`,
    );
  }
  const mp = find("GOMAXPROCS");
  if (mp) {
    obs.push(
      `GOMAXPROCS=1: ${int(mp.run.threads)} threads (default ${int(def.run.threads)}), ` +
        `${int(mp.run.contextSwitches)} switches (default ${int(def.run.contextSwitches)}).`,
    );
  }
  obs.push(
    `Preemption signals: ${
      int(def.profile.signals.SIGURG ?? 0)
    } SIGURG delivered in the default run. The study's trace came from a 4-core machine where ` +
      "threads really run in parallel and the sysmon thread preempts on wall time; zkabi " +
      "interleaves threads deterministically on one host thread and its virtual clock advances " +
      "with instructions, so counts of time-driven events (SIGURG, nanosleep, futex sleeps) differ " +
      "from the study's; the set of syscalls is the one qemu-user shows for the same binary " +
      "(see Comparisons).",
  );
  p(obs.map((o) => `- ${o}`).join("\n"));
}

function costsSection(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Costs");
  h(3, "Instructions per phase");
  p(
    "Measured at syscall granularity: a phase starts at the instruction count of its first " +
      "syscall.",
  );
  p(table(
    ["guest", "total", ...PHASES.map((x) => PHASE_LABELS[x])],
    a.guests.map((g) => [
      g.guest.id,
      int(g.costs.instret),
      ...PHASES.map((x) =>
        `${int(g.costs.phases[x])} (${pct(g.costs.phases[x], g.costs.instret)})`
      ),
    ]),
  ));
  h(3, "Runtime vs application");
  p("![Instruction breakdown](figures/instruction_breakdown.svg)\n");
  p(table(
    ["guest", "names from", "samples", ...CODE_CLASSES.map((c) => CLASS_LABELS[c])],
    a.guests.map((g) => {
      const s = g.costs.classes ? classShares(g.costs.classes) : undefined;
      return [
        g.guest.id,
        g.costs.origin,
        int(g.costs.samples),
        ...CODE_CLASSES.map((c) => (s ? `${s[c].toFixed(1)}%` : "-")),
      ];
    }),
  ));
  for (const g of a.guests) {
    if (!g.costs.topFunctions) continue;
    h(4, `Hottest functions: ${g.guest.id}`);
    p(table(
      ["function", "class", "instructions (est.)", "share"],
      g.costs.topFunctions.map((f) => [
        `\`${f.name.length > 90 ? f.name.slice(0, 87) + "..." : f.name}\``,
        CLASS_LABELS[f.class],
        int(f.instructions),
        pct(f.instructions, g.costs.instret),
      ]),
    ));
  }
  h(3, "Threads, switches, futexes, signals");
  p(table(
    RUN_HEAD.slice(0, 8),
    a.guests.map((g) => runRow(g.guest.id, g.run).slice(0, 8)),
  ));
}

function memorySection(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Memory model: brk vs mmap");
  p(table(
    [
      "guest",
      "brk calls",
      "brk growth",
      "mmap calls",
      "mmap bytes",
      "of which PROT_NONE",
      "MAP_FIXED",
      "munmap bytes",
      "madvise",
      "mapped at exit",
      "touched at exit",
      "peak touched",
    ],
    a.guests.map((g) => {
      const m = g.run.memory;
      return [
        g.guest.id,
        int(m.brkCalls),
        m.brkStart === null ? "-" : bytes((m.brkMax ?? 0) - m.brkStart),
        int(m.mmapCalls),
        bytes(m.mmapBytes),
        bytes(m.mmapReservedBytes),
        int(m.mmapFixed),
        bytes(m.munmapBytes),
        int(m.madviseCalls),
        bytes(m.mappedBytes),
        bytes(m.touchedBytes),
        bytes(m.peakTouchedBytes),
      ];
    }),
  ));
  const go = guest(a, "go-t8n");
  if (go) {
    const m = go.run.memory;
    p(
      `Go reserves address space in large PROT_NONE mappings and commits parts with MAP_FIXED: ` +
        `${bytes(m.mappedBytes)} mapped at exit against ${bytes(m.peakTouchedBytes)} ever backed ` +
        `(${pct(m.peakTouchedBytes, m.mappedBytes)}). A zkVM must therefore treat mmap as a ` +
        "reservation (lazy, zero-filled pages) rather than an allocation: a VM that backs or " +
        "hashes every mapped page pays for ~" +
        `${int(Math.round(m.mappedBytes / Math.max(1, m.peakTouchedBytes)))}x the memory the ` +
        "program uses. The Rust guests grow the heap with brk (glibc malloc) and mmap only for " +
        "large blocks and the signal stack; their mapped and touched sizes are close.",
    );
  }
}

function vmSection(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Other VMs");
  p(
    "Profiles of the Linux emulation other VMs document (`lib/dispatch/profiles/vms/`), run on " +
      "the same guests. `+files` adds host file input (" +
      "openat, read, close, statx, fstat, newfstatat, lseek emulated), since none of these VMs " +
      "opens files (their inputs come through pre-image oracles), to see what breaks next.",
  );
  for (const v of a.vms.profiles) p(`- **${v.name}**: ${v.description} Source: ${v.source}.`);
  p("\n![Other VMs](figures/vm_matrix.svg)\n");
  const vmNames = [...new Set(a.vms.cells.map((c) => c.vm))];
  p(table(
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
      c.guest,
      c.vm,
      c.outcome.ok ? "runs, identical output" : c.outcome.text,
      c.firstBlocker
        ? `\`${c.firstBlocker.syscall}\` (${PHASE_LABELS[c.firstBlocker.phase]})`
        : "-",
      c.stubbedByVm.map((s) => `\`${s}\``).join(", ") || "-",
      c.missing.map((s) => `\`${s}\``).join(", ") || "-",
      c.needImplementation.map((s) => `\`${s}\``).join(", ") || "-",
    ]),
  ));
  p(`VM profiles compared: ${vmNames.join(", ")}.`);
}

function importsSection(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Imported traces");
  const all = [...a.qemuLogs, ...a.studyLogs];
  p(table(
    [
      "trace",
      "format",
      "syscalls",
      "distinct",
      "threads",
      "signals",
      ...PHASES.map((x) => PHASE_LABELS[x]),
      "unreadable lines",
    ],
    all.map((l) => [
      `\`${l.path}\``,
      l.format,
      int(l.profile.total),
      Object.keys(l.profile.syscalls).length,
      Object.keys(l.profile.threads).length,
      int(Object.values(l.profile.signals).reduce((s, n) => s + n, 0)),
      ...PHASES.map((x) => int(l.profile.phases[x])),
      l.malformed.length === 0 ? "none" : l.malformed.map((m) => m.line).join(", "),
    ]),
  ));
  p(
    "qemu-user prints the process id on every line, so its logs cannot tell threads apart; " +
      "strace -f logs can. qemu 7.2 has no vDSO for riscv64, so clock_gettime appears as real " +
      "calls in both qemu and zkabi traces." +
      (a.studyLogs.length === 0 ? " The study's raw logs were not present on this machine." : ""),
  );
}

function recommendations(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Recommendations");
  const recs: string[] = [];
  const rs = readinessOf(a, "rust-static");
  if (rs && rs.trials.length > 0) {
    const emu = rs.used.filter((s) => !isStub(rs, s));
    recs.push(
      `For statically linked Rust (glibc) programs like the stateless validator, a zkVM needs ` +
        `only ${emu.length} real syscalls (${emu.map((s) => `\`${s}\``).join(", ")}); ` +
        `the other ${rs.used.length - emu.length} it issues can return fixed values ` +
        `(\`data/profiles/rust-static.minimal.json\`, verified by running). Smallest built-in ` +
        `tier: ${rs.smallest}.`,
    );
  }
  const go = readinessOf(a, "go-t8n");
  if (go && go.trials.length > 0) {
    const must = go.used.filter((s) => !isStub(go, s));
    recs.push(
      `For Go, the runtime needs ${must.length} real syscalls (${
        must.map((s) => `\`${s}\``).join(", ")
      }) — threads (clone, futex), signals for preemption and the memory calls; ${
        go.used.length - must.length
      } others can be stubbed. Smallest built-in tier: ${go.smallest}. Threads must be emulated ` +
        "deterministically (a VM that fakes clone, as Asterisc and Ziren do, cannot run the " +
        "unmodified Go runtime).",
    );
  }
  if (a.precompile) {
    recs.push(
      `Route hashing through precompiles: keccak-f via ECALL saved ${
        pct(a.precompile.saved, a.precompile.plain.instret)
      } of the Rust guest's instructions with identical output; the ECALL numbering keeps ` +
        "precompiles (0x10000000+) apart from Linux numbers, so one binary can use both.",
    );
  }
  const f = a.futex.find((x) => x.guest === "go-t8n");
  if (f) {
    const better = f.handoff.instret < f.rr.instret ? "handoff" : "rr";
    recs.push(
      `Futex scheduling: on the Go guest ${better} retired fewer instructions (${
        int(Math.min(f.rr.instret, f.handoff.instret))
      } vs ${int(Math.max(f.rr.instret, f.handoff.instret))}); both give identical output` +
        (f.sameOutput ? "." : " — NOT the case here."),
    );
  }
  recs.push(
    "Treat mmap as address-space reservation with lazily backed zero pages, and keep brk: the " +
      "Go runtime reserves hundreds of MiB it never touches, glibc's malloc relies on brk.",
  );
  recs.push(
    "Make every host-dependent answer deterministic and explicit in the profile: time from the " +
      "instruction count, getrandom from a seed, sched_getaffinity from a configured CPU count; " +
      "stub results (0 vs -ENOSYS) matter: the trials show both cases where only one of them works.",
  );
  recs.push(
    'Stop, never silently succeed, on unlisted syscalls: Asterisc-style "return 0 for ' +
      'everything" turns missing emulation into wrong results instead of diagnostics (see the ' +
      "Other VMs matrix).",
  );
  p(recs.map((r) => `- ${r}`).join("\n"));
}

function limits(a: BundledAnalysis, h: H, p: P): void {
  h(2, "Limits of this report");
  const none = a.guests.filter((g) => !g.costs.classes).map((g) => g.guest.id);
  p(
    [
      "- The guests are small stand-ins for reth-stateless and geth t8n (one block of eight " +
      "transactions), so absolute counts are smaller than the study's; the kinds of syscalls and " +
      "the tier answers are what carry over.",
      "- Stub trials stub one syscall for the whole run with one fixed result; a VM could stub " +
      "per call site or per argument (e.g. only some fcntl commands), which these trials do not " +
      "explore.",
      "- Other VMs are modelled by their documented syscall handling mapped to riscv64 names; " +
      "their simplified mmap/brk/futex semantics are approximated by zkabi's real ones, and " +
      "instruction-level differences (Asterisc's no-op floating point, MIPS) are not modelled.",
      none.length > 0
        ? `- No instruction breakdown for ${none.join(", ")}: no function names available.`
        : "- Instruction shares are estimates from pc samples; phase instruction counts are exact " +
          "at syscall granularity.",
    ].join("\n"),
  );
}
