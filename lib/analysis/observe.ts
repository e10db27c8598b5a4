/**
 * The argument values a run actually used, per syscall: futex operations,
 * clone flag sets, mmap protections and flags, fcntl commands, signals
 * installed and sent, clock ids, paths opened, ioctl requests, resource
 * limits, and the errno values returned. The normative ABI
 * (`lib/report/abi_spec.ts`) is written from these observations: it lists
 * exactly what a zkVM must accept, not everything Linux allows.
 *
 * Values are strace's names (`FUTEX_WAIT_PRIVATE`, `MAP_PRIVATE|MAP_ANONYMOUS`,
 * `CLOCK_MONOTONIC`, `SIGURG`) so that they read as the Linux ABI does.
 * Facets keep at most {@linkcode MAX_VALUES} distinct values (more are
 * counted under `…`).
 * @module
 */

import { errnoName } from "../abi/errno.ts";
import { signalText } from "../abi/signals.ts";
import {
  CLOCK_IDS,
  CLONE_FLAGS,
  enumText,
  EPOLL_CTL_OPS,
  FCNTL_CMDS,
  flagsText,
  futexOpText,
  GRND_FLAGS,
  IOCTL_CMDS,
  MADV,
  mmapFlagsText,
  openFlagsText,
  PROT_FLAGS,
  RLIMIT_RESOURCES,
  SIGPROCMASK_HOW,
} from "../abi/xlat.ts";
import type { SyscallEvent } from "../kernel/events.ts";
import type { GuestMemory } from "../memory/memory.ts";

/** Distinct values kept per facet. */
export const MAX_VALUES = 40;

/** Observed values: syscall → facet → value → calls. */
export type Observed = Record<string, Record<string, Record<string, number>>>;

const PATH_ARG: Readonly<Record<string, number>> = {
  openat: 1,
  newfstatat: 1,
  faccessat: 1,
  faccessat2: 1,
  readlinkat: 1,
  statx: 1,
  statfs: 0,
  execve: 0,
  unlinkat: 1,
  mkdirat: 1,
  chdir: 0,
};

function i32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/** The facets of one completed call (name → value). */
export function facetsOf(e: SyscallEvent, mem: GuestMemory): [string, string][] {
  const a = e.args;
  const out: [string, string][] = [];
  const path = PATH_ARG[e.name];
  if (path !== undefined && a[path] !== 0n) {
    const dirfdRelative = path === 1 && i32(a[0]) !== -100;
    const s = mem.readCString(Number(a[path]), 512);
    if (s !== undefined && s !== "") out.push(["path", dirfdRelative ? `(dirfd) ${s}` : s]);
    else if (s === "") out.push(["path", "(empty: the descriptor itself)"]);
  }
  switch (e.name) {
    case "futex":
      out.push(["op", futexOpText(i32(a[1]))]);
      break;
    case "clone":
      out.push(["flags", flagsText(CLONE_FLAGS, a[0] & ~0xffn, "0")]);
      if ((a[0] & 0xffn) !== 0n) out.push(["exit signal", signalText(Number(a[0] & 0xffn))]);
      break;
    case "mmap":
      out.push(["prot", flagsText(PROT_FLAGS, a[2], "PROT_NONE")]);
      out.push(["flags", mmapFlagsText(i32(a[3]))]);
      out.push(["fd", i32(a[4]) === -1 ? "-1 (anonymous)" : "a file"]);
      break;
    case "mprotect":
      out.push(["prot", flagsText(PROT_FLAGS, a[2], "PROT_NONE")]);
      break;
    case "madvise":
      out.push(["advice", enumText(MADV, a[2])]);
      break;
    case "fcntl":
      out.push(["cmd", enumText(FCNTL_CMDS, a[1])]);
      break;
    case "ioctl":
      out.push(["request", enumText(IOCTL_CMDS, a[1])]);
      break;
    case "openat":
      out.push(["flags", openFlagsText(i32(a[2]))]);
      break;
    case "rt_sigaction":
      out.push([
        a[1] === 0n ? "signal (read only)" : "signal (handler set)",
        signalText(i32(a[0])),
      ]);
      break;
    case "rt_sigprocmask":
      out.push(["how", enumText(SIGPROCMASK_HOW, a[0])]);
      break;
    case "tgkill":
      out.push(["signal", signalText(i32(a[2]))]);
      break;
    case "tkill":
    case "kill":
      out.push(["signal", signalText(i32(a[1]))]);
      break;
    case "sigaltstack":
      out.push(["use", a[0] === 0n ? "read the current stack" : "set a stack"]);
      break;
    case "clock_gettime":
    case "clock_getres":
    case "clock_nanosleep":
      out.push(["clock", enumText(CLOCK_IDS, a[0])]);
      break;
    case "prlimit64":
      out.push(["resource", enumText(RLIMIT_RESOURCES, a[1])]);
      out.push(["use", a[2] === 0n ? "read" : "set"]);
      break;
    case "epoll_ctl":
      out.push(["op", enumText(EPOLL_CTL_OPS, a[1])]);
      break;
    case "getrandom":
      out.push(["flags", flagsText(GRND_FLAGS, a[2], "0")]);
      break;
    case "read":
    case "write":
    case "close":
    case "fstat":
    case "lseek":
      out.push(["fd", fdClass(i32(a[0]))]);
      break;
  }
  const r = e.result;
  if (r !== undefined) {
    out.push(["result", r < 0 && r >= -4095 ? `-${errnoName(-r)}` : "success"]);
  }
  return out;
}

function fdClass(fd: number): string {
  if (fd >= 0 && fd <= 2) return ["0 (stdin)", "1 (stdout)", "2 (stderr)"][fd];
  return fd < 0 ? String(fd) : "3+ (opened by the program)";
}

/** Accumulates facets of calls into an {@linkcode Observed} record. */
export class Observer {
  readonly #data = new Map<string, Map<string, Map<string, number>>>();

  /** Adds one completed call. */
  add(e: SyscallEvent, mem: GuestMemory): void {
    if (e.entry || e.route === "precompile") return;
    let byFacet = this.#data.get(e.name);
    if (!byFacet) this.#data.set(e.name, byFacet = new Map());
    for (const [facet, value] of facetsOf(e, mem)) {
      let values = byFacet.get(facet);
      if (!values) byFacet.set(facet, values = new Map());
      const key = values.has(value) || values.size < MAX_VALUES ? value : "…";
      values.set(key, (values.get(key) ?? 0) + 1);
    }
  }

  /** The observations, sorted (syscalls, facets and values by name). */
  result(): Observed {
    const out: Observed = {};
    for (const name of [...this.#data.keys()].sort()) {
      const facets: Record<string, Record<string, number>> = {};
      const byFacet = this.#data.get(name)!;
      for (const f of [...byFacet.keys()].sort()) {
        const values: Record<string, number> = {};
        const m = byFacet.get(f)!;
        for (const v of [...m.keys()].sort()) values[v] = m.get(v)!;
        facets[f] = values;
      }
      out[name] = facets;
    }
    return out;
  }
}

/** Merges observations of several runs (counts added). */
export function mergeObserved(all: readonly Observed[]): Observed {
  const acc = new Map<string, Map<string, Map<string, number>>>();
  for (const o of all) {
    for (const [name, facets] of Object.entries(o)) {
      let byFacet = acc.get(name);
      if (!byFacet) acc.set(name, byFacet = new Map());
      for (const [f, values] of Object.entries(facets)) {
        let m = byFacet.get(f);
        if (!m) byFacet.set(f, m = new Map());
        for (const [v, n] of Object.entries(values)) m.set(v, (m.get(v) ?? 0) + n);
      }
    }
  }
  const out: Observed = {};
  for (const name of [...acc.keys()].sort()) {
    const facets: Record<string, Record<string, number>> = {};
    for (const f of [...acc.get(name)!.keys()].sort()) {
      const m = acc.get(name)!.get(f)!;
      const values: Record<string, number> = {};
      for (const v of [...m.keys()].sort()) values[v] = m.get(v)!;
      facets[f] = values;
    }
    out[name] = facets;
  }
  return out;
}
