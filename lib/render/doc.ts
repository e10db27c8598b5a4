/**
 * A small document model for zkabi's results, and its three renderers. A
 * result (a run's statistics, a syscall profile, a comparison, tier
 * readiness) is built once as a {@linkcode Doc} (`views.ts`); the REPL shows
 * it as text, the CLI and the report as markdown, the notebooks as HTML.
 *
 * Numbers stay numbers in the model: text and HTML print them as they are
 * (`1234567`), markdown with thousands separators (`1,234,567`), as the
 * reports always have.
 * @module
 */

/** A table cell. */
export type Cell = string | number;

/** Column alignment. */
export type Align = "left" | "right";

/** A table with a header row. */
export interface Table {
  /** Column headers. */
  readonly head: readonly string[];
  /** The rows (cells past the header's width are dropped). */
  readonly rows: readonly (readonly Cell[])[];
  /** Per-column alignment; default: right for columns of numbers, else left. */
  readonly align?: readonly Align[];
}

/** One block of a document. */
export type Block =
  | { readonly kind: "heading"; readonly text: string }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "table"; readonly table: Table }
  | { readonly kind: "pre"; readonly text: string }
  | { readonly kind: "chart"; readonly svg: string; readonly alt: string };
// A chart's `alt` is its text for plain-text notebook outputs; the REPL, CLI
// and report show the same numbers in tables instead.

/** A document: blocks in order. */
export type Doc = readonly Block[];

/** The three renderings. */
export type Format = "text" | "md" | "html";

/** A heading block. */
export function heading(text: string): Block {
  return { kind: "heading", text };
}

/** A paragraph block. */
export function para(text: string): Block {
  return { kind: "text", text };
}

/** A table block. */
export function tableBlock(
  head: readonly string[],
  rows: readonly (readonly Cell[])[],
  align?: readonly Align[],
): Block {
  return { kind: "table", table: { head, rows, align } };
}

/** Preformatted text (a trace, a listing). */
export function preBlock(text: string): Block {
  return { kind: "pre", text };
}

/** An SVG chart with a text alternative. */
export function chartBlock(svg: string, alt: string): Block {
  return { kind: "chart", svg, alt };
}

/** Renders `doc` as plain text, markdown or HTML (charts appear in HTML only). */
export function render(doc: Doc, format: Format): string {
  const parts = doc.map((b) => renderBlock(b, format)).filter((p) => p !== "");
  return format === "html" ? parts.join("\n") : parts.join("\n\n");
}

function renderBlock(b: Block, f: Format): string {
  switch (b.kind) {
    case "heading":
      return f === "md" ? `## ${b.text}` : f === "html" ? `<h3>${html(b.text)}</h3>` : b.text;
    case "text":
      return f === "html" ? `<p>${html(b.text)}</p>` : b.text;
    case "pre":
      return f === "md"
        ? "```\n" + b.text + "\n```"
        : f === "html"
        ? `<pre>${html(b.text)}</pre>`
        : b.text;
    case "chart":
      return f === "html" ? b.svg : "";
    case "table":
      return f === "md" ? markdownTable(b.table) : f === "html" ? htmlTable(b.table) : textTable(
        b.table.head,
        b.table.rows,
        alignOf(b.table),
      );
  }
}

/** The table's alignment: as given, else right for all-number columns. */
function alignOf(t: Table): readonly Align[] {
  return t.align ??
    t.head.map((_, i) =>
      t.rows.length > 0 && t.rows.every((r) => typeof r[i] === "number") ? "right" : "left"
    );
}

/** Renders rows as an aligned text table with a header and a rule under it. */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  align: readonly Align[] = [],
): string {
  const cells = rows.map((r) => r.slice(0, headers.length).map((c) => String(c)));
  const width = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (align[i] === "right" ? c.padStart(width[i]) : c.padEnd(width[i])))
      .join("  ").trimEnd();
  return [line(headers), width.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join(
    "\n",
  );
}

/** A number with thousands separators (`1,234,567`). */
export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A markdown pipe table; numbers with thousands separators, `|` escaped. */
export function markdownTable(t: Table): string {
  const align = alignOf(t);
  const cell = (c: Cell) => (typeof c === "number" ? int(c) : c.replace(/\|/g, "\\|"));
  const rule = t.head.map((_, i) => (align[i] === "right" ? "---:" : "---"));
  return [
    `| ${t.head.map(cell).join(" | ")} |`,
    `| ${rule.join(" | ")} |`,
    ...t.rows.map((r) => `| ${t.head.map((_, i) => cell(r[i] ?? "")).join(" | ")} |`),
  ].join("\n");
}

/** An HTML table with aligned cells. */
export function htmlTable(t: Table): string {
  const align = alignOf(t);
  const cell = (tag: string, v: Cell, i: number) =>
    `<${tag} style="text-align:${align[i] ?? "left"}">${html(String(v))}</${tag}>`;
  return [
    `<table><thead><tr>${t.head.map((h, i) => cell("th", h, i)).join("")}</tr></thead><tbody>`,
    ...t.rows.map((r) => `<tr>${t.head.map((_, i) => cell("td", r[i] ?? "", i)).join("")}</tr>`),
    "</tbody></table>",
  ].join("\n");
}

/** HTML-escapes text. */
export function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}
