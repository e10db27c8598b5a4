/**
 * The run path as one bundled module. Deno loads a TypeScript module as its
 * emitted JavaScript with an inline source map about three times the size of
 * the source; for the eighty-odd modules `zkabi run` needs that is about
 * 16 ms of every start-up (hello: 58 -> 42 ms). So the launcher (`cli.ts`)
 * loads `run_command.ts` and everything it imports as one JavaScript module
 * that `deno bundle` built. It lives in `.cache/bundle/` of the repository
 * with a manifest of what it was built from: every source file's size and
 * modification time, and Deno's version. When any of them changed the
 * bundle is stale: the launcher runs from the sources and starts a
 * background build (one at a time, under a lock file; after a failed one,
 * none for an hour). `ZKABI_BUNDLE=0` turns the bundle off (stack traces
 * then name the sources).
 *
 * `deno run -A lib/front/bundle.ts` builds it now (and waits for a build
 * under way); `deno task bench` does so before it measures.
 * @module
 */

/** Where the bundle and its manifest live, under the repository. */
export const BUNDLE_DIR = ".cache/bundle";
/** Where compiled regions are kept, one directory per bundle, under the repository. */
export const REGIONS_DIR = ".cache/regions";
/** The module the bundle is built from, under the repository. */
const ENTRY = "lib/front/run_command.ts";
/** Besides the modules: the configuration (compiler options shape the emitted code). */
const CONFIG = "deno.json";
/** A build that started longer ago than this has died: its lock is taken over. */
const LOCK_MS = 120_000;
/**
 * After a failed build (no network for the bundler's first download, say)
 * the launcher starts no other for this long: runs use the sources meanwhile.
 */
const RETRY_MS = 3_600_000;

/** What a bundle was built from. */
export interface BundleManifest {
  /** Deno's version (its bundler and the runtime the bundle was made for). */
  readonly deno: string;
  /** The bundle's file name in the bundle directory. */
  readonly bundle: string;
  /** Each source file, relative to the repository: `[path, size, mtime in ms]`. */
  readonly files: readonly (readonly [string, number, number])[];
}

/** A file's size and modification time (ms), or undefined when it cannot be seen. */
export type StatFn = (rel: string) => { size: number; mtime: number } | undefined;

/** Whether a bundle built as `m` says still matches the files (`stat`) and Deno `deno`. */
export function isCurrent(m: BundleManifest, stat: StatFn, deno: string): boolean {
  if (m.deno !== deno || !/^run-[0-9a-f]+\.js$/.test(m.bundle)) return false;
  if (!Array.isArray(m.files) || m.files.length === 0) return false;
  return m.files.every(([rel, size, mtime]) => {
    const s = stat(rel);
    return s !== undefined && s.size === size && s.mtime === mtime;
  });
}

function statUnder(root: string): StatFn {
  return (rel) => {
    try {
      const s = Deno.statSync(`${root}/${rel}`);
      return { size: s.size, mtime: s.mtime?.getTime() ?? -1 };
    } catch {
      return undefined;
    }
  };
}

/** False when `ZKABI_BUNDLE=0` (environment access not granted: on). */
function enabled(): boolean {
  try {
    const env = { name: "env", variable: "ZKABI_BUNDLE" } as const;
    return Deno.permissions.querySync(env).state !== "granted" ||
      Deno.env.get("ZKABI_BUNDLE") !== "0";
  } catch {
    return true;
  }
}

function fileUrl(path: string): string {
  const u = new URL("file:///");
  u.pathname = path;
  return u.href;
}

/** A current bundle: its file URL, and the directory of the compiled regions kept for it. */
export interface CurrentBundle {
  /** The bundle's file URL. */
  readonly url: string;
  /** `.cache/regions/<the bundle's id>` of the repository (`RunOptions.regionCache`). */
  readonly regionCache: string;
}

/** The current bundle of the repository at `root`, if there is one. */
export function currentBundle(
  root: string,
  dir: string = `${root}/${BUNDLE_DIR}`,
): CurrentBundle | undefined {
  if (!enabled()) return undefined;
  try {
    const m = JSON.parse(Deno.readTextFileSync(`${dir}/manifest.json`)) as BundleManifest;
    if (!isCurrent(m, statUnder(root), Deno.version.deno)) return undefined;
    return {
      url: fileUrl(`${dir}/${m.bundle}`),
      regionCache: `${root}/${REGIONS_DIR}/${m.bundle.replace(/\.js$/, "")}`,
    };
  } catch {
    return undefined;
  }
}

/** Whether `file` exists and was written less than `ms` ago. */
function writtenWithin(file: string, ms: number): boolean {
  try {
    return Date.now() - (Deno.statSync(file).mtime?.getTime() ?? 0) < ms;
  } catch {
    return false;
  }
}

/** Whether a build holds the lock of `dir` (started less than LOCK_MS ago). */
function locked(dir: string): boolean {
  return writtenWithin(`${dir}/lock`, LOCK_MS);
}

/**
 * Starts a background build of the bundle of the repository at `root`,
 * unless the bundle is off, a build is under way, or this process may not
 * write there or run Deno. The launcher does not wait for it.
 */
export function requestBundle(root: string): void {
  const dir = `${root}/${BUNDLE_DIR}`;
  try {
    // After a failed build (recorded in `failed`), none for RETRY_MS.
    if (!enabled() || locked(dir) || writtenWithin(`${dir}/failed`, RETRY_MS)) return;
    const needed = [
      { name: "run" },
      { name: "write", path: dir },
      { name: "read", path: root },
    ] as const;
    if (needed.some((p) => Deno.permissions.querySync(p).state !== "granted")) return;
    Deno.mkdirSync(dir, { recursive: true });
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "--allow-env",
        import.meta.filename!,
      ],
      cwd: root,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn().unref();
  } catch {
    // No bundle this time: the sources serve.
  }
}

interface InfoModule {
  specifier: string;
  dependencies?: { specifier: string; isDynamic?: boolean; code?: { specifier?: string } }[];
}

/** The repository files the entry's module graph is made of (it must load nothing else). */
async function sources(root: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", ENTRY],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`deno info ${ENTRY} failed`);
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
  const prefix = fileUrl(root) + "/";
  const files: string[] = [];
  for (const m of info.modules) {
    if (!m.specifier.startsWith(prefix)) throw new Error(`${ENTRY} loads ${m.specifier}`);
    files.push(decodeURIComponent(m.specifier.slice(prefix.length)));
    for (const d of m.dependencies ?? []) {
      // A dynamic import would resolve against the bundle's place, not the source's.
      if (d.isDynamic) throw new Error(`${m.specifier} imports ${d.specifier} dynamically`);
    }
  }
  return [...files.sort(), CONFIG];
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Builds the bundle of the repository at `root` into `dir` and writes its
 * manifest; returns the manifest, or undefined when another build holds the
 * lock. Throws when the bundler fails or the run path is not self-contained.
 */
export async function buildBundle(
  root: string,
  dir: string = `${root}/${BUNDLE_DIR}`,
): Promise<BundleManifest | undefined> {
  Deno.mkdirSync(dir, { recursive: true });
  const lock = `${dir}/lock`;
  try {
    Deno.writeTextFileSync(lock, `${Deno.pid}\n`, { createNew: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists) || locked(dir)) return undefined;
    Deno.writeTextFileSync(lock, `${Deno.pid}\n`);
  }
  const tmp = `${dir}/build-${Deno.pid}.tmp`;
  try {
    // Recorded before the bundler reads them: an edit meanwhile makes the bundle stale.
    const stat = statUnder(root);
    const files = (await sources(root)).map((rel) => {
      const s = stat(rel);
      if (s === undefined) throw new Error(`${rel}: cannot stat`);
      return [rel, s.size, s.mtime] as const;
    });
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "deno", "--output", tmp, ENTRY],
      cwd: root,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const why = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
      throw new Error(`deno bundle failed: ${why}`);
    }
    const code = Deno.readFileSync(tmp);
    const name = `run-${hex(await crypto.subtle.digest("SHA-256", code)).slice(0, 16)}.js`;
    Deno.renameSync(tmp, `${dir}/${name}`);
    const manifest: BundleManifest = { deno: Deno.version.deno, bundle: name, files };
    const lines = files.map((f) => `  ${JSON.stringify(f)}`).join(",\n");
    const head = `"deno": ${JSON.stringify(manifest.deno)}, "bundle": ${JSON.stringify(name)}`;
    Deno.writeTextFileSync(`${tmp}.json`, `{${head}, "files": [\n${lines}\n]}\n`);
    Deno.renameSync(`${tmp}.json`, `${dir}/manifest.json`);
    for (const e of Deno.readDirSync(dir)) {
      if (e.name.startsWith("run-") && e.name !== name) Deno.removeSync(`${dir}/${e.name}`);
    }
    // Regions kept for older bundles came from another code generator.
    if (dir === `${root}/${BUNDLE_DIR}`) {
      try {
        for (const e of Deno.readDirSync(`${root}/${REGIONS_DIR}`)) {
          if (e.name !== name.replace(/\.js$/, "")) {
            Deno.removeSync(`${root}/${REGIONS_DIR}/${e.name}`, { recursive: true });
          }
        }
      } catch {
        // None kept yet.
      }
    }
    try {
      Deno.removeSync(`${dir}/failed`);
    } catch {
      // No failure on record.
    }
    return manifest;
  } catch (e) {
    // Recorded for the launcher, which then leaves the bundle alone for a while.
    Deno.writeTextFileSync(`${dir}/failed`, `${(e as Error).message.split("\n")[0]}\n`);
    throw e;
  } finally {
    Deno.removeSync(lock);
    try {
      Deno.removeSync(tmp);
    } catch {
      // Renamed, or never written.
    }
  }
}

if (import.meta.main) {
  const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
  const m = await buildBundle(root);
  if (m === undefined) {
    // Another build is under way: wait for it.
    const until = Date.now() + LOCK_MS;
    while (locked(`${root}/${BUNDLE_DIR}`) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const b = currentBundle(root);
  console.log(b === undefined ? "zkabi: no current bundle" : `zkabi: run path bundled in ${b.url}`);
  if (b === undefined) Deno.exit(1);
}
