/**
 * The real go-ethereum clients under zkabi, when they are present locally:
 *
 * - `geth-keeper`: go-ethereum's zkVM guest `cmd/keeper` (build tag
 *   `example`: Hoodi block 1151683 and its witness embedded) exits 0 with no
 *   output;
 * - `geth-keeper-file`: the same program reading the payload from a file (or
 *   stdin): the intact payload gives exit 0, the payload whose witness lacks
 *   the sender's account node gives exit 10;
 * - `geth-evm`: go-ethereum `cmd/evm t8n` on the study's inputs prints the
 *   state, transactions and receipts roots of the study's `result.json`;
 * - each matches qemu-riscv64 (stdout, stderr, exit status), and two zkabi
 *   runs of keeper give byte-identical JSON traces.
 *
 * The binaries and the keeper payloads are built from fetched go-ethereum
 * sources and are NOT part of the repository (see guests/geth/README.md).
 * The tests look for them in `$ZKABI_GETH_DIR` (default `<repo>/.cache/geth`):
 * `bin/geth-keeper`, `bin/geth-keeper-file`, `bin/geth-evm`,
 * `data/keeper_1192c3_payload.rlp`,
 * `data/keeper_1192c3_payload_missing_node.rlp`; each test is ignored, with
 * the reason printed once, when what it needs is missing.
 * @module
 */

import { equal, match, ok } from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GETH_T8N_ARGS } from "../../lib/analysis/guests.ts";
import { DEFAULT_ENV, run, type RunResult } from "../../lib/run/run.ts";
import { eventJson } from "../../lib/trace/json.ts";

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const GETH = Deno.env.get("ZKABI_GETH_DIR") ?? join(REPO, ".cache", "geth");
const BIN = join(GETH, "bin");
const DATA = join(GETH, "data");
const ASSETS = join(REPO, "data", "study", "geth-t8n-assets");
const PAYLOAD = "keeper_1192c3_payload.rlp";
const CORRUPTED = "keeper_1192c3_payload_missing_node.rlp";

const dec = new TextDecoder();

const QEMU: string | undefined = (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")
  .map((d) => join(d, "qemu-riscv64"))
  .find((p) => existsSync(p));

const has = (name: string): boolean => existsSync(join(BIN, name));
const HAVE_KEEPER = has("geth-keeper");
const HAVE_FILE = has("geth-keeper-file") && existsSync(join(DATA, PAYLOAD)) &&
  existsSync(join(DATA, CORRUPTED));
const HAVE_EVM = has("geth-evm");
if (!HAVE_KEEPER || !HAVE_FILE || !HAVE_EVM) {
  console.log(
    `geth_test: geth guests not found under ${GETH} (they are built outside the repository, ` +
      "see guests/geth/README.md); the tests that need them are ignored",
  );
}
if (!QEMU) {
  console.log("geth_test: qemu-riscv64 is not installed; the qemu comparisons are ignored");
}

/** The t8n command line of the study, outputs on stdout (zkabi's cwd is read-only). */
const T8N_ARGS = [...GETH_T8N_ARGS];

/** One way to run a guest: program, arguments, working directory, stdin. */
interface Invocation {
  name: string;
  args: string[];
  cwd: string;
  stdin?: Uint8Array;
}

function keeper(): Invocation {
  return { name: "geth-keeper", args: [], cwd: "/tmp" };
}

function keeperFile(payload: string): Invocation {
  return { name: "geth-keeper-file", args: [payload], cwd: DATA };
}

function evm(): Invocation {
  return { name: "geth-evm", args: T8N_ARGS, cwd: ASSETS };
}

/** A zkabi run and its JSON-lines trace. */
interface Traced {
  r: RunResult;
  trace: string;
}

function runTraced(inv: Invocation): Traced {
  const lines: string[] = [];
  const r = run({
    program: join(BIN, inv.name),
    argv0: inv.name,
    args: inv.args,
    cwd: inv.cwd,
    stdin: inv.stdin,
    tracer: (e) => lines.push(eventJson(e)),
  });
  return { r, trace: lines.join("\n") };
}

// Each guest runs once under zkabi for all the tests that look at that run
// (the tests of one file run one after the other): keeps the file fast.
const runs = new Map<string, Traced>();

function underZkabi(inv: Invocation): RunResult {
  return traced(inv).r;
}

function traced(inv: Invocation): Traced {
  const key = JSON.stringify([inv.name, inv.args, inv.cwd, inv.stdin?.length]);
  let t = runs.get(key);
  if (t === undefined) {
    t = runTraced(inv);
    runs.set(key, t);
  }
  return t;
}

/** Runs under qemu-riscv64 with zkabi's environment (DEFAULT_ENV only). */
async function underQemu(
  inv: Invocation,
): Promise<{ status: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(QEMU!, {
    args: ["-0", inv.name, join(BIN, inv.name), ...inv.args],
    cwd: inv.cwd,
    clearEnv: true,
    env: { ...DEFAULT_ENV },
    stdin: inv.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (inv.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(inv.stdin);
    await w.close();
  }
  const out = await child.output();
  return { status: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * geth's log lines carry the wall-clock time (`INFO [12-06|16:10:46.014]`)
 * and durations (`elapsed=17.984ms`): zkabi shows its virtual clock, qemu
 * the host's, so both are blanked before comparing.
 */
function normaliseGethLog(text: string): string {
  return text
    .replace(/^([A-Z]{4,5}) \[\d\d-\d\d\|\d\d:\d\d:\d\d\.\d{3}\]/gm, "$1 [time]")
    .replace(/elapsed=("[^"]*"|\S+)/g, "elapsed=…");
}

function context(r: RunResult): string {
  return `${r.message ?? ""}\nstderr:\n${dec.decode(r.stderr)}`;
}

Deno.test({
  name: "geth keeper (example block) exits 0 with no output",
  ignore: !HAVE_KEEPER,
  fn: () => {
    const r = underZkabi(keeper());
    equal(r.end.kind, "exit", context(r));
    equal(r.status, 0, context(r));
    equal(dec.decode(r.stdout), "");
    equal(dec.decode(r.stderr), "");
    ok(r.stats.threads > 1, "the Go runtime started threads");
    ok((r.stats.syscalls.tgkill ?? 0) > 0, "SIGURG preemption through tgkill");
  },
});

Deno.test({
  name: "geth keeper-file: intact payload exits 0, from a file and from stdin",
  ignore: !HAVE_FILE,
  fn: () => {
    const a = underZkabi(keeperFile(PAYLOAD));
    equal(a.status, 0, context(a));
    equal(dec.decode(a.stdout), "");
    equal(dec.decode(a.stderr), "");
    const b = underZkabi({
      name: "geth-keeper-file",
      args: [],
      cwd: "/tmp",
      stdin: Deno.readFileSync(join(DATA, PAYLOAD)),
    });
    equal(b.status, 0, context(b));
    equal(dec.decode(b.stderr), "");
  },
});

Deno.test({
  name: "geth keeper-file: a witness without the sender's account node exits 10",
  ignore: !HAVE_FILE,
  fn: () => {
    const r = underZkabi(keeperFile(CORRUPTED));
    equal(r.end.kind, "exit", context(r));
    equal(r.status, 10, context(r));
    equal(dec.decode(r.stdout), "");
    match(dec.decode(r.stderr), /^stateless self-validation failed: .*nonce too high/);
  },
});

Deno.test({
  name: "geth evm t8n on the study's inputs prints the study's roots",
  ignore: !HAVE_EVM,
  fn: () => {
    const study = JSON.parse(Deno.readTextFileSync(join(ASSETS, "result.json")));
    const r = underZkabi(evm());
    equal(r.status, 0, context(r));
    const out = JSON.parse(dec.decode(r.stdout));
    equal(out.result.stateRoot, study.stateRoot);
    equal(
      out.result.stateRoot,
      "0x9fdcacd4510e93c4488e537dc51578b5c6d505771db64a2610036eeb4be7b26f",
    );
    equal(out.result.txRoot, study.txRoot);
    equal(out.result.receiptsRoot, study.receiptsRoot);
    equal(out.result.gasUsed, study.gasUsed);
    ok(Object.keys(out.alloc).length > 0, "the post-state alloc is printed too");
    match(dec.decode(r.stderr), /Trie dumping complete/);
  },
});

const QEMU_CASES: Array<[string, () => Invocation, boolean]> = [
  ["keeper", keeper, HAVE_KEEPER],
  ["keeper-file, intact payload", () => keeperFile(PAYLOAD), HAVE_FILE],
  ["keeper-file, corrupted payload", () => keeperFile(CORRUPTED), HAVE_FILE],
  ["evm t8n", evm, HAVE_EVM],
];

for (const [label, make, have] of QEMU_CASES) {
  Deno.test({
    name: `geth ${label}: same stdout, stderr and exit status as qemu-riscv64`,
    ignore: !have || !QEMU,
    fn: async () => {
      const inv = make();
      const z = underZkabi(inv);
      const q = await underQemu(inv);
      equal(z.status, q.status, `exit status\n${context(z)}\nqemu stderr:\n${q.stderr}`);
      equal(dec.decode(z.stdout), q.stdout, "stdout");
      equal(normaliseGethLog(dec.decode(z.stderr)), normaliseGethLog(q.stderr), "stderr");
    },
  });
}

Deno.test({
  name: "geth keeper: two zkabi runs give byte-identical JSON traces",
  ignore: !HAVE_KEEPER,
  fn: () => {
    const a = traced(keeper());
    const b = runTraced(keeper());
    equal(a.r.status, 0, context(a.r));
    ok(a.trace.split("\n").length > 200, "trace events");
    equal(a.trace, b.trace, "byte-identical JSON traces");
    equal(
      JSON.stringify({ ...a.r.stats, wallSeconds: 0 }),
      JSON.stringify({ ...b.r.stats, wallSeconds: 0 }),
      "statistics identical but for wall time",
    );
  },
});
