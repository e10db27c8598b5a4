/**
 * Differential tests on real programs from Debian's riscv64 archive (C from
 * coreutils, busybox-static and perl-base, Rust from hexyl, sd, ripgrep and diffr, Go
 * from gron (dynamically linked, cgo), shfmt and gojq (static)):
 * each case runs under `qemu-riscv64 -L <sysroot>` and under zkabi with the
 * same sysroot, arguments, input files (a fresh directory that is the cwd of
 * both), stdin and environment ({@linkcode DEFAULT_ENV}, nothing else), and
 * must print the same stdout and stderr and exit with the same status; then
 * zkabi's `--strace` text must list the same syscalls in the same order as
 * `qemu-riscv64 -strace` (`compareTraces` of `qemu_diff.ts`: the trace
 * comparison of `lib/trace/compare.ts` plus the allowances real programs need).
 *
 * Each case also states the exit status (and, where it is plain from the
 * program's documentation, the output) that it must have, so zkabi is still
 * checked against something when qemu-riscv64 is absent.
 *
 * The packages are pinned in `packages.json` and cached by `fetch.ts`; with a
 * cold cache and no network every case is skipped with the reason.
 * @module
 */

import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { DEFAULT_ENV, run } from "../../lib/run/run.ts";
import { createStraceWriter } from "../../lib/trace/strace.ts";
import { findQemu, prepareSysroot } from "./fetch.ts";
import { compareTraces, stripGuestStderr } from "./qemu_diff.ts";
import { scratchDirAsync } from "../support/scratch.ts";

/** One program run. */
interface Case {
  /** Test name. */
  name: string;
  /** Source language of the program. */
  lang: "C" | "Rust" | "Go";
  /** The executable, relative to the sysroot. */
  program: string;
  /** argv[0] (busybox picks its applet by it); default the program's base name. */
  argv0?: string;
  /** Arguments after argv[0]. */
  args: string[];
  /** Environment added to {@linkcode DEFAULT_ENV} on both sides. */
  env?: Record<string, string>;
  /** Text on stdin (a pipe on both sides; no NUL: it reaches qemu's shell in the environment). */
  stdin?: string;
  /** Files created in the run directory. */
  files?: Record<string, string | Uint8Array>;
  /** Exit status per the program's documentation. */
  status: number;
  /** Stdout per the program's documentation, where it is plain. */
  stdout?: string;
  /** Set (with a comment naming the zkabi bug) while the case fails on a known bug. */
  ignore?: boolean;
}

const FRUITS = "banana 3\napple 10\ncherry 7\napple 1\ndate 22\n";
const BINARY = new Uint8Array([
  ...new TextEncoder().encode("zkabi\x00\x01\x02\x7f riscv64 "),
  ...Array.from({ length: 40 }, (_, i) => (i * 37) & 255),
  ...new Array(32).fill(0),
  0xff,
]);
/** A JSON document for gron and gojq (keys unsorted on purpose: both sort them). */
const JSON_DOC = '{"name":"zkabi","arch":"riscv64","tags":["emulator","linux-abi"],' +
  '"threads":{"rust":4,"go":6},"ok":true,"ratio":0.75,"none":null}\n';
/** What `gron` prints for {@linkcode JSON_DOC}: one assignment per value, paths sorted. */
const GRON_OUT = [
  "json = {};",
  'json.arch = "riscv64";',
  'json.name = "zkabi";',
  "json.none = null;",
  "json.ok = true;",
  "json.ratio = 0.75;",
  "json.tags = [];",
  'json.tags[0] = "emulator";',
  'json.tags[1] = "linux-abi";',
  "json.threads = {};",
  "json.threads.go = 6;",
  "json.threads.rust = 4;",
  "",
].join("\n");
/** A shell snippet shfmt rewrites. */
/**
 * The Go cases' environment. Go sizes its scheduler (one heap-allocated P per
 * CPU) from the CPUs the affinity mask shows: the host's under qemu, 4 under
 * zkabi. The same GOMAXPROCS on both sides makes the heap, and so the
 * addresses in the traces (the new thread's stack at the first clone), agree.
 */
const GO_ENV: Record<string, string> = { GOMAXPROCS: "4" };
const SHELL_IN = 'if [ -n "$x" ];then\necho  "a"  ;fi\nfor i in 1 2 3;do echo $i;done\n';
const DIFF = "--- a/fruits.txt\n+++ b/fruits.txt\n@@ -1,3 +1,3 @@\n banana 3\n" +
  "-apple 10 green\n+apple 12 red\n cherry 7\n";

/** The cases. Expected values come from the programs' manuals (and are checked against qemu). */
const CASES: Case[] = [
  // ---- C: GNU coreutils (dynamically linked against glibc)
  {
    name: "coreutils echo",
    lang: "C",
    program: "usr/bin/echo",
    args: ["-e", "hello\\tdebian", "riscv64\\n"],
    status: 0,
    stdout: "hello\tdebian riscv64\n\n",
  },
  {
    name: "coreutils cat -n file",
    lang: "C",
    program: "usr/bin/cat",
    args: ["-n", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 0,
    stdout:
      "     1\tbanana 3\n     2\tapple 10\n     3\tcherry 7\n     4\tapple 1\n     5\tdate 22\n",
  },
  {
    name: "coreutils cat of a missing file fails",
    lang: "C",
    program: "usr/bin/cat",
    args: ["missing.txt"],
    status: 1,
    stdout: "",
  },
  {
    name: "coreutils wc file and stdin",
    lang: "C",
    program: "usr/bin/wc",
    args: ["fruits.txt", "-"],
    stdin: "one two\nthree\n",
    files: { "fruits.txt": FRUITS },
    status: 0,
    // Width 7 per count: one input is not a regular file (stdin is a pipe).
    stdout: "      5      10      43 fruits.txt\n      2       3      14 -\n" +
      "      7      13      57 total\n",
  },
  {
    name: "coreutils sort -k2,2n",
    lang: "C",
    program: "usr/bin/sort",
    args: ["--parallel=1", "-k2,2n", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 0,
    stdout: "apple 1\nbanana 3\ncherry 7\napple 10\ndate 22\n",
  },
  {
    name: "coreutils sort -c on unsorted input fails",
    lang: "C",
    program: "usr/bin/sort",
    args: ["--parallel=1", "-c", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 1,
    stdout: "",
  },
  {
    name: "coreutils basename",
    lang: "C",
    program: "usr/bin/basename",
    args: ["/usr/lib/riscv64-linux-gnu/libc.so.6", ".6"],
    status: 0,
    stdout: "libc.so\n",
  },
  {
    name: "coreutils printf with floats",
    lang: "C",
    program: "usr/bin/printf",
    args: ["%05d|%-6s|%x|%.3f|%g|%e\n", "42", "abc", "255", "3.14159", "0.0001", "12345.678"],
    status: 0,
    stdout: "00042|abc   |ff|3.142|0.0001|1.234568e+04\n",
  },
  {
    name: "coreutils tr from stdin",
    lang: "C",
    program: "usr/bin/tr",
    args: ["a-z", "A-Z"],
    stdin: "Hello, riscv64 world\n",
    status: 0,
    stdout: "HELLO, RISCV64 WORLD\n",
  },
  {
    name: "coreutils head -n 2",
    lang: "C",
    program: "usr/bin/head",
    args: ["-n", "2", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 0,
    stdout: "banana 3\napple 10\n",
  },
  {
    name: "coreutils seq with a float step",
    lang: "C",
    program: "usr/bin/seq",
    args: ["1", "0.75", "4"],
    status: 0,
    stdout: "1.00\n1.75\n2.50\n3.25\n4.00\n",
  },
  // ---- C: busybox-static (statically linked)
  {
    name: "busybox sha256sum",
    lang: "C",
    program: "usr/bin/busybox",
    argv0: "sha256sum",
    args: ["fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 0,
  },
  {
    name: "busybox awk sums a column",
    lang: "C",
    program: "usr/bin/busybox",
    args: ["awk", "{ s += $2 } END { print s, NR, s / NR }", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 0,
    stdout: "43 5 8.6\n",
  },
  {
    name: "busybox sed",
    lang: "C",
    program: "usr/bin/busybox",
    argv0: "sed",
    args: ["-n", "s/^apple \\([0-9]*\\)/APPLE=\\1/p", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 0,
    stdout: "APPLE=10\nAPPLE=1\n",
  },
  {
    name: "busybox expr",
    lang: "C",
    program: "usr/bin/busybox",
    argv0: "expr",
    args: ["6", "*", "7"],
    status: 0,
    stdout: "42\n",
  },
  // ---- C: perl (perl-base; alarm is setitimer(ITIMER_REAL) in glibc)
  {
    name: "perl alarm: the old alarm's seconds, then SIGALRM interrupts sleep",
    lang: "C",
    program: "usr/bin/perl",
    args: [
      "-e",
      '$SIG{ALRM} = sub { print "alarm\\n"; exit 3 }; alarm 10; print alarm(1), "\\n"; ' +
      'sleep 5; print "late\\n"',
    ],
    status: 3,
    stdout: "10\nalarm\n",
  },
  // ---- Rust
  {
    name: "hexyl of a binary file",
    lang: "Rust",
    program: "usr/bin/hexyl",
    args: ["bytes.bin"],
    files: { "bytes.bin": BINARY },
    status: 0,
  },
  {
    name: "hexyl --color=never --border=ascii from stdin",
    lang: "Rust",
    program: "usr/bin/hexyl",
    args: ["--color=never", "--border=ascii", "-n", "24"],
    stdin: "The quick brown fox jumps over the lazy dog\n",
    status: 0,
  },
  {
    name: "sd on stdin",
    lang: "Rust",
    program: "usr/bin/sd",
    args: ["(\\w+) (\\d+)", "$2=$1"],
    stdin: FRUITS,
    status: 0,
    stdout: "3=banana\n10=apple\n7=cherry\n1=apple\n22=date\n",
  },
  {
    name: "sd --preview on a file",
    lang: "Rust",
    program: "usr/bin/sd",
    args: ["-p", "apple", "pear", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 0,
  },
  {
    name: "ripgrep -j1 -n in a file",
    lang: "Rust",
    program: "usr/bin/rg",
    args: ["-j1", "-n", "apple", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 0,
    stdout: "2:apple 10\n4:apple 1\n",
  },
  {
    name: "ripgrep with no match exits 1",
    lang: "Rust",
    program: "usr/bin/rg",
    args: ["-j1", "kiwi", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 1,
    stdout: "",
  },
  {
    name: "ripgrep --sort path over a directory",
    lang: "Rust",
    program: "usr/bin/rg",
    args: ["--sort", "path", "-n", "--no-heading", "a[a-z]+e", "."],
    files: {
      "fruits.txt": FRUITS,
      "sub/more.txt": "grape 5\nkiwi 2\norange 9\n",
      "sub/deeper/none.txt": "nothing to see\n",
    },
    status: 0,
    stdout: "./fruits.txt:2:apple 10\n./fruits.txt:4:apple 1\n./fruits.txt:5:date 22\n" +
      "./sub/more.txt:1:grape 5\n./sub/more.txt:3:orange 9\n",
  },
  {
    name: "ripgrep -P (PCRE2) with a lookahead",
    lang: "Rust",
    program: "usr/bin/rg",
    args: ["-j1", "-P", "-o", "\\w+(?= 1\\d*$)", "fruits.txt"],
    files: { "fruits.txt": FRUITS },
    status: 0,
    stdout: "apple\napple\n",
  },
  {
    name: "diffr on a unified diff",
    lang: "Rust",
    program: "usr/bin/diffr",
    args: [],
    stdin: DIFF,
    status: 0,
  },
  // ---- Go (multi-threaded runtimes: the traces are strict up to the first clone)
  {
    name: "gron of a JSON file",
    lang: "Go",
    env: GO_ENV,
    program: "usr/bin/gron",
    args: ["data.json"],
    files: { "data.json": JSON_DOC },
    status: 0,
    stdout: GRON_OUT,
  },
  {
    name: "gron -u (ungron) from stdin",
    lang: "Go",
    env: GO_ENV,
    program: "usr/bin/gron",
    args: ["-u"],
    stdin: GRON_OUT,
    status: 0,
    stdout: '{\n  "arch": "riscv64",\n  "name": "zkabi",\n  "none": null,\n  "ok": true,\n' +
      '  "ratio": 0.75,\n  "tags": [\n    "emulator",\n    "linux-abi"\n  ],\n' +
      '  "threads": {\n    "go": 6,\n    "rust": 4\n  }\n}\n',
  },
  {
    name: "gron of a missing file fails",
    lang: "Go",
    env: GO_ENV,
    program: "usr/bin/gron",
    args: ["missing.json"],
    status: 1,
    stdout: "",
  },
  {
    name: "shfmt -i 2 from stdin",
    lang: "Go",
    env: GO_ENV,
    program: "usr/bin/shfmt",
    args: ["-i", "2"],
    stdin: SHELL_IN,
    status: 0,
    stdout: 'if [ -n "$x" ]; then\n  echo "a"\nfi\nfor i in 1 2 3; do echo $i; done\n',
  },
  {
    name: "shfmt -d on an unformatted file exits 1 with a diff",
    lang: "Go",
    env: GO_ENV,
    program: "usr/bin/shfmt",
    args: ["-d", "s.sh"],
    files: { "s.sh": "a=1\nif true;then echo $a;fi\n" },
    status: 1,
    stdout: "--- s.sh.orig\n+++ s.sh\n@@ -1,2 +1,2 @@\n a=1\n-if true;then echo $a;fi\n" +
      "+if true; then echo $a; fi\n",
  },
  {
    name: "gojq -c with a filter over a file",
    lang: "Go",
    env: GO_ENV,
    program: "usr/bin/gojq",
    args: [
      "-c",
      "{name, n: (.threads | to_entries | map(.value) | add), tags: (.tags | map(ascii_upcase))}",
      "data.json",
    ],
    files: { "data.json": JSON_DOC },
    status: 0,
    stdout: '{"n":10,"name":"zkabi","tags":["EMULATOR","LINUX-ABI"]}\n',
  },
  {
    name: "gojq -n -r arithmetic and @base64",
    lang: "Go",
    env: GO_ENV,
    program: "usr/bin/gojq",
    args: ["-n", "-r", '[range(1;6)] | map(. * .) | add, ("zkabi" | @base64)'],
    status: 0,
    stdout: "55\nemthYmk=\n",
  },
  {
    name: "gojq -e on a null result exits 1",
    lang: "Go",
    env: GO_ENV,
    program: "usr/bin/gojq",
    args: ["-e", ".missing", "data.json"],
    files: { "data.json": JSON_DOC },
    status: 1,
    stdout: "null\n",
  },
  {
    name: "gojq with an invalid query exits 3",
    lang: "Go",
    env: GO_ENV,
    program: "usr/bin/gojq",
    args: [".[", "data.json"],
    files: { "data.json": JSON_DOC },
    status: 3,
    stdout: "",
  },
];

const QEMU: string | null = findQemu();
/** `ZKABI_DEBIAN_ALL=1` also runs the cases ignored for known zkabi bugs. */
const RUN_IGNORED: boolean = Deno.env.get("ZKABI_DEBIAN_ALL") === "1";
/** zkabi's user and group (lib/kernel/process.ts): qemu runs as them when it can. */
const GUEST_ID = 1000;
const prepared = await prepareSysroot({ log: (l) => console.log(l) });
const placed = prepared.ok ? await placeForGuestUser(prepared.sysroot) : null;
const SYSROOT: string | null = placed?.sysroot ?? null;
/** Whether qemu runs as zkabi's uid/gid (setpriv, as root). */
const AS_GUEST_ID: boolean = placed?.asGuest ?? false;
if (!prepared.ok) {
  console.log(`debian_test: skipping the Debian programs: ${prepared.reason}`);
} else if (QEMU === null) {
  console.log(
    "debian_test: qemu-riscv64 is not installed; the Debian programs run under zkabi only " +
      "(install qemu-user for the differential comparisons)",
  );
} else if (!prepared.ldCache) {
  console.log(
    "debian_test: the sysroot has no /etc/ld.so.cache (making one needs root); " +
      "the trace comparisons may show the loader's cache lookups differing",
  );
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One side's outcome. */
interface Outcome {
  status: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  trace: string;
}

async function makeRunDir(c: Case): Promise<string> {
  const dir = await scratchDirAsync("zkabi-debian-");
  // qemu may run as zkabi's uid: let it in.
  await Deno.chmod(dir, 0o755);
  for (const [rel, content] of Object.entries(c.files ?? {})) {
    await Deno.mkdir(dirname(join(dir, rel)), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(join(dir, rel), content);
    else await Deno.writeFile(join(dir, rel), content);
  }
  return dir;
}

/** Whether qemu's guest sees zkabi's ids; if not, id results are not compared. */
const SAME_IDS: boolean = AS_GUEST_ID || (Deno.uid() === GUEST_ID && Deno.gid() === GUEST_ID);

/**
 * Where qemu can read the sysroot as zkabi's user: as root with setpriv,
 * the cached sysroot if that user can read it, else a world-readable copy
 * (removed when the tests end); otherwise qemu runs as this user.
 */
async function placeForGuestUser(sysroot: string): Promise<{ sysroot: string; asGuest: boolean }> {
  if (Deno.uid() !== 0 || QEMU === null || !commandOnPath("setpriv")) {
    return { sysroot, asGuest: false };
  }
  if (await guestCanRead(sysroot)) return { sysroot, asGuest: true };
  const copy = await Deno.makeTempDir({ prefix: "zkabi-debian-sysroot-" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(copy, { recursive: true });
    } catch {
      // already gone
    }
  });
  await Deno.chmod(copy, 0o755);
  const cp = await new Deno.Command("cp", { args: ["-a", `${sysroot}/.`, copy] }).output();
  if (cp.success && await guestCanRead(copy)) return { sysroot: copy, asGuest: true };
  return { sysroot, asGuest: false };
}

async function guestCanRead(sysroot: string): Promise<boolean> {
  const out = await new Deno.Command("setpriv", {
    args: [
      ...asGuestArgs(),
      "test",
      "-r",
      join(sysroot, "usr", "lib", "ld-linux-riscv64-lp64d.so.1"),
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

function asGuestArgs(): string[] {
  return [`--reuid=${GUEST_ID}`, `--regid=${GUEST_ID}`, "--clear-groups"];
}

function commandOnPath(name: string): boolean {
  return (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":").some((d) => {
    try {
      return Deno.statSync(join(d, name)).isFile;
    } catch {
      return false;
    }
  });
}

/**
 * The shell that starts qemu: stdin becomes a pipe holding the case's input
 * whose writer has already exited (as zkabi's stdin is: all data, then end
 * of file), so whether a poll of fd 0 sees POLLHUP does not depend on timing;
 * the environment is exactly {@linkcode DEFAULT_ENV}; as root, qemu runs as
 * zkabi's uid and gid so getuid and friends agree.
 */
const QEMU_SHELL = 'exec 0< <(printf %s "$ZKABI_STDIN"); wait $!; unset ZKABI_STDIN; exec "$@"';

/** Runs the case under qemu-riscv64, with `-strace` or without. */
async function underQemu(
  c: Case,
  dir: string,
  strace: boolean,
): Promise<{ status: number; stdout: Uint8Array; stderr: Uint8Array }> {
  const program = join(SYSROOT!, c.program);
  const qemuArgs = ["-L", SYSROOT!, "-0", c.argv0 ?? basename(c.program)];
  if (strace) qemuArgs.push("-strace");
  const envArgs = Object.entries({ ...DEFAULT_ENV, ...c.env }).map(([k, v]) => `${k}=${v}`);
  const idArgs = AS_GUEST_ID ? ["setpriv", ...asGuestArgs()] : [];
  const out = await new Deno.Command("bash", {
    args: [
      "-c",
      QEMU_SHELL,
      "bash",
      ...idArgs,
      "env",
      "-i",
      ...envArgs,
      QEMU!,
      ...qemuArgs,
      program,
      ...c.args,
    ],
    cwd: dir,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", ZKABI_STDIN: c.stdin ?? "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const status = out.signal ? 128 + signalNumber(out.signal) : out.code;
  return { status, stdout: out.stdout, stderr: out.stderr };
}

function signalNumber(name: Deno.Signal): number {
  const nums: Record<string, number> = { SIGSEGV: 11, SIGABRT: 6, SIGILL: 4, SIGBUS: 7 };
  return nums[name] ?? 0;
}

/** Runs the case under zkabi with the strace writer attached. */
function underZkabi(c: Case, dir: string): Outcome {
  const lines: string[] = [];
  const r = run({
    program: join(SYSROOT!, c.program),
    argv0: c.argv0 ?? basename(c.program),
    args: c.args,
    env: c.env,
    cwd: dir,
    sysroot: SYSROOT!,
    stdin: enc.encode(c.stdin ?? ""),
    stdout: "capture",
    stderr: "capture",
    maxInsns: 2_000_000_000,
    vdso: false, // qemu-user has no riscv64 vDSO
    writers: [(src) => createStraceWriter(src, (line) => lines.push(line))],
  });
  if (r.message) lines.push(`# zkabi: ${r.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, trace: lines.join("\n") + "\n" };
}

/** The first lines of a text, for failure messages. */
function head(text: string, n = 60): string {
  const lines = text.split("\n");
  return lines.length <= n ? text : `${lines.slice(0, n).join("\n")}\n... (${lines.length} lines)`;
}

for (const c of CASES) {
  Deno.test({
    name: `debian ${c.lang}: ${c.name}`,
    ignore: SYSROOT === null || (c.ignore === true && !RUN_IGNORED),
    fn: async () => {
      const dir = await makeRunDir(c);
      try {
        const z = underZkabi(c, dir);
        const zOut = dec.decode(z.stdout);
        const context = `zkabi stderr:\n${dec.decode(z.stderr)}\nzkabi trace:\n${head(z.trace)}`;
        if (QEMU !== null) {
          const q = await underQemu(c, dir, false);
          assert.equal(dec.decode(q.stdout), dec.decode(z.stdout), `stdout differs\n${context}`);
          assert.deepEqual(z.stdout, q.stdout, "stdout bytes differ");
          assert.equal(z.status, q.status, `exit status differs\n${context}`);
          assert.equal(dec.decode(z.stderr), dec.decode(q.stderr), "stderr differs");
          const qs = await underQemu(c, dir, true);
          const qLog = stripGuestStderr(qs.stderr);
          const cmp = compareTraces(z.trace, qLog, {
            sameIds: SAME_IDS,
            goClockReads: c.lang === "Go",
          });
          assert.ok(
            cmp.ok,
            `syscall traces differ:\n${cmp.diff}\n--- zkabi:\n${head(z.trace, 200)}` +
              `\n--- qemu:\n${head(qLog, 200)}`,
          );
          assert.ok(cmp.compared >= 10, `only ${cmp.compared} calls compared\n${cmp.diff}`);
          // The documented expectations hold under qemu too (they are the
          // test's own claims, so check them against the oracle).
          assert.equal(q.status, c.status, "qemu's exit status is not the documented one");
          if (c.stdout !== undefined) {
            assert.equal(dec.decode(q.stdout), c.stdout, "qemu's stdout is not the documented one");
          }
        }
        assert.equal(z.status, c.status, `exit status\n${context}`);
        if (c.stdout !== undefined) assert.equal(zOut, c.stdout, `stdout\n${context}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
