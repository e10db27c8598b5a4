/**
 * Builds the Go `t8n` guest with Debian trixie's Go 1.24 in GOPATH mode,
 * against Debian's Go library sources (golang.org/x/crypto/sha3, btcec):
 * a static riscv64 binary (`CGO_ENABLED=0`) written to `guests/bin/go/t8n`
 * and a host (amd64) build in `<repo>/.cache/host/t8n` for the tests.
 *
 * The sources are copied into a private GOPATH as package `zkabi/t8n`, so the
 * import path (and thus the binary) does not depend on where the repository
 * is checked out; `-trimpath` and an empty build id do the rest.
 * @module
 */

import { join } from "node:path";
import type { BuildContext, GuestBuild } from "../build_types.ts";
import type { Toolchains } from "../toolchains.ts";

/** Linker flags: no symbol table, no DWARF, empty build id. */
export const GO_LDFLAGS = "-s -w -buildid=";

/** Options for {@link buildGo}. */
export interface GoBuildOptions {
  /** Folder for the private GOPATH and the build cache. */
  buildRoot: string;
  /** Where the host binary goes (`<repo>/.cache/host`). */
  hostDir: string;
}

/** Result of {@link buildGo}. */
export interface GoBuildResult {
  /** Manifest entries of the riscv64 binaries. */
  builds: GuestBuild[];
  /** Path of the host binary. */
  hostBinary: string;
  /** Seconds spent per build. */
  seconds: Record<string, number>;
}

/** Toolchain line for the manifest. */
export function goToolchain(tc: Toolchains): string {
  const v = (pkg: string): string => tc.versions[pkg] ?? "?";
  return `go ${v("golang-1.24-go")} (Debian trixie); golang.org/x/crypto ${
    v("golang-golang-x-crypto-dev")
  }, ` +
    `btcec ${v("golang-github-btcsuite-btcd-btcec-dev")} (Debian packages, GOPATH mode)`;
}

/**
 * Builds `zkabi/t8n` for `goarch` into `out`, using `buildRoot` for the
 * private GOPATH and GOCACHE.
 */
export async function buildGoBinary(
  ctx: BuildContext,
  tc: Toolchains,
  goarch: string,
  buildRoot: string,
  out: string,
): Promise<void> {
  const gopath = join(buildRoot, "gopath");
  const pkgDir = join(gopath, "src", "zkabi", "t8n");
  await Deno.remove(pkgDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(pkgDir, { recursive: true });
  for (const e of Deno.readDirSync(join(ctx.guestsDir, "go", "t8n"))) {
    if (e.isFile && e.name.endsWith(".go")) {
      await Deno.copyFile(join(ctx.guestsDir, "go", "t8n", e.name), join(pkgDir, e.name));
    }
  }
  const cmd = new Deno.Command(join(tc.goroot, "bin", "go"), {
    args: ["build", "-trimpath", `-ldflags=${GO_LDFLAGS}`, "-o", out, "zkabi/t8n"],
    cwd: gopath,
    env: {
      GOROOT: tc.goroot,
      GOPATH: `${gopath}:${tc.gopath}`,
      GO111MODULE: "off",
      GOCACHE: join(buildRoot, "cache"),
      GOFLAGS: "",
      GOENV: "off",
      GOTOOLCHAIN: "local",
      GOTELEMETRY: "off",
      CGO_ENABLED: "0",
      GOOS: "linux",
      GOARCH: goarch,
    },
    stdout: "piped",
    stderr: "piped",
  });
  const res = await cmd.output();
  if (!res.success) {
    throw new Error(`go build (${goarch}) failed:\n${new TextDecoder().decode(res.stderr)}`);
  }
}

/** Builds the riscv64 and host binaries. */
export async function buildGo(
  ctx: BuildContext,
  tc: Toolchains,
  opts: GoBuildOptions,
): Promise<GoBuildResult> {
  const seconds: Record<string, number> = {};
  ctx.log("go: building t8n (riscv64)");
  let t0 = performance.now();
  const file = "bin/go/t8n";
  await Deno.mkdir(join(ctx.guestsDir, "bin", "go"), { recursive: true });
  await buildGoBinary(ctx, tc, "riscv64", opts.buildRoot, join(ctx.guestsDir, file));
  seconds["riscv64"] = (performance.now() - t0) / 1000;

  ctx.log("go: building t8n (host)");
  t0 = performance.now();
  await Deno.mkdir(opts.hostDir, { recursive: true });
  const hostBinary = join(opts.hostDir, "t8n");
  await buildGoBinary(ctx, tc, "amd64", opts.buildRoot, hostBinary);
  seconds["host"] = (performance.now() - t0) / 1000;

  return {
    builds: [{
      file,
      toolchain: goToolchain(tc),
      flags: [
        "GOOS=linux GOARCH=riscv64 CGO_ENABLED=0 GO111MODULE=off",
        "-trimpath",
        `-ldflags="${GO_LDFLAGS}"`,
      ],
      deterministic: true,
      description:
        "geth-evm-t8n-like state transition tool (encoding/json, x/crypto/sha3, btcec, EVM subset, goroutine worker pool), static",
    }],
    hostBinary,
    seconds,
  };
}
