/**
 * Fetches the pinned riscv64 `.deb` files of the Debian differential tests
 * and builds the small sysroot they run in.
 *
 * - The pins live in `tests/debian/packages.json` ({@linkcode Manifest}):
 *   per package its pool path, size and SHA-256 as Debian's `Packages` index
 *   lists them, and the paths to take out of it.
 * - The archive is the one apt uses on this machine: the first non-security
 *   `deb` source of `/etc/apt/sources.list` and `sources.list.d/`
 *   ({@linkcode aptMirrors}); `ZKABI_DEBIAN_MIRROR` overrides it. No host
 *   is written in the code.
 * - Downloads go to `<repo>/.cache/debian/debs/` and are checked against
 *   their pinned size and SHA-256 before use; a mismatch is an error. A warm
 *   cache never touches the network.
 * - The sysroot (`.cache/debian/sysroot/`) holds only the listed paths
 *   (extracted with `dpkg-deb -x`), the merged-/usr links (`/lib`, `/bin`,
 *   `/sbin` into `/usr`, as Debian's base-files makes them), and an
 *   `/etc/ld.so.cache` made by the archive's own `ldconfig` run under
 *   qemu-riscv64. The cache matters for the comparison: `qemu-riscv64 -L`
 *   falls back to the host's file for paths missing in the sysroot, so
 *   without one the loader under qemu would read the host's cache while
 *   zkabi's would get ENOENT. A stamp file records which manifest the
 *   sysroot was built from, so a changed manifest rebuilds it.
 * - When the network (or the pinned version) is gone and the cache is cold,
 *   {@linkcode prepareSysroot} reports why instead of throwing, and the
 *   tests skip with that message.
 *
 * `scripts/debian_fetch.ts` warms the cache (for CI) and re-pins the
 * manifest from the current index.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One pinned `.deb`. */
export interface DebPackage {
  /** Package name. */
  name: string;
  /** Version as in the index. */
  version: string;
  /** Path under the archive root (`pool/main/...`). */
  path: string;
  /** Size in bytes. */
  size: number;
  /** SHA-256 of the `.deb`, lowercase hex. */
  sha256: string;
  /**
   * Paths inside the package to copy into the sysroot (relative, no leading
   * `/`); a final `*` matches any suffix of the last component.
   */
  extract: string[];
}

/** The committed pins (`tests/debian/packages.json`). */
export interface Manifest {
  /** Debian suite of the pins. */
  suite: string;
  /** Archive component. */
  component: string;
  /** Debian architecture. */
  arch: string;
  /** Symbolic links to make at the sysroot's top: name to target. */
  links: Record<string, string>;
  /** The packages. */
  packages: DebPackage[];
}

/** A ready sysroot. */
export interface SysrootReady {
  /** Ready. */
  ok: true;
  /** Absolute host path of the sysroot. */
  sysroot: string;
  /** Whether `/etc/ld.so.cache` was made (needs qemu-riscv64 and root). */
  ldCache: boolean;
  /** Packages downloaded by this call (empty when the cache was warm). */
  downloaded: string[];
}

/** Why no sysroot could be made (the tests skip with `reason`). */
export interface SysrootMissing {
  /** Not ready. */
  ok: false;
  /** One-line reason, naming the fix. */
  reason: string;
}

/** Options of {@linkcode prepareSysroot}. */
export interface PrepareOptions {
  /** Cache directory (default {@linkcode DEFAULT_CACHE}). */
  cache?: string;
  /** The manifest (default: loaded from {@linkcode MANIFEST_PATH}). */
  manifest?: Manifest;
  /** Archive base URLs to try in order (default: {@linkcode archiveBases}). */
  mirrors?: string[];
  /** Progress messages. */
  log?: (line: string) => void;
}

/** The repository root. */
export const REPO: string = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
/** Where the manifest lives. */
export const MANIFEST_PATH: string = join(REPO, "tests", "debian", "packages.json");
/** The default cache directory. */
export const DEFAULT_CACHE: string = join(REPO, ".cache", "debian");
/** Bumped when the sysroot layout changes, so old sysroots are rebuilt. */
const BUILD_VERSION = 1;
const STAMP = ".zkabi-sysroot.json";
const DOWNLOAD_TIMEOUT_MS = 120_000;

/** Reads and checks the manifest. */
export function loadManifest(path: string = MANIFEST_PATH): Manifest {
  const m = JSON.parse(Deno.readTextFileSync(path)) as Manifest;
  const problems = manifestProblems(m);
  if (problems.length) throw new Error(`${path}: ${problems.join("; ")}`);
  return m;
}

/** Consistency problems of a manifest (empty when sound). */
export function manifestProblems(m: Manifest): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  for (const p of m.packages ?? []) {
    if (names.has(p.name)) out.push(`${p.name} listed twice`);
    names.add(p.name);
    if (!/^[0-9a-f]{64}$/.test(p.sha256)) out.push(`${p.name}: sha256 is not 64 hex digits`);
    if (!Number.isInteger(p.size) || p.size <= 0) out.push(`${p.name}: bad size`);
    if (!/^pool\/[^/]+\/[^/]+\/[^/]+\/[^/]+\.deb$/.test(p.path)) {
      out.push(`${p.name}: ${p.path} is not a pool path`);
    }
    if (!p.path.endsWith(`_${m.arch}.deb`) && !p.path.endsWith("_all.deb")) {
      out.push(`${p.name}: ${p.path} is not for ${m.arch}`);
    }
    if (!Array.isArray(p.extract) || p.extract.length === 0) {
      out.push(`${p.name}: nothing to extract`);
    }
    for (const e of p.extract ?? []) {
      if (e.startsWith("/") || e.split("/").includes("..")) out.push(`${p.name}: bad path ${e}`);
    }
  }
  if (names.size === 0) out.push("no packages");
  return out;
}

// ------------------------------------------------------------ apt sources

/**
 * The archive base URLs of the `deb` sources in apt's configuration under
 * `aptDir`, in apt's order (`sources.list`, then `sources.list.d/` by name),
 * leaving out security and update suites (they have no `trixie` pool of
 * their own) and non-HTTP schemes.
 */
export function aptMirrors(aptDir: string = "/etc/apt"): string[] {
  const texts: { name: string; text: string }[] = [];
  const read = (path: string) => {
    try {
      texts.push({ name: path, text: Deno.readTextFileSync(path) });
    } catch {
      // absent or unreadable: apt would skip it too
    }
  };
  read(join(aptDir, "sources.list"));
  let entries: string[] = [];
  try {
    entries = [...Deno.readDirSync(join(aptDir, "sources.list.d"))]
      .filter((e) => !e.isDirectory)
      .map((e) => e.name)
      .sort();
  } catch {
    // no sources.list.d
  }
  for (const name of entries) {
    if (name.endsWith(".list") || name.endsWith(".sources")) {
      read(join(aptDir, "sources.list.d", name));
    }
  }
  const out: string[] = [];
  for (const { name, text } of texts) {
    const found = name.endsWith(".sources") ? deb822Sources(text) : oneLineSources(text);
    for (const s of found) {
      if (!/^https?:\/\//.test(s.uri)) continue;
      if (s.suites.every((x) => /-(security|updates|backports)$|\/updates$/.test(x))) continue;
      const base = s.uri.replace(/\/+$/, "");
      if (!out.includes(base)) out.push(base);
    }
  }
  return out;
}

/** A `deb` source: its URI and suites. */
export interface AptSource {
  /** The archive URI. */
  uri: string;
  /** Its suites. */
  suites: string[];
}

/** `deb` lines of the one-line `sources.list` format. */
export function oneLineSources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line.startsWith("deb ") && !line.startsWith("deb\t")) continue;
    const rest = line.slice(4).trim().replace(/^\[[^\]]*\]\s*/, "").split(/\s+/);
    if (rest.length >= 2) out.push({ uri: rest[0], suites: [rest[1]] });
  }
  return out;
}

/** `Types: deb` stanzas of the deb822 `.sources` format (`Enabled: no` skipped). */
export function deb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  const stanzas = text.split(/\n\s*\n/);
  for (const stanza of stanzas) {
    const fields = new Map<string, string>();
    let last = "";
    for (const raw of stanza.split("\n")) {
      if (raw.startsWith("#")) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last)} ${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (!m) continue;
      last = m[1].toLowerCase();
      fields.set(last, m[2].trim());
    }
    const types = (fields.get("types") ?? "").split(/\s+/);
    if (!types.includes("deb")) continue;
    if ((fields.get("enabled") ?? "yes").toLowerCase() === "no") continue;
    const suites = (fields.get("suites") ?? "").split(/\s+/).filter(Boolean);
    for (const uri of (fields.get("uris") ?? "").split(/\s+/).filter(Boolean)) {
      out.push({ uri, suites });
    }
  }
  return out;
}

/** The archive bases to try: `ZKABI_DEBIAN_MIRROR` if set, else {@linkcode aptMirrors}. */
export function archiveBases(): string[] {
  const env = Deno.env.get("ZKABI_DEBIAN_MIRROR");
  if (env) return [env.replace(/\/+$/, "")];
  return aptMirrors();
}

// ------------------------------------------------------------ downloads

/** SHA-256 of `bytes` as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The cached file of a package. */
export function debFile(cache: string, p: DebPackage): string {
  return join(cache, "debs", p.path.split("/").at(-1)!);
}

/** Outcome of one download. */
type Download =
  | { ok: true }
  | { ok: false; kind: "unreachable" | "gone"; reason: string };

/**
 * Makes sure `p` is in the cache with the pinned checksum, downloading it
 * if needed. A cached file with the wrong checksum is removed and fetched
 * again; a downloaded one with the wrong checksum throws.
 */
async function ensureDeb(cache: string, p: DebPackage, mirrors: string[]): Promise<Download> {
  const file = debFile(cache, p);
  try {
    const have = await Deno.readFile(file);
    if (have.length === p.size && await sha256Hex(have) === p.sha256) return { ok: true };
    await Deno.remove(file);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (mirrors.length === 0) {
    return {
      ok: false,
      kind: "unreachable",
      reason: "no Debian archive in apt's sources (set ZKABI_DEBIAN_MIRROR)",
    };
  }
  let last: Download = { ok: false, kind: "unreachable", reason: "no mirror tried" };
  for (const base of mirrors) {
    const url = `${base}/${p.path}`;
    let bytes: Uint8Array;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        last = {
          ok: false,
          kind: "gone",
          reason: `${p.name} ${p.version} is no longer in the archive (${p.path}: HTTP ` +
            `${res.status}); re-pin with \`deno run -A scripts/debian_fetch.ts --pin\``,
        };
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        last = { ok: false, kind: "unreachable", reason: `${url}: HTTP ${res.status}` };
        continue;
      }
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      last = { ok: false, kind: "unreachable", reason: `${url}: ${(e as Error).message}` };
      continue;
    }
    const sum = await sha256Hex(bytes);
    if (bytes.length !== p.size || sum !== p.sha256) {
      throw new Error(
        `${url}: checksum mismatch (got ${bytes.length} bytes, sha256 ${sum}; pinned ` +
          `${p.size} bytes, sha256 ${p.sha256})`,
      );
    }
    await Deno.mkdir(dirname(file), { recursive: true });
    const partial = `${file}.${crypto.randomUUID()}.partial`;
    await Deno.writeFile(partial, bytes);
    await Deno.rename(partial, file);
    return { ok: true };
  }
  return last;
}

// ------------------------------------------------------------ sysroot

/** Which qemu-riscv64 is on PATH, or null. */
export function findQemu(): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    const candidate = join(dir, "qemu-riscv64");
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function commandExists(name: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(join(dir, name)).isFile) return true;
    } catch {
      // not here
    }
  }
  return false;
}

interface Stamp {
  build: number;
  manifest: string;
  ldCache: boolean;
  /** Whether qemu-riscv64 was there to make the ld.so.cache. */
  qemu: boolean;
}

function readStamp(sysroot: string): Stamp | null {
  try {
    return JSON.parse(Deno.readTextFileSync(join(sysroot, STAMP))) as Stamp;
  } catch {
    return null;
  }
}

async function manifestDigest(m: Manifest): Promise<string> {
  return await sha256Hex(new TextEncoder().encode(JSON.stringify(m)));
}

/**
 * Downloads what is missing and (re)builds the sysroot when the manifest
 * changed. Never throws for a missing network or a vanished pin (see
 * {@linkcode SysrootMissing}); throws for a checksum mismatch or a broken
 * package.
 */
export async function prepareSysroot(
  opts: PrepareOptions = {},
): Promise<SysrootReady | SysrootMissing> {
  const cache = opts.cache ?? DEFAULT_CACHE;
  const manifest = opts.manifest ?? loadManifest();
  const log = opts.log ?? (() => {});
  const sysroot = join(cache, "sysroot");
  const digest = await manifestDigest(manifest);
  const qemu = findQemu();
  const stamp = readStamp(sysroot);
  if (
    stamp && stamp.build === BUILD_VERSION && stamp.manifest === digest &&
    (stamp.qemu || qemu === null)
  ) {
    return { ok: true, sysroot, ldCache: stamp.ldCache, downloaded: [] };
  }

  const downloaded: string[] = [];
  let mirrors: string[] | undefined;
  for (const p of manifest.packages) {
    if (await cachedOk(cache, p)) continue;
    mirrors ??= opts.mirrors ?? archiveBases();
    log(`debian: fetching ${p.name} ${p.version} (${p.size} bytes)`);
    const r = await ensureDeb(cache, p, mirrors);
    if (!r.ok) {
      return { ok: false, reason: `cache cold and ${r.reason}` };
    }
    downloaded.push(p.name);
  }
  if (!commandExists("dpkg-deb")) {
    return { ok: false, reason: "dpkg-deb is not installed (apt-get install dpkg)" };
  }

  const build = await Deno.makeTempDir({ dir: await ensureDir(cache), prefix: "build-" });
  try {
    const root = join(build, "root");
    await Deno.mkdir(root);
    for (const p of manifest.packages) {
      const staging = join(build, "pkg", p.name);
      await Deno.mkdir(staging, { recursive: true });
      await runChecked("dpkg-deb", ["-x", debFile(cache, p), staging]);
      for (const pattern of p.extract) {
        const matches = await expand(staging, pattern);
        if (matches.length === 0) {
          throw new Error(`${p.name} ${p.version}: nothing matches ${pattern}`);
        }
        for (const rel of matches) await copyTree(join(staging, rel), join(root, rel));
      }
    }
    for (const [name, target] of Object.entries(manifest.links)) {
      await Deno.symlink(target, join(root, name));
    }
    const ldCache = await makeLdCache(root, qemu, log);
    const s: Stamp = { build: BUILD_VERSION, manifest: digest, ldCache, qemu: qemu !== null };
    await Deno.writeTextFile(join(root, STAMP), JSON.stringify(s) + "\n");
    // Swap the new sysroot in.
    const old = join(build, "old");
    try {
      await Deno.rename(sysroot, old);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await Deno.rename(root, sysroot);
    log(`debian: sysroot ready at ${sysroot}${ldCache ? "" : " (without ld.so.cache)"}`);
    return { ok: true, sysroot, ldCache, downloaded };
  } finally {
    await Deno.remove(build, { recursive: true }).catch(() => {});
  }
}

async function cachedOk(cache: string, p: DebPackage): Promise<boolean> {
  try {
    const have = await Deno.readFile(debFile(cache, p));
    return have.length === p.size && await sha256Hex(have) === p.sha256;
  } catch {
    return false;
  }
}

async function ensureDir(dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}

async function runChecked(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}): ${err}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** The paths under `dir` matching `pattern` (a final `*` matches a name suffix). */
async function expand(dir: string, pattern: string): Promise<string[]> {
  if (!pattern.endsWith("*")) {
    try {
      await Deno.lstat(join(dir, pattern));
      return [pattern];
    } catch {
      return [];
    }
  }
  const parent = dirname(pattern);
  const prefix = pattern.slice(parent === "." ? 0 : parent.length + 1, -1);
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(join(dir, parent))) {
      if (e.name.startsWith(prefix)) out.push(parent === "." ? e.name : `${parent}/${e.name}`);
    }
  } catch {
    return [];
  }
  return out.sort();
}

/** Copies a file, symlink or directory tree, keeping links and modes. */
async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(dirname(to), { recursive: true });
  const st = await Deno.lstat(from);
  if (st.isSymlink) {
    await Deno.symlink(await Deno.readLink(from), to);
  } else if (st.isDirectory) {
    await Deno.mkdir(to, { recursive: true });
    for await (const e of Deno.readDir(from)) await copyTree(join(from, e.name), join(to, e.name));
  } else {
    await Deno.copyFile(from, to);
    if (st.mode !== null) await Deno.chmod(to, st.mode & 0o7777);
  }
}

/**
 * Makes `/etc/ld.so.cache` with the sysroot's own riscv64 `ldconfig` under
 * qemu-riscv64 (`-r` chroots, so it needs root). `-X` keeps it from
 * touching the libraries' links; its aux cache is removed afterwards.
 */
async function makeLdCache(
  root: string,
  qemu: string | null,
  log: (line: string) => void,
): Promise<boolean> {
  const ldconfig = join(root, "usr", "sbin", "ldconfig");
  if (qemu === null) {
    log("debian: qemu-riscv64 absent: sysroot made without /etc/ld.so.cache");
    return false;
  }
  try {
    await Deno.stat(ldconfig);
  } catch {
    log("debian: no usr/sbin/ldconfig in the sysroot: made without /etc/ld.so.cache");
    return false;
  }
  const out = await new Deno.Command(qemu, {
    args: [ldconfig, "-X", "-r", root],
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(join(root, "var"), { recursive: true }).catch(() => {});
  try {
    await Deno.stat(join(root, "etc", "ld.so.cache"));
    return out.success;
  } catch {
    log(
      `debian: ldconfig failed (${new TextDecoder().decode(out.stderr).trim()}): ` +
        "sysroot made without /etc/ld.so.cache",
    );
    return false;
  }
}

// ------------------------------------------------------------ pinning

/** Stanzas of a `Packages` index by package name (fields as written). */
export function parsePackagesIndex(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const stanza of text.split(/\n\n+/)) {
    const f: Record<string, string> = {};
    let last = "";
    for (const line of stanza.split("\n")) {
      if (/^\s/.test(line)) {
        if (last) f[last] += "\n" + line.trim();
        continue;
      }
      const i = line.indexOf(":");
      if (i <= 0) continue;
      last = line.slice(0, i);
      f[last] = line.slice(i + 1).trim();
    }
    if (f.Package && !out.has(f.Package)) out.set(f.Package, f);
  }
  return out;
}

/**
 * The manifest re-pinned to the versions of `index` (a `Packages` index of
 * the manifest's suite and architecture): same packages and extract lists,
 * new versions, paths, sizes and checksums. Throws for a package the index
 * lacks.
 */
export function repin(m: Manifest, index: Map<string, Record<string, string>>): Manifest {
  return {
    ...m,
    packages: m.packages.map((p) => {
      const f = index.get(p.name);
      if (!f) throw new Error(`${p.name} is not in the ${m.suite} ${m.arch} index`);
      return {
        name: p.name,
        version: f.Version,
        path: f.Filename,
        size: Number(f.Size),
        sha256: f.SHA256,
        extract: p.extract,
      };
    }),
  };
}

/** Downloads and parses the `Packages` index of the manifest's suite (gzip form). */
export async function fetchPackagesIndex(
  m: Manifest,
  mirrors: string[] = archiveBases(),
): Promise<Map<string, Record<string, string>>> {
  const rel = `dists/${m.suite}/${m.component}/binary-${m.arch}/Packages.gz`;
  const errors: string[] = [];
  for (const base of mirrors) {
    try {
      const res = await fetch(`${base}/${rel}`, {
        signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      });
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        errors.push(`${base}/${rel}: HTTP ${res.status}`);
        continue;
      }
      const text = await new Response(res.body.pipeThrough(new DecompressionStream("gzip")))
        .text();
      return parsePackagesIndex(text);
    } catch (e) {
      errors.push(`${base}/${rel}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no Packages index: ${errors.join("; ") || "no mirror in apt's sources"}`);
}
