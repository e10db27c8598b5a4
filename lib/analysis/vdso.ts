/**
 * What the vDSO is worth to a guest, and what a zkVM without one must
 * provide instead: the guest runs twice, with the vDSO (as Linux maps it)
 * and without (`--vdso off`, a zkVM whose clock reads trap), and the
 * syscalls that only the run without it makes are the ones the vDSO
 * absorbs (clock_gettime, gettimeofday, and clock_getres for the clocks it
 * serves). A zkVM can remove the same calls only by giving the guest a
 * readable time page (the vvar page: a counter-to-clock map the guest reads
 * itself) and a vDSO-shaped ELF that names the functions reading it.
 * @module
 */

import { executeRun, type RunDigest, type RunRequest } from "./runner.ts";

/** Syscalls that a vDSO (Linux 6.1 riscv64) can answer without trapping. */
export const VDSO_CALLS: readonly string[] = ["clock_gettime", "gettimeofday", "clock_getres"];

/** One guest's run with and without the vDSO. */
export interface VdsoComparison {
  /** The request's label. */
  label: string;
  /** Syscalls (all) with the vDSO and without. */
  total: { withVdso: number; withoutVdso: number };
  /** Per syscall name, calls without the vDSO that the vDSO run does not make (only positive). */
  removed: Record<string, number>;
  /** Retired instructions with the vDSO and without (the vDSO's code runs in user mode). */
  instret: { withVdso: number; withoutVdso: number };
  /** Both runs ended the same way and printed the same bytes. */
  sameOutput: boolean;
  /** What a zkVM without a vDSO must provide to remove the same calls. */
  requirement: string;
}

/** The requirement text for a guest whose clock reads the vDSO absorbed. */
function requirementOf(removed: Record<string, number>): string {
  const n = Object.values(removed).reduce((s, x) => s + x, 0);
  if (n === 0) return "nothing: the guest reads no clock through the vDSO";
  return `a readable time page (the vvar page: counter-to-clock map, read in user mode) and a ` +
    `vDSO image naming ${Object.keys(removed).map((s) => `__vdso_${s}`).join(", ")} ` +
    `(version LINUX_4.15) at AT_SYSINFO_EHDR; otherwise ${n} calls trap`;
}

/** Compares two digests of the same guest, with and without the vDSO. */
export function compareVdso(withVdso: RunDigest, withoutVdso: RunDigest): VdsoComparison {
  const removed: Record<string, number> = {};
  const names = new Set([
    ...Object.keys(withVdso.profile.syscalls),
    ...Object.keys(withoutVdso.profile.syscalls),
  ]);
  for (const name of [...names].sort()) {
    const a = withVdso.profile.syscalls[name]?.count ?? 0;
    const b = withoutVdso.profile.syscalls[name]?.count ?? 0;
    if (b > a && VDSO_CALLS.includes(name)) removed[name] = b - a;
  }
  return {
    label: withVdso.label,
    total: { withVdso: withVdso.profile.total, withoutVdso: withoutVdso.profile.total },
    removed,
    instret: { withVdso: withVdso.instret, withoutVdso: withoutVdso.instret },
    sameOutput: withVdso.end === withoutVdso.end && withVdso.status === withoutVdso.status &&
      withVdso.stdoutSha256 === withoutVdso.stdoutSha256,
    requirement: requirementOf(removed),
  };
}

/** Runs `req` with and without the vDSO and compares them. */
export function measureVdso(req: RunRequest): VdsoComparison {
  return compareVdso(
    executeRun({ ...req, vdso: true }),
    executeRun({ ...req, vdso: false, label: `${req.label} (no vDSO)` }),
  );
}
