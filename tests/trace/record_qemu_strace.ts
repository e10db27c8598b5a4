/**
 * Records `qemu-riscv64 -strace` logs of the C guests into
 * `tests/trace/data/<name>.qemu_strace.log`, the test data of the qemu-strace
 * parser and the comparison. Each guest runs as `tests/guests_c_test.ts` runs
 * it (fresh directory holding its input files, its args and stdin, an empty
 * environment); the log is qemu's stderr, unedited. (`-D file` is not used:
 * qemu would open the log file as fd 3 and shift every fd the guest opens.)
 * The guests write nothing to stderr when their checks pass, so the log holds
 * only qemu's lines. Logs are cut after {@linkcode MAX_LINES} lines: only the
 * multi-threaded `pthreads` is longer (thousands of futex calls), and its head
 * already shows what the parser must survive (qemu interleaving the lines of
 * concurrent threads).
 *
 * Run: `deno run -A tests/trace/record_qemu_strace.ts [name...]`.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The fields of a `guests/c/expect.json` entry the recorder needs. */
interface Guest {
  name: string;
  args: string[];
  stdin: string;
  files: Record<string, string>;
  native: "run" | "hangs";
}

/** Lines kept per log. */
const MAX_LINES = 200;

const HERE: string = dirname(fileURLToPath(import.meta.url));
const REPO: string = dirname(dirname(HERE));
const GUESTS: Guest[] = (JSON.parse(
  Deno.readTextFileSync(join(REPO, "guests", "c", "expect.json")),
) as { programs: Guest[] }).programs;

/** Runs `g` under `qemu-riscv64 -strace` and returns the log text. */
async function record(g: Guest): Promise<string> {
  const cwd = await Deno.makeTempDir({ prefix: `zkabi-strace-${g.name}-` });
  try {
    for (const [rel, content] of Object.entries(g.files)) {
      await Deno.mkdir(dirname(join(cwd, rel)), { recursive: true });
      await Deno.writeTextFile(join(cwd, rel), content);
    }
    const child = new Deno.Command("qemu-riscv64", {
      args: ["-strace", join(REPO, "guests", "bin", "c", g.name), ...g.args],
      cwd,
      clearEnv: true,
      env: {},
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(g.stdin));
    await w.close();
    const out = await child.output();
    return new TextDecoder().decode(out.stderr);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

if (import.meta.main) {
  const only = new Set(Deno.args);
  for (const g of GUESTS) {
    if (g.native !== "run" || (only.size > 0 && !only.has(g.name))) continue;
    const lines = (await record(g)).split("\n");
    const text = lines.length > MAX_LINES + 1
      ? lines.slice(0, MAX_LINES).join("\n") + "\n"
      : lines.join("\n");
    await Deno.writeTextFile(join(HERE, "data", `${g.name}.qemu_strace.log`), text);
    console.log(`${g.name}: ${text.split("\n").length - 1} lines`);
  }
}
