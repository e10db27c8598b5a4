/**
 * Signals family: the riscv64 frame layout against the uapi headers (the
 * offsetof program tests/guests/sigframe_layout.c, run under qemu), frame
 * contents and rt_sigreturn, the alternate stack, rt_sigaction /
 * rt_sigprocmask / rt_sigpending / sigaltstack semantics, default actions,
 * fault delivery, process-directed signals, interrupted waits, sigsuspend
 * and sigtimedwait, and the C signal guests compared with qemu.
 */

import assert from "node:assert/strict";
import { EAGAIN, EFAULT, EINTR, EINVAL, ENOMEM, EPERM, ESRCH } from "../../lib/abi/errno.ts";
import type { TraceEvent } from "../../lib/kernel/events.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import {
  deliverPending,
  FP_FCSR,
  FP_Q_RESERVED,
  FRAME_SIZE,
  FRAME_UC,
  MINSIGSTKSZ,
  queuedSignals,
  SA_NODEFER,
  SA_ONSTACK,
  SA_RESETHAND,
  SA_RESTART,
  SA_SIGINFO,
  SC_FPREGS,
  SIGRETURN_TRAMPOLINE,
  SS_AUTODISARM,
  SS_DISABLE,
  SS_ONSTACK,
  UC_MCONTEXT,
  UC_SIGMASK,
  UC_STACK,
} from "../../lib/kernel/signals.ts";
import type { Thread } from "../../lib/kernel/thread.ts";
import {
  a0,
  assertLikeQemu,
  call,
  DATA,
  expected,
  makeKernel,
  RO,
  runGuest,
  STACK_TOP,
  UNMAPPED,
} from "./threads_support.ts";

const SIGHUP = 1;
const SIGSEGV = 11;
const SIGUSR1 = 10;
const SIGUSR2 = 12;
const SIGKILL = 9;
const SIGSTOP = 19;
const SIGURG = 23;
const SIGRT1 = 35;
const bit = (n: number) => 1n << BigInt(n - 1);
const ACT = DATA + 0x800;
const SET = DATA + 0x880;
const HANDLER = 0x4000;

/** A second thread with a copy of the main thread's registers (as clone makes). */
function spawn(k: Kernel): Thread {
  const t = k.newThread();
  t.hart.copyFrom(k.mainThread.hart);
  return t;
}

/** How the run ended so far (not narrowed by earlier assertions). */
function endOf(k: Kernel): { kind: string; signo?: number; detail?: string } | undefined {
  return k.end as { kind: string; signo?: number; detail?: string } | undefined;
}

/** The layout the C offsetof program printed under qemu. */
function layout(): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of expected("sigframe_layout").stdout.trim().split("\n")) {
    const [name, value] = line.split(" ");
    m.set(name, Number(value));
  }
  return m;
}

function sigaction(k: Kernel, sig: number, handler: number, flags = 0, mask = 0n): number {
  k.mem.writeU64(ACT, BigInt(handler));
  k.mem.writeU64(ACT + 8, BigInt(flags));
  k.mem.writeU64(ACT + 16, mask);
  return call(k, k.mainThread, "rt_sigaction", sig, ACT, 0, 8) as number;
}

function collect(k: Kernel): TraceEvent[] {
  const events: TraceEvent[] = [];
  k.addTracer((e) => events.push(e));
  return events;
}

/** Fills x1..x31 with 0x100+i, the pc, and a few FP registers. */
function paint(t: Thread): void {
  for (let i = 1; i < 32; i++) if (i !== 2) t.hart.setXNumber(i, 0x100 + i);
  t.hart.pc = 0x2468;
  t.hart.setF(0, 0x3ff0000000000000n);
  t.hart.setF(31, 0xc000000000000000n);
  t.hart.fcsr = 0x65; // frm 3, fflags 5
}

Deno.test("frame layout constants match the riscv64 uapi headers (offsetof program under qemu)", () => {
  const l = layout();
  assert.equal(FRAME_SIZE, l.get("sizeof_rt_sigframe"));
  assert.equal(FRAME_UC, l.get("frame_uc"));
  assert.equal(UC_STACK, l.get("uc_stack"));
  assert.equal(UC_SIGMASK, l.get("uc_sigmask"));
  assert.equal(UC_MCONTEXT, l.get("uc_mcontext"));
  assert.equal(SC_FPREGS, l.get("sc_fpregs"));
  assert.equal(FP_FCSR, l.get("fp_d_fcsr"));
  assert.equal(FP_Q_RESERVED, l.get("fp_q_reserved"));
  assert.equal(l.get("regs_pc"), 0);
  assert.equal(l.get("regs_t6"), 31 * 8, "x1..x31 follow pc in order");
  assert.equal(SA_SIGINFO, l.get("SA_SIGINFO"));
  assert.equal(SA_ONSTACK, l.get("SA_ONSTACK"));
  assert.equal(SA_RESTART, l.get("SA_RESTART"));
  assert.equal(SA_NODEFER, l.get("SA_NODEFER"));
  assert.equal(SA_RESETHAND, l.get("SA_RESETHAND"));
  assert.equal(SS_ONSTACK, l.get("SS_ONSTACK"));
  assert.equal(SS_DISABLE, l.get("SS_DISABLE"));
  assert.equal(SS_AUTODISARM, l.get("SS_AUTODISARM"));
  assert.equal(MINSIGSTKSZ, l.get("MINSIGSTKSZ"));
});

Deno.test("the offsetof program prints the same under zkabi", () => {
  assertLikeQemu("sigframe_layout", runGuest("sigframe_layout"));
});

Deno.test("delivery builds the rt_sigframe and enters the handler", () => {
  const l = layout();
  const k = makeKernel();
  const events = collect(k);
  const t = k.mainThread;
  assert.equal(sigaction(k, SIGUSR1, HANDLER, SA_SIGINFO, bit(SIGUSR2)), 0);
  paint(t);
  const sp0 = STACK_TOP - 0x108; // not 16-aligned
  t.hart.setXNumber(2, sp0);
  t.sigmask = bit(SIGHUP);
  assert.equal(call(k, t, "tgkill", 1000, 1000, SIGUSR1), 0);
  t.hart.pc = 0x2468;
  deliverPending(k, t);
  const frame = Math.floor((sp0 - l.get("sizeof_rt_sigframe")!) / 16) * 16;
  assert.equal(t.hart.getXNumber(2), frame);
  assert.equal(t.hart.pc, HANDLER);
  assert.equal(t.hart.getXNumber(1), SIGRETURN_TRAMPOLINE, "ra = the [vdso] trampoline");
  assert.equal(a0(t), SIGUSR1);
  assert.equal(t.hart.getXNumber(11), frame + l.get("frame_uc")! * 0, "a1 = &info");
  assert.equal(t.hart.getXNumber(12), frame + l.get("frame_uc")!, "a2 = &uc");
  assert.equal(t.sigmask, bit(SIGHUP) | bit(SIGUSR2) | bit(SIGUSR1), "mask | sa_mask | sig");
  const m = k.mem;
  assert.equal(m.readU32(frame + l.get("si_signo")!), SIGUSR1);
  assert.equal(m.readI32(frame + l.get("si_code")!), -6, "SI_TKILL");
  assert.equal(m.readU32(frame + l.get("si_pid")!), 1000);
  const uc = frame + l.get("frame_uc")!;
  assert.equal(m.readU64(uc + l.get("uc_sigmask")!), bit(SIGHUP), "the interrupted mask");
  assert.equal(m.readU32(uc + l.get("uc_stack")! + l.get("ss_flags")!), SS_DISABLE);
  const regs = uc + l.get("uc_mcontext")! + l.get("sc_regs")!;
  assert.equal(m.readU64Number(regs + l.get("regs_pc")!), 0x2468);
  assert.equal(m.readU64Number(regs + l.get("regs_sp")!), sp0);
  assert.equal(m.readU64Number(regs + l.get("regs_ra")!), 0x101);
  assert.equal(m.readU64Number(regs + l.get("regs_a0")!), 0, "tgkill's result");
  assert.equal(m.readU64Number(regs + l.get("regs_t6")!), 0x100 + 31);
  const fp = uc + l.get("uc_mcontext")! + l.get("sc_fpregs")!;
  assert.equal(m.readU64(fp + l.get("fp_d_f")!), 0x3ff0000000000000n);
  assert.equal(m.readU64(fp + l.get("fp_d_f")! + 31 * 8), 0xc000000000000000n);
  assert.equal(m.readU32(fp + l.get("fp_d_fcsr")!), 0x65);
  assert.deepEqual([...m.read(fp + l.get("fp_q_reserved")!, 12)], new Array(12).fill(0));
  assert.equal(k.counters.signalsDelivered, 1);
  const sig = events.filter((e) => e.kind === "signal");
  assert.equal(sig.length, 1);
  assert.deepEqual(
    { ...sig[0], seq: 0, instret: 0 },
    {
      kind: "signal",
      seq: 0,
      tid: 1000,
      signo: SIGUSR1,
      code: -6, // SI_TKILL, from tgkill: the sender's pid and uid go with it
      action: "handler",
      instret: 0,
      pid: 1000,
      uid: 1000,
    },
  );
});

Deno.test("the [vdso] page holds `li a7, 139; ecall` and rt_sigreturn restores the frame", () => {
  const k = makeKernel();
  const t = k.mainThread;
  assert.equal(k.mem.readU32(SIGRETURN_TRAMPOLINE), 0x08b00893);
  assert.equal(k.mem.readU32(SIGRETURN_TRAMPOLINE + 4), 0x00000073);
  assert.equal(k.mem.mappingAt(SIGRETURN_TRAMPOLINE)?.name, "[vdso]");
  assert.equal(k.mem.mappingAt(SIGRETURN_TRAMPOLINE)?.prot, 5, "r-x");
  sigaction(k, SIGUSR1, HANDLER, SA_SIGINFO);
  paint(t);
  const sp0 = t.hart.getXNumber(2);
  call(k, t, "tgkill", 1000, 1000, SIGUSR1);
  t.hart.pc = 0x2468;
  deliverPending(k, t);
  const uc = t.hart.getXNumber(12);
  // The handler edits the saved pc (as Go's sigpanic injection does) and clobbers registers.
  k.mem.writeU64(uc + UC_MCONTEXT, 0x3000n);
  for (let i = 3; i < 32; i++) t.hart.setXNumber(i, 0);
  t.hart.fcsr = 0;
  t.hart.setF(0, 0n);
  assert.equal(call(k, t, "rt_sigreturn"), "no result");
  assert.equal(t.hart.pc, 0x3000);
  assert.equal(t.hart.getXNumber(2), sp0);
  assert.equal(t.hart.getXNumber(9), 0x109);
  assert.equal(t.hart.getXNumber(10), 0, "a0 from the frame");
  assert.equal(t.hart.fcsr, 0x65);
  assert.equal(t.hart.getF(0), 0x3ff0000000000000n);
  assert.equal(t.sigmask, 0n, "mask restored");
  assert.equal(k.end, undefined);
});

Deno.test("rt_sigreturn with a bad frame (unreadable, or q.reserved set) kills with SIGSEGV", () => {
  const k = makeKernel();
  const t = k.mainThread;
  t.hart.setXNumber(2, UNMAPPED);
  call(k, t, "rt_sigreturn");
  assert.equal(endOf(k)?.kind, "signal");
  assert.equal(endOf(k)?.signo, SIGSEGV);
  const k2 = makeKernel();
  const t2 = k2.mainThread;
  const frame = DATA + 0x1000;
  k2.mem.writeU32(frame + FRAME_UC + UC_MCONTEXT + SC_FPREGS + FP_Q_RESERVED, 1);
  t2.hart.setXNumber(2, frame);
  call(k2, t2, "rt_sigreturn");
  assert.equal(endOf(k2)?.signo, SIGSEGV);
});

Deno.test("SA_ONSTACK runs the handler at the top of the alternate stack, once", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const alt = DATA + 0x2000;
  const size = 0x4000;
  const ss = DATA + 0x100;
  k.mem.writeU64(ss, BigInt(alt));
  k.mem.writeU32(ss + 8, 0);
  k.mem.writeU64(ss + 16, BigInt(size));
  assert.equal(call(k, t, "sigaltstack", ss, 0), 0);
  sigaction(k, SIGUSR1, HANDLER, SA_ONSTACK | SA_NODEFER);
  call(k, t, "tgkill", 1000, 1000, SIGUSR1);
  deliverPending(k, t);
  const f1 = t.hart.getXNumber(2);
  assert.equal(f1, Math.floor((alt + size - FRAME_SIZE) / 16) * 16);
  const uc = f1 + FRAME_UC;
  assert.equal(k.mem.readU64Number(uc + UC_STACK), alt);
  assert.equal(k.mem.readU32(uc + UC_STACK + 8), 0, "the interrupted code was not on it");
  assert.equal(k.mem.readU64Number(uc + UC_STACK + 16), size);
  // Inside the handler: querying says SS_ONSTACK, changing is EPERM.
  assert.equal(call(k, t, "sigaltstack", 0, ss), 0);
  assert.equal(k.mem.readU32(ss + 8), SS_ONSTACK);
  assert.equal(call(k, t, "sigaltstack", ss, 0), -EPERM);
  // A nested signal stays on the alternate stack, below the first frame.
  call(k, t, "tgkill", 1000, 1000, SIGUSR1);
  deliverPending(k, t);
  const f2 = t.hart.getXNumber(2);
  assert.ok(f2 < f1 && f2 > alt);
  assert.equal(k.mem.readU32(f2 + FRAME_UC + UC_STACK + 8), SS_ONSTACK);
  // Overflowing the alternate stack kills with SIGSEGV.
  t.hart.setXNumber(2, alt + 100);
  call(k, t, "tgkill", 1000, 1000, SIGUSR1);
  deliverPending(k, t);
  assert.equal(endOf(k)?.signo, SIGSEGV);
});

Deno.test("sigaltstack errors and SS_AUTODISARM", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const ss = DATA + 0x100;
  const put = (sp: number, flags: number, size: number) => {
    k.mem.writeU64(ss, BigInt(sp));
    k.mem.writeU32(ss + 8, flags);
    k.mem.writeU64(ss + 16, BigInt(size));
  };
  const old = DATA + 0x140;
  assert.equal(call(k, t, "sigaltstack", 0, old), 0);
  assert.equal(k.mem.readU32(old + 8), SS_DISABLE);
  put(DATA, 0, MINSIGSTKSZ - 1);
  assert.equal(call(k, t, "sigaltstack", ss, 0), -ENOMEM);
  put(DATA, 4, 8192);
  assert.equal(call(k, t, "sigaltstack", ss, 0), -EINVAL);
  assert.equal(call(k, t, "sigaltstack", UNMAPPED, 0), -EFAULT);
  put(DATA, 0, MINSIGSTKSZ);
  assert.equal(call(k, t, "sigaltstack", ss, RO), -EFAULT, "oss unwritable");
  assert.equal(t.altstack.size, MINSIGSTKSZ, "the new stack is set anyway");
  put(DATA + 0x4000, SS_AUTODISARM, 0x4000);
  assert.equal(call(k, t, "sigaltstack", ss, old), 0);
  assert.equal(k.mem.readU32(old + 8), 0);
  sigaction(k, SIGUSR1, HANDLER, SA_ONSTACK);
  call(k, t, "tgkill", 1000, 1000, SIGUSR1);
  deliverPending(k, t);
  assert.equal(t.altstack.flags, SS_DISABLE, "disarmed while the handler runs");
  assert.equal(call(k, t, "rt_sigreturn"), "no result");
  assert.deepEqual(t.altstack, { sp: DATA + 0x4000, size: 0x4000, flags: SS_AUTODISARM });
  put(0, SS_DISABLE, 0);
  assert.equal(call(k, t, "sigaltstack", ss, 0), 0);
  assert.equal(t.altstack.size, 0);
});

Deno.test("rt_sigaction: validation, read-back, UAPI flag masking, SIGKILL/SIGSTOP", () => {
  const k = makeKernel();
  const t = k.mainThread;
  assert.equal(call(k, t, "rt_sigaction", SIGUSR1, 0, 0, 4), -EINVAL);
  assert.equal(call(k, t, "rt_sigaction", 0, 0, 0, 8), -EINVAL);
  assert.equal(call(k, t, "rt_sigaction", 65, 0, 0, 8), -EINVAL);
  assert.equal(sigaction(k, SIGKILL, 1), -EINVAL);
  assert.equal(sigaction(k, SIGSTOP, 1), -EINVAL);
  assert.equal(call(k, t, "rt_sigaction", SIGKILL, 0, DATA + 0x900, 8), 0, "query is fine");
  assert.equal(call(k, t, "rt_sigaction", SIGUSR1, UNMAPPED, 0, 8), -EFAULT);
  // SA_RESTORER (0x04000000) and SA_UNSUPPORTED (0x400) are not UAPI flags on riscv64.
  const flags = SA_SIGINFO | SA_RESTART | 0x04000000 | 0x400;
  assert.equal(
    sigaction(k, SIGUSR1, HANDLER, flags, bit(SIGKILL) | bit(SIGSTOP) | bit(SIGUSR2)),
    0,
  );
  const out = DATA + 0x900;
  assert.equal(call(k, t, "rt_sigaction", SIGUSR1, 0, out, 8), 0);
  assert.equal(k.mem.readU64Number(out), HANDLER);
  assert.equal(k.mem.readU64Number(out + 8), SA_SIGINFO | SA_RESTART);
  assert.equal(k.mem.readU64(out + 16), bit(SIGUSR2));
  assert.equal(call(k, t, "rt_sigaction", SIGUSR1, 0, RO, 8), -EFAULT);
});

Deno.test("rt_sigprocmask and rt_sigpending", () => {
  const k = makeKernel();
  const t = k.mainThread;
  k.mem.writeU64(SET, bit(SIGUSR1) | bit(SIGKILL) | bit(SIGSTOP) | bit(SIGRT1));
  assert.equal(call(k, t, "rt_sigprocmask", 0, SET, 0, 8), 0);
  assert.equal(t.sigmask, bit(SIGUSR1) | bit(SIGRT1), "KILL and STOP cannot be blocked");
  k.mem.writeU64(SET, bit(SIGRT1));
  assert.equal(call(k, t, "rt_sigprocmask", 1, SET, DATA + 0x900, 8), 0);
  assert.equal(k.mem.readU64(DATA + 0x900), bit(SIGUSR1) | bit(SIGRT1), "old mask");
  assert.equal(t.sigmask, bit(SIGUSR1));
  assert.equal(call(k, t, "rt_sigprocmask", 3, SET, 0, 8), -EINVAL);
  assert.equal(call(k, t, "rt_sigprocmask", 3, 0, 0, 8), 0, "how is ignored without a set");
  assert.equal(call(k, t, "rt_sigprocmask", 0, SET, 0, 16), -EINVAL);
  assert.equal(call(k, t, "rt_sigprocmask", 0, UNMAPPED, 0, 8), -EFAULT);
  assert.equal(call(k, t, "rt_sigprocmask", 0, 0, RO, 8), -EFAULT);
  sigaction(k, SIGUSR1, HANDLER);
  call(k, t, "tgkill", 1000, 1000, SIGUSR1);
  call(k, t, "tgkill", 1000, 1000, SIGUSR2); // default terminate, not blocked: still pending here
  assert.equal(call(k, t, "rt_sigpending", DATA + 0x900, 8), 0);
  assert.equal(k.mem.readU64(DATA + 0x900), bit(SIGUSR1), "pending and blocked only");
  assert.equal(call(k, t, "rt_sigpending", DATA + 0x900, 9), -EINVAL);
});

Deno.test("default actions: terminate kills, SIGURG/SIGCHLD are ignored, SIGSTOP ignored too", () => {
  const k = makeKernel();
  const events = collect(k);
  const t = k.mainThread;
  call(k, t, "tgkill", 1000, 1000, SIGURG);
  call(k, t, "tgkill", 1000, 1000, 17);
  call(k, t, "tgkill", 1000, 1000, SIGSTOP);
  deliverPending(k, t);
  assert.equal(k.end, undefined);
  assert.equal(events.filter((e) => e.kind === "signal" && e.action === "ignore").length, 3);
  call(k, t, "tgkill", 1000, 1000, SIGRT1);
  deliverPending(k, t);
  assert.equal(endOf(k)?.kind, "signal");
  assert.equal(endOf(k)?.signo, SIGRT1);
  assert.match(endOf(k)?.detail ?? "", /SIGRT_3 .*thread 1000/);
  const k2 = makeKernel();
  call(k2, k2.mainThread, "kill", 1000, SIGKILL);
  assert.equal(endOf(k2)?.signo, SIGKILL, "SIGKILL acts at once");
});

Deno.test("SA_RESETHAND, SA_NODEFER, standard signals coalesce, real-time ones queue", () => {
  const k = makeKernel();
  const t = k.mainThread;
  sigaction(k, SIGUSR1, HANDLER, SA_RESETHAND | SA_NODEFER);
  call(k, t, "tgkill", 1000, 1000, SIGUSR1);
  deliverPending(k, t);
  assert.equal(t.sigmask, 0n, "NODEFER: not blocked in its handler");
  assert.equal(call(k, t, "rt_sigaction", SIGUSR1, 0, DATA + 0x900, 8), 0);
  assert.equal(k.mem.readU64(DATA + 0x900), 0n, "RESETHAND: back to SIG_DFL");
  const k2 = makeKernel();
  const t2 = k2.mainThread;
  sigaction(k2, SIGUSR2, HANDLER);
  sigaction(k2, SIGRT1, HANDLER);
  t2.sigmask = bit(SIGUSR2) | bit(SIGRT1);
  for (let i = 0; i < 2; i++) {
    call(k2, t2, "tgkill", 1000, 1000, SIGUSR2);
    call(k2, t2, "tgkill", 1000, 1000, SIGRT1);
  }
  t2.sigmask = 0n;
  deliverPending(k2, t2);
  // Nested frames: SIGUSR2 then SIGRT1; the second SIGRT1 waits (blocked in its handler).
  assert.equal(k2.counters.signalsDelivered, 2);
  assert.equal(t2.pending.length, 1);
  assert.equal(t2.pending[0].signo, SIGRT1);
});

Deno.test("synchronous faults: handler gets si_addr; blocked or default kills", () => {
  const k = makeKernel();
  const t = k.mainThread;
  sigaction(k, SIGSEGV, HANDLER, SA_SIGINFO);
  t.hart.pc = 0x5550;
  k.raiseFault(t, { signo: SIGSEGV, code: 2, addr: 0x1234 });
  assert.equal(k.end, undefined);
  deliverPending(k, t);
  assert.equal(t.hart.pc, HANDLER);
  const frame = t.hart.getXNumber(11);
  assert.equal(k.mem.readU64Number(frame + 16), 0x1234, "si_addr");
  assert.equal(k.mem.readU32(frame + 8), 2, "SEGV_ACCERR");
  assert.equal(k.mem.readU64Number(frame + FRAME_UC + UC_MCONTEXT), 0x5550, "faulting pc");
  // Now SIGSEGV is blocked (inside its handler): a second fault kills.
  k.raiseFault(t, { signo: SIGSEGV, code: 1, addr: 0 });
  assert.equal(endOf(k)?.signo, SIGSEGV);
  const k2 = makeKernel();
  k2.raiseFault(k2.mainThread, { signo: 4, code: 1, addr: 0x10 });
  assert.equal(endOf(k2)?.signo, 4, "no handler: SIGILL kills");
});

Deno.test("kill(): the sender takes it unless blocked; else another thread; else it waits", () => {
  const k = makeKernel();
  const t = k.mainThread;
  const other = spawn(k);
  sigaction(k, SIGUSR1, HANDLER);
  assert.equal(call(k, t, "kill", 4242, SIGUSR1), -ESRCH);
  assert.equal(call(k, t, "kill", -1, SIGUSR1), -ESRCH, "no other process");
  assert.equal(call(k, t, "kill", 1000, 65), -EINVAL);
  assert.equal(call(k, t, "kill", 0, 0), 0);
  call(k, t, "kill", 1000, SIGUSR1);
  assert.equal(t.pending.length, 1);
  t.pending = [];
  t.sigmask = bit(SIGUSR1);
  call(k, t, "kill", 1000, SIGUSR1);
  assert.equal(other.pending.length, 1, "the thread that does not block it");
  other.pending = [];
  other.sigmask = bit(SIGUSR1);
  call(k, t, "kill", 1000, SIGUSR1);
  assert.equal(t.pending.length + other.pending.length, 0);
  assert.equal(call(k, other, "rt_sigpending", DATA + 0x900, 8), 0);
  assert.equal(k.mem.readU64(DATA + 0x900), bit(SIGUSR1), "shared pending");
  other.sigmask = 0n;
  deliverPending(k, other);
  assert.equal(other.hart.pc, HANDLER, "taken by the thread that unblocked it");
});

Deno.test("a blocked syscall: a handler interrupts, an ignored signal does not, a default one kills", () => {
  const k = makeKernel();
  const t = spawn(k);
  sigaction(k, SIGUSR1, HANDLER);
  const park = () => k.block(t, { reason: "test", resume: () => undefined }, "read");
  park();
  call(k, k.mainThread, "tgkill", 1000, t.tid, SIGURG);
  assert.equal(t.state, "blocked", "ignored by default");
  call(k, k.mainThread, "tgkill", 1000, t.tid, SIGUSR1);
  assert.equal(t.state, "runnable");
  assert.equal(a0(t), -EINTR);
  t.pending = [];
  sigaction(k, SIGUSR1, HANDLER, SA_RESTART);
  t.hart.pc = 0x8004;
  park();
  call(k, k.mainThread, "tgkill", 1000, t.tid, SIGUSR1);
  assert.equal(t.hart.pc, 0x8000, "read is restarted under SA_RESTART");
  t.pending = [];
  park();
  call(k, k.mainThread, "tgkill", 1000, t.tid, SIGUSR2);
  assert.equal(endOf(k)?.signo, SIGUSR2);
});

Deno.test("rt_sigsuspend: waits with the temporary mask; the frame saves the original", () => {
  const k = makeKernel();
  const t = spawn(k);
  sigaction(k, SIGUSR1, HANDLER);
  t.sigmask = bit(SIGUSR1) | bit(SIGHUP);
  k.mem.writeU64(SET, bit(SIGHUP));
  assert.equal(call(k, t, "rt_sigsuspend", SET, 8), "blocked");
  assert.equal(t.sigmask, bit(SIGHUP));
  call(k, k.mainThread, "tgkill", 1000, t.tid, SIGUSR1);
  assert.equal(a0(t), -EINTR);
  deliverPending(k, t);
  const uc = t.hart.getXNumber(12);
  assert.equal(k.mem.readU64(uc + UC_SIGMASK), bit(SIGUSR1) | bit(SIGHUP));
  assert.equal(t.sigmask, bit(SIGHUP) | bit(SIGUSR1), "temporary mask | the signal");
  call(k, t, "rt_sigreturn");
  assert.equal(t.sigmask, bit(SIGUSR1) | bit(SIGHUP));
  // Already pending and unblocked by the new mask: EINTR at once.
  call(k, t, "tgkill", 1000, t.tid, SIGUSR1);
  k.mem.writeU64(SET, 0n);
  assert.equal(call(k, t, "rt_sigsuspend", SET, 8), -EINTR);
  assert.equal(call(k, t, "rt_sigsuspend", SET, 4), -EINVAL);
});

Deno.test("rt_sigtimedwait: takes a blocked pending signal, times out with EAGAIN", () => {
  const k = makeKernel();
  const t = spawn(k);
  t.sigmask = bit(SIGUSR2);
  k.mem.writeU64(SET, bit(SIGUSR2));
  const info = DATA + 0xa00;
  const ts = DATA + 0xb00;
  k.mem.writeU64(ts, 0n);
  k.mem.writeU64(ts + 8, 0n);
  assert.equal(call(k, t, "rt_sigtimedwait", SET, info, ts, 8), -EAGAIN);
  k.mem.writeU64(ts + 8, 1000n);
  assert.equal(call(k, t, "rt_sigtimedwait", SET, info, ts, 8), "blocked");
  call(k, k.mainThread, "tgkill", 1000, t.tid, SIGUSR2);
  assert.equal(k.tryResume(t), true, "the scheduler's re-poll finds it");
  assert.equal(a0(t), SIGUSR2);
  assert.equal(k.mem.readU32(info), SIGUSR2);
  assert.equal(k.mem.readI32(info + 8), -6);
  assert.equal(t.pending.length, 0);
  assert.equal(call(k, t, "rt_sigtimedwait", SET, info, ts, 8), "blocked");
  assert.equal(k.tryResume(t, true), true);
  assert.equal(a0(t), -EAGAIN);
  k.mem.writeU64(ts + 8, 1_000_000_000n);
  assert.equal(call(k, t, "rt_sigtimedwait", SET, info, ts, 8), -EINVAL);
});

Deno.test("signal guests match qemu: SIGSEGV/SIGILL handlers, sigaltstack, tgkill/kill", () => {
  for (const name of ["sig_fault", "sig_altstack", "sig_tgkill"]) {
    assertLikeQemu(name, runGuest(name, "rr"));
    assertLikeQemu(name, runGuest(name, "handoff"));
  }
});

Deno.test("RLIMIT_SIGPENDING bounds the queues: tgkill and rt_sigqueueinfo get EAGAIN, kill keeps one instance, timer_create EAGAIN", () => {
  const k = makeKernel();
  const t = k.mainThread;
  t.sigmask = bit(SIGRT1) | bit(SIGRT1 + 1);
  // setrlimit(RLIMIT_SIGPENDING, {3, 3})
  k.mem.writeU64(DATA, 3n);
  k.mem.writeU64(DATA + 8, 3n);
  assert.equal(call(k, t, "setrlimit", 11, DATA), 0);
  for (let i = 0; i < 3; i++) assert.equal(call(k, t, "tgkill", 1000, 1000, SIGRT1), 0);
  assert.equal(queuedSignals(k), 3);
  // Full: a real-time signal with the sender's siginfo is refused ...
  assert.equal(call(k, t, "tgkill", 1000, 1000, SIGRT1), -EAGAIN);
  k.mem.write(SET, new Uint8Array(128));
  k.mem.writeU32(SET + 8, -1 >>> 0); // SI_QUEUE
  assert.equal(call(k, t, "rt_sigqueueinfo", 1000, SIGRT1, SET), -EAGAIN);
  // ... kill's is pending once in the process's set, and no more (its siginfo lost) ...
  assert.equal(call(k, t, "kill", 1000, SIGRT1), 0);
  assert.equal(queuedSignals(k), 4);
  assert.equal(call(k, t, "kill", 1000, SIGRT1), 0);
  assert.equal(call(k, t, "kill", 1000, SIGRT1 + 1), 0);
  assert.equal(call(k, t, "kill", 1000, SIGRT1 + 1), 0);
  assert.equal(queuedSignals(k), 5);
  // ... standard signals are unaffected, and no timer can be made.
  assert.equal(call(k, t, "tgkill", 1000, 1000, SIGUSR1), 0);
  assert.equal(call(k, t, "timer_create", 1, 0, DATA + 16), -EAGAIN);
  // Timers hold an entry each: with the threads' signals taken (2 of kill's remain shared),
  // one timer fits, then the queue is full again.
  for (const x of k.threads) x.pending.length = 0;
  assert.equal(queuedSignals(k), 2);
  assert.equal(call(k, t, "timer_create", 1, 0, DATA + 16), 0);
  assert.equal(queuedSignals(k), 3);
  assert.equal(call(k, t, "tgkill", 1000, 1000, SIGRT1), -EAGAIN, "the timer holds one of the 3");
  assert.equal(call(k, t, "timer_delete", k.mem.readU32(DATA + 16)), 0);
  assert.equal(call(k, t, "tgkill", 1000, 1000, SIGRT1), 0);
});
