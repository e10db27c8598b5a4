/**
 * Tier profiles: data that says, per syscall, whether the dispatcher
 * emulates it, answers it with a fixed result (stub), or refuses it (deny),
 * and what happens to syscalls the profile does not list.
 *
 * File format (JSON):
 * ```json
 * {
 *   "name": "my-zkvm",
 *   "description": "what this profile models",
 *   "source": "where the facts come from (for profiles of other VMs)",
 *   "extends": "basic",
 *   "unlisted": "stop",
 *   "vdso": false,
 *   "syscalls": {
 *     "read": "emulate",
 *     "rseq": { "action": "stub", "result": -38 },
 *     "clone": "deny"
 *   }
 * }
 * ```
 * `unlisted` is `stop` (end the run with a diagnostic) or `enosys` (return
 * -ENOSYS and go on). `extends` names a built-in profile (basic, advanced,
 * full) whose entries this one starts from. `emulateAll` (built-in `full`
 * only) emulates every syscall zkabi implements. `vdso` (default true, as
 * Linux) says whether the process gets a vDSO; a zkVM without one sets it
 * false, and every clock read becomes a syscall.
 * @module
 */

import { syscallNumber } from "../kernel/syscalls.ts";

import basicJson from "./profiles/basic.json" with { type: "json" };
import advancedJson from "./profiles/advanced.json" with { type: "json" };
import fullJson from "./profiles/full.json" with { type: "json" };

/** What the dispatcher does with one syscall. */
export type SyscallAction =
  | { action: "emulate" }
  | { action: "stub"; result: number }
  | { action: "deny" };

/** A validated profile. */
export interface Profile {
  /** Profile name. */
  name: string;
  /** What it models. */
  description: string;
  /** Where its facts come from. */
  source: string;
  /** Policy for syscalls not listed. */
  unlisted: "stop" | "enosys";
  /** Emulate every implemented syscall not listed otherwise. */
  emulateAll: boolean;
  /** Per-syscall actions. */
  syscalls: Map<string, SyscallAction>;
  /** Whether the process gets a vDSO (undefined: the run's default, on). */
  vdso?: boolean;
}

/** A profile file that is not valid: the message names the file and the key. */
export class ProfileError extends Error {
  /** Creates the error with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "ProfileError";
  }
}

/** Names of the built-in profiles. */
export const BUILTIN_PROFILES: readonly string[] = ["basic", "advanced", "full"];

const BUILTIN_JSON: Record<string, unknown> = {
  basic: basicJson,
  advanced: advancedJson,
  full: fullJson,
};

/** A built-in profile by name. */
export function builtinProfile(name: string): Profile {
  const json = BUILTIN_JSON[name];
  if (!json) {
    throw new ProfileError(
      `unknown tier '${name}' (expected one of ${BUILTIN_PROFILES.join(", ")})`,
    );
  }
  return parseProfile(json, `built-in profile ${name}`);
}

/** Reads and validates a profile file. */
export async function loadProfile(path: string): Promise<Profile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ProfileError(`${path}: cannot read profile (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseProfile(json, path);
}

/**
 * Validates a parsed profile. `where` names the file in error messages.
 * Unknown syscall names, actions, keys and types are errors.
 */
export function parseProfile(json: unknown, where: string): Profile {
  const fail = (key: string, msg: string): never => {
    throw new ProfileError(`${where}: key '${key}': ${msg}`);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ProfileError(`${where}: a profile must be a JSON object`);
  }
  const o = json as Record<string, unknown>;
  const known = [
    "name",
    "description",
    "source",
    "extends",
    "unlisted",
    "emulateAll",
    "vdso",
    "syscalls",
  ];
  for (const k of Object.keys(o)) if (!known.includes(k)) fail(k, "unknown key");
  const str = (k: string, required: boolean): string => {
    const v = o[k];
    if (v === undefined) return required ? fail(k, "missing") : "";
    return typeof v === "string" ? v : fail(k, "must be a string");
  };
  const name = str("name", true);
  const base = o.extends === undefined ? undefined : builtinProfile(str("extends", false));
  const unlistedRaw = o.unlisted ?? base?.unlisted ?? "stop";
  if (unlistedRaw !== "stop" && unlistedRaw !== "enosys") {
    fail("unlisted", `must be "stop" or "enosys", not ${JSON.stringify(unlistedRaw)}`);
  }
  if (o.emulateAll !== undefined && typeof o.emulateAll !== "boolean") {
    fail("emulateAll", "must be true or false");
  }
  if (o.vdso !== undefined && typeof o.vdso !== "boolean") fail("vdso", "must be true or false");
  const syscalls = new Map(base?.syscalls ?? []);
  const table = o.syscalls ?? {};
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    fail("syscalls", "must be an object mapping syscall names to actions");
  }
  for (const [sc, v] of Object.entries(table as Record<string, unknown>)) {
    const key = `syscalls.${sc}`;
    if (syscallNumber(sc) === undefined) fail(key, "not a riscv64 Linux syscall name");
    syscalls.set(sc, parseAction(v, key, fail));
  }
  return {
    name,
    description: str("description", false),
    source: str("source", false),
    unlisted: unlistedRaw as "stop" | "enosys",
    emulateAll: (o.emulateAll as boolean | undefined) ?? base?.emulateAll ?? false,
    syscalls,
    ...(o.vdso !== undefined || base?.vdso !== undefined
      ? { vdso: (o.vdso as boolean | undefined) ?? base?.vdso }
      : {}),
  };
}

function parseAction(
  v: unknown,
  key: string,
  fail: (key: string, msg: string) => never,
): SyscallAction {
  if (v === "emulate" || v === "deny") return { action: v };
  if (v === "stub") return { action: "stub", result: 0 };
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const a = v as Record<string, unknown>;
    for (const k of Object.keys(a)) {
      if (k !== "action" && k !== "result") fail(`${key}.${k}`, "unknown key");
    }
    if (a.action === "emulate" || a.action === "deny") return { action: a.action };
    if (a.action !== "stub") fail(`${key}.action`, 'must be "emulate", "stub" or "deny"');
    const r = a.result ?? 0;
    if (typeof r !== "number" || !Number.isSafeInteger(r)) {
      fail(`${key}.result`, "must be an integer (negative for -errno)");
    }
    return { action: "stub", result: r as number };
  }
  return fail(key, `action must be "emulate", "stub", "deny" or {"action": "stub", "result": N}`);
}

/** Serializes a profile back to its file form (for reports and `zkabi tiers`). */
export function profileToJson(p: Profile): Record<string, unknown> {
  const syscalls: Record<string, unknown> = {};
  for (const [k, v] of [...p.syscalls].sort(([a], [b]) => a.localeCompare(b))) {
    syscalls[k] = v.action === "stub" ? { action: "stub", result: v.result } : v.action;
  }
  return {
    name: p.name,
    description: p.description,
    source: p.source,
    unlisted: p.unlisted,
    ...(p.emulateAll ? { emulateAll: true } : {}),
    ...(p.vdso !== undefined ? { vdso: p.vdso } : {}),
    syscalls,
  };
}
