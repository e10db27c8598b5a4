import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { analyzeBundled, guestRequest } from "../../lib/analysis/bundled.ts";
import { BUNDLED_GUESTS } from "../../lib/analysis/guests.ts";
import { executeRun, RunPool } from "../../lib/analysis/runner.ts";
import {
  bytes,
  int,
  pct,
  readAnalysis,
  renderReport,
  table,
  writeReportFiles,
} from "../../lib/report/findings.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("number formatting", () => {
  equal(int(1234567), "1,234,567");
  equal(int(-1000), "-1,000");
  equal(int(0), "0");
  equal(bytes(3 * 1024), "3 KiB");
  equal(bytes(3.25 * 1024 * 1024), "3.3 MiB");
  equal(pct(1, 3), "33.3%");
  equal(pct(1, 0), "0.0%");
  equal(table(["a", "b"], [[1, "x|y"]]), "| a | b |\n| --- | --- |\n| 1 | x\\|y |\n");
});

async function quickReport(dir: string): Promise<void> {
  const pool = new RunPool(0);
  const a = await analyzeBundled(pool, {
    root: ROOT,
    guests: ["rust-static"],
    quick: true,
    skip: ["vms", "futex"],
  });
  writeReportFiles(dir, renderReport(a));
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of [...Deno.readDirSync(dir)].sort((x, y) => (x.name < y.name ? -1 : 1))) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory) out.push(...listFiles(`${dir}/${e.name}`, `${rel}/`));
    else out.push(rel);
  }
  return out;
}

Deno.test("the report generator is deterministic: two runs, same bytes", async () => {
  const a = Deno.makeTempDirSync();
  const b = Deno.makeTempDirSync();
  try {
    await quickReport(a);
    await quickReport(b);
    const fa = listFiles(a);
    deepEqual(fa, listFiles(b));
    ok(fa.includes("findings.md") && fa.includes("figures/syscalls_by_category.svg"));
    for (const f of fa) {
      equal(Deno.readTextFileSync(`${a}/${f}`), Deno.readTextFileSync(`${b}/${f}`), f);
    }
    const md = Deno.readTextFileSync(`${a}/findings.md`);
    ok(
      !/wall|seconds/i.test(
        md.replace(/Wall-clock times depend.*?`\.cache\/analyze-wall\.json`\)\./s, ""),
      ),
    );
  } finally {
    Deno.removeSync(a, { recursive: true });
    Deno.removeSync(b, { recursive: true });
  }
});

Deno.test("the committed report's syscall table for the static Rust guest is what a run gives", () => {
  let committed;
  try {
    committed = JSON.parse(Deno.readTextFileSync(`${ROOT}reports/data/guests.json`));
  } catch {
    return; // no committed report yet
  }
  const entry = committed.find((g: { guest: { id: string } }) => g.guest.id === "rust-static");
  ok(entry, "rust-static missing from reports/data/guests.json");
  const g = BUNDLED_GUESTS.find((x) => x.id === "rust-static")!;
  const d = executeRun({ ...guestRequest(ROOT, g), profile: "full" });
  deepEqual(entry.profile.syscalls, d.profile.syscalls);
  deepEqual(entry.profile.categories, d.profile.categories);
  deepEqual(entry.profile.phases, d.profile.phases);
  equal(entry.run.stdoutSha256, d.stdoutSha256);
  // The table in findings.md lists the same counts.
  const md = Deno.readTextFileSync(`${ROOT}reports/findings.md`);
  const section = md.slice(md.indexOf("### Rust stateless (static)"));
  for (const [name, row] of Object.entries(d.profile.syscalls)) {
    ok(
      section.includes(`| \`${name}\` | `) &&
        new RegExp(`\\| \`${name}\` \\|[^\\n]*\\| ${row.count} \\| ${row.errors} \\|`).test(
          section,
        ),
      name,
    );
  }
});

Deno.test("the committed report is exactly what its data renders to", () => {
  let a;
  try {
    a = readAnalysis(`${ROOT}reports`);
  } catch {
    return; // no committed report yet
  }
  for (const [rel, text] of renderReport(a)) {
    equal(Deno.readTextFileSync(`${ROOT}reports/${rel}`), text, rel);
  }
});
