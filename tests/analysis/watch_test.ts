/**
 * Code watches (the application phase from `main`, exact spans) and the
 * load bias: a watched run is the unwatched run, instruction for
 * instruction, on the multi-threaded Go guest too; the boundary is `main`,
 * not the first write; the dynamic Rust guest's instructions are attributed
 * to its own functions (the bias comes from the loader, not a guess).
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  guestAnalysis,
  guestRequest,
  guestWatches,
  referenceRequest,
} from "../../lib/analysis/bundled.ts";
import { guestById } from "../../lib/analysis/guests.ts";
import { executeRun } from "../../lib/analysis/runner.ts";
import {
  ensureSysroot,
  loadSysrootManifest,
  sysrootComplete,
  sysrootDir,
} from "../../lib/analysis/sysroot.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

Deno.test("a watch on main.main leaves the multi-threaded Go run unchanged and moves the boundary", () => {
  const g = guestById("go-t8n")!;
  const plain = executeRun({ ...guestRequest(ROOT, g), profile: "full", sample: 997 });
  const w = guestWatches(ROOT, g);
  deepEqual(w.missing, []);
  const watched = executeRun({
    ...guestRequest(ROOT, g),
    profile: "full",
    sample: 997,
    watches: w.watches,
  });
  equal(watched.instret, plain.instret);
  equal(watched.stdoutSha256, plain.stdoutSha256);
  equal(watched.contextSwitches, plain.contextSwitches);
  equal(watched.signalsDelivered, plain.signalsDelivered);
  deepEqual(watched.instretByThread, plain.instretByThread);
  deepEqual(watched.studyProfile!.syscalls, plain.profile.syscalls);
  equal(watched.phaseRule, "main");
  // The study's rule gave Go an application phase of a few hundred instructions (it writes
  // its result only at the end); main.main starts tens of millions of instructions earlier.
  const study = plain.instret - plain.phaseStart.app!;
  ok(study < 10_000, `study rule: ${study}`);
  ok(watched.mainEntry! < plain.phaseStart.app!);
  ok(plain.instret - watched.mainEntry! > 1_000_000);
  ok(watched.profile.phases.app > plain.profile.phases.app);
  // The table-unpacking span: entry before exit, both before main (package init).
  const span = watched.watches!.find((x) => x.name !== "main")!;
  ok(span.entry !== null && span.exit !== null && span.entry < span.exit);
  ok(span.exit! <= watched.mainEntry!);
});

Deno.test("the Rust stand-in's application starts at the crate's main, before its first write", () => {
  const g = guestById("rust-static")!;
  const d = executeRun(referenceRequest(ROOT, g));
  equal(d.phaseRule, "main");
  ok(d.mainEntry! > 0 && d.mainEntry! < d.studyPhaseStart!.app!);
  const a = guestAnalysis(ROOT, g, d);
  equal(a.costs.phaseRule, "main");
  equal(
    a.costs.phases.loader + a.costs.phases.startup + a.costs.phases.app + a.costs.phases.exit,
    d.instret,
  );
  equal(a.costs.phases.startup, d.mainEntry);
});

const SYSROOT_READY = (() => {
  try {
    return sysrootComplete(sysrootDir(ROOT), loadSysrootManifest(ROOT));
  } catch {
    return false;
  }
})();

Deno.test({
  name: "the dynamic Rust guest: the load bias comes from the loader; costs land in the program",
  ignore: !SYSROOT_READY,
  fn: async () => {
    await ensureSysroot(ROOT);
    const g = guestById("rust-dynamic")!;
    const d = executeRun(referenceRequest(ROOT, g));
    equal(d.end, "exit");
    ok(d.exeBias > 0, "a PIE is loaded at a bias");
    const a = guestAnalysis(ROOT, g, d);
    const c = a.costs.classes!;
    const total = Object.values(c).reduce((s, n) => s + n, 0);
    ok(c.app / total > 0.8, `application share ${c.app / total}`);
    ok(
      !a.costs.topFunctions!.some((f) =>
        f.name === "(outside the executable)" && f.instructions > total / 2
      ),
    );
  },
});
if (!SYSROOT_READY) {
  console.log(
    "watch_test: the pinned sysroot is not in .cache/sysroot (deno task analyze fetches it): " +
      "the dynamic guest's test is ignored",
  );
}
