/**
 * System information syscalls: uname, getrandom, sched_getaffinity,
 * sched_setaffinity, getcpu, sysinfo, riscv_hwprobe, sethostname and
 * setdomainname.
 *
 * Every answer is fixed or derived from deterministic kernel state:
 * - uname: {@linkcode UTSNAME} (a Linux 6.1 riscv64 machine named `zkabi`).
 * - getrandom: the shared stream of `random.ts`, keyed by the kernel seed.
 * - CPUs: `options.cpus` CPUs (0..n-1) online; the kernel's cpumask is
 *   {@linkcode cpumaskBytes} bytes (64 CPUs per 8 bytes, at least 8).
 * - sysinfo: {@linkcode TOTAL_RAM_BYTES} of RAM of which the touched guest
 *   pages are used, no swap, no load, uptime from CLOCK_BOOTTIME.
 * - riscv_hwprobe does not exist in Linux 6.1 (it came in 6.4): -ENOSYS, as
 *   glibc expects from such a kernel.
 * @module
 */

import { EFAULT, EINVAL, ENOSYS, EPERM, ESRCH } from "../abi/errno.ts";
import type { Kernel } from "./kernel.ts";
import { randomBytes } from "./random.ts";
import type { Thread } from "./thread.ts";
import { monotonicNs } from "./time.ts";
import type { SyscallArgs, SyscallFamilyTable } from "./types.ts";

/** The struct new_utsname fields (each a NUL-terminated string in 65 bytes), in order. */
export const UTSNAME: Readonly<{
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}> = {
  sysname: "Linux",
  nodename: "zkabi",
  release: "6.1.0-zkabi",
  version: "#1 SMP zkabi",
  machine: "riscv64",
  domainname: "(none)",
};

/** Bytes of one struct new_utsname field. */
const UTS_FIELD = 65;
/** getrandom flags: GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE. */
const GRND_NONBLOCK = 1;
const GRND_RANDOM = 2;
const GRND_INSECURE = 4;
/** getrandom reads at most INT_MAX bytes per call. */
const INT_MAX = 0x7fffffff;

/** RAM the guest machine reports (sysinfo, /proc/meminfo): 4 GiB. */
export const TOTAL_RAM_BYTES: number = 4 * 1024 * 1024 * 1024;

/** Bytes of free RAM: the total less every touched guest page. */
export function freeRamBytes(k: Kernel): number {
  return Math.max(0, TOTAL_RAM_BYTES - k.mem.touchedPages * 4096);
}

/** Size in bytes of the kernel's cpumask (what sched_getaffinity copies): 8 per 64 CPUs. */
export function cpumaskBytes(k: Kernel): number {
  return Math.max(1, Math.ceil(k.options.cpus / 64)) * 8;
}

/** Per-thread affinity masks set by sched_setaffinity (absent: every CPU). */
interface InfoState {
  affinity: Map<number, Uint8Array>;
}

function infoState(k: Kernel): InfoState {
  return k.familyState<InfoState>("info", () => ({ affinity: new Map() }));
}

/** Every online CPU as a cpumask. */
function allCpus(k: Kernel): Uint8Array {
  const m = new Uint8Array(cpumaskBytes(k));
  for (let c = 0; c < k.options.cpus; c++) m[c >> 3] |= 1 << (c & 7);
  return m;
}

/** Thread `t`'s CPU affinity mask ({@linkcode cpumaskBytes} bytes, bit n = CPU n). */
export function affinityOf(k: Kernel, t: Thread): Uint8Array {
  return infoState(k).affinity.get(t.tid) ?? allCpus(k);
}

/** Gives a new thread its creator's affinity, as clone does (for the threads family). */
export function inheritAffinity(k: Kernel, parent: Thread, child: Thread): void {
  const m = infoState(k).affinity.get(parent.tid);
  if (m) infoState(k).affinity.set(child.tid, m.slice());
}

/** The live thread a pid argument names (0: the caller), as find_process_by_pid. */
function threadByPid(k: Kernel, t: Thread, pid: number): Thread | undefined {
  if (pid === 0) return t;
  return k.threads.find((x) => x.tid === pid && x.state !== "exited");
}

function put(k: Kernel, addr: number, bytes: Uint8Array): boolean {
  if (!k.mem.accessible(addr, bytes.length, "write")) return false;
  k.mem.write(addr, bytes);
  return true;
}

/** uname(buf): struct new_utsname, six 65-byte fields (390 bytes). */
function uname(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const out = new Uint8Array(6 * UTS_FIELD);
  const enc = new TextEncoder();
  const u = UTSNAME;
  [u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname].forEach((s, i) => {
    out.set(enc.encode(s).subarray(0, UTS_FIELD - 1), i * UTS_FIELD);
  });
  return put(k, a.ptr(0), out) ? 0 : -EFAULT;
}

/** sethostname/setdomainname: an unprivileged process lacks CAP_SYS_ADMIN (checked first). */
function setName(): number {
  return -EPERM;
}

/**
 * getrandom(buf, count, flags): `count` bytes of the shared stream (at most
 * INT_MAX). Unknown flags, or GRND_INSECURE with GRND_RANDOM, are EINVAL.
 * When the buffer is only partly writable the bytes up to the first bad
 * page are written and counted (as copy_to_user stops there); none at all
 * is EFAULT.
 */
function getrandom(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const buf = a.ptr(0);
  const flags = a.u32(2);
  if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) !== 0) return -EINVAL;
  if ((flags & (GRND_INSECURE | GRND_RANDOM)) === (GRND_INSECURE | GRND_RANDOM)) return -EINVAL;
  const count = Math.min(a.ptr(1), INT_MAX);
  if (count === 0) return 0;
  const n = writablePrefix(k, buf, count);
  if (n === 0) return -EFAULT;
  k.mem.write(buf, randomBytes(k, n));
  return n;
}

/** How many bytes from `addr` (up to `len`) are writable without a gap. */
function writablePrefix(k: Kernel, addr: number, len: number): number {
  if (k.mem.accessible(addr, len, "write")) return len;
  let at = addr;
  const end = addr + len;
  while (at < end) {
    const m = k.mem.mappingAt(at);
    if (!m || (m.prot & 2) === 0) break;
    at = m.end;
  }
  return Math.min(at, end) - addr;
}

/**
 * sched_getaffinity(pid, len, mask): copies min(len, cpumask size) bytes and
 * returns that count. EINVAL when `len` is not a multiple of 8 or too small
 * for every possible CPU; ESRCH for an unknown pid.
 */
function schedGetaffinity(k: Kernel, t: Thread, a: SyscallArgs): number {
  const len = a.u32(1);
  if (len * 8 < k.options.cpus || (len & 7) !== 0) return -EINVAL;
  const target = threadByPid(k, t, a.int(0));
  if (!target) return -ESRCH;
  const mask = affinityOf(k, target);
  const n = Math.min(len, mask.length);
  return put(k, a.ptr(2), mask.subarray(0, n)) ? n : -EFAULT;
}

/**
 * sched_setaffinity(pid, len, mask): a shorter mask is zero-extended, a
 * longer one truncated; the mask must name an online CPU (else EINVAL) and
 * is kept, restricted to online CPUs, for sched_getaffinity and getcpu.
 */
function schedSetaffinity(k: Kernel, t: Thread, a: SyscallArgs): number {
  const size = cpumaskBytes(k);
  const len = Math.min(a.u32(1), size);
  const ptr = a.ptr(2);
  if (!k.mem.accessible(ptr, len, "read")) return -EFAULT;
  const mask = new Uint8Array(size);
  mask.set(k.mem.read(ptr, len));
  const target = threadByPid(k, t, a.int(0));
  if (!target) return -ESRCH;
  const online = allCpus(k);
  let any = false;
  for (let i = 0; i < size; i++) {
    mask[i] &= online[i];
    if (mask[i] !== 0) any = true;
  }
  if (!any) return -EINVAL;
  infoState(k).affinity.set(target.tid, mask);
  return 0;
}

/**
 * The CPU thread `t` runs on: its index among the threads modulo the CPU
 * count, moved up to the next CPU its affinity allows.
 */
export function cpuOf(k: Kernel, t: Thread): number {
  const n = k.options.cpus;
  const mask = affinityOf(k, t);
  const first = Math.max(0, k.threads.indexOf(t)) % n;
  for (let i = 0; i < n; i++) {
    const c = (first + i) % n;
    if ((mask[c >> 3] & (1 << (c & 7))) !== 0) return c;
  }
  return 0;
}

/** getcpu(cpu, node, tcache): either pointer may be NULL; node is always 0. */
function getcpu(k: Kernel, t: Thread, a: SyscallArgs): number {
  const word = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);
  let ok = true;
  if (a.ptr(0) !== 0) ok = put(k, a.ptr(0), word(cpuOf(k, t))) && ok;
  if (a.ptr(1) !== 0) ok = put(k, a.ptr(1), word(0)) && ok;
  return ok ? 0 : -EFAULT;
}

/**
 * sysinfo(info): struct sysinfo (riscv64, 112 bytes): long uptime @0,
 * ulong loads[3] @8, totalram @32, freeram @40, sharedram @48,
 * bufferram @56, totalswap @64, freeswap @72, u16 procs @80, u16 pad @82,
 * ulong totalhigh @88, freehigh @96, u32 mem_unit @104 (1: sizes in bytes).
 * Uptime is CLOCK_BOOTTIME rounded up to a second, as Linux does.
 */
function sysinfo(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const b = new Uint8Array(112);
  const dv = new DataView(b.buffer);
  const boot = monotonicNs(k);
  const up = boot / 1_000_000_000n + (boot % 1_000_000_000n === 0n ? 0n : 1n);
  dv.setBigInt64(0, up, true);
  dv.setBigUint64(32, BigInt(TOTAL_RAM_BYTES), true);
  dv.setBigUint64(40, BigInt(freeRamBytes(k)), true);
  dv.setUint16(80, k.threads.filter((x) => x.state !== "exited").length, true);
  dv.setUint32(104, 1, true);
  return put(k, a.ptr(0), b) ? 0 : -EFAULT;
}

/** riscv_hwprobe: not in Linux 6.1, the kernel zkabi presents. */
function riscvHwprobe(): number {
  return -ENOSYS;
}

/** The info family's handlers by syscall name. */
export const INFO: SyscallFamilyTable = {
  family: "info",
  handlers: {
    uname,
    sethostname: setName,
    setdomainname: setName,
    getrandom,
    sched_getaffinity: schedGetaffinity,
    sched_setaffinity: schedSetaffinity,
    getcpu,
    sysinfo,
    riscv_hwprobe: riscvHwprobe,
  },
};
