/**
 * Signals: the syscalls (rt_sigaction, rt_sigprocmask, rt_sigpending,
 * sigaltstack, rt_sigreturn, kill, rt_sigsuspend, rt_sigtimedwait), and
 * delivery: the riscv64 Linux signal frame, default actions, synchronous
 * faults, and interruption of blocking syscalls (EINTR / SA_RESTART).
 *
 * Delivery happens at instruction boundaries: the kernel calls
 * {@linkcode deliverPending} (called by the kernel's run loop) before a
 * thread runs. Each deliverable signal either builds a frame and redirects
 * the thread to its handler, is discarded (ignored), or kills the process.
 *
 * The signal frame, as `arch/riscv/kernel/signal.c` builds it
 * (`struct rt_sigframe`, 1088 bytes, 16-byte aligned, below the interrupted
 * sp or at the top of the alternate stack):
 *
 * | offset | field |
 * |---|---|
 * | 0 | `siginfo_t info` (128 bytes): si_signo 0, si_errno 4, si_code 8, then the union at 16 (si_pid 16 / si_uid 20, or si_addr 16) |
 * | 128 | `struct ucontext uc`: uc_flags +0, uc_link +8, uc_stack +16 (ss_sp +0, ss_flags +8, ss_size +16), uc_sigmask +40 (8 bytes), __unused up to +168 |
 * | 304 | `uc.uc_mcontext` (+176, 16-aligned): `sc_regs` = pc, then x1..x31 (8 bytes each) |
 * | 560 | `sc_fpregs` (+432): the D state, f0..f31 (8 bytes each), fcsr at +256 (u32); the union has the Q size (528 bytes) whose `reserved[3]` at +516 must be zero |
 *
 * riscv64 has no SA_RESTORER: the handler returns to `__vdso_rt_sigreturn`
 * (`li a7, 139; ecall`), which zkabi maps as the `[vdso]` page at
 * {@linkcode SIGRETURN_TRAMPOLINE}.
 * @module
 */

import { EAGAIN, EFAULT, EINTR, EINVAL, ENOMEM, EPERM, ESRCH } from "../abi/errno.ts";
import {
  NSIG,
  SIGCHLD,
  SIGCONT,
  SIGKILL,
  signalText,
  SIGSTOP,
  SIGURG,
  SIGWINCH,
} from "../abi/signals.ts";
import { MMAP_BASE } from "../memory/layout.ts";
import { MemoryFault, PROT_EXEC, PROT_READ } from "../memory/memory.ts";
import { type FileContext, OpenFile } from "../vfs/open_file.ts";
import { type Attr, GUEST_UID, makeAttr, makedev } from "../vfs/types.ts";
import { POLLIN, POLLRDNORM } from "../abi/flags.ts";
import { fdTable } from "./fd_table.ts";
import type { Kernel } from "./kernel.ts";
import { getRlimit, RLIMIT_SIGPENDING } from "./process.ts";
import type { SigInfo, Thread } from "./thread.ts";
import { NO_RESULT, type SyscallArgs, type SyscallFamilyTable, type Wait } from "./types.ts";

/** sa_flags bits (asm-generic/signal-defs.h). */
export const SA_NOCLDSTOP = 0x1;
/** Don't create zombies. */
export const SA_NOCLDWAIT = 0x2;
/** The handler takes (signo, siginfo, ucontext). */
export const SA_SIGINFO = 0x4;
/** Tag bits in si_addr (arm64 only; accepted and kept). */
export const SA_EXPOSE_TAGBITS = 0x800;
/** Run the handler on the alternate stack. */
export const SA_ONSTACK = 0x08000000;
/** Restart interrupted restartable syscalls. */
export const SA_RESTART = 0x10000000;
/** Don't block the signal during its handler. */
export const SA_NODEFER = 0x40000000;
/** Reset to SIG_DFL on delivery. */
export const SA_RESETHAND = 0x80000000;
/** Flags the kernel keeps (UAPI_SA_FLAGS); others read back as zero. */
export const UAPI_SA_FLAGS: number = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS |
  SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND;

/** Handler value: default action. */
export const SIG_DFL = 0n;
/** Handler value: ignore. */
export const SIG_IGN = 1n;

/** rt_sigprocmask `how`. */
export const SIG_BLOCK = 0;
/** Remove from the mask. */
export const SIG_UNBLOCK = 1;
/** Replace the mask. */
export const SIG_SETMASK = 2;

/** ss_flags: the thread runs on the alternate stack. */
export const SS_ONSTACK = 1;
/** ss_flags: no alternate stack. */
export const SS_DISABLE = 2;
/** ss_flags: disarm the alternate stack while a handler runs on it. */
export const SS_AUTODISARM = 0x80000000;
/** Smallest alternate stack accepted (riscv64). */
export const MINSIGSTKSZ = 2048;

/** si_code: sent by kill. */
export const SI_USER = 0;
/** si_code: sent by tkill/tgkill. */
export const SI_TKILL: number = -6;

/** Size of `struct rt_sigframe` on riscv64. */
export const FRAME_SIZE = 1088;
/** Offset of the ucontext in the frame. */
export const FRAME_UC = 128;
/** Offset of uc_stack in the ucontext. */
export const UC_STACK = 16;
/** Offset of uc_sigmask in the ucontext. */
export const UC_SIGMASK = 40;
/** Offset of uc_mcontext (struct sigcontext) in the ucontext. */
export const UC_MCONTEXT = 176;
/** Offset of sc_fpregs in struct sigcontext. */
export const SC_FPREGS = 256;
/** Offset of fcsr in the D state of sc_fpregs. */
export const FP_FCSR = 256;
/** Offset of reserved[3] of the Q state in sc_fpregs. */
export const FP_Q_RESERVED = 516;

/**
 * Address of the `[vdso]` page holding the sigreturn trampoline: the first
 * page of the gap between the mmap area (which ends at MMAP_BASE) and the
 * stack, so it never moves mmap results.
 */
export const SIGRETURN_TRAMPOLINE: number = MMAP_BASE;

/** `li a7, 139` (addi a17, x0, 139) and `ecall`. */
const TRAMPOLINE_CODE: readonly number[] = [0x08b00893, 0x00000073];

/** uid reported as a sender in siginfo: the guest's uid. */
const SENDER_UID = GUEST_UID;

/** Signals that can be neither blocked nor caught. */
const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);
/** Synchronous (fault) signals, delivered before others (SYNCHRONOUS_MASK). */
const SYNCHRONOUS = bit(4) | bit(5) | bit(7) | bit(8) | bit(11) | bit(31);

/** A signal's disposition. */
export interface SigAction {
  /** Handler address, or SIG_DFL / SIG_IGN. */
  handler: bigint;
  /** sa_flags (UAPI bits only). */
  flags: number;
  /** Signals blocked while the handler runs. */
  mask: bigint;
}

/** What a signal does when nothing catches it. */
export type DefaultAction = "terminate" | "core" | "ignore" | "stop";

/** The signals family's process state. */
interface SignalState {
  /** Dispositions, index = signal number (0 unused). */
  actions: SigAction[];
  /** Process-directed signals no thread could take yet (all block them). */
  shared: SigInfo[];
  /** Masks to restore after sigsuspend/ppoll-style temporary masks, by tid. */
  saved: Map<number, bigint>;
  /** Where handlers return: `__vdso_rt_sigreturn` (the vDSO's, or the lone trampoline page's). */
  sigreturn: number;
  /** Queue entries held by POSIX timers (each owns one, as Linux preallocates them). */
  reserved: number;
}

/** The bit for signal `n` in a sigset. */
export function bit(n: number): bigint {
  return 1n << BigInt(n - 1);
}

function state(k: Kernel): SignalState {
  return k.familyState<SignalState>("signals", () => ({
    actions: Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, mask: 0n })),
    shared: [],
    saved: new Map(),
    sigreturn: SIGRETURN_TRAMPOLINE,
    reserved: 0,
  }));
}

/**
 * The default action of `signo` (signal(7)); real-time signals terminate.
 * zkabi runs no job control: "stop" signals (SIGSTOP, SIGTSTP, SIGTTIN,
 * SIGTTOU) are discarded like ignored ones, and SIGCONT is ignored; "core"
 * terminates like "terminate" (no core file).
 */
export function defaultAction(signo: number): DefaultAction {
  switch (signo) {
    case SIGCHLD:
    case SIGCONT:
    case SIGURG:
    case SIGWINCH:
      return "ignore";
    case SIGSTOP:
    case 20: // SIGTSTP
    case 21: // SIGTTIN
    case 22: // SIGTTOU
      return "stop";
    case 3: // SIGQUIT
    case 4: // SIGILL
    case 5: // SIGTRAP
    case 6: // SIGABRT
    case 7: // SIGBUS
    case 8: // SIGFPE
    case 11: // SIGSEGV
    case 24: // SIGXCPU
    case 25: // SIGXFSZ
    case 31: // SIGSYS
      return "core";
    default:
      return "terminate";
  }
}

/** What delivering `signo` now would do: run a handler, be discarded, or kill. */
function disposition(k: Kernel, signo: number): "handler" | "ignore" | "kill" {
  if (signo === SIGKILL) return "kill";
  const h = state(k).actions[signo].handler;
  if (h === SIG_IGN) return "ignore";
  if (h !== SIG_DFL) return "handler";
  const d = defaultAction(signo);
  return d === "ignore" || d === "stop" ? "ignore" : "kill";
}

function blocks(t: Thread, signo: number): boolean {
  return (t.sigmask & bit(signo)) !== 0n;
}

function emitSignal(k: Kernel, t: Thread, info: SigInfo, action: "handler" | "ignore" | "kill") {
  k.emit({
    kind: "signal",
    seq: k.seq++,
    tid: t.tid,
    signo: info.signo,
    code: info.code,
    action,
    instret: k.instret,
    // What strace prints in the siginfo: the sender, or the faulting address.
    ...(info.pid !== undefined ? { pid: info.pid } : {}),
    ...(info.uid !== undefined ? { uid: info.uid } : {}),
    ...(info.addr !== undefined ? { addr: info.addr } : {}),
    ...(info.timer
      ? { timerid: info.timer.id, overrun: info.timer.overrun, value: info.timer.value }
      : {}),
  });
}

function killMessage(k: Kernel, t: Thread, info: SigInfo): string {
  const from = info.pid !== undefined ? ` from pid ${info.pid}` : "";
  const pc = t.hart.pc;
  return `${signalText(info.signo)} (si_code ${info.code}${from}) to thread ${t.tid}, ` +
    `default action, at pc ${k.symbols.where(pc)}, instret ${k.instret}`;
}

function kill(k: Kernel, t: Thread, info: SigInfo, detail?: string): void {
  emitSignal(k, t, info, "kill");
  k.killBySignal(info.signo, detail ?? killMessage(k, t, info));
}

// ---------------------------------------------------------------- sending

/**
 * Signal queue entries the process holds, as RLIMIT_SIGPENDING counts them:
 * every thread's pending signals, the shared pending set and the entries
 * POSIX timers hold.
 */
export function queuedSignals(k: Kernel): number {
  const s = state(k);
  let n = s.shared.length + s.reserved;
  for (const t of k.threads) n += t.pending.length;
  return n;
}

/** A POSIX timer was created (+1) or deleted (-1): the queue entry it holds. */
export function reserveQueueEntry(k: Kernel, delta: 1 | -1): void {
  state(k).reserved += delta;
}

/**
 * Whether the process has as many signals queued as RLIMIT_SIGPENDING
 * allows. Linux cannot queue another real-time signal then: one sent with
 * a siginfo (tgkill, rt_sigqueueinfo) fails with EAGAIN
 * ({@linkcode refusesRealtime}), and kill's is only marked pending (one
 * instance, its siginfo lost). The limit keeps a guest from growing the
 * queues without bound.
 */
function queueFull(k: Kernel): boolean {
  return queuedSignals(k) >= Number(getRlimit(k, RLIMIT_SIGPENDING).cur);
}

/** The kernel's first real-time signal (glibc's SIGRTMIN is 34: it keeps two). */
const SIGRTMIN = 32;

/** A real-time signal with a siginfo of the sender's that could not be queued now (EAGAIN). */
function refusesRealtime(k: Kernel, sig: number, code: number): boolean {
  return sig >= SIGRTMIN && code !== SI_USER && queueFull(k);
}

/**
 * Sends a thread-directed signal (tgkill, a SIGPIPE from write): SIGKILL
 * kills at once; an ignored, unblocked signal is discarded as Linux never
 * queues it; a standard signal already pending is not queued twice.
 * Returns false when the signal was discarded because it is ignored.
 */
export function sendToThread(k: Kernel, t: Thread, info: SigInfo): boolean {
  if (t.state === "exited") return true;
  if (info.signo === SIGKILL) {
    kill(k, t, info);
    return true;
  }
  if (!blocks(t, info.signo) && disposition(k, info.signo) === "ignore") {
    emitSignal(k, t, info, "ignore");
    return false;
  }
  // A timer's signal queues beside a pending standard one, as Linux's send_sigqueue does.
  if (info.signo < 32 && !info.timer && t.pending.some((p) => p.signo === info.signo)) return true;
  // A full queue keeps one instance of a real-time signal pending, without its siginfo.
  if (!info.timer && queueFull(k) && t.pending.some((p) => p.signo === info.signo)) return true;
  k.queueSignal(t, info);
  return true;
}

/**
 * Sends a process-directed signal (kill, timers). The target thread is
 * chosen deterministically: the sending thread if it does not block the
 * signal, else the first live thread (in creation order) that does not;
 * when every thread blocks it, it waits in the shared pending set.
 * Returns false when the signal was discarded because it is ignored.
 */
export function sendToProcess(k: Kernel, info: SigInfo, sender?: Thread): boolean {
  const live = k.threads.filter((x) => x.state !== "exited");
  if (live.length === 0) return true;
  if (info.signo === SIGKILL) {
    kill(k, sender ?? live[0], info);
    return true;
  }
  const s = state(k);
  const allBlock = live.every((x) => blocks(x, info.signo));
  if (!allBlock && disposition(k, info.signo) === "ignore") {
    emitSignal(k, sender ?? live[0], info, "ignore");
    return false;
  }
  let target: Thread | undefined;
  if (sender && sender.state !== "exited" && !blocks(sender, info.signo)) target = sender;
  else target = live.find((x) => !blocks(x, info.signo));
  if (!target) {
    const pending = s.shared.some((p) => p.signo === info.signo);
    if (info.timer || !pending || (info.signo >= 32 && !queueFull(k))) s.shared.push(info);
    return true;
  }
  return sendToThread(k, target, info);
}

// -------------------------------------------------------- temporary masks

/**
 * Replaces `t`'s mask for the duration of a syscall (rt_sigsuspend, ppoll,
 * pselect6, epoll_pwait). The old mask is restored by
 * {@linkcode restoreTemporaryMask} when the syscall returns normally, or
 * saved in the frame of the handler that interrupted it.
 */
export function setTemporaryMask(k: Kernel, t: Thread, mask: bigint): void {
  const s = state(k);
  if (!s.saved.has(t.tid)) s.saved.set(t.tid, t.sigmask);
  t.sigmask = mask & ~UNBLOCKABLE;
}

/** Restores the mask saved by {@linkcode setTemporaryMask}, if any. */
export function restoreTemporaryMask(k: Kernel, t: Thread): void {
  const s = state(k);
  const m = s.saved.get(t.tid);
  if (m === undefined) return;
  t.sigmask = m;
  s.saved.delete(t.tid);
}

/**
 * True when `t` has a pending signal it would act on now (a handler or a
 * kill); pending ignored signals do not count (as Linux restarts around them).
 */
export function hasDeliverable(k: Kernel, t: Thread): boolean {
  const pick = (p: SigInfo) => !blocks(t, p.signo) && disposition(k, p.signo) !== "ignore";
  return t.pending.some(pick) || state(k).shared.some(pick);
}

// --------------------------------------------------------------- delivery

/** Removes and returns the next signal for `t`: synchronous first, then lowest number. */
function dequeue(k: Kernel, t: Thread, allowed: (signo: number) => boolean): SigInfo | undefined {
  const s = state(k);
  for (const list of [t.pending, s.shared]) {
    let best = -1;
    for (let i = 0; i < list.length; i++) {
      const n = list[i].signo;
      if (!allowed(n)) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const b = list[best].signo;
      const ns = (SYNCHRONOUS & bit(n)) !== 0n;
      const bs = (SYNCHRONOUS & bit(b)) !== 0n;
      if ((ns && !bs) || (ns === bs && n < b)) best = i;
    }
    if (best >= 0) {
      const info = list[best];
      list.splice(best, 1);
      // Standard signals do not queue: drop any later copies (but a timer's, queued apart).
      if (info.signo < 32) {
        for (let i = list.length - 1; i >= 0; i--) {
          if (list[i].signo === info.signo && !list[i].timer) list.splice(i, 1);
        }
      }
      info.timer?.dequeued();
      return info;
    }
  }
  return undefined;
}

/**
 * Delivers `t`'s pending unblocked signals (the run loop calls this before `t` runs):
 * each one builds a frame (nested frames when several are deliverable),
 * is discarded, or kills the process.
 */
export function deliverPending(k: Kernel, t: Thread): void {
  const s = state(k);
  if (t.pending.length === 0 && s.shared.length === 0 && s.saved.size === 0) return;
  for (let guard = 0; guard < 2 * NSIG && !k.end; guard++) {
    const info = dequeue(k, t, (n) => !blocks(t, n));
    if (!info) break;
    const what = disposition(k, info.signo);
    if (what === "ignore") {
      emitSignal(k, t, info, "ignore");
      continue;
    }
    if (what === "kill") {
      kill(k, t, info);
      return;
    }
    if (!buildFrame(k, t, info)) {
      kill(
        k,
        t,
        { signo: 11, code: 0x80 },
        `cannot write the ${signalText(info.signo)} frame for thread ${t.tid} ` +
          `(sp 0x${t.hart.getXNumber(2).toString(16)}): killed by SIGSEGV`,
      );
      return;
    }
  }
  // Back to user mode without a handler frame: undo a temporary mask.
  if (t.state === "runnable") restoreTemporaryMask(k, t);
}

function onSigStack(t: Thread, sp: number): boolean {
  const a = t.altstack;
  if ((a.flags & SS_AUTODISARM) !== 0) return false;
  return sp > a.sp && sp - a.sp <= a.size;
}

function sasFlags(t: Thread, sp: number): number {
  if (t.altstack.size === 0) return SS_DISABLE;
  return onSigStack(t, sp) ? SS_ONSTACK : 0;
}

/** Builds the rt_sigframe for `info` and points `t` at the handler. False when it cannot. */
function buildFrame(k: Kernel, t: Thread, info: SigInfo): boolean {
  const s = state(k);
  const act = s.actions[info.signo];
  const h = t.hart;
  const sp0 = h.getXNumber(2);
  if (onSigStack(t, sp0) && !onSigStack(t, sp0 - FRAME_SIZE)) return false;
  let sp = sp0;
  const alt = { ...t.altstack };
  const switchStack = (act.flags & SA_ONSTACK) !== 0 && sasFlags(t, sp0) === 0;
  if (switchStack) sp = alt.sp + alt.size;
  const frame = Math.floor((sp - FRAME_SIZE) / 16) * 16;
  if (frame <= 0) return false;

  const b = new Uint8Array(FRAME_SIZE);
  const dv = new DataView(b.buffer);
  b.set(siginfoBytes(info), 0);
  const uc = FRAME_UC;
  dv.setBigUint64(uc + UC_STACK, BigInt(alt.sp), true);
  dv.setInt32(uc + UC_STACK + 8, sasFlags(t, sp0) | (alt.flags & SS_AUTODISARM), true);
  dv.setBigUint64(uc + UC_STACK + 16, BigInt(alt.size), true);
  const saved = s.saved.get(t.tid);
  const oldMask = saved ?? t.sigmask;
  dv.setBigUint64(uc + UC_SIGMASK, oldMask, true);
  const mc = uc + UC_MCONTEXT;
  dv.setBigUint64(mc, BigInt(h.pc), true);
  for (let i = 1; i < 32; i++) {
    dv.setInt32(mc + 8 * i, h.xl[i], true);
    dv.setInt32(mc + 8 * i + 4, h.xh[i], true);
  }
  const fp = mc + SC_FPREGS;
  for (let i = 0; i < 64; i++) dv.setInt32(fp + 4 * i, h.fw[i], true);
  dv.setUint32(fp + FP_FCSR, h.fcsr, true);
  try {
    k.mem.write(frame, b);
  } catch (e) {
    if (e instanceof MemoryFault) return false;
    throw e;
  }
  if (switchStack && (alt.flags & SS_AUTODISARM) !== 0) {
    t.altstack = { sp: 0, size: 0, flags: SS_DISABLE };
  }
  s.saved.delete(t.tid);
  let mask = t.sigmask | act.mask;
  if ((act.flags & SA_NODEFER) === 0) mask |= bit(info.signo);
  t.sigmask = mask & ~UNBLOCKABLE;
  h.setXNumber(1, s.sigreturn);
  h.setXNumber(2, frame);
  h.setXNumber(10, info.signo);
  h.setXNumber(11, frame);
  h.setXNumber(12, frame + FRAME_UC);
  h.pc = Number(act.handler);
  if ((act.flags & SA_RESETHAND) !== 0) act.handler = SIG_DFL;
  k.counters.signalsDelivered++;
  emitSignal(k, t, info, "handler");
  return true;
}

/** Syscalls a handler interrupts with EINTR even under SA_RESTART (ERESTARTNOHAND and friends). */
const NEVER_RESTARTED: ReadonlySet<string> = new Set([
  "epoll_pwait",
  "epoll_pwait2",
  "poll",
  "ppoll",
  "pselect6",
  "nanosleep",
  "clock_nanosleep",
  "rt_sigsuspend",
  "rt_sigtimedwait",
]);

/**
 * What the signals family looks for on a Wait: `waitsFor` marks a wait that
 * a signal in that set completes instead of interrupting (rt_sigtimedwait);
 * `interrupted()` lets a family clean up (futex queue entries) and choose
 * the result (nanosleep's remaining time) when a handler interrupts it.
 */
export interface SignalWait extends Wait {
  /** Signals that end this wait by being consumed. */
  readonly waitsFor?: bigint;
  /** Forgets the wait's registrations and returns the interrupted syscall's result (-EINTR). */
  interrupted?(): number;
}

/**
 * A signal arrived for a blocked thread that does not block it (the
 * kernel calls this from `queueSignal`): a handler interrupts the syscall (EINTR,
 * or a restart under SA_RESTART), the default kill ends the process now,
 * and an ignored signal leaves the thread waiting.
 */
export function interruptBlocked(k: Kernel, t: Thread): void {
  const w = t.wait as SignalWait | undefined;
  if (!w || t.state !== "blocked") return;
  const info = t.pending[t.pending.length - 1];
  if (!info) return;
  if (w.waitsFor !== undefined && (w.waitsFor & bit(info.signo)) !== 0n) {
    k.tryResume(t);
    return;
  }
  const what = disposition(k, info.signo);
  if (what === "ignore") return;
  if (what === "kill") {
    const i = t.pending.lastIndexOf(info);
    t.pending.splice(i, 1);
    kill(k, t, info);
    return;
  }
  const result = w.interrupted?.() ?? -EINTR;
  const flags = state(k).actions[info.signo].flags;
  const timedFutex = t.waitSyscall === "futex" && w.deadline !== undefined;
  const restart = (flags & SA_RESTART) !== 0 && !NEVER_RESTARTED.has(t.waitSyscall) &&
    !timedFutex;
  t.state = "runnable";
  t.wait = undefined;
  if (restart) {
    // a0 still holds the first argument: re-execute the ECALL after the handler.
    t.hart.pc -= 4;
    k.syscallResumed(t, -ERESTARTSYS);
  } else {
    // A temporary mask (sigsuspend, ppoll) stays saved: the frame stores it.
    t.hart.setXNumber(10, result);
    k.syscallResumed(t, result);
  }
}

/** Kernel-internal "restart the syscall" code, as strace shows it. */
const ERESTARTSYS = 512;

/**
 * A synchronous fault (from `Kernel.raiseFault`): delivered to the faulting thread
 * when a handler is installed and the signal is not blocked, else (blocked,
 * ignored or default) the process is killed, as Linux's force_sig_fault does.
 */
export function routeFault(k: Kernel, t: Thread, info: SigInfo): void {
  const act = state(k).actions[info.signo];
  if (act.handler !== SIG_DFL && act.handler !== SIG_IGN && !blocks(t, info.signo)) {
    t.pending.unshift(info);
    return;
  }
  kill(k, t, info, k.describeFault(t, info));
}

/**
 * Creates `k`'s signal state. With `sigreturn` (the address of the mapped
 * vDSO's `__vdso_rt_sigreturn`, see `vdso.ts`) handlers return there;
 * without it (`--vdso off`) a lone `[vdso]` page holding only the sigreturn
 * trampoline is mapped at {@linkcode SIGRETURN_TRAMPOLINE}.
 * The runner calls this once, before the first thread runs.
 */
export function setupSignals(k: Kernel, sigreturn?: number): void {
  const s = state(k);
  if (sigreturn !== undefined) {
    s.sigreturn = sigreturn;
    return;
  }
  const page = new Uint8Array(4096);
  const dv = new DataView(page.buffer);
  TRAMPOLINE_CODE.forEach((w, i) => dv.setUint32(4 * i, w, true));
  k.mem.map(SIGRETURN_TRAMPOLINE, 4096, PROT_READ | PROT_EXEC, "[vdso]");
  k.mem.poke(SIGRETURN_TRAMPOLINE, page);
  k.symbols.add(
    [{ name: "__vdso_rt_sigreturn", value: 0, size: 8, kind: "func", bind: "global" }],
    SIGRETURN_TRAMPOLINE,
    "[vdso]",
    { start: SIGRETURN_TRAMPOLINE, end: SIGRETURN_TRAMPOLINE + 4096 },
  );
}

// --------------------------------------------------------------- syscalls

function guard(f: () => number | Wait | typeof NO_RESULT): number | Wait | typeof NO_RESULT {
  try {
    return f();
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
}

function validSignal(n: number): boolean {
  return n >= 1 && n <= NSIG;
}

/** rt_sigaction(sig, act, oldact, sigsetsize): struct sigaction {handler +0, flags +8, mask +16}. */
function rtSigaction(k: Kernel, _t: Thread, a: SyscallArgs): number {
  if (a.ptr(3) !== 8) return -EINVAL;
  const sig = a.int(0);
  const actp = a.ptr(1);
  const oldp = a.ptr(2);
  if (!validSignal(sig) || (actp !== 0 && (sig === SIGKILL || sig === SIGSTOP))) return -EINVAL;
  const s = state(k);
  let next: SigAction | undefined;
  if (actp !== 0) {
    let raw: Uint8Array;
    try {
      raw = k.mem.read(actp, 24);
    } catch (e) {
      if (e instanceof MemoryFault) return -EFAULT;
      throw e;
    }
    const dv = new DataView(raw.buffer);
    next = {
      handler: dv.getBigUint64(0, true),
      flags: dv.getUint32(8, true) & UAPI_SA_FLAGS,
      mask: dv.getBigUint64(16, true) & ~UNBLOCKABLE,
    };
  }
  const old = { ...s.actions[sig] };
  if (next) {
    s.actions[sig] = next;
    if (disposition(k, sig) === "ignore") {
      // POSIX: setting SIG_IGN discards pending instances, blocked or not.
      const keep = (p: SigInfo) => {
        if (p.signo !== sig) return true;
        p.timer?.dequeued();
        return false;
      };
      for (const x of k.threads) x.pending = x.pending.filter(keep);
      s.shared = s.shared.filter(keep);
    }
  }
  if (oldp !== 0) {
    const out = new Uint8Array(24);
    const dv = new DataView(out.buffer);
    dv.setBigUint64(0, old.handler, true);
    dv.setBigUint64(8, BigInt(old.flags >>> 0), true);
    dv.setBigUint64(16, old.mask, true);
    try {
      k.mem.write(oldp, out);
    } catch (e) {
      if (e instanceof MemoryFault) return -EFAULT;
      throw e;
    }
  }
  return 0;
}

/** rt_sigprocmask(how, set, oldset, sigsetsize): per thread; SIGKILL/SIGSTOP stay unblocked. */
function rtSigprocmask(k: Kernel, t: Thread, a: SyscallArgs): number {
  if (a.ptr(3) !== 8) return -EINVAL;
  const how = a.int(0);
  const setp = a.ptr(1);
  const oldp = a.ptr(2);
  const old = t.sigmask;
  return guard(() => {
    if (setp !== 0) {
      const set = k.mem.readU64(setp) & ~UNBLOCKABLE;
      if (how === SIG_BLOCK) t.sigmask = old | set;
      else if (how === SIG_UNBLOCK) t.sigmask = old & ~set;
      else if (how === SIG_SETMASK) t.sigmask = set;
      else return -EINVAL;
    }
    if (oldp !== 0) k.mem.writeU64(oldp, old);
    return 0;
  }) as number;
}

/** rt_sigpending(set, sigsetsize): pending signals that are blocked. */
function rtSigpending(k: Kernel, t: Thread, a: SyscallArgs): number {
  const size = a.ptr(1);
  if (size > 8) return -EINVAL;
  let set = 0n;
  for (const p of t.pending) set |= bit(p.signo);
  for (const p of state(k).shared) set |= bit(p.signo);
  set &= t.sigmask;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, set, true);
  return guard(() => {
    k.mem.write(a.ptr(0), b.subarray(0, size));
    return 0;
  }) as number;
}

/** sigaltstack(ss, oss): stack_t {ss_sp +0, ss_flags +8, ss_size +16}. */
function sigaltstack(k: Kernel, t: Thread, a: SyscallArgs): number {
  const ssp = a.ptr(0);
  const ossp = a.ptr(1);
  const sp = t.hart.getXNumber(2);
  const cur = t.altstack;
  const old = { sp: cur.sp, size: cur.size, flags: sasFlags(t, sp) | (cur.flags & SS_AUTODISARM) };
  return guard(() => {
    if (ssp !== 0) {
      const raw = k.mem.read(ssp, 24);
      const dv = new DataView(raw.buffer);
      const r = changeAltstack(t, {
        sp: Number(dv.getBigUint64(0, true)),
        flags: dv.getUint32(8, true),
        size: Number(dv.getBigUint64(16, true)),
      }, sp);
      if (r !== 0) return r;
    }
    if (ossp !== 0) {
      const out = new Uint8Array(24);
      const dv = new DataView(out.buffer);
      dv.setBigUint64(0, BigInt(old.sp), true);
      dv.setInt32(8, old.flags, true);
      dv.setBigUint64(16, BigInt(old.size), true);
      k.mem.write(ossp, out);
    }
    return 0;
  }) as number;
}

/** The ss-setting half of do_sigaltstack. */
function changeAltstack(
  t: Thread,
  ss: { sp: number; size: number; flags: number },
  sp: number,
): number {
  if (onSigStack(t, sp)) return -EPERM;
  const mode = ss.flags & ~SS_AUTODISARM;
  if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return -EINVAL;
  const cur = t.altstack;
  if (cur.sp === ss.sp && cur.size === ss.size && cur.flags === ss.flags) return 0;
  if (mode === SS_DISABLE) {
    t.altstack = { sp: 0, size: 0, flags: ss.flags };
    return 0;
  }
  if (ss.size < MINSIGSTKSZ) return -ENOMEM;
  t.altstack = { sp: ss.sp, size: ss.size, flags: ss.flags };
  return 0;
}

/** rt_sigreturn(): restores registers, mask and alternate stack from the frame at sp. */
function rtSigreturn(k: Kernel, t: Thread, _a: SyscallArgs): typeof NO_RESULT {
  const h = t.hart;
  const frame = h.getXNumber(2);
  let b: Uint8Array;
  try {
    b = k.mem.read(frame, FRAME_SIZE);
  } catch (e) {
    if (!(e instanceof MemoryFault)) throw e;
    badFrame(k, t, frame);
    return NO_RESULT;
  }
  const dv = new DataView(b.buffer);
  const mc = FRAME_UC + UC_MCONTEXT;
  const fp = mc + SC_FPREGS;
  for (let i = 0; i < 3; i++) {
    if (dv.getUint32(fp + FP_Q_RESERVED + 4 * i, true) !== 0) {
      badFrame(k, t, frame);
      return NO_RESULT;
    }
  }
  t.sigmask = dv.getBigUint64(FRAME_UC + UC_SIGMASK, true) & ~UNBLOCKABLE;
  h.pc = Number(dv.getBigUint64(mc, true));
  for (let i = 1; i < 32; i++) {
    h.xl[i] = dv.getInt32(mc + 8 * i, true);
    h.xh[i] = dv.getInt32(mc + 8 * i + 4, true);
  }
  for (let i = 0; i < 64; i++) h.fw[i] = dv.getInt32(fp + 4 * i, true);
  h.fcsr = dv.getUint32(fp + FP_FCSR, true);
  // restore_altstack: errors other than EFAULT are ignored.
  const st = FRAME_UC + UC_STACK;
  changeAltstack(t, {
    sp: Number(dv.getBigUint64(st, true)),
    flags: dv.getUint32(st + 8, true),
    size: Number(dv.getBigUint64(st + 16, true)),
  }, h.getXNumber(2));
  return NO_RESULT;
}

function badFrame(k: Kernel, t: Thread, frame: number): void {
  kill(
    k,
    t,
    { signo: 11, code: 0x80 },
    `rt_sigreturn with a bad frame at 0x${
      frame.toString(16)
    } in thread ${t.tid}: killed by SIGSEGV`,
  );
}

/** kill(pid, sig): only this process exists; sig 0 checks existence. */
function killSyscall(k: Kernel, t: Thread, a: SyscallArgs): number {
  const pid = a.int(0);
  const sig = a.int(1);
  if (sig < 0 || sig > NSIG) return -EINVAL;
  // pid 0 and -pgid name our process group (pgid = pid); -1 means every
  // other process, of which there is none.
  if (pid !== k.pid && pid !== 0 && pid !== -k.pid) return -ESRCH;
  if (sig === 0) return 0;
  sendToProcess(k, { signo: sig, code: SI_USER, pid: k.pid, uid: SENDER_UID }, t);
  return 0;
}

/** Sends a tkill/tgkill signal: -ESRCH for a thread that is not (or no longer) ours. */
export function sendTkill(k: Kernel, tgid: number, tid: number, sig: number): number {
  if (tid <= 0 || (tgid !== -1 && tgid <= 0) || sig < 0 || sig > NSIG) return -EINVAL;
  const target = k.threads.find((x) => x.tid === tid && x.state !== "exited");
  if (!target || (tgid !== -1 && tgid !== k.pid)) return -ESRCH;
  if (sig === 0) return 0;
  if (refusesRealtime(k, sig, SI_TKILL)) return -EAGAIN;
  sendToThread(k, target, { signo: sig, code: SI_TKILL, pid: k.pid, uid: SENDER_UID });
  return 0;
}

/** rt_sigsuspend(mask, sigsetsize): waits with `mask` until a handler runs; always -EINTR. */
function rtSigsuspend(k: Kernel, t: Thread, a: SyscallArgs): number | Wait {
  if (a.ptr(1) !== 8) return -EINVAL;
  let mask: bigint;
  try {
    mask = k.mem.readU64(a.ptr(0));
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  setTemporaryMask(k, t, mask);
  if (hasDeliverable(k, t)) return -EINTR;
  return {
    reason: `rt_sigsuspend (mask 0x${t.sigmask.toString(16)})`,
    resume: () => undefined,
  };
}

/** rt_sigtimedwait(set, info, timeout, sigsetsize): dequeues a signal of `set`. */
function rtSigtimedwait(k: Kernel, t: Thread, a: SyscallArgs): number | Wait {
  if (a.ptr(3) !== 8) return -EINVAL;
  const infop = a.ptr(1);
  const tsp = a.ptr(2);
  let set: bigint;
  let deadline: number | undefined;
  try {
    set = k.mem.readU64(a.ptr(0)) & ~UNBLOCKABLE;
    if (tsp !== 0) {
      const sec = k.mem.readU64(tsp);
      const nsec = k.mem.readU64(tsp + 8);
      if (BigInt.asIntN(64, sec) < 0n || nsec >= 1_000_000_000n) return -EINVAL;
      if (sec < 1n << 32n) deadline = k.nowNs() + Number(sec) * 1e9 + Number(nsec);
    }
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  const take = (): number | undefined => {
    const info = dequeue(k, t, (n) => (set & bit(n)) !== 0n);
    if (!info) return undefined;
    if (infop !== 0) {
      try {
        k.mem.write(infop, siginfoBytes(info));
      } catch (e) {
        if (e instanceof MemoryFault) return -EFAULT;
        throw e;
      }
    }
    return info.signo;
  };
  const now = take();
  if (now !== undefined) return now;
  if (deadline !== undefined && deadline <= k.nowNs()) return -EAGAIN;
  const w: SignalWait = {
    reason: `rt_sigtimedwait (set 0x${set.toString(16)})`,
    deadline,
    repoll: true,
    waitsFor: set,
    resume: (timedOut) => take() ?? (timedOut ? -EAGAIN : undefined),
  };
  return w;
}

/** The 128-byte siginfo_t for `info`. */
export function siginfoBytes(info: SigInfo): Uint8Array {
  const b = new Uint8Array(128);
  const dv = new DataView(b.buffer);
  if (info.raw) {
    b.set(info.raw.subarray(0, 128));
    dv.setInt32(0, info.signo, true);
    return b;
  }
  dv.setInt32(0, info.signo, true);
  dv.setInt32(8, info.code, true);
  if (info.timer) {
    // The _timer member: si_tid (the timer id) +16, si_overrun +20, si_value +24.
    dv.setInt32(16, info.timer.id, true);
    dv.setInt32(20, info.timer.overrun, true);
    dv.setBigUint64(24, info.timer.value, true);
  } else if (info.addr !== undefined) dv.setBigUint64(16, BigInt(info.addr), true);
  else if (info.pid !== undefined) {
    dv.setInt32(16, info.pid, true);
    dv.setUint32(20, info.uid ?? 0, true);
  }
  return b;
}

/** Reads the sender's siginfo_t for rt_(tg)sigqueueinfo; -EPERM for codes only the kernel may use. */
function queuedInfo(k: Kernel, sig: number, p: number, toSelf: boolean): SigInfo | number {
  let raw: Uint8Array;
  try {
    raw = k.mem.read(p, 128);
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  const code = new DataView(raw.buffer, raw.byteOffset, 128).getInt32(8, true);
  // Only the kernel may send SI_USER-like (>= 0) codes or SI_TKILL to another process.
  if ((code >= 0 || code === SI_TKILL) && !toSelf) return -EPERM;
  return { signo: sig, code, raw };
}

/** rt_sigqueueinfo(tgid, sig, uinfo): a process-directed signal carrying the caller's siginfo. */
function rtSigqueueinfo(k: Kernel, t: Thread, a: SyscallArgs): number {
  const pid = a.int(0);
  const sig = a.int(1);
  if (sig < 0 || sig > NSIG) return -EINVAL;
  const info = queuedInfo(k, sig, a.ptr(2), pid === k.pid);
  if (typeof info === "number") return info;
  if (pid !== k.pid) return pid <= 0 ? -EINVAL : -ESRCH;
  if (sig === 0) return 0;
  if (refusesRealtime(k, sig, info.code)) return -EAGAIN;
  sendToProcess(k, info, t);
  return 0;
}

/** rt_tgsigqueueinfo(tgid, tid, sig, uinfo): the same, to one thread. */
function rtTgsigqueueinfo(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const tgid = a.int(0);
  const tid = a.int(1);
  const sig = a.int(2);
  if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG) return -EINVAL;
  const info = queuedInfo(k, sig, a.ptr(3), tgid === k.pid);
  if (typeof info === "number") return info;
  const target = k.threads.find((x) => x.tid === tid && x.state !== "exited");
  if (!target || tgid !== k.pid) return -ESRCH;
  if (sig === 0) return 0;
  if (refusesRealtime(k, sig, info.code)) return -EAGAIN;
  sendToThread(k, target, info);
  return 0;
}

/** signalfd4 flags. */
const SFD_CLOEXEC = 0o2000000;
const SFD_NONBLOCK = 0o4000;

/**
 * A signalfd (signalfd(2)): reading takes pending signals of the reading
 * thread (its own, then the process's) that are in the mask, as 128-byte
 * `struct signalfd_siginfo` records; readable while one is pending.
 */
export class SignalFd extends OpenFile {
  /** Kind for /proc and diagnostics. */
  readonly kind = "signalfd";
  /** The signals it reads (SIGKILL and SIGSTOP never). */
  mask: bigint;

  /** Creates a signalfd for `mask` with status flags `flags`. */
  constructor(mask: bigint, flags: number) {
    super(flags | 2);
    this.mask = mask & ~UNBLOCKABLE;
  }

  /** What /proc/self/fd links to. */
  get path(): string {
    return "anon_inode:[signalfd]";
  }

  /** fstat: an anonymous inode. */
  stat(_k: FileContext): Attr {
    return makeAttr(
      { dev: makedev(0, 14), writable: false, mntId: 0, kind: "anon_inodefs" },
      "reg",
      {
        ino: 1,
        perm: 0o600,
      },
    );
  }

  #thread(k: FileContext): Thread | undefined {
    const kk = k as unknown as Kernel;
    return kk.current ?? kk.mainThread;
  }

  /** Reads whole records; -EAGAIN when none is pending, EINVAL for a buffer under 128 bytes. */
  override read(k: FileContext, max: number): Uint8Array | number {
    if (max < 128) return -EINVAL;
    const kk = k as unknown as Kernel;
    const t = this.#thread(k);
    if (!t) return -EAGAIN;
    const out: Uint8Array[] = [];
    while (out.length < Math.floor(max / 128)) {
      const info = dequeue(kk, t, (n) => (this.mask & bit(n)) !== 0n);
      if (!info) break;
      out.push(signalfdRecord(info));
    }
    if (out.length === 0) return -EAGAIN;
    const b = new Uint8Array(128 * out.length);
    out.forEach((r, i) => b.set(r, 128 * i));
    return b;
  }

  /** Readable while a signal in the mask is pending for the polling thread or the process. */
  override poll(k: FileContext): number {
    const t = this.#thread(k);
    const s = state(k as unknown as Kernel);
    const hit = (l: SigInfo[]) => l.some((x) => (this.mask & bit(x.signo)) !== 0n);
    return t && (hit(t.pending) || hit(s.shared)) ? POLLIN | POLLRDNORM : 0;
  }
}

/** A signal as a 128-byte struct signalfd_siginfo. */
function signalfdRecord(info: SigInfo): Uint8Array {
  const si = siginfoBytes(info);
  const sv = new DataView(si.buffer);
  const b = new Uint8Array(128);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, info.signo, true);
  dv.setInt32(4, sv.getInt32(4, true), true);
  dv.setInt32(8, info.code, true);
  if (info.addr !== undefined) dv.setBigUint64(72, BigInt(info.addr), true);
  else if (info.timer) {
    // ssi_tid +24 and ssi_overrun +32 hold si_timerid and si_overrun; the value as below.
    dv.setUint32(24, info.timer.id, true);
    dv.setUint32(32, info.timer.overrun, true);
    dv.setInt32(44, Number(BigInt.asIntN(32, info.timer.value)), true);
    dv.setBigUint64(48, info.timer.value, true);
  } else {
    dv.setUint32(12, sv.getUint32(16, true), true);
    dv.setUint32(16, sv.getUint32(20, true), true);
    const value = sv.getBigUint64(24, true);
    dv.setInt32(44, Number(BigInt.asIntN(32, value)), true);
    dv.setBigUint64(48, value, true);
  }
  return b;
}

/** signalfd4(fd, mask, sizemask, flags): a new signalfd, or fd's mask replaced. */
function signalfd4(k: Kernel, _t: Thread, a: SyscallArgs): number {
  const fd = a.int(0);
  const flags = a.int(3);
  if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)) return -EINVAL;
  if (a.ptr(2) !== 8) return -EINVAL;
  let mask: bigint;
  try {
    mask = k.mem.readU64(a.ptr(1));
  } catch (e) {
    if (e instanceof MemoryFault) return -EFAULT;
    throw e;
  }
  const fds = fdTable(k);
  if (fd !== -1) {
    const f = fds.file(fd);
    if (typeof f === "number") return f;
    if (!(f instanceof SignalFd)) return -EINVAL;
    f.mask = mask & ~UNBLOCKABLE;
    return fd;
  }
  return fds.alloc(new SignalFd(mask, flags & SFD_NONBLOCK), (flags & SFD_CLOEXEC) !== 0);
}

/** The signals family's handlers by syscall name. */
export const SIGNALS: SyscallFamilyTable = {
  family: "signals",
  handlers: {
    rt_sigaction: rtSigaction,
    rt_sigprocmask: rtSigprocmask,
    rt_sigpending: rtSigpending,
    sigaltstack,
    rt_sigreturn: rtSigreturn,
    kill: killSyscall,
    rt_sigsuspend: rtSigsuspend,
    rt_sigtimedwait: rtSigtimedwait,
    rt_sigqueueinfo: rtSigqueueinfo,
    rt_tgsigqueueinfo: rtTgsigqueueinfo,
    signalfd4,
  },
};
