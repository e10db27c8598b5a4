/**
 * Worker thread of {@linkcode RunPool}: runs one {@linkcode RunRequest} per
 * message and posts back its digest (or a one-line error).
 * @module
 */

import { executeRun, type RunRequest } from "./runner.ts";

/** The worker's global scope, as far as this module uses it. */
interface WorkerScope {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(m: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (ev: MessageEvent) => {
  try {
    scope.postMessage({ ok: true, digest: executeRun(ev.data as RunRequest) });
  } catch (e) {
    scope.postMessage({ ok: false, error: (e as Error).message });
  }
};
