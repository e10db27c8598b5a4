/**
 * The in-guest kernel (`--kernel guest`) against zkabi's built-in kernel on
 * the real guests: the same stdout, stderr and exit status for the pthreads
 * C guest, the Rust stand-in, the Rust threads guest, the Go stand-in and
 * go-ethereum's keeper (when its locally built binary is present); the
 * program's instruction count close to the built-in run's; the stats split;
 * determinism.
 * @module
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type GuestRunResult, KERNEL_IN_REPO, runGuestKernel } from "../../lib/guest_kernel/run.ts";
import { run, type RunOptions, type RunResult } from "../../lib/run/run.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const KERNEL = `${ROOT}${KERNEL_IN_REPO}`;
const dec = new TextDecoder();

/**
 * Runs `opts` under both kernels and checks they agree; returns the
 * guest-kernel run. The in-guest kernel maps no vDSO, so the built-in run it
 * is compared with has none either (the same auxv, the same program path).
 */
function bothAgree(opts: RunOptions, tolerance = 0.01): GuestRunResult {
  const a = run({ ...opts, vdso: false });
  const b = runGuestKernel({ ...opts, kernelFile: KERNEL });
  equal(b.status, a.status, `${b.message ?? ""}\n${dec.decode(b.stderr)}`);
  equal(dec.decode(b.stdout), dec.decode(a.stdout));
  equal(dec.decode(b.stderr), dec.decode(a.stderr));
  const s = b.stats;
  ok(s.instretProgram !== undefined && s.instretKernel !== undefined && s.kernelCost);
  equal(s.instretProgram + s.instretKernel, s.instret);
  const diff = Math.abs(s.instretProgram - a.stats.instret) / a.stats.instret;
  ok(diff < tolerance, `program instret ${s.instretProgram} vs built-in ${a.stats.instret}`);
  // The built-in kernel answered nothing.
  equal(b.kernel.counters.syscalls.size, 0);
  return b;
}

Deno.test("guest kernel: pthreads C guest runs as under the built-in kernel", () => {
  const r = bothAgree({ program: `${ROOT}guests/bin/c/pthreads` });
  const s = r.stats;
  ok(s.kernelCost!.futex.count > 1000);
  ok(s.kernelCost!.clone.count === 4);
  ok(s.contextSwitches > 100);
  // Every thread's own instructions match the built-in run exactly here.
  equal(
    s.instretProgram,
    run({ program: `${ROOT}guests/bin/c/pthreads`, vdso: false }).stats.instret,
  );
});

Deno.test("guest kernel: Rust stand-in validates the block as under the built-in kernel", () => {
  const r = bothAgree({
    program: `${ROOT}guests/bin/rust/stateless-static`,
    args: ["guests/fixtures/stateless_input.json"],
    cwd: ROOT,
  });
  ok(dec.decode(r.stdout).includes("Post-state root: 0x"));
  ok(r.stats.kernelCost!.openat.count >= 1);
  deepEqual(r.stats.guestKernel!.enosys, {});
});

Deno.test("guest kernel: Rust threads guest runs as under the built-in kernel", () => {
  bothAgree({ program: `${ROOT}guests/bin/rust/threads` });
});

Deno.test("guest kernel: Go t8n runs as under the built-in kernel (threads, futexes, SIGURG)", () => {
  const r = bothAgree({
    program: `${ROOT}guests/bin/go/t8n`,
    args: [
      "--input.alloc=alloc.json",
      "--input.env=env.json",
      "--input.txs=txs.json",
      "--state.fork=Shanghai",
    ],
    cwd: `${ROOT}guests/fixtures/t8n`,
  });
  const g = r.stats.guestKernel!;
  ok(g.traps.timer > 0, "preemption by the instruction-count timer");
  ok((g.phases.signalDelivery?.count ?? 0) > 0, "SIGURG delivered to handlers");
  ok(r.stats.kernelCost!.rt_sigreturn.count === g.phases.signalDelivery.count);
  ok(g.kernelShare > 0 && g.kernelShare < 0.05);
});

const GETH = Deno.env.get("ZKABI_GETH_DIR") ?? join(ROOT, ".cache", "geth");
const KEEPER_GZ = join(ROOT, "guests/bin/geth/geth-keeper.gz");
const KEEPER = [join(ROOT, "guests/bin/geth/geth-keeper"), join(GETH, "bin", "geth-keeper")]
  .find((p) => existsSync(p)) ?? (existsSync(KEEPER_GZ) ? KEEPER_GZ : undefined);

/** The keeper binary as a file path (a committed .gz is unpacked to a temporary file). */
async function keeperPath(): Promise<string> {
  if (!KEEPER!.endsWith(".gz")) return KEEPER!;
  const out = await Deno.makeTempFile({ prefix: "geth-keeper-" });
  const body = (await Deno.open(KEEPER!)).readable.pipeThrough(new DecompressionStream("gzip"));
  await Deno.writeFile(out, body);
  return out;
}

Deno.test({
  name: "guest kernel: go-ethereum keeper runs as under the built-in kernel",
  // geth keeper is built outside the repository (branch geth, guests/geth/README.md).
  ignore: KEEPER === undefined,
  fn: async () => {
    const program = await keeperPath();
    const r = bothAgree({ program, argv0: "geth-keeper", cwd: "/tmp" });
    equal(r.status, 0);
  },
});

Deno.test("guest kernel: two runs are identical (output, counts, costs)", () => {
  const opts = { program: `${ROOT}guests/bin/c/pthreads`, kernelFile: KERNEL };
  const a = runGuestKernel(opts);
  const b = runGuestKernel(opts);
  deepEqual(b.stdout, a.stdout);
  const strip = (r: RunResult) => ({ ...r.stats, wallSeconds: 0 });
  deepEqual(strip(b), strip(a));
});
