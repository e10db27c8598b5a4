/**
 * A small SVG writer for the report's figures: stacked horizontal bar
 * charts and a colored matrix. Output is plain text built from fixed-format
 * numbers, so the same data always gives the same bytes.
 * @module
 */

/** Colors per series, in order (colour-blind friendly palette). */
export const PALETTE: readonly string[] = [
  "#4477aa",
  "#ee6677",
  "#228833",
  "#ccbb44",
  "#66ccee",
  "#aa3377",
  "#bbbbbb",
  "#332288",
  "#882255",
  "#117733",
];

/** Escapes text for SVG/XML. */
export function xml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** A number with at most two decimals, no trailing zeros (stable text). */
export function num(n: number): string {
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

/** One bar: a label and one value per series. */
export interface Bar {
  /** Label left of the bar. */
  label: string;
  /** Values per series (same order as the chart's series). */
  values: number[];
}

/** Options of {@linkcode stackedBars}. */
export interface StackedBarsOptions {
  /** Title on top. */
  title: string;
  /** Series names (legend). */
  series: string[];
  /** The bars. */
  bars: Bar[];
  /** Show each bar as percentages of its total (bars all full width). */
  percent?: boolean;
  /** Unit after totals (e.g. `calls`). */
  unit?: string;
  /** Use a logarithmic scale for bar lengths (absolute mode only). */
  log?: boolean;
  /** Formats the total shown after each bar (default {@linkcode num}). */
  formatTotal?: (n: number) => string;
}

/** A horizontal stacked bar chart. */
export function stackedBars(o: StackedBarsOptions): string {
  const labelW = 230;
  const barW = 520;
  const rowH = 26;
  const top = 40;
  const legendRows = Math.ceil(o.series.length / 4);
  const height = top + o.bars.length * rowH + 20 + legendRows * 20;
  const width = labelW + barW + 190;
  const totals = o.bars.map((b) => b.values.reduce((s, v) => s + v, 0));
  const max = Math.max(1, ...totals);
  const scale = (t: number): number => {
    if (o.percent) return barW;
    if (o.log) return t <= 0 ? 0 : (barW * Math.log10(1 + t)) / Math.log10(1 + max);
    return (barW * t) / max;
  };
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold">${xml(o.title)}</text>`);
  o.bars.forEach((b, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${xml(b.label)}</text>`);
    const total = totals[i];
    const len = scale(total);
    let x = labelW;
    b.values.forEach((v, k) => {
      if (v <= 0 || total <= 0) return;
      const w = (len * v) / total;
      const pct = (100 * v) / total;
      out.push(
        `<rect x="${num(x)}" y="${y + 3}" width="${num(w)}" height="${rowH - 8}" ` +
          `fill="${PALETTE[k % PALETTE.length]}"><title>${xml(o.series[k])}: ${num(v)} (${
            num(pct)
          }%)</title></rect>`,
      );
      x += w;
    });
    const tail = o.percent
      ? `${num(total)} ${o.unit ?? ""}`.trim()
      : `${num(total)} ${o.unit ?? ""}`.trim();
    out.push(`<text x="${num(labelW + len + 6)}" y="${y + 15}">${xml(tail)}</text>`);
  });
  const ly = top + o.bars.length * rowH + 14;
  o.series.forEach((s, k) => {
    const x = 10 + (k % 4) * 200;
    const y = ly + Math.floor(k / 4) * 20;
    out.push(
      `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"/>`,
    );
    out.push(`<text x="${x + 18}" y="${y}">${xml(s)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** One cell of a matrix. */
export interface MatrixCell {
  /** Short text in the cell. */
  text: string;
  /** `ok` (green), `partial` (amber), `fail` (red), `none` (grey). */
  level: "ok" | "partial" | "fail" | "none";
  /** Tooltip. */
  detail?: string;
}

const LEVEL_COLORS: Record<MatrixCell["level"], string> = {
  ok: "#a6dba0",
  partial: "#fee08b",
  fail: "#f4a582",
  none: "#e0e0e0",
};

/** A matrix of colored cells: rows × columns. */
export function matrix(
  title: string,
  rows: string[],
  columns: string[],
  cells: MatrixCell[][],
): string {
  const labelW = 210;
  const colW = 150;
  const rowH = 40;
  const top = 60;
  const width = labelW + columns.length * colW + 20;
  const height = top + rows.length * rowH + 50;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold">${xml(title)}</text>`);
  columns.forEach((c, j) => {
    out.push(
      `<text x="${labelW + j * colW + colW / 2}" y="${top - 8}" text-anchor="middle" ` +
        `font-weight="bold">${xml(c)}</text>`,
    );
  });
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${labelW - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${xml(r)}</text>`);
    columns.forEach((_, j) => {
      const c = cells[i][j];
      const x = labelW + j * colW;
      out.push(
        `<rect x="${x + 2}" y="${y + 2}" width="${colW - 4}" height="${rowH - 4}" fill="${
          LEVEL_COLORS[c.level]
        }" stroke="#ffffff"><title>${xml(c.detail ?? c.text)}</title></rect>`,
      );
      const lines = wrap(c.text, 24).slice(0, 2);
      lines.forEach((l, k) => {
        const ty = y + rowH / 2 + 4 + (k - (lines.length - 1) / 2) * 13;
        out.push(
          `<text x="${x + colW / 2}" y="${num(ty)}" text-anchor="middle">${xml(l)}</text>`,
        );
      });
    });
  });
  const ly = top + rows.length * rowH + 24;
  const legend: [MatrixCell["level"], string][] = [
    ["ok", "runs, identical output"],
    ["partial", "runs with stubs added"],
    ["fail", "fails"],
  ];
  legend.forEach(([lv, text], k) => {
    const x = 10 + k * 200;
    out.push(`<rect x="${x}" y="${ly - 10}" width="12" height="12" fill="${LEVEL_COLORS[lv]}"/>`);
    out.push(`<text x="${x + 18}" y="${ly}">${xml(text)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** Splits text into lines of at most `width` characters at spaces. */
export function wrap(text: string, width: number): string[] {
  const words = text.split(" ");
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    if (cur === "") cur = w;
    else if (cur.length + 1 + w.length <= width) cur += " " + w;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur !== "") lines.push(cur);
  return lines.map((l) => (l.length > width ? l.slice(0, width - 1) + "…" : l));
}
