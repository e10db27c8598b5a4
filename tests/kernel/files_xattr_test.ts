/**
 * Extended-attribute syscalls: zkabi's filesystems hold no attributes, so
 * lists are empty, reads and removals give ENODATA and writes EOPNOTSUPP
 * (EROFS on a read-only mount), after Linux's argument and lookup checks.
 * restic's backup lists every file's attributes and failed with ENOSYS.
 * @module
 */

import assert from "node:assert/strict";
import {
  E2BIG,
  EBADF,
  EFAULT,
  EINVAL,
  ENODATA,
  ENOENT,
  EOPNOTSUPP,
  ERANGE,
  EROFS,
} from "../../lib/abi/errno.ts";
import { O_CREAT, O_PATH, O_WRONLY } from "../../lib/abi/flags.ts";
import { BUF, cstr, makeKernel, makeWorld, num, open, UNMAPPED } from "./files_support.ts";

Deno.test("xattr: empty lists, ENODATA reads and removals, EOPNOTSUPP or EROFS writes", () => {
  const w = makeWorld();
  try {
    const { k } = makeKernel(w);
    const file = cstr(k, "/data/f");
    const fd = open(k, "/data/f", O_CREAT | O_WRONLY);
    const name = cstr(k, "user.x");
    for (const call of ["listxattr", "llistxattr"]) {
      assert.equal(num(k, call, file, BUF, 64), 0, call);
      assert.equal(num(k, call, cstr(k, "/data/none"), BUF, 64), -ENOENT, call);
    }
    assert.equal(num(k, "flistxattr", fd, BUF, 0), 0);
    assert.equal(num(k, "flistxattr", 99, BUF, 0), -EBADF);
    assert.equal(num(k, "flistxattr", open(k, "/data/f", O_PATH), BUF, 0), -EBADF);
    // The relative, dangling link: listed without following, ENOENT when followed.
    assert.equal(num(k, "llistxattr", cstr(k, "dangling"), 0, 0), 0);
    assert.equal(num(k, "listxattr", cstr(k, "dangling"), 0, 0), -ENOENT);

    assert.equal(num(k, "getxattr", file, name, BUF, 64), -ENODATA);
    assert.equal(num(k, "fgetxattr", fd, name, BUF, 64), -ENODATA);
    assert.equal(num(k, "getxattr", file, cstr(k, ""), BUF, 64), -ERANGE);
    assert.equal(num(k, "getxattr", file, cstr(k, "user." + "a".repeat(251)), BUF, 64), -ERANGE);
    assert.equal(num(k, "lgetxattr", file, UNMAPPED, BUF, 64), -EFAULT);
    assert.equal(num(k, "getxattr", cstr(k, "/data/none"), name, BUF, 64), -ENOENT);

    assert.equal(num(k, "removexattr", file, name), -ENODATA);
    assert.equal(num(k, "fremovexattr", fd, name), -ENODATA);
    assert.equal(num(k, "removexattr", cstr(k, "input.txt"), name), -EROFS);

    const value = cstr(k, "v");
    assert.equal(num(k, "setxattr", file, name, value, 1, 0), -EOPNOTSUPP);
    assert.equal(num(k, "fsetxattr", fd, name, value, 1, 0), -EOPNOTSUPP);
    assert.equal(num(k, "lsetxattr", cstr(k, "input.txt"), name, value, 1, 0), -EROFS);
    assert.equal(num(k, "setxattr", file, name, value, 1, 4), -EINVAL);
    assert.equal(num(k, "setxattr", file, name, value, 65537, 0), -E2BIG);
    assert.equal(num(k, "setxattr", file, name, UNMAPPED, 1, 0), -EFAULT);
    // setxattr checks its arguments before the lookup.
    assert.equal(num(k, "setxattr", cstr(k, "/data/none"), cstr(k, ""), value, 1, 0), -ERANGE);
  } finally {
    w.dispose();
  }
});
