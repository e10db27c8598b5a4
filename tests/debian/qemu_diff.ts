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
 * @module
 */

import { type CompareResult, compareWithQemu, type Difference } from "../../lib/trace/compare.ts";

/** Options of {@linkcode compareTraces}. */
export interface TraceDiffOptions {
  /** Whether qemu's guest ran with zkabi's uid and gid (allowance 8 otherwise). */
  sameIds: boolean;
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
  const r = compareWithQemu(z, q, {
    replace: [["(nil)", "NULL"]],
    ignoreResults: opts.sameIds ? [] : IDS,
  });
  const zLines = z.split("\n");
  const mapsAt = zLines.findIndex((l) => /^openat\(.*"\/proc\/self\/maps"/.test(l));
  const afterMaps = (d: Difference) =>
    mapsAt >= 0 && d.zkabi !== undefined && zLines.lastIndexOf(d.zkabi) > mapsAt;
  const accepted = (d: Difference): string | undefined => {
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
