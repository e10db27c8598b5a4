/**
 * `deno task bench`: wall time, instructions per second and the ratio to
 * `qemu-riscv64` of zkabi on the benchmark workloads, measured side by side
 * in the same run.
 *
 * Both emulators run as fresh processes (`deno run -A cli.ts run …` and
 * `qemu-riscv64 …`), so both wall times include start-up; the runs of one
 * workload alternate between the two, and each keeps its best of
 * `--repeats` (more for short workloads: until zkabi's runs add up to 2 s,
 * at most 20). The retired instruction count comes from zkabi's `--stats`
 * (it is deterministic) and the guest's stdout must be the same under both.
 *
 * Workloads ({@linkcode CASES}): busybox `sha256sum` of 20 MiB (the static
 * busybox of the Debian tests' pinned packages, fetched into `.cache/`), a
 * C loop whose body is one 6-instruction block (`bench/guests/tight_loop.c`),
 * the Go goroutine program (`tests/guests/go_threads`), the geth keeper
 * (when a binary is present, see {@linkcode CASES}), the Go t8n
 * stand-in, the Rust stateless validator and the 18-instruction C loop. A
 * workload whose files are missing is reported as skipped, with the reason.
 *
 * Flags: `--repeats N` (default 3), `--only NAME[,NAME…]`, `--json FILE`,
 * `--markdown` (prints the README table with the machine it ran on),
 * `--backend wasm|js` (the compiled tier's code generator, through
 * `bench/backend_run.ts`; default: the command line's, WebAssembly),
 * `--cli PATH` (another checkout's `cli.ts`, for before/after tables).
 * @module
 */

import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { prepareSysroot } from "../tests/debian/fetch.ts";
import { benchGuestPath, ensureBenchGuest } from "./build.ts";

/** A runnable workload: paths relative to the repository root. */
export interface BenchProgram {
  /** The ELF. */
  program: string;
  /** Guest arguments. */
  args: string[];
  /** Extra zkabi `run` options (the same guest view as qemu's). */
  zkabiOptions?: string[];
  /** qemu-riscv64 -L sysroot, when the guest is dynamic. */
  sysroot?: string;
}

/** One benchmark workload. */
export interface BenchCase {
  /** Short name. */
  name: string;
  /** What it is, for the table. */
  description: string;
  /** Makes the files ready; returns the program, or a reason to skip. */
  prepare: () => Promise<BenchProgram | string>;
}

/** One measured row. */
export interface BenchRow {
  /** Workload name. */
  name: string;
  /** What it is. */
  description: string;
  /** Retired instructions (deterministic). */
  instructions: number;
  /** Threads the guest ran. */
  threads: number;
  /** Best zkabi wall time in seconds (process start to exit). */
  zkabiSeconds: number;
  /** Millions of instructions per second (instructions / best zkabi wall time). */
  mips: number;
  /** Best qemu-riscv64 wall time in seconds, if qemu ran. */
  qemuSeconds?: number;
  /** zkabi time divided by qemu time. */
  ratio?: number;
}

const ROOT = new URL("..", import.meta.url).pathname;
const CACHE = join(ROOT, ".cache", "bench");

function exists(path: string): boolean {
  try {
    Deno.statSync(join(ROOT, path));
    return true;
  } catch {
    return false;
  }
}

/** A fixed program: skipped when its file is missing. */
function fixed(p: BenchProgram, hint: string): () => Promise<BenchProgram | string> {
  return () => Promise.resolve(exists(p.program) ? p : `${p.program} not built (${hint})`);
}

/** The 20 MiB input of the sha256sum workload: deterministic xorshift bytes. */
function sha256Input(): string {
  const rel = ".cache/bench/sha256_input_20m.bin";
  const size = 20 * 1024 * 1024;
  try {
    if (Deno.statSync(join(ROOT, rel)).size === size) return rel;
  } catch {
    // Not made yet.
  }
  const buf = new Uint8Array(size);
  const w = new Uint32Array(buf.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < w.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w[i] = x;
  }
  Deno.mkdirSync(CACHE, { recursive: true });
  Deno.writeFileSync(join(ROOT, rel), buf);
  return rel;
}

/**
 * The geth keeper: `guests/bin/geth/geth-keeper` (or its `.gz`, unpacked into
 * the cache), else the locally built binary where the geth tests look for it
 * (`$ZKABI_GETH_DIR/bin/geth-keeper`, default `.cache/geth/bin/geth-keeper`).
 */
function gethKeeper(): Promise<BenchProgram | string> {
  const plain = "guests/bin/geth/geth-keeper";
  if (exists(plain)) return Promise.resolve({ program: plain, args: [] });
  const gz = `${plain}.gz`;
  if (exists(gz)) {
    const rel = ".cache/bench/geth-keeper";
    const packed = Deno.statSync(join(ROOT, gz));
    let fresh = false;
    try {
      fresh = Deno.statSync(join(ROOT, rel)).mtime! >= packed.mtime!;
    } catch {
      // Not unpacked yet.
    }
    if (!fresh) {
      Deno.mkdirSync(CACHE, { recursive: true });
      Deno.writeFileSync(join(ROOT, rel), gunzipSync(Deno.readFileSync(join(ROOT, gz))), {
        mode: 0o755,
      });
    }
    return Promise.resolve({ program: rel, args: [] });
  }
  const dir = Deno.env.get("ZKABI_GETH_DIR") ?? join(ROOT, ".cache", "geth");
  const built = join(dir, "bin", "geth-keeper");
  try {
    Deno.statSync(built);
    return Promise.resolve({ program: built, args: [] });
  } catch {
    return Promise.resolve(
      `no geth keeper binary (${plain}[.gz] or ${built}; see guests/geth/README.md on the geth ` +
        "branch); go-t8n stands in",
    );
  }
}

/** The workloads, in table order. */
export const CASES: BenchCase[] = [
  {
    name: "busybox-sha256",
    description: "busybox sha256sum of 20 MiB",
    prepare: async () => {
      const s = await prepareSysroot({ log: () => {} });
      if (!s.ok) return `Debian packages unavailable: ${s.reason}`;
      const busybox = join(s.sysroot, "usr", "bin", "busybox").slice(ROOT.length);
      return { program: busybox, args: ["sha256sum", sha256Input()] };
    },
  },
  {
    name: "tight-loop",
    description: "C loop, one 6-instruction block",
    prepare: () => {
      const why = ensureBenchGuest("tight_loop");
      return Promise.resolve(why ?? { program: benchGuestPath("tight_loop"), args: [] });
    },
  },
  {
    name: "go-threads",
    description: "Go goroutines, channels, mutex, timers",
    prepare: fixed(
      { program: "tests/guests/bin/go_threads", args: [] },
      "deno run -A tests/guests/build.ts",
    ),
  },
  {
    name: "geth-keeper",
    description: "geth keeper, Hoodi block 1151683",
    prepare: gethKeeper,
  },
  {
    name: "go-t8n",
    description: "Go t8n state transition",
    prepare: fixed({
      program: "guests/bin/go/t8n",
      args: [
        "--input.alloc=guests/fixtures/t8n/alloc.json",
        "--input.env=guests/fixtures/t8n/env.json",
        "--input.txs=guests/fixtures/t8n/txs.json",
      ],
    }, "deno task guests"),
  },
  {
    name: "rust-stateless",
    description: "Rust block validation (static)",
    prepare: fixed({
      program: "guests/bin/rust/stateless-static",
      args: ["guests/fixtures/stateless_input.json"],
    }, "deno task guests"),
  },
  {
    name: "c-loop",
    description: "C loop, 18 instructions, 2 branches",
    prepare: fixed({ program: "guests/bin/c/loop", args: [] }, "deno task guests"),
  },
];

function tool(cmd: string, args: string[]): string | undefined {
  try {
    const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout) : undefined;
  } catch {
    return undefined;
  }
}

/** qemu-riscv64's version line, or undefined when it is absent. */
function qemuVersion(): string | undefined {
  return tool("qemu-riscv64", ["--version"])?.split("\n")[0].trim();
}

interface Timed {
  seconds: number;
  stdout: Uint8Array;
}

function timeProcess(cmd: string, args: string[], what: string): Timed {
  const t0 = performance.now();
  const out = new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
    .outputSync();
  const seconds = (performance.now() - t0) / 1000;
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`${what} failed (exit ${out.code}): ${err}`);
  }
  return { seconds, stdout: out.stdout };
}

const STATS = join(CACHE, "stats.json");

/** The compiled tier's code generator the zkabi runs use (`--backend`); default the CLI's. */
let backend: "wasm" | "js" | undefined;
/** The zkabi command line the runs use (`--cli`: another checkout's, for before/after tables). */
let cli = "cli.ts";

function timeZkabi(p: BenchProgram, name: string): Timed & { instret: number; threads: number } {
  const args = backend === undefined
    ? [
      "run",
      "-A",
      cli,
      "run",
      "--stats",
      STATS,
      ...(p.sysroot ? ["--sysroot", p.sysroot] : []),
      ...(p.zkabiOptions ?? []),
      "--",
      p.program,
      ...p.args,
    ]
    : ["run", "-A", "bench/backend_run.ts", backend, STATS, p.program, ...p.args];
  const t = timeProcess(Deno.execPath(), args, `zkabi on ${name}`);
  const stats = JSON.parse(Deno.readTextFileSync(STATS)) as { instret: number; threads: number };
  return { ...t, instret: stats.instret, threads: stats.threads };
}

function timeQemu(p: BenchProgram, name: string): Timed {
  const args = [...(p.sysroot ? ["-L", p.sysroot] : []), p.program, ...p.args];
  return timeProcess("qemu-riscv64", args, `qemu-riscv64 on ${name}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** zkabi's runs of one workload add up to this much at least (seconds), within MAX_RUNS. */
const MIN_SECONDS = 2;
/** Runs of one workload at most. */
const MAX_RUNS = 20;

/**
 * Runs every available case `repeats` times (short ones more: until zkabi's
 * runs add up to MIN_SECONDS, at most MAX_RUNS), alternating zkabi and qemu,
 * and keeps the best times.
 */
export async function benchmark(repeats: number, only?: readonly string[]): Promise<BenchRow[]> {
  const qemu = qemuVersion() !== undefined;
  if (!qemu) console.log("qemu-riscv64 not found: skipping the qemu comparison");
  Deno.mkdirSync(CACHE, { recursive: true });
  const rows: BenchRow[] = [];
  for (const c of CASES) {
    if (only && !only.includes(c.name)) continue;
    const p = await c.prepare();
    if (typeof p === "string") {
      console.log(`${c.name.padEnd(16)} skipped: ${p}`);
      continue;
    }
    let best = Infinity;
    let bestQemu = Infinity;
    let instret = 0;
    let threads = 0;
    // Short workloads run more often (best of more runs), so that a burst of load on the
    // machine moves their ratio no more than a long workload's.
    let runs = repeats;
    for (let i = 0; i < runs; i++) {
      const z = timeZkabi(p, c.name);
      if (i === 0) runs = Math.max(repeats, Math.min(MAX_RUNS, Math.ceil(MIN_SECONDS / z.seconds)));
      best = Math.min(best, z.seconds);
      instret = z.instret;
      threads = z.threads;
      if (qemu) {
        const q = timeQemu(p, c.name);
        bestQemu = Math.min(bestQemu, q.seconds);
        if (!sameBytes(q.stdout, z.stdout)) {
          throw new Error(`${c.name}: zkabi and qemu-riscv64 printed different output`);
        }
      }
    }
    const row: BenchRow = {
      name: c.name,
      description: c.description,
      instructions: instret,
      threads,
      zkabiSeconds: best,
      mips: instret / best / 1e6,
    };
    if (qemu) {
      row.qemuSeconds = bestQemu;
      row.ratio = best / bestQemu;
    }
    rows.push(row);
    console.log(formatRow(row));
  }
  return rows;
}

function formatRow(r: BenchRow): string {
  const q = r.qemuSeconds === undefined
    ? "qemu: n/a"
    : `qemu ${r.qemuSeconds.toFixed(3)} s  zkabi/qemu ${r.ratio!.toFixed(2)}x`;
  return `${r.name.padEnd(16)} ${String(r.instructions).padStart(13)} insns  ` +
    `${r.zkabiSeconds.toFixed(3)} s  ${r.mips.toFixed(0).padStart(5)} MIPS  ${q}`;
}

/**
 * Builds the bundled run path of the measured checkout (`lib/front/bundle.ts`)
 * so that every timed run loads it, as a user's runs do after the first;
 * returns what it said. Checkouts from before the bundle run from sources.
 */
function bundleRunPath(): string {
  const builder = resolve(ROOT, cli, "..", "lib", "front", "bundle.ts");
  try {
    Deno.statSync(builder);
  } catch {
    return "run path: from the sources (no lib/front/bundle.ts)";
  }
  const out = new Deno.Command(Deno.execPath(), { args: ["run", "-A", builder], stdout: "piped" })
    .outputSync();
  return new TextDecoder().decode(out.stdout).trim().replace(/^zkabi: /, "");
}

/** Best wall time of zkabi running the C `hello` guest (start-up cost). */
export function startupSeconds(repeats: number): number {
  let best = Infinity;
  const args = ["run", "-A", cli, "run", "guests/bin/c/hello"];
  for (let i = 0; i < repeats; i++) {
    best = Math.min(best, timeProcess(Deno.execPath(), args, "zkabi on hello").seconds);
  }
  return best;
}

/** One line naming the machine, Deno and qemu (for the README table). */
export function machine(): string {
  let cpu = "unknown CPU";
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    cpu = info.match(/^model name\s*:\s*(.+)$/m)?.[1].trim() ?? cpu;
  } catch {
    // Not Linux.
  }
  const cores = navigator.hardwareConcurrency;
  return `${cpu}, ${cores} cores; Deno ${Deno.version.deno} (V8 ${Deno.version.v8}); ` +
    `${qemuVersion() ?? "no qemu-user"}`;
}

/** The rows as a Markdown table. */
export function markdown(rows: readonly BenchRow[]): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const lines = [
    "| workload | instructions | threads | zkabi | MIPS | qemu-user | zkabi / qemu |",
    "| --- | --: | --: | --: | --: | --: | --: |",
  ];
  for (const r of rows) {
    const q = r.qemuSeconds === undefined ? "n/a" : `${r.qemuSeconds.toFixed(2)} s`;
    const ratio = r.ratio === undefined ? "n/a" : `${r.ratio.toFixed(2)}x`;
    lines.push(
      `| \`${r.name}\` (${r.description}) | ${n(r.instructions)} | ${r.threads} | ` +
        `${r.zkabiSeconds.toFixed(2)} s | ${n(Math.round(r.mips))} | ${q} | ${ratio} |`,
    );
  }
  return lines.join("\n");
}

/** Parses the bench's flags; a bad one is one line on stderr and exit status 125. */
function benchFlags(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        repeats: { type: "string", default: "3" },
        only: { type: "string" },
        json: { type: "string" },
        markdown: { type: "boolean", default: false },
        backend: { type: "string" },
        cli: { type: "string" },
      },
    });
  } catch (e) {
    console.error(
      `bench: ${(e as Error).message.split("\n")[0]} (flags: --repeats N --only NAME,... ` +
        "--json FILE --markdown --backend wasm|js --cli PATH)",
    );
    Deno.exit(125);
  }
}

if (import.meta.main) {
  const { values } = benchFlags(Deno.args);
  if (values.cli !== undefined) cli = values.cli;
  if (values.backend !== undefined) {
    if (values.backend !== "wasm" && values.backend !== "js") {
      console.error(`bench: --backend: expected wasm or js, got '${values.backend}'`);
      Deno.exit(125);
    }
    backend = values.backend;
  }
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) {
    console.error(`bench: --repeats: expected a positive integer, got '${values.repeats}'`);
    Deno.exit(125);
  }
  console.log(`machine: ${machine()}`);
  console.log(bundleRunPath());
  const startup = startupSeconds(repeats);
  console.log(`start-up: hello in ${startup.toFixed(3)} s (best of ${repeats})`);
  const rows = await benchmark(repeats, values.only?.split(","));
  if (values.markdown) {
    console.log(
      `\n${markdown(rows)}\n\nStart-up (hello): ${startup.toFixed(2)} s. Measured on: ${machine()}`,
    );
  }
  if (values.json) await Deno.writeTextFile(values.json, JSON.stringify(rows, null, 2) + "\n");
}
