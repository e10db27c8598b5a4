/**
 * Costs of a run: instructions per phase (from the phase boundaries the
 * syscall trace gives), and instructions inside the language runtime vs
 * the standard library, the C library and the application (from pc samples
 * classified with {@linkcode CodeClassifier}).
 *
 * Phase instructions are measured at syscall granularity: a phase starts at
 * the instruction count of its first syscall (the loader phase at 0 when
 * the process has a dynamic loader; start-up at 0 otherwise), and runs until
 * the next phase starts. Class shares are estimates: one sample every
 * `interval` instructions, each standing for `interval` instructions.
 * @module
 */

import type { Phase } from "../kernel/events.ts";
import type { RunDigest } from "./runner.ts";
import { CODE_CLASSES, type CodeClass, type CodeClassifier } from "./symbols.ts";
import { emptyPhases, PHASES } from "./syscall_profile.ts";

/** Instruction costs of one run. */
export interface CostBreakdown {
  /** Total retired instructions. */
  instret: number;
  /**
   * Instructions per phase: under the main rule the application starts
   * exactly at the first instruction of `main`; the other boundaries are at
   * syscall granularity.
   */
  phases: Record<Phase, number>;
  /** How `phases` was split (see `RunDigest.phaseRule`). */
  phaseRule: "main" | "study";
  /** Instructions per phase under the study's rule (syscall granularity). */
  studyPhases: Record<Phase, number>;
  /** Where the class figures come from (or why there are none). */
  origin: string;
  /** Sampling interval (0: no samples). */
  interval: number;
  /** Samples taken. */
  samples: number;
  /** Estimated instructions per class, whole run (absent without names). */
  classes?: Record<CodeClass, number>;
  /** Estimated instructions per class, per phase. */
  classesByPhase?: Record<Phase, Record<CodeClass, number>>;
  /** The hottest functions: name, class, estimated instructions. */
  topFunctions?: { name: string; class: CodeClass; instructions: number }[];
}

/** An empty per-class record. */
export function emptyClasses(): Record<CodeClass, number> {
  const r = {} as Record<CodeClass, number>;
  for (const c of CODE_CLASSES) r[c] = 0;
  return r;
}

/** Instructions per phase from phase starts (see the module doc). */
export function phaseInstructions(
  total: number,
  phaseStart: Record<Phase, number | null>,
): Record<Phase, number> {
  const exitStart = phaseStart.exit ?? total;
  const appStart = Math.min(phaseStart.app ?? exitStart, exitStart);
  const hasLoader = phaseStart.loader !== null;
  const loaderEnd = hasLoader ? Math.min(phaseStart.startup ?? appStart, appStart) : 0;
  return {
    loader: loaderEnd,
    startup: appStart - loaderEnd,
    app: exitStart - appStart,
    exit: total - exitStart,
  };
}

/** The cost breakdown of a digest (class figures need samples and a classifier). */
export function costBreakdown(
  d: RunDigest,
  classifier: CodeClassifier | undefined,
  origin: string,
  top = 12,
): CostBreakdown {
  const out: CostBreakdown = {
    instret: d.instret,
    phases: phaseInstructions(d.instret, d.phaseStart),
    phaseRule: d.phaseRule,
    studyPhases: phaseInstructions(d.instret, d.studyPhaseStart ?? d.phaseStart),
    origin,
    interval: d.samples?.interval ?? 0,
    samples: 0,
  };
  const s = d.samples;
  if (!s) return out;
  let n = 0;
  for (const p of PHASES) for (const [, c] of s.byPhase[p]) n += c;
  out.samples = n;
  if (!classifier) return out;
  const iv = s.interval;
  const classes = emptyClasses();
  const byPhase = {} as Record<Phase, Record<CodeClass, number>>;
  const fns = new Map<string, { class: CodeClass; n: number }>();
  for (const p of PHASES) {
    byPhase[p] = emptyClasses();
    for (const [pc, count] of s.byPhase[p]) {
      const rel: number = pc - d.exeBias;
      const inMain: boolean = classifier.mainExtent === undefined ||
        (rel >= classifier.mainExtent.start && rel < classifier.mainExtent.end);
      const cls = inMain ? classifier.classOf(rel) : "libc";
      classes[cls] += count * iv;
      byPhase[p][cls] += count * iv;
      const name = inMain
        ? (classifier.functionAt(rel) ?? "(unknown)")
        : "(outside the executable)";
      const f = fns.get(name) ?? { class: cls, n: 0 };
      f.n += count;
      fns.set(name, f);
    }
  }
  out.classes = classes;
  out.classesByPhase = byPhase;
  out.topFunctions = [...fns.entries()]
    .sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([name, f]) => ({ name, class: f.class, instructions: f.n * iv }));
  return out;
}

/** Shares in percent (one decimal) of a per-class record. */
export function classShares(c: Record<CodeClass, number>): Record<CodeClass, number> {
  const total = CODE_CLASSES.reduce((s, k) => s + c[k], 0) || 1;
  const r = emptyClasses();
  for (const k of CODE_CLASSES) r[k] = Math.round((1000 * c[k]) / total) / 10;
  return r;
}

export { emptyPhases };
