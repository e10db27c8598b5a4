/**
 * Linux signal numbers (generic numbering, as on riscv64) and their names as
 * strace prints them.
 * @module
 */

/** Hangup. */
export const SIGHUP = 1;
/** Interrupt from the terminal. */
export const SIGINT = 2;
/** Quit from the terminal. */
export const SIGQUIT = 3;
/** Illegal instruction. */
export const SIGILL = 4;
/** Trace/breakpoint trap (EBREAK). */
export const SIGTRAP = 5;
/** Abort. */
export const SIGABRT = 6;
/** Bus error (misaligned atomic). */
export const SIGBUS = 7;
/** Floating-point exception. */
export const SIGFPE = 8;
/** Kill (cannot be caught). */
export const SIGKILL = 9;
/** User signal 1. */
export const SIGUSR1 = 10;
/** Segmentation fault. */
export const SIGSEGV = 11;
/** User signal 2. */
export const SIGUSR2 = 12;
/** Write to a pipe with no reader. */
export const SIGPIPE = 13;
/** Timer (alarm). */
export const SIGALRM = 14;
/** Termination request. */
export const SIGTERM = 15;
/** Child stopped or exited. */
export const SIGCHLD = 17;
/** Continue if stopped. */
export const SIGCONT = 18;
/** Stop (cannot be caught). */
export const SIGSTOP = 19;
/** Urgent condition on a socket; the Go runtime's preemption signal. */
export const SIGURG = 23;
/** Terminal window size change. */
export const SIGWINCH = 28;
/** Bad system call. */
export const SIGSYS = 31;
/** The highest signal number. */
export const NSIG = 64;

const SHORT_NAMES: readonly string[] = [
  "0",
  "HUP",
  "INT",
  "QUIT",
  "ILL",
  "TRAP",
  "ABRT",
  "BUS",
  "FPE",
  "KILL",
  "USR1",
  "SEGV",
  "USR2",
  "PIPE",
  "ALRM",
  "TERM",
  "STKFLT",
  "CHLD",
  "CONT",
  "STOP",
  "TSTP",
  "TTIN",
  "TTOU",
  "URG",
  "XCPU",
  "XFSZ",
  "VTALRM",
  "PROF",
  "WINCH",
  "IO",
  "PWR",
  "SYS",
];

/**
 * A signal's name without `SIG` as strace prints it in sets: `URG`,
 * `RTMIN` for 32, `RT_1`..`RT_32` for 33..64; undefined outside 1..64.
 */
export function signalShortName(n: number): string | undefined {
  if (n >= 1 && n < 32) return SHORT_NAMES[n];
  if (n === 32) return "RTMIN";
  if (n > 32 && n <= 64) return `RT_${n - 32}`;
  return undefined;
}

/** A signal number as strace prints it: `SIGURG`, `SIGRT_1`, or the number. */
export function signalText(n: number): string {
  const s = signalShortName(n);
  return s === undefined ? `${n}` : `SIG${s}`;
}

/**
 * A 64-bit signal set as strace prints it: `[]`, `[PIPE URG]`; when more
 * than half of the bits are set, the complement with `~`: `~[]`,
 * `~[RTMIN RT_1]`.
 */
export function sigsetText(set: bigint): string {
  let v = BigInt.asUintN(64, set);
  let neg = "";
  let pop = 0;
  for (let x = v; x !== 0n; x &= x - 1n) pop++;
  if (pop > 32) {
    neg = "~";
    v = BigInt.asUintN(64, ~v);
  }
  const names: string[] = [];
  for (let i = 0; i < 64; i++) {
    if ((v >> BigInt(i)) & 1n) names.push(signalShortName(i + 1)!);
  }
  return `${neg}[${names.join(" ")}]`;
}
