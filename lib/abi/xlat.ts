/**
 * Symbolic constants for the strace formatter (strace calls these tables
 * "xlat"): flag sets, enumerations and signal names as strace prints them
 * for riscv64, with values from the Linux uapi headers (asm-generic
 * numbering, which riscv64 uses). Flag tables list entries in the order
 * strace prints them; combined values (O_SYNC, STATX_ALL) come before their
 * parts so they are matched first.
 *
 * The same tables parse symbolic arguments back to numbers
 * ({@linkcode symbolValue}), which the qemu-strace comparison needs.
 * @module
 */

import {
  ADDRESS_FAMILIES,
  IP_PROTOCOLS,
  MSG_FLAGS,
  SHUTDOWN_HOW,
  SOCK_FLAGS,
  SOCKET_TYPES,
  SOCKOPT_LEVELS,
} from "./net.ts";

/** The socket tables (`net.ts`) whose names the trace comparison reads back. */
const NET_TABLES = [
  ADDRESS_FAMILIES,
  SOCKET_TYPES,
  SOCK_FLAGS,
  IP_PROTOCOLS,
  MSG_FLAGS,
  SOCKOPT_LEVELS,
  SHUTDOWN_HOW,
];

import { signalText } from "./signals.ts";

/** A table of named values: flag bits or enumeration members. */
export interface Xlat {
  /** [value, name] pairs in printing order. */
  readonly entries: readonly (readonly [bigint, string])[];
  /** What strace prints in a `/* X_??? *\/` comment for unknown values. */
  readonly unknown: string;
}

function xlat(unknown: string, entries: readonly (readonly [number | bigint, string])[]): Xlat {
  return { unknown, entries: entries.map(([v, n]) => [BigInt(v), n] as const) };
}

/** Hex as strace prints unsigned values with `%#x` (`0` for zero). */
export function hex(v: bigint | number): string {
  const b = BigInt(v);
  return b === 0n ? "0" : `0x${b.toString(16)}`;
}

/**
 * Flags as strace's printflags prints them: known names joined with `|`,
 * unknown bits appended in hex, `0` (or the table's zero name) for none, and
 * `0x.. /* X_??? *\/` when no bit is known.
 */
export function flagsText(t: Xlat, value: bigint | number, zeroName?: string): string {
  let v = BigInt.asUintN(64, BigInt(value));
  if (v === 0n) return zeroName ?? "0";
  const parts: string[] = [];
  for (const [bits, name] of t.entries) {
    if (bits !== 0n && (v & bits) === bits) {
      parts.push(name);
      v &= ~bits;
    }
  }
  if (parts.length === 0) return `${hex(v)} /* ${t.unknown} */`;
  if (v !== 0n) parts.push(hex(v));
  return parts.join("|");
}

/** An enumeration member's name, or `0x.. /* X_??? *\/`. */
export function enumText(t: Xlat, value: bigint | number): string {
  const v = BigInt(value);
  for (const [x, name] of t.entries) if (x === v) return name;
  return `${hex(BigInt.asUintN(64, v))} /* ${t.unknown} */`;
}

/** The name of `value` in `t`, if it has one. */
export function enumName(t: Xlat, value: bigint | number): string | undefined {
  const v = BigInt(value);
  for (const [x, name] of t.entries) if (x === v) return name;
  return undefined;
}

// ------------------------------------------------------------ files

/** open(2) access modes (`flags & O_ACCMODE`). */
export const OPEN_ACCMODE: Xlat = xlat("O_???", [[0, "O_RDONLY"], [1, "O_WRONLY"], [2, "O_RDWR"]]);

/** open(2) flags other than the access mode (asm-generic/fcntl.h). */
export const OPEN_FLAGS: Xlat = xlat("O_???", [
  [0o100, "O_CREAT"],
  [0o200, "O_EXCL"],
  [0o400, "O_NOCTTY"],
  [0o1000, "O_TRUNC"],
  [0o2000, "O_APPEND"],
  [0o4000, "O_NONBLOCK"],
  [0o4010000, "O_SYNC"],
  [0o10000, "O_DSYNC"],
  [0o20000, "O_ASYNC"],
  [0o40000, "O_DIRECT"],
  [0o100000, "O_LARGEFILE"],
  [0o20200000, "O_TMPFILE"],
  [0o200000, "O_DIRECTORY"],
  [0o400000, "O_NOFOLLOW"],
  [0o1000000, "O_NOATIME"],
  [0o2000000, "O_CLOEXEC"],
  [0o10000000, "O_PATH"],
]);

/** open(2) flags with the access mode first: `O_RDONLY|O_CLOEXEC`. */
export function openFlagsText(flags: number): string {
  const f = flags >>> 0;
  const mode = enumName(OPEN_ACCMODE, f & 3) ?? hex(f & 3);
  const rest = f & ~3;
  if (rest === 0) return mode;
  return `${mode}|${flagsText(OPEN_FLAGS, rest).replace(/ \/\*.*\*\/$/, "")}`;
}

/** `*at` syscall flags. */
export const AT_FLAGS: Xlat = xlat("AT_???", [
  [0x100, "AT_SYMLINK_NOFOLLOW"],
  [0x200, "AT_REMOVEDIR"],
  [0x400, "AT_SYMLINK_FOLLOW"],
  [0x800, "AT_NO_AUTOMOUNT"],
  [0x1000, "AT_EMPTY_PATH"],
  [0x2000, "AT_STATX_FORCE_SYNC"],
  [0x4000, "AT_STATX_DONT_SYNC"],
  [0x8000, "AT_RECURSIVE"],
]);

/** faccessat2's flags (AT_EACCESS shares AT_REMOVEDIR's bit). */
export const ACCESS_AT_FLAGS: Xlat = xlat("AT_???", [
  [0x100, "AT_SYMLINK_NOFOLLOW"],
  [0x200, "AT_EACCESS"],
  [0x1000, "AT_EMPTY_PATH"],
]);

/** access(2) modes. */
export const ACCESS_MODES: Xlat = xlat("?_OK", [[4, "R_OK"], [2, "W_OK"], [1, "X_OK"]]);

/** statx(2) request and result masks. */
export const STATX_MASK: Xlat = xlat("STATX_???", [
  [0xfff, "STATX_ALL"],
  [0x7ff, "STATX_BASIC_STATS"],
  [0x1, "STATX_TYPE"],
  [0x2, "STATX_MODE"],
  [0x4, "STATX_NLINK"],
  [0x8, "STATX_UID"],
  [0x10, "STATX_GID"],
  [0x20, "STATX_ATIME"],
  [0x40, "STATX_MTIME"],
  [0x80, "STATX_CTIME"],
  [0x100, "STATX_INO"],
  [0x200, "STATX_SIZE"],
  [0x400, "STATX_BLOCKS"],
  [0x800, "STATX_BTIME"],
  [0x1000, "STATX_MNT_ID"],
  [0x2000, "STATX_DIOALIGN"],
  [0x4000, "STATX_MNT_ID_UNIQUE"],
  [0x8000, "STATX_SUBVOL"],
  [0x10000, "STATX_WRITE_ATOMIC"],
]);

/** statx(2) stx_attributes. */
export const STATX_ATTRS: Xlat = xlat("STATX_ATTR_???", [
  [0x4, "STATX_ATTR_COMPRESSED"],
  [0x10, "STATX_ATTR_IMMUTABLE"],
  [0x20, "STATX_ATTR_APPEND"],
  [0x800, "STATX_ATTR_NODUMP"],
  [0x1000, "STATX_ATTR_AUTOMOUNT"],
  [0x2000, "STATX_ATTR_MOUNT_ROOT"],
  [0x100000, "STATX_ATTR_VERITY"],
  [0x200000, "STATX_ATTR_DAX"],
]);

/** File types (`st_mode & S_IFMT`). */
export const FILE_TYPES: Xlat = xlat("S_IF???", [
  [0o140000, "S_IFSOCK"],
  [0o120000, "S_IFLNK"],
  [0o100000, "S_IFREG"],
  [0o60000, "S_IFBLK"],
  [0o40000, "S_IFDIR"],
  [0o20000, "S_IFCHR"],
  [0o10000, "S_IFIFO"],
]);

/** A mode as strace prints st_mode: `S_IFREG|0644`, `S_IFDIR|S_ISVTX|0777`. */
export function modeText(mode: number): string {
  const parts: string[] = [];
  const type = mode & 0o170000;
  if (type !== 0) parts.push(enumName(FILE_TYPES, type) ?? `0${type.toString(8)}`);
  if (mode & 0o4000) parts.push("S_ISUID");
  if (mode & 0o2000) parts.push("S_ISGID");
  if (mode & 0o1000) parts.push("S_ISVTX");
  parts.push(octal(mode & 0o777));
  return parts.join("|");
}

/** Octal as C's `%#03o`: `0644`, `000`. */
export function octal(v: number): string {
  return v === 0 ? "000" : `0${v.toString(8)}`.padStart(3, "0");
}

/** lseek(2) whence. */
export const SEEK_WHENCE: Xlat = xlat("SEEK_???", [
  [0, "SEEK_SET"],
  [1, "SEEK_CUR"],
  [2, "SEEK_END"],
  [3, "SEEK_DATA"],
  [4, "SEEK_HOLE"],
]);

/** fcntl(2) commands (64-bit names). */
export const FCNTL_CMDS: Xlat = xlat("F_???", [
  [0, "F_DUPFD"],
  [1, "F_GETFD"],
  [2, "F_SETFD"],
  [3, "F_GETFL"],
  [4, "F_SETFL"],
  [5, "F_GETLK"],
  [6, "F_SETLK"],
  [7, "F_SETLKW"],
  [8, "F_SETOWN"],
  [9, "F_GETOWN"],
  [10, "F_SETSIG"],
  [11, "F_GETSIG"],
  [15, "F_SETOWN_EX"],
  [16, "F_GETOWN_EX"],
  [36, "F_OFD_GETLK"],
  [37, "F_OFD_SETLK"],
  [38, "F_OFD_SETLKW"],
  [1024, "F_SETLEASE"],
  [1025, "F_GETLEASE"],
  [1026, "F_NOTIFY"],
  [1030, "F_DUPFD_CLOEXEC"],
  [1031, "F_SETPIPE_SZ"],
  [1032, "F_GETPIPE_SZ"],
  [1033, "F_ADD_SEALS"],
  [1034, "F_GET_SEALS"],
]);

/** File descriptor flags. */
export const FD_FLAGS: Xlat = xlat("FD_???", [[1, "FD_CLOEXEC"]]);

/** ioctl(2) requests zkabi's guests use (asm-generic/ioctls.h). */
export const IOCTL_CMDS: Xlat = xlat("_IOC_???", [
  [0x5401, "TCGETS"],
  [0x5402, "TCSETS"],
  [0x5403, "TCSETSW"],
  [0x5404, "TCSETSF"],
  [0x540f, "TIOCGPGRP"],
  [0x5410, "TIOCSPGRP"],
  [0x5413, "TIOCGWINSZ"],
  [0x5414, "TIOCSWINSZ"],
  [0x541b, "FIONREAD"],
  [0x5421, "FIONBIO"],
  [0x5450, "FIONCLEX"],
  [0x5451, "FIOCLEX"],
  [0x5452, "FIOASYNC"],
  [0x802c542a, "TCGETS2"],
  [0x80045430, "TIOCGPTN"],
]);

/** termios c_iflag. */
export const TERMIOS_IFLAG: Xlat = xlat("I???", [
  [0o1, "IGNBRK"],
  [0o2, "BRKINT"],
  [0o4, "IGNPAR"],
  [0o10, "PARMRK"],
  [0o20, "INPCK"],
  [0o40, "ISTRIP"],
  [0o100, "INLCR"],
  [0o200, "IGNCR"],
  [0o400, "ICRNL"],
  [0o1000, "IUCLC"],
  [0o2000, "IXON"],
  [0o4000, "IXANY"],
  [0o10000, "IXOFF"],
  [0o20000, "IMAXBEL"],
  [0o40000, "IUTF8"],
]);

/** termios c_oflag flags (the delay fields are printed separately). */
export const TERMIOS_OFLAG: Xlat = xlat("O???", [
  [0o1, "OPOST"],
  [0o2, "OLCUC"],
  [0o4, "ONLCR"],
  [0o10, "OCRNL"],
  [0o20, "ONOCR"],
  [0o40, "ONLRET"],
  [0o100, "OFILL"],
  [0o200, "OFDEL"],
]);

/** termios c_lflag. */
export const TERMIOS_LFLAG: Xlat = xlat("???", [
  [0o1, "ISIG"],
  [0o2, "ICANON"],
  [0o4, "XCASE"],
  [0o10, "ECHO"],
  [0o20, "ECHOE"],
  [0o40, "ECHOK"],
  [0o100, "ECHONL"],
  [0o200, "NOFLSH"],
  [0o400, "TOSTOP"],
  [0o1000, "ECHOCTL"],
  [0o2000, "ECHOPRT"],
  [0o4000, "ECHOKE"],
  [0o10000, "FLUSHO"],
  [0o40000, "PENDIN"],
  [0o100000, "IEXTEN"],
  [0o200000, "EXTPROC"],
]);

/** termios c_cflag flags after the baud rate and character size. */
export const TERMIOS_CFLAG: Xlat = xlat("???", [
  [0o100, "CSTOPB"],
  [0o200, "CREAD"],
  [0o400, "PARENB"],
  [0o1000, "PARODD"],
  [0o2000, "HUPCL"],
  [0o4000, "CLOCAL"],
  [0o10000000000, "CMSPAR"],
  [0o20000000000, "CRTSCTS"],
]);

/** Baud rates (`c_cflag & CBAUD`). */
export const TERMIOS_BAUD: Xlat = xlat("B???", [
  [0, "B0"],
  [1, "B50"],
  [2, "B75"],
  [3, "B110"],
  [4, "B134"],
  [5, "B150"],
  [6, "B200"],
  [7, "B300"],
  [8, "B600"],
  [9, "B1200"],
  [10, "B1800"],
  [11, "B2400"],
  [12, "B4800"],
  [13, "B9600"],
  [14, "B19200"],
  [15, "B38400"],
  [0o10001, "B57600"],
  [0o10002, "B115200"],
  [0o10003, "B230400"],
  [0o10004, "B460800"],
  [0o10005, "B500000"],
  [0o10006, "B576000"],
  [0o10007, "B921600"],
  [0o10010, "B1000000"],
  [0o10011, "B1152000"],
  [0o10012, "B1500000"],
  [0o10013, "B2000000"],
  [0o10014, "B2500000"],
  [0o10015, "B3000000"],
  [0o10016, "B3500000"],
  [0o10017, "B4000000"],
]);

/** renameat2(2) flags. */
export const RENAME_FLAGS: Xlat = xlat("RENAME_???", [
  [1, "RENAME_NOREPLACE"],
  [2, "RENAME_EXCHANGE"],
  [4, "RENAME_WHITEOUT"],
]);

// ------------------------------------------------------------ memory

/** mmap/mprotect protections. */
export const PROT_FLAGS: Xlat = xlat("PROT_???", [
  [1, "PROT_READ"],
  [2, "PROT_WRITE"],
  [4, "PROT_EXEC"],
  [8, "PROT_SEM"],
  [0x01000000, "PROT_GROWSDOWN"],
  [0x02000000, "PROT_GROWSUP"],
]);

/** mmap mapping types (`flags & MAP_TYPE`). */
export const MAP_TYPES: Xlat = xlat("MAP_???", [
  [1, "MAP_SHARED"],
  [2, "MAP_PRIVATE"],
  [3, "MAP_SHARED_VALIDATE"],
]);

/** mmap flags other than the type. */
export const MAP_FLAGS: Xlat = xlat("MAP_???", [
  [0x10, "MAP_FIXED"],
  [0x20, "MAP_ANONYMOUS"],
  [0x100, "MAP_GROWSDOWN"],
  [0x800, "MAP_DENYWRITE"],
  [0x1000, "MAP_EXECUTABLE"],
  [0x2000, "MAP_LOCKED"],
  [0x4000, "MAP_NORESERVE"],
  [0x8000, "MAP_POPULATE"],
  [0x10000, "MAP_NONBLOCK"],
  [0x20000, "MAP_STACK"],
  [0x40000, "MAP_HUGETLB"],
  [0x80000, "MAP_SYNC"],
  [0x100000, "MAP_FIXED_NOREPLACE"],
  [0x4000000, "MAP_UNINITIALIZED"],
]);

/** mmap flags with the type first: `MAP_PRIVATE|MAP_ANONYMOUS`. */
export function mmapFlagsText(flags: number): string {
  const f = flags >>> 0;
  const type = f & 0xf;
  const rest = f & ~0xf;
  const head = type === 0 ? "" : (enumName(MAP_TYPES, type) ?? hex(type));
  if (rest === 0) return head || "0";
  const tail = flagsText(MAP_FLAGS, rest).replace(/ \/\*.*\*\/$/, "");
  return head ? `${head}|${tail}` : tail;
}

/** mremap(2) flags. */
export const MREMAP_FLAGS: Xlat = xlat("MREMAP_???", [
  [1, "MREMAP_MAYMOVE"],
  [2, "MREMAP_FIXED"],
  [4, "MREMAP_DONTUNMAP"],
]);

/** madvise(2) advice. */
export const MADV: Xlat = xlat("MADV_???", [
  [0, "MADV_NORMAL"],
  [1, "MADV_RANDOM"],
  [2, "MADV_SEQUENTIAL"],
  [3, "MADV_WILLNEED"],
  [4, "MADV_DONTNEED"],
  [8, "MADV_FREE"],
  [9, "MADV_REMOVE"],
  [10, "MADV_DONTFORK"],
  [11, "MADV_DOFORK"],
  [12, "MADV_MERGEABLE"],
  [13, "MADV_UNMERGEABLE"],
  [14, "MADV_HUGEPAGE"],
  [15, "MADV_NOHUGEPAGE"],
  [16, "MADV_DONTDUMP"],
  [17, "MADV_DODUMP"],
  [18, "MADV_WIPEONFORK"],
  [19, "MADV_KEEPONFORK"],
  [20, "MADV_COLD"],
  [21, "MADV_PAGEOUT"],
  [22, "MADV_POPULATE_READ"],
  [23, "MADV_POPULATE_WRITE"],
  [24, "MADV_DONTNEED_LOCKED"],
  [25, "MADV_COLLAPSE"],
  [100, "MADV_HWPOISON"],
  [101, "MADV_SOFT_OFFLINE"],
]);

/** msync(2) flags. */
export const MSYNC_FLAGS: Xlat = xlat("MS_???", [[1, "MS_ASYNC"], [2, "MS_INVALIDATE"], [
  4,
  "MS_SYNC",
]]);

/** membarrier(2) commands. */
export const MEMBARRIER_CMDS: Xlat = xlat("MEMBARRIER_CMD_???", [
  [0, "MEMBARRIER_CMD_QUERY"],
  [1, "MEMBARRIER_CMD_GLOBAL"],
  [2, "MEMBARRIER_CMD_GLOBAL_EXPEDITED"],
  [4, "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED"],
  [8, "MEMBARRIER_CMD_PRIVATE_EXPEDITED"],
  [16, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED"],
  [32, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE"],
  [64, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE"],
  [128, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ"],
  [256, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ"],
]);

// ------------------------------------------------------------ threads and processes

/** clone(2) flags (the low byte is the exit signal, printed by name). */
export const CLONE_FLAGS: Xlat = xlat("CLONE_???", [
  [0x100, "CLONE_VM"],
  [0x200, "CLONE_FS"],
  [0x400, "CLONE_FILES"],
  [0x800, "CLONE_SIGHAND"],
  [0x1000, "CLONE_PIDFD"],
  [0x2000, "CLONE_PTRACE"],
  [0x4000, "CLONE_VFORK"],
  [0x8000, "CLONE_PARENT"],
  [0x10000, "CLONE_THREAD"],
  [0x20000, "CLONE_NEWNS"],
  [0x40000, "CLONE_SYSVSEM"],
  [0x80000, "CLONE_SETTLS"],
  [0x100000, "CLONE_PARENT_SETTID"],
  [0x200000, "CLONE_CHILD_CLEARTID"],
  [0x400000, "CLONE_DETACHED"],
  [0x800000, "CLONE_UNTRACED"],
  [0x1000000, "CLONE_CHILD_SETTID"],
  [0x2000000, "CLONE_NEWCGROUP"],
  [0x4000000, "CLONE_NEWUTS"],
  [0x8000000, "CLONE_NEWIPC"],
  [0x10000000, "CLONE_NEWUSER"],
  [0x20000000, "CLONE_NEWPID"],
  [0x40000000, "CLONE_NEWNET"],
  [0x80000000, "CLONE_IO"],
  [0x100000000n, "CLONE_CLEAR_SIGHAND"],
  [0x200000000n, "CLONE_INTO_CGROUP"],
]);

/** futex(2) commands (`op & FUTEX_CMD_MASK`). */
export const FUTEX_CMDS: Xlat = xlat("FUTEX_???", [
  [0, "FUTEX_WAIT"],
  [1, "FUTEX_WAKE"],
  [2, "FUTEX_FD"],
  [3, "FUTEX_REQUEUE"],
  [4, "FUTEX_CMP_REQUEUE"],
  [5, "FUTEX_WAKE_OP"],
  [6, "FUTEX_LOCK_PI"],
  [7, "FUTEX_UNLOCK_PI"],
  [8, "FUTEX_TRYLOCK_PI"],
  [9, "FUTEX_WAIT_BITSET"],
  [10, "FUTEX_WAKE_BITSET"],
  [11, "FUTEX_WAIT_REQUEUE_PI"],
  [12, "FUTEX_CMP_REQUEUE_PI"],
  [13, "FUTEX_LOCK_PI2"],
]);

/** FUTEX_PRIVATE_FLAG. */
export const FUTEX_PRIVATE_FLAG = 128;
/** FUTEX_CLOCK_REALTIME. */
export const FUTEX_CLOCK_REALTIME = 256;

/** A futex op as strace prints it: `FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME`. */
export function futexOpText(op: number): string {
  const cmd = op & 127;
  const name = enumName(FUTEX_CMDS, cmd);
  if (name === undefined) return hex(op >>> 0);
  let s = name + (op & FUTEX_PRIVATE_FLAG ? "_PRIVATE" : "");
  if (op & FUTEX_CLOCK_REALTIME) s += "|FUTEX_CLOCK_REALTIME";
  const rest = op & ~(127 | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  if (rest !== 0) s += `|${hex(rest >>> 0)}`;
  return s;
}

/** prlimit64 resources. */
export const RLIMIT_RESOURCES: Xlat = xlat("RLIMIT_???", [
  [0, "RLIMIT_CPU"],
  [1, "RLIMIT_FSIZE"],
  [2, "RLIMIT_DATA"],
  [3, "RLIMIT_STACK"],
  [4, "RLIMIT_CORE"],
  [5, "RLIMIT_RSS"],
  [6, "RLIMIT_NPROC"],
  [7, "RLIMIT_NOFILE"],
  [8, "RLIMIT_MEMLOCK"],
  [9, "RLIMIT_AS"],
  [10, "RLIMIT_LOCKS"],
  [11, "RLIMIT_SIGPENDING"],
  [12, "RLIMIT_MSGQUEUE"],
  [13, "RLIMIT_NICE"],
  [14, "RLIMIT_RTPRIO"],
  [15, "RLIMIT_RTTIME"],
]);

/** getrusage(2) targets. */
export const RUSAGE_WHO: Xlat = xlat("RUSAGE_???", [
  [0, "RUSAGE_SELF"],
  [-1, "RUSAGE_CHILDREN"],
  [1, "RUSAGE_THREAD"],
]);

/** prctl(2) options zkabi's guests use. */
export const PRCTL_OPTIONS: Xlat = xlat("PR_???", [
  [1, "PR_SET_PDEATHSIG"],
  [2, "PR_GET_PDEATHSIG"],
  [3, "PR_GET_DUMPABLE"],
  [4, "PR_SET_DUMPABLE"],
  [15, "PR_SET_NAME"],
  [16, "PR_GET_NAME"],
  [22, "PR_SET_SECCOMP"],
  [36, "PR_SET_CHILD_SUBREAPER"],
  [38, "PR_SET_NO_NEW_PRIVS"],
  [39, "PR_GET_NO_NEW_PRIVS"],
  [0x53564d41, "PR_SET_VMA"],
]);

/** wait4 options. */
export const WAIT_OPTIONS: Xlat = xlat("W???", [
  [1, "WNOHANG"],
  [2, "WUNTRACED"],
  [8, "WCONTINUED"],
  [0x20000000, "__WNOTHREAD"],
  [0x40000000, "__WALL"],
  [0x80000000, "__WCLONE"],
]);

// ------------------------------------------------------------ time

/** Clock ids. */
export const CLOCK_IDS: Xlat = xlat("CLOCK_???", [
  [0, "CLOCK_REALTIME"],
  [1, "CLOCK_MONOTONIC"],
  [2, "CLOCK_PROCESS_CPUTIME_ID"],
  [3, "CLOCK_THREAD_CPUTIME_ID"],
  [4, "CLOCK_MONOTONIC_RAW"],
  [5, "CLOCK_REALTIME_COARSE"],
  [6, "CLOCK_MONOTONIC_COARSE"],
  [7, "CLOCK_BOOTTIME"],
  [8, "CLOCK_REALTIME_ALARM"],
  [9, "CLOCK_BOOTTIME_ALARM"],
  [11, "CLOCK_TAI"],
]);

/** setitimer/getitimer `which`. */
export const ITIMER_WHICH: Xlat = xlat("ITIMER_???", [
  [0, "ITIMER_REAL"],
  [1, "ITIMER_VIRTUAL"],
  [2, "ITIMER_PROF"],
]);

/** struct sigevent sigev_notify. */
export const SIGEV_NOTIFY: Xlat = xlat("SIGEV_???", [
  [0, "SIGEV_SIGNAL"],
  [1, "SIGEV_NONE"],
  [2, "SIGEV_THREAD"],
  [4, "SIGEV_THREAD_ID"],
]);

/** clock_nanosleep / timer flags. */
export const TIMER_FLAGS: Xlat = xlat("TIMER_???", [[1, "TIMER_ABSTIME"]]);

// ------------------------------------------------------------ signals

/** sigaction sa_flags, in strace's order. */
export const SA_FLAGS: Xlat = xlat("SA_???", [
  [0x04000000, "SA_RESTORER"],
  [0x08000000, "SA_ONSTACK"],
  [0x10000000, "SA_RESTART"],
  [0x40000000, "SA_NODEFER"],
  [0x80000000, "SA_RESETHAND"],
  [0x4, "SA_SIGINFO"],
  [0x1, "SA_NOCLDSTOP"],
  [0x2, "SA_NOCLDWAIT"],
  [0x400, "SA_UNSUPPORTED"],
  [0x800, "SA_EXPOSE_TAGBITS"],
]);

/** sigprocmask how. */
export const SIGPROCMASK_HOW: Xlat = xlat("SIG_???", [
  [0, "SIG_BLOCK"],
  [1, "SIG_UNBLOCK"],
  [2, "SIG_SETMASK"],
]);

/** sigaltstack ss_flags. */
export const SS_FLAGS: Xlat = xlat("SS_???", [
  [1, "SS_ONSTACK"],
  [2, "SS_DISABLE"],
  [0x80000000, "SS_AUTODISARM"],
]);

/** si_code values shared by all signals. */
export const SI_CODES: Xlat = xlat("SI_???", [
  [0, "SI_USER"],
  [0x80, "SI_KERNEL"],
  [-1, "SI_QUEUE"],
  [-2, "SI_TIMER"],
  [-3, "SI_MESGQ"],
  [-4, "SI_ASYNCIO"],
  [-5, "SI_SIGIO"],
  [-6, "SI_TKILL"],
  [-7, "SI_DETHREAD"],
  [-60, "SI_ASYNCNL"],
]);

/** Signal-specific si_code names (positive codes), by signal number. */
export const SI_CODES_BY_SIGNAL: ReadonlyMap<number, readonly string[]> = new Map([
  [4, [
    "",
    "ILL_ILLOPC",
    "ILL_ILLOPN",
    "ILL_ILLADR",
    "ILL_ILLTRP",
    "ILL_PRVOPC",
    "ILL_PRVREG",
    "ILL_COPROC",
    "ILL_BADSTK",
    "ILL_BADIADDR",
  ]],
  [5, ["", "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT", "TRAP_UNK", "TRAP_PERF"]],
  [7, ["", "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"]],
  [8, [
    "",
    "FPE_INTDIV",
    "FPE_INTOVF",
    "FPE_FLTDIV",
    "FPE_FLTOVF",
    "FPE_FLTUND",
    "FPE_FLTRES",
    "FPE_FLTINV",
    "FPE_FLTSUB",
    "FPE_FLTUNK",
    "FPE_CONDTRAP",
  ]],
  [11, [
    "",
    "SEGV_MAPERR",
    "SEGV_ACCERR",
    "SEGV_BNDERR",
    "SEGV_PKUERR",
    "SEGV_ACCADI",
    "SEGV_ADIDERR",
    "SEGV_ADIPERR",
    "SEGV_MTEAERR",
    "SEGV_MTESERR",
    "SEGV_CPERR",
  ]],
  [17, [
    "",
    "CLD_EXITED",
    "CLD_KILLED",
    "CLD_DUMPED",
    "CLD_TRAPPED",
    "CLD_STOPPED",
    "CLD_CONTINUED",
  ]],
  [29, ["", "POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR", "POLL_PRI", "POLL_HUP"]],
]);

/** si_code as strace prints it for signal `signo`. */
export function siCodeText(signo: number, code: number): string {
  if (code > 0 && code < 0x80) {
    const name = SI_CODES_BY_SIGNAL.get(signo)?.[code];
    if (name) return name;
  }
  return enumName(SI_CODES, code) ?? `${code}`;
}

// ------------------------------------------------------------ poll, epoll, misc

/** poll(2) events. */
export const POLL_EVENTS: Xlat = xlat("POLL???", [
  [0x1, "POLLIN"],
  [0x2, "POLLPRI"],
  [0x4, "POLLOUT"],
  [0x8, "POLLERR"],
  [0x10, "POLLHUP"],
  [0x20, "POLLNVAL"],
  [0x40, "POLLRDNORM"],
  [0x80, "POLLRDBAND"],
  [0x100, "POLLWRNORM"],
  [0x200, "POLLWRBAND"],
  [0x400, "POLLMSG"],
  [0x1000, "POLLREMOVE"],
  [0x2000, "POLLRDHUP"],
]);

/** epoll events. */
export const EPOLL_EVENTS: Xlat = xlat("EPOLL???", [
  [0x1, "EPOLLIN"],
  [0x2, "EPOLLPRI"],
  [0x4, "EPOLLOUT"],
  [0x8, "EPOLLERR"],
  [0x10, "EPOLLHUP"],
  [0x20, "EPOLLNVAL"],
  [0x40, "EPOLLRDNORM"],
  [0x80, "EPOLLRDBAND"],
  [0x100, "EPOLLWRNORM"],
  [0x200, "EPOLLWRBAND"],
  [0x400, "EPOLLMSG"],
  [0x2000, "EPOLLRDHUP"],
  [0x10000000, "EPOLLEXCLUSIVE"],
  [0x20000000, "EPOLLWAKEUP"],
  [0x40000000, "EPOLLONESHOT"],
  [0x80000000, "EPOLLET"],
]);

/** epoll_ctl ops. */
export const EPOLL_CTL_OPS: Xlat = xlat("EPOLL_CTL_???", [
  [1, "EPOLL_CTL_ADD"],
  [2, "EPOLL_CTL_DEL"],
  [3, "EPOLL_CTL_MOD"],
]);

/** epoll_create1 flags. */
export const EPOLL_CREATE_FLAGS: Xlat = xlat("EPOLL_???", [[0x80000, "EPOLL_CLOEXEC"]]);

/** eventfd2 flags, in strace's order. */
export const EFD_FLAGS: Xlat = xlat("EFD_???", [
  [1, "EFD_SEMAPHORE"],
  [0x80000, "EFD_CLOEXEC"],
  [0x800, "EFD_NONBLOCK"],
]);

/** getrandom(2) flags. */
export const GRND_FLAGS: Xlat = xlat("GRND_???", [
  [1, "GRND_NONBLOCK"],
  [2, "GRND_RANDOM"],
  [4, "GRND_INSECURE"],
]);

/** pipe2 / dup3 / inotify flags (a subset of the open flags). */
export const PIPE_FLAGS: Xlat = xlat("O_???", [
  [0o40000, "O_DIRECT"],
  [0o4000, "O_NONBLOCK"],
  [0o2000000, "O_CLOEXEC"],
  [0o200, "O_NOTIFICATION_PIPE"],
]);

/** riscv_hwprobe keys. */
export const HWPROBE_KEYS: Xlat = xlat("RISCV_HWPROBE_KEY_???", [
  [0, "RISCV_HWPROBE_KEY_MVENDORID"],
  [1, "RISCV_HWPROBE_KEY_MARCHID"],
  [2, "RISCV_HWPROBE_KEY_MIMPID"],
  [3, "RISCV_HWPROBE_KEY_BASE_BEHAVIOR"],
  [4, "RISCV_HWPROBE_KEY_IMA_EXT_0"],
  [5, "RISCV_HWPROBE_KEY_CPUPERF_0"],
  [6, "RISCV_HWPROBE_KEY_ZICBOZ_BLOCK_SIZE"],
  [7, "RISCV_HWPROBE_KEY_HIGHEST_VIRT_ADDRESS"],
  [8, "RISCV_HWPROBE_KEY_TIME_CSR_FREQ"],
  [9, "RISCV_HWPROBE_KEY_MISALIGNED_SCALAR_PERF"],
]);

// ------------------------------------------------------------ reverse lookup

/** Names qemu prints that strace spells differently, with their values. */
const QEMU_ONLY_NAMES: readonly (readonly [string, bigint])[] = [
  ["FUTEX_PRIVATE_FLAG", 128n],
  ["FUTEX_CLOCK_REALTIME", 256n],
  ["O_ASYNC", 0o20000n],
  ["FASYNC", 0o20000n],
  ["MAP_ANON", 0x20n],
  ["MAP_SHARED_VALIDATE", 3n],
  ["F_DUPFD_CLOEXEC", 1030n],
  ["F_GETLK64", 5n],
  ["F_SETLK64", 6n],
  ["F_SETLKW64", 7n],
  ["PROT_NONE", 0n],
  ["F_OK", 0n],
  ["AT_STATX_SYNC_AS_STAT", 0n],
  ["SIG_DFL", 0n],
  ["SIG_IGN", 1n],
  ["NULL", 0n],
  ["RLIM64_INFINITY", 0xffffffffffffffffn],
  ["FUTEX_BITSET_MATCH_ANY", 0xffffffffn],
];

const ALL_TABLES: readonly Xlat[] = [
  OPEN_ACCMODE,
  OPEN_FLAGS,
  AT_FLAGS,
  ACCESS_MODES,
  STATX_MASK,
  FILE_TYPES,
  SEEK_WHENCE,
  FCNTL_CMDS,
  FD_FLAGS,
  IOCTL_CMDS,
  PROT_FLAGS,
  MAP_TYPES,
  MAP_FLAGS,
  MREMAP_FLAGS,
  MADV,
  MSYNC_FLAGS,
  MEMBARRIER_CMDS,
  CLONE_FLAGS,
  FUTEX_CMDS,
  RLIMIT_RESOURCES,
  PRCTL_OPTIONS,
  CLOCK_IDS,
  ITIMER_WHICH,
  TIMER_FLAGS,
  SA_FLAGS,
  SIGPROCMASK_HOW,
  SS_FLAGS,
  POLL_EVENTS,
  EPOLL_EVENTS,
  EPOLL_CTL_OPS,
  EPOLL_CREATE_FLAGS,
  EFD_FLAGS,
  GRND_FLAGS,
  RENAME_FLAGS,
];

let symbols: Map<string, bigint> | undefined;

function symbolMap(): Map<string, bigint> {
  if (symbols) return symbols;
  symbols = new Map();
  for (const t of ALL_TABLES) {
    for (const [v, n] of t.entries) if (!symbols.has(n)) symbols.set(n, v);
  }
  for (const [n, v] of QEMU_ONLY_NAMES) symbols.set(n, v);
  for (const t of NET_TABLES) {
    for (const [v, n] of t.entries) if (!symbols.has(n)) symbols.set(n, v);
  }
  // qemu prints socket domains as PF_* (same values as AF_*).
  for (const [v, n] of ADDRESS_FAMILIES.entries) symbols.set(n.replace(/^AF_/, "PF_"), v);
  symbols.set("AT_FDCWD", -100n);
  for (let i = 1; i <= 64; i++) symbols.set(signalText(i), BigInt(i));
  for (const [v, n] of FUTEX_CMDS.entries) symbols.set(`${n}_PRIVATE`, v | 128n);
  return symbols;
}

/**
 * The value of a symbolic expression as strace or qemu print it:
 * `O_RDONLY|O_CLOEXEC`, `AT_FDCWD`, `SIGURG`, `FUTEX_WAIT_PRIVATE`,
 * `0x20000`, `-1`, `8192*1024`, `0x8 /* PROT_??? *\/`. Undefined when any
 * part is not a known name or number.
 */
export function symbolValue(text: string): bigint | undefined {
  const s = text.replace(/\s*\/\*.*?\*\/\s*/g, "").trim();
  if (s === "") return undefined;
  let v = 0n;
  for (const part of s.split("|")) {
    const p = part.trim();
    const mul = /^(\d+)\*(\d+)$/.exec(p);
    if (mul) {
      v |= BigInt(mul[1]) * BigInt(mul[2]);
      continue;
    }
    if (/^-?\d+$/.test(p)) {
      v |= BigInt.asUintN(64, BigInt(p));
      continue;
    }
    if (/^0x[0-9a-f]+$/i.test(p)) {
      v |= BigInt(p);
      continue;
    }
    if (/^0[0-7]+$/.test(p)) {
      v |= BigInt(`0o${p.slice(1)}`);
      continue;
    }
    const named = symbolMap().get(p);
    if (named === undefined) return undefined;
    v |= BigInt.asUintN(64, named);
  }
  return v;
}
