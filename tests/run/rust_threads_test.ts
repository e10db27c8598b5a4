/**
 * The Rust `std::thread` guest (`guests/bin/rust/threads`, static glibc):
 * under zkabi with both scheduling strategies it prints the same stdout and
 * stderr and exits with the same status as under qemu-riscv64 (run now, in the
 * same environment); its syscalls match `qemu-riscv64 -strace` up to the
 * first clone (after it, only the sets of names, see `lib/trace/compare.ts`,
 * with the allowances of `tests/debian/qemu_diff.ts`);
 * and two zkabi runs are identical to the instruction.
 *
 * The expected stdout and stderr below were recorded from qemu-riscv64 7.2
 * runs of the committed binary, so the zkabi half still checks something
 * when qemu-riscv64 is absent (the qemu half is then skipped with a message).
 * @module
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SchedStrategy } from "../../lib/kernel/kernel.ts";
import { DEFAULT_ENV, run, type RunResult } from "../../lib/run/run.ts";
import { eventJson } from "../../lib/trace/json.ts";
import { createStraceWriter, type StraceWriter } from "../../lib/trace/strace.ts";
import { compareTraces, stripGuestStderr } from "../debian/qemu_diff.ts";

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const GUEST = join(REPO, "guests", "bin", "rust", "threads");
const QEMU: string | undefined = (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")
  .map((d) => join(d, "qemu-riscv64"))
  .find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
if (!QEMU) {
  console.log(
    "rust_threads_test: qemu-riscv64 is not installed; checking zkabi against the recorded " +
      "qemu output only",
  );
}

/** stdout of `qemu-riscv64 guests/bin/rust/threads` (environment: DEFAULT_ENV only). */
const QEMU_STDOUT = [
  "threads: 4 workers",
  "spawn: chunk 0 hashed by hash-0: fnv1a f1d4514604bf889c sum 39abf904189ca9dd",
  "spawn: chunk 1 hashed by hash-1: fnv1a 782a232f8189c17f sum 1410fe7e5921686f",
  "spawn: chunk 2 hashed by hash-2: fnv1a b6c52ad70f05496e sum 4ed12b659aac8894",
  "spawn: chunk 3 hashed by hash-3: fnv1a 41bf24e244302807 sum b94284824f3ad77d",
  "spawn: total 55d0a76a5ba5725d",
  "condvar: 3000 numbers, 215063 Collatz steps in all, longest 216",
  "barrier: 8 rounds, 16 leaders, slots 0004e1c27ac8413b 0008c3ed5a51a93b 000c5185dda3be3b " +
  "000d18cb5cfa263b",
  "scoped: sorted 12000 values: min 252 median 501753 max 999967, 5981 below 500000, " +
  "fnv1a 9bb5bc6e6ff8035f",
  "pipeline: 2000 values through 2 bounded channels, fold 810523822",
  "atomics: total 25000, thread-locals 2500 5000 7500 10000 (main 0), park/unpark ok",
  'panic: join returned Err("intentional panic in worker boom"), mutex value 42',
  "threads: all checks passed",
  "",
].join("\n");

/** stderr of the same run: the standard panic message of the worker that panics on purpose. */
const QEMU_STDERR = "\nthread 'boom' panicked at src/main.rs:365:17:\n" +
  "intentional panic in worker boom\n" +
  "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";

const dec = new TextDecoder();

/** One zkabi run with its JSON-lines trace and strace text. */
interface ZkabiRun {
  r: RunResult;
  json: string;
  strace: string;
}

function underZkabi(sched: SchedStrategy): ZkabiRun {
  const json: string[] = [];
  const strace: string[] = [];
  let writer: StraceWriter | undefined;
  const r = run({
    program: GUEST,
    argv0: "threads",
    cwd: "/tmp",
    sched,
    maxInsns: 2_000_000_000,
    onKernel: (k) => {
      writer = createStraceWriter(k.tracee, (l) => strace.push(l));
    },
    tracer: (e) => {
      json.push(eventJson(e));
      writer?.(e);
    },
  });
  writer!.finish(r.end);
  return { r, json: json.join("\n"), strace: strace.join("\n") + "\n" };
}

/**
 * Runs the guest under qemu-riscv64 in zkabi's conditions: the environment
 * is DEFAULT_ENV and nothing else, and stdin is an empty pipe whose writer
 * has already exited (zkabi's empty stdin), so Rust's start-up poll of fds
 * 0-2 sees POLLHUP on both sides whatever the timing.
 */
async function underQemu(
  strace: boolean,
): Promise<{ status: number; stdout: string; stderr: Uint8Array }> {
  const env = Object.entries(DEFAULT_ENV).map(([k, v]) => `${k}=${v}`);
  const qemuArgs = [...(strace ? ["-strace"] : []), "-0", "threads", GUEST];
  const out = await new Deno.Command("bash", {
    args: [
      "-c",
      'exec 0< <(:); wait $!; exec "$@"',
      "bash",
      "env",
      "-i",
      ...env,
      QEMU!,
      ...qemuArgs,
    ],
    cwd: "/tmp",
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { status: out.code, stdout: dec.decode(out.stdout), stderr: out.stderr };
}

for (const sched of ["rr", "handoff"] as const) {
  Deno.test(`Rust threads guest (sched ${sched}): same stdout, stderr and status as qemu`, async () => {
    const z = underZkabi(sched);
    const stdout = dec.decode(z.r.stdout);
    const stderr = dec.decode(z.r.stderr);
    const context = `${z.r.message ?? ""}\nstderr:\n${stderr}`;
    equal(z.r.end.kind, "exit", context);
    equal(z.r.status, 0, context);
    equal(stdout, QEMU_STDOUT, context);
    equal(stderr, QEMU_STDERR);
    // Threads really ran: the main thread plus the 28 the guest spawns.
    equal(z.r.stats.threads, 29);
    equal(z.r.stats.syscalls.clone, 28);
    ok(z.r.stats.futex.waits > 0, "some thread blocked on a futex");
    if (QEMU) {
      const q = await underQemu(false);
      equal(stdout, q.stdout, "stdout differs from qemu's");
      equal(z.r.status, q.status, "exit status differs from qemu's");
      equal(stderr, dec.decode(q.stderr), "stderr differs from qemu's");
    }
  });
}

Deno.test("Rust threads guest: two zkabi runs are identical to the instruction", () => {
  const a = underZkabi("rr");
  const b = underZkabi("rr");
  equal(a.r.status, 0, a.r.message);
  equal(a.r.stats.instret, b.r.stats.instret, "instret");
  deepEqual(a.r.stats.instretByThread, b.r.stats.instretByThread, "instret by thread");
  equal(
    JSON.stringify({ ...a.r.stats, wallSeconds: 0 }),
    JSON.stringify({ ...b.r.stats, wallSeconds: 0 }),
    "statistics identical but for wall time",
  );
  ok(a.json.length > 1000);
  equal(a.json, b.json, "byte-identical JSON traces");
  equal(dec.decode(a.r.stdout), dec.decode(b.r.stdout));
});

Deno.test({
  name: "Rust threads guest: syscalls match qemu-riscv64 -strace up to the first clone",
  ignore: !QEMU,
  fn: async () => {
    const z = underZkabi("rr");
    // compareTraces adds the allowances real glibc/Rust programs need
    // (qemu's `(nil)`, reads of /proc/self/maps); see tests/debian/qemu_diff.ts.
    // qemu runs real threads whose -strace lines can interleave mid-line under
    // load: the nondeterministic side is the oracle, so it gets three tries.
    let c = compareTraces(z.strace, stripGuestStderr((await underQemu(true)).stderr), {
      sameIds: false,
    });
    for (let i = 0; i < 2 && !c.ok; i++) {
      c = compareTraces(z.strace, stripGuestStderr((await underQemu(true)).stderr), {
        sameIds: false,
      });
    }
    ok(c.ok, `${c.diff}\n--- zkabi:\n${z.strace.slice(0, 6000)}`);
    // The strict part (start-up until the first thread) is not trivially short.
    ok(c.compared >= 10, `only ${c.compared} calls compared\n${c.diff}`);
    ok(c.notes.some((n) => n.startsWith("after the first clone")), c.diff);
  },
});
