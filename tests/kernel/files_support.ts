/**
 * Test support for the files family: a throw-away host world (a sysroot, a
 * working directory, a writable mount), a kernel whose filesystem view is
 * built from it, and a way to call handlers with guest pointers.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { type FilesSetup, setupFiles } from "../../lib/kernel/mounts.ts";
import { isWait, type Wait } from "../../lib/kernel/types.ts";
import { PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { num, sys, testKernel } from "../support/kernel.ts";
import { scratchDir } from "../support/scratch.ts";

/** Scratch read-write region for syscall buffers (64 KiB). */
export const BUF = 0x10000;
/** Size of {@linkcode BUF}. */
export const BUF_SIZE = 0x10000;
/** A read-only page (writes by the kernel fault). */
export const RO_PAGE = 0x30000;
/** An address with nothing mapped. */
export const UNMAPPED = 0x50000;
/** AT_FDCWD. */
export const AT_FDCWD = -100;

/** A host directory tree to build guests' views from. */
export interface World {
  /** Base temp directory. */
  base: string;
  /** The sysroot (mounted at `/`). */
  sysroot: string;
  /** The working directory (mounted at its own path). */
  cwd: string;
  /** A writable host directory, mounted at `/data`. */
  rw: string;
  /** Removes everything. */
  dispose(): void;
}

/**
 * Creates the world:
 * - sysroot: etc/passwd ("root:x:0:0\n"), usr/lib/libc.so.6 ("LIBC"),
 *   lib -> usr/lib, etc/up -> ../../../../.. (climbs above the root);
 * - cwd (`<base>/home/me/work`): input.txt ("line one\nline two\n"),
 *   sub/.keep, abs -> /etc/passwd, rel -> ../work/input.txt,
 *   loop1 <-> loop2, dangling -> nowhere;
 * - a sibling `<base>/home/me/secret.txt` that must stay invisible;
 * - rw (`<base>/rw`): empty, writable.
 */
export function makeWorld(): World {
  const base = scratchDir("zkabi-vfs-");
  const sysroot = join(base, "sysroot");
  const cwd = join(base, "home", "me", "work");
  const rw = join(base, "rw");
  Deno.mkdirSync(join(sysroot, "etc"), { recursive: true });
  Deno.mkdirSync(join(sysroot, "usr", "lib"), { recursive: true });
  Deno.writeTextFileSync(join(sysroot, "etc", "passwd"), "root:x:0:0\n");
  Deno.writeTextFileSync(join(sysroot, "usr", "lib", "libc.so.6"), "LIBC");
  Deno.symlinkSync("usr/lib", join(sysroot, "lib"));
  Deno.symlinkSync("../../../../..", join(sysroot, "etc", "up"));
  Deno.mkdirSync(join(cwd, "sub"), { recursive: true });
  Deno.writeTextFileSync(join(cwd, "sub", ".keep"), "");
  Deno.writeTextFileSync(join(cwd, "input.txt"), "line one\nline two\n");
  Deno.symlinkSync("/etc/passwd", join(cwd, "abs"));
  Deno.symlinkSync("../work/input.txt", join(cwd, "rel"));
  Deno.symlinkSync("loop2", join(cwd, "loop1"));
  Deno.symlinkSync("loop1", join(cwd, "loop2"));
  Deno.symlinkSync("nowhere", join(cwd, "dangling"));
  Deno.writeTextFileSync(join(base, "home", "me", "secret.txt"), "secret\n");
  Deno.mkdirSync(rw);
  return {
    base,
    sysroot,
    cwd,
    rw,
    dispose: () => Deno.removeSync(base, { recursive: true }),
  };
}

/** A kernel for files tests, with what its standard streams produced. */
export interface TestKernel {
  /** The kernel. */
  k: Kernel;
  /** Chunks written to fd 1, in order. */
  stdout: Uint8Array[];
  /** Chunks written to fd 2. */
  stderr: Uint8Array[];
  /** The setup used. */
  setup: FilesSetup;
}

/** Options for {@linkcode makeKernel}. */
export interface KernelOptions {
  /** stdin bytes. */
  stdin?: string;
  /** Which standard streams are terminals. */
  terminals?: FilesSetup["terminals"];
  /** Seed (default 7). */
  seed?: number;
  /** CPUs (default 4). */
  cpus?: number;
  /** Mount the world's rw directory at /data (default true). */
  rwMount?: boolean;
  /** More mounts after /data. */
  mounts?: FilesSetup["mounts"];
}

/** Builds a kernel whose filesystem view comes from `w`. */
export function makeKernel(w: World, opts: KernelOptions = {}): TestKernel {
  const k = testKernel({
    seed: opts.seed ?? 7,
    cpus: opts.cpus ?? 4,
    maps: [[BUF, BUF_SIZE, PROT_READ | PROT_WRITE], [RO_PAGE, 0x1000, PROT_READ]],
  });
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  let input = new TextEncoder().encode(opts.stdin ?? "");
  const setup: FilesSetup = {
    sysroot: w.sysroot,
    mounts: [
      ...(opts.rwMount === false ? [] : [{ host: w.rw, guest: "/data", writable: true }]),
      ...(opts.mounts ?? []),
    ],
    cwd: w.cwd,
    exeHostPath: join(w.sysroot, "usr", "lib", "libc.so.6"),
    exeGuestPath: "/opt/prog",
    auxv: new Uint8Array([33, 0, 0, 0, 0, 0, 0, 0]),
    stdin: (max) => {
      if (input.length === 0) return null;
      const c = input.slice(0, max);
      input = input.subarray(c.length);
      return c;
    },
    stdout: (b) => stdout.push(b),
    stderr: (b) => stderr.push(b),
    terminals: opts.terminals,
    argv: ["/opt/prog", "x y"],
    envp: ["A=1"],
  };
  setupFiles(k, setup);
  return { k, stdout, stderr, setup };
}

export { num, sys };

/** As {@linkcode sys}, asserting a wait. */
export function wait(k: Kernel, name: string, ...args: (number | bigint)[]): Wait {
  const r = sys(k, name, ...args);
  assert.ok(isWait(r), `${name} did not block (got ${String(r)})`);
  return r;
}

let strAt = BUF + BUF_SIZE - 0x4000;

/** Writes NUL-terminated `s` into the string area of the scratch region; returns its address. */
export function cstr(k: Kernel, s: string): number {
  const b = new TextEncoder().encode(s + "\0");
  if (strAt + b.length > BUF + BUF_SIZE) strAt = BUF + BUF_SIZE - 0x4000;
  const at = strAt;
  k.mem.write(at, b);
  strAt += (b.length + 7) & ~7;
  return at;
}

/** Reads `n` bytes at `addr` as text. */
export function text(k: Kernel, addr: number, n: number): string {
  return new TextDecoder().decode(k.mem.read(addr, n));
}

/** Concatenated output chunks as text. */
export function joined(chunks: Uint8Array[]): string {
  return chunks.map((c) => new TextDecoder().decode(c)).join("");
}

/** Opens `path` (relative to the cwd) and returns the fd, asserting success. */
export function open(k: Kernel, path: string, flags = 0, mode = 0o644): number {
  const fd = num(k, "openat", AT_FDCWD, cstr(k, path), flags, mode);
  assert.ok(fd >= 0, `open ${path}: ${fd}`);
  return fd;
}

/** Reads the whole file at `path` through openat/read/close. */
export function slurp(k: Kernel, path: string): string {
  const fd = open(k, path);
  let out = "";
  for (;;) {
    const n = num(k, "read", fd, BUF, 4096);
    assert.ok(n >= 0, `read ${path}: ${n}`);
    if (n === 0) break;
    out += text(k, BUF, n);
  }
  num(k, "close", fd);
  return out;
}

/** Offsets and sizes from `files_data/layout.txt` (printed by layout.c under qemu-riscv64). */
export function layout(): Map<string, number> {
  const url = new URL("./files_data/layout.txt", import.meta.url);
  const m = new Map<string, number>();
  for (const line of Deno.readTextFileSync(url).split("\n")) {
    const i = line.lastIndexOf(" ");
    if (i > 0) m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}
