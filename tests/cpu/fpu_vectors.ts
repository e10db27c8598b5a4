/**
 * Loads the reference vectors produced by fp_vectors/gen.c under qemu-user
 * and describes each op's operand shape, for the FPU tests.
 * @module
 */

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
