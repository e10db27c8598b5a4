/**
 * `reports/abi-spec.md`: the normative minimal Linux ABI per client family,
 * generated from the runs. For each syscall: the action (implement, stub
 * with a value, deny), the argument values the guests actually passed, the
 * results and errno values they got, and the deterministic rule a zkVM must
 * follow; then the host files, the ISA prerequisites and the verification
 * runs of the machine-readable profiles (`reports/abi/*.json`).
 * @module
 */

import type { BundledAnalysis, GuestAnalysis } from "../analysis/bundled.ts";
import { mergeObserved, type Observed } from "../analysis/observe.ts";
import { SYSCALLS } from "../kernel/syscalls.ts";
import { type Block, type Cell, heading, list, md, mdTableBlock } from "../render/doc.ts";
import { ref } from "./references.ts";

/** ISA classes the specification reports, in order. */
export const ISA_CLASSES: readonly string[] = [
  "I",
  "M",
  "A",
  "F",
  "D",
  "C",
  "Zba",
  "Zbb",
  "Zbs",
  "Zicsr",
  "Zifencei",
];

/**
 * The deterministic rule for an implemented syscall: how its result must be
 * computed so that a proof does not depend on the host. zkabi's built-in
 * kernel and its in-guest kernel both follow these rules.
 */
export const RESULT_RULES: Readonly<Record<string, string>> = {
  clock_gettime: "virtual time from the retired-instruction count (1 ns per instruction); " +
    "CLOCK_REALTIME starts at 2024-01-01T00:00:00Z, CLOCK_MONOTONIC at 100 s; never the host " +
    "clock",
  nanosleep: "advances only virtual time; with every thread asleep the clock jumps to the " +
    "earliest deadline",
  clock_nanosleep: "as nanosleep",
  getrandom: "bytes of a ChaCha20 stream keyed by the run's seed (the same seed gives the same " +
    "bytes); never host entropy",
  clone: "threads only (CLONE_VM|CLONE_THREAD|CLONE_SIGHAND and the flags observed); thread " +
    "ids in creation order from pid + 1; the new thread runs when the deterministic scheduler " +
    "picks it",
  futex: "FIFO wait queues per address; a wake wakes the longest waiter first; timeouts in " +
    "virtual time; scheduling round-robin with a fixed instruction quantum",
  mmap: "anonymous memory placed top-down from a fixed base without randomisation; pages read " +
    "as zero and cost nothing until touched (PROT_NONE reservations included); hints and " +
    "MAP_FIXED honoured",
  munmap: "removes the mapping; reused memory reads as zero",
  mprotect: "records the protection (enforcement optional: a correct program never faults)",
  madvise: "MADV_DONTNEED zeroes the range at once; other advice is accepted and ignored",
  brk: "program break from the end of the data segment, grown and shrunk on request",
  read: "stdin is empty; input files are read-only byte strings fixed before the run",
  write: "stdout and stderr are the public output, in order",
  openat: "the read-only input files and the paths in §6; anything else ENOENT",
  close: "releases the descriptor",
  fstat: "sizes of the input files; fixed modes, inode numbers and times",
  newfstatat: "as fstat, by path",
  statx: "as fstat",
  lseek: "on input files only",
  fcntl: "F_GETFD/F_SETFD/F_GETFL/F_SETFL on the descriptors of the run",
  sched_getaffinity: "a mask of the configured CPU count (4 in these runs), never the host's",
  sched_yield: "ends the caller's quantum",
  gettid: "the thread's id",
  getpid: "a fixed process id (1000 in these runs)",
  tgkill: "queues the signal on the thread; delivered on its next return from the kernel",
  rt_sigaction: "per-process handler table",
  rt_sigprocmask: "per-thread mask",
  rt_sigreturn: "restores the registers from the riscv64 rt_sigframe",
  sigaltstack: "per-thread alternate stack",
  epoll_create1: "an epoll instance over the run's descriptors",
  epoll_ctl: "regular files are refused with EPERM, as Linux does",
  epoll_pwait: "readiness of the run's descriptors; waits in virtual time",
  eventfd2: "a counter descriptor (the Go netpoller's wake-up)",
  prlimit64: "fixed limits (RLIMIT_NOFILE 1024/1048576, RLIMIT_STACK 8 MiB)",
  exit_group: "ends the run; its status is the public exit status",
  exit: "ends the thread; the last thread's exit ends the run",
  set_tid_address: "records the clear-child-tid address; returns the thread id",
  set_robust_list: "records the list (never used: no thread dies holding a lock)",
  uname: "fixed strings (Linux, riscv64)",
  readlinkat: "/proc/self/exe names the program's fixed guest path",
};

function nr(name: string): number | string {
  return SYSCALLS.find((s) => s.name === name)?.nr ?? "?";
}

function facetText(o: Observed, name: string, skip: readonly string[] = ["result"]): string {
  const f = o[name];
  if (!f) return "-";
  const parts = Object.entries(f).filter(([k]) => !skip.includes(k)).map(([k, vs]) => {
    const all = Object.entries(vs);
    if (all.length <= 12) return `${k}: ${all.map(([v, n]) => `\`${v}\` ${n}`).join(", ")}`;
    const calls = all.reduce((s, [, n]) => s + n, 0);
    const shown = ["SIGURG", "SIGSEGV", "SIGBUS", "SIGPIPE"].filter((x) => x in vs);
    return `${k}: ${all.length - (vs["…"] ? 1 : 0)}+ distinct values in ${calls} calls` +
      (shown.length > 0 ? ` (${shown.map((x) => `\`${x}\``).join(", ")} among them)` : "");
  });
  return parts.join("; ") || "-";
}

function resultText(o: Observed, name: string): string {
  const r = o[name]?.result;
  if (!r) return "-";
  return Object.entries(r).map(([v, n]) => `${v} ${n}`).join(", ");
}

/** A path the dynamic loader probes while searching for a library. */
function isLoaderProbe(p: string): boolean {
  return /^\/(usr\/)?lib(\/|$)/.test(p) || p === "/etc/ld.so.cache" || p === "/etc/ld.so.preload";
}

/** The loader's probes as one row. */
function loaderProbes(paths: Map<string, Set<string>>): [string, Set<string>][] {
  const probes = [...paths.entries()].filter(([p]) => isLoaderProbe(p));
  if (probes.length === 0) return [];
  const guests = new Set(probes.flatMap(([, g]) => [...g]));
  return [[
    `/etc/ld.so.cache, /etc/ld.so.preload and ${
      probes.length - 2
    } library search paths under /lib and /usr/lib (the dynamic loader)`,
    guests,
  ]];
}

/** The specification document. */
export function abiSpec(a: BundledAnalysis): Block[] {
  const out: Block[] = [];
  out.push(heading("A minimal Linux ABI for zkVMs running unmodified Ethereum clients", 1));
  out.push(md(
    "*Normative, measured.* Generated by `deno task analyze` from the runs of " +
      "`findings.md`; every action below was found by running the clients, every argument " +
      "value was passed by them, and each profile in `abi/` was run on its guests. The key " +
      `words MUST, MUST NOT, SHOULD and MAY are to be read as in RFC 2119 ${ref("rfc2119")}.`,
  ));
  out.push(heading("1. Scope", 2));
  out.push(md(
    "A zkVM that proves statically linked riscv64 Linux programs (RV64GC, LP64D) of the two " +
      "client families below, unmodified: Rust and C on glibc, and Go. The specification says " +
      "which Linux syscalls such a zkVM MUST implement, which it MAY answer with a fixed value, " +
      "and that it MUST stop on every other one. It is minimal for the programs measured " +
      "(sufficient, verified by running; see §8), not for every program of the family.",
  ));
  out.push(heading("2. Calling convention", 2));
  out.push(list([
    "A syscall is `ecall` with the Linux riscv64 number in a7, arguments in a0–a5, the " +
    "result in a0; errors are -errno in [-4095, -1] (Linux's asm-generic table " + ref("linux") +
    ").",
    "Numbers 0x10000000–0x1000ffff are reserved for zk precompiles and MUST NOT be treated as " +
    "syscalls; Linux's riscv64 numbers are below 1,024.",
    "A zkVM that also serves bare-target programs terminating with a7 = 0 " +
    `${ref("zkvm-standards")} MUST decide per program which convention applies: 0 is ` +
    "`io_setup` on Linux.",
    "A syscall the profile does not list MUST stop the run with a diagnostic naming it " +
    "(number, thread, pc); it MUST NOT return 0 silently.",
  ]));
  let section = 3;
  for (const f of a.families) {
    const guests = f.guests.map((id) => a.guests.find((g) => g.guest.id === id)).filter((
      g,
    ): g is GuestAnalysis => g !== undefined);
    const obs = mergeObserved(guests.map((g) => g.observed));
    out.push(heading(`${section}. Family: ${f.label}`, 2));
    out.push(md(
      `Measured on ${guests.map((g) => g.guest.label).join(", ")}. Machine-readable profile: ` +
        `\`abi/${f.family}.json\` (zkabi's profile format, \`--profile abi/${f.family}.json\`).`,
    ));
    const rows: Cell[][] = f.decisions.map((d) => [
      `\`${d.syscall}\``,
      nr(d.syscall),
      d.action === "implement" ? "MUST implement" : `MAY stub: ${d.result}`,
      facetText(obs, d.syscall),
      resultText(obs, d.syscall),
      d.action === "implement"
        ? RESULT_RULES[d.syscall] ?? "as Linux, as a function of the run's inputs only"
        : `returns ${d.result}; ${d.why}`,
      d.usedBy.length === f.guests.length ? "all" : d.usedBy.join(", "),
    ]);
    out.push(mdTableBlock(
      [
        "syscall",
        "nr",
        "action",
        "arguments observed (calls)",
        "results observed",
        "rule",
        "used by",
      ],
      rows,
    ));
    const implement = f.decisions.filter((d) => d.action === "implement");
    out.push(list([
      `MUST implement (${implement.length}): ${
        implement.map((d) => `\`${d.syscall}\``).join(", ")
      }. Why each cannot be stubbed: ${
        implement.map((d) => `\`${d.syscall}\`: ${d.why}`).join("; ")
      }.`,
      "MUST deny (stop on) every other syscall number.",
    ]));
    section++;
  }
  out.push(heading(`${section}. Deterministic results`, 2));
  out.push(md(
    "Every implemented syscall's result MUST be a function of the program, its input and the " +
      "run's configuration (seed, CPU count, quantum) only. The rules zkabi follows, and the " +
      "in-guest kernel implements in RISC-V:",
  ));
  const implemented = [
    ...new Set(
      a.families.flatMap((f) => f.decisions.filter((d) => d.action === "implement"))
        .map((d) => d.syscall),
    ),
  ].sort();
  out.push(mdTableBlock(
    ["syscall", "rule"],
    implemented.map((s) => [`\`${s}\``, RESULT_RULES[s] ?? "as Linux, from the inputs only"]),
  ));
  section++;
  out.push(heading(`${section}. Files`, 2));
  const paths = new Map<string, Set<string>>();
  for (const g of a.guests) {
    for (const sc of ["openat", "newfstatat", "readlinkat", "faccessat", "statfs"]) {
      for (const p of Object.keys(g.observed[sc]?.path ?? {})) {
        if (!paths.has(p)) paths.set(p, new Set());
        paths.get(p)!.add(g.guest.id);
      }
    }
  }
  out.push(md(
    "Paths the guests asked for (input files named on the command line appear as given). A " +
      "zkVM MAY deny any path not among its input files with ENOENT unless noted:",
  ));
  out.push(mdTableBlock(
    ["path", "guests", "effect of ENOENT or an empty file (keeper, by running)"],
    [
      ...[...paths.entries()].filter(([p]) => !isLoaderProbe(p) && !p.startsWith("(")),
      ...(loaderProbes(paths)),
    ].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([p, gs]) => {
      const exps = a.keeperFiles.filter((f) => f.path === p && f.action !== "provided");
      return [
        p.includes(", ") ? p : `\`${p}\``,
        [...gs].join(", "),
        exps.length === 0
          ? "-"
          : exps.map((e) =>
            `${e.action === "absent" ? "absent in zkabi (ENOENT)" : e.action}: ${
              e.outcome.ok ? "identical output" : e.outcome.text
            }`
          ).join("; "),
      ];
    }),
  ));
  section++;
  out.push(heading(`${section}. ISA prerequisites`, 2));
  out.push(md(
    "The instruction classes each guest executed (counts of executed instructions per " +
      "class). A zkVM MUST implement every class with a non-zero count for the guests it " +
      "proves.",
  ));
  out.push(mdTableBlock(
    ["guest", ...ISA_CLASSES],
    a.guests.map((g) => [
      g.guest.label,
      ...ISA_CLASSES.map((c) => (g.isaClasses ? (g.isaClasses[c] ?? 0) : "not measured")),
    ]),
  ));
  const used = (g: GuestAnalysis) => ISA_CLASSES.filter((c) => (g.isaClasses?.[c] ?? 0) > 0);
  const measured = a.guests.filter((g) => g.isaClasses);
  if (measured.length > 0) {
    out.push(list(a.families.map((f) => {
      const gs = measured.filter((g) => f.guests.includes(g.guest.id));
      const classes = ISA_CLASSES.filter((c) => gs.some((g) => used(g).includes(c)));
      return `${f.label}: RV64${classes.join(", ")} (` +
        gs.map((g) => `${g.guest.label}: ${used(g).join(" ")}`).join("; ") + ").";
    })));
    out.push(md(
      "Counts are of instructions executed (zkabi's interpreter counts each by class; `C` counts " +
        "the compressed encodings, which also count in their base class). A class with a zero " +
        "count is not needed by these runs, though the binary may contain it. The " +
        "eth-act target (RV64IM + Zicclsm, no C, no F/D) " + ref("zkvm-standards") + " runs " +
        "none of these binaries unchanged: they are built for RV64GC.",
    ));
  }
  if (a.guests.every((g) => !g.isaClasses)) {
    out.push(md(
      "Not measured by this build of zkabi: the counts per class need a CPU hook that counts " +
        "executed instructions by class; the binaries are built for RV64GC (the Go toolchain " +
        "for riscv64 emits compressed and FP instructions; the Rust and C guests use the " +
        "riscv64gc target).",
    ));
  }
  section++;
  out.push(heading(`${section}. Verification`, 2));
  out.push(mdTableBlock(
    ["profile", "guest", "run under the profile", "source"],
    a.families.flatMap((f) =>
      f.runs.map((r) => [
        `\`abi/${f.family}.json\``,
        r.guest,
        r.outcome.ok ? "identical output" : r.outcome.text,
        r.source === "recorded" ? "recorded in data/real_clients.json" : r.source,
      ])
    ),
  ));
  out.push(md(
    "A test (`tests/report/abi_spec_test.ts`) runs every committed profile on the guests of its " +
      "family that are present and requires identical output.",
  ));
  return out;
}
