/**
 * File names as bytes: how a guest's path bytes become the strings the
 * virtual filesystem works with, and back, without losing or merging any.
 *
 * Linux names are byte strings (anything but NUL and `/`); the VFS keys its
 * directories by JavaScript strings. {@linkcode decodeName} maps bytes to a
 * string injectively: valid UTF-8 decodes as usual, and every byte that is
 * not part of a valid UTF-8 sequence becomes the lone surrogate
 * `U+DC00 + byte` (0x80..0xff, so U+DC80..U+DCFF; the scheme Python calls
 * "surrogateescape"). Valid UTF-8 never decodes to a lone surrogate, so no
 * two byte strings give the same string, and {@linkcode encodeName} gives
 * the bytes back exactly.
 *
 * Where the names go:
 * - the in-memory filesystems (`/tmp`, `/dev/shm`) keep any name, so two
 *   names that differ only in invalid bytes are two different files;
 * - host directories cannot hold such names through Deno (its path APIs
 *   take UTF-8 strings), so {@linkcode hostRepresentable} is false for them:
 *   lookups find nothing (ENOENT) and creating one fails with EILSEQ; host
 *   entries whose own names are not UTF-8 are not listed (see `host_fs.ts`).
 * @module
 */

/** First code unit of the escapes (the escape of byte b is ESCAPE_BASE + b). */
const ESCAPE_BASE = 0xdc00;
const STRICT = new TextDecoder("utf-8", { fatal: true });
const ENCODER = new TextEncoder();

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function sequenceAt(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf) => j < b.length && b[j] >= lo && b[j] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (c === 0xe0) return cont(i + 1, 0xa0) && cont(i + 2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) {
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  }
  if (c === 0xed) return cont(i + 1, 0x80, 0x9f) && cont(i + 2) ? 3 : 0;
  if (c === 0xf0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c === 0xf4) return cont(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

/** The string for name or path bytes `b` (injective; see the module doc). */
export function decodeName(b: Uint8Array): string {
  try {
    return STRICT.decode(b);
  } catch {
    // Not valid UTF-8: decode the valid runs, escape the other bytes one by one.
  }
  let out = "";
  let i = 0;
  while (i < b.length) {
    let j = i;
    let n = 0;
    while (j < b.length && (n = sequenceAt(b, j)) > 0) j += n;
    if (j > i) out += STRICT.decode(b.subarray(i, j));
    if (j < b.length) {
      out += String.fromCharCode(ESCAPE_BASE + b[j]);
      j++;
    }
    i = j;
  }
  return out;
}

/** True when `s` holds an escaped byte (a name that is not valid UTF-8). */
export function hasEscapes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return true;
    }
  }
  return false;
}

/** The bytes of a string made by {@linkcode decodeName} (any other string: its UTF-8). */
export function encodeName(s: string): Uint8Array {
  if (!hasEscapes(s)) return ENCODER.encode(s);
  const out: number[] = [];
  let run = 0;
  const flush = (end: number) => {
    if (end > run) { for (const x of ENCODER.encode(s.slice(run, end))) out.push(x); }
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xdc80 && c <= 0xdcff) {
      flush(i);
      out.push(c - ESCAPE_BASE);
      run = i + 1;
    }
  }
  flush(s.length);
  return Uint8Array.from(out);
}

/** Byte length of `s` as {@linkcode encodeName} gives it. */
export function nameLength(s: string): number {
  let ascii = true;
  for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 0x80;
  return ascii ? s.length : encodeName(s).length;
}

/**
 * True when a host directory can hold `s` through Deno's string paths: no
 * escaped bytes and no NUL (which Linux forbids in names anyway).
 */
export function hostRepresentable(s: string): boolean {
  return !hasEscapes(s) && !s.includes("\0");
}
