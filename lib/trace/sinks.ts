/**
 * Trace outputs for a run, as the CLI's `--strace[=FILE]` and
 * `--trace-json FILE` ask for them: opens the files, attaches the writers to
 * the kernel, and writes the closing line when the run ends.
 * @module
 */

import type { Kernel } from "../kernel/kernel.ts";
import type { RunResult } from "../run/run.ts";
import type { TraceEvent } from "./events.ts";
import { createJsonWriter } from "./json.ts";
import { createStraceWriter, type StraceWriter } from "./strace.ts";

/** Which trace outputs to produce. */
export interface TraceOutputs {
  /** strace text: "" for stderr, else a file path. */
  strace?: string;
  /** JSON lines file path. */
  traceJson?: string;
}

/** Attached trace outputs. */
export interface TraceSinks {
  /** Installs the writers on the kernel before the run. */
  attach(k: Kernel): void;
  /** Writes closing lines and closes files after the run. */
  finish(r: RunResult): void;
}

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

/** Opens the requested outputs (before the run, so a bad path fails early). */
export function traceWriters(outputs: TraceOutputs): TraceSinks {
  const strace = outputs.strace === undefined ? undefined : lineSink(outputs.strace);
  const json = outputs.traceJson === undefined ? undefined : lineSink(outputs.traceJson);
  let writer: StraceWriter | undefined;
  return {
    attach(k: Kernel) {
      const prev = k.options.tracer;
      writer = strace && createStraceWriter(k, strace.write);
      const jsonWriter = json && createJsonWriter(json.write);
      k.options.tracer = (e: TraceEvent) => {
        prev?.(e);
        writer?.(e);
        jsonWriter?.(e);
      };
    },
    finish(r: RunResult) {
      writer?.finish(r.end);
      strace?.close();
      json?.close();
    },
  };
}
