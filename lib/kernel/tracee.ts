/**
 * The read-only view of a process that tracers get ({@linkcode TraceSource}):
 * memory as strace reads it, thread ids, a thread's a0 and signal mask.
 * Trace writers in `lib/trace/` see a process only through this interface.
 * @module
 */

import type { DecodeSource } from "../abi/decode.ts";
import type { GuestMemory } from "../memory/memory.ts";
import type { Thread } from "./thread.ts";

/** What trace writers see of a traced process. */
export interface TraceSource extends DecodeSource {
  /** The process id. */
  readonly pid: number;
  /** True once the process has ended (exited, killed, stopped). */
  readonly ended: boolean;
  /** Ids of every thread created so far, in creation order. */
  threadIds(): readonly number[];
  /** Register a0 of thread `tid` now, as a signed value (what rt_sigreturn restored). */
  a0Of(tid: number): number | undefined;
}

/** The process state a {@linkcode Tracee} reads. */
export interface TraceeState {
  /** The address space. */
  readonly mem: GuestMemory;
  /** The process id. */
  readonly pid: number;
  /** Every thread, in creation order. */
  readonly threads: readonly Thread[];
  /** Set when the process has ended. */
  readonly end: unknown;
}

/** {@linkcode TraceSource} over a kernel's process. */
export class Tracee implements TraceSource {
  readonly #p: TraceeState;

  /** Views process `p`. */
  constructor(p: TraceeState) {
    this.#p = p;
  }

  /** The process id. */
  get pid(): number {
    return this.#p.pid;
  }

  /** True once the process has ended. */
  get ended(): boolean {
    return this.#p.end !== undefined;
  }

  /** Ids of every thread created so far. */
  threadIds(): readonly number[] {
    return this.#p.threads.map((t) => t.tid);
  }

  /** a0 of thread `tid`. */
  a0Of(tid: number): number | undefined {
    const t = this.#p.threads.find((x) => x.tid === tid);
    return t && Number(BigInt.asIntN(64, t.hart.getX(10)));
  }

  /** The signal mask of thread `tid` (empty for an unknown thread). */
  sigmaskOf(tid: number): bigint {
    return this.#p.threads.find((x) => x.tid === tid)?.sigmask ?? 0n;
  }

  /**
   * Reads like `mem.read`, but pages of anonymous mappings the guest never
   * touched read as zeros without being backed, so tracing does not change
   * the memory statistics. Throws MemoryFault for unreadable memory.
   */
  peek(addr: number, len: number): Uint8Array {
    const mem = this.#p.mem;
    const out = new Uint8Array(len);
    let at = 0;
    while (at < len) {
      const a = addr + at;
      const n = Math.min(4096 - (a % 4096), len - at);
      const m = mem.mappingAt(a);
      const untouched = m !== undefined && !m.file && (m.prot & 1) !== 0 &&
        mem.residency(a - (a % 4096), 4096)[0] === 0;
      if (!untouched) out.set(mem.read(a, n), at);
      at += n;
    }
    return out;
  }
}
