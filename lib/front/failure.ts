/**
 * One way the command line reports what went wrong: bad input, a run that
 * could not start, an output that could not be written, or a bug in zkabi.
 * @module
 */

import { ProfileError } from "../dispatch/profile.ts";
import { RunError } from "../run/run.ts";
import { OutputError } from "../trace/sinks.ts";
import { UsageError } from "./flags.ts";

/**
 * Writes the one-line message for `e` to stderr and returns the exit
 * status: 125 for usage errors and bugs (`ZKABI_DEBUG=1` adds the stack),
 * the error's own code for runs and outputs.
 */
export function failureStatus(e: unknown): number {
  if (e instanceof UsageError || e instanceof ProfileError) {
    console.error(`zkabi: ${e.message}`);
    return 125;
  }
  if (e instanceof RunError || e instanceof OutputError) {
    console.error(`zkabi: ${e.message}`);
    return e.code;
  }
  const text = e instanceof Error ? e.message.split("\n")[0] : String(e);
  console.error(`zkabi: internal error: ${text}`);
  let debug = false;
  try {
    debug = Deno.env.get("ZKABI_DEBUG") !== undefined;
  } catch {
    // No environment access: no stack.
  }
  if (debug) console.error(e instanceof Error ? e.stack : e);
  return 125;
}
