/**
 * The two guests that stand for the study's clients run under zkabi and
 * print the fixture's expected results (the same results their host builds
 * and qemu-riscv64 print: tests/guests_test.ts): the Rust block validator
 * (static, dynamic with a sysroot, and with keccak through the precompile)
 * and the Go t8n tool (threads, futexes, signals, epoll).
 */
import { equal, match, ok } from "node:assert/strict";
import { run, type RunResult } from "../../lib/run/run.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const expected = JSON.parse(Deno.readTextFileSync(`${ROOT}guests/fixtures/expected.json`));
const SYSROOT = "/usr/riscv64-linux-gnu";

function stateless(variant: string, sysroot?: string): RunResult {
  return run({
    program: `${ROOT}guests/bin/rust/${variant}`,
    // Relative to cwd: the guest sees the working directory, not every host path
    // (under /tmp, for one, it sees it at /cwd).
    args: ["guests/fixtures/stateless_input.json"],
    sysroot,
    cwd: ROOT,
  });
}

function checkStateless(r: RunResult): void {
  const out = new TextDecoder().decode(r.stdout);
  equal(r.status, 0, `${r.message ?? ""} ${new TextDecoder().decode(r.stderr)}`);
  match(out, /^Starting stateless block validation/);
  ok(out.includes(`Pre-state root verified: ${expected.preStateRoot}`), out);
  ok(out.includes(`Post-state root: ${expected.stateRoot}`), out);
  ok(out.includes(`Receipts root: ${expected.receiptsRoot}`), out);
}

Deno.test("Rust stateless guest (static glibc) validates the fixture block", () => {
  checkStateless(stateless("stateless-static"));
});

const HAVE_SYSROOT = (() => {
  try {
    return Deno.statSync(`${SYSROOT}/lib/ld-linux-riscv64-lp64d.so.1`).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "Rust stateless guest (dynamic glibc, sysroot) validates the fixture block",
  // The dynamic guest needs the riscv64 sysroot (apt-get install gcc-riscv64-linux-gnu).
  ignore: !HAVE_SYSROOT,
  fn: () => {
    const r = stateless("stateless-dynamic", SYSROOT);
    checkStateless(r);
    ok(r.stats.syscalls.openat! >= 3, "the dynamic loader opened its libraries");
  },
});

Deno.test("keccak through the precompile gives the same results in fewer instructions", () => {
  const soft = stateless("stateless-static");
  const pre = stateless("stateless-precompile");
  checkStateless(pre);
  equal(new TextDecoder().decode(pre.stdout), new TextDecoder().decode(soft.stdout));
  ok(pre.stats.instret < soft.stats.instret, `${pre.stats.instret} < ${soft.stats.instret}`);
});

Deno.test("Go t8n guest runs the fixture with threads, futexes and preemption signals", () => {
  const dir = `${ROOT}guests/fixtures/t8n`;
  const r = run({
    program: `${ROOT}guests/bin/go/t8n`,
    args: [
      "--input.alloc=alloc.json",
      "--input.env=env.json",
      "--input.txs=txs.json",
      "--state.fork=Shanghai",
    ],
    cwd: dir,
  });
  equal(r.status, 0, `${r.message ?? ""} ${new TextDecoder().decode(r.stderr)}`);
  const out = JSON.parse(new TextDecoder().decode(r.stdout));
  equal(out.result.stateRoot, expected.stateRoot);
  equal(out.result.receiptsRoot, expected.receiptsRoot);
  equal(Number(out.result.gasUsed), expected.gasUsed);
  ok(r.stats.threads > 1, "the Go runtime started threads");
  ok((r.stats.syscalls.futex ?? 0) > 0);
  ok((r.stats.syscalls.clone ?? 0) > 0);
});

Deno.test("under the basic tier the Go guest stops at its first non-Basic syscall, named and decoded", () => {
  const r = run({
    program: `${ROOT}guests/bin/go/t8n`,
    args: ["--input.alloc=alloc.json"],
    cwd: `${ROOT}guests/fixtures/t8n`,
    profile: "basic",
  });
  equal(r.status, 125);
  equal(r.end.kind, "deny");
  match(
    r.message!,
    /^syscall sched_getaffinity \(123\) not in profile 'basic': thread 1000, pc 0x[0-9a-f]+ \(runtime\.sched_getaffinity\+0x[0-9a-f]+\), instret \d+: sched_getaffinity\(0, 8192, 0x[0-9a-f]+\)$/,
  );
});
