/**
 * The vDSO: the image is a well-formed riscv64 shared object with Linux
 * 6.1's symbols at version LINUX_4.15 (checked with binutils' readelf and
 * objdump where installed), it is reproducible, its clock code reads the
 * vvar page and the `time` CSR (values are the syscall's, truncated to the
 * 100 ns timebase), glibc (static and dynamic) and Go use it unmodified so
 * that clock reads stop trapping, `--vdso off` brings the syscalls back,
 * and signal handlers return through its `__vdso_rt_sigreturn`. Behaviour
 * follows vdso(7) and the kernel's riscv vDSO (qemu-user has none).
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { SIGTRAP } from "../../lib/abi/signals.ts";
import { parseProfile } from "../../lib/dispatch/profile.ts";
import { AT_SYSINFO_EHDR } from "../../lib/elf/stack.ts";
import { elfHash } from "../../lib/elf/vdso_image.ts";
import { setupSignals } from "../../lib/kernel/signals.ts";
import { BOOT_OFFSET_NS, REALTIME_EPOCH_SEC } from "../../lib/kernel/time.ts";
import {
  buildVdsoImage,
  setupVdso,
  VDSO_BASE,
  VDSO_SONAME,
  VDSO_VERSION,
  vdsoBytesSource,
  vdsoImage,
  VVAR_BASE,
} from "../../lib/kernel/vdso.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { run, type RunResult } from "../../lib/run/run.ts";
import { createStraceWriter } from "../../lib/trace/strace.ts";
import { testKernel } from "../support/kernel.ts";
import { assertLikeQemu, GUESTS } from "./threads_support.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SYSROOT = "/usr/riscv64-linux-gnu";

function haveSysroot(): boolean {
  try {
    Deno.statSync(`${SYSROOT}/lib/ld-linux-riscv64-lp64d.so.1`);
    return true;
  } catch {
    return false;
  }
}
const SYMBOLS = [
  "__vdso_rt_sigreturn",
  "__vdso_gettimeofday",
  "__vdso_clock_gettime",
  "__vdso_clock_getres",
  "__vdso_getcpu",
  "__vdso_flush_icache",
];

function haveTool(name: string): boolean {
  try {
    return new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
const BINUTILS = haveTool("riscv64-linux-gnu-readelf") && haveTool("riscv64-linux-gnu-objdump");

Deno.test("the committed vDSO image is what vdso.ts assembles", () => {
  const built = buildVdsoImage();
  const committed = vdsoImage();
  assert.deepEqual([...committed.bytes], [...built.bytes]);
  assert.deepEqual([...committed.symbols], [...built.symbols]);
  assert.deepEqual([...committed.sizes], [...built.sizes]);
  assert.equal(
    Deno.readTextFileSync(new URL("../../lib/kernel/vdso_bytes.ts", import.meta.url)),
    vdsoBytesSource(built),
    "lib/kernel/vdso_bytes.ts is stale: run `deno run -A lib/kernel/vdso.ts`",
  );
});

Deno.test("the vDSO image is reproducible and its functions have the kernel's names", () => {
  const img = vdsoImage();
  assert.deepEqual([...img.bytes.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
  assert.ok(img.bytes.length <= 4096, "one page");
  assert.deepEqual([...img.symbols.keys()], SYMBOLS);
  const again = createHash("sha256").update(img.bytes).digest("hex");
  assert.equal(again, createHash("sha256").update(vdsoImage().bytes).digest("hex"));
  // The System V hash of the ABI's version string, as Go's runtime hardcodes it.
  assert.equal(elfHash(VDSO_VERSION), 0xae77f75);
});

Deno.test({
  name: "readelf and objdump read the vDSO: soname, LINUX_4.15 versions, code",
  ignore: !BINUTILS,
  fn() {
    const file = Deno.makeTempFileSync({ suffix: ".so" });
    try {
      Deno.writeFileSync(file, vdsoImage().bytes);
      const tool = (cmd: string, args: string[]) => {
        const o = new Deno.Command(cmd, { args: [...args, file] }).outputSync();
        assert.ok(o.success, new TextDecoder().decode(o.stderr));
        assert.equal(new TextDecoder().decode(o.stderr), "", `${cmd} warns`);
        return new TextDecoder().decode(o.stdout);
      };
      const dyn = tool("riscv64-linux-gnu-readelf", ["-W", "-h", "-l", "-d", "--dyn-syms", "-V"]);
      assert.match(dyn, /Type:\s+DYN/);
      assert.match(dyn, /Machine:\s+RISC-V/);
      assert.match(dyn, new RegExp(`Library soname: \\[${VDSO_SONAME}\\]`));
      for (const s of SYMBOLS) {
        assert.match(dyn, new RegExp(`FUNC\\s+GLOBAL\\s+DEFAULT\\s+\\d+ ${s}@@${VDSO_VERSION}`), s);
      }
      assert.match(dyn, /Name: LINUX_4\.15/);
      const dis = tool("riscv64-linux-gnu-objdump", ["-d", "-j", ".text"]);
      assert.match(
        dis,
        /<__vdso_rt_sigreturn@@LINUX_4\.15>:\n\s+\w+:\s+08b00893\s+li\s+a7,139\n\s+\w+:\s+00000073\s+ecall/,
      );
      assert.match(dis, /rdtime/);
      assert.doesNotMatch(dis, /unknown|\.word|\.insn/);
    } finally {
      Deno.removeSync(file);
    }
  },
});

/** Calls vDSO function `name` on a bare kernel's first thread; returns the result and memory. */
function callVdso(name: string, a0: number, a1: number, instret: number) {
  const k = testKernel({
    maps: [[0x1000, 0x1000, PROT_READ | PROT_EXEC], [0x10000, 0x1000, PROT_READ | PROT_WRITE]],
  });
  k.mem.poke(0x1000, new Uint8Array([0x73, 0x00, 0x10, 0x00])); // ebreak: the return address
  const v = setupVdso(k);
  assert.equal(v.base, VDSO_BASE);
  const t = k.mainThread;
  t.hart.instret = instret;
  t.hart.setXNumber(1, 0x1000);
  t.hart.setXNumber(2, 0x10f00);
  t.hart.setXNumber(10, a0);
  t.hart.setXNumber(11, a1);
  t.hart.pc = VDSO_BASE + vdsoImage().symbols.get(name)!;
  let trapped = false;
  k.addFaultInterceptor((_t, info) => (trapped = info.signo === SIGTRAP));
  k.step(t, 10_000);
  assert.ok(trapped, "returned to ra");
  assert.equal(t.hart.pc, 0x1000);
  return { k, ret: t.hart.getXNumber(10), used: t.hart.instret - instret };
}

Deno.test("__vdso_clock_gettime computes each clock from vvar and the time CSR", () => {
  const I = 123_456_789;
  for (
    const [clock, base] of [
      [0, BigInt(REALTIME_EPOCH_SEC) * 1_000_000_000n],
      [1, BigInt(BOOT_OFFSET_NS)],
      [4, BigInt(BOOT_OFFSET_NS)],
      [7, BigInt(BOOT_OFFSET_NS)],
      [11, BigInt(REALTIME_EPOCH_SEC) * 1_000_000_000n],
    ] as const
  ) {
    const { k, ret, used } = callVdso("__vdso_clock_gettime", clock, 0x10000, I);
    assert.equal(ret, 0);
    const ns = k.mem.readU64(0x10000) * 1_000_000_000n + k.mem.readU64(0x10008);
    assert.ok(k.mem.readU64(0x10008) < 1_000_000_000n);
    assert.equal(ns % 100n, 0n, "the 10 MHz timebase");
    assert.ok(ns >= base + BigInt(Math.floor(I / 100) * 100), `clock ${clock}`);
    assert.ok(ns <= base + BigInt(I + used), `clock ${clock}`);
    assert.ok(used < 80, `${used} instructions`);
  }
  // The coarse clocks are truncated to the 4 ms tick.
  const coarse = callVdso("__vdso_clock_gettime", 6, 0x10000, 9_000_000);
  assert.equal(coarse.k.mem.readU64(0x10000), 100n);
  assert.equal(coarse.k.mem.readU64(0x10008), 8_000_000n);
});

Deno.test("__vdso_gettimeofday and __vdso_clock_getres", () => {
  const g = callVdso("__vdso_gettimeofday", 0x10000, 0x10010, 2_500_000_000);
  assert.equal(g.ret, 0);
  assert.equal(g.k.mem.readU64(0x10000), BigInt(REALTIME_EPOCH_SEC + 2));
  assert.ok(g.k.mem.readU64(0x10008) >= 500_000n && g.k.mem.readU64(0x10008) < 500_001n);
  assert.equal(g.k.mem.readU64(0x10010), 0n, "timezone 0, 0 (UTC)");
  const r = callVdso("__vdso_clock_getres", 1, 0x10000, 0);
  assert.equal(r.ret, 0);
  assert.deepEqual([r.k.mem.readU64(0x10000), r.k.mem.readU64(0x10008)], [0n, 1n]);
  const rc = callVdso("__vdso_clock_getres", 5, 0x10000, 0);
  assert.deepEqual([rc.k.mem.readU64(0x10000), rc.k.mem.readU64(0x10008)], [0n, 4_000_000n]);
  assert.equal(callVdso("__vdso_clock_getres", 1, 0, 0).ret, 0, "NULL res is allowed");
});

Deno.test("[vvar] and [vdso] sit above the mmap base; signals return through the vDSO", () => {
  const k = testKernel();
  const v = setupVdso(k);
  setupSignals(k, v.sigreturn);
  assert.equal(k.mem.mappingAt(VVAR_BASE)?.name, "[vvar]");
  assert.equal(k.mem.mappingAt(VVAR_BASE)?.prot, PROT_READ);
  assert.equal(k.mem.mappingAt(VDSO_BASE)?.name, "[vdso]");
  assert.equal(k.mem.mappingAt(VDSO_BASE)?.prot, PROT_READ | PROT_EXEC);
  assert.equal(k.mem.readU32(v.sigreturn), 0x08b00893);
  assert.match(k.symbols.where(v.sigreturn), /\(__vdso_rt_sigreturn\+0x0\)/);
});

function traced(opts: Parameters<typeof run>[0]): { r: RunResult; trace: string } {
  const lines: string[] = [];
  const r = run({ ...opts, writers: [(src) => createStraceWriter(src, (l) => lines.push(l))] });
  return { r, trace: lines.join("\n") };
}

const clockCalls = (trace: string) =>
  trace.split("\n").filter((l) => /^(clock_gettime|gettimeofday)\(/.test(l));

Deno.test("static glibc: clock reads use the vDSO; --vdso off traps; both match qemu", () => {
  const program = `${GUESTS}/bin/vdso_clock`;
  const on = traced({ program, cwd: GUESTS });
  assertLikeQemu("vdso_clock", on.r);
  // Only the clocks the vDSO does not serve (CPU-time clocks, bad ids) still trap.
  const left = clockCalls(on.trace);
  assert.ok(left.length > 0);
  for (const l of left) assert.match(l, /CLOCK_(PROCESS|THREAD)_CPUTIME_ID|CLOCK_\?\?\?/, l);
  assert.equal(on.trace, traced({ program, cwd: GUESTS }).trace, "two runs are identical");
  const off = traced({ program, cwd: GUESTS, vdso: false });
  assertLikeQemu("vdso_clock", off.r);
  assert.ok(clockCalls(off.trace).some((l) => l.startsWith("clock_gettime(CLOCK_MONOTONIC,")));
  // Without a vDSO glibc's gettimeofday and time() read CLOCK_REALTIME by syscall.
  assert.ok(clockCalls(off.trace).some((l) => l.startsWith("clock_gettime(CLOCK_REALTIME,")));
  // A profile can take the vDSO away (a zkVM without one).
  const noVdso = parseProfile({ name: "no-vdso", extends: "advanced", vdso: false }, "test");
  assert.equal(noVdso.vdso, false);
});

Deno.test({
  name: "dynamic glibc: ld.so sets up the vDSO and clock reads stop trapping",
  ignore: !haveSysroot(),
  fn() {
    const program = `${GUESTS}/bin/vdso_clock_dyn`;
    const on = traced({ program, cwd: GUESTS, sysroot: SYSROOT });
    assertLikeQemu("vdso_clock_dyn", on.r);
    for (const l of clockCalls(on.trace)) {
      assert.match(l, /CLOCK_(PROCESS|THREAD)_CPUTIME_ID|CLOCK_\?\?\?/, l);
    }
    const off = traced({ program, cwd: GUESTS, sysroot: SYSROOT, vdso: false });
    assertLikeQemu("vdso_clock_dyn", off.r);
    assert.ok(clockCalls(off.trace).some((l) => l.startsWith("clock_gettime(CLOCK_REALTIME,")));
  },
});

Deno.test("Go uses __vdso_clock_gettime: no clock_gettime with the vDSO, same output without", () => {
  const opts = {
    program: `${ROOT}guests/bin/go/t8n`,
    args: ["--input.alloc=alloc.json", "--input.env=env.json", "--input.txs=txs.json"],
    cwd: `${ROOT}guests/fixtures/t8n`,
  };
  const on = traced(opts);
  const off = traced({ ...opts, vdso: false });
  assert.equal(on.r.status, 0, on.r.message);
  assert.equal(new TextDecoder().decode(on.r.stdout), new TextDecoder().decode(off.r.stdout));
  assert.equal(on.r.stats.syscalls.clock_gettime ?? 0, 0);
  // As the study's real-kernel log of geth t8n (riscv64 Linux, with its vDSO): no clock_gettime.
  try {
    const real = Deno.readTextFileSync(`${ROOT}data/study/geth_t8n_strace.log`);
    assert.equal(real.split("\n").filter((l) => /\bclock_gettime\(/.test(l)).length, 0);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  assert.ok((off.r.stats.syscalls.clock_gettime ?? 0) > 100);
  assert.ok(!off.trace.includes("[vvar]"));
  const auxvOf = (r: RunResult) => r.kernel.mem.mappings.map((m) => m.name);
  assert.ok(auxvOf(on.r).includes("[vvar]"));
  assert.ok(!auxvOf(off.r).includes("[vvar]"));
  assert.equal(AT_SYSINFO_EHDR, 33);
});

Deno.test("--vdso off reproduces the traces zkabi gave before it had a vDSO, byte for byte", () => {
  // sha256 of the strace text zkabi wrote before the vDSO (commit b5560a3), same options.
  const before: [string, string, string][] = [
    [
      "tests/guests/bin/go_threads",
      "tests/guests",
      "a33e0d00f1fe16309ec5d82435a63dc3ce9f39fe4b4240e9c4ca72a33d14884b",
    ],
    [
      "guests/bin/c/clock",
      "guests",
      "11643b325b72739c85a767b3425c4cd8572a611704248a6dce819d52ec828e3c",
    ],
  ];
  for (const [program, cwd, sha] of before) {
    const { trace } = traced({
      program: `${ROOT}${program}`,
      cwd: `${ROOT}${cwd}`,
      pathMap: { host: ROOT.replace(/\/$/, ""), guest: "/zkabi" },
      vdso: false,
    });
    // Since then signal lines print the sender's real uid (si_uid was always 0): the one
    // intended change, undone here so the comparison stays with the old bytes.
    const old = trace.replaceAll("si_uid=1000}", "si_uid=0}");
    assert.equal(createHash("sha256").update(old).digest("hex"), sha, program);
  }
});

Deno.test("zkabi run --vdso on|off", async () => {
  const cli = async (...args: string[]) => {
    const o = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}cli.ts`, "run", ...args],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: o.code, stderr: new TextDecoder().decode(o.stderr) };
  };
  const bad = await cli("--vdso", "maybe", "guests/bin/c/hello");
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /^zkabi: --vdso: expected on or off, got 'maybe'/);
  const off = await cli("--vdso", "off", "--strace", "tests/guests/bin/vdso_clock");
  assert.equal(off.code, 0);
  assert.match(off.stderr, /^clock_gettime\(CLOCK_MONOTONIC, /m);
  const on = await cli("--vdso", "on", "--strace", "tests/guests/bin/vdso_clock");
  assert.equal(on.code, 0);
  assert.doesNotMatch(on.stderr, /^clock_gettime\(CLOCK_MONOTONIC, /m);
});
