/**
 * The disassembler against GNU objdump (binutils 2.40): every instruction of
 * every committed guest binary in both styles (default aliases and
 * `-M no-aliases`), a systematic sweep of encodings (all 16-bit words, every
 * funct7/funct3 of the register-register opcodes, every shift/unary
 * immediate, every OP-FP funct7/funct3/rs2, CSR aliases, fences) and
 * seeded random words, assembled with Zba/Zbb/Zbs enabled. Lines copied
 * from objdump's listing of `guests/bin/c/hello` check the basics where
 * binutils is missing.
 */

import { deepEqual, equal } from "node:assert/strict";
import { disassemble, Disassembler, disassembleRange, objdumpLine } from "../../lib/cpu/disasm.ts";
import { assemble, haveTool, OBJDUMP, objdump } from "./objdump_oracle.ts";

const root = new URL("../../", import.meta.url).pathname;
const HAVE = haveTool(OBJDUMP) && haveTool("riscv64-linux-gnu-as") &&
  haveTool("riscv64-linux-gnu-ld");
if (!HAVE) console.log("disasm_test: riscv64 binutils missing, objdump comparisons skipped");

/** objdump's `<sym+off>` annotations (from dynamic symbols) become plain `0x` addresses. */
function withoutSymbols(text: string): string {
  return text.replace(/\b([0-9a-f]+) <[^>]+>/g, "0x$1");
}

/** Disassembles objdump's listing with one disassembler per file; returns the mismatches. */
function compare(file: string, aliases: boolean): string[] {
  const d = new Disassembler({ aliases });
  const bad: string[] = [];
  const lines = objdump(file, aliases);
  for (const l of lines) {
    const got = d.decode(l.word, l.pc).text;
    const want = withoutSymbols(l.text);
    if (got !== want && bad.length < 20) {
      bad.push(`${file} ${l.pc.toString(16)}: objdump '${want}', zkabi '${got}'`);
    }
  }
  if (lines.length === 0) bad.push(`${file}: objdump listed no instructions`);
  return bad;
}

Deno.test("disasm: lines of objdump's listing of guests/bin/c/hello", () => {
  // `riscv64-linux-gnu-objdump -d [-M no-aliases] guests/bin/c/hello`, 0x11000..
  const words = [0x1141, 0x65c9, 0xe406, 0x04000893, 0x4505, 0x07858593, 0x02600613, 0x00000073];
  const aliased = [
    "add\tsp,sp,-16",
    "lui\ta1,0x12",
    "sd\tra,8(sp)",
    "li\ta7,64",
    "li\ta0,1",
    "add\ta1,a1,120 # 0x12078",
    "li\ta2,38",
    "ecall",
  ];
  const raw = [
    "c.addi\tsp,-16",
    "c.lui\ta1,0x12",
    "c.sdsp\tra,8(sp)",
    "addi\ta7,zero,64",
    "c.li\ta0,1",
    "addi\ta1,a1,120 # 0x12078",
    "addi\ta2,zero,38",
    "ecall",
  ];
  for (const [aliases, want] of [[true, aliased], [false, raw]] as const) {
    const d = new Disassembler({ aliases });
    let pc = 0x11000;
    const got = words.map((w) => {
      const ins = d.decode(w, pc);
      pc += ins.length;
      return ins.text;
    });
    deepEqual(got, want);
  }
  equal(disassemble(0x02f51263, 0x1101c).text, "bne\ta0,a5,0x11040");
  equal(disassemble(0x8082, 0x1103e).text, "ret");
  equal(disassemble(0x8082, 0x1103e, { aliases: false }).text, "c.jr\tra");
  equal(disassemble(0x00008067, 0, { aliases: false }).text, "jalr\tzero,0(ra)");
  equal(disassemble(0x0a0000ef, 0x1104c).text, "jal\t0x110ec");
  equal(disassemble(0x0a0000ef, 0x1104c).target, 0x110ec);
  equal(disassemble(0x0000, 0).text, "unimp");
  equal(disassemble(0x6001, 0).text, ".2byte\t0x6001");
  equal(disassemble(0x0000000b, 0).text, ".4byte\t0xb");
  // objdump's listing of an assembled `sh1add a0,a1,a2` and `bseti a0,a1,63`
  equal(disassemble(0x20c5a533, 0).text, "sh1add\ta0,a1,a2");
  equal(disassemble(0x2bf59513, 0).text, "bset\ta0,a1,0x3f");
  equal(disassemble(0x2bf59513, 0, { aliases: false }).text, "bseti\ta0,a1,0x3f");
});

Deno.test("disasm: symbolized addresses print as objdump prints them for files with symbols", () => {
  const d = new Disassembler({ symbolize: (a) => a === 0x110ec ? "main" : undefined });
  equal(d.decode(0x0a0000ef, 0x1104c).text, "jal\t110ec <main>");
  equal(d.decode(0x02f51263, 0x1101c).text, "bne\ta0,a5,0x11040");
});

Deno.test("disasm: disassembleRange reads in order and stops at unreadable memory", () => {
  const bytes = new Uint8Array([0x41, 0x11, 0xc9, 0x65, 0x93, 0x85, 0x85, 0x07]);
  const read = (a: number, n: number) => {
    if (a < 0x1000 || a + n > 0x1000 + bytes.length) throw new Error("unmapped");
    return bytes.slice(a - 0x1000, a - 0x1000 + n);
  };
  const list = disassembleRange(read, 0x1000, 10);
  deepEqual(list.map((i) => i.text), [
    "add\tsp,sp,-16",
    "lui\ta1,0x12",
    "add\ta1,a1,120 # 0x12078",
  ]);
  equal(objdumpLine(list[0], 8), "    1000:\t1141                \tadd\tsp,sp,-16");
  equal(objdumpLine(list[2], 8), "    1004:\t07858593          \tadd\ta1,a1,120 # 0x12078");
});

function guestFiles(): string[] {
  const out: string[] = [];
  for (const dir of ["guests/bin/c", "guests/bin/rust", "guests/bin/go"]) {
    try {
      for (const e of Deno.readDirSync(root + dir)) {
        if (e.isFile) out.push(`${root}${dir}/${e.name}`);
      }
    } catch {
      // a guest directory not built yet
    }
  }
  return out.sort();
}

Deno.test({
  name: "disasm: every instruction of the C guests matches objdump, both styles",
  ignore: !HAVE,
  fn() {
    const bad: string[] = [];
    for (const f of guestFiles().filter((f) => f.includes("/bin/c/"))) {
      for (const aliases of [true, false]) bad.push(...compare(f, aliases));
    }
    deepEqual(bad, []);
  },
});

Deno.test({
  name: "disasm: every instruction of the Rust and Go guests matches objdump, both styles",
  ignore: !HAVE,
  fn() {
    const bad: string[] = [];
    for (const f of guestFiles().filter((f) => !f.includes("/bin/c/"))) {
      for (const aliases of [true, false]) bad.push(...compare(f, aliases));
    }
    deepEqual(bad, []);
  },
});

/** Encodings covering every instruction form and the alias corner cases. */
function sweepWords(): { length: 2 | 4; word: number }[] {
  const words: { length: 2 | 4; word: number }[] = [];
  const add4 = (w: number) => words.push({ length: 4, word: w >>> 0 });
  const r = (rd: number, rs1: number, rs2: number) => (rd << 7) | (rs1 << 15) | (rs2 << 20);
  for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) words.push({ length: 2, word: h });
  const regs = [[10, 11, 12], [10, 0, 12], [10, 11, 0], [0, 0, 0]];
  for (const op of [0x33, 0x3b]) {
    for (let f7 = 0; f7 < 128; f7++) {
      for (let f3 = 0; f3 < 8; f3++) {
        for (const [a, b, c] of regs) add4(op | (f3 << 12) | r(a, b, c) | (f7 << 25));
      }
    }
  }
  for (const op of [0x13, 0x1b]) {
    for (let imm = 0; imm < 4096; imm++) {
      for (const f3 of [1, 5]) add4(op | (f3 << 12) | r(10, 11, 0) | (imm << 20));
    }
    for (let f3 = 0; f3 < 8; f3++) {
      for (const imm of [0, 1, -1, 255, 2047, -2048, 5]) {
        for (const [a, b] of [[10, 11], [0, 0], [10, 0], [0, 11]]) {
          add4(op | (f3 << 12) | r(a, b, 0) | ((imm & 0xfff) << 20));
        }
      }
    }
  }
  for (let f7 = 0; f7 < 128; f7++) {
    for (let f3 = 0; f3 < 8; f3++) {
      for (let rs2 = 0; rs2 < 32; rs2++) add4(0x53 | (f3 << 12) | r(10, 11, rs2) | (f7 << 25));
      for (const rs1 of [3, 4]) add4(0x53 | (f3 << 12) | r(10, rs1, rs1) | (f7 << 25));
      for (const rs2 of [0, 5]) add4(0x2f | (f3 << 12) | r(10, 11, rs2) | (f7 << 25));
    }
  }
  for (const op of [0x43, 0x47, 0x4b, 0x4f]) {
    for (let f2 = 0; f2 < 4; f2++) {
      for (let f3 = 0; f3 < 8; f3++) add4(op | (f3 << 12) | r(1, 2, 3) | (((4 << 2) | f2) << 25));
    }
  }
  const csrs = [1, 2, 3, 0xc00, 0xc01, 0xc02, 0xc03, 0xc1f, 0xc80, 0xc82, 0xc9f, 0x100, 0x105];
  csrs.push(0x144, 0x180, 0xf14, 0x300, 0x301, 0x305, 0x320, 0x33f, 0x341, 0x3a0, 0x3ef, 0xb00);
  csrs.push(0xb1f, 0xb80, 0x7a0, 0x7b3, 0x7ff, 0x123);
  for (const csr of csrs) {
    for (let f3 = 0; f3 < 8; f3++) {
      for (const [a, b] of [[0, 0], [10, 0], [0, 11], [10, 11]]) {
        add4(0x73 | (f3 << 12) | r(a, b, 0) | (csr << 20));
      }
    }
  }
  for (let csr = 0; csr < 4096; csr++) add4(0x73 | (2 << 12) | r(10, 11, 0) | (csr << 20));
  const system = [0x00000073, 0x00100073, 0x00200073, 0x10200073, 0x30200073, 0x10500073];
  system.push(0x7b200073, 0x12000073, 0x12050073, 0x12b50073, 0x12b00073, 0x10400073);
  system.push(0x10450073, 0x0000100f, 0x8330000f);
  for (const w of system) add4(w);
  for (const fm of [0, 8, 1]) for (let ps = 0; ps < 256; ps++) add4(0x0f | (ps << 20) | (fm << 28));
  const forms = [[10, 11, 12], [0, 0, 0], [0, 1, 0], [1, 1, 0], [1, 11, 0], [5, 11, 0], [0, 11, 5]];
  for (let f3 = 0; f3 < 8; f3++) {
    for (const op of [0x03, 0x07, 0x23, 0x27, 0x63, 0x67]) {
      for (const [a, b, c] of forms) {
        for (const imm of [0, 8, -8]) add4(op | (f3 << 12) | r(a, b, c) | ((imm & 0xfff) << 20));
      }
    }
  }
  return words;
}

/** Seeded random encodings over the 32-bit major opcodes, and random 16-bit words. */
function randomWords(seed: number, n: number): { length: 2 | 4; word: number }[] {
  let s = seed >>> 0;
  const next = () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const opcodes = [0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37, 0x3b];
  opcodes.push(0x43, 0x47, 0x4b, 0x4f, 0x53, 0x63, 0x67, 0x6f, 0x73);
  const f7s = [0, 1, 0x20, 0x04, 0x05, 0x10, 0x14, 0x24, 0x34, 0x30];
  const words: { length: 2 | 4; word: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (next() % 8 < 3) {
      let h = next() & 0xffff;
      if ((h & 3) === 3) h &= ~1;
      words.push({ length: 2, word: h });
      continue;
    }
    const op = opcodes[next() % opcodes.length];
    let w = (next() & ~0x7f) | op;
    if ((op === 0x33 || op === 0x3b) && next() % 4 < 3) {
      w = (w & 0x01ffffff) | (f7s[next() % f7s.length] << 25);
    }
    if (op === 0x73 && next() % 4 < 3) {
      w = (w & 0x000fffff) | ([1, 2, 3, 0xc00, 0xc01, 0xc02][next() % 6] << 20);
    }
    words.push({ length: 4, word: w >>> 0 });
  }
  return words;
}

Deno.test({
  name: "disasm: a sweep of every instruction form and seeded random words match objdump",
  ignore: !HAVE,
  fn() {
    const dir = Deno.makeTempDirSync({ prefix: "zkabi-disasm-" });
    try {
      const bad: string[] = [];
      for (
        const [name, words] of [["sweep", sweepWords()], ["random", randomWords(7, 40000)]] as const
      ) {
        const exe = assemble(dir, words);
        for (const aliases of [true, false]) {
          const lines = objdump(exe, aliases);
          equal(lines.length, words.length, `${name}: objdump listed every word`);
          bad.push(...compare(exe, aliases));
        }
      }
      deepEqual(bad, []);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
