/**
 * The trace comparison of the Debian differential tests: zkabi's strace text
 * against a `qemu-riscv64 -strace` log of the same real program, through
 * {@linkcode compareWithQemu}, plus the allowances that real (glibc, Rust)
 * programs need on top of the ones `lib/trace/compare.ts` documents. Each
 * allowance is narrow, explained, and listed as a note in the report:
 *
 * 1. Guest stderr inside the log. qemu prints its log on the guest's own
 *    fd 2, so a `write(2, ...)` line carries the written bytes between the
 *    call and ` = result` ({@linkcode stripGuestStderr} takes them out).
 * 2. The log stops at `close(2)`. Once a program closes its stderr
 *    (coreutils' `close_stdout` does at exit) qemu can print nothing more:
 *    its log ends in an unfinished `close(2)`. The traces are compared up to
 *    that call, which is left out on both sides; the exit status is compared
 *    by the caller.
 * 3. `(nil)`: qemu prints some NULL pointers (sigaltstack's) that way.
 * 4. `riscv_flush_icache`: qemu-user answers it in its CPU loop without a
 *    log line (it notices self-modifying code itself), so calls of it that
 *    only zkabi lists are accepted.
 * 5. Reads of `/proc/self/maps`: their length differs, since under qemu the
 *    file shows qemu's layout and host paths.
 * 6. Heap offsets after `/proc/self/maps` was read. glibc reads that file
 *    with `getline` (pthread_getattr_np, which Rust's runtime calls at start),
 *    whose buffer grows with the longest line; qemu's lines are longer, so
 *    later heap blocks, and the break, sit a little differently. Once the
 *    program opened `/proc/self/maps`, break-relative addresses (`BRK+x` on
 *    both sides, in pointer arguments and in brk results) may differ.
 * 7. Addresses named `BRK+` on one side only. The comparison names any
 *    address less than 4 GiB above the initial break `BRK+...`; under qemu
 *    the break sits just below the loader, the libraries and the stack, so
 *    their addresses (the loader's RELRO `mprotect`, stack buffers) come out
 *    as `BRK+...` under qemu and as `ADDR` under zkabi.
 * 8. Without the same uid/gid on both sides (qemu not started as zkabi's
 *    user), the results of getuid, geteuid, getgid and getegid.
 * 9. clone's `parent_tid`, `tls` and `child_tid` when the flags do not use
 *    them (no CLONE_PARENT_SETTID; no CLONE_SETTLS; neither
 *    CLONE_CHILD_SETTID nor CLONE_CHILD_CLEARTID): the kernel ignores those
 *    registers, so strace leaves them out (they parse as NULL) while qemu
 *    prints whatever the registers held (Go's runtime leaves junk there).
 * 10. Only with {@linkcode TraceDiffOptions.goClockReads} (Go programs):
 *    `clock_gettime(CLOCK_MONOTONIC, ...)` calls present on one side only.
 *    Go's runtime times a sample of goroutine status changes (`casgstatus`
 *    tracks a goroutine when its `trackingSeq`, started at a random value
 *    from the AT_RANDOM-seeded generator, is a multiple of 8), so how many
 *    clock reads happen before the first clone depends on AT_RANDOM, which
 *    differs between qemu's host-random bytes and zkabi's seeded ones (and
 *    between two qemu runs).
 * 11. clone3 under qemu. qemu-user 7.2 answers clone3 with ENOSYS (`Unknown
 *    syscall 435`), and glibc's pthread_create then falls back to clone;
 *    zkabi, like Linux, implements clone3. A clone3 that qemu failed with
 *    ENOSYS and the fallback clone (qemu's side only) are accepted. The
 *    strict comparison ends there anyway (the first successful clone).
 * 12. The first thread-creating clone's line in qemu's log, when the new
 *    thread logged before qemu wrote the result: qemu writes a call and its
 *    result separately, so the line reads `clone(...)PID gettid() = N` and
 *    the ` = tid` lands on some later line, where no parser can tell it from
 *    other results (every thread logs with the same host pid). The strict
 *    comparison ends at that clone, so it must be recognised as successful:
 *    {@linkcode repairInterruptedClone} ends its line with a positive result
 *    (results of clone compare by sign only) and moves the interleaved rest
 *    to a line of its own. Only a clone of a thread (CLONE_THREAD) with no
 *    result on its line is touched; one whose result is there is left alone.
 * @module
 */

import { type CompareResult, compareWithQemu, type Difference } from "../../lib/trace/compare.ts";

/** Options of {@linkcode compareTraces}. */
export interface TraceDiffOptions {
  /** Whether qemu's guest ran with zkabi's uid and gid (allowance 8 otherwise). */
  sameIds: boolean;
  /** A Go program: accept one-sided monotonic clock reads (allowance 10). */
  goClockReads?: boolean;
}

/** clone's argument positions (1-based) and the flags that make the kernel use them. */
const CLONE_ARG_FLAGS: Readonly<Record<string, readonly string[]>> = {
  "3": ["CLONE_PARENT_SETTID"],
  "4": ["CLONE_SETTLS"],
  "5": ["CLONE_CHILD_SETTID", "CLONE_CHILD_CLEARTID"],
};

/** Whether a clone argument difference is in an argument the flags leave unused (allowance 9). */
function unusedCloneArgument(d: Difference): boolean {
  const m = /^clone: argument ([345]):/.exec(d.message);
  if (d.kind !== "argument" || !m || d.zkabi === undefined) return false;
  const flags = /flags=([A-Z_|0-9x]+)/.exec(d.zkabi)?.[1]?.split("|") ?? [];
  return !CLONE_ARG_FLAGS[m[1]].some((f) => flags.includes(f));
}

/**
 * qemu's log (bytes of its stderr) with the guest's own stderr output taken
 * out (allowance 1). The write's length says how many bytes to skip; bytes
 * are decoded one character each so that lengths hold. A short or failed
 * write printed fewer bytes: then the result is found after them.
 */
export function stripGuestStderr(log: Uint8Array): string {
  const s = new TextDecoder("latin1").decode(log);
  const re = /^\d+ write\(2,(?:0x)?[0-9a-f]+,(\d+)\)/gm;
  let out = "";
  let from = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const callEnd = m.index + m[0].length;
    out += s.slice(from, callEnd);
    const skipped = callEnd + Number(m[1]);
    if (s.startsWith(" = ", skipped)) from = skipped;
    else {
      const at = s.indexOf(" = ", callEnd);
      from = at < 0 ? callEnd : at;
    }
    re.lastIndex = from;
  }
  return out + s.slice(from);
}

const IDS = ["getuid", "geteuid", "getgid", "getegid"];

/**
 * qemu's log with the first thread-creating clone's line repaired when the
 * new thread's output cut it off before its result (allowance 12); `repaired`
 * says whether that happened.
 */
export function repairInterruptedClone(log: string): { log: string; repaired: boolean } {
  const lines = log.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\d+) clone\(([^)]*CLONE_THREAD[^)]*)\)(.*)$/.exec(lines[i]);
    if (!m) continue;
    const rest = m[3];
    if (/^ = /.test(rest)) return { log, repaired: false };
    lines.splice(i, 1, `${m[1]} clone(${m[2]}) = 1`, ...(rest.trim() ? [rest] : []));
    return { log: lines.join("\n"), repaired: true };
  }
  return { log, repaired: false };
}

/** Compares zkabi's strace text with qemu's (stripped) log under the allowances above. */
export function compareTraces(
  zTrace: string,
  qemuLog: string,
  opts: TraceDiffOptions,
): CompareResult {
  let z = zTrace;
  let q = qemuLog;
  const notes: string[] = [];
  // Allowance 2.
  const qLines = q.trimEnd().split("\n");
  if (/^\d+ close\(2\)$/.test(qLines.at(-1) ?? "")) {
    q = qLines.slice(0, -1).join("\n") + "\n";
    const zLines = z.trimEnd().split("\n");
    const at = zLines.findLastIndex((l) => /^close\(2\)\s+=/.test(l));
    if (at >= 0) z = zLines.slice(0, at).join("\n") + "\n";
    notes.push("compared up to the guest's close(2): qemu logs nothing after it");
  }
  const fixed = repairInterruptedClone(q);
  if (fixed.repaired) {
    q = fixed.log;
    notes.push(
      "qemu's first thread clone was cut off by the new thread's log: taken as successful",
    );
  }
  const r = compareWithQemu(z, q, {
    replace: [["(nil)", "NULL"]],
    ignoreResults: opts.sameIds ? [] : IDS,
  });
  const zLines = z.split("\n");
  const mapsAt = zLines.findIndex((l) => /^openat\(.*"\/proc\/self\/maps"/.test(l));
  const afterMaps = (d: Difference) =>
    mapsAt >= 0 && d.zkabi !== undefined && zLines.lastIndexOf(d.zkabi) > mapsAt;
  const isNoClone3 = (d: Difference) =>
    d.kind === "result" && /^clone3: result \d+ vs qemu -1 ENOSYS$/.test(d.message);
  const noClone3 = r.differences.some(isNoClone3);
  const accepted = (d: Difference): string | undefined => {
    if (isNoClone3(d)) return "qemu-user 7.2 has no clone3";
    if (
      noClone3 && d.kind === "missing" && /^\d+ clone\(.*CLONE_THREAD/.test(d.qemu ?? "")
    ) return "glibc's clone fallback after qemu's clone3 ENOSYS";
    if (d.kind === "extra" && /^riscv_flush_icache\(/.test(d.zkabi ?? "")) {
      return "qemu-user answers riscv_flush_icache without logging it";
    }
    if (d.kind === "result" && /^read\(\d+, "[0-9a-f]{8,}-[0-9a-f]{8,} /.test(d.zkabi ?? "")) {
      return "a read of /proc/self/maps: host layout and paths under qemu";
    }
    if (
      (d.kind === "argument" || d.kind === "result") && afterMaps(d) &&
      /: (result )?BRK\+0x[0-9a-f]+ vs qemu BRK\+0x[0-9a-f]+$/.test(d.message)
    ) return "heap offsets after reading /proc/self/maps";
    if (
      d.kind === "argument" && /: (ADDR vs qemu BRK\+\S+|BRK\+\S+ vs qemu ADDR)$/.test(d.message)
    ) return "an address named after the break on one side only";
    if (unusedCloneArgument(d)) return "a clone argument its flags leave unused";
    if (
      opts.goClockReads && (d.kind === "extra" || d.kind === "missing") &&
      /clock_gettime\((CLOCK_MONOTONIC|1),/.test(d.zkabi ?? d.qemu ?? "")
    ) return "Go's runtime samples goroutine timing with an AT_RANDOM-seeded period";
    return undefined;
  };
  const kept = r.differences.filter((d) => accepted(d) === undefined);
  for (const d of r.differences) {
    const why = accepted(d);
    if (why) notes.push(`accepted (${why}): ${d.message}`);
  }
  const all = [...r.notes, ...notes];
  return { ...r, ok: kept.length === 0, differences: kept, notes: all, diff: report(r, kept, all) };
}

function report(r: CompareResult, kept: Difference[], notes: string[]): string {
  const lines = [
    `zkabi vs qemu-riscv64 -strace: ${r.compared} calls aligned, ${kept.length} ` +
    `difference${kept.length === 1 ? "" : "s"} (${r.differences.length - kept.length} accepted)`,
  ];
  for (const d of kept) {
    lines.push(`${d.kind === "extra" ? "+" : d.kind === "missing" ? "-" : "!"} ${d.message}`);
    if (d.zkabi !== undefined) lines.push(`    zkabi: ${d.zkabi}`);
    if (d.qemu !== undefined) lines.push(`    qemu:  ${d.qemu}`);
  }
  for (const n of notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}
