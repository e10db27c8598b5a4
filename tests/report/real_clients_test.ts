/**
 * The real go-ethereum clients' committed measurements
 * (`data/real_clients.json`): the report uses them verbatim, they name the
 * binaries by sha256, and, where the binaries are present and are the ones
 * measured, a fresh reference run gives exactly the committed numbers.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GuestAnalysis, guestAnalysis, referenceRequest } from "../../lib/analysis/bundled.ts";
import { guestById, REAL_CLIENTS } from "../../lib/analysis/guests.ts";
import { localBinaries, readRealClients, sameBinaries } from "../../lib/analysis/real_clients.ts";
import { executeRun } from "../../lib/analysis/runner.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const record = readRealClients(ROOT);
const stored = (record?.sections.guests ?? []) as GuestAnalysis[];

Deno.test({
  name: "the committed real-client measurements name their binaries and appear in the report",
  ignore: record === undefined,
  fn: () => {
    equal(record!.binaries.length, REAL_CLIENTS.length);
    for (const b of record!.binaries) ok(/^[0-9a-f]{64}$/.test(b.sha256), b.id);
    ok(/^[0-9a-f]{40}$|^unknown$/.test(record!.measuredBy.commit));
    const report = JSON.parse(Deno.readTextFileSync(join(ROOT, "reports/data/guests.json")));
    for (const s of stored) {
      const r = report.find((x: GuestAnalysis) => x.guest.id === s.guest.id);
      deepEqual(r, s, `${s.guest.id} in reports/data/guests.json`);
    }
    // Real clients come first in the report.
    equal(report[0].guest.kind, "real");
  },
});

const local = localBinaries(ROOT, REAL_CLIENTS.map((g) => ({ id: g.id, file: g.program })));
const CURRENT = record !== undefined && local !== undefined &&
  sameBinaries(record.binaries, local);
if (!CURRENT) {
  console.log(
    "real_clients_test: the measured geth binaries are not present (they are built outside " +
      "the repository, guests/geth/README.md): the re-measurement test is ignored",
  );
}

for (const g of REAL_CLIENTS) {
  Deno.test({
    name: `${g.id}: a fresh measurement gives the committed one`,
    ignore: !CURRENT,
    fn: () => {
      const spec = guestById(g.id)!;
      const d = executeRun(referenceRequest(ROOT, spec));
      const now = guestAnalysis(ROOT, spec, d);
      const then = stored.find((x) => x.guest.id === g.id)!;
      equal(now.run.instret, then.run.instret);
      deepEqual(now.profile, then.profile);
      deepEqual(now.costs.phases, then.costs.phases);
      deepEqual(now.spans, then.spans);
      deepEqual(now.observed, then.observed);
      equal(now.binary.sha256, then.binary.sha256);
    },
  });
}
