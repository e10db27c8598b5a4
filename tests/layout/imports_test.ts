/**
 * The layering of `lib/`: no import cycle between two of its folders. Read from `deno info --json` over
 * the entry points, as a reader of the dependency graph would.
 * @module
 */

import { deepEqual, ok } from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const ENTRIES = ["mod.ts", "cli.ts", "repl.ts"];

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

/** Edges folder -> folder (with one example import each) between lib/ folders. */
async function folderEdges(): Promise<Map<string, Map<string, string>>> {
  const lib = new URL("lib/", ROOT).href;
  const edges = new Map<string, Map<string, string>>();
  for (const entry of ENTRIES) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    ok(out.success, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
    for (const m of info.modules) {
      if (!m.specifier.startsWith(lib)) continue;
      const from = m.specifier.slice(lib.length).split("/")[0];
      for (const d of m.dependencies ?? []) {
        for (const target of [d.code?.specifier, d.type?.specifier]) {
          if (!target?.startsWith(lib)) continue;
          const to = target.slice(lib.length).split("/")[0];
          if (to === from) continue;
          let row = edges.get(from);
          if (!row) edges.set(from, row = new Map());
          row.set(to, `${m.specifier.slice(lib.length)} -> ${target.slice(lib.length)}`);
        }
      }
    }
  }
  return edges;
}

Deno.test("lib/: no import cycle between folders", async () => {
  const edges = await folderEdges();
  // Depth-first search for a cycle; report it with one import per edge.
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const cycles: string[] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    path.push(f);
    for (const to of edges.get(f)?.keys() ?? []) {
      if (state.get(to) === "open") {
        const loop = [...path.slice(path.indexOf(to)), to];
        cycles.push(
          loop.slice(1).map((b, i) => edges.get(loop[i])!.get(b)).join("; "),
        );
      } else if (!state.has(to)) visit(to);
    }
    path.pop();
    state.set(f, "done");
  };
  for (const f of [...edges.keys()].sort()) if (!state.has(f)) visit(f);
  deepEqual(cycles, []);
  // The ABI vocabulary is the leaf everything builds on.
  deepEqual([...(edges.get("abi")?.keys() ?? [])], []);
});

Deno.test("`zkabi run` loads no Node compatibility module (each costs start-up time)", async () => {
  // The launcher, and the run path it loads (bundled or from the sources).
  for (const entry of ["cli.ts", "lib/front/run_command.ts"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT,
      stdout: "piped",
    }).output();
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      roots: string[];
      modules: (InfoModule & {
        dependencies?: { specifier: string; isDynamic?: boolean; code?: { specifier?: string } }[];
      })[];
    };
    const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
    // What it loads before it runs a guest: its static imports, transitively.
    const seen = new Set<string>();
    const queue = [...info.roots];
    const node: string[] = [];
    while (queue.length > 0) {
      const s = queue.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const d of bySpecifier.get(s)?.dependencies ?? []) {
        if (d.isDynamic) continue;
        if (d.specifier.startsWith("node:")) {
          node.push(`${s.slice(ROOT.href.length)}: ${d.specifier}`);
        } else if (d.code?.specifier) queue.push(d.code.specifier);
      }
    }
    if (entry === "cli.ts") ok(seen.size <= 3, `the launcher loads ${seen.size} modules itself`);
    else ok(seen.size > 50, `the static graph of ${entry} has ${seen.size} modules`);
    deepEqual(node, [], entry);
  }
});

Deno.test("the package is publishable and its public API documented (deno publish --dry-run, deno doc --lint)", async () => {
  for (const args of [["publish", "--dry-run", "--allow-dirty"], ["doc", "--lint", "mod.ts"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    ok(out.success, `deno ${args.join(" ")}:\n${text.slice(-2000)}`);
  }
});
Deno.test("notebooks import only the public API (mod.ts)", () => {
  const bad: string[] = [];
  for (const e of Deno.readDirSync(new URL("notebooks/", ROOT))) {
    if (!e.name.endsWith(".ipynb")) continue;
    const nb = JSON.parse(Deno.readTextFileSync(new URL(`notebooks/${e.name}`, ROOT)));
    for (const cell of nb.cells) {
      if (cell.cell_type !== "code") continue;
      const src = (cell.source as string[]).join("");
      for (const m of src.matchAll(/from\s+"([^"]+)"/g)) {
        if (m[1] !== "../mod.ts") bad.push(`${e.name}: ${m[1]}`);
      }
    }
  }
  deepEqual(bad, []);
});
