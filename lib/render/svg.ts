/**
 * A small SVG writer for the report's figures: stacked horizontal bar
 * charts, range (spread) charts and a colored matrix. Every figure prints:
 * values are written on the marks (not only in hover tooltips), axes have
 * ticks and a label, and the legend is part of the picture. Output is plain
 * text built from fixed-format numbers, so the same data always gives the
 * same bytes.
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

/** Width of every figure (px): fits a printed page at 100%. */
export const FIGURE_WIDTH = 960;

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

/** Thousands-separated integer (`1,234,567`). */
export function thousands(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  const parts: string[] = [];
  for (let i = s.length; i > 0; i -= 3) parts.unshift(s.slice(Math.max(0, i - 3), i));
  return (n < 0 ? "-" : "") + parts.join(",");
}

/** A compact number for axis ticks and marks: `950`, `12k`, `1.5M`, `2G`. */
export function compact(n: number): string {
  const a = Math.abs(n);
  const f = (v: number, unit: string) => `${num(Math.round(v * 10) / 10)}${unit}`;
  if (a >= 1e9) return f(n / 1e9, "G");
  if (a >= 1e6) return f(n / 1e6, "M");
  if (a >= 1e4) return f(n / 1e3, "k");
  return thousands(n);
}

/** Approximate text width in px at `size` px (sans-serif, average glyph). */
export function textWidth(s: string, size = 12): number {
  return Math.ceil(s.length * size * 0.56);
}

/** "Nice" tick values from 0 to at least `max` (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = 0; v < max + step / 2; v += step) out.push(Math.round(v * 1e6) / 1e6);
  if (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
  return out;
}

/** Black or white, whichever reads better on `fill`. */
function ink(fill: string): string {
  const v = parseInt(fill.slice(1), 16);
  const lum = 0.299 * (v >> 16) + 0.587 * ((v >> 8) & 255) + 0.114 * (v & 255);
  return lum > 150 ? "#000000" : "#ffffff";
}

function svgOpen(width: number, height: number): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
}

function legend(out: string[], series: readonly string[], y: number, colors = PALETTE): number {
  let x = 10;
  let row = 0;
  series.forEach((s, k) => {
    const w = 22 + textWidth(s) + 18;
    if (x + w > FIGURE_WIDTH - 10) {
      x = 10;
      row++;
    }
    const ly = y + row * 18;
    out.push(
      `<rect x="${x}" y="${ly - 10}" width="12" height="12" fill="${colors[k % colors.length]}"/>`,
    );
    out.push(`<text x="${x + 17}" y="${ly}">${xml(s)}</text>`);
    x += w;
  });
  return (row + 1) * 18;
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
  /** Unit after totals and on the axis (e.g. `calls`). */
  unit?: string;
  /** Axis label (default: the unit, or `share of the total` in percent mode). */
  axis?: string;
  /** Use a logarithmic scale for bar lengths (absolute mode only). */
  log?: boolean;
  /** Formats the total shown after each bar (default: thousands separators). */
  formatTotal?: (n: number) => string;
  /** Formats a value written on its segment (default: compact, or percent in percent mode). */
  formatValue?: (v: number, total: number) => string;
}

/** A horizontal stacked bar chart with an x axis, values on the segments and a legend. */
export function stackedBars(o: StackedBarsOptions): string {
  const width = FIGURE_WIDTH;
  const labelW = Math.min(300, Math.max(110, ...o.bars.map((b) => textWidth(b.label) + 16)));
  const totalW = 120;
  const plotX = labelW;
  const plotW = width - labelW - totalW - 10;
  const rowH = 26;
  const top = 44;
  const totals = o.bars.map((b) => b.values.reduce((s, v) => s + v, 0));
  const max = Math.max(1, ...totals);
  const ticks = o.percent ? [0, 25, 50, 75, 100] : o.log ? [] : niceTicks(max);
  const axisMax = o.percent ? 100 : o.log ? max : ticks[ticks.length - 1];
  const scale = (t: number): number => {
    if (o.percent) return plotW;
    if (o.log) return t <= 0 ? 0 : (plotW * Math.log10(1 + t)) / Math.log10(1 + max);
    return (plotW * t) / axisMax;
  };
  const plotH = o.bars.length * rowH;
  const axisY = top + plotH + 4;
  const legendY = axisY + 44;
  const legendRows = Math.ceil(
    o.series.reduce((w, s) => w + 40 + textWidth(s), 0) / (width - 20),
  );
  const height = legendY + legendRows * 18 + 6;
  const out = svgOpen(width, height);
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold">${xml(o.title)}</text>`);
  // Grid and axis.
  if (!o.log) {
    for (const t of ticks) {
      const x = plotX + (o.percent ? (plotW * t) / 100 : scale(t));
      out.push(
        `<line x1="${num(x)}" y1="${top - 4}" x2="${num(x)}" y2="${axisY}" stroke="#dddddd"/>`,
      );
      const label = o.percent ? `${t}%` : compact(t);
      out.push(
        `<text x="${num(x)}" y="${axisY + 15}" text-anchor="middle" font-size="11">${
          xml(label)
        }</text>`,
      );
    }
  }
  out.push(
    `<line x1="${plotX}" y1="${axisY}" x2="${plotX + plotW}" y2="${axisY}" stroke="#555555"/>`,
  );
  const axis = o.axis ??
    (o.percent ? "share of the total (%)" : o.log ? `${o.unit ?? ""} (log scale)` : o.unit ?? "");
  out.push(
    `<text x="${num(plotX + plotW / 2)}" y="${axisY + 32}" text-anchor="middle">${
      xml(axis)
    }</text>`,
  );
  const fmtTotal = o.formatTotal ?? thousands;
  const fmtValue = o.formatValue ??
    ((
      v: number,
      t: number,
    ) => (o.percent ? `${num(Math.round((1000 * v) / t) / 10)}%` : compact(v)));
  o.bars.forEach((b, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${xml(b.label)}</text>`);
    const total = totals[i];
    const len = scale(total);
    let x = plotX;
    b.values.forEach((v, k) => {
      if (v <= 0 || total <= 0) return;
      const w = (len * v) / total;
      const fill = PALETTE[k % PALETTE.length];
      out.push(
        `<rect x="${num(x)}" y="${y + 3}" width="${num(w)}" height="${rowH - 8}" ` +
          `fill="${fill}"><title>${xml(o.series[k])}: ${thousands(v)} (${
            num((100 * v) / total)
          }%)</title></rect>`,
      );
      const label = fmtValue(v, total);
      if (textWidth(label, 11) + 6 <= w) {
        out.push(
          `<text x="${num(x + w / 2)}" y="${y + 15}" text-anchor="middle" font-size="11" ` +
            `fill="${ink(fill)}">${xml(label)}</text>`,
        );
      }
      x += w;
    });
    const tail = `${fmtTotal(total)} ${o.unit ?? ""}`.trim();
    out.push(`<text x="${num(plotX + len + 6)}" y="${y + 15}">${xml(tail)}</text>`);
  });
  legend(out, o.series, legendY);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** One row of a range chart: the spread of one quantity over repeated runs. */
export interface RangeRow {
  /** Label left of the row. */
  label: string;
  /** Every value measured. */
  values: number[];
}

/** Options of {@linkcode rangeChart}. */
export interface RangeChartOptions {
  /** Title. */
  title: string;
  /** The rows. */
  rows: RangeRow[];
  /** Axis label. */
  axis: string;
  /** Formats values on the marks (default: compact). */
  format?: (v: number) => string;
  /** Start the axis at the smallest value (rounded down) instead of 0. */
  zoom?: boolean;
}

/**
 * A range chart: per row, a line from the smallest to the largest value, a
 * tick per run and a diamond at the mean, with min, mean and max written on
 * the marks.
 */
export function rangeChart(o: RangeChartOptions): string {
  const width = FIGURE_WIDTH;
  const labelW = Math.min(300, Math.max(110, ...o.rows.map((r) => textWidth(r.label) + 16)));
  const plotX = labelW + 10;
  const plotW = width - plotX - 30;
  const rowH = 46;
  const top = 44;
  const all = o.rows.flatMap((r) => r.values);
  const hi = Math.max(1, ...all);
  const lo0 = Math.min(...all);
  const ticksHi = niceTicks(hi);
  let lo = 0;
  if (o.zoom) {
    const span = hi - lo0;
    const step = niceTicks(span > 0 ? span : hi, 4)[1];
    lo = Math.max(0, Math.floor((lo0 - span * 0.1) / step) * step);
  }
  const ticks = o.zoom
    ? niceTicks(hi - lo).map((t) => lo + t).filter((_t, i, a) => i === 0 || a[i - 1] < hi)
    : ticksHi;
  const axisMax = ticks[ticks.length - 1];
  const x = (v: number) => plotX + (plotW * (v - lo)) / (axisMax - lo || 1);
  const fmt = o.format ?? compact;
  const axisY = top + o.rows.length * rowH + 4;
  const height = axisY + 44;
  const out = svgOpen(width, height);
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold">${xml(o.title)}</text>`);
  for (const t of ticks) {
    out.push(
      `<line x1="${num(x(t))}" y1="${top - 4}" x2="${num(x(t))}" y2="${axisY}" stroke="#dddddd"/>`,
    );
    out.push(
      `<text x="${num(x(t))}" y="${axisY + 15}" text-anchor="middle" font-size="11">${
        xml(fmt(t))
      }</text>`,
    );
  }
  out.push(
    `<line x1="${plotX}" y1="${axisY}" x2="${plotX + plotW}" y2="${axisY}" stroke="#555555"/>`,
  );
  out.push(
    `<text x="${num(plotX + plotW / 2)}" y="${axisY + 32}" text-anchor="middle">${
      xml(o.axis)
    }</text>`,
  );
  o.rows.forEach((r, i) => {
    const y = top + i * rowH + 20;
    const min = Math.min(...r.values);
    const max = Math.max(...r.values);
    const mean = r.values.reduce((s, v) => s + v, 0) / Math.max(1, r.values.length);
    const color = PALETTE[i % PALETTE.length];
    out.push(`<text x="${labelW}" y="${y + 4}" text-anchor="end">${xml(r.label)}</text>`);
    out.push(
      `<line x1="${num(x(min))}" y1="${y}" x2="${num(x(max))}" y2="${y}" stroke="${color}" ` +
        `stroke-width="3"/>`,
    );
    for (const v of r.values) {
      out.push(
        `<line x1="${num(x(v))}" y1="${y - 6}" x2="${num(x(v))}" y2="${y + 6}" ` +
          `stroke="${color}"/>`,
      );
    }
    const m = x(mean);
    out.push(
      `<path d="M ${num(m)} ${y - 7} L ${num(m + 7)} ${y} L ${num(m)} ${y + 7} L ${
        num(m - 7)
      } ${y} Z" fill="#000000"><title>mean ${xml(fmt(mean))}</title></path>`,
    );
    const text = (at: number, y2: number, anchor: string, t: string) =>
      out.push(
        `<text x="${num(at)}" y="${y2}" text-anchor="${anchor}" font-size="11">${xml(t)}</text>`,
      );
    text(m, y - 10, "middle", `mean ${fmt(mean)}`);
    if (x(max) - x(min) < 110) {
      text(
        (x(min) + x(max)) / 2,
        y + 19,
        "middle",
        min === max
          ? `all ${r.values.length} runs: ${fmt(min)}`
          : `min ${fmt(min)}, max ${fmt(max)}`,
      );
    } else {
      text(x(min), y + 19, "start", `min ${fmt(min)}`);
      text(x(max), y + 19, "end", `max ${fmt(max)}`);
    }
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

/** Legend texts of a matrix's levels. */
export type MatrixLegend = Partial<Record<MatrixCell["level"], string>>;

/** A matrix of colored cells (rows × columns) with the text written in each cell. */
export function matrix(
  title: string,
  rows: string[],
  columns: string[],
  cells: MatrixCell[][],
  legendText: MatrixLegend = {
    ok: "runs, identical output",
    partial: "runs with stubs added",
    fail: "fails",
  },
): string {
  const labelW = Math.min(260, Math.max(110, ...rows.map((r) => textWidth(r) + 16)));
  const colW = Math.max(
    90,
    Math.min(170, Math.floor((FIGURE_WIDTH - labelW - 20) / columns.length)),
  );
  const rowH = 40;
  const top = 60;
  const width = Math.max(FIGURE_WIDTH, labelW + columns.length * colW + 20);
  const height = top + rows.length * rowH + 44;
  const out = svgOpen(width, height);
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold">${xml(title)}</text>`);
  const chars = Math.max(8, Math.floor((colW - 10) / 6.2));
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
      const lines = wrap(c.text, chars).slice(0, 2);
      lines.forEach((l, k) => {
        const ty = y + rowH / 2 + 4 + (k - (lines.length - 1) / 2) * 13;
        out.push(
          `<text x="${x + colW / 2}" y="${num(ty)}" text-anchor="middle" font-size="11">${
            xml(l)
          }</text>`,
        );
      });
    });
  });
  const ly = top + rows.length * rowH + 24;
  const entries = Object.entries(legendText) as [MatrixCell["level"], string][];
  legend(out, entries.map(([, t]) => t), ly, entries.map(([lv]) => LEVEL_COLORS[lv]));
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
