/**
 * Installs the Rust and Go toolchains for the guest corpus from Debian
 * trixie packages into a cache folder (no root filesystem changes besides
 * `apt-get install gcc-riscv64-linux-gnu` when the cross linker is missing).
 *
 * - amd64 packages (rustc, cargo, LLVM, the Go toolchain, the Rust crates and
 *   Go libraries as Debian ships them, and the shared libraries the compilers
 *   need) are resolved with apt against a private trixie package list.
 * - riscv64 packages (the Rust standard library for the target) are taken
 *   from trixie's riscv64 `Packages.gz`, whose hash comes from the
 *   apt-verified `InRelease`.
 * - Every `.deb` is checked against its SHA-256 and unpacked with `dpkg -x`
 *   into one tree; the compilers run through the tree's own dynamic loader.
 *
 * Each step is skipped when its result is already in the cache.
 * @module
 */

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { BuildContext } from "./build_types.ts";

/** Debian release the toolchains come from. */
export const SUITE = "trixie";

/** amd64 compiler packages plus the shared libraries rustc and cargo load. */
const HOST_PACKAGES: readonly string[] = [
  // Rust compiler, standard library for the host, cargo.
  "rustc",
  "libstd-rust-1.85",
  "libstd-rust-dev",
  "libllvm19",
  "cargo",
  // Go compiler and standard library sources.
  "golang-1.24-go",
  "golang-1.24-src",
  // Go libraries used by the t8n guest (GOPATH layout under /usr/share/gocode).
  "golang-golang-x-crypto-dev",
  "golang-golang-x-sys-dev",
  "golang-github-btcsuite-btcd-btcec-dev",
  "golang-github-btcsuite-fastsha256-dev",
  // Libraries of rustc/LLVM.
  "libc6",
  "libgcc-s1",
  "libstdc++6",
  "zlib1g",
  "libzstd1",
  "libffi8",
  "libedit2",
  "libbsd0",
  "libmd0",
  "libtinfo6",
  "libxml2",
  "libicu76",
  "liblzma5",
  "libz3-4",
  // Libraries of cargo (libcurl, libgit2, libssh2 and their closure).
  "libcurl4t64",
  "libgit2-1.9",
  "libsqlite3-0",
  "libssh2-1t64",
  "libssl3t64",
  "libbrotli1",
  "libcom-err2",
  "libgmp10",
  "libgnutls30t64",
  "libgssapi-krb5-2",
  "libhogweed6t64",
  "libhttp-parser2.9",
  "libidn2-0",
  "libk5crypto3",
  "libkeyutils1",
  "libkrb5-3",
  "libkrb5support0",
  "libldap2",
  "libmbedcrypto16",
  "libmbedtls21",
  "libmbedx509-7",
  "libnettle8t64",
  "libnghttp2-14",
  "libnghttp3-9",
  "libp11-kit0",
  "libpcre2-8-0",
  "libpsl5t64",
  "librtmp1",
  "libsasl2-2",
  "libtasn1-6",
  "libunistring5",
];

/** Crates the Rust guest depends on; their `librust-*-dev` closure is fetched. */
const RUST_CRATE_PACKAGES: readonly string[] = [
  "librust-serde-dev",
  "librust-serde-derive-dev",
  "librust-serde-json-dev",
  "librust-sha3-dev",
  "librust-k256-dev",
];

/** riscv64 packages: the Rust standard library for the target. */
const RISCV64_PACKAGES: readonly string[] = ["libstd-rust-dev", "libstd-rust-1.85"];

/** What the rest of the build needs to know about the installed toolchains. */
export interface Toolchains {
  /** The unpacked Debian tree. */
  root: string;
  /** Wrapper script running trixie's rustc with its own loader and sysroot. */
  rustc: string;
  /** Wrapper script running trixie's cargo. */
  cargo: string;
  /** CARGO_HOME whose config points crates-io at Debian's crate sources. */
  cargoHome: string;
  /** Debian's vendored crate registry inside `root`. */
  cargoRegistry: string;
  /** GOROOT of trixie's Go. */
  goroot: string;
  /** GOPATH with Debian's Go library sources. */
  gopath: string;
  /** Exact Debian versions of the packages that matter, by package name. */
  versions: Record<string, string>;
  /** Version line of the cross C compiler used as linker. */
  crossGcc: string;
}

/** One package file to fetch. */
interface DebFile {
  name: string;
  version: string;
  url: string;
  file: string;
  sha256: string;
}

async function exec(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string> } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, { args, env: opts.env, stdout: "piped", stderr: "piped" })
    .output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr);
    throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}):\n${stderr}${stdout}`);
  }
  return stdout;
}

function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The Debian archive URL from the machine's apt sources, or deb.debian.org. */
export function debianMirror(): string {
  const files: string[] = [];
  for (const f of ["/etc/apt/sources.list"]) if (existsSync(f)) files.push(f);
  if (existsSync("/etc/apt/sources.list.d")) {
    for (const e of Deno.readDirSync("/etc/apt/sources.list.d")) {
      if (e.name.endsWith(".list") || e.name.endsWith(".sources")) {
        files.push(join("/etc/apt/sources.list.d", e.name));
      }
    }
  }
  for (const f of files) {
    for (const line of Deno.readTextFileSync(f).split("\n")) {
      if (line.trim().startsWith("#")) continue;
      for (const m of line.matchAll(/https?:\/\/[^\s\]]+/g)) {
        const url = m[0].replace(/\/+$/, "");
        if (/\/debian$/.test(url)) return url;
      }
    }
  }
  return "http://deb.debian.org/debian";
}

/** Paths of the private apt state used for trixie amd64. */
function aptOptions(aptDir: string): string[] {
  return [
    "-o",
    `Dir::Etc::SourceList=${join(aptDir, "sources.list")}`,
    "-o",
    "Dir::Etc::SourceParts=-",
    "-o",
    `Dir::State::Lists=${join(aptDir, "lists")}`,
    "-o",
    `Dir::State::status=${join(aptDir, "status")}`,
    "-o",
    `Dir::Cache=${join(aptDir, "cache")}`,
    "-o",
    "APT::Architecture=amd64",
    "-o",
    "APT::Architectures=amd64",
    "-o",
    "Debug::NoLocking=1",
  ];
}

async function aptUpdate(ctx: BuildContext, aptDir: string, mirror: string): Promise<void> {
  const lists = join(aptDir, "lists");
  const have = existsSync(lists) &&
    [...Deno.readDirSync(lists)].some((e) => e.name.includes("_Packages"));
  if (have) return;
  ctx.log(`apt: fetching the ${SUITE} amd64 package index from ${mirror}`);
  await Deno.mkdir(join(lists, "partial"), { recursive: true });
  await Deno.mkdir(join(aptDir, "cache", "archives", "partial"), { recursive: true });
  await Deno.writeTextFile(join(aptDir, "status"), "");
  await Deno.writeTextFile(
    join(aptDir, "sources.list"),
    `deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} ${SUITE} main\n`,
  );
  await exec("apt-get", [...aptOptions(aptDir), "update"]);
}

/** Real (non-virtual) `librust-*` packages in the dependency closure of the crates. */
async function crateClosure(aptDir: string): Promise<string[]> {
  const out = await exec("apt-cache", [
    ...aptOptions(aptDir),
    "depends",
    "--recurse",
    "--no-recommends",
    "--no-suggests",
    "--no-conflicts",
    "--no-breaks",
    "--no-replaces",
    "--no-enhances",
    ...RUST_CRATE_PACKAGES,
  ]);
  const names = new Set<string>();
  for (const line of out.split("\n")) {
    if (/^librust-[a-z0-9+.-]+$/.test(line)) names.add(line);
  }
  return [...names].sort();
}

/** Resolves amd64 packages to URLs and hashes through apt (`--print-uris`). */
async function resolveAmd64(aptDir: string, names: string[]): Promise<DebFile[]> {
  const out = await exec("apt-get", [...aptOptions(aptDir), "download", "--print-uris", ...names]);
  const debs: DebFile[] = [];
  for (const line of out.split("\n")) {
    const m = line.match(/^'([^']+)' (\S+) \d+ SHA256:([0-9a-f]{64})$/);
    if (!m) continue;
    const [name, version] = m[2].split("_");
    debs.push({ name, version: decodeURIComponent(version), url: m[1], file: m[2], sha256: m[3] });
  }
  if (debs.length !== names.length) {
    throw new Error(`apt resolved ${debs.length} of ${names.length} packages`);
  }
  return debs;
}

/** Resolves riscv64 packages through the hash-checked riscv64 Packages.gz. */
async function resolveRiscv64(
  ctx: BuildContext,
  aptDir: string,
  mirror: string,
): Promise<DebFile[]> {
  const lists = join(aptDir, "lists");
  const inRelease = [...Deno.readDirSync(lists)].find((e) =>
    e.name.endsWith(`_dists_${SUITE}_InRelease`)
  );
  if (!inRelease) throw new Error("apt-verified InRelease not found");
  const release = await Deno.readTextFile(join(lists, inRelease.name));
  const sha256Section = release.split(/^SHA256:$/m)[1] ?? "";
  const m = sha256Section.match(/^ ([0-9a-f]{64})\s+\d+ main\/binary-riscv64\/Packages\.gz$/m);
  if (!m) throw new Error("InRelease lacks main/binary-riscv64/Packages.gz");
  const cached = join(aptDir, "riscv64-Packages.gz");
  let gz: Uint8Array | null = existsSync(cached) ? await Deno.readFile(cached) : null;
  if (gz === null || sha256Hex(gz) !== m[1]) {
    ctx.log("apt: fetching the trixie riscv64 package index");
    gz = await download(`${mirror}/dists/${SUITE}/main/binary-riscv64/Packages.gz`);
    if (sha256Hex(gz) !== m[1]) throw new Error("riscv64 Packages.gz hash mismatch");
    await Deno.writeFile(cached, gz);
  }
  const text = new TextDecoder().decode(gunzipSync(gz));
  const debs: DebFile[] = [];
  for (const stanza of text.split("\n\n")) {
    const field = (k: string): string | undefined =>
      stanza.match(new RegExp(`^${k}: (.*)$`, "m"))?.[1];
    const name = field("Package");
    if (name === undefined || !RISCV64_PACKAGES.includes(name)) continue;
    const filename = field("Filename")!;
    debs.push({
      name,
      version: field("Version")!,
      url: `${mirror}/${filename}`,
      file: filename.split("/").pop()!,
      sha256: field("SHA256")!,
    });
  }
  if (debs.length !== RISCV64_PACKAGES.length) throw new Error("riscv64 packages not found");
  return debs;
}

async function download(url: string): Promise<Uint8Array> {
  for (let attempt = 1;; attempt++) {
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      if (attempt >= 3) throw new Error(`downloading ${url}: ${e}`);
    }
  }
}

/** Downloads the files not yet in the cache, four at a time, checking hashes. */
async function fetchDebs(ctx: BuildContext, debDir: string, debs: DebFile[]): Promise<void> {
  await Deno.mkdir(debDir, { recursive: true });
  const missing = debs.filter((d) => !existsSync(join(debDir, d.file)));
  if (missing.length > 0) ctx.log(`toolchains: downloading ${missing.length} Debian packages`);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < missing.length) {
      const d = missing[next++];
      const data = await download(d.url);
      if (sha256Hex(data) !== d.sha256) throw new Error(`hash mismatch for ${d.file}`);
      await Deno.writeFile(join(debDir, d.file + ".part"), data);
      await Deno.rename(join(debDir, d.file + ".part"), join(debDir, d.file));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Unpacks all debs into `root` unless the same set is already there. */
async function unpack(
  ctx: BuildContext,
  debDir: string,
  root: string,
  debs: DebFile[],
): Promise<void> {
  const stamp = join(root, ".zkabi-unpacked");
  const want = debs.map((d) => d.file).sort().join("\n") + "\n";
  if (existsSync(stamp) && (await Deno.readTextFile(stamp)) === want) return;
  ctx.log(`toolchains: unpacking ${debs.length} packages into ${root}`);
  await Deno.remove(root, { recursive: true }).catch(() => {});
  await Deno.mkdir(root, { recursive: true });
  for (const d of debs) await exec("dpkg", ["-x", join(debDir, d.file), root]);
  await Deno.writeTextFile(stamp, want);
}

/** Writes a file only when its content changes (keeps cargo's fingerprints stable). */
async function writeIfChanged(path: string, text: string, mode = 0o644): Promise<void> {
  const old = existsSync(path) ? await Deno.readTextFile(path) : null;
  if (old !== text) {
    await Deno.writeTextFile(path, text);
    await Deno.chmod(path, mode);
  }
}

/** Makes sure the riscv64 cross linker (bookworm's gcc) is installed. */
async function ensureCrossGcc(ctx: BuildContext): Promise<string> {
  const probe = await new Deno.Command("riscv64-linux-gnu-gcc", {
    args: ["--version"],
    stdout: "piped",
    stderr: "null",
  })
    .output().catch(() => null);
  if (probe === null || !probe.success) {
    ctx.log("toolchains: installing gcc-riscv64-linux-gnu with apt-get");
    await exec("apt-get", ["install", "-y", "--no-install-recommends", "gcc-riscv64-linux-gnu"], {
      env: { DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  return (await exec("riscv64-linux-gnu-gcc", ["--version"])).split("\n")[0];
}

/** Installs (or finds in the cache) everything the Rust and Go builds need. */
export async function ensureToolchains(ctx: BuildContext): Promise<Toolchains> {
  const crossGcc = await ensureCrossGcc(ctx);
  const mirror = debianMirror();
  const aptDir = join(ctx.cacheDir, "apt");
  const debDir = join(ctx.cacheDir, "debs");
  const root = join(ctx.cacheDir, "trixie");
  const resolved = join(ctx.cacheDir, "resolved.json");

  let debs: DebFile[];
  if (existsSync(resolved) && existsSync(join(root, ".zkabi-unpacked"))) {
    debs = JSON.parse(await Deno.readTextFile(resolved));
  } else {
    await aptUpdate(ctx, aptDir, mirror);
    const crates = await crateClosure(aptDir);
    debs = [
      ...(await resolveAmd64(aptDir, [...HOST_PACKAGES, ...crates])),
      ...(await resolveRiscv64(ctx, aptDir, mirror)),
    ];
    await Deno.writeTextFile(resolved, JSON.stringify(debs, null, 1) + "\n");
  }
  await fetchDebs(ctx, debDir, debs);
  await unpack(ctx, debDir, root, debs);

  const lib = join(root, "usr/lib/x86_64-linux-gnu");
  const loader = join(lib, "ld-linux-x86-64.so.2");
  const binDir = join(ctx.cacheDir, "bin");
  await Deno.mkdir(binDir, { recursive: true });
  const rustc = join(binDir, "rustc");
  const cargo = join(binDir, "cargo");
  // The compilers run under trixie's own loader and libraries; processes they
  // start (the linker, build scripts) use the machine's as usual.
  await writeIfChanged(
    rustc,
    `#!/bin/sh\nexec "${loader}" --library-path "${lib}" "${root}/usr/bin/rustc" --sysroot "${root}/usr" "$@"\n`,
    0o755,
  );
  await writeIfChanged(
    cargo,
    `#!/bin/sh\nexec "${loader}" --library-path "${lib}" "${root}/usr/bin/cargo" "$@"\n`,
    0o755,
  );
  const cargoHome = join(ctx.cacheDir, "cargo-home");
  const cargoRegistry = join(root, "usr/share/cargo/registry");
  await Deno.mkdir(cargoHome, { recursive: true });
  await writeIfChanged(
    join(cargoHome, "config.toml"),
    [
      "[source.crates-io]",
      'replace-with = "debian"',
      "[source.debian]",
      `directory = "${cargoRegistry}"`,
      "[net]",
      "offline = true",
      "",
    ].join("\n"),
  );

  const versions: Record<string, string> = {};
  for (const d of debs) {
    if (versions[d.name] !== undefined && versions[d.name] !== d.version) {
      throw new Error(`${d.name}: amd64 ${versions[d.name]} but riscv64 ${d.version}`);
    }
    versions[d.name] = d.version;
  }
  return {
    root,
    rustc,
    cargo,
    cargoHome,
    cargoRegistry,
    goroot: join(root, "usr/lib/go-1.24"),
    gopath: join(root, "usr/share/gocode"),
    versions,
    crossGcc,
  };
}
