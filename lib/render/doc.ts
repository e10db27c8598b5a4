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
  /** Text cells are markdown inline (code, bold, links): converted in HTML, stripped in text. */
  readonly markdown?: boolean;
}

/** One block of a document. */
export type Block =
  | { readonly kind: "heading"; readonly text: string; readonly level?: number }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "markdown"; readonly text: string }
  | { readonly kind: "list"; readonly items: readonly string[]; readonly ordered?: boolean }
  | { readonly kind: "table"; readonly table: Table }
  | { readonly kind: "pre"; readonly text: string }
  | { readonly kind: "chart"; readonly svg: string; readonly alt: string }
  | {
    readonly kind: "figure";
    readonly svg: string;
    readonly file: string;
    readonly caption: string;
  };
// A chart's `alt` is its text for plain-text notebook outputs; the REPL, CLI
// and report show the same numbers in tables instead.

/** A document: blocks in order. */
export type Doc = readonly Block[];

/** The three renderings. */
export type Format = "text" | "md" | "html";

/** A heading block (level 1-4; without a level: a section heading of a view). */
export function heading(text: string, level?: number): Block {
  return level === undefined ? { kind: "heading", text } : { kind: "heading", text, level };
}

/**
 * A paragraph of markdown (inline code, bold, italics, links): markdown
 * renders it as is, HTML converts the inline marks, text strips them.
 */
export function md(text: string): Block {
  return { kind: "markdown", text };
}

/** A bulleted (or numbered) list of markdown items. */
export function list(items: readonly string[], ordered = false): Block {
  return { kind: "list", items, ordered };
}

/**
 * A numbered figure: the SVG (inlined in HTML), the file it is written to
 * (linked from markdown) and its caption (markdown inline).
 */
export function figure(svg: string, file: string, caption: string): Block {
  return { kind: "figure", svg, file, caption };
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

/** A table whose text cells are markdown inline (see {@linkcode Table.markdown}). */
export function mdTableBlock(
  head: readonly string[],
  rows: readonly (readonly Cell[])[],
  align?: readonly Align[],
): Block {
  return { kind: "table", table: { head, rows, align, markdown: true } };
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
      if (b.level !== undefined) {
        return f === "md"
          ? `${"#".repeat(b.level)} ${b.text}`
          : f === "html"
          ? `<h${b.level} id="${anchor(b.text)}">${inline(b.text)}</h${b.level}>`
          : b.text;
      }
      return f === "md" ? `## ${b.text}` : f === "html" ? `<h3>${html(b.text)}</h3>` : b.text;
    case "markdown":
      return f === "md" ? b.text : f === "html" ? `<p>${inline(b.text)}</p>` : plain(b.text);
    case "list": {
      if (f === "md") {
        return b.items.map((it, i) => `${b.ordered ? `${i + 1}.` : "-"} ${it}`).join("\n");
      }
      if (f === "text") return b.items.map((it) => `- ${plain(it)}`).join("\n");
      const tag = b.ordered ? "ol" : "ul";
      return `<${tag}>\n${b.items.map((it) => `<li>${inline(it)}</li>`).join("\n")}\n</${tag}>`;
    }
    case "figure":
      return f === "md"
        ? `![${
          plain(b.caption).replace(/[\[\]]/g, "").replace(/\. .*$/s, "")
        }](${b.file})\n\n*${b.caption}*`
        : f === "html"
        ? `<figure>\n${b.svg.trimEnd()}\n<figcaption>${inline(b.caption)}</figcaption>\n</figure>`
        : plain(b.caption);
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
        b.table.markdown
          ? b.table.rows.map((r) => r.map((c) => (typeof c === "string" ? plain(c) : c)))
          : b.table.rows,
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
  const text = (v: Cell) =>
    t.markdown && typeof v === "string"
      ? inline(v)
      : html(typeof v === "number" && t.markdown ? int(v) : String(v));
  const cell = (tag: string, v: Cell, i: number) =>
    `<${tag} style="text-align:${align[i] ?? "left"}">${text(v)}</${tag}>`;
  return [
    `<table><thead><tr>${t.head.map((h, i) => cell("th", h, i)).join("")}</tr></thead><tbody>`,
    ...t.rows.map((r) => `<tr>${t.head.map((_, i) => cell("td", r[i] ?? "", i)).join("")}</tr>`),
    "</tbody></table>",
  ].join("\n");
}

/** An id for a heading: lower case, words joined by `-`. */
export function anchor(text: string): string {
  return plain(text).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** Markdown inline marks as HTML: `code`, **bold**, *italics*, [links](url). */
export function inline(text: string): string {
  const parts = text.split(/(`[^`]*`)/);
  return parts.map((p) => {
    if (p.startsWith("`") && p.endsWith("`") && p.length >= 2) {
      return `<code>${html(p.slice(1, -1))}</code>`;
    }
    return html(p)
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, t, u) => `<a href="${u}">${t}</a>`)
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[\s(])\*([^*\s][^*]*?)\*(?=[\s.,;:)]|$)/g, "$1<em>$2</em>");
  }).join("");
}

/** Markdown inline marks removed (for plain text). */
export function plain(text: string): string {
  return text.replace(/`([^`]*)`/g, "$1").replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, "$1");
}

/** A standalone HTML page for `doc` (figures inline, a print-friendly style). */
export function htmlDocument(title: string, doc: Doc): string {
  const style = [
    "body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:2rem auto;",
    "padding:0 1rem;line-height:1.45;color:#111}",
    "h1,h2,h3,h4{font-family:sans-serif;line-height:1.2}",
    "table{border-collapse:collapse;margin:1rem 0;font-size:.85rem;font-family:sans-serif}",
    "th,td{border:1px solid #bbb;padding:.2rem .45rem;vertical-align:top}",
    "th{background:#f0f0f0}code{font-size:.88em;background:#f5f5f5;padding:0 .15em}",
    "pre{background:#f5f5f5;padding:.6rem;overflow-x:auto;font-size:.8rem}",
    "figure{margin:1.2rem 0}figure svg{max-width:100%;height:auto}",
    "figcaption{font-size:.9rem;font-style:italic;margin-top:.3rem}",
    "@media print{body{max-width:none}figure,table{page-break-inside:avoid}}",
  ].join("");
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${html(plain(title))}</title>`,
    `<style>${style}</style>`,
    "</head>",
    "<body>",
    render(doc, "html"),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** HTML-escapes text. */
export function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}
