/**
 * One profile per client family (Rust/C on glibc, Go): the normative
 * minimal ABI of `reports/abi-spec.md` in zkabi's profile format, built from
 * the stub trials of every guest of the family.
 *
 * For each syscall any guest of the family makes:
 * - *implement* (`emulate`) when some guest cannot run with it stubbed, or
 *   when its only working stubs change threads or signals (the profile keeps
 *   the programs' behaviour, not only their output);
 * - *stub* with a result when that result worked, without side effects, for
 *   every guest that makes the call (0 before -ENOSYS);
 * - anything else is *denied* (`unlisted: stop`): a call no guest made
 *   stops the run with a diagnostic.
 * The analysis then runs every guest of the family under the profile.
 * @module
 */

import { bestTrial, type BinaryReadiness } from "./readiness.ts";

/** The client families. */
export const CLIENT_FAMILIES: readonly { id: "rust-c" | "go"; label: string; language: string }[] =
  [
    { id: "rust-c", label: "Rust/C (glibc)", language: "rust" },
    { id: "go", label: "Go", language: "go" },
  ];

/** The decision for one syscall of a family profile. */
export interface FamilyDecision {
  /** Syscall. */
  syscall: string;
  /** `implement` or `stub`. */
  action: "implement" | "stub";
  /** The stub's result. */
  result?: number;
  /** Guests that make the call. */
  usedBy: string[];
  /** Why: which guest needs it implemented, or which stubs also work with side effects. */
  why: string;
}

/** Decisions for the guests `rs` of one family (see the module doc). */
export function familyDecisions(rs: readonly BinaryReadiness[]): FamilyDecision[] {
  const names = [...new Set(rs.flatMap((r) => r.used))].sort();
  return names.map((sc) => {
    const users = rs.filter((r) => r.used.includes(sc));
    const usedBy = users.map((r) => r.binary);
    const clean = (r: BinaryReadiness, result: number) =>
      r.trials.some((t) =>
        t.syscall === sc && t.result === result && t.outcome.ok && !t.sideEffects
      );
    const any = (r: BinaryReadiness) => bestTrial(r.trials, sc);
    for (const result of [0, -38]) {
      if (users.every((r) => clean(r, result))) {
        return {
          syscall: sc,
          action: "stub",
          result,
          usedBy,
          why: "this result worked, without side effects, for every guest that makes the call",
        };
      }
    }
    const failing = users.filter((r) => !any(r)).map((r) => r.binary);
    const effects = users.filter((r) => any(r)?.sideEffects).map((r) => {
      const t = any(r)!;
      const e: string[] = [];
      if (t.effects.threads !== 0) e.push(`threads ${signedText(t.effects.threads)}`);
      if (t.effects.signals !== 0) e.push(`signals ${signedText(t.effects.signals)}`);
      return `${r.binary}: stub ${t.result} changes ${e.join(", ")}`;
    });
    const why = failing.length > 0
      ? `no stub works for ${failing.join(", ")}`
      : effects.length > 0
      ? effects.join("; ")
      : "no common stub result";
    return { syscall: sc, action: "implement", usedBy, why };
  });
}

function signedText(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** The family profile in zkabi's file form. */
export function familyProfile(
  family: { id: string; label: string },
  decisions: readonly FamilyDecision[],
  guests: readonly string[],
): Record<string, unknown> {
  const syscalls: Record<string, unknown> = {};
  for (const d of decisions) {
    syscalls[d.syscall] = d.action === "implement"
      ? "emulate"
      : { action: "stub", result: d.result };
  }
  const implement = decisions.filter((d) => d.action === "implement").length;
  return {
    name: `zkabi-${family.id}`,
    description: `The minimal Linux ABI measured for the ${family.label} family ` +
      `(${guests.join(", ")}): ${implement} syscalls implemented, ` +
      `${decisions.length - implement} stubbed with fixed results, everything else denied.`,
    source: "zkabi stub trials, reports/abi-spec.md",
    unlisted: "stop",
    syscalls,
  };
}
