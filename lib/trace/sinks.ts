/**
 * Trace outputs for a run, as the CLI's `--strace[=FILE]` and
 * `--trace-json FILE` ask for them: opens the files before the run (so a
 * bad path fails before the guest starts) and gives the runner one trace
 * writer per output, which writes the closing line and closes its file when
 * the run ends.
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

/** Makes a trace writer for a process (the runner calls it before the run). */
export type TraceWriterFactory = (src: TraceSource) => TraceWriter;

const encoder = new TextEncoder();

/** A line sink writing to a file (created or truncated) or to stderr. */
function lineSink(path: string): { write(line: string): void; close(): void } {
  if (path === "") {
    return {
      write: (line) => Deno.stderr.writeSync(encoder.encode(line + "\n")),
      close: () => {},
    };
  }
  const file = Deno.openSync(path, { write: true, create: true, truncate: true });
  const pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const bytes = encoder.encode(pending.join(""));
    pending.length = 0;
    let off = 0;
    while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
  };
  return {
    write: (line) => {
      pending.push(line + "\n");
      if (pending.length >= 512) flush();
    },
    close: () => {
      flush();
      file.close();
    },
  };
}

/** Opens the requested outputs now and returns a writer factory for each. */
export function traceWriters(outputs: TraceOutputs): TraceWriterFactory[] {
  const out: TraceWriterFactory[] = [];
  if (outputs.strace !== undefined) {
    const sink = lineSink(outputs.strace);
    out.push((src) => {
      const w = createStraceWriter(src, sink.write);
      const writer = ((e: TraceEvent) => w(e)) as TraceWriter;
      writer.finish = (end: RunEnd) => {
        w.finish(end);
        sink.close();
      };
      return writer;
    });
  }
  if (outputs.traceJson !== undefined) {
    const sink = lineSink(outputs.traceJson);
    out.push(() => {
      const writer = createJsonWriter(sink.write) as TraceWriter;
      writer.finish = () => sink.close();
      return writer;
    });
  }
  return out;
}
