/**
 * The report is reproducible on a fresh clone: `git clone` of the current
 * HEAD into a temporary folder (no `../shared` beside it, no `.cache/geth`,
 * no real-client binaries), `deno task analyze` there, and every file under
 * `reports/` must be byte-identical to the committed one (no file changed,
 * none added, none missing). The clone fetches the pinned sysroot itself;
 * to spare the network, the pinned packages are copied into its cache when
 * this checkout has them (they are checked against their sha256 all the
 * same). Uncommitted changes are not in the clone: the test checks what is
 * committed.
 *
 * Slow (a whole analysis): about as long as `deno task analyze`.
 */

import { equal } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

function git(args: string[], cwd = ROOT): { ok: boolean; out: string } {
  try {
    const o = new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" }).outputSync();
    const d = new TextDecoder();
    return { ok: o.success, out: d.decode(o.stdout) + d.decode(o.stderr) };
  } catch (e) {
    return { ok: false, out: (e as Error).message };
  }
}

const IN_GIT = git(["rev-parse", "--is-inside-work-tree"]).ok &&
  git(["cat-file", "-e", "HEAD:reports/findings.md"]).ok;
if (!IN_GIT) {
  console.log(
    "fresh_clone_test: not a git checkout with a committed report (git clone needs one): " +
      "the fresh-clone test is ignored",
  );
}

Deno.test({
  name: "a fresh clone regenerates reports/ byte for byte with deno task analyze",
  ignore: !IN_GIT,
  fn: async () => {
    const tmp = await Deno.makeTempDir({ prefix: "zkabi-fresh-" });
    const clone = join(tmp, "zkabi");
    try {
      const c = git(["clone", "--quiet", "--no-hardlinks", ROOT, clone], tmp);
      equal(c.ok, true, c.out);
      const debs = join(ROOT, ".cache/sysroot/debs");
      try {
        const into = join(clone, ".cache/sysroot/debs");
        for (const e of Deno.readDirSync(debs)) {
          if (!e.isFile || !e.name.endsWith(".deb")) continue;
          Deno.mkdirSync(into, { recursive: true });
          Deno.copyFileSync(join(debs, e.name), join(into, e.name));
        }
      } catch {
        // none cached here: the clone downloads them
      }
      const env: Record<string, string> = { ZKABI_GETH_DIR: join(tmp, "no-geth") };
      const run = await new Deno.Command(Deno.execPath(), {
        args: ["task", "analyze"],
        cwd: clone,
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const log = new TextDecoder().decode(run.stderr);
      equal(run.success, true, log.slice(-3000));
      // Every stage says what it does.
      for (const stage of ["stage 1/7", "stage 2/7", "stage 7/7"]) {
        equal(log.includes(stage), true, `progress line ${stage}`);
      }
      const status = git(
        ["status", "--porcelain", "--untracked-files=all", "--", "reports"],
        clone,
      );
      equal(status.ok, true, status.out);
      const diff = git(["diff", "--stat", "--", "reports"], clone);
      equal(status.out, "", `reports/ differs from the committed one:\n${status.out}\n${diff.out}`);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
