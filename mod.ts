/**
 * zkabi: what Linux ABI must a zkVM provide so that unmodified Rust and Go
 * programs run in it? The public API: the RV64GC emulator, the ECALL
 * dispatcher with tier profiles, the emulated Linux ABI, tracing and analysis.
 * @module
 */

export * from "./lib/memory/memory.ts";
export * from "./lib/cpu/hart.ts";
