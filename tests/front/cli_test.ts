import { deepEqual, equal, match, ok } from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

function zkabi(args: string[], opts: { stdin?: string; cwd?: string } = {}) {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}cli.ts`, ...args],
    cwd: opts.cwd ?? ROOT,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    w.write(new TextEncoder().encode(opts.stdin)).then(() => w.close());
  }
  return child.output().then((o) => ({
    code: o.code,
    stdout: new TextDecoder().decode(o.stdout),
    stderr: new TextDecoder().decode(o.stderr),
  }));
}

/** Runs `cmd` through sh with its stdin redirected from `from` (so zkabi's own fd 0 is that file). */
function shWithStdin(cmd: string, from: string): Deno.CommandOutput {
  return new Deno.Command("sh", { args: ["-c", `${cmd} < '${from}'`], cwd: ROOT, stdout: "piped" })
    .outputSync();
}

/** The stdin_seek guest's stdout under zkabi with stdin from `from`, checked against qemu-riscv64's when qemu is there. */
function stdinSeekLikeQemu(from: string): string {
  const r = shWithStdin(`'${Deno.execPath()}' run -A cli.ts run guests/bin/c/stdin_seek`, from);
  equal(r.code, 0);
  const out = new TextDecoder().decode(r.stdout);
  try {
    equal(
      out,
      new TextDecoder().decode(shWithStdin("qemu-riscv64 guests/bin/c/stdin_seek", from).stdout),
    );
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

Deno.test("zkabi run passes the guest's stdout and exit status through", async () => {
  const r = await zkabi(["run", "guests/bin/c/hello"]);
  equal(r.code, 0);
  equal(r.stdout, "Hello from freestanding C on riscv64!\n");
  const e = await zkabi(["run", "guests/bin/c/exit"]);
  equal(e.code, 42);
});

Deno.test("stdin reaches the guest", async () => {
  const r = await zkabi(["run", "guests/bin/c/read_echo"], { stdin: "abc\n" });
  equal(r.code, 0);
  equal(r.stdout, "abc\nread 4 bytes\n");
});

Deno.test("zkabi run PROG < FILE: fd 0 is that regular file (fstat, lseek, pread), as under qemu-user", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const input = `${dir}/input.txt`;
    Deno.writeTextFileSync(input, "abcdefghijklmnop\n");
    equal(
      stdinSeekLikeQemu(input),
      "regular=1 fifo=0 size=17\nread: abcde\nlseek(0, SEEK_CUR) = 5\n" +
        "lseek(-4, SEEK_END) = 13, then read: nop\n\npread(4 at 6): ghij\n",
    );
    // A pipe stays a pipe.
    const p = await zkabi(["run", "guests/bin/c/stdin_seek"], { stdin: "abcdefghijklmnop\n" });
    match(p.stdout, /^regular=0 fifo=1 size=0\n.*lseek\(0, SEEK_CUR\) = -1 ESPIPE/s);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("zkabi run PROG < /dev/null: fd 0 is the null device, not a pipe, as under qemu-user", () => {
  // glow read an empty "pipe" instead of its file argument: Go programs read stdin when it is one.
  equal(
    stdinSeekLikeQemu("/dev/null"),
    "regular=0 fifo=0 size=0\nread: \nlseek(0, SEEK_CUR) = 0\n" +
      "lseek(-4, SEEK_END) = 0, then read: \npread(4 at 6): \n",
  );
});

Deno.test("zkabi run PROG > /dev/null: fd 1 is the null device, not a pipe, as on Linux", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const trace = `${dir}/trace.txt`;
    // statx follows /proc/self/fd/1 to what fd 1 is; the guest fails its later checks (exit 5).
    const run = (redirect: string) => {
      new Deno.Command("sh", {
        args: [
          "-c",
          `'${Deno.execPath()}' run -A cli.ts run --strace='${trace}' guests/bin/c/statx ` +
          `/proc/self/fd/1 ${redirect} 2>/dev/null`,
        ],
        cwd: ROOT,
      }).outputSync();
      return Deno.readTextFileSync(trace).split("\n")[0];
    };
    match(run("> /dev/null"), /stx_mode=S_IFCHR\|0666, stx_rdev=makedev\(0x1, 0x3\)/);
    match(run("| cat"), /stx_mode=S_IFIFO\|0600/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("death by signal N exits with 128+N and says why in one line", async () => {
  const r = await zkabi(["run", "guests/bin/c/sigsegv"]);
  equal(r.code, 128 + 11);
  match(r.stderr, /^zkabi: killed by signal 11: write fault at address 0x0 at pc 0x[0-9a-f]+/m);
});

Deno.test("zkabi's own errors use 125, 126 and 127 with one-line messages", async () => {
  const cases: [string[], number, RegExp][] = [
    [["run", "no/such/file"], 127, /^zkabi: no\/such\/file: no such file\n$/],
    [["run", "README.md"], 126, /^zkabi: README\.md: not an ELF file/],
    [["run", "guests"], 126, /^zkabi: guests: is a directory\n$/],
    [["run", "--seed", "abc", "guests/bin/c/hello"], 125, /^zkabi: --seed: expected an integer/],
    [
      ["run", "--tier", "nope", "guests/bin/c/hello"],
      125,
      /^zkabi: --tier: expected one of basic, advanced, full, got 'nope'\n$/,
    ],
    [["run", "--bogus", "guests/bin/c/hello"], 125, /^zkabi: unknown option '--bogus' \(options: /],
    [["run"], 125, /^zkabi: run: missing the ELF program/],
    [["frobnicate"], 125, /^zkabi: unknown command 'frobnicate'/],
    [
      ["run", "--mount", "nodir:/x", "guests/bin/c/hello"],
      125,
      /^zkabi: --mount: 'nodir' does not exist/,
    ],
    [["run", "--tier", "basic", "--profile", "x.json", "guests/bin/c/hello"], 125, /exclusive/],
  ];
  for (const [args, code, re] of cases) {
    const r = await zkabi(args);
    equal(r.code, code, args.join(" "));
    match(r.stderr, re, args.join(" "));
    equal(r.stderr.trim().split("\n").length, 1, `one line for ${args.join(" ")}: ${r.stderr}`);
  }
});

Deno.test("a bad profile file names the file and the key", async () => {
  const dir = await Deno.makeTempDir();
  const f = `${dir}/p.json`;
  await Deno.writeTextFile(f, JSON.stringify({ name: "x", syscalls: { read: "maybe" } }));
  const r = await zkabi(["run", "--profile", f, "guests/bin/c/hello"]);
  equal(r.code, 125);
  match(r.stderr, new RegExp(`^zkabi: ${f}: key 'syscalls\\.read'`));
  await Deno.writeTextFile(f, "{ not json");
  const r2 = await zkabi(["run", "--profile", f, "guests/bin/c/hello"]);
  match(r2.stderr, /not valid JSON/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--tier basic stops a program at its first non-Basic syscall", async () => {
  const r = await zkabi(["run", "--tier", "basic", "guests/bin/c/ids"]);
  equal(r.code, 125);
  match(r.stderr, /syscall getpid \(172\) not in profile 'basic': thread 1000, pc 0x/);
});

Deno.test("arguments after the program belong to the guest, even when they look like options", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/--strace`, "x\n");
  const r = await zkabi(["run", `${ROOT}guests/bin/c/openat`, "--strace"], { cwd: dir });
  // openat opens argv[1] ("--strace") as a file: it exists in the cwd.
  equal(r.code, 0, r.stderr);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--strace, --trace-json and --stats write their files", async () => {
  const dir = await Deno.makeTempDir();
  const r = await zkabi([
    "run",
    `--strace=${dir}/t.txt`,
    "--trace-json",
    `${dir}/t.jsonl`,
    "--stats",
    `${dir}/s.json`,
    "guests/bin/c/hello",
  ]);
  equal(r.code, 0);
  const strace = await Deno.readTextFile(`${dir}/t.txt`);
  match(strace, /^write\(1, "Hello from freestanding C on ris"\.\.\., 38\) += 38$/m);
  match(strace, /\+\+\+ exited with 0 \+\+\+\n$/);
  const events = (await Deno.readTextFile(`${dir}/t.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  ok(events.length >= 3);
  equal(events[0].name, "write");
  equal(events[0].result, 38);
  const stats = JSON.parse(await Deno.readTextFile(`${dir}/s.json`));
  equal(stats.exitStatus, 0);
  deepEqual(Object.keys(stats.syscalls).sort(), ["exit_group", "write"]);
  ok(stats.instret > 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--env adds to the guest's small deterministic environment", async () => {
  const r = await zkabi(["run", "--env", "ZK=1", "--env", "bad", "guests/bin/c/hello"]);
  equal(r.code, 125);
  match(r.stderr, /--env: expected K=V, got 'bad'/);
});

Deno.test("zkabi run -- PROGRAM ARGS: after --, the program, then the guest's own words", async () => {
  const dashed = await zkabi(["run", "--seed", "1", "--", "guests/bin/c/hello", "--seed", "x"]);
  equal(dashed.code, 0, dashed.stderr);
  equal(dashed.stdout, "Hello from freestanding C on riscv64!\n");
  const plain = await zkabi(["run", "guests/bin/c/hello", "--strace"]);
  equal(plain.code, 0, plain.stderr);
  // `--strace` after the program is the guest's argument, not zkabi's option.
  equal(plain.stderr, "");
});
