/**
 * JSON-lines trace: one JSON object per trace event per line (the CLI's
 * `--trace-json`). Output is deterministic byte for byte: keys come in a
 * fixed order (the field order of `events.ts`, then any other keys sorted),
 * bigints (the raw syscall arguments) are written as hex strings (`"0x1f"`),
 * a syscall that did not return has `"result": null`, and absent optional
 * fields are left out.
 *
 * ```
 * {"kind":"syscall","seq":0,"tid":1000,"nr":64,"name":"write","args":["0x1","0x12078","0x26","0x0","0x0","0x0"],"result":38,"route":"emulate","pc":65620,"fn":"main","instret":1234,"phase":"app","blocked":false}
 * ```
 * @module
 */

import type { TraceEvent } from "../kernel/events.ts";

/** Key order of syscall events. */
const SYSCALL_KEYS: readonly string[] = [
  "kind",
  "seq",
  "tid",
  "nr",
  "name",
  "args",
  "result",
  "route",
  "pc",
  "fn",
  "instret",
  "phase",
  "blocked",
  "entry",
  "text",
];

/** Key order of signal events. */
const SIGNAL_KEYS: readonly string[] = [
  "kind",
  "seq",
  "tid",
  "signo",
  "code",
  "action",
  "instret",
  "pid",
  "uid",
  "addr",
];

/** Fields written as null rather than left out when undefined. */
const ALWAYS: ReadonlySet<string> = new Set(["result"]);

function value(v: unknown): string {
  if (typeof v === "bigint") return JSON.stringify(`0x${v.toString(16)}`);
  if (v === undefined || v === null) return "null";
  if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : "null";
  if (Array.isArray(v)) return `[${v.map(value).join(",")}]`;
  if (typeof v === "object") return object(v as Record<string, unknown>, []);
  return JSON.stringify(v);
}

function object(o: Record<string, unknown>, order: readonly string[]): string {
  const keys = [
    ...order.filter((k) => k in o),
    ...Object.keys(o).filter((k) => !order.includes(k)).sort(),
  ];
  const parts: string[] = [];
  for (const k of keys) {
    const v = o[k];
    if (v === undefined && !ALWAYS.has(k)) continue;
    parts.push(`${JSON.stringify(k)}:${value(v)}`);
  }
  return `{${parts.join(",")}}`;
}

/** One event as its JSON line (without the newline). */
export function eventJson(e: TraceEvent): string {
  const o = e as unknown as Record<string, unknown>;
  return object(o, e.kind === "syscall" ? SYSCALL_KEYS : SIGNAL_KEYS);
}

/** Creates a tracer writing one JSON line per event to `sink` (without newlines). */
export function createJsonWriter(sink: (line: string) => void): (e: TraceEvent) => void {
  return (e) => sink(eventJson(e));
}
