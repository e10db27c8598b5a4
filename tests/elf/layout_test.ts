import assert from "node:assert/strict";
import {
  findFreeRange,
  MMAP_BASE,
  PIE_BASE,
  STACK_SIZE,
  STACK_TOP,
  TASK_SIZE,
} from "../../lib/memory/layout.ts";
import { GuestMemory } from "../../lib/memory/memory.ts";

const RW = 3;

Deno.test("layout constants match Linux riscv64 Sv48 without randomisation", () => {
  assert.equal(TASK_SIZE, 0x800000000000);
  assert.equal(STACK_TOP, 0x4000000000);
  assert.equal(PIE_BASE, 0x2aaaaaa000);
  assert.equal(MMAP_BASE, 0x4000000000 - 0x8000000);
  assert.equal(STACK_SIZE, 0x800000);
});

Deno.test("findFreeRange allocates top-down below the mmap base", () => {
  const mem = new GuestMemory();
  const a = findFreeRange(mem, 0x3000, 0);
  assert.equal(a, 0x3ff7ffd000);
  mem.map(a!, 0x3000, RW);
  assert.equal(findFreeRange(mem, 0x1000, 0), 0x3ff7ffc000);
  // Lengths round up to pages.
  assert.equal(findFreeRange(mem, 1, 0), 0x3ff7ffc000);
  // A hole between mappings is used when it is large enough, the highest first.
  mem.map(0x3ff7ff0000, 0x1000, RW);
  assert.equal(findFreeRange(mem, 0x2000, 0), 0x3ff7ffb000);
  assert.equal(findFreeRange(mem, 0xd000, 0), 0x3ff7fe3000);
});

Deno.test("findFreeRange honours a free hint, including above 2^38", () => {
  const mem = new GuestMemory();
  assert.equal(findFreeRange(mem, 0x4000, 0x7f0000000), 0x7f0000000);
  assert.equal(findFreeRange(mem, 0x4000000, 0xc000000000), 0xc000000000);
  assert.equal(findFreeRange(mem, 0x1000, 0x10001), 0x11000, "hint rounds up to a page");
  mem.map(0xc000000000, 0x1000, RW);
  assert.equal(findFreeRange(mem, 0x2000, 0xc000000000), 0x3ff7ffe000, "busy hint: top-down");
  assert.equal(findFreeRange(mem, 0x2000, 0xbfffffe000), 0xbfffffe000, "fits just below");
  assert.equal(findFreeRange(mem, 0x2000, 0xbffffff000), 0x3ff7ffe000, "would overlap");
  assert.equal(findFreeRange(mem, 0x2000, 0x800), 0x1000, "rounds up to mmap_min_addr");
  assert.equal(findFreeRange(mem, 0x2000, 2 ** 47 - 0x1000), 0x3ff7ffe000, "past 2^47");
  assert.equal(findFreeRange(mem, 0x2000, 2 ** 47 - 0x2000), 2 ** 47 - 0x2000, "ends at 2^47");
});

Deno.test("findFreeRange fails when nothing fits", () => {
  const mem = new GuestMemory();
  assert.equal(findFreeRange(mem, 0, 0), undefined);
  assert.equal(findFreeRange(mem, MMAP_BASE, 0), undefined, "no room above mmap_min_addr");
  assert.equal(findFreeRange(mem, MMAP_BASE - 0x1000, 0), 0x1000);
  mem.map(0x1000, MMAP_BASE - 0x2000, RW);
  assert.equal(findFreeRange(mem, 0x1000, 0), MMAP_BASE - 0x1000);
  mem.map(MMAP_BASE - 0x1000, 0x1000, RW);
  assert.equal(findFreeRange(mem, 0x1000, 0), undefined);
  // A hint still works where there is space.
  assert.equal(findFreeRange(mem, 0x1000, 0x5000000000), 0x5000000000);
});
