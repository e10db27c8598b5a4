/**
 * zkabi: what Linux ABI must a zkVM provide so that unmodified Rust and Go
 * programs run in it, and what does it cost?
 *
 * The public API, for scripts and notebooks:
 *
 * - **Running**: {@linkcode run} a riscv64 Linux program in the emulator
 *   under a tier profile and get its exit status, output, trace events and
 *   statistics; {@linkcode prepare}/{@linkcode finish} and the
 *   {@linkcode Kernel}'s execution core (`runFor`, `step`, observers) for
 *   step-by-step control; {@linkcode runGuestKernel} under the in-guest
 *   kernel, whose syscalls cost guest instructions.
 * - **The ABI**: the syscall registry ({@linkcode SYSCALLS}: number, name,
 *   category, argument kinds, strace decoder, handler), errno and signal
 *   names, the zk precompiles.
 * - **Traces**: strace and JSON writers, strace/qemu log parsers, the
 *   comparison with `qemu-riscv64 -strace`.
 * - **Analysis**: syscall profiles, comparisons, tier readiness by running,
 *   costs by function, the bundled guests and the report's analysis.
 * - **Display**: documents rendered as text, markdown or HTML, and the
 *   notebook views ({@linkcode show}, {@linkcode guestRun},
 *   {@linkcode bundledRun}, {@linkcode profileView}...).
 * - **Debugging**: the REPL ({@linkcode Repl}) and its {@linkcode Session}.
 *
 * ```ts
 * import { run } from "./mod.ts";
 * const r = run({ program: "guests/bin/c/hello", profile: "basic", collectEvents: true });
 * console.log(r.status, r.stats.instret, r.events.map((e) => e.kind === "syscall" && e.name));
 * ```
 * @module
 */

// ------------------------------------------------------------------ running
export {
  DEFAULT_ENV,
  describeEnd,
  finish,
  prepare,
  type Prepared,
  processStats,
  run,
  RunError,
  type RunOptions,
  type RunResult,
  type RunStats,
} from "./lib/run/run.ts";
export {
  type EcallHandler,
  type EcallInterceptor,
  type FaultInterceptor,
  Kernel,
  type KernelCounters,
  type KernelOptions,
  type KernelTimer,
  type RunEnd,
  type RunOutcome,
  type Sampler,
  type SchedStrategy,
  type Tracer,
} from "./lib/kernel/kernel.ts";
export { type SigInfo, Thread, type ThreadState, type TimerSigInfo } from "./lib/kernel/thread.ts";
export { Tracee, type TraceeState, type TraceSource } from "./lib/kernel/tracee.ts";
export type { FilesSetup, GuestInput, GuestOutput, Mount } from "./lib/kernel/mounts.ts";
export type { FileData, FileSource } from "./lib/vfs/types.ts";
export type { HostStream } from "./lib/vfs/host_fs.ts";
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
export { Cpu, type CpuStats } from "./lib/cpu/interpreter.ts";
export type { RegionStore } from "./lib/cpu/region_store.ts";
export { fileRegionStore } from "./lib/run/region_files.ts";
export { ISA_CLASSES, isaClassCounts, isaClassOf } from "./lib/cpu/ops.ts";
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

// The in-guest kernel: what the Linux ABI costs in guest instructions.
export {
  type CostSummary,
  type GuestKernelOptions,
  type GuestKernelStats,
  type GuestRunResult,
  type GuestRunStats,
  KERNEL_IN_REPO,
  type KernelCostRow,
  kernelCostRows,
  runGuestKernel,
} from "./lib/guest_kernel/mod.ts";

// ------------------------------------------------------------------ the ABI
export {
  type Category,
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
export {
  type DecodeCall,
  DecodeContext,
  type Decoded,
  type Decoder,
  type DecodeSource,
  DEFAULT_STRSIZE,
} from "./lib/abi/decode.ts";
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

// ------------------------------------------------------------------- traces
export type {
  Phase,
  Route,
  SignalEvent,
  SyscallEvent,
  TraceEvent,
  TraceWriter,
} from "./lib/kernel/events.ts";
export {
  createStraceWriter,
  formatSyscallLine,
  type StraceOptions,
  type StraceWriter,
} from "./lib/trace/strace.ts";
export { createJsonWriter, eventJson } from "./lib/trace/json.ts";
export { type TraceOutputs, type TraceWriterFactory, traceWriters } from "./lib/trace/sinks.ts";
export { parseQemuStrace, parseStraceText, type TraceRecord } from "./lib/trace/strace_parse.ts";
export {
  type CompareOptions,
  type CompareResult,
  compareWithQemu,
  type Difference,
} from "./lib/trace/compare.ts";

// ----------------------------------------------------------------- analysis
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
export * from "./lib/analysis/observe.ts";
export * from "./lib/analysis/watch.ts";
export * from "./lib/analysis/sysroot.ts";
export * from "./lib/analysis/real_clients.ts";
export * from "./lib/analysis/family.ts";

// ------------------------------------------------------------------ display
export {
  type Align,
  type Block,
  type Cell,
  type Doc,
  type Format,
  render,
  type Table,
  tableBlock,
} from "./lib/render/doc.ts";
export {
  bytes,
  comparisonDoc,
  costsDoc,
  type CostsInput,
  duration,
  profileDoc,
  readinessDoc,
  runSummaryDoc,
  type StatsColumn,
  statsDoc,
  type SummaryColumn,
} from "./lib/render/views.ts";
export {
  bundledRun,
  categoryChart,
  comparisonView,
  costsView,
  docView,
  eventsView,
  type GuestRun,
  guestRun,
  type GuestRunOptions,
  type MimeBundle,
  phaseChart,
  pre,
  profileSummary,
  profileView,
  readinessView,
  type RealClients,
  realClients,
  Rich,
  show,
  stack,
  statsView,
  summaryView,
  table,
  traceView,
  verifyRealClients,
} from "./lib/notebook/display.ts";

// ---------------------------------------------------------------- debugging
export {
  type ComparisonRecord,
  Repl,
  ReplError,
  type ReplOptions,
  type TranscriptEntry,
} from "./lib/repl/repl.ts";
export {
  type Breakpoint,
  type LiveStats,
  type LoadSpec,
  Session,
  type SessionOptions,
  type StopReason,
} from "./lib/repl/session.ts";
export {
  type DumpFormat,
  formatFRegisters,
  formatListing,
  formatXRegisters,
  instructionsAround,
} from "./lib/repl/format.ts";
export { Disassembler, type Instruction } from "./lib/cpu/disasm.ts";
