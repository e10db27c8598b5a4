/**
 * Builds the hardening tests' hostile guest (`hostile.c`, one static glibc
 * program with a scenario per attack) with Debian's riscv64-linux-gnu-gcc
 * into `tests/hardening/bin/hostile`, stripped. The binary is committed, so
 * the tests need neither the cross compiler nor qemu.
 *
 * Run with `deno run -A tests/hardening/build.ts`.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** This directory. */
export const HARDENING_DIR: string = dirname(fileURLToPath(import.meta.url));
/** The built guest. */
export const HOSTILE: string = join(HARDENING_DIR, "bin", "hostile");

const FLAGS: readonly string[] = [
  "-march=rv64gc",
  "-mabi=lp64d",
  "-O2",
  "-static",
  "-fno-pie",
  "-no-pie",
  "-pthread",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-Wl,--build-id=none",
];

async function tool(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
}

if (import.meta.main) {
  await Deno.mkdir(dirname(HOSTILE), { recursive: true });
  await tool("riscv64-linux-gnu-gcc", [
    ...FLAGS,
    `-ffile-prefix-map=${HARDENING_DIR}=.`,
    "-o",
    HOSTILE,
    join(HARDENING_DIR, "hostile.c"),
  ]);
  await tool("riscv64-linux-gnu-strip", [HOSTILE]);
  console.log(`built ${HOSTILE} (${(await Deno.stat(HOSTILE)).size} bytes)`);
}
