import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import {
  flagUsage,
  integerFlag,
  OUTPUT_FLAGS,
  parseFlags,
  RUN_FLAGS,
  runOptionsOf,
  stringFlags,
  UsageError,
} from "../../lib/front/flags.ts";
import { Repl, ReplError } from "../../lib/repl/repl.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const ALL = [...RUN_FLAGS, ...OUTPUT_FLAGS];

Deno.test("flags: program mode stops at the program; the rest is the guest's", () => {
  const f = parseFlags(["--seed", "3", "--strace", "prog", "--seed", "x", "-v"], ALL, "program");
  deepEqual(f.positionals, ["prog"]);
  deepEqual(f.rest, ["--seed", "x", "-v"]);
  deepEqual(f.values.get("seed"), ["3"]);
  // A bare optional-value flag takes no value: `prog` stays the program.
  deepEqual(f.values.get("strace"), [true]);
  // After `--` comes the program, even one whose name starts with `-`, then its arguments.
  const dashed = parseFlags(["--strace=t.txt", "--", "-prog", "--seed"], ALL, "program");
  deepEqual(dashed.positionals, ["-prog"]);
  deepEqual(dashed.rest, ["--seed"]);
});

Deno.test("flags: positionals mode mixes words and flags; -- starts the guest's words", () => {
  const f = parseFlags(["a", "--env=K=V", "b", "--env", "X=1", "--", "--seed"], ALL, "positionals");
  deepEqual(f.positionals, ["a", "b"]);
  deepEqual(stringFlags(f, "env"), ["K=V", "X=1"]);
  deepEqual(f.rest, ["--seed"]);
});

Deno.test("flags: one-line errors for bad words", () => {
  const err = (args: string[], re: RegExp) =>
    throws(
      () => parseFlags(args, ALL, "program"),
      (e) => e instanceof UsageError && re.test(e.message),
    );
  err(["--bogus", "p"], /^unknown option '--bogus' \(options: --sysroot /);
  err(["--seed"], /^--seed: missing N$/);
  err(["--seed", "1", "--seed", "2", "p"], /^--seed given twice$/);
  err(["-x", "p"], /^unknown option '-x'$/);
  throws(
    () => integerFlag(parseFlags(["--cpus", "0"], ALL, "program"), "cpus", 1),
    /--cpus: expected an integer >= 1, got '0'/,
  );
  equal(integerFlag(parseFlags(["--seed", "0x10"], ALL, "program"), "seed", 0), 16);
});

Deno.test("flags: run options are checked and resolved from the caller's directory", async () => {
  const o = await runOptionsOf(
    parseFlags(
      [
        "--sysroot",
        "guests",
        "--mount",
        "reports:/r:rw",
        "--env",
        "A=1",
        "--sched",
        "handoff",
        "p",
      ],
      ALL,
      "program",
    ),
    ROOT,
  );
  equal(o.sysroot, `${ROOT}/guests`);
  deepEqual(o.mounts, [{ host: `${ROOT}/reports`, guest: "/r", writable: true }]);
  deepEqual(o.env, { A: "1" });
  equal(o.sched, "handoff");
  const bad = (args: string[], re: RegExp) =>
    rejects(
      runOptionsOf(parseFlags(args, ALL, "program"), ROOT),
      (e: Error) => e instanceof UsageError && re.test(e.message),
    );
  await bad(["--sysroot", "no/such/dir", "p"], /^--sysroot: 'no\/such\/dir' does not exist$/);
  await bad(["--sysroot", "README.md", "p"], /^--sysroot: 'README.md' is not a directory$/);
  await bad(
    ["--tier", "basic", "--profile", "x.json", "p"],
    /^--tier and --profile are exclusive$/,
  );
  await bad(["--engine", "fast", "p"], /^--engine: expected jit or interp, got 'fast'$/);
  await bad(["--mount", "reports:r", "p"], /^--mount: expected HOST:GUEST/);
});

Deno.test("flags: the REPL's load and the CLI's run share the parser and its messages", async () => {
  const r = new Repl({
    cwd: ROOT,
    root: ROOT,
    write: () => {},
    guestStdout: () => {},
    guestStderr: () => {},
  });
  await rejects(
    r.execute("load --engine fast guests/bin/c/hello"),
    (e: Error) =>
      e instanceof ReplError && e.message === "--engine: expected jit or interp, got 'fast'",
  );
  await r.execute("load --seed 7 --cpus 2 guests/bin/c/hello a b");
  equal(r.session().spec.seed, 7);
  equal(r.session().spec.cpus, 2);
  deepEqual(r.session().spec.args, ["a", "b"]);
  // Every run flag is in the usage text the front ends print.
  for (const f of RUN_FLAGS) equal(flagUsage(RUN_FLAGS).includes(`--${f.name}`), true);
});

Deno.test("flags: --memory takes a size (k, m, g), from 16m to 2g; --cpus at most 512; no . or .. in a mount point", async () => {
  const opts = (args: string[]) => runOptionsOf(parseFlags([...args, "p"], ALL, "program"), ROOT);
  equal((await opts(["--memory", "64m"])).memory, 64 * 2 ** 20);
  equal((await opts(["--memory=2g"])).memory, 2 ** 31);
  equal((await opts(["--memory", "16777216"])).memory, 2 ** 24);
  equal((await opts(["--memory", "0x1000000"])).memory, 2 ** 24);
  equal((await opts([])).memory, undefined);
  equal((await opts(["--cpus", "512"])).cpus, 512);
  const bad = (args: string[], re: RegExp) =>
    rejects(opts(args), (e) => e instanceof UsageError && re.test(e.message));
  await bad(["--memory", "15m"], /^--memory: expected 16m to 2g, got '15m'$/);
  await bad(["--memory", "2049m"], /^--memory: expected 16m to 2g/);
  await bad(["--memory", "1.5g"], /^--memory: expected an integer/);
  await bad(["--cpus", "513"], /^--cpus: expected an integer from 1 to 512, got '513'$/);
  await bad(
    ["--mount", `${ROOT}:/x/../y`],
    /^--mount: the guest path '\/x\/\.\.\/y' must not contain/,
  );
});
