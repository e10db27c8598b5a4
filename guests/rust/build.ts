/**
 * Builds the Rust guests with Debian trixie's rustc and cargo: the
 * `stateless` crate in three riscv64 variants (static glibc, dynamic glibc,
 * static with the keccak precompile) and a host (x86-64) build written to
 * `<repo>/.cache/host/stateless` for the tests, and the std-only `threads`
 * crate (static glibc); riscv64 binaries are written stripped to
 * `guests/bin/rust/`.
 *
 * Linking uses bookworm's `riscv64-linux-gnu-gcc` and its glibc 2.36, so the
 * dynamic variant runs under `qemu-riscv64 -L /usr/riscv64-linux-gnu` on any
 * machine with `gcc-riscv64-linux-gnu` installed.
 * @module
 */

import { join } from "node:path";
import type { BuildContext, GuestBuild } from "../build_types.ts";
import { SUITE, type Toolchains } from "../toolchains.ts";

/** One way of building the crate. */
export interface RustVariant {
  /** Short name, also the build folder's name. */
  name: string;
  /** Crate folder under `guests/rust/` (also its binary's name); default `stateless`. */
  crate?: string;
  /** Rust target triple. */
  target: string;
  /** Extra rustc flags beyond the path remapping. */
  rustflags: string[];
  /** Cargo features to enable. */
  features: string[];
  /** Output path relative to `guests/` (riscv64 variants) or null for the host build. */
  file: string | null;
  /** One-line description for the manifest. */
  description: string;
}

const RISCV = "riscv64gc-unknown-linux-gnu";
const HOST = "x86_64-unknown-linux-gnu";

/** The variants `deno task guests` builds. */
export const RUST_VARIANTS: readonly RustVariant[] = [
  {
    name: "static",
    target: RISCV,
    rustflags: ["-C", "target-feature=+crt-static"],
    features: [],
    file: "bin/rust/stateless-static",
    description:
      "reth-stateless-like block validator (serde_json, sha3, k256, MPT, EVM subset), static glibc",
  },
  {
    name: "dynamic",
    target: RISCV,
    rustflags: [],
    features: [],
    file: "bin/rust/stateless-dynamic",
    description:
      "reth-stateless-like block validator, dynamically linked against glibc 2.36 (libc.so.6, libgcc_s.so.1)",
  },
  {
    name: "precompile",
    target: RISCV,
    rustflags: ["-C", "target-feature=+crt-static"],
    features: ["precompile"],
    file: "bin/rust/stateless-precompile",
    description:
      "reth-stateless-like block validator, static, keccak-f via ECALL a7=0x10000001 (zkabi only, not qemu)",
  },
  {
    name: "threads",
    crate: "threads",
    target: RISCV,
    rustflags: ["-C", "target-feature=+crt-static"],
    features: [],
    file: "bin/rust/threads",
    description:
      "std::thread guest (Builder, scoped threads, Mutex, Condvar, RwLock, mpsc, Barrier, atomics, park, a panicking worker), static glibc",
  },
  {
    name: "host",
    target: HOST,
    rustflags: [],
    features: [],
    file: null,
    description: "host (x86-64) build for tests",
  },
];

/** Options for {@link buildRust}. */
export interface RustBuildOptions {
  /** Folder holding one cargo target dir per variant. */
  buildRoot: string;
  /** Where the host binary goes (`<repo>/.cache/host`). */
  hostDir: string;
}

/** Result of {@link buildRust}. */
export interface RustBuildResult {
  /** Manifest entries of the riscv64 binaries. */
  builds: GuestBuild[];
  /** Path of the host binary. */
  hostBinary: string;
  /** Seconds spent per variant. */
  seconds: Record<string, number>;
}

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<void> {
  const out = await new Deno.Command(cmd, { args, env, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${text.slice(-4000)}`);
  }
}

/** The crate a variant builds. */
function crateOf(v: RustVariant): string {
  return v.crate ?? "stateless";
}

/** rustc flags that keep machine-specific paths out of the binary. */
function remapFlags(crateDir: string, crate: string, tc: Toolchains): string[] {
  return [
    `--remap-path-prefix=${crateDir}=/zkabi/guests/rust/${crate}`,
    `--remap-path-prefix=${tc.cargoRegistry}=/usr/share/cargo/registry`,
    `--remap-path-prefix=${tc.cargoHome}=/cargo-home`,
  ];
}

/** Toolchain line for the manifest (the crates are those of `crate`). */
export function rustToolchain(tc: Toolchains, crate: string = "stateless"): string {
  if (crate !== "stateless") {
    return `rustc ${tc.versions["rustc"]} + cargo ${tc.versions["cargo"]} (Debian ${SUITE}); ` +
      `linker ${tc.crossGcc}, glibc 2.36; no crates (std only)`;
  }
  return `rustc ${tc.versions["rustc"]} + cargo ${tc.versions["cargo"]} (Debian ${SUITE}); ` +
    `linker ${tc.crossGcc}, glibc 2.36; crates: serde_json ${
      crateVersion(tc, "librust-serde-json-dev")
    }, ` +
    `sha3 ${crateVersion(tc, "librust-sha3-dev")}, k256 ${crateVersion(tc, "librust-k256-dev")}`;
}

function crateVersion(tc: Toolchains, pkg: string): string {
  return (tc.versions[pkg] ?? "?").replace(/-[^-]+$/, "");
}

/**
 * Builds one variant into `targetDir` and returns the path of the unstripped
 * binary cargo produced.
 */
export async function buildRustVariant(
  ctx: BuildContext,
  tc: Toolchains,
  v: RustVariant,
  targetDir: string,
): Promise<string> {
  const crate = crateOf(v);
  const crateDir = join(ctx.guestsDir, "rust", crate);
  const flags = [...remapFlags(crateDir, crate, tc), ...v.rustflags];
  const args = ["build", "--release", "--offline", "--locked", "--target", v.target];
  if (v.features.length > 0) args.push("--features", v.features.join(","));
  await run(tc.cargo, args, {
    CARGO_HOME: tc.cargoHome,
    RUSTC: tc.rustc,
    CARGO_TARGET_DIR: targetDir,
    // Unit separator between flags, so paths with spaces survive.
    CARGO_ENCODED_RUSTFLAGS: flags.join("\x1f"),
    CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_LINKER: "riscv64-linux-gnu-gcc",
    CARGO_INCREMENTAL: "0",
    CARGO_TERM_COLOR: "never",
    SOURCE_DATE_EPOCH: "0",
  }, crateDir);
  return join(targetDir, v.target, "release", crate);
}

/** Copies a riscv64 binary to its place, stripped. */
export async function stripTo(src: string, dest: string): Promise<void> {
  await Deno.mkdir(join(dest, ".."), { recursive: true });
  await run("riscv64-linux-gnu-strip", ["--strip-all", "-o", dest, src], {});
}

/** Builds every Rust variant. */
export async function buildRust(
  ctx: BuildContext,
  tc: Toolchains,
  opts: RustBuildOptions,
): Promise<RustBuildResult> {
  const builds: GuestBuild[] = [];
  const seconds: Record<string, number> = {};
  let hostBinary = "";
  for (const v of RUST_VARIANTS) {
    ctx.log(`rust: building ${crateOf(v)} (${v.name}, ${v.target})`);
    const t0 = performance.now();
    const out = await buildRustVariant(ctx, tc, v, join(opts.buildRoot, v.name));
    if (v.file === null) {
      await Deno.mkdir(opts.hostDir, { recursive: true });
      hostBinary = join(opts.hostDir, "stateless");
      await Deno.copyFile(out, hostBinary);
    } else {
      await stripTo(out, join(ctx.guestsDir, v.file));
      builds.push(rustBuildEntry(tc, v));
    }
    seconds[v.name] = (performance.now() - t0) / 1000;
  }
  return { builds, hostBinary, seconds };
}

/** The manifest entry of a riscv64 variant (`v.file` must be set). */
export function rustBuildEntry(tc: Toolchains, v: RustVariant): GuestBuild {
  if (v.file === null) throw new Error(`rust variant ${v.name} has no riscv64 file`);
  return {
    file: v.file,
    toolchain: rustToolchain(tc, crateOf(v)),
    flags: [
      `--target ${v.target}`,
      "--release (opt-level=3, lto, codegen-units=1)",
      ...(v.features.length > 0 ? [`--features ${v.features.join(",")}`] : []),
      ...chunkFlags(v.rustflags),
      "--remap-path-prefix for the crate, registry and CARGO_HOME",
      "linker riscv64-linux-gnu-gcc",
      "riscv64-linux-gnu-strip --strip-all",
    ],
    deterministic: true,
    description: v.description,
  };
}

/** Joins `-C x` pairs into single strings for the manifest. */
function chunkFlags(flags: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === "-C" && i + 1 < flags.length) out.push(`-C ${flags[++i]}`);
    else out.push(flags[i]);
  }
  return out;
}
