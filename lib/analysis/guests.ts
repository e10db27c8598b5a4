/**
 * The guests the analysis runs (`deno task analyze`): how to run each one
 * (arguments, working directory, sysroot), what it is, and whether it is a
 * real Ethereum client or a stand-in written for this project.
 *
 * - The real clients ({@linkcode REAL_CLIENTS}) are go-ethereum's own
 *   programs, built outside the repository (guests/geth/README.md): their
 *   binaries live in `<repo>/.cache/geth/` (or `$ZKABI_GETH_DIR`, copied
 *   there), never in the repository. Paths of real clients are relative to
 *   that folder; their working directory may name the repository
 *   (`@repo/...`).
 * - The stand-ins ({@linkcode STAND_INS}) are committed: a reth-stateless-like
 *   Rust validator (three builds) and a geth `evm t8n`-like Go tool. They are
 *   smaller than the real clients and are labelled as stand-ins everywhere.
 * @module
 */

/** A function whose first call the analysis measures exactly (entry to return). */
export interface SpanSpec {
  /** Label in reports. */
  label: string;
  /** The function's name in the binary's function table (exact). */
  function: string;
  /** What the span is. */
  description: string;
}

/** How to run one guest. */
export interface GuestSpec {
  /** Short id used in file names and tables (`rust-static`, `geth-keeper`). */
  id: string;
  /** Label for tables. */
  label: string;
  /** `real`: an unmodified Ethereum client; `stand-in`: written for this project. */
  kind: "real" | "stand-in" | "test";
  /** The ELF: relative to the repository, or to the geth folder for real clients. */
  program: string;
  /** Arguments after argv[0]. */
  args: readonly string[];
  /** Working directory: relative to the repository (or the geth folder for real clients). */
  cwd: string;
  /** Sysroot for dynamically linked guests, relative to the repository (fetched by the analysis). */
  sysroot?: string;
  /** Source language (for symbol classification). */
  language: "go" | "rust" | "c";
  /** Extra guest environment. */
  env?: Readonly<Record<string, string>>;
  /** What the program is. */
  description: string;
  /**
   * The program's `main` in its function table (Go `main.main`, a Rust
   * crate's `main`): the application phase starts when the pc first gets there.
   */
  mainFunction?: string;
  /** One-off computations measured exactly. */
  spans?: readonly SpanSpec[];
  /**
   * Arguments for the readiness runs (stub trials, tiers) when they differ
   * from `args`, with the reason (geth's log lines carry the virtual clock's
   * time, which moves whenever a stub changes the instruction count).
   */
  readiness?: { args: readonly string[]; why: string };
  /** The stand-in this real client is compared with, or the real client a stand-in stands for. */
  counterpart?: string;
}

/** Sysroot of the dynamically linked Rust guest, relative to the repository (see `sysroot.ts`). */
export const CROSS_SYSROOT = ".cache/sysroot/bookworm-riscv64-cross";

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

/** The study's `evm t8n` command, outputs on stdout (zkabi's working directory is read-only). */
export const GETH_T8N_ARGS: readonly string[] = [
  "t8n",
  "--input.alloc",
  "alloc.json",
  "--input.txs",
  "tx.json",
  "--input.env",
  "env.json",
  "--state.fork=Prague",
  "--output.result=stdout",
  "--output.alloc=stdout",
];

/** decred secp256k1 v4 unpacking its precomputed table (base64 + zlib) on first use. */
const SECP256K1_TABLE: SpanSpec = {
  label: "secp256k1 table unpacking",
  function: "github.com/decred/dcrd/dcrec/secp256k1/v4.init.init.func1.func2",
  description: "decred secp256k1 v4 decompresses its precomputed base-point table " +
    "(base64 + zlib) the first time a signature is recovered",
};

/** The real go-ethereum clients (binaries not in the repository). */
export const REAL_CLIENTS: readonly GuestSpec[] = [
  {
    id: "geth-keeper",
    label: "geth keeper (real)",
    kind: "real",
    program: "bin/geth-keeper",
    args: [],
    cwd: "data",
    language: "go",
    description: "go-ethereum's zkVM guest cmd/keeper (commit 02b73d4e, build tag example): " +
      "stateless execution and validation of Hoodi block 1151683 with its witness, embedded",
    mainFunction: "main.main",
    spans: [SECP256K1_TABLE],
    counterpart: "go-t8n",
  },
  {
    id: "geth-evm",
    label: "geth evm t8n (real)",
    kind: "real",
    program: "bin/geth-evm",
    args: GETH_T8N_ARGS,
    cwd: "@repo/data/study/geth-t8n-assets",
    language: "go",
    description: "go-ethereum cmd/evm (commit 6017c756) running the study's " +
      "`evm t8n --state.fork=Prague` on the study's inputs",
    mainFunction: "main.main",
    spans: [SECP256K1_TABLE],
    readiness: {
      args: ["--verbosity", "2", ...GETH_T8N_ARGS],
      why: "with `--verbosity 2` (a global flag, before `t8n`) geth prints no INFO lines; " +
        "those carry the virtual " +
        "clock's time, which moves whenever a stub changes the instruction count, so " +
        "every trial would differ on stderr",
    },
    counterpart: "go-t8n",
  },
];

/** The stand-ins: Rust stateless validator (three builds) and Go t8n. */
export const STAND_INS: readonly GuestSpec[] = [
  {
    id: "rust-static",
    label: "Rust stateless stand-in (static)",
    kind: "stand-in",
    program: "guests/bin/rust/stateless-static",
    args: ["stateless_input.json"],
    cwd: "guests/fixtures",
    language: "rust",
    description: "stand-in for reth-stateless written for this project: a block validator, " +
      "Rust, static glibc",
    mainFunction: "stateless::main",
  },
  {
    id: "rust-dynamic",
    label: "Rust stateless stand-in (dynamic)",
    kind: "stand-in",
    program: "guests/bin/rust/stateless-dynamic",
    args: ["stateless_input.json"],
    cwd: "guests/fixtures",
    sysroot: CROSS_SYSROOT,
    language: "rust",
    description: "the same stand-in dynamically linked (ld.so, libc.so.6, libgcc_s.so.1 " +
      "from Debian bookworm's riscv64 cross packages)",
    mainFunction: "stateless::main",
  },
  {
    id: "rust-precompile",
    label: "Rust stateless stand-in (keccak precompile)",
    kind: "stand-in",
    program: "guests/bin/rust/stateless-precompile",
    args: ["stateless_input.json"],
    cwd: "guests/fixtures",
    language: "rust",
    description: "the static stand-in with keccak-f[1600] through the zk precompile ECALL",
    mainFunction: "stateless::main",
  },
  {
    id: "go-t8n",
    label: "Go t8n stand-in",
    kind: "stand-in",
    program: "guests/bin/go/t8n",
    args: T8N_ARGS,
    cwd: "guests/fixtures/t8n",
    language: "go",
    description: "stand-in for geth evm t8n written for this project: a state transition " +
      "tool, Go, static, goroutine worker pool",
    mainFunction: "main.main",
    spans: [{
      label: "secp256k1 table unpacking",
      function: "github.com/btcsuite/btcd/btcec.init",
      description: "btcec v1 decompresses its precomputed base-point table (base64 + zlib) " +
        "in its package initialisation",
    }],
    counterpart: "geth-evm",
  },
];

/** Every guest of the study: the real clients first, then the stand-ins. */
export const BUNDLED_GUESTS: readonly GuestSpec[] = [...REAL_CLIENTS, ...STAND_INS];

/** The pthreads C guest (futex strategies, in-guest kernel costs). */
export const PTHREADS_GUEST: GuestSpec = {
  id: "c-pthreads",
  label: "C pthreads",
  kind: "test",
  program: "guests/bin/c/pthreads",
  args: [],
  cwd: "guests",
  language: "c",
  description: "static glibc producer/consumer queue, 2+2 threads, mutex and condvars",
};

/** A guest by id. */
export function guestById(id: string): GuestSpec | undefined {
  return [...BUNDLED_GUESTS, PTHREADS_GUEST].find((g) => g.id === id);
}
