/**
 * The trace parsers on real output: the `qemu-riscv64 -strace` logs recorded
 * from the C guests (tests/trace/data, see record_qemu_strace.ts) and the
 * study's real strace logs (committed in data/study). The strace logs also
 * check the writer's column rule on every
 * line.
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { withResult } from "../../lib/trace/strace.ts";
import { parseQemuStrace, parseStraceText, splitArgs } from "../../lib/trace/strace_parse.ts";
import { exists } from "./support.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, "data");
const STUDY = join(HERE, "..", "..", "data", "study");
const HAVE_STUDY = exists(join(STUDY, "reth_stateless_strace.log"));
if (!HAVE_STUDY) console.log(`parse_test: ${STUDY} is absent; skipping the study-log tests`);

function qemuLog(name: string): string {
  return Deno.readTextFileSync(join(DATA, `${name}.qemu_strace.log`));
}

Deno.test("qemu parser: hello", () => {
  const r = parseQemuStrace(qemuLog("hello"));
  assert.deepEqual(r.map((x) => x.name), ["write", "write", "write", "exit_group"]);
  assert.deepEqual(r[0].args, ["1", "0x12078", "38"]);
  assert.equal(r[0].result, "38");
  assert.equal(r[2].result, "-1 errno=9");
  assert.deepEqual(r[2].args, ["-1", "0x12078", "1"]);
  assert.equal(r[3].result, undefined);
  assert.ok(r.every((x) => x.tid === r[0].tid && x.tid! > 0));
});

Deno.test("qemu parser: strings, flags, decorations, generic forms", () => {
  const open = parseQemuStrace(qemuLog("openat"))[0];
  assert.deepEqual(open.args, ["AT_FDCWD", '"input.txt"', "O_RDONLY|O_CLOEXEC"]);
  assert.equal(open.result, "3");
  const clock = parseQemuStrace(qemuLog("clock"));
  assert.equal(clock[0].name, "clock_gettime");
  assert.equal(clock[0].result, "0");
  const gtod = clock.find((x) => x.name === "gettimeofday")!;
  assert.equal(gtod.result, "0");
  const mmap = parseQemuStrace(qemuLog("mmap"));
  assert.deepEqual(mmap[0].args, [
    "NULL",
    "12288",
    "PROT_READ|PROT_WRITE",
    "MAP_PRIVATE|MAP_ANONYMOUS",
    "-1",
    "0",
  ]);
  assert.match(mmap[0].result!, /^0x[0-9a-f]{16}$/);
  const pread = mmap.find((x) => x.name === "pread64")!;
  assert.equal(pread.args.length, 6);
});

Deno.test("qemu parser: unknown syscalls, exits, signals", () => {
  const e = parseQemuStrace(qemuLog("enosys"));
  assert.deepEqual(e.filter((x) => x.unknownNr !== undefined).map((x) => x.unknownNr), [
    500,
    1000,
    244,
  ]);
  const ex = parseQemuStrace(qemuLog("exit"));
  assert.equal(ex.at(-1)!.name, "exit");
  assert.deepEqual(ex.at(-1)!.args, ["42"]);
  const s = parseQemuStrace(qemuLog("sigsegv"));
  assert.equal(s.at(-1)!.kind, "signal");
  assert.equal(s.at(-1)!.name, "SIGSEGV");
  assert.deepEqual(s.at(-1)!.args, ["si_signo=SIGSEGV", "si_code=1", "si_addr=NULL"]);
  const i = parseQemuStrace(qemuLog("sigill"));
  assert.deepEqual(i.at(-1)!.args, ["si_signo=SIGILL", "si_code=1", "si_addr=0x000000000001100e"]);
});

Deno.test("qemu parser: every recorded log parses, one record per call", () => {
  for (const entry of Deno.readDirSync(DATA)) {
    const text = Deno.readTextFileSync(join(DATA, entry.name));
    const recs = parseQemuStrace(text);
    // Each call's name appears once in the log text per record.
    const calls = [...text.matchAll(/\d+ (?:[a-z_0-9]+\(|Unknown syscall)/g)].length;
    const signals = [...text.matchAll(/^--- /gm)].length;
    assert.equal(recs.length, calls + signals, entry.name);
  }
});

Deno.test("qemu parser: lines of concurrent threads interleaved", () => {
  const recs = parseQemuStrace(qemuLog("pthreads"));
  const text = qemuLog("pthreads");
  const joined = text.split("\n").find((l) => /\)\d+ [a-z_]+\(/.test(l));
  assert.ok(joined, "the recorded log has an interleaved line");
  const line = text.split("\n").indexOf(joined!) + 1;
  const onLine = recs.filter((r) => r.line === line);
  assert.equal(onLine.length, 2);
  assert.equal(onLine[1].result, joined!.slice(joined!.lastIndexOf(" = ") + 3));
  // The first call's result comes on a later line of its own (" = 0"), and
  // goes to the latest call still without one.
  const alone = text.split("\n").findIndex((l, i) => i > line && /^ = /.test(l));
  assert.ok(alone > 0);
  assert.ok(recs.filter((r) => r.kind === "syscall" && r.result === undefined).length < 5);
});

Deno.test("splitArgs: quotes, brackets, comments", () => {
  assert.deepEqual(splitArgs('3, "a,b\\"c", {x=1, y=[2, 3]}, 0x8 /* X, Y */'), [
    "3",
    '"a,b\\"c"',
    "{x=1, y=[2, 3]}",
    "0x8 /* X, Y */",
  ]);
  assert.deepEqual(splitArgs(""), []);
});

Deno.test("strace parser: unfinished and resumed lines join", () => {
  const recs = parseStraceText(
    [
      "1526  futex(0x1ddddc0, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>",
      "1527  rt_sigprocmask(SIG_SETMASK, [],  <unfinished ...>",
      "1526  <... futex resumed>)              = 0",
      "1527  <... rt_sigprocmask resumed>NULL, 8) = 0",
      "1526  --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=1526, si_uid=1000} ---",
      "1526  +++ exited with 0 +++",
    ].join("\n"),
  );
  assert.equal(recs.length, 4);
  assert.deepEqual(recs[0].args, ["0x1ddddc0", "FUTEX_WAIT_PRIVATE", "0", "NULL"]);
  assert.equal(recs[0].result, "0");
  assert.deepEqual(recs[1].args, ["SIG_SETMASK", "[]", "NULL", "8"]);
  assert.equal(recs[2].kind, "signal");
  assert.equal(recs[3].kind, "exit");
});

Deno.test({
  name: "study logs: every line parses, and the result column matches the writer's",
  ignore: !HAVE_STUDY,
  fn: () => {
    for (const name of ["reth_stateless_strace.log", "geth_t8n_strace.log"]) {
      const text = Deno.readTextFileSync(join(STUDY, name));
      const lines = text.split("\n").filter((l) => l !== "");
      const recs = parseStraceText(text);
      const resumed = lines.filter((l) => /<\.\.\. \w+ resumed>/.test(l)).length;
      assert.equal(recs.length, lines.length - resumed, name);
      for (const r of recs) {
        if (r.kind === "syscall" && r.name !== "execve") {
          assert.ok(r.result !== undefined, `${name}:${r.line}: no result: ${r.raw}`);
        }
      }
      let checked = 0;
      for (const l of lines) {
        const m = /^(.*?\)) +(= .*)$/.exec(l);
        if (!m || l.includes("<unfinished") || l.startsWith("execve")) continue;
        const head = m[1];
        const result = m[2].slice(2);
        assert.equal(withResult(head, result), l, `${name}: ${l}`);
        checked++;
      }
      assert.ok(checked > 100, `${name}: ${checked} lines checked`);
    }
  },
});
