/**
 * Every execution engine (the interpreter alone, WebAssembly regions,
 * JavaScript regions; the compiled ones both at the default hotness and
 * compiling everything at first sight) runs whole guests to the same
 * instruction: the same retired counts per thread, the same syscalls in the
 * same numbers, the same output and end. Big guests are cut at a fixed
 * instruction limit, which every engine must reach at the same point.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { run, type RunResult } from "../../lib/run/run.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

interface Guest {
  name: string;
  program: string;
  args?: string[];
  cwd?: string;
  maxInsns?: number;
}

const GUESTS: Guest[] = [
  { name: "C hello", program: "guests/bin/c/hello" },
  { name: "C fpmix", program: "guests/bin/c/fpmix" },
  { name: "C pthreads", program: "guests/bin/c/pthreads" },
  { name: "C mmap", program: "guests/bin/c/mmap", args: ["guests/c/expect.json"] },
  { name: "C sigsegv", program: "guests/bin/c/sigsegv" },
  { name: "C clock", program: "guests/bin/c/clock" },
  { name: "C loop (cut)", program: "guests/bin/c/loop", maxInsns: 5_000_000 },
  { name: "bench tight_loop (cut)", program: "bench/bin/tight_loop", maxInsns: 5_000_000 },
  { name: "futex_ops", program: "tests/guests/bin/futex_ops" },
  { name: "sig_fault", program: "tests/guests/bin/sig_fault" },
  { name: "sig_tgkill", program: "tests/guests/bin/sig_tgkill" },
  { name: "io_poll", program: "tests/guests/bin/io_poll" },
  { name: "Go go_threads", program: "tests/guests/bin/go_threads" },
  { name: "Rust threads", program: "guests/bin/rust/threads" },
  {
    name: "Rust stateless (cut)",
    program: "guests/bin/rust/stateless-static",
    args: ["guests/fixtures/stateless_input.json"],
    maxInsns: 8_000_000,
  },
  {
    name: "Go t8n (cut)",
    program: "guests/bin/go/t8n",
    args: [
      "--input.alloc=guests/fixtures/t8n/alloc.json",
      "--input.env=guests/fixtures/t8n/env.json",
      "--input.txs=guests/fixtures/t8n/txs.json",
    ],
    maxInsns: 12_000_000,
  },
];

type Engine = { name: string; engine: "jit" | "interp"; backend?: "wasm" | "js"; hot?: number };

const ENGINES: Engine[] = [
  { name: "wasm", engine: "jit", backend: "wasm" },
  { name: "wasm, compile all", engine: "jit", backend: "wasm", hot: 0 },
  { name: "js", engine: "jit", backend: "js" },
  { name: "js, compile all", engine: "jit", backend: "js", hot: 0 },
];

function runWith(g: Guest, e: Engine | undefined): RunResult {
  return run({
    program: `${ROOT}${g.program}`,
    args: g.args,
    cwd: ROOT,
    maxInsns: g.maxInsns,
    engine: e?.engine ?? "interp",
    onKernel: (k) => {
      if (e?.backend) k.cpu.backend = e.backend;
      if (e?.hot !== undefined) k.cpu.hotThreshold = e.hot;
    },
  });
}

function summary(r: RunResult) {
  return {
    end: r.end.kind,
    status: r.status,
    instret: r.stats.instret,
    byThread: r.stats.instretByThread,
    syscalls: r.stats.syscalls,
    stdout: new TextDecoder().decode(r.stdout),
    stderr: new TextDecoder().decode(r.stderr),
  };
}

for (const g of GUESTS) {
  Deno.test(`engines agree to the instruction: ${g.name}`, () => {
    const ref = summary(runWith(g, undefined));
    ok(ref.instret > 0);
    if (g.maxInsns !== undefined) equal(ref.end, "limit");
    for (const e of ENGINES) {
      const r = runWith(g, e);
      if (e.hot === 0) ok(r.kernel.cpu.compiledRegions > 0, `${e.name}: nothing compiled`);
      deepEqual(summary(r), ref, `${g.name} on ${e.name}`);
    }
  });
}
