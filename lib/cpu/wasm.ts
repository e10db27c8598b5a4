/**
 * A minimal WebAssembly binary writer: LEB128 numbers, a function body
 * builder with the instructions the region compiler emits, and module
 * assembly (types, imports, one function, its export).
 * @module
 */

/** Value types. */
export const I32 = 0x7f;
/** 64-bit integer value type. */
export const I64 = 0x7e;
/** Empty block type. */
export const VOID = 0x40;

/** Where encoders append bytes. */
interface Sink {
  push(b: number): void;
}

/** Appends the unsigned LEB128 encoding of `v` (a non-negative integer below 2^53). */
export function uleb(out: Sink, v: number): void {
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

/** Appends the signed LEB128 encoding of a 32-bit integer. */
export function sleb32(out: Sink, v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** Appends the signed LEB128 encoding of a safe integer (|v| < 2^53). */
export function slebSafe(out: Sink, v: number): void {
  if (v === (v | 0)) {
    sleb32(out, v);
    return;
  }
  for (;;) {
    const q = Math.floor(v / 128);
    const b = v - q * 128;
    v = q;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** Appends the signed LEB128 encoding of a 64-bit integer. */
export function sleb64(out: Sink, v: bigint): void {
  v = BigInt.asIntN(64, v);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function name(out: Bytes, s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  out.append(bytes);
}

function section(out: Bytes, id: number, body: Bytes): void {
  out.push(id);
  uleb(out, body.length);
  out.append(body.bytes());
}

/** Opcodes used by the region compiler. */
export const OP = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  returnCallIndirect: 0x13,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Load16U: 0x2f,
  i64Load: 0x29,
  i64Load8S: 0x30,
  i64Load8U: 0x31,
  i64Load16S: 0x32,
  i64Load16U: 0x33,
  i64Load32S: 0x34,
  i64Load32U: 0x35,
  i32Store: 0x36,
  i64Store: 0x37,
  i64Store8: 0x3c,
  i64Store16: 0x3d,
  i64Store32: 0x3e,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GeS: 0x4e,
  i64Eqz: 0x50,
  i64Eq: 0x51,
  i64Ne: 0x52,
  i64LtS: 0x53,
  i64LtU: 0x54,
  i64GtS: 0x55,
  i64GtU: 0x56,
  i64LeS: 0x57,
  i64GeS: 0x59,
  i64GeU: 0x5a,
  i32Clz: 0x67,
  i32Ctz: 0x68,
  i32Popcnt: 0x69,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivS: 0x6d,
  i32DivU: 0x6e,
  i32RemS: 0x6f,
  i32RemU: 0x70,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  i32Rotr: 0x78,
  i64Clz: 0x79,
  i64Ctz: 0x7a,
  i64Popcnt: 0x7b,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64DivS: 0x7f,
  i64DivU: 0x80,
  i64RemS: 0x81,
  i64RemU: 0x82,
  i64And: 0x83,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
  i64Rotl: 0x89,
  i64Rotr: 0x8a,
  i32WrapI64: 0xa7,
  i64ExtendI32S: 0xac,
  i64ExtendI32U: 0xad,
  i64Extend8S: 0xc2,
  i64Extend16S: 0xc3,
  i64Extend32S: 0xc4,
} as const;

/** A growable byte buffer. */
export class Bytes {
  /** Storage; valid up to {@linkcode Bytes.length}. */
  buf: Uint8Array = new Uint8Array(1024);
  /** Bytes written. */
  length = 0;

  /** Appends one byte. */
  push(b: number): void {
    if (this.length === this.buf.length) this.#grow(1);
    this.buf[this.length++] = b;
  }

  /** Appends bytes. */
  append(src: Uint8Array): void {
    if (this.length + src.length > this.buf.length) this.#grow(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  /** The bytes written so far (a view). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  #grow(extra: number): void {
    const next = new Uint8Array(Math.max(2 * this.buf.length, this.length + extra));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

/** A function body under construction. */
export class Body {
  /** The instruction bytes. */
  readonly code: Bytes = new Bytes();

  /** Emits one or two raw opcodes. */
  op(a: number, b?: number): this {
    this.code.push(a);
    if (b !== undefined) this.code.push(b);
    return this;
  }

  /** `i32.const v`. */
  i32(v: number): this {
    this.code.push(OP.i32Const);
    sleb32(this.code, v);
    return this;
  }

  /** `i64.const v` (a safe integer or a bigint, taken modulo 2^64). */
  i64(v: number | bigint): this {
    this.code.push(OP.i64Const);
    if (typeof v === "bigint") sleb64(this.code, v);
    else slebSafe(this.code, v);
    return this;
  }

  /** `local.get i`. */
  get(i: number): this {
    this.code.push(OP.localGet);
    uleb(this.code, i);
    return this;
  }

  /** `local.set i`. */
  set(i: number): this {
    this.code.push(OP.localSet);
    uleb(this.code, i);
    return this;
  }

  /** Pushes the low and the high 32 bits (two i32) of the i64 local `i`. */
  halves(i: number): this {
    this.get(i).op(OP.i32WrapI64);
    this.get(i).i64(32).op(OP.i64ShrU).op(OP.i32WrapI64);
    return this;
  }

  /** `local.tee i`. */
  tee(i: number): this {
    this.code.push(OP.localTee);
    uleb(this.code, i);
    return this;
  }

  /** A load or store with memory index `mem`, alignment exponent `align` and constant `offset`. */
  mem(opcode: number, mem: number, align: number, offset: number): this {
    this.code.push(opcode);
    if (mem === 0) this.code.push(align);
    else {
      this.code.push(align | 0x40);
      uleb(this.code, mem);
    }
    uleb(this.code, offset);
    return this;
  }

  /** `br depth`. */
  br(depth: number): this {
    this.code.push(OP.br);
    uleb(this.code, depth);
    return this;
  }

  /** `br_table` over `targets` with `fallback`. */
  brTable(targets: readonly number[], fallback: number): this {
    this.code.push(OP.brTable);
    uleb(this.code, targets.length);
    for (const t of targets) uleb(this.code, t);
    uleb(this.code, fallback);
    return this;
  }

  /** `call f`. */
  call(f: number): this {
    this.code.push(OP.call);
    uleb(this.code, f);
    return this;
  }

  /** `call_indirect type table`. */
  callIndirect(type: number, table: number): this {
    this.code.push(0x11);
    uleb(this.code, type);
    uleb(this.code, table);
    return this;
  }

  /** `return_call_indirect type table`. */
  returnCallIndirect(type: number, table: number): this {
    this.code.push(OP.returnCallIndirect);
    uleb(this.code, type);
    uleb(this.code, table);
    return this;
  }
}

/**
 * Structured code under construction: a {@linkcode Body} and the stack of
 * open blocks, loops and ifs, named, that branch depths are counted from.
 */
export class Labelled {
  /** The code being written. */
  readonly w: Body = new Body();
  /** Open labels, innermost last. */
  readonly labels: string[] = [];

  /** Opens a block, loop or if (`kind`) named `label`, of block type `type`. */
  open(kind: number, label: string, type: number = VOID): void {
    this.w.op(kind, type);
    this.labels.push(label);
  }

  /** `else` of the innermost if. */
  else(): void {
    this.w.op(OP.else);
  }

  /** Closes the innermost label. */
  close(): void {
    this.w.op(OP.end);
    this.labels.pop();
  }

  /** The branch depth of the innermost open `label`. */
  depth(label: string): number {
    const i = this.labels.lastIndexOf(label);
    if (i < 0) throw new Error(`no label ${label}`);
    return this.labels.length - 1 - i;
  }

  /** Branches to the innermost open `label`. */
  br(label: string): void {
    this.w.br(this.depth(label));
  }
}

/** A function type: parameter and result value types. */
export interface FuncType {
  /** Parameter types. */
  params: number[];
  /** Result types. */
  results: number[];
}

/** An import of the module. */
export type Import =
  | { module: string; name: string; kind: "func"; type: number }
  | { module: string; name: string; kind: "memory"; min: number; shared?: { max: number } }
  | { module: string; name: string; kind: "table"; min: number };

/**
 * Assembles a module with `types`, `imports`, and functions of the given
 * types with their locals (`[count, type]` groups) and bodies (each the
 * concatenation of `parts`), each exported under its name.
 */
export function moduleBytes(
  types: readonly FuncType[],
  imports: readonly Import[],
  funcs: readonly { name: string; type: number; locals: [number, number][]; parts: Body[] }[],
): Uint8Array {
  const out = new Bytes();
  for (const b of [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) out.push(b);
  const typeSec = new Bytes();
  uleb(typeSec, types.length);
  for (const t of types) {
    typeSec.push(0x60);
    uleb(typeSec, t.params.length);
    for (const p of t.params) typeSec.push(p);
    uleb(typeSec, t.results.length);
    for (const r of t.results) typeSec.push(r);
  }
  section(out, 1, typeSec);
  const importSec = new Bytes();
  uleb(importSec, imports.length);
  let importedFuncs = 0;
  for (const im of imports) {
    name(importSec, im.module);
    name(importSec, im.name);
    if (im.kind === "func") {
      importSec.push(0x00);
      uleb(importSec, im.type);
      importedFuncs++;
    } else if (im.kind === "memory") {
      importSec.push(0x02);
      importSec.push(im.shared ? 0x03 : 0x00);
      uleb(importSec, im.min);
      if (im.shared) uleb(importSec, im.shared.max);
    } else {
      importSec.push(0x01);
      importSec.push(0x70);
      importSec.push(0x00);
      uleb(importSec, im.min);
    }
  }
  section(out, 2, importSec);
  const funcSec = new Bytes();
  uleb(funcSec, funcs.length);
  for (const f of funcs) uleb(funcSec, f.type);
  section(out, 3, funcSec);
  const exportSec = new Bytes();
  uleb(exportSec, funcs.length);
  funcs.forEach((f, i) => {
    name(exportSec, f.name);
    exportSec.push(0x00);
    uleb(exportSec, importedFuncs + i);
  });
  section(out, 7, exportSec);
  const codeSec = new Bytes();
  uleb(codeSec, funcs.length);
  for (const f of funcs) {
    const head = new Bytes();
    uleb(head, f.locals.length);
    for (const [count, type] of f.locals) {
      uleb(head, count);
      head.push(type);
    }
    let size = head.length + 1;
    for (const p of f.parts) size += p.code.length;
    uleb(codeSec, size);
    codeSec.append(head.bytes());
    for (const p of f.parts) codeSec.append(p.code.bytes());
    codeSec.push(OP.end);
  }
  section(out, 10, codeSec);
  return out.bytes().slice();
}
