import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  GuestMemory,
  MemoryFault,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/memory/memory.ts";

const RW = PROT_READ | PROT_WRITE;

function spans(mem: GuestMemory): string[] {
  return mem.mappings.map((m) =>
    `${m.start.toString(16)}-${m.end.toString(16)} ${m.prot} ${m.name}`
  );
}

Deno.test("untouched pages cost nothing: a 512 MiB PROT_NONE reservation backs no frame", () => {
  const mem = new GuestMemory({ maxBytes: 1 << 24 });
  mem.map(0xc000000000, 512 << 20, 0);
  mem.map(0x3ff0000000, 4 * PAGE_SIZE, RW);
  equal(mem.touchedPages, 0);
  mem.protect(0xc000000000, 4 * PAGE_SIZE, RW);
  mem.writeU64(0xc000000008, 0x1122334455667788n);
  equal(mem.touchedPages, 1);
  equal(mem.readU64(0xc000000008), 0x1122334455667788n);
  equal(mem.mappedBytes, (512 << 20) + 4 * PAGE_SIZE);
});

Deno.test("adjacent compatible mappings merge, as Linux merges VMAs", () => {
  const mem = new GuestMemory({ maxBytes: 1 << 24 });
  mem.map(0x10000, PAGE_SIZE, RW, "[heap]");
  mem.map(0x11000, PAGE_SIZE, RW, "[heap]");
  mem.map(0x12000, PAGE_SIZE, RW, "[heap]");
  deepEqual(spans(mem), ["10000-13000 3 [heap]"]);
  // A different protection splits, and restoring it merges again.
  mem.protect(0x11000, PAGE_SIZE, PROT_READ);
  deepEqual(spans(mem), ["10000-11000 3 [heap]", "11000-12000 1 [heap]", "12000-13000 3 [heap]"]);
  mem.protect(0x11000, PAGE_SIZE, RW);
  deepEqual(spans(mem), ["10000-13000 3 [heap]"]);
  // A different name or a gap does not merge.
  mem.map(0x13000, PAGE_SIZE, RW, "other");
  mem.map(0x15000, PAGE_SIZE, RW, "[heap]");
  equal(mem.mappings.length, 3);
});

Deno.test("file mappings merge only when the offsets continue", () => {
  const mem = new GuestMemory({ maxBytes: 1 << 24 });
  const bytes = new Uint8Array(4 * PAGE_SIZE).map((_, i) => i >> 12);
  mem.map(0x20000, PAGE_SIZE, PROT_READ, "/f", { bytes, offset: 0 });
  mem.map(0x21000, PAGE_SIZE, PROT_READ, "/f", { bytes, offset: PAGE_SIZE });
  equal(mem.mappings.length, 1);
  mem.map(0x22000, PAGE_SIZE, PROT_READ, "/f", { bytes, offset: 3 * PAGE_SIZE });
  equal(mem.mappings.length, 2);
  equal(mem.readU8(0x21000), 1);
  equal(mem.readU8(0x22000), 3);
});

Deno.test("partial unmap splits a mapping and frees its frames", () => {
  const mem = new GuestMemory({ maxBytes: 1 << 24 });
  mem.map(0x40000, 4 * PAGE_SIZE, RW);
  for (let i = 0; i < 4; i++) mem.writeU32(0x40000 + i * PAGE_SIZE, i + 1);
  equal(mem.touchedPages, 4);
  mem.unmap(0x41000, 2 * PAGE_SIZE);
  deepEqual(spans(mem), ["40000-41000 3 ", "43000-44000 3 "]);
  equal(mem.touchedPages, 2);
  equal(mem.readU32(0x43000), 4);
  throws(() => mem.readU32(0x41000), MemoryFault);
  // The freed frames come back zeroed.
  mem.map(0x41000, PAGE_SIZE, RW);
  equal(mem.readU32(0x41000), 0);
});

Deno.test("faults carry the address, the kind and the reason", () => {
  const mem = new GuestMemory({ maxBytes: 1 << 24 });
  mem.map(0x50000, PAGE_SIZE, PROT_READ);
  throws(() => mem.writeU32(0x50010, 1), (e: unknown) => {
    ok(e instanceof MemoryFault);
    equal(e.address, 0x50010);
    equal(e.kind, "write");
    equal(e.reason, "protection");
    return true;
  });
  throws(
    () => mem.read(0x60000, 4),
    (e: unknown) => e instanceof MemoryFault && e.reason === "unmapped",
  );
  throws(
    () => mem.fetchPage(0x50000),
    (e: unknown) => e instanceof MemoryFault && e.kind === "fetch",
  );
  mem.protect(0x50000, PAGE_SIZE, PROT_READ | PROT_EXEC);
  equal(typeof mem.fetchPage(0x50000), "number");
});

Deno.test("misaligned and page-crossing slow-path accesses", () => {
  const mem = new GuestMemory({ maxBytes: 1 << 24 });
  mem.map(0x70000, 2 * PAGE_SIZE, RW);
  mem.storeSlow(0x70ffd, 0, 8, 0x44332211, 0x88776655 | 0);
  mem.loadSlow(0x70ffd, 0, 8);
  equal(mem.vlo >>> 0, 0x44332211);
  equal(mem.vhi >>> 0, 0x88776655);
  deepEqual([...mem.read(0x70ffd, 8)], [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
  // A crossing store whose second page is read-only changes nothing.
  mem.protect(0x71000, PAGE_SIZE, PROT_READ);
  throws(() => mem.storeSlow(0x70ffe, 0, 4, -1, 0), MemoryFault);
  deepEqual([...mem.read(0x70ffe, 2)], [0x22, 0x33]);
});

Deno.test("madvise-style discard makes anonymous pages read zero and file pages refill", () => {
  const mem = new GuestMemory({ maxBytes: 1 << 24 });
  mem.map(0x80000, PAGE_SIZE, RW);
  mem.writeU32(0x80000, 7);
  mem.discard(0x80000, PAGE_SIZE);
  equal(mem.readU32(0x80000), 0);
  const bytes = new Uint8Array(PAGE_SIZE).fill(9);
  mem.map(0x90000, PAGE_SIZE, RW, "/f", { bytes, offset: 0 });
  mem.writeU32(0x90000, 0);
  mem.discard(0x90000, PAGE_SIZE);
  equal(mem.readU8(0x90000), 9);
});

Deno.test("the arena grows past its first size and old data survives", () => {
  const mem = new GuestMemory({ maxBytes: 1 << 26 });
  const pages = 1200; // more than the initial arena
  mem.map(0x100000, pages * PAGE_SIZE, RW);
  for (let i = 0; i < pages; i++) mem.writeU32(0x100000 + i * PAGE_SIZE, i * 3 + 1);
  for (let i = 0; i < pages; i++) equal(mem.readU32(0x100000 + i * PAGE_SIZE), i * 3 + 1);
  equal(mem.peakTouchedPages, pages);
});
