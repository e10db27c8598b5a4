/**
 * Cost accounting for runs under the in-guest kernel: every retired
 * instruction is the program's (U-mode) or the kernel's (M-mode), and each
 * kernel episode (from a trap to the `mret` that returns to the program) is
 * charged to what caused it: the syscall number in a7, the timer, or a fault.
 * An episode that blocks the caller and switches to another thread is still
 * charged to the syscall that trapped; the switch itself is also measured on
 * its own through the kernel's phase markers (CSR zkphase).
 * @module
 */

import { syscallName } from "../kernel/syscalls.ts";

/** Count and distribution of the kernel instructions of one kind of episode. */
export interface CostSummary {
  /** Episodes. */
  count: number;
  /** Kernel instructions, all episodes. */
  total: number;
  /** Fewest instructions in one episode. */
  min: number;
  /** Median (the lower middle value for an even count). */
  median: number;
  /** Most instructions in one episode. */
  max: number;
}

/** Kernel phases the kernel marks with CSR zkphase (numbers as in guests/kernel/kernel.h). */
export const PHASE_NAMES: Readonly<Record<number, string>> = {
  1: "contextSwitch",
  2: "zeroFill",
  3: "signalDelivery",
  4: "boot",
};

/** The cost data of one run under the in-guest kernel (`--stats` JSON `guestKernel`). */
export interface GuestKernelStats {
  /** Instructions retired in U-mode (the program). */
  instretProgram: number;
  /** Instructions retired in M-mode (the kernel, including boot). */
  instretKernel: number;
  /** Kernel share of all instructions (0..1). */
  kernelShare: number;
  /** Kernel instructions before the program's first instruction. */
  boot: number;
  /**
   * Per cause: syscall names (`futex`, `mmap`, ... or `syscall_N` for numbers
   * without a name), `timer` (preemption interrupts) and `fault`; sorted by name.
   */
  kernelCost: Record<string, CostSummary>;
  /** Traps taken, by kind. */
  traps: { syscalls: number; timer: number; faults: number };
  /** Returns to a different thread than the one that trapped, and the instructions of the switch code. */
  contextSwitches: { count: number; instructions: number };
  /**
   * Instructions inside each marked kernel phase (nested phases count in
   * both): `contextSwitch` (saving and loading FP state, picking the next
   * thread), `zeroFill` (zeroing reused memory: the flat model's page-fault
   * cost), `signalDelivery` (building rt_sigframes), `boot`.
   */
  phases: Record<string, { count: number; instructions: number }>;
  /** Syscalls answered with -ENOSYS, by name (what the kernel is missing). */
  enosys: Record<string, number>;
  /** Host calls made by the kernel (and bytes moved). */
  hostCalls: Record<string, { count: number; bytes: number }>;
  /** Program instructions per thread id. */
  programByThread: Record<string, number>;
}

const ENOSYS = -38n;

/** Records episodes as the machine reports them; {@linkcode CostRecorder.summary} sums up. */
export class CostRecorder {
  #costs = new Map<string, number[]>();
  #inKernel = true;
  #kernelStart = 0;
  #label: string = "boot";
  #trapTid = 0;
  #programStart = 0;
  #program = 0;
  #boot = -1;
  #byTid = new Map<number, number>();
  #switches = 0;
  #phaseStack: [number, number][] = [];
  #phases = new Map<number, { count: number; instructions: number }>();
  #enosys = new Map<string, number>();
  #host = new Map<string, { count: number; bytes: number }>();
  #traps = { syscalls: 0, timer: 0, faults: 0 };
  #startInstret = 0;

  /** The machine starts (in M-mode) at `instret`. */
  start(instret: number): void {
    this.#startInstret = instret;
    this.#kernelStart = instret;
  }

  /** A trap from U-mode at `instret`, caused by syscall number `label` (or `timer`/`fault`). */
  trap(instret: number, label: number | string, tid: number, _arg1: number): void {
    const ran = instret - this.#programStart;
    this.#program += ran;
    this.#byTid.set(tid, (this.#byTid.get(tid) ?? 0) + ran);
    this.#inKernel = true;
    this.#kernelStart = instret;
    this.#trapTid = tid;
    if (typeof label === "number") {
      this.#traps.syscalls++;
      this.#label = syscallName(label);
    } else {
      if (label === "timer") this.#traps.timer++;
      else this.#traps.faults++;
      this.#label = label;
    }
  }

  /** `mret` to U-mode at `instret` (the mret counted), into thread `tid` whose a0 is `a0`. */
  resume(instret: number, tid: number, a0: bigint): void {
    const cost = instret - this.#kernelStart;
    if (this.#boot < 0) {
      this.#boot = cost;
    } else {
      let list = this.#costs.get(this.#label);
      if (!list) this.#costs.set(this.#label, list = []);
      list.push(cost);
      if (tid !== this.#trapTid) this.#switches++;
      else if (BigInt.asIntN(64, a0) === ENOSYS && this.#label !== "timer") {
        this.#enosys.set(this.#label, (this.#enosys.get(this.#label) ?? 0) + 1);
      }
    }
    this.#inKernel = false;
    this.#programStart = instret;
  }

  /** Kernel phase `id` opens at `instret`. */
  phaseStart(id: number, instret: number): void {
    this.#phaseStack.push([id, instret]);
  }

  /** The innermost open phase closes at `instret`. */
  phaseEnd(instret: number): void {
    const top = this.#phaseStack.pop();
    if (!top) return;
    const [id, start] = top;
    let p = this.#phases.get(id);
    if (!p) this.#phases.set(id, p = { count: 0, instructions: 0 });
    p.count++;
    p.instructions += instret - start;
  }

  /** A host call of `kind` moved `bytes`. */
  hostCall(kind: string, bytes: number): void {
    let h = this.#host.get(kind);
    if (!h) this.#host.set(kind, h = { count: 0, bytes: 0 });
    h.count++;
    h.bytes += bytes;
  }

  /** The totals at `instret` (the run's end): an open kernel episode counts as finished there. */
  summary(instret: number): GuestKernelStats {
    const costs = new Map([...this.#costs].map(([k, v]) => [k, [...v]]));
    let program = this.#program;
    const byTid = new Map(this.#byTid);
    let boot = this.#boot;
    if (this.#inKernel) {
      const cost = instret - this.#kernelStart;
      if (boot < 0) boot = cost;
      else {
        const list = costs.get(this.#label) ?? [];
        list.push(cost);
        costs.set(this.#label, list);
      }
    } else {
      const ran = instret - this.#programStart;
      program += ran;
    }
    const total = instret - this.#startInstret;
    const kernelCost: Record<string, CostSummary> = {};
    for (const name of [...costs.keys()].sort()) kernelCost[name] = summarize(costs.get(name)!);
    const phases: Record<string, { count: number; instructions: number }> = {};
    for (const [id, p] of [...this.#phases].sort((a, b) => a[0] - b[0])) {
      phases[PHASE_NAMES[id] ?? `phase${id}`] = { ...p };
    }
    const programByThread: Record<string, number> = {};
    for (const [tid, n] of [...byTid].sort((a, b) => a[0] - b[0])) {
      if (tid !== 0) programByThread[String(tid)] = n;
    }
    return {
      instretProgram: program,
      instretKernel: total - program,
      kernelShare: total > 0 ? (total - program) / total : 0,
      boot: Math.max(boot, 0),
      kernelCost,
      traps: { ...this.#traps },
      contextSwitches: {
        count: this.#switches,
        instructions: this.#phases.get(1)?.instructions ?? 0,
      },
      phases,
      enosys: Object.fromEntries([...this.#enosys].sort((a, b) => a[0] < b[0] ? -1 : 1)),
      hostCalls: Object.fromEntries(
        [...this.#host].sort((a, b) => a[0] < b[0] ? -1 : 1).map(([k, v]) => [k, { ...v }]),
      ),
      programByThread,
    };
  }
}

/** Count, total, min, median and max of `values`. */
export function summarize(values: readonly number[]): CostSummary {
  if (values.length === 0) return { count: 0, total: 0, min: 0, median: 0, max: 0 };
  const s = [...values].sort((a, b) => a - b);
  return {
    count: s.length,
    total: s.reduce((a, b) => a + b, 0),
    min: s[0],
    median: s[(s.length - 1) >> 1],
    max: s[s.length - 1],
  };
}
