/**
 * Shared types for the guest corpus build (`deno task guests`). Each
 * language's build module returns what it produced; `guests/build.ts` hashes
 * the files and writes `guests/manifest.json`.
 * @module
 */

/** One built guest binary, as recorded in the manifest. */
export interface GuestBuild {
  /** Path relative to `guests/`, e.g. `bin/rust/stateless-static`. */
  file: string;
  /** Toolchain name and version, e.g. `rustc 1.85.0 (Debian trixie)`. */
  toolchain: string;
  /** Compiler and linker flags that matter for reproducing the binary. */
  flags: string[];
  /** Whether rebuilding reproduces the same bytes (false where the toolchain embeds paths or ids). */
  deterministic: boolean;
  /** One line saying what the guest is for. */
  description: string;
}

/** Context handed to each language's build module. */
export interface BuildContext {
  /** Absolute path of the `guests/` folder. */
  guestsDir: string;
  /** Absolute path of the toolchain cache (outside git), e.g. `<repo>/.cache/toolchains`. */
  cacheDir: string;
  /** Log one progress line. */
  log(line: string): void;
}
