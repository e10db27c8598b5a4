/**
 * The analysis commands of the CLI (`zkabi analyze`, `compare`, `tiers`,
 * `import-strace`, and `analyze-bundled` behind `deno task analyze`).
 * @module
 */

/** A CLI subcommand: takes its arguments, returns the exit status. */
export type Command = (args: readonly string[]) => Promise<number>;

/** Analysis subcommands by name, with a one-line summary for the usage text. */
export const ANALYSIS_COMMANDS: ReadonlyMap<string, { run: Command; summary: string }> = new Map();
