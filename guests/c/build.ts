/**
 * Builds the C part of the guest corpus with Debian's riscv64-linux-gnu-gcc:
 * the freestanding one-syscall programs (no libc), the freestanding `loop`
 * benchmark, and the static glibc programs (`pthreads`, `deadlock`, `fpmix`).
 * The list of programs comes from `guests/c/expect.json`, which also holds
 * what each one must print and how it must exit. Binaries are stripped and
 * written to `guests/bin/c/<name>`.
 *
 * Run standalone with `deno run -A guests/c/build.ts`; `guests/build.ts`
 * calls {@link buildC}.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildContext, GuestBuild } from "../build_types.ts";

/** How a C guest is linked. */
export type CGuestKind = "freestanding" | "glibc";

/** One program as listed in `guests/c/expect.json` (the fields the build needs). */
export interface CGuestSource {
  /** Binary name, written to `guests/bin/c/<name>`. */
  name: string;
  /** Source path relative to `guests/c/`. */
  source: string;
  /** `freestanding` (no libc, `freestanding/sys.h`) or `glibc` (static glibc). */
  kind: CGuestKind;
  /** One line saying what the program checks. */
  description: string;
}

const GCC = "riscv64-linux-gnu-gcc";
const STRIP = "riscv64-linux-gnu-strip";

/** Flags shared by every C guest (the file-prefix map is added per build). */
const COMMON_FLAGS: readonly string[] = [
  "-march=rv64gc",
  "-mabi=lp64d",
  "-O2",
  "-static",
  "-fno-pie",
  "-no-pie",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-Wl,--build-id=none",
  "-Wl,-z,noexecstack",
];

/** Extra flags for programs without libc. */
const FREESTANDING_FLAGS: readonly string[] = [
  "-nostdlib",
  "-ffreestanding",
  "-fno-stack-protector",
  "-fno-asynchronous-unwind-tables",
  "-fno-unwind-tables",
  // Separate R / RX / RW segments instead of one RWX segment.
  "-Wl,-z,separate-code",
];

/** Extra flags for static glibc programs. */
const GLIBC_FLAGS: readonly string[] = [
  "-pthread",
  // Keep the FP program's operations exactly as written: no contraction into
  // fma, and honour fesetround between operations.
  "-ffp-contract=off",
  "-frounding-math",
];

/** Libraries linked after the source. */
function libsFor(kind: CGuestKind): string[] {
  return kind === "freestanding" ? ["-lgcc"] : ["-lm"];
}

/** Compiler flags for one kind, with the prefix map for `cDir`. */
export function flagsFor(kind: CGuestKind, cDir: string): string[] {
  return [
    ...COMMON_FLAGS,
    ...(kind === "freestanding" ? FREESTANDING_FLAGS : GLIBC_FLAGS),
    `-ffile-prefix-map=${cDir}=guests/c`,
  ];
}

/** Reads the program list from `expect.json` in `cDir`. */
export async function readCGuestSources(cDir: string): Promise<CGuestSource[]> {
  const text = await Deno.readTextFile(join(cDir, "expect.json"));
  const doc = JSON.parse(text) as { programs: CGuestSource[] };
  return doc.programs.map((p: CGuestSource): CGuestSource => ({
    name: p.name,
    source: p.source,
    kind: p.kind,
    description: p.description,
  }));
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string, args: string[], cwd?: string): Promise<RunResult> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function gccVersion(): Promise<string | null> {
  try {
    const res = await run(GCC, ["--version"]);
    return res.code === 0 ? res.stdout.split("\n")[0].trim() : null;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** Makes sure the cross compiler exists, installing Debian's package as root if needed. */
async function ensureGcc(log: (line: string) => void): Promise<string> {
  const have = await gccVersion();
  if (have !== null) return have;
  if (Deno.uid() !== 0) {
    throw new Error(`${GCC} not found; install gcc-riscv64-linux-gnu (apt-get) and retry`);
  }
  log("c: installing gcc-riscv64-linux-gnu with apt-get");
  await run("apt-get", ["update", "-qq"]);
  const res = await run("apt-get", ["install", "-y", "-qq", "gcc-riscv64-linux-gnu"]);
  if (res.code !== 0) {
    throw new Error(`apt-get install gcc-riscv64-linux-gnu failed:\n${res.stderr}`);
  }
  const now = await gccVersion();
  if (now === null) throw new Error(`${GCC} still missing after apt-get install`);
  return now;
}

/** The cross glibc's Debian package version, e.g. `2.36-8cross1`, or null. */
async function glibcVersion(): Promise<string | null> {
  try {
    const res = await run("dpkg-query", ["-W", "-f", "${Version}", "libc6-dev-riscv64-cross"]);
    return res.code === 0 && res.stdout.trim() !== "" ? res.stdout.trim() : null;
  } catch {
    return null;
  }
}

/** Runs `jobs` with at most `limit` in flight, keeping result order. */
async function pool<T>(limit: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

async function buildOne(
  ctx: BuildContext,
  cDir: string,
  tmpDir: string,
  prog: CGuestSource,
  toolchain: { freestanding: string; glibc: string },
): Promise<GuestBuild> {
  const flags = flagsFor(prog.kind, cDir);
  const unstripped = join(tmpDir, prog.name);
  const out = join(ctx.guestsDir, "bin", "c", prog.name);
  const cc = await run(
    GCC,
    [...flags, "-o", unstripped, prog.source, ...libsFor(prog.kind)],
    cDir,
  );
  if (cc.code !== 0) throw new Error(`c: compiling ${prog.source} failed:\n${cc.stderr}`);
  const st = await run(STRIP, ["--strip-all", "-o", out, unstripped]);
  if (st.code !== 0) throw new Error(`c: stripping ${prog.name} failed:\n${st.stderr}`);
  const size = (await Deno.stat(out)).size;
  ctx.log(`c: ${prog.name} (${prog.kind}, ${size} bytes)`);
  return {
    file: `bin/c/${prog.name}`,
    toolchain: toolchain[prog.kind],
    // The prefix map names a local path; record the portable form.
    flags: [
      ...flags.filter((f: string): boolean => !f.startsWith("-ffile-prefix-map=")),
      "-ffile-prefix-map=<guests/c>=guests/c",
      ...libsFor(prog.kind),
      "strip --strip-all",
    ],
    deterministic: true,
    description: `C ${prog.kind}: ${prog.description}`,
  };
}

/**
 * Compiles every program listed in `guests/c/expect.json`, strips it into
 * `guests/bin/c/<name>` and returns one record per binary, in list order.
 */
export async function buildC(ctx: BuildContext): Promise<GuestBuild[]> {
  const cDir = join(ctx.guestsDir, "c");
  const gcc = await ensureGcc(ctx.log);
  const glibc = await glibcVersion();
  const toolchain = {
    freestanding: `${gcc}, no libc`,
    glibc: `${gcc}, static glibc ${glibc ?? "(riscv64 cross)"}`,
  };
  const programs = await readCGuestSources(cDir);
  await Deno.mkdir(join(ctx.guestsDir, "bin", "c"), { recursive: true });
  await Deno.mkdir(ctx.cacheDir, { recursive: true });
  const tmpDir = await Deno.makeTempDir({ dir: ctx.cacheDir, prefix: "c-build-" });
  try {
    const jobs = programs.map((p: CGuestSource): () => Promise<GuestBuild> => () =>
      buildOne(ctx, cDir, tmpDir, p, toolchain)
    );
    return await pool(Math.max(1, navigator.hardwareConcurrency), jobs);
  } finally {
    await Deno.remove(tmpDir, { recursive: true });
  }
}

if (import.meta.main) {
  const guestsDir = dirname(dirname(fileURLToPath(import.meta.url)));
  const builds = await buildC({
    guestsDir,
    cacheDir: join(dirname(guestsDir), ".cache", "toolchains"),
    log: (line: string): void => console.log(line),
  });
  console.log(JSON.stringify(builds, null, 2));
}
