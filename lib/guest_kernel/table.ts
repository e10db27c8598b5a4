/**
 * Flattens a run's {@linkcode GuestKernelStats} into rows for a cost table:
 * one row per syscall (and `timer`, `fault`) with its share of the run, plus
 * the marked phases. Pure data: the report decides how to render it.
 * @module
 */

import type { CostSummary, GuestKernelStats } from "./cost.ts";

/** One row of the per-cause kernel cost table. */
export interface KernelCostRow extends CostSummary {
  /** Syscall name, `timer`, `fault`, or `phase:NAME` for a marked phase. */
  name: string;
  /** Share of all the run's instructions (program + kernel), 0..1. */
  shareOfRun: number;
  /** Share of the kernel's instructions, 0..1. */
  shareOfKernel: number;
}

/**
 * Rows sorted by total kernel instructions (descending, then by name);
 * phases last (they overlap the syscall rows: a switch happens inside a
 * futex wait, zero-fill inside mmap).
 */
export function kernelCostRows(g: GuestKernelStats): KernelCostRow[] {
  const all = g.instretProgram + g.instretKernel;
  const row = (name: string, c: CostSummary): KernelCostRow => ({
    name,
    ...c,
    shareOfRun: all > 0 ? c.total / all : 0,
    shareOfKernel: g.instretKernel > 0 ? c.total / g.instretKernel : 0,
  });
  const rows = Object.entries(g.kernelCost).map(([n, c]) => row(n, c));
  rows.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
  for (const [n, p] of Object.entries(g.phases)) {
    const mean = p.count > 0 ? Math.round(p.instructions / p.count) : 0;
    rows.push(row(`phase:${n}`, {
      count: p.count,
      total: p.instructions,
      min: mean,
      median: mean,
      max: mean,
    }));
  }
  return rows;
}
