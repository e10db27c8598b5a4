/**
 * Go standard-library test binaries as guests: `go test -c` of
 * encoding/json, context, net/http/httptest and net with Debian trixie's
 * Go 1.24 (static, CGO_ENABLED=0, offline: GOFLAGS=-mod=mod GOPROXY=off),
 * stripped into `guests/bin/go/std/<name>.test`. Each is run under
 * qemu-riscv64 with its arguments ({@linkcode GO_STD_GUESTS}) in an empty
 * working directory and a small fixed environment, and the `-test.v`
 * verdicts (`--- PASS: TestX`, `--- SKIP: ...`, subtests included) and the
 * exit status are recorded in `guests/go/std_expected.json`;
 * `tests/run/go_std_test.ts` checks that zkabi gives the same.
 *
 * Run standalone with `deno run -A guests/go/std.ts` (needs the toolchains
 * of `guests/toolchains.ts` and qemu-user; it also updates these entries of
 * `guests/manifest.json`); `guests/build.ts` calls {@linkcode buildGoStd}.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildContext, GuestBuild } from "../build_types.ts";
import type { Toolchains } from "../toolchains.ts";
import { GO_LDFLAGS } from "./build.ts";

/** One standard-library test binary and how it is run. */
export interface GoStdGuest {
  /** Binary name under `bin/go/std/`. */
  name: string;
  /** The package `go test -c` builds. */
  pkg: string;
  /** Arguments of every run (zkabi and qemu). */
  args: readonly string[];
  /** Why the arguments are what they are. */
  why: string;
}

/**
 * Tests left out of `net`, each for a reason that is not the loopback
 * network: they need the Go source tree's `testdata/` (hosts, resolv.conf
 * and /proc/net samples), the host's /etc/services, a subprocess (TestSplice
 * re-executes the test binary: zkabi runs one process), raw IP sockets
 * (CAP_NET_RAW: qemu runs them as root on the host, zkabi's guest is an
 * unprivileged user), the creation of network interfaces (as root under
 * qemu it would change the host's), sendfile and Multipath TCP (which fail
 * under qemu-user 7.2 itself).
 */
export const NET_SKIPS: readonly string[] = [
  "TestSplice",
  "TestInterfaceArrivalAndDeparture",
  "TestSendfile",
  "TestMultiPathTCP",
  "TestGoLookupIPOrderFallbackToFile",
  "TestGoLookupIPCNAMEOrderHostsAliases",
  "TestDNSReadConfig",
  "TestDNSNameLength",
  "TestLookupStatic",
  "TestHostCacheModification",
  "TestParseProcNet",
  "TestIPConnRemoteName",
  "TestIPConnSpecificMethods",
  "TestReadLine",
];

/** The standard-library guests. */
export const GO_STD_GUESTS: readonly GoStdGuest[] = [
  {
    name: "encoding_json",
    pkg: "encoding/json",
    args: ["-test.short", "-test.v", "-test.skip=TestUnmarshalMaxDepth|TestMarshalFloat"],
    why: "the whole package (its stream tests serve JSON over net/http/httptest) but the two " +
      "CPU-bound tests that take two thirds of its 700 M instructions",
  },
  {
    name: "context",
    pkg: "context",
    args: ["-test.short", "-test.v"],
    why: "the whole package (ExampleAfterFunc_connection dials a loopback listener)",
  },
  {
    name: "net_http_httptest",
    pkg: "net/http/httptest",
    args: ["-test.short", "-test.v"],
    why: "the whole package (HTTP and HTTPS test servers on 127.0.0.1)",
  },
  {
    name: "net",
    pkg: "net",
    args: ["-test.short", "-test.v", `-test.skip=${NET_SKIPS.join("|")}`],
    why: "every test but those of NET_SKIPS (see there)",
  },
];

/** The environment of the recorded and compared runs (zkabi's default one). */
export const GO_STD_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/tmp",
  LANG: "C",
};

/** What qemu printed for one guest. */
export interface GoStdRecord {
  /** The arguments. */
  args: readonly string[];
  /** Exit status. */
  exit: number;
  /** The sorted `--- PASS|FAIL|SKIP: name` verdicts. */
  results: string[];
}

/** The verdict lines of `go test -v` output, without timings and indentation, sorted. */
export function verdicts(output: string): string[] {
  return output.split("\n")
    .map((l) => l.trim())
    .filter((l) => /^--- (PASS|FAIL|SKIP): /.test(l))
    .map((l) => l.replace(/ \([0-9.]+s\)$/, ""))
    .sort();
}

/** The binary's path relative to `guests/`. */
export function stdFile(g: GoStdGuest): string {
  return `bin/go/std/${g.name}.test`;
}

/** Builds every standard-library test binary into `guests/bin/go/std/`. */
export async function buildGoStd(ctx: BuildContext, tc: Toolchains): Promise<GuestBuild[]> {
  await Deno.mkdir(join(ctx.guestsDir, "bin", "go", "std"), { recursive: true });
  const scratch = await Deno.makeTempDir({ prefix: "zkabi-gostd-" });
  const builds: GuestBuild[] = [];
  try {
    for (const g of GO_STD_GUESTS) {
      ctx.log(`go std: go test -c ${g.pkg}`);
      const out = join(ctx.guestsDir, stdFile(g));
      const res = await new Deno.Command(join(tc.goroot, "bin", "go"), {
        args: ["test", "-c", "-trimpath", `-ldflags=${GO_LDFLAGS}`, "-o", out, g.pkg],
        cwd: scratch,
        clearEnv: true,
        env: {
          GOROOT: tc.goroot,
          GOPATH: join(scratch, "gopath"),
          GOCACHE: join(scratch, "cache"),
          GOFLAGS: "-mod=mod",
          GOPROXY: "off",
          GOENV: "off",
          GOTOOLCHAIN: "local",
          GOTELEMETRY: "off",
          CGO_ENABLED: "0",
          GOOS: "linux",
          GOARCH: "riscv64",
          HOME: scratch,
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!res.success) {
        throw new Error(`go test -c ${g.pkg} failed:\n${new TextDecoder().decode(res.stderr)}`);
      }
      builds.push({
        file: stdFile(g),
        toolchain: `go ${tc.versions["golang-1.24-go"] ?? "?"} (Debian trixie), standard library`,
        flags: [
          "GOOS=linux GOARCH=riscv64 CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off",
          "go test -c -trimpath",
          `-ldflags="${GO_LDFLAGS}"`,
        ],
        deterministic: true,
        description: `Go standard library tests of ${g.pkg} (run with ${g.args.join(" ")})`,
      });
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
  return builds;
}

/** Runs each guest under qemu-riscv64 and writes `guests/go/std_expected.json`. */
export async function recordUnderQemu(ctx: BuildContext): Promise<void> {
  const record: Record<string, GoStdRecord> = {};
  for (const g of GO_STD_GUESTS) {
    const cwd = await Deno.makeTempDir({ prefix: "zkabi-gostd-run-" });
    try {
      const res = await new Deno.Command("timeout", {
        args: ["900", "qemu-riscv64", join(ctx.guestsDir, stdFile(g)), ...g.args],
        cwd,
        clearEnv: true,
        env: { ...GO_STD_ENV },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(res.stdout);
      record[g.name] = { args: g.args, exit: res.code, results: verdicts(out) };
      ctx.log(
        `go std: ${g.name} under qemu: exit ${res.code}, ${record[g.name].results.length} verdicts`,
      );
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  }
  await Deno.writeTextFile(
    join(ctx.guestsDir, "go", "std_expected.json"),
    JSON.stringify(record, null, 2) + "\n",
  );
}

async function main(): Promise<void> {
  const guestsDir = dirname(dirname(fileURLToPath(import.meta.url)));
  const repoDir = dirname(guestsDir);
  const ctx: BuildContext = {
    guestsDir,
    cacheDir: join(repoDir, ".cache", "toolchains"),
    log: (line) => console.log(line),
  };
  const { ensureToolchains } = await import("../toolchains.ts");
  const { readManifest, writeManifest } = await import("../build.ts");
  const tc = await ensureToolchains(ctx);
  const builds = await buildGoStd(ctx, tc);
  await recordUnderQemu(ctx);
  const old = await readManifest(guestsDir);
  const kept = (old?.guests ?? []).filter((g) => !g.file.startsWith("bin/go/std/"));
  await writeManifest(guestsDir, [...kept, ...builds]);
}

// Not a top-level await: build.ts imports this module, and main imports build.ts.
if (import.meta.main) {
  main().catch((e) => {
    console.error(e);
    Deno.exit(1);
  });
}
