/**
 * The synthesized files: /proc/self (exe, maps, fd, cmdline, environ, auxv,
 * status, cwd), /proc/cpuinfo, /proc/stat, /sys, /dev devices, and the deterministic
 * random stream shared by /dev/urandom and getrandom.
 * @module
 */

import assert from "node:assert/strict";
import { EACCES, ENOENT, ENOSPC, ENXIO } from "../../lib/abi/errno.ts";
import { O_DIRECTORY, O_RDWR, O_WRONLY } from "../../lib/abi/flags.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { chacha20Block, randomBytes, streamForSeed } from "../../lib/kernel/random.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { cpuMask, procStat } from "../../lib/vfs/proc.ts";
import { hash53 } from "../../lib/vfs/types.ts";
import {
  AT_FDCWD,
  BUF,
  cstr,
  joined,
  makeKernel,
  makeWorld,
  num,
  open,
  slurp,
  text,
  type World,
} from "./files_support.ts";

function withKernel(
  name: string,
  f: (k: Kernel, w: World, out: { stdout: Uint8Array[] }) => void,
  cpus = 4,
): void {
  Deno.test(name, () => {
    const w = makeWorld();
    try {
      const t = makeKernel(w, { cpus });
      f(t.k, w, t);
    } finally {
      w.dispose();
    }
  });
}

function readlink(k: Kernel, path: string): string | number {
  const n = num(k, "readlinkat", AT_FDCWD, cstr(k, path), BUF, 4096);
  return n < 0 ? n : text(k, BUF, n);
}

function bytesOf(k: Kernel, path: string, n: number): Uint8Array {
  const fd = open(k, path);
  assert.equal(num(k, "read", fd, BUF, n), n);
  num(k, "close", fd);
  return k.mem.read(BUF, n);
}

withKernel("/proc/self: links, exe contents, cmdline, environ, auxv, status", (k, w) => {
  assert.equal(readlink(k, "/proc/self"), "1000");
  assert.equal(readlink(k, "/proc/self/exe"), "/opt/prog");
  assert.equal(readlink(k, "/proc/1000/exe"), "/opt/prog");
  assert.equal(slurp(k, "/proc/self/exe"), "LIBC"); // the host file behind the exe
  assert.equal(readlink(k, "/proc/self/cwd"), w.cwd);
  assert.equal(readlink(k, "/proc/self/root"), "/");
  assert.equal(slurp(k, "/proc/self/cmdline"), "/opt/prog\0x y\0");
  assert.equal(slurp(k, "/proc/self/environ"), "A=1\0");
  assert.deepEqual([...bytesOf(k, "/proc/self/auxv", 8)], [33, 0, 0, 0, 0, 0, 0, 0]);
  const status = slurp(k, "/proc/self/status");
  assert.match(status, /^Name:\tprog\n/);
  assert.match(status, /\nPid:\t1000\n/);
  assert.match(status, /\nPPid:\t999\n/);
  assert.match(status, /\nUid:\t1000\t1000\t1000\t1000\n/);
  assert.match(status, /\nThreads:\t1\n/);
  assert.match(status, /\nCpus_allowed:\tf\nCpus_allowed_list:\t0-3\n/);
  assert.equal(slurp(k, "/proc/self/comm"), "prog\n");
  // Magic links lead to their object.
  assert.equal(slurp(k, "/proc/self/cwd/input.txt"), "line one\nline two\n");
  assert.equal(num(k, "chdir", cstr(k, "/proc/self/cwd/sub")), 0);
  // Read-only: write access is refused, creation is EROFS.
  assert.equal(num(k, "openat", AT_FDCWD, cstr(k, "/proc/self/maps"), O_WRONLY, 0), -EACCES);
  // proc is mounted read-write; its root-owned directories refuse us.
  assert.equal(num(k, "mkdirat", AT_FDCWD, cstr(k, "/proc/x"), 0o755), -EACCES);
  assert.equal(readlink(k, "/proc/2/exe"), -ENOENT);
});

withKernel("/proc/self/fd: lists open descriptors; links name their files", (k, w) => {
  const fd = open(k, "input.txt");
  const dir = open(k, "/proc/self/fd", O_DIRECTORY);
  const n = num(k, "getdents64", dir, BUF, 4096);
  const names: string[] = [];
  for (let off = 0; off < n;) {
    const reclen = k.mem.read(BUF + off + 16, 1)[0];
    const raw = k.mem.read(BUF + off + 19, reclen - 19);
    names.push(new TextDecoder().decode(raw.subarray(0, raw.indexOf(0))));
    off += reclen;
  }
  assert.deepEqual(names, [".", "..", "0", "1", "2", "3", "4"]);
  assert.equal(readlink(k, `/proc/self/fd/${fd}`), `${w.cwd}/input.txt`);
  assert.equal(readlink(k, "/proc/self/fd/4"), "/proc/1000/fd");
  assert.match(readlink(k, "/proc/self/fd/1") as string, /^pipe:\[\d+\]$/);
  assert.equal(readlink(k, "/proc/self/fd/9"), -ENOENT);
  assert.equal(slurp(k, `/proc/self/fd/${fd}`), "line one\nline two\n");
  // Access bits of the links follow the descriptor's mode (lr-x for read-only).
  num(k, "newfstatat", AT_FDCWD, cstr(k, `/proc/self/fd/${fd}`), BUF, 0x100);
  assert.equal(k.mem.readU32(BUF + 16), 0o120500);
});

withKernel("/proc/self/maps: the kernel's line format", (k) => {
  const m = k.mem;
  m.map(0x2aaaaaa000, 0x2000, PROT_READ | PROT_EXEC, "/usr/lib/libc.so.6", {
    bytes: new Uint8Array(0x3000),
    offset: 0x1000,
  });
  m.map(0x2aaaaac000, 0x1000, PROT_READ | PROT_WRITE, "[heap]");
  m.map(0x3fffff0000, 0x1000, PROT_READ | PROT_WRITE, "/dev/zero", undefined, true);
  const fd = open(k, "/usr/lib/libc.so.6");
  num(k, "fstat", fd, BUF);
  const ino = k.mem.readU64Number(BUF + 8);
  assert.equal(ino, hash53("usr/lib/libc.so.6"));
  const pad = (s: string) => s.padEnd(72, " ") + " ";
  const expected = [
    "00010000-00020000 rw-p 00000000 00:00 0 ",
    "00030000-00031000 r--p 00000000 00:00 0 ",
    pad(`2aaaaaa000-2aaaaac000 r-xp 00001000 00:20 ${ino} `) + "/usr/lib/libc.so.6",
    pad("2aaaaac000-2aaaaad000 rw-p 00000000 00:00 0 ") + "[heap]",
    pad("3fffff0000-3fffff1000 rw-s 00000000 00:00 0 ") + "/dev/zero",
    "",
  ].join("\n");
  assert.equal(slurp(k, "/proc/self/maps"), expected);
  // The path starts in column 73, as in Linux and qemu.
  assert.equal(expected.split("\n")[2].indexOf("/usr"), 73);
});

withKernel("/proc/cpuinfo and /sys: CPU count, THP size", (k) => {
  const info = slurp(k, "/proc/cpuinfo");
  assert.equal(info.match(/^processor\t: \d+$/gm)?.length, 4);
  assert.match(info, /^isa\t\t: rv64imafdc$/m);
  assert.equal(slurp(k, "/sys/devices/system/cpu/online"), "0-3\n");
  assert.equal(slurp(k, "/sys/devices/system/cpu/possible"), "0-3\n");
  assert.equal(slurp(k, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"), "2097152\n");
  num(k, "newfstatat", AT_FDCWD, cstr(k, "/sys/devices/system/cpu/online"), BUF, 0);
  assert.equal(k.mem.readU64Number(BUF + 48), 4096);
  assert.equal(k.mem.readU32(BUF + 16), 0o100444);
  num(k, "newfstatat", AT_FDCWD, cstr(k, "/proc/cpuinfo"), BUF, 0);
  assert.equal(k.mem.readU64Number(BUF + 48), 0);
  for (const c of ["cpu0", "cpu3"]) {
    assert.equal(num(k, "faccessat", AT_FDCWD, cstr(k, `/sys/devices/system/cpu/${c}`), 0), 0);
  }
  assert.equal(num(k, "faccessat", AT_FDCWD, cstr(k, "/sys/devices/system/cpu/cpu4"), 0), -ENOENT);
});

withKernel("/proc/stat: Linux's layout, one cpuN line per CPU, the cpu line their sum", (k) => {
  const stat = slurp(k, "/proc/stat");
  const lines = stat.split("\n");
  // libgc and gopsutil count the cpuN lines for the CPU count.
  assert.equal(lines.filter((l) => /^cpu\d+ /.test(l)).length, 4);
  assert.match(lines[0], /^cpu {2}\d+( \d+){9}$/);
  const fields = (l: string) => l.split(/ +/).slice(1).map(Number);
  const sum = fields(lines[0]);
  const rows = lines.slice(1, 5).map(fields);
  for (let j = 0; j < 10; j++) assert.equal(sum[j], rows.reduce((a, r) => a + r[j], 0));
  // 100 s of uptime at the start: 10000 ticks per CPU, user plus idle.
  for (const r of rows) assert.equal(r[0] + r[3], 10000);
  assert.match(stat, /^btime 1704067100$/m);
  assert.match(stat, /^procs_running 1$/m);
  assert.match(stat, /^softirq 0( 0){10}\n$/m);
  assert.ok(stat.endsWith("\n"));
});

withKernel("/sys with one CPU says 0", (k) => {
  assert.equal(slurp(k, "/sys/devices/system/cpu/online"), "0\n");
}, 1);

withKernel("/dev: null, zero, full, stdout; device numbers", (k, _w, out) => {
  const nul = open(k, "/dev/null", O_RDWR);
  assert.equal(num(k, "read", nul, BUF, 10), 0);
  assert.equal(num(k, "write", nul, BUF, 10), 10);
  assert.equal(num(k, "lseek", nul, 100, 0), 0);
  num(k, "fstat", nul, BUF);
  assert.equal(k.mem.readU32(BUF + 16), 0o020666);
  assert.equal(k.mem.readU64Number(BUF + 32), 0x103);
  const zero = open(k, "/dev/zero");
  k.mem.write(BUF, new Uint8Array(16).fill(9));
  assert.equal(num(k, "read", zero, BUF, 16), 16);
  assert.deepEqual([...k.mem.read(BUF, 16)], new Array(16).fill(0));
  const full = open(k, "/dev/full", O_WRONLY);
  assert.equal(num(k, "write", full, BUF, 1), -ENOSPC);
  const so = open(k, "/dev/stdout", O_WRONLY);
  k.mem.write(BUF, new TextEncoder().encode("to stdout"));
  assert.equal(num(k, "write", so, BUF, 9), 9);
  assert.equal(joined(out.stdout), "to stdout");
  assert.equal(readlink(k, "/dev/stdin"), "/proc/self/fd/0");
  // No controlling terminal: /dev/tty is there (character device 5:0) but opens with ENXIO.
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "/dev/tty"), BUF, 0), 0);
  assert.equal(k.mem.readU32(BUF + 16), 0o020666);
  assert.equal(k.mem.readU64Number(BUF + 32), 0x500);
  assert.equal(num(k, "openat", AT_FDCWD, cstr(k, "/dev/tty"), O_RDWR, 0), -ENXIO);
});

withKernel("/dev/urandom: the seeded stream shared with getrandom's randomBytes", (k) => {
  const a = bytesOf(k, "/dev/urandom", 40);
  const b = randomBytes(k, 24);
  const c = bytesOf(k, "/dev/random", 8);
  const expected = streamForSeed(7).next(72);
  assert.deepEqual([...a, ...b, ...c], [...expected]);
  assert.notDeepEqual([...streamForSeed(8).next(16)], [...expected.subarray(0, 16)]);
});

Deno.test("random: two kernels with the same seed read the same bytes", () => {
  const w = makeWorld();
  try {
    const one = bytesOf(makeKernel(w, { seed: 42 }).k, "/dev/urandom", 64);
    const two = bytesOf(makeKernel(w, { seed: 42 }).k, "/dev/urandom", 64);
    assert.deepEqual(one, two);
    assert.notDeepEqual(one, bytesOf(makeKernel(w, { seed: 43 }).k, "/dev/urandom", 64));
  } finally {
    w.dispose();
  }
});

Deno.test("random: the ChaCha20 block function matches RFC 8439 §2.3.2 (and openssl)", () => {
  const key = new Uint32Array(new Uint8Array(32).map((_, i) => i).buffer);
  const nonce = new Uint32Array(new Uint8Array([0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0]).buffer);
  const hex = [...chacha20Block(key, 1, nonce)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  assert.equal(
    hex,
    "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
      "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
  );
});

Deno.test("cpuMask: the kernel's bitmap format", () => {
  assert.equal(cpuMask(1), "1");
  assert.equal(cpuMask(2), "3"); // as qemu-riscv64 on a 2-CPU host prints
  assert.equal(cpuMask(5), "1f");
  assert.equal(cpuMask(32), "ffffffff");
  assert.equal(cpuMask(40), "ff,ffffffff");
  assert.equal(cpuMask(64), "ffffffff,ffffffff");
});

Deno.test("procStat: CPU time is user time spread over the CPUs, the rest idle", () => {
  // 1.23 s of CPU time = 123 ticks over 2 CPUs; 100.5 s of uptime = 10050 ticks each.
  const lines = procStat(2, 1.23e9, 100_500_000_000n, 1704067100, 3).split("\n");
  assert.equal(lines[0], "cpu  123 0 0 19977 0 0 0 0 0 0");
  assert.equal(lines[1], "cpu0 62 0 0 9988 0 0 0 0 0 0");
  assert.equal(lines[2], "cpu1 61 0 0 9989 0 0 0 0 0 0");
  assert.equal(lines[7], "procs_running 3");
});

Deno.test("/proc/self/mountinfo and /proc/mounts list zkabi's mounts (duf read them: ENOENT before)", () => {
  const w = makeWorld();
  try {
    const { k } = makeKernel(w, { mounts: [{ host: w.rw, guest: "/a b", writable: false }] });
    const cwd = w.cwd;
    assert.equal(
      slurp(k, "/proc/self/mountinfo"),
      "21 20 0:32 / / ro,relatime - ext4 /dev/root ro\n" +
        "22 21 0:33 / /tmp rw,relatime - tmpfs tmpfs rw\n" +
        "23 21 0:34 / /dev rw,relatime - devtmpfs udev rw\n" +
        "24 23 0:35 / /dev/shm rw,relatime - tmpfs tmpfs rw\n" +
        "25 21 0:36 / /proc rw,relatime - proc proc rw\n" +
        "26 21 0:37 / /sys rw,relatime - sysfs sysfs rw\n" +
        `27 21 0:38 / ${cwd} ro,relatime - ext4 /dev/root ro\n` +
        "28 21 0:39 / /data rw,relatime - ext4 /dev/root rw\n" +
        "29 21 0:40 / /a\\040b ro,relatime - ext4 /dev/root ro\n" +
        "30 21 0:41 / /etc/hosts rw,relatime - tmpfs tmpfs rw\n",
    );
    const mounts = slurp(k, "/proc/mounts");
    assert.equal(mounts, slurp(k, "/proc/self/mounts"));
    assert.equal(mounts.split("\n")[0], "/dev/root / ext4 ro,relatime 0 0");
    assert.equal(mounts.split("\n")[8], "/dev/root /a\\040b ext4 ro,relatime 0 0");
    // The ids and devices are the ones statx and stat report.
    assert.equal(num(k, "statx", AT_FDCWD, cstr(k, "/data"), 0, 0xfff, BUF), 0);
    assert.equal(k.mem.readU64Number(BUF + 144), 28);
    assert.equal(k.mem.readU32(BUF + 136) + ":" + k.mem.readU32(BUF + 140), "0:39");
  } finally {
    w.dispose();
  }
});
