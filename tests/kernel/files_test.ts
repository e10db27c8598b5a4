/**
 * Files family handlers: read/write and their vectored and positional forms,
 * openat's flag semantics, close, lseek, dup/fcntl/ioctl, and their errno
 * paths. Expected values follow Linux (checked against qemu-riscv64 on a
 * Linux host where noted).
 * @module
 */

import assert from "node:assert/strict";
import {
  EACCES,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  EISDIR,
  ELOOP,
  EMFILE,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  ENOTTY,
  ENXIO,
  EROFS,
  ESPIPE,
} from "../../lib/abi/errno.ts";
import {
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
} from "../../lib/abi/flags.ts";
import { fdTable } from "../../lib/kernel/fd_table.ts";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import {
  AT_FDCWD,
  BUF,
  cstr,
  joined,
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

function withKernel(
  name: string,
  f: (k: Kernel, w: World, out: { stdout: Uint8Array[] }) => void,
  opts: Parameters<typeof makeKernel>[1] = {},
): void {
  Deno.test(name, () => {
    const w = makeWorld();
    try {
      const t = makeKernel(w, opts);
      f(t.k, w, t);
    } finally {
      w.dispose();
    }
  });
}

/** Writes iovecs [(base, len)...] at `at`; returns `at`. */
function iovecs(k: Kernel, at: number, vs: [number, number][]): number {
  vs.forEach(([b, l], i) => {
    k.mem.writeU64(at + 16 * i, b);
    k.mem.writeU64(at + 16 * i + 8, l);
  });
  return at;
}

withKernel("read: regular file in chunks, EOF, then EBADF paths", (k) => {
  const fd = open(k, "input.txt");
  assert.equal(fd, 3);
  assert.equal(num(k, "read", fd, BUF, 5), 5);
  assert.equal(text(k, BUF, 5), "line ");
  assert.equal(num(k, "read", fd, BUF, 100), 13);
  assert.equal(num(k, "read", fd, BUF, 100), 0);
  assert.equal(num(k, "read", 99, BUF, 1), -EBADF);
  assert.equal(num(k, "read", -1, BUF, 1), -EBADF);
  assert.equal(num(k, "read", 1, BUF, 1), -EBADF); // stdout is write-only
  assert.equal(num(k, "read", fd, BUF, 0), 0);
});

withKernel(
  "read: EFAULT for an unmapped or read-only buffer; short read at a mapping's end",
  (k) => {
    const fd = open(k, "input.txt");
    assert.equal(num(k, "read", fd, UNMAPPED, 4), -EFAULT);
    assert.equal(num(k, "read", fd, RO_PAGE, 4), -EFAULT);
    assert.equal(num(k, "read", fd, 0, 4), -EFAULT);
    // The offset did not move.
    // Only 3 bytes of the buffer are mapped: the read is short, like Linux's partial copy.
    const end = BUF + 0x10000;
    assert.equal(num(k, "read", fd, end - 3, 10), 3);
    assert.equal(text(k, end - 3, 3), "lin");
    assert.equal(num(k, "read", fd, BUF, 100), 15);
  },
);

withKernel("read: a directory is EISDIR, an O_PATH descriptor EBADF", (k) => {
  const d = open(k, "sub", O_DIRECTORY);
  assert.equal(num(k, "read", d, BUF, 10), -EISDIR);
  assert.equal(num(k, "pread64", d, BUF, 10, 0), -EISDIR);
  const p = open(k, "input.txt", O_PATH);
  assert.equal(num(k, "read", p, BUF, 10), -EBADF);
  assert.equal(num(k, "write", p, BUF, 10), -EBADF);
  assert.equal(num(k, "lseek", p, 0, 0), -EBADF);
});

withKernel("write: stdout/stderr go to the callbacks synchronously and in order", (k, _w, out) => {
  k.mem.write(BUF, new TextEncoder().encode("hello\n"));
  assert.equal(num(k, "write", 1, BUF, 6), 6);
  assert.equal(num(k, "write", 2, BUF, 2), 2);
  assert.equal(num(k, "write", 1, BUF, 0), 0);
  assert.equal(joined(out.stdout), "hello\n");
  assert.equal(out.stdout.length, 1); // zero-length writes produce no chunk
  assert.equal(num(k, "write", 0, BUF, 1), -EBADF); // stdin is read-only
  assert.equal(num(k, "write", 1, UNMAPPED, 1), -EFAULT);
  assert.equal(num(k, "write", 1, 0, 0), 0);
});

withKernel(
  "readv/writev: gather into one output chunk, scatter input; EINVAL counts",
  (k, _w, out) => {
    const s = (x: string) => cstr(k, x);
    const iov = iovecs(k, BUF, [[s("hello, "), 7], [s(""), 0], [s("vectored "), 9], [
      s("world\n"),
      6,
    ]]);
    assert.equal(num(k, "writev", 1, iov, 4), 22);
    assert.deepEqual(out.stdout.map((c) => new TextDecoder().decode(c)), [
      "hello, vectored world\n",
    ]);
    assert.equal(num(k, "writev", 1, iov, 0), 0);
    assert.equal(num(k, "writev", 1, iov, -1), -EINVAL);
    assert.equal(num(k, "writev", 1, iov, 1025), -EINVAL);
    assert.equal(num(k, "writev", 77, iov, 1), -EBADF);
    assert.equal(num(k, "writev", 1, UNMAPPED, 1), -EFAULT);
    // A negative iov_len (as ssize_t) is EINVAL.
    iovecs(k, BUF + 0x100, [[BUF, -1]]);
    assert.equal(num(k, "writev", 1, BUF + 0x100, 1), -EINVAL);
    // readv of stdin: one read fills the buffers in order.
    const rv = iovecs(k, BUF + 0x200, [[BUF + 0x400, 4], [BUF + 0x500, 32]]);
    assert.equal(num(k, "readv", 0, rv, 2), 9);
    assert.equal(text(k, BUF + 0x400, 4), "abcd");
    assert.equal(text(k, BUF + 0x500, 5), "efgh\n");
    assert.equal(num(k, "readv", 0, rv, 2), 0);
  },
  { stdin: "abcdefgh\n" },
);

withKernel(
  "pread64/pwrite64: positional I/O on /tmp leaves the offset; EINVAL, ESPIPE, EBADF",
  (k) => {
    const fd = open(k, "/tmp/p", O_RDWR | O_CREAT | O_EXCL, 0o600);
    k.mem.write(BUF, new TextEncoder().encode("0123456789XYZEND"));
    assert.equal(num(k, "write", fd, BUF, 10), 10);
    assert.equal(num(k, "pwrite64", fd, BUF + 10, 3, 4), 3);
    assert.equal(num(k, "lseek", fd, 0, 1), 10);
    assert.equal(num(k, "pread64", fd, BUF + 100, 10, 0), 10);
    assert.equal(text(k, BUF + 100, 10), "0123XYZ789");
    assert.equal(num(k, "pread64", fd, BUF + 100, 4, 7), 3);
    assert.equal(num(k, "pwrite64", fd, BUF + 13, 3, 20), 3); // hole of zeros
    assert.equal(num(k, "lseek", fd, 0, 2), 23);
    assert.equal(num(k, "pread64", fd, BUF + 100, 23, 0), 23);
    assert.deepEqual([...k.mem.read(BUF + 110, 10)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(num(k, "pread64", fd, BUF, 4, 100), 0);
    assert.equal(num(k, "pread64", fd, BUF, 4, -1), -EINVAL);
    assert.equal(num(k, "pwrite64", fd, BUF, 4, -1), -EINVAL);
    assert.equal(num(k, "pread64", 99, BUF, 4, -1), -EINVAL); // offset checked before the fd
    assert.equal(num(k, "pread64", 0, BUF, 4, 0), -ESPIPE);
    assert.equal(num(k, "pwrite64", 1, BUF, 4, 0), -ESPIPE);
    assert.equal(num(k, "pread64", 99, BUF, 4, 0), -EBADF);
    const ro = open(k, "input.txt");
    assert.equal(num(k, "pwrite64", ro, BUF, 4, 0), -EBADF);
    // preadv/pwritev take the offset in a3.
    const iov = iovecs(k, BUF + 0x200, [[BUF + 0x300, 2], [BUF + 0x308, 2]]);
    assert.equal(num(k, "preadv", fd, iov, 2, 4), 4);
    assert.equal(text(k, BUF + 0x300, 2) + text(k, BUF + 0x308, 2), "XYZ7");
    assert.equal(num(k, "preadv", fd, iov, 2, -1), -EINVAL);
    // preadv2 with offset -1 uses (and advances) the file offset.
    num(k, "lseek", fd, 1, 0);
    assert.equal(num(k, "preadv2", fd, iov, 2, -1, 0, 0), 4);
    assert.equal(num(k, "lseek", fd, 0, 1), 5);
  },
);

withKernel("O_APPEND: write and pwrite both append", (k) => {
  const fd = open(k, "/tmp/a", O_WRONLY | O_CREAT | O_APPEND, 0o644);
  k.mem.write(BUF, new TextEncoder().encode("abcXY"));
  num(k, "write", fd, BUF, 3);
  num(k, "lseek", fd, 0, 0);
  num(k, "write", fd, BUF, 3);
  assert.equal(num(k, "pwrite64", fd, BUF + 3, 2, 0), 2);
  assert.equal(slurp(k, "/tmp/a"), "abcabcXY");
});

withKernel("openat: ENOENT, ENOTDIR, EISDIR, EEXIST, ELOOP, EINVAL", (k) => {
  const o = (p: string, f = 0) => num(k, "openat", AT_FDCWD, cstr(k, p), f, 0o644);
  assert.equal(o("missing"), -ENOENT);
  assert.equal(o(""), -ENOENT);
  assert.equal(o("input.txt", O_DIRECTORY), -ENOTDIR);
  assert.equal(o("input.txt/"), -ENOTDIR);
  assert.equal(o("input.txt/x"), -ENOTDIR);
  assert.equal(o("sub", O_WRONLY), -EISDIR);
  assert.equal(o("sub", O_RDWR), -EISDIR);
  assert.equal(o("sub", O_TRUNC), -EISDIR);
  assert.equal(o("/tmp", O_CREAT), -EISDIR);
  assert.equal(o("/tmp/newdir/", O_CREAT), -EISDIR);
  assert.equal(o("/tmp/x", O_CREAT | O_DIRECTORY), -EINVAL);
  assert.equal(o("sub", O_CREAT | O_DIRECTORY), -EINVAL);
  assert.equal(o("input.txt", O_CREAT | O_EXCL), -EEXIST);
  assert.equal(o("abs", O_CREAT | O_EXCL), -EEXIST); // the link itself exists
  assert.equal(o("abs", O_NOFOLLOW), -ELOOP);
  assert.equal(o("loop1"), -ELOOP);
  assert.equal(o("dangling"), -ENOENT);
  assert.equal(o("x".repeat(300)), -ENAMETOOLONG);
  assert.equal(num(k, "openat", AT_FDCWD, UNMAPPED, 0, 0), -EFAULT);
  assert.equal(num(k, "openat", AT_FDCWD, 0, 0, 0), -EFAULT);
  const long = BUF + 0x1000;
  k.mem.write(long, new Uint8Array(4096).fill(0x61));
  assert.equal(num(k, "openat", AT_FDCWD, long, 0, 0), -ENAMETOOLONG);
  // Symlinks are followed.
  assert.equal(slurp(k, "abs"), "root:x:0:0\n");
  assert.equal(slurp(k, "rel"), "line one\nline two\n");
});

withKernel("openat: EROFS on the read-only mounts; creation in /tmp and /data", (k, w) => {
  const o = (p: string, f = 0) => num(k, "openat", AT_FDCWD, cstr(k, p), f, 0o644);
  assert.equal(o("new.txt", O_CREAT | O_WRONLY), -EROFS);
  assert.equal(o("input.txt", O_WRONLY), -EROFS);
  assert.equal(o("input.txt", O_RDWR), -EROFS);
  assert.equal(o("input.txt", O_TRUNC), -EROFS);
  assert.equal(o("/etc/passwd", O_WRONLY), -EROFS);
  assert.equal(o("/", O_CREAT), -EISDIR);
  assert.equal(o("/newfile", O_CREAT | O_WRONLY), -EROFS);
  // O_CREAT on an existing read-only file needs no write.
  assert.ok(o("input.txt", O_CREAT) >= 3);
  // Writable places.
  const t = o("/tmp/made", O_CREAT | O_RDWR);
  assert.ok(t >= 3);
  const d = o("/data/made", O_CREAT | O_WRONLY);
  k.mem.write(BUF, new TextEncoder().encode("host!"));
  assert.equal(num(k, "write", d, BUF, 5), 5);
  assert.equal(Deno.readTextFileSync(`${w.rw}/made`), "host!");
  // O_TRUNC empties an existing writable file.
  assert.ok(o("/data/made", O_WRONLY | O_TRUNC) >= 0);
  assert.equal(Deno.readTextFileSync(`${w.rw}/made`), "");
  // O_CREAT through a dangling symlink creates the target.
  num(k, "symlinkat", cstr(k, "target"), AT_FDCWD, cstr(k, "/tmp/dl"));
  assert.ok(o("/tmp/dl", O_CREAT | O_WRONLY) >= 0);
  assert.ok(o("/tmp/target") >= 0);
});

withKernel("openat: umask and mode; EACCES on a file without permission", (k) => {
  const fd = open(k, "/tmp/m", O_CREAT | O_WRONLY, 0o777);
  num(k, "fstat", fd, BUF);
  assert.equal(k.mem.readU32(BUF + 16) & 0o7777, 0o755);
  const none = open(k, "/tmp/none", O_CREAT | O_WRONLY, 0);
  assert.ok(none >= 0); // a new file is opened despite its mode
  assert.equal(num(k, "openat", AT_FDCWD, cstr(k, "/tmp/none"), 0, 0), -EACCES);
});

withKernel("openat: dirfd-relative paths, O_PATH dirfds, EBADF and ENOTDIR dirfds", (k, w) => {
  const sub = open(k, "sub", O_DIRECTORY);
  const fd = num(k, "openat", sub, cstr(k, "../input.txt"), 0, 0);
  assert.ok(fd >= 0);
  assert.equal(num(k, "read", fd, BUF, 4), 4);
  const p = open(k, "/etc", O_PATH);
  assert.ok(num(k, "openat", p, cstr(k, "passwd"), 0, 0) >= 0);
  assert.equal(num(k, "openat", 99, cstr(k, "input.txt"), 0, 0), -EBADF);
  assert.equal(num(k, "openat", fd, cstr(k, "x"), 0, 0), -ENOTDIR);
  assert.equal(num(k, "openat", 1, cstr(k, "x"), 0, 0), -ENOTDIR);
  // Absolute paths ignore dirfd, even a bad one.
  assert.ok(num(k, "openat", 99, cstr(k, `${w.cwd}/input.txt`), 0, 0) >= 0);
  // O_PATH: fstat works, F_GETFL shows O_PATH.
  assert.equal(num(k, "fstat", p, BUF), 0);
  assert.equal(num(k, "fcntl", p, 3, 0), O_PATH);
  assert.equal(num(k, "fcntl", p, 4, 0), -EBADF);
  const lp = num(k, "openat", AT_FDCWD, cstr(k, "abs"), O_PATH | O_NOFOLLOW, 0);
  assert.ok(lp >= 0);
  num(k, "fstat", lp, BUF);
  assert.equal(k.mem.readU32(BUF + 16) & 0o170000, 0o120000);
});

withKernel("openat: lowest free descriptor, O_CLOEXEC, EMFILE at RLIMIT_NOFILE", (k) => {
  const a = open(k, "input.txt", O_CLOEXEC);
  const b = open(k, "input.txt");
  assert.deepEqual([a, b], [3, 4]);
  assert.equal(num(k, "fcntl", a, 1, 0), 1);
  assert.equal(num(k, "fcntl", b, 1, 0), 0);
  num(k, "close", a);
  assert.equal(open(k, "input.txt"), 3);
  assert.equal(num(k, "close", a), 0);
  assert.equal(num(k, "close", a), -EBADF);
  fdTable(k).limit = 6;
  assert.equal(open(k, "input.txt"), 3);
  assert.equal(open(k, "input.txt"), 5);
  assert.equal(num(k, "openat", AT_FDCWD, cstr(k, "missing"), 0, 0), -EMFILE);
  assert.equal(num(k, "dup", 1), -EMFILE);
});

withKernel("close_range: closes or marks cloexec; EINVAL for bad ranges and flags", (k) => {
  for (let i = 0; i < 4; i++) open(k, "input.txt");
  assert.equal(num(k, "close_range", 5, 3, 0), -EINVAL);
  assert.equal(num(k, "close_range", 3, 4, 8), -EINVAL);
  assert.equal(num(k, "close_range", 5, 6, 4), 0);
  assert.equal(num(k, "fcntl", 5, 1, 0), 1);
  assert.equal(num(k, "close_range", 4, 0xffffffff, 0), 0);
  assert.deepEqual(fdTable(k).fds(), [0, 1, 2, 3]);
});

withKernel("lseek: SET/CUR/END, past EOF, EINVAL, ESPIPE, SEEK_DATA/HOLE", (k) => {
  const fd = open(k, "input.txt");
  assert.equal(num(k, "lseek", fd, 0, 2), 18);
  assert.equal(num(k, "lseek", fd, 10, 0), 10);
  assert.equal(num(k, "lseek", fd, -5, 1), 5);
  assert.equal(num(k, "lseek", fd, -100, 0), -EINVAL);
  assert.equal(num(k, "lseek", fd, 0, 7), -EINVAL);
  assert.equal(num(k, "lseek", fd, 1000, 0), 1000);
  assert.equal(num(k, "read", fd, BUF, 4), 0);
  assert.equal(num(k, "lseek", fd, 3, 3), 3);
  assert.equal(num(k, "lseek", fd, 3, 4), 18);
  assert.equal(num(k, "lseek", fd, 18, 3), -ENXIO);
  assert.equal(num(k, "lseek", 99, 0, 0), -EBADF);
  assert.equal(num(k, "lseek", 1, 0, 0), -ESPIPE);
  assert.equal(num(k, "lseek", 1, 0, 9), -EINVAL); // whence checked before ESPIPE
  const dir = open(k, "/tmp", O_DIRECTORY);
  assert.equal(num(k, "lseek", dir, 0, 2), -EINVAL);
  assert.equal(num(k, "lseek", dir, 0, 0), 0);
});

withKernel("dup, dup3, fcntl F_DUPFD*: shared offsets, cloexec per descriptor, errors", (k) => {
  const fd = open(k, "input.txt");
  const d = num(k, "dup", fd);
  assert.equal(d, 4);
  num(k, "read", fd, BUF, 5);
  assert.equal(num(k, "lseek", d, 0, 1), 5); // one description
  assert.equal(num(k, "dup3", fd, 10, O_CLOEXEC), 10);
  assert.equal(num(k, "fcntl", 10, 1, 0), 1);
  assert.equal(num(k, "dup3", fd, fd, 0), -EINVAL);
  assert.equal(num(k, "dup3", fd, 11, 0x1234), -EINVAL);
  assert.equal(num(k, "dup3", 99, 11, 0), -EBADF);
  assert.equal(num(k, "dup3", fd, -1, 0), -EBADF);
  assert.equal(num(k, "dup3", fd, 100000, 0), -EBADF);
  assert.equal(num(k, "fcntl", 1, 0, 20), 20);
  assert.equal(num(k, "fcntl", 1, 1030, 20), 21);
  assert.equal(num(k, "fcntl", 21, 1, 0), 1);
  assert.equal(num(k, "fcntl", 1, 0, 100000), -EINVAL);
  assert.equal(num(k, "dup", 99), -EBADF);
  // dup3 onto an open descriptor closes it first.
  const other = open(k, "/etc/passwd");
  assert.equal(num(k, "dup3", fd, other, 0), other);
  assert.equal(num(k, "lseek", other, 0, 1), 5);
});

withKernel("fcntl: F_GETFL/F_SETFL, locks, owners, unknown commands", (k) => {
  assert.equal(num(k, "fcntl", 0, 3, 0), 0); // O_RDONLY
  assert.equal(num(k, "fcntl", 1, 3, 0), O_WRONLY);
  const fd = open(k, "/tmp/f", O_CREAT | O_RDWR | O_CLOEXEC | O_TRUNC);
  assert.equal(num(k, "fcntl", fd, 3, 0), O_RDWR); // open-only flags are not kept
  assert.equal(num(k, "fcntl", fd, 4, O_APPEND | O_NONBLOCK | O_WRONLY | O_CREAT), 0);
  assert.equal(num(k, "fcntl", fd, 3, 0), O_RDWR | O_APPEND | O_NONBLOCK);
  const dir = open(k, "sub", O_DIRECTORY);
  assert.equal(num(k, "fcntl", dir, 3, 0), O_DIRECTORY);
  // struct flock: l_type at 0; F_GETLK answers F_UNLCK.
  k.mem.write(BUF, new Uint8Array(32));
  k.mem.write(BUF, new Uint8Array([1, 0])); // F_WRLCK
  assert.equal(num(k, "fcntl", fd, 5, BUF), 0);
  assert.equal(k.mem.read(BUF, 1)[0], 2);
  k.mem.write(BUF, new Uint8Array([1, 0]));
  assert.equal(num(k, "fcntl", fd, 6, BUF), 0);
  assert.equal(num(k, "fcntl", 0, 6, BUF), -EBADF); // write lock on a read-only fd
  k.mem.write(BUF, new Uint8Array([9, 0]));
  assert.equal(num(k, "fcntl", fd, 6, BUF), -EINVAL);
  assert.equal(num(k, "fcntl", fd, 6, UNMAPPED), -EFAULT);
  assert.equal(num(k, "fcntl", fd, 9, 0), 0);
  assert.equal(num(k, "fcntl", fd, 1032, 0), -EBADF); // F_GETPIPE_SZ on a file
  assert.equal(num(k, "fcntl", fd, 12345, 0), -EINVAL);
  assert.equal(num(k, "fcntl", 99, 1, 0), -EBADF);
});

withKernel("ioctl: ENOTTY on pipes and files; FIONBIO, FIOCLEX, FIONREAD; EBADF", (k) => {
  assert.equal(num(k, "ioctl", 1, 0x5401, BUF), -ENOTTY);
  assert.equal(num(k, "ioctl", 99, 0x5401, BUF), -EBADF);
  const fd = open(k, "input.txt");
  assert.equal(num(k, "ioctl", fd, 0x5401, BUF), -ENOTTY);
  assert.equal(num(k, "ioctl", fd, 0x5413, BUF), -ENOTTY);
  num(k, "read", fd, BUF, 3);
  assert.equal(num(k, "ioctl", fd, 0x541b, BUF), 0);
  assert.equal(k.mem.readU32(BUF), 15);
  k.mem.writeU32(BUF, 1);
  assert.equal(num(k, "ioctl", fd, 0x5421, BUF), 0);
  assert.equal(num(k, "fcntl", fd, 3, 0) & O_NONBLOCK, O_NONBLOCK);
  assert.equal(num(k, "ioctl", fd, 0x5421, UNMAPPED), -EFAULT);
  assert.equal(num(k, "ioctl", fd, 0x5451, 0), 0);
  assert.equal(num(k, "fcntl", fd, 1, 0), 1);
  assert.equal(num(k, "ioctl", fd, 0x5450, 0), 0);
  assert.equal(num(k, "fcntl", fd, 1, 0), 0);
  const p = open(k, "sub", O_PATH);
  assert.equal(num(k, "ioctl", p, 0x541b, BUF), -EBADF);
});

withKernel("ioctl: terminals answer TCGETS, TIOCGWINSZ, TCSETS", (k) => {
  k.mem.write(BUF, new Uint8Array(64).fill(0xee));
  assert.equal(num(k, "ioctl", 1, 0x5401, BUF), 0);
  const dv = new DataView(k.mem.read(BUF, 40).buffer);
  // ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD|HUPCL, ISIG|ICANON|ECHO|... ; c_cc[VINTR]=^C
  assert.deepEqual([0, 4, 8, 12].map((o) => dv.getUint32(o, true)), [0x500, 5, 0xbf, 0x8a3b]);
  assert.equal(dv.getUint8(17), 3);
  assert.equal(dv.getUint8(36), 0xee); // exactly 36 bytes written
  assert.equal(num(k, "ioctl", 1, 0x5413, BUF), 0);
  assert.deepEqual([k.mem.read(BUF, 2)[0], k.mem.read(BUF + 2, 1)[0]], [24, 80]);
  assert.equal(num(k, "ioctl", 0, 0x5401, UNMAPPED), -EFAULT);
  assert.equal(num(k, "ioctl", 2, 0x5401, BUF), -ENOTTY); // stderr is not a terminal here
  // fstat: a character device.
  num(k, "fstat", 1, BUF);
  assert.equal(k.mem.readU32(BUF + 16) & 0o170000, 0o020000);
  assert.equal(num(k, "fcntl", 1, 3, 0), O_RDWR);
}, { terminals: { stdin: true, stdout: true } });

withKernel("fsync, fdatasync, ftruncate, truncate, fallocate", (k) => {
  const fd = open(k, "/tmp/t", O_CREAT | O_RDWR);
  assert.equal(num(k, "fsync", fd), 0);
  assert.equal(num(k, "fdatasync", fd), 0);
  assert.equal(num(k, "fsync", 1), -EINVAL);
  assert.equal(num(k, "fsync", 99), -EBADF);
  assert.equal(num(k, "ftruncate", fd, 10), 0);
  assert.equal(num(k, "lseek", fd, 0, 2), 10);
  assert.equal(num(k, "ftruncate", fd, -1), -EINVAL);
  const ro = open(k, "input.txt");
  assert.equal(num(k, "ftruncate", ro, 0), -EINVAL);
  assert.equal(num(k, "ftruncate", 1, 0), -EINVAL);
  assert.equal(num(k, "truncate", cstr(k, "/tmp/t"), 3), 0);
  assert.equal(num(k, "lseek", fd, 0, 2), 3);
  assert.equal(num(k, "truncate", cstr(k, "input.txt"), 0), -EROFS);
  assert.equal(num(k, "truncate", cstr(k, "/tmp"), 0), -EISDIR);
  assert.equal(num(k, "fallocate", fd, 0, 0, 100), 0);
  assert.equal(num(k, "lseek", fd, 0, 2), 100);
  assert.equal(num(k, "fallocate", 1, 0, 0, 100), -ESPIPE);
  assert.equal(num(k, "fallocate", fd, 0, 0, 0), -EINVAL);
});

withKernel(
  "sendfile: copies from a file to stdout and updates the offset pointer",
  (k, _w, out) => {
    const fd = open(k, "input.txt");
    k.mem.writeU64(BUF, 5);
    assert.equal(num(k, "sendfile", 1, fd, BUF, 4), 4);
    assert.equal(k.mem.readU64Number(BUF), 9);
    assert.equal(num(k, "lseek", fd, 0, 1), 0);
    assert.equal(num(k, "sendfile", 1, fd, 0, 100), 18);
    assert.equal(num(k, "lseek", fd, 0, 1), 18);
    assert.equal(joined(out.stdout), "one\nline one\nline two\n");
    assert.equal(num(k, "sendfile", 0, fd, 0, 1), -EBADF);
  },
);
