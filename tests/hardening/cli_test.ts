/**
 * Hardening of the command line: every failure is one line with a
 * documented exit status, output files are checked before the guest runs,
 * a broken or full host stdout behaves as on Linux (SIGPIPE, 141; ENOSPC to
 * the guest), SIGINT and SIGTERM flush every trace and write the statistics
 * (130, 143), and fault addresses print as unsigned hex.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { scratchDir } from "../support/scratch.ts";
import { bash, HOSTILE, REPO, zkabi, ZKABI_SH } from "./support.ts";

/** Asserts a one-line zkabi error with `code` matching `re`, and that the guest printed nothing. */
function oneLine(r: { code: number; stdout: string; stderr: string }, code: number, re: RegExp) {
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr, re);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  assert.equal(r.stdout, "", "the guest did not run");
}

Deno.test("cli (issue): bad invocations are one line and 125/126, before the guest runs", async () => {
  const dir = scratchDir("zkabi-cli-");
  try {
    const file = join(dir, "file");
    Deno.writeTextFileSync(file, "x");
    Deno.writeTextFileSync(join(dir, "keep.json"), "keep me\n");
    const guest = [HOSTILE, "stdout", "1"];
    const cases: [string[], number, RegExp][] = [
      [
        ["--sysroot", join(dir, "none"), ...guest],
        125,
        /^zkabi: --sysroot: '.*none' does not exist\n$/,
      ],
      [["--sysroot", file, ...guest], 125, /^zkabi: --sysroot: '.*file' is not a directory\n$/],
      [["--mount", `${dir}:/a/../b`, ...guest], 125, /must not contain \. or \.\./],
      [["--mount", `${dir}:/a/./b`, ...guest], 125, /must not contain \. or \.\./],
      [
        ["--cpus", "4294967296", ...guest],
        125,
        /^zkabi: --cpus: expected an integer from 1 to 512/,
      ],
      [["--memory", "3g", ...guest], 125, /^zkabi: --memory: expected 16m to 2g, got '3g'\n$/],
      [["--memory", "lots", ...guest], 125, /^zkabi: --memory: expected an integer/],
      [["/dev/zero"], 126, /^zkabi: \/dev\/zero: not a regular file\n$/],
      [
        ["--stats", join(dir, "no", "s.json"), ...guest],
        125,
        /^zkabi: --stats: cannot write '.*': No such file or directory\n$/,
      ],
      [
        ["--trace-json", dir, ...guest],
        125,
        /^zkabi: --trace-json: cannot write '.*': Is a directory\n$/,
      ],
      [[`--strace=${join(dir, "no", "t")}`, ...guest], 125, /^zkabi: --strace: cannot write/],
      // A program that is missing leaves an existing output alone and creates none.
      [
        [
          "--stats",
          join(dir, "keep.json"),
          "--trace-json",
          join(dir, "new.json"),
          join(dir, "nope"),
        ],
        127,
        /no such file/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => zkabi(["run", ...args])));
    runs.forEach((r, i) => oneLine(r, cases[i][1], cases[i][2]));
    assert.equal(Deno.readTextFileSync(join(dir, "keep.json")), "keep me\n");
    assert.throws(() => Deno.statSync(join(dir, "new.json")));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cli (issue): host stdout closed early: SIGPIPE to the guest (141), or EPIPE when it ignores it", async () => {
  const [die, ignore] = await Promise.all([
    bash(
      `${ZKABI_SH} run '${HOSTILE}' stdout 100000 | head -1; echo "status \${PIPESTATUS[0]}" >&2`,
    ),
    bash(
      `${ZKABI_SH} run '${HOSTILE}' ignore-sigpipe | head -1; echo "status \${PIPESTATUS[0]}" >&2`,
    ),
  ]);
  assert.equal(die.stdout, "line 1\n");
  assert.match(die.stderr, /^zkabi: killed by signal 13: SIGPIPE .*\nstatus 141\n$/);
  assert.equal(ignore.stdout, "x\n");
  assert.equal(ignore.stderr, "write: EPIPE\nstatus 4\n");
});

Deno.test("cli (issue): host stdout full: the guest's write gets ENOSPC", async () => {
  const r = await bash(`${ZKABI_SH} run '${HOSTILE}' stdout 3 > /dev/full`);
  assert.equal(r.code, 3);
  assert.equal(r.stderr, "write 1: ENOSPC\n");
});

Deno.test("cli (issue): fault addresses are unsigned 64-bit hex", async () => {
  const r = await zkabi(["run", HOSTILE, "fault"]);
  assert.equal(r.code, 139);
  assert.match(
    r.stderr,
    /^zkabi: killed by signal 11: read fault at address 0xfffffffffffffff0 at pc 0x[0-9a-f]+, thread 1000, instret \d+\n$/,
  );
});

/** Waits until `path` holds at least `bytes` bytes (the run is under way). */
async function grown(path: string, bytes: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if (Deno.statSync(path).size >= bytes) return;
    } catch {
      // Not yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} never reached ${bytes} bytes`);
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`cli (issue): ${signal} flushes every trace, writes the statistics and exits ${code}`, async () => {
    const dir = scratchDir("zkabi-sig-");
    try {
      const json = join(dir, "t.json");
      const strace = join(dir, "t.txt");
      const stats = join(dir, "s.json");
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(REPO, "cli.ts"),
          "run",
          "--trace-json",
          json,
          `--strace=${strace}`,
          "--stats",
          stats,
          HOSTILE,
          "spin",
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // A first batch of 512 lines is out: the run is under way.
      await grown(json, 1);
      child.kill(signal);
      const o = await child.output();
      assert.equal(o.code, code);
      assert.match(new TextDecoder().decode(o.stderr), new RegExp(`zkabi received ${signal}\\n$`));
      const s = JSON.parse(Deno.readTextFileSync(stats));
      assert.equal(s.end, "signal");
      assert.equal(s.exitStatus, code);
      const calls = Object.values(s.syscalls as Record<string, number>).reduce((a, b) => a + b);
      const events = Deno.readTextFileSync(json).trimEnd().split("\n");
      assert.equal(events.length, calls, "every syscall event was flushed");
      assert.equal(JSON.parse(events.at(-1)!).name, "getppid");
      const lines = Deno.readTextFileSync(strace).trimEnd().split("\n");
      assert.equal(lines.length, calls + 1);
      assert.equal(lines.at(-1), `+++ killed by ${signal} +++`);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}
