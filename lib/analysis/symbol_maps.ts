/**
 * Committed symbol maps of the stripped guest binaries (see
 * {@linkcode SymbolMap}), and the tool that writes them from the unstripped
 * builds `deno task guests` leaves in `.cache/build/`:
 *
 * ```
 * deno run -A scripts/symbol_maps.ts
 * ```
 *
 * A map is written only when every loadable segment of the unstripped build
 * is byte-identical to the committed binary's (stripping removes sections,
 * never loaded bytes; only the ELF header's section-table fields differ), so
 * its addresses are the committed binary's.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseElf } from "../elf/parse.ts";
import {
  classifyGo,
  classifyRust,
  CodeClassifier,
  codeExtent,
  elfFunctions,
  goFunctions,
  mapFunctions,
  sha256Hex,
  type SymbolMap,
  symbolMapFrom,
} from "./symbols.ts";

/** Folder of the committed maps. */
export const SYMBOL_MAP_DIR: string = join(dirname(fileURLToPath(import.meta.url)), "symbol_maps");

/** Which unstripped build belongs to which committed binary. */
export const UNSTRIPPED_BUILDS: readonly { id: string; binary: string; build: string }[] = [
  {
    id: "rust-static",
    binary: "guests/bin/rust/stateless-static",
    build: ".cache/build/rust/static/riscv64gc-unknown-linux-gnu/release/stateless",
  },
  {
    id: "rust-dynamic",
    binary: "guests/bin/rust/stateless-dynamic",
    build: ".cache/build/rust/dynamic/riscv64gc-unknown-linux-gnu/release/stateless",
  },
  {
    id: "rust-precompile",
    binary: "guests/bin/rust/stateless-precompile",
    build: ".cache/build/rust/precompile/riscv64gc-unknown-linux-gnu/release/stateless",
  },
];

/** True when both ELFs load the same bytes at the same addresses. */
export function sameLoadedImage(a: Uint8Array, b: Uint8Array): boolean {
  const ea = parseElf(a, "a");
  const eb = parseElf(b, "b");
  if (ea.loads.length !== eb.loads.length || ea.header.entry !== eb.header.entry) return false;
  for (let i = 0; i < ea.loads.length; i++) {
    const pa = ea.loads[i];
    const pb = eb.loads[i];
    if (pa.vaddr !== pb.vaddr || pa.memsz !== pb.memsz || pa.filesz !== pb.filesz) return false;
    const xa = a.subarray(pa.offset, pa.offset + pa.filesz);
    const xb = b.subarray(pb.offset, pb.offset + pb.filesz);
    // The ELF header (in the first segment) records the section table, which strip changes.
    const from = pa.offset === 0 ? 64 : 0;
    for (let j = from; j < xa.length; j++) if (xa[j] !== xb[j]) return false;
  }
  return true;
}

/** Reads the committed map for `id`, if there is one. */
export function readSymbolMap(id: string): SymbolMap | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(join(SYMBOL_MAP_DIR, `${id}.json`)));
  } catch {
    return undefined;
  }
}

/** Where a classifier's names came from, for the report. */
export interface ClassifierInfo {
  /** The classifier (undefined: no names for this binary). */
  classifier?: CodeClassifier;
  /** One line for the report: the source of the names, or why there are none. */
  origin: string;
}

/**
 * A pc classifier for a guest binary: Go's own function table, or the
 * committed symbol map when its sha256 matches the binary.
 */
export function classifierFor(
  id: string,
  language: "go" | "rust" | "c",
  binary: Uint8Array,
): ClassifierInfo {
  const extent = codeExtent(binary);
  if (language === "go") {
    const fns = goFunctions(binary);
    return {
      classifier: new CodeClassifier(fns, classifyGo, extent),
      origin: `Go function table (.gopclntab) of the binary: ${fns.length} functions`,
    };
  }
  const map = readSymbolMap(id);
  if (!map) return { origin: "stripped binary and no symbol map: no breakdown" };
  if (map.sha256 !== sha256Hex(binary)) {
    return { origin: "symbol map is for another build of this binary: no breakdown" };
  }
  return {
    classifier: new CodeClassifier(mapFunctions(map), classifyRust, extent),
    origin: `${map.origin}: ${map.functions.length} functions`,
  };
}

/**
 * A classifier for any riscv64 ELF: Go's function table when it has one,
 * else a committed symbol map with the same sha256, else its own `.symtab`.
 */
export function classifierForBinary(binary: Uint8Array): ClassifierInfo {
  const extent = codeExtent(binary);
  const elf = parseElf(binary, "elf");
  if (elf.sections.some((s) => s.name === ".gopclntab")) {
    return classifierFor("", "go", binary);
  }
  const sha = sha256Hex(binary);
  for (const u of UNSTRIPPED_BUILDS) {
    const m = readSymbolMap(u.id);
    if (m && m.sha256 === sha) return classifierFor(u.id, "rust", binary);
  }
  const fns = elfFunctions(binary);
  if (fns.length > 0) {
    return {
      classifier: new CodeClassifier(fns, classifyRust, extent),
      origin: `.symtab of the binary: ${fns.length} functions`,
    };
  }
  return { origin: "stripped binary and no symbol map: no breakdown" };
}

/** Writes the maps for every unstripped build found under `root`. Returns the ids written. */
export function writeSymbolMaps(root: string): string[] {
  const written: string[] = [];
  Deno.mkdirSync(SYMBOL_MAP_DIR, { recursive: true });
  for (const u of UNSTRIPPED_BUILDS) {
    let build: Uint8Array;
    let binary: Uint8Array;
    try {
      build = Deno.readFileSync(join(root, u.build));
      binary = Deno.readFileSync(join(root, u.binary));
    } catch {
      continue;
    }
    if (!sameLoadedImage(build, binary)) {
      console.error(`${u.id}: ${u.build} does not load the same image as ${u.binary}; skipped`);
      continue;
    }
    const map = symbolMapFrom(
      u.binary,
      sha256Hex(binary),
      build,
      `.symtab of the unstripped build (${u.build}), same loaded image as the committed binary`,
      "rust",
    );
    map.functions = map.functions.map(([s, n, name]) => [s, n, name.slice(0, 160)]);
    const lines = map.functions.map((f) => JSON.stringify(f));
    const text = `{"binary":${JSON.stringify(map.binary)},"sha256":"${map.sha256}",` +
      `"origin":${JSON.stringify(map.origin)},"language":"${map.language}",` +
      `"functions":[\n${lines.join(",\n")}\n]}\n`;
    const file = join(SYMBOL_MAP_DIR, `${u.id}.json`);
    Deno.writeTextFileSync(file, text);
    // Keep the committed file in the project's formatting (`deno fmt --check` runs over lib/).
    new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", file] }).outputSync();
    written.push(u.id);
  }
  return written;
}
