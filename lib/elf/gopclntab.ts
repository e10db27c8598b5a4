/**
 * Function names of Go binaries from `.gopclntab`, the table the Go runtime
 * itself uses for tracebacks. It survives `-ldflags=-s -w` and `strip`, so
 * stripped Go programs still get pc-to-function names in zkabi's
 * diagnostics and profiles.
 *
 * Layout (Go 1.20+, magic 0xfffffff1; Go 1.18-1.19 use 0xfffffff0 with the
 * same fields), all offsets relative to the table's start:
 * ```
 * u32 magic; u8 pad, pad; u8 minLC; u8 ptrSize;
 * uintptr nfunc, nfiles, textStart, funcnameOffset, cuOffset,
 *         filetabOffset, pctabOffset, pclnOffset
 * pclnOffset: nfunc+1 pairs {u32 entryOff, u32 funcOff} (the last entryOff ends the text)
 * pclnOffset + funcOff: _func {u32 entryOff; i32 nameOff; ...}
 * funcnameOffset + nameOff: the NUL-terminated name
 * ```
 * @module
 */

import type { ElfFile, ElfSymbol } from "./parse.ts";

const MAGIC_GO118 = 0xfffffff0;
const MAGIC_GO120 = 0xfffffff1;

/**
 * Go function symbols from `elf`'s `.gopclntab` (unbiased addresses), or an
 * empty list when the file has none or it is malformed.
 */
export function goFunctions(elf: ElfFile): ElfSymbol[] {
  const sec = elf.sections.find((s) => s.name === ".gopclntab");
  if (!sec || sec.size < 72 || sec.offset + sec.size > elf.bytes.length) return [];
  const t = elf.bytes.subarray(sec.offset, sec.offset + sec.size);
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const magic = dv.getUint32(0, true);
  if ((magic !== MAGIC_GO118 && magic !== MAGIC_GO120) || dv.getUint8(7) !== 8) return [];
  const word = (i: number) => Number(dv.getBigUint64(8 + 8 * i, true));
  const nfunc = word(0);
  const textStart = word(2);
  const funcnames = word(3);
  const pcln = word(7);
  if (pcln + 8 * (nfunc + 1) > t.length || funcnames >= t.length) return [];
  const decoder = new TextDecoder();
  const out: ElfSymbol[] = [];
  for (let i = 0; i < nfunc; i++) {
    const entry = dv.getUint32(pcln + 8 * i, true);
    const funcOff = dv.getUint32(pcln + 8 * i + 4, true);
    const next = dv.getUint32(pcln + 8 * (i + 1), true);
    const f = pcln + funcOff;
    if (f + 8 > t.length) return [];
    const nameAt = funcnames + dv.getInt32(f + 4, true);
    if (nameAt < funcnames || nameAt >= t.length) continue;
    const end = t.indexOf(0, nameAt);
    if (end < 0) continue;
    out.push({
      name: decoder.decode(t.subarray(nameAt, end)),
      value: textStart + entry,
      size: Math.max(0, next - entry),
      kind: "func",
      bind: "global",
    });
  }
  return out;
}
