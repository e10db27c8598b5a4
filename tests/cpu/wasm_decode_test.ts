import { deepEqual, equal, ok } from "node:assert/strict";
import { decode, type Decoded } from "../../lib/cpu/decode.ts";
import * as fields from "../../lib/cpu/fields.ts";
import { OPS } from "../../lib/cpu/ops.ts";
import { moduleBytes } from "../../lib/cpu/wasm.ts";
import { DECODE_TYPE, decoderFunction, GATHERS } from "../../lib/cpu/wasm_decode.ts";

/** The WebAssembly decoder alone in a module of its own, over a small memory. */
function wasmDecoder(): (inst: number) => Decoded | null {
  const d = decoderFunction();
  const bytes = moduleBytes(
    [DECODE_TYPE],
    [{ module: "e", name: "m", kind: "memory", min: 1 }],
    [{ name: "decode", type: 0, locals: d.locals, parts: [d.body] }],
  );
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { exports } = new WebAssembly.Instance(
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>),
    { e: { m: memory } },
  );
  const run = exports.decode as (inst: number, entry: number) => number;
  const view = new Int32Array(memory.buffer);
  return (inst) => {
    view[0] = view[1] = 0x5a5a5a5a;
    const word = run(inst | 0, 0);
    if (word === 0) {
      equal(view[0], 0x5a5a5a5a, "an undecoded instruction stores nothing");
      return null;
    }
    equal(view[0], word, "the stored word is the returned one");
    return { word, imm: view[1] };
  };
}

function jsDecode(inst: number): Decoded {
  const out: Decoded = { word: 0, imm: 0 };
  decode(inst, out);
  return out;
}

/** A deterministic pseudo-random 32-bit sequence (xorshift). */
function* random32(seed: number, n: number): Generator<number> {
  let x = seed | 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield x >>> 0;
  }
}

function gather(name: string, x: number): number {
  const g = GATHERS[name];
  let v = 0;
  for (const [s, m] of g.terms) v |= (s >= 0 ? x >>> s : x << -s) & m;
  return g.bits === 0 ? v : (v << (32 - g.bits)) >> (32 - g.bits);
}

Deno.test("each gathered immediate is its extractor in fields.ts", () => {
  const extractors = fields as unknown as Record<string, (x: number) => number>;
  for (const name of Object.keys(GATHERS)) {
    const f = extractors[name];
    equal(typeof f, "function", `fields.ts has no ${name}`);
    const inputs = name.startsWith("c")
      ? Array.from({ length: 65536 }, (_v, i) => i)
      : [...random32(name.length * 7919 + 1, 200_000), 0, 0xffffffff, 0x80000000, 0x7fffffff];
    for (const x of inputs) {
      if (gather(name, x) !== (f(x) | 0)) throw new Error(`${name}(0x${x.toString(16)})`);
    }
  }
});

Deno.test("the WebAssembly decoder agrees with decode.ts on every 16-bit encoding", () => {
  const wasm = wasmDecoder();
  for (let c = 0; c < 65536; c++) {
    if ((c & 3) === 3) continue;
    const got = wasm(c);
    const want = jsDecode(c);
    const op = want.word & 255;
    // Every compressed instruction but the FP loads and stores is decoded here.
    if (op !== OPS.ILLEGAL && op < OPS.FLW) ok(got !== null, `0x${c.toString(16)} decoded`);
    if (got !== null) deepEqual(got, want, `0x${c.toString(16)}`);
  }
});

Deno.test("the WebAssembly decoder agrees with decode.ts on 32-bit encodings", () => {
  const wasm = wasmDecoder();
  const rnd = random32(12345, 1 << 22)[Symbol.iterator]();
  const next = () => rnd.next().value as number;
  let checked = 0;
  const check = (inst: number) => {
    const got = wasm(inst);
    if (got === null) return;
    checked++;
    const want = jsDecode(inst);
    if (got.word !== want.word || got.imm !== want.imm) {
      throw new Error(`0x${(inst >>> 0).toString(16)}: ${JSON.stringify([got, want])}`);
    }
  };
  // Every major opcode, funct3 and funct7, with random registers and immediates.
  for (let op = 3; op < 128; op += 4) {
    for (let f3 = 0; f3 < 8; f3++) {
      for (let f7 = 0; f7 < 128; f7++) {
        for (let k = 0; k < 3; k++) {
          check(((f7 << 25) | (next() & 0x01ff8f80) | (f3 << 12) | op) >>> 0);
        }
      }
    }
  }
  for (let i = 0; i < 1_000_000; i++) check(next() | 3);
  for (const inst of [0x73, 0x100073, 0x0000000f, 0x0ff0000f]) check(inst);
  ok(checked > 100_000, `checked ${checked}`);
});

Deno.test("the WebAssembly decoder covers the base integer ISA and M", () => {
  const wasm = wasmDecoder();
  const samples: [string, number][] = [
    ["LUI", 0x000122b7],
    ["AUIPC", 0x00000517],
    ["JAL", 0x008000ef],
    ["JALR", 0x000080e7],
    ["BNE", 0x00b51463],
    ["LD", 0x00853503],
    ["SD", 0x00a53423],
    ["ADDI", 0x00150513],
    ["SRAI", 0x40355513],
    ["ADDIW", 0x0015051b],
    ["SUB", 0x40b50533],
    ["MULHU", 0x02b53533],
    ["REMUW", 0x02b5753b],
    ["ECALL", 0x00000073],
    ["FENCE", 0x0ff0000f],
  ];
  for (const [name, inst] of samples) {
    const got = wasm(inst);
    ok(got !== null, `${name} decoded`);
    equal(got.word & 255, OPS[name], name);
  }
});
