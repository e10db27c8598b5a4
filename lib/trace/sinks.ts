/**
 * Trace outputs for a run, as the CLI's `--strace[=FILE]` and
 * `--trace-json FILE` ask for them: opens the files, attaches the writers to
 * the kernel, and writes the closing line when the run ends.
 * @module
 */

import type { Kernel } from "../kernel/kernel.ts";
import type { RunResult } from "../run/run.ts";
import type { TraceEvent } from "./events.ts";

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
  return {
    attach(k: Kernel) {
      const prev = k.options.tracer;
      k.options.tracer = (e: TraceEvent) => {
        prev?.(e);
        if (strace) strace.write(simpleLine(e));
        if (json) {
          json.write(
            JSON.stringify(e, (_k, v) => typeof v === "bigint" ? `0x${v.toString(16)}` : v),
          );
        }
      };
    },
    finish(r: RunResult) {
      if (strace) {
        strace.write(
          r.end.kind === "signal"
            ? `+++ killed by signal ${r.end.signo} +++`
            : `+++ exited with ${r.status} +++`,
        );
        strace.close();
      }
      json?.close();
    },
  };
}

function simpleLine(e: TraceEvent): string {
  if (e.kind === "signal") return `--- signal ${e.signo} ---`;
  const args = e.args.map((a) => `0x${a.toString(16)}`).join(", ");
  return `${e.name}(${args}) = ${e.result === undefined ? "?" : e.result}`;
}
