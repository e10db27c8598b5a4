/**
 * `zkabi run --kernel guest` on the command line (the `--stats` split, bad
 * values), and the one-feature C guests under the in-guest kernel: the same
 * stdout and exit status as under the built-in kernel, except for the few
 * that need what the in-guest kernel deliberately lacks (listed with the
 * reason).
 * @module
 */

import { equal, match, ok } from "node:assert/strict";
import { KERNEL_IN_REPO, runGuestKernel } from "../../lib/guest_kernel/run.ts";
import { run } from "../../lib/run/run.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const KERNEL = `${ROOT}${KERNEL_IN_REPO}`;
const dec = new TextDecoder();

async function zkabi(args: string[]) {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}cli.ts`, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: o.code, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr) };
}

Deno.test("zkabi run --kernel guest: output, status and the --stats program/kernel split", async () => {
  const stats = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const r = await zkabi(["run", "--kernel", "guest", "--stats", stats, "guests/bin/c/hello"]);
    equal(r.code, 0, r.stderr);
    equal(r.stdout, "Hello from freestanding C on riscv64!\n");
    const s = JSON.parse(await Deno.readTextFile(stats));
    ok(s.instretProgram > 0 && s.instretKernel > 0);
    equal(s.instretProgram + s.instretKernel, s.instret);
    const w = s.kernelCost.write;
    ok(w.count >= 1 && w.min <= w.median && w.median <= w.max && w.total >= w.count * w.min);
    equal(typeof s.guestKernel.boot, "number");
    const e = await zkabi(["run", "--kernel", "guest", "guests/bin/c/exit"]);
    equal(e.code, 42);
  } finally {
    await Deno.remove(stats);
  }
});

Deno.test("zkabi run --kernel: a bad value is a usage error (125)", async () => {
  const r = await zkabi(["run", "--kernel", "linux", "guests/bin/c/hello"]);
  equal(r.code, 125);
  match(r.stderr, /--kernel: expected builtin, guest or guest:FILE/);
});

/** C guests the in-guest kernel does not run like the built-in one, and why. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  read_echo: "reads stdin: the in-guest kernel gives the program an empty stdin",
  readv: "reads stdin: the in-guest kernel gives the program an empty stdin",
  pread: "creates a file: the in-guest kernel's files are read-only input blobs",
  getcwd: "changes into a directory the run does not provide as input",
};

interface CGuest {
  name: string;
  args: string[];
  files: Record<string, string>;
}

const programs = (JSON.parse(Deno.readTextFileSync(`${ROOT}guests/c/expect.json`)) as {
  programs: CGuest[];
}).programs;

for (const p of programs) {
  Deno.test({
    name: `guest kernel: C guest ${p.name} as under the built-in kernel`,
    ignore: p.name in UNSUPPORTED,
    fn: () => {
      const dir = Deno.makeTempDirSync();
      try {
        for (const [f, text] of Object.entries(p.files)) {
          const path = `${dir}/${f}`;
          Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
          Deno.writeTextFileSync(path, text);
        }
        const opts = {
          program: `${ROOT}guests/bin/c/${p.name}`,
          args: p.args,
          cwd: dir,
          maxInsns: 20_000_000,
        };
        const a = run(opts);
        const b = runGuestKernel({ ...opts, kernelFile: KERNEL });
        equal(b.status, a.status, `${b.message ?? ""} ${dec.decode(b.stderr)}`);
        equal(dec.decode(b.stdout), dec.decode(a.stdout));
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    },
  });
}

Deno.test("zkabi run --kernel guest refuses options only the built-in kernel has", async () => {
  const r = await zkabi(["run", "--kernel", "guest", "--strace", "guests/bin/c/hello"]);
  equal(r.code, 125);
  match(r.stderr, /--kernel guest: --strace/);
});
