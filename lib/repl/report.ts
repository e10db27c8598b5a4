/**
 * The markdown report of a REPL session (`report FILE.md`): what was loaded
 * and how each process stands, its statistics and syscall profile, the
 * comparisons shown, and the transcript of every command with its output.
 * Contains no wall-clock times, so the same commands give the same report.
 * @module
 */

import { profileFromEvents } from "../analysis/syscall_profile.ts";
import { profileName } from "./commands.ts";
import { profileText, statsText } from "./render.ts";
import type { Repl } from "./repl.ts";

/** Fenced code block (the fence grows if the text holds backticks). */
function code(text: string): string {
  let fence = "```";
  while (text.includes(fence)) fence += "`";
  return `${fence}\n${text.replace(/\n$/, "")}\n${fence}`;
}

/** Renders the report as markdown. */
export function reportMarkdown(repl: Repl): string {
  const out: string[] = ["# zkabi REPL session", ""];
  if (repl.sessions.size === 0) out.push("No program was loaded.", "");
  for (const s of repl.sessions.values()) {
    const spec = s.spec;
    out.push(`## Session \`${s.name}\``, "");
    out.push(`- program: \`${spec.program}\``);
    if (spec.args?.length) out.push(`- arguments: \`${spec.args.join(" ")}\``);
    out.push(`- profile: ${profileName(spec.profile)}`);
    if (spec.sysroot) out.push(`- sysroot: \`${spec.sysroot}\``);
    if (spec.env && Object.keys(spec.env).length) {
      out.push(
        `- environment: \`${Object.entries(spec.env).map(([k, v]) => `${k}=${v}`).join(" ")}\``,
      );
    }
    if (s.breakpoints.length) {
      out.push(
        `- breakpoints: ${
          s.breakpoints.map((b) => `${b.id}: \`${b.spec}\` (${b.hits} hits)`).join(", ")
        }`,
      );
    }
    out.push(`- stops: ${s.stops.length}`);
    out.push("");
    out.push("### Statistics", "", code(statsText(s)), "");
    out.push("### Syscall profile", "", code(profileText(profileFromEvents(s.name, s.events))), "");
    const tail = s.strace.slice(-20);
    if (tail.length) {
      out.push(
        `### Trace (last ${tail.length} of ${s.strace.length} lines)`,
        "",
        code(tail.join("\n")),
        "",
      );
    }
    const stdout = s.stdoutText();
    if (stdout) {
      const cut = stdout.length > 2000 ? stdout.slice(0, 2000) + "\n[...]" : stdout;
      out.push("### Guest stdout", "", code(cut), "");
    }
  }
  if (repl.comparisons.length) {
    out.push("## Comparisons", "");
    for (const c of repl.comparisons) out.push(`${c.names.join(" vs ")}:`, "", code(c.text), "");
  }
  out.push("## Transcript", "");
  for (const e of repl.transcript) {
    if (e.command.startsWith("report ")) continue;
    const body = `> ${e.command}\n${e.output}${e.error ? `error: ${e.error}\n` : ""}`;
    out.push(code(body), "");
  }
  return out.join("\n");
}

/** Writes the report to `path`. */
export function writeReport(repl: Repl, path: string): void {
  Deno.writeTextFileSync(path, reportMarkdown(repl));
}
