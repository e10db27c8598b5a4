/**
 * The normative ABI: each committed family profile (`reports/abi/*.json`)
 * runs every guest of its family with the output it has under `full`
 * (stand-ins always; the real clients where their binaries are present),
 * and anything outside the profile stops; the specification lists exactly
 * the profile's syscalls.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { guestPaths, guestRequest } from "../../lib/analysis/bundled.ts";
import { guestById } from "../../lib/analysis/guests.ts";
import { localBinaries } from "../../lib/analysis/real_clients.ts";
import { executeRun } from "../../lib/analysis/runner.ts";
import { loadSysrootManifest, sysrootComplete, sysrootDir } from "../../lib/analysis/sysroot.ts";
import { parseProfile } from "../../lib/dispatch/profile.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const REPORTS = join(ROOT, "reports");

interface Family {
  family: string;
  guests: string[];
  profile: Record<string, unknown>;
}

function families(): Family[] {
  try {
    return JSON.parse(Deno.readTextFileSync(join(REPORTS, "data/families.json")));
  } catch {
    return [];
  }
}

function present(id: string): boolean {
  const g = guestById(id)!;
  if (g.kind === "real") return localBinaries(ROOT, [{ id, file: g.program }]) !== undefined;
  if (g.sysroot) {
    try {
      return sysrootComplete(sysrootDir(ROOT), loadSysrootManifest(ROOT));
    } catch {
      return false;
    }
  }
  try {
    return Deno.statSync(guestPaths(ROOT, g).program).isFile;
  } catch {
    return false;
  }
}

Deno.test("the committed family profiles are the ones in abi/ and parse", () => {
  const fs = families();
  ok(fs.length >= 2, "a Rust/C and a Go family");
  for (const f of fs) {
    const file = JSON.parse(Deno.readTextFileSync(join(REPORTS, `abi/${f.family}.json`)));
    deepEqual(file, f.profile);
    const p = parseProfile(file, f.family);
    equal(p.unlisted, "stop");
    const spec = Deno.readTextFileSync(join(REPORTS, "abi-spec.md"));
    for (const name of Object.keys(file.syscalls as Record<string, unknown>)) {
      ok(spec.includes(`\`${name}\``), name);
    }
  }
});

for (const f of families()) {
  for (const id of f.guests) {
    Deno.test({
      name: `profile abi/${f.family}.json runs ${id} with its full-profile output`,
      ignore: !present(id),
      fn: () => {
        const g = guestById(id)!;
        const base = guestRequest(ROOT, g);
        const req = g.readiness ? { ...base, args: g.readiness.args } : base;
        const ref = executeRun({ ...req, profile: "full" });
        const d = executeRun({ ...req, profile: f.profile });
        equal(d.end, "exit", d.message);
        equal(d.status, ref.status);
        equal(d.stdoutSha256, ref.stdoutSha256);
        equal(d.stderrSha256, ref.stderrSha256);
      },
    });
  }
}
