/**
 * Every C guest in guests/c/expect.json (expectations verified under
 * qemu-riscv64 by tests/guests_c_test.ts) runs under zkabi with the same
 * stdout and exit status, or dies by the same signal; deterministic runs give
 * identical statistics.
 */
import { equal, match, ok } from "node:assert/strict";
import { signalText } from "../../lib/abi/signals.ts";
import { run, type RunResult } from "../../lib/run/run.ts";
import { scratchDir } from "../support/scratch.ts";

interface Expectation {
  name: string;
  args: string[];
  stdin: string;
  files: Record<string, string>;
  exit: number | null;
  signal: string | null;
  stdout?: string;
  stdout_regex?: string;
  native: string;
  zkabi?: string;
}

const ROOT = new URL("../../", import.meta.url).pathname;
const expect: { programs: Expectation[] } = JSON.parse(
  Deno.readTextFileSync(`${ROOT}guests/c/expect.json`),
);

/** `compileAll` makes the compiled tier compile every block at first sight. */
function runGuest(p: Expectation, engine: "jit" | "interp" = "jit", compileAll = false): RunResult {
  const dir = scratchDir(`zkabi-${p.name}-`);
  try {
    for (const [rel, text] of Object.entries(p.files)) {
      const path = `${dir}/${rel}`;
      Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      Deno.writeTextFileSync(path, text);
    }
    return run({
      program: `${ROOT}guests/bin/c/${p.name}`,
      args: p.args,
      cwd: dir,
      stdin: new TextEncoder().encode(p.stdin),
      maxInsns: 2_000_000_000,
      engine,
      onKernel: compileAll ? (k) => (k.cpu.hotThreshold = 0) : undefined,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

for (const p of expect.programs) {
  if (p.native !== "run") continue;
  Deno.test(`C guest ${p.name} behaves as under qemu-riscv64`, () => {
    const r = runGuest(p);
    const out = new TextDecoder().decode(r.stdout);
    const err = new TextDecoder().decode(r.stderr);
    if (p.signal) {
      equal(
        r.end.kind,
        "signal",
        `${p.name}: expected death by ${p.signal}; ${r.message ?? ""} ${err}`,
      );
      equal(signalText((r.end as { signo: number }).signo), p.signal);
      equal(r.status, 128 + (r.end as { signo: number }).signo);
    } else {
      equal(r.status, p.exit, `${p.name}: exit ${r.status} ${r.message ?? ""} stderr: ${err}`);
    }
    if (p.stdout !== undefined) equal(out, p.stdout);
    else if (p.stdout_regex !== undefined) match(out, new RegExp(p.stdout_regex));
  });
}

for (const p of expect.programs) {
  if (p.native !== "hangs" || p.zkabi !== "deadlock") continue;
  Deno.test(`C guest ${p.name} ends with a deadlock report instead of hanging`, () => {
    const r = runGuest(p);
    equal(r.end.kind, "deadlock");
    equal(r.status, 125);
    const report = (r.end as { report: string }).report;
    // Every thread is listed, blocked, with its pc and what it waits on.
    const lines = report.split("\n");
    equal(lines.length, r.kernel.threads.length);
    for (const line of lines) {
      match(line, /thread \d+: blocked, pc 0x[0-9a-f]+.* waiting in futex: futex 0x/);
    }
    if (p.stdout !== undefined) equal(new TextDecoder().decode(r.stdout), p.stdout);
  });
}

Deno.test("two runs of the same guest give identical instruction counts and syscall counts", () => {
  const p = expect.programs.find((x) => x.name === "getrandom")!;
  const a = runGuest(p);
  const b = runGuest(p);
  equal(a.stats.instret, b.stats.instret);
  equal(
    JSON.stringify({ ...a.stats, wallSeconds: 0 }),
    JSON.stringify({ ...b.stats, wallSeconds: 0 }),
  );
  equal(new TextDecoder().decode(a.stdout), new TextDecoder().decode(b.stdout));
  ok(a.stats.instret > 0);
});

for (const name of ["fpmix", "pthreads", "mmap", "brk", "sigsegv"]) {
  Deno.test(`C guest ${name}: the compiled tier and the interpreter agree to the instruction`, () => {
    const p = expect.programs.find((x) => x.name === name)!;
    const a = runGuest(p, "jit", true);
    const b = runGuest(p, "interp");
    equal(a.stats.instret, b.stats.instret);
    equal(JSON.stringify(a.stats.instretByThread), JSON.stringify(b.stats.instretByThread));
    equal(JSON.stringify(a.stats.syscalls), JSON.stringify(b.stats.syscalls));
    equal(new TextDecoder().decode(a.stdout), new TextDecoder().decode(b.stdout));
    equal(a.status, b.status);
    ok(a.kernel.cpu.compiledBlocks > 0);
  });
}
