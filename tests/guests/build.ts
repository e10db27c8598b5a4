/**
 * Builds the kernel test guests in `tests/guests/` (static glibc C programs
 * for threads, futexes, signals and readiness I/O) with Debian's
 * riscv64-linux-gnu-gcc into `tests/guests/bin/<name>`, then runs each one
 * under qemu-riscv64 (the reference) and records its exit status and stdout
 * in `tests/guests/expected.json`. The tests run the committed binaries
 * through zkabi and compare with that record.
 *
 * Run with `deno run -A tests/guests/build.ts` (needs the cross compiler
 * and qemu-user; the committed binaries and record make the tests
 * independent of both).
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The guests, in build order. */
export const KERNEL_GUESTS: readonly string[] = [
  "sigframe_layout",
  "sig_fault",
  "sig_altstack",
  "sig_tgkill",
  "futex_ops",
  "io_poll",
];

/** What qemu-riscv64 printed for one guest. */
export interface GuestRecord {
  /** Exit status. */
  exit: number;
  /** Standard output. */
  stdout: string;
}

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
  "-Wno-unused-result",
  "-Wl,--build-id=none",
];

/** The directory holding the sources. */
export const GUESTS_DIR: string = dirname(fileURLToPath(import.meta.url));

async function runTool(cmd: string, args: string[]): Promise<Deno.CommandOutput> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return out;
}

async function main(): Promise<void> {
  await Deno.mkdir(join(GUESTS_DIR, "bin"), { recursive: true });
  const record: Record<string, GuestRecord> = {};
  for (const name of KERNEL_GUESTS) {
    const bin = join(GUESTS_DIR, "bin", name);
    const cc = await runTool("riscv64-linux-gnu-gcc", [
      ...FLAGS,
      `-ffile-prefix-map=${GUESTS_DIR}=.`,
      "-o",
      bin,
      join(GUESTS_DIR, `${name}.c`),
    ]);
    if (!cc.success) {
      console.error(`${name}.c: compile failed\n${new TextDecoder().decode(cc.stderr)}`);
      Deno.exit(1);
    }
    const strip = await runTool("riscv64-linux-gnu-strip", [bin]);
    if (!strip.success) throw new Error(`strip ${name} failed`);
    const q = await runTool("timeout", ["60", "qemu-riscv64", bin]);
    record[name] = { exit: q.code, stdout: new TextDecoder().decode(q.stdout) };
    console.log(`${name}: exit ${q.code}, ${q.stdout.length} bytes of stdout`);
  }
  await Deno.writeTextFile(
    join(GUESTS_DIR, "expected.json"),
    JSON.stringify(record, null, 2) + "\n",
  );
}

if (import.meta.main) await main();
