/**
 * The runner's host side: host paths and how the guest sees them, reading
 * the program, and the guest's standard streams. Shared by the built-in
 * runner (`run.ts`) and the in-guest kernel's (`lib/guest_kernel/run.ts`).
 * @module
 */

import { resolveHostPath } from "../vfs/host_path.ts";
import { EPIPE } from "../abi/errno.ts";
import type { FilesSetup } from "../kernel/mounts.ts";
import { hostErrno } from "../vfs/host_fs.ts";
import { DEFAULT_ENV, MAX_PROGRAM_BYTES, RunError, type RunOptions } from "./run.ts";

/**
 * Reads the program at `hostPath` (named `shown` in errors): a missing file
 * is {@linkcode RunError} 127; `badCode` (default 126) when it is not a
 * regular file (a directory, a device such as /dev/zero that would never
 * end, a FIFO that would block), cannot be read, or is larger than
 * {@linkcode MAX_PROGRAM_BYTES}.
 */
export function readProgram(hostPath: string, shown: string, badCode = 126): Uint8Array {
  const fail = (why: string) => new RunError(`${shown}: ${why}`, badCode);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(hostPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new RunError(`${shown}: no such file`, 127);
    throw fail(`cannot read (${(e as Error).message.split("\n")[0]})`);
  }
  if (info.isDirectory) throw fail("is a directory");
  if (!info.isFile) throw fail("not a regular file");
  if (info.size > MAX_PROGRAM_BYTES) {
    throw fail(`too large (${info.size} bytes; at most ${MAX_PROGRAM_BYTES})`);
  }
  try {
    return Deno.readFileSync(hostPath);
  } catch (e) {
    throw fail(`cannot read (${(e as Error).message.split("\n")[0]})`);
  }
}

/** Translates host paths under `map.host` to `map.guest` (identity without a map). */
export function guestPathOf(map: RunOptions["pathMap"]): (hostPath: string) => string {
  if (!map) return (p) => p;
  const host = map.host.replace(/\/+$/, "");
  const guest = map.guest.replace(/\/+$/, "");
  return (p) => {
    if (p === host) return guest || "/";
    return p.startsWith(host + "/") ? guest + p.slice(host.length) : p;
  };
}

/** `path` from `cwd` (absolute paths as they are). */
export function resolveHost(cwd: string, path: string): string {
  return path.startsWith("/") ? path : `${cwd.replace(/\/$/, "")}/${path}`;
}

/** The guest's stdin as the files family reads it: the host's, or the given bytes. */
export function inputFrom(stdin: RunOptions["stdin"]): FilesSetup["stdin"] {
  if (stdin === "inherit") {
    return (max) => {
      const buf = new Uint8Array(Math.min(max, 65536));
      const n = Deno.stdin.readSync(buf);
      return n === null ? null : buf.subarray(0, n);
    };
  }
  let rest = stdin ?? new Uint8Array(0);
  const input: FilesSetup["stdin"] = (max) => {
    if (rest.length === 0) return null;
    const chunk = rest.subarray(0, max);
    rest = rest.subarray(chunk.length);
    return chunk;
  };
  input.writerClosed = true;
  return input;
}

/** Where guest output goes: the caller's callback, the host stream, or a capture list. */
export function outputTo(
  where: RunOptions["stdout"],
  captured: Uint8Array[],
  host: { writeSync(b: Uint8Array): number },
): FilesSetup["stdout"] {
  if (typeof where === "function") return where;
  if (where === "inherit") {
    // Like a pipe or file on Linux: a reader that is gone is EPIPE (the kernel
    // then raises SIGPIPE), a full disk ENOSPC; bytes already written count.
    return (b) => {
      let off = 0;
      try {
        while (off < b.length) off += host.writeSync(b.subarray(off));
      } catch (e) {
        // Part written: the guest's next write sees the error.
        if (off > 0) return off;
        return e instanceof Deno.errors.BrokenPipe ? -EPIPE : hostErrno(e);
      }
      return off;
    };
  }
  return (b) => captured.push(b.slice());
}

/** The chunks joined into one array. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The process a run starts: where it runs, its program, and what it is told about itself. */
export interface ProcessSpec {
  /** The host working directory (absolute). */
  cwd: string;
  /** The program's host path. */
  hostPath: string;
  /** The program's bytes. */
  bytes: Uint8Array;
  /** Maps host paths to the guest's view (`RunOptions.pathMap`). */
  toGuest: (hostPath: string) => string;
  /** The name the guest is told it was run as: relative paths as given, absolute ones mapped. */
  shown: string;
  /** The executable's guest path (/proc/self/exe). */
  exeGuestPath: string;
  /** argv. */
  argv: string[];
  /** envp: {@linkcode DEFAULT_ENV} plus `RunOptions.env`. */
  envp: string[];
  /** The seed of getrandom, /dev/urandom and AT_RANDOM. */
  seed: number;
}

/** Reads the program of `opts` and works out its process (a relative cwd from the process's own). */
export function processSpec(opts: RunOptions): ProcessSpec {
  const cwd = resolveHostPath(Deno.cwd(), opts.cwd ?? ".");
  const hostPath = resolveHost(cwd, opts.program);
  const bytes = readProgram(hostPath, opts.program);
  const toGuest = guestPathOf(opts.pathMap);
  const shown = opts.program.startsWith("/") ? toGuest(opts.program) : opts.program;
  const envMap = { ...DEFAULT_ENV, ...(opts.env ?? {}) };
  return {
    cwd,
    hostPath,
    bytes,
    toGuest,
    shown,
    exeGuestPath: toGuest(hostPath),
    argv: [opts.argv0 ?? shown, ...(opts.args ?? [])],
    envp: Object.keys(envMap).map((k) => `${k}=${envMap[k]}`),
    seed: opts.seed ?? 0,
  };
}
