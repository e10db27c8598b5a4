/**
 * The REPL's engine, independent of any terminal: it holds the loaded
 * sessions, runs one command line at a time ({@linkcode Repl.execute}),
 * completes partial lines ({@linkcode Repl.complete}) and keeps a
 * transcript for the markdown report. The line editor and the script runner
 * in `main.ts` drive it; tests can drive it directly.
 * @module
 */

import { type Command, COMMANDS } from "./commands.ts";
import type { DumpFormat } from "./format.ts";
import type { Session } from "./session.ts";

/** A command failed: the message is shown as `error: ...` (or `file:N: error: ...`). */
export class ReplError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ReplError";
  }
}

/** Options of a {@linkcode Repl}. */
export interface ReplOptions {
  /** Receives command output, one chunk per call (default: stdout). */
  write?: (text: string) => void;
  /** Receives guest stdout (default: the host's stdout). */
  guestStdout?: (b: Uint8Array) => void;
  /** Receives guest stderr (default: the host's stderr). */
  guestStderr?: (b: Uint8Array) => void;
  /** Directory relative paths are taken from (default `Deno.cwd()`). */
  cwd?: string;
  /** The repository, where bundled guests are (`load --guest`); default `cwd`. */
  root?: string;
}

/** One transcript entry: a command and everything it printed. */
export interface TranscriptEntry {
  /** The command line. */
  command: string;
  /** Its output (including guest output written while it ran). */
  output: string;
  /** The error message, if it failed. */
  error?: string;
}

/** A comparison done in the session, for the report. */
export interface ComparisonRecord {
  /** The sessions compared. */
  names: string[];
  /** The rendered table. */
  text: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The REPL state and command dispatcher. */
export class Repl {
  /** Loaded sessions by name, in load order. */
  readonly sessions: Map<string, Session> = new Map();
  /** The session commands act on. */
  current: Session | undefined;
  /** Every command run so far, with its output. */
  readonly transcript: TranscriptEntry[] = [];
  /** Comparisons shown so far. */
  readonly comparisons: ComparisonRecord[] = [];
  /** Scratch object for the JavaScript escape hatch (`$` there). */
  readonly scratch: Record<string, unknown> = {};
  /** Set by `quit`. */
  quitRequested = false;
  /** The last `x` format and the address after the last dump (for a bare `x`). */
  lastDump: { format: DumpFormat; next: number | undefined } = {
    format: { count: 1, format: "x", size: 4 },
    next: undefined,
  };
  /** Base directory for relative paths. */
  readonly cwd: string;
  /** The repository root (bundled guests). */
  readonly root: string;
  /** Script files being sourced (to refuse recursion). */
  readonly sourcing: string[] = [];
  readonly #write: (text: string) => void;
  readonly #guestStdout: (b: Uint8Array) => void;
  readonly #guestStderr: (b: Uint8Array) => void;
  #entry: TranscriptEntry | undefined;
  /** Counter that makes each JavaScript evaluation's module unique. */
  jsCount = 0;

  /** Creates a REPL with no session loaded. */
  constructor(options: ReplOptions = {}) {
    this.cwd = options.cwd ?? Deno.cwd();
    this.root = options.root ?? this.cwd;
    this.#write = options.write ?? ((t) => writeAll(Deno.stdout, encoder.encode(t)));
    this.#guestStdout = options.guestStdout ?? ((b) => writeAll(Deno.stdout, b));
    this.#guestStderr = options.guestStderr ?? ((b) => writeAll(Deno.stderr, b));
  }

  /** Prints `text` and a newline, recording it in the transcript. */
  print(text: string): void {
    const t = text.endsWith("\n") ? text : text + "\n";
    if (this.#entry) this.#entry.output += t;
    this.#write(t);
  }

  /** Guest stdout while a command runs: shown and recorded. */
  guestStdout(b: Uint8Array): void {
    if (this.#entry) this.#entry.output += decoder.decode(b);
    this.#guestStdout(b);
  }

  /** Guest stderr while a command runs: shown and recorded. */
  guestStderr(b: Uint8Array): void {
    if (this.#entry) this.#entry.output += decoder.decode(b);
    this.#guestStderr(b);
  }

  /** The current session, or a {@linkcode ReplError} when nothing is loaded. */
  session(): Session {
    if (!this.current) throw new ReplError("no program loaded (use: load PROGRAM [ARGS...])");
    return this.current;
  }

  /** A path relative to the REPL's directory made absolute. */
  resolve(path: string): string {
    return path.startsWith("/") ? path : `${this.cwd.replace(/\/$/, "")}/${path}`;
  }

  /**
   * Runs one command line. Blank lines and `#` comments do nothing. Throws
   * on failure ({@linkcode ReplError} for user errors; anything else is a
   * bug, shown with its message too).
   */
  async execute(line: string): Promise<void> {
    const text = line.trim();
    if (text === "" || text.startsWith("#")) return;
    const entry: TranscriptEntry = { command: text, output: "" };
    const outer = this.#entry;
    if (!outer) this.transcript.push(entry);
    this.#entry = outer ?? entry;
    try {
      const { command, args, rest } = parseLine(text);
      await command.run(this, args, rest);
    } catch (e) {
      if (!outer) entry.error = errorMessage(e);
      throw e;
    } finally {
      this.#entry = outer;
    }
  }

  /**
   * Completions for the end of `line`: the candidates and the partial word
   * they replace (node:readline's completer contract).
   */
  complete(line: string): [string[], string] {
    const words = splitWords(line, true);
    const partial = line.length > 0 && /\s$/.test(line) ? "" : words.pop() ?? "";
    if (words.length === 0) {
      const names = [...new Set(COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]))].sort();
      return [names.filter((n) => n.startsWith(partial)), partial];
    }
    const cmd = findCommand(words[0].replace(/\/.*$/, ""));
    if (!cmd?.complete) return [[], partial];
    let list: string[];
    try {
      list = cmd.complete(this, words.slice(1), partial);
    } catch {
      list = [];
    }
    return [[...new Set(list.filter((c) => c.startsWith(partial)))].sort(), partial];
  }
}

/** The message of an error as the REPL shows it. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.split("\n")[0] || e.name;
  return String(e);
}

/** A command by name or alias. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

/** Splits a command line into the command, its words, and the raw text after the command word. */
export function parseLine(text: string): { command: Command; args: string[]; rest: string } {
  if (text.startsWith(".")) {
    return { command: findCommand("js")!, args: [], rest: text.slice(1) };
  }
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  let name = m[1];
  let rest = m[2];
  // gdb's x/FMT and p/FMT: the format is the first argument.
  const slash = name.indexOf("/");
  if (slash > 0) {
    rest = `${name.slice(slash)} ${rest}`.trim();
    name = name.slice(0, slash);
  }
  const command = findCommand(name);
  if (!command) throw new ReplError(`unknown command '${name}' (try: help)`);
  const args = command.raw ? [] : splitWords(rest, false);
  return { command, args, rest };
}

/**
 * Splits words like a shell: whitespace separates, single and double quotes
 * group, backslash escapes. With `lenient`, an unclosed quote is closed
 * (for completion of a partial line).
 */
export function splitWords(text: string, lenient: boolean): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote && !lenient) throw new ReplError(`unclosed ${quote} in: ${text}`);
  if (inWord) out.push(cur);
  return out;
}

function writeAll(w: { writeSync(b: Uint8Array): number }, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += w.writeSync(b.subarray(off));
}
