/**
 * The external sources the findings report and the ABI specification cite,
 * by name, with the commit or version and date they were read at.
 * @module
 */

/** One reference. */
export interface Reference {
  /** Short key, cited as `[key]`. */
  key: string;
  /** The reference as printed. */
  text: string;
}

/** Every source the report cites, in citation-list order. */
export const REFERENCES: readonly Reference[] = [
  {
    key: "study",
    text: "eth-act/riscv-compilation, `linux-syscalls/REPORT.md`: the syscall study of " +
      "reth-stateless and geth `evm t8n` on riscv64 that this work follows up (its published " +
      "tables are quoted in Appendix C).",
  },
  {
    key: "study-data",
    text: "developeruche/stateless-block-exec, commit 5d830c7d48ee: the study's strace logs and " +
      "`evm t8n` inputs, copied byte for byte into `data/study/`.",
  },
  {
    key: "geth",
    text: "ethereum/go-ethereum: `cmd/keeper` at commit 02b73d4ea718 (build tag `example`, " +
      "Hoodi block 1151683 embedded) and `cmd/evm` at commit 6017c756; built as static " +
      "linux/riscv64 binaries with Go 1.24 (guests/geth/README.md).",
  },
  {
    key: "mt-cannon",
    text: "ethereum-optimism/optimism, Cannon: `cannon/mipsevm/multithreaded/mips.go` " +
      "(commit 9b4cc461e577) and `cannon/mipsevm/tests/evm_common64_test.go` (commit " +
      "7f63753548cf; supported syscalls of the MultiThreaded64 state versions); " +
      "ethereum-optimism/specs, `specs/experimental/cannon-fault-proof-vm-mt.md`. Read through " +
      "the project's code index, accessed 2026-12-06.",
  },
  {
    key: "asterisc",
    text: "ethereum-optimism/asterisc, commit 52519dc6af57 (2025-05-05): `rvgo/fast/vm.go` " +
      "(sysCall) and `docs/golang.md`.",
  },
  {
    key: "ziren",
    text: "ProjectZKM/Ziren, commit 53a8eff4e716 (2026-05-19): " +
      "`crates/core/executor/src/syscalls/code.rs` and `syscalls/precompiles/sys_linux/`.",
  },
  {
    key: "zeroos",
    text: "LayerZero-Labs/ZeroOS, commit c4087a825bf3 (2026-03-08): " +
      "`crates/zeroos-os-linux/src/syscall.rs` (26 syscall handlers) and " +
      "`src/handlers/{signal,thread,vfs}.rs`; G. Zou, I. Zhang, R. Zarick, K. Wong, T. Kim, " +
      "D. L.-K. Wong, S. Yazdinejad, D. Boneh, *ZeroOS: A Universal Modular Library OS for " +
      "zkVMs*, arXiv:2512.09300 (2025-12-09).",
  },
  {
    key: "zeroos-faq",
    text: 'LayerZero-Labs/ZeroOS, `FAQ.md` (commit c4087a825bf3): "each syscall adds ~128 ' +
      "instructions to the trace: 57 to save registers, 33 in the trap handler, and 38 to " +
      'restore registers" (the Jolt integration; Rust/musl programs).',
  },
  {
    key: "zkvm-standards",
    text: "eth-act/zkvm-standards, commit d5f18133720b (2026-05-12): " +
      "`standards/riscv-target/target.md` (riscv64im_zicclsm-unknown-none-elf, no syscalls), " +
      "`standards/io-interface`; the termination ECALL with a7 = 0 in " +
      "`standards/standard-termination-semantics` (commit f72cbe7, 2026-01-20; its reference " +
      "implementation removed in commit da2eca0, 2026-03-05).",
  },
  {
    key: "sp1",
    text: "succinctlabs/sp1: the zkVM's syscall convention (ECALL with the call id in t0).",
  },
  {
    key: "risc0",
    text: "risc0/risc0: the zkVM's ECALL classes in t0 (halt, input, software syscall, sha, " +
      "bigint).",
  },
  {
    key: "zisk",
    text: "0xPolygonHermez/zisk: precompiles through CSR writes (keccakf at 0x800, sha256f at " +
      "0x805).",
  },
  {
    key: "openvm",
    text: "openvm-org/openvm: extensions through custom opcodes (custom-0, custom-1).",
  },
  {
    key: "linux",
    text: "Linux riscv64 syscall ABI: `include/uapi/asm-generic/unistd.h` and " +
      "`arch/riscv/include/uapi/asm/unistd.h` (numbers), `arch/riscv/kernel/signal.c` " +
      "(rt_sigframe), `kernel/futex/`.",
  },
  {
    key: "go-runtime",
    text: "golang/go, Go 1.24: `src/runtime/sys_linux_riscv64.s`, `os_linux.go` (the Go " +
      "runtime's syscalls, clone flags, SIGURG preemption).",
  },
  {
    key: "secp256k1",
    text: "decred/dcrd, `dcrec/secp256k1/v4` (precomputed base-point table, decompressed on " +
      "first use) and btcsuite/btcd, `btcec` v1 (the same table, decompressed at package " +
      "initialisation).",
  },
  {
    key: "qemu",
    text: "QEMU 7.2 user-mode emulation (`qemu-riscv64`, Debian bookworm), the test suite's " +
      "oracle.",
  },
  {
    key: "debian",
    text: "Debian bookworm: `libc6-riscv64-cross` 2.36-8cross1 " +
      "(cross-toolchain-base-ports) and `libgcc-s1-riscv64-cross` 12.2.0-13cross1 " +
      "(gcc-12-cross-ports), the dynamic guest's sysroot (pinned in " +
      "`data/sysroot/riscv64-cross.json`).",
  },
  {
    key: "rfc2119",
    text: "S. Bradner, *Key words for use in RFCs to Indicate Requirement Levels*, RFC 2119, " +
      "1997.",
  },
];

/** A citation of `key` (`[key]`); throws for an unknown key. */
export function ref(key: string): string {
  if (!REFERENCES.some((r) => r.key === key)) throw new Error(`no reference '${key}'`);
  return `[${key}]`;
}
