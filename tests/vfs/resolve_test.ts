/**
 * Path resolution in the guest namespace: `.`/`..`, symlinks (relative,
 * absolute, loops), ENOTDIR, ENAMETOOLONG, trailing slashes, mount points
 * and synthesized ancestors, and above all that no path reaches the host
 * outside the mounts.
 * @module
 */

import assert from "node:assert/strict";
import { ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from "../../lib/abi/errno.ts";
import { HostFs } from "../../lib/vfs/host_fs.ts";
import { MemFs } from "../../lib/vfs/mem_fs.ts";
import {
  type FileData,
  type Inode,
  inodeOf,
  type Loc,
  makedev,
  pathOf,
} from "../../lib/vfs/types.ts";
import { MAXSYMLINKS, Vfs } from "../../lib/vfs/vfs.ts";
import { makeWorld, type World } from "../kernel/files_support.ts";

function build(w: World): { vfs: Vfs; cwd: Loc; tmp: MemFs } {
  const root = new HostFs(w.sysroot, false, makedev(0, 40), 40).rootInode() as Inode;
  const vfs = new Vfs(root);
  const tmp = new MemFs(makedev(0, 41), 41, () => 5);
  vfs.mount("/tmp", tmp.root);
  vfs.mount(w.cwd, new HostFs(w.cwd, false, makedev(0, 42), 42).rootInode() as Inode);
  const cwd = vfs.resolve(vfs.root, w.cwd, true);
  assert.equal(typeof cwd, "object");
  return { vfs, cwd: cwd as Loc, tmp };
}

function contents(loc: Loc | number): string {
  assert.equal(typeof loc, "object", `resolution failed: ${loc}`);
  const node = inodeOf(loc as Loc);
  const d = node.data!() as FileData;
  return new TextDecoder().decode(d.bytes());
}

function withWorld(name: string, f: (w: World, v: ReturnType<typeof build>) => void): void {
  Deno.test(name, () => {
    const w = makeWorld();
    try {
      f(w, build(w));
    } finally {
      w.dispose();
    }
  });
}

withWorld("resolve: relative, absolute, . and ..", (w, { vfs, cwd }) => {
  assert.equal(contents(vfs.resolve(cwd, "input.txt", true)), "line one\nline two\n");
  assert.equal(contents(vfs.resolve(cwd, "./sub/../input.txt", true)), "line one\nline two\n");
  assert.equal(contents(vfs.resolve(cwd, "/etc/passwd", true)), "root:x:0:0\n");
  assert.equal(contents(vfs.resolve(cwd, "//etc///passwd", true)), "root:x:0:0\n");
  const sub = vfs.resolve(cwd, "sub/", true) as Loc;
  assert.equal(pathOf(sub), `${w.cwd}/sub`);
  assert.equal(pathOf(vfs.resolve(sub, "..", true) as Loc), w.cwd);
});

withWorld("escape: .. at the root stays at the root", (_w, { vfs, cwd }) => {
  const up = vfs.resolve(cwd, "../../../../../../../../..", true) as Loc;
  assert.equal(pathOf(up), "/");
  assert.equal(
    contents(vfs.resolve(cwd, "../../../../../../../../../etc/passwd", true)),
    "root:x:0:0\n",
  );
  assert.equal(pathOf(vfs.resolve(vfs.root, "/..", true) as Loc), "/");
});

withWorld("escape: .. above a mount root stays in the guest tree", (w, { vfs, cwd }) => {
  // The host has <base>/home/me/secret.txt next to the working directory.
  assert.equal(vfs.resolve(cwd, "../secret.txt", true), -ENOENT);
  assert.equal(vfs.resolve(vfs.root, `${w.base}/home/me/secret.txt`, true), -ENOENT);
  // The parent of the mount is a synthesized directory listing only the mount.
  const parent = vfs.resolve(cwd, "..", true) as Loc;
  const names = (vfs.list(parent) as { name: string }[]).map((e) => e.name);
  assert.deepEqual(names, [".", "..", "work"]);
});

withWorld("escape: no fallback to host paths outside the sysroot", (_w, { vfs }) => {
  // These exist on any Linux host but not in the test sysroot.
  for (const p of ["/bin/sh", "/usr/bin/env", "/etc/hostname", "/proc/self/exe"]) {
    assert.equal(vfs.resolve(vfs.root, p, true), -ENOENT, p);
  }
});

withWorld(
  "escape: relative symlink climbing above the root resolves in the guest",
  (_w, { vfs }) => {
    // etc/up -> ../../../../.. ; so /etc/up/etc/passwd is the sysroot's passwd.
    assert.equal(contents(vfs.resolve(vfs.root, "/etc/up/etc/passwd", true)), "root:x:0:0\n");
    assert.equal(pathOf(vfs.resolve(vfs.root, "/etc/up", true) as Loc), "/");
    assert.equal(vfs.resolve(vfs.root, "/etc/up/home", true), -ENOENT);
  },
);

withWorld(
  "escape: absolute symlink in a host directory resolves in the guest root",
  (_w, { vfs, cwd }) => {
    // cwd/abs -> /etc/passwd: the sysroot's file, not the host's /etc/passwd.
    assert.equal(contents(vfs.resolve(cwd, "abs", true)), "root:x:0:0\n");
    assert.equal(contents(vfs.resolve(cwd, "rel", true)), "line one\nline two\n");
    const link = vfs.resolve(cwd, "abs", false) as Loc;
    assert.equal(inodeOf(link).type, "lnk");
    // The directory symlink lib -> usr/lib is followed in the middle of a path.
    assert.equal(contents(vfs.resolve(vfs.root, "/lib/libc.so.6", true)), "LIBC");
    // .. after a symlink is physical: /lib/.. is /usr.
    assert.equal(pathOf(vfs.resolve(vfs.root, "/lib/..", true) as Loc), "/usr");
  },
);

withWorld("symlinks: loops are ELOOP; dangling links are ENOENT", (_w, { vfs, cwd }) => {
  assert.equal(vfs.resolve(cwd, "loop1", true), -ELOOP);
  assert.equal(vfs.resolve(cwd, "loop1/x", false), -ELOOP);
  assert.equal(inodeOf(vfs.resolve(cwd, "loop1", false) as Loc).type, "lnk");
  assert.equal(vfs.resolve(cwd, "dangling", true), -ENOENT);
  const w = vfs.walk(cwd, "dangling", true);
  assert.ok(typeof w === "object" && w.loc === undefined && w.name === "nowhere");
});

Deno.test("symlinks: exactly 40 links are followed, the 41st is ELOOP", () => {
  const fs = new MemFs(makedev(0, 50), 50, () => 0);
  const vfs = new Vfs(fs.root);
  fs.root.create("target", 0o644);
  fs.root.symlink("l0", "target");
  for (let i = 1; i <= MAXSYMLINKS; i++) fs.root.symlink(`l${i}`, `l${i - 1}`);
  // l39 needs 40 hops, l40 needs 41.
  assert.equal(inodeOf(vfs.resolve(vfs.root, "/l39", true) as Loc).type, "reg");
  assert.equal(vfs.resolve(vfs.root, "/l40", true), -ELOOP);
});

withWorld(
  "ENOTDIR: a component under a file, and a trailing slash on a file",
  (_w, { vfs, cwd }) => {
    assert.equal(vfs.resolve(cwd, "input.txt/x", true), -ENOTDIR);
    assert.equal(vfs.resolve(cwd, "input.txt/", true), -ENOTDIR);
    assert.equal(vfs.resolve(cwd, "input.txt/.", true), -ENOTDIR);
    assert.equal(vfs.resolve(cwd, "input.txt/..", true), -ENOTDIR);
    assert.equal(vfs.resolve(cwd, "rel/", true), -ENOTDIR);
    assert.equal(inodeOf(vfs.resolve(cwd, "sub/", true) as Loc).type, "dir");
  },
);

withWorld("ENAMETOOLONG: a 256-byte component and a 4096-byte path", (_w, { vfs, cwd }) => {
  assert.equal(vfs.resolve(cwd, "x".repeat(255), true), -ENOENT);
  assert.equal(vfs.resolve(cwd, "x".repeat(256), true), -ENAMETOOLONG);
  assert.equal(vfs.resolve(cwd, "é".repeat(128), true), -ENAMETOOLONG); // 256 UTF-8 bytes
  assert.equal(vfs.resolve(cwd, "a/".repeat(2048), true), -ENAMETOOLONG);
  assert.equal(vfs.resolve(cwd, "", true), -ENOENT);
});

withWorld("mounts: /tmp is the memory filesystem; ancestors are synthesized", (w, { vfs, tmp }) => {
  tmp.root.create("made", 0o600);
  const made = vfs.resolve(vfs.root, "/tmp/made", true) as Loc;
  assert.equal(inodeOf(made).fs, tmp);
  const names = (vfs.list(vfs.root) as { name: string }[]).map((e) => e.name);
  const top = w.base.split("/")[1];
  const expected = [".", "..", "etc", "lib", "usr", "tmp"];
  if (top !== "tmp") expected.push(top);
  assert.deepEqual(names, expected);
  if (top === "tmp") {
    // The working directory's ancestors under /tmp appear after the memory filesystem's files.
    const inTmp = (vfs.list(vfs.resolve(vfs.root, "/tmp", true) as Loc) as { name: string }[])
      .map((e) => e.name);
    assert.deepEqual(inTmp, [".", "..", "made", w.base.split("/")[2]]);
  }
  // /tmp's parent via .. is the sysroot root, not the host's /.
  assert.equal(vfs.resolve(made, "..", true), -ENOTDIR);
  assert.equal(pathOf(vfs.resolve(vfs.root, "/tmp/..", true) as Loc), "/");
  assert.equal(vfs.isMountRoot(vfs.resolve(vfs.root, "/tmp", true) as Loc), true);
});

Deno.test("mounts: a later mount hides an earlier one; without a sysroot the root is empty", () => {
  const vfs = new Vfs();
  const a = new MemFs(makedev(0, 60), 60, () => 0);
  const b = new MemFs(makedev(0, 61), 61, () => 0);
  a.root.create("in-a", 0o644);
  b.root.create("in-b", 0o644);
  vfs.mount("/m", a.root);
  vfs.mount("/m/", b.root);
  assert.equal(vfs.resolve(vfs.root, "/m/in-a", true), -ENOENT);
  assert.equal(typeof vfs.resolve(vfs.root, "/m/in-b", true), "object");
  assert.deepEqual((vfs.list(vfs.root) as { name: string }[]).map((e) => e.name), [".", "..", "m"]);
  assert.equal(vfs.resolve(vfs.root, "/etc/passwd", true), -ENOENT);
  assert.throws(() => vfs.mount("relative", a.root));
  assert.throws(() => vfs.mount("/x/../y", a.root));
});

withWorld(
  "host inodes: deterministic numbers, times 0, uid 1000, sorted listings",
  (w, { vfs, cwd }) => {
    const a = inodeOf(vfs.resolve(cwd, "input.txt", true) as Loc).attr();
    const again = build(w);
    const b = inodeOf(again.vfs.resolve(again.cwd, "input.txt", true) as Loc).attr();
    assert.deepEqual(a, b);
    assert.equal(a.size, 18);
    assert.equal(a.mode & 0o170000, 0o100000);
    assert.equal(a.uid, 1000);
    assert.equal(a.nlink, 1);
    assert.equal(a.mtimeNs, 0);
    assert.equal(a.dev, makedev(0, 42));
    const names = (vfs.list(cwd) as { name: string }[]).map((e) => e.name);
    assert.deepEqual(names, [
      ".",
      "..",
      "abs",
      "dangling",
      "input.txt",
      "loop1",
      "loop2",
      "rel",
      "sub",
    ]);
  },
);
