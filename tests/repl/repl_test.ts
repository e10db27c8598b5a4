/**
 * The REPL end to end: a script file and piped commands through `repl.ts`
 * in a subprocess, the interactive line editor in a real terminal (tmux:
 * typed keys, tab completion, history, errors that do not end the
 * session), symbol breakpoints on an unstripped program built here, and
 * the engine's completion and help.
 *
 * Expected values come from the guests' sources and Linux semantics
 * (`guests/c/freestanding/hello.c` writes its 38-byte message to fd 1, a
 * zero-length write returns 0, fd -1 gives -EBADF) and from objdump's
 * listing of `guests/bin/c/hello` (0x11014 `ecall`, 0x11018 `li a5,38`).
 */

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { COMMANDS } from "../../lib/repl/commands.ts";
import { Repl } from "../../lib/repl/repl.ts";
import { run } from "../../mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const HELLO_MSG = "Hello from freestanding C on riscv64!\n";

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

async function repl(
  args: string[],
  stdin?: string,
  env: Record<string, string> = {},
): Promise<Output> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}/repl.ts`, ...args],
    cwd: ROOT,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env,
  });
  const p = cmd.spawn();
  if (stdin !== undefined) {
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await p.output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

const SCRIPT = `# the hello guest, stopped at its first write
load guests/bin/c/hello
break syscall write
continue
regs a0 a1 a2
x/s $a1
disas $pc 2
step
regs a0
continue
step
regs a0
continue
step
regs a0
trace
threads
stats
.k.threads.length
js hart.getX(17)
continue
`;

Deno.test("repl: a script file drives the hello guest through breakpoints and steps", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "zkabi-repl-" });
  try {
    Deno.writeTextFileSync(`${dir}/hello.zk`, SCRIPT);
    const r = await repl([`${dir}/hello.zk`]);
    equal(r.stderr, "");
    equal(r.code, 0);
    const out = r.stdout;
    match(out, /loaded 'hello': guests\/bin\/c\/hello \(pid 1000, profile full\)/);
    // First write: write(1, msg, 38) at the ecall objdump lists at 0x11014.
    match(out, /syscall breakpoint 1: thread 1000 calls write\(0x1, 0x12078, 0x26, /);
    match(out, /a0 +0x0000000000000001 +1\n/);
    match(out, /a2 +0x0000000000000026 +38\n/);
    ok(out.includes(`0x12078:\t"Hello from freestanding C on riscv64!\\n"`), out);
    match(out, /=> 0x11014:\t00000073\tecall\n {3}0x11018:\t02600793\tli\ta5,38\n/);
    // The message reaches stdout exactly once, when the first write executes.
    equal(out.split(HELLO_MSG).length - 1, 1);
    // write returns the bytes written (38), then 0 for the empty write, then -EBADF (-9).
    const a0 = [...out.matchAll(/^a0 +(0x[0-9a-f]{16}) +(-?\d+)$/gm)].map((m) => m[2]);
    deepEqual(a0, ["1", "38", "0", "-9"]);
    match(out, /write\(1, "Hello from freestanding C on ris"\.\.\., 38\) += 38\n/);
    match(out, /write\(-1, "H", 1\) += -1 EBADF \(Bad file descriptor\)/);
    match(out, /\* +1000 +runnable/);
    match(out, /^1$/m); // one thread
    match(out, /^64n$/m); // a7 = 64 (write) at the stop
    match(out, /process 1000 exited with status 0; 39 instructions/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("repl: a failing script line exits 1 with file:line: error", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "zkabi-repl-" });
  try {
    Deno.writeTextFileSync(
      `${dir}/bad.zk`,
      "load guests/bin/c/hello\n# comment\n\nx/4x 0x10\necho never\n",
    );
    const r = await repl([`${dir}/bad.zk`]);
    equal(r.code, 1);
    equal(r.stderr, `${dir}/bad.zk:4: error: cannot access memory at 0x10\n`);
    ok(!r.stdout.includes("never"));
    Deno.writeTextFileSync(`${dir}/bad2.zk`, "load guests/bin/c/hello\nbreak nosuchsymbol\n");
    const r2 = await repl([`${dir}/bad2.zk`]);
    equal(r2.code, 1);
    equal(r2.stderr, `${dir}/bad2.zk:2: error: no symbol 'nosuchsymbol'\n`);
    const r3 = await repl([`${dir}/missing.zk`]);
    equal(r3.code, 2);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("repl: commands piped to stdin run as a script", async () => {
  const r = await repl([], "load guests/bin/c/hello\ncontinue\nstats\n");
  equal(r.code, 0);
  ok(r.stdout.includes(HELLO_MSG));
  match(r.stdout, /session hello: ended \(exit\), status 0/);
  match(r.stdout, /write +3\n/);
  const bad = await repl([], "load guests/bin/c/hello\nfrobnicate\n");
  equal(bad.code, 1);
  equal(bad.stderr, "<stdin>:2: error: unknown command 'frobnicate' (try: help)\n");
});

Deno.test("repl: stops do not change the run of a single-threaded guest", async () => {
  // The Rust guest with breakpoints on every write and brk and steps in between ends
  // exactly as an uninterrupted run: same instructions, trace and output.
  const g = { program: `${ROOT}/guests/bin/rust/stateless-static`, args: ["stateless_input.json"] };
  const cwd = `${ROOT}/guests/fixtures`;
  const ref = run({ ...g, cwd, collectEvents: true });
  const lines = [
    `load --cwd ${cwd} ${g.program} ${g.args.join(" ")}`,
    "break syscall write",
    "break syscall brk",
    "step 1000",
    "continue",
    "step 7",
    "continue",
    "continue",
    "step 1",
    "delete",
    "continue",
    "trace all",
    "stats",
  ];
  const r = await repl([], lines.join("\n"));
  equal(r.code, 0, r.stderr);
  match(r.stdout, new RegExp(`exited with status 0; ${ref.stats.instret} instructions`));
  ok(r.stdout.includes(new TextDecoder().decode(ref.stdout)));
  match(
    r.stdout,
    new RegExp(`syscalls +${ref.events.filter((e) => e.kind === "syscall").length}\n`),
  );
});

function haveTool(name: string, flag = "--version"): boolean {
  try {
    return new Deno.Command(name, { args: [flag], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

const HAVE_GCC = haveTool("riscv64-linux-gnu-gcc");

Deno.test({
  name: "repl: symbol breakpoints on an unstripped static program (break main, argc in a0)",
  ignore: !HAVE_GCC,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "zkabi-repl-" });
    try {
      Deno.writeTextFileSync(
        `${dir}/prog.c`,
        `#include <stdio.h>
__attribute__((noinline)) int twice(int x) { return 2 * x; }
int main(int argc, char **argv) { printf("%d %s\\n", twice(argc), argv[1]); return argc; }
`,
      );
      const cc = new Deno.Command("riscv64-linux-gnu-gcc", {
        args: ["-O1", "-static", "-o", `${dir}/prog`, `${dir}/prog.c`],
        stderr: "piped",
      }).outputSync();
      ok(cc.success, new TextDecoder().decode(cc.stderr));
      const script = [
        `load ${dir}/prog alpha beta`,
        "break main",
        "break twice",
        "continue",
        "regs a0",
        "x/s *(argv)",
        "continue",
        "regs a0",
        "disas twice",
        "breakpoints",
        "finish",
      ].join("\n").replace("x/s *(argv)", "x/2gx $a1");
      const r = await repl([], script);
      equal(r.code, 0, r.stderr);
      match(r.stdout, /breakpoint 1 at 0x[0-9a-f]+ <main\+0x0>/);
      match(
        r.stdout,
        /breakpoint 1, thread 1000 at 0x[0-9a-f]+ <main\+0x0>\n=> 0x[0-9a-f]+ <main\+0>:/,
      );
      // argc = 3 (program, alpha, beta) in a0 at main, then twice(3) gets 3 too.
      const a0 = [...r.stdout.matchAll(/^a0 +0x[0-9a-f]{16} +(\d+)$/gm)].map((m) => m[1]);
      deepEqual(a0, ["3", "3"]);
      match(r.stdout, /breakpoint 2, thread 1000 at 0x[0-9a-f]+ <twice\+0x0>/);
      match(r.stdout, /<twice\+0>:\t[0-9a-f]+ *\t/);
      match(r.stdout, /6 alpha\n/);
      match(r.stdout, /exited with status 3;/);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("repl: completion of commands, paths, syscalls and registers; help for every command", async () => {
  const out: string[] = [];
  const r = new Repl({
    write: (t) => out.push(t),
    cwd: ROOT,
    guestStdout: () => {},
    guestStderr: () => {},
  });
  deepEqual(r.complete("brea")[0], ["break", "breakpoints"]);
  deepEqual(r.complete("load guests/bin/c/hel"), [["guests/bin/c/hello"], "guests/bin/c/hel"]);
  deepEqual(r.complete("load guests/bin/ru"), [["guests/bin/rust/"], "guests/bin/ru"]);
  deepEqual(r.complete("load --tier a")[0], ["advanced"]);
  const clock = r.complete("break syscall clock_get")[0];
  ok(clock.includes("clock_getres") && clock.includes("clock_gettime"), clock.join(" "));
  ok(clock.every((n) => n.startsWith("clock_get")));
  deepEqual(r.complete("x/4x $a")[0], ["$a0", "$a1", "$a2", "$a3", "$a4", "$a5", "$a6", "$a7"]);
  deepEqual(r.complete("help dis")[0], ["disable", "disas"]);
  for (const c of COMMANDS) {
    out.length = 0;
    await r.execute(`help ${c.name}`);
    ok(out.join("").startsWith(`usage: ${c.usage}`), c.name);
  }
  out.length = 0;
  await r.execute("help");
  for (const c of COMMANDS) ok(out.join("").includes(c.usage), c.name);
});

// ------------------------------------------------------------------ terminal

const HAVE_TMUX = haveTool("tmux", "-V");

function tmux(...args: string[]): string {
  const o = new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" }).outputSync();
  return new TextDecoder().decode(o.stdout);
}

/** Waits until the screen matches `re`; returns the screen. */
async function screenUntil(session: string, re: RegExp, ms = 20000): Promise<string> {
  const end = Date.now() + ms;
  let screen = "";
  while (Date.now() < end) {
    screen = tmux("capture-pane", "-t", session, "-p", "-S", "-200");
    if (re.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`screen never matched ${re}:\n${screen}`);
}

async function keys(session: string, ...k: string[]): Promise<void> {
  tmux("send-keys", "-t", session, ...k);
  await new Promise((r) => setTimeout(r, 150));
}

Deno.test({
  name: "repl: interactive in a terminal: typing, tab completion, history, errors keep the session",
  ignore: !HAVE_TMUX,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "zkabi-tmux-" });
    const session = `zkabi-repl-${Deno.pid}`;
    const hist = `${dir}/history`;
    tmux(
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "160",
      "-y",
      "50",
      `cd ${ROOT} && ZKABI_REPL_HISTORY=${hist} ${Deno.execPath()} run -A repl.ts; echo REPL-EXITED $?; sleep 30`,
    );
    try {
      await screenUntil(session, /\(zkabi\)\s*$/m);
      // Command completion, then path completion.
      await keys(session, "loa");
      await keys(session, "Tab");
      await keys(session, " guests/bin/c/hel");
      await keys(session, "Tab");
      let screen = await screenUntil(session, /\(zkabi\) load guests\/bin\/c\/hello\s*$/m);
      await keys(session, "Enter");
      await screenUntil(session, /loaded 'hello'/);
      // Syscall-name completion.
      await keys(session, "break syscall wri");
      await keys(session, "Tab");
      await screenUntil(session, /\(zkabi\) break syscall write\s*$/m);
      await keys(session, "Enter");
      await keys(session, "continue", "Enter");
      await screenUntil(session, /syscall breakpoint 1: thread 1000 calls write/);
      // Two tabs list the candidates.
      await keys(session, "regs a");
      await keys(session, "Tab");
      await keys(session, "Tab");
      screen = await screenUntil(session, /a0 +a1 +a2 +a3 +a4 +a5 +a6 +a7/);
      await keys(session, "0 a1", "Enter");
      screen = await screenUntil(session, /a1 +0x0000000000012078 +73848/);
      match(screen, /a0 +0x0000000000000001 +1/);
      await keys(session, "disas", "Enter");
      screen = await screenUntil(session, /=> 0x11014:\s+00000073\s+ecall/);
      match(screen, /0x11018:\s+02600793\s+li\s+a5,38/);
      // Errors are printed and the session goes on.
      await keys(session, "frobnicate", "Enter");
      await screenUntil(session, /error: unknown command 'frobnicate'/);
      await keys(session, ".nosuch.field", "Enter");
      await screenUntil(session, /error: js: ReferenceError: nosuch is not defined/);
      await keys(session, "x/s $a1", "Enter");
      await screenUntil(session, /0x12078:\s+"Hello from freestanding C on riscv64!\\n"/);
      // History: Up recalls the last command.
      await keys(session, "Up");
      await screenUntil(session, /\(zkabi\) x\/s \$a1$/m);
      await keys(session, "C-u", "quit", "Enter");
      await screenUntil(session, /REPL-EXITED 0/);
      const saved = Deno.readTextFileSync(hist).split("\n");
      ok(saved.includes("load guests/bin/c/hello"), saved.join("|"));
      ok(saved.includes("x/s $a1"));
    } finally {
      tmux("kill-session", "-t", session);
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
