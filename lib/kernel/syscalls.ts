/**
 * The syscall registry: one record per riscv64 Linux syscall, the one place
 * where a syscall's number, name, category, description, argument kinds,
 * strace decoder and emulation handler meet. Numbers are the asm-generic
 * table plus riscv's own calls (uapi `asm-generic/unistd.h`,
 * `asm/unistd.h`), with the calls added after Linux 6.1 (riscv_hwprobe,
 * 451-462) from later kernels' tables. strace output, trace comparison,
 * categories, profiles and the REPL's completion all read this table; a
 * test checks that every emulated syscall has a complete record.
 *
 * Argument kinds, one letter per argument as the syscall takes them: `i` a
 * 32-bit integer or flags, `l` a 64-bit integer, `s` a string pointer, `p`
 * any other pointer, `d` a pid or tid, `_` not compared. They say how trace
 * comparison treats each argument (integers and flags by value, strings by
 * content, pointers by NULL-ness or region offset, pids by sign) and how
 * many arguments a generic strace line prints. `undefined` kinds: zkabi
 * does not model the arguments (six raw values are printed, only the name
 * and result are compared).
 *
 * Categories, for the report's tables:
 *
 * | category  | what belongs there                                                      |
 * | --------- | ----------------------------------------------------------------------- |
 * | `memory`  | address space: brk, mmap family, protection, advice, NUMA policy, pkeys |
 * | `file`    | descriptors, paths, reads/writes, metadata, readiness (poll, epoll)     |
 * | `thread`  | clone, futex, thread ids, robust lists, scheduling, rseq, membarrier    |
 * | `signal`  | handlers, masks, delivery, alternate stacks, sending signals            |
 * | `time`    | clocks, sleeps, timers                                                  |
 * | `process` | exit, exec, wait, ids and credentials, limits, prctl, namespaces        |
 * | `sysinfo` | uname, sysinfo, getrandom, getcpu, hwprobe                              |
 * | `ipc`     | sockets, SysV IPC, POSIX message queues                                 |
 * | `other`   | mounts, modules, reboot, tracing, keys, BPF, seccomp, landlock          |
 *
 * epoll, poll and select sit in `file` (they wait on descriptors); eventfd
 * and timerfd too (they are descriptors; timerfd's clock setting is
 * `time`). futex sits in `thread`; sched_yield and affinity in `thread`
 * (they schedule threads). getrandom is `sysinfo` (host entropy).
 * @module
 */

import {
  type DecodeCall,
  type Decoded,
  type Decoder,
  DECODERS as D,
  type DecodeSource,
  decodeWith,
  DEFAULT_STRSIZE,
} from "../abi/decode.ts";
import { isPrecompile, precompileName, PRECOMPILES } from "../abi/precompiles.ts";
import { FILES } from "./files.ts";
import { INFO } from "./info.ts";
import { MEMORY } from "./memory.ts";
import { NET } from "./net.ts";
import { TRANSFER } from "./transfer.ts";
import { INOTIFY } from "./inotify.ts";
import { POLL } from "./poll.ts";
import { PROCESS } from "./process.ts";
import { SIGNALS } from "./signals.ts";
import { THREADS } from "./threads.ts";
import { TIME } from "./time.ts";
import type { SyscallFamily, SyscallFamilyTable, SyscallHandler } from "./types.ts";

/** A syscall category (see the module doc). */
export type Category =
  | "memory"
  | "file"
  | "thread"
  | "signal"
  | "time"
  | "process"
  | "sysinfo"
  | "ipc"
  | "other";

/** One riscv64 Linux syscall. */
export interface SyscallRecord {
  /** The riscv64 number (a7). */
  readonly nr: number;
  /** The name, as strace prints it. */
  readonly name: string;
  /** The report category. */
  readonly category: Category;
  /** What it does, in one line. */
  readonly description: string;
  /** Argument kinds (see the module doc), or undefined when zkabi does not model them. */
  readonly args: string | undefined;
  /** How strace prints its arguments, when zkabi has a specific decoder. */
  readonly decode: Decoder | undefined;
  /** The kernel family that emulates it (`lib/kernel/<family>.ts`), if zkabi implements it. */
  readonly family: SyscallFamily | undefined;
  /** zkabi's emulation, if implemented. */
  readonly handler: SyscallHandler | undefined;
}

/** Every family, in report order. */
export const FAMILIES: readonly SyscallFamilyTable[] = [
  FILES,
  MEMORY,
  PROCESS,
  TIME,
  INFO,
  THREADS,
  SIGNALS,
  POLL,
  NET,
  TRANSFER,
  INOTIFY,
];

const files = FILES.handlers;
const memory = MEMORY.handlers;
const process = PROCESS.handlers;
const time = TIME.handlers;
const info = INFO.handlers;
const threads = THREADS.handlers;
const signals = SIGNALS.handlers;
const poll = POLL.handlers;
const net = NET.handlers;
const transfer = TRANSFER.handlers;
const inotify = INOTIFY.handlers;
const _ = undefined;

type Row = readonly [
  nr: number,
  name: string,
  category: Category,
  args: string | undefined,
  handler: SyscallHandler | undefined,
  decode: Decoder | undefined,
  description: string,
];

// deno-fmt-ignore
const ROWS: readonly Row[] = [
  [0, "io_setup", "file", "__", _, _, "create an asynchronous I/O context"],
  [1, "io_destroy", "file", undefined, _, _, "destroy an asynchronous I/O context"],
  [2, "io_submit", "file", undefined, _, _, "submit asynchronous I/O requests"],
  [3, "io_cancel", "file", undefined, _, _, "cancel an asynchronous I/O request"],
  [4, "io_getevents", "file", undefined, _, _, "read completed asynchronous I/O events"],
  [5, "setxattr", "file", "sspli", files.setxattr, _, "set an extended attribute by path"],
  [6, "lsetxattr", "file", "sspli", files.lsetxattr, _, "set an extended attribute of a link"],
  [7, "fsetxattr", "file", "ispli", files.fsetxattr, _, "set an extended attribute of an open file"],
  [8, "getxattr", "file", "sspl", files.getxattr, _, "read an extended attribute by path"],
  [9, "lgetxattr", "file", "sspl", files.lgetxattr, _, "read an extended attribute of a link"],
  [10, "fgetxattr", "file", "ispl", files.fgetxattr, _, "read an extended attribute of an open file"],
  [11, "listxattr", "file", "spl", files.listxattr, _, "list extended attributes by path"],
  [12, "llistxattr", "file", "spl", files.llistxattr, _, "list extended attributes of a link"],
  [13, "flistxattr", "file", "ipl", files.flistxattr, _, "list extended attributes of an open file"],
  [14, "removexattr", "file", "ss", files.removexattr, _, "remove an extended attribute by path"],
  [15, "lremovexattr", "file", "ss", files.lremovexattr, _, "remove an extended attribute of a link"],
  [16, "fremovexattr", "file", "is", files.fremovexattr, _, "remove an extended attribute of an open file"],
  [17, "getcwd", "file", "pl", files.getcwd, D.getcwd, "current working directory"],
  [18, "lookup_dcookie", "other", undefined, _, _, "path of a directory-entry cookie (profiling)"],
  [19, "eventfd2", "file", "ii", poll.eventfd2, D.eventfd2, "create an event-counter descriptor"],
  [20, "epoll_create1", "file", "i", poll.epoll_create1, D.epoll_create1, "create an epoll instance"],
  [21, "epoll_ctl", "file", "iiip", poll.epoll_ctl, D.epoll_ctl, "add, change or remove an epoll interest"],
  [22, "epoll_pwait", "file", "ipiipl", poll.epoll_pwait, D.epoll_pwait, "wait for epoll events with a signal mask"],
  [23, "dup", "file", "i", files.dup, D.dup, "duplicate a descriptor"],
  [24, "dup3", "file", "iii", files.dup3, D.dup3, "duplicate a descriptor onto a given number"],
  [25, "fcntl", "file", "iil", files.fcntl, D.fcntl, "descriptor control (flags, locks, duplication)"],
  [26, "inotify_init1", "file", "i", inotify.inotify_init1, D.inotify_init1, "create an inotify instance"],
  [27, "inotify_add_watch", "file", "isi", inotify.inotify_add_watch, D.inotify_add_watch, "watch a path for file-system events"],
  [28, "inotify_rm_watch", "file", "ii", inotify.inotify_rm_watch, D.inotify_rm_watch, "remove an inotify watch"],
  [29, "ioctl", "file", "iip", files.ioctl, D.ioctl, "device-specific control (e.g. TCGETS terminal query)"],
  [30, "ioprio_set", "process", undefined, _, _, "set I/O scheduling priority"],
  [31, "ioprio_get", "process", undefined, _, _, "read I/O scheduling priority"],
  [32, "flock", "file", "__", files.flock, _, "advisory lock on an open file"],
  [33, "mknodat", "file", undefined, _, _, "create a special file"],
  [34, "mkdirat", "file", "isi", files.mkdirat, D.mkdirat, "create a directory"],
  [35, "unlinkat", "file", "isi", files.unlinkat, D.unlinkat, "remove a file or directory"],
  [36, "symlinkat", "file", "sis", files.symlinkat, D.symlinkat, "create a symbolic link"],
  [37, "linkat", "file", "isisi", files.linkat, D.linkat, "create a hard link"],
  [38, "renameat", "file", "isis", files.renameat, D.renameat, "rename a file"],
  [39, "umount2", "other", undefined, _, _, "unmount a file system"],
  [40, "mount", "other", undefined, _, _, "mount a file system"],
  [41, "pivot_root", "other", undefined, _, _, "change the root mount"],
  [42, "nfsservctl", "other", undefined, _, _, "NFS server control (removed)"],
  [43, "statfs", "file", "__", files.statfs, _, "file-system statistics by path"],
  [44, "fstatfs", "file", "__", files.fstatfs, _, "file-system statistics of an open file"],
  [45, "truncate", "file", "sl", files.truncate, D.truncate, "set a file's length by path"],
  [46, "ftruncate", "file", "il", files.ftruncate, D.ftruncate, "set an open file's length"],
  [47, "fallocate", "file", "____", files.fallocate, _, "allocate file space"],
  [48, "faccessat", "file", "isi", files.faccessat, D.faccessat, "check access permissions of a path"],
  [49, "chdir", "file", "s", files.chdir, D.chdir, "change the working directory"],
  [50, "fchdir", "file", "i", files.fchdir, D.fchdir, "change the working directory to an open directory"],
  [51, "chroot", "other", undefined, _, _, "change the root directory"],
  [52, "fchmod", "file", "ii", files.fchmod, D.fchmod, "change the mode of an open file"],
  [53, "fchmodat", "file", "isi", files.fchmodat, D.fchmodat, "change the mode of a path"],
  [54, "fchownat", "file", "isiii", files.fchownat, D.fchownat, "change the owner of a path"],
  [55, "fchown", "file", "iii", files.fchown, _, "change the owner of an open file"],
  [56, "openat", "file", "isii", files.openat, D.openat, "open a file"],
  [57, "close", "file", "i", files.close, D.close, "close a descriptor"],
  [58, "vhangup", "other", undefined, _, _, "hang up the terminal"],
  [59, "pipe2", "file", "pi", files.pipe2, D.pipe2, "create a pipe"],
  [60, "quotactl", "other", undefined, _, _, "disk quota control"],
  [61, "getdents64", "file", "ipi", files.getdents64, D.getdents64, "read directory entries"],
  [62, "lseek", "file", "ili", files.lseek, D.lseek, "move a file offset"],
  [63, "read", "file", "ipl", files.read, D.read, "read from a descriptor"],
  [64, "write", "file", "ipl", files.write, D.write, "write to a descriptor"],
  [65, "readv", "file", "ipi", files.readv, D.readv, "read into several buffers"],
  [66, "writev", "file", "ipi", files.writev, D.writev, "write from several buffers"],
  [67, "pread64", "file", "ipll", files.pread64, D.pread64, "read at an offset"],
  [68, "pwrite64", "file", "ipll", files.pwrite64, D.pwrite64, "write at an offset"],
  [69, "preadv", "file", "ipil", files.preadv, D.preadv, "read into several buffers at an offset"],
  [70, "pwritev", "file", "ipil", files.pwritev, D.pwritev, "write from several buffers at an offset"],
  [71, "sendfile", "file", "ii_l", files.sendfile, D.sendfile, "copy between descriptors in the kernel"],
  [72, "pselect6", "file", "______", poll.pselect6, _, "wait for descriptor readiness (select) with a signal mask"],
  [73, "ppoll", "file", "pipp", poll.ppoll, D.ppoll, "wait for descriptor readiness (poll) with a signal mask"],
  [74, "signalfd4", "signal", "ipli", signals.signalfd4, D.signalfd4, "create a descriptor that reads signals"],
  [75, "vmsplice", "file", undefined, _, _, "splice user pages into a pipe"],
  [76, "splice", "file", "i_i_li", transfer.splice, D.splice, "move data between a pipe and a descriptor"],
  [77, "tee", "file", "iili", transfer.tee, D.tee, "duplicate pipe contents"],
  [78, "readlinkat", "file", "ispl", files.readlinkat, D.readlinkat, "read a symbolic link's target"],
  [79, "newfstatat", "file", "isp_", files.newfstatat, D.newfstatat, "file status by path"],
  [80, "fstat", "file", "ip", files.fstat, D.fstat, "file status of an open file"],
  [81, "sync", "file", "", _, _, "flush all file systems"],
  [82, "fsync", "file", "i", files.fsync, D.fsync, "flush an open file"],
  [83, "fdatasync", "file", "i", files.fdatasync, D.fdatasync, "flush an open file's data"],
  [84, "sync_file_range2", "file", undefined, _, _, "flush part of a file"],
  [85, "timerfd_create", "time", "__", poll.timerfd_create, _, "create a timer descriptor"],
  [86, "timerfd_settime", "time", "iipp", poll.timerfd_settime, _, "arm a timer descriptor"],
  [87, "timerfd_gettime", "time", "ip", poll.timerfd_gettime, _, "read a timer descriptor"],
  [88, "utimensat", "file", "ispi", files.utimensat, D.utimensat, "set file timestamps"],
  [89, "acct", "other", undefined, _, _, "process accounting"],
  [90, "capget", "process", "__", _, _, "read thread capabilities"],
  [91, "capset", "process", undefined, _, _, "set thread capabilities"],
  [92, "personality", "process", "_", process.personality, _, "set the execution domain"],
  [93, "exit", "thread", "i", threads.exit, D.exit, "end the calling thread"],
  [94, "exit_group", "process", "i", process.exit_group, D.exit_group, "end the process (all threads)"],
  [95, "waitid", "process", undefined, _, _, "wait for a child's state change"],
  [96, "set_tid_address", "thread", "p", process.set_tid_address, D.set_tid_address, "set the clear-child-tid address (thread exit notification)"],
  [97, "unshare", "process", undefined, _, _, "leave shared namespaces or resources"],
  [98, "futex", "thread", "pii", threads.futex, D.futex, "fast user-space lock: wait and wake on a memory word"],
  [99, "set_robust_list", "thread", "pl", process.set_robust_list, D.set_robust_list, "register the robust futex list"],
  [100, "get_robust_list", "thread", "dpp", process.get_robust_list, D.get_robust_list, "read a robust futex list"],
  [101, "nanosleep", "time", "pp", time.nanosleep, D.nanosleep, "sleep for a relative time"],
  [102, "getitimer", "time", "ip", time.getitimer, D.getitimer, "read an interval timer"],
  [103, "setitimer", "time", "ipp", time.setitimer, D.setitimer, "arm an interval timer"],
  [104, "kexec_load", "other", undefined, _, _, "load a new kernel"],
  [105, "init_module", "other", undefined, _, _, "load a kernel module"],
  [106, "delete_module", "other", undefined, _, _, "unload a kernel module"],
  [107, "timer_create", "time", "ipp", time.timer_create, D.timer_create, "create a POSIX per-process timer"],
  [108, "timer_gettime", "time", "ip", time.timer_gettime, D.timer_gettime, "read a POSIX timer"],
  [109, "timer_getoverrun", "time", "i", time.timer_getoverrun, D.timer_getoverrun, "overrun count of a POSIX timer"],
  [110, "timer_settime", "time", "iipp", time.timer_settime, D.timer_settime, "arm a POSIX timer"],
  [111, "timer_delete", "time", "i", time.timer_delete, D.timer_delete, "delete a POSIX timer"],
  [112, "clock_settime", "time", "ip", time.clock_settime, _, "set a clock"],
  [113, "clock_gettime", "time", "ip", time.clock_gettime, D.clock_gettime, "read a clock"],
  [114, "clock_getres", "time", "ip", time.clock_getres, D.clock_getres, "resolution of a clock"],
  [115, "clock_nanosleep", "time", "iipp", time.clock_nanosleep, D.clock_nanosleep, "sleep on a given clock"],
  [116, "syslog", "other", undefined, _, _, "kernel log buffer"],
  [117, "ptrace", "other", undefined, _, _, "trace another process"],
  [118, "sched_setparam", "thread", undefined, _, _, "set scheduling parameters"],
  [119, "sched_setscheduler", "thread", undefined, _, _, "set scheduling policy"],
  [120, "sched_getscheduler", "thread", "_", _, _, "read scheduling policy"],
  [121, "sched_getparam", "thread", "__", _, _, "read scheduling parameters"],
  [122, "sched_setaffinity", "thread", "dlp", info.sched_setaffinity, D.sched_setaffinity, "set the CPU affinity mask"],
  [123, "sched_getaffinity", "thread", "dlp", info.sched_getaffinity, D.sched_getaffinity, "read the CPU affinity mask (CPU count)"],
  [124, "sched_yield", "thread", "", threads.sched_yield, D.sched_yield, "give up the CPU"],
  [125, "sched_get_priority_max", "thread", "_", _, _, "highest priority of a policy"],
  [126, "sched_get_priority_min", "thread", "_", _, _, "lowest priority of a policy"],
  [127, "sched_rr_get_interval", "thread", undefined, _, _, "round-robin time slice"],
  [128, "restart_syscall", "signal", undefined, _, _, "restart a syscall interrupted by a stop signal"],
  [129, "kill", "signal", "di", signals.kill, D.kill, "send a signal to a process"],
  [130, "tkill", "signal", "di", threads.tkill, D.tkill, "send a signal to a thread"],
  [131, "tgkill", "signal", "ddi", threads.tgkill, D.tgkill, "send a signal to a thread of a thread group"],
  [132, "sigaltstack", "signal", "pp", signals.sigaltstack, D.sigaltstack, "set or read the alternate signal stack"],
  [133, "rt_sigsuspend", "signal", "pl", signals.rt_sigsuspend, D.rt_sigsuspend, "wait for a signal with a temporary mask"],
  [134, "rt_sigaction", "signal", "ipp", signals.rt_sigaction, D.rt_sigaction, "install or read a signal handler"],
  [135, "rt_sigprocmask", "signal", "ipp", signals.rt_sigprocmask, D.rt_sigprocmask, "change or read the blocked-signal mask"],
  [136, "rt_sigpending", "signal", "pl", signals.rt_sigpending, D.rt_sigpending, "pending signals"],
  [137, "rt_sigtimedwait", "signal", "pppl", signals.rt_sigtimedwait, D.rt_sigtimedwait, "wait synchronously for a signal"],
  [138, "rt_sigqueueinfo", "signal", "dip", signals.rt_sigqueueinfo, D.rt_sigqueueinfo, "queue a signal with data to a process"],
  [139, "rt_sigreturn", "signal", "", signals.rt_sigreturn, D.rt_sigreturn, "return from a signal handler"],
  [140, "setpriority", "process", "___", _, _, "set the nice value"],
  [141, "getpriority", "process", "__", _, _, "read the nice value"],
  [142, "reboot", "other", undefined, _, _, "reboot or power off"],
  [143, "setregid", "process", "ii", process.setregid, _, "set real and effective group ids"],
  [144, "setgid", "process", "_", process.setgid, _, "set the group id"],
  [145, "setreuid", "process", "ii", process.setreuid, _, "set real and effective user ids"],
  [146, "setuid", "process", "_", process.setuid, _, "set the user id"],
  [147, "setresuid", "process", "iii", process.setresuid, _, "set real, effective and saved user ids"],
  [148, "getresuid", "process", "ppp", process.getresuid, _, "read real, effective and saved user ids"],
  [149, "setresgid", "process", "iii", process.setresgid, _, "set real, effective and saved group ids"],
  [150, "getresgid", "process", "ppp", process.getresgid, _, "read real, effective and saved group ids"],
  [151, "setfsuid", "process", "i", process.setfsuid, _, "set the file-system user id"],
  [152, "setfsgid", "process", "i", process.setfsgid, _, "set the file-system group id"],
  [153, "times", "time", "p", process.times, D.times, "process CPU times"],
  [154, "setpgid", "process", "__", process.setpgid, _, "set the process group"],
  [155, "getpgid", "process", "d", process.getpgid, D.getpgid, "read the process group"],
  [156, "getsid", "process", "_", process.getsid, _, "read the session id"],
  [157, "setsid", "process", "", process.setsid, D.setsid, "create a session"],
  [158, "getgroups", "process", "ip", process.getgroups, _, "read supplementary groups"],
  [159, "setgroups", "process", "ip", process.setgroups, _, "set supplementary groups"],
  [160, "uname", "sysinfo", "p", info.uname, D.uname, "kernel name, release and machine"],
  [161, "sethostname", "other", "sl", info.sethostname, _, "set the host name"],
  [162, "setdomainname", "other", "sl", info.setdomainname, _, "set the NIS domain name"],
  [163, "getrlimit", "process", "ip", process.getrlimit, _, "read a resource limit"],
  [164, "setrlimit", "process", "ip", process.setrlimit, _, "set a resource limit"],
  [165, "getrusage", "process", "ip", process.getrusage, D.getrusage, "resource usage"],
  [166, "umask", "file", "i", process.umask, D.umask, "set the file-creation mask"],
  [167, "prctl", "process", "illll", process.prctl, D.prctl, "process control (names, dumpable, seccomp, ...)"],
  [168, "getcpu", "sysinfo", "ppp", info.getcpu, _, "CPU and NUMA node the thread runs on"],
  [169, "gettimeofday", "time", "pp", time.gettimeofday, D.gettimeofday, "wall-clock time (microseconds)"],
  [170, "settimeofday", "time", "pp", time.settimeofday, _, "set the wall-clock time"],
  [171, "adjtimex", "time", undefined, _, _, "tune the kernel clock"],
  [172, "getpid", "process", "", process.getpid, D.getpid, "process id"],
  [173, "getppid", "process", "", process.getppid, D.getppid, "parent process id"],
  [174, "getuid", "process", "", process.getuid, D.getuid, "real user id"],
  [175, "geteuid", "process", "", process.geteuid, D.geteuid, "effective user id"],
  [176, "getgid", "process", "", process.getgid, D.getgid, "real group id"],
  [177, "getegid", "process", "", process.getegid, D.getegid, "effective group id"],
  [178, "gettid", "thread", "", threads.gettid, D.gettid, "thread id"],
  [179, "sysinfo", "sysinfo", "p", info.sysinfo, D.sysinfo, "memory, swap, load and uptime figures"],
  [180, "mq_open", "ipc", undefined, _, _, "open a POSIX message queue"],
  [181, "mq_unlink", "ipc", undefined, _, _, "remove a POSIX message queue"],
  [182, "mq_timedsend", "ipc", undefined, _, _, "send to a POSIX message queue"],
  [183, "mq_timedreceive", "ipc", undefined, _, _, "receive from a POSIX message queue"],
  [184, "mq_notify", "ipc", undefined, _, _, "message arrival notification"],
  [185, "mq_getsetattr", "ipc", undefined, _, _, "message queue attributes"],
  [186, "msgget", "ipc", undefined, _, _, "get a SysV message queue"],
  [187, "msgctl", "ipc", undefined, _, _, "SysV message queue control"],
  [188, "msgrcv", "ipc", undefined, _, _, "receive a SysV message"],
  [189, "msgsnd", "ipc", undefined, _, _, "send a SysV message"],
  [190, "semget", "ipc", undefined, _, _, "get a SysV semaphore set"],
  [191, "semctl", "ipc", undefined, _, _, "SysV semaphore control"],
  [192, "semtimedop", "ipc", undefined, _, _, "SysV semaphore operations with a timeout"],
  [193, "semop", "ipc", undefined, _, _, "SysV semaphore operations"],
  [194, "shmget", "ipc", undefined, _, _, "get a SysV shared memory segment"],
  [195, "shmctl", "ipc", undefined, _, _, "SysV shared memory control"],
  [196, "shmat", "ipc", undefined, _, _, "attach SysV shared memory"],
  [197, "shmdt", "ipc", undefined, _, _, "detach SysV shared memory"],
  [198, "socket", "ipc", "iii", net.socket, D.socket, "create a socket"],
  [199, "socketpair", "ipc", "iiip", net.socketpair, D.socketpair, "create a connected socket pair"],
  [200, "bind", "ipc", "ipi", net.bind, D.bind, "bind a socket address"],
  [201, "listen", "ipc", "ii", net.listen, D.listen, "listen for connections"],
  [202, "accept", "ipc", "ipp", net.accept, D.accept, "accept a connection"],
  [203, "connect", "ipc", "ipi", net.connect, D.connect, "connect a socket"],
  [204, "getsockname", "ipc", "ipp", net.getsockname, D.getsockname, "local socket address"],
  [205, "getpeername", "ipc", "ipp", net.getpeername, D.getpeername, "peer socket address"],
  [206, "sendto", "ipc", "iplipi", net.sendto, D.sendto, "send a datagram or stream data"],
  [207, "recvfrom", "ipc", "iplipp", net.recvfrom, D.recvfrom, "receive a datagram or stream data"],
  [208, "setsockopt", "ipc", "iiipi", net.setsockopt, D.setsockopt, "set a socket option"],
  [209, "getsockopt", "ipc", "iiipp", net.getsockopt, D.getsockopt, "read a socket option"],
  [210, "shutdown", "ipc", "ii", net.shutdown, D.shutdown, "shut down part of a connection"],
  [211, "sendmsg", "ipc", "ipi", net.sendmsg, D.sendmsg, "send a message with control data"],
  [212, "recvmsg", "ipc", "ipi", net.recvmsg, D.recvmsg, "receive a message with control data"],
  [213, "readahead", "file", undefined, _, _, "read a file into the page cache"],
  [214, "brk", "memory", "p", memory.brk, D.brk, "move the program break (heap end)"],
  [215, "munmap", "memory", "pl", memory.munmap, D.munmap, "unmap memory"],
  [216, "mremap", "memory", "pllip", memory.mremap, D.mremap, "grow, shrink or move a mapping"],
  [217, "add_key", "other", undefined, _, _, "add a key to a keyring"],
  [218, "request_key", "other", undefined, _, _, "request a key"],
  [219, "keyctl", "other", undefined, _, _, "keyring control"],
  [220, "clone", "thread", "ipppp", threads.clone, D.clone, "create a thread or process"],
  [221, "execve", "process", "___", _, _, "run a new program"],
  [222, "mmap", "memory", "pliiil", memory.mmap, D.mmap, "map memory or a file"],
  [223, "fadvise64", "file", "illi", files.fadvise64, _, "advise on file access patterns"],
  [224, "swapon", "other", undefined, _, _, "enable swap"],
  [225, "swapoff", "other", undefined, _, _, "disable swap"],
  [226, "mprotect", "memory", "pli", memory.mprotect, D.mprotect, "change memory protection"],
  [227, "msync", "memory", "pli", memory.msync, D.msync, "flush a file mapping"],
  [228, "mlock", "memory", "pl", memory.mlock, D.mlock, "lock pages in RAM"],
  [229, "munlock", "memory", "pl", memory.munlock, D.munlock, "unlock pages"],
  [230, "mlockall", "memory", "_", memory.mlockall, _, "lock the whole address space"],
  [231, "munlockall", "memory", "", memory.munlockall, _, "unlock the whole address space"],
  [232, "mincore", "memory", "___", memory.mincore, _, "which pages are resident"],
  [233, "madvise", "memory", "pli", memory.madvise, D.madvise, "advise on memory use (free, no huge pages, ...)"],
  [234, "remap_file_pages", "memory", undefined, _, _, "rearrange file mapping pages (deprecated)"],
  [235, "mbind", "memory", undefined, _, _, "NUMA memory policy of a range"],
  [236, "get_mempolicy", "memory", undefined, _, _, "read NUMA memory policy"],
  [237, "set_mempolicy", "memory", undefined, _, _, "set NUMA memory policy"],
  [238, "migrate_pages", "memory", undefined, _, _, "move pages between NUMA nodes"],
  [239, "move_pages", "memory", undefined, _, _, "move individual pages between NUMA nodes"],
  [240, "rt_tgsigqueueinfo", "signal", "ddip", signals.rt_tgsigqueueinfo, D.rt_tgsigqueueinfo, "queue a signal with data to a thread"],
  [241, "perf_event_open", "other", undefined, _, _, "open a performance counter"],
  [242, "accept4", "ipc", "ippi", net.accept4, D.accept4, "accept a connection with flags"],
  [243, "recvmmsg", "ipc", "ipiip", net.recvmmsg, D.recvmmsg, "receive several messages"],
  [244, "arch_specific_syscall", "other", undefined, _, _, "first architecture-specific number (unused on riscv64)"],
  [258, "riscv_hwprobe", "sysinfo", "pllpi", info.riscv_hwprobe, D.riscv_hwprobe, "RISC-V hardware capabilities"],
  [259, "riscv_flush_icache", "memory", "ppl", memory.riscv_flush_icache, D.riscv_flush_icache, "make stored code visible to instruction fetch"],
  [260, "wait4", "process", undefined, _, D.wait4, "wait for a child (BSD style)"],
  [261, "prlimit64", "process", "dipp", process.prlimit64, D.prlimit64, "read or set a resource limit"],
  [262, "fanotify_init", "other", undefined, _, _, "create a fanotify group"],
  [263, "fanotify_mark", "other", undefined, _, _, "mark a path for fanotify"],
  [264, "name_to_handle_at", "file", undefined, _, _, "file handle of a path"],
  [265, "open_by_handle_at", "file", undefined, _, _, "open a file handle"],
  [266, "clock_adjtime", "time", undefined, _, _, "tune a clock"],
  [267, "syncfs", "file", "_", _, _, "flush the file system of a descriptor"],
  [268, "setns", "process", undefined, _, _, "join a namespace"],
  [269, "sendmmsg", "ipc", "ipii", net.sendmmsg, D.sendmmsg, "send several messages"],
  [270, "process_vm_readv", "process", "______", _, _, "read another process's memory"],
  [271, "process_vm_writev", "process", undefined, _, _, "write another process's memory"],
  [272, "kcmp", "process", undefined, _, _, "compare kernel resources of two processes"],
  [273, "finit_module", "other", undefined, _, _, "load a kernel module from a descriptor"],
  [274, "sched_setattr", "thread", undefined, _, _, "set scheduling attributes"],
  [275, "sched_getattr", "thread", undefined, _, _, "read scheduling attributes"],
  [276, "renameat2", "file", "isisi", files.renameat2, D.renameat2, "rename with flags (exchange, no-replace)"],
  [277, "seccomp", "other", undefined, _, _, "install a syscall filter"],
  [278, "getrandom", "sysinfo", "pli", info.getrandom, D.getrandom, "random bytes from the host's entropy pool"],
  [279, "memfd_create", "file", "__", _, _, "create an anonymous memory-backed file"],
  [280, "bpf", "other", undefined, _, _, "load and manage BPF programs and maps"],
  [281, "execveat", "process", undefined, _, _, "run a new program from a descriptor"],
  [282, "userfaultfd", "memory", undefined, _, _, "handle page faults in user space"],
  [283, "membarrier", "thread", undefined, _, D.membarrier, "memory barrier across threads"],
  [284, "mlock2", "memory", "pli", memory.mlock2, _, "lock pages in RAM with flags"],
  [285, "copy_file_range", "file", "i_i_li", transfer.copy_file_range, D.copy_file_range, "copy between files in the kernel"],
  [286, "preadv2", "file", "ipil_i", files.preadv2, _, "read into several buffers with flags"],
  [287, "pwritev2", "file", "ipil_i", files.pwritev2, _, "write from several buffers with flags"],
  [288, "pkey_mprotect", "memory", undefined, _, _, "change protection with a protection key"],
  [289, "pkey_alloc", "memory", undefined, _, _, "allocate a protection key"],
  [290, "pkey_free", "memory", undefined, _, _, "free a protection key"],
  [291, "statx", "file", "isiip", files.statx, D.statx, "extended file status"],
  [292, "io_pgetevents", "file", undefined, _, _, "read asynchronous I/O events with a signal mask"],
  [293, "rseq", "thread", "piii", process.rseq, D.rseq, "register restartable sequences"],
  [294, "kexec_file_load", "other", undefined, _, _, "load a new kernel from a file"],
  [403, "clock_gettime64", "time", undefined, _, _, "read a clock (32-bit time64 ABI)"],
  [404, "clock_settime64", "time", undefined, _, _, "set a clock (32-bit time64 ABI)"],
  [405, "clock_adjtime64", "time", undefined, _, _, "tune a clock (32-bit time64 ABI)"],
  [406, "clock_getres_time64", "time", undefined, _, _, "clock resolution (32-bit time64 ABI)"],
  [407, "clock_nanosleep_time64", "time", undefined, _, _, "sleep on a clock (32-bit time64 ABI)"],
  [408, "timer_gettime64", "time", undefined, _, _, "read a POSIX timer (32-bit time64 ABI)"],
  [409, "timer_settime64", "time", undefined, _, _, "arm a POSIX timer (32-bit time64 ABI)"],
  [410, "timerfd_gettime64", "time", undefined, _, _, "read a timer descriptor (32-bit time64 ABI)"],
  [411, "timerfd_settime64", "time", undefined, _, _, "arm a timer descriptor (32-bit time64 ABI)"],
  [412, "utimensat_time64", "file", undefined, _, _, "set file timestamps (32-bit time64 ABI)"],
  [413, "pselect6_time64", "file", undefined, _, _, "select with a signal mask (32-bit time64 ABI)"],
  [414, "ppoll_time64", "file", undefined, _, _, "poll with a signal mask (32-bit time64 ABI)"],
  [416, "io_pgetevents_time64", "file", undefined, _, _, "asynchronous I/O events (32-bit time64 ABI)"],
  [417, "recvmmsg_time64", "ipc", undefined, _, _, "receive several messages (32-bit time64 ABI)"],
  [418, "mq_timedsend_time64", "ipc", undefined, _, _, "send to a message queue (32-bit time64 ABI)"],
  [419, "mq_timedreceive_time64", "ipc", undefined, _, _, "receive from a message queue (32-bit time64 ABI)"],
  [420, "semtimedop_time64", "ipc", undefined, _, _, "semaphore operations (32-bit time64 ABI)"],
  [421, "rt_sigtimedwait_time64", "signal", undefined, _, _, "wait for a signal (32-bit time64 ABI)"],
  [422, "futex_time64", "thread", undefined, _, _, "futex (32-bit time64 ABI)"],
  [423, "sched_rr_get_interval_time64", "thread", undefined, _, _, "round-robin time slice (32-bit time64 ABI)"],
  [424, "pidfd_send_signal", "signal", undefined, _, _, "send a signal through a pidfd"],
  [425, "io_uring_setup", "file", "__", _, _, "create an io_uring instance"],
  [426, "io_uring_enter", "file", undefined, _, _, "submit and wait for io_uring operations"],
  [427, "io_uring_register", "file", undefined, _, _, "register io_uring resources"],
  [428, "open_tree", "other", undefined, _, _, "open a mount tree"],
  [429, "move_mount", "other", undefined, _, _, "move a mount"],
  [430, "fsopen", "other", undefined, _, _, "open a file-system context"],
  [431, "fsconfig", "other", undefined, _, _, "configure a file-system context"],
  [432, "fsmount", "other", undefined, _, _, "create a mount from a context"],
  [433, "fspick", "other", undefined, _, _, "reconfigure a mounted file system"],
  [434, "pidfd_open", "process", "__", _, _, "descriptor referring to a process"],
  [435, "clone3", "thread", "pl", threads.clone3, D.clone3, "create a thread or process (extensible arguments)"],
  [436, "close_range", "file", "___", files.close_range, _, "close a range of descriptors"],
  [437, "openat2", "file", undefined, _, _, "open a file with resolution controls"],
  [438, "pidfd_getfd", "process", undefined, _, _, "duplicate another process's descriptor"],
  [439, "faccessat2", "file", "isii", files.faccessat2, D.faccessat2, "check access permissions with flags"],
  [440, "process_madvise", "memory", undefined, _, _, "advise on another process's memory"],
  [441, "epoll_pwait2", "file", "ipippl", poll.epoll_pwait2, D.epoll_pwait2, "wait for epoll events (nanosecond timeout)"],
  [442, "mount_setattr", "other", undefined, _, _, "change mount properties"],
  [443, "quotactl_fd", "other", undefined, _, _, "disk quota control by descriptor"],
  [444, "landlock_create_ruleset", "other", undefined, _, _, "create a Landlock ruleset"],
  [445, "landlock_add_rule", "other", undefined, _, _, "add a Landlock rule"],
  [446, "landlock_restrict_self", "other", undefined, _, _, "enforce a Landlock ruleset"],
  [447, "memfd_secret", "memory", undefined, _, _, "create secret memory"],
  [448, "process_mrelease", "memory", undefined, _, _, "release a dying process's memory"],
  [449, "futex_waitv", "thread", "piipi", threads.futex_waitv, D.futex_waitv, "wait on several futexes"],
  [450, "set_mempolicy_home_node", "memory", undefined, _, _, "set the home NUMA node of a range"],
  [451, "cachestat", "file", undefined, _, _, "page cache statistics of a file"],
  [452, "fchmodat2", "file", undefined, _, _, "change the mode of a path with flags"],
  [453, "map_shadow_stack", "memory", undefined, _, _, "map a shadow stack"],
  [454, "futex_wake", "thread", undefined, _, _, "wake futex waiters (futex2)"],
  [455, "futex_wait", "thread", undefined, _, _, "wait on a futex (futex2)"],
  [456, "futex_requeue", "thread", undefined, _, _, "requeue futex waiters (futex2)"],
  [457, "statmount", "other", undefined, _, _, "information about a mount"],
  [458, "listmount", "other", undefined, _, _, "list mounts"],
  [459, "lsm_get_self_attr", "other", undefined, _, _, "read security-module attributes"],
  [460, "lsm_set_self_attr", "other", undefined, _, _, "set security-module attributes"],
  [461, "lsm_list_modules", "other", undefined, _, _, "list security modules"],
  [462, "mseal", "memory", undefined, _, _, "seal a memory range against changes"],
]

function buildRecords(): SyscallRecord[] {
  const familyOf = new Map<SyscallHandler, SyscallFamily>();
  for (const f of FAMILIES) {
    for (const h of Object.values(f.handlers)) familyOf.set(h, f.family);
  }
  return ROWS.map(([nr, name, category, args, handler, decode, description]) => ({
    nr,
    name,
    category,
    description,
    args,
    decode,
    family: handler && familyOf.get(handler),
    handler,
  }));
}

/** Every riscv64 syscall, by increasing number. */
export const SYSCALLS: readonly SyscallRecord[] = buildRecords();

const BY_NUMBER: ReadonlyMap<number, SyscallRecord> = new Map(SYSCALLS.map((r) => [r.nr, r]));
const BY_NAME: ReadonlyMap<string, SyscallRecord> = new Map(SYSCALLS.map((r) => [r.name, r]));

/** The record of syscall number `nr`. */
export function syscallByNumber(nr: number): SyscallRecord | undefined {
  return BY_NUMBER.get(nr);
}

/**
 * The record of a syscall name; also accepts the names traces print for
 * numbers they cannot name (strace's `syscall_0x102`, qemu's `syscall_258`).
 */
export function syscallByName(name: string): SyscallRecord | undefined {
  const r = BY_NAME.get(name);
  if (r) return r;
  const m = /^syscall_(0x[0-9a-f]+|\d+)$/.exec(name);
  return m ? BY_NUMBER.get(Number(m[1])) : undefined;
}

/** The name of syscall `nr`, or `syscall_<nr>` for an unassigned number. */
export function syscallName(nr: number): string {
  return BY_NUMBER.get(nr)?.name ?? `syscall_${nr}`;
}

/** The number of a syscall name, if it is one. */
export function syscallNumber(name: string): number | undefined {
  return BY_NAME.get(name)?.nr;
}

/** The name of the ECALL with a7 = `nr`: a precompile's or a syscall's. */
export function ecallName(nr: number): string {
  return isPrecompile(nr) ? precompileName(nr) : syscallName(nr);
}

const PRECOMPILE_ARITY: ReadonlyMap<string, number> = new Map(
  PRECOMPILES.map((p) => [p.name, p.arity]),
);

/**
 * Decodes call `e`'s arguments as strace prints them: the registry's decoder,
 * else its argument count in hex (six values when zkabi does not know it;
 * two for an unknown precompile). Never throws.
 */
export function decodeCall(
  src: DecodeSource,
  e: DecodeCall,
  strsize: number = DEFAULT_STRSIZE,
): Decoded {
  const r = e.route === "precompile" ? undefined : syscallByName(e.name);
  const arity = r?.args?.length ?? PRECOMPILE_ARITY.get(e.name) ??
    (e.route === "precompile" ? 2 : 6);
  return decodeWith(src, e, r?.decode, arity, strsize);
}
