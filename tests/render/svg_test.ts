import { equal, ok } from "node:assert/strict";
import {
  compact,
  matrix,
  niceTicks,
  num,
  rangeChart,
  stackedBars,
  wrap,
  xml,
} from "../../lib/render/svg.ts";

/** Checks that every opened element is closed in order (a small well-formedness check). */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return stack.length === 0;
}

Deno.test("stacked bars: well formed, escaped, same bytes for the same data", () => {
  const o = {
    title: "a <b> & c",
    series: ["x", "y"],
    bars: [{ label: "one", values: [1, 3] }, { label: "two", values: [0, 2] }],
    unit: "calls",
  };
  const a = stackedBars(o);
  equal(a, stackedBars(o));
  ok(a.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  ok(balanced(a));
  ok(a.includes("a &lt;b&gt; &amp; c"));
  // Bar lengths are proportional to totals (4 and 2): the second bar's one segment is half
  // as long as the first bar's two together.
  const widths = [...a.matchAll(/<rect x="[\d.]+" y="\d+" width="([\d.]+)" height="18"/g)]
    .map((m) => Number(m[1]));
  equal(widths.length, 3);
  ok(Math.abs(widths[0] + widths[1] - 2 * widths[2]) < 0.05, widths.join(" "));
  ok(Math.abs(widths[1] - 3 * widths[0]) < 0.05);
  // Printable: an x axis with ticks and its label, values written on the marks.
  ok(a.includes(">calls</text>"));
  ok(/<text[^>]*>0<\/text>/.test(a));
  const p = stackedBars({ ...o, percent: true });
  ok(balanced(p));
  ok(p.includes(">75%</text>") && p.includes(">100%</text>"));
});

Deno.test("matrix: one cell per row and column, legend", () => {
  const svg = matrix("m", ["r1", "r2"], ["c1"], [[{ text: "runs", level: "ok" }], [{
    text: "stops: clone",
    level: "fail",
  }]]);
  ok(balanced(svg));
  equal((svg.match(/<title>/g) ?? []).length, 2);
  ok(svg.includes("stops: clone"));
});

Deno.test("number and text helpers", () => {
  equal(num(1 / 3), "0.33");
  equal(num(-0.001), "0");
  equal(xml('"'), "&quot;");
  equal(wrap("aaa bbb ccc", 7).join("|"), "aaa bbb|ccc");
});

Deno.test("range chart: min, mean and max written on the marks; nice axis ticks", () => {
  const svg = rangeChart({
    title: "spread",
    rows: [{ label: "a", values: [10, 20, 30] }, { label: "b", values: [5, 5] }],
    axis: "things",
  });
  ok(balanced(svg));
  ok(svg.includes("min 10") && svg.includes("mean 20") && svg.includes("max 30"));
  ok(svg.includes(">things</text>"));
  equal(niceTicks(95).join(","), "0,20,40,60,80,100");
  equal(compact(1_500_000), "1.5M");
  equal(compact(12_345), "12.3k");
});
