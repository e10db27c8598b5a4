/**
 * The bundled guests the analysis runs (`deno task analyze`): how to run
 * each one (arguments, working directory, sysroot) and what it is.
 * Paths are relative to the repository root.
 * @module
 */

/** How to run one guest. */
export interface GuestSpec {
  /** Short id used in file names and tables (`rust-static`, `go-t8n`). */
  id: string;
  /** Label for tables. */
  label: string;
  /** The ELF, relative to the repository root. */
  program: string;
  /** Arguments after argv[0]. */
  args: readonly string[];
  /** Working directory, relative to the repository root. */
  cwd: string;
  /** Sysroot (absolute host path) for dynamically linked guests. */
  sysroot?: string;
  /** Source language (for symbol classification). */
  language: "go" | "rust" | "c";
  /** Extra guest environment. */
  env?: Readonly<Record<string, string>>;
  /** What the program is. */
  description: string;
}

/** Sysroot of the cross toolchain: the dynamic Rust guest's ld.so and libc. */
export const CROSS_SYSROOT = "/usr/riscv64-linux-gnu";

const T8N_ARGS = [
  "--input.alloc",
  "alloc.json",
  "--input.env",
  "env.json",
  "--input.txs",
  "txs.json",
  "--state.fork",
  "Shanghai",
];

/** The study's subjects: Rust stateless validator (three builds) and Go t8n. */
export const BUNDLED_GUESTS: readonly GuestSpec[] = [
  {
    id: "rust-static",
    label: "Rust stateless (static)",
    program: "guests/bin/rust/stateless-static",
    args: ["stateless_input.json"],
    cwd: "guests/fixtures",
    language: "rust",
    description: "reth-stateless-like block validator, Rust, static glibc",
  },
  {
    id: "rust-dynamic",
    label: "Rust stateless (dynamic)",
    program: "guests/bin/rust/stateless-dynamic",
    args: ["stateless_input.json"],
    cwd: "guests/fixtures",
    sysroot: CROSS_SYSROOT,
    language: "rust",
    description: "the same validator dynamically linked (ld.so, libc.so.6, libgcc_s.so.1)",
  },
  {
    id: "rust-precompile",
    label: "Rust stateless (keccak precompile)",
    program: "guests/bin/rust/stateless-precompile",
    args: ["stateless_input.json"],
    cwd: "guests/fixtures",
    language: "rust",
    description: "the static validator with keccak-f[1600] through the zk precompile ECALL",
  },
  {
    id: "go-t8n",
    label: "Go t8n",
    program: "guests/bin/go/t8n",
    args: T8N_ARGS,
    cwd: "guests/fixtures/t8n",
    language: "go",
    description: "geth evm t8n-like state transition tool, Go, static, goroutine worker pool",
  },
];

/** The pthreads C guest (futex strategy comparison). */
export const PTHREADS_GUEST: GuestSpec = {
  id: "c-pthreads",
  label: "C pthreads",
  program: "guests/bin/c/pthreads",
  args: [],
  cwd: "guests",
  language: "c",
  description: "static glibc producer/consumer queue, 2+2 threads, mutex and condvars",
};

/** A bundled guest by id. */
export function guestById(id: string): GuestSpec | undefined {
  return [...BUNDLED_GUESTS, PTHREADS_GUEST].find((g) => g.id === id);
}
