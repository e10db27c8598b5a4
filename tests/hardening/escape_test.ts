/**
 * Hardening: no guest reaches the host outside its mounts, whatever it does
 * to a read-write mount's tree and whatever the host does under an open
 * descriptor; set-id bits never reach the host; the working directory's
 * view never covers the guest's /tmp, /dev, /proc or /sys.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ENOENT } from "../../lib/abi/errno.ts";
import { O_CREAT, O_DIRECTORY, O_RDWR, O_WRONLY } from "../../lib/abi/flags.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { RELOCATED_CWD, setupFiles } from "../../lib/kernel/mounts.ts";
import { PROT_READ, PROT_WRITE } from "../../lib/memory/memory.ts";
import { HostFs } from "../../lib/vfs/host_fs.ts";
import { makedev } from "../../lib/vfs/types.ts";
import { AT_FDCWD, BUF, cstr, num, open, text } from "../kernel/files_support.ts";
import { testKernel } from "../support/kernel.ts";
import { scratchDir } from "../support/scratch.ts";
import { runHostile } from "./support.ts";

const SECRET = "HOST SECRET\n";

/** A host world: a read-write directory, a read-only one, and a secret outside both. */
interface World {
  base: string;
  rw: string;
  ro: string;
  outside: string;
  cwd: string;
}

function world(): World {
  const base = scratchDir("zkabi-escape-");
  const w = {
    base,
    rw: join(base, "rw"),
    ro: join(base, "ro"),
    outside: join(base, "outside"),
    cwd: join(base, "cwd"),
  };
  for (const d of [w.rw, w.ro, w.outside, w.cwd]) Deno.mkdirSync(d);
  Deno.writeTextFileSync(join(w.outside, "secret"), SECRET);
  Deno.mkdirSync(join(w.ro, "d"));
  Deno.writeTextFileSync(join(w.ro, "d", "secret"), "ro inside\n");
  return w;
}

function withWorld(name: string, f: (w: World) => void): void {
  Deno.test(name, () => {
    const w = world();
    try {
      f(w);
    } finally {
      Deno.removeSync(w.base, { recursive: true });
    }
  });
}

/** The outside directory is exactly as it was: one file, the secret. */
function outsideUntouched(w: World): void {
  assert.deepEqual([...Deno.readDirSync(w.outside)].map((e) => e.name), ["secret"]);
  assert.equal(Deno.readTextFileSync(join(w.outside, "secret")), SECRET);
}

function kernelFor(w: World): Kernel {
  const k = testKernel({ maps: [[BUF, 0x10000, PROT_READ | PROT_WRITE]] });
  setupFiles(k, {
    mounts: [
      { host: w.rw, guest: "/rw", writable: true },
      { host: w.ro, guest: "/ro", writable: false },
    ],
    cwd: w.cwd,
    exeHostPath: join(w.cwd, "prog"),
    exeGuestPath: "/prog",
    auxv: new Uint8Array(0),
    stdin: () => null,
    stdout: () => {},
    stderr: () => {},
  });
  return k;
}

/** pread of up to 64 bytes at 0: the text, or the errno name's negative number. */
function pread(k: Kernel, fd: number): string | number {
  const n = num(k, "pread64", fd, BUF, 64, 0);
  return n < 0 ? n : text(k, BUF, n);
}

withWorld(
  "escape (issue): rename a rw directory away, plant a symlink to the host: the old fd, dirfd and cwd stay inside",
  (w) => {
    const r = runHostile(["escape", "/rw", w.outside], {
      cwd: w.cwd,
      mounts: [{ host: w.rw, guest: "/rw", writable: true }],
    });
    assert.equal(r.status, 0, r.err);
    assert.equal(
      r.out,
      [
        "rename: ok",
        "symlink: ok",
        "old fd: 6 'inside'",
        "write old fd: ok",
        "dirfd secret: 6 'INSIDE'",
        "cwd secret: 6 'INSIDE'",
        "create via dirfd: ok",
        "create via cwd: ok",
        "mkdir via cwd: ok",
        "cwd entry: newdir",
        "cwd entry: planted",
        "cwd entry: planted2",
        "cwd entry: secret",
        "cwd entries: 4",
        "getcwd ends with /moved: 1",
        // The planted symlink names a host path: followed in the guest's tree, it finds nothing.
        "by name: ENOENT",
        "",
      ].join("\n"),
    );
    outsideUntouched(w);
    const moved = [...Deno.readDirSync(join(w.rw, "moved"))].map((e) => e.name).sort();
    assert.deepEqual(moved, ["newdir", "planted", "planted2", "secret"]);
    assert.equal(Deno.readTextFileSync(join(w.rw, "moved", "secret")), "INSIDE");
    assert.equal(Deno.readLinkSync(join(w.rw, "d")), w.outside);
  },
);

withWorld(
  "escape: the host swapping a symlink under an open fd, dirfd or cwd redirects nothing (ro and rw mounts)",
  (w) => {
    const k = kernelFor(w);
    Deno.mkdirSync(join(w.rw, "d"));
    Deno.writeTextFileSync(join(w.rw, "d", "secret"), "rw inside\n");
    for (const [mnt, host] of [["/ro", w.ro], ["/rw", w.rw]]) {
      const fd = open(k, `${mnt}/d/secret`);
      const dfd = open(k, `${mnt}/d`, O_DIRECTORY);
      assert.equal(num(k, "chdir", cstr(k, `${mnt}/d`)), 0);
      // Someone on the host (not the guest) moves the directory and plants a symlink.
      Deno.renameSync(join(host, "d"), join(host, "gone"));
      Deno.symlinkSync(w.outside, join(host, "d"));
      const inside = mnt === "/ro" ? "ro inside\n" : "rw inside\n";
      assert.equal(pread(k, fd), inside, `${mnt}: the open file is pinned`);
      assert.equal(num(k, "openat", dfd, cstr(k, "secret"), 0, 0), -ENOENT, `${mnt}: dirfd`);
      assert.equal(num(k, "openat", AT_FDCWD, cstr(k, "secret"), 0, 0), -ENOENT, `${mnt}: cwd`);
      assert.equal(num(k, "getdents64", dfd, BUF, 4096), -ENOENT, `${mnt}: listing`);
      if (mnt === "/rw") {
        const flags = O_WRONLY | O_CREAT;
        assert.equal(num(k, "openat", dfd, cstr(k, "planted"), flags, 0o644), -ENOENT);
        assert.equal(num(k, "mkdirat", AT_FDCWD, cstr(k, "newdir"), 0o755), -ENOENT);
      }
      assert.equal(num(k, "openat", AT_FDCWD, cstr(k, `${mnt}/d/secret`), 0, 0), -ENOENT);
      assert.equal(num(k, "chdir", cstr(k, "/")), 0);
    }
    outsideUntouched(w);
  },
);

withWorld(
  "escape: a file renamed over keeps its old descriptor on the old file (rw mount)",
  (w) => {
    const k = kernelFor(w);
    const a = open(k, "/rw/a", O_RDWR | O_CREAT, 0o644);
    k.mem.write(BUF, new TextEncoder().encode("AAAA"));
    assert.equal(num(k, "pwrite64", a, BUF, 4, 0), 4);
    const b = open(k, "/rw/b", O_RDWR | O_CREAT, 0o644);
    k.mem.write(BUF, new TextEncoder().encode("BB"));
    assert.equal(num(k, "pwrite64", b, BUF, 2, 0), 2);
    assert.equal(num(k, "renameat", AT_FDCWD, cstr(k, "/rw/b"), AT_FDCWD, cstr(k, "/rw/a")), 0);
    assert.equal(pread(k, a), "AAAA");
    assert.equal(pread(k, open(k, "/rw/a")), "BB");
    assert.equal(Deno.readTextFileSync(join(w.rw, "a")), "BB");
  },
);

withWorld(
  "set-id bits (issue): chmod 06755, fchmod 02755, creat and mkdir with set-id bits never reach the host",
  (w) => {
    const r = runHostile(["setuid", "/rw"], {
      cwd: w.cwd,
      mounts: [{ host: w.rw, guest: "/rw", writable: true }],
    });
    assert.equal(r.status, 0, r.err);
    assert.equal(
      r.out,
      [
        "created: 755",
        "chmod 06755: ok",
        "mode: 755",
        "fchmod 02755: ok",
        "mode: 755",
        "mkdir 02775: ok",
        "dir mode: 755",
        "",
      ].join("\n"),
    );
    assert.equal(Deno.statSync(join(w.rw, "suid")).mode! & 0o7000, 0);
    assert.equal(Deno.statSync(join(w.rw, "sgid-dir")).mode! & 0o7000, 0);
  },
);

Deno.test("working directory (issue): under the host's /tmp it appears at /cwd; the guest's /tmp stays in memory", () => {
  const host = Deno.makeTempDirSync({ prefix: "zkabi-cwd-in-tmp-" });
  try {
    Deno.writeTextFileSync(join(host, "input.txt"), "from the host\n");
    for (const cwd of [host, "/tmp"]) {
      const k = testKernel({ maps: [[BUF, 0x10000, PROT_READ | PROT_WRITE]] });
      setupFiles(k, {
        mounts: [],
        cwd,
        exeHostPath: join(host, "prog"),
        exeGuestPath: "/prog",
        auxv: new Uint8Array(0),
        stdin: () => null,
        stdout: () => {},
        stderr: () => {},
      });
      const n = num(k, "getcwd", BUF, 4096);
      assert.equal(text(k, BUF, n - 1), RELOCATED_CWD, cwd);
      const tmp = num(k, "openat", AT_FDCWD, cstr(k, "/tmp"), O_DIRECTORY, 0);
      assert.ok(tmp >= 0);
      assert.equal(num(k, "getdents64", tmp, BUF, 4096), 48, "/tmp holds only . and ..");
      const fd = open(k, "/tmp/new", O_WRONLY | O_CREAT, 0o644);
      assert.ok(fd >= 0);
      if (cwd === host) assert.equal(pread(k, open(k, "input.txt")), "from the host\n");
    }
    assert.throws(() => Deno.statSync(join(host, "new")));
    assert.throws(() => Deno.statSync("/tmp/new"));
  } finally {
    Deno.removeSync(host, { recursive: true });
  }
});

Deno.test("working directory (issue): the host's /dev, /proc and /sys are never shared; the guest keeps its own", () => {
  for (const cwd of ["/dev", "/proc", "/sys", "/dev/shm"]) {
    const k = testKernel({ maps: [[BUF, 0x10000, PROT_READ | PROT_WRITE]] });
    setupFiles(k, {
      mounts: [],
      cwd,
      exeHostPath: "/bin/true",
      exeGuestPath: "/prog",
      auxv: new Uint8Array(0),
      stdin: () => null,
      stdout: () => {},
      stderr: () => {},
    });
    const n = num(k, "getcwd", BUF, 4096);
    assert.equal(text(k, BUF, n - 1), "/", cwd);
    // /dev/zero is zkabi's device, /proc/self is the guest's.
    const z = open(k, "/dev/zero");
    k.mem.write(BUF, new Uint8Array([1, 2, 3]));
    assert.equal(num(k, "read", z, BUF, 3), 3);
    assert.deepEqual([...k.mem.read(BUF, 3)], [0, 0, 0]);
    const self = num(k, "readlinkat", AT_FDCWD, cstr(k, "/proc/self"), BUF, 64);
    assert.equal(text(k, BUF, self), String(k.pid));
  }
});

Deno.test("host inodes: a host directory's identity is checked before every use", () => {
  const base = scratchDir("zkabi-identity-");
  try {
    Deno.mkdirSync(join(base, "d"));
    const fs = new HostFs(base, true, makedev(0, 50), 50);
    const root = fs.rootInode();
    assert.equal(typeof root, "object");
    const d = fs.inodeAt("d");
    assert.ok(d && typeof d === "object");
    Deno.renameSync(join(base, "d"), join(base, "e"));
    Deno.mkdirSync(join(base, "d"));
    Deno.writeTextFileSync(join(base, "d", "x"), "impostor");
    // A different directory now has the name: the inode the guest holds is gone, not redirected.
    assert.equal(d.lookup!("x"), -ENOENT);
    assert.equal(d.list!(), -ENOENT);
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});
