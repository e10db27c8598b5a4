/**
 * The stat writers: `struct stat` and `struct statx` as riscv64 lays them
 * out, filled from a VFS attribute record.
 *
 * Layouts (asm-generic, offsets in bytes): struct stat, 128 bytes: st_dev
 * @0, st_ino @8, st_mode u32 @16, st_nlink u32 @20, st_uid @24, st_gid @28,
 * st_rdev @32, st_size @48, st_blksize i32 @56, st_blocks @64, then atime,
 * mtime, ctime as (sec, nsec) pairs @72..@112. struct statx, 256 bytes:
 * stx_mask u32 @0, stx_blksize @4, stx_attributes u64 @8, stx_nlink @16,
 * stx_uid @20, stx_gid @24, stx_mode u16 @28, stx_ino @32, stx_size @40,
 * stx_blocks @48, stx_attributes_mask @56, timestamps (i64 sec, u32 nsec)
 * @64 atime, @80 btime, @96 ctime, @112 mtime, stx_rdev_major/minor
 * @128/@132, stx_dev_major/minor @136/@140, stx_mnt_id @144.
 * @module
 */

import { EFAULT } from "../abi/errno.ts";
import { type Attr, devMajor, devMinor } from "../vfs/types.ts";
import type { Kernel } from "./kernel.ts";

/** statx mask bits this kernel fills: STATX_BASIC_STATS | STATX_MNT_ID. */
export const STATX_FILLED = 0x7ff | 0x1000;
/** statx attribute: the object is the root of a mount. */
export const STATX_ATTR_MOUNT_ROOT = 0x2000;
/** Attribute bits the VFS always knows (AUTOMOUNT, MOUNT_ROOT, DAX). */
export const STATX_ATTR_KNOWN = 0x1000 | 0x2000 | 0x200000;

/** Writes struct stat (128 bytes) at `addr`: 0 or -EFAULT. */
export function writeStat(k: Kernel, addr: number, a: Attr): number {
  const b = new Uint8Array(128);
  const dv = new DataView(b.buffer);
  const u64 = (off: number, v: number) => dv.setBigUint64(off, BigInt(v), true);
  const i64 = (off: number, v: number) => dv.setBigInt64(off, BigInt(v), true);
  u64(0, a.dev);
  u64(8, a.ino);
  dv.setUint32(16, a.mode, true);
  dv.setUint32(20, a.nlink, true);
  dv.setUint32(24, a.uid, true);
  dv.setUint32(28, a.gid, true);
  u64(32, a.rdev);
  i64(48, a.size);
  dv.setInt32(56, a.blksize, true);
  i64(64, a.blocks);
  const times = [a.atimeNs, a.mtimeNs, a.ctimeNs];
  for (let i = 0; i < 3; i++) {
    i64(72 + 16 * i, Math.floor(times[i] / 1e9));
    u64(80 + 16 * i, times[i] - Math.floor(times[i] / 1e9) * 1e9);
  }
  try {
    k.mem.write(addr, b);
    return 0;
  } catch {
    return -EFAULT;
  }
}

/** Writes struct statx (256 bytes) at `addr`: 0 or -EFAULT. */
export function writeStatx(
  k: Kernel,
  addr: number,
  a: Attr,
  mountRoot: boolean,
  mntId: number,
): number {
  const b = new Uint8Array(256);
  const dv = new DataView(b.buffer);
  const u64 = (off: number, v: number) => dv.setBigUint64(off, BigInt(v), true);
  dv.setUint32(0, STATX_FILLED, true);
  dv.setUint32(4, a.blksize, true);
  u64(8, mountRoot ? STATX_ATTR_MOUNT_ROOT : 0);
  dv.setUint32(16, a.nlink, true);
  dv.setUint32(20, a.uid, true);
  dv.setUint32(24, a.gid, true);
  dv.setUint16(28, a.mode, true);
  u64(32, a.ino);
  u64(40, a.size);
  u64(48, a.blocks);
  u64(56, STATX_ATTR_KNOWN);
  const ts = (off: number, ns: number) => {
    const s = Math.floor(ns / 1e9);
    dv.setBigInt64(off, BigInt(s), true);
    dv.setUint32(off + 8, ns - s * 1e9, true);
  };
  ts(64, a.atimeNs);
  ts(96, a.ctimeNs);
  ts(112, a.mtimeNs);
  dv.setUint32(128, devMajor(a.rdev), true);
  dv.setUint32(132, devMinor(a.rdev), true);
  dv.setUint32(136, devMajor(a.dev), true);
  dv.setUint32(140, devMinor(a.dev), true);
  u64(144, mntId);
  try {
    k.mem.write(addr, b);
    return 0;
  } catch {
    return -EFAULT;
  }
}
