/**
 * Rich display of zkabi's results in Jupyter notebooks (the Deno kernel)
 * and plain text everywhere else. Every view is a {@linkcode Rich} object:
 * Jupyter calls its `Symbol.for("Jupyter.display")` method and shows the
 * HTML table and SVG chart; `console.log` and `String()` get the text. The
 * views are the documents of `lib/render/views.ts`, rendered as HTML and
 * text: the notebooks, the REPL and the CLI show the same content.
 *
 * ```ts
 * import { guestRun, profileView, show } from "../mod.ts";
 * const r = guestRun({ program: "../guests/bin/c/hello" });
 * await show(profileView(r.profile)); // a table and a chart in a notebook
 * ```
 *
 * {@linkcode bundledRun} runs a bundled guest exactly as `deno task analyze`
 * does (same request, the repository shown to the guest at `/zkabi`), so a
 * notebook prints the report's numbers.
 * @module
 */

import { guestRequest } from "../analysis/bundled.ts";
import { compareProfiles } from "../analysis/compare.ts";
import { guestById } from "../analysis/guests.ts";
import type { BinaryReadiness } from "../analysis/readiness.ts";
import { profileFromEvents, type SyscallProfile } from "../analysis/syscall_profile.ts";
import type { Profile } from "../dispatch/profile.ts";
import type { Phase, TraceEvent } from "../kernel/events.ts";
import {
  type Align,
  type Cell,
  type Doc,
  html,
  preBlock,
  render,
  tableBlock,
} from "../render/doc.ts";
import {
  categoryChartBlock,
  comparisonDoc,
  phaseChartBlock,
  profileDoc,
  readinessDoc,
  statsDoc,
} from "../render/views.ts";
import { run, type RunOptions, type RunResult } from "../run/run.ts";
import { createStraceWriter } from "../trace/strace.ts";

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

  /** Text for `console.log`. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.bundle["text/plain"];
  }

  /** The text form. */
  toString(): string {
    return this.bundle["text/plain"];
  }
}

/**
 * A document as a view: HTML in Jupyter, text elsewhere (a chart's text is
 * its description, since tables carry the same numbers).
 */
export function docView(doc: Doc, title?: string): Rich {
  const withTitle = title === undefined ? doc : [{ kind: "text" as const, text: title }, ...doc];
  const text = render(withTitle, "text") ||
    withTitle.map((b) => (b.kind === "chart" ? b.alt : "")).join("\n");
  return new Rich({ "text/plain": text, "text/html": render(withTitle, "html") });
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

/** Several views shown as one output. */
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
  rows: readonly (readonly Cell[])[],
  options: { title?: string; align?: readonly Align[] } = {},
): Rich {
  return docView([tableBlock(headers, rows, options.align)], options.title);
}

/** Preformatted text (a trace, a listing). */
export function pre(text: string, title?: string): Rich {
  return docView([preBlock(text)], title);
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

/** Options of {@linkcode guestRun}: the runner's, plus a label. */
export interface GuestRunOptions extends Omit<RunOptions, "collectEvents" | "stdout" | "stderr"> {
  /** Label (default: the program's file name). */
  label?: string;
}

/**
 * Runs a guest to the end, collecting its trace, strace text and profile.
 * Paths are relative to `cwd` (default `Deno.cwd()`, the notebook's folder).
 */
export function guestRun(opts: GuestRunOptions): GuestRun {
  const strace: string[] = [];
  const result = run({
    ...opts,
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

/**
 * Runs bundled guest `id` (see `BUNDLED_GUESTS`) exactly as the report's
 * analysis does, from the repository at `root`: same arguments, working
 * directory, and the repository shown to the guest at `/zkabi`, so the
 * numbers are the report's. `extra` adds run options (a profile, a seed).
 */
export function bundledRun(
  id: string,
  root: string,
  extra: Omit<GuestRunOptions, "program" | "args" | "cwd"> = {},
): GuestRun {
  const g = guestById(id);
  if (!g) throw new Error(`no bundled guest '${id}'`);
  const req = guestRequest(root, g);
  return guestRun({
    label: g.id,
    program: req.program,
    args: req.args,
    argv0: req.argv0,
    cwd: req.cwd,
    sysroot: req.sysroot,
    env: req.env,
    pathMap: req.pathMap,
    ...extra,
  });
}

// ----------------------------------------------------------------- views

/** How runs ended and what they cost, side by side. */
export function statsView(r: GuestRun | readonly GuestRun[]): Rich {
  const runs = Array.isArray(r) ? r as readonly GuestRun[] : [r as GuestRun];
  return docView(statsDoc(runs.map((x) => ({
    label: x.label,
    stats: x.result.stats,
    virtualNs: x.result.kernel.nowNs(),
  }))));
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
  const rows: Cell[][] = [];
  for (const e of events) {
    if (rows.length >= max) break;
    if (e.kind === "syscall") {
      if (e.entry) continue;
      rows.push([e.seq, e.tid, e.name, e.result ?? "?", e.route, e.phase, e.instret, e.fn]);
    } else rows.push([e.seq, e.tid, `signal ${e.signo}`, e.action, "", "", e.instret, ""]);
  }
  return table(["seq", "tid", "syscall", "result", "route", "phase", "instret", "function"], rows);
}

/** Calls per phase of each profile, as a stacked bar chart. */
export function phaseChart(profiles: readonly SyscallProfile[], title?: string): Rich {
  return docView([phaseChartBlock(profiles, title)]);
}

/** Calls per category of each profile, as a stacked bar chart. */
export function categoryChart(profiles: readonly SyscallProfile[], title?: string): Rich {
  return docView([categoryChartBlock(profiles, title)]);
}

/** A syscall profile: per syscall and per category, and a category chart. */
export function profileView(p: SyscallProfile, phase: Phase | "all" = "all"): Rich {
  return docView(profileDoc(p, phase));
}

/** Profiles compared (the first is the baseline), with a category chart. */
export function comparisonView(
  profiles: readonly SyscallProfile[],
  phase: Phase | "all" = "all",
): Rich {
  return docView(comparisonDoc(compareProfiles(profiles, phase), profiles));
}

/** Tier readiness: per profile, whether the binary runs, what blocks it, the stub trials. */
export function readinessView(r: BinaryReadiness): Rich {
  return docView(readinessDoc(r));
}

/** The counts of profile definitions: how many syscalls each action covers. */
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
