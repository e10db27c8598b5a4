/**
 * Builds the kernel test guests in `tests/guests/` (static glibc C programs
 * for threads, futexes, signals and readiness I/O) with Debian's
 * riscv64-linux-gnu-gcc into `tests/guests/bin/<name>`, and the Go program
 * `go_threads/` with Debian's Go (trixie's golang-1.24, unpacked by
 * guests/toolchains.ts into .cache/toolchains; skipped when absent). Then
 * runs each one under qemu-riscv64 (the reference) and records its exit
 * status and stdout in `tests/guests/expected.json` (the Go program also
 * with GODEBUG=asyncpreemptoff=1). The tests run the committed binaries
 * through zkabi and compare with that record.
 *
 * Run with `deno run -A tests/guests/build.ts` (needs the cross compiler,
 * qemu-user and optionally the Go toolchain; the committed binaries and
 * record make the tests independent of all three).
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
  "vdso_clock",
  "vdso_clock_dyn",
  "net_unix",
  "net_inet",
  "gaps_io",
  "gaps_futex",
  "gaps_fs",
  "posix_timers",
];

/** Guests whose `qemu-riscv64 -strace` log is recorded too, in `strace/<name>.qemu.log`. */
export const STRACE_GUESTS: readonly string[] = ["net_inet", "net_unix"];

/** Guests linked dynamically against the cross sysroot's glibc: `<name>_dyn` from `<name>.c`. */
const DYNAMIC_SUFFIX = "_dyn";

/** The cross sysroot the dynamic guests' loader and libraries come from. */
export const SYSROOT = "/usr/riscv64-linux-gnu";

/** The Go guests (directories holding a main package). */
export const GO_GUESTS: readonly string[] = ["go_threads"];

/** Extra runs recorded for Go guests: record key suffix and environment. */
export const GO_VARIANTS: readonly { suffix: string; env: Record<string, string> }[] = [
  { suffix: "", env: {} },
  { suffix: "@asyncpreemptoff", env: { GODEBUG: "asyncpreemptoff=1" } },
];

/** What qemu-riscv64 printed for one guest. */
export interface GuestRecord {
  /** Exit status. */
  exit: number;
  /** Standard output. */
  stdout: string;
  /** Environment of the run (Go variants). */
  env?: Record<string, string>;
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

async function runTool(
  cmd: string,
  args: string[],
  env?: Record<string, string>,
  cwd?: string,
): Promise<Deno.CommandOutput> {
  return await new Deno.Command(cmd, { args, env, cwd, stdout: "piped", stderr: "piped" })
    .output();
}

/** GOROOT of Debian's Go as guests/toolchains.ts unpacks it. */
const GOROOT = join(
  GUESTS_DIR,
  "..",
  "..",
  ".cache",
  "toolchains",
  "trixie",
  "usr",
  "lib",
  "go-1.24",
);

/** Builds a Go guest reproducibly (no build id, trimmed paths, no cgo); false without Go. */
async function buildGo(name: string, bin: string): Promise<boolean> {
  const go = join(GOROOT, "bin", "go");
  try {
    Deno.statSync(go);
  } catch {
    console.log(`${name}: skipped (no Go toolchain at ${GOROOT})`);
    return false;
  }
  const cache = await Deno.makeTempDir({ prefix: "zkabi-gocache-" });
  const out = await runTool(go, [
    "build",
    "-trimpath",
    "-ldflags=-s -w -buildid=",
    "-o",
    bin,
    "main.go",
  ], {
    GOROOT,
    GOCACHE: cache,
    GOPATH: join(cache, "gopath"),
    GO111MODULE: "off",
    GOFLAGS: "",
    GOENV: "off",
    GOTOOLCHAIN: "local",
    GOTELEMETRY: "off",
    CGO_ENABLED: "0",
    GOOS: "linux",
    GOARCH: "riscv64",
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: cache,
  }, join(GUESTS_DIR, name));
  await Deno.remove(cache, { recursive: true });
  if (!out.success) {
    console.error(`${name}: go build failed\n${new TextDecoder().decode(out.stderr)}`);
    Deno.exit(1);
  }
  return true;
}

async function main(): Promise<void> {
  await Deno.mkdir(join(GUESTS_DIR, "bin"), { recursive: true });
  const record: Record<string, GuestRecord> = {};
  for (const name of KERNEL_GUESTS) {
    const bin = join(GUESTS_DIR, "bin", name);
    const dynamic = name.endsWith(DYNAMIC_SUFFIX);
    const source = dynamic ? name.slice(0, -DYNAMIC_SUFFIX.length) : name;
    const flags = dynamic
      ? FLAGS.filter((f) => !["-static", "-fno-pie", "-no-pie"].includes(f))
      : FLAGS;
    const cc = await runTool("riscv64-linux-gnu-gcc", [
      ...flags,
      `-ffile-prefix-map=${GUESTS_DIR}=.`,
      "-o",
      bin,
      join(GUESTS_DIR, `${source}.c`),
    ]);
    if (!cc.success) {
      console.error(`${name}.c: compile failed\n${new TextDecoder().decode(cc.stderr)}`);
      Deno.exit(1);
    }
    const strip = await runTool("riscv64-linux-gnu-strip", [bin]);
    if (!strip.success) throw new Error(`strip ${name} failed`);
    const q = await runTool("timeout", [
      "60",
      "qemu-riscv64",
      ...(dynamic ? ["-L", SYSROOT] : []),
      bin,
    ]);
    record[name] = { exit: q.code, stdout: new TextDecoder().decode(q.stdout) };
    if (STRACE_GUESTS.includes(name)) {
      const st = await runTool(
        "timeout",
        ["60", "qemu-riscv64", "-strace", bin],
        undefined,
        GUESTS_DIR,
      );
      await Deno.mkdir(join(GUESTS_DIR, "strace"), { recursive: true });
      await Deno.writeTextFile(
        join(GUESTS_DIR, "strace", `${name}.qemu.log`),
        new TextDecoder().decode(st.stderr),
      );
    }
    console.log(`${name}: exit ${q.code}, ${q.stdout.length} bytes of stdout`);
  }
  const old = JSON.parse(
    await Deno.readTextFile(join(GUESTS_DIR, "expected.json")).catch(() => "{}"),
  );
  for (const name of GO_GUESTS) {
    const bin = join(GUESTS_DIR, "bin", name);
    if (!await buildGo(name, bin)) {
      for (const v of GO_VARIANTS) {
        if (old[name + v.suffix]) record[name + v.suffix] = old[name + v.suffix];
      }
      continue;
    }
    for (const v of GO_VARIANTS) {
      const q = await runTool("timeout", ["60", "qemu-riscv64", bin], {
        ...v.env,
        PATH: "/usr/bin:/bin",
      });
      record[name + v.suffix] = {
        exit: q.code,
        stdout: new TextDecoder().decode(q.stdout),
        env: v.env,
      };
      console.log(`${name}${v.suffix}: exit ${q.code}, ${q.stdout.length} bytes of stdout`);
    }
  }
  await Deno.writeTextFile(
    join(GUESTS_DIR, "expected.json"),
    JSON.stringify(record, null, 2) + "\n",
  );
}

if (import.meta.main) await main();
