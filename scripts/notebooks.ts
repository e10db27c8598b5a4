/**
 * `deno task notebooks`: re-executes every notebook in `notebooks/` headless
 * with the Deno Jupyter kernel and writes the outputs back; with `--check`
 * executes copies instead and fails when any committed output differs.
 * Either way a cell error fails the run.
 *
 * ```
 * deno task notebooks [--check] [NAME...]
 * ```
 *
 * Needs `jupyter nbconvert` with nbclient (Debian's `jupyter-nbconvert`,
 * `jupyter-client`, `python3-nbclient`; installed with apt when missing and
 * running as root) and the Deno kernelspec (`deno jupyter --install`, done
 * here when missing). Saved notebooks carry no execution timings, so
 * re-running them changes nothing unless an output changed.
 * @module
 */

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
/** The notebooks directory. */
export const NOTEBOOK_DIR = `${ROOT}/notebooks`;

/** A notebook cell as stored. */
interface Cell {
  cell_type: string;
  id?: string;
  metadata?: Record<string, unknown>;
  source: string | string[];
  outputs?: Record<string, unknown>[];
  execution_count?: number | null;
}

/** A notebook as stored. */
interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

function runQuiet(cmd: string, args: string[]): { ok: boolean; out: string } {
  try {
    const o = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
    const d = new TextDecoder();
    return { ok: o.success, out: d.decode(o.stdout) + d.decode(o.stderr) };
  } catch (e) {
    return { ok: false, out: (e as Error).message };
  }
}

/** True when `jupyter nbconvert` and nbclient are installed. */
export function haveJupyter(): boolean {
  // jupyter's own Python, which need not be the first python3 on PATH, must have nbclient.
  const v = runQuiet("jupyter", ["--version"]);
  return v.ok && /^nbclient\s*:\s*\d/m.test(v.out) && /^nbconvert\s*:\s*\d/m.test(v.out);
}

/** True when the Deno kernelspec is installed. */
export function haveDenoKernel(): boolean {
  const r = runQuiet("jupyter", ["kernelspec", "list"]);
  return r.ok && /^\s*deno\s/m.test(r.out);
}

/**
 * Makes Jupyter and the Deno kernel available: apt-installs Debian's
 * packages when missing (as root), then installs the kernelspec. Returns a
 * reason when that is not possible.
 */
export function ensureJupyter(): string | undefined {
  if (!haveJupyter()) {
    if (Deno.uid?.() !== 0) return "jupyter nbconvert and nbclient are not installed (need root)";
    runQuiet("apt-get", ["update", "-qq"]);
    const r = runQuiet("apt-get", [
      "install",
      "-y",
      "-qq",
      "jupyter-nbconvert",
      "jupyter-client",
      "python3-nbclient",
    ]);
    if (!r.ok || !haveJupyter()) return `installing jupyter failed: ${r.out.slice(-300)}`;
  }
  if (!haveDenoKernel()) {
    const r = runQuiet(Deno.execPath(), ["jupyter", "--install", "--force"]);
    if (!r.ok || !haveDenoKernel()) {
      return `installing the Deno kernel failed: ${r.out.slice(-300)}`;
    }
  }
  return undefined;
}

/** Notebook files in `notebooks/`, sorted (or those named). */
export function notebookFiles(names: readonly string[] = []): string[] {
  const all: string[] = [];
  for (const e of Deno.readDirSync(NOTEBOOK_DIR)) {
    if (e.isFile && e.name.endsWith(".ipynb") && !e.name.startsWith(".")) all.push(e.name);
  }
  all.sort();
  if (names.length === 0) return all.map((n) => `${NOTEBOOK_DIR}/${n}`);
  return names.map((n) => {
    const file = n.endsWith(".ipynb") ? n.split("/").pop()! : `${n}.ipynb`;
    if (!all.includes(file)) throw new Error(`no notebook ${file} in notebooks/`);
    return `${NOTEBOOK_DIR}/${file}`;
  });
}

/**
 * Canonical form of a notebook: no execution timings in cell metadata, and
 * the repository's path replaced by `<repo>` in outputs (so outputs do not
 * depend on where the checkout is).
 */
export function normalize(nb: Notebook): Notebook {
  const cells = nb.cells.map((c) => {
    const metadata = { ...(c.metadata ?? {}) };
    delete metadata.execution;
    const out: Cell = { ...c, metadata };
    if (c.outputs) out.outputs = JSON.parse(JSON.stringify(c.outputs).split(ROOT).join("<repo>"));
    return out;
  });
  return { ...nb, cells };
}

/** The parts of a notebook the check compares: each cell's source and outputs. */
export function outputsOf(nb: Notebook): { source: string; outputs: string }[] {
  return nb.cells.map((c) => ({
    source: Array.isArray(c.source) ? c.source.join("") : c.source,
    outputs: JSON.stringify(c.outputs ?? []),
  }));
}

/** Writes a notebook as Jupyter does (one-space indent, trailing newline). */
export function writeNotebook(path: string, nb: Notebook): void {
  Deno.writeTextFileSync(path, JSON.stringify(nb, null, 1) + "\n");
}

/** Executes `path` in place with nbconvert; returns nbconvert's output on failure. */
export function execute(path: string, timeoutSeconds = 1800): string | undefined {
  const r = runQuiet("jupyter", [
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    "--inplace",
    `--ExecutePreprocessor.timeout=${timeoutSeconds}`,
    "--ExecutePreprocessor.kernel_name=deno",
    "--ExecutePreprocessor.record_timing=False",
    path,
  ]);
  return r.ok ? undefined : r.out;
}

/**
 * Cells that call `show(...)` but have no output: the Deno kernel lost it
 * (it can report a cell idle before its output is sent).
 */
export function lostOutputs(nb: Notebook): number[] {
  const lost: number[] = [];
  nb.cells.forEach((c, i) => {
    const src = Array.isArray(c.source) ? c.source.join("") : c.source;
    if (c.cell_type === "code" && /\bshow\(/.test(src) && (c.outputs ?? []).length === 0) {
      lost.push(i + 1);
    }
  });
  return lost;
}

/** Differences between two notebooks' sources and outputs, one line each. */
export function differences(committed: Notebook, fresh: Notebook): string[] {
  const a = outputsOf(normalize(committed));
  const b = outputsOf(normalize(fresh));
  const out: string[] = [];
  if (a.length !== b.length) out.push(`cell count ${a.length} != ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i].source !== b[i].source) out.push(`cell ${i + 1}: source differs`);
    else if (a[i].outputs !== b[i].outputs) {
      let at = 0;
      while (at < a[i].outputs.length && a[i].outputs[at] === b[i].outputs[at]) at++;
      out.push(
        `cell ${i + 1}: outputs differ near: committed ${
          JSON.stringify(a[i].outputs.slice(Math.max(0, at - 40), at + 80))
        } vs fresh ${JSON.stringify(b[i].outputs.slice(Math.max(0, at - 40), at + 80))}`,
      );
    }
  }
  return out;
}

/**
 * Runs the notebooks. In check mode each runs from a hidden copy beside it
 * (relative imports keep working) and is compared with the committed one.
 * Returns the exit status.
 */
export function runNotebooks(
  names: readonly string[],
  check: boolean,
  log: (line: string) => void = console.log,
): number {
  const why = ensureJupyter();
  if (why) {
    log(`notebooks: ${why}`);
    return 1;
  }
  let failed = 0;
  for (const file of notebookFiles(names)) {
    const name = file.split("/").pop()!;
    const started = performance.now();
    const committed = JSON.parse(Deno.readTextFileSync(file)) as Notebook;
    const target = check ? `${NOTEBOOK_DIR}/.check-${Deno.pid}-${name}` : file;
    if (check) writeNotebook(target, committed);
    try {
      let err: string | undefined;
      let fresh: Notebook | undefined;
      // A run whose outputs the kernel dropped is repeated (up to 3 runs).
      for (let attempt = 1; attempt <= 3; attempt++) {
        if (attempt > 1) {
          log(`  ${name}: outputs of cells ${lostOutputs(fresh!).join(", ")} lost; running again`);
          writeNotebook(target, committed);
        }
        err = execute(target);
        if (err) break;
        fresh = normalize(JSON.parse(Deno.readTextFileSync(target)) as Notebook);
        if (lostOutputs(fresh).length === 0) break;
      }
      if (err || !fresh) {
        failed++;
        log(`FAIL ${name}: a cell failed\n${(err ?? "").split("\n").slice(-25).join("\n")}`);
        continue;
      }
      if (lostOutputs(fresh).length > 0) {
        failed++;
        log(`FAIL ${name}: outputs of cells ${lostOutputs(fresh).join(", ")} lost three times`);
        continue;
      }
      if (check) {
        const diff = differences(committed, fresh);
        if (diff.length > 0) {
          failed++;
          log(`FAIL ${name}: committed outputs are not current\n  ${diff.join("\n  ")}`);
          continue;
        }
      } else writeNotebook(file, fresh);
      log(`ok ${name} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    } finally {
      if (check) {
        try {
          Deno.removeSync(target);
        } catch {
          // already gone
        }
      }
    }
  }
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  const args = Deno.args.filter((a) => a !== "--check");
  Deno.exit(runNotebooks(args, Deno.args.includes("--check")));
}
