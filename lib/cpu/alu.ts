/**
 * The integer operations outside the hot set (M-extension high multiplies
 * and divisions, Zba/Zbb/Zbs), as functions of values: both the
 * interpreter and compiled regions call {@linkcode aluRare}, so each
 * operation is written once. Results go to {@linkcode R}.
 * @module
 */

import { bswap32, ctz32, div64, divu64, mulh64, orcb32, popcount32, R } from "./int64.ts";
import { shl, shr } from "./int64.ts";

/**
 * Computes op `op` (an `ops.ts` number) of (al, ah) and (bl, bh) (or the
 * immediate) into R[0] (low word) and R[1] (high word). Returns false for an
 * op this function does not implement.
 */
export function aluRare(
  op: number,
  imm: number,
  al: number,
  ah: number,
  bl: number,
  bh: number,
): boolean {
  let lo = 0;
  let hi = 0;
  switch (op) {
    case 62: // MULH
    case 63: // MULHSU
    case 64: // MULHU
      mulh64(al, ah, bl, bh, op !== 64, op === 62);
      return true;
    case 65: // DIV
    case 67: // REM
      div64(al, ah, bl, bh, op === 67);
      return true;
    case 66: // DIVU
    case 68: // REMU
      divu64(al, ah, bl, bh, op === 68);
      return true;
    case 70: // DIVW
    case 72: { // REMW
      if (bl === 0) lo = op === 70 ? -1 : al;
      else if (al === -0x80000000 && bl === -1) lo = op === 70 ? al : 0;
      else lo = op === 70 ? Math.trunc(al / bl) | 0 : (al % bl) | 0;
      hi = lo >> 31;
      break;
    }
    case 71: // DIVUW
    case 73: { // REMUW
      const a = al >>> 0;
      const b = bl >>> 0;
      if (b === 0) lo = op === 71 ? -1 : al;
      else lo = (op === 71 ? Math.floor(a / b) : a % b) | 0;
      hi = lo >> 31;
      break;
    }
    case 100: // SH1ADD_UW
    case 101: // SH2ADD_UW
    case 102: { // SH3ADD_UW
      const s = op - 99;
      const zl = al << s;
      const zh = al >>> (32 - s);
      lo = (zl + bl) | 0;
      hi = (zh + bh + ((lo >>> 0) < (zl >>> 0) ? 1 : 0)) | 0;
      break;
    }
    case 103: // SLLI_UW
      shl(al, 0, imm);
      return true;
    case 104: // ANDN
      lo = al & ~bl;
      hi = ah & ~bh;
      break;
    case 105: // ORN
      lo = al | ~bl;
      hi = ah | ~bh;
      break;
    case 106: // XNOR
      lo = ~(al ^ bl);
      hi = ~(ah ^ bh);
      break;
    case 107: // CLZ
      lo = ah !== 0 ? Math.clz32(ah) : 32 + Math.clz32(al);
      break;
    case 108: // CLZW
      lo = Math.clz32(al);
      break;
    case 109: // CTZ
      lo = al !== 0 ? ctz32(al) : 32 + ctz32(ah);
      break;
    case 110: // CTZW
      lo = ctz32(al);
      break;
    case 111: // CPOP
      lo = popcount32(al) + popcount32(ah);
      break;
    case 112: // CPOPW
      lo = popcount32(al);
      break;
    case 113: // MAX
    case 115: { // MIN
      const aLess = ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0));
      const pickA = op === 115 ? aLess : !aLess;
      lo = pickA ? al : bl;
      hi = pickA ? ah : bh;
      break;
    }
    case 114: // MAXU
    case 116: { // MINU
      const aLess = (ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0));
      const pickA = op === 116 ? aLess : !aLess;
      lo = pickA ? al : bl;
      hi = pickA ? ah : bh;
      break;
    }
    case 117: // SEXT_B
      lo = (al << 24) >> 24;
      hi = lo >> 31;
      break;
    case 118: // SEXT_H
      lo = (al << 16) >> 16;
      hi = lo >> 31;
      break;
    case 119: // ZEXT_H
      lo = al & 0xffff;
      break;
    case 120: // ROL
    case 122: // ROR
    case 123: { // RORI
      const s = op === 123 ? imm : bl & 63;
      const left = op === 120 ? s : (64 - s) & 63;
      shl(al, ah, left);
      const l1 = R[0];
      const h1 = R[1];
      shr(al, ah, (64 - left) & 63);
      lo = left === 0 ? al : l1 | R[0];
      hi = left === 0 ? ah : h1 | R[1];
      break;
    }
    case 121: // ROLW
    case 124: // RORIW
    case 125: { // RORW
      const s = (op === 124 ? imm : bl) & 31;
      const left = op === 121 ? s : (32 - s) & 31;
      lo = left === 0 ? al : (al << left) | (al >>> (32 - left));
      hi = lo >> 31;
      break;
    }
    case 126: // ORC_B
      lo = orcb32(al);
      hi = orcb32(ah);
      break;
    case 127: // REV8
      lo = bswap32(ah);
      hi = bswap32(al);
      break;
    case 128: // BCLR
    case 129: // BCLRI
    case 130: // BEXT
    case 131: // BEXTI
    case 132: // BINV
    case 133: // BINVI
    case 134: // BSET
    case 135: { // BSETI
      const s = (op & 1) ? imm & 63 : bl & 63;
      const ml = s < 32 ? 1 << s : 0;
      const mh = s >= 32 ? 1 << (s - 32) : 0;
      if (op <= 129) {
        lo = al & ~ml;
        hi = ah & ~mh;
      } else if (op <= 131) {
        lo = ((s < 32 ? al : ah) >>> (s & 31)) & 1;
      } else if (op <= 133) {
        lo = al ^ ml;
        hi = ah ^ mh;
      } else {
        lo = al | ml;
        hi = ah | mh;
      }
      break;
    }
    default:
      return false;
  }
  R[0] = lo;
  R[1] = hi;
  return true;
}
