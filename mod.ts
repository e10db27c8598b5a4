/**
 * zkabi: what Linux ABI must a zkVM provide so that unmodified Rust and Go
 * programs run in it?
 *
 * The public API: run a riscv64 Linux program in the emulator under a tier
 * profile and get its exit status, output, trace and statistics.
 *
 * ```ts
 * import { run } from "./mod.ts";
 * const r = run({ program: "guests/bin/c/hello", profile: "basic", collectEvents: true });
 * console.log(r.status, r.stats.instret, r.events.length);
 * ```
 * @module
 */

export {
  DEFAULT_ENV,
  describeEnd,
  finish,
  prepare,
  type Prepared,
  run,
  RunError,
  type RunOptions,
  type RunResult,
  type RunStats,
} from "./lib/run/run.ts";
export {
  BUILTIN_PROFILES,
  builtinProfile,
  loadProfile,
  parseProfile,
  type Profile,
  ProfileError,
  profileToJson,
  type SyscallAction,
} from "./lib/dispatch/profile.ts";
export { Dispatcher, type PhaseOf } from "./lib/dispatch/dispatcher.ts";
export { keccakF1600, sha256Compress } from "./lib/dispatch/precompiles.ts";
export {
  isPrecompile,
  PRECOMPILE_BASE,
  PRECOMPILE_END,
  PRECOMPILE_KECCAKF,
  PRECOMPILE_NAMES,
  PRECOMPILE_SHA256_COMPRESS,
  type PrecompileInfo,
  precompileName,
  PRECOMPILES,
} from "./lib/abi/precompiles.ts";
export {
  type EcallHandler,
  type EcallInterceptor,
  type FaultInterceptor,
  Kernel,
  type KernelCounters,
  type KernelOptions,
  type RunEnd,
  type RunOutcome,
  type Sampler,
  type SchedStrategy,
  type Tracer,
} from "./lib/kernel/kernel.ts";
export { Tracee, type TraceeState, type TraceSource } from "./lib/kernel/tracee.ts";
export { type SigInfo, Thread, type ThreadState } from "./lib/kernel/thread.ts";
export {
  isWait,
  NO_RESULT,
  SyscallArgs,
  type SyscallFamily,
  type SyscallFamilyTable,
  type SyscallHandler,
  type SyscallResult,
  type Wait,
} from "./lib/kernel/types.ts";
export type { FilesSetup, GuestInput, GuestOutput, Mount } from "./lib/kernel/mounts.ts";
export {
  decodeCall,
  ecallName,
  FAMILIES,
  syscallByName,
  syscallByNumber,
  syscallName,
  syscallNumber,
  type SyscallRecord,
  SYSCALLS,
} from "./lib/kernel/syscalls.ts";
export { errnoName, errnoText } from "./lib/abi/errno.ts";
export { signalShortName, signalText, sigsetText } from "./lib/abi/signals.ts";
export type {
  Phase,
  Route,
  SignalEvent,
  SyscallEvent,
  TraceEvent,
  TraceWriter,
} from "./lib/kernel/events.ts";
export { Cpu } from "./lib/cpu/interpreter.ts";
export { Hart } from "./lib/cpu/hart.ts";
export {
  type AccessKind,
  type CodeInvalidator,
  type FileBacking,
  GuestMemory,
  type Mapping,
  MemoryFault,
  type MemoryOptions,
} from "./lib/memory/memory.ts";
export {
  ElfError,
  type ElfFile,
  type ElfHeader,
  type ElfSymbol,
  parseElf,
  type ProgramHeader,
  type SectionHeader,
} from "./lib/elf/parse.ts";
export { type AddressRange, type SymbolMatch, SymbolTable } from "./lib/elf/symbols.ts";
export * from "./lib/analysis/categories.ts";
export * from "./lib/analysis/syscall_profile.ts";
export * from "./lib/analysis/compare.ts";
export * from "./lib/analysis/runner.ts";
export * from "./lib/analysis/readiness.ts";
export * from "./lib/analysis/costs.ts";
export * from "./lib/analysis/symbols.ts";
export * from "./lib/analysis/symbol_maps.ts";
export * from "./lib/analysis/guests.ts";
export * from "./lib/analysis/study.ts";
export * from "./lib/analysis/bundled.ts";
export type { TraceRecord } from "./lib/trace/strace_parse.ts";
// The in-guest kernel: what the Linux ABI costs in guest instructions.
export {
  type CostSummary,
  type GuestKernelStats,
  type GuestRunResult,
  type GuestRunStats,
  KERNEL_IN_REPO,
  type KernelCostRow,
  kernelCostRows,
  runGuestKernel,
} from "./lib/guest_kernel/mod.ts";
