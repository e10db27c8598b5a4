import assert from "node:assert/strict";
import type { ElfSymbol } from "../../lib/elf/parse.ts";
import { SymbolTable } from "../../lib/elf/symbols.ts";

function sym(name: string, value: number, size: number, extra: Partial<ElfSymbol> = {}): ElfSymbol {
  return { name, value, size, kind: "func", bind: "global", ...extra };
}

Deno.test("lookup finds sized symbols with the bias applied", () => {
  const t = new SymbolTable();
  t.add([sym("main", 0x100, 0x40), sym("helper", 0x200, 0x10)], 0x2aaaaaa000, "/bin/p");
  assert.deepEqual(t.lookup(0x2aaaaaa100), { name: "main", offset: 0, object: "/bin/p" });
  assert.deepEqual(t.lookup(0x2aaaaaa13f), { name: "main", offset: 0x3f, object: "/bin/p" });
  assert.equal(t.lookup(0x2aaaaaa140), undefined, "past main's end, before helper");
  assert.equal(t.lookup(0x2aaaaaa0ff), undefined, "before every symbol");
  assert.equal(t.describe(0x2aaaaaa11c), "main+0x1c");
  assert.equal(t.describe(0x2aaaaaa210), "0x2aaaaaa210");
  assert.equal(t.describe(0x2aaaaaa20f), "helper+0xf");
});

Deno.test("zero-size symbols reach the next symbol, or the object's end", () => {
  const t = new SymbolTable();
  t.add([sym("a", 0x1000, 0), sym("b", 0x1100, 0x10), sym("c", 0x1200, 0)], 0, "obj", {
    start: 0x1000,
    end: 0x2000,
  });
  assert.equal(t.describe(0x10ff), "a+0xff");
  assert.equal(t.describe(0x1100), "b+0x0");
  assert.equal(t.describe(0x1110), "0x1110");
  assert.equal(t.describe(0x1fff), "c+0xdff");
  assert.equal(t.describe(0x2000), "0x2000");
  // Without an extent the last zero-size symbol covers only its own address.
  const u = new SymbolTable();
  u.add([sym("only", 0x500, 0)], 0, "o");
  assert.equal(u.describe(0x500), "only+0x0");
  assert.equal(u.describe(0x501), "0x501");
});

Deno.test("aliases fold to one preferred name", () => {
  const t = new SymbolTable();
  t.add(
    [
      sym("__libc_malloc", 0x100, 0x80),
      sym("malloc", 0x100, 0x80),
      sym("local_alias", 0x100, 0x80, { bind: "local" }),
      sym("weak_malloc", 0x100, 0x80, { bind: "weak" }),
      sym("unsized", 0x100, 0),
      sym("data", 0x100, 0x80, { kind: "object" }),
    ],
    0,
    "libc",
  );
  assert.equal(t.size, 1);
  assert.equal(t.describe(0x108), "malloc+0x8");
});

Deno.test("nested symbols: the enclosing one is found past the inner one's end", () => {
  const t = new SymbolTable();
  t.add([sym("outer", 0x100, 0x100), sym("inner", 0x140, 0x10)], 0, "x");
  assert.equal(t.describe(0x145), "inner+0x5");
  assert.equal(t.describe(0x160), "outer+0x60");
});

Deno.test("objects are kept apart and can be removed", () => {
  const t = new SymbolTable();
  t.add([sym("exe_fn", 0x1000, 0x10)], 0x10000, "/bin/p");
  t.add([sym("lib_fn", 0x1000, 0x10)], 0x3ff0000000, "/lib/libc.so.6");
  assert.deepEqual(t.lookup(0x3ff0001004), { name: "lib_fn", offset: 4, object: "/lib/libc.so.6" });
  assert.equal(t.describe(0x11004), "exe_fn+0x4");
  t.remove("/lib/libc.so.6");
  assert.equal(t.lookup(0x3ff0001004), undefined);
  assert.equal(t.describe(0x11004), "exe_fn+0x4");
  t.add([sym("lib_fn", 0x1000, 0x10)], 0x3ff0000000, "/lib/libc.so.6");
  t.removeRange(0x3ff0000000, 0x3ff0002000);
  assert.equal(t.lookup(0x3ff0001004), undefined);
  assert.equal(t.size, 1);
});

Deno.test("lookup is a binary search over many symbols", () => {
  const t = new SymbolTable();
  const list: ElfSymbol[] = [];
  for (let i = 0; i < 50000; i++) list.push(sym(`f${i}`, 0x10000 + 0x20 * i, 0x18));
  // Added in reverse order: the table must sort.
  t.add(list.reverse(), 0, "big");
  for (const i of [0, 1, 777, 49999]) {
    assert.equal(t.describe(0x10000 + 0x20 * i + 0x10), `f${i}+0x10`);
    assert.equal(t.lookup(0x10000 + 0x20 * i + 0x18), undefined);
  }
});
