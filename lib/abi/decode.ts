/**
 * Argument decoders of the strace formatter: for each syscall, how strace
 * prints its arguments on riscv64 (strace's default verbosity, `-s 32`), and
 * which of them strace prints at entry (the rest are printed at exit, after
 * the kernel filled them in).
 *
 * Guest memory is read when the event reaches the tracer, i.e. at the
 * syscall's completion: output buffers and structs show what the kernel
 * wrote, as strace shows them at exit. An unreadable pointer prints as its
 * address, as strace does when it cannot read tracee memory; output
 * arguments of a failed call print as addresses too.
 *
 * Struct layouts (riscv64, from the uapi headers; offsets in bytes):
 * - `struct stat` (asm-generic/stat.h, 128 bytes): st_dev +0, st_ino +8,
 *   st_mode u32 +16, st_nlink +20, st_uid +24, st_gid +28, st_rdev u64 +32,
 *   st_size i64 +48, st_blksize i32 +56, st_blocks +64, st_atime +72,
 *   st_atime_nsec +80, st_mtime +88, st_mtime_nsec +96, st_ctime +104,
 *   st_ctime_nsec +112.
 * - `struct statx` (256 bytes): stx_mask u32 +0, stx_blksize +4,
 *   stx_attributes u64 +8, stx_nlink +16, stx_uid +20, stx_gid +24,
 *   stx_mode u16 +28, stx_ino u64 +32, stx_size +40, stx_blocks +48,
 *   stx_attributes_mask +56, timestamps +64.. (16 bytes each),
 *   stx_rdev_major +128, stx_rdev_minor +132.
 * - `struct timespec` {tv_sec i64 +0, tv_nsec i64 +8}; `struct timeval`
 *   {tv_sec +0, tv_usec +8}; `struct rlimit64` {rlim_cur +0, rlim_max +8};
 *   `struct iovec` {iov_base +0, iov_len +8}; `struct pollfd` {fd i32 +0,
 *   events i16 +4, revents i16 +6}; `struct epoll_event` (not packed on
 *   riscv64) {events u32 +0, data u64 +8}.
 * - `struct sigaction` (kernel's, no sa_restorer on riscv64): sa_handler +0,
 *   sa_flags u64 +8, sa_mask u64 +16. `stack_t`: ss_sp +0, ss_flags i32 +8,
 *   ss_size +16.
 * - `struct utsname`: six 65-byte fields (sysname +0, nodename +65, ...).
 * - `struct termios` (asm-generic, NCCS 19): c_iflag +0, c_oflag +4,
 *   c_cflag +8, c_lflag +12, c_line +16, c_cc +17. `struct winsize`:
 *   ws_row u16 +0, ws_col +2, ws_xpixel +4, ws_ypixel +6.
 * - `struct clone_args` (clone3): flags +0, pidfd +8, child_tid +16,
 *   parent_tid +24, exit_signal +32, stack +40, stack_size +48, tls +56,
 *   set_tid +64, set_tid_size +72, cgroup +80.
 * - `struct linux_dirent64`: d_ino +0, d_off +8, d_reclen u16 +16,
 *   d_type u8 +18, d_name +19.
 * - `struct sysinfo`: uptime +0, loads[3] +8, totalram +32, freeram +40,
 *   sharedram +48, bufferram +56, totalswap +64, freeswap +72, procs u16 +80,
 *   totalhigh +88, freehigh +96, mem_unit u32 +104.
 * - `struct rusage`: ru_utime timeval +0, ru_stime +16, then 14 longs +32.
 * - `struct riscv_hwprobe` {key i64 +0, value u64 +8}.
 * @module
 */

import { GAP_DECODERS } from "./decode_gaps.ts";
import { NET_DECODERS } from "./decode_net.ts";
import { signalText, sigsetText } from "./signals.ts";
import {
  ACCESS_AT_FLAGS,
  ACCESS_MODES,
  AT_FLAGS,
  CLOCK_IDS,
  CLONE_FLAGS,
  EFD_FLAGS,
  enumName,
  enumText,
  EPOLL_CREATE_FLAGS,
  EPOLL_CTL_OPS,
  EPOLL_EVENTS,
  FCNTL_CMDS,
  FD_FLAGS,
  flagsText,
  futexOpText,
  GRND_FLAGS,
  hex,
  HWPROBE_KEYS,
  IOCTL_CMDS,
  ITIMER_WHICH,
  MADV,
  MEMBARRIER_CMDS,
  mmapFlagsText,
  modeText,
  MREMAP_FLAGS,
  MSYNC_FLAGS,
  octal,
  openFlagsText,
  PIPE_FLAGS,
  POLL_EVENTS,
  PRCTL_OPTIONS,
  PROT_FLAGS,
  RENAME_FLAGS,
  RLIMIT_RESOURCES,
  RUSAGE_WHO,
  SA_FLAGS,
  SEEK_WHENCE,
  SIGEV_NOTIFY,
  SIGPROCMASK_HOW,
  SS_FLAGS,
  STATX_ATTRS,
  STATX_MASK,
  TERMIOS_BAUD,
  TERMIOS_CFLAG,
  TERMIOS_IFLAG,
  TERMIOS_LFLAG,
  TERMIOS_OFLAG,
  TIMER_FLAGS,
  WAIT_OPTIONS,
} from "./xlat.ts";

/** Bytes of strings and elements of arrays strace prints (its `-s` default). */
export const DEFAULT_STRSIZE = 32;

/** What a decoder returns. */
export interface Decoded {
  /** The printed arguments, in order. */
  args: string[];
  /**
   * How many leading arguments strace prints at syscall entry (default all):
   * an `<unfinished ...>` line shows only these.
   */
  entry?: number;
  /** ioctl's quirk: strace prints the separating comma with the exit part. */
  commaAtExit?: boolean;
  /** Text strace appends to the return value, without parentheses: `Timeout`. */
  aux?: string;
  /** Print the return value in hex (mmap, brk, fcntl F_GETFL...). */
  hexResult?: boolean;
}

/** The call a decoder prints: a syscall event as far as decoding needs it. */
export interface DecodeCall {
  /** The syscall's name (`syscall_N` for numbers without one). */
  readonly name: string;
  /** The number in a7 (-1 when a7 is not a small number). */
  readonly nr: number;
  /** a0..a5 as unsigned 64-bit values. */
  readonly args: readonly bigint[];
  /** The result (a0 after the call), when it returned. */
  readonly result?: number;
  /** The calling thread. */
  readonly tid: number;
  /** How the dispatcher routed it (`precompile` calls print two arguments by default). */
  readonly route?: string;
}

/** What decoders see of the traced process. */
export interface DecodeSource {
  /**
   * Reads `len` bytes of guest memory without side effects (pages never
   * touched read as zeros without being backed); throws when unreadable.
   */
  peek(addr: number, len: number): Uint8Array;
  /** The signal mask of thread `tid` now (rt_sigreturn prints the restored mask). */
  sigmaskOf(tid: number): bigint;
}

/** What decoders see: the call, the process, and helpers over the raw arguments. */
export class DecodeContext {
  /** The traced process. */
  readonly src: DecodeSource;
  /** The call being printed. */
  readonly e: DecodeCall;
  /** String limit. */
  readonly strsize: number;

  /** Wraps call `e` of process `src`. */
  constructor(src: DecodeSource, e: DecodeCall, strsize: number) {
    this.src = src;
    this.e = e;
    this.strsize = strsize;
  }

  /** The call's result (a0), if it returned. */
  get rv(): number | undefined {
    return this.e.result;
  }

  /** True when the call returned a non-error value. */
  get ok(): boolean {
    const r = this.e.result;
    return r !== undefined && !(r < 0 && r >= -4095);
  }

  /** Raw argument `i` (unsigned 64-bit). */
  raw(i: number): bigint {
    return this.e.args[i] ?? 0n;
  }

  /** Argument `i` as a C int. */
  int(i: number): number {
    return Number(BigInt.asIntN(32, this.raw(i)));
  }

  /** Argument `i` as an unsigned int. */
  uint(i: number): number {
    return Number(BigInt.asUintN(32, this.raw(i)));
  }

  /** Argument `i` as a signed long. */
  long(i: number): bigint {
    return BigInt.asIntN(64, this.raw(i));
  }

  /** Argument `i` as an address (a number; exact for user addresses). */
  ptr(i: number): number {
    return Number(this.raw(i));
  }

  /** Argument `i` printed as an unsigned long in decimal. */
  ulong(i: number): string {
    return this.raw(i).toString();
  }

  /** Argument `i` as a pointer: `NULL` or hex. */
  addr(i: number): string {
    return addrText(this.raw(i));
  }

  /** Argument `i` as a file descriptor. */
  fd(i: number): string {
    return `${this.int(i)}`;
  }

  /** Argument `i` as a directory fd of the `*at` calls. */
  dirfd(i: number): string {
    const v = this.int(i);
    return v === -100 ? "AT_FDCWD" : `${v}`;
  }

  /** Reads guest memory; undefined when unreadable. */
  read(addr: number, len: number): Uint8Array | undefined {
    if (addr === 0) return undefined;
    try {
      return this.peek(addr, len);
    } catch {
      return undefined;
    }
  }

  /** Reads guest memory without side effects; throws when unreadable. */
  peek(addr: number, len: number): Uint8Array {
    return this.src.peek(addr, len);
  }

  /** A DataView of `len` bytes at `addr`, or undefined when unreadable. */
  view(addr: number, len: number): DataView | undefined {
    const b = this.read(addr, len);
    return b && new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** A path argument: the whole NUL-terminated string, quoted (strace's printpath). */
  path(i: number): string {
    const p = this.ptr(i);
    if (p === 0) return "NULL";
    const bytes = this.cstring(p, 4096);
    if (bytes === undefined) return hex(p);
    return quote(bytes.bytes) + (bytes.complete ? "" : "...");
  }

  /** A NUL-terminated string argument cut at the string limit (strace's printstr). */
  str(i: number): string {
    const p = this.ptr(i);
    if (p === 0) return "NULL";
    const s = this.cstring(p, this.strsize);
    if (s === undefined) return hex(p);
    return quote(s.bytes) + (s.complete ? "" : "...");
  }

  /** `len` bytes at argument `i`'s address, quoted and cut (strace's printstrn). */
  buf(i: number, len: number, forceHex = false): string {
    return this.bufAt(this.ptr(i), len, forceHex);
  }

  /** `len` bytes at `p`, quoted and cut at the string limit. */
  bufAt(p: number, len: number, forceHex = false): string {
    if (p === 0) return "NULL";
    const n = Math.max(0, Math.min(len, this.strsize));
    const b = n === 0 ? new Uint8Array(0) : this.read(p, n);
    if (b === undefined) return hex(p);
    return quote(b, forceHex) + (len > this.strsize ? "..." : "");
  }

  /** Reads a C string of at most `max` bytes: the bytes and whether the NUL came. */
  cstring(p: number, max: number): { bytes: Uint8Array; complete: boolean } | undefined {
    const out: number[] = [];
    try {
      // Read page by page so a string ending just before an unmapped page works.
      let at = p;
      while (out.length < max) {
        const n = Math.min(4096 - (at % 4096), max - out.length);
        const chunk = this.peek(at, n);
        for (const c of chunk) {
          if (c === 0) return { bytes: Uint8Array.from(out), complete: true };
          out.push(c);
        }
        at += n;
      }
    } catch {
      return undefined;
    }
    // strace prints max bytes and "..." unless the byte after them is the NUL.
    const next = this.read(p + max, 1);
    return { bytes: Uint8Array.from(out), complete: next !== undefined && next[0] === 0 };
  }

  /** A struct printed by `f` from `size` bytes at argument `i`, or its address. */
  struct(i: number, size: number, f: (v: DataView) => string): string {
    return this.structAt(this.ptr(i), size, f);
  }

  /** A struct at address `p`, or the address when unreadable. */
  structAt(p: number, size: number, f: (v: DataView) => string): string {
    if (p === 0) return "NULL";
    const v = this.view(p, size);
    return v ? f(v) : hex(p);
  }

  /** An output struct: printed only when the call succeeded. */
  out(i: number, size: number, f: (v: DataView) => string): string {
    if (!this.ok) return this.addr(i);
    return this.struct(i, size, f);
  }
}

/** A pointer as strace prints it: `NULL` or `0x...`. */
export function addrText(v: bigint | number): string {
  const b = BigInt.asUintN(64, BigInt(v));
  return b === 0n ? "NULL" : `0x${b.toString(16)}`;
}

/**
 * Quotes bytes as strace does: printable ASCII as is (with `\"` and `\\`),
 * `\t \n \v \f \r`, other bytes in octal with the fewest digits unless an
 * octal digit follows (`\0`, `\177`, `\0033`); `forceHex` prints every byte
 * as `\xNN` (strace does so for getrandom).
 */
export function quote(bytes: Uint8Array, forceHex = false): string {
  let s = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (forceHex) {
      s += `\\x${c.toString(16).padStart(2, "0")}`;
      continue;
    }
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += "\\\\";
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else if (c === 9) s += "\\t";
    else if (c === 10) s += "\\n";
    else if (c === 11) s += "\\v";
    else if (c === 12) s += "\\f";
    else if (c === 13) s += "\\r";
    else {
      const next = i + 1 < bytes.length ? bytes[i + 1] : -1;
      const digits = next >= 0x30 && next <= 0x37 ? c.toString(8).padStart(3, "0") : c.toString(8);
      s += `\\${digits}`;
    }
  }
  return s + '"';
}

// ------------------------------------------------------------ struct printers

function i64(v: DataView, off: number): bigint {
  return v.getBigInt64(off, true);
}

function u64(v: DataView, off: number): bigint {
  return v.getBigUint64(off, true);
}

/** `{tv_sec=0, tv_nsec=1000000}`. */
export function timespecText(v: DataView, off = 0): string {
  return `{tv_sec=${i64(v, off)}, tv_nsec=${i64(v, off + 8)}}`;
}

function timevalText(v: DataView, off = 0): string {
  return `{tv_sec=${i64(v, off)}, tv_usec=${i64(v, off + 8)}}`;
}

/** `{it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=1, tv_usec=0}}`. */
function itimervalText(v: DataView): string {
  return `{it_interval=${timevalText(v, 0)}, it_value=${timevalText(v, 16)}}`;
}

/** `{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=1, tv_nsec=0}}`. */
function itimerspecText(v: DataView): string {
  return `{it_interval=${timespecText(v, 0)}, it_value=${timespecText(v, 16)}}`;
}

/**
 * struct sigevent as strace prints it: the value, the signal (a name when
 * the notification sends one), the notification and its own fields.
 */
function sigeventText(v: DataView): string {
  const value = u64(v, 0);
  const signo = v.getInt32(8, true);
  const notify = v.getInt32(12, true);
  const signal = notify === 0 || notify === 2 || notify === 4;
  const fields = [
    `sigev_value={sival_int=${Number(BigInt.asIntN(32, value))}, sival_ptr=${addrText(value)}}`,
    `sigev_signo=${signal ? signalText(signo) : `${signo >>> 0}`}`,
    `sigev_notify=${enumText(SIGEV_NOTIFY, notify)}`,
  ];
  if (notify === 4) fields.push(`sigev_notify_thread_id=${v.getInt32(16, true)}`);
  if (notify === 2) {
    fields.push(
      `sigev_notify_function=${addrText(u64(v, 16))}`,
      `sigev_notify_attributes=${addrText(u64(v, 24))}`,
    );
  }
  return `{${fields.join(", ")}}`;
}

function makedev(dev: bigint): string {
  // Linux's new_encode_dev layout as glibc's major()/minor() decode it.
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `makedev(${hex(major)}, ${hex(minor)})`;
}

/** struct stat as strace abbreviates it. */
export function statText(v: DataView): string {
  const mode = v.getUint32(16, true);
  const type = mode & 0o170000;
  const second = type === 0o20000 || type === 0o60000
    ? `st_rdev=${makedev(u64(v, 32))}`
    : `st_size=${i64(v, 48)}`;
  return `{st_mode=${modeText(mode)}, ${second}, ...}`;
}

/** struct statx as strace abbreviates it. */
export function statxText(v: DataView): string {
  const mode = v.getUint16(28, true);
  const type = mode & 0o170000;
  const attrs = flagsText(STATX_ATTRS, u64(v, 8));
  const fields = [
    `stx_mask=${flagsText(STATX_MASK, v.getUint32(0, true))}`,
    `stx_attributes=${attrs}`,
    `stx_mode=${modeText(mode)}`,
  ];
  if (type === 0o20000 || type === 0o60000) {
    fields.push(
      `stx_rdev=makedev(${hex(v.getUint32(128, true))}, ${hex(v.getUint32(132, true))})`,
    );
  } else {
    fields.push(`stx_size=${u64(v, 40)}`);
  }
  return `{${fields.join(", ")}, ...}`;
}

/** An rlimit value: `RLIM64_INFINITY`, `8192*1024`, `1024`. */
export function rlimValue(x: bigint): string {
  if (x === 0xffffffffffffffffn) return "RLIM64_INFINITY";
  if (x > 1024n && x % 1024n === 0n) return `${x / 1024n}*1024`;
  return `${x}`;
}

function rlimitText(v: DataView): string {
  return `{rlim_cur=${rlimValue(u64(v, 0))}, rlim_max=${rlimValue(u64(v, 8))}}`;
}

function sigHandlerText(h: bigint): string {
  if (h === 0n) return "SIG_DFL";
  if (h === 1n) return "SIG_IGN";
  if (h === 0xffffffffffffffffn) return "SIG_ERR";
  return addrText(h);
}

function sigactionText(v: DataView): string {
  const flags = u64(v, 8);
  return `{sa_handler=${sigHandlerText(u64(v, 0))}, sa_mask=${sigsetText(u64(v, 16))}, ` +
    `sa_flags=${flagsText(SA_FLAGS, flags)}}`;
}

function stackText(v: DataView): string {
  return `{ss_sp=${addrText(u64(v, 0))}, ss_flags=${flagsText(SS_FLAGS, v.getUint32(8, true))}, ` +
    `ss_size=${u64(v, 16)}}`;
}

function utsField(v: DataView, off: number): string {
  const bytes: number[] = [];
  for (let i = 0; i < 65; i++) {
    const c = v.getUint8(off + i);
    if (c === 0) break;
    bytes.push(c);
  }
  return quote(Uint8Array.from(bytes));
}

function epollEventText(v: DataView, off: number): string {
  const data = u64(v, off + 8);
  return `{events=${flagsText(EPOLL_EVENTS, v.getUint32(off, true))}, ` +
    `data={u32=${data & 0xffffffffn}, u64=${data}}}`;
}

function termiosText(v: DataView): string {
  const ifl = v.getUint32(0, true);
  const ofl = v.getUint32(4, true);
  const cfl = v.getUint32(8, true);
  const lfl = v.getUint32(12, true);
  const delays = [
    (ofl & 0o400) ? "NL1" : "NL0",
    `CR${(ofl >> 9) & 3}`,
    `TAB${(ofl >> 11) & 3}`,
    (ofl & 0o20000) ? "BS1" : "BS0",
    (ofl & 0o40000) ? "VT1" : "VT0",
    (ofl & 0o100000) ? "FF1" : "FF0",
  ];
  const orest = ofl & ~(0o400 | 0o3000 | 0o14000 | 0o20000 | 0o40000 | 0o100000);
  const oflags = orest === 0 ? "" : `|${flagsText(TERMIOS_OFLAG, orest)}`;
  const baud = enumName(TERMIOS_BAUD, cfl & 0o10017) ?? hex(cfl & 0o10017);
  const csize = `CS${5 + ((cfl >> 4) & 3)}`;
  const crest = cfl & ~(0o10017 | 0o60);
  const cflags = crest === 0 ? "" : `|${flagsText(TERMIOS_CFLAG, crest)}`;
  return `{c_iflag=${flagsText(TERMIOS_IFLAG, ifl)}, c_oflag=${delays.join("|")}${oflags}, ` +
    `c_cflag=${baud}|${csize}${cflags}, c_lflag=${flagsText(TERMIOS_LFLAG, lfl)}, ...}`;
}

function winsizeText(v: DataView): string {
  return `{ws_row=${v.getUint16(0, true)}, ws_col=${v.getUint16(2, true)}, ` +
    `ws_xpixel=${v.getUint16(4, true)}, ws_ypixel=${v.getUint16(6, true)}}`;
}

/** An array of `count` elements of `size` bytes, cut at the string limit like strace. */
function arrayText(
  c: DecodeContext,
  p: number,
  count: number,
  size: number,
  f: (v: DataView, off: number) => string,
): string {
  if (p === 0) return "NULL";
  const shown = Math.min(count, c.strsize);
  const v = c.view(p, shown * size);
  if (v === undefined) return hex(p);
  const items: string[] = [];
  for (let i = 0; i < shown; i++) items.push(f(v, i * size));
  if (count > shown) items.push("...");
  return `[${items.join(", ")}]`;
}

function iovecText(c: DecodeContext, p: number, count: number, dataLen: number | undefined) {
  // dataLen: bytes to show across the buffers (read's result), undefined = each iov_len.
  let left = dataLen;
  return arrayText(c, p, count, 16, (v, off) => {
    const base = Number(u64(v, off));
    const len = u64(v, off + 8);
    let show = Number(len);
    if (left !== undefined) {
      show = Math.min(show, left);
      left -= show;
    }
    return `{iov_base=${c.bufAt(base, show)}, iov_len=${len}}`;
  });
}

function cpuSetText(b: Uint8Array): string {
  const cpus: number[] = [];
  for (let i = 0; i < b.length * 8; i++) if (b[i >> 3] & (1 << (i & 7))) cpus.push(i);
  return `[${cpus.join(" ")}]`;
}

function sigsetArg(c: DecodeContext, i: number, size: number): string {
  const p = c.ptr(i);
  if (p === 0) return "NULL";
  if (size !== 8) return hex(p);
  const v = c.view(p, 8);
  return v ? sigsetText(u64(v, 0)) : hex(p);
}

// ------------------------------------------------------------ decoders

/** A decoder: prints one syscall's arguments as strace does. */
export type Decoder = (c: DecodeContext) => Decoded;

function all(...args: string[]): Decoded {
  return { args };
}

function noArgs(): Decoded {
  return { args: [] };
}

function readLike(c: DecodeContext): Decoded {
  const n = c.ok ? c.rv! : 0;
  return {
    args: [c.fd(0), c.ok ? c.buf(1, n) : c.addr(1), c.ulong(2)],
    entry: 1,
  };
}

function writeLike(c: DecodeContext): Decoded {
  return all(c.fd(0), c.buf(1, Number(c.raw(2))), c.ulong(2));
}

function preadLike(c: DecodeContext): Decoded {
  const d = readLike(c);
  d.args.push(`${c.long(3)}`);
  return d;
}

function statAt(c: DecodeContext): Decoded {
  return {
    args: [c.dirfd(0), c.path(1), c.out(2, 128, statText), flagsText(AT_FLAGS, c.uint(3))],
    entry: 2,
  };
}

function futex(c: DecodeContext): Decoded {
  const op = c.int(1);
  const cmd = op & 127;
  const args = [c.addr(0), futexOpText(op)];
  const val = `${c.uint(2)}`;
  const timeout = () => c.struct(3, 16, timespecText);
  const bitset = () => {
    const b = c.uint(5);
    return b === 0xffffffff ? "FUTEX_BITSET_MATCH_ANY" : hex(b);
  };
  switch (cmd) {
    case 0: // WAIT
      args.push(val, timeout());
      break;
    case 1: // WAKE
    case 2: // FD
      args.push(val);
      break;
    case 3: // REQUEUE
      args.push(val, `${c.uint(3)}`, c.addr(4));
      break;
    case 4: // CMP_REQUEUE
    case 12: // CMP_REQUEUE_PI
      args.push(val, `${c.uint(3)}`, c.addr(4), `${c.uint(5)}`);
      break;
    case 5: // WAKE_OP
      args.push(val, `${c.uint(3)}`, c.addr(4), wakeOpText(c.uint(5)));
      break;
    case 6: // LOCK_PI
    case 13: // LOCK_PI2
      args.push(timeout());
      break;
    case 7: // UNLOCK_PI
    case 8: // TRYLOCK_PI
      break;
    case 9: // WAIT_BITSET
      args.push(val, timeout(), bitset());
      break;
    case 10: // WAKE_BITSET
      args.push(val, bitset());
      break;
    case 11: // WAIT_REQUEUE_PI
      args.push(val, timeout(), c.addr(4));
      break;
    default:
      args.push(val, c.addr(3), c.addr(4), hex(c.uint(5)));
  }
  return { args };
}

function wakeOpText(v: number): string {
  const ops = ["FUTEX_OP_SET", "FUTEX_OP_ADD", "FUTEX_OP_OR", "FUTEX_OP_ANDN", "FUTEX_OP_XOR"];
  const cmps = [
    "FUTEX_OP_CMP_EQ",
    "FUTEX_OP_CMP_NE",
    "FUTEX_OP_CMP_LT",
    "FUTEX_OP_CMP_LE",
    "FUTEX_OP_CMP_GT",
    "FUTEX_OP_CMP_GE",
  ];
  const op = (v >>> 28) & 7;
  const shift = (v >>> 28) & 8 ? "FUTEX_OP_OPARG_SHIFT<<28|" : "";
  const cmp = (v >>> 24) & 15;
  const oparg = (v >>> 12) & 0xfff;
  const cmparg = v & 0xfff;
  return `${shift}${ops[op] ?? op}<<28|${oparg}<<12|${cmps[cmp] ?? cmp}<<24|${cmparg}`;
}

function clone(c: DecodeContext): Decoded {
  // riscv64 argument order: flags, newsp, parent_tidptr, tls, child_tidptr.
  const flags = c.raw(0);
  const sig = Number(flags & 0xffn);
  let f = flagsText(CLONE_FLAGS, flags & ~0xffn);
  if (sig !== 0) f = f === "0" ? signalText(sig) : `${f}|${signalText(sig)}`;
  const args = [`child_stack=${c.addr(1)}`, `flags=${f}`];
  if (flags & 0x100000n) {
    const p = c.ptr(2);
    const v = c.ok ? c.view(p, 4) : undefined;
    args.push(`parent_tid=${v ? `[${v.getInt32(0, true)}]` : addrText(p)}`);
  }
  if (flags & 0x80000n) args.push(`tls=${c.addr(3)}`);
  if (flags & 0x1200000n) args.push(`child_tidptr=${c.addr(4)}`);
  return { args, entry: 2 };
}

function clone3(c: DecodeContext): Decoded {
  const p = c.ptr(0);
  const size = c.ulong(1);
  const v = c.view(p, 88);
  if (!v) return { args: [addrText(p), size] };
  const flags = u64(v, 0);
  const fields = [`flags=${flagsText(CLONE_FLAGS, flags)}`];
  if (flags & 0x1000n) fields.push(`pidfd=${addrText(u64(v, 8))}`);
  if (flags & 0x1200000n) fields.push(`child_tid=${addrText(u64(v, 16))}`);
  if (flags & 0x100000n) fields.push(`parent_tid=${addrText(u64(v, 24))}`);
  const es = Number(u64(v, 32));
  fields.push(`exit_signal=${es === 0 ? "0" : signalText(es)}`);
  fields.push(`stack=${addrText(u64(v, 40))}`, `stack_size=${hex(u64(v, 48))}`);
  if (flags & 0x80000n) fields.push(`tls=${addrText(u64(v, 56))}`);
  if (u64(v, 72) !== 0n) {
    fields.push(`set_tid=${addrText(u64(v, 64))}`, `set_tid_size=${u64(v, 72)}`);
  }
  if (flags & 0x200000000n) fields.push(`cgroup=${u64(v, 80)}`);
  let text = `{${fields.join(", ")}}`;
  if (c.ok && flags & 0x100000n) {
    const ptid = c.view(Number(u64(v, 24)), 4);
    if (ptid) text += ` => {parent_tid=[${ptid.getInt32(0, true)}]}`;
  }
  return { args: [text, size] };
}

function ioctl(c: DecodeContext): Decoded {
  const req = c.uint(1);
  const name = enumName(IOCTL_CMDS, req);
  const args = [c.fd(0), name ?? hex(req)];
  switch (req) {
    case 0x5401: // TCGETS
      args.push(c.out(2, 36, termiosText));
      return { args, entry: 2, commaAtExit: true };
    case 0x5402:
    case 0x5403:
    case 0x5404: // TCSETS*
      args.push(c.struct(2, 36, termiosText));
      return { args };
    case 0x5413: // TIOCGWINSZ
      args.push(c.out(2, 8, winsizeText));
      return { args, entry: 2, commaAtExit: true };
    case 0x5414: // TIOCSWINSZ
      args.push(c.struct(2, 8, winsizeText));
      return { args };
    case 0x541b: // FIONREAD
    case 0x540f: // TIOCGPGRP
      args.push(c.ok ? c.struct(2, 4, (v) => `[${v.getInt32(0, true)}]`) : c.addr(2));
      return { args, entry: 2, commaAtExit: true };
    case 0x5421: // FIONBIO
    case 0x5410: // TIOCSPGRP
      args.push(c.struct(2, 4, (v) => `[${v.getInt32(0, true)}]`));
      return { args };
    case 0x5450:
    case 0x5451: // FIONCLEX, FIOCLEX: no argument
      return { args };
    default:
      args.push(c.addr(2));
      return { args };
  }
}

function fcntl(c: DecodeContext): Decoded {
  const cmd = c.int(1);
  const args = [c.fd(0), enumText(FCNTL_CMDS, cmd)];
  const d: Decoded = { args };
  switch (cmd) {
    case 0: // F_DUPFD
    case 1030: // F_DUPFD_CLOEXEC
    case 8: // F_SETOWN
    case 10: // F_SETSIG
    case 1031: // F_SETPIPE_SZ
      args.push(`${c.int(2)}`);
      break;
    case 2: // F_SETFD
      args.push(flagsText(FD_FLAGS, c.uint(2)));
      break;
    case 4: // F_SETFL
      args.push(openFlagsText(c.uint(2)));
      break;
    case 1: // F_GETFD
      if (c.ok && c.rv !== 0) {
        d.hexResult = true;
        d.aux = `flags ${flagsText(FD_FLAGS, c.rv!)}`;
      }
      break;
    case 3: // F_GETFL
      if (c.ok) {
        d.hexResult = true;
        d.aux = `flags ${openFlagsText(c.rv!)}`;
      }
      break;
    case 9: // F_GETOWN
    case 11: // F_GETSIG
    case 1025: // F_GETLEASE
    case 1032: // F_GETPIPE_SZ
    case 1034: // F_GET_SEALS
      break;
    default:
      args.push(c.addr(2));
  }
  return d;
}

function rtSigaction(c: DecodeContext): Decoded {
  return {
    args: [
      signalText(c.int(0)),
      c.struct(1, 24, sigactionText),
      c.ok ? c.struct(2, 24, sigactionText) : c.addr(2),
      c.ulong(3),
    ],
    entry: 2,
  };
}

function rtSigprocmask(c: DecodeContext): Decoded {
  const size = Number(c.raw(3));
  return {
    args: [
      enumText(SIGPROCMASK_HOW, c.int(0)),
      sigsetArg(c, 1, size),
      c.ok ? sigsetArg(c, 2, size) : c.addr(2),
      c.ulong(3),
    ],
    entry: 2,
  };
}

function pollfds(c: DecodeContext, p: number, n: number, withRevents: boolean): string {
  return arrayText(c, p, n, 8, (v, off) => {
    const fd = v.getInt32(off, true);
    const ev = v.getUint16(off + 4, true);
    const rev = v.getUint16(off + 6, true);
    const events = flagsText(POLL_EVENTS, ev);
    return withRevents
      ? `{fd=${fd}, revents=${flagsText(POLL_EVENTS, rev)}}`
      : `{fd=${fd}, events=${events}}`;
  });
}

function ppoll(c: DecodeContext): Decoded {
  const p = c.ptr(0);
  const n = c.uint(1);
  const size = Number(c.raw(4));
  const d: Decoded = {
    args: [
      pollfds(c, p, n, false),
      `${n}`,
      c.struct(2, 16, timespecText),
      sigsetArg(c, 3, size),
      c.ulong(4),
    ],
  };
  if (c.ok) {
    if (c.rv === 0) d.aux = "Timeout";
    else {
      const v = c.view(p, n * 8);
      if (v) {
        const ready: string[] = [];
        for (let i = 0; i < n; i++) {
          const rev = v.getUint16(i * 8 + 6, true);
          if (rev !== 0) {
            ready.push(`{fd=${v.getInt32(i * 8, true)}, revents=${flagsText(POLL_EVENTS, rev)}}`);
          }
        }
        d.aux = `[${ready.join(", ")}]`;
        const ts = c.ptr(2) === 0 ? undefined : c.view(c.ptr(2), 16);
        if (ts) d.aux += `, left ${timespecText(ts)}`;
      }
    }
  }
  return d;
}

function epollPwait(c: DecodeContext, timeout: string): Decoded {
  const n = c.ok ? c.rv! : 0;
  const events = c.ok ? arrayText(c, c.ptr(1), n, 16, epollEventText) : c.addr(1);
  const size = Number(c.raw(5));
  return {
    args: [c.fd(0), events, `${c.int(2)}`, timeout, sigsetArg(c, 4, size), c.ulong(5)],
    entry: 1,
  };
}

function mmap(c: DecodeContext): Decoded {
  return {
    args: [
      c.addr(0),
      c.ulong(1),
      flagsText(PROT_FLAGS, c.uint(2), "PROT_NONE"),
      mmapFlagsText(c.uint(3)),
      c.fd(4),
      hex(c.raw(5)),
    ],
    hexResult: true,
  };
}

function getdents64(c: DecodeContext): Decoded {
  let entries = "";
  if (c.ok) {
    const b = c.read(c.ptr(1), c.rv!);
    if (b && c.rv! > 0) {
      const v = new DataView(b.buffer);
      let n = 0;
      for (let off = 0; off + 19 <= b.length;) {
        const reclen = v.getUint16(off + 16, true);
        if (reclen === 0) break;
        n++;
        off += reclen;
      }
      entries = ` /* ${n} entries */`;
    } else if (c.rv === 0) entries = " /* 0 entries */";
  }
  return { args: [c.fd(0), c.addr(1) + entries, `${c.uint(2)}`], entry: 1 };
}

function wait4(c: DecodeContext): Decoded {
  const statusP = c.ptr(1);
  let status = c.addr(1);
  if (c.ok && statusP !== 0) {
    const v = c.view(statusP, 4);
    if (v) status = `[${waitStatusText(v.getInt32(0, true))}]`;
  }
  return {
    args: [`${c.int(0)}`, status, flagsText(WAIT_OPTIONS, c.uint(2)), c.addr(3)],
    entry: 1,
  };
}

function waitStatusText(s: number): string {
  const sig = s & 0x7f;
  if (sig === 0) return `{WIFEXITED(s) && WEXITSTATUS(s) == ${(s >> 8) & 0xff}}`;
  if (sig === 0x7f) return `{WIFSTOPPED(s) && WSTOPSIG(s) == ${signalText((s >> 8) & 0xff)}}`;
  const core = s & 0x80 ? " && WCOREDUMP(s)" : "";
  return `{WIFSIGNALED(s) && WTERMSIG(s) == ${signalText(sig)}${core}}`;
}

function sysinfoText(v: DataView): string {
  const loads = [u64(v, 8), u64(v, 16), u64(v, 24)];
  return `{uptime=${i64(v, 0)}, loads=[${loads.join(", ")}], totalram=${u64(v, 32)}, ` +
    `freeram=${u64(v, 40)}, sharedram=${u64(v, 48)}, bufferram=${u64(v, 56)}, ` +
    `totalswap=${u64(v, 64)}, freeswap=${u64(v, 72)}, procs=${v.getUint16(80, true)}, ` +
    `totalhigh=${u64(v, 88)}, freehigh=${u64(v, 96)}, mem_unit=${v.getUint32(104, true)}}`;
}

function rusageText(v: DataView): string {
  return `{ru_utime=${timevalText(v, 0)}, ru_stime=${timevalText(v, 16)}, ...}`;
}

function hwprobe(c: DecodeContext): Decoded {
  const n = Number(c.raw(1));
  const pairs = c.ok
    ? arrayText(c, c.ptr(0), n, 16, (v, off) => {
      const key = i64(v, off);
      const name = enumName(HWPROBE_KEYS, key) ?? `${key}`;
      return `{key=${name}, value=${hex(u64(v, off + 8))}}`;
    })
    : c.addr(0);
  return { args: [pairs, `${n}`, c.ulong(2), c.addr(3), hex(c.uint(4))] };
}

/**
 * strace's argument decoders by syscall name; the syscall registry
 * (`lib/kernel/syscalls.ts`) links each to its syscall.
 */
export const DECODERS: Readonly<Record<string, Decoder>> = {
  // sockets (decode_net.ts), and later additions (decode_gaps.ts)
  ...NET_DECODERS,
  ...GAP_DECODERS,
  // files
  read: readLike,
  write: writeLike,
  pread64: preadLike,
  pwrite64: (c) => {
    const d = writeLike(c);
    d.args.push(`${c.long(3)}`);
    return d;
  },
  readv: (c) => ({
    args: [c.fd(0), c.ok ? iovecText(c, c.ptr(1), c.uint(2), c.rv!) : c.addr(1), `${c.uint(2)}`],
    entry: 1,
  }),
  writev: (c) => all(c.fd(0), iovecText(c, c.ptr(1), c.uint(2), undefined), `${c.uint(2)}`),
  preadv: (c) => ({
    args: [
      c.fd(0),
      c.ok ? iovecText(c, c.ptr(1), c.uint(2), c.rv!) : c.addr(1),
      `${c.uint(2)}`,
      `${c.long(3)}`,
    ],
    entry: 1,
  }),
  pwritev: (c) =>
    all(c.fd(0), iovecText(c, c.ptr(1), c.uint(2), undefined), `${c.uint(2)}`, `${c.long(3)}`),
  openat: (c) => {
    const flags = c.uint(2);
    const args = [c.dirfd(0), c.path(1), openFlagsText(flags)];
    if (flags & 0o100 || (flags & 0o20200000) === 0o20200000) args.push(octal(c.uint(3)));
    return { args };
  },
  close: (c) => all(c.fd(0)),
  dup: (c) => all(c.fd(0)),
  dup3: (c) => all(c.fd(0), c.fd(1), flagsText(PIPE_FLAGS, c.uint(2))),
  pipe2: (c) => ({
    args: [
      c.ok ? c.struct(0, 8, (v) => `[${v.getInt32(0, true)}, ${v.getInt32(4, true)}]`) : c.addr(0),
      flagsText(PIPE_FLAGS, c.uint(1)),
    ],
    entry: 0,
  }),
  lseek: (c) => all(c.fd(0), `${c.long(1)}`, enumText(SEEK_WHENCE, c.uint(2))),
  fstat: (c) => ({ args: [c.fd(0), c.out(1, 128, statText)], entry: 1 }),
  newfstatat: statAt,
  statx: (c) => ({
    args: [
      c.dirfd(0),
      c.path(1),
      statxFlagsText(c.uint(2)),
      flagsText(STATX_MASK, c.uint(3)),
      c.out(4, 256, statxText),
    ],
    entry: 4,
  }),
  faccessat: (c) => all(c.dirfd(0), c.path(1), flagsText(ACCESS_MODES, c.uint(2), "F_OK")),
  faccessat2: (c) =>
    all(
      c.dirfd(0),
      c.path(1),
      flagsText(ACCESS_MODES, c.uint(2), "F_OK"),
      flagsText(ACCESS_AT_FLAGS, c.uint(3)),
    ),
  getcwd: (c) => ({ args: [c.ok ? pathOf(c, 0) : c.addr(0), c.ulong(1)], entry: 0 }),
  chdir: (c) => all(c.path(0)),
  fchdir: (c) => all(c.fd(0)),
  mkdirat: (c) => all(c.dirfd(0), c.path(1), octal(c.uint(2))),
  unlinkat: (c) => all(c.dirfd(0), c.path(1), flagsText(AT_FLAGS, c.uint(2))),
  renameat: (c) => all(c.dirfd(0), c.path(1), c.dirfd(2), c.path(3)),
  renameat2: (c) =>
    all(c.dirfd(0), c.path(1), c.dirfd(2), c.path(3), flagsText(RENAME_FLAGS, c.uint(4))),
  symlinkat: (c) => all(c.path(0), c.dirfd(1), c.path(2)),
  linkat: (c) => all(c.dirfd(0), c.path(1), c.dirfd(2), c.path(3), flagsText(AT_FLAGS, c.uint(4))),
  readlinkat: (c) => ({
    args: [c.dirfd(0), c.path(1), c.ok ? c.buf(2, c.rv!) : c.addr(2), c.ulong(3)],
    entry: 2,
  }),
  fchmod: (c) => all(c.fd(0), octal(c.uint(1))),
  fchmodat: (c) => all(c.dirfd(0), c.path(1), octal(c.uint(2))),
  fchownat: (c) =>
    all(c.dirfd(0), c.path(1), `${c.int(2)}`, `${c.int(3)}`, flagsText(AT_FLAGS, c.uint(4))),
  ftruncate: (c) => all(c.fd(0), `${c.long(1)}`),
  truncate: (c) => all(c.path(0), `${c.long(1)}`),
  fsync: (c) => all(c.fd(0)),
  fdatasync: (c) => all(c.fd(0)),
  getdents64,
  ioctl,
  fcntl,
  umask: (c) => ({ args: [octal(c.uint(0))] }),
  utimensat: (c) =>
    all(
      c.dirfd(0),
      c.path(1),
      c.ptr(2) === 0
        ? "NULL"
        : c.struct(2, 32, (v) => `[${timespecText(v, 0)}, ${timespecText(v, 16)}]`),
      flagsText(AT_FLAGS, c.uint(3)),
    ),
  // memory
  brk: (c) => ({ args: [c.addr(0)], hexResult: true }),
  mmap,
  munmap: (c) => all(c.addr(0), c.ulong(1)),
  mprotect: (c) => all(c.addr(0), c.ulong(1), flagsText(PROT_FLAGS, c.uint(2), "PROT_NONE")),
  madvise: (c) => all(c.addr(0), c.ulong(1), enumText(MADV, c.int(2))),
  mremap: (c) => {
    const flags = c.uint(3);
    const args = [c.addr(0), c.ulong(1), c.ulong(2), flagsText(MREMAP_FLAGS, flags)];
    if (flags & 2) args.push(c.addr(4));
    return { args, hexResult: true };
  },
  msync: (c) => all(c.addr(0), c.ulong(1), flagsText(MSYNC_FLAGS, c.uint(2))),
  mlock: (c) => all(c.addr(0), c.ulong(1)),
  munlock: (c) => all(c.addr(0), c.ulong(1)),
  membarrier: (c) => all(enumText(MEMBARRIER_CMDS, c.int(0)), hex(c.uint(1))),
  // processes and threads
  exit: (c) => all(`${c.int(0)}`),
  exit_group: (c) => all(`${c.int(0)}`),
  getpid: noArgs,
  getppid: noArgs,
  gettid: noArgs,
  getuid: noArgs,
  geteuid: noArgs,
  getgid: noArgs,
  getegid: noArgs,
  getpgid: (c) => all(`${c.int(0)}`),
  setsid: noArgs,
  sched_yield: noArgs,
  set_tid_address: (c) => all(c.addr(0)),
  set_robust_list: (c) => all(c.addr(0), c.ulong(1)),
  get_robust_list: (c) => ({
    args: [
      `${c.int(0)}`,
      c.ok ? c.struct(1, 8, (v) => `[${addrText(u64(v, 0))}]`) : c.addr(1),
      c.ok ? c.struct(2, 8, (v) => `[${u64(v, 0)}]`) : c.addr(2),
    ],
    entry: 1,
  }),
  futex,
  clone,
  clone3,
  wait4,
  kill: (c) => all(`${c.int(0)}`, signalText(c.int(1))),
  tkill: (c) => all(`${c.int(0)}`, signalText(c.int(1))),
  tgkill: (c) => all(`${c.int(0)}`, `${c.int(1)}`, signalText(c.int(2))),
  prlimit64: (c) => ({
    args: [
      `${c.int(0)}`,
      enumText(RLIMIT_RESOURCES, c.uint(1)),
      c.struct(2, 16, rlimitText),
      c.ok ? c.struct(3, 16, rlimitText) : c.addr(3),
    ],
    entry: 3,
  }),
  getrusage: (c) => ({
    args: [enumText(RUSAGE_WHO, c.int(0)), c.out(1, 144, rusageText)],
    entry: 1,
  }),
  prctl: (c) => {
    const opt = c.int(0);
    const name = enumText(PRCTL_OPTIONS, opt);
    if (opt === 15) return all(name, c.str(1));
    if (opt === 16) return { args: [name, c.ok ? c.str(1) : c.addr(1)], entry: 1 };
    return all(name, hex(c.raw(1)), hex(c.raw(2)), hex(c.raw(3)), hex(c.raw(4)));
  },
  sched_getaffinity: (c) => ({
    args: [
      `${c.int(0)}`,
      c.ulong(1),
      c.ok
        ? (() => {
          const b = c.read(c.ptr(2), c.rv!);
          return b ? cpuSetText(b) : c.addr(2);
        })()
        : c.addr(2),
    ],
    entry: 2,
  }),
  sched_setaffinity: (c) => {
    const b = c.read(c.ptr(2), Number(c.raw(1)));
    return all(`${c.int(0)}`, c.ulong(1), b ? cpuSetText(b) : c.addr(2));
  },
  rseq: (c) => all(c.addr(0), hex(c.uint(1)), hex(c.int(2)), hex(c.uint(3))),
  riscv_hwprobe: hwprobe,
  riscv_flush_icache: (c) => all(c.addr(0), c.addr(1), hex(c.raw(2))),
  // signals
  rt_sigaction: rtSigaction,
  rt_sigprocmask: rtSigprocmask,
  rt_sigreturn: (c) => {
    return { args: [`{mask=${sigsetText(c.src.sigmaskOf(c.e.tid))}}`] };
  },
  sigaltstack: (c) => ({
    args: [c.struct(0, 24, stackText), c.ok ? c.struct(1, 24, stackText) : c.addr(1)],
    entry: 1,
  }),
  rt_sigsuspend: (c) => all(sigsetArg(c, 0, Number(c.raw(1))), c.ulong(1)),
  rt_sigpending: (c) => ({
    args: [c.ok ? sigsetArg(c, 0, Number(c.raw(1))) : c.addr(0), c.ulong(1)],
    entry: 0,
  }),
  rt_sigtimedwait: (c) =>
    all(sigsetArg(c, 0, Number(c.raw(3))), c.addr(1), c.struct(2, 16, timespecText), c.ulong(3)),
  // time
  clock_gettime: (c) => ({
    args: [clockText(c.int(0)), c.out(1, 16, timespecText)],
    entry: 1,
  }),
  clock_getres: (c) => ({
    args: [clockText(c.int(0)), c.out(1, 16, timespecText)],
    entry: 1,
  }),
  gettimeofday: (c) => ({
    args: [c.out(0, 16, (v) => timevalText(v)), c.addr(1)],
    entry: 0,
  }),
  nanosleep: (c) => ({
    args: [
      c.struct(0, 16, timespecText),
      c.ok || c.ptr(1) === 0 ? c.addr(1) : c.struct(1, 16, timespecText),
    ],
    entry: 1,
  }),
  clock_nanosleep: (c) => ({
    args: [
      clockText(c.int(0)),
      flagsText(TIMER_FLAGS, c.uint(1)),
      c.struct(2, 16, timespecText),
      c.ok || c.ptr(3) === 0 ? c.addr(3) : c.struct(3, 16, timespecText),
    ],
    entry: 3,
  }),
  getitimer: (c) => ({
    args: [enumText(ITIMER_WHICH, c.int(0)), c.out(1, 32, itimervalText)],
    entry: 1,
  }),
  setitimer: (c) => ({
    args: [
      enumText(ITIMER_WHICH, c.int(0)),
      c.struct(1, 32, itimervalText),
      c.ok ? c.struct(2, 32, itimervalText) : c.addr(2),
    ],
    entry: 2,
  }),
  timer_create: (c) => ({
    args: [
      clockText(c.int(0)),
      c.struct(1, 64, sigeventText),
      c.out(2, 4, (v) => `[${v.getInt32(0, true)}]`),
    ],
    entry: 2,
  }),
  timer_settime: (c) => ({
    args: [
      `${c.int(0)}`,
      flagsText(TIMER_FLAGS, c.uint(1)),
      c.struct(2, 32, itimerspecText),
      c.ok ? c.struct(3, 32, itimerspecText) : c.addr(3),
    ],
    entry: 3,
  }),
  timer_gettime: (c) => ({ args: [`${c.int(0)}`, c.out(1, 32, itimerspecText)], entry: 1 }),
  timer_getoverrun: (c) => all(`${c.int(0)}`),
  timer_delete: (c) => all(`${c.int(0)}`),
  times: (c) => ({
    args: [
      c.out(
        0,
        32,
        (v) =>
          `{tms_utime=${i64(v, 0)}, tms_stime=${i64(v, 8)}, tms_cutime=${i64(v, 16)}, ` +
          `tms_cstime=${i64(v, 24)}}`,
      ),
    ],
    entry: 0,
  }),
  // info
  uname: (c) => ({
    args: [c.out(0, 390, (v) => `{sysname=${utsField(v, 0)}, nodename=${utsField(v, 65)}, ...}`)],
    entry: 0,
  }),
  sysinfo: (c) => ({ args: [c.out(0, 112, sysinfoText)], entry: 0 }),
  getrandom: (c) => ({
    args: [c.ok ? c.buf(0, c.rv!, true) : c.addr(0), c.ulong(1), flagsText(GRND_FLAGS, c.uint(2))],
    entry: 0,
  }),
  // poll
  ppoll,
  epoll_create1: (c) => all(flagsText(EPOLL_CREATE_FLAGS, c.uint(0))),
  epoll_ctl: (c) => {
    const op = c.int(1);
    const ev = op === 2 ? c.addr(3) : c.structAt(c.ptr(3), 16, (v) => epollEventText(v, 0));
    return all(c.fd(0), enumText(EPOLL_CTL_OPS, op), c.fd(2), ev);
  },
  epoll_pwait: (c) => epollPwait(c, `${c.int(3)}`),
  epoll_pwait2: (c) => epollPwait(c, c.struct(3, 16, timespecText)),
  eventfd2: (c) => all(`${c.uint(0)}`, flagsText(EFD_FLAGS, c.uint(1))),
};

function statxFlagsText(flags: number): string {
  const sync = flags & 0x6000;
  const head = sync === 0
    ? "AT_STATX_SYNC_AS_STAT"
    : sync === 0x2000
    ? "AT_STATX_FORCE_SYNC"
    : sync === 0x4000
    ? "AT_STATX_DONT_SYNC"
    : "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC";
  const rest = flags & ~0x6000;
  return rest === 0 ? head : `${head}|${flagsText(AT_FLAGS, rest)}`;
}

function pathOf(c: DecodeContext, i: number): string {
  // getcwd's result counts the NUL; strace prints the path it returned.
  const p = c.ptr(i);
  const n = Math.max(0, c.rv! - 1);
  const b = c.read(p, n);
  return b === undefined ? hex(p) : quote(b);
}

function clockText(id: number): string {
  // Negative ids are CPU clocks of other processes/threads: printed as numbers.
  return id < 0 ? `${id}` : enumText(CLOCK_IDS, id);
}

/** True for names zkabi gives numbers strace has no name for. */
function isUnnamed(name: string): boolean {
  return name.startsWith("syscall_") || name === "arch_specific_syscall";
}

/** The name strace prints for event `e`: unnamed numbers as `syscall_0x1f4`. */
export function straceName(e: DecodeCall): string {
  if (isUnnamed(e.name) && e.nr >= 0) return `syscall_${hex(e.nr)}`;
  return e.name;
}

/**
 * Decodes the arguments of `e` as strace prints them with `decoder`, or, with
 * none (or when it fails on odd input), as `arity` raw hex values, as
 * strace's generic printargs does. Never throws.
 */
export function decodeWith(
  src: DecodeSource,
  e: DecodeCall,
  decoder: Decoder | undefined,
  arity: number,
  strsize: number = DEFAULT_STRSIZE,
): Decoded {
  if (decoder) {
    try {
      return decoder(new DecodeContext(src, e, strsize));
    } catch {
      // fall through to the generic form
    }
  }
  return { args: e.args.slice(0, arity).map((a) => hex(a)) };
}
