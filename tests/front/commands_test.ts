import { deepEqual, equal, ok } from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

async function zkabi(args: string[]) {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}cli.ts`, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: o.code,
    stdout: new TextDecoder().decode(o.stdout),
    stderr: new TextDecoder().decode(o.stderr),
  };
}

Deno.test("import-strace: a committed qemu log as JSON", async () => {
  const r = await zkabi([
    "import-strace",
    "tests/analysis/data/rust_static.qemu.log",
    "--format",
    "json",
  ]);
  equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  equal(j.format, "qemu");
  deepEqual(j.malformed, []);
  // The log has 6 write lines, all to fd 1.
  equal(j.profile.syscalls.write.count, 6);
  equal(j.profile.phases.exit, 1);
});

Deno.test("compare: two logs side by side, markdown", async () => {
  const r = await zkabi([
    "compare",
    "tests/analysis/data/rust_static.qemu.log",
    "tests/analysis/data/rust_dynamic.qemu.log",
  ]);
  equal(r.code, 0, r.stderr);
  const [a, b] = ["rust_static", "rust_dynamic"].map((n) => `tests/analysis/data/${n}.qemu.log`);
  ok(r.stdout.startsWith(`syscalls: ${a} vs ${b}\n`), r.stdout);
  // The comparison document as markdown: one row per syscall, deltas against the first.
  ok(r.stdout.includes(`| syscall | category | ${a} | ${b} | Δ ${b} |`), r.stdout);
  ok(/\| openat \| file \| 2 \| \d+ \| \+\d+ \|/.test(r.stdout), r.stdout);
});

Deno.test("analyze and tiers on a small guest", async () => {
  const a = await zkabi(["analyze", "guests/bin/c/hello", "--format", "json"]);
  equal(a.code, 0, a.stderr);
  const j = JSON.parse(a.stdout);
  equal(j[0].status, 0);
  deepEqual(Object.keys(j[0].syscalls.syscalls), ["exit_group", "write"]);
  const b = await zkabi(["analyze", "--tier", "basic", "guests/bin/c/pthreads"]);
  equal(b.code, 0, b.stderr);
  ok(/stopped at set_tid_address/.test(b.stdout), b.stdout);
  const t = await zkabi(["tiers", "guests/bin/c/hello", "--format", "json"]);
  equal(t.code, 0, t.stderr);
  equal(JSON.parse(t.stdout).smallest, "basic");
});

Deno.test("bad input: one line on stderr, exit status 125", async () => {
  for (
    const args of [
      ["import-strace", "no/such/file.log"],
      ["import-strace", "tests/analysis/data/rust_static.qemu.log", "--format", "xml"],
      ["import-strace", "tests/analysis/data/rust_static.qemu.log", "--as", "ltrace"],
      ["analyze", "tests/analysis/data/rust_static.qemu.log"],
      ["analyze"],
      ["analyze", "guests/bin/c/hello", "--tier", "gold"],
      ["analyze", "guests/bin/c/hello", "--bogus"],
      ["compare", "tests/analysis/data/rust_static.qemu.log"],
      ["compare", "a", "b", "--phase", "lunch"],
      ["tiers", "guests/bin/c/hello", "--profile", "no/such/profile.json"],
      ["analyze-bundled", "--workers", "x"],
    ]
  ) {
    const r = await zkabi(args);
    equal(r.code, 125, `${args.join(" ")}: ${r.stderr}`);
    equal(r.stderr.trim().split("\n").length, 1, `${args.join(" ")}: ${r.stderr}`);
    ok(r.stderr.startsWith("zkabi"), r.stderr);
  }
});

Deno.test("the analysis commands are listed in the usage text", async () => {
  const r = await zkabi(["help"]);
  for (const c of ["analyze", "compare", "tiers", "import-strace", "analyze-bundled"]) {
    ok(r.stdout.includes(`  ${c} `), c);
  }
});
