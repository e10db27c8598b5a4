/**
 * Fuzz campaign, part 1: random syscall arguments against the emulated
 * kernel. Every syscall zkabi implements is called with arguments drawn by
 * the registry's argument kinds (`i` 32-bit integers and flags, `l` 64-bit
 * integers, `s` path strings, `p` pointers, `d` pids, `_` anything; six raw
 * values where the kinds are not modelled), each value picked from the
 * boundary cases of its kind, over a filesystem with a sysroot, a working
 * directory, a read-write host mount, /tmp, /dev and /proc. The kernel must
 * answer with a result or -errno (or block, or end the process), never
 * throw; the strace and JSON renderings of every call must not throw; and
 * nothing outside the read-write mount may change on the host.
 *
 * Seeded and bounded by count (FUZZ_SEED and FUZZ_CALLS override the
 * defaults to explore further); a generous wall-clock cap only stops the
 * loop early on a very slow machine, it never fails the test.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { SyscallEvent } from "../../lib/kernel/events.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { SYSCALLS } from "../../lib/kernel/syscalls.ts";
import { isWait, NO_RESULT, type SyscallResult } from "../../lib/kernel/types.ts";
import { OutOfMemory, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { createJsonWriter } from "../../lib/trace/json.ts";
import { formatSyscallLine } from "../../lib/trace/strace.ts";
import { prng } from "../elf/elf_fixtures.ts";
import { makeKernel, makeWorld, type World } from "../kernel/files_support.ts";
import { sysAs } from "../support/kernel.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0x5eed);
const CALLS = Number(Deno.env.get("FUZZ_CALLS") ?? 30000);
/** Only a safety net for a very slow machine: stops early, never fails. */
const TIME_CAP_MS = 120_000;

/** Guest memory the fuzzer's pointers aim at. */
const BUF = 0x10000;
const BUF_SIZE = 0x10000;
const RO_PAGE = 0x30000;
const UNMAPPED = 0x50000;
/** A page of strings, the last one running into unmapped memory without a NUL. */
const STRINGS = 0x60000;

const PATHS: readonly (string | number[])[] = [
  "/tmp/x",
  "/tmp",
  "/tmp/d/",
  "/data/f",
  "/data/d",
  "/data/../../../etc/passwd",
  "/data/link",
  ".",
  "..",
  "/",
  "",
  "input.txt",
  "abs",
  "rel",
  "loop1",
  "dangling",
  "sub/.keep",
  "/etc/up/up/up",
  "/proc/self/fd/0",
  "/proc/self/fd/3",
  "/proc/self/exe",
  "/proc/self/cwd/../../..",
  "/proc/self/maps",
  "/proc/self/status",
  "/dev/null",
  "/dev/zero",
  "/dev/full",
  "/dev/urandom",
  "/sys/devices/system/cpu/online",
  "/dev/shm/s",
  "a".repeat(300),
  "a/".repeat(2100),
  [0x2f, 0x74, 0x6d, 0x70, 0x2f, 0xff, 0xfe],
  [0x2f, 0x64, 0x61, 0x74, 0x61, 0x2f, 0xc3],
];

/** Addresses of the strings (filled per kernel); the last one is unterminated. */
const STRING_AT: number[] = [];

function layStrings(k: Kernel): void {
  k.mem.map(STRINGS, 0x2000, PROT_READ | PROT_WRITE);
  let at = STRINGS;
  STRING_AT.length = 0;
  for (const p of PATHS) {
    const b = typeof p === "string" ? new TextEncoder().encode(p) : Uint8Array.from(p);
    if (at + b.length + 1 > STRINGS + 0x2000 - 64) break;
    k.mem.write(at, b);
    k.mem.write(at + b.length, new Uint8Array(1));
    STRING_AT.push(at);
    at += b.length + 1;
  }
  // No NUL before the mapping ends: the kernel must fault cleanly (EFAULT).
  const tail = STRINGS + 0x2000 - 32;
  k.mem.write(tail, new Uint8Array(32).fill(0x61));
  STRING_AT.push(tail);
}

const BIG = [
  0n,
  1n,
  2n,
  3n,
  7n,
  0x7fn,
  0x100n,
  0x1000n,
  0x1001n,
  0xfffn,
  0x10000n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  2n ** 47n,
  2n ** 53n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
  2n ** 64n - 100n,
  2n ** 64n - 4096n,
];

const POINTERS = [
  0,
  BUF,
  BUF + 8,
  BUF + 3,
  BUF + BUF_SIZE - 8,
  BUF + BUF_SIZE - 1,
  RO_PAGE,
  UNMAPPED,
];

class Draw {
  readonly #rnd: () => number;
  constructor(seed: number) {
    this.#rnd = prng(seed);
  }
  n(max: number): number {
    return this.#rnd() % max;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.n(xs.length)];
  }
  u64(): bigint {
    return (BigInt(this.#rnd()) << 32n) | BigInt(this.#rnd());
  }
  /** One argument of kind `kind`. */
  arg(k: Kernel, kind: string): bigint {
    switch (kind) {
      case "i": {
        const c = this.n(10);
        if (c < 3) return BigInt(this.n(12)); // small fds and values
        if (c === 3) return 2n ** 64n - 100n; // AT_FDCWD
        if (c === 4) return 2n ** 64n - 1n;
        if (c === 5) return BigInt(1 << this.n(32)) & 0xffffffffn; // one flag bit
        if (c === 6) return BigInt(this.#rnd() & this.#rnd()); // a few flag bits
        return this.pick(BIG);
      }
      case "l":
        return this.n(4) === 0 ? this.u64() : this.pick(BIG);
      case "s":
        return BigInt(this.n(8) === 0 ? this.pick(POINTERS) : this.pick(STRING_AT));
      case "p": {
        const c = this.n(8);
        if (c < 5) return BigInt(this.pick(POINTERS));
        if (c === 5) return BigInt(BUF + this.n(BUF_SIZE));
        if (c === 6) return BigInt(this.pick(STRING_AT));
        return this.pick(BIG);
      }
      case "d": {
        const tids = k.threads.map((t) => t.tid);
        return BigInt.asUintN(64, BigInt(this.pick([0, -1, k.pid, -k.pid, 1, 99999, ...tids])));
      }
      default:
        return this.n(2) === 0 ? this.pick(BIG) : BigInt(this.pick(POINTERS));
    }
  }
}

/** Every file and directory under `dir` (paths relative to it) with its size. */
function snapshot(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(join(dir, rel))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (join(dir, p) === skip) continue;
      const info = Deno.lstatSync(join(dir, p));
      out.push(`${p} ${info.isDirectory ? "dir" : info.size} ${info.mode! & 0o7777}`);
      if (info.isDirectory) walk(p);
    }
  };
  walk("");
  return out.sort();
}

/**
 * A kernel over the world with descriptors worth hitting at fds 3 to 11: a
 * /tmp file (then unlinked, still open), a file on the read-write mount, a
 * directory, an O_PATH location, both ends of a pipe, an eventfd, an epoll
 * instance and /dev/zero.
 */
function freshKernel(w: World): Kernel {
  const { k } = makeKernel(w, { stdin: "fuzz input\n" });
  k.mem.map(RO_PAGE, 0x1000, PROT_READ);
  layStrings(k);
  const t = k.mainThread;
  const str = (s: string) => {
    const at = BUF + BUF_SIZE - 256;
    k.mem.write(at, new TextEncoder().encode(s + "\0"));
    return at;
  };
  // Earlier kernels may have changed /data (modes, names): these may fail, and that is fine.
  const call = (name: string, ...a: number[]) => sysAs(k, t, name, ...a);
  const RW_CREAT = 0o102;
  call("openat", -100, str("/tmp/x"), RW_CREAT, 0o644);
  call("unlinkat", -100, str("/tmp/x"), 0);
  call("openat", -100, str("/data/f"), RW_CREAT, 0o644);
  call("openat", -100, str("/data"), 0o200000, 0);
  call("openat", -100, str("sub"), 0o10000000, 0);
  call("pipe2", BUF + 0x100, 0);
  call("eventfd2", 1, 0);
  call("epoll_create1", 0);
  call("openat", -100, str("/dev/zero"), 2, 0);
  return k;
}

/** Gives every directory and file under `dir` owner access back (the fuzzer chmods). */
function reopen(dir: string): void {
  Deno.chmodSync(dir, 0o755);
  for (const e of Deno.readDirSync(dir)) {
    if (e.isSymlink) continue;
    const p = join(dir, e.name);
    if (e.isDirectory) reopen(p);
    else Deno.chmodSync(p, 0o644);
  }
}

/**
 * Syscalls that often end the process: exit, a fatal signal to itself, a
 * sigreturn from a garbage frame, clone asking for a new process.
 */
const ENDERS = new Set([
  "exit",
  "exit_group",
  "kill",
  "tkill",
  "tgkill",
  "rt_sigqueueinfo",
  "rt_sigreturn",
  "clone",
  "clone3",
]);

/** True for a well-formed syscall result: an integer, -4095..-1 when an error. */
function wellFormed(r: number): boolean {
  return Number.isInteger(r) && (r >= 0 || r >= -4095);
}

Deno.test(`fuzz: ${CALLS} random syscalls (seed ${SEED}) answer or fail with errno, never throw or escape`, () => {
  const w = makeWorld();
  const before = snapshot(w.base, w.rw);
  const started = performance.now();
  const draw = new Draw(SEED);
  const records = SYSCALLS.filter((r) => r.handler !== undefined);
  const trace: string[] = [];
  const json = createJsonWriter((l) => trace.push(l));
  let k = freshKernel(w);
  let kernels = 1;
  let done = 0;
  const outcomes = { ok: 0, errno: 0, blocked: 0, none: 0, ended: 0 };
  const enders = new Map<string, number>();
  try {
    for (; done < CALLS; done++) {
      if (performance.now() - started > TIME_CAP_MS) {
        console.warn(`fuzz: stopped after ${done} calls at the time cap`);
        break;
      }
      let rec = draw.pick(records);
      // Calls that end the process end the episode: make them rarer, for longer histories.
      if (ENDERS.has(rec.name) && draw.n(8) !== 0) rec = draw.pick(records);
      const kinds = rec.args ?? "______";
      const args = [...kinds].map((c) => draw.arg(k, c));
      const live = k.threads.filter((t) => t.state !== "exited");
      const t = live.length > 0 ? draw.pick(live) : k.mainThread;
      const what = `call ${done} (seed ${SEED}): ${rec.name}(${
        args.map((a) => "0x" + a.toString(16)).join(", ")
      })`;
      let r: SyscallResult;
      try {
        r = sysAs(k, t, rec.name, ...args);
        if (isWait(r)) {
          outcomes.blocked++;
          const now = r.resume(false);
          r = now ?? r.resume(true) ?? -4;
        }
      } catch (e) {
        if (e instanceof OutOfMemory) {
          outcomes.ended++;
          k = freshKernel(w);
          kernels++;
          continue;
        }
        throw new Error(`${what} threw: ${e instanceof Error ? e.stack : e}`);
      }
      let result: number | undefined;
      if (r === NO_RESULT) outcomes.none++;
      else {
        result = r as number;
        assert.ok(wellFormed(result), `${what} returned ${result}`);
        if (result < 0) outcomes.errno++;
        else outcomes.ok++;
      }
      const ev: SyscallEvent = {
        seq: done,
        tid: t.tid,
        nr: rec.nr,
        name: rec.name,
        args: args.map((a) => BigInt.asUintN(64, a)),
        result,
        route: "emulate",
        pc: 0,
        fn: "",
        instret: 0,
        phase: "app",
        blocked: false,
      };
      try {
        trace.push(formatSyscallLine(k.tracee, ev));
        json({ kind: "syscall", ...ev });
      } catch (e) {
        throw new Error(`${what}: rendering threw: ${e instanceof Error ? e.stack : e}`);
      }
      if (trace.length > 4096) trace.length = 0;
      if (k.end) {
        enders.set(`${rec.name}:${k.end.kind}`, (enders.get(`${rec.name}:${k.end.kind}`) ?? 0) + 1);
        outcomes.ended++;
        k = freshKernel(w);
        kernels++;
      }
    }
  } finally {
    const after = snapshot(w.base, w.rw);
    reopen(w.rw);
    w.dispose();
    assert.deepEqual(after, before, "nothing outside the read-write mount changed on the host");
  }
  if (Deno.env.get("FUZZ_STATS")) console.log({ done, kernels, ...outcomes }, enders);
  // The campaign reaches real work, not only argument checks.
  assert.ok(outcomes.ok > done / 10 && outcomes.errno > done / 10, JSON.stringify(outcomes));
});
