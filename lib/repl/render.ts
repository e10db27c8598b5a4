/**
 * Text renderings of the analysis results the REPL shows: run statistics,
 * syscall profiles, profile comparisons and tier readiness.
 * @module
 */

import { CATEGORIES, CATEGORY_LABELS } from "../analysis/categories.ts";
import { compareProfiles, type ComparisonRow } from "../analysis/compare.ts";
import type { BinaryReadiness } from "../analysis/readiness.ts";
import { PHASES, type SyscallProfile } from "../analysis/syscall_profile.ts";
import type { Phase } from "../kernel/events.ts";
import type { Session } from "./session.ts";
import { textTable } from "../render/doc.ts";

/** Statistics of a session as text. */
export function statsText(s: Session): string {
  const st = s.stats();
  const lines: string[] = [];
  const state = s.ended
    ? `ended (${s.result!.end.kind}), status ${s.result!.status}${
      s.result!.message ? `: ${s.result!.message.split("\n")[0]}` : ""
    }`
    : `stopped at 0x${s.thread.hart.pc.toString(16)}`;
  lines.push(`session ${s.name}: ${state}`);
  const rows: (string | number)[][] = [
    ["instructions", st.instret],
    ...Object.entries(st.instretByThread).map(([tid, n]) => [`  thread ${tid}`, n]),
    ["syscalls", Object.values(st.syscalls).reduce((a, b) => a + b, 0)],
    ["distinct syscalls", Object.keys(st.syscalls).length],
    ["threads created", st.threads],
    ["context switches", st.contextSwitches],
    ["futex waits / wakes", `${st.futex.waits} / ${st.futex.wakes}`],
    ["signals delivered", st.signalsDelivered],
    ["memory mapped", bytes(st.memory.mappedBytes)],
    [
      "memory touched (peak)",
      `${bytes(st.memory.touchedBytes)} (${bytes(st.memory.peakTouchedBytes)})`,
    ],
    ["virtual time", duration(st.virtualNs)],
  ];
  lines.push(textTable(["", "value"], rows, ["left", "right"]));
  const sc = Object.entries(st.syscalls).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (sc.length > 0) {
    lines.push("");
    lines.push(textTable(["syscall", "calls"], sc, ["left", "right"]));
  }
  return lines.join("\n");
}

/** Virtual nanoseconds as ns, µs, ms or s. */
export function duration(ns: number): string {
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** Bytes as KiB/MiB. */
export function bytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** A syscall profile as text: per syscall, then per category and phase. */
export function profileText(p: SyscallProfile, phase: Phase | "all" = "all"): string {
  const count = (
    r: SyscallProfile["syscalls"][string],
  ) => (phase === "all" ? r.count : r.phases[phase]);
  const names = Object.keys(p.syscalls).filter((n) => count(p.syscalls[n]) > 0)
    .sort((a, b) => count(p.syscalls[b]) - count(p.syscalls[a]) || (a < b ? -1 : 1));
  const out: string[] = [];
  out.push(
    `${p.label}: ${p.total} syscalls (${p.errors} errors), ${names.length} distinct` +
      (phase === "all" ? "" : `; phase ${phase}`),
  );
  out.push(textTable(
    ["syscall", "category", "calls", "errors", ...PHASES],
    names.map((n) => {
      const r = p.syscalls[n];
      return [n, r.category, count(r), r.errors, ...PHASES.map((ph) => r.phases[ph])];
    }),
    ["left", "left", "right", "right", "right", "right", "right", "right"],
  ));
  const cats = CATEGORIES.filter((c) => p.categories[c] > 0);
  out.push("");
  out.push(textTable(
    ["category", "calls"],
    cats.map((c) => [CATEGORY_LABELS[c], p.categories[c]]),
    ["left", "right"],
  ));
  if (Object.keys(p.precompiles).length > 0) {
    out.push("");
    out.push(textTable(["precompile", "calls"], Object.entries(p.precompiles), ["left", "right"]));
  }
  if (Object.keys(p.signals).length > 0) {
    out.push("");
    out.push(textTable(["signal", "delivered"], Object.entries(p.signals), ["left", "right"]));
  }
  return out.join("\n");
}

/** Profiles side by side (the analysis' comparison): calls per syscall, deltas against the first. */
export function compareText(
  profiles: readonly SyscallProfile[],
  phase: Phase | "all" = "all",
): string {
  const c = compareProfiles(profiles, phase);
  const labels = c.labels;
  const headers = ["syscall", "category", ...labels, ...labels.slice(1).map((l) => `Δ ${l}`)];
  const delta = (d: number) => (d > 0 ? `+${d}` : String(d));
  const line = (r: ComparisonRow, cat: string) => [
    r.key,
    cat,
    ...r.counts,
    ...r.deltas.slice(1).map(delta),
  ];
  const body = c.syscalls.map((r) => line(r, r.category));
  body.push(line(c.total, ""));
  const lines = [
    `syscalls${phase === "all" ? "" : ` in phase ${phase}`}: ${labels.join(" vs ")}`,
    textTable(headers, body, headers.map((_, i) => (i < 2 ? "left" : "right"))),
    "",
    textTable(
      ["category", ...labels, ...labels.slice(1).map((l) => `Δ ${l}`)],
      c.categories.map((
        r,
      ) => [CATEGORY_LABELS[r.category], ...r.counts, ...r.deltas.slice(1).map(delta)]),
      [
        "left",
        ...labels.map(() => "right" as const),
        ...labels.slice(1).map(() => "right" as const),
      ],
    ),
  ];
  if (c.onlyIn.length > 0) {
    lines.push("");
    lines.push(
      "used by only some: " + c.onlyIn.map((o) => `${o.key} (${o.labels.join(", ")})`).join("; "),
    );
  }
  return lines.join("\n");
}

/** Tier readiness as text. */
export function readinessText(r: BinaryReadiness): string {
  const lines: string[] = [];
  lines.push(
    `${r.binary}: reference under full: status ${r.reference.status}, ` +
      `${r.reference.instret} instructions, ${r.used.length} syscalls used`,
  );
  lines.push(textTable(
    ["profile", "runs?", "outcome", "first blocker", "lacks"],
    r.profiles.map((p) => [
      p.profile,
      p.outcome.ok ? "yes" : p.withStubs?.ok ? "with stubs" : "no",
      p.outcome.text,
      p.firstBlocker ? `${p.firstBlocker.syscall} (${p.firstBlocker.phase})` : "",
      p.outside.map((o) => o.syscall).join(" "),
    ]),
  ));
  if (r.trials.length > 0) {
    const must = r.used.filter((sc) => !r.trials.some((t) => t.syscall === sc && t.outcome.ok));
    const stubs = r.used.filter((sc) => r.trials.some((t) => t.syscall === sc && t.outcome.ok));
    lines.push("");
    lines.push(`must be implemented (${must.length}): ${must.join(" ") || "none"}`);
    lines.push(`stubbable (${stubs.length}): ${stubs.join(" ") || "none"}`);
    lines.push(`minimal profile: ${r.minimal.outcome.text}`);
    lines.push(`smallest built-in tier that runs it: ${r.smallest}`);
  }
  return lines.join("\n");
}
