import { equal, ok } from "node:assert/strict";
import { matrix, num, stackedBars, wrap, xml } from "../../lib/render/svg.ts";

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
  // Bar lengths are proportional to totals: 4 → 520 px, 2 → 260 px.
  ok(a.includes('width="130"') && a.includes('width="390"') && a.includes('width="260"'));
  ok(balanced(stackedBars({ ...o, percent: true })));
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
