import assert from "node:assert/strict";
import { ElfError, parseElf } from "../../lib/elf/parse.ts";
import {
  binaries,
  defaultPhdrs,
  HAVE_TOOLS,
  makeElf,
  readelf,
  sectionHeaderOffset,
  type SynthPhdr,
} from "./elf_fixtures.ts";

const enc = new TextEncoder();

function flagsOf(flg: string): number {
  // PF_R 4, PF_W 2, PF_X 1 (gABI).
  return (flg[0] === "R" ? 4 : 0) | (flg[1] === "W" ? 2 : 0) | (flg[2] === "E" ? 1 : 0);
}

function symKeys(list: { name: string; value: number; size: number }[]): string[] {
  return list.map((s) => `${s.name}@${s.value.toString(16)}:${s.size}`).sort();
}

Deno.test({
  name: "parseElf agrees with readelf on compiled binaries",
  ignore: !HAVE_TOOLS,
  fn() {
    const b = binaries();
    for (const path of [b.staticExe, b.staticPie, b.dynamicPie, b.tinyStatic]) {
      const ref = readelf(path);
      const elf = parseElf(Deno.readFileSync(path), path);
      assert.equal(elf.header.type, ref.fileType === "EXEC" ? 2 : 3, path);
      assert.equal(elf.header.entry, ref.entry, path);
      assert.equal(elf.header.phnum, ref.phnum, path);
      assert.equal(elf.header.phoff, ref.phoff, path);
      assert.deepEqual(
        elf.programHeaders.map((
          p,
        ) => [p.type, p.offset, p.vaddr, p.filesz, p.memsz, p.flags, p.align]),
        ref.segments.map((
          s,
        ) => [s.type, s.offset, s.vaddr, s.filesz, s.memsz, flagsOf(s.flg), s.align]),
        path,
      );
      assert.equal(elf.interpreter, ref.interpreter, path);
      assert.equal(elf.loads.length, ref.segments.filter((s) => s.type === 1).length);
      for (const table of [".symtab", ".dynsym"]) {
        const want = ref.symbols.filter((s) =>
          s.table === table && (s.type === "FUNC" || s.type === "OBJECT") &&
          s.ndx !== "UND" && s.ndx !== "ABS" && s.name !== ""
        );
        const got = table === ".symtab" ? elf.symbols : elf.dynamicSymbols;
        assert.deepEqual(symKeys(got), symKeys(want), `${path} ${table}`);
        if (table === ".symtab") assert.ok(want.length >= 3, `${path}: too few symbols to compare`);
      }
      assert.deepEqual(elf.warnings, []);
    }
    // The programs' own symbols are there with the right kinds.
    const s = parseElf(Deno.readFileSync(b.staticExe), b.staticExe);
    assert.equal(s.symbols.find((x) => x.name === "add_numbers")?.kind, "func");
    assert.equal(s.symbols.find((x) => x.name === "table")?.kind, "object");
    assert.equal(s.symbols.find((x) => x.name === "table")?.size, 64 * 8);
    assert.equal(
      parseElf(Deno.readFileSync(b.dynamicPie), "d").interpreter,
      "/lib/ld-linux-riscv64-lp64d.so.1",
    );
  },
});

Deno.test("parseElf reads a hand-made file", () => {
  const elf = parseElf(
    makeElf({
      symbols: [
        { name: "f_one", value: 0x10100, size: 0x20, type: 2 },
        { name: "obj", value: 0x11010, size: 8, type: 1, bind: 0 },
        { name: "label", value: 0x10200, size: 0, type: 0 },
        { name: "undef", value: 0, size: 0, type: 2, shndx: 0 },
        { name: "absolute", value: 0x500, size: 0, type: 1, shndx: 0xfff1 },
      ],
    }),
    "ok.elf",
  );
  assert.equal(elf.header.entry, 0x10100);
  assert.equal(elf.loads.length, 2);
  assert.equal(elf.loads[1].memsz, 0x3000);
  assert.equal(elf.executableStack, false);
  assert.ok(elf.gnuStack);
  assert.deepEqual(elf.symbols, [
    { name: "f_one", value: 0x10100, size: 0x20, kind: "func", bind: "global" },
    { name: "obj", value: 0x11010, size: 8, kind: "object", bind: "local" },
  ]);
  assert.deepEqual(elf.sections.map((s) => s.name), [
    "",
    ".text",
    ".symtab",
    ".strtab",
    ".shstrtab",
  ]);
});

Deno.test("PT_GNU_STACK with PF_X asks for an executable stack", () => {
  const phdrs = defaultPhdrs();
  phdrs[2].flags = 7;
  assert.equal(parseElf(makeElf({ phdrs }), "x").executableStack, true);
});

function withPhdr(i: number, change: Partial<SynthPhdr>): SynthPhdr[] {
  const phdrs = defaultPhdrs();
  phdrs[i] = { ...phdrs[i], ...change };
  return phdrs;
}

function patched(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  const out = bytes.slice();
  out.set(values, at);
  return out;
}

function u16(v: number): number[] {
  return [v & 0xff, v >> 8];
}

const good = makeElf();
const interpPhdr = (filesz: number, offset = 0x2000): SynthPhdr => ({
  type: 3,
  flags: 4,
  offset,
  vaddr: 0x10000 + offset,
  filesz,
  memsz: filesz,
  align: 1,
});

const BAD: [string, Uint8Array, string][] = [
  ["empty file", new Uint8Array(0), "not an ELF file (bad magic)"],
  ["bad magic", patched(good, 1, [0x46]), "not an ELF file (bad magic)"],
  ["a text file", enc.encode("#!/bin/sh\necho hi\n"), "not an ELF file (bad magic)"],
  ["magic only", good.slice(0, 5), "truncated ELF header (5 bytes, need 64)"],
  ["ELF32", patched(good, 4, [1]), "not a 64-bit ELF file (EI_CLASS 1, need 2)"],
  ["big-endian", patched(good, 5, [2]), "not a little-endian ELF file (EI_DATA 2, need 1)"],
  ["truncated header", good.slice(0, 40), "truncated ELF header (40 bytes, need 64)"],
  ["x86-64", patched(good, 18, u16(62)), "wrong machine 62 (need EM_RISCV=243)"],
  ["ET_REL", patched(good, 16, u16(1)), "unsupported ELF type 1 (need ET_EXEC=2 or ET_DYN=3)"],
  ["ET_CORE", patched(good, 16, u16(4)), "unsupported ELF type 4 (need ET_EXEC=2 or ET_DYN=3)"],
  ["phentsize", patched(good, 54, u16(32)), "bad e_phentsize 32 (need 56)"],
  [
    "shentsize",
    patched(patched(good, 60, u16(3)), 58, u16(40)),
    "bad e_shentsize 40 (need 64)",
  ],
  ["no program headers", patched(good, 56, u16(0)), "no program headers (no PT_LOAD segment)"],
  [
    "program headers cut off",
    good.slice(0, 64 + 56 + 10),
    "program headers outside the file (offset 0x40, 168 bytes, file is 130 bytes)",
  ],
  [
    "program headers past the end",
    patched(good, 32, [0xf8, 0x2f]),
    "program headers outside the file (offset 0x2ff8, 168 bytes, file is 12288 bytes)",
  ],
  [
    "too many program headers",
    patched(good, 56, u16(2000)),
    "too many program headers (2000)",
  ],
  [
    "segment beyond the file",
    makeElf({ phdrs: withPhdr(1, { filesz: 0x2800 }) }),
    "PT_LOAD #1: file range 0x1000+0x2800 outside the file (12288 bytes)",
  ],
  [
    "segment offset beyond the file",
    makeElf({ phdrs: withPhdr(1, { offset: 0x5000, vaddr: 0x15000, filesz: 1 }) }),
    "PT_LOAD #1: file range 0x5000+0x1 outside the file (12288 bytes)",
  ],
  [
    "filesz > memsz",
    makeElf({ phdrs: withPhdr(1, { memsz: 0x400 }) }),
    "PT_LOAD #1: p_filesz 0x800 > p_memsz 0x400",
  ],
  [
    "memsz beyond 2^47",
    makeElf({ phdrs: withPhdr(1, { memsz: 2 ** 48 }) }),
    "PT_LOAD #1: absurd size or address (vaddr 0x11000, memsz 0x1000000000000)",
  ],
  [
    "vaddr near 2^64",
    makeElf({ phdrs: withPhdr(0, { vaddr: 0xfffffffffffff000n }) }),
    "PT_LOAD #0: absurd size or address (vaddr 0xfffffffffffff000, memsz 0x1000)",
  ],
  [
    "address range overflowing 2^47",
    makeElf({ phdrs: withPhdr(1, { vaddr: 2 ** 47 - 0x1000 }) }),
    "PT_LOAD #1: address range 0x7ffffffff000+0x3000 overflows 2^47",
  ],
  [
    "overlapping segments",
    makeElf({ phdrs: withPhdr(1, { offset: 0x800, vaddr: 0x10800 }) }),
    "overlapping PT_LOAD segments 0x10000+0x1000 and 0x10800+0x3000",
  ],
  [
    "vaddr and offset not congruent",
    makeElf({ phdrs: withPhdr(1, { vaddr: 0x11800 }) }),
    "PT_LOAD #1: p_vaddr 0x11800 and p_offset 0x1000 differ modulo the page size",
  ],
  [
    "no PT_LOAD",
    makeElf({ phdrs: [defaultPhdrs()[2]] }),
    "no PT_LOAD segment",
  ],
  [
    "interpreter without NUL",
    makeElf({
      phdrs: [...defaultPhdrs(), interpPhdr(8)],
      patches: [{ at: 0x2000, bytes: enc.encode("/lib/ldx") }],
    }),
    "PT_INTERP #3: interpreter path not NUL-terminated",
  ],
  [
    "interpreter outside the file",
    makeElf({ phdrs: [...defaultPhdrs(), interpPhdr(0x20, 0x2ff0)] }),
    "PT_INTERP #3: file range 0x2ff0+0x20 outside the file (12288 bytes)",
  ],
  [
    "interpreter path of one byte",
    makeElf({ phdrs: [...defaultPhdrs(), interpPhdr(1)] }),
    "PT_INTERP #3: bad interpreter path length 1",
  ],
  [
    "entry beyond 2^47",
    makeElf({ entry: 2 ** 47 }),
    "entry point 0x800000000000 beyond the user address space (2^47)",
  ],
];

for (const [what, bytes, problem] of BAD) {
  Deno.test(`parseElf rejects: ${what}`, () => {
    assert.throws(
      () => parseElf(bytes, "bad.elf"),
      (e: unknown) => {
        assert.ok(e instanceof ElfError, `not an ElfError: ${e}`);
        assert.equal(e.message, `bad.elf: ${problem}`);
        assert.equal(e.file, "bad.elf");
        assert.equal(e.problem, problem);
        assert.ok(!e.message.includes("\n"));
        return true;
      },
    );
  });
}

Deno.test("ElfError escapes control characters to stay on one line", () => {
  assert.equal(new ElfError("a\nb", "c\r\nd\x1b").message, "a\\x0ab: c\\x0d\\x0ad\\x1b");
});

const SYMS = [
  { name: "keep_me", value: 0x10100, size: 4, type: 2 },
  { name: "bad_name", value: 0x10200, size: 4, type: 2, nameOffset: 0x7fffffff },
];

Deno.test("symbol names outside the string table are skipped, not fatal", () => {
  const elf = parseElf(makeElf({ symbols: SYMS }), "odd.elf");
  assert.deepEqual(elf.symbols.map((s) => s.name), ["keep_me"]);
  assert.deepEqual(elf.warnings, [".symtab: 1 symbols with bad names or values skipped"]);
  assert.equal(elf.loads.length, 2);
});

Deno.test("a bad string table link drops the symbols but not the file", () => {
  const bytes = makeElf({ symbols: SYMS });
  const symtabHeader = sectionHeaderOffset(bytes, 2);
  const broken = patched(bytes, symtabHeader + 40, [99, 0, 0, 0]); // sh_link = 99
  const elf = parseElf(broken, "odd.elf");
  assert.deepEqual(elf.symbols, []);
  assert.deepEqual(elf.warnings, [".symtab: bad string table (section 99), symbols skipped"]);
});

Deno.test("a string table outside the file drops the symbols but not the file", () => {
  const bytes = makeElf({ symbols: SYMS });
  const strtabHeader = sectionHeaderOffset(bytes, 3);
  const broken = patched(bytes, strtabHeader + 24, [0, 0, 0, 0, 1, 0, 0, 0]); // sh_offset = 2^32
  const elf = parseElf(broken, "odd.elf");
  assert.deepEqual(elf.symbols, []);
  assert.deepEqual(elf.warnings, [".symtab: bad string table (section 3), symbols skipped"]);
});

Deno.test("a section header table outside the file is ignored", () => {
  const bytes = makeElf({ symbols: SYMS });
  const broken = patched(bytes, 40, [0, 0, 0, 0, 0, 1, 0, 0]); // e_shoff = 2^40
  const elf = parseElf(broken, "odd.elf");
  assert.deepEqual(elf.sections, []);
  assert.deepEqual(elf.symbols, []);
  assert.deepEqual(elf.warnings, ["section headers at 0x10000000000 outside the file"]);
});

Deno.test("a symbol table cut short by truncation is skipped", () => {
  const bytes = makeElf({ symbols: SYMS });
  // Drop the section headers' tail: the table no longer fits in the file.
  const cut = bytes.slice(0, bytes.length - 10);
  const elf = parseElf(cut, "cut.elf");
  assert.deepEqual(elf.symbols, []);
  assert.equal(elf.warnings.length, 1);
  assert.match(elf.warnings[0], /^section headers \(5 at 0x[0-9a-f]+\) outside the file$/);
});

Deno.test("parseElf reads a symbol table larger than a call's argument limit", () => {
  // rclone's .dynsym holds 156,000 symbols; spreading them into push() overflowed the stack.
  const n = 300_000;
  const symbols = Array.from({ length: n }, (_, i) => ({
    name: `s${i}`,
    value: 0x10000 + i,
    size: 1,
    type: 2,
  }));
  const elf = parseElf(makeElf({ symbols }), "big");
  assert.equal(elf.symbols.length, n);
  assert.equal(elf.symbols[n - 1].name, `s${n - 1}`);
});
