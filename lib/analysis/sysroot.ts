/**
 * The pinned sysroot of the dynamically linked guest: the analysis fetches
 * it itself, so its results never depend on what the host has installed.
 *
 * - The pins live in `data/sysroot/riscv64-cross.json`
 *   ({@linkcode SysrootManifest}): per Debian package its pool path, size and
 *   SHA-256 as the archive's index lists them, and per file taken from it
 *   the SHA-256 of the file itself.
 * - Archives tried, in order: `ZKABI_DEBIAN_MIRROR` when set; else the
 *   `deb` sources of apt's configuration (`/etc/apt/sources.list` and
 *   `sources.list.d/`, one-line and deb822 forms); then Debian's own
 *   `https://deb.debian.org/debian` and `https://archive.debian.org/debian`
 *   (where a suite goes when it retires). The checksums make the source
 *   irrelevant: a file with another checksum is an error, never used.
 * - `.deb` files are read here: the `ar` archive and the `tar` inside are
 *   parsed in TypeScript; only the xz (or zstd) decompression of
 *   `data.tar.*` runs an external `xz` (or `zstd`); gzip uses the
 *   platform's DecompressionStream. No dpkg needed.
 * - Files land in `<root>/.cache/sysroot/<name>/` with the modes the
 *   package gives them; a warm cache (every file present with its pinned
 *   checksum) never touches the network.
 * @module
 */

import { createHash } from "node:crypto";
import { dirname, join } from "node:path";

/** One file taken from a package. */
export interface SysrootFile {
  /** Path inside the package (no leading `/`). */
  from: string;
  /** Path inside the sysroot. */
  to: string;
  /** SHA-256 of the file. */
  sha256: string;
}

/** One pinned Debian package. */
export interface SysrootPackage {
  /** Package name. */
  name: string;
  /** Version, as in the index. */
  version: string;
  /** Path under the archive root (`pool/main/...`). */
  path: string;
  /** Size in bytes. */
  size: number;
  /** SHA-256 of the `.deb`. */
  sha256: string;
  /** Files to take. */
  files: SysrootFile[];
}

/** The committed pins. */
export interface SysrootManifest {
  /** Folder name under `.cache/sysroot/`. */
  name: string;
  /** What the sysroot is. */
  description: string;
  /** Debian suite of the pins. */
  suite: string;
  /** The packages. */
  packages: SysrootPackage[];
}

/** Where the manifest lives, relative to the repository root. */
export const SYSROOT_MANIFEST = "data/sysroot/riscv64-cross.json";

/** Debian's archives, tried after apt's own sources. */
export const DEBIAN_ARCHIVES: readonly string[] = [
  "https://deb.debian.org/debian",
  "https://archive.debian.org/debian",
];

/** Reads the manifest of the repository at `root`. */
export function loadSysrootManifest(root: string): SysrootManifest {
  return JSON.parse(Deno.readTextFileSync(join(root, SYSROOT_MANIFEST)));
}

/** The folder the sysroot is (or will be) in. */
export function sysrootDir(root: string, m: SysrootManifest = loadSysrootManifest(root)): string {
  return join(root, ".cache", "sysroot", m.name);
}

/** SHA-256 as lowercase hex. */
export function sha256Of(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/** True when every pinned file is in `dir` with its checksum. */
export function sysrootComplete(dir: string, m: SysrootManifest): boolean {
  for (const p of m.packages) {
    for (const f of p.files) {
      try {
        if (sha256Of(Deno.readFileSync(join(dir, f.to))) !== f.sha256) return false;
      } catch {
        return false;
      }
    }
  }
  return true;
}

/** `deb` archive URIs of apt's configuration under `aptDir`, in apt's order. */
export function aptArchives(aptDir = "/etc/apt"): string[] {
  const texts: { deb822: boolean; text: string }[] = [];
  const read = (path: string, deb822: boolean) => {
    try {
      texts.push({ deb822, text: Deno.readTextFileSync(path) });
    } catch {
      // absent or unreadable: apt skips it too
    }
  };
  read(join(aptDir, "sources.list"), false);
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(join(aptDir, "sources.list.d"))].filter((e) => e.isFile)
      .map((e) => e.name).sort();
  } catch {
    // no sources.list.d
  }
  for (const n of names) {
    if (n.endsWith(".list")) read(join(aptDir, "sources.list.d", n), false);
    if (n.endsWith(".sources")) read(join(aptDir, "sources.list.d", n), true);
  }
  const out: string[] = [];
  for (const { deb822, text } of texts) {
    for (const uri of deb822 ? deb822Uris(text) : oneLineUris(text)) {
      const base = uri.replace(/\/+$/, "");
      if (/^https?:\/\//.test(base) && !/security/.test(base) && !out.includes(base)) {
        out.push(base);
      }
    }
  }
  return out;
}

function oneLineUris(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!/^deb\s/.test(line)) continue;
    const rest = line.slice(3).trim().replace(/^\[[^\]]*\]\s*/, "").split(/\s+/);
    if (rest[0]) out.push(rest[0]);
  }
  return out;
}

function deb822Uris(text: string): string[] {
  const out: string[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const lines = stanza.split("\n").filter((l) => !l.startsWith("#"));
    const field = (name: string) =>
      lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    if (!(field("types") ?? "").split(/\s+/).includes("deb")) continue;
    if ((field("enabled") ?? "yes").toLowerCase() === "no") continue;
    out.push(...(field("uris") ?? "").split(/\s+/).filter(Boolean));
  }
  return out;
}

/** Archives to try: `ZKABI_DEBIAN_MIRROR`, else apt's, then {@linkcode DEBIAN_ARCHIVES}. */
export function archivesToTry(): string[] {
  const env = Deno.env.get("ZKABI_DEBIAN_MIRROR");
  if (env) return [env.replace(/\/+$/, "")];
  const out = aptArchives();
  for (const a of DEBIAN_ARCHIVES) if (!out.includes(a)) out.push(a);
  return out;
}

/** Members of an `ar` archive (a `.deb`): name and bytes. */
export function arMembers(b: Uint8Array): { name: string; data: Uint8Array }[] {
  const magic = new TextDecoder().decode(b.subarray(0, 8));
  if (magic !== "!<arch>\n") throw new Error("not an ar archive");
  const out: { name: string; data: Uint8Array }[] = [];
  const text = (from: number, n: number) =>
    new TextDecoder().decode(b.subarray(from, from + n)).trim();
  let at = 8;
  while (at + 60 <= b.length) {
    const name = text(at, 16).replace(/\/$/, "");
    const size = Number(text(at + 48, 10));
    if (!Number.isInteger(size) || size < 0) throw new Error(`bad ar member size at ${at}`);
    out.push({ name, data: b.subarray(at + 60, at + 60 + size) });
    at += 60 + size + (size % 2);
  }
  return out;
}

/** A file of a tar archive. */
export interface TarEntry {
  /** Path without a leading `./`. */
  path: string;
  /** Permission bits. */
  mode: number;
  /** `0` file, `2` symlink, `5` directory, ... */
  type: string;
  /** Link target for links. */
  link: string;
  /** Contents of regular files. */
  data: Uint8Array;
}

/** Entries of an uncompressed (ustar or GNU) tar archive. */
export function tarEntries(b: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  const str = (from: number, n: number) => {
    const s = b.subarray(from, from + n);
    const end = s.indexOf(0);
    return new TextDecoder().decode(end >= 0 ? s.subarray(0, end) : s);
  };
  const oct = (from: number, n: number) => parseInt(str(from, n).trim() || "0", 8);
  let at = 0;
  let longName: string | undefined;
  while (at + 512 <= b.length) {
    if (b.subarray(at, at + 512).every((x) => x === 0)) break;
    const size = oct(at + 124, 12);
    const type = str(at + 156, 1) || "0";
    const prefix = str(at + 345, 155);
    const name = str(at, 100);
    const mode = oct(at + 100, 8);
    const link = str(at + 157, 100);
    const data = b.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = new TextDecoder().decode(data).replace(/\0.*$/s, "");
      continue;
    }
    const path = (longName ?? (prefix ? `${prefix}/${name}` : name)).replace(/^\.\//, "")
      .replace(/\/$/, "");
    longName = undefined;
    out.push({ path, mode, type, link, data });
  }
  return out;
}

async function decompress(name: string, data: Uint8Array): Promise<Uint8Array> {
  if (name.endsWith(".tar")) return data;
  if (name.endsWith(".gz")) {
    const s = new Blob([data as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(s).arrayBuffer());
  }
  const tool = name.endsWith(".xz") ? "xz" : name.endsWith(".zst") ? "zstd" : undefined;
  if (!tool) throw new Error(`${name}: unknown compression`);
  let child;
  try {
    child = new Deno.Command(tool, {
      args: ["-dc"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch {
    throw new Error(`${name}: needs the '${tool}' program to decompress (install it)`);
  }
  const w = child.stdin.getWriter();
  const writing = w.write(data).then(() => w.close());
  const [out] = await Promise.all([child.output(), writing]);
  if (!out.success) throw new Error(`${tool} -dc failed on ${name}`);
  return out.stdout;
}

/** The files of a `.deb`'s data archive. */
export async function debFiles(deb: Uint8Array): Promise<TarEntry[]> {
  const m = arMembers(deb).find((x) => x.name.startsWith("data.tar"));
  if (!m) throw new Error("no data.tar member");
  return tarEntries(await decompress(m.name, m.data));
}

async function download(p: SysrootPackage, archives: string[]): Promise<Uint8Array> {
  const problems: string[] = [];
  for (const base of archives) {
    const url = `${base}/${p.path}`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok) {
        await res.body?.cancel();
        problems.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const b = new Uint8Array(await res.arrayBuffer());
      const sum = sha256Of(b);
      if (b.length !== p.size || sum !== p.sha256) {
        throw new Error(
          `${url}: checksum mismatch (${b.length} bytes, sha256 ${sum}; pinned ${p.size} ` +
            `bytes, sha256 ${p.sha256})`,
        );
      }
      return b;
    } catch (e) {
      if (/checksum mismatch/.test((e as Error).message)) throw e;
      problems.push(`${url}: ${(e as Error).message}`);
    }
  }
  throw new Error(`cannot download ${p.name} ${p.version}: ${problems.join("; ")}`);
}

/** Result of {@linkcode ensureSysroot}. */
export interface SysrootResult {
  /** The sysroot folder. */
  dir: string;
  /** Packages downloaded by this call. */
  downloaded: string[];
}

/**
 * Makes sure the pinned sysroot is complete under `<root>/.cache/sysroot/`,
 * downloading and extracting what is missing (from `archives`, default
 * {@linkcode archivesToTry}). Throws with a one-line reason when it cannot
 * (no network, a checksum mismatch).
 */
export async function ensureSysroot(
  root: string,
  log: (line: string) => void = () => {},
  archives: string[] | undefined = undefined,
): Promise<SysrootResult> {
  const m = loadSysrootManifest(root);
  const dir = sysrootDir(root, m);
  if (sysrootComplete(dir, m)) return { dir, downloaded: [] };
  const cache = join(root, ".cache", "sysroot", "debs");
  const downloaded: string[] = [];
  for (const p of m.packages) {
    const file = join(cache, p.path.split("/").pop()!);
    let deb: Uint8Array | undefined;
    try {
      const have = Deno.readFileSync(file);
      if (have.length === p.size && sha256Of(have) === p.sha256) deb = have;
    } catch {
      // not cached
    }
    if (!deb) {
      archives ??= archivesToTry();
      log(`sysroot: fetching ${p.name} ${p.version} (${p.size} bytes, sha256 pinned)`);
      deb = await download(p, archives);
      Deno.mkdirSync(cache, { recursive: true });
      Deno.writeFileSync(file, deb);
      downloaded.push(p.name);
    }
    const entries = await debFiles(deb);
    for (const f of p.files) {
      const e = entries.find((x) => x.path === f.from && x.type === "0");
      if (!e) throw new Error(`${p.name} ${p.version}: no file ${f.from}`);
      if (sha256Of(e.data) !== f.sha256) {
        throw new Error(`${p.name} ${p.version}: ${f.from} has an unexpected checksum`);
      }
      const to = join(dir, f.to);
      Deno.mkdirSync(dirname(to), { recursive: true });
      Deno.writeFileSync(to, e.data, { mode: e.mode & 0o777 });
      Deno.chmodSync(to, e.mode & 0o777);
    }
  }
  if (!sysrootComplete(dir, m)) throw new Error(`sysroot ${dir} incomplete after extraction`);
  log(`sysroot: ${m.name} ready in ${dir}`);
  return { dir, downloaded };
}
