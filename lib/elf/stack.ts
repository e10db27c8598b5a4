/**
 * The initial process stack, laid out as Linux's execve builds it on riscv64
 * (fs/exec.c copy_strings, then fs/binfmt_elf.c create_elf_tables), from the
 * top down:
 *
 * 1. an 8-byte zero word at the very top;
 * 2. the execfn string (the path given to execve);
 * 3. the environment strings, then the argument strings (so in ascending
 *    order: argv[0] .. argv[n-1], envp[0] .. envp[m-1], execfn);
 * 4. rounded down to 16 bytes: the platform string, then the 16 AT_RANDOM
 *    bytes directly below it;
 * 5. below those, padding so that sp is 16-byte aligned, then (ascending
 *    from sp) argc, argv pointers, NULL, envp pointers, NULL, the auxv pairs
 *    ending in AT_NULL.
 *
 * The auxv order is the kernel's. With a vDSO (`vdsoBase`), AT_SYSINFO_EHDR
 * comes first, as riscv's ARCH_DLINFO puts it; without one (`--vdso off`)
 * it is left out and time calls stay ECALLs. Real riscv64 kernels also pass
 * cache geometry (AT_L1I_CACHESIZE and the like); zkabi does not. Real
 * riscv64 kernels have no ELF_PLATFORM; AT_PLATFORM "riscv64" is provided here
 * as the project's layout asks for it.
 * @module
 */

import { type GuestMemory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from "../memory/memory.ts";
import { STACK_SIZE, STACK_TOP } from "../memory/layout.ts";
import { ElfError } from "./parse.ts";

/** End of the auxiliary vector. */
export const AT_NULL = 0;
/** Program headers' address. */
export const AT_PHDR = 3;
/** Size of one program header. */
export const AT_PHENT = 4;
/** Number of program headers. */
export const AT_PHNUM = 5;
/** Page size. */
export const AT_PAGESZ = 6;
/** Interpreter base address. */
export const AT_BASE = 7;
/** Flags (0). */
export const AT_FLAGS = 8;
/** The program's entry point. */
export const AT_ENTRY = 9;
/** Real user id. */
export const AT_UID = 11;
/** Effective user id. */
export const AT_EUID = 12;
/** Real group id. */
export const AT_GID = 13;
/** Effective group id. */
export const AT_EGID = 14;
/** Address of the platform string. */
export const AT_PLATFORM = 15;
/** CPU capability bits. */
export const AT_HWCAP = 16;
/** Clock ticks per second (times(2)). */
export const AT_CLKTCK = 17;
/** Secure mode (setuid): 0. */
export const AT_SECURE = 23;
/** Address of 16 random bytes. */
export const AT_RANDOM = 25;
/** Address of the execfn string. */
export const AT_EXECFN = 31;
/** vDSO address (first in the auxv when the process has a vDSO). */
export const AT_SYSINFO_EHDR = 33;

/** AT_HWCAP bit of each single-letter ISA extension: 1 << (letter - 'a'). */
export function hwcapOf(letters: string): number {
  let bits = 0;
  for (const c of letters.toLowerCase()) {
    const i = c.charCodeAt(0) - 97;
    if (i >= 0 && i < 26) bits |= 1 << i;
  }
  return bits;
}

/** AT_HWCAP for RV64GC: I, M, A, F, D and C. */
export const HWCAP_RV64GC: number = hwcapOf("imafdc");
/** The platform string placed on the stack. */
export const PLATFORM = "riscv64";
/** Ids put in AT_UID/AT_EUID/AT_GID/AT_EGID unless told otherwise. */
export const DEFAULT_ID = 1000;
/** Clock ticks per second (AT_CLKTCK). */
export const CLOCK_TICKS = 100;

/** One auxiliary vector entry. */
export interface AuxEntry {
  /** AT_* type. */
  type: number;
  /** Value (an address or a number). */
  value: number;
}

/** What {@linkcode buildStack} needs from the loaded program. */
export interface StackImage {
  /** AT_PHDR. */
  phdr: number;
  /** AT_PHENT. */
  phent: number;
  /** AT_PHNUM. */
  phnum: number;
  /** AT_BASE (0 without an interpreter). */
  base: number;
  /** AT_ENTRY: the program's own entry, not the interpreter's. */
  programEntry: number;
  /** Map the stack executable (PT_GNU_STACK with PF_X). */
  executableStack?: boolean;
}

/** Options for {@linkcode buildStack}. */
export interface StackOptions {
  /** Argument strings. */
  argv: readonly string[];
  /** Environment strings (`NAME=value`). */
  envp: readonly string[];
  /** The path given to execve (AT_EXECFN); default argv[0], else the empty string. */
  execfn?: string;
  /** Seed for the AT_RANDOM bytes; default 0. */
  seed?: number | bigint;
  /** User and group id for AT_UID, AT_EUID, AT_GID, AT_EGID; default 1000. */
  id?: number;
  /** Name used in error messages; default execfn. */
  fileName?: string;
  /** Address of the mapped vDSO: AT_SYSINFO_EHDR; none when undefined. */
  vdsoBase?: number;
  /** Entries appended before AT_NULL (e.g. AT_RSEQ_FEATURE_SIZE). */
  extraAuxv?: readonly AuxEntry[];
}

/** The stack as built: addresses the kernel needs later. */
export interface StackResult {
  /** Initial sp: points at argc, 16-byte aligned. */
  sp: number;
  /** Argument count. */
  argc: number;
  /** The auxv as placed on the stack, ending with AT_NULL (served as /proc/self/auxv). */
  auxv: AuxEntry[];
  /** Addresses of the argument strings. */
  argvAddrs: number[];
  /** Addresses of the environment strings. */
  envpAddrs: number[];
  /** Start of the argument strings (mm->arg_start, for /proc/self/cmdline). */
  argStart: number;
  /** End of the argument strings (mm->arg_end). */
  argEnd: number;
  /** Start of the environment strings (mm->env_start, for /proc/self/environ). */
  envStart: number;
  /** End of the environment strings (mm->env_end). */
  envEnd: number;
  /** Address of the execfn string. */
  execfnAddr: number;
  /** Address of the platform string. */
  platformAddr: number;
  /** Address of the 16 AT_RANDOM bytes. */
  randomAddr: number;
  /** Lowest address of the stack mapping. */
  stackStart: number;
  /** One past the highest address of the stack mapping. */
  stackEnd: number;
}

/** Longest single argument or environment string, NUL included (Linux's MAX_ARG_STRLEN). */
const MAX_ARG_STRLEN = 32 * PAGE_SIZE;
const MASK64 = (1n << 64n) - 1n;
const encoder = new TextEncoder();

/**
 * The 16 AT_RANDOM bytes for `seed`: two outputs of a SplitMix64 generator
 * (Steele, Lea and Flood's construction), little-endian.
 */
export function randomBytesFor(seed: number | bigint): Uint8Array {
  let state = BigInt.asUintN(64, BigInt(seed));
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 2; i++) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    z ^= z >> 31n;
    dv.setBigUint64(8 * i, z, true);
  }
  return out;
}

/**
 * Maps the 8 MiB `[stack]` below {@linkcode STACK_TOP} (read/write, pages
 * touched lazily) and writes argv, envp, auxv and the strings as Linux does.
 * Throws {@linkcode ElfError} when the strings are unusable or the stack
 * range is taken.
 */
export function buildStack(mem: GuestMemory, image: StackImage, opts: StackOptions): StackResult {
  const execfn = opts.execfn ?? opts.argv[0] ?? "";
  const fileName = opts.fileName ?? execfn;
  const encode = (s: string, what: string): Uint8Array => {
    const b = encoder.encode(s);
    if (b.includes(0)) throw new ElfError(fileName, `${what} contains a NUL byte`);
    if (b.length + 1 > MAX_ARG_STRLEN) throw new ElfError(fileName, `${what} is too long`);
    const z = new Uint8Array(b.length + 1);
    z.set(b);
    return z;
  };
  // Since Linux 5.18 an empty argv gets one empty string, so argv[0] always exists.
  const argvList = opts.argv.length > 0 ? opts.argv : [""];
  const args = argvList.map((s, i) => encode(s, `argv[${i}]`));
  const envs = opts.envp.map((s, i) => encode(s, `envp[${i}]`));
  const fn = encode(execfn, "execfn");
  // Linux allows strings plus pointers up to a quarter of the stack rlimit (E2BIG beyond).
  let total = fn.length + 8 * (args.length + envs.length + 2);
  for (const b of [...args, ...envs]) total += b.length;
  if (total > STACK_SIZE / 4) throw new ElfError(fileName, "argument list too long");

  const stackStart = STACK_TOP - STACK_SIZE;
  if (!mem.isFree(stackStart, STACK_TOP)) {
    throw new ElfError(fileName, "program segments overlap the stack range");
  }
  const prot = PROT_READ | PROT_WRITE | (image.executableStack ? PROT_EXEC : 0);
  mem.map(stackStart, STACK_SIZE, prot, "[stack]");

  // Strings: execfn first below the top word, then envp and argv, each list last-first.
  let p = STACK_TOP - 8;
  p -= fn.length;
  const execfnAddr = p;
  mem.write(p, fn);
  const place = (list: Uint8Array[]): number[] => {
    const addrs = new Array<number>(list.length);
    for (let i = list.length - 1; i >= 0; i--) {
      p -= list[i].length;
      addrs[i] = p;
      mem.write(p, list[i]);
    }
    return addrs;
  };
  const envpAddrs = place(envs);
  const envStart = p;
  const argvAddrs = place(args);
  const argStart = p;

  // create_elf_tables: align, platform string, random bytes.
  p = Math.floor(p / 16) * 16;
  const platform = encode(PLATFORM, "platform");
  p -= platform.length;
  const platformAddr = p;
  mem.write(p, platform);
  p -= 16;
  const randomAddr = p;
  mem.write(p, randomBytesFor(opts.seed ?? 0));

  const id = opts.id ?? DEFAULT_ID;
  const auxv: AuxEntry[] = [
    ...(opts.vdsoBase === undefined ? [] : [{ type: AT_SYSINFO_EHDR, value: opts.vdsoBase }]),
    { type: AT_HWCAP, value: HWCAP_RV64GC },
    { type: AT_PAGESZ, value: PAGE_SIZE },
    { type: AT_CLKTCK, value: CLOCK_TICKS },
    { type: AT_PHDR, value: image.phdr },
    { type: AT_PHENT, value: image.phent },
    { type: AT_PHNUM, value: image.phnum },
    { type: AT_BASE, value: image.base },
    { type: AT_FLAGS, value: 0 },
    { type: AT_ENTRY, value: image.programEntry },
    { type: AT_UID, value: id },
    { type: AT_EUID, value: id },
    { type: AT_GID, value: id },
    { type: AT_EGID, value: id },
    { type: AT_SECURE, value: 0 },
    { type: AT_RANDOM, value: randomAddr },
    { type: AT_EXECFN, value: execfnAddr },
    { type: AT_PLATFORM, value: platformAddr },
    ...(opts.extraAuxv ?? []),
    { type: AT_NULL, value: 0 },
  ];
  const items = args.length + 1 + envs.length + 1 + 1;
  const sp = Math.floor((p - 16 * auxv.length - 8 * items) / 16) * 16;

  const words: number[] = [args.length, ...argvAddrs, 0, ...envpAddrs, 0];
  for (const a of auxv) words.push(a.type, a.value);
  const table = new Uint8Array(8 * words.length);
  const dv = new DataView(table.buffer);
  words.forEach((w, i) => dv.setBigUint64(8 * i, BigInt.asUintN(64, BigInt(w)), true));
  mem.write(sp, table);

  return {
    sp,
    argc: args.length,
    auxv,
    argvAddrs,
    envpAddrs,
    argStart,
    argEnd: envStart,
    envStart,
    envEnd: execfnAddr,
    execfnAddr,
    platformAddr,
    randomAddr,
    stackStart,
    stackEnd: STACK_TOP,
  };
}

/** The auxv as /proc/self/auxv shows it: little-endian u64 pairs, AT_NULL included. */
export function auxvBytes(auxv: readonly AuxEntry[]): Uint8Array {
  const out = new Uint8Array(16 * auxv.length);
  const dv = new DataView(out.buffer);
  auxv.forEach((a, i) => {
    dv.setBigUint64(16 * i, BigInt.asUintN(64, BigInt(a.type)), true);
    dv.setBigUint64(16 * i + 8, BigInt.asUintN(64, BigInt(a.value)), true);
  });
  return out;
}
