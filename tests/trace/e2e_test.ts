/**
 * End to end: C guests run through `run()` with the strace writer, and the
 * trace is compared with `qemu-riscv64 -strace` of the same program run now
 * in the same conditions (fresh directory with the guest's input files, its
 * args and stdin, empty environment). Skipped when qemu-riscv64 is absent.
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../lib/run/run.ts";
import { compareWithQemu } from "../../lib/trace/compare.ts";
import { createStraceWriter, type StraceWriter } from "../../lib/trace/strace.ts";
import { parseStraceText } from "../../lib/trace/strace_parse.ts";
import { exists } from "./support.ts";
import { scratchDirAsync } from "../support/scratch.ts";

/** The fields of a `guests/c/expect.json` entry used here. */
interface Guest {
  name: string;
  args: string[];
  stdin: string;
  files: Record<string, string>;
}

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const GUESTS: Guest[] = (JSON.parse(
  Deno.readTextFileSync(join(REPO, "guests", "c", "expect.json")),
) as { programs: Guest[] }).programs;
const QEMU = (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")
  .map((d) => join(d, "qemu-riscv64")).find(exists);
if (!QEMU) console.log("e2e_test: qemu-riscv64 is not installed; skipping the trace comparisons");

/**
 * Every single-threaded C guest that runs natively is compared, except where
 * qemu answers from the host instead of emulating Linux as configured: `ids`
 * and `uname` (qemu reports the host's uid and kernel), and `loop` (no
 * syscalls to speak of, 360 M instructions).
 */
const COMPARED = GUESTS.filter((g) =>
  (g as Guest & { native: string }).native === "run" &&
  !["ids", "uname", "loop", "pthreads"].includes(g.name)
).map((g) => g.name);

async function guestDir(g: Guest): Promise<string> {
  const dir = await scratchDirAsync(`zkabi-trace-${g.name}-`);
  for (const [rel, content] of Object.entries(g.files)) {
    await Deno.mkdir(dirname(join(dir, rel)), { recursive: true });
    await Deno.writeTextFile(join(dir, rel), content);
  }
  return dir;
}

async function qemuStrace(g: Guest, dir: string): Promise<string> {
  const child = new Deno.Command(QEMU!, {
    args: ["-strace", join(REPO, "guests", "bin", "c", g.name), ...g.args],
    cwd: dir,
    clearEnv: true,
    env: {},
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(g.stdin));
  await w.close();
  return new TextDecoder().decode((await child.output()).stderr);
}

function zkabiStrace(g: Guest, dir: string): { text: string; status: number } {
  const lines: string[] = [];
  let writer: StraceWriter | undefined;
  const r = run({
    program: join(REPO, "guests", "bin", "c", g.name),
    args: g.args,
    cwd: dir,
    stdin: new TextEncoder().encode(g.stdin),
    tracer: (e) => writer?.(e),
    onKernel: (k) => {
      writer = createStraceWriter(k.tracee, (l) => lines.push(l));
    },
  });
  writer!.finish(r.end);
  return { text: lines.join("\n") + "\n", status: r.status };
}

for (const name of COMPARED) {
  Deno.test({
    name: `e2e trace: ${name} under zkabi matches qemu-riscv64 -strace`,
    ignore: !QEMU,
    fn: async () => {
      const g = GUESTS.find((x) => x.name === name)!;
      // Both run in the same fresh directory (paths in the traces must agree).
      const dir = await guestDir(g);
      let z: { text: string; status: number };
      let q: string;
      try {
        z = zkabiStrace(g, dir);
        q = await qemuStrace(g, dir);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
      const c = compareWithQemu(z.text, q);
      assert.ok(c.ok, `${c.diff}\n--- zkabi:\n${z.text}--- qemu:\n${q}`);
      assert.ok(c.compared >= 2, c.diff);
      // The trace is valid strace text ending with the exit line.
      const recs = parseStraceText(z.text);
      const last = recs.at(-1)!;
      assert.equal(last.kind, "exit");
      assert.match(
        last.name,
        z.status >= 128 ? /^killed by SIG/ : new RegExp(`^exited with ${z.status}$`),
      );
    },
  });
}
