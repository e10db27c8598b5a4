/**
 * ELF loading for the emulator: parsing and validation, mapping the program
 * and its interpreter, the initial stack and auxv, and symbol lookup.
 * @module
 */

export * from "./parse.ts";
export * from "./symbols.ts";
export * from "./loader.ts";
export * from "./stack.ts";
export * from "./exec.ts";
