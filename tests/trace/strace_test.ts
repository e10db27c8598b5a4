/**
 * The strace formatter against real strace output: every expected line is
 * copied from the study's riscv64 strace logs (reth_stateless_strace.log,
 * geth_t8n_strace.log) or written from strace's documented format, and the
 * events are built by hand with the same argument values and the same bytes
 * in guest memory.
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { quote } from "../../lib/abi/decode.ts";
import { sigsetText } from "../../lib/abi/signals.ts";
import type { TraceEvent } from "../../lib/kernel/events.ts";
import type { RunEnd } from "../../lib/kernel/kernel.ts";
import { Thread } from "../../lib/kernel/thread.ts";
import {
  createStraceWriter,
  formatSignalLine,
  formatSyscallLine,
  straceExitLine,
} from "../../lib/trace/strace.ts";
import { exists, sig, sys, type TestGuest, testGuest, unescapeC } from "./support.ts";

const STUDY = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "data", "study");

const ENOENT = 2;
const EAGAIN = 11;
const EPERM = 1;

function line(g: TestGuest, e: TraceEvent): string {
  if (e.kind !== "syscall") throw new Error("not a syscall");
  return formatSyscallLine(g.k.tracee, e);
}

function stat(mode: number, size: number): Uint8Array {
  const b = new Uint8Array(128);
  const v = new DataView(b.buffer);
  v.setUint32(16, mode, true);
  v.setBigInt64(48, BigInt(size), true);
  return b;
}

function sigaction(handler: bigint, flags: bigint, mask: bigint): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, handler, true);
  v.setBigUint64(8, flags, true);
  v.setBigUint64(16, mask, true);
  return b;
}

function bit(signo: number): bigint {
  return 1n << BigInt(signo - 1);
}

const SA_RESTART = 0x10000000n;
const SA_ONSTACK = 0x08000000n;
const SA_SIGINFO = 4n;

/** Lines the tests below copy verbatim from the study logs (checked against them). */
const COPIED: string[] = [];

Deno.test("strace: reth_stateless lines (single thread, no prefix)", () => {
  const g = testGuest();
  const expect = (e: TraceEvent, want: string) => {
    COPIED.push(want);
    assert.equal(line(g, e), want);
  };

  expect(
    sys("brk", [0], 0x5561e24b5000),
    "brk(NULL)                               = 0x5561e24b5000",
  );
  expect(
    sys("faccessat", [-100, g.cstr("/etc/ld.so.preload"), 4], -ENOENT),
    'faccessat(AT_FDCWD, "/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)',
  );
  expect(
    sys("openat", [-100, g.cstr("/etc/ld.so.cache"), 0x80000], 3),
    'openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3',
  );
  expect(
    sys("fstat", [3, g.put(stat(0o100644, 21523))], 0),
    "fstat(3, {st_mode=S_IFREG|0644, st_size=21523, ...}) = 0",
  );
  expect(
    sys("mmap", [0, 21523, 1, 2, 3, 0], 0x7ffce617e000),
    "mmap(NULL, 21523, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7ffce617e000",
  );
  expect(sys("close", [3], 0), "close(3)                                = 0");
  const elf = new Uint8Array(832);
  elf.set(
    unescapeC(
      "\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0\\363\\0\\1\\0\\0\\0Ry\\2\\0\\0\\0\\0\\0",
    ),
  );
  elf.fill(0x41, 32);
  expect(
    sys("read", [3, g.put(elf), 832], 832),
    'read(3, "\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0\\363\\0\\1\\0\\0\\0Ry\\2\\0\\0\\0\\0\\0"..., 832) = 832',
  );
  expect(
    sys("mmap", [0, 8192, 3, 0x22, -1, 0], 0x7ffce617c000),
    "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffce617c000",
  );
  expect(
    sys("mmap", [0, 1572280, 5, 0x802, 3, 0], 0x7ffce5ffc000),
    "mmap(NULL, 1572280, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_DENYWRITE, 3, 0) = 0x7ffce5ffc000",
  );
  expect(
    sys("mmap", [0x7ffce616b000, 20480, 3, 0x812, 3, 0x16f000], 0x7ffce616b000),
    "mmap(0x7ffce616b000, 20480, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x16f000) = 0x7ffce616b000",
  );
  expect(
    sys("mmap", [0x7ffce6170000, 48568, 3, 0x32, -1, 0], 0x7ffce6170000),
    "mmap(0x7ffce6170000, 48568, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7ffce6170000",
  );
  expect(
    sys("set_tid_address", [0x7ffce5f5d0f0], 2154),
    "set_tid_address(0x7ffce5f5d0f0)         = 2154",
  );
  expect(
    sys("set_robust_list", [0x7ffce5f5d100, 24], 0),
    "set_robust_list(0x7ffce5f5d100, 24)     = 0",
  );
  expect(
    sys("mprotect", [0x7ffce616b000, 12288, 1], 0),
    "mprotect(0x7ffce616b000, 12288, PROT_READ) = 0",
  );
  expect(
    sys("prlimit64", [0, 3, 0, g.u64s(8192 * 1024, -1)], 0),
    "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
  );
  expect(
    sys("munmap", [0x7ffce617e000, 21523], 0),
    "munmap(0x7ffce617e000, 21523)           = 0",
  );
  const fds = new Uint8Array(24);
  const fv = new DataView(fds.buffer);
  [0, 1, 2].forEach((fd, i) => fv.setInt32(i * 8, fd, true));
  expect(
    sys("ppoll", [g.put(fds), 3, g.u64s(0, 0), 0, 0], 0),
    "ppoll([{fd=0, events=0}, {fd=1, events=0}, {fd=2, events=0}], 3, {tv_sec=0, tv_nsec=0}, NULL, 0) = 0 (Timeout)",
  );
  expect(
    sys("rt_sigaction", [
      13,
      g.put(sigaction(1n, SA_RESTART, bit(13))),
      g.put(sigaction(0n, 0n, 0n)),
      8,
    ], 0),
    "rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[PIPE], sa_flags=SA_RESTART}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
  );
  expect(
    sys("getrandom", [g.put(unescapeC("\\x45\\x43\\xed\\x24\\xc1\\x27\\xf2\\xa0")), 8, 1], 8),
    'getrandom("\\x45\\x43\\xed\\x24\\xc1\\x27\\xf2\\xa0", 8, GRND_NONBLOCK) = 8',
  );
  expect(
    sys("brk", [0x5561e24d6000], 0x5561e24d6000),
    "brk(0x5561e24d6000)                     = 0x5561e24d6000",
  );
  const maps = "5561d23f0000-5561d27bc000 r-xp 00000000 00:01 4667   /exec-block\n".repeat(16);
  expect(
    sys("read", [3, g.put(maps.slice(0, 1024)), 1024], 1024),
    'read(3, "5561d23f0000-5561d27bc000 r-xp 0"..., 1024) = 1024',
  );
  expect(
    sys("read", [3, g.put("000000 00:00 0".padEnd(48)), 1024], 48),
    'read(3, "000000 00:00 0                  "..., 1024) = 48',
  );
  expect(
    sys("sched_getaffinity", [2154, 32, g.put(new Uint8Array([15, 0, 0, 0, 0, 0, 0, 0]))], 8),
    "sched_getaffinity(2154, 32, [0 1 2 3])  = 8",
  );
  const ss = (sp: bigint, flags: number, size: bigint) => {
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, sp, true);
    v.setInt32(8, flags, true);
    v.setBigUint64(16, size, true);
    return g.put(b);
  };
  expect(
    sys("sigaltstack", [0, ss(0n, 2, 0n)], 0),
    "sigaltstack(NULL, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0",
  );
  expect(
    sys("mmap", [0, 12288, 3, 0x20022, -1, 0], 0x7ffce6181000),
    "mmap(NULL, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffce6181000",
  );
  expect(
    sys("mprotect", [0x7ffce6181000, 4096, 0], 0),
    "mprotect(0x7ffce6181000, 4096, PROT_NONE) = 0",
  );
  expect(
    sys("sigaltstack", [ss(0x7ffce6182000n, 0, 8192n), 0], 0),
    "sigaltstack({ss_sp=0x7ffce6182000, ss_flags=0, ss_size=8192}, NULL) = 0",
  );
  expect(
    sys(
      "rt_sigaction",
      [11, g.put(sigaction(0x5561d25e9eeen, SA_ONSTACK | SA_SIGINFO, 0n)), 0, 8],
      0,
    ),
    "rt_sigaction(SIGSEGV, {sa_handler=0x5561d25e9eee, sa_mask=[], sa_flags=SA_ONSTACK|SA_SIGINFO}, NULL, 8) = 0",
  );
  expect(
    sys("rt_sigaction", [7, 0, g.put(sigaction(0n, 0n, 0n)), 8], 0),
    "rt_sigaction(SIGBUS, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
  );
  expect(
    sys("write", [1, g.put("Starting stateless block validation\n"), 36], 36),
    'write(1, "Starting stateless block validat"..., 36) = 36',
  );
  const stx = new Uint8Array(256);
  const sv = new DataView(stx.buffer);
  sv.setUint32(0, 0x1fff, true);
  sv.setUint16(28, 0o100664, true);
  sv.setBigUint64(40, 9528654n, true);
  expect(
    sys("statx", [3, g.cstr(""), 0x1000, 0xfff, g.put(stx)], 0),
    'statx(3, "", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0664, stx_size=9528654, ...}) = 0',
  );
  expect(sys("lseek", [3, 0, 1], 0), "lseek(3, 0, SEEK_CUR)                   = 0");
  expect(
    sys("read", [3, g.put('{\n  "block": {\n    "header": {\n    "parentHash"'), 9528654], 9528654),
    'read(3, "{\\n  \\"block\\": {\\n    \\"header\\": {\\n "..., 9528654) = 9528654',
  );
  expect(sys("read", [3, g.zero(32), 32], 0), 'read(3, "", 32)                         = 0');
  expect(
    sys("mremap", [0x7ffce5f3c000, 135168, 266240, 1], 0x7ffce55bf000),
    "mremap(0x7ffce5f3c000, 135168, 266240, MREMAP_MAYMOVE) = 0x7ffce55bf000",
  );
  expect(
    sys("sigaltstack", [ss(0n, 2, 8192n), 0], 0),
    "sigaltstack({ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=8192}, NULL) = 0",
  );
  expect(sys("exit_group", [0], undefined), "exit_group(0)                           = ?");
  assert.equal(straceExitLine({ kind: "exit", status: 0 }), "+++ exited with 0 +++");
});

Deno.test("strace: geth_t8n lines (with tid prefixes)", () => {
  const g = testGuest();
  const main = new Thread(1526);
  g.k.threads.splice(0, g.k.threads.length, main, new Thread(1527));
  const out: string[] = [];
  const w = createStraceWriter(g.k.tracee, (l) => out.push(l));
  // `verbatim` false: the log has this call only as an unfinished/resumed pair.
  const check = (e: TraceEvent, want: string, verbatim = true) => {
    if (verbatim) COPIED.push(want);
    out.length = 0;
    w(e);
    assert.deepEqual(out, [want]);
  };
  const t = { tid: 1526 };
  check(
    sys("sched_getaffinity", [0, 8192, g.put(new Uint8Array([15, 0, 0, 0, 0, 0, 0, 0]))], 8, t),
    "1526  sched_getaffinity(0, 8192, [0 1 2 3]) = 8",
  );
  check(
    sys("openat", [-100, g.cstr("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"), 0], 3, t),
    '1526  openat(AT_FDCWD, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", O_RDONLY) = 3',
  );
  check(
    sys("read", [3, g.put("2097152\n"), 20], 8, t),
    '1526  read(3, "2097152\\n", 20)          = 8',
  );
  check(
    sys("mmap", [0xc000000000, 67108864, 0, 0x22, -1, 0], 0xc000000000, t),
    "1526  mmap(0xc000000000, 67108864, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xc000000000",
  );
  check(
    sys("madvise", [0x7ff3eba00000, 33554432, 15], 0, t),
    "1526  madvise(0x7ff3eba00000, 33554432, MADV_NOHUGEPAGE) = 0",
  );
  check(
    sys("rt_sigprocmask", [2, 0, g.u64s(0), 8], 0, t),
    "1526  rt_sigprocmask(SIG_SETMASK, NULL, [], 8) = 0",
  );
  check(sys("fcntl", [0, 1], 0, t), "1526  fcntl(0, F_GETFD)                 = 0");
  check(sys("gettid", [], 1526, t), "1526  gettid()                          = 1526");
  check(
    sys(
      "rt_sigaction",
      [
        1,
        g.put(sigaction(0x8e430n, SA_ONSTACK | SA_RESTART | SA_SIGINFO, -1n & 0xffffffffffffffffn)),
        0,
        8,
      ],
      0,
      t,
    ),
    "1526  rt_sigaction(SIGHUP, {sa_handler=0x8e430, sa_mask=~[], sa_flags=SA_ONSTACK|SA_RESTART|SA_SIGINFO}, NULL, 8) = 0",
  );
  check(
    sys("rt_sigaction", [32, 0, g.put(sigaction(0n, 0n, 0n)), 8], 0, t),
    "1526  rt_sigaction(SIGRTMIN, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
  );
  check(
    sys("rt_sigaction", [64, 0, g.put(sigaction(0n, 0n, 0n)), 8], 0, t),
    "1526  rt_sigaction(SIGRT_32, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
  );
  check(
    sys("rt_sigprocmask", [2, g.u64s(-1), g.u64s(0), 8], 0, t),
    "1526  rt_sigprocmask(SIG_SETMASK, ~[], [], 8) = 0",
  );
  check(
    sys("clone", [0x50f00, 0xc00004e000, 0, 0, 0], 1527, t),
    "1526  clone(child_stack=0xc00004e000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 1527",
  );
  check(
    sig(23, -6, { tid: 1526, pid: 1526, uid: 1000 }),
    "1526  --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=1526, si_uid=1000} ---",
  );
  check(
    sys("nanosleep", [g.u64s(0, 20000), 0], 0, { tid: 1527 }),
    "1527  nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0",
  );
  check(
    sys("futex", [0x1ddddc0, 128, 0, 0], -EAGAIN, t),
    "1526  futex(0x1ddddc0, FUTEX_WAIT_PRIVATE, 0, NULL) = -1 EAGAIN (Resource temporarily unavailable)",
  );
  check(
    sys("futex", [0xc00006f148, 129, 1], 1, t),
    "1526  futex(0xc00006f148, FUTEX_WAKE_PRIVATE, 1) = 1",
    false,
  );
  check(
    sys("tgkill", [1526, 1526, 23], 0, { tid: 1527 }),
    "1527  tgkill(1526, 1526, SIGURG)        = 0",
  );
  main.hart.setX(10, 140686789918720n);
  check(
    sys("rt_sigreturn", [], undefined, t),
    "1526  rt_sigreturn({mask=[]})           = 140686789918720",
    false,
  );
  main.hart.setX(10, -4n);
  check(
    sys("rt_sigreturn", [], undefined, t),
    "1526  rt_sigreturn({mask=[]})           = -1 EINTR (Interrupted system call)",
    false,
  );
  check(
    sys("fcntl", [3, 3], 0x8000, t),
    "1526  fcntl(3, F_GETFL)                 = 0x8000 (flags O_RDONLY|O_LARGEFILE)",
  );
  check(
    sys("fcntl", [3, 4, 0x8800], 0, t),
    "1526  fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK|O_LARGEFILE) = 0",
  );
  check(
    sys("fcntl", [0, 3], 0x8402, t),
    "1526  fcntl(0, F_GETFL)                 = 0x8402 (flags O_RDWR|O_APPEND|O_LARGEFILE)",
    false,
  );
  check(
    sys("fcntl", [3, 3], 0x8801, t),
    "1526  fcntl(3, F_GETFL)                 = 0x8801 (flags O_WRONLY|O_NONBLOCK|O_LARGEFILE)",
  );
  const ev = (events: number, data: bigint) => {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setUint32(0, events, true);
    v.setBigUint64(8, data, true);
    return b;
  };
  check(
    sys("epoll_ctl", [4, 1, 3, g.put(ev(0x80002005, 36015514875508740n))], 0, t),
    "1526  epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, data={u32=2190391300, u64=36015514875508740}}) = 0",
  );
  check(
    sys("epoll_ctl", [4, 1, 5, g.put(ev(1, 31487880n))], 0, t),
    "1526  epoll_ctl(4, EPOLL_CTL_ADD, 5, {events=EPOLLIN, data={u32=31487880, u64=31487880}}) = 0",
    false,
  );
  check(
    sys("epoll_ctl", [4, 1, 3, g.put(ev(0x80002005, 36015514875508743n))], -EPERM, t),
    "1526  epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, data={u32=2190391303, u64=36015514875508743}}) = -1 EPERM (Operation not permitted)",
  );
  check(
    sys("epoll_ctl", [4, 2, 3, 0xc0003bfa68], 0, t),
    "1526  epoll_ctl(4, EPOLL_CTL_DEL, 3, 0xc0003bfa68) = 0",
  );
  check(
    sys("epoll_pwait", [4, g.zero(16), 128, 0, 0, 0], 0, { tid: 1527 }),
    "1527  epoll_pwait(4, [], 128, 0, NULL, 0) = 0",
  );
  const pread =
    "\\370\\0\\3\\271\\10\\0\\3\\0\\t\\0\\23\\t\\211\\1\\223\\2312\\0003\\t9\\1/)\\t\\24\\223\\31\\t\\2\\223\\331";
  const preadBytes = new Uint8Array(64);
  preadBytes.set(unescapeC(pread));
  check(
    sys("pread64", [3, g.put(preadBytes), 64, 11219558], 64, t),
    `1526  pread64(3, "${pread}"..., 64, 11219558) = 64`,
  );
  const tio = new Uint8Array(36);
  const tv = new DataView(tio.buffer);
  tv.setUint32(0, 0o400 | 0o2000 | 0o10000 | 0o40000, true);
  tv.setUint32(4, 0o1 | 0o4, true);
  tv.setUint32(8, 0o15 | 0o60 | 0o200 | 0o2000 | 0o4000, true);
  tv.setUint32(12, 0o1 | 0o2 | 0o10 | 0o20 | 0o40 | 0o1000 | 0o4000, true);
  check(
    sys("ioctl", [0, 0x5401, g.put(tio)], 0, t),
    "1526  ioctl(0, TCGETS, {c_iflag=ICRNL|IXON|IXOFF|IUTF8, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B9600|CS8|CREAD|HUPCL|CLOCAL, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE, ...}) = 0",
  );
  const uts = new Uint8Array(390);
  uts.set(new TextEncoder().encode("Linux"), 0);
  uts.set(new TextEncoder().encode("ubuntu"), 65);
  check(
    sys("uname", [g.put(uts)], 0, t),
    '1526  uname({sysname="Linux", nodename="ubuntu", ...}) = 0',
  );
  check(
    sys("newfstatat", [-100, g.cstr("/home/ubuntu/go/src"), 0xc0000e01b8, 0], -ENOENT, t),
    '1526  newfstatat(AT_FDCWD, "/home/ubuntu/go/src", 0xc0000e01b8, 0) = -1 ENOENT (No such file or directory)',
  );
  check(
    sys("getrandom", [g.put(unescapeC("\\x43\\x2c\\xdb\\xc5\\x9b\\xce\\x96\\xcb")), 8, 0], 8, t),
    '1526  getrandom("\\x43\\x2c\\xdb\\xc5\\x9b\\xce\\x96\\xcb", 8, 0) = 8',
    false,
  );
  check(
    sys("openat", [-100, g.cstr("alloc.json"), 0o1000 | 0o100 | 1 | 0o2000000, 0o644], 3, t),
    '1526  openat(AT_FDCWD, "alloc.json", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 3',
  );
  check(
    sys("write", [2, g.put("\x1b[32mINFO \x1b[0m[07-19|12:52:58.942] Wrote file"), 121], 121, t),
    '1526  write(2, "\\33[32mINFO \\33[0m[07-19|12:52:58.94"..., 121) = 121',
  );
  check(
    sys("write", [3, g.put('{\n "0x000000000000000000000000000000'), 1553], 1553, t),
    '1526  write(3, "{\\n \\"0x00000000000000000000000000"..., 1553) = 1553',
  );
  check(
    sys("sigaltstack", [g.u64s(0xc000002000n, 0, 32768), 0], 0, t),
    "1526  sigaltstack({ss_sp=0xc000002000, ss_flags=0, ss_size=32768}, NULL) = 0",
  );
  check(
    sys("epoll_create1", [0x80000], 4, t),
    "1526  epoll_create1(EPOLL_CLOEXEC)      = 4",
    false,
  );
  check(
    sys("eventfd2", [0, 0x80800], 5, t),
    "1526  eventfd2(0, EFD_CLOEXEC|EFD_NONBLOCK) = 5",
    false,
  );
  check(
    sys("prlimit64", [0, 7, g.u64s(1048575, 1048576), 0], 0, t),
    "1526  prlimit64(0, RLIMIT_NOFILE, {rlim_cur=1048575, rlim_max=1024*1024}, NULL) = 0",
    false,
  );
  check(
    sys("prlimit64", [0, 7, 0, g.u64s(1024, 1048576)], 0, t),
    "1526  prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=1024, rlim_max=1024*1024}) = 0",
    false,
  );
  check(
    sys(
      "readlinkat",
      [
        -100,
        g.cstr("/proc/self/exe"),
        g.put("/home/ubuntu/stateless-exec/geth_evm_riscv64_linux"),
        128,
      ],
      50,
      t,
    ),
    '1526  readlinkat(AT_FDCWD, "/proc/self/exe", "/home/ubuntu/stateless-exec/geth"..., 128) = 50',
    false,
  );
  check(
    sys(
      "newfstatat",
      [-100, g.cstr("./geth_evm_riscv64_linux"), g.put(stat(0o100775, 44878232)), 0],
      0,
      t,
    ),
    '1526  newfstatat(AT_FDCWD, "./geth_evm_riscv64_linux", {st_mode=S_IFREG|0775, st_size=44878232, ...}, 0) = 0',
    false,
  );
  check(
    sys("fstat", [3, g.put(stat(0o100400, 0))], 0, t),
    "1526  fstat(3, {st_mode=S_IFREG|0400, st_size=0, ...}) = 0",
    false,
  );
});

Deno.test("strace: unfinished / resumed pairs from entry reports", () => {
  const g = testGuest();
  g.k.threads.splice(0, g.k.threads.length, new Thread(1526), new Thread(1527));
  const out: string[] = [];
  const w = createStraceWriter(g.k.tracee, (l) => out.push(l));
  const evs = g.put(new Uint8Array(32));
  // 1527 blocks in epoll_pwait; 1526 prints a line meanwhile; 1527 completes.
  w(sys("epoll_pwait", [4, evs, 128, 0, 0, 0], undefined, { tid: 1527, entry: true }));
  assert.deepEqual(out, []);
  w(sys("close", [3], 0, { tid: 1526 }));
  const e = new Uint8Array(16);
  new DataView(e.buffer).setUint32(0, 5, true);
  new DataView(e.buffer).setBigUint64(8, 36015514875508740n, true);
  g.k.mem.write(evs, e);
  w(sys("epoll_pwait", [4, evs, 128, 0, 0, 0], 1, { tid: 1527, blocked: true }));
  // A call that blocks and completes with nothing in between prints whole.
  w(sys("futex", [0x1ddddc0, 128, 0, 0], undefined, { tid: 1526, entry: true }));
  w(sys("futex", [0x1ddddc0, 128, 0, 0], 0, { tid: 1526, blocked: true }));
  // Entry-time arguments only, then the resumed tail with exit arguments.
  w(sys("rt_sigprocmask", [2, g.u64s(0), g.u64s(0), 8], undefined, { tid: 1527, entry: true }));
  w(sys("nanosleep", [g.u64s(0, 20000), 0], undefined, { tid: 1526, entry: true }));
  w(sys("getpid", [], 1526, { tid: 1528 }));
  w(sys("rt_sigprocmask", [2, g.u64s(0), 0, 8], 0, { tid: 1527, blocked: true }));
  w(sys("ioctl", [1, 0x5413, g.put(new Uint8Array([24, 0, 80, 0, 0, 0, 0, 0]))], undefined, {
    tid: 1527,
    entry: true,
  }));
  w.finish({ kind: "exit", status: 0 });
  assert.deepEqual(out, [
    "1527  epoll_pwait(4,  <unfinished ...>",
    "1526  close(3)                          = 0",
    "1527  <... epoll_pwait resumed>[{events=EPOLLIN|EPOLLOUT, data={u32=2190391300, u64=36015514875508740}}], 128, 0, NULL, 0) = 1",
    "1526  futex(0x1ddddc0, FUTEX_WAIT_PRIVATE, 0, NULL) = 0",
    "1527  rt_sigprocmask(SIG_SETMASK, [],  <unfinished ...>",
    "1526  nanosleep({tv_sec=0, tv_nsec=20000},  <unfinished ...>",
    "1528  getpid()                          = 1526",
    "1527  <... rt_sigprocmask resumed>NULL, 8) = 0",
    "1527  ioctl(1, TIOCGWINSZ <unfinished ...>",
    "1526  <... nanosleep resumed> <unfinished ...>) = ?",
    "1527  <... ioctl resumed> <unfinished ...>) = ?",
    "1527  +++ exited with 0 +++",
    "1526  +++ exited with 0 +++",
  ]);
});

Deno.test("strace: the resumed form of ioctl prints the comma with the exit part", () => {
  const g = testGuest();
  g.k.threads.splice(0, g.k.threads.length, new Thread(1526), new Thread(1527));
  const out: string[] = [];
  const w = createStraceWriter(g.k.tracee, (l) => out.push(l));
  const ws = g.put(new Uint8Array([24, 0, 80, 0, 0, 0, 0, 0]));
  w(sys("ioctl", [1, 0x5413, ws], undefined, { tid: 1526, entry: true }));
  w(sys("gettid", [], 1527, { tid: 1527 }));
  w(sys("ioctl", [1, 0x5413, ws], 0, { tid: 1526, blocked: true }));
  assert.deepEqual(out, [
    "1526  ioctl(1, TIOCGWINSZ <unfinished ...>",
    "1527  gettid()                          = 1527",
    "1526  <... ioctl resumed>, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0",
  ]);
});

Deno.test("strace: prefixes appear once a second thread exists; thread exits", () => {
  const g = testGuest();
  const out: string[] = [];
  const w = createStraceWriter(g.k.tracee, (l) => out.push(l));
  w(sys("getpid", [], 1000));
  g.k.newThread();
  w(sys("gettid", [], 1001, { tid: 1001 }));
  w(sys("exit", [3], undefined, { tid: 1001 }));
  w(sys("exit_group", [7], undefined));
  g.k.exitGroup(7);
  w.finish({ kind: "exit", status: 7 });
  assert.deepEqual(out, [
    "getpid()                                = 1000",
    "1001  gettid()                          = 1001",
    "1001  exit(3)                           = ?",
    "1001  +++ exited with 3 +++",
    "1000  exit_group(7)                     = ?",
    "1000  +++ exited with 7 +++",
  ]);
});

Deno.test("strace: signals and final lines", () => {
  const g = testGuest();
  assert.equal(
    formatSignalLine(g.k.tracee, {
      seq: 0,
      tid: 1000,
      signo: 11,
      code: 1,
      action: "kill",
      instret: 0,
    }),
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
  );
  assert.equal(
    formatSignalLine(g.k.tracee, {
      seq: 0,
      tid: 1000,
      signo: 4,
      code: 1,
      action: "kill",
      instret: 0,
      addr: 0x1100e,
    }),
    "--- SIGILL {si_signo=SIGILL, si_code=ILL_ILLOPC, si_addr=0x1100e} ---",
  );
  assert.equal(
    formatSignalLine(g.k.tracee, {
      seq: 0,
      tid: 1000,
      signo: 10,
      code: 0,
      action: "handler",
      instret: 0,
    }),
    "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=1000, si_uid=0} ---",
  );
  const ends: [RunEnd, string][] = [
    [{ kind: "exit", status: 300 & 255 }, "+++ exited with 44 +++"],
    [{ kind: "signal", signo: 11, detail: "" }, "+++ killed by SIGSEGV +++"],
    [{ kind: "deadlock", report: "" }, "+++ zkabi stopped: deadlock +++"],
  ];
  for (const [end, want] of ends) assert.equal(straceExitLine(end), want);
});

Deno.test("strace: string quoting rules", () => {
  const q = (...b: number[]) => quote(Uint8Array.from(b));
  assert.equal(q(0x7f, 0x45), '"\\177E"');
  assert.equal(q(0, 0x33), '"\\0003"'); // octal digit follows: three digits
  assert.equal(q(0, 0x38), '"\\08"'); // '8' is not octal
  assert.equal(q(0x1b, 0x5b), '"\\33["');
  assert.equal(q(9, 10, 11, 12, 13, 0x22, 0x5c), '"\\t\\n\\v\\f\\r\\"\\\\"');
  assert.equal(q(0xff), '"\\377"');
  assert.equal(quote(Uint8Array.from([0x41, 0xff]), true), '"\\x41\\xff"');
});

Deno.test("strace: signal sets", () => {
  assert.equal(sigsetText(0n), "[]");
  assert.equal(sigsetText(-1n), "~[]");
  assert.equal(sigsetText(bit(23)), "[URG]");
  assert.equal(sigsetText(bit(13) | bit(23)), "[PIPE URG]");
  assert.equal(sigsetText(~(bit(32) | bit(33))), "~[RTMIN RT_1]");
  assert.equal(sigsetText(~(bit(9) | bit(19))), "~[KILL STOP]");
});

Deno.test("strace: bad pointers print as addresses, generic forms", () => {
  const g = testGuest();
  const expect = (e: TraceEvent, want: string) => assert.equal(line(g, e), want);
  expect(
    sys("openat", [-100, 0xdead0000, 0], -14),
    "openat(AT_FDCWD, 0xdead0000, O_RDONLY)  = -1 EFAULT (Bad address)",
  );
  expect(
    sys("read", [3, 0x10, 64], -14),
    "read(3, 0x10, 64)                       = -1 EFAULT (Bad address)",
  );
  expect(
    sys("write", [1, 0xdead0000, 5], -14),
    "write(1, 0xdead0000, 5)                 = -1 EFAULT (Bad address)",
  );
  expect(
    sys("syscall_500", [1, 2, 3, 4, 5, 6], -38, { nr: 500 }),
    "syscall_0x1f4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)",
  );
  expect(
    sys("fstat", [3, 0x7ffc0000], -9),
    "fstat(3, 0x7ffc0000)                    = -1 EBADF (Bad file descriptor)",
  );
  expect(
    sys("futex", [0x81528, 0x189, 0, 0, 0, 0xffffffff], -11),
    "futex(0x81528, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, NULL, FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)",
  );
  expect(
    sys("lseek", [4, 0, 7], -22),
    "lseek(4, 0, 0x7 /* SEEK_??? */)         = -1 EINVAL (Invalid argument)",
  );
  expect(
    sys("faccessat", [-100, g.cstr("/"), 8], -22),
    'faccessat(AT_FDCWD, "/", 0x8 /* ?_OK */) = -1 EINVAL (Invalid argument)',
  );
  expect(
    sys("mmap", [0, 4096, 3, 0x20022, -1, 0], -12),
    "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = -1 ENOMEM (Cannot allocate memory)",
  );
  expect(
    sys("futex", [0x1000, 128, 2, 0], 512 * -1),
    "futex(0x1000, FUTEX_WAIT_PRIVATE, 2, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)",
  );
});

Deno.test("strace: C guests' syscalls in strace form", () => {
  const g = testGuest();
  const expect = (e: TraceEvent, want: string) => assert.equal(line(g, e), want);
  const iov = g.u64s(g.put("Hello"), 5, g.put("\n"), 1);
  expect(
    sys("writev", [1, iov, 2], 6),
    'writev(1, [{iov_base="Hello", iov_len=5}, {iov_base="\\n", iov_len=1}], 2) = 6',
  );
  const riov = g.u64s(g.put("abcdefghi"), 4, g.put("ijklmnop"), 8);
  expect(
    sys("readv", [0, riov, 2], 6),
    'readv(0, [{iov_base="abcd", iov_len=4}, {iov_base="ij", iov_len=8}], 2) = 6',
  );
  expect(
    sys("clock_gettime", [1, g.u64s(864, 359089663)], 0),
    "clock_gettime(CLOCK_MONOTONIC, {tv_sec=864, tv_nsec=359089663}) = 0",
  );
  expect(
    sys("clock_gettime", [0x63, 0x800e00], -22),
    "clock_gettime(0x63 /* CLOCK_??? */, 0x800e00) = -1 EINVAL (Invalid argument)",
  );
  expect(
    sys("gettimeofday", [g.u64s(1795666701, 160703), 0], 0),
    "gettimeofday({tv_sec=1795666701, tv_usec=160703}, NULL) = 0",
  );
  expect(
    sys("getcwd", [g.cstr("/tmp/work"), 4096], 10),
    'getcwd("/tmp/work", 4096)               = 10',
  );
  expect(sys("dup3", [1, 10, 0x80000], 10), "dup3(1, 10, O_CLOEXEC)                  = 10");
  expect(sys("fcntl", [1, 1030, 20], 21), "fcntl(1, F_DUPFD_CLOEXEC, 20)           = 21");
  expect(
    sys("fcntl", [10, 1], 1),
    "fcntl(10, F_GETFD)                      = 0x1 (flags FD_CLOEXEC)",
  );
  expect(sys("fcntl", [10, 2, 0], 0), "fcntl(10, F_SETFD, 0)                   = 0");
  expect(
    sys("ioctl", [1, 0x5401, 0x800e18], -25),
    "ioctl(1, TCGETS, 0x800e18)              = -1 ENOTTY (Inappropriate ioctl for device)",
  );
  expect(
    sys("statx", [-100, g.cstr("input.txt"), 0, 0x80000000, 0x800d30], -22),
    'statx(AT_FDCWD, "input.txt", AT_STATX_SYNC_AS_STAT, 0x80000000 /* STATX_??? */, 0x800d30) = -1 EINVAL (Invalid argument)',
  );
  expect(
    sys("unlinkat", [-100, g.cstr("/tmp/zkabi-pread-1000"), 0], 0),
    'unlinkat(AT_FDCWD, "/tmp/zkabi-pread-1000", 0) = 0',
  );
  expect(
    sys("openat", [-100, g.cstr("/tmp/x"), 0o2 | 0o100 | 0o200 | 0o2000000, 0o600], 4),
    'openat(AT_FDCWD, "/tmp/x", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 4',
  );
  expect(
    sys("pwrite64", [4, g.put("abc"), 3, 4], 3),
    'pwrite64(4, "abc", 3, 4)                = 3',
  );
  expect(sys("exit", [42], undefined), "exit(42)                                = ?");
  expect(
    sys("mremap", [0x4000802000, 8192, 8192, 3, 0x4000806000], 0x4000806000),
    "mremap(0x4000802000, 8192, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x4000806000) = 0x4000806000",
  );
  const dents = new Uint8Array(48);
  const dv = new DataView(dents.buffer);
  dv.setUint16(16, 24, true);
  dv.setUint16(24 + 16, 24, true);
  const dp = g.put(dents);
  expect(
    sys("getdents64", [4, dp, 64], 48),
    `getdents64(4, 0x${dp.toString(16)} /* 2 entries */, 64) = 48`,
  );
});

Deno.test("strace: tracing does not back untouched pages; precompiles", () => {
  const g = testGuest();
  g.k.mem.map(0x40000000, 0x10000, 3, "fresh");
  const before = g.k.mem.touchedPages;
  assert.equal(
    line(g, sys("write", [1, 0x40001000, 4], 4)),
    'write(1, "\\0\\0\\0\\0", 4)                 = 4',
  );
  assert.equal(g.k.mem.touchedPages, before);
  assert.equal(
    line(g, sys("keccakf", [0x40000000], 0, { nr: 0x10000001, route: "precompile" })),
    "keccakf(0x40000000)                     = 0",
  );
});

Deno.test({
  name: "strace: the lines copied above are in the study logs",
  ignore: !exists(join(STUDY, "reth_stateless_strace.log")),
  fn: () => {
    const logged = new Set(
      ["reth_stateless_strace.log", "geth_t8n_strace.log"].flatMap((f) =>
        Deno.readTextFileSync(join(STUDY, f)).split("\n")
      ),
    );
    assert.ok(COPIED.length > 50, `${COPIED.length}`);
    for (const l of COPIED) assert.ok(logged.has(l), `not in the study logs: ${l}`);
  },
});

Deno.test("strace: POSIX timer calls and their signal", () => {
  const g = testGuest();
  const expect = (e: TraceEvent, want: string) => assert.equal(line(g, e), want);
  const sev = (value: bigint, signo: number, notify: number, a = 0n, b = 0n) =>
    g.put(
      new Uint8Array(
        new BigUint64Array([value, BigInt(signo) | BigInt(notify) << 32n, a, b, 0n, 0n, 0n, 0n])
          .buffer,
      ),
    );
  const id = (v: number) => g.put(new Uint8Array(new Int32Array([v]).buffer));
  expect(
    sys("timer_create", [1, sev(0x7f00deadbeefn, 34, 0), id(0)], 0),
    "timer_create(CLOCK_MONOTONIC, {sigev_value={sival_int=-559038737, sival_ptr=0x7f00deadbeef}, sigev_signo=SIGRT_2, sigev_notify=SIGEV_SIGNAL}, [0]) = 0",
  );
  expect(
    sys("timer_create", [0, 0, id(1)], 0),
    "timer_create(CLOCK_REALTIME, NULL, [1]) = 0",
  );
  expect(
    sys("timer_create", [1, sev(0n, 32, 4, 1001n), id(2)], 0),
    "timer_create(CLOCK_MONOTONIC, {sigev_value={sival_int=0, sival_ptr=NULL}, sigev_signo=SIGRTMIN, sigev_notify=SIGEV_THREAD_ID, sigev_notify_thread_id=1001}, [2]) = 0",
  );
  expect(
    sys("timer_create", [1, sev(5n, 0, 2, 0x10a2cn, 0n), id(3)], 0),
    "timer_create(CLOCK_MONOTONIC, {sigev_value={sival_int=5, sival_ptr=0x5}, sigev_signo=0, sigev_notify=SIGEV_THREAD, sigev_notify_function=0x10a2c, sigev_notify_attributes=NULL}, [3]) = 0",
  );
  const bad = id(7);
  expect(
    sys("timer_create", [-6, sev(0n, 99, 1), bad], -22),
    `timer_create(-6, {sigev_value={sival_int=0, sival_ptr=NULL}, sigev_signo=99, sigev_notify=SIGEV_NONE}, 0x${
      bad.toString(16)
    }) = -1 EINVAL (Invalid argument)`,
  );
  const bad2 = id(0);
  expect(
    sys("timer_create", [1, sev(0n, 14, 3), bad2], -22),
    `timer_create(CLOCK_MONOTONIC, {sigev_value={sival_int=0, sival_ptr=NULL}, sigev_signo=14, sigev_notify=0x3 /* SIGEV_??? */}, 0x${
      bad2.toString(16)
    }) = -1 EINVAL (Invalid argument)`,
  );
  expect(
    sys("timer_settime", [0, 0, g.u64s(0, 0, 1, 0), 0], 0),
    "timer_settime(0, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=1, tv_nsec=0}}, NULL) = 0",
  );
  expect(
    sys("timer_settime", [0, 1, g.u64s(0, 5000, 2, 0), g.u64s(0, 0, 0, 999)], 0),
    "timer_settime(0, TIMER_ABSTIME, {it_interval={tv_sec=0, tv_nsec=5000}, it_value={tv_sec=2, tv_nsec=0}}, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=999}}) = 0",
  );
  expect(
    sys("timer_gettime", [3, g.u64s(0, 1000000, 0, 250)], 0),
    "timer_gettime(3, {it_interval={tv_sec=0, tv_nsec=1000000}, it_value={tv_sec=0, tv_nsec=250}}) = 0",
  );
  expect(sys("timer_getoverrun", [3], 19), "timer_getoverrun(3)                     = 19");
  expect(
    sys("timer_delete", [9], -22),
    "timer_delete(9)                         = -1 EINVAL (Invalid argument)",
  );
  assert.equal(
    formatSignalLine(g.k.tracee, {
      seq: 0,
      tid: 1000,
      signo: 34,
      code: -2,
      action: "handler",
      instret: 0,
      timerid: 1,
      overrun: 3,
      value: 0x4d2n,
    }),
    "--- SIGRT_2 {si_signo=SIGRT_2, si_code=SI_TIMER, si_timerid=0x1, si_overrun=3, si_int=1234, si_ptr=0x4d2} ---",
  );
  assert.equal(
    formatSignalLine(g.k.tracee, {
      seq: 0,
      tid: 1000,
      signo: 14,
      code: -2,
      action: "handler",
      instret: 0,
      timerid: 0,
      overrun: 0,
      value: 0n,
    }),
    "--- SIGALRM {si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0, si_overrun=0, si_int=0, si_ptr=NULL} ---",
  );
});
