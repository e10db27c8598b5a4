/**
 * A run's output files, as the CLI's `--strace[=FILE]`, `--trace-json FILE`
 * and `--stats FILE` ask for them.
 *
 * Every file is opened (created if missing, *not* truncated) by
 * {@linkcode openOutputs}, before the program is even loaded, so a path
 * that cannot be written fails at once with one line and exit status 125,
 * before the guest runs (the guest's exit status is never lost to a bad
 * path). A file is emptied only when the run really starts (the runner
 * makes the trace writers after loading the program) or, for the
 * statistics, when they are written after the run. So a run that does not
 * start (a missing program, a bad option found later) leaves existing files
 * as they were and removes the files it created ({@linkcode RunOutputs.abandon}).
 *
 * Trace lines are buffered (512 at a time) and flushed when the run ends,
 * including when zkabi is interrupted (the CLI ends the run and finishes
 * the writers); {@linkcode RunOutputs.close} flushes whatever is left. A
 * write that fails (a full disk) stops that output and is reported by
 * {@linkcode RunOutputs.failures}.
 * @module
 */

import type { TraceEvent, TraceWriter } from "../kernel/events.ts";
import type { RunEnd } from "../kernel/kernel.ts";
import type { TraceSource } from "../kernel/tracee.ts";
import { createJsonWriter } from "./json.ts";
import { createStraceWriter } from "./strace.ts";

/** Which trace outputs to produce. */
export interface TraceOutputs {
  /** strace text: "" for stderr, else a file path. */
  strace?: string;
  /** JSON lines file path. */
  traceJson?: string;
}

/** Every output of a run. */
export interface RunOutputPaths extends TraceOutputs {
  /** Statistics JSON file path. */
  stats?: string;
}

/** Makes a trace writer for a process (the runner calls it before the run). */
export type TraceWriterFactory = (src: TraceSource) => TraceWriter;

/** An output file that cannot be opened for writing: one line, exit status 125. */
export class OutputError extends Error {
  /** zkabi's exit status for it. */
  readonly code = 125;

  /** Creates the error with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "OutputError";
  }
}

const encoder = new TextEncoder();

/** Lines buffered before a write. */
const BATCH = 512;

/** The reason in an error's message: its first line, without Deno's "(os error N): op 'path'". */
function why(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  const os = text.indexOf(" (os error");
  return os > 0 ? text.slice(0, os) : text;
}

/** One output file, opened before the run and emptied when the run starts. */
class OutputFile {
  readonly #flag: string;
  readonly #path: string;
  #file: Deno.FsFile | undefined;
  readonly #created: boolean;
  #started = false;
  /** Why writing failed, once it has. */
  failure: string | undefined;

  /** Opens `path` for `flag` (create, no truncation); throws {@linkcode OutputError}. */
  constructor(flag: string, path: string) {
    this.#flag = flag;
    this.#path = path;
    let existed = true;
    try {
      Deno.lstatSync(path);
    } catch {
      existed = false;
    }
    try {
      this.#file = Deno.openSync(path, { write: true, create: true });
    } catch (e) {
      throw new OutputError(`${flag}: cannot write '${path}': ${why(e)}`);
    }
    this.#created = !existed;
  }

  /** The run starts: the file is emptied (regular files; devices and FIFOs as they are). */
  start(): void {
    if (this.#started || !this.#file) return;
    this.#started = true;
    try {
      if (this.#file.statSync().isFile) this.#file.truncateSync(0);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Writes `bytes` in full, or records the failure and stops writing. */
  write(bytes: Uint8Array): void {
    this.start();
    if (!this.#file || this.failure) return;
    try {
      let off = 0;
      while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
    } catch (e) {
      this.#fail(e);
    }
  }

  #fail(e: unknown): void {
    this.failure = `${this.#flag}: writing '${this.#path}' failed: ${why(e)}`;
  }

  /** Closes the file (idempotent). */
  close(): void {
    try {
      this.#file?.close();
    } catch {
      // Already closed.
    }
    this.#file = undefined;
  }

  /** The run never started: closes the file and removes it if this created it. */
  abandon(): void {
    this.close();
    if (this.#created && !this.#started) {
      try {
        Deno.removeSync(this.#path);
      } catch {
        // Gone already.
      }
    }
  }
}

/** Lines to a file (buffered) or to stderr (at once). */
interface LineSink {
  write(line: string): void;
  flush(): void;
}

function stderrSink(): LineSink & { failure?: string } {
  const sink: LineSink & { failure?: string } = {
    write: (line) => {
      if (sink.failure) return;
      try {
        const b = encoder.encode(line + "\n");
        let off = 0;
        while (off < b.length) off += Deno.stderr.writeSync(b.subarray(off));
      } catch (e) {
        sink.failure = `--strace: writing to stderr failed: ${why(e)}`;
      }
    },
    flush: () => {},
  };
  return sink;
}

function fileSink(file: OutputFile): LineSink {
  const pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const bytes = encoder.encode(pending.join(""));
    pending.length = 0;
    file.write(bytes);
  };
  return {
    write: (line) => {
      pending.push(line + "\n");
      if (pending.length >= BATCH) flush();
    },
    flush,
  };
}

/** A run's outputs, opened by {@linkcode openOutputs}. */
export interface RunOutputs {
  /** Trace writer factories for `run({ writers })`: each empties its file and starts tracing. */
  readonly writers: TraceWriterFactory[];
  /** Writes the statistics file (if one was asked for). */
  writeStats(stats: unknown): void;
  /** Flushes buffered lines and closes every file (idempotent). */
  close(): void;
  /** The run did not start: closes every file and removes those this created. */
  abandon(): void;
  /** One-line messages for outputs whose writing failed. */
  failures(): string[];
}

/**
 * Opens every requested output now (created if missing, not truncated):
 * throws {@linkcode OutputError} for a path that cannot be written.
 */
export function openOutputs(outputs: RunOutputPaths): RunOutputs {
  const files: OutputFile[] = [];
  const sinks: LineSink[] = [];
  const errSinks: { failure?: string }[] = [];
  const open = (flag: string, path: string): OutputFile => {
    try {
      const f = new OutputFile(flag, path);
      files.push(f);
      return f;
    } catch (e) {
      for (const f of files) f.abandon();
      throw e;
    }
  };
  const writers: TraceWriterFactory[] = [];
  if (outputs.strace !== undefined) {
    let sink: LineSink;
    let file: OutputFile | undefined;
    if (outputs.strace === "") {
      const s = stderrSink();
      errSinks.push(s);
      sink = s;
    } else {
      file = open("--strace", outputs.strace);
      sink = fileSink(file);
    }
    sinks.push(sink);
    writers.push((src) => {
      file?.start();
      const w = createStraceWriter(src, sink.write);
      const writer = ((e: TraceEvent) => w(e)) as TraceWriter;
      writer.finish = (end: RunEnd) => {
        w.finish(end);
        sink.flush();
        file?.close();
      };
      return writer;
    });
  }
  if (outputs.traceJson !== undefined) {
    const file = open("--trace-json", outputs.traceJson);
    const sink = fileSink(file);
    sinks.push(sink);
    writers.push(() => {
      file.start();
      const writer = createJsonWriter(sink.write) as TraceWriter;
      writer.finish = () => {
        sink.flush();
        file.close();
      };
      return writer;
    });
  }
  const stats = outputs.stats === undefined ? undefined : open("--stats", outputs.stats);
  return {
    writers,
    writeStats: (s) => {
      if (!stats) return;
      stats.start();
      stats.write(encoder.encode(JSON.stringify(s, null, 2) + "\n"));
    },
    close: () => {
      for (const s of sinks) s.flush();
      for (const f of files) f.close();
    },
    abandon: () => {
      for (const f of files) f.abandon();
    },
    failures: () =>
      [...files.map((f) => f.failure), ...errSinks.map((s) => s.failure)].filter(
        (x): x is string => x !== undefined,
      ),
  };
}

/**
 * Opens the requested trace outputs now and returns a writer factory for
 * each (see {@linkcode openOutputs}, which also covers the statistics and
 * lets the caller close or abandon the files).
 */
export function traceWriters(outputs: TraceOutputs): TraceWriterFactory[] {
  return openOutputs(outputs).writers;
}
