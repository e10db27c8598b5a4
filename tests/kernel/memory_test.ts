import assert from "node:assert/strict";
import {
  EACCES,
  EAGAIN,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  ENODEV,
  ENOMEM,
  EOPNOTSUPP,
  EOVERFLOW,
  EPERM,
} from "../../lib/abi/errno.ts";
import { O_RDONLY, O_RDWR, O_WRONLY } from "../../lib/abi/flags.ts";
import { fdTable } from "../../lib/kernel/fd_table.ts";
import { Kernel } from "../../lib/kernel/kernel.ts";
import { programBreak, setupMemory } from "../../lib/kernel/memory.ts";
import { MMAP_BASE, STACK_TOP } from "../../lib/memory/layout.ts";
import {
  GuestMemory,
  type Mapping,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/memory/memory.ts";
import { OpenFile } from "../../lib/vfs/open_file.ts";
import type { Attr } from "../../lib/vfs/types.ts";
import { runGuest } from "../support/c_guests.ts";
import { num as sys, sys as sysRaw, testKernel } from "../support/kernel.ts";

const PAGE = 4096;
const RW = PROT_READ | PROT_WRITE;
const BUF = 0x10000;
const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_SHARED_VALIDATE = 0x03;
const MAP_FIXED = 0x10;
const MAP_ANON = 0x20;
const MAP_GROWSDOWN = 0x100;
const MAP_LOCKED = 0x2000;
const MAP_NORESERVE = 0x4000;
const MAP_POPULATE = 0x8000;
const MAP_STACK = 0x20000;
const MAP_HUGETLB = 0x40000;
const MAP_SYNC = 0x80000;
const MAP_FIXED_NOREPLACE = 0x100000;
const PA = MAP_PRIVATE | MAP_ANON;
/** Where the program's break starts in these tests. */
const BRK = 0x200000;

function kernel(): Kernel {
  const k = testKernel({
    seed: 1,
    maps: [
      [BUF, 0x2000, RW],
      // The "executable": a page of text just below the break.
      [BRK - PAGE, PAGE, PROT_READ | PROT_EXEC, "/bin/prog", {
        bytes: new Uint8Array(PAGE),
        offset: 0,
      }],
      [STACK_TOP - 8 * 1024 * 1024, 8 * 1024 * 1024, RW, "[stack]"],
    ],
  });
  setupMemory(k, { brk: BRK });
  return k;
}

function mmap(
  k: Kernel,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  fd = -1,
  off: number | bigint = 0,
): number {
  return sys(k, "mmap", addr, len, prot, flags, fd, off);
}

/** Mappings overlapping [start, end) as [start, end, prot, name] rows. */
function maps(k: Kernel, start: number, end: number): [number, number, number, string][] {
  return k.mem.mappings.filter((m) => m.end > start && m.start < end)
    .map((m: Readonly<Mapping>) => [m.start, m.end, m.prot, m.name]);
}

/** A regular file for the fd table. */
class TestFile extends OpenFile {
  readonly kind: string;
  readonly #bytes: Uint8Array | number;
  readonly #path: string;
  constructor(path: string, bytes: Uint8Array | number, flags: number, kind = "file") {
    super(flags);
    this.#path = path;
    this.#bytes = bytes;
    this.kind = kind;
  }
  get path(): string {
    return this.#path;
  }
  stat(): Attr {
    throw new Error("unused");
  }
  override contents(): Uint8Array | number {
    return this.#bytes;
  }
}

function openFile(k: Kernel, path: string, bytes: Uint8Array | number, flags = O_RDONLY): number {
  return fdTable(k).alloc(new TestFile(path, bytes, flags), false);
}

// -------------------------------------------------------------------- brk

Deno.test("brk: query, grow, write, shrink, regrow reads zero", () => {
  const k = kernel();
  assert.equal(sys(k, "brk", 0), BRK);
  assert.equal(sys(k, "brk", BRK + 0x10000), BRK + 0x10000);
  assert.deepEqual(maps(k, BRK, BRK + 0x20000), [[BRK, BRK + 0x10000, RW, "[heap]"]]);
  k.mem.write(BRK, new Uint8Array(0x10000).fill(7));
  assert.equal(sys(k, "brk", BRK + PAGE), BRK + PAGE);
  assert.equal(k.mem.mappingAt(BRK + PAGE), undefined);
  assert.equal(k.mem.readU8(BRK + PAGE - 1), 7);
  assert.equal(sys(k, "brk", BRK + 0x10000), BRK + 0x10000);
  assert.equal(k.mem.readU8(BRK + PAGE), 0);
  assert.equal(k.mem.readU8(BRK + 0xffff), 0);
  assert.deepEqual(programBreak(k), { start: BRK, current: BRK + 0x10000 });
});

Deno.test("brk: unaligned breaks keep whole pages; below the start is refused", () => {
  const k = kernel();
  assert.equal(sys(k, "brk", BRK + 10), BRK + 10);
  assert.deepEqual(maps(k, BRK, BRK + 0x10000), [[BRK, BRK + PAGE, RW, "[heap]"]]);
  assert.equal(sys(k, "brk", BRK + 100), BRK + 100); // same page: no new mapping
  assert.equal(maps(k, BRK, BRK + 0x10000).length, 1);
  assert.equal(sys(k, "brk", BRK - 1), BRK + 100);
  assert.equal(sys(k, "brk", 0), BRK + 100);
  assert.equal(sys(k, "brk", BRK), BRK);
  assert.deepEqual(maps(k, BRK, BRK + 0x10000), []);
});

Deno.test("brk: a page must stay free before the next mapping; absurd requests fail", () => {
  const k = kernel();
  const wall = BRK + 0x40000;
  k.mem.map(wall, PAGE, PROT_READ);
  assert.equal(sys(k, "brk", wall - PAGE + 1), BRK);
  assert.equal(sys(k, "brk", wall), BRK);
  assert.equal(sys(k, "brk", wall - PAGE), wall - PAGE);
  assert.equal(sys(k, "brk", 0x7ffffffffff000), wall - PAGE);
  assert.equal(sys(k, "brk", 2n ** 64n - 4096n), wall - PAGE);
});

Deno.test("brk: RLIMIT_DATA bounds the heap; without a loader break brk answers 0", () => {
  const k = kernel();
  // The limit counts every private writable mapping: the 8 KiB scratch area plus the heap.
  k.mem.writeU64(BUF, 0xa000n);
  k.mem.writeU64(BUF + 8, 2n ** 64n - 1n);
  assert.equal(sysRaw(k, "setrlimit", 2, BUF), 0);
  assert.equal(sys(k, "brk", BRK + 0x8000), BRK + 0x8000);
  assert.equal(sys(k, "brk", BRK + 0x9000), BRK + 0x8000);
  // brk's own check: the heap alone may not exceed the limit.
  k.mem.writeU64(BUF, 0x4000n);
  assert.equal(sysRaw(k, "setrlimit", 2, BUF), 0);
  assert.equal(sys(k, "brk", BRK + 0x5000), BRK + 0x8000);
  assert.equal(sys(k, "brk", BRK + 0x4000), BRK + 0x4000);
  const bare = new Kernel({ ...k.options, mem: new GuestMemory() });
  assert.equal(sys(bare, "brk", 0), 0);
  assert.equal(sys(bare, "brk", 0x100000), 0);
});

// ------------------------------------------------------------------- mmap

Deno.test("mmap places top-down from the mmap base and zero-fills", () => {
  const k = kernel();
  const a = mmap(k, 0, 3 * PAGE, RW, PA);
  assert.equal(a, MMAP_BASE - 3 * PAGE);
  const b = mmap(k, 0, 5000, PROT_READ, PA);
  assert.equal(b, a - 2 * PAGE);
  assert.deepEqual(maps(k, b, MMAP_BASE), [
    [b, a, PROT_READ, ""],
    [a, MMAP_BASE, RW, ""],
  ]);
  assert.ok(k.mem.read(a, 3 * PAGE).every((x) => x === 0));
  // A freed hole is reused by the next allocation that fits.
  assert.equal(sys(k, "munmap", a, PAGE), 0);
  assert.equal(mmap(k, 0, PAGE, RW, PA), a);
});

Deno.test("mmap hints: a free hint is used (rounded down), a busy one ignored", () => {
  const k = kernel();
  assert.equal(mmap(k, 0x5000_0123, PAGE, RW, PA), 0x5000_0000);
  assert.equal(mmap(k, 0x5000_0000, PAGE, RW, PA), MMAP_BASE - PAGE);
  assert.equal(mmap(k, 0xc0_0000_0000, 1 << 20, RW, PA), 0xc0_0000_0000);
  // Ignored flags change nothing.
  const flags = PA | MAP_NORESERVE | MAP_STACK | MAP_POPULATE | MAP_GROWSDOWN;
  assert.equal(mmap(k, 0x6000_0000, PAGE, RW, flags), 0x6000_0000);
});

Deno.test("mmap MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses", () => {
  const k = kernel();
  const a = mmap(k, 0, 3 * PAGE, RW, PA);
  k.mem.write(a, new Uint8Array(3 * PAGE).fill(9));
  assert.equal(mmap(k, a + PAGE, PAGE, PROT_READ, PA | MAP_FIXED), a + PAGE);
  assert.deepEqual(maps(k, a, a + 3 * PAGE), [
    [a, a + PAGE, RW, ""],
    [a + PAGE, a + 2 * PAGE, PROT_READ, ""],
    [a + 2 * PAGE, a + 3 * PAGE, RW, ""],
  ]);
  assert.equal(k.mem.readU8(a + PAGE), 0);
  assert.equal(k.mem.readU8(a + 2 * PAGE), 9);
  assert.equal(mmap(k, a, PAGE, RW, PA | MAP_FIXED_NOREPLACE), -EEXIST);
  assert.equal(mmap(k, a - PAGE, 2 * PAGE, RW, PA | MAP_FIXED_NOREPLACE), -EEXIST);
  assert.equal(mmap(k, a - PAGE, PAGE, RW, PA | MAP_FIXED_NOREPLACE), a - PAGE);
});

Deno.test("mmap errors (EINVAL, ENOMEM, EPERM, EBADF) in Linux's order", () => {
  const k = kernel();
  assert.equal(mmap(k, 0, 0, RW, PA), -EINVAL);
  assert.equal(mmap(k, 0, PAGE, RW, PA, -1, 100), -EINVAL); // unaligned offset
  assert.equal(mmap(k, 0, 0, RW, PA, -1, 100), -EINVAL);
  assert.equal(mmap(k, 0, PAGE, PROT_WRITE, PA), -EINVAL); // riscv: write needs read
  assert.equal(mmap(k, 0, PAGE, RW, MAP_ANON), -EINVAL); // no map type
  assert.equal(mmap(k, 0, PAGE, RW, MAP_ANON | 0x0f), -EINVAL);
  assert.equal(mmap(k, 0, PAGE, RW, MAP_ANON | MAP_SHARED_VALIDATE), -EINVAL);
  assert.equal(mmap(k, 0x1001, PAGE, RW, PA | MAP_FIXED), -EINVAL);
  assert.equal(mmap(k, 0, PAGE, RW, PA | MAP_FIXED), -EPERM);
  assert.equal(mmap(k, 2 ** 47, PAGE, RW, PA | MAP_FIXED), -ENOMEM);
  assert.equal(mmap(k, 0, 2 ** 47, RW, PA), -ENOMEM);
  assert.equal(sys(k, "mmap", 0, 2n ** 64n - 1n, RW, PA, -1, 0), -ENOMEM);
  assert.equal(mmap(k, 0, PAGE, RW, PA | MAP_HUGETLB), -ENOMEM);
  assert.equal(mmap(k, 0, PAGE, RW, MAP_PRIVATE, 77), -EBADF);
  assert.equal(mmap(k, 0, 0, RW, MAP_PRIVATE, 77), -EBADF); // the fd is checked first
  assert.equal(mmap(k, 0, PAGE, RW, MAP_SHARED | MAP_ANON | MAP_GROWSDOWN), -EINVAL);
});

Deno.test("mmap: PROT_NONE reservations cost nothing; shared anonymous memory", () => {
  const k = kernel();
  const before = k.mem.touchedPages;
  const r = mmap(k, 0, 1 << 30, 0, PA | MAP_NORESERVE);
  assert.equal(r, MMAP_BASE - (1 << 30));
  assert.equal(k.mem.touchedPages, before);
  assert.equal(mmap(k, r, 2 * PAGE, RW, PA | MAP_FIXED), r);
  k.mem.write(r, new Uint8Array([1, 2, 3]));
  assert.equal(k.mem.touchedPages, before + 1);
  const s = mmap(k, 0, PAGE, RW, MAP_SHARED | MAP_ANON);
  assert.deepEqual(maps(k, s, s + PAGE), [[s, s + PAGE, RW, "/dev/zero (deleted)"]]);
  assert.equal(k.mem.mappingAt(s)!.shared, true);
});

Deno.test("mmap: RLIMIT_AS bounds the address space", () => {
  const k = kernel();
  const limit = BigInt(k.mem.mappedBytes + 4 * PAGE);
  k.mem.writeU64(BUF, limit);
  k.mem.writeU64(BUF + 8, limit);
  assert.equal(sysRaw(k, "setrlimit", 9, BUF), 0);
  assert.equal(mmap(k, 0, 5 * PAGE, RW, PA), -ENOMEM);
  const a = mmap(k, 0, 4 * PAGE, RW, PA);
  assert.ok(a > 0);
  // Replacing mapped pages does not grow the total.
  assert.equal(mmap(k, a, 2 * PAGE, PROT_READ, PA | MAP_FIXED), a);
  assert.equal(mmap(k, 0, PAGE, RW, PA), -ENOMEM);
});

Deno.test("mmap MAP_LOCKED: within RLIMIT_MEMLOCK, else EAGAIN", () => {
  const k = kernel();
  assert.ok(mmap(k, 0, PAGE, RW, PA | MAP_LOCKED) > 0);
  assert.equal(mmap(k, 0, 16 << 20, RW, PA | MAP_LOCKED), -EAGAIN);
});

Deno.test("file mappings: contents, offsets, tail zero, private writes", () => {
  const k = kernel();
  const bytes = new Uint8Array(2 * PAGE + 100).map((_, i) => (i * 7) & 255);
  const fd = openFile(k, "/data/blob", bytes);
  const a = mmap(k, 0, 3 * PAGE, RW, MAP_PRIVATE, fd, 0);
  assert.deepEqual(maps(k, a, a + 3 * PAGE), [[a, a + 3 * PAGE, RW, "/data/blob"]]);
  assert.deepEqual(k.mem.read(a, bytes.length), bytes);
  assert.ok(k.mem.read(a + bytes.length, 3 * PAGE - bytes.length).every((x) => x === 0));
  k.mem.write(a, new Uint8Array([0xee]));
  assert.equal(bytes[0], 0, "a private write does not reach the file");
  const b = mmap(k, 0, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
  assert.deepEqual(k.mem.read(b, 16), bytes.subarray(PAGE, PAGE + 16));
  const c = mmap(k, 0, PAGE, PROT_READ, MAP_SHARED, fd, 0);
  assert.equal(k.mem.mappingAt(c)!.shared, true);
  assert.deepEqual(k.mem.read(c, 16), bytes.subarray(0, 16));
});

Deno.test("file mapping errors: access modes, unmappable files, flags", () => {
  const k = kernel();
  const data = new Uint8Array(100);
  const ro = openFile(k, "/ro", data, O_RDONLY);
  const wo = openFile(k, "/wo", data, O_WRONLY);
  const rw = openFile(k, "/rw", data, O_RDWR);
  const dir = openFile(k, "/dir", -ENODEV);
  assert.equal(mmap(k, 0, PAGE, PROT_READ, MAP_PRIVATE, wo), -EACCES);
  assert.equal(mmap(k, 0, PAGE, RW, MAP_SHARED, ro), -EACCES);
  assert.ok(mmap(k, 0, PAGE, RW, MAP_PRIVATE, ro) > 0);
  assert.ok(mmap(k, 0, PAGE, RW, MAP_SHARED, rw) > 0);
  assert.equal(mmap(k, 0, PAGE, PROT_READ, MAP_PRIVATE, dir), -ENODEV);
  assert.equal(mmap(k, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, ro), -EINVAL);
  assert.equal(mmap(k, 0, PAGE, PROT_READ, 0, ro), -EINVAL);
  assert.equal(mmap(k, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, ro), -EINVAL);
  // MAP_SHARED ignores unknown flags; MAP_SHARED_VALIDATE refuses them.
  assert.ok(mmap(k, 0, PAGE, PROT_READ, MAP_SHARED | MAP_SYNC, ro) > 0);
  assert.equal(mmap(k, 0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, ro), -EOPNOTSUPP);
  assert.ok(mmap(k, 0, PAGE, PROT_READ, MAP_SHARED_VALIDATE, ro) > 0);
  assert.equal(mmap(k, 0, PAGE, PROT_READ, MAP_PRIVATE, ro, 2n ** 63n), -EOVERFLOW);
  // An O_PATH descriptor is not a file to map.
  const path = fdTable(k).alloc(new TestFile("/p", data, O_RDONLY, "path"), false);
  assert.equal(mmap(k, 0, PAGE, PROT_READ, MAP_PRIVATE, path), -EBADF);
});

Deno.test("mapping /dev/zero gives anonymous memory", () => {
  const k = kernel();
  const fd = openFile(k, "/dev/zero", -ENODEV, O_RDWR);
  const a = mmap(k, 0, PAGE, RW, MAP_PRIVATE, fd);
  assert.deepEqual(maps(k, a, a + PAGE), [[a, a + PAGE, RW, "/dev/zero"]]);
  const s = mmap(k, 0, PAGE, RW, MAP_SHARED, fd);
  assert.deepEqual(maps(k, s, s + PAGE), [[s, s + PAGE, RW, "/dev/zero (deleted)"]]);
  assert.ok(k.mem.read(a, PAGE).every((x) => x === 0));
});

const LIBM = "/usr/riscv64-linux-gnu/lib/libm.so.6";

/** Symbols `nm -D` lists for libm at one address, to check lookups independently. */
function nmSymbols(): Map<number, string[]> | undefined {
  try {
    const out = new Deno.Command("riscv64-linux-gnu-nm", {
      args: ["-D", "--defined-only", LIBM],
    }).outputSync();
    if (!out.success) return undefined;
    const m = new Map<number, string[]>();
    for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
      const [v, type, name] = line.trim().split(/\s+/);
      if (!name || !"TtWi".includes(type)) continue;
      const addr = parseInt(v, 16);
      m.set(addr, [...(m.get(addr) ?? []), name.replace(/@.*/, "")]);
    }
    return m;
  } catch {
    return undefined;
  }
}

const NM = nmSymbols();

Deno.test({
  name: "an executable file mapping adds the library's symbols; munmap removes them",
  ignore: NM === undefined,
  fn() {
    const k = kernel();
    const bytes = Deno.readFileSync(LIBM);
    const fd = openFile(k, "/lib/libm.so.6", bytes);
    const a = mmap(k, 0, bytes.length, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    assert.ok(a > 0);
    // libm's first PT_LOAD is at vaddr 0, offset 0: the load bias is the address.
    const [value, names] = [...NM!].find(([, n]) => n.includes("cos"))!;
    const hit = k.symbols.lookup(a + value + 4);
    assert.ok(hit && names.includes(hit.name), `got ${hit?.name}, want one of ${names}`);
    assert.equal(hit.object, "/lib/libm.so.6");
    assert.equal(hit.offset, 4);
    // Mapping it again at the same place adds nothing twice; unmapping forgets it.
    const size = k.symbols.size;
    mmap(k, a, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, 0);
    assert.equal(k.symbols.size, size);
    assert.equal(sys(k, "munmap", a, bytes.length), 0);
    assert.equal(k.symbols.lookup(a + value + 4), undefined);
  },
});

// ----------------------------------------------------------------- munmap

Deno.test("munmap splits mappings and accepts unmapped ranges", () => {
  const k = kernel();
  const a = mmap(k, 0, 4 * PAGE, RW, PA);
  k.mem.write(a, new Uint8Array(4 * PAGE).fill(3));
  assert.equal(sys(k, "munmap", a + PAGE, 2 * PAGE - 1), 0); // length rounds up
  assert.deepEqual(maps(k, a, a + 4 * PAGE), [
    [a, a + PAGE, RW, ""],
    [a + 3 * PAGE, a + 4 * PAGE, RW, ""],
  ]);
  assert.equal(k.mem.readU8(a + 3 * PAGE), 3);
  assert.equal(sys(k, "munmap", a + PAGE, 2 * PAGE), 0);
  assert.equal(sys(k, "munmap", a + 1, PAGE), -EINVAL);
  assert.equal(sys(k, "munmap", a, 0), -EINVAL);
  assert.equal(sys(k, "munmap", 2 ** 47 + PAGE, PAGE), -EINVAL);
  assert.equal(sys(k, "munmap", a, 2 ** 47), -EINVAL);
});

// --------------------------------------------------------------- mprotect

Deno.test("mprotect changes protection, splitting", () => {
  const k = kernel();
  const a = mmap(k, 0, 3 * PAGE, RW, PA);
  assert.equal(sys(k, "mprotect", a + PAGE, 1, PROT_READ), 0);
  assert.deepEqual(maps(k, a, a + 3 * PAGE).map((r) => r[2]), [RW, PROT_READ, RW]);
  assert.equal(sys(k, "mprotect", a, 3 * PAGE, PROT_READ | 8), 0); // PROT_SEM accepted
  // One protection again: Linux merges the three VMAs back into one.
  assert.deepEqual(maps(k, a, a + 3 * PAGE).map((r) => r[2]), [1]);
  assert.equal(sys(k, "mprotect", a + 1, PAGE, PROT_READ), -EINVAL);
  assert.equal(sys(k, "mprotect", a, PAGE, 0x10), -EINVAL);
  assert.equal(sys(k, "mprotect", a, PAGE, 0x03000000), -EINVAL);
  assert.equal(sys(k, "mprotect", a, 0, 0x10), 0); // length 0 is checked first
  assert.equal(sys(k, "mprotect", a, PAGE, 0x01000000 | PROT_READ), -EINVAL); // not a stack
});

Deno.test("mprotect over a hole changes the part before it, then ENOMEM", () => {
  const k = kernel();
  const a = mmap(k, 0, 4 * PAGE, RW, PA);
  assert.equal(sys(k, "munmap", a + 2 * PAGE, PAGE), 0);
  assert.equal(sys(k, "mprotect", a, 4 * PAGE, PROT_READ), -ENOMEM);
  assert.deepEqual(maps(k, a, a + 4 * PAGE), [
    [a, a + 2 * PAGE, PROT_READ, ""],
    [a + 3 * PAGE, a + 4 * PAGE, RW, ""],
  ]);
  assert.equal(sys(k, "mprotect", a + 2 * PAGE, PAGE, PROT_READ), -ENOMEM);
  assert.equal(sys(k, "mprotect", 0x7000, PAGE, PROT_READ), -ENOMEM);
});

Deno.test("mprotect PROT_GROWSDOWN extends to the start of the stack", () => {
  const k = kernel();
  const top = STACK_TOP - PAGE;
  assert.equal(sys(k, "mprotect", top, PAGE, 0x01000000 | RW | PROT_EXEC), 0);
  const stack = k.mem.mappingAt(STACK_TOP - 8 * 1024 * 1024)!;
  assert.equal(stack.prot, RW | PROT_EXEC);
  assert.equal(stack.end, STACK_TOP);
});

// ----------------------------------------------------------------- mremap

Deno.test("mremap grows in place when the pages after are free", () => {
  const k = kernel();
  const a = mmap(k, 0x4000_0000, PAGE, RW, PA);
  k.mem.write(a, new Uint8Array([1, 2, 3]));
  assert.equal(sys(k, "mremap", a, PAGE, 3 * PAGE, 0, 0), a);
  assert.deepEqual([...k.mem.read(a, 3)], [1, 2, 3]);
  assert.ok(k.mem.read(a + PAGE, 2 * PAGE).every((x) => x === 0));
  assert.ok(k.mem.isCovered(a, a + 3 * PAGE));
});

Deno.test("mremap moves with MREMAP_MAYMOVE when blocked, keeping touched pages", () => {
  const k = kernel();
  const a = mmap(k, 0x4000_0000, 2 * PAGE, RW, PA);
  mmap(k, a + 2 * PAGE, PAGE, PROT_READ, PA | MAP_FIXED);
  k.mem.write(a + PAGE, new Uint8Array([5, 6, 7]));
  assert.equal(sys(k, "mremap", a, 2 * PAGE, 4 * PAGE, 0, 0), -ENOMEM);
  const touched = k.mem.touchedPages;
  const b = sys(k, "mremap", a, 2 * PAGE, 4 * PAGE, 1, 0);
  assert.equal(b, MMAP_BASE - 4 * PAGE);
  assert.deepEqual([...k.mem.read(b + PAGE, 3)], [5, 6, 7]);
  assert.equal(k.mem.mappingAt(a), undefined);
  // Only the touched page moved (no frames for the untouched ones).
  assert.equal(k.mem.touchedPages, touched + 0);
  assert.ok(k.mem.read(b, PAGE).every((x) => x === 0));
});

Deno.test("mremap shrinks in place and moves with MREMAP_FIXED", () => {
  const k = kernel();
  const a = mmap(k, 0, 4 * PAGE, RW, PA);
  k.mem.write(a, new Uint8Array(4 * PAGE).fill(4));
  assert.equal(sys(k, "mremap", a, 4 * PAGE, 2 * PAGE, 0, 0), a);
  assert.equal(k.mem.mappingAt(a + 2 * PAGE), undefined);
  const dst = mmap(k, 0, 2 * PAGE, PROT_READ, PA);
  assert.equal(sys(k, "mremap", a, 2 * PAGE, 2 * PAGE, 3, dst), dst);
  assert.deepEqual(maps(k, dst, dst + 2 * PAGE), [[dst, dst + 2 * PAGE, RW, ""]]);
  assert.ok(k.mem.read(dst, 2 * PAGE).every((x) => x === 4));
  assert.equal(k.mem.mappingAt(a), undefined);
});

Deno.test("mremap moves PROT_NONE memory and file mappings faithfully", () => {
  const k = kernel();
  const a = mmap(k, 0, PAGE, RW, PA);
  k.mem.write(a, new Uint8Array([42]));
  assert.equal(sys(k, "mprotect", a, PAGE, 0), 0);
  const b = sys(k, "mremap", a, PAGE, PAGE, 3, 0x5000_0000);
  assert.equal(b, 0x5000_0000);
  assert.equal(k.mem.mappingAt(b)!.prot, 0);
  assert.equal(sys(k, "mprotect", b, PAGE, PROT_READ), 0);
  assert.equal(k.mem.readU8(b), 42);
  const bytes = new Uint8Array(3 * PAGE).map((_, i) => i >> 8);
  const fd = openFile(k, "/f", bytes);
  const f = mmap(k, 0, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
  const g = sys(k, "mremap", f, PAGE, 2 * PAGE, 3, 0x6000_0000);
  assert.deepEqual(k.mem.read(g, 2 * PAGE), bytes.subarray(PAGE, 3 * PAGE));
  assert.equal(k.mem.mappingAt(g)!.name, "/f");
});

Deno.test("mremap MREMAP_DONTUNMAP leaves the old range mapped and empty", () => {
  const k = kernel();
  const a = mmap(k, 0, PAGE, RW, PA);
  k.mem.write(a, new Uint8Array([9]));
  const b = sys(k, "mremap", a, PAGE, PAGE, 1 | 4, 0);
  assert.ok(b > 0 && b !== a);
  assert.equal(k.mem.readU8(b), 9);
  assert.equal(k.mem.readU8(a), 0);
  assert.equal(k.mem.mappingAt(a)!.prot, RW);
});

Deno.test("mremap errors", () => {
  const k = kernel();
  const a = mmap(k, 0, 2 * PAGE, RW, PA);
  assert.equal(sys(k, "mremap", a, PAGE, 2 * PAGE, 8, 0), -EINVAL);
  assert.equal(sys(k, "mremap", a, PAGE, 2 * PAGE, 2, a + 0x100000), -EINVAL); // FIXED alone
  assert.equal(sys(k, "mremap", a, PAGE, 2 * PAGE, 4 | 1, 0), -EINVAL); // DONTUNMAP resizing
  assert.equal(sys(k, "mremap", a, PAGE, PAGE, 4, 0), -EINVAL); // DONTUNMAP without MAYMOVE
  assert.equal(sys(k, "mremap", a + 1, PAGE, 2 * PAGE, 1, 0), -EINVAL);
  assert.equal(sys(k, "mremap", a, PAGE, 0, 1, 0), -EINVAL);
  assert.equal(sys(k, "mremap", 0x7000, PAGE, 2 * PAGE, 1, 0), -EFAULT);
  assert.equal(sys(k, "mremap", a, 3 * PAGE, 4 * PAGE, 1, 0), -EFAULT); // spans past the end
  assert.equal(sys(k, "mremap", a, 0, PAGE, 1, 0), -EINVAL); // old_len 0, private
  assert.equal(sys(k, "mremap", a, PAGE, PAGE, 3, a + 1), -EINVAL);
  assert.equal(sys(k, "mremap", a, 2 * PAGE, 2 * PAGE, 3, a + PAGE), -EINVAL); // overlap
  assert.equal(sys(k, "mremap", a, PAGE, PAGE, 3, 0), -EPERM);
  assert.equal(sys(k, "mremap", a, PAGE, PAGE, 3, 2 ** 47), -EINVAL);
});

// ---------------------------------------------------------------- madvise

Deno.test("madvise MADV_DONTNEED zeroes anonymous pages and refills file pages", () => {
  const k = kernel();
  const a = mmap(k, 0, 2 * PAGE, RW, PA);
  k.mem.write(a, new Uint8Array(2 * PAGE).fill(8));
  assert.equal(sys(k, "madvise", a, PAGE, 4), 0);
  assert.equal(k.mem.readU8(a), 0);
  assert.equal(k.mem.readU8(a + PAGE), 8);
  const bytes = new Uint8Array(PAGE).fill(0x33);
  const f = mmap(k, 0, PAGE, RW, MAP_PRIVATE, openFile(k, "/f", bytes), 0);
  k.mem.write(f, new Uint8Array([1]));
  assert.equal(sys(k, "madvise", f, PAGE, 4), 0);
  assert.equal(k.mem.readU8(f), 0x33);
  // Shared memory keeps its contents.
  const s = mmap(k, 0, PAGE, RW, MAP_SHARED | MAP_ANON);
  k.mem.write(s, new Uint8Array([5]));
  assert.equal(sys(k, "madvise", s, PAGE, 4), 0);
  assert.equal(k.mem.readU8(s), 5);
});

Deno.test("madvise: other advice, per-mapping errors, holes, bad arguments", () => {
  const k = kernel();
  const a = mmap(k, 0, 2 * PAGE, RW, PA);
  for (const adv of [0, 1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 24, 25]) {
    assert.equal(sys(k, "madvise", a, 2 * PAGE, adv), 0, `advice ${adv}`);
  }
  k.mem.write(a, new Uint8Array([1]));
  assert.equal(sys(k, "madvise", a, PAGE, 8), 0); // MADV_FREE
  assert.equal(k.mem.readU8(a), 0);
  const f = mmap(k, 0, PAGE, PROT_READ, MAP_PRIVATE, openFile(k, "/f", new Uint8Array(9)), 0);
  assert.equal(sys(k, "madvise", f, PAGE, 8), -EINVAL); // MADV_FREE on a file
  assert.equal(sys(k, "madvise", f, PAGE, 18), -EINVAL); // WIPEONFORK on a file
  assert.equal(sys(k, "madvise", a, PAGE, 9), -EINVAL); // MADV_REMOVE, private anonymous
  assert.equal(sys(k, "madvise", f, PAGE, 9), -EACCES); // MADV_REMOVE, private file
  for (const adv of [5, 6, 7, 26, 99, -1]) {
    assert.equal(sys(k, "madvise", a, PAGE, adv), -EINVAL, `advice ${adv}`);
  }
  assert.equal(sys(k, "madvise", a, PAGE, 100), -EPERM);
  assert.equal(sys(k, "madvise", a + 1, PAGE, 4), -EINVAL);
  assert.equal(sys(k, "madvise", a, 0, 4), 0);
  assert.equal(sys(k, "madvise", 0x7000, PAGE, 4), -ENOMEM);
  // A hole: the mapped part is done, then ENOMEM.
  k.mem.write(a + PAGE, new Uint8Array([7]));
  assert.equal(sys(k, "munmap", a, PAGE), 0);
  assert.equal(sys(k, "madvise", a, 2 * PAGE, 4), -ENOMEM);
  assert.equal(k.mem.readU8(a + PAGE), 0);
});

Deno.test("madvise MADV_POPULATE_READ/WRITE touch pages, need the access", () => {
  const k = kernel();
  const a = mmap(k, 0, 4 * PAGE, PROT_READ, PA);
  const before = k.mem.touchedPages;
  assert.equal(sys(k, "madvise", a, 4 * PAGE, 22), 0);
  assert.equal(k.mem.touchedPages, before + 4);
  assert.equal(sys(k, "madvise", a, PAGE, 23), -EINVAL);
  assert.equal(sys(k, "madvise", a + 3 * PAGE, 2 * PAGE, 22), -ENOMEM);
});

// -------------------------------------------------------- mincore, msync

Deno.test("mincore reports touched pages and file pages; errors", () => {
  const k = kernel();
  const a = mmap(k, 0, 4 * PAGE, RW, PA);
  k.mem.write(a + 2 * PAGE, new Uint8Array([1]));
  k.mem.write(BUF, new Uint8Array(8).fill(0xee));
  assert.equal(sys(k, "mincore", a, 3 * PAGE + 1, BUF), 0);
  assert.deepEqual([...k.mem.read(BUF, 5)], [0, 0, 1, 0, 0xee]);
  const f = mmap(k, 0, 3 * PAGE, PROT_READ, MAP_PRIVATE, openFile(k, "/f", new Uint8Array(5000)));
  assert.equal(sys(k, "mincore", f, 3 * PAGE, BUF), 0);
  assert.deepEqual([...k.mem.read(BUF, 3)], [1, 1, 0]);
  assert.equal(sys(k, "mincore", a + 1, PAGE, BUF), -EINVAL);
  assert.equal(sys(k, "mincore", 0x7000, PAGE, BUF), -ENOMEM);
  assert.equal(sys(k, "mincore", a, 2 ** 47, BUF), -ENOMEM);
  assert.equal(sys(k, "mincore", a, PAGE, 8), -EFAULT);
  assert.equal(sys(k, "mincore", a, 0, 8), 0);
  // Unmapped memory after the mapped part: its bytes are written, then ENOMEM.
  k.mem.write(BUF, new Uint8Array(8).fill(0xee));
  assert.equal(sys(k, "mincore", a + 3 * PAGE, 2 * PAGE, BUF), -ENOMEM);
  assert.deepEqual([...k.mem.read(BUF, 2)], [0, 0xee]);
});

Deno.test("msync: flags and coverage", () => {
  const k = kernel();
  const a = mmap(k, 0, 2 * PAGE, RW, PA);
  assert.equal(sys(k, "msync", a, 2 * PAGE, 4), 0);
  assert.equal(sys(k, "msync", a, 2 * PAGE, 1 | 2), 0);
  assert.equal(sys(k, "msync", a, 2 * PAGE, 1 | 4), -EINVAL);
  assert.equal(sys(k, "msync", a, 2 * PAGE, 8), -EINVAL);
  assert.equal(sys(k, "msync", a + 1, PAGE, 4), -EINVAL);
  assert.equal(sys(k, "msync", a, 0, 4), 0);
  assert.equal(sys(k, "msync", a, 3 * PAGE, 4), -ENOMEM);
});

// ------------------------------------------------------------------ mlock

Deno.test("mlock family: coverage, limits, flags", () => {
  const k = kernel();
  const a = mmap(k, 0, 2 * PAGE, RW, PA);
  assert.equal(sys(k, "mlock", a + 10, PAGE), 0);
  assert.equal(sys(k, "munlock", a, 2 * PAGE), 0);
  assert.equal(sys(k, "mlock", a, 3 * PAGE), -ENOMEM);
  assert.equal(sys(k, "mlock", a, 16 << 20), -ENOMEM); // over the 8 MiB RLIMIT_MEMLOCK
  assert.equal(sys(k, "munlock", 0x7000, PAGE), -ENOMEM);
  assert.equal(sys(k, "mlock2", a, PAGE, 1), 0);
  assert.equal(sys(k, "mlock2", a, PAGE, 2), -EINVAL);
  assert.equal(sys(k, "mlockall", 0), -EINVAL);
  assert.equal(sys(k, "mlockall", 4), -EINVAL);
  assert.equal(sys(k, "mlockall", 8), -EINVAL);
  assert.equal(sys(k, "mlockall", 2), 0);
  assert.equal(sys(k, "mlockall", 1), -ENOMEM); // the 8 MiB stack alone reaches the limit
  assert.equal(sys(k, "munlockall"), 0);
  assert.equal(sys(k, "riscv_flush_icache", a, a + PAGE, 0), 0);
  assert.equal(sys(k, "riscv_flush_icache", a, a + PAGE, 1), 0);
  assert.equal(sys(k, "riscv_flush_icache", a, a + PAGE, 2), -EINVAL);
});

// ------------------------------------------------------------ end to end

for (const name of ["brk", "mmap", "mremap"]) {
  Deno.test(`e2e: the ${name} guest matches expect.json`, () => {
    runGuest(name);
  });
}
