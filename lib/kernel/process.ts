/**
 * Process syscalls: exit_group, the process and user ids,
 * set_tid_address, robust lists, rseq, resource limits, umask, prctl,
 * getrusage, times, process groups and sessions, personality.
 *
 * The guest is one process of an unprivileged user: pid 1000 (its first
 * thread's tid), parent 999 (a shell), uid/gid 1000 (real, effective and
 * saved) with one supplementary group (1000), its own process group 1000 in
 * the shell's session 999. Resource limits start as a login shell's on a
 * typical Linux system ({@linkcode DEFAULT_RLIMITS}).
 * @module
 */

import { EFAULT, EINVAL, ENOSYS, EPERM, ESRCH } from "../abi/errno.ts";
import { fdTable } from "./fd_table.ts";
import { inheritAffinity } from "./info.ts";
import type { Kernel } from "./kernel.ts";
import { nameAnonymousRange } from "./memory.ts";
import type { Thread } from "./thread.ts";
import { monotonicNs, processCpuNs, threadCpuNs, USER_HZ } from "./time.ts";
import {
  NO_RESULT,
  type SyscallArgs,
  type SyscallFamilyTable,
  type SyscallResult,
} from "./types.ts";

/** Parent process id the guest sees. */
export const PPID = 999;
/** Real, effective and saved user id, and group ids. */
export const UID = 1000;
/** Real, effective and saved group id. */
export const GID = 1000;
/** The session the process belongs to (its parent shell's). */
export const SID = 999;

/** RLIM_INFINITY (~0 as a 64-bit unsigned). */
export const RLIM_INFINITY: bigint = (1n << 64n) - 1n;
/** Resource numbers (asm-generic/resource.h). */
export const RLIMIT_CPU = 0;
/** Largest file size. */
export const RLIMIT_FSIZE = 1;
/** Data segment (brk and private writable mappings). */
export const RLIMIT_DATA = 2;
/** Stack size. */
export const RLIMIT_STACK = 3;
/** Core file size. */
export const RLIMIT_CORE = 4;
/** Resident set size. */
export const RLIMIT_RSS = 5;
/** Processes of the user. */
export const RLIMIT_NPROC = 6;
/** Open files (one more than the highest fd). */
export const RLIMIT_NOFILE = 7;
/** Locked memory. */
export const RLIMIT_MEMLOCK = 8;
/** Address space. */
export const RLIMIT_AS = 9;
/** Queued signals (with POSIX timers, which hold one each). */
export const RLIMIT_SIGPENDING = 11;
/** Number of resources (RLIM_NLIMITS). */
export const RLIM_NLIMITS = 16;
/** The most fds a process may have (fs.nr_open): RLIMIT_NOFILE's ceiling. */
export const NR_OPEN = 1048576;

/** One resource limit. */
export interface Rlimit {
  /** Soft limit. */
  cur: bigint;
  /** Hard limit. */
  max: bigint;
}

const INF = RLIM_INFINITY;
const MIB8 = 8n * 1024n * 1024n;

/**
 * Starting limits, by resource number: CPU, FSIZE, DATA unlimited; STACK
 * 8 MiB soft, unlimited hard; CORE 0 soft; RSS unlimited; NPROC 4096;
 * NOFILE 1024 soft, 1048576 hard; MEMLOCK 8 MiB; AS and LOCKS unlimited;
 * SIGPENDING 4096; MSGQUEUE 819200; NICE and RTPRIO 0; RTTIME unlimited.
 */
export const DEFAULT_RLIMITS: readonly Readonly<Rlimit>[] = [
  { cur: INF, max: INF },
  { cur: INF, max: INF },
  { cur: INF, max: INF },
  { cur: MIB8, max: INF },
  { cur: 0n, max: INF },
  { cur: INF, max: INF },
  { cur: 4096n, max: 4096n },
  { cur: 1024n, max: BigInt(NR_OPEN) },
  { cur: MIB8, max: MIB8 },
  { cur: INF, max: INF },
  { cur: INF, max: INF },
  { cur: 4096n, max: 4096n },
  { cur: 819200n, max: 819200n },
  { cur: 0n, max: 0n },
  { cur: 0n, max: 0n },
  { cur: INF, max: INF },
];

/** prctl options handled here. */
const PR_SET_PDEATHSIG = 1;
const PR_GET_PDEATHSIG = 2;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const PR_SET_NAME = 15;
const PR_GET_NAME = 16;
const PR_CAPBSET_READ = 23;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_GET_NO_NEW_PRIVS = 39;
const PR_SET_VMA = 0x53564d41;
const PR_SET_VMA_ANON_NAME = 0;
/** Highest capability number in Linux 6.1 (CAP_CHECKPOINT_RESTORE). */
const CAP_LAST_CAP = 40;
/** TASK_COMM_LEN: a thread name is at most 15 bytes plus NUL. */
const TASK_COMM_LEN = 16;

/** Per-process state of this family. */
interface ProcessState {
  limits: Rlimit[];
  umask: number;
  personality: number;
  /** Thread names (comm) by tid; absent: the executable's base name. */
  comm: Map<number, Uint8Array>;
  /** PR_SET_PDEATHSIG by tid. */
  pdeathsig: Map<number, number>;
  dumpable: number;
  noNewPrivs: boolean;
}

function procState(k: Kernel): ProcessState {
  return k.familyState<ProcessState>("process", () => ({
    limits: DEFAULT_RLIMITS.map((l) => ({ ...l })),
    umask: 0o022,
    personality: 0,
    comm: new Map(),
    pdeathsig: new Map(),
    dumpable: 1,
    noNewPrivs: false,
  }));
}

/** The current limit of `resource` (an RLIMIT_* number below RLIM_NLIMITS). */
export function getRlimit(k: Kernel, resource: number): Readonly<Rlimit> {
  return procState(k).limits[resource];
}

/** The process's file mode creation mask (for open, mkdir, mknod). */
export function umaskOf(k: Kernel): number {
  return procState(k).umask;
}

/**
 * The default thread name: the base name of the executable (the lowest
 * file-backed mapping, which the loader put there), cut to 15 bytes.
 */
function defaultComm(k: Kernel): Uint8Array {
  const exe = k.mem.mappings.find((m) => m.file !== undefined && m.name !== "");
  const base = (exe?.name ?? "").split("/").pop() ?? "";
  return new TextEncoder().encode(base).subarray(0, TASK_COMM_LEN - 1);
}

/** Thread `t`'s name (comm) as bytes without the NUL (/proc/self/comm, PR_GET_NAME). */
export function threadName(k: Kernel, t: Thread): Uint8Array {
  const st = procState(k);
  let name = st.comm.get(t.tid);
  if (!name) {
    name = defaultComm(k);
    st.comm.set(t.tid, name);
  }
  return name;
}

/** Renames thread `t` (cut to 15 bytes), as PR_SET_NAME or a write to /proc/self/task/N/comm. */
export function setThreadName(k: Kernel, t: Thread, name: Uint8Array): void {
  const end = name.indexOf(0);
  const bytes = name.subarray(0, end < 0 ? name.length : end).subarray(0, TASK_COMM_LEN - 1);
  procState(k).comm.set(t.tid, bytes.slice());
}

/**
 * What a new thread inherits from its creator (for the threads family's
 * clone): the name and the CPU affinity.
 */
export function inheritThreadState(k: Kernel, parent: Thread, child: Thread): void {
  setThreadName(k, child, threadName(k, parent));
  inheritAffinity(k, parent, child);
}

// ------------------------------------------------------------------ exit

/** exit_group(status): ends every thread; the low 8 bits are the exit status. */
function exitGroup(k: Kernel, _t: Thread, a: SyscallArgs): SyscallResult {
  k.exitGroup(a.int(0) & 0xff);
  return NO_RESULT;
}

// ------------------------------------------------------------------- ids

function constant(v: number): () => number {
  return () => v;
}

/** Writes 32-bit values to each pointer in turn, stopping at the first that faults. */
function putIds(k: Kernel, ptrs: number[], v: number): number {
  const b = new Uint8Array(new Uint32Array([v]).buffer);
  for (const p of ptrs) {
    if (!k.mem.accessible(p, 4, "write")) return -EFAULT;
    k.mem.write(p, b);
  }
  return 0;
}

/** getresuid(ruid, euid, suid) and getresgid: three u32 stores. */
function getresid(v: number): (k: Kernel, t: Thread, a: SyscallArgs) => number {
  return (k, _t, a) => putIds(k, [a.ptr(0), a.ptr(1), a.ptr(2)], v);
}

/**
 * The set*id family as Linux treats an unprivileged process whose real,
 * effective and saved ids are all `id` (1000): changing to that id (or
 * leaving a field unchanged with -1) succeeds and changes nothing; any other
 * id needs CAP_SETUID/CAP_SETGID and is EPERM. `count` is how many id
 * arguments the call takes (setuid 1, setreuid 2, setresuid 3).
 */
function setIds(id: number, count: number): (k: Kernel, t: Thread, a: SyscallArgs) => number {
  return (_k, _t, a) => {
    for (let i = 0; i < count; i++) {
      const v = a.u32(i);
      // setuid/setgid take no -1 "unchanged" value: -1 is just another id there.
      if (v === id || (count > 1 && v === 0xffffffff)) continue;
      return -EPERM;
    }
    return 0;
  };
}

/** setfsuid/setfsgid: return the previous fs id; changing it is silently refused. */
function setFsId(id: number): (k: Kernel, t: Thread, a: SyscallArgs) => number {
  return () => id;
}

/**
 * getgroups(size, list): one supplementary group (1000). size 0 asks for
 * the count; a smaller positive size is EINVAL.
 */
function getgroups(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const size = a.int(0);
  if (size < 0) return -EINVAL;
  if (size === 0) return 1;
  return putIds(k, [a.ptr(1)], GID) === 0 ? 1 : -EFAULT;
}

/** The live thread named by a pid argument (0: the caller), or undefined. */
function taskByPid(k: Kernel, t: Thread, pid: number): Thread | undefined {
  if (pid === 0) return t;
  return k.threads.find((x) => x.tid === pid && x.state !== "exited");
}

/** set_tid_address(tidptr): stored for the exit-time clear and wake; returns the tid. */
function setTidAddress(_k: Kernel, t: Thread, a: SyscallArgs): number {
  t.clearChildTid = a.ptr(0);
  return t.tid;
}

/** set_robust_list(head, len): len must be sizeof(struct robust_list_head) = 24. */
function setRobustList(_k: Kernel, t: Thread, a: SyscallArgs): number {
  if (a.ptr(1) !== 24) return -EINVAL;
  t.robustList = a.ptr(0);
  t.robustListLen = 24;
  return 0;
}

/** get_robust_list(pid, head_ptr, len_ptr): len (size_t) is stored first, then the head. */
function getRobustList(k: Kernel, t: Thread, a: SyscallArgs): number {
  const target = taskByPid(k, t, a.int(0));
  if (!target) return -ESRCH;
  const lenPtr = a.ptr(2);
  const headPtr = a.ptr(1);
  if (!k.mem.accessible(lenPtr, 8, "write")) return -EFAULT;
  k.mem.writeU64(lenPtr, 24);
  if (!k.mem.accessible(headPtr, 8, "write")) return -EFAULT;
  k.mem.writeU64(headPtr, target.robustList);
  return 0;
}

/** rseq: not offered; glibc then runs without restartable sequences. */
function rseq(): number {
  return -ENOSYS;
}

// --------------------------------------------------------------- rlimits

function readRlimit(k: Kernel, addr: number): Rlimit | undefined {
  if (!k.mem.accessible(addr, 16, "read")) return undefined;
  return { cur: k.mem.readU64(addr), max: k.mem.readU64(addr + 8) };
}

function writeRlimit(k: Kernel, addr: number, l: Rlimit): boolean {
  if (!k.mem.accessible(addr, 16, "write")) return false;
  k.mem.writeU64(addr, l.cur);
  k.mem.writeU64(addr + 8, l.max);
  return true;
}

/**
 * Linux's do_prlimit: EINVAL for a bad resource or soft > hard; EPERM when
 * NOFILE's hard limit exceeds nr_open or any hard limit is raised (no
 * CAP_SYS_RESOURCE). Stores `next` and returns the old limit.
 */
function doPrlimit(k: Kernel, resource: number, next: Rlimit | undefined): Rlimit | number {
  if (resource >= RLIM_NLIMITS) return -EINVAL;
  const cur = procState(k).limits[resource];
  const old = { ...cur };
  if (next) {
    if (next.cur > next.max) return -EINVAL;
    if (resource === RLIMIT_NOFILE && next.max > BigInt(NR_OPEN)) return -EPERM;
    if (next.max > cur.max) return -EPERM;
    cur.cur = next.cur;
    cur.max = next.max;
    // The descriptor table enforces the soft limit on new descriptors.
    if (resource === RLIMIT_NOFILE) fdTable(k).limit = Number(next.cur);
  }
  return old;
}

/**
 * prlimit64(pid, resource, new, old): struct rlimit64 {u64 rlim_cur @0;
 * u64 rlim_max @8}. The new limit is read first (EFAULT), then the pid
 * (ESRCH), then do_prlimit; a failing store of the old value is EFAULT
 * after the new one took effect, as in Linux.
 */
function prlimit64(k: Kernel, t: Thread, a: SyscallArgs): number {
  const newPtr = a.ptr(2);
  const oldPtr = a.ptr(3);
  let next: Rlimit | undefined;
  if (newPtr !== 0) {
    next = readRlimit(k, newPtr);
    if (!next) return -EFAULT;
  }
  if (!taskByPid(k, t, a.int(0))) return -ESRCH;
  const old = doPrlimit(k, a.u32(1), next);
  if (typeof old === "number") return old;
  if (oldPtr !== 0 && !writeRlimit(k, oldPtr, old)) return -EFAULT;
  return 0;
}

/** getrlimit(resource, rlim): struct rlimit, the same layout as rlimit64 on riscv64. */
function getrlimit(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const old = doPrlimit(k, a.u32(0), undefined);
  if (typeof old === "number") return old;
  return writeRlimit(k, a.ptr(1), old) ? 0 : -EFAULT;
}

/** setrlimit(resource, rlim): within the hard limit, which may only be lowered. */
function setrlimit(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const next = readRlimit(k, a.ptr(1));
  if (!next) return -EFAULT;
  const r = doPrlimit(k, a.u32(0), next);
  return typeof r === "number" ? r : 0;
}

/** umask(mask): sets the low 9 bits, returns the previous mask. */
function umask(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const st = procState(k);
  const old = st.umask;
  st.umask = a.u32(0) & 0o777;
  return old;
}

// ----------------------------------------------------------------- prctl

/** Reads a name as strncpy_from_user does: up to `max` bytes or a NUL; undefined on a fault first. */
function readName(k: Kernel, addr: number, max: number): Uint8Array | undefined {
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    if (!k.mem.accessible(addr + i, 1, "read")) return undefined;
    const b = k.mem.readU8(addr + i);
    if (b === 0) break;
    out.push(b);
  }
  return Uint8Array.from(out);
}

/**
 * prctl(option, arg2, arg3, arg4, arg5). Handled: PR_SET_NAME/PR_GET_NAME
 * (per thread, 16 bytes), PR_SET_PDEATHSIG/PR_GET_PDEATHSIG,
 * PR_GET_DUMPABLE/PR_SET_DUMPABLE, PR_CAPBSET_READ (every capability is in
 * the bounding set), PR_SET_NO_NEW_PRIVS/PR_GET_NO_NEW_PRIVS, and PR_SET_VMA
 * with PR_SET_VMA_ANON_NAME (names anonymous mappings `[anon:NAME]`, as a
 * kernel with CONFIG_ANON_VMA_NAME). Any other option is EINVAL.
 */
function prctl(k: Kernel, t: Thread, a: SyscallArgs): number {
  const st = procState(k);
  const option = a.int(0);
  const arg2 = a.u64(1);
  switch (option) {
    case PR_SET_PDEATHSIG:
      if (arg2 > 64n) return -EINVAL;
      st.pdeathsig.set(t.tid, Number(arg2));
      return 0;
    case PR_GET_PDEATHSIG:
      return putIds(k, [a.ptr(1)], st.pdeathsig.get(t.tid) ?? 0);
    case PR_GET_DUMPABLE:
      return st.dumpable;
    case PR_SET_DUMPABLE:
      if (arg2 !== 0n && arg2 !== 1n) return -EINVAL;
      st.dumpable = Number(arg2);
      return 0;
    case PR_SET_NAME: {
      const name = readName(k, a.ptr(1), TASK_COMM_LEN - 1);
      if (!name) return -EFAULT;
      setThreadName(k, t, name);
      return 0;
    }
    case PR_GET_NAME: {
      const out = new Uint8Array(TASK_COMM_LEN);
      out.set(threadName(k, t));
      const p = a.ptr(1);
      if (!k.mem.accessible(p, TASK_COMM_LEN, "write")) return -EFAULT;
      k.mem.write(p, out);
      return 0;
    }
    case PR_CAPBSET_READ:
      return arg2 <= BigInt(CAP_LAST_CAP) ? 1 : -EINVAL;
    case PR_SET_NO_NEW_PRIVS:
      if (arg2 !== 1n || a.u64(2) !== 0n || a.u64(3) !== 0n || a.u64(4) !== 0n) return -EINVAL;
      st.noNewPrivs = true;
      return 0;
    case PR_GET_NO_NEW_PRIVS:
      if (arg2 !== 0n || a.u64(2) !== 0n || a.u64(3) !== 0n || a.u64(4) !== 0n) return -EINVAL;
      return st.noNewPrivs ? 1 : 0;
    case PR_SET_VMA:
      if (arg2 !== BigInt(PR_SET_VMA_ANON_NAME)) return -EINVAL;
      return setVmaName(k, a);
    default:
      return -EINVAL;
  }
}

/** ANON_VMA_NAME_MAX_LEN: a VMA name is at most 79 bytes plus NUL. */
const ANON_NAME_MAX = 80;

/**
 * PR_SET_VMA_ANON_NAME(addr, size, name): the name (NULL clears it) must
 * be printable ASCII without `\`, backquote, `$`, `[` or `]` (EINVAL), and
 * at most 79 bytes (EINVAL); unreadable is EFAULT.
 */
function setVmaName(k: Kernel, a: SyscallArgs): number {
  const namePtr = a.ptr(4);
  let name: string | undefined;
  if (namePtr !== 0) {
    const bytes: number[] = [];
    for (let i = 0;; i++) {
      if (i === ANON_NAME_MAX) return -EINVAL;
      if (!k.mem.accessible(namePtr + i, 1, "read")) return -EFAULT;
      const b = k.mem.readU8(namePtr + i);
      if (b === 0) break;
      bytes.push(b);
    }
    for (const b of bytes) {
      if (b <= 0x1f || b >= 0x7f || "\\`$[]".includes(String.fromCharCode(b))) return -EINVAL;
    }
    name = String.fromCharCode(...bytes);
  }
  return nameAnonymousRange(k, a.ptr(2), a.ptr(3), name);
}

// ----------------------------------------------------------- accounting

/** RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD. */
const RUSAGE_SELF = 0;
const RUSAGE_CHILDREN = -1;
const RUSAGE_THREAD = 1;

/**
 * getrusage(who, usage): struct rusage (144 bytes): timeval ru_utime @0,
 * ru_stime @16, then 14 longs from @32: maxrss (KiB), ixrss, idrss, isrss,
 * minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw,
 * nivcsw. User time is the CPU time of the virtual clock, system time 0;
 * maxrss is the peak of touched guest pages; minflt counts touched pages;
 * nivcsw the context switches. A child-less process's CHILDREN usage is 0.
 */
function getrusage(k: Kernel, t: Thread, a: SyscallArgs): number {
  const who = a.int(0);
  if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN && who !== RUSAGE_THREAD) return -EINVAL;
  const b = new Uint8Array(144);
  const dv = new DataView(b.buffer);
  if (who !== RUSAGE_CHILDREN) {
    const ns = who === RUSAGE_SELF ? processCpuNs(k) : threadCpuNs(k, t);
    dv.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
    dv.setBigInt64(8, BigInt(Math.floor((ns % 1e9) / 1000)), true);
    dv.setBigInt64(32, BigInt(k.mem.peakTouchedPages * 4), true);
    dv.setBigInt64(64, BigInt(k.mem.peakTouchedPages), true);
    const switches = who === RUSAGE_SELF ? k.counters.contextSwitches : t.switches;
    dv.setBigInt64(136, BigInt(switches), true);
  }
  const p = a.ptr(1);
  if (!k.mem.accessible(p, 144, "write")) return -EFAULT;
  k.mem.write(p, b);
  return 0;
}

/**
 * times(buf): struct tms {clock_t tms_utime, tms_stime, tms_cutime,
 * tms_cstime} in USER_HZ ticks (buf may be NULL); returns CLOCK_MONOTONIC
 * in ticks (zkabi's boot counts from 0 jiffies).
 */
function times(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const p = a.ptr(0);
  if (p !== 0) {
    const b = new Uint8Array(32);
    new DataView(b.buffer).setBigInt64(
      0,
      BigInt(Math.floor(processCpuNs(k) / (1e9 / USER_HZ))),
      true,
    );
    if (!k.mem.accessible(p, 32, "write")) return -EFAULT;
    k.mem.write(p, b);
  }
  return Number(monotonicNs(k) / BigInt(1e9 / USER_HZ));
}

// ------------------------------------------------------ groups, sessions

/** The process group of a process this one can see: itself (1000) or its parent shell (999). */
function groupOf(k: Kernel, t: Thread, pid: number): number | undefined {
  if (pid === PPID) return PPID;
  return taskByPid(k, t, pid) ? k.pid : undefined;
}

/** getpgid(pid): 0 or a thread of this process: 1000; the parent: 999; else ESRCH. */
function getpgid(k: Kernel, t: Thread, a: SyscallArgs): number {
  return groupOf(k, t, a.int(0)) ?? -ESRCH;
}

/** getsid(pid): the shell's session 999 for this process and its parent; else ESRCH. */
function getsid(k: Kernel, t: Thread, a: SyscallArgs): number {
  return groupOf(k, t, a.int(0)) === undefined ? -ESRCH : SID;
}

/**
 * setpgid(pid, pgid): the process already leads its own group, so moving
 * itself to it (0/own pid) succeeds; a negative pgid is EINVAL; any other
 * process is ESRCH; any other group EPERM.
 */
function setpgid(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const pid = a.int(0);
  const pgid = a.int(1);
  if (pgid < 0) return -EINVAL;
  if (pid !== 0 && pid !== k.pid) return -ESRCH;
  return pgid === 0 || pgid === k.pid ? 0 : -EPERM;
}

/** setsid(): a process-group leader may not start a session (EPERM). */
function setsid(): number {
  return -EPERM;
}

/** personality(persona): 0xffffffff only queries; returns the previous persona (PER_LINUX 0). */
function personality(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const st = procState(k);
  const old = st.personality;
  const p = a.u32(0);
  if (p !== 0xffffffff) st.personality = p;
  return old;
}

/** The process family's handlers by syscall name. */
export const PROCESS: SyscallFamilyTable = {
  family: "process",
  handlers: {
    exit_group: exitGroup,
    getpid: (k) => k.pid,
    getppid: constant(PPID),
    getuid: constant(UID),
    geteuid: constant(UID),
    getgid: constant(GID),
    getegid: constant(GID),
    getresuid: getresid(UID),
    getresgid: getresid(GID),
    getgroups,
    setgroups: () => -EPERM,
    setuid: setIds(UID, 1),
    setgid: setIds(GID, 1),
    setreuid: setIds(UID, 2),
    setregid: setIds(GID, 2),
    setresuid: setIds(UID, 3),
    setresgid: setIds(GID, 3),
    setfsuid: setFsId(UID),
    setfsgid: setFsId(GID),
    set_tid_address: setTidAddress,
    set_robust_list: setRobustList,
    get_robust_list: getRobustList,
    rseq,
    prlimit64,
    getrlimit,
    setrlimit,
    umask,
    prctl,
    getrusage,
    times,
    getpgid,
    getsid,
    setpgid,
    setsid,
    personality,
  },
};
