import assert from "node:assert/strict";
import { execElf } from "../../lib/elf/exec.ts";
import { ElfError } from "../../lib/elf/parse.ts";
import { GuestMemory } from "../../lib/memory/memory.ts";
import { binaries, HAVE_TOOLS, LD_SO, makeElf, prng, SYSROOT } from "./elf_fixtures.ts";

const LIMIT = 2 ** 47;
/** Longest one load may take before it counts as a hang. */
const SLOW_MS = 2000;

const BIG: bigint[] = [
  0n,
  1n,
  0xfffn,
  0x1000n,
  0x1001n,
  0xffffffffn,
  0x100000000n,
  2n ** 38n,
  2n ** 47n - 0x1000n,
  2n ** 47n - 1n,
  2n ** 47n,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 0x1000n,
  2n ** 64n - 1n,
];
/** e_type, e_entry, e_phoff, e_shoff, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx. */
const HEADER_AT = [16, 24, 32, 40, 54, 56, 58, 60, 62];
const HEADER_SIZE = [2, 8, 8, 8, 2, 2, 2, 2, 2];
const TYPES = [0, 1, 2, 3, 4, 6, 7, 0x6474e551, 0x6474e552, 0x70000003];

interface Layout {
  phoff: number;
  phnum: number;
  shoff: number;
  shnum: number;
  segEnds: number[];
}

/** Reads the few header fields the mutator aims at (independently of the parser). */
function layoutOf(b: Uint8Array): Layout {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const phoff = Number(dv.getBigUint64(32, true));
  const phnum = dv.getUint16(56, true);
  const segEnds: number[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + 56 * i;
    segEnds.push(Number(dv.getBigUint64(o + 8, true) + dv.getBigUint64(o + 32, true)));
  }
  return {
    phoff,
    phnum,
    shoff: Number(dv.getBigUint64(40, true)),
    shnum: dv.getUint16(60, true),
    segEnds,
  };
}

/** Every truncation length worth trying: around each header and segment boundary. */
function cutPoints(b: Uint8Array): number[] {
  const l = layoutOf(b);
  const at = new Set<number>();
  for (let i = 0; i <= 80; i++) at.add(i);
  for (let i = 0; i <= l.phnum; i++) for (const d of [-1, 0, 1]) at.add(l.phoff + 56 * i + d);
  for (const e of l.segEnds) for (const d of [-1, 0, 1]) at.add(e + d);
  for (let i = 0; i <= l.shnum; i++) for (const d of [-1, 0, 1]) at.add(l.shoff + 64 * i + d);
  at.add(b.length - 1);
  return [...at].filter((n) => n >= 0 && n < b.length).sort((a, b) => a - b);
}

/** `count` seeded mutations of `base`: byte flips, field rewrites and truncations. */
function* mutations(
  base: Uint8Array,
  seed: number,
  count: number,
): Generator<[string, Uint8Array]> {
  const rnd = prng(seed);
  const l = layoutOf(base);
  const headerEnd = Math.min(base.length, l.phoff + 56 * l.phnum);
  const big = (orig: bigint): bigint => {
    switch (rnd() % 4) {
      case 0:
        return BIG[rnd() % BIG.length];
      case 1:
        return (BigInt(rnd()) << 32n) | BigInt(rnd());
      case 2:
        return BigInt(rnd() % (base.length + 0x2000));
      default:
        return BigInt.asUintN(64, orig + BigInt((rnd() % 0x4001) - 0x2000));
    }
  };
  for (let n = 0; n < count; n++) {
    const b = base.slice();
    const dv = new DataView(b.buffer);
    const kind = rnd() % 6;
    let what = "";
    if (kind === 0) {
      const flips = 1 + (rnd() % 4);
      for (let i = 0; i < flips; i++) {
        const at = rnd() % headerEnd;
        b[at] ^= 1 << (rnd() % 8);
        what += `flip@${at} `;
      }
    } else if (kind === 1 && l.phnum > 0) {
      const o = l.phoff + 56 * (rnd() % l.phnum);
      // 0 p_type, 1 p_flags, 2..7 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align.
      const field = rnd() % 8;
      if (field === 0) dv.setUint32(o, TYPES[rnd() % TYPES.length], true);
      else if (field === 1) dv.setUint32(o + 4, rnd() % 8, true);
      else {
        const f = o + 8 * (field - 1);
        dv.setBigUint64(f, big(dv.getBigUint64(f, true)), true);
      }
      what = `phdr@${o} field ${field}`;
    } else if (kind === 2) {
      const k = rnd() % HEADER_AT.length;
      const at = HEADER_AT[k];
      if (HEADER_SIZE[k] === 8) dv.setBigUint64(at, big(dv.getBigUint64(at, true)), true);
      else {
        const near = dv.getUint16(at, true) + (rnd() % 5) - 2;
        dv.setUint16(at, (rnd() % 4 === 0 ? rnd() : near) & 0xffff, true);
      }
      what = `header field @${at}`;
    } else if (kind === 3) {
      // Anywhere, including section headers and symbol tables.
      const flips = 1 + (rnd() % 8);
      for (let i = 0; i < flips; i++) b[rnd() % b.length] = rnd() & 0xff;
      what = "random bytes";
    } else if (kind === 4) {
      const at = l.shoff + (rnd() % Math.max(1, 64 * l.shnum));
      if (at < b.length) b[at] = rnd() & 0xff;
      what = `section header byte @${at}`;
    } else {
      const len = rnd() % b.length;
      yield [`truncated to ${len}`, b.subarray(0, len)];
      continue;
    }
    yield [what, b];
  }
}

function clear(mem: GuestMemory): void {
  for (const m of [...mem.mappings]) mem.unmap(m.start, m.end - m.start);
}

/** Loads every mutation; each must load cleanly or fail with a one-line ElfError. */
function fuzz(base: Uint8Array, name: string, seed: number, count: number, ld?: Uint8Array): void {
  const mem = new GuestMemory();
  const opts = {
    argv: [name, "x"],
    envp: ["A=b"],
    seed: 3,
    readInterpreter: (p: string) => (p === LD_SO ? ld : undefined),
  };
  execElf(mem, base, name, opts); // The unmutated file must load.
  const cases: [string, Uint8Array][] = cutPoints(base).map((
    n,
  ) => [`cut at ${n}`, base.slice(0, n)]);
  let ok = 0;
  let failed = 0;
  const kinds = new Map<string, number>();
  for (const [what, bytes] of [...cases, ...mutations(base, seed, count)]) {
    clear(mem);
    const t0 = performance.now();
    try {
      const r = execElf(mem, bytes, name, opts);
      for (const m of mem.mappings) {
        assert.ok(m.start >= 0 && m.end <= LIMIT, `${what}: mapping 0x${m.end.toString(16)}`);
      }
      assert.ok(r.load.entry >= 0 && r.load.entry < LIMIT, `${what}: entry`);
      assert.equal(r.stack.sp % 16, 0);
      ok++;
    } catch (e) {
      if (!(e instanceof ElfError)) {
        assert.fail(`${what}: threw ${e instanceof Error ? e.stack : e}`);
      }
      assert.ok(e.message.startsWith(`${name}: `), `${what}: ${e.message}`);
      // deno-lint-ignore no-control-regex
      assert.ok(!/[\x00-\x1f]/.test(e.message), `${what}: control characters in message`);
      failed++;
      // Counted by kind (numbers masked) for FUZZ_STATS=1 runs.
      const kind = e.problem.replace(/0x[0-9a-f]+|\d+/g, "N");
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const ms = performance.now() - t0;
    assert.ok(ms < SLOW_MS, `${what}: took ${ms} ms`);
  }
  // Both outcomes must occur, or the mutations are not reaching the checks.
  if (Deno.env.get("FUZZ_STATS")) console.log(name, ok, failed, kinds);
  assert.ok(ok > 0 && failed > 0, `${name}: ${ok} loaded, ${failed} rejected`);
}

Deno.test("fuzz: mutated hand-made ELF files load or fail cleanly", () => {
  const base = makeElf({
    symbols: [
      { name: "start", value: 0x10100, size: 0x40, type: 2 },
      { name: "data", value: 0x11000, size: 0x10, type: 1 },
    ],
  });
  fuzz(base, "synthetic.elf", 1, 2500);
});

Deno.test({
  name: "fuzz: mutated compiled static program loads or fails cleanly",
  ignore: !HAVE_TOOLS,
  fn() {
    const path = binaries().tinyStatic;
    fuzz(Deno.readFileSync(path), path, 2, 1500);
  },
});

Deno.test({
  name: "fuzz: mutated compiled dynamic PIE loads or fails cleanly",
  ignore: !HAVE_TOOLS,
  fn() {
    const path = binaries().dynamicPie;
    fuzz(Deno.readFileSync(path), path, 3, 1500, Deno.readFileSync(`${SYSROOT}${LD_SO}`));
  },
});

Deno.test({
  name: "fuzz: a mutated interpreter fails cleanly, reported against the program",
  ignore: !HAVE_TOOLS,
  fn() {
    const path = binaries().dynamicPie;
    const exe = Deno.readFileSync(path);
    const ld = Deno.readFileSync(`${SYSROOT}${LD_SO}`);
    const mem = new GuestMemory();
    let rejected = 0;
    const cases: [string, Uint8Array][] = cutPoints(ld).map((n) => [`cut at ${n}`, ld.slice(0, n)]);
    for (const [what, bad] of [...cases, ...mutations(ld, 4, 800)]) {
      clear(mem);
      try {
        const r = execElf(mem, exe, "prog", {
          argv: ["prog"],
          envp: [],
          readInterpreter: () => bad,
        });
        assert.ok(mem.mappings.every((m) => m.end <= LIMIT), what);
        assert.ok(r.load.entry < LIMIT, what);
      } catch (e) {
        if (!(e instanceof ElfError)) {
          assert.fail(`${what}: threw ${e instanceof Error ? e.stack : e}`);
        }
        assert.ok(e.message.startsWith(`prog: interpreter ${LD_SO}: `), `${what}: ${e.message}`);
        rejected++;
      }
    }
    assert.ok(rejected > 100, `only ${rejected} rejected`);
  },
});
