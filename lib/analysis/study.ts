/**
 * The study's published application-phase tables, as reference data for
 * the comparison (eth-act/riscv-compilation `linux-syscalls/REPORT.md`:
 * binaries built for riscv64gc-unknown-linux-gnu, traced with strace on
 * riscv64 Ubuntu under QEMU; application phase from the first
 * `write(1, "Starting stateless block validat"...)`).
 * @module
 */

/** A published table: calls per syscall. */
export interface StudyTable {
  /** Which program. */
  program: string;
  /** What the table counts. */
  scope: string;
  /** Calls per syscall, as published. */
  counts: Readonly<Record<string, number>>;
  /** Further published observations. */
  notes: readonly string[];
}

/** The study's tables for reth-stateless (Rust) and geth t8n (Go). */
export const STUDY_TABLES: readonly StudyTable[] = [
  {
    program: "reth-stateless (Rust)",
    scope: "application phase",
    counts: {
      brk: 45,
      munmap: 3,
      write: 2,
      read: 2,
      openat: 1,
      statx: 1,
      lseek: 1,
      mmap: 1,
      mremap: 1,
      sigaltstack: 1,
      exit_group: 1,
    },
    notes: [],
  },
  {
    program: "geth t8n (Go)",
    scope: "application phase",
    counts: {
      rt_sigaction: 66,
      mmap: 20,
      nanosleep: 13,
      rt_sigprocmask: 8,
      clone: 4,
      sigaltstack: 4,
      gettid: 4,
      futex: 3,
      fcntl: 3,
      openat: 2,
      madvise: 2,
      read: 1,
      close: 1,
      sched_getaffinity: 1,
      getpid: 1,
      tgkill: 1,
      rt_sigreturn: 1,
    },
    notes: [
      "pinned to one core it still clones, and adds prlimit64, epoll_create1/epoll_ctl/epoll_pwait, ioctl(TCGETS), uname",
      "SIGURG dominates the detailed trace",
      "GODEBUG=asyncpreemptoff=1 removes rt_sigreturn",
      "with GC off, sched_yield appears",
    ],
  },
];

/** Source of {@linkcode STUDY_TABLES}. */
export const STUDY_SOURCE = "eth-act/riscv-compilation, linux-syscalls/REPORT.md";
