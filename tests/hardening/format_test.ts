/**
 * Hardening: addresses at the top of the address space print as unsigned
 * 64-bit hex everywhere (fault messages, strace's si_addr), never `0x-10`.
 * @module
 */

import assert from "node:assert/strict";
import { hex64, MemoryFault } from "../../lib/memory/memory.ts";
import { formatSignalLine } from "../../lib/trace/strace.ts";
import { testKernel } from "../support/kernel.ts";

Deno.test("hex64: negative numbers are addresses at the top of the 64-bit space", () => {
  assert.equal(hex64(-16), "fffffffffffffff0");
  assert.equal(hex64(-1), "ffffffffffffffff");
  assert.equal(hex64(0), "0");
  assert.equal(hex64(0x7fff_ffff_f000), "7ffffffff000");
  assert.equal(
    new MemoryFault(-16, "read", "unmapped").message,
    "read fault at 0xfffffffffffffff0 (unmapped)",
  );
});

Deno.test("strace: a SIGSEGV at a negative address shows si_addr unsigned", () => {
  const k = testKernel();
  const line = formatSignalLine(k.tracee, {
    seq: 0,
    tid: k.pid,
    signo: 11,
    code: 1,
    action: "kill",
    instret: 0,
    addr: -16,
  });
  assert.match(line, /si_addr=0xfffffffffffffff0/);
});
