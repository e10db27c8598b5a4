import { equal, ok } from "node:assert/strict";
import { goFunctions } from "../../lib/elf/gopclntab.ts";
import { loadElf } from "../../lib/elf/loader.ts";
import { parseElf } from "../../lib/elf/parse.ts";
import { GuestMemory } from "../../lib/memory/memory.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const T8N = `${ROOT}guests/bin/go/t8n`;

/** The reference: `go tool nm` on an unstripped build of the same program. */
function reference(): { addr: number; size: number; name: string }[] {
  return Deno.readTextFileSync(`${ROOT}tests/elf/data/t8n_go_nm_sample.txt`)
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => {
      // Names may contain spaces (generic instantiations): the name is the rest of the line.
      const [, addr, size, name] = /^\s*([0-9a-f]+)\s+(\d+)\s+T\s+(.*)$/.exec(l)!;
      return { addr: parseInt(addr, 16), size: Number(size), name };
    });
}

Deno.test("stripped Go binary: .gopclntab gives the functions go tool nm lists", () => {
  const bytes = Deno.readFileSync(T8N);
  const elf = parseElf(bytes, T8N);
  equal(elf.symbols.length, 0, "the committed binary is stripped");
  const funcs = goFunctions(elf);
  ok(funcs.length > 2000, `${funcs.length} functions`);
  const byAddr = new Map(funcs.map((f) => [f.value, f]));
  const ref = reference();
  ok(ref.length > 50);
  for (const r of ref) {
    const f = byAddr.get(r.addr);
    ok(f, `no function at 0x${r.addr.toString(16)} (${r.name})`);
    // The linker's symbol table marks assembly (ABI0) functions with ".abi0"; the runtime's table does not.
    equal(f.name, r.name.replace(/\.abi0$/, ""));
    // .gopclntab has no sizes: a function reaches the next one, alignment padding included.
    ok(f.size >= r.size && f.size < r.size + 16, `${r.name}: ${f.size} vs ${r.size}`);
  }
});

Deno.test("loading a stripped Go binary names pcs through .gopclntab", () => {
  const bytes = Deno.readFileSync(T8N);
  const mem = new GuestMemory({ maxBytes: 1 << 26 });
  const load = loadElf(mem, bytes, T8N);
  const main = reference().find((r) => r.name === "main.main")!;
  equal(load.symbols.describe(main.addr + 8), "main.main+0x8");
  equal(load.symbols.lookup(load.entry)?.name, "_rt0_riscv64_linux");
});

Deno.test("files without .gopclntab, or with a damaged one, give no Go functions", () => {
  const c = parseElf(Deno.readFileSync(`${ROOT}guests/bin/c/hello`), "hello");
  equal(goFunctions(c).length, 0);
  const bytes = Deno.readFileSync(T8N).slice();
  const elf = parseElf(bytes, T8N);
  const sec = elf.sections.find((s) => s.name === ".gopclntab")!;
  bytes[sec.offset] ^= 0xff; // break the magic
  equal(goFunctions(parseElf(bytes, T8N)).length, 0);
});
