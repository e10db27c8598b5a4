/**
 * Loads the reference vectors produced by fp_vectors/gen.c under qemu-user,
 * describes each op's operand shape and runs a vector against executeFp, for
 * the FPU tests and the stress script.
 * @module
 */

import { executeFp } from "../../lib/cpu/fpu.ts";
import { Hart } from "../../lib/cpu/hart.ts";
import { OPS } from "../../lib/cpu/ops.ts";

/** One reference execution. */
export interface FpVector {
  /** Op name as in lib/cpu/ops.ts. */
  name: string;
  /** Rounding mode 0..4 (0 for ops without one). */
  rm: number;
  /** fflags after the op. */
  flags: number;
  /** The destination register's 64 bits. */
  result: bigint;
  /** Source register values (64 bits each). */
  operands: bigint[];
  /** Line number in the file, for messages. */
  line: number;
}

/** Where an op's operands live: "f" FP register, "x" integer register. */
export interface OpShape {
  /** Destination register file. */
  dest: "f" | "x";
  /** Register file of every source, in order rs1, rs2, rs3. */
  sources: ("f" | "x")[];
}

/**
 * Operand shape of an F/D op from its name, following the ISA manual's
 * instruction formats (independent of the implementation under test).
 */
export function opShape(name: string): OpShape {
  if (/^F(N?)M(ADD|SUB)_[SD]$/.test(name)) return { dest: "f", sources: ["f", "f", "f"] };
  if (/^FCVT_(W|WU|L|LU)_[SD]$/.test(name)) return { dest: "x", sources: ["f"] };
  if (/^FCVT_[SD]_(W|WU|L|LU)$/.test(name)) return { dest: "f", sources: ["x"] };
  if (name === "FMV_X_W" || name === "FMV_X_D" || /^FCLASS_/.test(name)) {
    return { dest: "x", sources: ["f"] };
  }
  if (name === "FMV_W_X" || name === "FMV_D_X") return { dest: "f", sources: ["x"] };
  if (/^F(EQ|LT|LE)_/.test(name)) return { dest: "x", sources: ["f", "f"] };
  if (/^F(SQRT_[SD]|CVT_S_D|CVT_D_S)$/.test(name)) return { dest: "f", sources: ["f"] };
  if (/^F(ADD|SUB|MUL|DIV|SGNJ|SGNJN|SGNJX|MIN|MAX)_[SD]$/.test(name)) {
    return { dest: "f", sources: ["f", "f"] };
  }
  throw new Error(`unknown F/D op ${name}`);
}

/** Whether an op has a rounding-mode field (and so honours rm and frm). */
export function hasRoundingMode(name: string): boolean {
  return !/^F(SGNJ|SGNJN|SGNJX|MIN|MAX|EQ|LT|LE|CLASS)_|^FMV_/.test(name);
}

/** Parses vectors.txt. */
export function parseVectors(text: string): FpVector[] {
  const out: FpVector[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const f = line.split(" ");
    out.push({
      name: f[0],
      rm: Number(f[1]),
      flags: parseInt(f[2], 16),
      result: BigInt("0x" + f[3]),
      operands: f.slice(4).map((s) => BigInt("0x" + s)),
      line: i + 1,
    });
  }
  return out;
}

/** Reads and parses the committed vector file. */
export function loadVectors(): FpVector[] {
  const url = new URL("./fp_vectors/vectors.txt", import.meta.url);
  return parseVectors(Deno.readTextFileSync(url));
}

const U64 = (1n << 64n) - 1n;
const POISON = 0x5a5a5a5a_a5a5a5a5n;

/** Register placement for one run. */
export interface Placement {
  /** Destination register. */
  rd: number;
  /** rs1, rs2, rs3. */
  rs: number[];
}

/** Distinct destination and sources. */
export const DISTINCT: Placement = { rd: 5, rs: [6, 7, 8] };
/** Destination aliasing rs1. */
export const ALIASED: Placement = { rd: 6, rs: [6, 7, 8] };

/**
 * Runs vector v on a fresh hart, with the rounding mode in the instruction
 * (dynamic false) or in frm (dynamic true). Returns "" on a match, else what
 * differed.
 */
export function checkVector(v: FpVector, dynamic: boolean, place: Placement): string {
  const shape = opShape(v.name);
  const h = new Hart();
  // Poison every register so stray reads or writes show up.
  for (let i = 0; i < 32; i++) {
    h.setF(i, POISON);
    if (i !== 0) h.setX(i, POISON);
  }
  shape.sources.forEach((kind, k) => {
    if (kind === "f") h.setF(place.rs[k], v.operands[k]);
    else h.setX(place.rs[k], v.operands[k]);
  });
  const rmField = dynamic ? 7 : v.rm;
  if (dynamic) h.frm = v.rm;
  const rs3 = shape.sources.length === 3 ? place.rs[2] : 0;
  const ok = executeFp(h, OPS[v.name], place.rd, place.rs[0], place.rs[1], rs3 | (rmField << 5));
  if (!ok) return "reported illegal";
  const got = (shape.dest === "f" ? h.getF(place.rd) : h.getX(place.rd)) & U64;
  const hex = (x: bigint | number) => x.toString(16);
  if (got !== v.result || h.fflags !== v.flags) {
    return `got ${hex(got)} flags ${hex(h.fflags)}, want ${hex(v.result)} flags ${hex(v.flags)}`;
  }
  for (let i = 0; i < 32; i++) {
    if (shape.dest === "f" && i === place.rd) continue;
    if (shape.sources.some((k, j) => k === "f" && place.rs[j] === i)) continue;
    if ((h.getF(i) & U64) !== POISON) return `clobbered f${i}`;
  }
  return "";
}

/** One-line description of a vector, for failure messages. */
export function describeVector(v: FpVector): string {
  return `line ${v.line}: ${v.name} rm=${v.rm} ${v.operands.map((x) => x.toString(16)).join(" ")}`;
}
