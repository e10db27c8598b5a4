/**
 * Internal operation numbers that the decoder produces and the interpreter
 * dispatches on. The interpreter's `switch` uses these numbers as literals
 * (V8 builds a jump table only for literal Smi cases); `tests/cpu/ops_test.ts`
 * checks that every literal case there matches this table.
 *
 * A decoded instruction is one Int32 word plus one Int32 immediate:
 * `op | rd << 8 | rs1 << 14 | rs2 << 20 | compressed << 26`. Integer
 * destinations equal to x0 are redirected to the sink register 32 so x0 stays
 * zero without a check. FP operations put `rs3 | rm << 5` in the immediate.
 * @module
 */

/** Operation names in numbering order; index = op number. Empty = unused. */
export const OP_NAMES: readonly string[] = buildNames();

/** Op number by name (e.g. `OPS.ADD`). */
export const OPS: Readonly<Record<string, number>> = Object.fromEntries(
  OP_NAMES.map((n, i) => [n, i] as const).filter(([n]) => n !== ""),
);

/** First op number of the F/D group handled by the FPU module. */
export const FIRST_FP_OP = 160;

function buildNames(): string[] {
  const names: string[] = new Array(256).fill("");
  const put = (start: number, list: string) => {
    list.trim().split(/\s+/).forEach((n, i) => {
      if (names[start + i] !== "") throw new Error(`op ${start + i} taken`);
      names[start + i] = n;
    });
  };
  put(0, "UNDECODED ILLEGAL LUI AUIPC JAL JALR BEQ BNE BLT BGE BLTU BGEU");
  put(12, "LB LH LW LD LBU LHU LWU SB SH SW SD");
  put(23, "ADDI SLTI SLTIU XORI ORI ANDI SLLI SRLI SRAI");
  put(32, "ADD SUB SLL SLT SLTU XOR SRL SRA OR AND");
  put(42, "ADDIW SLLIW SRLIW SRAIW ADDW SUBW SLLW SRLW SRAW");
  put(51, "FENCE FENCE_I ECALL EBREAK CSRRW CSRRS CSRRC CSRRWI CSRRSI CSRRCI");
  put(61, "MUL MULH MULHSU MULHU DIV DIVU REM REMU MULW DIVW DIVUW REMW REMUW");
  put(
    74,
    "LR_W SC_W AMOSWAP_W AMOADD_W AMOXOR_W AMOAND_W AMOOR_W AMOMIN_W AMOMAX_W AMOMINU_W AMOMAXU_W",
  );
  put(
    85,
    "LR_D SC_D AMOSWAP_D AMOADD_D AMOXOR_D AMOAND_D AMOOR_D AMOMIN_D AMOMAX_D AMOMINU_D AMOMAXU_D",
  );
  put(96, "ADD_UW SH1ADD SH2ADD SH3ADD SH1ADD_UW SH2ADD_UW SH3ADD_UW SLLI_UW");
  put(
    104,
    "ANDN ORN XNOR CLZ CLZW CTZ CTZW CPOP CPOPW MAX MAXU MIN MINU SEXT_B SEXT_H ZEXT_H " +
      "ROL ROLW ROR RORI RORIW RORW ORC_B REV8",
  );
  put(128, "BCLR BCLRI BEXT BEXTI BINV BINVI BSET BSETI");
  put(136, "FLW FLD FSW FSD");
  put(
    160,
    "FMADD_S FMSUB_S FNMSUB_S FNMADD_S FADD_S FSUB_S FMUL_S FDIV_S FSQRT_S FSGNJ_S FSGNJN_S " +
      "FSGNJX_S FMIN_S FMAX_S FCVT_W_S FCVT_WU_S FCVT_L_S FCVT_LU_S FMV_X_W FCLASS_S FEQ_S " +
      "FLT_S FLE_S FCVT_S_W FCVT_S_WU FCVT_S_L FCVT_S_LU FMV_W_X",
  );
  put(
    190,
    "FMADD_D FMSUB_D FNMSUB_D FNMADD_D FADD_D FSUB_D FMUL_D FDIV_D FSQRT_D FSGNJ_D FSGNJN_D " +
      "FSGNJX_D FMIN_D FMAX_D FCVT_W_D FCVT_WU_D FCVT_L_D FCVT_LU_D FMV_X_D FCLASS_D FEQ_D " +
      "FLT_D FLE_D FCVT_D_W FCVT_D_WU FCVT_D_L FCVT_D_LU FMV_D_X FCVT_S_D FCVT_D_S",
  );
  return names;
}

/** The instruction classes {@linkcode isaClassCounts} reports, in order. */
export const ISA_CLASSES: readonly string[] = [
  "I",
  "M",
  "A",
  "F",
  "D",
  "Zba",
  "Zbb",
  "Zbs",
  "Zicsr",
  "Zifencei",
  "C",
];

/** The base ISA or extension (RV64GC + Zba/Zbb/Zbs) that defines op `op`. */
export function isaClassOf(op: number): string {
  const name = OP_NAMES[op] ?? "";
  if (name === "FENCE_I") return "Zifencei";
  if (name.startsWith("CSRR")) return "Zicsr";
  if (op >= 61 && op <= 73) return "M";
  if (op >= 74 && op <= 95) return "A";
  if (op >= 96 && op <= 103) return "Zba";
  if (op >= 104 && op <= 127) return "Zbb";
  if (op >= 128 && op <= 135) return "Zbs";
  // Ops 160..189 are the single-precision group, 190..219 the double one
  // (which includes the conversions between the two).
  if (name === "FLW" || name === "FSW" || (op >= 160 && op < 190)) return "F";
  if (name === "FLD" || name === "FSD" || (op >= 190 && op < 220)) return "D";
  return "I";
}

/**
 * Executed instructions per class from op counts (index `op`, plus 256 for
 * compressed encodings, as `Cpu.opCounts` keeps them): every instruction
 * counts once in its base ISA or extension, and the compressed ones count
 * again under `C` (the encoding extension). Classes never executed are 0.
 */
export function isaClassCounts(counts: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of ISA_CLASSES) out[c] = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i];
    if (n === 0) continue;
    out[isaClassOf(i & 255)] += n;
    if (i >= 256) out.C += n;
  }
  return out;
}
