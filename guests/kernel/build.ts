/**
 * Builds zkabi's in-guest kernel (`guests/kernel/*.c`, `entry.S`) with
 * Debian's riscv64-linux-gnu-gcc into `guests/bin/kernel/zkernel`.
 *
 * The kernel is built for RV64IMAC with the soft-float ABI so the compiler
 * never touches FP registers: they keep the program's values across a trap
 * and are saved only on a thread switch (entry.S enables D for that code
 * alone). `-mno-relax` keeps gp out of it (the program owns gp).
 *
 * Run standalone with `deno run -A guests/kernel/build.ts`; `guests/build.ts`
 * calls {@link buildKernel}.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildContext, GuestBuild } from "../build_types.ts";

const GCC = "riscv64-linux-gnu-gcc";
const STRIP = "riscv64-linux-gnu-strip";

/** Sources, in link order. */
export const KERNEL_SOURCES: readonly string[] = [
  "entry.S",
  "main.c",
  "mm.c",
  "fs.c",
  "thread.c",
  "signal.c",
  "random.c",
];

/** Compiler and linker flags (the prefix map is added per build). */
export const KERNEL_FLAGS: readonly string[] = [
  "-march=rv64imac_zicsr_zifencei",
  "-mabi=lp64",
  "-mcmodel=medany",
  "-mno-relax",
  "-O2",
  "-ffreestanding",
  "-fno-builtin",
  "-fno-tree-loop-distribute-patterns",
  "-nostdlib",
  "-static",
  "-fno-pie",
  "-no-pie",
  "-fno-stack-protector",
  "-fno-asynchronous-unwind-tables",
  "-fno-unwind-tables",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-Wl,--no-relax",
  "-Wl,--build-id=none",
  "-Wl,-z,noexecstack",
  "-Wl,-T,kernel.ld",
];

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Compiles and strips the kernel into `guests/bin/kernel/zkernel`; returns its manifest record. */
export async function buildKernel(ctx: BuildContext): Promise<GuestBuild> {
  const dir = join(ctx.guestsDir, "kernel");
  const outDir = join(ctx.guestsDir, "bin", "kernel");
  await Deno.mkdir(outDir, { recursive: true });
  const tmp = await Deno.makeTempDir({ prefix: "zkabi-kernel-" });
  try {
    const unstripped = join(tmp, "zkernel");
    const flags = [...KERNEL_FLAGS, `-ffile-prefix-map=${dir}=guests/kernel`];
    await run(GCC, [...flags, "-o", unstripped, ...KERNEL_SOURCES], dir);
    const out = join(outDir, "zkernel");
    await run(STRIP, ["--strip-all", "-o", out, unstripped]);
    const version = (await run(GCC, ["--version"])).split("\n")[0].trim();
    ctx.log(`kernel: zkernel (${(await Deno.stat(out)).size} bytes)`);
    return {
      file: "bin/kernel/zkernel",
      toolchain: `${version}, no libc`,
      flags: [
        ...KERNEL_FLAGS,
        "-ffile-prefix-map=<guests/kernel>=guests/kernel",
        "strip --strip-all",
      ],
      deterministic: true,
      description:
        "zkabi's in-guest kernel (M-mode): Linux syscalls for static Rust/C/Go programs, every instruction counted (--kernel guest)",
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  const guestsDir = dirname(dirname(fileURLToPath(import.meta.url)));
  const b = await buildKernel({
    guestsDir,
    cacheDir: join(dirname(guestsDir), ".cache", "toolchains"),
    log: (line) => console.log(line),
  });
  console.log(`built ${b.file}`);
}
