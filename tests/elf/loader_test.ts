import assert from "node:assert/strict";
import { loadElf, mappingBias, symbolsOf } from "../../lib/elf/loader.ts";
import { ElfError } from "../../lib/elf/parse.ts";
import { GuestMemory } from "../../lib/memory/memory.ts";
import {
  binaries,
  defaultPhdrs,
  HAVE_TOOLS,
  LD_SO,
  makeElf,
  protOfFlg,
  readelf,
  type SynthPhdr,
  SYSROOT,
} from "./elf_fixtures.ts";

const PAGE = 0x1000;
const up = (n: number) => Math.ceil(n / PAGE) * PAGE;
const down = (n: number) => Math.floor(n / PAGE) * PAGE;
/** Linux riscv64's ELF_ET_DYN_BASE: 2/3 of 2^38, page aligned. */
const PIE = 0x2aaaaaa000;
/** 2^38 less the 128 MiB minimum stack gap. */
const MMAP_TOP = 0x3ff8000000;

function mappingsNamed(mem: GuestMemory, name: string) {
  return mem.mappings.filter((m) => m.name === name);
}

/** Checks every readelf PT_LOAD of `path` is mapped at `bias` with its bytes, zeros and protection. */
function checkSegments(mem: GuestMemory, path: string, bias: number, name: string): void {
  const ref = readelf(path);
  const file = Deno.readFileSync(path);
  for (const s of ref.segments.filter((x) => x.type === 1)) {
    const start = bias + s.vaddr;
    const fileEnd = start + s.filesz;
    for (let a = down(start); a < up(start + s.memsz); a += PAGE) {
      const m = mem.mappingAt(a);
      assert.ok(m, `${path}: page 0x${a.toString(16)} unmapped`);
      assert.equal(m.prot, protOfFlg(s.flg), `${path}: prot at 0x${a.toString(16)}`);
      assert.equal(
        m.name,
        a < up(fileEnd) && s.filesz > 0 ? name : "",
        `name at ${a.toString(16)}`,
      );
    }
    assert.deepEqual(mem.read(start, s.filesz), file.subarray(s.offset, s.offset + s.filesz));
    const bss = mem.read(fileEnd, s.memsz - s.filesz);
    assert.equal(bss.findIndex((b) => b !== 0), -1, `${path}: bss not zero`);
  }
}

Deno.test({
  name: "compiled binaries load where Linux puts them, with their bytes",
  ignore: !HAVE_TOOLS,
  fn() {
    const b = binaries();
    const ldRef = readelf(`${SYSROOT}${LD_SO}`);
    for (const path of [b.staticExe, b.staticPie, b.dynamicPie, b.tinyStatic]) {
      const ref = readelf(path);
      const loads = ref.segments.filter((s) => s.type === 1);
      assert.ok(loads.every((s) => s.align === PAGE), "test assumes page-aligned segments");
      const mem = new GuestMemory();
      const r = loadElf(mem, Deno.readFileSync(path), path, {
        sysroot: SYSROOT,
        guestPath: "/bin/prog",
      });
      const bias = ref.fileType === "EXEC" ? 0 : PIE;
      checkSegments(mem, path, bias, "/bin/prog");
      assert.equal(r.programEntry, bias + ref.entry);
      assert.equal(r.phnum, ref.phnum);
      assert.equal(r.phent, 56);
      const phdrSeg = ref.segments.find((s) => s.type === 6);
      const holder = loads.find((s) => s.offset <= ref.phoff && ref.phoff < s.offset + s.filesz)!;
      assert.equal(
        r.phdr,
        bias + (phdrSeg ? phdrSeg.vaddr : ref.phoff - holder.offset + holder.vaddr),
      );
      // The program headers really are at AT_PHDR.
      const file = Deno.readFileSync(path);
      assert.deepEqual(
        mem.read(r.phdr, 56 * r.phnum),
        file.subarray(ref.phoff, ref.phoff + 56 * r.phnum),
      );
      assert.equal(r.brk, bias + up(Math.max(...loads.map((s) => s.vaddr + s.memsz))));
      const code = loads.filter((s) => s.flg[2] === "E");
      assert.equal(r.startCode, bias + Math.min(...code.map((s) => s.vaddr)));
      assert.equal(r.endCode, bias + Math.max(...code.map((s) => s.vaddr + s.filesz)));
      assert.equal(r.startData, bias + Math.max(...loads.map((s) => s.vaddr)));
      assert.equal(r.endData, bias + Math.max(...loads.map((s) => s.vaddr + s.filesz)));

      if (ref.interpreter) {
        const ld = mappingsNamed(mem, LD_SO);
        assert.ok(ld.length >= 2);
        assert.equal(ld[ld.length - 1].end, MMAP_TOP, "interpreter sits right below the mmap base");
        assert.equal(r.base, ld[0].start);
        assert.equal(r.entry, r.base + ldRef.entry);
        checkSegments(mem, `${SYSROOT}${LD_SO}`, r.base, LD_SO);
        const ldFn = ldRef.symbols.find((s) =>
          s.table === ".dynsym" && s.type === "FUNC" && s.size > 8 && s.ndx !== "UND"
        )!;
        assert.equal(r.symbols.describe(r.base + ldFn.value + 4), `${ldFn.name}+0x4`);
        assert.equal(r.symbols.lookup(r.base + ldFn.value)?.object, LD_SO);
      } else {
        assert.equal(r.base, 0);
        assert.equal(r.entry, r.programEntry);
        assert.equal(r.interpreter, undefined);
      }
      const fn = ref.symbols.find((s) => s.name === "add_numbers" || s.name === "tiny_emit")!;
      assert.equal(r.symbols.describe(bias + fn.value + 2), `${fn.name}+0x2`);
      assert.equal(r.symbols.lookup(bias + fn.value)?.object, "/bin/prog");
      assert.ok(mem.mappings.every((m) => m.end <= 2 ** 47));
    }
  },
});

Deno.test("a hand-made ET_EXEC maps text, data, cleared tail and bss", () => {
  const mem = new GuestMemory();
  const bytes = makeElf();
  const r = loadElf(mem, bytes, "prog", { guestPath: "/bin/x" });
  assert.deepEqual(
    mem.mappings.map((m) => [m.start, m.end, m.prot, m.name]),
    [
      [0x10000, 0x11000, 5, "/bin/x"],
      [0x11000, 0x12000, 3, "/bin/x"],
      [0x12000, 0x14000, 3, ""],
    ],
  );
  assert.deepEqual(mem.read(0x10000, 0x1000), bytes.subarray(0, 0x1000));
  assert.deepEqual(mem.read(0x11000, 0x800), bytes.subarray(0x1000, 0x1800));
  // The file has non-zero bytes after p_filesz; memory must not.
  assert.ok(bytes.subarray(0x1800, 0x2000).every((b) => b !== 0));
  assert.ok(mem.read(0x11800, 0x2800).every((b) => b === 0));
  assert.equal(r.entry, 0x10100);
  assert.equal(r.programEntry, 0x10100);
  assert.equal(r.phdr, 0x10040);
  assert.equal(r.phnum, 3);
  assert.equal(r.brk, 0x14000);
  assert.equal(r.base, 0);
  assert.equal(r.executableStack, false);
  assert.deepEqual([r.startCode, r.endCode, r.startData, r.endData], [
    0x10000,
    0x11000,
    0x11000,
    0x11800,
  ]);
  // Lazy: only the page whose tail was cleared is backed so far.
  assert.equal(mem.touchedPages >= 1 && mem.touchedPages <= 4, true);
});

Deno.test("a read-only segment whose tail is bss still reads zero there", () => {
  const phdrs = defaultPhdrs();
  phdrs[1].flags = 4;
  const mem = new GuestMemory();
  loadElf(mem, makeElf({ phdrs }), "ro");
  assert.ok(mem.read(0x11800, 0x800).every((b) => b === 0));
  assert.equal(mem.mappingAt(0x11800)?.prot, 1);
});

Deno.test("a segment with no file bytes is all anonymous", () => {
  const phdrs: SynthPhdr[] = [
    defaultPhdrs()[0],
    { type: 1, flags: 6, offset: 0x1234, vaddr: 0x20234, filesz: 0, memsz: 0x2000 },
  ];
  const mem = new GuestMemory();
  const r = loadElf(mem, makeElf({ phdrs }), "bss");
  assert.deepEqual(
    mem.mappings.map((m) => [m.start, m.end, m.prot, m.name]),
    [[0x10000, 0x11000, 5, "bss"], [0x20000, 0x23000, 3, ""]],
  );
  assert.equal(r.brk, 0x23000);
});

function pie(align = 0x1000): Uint8Array {
  return makeElf({
    type: 3,
    entry: 0x100,
    phdrs: [
      { type: 1, flags: 5, offset: 0, vaddr: 0, filesz: 0x1000, memsz: 0x1000, align },
      { type: 1, flags: 6, offset: 0x1000, vaddr: 0x1000, filesz: 0x800, memsz: 0x1000, align },
    ],
  });
}

Deno.test("ET_DYN programs load at the PIE base, lowered to their alignment", () => {
  let mem = new GuestMemory();
  let r = loadElf(mem, pie(), "pie");
  assert.equal(mem.mappings[0].start, PIE);
  assert.equal(r.programEntry, PIE + 0x100);
  assert.equal(r.phdr, PIE + 0x40);
  assert.equal(r.brk, PIE + 0x2000);
  mem = new GuestMemory();
  r = loadElf(mem, pie(0x10000), "pie64k");
  assert.equal(mem.mappings[0].start, 0x2aaaaa0000);
  // An ET_DYN linked above zero still starts at the base (the bias subtracts its first p_vaddr).
  mem = new GuestMemory();
  r = loadElf(
    mem,
    makeElf({ type: 3, entry: 0x400100, phdrs: defaultPhdrs(0x400000) }),
    "pie_high",
  );
  assert.equal(mem.mappings[0].start, PIE);
  assert.equal(r.programEntry, PIE + 0x100);
  assert.equal(r.brk, PIE + 0x4000);
  mem = new GuestMemory();
  r = loadElf(mem, pie(), "pie", { pieBase: 0x555555554000 });
  assert.equal(r.programEntry, 0x555555554100);
});

Deno.test("a static-pie can be placed as Linux 6.x does: below the mmap base", () => {
  const mem = new GuestMemory();
  const r = loadElf(mem, pie(), "spie", { staticPie: "mmap-base" });
  assert.equal(mem.mappings[0].start, MMAP_TOP - 0x2000);
  assert.equal(r.programEntry, MMAP_TOP - 0x2000 + 0x100);
  assert.equal(r.brk, PIE, "brk moves to ELF_ET_DYN_BASE");
  // A PIE with an interpreter is unaffected by the option.
  const mem2 = new GuestMemory();
  const r2 = loadElf(mem2, dynamicExe(), "prog", {
    staticPie: "mmap-base",
    readInterpreter: () => interpreter(),
  });
  assert.equal(r2.programEntry, 0x10100);
});

const LD_TEST = "/lib/ld-test.so.1";

function dynamicExe(interp = LD_TEST): Uint8Array {
  const path = new TextEncoder().encode(interp + "\0");
  return makeElf({
    phdrs: [
      ...defaultPhdrs(),
      {
        type: 3,
        flags: 4,
        offset: 0x200,
        vaddr: 0x10200,
        filesz: path.length,
        memsz: path.length,
        align: 1,
      },
    ],
    patches: [{ at: 0x200, bytes: path }],
  });
}

function interpreter(): Uint8Array {
  return makeElf({
    type: 3,
    entry: 0x1c0,
    phdrs: [
      { type: 1, flags: 5, offset: 0, vaddr: 0, filesz: 0x1000, memsz: 0x1000 },
      { type: 1, flags: 6, offset: 0x1000, vaddr: 0x1000, filesz: 0x100, memsz: 0x2800 },
    ],
    symbols: [{ name: "_dl_start", value: 0x1c0, size: 0x40, type: 2 }],
  });
}

Deno.test("the interpreter is placed like an mmap, top-down below the mmap base", () => {
  const mem = new GuestMemory();
  const r = loadElf(mem, dynamicExe(), "prog", {
    readInterpreter: (p) => p === LD_TEST ? interpreter() : undefined,
  });
  const base = MMAP_TOP - 0x4000;
  assert.equal(r.base, base);
  assert.equal(r.entry, base + 0x1c0);
  assert.equal(r.programEntry, 0x10100);
  assert.deepEqual(
    mappingsNamed(mem, LD_TEST).map((m) => [m.start, m.end, m.prot]),
    [[base, base + 0x1000, 5], [base + 0x1000, base + 0x2000, 3]],
  );
  assert.equal(r.interpreter?.path, LD_TEST);
  assert.equal(r.symbols.describe(base + 0x1d0), "_dl_start+0x10");
  assert.equal(r.symbols.lookup(base + 0x1d0)?.object, LD_TEST);
});

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ElfError, `not an ElfError: ${e}`);
    assert.ok(!e.message.includes("\n"));
    return e.message;
  }
  throw new Error("no error thrown");
}

Deno.test("the interpreter is looked up inside the sysroot only", () => {
  const root = Deno.makeTempDirSync({ prefix: "zkabi_sysroot_" });
  try {
    const load = (sysroot?: string) =>
      loadElf(new GuestMemory(), dynamicExe(), "prog", { sysroot });
    assert.equal(
      errorOf(() => load(root)),
      `prog: interpreter ${LD_TEST} not found (looked for ${root}${LD_TEST})`,
    );
    assert.equal(
      errorOf(() => load()),
      `prog: needs interpreter ${LD_TEST} but no sysroot was given`,
    );
    // An absolute symlink resolves inside the sysroot, not on the host.
    Deno.mkdirSync(`${root}/lib`);
    Deno.mkdirSync(`${root}/real`);
    Deno.writeFileSync(`${root}/real/ld.so`, interpreter());
    Deno.symlinkSync("/real/ld.so", `${root}${LD_TEST}`);
    assert.equal(load(root + "/").base, MMAP_TOP - 0x4000);
    Deno.removeSync(`${root}${LD_TEST}`);
    Deno.symlinkSync("../real/./ld.so", `${root}${LD_TEST}`);
    assert.equal(load(root).base, MMAP_TOP - 0x4000);
    // A link to a host path that exists only outside the sysroot is not followed there.
    const outside = Deno.makeTempFileSync();
    Deno.writeFileSync(outside, interpreter());
    Deno.removeSync(`${root}${LD_TEST}`);
    Deno.symlinkSync(outside, `${root}${LD_TEST}`);
    assert.equal(
      errorOf(() => load(root)),
      `prog: interpreter ${LD_TEST} not found (looked for ${root}${LD_TEST})`,
    );
    Deno.removeSync(outside);
    // A symlink loop ends in "not found", not a hang.
    Deno.removeSync(`${root}${LD_TEST}`);
    Deno.symlinkSync(LD_TEST, `${root}${LD_TEST}`);
    assert.match(errorOf(() => load(root)), /not found/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("a broken interpreter is reported against the program", () => {
  const bad = (bytes: Uint8Array) =>
    errorOf(() =>
      loadElf(new GuestMemory(), dynamicExe(), "prog", { readInterpreter: () => bytes })
    );
  assert.equal(
    bad(new Uint8Array(100)),
    `prog: interpreter ${LD_TEST}: not an ELF file (bad magic)`,
  );
  assert.equal(
    bad(makeElf({ machine: 62 })),
    `prog: interpreter ${LD_TEST}: wrong machine 62 (need EM_RISCV=243)`,
  );
});

Deno.test("loading refuses to clobber mappings or map below mmap_min_addr", () => {
  const mem = new GuestMemory();
  mem.map(0x13000, 0x1000, 3, "other");
  assert.equal(
    errorOf(() => loadElf(mem, makeElf(), "prog")),
    "prog: segment 0x11000-0x14000 overlaps an existing mapping",
  );
  const low = defaultPhdrs(0);
  assert.equal(
    errorOf(() => loadElf(new GuestMemory(), makeElf({ phdrs: low, entry: 0x100 }), "prog")),
    "prog: segment at 0x0 below the lowest mappable address 0x1000",
  );
  const empty: SynthPhdr[] = [
    { type: 1, flags: 5, offset: 0, vaddr: 0x10000, filesz: 0, memsz: 0 },
  ];
  assert.equal(
    errorOf(() => loadElf(new GuestMemory(), makeElf({ phdrs: empty }), "prog")),
    "prog: every PT_LOAD segment is empty",
  );
  // A PIE base far up pushes a large ET_DYN past 2^47.
  assert.equal(
    errorOf(() => loadElf(new GuestMemory(), pie(), "prog", { pieBase: 2 ** 47 - 0x1000 })),
    "prog: segment ending at 0x800000001000 beyond 2^47",
  );
});

Deno.test("symbolsOf and mappingBias serve libraries mapped later", () => {
  const lib = interpreter();
  assert.deepEqual(symbolsOf(lib).map((s) => [s.name, s.value, s.size]), [[
    "_dl_start",
    0x1c0,
    0x40,
  ]]);
  assert.deepEqual(symbolsOf(new Uint8Array(10)), []);
  assert.equal(mappingBias(lib, 0, 0x3ff0000000), 0x3ff0000000);
  assert.equal(mappingBias(lib, 0x1000, 0x3ff0001000), 0x3ff0000000);
  assert.equal(mappingBias(lib, 0x2000, 0x3ff0002000), undefined);
  assert.equal(mappingBias(new Uint8Array(10), 0, 0x1000), undefined);
});
