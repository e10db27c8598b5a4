/**
 * Rich display of zkabi's results in Jupyter notebooks (the Deno kernel)
 * and plain text everywhere else. Every view is a {@linkcode Rich} object:
 * Jupyter calls its `Symbol.for("Jupyter.display")` method and shows the
 * HTML table and SVG chart; `console.log`, the REPL and `String()` get the
 * text table.
 *
 * ```ts
 * import { guestRun, profileView } from "../lib/repl/display.ts";
 * const r = guestRun({ program: "guests/bin/c/hello" });
 * profileView(r.profile); // a table and a chart in a notebook
 * ```
 *
 * {@linkcode guestRun} runs guests from a copy of their executable at a
 * fixed host path: zkabi shows the guest its executable's host path (in
 * /proc/self/maps and /proc/self/exe) and glibc and the Rust runtime read
 * /proc/self/maps at start-up, so instruction counts depend on that path's
 * length. The copy makes notebook outputs the same on every checkout.
 * @module
 */

import { CATEGORIES, CATEGORY_LABELS } from "../analysis/categories.ts";
import { compareProfiles } from "../analysis/compare.ts";
import type { BinaryReadiness } from "../analysis/readiness.ts";
import { PHASES, profileFromEvents, type SyscallProfile } from "../analysis/syscall_profile.ts";
import type { Profile } from "../dispatch/profile.ts";
import type { TraceEvent } from "../kernel/events.ts";
import { stackedBars } from "../report/svg.ts";
import { run, type RunOptions, type RunResult } from "../run/run.ts";
import { createStraceWriter } from "../trace/strace.ts";
import { type Align, textTable } from "./format.ts";
import { bytes, duration } from "./render.ts";

/** A MIME bundle for Jupyter. */
export type MimeBundle = Record<string, string>;

/** Something with a text form and, in Jupyter, richer forms. */
export class Rich {
  /** The MIME bundle (always has `text/plain`). */
  readonly bundle: MimeBundle;

  /** Wraps a bundle. */
  constructor(bundle: MimeBundle) {
    this.bundle = bundle;
  }

  /** Jupyter's display hook. */
  [Symbol.for("Jupyter.display")](): MimeBundle {
    return this.bundle;
  }

  /** Text for `console.log` and the REPL. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.bundle["text/plain"];
  }

  /** The text form. */
  toString(): string {
    return this.bundle["text/plain"];
  }
}

/**
 * Shows views, each as its own output: in a Jupyter cell through
 * `Deno.jupyter.display` (which calls the views' display hook), elsewhere
 * as text on stdout. In Jupyter it then waits a moment before the cell
 * ends: the Deno kernel can otherwise report the cell finished before the
 * output is sent, and the output is lost.
 */
export async function show(...views: unknown[]): Promise<void> {
  let jupyter = false;
  for (const v of views) {
    try {
      await Deno.jupyter.display(v as never);
      jupyter = true;
    } catch {
      console.log(String(v));
    }
  }
  if (jupyter) await new Promise((r) => setTimeout(r, 60));
}

/** HTML-escapes text. */
export function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** Several views shown one after the other (HTML and SVG side by side in one output). */
export function stack(...views: Rich[]): Rich {
  const htmlParts = views.map((v) =>
    v.bundle["text/html"] ??
      (v.bundle["image/svg+xml"] ?? `<pre>${html(v.bundle["text/plain"])}</pre>`)
  );
  return new Rich({
    "text/plain": views.map((v) => v.bundle["text/plain"]).join("\n\n"),
    "text/html": htmlParts.join("\n"),
  });
}

/** A table: text in the terminal, an HTML table in Jupyter. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  options: { title?: string; align?: readonly Align[] } = {},
): Rich {
  const align = options.align ??
    headers.map((_, i) =>
      rows.length > 0 && rows.every((r) => typeof r[i] === "number") ? "right" : "left"
    );
  const text = (options.title ? options.title + "\n" : "") + textTable(headers, rows, align);
  const cell = (tag: string, v: string | number, i: number) =>
    `<${tag} style="text-align:${align[i] ?? "left"}">${html(String(v))}</${tag}>`;
  const out = [
    options.title ? `<p><b>${html(options.title)}</b></p>` : "",
    `<table><thead><tr>${headers.map((h, i) => cell("th", h, i)).join("")}</tr></thead><tbody>`,
    ...rows.map((r) => `<tr>${r.map((v, i) => cell("td", v, i)).join("")}</tr>`),
    "</tbody></table>",
  ];
  return new Rich({ "text/plain": text, "text/html": out.join("\n") });
}

/** An SVG chart, with a short text description for plain-text outputs. */
export function chart(svg: string, text: string): Rich {
  return new Rich({ "text/plain": text, "image/svg+xml": svg });
}

/** Preformatted text (a trace, a listing). */
export function pre(text: string, title?: string): Rich {
  return new Rich({
    "text/plain": (title ? title + "\n" : "") + text,
    "text/html": `${title ? `<p><b>${html(title)}</b></p>` : ""}<pre>${html(text)}</pre>`,
  });
}

// ------------------------------------------------------------------ runs

/** A finished guest run with its strace text and syscall profile. */
export interface GuestRun {
  /** Label (for profiles and tables). */
  label: string;
  /** The runner's result (events included). */
  result: RunResult;
  /** strace lines, decoded as the run went. */
  strace: string[];
  /** The run's syscall profile. */
  profile: SyscallProfile;
  /** Guest stdout as text. */
  stdout: string;
  /** Guest stderr as text. */
  stderr: string;
}

/** Where {@linkcode guestRun} keeps executable copies. */
export const STABLE_DIR = "/tmp/zkabi-notebooks";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/**
 * Copies the executable to {@linkcode STABLE_DIR} under its path relative to
 * the repository (or its file name) and returns the copy's path.
 */
export function stableCopy(program: string, cwd: string = Deno.cwd()): string {
  const abs = program.startsWith("/") ? program : `${cwd.replace(/\/$/, "")}/${program}`;
  const real = Deno.realPathSync(abs);
  const rel = real.startsWith(ROOT + "/") ? real.slice(ROOT.length + 1) : real.split("/").pop()!;
  const dest = `${STABLE_DIR}/${rel}`;
  const bytes = Deno.readFileSync(real);
  let same = false;
  try {
    const have = Deno.readFileSync(dest);
    same = have.length === bytes.length && have.every((b, i) => b === bytes[i]);
  } catch {
    same = false;
  }
  if (!same) {
    Deno.mkdirSync(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
    const tmp = `${dest}.${Deno.pid}.tmp`;
    Deno.writeFileSync(tmp, bytes, { mode: 0o755 });
    Deno.renameSync(tmp, dest);
  }
  return dest;
}

/** Options of {@linkcode guestRun}: the runner's, plus a label. */
export interface GuestRunOptions extends Omit<RunOptions, "collectEvents" | "stdout" | "stderr"> {
  /** Label (default: the program's file name). */
  label?: string;
  /** Run the executable where it is instead of from a fixed-path copy. */
  inPlace?: boolean;
}

/**
 * Runs a guest to the end, collecting its trace, strace text and profile.
 * Unlike `run`, a relative `program` is taken from `Deno.cwd()` (the
 * notebook's directory), not from `cwd`.
 */
export function guestRun(opts: GuestRunOptions): GuestRun {
  const given = opts.cwd ?? Deno.cwd();
  const cwd = normalizeCwd(given.startsWith("/") ? given : `${Deno.cwd()}/${given}`);
  const here = Deno.cwd();
  const program = opts.inPlace
    ? (opts.program.startsWith("/") ? opts.program : `${here}/${opts.program}`)
    : stableCopy(opts.program, here);
  const strace: string[] = [];
  const result = run({
    ...opts,
    program,
    argv0: opts.argv0 ?? opts.program,
    cwd,
    collectEvents: true,
    writers: [...(opts.writers ?? []), (src) => createStraceWriter(src, (l) => strace.push(l))],
  });
  const label = opts.label ?? opts.program.split("/").pop()!;
  const d = new TextDecoder();
  return {
    label,
    result,
    strace,
    profile: profileFromEvents(label, result.events),
    stdout: d.decode(result.stdout),
    stderr: d.decode(result.stderr),
  };
}

function normalizeCwd(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}

// ----------------------------------------------------------------- views

/** How a run ended and what it cost, as a table. */
export function statsView(r: GuestRun | readonly GuestRun[]): Rich {
  const runs = Array.isArray(r) ? r as readonly GuestRun[] : [r as GuestRun];
  const rows: (string | number)[][] = [
    ["exit status", ...runs.map((x) => x.result.status)],
    ["end", ...runs.map((x) => x.result.end.kind)],
    ["instructions", ...runs.map((x) => x.result.stats.instret)],
    ["syscalls", ...runs.map((x) => x.profile.total)],
    ["distinct syscalls", ...runs.map((x) => Object.keys(x.profile.syscalls).length)],
    ["syscall errors", ...runs.map((x) => x.profile.errors)],
    ["threads", ...runs.map((x) => x.result.stats.threads)],
    ["context switches", ...runs.map((x) => x.result.stats.contextSwitches)],
    ["futex waits", ...runs.map((x) => x.result.stats.futex.waits)],
    ["futex wakes", ...runs.map((x) => x.result.stats.futex.wakes)],
    ["signals delivered", ...runs.map((x) => x.result.stats.signalsDelivered)],
    ["memory mapped", ...runs.map((x) => bytes(x.result.stats.memory.mappedBytes))],
    ["memory touched (peak)", ...runs.map((x) => bytes(x.result.stats.memory.peakTouchedBytes))],
    ["virtual time", ...runs.map((x) => duration(x.result.kernel.nowNs()))],
  ];
  return table(["", ...runs.map((x) => x.label)], rows, {
    align: ["left", ...runs.map(() => "right" as const)],
  });
}

/** The strace text of a run (the first `max` lines and the last few). */
export function traceView(r: GuestRun, max = 40): Rich {
  const lines = r.strace;
  const shown = lines.length <= max ? lines : [
    ...lines.slice(0, max - 5),
    `... ${lines.length - max + 5} more lines ...`,
    ...lines.slice(-4),
  ];
  return pre(shown.join("\n"), `${r.label}: ${lines.length} trace lines`);
}

/** Trace events as a table (blocked calls' entry reports left out). */
export function eventsView(events: readonly TraceEvent[], max = 40): Rich {
  const rows: (string | number)[][] = [];
  for (const e of events) {
    if (rows.length >= max) break;
    if (e.kind === "syscall") {
      if (e.entry) continue;
      rows.push([e.seq, e.tid, e.name, e.result ?? "?", e.route, e.phase, e.instret, e.fn]);
    } else rows.push([e.seq, e.tid, `signal ${e.signo}`, e.action, "", "", e.instret, ""]);
  }
  return table(["seq", "tid", "syscall", "result", "route", "phase", "instret", "function"], rows);
}

/** Calls per category and phase as a stacked bar chart. */
export function phaseChart(profiles: readonly SyscallProfile[], title = "Syscalls by phase"): Rich {
  const series = PHASES.map((p) => p);
  const bars = profiles.map((p) => ({ label: p.label, values: PHASES.map((ph) => p.phases[ph]) }));
  const svg = stackedBars({ title, series, bars, unit: "calls" });
  const text = profiles.map((p) =>
    `${p.label}: ${PHASES.map((ph) => `${ph} ${p.phases[ph]}`).join(", ")}`
  )
    .join("\n");
  return chart(svg, `${title}\n${text}`);
}

/** Calls per category for each profile, as a stacked bar chart. */
export function categoryChart(
  profiles: readonly SyscallProfile[],
  title = "Syscalls by category",
  percent = false,
): Rich {
  const cats = CATEGORIES.filter((c) => profiles.some((p) => p.categories[c] > 0));
  const bars = profiles.map((p) => ({ label: p.label, values: cats.map((c) => p.categories[c]) }));
  const svg = stackedBars({
    title,
    series: cats.map((c) => CATEGORY_LABELS[c]),
    bars,
    unit: percent ? "" : "calls",
    percent,
  });
  const text = profiles.map((p) =>
    `${p.label}: ${cats.map((c) => `${CATEGORY_LABELS[c]} ${p.categories[c]}`).join(", ")}`
  ).join("\n");
  return chart(svg, `${title}\n${text}`);
}

/** A syscall profile: per-syscall table plus a category chart. */
export function profileView(p: SyscallProfile): Rich {
  const names = Object.keys(p.syscalls).sort((a, b) =>
    p.syscalls[b].count - p.syscalls[a].count || (a < b ? -1 : 1)
  );
  const t = table(
    ["syscall", "category", "calls", "errors", ...PHASES],
    names.map((n) => {
      const r = p.syscalls[n];
      return [n, r.category, r.count, r.errors, ...PHASES.map((ph) => r.phases[ph])];
    }),
    { title: `${p.label}: ${p.total} syscalls, ${names.length} distinct, ${p.errors} errors` },
  );
  return stack(t, categoryChart([p], `${p.label}: syscalls by category`));
}

/** Profiles compared (the analysis' comparison): table with deltas, and a category chart. */
export function comparisonView(
  profiles: readonly SyscallProfile[],
  phase: (typeof PHASES)[number] | "all" = "all",
): Rich {
  const c = compareProfiles(profiles, phase);
  const delta = (d: number) => (d > 0 ? `+${d}` : String(d));
  const headers = ["syscall", "category", ...c.labels, ...c.labels.slice(1).map((l) => `Δ ${l}`)];
  const rows = [...c.syscalls, c.total].map((r) => [
    r.key,
    r === c.total ? "" : r.category,
    ...r.counts,
    ...r.deltas.slice(1).map(delta),
  ]);
  const t = table(headers, rows, {
    title: `Syscalls${phase === "all" ? "" : ` (${phase} phase)`}: ${c.labels.join(" vs ")}`,
    align: headers.map((_, i) => (i < 2 ? "left" : "right")),
  });
  return stack(t, categoryChart(profiles, "Syscalls by category"));
}

/** Tier readiness: per profile, whether the binary runs, what blocks it, what it lacks. */
export function readinessView(r: BinaryReadiness): Rich {
  const t = table(
    ["profile", "runs?", "outcome", "first blocker", "syscalls it lacks"],
    r.profiles.map((p) => [
      p.profile,
      p.outcome.ok ? "yes" : p.withStubs?.ok ? "with stubs" : "no",
      p.outcome.text,
      p.firstBlocker ? `${p.firstBlocker.syscall} (${p.firstBlocker.phase})` : "",
      p.outside.map((o) => `${o.syscall} (${o.coverage})`).join(", "),
    ]),
    {
      title: `${r.binary}: ${r.used.length} syscalls used; reference ${r.reference.instret} ` +
        `instructions, status ${r.reference.status}`,
    },
  );
  if (r.trials.length === 0) return t;
  const rows = r.used.map((sc) => {
    const tried = r.trials.filter((x) => x.syscall === sc);
    const ok = tried.find((x) => x.outcome.ok);
    return [
      sc,
      ok ? `stub ${ok.result}` : "must implement",
      tried.map((x) => `${x.result}: ${x.outcome.text}`).join("; "),
    ];
  });
  const trials = table(["syscall", "verdict", "stub trials"], rows, {
    title: `Stub trials: minimal profile ${r.minimal.outcome.text}; smallest tier: ${r.smallest}`,
  });
  return stack(t, trials);
}

/** The counts of a profile definition: how many syscalls each action covers. */
export function profileSummary(profiles: readonly Profile[]): Rich {
  const rows = profiles.map((p) => {
    const acts = [...p.syscalls.values()];
    return [
      p.name,
      acts.filter((a) => a.action === "emulate").length,
      acts.filter((a) => a.action === "stub").length,
      acts.filter((a) => a.action === "deny").length,
      p.emulateAll ? "emulate all" : p.unlisted,
      p.description.length > 90 ? p.description.slice(0, 89) + "…" : p.description,
    ];
  });
  return table(["profile", "emulate", "stub", "deny", "unlisted", "description"], rows);
}
