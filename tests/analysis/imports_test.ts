// Imported traces of the committed guests (qemu-riscv64 -strace, recorded
// with `qemu-riscv64 [-L /usr/riscv64-linux-gnu] -strace BIN ARGS` in the
// fixture folders) must give the same categories and tier answers as
// zkabi's own trace of the same binary, outside the loader phase.
import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { guestRequest } from "../../lib/analysis/bundled.ts";
import { CATEGORIES } from "../../lib/analysis/categories.ts";
import { BUNDLED_GUESTS } from "../../lib/analysis/guests.ts";
import { firstBlockerOf, outsideOf } from "../../lib/analysis/readiness.ts";
import { executeRun, type RunDigest } from "../../lib/analysis/runner.ts";
import { importTrace, type SyscallProfile } from "../../lib/analysis/syscall_profile.ts";
import { loadSysrootManifest, sysrootComplete, sysrootDir } from "../../lib/analysis/sysroot.ts";
import { builtinProfile, parseProfile, profileToJson } from "../../lib/dispatch/profile.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DATA = `${ROOT}tests/analysis/data/`;

const runs = new Map<string, RunDigest>();
function zkabi(id: string, profile: string | Record<string, unknown> = "full"): RunDigest {
  const key = `${id}/${JSON.stringify(profile)}`;
  if (!runs.has(key)) {
    const g = BUNDLED_GUESTS.find((x) => x.id === id)!;
    // qemu-user has no riscv64 vDSO: compare with zkabi's --vdso off.
    runs.set(key, executeRun({ ...guestRequest(ROOT, g), profile, vdso: false }));
  }
  return runs.get(key)!;
}

/** Names and categories used outside the loader phase. */
function outsideLoader(p: SyscallProfile): { names: string[]; categories: string[] } {
  const names = Object.keys(p.syscalls).filter((n) => {
    const r = p.syscalls[n];
    return r.count - r.phases.loader > 0;
  }).sort();
  const categories = CATEGORIES.filter((c) => names.some((n) => p.syscalls[n].category === c));
  return { names, categories };
}

function check(id: string, log: string) {
  const imported = importTrace(id, Deno.readTextFileSync(DATA + log));
  deepEqual(imported.malformed, []);
  const ref = zkabi(id);
  equal(ref.end, "exit");
  const a = outsideLoader(ref.profile);
  const b = outsideLoader(imported.profile);
  deepEqual(b.categories, a.categories, "categories");
  deepEqual(b.names, a.names, "syscall names");
  // The loader phases differ (library search paths): let every syscall either
  // loader uses through, so both traces reach the program's own first blocker.
  const loaderNames = new Set(
    [ref.profile, imported.profile].flatMap((p) =>
      Object.keys(p.syscalls).filter((n) => p.syscalls[n].phases.loader > 0)
    ),
  );
  for (const tier of ["basic", "advanced"]) {
    const file = profileToJson(builtinProfile(tier));
    const syscalls = { ...(file.syscalls as Record<string, unknown>) };
    for (const n of loaderNames) syscalls[n] = "emulate";
    const spec = { ...file, name: `${tier}+loader`, syscalls };
    const p = parseProfile(spec, tier);
    deepEqual(outsideOf(b.names, p), outsideOf(a.names, p), `${tier}: outside`);
    const run = zkabi(id, spec);
    const fromLog = firstBlockerOf(imported.calls, p, ["loader"]);
    if (run.end === "deny") {
      deepEqual(fromLog, { syscall: run.denied!.name, phase: run.denied!.phase }, tier);
    } else {
      equal(fromLog, undefined, tier);
    }
  }
}

Deno.test("a Rust program's qemu log and zkabi's trace agree on categories and tiers", () => {
  check("rust-static", "rust_static.qemu.log");
});

const SYSROOT_READY = (() => {
  try {
    return sysrootComplete(sysrootDir(ROOT), loadSysrootManifest(ROOT));
  } catch {
    return false;
  }
})();

Deno.test({
  name: "a dynamically linked Rust program: agreement outside the loader phase",
  // The pinned sysroot is fetched by `deno task analyze` (lib/analysis/sysroot.ts).
  ignore: !SYSROOT_READY,
  fn: () => check("rust-dynamic", "rust_dynamic.qemu.log"),
});

Deno.test("a Go program's qemu log and zkabi's trace agree on categories and tiers", () => {
  check("go-t8n", "go_t8n.qemu.log");
});

const STUDY = `${ROOT}data/study/`;

function studyLog(name: string): string | undefined {
  try {
    return Deno.readTextFileSync(STUDY + name);
  } catch {
    return undefined;
  }
}

Deno.test("the study's logs import without errors", () => {
  for (const name of ["reth_stateless_strace.log", "geth_t8n_strace.log"]) {
    const text = studyLog(name)!;
    ok(text !== undefined, `data/study/${name} is committed`);
    const r = importTrace(name, text);
    equal(r.format, "strace");
    deepEqual(r.malformed, [], name);
    // Independent count: lines that start a call (a resumed half is not a new call).
    const starts = text.split("\n").filter((l) => /^(\d+\s+)?[a-z_0-9]+\(/.test(l)).length;
    equal(r.profile.total, starts, name);
  }
  const geth = studyLog("geth_t8n_strace.log");
  if (geth !== undefined) {
    const r = importTrace("geth", geth);
    ok(Object.keys(r.profile.threads).length > 1);
    equal(r.profile.signals.SIGURG, geth.split("\n").filter((l) => /--- SIGURG /.test(l)).length);
    // geth's first output is its INFO log on stderr, near the end.
    ok(r.profile.phases.app > 0 && r.profile.phases.app < r.profile.phases.startup);
  }
  const reth = studyLog("reth_stateless_strace.log");
  if (reth !== undefined) {
    const r = importTrace("reth", reth);
    // Dynamically linked: the loader phase ends at the munmap of ld.so.cache.
    ok(r.profile.phases.loader > 10);
    const lastLoader = r.calls.filter((c) => c.phase === "loader").pop()!;
    equal(lastLoader.name, "munmap");
  }
});
