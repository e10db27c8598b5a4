/**
 * Side-by-side comparison of any number of syscall profiles: counts per
 * syscall and per category, with each column's delta against the first
 * (the baseline), over the whole run or one phase.
 * @module
 */

import type { Phase } from "../kernel/events.ts";
import { CATEGORIES, type Category, categoryOf } from "./categories.ts";
import type { SyscallProfile } from "./syscall_profile.ts";

/** One row of a comparison. */
export interface ComparisonRow {
  /** Syscall name or category. */
  key: string;
  /** The syscall's category (for category rows: itself). */
  category: Category;
  /** Count per profile, in the order given. */
  counts: number[];
  /** counts[i] - counts[0]. */
  deltas: number[];
}

/** A comparison of profiles. */
export interface Comparison {
  /** Profile labels, in order (the first is the baseline). */
  labels: string[];
  /** The phase compared, or `all`. */
  phase: Phase | "all";
  /** Per syscall, sorted by category order then name. */
  syscalls: ComparisonRow[];
  /** Per category, in category order. */
  categories: ComparisonRow[];
  /** Totals. */
  total: ComparisonRow;
  /** Syscalls present in only some of the profiles. */
  onlyIn: { key: string; labels: string[] }[];
}

function countOf(p: SyscallProfile, name: string, phase: Phase | "all"): number {
  const row = p.syscalls[name];
  if (!row) return 0;
  return phase === "all" ? row.count : row.phases[phase];
}

function row(key: string, category: Category, counts: number[]): ComparisonRow {
  return { key, category, counts, deltas: counts.map((c) => c - counts[0]) };
}

/** Compares profiles (the first is the baseline) over `phase` (default the whole run). */
export function compareProfiles(
  profiles: readonly SyscallProfile[],
  phase: Phase | "all" = "all",
): Comparison {
  if (profiles.length === 0) throw new Error("compareProfiles: no profiles");
  const names = new Set<string>();
  for (const p of profiles) {
    for (const n of Object.keys(p.syscalls)) if (countOf(p, n, phase) > 0) names.add(n);
  }
  const order = (n: string) => CATEGORIES.indexOf(categoryOf(n));
  const sorted = [...names].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  const syscalls = sorted.map((n) =>
    row(n, categoryOf(n), profiles.map((p) => countOf(p, n, phase)))
  );
  const categories = CATEGORIES.map((c) =>
    row(
      c,
      c,
      profiles.map((_, i) =>
        syscalls.filter((r) => r.category === c).reduce((s, r) => s + r.counts[i], 0)
      ),
    )
  ).filter((r) => r.counts.some((x) => x > 0));
  const total = row(
    "total",
    "other",
    profiles.map((_, i) => syscalls.reduce((s, r) => s + r.counts[i], 0)),
  );
  const labels = profiles.map((p) => p.label);
  const onlyIn = syscalls
    .filter((r) => r.counts.some((c) => c === 0))
    .map((r) => ({ key: r.key, labels: labels.filter((_, i) => r.counts[i] > 0) }));
  return { labels, phase, syscalls, categories, total, onlyIn };
}
