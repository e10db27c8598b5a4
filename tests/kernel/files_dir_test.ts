/**
 * Files family: stat, statx (struct layouts checked against the offsets
 * printed by `files_data/layout.c` under qemu-riscv64), faccessat,
 * readlinkat, getcwd/chdir/fchdir, getdents64, and the namespace operations
 * (mkdirat, unlinkat, renameat2, symlinkat, linkat, utimensat, fchmod).
 * Error orders follow Linux (checked with a probe program under qemu-riscv64).
 * @module
 */

import assert from "node:assert/strict";
import {
  EACCES,
  EBADF,
  EBUSY,
  EEXIST,
  EFAULT,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  ERANGE,
  EROFS,
  EXDEV,
} from "../../lib/abi/errno.ts";
import { O_CREAT, O_DIRECTORY, O_PATH, O_RDWR, O_WRONLY } from "../../lib/abi/flags.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { REALTIME_EPOCH_SEC } from "../../lib/kernel/time.ts";
import {
  AT_FDCWD,
  BUF,
  cstr,
  layout,
  makeKernel,
  makeWorld,
  num,
  open,
  RO_PAGE,
  slurp,
  text,
  UNMAPPED,
  type World,
} from "./files_support.ts";

function withKernel(name: string, f: (k: Kernel, w: World) => void): void {
  Deno.test(name, () => {
    const w = makeWorld();
    try {
      f(makeKernel(w).k, w);
    } finally {
      w.dispose();
    }
  });
}

const L = layout();
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_REMOVEDIR = 0x200;
const AT_EMPTY_PATH = 0x1000;

/** Reads struct stat fields by the layout's offsets. */
function statAt(k: Kernel, addr: number) {
  const u64 = (f: string) => k.mem.readU64Number(addr + L.get(`stat.${f}`)!);
  const u32 = (f: string) => k.mem.readU32(addr + L.get(`stat.${f}`)!);
  return {
    dev: u64("st_dev"),
    ino: u64("st_ino"),
    mode: u32("st_mode"),
    nlink: u32("st_nlink"),
    uid: u32("st_uid"),
    gid: u32("st_gid"),
    rdev: u64("st_rdev"),
    size: u64("st_size"),
    blksize: u32("st_blksize"),
    blocks: u64("st_blocks"),
    mtime: u64("st_mtime"),
    mtimeNsec: u64("st_mtime_nsec"),
  };
}

withKernel("stat: layout, regular file, directory, AT_EMPTY_PATH, NOFOLLOW, errors", (k) => {
  assert.equal(L.get("sizeof stat"), 128);
  k.mem.write(BUF, new Uint8Array(256).fill(0xa5));
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "input.txt"), BUF, 0), 0);
  const s = statAt(k, BUF);
  assert.equal(s.size, 18);
  assert.equal(s.mode & 0o170000, 0o100000);
  assert.equal(s.nlink, 1);
  assert.equal(s.uid, 1000);
  assert.equal(s.gid, 1000);
  assert.equal(s.blksize, 4096);
  assert.equal(s.blocks, 8);
  assert.equal(s.rdev, 0);
  assert.equal(k.mem.read(BUF + 128, 1)[0], 0xa5); // nothing past 128 bytes
  const fd = open(k, "input.txt");
  assert.equal(num(k, "fstat", fd, BUF + 0x200), 0);
  assert.deepEqual(statAt(k, BUF + 0x200), s);
  assert.equal(num(k, "newfstatat", fd, cstr(k, ""), BUF + 0x200, AT_EMPTY_PATH), 0);
  assert.deepEqual(statAt(k, BUF + 0x200), s);
  assert.equal(num(k, "newfstatat", fd, 0, BUF + 0x200, AT_EMPTY_PATH), 0);
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "."), BUF, 0), 0);
  assert.equal(statAt(k, BUF).mode & 0o170000, 0o040000);
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "abs"), BUF, AT_SYMLINK_NOFOLLOW), 0);
  assert.equal(statAt(k, BUF).mode & 0o170000, 0o120000);
  assert.equal(statAt(k, BUF).size, "/etc/passwd".length);
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "abs"), BUF, 0), 0);
  assert.equal(statAt(k, BUF).size, 11);
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "missing"), BUF, 0), -ENOENT);
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, ""), BUF, 0), -ENOENT);
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "."), BUF, 0x8000), -EINVAL);
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "."), RO_PAGE, 0), -EFAULT);
  assert.equal(num(k, "newfstatat", 99, cstr(k, ""), BUF, AT_EMPTY_PATH), -EBADF);
  assert.equal(num(k, "fstat", 99, BUF), -EBADF);
  assert.equal(num(k, "fstat", fd, UNMAPPED), -EFAULT);
  // The standard streams are pipes: S_IFIFO, mode 0600.
  num(k, "fstat", 1, BUF);
  assert.equal(statAt(k, BUF).mode, 0o010600);
});

withKernel("stat: /tmp files carry the virtual realtime clock and tmpfs sizes", (k) => {
  const fd = open(k, "/tmp/x", O_CREAT | O_WRONLY);
  k.mem.write(BUF, new Uint8Array(5000));
  num(k, "write", fd, BUF, 5000);
  num(k, "fstat", fd, BUF);
  const s = statAt(k, BUF);
  assert.equal(s.size, 5000);
  assert.equal(s.blocks, 16);
  assert.equal(s.mtime, REALTIME_EPOCH_SEC); // instret 0 in these tests
  assert.equal(s.mode, 0o100644);
  num(k, "newfstatat", AT_FDCWD, cstr(k, "/tmp"), BUF, 0);
  assert.equal(statAt(k, BUF).size, 60); // tmpfs: 20 bytes per entry with . and ..
  assert.equal(statAt(k, BUF).mode, 0o041777);
});

withKernel("statx: layout and fields agree with newfstatat; EINVAL; mount roots", (k) => {
  assert.equal(L.get("sizeof statx"), 256);
  const off = (f: string) => L.get(`statx.${f}`)!;
  k.mem.write(BUF, new Uint8Array(512).fill(0xa5));
  assert.equal(num(k, "statx", AT_FDCWD, cstr(k, "input.txt"), 0, 0x7ff, BUF), 0);
  assert.equal(k.mem.readU32(BUF + off("stx_mask")) & 0x7ff, 0x7ff);
  assert.equal(k.mem.readU64Number(BUF + off("stx_size")), 18);
  assert.equal(k.mem.readU32(BUF + off("stx_mode")) & 0o170000, 0o100000);
  num(k, "newfstatat", AT_FDCWD, cstr(k, "input.txt"), BUF + 0x200, 0);
  const s = statAt(k, BUF + 0x200);
  assert.equal(k.mem.readU64Number(BUF + off("stx_ino")), s.ino);
  assert.equal(k.mem.readU32(BUF + off("stx_nlink")), s.nlink);
  assert.equal(k.mem.readU32(BUF + off("stx_mode")) & 0xffff, s.mode);
  assert.equal(k.mem.readU32(BUF + off("stx_blksize")), 4096);
  const devMajor = k.mem.readU32(BUF + off("stx_dev_major"));
  const devMinor = k.mem.readU32(BUF + off("stx_dev_minor"));
  assert.equal((devMajor << 8) | devMinor, s.dev);
  assert.equal(k.mem.read(BUF + 256, 1)[0], 0xa5);
  // Unused tail is zeroed, not left as it was.
  assert.equal(k.mem.readU64Number(BUF + 200), 0);
  // The working directory is a mount root.
  assert.equal(num(k, "statx", AT_FDCWD, cstr(k, "."), 0, 0x7ff, BUF), 0);
  assert.equal(k.mem.readU64Number(BUF + off("stx_attributes")) & 0x2000, 0x2000);
  assert.equal(num(k, "statx", AT_FDCWD, cstr(k, "sub"), 0, 0x7ff, BUF), 0);
  assert.equal(k.mem.readU64Number(BUF + off("stx_attributes")) & 0x2000, 0);
  assert.equal(num(k, "statx", AT_FDCWD, cstr(k, "input.txt"), 0, 0x80000000, BUF), -EINVAL);
  assert.equal(num(k, "statx", AT_FDCWD, cstr(k, "input.txt"), 0x6000, 0x7ff, BUF), -EINVAL);
  assert.equal(num(k, "statx", AT_FDCWD, cstr(k, "input.txt"), 0x1, 0x7ff, BUF), -EINVAL);
  assert.equal(num(k, "statx", AT_FDCWD, cstr(k, "missing"), 0, 0x7ff, BUF), -ENOENT);
  const fd = open(k, "input.txt");
  assert.equal(num(k, "statx", fd, cstr(k, ""), AT_EMPTY_PATH, 0x7ff, BUF), 0);
  assert.equal(k.mem.readU64Number(BUF + off("stx_ino")), s.ino);
});

withKernel("faccessat/faccessat2: F_OK, R_OK, W_OK on read-only mounts, EINVAL, ENOTDIR", (k) => {
  const acc = (p: string, mode: number) => num(k, "faccessat", AT_FDCWD, cstr(k, p), mode);
  assert.equal(acc("/", 0), 0);
  assert.equal(acc("input.txt", 4), 0);
  assert.equal(acc("input.txt", 2), -EROFS);
  assert.equal(acc("input.txt", 1), -EACCES);
  assert.equal(acc("sub", 1), 0);
  assert.equal(acc("/tmp", 7), 0);
  assert.equal(acc("/dev/null", 6), 0); // devices are not on the read-only filesystem
  assert.equal(acc("missing", 0), -ENOENT);
  assert.equal(acc("input.txt/x", 0), -ENOTDIR);
  assert.equal(acc("/", 8), -EINVAL);
  assert.equal(acc("", 0), -ENOENT);
  assert.equal(num(k, "faccessat2", AT_FDCWD, cstr(k, "/"), 0, 0x8000), -EINVAL);
  assert.equal(num(k, "faccessat2", 1, cstr(k, ""), 2, AT_EMPTY_PATH), 0);
  assert.equal(num(k, "faccessat2", AT_FDCWD, cstr(k, "dangling"), 0, AT_SYMLINK_NOFOLLOW), 0);
  assert.equal(num(k, "faccessat2", AT_FDCWD, cstr(k, "dangling"), 0, 0), -ENOENT);
});

withKernel("readlinkat: target without NUL, truncation, EINVAL, ENOENT, EFAULT", (k) => {
  k.mem.write(BUF, new Uint8Array(32).fill(0x23));
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "abs"), BUF, 31), 11);
  assert.equal(text(k, BUF, 12), "/etc/passwd#");
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "abs"), BUF + 100, 3), 3);
  assert.equal(text(k, BUF + 100, 3), "/et");
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "input.txt"), BUF, 10), -EINVAL);
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "/"), BUF, 10), -EINVAL);
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "missing"), BUF, 10), -ENOENT);
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, ""), BUF, 10), -ENOENT);
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "abs"), BUF, 0), -EINVAL);
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "abs"), UNMAPPED, 10), -EFAULT);
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "/proc/self/exe"), BUF, 100), 9);
  assert.equal(text(k, BUF, 9), "/opt/prog");
  // Intermediate links are followed, the last one is not.
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "/etc/../lib"), BUF, 100), 7);
  // .. after a followed link is physical: /lib/.. is /usr, and /usr/lib is a directory.
  assert.equal(num(k, "readlinkat", AT_FDCWD, cstr(k, "/lib/../lib"), BUF, 100), -EINVAL);
  assert.equal(text(k, BUF, 7), "usr/lib");
});

withKernel("getcwd/chdir/fchdir: paths, ERANGE, EFAULT, ENOENT, ENOTDIR", (k, w) => {
  const cwd = () => {
    const n = num(k, "getcwd", BUF, 4096);
    return n < 0 ? n : text(k, BUF, n - 1);
  };
  assert.equal(cwd(), w.cwd);
  assert.equal(num(k, "getcwd", BUF, w.cwd.length + 1), w.cwd.length + 1);
  assert.equal(num(k, "getcwd", BUF, w.cwd.length), -ERANGE);
  assert.equal(num(k, "getcwd", BUF, 0), -ERANGE);
  assert.equal(num(k, "getcwd", UNMAPPED, 4096), -EFAULT);
  assert.equal(num(k, "chdir", cstr(k, "sub")), 0);
  assert.equal(cwd(), `${w.cwd}/sub`);
  assert.equal(num(k, "chdir", cstr(k, "..")), 0);
  assert.equal(num(k, "chdir", cstr(k, "/")), 0);
  assert.equal(cwd(), "/");
  assert.equal(num(k, "chdir", cstr(k, "..")), 0);
  assert.equal(cwd(), "/");
  assert.equal(num(k, "chdir", cstr(k, "/lib")), 0);
  assert.equal(cwd(), "/usr/lib"); // canonical, symlink resolved
  assert.equal(num(k, "chdir", cstr(k, "missing")), -ENOENT);
  assert.equal(num(k, "chdir", cstr(k, "/etc/passwd")), -ENOTDIR);
  assert.equal(num(k, "chdir", UNMAPPED), -EFAULT);
  const tmp = open(k, "/tmp", O_PATH);
  assert.equal(num(k, "fchdir", tmp), 0);
  assert.equal(cwd(), "/tmp");
  assert.equal(num(k, "fchdir", 1), -ENOTDIR);
  assert.equal(num(k, "fchdir", 99), -EBADF);
  const file = open(k, "/etc/passwd");
  assert.equal(num(k, "fchdir", file), -ENOTDIR);
});

/** Lists a directory fd with getdents64 into [name, d_type, d_off] using `size`-byte calls. */
function listDir(k: Kernel, fd: number, size: number): [string, number, number][] {
  const out: [string, number, number][] = [];
  const recl = L.get("linux_dirent64.d_reclen")!;
  for (;;) {
    const n = num(k, "getdents64", fd, BUF, size);
    assert.ok(n >= 0, `getdents64: ${n}`);
    if (n === 0) return out;
    for (let off = 0; off < n;) {
      const reclen = k.mem.read(BUF + off + recl, 2)[0] |
        (k.mem.read(BUF + off + recl + 1, 1)[0] << 8);
      assert.equal(reclen % 8, 0);
      const raw = k.mem.read(BUF + off + L.get("linux_dirent64.d_name")!, reclen - 19);
      const name = new TextDecoder().decode(raw.subarray(0, raw.indexOf(0)));
      const type = k.mem.read(BUF + off + L.get("linux_dirent64.d_type")!, 1)[0];
      const doff = k.mem.readU64Number(BUF + off + L.get("linux_dirent64.d_off")!);
      out.push([name, type, doff]);
      off += reclen;
    }
  }
}

withKernel("getdents64: entries with types and offsets, small buffers, EINVAL, ENOTDIR", (k) => {
  const fd = open(k, ".", O_DIRECTORY);
  const all = listDir(k, fd, 4096);
  assert.deepEqual(all.map(([n, t]) => [n, t]), [
    [".", 4],
    ["..", 4],
    ["abs", 10],
    ["dangling", 10],
    ["input.txt", 8],
    ["loop1", 10],
    ["loop2", 10],
    ["rel", 10],
    ["sub", 4],
  ]);
  assert.deepEqual(all.map(([, , o]) => o), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(num(k, "getdents64", fd, BUF, 8), 0); // at the end, even a tiny buffer
  num(k, "lseek", fd, 0, 0);
  assert.equal(num(k, "getdents64", fd, BUF, 8), -EINVAL);
  assert.deepEqual(listDir(k, fd, 32).map(([n]) => n), all.map(([n]) => n));
  // Seeking to a d_off resumes after that entry.
  num(k, "lseek", fd, 4, 0);
  assert.deepEqual(listDir(k, fd, 4096).map(([n]) => n), [
    "input.txt",
    "loop1",
    "loop2",
    "rel",
    "sub",
  ]);
  const file = open(k, "input.txt");
  assert.equal(num(k, "getdents64", file, BUF, 4096), -ENOTDIR);
  assert.equal(num(k, "getdents64", 99, BUF, 4096), -EBADF);
  num(k, "lseek", fd, 0, 0);
  assert.equal(num(k, "getdents64", fd, UNMAPPED, 4096), -EFAULT);
  // /tmp lists in creation order; mount points appear in their parent.
  open(k, "/tmp/zeta", O_CREAT | O_WRONLY);
  open(k, "/tmp/alpha", O_CREAT | O_WRONLY);
  const tmp = listDir(k, open(k, "/tmp", O_DIRECTORY), 4096).map(([n]) => n);
  assert.deepEqual(tmp.slice(0, 4), [".", "..", "zeta", "alpha"]);
  const root = listDir(k, open(k, "/", O_DIRECTORY), 4096).map(([n]) => n);
  for (const m of ["etc", "tmp", "dev", "proc", "sys"]) assert.ok(root.includes(m), m);
});

withKernel("mkdirat/unlinkat: EEXIST, ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL, EROFS", (k) => {
  const mk = (p: string) => num(k, "mkdirat", AT_FDCWD, cstr(k, p), 0o777);
  const rm = (p: string, f = 0) => num(k, "unlinkat", AT_FDCWD, cstr(k, p), f);
  assert.equal(mk("/tmp/d"), 0);
  assert.equal(mk("/tmp/d"), -EEXIST);
  assert.equal(mk("/tmp/d/."), -EEXIST);
  assert.equal(mk("/"), -EEXIST);
  assert.equal(mk("/tmp/e/"), 0);
  assert.equal(mk("/tmp/nope/x"), -ENOENT);
  open(k, "/tmp/d/f", O_CREAT | O_WRONLY);
  assert.equal(mk("/tmp/d/f/x"), -ENOTDIR);
  assert.equal(mk("newdir"), -EROFS);
  assert.equal(mk("sub"), -EEXIST); // EEXIST before EROFS
  num(k, "newfstatat", AT_FDCWD, cstr(k, "/tmp/d"), BUF, 0);
  assert.equal(k.mem.readU32(BUF + 16), 0o040755); // umask 022
  assert.equal(rm("/tmp/d", AT_REMOVEDIR), -ENOTEMPTY);
  assert.equal(rm("/tmp/d"), -EISDIR);
  assert.equal(rm("/tmp/d/"), -EISDIR);
  assert.equal(rm("/tmp/d/f/"), -ENOTDIR);
  assert.equal(rm("/tmp/d/f", AT_REMOVEDIR), -ENOTDIR);
  assert.equal(rm("/tmp/d/.", AT_REMOVEDIR), -EINVAL);
  assert.equal(rm("/tmp/d/..", AT_REMOVEDIR), -ENOTEMPTY);
  assert.equal(rm("/", AT_REMOVEDIR), -EBUSY);
  assert.equal(rm("."), -EISDIR);
  assert.equal(rm("/tmp/d/f", 0x8000), -EINVAL);
  assert.equal(rm("/tmp/d/missing"), -ENOENT);
  assert.equal(rm("input.txt"), -EROFS);
  assert.equal(rm("missing"), -EROFS); // EROFS before ENOENT, as Linux
  assert.equal(rm("/tmp"), -EROFS); // its parent is the read-only root
  assert.equal(rm("/tmp/d/f"), 0);
  assert.equal(rm("/tmp/d", AT_REMOVEDIR), 0);
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "/tmp/d"), BUF, 0), -ENOENT);
  // An unlinked file stays readable through its descriptor.
  const fd = open(k, "/tmp/keep", O_CREAT | O_RDWR);
  k.mem.write(BUF, new TextEncoder().encode("kept"));
  num(k, "write", fd, BUF, 4);
  assert.equal(rm("/tmp/keep"), 0);
  assert.equal(num(k, "pread64", fd, BUF + 8, 4, 0), 4);
  assert.equal(text(k, BUF + 8, 4), "kept");
});

Deno.test("unlinkat/renameat2: a mount point inside a writable mount is EBUSY", () => {
  const w = makeWorld();
  try {
    Deno.mkdirSync(`${w.rw}/inner`);
    Deno.mkdirSync(`${w.base}/other`);
    const { k } = makeKernel(w, {
      mounts: [{ host: `${w.base}/other`, guest: "/data/inner", writable: true }],
    });
    const rm = (p: string) => num(k, "unlinkat", AT_FDCWD, cstr(k, p), AT_REMOVEDIR);
    assert.equal(rm("/data/inner"), -EBUSY);
    assert.equal(
      num(k, "renameat2", AT_FDCWD, cstr(k, "/data/inner"), AT_FDCWD, cstr(k, "/data/x"), 0),
      -EBUSY,
    );
    assert.equal(rm("/data"), -EROFS); // its parent is the read-only root
    assert.equal(rm("/dev/shm"), -EACCES); // /dev belongs to root
  } finally {
    w.dispose();
  }
});

withKernel("renameat2: moves, replaces, NOREPLACE, EXCHANGE and every error path", (k) => {
  const mv = (a: string, b: string, f = 0) =>
    num(k, "renameat2", AT_FDCWD, cstr(k, a), AT_FDCWD, cstr(k, b), f);
  num(k, "mkdirat", AT_FDCWD, cstr(k, "/tmp/a"), 0o755);
  num(k, "mkdirat", AT_FDCWD, cstr(k, "/tmp/a/b"), 0o755);
  num(k, "mkdirat", AT_FDCWD, cstr(k, "/tmp/c"), 0o755);
  num(k, "mkdirat", AT_FDCWD, cstr(k, "/tmp/full"), 0o755);
  open(k, "/tmp/full/x", O_CREAT | O_WRONLY);
  const f = open(k, "/tmp/f", O_CREAT | O_WRONLY);
  k.mem.write(BUF, new TextEncoder().encode("F"));
  num(k, "write", f, BUF, 1);
  open(k, "/tmp/g", O_CREAT | O_WRONLY);
  assert.equal(mv("/tmp/a", "/tmp/a/b/x"), -EINVAL);
  assert.equal(mv("/tmp/c", "/tmp/full"), -ENOTEMPTY);
  assert.equal(mv("/tmp/f", "/tmp/c"), -EISDIR);
  assert.equal(mv("/tmp/c", "/tmp/f"), -ENOTDIR);
  assert.equal(mv("/tmp/a/b", "/tmp/a"), -ENOTEMPTY);
  assert.equal(mv("/tmp/f/", "/tmp/h"), -ENOTDIR);
  assert.equal(mv("/tmp/nope", "/tmp/h"), -ENOENT);
  assert.equal(mv("/tmp/.", "/tmp/h"), -EBUSY);
  assert.equal(mv("/tmp/f", "/tmp/."), -EBUSY);
  assert.equal(mv("/tmp/f", "/tmp/g", 3), -EINVAL);
  assert.equal(mv("/tmp/f", "/tmp/nope", 2), -ENOENT);
  assert.equal(mv("/tmp/f", "/tmp/g", 1), -EEXIST);
  assert.equal(mv("/tmp/f", "/tmp/g", 8), -EINVAL);
  assert.equal(mv("/tmp/f", "/dev/shm/f"), -EXDEV);
  assert.equal(mv("/tmp/f", "/data/f"), -EXDEV);
  assert.equal(mv("input.txt", "other.txt"), -EROFS);
  assert.equal(mv("/tmp", "/tmp2"), -EROFS);
  // Success paths.
  assert.equal(mv("/tmp/f", "/tmp/f"), 0);
  assert.equal(mv("/tmp/f", "/tmp/g"), 0); // replaces g
  assert.equal(slurp(k, "/tmp/g"), "F");
  assert.equal(num(k, "newfstatat", AT_FDCWD, cstr(k, "/tmp/f"), BUF, 0), -ENOENT);
  assert.equal(mv("/tmp/c", "/tmp/a/b/c"), 0); // a directory over nothing
  assert.equal(mv("/tmp/a/b/c", "/tmp/e"), 0);
  open(k, "/tmp/e/inside", O_CREAT | O_WRONLY);
  assert.equal(mv("/tmp/g", "/tmp/e/inside", 2), 0); // exchange
  assert.equal(slurp(k, "/tmp/e/inside"), "F");
  assert.equal(slurp(k, "/tmp/g"), "");
  assert.equal(num(k, "renameat", AT_FDCWD, cstr(k, "/tmp/g"), AT_FDCWD, cstr(k, "/tmp/h")), 0);
  // A writable host mount renames on the host.
  open(k, "/data/one", O_CREAT | O_WRONLY);
  assert.equal(mv("/data/one", "/data/two"), 0);
});

withKernel("symlinkat/linkat: EEXIST, ENOENT, EPERM, EXDEV, EROFS; hard links share data", (k) => {
  const sl = (t: string, p: string) => num(k, "symlinkat", cstr(k, t), AT_FDCWD, cstr(k, p));
  assert.equal(sl("/etc/passwd", "/tmp/pw"), 0);
  assert.equal(slurp(k, "/tmp/pw"), "root:x:0:0\n");
  assert.equal(sl("x", "/tmp/pw"), -EEXIST);
  assert.equal(sl("", "/tmp/empty"), -ENOENT);
  assert.equal(sl("x", "newlink"), -EROFS);
  const ln = (a: string, b: string, f = 0) =>
    num(k, "linkat", AT_FDCWD, cstr(k, a), AT_FDCWD, cstr(k, b), f);
  const fd = open(k, "/tmp/orig", O_CREAT | O_RDWR);
  assert.equal(ln("/tmp/orig", "/tmp/hard"), 0);
  k.mem.write(BUF, new TextEncoder().encode("shared"));
  num(k, "write", fd, BUF, 6);
  assert.equal(slurp(k, "/tmp/hard"), "shared");
  num(k, "fstat", fd, BUF);
  assert.equal(k.mem.readU32(BUF + 20), 2);
  assert.equal(ln("/tmp/orig", "/tmp/hard"), -EEXIST);
  assert.equal(ln("/tmp", "/tmp/dirlink"), -EPERM);
  assert.equal(ln("/tmp/orig", "/dev/shm/x"), -EXDEV);
  assert.equal(ln("/tmp/missing", "/tmp/x"), -ENOENT);
  assert.equal(ln("/tmp/orig", "/tmp/x", 0x1), -EINVAL);
});

withKernel("utimensat/fchmod/fchownat: times and modes on /tmp, EROFS elsewhere, EINVAL", (k) => {
  open(k, "/tmp/u", O_CREAT | O_WRONLY);
  const times = BUF + 0x100;
  k.mem.writeU64(times, 100);
  k.mem.writeU64(times + 8, 5);
  k.mem.writeU64(times + 16, 200);
  k.mem.writeU64(times + 24, 0x3ffffffe); // UTIME_OMIT
  assert.equal(num(k, "utimensat", AT_FDCWD, cstr(k, "/tmp/u"), times, 0), 0);
  num(k, "newfstatat", AT_FDCWD, cstr(k, "/tmp/u"), BUF, 0);
  assert.equal(k.mem.readU64Number(BUF + 72), 100); // atime
  assert.equal(k.mem.readU64Number(BUF + 80), 5);
  assert.equal(k.mem.readU64Number(BUF + 88), REALTIME_EPOCH_SEC); // mtime untouched
  k.mem.writeU64(times + 8, 1_000_000_000);
  assert.equal(num(k, "utimensat", AT_FDCWD, cstr(k, "/tmp/u"), times, 0), -EINVAL);
  assert.equal(num(k, "utimensat", AT_FDCWD, cstr(k, "/tmp/u"), times, 0x8000), -EINVAL);
  assert.equal(num(k, "utimensat", AT_FDCWD, cstr(k, "/tmp/u"), UNMAPPED, 0), -EFAULT);
  assert.equal(num(k, "utimensat", AT_FDCWD, 0, 0, 0), -EFAULT);
  assert.equal(num(k, "utimensat", AT_FDCWD, cstr(k, "input.txt"), 0, 0), -EROFS);
  assert.equal(num(k, "utimensat", AT_FDCWD, cstr(k, "missing"), 0, 0), -ENOENT);
  const fd = open(k, "/tmp/u", O_WRONLY);
  assert.equal(num(k, "utimensat", fd, 0, 0, 0), 0);
  assert.equal(num(k, "fchmod", fd, 0o600), 0);
  num(k, "fstat", fd, BUF);
  assert.equal(k.mem.readU32(BUF + 16), 0o100600);
  assert.equal(num(k, "fchmodat", AT_FDCWD, cstr(k, "input.txt"), 0o600), -EROFS);
  assert.equal(num(k, "fchownat", AT_FDCWD, cstr(k, "/tmp/u"), 0, 0, 0), -EPERM);
  assert.equal(num(k, "fchownat", AT_FDCWD, cstr(k, "/tmp/u"), 1000, -1, 0), 0);
  assert.equal(num(k, "fchown", fd, -1, -1), 0);
  assert.equal(num(k, "fchownat", AT_FDCWD, cstr(k, "/tmp/u"), 1000, -1, 0x8000), -EINVAL);
});

withKernel("the writable host mount: create, write, read back, list, remove", (k, w) => {
  const fd = open(k, "/data/file", O_CREAT | O_RDWR, 0o600);
  k.mem.write(BUF, new TextEncoder().encode("persisted"));
  assert.equal(num(k, "write", fd, BUF, 9), 9);
  assert.equal(num(k, "pread64", fd, BUF + 16, 4, 3), 4);
  assert.equal(text(k, BUF + 16, 4), "sist");
  assert.equal(Deno.readTextFileSync(`${w.rw}/file`), "persisted");
  assert.equal(num(k, "ftruncate", fd, 4), 0);
  assert.equal(Deno.readTextFileSync(`${w.rw}/file`), "pers");
  assert.equal(num(k, "mkdirat", AT_FDCWD, cstr(k, "/data/dir"), 0o755), 0);
  assert.ok(Deno.statSync(`${w.rw}/dir`).isDirectory);
  assert.equal(num(k, "unlinkat", AT_FDCWD, cstr(k, "/data/file"), 0), 0);
  assert.equal(num(k, "unlinkat", AT_FDCWD, cstr(k, "/data/dir"), AT_REMOVEDIR), 0);
  assert.deepEqual([...Deno.readDirSync(w.rw)], []);
  assert.equal(num(k, "openat", AT_FDCWD, cstr(k, "/data/.."), O_RDWR, 0), -EISDIR);
  assert.equal(num(k, "openat", AT_FDCWD, cstr(k, "/data/../x"), O_CREAT | O_WRONLY, 0), -EROFS);
});

withKernel("statfs/fstatfs: layout, magic numbers, read-only flag, errors", (k) => {
  assert.equal(L.get("sizeof statfs"), 120);
  const type = () => k.mem.readU64Number(BUF + L.get("statfs.f_type")!);
  const flags = () => k.mem.readU64Number(BUF + L.get("statfs.f_flags")!);
  assert.equal(num(k, "statfs", cstr(k, "/tmp"), BUF), 0);
  assert.equal(type(), 0x01021994); // TMPFS_MAGIC
  assert.equal(flags(), 0x20); // ST_VALID
  assert.equal(k.mem.readU64Number(BUF + L.get("statfs.f_bsize")!), 4096);
  assert.equal(k.mem.readU64Number(BUF + L.get("statfs.f_namelen")!), 255);
  assert.equal(num(k, "statfs", cstr(k, "input.txt"), BUF), 0);
  assert.equal(flags(), 0x21); // ST_VALID | ST_RDONLY
  assert.equal(num(k, "statfs", cstr(k, "/proc/self"), BUF), 0);
  assert.equal(type(), 0x9fa0); // PROC_SUPER_MAGIC
  assert.equal(num(k, "fstatfs", 1, BUF), 0);
  assert.equal(type(), 0x50495045); // PIPEFS_MAGIC
  assert.equal(num(k, "statfs", cstr(k, "missing"), BUF), -ENOENT);
  assert.equal(num(k, "statfs", cstr(k, "/tmp"), UNMAPPED), -EFAULT);
  assert.equal(num(k, "fstatfs", 99, BUF), -EBADF);
});

withKernel("openat: unknown flag bits are ignored and not reported by F_GETFL", (k) => {
  const fd = num(k, "openat", AT_FDCWD, cstr(k, "input.txt"), 0x40000000, 0);
  assert.ok(fd >= 0);
  assert.equal(num(k, "fcntl", fd, 3, 0), 0);
  const rw = open(k, "/tmp/w", O_CREAT | O_RDWR | O_WRONLY);
  assert.equal(num(k, "fcntl", rw, 3, 0), 3); // access mode 3: neither read nor write
  assert.equal(num(k, "read", rw, BUF, 1), -EBADF);
  assert.equal(num(k, "write", rw, BUF, 1), -EBADF);
});

Deno.test("the working directory inside a --mount is shown as that mount says (rw or ro)", () => {
  for (const writable of [true, false]) {
    const w = makeWorld();
    try {
      // The cwd's parent, mounted at its own path: the cwd is already in view there.
      const home = w.cwd.slice(0, w.cwd.lastIndexOf("/"));
      const { k } = makeKernel(w, { mounts: [{ host: home, guest: home, writable }] });
      const made = num(k, "mkdirat", AT_FDCWD, cstr(k, "made"), 0o755);
      assert.equal(made, writable ? 0 : -EROFS);
      assert.equal(slurp(k, "input.txt"), "line one\nline two\n");
      if (writable) assert.ok(Deno.statSync(`${w.cwd}/made`).isDirectory);
    } finally {
      w.dispose();
    }
  }
  // Elsewhere (another guest path), the working directory stays read-only at its own path.
  const w = makeWorld();
  try {
    const home = w.cwd.slice(0, w.cwd.lastIndexOf("/"));
    const { k } = makeKernel(w, { mounts: [{ host: home, guest: "/elsewhere", writable: true }] });
    assert.equal(num(k, "mkdirat", AT_FDCWD, cstr(k, "made"), 0o755), -EROFS);
  } finally {
    w.dispose();
  }
});
