/**
 * The static Rust stateless guest makes the same syscalls in the same order
 * under zkabi as under `qemu-riscv64 -strace`, allowing for addresses (the
 * comparison's rules are in lib/trace/compare.ts and tests/debian/qemu_diff.ts).
 * The dynamic build is not compared here: with `-L` qemu falls back to the
 * host's /etc/ld.so.cache, which zkabi by design does not, so their loaders
 * search differently; the Debian suite checks dynamic programs strictly with
 * a sysroot that has its own cache. Skipped without qemu.
 */
import { ok } from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_ENV, run } from "../../lib/run/run.ts";
import { createStraceWriter, type StraceWriter } from "../../lib/trace/strace.ts";
import { compareTraces, stripGuestStderr } from "../debian/qemu_diff.ts";

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
// Relative to the repository, the working directory of both runs (the guest sees only its cwd).
const INPUT = "guests/fixtures/stateless_input.json";

function has(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const QEMU = (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")
  .map((d) => join(d, "qemu-riscv64")).find(has);
if (!QEMU) console.log("rust_stateless_trace_test: qemu-riscv64 is not installed; skipped");

function zkabiStrace(program: string): string {
  const lines: string[] = [];
  let writer: StraceWriter | undefined;
  const r = run({
    program,
    argv0: "stateless",
    args: [INPUT],
    cwd: REPO,
    onKernel: (k) => {
      writer = createStraceWriter(k.tracee, (l) => lines.push(l));
    },
    tracer: (e) => writer?.(e),
  });
  writer!.finish(r.end);
  return lines.join("\n") + "\n";
}

/** qemu in zkabi's conditions: DEFAULT_ENV only, stdin an empty pipe whose writer has exited. */
async function qemuStrace(program: string): Promise<string> {
  const env = Object.entries(DEFAULT_ENV).map(([k, v]) => `${k}=${v}`);
  const out = await new Deno.Command("bash", {
    args: [
      "-c",
      'exec 0< <(:); wait $!; exec "$@"',
      "bash",
      "env",
      "-i",
      ...env,
      QEMU!,
      "-strace",
      "-0",
      "stateless",
      program,
      INPUT,
    ],
    cwd: REPO,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return stripGuestStderr(out.stderr);
}

Deno.test({
  name: "Rust stateless (static): syscalls in the same order as qemu-riscv64 -strace",
  ignore: !QEMU,
  fn: async () => {
    const program = join(REPO, "guests", "bin", "rust", "stateless-static");
    const z = zkabiStrace(program);
    const c = compareTraces(z, await qemuStrace(program), { sameIds: false });
    ok(c.ok, `${c.diff}\n--- zkabi:\n${z.slice(0, 6000)}`);
    ok(c.compared >= 30, `only ${c.compared} calls compared`);
  },
});
