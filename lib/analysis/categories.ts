/**
 * Syscall categories: every riscv64 Linux syscall name mapped to one
 * category, with a one-line description for the report's tables.
 *
 * | category  | label                   | what belongs there                                                      |
 * | --------- | ----------------------- | ----------------------------------------------------------------------- |
 * | `memory`  | memory                  | address space: brk, mmap family, protection, advice, NUMA policy, pkeys |
 * | `file`    | file I/O                | descriptors, paths, reads/writes, metadata, readiness (poll, epoll)     |
 * | `thread`  | threads and sync        | clone, futex, thread ids, robust lists, scheduling, rseq, membarrier    |
 * | `signal`  | signals                 | handlers, masks, delivery, alternate stacks, sending signals            |
 * | `time`    | time                    | clocks, sleeps, timers                                                  |
 * | `process` | process                 | exit, exec, wait, ids and credentials, limits, prctl, namespaces        |
 * | `sysinfo` | system info             | uname, sysinfo, getrandom, getcpu, hwprobe                              |
 * | `ipc`     | IPC and network         | sockets, SysV IPC, POSIX message queues                                 |
 * | `other`   | other (admin, security) | mounts, modules, reboot, tracing, keys, BPF, seccomp, landlock          |
 *
 * epoll, poll and select sit in `file` (they wait on descriptors); eventfd
 * and timerfd too (they are descriptors; timerfd's clock setting is
 * `time`). futex sits in `thread`; sched_yield and affinity in `thread`
 * (they schedule threads). getrandom is `sysinfo` (host entropy).
 * Precompile ECALLs are not syscalls: the profiles count them apart.
 * @module
 */

import { SYSCALL_NUMBERS } from "../kernel/syscall_numbers.ts";

/** A syscall category. */
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

/** Every category, in report order. */
export const CATEGORIES: readonly Category[] = [
  "memory",
  "file",
  "thread",
  "signal",
  "time",
  "process",
  "sysinfo",
  "ipc",
  "other",
];

/** Human labels of the categories. */
export const CATEGORY_LABELS: Readonly<Record<Category, string>> = {
  memory: "memory",
  file: "file I/O",
  thread: "threads and sync",
  signal: "signals",
  time: "time",
  process: "process",
  sysinfo: "system info",
  ipc: "IPC and network",
  other: "other (admin, security)",
};

/** One row of the table: category and one-line description. */
export interface SyscallInfo {
  /** The syscall's category. */
  category: Category;
  /** What it does, in one line. */
  description: string;
}

// name|category|description, one syscall per line.
const TABLE_TEXT = `
io_setup|file|create an asynchronous I/O context
io_destroy|file|destroy an asynchronous I/O context
io_submit|file|submit asynchronous I/O requests
io_cancel|file|cancel an asynchronous I/O request
io_getevents|file|read completed asynchronous I/O events
setxattr|file|set an extended attribute by path
lsetxattr|file|set an extended attribute of a link
fsetxattr|file|set an extended attribute of an open file
getxattr|file|read an extended attribute by path
lgetxattr|file|read an extended attribute of a link
fgetxattr|file|read an extended attribute of an open file
listxattr|file|list extended attributes by path
llistxattr|file|list extended attributes of a link
flistxattr|file|list extended attributes of an open file
removexattr|file|remove an extended attribute by path
lremovexattr|file|remove an extended attribute of a link
fremovexattr|file|remove an extended attribute of an open file
getcwd|file|current working directory
lookup_dcookie|other|path of a directory-entry cookie (profiling)
eventfd2|file|create an event-counter descriptor
epoll_create1|file|create an epoll instance
epoll_ctl|file|add, change or remove an epoll interest
epoll_pwait|file|wait for epoll events with a signal mask
dup|file|duplicate a descriptor
dup3|file|duplicate a descriptor onto a given number
fcntl|file|descriptor control (flags, locks, duplication)
inotify_init1|file|create an inotify instance
inotify_add_watch|file|watch a path for file-system events
inotify_rm_watch|file|remove an inotify watch
ioctl|file|device-specific control (e.g. TCGETS terminal query)
ioprio_set|process|set I/O scheduling priority
ioprio_get|process|read I/O scheduling priority
flock|file|advisory lock on an open file
mknodat|file|create a special file
mkdirat|file|create a directory
unlinkat|file|remove a file or directory
symlinkat|file|create a symbolic link
linkat|file|create a hard link
renameat|file|rename a file
umount2|other|unmount a file system
mount|other|mount a file system
pivot_root|other|change the root mount
nfsservctl|other|NFS server control (removed)
statfs|file|file-system statistics by path
fstatfs|file|file-system statistics of an open file
truncate|file|set a file's length by path
ftruncate|file|set an open file's length
fallocate|file|allocate file space
faccessat|file|check access permissions of a path
chdir|file|change the working directory
fchdir|file|change the working directory to an open directory
chroot|other|change the root directory
fchmod|file|change the mode of an open file
fchmodat|file|change the mode of a path
fchownat|file|change the owner of a path
fchown|file|change the owner of an open file
openat|file|open a file
close|file|close a descriptor
vhangup|other|hang up the terminal
pipe2|file|create a pipe
quotactl|other|disk quota control
getdents64|file|read directory entries
lseek|file|move a file offset
read|file|read from a descriptor
write|file|write to a descriptor
readv|file|read into several buffers
writev|file|write from several buffers
pread64|file|read at an offset
pwrite64|file|write at an offset
preadv|file|read into several buffers at an offset
pwritev|file|write from several buffers at an offset
sendfile|file|copy between descriptors in the kernel
pselect6|file|wait for descriptor readiness (select) with a signal mask
ppoll|file|wait for descriptor readiness (poll) with a signal mask
signalfd4|signal|create a descriptor that reads signals
vmsplice|file|splice user pages into a pipe
splice|file|move data between a pipe and a descriptor
tee|file|duplicate pipe contents
readlinkat|file|read a symbolic link's target
newfstatat|file|file status by path
fstat|file|file status of an open file
sync|file|flush all file systems
fsync|file|flush an open file
fdatasync|file|flush an open file's data
sync_file_range2|file|flush part of a file
timerfd_create|time|create a timer descriptor
timerfd_settime|time|arm a timer descriptor
timerfd_gettime|time|read a timer descriptor
utimensat|file|set file timestamps
acct|other|process accounting
capget|process|read thread capabilities
capset|process|set thread capabilities
personality|process|set the execution domain
exit|thread|end the calling thread
exit_group|process|end the process (all threads)
waitid|process|wait for a child's state change
set_tid_address|thread|set the clear-child-tid address (thread exit notification)
unshare|process|leave shared namespaces or resources
futex|thread|fast user-space lock: wait and wake on a memory word
set_robust_list|thread|register the robust futex list
get_robust_list|thread|read a robust futex list
nanosleep|time|sleep for a relative time
getitimer|time|read an interval timer
setitimer|time|arm an interval timer
kexec_load|other|load a new kernel
init_module|other|load a kernel module
delete_module|other|unload a kernel module
timer_create|time|create a POSIX per-process timer
timer_gettime|time|read a POSIX timer
timer_getoverrun|time|overrun count of a POSIX timer
timer_settime|time|arm a POSIX timer
timer_delete|time|delete a POSIX timer
clock_settime|time|set a clock
clock_gettime|time|read a clock
clock_getres|time|resolution of a clock
clock_nanosleep|time|sleep on a given clock
syslog|other|kernel log buffer
ptrace|other|trace another process
sched_setparam|thread|set scheduling parameters
sched_setscheduler|thread|set scheduling policy
sched_getscheduler|thread|read scheduling policy
sched_getparam|thread|read scheduling parameters
sched_setaffinity|thread|set the CPU affinity mask
sched_getaffinity|thread|read the CPU affinity mask (CPU count)
sched_yield|thread|give up the CPU
sched_get_priority_max|thread|highest priority of a policy
sched_get_priority_min|thread|lowest priority of a policy
sched_rr_get_interval|thread|round-robin time slice
restart_syscall|signal|restart a syscall interrupted by a stop signal
kill|signal|send a signal to a process
tkill|signal|send a signal to a thread
tgkill|signal|send a signal to a thread of a thread group
sigaltstack|signal|set or read the alternate signal stack
rt_sigsuspend|signal|wait for a signal with a temporary mask
rt_sigaction|signal|install or read a signal handler
rt_sigprocmask|signal|change or read the blocked-signal mask
rt_sigpending|signal|pending signals
rt_sigtimedwait|signal|wait synchronously for a signal
rt_sigqueueinfo|signal|queue a signal with data to a process
rt_sigreturn|signal|return from a signal handler
setpriority|process|set the nice value
getpriority|process|read the nice value
reboot|other|reboot or power off
setregid|process|set real and effective group ids
setgid|process|set the group id
setreuid|process|set real and effective user ids
setuid|process|set the user id
setresuid|process|set real, effective and saved user ids
getresuid|process|read real, effective and saved user ids
setresgid|process|set real, effective and saved group ids
getresgid|process|read real, effective and saved group ids
setfsuid|process|set the file-system user id
setfsgid|process|set the file-system group id
times|time|process CPU times
setpgid|process|set the process group
getpgid|process|read the process group
getsid|process|read the session id
setsid|process|create a session
getgroups|process|read supplementary groups
setgroups|process|set supplementary groups
uname|sysinfo|kernel name, release and machine
sethostname|other|set the host name
setdomainname|other|set the NIS domain name
getrlimit|process|read a resource limit
setrlimit|process|set a resource limit
getrusage|process|resource usage
umask|file|set the file-creation mask
prctl|process|process control (names, dumpable, seccomp, ...)
getcpu|sysinfo|CPU and NUMA node the thread runs on
gettimeofday|time|wall-clock time (microseconds)
settimeofday|time|set the wall-clock time
adjtimex|time|tune the kernel clock
getpid|process|process id
getppid|process|parent process id
getuid|process|real user id
geteuid|process|effective user id
getgid|process|real group id
getegid|process|effective group id
gettid|thread|thread id
sysinfo|sysinfo|memory, swap, load and uptime figures
mq_open|ipc|open a POSIX message queue
mq_unlink|ipc|remove a POSIX message queue
mq_timedsend|ipc|send to a POSIX message queue
mq_timedreceive|ipc|receive from a POSIX message queue
mq_notify|ipc|message arrival notification
mq_getsetattr|ipc|message queue attributes
msgget|ipc|get a SysV message queue
msgctl|ipc|SysV message queue control
msgrcv|ipc|receive a SysV message
msgsnd|ipc|send a SysV message
semget|ipc|get a SysV semaphore set
semctl|ipc|SysV semaphore control
semtimedop|ipc|SysV semaphore operations with a timeout
semop|ipc|SysV semaphore operations
shmget|ipc|get a SysV shared memory segment
shmctl|ipc|SysV shared memory control
shmat|ipc|attach SysV shared memory
shmdt|ipc|detach SysV shared memory
socket|ipc|create a socket
socketpair|ipc|create a connected socket pair
bind|ipc|bind a socket address
listen|ipc|listen for connections
accept|ipc|accept a connection
connect|ipc|connect a socket
getsockname|ipc|local socket address
getpeername|ipc|peer socket address
sendto|ipc|send a datagram or stream data
recvfrom|ipc|receive a datagram or stream data
setsockopt|ipc|set a socket option
getsockopt|ipc|read a socket option
shutdown|ipc|shut down part of a connection
sendmsg|ipc|send a message with control data
recvmsg|ipc|receive a message with control data
readahead|file|read a file into the page cache
brk|memory|move the program break (heap end)
munmap|memory|unmap memory
mremap|memory|grow, shrink or move a mapping
add_key|other|add a key to a keyring
request_key|other|request a key
keyctl|other|keyring control
clone|thread|create a thread or process
execve|process|run a new program
mmap|memory|map memory or a file
fadvise64|file|advise on file access patterns
swapon|other|enable swap
swapoff|other|disable swap
mprotect|memory|change memory protection
msync|memory|flush a file mapping
mlock|memory|lock pages in RAM
munlock|memory|unlock pages
mlockall|memory|lock the whole address space
munlockall|memory|unlock the whole address space
mincore|memory|which pages are resident
madvise|memory|advise on memory use (free, no huge pages, ...)
remap_file_pages|memory|rearrange file mapping pages (deprecated)
mbind|memory|NUMA memory policy of a range
get_mempolicy|memory|read NUMA memory policy
set_mempolicy|memory|set NUMA memory policy
migrate_pages|memory|move pages between NUMA nodes
move_pages|memory|move individual pages between NUMA nodes
rt_tgsigqueueinfo|signal|queue a signal with data to a thread
perf_event_open|other|open a performance counter
accept4|ipc|accept a connection with flags
recvmmsg|ipc|receive several messages
arch_specific_syscall|other|first architecture-specific number (unused on riscv64)
riscv_hwprobe|sysinfo|RISC-V hardware capabilities
riscv_flush_icache|memory|make stored code visible to instruction fetch
wait4|process|wait for a child (BSD style)
prlimit64|process|read or set a resource limit
fanotify_init|other|create a fanotify group
fanotify_mark|other|mark a path for fanotify
name_to_handle_at|file|file handle of a path
open_by_handle_at|file|open a file handle
clock_adjtime|time|tune a clock
syncfs|file|flush the file system of a descriptor
setns|process|join a namespace
sendmmsg|ipc|send several messages
process_vm_readv|process|read another process's memory
process_vm_writev|process|write another process's memory
kcmp|process|compare kernel resources of two processes
finit_module|other|load a kernel module from a descriptor
sched_setattr|thread|set scheduling attributes
sched_getattr|thread|read scheduling attributes
renameat2|file|rename with flags (exchange, no-replace)
seccomp|other|install a syscall filter
getrandom|sysinfo|random bytes from the host's entropy pool
memfd_create|file|create an anonymous memory-backed file
bpf|other|load and manage BPF programs and maps
execveat|process|run a new program from a descriptor
userfaultfd|memory|handle page faults in user space
membarrier|thread|memory barrier across threads
mlock2|memory|lock pages in RAM with flags
copy_file_range|file|copy between files in the kernel
preadv2|file|read into several buffers with flags
pwritev2|file|write from several buffers with flags
pkey_mprotect|memory|change protection with a protection key
pkey_alloc|memory|allocate a protection key
pkey_free|memory|free a protection key
statx|file|extended file status
io_pgetevents|file|read asynchronous I/O events with a signal mask
rseq|thread|register restartable sequences
kexec_file_load|other|load a new kernel from a file
clock_gettime64|time|read a clock (32-bit time64 ABI)
clock_settime64|time|set a clock (32-bit time64 ABI)
clock_adjtime64|time|tune a clock (32-bit time64 ABI)
clock_getres_time64|time|clock resolution (32-bit time64 ABI)
clock_nanosleep_time64|time|sleep on a clock (32-bit time64 ABI)
timer_gettime64|time|read a POSIX timer (32-bit time64 ABI)
timer_settime64|time|arm a POSIX timer (32-bit time64 ABI)
timerfd_gettime64|time|read a timer descriptor (32-bit time64 ABI)
timerfd_settime64|time|arm a timer descriptor (32-bit time64 ABI)
utimensat_time64|file|set file timestamps (32-bit time64 ABI)
pselect6_time64|file|select with a signal mask (32-bit time64 ABI)
ppoll_time64|file|poll with a signal mask (32-bit time64 ABI)
io_pgetevents_time64|file|asynchronous I/O events (32-bit time64 ABI)
recvmmsg_time64|ipc|receive several messages (32-bit time64 ABI)
mq_timedsend_time64|ipc|send to a message queue (32-bit time64 ABI)
mq_timedreceive_time64|ipc|receive from a message queue (32-bit time64 ABI)
semtimedop_time64|ipc|semaphore operations (32-bit time64 ABI)
rt_sigtimedwait_time64|signal|wait for a signal (32-bit time64 ABI)
futex_time64|thread|futex (32-bit time64 ABI)
sched_rr_get_interval_time64|thread|round-robin time slice (32-bit time64 ABI)
pidfd_send_signal|signal|send a signal through a pidfd
io_uring_setup|file|create an io_uring instance
io_uring_enter|file|submit and wait for io_uring operations
io_uring_register|file|register io_uring resources
open_tree|other|open a mount tree
move_mount|other|move a mount
fsopen|other|open a file-system context
fsconfig|other|configure a file-system context
fsmount|other|create a mount from a context
fspick|other|reconfigure a mounted file system
pidfd_open|process|descriptor referring to a process
clone3|thread|create a thread or process (extensible arguments)
close_range|file|close a range of descriptors
openat2|file|open a file with resolution controls
pidfd_getfd|process|duplicate another process's descriptor
faccessat2|file|check access permissions with flags
process_madvise|memory|advise on another process's memory
epoll_pwait2|file|wait for epoll events (nanosecond timeout)
mount_setattr|other|change mount properties
quotactl_fd|other|disk quota control by descriptor
landlock_create_ruleset|other|create a Landlock ruleset
landlock_add_rule|other|add a Landlock rule
landlock_restrict_self|other|enforce a Landlock ruleset
memfd_secret|memory|create secret memory
process_mrelease|memory|release a dying process's memory
futex_waitv|thread|wait on several futexes
set_mempolicy_home_node|memory|set the home NUMA node of a range
cachestat|file|page cache statistics of a file
fchmodat2|file|change the mode of a path with flags
map_shadow_stack|memory|map a shadow stack
futex_wake|thread|wake futex waiters (futex2)
futex_wait|thread|wait on a futex (futex2)
futex_requeue|thread|requeue futex waiters (futex2)
statmount|other|information about a mount
listmount|other|list mounts
lsm_get_self_attr|other|read security-module attributes
lsm_set_self_attr|other|set security-module attributes
lsm_list_modules|other|list security modules
mseal|memory|seal a memory range against changes
`;

function buildTable(): Map<string, SyscallInfo> {
  const m = new Map<string, SyscallInfo>();
  for (const line of TABLE_TEXT.split("\n")) {
    if (line === "") continue;
    const [name, category, description] = line.split("|");
    m.set(name, { category: category as Category, description });
  }
  return m;
}

/** Category and description of every riscv64 syscall name (see the module doc). */
export const SYSCALL_INFO: ReadonlyMap<string, SyscallInfo> = buildTable();

/** Category of a syscall name; `other` for names outside the riscv64 table. */
export function categoryOf(name: string): Category {
  return SYSCALL_INFO.get(canonicalName(name))?.category ?? "other";
}

/** One-line description of a syscall name. */
export function describeSyscall(name: string): string {
  const info = SYSCALL_INFO.get(canonicalName(name));
  if (info) return info.description;
  if (/^precompile|^keccak|^sha256/.test(name)) return "zk precompile ECALL (not a syscall)";
  return "not a riscv64 Linux syscall";
}

/**
 * The riscv64 name for names traces print otherwise: strace's
 * `syscall_0x102` / qemu's `syscall_258` for calls they cannot name.
 */
export function canonicalName(name: string): string {
  const m = /^syscall_(0x[0-9a-f]+|\d+)$/.exec(name);
  if (!m) return name;
  const nr = Number(m[1]);
  for (const [n, v] of SYSCALL_NUMBERS) if (v === nr) return n;
  return name;
}
