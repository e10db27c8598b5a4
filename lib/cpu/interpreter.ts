/**
 * The CPU: runs one hart until an instruction budget is spent or an event
 * (ECALL, EBREAK, illegal instruction, memory fault) needs the kernel.
 *
 * Three tiers, all exact to the instruction and all giving the same results:
 * - the JavaScript interpreter (`Cpu.jit = false`, `--engine interp`; and the
 *   cold tier of the JavaScript backend): a `switch` over decoded ops;
 * - the WebAssembly engine (default): the WebAssembly interpreter
 *   (`wasm_interp.ts`) runs cold code and calls compiled regions, which
 *   `jit_wasm.ts` compiles from hot code;
 * - the JavaScript backend (`Cpu.backend = "js"`): regions compiled to
 *   JavaScript by `jit.ts`, dispatched from here.
 *
 * A region is found around a jump target that got hot (arrivals counted at
 * jump targets and at both successors of branches, in the decode cache's
 * heat counters): the blocks that have run, reachable through
 * fall-throughs, branches, jumps and the return points of calls, that no
 * other region holds yet (regions chain to each other instead).
 *
 * The JavaScript interpreter's hot-loop design:
 * - Instructions are decoded once per code page slot into the decode cache
 *   (packed word and immediate side by side); a page's slots decode lazily.
 * - The pc lives as (page base, offset in page) so sequential flow and short
 *   branches stay in int32 arithmetic.
 * - Registers are Int32 lo/hi pairs; x0 reads as zero because every write to
 *   it goes to a sink register.
 * - Loads and stores check the software TLB inline and fall back to
 *   `GuestMemory` on a miss.
 * - `switch` cases are numeric literals so V8 emits a jump table; the op
 *   names are in `ops.ts` (a test checks each `case N: // NAME`).
 *
 * Every retired instruction is counted exactly: `n` counts up per
 * instruction, and one that faults is not counted.
 * @module
 */

import { aluRare } from "./alu.ts";
import { decode, type Decoded } from "./decode.ts";
import { regionKey, type RegionStore } from "./region_store.ts";
import { executeFp } from "./fpu.ts";
import {
  FP_INT_DEST,
  FP_INT_SRC,
  insnLength,
  isBlockBarrier,
  isBlockEnd,
  type RegionBlock,
  regionSource,
} from "./jit.ts";
import { isWasmBarrier, WASM_STATE, wasmRegion } from "./jit_wasm.ts";
import { CODE_HEAT, CODE_SLOT, CODE_TLB, interpreterModule } from "./wasm_interp.ts";
import type { Hart } from "./hart.ts";
import { mul64, R } from "./int64.ts";
import { type GuestMemory, MemoryFault, PAGE_SIZE } from "../memory/memory.ts";
import { shl, shr } from "./int64.ts";

/** The budget ran out. */
export const STOP_LIMIT = 0;
/** An ECALL: `hart.pc` is the ECALL's address. */
export const STOP_ECALL = 1;
/** An EBREAK: `hart.pc` is its address. */
export const STOP_EBREAK = 2;
/** An illegal instruction: `hart.pc` is its address, {@linkcode Cpu.illegalWord} its bits. */
export const STOP_ILLEGAL = 3;
/** A memory fault: {@linkcode Cpu.fault} says where; `hart.pc` is the faulting instruction. */
export const STOP_FAULT = 4;
/** A misaligned atomic access (SIGBUS): {@linkcode Cpu.fault} holds the address. */
export const STOP_MISALIGNED = 5;
/** Internal: the interpreter reached a hot or compiled jump target (`hart.pc`). */
const STOP_HOT = 6;

const TWO32 = 4294967296;
/** Offset value meaning "the next pc is far away: take it from farPc". */
const FAR = 0x40000000;
const SLOTS = PAGE_SIZE / 2;

/** Decoded instructions of one code page. */
interface CodePage {
  base: number;
  /** Byte offset of the page's decode-cache slot in the arena. */
  slot: number;
  /** Per 2-byte slot i: [2i] the decoded word (0: not decoded yet), [2i+1] its immediate. */
  code: Int32Array;
  /**
   * Per slot: how often control transfers landed there (for the compiled
   * tier's hotness), HEAT_COMPILED when a compiled block starts there, or
   * HEAT_NEVER when none can.
   */
  heat: Int32Array;
}

/** Heat mark: a compiled block starts at this slot. */
const HEAT_COMPILED = -1;
/** Heat mark: no block can be compiled at this slot. */
const HEAT_NEVER = -2;

/** A compiled region's function: runs from block `b` within budget `lim`, returns the next pc. */
type RegionFn = (c: RegionContext, b: number, lim: number) => number;

/** A compiled region. */
interface Region {
  /** Its function. */
  fn: RegionFn;
  /** Code pages its instructions occupy (for invalidation). */
  pages: number[];
  /** Entry points it registered. */
  entries: Entry[];
}

/** A compiled WebAssembly region: `(b, n, lim) => stop` (see `jit_wasm.ts`). */
type WasmFn = (b: number, n: number, lim: number) => number;

/** A place compiled code can be entered: a block start of a region. */
interface Entry {
  /** Guest address. */
  pc: number;
  /** The region's function (JavaScript backend). */
  fn: RegionFn;
  /** The region's function (WebAssembly backend). */
  wfn: WasmFn;
  /** Its index in the function table (WebAssembly backend). */
  idx: number;
  /** Block index within the region. */
  b: number;
}

/** What compiled regions see and report through. */
interface RegionContext {
  /** The running hart. */
  h: Hart;
  /** Instructions the last call retired (before the faulting one, on a fault). */
  n: number;
  /** Address of the faulting instruction, after a fault. */
  fpc: number;
  /** STOP_* code of an event that ended the call, or 0. */
  stop: number;
}

/** Arrivals at a jump target before the region there is compiled. */
const HOT = 10000;
/** Longest block. */
const MAX_BLOCK = 64;
/** Most blocks in one region. */
const MAX_REGION_BLOCKS = 64;
/** Most instructions in one region. */
const MAX_REGION_INSNS = 1024;
/** Entries of the direct-mapped pc → entry cache (a power of two). */
const CACHE_SIZE = 4096;

/** Placeholder function of an entry of the other backend. */
function noRegion(): number {
  throw new Error("not a JavaScript region");
}

/** Placeholder function of an entry of the other backend. */
function noWasmRegion(): number {
  throw new Error("not a WebAssembly region");
}

/** Counters of the compiled tier. */
export interface CpuStats {
  /** Calls from JavaScript into the WebAssembly interpreter (WebAssembly backend). */
  dispatches: number;
  /** Bytes of generated code (WebAssembly bytes or JavaScript source). */
  codeBytes: number;
  /** Milliseconds spent finding, generating and compiling regions. */
  compileMs: number;
  /** Regions whose module came from {@linkcode Cpu.regionStore} instead of the generator. */
  regionsLoaded: number;
}

/** Reads a CSR for the interpreter; returns undefined for an unknown CSR. */
export type CsrReader = (h: Hart, csr: number, retired: number) => number | undefined;

/**
 * One address space's execution engine: the decode cache and the loop.
 * Harts of the same process share one `Cpu` (and so one decode cache).
 */
export class Cpu {
  /** The address space the harts run in. */
  readonly mem: GuestMemory;
  /** Details of the last STOP_FAULT / STOP_MISALIGNED. */
  fault: MemoryFault | undefined;
  /** The raw bits of the last illegal instruction. */
  illegalWord = 0;
  /**
   * Value of the `time` CSR (rdtime) given the hart and its retired count;
   * the kernel installs its virtual clock here.
   */
  timeCsr: (h: Hart, retired: number) => number = (_h, retired) => retired;

  /** Use the compiled tier for hot code (the interpreter alone when false). */
  jit = true;
  /** Code generator of the compiled tier (set before the first run). */
  backend: "js" | "wasm" = "wasm";
  /** Arrivals at a jump target before its region is compiled (0: compile at first sight). */
  hotThreshold: number = HOT;
  /** Bumped whenever decoded code is invalidated; compiled code watches it. */
  codeGen = 0;
  /** Blocks compiled so far (over all regions). */
  compiledBlocks = 0;
  /** Regions compiled so far. */
  compiledRegions = 0;
  /** Compile at most this many regions (bisecting a compiled-tier bug). */
  compileLimit: number = Infinity;
  /** Counters of the compiled tier (for tuning and the bench). */
  readonly stats: CpuStats = {
    dispatches: 0,
    codeBytes: 0,
    compileMs: 0,
    regionsLoaded: 0,
  };
  /** Receives the source of each compiled region (debugging). */
  onCompile: ((pc: number, source: string) => void) | undefined;
  /** WebAssembly backend: regions compiled by earlier runs (their module bytes), when set. */
  regionStore: RegionStore | undefined;
  /**
   * Executions per decoded op, when set (index `op`, plus 256 for the
   * compressed forms): the interpreter counts every instruction it
   * dispatches. Only the interpreter counts, so set `jit` false with it.
   */
  opCounts: Float64Array | undefined;

  #pages = new Map<number, CodePage>();
  /** Slots of invalidated pages, reused for new ones. */
  #freeSlots: number[] = [];
  #out: Decoded = { word: 0, imm: 0 };
  /** Compiled entry points by address. */
  #entries = new Map<number, Entry>();
  /** Direct-mapped cache in front of #entries, indexed by (pc >>> 1) & (CACHE_SIZE - 1). */
  #cache: (Entry | undefined)[] = new Array(CACHE_SIZE).fill(undefined);
  #regionsByPage = new Map<number, Set<Region>>();
  #ctx: RegionContext;
  #env: Record<string, unknown>;
  /** WebAssembly backend: the register file in the state memory (x[i] at [2i], [2i+1]). */
  #sregs: Int32Array;
  /** WebAssembly backend: control words (n at [0], pc at [2..3], val at [4..5]). */
  #sctl: Int32Array;
  /** WebAssembly backend: the dispatch cache ([pc lo, pc hi, table index, block] per entry). */
  #dcache: Int32Array;
  /** WebAssembly backend: the function table shared by every region. */
  #table: WebAssembly.Table | undefined;
  /** WebAssembly backend: imports of every region module. */
  #imports: WebAssembly.ModuleImports | undefined;
  /** WebAssembly backend: the code TLB of the WebAssembly interpreter (tags, then slot offsets). */
  #ctlbTags: Int32Array;
  #ctlbSlots: Int32Array;
  #ctlbFrames: Int32Array;
  /** WebAssembly backend: the interpreter's entry, made on first use. */
  #interp: ((lim: number, hot: number, jumped: number) => number) | undefined;
  /** WebAssembly backend: the hart the interpreter runs (for the `slow` import). */
  #hart: Hart | undefined;

  /** Creates an engine over `mem` and registers for code invalidation. */
  constructor(mem: GuestMemory) {
    this.mem = mem;
    mem.onCodeInvalidate = (vpn) => this.#invalidate(vpn);
    this.#ctx = { h: undefined as unknown as Hart, n: 0, fpc: 0, stop: 0 };
    this.#env = { mem, cpu: this, mul64, R, aluRare, executeFp };
    const buf = mem.state.buffer;
    this.#sregs = new Int32Array(buf, WASM_STATE.regs, 66);
    this.#sctl = new Int32Array(buf, WASM_STATE.n, 6);
    this.#dcache = new Int32Array(buf, WASM_STATE.dcache, 4 * WASM_STATE.dcacheEntries).fill(-1);
    this.#ctlbTags = new Int32Array(buf, CODE_TLB.tags, 2 * CODE_TLB.entries).fill(0x800);
    this.#ctlbSlots = new Int32Array(buf, CODE_TLB.slots, CODE_TLB.entries);
    this.#ctlbFrames = new Int32Array(buf, CODE_TLB.frames, CODE_TLB.entries);
  }

  /** The imports of region modules, made on first use. */
  #wasmImports(): WebAssembly.ModuleImports {
    if (this.#imports) return this.#imports;
    const mem = this.mem;
    const ctl = this.#sctl;
    const fault = (e: unknown): number => {
      if (!(e instanceof MemoryFault)) throw e;
      this.fault = e;
      return 1;
    };
    this.#table = new WebAssembly.Table({ element: "anyfunc", initial: 0 });
    this.#imports = {
      ld: (lo: number, hi: number, size: number): number => {
        try {
          mem.loadSlow(lo, hi, size);
        } catch (e) {
          return fault(e);
        }
        ctl[4] = mem.vlo;
        ctl[5] = mem.vhi;
        return 0;
      },
      st: (lo: number, hi: number, size: number, vl: number, vh: number): number => {
        const gen = this.codeGen;
        try {
          mem.storeSlow(lo, hi, size, vl, vh);
        } catch (e) {
          return fault(e);
        }
        return this.codeGen !== gen ? 2 : 0;
      },
      amo: (op: number, lo: number, hi: number, bl: number, bh: number): number => {
        if ((lo & (op >= 85 ? 7 : 3)) !== 0) {
          this.misaligned(lo, hi, op === 75 || op === 86);
          return 3;
        }
        const gen = this.codeGen;
        try {
          this.atomic(op, lo, hi, bl, bh);
        } catch (e) {
          return fault(e);
        }
        ctl[4] = R[0];
        ctl[5] = R[1];
        return this.codeGen !== gen ? 2 : 0;
      },
      arena: mem.arena,
      table: this.#table,
    };
    return this.#imports;
  }

  /** Copies the hart's integer registers into the state memory's register file. */
  #syncIn(h: Hart): void {
    const s = this.#sregs;
    const xl = h.xl;
    const xh = h.xh;
    for (let i = 1; i < 32; i++) {
      s[2 * i] = xl[i];
      s[2 * i + 1] = xh[i];
    }
  }

  /** Copies the state memory's register file back into the hart. */
  #syncOut(h: Hart): void {
    const s = this.#sregs;
    const xl = h.xl;
    const xh = h.xh;
    for (let i = 1; i < 32; i++) {
      xl[i] = s[2 * i];
      xh[i] = s[2 * i + 1];
    }
  }

  /** Makes the WebAssembly dispatch cache send `pc` to entry `e`. */
  #dcachePut(e: Entry): void {
    const i = 4 * ((e.pc >>> 1) & (WASM_STATE.dcacheEntries - 1));
    const d = this.#dcache;
    d[i] = e.pc | 0;
    d[i + 1] = Math.floor(e.pc / TWO32) | 0;
    d[i + 2] = e.idx;
    d[i + 3] = e.b;
  }

  /** Number of code pages with decoded instructions. */
  get decodedPages(): number {
    return this.#pages.size;
  }

  #invalidate(vpn: number): void {
    this.codeGen++;
    const regions = this.#regionsByPage.get(vpn);
    if (regions) {
      for (const r of [...regions]) this.#drop(r);
      this.#cache.fill(undefined);
      this.#dcache.fill(-1);
    }
    const page = this.#pages.get(vpn);
    if (page) {
      page.code.fill(0);
      this.#pages.delete(vpn);
      this.#freeSlots.push(page.slot);
      const t = vpn & (CODE_TLB.entries - 1);
      if (this.#ctlbTags[2 * t] === ((vpn * PAGE_SIZE) | 0)) this.#ctlbTags[2 * t] = 0x800;
    }
    // A 32-bit instruction in the previous page's last slot may reach into this page.
    const prev = this.#pages.get(vpn - 1);
    if (prev) prev.code[2 * (SLOTS - 1)] = 0;
  }

  /** Forgets a region: its entry points and its page registrations. */
  #drop(r: Region): void {
    for (const e of r.entries) if (this.#entries.get(e.pc) === e) this.#entries.delete(e.pc);
    for (const v of r.pages) this.#regionsByPage.get(v)?.delete(r);
  }

  #pageFor(pc: number): CodePage {
    const vpn = Math.floor(pc / PAGE_SIZE);
    let page = this.#pages.get(vpn);
    if (!page) {
      this.mem.fetchPage(pc);
      const slot = this.#takeSlot();
      page = this.#views(vpn * PAGE_SIZE, slot);
      this.#pages.set(vpn, page);
    }
    return page;
  }

  /** A zeroed decode-cache slot in the arena (fresh arena memory is zero: untouched). */
  #takeSlot(): number {
    const reused = this.#freeSlots.pop();
    if (reused === undefined) return this.mem.allocPrivate(CODE_SLOT);
    this.mem.u8.fill(0, reused, reused + CODE_SLOT);
    return reused;
  }

  #views(base: number, slot: number): CodePage {
    const buf = this.mem.arena.buffer;
    return {
      base,
      slot,
      code: new Int32Array(buf, slot, 2 * SLOTS),
      heat: new Int32Array(buf, slot + CODE_HEAT, SLOTS),
    };
  }

  /** Decodes slot `i` of `page`; returns the packed word. */
  #decodeAt(page: CodePage, i: number): number {
    const mem = this.mem;
    const addr = page.base + 2 * i;
    const off = mem.fetchPage(addr) + 2 * i;
    let inst = mem.u8[off] | (mem.u8[off + 1] << 8);
    if ((inst & 3) === 3) {
      if (i < SLOTS - 1) {
        inst |= (mem.u8[off + 2] | (mem.u8[off + 3] << 8)) << 16;
      } else {
        const next = mem.fetchPage(addr + 2);
        inst |= (mem.u8[next] | (mem.u8[next + 1] << 8)) << 16;
      }
    }
    const out = this.#out;
    decode(inst, out);
    page.code[2 * i] = out.word;
    page.code[2 * i + 1] = out.imm;
    return out.word;
  }

  /** Returns the raw instruction bits at `pc` (for diagnostics). */
  instructionAt(pc: number): number {
    const lo = this.mem.read(pc, 2);
    const half = lo[0] | (lo[1] << 8);
    if ((half & 3) !== 3) return half;
    const hi = this.mem.read(pc + 2, 2);
    return (half | ((hi[0] | (hi[1] << 8)) << 16)) >>> 0;
  }

  /**
   * Runs `h` for at most `limit` instructions. Returns a STOP_* code; the
   * hart's pc and instret are up to date on return.
   */
  run(h: Hart, limit: number): number {
    if (!this.jit) return this.#exec(h, limit);
    if (this.backend === "wasm") return this.#runWasm(h, limit);
    const c = this.#ctx;
    c.h = h;
    const cache = this.#cache;
    let n = 0;
    // Where a run starts (after a syscall, a preemption, a signal) counts as an arrival too.
    let fromCompiled = true;
    while (n < limit) {
      const pc = h.pc;
      const slot = (pc >>> 1) & (CACHE_SIZE - 1);
      let e = cache[slot];
      if (e === undefined || e.pc !== pc) {
        e = this.#entries.get(pc);
        // Where compiled code leads (a fall-through or jump target), heat counts too.
        if (e === undefined && (fromCompiled || this.hotThreshold === 0) && this.#bump(pc)) {
          e = this.#entries.get(pc);
        }
        if (e !== undefined) cache[slot] = e;
      }
      fromCompiled = false;
      if (e !== undefined) {
        let next: number;
        try {
          next = e.fn(c, e.b, limit - n);
        } catch (err) {
          if (!(err instanceof MemoryFault)) throw err;
          this.fault = err;
          h.instret += c.n;
          h.pc = c.fpc;
          return STOP_FAULT;
        }
        const k = c.n;
        h.pc = next;
        h.instret += k;
        n += k;
        if (c.stop !== STOP_LIMIT) {
          const stop = c.stop;
          c.stop = STOP_LIMIT;
          if (stop === STOP_ILLEGAL) this.illegalWord = this.#rawAt(next);
          return stop;
        }
        if (k > 0) {
          fromCompiled = true;
          continue;
        }
        // The next block does not fit in the budget: the interpreter finishes exactly at it.
      }
      // The interpreter runs until an event, the budget, or a hot jump target.
      const before = h.instret;
      const stop = this.#exec(h, limit - n);
      n += h.instret - before;
      if (stop !== STOP_HOT) return stop;
      this.#heatUp(h.pc);
    }
    return STOP_LIMIT;
  }

  /**
   * {@linkcode Cpu.run} on the WebAssembly engine: the WebAssembly
   * interpreter runs and calls compiled regions; it comes back here for
   * events, and to have hot jump targets compiled.
   */
  #runWasm(h: Hart, limit: number): number {
    const run = this.#interp ?? this.#makeInterpreter();
    const ctl = this.#sctl;
    this.#hart = h;
    this.#syncIn(h);
    let n = 0;
    // Where a run starts (after a syscall, a preemption, a signal) counts as an arrival.
    let jumped = 1;
    let stop = STOP_LIMIT;
    while (n < limit) {
      ctl[2] = h.pc | 0;
      ctl[3] = Math.floor(h.pc / TWO32) | 0;
      stop = run(limit - n, this.hotThreshold, jumped);
      const k = ctl[0];
      h.pc = ctl[3] * TWO32 + (ctl[2] >>> 0);
      h.instret += k;
      n += k;
      this.stats.dispatches++;
      if (stop !== STOP_HOT) break;
      // A hot or compiled target: compile it (or find its entry), then go on there.
      stop = STOP_LIMIT;
      const e = this.#entries.get(h.pc);
      if (e !== undefined) this.#dcachePut(e);
      else this.#heatUp(h.pc);
      jumped = this.#entries.has(h.pc) ? 1 : 0;
    }
    this.#syncOut(h);
    if (stop === STOP_ILLEGAL) this.illegalWord = this.#rawAt(h.pc);
    return stop;
  }

  /** Instantiates the WebAssembly interpreter over this address space. */
  #makeInterpreter(): (lim: number, hot: number, jumped: number) => number {
    const imports = this.#wasmImports();
    const instance = new WebAssembly.Instance(interpreterModule(), {
      e: {
        ...imports,
        fetch: (lo: number, hi: number): number => {
          const page = this.#pageForOrNull(hi * TWO32 + (lo >>> 0));
          if (page === null) return -1;
          const t = (lo >>> 12) & (CODE_TLB.entries - 1);
          this.#ctlbTags[2 * t] = lo & -PAGE_SIZE;
          this.#ctlbTags[2 * t + 1] = hi;
          this.#ctlbSlots[t] = page.slot;
          // The page is fetchable (it has a decode slot); its frame stays while the slot does.
          this.#ctlbFrames[t] = this.mem.fetchPage(page.base);
          return page.slot;
        },
        decode: (lo: number, hi: number): number => {
          const pc = hi * TWO32 + (lo >>> 0);
          try {
            const page = this.#pageFor(pc);
            const slot = (pc - page.base) >> 1;
            return page.code[2 * slot] || this.#decodeAt(page, slot);
          } catch (e) {
            if (!(e instanceof MemoryFault)) throw e;
            this.fault = e;
            return 0;
          }
        },
        slow: (w: number, imm: number, n: number): number => this.#slowOp(w, imm, n),
      },
    });
    this.#interp = instance.exports.run as (lim: number, hot: number, jumped: number) => number;
    return this.#interp;
  }

  /**
   * For the WebAssembly interpreter: a CSR access or an FP instruction, on
   * the hart with its integer registers in the state memory. Returns 0, 2
   * (it stored to decoded code), STOP_ILLEGAL or STOP_FAULT.
   */
  #slowOp(w: number, imm: number, n: number): number {
    const h = this.#hart!;
    const s = this.#sregs;
    const op = w & 255;
    const rd = (w >> 8) & 63;
    const rs1 = (w >> 14) & 63;
    const rs2 = (w >> 20) & 63;
    const xl = h.xl;
    const xh = h.xh;
    if (op >= 55 && op <= 60) {
      xl[rs1] = s[2 * rs1];
      xh[rs1] = s[2 * rs1 + 1];
      if (this.#csr(h, op, rd, rs1, imm, n) !== STOP_LIMIT) return STOP_ILLEGAL;
      s[2 * rd] = xl[rd];
      s[2 * rd + 1] = xh[rd];
      return 0;
    }
    if (op >= 136 && op <= 139) {
      const a = s[2 * rs1];
      const lo = (a + imm) | 0;
      const hi = (s[2 * rs1 + 1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
      const fw = h.fw;
      const gen = this.codeGen;
      try {
        if (op <= 137) {
          this.mem.loadSlow(lo, hi, op === 136 ? 4 : 8);
          fw[2 * rd] = this.mem.vlo;
          fw[2 * rd + 1] = op === 136 ? -1 : this.mem.vhi;
        } else {
          this.mem.storeSlow(lo, hi, op === 138 ? 4 : 8, fw[2 * rs2], fw[2 * rs2 + 1]);
        }
      } catch (e) {
        if (!(e instanceof MemoryFault)) throw e;
        this.fault = e;
        return STOP_FAULT;
      }
      return this.codeGen !== gen ? 2 : 0;
    }
    if (op < 160) return STOP_ILLEGAL;
    if (FP_INT_SRC.has(op)) {
      xl[rs1] = s[2 * rs1];
      xh[rs1] = s[2 * rs1 + 1];
    }
    if (!executeFp(h, op, rd, rs1, rs2, imm)) return STOP_ILLEGAL;
    if (FP_INT_DEST.has(op)) {
      s[2 * rd] = xl[rd];
      s[2 * rd + 1] = xh[rd];
    }
    return 0;
  }

  /** Counts one arrival at `pc`; compiles the region there once hot. True when it did. */
  #bump(pc: number): boolean {
    const page = this.#pageForOrNull(pc);
    if (page === null) return false;
    const slot = (pc - page.base) >> 1;
    const hv = page.heat[slot];
    if (hv < 0 || (page.heat[slot] = hv + 1) <= this.hotThreshold) return false;
    this.#heatUp(pc);
    return page.heat[slot] === HEAT_COMPILED;
  }

  /** A jump target got hot: compile the region there (or mark that none can be). */
  #heatUp(pc: number): void {
    const page = this.#pageForOrNull(pc);
    if (page === null) return;
    const slot = (pc - page.base) >> 1;
    if (!this.#entries.has(pc) && this.compiledRegions < this.compileLimit) this.#compile(pc);
    page.heat[slot] = this.#entries.has(pc) ? HEAT_COMPILED : HEAT_NEVER;
  }

  /** Decodes the block at `pc`; null when its first instruction cannot be compiled or fetched. */
  #block(pc: number): RegionBlock | null {
    const block: RegionBlock = { pcs: [], words: [], imms: [] };
    try {
      const page = this.#pageFor(pc);
      let off = pc - page.base;
      while (off < PAGE_SIZE && block.pcs.length < MAX_BLOCK) {
        const slot = off >> 1;
        const w = page.code[2 * slot] || this.#decodeAt(page, slot);
        const op = w & 255;
        if (this.#barrier(op)) break;
        block.pcs.push(page.base + off);
        block.words.push(w);
        block.imms.push(page.code[2 * slot + 1]);
        off += insnLength(w);
        if (isBlockEnd(op)) break;
      }
    } catch (e) {
      // An unfetchable pc: the interpreter reports the fault.
      if (!(e instanceof MemoryFault)) throw e;
    }
    return block.pcs.length > 0 ? block : null;
  }

  /**
   * Finds the region around a hot entry: the blocks reachable from it through
   * fall-throughs, branches, direct jumps and calls (and the return points
   * after them), in an order that puts each fall-through successor right
   * after its block, within the size limits.
   */
  #discover(entry: number): { blocks: RegionBlock[]; returns: number[]; tail?: number } {
    const blocks: RegionBlock[] = [];
    let tail: number | undefined;
    const returns: number[] = [];
    const seen = new Set<number>();
    const queue = [entry];
    let insns = 0;
    const room = () => blocks.length < MAX_REGION_BLOCKS && insns < MAX_REGION_INSNS;
    while (queue.length > 0 && room()) {
      let pc: number | undefined = queue.shift()!;
      // A block cut by the length limit or a page end runs whenever the one before does.
      let continues = false;
      while (
        pc !== undefined && !seen.has(pc) && room() &&
        (pc === entry || this.#fresh(pc, continues))
      ) {
        seen.add(pc);
        const b = this.#block(pc);
        if (b === null) break;
        blocks.push(b);
        insns += b.pcs.length;
        const k = b.pcs.length - 1;
        const w = b.words[k];
        const op = w & 255;
        const last = b.pcs[k];
        const next = last + insnLength(w);
        const target = last + b.imms[k];
        pc = undefined;
        continues = false;
        if (op >= 6 && op <= 11) { // a branch
          queue.push(target);
          pc = next;
        } else if (op === 4) { // JAL
          if (((w >> 8) & 63) !== 32) {
            // A call: the callee, and the return point its return comes back to.
            returns.push(next);
            queue.push(next);
            // The callee is left out: it becomes a region of its own (or is one
            // already), which the call reaches through the dispatch cache.
          } else pc = target;
        } else if (op === 5) { // JALR
          if (((w >> 8) & 63) !== 32) {
            returns.push(next);
            queue.push(next);
          }
        } else if (op === 53) { // ECALL: the kernel resumes after it
          queue.push(next);
        } else if (op !== 54 && !this.#barrier(this.#opAt(next))) {
          pc = next; // cut by the page end or the length limit
          continues = true;
        }
      }
      // Straight-line code went on past the size limits: a region of its own follows.
      if (continues && pc !== undefined && !seen.has(pc) && !room()) tail = pc;
    }
    return { blocks, returns, tail };
  }

  /**
   * Whether a region may take in the block at `pc`: no compiled region
   * starts there (regions chain to each other instead of duplicating code),
   * and control has arrived there before (its heat counts) or it `continues`
   * straight-line code the region already holds.
   */
  #fresh(pc: number, continues: boolean): boolean {
    const page = this.#pages.get(Math.floor(pc / PAGE_SIZE));
    if (page === undefined) return continues;
    const hv = page.heat[(pc - page.base) >> 1];
    return hv > 0 || (continues && hv === 0);
  }

  /** Whether a block ends before `op` in the current backend. */
  #barrier(op: number): boolean {
    return isBlockBarrier(op) || (this.backend === "wasm" && isWasmBarrier(op));
  }

  /** The op at `pc`, or ILLEGAL (1) when it cannot be fetched. */
  #opAt(pc: number): number {
    try {
      const page = this.#pageFor(pc);
      const slot = (pc - page.base) >> 1;
      return (page.code[2 * slot] || this.#decodeAt(page, slot)) & 255;
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
      return 1;
    }
  }

  /** Compiles the region around hot entry `pc` and registers its entry points. */
  #compile(pc: number): void {
    const t0 = performance.now();
    const { blocks, returns, tail } = this.#discover(pc);
    if (blocks.length === 0) return;
    let fn: RegionFn = noRegion;
    let wfn: WasmFn = noWasmRegion;
    let idx = -1;
    if (this.backend === "wasm") {
      const { bytes, module } = this.#regionModule(blocks, returns);
      this.stats.codeBytes += bytes.length;
      this.onCompile?.(pc, `(wasm module, ${bytes.length} bytes)`);
      const imports = this.#wasmImports();
      const instance = new WebAssembly.Instance(module, { e: imports });
      wfn = instance.exports.f as WasmFn;
      const table = this.#table!;
      idx = this.compiledRegions;
      if (idx >= table.length) table.grow(Math.max(64, table.length));
      table.set(idx, instance.exports.f as unknown as () => void);
    } else {
      const code = regionSource(blocks, returns);
      this.stats.codeBytes += code.source.length;
      this.onCompile?.(pc, code.source);
      const make = new Function("env", code.source) as (env: Record<string, unknown>) => RegionFn;
      fn = make({
        ...this.#env,
        atRetired: Int32Array.from(code.atRetired),
        atPc: Float64Array.from(code.atPc),
      });
    }
    const region: Region = { fn, pages: [], entries: [] };
    const pages = new Set<number>();
    blocks.forEach((b, j) => {
      const start = b.pcs[0];
      const k = b.pcs.length - 1;
      pages.add(Math.floor(start / PAGE_SIZE));
      pages.add(Math.floor((b.pcs[k] + insnLength(b.words[k]) - 1) / PAGE_SIZE));
      const old = this.#entries.get(start);
      if (j === 0 || old === undefined) {
        const e: Entry = { pc: start, fn, wfn, idx, b: j };
        this.#entries.set(start, e);
        if (idx >= 0) this.#dcachePut(e);
        region.entries.push(e);
        const page = this.#pages.get(Math.floor(start / PAGE_SIZE));
        if (page) page.heat[(start - page.base) >> 1] = HEAT_COMPILED;
      }
    });
    region.pages = [...pages];
    for (const v of pages) {
      let set = this.#regionsByPage.get(v);
      if (!set) this.#regionsByPage.set(v, set = new Set());
      set.add(region);
    }
    this.#cache.fill(undefined);
    this.compiledRegions++;
    this.compiledBlocks += blocks.length;
    this.stats.compileMs += performance.now() - t0;
    if (
      tail !== undefined && !this.#entries.has(tail) && this.compiledRegions < this.compileLimit
    ) {
      this.#compile(tail);
      const page = this.#pageForOrNull(tail);
      if (page) page.heat[(tail - page.base) >> 1] = this.#entries.has(tail) ? HEAT_COMPILED : 0;
    }
  }

  /** A region's module: from the region store when it holds it, else generated (and stored). */
  #regionModule(
    blocks: RegionBlock[],
    returns: number[],
  ): { bytes: Uint8Array; module: WebAssembly.Module } {
    const store = this.regionStore;
    const key = store === undefined ? undefined : regionKey(blocks, returns);
    const kept = key === undefined ? undefined : store!.load(key);
    if (kept !== undefined) {
      try {
        const module = new WebAssembly.Module(kept as Uint8Array<ArrayBuffer>);
        this.stats.regionsLoaded++;
        return { bytes: kept, module };
      } catch {
        // A damaged entry: generate the region again.
      }
    }
    const bytes = wasmRegion(blocks, returns);
    const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    if (key !== undefined) store!.save(key, bytes);
    return { bytes, module };
  }

  /** Records a misaligned atomic access at (lo, hi) in {@linkcode Cpu.fault}. */
  misaligned(lo: number, hi: number, write: boolean): void {
    this.fault = new MemoryFault(hi * TWO32 + (lo >>> 0), write ? "write" : "read", "protection");
  }

  /**
   * LR, SC or an AMO (op 74..95) at the aligned address (lo, hi) with source
   * value (bl, bh) (for word ops, bh = bl >> 31): the value for rd goes to
   * R[0], R[1]. Throws {@linkcode MemoryFault}.
   */
  atomic(op: number, lo: number, hi: number, bl: number, bh: number): void {
    const mem = this.mem;
    const addr = hi * TWO32 + (lo >>> 0);
    const d = op >= 85;
    const size = d ? 8 : 4;
    const k = op - (d ? 85 : 74);
    if (k === 1) { // SC
      if (mem.claimReservation(addr)) {
        mem.storeSlow(lo, hi, size, bl, bh);
        R[0] = 0;
      } else {
        // A failed SC still needs a writable address, as hardware checks it.
        mem.translate(lo, hi, "write");
        R[0] = 1;
      }
      R[1] = 0;
      return;
    }
    mem.loadSlow(lo, hi, size);
    const vl = mem.vlo;
    const vh = d ? mem.vhi : mem.vlo >> 31;
    if (k === 0) { // LR
      mem.reserve(addr);
      R[0] = vl;
      R[1] = vh;
      return;
    }
    let nl = 0;
    let nh = 0;
    switch (k) {
      case 2: // amoswap
        nl = bl;
        nh = bh;
        break;
      case 3: { // amoadd
        nl = (vl + bl) | 0;
        nh = (vh + bh + ((nl >>> 0) < (vl >>> 0) ? 1 : 0)) | 0;
        break;
      }
      case 4: // amoxor
        nl = vl ^ bl;
        nh = vh ^ bh;
        break;
      case 5: // amoand
        nl = vl & bl;
        nh = vh & bh;
        break;
      case 6: // amoor
        nl = vl | bl;
        nh = vh | bh;
        break;
      default: {
        const signed = k === 7 || k === 8;
        const vLess = signed
          ? vh < bh || (vh === bh && (vl >>> 0) < (bl >>> 0))
          : (vh >>> 0) < (bh >>> 0) || (vh === bh && (vl >>> 0) < (bl >>> 0));
        const pickV = k === 7 || k === 9 ? vLess : !vLess;
        nl = pickV ? vl : bl;
        nh = pickV ? vh : bh;
      }
    }
    mem.storeSlow(lo, hi, size, nl, nh);
    R[0] = vl;
    R[1] = vh;
  }

  #exec(h: Hart, limit: number): number {
    const mem = this.mem;
    const xl = h.xl;
    const xh = h.xh;
    const fw = h.fw;
    // Reloaded after every slow path: the arena may grow there, replacing the view.
    let dv = mem.dv;
    const rTag = mem.rTag;
    const rOff = mem.rOff;
    const wTag = mem.wTag;
    const wOff = mem.wOff;

    let page = this.#pageForOrNull(h.pc);
    if (page === null) return STOP_FAULT;
    let base = page.base;
    let code = page.code;
    let heat = page.heat;
    // Taken jumps count their target's heat; past this the compiled tier takes over.
    const hot = this.jit ? this.hotThreshold : 0x7fffffff;
    let jumped = false;
    let poff = h.pc - base;
    let cur = poff;
    let farPc = 0;
    let n = 0;
    let stop = STOP_LIMIT;
    let switching = false;

    try {
      loop: while (n < limit) {
        // Counted up front; an instruction that does not retire is taken back.
        n++;
        if (poff >>> 0 >= PAGE_SIZE) {
          const pc = poff === FAR ? farPc : base + poff;
          h.pc = pc;
          switching = true;
          page = this.#pageFor(pc);
          switching = false;
          dv = mem.dv;
          base = page.base;
          code = page.code;
          heat = page.heat;
          poff = (pc - base) | 0;
        }
        if (jumped) {
          jumped = false;
          const hv = heat[poff >> 1];
          if (hv === HEAT_COMPILED || (hv >= 0 && (heat[poff >> 1] = hv + 1) > hot)) {
            n--;
            stop = STOP_HOT;
            break;
          }
        }
        cur = poff;
        const slot = poff >> 1;
        let w = code[2 * slot];
        if (w === 0) {
          w = this.#decodeAt(page, slot);
          dv = mem.dv;
        }
        const imm = code[2 * slot + 1];
        poff += 4 - ((w >>> 25) & 2);
        if (this.opCounts !== undefined) this.opCounts[(w & 255) | ((w >>> 18) & 256)]++;
        switch (w & 255) {
          case 1: // ILLEGAL
            n--;
            stop = STOP_ILLEGAL;
            break loop;
          case 2: { // LUI
            const rd = (w >> 8) & 63;
            xl[rd] = imm;
            xh[rd] = imm >> 31;
            break;
          }
          case 3: { // AUIPC
            const rd = (w >> 8) & 63;
            const v = base + cur + imm;
            xl[rd] = v | 0;
            xh[rd] = Math.floor(v / TWO32) | 0;
            break;
          }
          case 4: { // JAL
            const rd = (w >> 8) & 63;
            const link = base + poff;
            xl[rd] = link | 0;
            xh[rd] = Math.floor(link / TWO32) | 0;
            poff = cur + imm;
            jumped = true;
            break;
          }
          case 5: { // JALR
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) & -2;
            const hi = (xh[rs1] + (imm >> 31) + (((a + imm) >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const link = base + poff;
            xl[rd] = link | 0;
            xh[rd] = Math.floor(link / TWO32) | 0;
            const t = hi * TWO32 + (lo >>> 0);
            const d = t - base;
            if (d >= 0 && d < PAGE_SIZE) poff = d | 0;
            else {
              farPc = t;
              poff = FAR;
            }
            jumped = true;
            break;
          }
          case 6: { // BEQ
            if (
              xl[(w >> 14) & 63] === xl[(w >> 20) & 63] && xh[(w >> 14) & 63] === xh[(w >> 20) & 63]
            ) {
              poff = cur + imm;
            }
            // Both successors count as arrivals (the compiled tier profiles them).
            jumped = true;
            break;
          }
          case 7: { // BNE
            if (
              xl[(w >> 14) & 63] !== xl[(w >> 20) & 63] || xh[(w >> 14) & 63] !== xh[(w >> 20) & 63]
            ) {
              poff = cur + imm;
            }
            // Both successors count as arrivals (the compiled tier profiles them).
            jumped = true;
            break;
          }
          case 8: { // BLT
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1];
            const bh = xh[rs2];
            if (ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0))) {
              poff = cur + imm;
            }
            // Both successors count as arrivals (the compiled tier profiles them).
            jumped = true;
            break;
          }
          case 9: { // BGE
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1];
            const bh = xh[rs2];
            if (!(ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0)))) {
              poff = cur + imm;
            }
            // Both successors count as arrivals (the compiled tier profiles them).
            jumped = true;
            break;
          }
          case 10: { // BLTU
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1] >>> 0;
            const bh = xh[rs2] >>> 0;
            if (ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0))) {
              poff = cur + imm;
            }
            // Both successors count as arrivals (the compiled tier profiles them).
            jumped = true;
            break;
          }
          case 11: { // BGEU
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1] >>> 0;
            const bh = xh[rs2] >>> 0;
            if (!(ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0)))) {
              poff = cur + imm;
            }
            // Both successors count as arrivals (the compiled tier profiles them).
            jumped = true;
            break;
          }
          case 12: { // LB
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTag[2 * t] === (lo & -4096) && rTag[2 * t + 1] === hi) {
              const off = rOff[t] + (lo & 4095);
              const v = dv.getInt8(off);
              xl[rd] = v;
              xh[rd] = v >> 31;
            } else {
              mem.loadSlow(lo, hi, 1);
              dv = mem.dv;
              const v = (mem.vlo << 24) >> 24;
              xl[rd] = v;
              xh[rd] = v >> 31;
            }
            break;
          }
          case 13: { // LH
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTag[2 * t] === (lo & -4095) && rTag[2 * t + 1] === hi) {
              const off = rOff[t] + (lo & 4095);
              const v = dv.getInt16(off, true);
              xl[rd] = v;
              xh[rd] = v >> 31;
            } else {
              mem.loadSlow(lo, hi, 2);
              dv = mem.dv;
              const v = (mem.vlo << 16) >> 16;
              xl[rd] = v;
              xh[rd] = v >> 31;
            }
            break;
          }
          case 14: { // LW
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTag[2 * t] === (lo & -4093) && rTag[2 * t + 1] === hi) {
              const off = rOff[t] + (lo & 4095);
              const v = dv.getInt32(off, true);
              xl[rd] = v;
              xh[rd] = v >> 31;
            } else {
              mem.loadSlow(lo, hi, 4);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = mem.vlo >> 31;
            }
            break;
          }
          case 15: { // LD
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTag[2 * t] === (lo & -4089) && rTag[2 * t + 1] === hi) {
              const off = rOff[t] + (lo & 4095);
              xl[rd] = dv.getInt32(off, true);
              xh[rd] = dv.getInt32(off + 4, true);
            } else {
              mem.loadSlow(lo, hi, 8);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = mem.vhi;
            }
            break;
          }
          case 16: { // LBU
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTag[2 * t] === (lo & -4096) && rTag[2 * t + 1] === hi) {
              const off = rOff[t] + (lo & 4095);
              xl[rd] = dv.getUint8(off);
              xh[rd] = 0;
            } else {
              mem.loadSlow(lo, hi, 1);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = 0;
            }
            break;
          }
          case 17: { // LHU
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTag[2 * t] === (lo & -4095) && rTag[2 * t + 1] === hi) {
              const off = rOff[t] + (lo & 4095);
              xl[rd] = dv.getUint16(off, true);
              xh[rd] = 0;
            } else {
              mem.loadSlow(lo, hi, 2);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = 0;
            }
            break;
          }
          case 18: { // LWU
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            const rd = (w >> 8) & 63;
            if (rTag[2 * t] === (lo & -4093) && rTag[2 * t + 1] === hi) {
              const off = rOff[t] + (lo & 4095);
              xl[rd] = dv.getInt32(off, true);
              xh[rd] = 0;
            } else {
              mem.loadSlow(lo, hi, 4);
              dv = mem.dv;
              xl[rd] = mem.vlo;
              xh[rd] = 0;
            }
            break;
          }
          case 19: { // SB
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (wTag[2 * t] === (lo & -4096) && wTag[2 * t + 1] === hi) {
              const off = wOff[t] + (lo & 4095);
              dv.setInt8(off, xl[rs2]);
            } else {
              mem.storeSlow(lo, hi, 1, xl[rs2], xh[rs2]);
              dv = mem.dv;
            }
            break;
          }
          case 20: { // SH
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (wTag[2 * t] === (lo & -4095) && wTag[2 * t + 1] === hi) {
              const off = wOff[t] + (lo & 4095);
              dv.setInt16(off, xl[rs2], true);
            } else {
              mem.storeSlow(lo, hi, 2, xl[rs2], xh[rs2]);
              dv = mem.dv;
            }
            break;
          }
          case 21: { // SW
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (wTag[2 * t] === (lo & -4093) && wTag[2 * t + 1] === hi) {
              const off = wOff[t] + (lo & 4095);
              dv.setInt32(off, xl[rs2], true);
            } else {
              mem.storeSlow(lo, hi, 4, xl[rs2], xh[rs2]);
              dv = mem.dv;
            }
            break;
          }
          case 22: { // SD
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (wTag[2 * t] === (lo & -4089) && wTag[2 * t + 1] === hi) {
              const off = wOff[t] + (lo & 4095);
              dv.setInt32(off, xl[rs2], true);
              dv.setInt32(off + 4, xh[rs2], true);
            } else {
              mem.storeSlow(lo, hi, 8, xl[rs2], xh[rs2]);
              dv = mem.dv;
            }
            break;
          }
          case 23: { // ADDI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            xh[rd] = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            xl[rd] = lo;
            break;
          }
          case 24: { // SLTI
            const rs1 = (w >> 14) & 63;
            const ah = xh[rs1];
            const bh = imm >> 31;
            const rd = (w >> 8) & 63;
            xl[rd] = ah < bh || (ah === bh && (xl[rs1] >>> 0) < (imm >>> 0)) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 25: { // SLTIU
            const rs1 = (w >> 14) & 63;
            const ah = xh[rs1] >>> 0;
            const bh = (imm >> 31) >>> 0;
            const rd = (w >> 8) & 63;
            xl[rd] = ah < bh || (ah === bh && (xl[rs1] >>> 0) < (imm >>> 0)) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 26: { // XORI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            xl[rd] = xl[rs1] ^ imm;
            xh[rd] = xh[rs1] ^ (imm >> 31);
            break;
          }
          case 27: { // ORI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            xl[rd] = xl[rs1] | imm;
            xh[rd] = xh[rs1] | (imm >> 31);
            break;
          }
          case 28: { // ANDI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            xl[rd] = xl[rs1] & imm;
            xh[rd] = xh[rs1] & (imm >> 31);
            break;
          }
          case 29: { // SLLI
            // Shifts by immediates are hot: inlined (calls are not, in a function this size).
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            if (imm === 0) {
              xh[rd] = xh[rs1];
            } else if (imm < 32) {
              xh[rd] = (xh[rs1] << imm) | (a >>> (32 - imm));
            } else {
              xh[rd] = a << (imm - 32);
            }
            xl[rd] = imm < 32 ? a << imm : 0;
            break;
          }
          case 30: { // SRLI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const b = xh[rs1];
            if (imm === 0) {
              xl[rd] = xl[rs1];
            } else if (imm < 32) {
              xl[rd] = (xl[rs1] >>> imm) | (b << (32 - imm));
            } else {
              xl[rd] = b >>> (imm - 32);
            }
            xh[rd] = imm < 32 ? b >>> imm : 0;
            break;
          }
          case 31: { // SRAI
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const b = xh[rs1];
            if (imm === 0) {
              xl[rd] = xl[rs1];
            } else if (imm < 32) {
              xl[rd] = (xl[rs1] >>> imm) | (b << (32 - imm));
            } else {
              xl[rd] = b >> (imm - 32);
            }
            xh[rd] = imm < 32 ? b >> imm : b >> 31;
            break;
          }
          case 32: { // ADD
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + xl[rs2]) | 0;
            xh[rd] = (xh[rs1] + xh[rs2] + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            xl[rd] = lo;
            break;
          }
          case 33: { // SUB
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const b = xl[rs2];
            xh[rd] = (xh[rs1] - xh[rs2] - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
            xl[rd] = (a - b) | 0;
            break;
          }
          case 34: { // SLL
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            shl(xl[rs1], xh[rs1], xl[(w >> 20) & 63] & 63);
            xl[rd] = R[0];
            xh[rd] = R[1];
            break;
          }
          case 35: { // SLT
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1];
            const bh = xh[rs2];
            xl[rd] = ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0)) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 36: { // SLTU
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const ah = xh[rs1] >>> 0;
            const bh = xh[rs2] >>> 0;
            xl[rd] = ah < bh || (ah === bh && (xl[rs1] >>> 0) < (xl[rs2] >>> 0)) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 37: { // XOR
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            xl[rd] = xl[rs1] ^ xl[rs2];
            xh[rd] = xh[rs1] ^ xh[rs2];
            break;
          }
          case 38: { // SRL
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            shr(xl[rs1], xh[rs1], xl[(w >> 20) & 63] & 63);
            xl[rd] = R[0];
            xh[rd] = R[1];
            break;
          }
          case 39: { // SRA
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            sar(xl[rs1], xh[rs1], xl[(w >> 20) & 63] & 63);
            xl[rd] = R[0];
            xh[rd] = R[1];
            break;
          }
          case 40: { // OR
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            xl[rd] = xl[rs1] | xl[rs2];
            xh[rd] = xh[rs1] | xh[rs2];
            break;
          }
          case 41: { // AND
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            xl[rd] = xl[rs1] & xl[rs2];
            xh[rd] = xh[rs1] & xh[rs2];
            break;
          }
          case 42: { // ADDIW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] + imm) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 43: { // SLLIW
            const rd = (w >> 8) & 63;
            const v = xl[(w >> 14) & 63] << imm;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 44: { // SRLIW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] >>> imm) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 45: { // SRAIW
            const rd = (w >> 8) & 63;
            const v = xl[(w >> 14) & 63] >> imm;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 46: { // ADDW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] + xl[(w >> 20) & 63]) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 47: { // SUBW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] - xl[(w >> 20) & 63]) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 48: { // SLLW
            const rd = (w >> 8) & 63;
            const v = xl[(w >> 14) & 63] << (xl[(w >> 20) & 63] & 31);
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 49: { // SRLW
            const rd = (w >> 8) & 63;
            const v = (xl[(w >> 14) & 63] >>> (xl[(w >> 20) & 63] & 31)) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 50: { // SRAW
            const rd = (w >> 8) & 63;
            const v = xl[(w >> 14) & 63] >> (xl[(w >> 20) & 63] & 31);
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 51: // FENCE
            break;
          case 52: // FENCE_I
            break;
          case 53: // ECALL
            stop = STOP_ECALL;
            break loop;
          case 54: // EBREAK
            stop = STOP_EBREAK;
            break loop;
          case 61: { // MUL
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            mul64(xl[rs1], xh[rs1], xl[rs2], xh[rs2]);
            xl[rd] = R[0];
            xh[rd] = R[1];
            break;
          }
          case 69: { // MULW
            const rd = (w >> 8) & 63;
            const v = Math.imul(xl[(w >> 14) & 63], xl[(w >> 20) & 63]);
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 96: { // ADD_UW
            const rd = (w >> 8) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[(w >> 14) & 63];
            const lo = (a + xl[rs2]) | 0;
            xh[rd] = (xh[rs2] + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            xl[rd] = lo;
            break;
          }
          case 97: // SH1ADD
          case 98: // SH2ADD
          case 99: { // SH3ADD
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const s = (w & 255) - 96;
            const al = xl[rs1] << s;
            const ah = (xh[rs1] << s) | (xl[rs1] >>> (32 - s));
            const lo = (al + xl[rs2]) | 0;
            xh[rd] = (ah + xh[rs2] + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
            xl[rd] = lo;
            break;
          }
          case 136: { // FLW
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            mem.loadSlow(lo, hi, 4);
            dv = mem.dv;
            fw[2 * rd] = mem.vlo;
            fw[2 * rd + 1] = -1;
            break;
          }
          case 137: { // FLD
            const rd = (w >> 8) & 63;
            const rs1 = (w >> 14) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            const t = (lo >>> 12) & 1023;
            if (rTag[2 * t] === (lo & -4089) && rTag[2 * t + 1] === hi) {
              const off = rOff[t] + (lo & 4095);
              fw[2 * rd] = dv.getInt32(off, true);
              fw[2 * rd + 1] = dv.getInt32(off + 4, true);
            } else {
              mem.loadSlow(lo, hi, 8);
              dv = mem.dv;
              fw[2 * rd] = mem.vlo;
              fw[2 * rd + 1] = mem.vhi;
            }
            break;
          }
          case 138: // FSW
          case 139: { // FSD
            const rs1 = (w >> 14) & 63;
            const rs2 = (w >> 20) & 63;
            const a = xl[rs1];
            const lo = (a + imm) | 0;
            const hi = (xh[rs1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            mem.storeSlow(lo, hi, (w & 255) === 138 ? 4 : 8, fw[2 * rs2], fw[2 * rs2 + 1]);
            dv = mem.dv;
            break;
          }
          default: {
            const r = this.#rare(h, w, imm, n);
            dv = mem.dv;
            if (r !== STOP_LIMIT) {
              n--;
              stop = r;
              break loop;
            }
          }
        }
      }
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
      this.fault = e;
      h.instret += n - 1;
      // A fault in the page switch leaves h.pc at the target already.
      if (!switching) h.pc = base + cur;
      return STOP_FAULT;
    }
    if (stop === STOP_LIMIT || stop === STOP_HOT) h.pc = poff === FAR ? farPc : base + poff;
    else h.pc = base + cur;
    if (stop === STOP_ILLEGAL) this.illegalWord = this.#rawAt(h.pc);
    h.instret += n;
    return stop;
  }

  #pageForOrNull(pc: number): CodePage | null {
    try {
      return this.#pageFor(pc);
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
      this.fault = e;
      return null;
    }
  }

  #rawAt(pc: number): number {
    try {
      return this.instructionAt(pc);
    } catch {
      return 0;
    }
  }

  /** Ops outside the hot set: M extension divisions, atomics, CSRs, bit-manip, FP. */
  #rare(h: Hart, w: number, imm: number, n: number): number {
    const xl = h.xl;
    const xh = h.xh;
    const rd = (w >> 8) & 63;
    const rs1 = (w >> 14) & 63;
    const rs2 = (w >> 20) & 63;
    const op = w & 255;
    if (op >= 160) {
      return executeFp(h, op, rd, rs1, rs2, imm) ? STOP_LIMIT : STOP_ILLEGAL;
    }
    if (op >= 74 && op <= 95) return this.#amo(h, op, rd, rs1, rs2);
    if (op >= 55 && op <= 60) return this.#csr(h, op, rd, rs1, imm, n);
    if (!aluRare(op, imm, xl[rs1], xh[rs1], xl[rs2], xh[rs2])) return STOP_ILLEGAL;
    xl[rd] = R[0];
    xh[rd] = R[1];
    return STOP_LIMIT;
  }

  #amo(h: Hart, op: number, rd: number, rs1: number, rs2: number): number {
    const xl = h.xl;
    const xh = h.xh;
    const lo = xl[rs1];
    const size = op >= 85 ? 8 : 4;
    if ((lo & (size - 1)) !== 0) {
      this.misaligned(lo, xh[rs1], op === 75 || op === 86);
      return STOP_MISALIGNED;
    }
    const bl = xl[rs2];
    this.atomic(op, lo, xh[rs1], bl, size === 8 ? xh[rs2] : bl >> 31);
    xl[rd] = R[0];
    xh[rd] = R[1];
    return STOP_LIMIT;
  }

  #csr(h: Hart, op: number, rd: number, rs1: number, csr: number, n: number): number {
    const retired = h.instret + n - 1;
    let old: number;
    switch (csr) {
      case 0x001:
        old = h.fflags;
        break;
      case 0x002:
        old = h.frm;
        break;
      case 0x003:
        old = h.fcsr;
        break;
      case 0xc00: // cycle
      case 0xc02: // instret
        old = retired;
        break;
      case 0xc01: { // time
        // The clock may read the hart's count, which a running tier updates
        // only when it returns: make it exact for the call, whatever the tier.
        const saved = h.instret;
        h.instret = retired;
        try {
          old = this.timeCsr(h, retired);
        } finally {
          h.instret = saved;
        }
        break;
      }
      default:
        return STOP_ILLEGAL;
    }
    const imm = op >= 58;
    const src = imm ? rs1 : h.xl[rs1];
    const kind = imm ? op - 3 : op; // 55 write, 56 set, 57 clear
    // CSRRS/CSRRC with rs1 = x0 (or zimm = 0) do not write.
    const writes = kind === 55 || rs1 !== 0;
    if (writes) {
      if (csr >= 0xc00) return STOP_ILLEGAL;
      const v = kind === 55 ? src : kind === 56 ? old | src : old & ~src;
      if (csr === 0x001) h.fflags = v & 31;
      else if (csr === 0x002) h.frm = v & 7;
      else h.fcsr = v & 0xff;
    }
    h.xl[rd] = old | 0;
    h.xh[rd] = Math.floor(old / TWO32) | 0;
    return STOP_LIMIT;
  }
}

function sar(lo: number, hi: number, s: number): void {
  if (s === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (s < 32) {
    R[0] = (lo >>> s) | (hi << (32 - s));
    R[1] = hi >> s;
  } else {
    R[0] = hi >> (s - 32);
    R[1] = hi >> 31;
  }
}
