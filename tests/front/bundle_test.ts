import { deepEqual, equal, ok } from "node:assert/strict";
import {
  buildBundle,
  type BundleManifest,
  currentBundle,
  isCurrent,
  type StatFn,
} from "../../lib/front/bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

const MANIFEST: BundleManifest = {
  deno: "2.9.6",
  bundle: "run-0123abcd.js",
  files: [["lib/a.ts", 10, 1000], ["deno.json", 5, 2000]],
};

function stats(over: Record<string, { size: number; mtime: number } | undefined> = {}): StatFn {
  const base: Record<string, { size: number; mtime: number }> = {
    "lib/a.ts": { size: 10, mtime: 1000 },
    "deno.json": { size: 5, mtime: 2000 },
  };
  return (rel) => (rel in over ? over[rel] : base[rel]);
}

Deno.test("a bundle is current only while every source and Deno's version are as recorded", () => {
  ok(isCurrent(MANIFEST, stats(), "2.9.6"));
  ok(!isCurrent(MANIFEST, stats(), "2.9.7"), "another Deno");
  ok(!isCurrent(MANIFEST, stats({ "lib/a.ts": { size: 11, mtime: 1000 } }), "2.9.6"), "size");
  ok(!isCurrent(MANIFEST, stats({ "lib/a.ts": { size: 10, mtime: 1001 } }), "2.9.6"), "mtime");
  ok(!isCurrent(MANIFEST, stats({ "deno.json": undefined }), "2.9.6"), "a file gone");
  ok(!isCurrent({ ...MANIFEST, files: [] }, stats(), "2.9.6"), "no sources");
  ok(!isCurrent({ ...MANIFEST, bundle: "../../x.js" }, stats(), "2.9.6"), "a path, not a name");
});

/** Runs `zkabi run ARGS` through the run command of module `url` (keeping regions in `regions`). */
function runThrough(url: string, args: string[], regions?: string) {
  const ctx = `{ root: ${JSON.stringify(ROOT)}, usage, regionCache: ${JSON.stringify(regions)} }`;
  const driver = [
    `const m = await import(${JSON.stringify(url)});`,
    `const usage = () => Promise.resolve("usage");`,
    `Deno.exit(await m.runCommand(Deno.args, ${ctx}));`,
  ].join("\n");
  const out = new Deno.Command(Deno.execPath(), {
    args: ["eval", driver, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("the bundled run path is built from the sources and runs guests as they do", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "zkabi-bundle-" });
  try {
    // A failure on record from an earlier attempt: a good build clears it.
    Deno.writeTextFileSync(`${dir}/failed`, "deno bundle failed\n");
    const m = await buildBundle(ROOT, dir);
    ok(m !== undefined);
    ok(![...Deno.readDirSync(dir)].some((e) => e.name === "failed"));
    const listed = m.files.map(([rel]) => rel);
    for (
      const f of ["lib/front/run_command.ts", "lib/kernel/kernel.ts", "lib/cpu/interpreter.ts"]
    ) {
      ok(listed.includes(f), `${f} in the manifest`);
    }
    ok(listed.includes("deno.json"));
    ok(!listed.includes("lib/front/commands.ts"), "the analysis commands stay out");
    const current = currentBundle(ROOT, dir);
    const url = current?.url;
    equal(url, new URL(`file://${dir}/${m.bundle}`).href);
    equal(current?.regionCache, `${ROOT}/.cache/regions/${m.bundle.replace(/\.js$/, "")}`);
    ok(![...Deno.readDirSync(dir)].some((e) => e.name === "lock"), "the lock is released");
    const sources = new URL("../../lib/front/run_command.ts", import.meta.url).href;
    const stats = (file: string) => {
      const s = JSON.parse(Deno.readTextFileSync(file));
      delete s.wallSeconds;
      return s;
    };
    for (
      const args of [
        ["guests/bin/c/hello"],
        ["guests/bin/c/sigsegv"],
        ["--strace", "guests/bin/c/getcwd"],
        ["guests/bin/c/no_such_program"],
        ["--no-such-flag", "guests/bin/c/hello"],
        ["guests/bin/rust/stateless-static", "guests/fixtures/stateless_input.json"],
      ]
    ) {
      // The bundle keeping regions (run twice: the second loads them), the sources not.
      for (let round = 0; round < 2; round++) {
        const fromBundle = runThrough(
          url!,
          ["--stats", `${dir}/b.json`, ...args],
          `${dir}/regions`,
        );
        const fromSources = runThrough(sources, ["--stats", `${dir}/s.json`, ...args]);
        deepEqual(fromBundle, fromSources, args.join(" "));
        if (fromSources.code < 125) deepEqual(stats(`${dir}/b.json`), stats(`${dir}/s.json`));
      }
    }
    ok([...Deno.readDirSync(`${dir}/regions`)].length > 0, "the Rust guest's regions are kept");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a failed build is recorded, and releases its lock", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "zkabi-bundle-" });
  try {
    // A "repository" without the run path: the bundler has nothing to build.
    Deno.mkdirSync(`${dir}/repo`);
    let failed = false;
    try {
      await buildBundle(`${dir}/repo`, `${dir}/out`);
    } catch {
      failed = true;
    }
    ok(failed);
    ok(Deno.readTextFileSync(`${dir}/out/failed`).trim().length > 0);
    ok(![...Deno.readDirSync(`${dir}/out`)].some((e) => e.name === "lock"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("while another build holds the lock, a build leaves the bundle alone", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "zkabi-bundle-" });
  try {
    Deno.writeTextFileSync(`${dir}/lock`, "1\n");
    equal(await buildBundle(ROOT, dir), undefined);
    equal(currentBundle(ROOT, dir), undefined);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("`zkabi run` gives the same results from the bundle and with ZKABI_BUNDLE=0", () => {
  const build = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/front/bundle.ts"],
    cwd: ROOT,
    stdout: "piped",
  }).outputSync();
  equal(build.code, 0, new TextDecoder().decode(build.stdout));
  const run = (env: Record<string, string>) => {
    const out = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli.ts", "run", "guests/bin/c/hello"],
      cwd: ROOT,
      env,
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    return [out.code, new TextDecoder().decode(out.stdout), new TextDecoder().decode(out.stderr)];
  };
  deepEqual(run({}), run({ ZKABI_BUNDLE: "0" }));
  deepEqual(run({})[1], "Hello from freestanding C on riscv64!\n");
});
