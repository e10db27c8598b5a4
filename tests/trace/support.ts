/**
 * Helpers for the trace tests: a kernel over a small guest memory, a bump
 * allocator to place strings and structs in it, and event builders.
 * @module
 */

import type { SignalEvent, SyscallEvent, TraceEvent } from "../../lib/kernel/events.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { syscallNumber } from "../../lib/kernel/syscalls.ts";
import { testKernel } from "../support/kernel.ts";

/** Where the test scratch area lives (read/write, 1 MiB). */
export const SCRATCH = 0x100000;
const SCRATCH_SIZE = 0x100000;

/** A kernel plus a bump allocator over its scratch memory. */
export interface TestGuest {
  /** The kernel (one thread, tid 1000). */
  k: Kernel;
  /** Places bytes in guest memory (16-byte aligned) and returns their address. */
  put(bytes: Uint8Array | string): number;
  /** Places a NUL-terminated string. */
  cstr(s: string): number;
  /** Reserves `n` zero bytes. */
  zero(n: number): number;
  /** Places little-endian u64 values. */
  u64s(...vals: (bigint | number)[]): number;
}

/** Creates a kernel with a read/write scratch area at {@linkcode SCRATCH}. */
export function testGuest(): TestGuest {
  const k = testKernel({ maxInsns: 1e9, maps: [[SCRATCH, SCRATCH_SIZE, 3, "scratch"]] });
  const mem = k.mem;
  let next = SCRATCH;
  const put = (b: Uint8Array | string): number => {
    const bytes = typeof b === "string" ? new TextEncoder().encode(b) : b;
    const at = next;
    if (bytes.length) mem.write(at, bytes);
    next += Math.ceil(Math.max(bytes.length, 1) / 16) * 16;
    return at;
  };
  return {
    k,
    put,
    cstr: (s) => put(new TextEncoder().encode(s + "\0")),
    zero: (n) => put(new Uint8Array(n)),
    u64s: (...vals) => {
      const b = new Uint8Array(vals.length * 8);
      const dv = new DataView(b.buffer);
      vals.forEach((v, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(v)), true));
      return put(b);
    },
  };
}

/** A completed syscall event for `name` with `args` returning `result`. */
export function sys(
  name: string,
  args: (bigint | number)[],
  result: number | undefined,
  extra: Partial<SyscallEvent> = {},
): TraceEvent {
  const full = [...args.map((a) => BigInt.asUintN(64, BigInt(a)))];
  while (full.length < 6) full.push(0n);
  return {
    kind: "syscall",
    seq: 0,
    tid: 1000,
    nr: syscallNumber(name) ?? -1,
    name,
    args: full,
    result,
    route: "emulate",
    pc: 0x10000,
    fn: "",
    instret: 0,
    phase: "app",
    blocked: false,
    ...extra,
  };
}

/** A signal event. */
export function sig(signo: number, code: number, extra: Partial<SignalEvent> = {}): TraceEvent {
  return {
    kind: "signal",
    seq: 0,
    tid: 1000,
    signo,
    code,
    action: "handler",
    instret: 0,
    ...extra,
  };
}

/**
 * Bytes of a C-escaped string body as strace prints it (`\177ELF\2`, `\t`,
 * `\x45`), for building memory from a real strace line.
 */
export function unescapeC(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== "\\") {
      out.push(s.charCodeAt(i));
      continue;
    }
    const n = s[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, '"': 34, "\\": 92 };
    if (n in simple) out.push(simple[n]);
    else if (n === "x") {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      let j = i;
      while (j < i + 3 && j < s.length && s[j] >= "0" && s[j] <= "7") j++;
      out.push(parseInt(s.slice(i, j), 8));
      i = j - 1;
    }
  }
  return Uint8Array.from(out);
}

/** True when the directory exists. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
