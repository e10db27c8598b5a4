/**
 * Tier readiness, found by running: for one binary and a set of profiles,
 * does it run to completion with the same stdout, stderr and exit status as
 * under `full`; what stops it first; which syscalls it uses that the
 * profile lacks; and which of those a zkVM could stub.
 *
 * Method:
 * 1. Reference: the binary under `full` (every syscall zkabi implements).
 *    Its syscall set is what the binary uses.
 * 2. Stub trials: for every syscall used, run under `full` with only that
 *    syscall answered by a fixed result, trying {@linkcode STUB_RESULTS}
 *    (0, then -ENOSYS) in order until one gives output and status
 *    identical to the reference (and, when it has side effects, the next
 *    one is tried too) without making the program issue any
 *    syscall the reference never issued (a fallback path, e.g. `exit` after
 *    a stubbed `exit_group`, moves the need elsewhere instead of removing
 *    it). A syscall with a working result is *stubbable*; one with none
 *    *must be implemented*. Trials stop early when an output diverges, and
 *    are capped at 1.25 times the reference's instructions plus 5 M and at
 *    10 times its ECALLs plus 10,000 (a livelock counts as a failure).
 * 3. Each profile: run under it as is (outcome and first blocker). Then,
 *    when every syscall it lacks is stubbable, run it again with those
 *    stubs added (individually stubbable calls may still fail together; the
 *    combined run decides).
 * 4. Side effects: a trial whose output is identical may still change how
 *    the program runs: stubbing `sched_getaffinity` makes Go see one CPU
 *    (fewer threads), stubbing `tgkill` removes preemption signals. Every
 *    trial records its effects against the reference (instructions,
 *    threads, signals delivered, context switches, syscalls issued, and the
 *    syscalls it induced or no longer made); a trial that changes threads
 *    or signals is *stubbable with side effects*.
 * 5. Two sufficient profiles, each verified by a run: *sufficient* (emulate
 *    what must be implemented, stub every stubbable call with its working
 *    result, stop on anything else) and *faithful* (stub only the calls
 *    whose trials had no side effects, so the program keeps its threads
 *    and signals). They are sufficient, not minimal: the trials stub one
 *    syscall at a time, and stubbing several can interact (the verification
 *    run decides); the run also tells which emulated calls the program no
 *    longer makes under the profile (after a stubbed `tgkill` no signal
 *    arrives, so `rt_sigreturn` is never called).
 * 6. The smallest profile is the first of basic, basic+stubs, advanced,
 *    advanced+stubs, full that runs correctly.
 * @module
 */

import { builtinProfile, parseProfile, type Profile, profileToJson } from "../dispatch/profile.ts";
import type { Phase } from "../kernel/events.ts";
import { SYSCALLS } from "../kernel/syscalls.ts";
import type { RunDigest, RunPool, RunRequest } from "./runner.ts";

/** Stub results tried, in order: 0, then -ENOSYS. */
export const STUB_RESULTS: readonly number[] = [0, -38];

/** What a run gives compared with the reference. */
export interface Outcome {
  /** True when status, stdout and stderr are identical to the reference and it exited. */
  ok: boolean;
  /** One-line description: `identical output`, `stops at clone (startup)`, `exit 2: fatal error: …`. */
  text: string;
  /** Instructions retired. */
  instret: number;
}

/** How a run differs from the reference beyond its output. */
export interface Effects {
  /** Instructions, minus the reference's. */
  instret: number;
  /** Threads created, minus the reference's. */
  threads: number;
  /** Signals delivered, minus the reference's. */
  signals: number;
  /** Context switches, minus the reference's. */
  switches: number;
  /** Syscalls issued, minus the reference's. */
  syscalls: number;
  /** Syscalls the run issued that the reference never did. */
  induced: string[];
  /** Syscalls the reference issued that the run did not. */
  vanished: string[];
  /** Per syscall whose count changed: the run's count minus the reference's. */
  changed: Record<string, number>;
}

/** One stub trial. */
export interface StubTrial {
  /** The syscall stubbed. */
  syscall: string;
  /** The fixed result it returned. */
  result: number;
  /** What happened (ok only when identical and no new syscall was needed). */
  outcome: Outcome;
  /** Syscalls the trial run issued that the reference never did (e.g. a fallback path). */
  induced: string[];
  /** Effects against the reference (complete for runs that went to their end). */
  effects: Effects;
  /** An ok trial that changed threads or signals delivered. */
  sideEffects: boolean;
}

/** A sufficient profile and its verification run. */
export interface SufficientProfile {
  /** The profile (file form). */
  profile: Record<string, unknown>;
  /** The verification run. */
  outcome: Outcome;
  /** Its effects against the reference. */
  effects: Effects;
  /** Syscalls the profile emulates that the verification run never made. */
  unusedEmulated: string[];
}

/** How a profile treats a syscall. */
export type Coverage = "emulate" | "stub" | "deny" | "stop" | "enosys" | "unimplemented";

/** Readiness of one binary under one profile. */
export interface ProfileReadiness {
  /** Profile name. */
  profile: string;
  /** The run under the profile as is. */
  outcome: Outcome;
  /** The call that stopped it (deny or unlisted-stop), if any. */
  firstBlocker?: { syscall: string; phase: Phase };
  /** Used syscalls the profile neither emulates nor stubs, with how it treats them. */
  outside: { syscall: string; coverage: Coverage }[];
  /** Of those, the stubbable ones and their working result. */
  stubbable: { syscall: string; result: number }[];
  /** Of those, the ones no stub result made work. */
  mustImplement: string[];
  /** The run with stubs added for the stubbable ones (when nothing must be implemented). */
  withStubs?: Outcome;
}

/** Everything found for one binary. */
export interface BinaryReadiness {
  /** The binary's id. */
  binary: string;
  /** The reference run under full. */
  reference: Outcome & { status: number; stdoutSha256: string };
  /** Syscalls the reference used, sorted. */
  used: string[];
  /** Stub trials, sorted by syscall then order tried. */
  trials: StubTrial[];
  /** Per profile. */
  profiles: ProfileReadiness[];
  /** Emulate what must be implemented, stub everything stubbable (see the module doc). */
  sufficient: SufficientProfile;
  /** Stub only what has no side effects (see the module doc). */
  faithful: SufficientProfile;
  /** The smallest of basic, basic+stubs, advanced, advanced+stubs, full that runs correctly. */
  smallest: string;
}

/** Options of {@linkcode analyzeReadiness}. */
export interface ReadinessOptions {
  /** Profiles to assess, in file form or built-in names (default basic, advanced, full). */
  profiles?: (string | Record<string, unknown>)[];
  /** The reference digest if already run (under full, same base request). */
  reference?: RunDigest;
  /** Progress callback. */
  progress?: (line: string) => void;
  /** Run the stub trials (default true); without them only the profiles are run. */
  trials?: boolean;
}

/** Effects of run `d` against the reference `ref`. */
export function effectsOf(d: RunDigest, ref: RunDigest): Effects {
  const used = new Set(Object.keys(ref.profile.syscalls));
  const now = new Set(Object.keys(d.profile.syscalls));
  const changed: Record<string, number> = {};
  for (const n of [...new Set([...used, ...now])].sort()) {
    const delta = (d.profile.syscalls[n]?.count ?? 0) - (ref.profile.syscalls[n]?.count ?? 0);
    if (delta !== 0) changed[n] = delta;
  }
  return {
    instret: d.instret - ref.instret,
    threads: d.threads - ref.threads,
    signals: d.signalsDelivered - ref.signalsDelivered,
    switches: d.contextSwitches - ref.contextSwitches,
    syscalls: d.profile.total - ref.profile.total,
    induced: [...now].filter((n) => !used.has(n)).sort(),
    vanished: [...used].filter((n) => !now.has(n)).sort(),
    changed,
  };
}

/** Compares a run with the reference. */
export function outcomeOf(d: RunDigest, ref: RunDigest): Outcome {
  const same = d.end === "exit" && d.status === ref.status &&
    d.stdoutSha256 === ref.stdoutSha256 && d.stderrSha256 === ref.stderrSha256;
  if (same) return { ok: true, text: "identical output", instret: d.instret };
  return { ok: false, text: describeFailure(d, ref), instret: d.instret };
}

function firstLine(s: string): string {
  const l = s.split("\n").find((x) => x.trim() !== "") ?? "";
  return l.length > 80 ? l.slice(0, 77) + "..." : l;
}

function describeFailure(d: RunDigest, ref: RunDigest): string {
  if (d.end === "deny" && d.denied) return `stops at ${d.denied.name} (${d.denied.phase})`;
  if (d.diverged === "stderr" || (d.end === "exit" && d.stderrSha256 !== ref.stderrSha256)) {
    const err = firstLine(d.stderrHead);
    return err ? `stderr: ${err}` : "stderr differs";
  }
  if (d.diverged === "stdout") return "stdout differs";
  switch (d.end) {
    case "signal":
      return d.message.replace(/: .*/, "");
    case "deadlock":
      return "deadlock (every thread blocked)";
    case "limit":
      return "instruction limit (livelock)";
    case "error":
      return /^livelock/.test(d.message) ? "livelock (syscall limit)" : d.message;
    case "exit":
      if (d.status !== ref.status) return `exit status ${d.status}`;
      return "stdout differs";
  }
  return d.end;
}

const IMPLEMENTED = new Set(SYSCALLS.filter((r) => r.handler).map((r) => r.name));

/** How profile `p` treats syscall `name`. */
export function coverage(p: Profile, name: string): Coverage {
  const a = p.syscalls.get(name);
  if (a) {
    if (a.action === "emulate") return IMPLEMENTED.has(name) ? "emulate" : "unimplemented";
    return a.action;
  }
  if (p.emulateAll && IMPLEMENTED.has(name)) return "emulate";
  return p.unlisted === "stop" ? "stop" : "enosys";
}

function parsed(p: string | Record<string, unknown>): Profile {
  if (typeof p === "string") return builtinProfile(p);
  return parseProfile(p, `profile ${String(p.name)}`);
}

/** `p` with the given syscalls stubbed (file form). */
export function withStubs(
  p: string | Record<string, unknown>,
  stubs: readonly { syscall: string; result: number }[],
  name?: string,
): Record<string, unknown> {
  const base = profileToJson(parsed(p));
  const syscalls = { ...(base.syscalls as Record<string, unknown>) };
  for (const s of stubs) syscalls[s.syscall] = { action: "stub", result: s.result };
  return { ...base, name: name ?? `${base.name}+stubs`, syscalls };
}

/** Caps for a run that may livelock: instructions and ECALLs, from the reference. */
export function livelockCaps(ref: RunDigest, factor = 1.25): {
  maxInsns: number;
  maxSyscalls: number;
} {
  const ecalls = ref.profile.total +
    Object.values(ref.profile.precompiles).reduce((a, b) => a + b, 0);
  return {
    maxInsns: Math.ceil(factor * ref.instret) + 5_000_000,
    maxSyscalls: 10 * ecalls + 10_000,
  };
}

/** Runs the stub trials for `syscalls` (see the module doc). */
export async function stubTrials(
  pool: RunPool,
  base: Omit<RunRequest, "profile">,
  ref: RunDigest,
  syscalls: readonly string[],
  expect: { stdout: Uint8Array; stderr: Uint8Array } | undefined,
): Promise<StubTrial[]> {
  const caps = livelockCaps(ref);
  const used = new Set(Object.keys(ref.profile.syscalls));
  const one = async (sc: string): Promise<StubTrial[]> => {
    const tried: StubTrial[] = [];
    for (const result of STUB_RESULTS) {
      const d = await pool.run({
        ...base,
        label: `${base.label} stub ${sc}=${result}`,
        profile: withStubs("full", [{ syscall: sc, result }], `full+stub:${sc}=${result}`),
        ...caps,
        expect,
      });
      const outcome = outcomeOf(d, ref);
      const induced = Object.keys(d.profile.syscalls).filter((n) => !used.has(n)).sort();
      if (outcome.ok && induced.length > 0) {
        outcome.ok = false;
        outcome.text = `identical output, but then needs ${induced.join(", ")}`;
      }
      const effects = effectsOf(d, ref);
      const sideEffects = outcome.ok && (effects.threads !== 0 || effects.signals !== 0);
      tried.push({ syscall: sc, result, outcome, induced, effects, sideEffects });
      // A result that works without side effects ends the search; one with side effects
      // goes on to the next result, which may work without them.
      if (outcome.ok && !sideEffects) break;
    }
    return tried;
  };
  const all = await Promise.all([...syscalls].sort().map(one));
  return all.flat();
}

/**
 * The working stub result of a syscall per the trials, if any: one without
 * side effects when there is one, else the first that works.
 */
export function workingStub(trials: readonly StubTrial[], sc: string): number | undefined {
  return bestTrial(trials, sc)?.result;
}

/** The trial that decides a syscall: a working one without side effects first. */
export function bestTrial(trials: readonly StubTrial[], sc: string): StubTrial | undefined {
  return trials.find((t) => t.syscall === sc && t.outcome.ok && !t.sideEffects) ??
    trials.find((t) => t.syscall === sc && t.outcome.ok);
}

/**
 * Readiness of one binary (see the module doc). `base` is the run request
 * without a profile.
 */
export async function analyzeReadiness(
  pool: RunPool,
  base: Omit<RunRequest, "profile">,
  options: ReadinessOptions = {},
): Promise<BinaryReadiness> {
  const log = options.progress ?? (() => {});
  const ref = options.reference ?? await pool.run({ ...base, profile: "full" });
  if (ref.end !== "exit") {
    throw new Error(`${base.label}: the reference run under full did not exit (${ref.message})`);
  }
  const used = Object.keys(ref.profile.syscalls).sort();
  log(`${base.label}: ${used.length} syscalls used; stub trials`);
  const doTrials = options.trials ?? true;
  const trials = doTrials ? await stubTrials(pool, base, ref, used, expectOf(ref)) : [];
  const specs = options.profiles ?? ["basic", "advanced", "full"];
  const profiles = await Promise.all(specs.map(async (spec) => {
    const p = parsed(spec);
    const d = spec === "full"
      ? ref
      : await pool.run({ ...base, label: `${base.label} ${p.name}`, profile: spec });
    const outcome = outcomeOf(d, ref);
    const outside = used.map((syscall) => ({ syscall, coverage: coverage(p, syscall) }))
      .filter((x) => x.coverage !== "emulate" && x.coverage !== "stub");
    const stubbable: { syscall: string; result: number }[] = [];
    const mustImplement: string[] = [];
    for (const o of outside) {
      const r = workingStub(trials, o.syscall);
      if (!doTrials) continue;
      if (r === undefined) mustImplement.push(o.syscall);
      else stubbable.push({ syscall: o.syscall, result: r });
    }
    const pr: ProfileReadiness = { profile: p.name, outcome, outside, stubbable, mustImplement };
    if (d.denied) pr.firstBlocker = { syscall: d.denied.name, phase: d.denied.phase };
    if (doTrials && !outcome.ok && mustImplement.length === 0 && stubbable.length > 0) {
      const ds = await pool.run({
        ...base,
        label: `${base.label} ${p.name}+stubs`,
        profile: withStubs(spec, stubbable),
      });
      pr.withStubs = outcomeOf(ds, ref);
    }
    return pr;
  }));
  const verified = new Map<string, Promise<RunDigest>>();
  const build = async (kind: "sufficient" | "faithful"): Promise<SufficientProfile> => {
    const syscalls: Record<string, unknown> = {};
    let emulated = 0;
    for (const sc of used) {
      const t = bestTrial(trials, sc);
      const stub = t && (kind === "sufficient" || !t.sideEffects);
      syscalls[sc] = stub ? { action: "stub", result: t!.result } : "emulate";
      if (!stub) emulated++;
    }
    const profile = {
      name: `${base.label}-${kind}`,
      description: kind === "sufficient"
        ? `A sufficient profile for ${base.label}: ${emulated} emulated, ` +
          `${used.length - emulated} stubbed (results found by one-at-a-time stub trials; ` +
          "verified together by a run); anything else stops."
        : `A sufficient profile for ${base.label} that keeps its threads and signals: ` +
          `${emulated} emulated, ${used.length - emulated} stubbed (only stubs whose trials ` +
          "changed neither threads nor signals); anything else stops.",
      source: "zkabi stub trials (lib/analysis/readiness.ts)",
      unlisted: "stop",
      syscalls,
    };
    if (!doTrials) {
      return {
        profile,
        outcome: { ok: false, text: "not tried (no stub trials)", instret: 0 },
        effects: effectsOf(ref, ref),
        unusedEmulated: [],
      };
    }
    // The same syscalls under another name is the same run: verify once.
    const key = JSON.stringify(syscalls);
    let run = verified.get(key);
    if (!run) {
      run = pool.run({ ...base, label: `${base.label} ${kind}`, profile });
      verified.set(key, run);
    }
    const d = await run;
    const made = new Set(Object.keys(d.profile.syscalls));
    return {
      profile,
      outcome: outcomeOf(d, ref),
      effects: effectsOf(d, ref),
      unusedEmulated: used.filter((sc) => syscalls[sc] === "emulate" && !made.has(sc)),
    };
  };
  const sufficient = await build("sufficient");
  const faithful = await build("faithful");
  const smallest = smallestOf(profiles);
  return {
    binary: base.label,
    reference: {
      ok: true,
      text: "reference",
      instret: ref.instret,
      status: ref.status,
      stdoutSha256: ref.stdoutSha256,
    },
    used,
    trials,
    profiles,
    sufficient,
    faithful,
    smallest,
  };
}

function smallestOf(profiles: readonly ProfileReadiness[]): string {
  for (const name of ["basic", "advanced", "full"]) {
    const p = profiles.find((x) => x.profile === name);
    if (!p) continue;
    if (p.outcome.ok) return name;
    const n = p.stubbable.length;
    if (p.withStubs?.ok) return `${name} + ${n} stub${n === 1 ? "" : "s"}`;
  }
  return "none (fails even under full)";
}

/**
 * The first call a profile would stop on, from a call list in order (an
 * imported log's calls, for example), skipping calls in `skip` phases.
 */
export function firstBlockerOf(
  calls: readonly { name: string; phase: Phase }[],
  p: Profile,
  skip: readonly Phase[] = [],
): { syscall: string; phase: Phase } | undefined {
  for (const c of calls) {
    if (skip.includes(c.phase)) continue;
    const cov = coverage(p, c.name);
    if (cov === "stop" || cov === "deny") return { syscall: c.name, phase: c.phase };
  }
  return undefined;
}

/** Syscall names a profile neither emulates nor stubs, among `names`, sorted. */
export function outsideOf(names: Iterable<string>, p: Profile): string[] {
  return [...new Set(names)].filter((n) => {
    const c = coverage(p, n);
    return c !== "emulate" && c !== "stub";
  }).sort();
}

/** The reference's output bytes for early stops (none when it did not keep them). */
export function expectOf(ref: RunDigest): { stdout: Uint8Array; stderr: Uint8Array } | undefined {
  return ref.stdout && ref.stderr ? { stdout: ref.stdout, stderr: ref.stderr } : undefined;
}
