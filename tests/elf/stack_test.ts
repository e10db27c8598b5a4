import assert from "node:assert/strict";
import { Hart } from "../../lib/cpu/hart.ts";
import { execElf, startHart } from "../../lib/elf/exec.ts";
import { loadElf } from "../../lib/elf/loader.ts";
import { ElfError } from "../../lib/elf/parse.ts";
import { auxvBytes, buildStack, randomBytesFor } from "../../lib/elf/stack.ts";
import { GuestMemory } from "../../lib/memory/memory.ts";
import { binaries, HAVE_TOOLS, LD_SO, makeElf, readelf, SYSROOT } from "./elf_fixtures.ts";

const TOP = 0x4000000000;
const enc = new TextEncoder();
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** Auxv types in the order Linux's create_elf_tables writes them (riscv64, no vDSO). */
const AUX_ORDER = [16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 31, 15, 0];

interface Decoded {
  argc: number;
  argv: string[];
  envp: string[];
  argvAddrs: number[];
  envpAddrs: number[];
  auxv: [number, number][];
  auxvAt: number;
}

/** Walks the initial stack from sp as a C runtime would. */
function decode(mem: GuestMemory, sp: number): Decoded {
  let at = sp;
  const next = () => {
    const v = mem.readU64Number(at);
    at += 8;
    return v;
  };
  const argc = next();
  const argvAddrs: number[] = [];
  for (let i = 0; i < argc; i++) argvAddrs.push(next());
  assert.equal(next(), 0, "argv ends in NULL");
  const envpAddrs: number[] = [];
  for (let p = next(); p !== 0; p = next()) envpAddrs.push(p);
  const auxvAt = at;
  const auxv: [number, number][] = [];
  for (;;) {
    const t = next();
    const v = next();
    auxv.push([t, v]);
    if (t === 0) break;
    assert.ok(auxv.length < 64, "auxv runs on");
  }
  const str = (a: number) => mem.readCString(a)!;
  return {
    argc,
    argv: argvAddrs.map(str),
    envp: envpAddrs.map(str),
    argvAddrs,
    envpAddrs,
    auxv,
    auxvAt,
  };
}

interface Expect {
  argv: string[];
  envp: string[];
  execfn: string;
  phdr: number;
  phnum: number;
  base: number;
  entry: number;
}

/**
 * Builds, from the rules alone, the bytes from sp to the stack top; the
 * AT_RANDOM bytes are taken from memory (checked separately), everything
 * else is computed here.
 */
function expectedImage(mem: GuestMemory, e: Expect): { sp: number; bytes: Uint8Array } {
  const strings = [...e.argv, ...e.envp, e.execfn].map((s) => [...enc.encode(s), 0]);
  const total = strings.reduce((n, s) => n + s.length, 0);
  const argStart = TOP - 8 - total;
  const platform = Math.floor(argStart / 16) * 16 - 8;
  const random = platform - 16;
  const nAux = AUX_ORDER.length;
  const items = e.argv.length + e.envp.length + 3;
  const sp = Math.floor((random - 16 * nAux - 8 * items) / 16) * 16;
  const img = new Uint8Array(TOP - sp);
  const dv = new DataView(img.buffer);
  let s = argStart;
  const addrs = strings.map((bytes) => {
    img.set(bytes, s - sp);
    const a = s;
    s += bytes.length;
    return a;
  });
  img.set(enc.encode("riscv64\0"), platform - sp);
  img.set(mem.read(random, 16), random - sp);
  const auxValues: Record<number, number> = {
    16: 0x112d,
    6: 4096,
    17: 100,
    3: e.phdr,
    4: 56,
    5: e.phnum,
    7: e.base,
    8: 0,
    9: e.entry,
    11: 1000,
    12: 1000,
    13: 1000,
    14: 1000,
    23: 0,
    25: random,
    31: addrs[addrs.length - 1],
    15: platform,
    0: 0,
  };
  const words = [
    e.argv.length,
    ...addrs.slice(0, e.argv.length),
    0,
    ...addrs.slice(e.argv.length, e.argv.length + e.envp.length),
    0,
    ...AUX_ORDER.flatMap((t) => [t, auxValues[t]]),
  ];
  words.forEach((w, i) => dv.setBigUint64(8 * i, BigInt(w), true));
  return { sp, bytes: img };
}

function checkStack(mem: GuestMemory, sp: number, e: Expect): Decoded {
  assert.equal(sp % 16, 0, "sp 16-byte aligned");
  const want = expectedImage(mem, e);
  assert.equal(sp, want.sp, "sp");
  const got = mem.read(sp, TOP - sp);
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want.bytes[i]) {
      assert.fail(`stack byte at 0x${(sp + i).toString(16)}: ${got[i]} != ${want.bytes[i]}`);
    }
  }
  const d = decode(mem, sp);
  assert.deepEqual(d.argv, e.argv);
  assert.deepEqual(d.envp, e.envp);
  assert.deepEqual(d.auxv.map(([t]) => t), AUX_ORDER);
  assert.ok(!d.auxv.some(([t]) => t === 33), "no AT_SYSINFO_EHDR");
  const aux = new Map(d.auxv);
  assert.equal(mem.readCString(aux.get(31)!), e.execfn);
  assert.equal(mem.readCString(aux.get(15)!), "riscv64");
  assert.equal(aux.get(25)! % 8, 0);
  return d;
}

const ARGV = ["/bin/x", "hello", "wörld with spaces", ""];
const ENVP = ["A=1", "LONGER_VARIABLE=some value", "PATH=/usr/bin"];

Deno.test("initial stack of a hand-made program, byte by byte", () => {
  const mem = new GuestMemory();
  const load = loadElf(mem, makeElf(), "prog", { guestPath: "/bin/x" });
  const st = buildStack(mem, load, { argv: ARGV, envp: ENVP, execfn: "/bin/x", seed: 42 });
  checkStack(mem, st.sp, {
    argv: ARGV,
    envp: ENVP,
    execfn: "/bin/x",
    phdr: 0x10040,
    phnum: 3,
    base: 0,
    entry: 0x10100,
  });
  assert.equal(hex(mem.read(st.randomAddr, 16)), "956eeb2f2632d7bd03f166b233e3ef28");
  assert.deepEqual(
    mem.mappings.filter((m) => m.name === "[stack]").map((m) => [m.start, m.end, m.prot]),
    [[0x3fff800000, 0x4000000000, 3]],
  );
  // The strings the kernel will serve as /proc/self/cmdline and environ.
  assert.equal(
    new TextDecoder().decode(mem.read(st.argStart, st.argEnd - st.argStart)),
    ARGV.join("\0") + "\0",
  );
  assert.equal(
    new TextDecoder().decode(mem.read(st.envStart, st.envEnd - st.envStart)),
    ENVP.join("\0") + "\0",
  );
  assert.equal(st.argc, 4);
  assert.equal(st.auxv.length, AUX_ORDER.length);
  // Lazy stack: only the top page or two are backed.
  assert.ok(mem.touchedPages <= 6);
});

Deno.test("with a vDSO, AT_SYSINFO_EHDR comes first (riscv's ARCH_DLINFO)", () => {
  const mem = new GuestMemory();
  const load = loadElf(mem, makeElf(), "prog");
  const st = buildStack(mem, load, { argv: ["p"], envp: [], vdsoBase: 0x3ff8002000 });
  assert.deepEqual(st.auxv.map((a) => a.type), [33, ...AUX_ORDER]);
  assert.equal(st.auxv[0].value, 0x3ff8002000);
  const d = decode(mem, st.sp);
  assert.deepEqual(d.auxv[0], [33, 0x3ff8002000]);
});

Deno.test("AT_RANDOM is deterministic and depends on the seed", () => {
  const randomOf = (seed?: number | bigint) => {
    const mem = new GuestMemory();
    const load = loadElf(mem, makeElf(), "prog");
    const st = buildStack(mem, load, { argv: ["p"], envp: [], seed });
    return hex(mem.read(st.randomAddr, 16));
  };
  // SplitMix64 reference values, computed outside this code.
  assert.equal(randomOf(), "afcd1d7b39a820e2f465b9a16a9e786e");
  assert.equal(randomOf(0), randomOf());
  assert.equal(randomOf(42), "956eeb2f2632d7bd03f166b233e3ef28");
  assert.equal(randomOf(42n), randomOf(42));
  assert.equal(randomOf(-1), "202c651b7771d9e4c982f6db67f89fe9");
  assert.notEqual(randomOf(43), randomOf(42));
  assert.equal(hex(randomBytesFor(7)), hex(randomBytesFor(7)));
});

Deno.test("an empty argv gets one empty string, as Linux 5.18+ does", () => {
  const mem = new GuestMemory();
  const load = loadElf(mem, makeElf(), "prog");
  const st = buildStack(mem, load, { argv: [], envp: ["X=y"], execfn: "/p" });
  checkStack(mem, st.sp, {
    argv: [""],
    envp: ["X=y"],
    execfn: "/p",
    phdr: 0x10040,
    phnum: 3,
    base: 0,
    entry: 0x10100,
  });
});

Deno.test("stack building rejects bad strings and a taken stack range", () => {
  const fresh = () => {
    const mem = new GuestMemory();
    return { mem, load: loadElf(mem, makeElf(), "prog") };
  };
  const errorOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof ElfError);
      return e.message;
    }
    return "no error";
  };
  let { mem, load } = fresh();
  assert.equal(
    errorOf(() => buildStack(mem, load, { argv: ["a", "b\0c"], envp: [], fileName: "prog" })),
    "prog: argv[1] contains a NUL byte",
  );
  ({ mem, load } = fresh());
  const big = "x".repeat(100000);
  assert.equal(
    errorOf(() =>
      buildStack(mem, load, { argv: ["a"], envp: Array(30).fill(big), fileName: "prog" })
    ),
    "prog: argument list too long",
  );
  ({ mem, load } = fresh());
  assert.equal(
    errorOf(() => buildStack(mem, load, { argv: ["a", "y".repeat(200000)], envp: [] })),
    "a: argv[1] is too long",
  );
  ({ mem, load } = fresh());
  mem.map(0x3fffff0000, 0x1000, 3);
  assert.equal(
    errorOf(() => buildStack(mem, load, { argv: ["a"], envp: [], fileName: "prog" })),
    "prog: program segments overlap the stack range",
  );
});

Deno.test("PT_GNU_STACK with PF_X makes the stack executable", () => {
  const phdrs = [
    { type: 1, flags: 5, offset: 0, vaddr: 0x10000, filesz: 0x1000, memsz: 0x1000 },
    { type: 0x6474e551, flags: 7, offset: 0, vaddr: 0, filesz: 0, memsz: 0 },
  ];
  const mem = new GuestMemory();
  const r = execElf(mem, makeElf({ phdrs }), "prog", { argv: ["p"], envp: [] });
  assert.equal(mem.mappingAt(r.stack.sp)?.prot, 7);
});

Deno.test("auxvBytes lays out /proc/self/auxv as u64 pairs", () => {
  const b = auxvBytes([{ type: 6, value: 4096 }, { type: 25, value: 0x3ffffffe10 }, {
    type: 0,
    value: 0,
  }]);
  assert.equal(
    hex(b),
    "0600000000000000" + "0010000000000000" + "1900000000000000" + "10feffff3f000000" +
      "0000000000000000" + "0000000000000000",
  );
});

Deno.test("startHart zeroes the registers and sets sp and pc", () => {
  const h = new Hart();
  h.setXNumber(10, 77);
  h.setXNumber(1, 5);
  h.setF(3, 0x4000000000000000n);
  h.fcsr = 0xff;
  startHart(h, 0x10100, 0x3ffffffe70);
  assert.equal(h.pc, 0x10100);
  assert.equal(h.getXNumber(2), 0x3ffffffe70);
  assert.equal(h.getX(10), 0n);
  assert.equal(h.getX(1), 0n);
  assert.equal(h.getF(3), 0n);
  assert.equal(h.fcsr, 0);
});

Deno.test({
  name: "initial stack of a compiled dynamic PIE, byte by byte",
  ignore: !HAVE_TOOLS,
  fn() {
    const b = binaries();
    const ref = readelf(b.dynamicPie);
    const mem = new GuestMemory();
    const r = execElf(mem, Deno.readFileSync(b.dynamicPie), b.dynamicPie, {
      sysroot: SYSROOT,
      guestPath: "/usr/bin/prog",
      argv: ["prog", "--flag"],
      envp: ["HOME=/home/u", "LANG=C"],
      seed: 42,
    });
    const ld = mem.mappings.filter((m) => m.name === LD_SO);
    const phdrSeg = ref.segments.find((s) => s.type === 6)!;
    checkStack(mem, r.stack.sp, {
      argv: ["prog", "--flag"],
      envp: ["HOME=/home/u", "LANG=C"],
      execfn: "/usr/bin/prog",
      phdr: 0x2aaaaaa000 + phdrSeg.vaddr,
      phnum: ref.phnum,
      base: ld[0].start,
      entry: 0x2aaaaaa000 + ref.entry,
    });
    // Execution starts in the interpreter, not at AT_ENTRY.
    const ldEntry = readelf(`${SYSROOT}${LD_SO}`).entry;
    assert.equal(r.load.entry, ld[0].start + ldEntry);
  },
});

Deno.test({
  name: "initial stack of a compiled static program, byte by byte",
  ignore: !HAVE_TOOLS,
  fn() {
    const b = binaries();
    const ref = readelf(b.staticExe);
    const mem = new GuestMemory();
    const r = execElf(mem, Deno.readFileSync(b.staticExe), "static", {
      argv: ["./static"],
      envp: [],
      seed: 1,
    });
    const first = ref.segments.find((s) => s.type === 1)!;
    checkStack(mem, r.stack.sp, {
      argv: ["./static"],
      envp: [],
      execfn: "static",
      phdr: first.vaddr + ref.phoff - first.offset,
      phnum: ref.phnum,
      base: 0,
      entry: ref.entry,
    });
  },
});
