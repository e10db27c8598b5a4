/**
 * Fuzz campaign, part 2: mutated ELF files run from start to end. Each
 * mutation of a few real guests (byte flips in the ELF and program headers,
 * header fields set to boundary values, bytes anywhere, truncation) goes
 * through `run()` with a small instruction budget: it must be refused with
 * a one-line RunError (125, 126 or 127) or run to some end (an exit, a
 * signal, a denial, the budget), never throw anything else. Mutated code
 * that still runs also fuzzes the CPU and the syscalls it reaches.
 *
 * Seeded and bounded by count (FUZZ_SEED and FUZZ_ELFS override); a
 * generous wall-clock cap only stops early, it never fails the test.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { run, RunError } from "../../lib/run/run.ts";
import { prng } from "../elf/elf_fixtures.ts";
import { scratchDir } from "../support/scratch.ts";
import { HOSTILE, REPO } from "./support.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0xe1f);
const PER_GUEST = Number(Deno.env.get("FUZZ_ELFS") ?? 400);
const TIME_CAP_MS = 120_000;

const GUESTS = [
  join(REPO, "guests", "bin", "c", "hello"),
  join(REPO, "guests", "bin", "c", "mmap"),
  join(REPO, "guests", "bin", "c", "openat"),
  HOSTILE,
];

const BOUNDARY = [
  0n,
  1n,
  0x1000n,
  0x7fffffffn,
  0xffffffffn,
  2n ** 47n,
  2n ** 63n,
  2n ** 64n - 1n,
  2n ** 64n - 0x1000n,
];

/** `count` seeded mutations of `base`, with what each one changed. */
function* mutations(
  base: Uint8Array,
  seed: number,
  count: number,
): Generator<[string, Uint8Array]> {
  const rnd = prng(seed);
  const dv0 = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const phoff = Number(dv0.getBigUint64(32, true));
  const phnum = dv0.getUint16(56, true);
  const headersEnd = Math.min(base.length, phoff + 56 * phnum);
  for (let i = 0; i < count; i++) {
    const b = base.slice();
    const dv = new DataView(b.buffer);
    const kind = rnd() % 5;
    if (kind === 0) {
      const n = 1 + (rnd() % 4);
      for (let j = 0; j < n; j++) b[rnd() % headersEnd] ^= 1 << (rnd() % 8);
      yield ["header bit flips", b];
    } else if (kind === 1 && phnum > 0) {
      const at = phoff + 56 * (rnd() % phnum) + 8 * (1 + (rnd() % 6));
      dv.setBigUint64(at, BOUNDARY[rnd() % BOUNDARY.length], true);
      yield [`program header field @${at}`, b];
    } else if (kind === 2) {
      const at = [24, 32, 40][rnd() % 3];
      dv.setBigUint64(at, BOUNDARY[rnd() % BOUNDARY.length], true);
      yield [`ELF header field @${at}`, b];
    } else if (kind === 3) {
      const n = 1 + (rnd() % 16);
      for (let j = 0; j < n; j++) b[rnd() % b.length] = rnd() & 0xff;
      yield ["random bytes", b];
    } else {
      yield ["truncated", b.subarray(0, rnd() % b.length)];
    }
  }
}

Deno.test(`fuzz: mutated ELF files (${PER_GUEST} per guest, seed ${SEED}) are refused in one line or run to an end`, () => {
  const dir = scratchDir("zkabi-fuzz-elf-");
  const started = performance.now();
  const outcomes = { refused: 0, ran: 0 };
  try {
    const program = join(dir, "prog");
    for (const [g, guest] of GUESTS.entries()) {
      const base = Deno.readFileSync(guest);
      for (const [what, bytes] of mutations(base, SEED + g, PER_GUEST)) {
        if (performance.now() - started > TIME_CAP_MS) {
          console.warn("fuzz: stopped at the time cap");
          break;
        }
        Deno.writeFileSync(program, bytes);
        const label = `${guest.split("/").pop()}: ${what}`;
        try {
          const r = run({
            program,
            args: ["names"],
            cwd: dir,
            maxInsns: 200_000,
            memory: 64 * 2 ** 20,
          });
          assert.ok(r.status >= 0 && r.status <= 255, `${label}: status ${r.status}`);
          outcomes.ran++;
        } catch (e) {
          if (!(e instanceof RunError)) {
            throw new Error(`${label}: threw ${e instanceof Error ? e.stack : e}`);
          }
          assert.ok([125, 126, 127].includes(e.code), `${label}: code ${e.code}`);
          assert.ok(!e.message.includes("\n"), `${label}: ${e.message}`);
          outcomes.refused++;
        }
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  if (Deno.env.get("FUZZ_STATS")) console.log(outcomes);
  assert.ok(outcomes.refused > 0 && outcomes.ran > 0, JSON.stringify(outcomes));
});
