/**
 * Builds the bench's own guests (`bench/guests/*.c`) with the same
 * riscv64-linux-gnu-gcc flags as the freestanding C guests of the corpus,
 * into `bench/bin/<name>` (stripped, committed). `deno task bench` calls
 * {@linkcode ensureBenchGuest} and builds only what is missing; run this file
 * to rebuild everything: `deno run -A bench/build.ts`.
 * @module
 */

import { join } from "node:path";
import { flagsFor } from "../guests/c/build.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const C_DIR = join(ROOT, "guests", "c");

/** The bench guests built from `bench/guests/<name>.c`. */
export const BENCH_GUESTS: readonly string[] = ["tight_loop"];

/** Path of a bench guest's binary (relative to the repository root). */
export function benchGuestPath(name: string): string {
  return `bench/bin/${name}`;
}

function runTool(cmd: string, args: string[]): void {
  const out = new Deno.Command(cmd, { args, cwd: C_DIR, stdout: "piped", stderr: "piped" })
    .outputSync();
  if (!out.success) {
    throw new Error(`${cmd} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Compiles and strips one bench guest. Throws when the cross compiler is missing or fails. */
export function buildBenchGuest(name: string): void {
  const src = join(ROOT, "bench", "guests", `${name}.c`);
  const tmp = Deno.makeTempFileSync({ prefix: `zkabi-bench-${name}-` });
  try {
    runTool("riscv64-linux-gnu-gcc", [
      ...flagsFor("freestanding", C_DIR),
      `-ffile-prefix-map=${join(ROOT, "bench")}=bench`,
      "-I",
      C_DIR,
      "-o",
      tmp,
      src,
      "-lgcc",
    ]);
    runTool("riscv64-linux-gnu-strip", [
      "--strip-all",
      "-o",
      join(ROOT, benchGuestPath(name)),
      tmp,
    ]);
  } finally {
    Deno.removeSync(tmp);
  }
}

/** Builds a bench guest when its binary is missing; returns why not when it cannot. */
export function ensureBenchGuest(name: string): string | undefined {
  try {
    Deno.statSync(join(ROOT, benchGuestPath(name)));
    return undefined;
  } catch {
    // Missing: build it.
  }
  try {
    buildBenchGuest(name);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.split("\n")[0] : String(e);
  }
}

if (import.meta.main) {
  for (const name of BENCH_GUESTS) {
    buildBenchGuest(name);
    console.log(`bench: built ${benchGuestPath(name)}`);
  }
}
