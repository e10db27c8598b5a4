import { equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  classifierFor,
  readSymbolMap,
  sameLoadedImage,
  UNSTRIPPED_BUILDS,
} from "../../lib/analysis/symbol_maps.ts";
import {
  classifyGo,
  classifyRust,
  CodeClassifier,
  demangleRust,
  goFunctions,
  goPackage,
  rustCrate,
  sha256Hex,
} from "../../lib/analysis/symbols.ts";
import { parseElf } from "../../lib/elf/parse.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("Rust legacy demangling and crate of a name", () => {
  equal(demangleRust("_ZN3std2io5stdio6_print17h0123456789abcdefE"), "std::io::stdio::_print");
  equal(
    demangleRust(
      "_ZN4core3ptr46drop_in_place$LT$alloc..vec..Vec$LT$u8$GT$$GT$17h0123456789abcdefE",
    ),
    "core::ptr::drop_in_place<alloc::vec::Vec<u8>>",
  );
  equal(
    demangleRust("_ZN5alloc7raw_vec11finish_grow17h0123456789abcdefE.llvm.123"),
    "alloc::raw_vec::finish_grow",
  );
  equal(demangleRust("memcpy"), "memcpy");
  equal(rustCrate("<serde_json::error::Error as serde::de::Error>::custom"), "serde_json");
  equal(rustCrate("<&str as core::str::pattern::Pattern>::is_contained_in"), "core");
  equal(classifyRust("std::io::stdio::_print"), "runtime");
  equal(classifyRust("k256::arithmetic::field::FieldElement::mul"), "app");
  equal(classifyRust("__rust_alloc"), "runtime");
  equal(classifyRust("memcpy"), "libc");
});

Deno.test("Go package paths and classes", () => {
  equal(goPackage("runtime.mallocgc"), "runtime");
  equal(goPackage("encoding/json.(*decodeState).object"), "encoding/json");
  equal(goPackage("golang.org/x/crypto/sha3.keccakF1600"), "golang.org/x/crypto/sha3");
  equal(goPackage("slices.SortFunc[go.shape.[]encoding/json.field]"), "slices");
  equal(classifyGo("runtime.mallocgc"), "runtime");
  equal(classifyGo("internal/runtime/atomic.Load"), "runtime");
  equal(classifyGo("encoding/json.Unmarshal"), "stdlib");
  equal(classifyGo("main.main"), "app");
  equal(classifyGo("github.com/btcsuite/btcd/btcec.RecoverCompact"), "app");
  equal(classifyGo("memeqbody"), "runtime");
});

Deno.test("the stripped Go guest still has its function table", () => {
  const bin = Deno.readFileSync(`${ROOT}guests/bin/go/t8n`);
  const fns = goFunctions(bin);
  const names = new Set(fns.map((f) => f.name));
  for (const n of ["runtime.main", "runtime.mallocgc", "main.main", "runtime.futex"]) {
    ok(names.has(n), n);
  }
  const text = parseElf(bin, "t8n").sections.find((s) => s.name === ".text")!;
  for (let i = 0; i < fns.length; i++) {
    ok(fns[i].start < fns[i].end, fns[i].name);
    if (i > 0) ok(fns[i].start >= fns[i - 1].end - 0, fns[i].name);
  }
  equal(fns[0].start, text.addr);
  const c = new CodeClassifier(fns, classifyGo);
  const mallocgc = fns.find((f) => f.name === "runtime.mallocgc")!;
  equal(c.classOf(mallocgc.start + 4), "runtime");
  equal(c.functionAt(mallocgc.start + 4), "runtime.mallocgc");
  equal(c.classOf(1), "unknown");
});

Deno.test("committed symbol maps belong to the committed Rust binaries", () => {
  for (const u of UNSTRIPPED_BUILDS) {
    const map = readSymbolMap(u.id);
    ok(map, `${u.id}: no symbol map committed`);
    const bin = Deno.readFileSync(`${ROOT}${u.binary}`);
    equal(map.sha256, sha256Hex(bin), u.id);
    const info = classifierFor(u.id, "rust", bin);
    ok(info.classifier, info.origin);
    // The entry point (_start) is glibc's.
    const entry = parseElf(bin, u.id).header.entry;
    equal(info.classifier.functionAt(entry), "_start");
    equal(info.classifier.classOf(entry), "libc");
  }
});

Deno.test("sameLoadedImage ignores the ELF header's section fields only", () => {
  const bin = Deno.readFileSync(`${ROOT}guests/bin/c/hello`);
  const copy = bin.slice();
  copy[0x28] ^= 1; // e_shoff
  ok(sameLoadedImage(bin, copy));
  const parsed = parseElf(bin, "hello");
  const seg = parsed.loads[parsed.loads.length - 1];
  const changed = bin.slice();
  changed[seg.offset + seg.filesz - 1] ^= 1;
  ok(!sameLoadedImage(bin, changed));
});
