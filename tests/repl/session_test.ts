/**
 * The debugger session over the execution core: breakpoint stops, steps
 * and the end; and the promise that stops never change a run: a run with
 * syscall and address breakpoint stops (single- and multi-threaded) gives
 * the same trace, output and instruction counts as an uninterrupted one.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { run } from "../../lib/run/run.ts";
import { createStraceWriter } from "../../lib/trace/strace.ts";
import { Session } from "../../lib/repl/session.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const HELLO = { program: `${ROOT}/guests/bin/c/hello`, cwd: ROOT };
const PTHREADS = { program: `${ROOT}/guests/bin/c/pthreads`, cwd: ROOT };

/** The uninterrupted run: strace lines, stdout, instructions per thread. */
function reference(spec: { program: string; cwd: string }) {
  const strace: string[] = [];
  const r = run({
    ...spec,
    writers: [(src) => createStraceWriter(src, (l) => strace.push(l))],
  });
  return { strace, stdout: r.stdout, stats: r.stats };
}

Deno.test("session: a syscall breakpoint stops before the ECALL; continue runs it once", () => {
  const s = new Session(HELLO);
  s.breakOnSyscall("write");
  const stop = s.cont();
  equal(stop.kind, "syscall");
  if (stop.kind !== "syscall") return;
  equal(stop.name, "write");
  // The thread sits on the ECALL (0x00000073), not yet executed.
  equal(s.kernel.mem.readU32(stop.pc), 0x73);
  equal(s.stdoutText(), "");
  // Continuing executes that write once (no second stop at it) and stops at the next one.
  const again = s.cont();
  equal(again.kind, "syscall");
  equal(s.stdoutText(), "Hello from freestanding C on riscv64!\n");
  equal(s.breakpoints[0].hits, 2);
  s.deleteBreakpoints([]);
  equal(s.cont().kind, "exited");
  equal(s.stdoutText(), new TextDecoder().decode(reference(HELLO).stdout));
  equal(s.breakpoints.length, 0);
});

Deno.test("session: step counts instructions; an address breakpoint does not count its EBREAK", () => {
  const s = new Session(HELLO);
  const entry = s.thread.hart.pc;
  const one = s.step(3);
  equal(one.kind, "step");
  if (one.kind !== "step") return;
  equal(one.steps, 3);
  equal(s.stats().instret, 3);
  // Back to a breakpoint at the next instruction after a step: hit before it runs.
  const next = s.thread.hart.pc;
  s.breakAt(next, `*0x${next.toString(16)}`);
  const s2 = new Session(HELLO);
  s2.breakAt(next, "again");
  const hit = s2.cont();
  equal(hit.kind, "breakpoint");
  equal(s2.stats().instret, 3, "the stop comes after the 3 instructions before it");
  ok(next !== entry);
  s2.finish();
  equal(s2.result!.stats.instret, reference(HELLO).stats.instret);
});

Deno.test("session: stops never change a multi-threaded run (pthreads, futex breakpoints)", () => {
  const ref = reference(PTHREADS);
  const s = new Session(PTHREADS);
  s.breakOnSyscall("futex");
  s.breakOnSyscall("clone");
  let stops = 0;
  while (s.cont().kind !== "exited") stops++;
  ok(stops > 50, `${stops} stops`);
  const r = s.result!;
  deepEqual(s.strace, ref.strace);
  equal(s.stdoutText(), new TextDecoder().decode(ref.stdout));
  equal(r.stats.instret, ref.stats.instret);
  deepEqual(r.stats.instretByThread, ref.stats.instretByThread);
  equal(r.stats.contextSwitches, ref.stats.contextSwitches);
});

Deno.test("session: live statistics and the end", () => {
  const s = new Session(PTHREADS);
  s.breakOnSyscall("clone");
  s.cont();
  const live = s.stats();
  equal(live.threads, 1);
  ok(live.virtualNs > 0);
  equal(s.ended, false);
  const end = s.finish();
  equal(end.kind, "exited");
  if (end.kind !== "exited") return;
  equal(end.status, 0);
  equal(s.ended, true);
  ok(s.stats().threads > 1);
  // Stopping again after the end repeats the end.
  equal(s.cont().kind, "exited");
});
