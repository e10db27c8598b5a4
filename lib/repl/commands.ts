/**
 * The REPL's commands: loading and running guests, breakpoints, stepping,
 * registers, memory, disassembly, threads, traces, profiles, comparisons,
 * tier readiness, reports and a JavaScript escape hatch. Each command has a
 * usage line, a help text and (where it helps) argument completion.
 * @module
 */

import * as zkabi from "../../mod.ts";
import { PRECOMPILE_NAMES } from "../abi/precompiles.ts";
import { BUNDLED_GUESTS, guestById, PTHREADS_GUEST } from "../analysis/guests.ts";
import { analyzeReadiness, type BinaryReadiness } from "../analysis/readiness.ts";
import { RunPool } from "../analysis/runner.ts";
import { PHASES, profileFromEvents } from "../analysis/syscall_profile.ts";
import { Disassembler, F_NAMES, X_NAMES } from "../cpu/disasm.ts";
import { BUILTIN_PROFILES, type Profile } from "../dispatch/profile.ts";
import type { Phase } from "../kernel/events.ts";
import { syscallNumber, SYSCALLS } from "../kernel/syscalls.ts";
import { createJsonWriter } from "../trace/json.ts";
import {
  fetchWord,
  formatDump,
  formatFRegisters,
  formatListing,
  formatThreads,
  formatTraceTable,
  formatXRegisters,
  hex64,
  instructionsAround,
  parseDumpFormat,
} from "./format.ts";
import { compareText, profileText, readinessText, statsText } from "./render.ts";
import { type Repl, ReplError } from "./repl.ts";
import { writeReport } from "./report.ts";
import { type LoadSpec, Session, type StopReason } from "./session.ts";
import {
  evalAddress,
  ExprError,
  findSymbol,
  fRegister,
  symbolIndex,
  xRegister,
} from "./symbols.ts";
import {
  type FlagSpec,
  flagUsage,
  parseFlags,
  RUN_FLAGS,
  runOptionsOf,
  stringFlag,
  UsageError,
} from "../front/flags.ts";
import { ProfileError } from "../dispatch/profile.ts";
import { textTable } from "../render/doc.ts";

/** One REPL command. */
export interface Command {
  /** Name. */
  name: string;
  /** Other names (gdb's short forms). */
  aliases?: string[];
  /** One-line usage. */
  usage: string;
  /** One-line summary for `help`. */
  summary: string;
  /** Longer help text. */
  help: string;
  /** Takes the raw text after the command word instead of split words. */
  raw?: boolean;
  /** Candidates for the word being typed, given the words before it. */
  complete?: (repl: Repl, words: string[], partial: string) => string[];
  /** Runs the command. */
  run(repl: Repl, args: string[], rest: string): void | Promise<void>;
}

/** Syscall and precompile names, for completion and checking. */
function syscallNames(): string[] {
  return [...SYSCALLS.map((r) => r.name), ...PRECOMPILE_NAMES.values()].sort();
}

/** Completes a host path. */
export function completePath(repl: Repl, partial: string): string[] {
  const slash = partial.lastIndexOf("/");
  const dirPart = slash >= 0 ? partial.slice(0, slash + 1) : "";
  const base = slash >= 0 ? partial.slice(slash + 1) : partial;
  const dir = repl.resolve(dirPart === "" ? "." : dirPart);
  const out: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (!e.name.startsWith(base)) continue;
      if (e.name.startsWith(".") && !base.startsWith(".")) continue;
      out.push(dirPart + e.name + (e.isDirectory ? "/" : ""));
    }
  } catch {
    // no such directory
  }
  return out;
}

function registerWords(): string[] {
  return ["$pc", ...X_NAMES.map((n) => `$${n}`), ...F_NAMES.map((n) => `$${n}`)];
}

function symbolWords(repl: Repl, partial: string): string[] {
  if (!repl.current) return [];
  const names = symbolIndex(repl.current.kernel).map((s) => s.name);
  return [...new Set(["entry", ...names])].filter((n) => n.startsWith(partial)).slice(0, 500);
}

function integerArg(name: string, v: string | undefined, min = 0): number {
  if (v === undefined) throw new ReplError(`${name}: missing value`);
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new ReplError(`${name}: expected an integer >= ${min}, got '${v}'`);
  }
  return n;
}

/** The extra names an address expression may use: `entry`. */
function exprNames(s: Session): Record<string, number> {
  const entry = s.auxv.get(9);
  return entry === undefined ? {} : { entry };
}

/** Evaluates an address expression in the current session. */
function address(repl: Repl, text: string): number {
  const s = repl.session();
  try {
    const v = evalAddress(text, s.kernel, s.thread.hart, exprNames(s));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ReplError(`address ${hex64(v)} is outside the guest address space`);
    }
    return Number(v);
  } catch (e) {
    if (e instanceof ExprError) throw new ReplError(e.message);
    throw e;
  }
}

// ----------------------------------------------------------------- loading

/** `load`'s own flags, after the run flags every front end shares. */
const LOAD_FLAGS: readonly FlagSpec[] = [
  { name: "name", arg: "NAME", help: "session name (default: the file name)" },
  { name: "guest", arg: "ID", help: "a bundled guest with its fixture arguments" },
  { name: "stdin", arg: "FILE", help: "the guest's stdin (default empty)" },
  { name: "cwd", arg: "DIR", help: "the guest's working directory" },
  { name: "argv0", arg: "S", help: "argv[0] (default: the program as given)" },
];

/** Every flag `load` accepts, for completion. */
const LOAD_OPTIONS = [...RUN_FLAGS, ...LOAD_FLAGS].map((f) => `--${f.name}`);

/** Parses `load`'s words into a spec plus the session name. */
async function parseLoad(
  repl: Repl,
  args: readonly string[],
): Promise<{ spec: LoadSpec; name?: string }> {
  try {
    const f = parseFlags(args, [...RUN_FLAGS, ...LOAD_FLAGS], "program");
    const options = await runOptionsOf(f, repl.cwd);
    const spec: LoadSpec = {
      ...options,
      program: f.positionals[0] ?? "",
      args: f.rest,
      argv0: stringFlag(f, "argv0"),
    };
    const cwd = stringFlag(f, "cwd");
    if (cwd !== undefined) spec.cwd = normalize(repl.resolve(cwd));
    const stdin = stringFlag(f, "stdin");
    if (stdin !== undefined) {
      try {
        spec.stdin = Deno.readFileSync(repl.resolve(stdin));
      } catch (e) {
        throw new ReplError(`--stdin: ${(e as Error).message.split("\n")[0]}`);
      }
    }
    let name = stringFlag(f, "name");
    const guestId = stringFlag(f, "guest");
    if (guestId !== undefined) {
      const g = guestById(guestId);
      if (!g) {
        const ids = [...BUNDLED_GUESTS, PTHREADS_GUEST].map((x) => x.id).join(", ");
        throw new ReplError(`--guest: no bundled guest '${guestId}' (${ids})`);
      }
      // The program's words, if any, are more arguments for the bundled guest.
      spec.args = [...g.args, ...f.positionals, ...f.rest];
      spec.program = `${repl.root}/${g.program}`;
      spec.argv0 ??= g.program;
      spec.cwd ??= `${repl.root}/${g.cwd}`;
      if (g.sysroot) spec.sysroot ??= g.sysroot;
      if (g.env) spec.env = { ...g.env, ...spec.env };
      name ??= g.id;
    } else {
      if (f.positionals.length === 0) {
        throw new ReplError("load: missing the program (load [OPTIONS] PROGRAM [ARGS...])");
      }
      spec.cwd ??= normalize(repl.cwd);
    }
    return { spec, name };
  } catch (e) {
    if (e instanceof UsageError || e instanceof ProfileError) throw new ReplError(e.message);
    throw e;
  }
}

/** An absolute path without `.` or `..` parts or a trailing slash. */
function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}

function uniqueName(repl: Repl, base: string): string {
  if (!repl.sessions.has(base)) return base;
  for (let i = 2;; i++) if (!repl.sessions.has(`${base}#${i}`)) return `${base}#${i}`;
}

function openSession(repl: Repl, spec: LoadSpec, name: string, from?: Session): Session {
  try {
    return new Session(spec, {
      name,
      onStdout: (b) => repl.guestStdout(b),
      onStderr: (b) => repl.guestStderr(b),
      breakpoints: from?.breakpoints,
    });
  } catch (e) {
    if (e instanceof zkabi.RunError) throw new ReplError(e.message);
    throw e;
  }
}

function where(s: Session, pc: number): string {
  const m = s.kernel.symbols.lookup(pc);
  return `0x${pc.toString(16)}${m ? ` <${m.name}+0x${m.offset.toString(16)}>` : ""}`;
}

/** The instruction at `pc` as one listing line (or a note when unreadable). */
function currentLine(s: Session, pc: number): string {
  try {
    const w = fetchWord((a, n) => s.kernel.mem.read(a, n), pc);
    return formatListing([new Disassembler().decode(w, pc)], pc, s.kernel, new Set());
  } catch {
    return `=> 0x${pc.toString(16)}:\t<cannot read memory>`;
  }
}

/** Prints what a stop means. */
export function reportStop(repl: Repl, s: Session, stop: StopReason): void {
  switch (stop.kind) {
    case "breakpoint":
      repl.print(`breakpoint ${stop.breakpoint}, thread ${stop.tid} at ${where(s, stop.pc)}`);
      repl.print(currentLine(s, stop.pc));
      return;
    case "syscall": {
      const t = s.kernel.threads.find((x) => x.tid === stop.tid)!;
      const args = [10, 11, 12, 13, 14, 15].map((r) =>
        `0x${BigInt.asUintN(64, t.hart.getX(r)).toString(16)}`
      );
      repl.print(
        `syscall breakpoint ${stop.breakpoint}: thread ${stop.tid} calls ${stop.name}(${
          args.join(", ")
        }) at ${where(s, stop.pc)}`,
      );
      return;
    }
    case "step":
      repl.print(currentLine(s, stop.pc));
      return;
    case "exited": {
      const r = s.result!;
      const how = stop.end.kind === "exit"
        ? `exited with status ${stop.status}`
        : `ended (${stop.end.kind}), status ${stop.status}: ${stop.message ?? ""}`;
      repl.print(`process ${s.kernel.pid} ${how}; ${r.stats.instret} instructions`);
      return;
    }
  }
}

// ---------------------------------------------------------------- commands

const help: Command = {
  name: "help",
  aliases: ["h", "?"],
  usage: "help [COMMAND]",
  summary: "list commands, or explain one",
  help: "Without an argument, lists every command with a one-line summary. With a command name " +
    "(or alias), prints its usage and what it does.",
  complete: (_r, words) => (words.length === 0 ? COMMANDS.map((c) => c.name) : []),
  run(repl, args) {
    if (args.length === 0) {
      const rows = COMMANDS.map((c) => [c.usage, c.summary]);
      repl.print(textTable(["command", "what it does"], rows));
      repl.print(
        "\nA line starting with '.' is JavaScript (same as 'js'). Lines starting with '#' are comments.",
      );
      return;
    }
    const c = COMMANDS.find((x) => x.name === args[0] || x.aliases?.includes(args[0]));
    if (!c) throw new ReplError(`no command '${args[0]}'`);
    const aka = c.aliases?.length ? `\naliases: ${c.aliases.join(", ")}` : "";
    repl.print(`usage: ${c.usage}${aka}\n\n${c.help}`);
  },
};

const load: Command = {
  name: "load",
  aliases: ["file"],
  usage: "load [OPTIONS] PROGRAM [ARGS...]",
  summary: "load an ELF, stopped at its first instruction",
  help: `Loads a riscv64 Linux ELF into a new session (the previous ones stay, for compare) and
stops before its first instruction. Options (as for 'zkabi run', plus load's own):
${flagUsage([...RUN_FLAGS, ...LOAD_FLAGS])}
Bundled guests (--guest): ${[...BUNDLED_GUESTS, PTHREADS_GUEST].map((g) => g.id).join(", ")}`,
  complete(repl, words, partial) {
    const last = words[words.length - 1];
    if (last === "--tier") return [...BUILTIN_PROFILES];
    if (last === "--sched") return ["rr", "handoff"];
    if (last === "--engine") return ["jit", "interp"];
    if (last === "--guest") return [...BUNDLED_GUESTS, PTHREADS_GUEST].map((g) => g.id);
    if (partial.startsWith("-")) return LOAD_OPTIONS;
    return completePath(repl, partial);
  },
  async run(repl, args) {
    const { spec, name } = await parseLoad(repl, args);
    const n = uniqueName(repl, name ?? spec.program.split("/").pop()!);
    const s = openSession(repl, spec, n);
    repl.sessions.set(n, s);
    repl.current = s;
    const profile = typeof spec.profile === "object" ? spec.profile.name : spec.profile ?? "full";
    const pc = s.kernel.mainThread.hart.pc;
    repl.print(
      `loaded '${n}': ${spec.program}${spec.args?.length ? " " + spec.args.join(" ") : ""}` +
        ` (pid ${s.kernel.pid}, profile ${profile}), stopped at ${where(s, pc)}`,
    );
  },
};

const runCmd: Command = {
  name: "run",
  aliases: ["r"],
  usage: "run",
  summary: "restart the current program from the beginning and continue",
  help: "Loads the current session's program again with the same options and breakpoints " +
    "(a fresh process), then continues until a breakpoint or the end.",
  run(repl) {
    const old = repl.session();
    const s = openSession(repl, old.spec, old.name, old);
    repl.sessions.set(old.name, s);
    repl.current = s;
    reportStop(repl, s, s.cont());
  },
};

const cont: Command = {
  name: "continue",
  aliases: ["c", "cont"],
  usage: "continue",
  summary: "run until a breakpoint or the end",
  help: "Runs every thread, as 'zkabi run' would, until a breakpoint is hit or the process ends. " +
    "Guest output appears as it is written.",
  run(repl) {
    const s = repl.session();
    reportStop(repl, s, s.cont());
  },
};

const step: Command = {
  name: "step",
  aliases: ["s", "si", "stepi"],
  usage: "step [N]",
  summary: "execute N instructions (default 1) of the current thread",
  help:
    "Executes N instructions of the selected thread (another runnable thread when it blocks), " +
    "syscalls included, then shows the next instruction. Breakpoints do not stop a step.",
  run(repl, args) {
    const s = repl.session();
    const n = args.length > 0 ? integerArg("step", args[0], 1) : 1;
    reportStop(repl, s, s.step(n));
  },
};

const finishCmd: Command = {
  name: "finish",
  usage: "finish",
  summary: "run to the end, ignoring breakpoints",
  help: "Runs the process to its end without stopping at breakpoints.",
  run(repl) {
    const s = repl.session();
    reportStop(repl, s, s.finish());
  },
};

const breakCmd: Command = {
  name: "break",
  aliases: ["b"],
  usage: "break ADDRESS | SYMBOL[+OFF] | syscall NAME",
  summary: "stop at an address, a function, or a syscall",
  help: `Sets a breakpoint:
  break 0x11014       at an instruction address (also *0x11014, $pc+8)
  break main          at a symbol (entry = the program's entry point)
  break syscall futex before a syscall (or precompile) by name; 'syscall *' for every syscall
The process stops before the instruction or the syscall executes.`,
  complete(repl, words, partial) {
    if (words.length === 0) return ["syscall", ...symbolWords(repl, partial)];
    if (words[0] === "syscall") return ["*", ...syscallNames()];
    return [];
  },
  run(repl, args) {
    const s = repl.session();
    if (args.length === 0) {
      throw new ReplError("break: what? (break ADDRESS | SYMBOL | syscall NAME)");
    }
    if (args[0] === "syscall") {
      const name = args[1];
      if (!name) throw new ReplError("break syscall: missing the syscall name");
      if (
        name !== "*" && syscallNumber(name) === undefined &&
        ![...PRECOMPILE_NAMES.values()].includes(name)
      ) {
        throw new ReplError(`break syscall: no syscall '${name}' on riscv64`);
      }
      const b = s.breakOnSyscall(name);
      repl.print(`breakpoint ${b.id}: syscall ${name}`);
      return;
    }
    const spec = args.join(" ");
    const a = address(repl, spec);
    const b = s.breakAt(a, spec);
    const readable = s.kernel.mem.accessible(a, 2, "fetch");
    repl.print(
      `breakpoint ${b.id} at ${where(s, a)}${
        readable ? "" : " (not mapped yet: inserted once it is)"
      }`,
    );
  },
};

const breakpoints: Command = {
  name: "breakpoints",
  aliases: ["bl"],
  usage: "breakpoints",
  summary: "list breakpoints",
  help: "Lists breakpoints with their number, what they stop at, whether enabled, and hits.",
  run(repl) {
    const s = repl.session();
    if (s.breakpoints.length === 0) {
      repl.print("no breakpoints");
      return;
    }
    repl.print(textTable(
      ["id", "stops at", "enabled", "hits"],
      s.breakpoints.map((b) => [
        b.id,
        b.kind === "syscall" ? `syscall ${b.syscall}` : `${where(s, b.address!)} (${b.spec})`,
        b.enabled ? "yes" : "no",
        b.hits,
      ]),
      ["right", "left", "left", "right"],
    ));
  },
};

const deleteCmd: Command = {
  name: "delete",
  aliases: ["d", "clear"],
  usage: "delete [ID...]",
  summary: "delete breakpoints (all without ids)",
  help: "Deletes the numbered breakpoints, or every breakpoint when no number is given.",
  run(repl, args) {
    const s = repl.session();
    const ids = args.map((a) => integerArg("delete", a, 1));
    for (const id of ids) {
      if (!s.breakpoints.some((b) => b.id === id)) throw new ReplError(`no breakpoint ${id}`);
    }
    const n = s.deleteBreakpoints(ids);
    repl.print(`deleted ${n} breakpoint${n === 1 ? "" : "s"}`);
  },
};

function enableCommand(name: "enable" | "disable"): Command {
  return {
    name,
    usage: `${name} ID...`,
    summary: `${name} breakpoints`,
    help: `${name === "enable" ? "Enables" : "Disables"} the numbered breakpoints.`,
    run(repl, args) {
      const s = repl.session();
      if (args.length === 0) throw new ReplError(`${name}: which breakpoint?`);
      for (const a of args) {
        const id = integerArg(name, a, 1);
        const b = s.breakpoints.find((x) => x.id === id);
        if (!b) throw new ReplError(`no breakpoint ${id}`);
        b.enabled = name === "enable";
      }
      repl.print(`${name}d ${args.join(", ")}`);
    },
  };
}

const regs: Command = {
  name: "regs",
  aliases: ["registers"],
  usage: "regs [fp | all | REG...]",
  summary: "integer registers (fp: FP registers)",
  help: "Shows the selected thread's pc and integer registers (hex, signed decimal, symbol). " +
    "'regs fp' shows f0-f31 (bits, as double, as NaN-boxed single) and fcsr; 'regs all' both; " +
    "'regs a0 sp fa0' only those.",
  complete: (_r, _w, partial) =>
    ["fp", "all", "pc", ...X_NAMES, ...F_NAMES].filter((n) => n.startsWith(partial)),
  run(repl, args) {
    const s = repl.session();
    const h = s.thread.hart;
    repl.print(`thread ${s.thread.tid} (${s.thread.state}), instret ${h.instret}`);
    if (args.length === 0 || args[0] === "all") repl.print(formatXRegisters(h, s.kernel));
    if (args[0] === "fp" || args[0] === "all") repl.print(formatFRegisters(h));
    if (args.length > 0 && args[0] !== "fp" && args[0] !== "all") {
      const rows: string[][] = [];
      for (const r of args) {
        const name = r.replace(/^\$/, "");
        const x = name === "pc" ? -1 : xRegister(name);
        const f = fRegister(name);
        if (x === -1) {
          rows.push(["pc", hex64(BigInt(h.pc)), String(h.pc), s.kernel.symbols.describe(h.pc)]);
        } else if (x !== undefined) {
          const v = h.getX(x);
          rows.push([X_NAMES[x], hex64(v), BigInt.asIntN(64, v).toString(), ""]);
        } else if (f !== undefined) {
          rows.push([F_NAMES[f], hex64(h.getF(f)), String(h.fd[f]), ""]);
        } else throw new ReplError(`no register '${r}'`);
      }
      repl.print(textTable(["reg", "hex", "value", "symbol"], rows));
    }
  },
};

const setCmd: Command = {
  name: "set",
  usage: "set $REG VALUE",
  summary: "change a register (or the pc)",
  help: "Sets an integer register, the pc, or an FP register's raw bits to the value of an " +
    "address expression: 'set $a0 0x10', 'set $pc main', 'set $fa0 0x3ff0000000000000'.",
  complete: (_r, words) => (words.length === 0 ? registerWords() : []),
  run(repl, args) {
    const s = repl.session();
    const words = args.filter((a) => a !== "=");
    if (words.length !== 2) throw new ReplError("set: expected set $REG VALUE");
    const name = words[0].replace(/^\$/, "");
    const h = s.thread.hart;
    const v = evalOrFail(repl, words[1]);
    if (name === "pc") h.pc = Number(v);
    else if (xRegister(name) !== undefined) {
      if (xRegister(name) === 0) throw new ReplError("set: zero is hard-wired to 0");
      h.setX(xRegister(name)!, v);
    } else if (fRegister(name) !== undefined) h.setF(fRegister(name)!, v);
    else throw new ReplError(`set: no register '${words[0]}'`);
    repl.print(`${name} = ${hex64(v)}`);
  },
};

function evalOrFail(repl: Repl, text: string): bigint {
  const s = repl.session();
  try {
    return evalAddress(text, s.kernel, s.thread.hart, exprNames(s));
  } catch (e) {
    if (e instanceof ExprError) throw new ReplError(e.message);
    throw e;
  }
}

const printCmd: Command = {
  name: "print",
  aliases: ["p"],
  usage: "print EXPR",
  summary: "evaluate an address expression",
  help: "Evaluates an expression of numbers, $registers, symbols, +, - and parentheses, and " +
    "prints it in hex and decimal with the symbol it falls in: 'p $sp+16', 'p main', 'p entry'.",
  complete: (repl, _w, partial) =>
    partial.startsWith("$") ? registerWords() : symbolWords(repl, partial),
  run(repl, args, rest) {
    const text = rest.replace(/^\/\w+\s*/, "");
    if (text === "") throw new ReplError("print: missing expression");
    void args;
    const s = repl.session();
    const v = evalOrFail(repl, text);
    const n = Number(v);
    const sym = n < 2 ** 53 ? s.kernel.symbols.lookup(n) : undefined;
    repl.print(
      `${hex64(v)} = ${v} = ${BigInt.asIntN(64, v)}${
        sym ? ` <${sym.name}+0x${sym.offset.toString(16)}>` : ""
      }`,
    );
  },
};

const examine: Command = {
  name: "x",
  usage: "x[/NFU] [ADDRESS]",
  summary: "examine memory (gdb style: x/16x $sp, x/s $a1, x/8i $pc)",
  help: `Dumps guest memory as gdb's x does. N is a count, F a format, U a unit size:
  F: x hex, d signed, u unsigned, o octal, t binary, c char, a address, s C string, i instruction
  U: b byte, h halfword, w word (4), g giant (8)
Examples: x/16x $sp   x/4gx 0x12000   x/s $a1   x/10i $pc   x/32xb entry
Without an address it continues after the last dump; the format sticks.`,
  complete: (repl, _w, partial) =>
    partial.startsWith("$") ? registerWords() : symbolWords(repl, partial),
  run(repl, args) {
    const s = repl.session();
    let fmt = repl.lastDump.format;
    let rest = args;
    if (args[0]?.startsWith("/")) {
      try {
        fmt = parseDumpFormat(args[0].slice(1), fmt);
      } catch (e) {
        throw new ReplError((e as Error).message);
      }
      rest = args.slice(1);
    }
    let a: number;
    if (rest.length > 0) a = address(repl, rest.join(" "));
    else if (repl.lastDump.next !== undefined) a = repl.lastDump.next;
    else throw new ReplError("x: missing address");
    const mem = s.kernel.mem;
    const read = (addr: number, n: number) => mem.read(addr, n);
    if (fmt.format === "i") {
      const list = instructionsAround(read, a, fmt.count, 0);
      if (list.length === 0) throw new ReplError(`cannot access memory at 0x${a.toString(16)}`);
      const breaks = new Set(
        s.breakpoints.filter((b) => b.kind === "address").map((b) => b.address!),
      );
      repl.print(formatListing(list, s.thread.hart.pc, s.kernel, breaks));
      const lastIns = list[list.length - 1];
      repl.lastDump = { format: fmt, next: lastIns.pc + lastIns.length };
      return;
    }
    if (!mem.accessible(a, fmt.format === "s" ? 1 : fmt.size, "read")) {
      throw new ReplError(`cannot access memory at 0x${a.toString(16)}`);
    }
    repl.print(formatDump(read, a, fmt, (v) => s.kernel.symbols.describe(v)));
    const len = fmt.format === "s" ? 0 : fmt.count * fmt.size;
    repl.lastDump = { format: fmt, next: len > 0 ? a + len : undefined };
  },
};

const disas: Command = {
  name: "disas",
  aliases: ["disassemble", "list"],
  usage: "disas [ADDRESS [N]] [--raw]",
  summary: "disassemble around the pc (or at an address)",
  help: "Without arguments: the instructions around the selected thread's pc (=> marks it, * " +
    "marks breakpoints), in objdump's syntax. With an address: N instructions (default 16) " +
    "from there; a symbol with a known size is listed whole (up to 400 instructions). --raw " +
    "prints without pseudo-instructions (objdump -M no-aliases).",
  complete: (repl, _w, partial) =>
    partial.startsWith("-")
      ? ["--raw"]
      : partial.startsWith("$")
      ? registerWords()
      : symbolWords(repl, partial),
  run(repl, args) {
    const s = repl.session();
    const raw = args.includes("--raw");
    const words = args.filter((a) => a !== "--raw");
    const mem = s.kernel.mem;
    const read = (addr: number, n: number) => mem.read(addr, n);
    const pc = s.thread.hart.pc;
    const breaks = new Set(
      s.breakpoints.filter((b) => b.kind === "address").map((b) => b.address!),
    );
    let list;
    if (words.length === 0) {
      list = instructionsAround(read, pc, 12, 4, !raw);
    } else {
      const a = address(repl, words[0]);
      let n = words[1] !== undefined ? integerArg("disas", words[1], 1) : 16;
      const sym = findSymbol(s.kernel, words[0]);
      if (words[1] === undefined && sym && sym.size > 0) n = Math.min(400, Math.ceil(sym.size / 2));
      list = instructionsAround(read, a, n, 0, !raw).filter((i) =>
        !(sym && sym.size > 0 && words[1] === undefined && i.pc >= sym.address + sym.size)
      );
    }
    if (list.length === 0) throw new ReplError("cannot access memory there");
    repl.print(formatListing(list, pc, s.kernel, breaks));
  },
};

const threads: Command = {
  name: "threads",
  usage: "threads",
  summary: "threads and their states",
  help: "Lists every thread: tid, state (runnable, blocked, exited), pc and function, retired " +
    "instructions, context switches, and what a blocked thread waits for. * marks the selected one.",
  run(repl) {
    const s = repl.session();
    repl.print(formatThreads(s.kernel, s.thread.tid));
  },
};

const threadCmd: Command = {
  name: "thread",
  usage: "thread TID",
  summary: "select the thread regs/step/disas act on",
  help: "Selects a thread by tid for regs, x, disas and step.",
  complete: (repl) => repl.current ? repl.current.kernel.threads.map((t) => String(t.tid)) : [],
  run(repl, args) {
    const s = repl.session();
    const tid = integerArg("thread", args[0], 0);
    const t = s.kernel.threads.find((x) => x.tid === tid);
    if (!t) throw new ReplError(`no thread ${tid}`);
    s.selected = t;
    repl.print(`thread ${tid} (${t.state}) at ${where(s, t.hart.pc)}`);
  },
};

const trace: Command = {
  name: "trace",
  usage: "trace [N|all] | trace table [N] | trace json [N] | trace save FILE",
  summary: "the syscall trace so far (strace text, a table, JSON lines)",
  help: "Shows the last N (default 20) lines of the strace-format trace of the run so far, or " +
    "'all'. 'trace table' shows events as a table (seq, tid, syscall, result, route, phase, " +
    "instret, function); 'trace json' as JSON lines; 'trace save FILE' writes the strace text.",
  complete(repl, words, partial) {
    if (words.length === 0) return ["table", "json", "save", "all"];
    if (words[0] === "save") return completePath(repl, partial);
    return [];
  },
  run(repl, args) {
    const s = repl.session();
    const sub = args[0];
    const count = (v: string | undefined) =>
      v === undefined ? 20 : v === "all" ? Infinity : integerArg("trace", v, 1);
    const tail = <T>(list: readonly T[], n: number) => (n === Infinity ? list : list.slice(-n));
    if (sub === "save") {
      if (!args[1]) throw new ReplError("trace save: missing file");
      Deno.writeTextFileSync(repl.resolve(args[1]), s.strace.map((l) => l + "\n").join(""));
      repl.print(`wrote ${s.strace.length} lines to ${args[1]}`);
      return;
    }
    if (sub === "table") {
      repl.print(
        formatTraceTable(tail(
          s.events.filter((e) => !(e.kind === "syscall" && e.entry)),
          count(args[1]),
        )),
      );
      return;
    }
    if (sub === "json") {
      const lines: string[] = [];
      const w = createJsonWriter((l) => lines.push(l));
      for (const e of tail(s.events, count(args[1]))) w(e);
      repl.print(lines.join("\n") || "(no events)");
      return;
    }
    const lines = tail(s.strace, count(sub));
    repl.print(lines.length ? lines.join("\n") : "(no syscalls yet)");
  },
};

const stats: Command = {
  name: "stats",
  usage: "stats",
  summary: "instructions, syscalls, threads, memory so far",
  help: "Statistics of the current process so far (final ones once it has ended): retired " +
    "instructions (per thread), syscall counts, threads, context switches, futex waits and " +
    "wakes, signals, memory mapped and touched, virtual time.",
  run(repl) {
    const s = repl.session();
    repl.print(statsText(s));
  },
};

const maps: Command = {
  name: "maps",
  usage: "maps",
  summary: "the address space (like /proc/self/maps)",
  help: "Lists the process's mappings: range, protection, size and name.",
  run(repl) {
    const s = repl.session();
    const rows = s.kernel.mem.mappings.map((m) => [
      `0x${m.start.toString(16)}-0x${m.end.toString(16)}`,
      `${m.prot & 1 ? "r" : "-"}${m.prot & 2 ? "w" : "-"}${m.prot & 4 ? "x" : "-"}${
        m.shared ? "s" : "p"
      }`,
      `${(m.end - m.start) / 1024} KiB`,
      m.name,
    ]);
    repl.print(
      textTable(["range", "prot", "size", "name"], rows, ["left", "left", "right", "left"]),
    );
  },
};

const symbols: Command = {
  name: "symbols",
  usage: "symbols [PATTERN]",
  summary: "symbols whose name contains PATTERN",
  help: "Lists symbols (address, size, kind, name) of every mapped executable file whose name " +
    "contains PATTERN (at most 50). Stripped binaries have none.",
  run(repl, args) {
    const s = repl.session();
    const pat = args[0] ?? "";
    const all = symbolIndex(s.kernel).filter((x) => x.name.includes(pat));
    if (all.length === 0) {
      repl.print(pat ? `no symbol matches '${pat}'` : "no symbols (stripped binary)");
      return;
    }
    const rows = all.slice(0, 50).map((
      x,
    ) => [`0x${x.address.toString(16)}`, x.size, x.kind, x.name]);
    repl.print(
      textTable(["address", "size", "kind", "name"], rows, ["left", "right", "left", "left"]),
    );
    if (all.length > 50) repl.print(`... ${all.length - 50} more`);
  },
};

const profile: Command = {
  name: "profile",
  usage: "profile [--phase loader|startup|app|exit]",
  summary: "the syscall profile of the run so far",
  help: "The syscall profile of the current run (from its trace events): per syscall its " +
    "category, calls, errors and calls per phase (loader, runtime start-up, application, exit), " +
    "then totals per category and phase.",
  complete: (_r, words) => (words[words.length - 1] === "--phase" ? [...PHASES] : ["--phase"]),
  run(repl, args) {
    const s = repl.session();
    const phase = phaseOption(args);
    repl.print(profileText(profileFromEvents(s.name, s.events), phase));
  },
};

function phaseOption(args: readonly string[]): Phase | "all" {
  const i = args.indexOf("--phase");
  if (i < 0) return "all";
  const p = args[i + 1];
  if (!p || !(PHASES as readonly string[]).includes(p)) {
    throw new ReplError(`--phase: expected one of ${PHASES.join(", ")}`);
  }
  return p as Phase;
}

const compare: Command = {
  name: "compare",
  usage: "compare [--phase P] NAME [NAME...]",
  summary: "compare the syscall profiles of loaded sessions",
  help: "Compares the syscall profiles (so far) of sessions side by side: calls per syscall " +
    "and per category, with deltas against the first. With one name, compares the current " +
    "session with it. See 'sessions' for names.",
  complete: (repl, words) =>
    words[words.length - 1] === "--phase" ? [...PHASES] : ["--phase", ...repl.sessions.keys()],
  run(repl, args) {
    const phase = phaseOption(args);
    const names = args.filter((a, i) => a !== "--phase" && args[i - 1] !== "--phase");
    if (names.length === 1 && repl.current) names.unshift(repl.current.name);
    if (names.length < 2) throw new ReplError("compare: name at least one other session");
    const list = names.map((n) => {
      const s = repl.sessions.get(n);
      if (!s) throw new ReplError(`compare: no session '${n}' (see: sessions)`);
      return s;
    });
    const text = compareText(list.map((s) => profileFromEvents(s.name, s.events)), phase);
    repl.comparisons.push({ names, text });
    repl.print(text);
  },
};

const tiers: Command = {
  name: "tiers",
  usage: "tiers [--trials] [--profiles LIST]",
  summary: "tier readiness of the current program under each profile",
  help: "Runs the current program (fresh processes, same options) under full as the reference " +
    "and under each profile (default basic, advanced, full; --profiles takes a comma list of " +
    "names or profile files), and reports whether it runs with identical output, what stops it " +
    "first, and which syscalls it uses that the profile lacks. --trials also tries stubbing each " +
    "syscall (0, then -ENOSYS) to tell stubbable ones from those that must be implemented (slow: " +
    "one run per syscall).",
  complete: (_r, words) =>
    words[words.length - 1] === "--profiles" ? ["basic,advanced,full"] : ["--trials", "--profiles"],
  async run(repl, args) {
    const s = repl.session();
    const i = args.indexOf("--profiles");
    const profiles = i >= 0
      ? (args[i + 1] ?? "").split(",").filter((x) => x !== "").map((p) =>
        BUILTIN_PROFILES.includes(p) ? p : profileFileJson(repl, p)
      )
      : undefined;
    const spec = s.spec;
    if (spec.stdin !== undefined && spec.stdin.length > 0) {
      throw new ReplError("tiers: programs reading stdin are not supported by the readiness runs");
    }
    const base = {
      label: s.name,
      program: repl.resolve(spec.program),
      args: spec.args ?? [],
      argv0: spec.argv0 ?? spec.program,
      cwd: spec.cwd ?? repl.cwd,
      sysroot: spec.sysroot,
      env: spec.env,
      cpus: spec.cpus,
      sched: spec.sched,
      maxInsns: spec.maxInsns,
    };
    const pool = new RunPool(0);
    let r: BinaryReadiness;
    try {
      r = await analyzeReadiness(pool, base, {
        profiles,
        trials: args.includes("--trials"),
        progress: (line) => repl.print(line),
      });
    } catch (e) {
      throw new ReplError((e as Error).message.split("\n")[0]);
    } finally {
      pool.close();
    }
    repl.print(readinessText(r));
  },
};

function profileFileJson(repl: Repl, path: string): Record<string, unknown> {
  try {
    return JSON.parse(Deno.readTextFileSync(repl.resolve(path)));
  } catch (e) {
    throw new ReplError(`--profiles: ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
}

const sessions: Command = {
  name: "sessions",
  usage: "sessions",
  summary: "loaded sessions",
  help: "Lists the loaded sessions (* is the current one) with their program and state.",
  run(repl) {
    if (repl.sessions.size === 0) {
      repl.print("no sessions (use: load PROGRAM)");
      return;
    }
    const rows = [...repl.sessions.values()].map((s) => [
      s === repl.current ? "*" : "",
      s.name,
      s.spec.program,
      profileName(s.spec.profile),
      s.ended
        ? `ended: status ${s.result!.status}`
        : `stopped at 0x${s.thread.hart.pc.toString(16)}`,
      s.kernel.instret,
    ]);
    repl.print(textTable(["", "name", "program", "profile", "state", "instret"], rows));
  },
};

/** A profile's name for display. */
export function profileName(p: string | Profile | undefined): string {
  return typeof p === "object" ? p.name : p ?? "full";
}

const use: Command = {
  name: "use",
  usage: "use NAME",
  summary: "make another session current",
  help: "Switches the current session (see: sessions).",
  complete: (repl) => [...repl.sessions.keys()],
  run(repl, args) {
    const s = repl.sessions.get(args[0] ?? "");
    if (!s) throw new ReplError(`use: no session '${args[0] ?? ""}' (see: sessions)`);
    repl.current = s;
    repl.print(`current session: ${s.name}`);
  },
};

const report: Command = {
  name: "report",
  usage: "report FILE.md",
  summary: "write a markdown report of this REPL session",
  help: "Writes a markdown report: the sessions (program, options, state, statistics, syscall " +
    "profile, breakpoints, the end of the trace), the comparisons shown, and the transcript of " +
    "every command with its output.",
  complete: (repl, _w, partial) => completePath(repl, partial),
  run(repl, args) {
    if (!args[0]) throw new ReplError("report: missing file name");
    const path = repl.resolve(args[0]);
    writeReport(repl, path);
    repl.print(`wrote ${args[0]}`);
  },
};

const js: Command = {
  name: "js",
  usage: "js EXPRESSION | .EXPRESSION",
  summary: "evaluate TypeScript/JavaScript against the live session",
  help: `Evaluates a TypeScript or JavaScript expression (or statements) and prints the result.
In scope: s (current session), k (its kernel), hart (selected thread's registers), mem
(guest memory), sessions (Map), repl, zkabi (the public API, mod.ts), $ (a scratch object that
keeps values between lines). Errors are printed; the session goes on. Examples:
  js k.threads.length        .hart.getX(10)        .$.pc = hart.pc        js zkabi.syscallName(64)`,
  raw: true,
  async run(repl, _args, rest) {
    const code = rest.trim();
    if (code === "") throw new ReplError("js: missing expression");
    const value = await evalJs(repl, code);
    repl.print(Deno.inspect(value, { depth: 3, colors: false, iterableLimit: 50 }));
  },
};

/** Evaluates `code` as an expression, else as statements, with the session objects in scope. */
export async function evalJs(repl: Repl, code: string): Promise<unknown> {
  const s = repl.current;
  (globalThis as Record<string, unknown>).__zkabiRepl = {
    s,
    k: s?.kernel,
    hart: s?.thread.hart,
    mem: s?.kernel.mem,
    sessions: repl.sessions,
    repl,
    zkabi,
    $: repl.scratch,
  };
  const prelude = "const { s, k, hart, mem, sessions, repl, zkabi, $ } = " +
    "(globalThis as any).__zkabiRepl;\n";
  const tryImport = async (body: string) => {
    // A unique comment: the module cache would otherwise return the first result again.
    const src = `// zkabi repl ${++repl.jsCount}\n${prelude}${body}`;
    const bytes = new TextEncoder().encode(src);
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    const m = await import(`data:application/typescript;base64,${btoa(bin)}`);
    return m.value;
  };
  try {
    return await tryImport(`export const value = await (\n${code}\n);\n`);
  } catch (e) {
    if (!isSyntaxError(e)) throw new ReplError(`js: ${errorText(e)}`);
  }
  try {
    return await tryImport(`export const value = await (async () => {\n${code}\n})();\n`);
  } catch (e) {
    throw new ReplError(`js: ${errorText(e)}`);
  }
}

function isSyntaxError(e: unknown): boolean {
  return e instanceof SyntaxError || /SyntaxError|Expected|expected|Unexpected/.test(String(e));
}

function errorText(e: unknown): string {
  const m = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return m.split("\n")[0].replace(/^TypeError: SyntaxError:/, "SyntaxError:");
}

const source: Command = {
  name: "source",
  usage: "source FILE",
  summary: "run the commands in a file",
  help: "Runs a file of REPL commands, one per line ('#' starts a comment). Stops at the first " +
    "failing command with file:line: error: message.",
  complete: (repl, _w, partial) => completePath(repl, partial),
  async run(repl, args) {
    if (!args[0]) throw new ReplError("source: missing file");
    const path = repl.resolve(args[0]);
    if (repl.sourcing.includes(path)) throw new ReplError(`source: ${args[0]} is already running`);
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (e) {
      throw new ReplError(`source: ${args[0]}: ${(e as Error).message.split("\n")[0]}`);
    }
    repl.sourcing.push(path);
    try {
      const lines = text.split("\n");
      for (let i = 0; i < lines.length; i++) {
        try {
          await repl.execute(lines[i]);
        } catch (e) {
          throw new ReplError(`${args[0]}:${i + 1}: ${(e as Error).message.split("\n")[0]}`);
        }
        if (repl.quitRequested) return;
      }
    } finally {
      repl.sourcing.pop();
    }
  },
};

const echo: Command = {
  name: "echo",
  usage: "echo TEXT",
  summary: "print text (for scripts)",
  help: "Prints the rest of the line.",
  raw: true,
  run(repl, _args, rest) {
    repl.print(rest);
  },
};

const auxv: Command = {
  name: "auxv",
  usage: "auxv",
  summary: "the auxiliary vector the process started with",
  help: "Shows the auxv entries (AT_ENTRY, AT_PHDR, AT_RANDOM, ...) from the initial stack.",
  run(repl) {
    const s = repl.session();
    const names: Record<number, string> = {
      3: "AT_PHDR",
      4: "AT_PHENT",
      5: "AT_PHNUM",
      6: "AT_PAGESZ",
      7: "AT_BASE",
      8: "AT_FLAGS",
      9: "AT_ENTRY",
      11: "AT_UID",
      12: "AT_EUID",
      13: "AT_GID",
      14: "AT_EGID",
      15: "AT_PLATFORM",
      16: "AT_HWCAP",
      17: "AT_CLKTCK",
      23: "AT_SECURE",
      25: "AT_RANDOM",
      26: "AT_HWCAP2",
      31: "AT_EXECFN",
      33: "AT_SYSINFO_EHDR",
      51: "AT_MINSIGSTKSZ",
    };
    const rows = [...s.auxv].map(([t, v]) => [names[t] ?? String(t), `0x${v.toString(16)}`, v]);
    repl.print(textTable(["type", "hex", "value"], rows, ["left", "left", "right"]));
  },
};

const info: Command = {
  name: "info",
  usage: "info registers|breakpoints|threads|functions|sessions|maps|auxv|stats [ARGS]",
  summary: "gdb's info: same as regs, breakpoints, threads, symbols, ...",
  help: "gdb-style spelling of other commands: info registers = regs, info breakpoints = " +
    "breakpoints, info threads = threads, info functions = symbols, info sharedlibrary = maps.",
  complete: (_r, words) =>
    words.length === 0
      ? ["registers", "breakpoints", "threads", "functions", "sessions", "maps", "auxv", "stats"]
      : [],
  async run(repl, args) {
    const map: Record<string, Command> = {
      registers: regs,
      all_registers: regs,
      breakpoints: breakpoints,
      break: breakpoints,
      threads: threads,
      functions: symbols,
      symbols: symbols,
      sessions: sessions,
      maps: maps,
      sharedlibrary: maps,
      proc: maps,
      auxv: auxv,
      stats: stats,
    };
    const c = map[args[0] ?? ""];
    if (!c) throw new ReplError(`info: expected one of ${Object.keys(map).join(", ")}`);
    await c.run(repl, args.slice(1), args.slice(1).join(" "));
  },
};

const quit: Command = {
  name: "quit",
  aliases: ["q", "exit"],
  usage: "quit",
  summary: "leave the REPL",
  help: "Leaves the REPL (Ctrl-D does too).",
  run(repl) {
    repl.quitRequested = true;
  },
};

/** Every command, in the order `help` lists them. */
export const COMMANDS: readonly Command[] = [
  help,
  load,
  runCmd,
  cont,
  step,
  finishCmd,
  breakCmd,
  breakpoints,
  deleteCmd,
  enableCommand("enable"),
  enableCommand("disable"),
  regs,
  setCmd,
  printCmd,
  examine,
  disas,
  threads,
  threadCmd,
  trace,
  stats,
  profile,
  compare,
  tiers,
  sessions,
  use,
  maps,
  symbols,
  auxv,
  info,
  report,
  js,
  source,
  echo,
  quit,
];
