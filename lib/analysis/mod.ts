/**
 * The analysis library: syscall profiles (from zkabi runs and imported
 * strace / qemu -strace logs), comparisons, tier readiness by running,
 * instruction costs, and the bundled study behind `deno task analyze`.
 * The CLI (`lib/report/commands.ts`), the REPL and notebooks call these.
 * @module
 */

export * from "./categories.ts";
export * from "./syscall_profile.ts";
export * from "./compare.ts";
export * from "./runner.ts";
export * from "./readiness.ts";
export * from "./costs.ts";
export * from "./symbols.ts";
export * from "./symbol_maps.ts";
export * from "./guests.ts";
export * from "./study.ts";
export * from "./bundled.ts";
export type { Phase, Route, SignalEvent, SyscallEvent, TraceEvent } from "../kernel/events.ts";
export type { TraceRecord } from "../trace/strace_parse.ts";
export type { Profile, SyscallAction } from "../dispatch/profile.ts";
