/**
 * zkabi's zk precompiles as an ECALL ABI: numbers, names and arguments.
 *
 * Numbering convention: `a7` in [0x10000000, 0x1000ffff] selects a
 * precompile. Linux's riscv64 syscall numbers are below 1024, so the range
 * cannot collide with them (unlike a7 = 0, which some zkVM drafts use for
 * halting and which is io_setup on Linux). Arguments in a0..a5; a0 returns 0
 * on success or -EFAULT when a buffer is not accessible.
 *
 * | a7         | name            | a0                             | a1            |
 * | ---------- | --------------- | ------------------------------ | ------------- |
 * | 0x10000001 | keccakf         | 25 u64 lanes (200 B), in place | -             |
 * | 0x10000002 | sha256_compress | 8 u32 state words, in place    | 64-byte block |
 * @module
 */

/** First precompile number. */
export const PRECOMPILE_BASE = 0x10000000;
/** One past the last precompile number. */
export const PRECOMPILE_END = 0x10010000;
/** keccak-f[1600] permutation. */
export const PRECOMPILE_KECCAKF = 0x10000001;
/** SHA-256 compression function. */
export const PRECOMPILE_SHA256_COMPRESS = 0x10000002;

/** One precompile. */
export interface PrecompileInfo {
  /** Its a7 value. */
  readonly nr: number;
  /** The name traces print. */
  readonly name: string;
  /** How many arguments (a0..) it takes. */
  readonly arity: number;
  /** What it computes. */
  readonly description: string;
}

/** Every precompile zkabi provides. */
export const PRECOMPILES: readonly PrecompileInfo[] = [
  {
    nr: PRECOMPILE_KECCAKF,
    name: "keccakf",
    arity: 1,
    description: "keccak-f[1600] permutation of 25 lanes in place",
  },
  {
    nr: PRECOMPILE_SHA256_COMPRESS,
    name: "sha256_compress",
    arity: 2,
    description: "SHA-256 compression of one 64-byte block into 8 state words",
  },
];

/** Precompile names by number. */
export const PRECOMPILE_NAMES: ReadonlyMap<number, string> = new Map(
  PRECOMPILES.map((p) => [p.nr, p.name]),
);

/** True when `nr` (a7) is in the precompile range. */
export function isPrecompile(nr: number): boolean {
  return nr >= PRECOMPILE_BASE && nr < PRECOMPILE_END;
}

/** The name of precompile `nr` (`precompile_<hex>` for an unassigned one). */
export function precompileName(nr: number): string {
  return PRECOMPILE_NAMES.get(nr) ?? `precompile_${nr.toString(16)}`;
}
