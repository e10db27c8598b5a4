/**
 * zkabi's results as documents, each built once here and rendered by
 * `doc.ts` as text (REPL), markdown (CLI, report) or HTML (notebooks): run
 * statistics, a syscall profile, a comparison of profiles, tier readiness.
 * @module
 */

import { CATEGORIES, CATEGORY_LABELS } from "../analysis/categories.ts";
import type { Comparison, ComparisonRow } from "../analysis/compare.ts";
import type { BinaryReadiness } from "../analysis/readiness.ts";
import { PHASE_LABELS, PHASES, type SyscallProfile } from "../analysis/syscall_profile.ts";
import type { Phase } from "../kernel/events.ts";
import type { RunStats } from "../run/run.ts";
import { type Block, type Cell, chartBlock, type Doc, para, tableBlock } from "./doc.ts";
import { stackedBars } from "./svg.ts";

/** Bytes as B, KiB or MiB. */
export function bytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** Virtual nanoseconds as ns, µs, ms or s. */
export function duration(ns: number): string {
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** A signed delta: `+3`, `-2`, `0`. */
function delta(d: number): string {
  return d > 0 ? `+${d}` : String(d);
}

/** The statistics of one run, as {@linkcode statsDoc} takes them. */
export interface StatsColumn {
  /** Column label. */
  readonly label: string;
  /** The run's statistics so far (the end fields only when it ended). */
  readonly stats: Omit<RunStats, "exitStatus" | "end" | "wallSeconds"> & Partial<RunStats>;
  /** Virtual time in ns, when known. */
  readonly virtualNs?: number;
}

/** Run statistics, one column per run, then calls per syscall. */
export function statsDoc(runs: readonly StatsColumn[]): Doc {
  const row = (name: string, f: (c: StatsColumn) => Cell): Cell[] => [name, ...runs.map(f)];
  const rows: Cell[][] = [];
  if (runs.some((r) => r.stats.end !== undefined)) {
    rows.push(row("exit status", (r) => r.stats.exitStatus ?? ""));
    rows.push(row("end", (r) => r.stats.end ?? ""));
  }
  rows.push(row("instructions", (r) => r.stats.instret));
  if (runs.length === 1) {
    for (const [tid, n] of Object.entries(runs[0].stats.instretByThread)) {
      rows.push([`  thread ${tid}`, n]);
    }
  }
  const calls = (r: StatsColumn) => Object.values(r.stats.syscalls).reduce((a, b) => a + b, 0);
  rows.push(
    row("syscalls", calls),
    row("distinct syscalls", (r) => Object.keys(r.stats.syscalls).length),
    row("threads created", (r) => r.stats.threads),
    row("context switches", (r) => r.stats.contextSwitches),
    row("futex waits / wakes", (r) => `${r.stats.futex.waits} / ${r.stats.futex.wakes}`),
    row("signals delivered", (r) => r.stats.signalsDelivered),
    row("memory mapped", (r) => bytes(r.stats.memory.mappedBytes)),
    row(
      "memory touched (peak)",
      (r) => `${bytes(r.stats.memory.touchedBytes)} (${bytes(r.stats.memory.peakTouchedBytes)})`,
    ),
  );
  if (runs.every((r) => r.virtualNs !== undefined)) {
    rows.push(row("virtual time", (r) => duration(r.virtualNs!)));
  }
  const align = ["left" as const, ...runs.map(() => "right" as const)];
  const head = runs.length === 1 ? ["", "value"] : ["", ...runs.map((r) => r.label)];
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.stats.syscalls)))];
  const total = (n: string) => runs.reduce((a, r) => a + (r.stats.syscalls[n] ?? 0), 0);
  names.sort((a, b) => total(b) - total(a) || (a < b ? -1 : 1));
  const blocks: Block[] = [tableBlock(head, rows, align)];
  if (names.length > 0) {
    blocks.push(tableBlock(
      ["syscall", ...(runs.length === 1 ? ["calls"] : runs.map((r) => r.label))],
      names.map((n) => [n, ...runs.map((r) => r.stats.syscalls[n] ?? 0)]),
      align,
    ));
  }
  return blocks;
}

/** Calls per category of each profile, as a stacked bar chart. */
export function categoryChartBlock(
  profiles: readonly SyscallProfile[],
  title = "Syscalls by category",
): Block {
  const cats = CATEGORIES.filter((c) => profiles.some((p) => p.categories[c] > 0));
  const svg = stackedBars({
    title,
    series: cats.map((c) => CATEGORY_LABELS[c]),
    bars: profiles.map((p) => ({ label: p.label, values: cats.map((c) => p.categories[c]) })),
    unit: "calls",
  });
  const alt = profiles.map((p) =>
    `${p.label}: ${cats.map((c) => `${CATEGORY_LABELS[c]} ${p.categories[c]}`).join(", ")}`
  ).join("\n");
  return chartBlock(svg, `${title}\n${alt}`);
}

/** Calls per phase of each profile, as a stacked bar chart. */
export function phaseChartBlock(
  profiles: readonly SyscallProfile[],
  title = "Syscalls by phase",
): Block {
  const svg = stackedBars({
    title,
    series: PHASES.map((ph) => PHASE_LABELS[ph]),
    bars: profiles.map((p) => ({ label: p.label, values: PHASES.map((ph) => p.phases[ph]) })),
    unit: "calls",
  });
  const alt = profiles.map((p) =>
    `${p.label}: ${PHASES.map((ph) => `${ph} ${p.phases[ph]}`).join(", ")}`
  ).join("\n");
  return chartBlock(svg, `${title}\n${alt}`);
}

/**
 * A syscall profile: per syscall (calls, errors, calls per phase), per
 * category, precompile calls and signals, and a category chart (HTML only).
 */
export function profileDoc(p: SyscallProfile, phase: Phase | "all" = "all"): Doc {
  const count = (r: SyscallProfile["syscalls"][string]) =>
    phase === "all" ? r.count : r.phases[phase];
  const names = Object.keys(p.syscalls).filter((n) => count(p.syscalls[n]) > 0)
    .sort((a, b) => count(p.syscalls[b]) - count(p.syscalls[a]) || (a < b ? -1 : 1));
  const blocks: Block[] = [
    para(
      `${p.label}: ${p.total} syscalls (${p.errors} errors), ${names.length} distinct` +
        (phase === "all" ? "" : `; phase ${phase}`),
    ),
    tableBlock(
      ["syscall", "category", "calls", "errors", ...PHASES],
      names.map((n) => {
        const r = p.syscalls[n];
        return [n, r.category, count(r), r.errors, ...PHASES.map((ph) => r.phases[ph])];
      }),
      ["left", "left", "right", "right", ...PHASES.map(() => "right" as const)],
    ),
    tableBlock(
      ["category", "calls"],
      CATEGORIES.filter((c) => p.categories[c] > 0).map((c) => [
        CATEGORY_LABELS[c],
        p.categories[c],
      ]),
    ),
  ];
  if (Object.keys(p.precompiles).length > 0) {
    blocks.push(tableBlock(["precompile", "calls"], Object.entries(p.precompiles)));
  }
  if (Object.keys(p.signals).length > 0) {
    blocks.push(tableBlock(["signal", "delivered"], Object.entries(p.signals)));
  }
  blocks.push(categoryChartBlock([p], `${p.label}: syscalls by category`));
  return blocks;
}

/**
 * Profiles compared (the first is the baseline): calls per syscall and per
 * category with deltas, the syscalls only some use, and a category chart
 * (HTML only) when the profiles are given.
 */
export function comparisonDoc(c: Comparison, profiles?: readonly SyscallProfile[]): Doc {
  const labels = c.labels;
  const deltaHeads = labels.slice(1).map((l) => `Δ ${l}`);
  const line = (r: ComparisonRow, cat: string): Cell[] => [
    r.key,
    cat,
    ...r.counts,
    ...r.deltas.slice(1).map(delta),
  ];
  const right = [...labels, ...deltaHeads].map(() => "right" as const);
  const blocks: Block[] = [
    para(`syscalls${c.phase === "all" ? "" : ` in phase ${c.phase}`}: ${labels.join(" vs ")}`),
    tableBlock(
      ["syscall", "category", ...labels, ...deltaHeads],
      [...c.syscalls.map((r) => line(r, r.category)), line(c.total, "")],
      ["left", "left", ...right],
    ),
    tableBlock(
      ["category", ...labels, ...deltaHeads],
      c.categories.map((r) => [
        CATEGORY_LABELS[r.category],
        ...r.counts,
        ...r.deltas.slice(1).map(delta),
      ]),
      ["left", ...right],
    ),
  ];
  if (c.onlyIn.length > 0) {
    blocks.push(
      para(
        "used by only some: " + c.onlyIn.map((o) => `${o.key} (${o.labels.join(", ")})`).join("; "),
      ),
    );
  }
  if (profiles) blocks.push(categoryChartBlock(profiles));
  return blocks;
}

/**
 * Tier readiness: the reference run, per profile whether the binary runs
 * and what blocks it, the stub trials, and the verdicts.
 */
export function readinessDoc(r: BinaryReadiness): Doc {
  const blocks: Block[] = [
    para(
      `${r.binary}: reference under full: status ${r.reference.status}, ` +
        `${r.reference.instret} instructions, ${r.used.length} syscalls used`,
    ),
    tableBlock(
      ["profile", "runs?", "outcome", "first blocker", "stubbable", "must implement"],
      r.profiles.map((p) => [
        p.profile,
        p.outcome.ok ? "yes" : p.withStubs?.ok ? "with stubs" : "no",
        p.outcome.text,
        p.firstBlocker ? `${p.firstBlocker.syscall} (${p.firstBlocker.phase})` : "",
        p.stubbable.map((s) => `${s.syscall}=${s.result}`).join(" "),
        p.mustImplement.join(" "),
      ]),
    ),
  ];
  if (r.trials.length === 0) return blocks;
  const works = (sc: string) => r.trials.find((t) => t.syscall === sc && t.outcome.ok);
  blocks.push(tableBlock(
    ["syscall", "verdict", "stub trials"],
    r.used.map((sc) => [
      sc,
      works(sc) ? `stub ${works(sc)!.result}` : "must implement",
      r.trials.filter((t) => t.syscall === sc).map((t) => `${t.result}: ${t.outcome.text}`).join(
        "; ",
      ),
    ]),
  ));
  const must = r.used.filter((sc) => !works(sc));
  const stubs = r.used.filter((sc) => works(sc));
  blocks.push(para(
    `must be implemented (${must.length}): ${must.join(" ") || "none"}\n` +
      `stubbable (${stubs.length}): ${stubs.join(" ") || "none"}\n` +
      `minimal profile: ${r.minimal.outcome.text}\n` +
      `smallest built-in tier that runs it: ${r.smallest}`,
  ));
  return blocks;
}
