/**
 * The machine under an in-guest kernel: RISC-V M/U privilege, the M-mode CSRs
 * (mstatus, mtvec, mepc, mcause, mtval, mscratch, mie, mip, minstret, misa,
 * mhartid) and `mret`, an instruction-count timer, the host calls of a bare
 * zkVM, and the accounting that splits retired instructions into program
 * (U-mode) and kernel (M-mode).
 *
 * The CPU core needs no change for this: it stops with STOP_ILLEGAL on any
 * CSR it does not know and on `mret`, and with STOP_ECALL on every ECALL.
 * {@linkcode Machine.run} drives `cpu.run` and handles those stops here, out
 * of the hot loop: an M-mode CSR instruction or `mret` is emulated and counted
 * as one retired instruction; the same instruction in U-mode is an illegal
 * instruction trap.
 *
 * zkabi's custom machine CSRs (in the custom read/write range 0x7c0-0x7ff):
 *
 * | CSR | name | meaning |
 * |---|---|---|
 * | 0x7c0 | zktimecmp | the M timer interrupt is pending while `minstret >= zktimecmp` |
 * | 0x7c1 | zkphase | write N > 0 to open cost phase N, 0 to close the innermost (accounting only) |
 *
 * Host calls (ECALL in M-mode, number in a7):
 *
 * | a7 | call | arguments | result |
 * |---|---|---|---|
 * | 0x7a6b0000 | halt | a0 exit status, a1 reason (0 exit, 1 signal, 2 deadlock, 3 panic) | - |
 * | 0x7a6b0001 | read input | a0 buffer, a1 length | a0 bytes copied (0 at the end) |
 * | 0x7a6b0002 | write output | a0 stream (1 stdout, 2 stderr), a1 buffer, a2 length | a0 length |
 * @module
 */

import type { Hart } from "../cpu/hart.ts";
import {
  type Cpu,
  STOP_EBREAK,
  STOP_ECALL,
  STOP_FAULT,
  STOP_ILLEGAL,
  STOP_LIMIT,
  STOP_MISALIGNED,
} from "../cpu/interpreter.ts";
import { type GuestMemory, hex64, MemoryFault } from "../memory/memory.ts";
import { CostRecorder } from "./cost.ts";

/** Host call: halt with exit status a0. */
export const HOST_HALT = 0x7a6b0000;
/** Host call: read up to a1 bytes of the input stream to a0. */
export const HOST_READ_INPUT = 0x7a6b0001;
/** Host call: write a2 bytes at a1 to output stream a0. */
export const HOST_WRITE_OUTPUT = 0x7a6b0002;

/** Halt reasons (a1 of {@linkcode HOST_HALT}). */
export const HALT_EXIT = 0;
/** The process was killed by signal (a0 - 128). */
export const HALT_SIGNAL = 1;
/** Every thread blocked forever. */
export const HALT_DEADLOCK = 2;
/** The kernel gave up (its message is on stderr). */
export const HALT_PANIC = 3;

/** Custom CSR: timer compare, in retired instructions. */
export const CSR_ZKTIMECMP = 0x7c0;
/** Custom CSR: cost phase marker. */
export const CSR_ZKPHASE = 0x7c1;

/** Privilege levels. */
export const PRIV_U = 0;
/** Machine mode. */
export const PRIV_M = 3;

const CSR_MSTATUS = 0x300;
const CSR_MISA = 0x301;
const CSR_MIE = 0x304;
const CSR_MTVEC = 0x305;
const CSR_MSCRATCH = 0x340;
const CSR_MEPC = 0x341;
const CSR_MCAUSE = 0x342;
const CSR_MTVAL = 0x343;
const CSR_MIP = 0x344;
const CSR_MCYCLE = 0xb00;
const CSR_MINSTRET = 0xb02;
const CSR_MHARTID = 0xf14;

const MSTATUS_MIE = 1n << 3n;
const MSTATUS_MPIE = 1n << 7n;
const MSTATUS_MPP = 3n << 11n;
const MIP_MTIP = 1n << 7n;
/** mcause of the M timer interrupt. */
export const CAUSE_TIMER: bigint = (1n << 63n) | 7n;

const MRET = 0x30200073;
const WFI = 0x10500073;
const U64 = (1n << 64n) - 1n;

/** Offset of the thread id in the kernel's save area (struct thread), read for per-thread counts. */
export const TID_OFFSET = 520;

/** How the machine stopped. */
export type MachineEnd =
  | { kind: "halt"; status: number; reason: number }
  | { kind: "limit"; instret: number }
  | { kind: "error"; message: string };

/** What the machine needs from the outside. */
export interface MachineIo {
  /** The input stream (`read input`). */
  input: Uint8Array;
  /** Receives `write output` bytes per stream (1 stdout, 2 stderr). */
  output: (stream: number, bytes: Uint8Array) => void;
}

/**
 * One hart with the M/U privilege split, running a kernel in M-mode and the
 * program in U-mode, with cost accounting.
 */
export class Machine {
  /** The CPU core. */
  readonly cpu: Cpu;
  /** The hart. */
  readonly hart: Hart;
  /** The address space. */
  readonly mem: GuestMemory;
  /** Current privilege ({@linkcode PRIV_M} or {@linkcode PRIV_U}). */
  priv: number = PRIV_M;
  /** Machine CSRs by number (the ones emulated here). */
  readonly csrs: Map<number, bigint> = new Map();
  /** Cost accounting. */
  readonly cost: CostRecorder = new CostRecorder();
  /** Set once the machine halted or failed. */
  end: MachineEnd | undefined;

  readonly #io: MachineIo;
  #inputAt = 0;

  /** Creates the machine with the hart in M-mode (pc set by the caller). */
  constructor(cpu: Cpu, hart: Hart, io: MachineIo) {
    this.cpu = cpu;
    this.hart = hart;
    this.mem = cpu.mem;
    this.#io = io;
    for (
      const c of [CSR_MSTATUS, CSR_MIE, CSR_MTVEC, CSR_MSCRATCH, CSR_MEPC, CSR_MCAUSE, CSR_MTVAL]
    ) this.csrs.set(c, 0n);
    this.csrs.set(CSR_ZKTIMECMP, U64);
    // RV64 with I, M, A, F, D, C, S... only what is there: IMAFDC + U.
    const ext = "IMAFDCU".split("").reduce(
      (m, ch) => m | (1n << BigInt(ch.charCodeAt(0) - 65)),
      0n,
    );
    this.csrs.set(CSR_MISA, (2n << 62n) | ext);
    this.cost.start(hart.instret);
  }

  /** Bytes of the input stream consumed so far. */
  get inputConsumed(): number {
    return this.#inputAt;
  }

  /** Runs until halt, error, or `maxInsns` retired instructions in total. */
  run(maxInsns: number): MachineEnd {
    const h = this.hart;
    const cpu = this.cpu;
    while (!this.end) {
      const left = maxInsns - h.instret;
      if (left <= 0) {
        this.end = { kind: "limit", instret: h.instret };
        break;
      }
      let budget = Math.min(left, 1 << 24);
      if (this.#timerEnabled()) {
        const cmp = this.csrs.get(CSR_ZKTIMECMP)!;
        const until = cmp >= U64 ? Infinity : Number(cmp) - h.instret;
        if (until <= 0) {
          this.#trap(CAUSE_TIMER, 0);
          continue;
        }
        budget = Math.min(budget, until);
      }
      const stop = cpu.run(h, budget);
      switch (stop) {
        case STOP_LIMIT:
          break;
        case STOP_ECALL:
          if (this.priv === PRIV_U) this.#trap(8n, 0);
          else this.#hostCall();
          break;
        case STOP_ILLEGAL:
          this.#illegal(cpu.illegalWord >>> 0);
          break;
        case STOP_EBREAK:
          if (this.priv === PRIV_U) this.#trap(3n, h.pc);
          else this.#fail(`ebreak in the kernel at 0x${h.pc.toString(16)}`);
          break;
        case STOP_FAULT:
        case STOP_MISALIGNED: {
          const f = cpu.fault!;
          if (this.priv === PRIV_M) {
            this.#fail(
              `kernel ${f.kind} fault at 0x${hex64(f.address)}, pc 0x${h.pc.toString(16)}`,
            );
            break;
          }
          let cause: bigint;
          if (stop === STOP_MISALIGNED) cause = f.kind === "write" ? 6n : 4n;
          else if (f.kind === "fetch") cause = f.reason === "unmapped" ? 12n : 1n;
          else if (f.kind === "write") cause = f.reason === "unmapped" ? 15n : 7n;
          else cause = f.reason === "unmapped" ? 13n : 5n;
          this.#trap(cause, f.address);
          break;
        }
      }
    }
    return this.end!;
  }

  /** The M timer interrupt can be taken now (pending or not). */
  #timerEnabled(): boolean {
    if ((this.csrs.get(CSR_MIE)! & MIP_MTIP) === 0n) return false;
    return this.priv === PRIV_U || (this.csrs.get(CSR_MSTATUS)! & MSTATUS_MIE) !== 0n;
  }

  #fail(message: string): void {
    this.end = { kind: "error", message };
  }

  /** Takes a trap into M-mode: mepc = pc, mcause, mtval; MPP, MPIE, MIE as the spec says. */
  #trap(cause: bigint, tval: number): void {
    const h = this.hart;
    const c = this.csrs;
    const fromU = this.priv === PRIV_U;
    if (!fromU) {
      this.#fail(`trap in the kernel (mcause ${cause}) at 0x${h.pc.toString(16)}`);
      return;
    }
    c.set(CSR_MEPC, BigInt(h.pc));
    c.set(CSR_MCAUSE, cause);
    c.set(CSR_MTVAL, BigInt.asUintN(64, BigInt(tval)));
    let ms = c.get(CSR_MSTATUS)!;
    ms = (ms & ~MSTATUS_MPP) | (BigInt(this.priv) << 11n);
    ms = (ms & MSTATUS_MIE) !== 0n ? ms | MSTATUS_MPIE : ms & ~MSTATUS_MPIE;
    ms &= ~MSTATUS_MIE;
    c.set(CSR_MSTATUS, ms);
    this.priv = PRIV_M;
    const label = cause === 8n ? h.getXNumber(17) : cause === CAUSE_TIMER ? "timer" : `fault`;
    this.cost.trap(h.instret, label, this.#threadId(), h.getXNumber(11));
    h.pc = Number(c.get(CSR_MTVEC)! & ~3n);
  }

  /** The tid of the thread whose save area mscratch points at (0 when unknown). */
  #threadId(): number {
    const ctx = Number(this.csrs.get(CSR_MSCRATCH)!);
    if (ctx === 0) return 0;
    try {
      return this.mem.readU64Number(ctx + TID_OFFSET);
    } catch {
      return 0;
    }
  }

  #illegal(w: number): void {
    const h = this.hart;
    if (this.priv !== PRIV_M) {
      this.#trap(2n, w);
      return;
    }
    if (w === MRET) {
      h.instret++;
      this.#mret();
      return;
    }
    if (w === WFI) {
      h.instret++;
      h.pc += 4;
      return;
    }
    const funct3 = (w >>> 12) & 7;
    if ((w & 0x7f) !== 0x73 || funct3 === 0 || funct3 === 4) {
      this.#fail(`illegal instruction 0x${w.toString(16)} in the kernel at 0x${h.pc.toString(16)}`);
      return;
    }
    const csr = w >>> 20;
    const rd = (w >>> 7) & 31;
    const rs1 = (w >>> 15) & 31;
    const old = this.#readCsr(csr);
    if (old === undefined) {
      this.#fail(`unknown CSR 0x${csr.toString(16)} at 0x${h.pc.toString(16)}`);
      return;
    }
    const src = funct3 >= 5 ? BigInt(rs1) : BigInt.asUintN(64, h.getX(rs1));
    const kind = funct3 & 3; // 1 write, 2 set, 3 clear
    const writes = kind === 1 || rs1 !== 0;
    // The instruction retires before a phase marker takes effect, so it counts in its phase.
    h.instret++;
    if (writes) {
      const v = kind === 1 ? src : kind === 2 ? old | src : old & ~src;
      this.#writeCsr(csr, v);
    }
    h.setX(rd, old);
    h.pc += 4;
  }

  #readCsr(csr: number): bigint | undefined {
    switch (csr) {
      case CSR_MINSTRET:
      case CSR_MCYCLE:
        return BigInt(this.hart.instret);
      case CSR_MHARTID:
        return 0n;
      case CSR_MIP:
        return BigInt(this.hart.instret) >= this.csrs.get(CSR_ZKTIMECMP)! ? MIP_MTIP : 0n;
      case CSR_ZKPHASE:
        return 0n;
      default:
        return this.csrs.get(csr);
    }
  }

  #writeCsr(csr: number, v: bigint): void {
    switch (csr) {
      case CSR_ZKPHASE:
        if (v === 0n) this.cost.phaseEnd(this.hart.instret);
        else this.cost.phaseStart(Number(v), this.hart.instret);
        return;
      case CSR_MISA:
      case CSR_MHARTID:
      case CSR_MIP:
      case CSR_MINSTRET:
      case CSR_MCYCLE:
        return;
      case CSR_MSTATUS:
        this.csrs.set(csr, v & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP));
        return;
      default:
        this.csrs.set(csr, v);
    }
  }

  /** mret: back to mepc at MPP's privilege; MIE = MPIE, MPIE = 1, MPP = U. */
  #mret(): void {
    const c = this.csrs;
    let ms = c.get(CSR_MSTATUS)!;
    const mpp = Number((ms & MSTATUS_MPP) >> 11n);
    ms = (ms & MSTATUS_MPIE) !== 0n ? ms | MSTATUS_MIE : ms & ~MSTATUS_MIE;
    ms |= MSTATUS_MPIE;
    ms &= ~MSTATUS_MPP;
    c.set(CSR_MSTATUS, ms);
    this.priv = mpp === PRIV_M ? PRIV_M : PRIV_U;
    this.hart.pc = Number(c.get(CSR_MEPC)!);
    if (this.priv === PRIV_U) {
      this.cost.resume(this.hart.instret, this.#threadId(), this.hart.getX(10));
    }
  }

  #hostCall(): void {
    const h = this.hart;
    const nr = h.getXNumber(17);
    h.pc += 4;
    try {
      switch (nr) {
        case HOST_HALT:
          this.cost.hostCall("halt", 0);
          this.end = { kind: "halt", status: h.getXNumber(10) & 255, reason: h.getXNumber(11) };
          return;
        case HOST_READ_INPUT: {
          const buf = h.getXNumber(10);
          const len = h.getXNumber(11);
          const n = Math.max(0, Math.min(len, this.#io.input.length - this.#inputAt));
          if (n > 0) this.mem.write(buf, this.#io.input.subarray(this.#inputAt, this.#inputAt + n));
          this.#inputAt += n;
          this.cost.hostCall("readInput", n);
          h.setXNumber(10, n);
          return;
        }
        case HOST_WRITE_OUTPUT: {
          const stream = h.getXNumber(10);
          const len = h.getXNumber(12);
          const bytes = len > 0 ? this.mem.read(h.getXNumber(11), len) : new Uint8Array(0);
          this.#io.output(stream, bytes);
          this.cost.hostCall("writeOutput", len);
          h.setXNumber(10, len);
          return;
        }
        default:
          this.#fail(`unknown host call a7=0x${nr.toString(16)} at 0x${(h.pc - 4).toString(16)}`);
      }
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
      this.#fail(`host call 0x${nr.toString(16)}: ${e.message}`);
    }
  }
}
