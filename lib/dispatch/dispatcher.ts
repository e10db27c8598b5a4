/**
 * The ECALL dispatcher. Every ECALL goes through here and is routed, in this
 * order:
 * 1. a7 in the precompile range (0x10000000..0x1000ffff): a zk precompile;
 * 2. a7 a Linux riscv64 syscall number: the profile's action for its name
 *    (emulate: the kernel's handler; stub: the fixed result; deny: stop);
 * 3. anything else (unlisted in the profile, or no such syscall): the
 *    profile's `unlisted` policy (stop with a diagnostic, or -ENOSYS).
 * A syscall the profile says to emulate but zkabi does not implement returns
 * -ENOSYS and is counted as `unimplemented`.
 * @module
 */

import { ENOSYS } from "../abi/errno.ts";
import {
  isPrecompile,
  PRECOMPILE_KECCAKF,
  PRECOMPILE_NAMES,
  PRECOMPILE_SHA256_COMPRESS,
  precompileName,
} from "../abi/precompiles.ts";
import type { Phase, Route, SyscallEvent } from "../kernel/events.ts";
import type { EcallHandler, Kernel } from "../kernel/kernel.ts";
import { decodeCall, syscallByNumber } from "../kernel/syscalls.ts";
import type { Thread } from "../kernel/thread.ts";
import { isWait, NO_RESULT, SyscallArgs, type SyscallResult } from "../kernel/types.ts";
import { callText } from "../trace/strace.ts";
import { keccakF1600, sha256Compress } from "./precompiles.ts";
import type { Profile } from "./profile.ts";

const EFAULT = 14;

/** Decides the phase of a syscall at `pc`; installed by the runner. */
export type PhaseOf = (k: Kernel, t: Thread, pc: number, name: string) => Phase;

/** Routes ECALLs for one kernel under one profile. */
export class Dispatcher implements EcallHandler {
  /** The profile in force. */
  readonly profile: Profile;
  /** Classifies syscalls into phases. */
  phaseOf: PhaseOf;
  /** Calls per route, for stats. */
  readonly routes: Map<Route, number> = new Map();

  readonly #k: Kernel;

  /** Creates a dispatcher and makes it `k`'s ECALL handler. */
  constructor(k: Kernel, profile: Profile, phaseOf: PhaseOf) {
    this.#k = k;
    this.profile = profile;
    this.phaseOf = phaseOf;
    k.setEcallHandler(this);
  }

  /** Handles the ECALL `t` just made (its pc already past it). */
  ecall(t: Thread): void {
    this.dispatch(this.#k, t);
  }

  /** A blocked syscall of `t` completed with `result`: its trace event goes out now. */
  resumed(t: Thread, result: number): void {
    this.#resumed(this.#k, t, result);
  }

  #pendingEvents = new Map<number, SyscallEvent>();

  /** Handles the ECALL `t` just made (its pc already advanced past it). */
  dispatch(k: Kernel, t: Thread): void {
    const h = t.hart;
    const nr = h.xh[17] === 0 ? h.xl[17] >>> 0 : -1;
    const pc = h.pc - 4;
    const args = new SyscallArgs(h);
    if (isPrecompile(nr)) {
      const name = precompileName(nr);
      const r = PRECOMPILE_NAMES.has(nr) ? runPrecompile(k, nr, args) : -ENOSYS;
      this.#finish(k, t, this.#event(k, t, nr, name, args, pc, "precompile"), r);
      return;
    }
    const record = nr < 0 ? undefined : syscallByNumber(nr);
    const name = record?.name ?? (nr < 0 ? `syscall_${h.getX(17)}` : `syscall_${nr}`);
    const profile = this.profile;
    const listed = profile.syscalls.get(name);
    const handler = record?.handler;
    let route: Route;
    if (listed) route = listed.action === "emulate" ? "emulate" : listed.action;
    else if (profile.emulateAll && handler) route = "emulate";
    else route = "unlisted";
    const ev = this.#event(k, t, nr, name, args, pc, route);
    k.counters.syscalls.set(name, (k.counters.syscalls.get(name) ?? 0) + 1);
    if (route === "deny" || (route === "unlisted" && profile.unlisted === "stop")) {
      this.#count(route);
      ev.result = undefined;
      k.emit({ kind: "syscall", ...ev });
      k.deny(this.#denyMessage(k, t, ev, route));
      return;
    }
    if (route === "stub") {
      this.#finish(k, t, ev, (listed as { result: number }).result);
      return;
    }
    if (route === "unlisted") {
      this.#finish(k, t, ev, -ENOSYS);
      return;
    }
    if (!handler) {
      ev.route = "unimplemented";
      this.#finish(k, t, ev, -ENOSYS);
      return;
    }
    // A page touched past the memory limit throws OutOfMemory: the kernel kills the process.
    const r: SyscallResult = handler(k, t, args);
    if (r === NO_RESULT) {
      this.#count(ev.route);
      ev.result = undefined;
      k.emit({ kind: "syscall", ...ev });
      return;
    }
    if (isWait(r)) {
      // Blocked: try once more right away (it may already be satisfied),
      // else park the thread; the event completes when it resumes.
      const now = r.resume(false);
      if (now !== undefined) {
        this.#finish(k, t, ev, now);
        return;
      }
      ev.blocked = true;
      // An entry event lets the strace writer print `<unfinished ...>` when
      // other lines come out before this call completes.
      k.emit({ kind: "syscall", ...ev, entry: true });
      this.#pendingEvents.set(t.tid, ev);
      k.block(t, r, name);
      return;
    }
    this.#finish(k, t, ev, r);
  }

  #event(
    k: Kernel,
    t: Thread,
    nr: number,
    name: string,
    args: SyscallArgs,
    pc: number,
    route: Route,
  ): SyscallEvent {
    return {
      seq: 0,
      tid: t.tid,
      nr,
      name,
      args: args.raw(),
      result: undefined,
      route,
      pc,
      fn: k.symbols.lookup(pc)?.name ?? "",
      instret: k.instret,
      phase: this.phaseOf(k, t, pc, name),
      blocked: false,
    };
  }

  #count(route: Route): void {
    this.routes.set(route, (this.routes.get(route) ?? 0) + 1);
  }

  #finish(k: Kernel, t: Thread, ev: SyscallEvent, result: number): void {
    t.hart.setXNumber(10, result);
    ev.result = result;
    ev.seq = k.seq++;
    this.#count(ev.route);
    k.emit({ kind: "syscall", ...ev });
  }

  #resumed(k: Kernel, t: Thread, result: number): void {
    const ev = this.#pendingEvents.get(t.tid);
    if (!ev) return;
    this.#pendingEvents.delete(t.tid);
    ev.result = result;
    ev.seq = k.seq++;
    this.#count(ev.route);
    k.emit({ kind: "syscall", ...ev });
  }

  /** The one-line diagnostic for a refused syscall, with its arguments decoded as strace would. */
  #denyMessage(k: Kernel, t: Thread, ev: SyscallEvent, route: Route): string {
    const why = route === "deny" ? "denied by" : "not in";
    const call = callText(ev, decodeCall(k.tracee, ev));
    return `syscall ${ev.name} (${ev.nr}) ${why} profile '${this.profile.name}': thread ${t.tid}, ` +
      `pc ${k.symbols.where(ev.pc)}, instret ${ev.instret}: ${call}`;
  }
}

function runPrecompile(k: Kernel, nr: number, a: SyscallArgs): number {
  const mem = k.mem;
  if (nr === PRECOMPILE_KECCAKF) {
    const p = a.ptr(0);
    if (!mem.accessible(p, 200, "read") || !mem.accessible(p, 200, "write")) return -EFAULT;
    const bytes = mem.read(p, 200);
    const lanes = new BigUint64Array(bytes.buffer, 0, 25);
    keccakF1600(lanes);
    mem.write(p, bytes);
    return 0;
  }
  if (nr === PRECOMPILE_SHA256_COMPRESS) {
    const sp = a.ptr(0);
    const bp = a.ptr(1);
    if (!mem.accessible(sp, 32, "write") || !mem.accessible(bp, 64, "read")) return -EFAULT;
    const sb = mem.read(sp, 32);
    const state = new Uint32Array(sb.buffer, 0, 8);
    sha256Compress(state, mem.read(bp, 64));
    mem.write(sp, sb);
    return 0;
  }
  return -ENOSYS;
}
