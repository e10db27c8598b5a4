/**
 * `deno task bench`: instructions per second of the interpreter on
 * CPU-bound guests, and the wall-time ratio against `qemu-riscv64` measured
 * on the same machine in the same run (skipped with a message when qemu-user
 * is absent). Prints a table; `--json FILE` also writes the numbers.
 * @module
 */

import { parseArgs } from "node:util";
import { run } from "../lib/run/run.ts";

/** One benchmark guest. */
interface BenchCase {
  /** Short name. */
  name: string;
  /** Path relative to the repository root. */
  program: string;
  /** Guest arguments (paths relative to the repository root). */
  args: string[];
  /** qemu-riscv64 -L sysroot, when the guest is dynamic. */
  sysroot?: string;
}

/** One measured row. */
export interface BenchRow {
  /** Guest name. */
  name: string;
  /** Retired instructions (deterministic). */
  instructions: number;
  /** Best zkabi wall time in seconds. */
  zkabiSeconds: number;
  /** Millions of instructions per second. */
  mips: number;
  /** Best qemu-riscv64 wall time in seconds, if qemu ran. */
  qemuSeconds?: number;
  /** zkabi time divided by qemu time. */
  ratio?: number;
}

const ROOT = new URL("..", import.meta.url).pathname;

const CASES: BenchCase[] = [
  { name: "c-loop", program: "guests/bin/c/loop", args: [] },
  {
    name: "rust-stateless",
    program: "guests/bin/rust/stateless-static",
    args: ["guests/fixtures/stateless_input.json"],
  },
  {
    name: "go-t8n",
    program: "guests/bin/go/t8n",
    args: [
      "--input.alloc=guests/fixtures/t8n/alloc.json",
      "--input.env=guests/fixtures/t8n/env.json",
      "--input.txs=guests/fixtures/t8n/txs.json",
    ],
  },
];

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function qemuAvailable(): boolean {
  try {
    return new Deno.Command("qemu-riscv64", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

function timeQemu(c: BenchCase): number {
  const t0 = performance.now();
  const args = [...(c.sysroot ? ["-L", c.sysroot] : []), c.program, ...c.args];
  const out = new Deno.Command("qemu-riscv64", { args, cwd: ROOT, stdout: "null", stderr: "null" })
    .outputSync();
  if (!out.success) throw new Error(`qemu-riscv64 failed on ${c.name}`);
  return (performance.now() - t0) / 1000;
}

function timeZkabi(c: BenchCase): { seconds: number; instructions: number } {
  const t0 = performance.now();
  const r = run({ program: c.program, args: c.args, cwd: ROOT, sysroot: c.sysroot });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    throw new Error(`zkabi failed on ${c.name}: status ${r.status} ${r.message ?? ""}`);
  }
  return { seconds, instructions: r.stats.instret };
}

/** Runs every available case `repeats` times and keeps the best times. */
export function benchmark(repeats: number, only?: string): BenchRow[] {
  const qemu = qemuAvailable();
  if (!qemu) console.log("qemu-riscv64 not found: skipping the qemu comparison");
  const rows: BenchRow[] = [];
  for (const c of CASES) {
    if (only && c.name !== only) continue;
    if (!exists(ROOT + c.program)) {
      console.log(`${c.name}: ${c.program} not built, skipped`);
      continue;
    }
    let best = Infinity;
    let instructions = 0;
    for (let i = 0; i < repeats; i++) {
      const r = timeZkabi(c);
      best = Math.min(best, r.seconds);
      instructions = r.instructions;
    }
    const row: BenchRow = {
      name: c.name,
      instructions,
      zkabiSeconds: best,
      mips: instructions / best / 1e6,
    };
    if (qemu) {
      let q = Infinity;
      for (let i = 0; i < repeats; i++) q = Math.min(q, timeQemu(c));
      row.qemuSeconds = q;
      row.ratio = best / q;
    }
    rows.push(row);
    console.log(formatRow(row));
  }
  return rows;
}

function formatRow(r: BenchRow): string {
  const q = r.qemuSeconds === undefined
    ? "qemu: n/a"
    : `qemu ${r.qemuSeconds.toFixed(3)} s, zkabi/qemu ${r.ratio!.toFixed(1)}x`;
  return `${r.name.padEnd(16)} ${String(r.instructions).padStart(12)} insns  ` +
    `${r.zkabiSeconds.toFixed(3)} s  ${r.mips.toFixed(1).padStart(6)} MIPS  ${q}`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      repeats: { type: "string", default: "3" },
      only: { type: "string" },
      json: { type: "string" },
    },
  });
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) {
    console.error(`bench: --repeats: expected a positive integer, got '${values.repeats}'`);
    Deno.exit(125);
  }
  const rows = benchmark(repeats, values.only);
  if (values.json) await Deno.writeTextFile(values.json, JSON.stringify(rows, null, 2) + "\n");
}
